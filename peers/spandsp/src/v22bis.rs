//! spandsp's V.22bis modem (`v22bis.h`): [`V22bis`], one duplex modem (transmitter and receiver in
//! one state), calling or answering, at 2400 bit/s (16-QAM) or 1200 bit/s (4-PSK, i.e. V.22).
//!
//! # What spandsp 0.0.6 does, as measured
//!
//! Measured in `tests/v22bis.rs` with two spandsp modems back to back, each hearing the other with
//! one block of delay. Times are from the moment both were created; with 160-sample blocks they are
//! known to a block (20 ms), the ones given to the millisecond come from 8-sample blocks (the
//! ignored test `timeline_at_1_ms_resolution`). The stage names in quotes are from spandsp's own
//! log ([`V22bis::set_log_level`]).
//!
//! ## Start-up, both offering 2400 bit/s
//!
//! | time (ms) | answering modem (high channel, 2400 Hz) | calling modem (low channel, 1200 Hz) |
//! |---|---|---|
//! | 0 | silent | silent, listening |
//! | 75 | starts unscrambled binary 1, "U11" (a 2250 Hz tone: carrier - 150 Hz). **No 2100 Hz answer tone, ever.** | |
//! | 85 | | reports `CARRIER_UP` |
//! | 695 | | starts S1 (unscrambled 00 11: lines at 900, 1200, 1500 Hz), 100 ms: 610 ms after hearing USB1 |
//! | 705 | reports `CARRIER_UP` | |
//! | 794 | | starts scrambled binary 1 at 1200 bit/s ("S11") |
//! | 813 | "S1 detected" (about 20 ms after the S1 ended); stops USB1, sends S1 for 100 ms; bit rate now 2400 | |
//! | 911 | scrambled binary 1 at 1200 bit/s, 500 ms | |
//! | 930 | | "S1 detected"; bit rate now 2400 |
//! | 1155 | receiver switches to 16-point decisions | |
//! | 1380 | | receiver switches to 16-point decisions |
//! | 1411 | scrambled binary 1 at 2400 bit/s ("S1111"), 200 ms | |
//! | 1451 | | receiver in data mode: `put_bit` starts (marks) |
//! | 1584 | | scrambled binary 1 at 2400 bit/s, 200 ms |
//! | 1611 | transmitter in data mode: reports `TRAINING_SUCCEEDED`, `get_bit` starts | |
//! | 1623 | receiver in data mode: `put_bit` starts | |
//! | 1784 | | transmitter in data mode: `TRAINING_SUCCEEDED`, `get_bit` starts |
//!
//! With 160-sample blocks: `CARRIER_UP` at 100 ms (calling) and 720 ms (answering),
//! `TRAINING_SUCCEEDED` at 1600 ms (answering) and 1780 ms (calling); the caller hears the first
//! 16-QAM symbol at 1440 ms. 20 dB SNR (with a raised carrier threshold, see below) changes none of
//! these by a block.
//!
//! ## Start-up when either side offers only 1200 bit/s (V.22)
//!
//! Calling at 1200 sends no S1: it goes from silence straight to scrambled binary 1 at 695 ms.
//! Answering at 1200 notes a 2400 caller's S1 ("S1 detected") but does not answer it. Either way:
//! the answerer sends USB1 until 975 ms (270 ms after it first heard the caller), then scrambled
//! binary 1; answering transmitter in data mode (`TRAINING_SUCCEEDED`) at 1729 ms, receiver at
//! 1741; calling receiver in data mode at 1275, transmitter at 2029 ms. (160-sample blocks:
//! `TRAINING_SUCCEEDED` at 1720 ms answering, 2020 ms calling.) Both report 1200 bit/s and
//! exchange data. So initialised at 1200, spandsp behaves on the line as a V.22-only modem (no S1,
//! 4-PSK only) and serves as a "V.22-only peer", calling or answering.
//!
//! ## Statuses
//!
//! Only three codes were ever seen, all through the modem status handler (none through `put_bit`):
//! `CARRIER_UP` from the receiver when energy appears, `TRAINING_SUCCEEDED` from the
//! *transmitter* when it starts sending data (not when the receiver is ready), and
//! `CARRIER_DOWN` when the energy goes. A clean call gives exactly `[CARRIER_UP,
//! TRAINING_SUCCEEDED]` on each side. No `TRAINING_IN_PROGRESS`/`FAILED`, and nothing when the
//! receiver reaches data mode. [`V22bis::current_bit_rate`] reads 1200 from the start and becomes
//! 2400 when S1 is detected (813 ms answering, 930 ms calling).
//!
//! ## Data path
//!
//! A plain synchronous bit stream at the line rate: `get_bit` is called exactly 1200 or 2400 times
//! a second from `TRAINING_SUCCEEDED` on, and whatever it returns comes out of the far end's
//! `put_bit` bit for bit (scrambled on the line), preceded by the descrambled training ones
//! (marks). Start-stop framing is not V.22bis's business: there is no V.14 inside it (the header
//! says nothing about asynchronous operation). An 8N1 stream from [`AsyncTx`] at the full line rate
//! is deframed exactly by [`AsyncRx`] on the other side, at 1200 and 2400 bit/s. Bytes written
//! before training wait in the queue until spandsp first asks for a bit.
//!
//! ## Level
//!
//! `v22bis_tx_power(p)` makes spandsp send `p + 1.55` dBm0 ([`TX_POWER_OFFSET_DB`]): asked for -13
//! it sends an RMS of 4308 in every stage, both channels, both rates (16-QAM data averages the same
//! within 0.2 dB); without a call it sends RMS 3844 (-12.4 dBm0). This wrapper compensates:
//! [`V22bis::set_tx_level`], default -13 dBm0, measured -13.0 ± 0.02 dBm0 (RMS 3595 to 3611).
//! A guard tone (answering modem only, from its first USB1 on) lowers the data signal: with 550 Hz
//! data -14.0 dBm0 and the tone -21.5 dBm0; with 1800 Hz data -15.0 dBm0 and the tone -24.5 dBm0.
//! The receiver's [`V22bis::signal_power`] reads -13 to -14 dBm0 for a -13 dBm0 signal.
//!
//! ## Quirks
//!
//! - **No answer tone.** The answerer never sends 2100 Hz: it starts USB1 75 ms after it is created
//!   (and after every restart). A calling spandsp that hears a V.25 answer tone first (tested: 3.3 s
//!   of 2100 Hz, then 80 ms of silence, then USB1) reports `CARRIER_UP` and `CARRIER_DOWN` for the
//!   tone, restarts (harmlessly: it was silent) and trains normally on the USB1 that follows.
//! - **Carrier loss restarts everything.** When its receiver loses the carrier (a 40 ms gap is
//!   enough; 20 ms is not, it only garbles a character or two), spandsp reports `CARRIER_DOWN` and
//!   restarts transmitter and receiver from the beginning, in the same block: the answerer goes
//!   silent and sends USB1 again 75 ms later, the caller goes silent. The other end then loses its
//!   carrier too and restarts, and the two retrain from scratch (about 1.9 s). A few stray
//!   characters come out around the gap.
//! - **Noise passes for a carrier.** At spandsp's default carrier threshold, white noise of
//!   -33 dBm0 (20 dB below a -13 dBm0 signal; spandsp reads about -40 to -42 dBm0 of it) counts as
//!   carrier: a lone calling modem "trains" on noise and starts sending data; in a call with noise
//!   from the start both ends report `CARRIER_UP` at once, skip the S1 exchange, settle at 1200 and
//!   the data is garbage (a stream of 0x55). At -38 dBm0 the carrier flaps up and down; at -43 dBm0
//!   it stays quiet. `v22bis_rx_signal_cutoff(-35)` ([`V22bis::set_cutoff`]) cures it; the 20 dB SNR
//!   tests use that.
//! - **A status from `get_bit` shuts the transmitter down.** If the bit source returns a negative
//!   code (e.g. `SIG_STATUS_END_OF_DATA`), `v22bis_tx` returns 0 samples (this wrapper fills the
//!   block with silence) until the far end, having lost carrier, restarts and this end restarts in
//!   turn. [`AsyncTx`] never returns one: spandsp's `async_tx` never signals the end of data, and
//!   [`AsyncTx`] idles at mark itself.
//! - **Statuses reset `async_rx`.** `async_rx_put_bit` resets its framing on a status code, so the
//!   statuses are kept from the sink's `put_bit` (see [`AsyncRx`]).
//! - **QAM reports without points.** Besides one report per symbol (equalised point, decided
//!   target, symbol 0..15), the QAM report handler is called with null pointers and a "symbol" of
//!   ±16, ±32 or ±256, undocumented; they look like symbol timing steps ([`QamPoint`]).
//! - `v22bis_constellation`, declared in the header, is not exported by the shared library.
use core::cell::{Cell, RefCell};
use core::ffi::{c_char, c_int, c_void, CStr};
use core::ptr::NonNull;
use std::collections::VecDeque;
use std::ffi::CString;

