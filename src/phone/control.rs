//! Call control for a phone behind a serial port, sans-IO: bytes from the phone, time and requests
//! in; AT command bytes and [`PhoneEvent`]s out. The bytes themselves are [`super::wire`]'s.
//!
//! Two ways to talk to a phone are supported by the same machine ([`Profile`]):
//!
//! - **3GPP TS 27.007** ([`Profile::Basic`]): a USB cellular modem's AT port, or a phone that offers
//!   one. Set-up `ATE0V1`, `AT+CMEE=1`, `AT+CRC=1`, `AT+CLIP=1` (each optional: errors are
//!   tolerated). Calls are followed by polling `AT+CLCC` every [`Config::poll_interval`] while a
//!   call is being set up, ringing or up, and by the unsolicited codes (`RING`, `+CRING`, `+CLIP`,
//!   `NO CARRIER`, `BUSY`, `NO ANSWER`).
//! - **Bluetooth Hands-Free Profile**, hands-free role ([`Profile::HandsFree`]): set-up
//!   `AT+BRSF=<features>`, `AT+CIND=?` (to find where the `call` and `callsetup` indicators are:
//!   the order varies by phone), `AT+CIND?`, `AT+CMER=3,0,0,1` (these four are required), then
//!   `AT+CLIP=1` and `AT+CMEE=1` (optional). Calls are followed through `+CIEV` (`callsetup` 1
//!   incoming, 2 dialing, 3 alerting, 0 over; `call` 1 up, 0 over) and the same unsolicited codes.
//!
//! One command is outstanding at a time: the next is written only once the phone has given the
//! previous one's final result code or it has timed out ([`Config::command_timeout`]). Requests
//! ([`PhoneControl::dial`], [`PhoneControl::answer`], [`PhoneControl::hang_up`],
//! [`PhoneControl::init`]) are accepted or refused at once ([`Refused`]); accepted ones are carried
//! out as soon as the line is free, before any poll. A dial that is still outstanding when the call
//! must end is aborted the V.250 way, by sending a character (a lone CR, which an idle phone
//! ignores).
//!
//! Every accepted [`PhoneControl::dial`] and every incoming call ends in exactly one
//! [`PhoneEvent::Ended`], after which the controller is idle again. When the phone stops answering
//! commands ([`Config::max_timeouts`] timeouts in a row) the controller reports
//! [`PhoneEvent::Unavailable`] and waits for [`PhoneControl::init`].
//!
//! # How it is built
//!
//! The controller's state is the link to the phone ([`PhoneControl::phase`] `Unready`,
//! `Initialising` or ready), the one command outstanding, what set-up learnt (does `AT+CLCC` work,
//! where are the hands-free indicators), and, while there is a call, that call: created when a call
//! starts (a dial is accepted, or a call rings here), dropped when it ends, so nothing of one call
//! is left for the next. The call's stage holds what only that stage needs (the dial string until
//! `ATD` is written, the time by which the far end must answer, the last `RING`, ...), and
//! [`Phase`] is read off it.
//!
//! ```
//! use softmodem::phone::control::{Config, PhoneControl, PhoneEvent};
//! use softmodem::sim::phone::{FarEnd, SimConfig, SimulatedPhone};
//! use softmodem::time::Duration;
//! let mut ctl = PhoneControl::new(Config::default());
//! let mut phone = SimulatedPhone::new(SimConfig::default());
//! phone.set_far_end(FarEnd::AnswersAfterMs(3000));
//! ctl.init().unwrap();
//! let mut events = Vec::new();
//! let mut buf = [0u8; 256];
//! for step in 0..400 {
//!     if step == 20 {
//!         ctl.dial("5551234").unwrap();
//!     }
//!     let n = ctl.to_phone(&mut buf);
//!     phone.write(&buf[..n]);
//!     let n = phone.read(&mut buf);
//!     ctl.from_phone(&buf[..n]);
//!     ctl.advance(Duration::from_ms(50));
//!     phone.advance(Duration::from_ms(50));
//!     events.extend(std::iter::from_fn(|| ctl.poll_event()));
//! }
//! assert_eq!(events, [PhoneEvent::Ready, PhoneEvent::Dialing, PhoneEvent::Alerting, PhoneEvent::Active]);
//! ```

