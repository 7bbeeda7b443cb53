//! spandsp's DTMF (`dtmf.h`) and modem connect tones (`modem_connect_tones.h`): [`DtmfTx`],
//! [`DtmfRx`], [`ConnectToneTx`] and [`ConnectToneRx`].
//!
//! The declarations below are written by hand from the public headers
//! `/usr/include/spandsp/dtmf.h`, `modem_connect_tones.h` and `super_tone_rx.h` (for
//! `tone_report_func_t`), spandsp 0.0.6; the state structures are opaque. Samples are `i16` at
//! 8000 Hz.
//!
//! Receivers count the samples they are given and stamp each report with the count at the *end*
//! of the block during which spandsp made it ([`DtmfReport::at`], [`ConnectToneReport::at`]): a
//! report is late by up to a block, so feed short blocks when timing matters.
//!
//! What spandsp 0.0.6 was seen to do as a black box (pinned by this module's tests and the main
//! crate's `tests/spandsp_tones.rs`):
//! - `dtmf_tx` sends 50 ms tones and 55 ms pauses, each tone at -10 dBm0 with no twist;
//!   `dtmf_tx_set_level`'s level is the *low* tone's and its twist the high tone's level above
//!   it. A pair whose peaks add past full scale wraps around instead of clipping.
//! - `dtmf_tx_put` returns the number of digits that did *not* fit and then queues none
//!   ([`DtmfTx::put`]); setting a realtime callback silences the digits callback
//!   ([`DtmfCollect`]).
//! - `modem_connect_tones_tx` has no level setting: ANS, ANSam, the Bell tone and the calling
//!   tone come at -11 dBm0, ANS/ and ANSam/ at -12 dBm0. The answer tones start after 200 ms of
//!   silence and stop by themselves: ANS and the Bell tone after 2.6 s, ANS/ after 3.3 s, ANSam
//!   and ANSam/ after 5 s. The calling tone is 0.6 s on, 2 s off; CNG 0.5 s on, 3 s off.
//! - `modem_connect_tones_rx` reports whichever 2100 Hz kind it hears whatever kind of that
//!   family it was set to listen for; it calls a tone ANS/ or ANSam/ after its third reversal
//!   (1.35 s), ANS and ANSam after about 0.55 s, the Bell and calling tones after 0.42 s. It
//!   accepts 2100 and 2225 Hz tones up to 60 Hz off, and any 1300 Hz tone of 0.5 s or more as
//!   calling tone (a steady one included). In noise (20 dB SNR) it reports the end of ANS/ and
//!   ANSam/ about 0.33 s late and that of ANSam not within 2 s, for its own tones as for ours.
#![allow(non_camel_case_types)]

use core::ffi::{c_char, c_int, c_void, CStr};
use core::ptr::NonNull;

/// Opaque `dtmf_tx_state_t`.
#[repr(C)]
pub struct dtmf_tx_state_t {
    _private: [u8; 0],
}

/// Opaque `dtmf_rx_state_t`.
#[repr(C)]
pub struct dtmf_rx_state_t {
    _private: [u8; 0],
}

/// Opaque `modem_connect_tones_tx_state_t`.
#[repr(C)]
pub struct modem_connect_tones_tx_state_t {
    _private: [u8; 0],
}

/// Opaque `modem_connect_tones_rx_state_t`.
#[repr(C)]
pub struct modem_connect_tones_rx_state_t {
    _private: [u8; 0],
}

/// `digits_rx_callback_t`: `void (*)(void *user_data, const char *digits, int len)`.
pub type digits_rx_callback_t = Option<unsafe extern "C" fn(user_data: *mut c_void, digits: *const c_char, len: c_int)>;

/// `tone_report_func_t` (`super_tone_rx.h`): `void (*)(void *user_data, int code, int level, int
/// delay)`.
pub type tone_report_func_t =
    Option<unsafe extern "C" fn(user_data: *mut c_void, code: c_int, level: c_int, delay: c_int)>;

/// `MAX_DTMF_DIGITS`: the size of spandsp's DTMF digit buffers.
pub const MAX_DTMF_DIGITS: usize = 128;

/// `MODEM_CONNECT_TONES_NONE`: reported when a tone stops.
pub const MODEM_CONNECT_TONES_NONE: c_int = 0;
/// `MODEM_CONNECT_TONES_FAX_CNG`: 1100 Hz, 0.5 s bursts, 3 s silences.
pub const MODEM_CONNECT_TONES_FAX_CNG: c_int = 1;
/// `MODEM_CONNECT_TONES_ANS`: 2100 Hz, continuous.
pub const MODEM_CONNECT_TONES_ANS: c_int = 2;
/// `MODEM_CONNECT_TONES_ANS_PR`: 2100 Hz with a phase reversal every 450 ms.
pub const MODEM_CONNECT_TONES_ANS_PR: c_int = 3;
/// `MODEM_CONNECT_TONES_ANSAM`: ANS with 20 % 15 Hz AM (V.8).
pub const MODEM_CONNECT_TONES_ANSAM: c_int = 4;
/// `MODEM_CONNECT_TONES_ANSAM_PR`: ANSam with phase reversals.
pub const MODEM_CONNECT_TONES_ANSAM_PR: c_int = 5;
/// `MODEM_CONNECT_TONES_FAX_PREAMBLE`: V.21 HDLC flags.
pub const MODEM_CONNECT_TONES_FAX_PREAMBLE: c_int = 6;
/// `MODEM_CONNECT_TONES_FAX_CED_OR_PREAMBLE`: receive only.
pub const MODEM_CONNECT_TONES_FAX_CED_OR_PREAMBLE: c_int = 7;
/// `MODEM_CONNECT_TONES_BELL_ANS`: 2225 Hz, continuous.
pub const MODEM_CONNECT_TONES_BELL_ANS: c_int = 8;
/// `MODEM_CONNECT_TONES_CALLING_TONE`: 1300 Hz, 0.6 s bursts, 2 s silences.
pub const MODEM_CONNECT_TONES_CALLING_TONE: c_int = 9;