use crate::async_serial::{AsyncRx, AsyncTx};
use crate::status::SigStatus;
use crate::{ffi, GetBit, PutBit};

/// Which end of the call a [`V22bis`] is (`calling_party` of `v22bis_init`). The calling modem
/// transmits in the low channel (1200 Hz carrier), the answering modem in the high channel
/// (2400 Hz carrier).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// The calling (originating) modem.
    Calling,
    /// The answering modem.
    Answering,
}

impl Role {
    /// The other end.
    pub fn other(self) -> Role {
        match self {
            Role::Calling => Role::Answering,
            Role::Answering => Role::Calling,
        }
    }
}

/// The guard tone option of `v22bis_init` (`V22BIS_GUARD_TONE_*`). V.22bis sends a guard tone
/// only from the answering modem, and only where the network asks for one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum GuardTone {
    /// No guard tone (`V22BIS_GUARD_TONE_NONE`).
    #[default]
    None,
    /// A 550 Hz guard tone (`V22BIS_GUARD_TONE_550HZ`).
    Hz550,
    /// An 1800 Hz guard tone (`V22BIS_GUARD_TONE_1800HZ`).
    Hz1800,
}

impl GuardTone {
    fn raw(self) -> c_int {
        match self {
            GuardTone::None => ffi::V22BIS_GUARD_TONE_NONE,
            GuardTone::Hz550 => ffi::V22BIS_GUARD_TONE_550HZ,
            GuardTone::Hz1800 => ffi::V22BIS_GUARD_TONE_1800HZ,
        }
    }
}

