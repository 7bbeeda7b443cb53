//! The DCE: the whole "Hayes modem" a terminal talks to, sans-IO.
//!
//! [`Dce`] wires together the V.250 command interpreter ([`Hayes`]), the call control of the phone
//! that carries the call ([`PhoneControl`], when the phone has an AT port) and the data modem
//! ([`Modem`]). What goes in: bytes typed at the terminal ([`Dce::from_terminal`]), bytes from the
//! phone's serial port ([`Dce::from_phone`]) and the line audio heard ([`Dce::process`]). What comes
//! out: bytes for the terminal ([`Dce::to_terminal`]), bytes for the phone ([`Dce::to_phone`]) and
//! the line audio to send (the other half of [`Dce::process`]). Time passes only as audio is
//! processed, 8000 samples a second. Nothing is allocated per audio block; dialling, connecting and
//! status lines allocate when they happen.
//!
//! For a user interface: [`Dce::status`], the call's counts ([`Dce::call_counts`],
//! [`Dce::connected_for`]) and, once started, the line monitor ([`Dce::enable_monitor`],
//! [`monitor`]: the last minute of the line both ways, the receiver's SNR over time, the received
//! spectrum).
//!
//! ```
//! use softmodem::dce::{Config, Dce, Phase, PhoneLink};
//! use softmodem::modem::{Config as ModemConfig, Modem};
//! use softmodem::{Family, Role};
//! // No phone control: the person dials on the handset, the modem starts on ATD.
//! let mut dce = Dce::new(Config { link: PhoneLink::Manual, ..Config::default() });
//! dce.from_terminal(b"AT+MS=V21\rATD\r");
//! let mut far = Modem::new(ModemConfig::new(Family::V21, Role::Answer));
//! let (mut to_far, mut to_dce) = (vec![0.0f32; 160], vec![0.0f32; 160]);
//! for _ in 0..100 {
//!     let heard = to_dce.clone();
//!     dce.process(&heard, &mut to_far);
//!     let heard = to_far.clone();
//!     far.process(&heard, &mut to_dce);
//! }
//! let mut out = [0u8; 256];
//! let n = dce.to_terminal(&mut out);
//! assert!(out[..n].ends_with(b"\r\nCONNECT 300\r\n"));
//! assert_eq!(dce.status().phase, Phase::Online);
//! ```
//!
//! # How a call is placed: [`PhoneLink`]
//!
//! | | `ATD<number>` | `ATD` (empty), `ATD;` | `ATA` | `ATH`, S7 expiry, a key during a call attempt |
//! |---|---|---|---|---|
//! | [`PhoneLink::Serial`] | [`PhoneControl::dial`] (`ATD<number>;` to the phone); `Dialled` when the phone dials; the calling modem when the call is active | the calling modem at once, on whatever call the phone has (dialled by hand, or by an earlier `ATD<number>;`); `ATD;` returns `OK` | the phone answers a ringing call, the answering modem when it is active; with no call ringing, the answering modem at once | modem stopped, [`PhoneControl::hang_up`] |
//! | [`PhoneLink::Manual`] | the number is ignored (dialled on the handset): the calling modem at once | the calling modem at once; `ATD;` returns `OK` | the answering modem at once | modem stopped |
//! | [`PhoneLink::Audio`] | DTMF into the line audio, `,` pauses S8, `W` and X2/X4 wait for dial tone; then the calling modem, listening for busy under X3/X4 | the calling modem at once | the answering modem at once | modem and dialling stopped |
//!
//! A dial string ending in `;` dials and returns to command state off-hook (`OK`): with the serial
//! link once the far end rings (alerting) or answers, so that a phone that refuses the call still
//! gives its result code.
//!
//! With [`PhoneLink::Serial`], a phone that is not ready (set-up failed, or it stopped answering) is
//! set up again when a call is asked for; if that fails too the command ends in `ERROR` (the same
//! code [`EndReason::hayes`] gives an unresponsive phone: the modem's own line is there, its phone
//! is not). With [`PhoneLink::Audio`], pulse dialling is done by tone, and `+` and hook flash `!`
//! are skipped (the audio path cannot send them); the status log says so.
//!
//! # What the phone's reports become ([`line_event`])
//!
//! | [`PhoneEvent`] | while dialling or answering | while connected |
//! |---|---|---|
//! | `Dialing` | `Dialled` (the S7 connection timer starts) | — |
//! | `Alerting` | `Dialled` for a dial string ending in `;` | — |
//! | `Active` | the calling or answering modem starts | — |
//! | `Incoming`, and each `RING`/`+CRING` | `Ring` (the interpreter counts S1 and answers at S0) | — |
//! | `Ended { Busy }` | `BUSY` (X3, X4; else `NO CARRIER`) | `NO CARRIER` |
//! | `Ended { NoAnswer }` | `NO ANSWER` (X1-X4; else `NO CARRIER`) | `NO CARRIER` |
//! | `Ended { NoDialtone }` | `NO DIALTONE` (X2, X4; else `NO CARRIER`) | `NO CARRIER` |
//! | `Ended { Error(_) }`, `Ended { Unresponsive }`, `Unavailable` | `ERROR` | `NO CARRIER` (an unresponsive phone leaves a running modem alone: its carrier decides) |
//! | `Ended { NoCarrier, Rejected, Timeout, LocalHangUp }` | `NO CARRIER` | `NO CARRIER` |
//!
//! # The data modem
//!
//! Online, [`Hayes::to_line`] feeds [`Modem::write`] and [`Modem::read`] feeds
//! [`Hayes::from_line`]. Modem `Connected` and `Retrained` become [`LineEvent::Connected`]
//! (`CONNECT <rate>`, the receive rate), `NoCarrier` (the far carrier gone for S10) becomes
//! `NO CARRIER` and hangs up the phone too. The escape sequence and `ATO` leave the modem running;
//! `ATO1` retrains it. The modem for a call is set up from the interpreter's settings when the call
//! starts, by [`modem_config`] (`+MS`, S10); a connection below the `+MS` minimum rates is dropped
//! ([`rates_allowed`]).
//!
//! Every failure returns the interpreter to command state with a result code, and the phone and
//! the modem to idle.

