//! spandsp's HDLC framing (`hdlc.h`): [`HdlcTx`] makes bits of frames, [`HdlcRx`] frames of bits,
//! each with the 16-bit (ITU) or 32-bit CRC. Used as an independent peer for our own HDLC.
use core::ffi::{c_int, c_void};
use core::ptr::NonNull;

use crate::ffi;

/// What [`HdlcRx`]'s frame handler was given.
#[derive(Debug, Default)]
struct RxFrames {
    /// (frame, CRC good) in order.
    frames: Vec<(Vec<u8>, bool)>,
    /// Calls with a negative length (status reports), by value.
    statuses: Vec<i32>,
}

unsafe extern "C" fn rx_frame(user_data: *mut c_void, pkt: *const u8, len: c_int, ok: c_int) {
    // SAFETY: user_data is the RxFrames the HdlcRx owns, alive while its state is.
    let f = unsafe { &mut *(user_data as *mut RxFrames) };
    if len < 0 || pkt.is_null() {
        f.statuses.push(len);
        return;
    }
    // SAFETY: spandsp hands `len` readable octets at `pkt`.
    let data = unsafe { core::slice::from_raw_parts(pkt, len as usize) }.to_vec();
    f.frames.push((data, ok != 0));
}

/// spandsp's HDLC receiver.
pub struct HdlcRx {
    raw: NonNull<ffi::hdlc_rx_state_t>,
    got: NonNull<RxFrames>,
}

impl HdlcRx {
    /// A receiver with the 32-bit CRC if `crc32`, else the 16-bit one. With `report_bad_frames`
    /// the handler also gets frames with a bad CRC (see [`HdlcRx::take_all`]).
    pub fn new(crc32: bool, report_bad_frames: bool) -> Self {
        let got = NonNull::from(Box::leak(Box::<RxFrames>::default()));
        // SAFETY: a null state asks spandsp to allocate one; user_data stays valid until Drop,
        // which frees the state first.
        let raw = unsafe {
            ffi::hdlc_rx_init(
                core::ptr::null_mut(),
                crc32 as c_int,
                report_bad_frames as c_int,
                1,
                Some(rx_frame),
                got.as_ptr() as *mut c_void,
            )
        };
        let Some(raw) = NonNull::new(raw) else {
            // SAFETY: spandsp kept no pointer, since it made no state.
            drop(unsafe { Box::from_raw(got.as_ptr()) });
            panic!("hdlc_rx_init failed");
        };
        HdlcRx { raw, got }
    }

    /// Sets the longest frame taken (spandsp's default is its `HDLC_MAXFRAME_LEN`, 400).
    pub fn set_max_frame_len(&mut self, max_len: usize) {
        // SAFETY: raw is a live state.
        unsafe { ffi::hdlc_rx_set_max_frame_len(self.raw.as_ptr(), max_len) }
    }

    /// One received bit (0 or 1).
    pub fn put_bit(&mut self, bit: u8) {
        // SAFETY: raw is a live state; its handler's user_data is ours and not borrowed now.
        unsafe { ffi::hdlc_rx_put_bit(self.raw.as_ptr(), bit as c_int) }
    }

    /// The good frames received since the last call.
    pub fn take_frames(&mut self) -> Vec<Vec<u8>> {
        self.take_all().into_iter().filter(|f| f.1).map(|f| f.0).collect()
    }

    /// Every frame the handler got since the last call, with whether its CRC was good.
    pub fn take_all(&mut self) -> Vec<(Vec<u8>, bool)> {
        // SAFETY: owned by self, no spandsp call under way.
        core::mem::take(&mut unsafe { self.got.as_mut() }.frames)
    }

    /// Status reports the frame handler got (a negative length), all so far.
    pub fn statuses(&self) -> Vec<i32> {
        // SAFETY: owned by self, no spandsp call under way.
        unsafe { self.got.as_ref() }.statuses.clone()
    }