/// One status report from spandsp's V.22bis, with when it came.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatusEvent {
    /// The `SIG_STATUS_*` code (see [`SigStatus::from_raw`]).
    pub code: i32,
    /// Samples handed to [`V22bis::rx`] before the call that reported it (if `during_tx` is false),
    /// or samples asked of [`V22bis::tx`] before the call that reported it (if true). So the time
    /// is known to a block, not to a sample.
    pub at: u64,
    /// True if it was reported during [`V22bis::tx`], false if during [`V22bis::rx`] (or another
    /// call).
    pub during_tx: bool,
    /// True if it came through the `put_bit` callback (as a negative bit), false if through the
    /// modem status handler.
    pub via_put_bit: bool,
}

impl StatusEvent {
    /// The status, if it is one spandsp declares.
    pub fn status(&self) -> Option<SigStatus> {
        SigStatus::from_raw(self.code)
    }
}

/// One received symbol reported by spandsp's QAM report handler.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct QamPoint {
    /// The equalised received point, if spandsp gave one.
    pub constel: Option<ffi::complexf_t>,
    /// The constellation point it was decided to be, if spandsp gave one.
    pub target: Option<ffi::complexf_t>,
    /// The decided symbol (0 to 15) when the points are there. spandsp also reports with both
    /// points null and a "symbol" of ±16, ±32 or ±256 (undocumented; apparently timing steps).
    pub symbol: i32,
    /// Samples handed to [`V22bis::rx`] before the call that reported it.
    pub at: u64,
}

/// One line of spandsp's log captured by [`V22bis::capture_log`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogLine {
    /// When it was logged, counted as in [`StatusEvent::at`] for the modem that was being called.
    pub at: u64,
    /// True if logged during [`V22bis::tx`], false if during another call.
    pub during_tx: bool,
    /// The line as spandsp formatted it, starting with the modem's tag, without the line end.
    pub text: String,
}

thread_local! {
    /// The time of the spandsp call under way on this thread, for captured log lines.
    static LOG_CLOCK: Cell<(u64, bool)> = const { Cell::new((0, false)) };
    /// Log lines captured on this thread.
    static LOG_LINES: RefCell<Vec<LogLine>> = const { RefCell::new(Vec::new()) };
}

unsafe extern "C" fn log_handler(_level: c_int, text: *const c_char) {
    if text.is_null() {
        return;
    }
    // SAFETY: spandsp passes a NUL-terminated string valid for the call.
    let text = unsafe { CStr::from_ptr(text) }.to_string_lossy().trim_end().to_owned();
    let (at, during_tx) = LOG_CLOCK.with(Cell::get);
    LOG_LINES.with(|l| l.borrow_mut().push(LogLine { at, during_tx, text }));
}

/// Takes the log lines captured so far on this thread by every [`V22bis`] with
/// [`V22bis::capture_log`] on, in order.
pub fn take_captured_log() -> Vec<LogLine> {
    LOG_LINES.with(|l| core::mem::take(&mut *l.borrow_mut()))
}

/// The transmit level a new [`V22bis`] is set to, in dBm0 (as measured, see
/// [`V22bis::set_tx_level`]).
pub const DEFAULT_TX_LEVEL_DBM0: f32 = -13.0;

/// How much louder spandsp's V.22bis transmits than `v22bis_tx_power` asks for, in dB, against the
/// G.711 reference this crate uses (0 dBm0 is a sine 3.17 dB below full scale, so -13 dBm0 is an
/// RMS of 3601). Measured: asked for -13 dBm0 it sends an RMS of 4308 (every training segment,
/// 1200 and 2400 bit/s, both roles; 16-QAM data averages the same within 0.2 dB).
/// [`V22bis::set_tx_level`] subtracts it.
pub const TX_POWER_OFFSET_DB: f32 = 1.55;

/// How many recent [`QamPoint`]s a [`V22bis`] keeps by default.
pub const DEFAULT_QAM_HISTORY: usize = 512;