use std::collections::VecDeque;

use super::wire::{
    self, CallEntry, CallState, Command, DialString, Direction, FinalResult, IndicatorRef, IndicatorSpec, LineSplitter,
    Response,
};
use crate::queue::ByteQueue;
use crate::time::{Duration, Instant};

pub use super::wire::MAX_DIAL;

mod call;
mod commands;

/// Events kept for [`PhoneControl::poll_event`]; when more pile up, the oldest are dropped.
pub const MAX_EVENTS: usize = 32;

/// `+CLCC` lines kept per poll; more are ignored.
const MAX_CALLS: usize = 8;

/// Polls in which a call not yet seen may be missing from `+CLCC` before it counts as gone.
const MISSING_POLLS: u32 = 3;

/// Least time between writing `ATD` and the character that aborts it (V.250 phones ignore
/// characters in the first 125 ms after the command line, meant for a trailing LF).
const ABORT_GUARD: Duration = Duration::from_ms(200);

/// After `callsetup` drops to 0 without `call` rising, how long to wait for `call` before the
/// call counts as over (hands-free gateways may send the two in either order).
const SETUP_GRACE: Duration = Duration::from_ms(1000);

/// Hands-free features bit: CLI presentation capability (HFP `AT+BRSF`, bit 2).
pub const HF_FEATURE_CLI: u32 = 1 << 2;

/// How the controller talks to the phone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Profile {
    /// 3GPP TS 27.007 call control with `AT+CLCC` polling.
    Basic,
    /// Bluetooth Hands-Free Profile, hands-free role, following calls through `+CIEV`.
    HandsFree {
        /// The hands-free supported-features bitmap sent with `AT+BRSF`. Claim nothing that
        /// needs more set-up (three-way calling, codec negotiation): [`HF_FEATURE_CLI`] is
        /// enough.
        features: u32,
    },
}

/// Timing and behaviour.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// How the phone is spoken to.
    pub profile: Profile,
    /// How long a command may go unanswered.
    pub command_timeout: Duration,
    /// How long from `ATD` until the far end is ringing (alerting) or answers; past it the call
    /// is hung up and ends with [`EndReason::Timeout`]. Also bounds an `ATD` the phone answers
    /// only once the call is up.
    pub dial_timeout: Duration,
    /// How long the far end may ring (alerting) before the call is hung up and ends with
    /// [`EndReason::NoAnswer`].
    pub no_answer: Duration,
    /// `AT+CLCC` polling interval while a call is being set up, ringing or up ([`Profile::Basic`]).
    pub poll_interval: Duration,
    /// After `RING`, how long to wait for `+CLIP` (the caller's number) before announcing
    /// [`PhoneEvent::Incoming`] without a number.
    pub clip_wait: Duration,
    /// Where calls are not listed by `AT+CLCC` polls (hands-free, or `AT+CLCC` refused), how long
    /// without `RING` (phones repeat it every few seconds) before a ringing call counts as given
    /// up by the caller.
    pub ring_silence: Duration,
    /// Command timeouts in a row after which the phone counts as unresponsive.
    pub max_timeouts: u32,
}

impl Default for Config {
    /// [`Profile::Basic`]: 5 s per command, 60 s to dial, 60 s of ringing, polls every 500 ms,
    /// 500 ms for the caller id, 10 s of ring silence, unresponsive after 2 timeouts.
    fn default() -> Self {
        Config {
            profile: Profile::Basic,
            command_timeout: Duration::from_secs(5),
            dial_timeout: Duration::from_secs(60),
            no_answer: Duration::from_secs(60),
            poll_interval: Duration::from_ms(500),
            clip_wait: Duration::from_ms(500),
            ring_silence: Duration::from_secs(10),
            max_timeouts: 2,
        }
    }
}

impl Config {
    /// The defaults with [`Profile::HandsFree`] and [`HF_FEATURE_CLI`].
    pub fn hands_free() -> Self {
        Config { profile: Profile::HandsFree { features: HF_FEATURE_CLI }, ..Config::default() }
    }
}

