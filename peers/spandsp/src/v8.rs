//! spandsp's V.8 negotiation (`v8.h`): [`V8`], one end of a V.8 exchange, calling or answering.
//!
//! The declarations below are written by hand from the public header `/usr/include/spandsp/v8.h`
//! (spandsp 0.0.6) and the tone codes of `modem_connect_tones.h`; the state structure is opaque.
//! spandsp's V.8 sends and detects the answer tone itself, sends and receives CI/CM/JM/CJ on V.21,
//! and reports the outcome through a result handler, which [`V8`] records ([`V8::results`]).
//!
//! What spandsp 0.0.6 was seen to do as a black box (the line-level measurements are in the main
//! crate's `tests/spandsp_v8.rs` and `docs/notes/v8.md`):
//! - the answerer reports [`V8Status::V8Offered`] when it has recognised CM (two identical
//!   sequences), then [`V8Status::V8Call`] on CJ; the caller reports [`V8Status::V8Call`] on JM. The
//!   result's `modulations` are the joint menu's modes; choosing one is left to the application;
//! - the answerer builds its JM from the `V8Offered` result *after* its handler returns, and that
//!   result is the CM as received: left alone, **JM echoes CM** whatever the answerer offered.
//!   [`V8::restrict_offered`] makes the handler AND it with a mask, which gives a proper joint menu;
//!   [`V8::new`] does that with the answerer's own offer;
//! - the caller sends nothing before it recognises the answer tone, and no CI even with `send_ci`;
//!   1 s after recognising ANSam it sends two sequences with the synchronisation octet 0x55 and one
//!   octet 0x00 (its answerer logs them as "V92"), then CM. It has no bit for V.34 half-duplex in
//!   what it sends (it parses one), and never sends NSF;
//! - its receiver takes CJ (three zero octets) that follows 8 to 10 ones of a preamble for a CI
//!   synchronisation octet, and misses it.
#![allow(non_camel_case_types)]

use core::ffi::{c_char, c_int, c_uint, c_void, CStr};
use core::ptr::NonNull;
use std::cell::{Cell, RefCell};
use std::ffi::CString;

use crate::ffi::{logging_state_t, span_log_set_level, span_log_set_message_handler, span_log_set_tag};

/// Opaque `v8_state_t`.
#[repr(C)]
pub struct v8_state_t {
    _private: [u8; 0],
}

/// `v8_parms_t`: what a V.8 end offers (given to `v8_init`) or what was negotiated (handed to the
/// result handler).
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct v8_parms_t {
    /// One of `V8_STATUS_*` (results only).
    pub status: c_int,
    /// The answer tone to send or that was heard, one of `MODEM_CONNECT_TONES_*`.
    pub modem_connect_tone: c_int,
    /// Send CI before CM (calling side).
    pub send_ci: c_int,
    /// V.92 octet (-1: none).
    pub v92: c_int,
    /// One of `V8_CALL_*`.
    pub call_function: c_int,
    /// An OR of `V8_MOD_*`.
    pub modulations: c_uint,
    /// One of `V8_PROTOCOL_*`.
    pub protocol: c_int,
    /// An OR of `V8_PSTN_ACCESS_*`.
    pub pstn_access: c_int,
    /// An OR of `V8_PSTN_PCM_MODEM_*`.
    pub pcm_modem_availability: c_int,
    /// Non-standard facilities (-1: none).
    pub nsf: c_int,
    /// T.66 (-1: none).
    pub t66: c_int,
}

/// `v8_result_handler_t`.
pub type v8_result_handler_t = Option<unsafe extern "C" fn(user_data: *mut c_void, result: *mut v8_parms_t)>;

/// `V8_CALL_V_SERIES`: the V-series data call function.
pub const V8_CALL_V_SERIES: c_int = 6;
/// `V8_CALL_T30_TX`: facsimile, the caller sends.
pub const V8_CALL_T30_TX: c_int = 4;

