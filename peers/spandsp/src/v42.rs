//! spandsp's V.42 (`v42.h`): the detection phase and LAPM, bits in and out. The data it is to send
//! comes from a byte queue here, what it delivers goes to a byte vector, and its status reports are
//! kept (with `lapm_status_to_str`'s names) for the test to read.
use core::ffi::{c_int, c_void, CStr};
use core::ptr::NonNull;
use std::collections::VecDeque;

use crate::ffi;

#[derive(Debug, Default)]
struct Ends {
    to_send: VecDeque<u8>,
    received: Vec<u8>,
    statuses: Vec<(i32, String)>,
}

unsafe extern "C" fn iframe_get(user_data: *mut c_void, msg: *mut u8, max_len: c_int) -> c_int {
    // SAFETY: user_data is the Ends the V42 owns, alive while its state is.
    let e = unsafe { &mut *(user_data as *mut Ends) };
    if msg.is_null() || max_len <= 0 {
        return 0;
    }
    let n = e.to_send.len().min(max_len as usize);
    for i in 0..n {
        // SAFETY: spandsp gives `max_len` writable octets at `msg`; i < n <= max_len.
        unsafe { *msg.add(i) = e.to_send.pop_front().unwrap_or(0) };
    }
    n as c_int
}

unsafe extern "C" fn iframe_put(user_data: *mut c_void, msg: *const u8, len: c_int) {
    // SAFETY: as in iframe_get.
    let e = unsafe { &mut *(user_data as *mut Ends) };
    if msg.is_null() || len <= 0 {
        e.statuses.push((len, status_name(len)));
        return;
    }
    // SAFETY: spandsp hands `len` readable octets at `msg`.
    e.received.extend_from_slice(unsafe { core::slice::from_raw_parts(msg, len as usize) });
}

unsafe extern "C" fn on_status(user_data: *mut c_void, status: c_int) {
    // SAFETY: as in iframe_get.
    let e = unsafe { &mut *(user_data as *mut Ends) };
    e.statuses.push((status, status_name(status)));
}

fn status_name(status: c_int) -> String {
    // SAFETY: lapm_status_to_str returns a static string for any value.
    let p = unsafe { ffi::lapm_status_to_str(status) };
    if p.is_null() {
        return format!("{status}");
    }
    // SAFETY: a NUL-terminated static string.
    unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned()
}

/// A spandsp V.42 context in one role.
pub struct V42 {
    raw: NonNull<ffi::v42_state_t>,
    ends: NonNull<Ends>,
}

impl V42 {
    /// `v42_init`: calling or answering; with `detect` the detection phase (ODP/ADP) first, else
    /// LAPM at once.
    pub fn new(calling: bool, detect: bool) -> Self {
        let ends = NonNull::from(Box::leak(Box::<Ends>::default()));
        let ud = ends.as_ptr() as *mut c_void;
        // SAFETY: a null state asks spandsp to allocate one; user_data stays valid until Drop,
        // which frees the state first.
        let raw = unsafe {
            ffi::v42_init(
                core::ptr::null_mut(),
                calling as c_int,
                detect as c_int,
                Some(iframe_get),
                Some(iframe_put),
                ud,
            )
        };
        let Some(raw) = NonNull::new(raw) else {
            // SAFETY: spandsp kept no pointer, since it made no state.
            drop(unsafe { Box::from_raw(ends.as_ptr()) });
            panic!("v42_init failed");
        };
        // SAFETY: a live state and the same user data.
        unsafe { ffi::v42_set_status_callback(raw.as_ptr(), Some(on_status), ud) };
        // v42_init only sets the context up: without v42_restart it sends nothing but zeros in
        // LAPM (measured; the header declares a v42_start that the library does not export).
        // SAFETY: a live state.
        unsafe { ffi::v42_restart(raw.as_ptr()) };
        V42 { raw, ends }
    }

    fn ends(&mut self) -> &mut Ends {
        // SAFETY: owned by self, freed only in Drop.
        unsafe { self.ends.as_mut() }
    }

    /// Queues data for LAPM to send.
    pub fn write(&mut self, data: &[u8]) {
        self.ends().to_send.extend(data);
    }

    /// Octets queued and not yet taken by LAPM.
    pub fn pending(&mut self) -> usize {
        self.ends().to_send.len()
    }

    /// Takes what LAPM has delivered so far.
    pub fn take_received(&mut self) -> Vec<u8> {
        core::mem::take(&mut self.ends().received)
    }

    /// The status reports so far (value, spandsp's name for it).
    pub fn statuses(&mut self) -> Vec<(i32, String)> {
        self.ends().statuses.clone()
    }

    /// `v42_tx_bit`: the next bit to send.
    pub fn tx_bit(&mut self) -> i32 {
        // SAFETY: the user data of v42_tx_bit is the context itself.
        unsafe { ffi::v42_tx_bit(self.raw.as_ptr() as *mut c_void) }
    }

    /// `v42_rx_bit`: one received bit (or a negative `SIG_STATUS_*`).
    pub fn rx_bit(&mut self, bit: i32) {
        // SAFETY: as in tx_bit.
        unsafe { ffi::v42_rx_bit(self.raw.as_ptr() as *mut c_void, bit) }
    }

    /// `v42_set_local_busy_status`.
    pub fn set_local_busy(&mut self, busy: bool) {
        // SAFETY: a live context.
        unsafe { ffi::v42_set_local_busy_status(self.raw.as_ptr(), busy as c_int) };
    }

    /// `v42_release`: an orderly release (DISC).
    pub fn release(&mut self) {
        // SAFETY: a live context.
        unsafe { ffi::v42_release(self.raw.as_ptr()) };
    }
}

impl crate::GetBit for V42 {
    fn get_bit(&mut self) -> i32 {
        self.tx_bit()
    }
}

impl crate::PutBit for V42 {
    fn put_bit(&mut self, bit: u8) {
        self.rx_bit(bit as i32)
    }
    fn status(&mut self, status: i32) {
        self.rx_bit(status)
    }
}

impl Drop for V42 {
    fn drop(&mut self) {
        // SAFETY: frees the state (which holds the user data pointer) before the user data.
        unsafe {
            ffi::v42_free(self.raw.as_ptr());
            drop(Box::from_raw(self.ends.as_ptr()));
        }
    }
}