/// Why a call ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EndReason {
    /// The called party is busy (`BUSY`).
    Busy,
    /// Nobody answered: `NO ANSWER` from the phone, or [`Config::no_answer`] of ringing.
    NoAnswer,
    /// The call was up (or ringing here) and the far end hung up (`NO CARRIER`, or it left the
    /// call list).
    NoCarrier,
    /// An outgoing call ended before it was answered without a busy or no-answer indication: the
    /// far end declined it or the network released it (`NO CARRIER` during set-up, or the call
    /// left the call list).
    Rejected,
    /// The phone cannot call now (`NO DIALTONE`: no network).
    NoDialtone,
    /// The phone refused a command (`ERROR`, `+CME ERROR: ...`); the text says which.
    Error(String),
    /// The call did not progress in time ([`Config::dial_timeout`], or a command that timed
    /// out once); it was hung up.
    Timeout,
    /// [`PhoneControl::hang_up`] ended it.
    LocalHangUp,
    /// The phone stopped answering commands.
    Unresponsive,
}

impl EndReason {
    /// The Hayes (V.250) result code a modem would report for this end of a call: `BUSY`,
    /// `NO ANSWER`, `NO DIALTONE`, `ERROR`, or `NO CARRIER` (no carrier, rejected, timed out,
    /// hung up locally).
    pub fn hayes(&self) -> &'static str {
        match self {
            EndReason::Busy => "BUSY",
            EndReason::NoAnswer => "NO ANSWER",
            EndReason::NoDialtone => "NO DIALTONE",
            EndReason::Error(_) | EndReason::Unresponsive => "ERROR",
            EndReason::NoCarrier | EndReason::Rejected | EndReason::Timeout | EndReason::LocalHangUp => "NO CARRIER",
        }
    }
}

/// Something the controller reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PhoneEvent {
    /// Set-up is done: calls can be placed and are reported.
    Ready,
    /// The phone cannot be used: it stopped answering ([`EndReason::Unresponsive`]) or refused a
    /// required hands-free set-up command ([`EndReason::Error`]). [`PhoneControl::init`] tries
    /// again.
    Unavailable {
        /// Why.
        reason: EndReason,
    },
    /// A call is ringing here; [`PhoneControl::answer`] takes it, [`PhoneControl::hang_up`]
    /// rejects it. Reported once per call.
    Incoming {
        /// The caller's number, when the phone gave it.
        number: Option<String>,
    },
    /// `ATD` has been sent: the phone is placing the call.
    Dialing,
    /// The far end is ringing.
    Alerting,
    /// The call is up (answered, either end): start the modem now.
    Active,
    /// The call is over and the controller idle.
    Ended {
        /// Why it ended.
        reason: EndReason,
    },
}

/// Why a request was refused. Nothing changes when a request is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// Set-up has not finished ([`PhoneEvent::Ready`] not yet reported), or the phone is
    /// unavailable.
    NotReady,
    /// A call is in progress (being dialled, ringing, up, or being hung up).
    CallInProgress,
    /// [`PhoneControl::hang_up`] with no call.
    NoCall,
    /// [`PhoneControl::answer`] with no call ringing.
    NoIncomingCall,
    /// The number is empty, too long, or holds characters a dial string cannot.
    InvalidNumber,
}

impl core::fmt::Display for Refused {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            Refused::NotReady => "the phone is not set up",
            Refused::CallInProgress => "the phone has a call in progress",
            Refused::NoCall => "the phone has no call",
            Refused::NoIncomingCall => "no call is ringing",
            Refused::InvalidNumber => "the number is empty, too long, or holds characters a dial string cannot",
        })
    }
}

impl std::error::Error for Refused {}

/// Where the controller is, for display ([`PhoneControl::phase`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Not set up, or the phone was lost: [`PhoneControl::init`].
    Unready,
    /// Set-up commands are running.
    Initialising,
    /// Ready, no call.
    Idle,
    /// An outgoing call is being placed.
    Dialing,
    /// An outgoing call rings at the far end.
    Alerting,
    /// A call is up.
    Active,
    /// An incoming call rings here.
    Ringing,
    /// An incoming call is being answered.
    Answering,
    /// A call is being hung up.
    HangingUp,
}

