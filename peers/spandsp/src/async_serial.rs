//! spandsp's start-stop framing (`async.h`): [`AsyncTx`] turns a Rust byte queue into a bit stream,
//! [`AsyncRx`] turns a bit stream back into bytes collected in a `Vec`.

use core::ffi::{c_int, c_void};
use core::ptr::NonNull;
use std::collections::VecDeque;

use crate::{ffi, GetBit, PutBit};

/// Parity bit after the data bits (spandsp offers none, even or odd).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Parity {
    /// No parity bit (`ASYNC_PARITY_NONE`).
    None,
    /// Even parity (`ASYNC_PARITY_EVEN`).
    Even,
    /// Odd parity (`ASYNC_PARITY_ODD`).
    Odd,
}

impl Parity {
    fn raw(self) -> c_int {
        match self {
            Parity::None => ffi::ASYNC_PARITY_NONE,
            Parity::Even => ffi::ASYNC_PARITY_EVEN,
            Parity::Odd => ffi::ASYNC_PARITY_ODD,
        }
    }
}

fn check_format(data_bits: u8, stop_bits: u8) {
    assert!((5..=8).contains(&data_bits), "{data_bits} data bits: spandsp takes 5 to 8");
    assert!((1..=2).contains(&stop_bits), "{stop_bits} stop bits: spandsp takes 1 or 2");
}

/// What the `get_byte` callback of an [`AsyncTx`] reads from.
#[derive(Debug, Default)]
struct TxQueue {
    queue: VecDeque<u8>,
    taken: u64,
    /// Set by the callback: spandsp asked for a byte during the current `async_tx_get_bit`.
    asked: bool,
    /// spandsp asked for a byte when the queue was empty (the gate in `AsyncTx` prevents this).
    underruns: u64,
}

unsafe extern "C" fn tx_get_byte(user_data: *mut c_void) -> c_int {
    // SAFETY: user_data is the TxQueue allocation owned by the AsyncTx that registered it, which
    // outlives its async_tx_state_t; no other reference to it is live during a spandsp call.
    let q = unsafe { &mut *(user_data as *mut TxQueue) };
    q.asked = true;
    match q.queue.pop_front() {
        Some(b) => {
            q.taken += 1;
            b as c_int
        }
        None => {
            // Should not happen (see AsyncTx). spandsp 0.0.6 would send whatever we return as a
            // character, SIG_STATUS_END_OF_DATA included (as 0xF9), so send the least harmful one.
            q.underruns += 1;
            0xFF
        }
    }
}

/// spandsp's start-stop transmitter (`async_tx_state_t`), fed from a byte queue.
///
/// As a [`GetBit`] it gives the line bits: start bit, data bits least significant first, parity,
/// stop bits, all made by spandsp, and mark (1) between characters while the queue is empty.
///
/// The idle marks come from this wrapper, not from spandsp: spandsp 0.0.6's `async_tx` asks for the
/// next byte (`get_byte`) in the same `async_tx_get_bit` call that returns its start bit, and sends
/// whatever `get_byte` returns as a character, masked to the data bits: a status such as
/// `SIG_STATUS_END_OF_DATA` (-7) goes out as the character 0xF9, and it neither idles nor reports the
/// end of data (with or without V.14). So at each character boundary this wrapper calls spandsp only
/// if the queue holds a byte, and otherwise answers mark itself. A boundary is the end of
/// `bits_per_char` bits after spandsp last asked for a byte; [`AsyncTx::desyncs`] counts the times
/// spandsp disagreed (asked early, or did not ask at a boundary).
#[derive(Debug)]
pub struct AsyncTx {
    raw: NonNull<ffi::async_tx_state_t>,
    queue: NonNull<TxQueue>,
    bits_per_char: u32,
    /// Bits of the current character still to come from spandsp (0: between characters).
    left: u32,
    desyncs: u64,
}

impl AsyncTx {
    /// A transmitter for `data_bits` (5 to 8), `parity` and `stop_bits` (1 or 2), with V.14 rate
    /// adaption if `use_v14`. Panics on a format spandsp does not take or if spandsp fails.
    pub fn new(data_bits: u8, parity: Parity, stop_bits: u8, use_v14: bool) -> Self {
        check_format(data_bits, stop_bits);
        let queue = NonNull::from(Box::leak(Box::<TxQueue>::default()));
        // SAFETY: a null state asks spandsp to allocate one; the callback's user_data stays valid
        // until Drop, which frees the state first.
        let raw = unsafe {
            ffi::async_tx_init(
                core::ptr::null_mut(),
                data_bits as c_int,
                parity.raw(),
                stop_bits as c_int,
                use_v14 as c_int,
                Some(tx_get_byte),
                queue.as_ptr() as *mut c_void,
            )
        };
        let Some(raw) = NonNull::new(raw) else {
            // SAFETY: spandsp kept no pointer to the queue, since it made no state.
            drop(unsafe { Box::from_raw(queue.as_ptr()) });
            panic!("async_tx_init failed");
        };
        let bits_per_char = 1 + data_bits as u32 + (parity != Parity::None) as u32 + stop_bits as u32;
        AsyncTx { raw, queue, bits_per_char, left: 0, desyncs: 0 }
    }