/// What the callbacks of a [`V22bis`] reach.
struct Shared<S, K> {
    source: S,
    sink: K,
    bits_sent: u64,
    bits_received: u64,
    first_get_bit_at: Option<u64>,
    first_put_bit_at: Option<u64>,
    statuses: Vec<StatusEvent>,
    carrier: bool,
    trained: bool,
    qam: VecDeque<QamPoint>,
    qam_history: usize,
    qam_reports: u64,
    tx_samples: u64,
    rx_samples: u64,
    in_tx: bool,
}

impl<S, K: PutBit> Shared<S, K> {
    fn now(&self) -> u64 {
        if self.in_tx {
            self.tx_samples
        } else {
            self.rx_samples
        }
    }

    fn status(&mut self, code: c_int, via_put_bit: bool) {
        match SigStatus::from_raw(code) {
            Some(SigStatus::CarrierUp) => self.carrier = true,
            Some(SigStatus::CarrierDown) => {
                self.carrier = false;
                self.trained = false;
            }
            Some(SigStatus::TrainingSucceeded) => self.trained = true,
            Some(SigStatus::TrainingFailed | SigStatus::TrainingInProgress) => self.trained = false,
            _ => {}
        }
        self.statuses.push(StatusEvent { code, at: self.now(), during_tx: self.in_tx, via_put_bit });
        self.sink.status(code);
    }
}

unsafe extern "C" fn get_bit<S: GetBit, K: PutBit>(user_data: *mut c_void) -> c_int {
    // SAFETY: user_data is the Shared<S, K> owned by the V22bis that registered it; only spandsp
    // calls made from &mut V22bis reach here, and those hold no reference into it.
    let sh = unsafe { &mut *(user_data as *mut Shared<S, K>) };
    sh.bits_sent += 1;
    if sh.first_get_bit_at.is_none() {
        sh.first_get_bit_at = Some(sh.tx_samples);
    }
    sh.source.get_bit() as c_int
}

unsafe extern "C" fn put_bit<S, K: PutBit>(user_data: *mut c_void, bit: c_int) {
    // SAFETY: as for get_bit.
    let sh = unsafe { &mut *(user_data as *mut Shared<S, K>) };
    if bit < 0 {
        sh.status(bit, true);
    } else {
        sh.bits_received += 1;
        if sh.first_put_bit_at.is_none() {
            sh.first_put_bit_at = Some(sh.rx_samples);
        }
        sh.sink.put_bit((bit & 1) as u8);
    }
}

unsafe extern "C" fn status<S, K: PutBit>(user_data: *mut c_void, code: c_int) {
    // SAFETY: as for get_bit.
    let sh = unsafe { &mut *(user_data as *mut Shared<S, K>) };
    sh.status(code, false);
}

unsafe extern "C" fn qam_report<S, K>(
    user_data: *mut c_void,
    constel: *const ffi::complexf_t,
    target: *const ffi::complexf_t,
    symbol: c_int,
) {
    // SAFETY: as for get_bit; the points, when not null, are valid for the duration of the call.
    let sh = unsafe { &mut *(user_data as *mut Shared<S, K>) };
    sh.qam_reports += 1;
    if sh.qam_history == 0 {
        return;
    }
    let read = |p: *const ffi::complexf_t| if p.is_null() { None } else { Some(unsafe { *p }) };
    if sh.qam.len() >= sh.qam_history {
        sh.qam.pop_front();
    }
    sh.qam.push_back(QamPoint { constel: read(constel), target: read(target), symbol, at: sh.rx_samples });
}

/// spandsp's V.22bis modem (`v22bis_state_t`): transmitter and receiver of one end of a call,
/// taking the bits to send from a [`GetBit`] and handing the bits received to a [`PutBit`] (by
/// default spandsp's start-stop framers [`AsyncTx`] and [`AsyncRx`], see [`V22bis::async_8n1`]).
///
/// Data bits (0 and 1) go to the sink's [`PutBit::put_bit`]; the status codes spandsp passes to the
/// same callback, or to its modem status handler, go to [`PutBit::status`] instead, and are recorded
/// here with their time ([`V22bis::statuses`]).
pub struct V22bis<S: GetBit = AsyncTx, K: PutBit = AsyncRx> {
    raw: NonNull<ffi::v22bis_state_t>,
    shared: NonNull<Shared<S, K>>,
    role: Role,
    bit_rate: u32,
    guard: GuardTone,
    log_tag: Option<CString>,
}

fn check_bit_rate(bit_rate: u32) {
    assert!(bit_rate == 1200 || bit_rate == 2400, "{bit_rate} bit/s: spandsp's V.22bis takes 1200 or 2400");
}