/// The link to the phone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Link {
    /// Not set up ([`PhoneControl::init`] starts set-up), set-up failed, or the phone was lost.
    Unready,
    /// Set-up: the index of the next set-up command ([`setup_command`]).
    Init(usize),
    /// Set up: calls can be made and are followed.
    Ready,
}

/// The set-up command at `step` for `profile`; `None` once set-up is complete.
fn setup_command(profile: Profile, step: usize) -> Option<Command> {
    match profile {
        Profile::Basic => {
            [Command::EchoOff, Command::ReportErrors, Command::CellularResultCodes, Command::CallingLineId]
                .get(step)
                .cloned()
        }
        Profile::HandsFree { features } => [
            Command::SupportedFeatures(features),
            Command::IndicatorList,
            Command::IndicatorValues,
            Command::EventReporting,
            Command::CallingLineId,
            Command::ReportErrors,
        ]
        .get(step)
        .cloned(),
    }
}

/// Whether `command` is one of the set-up commands.
fn is_setup(command: &Command) -> bool {
    !matches!(command, Command::Dial(_) | Command::Answer | Command::HangUp | Command::OnHook | Command::ListCalls)
}

/// Whether set-up fails when the phone refuses `command` (the hands-free ones it cannot do
/// without); the others are tolerated.
fn is_required(command: &Command) -> bool {
    matches!(command, Command::SupportedFeatures(_) | Command::IndicatorList | Command::EventReporting)
}

/// The command written to the phone whose final result code is awaited.
#[derive(Debug, Clone)]
struct Outstanding {
    command: Command,
    /// The call it was sent for: the number of calls started when it was sent
    /// ([`PhoneControl::calls`]). Its result concerns nothing after that call.
    call: u32,
    sent_at: Instant,
    /// When it times out.
    deadline: Instant,
    abort: Abort,
    /// The `+CLCC` lines the phone gave so far, for `AT+CLCC` (at most [`MAX_CALLS`]).
    listed: Vec<CallEntry>,
}

/// Aborting an `ATD` or `ATA` still outstanding when its call must end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Abort {
    /// Not asked for.
    No,
    /// The abort character is written at this time.
    Due(Instant),
    /// The abort character has been written.
    Sent,
}

/// What the hands-free set-up learnt about the phone's indicators (`AT+CIND=?`, `AT+CIND?`) and
/// the `call` indicator's value since.
#[derive(Debug, Clone, Default)]
struct Indicators {
    /// The names, in the phone's order.
    names: Vec<String>,
    /// The 1-based index of `call`.
    call: Option<u32>,
    /// The 1-based index of `callsetup`.
    callsetup: Option<u32>,
    /// The `call` indicator's value (0: no call up).
    call_value: u32,
}

impl Indicators {
    /// Learns the names and finds `call` and `callsetup` among them.
    fn learn(&mut self, list: Vec<IndicatorSpec>) {
        self.names = list.into_iter().map(|i| i.name).collect();
        self.call = self.find(&["call"]);
        self.callsetup = self.find(&["callsetup", "call_setup"]);
    }

    /// Takes the `call` indicator's value from an `AT+CIND?` answer.
    fn read(&mut self, values: &[u32]) {
        if let Some(i) = self.call {
            self.call_value = values.get(i as usize - 1).copied().unwrap_or(0);
        }
    }

    /// The 1-based index of the first indicator with one of `names` (case ignored).
    fn find(&self, names: &[&str]) -> Option<u32> {
        self.names.iter().position(|n| names.iter().any(|w| n.eq_ignore_ascii_case(w))).map(|p| p as u32 + 1)
    }

    /// The 1-based index a `+CIEV` refers to.
    fn index(&self, indicator: &IndicatorRef) -> Option<u32> {
        match indicator {
            IndicatorRef::Index(i) => Some(*i),
            IndicatorRef::Name(n) => self.find(&[n]),
        }
    }
}