// Linked by build.rs (`-l spandsp`).
extern "C" {
    /// `dtmf_tx_state_t *dtmf_tx_init(dtmf_tx_state_t *s)`.
    pub fn dtmf_tx_init(s: *mut dtmf_tx_state_t) -> *mut dtmf_tx_state_t;
    /// `int dtmf_tx_free(dtmf_tx_state_t *s)`.
    pub fn dtmf_tx_free(s: *mut dtmf_tx_state_t) -> c_int;
    /// `int dtmf_tx(dtmf_tx_state_t *s, int16_t amp[], int max_samples)`: returns the samples
    /// generated (fewer than asked once the digits run out).
    pub fn dtmf_tx(s: *mut dtmf_tx_state_t, amp: *mut i16, max_samples: c_int) -> c_int;
    /// `int dtmf_tx_put(dtmf_tx_state_t *s, const char *digits, int len)`: returns the digits
    /// queued.
    pub fn dtmf_tx_put(s: *mut dtmf_tx_state_t, digits: *const c_char, len: c_int) -> c_int;
    /// `void dtmf_tx_set_level(dtmf_tx_state_t *s, int level, int twist)`: the low tone's level in
    /// dBm0, and the twist in dB.
    pub fn dtmf_tx_set_level(s: *mut dtmf_tx_state_t, level: c_int, twist: c_int);
    /// `void dtmf_tx_set_timing(dtmf_tx_state_t *s, int on_time, int off_time)`, in ms.
    pub fn dtmf_tx_set_timing(s: *mut dtmf_tx_state_t, on_time: c_int, off_time: c_int);

    /// `dtmf_rx_state_t *dtmf_rx_init(dtmf_rx_state_t *s, digits_rx_callback_t callback, void
    /// *user_data)`.
    pub fn dtmf_rx_init(
        s: *mut dtmf_rx_state_t,
        callback: digits_rx_callback_t,
        user_data: *mut c_void,
    ) -> *mut dtmf_rx_state_t;
    /// `int dtmf_rx_free(dtmf_rx_state_t *s)`.
    pub fn dtmf_rx_free(s: *mut dtmf_rx_state_t) -> c_int;
    /// `void dtmf_rx_set_realtime_callback(dtmf_rx_state_t *s, tone_report_func_t callback, void
    /// *user_data)`: called with the digit's ASCII code when a digit starts, 0 when it ends.
    pub fn dtmf_rx_set_realtime_callback(s: *mut dtmf_rx_state_t, callback: tone_report_func_t, user_data: *mut c_void);
    /// `void dtmf_rx_parms(dtmf_rx_state_t *s, int filter_dialtone, int twist, int reverse_twist,
    /// int threshold)`: negative (threshold: <= -99) leaves a value unchanged.
    pub fn dtmf_rx_parms(
        s: *mut dtmf_rx_state_t,
        filter_dialtone: c_int,
        twist: c_int,
        reverse_twist: c_int,
        threshold: c_int,
    );
    /// `int dtmf_rx(dtmf_rx_state_t *s, const int16_t amp[], int samples)`: returns the samples
    /// unprocessed.
    pub fn dtmf_rx(s: *mut dtmf_rx_state_t, amp: *const i16, samples: c_int) -> c_int;
    /// `int dtmf_rx_status(dtmf_rx_state_t *s)`: `'x'` for "maybe", the digit being detected, or 0.
    pub fn dtmf_rx_status(s: *mut dtmf_rx_state_t) -> c_int;
    /// `size_t dtmf_rx_get(dtmf_rx_state_t *s, char *digits, int max)`: digits collected when no
    /// digits callback is set.
    pub fn dtmf_rx_get(s: *mut dtmf_rx_state_t, digits: *mut c_char, max: c_int) -> usize;

    /// `modem_connect_tones_tx_state_t *modem_connect_tones_tx_init(s, int tone_type)`.
    pub fn modem_connect_tones_tx_init(
        s: *mut modem_connect_tones_tx_state_t,
        tone_type: c_int,
    ) -> *mut modem_connect_tones_tx_state_t;
    /// `int modem_connect_tones_tx_free(modem_connect_tones_tx_state_t *s)`.
    pub fn modem_connect_tones_tx_free(s: *mut modem_connect_tones_tx_state_t) -> c_int;
    /// `int modem_connect_tones_tx(modem_connect_tones_tx_state_t *s, int16_t amp[], int len)`:
    /// returns the samples generated.
    pub fn modem_connect_tones_tx(s: *mut modem_connect_tones_tx_state_t, amp: *mut i16, len: c_int) -> c_int;

    /// `modem_connect_tones_rx_state_t *modem_connect_tones_rx_init(s, int tone_type,
    /// tone_report_func_t tone_callback, void *user_data)`.
    pub fn modem_connect_tones_rx_init(
        s: *mut modem_connect_tones_rx_state_t,
        tone_type: c_int,
        tone_callback: tone_report_func_t,
        user_data: *mut c_void,
    ) -> *mut modem_connect_tones_rx_state_t;
    /// `int modem_connect_tones_rx_free(modem_connect_tones_rx_state_t *s)`.
    pub fn modem_connect_tones_rx_free(s: *mut modem_connect_tones_rx_state_t) -> c_int;
    /// `int modem_connect_tones_rx(modem_connect_tones_rx_state_t *s, const int16_t amp[], int
    /// len)`: returns the samples unprocessed.
    pub fn modem_connect_tones_rx(s: *mut modem_connect_tones_rx_state_t, amp: *const i16, len: c_int) -> c_int;
    /// `int modem_connect_tones_rx_get(modem_connect_tones_rx_state_t *s)`: the tone detected (a
    /// `MODEM_CONNECT_TONES_*` code), or 0.
    pub fn modem_connect_tones_rx_get(s: *mut modem_connect_tones_rx_state_t) -> c_int;
    /// `const char *modem_connect_tone_to_str(int tone)`.
    pub fn modem_connect_tone_to_str(tone: c_int) -> *const c_char;
}