    /// 8 data bits, no parity, 1 stop bit, no V.14.
    pub fn n81() -> Self {
        Self::new(8, Parity::None, 1, false)
    }

    fn q(&self) -> &TxQueue {
        // SAFETY: owned by self; spandsp only touches it during calls that take &mut self.
        unsafe { self.queue.as_ref() }
    }

    /// Queues bytes to send.
    pub fn write(&mut self, data: &[u8]) {
        // SAFETY: as in `q`, and no spandsp call is under way.
        unsafe { self.queue.as_mut() }.queue.extend(data.iter().copied());
    }

    /// Bytes queued that spandsp has not taken yet (a byte is taken when its start bit is due).
    pub fn queued(&self) -> usize {
        self.q().queue.len()
    }

    /// Bytes spandsp has taken from the queue so far.
    pub fn taken(&self) -> u64 {
        self.q().taken
    }

    /// True when no character is under way and none is queued: the line idles at mark.
    pub fn is_idle(&self) -> bool {
        self.left == 0 && self.q().queue.is_empty()
    }

    /// How many times spandsp asked for a byte and found the queue empty (0 unless
    /// [`AsyncTx::get_bit_raw`] was used at the wrong moment).
    pub fn underruns(&self) -> u64 {
        self.q().underruns
    }

    /// How many times spandsp's character boundaries differed from the ones this wrapper counts.
    pub fn desyncs(&self) -> u64 {
        self.desyncs
    }

    /// One call of `async_tx_get_bit`, unfiltered and ungated: spandsp asks for a byte if it is at a
    /// character boundary, even if the queue is empty.
    pub fn get_bit_raw(&mut self) -> i32 {
        // SAFETY: the queue is ours and not borrowed; raw is a live async_tx state whose callback's
        // user_data is valid.
        unsafe {
            (*self.queue.as_ptr()).asked = false;
            let b = ffi::async_tx_get_bit(self.raw.as_ptr() as *mut c_void);
            let asked = (*self.queue.as_ptr()).asked;
            if asked != (self.left == 0) {
                self.desyncs += 1;
            }
            self.left = if asked { self.bits_per_char - 1 } else { self.left.saturating_sub(1) };
            b
        }
    }

    /// The spandsp state, for calling functions this crate does not wrap.
    pub fn as_ptr(&self) -> *mut ffi::async_tx_state_t {
        self.raw.as_ptr()
    }
}

impl GetBit for AsyncTx {
    /// The next line bit: spandsp's, or mark (1) between characters while the queue is empty.
    fn get_bit(&mut self) -> i32 {
        if self.is_idle() {
            return 1;
        }
        self.get_bit_raw()
    }
}

impl Drop for AsyncTx {
    fn drop(&mut self) {
        // SAFETY: the state is freed before the queue its callback points at.
        unsafe {
            ffi::async_tx_free(self.raw.as_ptr());
            drop(Box::from_raw(self.queue.as_ptr()));
        }
    }
}

/// Where the `put_byte` callback of an [`AsyncRx`] writes.
#[derive(Debug, Default)]
struct RxBytes {
    bytes: Vec<u8>,
    statuses: Vec<i32>,
}

unsafe extern "C" fn rx_put_byte(user_data: *mut c_void, byte: c_int) {
    // SAFETY: user_data is the RxBytes allocation owned by the AsyncRx that registered it.
    let r = unsafe { &mut *(user_data as *mut RxBytes) };
    if byte < 0 {
        r.statuses.push(byte);
    } else {
        r.bytes.push(byte as u8);
    }
}

/// spandsp's start-stop receiver (`async_rx_state_t`); the bytes it frames land in a `Vec`.
///
/// As a [`PutBit`] it takes a demodulator's data bits and keeps the status reports to itself:
/// spandsp 0.0.6's `async_rx_put_bit` resets its framing on any status code (carrier up, ...), so
/// they are recorded ([`AsyncRx::statuses`]) rather than passed on.
#[derive(Debug)]
pub struct AsyncRx {
    raw: NonNull<ffi::async_rx_state_t>,
    out: NonNull<RxBytes>,
    statuses: Vec<i32>,
    bits: u64,
}