/// `V8_MOD_V17`.
pub const V8_MOD_V17: c_uint = 1 << 0;
/// `V8_MOD_V21`.
pub const V8_MOD_V21: c_uint = 1 << 1;
/// `V8_MOD_V22` (V.22/V.22bis).
pub const V8_MOD_V22: c_uint = 1 << 2;
/// `V8_MOD_V23HDX`.
pub const V8_MOD_V23HDX: c_uint = 1 << 3;
/// `V8_MOD_V23` (duplex).
pub const V8_MOD_V23: c_uint = 1 << 4;
/// `V8_MOD_V26BIS`.
pub const V8_MOD_V26BIS: c_uint = 1 << 5;
/// `V8_MOD_V26TER`.
pub const V8_MOD_V26TER: c_uint = 1 << 6;
/// `V8_MOD_V27TER`.
pub const V8_MOD_V27TER: c_uint = 1 << 7;
/// `V8_MOD_V29`.
pub const V8_MOD_V29: c_uint = 1 << 8;
/// `V8_MOD_V32` (V.32/V.32bis).
pub const V8_MOD_V32: c_uint = 1 << 9;
/// `V8_MOD_V34HDX`.
pub const V8_MOD_V34HDX: c_uint = 1 << 10;
/// `V8_MOD_V34` (duplex).
pub const V8_MOD_V34: c_uint = 1 << 11;
/// `V8_MOD_V90`.
pub const V8_MOD_V90: c_uint = 1 << 12;
/// `V8_MOD_V92`.
pub const V8_MOD_V92: c_uint = 1 << 13;

/// `V8_PROTOCOL_NONE`.
pub const V8_PROTOCOL_NONE: c_int = 0;
/// `V8_PROTOCOL_LAPM_V42`.
pub const V8_PROTOCOL_LAPM_V42: c_int = 1;

/// `V8_PSTN_ACCESS_CALL_DCE_CELLULAR`.
pub const V8_PSTN_ACCESS_CALL_DCE_CELLULAR: c_int = 0x01;
/// `V8_PSTN_ACCESS_ANSWER_DCE_CELLULAR`.
pub const V8_PSTN_ACCESS_ANSWER_DCE_CELLULAR: c_int = 0x02;
/// `V8_PSTN_ACCESS_DCE_ON_DIGITAL`.
pub const V8_PSTN_ACCESS_DCE_ON_DIGITAL: c_int = 0x04;

/// `MODEM_CONNECT_TONES_ANS`.
pub const MODEM_CONNECT_TONES_ANS: c_int = 2;
/// `MODEM_CONNECT_TONES_ANS_PR`.
pub const MODEM_CONNECT_TONES_ANS_PR: c_int = 3;
/// `MODEM_CONNECT_TONES_ANSAM`.
pub const MODEM_CONNECT_TONES_ANSAM: c_int = 4;
/// `MODEM_CONNECT_TONES_ANSAM_PR`.
pub const MODEM_CONNECT_TONES_ANSAM_PR: c_int = 5;

// Linked by build.rs (`-l spandsp`).
extern "C" {
    /// `v8_state_t *v8_init(s, calling_party, parms, result_handler, user_data)`.
    pub fn v8_init(
        s: *mut v8_state_t,
        calling_party: c_int,
        parms: *mut v8_parms_t,
        result_handler: v8_result_handler_t,
        user_data: *mut c_void,
    ) -> *mut v8_state_t;
    /// `int v8_restart(v8_state_t *s, int calling_party, v8_parms_t *parms)`.
    pub fn v8_restart(s: *mut v8_state_t, calling_party: c_int, parms: *mut v8_parms_t) -> c_int;
    /// `int v8_free(v8_state_t *s)`.
    pub fn v8_free(s: *mut v8_state_t) -> c_int;
    /// `logging_state_t *v8_get_logging_state(v8_state_t *s)`.
    pub fn v8_get_logging_state(s: *mut v8_state_t) -> *mut logging_state_t;
    /// `int v8_tx(v8_state_t *s, int16_t *amp, int max_len)`: returns the samples generated.
    pub fn v8_tx(s: *mut v8_state_t, amp: *mut i16, max_len: c_int) -> c_int;
    /// `int v8_rx(v8_state_t *s, const int16_t *amp, int len)`.
    pub fn v8_rx(s: *mut v8_state_t, amp: *const i16, len: c_int) -> c_int;
    /// `const char *v8_modulation_to_str(int modulation_scheme)`.
    pub fn v8_modulation_to_str(modulation_scheme: c_int) -> *const c_char;
    /// `const char *v8_call_function_to_str(int call_function)`.
    pub fn v8_call_function_to_str(call_function: c_int) -> *const c_char;
}