// ---------------------------------------------------------------------------------------------
// DTMF

/// spandsp's DTMF generator (`dtmf_tx_state_t`).
///
/// Defaults measured from its output: 50 ms of tone, 55 ms of pause, both tones at -10 dBm0.
/// Keep the level low enough for the two peaks to add below full scale: spandsp wraps around
/// rather than clipping (each tone at -3 dBm0 is the most that fits).
pub struct DtmfTx {
    raw: NonNull<dtmf_tx_state_t>,
}

impl Default for DtmfTx {
    fn default() -> Self {
        Self::new()
    }
}

impl DtmfTx {
    /// A generator with spandsp's default level and timing.
    pub fn new() -> Self {
        // SAFETY: a null state asks spandsp to allocate one.
        let raw = unsafe { dtmf_tx_init(core::ptr::null_mut()) };
        DtmfTx { raw: NonNull::new(raw).expect("dtmf_tx_init failed") }
    }

    /// Queues `digits` (`dtmf_tx_put`): all of them, or, if spandsp's buffer
    /// ([`MAX_DTMF_DIGITS`]) has no room for them all, none, and `Err` with how many did not fit.
    ///
    /// Quirk (spandsp 0.0.6): the header says `dtmf_tx_put` returns the digits added; it returns
    /// the number that did *not* fit (0 when all were queued) and then queues none of them.
    pub fn put(&mut self, digits: &str) -> Result<(), usize> {
        let len = c_int::try_from(digits.len()).expect("too many digits");
        // SAFETY: raw is live; digits holds len bytes (spandsp copies them).
        let n = unsafe { dtmf_tx_put(self.raw.as_ptr(), digits.as_ptr() as *const c_char, len) };
        if n == 0 {
            Ok(())
        } else {
            Err(n.max(0) as usize)
        }
    }

    /// Sets the low tone's level in dBm0 and the high tone's level above it in dB
    /// (`dtmf_tx_set_level`).
    pub fn set_level(&mut self, low_dbm0: i32, twist_db: i32) {
        // SAFETY: raw is live.
        unsafe { dtmf_tx_set_level(self.raw.as_ptr(), low_dbm0, twist_db) }
    }

    /// Sets the tone and pause durations in ms (`dtmf_tx_set_timing`), from the next digit.
    pub fn set_timing(&mut self, on_ms: i32, off_ms: i32) {
        // SAFETY: raw is live.
        unsafe { dtmf_tx_set_timing(self.raw.as_ptr(), on_ms, off_ms) }
    }

    /// Fills `out` with the tones (`dtmf_tx`); returns how many samples spandsp made. The rest of
    /// `out` (once the digits have run out) is set to silence.
    pub fn process(&mut self, out: &mut [i16]) -> usize {
        let len = c_int::try_from(out.len()).expect("block too long");
        // SAFETY: raw is live and out holds len samples.
        let n = unsafe { dtmf_tx(self.raw.as_ptr(), out.as_mut_ptr(), len) };
        let n = (n.max(0) as usize).min(out.len());
        out[n..].fill(0);
        n
    }

    /// Everything still queued, with `lead` samples of silence before it: runs the generator until
    /// it stops making samples.
    pub fn render(&mut self, lead: usize) -> Vec<i16> {
        let mut out = vec![0i16; lead];
        let mut buf = [0i16; 160];
        loop {
            let n = self.process(&mut buf);
            out.extend_from_slice(&buf[..n]);
            if n < buf.len() {
                return out;
            }
        }
    }

    /// The spandsp state, for calling functions this crate does not wrap.
    pub fn as_ptr(&self) -> *mut dtmf_tx_state_t {
        self.raw.as_ptr()
    }
}