mod call;
mod dialer;
pub mod monitor;

use std::collections::VecDeque;

use crate::automode::Progress;
use crate::hayes::{Action, Carrier, DialElement, DialRequest, Hayes, LineEvent, Modulation, Profile, State};
use crate::link::{Link, LinkConfig};
use crate::modem::{self, Event as ModemEvent, Modem};
use crate::phone::control::{self, Config as PhoneConfig, EndReason, PhoneControl, PhoneEvent};
use crate::time::{Duration, Instant};
use crate::types::Modes;
use crate::types::{Family, Role};
use dialer::{Dialer, Outcome};
use monitor::LineMonitor;

/// The audio block the DCE works in, samples (20 ms): timers, events and data move between blocks.
pub const BLOCK: usize = 160;

/// Status lines kept for [`Dce::poll_log`]; past that the oldest are dropped.
pub const LOG_MAX: usize = 64;

/// Longest status line, bytes (longer ones are cut).
const LOG_LINE_MAX: usize = 160;

/// How calls are placed and answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhoneLink {
    /// A phone with an AT port (Web Serial): the DCE dials, answers and hangs up through
    /// [`PhoneControl`] (3GPP TS 27.007), and hears the call through the audio.
    Serial,
    /// No control over the phone: the person dials and answers on the handset, and the DCE only runs
    /// the modem (`ATD` calls, `ATA` answers, at once).
    Manual,
    /// The audio path is the line itself (a line interface): the DCE dials with DTMF and listens for
    /// dial tone, ringback and busy.
    Audio,
}

/// How a [`Dce`] is set up.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// How calls are placed.
    pub link: PhoneLink,
    /// The phone's call control, for [`PhoneLink::Serial`].
    pub phone: PhoneConfig,
    /// The modem's transmit level, dBm0.
    pub level_dbm0: f32,
    /// The DTMF level (both tones together), dBm0, for [`PhoneLink::Audio`].
    pub dtmf_level_dbm0: f32,
    /// For [`PhoneLink::Audio`]: how long to listen for a dial tone (before dialling under X2/X4,
    /// and at each `W`) before giving up with `NO DIALTONE`. The detector needs 1 s of a North
    /// American dial tone and 3 s of a European one.
    pub dial_tone_wait: Duration,
}

impl Default for Config {
    /// [`PhoneLink::Manual`], the default phone control, -13 dBm0, DTMF at -7 dBm0, 5 s for a
    /// dial tone.
    fn default() -> Self {
        Config {
            link: PhoneLink::Manual,
            phone: PhoneConfig::default(),
            level_dbm0: -13.0,
            dtmf_level_dbm0: -7.0,
            dial_tone_wait: Duration::from_secs(5),
        }
    }
}

/// Where the DCE is, for display.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Command state, on-hook.
    OnHook,
    /// Command state, off-hook with no connection (after a dial string ending in `;`).
    OffHook,
    /// A call is being dialled.
    Dialing,
    /// Waiting for the modems to connect.
    Connecting,
    /// Online data state.
    Online,
    /// Online command state (after the escape sequence); the connection is up.
    OnlineCommand,
}

/// A snapshot for a user interface.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Status {
    /// Where the DCE is.
    pub phase: Phase,
    /// How calls are placed.
    pub link: PhoneLink,
    /// The phone's call control ([`PhoneLink::Serial`] only).
    pub phone: Option<control::Phase>,
    /// The data modem ([`modem::State::Idle`] when none runs).
    pub modem: modem::State,
    /// The running modem's family.
    pub family: Option<Family>,
    /// The running modem's role.
    pub role: Option<Role>,
    /// Receive rate of the connection, bit/s (0 before it connects).
    pub rx_rate: u32,
    /// Transmit rate of the connection, bit/s (0 before it connects).
    pub tx_rate: u32,
    /// Time since the DCE was made (samples processed).
    pub now: Instant,
}