impl AsyncRx {
    /// A receiver for `data_bits` (5 to 8), `parity` and `stop_bits` (1 or 2), with V.14 rate
    /// adaption if `use_v14`. Panics on a format spandsp does not take or if spandsp fails.
    pub fn new(data_bits: u8, parity: Parity, stop_bits: u8, use_v14: bool) -> Self {
        check_format(data_bits, stop_bits);
        let out = NonNull::from(Box::leak(Box::<RxBytes>::default()));
        // SAFETY: as for AsyncTx::new.
        let raw = unsafe {
            ffi::async_rx_init(
                core::ptr::null_mut(),
                data_bits as c_int,
                parity.raw(),
                stop_bits as c_int,
                use_v14 as c_int,
                Some(rx_put_byte),
                out.as_ptr() as *mut c_void,
            )
        };
        let Some(raw) = NonNull::new(raw) else {
            // SAFETY: spandsp kept no pointer to `out`, since it made no state.
            drop(unsafe { Box::from_raw(out.as_ptr()) });
            panic!("async_rx_init failed");
        };
        AsyncRx { raw, out, statuses: Vec::new(), bits: 0 }
    }

    /// 8 data bits, no parity, 1 stop bit, no V.14.
    pub fn n81() -> Self {
        Self::new(8, Parity::None, 1, false)
    }

    fn o(&self) -> &RxBytes {
        // SAFETY: owned by self; spandsp only touches it during calls that take &mut self.
        unsafe { self.out.as_ref() }
    }

    /// Passes one call of `async_rx_put_bit` through unfiltered: a bit, or a status code (which
    /// resets spandsp's framing).
    pub fn put_bit_raw(&mut self, bit: i32) {
        // SAFETY: raw is a live async_rx state; its callback's user_data is valid.
        unsafe { ffi::async_rx_put_bit(self.raw.as_ptr() as *mut c_void, bit as c_int) }
    }

    /// The bytes received so far.
    pub fn received(&self) -> &[u8] {
        &self.o().bytes
    }

    /// Takes the bytes received so far.
    pub fn take(&mut self) -> Vec<u8> {
        // SAFETY: as in `o`, and no spandsp call is under way.
        core::mem::take(&mut unsafe { self.out.as_mut() }.bytes)
    }

    /// Status codes seen: those given to [`PutBit::status`] and any spandsp passed to `put_byte`.
    pub fn statuses(&self) -> Vec<i32> {
        let mut s = self.statuses.clone();
        s.extend_from_slice(&self.o().statuses);
        s
    }

    /// Data bits taken so far.
    pub fn bits(&self) -> u64 {
        self.bits
    }

    /// The spandsp state, for calling functions this crate does not wrap.
    pub fn as_ptr(&self) -> *mut ffi::async_rx_state_t {
        self.raw.as_ptr()
    }
}

impl PutBit for AsyncRx {
    fn put_bit(&mut self, bit: u8) {
        self.bits += 1;
        self.put_bit_raw((bit & 1) as i32);
    }

    fn status(&mut self, status: i32) {
        self.statuses.push(status);
    }
}

impl Drop for AsyncRx {
    fn drop(&mut self) {
        // SAFETY: the state is freed before the buffer its callback points at.
        unsafe {
            ffi::async_rx_free(self.raw.as_ptr());
            drop(Box::from_raw(self.out.as_ptr()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tx_sends_8n1_lsb_first_then_idles_at_mark() {
        let mut tx = AsyncTx::n81();
        let idle: Vec<i32> = (0..25).map(|_| tx.get_bit()).collect();
        assert!(idle.iter().all(|&b| b == 1), "{idle:?}");
        tx.write(b"A");
        let mut bits = Vec::new();
        for _ in 0..30 {
            bits.push(tx.get_bit());
        }
        // Somewhere in there: start, 1000 0010, stop, and marks around it.
        let a = [0, 1, 0, 0, 0, 0, 0, 1, 0, 1];
        let at = bits.windows(10).position(|w| w == a).expect("no 'A' in the bits");
        assert!(bits[..at].iter().all(|&b| b == 1) && bits[at + 10..].iter().all(|&b| b == 1), "{bits:?}");
        assert_eq!(tx.taken(), 1);
        assert_eq!(tx.queued(), 0);
        assert!(tx.is_idle());
        assert_eq!((tx.underruns(), tx.desyncs()), (0, 0));
    }

    #[test]
    fn tx_into_rx_round_trip() {
        let mut tx = AsyncTx::n81();
        let mut rx = AsyncRx::n81();
        let data: Vec<u8> = (0..=255).collect();
        tx.write(&data);
        for _ in 0..(data.len() * 10 + 40) {
            let b = tx.get_bit();
            rx.put_bit(b as u8);
        }
        assert_eq!(rx.received(), &data[..]);
        assert_eq!((tx.underruns(), tx.desyncs()), (0, 0));
    }

    #[test]
    fn spandsp_sends_a_status_from_get_byte_as_a_character() {
        // Documents the quirk the gate works around: ungated, an empty queue turns into 0xFF.
        let mut tx = AsyncTx::n81();
        let bits: Vec<i32> = (0..10).map(|_| tx.get_bit_raw()).collect();
        assert_eq!(bits, [0, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
        assert_eq!(tx.underruns(), 1);
    }
}