impl Drop for DtmfTx {
    fn drop(&mut self) {
        // SAFETY: raw is live and not used after this.
        unsafe { dtmf_tx_free(self.raw.as_ptr()) };
    }
}

impl core::fmt::Debug for DtmfTx {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("DtmfTx").finish_non_exhaustive()
    }
}

/// One report of spandsp's DTMF receiver.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DtmfReport {
    /// A digit was delivered through the digits callback.
    Digit {
        /// The digit.
        digit: char,
        /// Samples given to the receiver by the end of the block in which it came.
        at: u64,
    },
    /// The realtime callback: a digit started (`Some`) or ended (`None`).
    Realtime {
        /// The digit that started, or `None` for the end of one.
        digit: Option<char>,
        /// The level spandsp reported with it (its `level` argument, as it gives it).
        level: i32,
        /// spandsp's `delay` argument.
        delay: i32,
        /// As for [`DtmfReport::Digit`].
        at: u64,
    },
}

impl DtmfReport {
    /// When it came (see [`DtmfReport::Digit`]).
    pub fn at(&self) -> u64 {
        match *self {
            DtmfReport::Digit { at, .. } | DtmfReport::Realtime { at, .. } => at,
        }
    }
}

struct DtmfRxShared {
    now: u64,
    reports: Vec<DtmfReport>,
    digits: String,
}

unsafe extern "C" fn dtmf_digits_cb(user_data: *mut c_void, digits: *const c_char, len: c_int) {
    // SAFETY: user_data is the DtmfRxShared owned by the DtmfRx that registered it; only spandsp
    // calls made from &mut DtmfRx reach here, and those hold no reference into it.
    let sh = unsafe { &mut *(user_data as *mut DtmfRxShared) };
    if digits.is_null() || len <= 0 {
        return;
    }
    // SAFETY: spandsp passes len bytes valid for the call.
    let bytes = unsafe { core::slice::from_raw_parts(digits as *const u8, len as usize) };
    for &b in bytes {
        let digit = b as char;
        sh.digits.push(digit);
        sh.reports.push(DtmfReport::Digit { digit, at: sh.now });
    }
}

unsafe extern "C" fn dtmf_realtime_cb(user_data: *mut c_void, code: c_int, level: c_int, delay: c_int) {
    // SAFETY: as for dtmf_digits_cb.
    let sh = unsafe { &mut *(user_data as *mut DtmfRxShared) };
    let digit = (code > 0).then_some((code as u8) as char);
    if let Some(d) = digit {
        sh.digits.push(d);
    }
    sh.reports.push(DtmfReport::Realtime { digit, level, delay, at: sh.now });
}

/// How a [`DtmfRx`] collects its digits.
///
/// Quirk (spandsp 0.0.6): once a realtime callback is set, the digits callback given to
/// `dtmf_rx_init` is no longer called, so the two cannot be had together.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DtmfCollect {
    /// Through the digits callback given to `dtmf_rx_init` ([`DtmfReport::Digit`]).
    Callback,
    /// Through the realtime callback (`dtmf_rx_set_realtime_callback`), which reports the start
    /// and the end of each digit ([`DtmfReport::Realtime`]); each start is also added to
    /// [`DtmfRx::digits`].
    Realtime,
    /// No callback: digits wait in spandsp's buffer until [`DtmfRx::get`] (`dtmf_rx_get`).
    Polled,
}

/// spandsp's DTMF receiver (`dtmf_rx_state_t`).
pub struct DtmfRx {
    raw: NonNull<dtmf_rx_state_t>,
    shared: NonNull<DtmfRxShared>,
    mode: DtmfCollect,
}

impl Default for DtmfRx {
    fn default() -> Self {
        Self::new()
    }
}

impl DtmfRx {
    /// A receiver with spandsp's default limits, collecting digits through its digits callback.
    pub fn new() -> Self {
        Self::with_collect(DtmfCollect::Callback)
    }

    /// A receiver with spandsp's default limits, collecting digits as `mode` says.
    pub fn with_collect(mode: DtmfCollect) -> Self {
        let shared =
            NonNull::from(Box::leak(Box::new(DtmfRxShared { now: 0, reports: Vec::new(), digits: String::new() })));
        let ud = shared.as_ptr() as *mut c_void;
        let cb: digits_rx_callback_t = match mode {
            DtmfCollect::Callback => Some(dtmf_digits_cb),
            DtmfCollect::Realtime | DtmfCollect::Polled => None,
        };
        // SAFETY: a null state asks spandsp to allocate one; user_data stays valid until Drop,
        // which frees the state first.
        let raw = unsafe { dtmf_rx_init(core::ptr::null_mut(), cb, ud) };
        let Some(raw) = NonNull::new(raw) else {
            // SAFETY: spandsp kept no pointer to it, since it made no state.
            drop(unsafe { Box::from_raw(shared.as_ptr()) });
            panic!("dtmf_rx_init failed");
        };
        if mode == DtmfCollect::Realtime {
            // SAFETY: raw is live; user_data as above.
            unsafe { dtmf_rx_set_realtime_callback(raw.as_ptr(), Some(dtmf_realtime_cb), ud) };
        }
        DtmfRx { raw, shared, mode }
    }