/// The call in progress. Created when a call starts ([`PhoneControl::dial`], or the first sign of
/// a call ringing here), dropped when it ends. While it lasts, [`PhoneControl::calls`] counts it as the latest call.
#[derive(Debug, Clone)]
struct Call {
    direction: Direction,
    stage: Stage,
    /// Its `<id>` in `+CLCC`, once a poll has found it.
    listed_as: Option<u32>,
    /// Polls in a row that have not found it (while `listed_as` is unknown).
    missing_polls: u32,
    /// When the next `AT+CLCC` poll is due.
    next_poll: Instant,
    /// The far end's number, from `+CLIP` or `+CLCC`.
    number: Option<String>,
    /// [`PhoneEvent::Incoming`] has been reported for it.
    announced: bool,
    /// Hands-free: `callsetup` dropped to 0 without `call` rising; unless `call` rises first, the
    /// call ends so at this time.
    pending_end: Option<(EndReason, Instant)>,
}

/// Where a call is, with what only that stage needs.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Stage {
    /// Outgoing, being placed.
    Dialing(Atd),
    /// Outgoing, ringing at the far end; hung up at `give_up_at` unless answered.
    Alerting { give_up_at: Instant },
    /// Up.
    Active,
    /// Incoming, ringing here.
    Ringing {
        /// When to announce it without waiting longer for `+CLIP`.
        announce_at: Instant,
        /// The last `RING` (or `+CLIP`).
        last_ring: Instant,
    },
    /// Incoming, being answered: `ATA` to be written, or outstanding.
    Answering,
    /// Being hung up with `AT+CHUP`, or with `ATH` once the phone refused that; it ends with
    /// `reason`.
    HangingUp { reason: EndReason, ath: bool },
}

/// The `ATD` of a call being placed.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Atd {
    /// Not yet written.
    Queued(DialString),
    /// Written, no final result yet; the call is hung up at `give_up_at` unless it progresses.
    Sent { give_up_at: Instant },
    /// The phone said `OK`: it is placing the call (same deadline).
    Placed { give_up_at: Instant },
}

impl Stage {
    /// The [`Phase`] shown for this stage.
    fn phase(&self) -> Phase {
        match self {
            Stage::Dialing(_) => Phase::Dialing,
            Stage::Alerting { .. } => Phase::Alerting,
            Stage::Active => Phase::Active,
            Stage::Ringing { .. } => Phase::Ringing,
            Stage::Answering => Phase::Answering,
            Stage::HangingUp { .. } => Phase::HangingUp,
        }
    }

    /// Outgoing, `ATD` written (or answered): the far end may be reached.
    fn dialled(&self) -> bool {
        matches!(self, Stage::Dialing(Atd::Sent { .. } | Atd::Placed { .. }))
    }
}

/// Sans-IO call control for a phone's AT port. See the [module documentation](self).
#[derive(Debug, Clone)]
pub struct PhoneControl {
    config: Config,
    now: Instant,
    splitter: LineSplitter,
    out: ByteQueue,
    events: VecDeque<PhoneEvent>,
    dropped_events: u64,
    link: Link,
    outstanding: Option<Outstanding>,
    /// Command timeouts in a row.
    timeouts: u32,
    /// `AT+CLCC` works (until the phone refuses it).
    clcc_ok: bool,
    /// Hands-free indicators.
    indicators: Indicators,
    /// Calls started so far (wrapping): which call is the latest, for [`Outstanding::call`].
    calls: u32,
    /// The call in progress; only while the link is ready.
    call: Option<Call>,
    rings: u64,
}