impl<S: GetBit, K: PutBit> V22bis<S, K> {
    /// A modem for `role` that offers `bit_rate` (1200 or 2400; panics otherwise), sending `guard`
    /// (spandsp sends it only as the answering modem), taking bits from `source` and giving them to
    /// `sink`, transmitting at [`DEFAULT_TX_LEVEL_DBM0`] (spandsp's own default, without
    /// [`V22bis::set_tx_level`], measures -12.4 dBm0).
    pub fn new(bit_rate: u32, guard: GuardTone, role: Role, source: S, sink: K) -> Self {
        check_bit_rate(bit_rate);
        let shared = NonNull::from(Box::leak(Box::new(Shared {
            source,
            sink,
            bits_sent: 0,
            bits_received: 0,
            first_get_bit_at: None,
            first_put_bit_at: None,
            statuses: Vec::new(),
            carrier: false,
            trained: false,
            qam: VecDeque::new(),
            qam_history: DEFAULT_QAM_HISTORY,
            qam_reports: 0,
            tx_samples: 0,
            rx_samples: 0,
            in_tx: false,
        })));
        let ud = shared.as_ptr() as *mut c_void;
        // SAFETY: a null state asks spandsp to allocate one; user_data stays valid until Drop,
        // which frees the state first.
        let raw = unsafe {
            ffi::v22bis_init(
                core::ptr::null_mut(),
                bit_rate as c_int,
                guard.raw(),
                (role == Role::Calling) as c_int,
                Some(get_bit::<S, K>),
                ud,
                Some(put_bit::<S, K>),
                ud,
            )
        };
        let Some(raw) = NonNull::new(raw) else {
            // SAFETY: spandsp kept no pointer to it, since it made no state.
            drop(unsafe { Box::from_raw(shared.as_ptr()) });
            panic!("v22bis_init failed");
        };
        // SAFETY: raw is live; user_data as above.
        unsafe {
            ffi::v22bis_set_modem_status_handler(raw.as_ptr(), Some(status::<S, K>), ud);
            ffi::v22bis_rx_set_qam_report_handler(raw.as_ptr(), Some(qam_report::<S, K>), ud);
        }
        let mut m = V22bis { raw, shared, role, bit_rate, guard, log_tag: None };
        m.set_tx_level(DEFAULT_TX_LEVEL_DBM0);
        m
    }

    fn sh(&self) -> &Shared<S, K> {
        // SAFETY: owned by self; spandsp only touches it inside calls taking &mut self.
        unsafe { self.shared.as_ref() }
    }

    fn sh_mut(&mut self) -> &mut Shared<S, K> {
        // SAFETY: as in sh; &mut self rules out a spandsp call while this lives.
        unsafe { self.shared.as_mut() }
    }

    /// Calling or answering.
    pub fn role(&self) -> Role {
        self.role
    }

    /// The bit rate it was initialised (or last restarted) with: the highest it offers.
    pub fn offered_bit_rate(&self) -> u32 {
        self.bit_rate
    }

    /// The guard tone option.
    pub fn guard_tone(&self) -> GuardTone {
        self.guard
    }

    /// Fills `out` with the transmitted signal (`v22bis_tx`) and returns how many samples spandsp
    /// produced; if it produced fewer than `out.len()`, the rest of `out` is set to silence.
    pub fn tx(&mut self, out: &mut [i16]) -> usize {
        let len = c_int::try_from(out.len()).expect("block too long");
        self.sh_mut().in_tx = true;
        LOG_CLOCK.with(|c| c.set((self.sh().tx_samples, true)));
        // SAFETY: raw is live and out holds len samples.
        let n = unsafe { ffi::v22bis_tx(self.raw.as_ptr(), out.as_mut_ptr(), len) };
        let n = (n.max(0) as usize).min(out.len());
        out[n..].fill(0);
        let sh = self.sh_mut();
        sh.in_tx = false;
        sh.tx_samples += out.len() as u64;
        n
    }

    /// Demodulates `input` (`v22bis_rx`); returns how many samples spandsp left unprocessed
    /// (always 0 as far as seen).
    pub fn rx(&mut self, input: &[i16]) -> usize {
        let len = c_int::try_from(input.len()).expect("block too long");
        LOG_CLOCK.with(|c| c.set((self.sh().rx_samples, false)));
        // SAFETY: raw is live and input holds len samples.
        let n = unsafe { ffi::v22bis_rx(self.raw.as_ptr(), input.as_ptr(), len) };
        self.sh_mut().rx_samples += input.len() as u64;
        n.max(0) as usize
    }

    /// Tells the receiver `len` samples went missing (`v22bis_rx_fillin`), e.g. a lost packet;
    /// returns what spandsp returns (samples unprocessed).
    pub fn rx_fillin(&mut self, len: usize) -> usize {
        let len = c_int::try_from(len).expect("block too long");
        LOG_CLOCK.with(|c| c.set((self.sh().rx_samples, false)));
        // SAFETY: raw is live.
        let n = unsafe { ffi::v22bis_rx_fillin(self.raw.as_ptr(), len) };
        self.sh_mut().rx_samples += len as u64;
        n.max(0) as usize
    }