    fn sh(&self) -> &DtmfRxShared {
        // SAFETY: owned by self; spandsp only touches it inside calls taking &mut self.
        unsafe { self.shared.as_ref() }
    }

    /// Sets the receiver's limits (`dtmf_rx_parms`): dial tone filter, acceptable twist and
    /// reverse twist in dB, and the minimum level in dBm0. `None` leaves a value as it is.
    pub fn set_parms(
        &mut self,
        filter_dialtone: Option<bool>,
        twist_db: Option<i32>,
        reverse_twist_db: Option<i32>,
        threshold_dbm0: Option<i32>,
    ) {
        // SAFETY: raw is live.
        unsafe {
            dtmf_rx_parms(
                self.raw.as_ptr(),
                filter_dialtone.map_or(-1, c_int::from),
                twist_db.unwrap_or(-1),
                reverse_twist_db.unwrap_or(-1),
                threshold_dbm0.unwrap_or(-99),
            )
        }
    }

    /// Listens to `input` (`dtmf_rx`); returns the samples spandsp left unprocessed.
    pub fn process(&mut self, input: &[i16]) -> usize {
        let len = c_int::try_from(input.len()).expect("block too long");
        // SAFETY: owned by self, no reference into it is live.
        unsafe { self.shared.as_mut() }.now += input.len() as u64;
        // SAFETY: raw is live and input holds len samples.
        let n = unsafe { dtmf_rx(self.raw.as_ptr(), input.as_ptr(), len) };
        n.max(0) as usize
    }

    /// Listens to `input` in blocks of `block` samples.
    pub fn process_blocks(&mut self, input: &[i16], block: usize) {
        for b in input.chunks(block.max(1)) {
            self.process(b);
        }
    }

    /// `dtmf_rx_status`: `Some('x')` for spandsp's "maybe", the digit being detected, or `None`.
    pub fn status(&mut self) -> Option<char> {
        // SAFETY: raw is live.
        let s = unsafe { dtmf_rx_status(self.raw.as_ptr()) };
        (s > 0).then_some((s as u8) as char)
    }

    /// The digits delivered through the callbacks so far ([`DtmfCollect::Callback`] and
    /// [`DtmfCollect::Realtime`]).
    pub fn digits(&self) -> &str {
        &self.sh().digits
    }

    /// Every report of the callbacks, in order.
    pub fn reports(&self) -> &[DtmfReport] {
        &self.sh().reports
    }

    /// Takes the digits waiting in spandsp's buffer (`dtmf_rx_get`; [`DtmfCollect::Polled`]).
    pub fn get(&mut self) -> String {
        let mut buf = [0 as c_char; MAX_DTMF_DIGITS + 1];
        // SAFETY: raw is live; buf holds MAX_DTMF_DIGITS + 1 bytes, of which spandsp may write
        // MAX_DTMF_DIGITS and a terminating NUL.
        let n = unsafe { dtmf_rx_get(self.raw.as_ptr(), buf.as_mut_ptr(), MAX_DTMF_DIGITS as c_int) };
        buf[..n.min(MAX_DTMF_DIGITS)].iter().map(|&b| (b as u8) as char).collect()
    }

    /// How the receiver collects digits.
    pub fn collect(&self) -> DtmfCollect {
        self.mode
    }

    /// Samples given so far.
    pub fn samples(&self) -> u64 {
        self.sh().now
    }

    /// The spandsp state, for calling functions this crate does not wrap.
    pub fn as_ptr(&self) -> *mut dtmf_rx_state_t {
        self.raw.as_ptr()
    }
}

impl Drop for DtmfRx {
    fn drop(&mut self) {
        // SAFETY: the state is freed before what its callbacks point at.
        unsafe {
            dtmf_rx_free(self.raw.as_ptr());
            drop(Box::from_raw(self.shared.as_ptr()));
        }
    }
}

impl core::fmt::Debug for DtmfRx {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("DtmfRx").field("mode", &self.mode).field("digits", &self.digits()).finish()
    }
}

// ---------------------------------------------------------------------------------------------
// Modem connect tones

/// The tones of `modem_connect_tones.h` (`MODEM_CONNECT_TONES_*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConnectTone {
    /// `MODEM_CONNECT_TONES_NONE`: no tone (a receiver reports it when a tone stops).
    None,
    /// `MODEM_CONNECT_TONES_FAX_CNG`: the fax calling tone, 1100 Hz.
    FaxCng,
    /// `MODEM_CONNECT_TONES_ANS`: V.25 ANS, 2100 Hz (also the fax CED tone).
    Ans,
    /// `MODEM_CONNECT_TONES_ANS_PR`: ANS with phase reversals every 450 ms.
    AnsPr,
    /// `MODEM_CONNECT_TONES_ANSAM`: V.8 ANSam.
    AnsAm,
    /// `MODEM_CONNECT_TONES_ANSAM_PR`: ANSam with phase reversals.
    AnsAmPr,
    /// `MODEM_CONNECT_TONES_FAX_PREAMBLE`: V.21 HDLC flags.
    FaxPreamble,
    /// `MODEM_CONNECT_TONES_FAX_CED_OR_PREAMBLE`: listen for CED or the preamble (receive only).
    FaxCedOrPreamble,
    /// `MODEM_CONNECT_TONES_BELL_ANS`: the Bell answer tone, 2225 Hz.
    BellAns,
    /// `MODEM_CONNECT_TONES_CALLING_TONE`: the V.25 calling tone, 1300 Hz bursts.
    CallingTone,
    /// A code the header does not list.
    Other(i32),
}

