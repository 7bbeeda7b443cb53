//! Call control for a phone behind a serial port, sans-IO: bytes from the phone, time and requests
//! in; AT command bytes and [`PhoneEvent`]s out.
//!
//! Two ways to talk to a phone are supported by the same machine ([`Profile`]):
//!
//! - **3GPP TS 27.007** ([`Profile::Basic`]): a USB cellular modem's AT port, or a phone that offers
//!   one. Set-up `ATE0V1`, `AT+CMEE=1`, `AT+CRC=1`, `AT+CLIP=1` (each optional: errors are
//!   tolerated). Calls are followed by polling `AT+CLCC` every [`Config::poll_interval_ms`] while a
//!   call is being set up, ringing or up, and by the unsolicited codes (`RING`, `+CRING`, `+CLIP`,
//!   `NO CARRIER`, `BUSY`, `NO ANSWER`).
//! - **Bluetooth Hands-Free Profile**, hands-free role ([`Profile::HandsFree`]): set-up
//!   `AT+BRSF=<features>`, `AT+CIND=?` (to find where the `call` and `callsetup` indicators are:
//!   the order varies by phone), `AT+CIND?`, `AT+CMER=3,0,0,1` (these four are required), then
//!   `AT+CLIP=1` and `AT+CMEE=1` (optional). Calls are followed through `+CIEV` (`callsetup` 1
//!   incoming, 2 dialing, 3 alerting, 0 over; `call` 1 up, 0 over) and the same unsolicited codes.
//!
//! One command is outstanding at a time: the next is written only once the phone has given the
//! previous one's final result code or it has timed out ([`Config::command_timeout_ms`]). Requests
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

use super::response::{self, CallEntry, CallState, Direction, FinalResult, IndicatorRef, LineSplitter, Response};
use crate::queue::ByteQueue;
use crate::time::Duration;

/// Samples per millisecond.

/// The longest dial string accepted by [`PhoneControl::dial`] (after formatting characters are
/// removed).
pub const MAX_DIAL: usize = 64;

/// Events kept for [`PhoneControl::poll_event`]; when more pile up, the oldest are dropped.
pub const MAX_EVENTS: usize = 32;

/// `+CLCC` lines kept per poll; more are ignored.
const MAX_CALLS: usize = 8;

/// Polls in which a call not yet seen may be missing from `+CLCC` before it counts as gone.
const MISSING_POLLS: u32 = 3;

/// Least time between writing `ATD` and the character that aborts it (V.250 phones ignore
/// characters in the first 125 ms after the command line, meant for a trailing LF).
const ABORT_GUARD_MS: u64 = 200;

/// After `callsetup` drops to 0 without `call` rising, how long to wait for `call` before the
/// call counts as over (hands-free gateways may send the two in either order).
const SETUP_GRACE_MS: u64 = 1000;

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

/// Timing and behaviour. Times are in milliseconds; the controller counts samples at 8000 Hz.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// How the phone is spoken to.
    pub profile: Profile,
    /// How long a command may go unanswered.
    pub command_timeout_ms: u32,
    /// How long from `ATD` until the far end is ringing (alerting) or answers; past it the call
    /// is hung up and ends with [`EndReason::Timeout`]. Also bounds an `ATD` the phone answers
    /// only once the call is up.
    pub dial_timeout_ms: u32,
    /// How long the far end may ring (alerting) before the call is hung up and ends with
    /// [`EndReason::NoAnswer`].
    pub no_answer_ms: u32,
    /// `AT+CLCC` polling interval while a call is being set up, ringing or up ([`Profile::Basic`]).
    pub poll_interval_ms: u32,
    /// After `RING`, how long to wait for `+CLIP` (the caller's number) before announcing
    /// [`PhoneEvent::Incoming`] without a number.
    pub clip_wait_ms: u32,
    /// Where calls are not listed by `AT+CLCC` polls (hands-free, or `AT+CLCC` refused), how long
    /// without `RING` (phones repeat it every few seconds) before a ringing call counts as given
    /// up by the caller.
    pub ring_silence_ms: u32,
    /// Command timeouts in a row after which the phone counts as unresponsive.
    pub max_timeouts: u32,
}