/// Counts of the call now up, or of the last one, for a user interface; they start afresh when a
/// call's modem starts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CallCounts {
    /// Retrains the connection began (V.22bis, [`modem::Event::Retrain`]).
    pub retrains: u32,
    /// Bytes the modem received and handed on (towards the terminal).
    pub bytes_received: u64,
    /// Bytes the modem took to send (from the terminal).
    pub bytes_sent: u64,
    /// When the modems connected (the call's first `CONNECT`).
    pub connected_at: Option<Instant>,
    /// When the connected call ended.
    pub ended_at: Option<Instant>,
}

/// Why [`Dce::dial`], [`Dce::dial_manual`] or [`Dce::answer`] did nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommandRefused {
    /// The modem is busy with a call (dialling, connecting or online): commands wait for
    /// command state (hang up, or `+++` to online command state).
    Busy(Phase),
    /// The number holds this character, which no dial string can.
    NotDialable(char),
}

impl core::fmt::Display for CommandRefused {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            CommandRefused::Busy(phase) => write!(
                f,
                "the modem is {} (hang up first, or type +++ for command mode)",
                match phase {
                    Phase::Dialing => "dialling",
                    Phase::Connecting => "connecting",
                    Phase::Online => "online",
                    Phase::OnHook | Phase::OffHook | Phase::OnlineCommand => "not taking commands",
                }
            ),
            CommandRefused::NotDialable(c) => {
                write!(f, "'{}' cannot be dialled (digits, * # A-D + , W P T ! and - ( ) . are)", c.escape_default())
            }
        }
    }
}

impl std::error::Error for CommandRefused {}

/// [`Dce::set_link`] refused: a call is in progress (the DCE is off-hook).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CallInProgress;

impl core::fmt::Display for CallInProgress {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("a call is in progress")
    }
}

impl std::error::Error for CallInProgress {}

/// The modem set-up for a call in `role`, from the interpreter's settings: the ONE place where
/// `+MS` and the S-registers become a [`modem::Config`].
///
/// With `<automode>` 0 the carrier alone is used:
///
/// | `+MS` carrier | family |
/// |---|---|
/// | `B103` | Bell 103 |
/// | `V21` | V.21 |
/// | `V22` | V.22 |
/// | `B212` | Bell 212A |
/// | `V22B` | V.22bis (it falls back to V.22 by itself); V.22 when a maximum rate is 1200 |
/// | `V23C` | V.23 (the caller sends the 75 bit/s backward channel) |
///
/// With `<automode>` 1 (the default) the modem runs [`crate::automode`] over the carrier and
/// every family no faster than it (V.22bis: all six; V.22, Bell 212A, V.23: those three, V.21
/// and Bell 103; V.21, Bell 103: those two), without V.22bis when a maximum rate is 1200.
///
/// Either way an answering modem waits the V.25 billing delay (2 s) and sends the answer tone
/// first, as a Hayes modem does (V.8's ANSam, answering a caller's CM with JM), and a calling one
/// expects it (and takes ANSam for a plain answer tone: V.8 would gain it nothing). The minimum rates are checked once
/// connected ([`rates_allowed`]). S10 becomes [`modem::Config::carrier_loss`]; the transmit
/// level is `level_dbm0`; everything else is [`modem::Config::new`]'s.
pub fn modem_config(profile: &Profile, role: Role, level_dbm0: f32) -> modem::Config {
    let m = &profile.modulation;
    let capped = m.max_tx_rate == 1200 || m.max_rx_rate == 1200;
    let family = match m.carrier {
        Carrier::V22bis if capped => Carrier::V22.family(),
        c => c.family(),
    };
    let top = |f: Family| match f {
        Family::V22bis => 2400,
        Family::V22 | Family::Bell212A | Family::V23 | Family::Bell202 => 1200,
        _ => 300,
    };
    let mut config = if m.automode {
        let mut c = modem::Config::new(Family::Auto, role);
        c.modes = Modes::ALL.iter().filter(|&f| top(f) <= top(family)).fold(Modes::NONE, Modes::with);
        if capped {
            c.modes = c.modes.without(Family::V22bis);
        }
        c
    } else {
        modem::Config::new(family, role)
    };
    config.answer_tone = true;
    // Answering, ANSam and V.8 let a V.8 caller skip the legacy cycle; calling, V.8 gains nothing
    // over the legacy start-ups of the modulations implemented, so ANSam counts as a plain
    // answer tone (as V.8 allows).
    config.v8 = role == Role::Answer;
    config.level_dbm0 = level_dbm0;
    config.carrier_loss = profile.regs.carrier_loss();
    config
}