impl ConnectTone {
    /// The tone for a raw `MODEM_CONNECT_TONES_*` code.
    pub fn from_raw(code: i32) -> Self {
        match code {
            MODEM_CONNECT_TONES_NONE => ConnectTone::None,
            MODEM_CONNECT_TONES_FAX_CNG => ConnectTone::FaxCng,
            MODEM_CONNECT_TONES_ANS => ConnectTone::Ans,
            MODEM_CONNECT_TONES_ANS_PR => ConnectTone::AnsPr,
            MODEM_CONNECT_TONES_ANSAM => ConnectTone::AnsAm,
            MODEM_CONNECT_TONES_ANSAM_PR => ConnectTone::AnsAmPr,
            MODEM_CONNECT_TONES_FAX_PREAMBLE => ConnectTone::FaxPreamble,
            MODEM_CONNECT_TONES_FAX_CED_OR_PREAMBLE => ConnectTone::FaxCedOrPreamble,
            MODEM_CONNECT_TONES_BELL_ANS => ConnectTone::BellAns,
            MODEM_CONNECT_TONES_CALLING_TONE => ConnectTone::CallingTone,
            c => ConnectTone::Other(c),
        }
    }

    /// The raw `MODEM_CONNECT_TONES_*` code.
    pub fn raw(self) -> i32 {
        match self {
            ConnectTone::None => MODEM_CONNECT_TONES_NONE,
            ConnectTone::FaxCng => MODEM_CONNECT_TONES_FAX_CNG,
            ConnectTone::Ans => MODEM_CONNECT_TONES_ANS,
            ConnectTone::AnsPr => MODEM_CONNECT_TONES_ANS_PR,
            ConnectTone::AnsAm => MODEM_CONNECT_TONES_ANSAM,
            ConnectTone::AnsAmPr => MODEM_CONNECT_TONES_ANSAM_PR,
            ConnectTone::FaxPreamble => MODEM_CONNECT_TONES_FAX_PREAMBLE,
            ConnectTone::FaxCedOrPreamble => MODEM_CONNECT_TONES_FAX_CED_OR_PREAMBLE,
            ConnectTone::BellAns => MODEM_CONNECT_TONES_BELL_ANS,
            ConnectTone::CallingTone => MODEM_CONNECT_TONES_CALLING_TONE,
            ConnectTone::Other(c) => c,
        }
    }

    /// spandsp's name for it (`modem_connect_tone_to_str`).
    pub fn name(self) -> String {
        // SAFETY: spandsp returns a static NUL-terminated string (or null).
        let p = unsafe { modem_connect_tone_to_str(self.raw()) };
        if p.is_null() {
            return String::new();
        }
        // SAFETY: as above.
        unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned()
    }
}

/// spandsp's modem connect tones generator (`modem_connect_tones_tx_state_t`).
///
/// spandsp offers no level setting. Measured: ANS, ANSam (its mean), the Bell tone and the
/// calling tone at -11 dBm0, ANS/ and ANSam/ at -12 dBm0, ANSam's envelope swinging 0.8 to 1.2
/// of its mean. The answer tones begin after 200 ms of silence and stop by themselves (ANS and
/// Bell after 2.6 s, ANS/ after 3.3 s, ANSam and ANSam/ after 5 s); the calling tone and CNG go
/// on.
pub struct ConnectToneTx {
    raw: NonNull<modem_connect_tones_tx_state_t>,
    tone: ConnectTone,
}

impl ConnectToneTx {
    /// A generator of `tone` (one of the kinds spandsp can send: FAX_CNG, ANS, ANS_PR, ANSAM,
    /// ANSAM_PR, BELL_ANS, CALLING_TONE).
    pub fn new(tone: ConnectTone) -> Self {
        // SAFETY: a null state asks spandsp to allocate one.
        let raw = unsafe { modem_connect_tones_tx_init(core::ptr::null_mut(), tone.raw()) };
        let raw = NonNull::new(raw).unwrap_or_else(|| panic!("modem_connect_tones_tx_init({tone:?}) failed"));
        ConnectToneTx { raw, tone }
    }

    /// The tone.
    pub fn tone(&self) -> ConnectTone {
        self.tone
    }

    /// Fills `out` with the tone (`modem_connect_tones_tx`); returns how many samples spandsp
    /// made. The rest of `out`, if any, is set to silence.
    pub fn process(&mut self, out: &mut [i16]) -> usize {
        let len = c_int::try_from(out.len()).expect("block too long");
        // SAFETY: raw is live and out holds len samples.
        let n = unsafe { modem_connect_tones_tx(self.raw.as_ptr(), out.as_mut_ptr(), len) };
        let n = (n.max(0) as usize).min(out.len());
        out[n..].fill(0);
        n
    }

    /// `len` samples of the tone (silence where spandsp made none).
    pub fn render(&mut self, len: usize) -> Vec<i16> {
        let mut out = vec![0i16; len];
        for b in out.chunks_mut(160) {
            self.process(b);
        }
        out
    }