    /// Sets the transmit level so that what spandsp sends measures `dbm0` dBm0: calls
    /// `v22bis_tx_power` with `dbm0 - TX_POWER_OFFSET_DB` (see [`TX_POWER_OFFSET_DB`]). With a guard
    /// tone, spandsp lowers the data signal under it (see the module notes).
    pub fn set_tx_level(&mut self, dbm0: f32) {
        self.set_tx_power(dbm0 - TX_POWER_OFFSET_DB);
    }

    /// Calls `v22bis_tx_power` as it is: spandsp's own idea of dBm0, which measures
    /// [`TX_POWER_OFFSET_DB`] louder. Kept across spandsp's restarts.
    pub fn set_tx_power(&mut self, dbm0: f32) {
        // SAFETY: raw is live.
        unsafe { ffi::v22bis_tx_power(self.raw.as_ptr(), dbm0) }
    }

    /// The bit rate in use now (`v22bis_get_current_bit_rate`): see the module notes for when it
    /// changes.
    pub fn current_bit_rate(&mut self) -> i32 {
        // SAFETY: raw is live.
        unsafe { ffi::v22bis_get_current_bit_rate(self.raw.as_ptr()) }
    }

    /// The received signal power, in dBm0 (`v22bis_rx_signal_power`).
    pub fn signal_power(&mut self) -> f32 {
        // SAFETY: raw is live.
        unsafe { ffi::v22bis_rx_signal_power(self.raw.as_ptr()) }
    }

    /// Sets the carrier detect threshold, in dBm0 (`v22bis_rx_signal_cutoff`).
    pub fn set_cutoff(&mut self, dbm0: f32) {
        // SAFETY: raw is live.
        unsafe { ffi::v22bis_rx_signal_cutoff(self.raw.as_ptr(), dbm0) }
    }

    /// The receiver's current carrier frequency estimate, in Hz (`v22bis_rx_carrier_frequency`).
    pub fn carrier_frequency(&mut self) -> f32 {
        // SAFETY: raw is live.
        unsafe { ffi::v22bis_rx_carrier_frequency(self.raw.as_ptr()) }
    }

    /// The receiver's symbol timing correction since start-up
    /// (`v22bis_rx_symbol_timing_correction`; the header gives no unit).
    pub fn symbol_timing_correction(&mut self) -> f32 {
        // SAFETY: raw is live.
        unsafe { ffi::v22bis_rx_symbol_timing_correction(self.raw.as_ptr()) }
    }

    /// A copy of the receiver's adaptive equaliser coefficients (`v22bis_rx_equalizer_state`).
    pub fn equalizer(&mut self) -> Vec<ffi::complexf_t> {
        let mut p: *mut ffi::complexf_t = core::ptr::null_mut();
        // SAFETY: raw is live; spandsp points p at n coefficients inside its state, read here
        // before any other call.
        unsafe {
            let n = ffi::v22bis_rx_equalizer_state(self.raw.as_ptr(), &mut p);
            if p.is_null() || n <= 0 {
                return Vec::new();
            }
            core::slice::from_raw_parts(p, n as usize).to_vec()
        }
    }