    /// spandsp's counts.
    pub fn stats(&self) -> ffi::hdlc_rx_stats_t {
        let mut t = ffi::hdlc_rx_stats_t::default();
        // SAFETY: raw is a live state, t a valid place for the stats.
        unsafe { ffi::hdlc_rx_get_stats(self.raw.as_ptr(), &mut t) };
        t
    }
}

impl Drop for HdlcRx {
    fn drop(&mut self) {
        // SAFETY: the state is freed before what its handler points at.
        unsafe {
            ffi::hdlc_rx_free(self.raw.as_ptr());
            drop(Box::from_raw(self.got.as_ptr()));
        }
    }
}

unsafe extern "C" fn tx_underflow(user_data: *mut c_void) {
    // SAFETY: user_data is the counter the HdlcTx owns, alive while its state is.
    unsafe { *(user_data as *mut u64) += 1 };
}

/// spandsp's HDLC transmitter.
pub struct HdlcTx {
    raw: NonNull<ffi::hdlc_tx_state_t>,
    underflows: NonNull<u64>,
}

impl HdlcTx {
    /// A transmitter with the 32-bit CRC if `crc32`, else the 16-bit one, sending at least
    /// `inter_frame_flags` flags between frames; not progressive.
    pub fn new(crc32: bool, inter_frame_flags: u32) -> Self {
        let underflows = NonNull::from(Box::leak(Box::new(0u64)));
        // SAFETY: as for HdlcRx::new.
        let raw = unsafe {
            ffi::hdlc_tx_init(
                core::ptr::null_mut(),
                crc32 as c_int,
                inter_frame_flags as c_int,
                0,
                Some(tx_underflow),
                underflows.as_ptr() as *mut c_void,
            )
        };
        let Some(raw) = NonNull::new(raw) else {
            // SAFETY: spandsp kept no pointer, since it made no state.
            drop(unsafe { Box::from_raw(underflows.as_ptr()) });
            panic!("hdlc_tx_init failed");
        };
        HdlcTx { raw, underflows }
    }

    /// Hands spandsp a frame to send (CRC added by spandsp); false if it refused (one is still
    /// waiting).
    pub fn frame(&mut self, frame: &[u8]) -> bool {
        // SAFETY: raw is a live state; spandsp copies the frame.
        unsafe { ffi::hdlc_tx_frame(self.raw.as_ptr(), frame.as_ptr(), frame.len()) == 0 }
    }

    /// Asks spandsp to abort the frame under way; `hdlc_tx_abort`'s return value is given as true
    /// for 0. Measured on 0.0.6: it returns -1 in the middle of a frame and aborts it all the same
    /// (`tests/spandsp_hdlc.rs`).
    pub fn abort(&mut self) -> bool {
        // SAFETY: raw is a live state.
        unsafe { ffi::hdlc_tx_abort(self.raw.as_ptr()) == 0 }
    }

    /// The next bit (0 or 1), or a negative status.
    pub fn get_bit(&mut self) -> i32 {
        // SAFETY: raw is a live state; the underflow counter is ours and not borrowed now.
        unsafe { ffi::hdlc_tx_get_bit(self.raw.as_ptr()) }
    }

    /// How many times spandsp reported running out of frames.
    pub fn underflows(&self) -> u64 {
        // SAFETY: owned by self, no spandsp call under way.
        unsafe { *self.underflows.as_ref() }
    }
}

impl crate::GetBit for HdlcTx {
    fn get_bit(&mut self) -> i32 {
        HdlcTx::get_bit(self)
    }
}

impl crate::PutBit for HdlcRx {
    fn put_bit(&mut self, bit: u8) {
        HdlcRx::put_bit(self, bit)
    }
}

impl Drop for HdlcTx {
    fn drop(&mut self) {
        // SAFETY: the state is freed before the counter its handler points at.
        unsafe {
            ffi::hdlc_tx_free(self.raw.as_ptr());
            drop(Box::from_raw(self.underflows.as_ptr()));
        }
    }
}