impl PhoneControl {
    /// A controller, not yet set up: call [`PhoneControl::init`].
    pub fn new(config: Config) -> Self {
        PhoneControl {
            config,
            now: Instant::ZERO,
            splitter: LineSplitter::new(),
            out: ByteQueue::new(128),
            events: VecDeque::with_capacity(MAX_EVENTS),
            dropped_events: 0,
            link: Link::Unready,
            outstanding: None,
            timeouts: 0,
            clcc_ok: true,
            indicators: Indicators::default(),
            calls: 0,
            call: None,
            rings: 0,
        }
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Where the controller is.
    pub fn phase(&self) -> Phase {
        match (self.link, &self.call) {
            (Link::Unready, _) => Phase::Unready,
            (Link::Init(_), _) => Phase::Initialising,
            (Link::Ready, None) => Phase::Idle,
            (Link::Ready, Some(call)) => call.stage.phase(),
        }
    }

    /// How many `RING`/`+CRING` codes the phone has sent for calls ringing here, since the
    /// controller was created (a Hayes front end counts each one into its ring count, S1).
    pub fn rings(&self) -> u64 {
        self.rings
    }

    /// True while a command waits for its final result code.
    pub fn waiting_for_phone(&self) -> bool {
        self.outstanding.is_some()
    }

    /// Events dropped because more than [`MAX_EVENTS`] were waiting.
    pub fn dropped_events(&self) -> u64 {
        self.dropped_events
    }

    /// Events waiting for [`PhoneControl::poll_event`] (at most [`MAX_EVENTS`]).
    pub fn pending_events(&self) -> usize {
        self.events.len()
    }

    /// For [`Profile::HandsFree`]: the `+CIND=?` indicator names in the phone's order, once
    /// known.
    pub fn indicators(&self) -> &[String] {
        &self.indicators.names
    }

    // ---- requests ----

    /// Starts (or restarts) set-up. Refused while a call is in progress.
    pub fn init(&mut self) -> Result<(), Refused> {
        match self.link {
            Link::Init(_) => Ok(()),
            Link::Ready if self.call.is_some() => Err(Refused::CallInProgress),
            _ => {
                self.link = Link::Init(0);
                self.timeouts = 0;
                self.clcc_ok = true;
                self.indicators = Indicators::default();
                Ok(())
            }
        }
    }

    /// Places a voice call (`ATD<number>;`). Spaces, dashes, dots, slashes and parentheses are
    /// dropped; what remains must be 1 to [`MAX_DIAL`] characters of `0-9 * # A-D`, the V.250
    /// modifiers `, W P T ! @`, and `+` first ([`DialString`]).
    pub fn dial(&mut self, number: &str) -> Result<(), Refused> {
        let number = DialString::new(number).ok_or(Refused::InvalidNumber)?;
        self.check_ready()?;
        if self.call.is_some() {
            return Err(Refused::CallInProgress);
        }
        self.start_call(Direction::Outgoing, Stage::Dialing(Atd::Queued(number)));
        Ok(())
    }

    /// Answers the call ringing here (`ATA`).
    pub fn answer(&mut self) -> Result<(), Refused> {
        self.check_ready()?;
        match self.call.as_ref().map(|c| (&c.stage, c.announced)) {
            Some((Stage::Answering, _)) => Ok(()),
            Some((Stage::Ringing { .. }, announced)) => {
                if !announced {
                    self.announce();
                }
                self.set_stage(Stage::Answering);
                Ok(())
            }
            _ => Err(Refused::NoIncomingCall),
        }
    }

    /// Hangs up the call, whatever its state (`AT+CHUP`, then `ATH` if the phone refuses it);
    /// rejects a call ringing here. Ends in [`PhoneEvent::Ended`] with
    /// [`EndReason::LocalHangUp`].
    pub fn hang_up(&mut self) -> Result<(), Refused> {
        self.check_ready()?;
        match self.call.as_ref().map(|c| &c.stage) {
            None => Err(Refused::NoCall),
            Some(Stage::HangingUp { .. }) => Ok(()),
            Some(_) => {
                self.start_hang_up(EndReason::LocalHangUp);
                Ok(())
            }
        }
    }

    /// The link to the phone is gone (its serial port was unplugged or closed, a Bluetooth link
    /// dropped): as when it stops answering, a call in progress ends with
    /// [`EndReason::Unresponsive`], [`PhoneEvent::Unavailable`] is reported, and nothing more is
    /// sent until [`PhoneControl::init`]. Nothing happens when the phone is not set up (or
    /// already lost).
    pub fn lost(&mut self) {
        if self.link == Link::Unready {
            self.outstanding = None;
            self.out.clear();
            return;
        }
        self.unresponsive();
    }

    // ---- input, time and output ----

    /// Bytes read from the phone, in any pieces.
    pub fn from_phone(&mut self, data: &[u8]) {
        let mut lines = Vec::new();
        self.splitter.push(data, |l| lines.push(wire::parse(l)));
        for r in lines {
            self.handle(r);
        }
    }

    /// One line from the phone: a final result code, news of the call, or information for the
    /// command outstanding.
    fn handle(&mut self, r: Response) {
        match r {
            Response::Final(f) => self.on_final(f),
            Response::Ring | Response::Cring(_) => self.on_ring(),
            Response::Clip(id) => self.on_clip(id.number),
            Response::Ciev { indicator, value } => self.on_ciev(indicator, value),
            Response::Clcc(entry) => {
                if let Some(o) = self.outstanding.as_mut().filter(|o| o.command == Command::ListCalls) {
                    if o.listed.len() < MAX_CALLS {
                        o.listed.push(entry);
                    }
                }
            }
            Response::CindSupported(list) => {
                if self.awaiting(&Command::IndicatorList) {
                    self.indicators.learn(list);
                }
            }
            Response::CindValues(values) => {
                if self.awaiting(&Command::IndicatorValues) {
                    self.indicators.read(&values);
                }
            }
            Response::Blank | Response::Echo(_) | Response::Brsf(_) | Response::Overlong(_) | Response::Other(_) => {}
        }
    }

    /// Lets `elapsed` pass.
    pub fn advance(&mut self, elapsed: Duration) {
        self.now += elapsed;
        self.tick();
    }

    /// Timers: the call's ([`PhoneControl::call_timers`]), then the outstanding command's
    /// ([`PhoneControl::command_timers`]).
    fn tick(&mut self) {
        if self.link == Link::Ready {
            self.call_timers();
        }
        self.command_timers();
    }

    /// Fills `out` with command bytes to write to the phone; returns how many. Call it after
    /// every [`PhoneControl::from_phone`], [`PhoneControl::advance`] and request.
    pub fn to_phone(&mut self, out: &mut [u8]) -> usize {
        self.tick();
        if self.out.is_empty() && self.outstanding.is_none() {
            self.start_next();
        }
        self.out.read(out)
    }

    /// The next event, oldest first.
    pub fn poll_event(&mut self) -> Option<PhoneEvent> {
        self.events.pop_front()
    }

    // ---- the link ----

    fn report(&mut self, e: PhoneEvent) {
        if self.events.len() >= MAX_EVENTS {
            self.events.pop_front();
            self.dropped_events += 1;
        }
        self.events.push_back(e);
    }

    fn check_ready(&self) -> Result<(), Refused> {
        if self.link == Link::Ready {
            Ok(())
        } else {
            Err(Refused::NotReady)
        }
    }

    fn hands_free(&self) -> bool {
        matches!(self.config.profile, Profile::HandsFree { .. })
    }

    /// Whether calls are followed by `AT+CLCC` polls.
    fn polling(&self) -> bool {
        !self.hands_free() && self.clcc_ok
    }

    /// Whether a ringing call is followed through its repeated `RING`s (everywhere but where
    /// `AT+CLCC` polls show it).
    fn ring_silence_applies(&self) -> bool {
        !self.polling()
    }

    /// Set-up failed: the phone cannot be used until [`PhoneControl::init`].
    fn fail_setup(&mut self, reason: EndReason) {
        self.link = Link::Unready;
        self.report(PhoneEvent::Unavailable { reason });
    }

    /// The phone stopped answering, or its port is gone: any call ends, nothing is sent until
    /// [`PhoneControl::init`].
    fn unresponsive(&mut self) {
        if self.link == Link::Ready && self.call.is_some() {
            self.end_call(EndReason::Unresponsive);
        }
        self.call = None;
        self.link = Link::Unready;
        self.outstanding = None;
        self.out.clear();
        self.timeouts = 0;
        self.report(PhoneEvent::Unavailable { reason: EndReason::Unresponsive });
    }

    /// Whether `command` is the one outstanding.
    fn awaiting(&self, command: &Command) -> bool {
        self.outstanding.as_ref().is_some_and(|o| o.command == *command)
    }

    /// Whether a result concerns the call in progress (or the call just ended): it was sent for
    /// the latest call, and the link is still up.
    fn concerns_latest_call(&self, o: &Outstanding) -> bool {
        o.call == self.calls && self.link == Link::Ready
    }
}