/// `V8_STATUS_*`: the status of a V.8 result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum V8Status {
    /// `V8_STATUS_IN_PROGRESS`.
    InProgress,
    /// `V8_STATUS_V8_OFFERED`: the caller has offered V.8 (a CM was received).
    V8Offered,
    /// `V8_STATUS_V8_CALL`: the V.8 exchange completed.
    V8Call,
    /// `V8_STATUS_NON_V8_CALL`: the far end is not doing V.8.
    NonV8Call,
    /// `V8_STATUS_FAILED`.
    Failed,
    /// A code the header does not list.
    Other(i32),
}

impl V8Status {
    fn from_raw(v: c_int) -> Self {
        match v {
            0 => V8Status::InProgress,
            1 => V8Status::V8Offered,
            2 => V8Status::V8Call,
            3 => V8Status::NonV8Call,
            4 => V8Status::Failed,
            v => V8Status::Other(v),
        }
    }
}

/// One result reported by spandsp, with the time it came.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct V8Result {
    /// The status.
    pub status: V8Status,
    /// The parameters as spandsp reported them.
    pub parms: v8_parms_t,
    /// Samples handed to [`V8::rx`] before the call that reported it (or to [`V8::tx`], if reported
    /// during a transmit call).
    pub at: u64,
}

/// What spandsp offers, in the header's terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct V8Offer {
    /// `V8_CALL_*`.
    pub call_function: i32,
    /// An OR of `V8_MOD_*`.
    pub modulations: u32,
    /// `V8_PROTOCOL_*`.
    pub protocol: i32,
    /// An OR of `V8_PSTN_ACCESS_*`.
    pub pstn_access: i32,
    /// `MODEM_CONNECT_TONES_*`: the answer tone an answerer sends.
    pub modem_connect_tone: i32,
    /// Whether a caller sends CI first (spandsp 0.0.6 was not seen to send CI either way).
    pub send_ci: bool,
    /// An OR of `V8_PSTN_PCM_MODEM_*` (0: no octet).
    pub pcm_modem_availability: i32,
    /// The non-standard facilities value (-1: none).
    pub nsf: i32,
    /// The T.66 value (-1: none).
    pub t66: i32,
    /// The `v92` field of `v8_parms_t` (-1: none).
    pub v92: i32,
}

impl V8Offer {
    /// A V-series data call offering `modulations`, no protocol, no PSTN access octet, ANSam with
    /// phase reversals, no CI.
    pub fn data(modulations: u32) -> Self {
        V8Offer {
            call_function: V8_CALL_V_SERIES,
            modulations,
            protocol: V8_PROTOCOL_NONE,
            pstn_access: 0,
            modem_connect_tone: MODEM_CONNECT_TONES_ANSAM_PR,
            send_ci: false,
            pcm_modem_availability: 0,
            nsf: -1,
            t66: -1,
            v92: -1,
        }
    }

    fn raw(&self) -> v8_parms_t {
        v8_parms_t {
            status: 0,
            modem_connect_tone: self.modem_connect_tone,
            send_ci: self.send_ci as c_int,
            v92: self.v92,
            call_function: self.call_function,
            modulations: self.modulations,
            protocol: self.protocol,
            pstn_access: self.pstn_access,
            pcm_modem_availability: self.pcm_modem_availability,
            nsf: self.nsf,
            t66: self.t66,
        }
    }
}

/// One line of spandsp's V.8 log, captured by [`V8::capture_log`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct V8LogLine {
    /// Samples the logging end had handled when the line was logged (as [`V8Result::at`]).
    pub at: u64,
    /// The line as spandsp formatted it, without the line end.
    pub text: String,
}

thread_local! {
    static LOG_CLOCK: Cell<u64> = const { Cell::new(0) };
    static LOG_LINES: RefCell<Vec<V8LogLine>> = const { RefCell::new(Vec::new()) };
}