    /// The most recent symbols the QAM report handler gave (up to [`DEFAULT_QAM_HISTORY`], or what
    /// [`V22bis::set_qam_history`] set), oldest first.
    pub fn qam_points(&self) -> impl ExactSizeIterator<Item = &QamPoint> + '_ {
        self.sh().qam.iter()
    }

    /// How many symbols the QAM report handler has reported in all.
    pub fn qam_reports(&self) -> u64 {
        self.sh().qam_reports
    }

    /// Keeps the last `n` QAM reports (0: none).
    pub fn set_qam_history(&mut self, n: usize) {
        let sh = self.sh_mut();
        sh.qam_history = n;
        while sh.qam.len() > n {
            sh.qam.pop_front();
        }
    }

    /// Restarts the modem from the beginning of its start-up sequence, offering `bit_rate` (1200
    /// or 2400, `v22bis_restart`). Returns false if spandsp refused. Recorded statuses stay.
    pub fn restart(&mut self, bit_rate: u32) -> bool {
        check_bit_rate(bit_rate);
        // SAFETY: raw is live.
        let ok = unsafe { ffi::v22bis_restart(self.raw.as_ptr(), bit_rate as c_int) } == 0;
        if ok {
            self.bit_rate = bit_rate;
            let sh = self.sh_mut();
            sh.carrier = false;
            sh.trained = false;
        }
        ok
    }

    /// Asks for a retrain, possibly at another rate (`v22bis_request_retrain`); false if spandsp
    /// refused.
    pub fn request_retrain(&mut self, bit_rate: u32) -> bool {
        check_bit_rate(bit_rate);
        // SAFETY: raw is live.
        unsafe { ffi::v22bis_request_retrain(self.raw.as_ptr(), bit_rate as c_int) == 0 }
    }

    /// Asks for (or ends) a remote loopback 2 (`v22bis_remote_loopback`); false if spandsp refused.
    pub fn remote_loopback(&mut self, enable: bool) -> bool {
        // SAFETY: raw is live.
        unsafe { ffi::v22bis_remote_loopback(self.raw.as_ptr(), enable as c_int) == 0 }
    }

    /// Turns on spandsp's own log for this modem at `level` (a `SPAN_LOG_*` severity such as
    /// [`ffi::SPAN_LOG_FLOW`], ORed with `SPAN_LOG_SHOW_*` flags such as [`ffi::SPAN_LOG_SHOW_TAG`]),
    /// tagged `tag`. spandsp prints it with its default message handler (to stderr) unless
    /// [`V22bis::capture_log`] is on; 0 turns it off.
    ///
    /// spandsp's log says which stage of the start-up sequence each side enters, e.g.
    /// `+++ starting U11 1200`, `+++ S1 detected`, `+++ Tx normal operation (2400)`.
    pub fn set_log_level(&mut self, level: i32, tag: &str) {
        let tag = CString::new(tag).expect("NUL in tag");
        // SAFETY: raw is live; the tag is kept alive in self in case spandsp keeps the pointer.
        unsafe {
            let log = ffi::v22bis_get_logging_state(self.raw.as_ptr());
            if !log.is_null() {
                ffi::span_log_set_tag(log, tag.as_ptr());
                ffi::span_log_set_level(log, level as c_int);
            }
        }
        self.log_tag = Some(tag);
    }

    /// Sends this modem's log lines (see [`V22bis::set_log_level`]) to a buffer on this thread
    /// instead of stderr, each with the time it was logged; read them with [`take_captured_log`].
    pub fn capture_log(&mut self) {
        // SAFETY: raw is live; log_handler is a plain function valid for the program's life.
        unsafe {
            let log = ffi::v22bis_get_logging_state(self.raw.as_ptr());
            if !log.is_null() {
                ffi::span_log_set_message_handler(log, Some(log_handler));
            }
        }
    }

    /// Every status report so far, in order.
    pub fn statuses(&self) -> &[StatusEvent] {
        &self.sh().statuses
    }

    /// The codes of every status report so far, in order.
    pub fn status_codes(&self) -> Vec<i32> {
        self.statuses().iter().map(|e| e.code).collect()
    }

    /// True after spandsp reported carrier up, until it reports carrier down (or [`V22bis::restart`]).
    pub fn carrier(&self) -> bool {
        self.sh().carrier
    }

    /// True after spandsp reported training succeeded, until it reports carrier down, training in
    /// progress or failed (or [`V22bis::restart`]). spandsp reports it when its *transmitter* starts
    /// sending data; its receiver reaches data mode on its own schedule (see the module notes).
    pub fn trained(&self) -> bool {
        self.sh().trained
    }

    /// Bits taken from the source so far.
    pub fn bits_sent(&self) -> u64 {
        self.sh().bits_sent
    }

    /// Data bits handed to the sink so far.
    pub fn bits_received(&self) -> u64 {
        self.sh().bits_received
    }

    /// Samples transmitted before the [`V22bis::tx`] call in which spandsp first asked the source
    /// for a bit.
    pub fn first_get_bit_at(&self) -> Option<u64> {
        self.sh().first_get_bit_at
    }

    /// Samples received before the [`V22bis::rx`] call in which spandsp first gave the sink a bit.
    pub fn first_put_bit_at(&self) -> Option<u64> {
        self.sh().first_put_bit_at
    }

    /// Samples asked of [`V22bis::tx`] so far.
    pub fn tx_samples(&self) -> u64 {
        self.sh().tx_samples
    }

    /// Samples handed to [`V22bis::rx`] (or [`V22bis::rx_fillin`]) so far.
    pub fn rx_samples(&self) -> u64 {
        self.sh().rx_samples
    }

    /// The bit source.
    pub fn source(&self) -> &S {
        &self.sh().source
    }

    /// The bit source, to change (e.g. to queue bytes).
    pub fn source_mut(&mut self) -> &mut S {
        &mut self.sh_mut().source
    }

    /// The bit sink.
    pub fn sink(&self) -> &K {
        &self.sh().sink
    }

    /// The bit sink, to change (e.g. to take bytes).
    pub fn sink_mut(&mut self) -> &mut K {
        &mut self.sh_mut().sink
    }

    /// The spandsp state, for calling functions this crate does not wrap.
    pub fn as_ptr(&self) -> *mut ffi::v22bis_state_t {
        self.raw.as_ptr()
    }
}