/// Whether a connection at `rx_rate`/`tx_rate` bit/s lies within the `+MS` rate limits (0: no limit).
pub fn rates_allowed(m: &Modulation, rx_rate: u32, tx_rate: u32) -> bool {
    let ok = |rate: u32, min: u32, max: u32| (min == 0 || rate >= min) && (max == 0 || rate <= max);
    ok(rx_rate, m.min_rx_rate, m.max_rx_rate) && ok(tx_rate, m.min_tx_rate, m.max_tx_rate)
}

/// The report for the interpreter when the phone ends a call that is being dialled or answered
/// (a call that was connected always ends in [`LineEvent::NoCarrier`]):
///
/// | [`EndReason`] | [`LineEvent`] |
/// |---|---|
/// | `Busy` | `Busy` |
/// | `NoAnswer` | `NoAnswer` |
/// | `NoDialtone` | `NoDialTone` |
/// | `Error(_)`, `Unresponsive` | `Error` |
/// | `NoCarrier`, `Rejected`, `Timeout`, `LocalHangUp` | `NoCarrier` |
pub fn line_event(reason: &EndReason) -> LineEvent {
    match reason {
        EndReason::Busy => LineEvent::Busy,
        EndReason::NoAnswer => LineEvent::NoAnswer,
        EndReason::NoDialtone => LineEvent::NoDialTone,
        EndReason::Error(_) | EndReason::Unresponsive => LineEvent::Error,
        EndReason::NoCarrier | EndReason::Rejected | EndReason::Timeout | EndReason::LocalHangUp => {
            LineEvent::NoCarrier
        }
    }
}

/// Words for a status line.
fn describe(reason: &EndReason) -> String {
    match reason {
        EndReason::Busy => "busy".into(),
        EndReason::NoAnswer => "no answer".into(),
        EndReason::NoCarrier => "the far end hung up".into(),
        EndReason::Rejected => "rejected".into(),
        EndReason::NoDialtone => "no dial tone".into(),
        EndReason::Error(text) => format!("error, {text}"),
        EndReason::Timeout => "timed out".into(),
        EndReason::LocalHangUp => "hung up".into(),
        EndReason::Unresponsive => "the phone stopped answering".into(),
    }
}

/// The number for the phone's `ATD<number>;`: the digits with their pauses, waits and flashes, or
/// empty when the dial string has no digits.
fn phone_number(req: &DialRequest) -> String {
    if !req.elements.iter().any(|e| matches!(e, DialElement::Digit { .. })) {
        return String::new();
    }
    req.elements
        .iter()
        .map(|e| match *e {
            DialElement::Digit { digit, .. } => digit as char,
            DialElement::Pause => ',',
            DialElement::WaitDialTone => 'W',
            DialElement::Flash => '!',
        })
        .collect()
}

/// Where the call is, as the DCE drives it.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Stage {
    /// No call of ours.
    OnHook,
    /// Serial: a dial waits for the phone to be set up (or to finish hanging up a call).
    PhoneWait { number: String, to_command: bool },
    /// Serial: the phone is placing the call.
    PhoneDialing { to_command: bool, dialled: bool },
    /// Serial: the phone is answering a call.
    PhoneAnswering,
    /// Audio: the dial string is being sent.
    AudioDialing { to_command: bool, detect_busy: bool },
    /// Off-hook in command state (a dial string ended in `;`), no modem.
    OffHook,
    /// The modem runs (start-up or data).
    Modem,
}

/// The whole modem a terminal talks to. See the [module documentation](self).
#[derive(Debug, Clone)]
pub struct Dce {
    config: Config,
    hayes: Hayes,
    phone: Option<PhoneControl>,
    modem: Option<Link>,
    /// The last call's link, releasing V.42 (DISC) after a hang-up.
    closing: Option<Link>,
    dialer: Dialer,
    stage: Stage,
    /// The phone's current call is one this DCE placed, answered or runs its modem on.
    phone_call_ours: bool,
    /// Rings the phone reported, as counted into the interpreter.
    rings_seen: u64,
    /// [`Dce::phone_lost`] was called since the phone was last set up.
    port_lost: bool,
    /// Audio link, calling modem in its start-up: listen for busy (true: report it) or just log.
    watch_progress: Option<bool>,
    rx_rate: u32,
    tx_rate: u32,
    /// Received bytes the interpreter has not taken yet.
    carry: [u8; 256],
    carry_start: usize,
    carry_end: usize,
    log: VecDeque<String>,
    dropped_log: u64,
    now: Instant,
    /// When to look at a 2400 bit/s connection's quality once it has settled.
    quality_check_at: Option<Instant>,
    counts: CallCounts,
    /// The line both ways, for diagnostics ([`Dce::enable_monitor`]).
    monitor: Option<Box<LineMonitor>>,
}

/// A V.22bis connection whose receiver's SNR estimate is below this, three seconds in, will see
/// errors (about 1e-4 in white noise at 18 dB, 1e-2 through an AMR 12.2 speech codec at 16.5).
const POOR_2400_DB: f32 = 19.0;