unsafe extern "C" fn log_handler(_level: c_int, text: *const c_char) {
    if text.is_null() {
        return;
    }
    // SAFETY: spandsp passes a NUL-terminated string valid for the call.
    let text = unsafe { CStr::from_ptr(text) }.to_string_lossy().trim_end().to_owned();
    let at = LOG_CLOCK.with(Cell::get);
    LOG_LINES.with(|l| l.borrow_mut().push(V8LogLine { at, text }));
}

/// Takes the V.8 log lines captured so far on this thread (by every [`V8`] with
/// [`V8::capture_log`] on), in order.
pub fn take_v8_log() -> Vec<V8LogLine> {
    LOG_LINES.with(|l| core::mem::take(&mut *l.borrow_mut()))
}

/// Which end of the V.8 exchange.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum V8Role {
    /// The calling end: listens for ANSam, sends CM, and CJ after JM.
    Calling,
    /// The answering end: sends ANSam, answers CM with JM.
    Answering,
}

struct Shared {
    results: Vec<V8Result>,
    offered_mask: Option<u32>,
    tx_samples: u64,
    rx_samples: u64,
    in_tx: bool,
}

unsafe extern "C" fn result_handler(user_data: *mut c_void, result: *mut v8_parms_t) {
    // SAFETY: user_data is the Shared owned by the V8 that registered it; only spandsp calls made
    // from &mut V8 reach here, and those hold no reference into it.
    let sh = unsafe { &mut *(user_data as *mut Shared) };
    if result.is_null() {
        return;
    }
    // SAFETY: spandsp passes a valid v8_parms_t for the call.
    let parms = unsafe { *result };
    if let (V8Status::V8Offered, Some(mask)) = (V8Status::from_raw(parms.status), sh.offered_mask) {
        // SAFETY: as above; spandsp hands the struct over for the call.
        unsafe { (*result).modulations &= mask };
    }
    let at = if sh.in_tx { sh.tx_samples } else { sh.rx_samples };
    sh.results.push(V8Result { status: V8Status::from_raw(parms.status), parms, at });
}

/// spandsp's V.8 (`v8_state_t`), one end of a negotiation. Samples are `i16` at 8000 Hz.
pub struct V8 {
    raw: NonNull<v8_state_t>,
    shared: NonNull<Shared>,
    role: V8Role,
    log_tag: Option<CString>,
}

impl V8 {
    /// An end in `role` offering `offer`. An answerer's joint menu is restricted to its offer
    /// ([`V8::restrict_offered`]); [`V8::echo_call_menu`] undoes that.
    pub fn new(role: V8Role, offer: V8Offer) -> Self {
        let shared = NonNull::from(Box::leak(Box::new(Shared {
            results: Vec::new(),
            offered_mask: None,
            tx_samples: 0,
            rx_samples: 0,
            in_tx: false,
        })));
        let mut parms = offer.raw();
        // SAFETY: a null state asks spandsp to allocate one; parms is valid for the call (spandsp
        // copies it); user_data stays valid until Drop, which frees the state first.
        let raw = unsafe {
            v8_init(
                core::ptr::null_mut(),
                (role == V8Role::Calling) as c_int,
                &mut parms,
                Some(result_handler),
                shared.as_ptr() as *mut c_void,
            )
        };
        let Some(raw) = NonNull::new(raw) else {
            // SAFETY: spandsp kept no pointer to it, since it made no state.
            drop(unsafe { Box::from_raw(shared.as_ptr()) });
            panic!("v8_init failed");
        };
        let mut v = V8 { raw, shared, role, log_tag: None };
        if role == V8Role::Answering {
            v.restrict_offered(offer.modulations);
        }
        v
    }

    fn sh(&self) -> &Shared {
        // SAFETY: owned by self; spandsp only touches it inside calls taking &mut self.
        unsafe { self.shared.as_ref() }
    }

    fn sh_mut(&mut self) -> &mut Shared {
        // SAFETY: as in sh; &mut self rules out a spandsp call while this lives.
        unsafe { self.shared.as_mut() }
    }

    /// Calling or answering.
    pub fn role(&self) -> V8Role {
        self.role
    }