    /// The spandsp state, for calling functions this crate does not wrap.
    pub fn as_ptr(&self) -> *mut modem_connect_tones_tx_state_t {
        self.raw.as_ptr()
    }
}

impl Drop for ConnectToneTx {
    fn drop(&mut self) {
        // SAFETY: raw is live and not used after this.
        unsafe { modem_connect_tones_tx_free(self.raw.as_ptr()) };
    }
}

impl core::fmt::Debug for ConnectToneTx {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ConnectToneTx").field("tone", &self.tone).finish()
    }
}

/// One report of spandsp's connect tone receiver (its `tone_report_func_t` callback).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnectToneReport {
    /// The tone reported ([`ConnectTone::None`] when a tone has stopped).
    pub tone: ConnectTone,
    /// spandsp's `level` argument, as it gives it.
    pub level: i32,
    /// spandsp's `delay` argument, as it gives it.
    pub delay: i32,
    /// Samples given to the receiver by the end of the block in which it came.
    pub at: u64,
}

struct ConnectRxShared {
    now: u64,
    reports: Vec<ConnectToneReport>,
}

unsafe extern "C" fn connect_tone_cb(user_data: *mut c_void, code: c_int, level: c_int, delay: c_int) {
    // SAFETY: user_data is the ConnectRxShared owned by the ConnectToneRx that registered it; only
    // spandsp calls made from &mut ConnectToneRx reach here, and those hold no reference into it.
    let sh = unsafe { &mut *(user_data as *mut ConnectRxShared) };
    sh.reports.push(ConnectToneReport { tone: ConnectTone::from_raw(code), level, delay, at: sh.now });
}

/// spandsp's modem connect tones detector (`modem_connect_tones_rx_state_t`), listening for one
/// kind of tone and recording what its callback reports.
///
/// The kind it listens for picks a family rather than a kind: set to any of the 2100 Hz tones (or
/// `FAX_CED_OR_PREAMBLE`) it reports whichever of them it hears, then [`ConnectTone::None`] when
/// the tone ends (see the module notes for its timing and tolerances).
pub struct ConnectToneRx {
    raw: NonNull<modem_connect_tones_rx_state_t>,
    shared: NonNull<ConnectRxShared>,
    listen: ConnectTone,
}

impl ConnectToneRx {
    /// A detector listening for `tone`.
    pub fn new(tone: ConnectTone) -> Self {
        let shared = NonNull::from(Box::leak(Box::new(ConnectRxShared { now: 0, reports: Vec::new() })));
        let ud = shared.as_ptr() as *mut c_void;
        // SAFETY: a null state asks spandsp to allocate one; user_data stays valid until Drop,
        // which frees the state first.
        let raw = unsafe { modem_connect_tones_rx_init(core::ptr::null_mut(), tone.raw(), Some(connect_tone_cb), ud) };
        let Some(raw) = NonNull::new(raw) else {
            // SAFETY: spandsp kept no pointer to it, since it made no state.
            drop(unsafe { Box::from_raw(shared.as_ptr()) });
            panic!("modem_connect_tones_rx_init({tone:?}) failed");
        };
        ConnectToneRx { raw, shared, listen: tone }
    }

    /// The tone listened for.
    pub fn listening_for(&self) -> ConnectTone {
        self.listen
    }

    /// Listens to `input` (`modem_connect_tones_rx`); returns the samples spandsp left
    /// unprocessed.
    pub fn process(&mut self, input: &[i16]) -> usize {
        let len = c_int::try_from(input.len()).expect("block too long");
        // SAFETY: owned by self, no reference into it is live.
        unsafe { self.shared.as_mut() }.now += input.len() as u64;
        // SAFETY: raw is live and input holds len samples.
        let n = unsafe { modem_connect_tones_rx(self.raw.as_ptr(), input.as_ptr(), len) };
        n.max(0) as usize
    }

    /// Listens to `input` in blocks of `block` samples.
    pub fn process_blocks(&mut self, input: &[i16], block: usize) {
        for b in input.chunks(block.max(1)) {
            self.process(b);
        }
    }

    /// The tone detected now (`modem_connect_tones_rx_get`).
    pub fn get(&mut self) -> ConnectTone {
        // SAFETY: raw is live.
        ConnectTone::from_raw(unsafe { modem_connect_tones_rx_get(self.raw.as_ptr()) })
    }

    /// Every report of the callback so far, in order.
    pub fn reports(&self) -> &[ConnectToneReport] {
        // SAFETY: owned by self; spandsp only touches it inside calls taking &mut self.
        &unsafe { self.shared.as_ref() }.reports
    }

    /// Samples given so far.
    pub fn samples(&self) -> u64 {
        // SAFETY: as in reports.
        unsafe { self.shared.as_ref() }.now
    }

    /// The spandsp state, for calling functions this crate does not wrap.
    pub fn as_ptr(&self) -> *mut modem_connect_tones_rx_state_t {
        self.raw.as_ptr()
    }
}

impl Drop for ConnectToneRx {
    fn drop(&mut self) {
        // SAFETY: the state is freed before what its callback points at.
        unsafe {
            modem_connect_tones_rx_free(self.raw.as_ptr());
            drop(Box::from_raw(self.shared.as_ptr()));
        }
    }
}