impl Default for Dce {
    fn default() -> Self {
        Dce::new(Config::default())
    }
}

impl Dce {
    /// A DCE in command state, on-hook, with factory settings. With [`PhoneLink::Serial`] the
    /// phone's set-up starts at once.
    pub fn new(config: Config) -> Self {
        let mut dce = Dce {
            hayes: Hayes::new(),
            phone: None,
            modem: None,
            closing: None,
            dialer: Dialer::new(config.dtmf_level_dbm0),
            stage: Stage::OnHook,
            phone_call_ours: false,
            rings_seen: 0,
            port_lost: false,
            watch_progress: None,
            rx_rate: 0,
            tx_rate: 0,
            carry: [0; 256],
            carry_start: 0,
            carry_end: 0,
            log: VecDeque::with_capacity(LOG_MAX),
            dropped_log: 0,
            now: Instant::ZERO,
            quality_check_at: None,
            counts: CallCounts::default(),
            monitor: None,
            config,
        };
        dce.open_link();
        dce
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// How calls are placed.
    pub fn link(&self) -> PhoneLink {
        self.config.link
    }

    /// Changes how calls are placed; refused while off-hook. Choosing [`PhoneLink::Serial`] (anew)
    /// starts the phone's set-up; leaving it forgets the phone.
    pub fn set_link(&mut self, link: PhoneLink) -> Result<(), CallInProgress> {
        if self.stage != Stage::OnHook || self.hayes.off_hook() || self.hayes.state() != State::Command {
            return Err(CallInProgress);
        }
        if link != self.config.link {
            self.config.link = link;
            self.open_link();
        }
        Ok(())
    }

    /// Sets up the phone again ([`PhoneControl::init`]), for example after its serial port was
    /// reopened. Nothing happens with another link, or while a call is in progress.
    pub fn init_phone(&mut self) {
        if let Some(p) = self.phone.as_mut() {
            if p.init().is_ok() {
                self.port_lost = false;
                self.note("Phone: setting up".into());
            }
        }
    }

    /// The phone's serial port is gone, or not open yet (unplugged, closed, a Bluetooth link out of
    /// range): [`PhoneControl::lost`], and the status log says "Phone: unavailable (serial port
    /// closed)" unless the phone was not set up anyway. A call being dialled or answered ends in
    /// `ERROR`; a running modem is left alone (the call may still be up: its carrier decides).
    /// [`Dce::init_phone`] sets the phone up again once its port is open. Nothing happens with
    /// another link.
    pub fn phone_lost(&mut self) {
        if let Some(p) = self.phone.as_mut() {
            self.port_lost = true;
            p.lost();
            self.pump();
        }
    }

    /// The modem's transmit level for the calls that start from now on, dBm0 (clamped to -60..0;
    /// a value that is not a number is ignored).
    pub fn set_level_dbm0(&mut self, level_dbm0: f32) {
        if level_dbm0.is_finite() {
            self.config.level_dbm0 = level_dbm0.clamp(*modem::LEVEL_RANGE_DBM0.start(), *modem::LEVEL_RANGE_DBM0.end());
        }
    }

    /// The command interpreter (its settings, state and S-registers).
    pub fn hayes(&self) -> &Hayes {
        &self.hayes
    }

    /// The phone's call control ([`PhoneLink::Serial`] only).
    pub fn phone(&self) -> Option<&PhoneControl> {
        self.phone.as_ref()
    }

    /// The data modem of the call, while one runs.
    pub fn modem(&self) -> Option<&Modem> {
        self.modem.as_ref().map(|l| l.modem())
    }

    /// The call's modem with its link protocol (V.42), while one runs.
    pub fn data_link(&self) -> Option<&Link> {
        self.modem.as_ref()
    }

    /// The modem set-up the next call would use as the caller ([`modem_config`]).
    pub fn next_modem_config(&self) -> modem::Config {
        modem_config(self.hayes.profile(), Role::Call, self.config.level_dbm0)
    }

    /// Time since the DCE was made (samples processed).
    pub fn now(&self) -> Instant {
        self.now
    }

    /// Counts of the call now up, or of the last one.
    pub fn call_counts(&self) -> CallCounts {
        self.counts
    }

    /// How long the call has been connected (or was, once it ended); `None` before `CONNECT`.
    pub fn connected_for(&self) -> Option<Duration> {
        let at = self.counts.connected_at?;
        Some(self.counts.ended_at.unwrap_or(self.now).saturating_since(at))
    }

    /// Starts the [`LineMonitor`] (recording the last [`monitor::RECORD_SECONDS`] of the line
    /// both ways, about 1.9 MB allocated now), if it is not running.
    pub fn enable_monitor(&mut self) {
        if self.monitor.is_none() {
            self.monitor = Some(Box::default());
        }
    }

    /// The line monitor, once [`Dce::enable_monitor`] started it.
    pub fn monitor(&self) -> Option<&LineMonitor> {
        self.monitor.as_deref()
    }

    /// A snapshot for a user interface.
    pub fn status(&self) -> Status {
        let phase = match self.hayes.state() {
            State::Command if self.hayes.off_hook() => Phase::OffHook,
            State::Command => Phase::OnHook,
            State::Dialing => Phase::Dialing,
            State::Connecting => Phase::Connecting,
            State::Online => Phase::Online,
            State::OnlineCommand => Phase::OnlineCommand,
        };
        Status {
            phase,
            link: self.config.link,
            phone: self.phone.as_ref().map(|p| p.phase()),
            modem: self.modem.as_ref().map_or(modem::State::Idle, |m| m.state()),
            family: self.modem.as_ref().map(|m| m.family()),
            role: self.modem.as_ref().map(|m| m.modem_config().role),
            rx_rate: self.rx_rate,
            tx_rate: self.tx_rate,
            now: self.now,
        }
    }

    /// The next status line, oldest first ("Phone: alerting", "Modem: V22bis start-up as
    /// caller", "Connected 2400", ...). At most [`LOG_MAX`] wait; older ones are dropped.
    pub fn poll_log(&mut self) -> Option<String> {
        self.log.pop_front()
    }

    /// Status lines dropped because more than [`LOG_MAX`] were waiting.
    pub fn dropped_log(&self) -> u64 {
        self.dropped_log
    }

    /// Takes bytes typed at the terminal; returns how many were taken (online, taking stops while
    /// the modem's transmit queue is full: offer the rest again later).
    pub fn from_terminal(&mut self, bytes: &[u8]) -> usize {
        let mut taken = 0;
        while taken < bytes.len() {
            let n = self.hayes.from_terminal(&bytes[taken..]);
            taken += n;
            self.pump();
            if n == 0 {
                break;
            }
        }
        taken
    }

    /// Moves bytes for the terminal into `out` (echo, result codes, received data); returns how
    /// many.
    pub fn to_terminal(&mut self, out: &mut [u8]) -> usize {
        let n = self.hayes.to_terminal(out);
        self.pump();
        n
    }

    /// Bytes read from the phone's serial port (ignored unless the link is [`PhoneLink::Serial`]).
    pub fn from_phone(&mut self, bytes: &[u8]) {
        if let Some(p) = self.phone.as_mut() {
            p.from_phone(bytes);
            self.pump();
        }
    }

    /// Moves bytes to write to the phone's serial port into `out`; returns how many (always 0
    /// unless the link is [`PhoneLink::Serial`]). Call it after every other input.
    pub fn to_phone(&mut self, out: &mut [u8]) -> usize {
        let Some(p) = self.phone.as_mut() else { return 0 };
        let n = p.to_phone(out);
        self.pump();
        n
    }

    /// Hears `rx` from the line and fills `tx` with what to send, both at 8000 Hz; if their lengths
    /// differ the shorter sets the count and the rest of `tx` is silence. This is the DCE's clock.
    pub fn process(&mut self, rx: &[f32], tx: &mut [f32]) {
        let n = rx.len().min(tx.len());
        let mut clean = [0.0f32; BLOCK];
        let mut i = 0;
        while i < n {
            let m = (n - i).min(BLOCK);
            for (c, &x) in clean[..m].iter_mut().zip(&rx[i..i + m]) {
                *c = if x.is_finite() { x.clamp(-4.0, 4.0) } else { 0.0 };
            }
            self.block(&clean[..m], &mut tx[i..i + m]);
            if let Some(monitor) = self.monitor.as_deref_mut() {
                let snr = self.modem.as_ref().and_then(|m| m.v22_pump()).map(|p| p.receiver());
                let snr = snr.filter(|rx| rx.symbols() > 0).map(|rx| rx.snr_db());
                monitor.record(&clean[..m], &tx[i..i + m], snr);
            }
            i += m;
        }
        tx[n..].iter_mut().for_each(|v| *v = 0.0);
    }

    /// Lets `elapsed` pass with silence heard and the audio sent thrown away (for a host with no
    /// audio running).
    pub fn advance(&mut self, elapsed: Duration) {
        let silence = [0.0f32; BLOCK];
        let mut out = [0.0f32; BLOCK];
        let mut left = elapsed.samples() as usize;
        while left > 0 {
            let m = left.min(BLOCK);
            self.block(&silence[..m], &mut out[..m]);
            left -= m;
        }
    }

    /// A button's "call": as `ATD` typed (the calling modem starts on the call dialled by hand, or
    /// on the phone's call). Refused unless the interpreter is in command state (on-hook, or
    /// online command state).
    pub fn dial_manual(&mut self) -> Result<(), CommandRefused> {
        self.execute(b"D")
    }

    /// A button's "dial `number`": as `ATD<number>` typed. Refused unless the interpreter is in
    /// command state, or when `number` holds a character a dial string cannot (digits,
    /// `*#ABCD+,WPT!` and the separators ` -().` are accepted).
    pub fn dial(&mut self, number: &str) -> Result<(), CommandRefused> {
        if let Some(c) = number.chars().find(|&c| !(c.is_ascii_digit() || "*#ABCDabcd+,WwPpTt! -().".contains(c))) {
            return Err(CommandRefused::NotDialable(c));
        }
        let mut body = Vec::with_capacity(number.len() + 1);
        body.push(b'D');
        body.extend_from_slice(number.as_bytes());
        self.execute(&body)
    }

    /// A button's "answer": as `ATA` typed. Refused unless the interpreter is in command state.
    pub fn answer(&mut self) -> Result<(), CommandRefused> {
        self.execute(b"A")
    }

    /// A button's "hang up", in any state: the modem and any dialling stop, the phone hangs up the
    /// call, and the interpreter returns to command state (`NO CARRIER` if a call was in progress).
    pub fn hang_up(&mut self) {
        self.note("Hanging up".into());
        self.hang_up_all();
        self.hayes.event(LineEvent::NoCarrier);
        self.pump();
    }

    /// DTR (circuit 108/2) went off: the terminal program closed its port, or set its speed to
    /// 0, as programs do to hang up a modem. The interpreter does what `&D` says
    /// ([`Hayes::dtr_off`]: by default, `&D2`, the call is hung up with `NO CARRIER`); the status
    /// log says so. Nothing happens while DTR is off already.
    pub fn dtr_off(&mut self) {
        if !self.hayes.dtr() {
            return;
        }
        self.note(format!("DTR off (&D{})", self.hayes.profile().dtr));
        self.hayes.dtr_off();
        self.pump();
    }

    /// DTR is on again after [`Dce::dtr_off`].
    pub fn dtr_on(&mut self) {
        if !self.hayes.dtr() {
            self.note("DTR on".into());
            self.hayes.dtr_on();
        }
    }

    /// The line is ringing, as a host knows it without the phone's serial link (a ring indicator):
    /// counted like a `RING` from the phone.
    pub fn ring(&mut self) {
        self.hayes.event(LineEvent::Ring);
        self.pump();
    }

    /// Sends a break to the far modem (online only).
    pub fn send_break(&mut self) {
        if self.hayes.connected() {
            if let Some(m) = self.modem.as_mut() {
                m.send_break();
            }
        }
    }

    // ---- internals ----

    fn execute(&mut self, body: &[u8]) -> Result<(), CommandRefused> {
        let phase = self.status().phase;
        let done = self.hayes.execute_line(body);
        self.pump();
        if done {
            Ok(())
        } else {
            Err(CommandRefused::Busy(phase))
        }
    }

    fn open_link(&mut self) {
        self.phone = None;
        self.port_lost = false;
        match self.config.link {
            PhoneLink::Serial => {
                let mut p = PhoneControl::new(self.config.phone.clone());
                let _ = p.init();
                self.rings_seen = p.rings();
                self.phone = Some(p);
                self.note("Link: phone over its serial port; setting it up".into());
            }
            PhoneLink::Manual => self.note("Link: manual (dial and answer on the handset)".into()),
            PhoneLink::Audio => self.note("Link: audio (the DCE dials with DTMF)".into()),
        }
    }

    fn note(&mut self, mut line: String) {
        if line.len() > LOG_LINE_MAX {
            let mut cut = LOG_LINE_MAX;
            while !line.is_char_boundary(cut) {
                cut -= 1;
            }
            line.truncate(cut);
        }
        if self.log.len() >= LOG_MAX {
            self.log.pop_front();
            self.dropped_log += 1;
        }
        self.log.push_back(line);
    }

    /// One block of at most [`BLOCK`] samples.
    fn block(&mut self, rx: &[f32], tx: &mut [f32]) {
        let m = rx.len().min(tx.len());
        match self.stage {
            Stage::AudioDialing { to_command, detect_busy } => match self.dialer.process(rx, tx) {
                Outcome::Working => {}
                Outcome::DialToneHeard => {
                    self.note("Line: dial tone".into());
                    self.hayes.event(LineEvent::DialToneHeard);
                }
                Outcome::NoDialTone => {
                    self.note("Line: no dial tone".into());
                    self.end_call(LineEvent::NoDialTone);
                }
                Outcome::Finished => self.dialled(to_command, Some(detect_busy)),
            },
            Stage::Modem => match self.modem.as_mut() {
                Some(modem) => {
                    modem.process(rx, tx);
                    self.watch_line(rx);
                }
                None => tx.iter_mut().for_each(|v| *v = 0.0),
            },
            _ => match self.closing.as_mut() {
                Some(c) => {
                    c.process(rx, tx);
                    if !c.is_releasing() {
                        self.closing = None;
                    }
                }
                None => tx.iter_mut().for_each(|v| *v = 0.0),
            },
        }
        let elapsed = Duration::from_samples(m as u32);
        self.now += elapsed;
        self.check_quality();
        self.hayes.advance(elapsed);
        if let Some(p) = self.phone.as_mut() {
            p.advance(elapsed);
        }
        self.pump();
    }

    /// Three seconds into a 2400 bit/s connection: if the line is too poor for 16-point QAM (a
    /// speech codec on the path, most often), say so, and how to connect at 1200 bit/s instead
    /// (V.22bis cannot change its rate during a call).
    fn check_quality(&mut self) {
        if self.quality_check_at.is_none_or(|t| self.now < t) {
            return;
        }
        self.quality_check_at = None;
        let snr = self.modem.as_ref().and_then(|m| m.v22_pump()).map(|p| p.receiver().snr_db());
        if let Some(snr) = snr.filter(|&q| q < POOR_2400_DB) {
            self.note(format!(
                "Modem: line poor for 2400 bit/s (SNR {snr:.1} dB), expect errors (a mobile call's speech codec?); AT+MS=V22B,1,0,1200 connects at 1200"
            ));
        }
    }

    /// Audio link, calling modem in its start-up: ringback and busy.
    fn watch_line(&mut self, rx: &[f32]) {
        let Some(report_busy) = self.watch_progress else { return };
        if self.modem.as_ref().is_none_or(|m| m.state() != modem::State::Handshake) {
            self.watch_progress = None;
            return;
        }
        use crate::tones::Tone;
        let (mut busy, mut ringback, mut voice) = (false, false, false);
        self.dialer.progress.process(rx, |e| match e.tone {
            Tone::Busy | Tone::Reorder => busy = true,
            Tone::Ringback => ringback = true,
            Tone::Voice => voice = true,
            _ => {}
        });
        if ringback {
            self.note("Line: ringing".into());
        }
        if voice {
            self.note("Line: a voice, or a modem".into());
        }
        if busy {
            self.note("Line: busy".into());
            if report_busy {
                self.end_call(LineEvent::Busy);
            }
        }
    }

    /// Runs everything that follows from the inputs: actions, events, data between the
    /// interpreter and the modem.
    fn pump(&mut self) {
        for _ in 0..8 {
            let mut busy = false;
            while let Some(a) = self.hayes.poll_action() {
                busy = true;
                self.on_action(a);
            }
            while let Some(e) = self.phone.as_mut().and_then(|p| p.poll_event()) {
                busy = true;
                self.on_phone_event(e);
            }
            self.count_rings();
            while let Some(n) = self.modem.as_mut().and_then(|m| m.poll_note()) {
                self.on_link_note(n);
            }
            while let Some(e) = self.modem.as_mut().and_then(|m| m.poll_event()) {
                busy = true;
                self.on_modem_event(e);
            }
            if matches!(self.stage, Stage::PhoneWait { .. }) {
                self.try_phone_dial();
            }
            self.reconcile();
            if !busy {
                break;
            }
        }
        self.move_data();
    }

    /// The safety net: the interpreter on-hook means nothing of ours runs, and the other way round.
    fn reconcile(&mut self) {
        if self.hayes.state() == State::Command {
            if !self.hayes.off_hook() && self.stage != Stage::OnHook {
                self.hang_up_all();
            } else if self.hayes.off_hook() && self.stage == Stage::OnHook {
                self.hayes.event(LineEvent::NoCarrier);
            }
        }
    }

    fn count_rings(&mut self) {
        let Some(p) = self.phone.as_ref() else { return };
        let rings = p.rings();
        while self.rings_seen < rings {
            self.rings_seen += 1;
            self.note("Phone: RING".into());
            self.hayes.event(LineEvent::Ring);
        }
    }

    fn move_data(&mut self) {
        let Some(m) = self.modem.as_mut() else { return };
        let mut buf = [0u8; 256];
        loop {
            let room = m.tx_free().min(buf.len());
            if room == 0 {
                break;
            }
            let n = self.hayes.to_line(&mut buf[..room]);
            if n == 0 {
                break;
            }
            self.counts.bytes_sent += m.write(&buf[..n]) as u64;
        }
        // Received data waits in the modem until the interpreter is online: a far modem that
        // sends as soon as it has connected may start before this one has declared its own
        // connection (an FSK caller's settling time), and the interpreter drops data before that.
        if !matches!(self.hayes.state(), State::Online | State::OnlineCommand) {
            return;
        }
        loop {
            if self.carry_start == self.carry_end {
                self.carry_start = 0;
                self.carry_end = m.read(&mut self.carry);
                self.counts.bytes_received += self.carry_end as u64;
                if self.carry_end == 0 {
                    break;
                }
            }
            let taken = self.hayes.from_line(&self.carry[self.carry_start..self.carry_end]);
            self.carry_start += taken.min(self.carry_end - self.carry_start);
            if taken == 0 {
                break;
            }
        }
    }
}

impl crate::types::LineEndpoint for Dce {
    fn process(&mut self, rx: &[f32], tx: &mut [f32]) {
        Dce::process(self, rx, tx)
    }
}

#[cfg(test)]
mod tests;