    /// Fills `out` with what this end sends (`v8_tx`); returns how many samples spandsp made. The
    /// rest of `out`, if any, is set to silence.
    pub fn tx(&mut self, out: &mut [i16]) -> usize {
        let len = c_int::try_from(out.len()).expect("block too long");
        self.sh_mut().in_tx = true;
        LOG_CLOCK.with(|c| c.set(self.sh().tx_samples));
        // SAFETY: raw is live and out holds len samples.
        let n = unsafe { v8_tx(self.raw.as_ptr(), out.as_mut_ptr(), len) };
        let n = (n.max(0) as usize).min(out.len());
        out[n..].fill(0);
        let sh = self.sh_mut();
        sh.in_tx = false;
        sh.tx_samples += out.len() as u64;
        n
    }

    /// Listens to `input` (`v8_rx`); returns what spandsp returns.
    pub fn rx(&mut self, input: &[i16]) -> i32 {
        let len = c_int::try_from(input.len()).expect("block too long");
        LOG_CLOCK.with(|c| c.set(self.sh().rx_samples));
        // SAFETY: raw is live and input holds len samples.
        let n = unsafe { v8_rx(self.raw.as_ptr(), input.as_ptr(), len) };
        self.sh_mut().rx_samples += input.len() as u64;
        n
    }

    /// Makes the result handler AND the `modulations` of a [`V8Status::V8Offered`] result with
    /// `mask` before returning to spandsp: the way an application tells a spandsp answerer which of
    /// the caller's modes it accepts (spandsp 0.0.6 builds its JM from that field after the handler
    /// returns; left alone, the JM echoes the CM).
    pub fn restrict_offered(&mut self, mask: u32) {
        self.sh_mut().offered_mask = Some(mask);
    }

    /// Leaves the `V8Offered` result alone, so that spandsp's JM echoes the CM (its behaviour
    /// without help).
    pub fn echo_call_menu(&mut self) {
        self.sh_mut().offered_mask = None;
    }

    /// Every result reported so far, in order.
    pub fn results(&self) -> &[V8Result] {
        &self.sh().results
    }

    /// The last result with status [`V8Status::V8Call`], if any: the completed negotiation.
    pub fn negotiated(&self) -> Option<V8Result> {
        self.results().iter().rev().find(|r| r.status == V8Status::V8Call).copied()
    }

    /// Turns on spandsp's log for this end at `level` (a `SPAN_LOG_*` severity ORed with
    /// `SPAN_LOG_SHOW_*` flags), tagged `tag`; printed to stderr unless [`V8::capture_log`] is on.
    pub fn set_log_level(&mut self, level: i32, tag: &str) {
        let tag = CString::new(tag).expect("NUL in tag");
        // SAFETY: raw is live; the tag is kept alive in self in case spandsp keeps the pointer.
        unsafe {
            let log = v8_get_logging_state(self.raw.as_ptr());
            if !log.is_null() {
                span_log_set_tag(log, tag.as_ptr());
                span_log_set_level(log, level as c_int);
            }
        }
        self.log_tag = Some(tag);
    }

    /// Sends this end's log lines to a buffer on this thread instead of stderr; read them with
    /// [`take_v8_log`].
    pub fn capture_log(&mut self) {
        // SAFETY: raw is live; log_handler is a plain function valid for the program's life.
        unsafe {
            let log = v8_get_logging_state(self.raw.as_ptr());
            if !log.is_null() {
                span_log_set_message_handler(log, Some(log_handler));
            }
        }
    }
}

/// spandsp's name for one `V8_MOD_*` bit (`v8_modulation_to_str`).
pub fn modulation_name(bit: u32) -> String {
    // SAFETY: returns a static string (or null).
    let p = unsafe { v8_modulation_to_str(bit as c_int) };
    if p.is_null() {
        String::new()
    } else {
        // SAFETY: a static NUL-terminated string.
        unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned()
    }
}

impl Drop for V8 {
    fn drop(&mut self) {
        // SAFETY: raw was made by v8_init and is freed once; after that nothing refers to shared.
        unsafe {
            v8_free(self.raw.as_ptr());
            drop(Box::from_raw(self.shared.as_ptr()));
        }
    }
}