impl core::fmt::Debug for ConnectToneRx {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ConnectToneRx").field("listen", &self.listen).field("reports", &self.reports()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: &str = "0123456789*#ABCD";

    fn spandsp_dtmf(digits: &str) -> Vec<i16> {
        let mut tx = DtmfTx::new();
        tx.put(digits).unwrap();
        let mut x = tx.render(800);
        x.extend(std::iter::repeat_n(0, 800));
        x
    }

    #[test]
    fn dtmf_loopback_in_each_collect_mode() {
        let x = spandsp_dtmf(ALL);
        let mut rx = DtmfRx::new();
        rx.process_blocks(&x, 160);
        assert_eq!(rx.digits(), ALL);
        assert!(rx.reports().iter().all(|r| matches!(r, DtmfReport::Digit { .. })));
        let mut rx = DtmfRx::with_collect(DtmfCollect::Realtime);
        rx.process_blocks(&x, 160);
        assert_eq!(rx.digits(), ALL);
        // A start and an end for each digit, in turn.
        let r = rx.reports();
        assert_eq!(r.len(), 2 * ALL.len(), "{r:?}");
        for (pair, d) in r.chunks(2).zip(ALL.chars()) {
            assert!(matches!(pair[0], DtmfReport::Realtime { digit: Some(c), .. } if c == d), "{pair:?}");
            assert!(matches!(pair[1], DtmfReport::Realtime { digit: None, .. }), "{pair:?}");
            assert!(pair[0].at() < pair[1].at());
        }
        let mut rx = DtmfRx::with_collect(DtmfCollect::Polled);
        rx.process_blocks(&x, 160);
        assert_eq!(rx.digits(), "");
        assert_eq!(rx.get(), ALL);
        assert_eq!(rx.get(), "");
    }

    /// The quirk in [`DtmfCollect`]: documents that the realtime callback silences the digits
    /// callback. If this fails, spandsp has changed and the note can go.
    #[test]
    fn realtime_callback_silences_the_digits_callback() {
        let x = spandsp_dtmf("147");
        let mut rx = DtmfRx::new();
        // SAFETY: the state is live; user_data is the receiver's own shared state, which outlives
        // the state (Drop frees the state first).
        unsafe {
            dtmf_rx_set_realtime_callback(rx.as_ptr(), Some(dtmf_realtime_cb), rx.shared.as_ptr() as *mut c_void)
        };
        rx.process_blocks(&x, 160);
        assert!(rx.reports().iter().all(|r| matches!(r, DtmfReport::Realtime { .. })), "{:?}", rx.reports());
        assert_eq!(rx.digits(), "147", "only the realtime callback's starts");
    }

    /// The quirk in [`DtmfTx::put`].
    #[test]
    fn put_is_all_or_nothing_and_returns_what_did_not_fit() {
        let mut tx = DtmfTx::new();
        let hundred: String = std::iter::repeat_n('5', 100).collect();
        assert_eq!(tx.put(&hundred), Ok(()));
        assert_eq!(tx.put(&hundred), Err(72));
        assert_eq!(tx.put(&"9".repeat(28)), Ok(()));
        assert_eq!(tx.put("9"), Err(1));
        // 128 digits of 50 ms on, 55 ms off.
        assert_eq!(tx.render(0).len(), 128 * 840);
    }

    #[test]
    fn dtmf_rx_parms_threshold_is_applied() {
        let mut tx = DtmfTx::new();
        tx.set_level(-30, 0);
        tx.put("123").unwrap();
        let x = tx.render(400);
        let mut rx = DtmfRx::new();
        rx.process_blocks(&x, 80);
        assert_eq!(rx.digits(), "123");
        let mut rx = DtmfRx::new();
        rx.set_parms(None, None, None, Some(-20));
        rx.process_blocks(&x, 80);
        assert_eq!(rx.digits(), "");
    }

    #[test]
    fn connect_tones_loopback() {
        for tone in [
            ConnectTone::Ans,
            ConnectTone::AnsPr,
            ConnectTone::AnsAm,
            ConnectTone::AnsAmPr,
            ConnectTone::BellAns,
            ConnectTone::CallingTone,
            ConnectTone::FaxCng,
        ] {
            let x = ConnectToneTx::new(tone).render(8000 * 6);
            let mut rx = ConnectToneRx::new(tone);
            assert_eq!(rx.listening_for(), tone);
            rx.process_blocks(&x, 160);
            let r = rx.reports();
            assert!(r.len() >= 2, "{tone:?}: {r:?}");
            for pair in r.chunks(2) {
                assert_eq!(pair[0].tone, tone, "{r:?}");
                if pair.len() == 2 {
                    assert_eq!(pair[1].tone, ConnectTone::None, "{r:?}");
                }
            }
            assert_eq!(rx.get(), ConnectTone::None, "{tone:?}: it has ended");
            assert!(!tone.name().is_empty());
        }
        assert_eq!(ConnectTone::AnsAmPr.name(), "ANSam/");
        for code in 0..=10 {
            assert_eq!(ConnectTone::from_raw(code).raw(), code);
        }
    }
}