impl Default for Config {
    /// [`Profile::Basic`]: 5 s per command, 60 s to dial, 60 s of ringing, polls every 500 ms,
    /// 500 ms for the caller id, 10 s of ring silence, unresponsive after 2 timeouts.
    fn default() -> Self {
        Config {
            profile: Profile::Basic,
            command_timeout_ms: 5000,
            dial_timeout_ms: 60_000,
            no_answer_ms: 60_000,
            poll_interval_ms: 500,
            clip_wait_ms: 500,
            ring_silence_ms: 10_000,
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
    /// Nobody answered: `NO ANSWER` from the phone, or [`Config::no_answer_ms`] of ringing.
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
    /// The call did not progress in time ([`Config::dial_timeout_ms`], or a command that timed
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

/// Where the controller is, for display.
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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    EchoOff,
    Cmee,
    Crc,
    Clip,
    Brsf,
    CindTest,
    CindRead,
    Cmer,
}

const BASIC_STEPS: [Step; 4] = [Step::EchoOff, Step::Cmee, Step::Crc, Step::Clip];
const HF_STEPS: [Step; 6] = [Step::Brsf, Step::CindTest, Step::CindRead, Step::Cmer, Step::Clip, Step::Cmee];

impl Step {
    fn required(self) -> bool {
        matches!(self, Step::Brsf | Step::CindTest | Step::Cmer)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cmd {
    Setup(Step),
    Dial,
    Answer,
    Chup,
    Ath,
    Clcc,
}

#[derive(Debug, Clone, Copy)]
struct Outstanding {
    cmd: Cmd,
    /// The call generation the command belongs to.
    gen: u32,
    sent_at: u64,
    deadline: u64,
    abort_at: Option<u64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Link {
    Unready,
    Init(usize),
    Ready,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CallPhase {
    Idle,
    Dialing,
    Alerting,
    Active,
    Ringing,
    Answering,
    Ending,
}

/// Sans-IO call control for a phone's AT port. See the [module documentation](self).
#[derive(Debug, Clone)]
pub struct PhoneControl {
    config: Config,
    now: u64,
    splitter: LineSplitter,
    out: ByteQueue,
    events: VecDeque<PhoneEvent>,
    dropped_events: u64,
    link: Link,
    outstanding: Option<Outstanding>,
    timeouts: u32,
    clcc_ok: bool,
    clcc_lines: Vec<CallEntry>,
    next_poll: u64,
    // Hands-free indicators.
    indicators: Vec<String>,
    call_ind: Option<u32>,
    callsetup_ind: Option<u32>,
    call_value: u32,
    // The current call.
    gen: u32,
    phase: CallPhase,
    direction: Direction,
    dial_number: String,
    atd_sent: bool,
    atd_done: bool,
    call_id: Option<u32>,
    missing_polls: u32,
    stage_deadline: Option<u64>,
    announced: bool,
    announce_at: u64,
    number: Option<String>,
    last_ring: u64,
    end_reason: EndReason,
    try_ath: bool,
    pending_end: Option<(EndReason, u64)>,
    rings: u64,
}

impl PhoneControl {
    /// A controller, not yet set up: call [`PhoneControl::init`].
    pub fn new(config: Config) -> Self {
        PhoneControl {
            config,
            now: 0,
            splitter: LineSplitter::new(),
            out: ByteQueue::new(128),
            events: VecDeque::with_capacity(MAX_EVENTS),
            dropped_events: 0,
            link: Link::Unready,
            outstanding: None,
            timeouts: 0,
            clcc_ok: true,
            clcc_lines: Vec::with_capacity(MAX_CALLS),
            next_poll: 0,
            indicators: Vec::new(),
            call_ind: None,
            callsetup_ind: None,
            call_value: 0,
            gen: 0,
            phase: CallPhase::Idle,
            direction: Direction::Outgoing,
            dial_number: String::new(),
            atd_sent: false,
            atd_done: false,
            call_id: None,
            missing_polls: 0,
            stage_deadline: None,
            announced: false,
            announce_at: 0,
            number: None,
            last_ring: 0,
            end_reason: EndReason::LocalHangUp,
            try_ath: false,
            pending_end: None,
            rings: 0,
        }
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Where the controller is.
    pub fn phase(&self) -> Phase {
        match self.link {
            Link::Unready => Phase::Unready,
            Link::Init(_) => Phase::Initialising,
            Link::Ready => match self.phase {
                CallPhase::Idle => Phase::Idle,
                CallPhase::Dialing => Phase::Dialing,
                CallPhase::Alerting => Phase::Alerting,
                CallPhase::Active => Phase::Active,
                CallPhase::Ringing => Phase::Ringing,
                CallPhase::Answering => Phase::Answering,
                CallPhase::Ending => Phase::HangingUp,
            },
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
        &self.indicators
    }

    /// Starts (or restarts) set-up. Refused while a call is in progress.
    pub fn init(&mut self) -> Result<(), Refused> {
        match self.link {
            Link::Init(_) => Ok(()),
            Link::Ready if self.phase != CallPhase::Idle => Err(Refused::CallInProgress),
            _ => {
                self.link = Link::Init(0);
                self.timeouts = 0;
                self.clcc_ok = true;
                self.indicators.clear();
                self.call_ind = None;
                self.callsetup_ind = None;
                self.call_value = 0;
                Ok(())
            }
        }
    }

    /// Places a voice call (`ATD<number>;`). Spaces, dashes, dots, slashes and parentheses are
    /// dropped; what remains must be 1 to [`MAX_DIAL`] characters of `0-9 * # A-D`, the V.250
    /// modifiers `, W P T ! @`, and `+` first.
    pub fn dial(&mut self, number: &str) -> Result<(), Refused> {
        let number = dial_string(number).ok_or(Refused::InvalidNumber)?;
        self.check_ready()?;
        if self.phase != CallPhase::Idle {
            return Err(Refused::CallInProgress);
        }
        self.new_call(CallPhase::Dialing, Direction::Outgoing);
        self.dial_number = number;
        Ok(())
    }

    /// Answers the call ringing here (`ATA`).
    pub fn answer(&mut self) -> Result<(), Refused> {
        self.check_ready()?;
        match self.phase {
            CallPhase::Answering => Ok(()),
            CallPhase::Ringing => {
                if !self.announced {
                    self.announce();
                }
                self.phase = CallPhase::Answering;
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
        match self.phase {
            CallPhase::Idle => Err(Refused::NoCall),
            CallPhase::Ending => Ok(()),
            _ => {
                self.start_cleanup(EndReason::LocalHangUp);
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

    /// Bytes read from the phone, in any pieces.
    pub fn from_phone(&mut self, data: &[u8]) {
        let mut lines = Vec::new();
        self.splitter.push(data, |l| lines.push(response::parse(l)));
        for r in lines {
            self.handle(r);
        }
    }

    /// Lets `elapsed` pass.
    pub fn advance(&mut self, elapsed: Duration) {
        self.now += elapsed.samples() as u64;
        self.tick();
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

    // ---- internals ----

    fn ms(&self, ms: u32) -> u64 {
        Duration::from_ms(ms).samples() as u64
    }

    fn emit(&mut self, e: PhoneEvent) {
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

    fn new_call(&mut self, phase: CallPhase, direction: Direction) {
        self.gen = self.gen.wrapping_add(1);
        self.phase = phase;
        self.direction = direction;
        self.dial_number.clear();
        self.atd_sent = false;
        self.atd_done = false;
        self.call_id = None;
        self.missing_polls = 0;
        self.stage_deadline = None;
        self.announced = false;
        self.number = None;
        self.last_ring = self.now;
        self.try_ath = false;
        self.pending_end = None;
        self.next_poll = self.now;
        self.clcc_lines.clear();
    }

    /// The phone says the call is over: report it, go idle.
    fn end_now(&mut self, reason: EndReason) {
        if matches!(self.phase, CallPhase::Ringing | CallPhase::Answering) && !self.announced {
            // Every incoming call is announced before it ends.
            self.announce();
        }
        self.phase = CallPhase::Idle;
        self.pending_end = None;
        self.stage_deadline = None;
        self.emit(PhoneEvent::Ended { reason });
    }

    /// The call must be hung up (locally, or after a timeout or error); `Ended { reason }` follows
    /// once the phone has done it.
    fn start_cleanup(&mut self, reason: EndReason) {
        let nothing_to_hang_up = self.phase == CallPhase::Dialing && !self.atd_sent;
        self.end_reason = reason;
        self.try_ath = false;
        self.pending_end = None;
        self.stage_deadline = None;
        if nothing_to_hang_up {
            let reason = self.end_reason.clone();
            self.end_now(reason);
            return;
        }
        self.phase = CallPhase::Ending;
        let (now, guard, timeout) = (self.now, self.ms(ABORT_GUARD_MS as u32), self.ms(self.config.command_timeout_ms));
        if let Some(o) = self.outstanding.as_mut() {
            if matches!(o.cmd, Cmd::Dial | Cmd::Answer) && o.gen == self.gen && o.abort_at.is_none() {
                let at = now.max(o.sent_at + guard);
                o.abort_at = Some(at);
                o.deadline = o.deadline.min(at + timeout);
            }
        }
    }

    fn finish_cleanup(&mut self) {
        let reason = self.end_reason.clone();
        self.end_now(reason);
    }

    fn go_alerting(&mut self) {
        if self.phase == CallPhase::Dialing {
            self.phase = CallPhase::Alerting;
            self.stage_deadline = Some(self.now + self.ms(self.config.no_answer_ms));
            self.emit(PhoneEvent::Alerting);
        }
    }

    fn go_active(&mut self) {
        if matches!(self.phase, CallPhase::Dialing | CallPhase::Alerting | CallPhase::Ringing | CallPhase::Answering) {
            if self.phase == CallPhase::Ringing && !self.announced {
                self.announce();
            }
            self.phase = CallPhase::Active;
            self.stage_deadline = None;
            self.pending_end = None;
            self.emit(PhoneEvent::Active);
        }
    }

    fn announce(&mut self) {
        self.announced = true;
        let number = self.number.clone();
        self.emit(PhoneEvent::Incoming { number });
    }

    fn start_incoming(&mut self) {
        self.new_call(CallPhase::Ringing, Direction::Incoming);
        self.announce_at = self.now + self.ms(self.config.clip_wait_ms);
    }

    fn unresponsive(&mut self) {
        if self.link == Link::Ready && self.phase != CallPhase::Idle {
            self.end_now(EndReason::Unresponsive);
        }
        self.phase = CallPhase::Idle;
        self.link = Link::Unready;
        self.outstanding = None;
        self.out.clear();
        self.timeouts = 0;
        self.emit(PhoneEvent::Unavailable { reason: EndReason::Unresponsive });
    }

    /// Timers: aborts, command timeouts, call-stage deadlines, the delayed incoming announcement.
    fn tick(&mut self) {
        let now = self.now;
        if self.link == Link::Ready {
            if let Some(t) = self.stage_deadline {
                if now >= t {
                    self.stage_deadline = None;
                    match self.phase {
                        CallPhase::Dialing => self.start_cleanup(EndReason::Timeout),
                        CallPhase::Alerting => self.start_cleanup(EndReason::NoAnswer),
                        _ => {}
                    }
                }
            }
            if self.phase == CallPhase::Ringing {
                if !self.announced && now >= self.announce_at {
                    self.announce();
                }
                if self.ring_silence_applies() && now >= self.last_ring + self.ms(self.config.ring_silence_ms) {
                    self.end_now(EndReason::NoCarrier);
                }
            }
            if let Some((reason, t)) = self.pending_end.clone() {
                if now >= t {
                    self.pending_end = None;
                    if matches!(self.phase, CallPhase::Dialing | CallPhase::Alerting | CallPhase::Ringing) {
                        self.end_now(reason);
                    }
                }
            }
        }
        if let Some(o) = self.outstanding.as_mut() {
            if o.abort_at.is_some_and(|t| t <= now) {
                o.abort_at = Some(u64::MAX);
                self.out.write(b"\r");
            }
        }
        if let Some(o) = self.outstanding {
            if now >= o.deadline {
                self.outstanding = None;
                self.on_timeout(o);
            }
        }
    }

    /// Picks and writes the next command, if any is due.
    fn start_next(&mut self) {
        let cmd = match self.link {
            Link::Unready => return,
            Link::Init(i) => {
                let steps: &[Step] = if self.hands_free() { &HF_STEPS } else { &BASIC_STEPS };
                match steps.get(i) {
                    Some(&s) => Cmd::Setup(s),
                    None => {
                        self.link = Link::Ready;
                        self.emit(PhoneEvent::Ready);
                        return;
                    }
                }
            }
            Link::Ready => match self.phase {
                CallPhase::Ending if self.try_ath => Cmd::Ath,
                CallPhase::Ending => Cmd::Chup,
                CallPhase::Dialing if !self.atd_sent => Cmd::Dial,
                CallPhase::Answering => Cmd::Answer,
                CallPhase::Dialing if !self.atd_done => return,
                CallPhase::Dialing | CallPhase::Alerting | CallPhase::Active | CallPhase::Ringing
                    if self.polling() && self.now >= self.next_poll =>
                {
                    Cmd::Clcc
                }
                _ => return,
            },
        };
        let text = match cmd {
            Cmd::Setup(Step::EchoOff) => "ATE0V1".to_string(),
            Cmd::Setup(Step::Cmee) => "AT+CMEE=1".to_string(),
            Cmd::Setup(Step::Crc) => "AT+CRC=1".to_string(),
            Cmd::Setup(Step::Clip) => "AT+CLIP=1".to_string(),
            Cmd::Setup(Step::Brsf) => {
                let features = match self.config.profile {
                    Profile::HandsFree { features } => features,
                    Profile::Basic => 0,
                };
                format!("AT+BRSF={features}")
            }
            Cmd::Setup(Step::CindTest) => "AT+CIND=?".to_string(),
            Cmd::Setup(Step::CindRead) => "AT+CIND?".to_string(),
            Cmd::Setup(Step::Cmer) => "AT+CMER=3,0,0,1".to_string(),
            Cmd::Dial => format!("ATD{};", self.dial_number),
            Cmd::Answer => "ATA".to_string(),
            Cmd::Chup => "AT+CHUP".to_string(),
            Cmd::Ath => "ATH".to_string(),
            Cmd::Clcc => "AT+CLCC".to_string(),
        };
        self.out.write(text.as_bytes());
        self.out.write(b"\r");
        // An ATD may be answered only once the call is up: it gets the whole dial time, and the
        // call-stage deadline (which comes first) aborts it.
        let mut timeout = self.ms(self.config.command_timeout_ms);
        if cmd == Cmd::Dial {
            timeout += self.ms(self.config.dial_timeout_ms);
        }
        self.outstanding =
            Some(Outstanding { cmd, gen: self.gen, sent_at: self.now, deadline: self.now + timeout, abort_at: None });
        match cmd {
            Cmd::Dial => {
                self.atd_sent = true;
                self.stage_deadline = Some(self.now + self.ms(self.config.dial_timeout_ms));
                self.emit(PhoneEvent::Dialing);
            }
            Cmd::Clcc => self.clcc_lines.clear(),
            _ => {}
        }
    }

    fn handle(&mut self, r: Response) {
        match r {
            Response::Final(f) => self.on_final(f),
            Response::Ring | Response::Cring(_) => self.on_ring(),
            Response::Clip(id) => self.on_clip(id.number),
            Response::Ciev { indicator, value } => self.on_ciev(indicator, value),
            Response::Clcc(c) => {
                if self.outstanding.is_some_and(|o| o.cmd == Cmd::Clcc) && self.clcc_lines.len() < MAX_CALLS {
                    self.clcc_lines.push(c);
                }
            }
            Response::CindSupported(list) => {
                if self.outstanding.is_some_and(|o| o.cmd == Cmd::Setup(Step::CindTest)) {
                    self.indicators = list.into_iter().map(|i| i.name).collect();
                    let find = |names: &[&str]| {
                        self.indicators
                            .iter()
                            .position(|n| names.iter().any(|w| n.eq_ignore_ascii_case(w)))
                            .map(|p| p as u32 + 1)
                    };
                    self.call_ind = find(&["call"]);
                    self.callsetup_ind = find(&["callsetup", "call_setup"]);
                }
            }
            Response::CindValues(v) => {
                if self.outstanding.is_some_and(|o| o.cmd == Cmd::Setup(Step::CindRead)) {
                    if let Some(i) = self.call_ind {
                        self.call_value = v.get(i as usize - 1).copied().unwrap_or(0);
                    }
                }
            }
            Response::Blank | Response::Echo(_) | Response::Brsf(_) | Response::Overlong(_) | Response::Other(_) => {}
        }
    }

    fn on_final(&mut self, f: FinalResult) {
        let call_result = matches!(
            f,
            FinalResult::NoCarrier
                | FinalResult::Busy
                | FinalResult::NoAnswer
                | FinalResult::NoDialtone
                | FinalResult::Connect(_)
        );
        match self.outstanding {
            Some(o) if !call_result || matches!(o.cmd, Cmd::Dial | Cmd::Answer) => {
                self.outstanding = None;
                self.timeouts = 0;
                self.complete(o, f);
            }
            _ => self.unsolicited(f),
        }
    }

    fn failure_text(o: &Outstanding, f: &FinalResult) -> String {
        let name = match o.cmd {
            Cmd::Setup(Step::EchoOff) => "ATE0V1",
            Cmd::Setup(Step::Cmee) => "AT+CMEE",
            Cmd::Setup(Step::Crc) => "AT+CRC",
            Cmd::Setup(Step::Clip) => "AT+CLIP",
            Cmd::Setup(Step::Brsf) => "AT+BRSF",
            Cmd::Setup(Step::CindTest) => "AT+CIND=?",
            Cmd::Setup(Step::CindRead) => "AT+CIND?",
            Cmd::Setup(Step::Cmer) => "AT+CMER",
            Cmd::Dial => "ATD",
            Cmd::Answer => "ATA",
            Cmd::Chup => "AT+CHUP",
            Cmd::Ath => "ATH",
            Cmd::Clcc => "AT+CLCC",
        };
        format!("{name}: {}", f.text())
    }

    fn complete(&mut self, o: Outstanding, f: FinalResult) {
        let ok = f.is_success();
        match o.cmd {
            Cmd::Setup(step) => {
                let Link::Init(i) = self.link else { return };
                if step == Step::CindTest && ok && self.call_ind.is_none() {
                    self.fail_init(EndReason::Error("AT+CIND=?: no \"call\" indicator".into()));
                } else if !ok && step.required() {
                    self.fail_init(EndReason::Error(Self::failure_text(&o, &f)));
                } else {
                    self.link = Link::Init(i + 1);
                }
            }
            _ if o.gen != self.gen || self.link != Link::Ready => {}
            // Otherwise already active (a +CIEV came first) or being hung up: nothing to add.
            Cmd::Dial => {
                if self.phase == CallPhase::Dialing {
                    self.atd_done = true;
                    match f {
                        FinalResult::Connect(_) => self.go_active(),
                        FinalResult::Ok => {
                            if !self.hands_free() && !self.clcc_ok {
                                // Nothing to follow the call with: the phone's OK is all we get.
                                self.go_active();
                            } else {
                                self.next_poll = self.now;
                            }
                        }
                        FinalResult::Busy => self.end_now(EndReason::Busy),
                        FinalResult::NoAnswer => self.end_now(EndReason::NoAnswer),
                        FinalResult::NoCarrier => self.end_now(EndReason::Rejected),
                        FinalResult::NoDialtone => self.end_now(EndReason::NoDialtone),
                        _ => self.end_now(EndReason::Error(Self::failure_text(&o, &f))),
                    }
                }
            }
            Cmd::Answer => {
                if self.phase == CallPhase::Answering {
                    match f {
                        FinalResult::Ok | FinalResult::Connect(_) => self.go_active(),
                        FinalResult::Error | FinalResult::CmeError(_) | FinalResult::CmsError(_) => {
                            self.start_cleanup(EndReason::Error(Self::failure_text(&o, &f)))
                        }
                        _ => self.end_now(EndReason::NoCarrier),
                    }
                }
            }
            Cmd::Chup => {
                if self.phase == CallPhase::Ending {
                    if ok {
                        self.finish_cleanup();
                    } else {
                        self.try_ath = true;
                    }
                }
            }
            Cmd::Ath => {
                if self.phase == CallPhase::Ending {
                    if !ok && self.end_reason == EndReason::LocalHangUp {
                        self.end_reason = EndReason::Error(Self::failure_text(&o, &f));
                    }
                    self.finish_cleanup();
                }
            }
            Cmd::Clcc => {
                self.next_poll = self.now + self.ms(self.config.poll_interval_ms);
                let lines = core::mem::take(&mut self.clcc_lines);
                if ok {
                    self.evaluate_calls(&lines);
                } else {
                    self.clcc_ok = false;
                    if self.phase == CallPhase::Dialing && self.atd_done {
                        self.go_active();
                    }
                }
                self.clcc_lines = lines;
                self.clcc_lines.clear();
            }
        }
    }

    fn fail_init(&mut self, reason: EndReason) {
        self.link = Link::Unready;
        self.emit(PhoneEvent::Unavailable { reason });
    }

    fn on_timeout(&mut self, o: Outstanding) {
        self.timeouts += 1;
        if self.timeouts >= self.config.max_timeouts.max(1) {
            self.unresponsive();
            return;
        }
        match o.cmd {
            Cmd::Setup(step) => {
                if let Link::Init(i) = self.link {
                    if !step.required() {
                        self.link = Link::Init(i + 1);
                    }
                }
            }
            _ if o.gen != self.gen || self.link != Link::Ready => {}
            Cmd::Dial | Cmd::Answer => {
                if matches!(self.phase, CallPhase::Dialing | CallPhase::Answering) {
                    self.start_cleanup(EndReason::Timeout);
                }
            }
            Cmd::Chup => self.try_ath = true,
            Cmd::Ath => {
                if self.phase == CallPhase::Ending {
                    self.finish_cleanup();
                }
            }
            Cmd::Clcc => self.next_poll = self.now + self.ms(self.config.poll_interval_ms),
        }
    }

    /// A call-ending code nobody asked for (or one sent while another command was outstanding).
    fn unsolicited(&mut self, f: FinalResult) {
        if self.link != Link::Ready {
            return;
        }
        let setting_up = (self.phase == CallPhase::Dialing && self.atd_done) || self.phase == CallPhase::Alerting;
        let reason = match f {
            FinalResult::NoCarrier if setting_up => EndReason::Rejected,
            FinalResult::NoCarrier
                if matches!(self.phase, CallPhase::Active | CallPhase::Ringing | CallPhase::Answering) =>
            {
                EndReason::NoCarrier
            }
            FinalResult::Busy if setting_up => EndReason::Busy,
            FinalResult::NoAnswer if setting_up => EndReason::NoAnswer,
            FinalResult::NoDialtone if setting_up => EndReason::NoDialtone,
            _ => return,
        };
        self.end_now(reason);
    }

    fn on_ring(&mut self) {
        if self.link != Link::Ready {
            return;
        }
        match self.phase {
            CallPhase::Idle => self.start_incoming(),
            CallPhase::Ringing | CallPhase::Answering => self.last_ring = self.now,
            _ => return,
        }
        self.rings += 1;
    }

    fn on_clip(&mut self, number: Option<String>) {
        if self.link != Link::Ready {
            return;
        }
        if self.phase == CallPhase::Idle {
            self.start_incoming();
        }
        if matches!(self.phase, CallPhase::Ringing | CallPhase::Answering) {
            self.last_ring = self.now;
            if self.number.is_none() {
                self.number = number;
            }
            if !self.announced {
                self.announce();
            }
        }
    }

    fn on_ciev(&mut self, indicator: IndicatorRef, value: u32) {
        if self.link != Link::Ready || !self.hands_free() {
            return;
        }
        let index = match indicator {
            IndicatorRef::Index(i) => Some(i),
            IndicatorRef::Name(n) => {
                self.indicators.iter().position(|x| x.eq_ignore_ascii_case(&n)).map(|p| p as u32 + 1)
            }
        };
        let Some(index) = index else { return };
        if Some(index) == self.call_ind {
            self.call_value = value;
            if value >= 1 {
                self.go_active();
            } else if self.phase == CallPhase::Active {
                self.end_now(EndReason::NoCarrier);
            }
        } else if Some(index) == self.callsetup_ind {
            let atd_outstanding = self.outstanding.is_some_and(|o| o.cmd == Cmd::Dial && o.gen == self.gen);
            match value {
                1 if self.phase == CallPhase::Idle => self.start_incoming(),
                3 if self.phase == CallPhase::Dialing && self.atd_sent => self.go_alerting(),
                0 if self.call_value == 0 && !atd_outstanding => {
                    let reason = match self.phase {
                        CallPhase::Dialing | CallPhase::Alerting if self.atd_sent => EndReason::Rejected,
                        CallPhase::Ringing => EndReason::NoCarrier,
                        _ => return,
                    };
                    self.pending_end = Some((reason, self.now + self.ms(SETUP_GRACE_MS as u32)));
                }
                _ => {}
            }
        }
    }

    /// The `+CLCC` list from a poll: find our call and follow it.
    fn evaluate_calls(&mut self, calls: &[CallEntry]) {
        let wanted: &[CallState] = match self.phase {
            CallPhase::Dialing if self.atd_done => &[CallState::Dialing, CallState::Alerting, CallState::Active],
            CallPhase::Alerting => &[CallState::Alerting, CallState::Active, CallState::Dialing],
            CallPhase::Active => &[CallState::Active, CallState::Held],
            CallPhase::Ringing => &[CallState::Incoming, CallState::Waiting, CallState::Active],
            _ => return,
        };
        let found = match self.call_id {
            Some(id) => calls.iter().find(|c| c.id == id),
            None => calls.iter().find(|c| c.direction == self.direction && wanted.contains(&c.state)),
        };
        let Some(c) = found else {
            self.missing_polls += 1;
            if self.call_id.is_some() || self.missing_polls >= MISSING_POLLS {
                let reason = match self.phase {
                    CallPhase::Dialing | CallPhase::Alerting => EndReason::Rejected,
                    _ => EndReason::NoCarrier,
                };
                self.end_now(reason);
            }
            return;
        };
        self.call_id = Some(c.id);
        self.missing_polls = 0;
        if self.number.is_none() {
            self.number = c.number.clone();
        }
        match c.state {
            CallState::Alerting => self.go_alerting(),
            CallState::Active => self.go_active(),
            CallState::Incoming | CallState::Waiting if !self.announced => self.announce(),
            _ => {}
        }
    }
}

/// The dial string for `ATD`, or `None` when it is not one.
fn dial_string(number: &str) -> Option<String> {
    let mut s = String::new();
    for c in number.chars() {
        match c {
            ' ' | '-' | '.' | '/' | '(' | ')' => {}
            '+' if s.is_empty() => s.push('+'),
            '0'..='9' | '*' | '#' | ',' | '!' | '@' => s.push(c),
            'a'..='d' | 'A'..='D' | 'w' | 'W' | 'p' | 'P' | 't' | 'T' => s.push(c.to_ascii_uppercase()),
            _ => return None,
        }
        if s.len() > MAX_DIAL {
            return None;
        }
    }
    (!s.is_empty()).then_some(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::phone::{FarEnd, LineStyle, SimCallState, SimConfig, SimulatedPhone, HF_INDICATORS};
    use crate::sim::rng::Rng;

    const STEP_MS: u64 = 10;

    /// The controller wired to a simulated phone, stepped 10 ms at a time.
    struct Rig {
        ctl: PhoneControl,
        phone: SimulatedPhone,
        events: Vec<PhoneEvent>,
        ms: u64,
        /// Bytes per read from the phone (1: every line split across reads).
        chunk: usize,
        /// Noise lines and NULs mixed into the phone's bytes.
        garbage: Option<Rng>,
        /// Everything the controller wrote.
        sent: Vec<u8>,
    }

    impl Rig {
        fn new(config: Config, sim: SimConfig) -> Self {
            Rig {
                ctl: PhoneControl::new(config),
                phone: SimulatedPhone::new(sim),
                events: Vec::new(),
                ms: 0,
                chunk: 4096,
                garbage: None,
                sent: Vec::new(),
            }
        }

        fn basic(sim: SimConfig) -> Self {
            Rig::new(Config::default(), sim)
        }

        fn feed(&mut self, chunk: &[u8]) {
            let Some(rng) = self.garbage.as_mut() else {
                self.ctl.from_phone(chunk);
                return;
            };
            let mut noisy = Vec::new();
            for &b in chunk {
                if rng.below(4) == 0 {
                    noisy.push(0);
                }
                noisy.push(b);
            }
            if chunk.ends_with(b"\n") || chunk.ends_with(b"\r") {
                // Whole noise lines at line boundaries: none of them is a result code.
                const NOISE: [&[u8]; 6] = [
                    b"\r\n#\x01\x7f~~ line noise ^&*\r\n",
                    b"\r\n+CIEV: 99,1\r\n",
                    b"\r\n+XYZZY: 1,2,3\r\n",
                    b"\xff\xfe\xfd\r\n",
                    b"\r\n+CLCC: garbage\r\n",
                    b"\r\n\r\n\n\r",
                ];
                if rng.below(2) == 0 {
                    noisy.extend_from_slice(NOISE[rng.below(NOISE.len() as u32) as usize]);
                }
                if rng.below(3) == 0 {
                    noisy.push(b'#');
                    for _ in 0..rng.below(600) {
                        let b = (rng.next_u32() % 256) as u8;
                        if b != b'\r' && b != b'\n' {
                            noisy.push(b);
                        }
                    }
                    noisy.extend_from_slice(b"\r\n");
                }
            }
            self.ctl.from_phone(&noisy);
        }

        fn step(&mut self) {
            let mut buf = [0u8; 4096];
            let n = self.ctl.to_phone(&mut buf[..64]);
            self.sent.extend_from_slice(&buf[..n]);
            self.phone.write(&buf[..n]);
            loop {
                let n = self.phone.read(&mut buf[..self.chunk]);
                if n == 0 {
                    break;
                }
                let chunk = buf[..n].to_vec();
                self.feed(&chunk);
            }
            self.ctl.advance(Duration::from_ms(STEP_MS as u32));
            self.phone.advance(Duration::from_ms(STEP_MS as u32));
            self.ms += STEP_MS;
            while let Some(e) = self.ctl.poll_event() {
                self.events.push(e);
            }
        }

        fn run(&mut self, ms: u64) {
            for _ in 0..ms / STEP_MS {
                self.step();
            }
        }

        /// Runs until `e` has been reported (at most `max_ms`); panics otherwise.
        fn wait_for(&mut self, e: PhoneEvent, max_ms: u64) {
            for _ in 0..max_ms / STEP_MS {
                if self.events.contains(&e) {
                    return;
                }
                self.step();
            }
            assert!(self.events.contains(&e), "no {e:?} in {max_ms} ms; events {:?}", self.events);
        }

        fn ready(mut self) -> Self {
            self.ctl.init().unwrap();
            self.wait_for(PhoneEvent::Ready, 20_000);
            self.events.clear();
            self
        }

        fn sent_commands(&self) -> Vec<String> {
            String::from_utf8_lossy(&self.sent).split('\r').filter(|s| !s.is_empty()).map(str::to_string).collect()
        }

        fn ended(&self) -> Option<EndReason> {
            self.events.iter().find_map(|e| match e {
                PhoneEvent::Ended { reason } => Some(reason.clone()),
                _ => None,
            })
        }
    }

    fn ended(reason: EndReason) -> PhoneEvent {
        PhoneEvent::Ended { reason }
    }

    /// Places a call to a far end that answers after 3 s; checks the events up to Active.
    fn call_up(rig: &mut Rig) {
        rig.phone.set_far_end(FarEnd::AnswersAfterMs(3000));
        rig.ctl.dial("555-1234").unwrap();
        rig.wait_for(PhoneEvent::Active, 10_000);
        assert_eq!(rig.events, [PhoneEvent::Dialing, PhoneEvent::Alerting, PhoneEvent::Active]);
        assert_eq!(rig.phone.state(), SimCallState::Active);
        assert_eq!(rig.ctl.phase(), Phase::Active);
        rig.events.clear();
    }

    #[test]
    fn init_sends_the_setup_commands() {
        let rig = Rig::basic(SimConfig::default()).ready();
        assert_eq!(rig.sent_commands(), ["ATE0V1", "AT+CMEE=1", "AT+CRC=1", "AT+CLIP=1"]);
        assert_eq!(rig.ctl.phase(), Phase::Idle);
        assert!(!rig.ctl.waiting_for_phone());
    }

    #[test]
    fn optional_setup_errors_are_tolerated() {
        // A phone that knows none of the set-up commands is still usable.
        let mut rig = Rig::basic(SimConfig::default());
        rig.ctl.init().unwrap();
        let mut buf = [0u8; 64];
        for _ in 0..4 {
            assert!(rig.ctl.to_phone(&mut buf) > 0);
            rig.ctl.from_phone(b"\r\nERROR\r\n");
        }
        assert_eq!(rig.ctl.to_phone(&mut buf), 0);
        assert_eq!(rig.ctl.poll_event(), Some(PhoneEvent::Ready));
    }

    #[test]
    fn dial_alerting_active_and_hang_up_with_chup() {
        let mut rig = Rig::basic(SimConfig::default()).ready();
        call_up(&mut rig);
        assert!(rig.sent_commands().contains(&"ATD5551234;".to_string()));
        rig.run(5000);
        assert!(rig.events.is_empty(), "{:?}", rig.events);
        rig.ctl.hang_up().unwrap();
        assert_eq!(rig.ctl.hang_up(), Ok(()));
        rig.wait_for(ended(EndReason::LocalHangUp), 2000);
        assert_eq!(rig.events, [ended(EndReason::LocalHangUp)]);
        assert_eq!(rig.phone.state(), SimCallState::Idle);
        assert!(rig.sent_commands().ends_with(&["AT+CHUP".to_string()]));
        assert_eq!(rig.ctl.phase(), Phase::Idle);
        // And the next call works.
        rig.events.clear();
        call_up(&mut rig);
    }

    #[test]
    fn busy() {
        let mut rig = Rig::basic(SimConfig::default()).ready();
        rig.phone.set_far_end(FarEnd::Busy);
        rig.ctl.dial("5551234").unwrap();
        rig.wait_for(ended(EndReason::Busy), 5000);
        assert_eq!(rig.events, [PhoneEvent::Dialing, ended(EndReason::Busy)]);
        assert_eq!(rig.ctl.phase(), Phase::Idle);
    }

    #[test]
    fn no_answer_after_a_minute_of_alerting() {
        let mut rig = Rig::basic(SimConfig::default()).ready();
        rig.phone.set_far_end(FarEnd::NeverAnswers);
        rig.ctl.dial("5551234").unwrap();
        rig.wait_for(PhoneEvent::Alerting, 5000);
        let alerting_at = rig.ms;
        rig.wait_for(ended(EndReason::NoAnswer), 70_000);
        let took = rig.ms - alerting_at;
        assert!((59_000..62_000).contains(&took), "{took} ms");
        assert_eq!(rig.events, [PhoneEvent::Dialing, PhoneEvent::Alerting, ended(EndReason::NoAnswer)]);
        assert_eq!(rig.phone.state(), SimCallState::Idle, "the controller hung up");
    }

    #[test]
    fn network_no_answer_result() {
        let sim = SimConfig { network_no_answer_ms: 20_000, ..SimConfig::default() };
        let mut rig = Rig::basic(sim).ready();
        rig.phone.set_far_end(FarEnd::NeverAnswers);
        rig.ctl.dial("5551234").unwrap();
        rig.wait_for(ended(EndReason::NoAnswer), 30_000);
        assert_eq!(rig.events, [PhoneEvent::Dialing, PhoneEvent::Alerting, ended(EndReason::NoAnswer)]);
    }

    #[test]
    fn rejected_with_and_without_a_result_code() {
        for release_result in [true, false] {
            let mut rig = Rig::basic(SimConfig { release_result, ..SimConfig::default() }).ready();
            rig.phone.set_far_end(FarEnd::RejectsAfterMs(3000));
            rig.ctl.dial("5551234").unwrap();
            rig.wait_for(ended(EndReason::Rejected), 10_000);
            assert_eq!(rig.events, [PhoneEvent::Dialing, PhoneEvent::Alerting, ended(EndReason::Rejected)]);
        }
    }

    #[test]
    fn hang_up_falls_back_to_ath() {
        let mut rig = Rig::basic(SimConfig { chup_supported: false, ..SimConfig::default() }).ready();
        call_up(&mut rig);
        rig.ctl.hang_up().unwrap();
        rig.wait_for(ended(EndReason::LocalHangUp), 2000);
        assert_eq!(rig.phone.state(), SimCallState::Idle);
        assert!(rig.sent_commands().ends_with(&["AT+CHUP".to_string(), "ATH".to_string()]));
    }

    #[test]
    fn hang_up_that_the_phone_refuses_is_an_error() {
        let mut rig = Rig::basic(SimConfig::default()).ready();
        rig.ctl.dial("5551234").unwrap();
        let mut buf = [0u8; 64];
        rig.ctl.to_phone(&mut buf);
        rig.ctl.from_phone(b"\r\nOK\r\n");
        rig.ctl.hang_up().unwrap();
        let n = rig.ctl.to_phone(&mut buf);
        // The CLCC poll may come first; answer whatever is outstanding with ERROR until ATH.
        let mut text = String::from_utf8_lossy(&buf[..n]).into_owned();
        for _ in 0..3 {
            rig.ctl.from_phone(b"\r\nERROR\r\n");
            let n = rig.ctl.to_phone(&mut buf);
            text.push_str(&String::from_utf8_lossy(&buf[..n]));
        }
        assert!(text.contains("AT+CHUP\r") && text.contains("ATH\r"), "{text:?}");
        let events: Vec<_> = std::iter::from_fn(|| rig.ctl.poll_event()).collect();
        assert_eq!(events, [PhoneEvent::Dialing, ended(EndReason::Error("ATH: ERROR".into()))]);
    }

    #[test]
    fn incoming_call_is_announced_and_answered() {
        let mut rig = Rig::basic(SimConfig::default()).ready();
        assert_eq!(rig.ctl.answer(), Err(Refused::NoIncomingCall));
        rig.phone.incoming_call(Some("+445551234"));
        rig.wait_for(PhoneEvent::Incoming { number: Some("+445551234".into()) }, 2000);
        assert_eq!(rig.ctl.phase(), Phase::Ringing);
        assert_eq!(rig.ctl.dial("1"), Err(Refused::CallInProgress));
        rig.run(4000);
        assert_eq!(rig.events.len(), 1, "announced once: {:?}", rig.events);
        rig.ctl.answer().unwrap();
        rig.wait_for(PhoneEvent::Active, 2000);
        assert_eq!(rig.phone.state(), SimCallState::Active);
        assert!(rig.sent_commands().contains(&"ATA".to_string()));
        rig.ctl.hang_up().unwrap();
        rig.wait_for(ended(EndReason::LocalHangUp), 2000);
    }

    #[test]
    fn incoming_call_without_caller_id_or_extended_ring() {
        // The person turned +CRING and +CLIP off behind the controller's back (its stray OK is
        // ignored): plain RING, and the number comes from the CLCC poll.
        let mut rig = Rig::basic(SimConfig::default()).ready();
        rig.phone.write(b"AT+CRC=0;+CLIP=0\r");
        rig.run(100);
        rig.phone.incoming_call(Some("5550000"));
        rig.wait_for(PhoneEvent::Incoming { number: Some("5550000".into()) }, 1000);
        rig.ctl.hang_up().unwrap();
        rig.wait_for(ended(EndReason::LocalHangUp), 1000);
        // Withheld number.
        rig.events.clear();
        rig.phone.incoming_call(None);
        rig.wait_for(PhoneEvent::Incoming { number: None }, 1000);
        // No CLCC either: announced without a number once the wait for +CLIP is over.
        let mut rig = Rig::basic(SimConfig { clcc_supported: false, ..SimConfig::default() }).ready();
        rig.phone.write(b"AT+CLIP=0\r");
        rig.run(100);
        rig.phone.incoming_call(Some("5550000"));
        rig.run(400);
        assert!(rig.events.is_empty());
        rig.wait_for(PhoneEvent::Incoming { number: None }, 1000);
    }

    #[test]
    fn incoming_call_rejected_or_given_up() {
        let mut rig = Rig::basic(SimConfig::default()).ready();
        rig.phone.incoming_call(Some("5551234"));
        rig.wait_for(PhoneEvent::Incoming { number: Some("5551234".into()) }, 2000);
        rig.ctl.hang_up().unwrap();
        rig.wait_for(ended(EndReason::LocalHangUp), 2000);
        assert_eq!(rig.phone.state(), SimCallState::Idle);
        rig.events.clear();
        rig.phone.incoming_call(Some("5551234"));
        rig.wait_for(ended(EndReason::NoCarrier), 40_000);
        assert_eq!(rig.events.len(), 2);
    }

    #[test]
    fn call_answered_on_the_handset_becomes_active() {
        let mut rig = Rig::basic(SimConfig::default()).ready();
        rig.phone.incoming_call(Some("5551234"));
        rig.wait_for(PhoneEvent::Incoming { number: Some("5551234".into()) }, 2000);
        rig.phone.write(b"ATA\r"); // the person presses answer on the phone
        rig.wait_for(PhoneEvent::Active, 2000);
    }

    #[test]
    fn far_end_hangs_up_while_active() {
        for release_result in [true, false] {
            let mut rig = Rig::basic(SimConfig { release_result, ..SimConfig::default() }).ready();
            call_up(&mut rig);
            rig.run(2000);
            rig.phone.far_end_hangs_up();
            rig.wait_for(ended(EndReason::NoCarrier), 2000);
            assert_eq!(rig.events, [ended(EndReason::NoCarrier)]);
        }
    }

    #[test]
    fn slow_phone() {
        let sim = SimConfig { response_delay_ms: 2000, ..SimConfig::default() };
        let mut rig = Rig::basic(sim).ready();
        call_up(&mut rig);
        rig.ctl.hang_up().unwrap();
        rig.wait_for(ended(EndReason::LocalHangUp), 10_000);
        assert_eq!(rig.phone.state(), SimCallState::Idle);
    }

    #[test]
    fn silent_phone_is_unresponsive() {
        let mut rig = Rig::basic(SimConfig { silent: true, ..SimConfig::default() });
        rig.ctl.init().unwrap();
        assert_eq!(rig.ctl.dial("5551234"), Err(Refused::NotReady));
        rig.wait_for(PhoneEvent::Unavailable { reason: EndReason::Unresponsive }, 11_000);
        assert_eq!(rig.events, [PhoneEvent::Unavailable { reason: EndReason::Unresponsive }]);
        assert_eq!(rig.ctl.phase(), Phase::Unready);
        assert_eq!(rig.ctl.dial("5551234"), Err(Refused::NotReady));
        rig.run(30_000);
        assert_eq!(rig.events.len(), 1, "nothing more happens: {:?}", rig.events);
        // The phone comes back: init again.
        rig.phone.set_silent(false);
        rig.events.clear();
        rig = rig.ready();
        call_up(&mut rig);
    }

    #[test]
    fn port_lost_during_a_call_and_before_set_up() {
        let mut rig = Rig::basic(SimConfig::default()).ready();
        call_up(&mut rig);
        rig.events.clear();
        rig.ctl.lost();
        rig.run(20);
        assert_eq!(
            rig.events,
            [ended(EndReason::Unresponsive), PhoneEvent::Unavailable { reason: EndReason::Unresponsive }]
        );
        assert_eq!(rig.ctl.phase(), Phase::Unready);
        assert_eq!(rig.ctl.to_phone(&mut [0u8; 64]), 0);
        // Lost again, or never set up: nothing to report.
        rig.ctl.lost();
        rig.run(20);
        let mut fresh = PhoneControl::new(Config::default());
        fresh.lost();
        assert_eq!((rig.events.len(), fresh.poll_event()), (2, None));
        // Back: set up from the start.
        rig.phone.far_end_hangs_up();
        rig.events.clear();
        rig = rig.ready();
        call_up(&mut rig);
    }

    #[test]
    fn phone_going_silent_during_a_call() {
        let mut rig = Rig::basic(SimConfig::default()).ready();
        call_up(&mut rig);
        rig.phone.set_silent(true);
        rig.wait_for(PhoneEvent::Unavailable { reason: EndReason::Unresponsive }, 12_000);
        assert_eq!(
            rig.events,
            [ended(EndReason::Unresponsive), PhoneEvent::Unavailable { reason: EndReason::Unresponsive }]
        );
    }

    #[test]
    fn one_lost_response_is_survived() {
        let mut rig = Rig::basic(SimConfig::default()).ready();
        call_up(&mut rig);
        // The phone misses one poll (as if its OK were lost on the line).
        rig.phone.set_silent(true);
        rig.run(600);
        rig.phone.set_silent(false);
        rig.run(15_000);
        assert!(rig.events.is_empty(), "{:?}", rig.events);
        assert_eq!(rig.ctl.phase(), Phase::Active);
    }

    #[test]
    fn garbage_interleaved_in_the_serial_stream() {
        for seed in 1..6 {
            let mut rig = Rig::basic(SimConfig::default());
            rig.garbage = Some(Rng::new(seed));
            rig.chunk = 1 + seed as usize * 3;
            let mut rig = rig.ready();
            call_up(&mut rig);
            rig.phone.far_end_hangs_up();
            rig.wait_for(ended(EndReason::NoCarrier), 2000);
            rig.events.clear();
            rig.phone.incoming_call(Some("5551234"));
            rig.wait_for(PhoneEvent::Incoming { number: Some("5551234".into()) }, 2000);
            rig.ctl.answer().unwrap();
            rig.wait_for(PhoneEvent::Active, 2000);
            rig.ctl.hang_up().unwrap();
            rig.wait_for(ended(EndReason::LocalHangUp), 2000);
        }
    }

    #[test]
    fn partial_lines_and_line_end_styles() {
        for style in [LineStyle::V250, LineStyle::CrLf, LineStyle::Lf, LineStyle::Cr] {
            for echo in [true, false] {
                let mut rig = Rig::basic(SimConfig { style, echo, ..SimConfig::default() });
                rig.chunk = 1;
                let mut rig = rig.ready();
                call_up(&mut rig);
                rig.ctl.hang_up().unwrap();
                rig.wait_for(ended(EndReason::LocalHangUp), 2000);
            }
        }
    }

    #[test]
    fn phone_that_answers_atd_only_once_connected() {
        let sim = SimConfig { ok_after_connect: true, ..SimConfig::default() };
        let mut rig = Rig::basic(sim.clone()).ready();
        rig.phone.set_far_end(FarEnd::AnswersAfterMs(5000));
        rig.ctl.dial("5551234").unwrap();
        rig.wait_for(PhoneEvent::Active, 10_000);
        assert_eq!(rig.events, [PhoneEvent::Dialing, PhoneEvent::Active]);
        // Never answered: the dial is aborted after the dial timeout.
        let mut rig = Rig::basic(sim.clone()).ready();
        rig.phone.set_far_end(FarEnd::NeverAnswers);
        rig.ctl.dial("5551234").unwrap();
        rig.wait_for(ended(EndReason::Timeout), 70_000);
        assert!((60_000..62_000).contains(&rig.ms), "{}", rig.ms);
        assert_eq!(rig.phone.state(), SimCallState::Idle);
        // Hung up while the dial is outstanding: aborted at once.
        let mut rig = Rig::basic(sim).ready();
        rig.phone.set_far_end(FarEnd::NeverAnswers);
        rig.ctl.dial("5551234").unwrap();
        rig.run(3000);
        let t = rig.ms;
        rig.ctl.hang_up().unwrap();
        rig.wait_for(ended(EndReason::LocalHangUp), 5000);
        assert!(rig.ms - t < 1000);
        assert_eq!(rig.phone.state(), SimCallState::Idle);
        assert_eq!(rig.ended(), Some(EndReason::LocalHangUp));
    }

    #[test]
    fn phone_without_clcc() {
        let sim = SimConfig { clcc_supported: false, ..SimConfig::default() };
        let mut rig = Rig::basic(sim.clone()).ready();
        rig.phone.set_far_end(FarEnd::AnswersAfterMs(3000));
        rig.ctl.dial("5551234").unwrap();
        // Only the phone's OK to go by: active at once.
        rig.wait_for(PhoneEvent::Active, 3000);
        rig.phone.far_end_hangs_up();
        rig.wait_for(ended(EndReason::NoCarrier), 2000);
        // A ringing call that stops ringing has ended.
        let mut rig = Rig::basic(SimConfig { caller_gives_up_ms: 7000, ..sim }).ready();
        rig.phone.incoming_call(Some("1"));
        rig.wait_for(PhoneEvent::Incoming { number: Some("1".into()) }, 2000);
        rig.wait_for(ended(EndReason::NoCarrier), 20_000);
    }

    #[test]
    fn hang_up_before_the_dial_is_sent() {
        let mut rig = Rig::basic(SimConfig::default()).ready();
        rig.ctl.dial("5551234").unwrap();
        rig.ctl.hang_up().unwrap();
        assert_eq!(rig.ctl.poll_event(), Some(ended(EndReason::LocalHangUp)));
        let mut buf = [0u8; 64];
        assert_eq!(rig.ctl.to_phone(&mut buf), 0);
        assert_eq!(rig.ctl.phase(), Phase::Idle);
    }

    #[test]
    fn dial_while_a_command_is_outstanding_waits_its_turn() {
        let mut rig = Rig::basic(SimConfig::default()).ready();
        let mut buf = [0u8; 64];
        rig.ctl.from_phone(b"\r\nRING\r\n");
        let n = rig.ctl.to_phone(&mut buf);
        assert_eq!(&buf[..n], b"AT+CLCC\r");
        // The caller hangs up while the poll is outstanding; a dial is accepted at once...
        rig.ctl.from_phone(b"\r\nNO CARRIER\r\n");
        rig.ctl.dial("5551234").unwrap();
        // ...and written once the poll is answered.
        assert_eq!(rig.ctl.to_phone(&mut buf), 0);
        rig.ctl.from_phone(b"\r\nOK\r\n");
        let n = rig.ctl.to_phone(&mut buf);
        assert_eq!(&buf[..n], b"ATD5551234;\r");
        let events: Vec<_> = std::iter::from_fn(|| rig.ctl.poll_event()).collect();
        assert_eq!(
            events,
            [
                PhoneEvent::Incoming { number: None },
                PhoneEvent::Ended { reason: EndReason::NoCarrier },
                PhoneEvent::Dialing
            ]
        );
    }

    #[test]
    fn requests_are_refused_with_clear_results() {
        let mut ctl = PhoneControl::new(Config::default());
        assert_eq!(ctl.dial("1"), Err(Refused::NotReady));
        assert_eq!(ctl.answer(), Err(Refused::NotReady));
        assert_eq!(ctl.hang_up(), Err(Refused::NotReady));
        let mut rig = Rig::basic(SimConfig::default()).ready();
        assert_eq!(rig.ctl.dial(""), Err(Refused::InvalidNumber));
        assert_eq!(rig.ctl.dial("12;ATH"), Err(Refused::InvalidNumber));
        assert_eq!(rig.ctl.dial("1\r2"), Err(Refused::InvalidNumber));
        assert_eq!(rig.ctl.hang_up(), Err(Refused::NoCall));
        assert_eq!(rig.ctl.answer(), Err(Refused::NoIncomingCall));
        rig.ctl.dial("1").unwrap();
        assert_eq!(rig.ctl.dial("2"), Err(Refused::CallInProgress));
        assert_eq!(rig.ctl.init(), Err(Refused::CallInProgress));
        assert_eq!(rig.ctl.answer(), Err(Refused::NoIncomingCall));
        assert!(rig.events.is_empty());
    }

    #[test]
    fn dial_strings() {
        assert_eq!(dial_string("+1 (555) 123-4567").as_deref(), Some("+15551234567"));
        assert_eq!(dial_string("*31#5551234").as_deref(), Some("*31#5551234"));
        assert_eq!(dial_string("555w12p3").as_deref(), Some("555W12P3"));
        assert_eq!(dial_string("1+2"), None);
        assert_eq!(dial_string("555;"), None);
        assert_eq!(dial_string("5\"55"), None);
        assert_eq!(dial_string(" - "), None);
        assert_eq!(dial_string(&"1".repeat(MAX_DIAL)).map(|s| s.len()), Some(MAX_DIAL));
        assert_eq!(dial_string(&"1".repeat(MAX_DIAL + 1)), None);
    }

    #[test]
    fn hayes_result_codes() {
        assert_eq!(EndReason::Busy.hayes(), "BUSY");
        assert_eq!(EndReason::NoAnswer.hayes(), "NO ANSWER");
        assert_eq!(EndReason::NoCarrier.hayes(), "NO CARRIER");
        assert_eq!(EndReason::Rejected.hayes(), "NO CARRIER");
        assert_eq!(EndReason::Timeout.hayes(), "NO CARRIER");
        assert_eq!(EndReason::LocalHangUp.hayes(), "NO CARRIER");
        assert_eq!(EndReason::NoDialtone.hayes(), "NO DIALTONE");
        assert_eq!(EndReason::Error("x".into()).hayes(), "ERROR");
        assert_eq!(EndReason::Unresponsive.hayes(), "ERROR");
    }

    #[test]
    fn dial_errors_map_to_reasons() {
        let cases: [(&[u8], EndReason); 5] = [
            (b"NO DIALTONE", EndReason::NoDialtone),
            (b"NO CARRIER", EndReason::Rejected),
            (b"NO ANSWER", EndReason::NoAnswer),
            (b"+CME ERROR: 30", EndReason::Error("ATD: +CME ERROR: 30".into())),
            (b"ERROR", EndReason::Error("ATD: ERROR".into())),
        ];
        for (line, reason) in cases {
            let mut rig = Rig::basic(SimConfig::default()).ready();
            rig.ctl.dial("1").unwrap();
            let mut buf = [0u8; 64];
            rig.ctl.to_phone(&mut buf);
            rig.ctl.from_phone(b"ATD1;\r\r\n");
            rig.ctl.from_phone(line);
            rig.ctl.from_phone(b"\r\n");
            let events: Vec<_> = std::iter::from_fn(|| rig.ctl.poll_event()).collect();
            assert_eq!(events, [PhoneEvent::Dialing, ended(reason)]);
        }
    }

    #[test]
    fn events_are_bounded() {
        let mut ctl = PhoneControl::new(Config::default());
        ctl.init().unwrap();
        let mut buf = [0u8; 64];
        for _ in 0..4 {
            ctl.to_phone(&mut buf);
            ctl.from_phone(b"OK\r");
        }
        ctl.to_phone(&mut buf);
        for _ in 0..100 {
            ctl.from_phone(b"RING\r");
            ctl.advance(Duration::from_ms(600));
            ctl.hang_up().unwrap();
            ctl.to_phone(&mut buf);
            ctl.from_phone(b"OK\r");
        }
        assert_eq!(ctl.pending_events(), MAX_EVENTS);
        assert!(ctl.dropped_events() > 0);
    }

    fn hf_rig(order: &[&str]) -> Rig {
        Rig::new(Config::hands_free(), SimConfig::hands_free(order)).ready()
    }

    #[test]
    fn hands_free_setup_and_outgoing_call() {
        let order = ["battchg", "signal", "callheld", "callsetup", "roam", "service", "call"];
        let mut rig = hf_rig(&order);
        assert_eq!(
            rig.sent_commands(),
            ["AT+BRSF=4", "AT+CIND=?", "AT+CIND?", "AT+CMER=3,0,0,1", "AT+CLIP=1", "AT+CMEE=1"]
        );
        assert_eq!(rig.ctl.indicators(), order);
        call_up(&mut rig);
        assert!(!rig.sent_commands().iter().any(|c| c == "AT+CLCC"), "follows +CIEV, no polling");
        rig.phone.far_end_hangs_up();
        rig.wait_for(ended(EndReason::NoCarrier), 1000);
        rig.events.clear();
        call_up(&mut rig);
        rig.ctl.hang_up().unwrap();
        rig.wait_for(ended(EndReason::LocalHangUp), 1000);
    }

    #[test]
    fn hands_free_busy_rejected_no_answer() {
        let mut rig = hf_rig(&HF_INDICATORS);
        rig.phone.set_far_end(FarEnd::Busy);
        rig.ctl.dial("1").unwrap();
        rig.wait_for(ended(EndReason::Busy), 3000);
        let mut rig = Rig::new(
            Config::hands_free(),
            SimConfig { release_result: false, ..SimConfig::hands_free(&HF_INDICATORS) },
        )
        .ready();
        rig.phone.set_far_end(FarEnd::RejectsAfterMs(2000));
        rig.ctl.dial("1").unwrap();
        rig.wait_for(ended(EndReason::Rejected), 6000);
        assert_eq!(rig.events, [PhoneEvent::Dialing, PhoneEvent::Alerting, ended(EndReason::Rejected)]);
        let mut rig = hf_rig(&HF_INDICATORS);
        rig.phone.set_far_end(FarEnd::NeverAnswers);
        rig.ctl.dial("1").unwrap();
        rig.wait_for(ended(EndReason::NoAnswer), 70_000);
        assert_eq!(rig.phone.state(), SimCallState::Idle);
    }

    #[test]
    fn hands_free_incoming_call() {
        let mut rig = hf_rig(&["call", "callsetup", "service"]);
        rig.phone.incoming_call(Some("5551234"));
        rig.wait_for(PhoneEvent::Incoming { number: Some("5551234".into()) }, 2000);
        rig.ctl.answer().unwrap();
        rig.wait_for(PhoneEvent::Active, 2000);
        rig.phone.far_end_hangs_up();
        rig.wait_for(ended(EndReason::NoCarrier), 1000);
        rig.events.clear();
        // The caller gives up (callsetup back to 0, no RING any more).
        rig.phone.incoming_call(None);
        rig.wait_for(PhoneEvent::Incoming { number: None }, 2000);
        rig.wait_for(ended(EndReason::NoCarrier), 40_000);
    }

    #[test]
    fn hands_free_setup_failures() {
        // No "call" indicator.
        let mut rig = Rig::new(Config::hands_free(), SimConfig::hands_free(&["service", "signal"]));
        rig.ctl.init().unwrap();
        rig.run(2000);
        assert_eq!(
            rig.events,
            [PhoneEvent::Unavailable { reason: EndReason::Error("AT+CIND=?: no \"call\" indicator".into()) }]
        );
        assert_eq!(rig.ctl.phase(), Phase::Unready);
        // Not a hands-free gateway at all.
        let mut rig = Rig::new(Config::hands_free(), SimConfig::default());
        rig.ctl.init().unwrap();
        rig.run(2000);
        assert_eq!(rig.events, [PhoneEvent::Unavailable { reason: EndReason::Error("AT+BRSF: ERROR".into()) }]);
    }

    #[test]
    fn indicator_by_name() {
        let mut rig = hf_rig(&HF_INDICATORS);
        rig.ctl.dial("1").unwrap();
        let mut buf = [0u8; 64];
        rig.ctl.to_phone(&mut buf);
        rig.ctl.from_phone(b"\r\nOK\r\n\r\n+CIEV: \"callsetup\",3\r\n+CIEV: \"CALL\",1\r\n");
        let events: Vec<_> = std::iter::from_fn(|| rig.ctl.poll_event()).collect();
        assert_eq!(events, [PhoneEvent::Dialing, PhoneEvent::Alerting, PhoneEvent::Active]);
    }
}