impl V22bis<AsyncTx, AsyncRx> {
    /// A modem for `role` offering `bit_rate` (1200 or 2400), no guard tone, at
    /// [`DEFAULT_TX_LEVEL_DBM0`], that sends and receives bytes as 8N1 start-stop characters through
    /// spandsp's [`AsyncTx`] and [`AsyncRx`]: [`V22bis::write`] bytes any time (spandsp takes the
    /// first bit when its transmitter has finished training) and read [`V22bis::received`].
    pub fn async_8n1(bit_rate: u32, role: Role) -> Self {
        Self::new(bit_rate, GuardTone::None, role, AsyncTx::n81(), AsyncRx::n81())
    }

    /// Queues bytes to send.
    pub fn write(&mut self, data: &[u8]) {
        self.source_mut().write(data);
    }

    /// Bytes queued that spandsp has not started sending.
    pub fn queued(&self) -> usize {
        self.source().queued()
    }

    /// The bytes received so far.
    pub fn received(&self) -> &[u8] {
        self.sink().received()
    }

    /// Takes the bytes received so far.
    pub fn take(&mut self) -> Vec<u8> {
        self.sink_mut().take()
    }
}

impl<S: GetBit, K: PutBit> Drop for V22bis<S, K> {
    fn drop(&mut self) {
        // SAFETY: the state is freed before what its callbacks point at.
        unsafe {
            ffi::v22bis_free(self.raw.as_ptr());
            drop(Box::from_raw(self.shared.as_ptr()));
        }
    }
}

impl<S: GetBit + core::fmt::Debug, K: PutBit + core::fmt::Debug> core::fmt::Debug for V22bis<S, K> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("V22bis")
            .field("role", &self.role)
            .field("offered_bit_rate", &self.bit_rate)
            .field("guard", &self.guard)
            .field("statuses", &self.status_codes())
            .field("source", self.source())
            .field("sink", self.sink())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::BitLog;

    fn rms(x: &[i16]) -> f32 {
        (x.iter().map(|&v| (v as f32).powi(2)).sum::<f32>() / x.len() as f32).sqrt()
    }

    #[test]
    #[should_panic(expected = "1200 or 2400")]
    fn other_bit_rates_are_refused() {
        let _ = V22bis::async_8n1(4800, Role::Calling);
    }

    #[test]
    fn calling_modem_alone_stays_silent() {
        let mut m = V22bis::new(2400, GuardTone::None, Role::Calling, || 1, BitLog::default());
        let mut out = [7i16; 160];
        for _ in 0..100 {
            m.rx(&[0; 160]);
            assert_eq!(m.tx(&mut out), 160);
            assert!(out.iter().all(|&v| v == 0));
        }
        assert!(m.statuses().is_empty() && !m.carrier() && !m.trained());
        assert_eq!((m.bits_sent(), m.bits_received(), m.first_get_bit_at()), (0, 0, None));
        assert_eq!((m.tx_samples(), m.rx_samples()), (16000, 16000));
        assert_eq!(m.current_bit_rate(), 1200);
    }

    #[test]
    fn answering_modem_alone_sends_usb1_at_minus_13_dbm0_and_restart_keeps_the_level() {
        let mut m = V22bis::async_8n1(2400, Role::Answering);
        assert_eq!((m.role(), m.offered_bit_rate(), m.guard_tone()), (Role::Answering, 2400, GuardTone::None));
        let mut sig = vec![0i16; 8000];
        assert_eq!(m.tx(&mut sig), 8000);
        assert!(sig[..590].iter().all(|&v| v == 0), "75 ms of silence first");
        let r = rms(&sig[1000..]);
        assert!((r - 3601.5).abs() < 40.0, "{r}");
        assert!(m.restart(1200));
        assert_eq!(m.offered_bit_rate(), 1200);
        m.tx(&mut sig);
        assert!(sig[..590].iter().all(|&v| v == 0));
        assert!((rms(&sig[1000..]) - r).abs() < 5.0);
        m.set_tx_level(-23.0);
        m.tx(&mut sig);
        assert!((20.0 * (rms(&sig) / r).log10() + 10.0).abs() < 0.1);
        // Nothing heard: no statuses, no data, but it keeps sending USB1.
        assert!(m.statuses().is_empty() && m.received().is_empty() && m.queued() == 0);
    }

    #[test]
    fn qam_history_is_bounded() {
        let mut call = V22bis::async_8n1(2400, Role::Calling);
        let mut ans = V22bis::async_8n1(2400, Role::Answering);
        call.set_qam_history(10);
        let (mut cb, mut ab) = ([0i16; 160], [0i16; 160]);
        for _ in 0..60 {
            call.rx(&ab);
            ans.rx(&cb);
            call.tx(&mut cb);
            ans.tx(&mut ab);
        }
        assert_eq!(call.qam_points().len(), 10);
        assert!(call.qam_reports() > 100);
        assert!(ans.qam_points().len() <= DEFAULT_QAM_HISTORY);
        call.set_qam_history(0);
        assert_eq!(call.qam_points().len(), 0);
        assert!(format!("{call:?}").contains("Calling"));
    }
}
