//! The Hayes (ITU-T V.250) command interpreter: the side of the modem the person at the terminal
//! talks to, sans-IO.
//!
//! [`Hayes`] does not own a modem. What the user types goes in through [`Hayes::from_terminal`];
//! what the terminal should show comes out of [`Hayes::to_terminal`] (echo, result codes, data
//! from the far modem). What the modem must do comes out of [`Hayes::poll_action`] ([`Action`]:
//! dial, answer, hang up, ...), and the controller that runs the modem reports back through
//! [`Hayes::event`] ([`LineEvent`]: connected, no carrier, busy, ring, ...). In online data mode,
//! terminal bytes come out of [`Hayes::to_line`] for the modem to send and received bytes go in
//! through [`Hayes::from_line`]. Time passes through [`Hayes::advance`] (a [`Duration`]);
//! every timer (S7 connection timeout, escape guard time S12, ring count reset) runs on it.
//!
//! ```
//! use softmodem::hayes::{Action, Hayes, LineEvent};
//! let mut h = Hayes::new();
//! h.from_terminal(b"ATDT5551234\r");
//! assert!(matches!(h.poll_action(), Some(Action::Dial(d)) if d.number() == "5551234"));
//! h.event(LineEvent::Dialled);
//! h.event(LineEvent::Connected { rate: 2400 });
//! let mut out = [0u8; 64];
//! let n = h.to_terminal(&mut out);
//! assert!(out[..n].ends_with(b"\r\nCONNECT 2400\r\n"));
//! h.from_terminal(b"hello");
//! let n = h.to_line(&mut out);
//! assert_eq!(&out[..n], b"hello");
//! ```
//!
//! Sources: ITU-T V.250 (command line syntax, editing, echo, `A/`, S3/S4/S5, result code
//! formats, `E Q V X`, `D` modifiers, `+MS`, `+GMI +GMM +GMR +GCAP`, aborting a call with a
//! character, the 125 ms after the termination character in which characters do not abort); the
//! Hayes Standard AT Command Set reference (numeric result codes, S0/S1/S2/S12, escape sequence
//! with guard time, `&W`/`Z`/`&F` profiles).

mod commands;
pub mod parser;
pub mod registers;

use std::collections::VecDeque;

use crate::queue::ByteQueue;
use crate::time::Duration;
pub use parser::{Command, Commands, DialString, DialToken, ExtendedOp, ParseError};
pub use registers::{Carrier, Modulation, Profile, Registers, ResultLevel};

/// Most characters a command line body holds (after `AT`). A longer line is answered `ERROR` when
/// its termination character arrives; nothing on it is executed.
pub const LINE_MAX: usize = 256;

/// Capacity of each byte queue (to the terminal, to the line, and line data held while in online
/// command state).
pub const QUEUE_CAPACITY: usize = 4096;

/// Most actions waiting for the controller; past that the oldest is dropped.
pub const ACTIONS_MAX: usize = 16;

/// V.250 5.6.1: characters arriving within 125 ms after the termination character do not abort
/// the command (so a line feed after the carriage return does not abort a dial).
const ABORT_HOLDOFF: Duration = Duration::from_ms(125);

/// The ring count S1 is cleared after 8 s without a ring (Hayes).
const RING_RESET: Duration = Duration::from_secs(8);

/// What the controller reports about the line and the data pump.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineEvent {
    /// The data pump connected; data flows at `rate` bit/s (the receive rate). Also sent after a
    /// retrain with the new rate.
    Connected {
        /// The rate in bit/s.
        rate: u32,
    },
    /// The protocol the connection about to be reported runs, in result-code words
    /// (`"LAPM/V42BIS"`, `""` for none): it goes into the next `CONNECT` as `W` says.
    Protocol {
        /// The words.
        words: &'static str,
    },
    /// The far carrier is gone (after the S10 delay) or never came: the call is over.
    NoCarrier,
    /// A busy tone was heard while calling.
    Busy,
    /// No dial tone was heard where one was awaited.
    NoDialTone,
    /// The far end did not answer.
    NoAnswer,
    /// The phone is ringing.
    Ring,
    /// A dial tone awaited (`W`, or before dialling under X2/X4) was heard.
    DialToneHeard,
    /// The whole dial string has been dialled; the call start-up is under way (or, for a dial
    /// string ending in `;`, the interpreter returns to command state).
    Dialled,
    /// The controller could not do what was asked (for example, there is no line).
    Error,
}

/// One element of a dial string, for the controller to dial in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DialElement {
    /// A digit (`0`-`9`, `*`, `#`, `A`-`D`, `+`), by tone (DTMF) or pulse.
    Digit {
        /// The digit as an ASCII character.
        digit: u8,
        /// Tone (true) or pulse dialling.
        tone: bool,
    },
    /// Pause for [`DialRequest::pause`] (`,`).
    Pause,
    /// Wait for a dial tone, report [`LineEvent::DialToneHeard`], or [`LineEvent::NoDialTone`]
    /// if none comes (`W`).
    WaitDialTone,
    /// Hook flash (`!`).
    Flash,
}

/// A call to place, as the `D` command gave it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DialRequest {
    /// What to dial, in order. May be empty: then the modem goes off-hook (if it is not) and
    /// starts the calling modem's start-up at once (useful when the number was dialled by hand).
    pub elements: Vec<DialElement>,
    /// A `;` ended the dial string: after dialling, report [`LineEvent::Dialled`] and stay
    /// off-hook without starting the modem.
    pub return_to_command: bool,
    /// Wait for a dial tone before the first element (X2, X4), reporting
    /// [`LineEvent::DialToneHeard`] or [`LineEvent::NoDialTone`]; false when the line is already
    /// off-hook.
    pub detect_dial_tone: bool,
    /// Report a busy tone (X3, X4). (A busy tone reported anyway shows as `NO CARRIER`.)
    pub detect_busy: bool,
    /// When not detecting a dial tone and going off-hook: wait this long before dialling (S6).
    pub blind_wait: Duration,
    /// Each [`DialElement::Pause`] lasts this long (S8).
    pub pause: Duration,
    /// Each DTMF tone lasts this long, and so does the silence after it (S11).
    pub dtmf_tone: Duration,
}

impl DialRequest {
    /// The digits alone, in order (for a phone that dials a whole number).
    pub fn number(&self) -> String {
        self.elements
            .iter()
            .filter_map(|e| match e {
                DialElement::Digit { digit, .. } => Some(*digit as char),
                _ => None,
            })
            .collect()
    }
}

/// What the controller must do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Go off-hook (if not already), dial, and (unless
    /// [`DialRequest::return_to_command`]) start the modem as the caller. Report
    /// [`LineEvent::Dialled`] when dialling is over, then [`LineEvent::Connected`] or a failure.
    Dial(DialRequest),
    /// Go off-hook and start the modem as the answerer; report [`LineEvent::Connected`] or a
    /// failure.
    Answer,
    /// Stop the modem and go on-hook.
    HangUp,
    /// Return to online data mode on the connection that is up (`O`); `retrain` for `O1`.
    GoOnline {
        /// Retrain the modem first.
        retrain: bool,
    },
    /// The modulation selection changed (`+MS=`).
    SetModulations(Modulation),
    /// The settings were replaced (`Z`: stored profile, after a [`Action::HangUp`]; `&F`:
    /// factory settings): read them again from [`Hayes::profile`].
    Reset,
}

/// A result code (V.250 5.7.1; numbers from the Hayes Standard AT Command Set).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResultCode {
    /// 0: the command line was executed.
    Ok,
    /// A connection; with its rate in bit/s when X1 or more is in effect.
    Connect(Option<u32>),
    /// 2: the phone is ringing.
    Ring,
    /// 3: the connection could not be made, or was lost.
    NoCarrier,
    /// 4: the command line was not understood or could not be executed.
    Error,
    /// 6: no dial tone.
    NoDialTone,
    /// 7: busy.
    Busy,
    /// 8: no answer.
    NoAnswer,
}

/// Numeric result codes for connection rates, from the Hayes Standard AT Command Set's basic and
/// extended result code tables: 1 `CONNECT` (up to 300 bit/s), 5 `CONNECT 1200`,
/// 10 `CONNECT 2400`, 11 `CONNECT 4800`, 12 `CONNECT 9600`, 13 `CONNECT 14400`,
/// 14 `CONNECT 19200`, 15 `CONNECT 28800`, 17 `CONNECT 56000`, 18 `CONNECT 57600`,
/// 19 `CONNECT 64000`. Rates not in the table get 1.
pub const CONNECT_CODES: [(u32, u32); 10] = [
    (1200, 5),
    (2400, 10),
    (4800, 11),
    (9600, 12),
    (14400, 13),
    (19200, 14),
    (28800, 15),
    (56000, 17),
    (57600, 18),
    (64000, 19),
];

impl ResultCode {
    /// The number sent under `V0`.
    pub fn numeric(self) -> u32 {
        match self {
            ResultCode::Ok => 0,
            ResultCode::Connect(None) => 1,
            ResultCode::Connect(Some(rate)) => {
                CONNECT_CODES.iter().find(|&&(r, _)| r == rate).map_or(1, |&(_, code)| code)
            }
            ResultCode::Ring => 2,
            ResultCode::NoCarrier => 3,
            ResultCode::Error => 4,
            ResultCode::NoDialTone => 6,
            ResultCode::Busy => 7,
            ResultCode::NoAnswer => 8,
        }
    }

    /// The text sent under `V1`.
    pub fn verbose(self) -> String {
        match self {
            ResultCode::Ok => "OK".into(),
            ResultCode::Connect(None) => "CONNECT".into(),
            ResultCode::Connect(Some(rate)) => format!("CONNECT {rate}"),
            ResultCode::Ring => "RING".into(),
            ResultCode::NoCarrier => "NO CARRIER".into(),
            ResultCode::Error => "ERROR".into(),
            ResultCode::NoDialTone => "NO DIALTONE".into(),
            ResultCode::Busy => "BUSY".into(),
            ResultCode::NoAnswer => "NO ANSWER".into(),
        }
    }
}

/// Where the interpreter is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// Command state, no connection (on-hook, or off-hook after a dial string ending in `;`).
    Command,
    /// A call is being dialled ([`Action::Dial`] sent, [`LineEvent::Dialled`] not yet heard).
    Dialing,
    /// Waiting for the modems to connect (after dialling or answering).
    Connecting,
    /// Online data state: terminal bytes go to the line and line bytes to the terminal.
    Online,
    /// Online command state: a connection is up, commands are taken (after the escape sequence).
    OnlineCommand,
}

/// Texts of `I0` to `I9`.
const IDENTIFICATION: [&str; 10] = [
    "softmodem",
    env!("CARGO_PKG_VERSION"),
    "OK",
    concat!("softmodem ", env!("CARGO_PKG_VERSION"), ", a sans-IO software modem"),
    "B103 B212 V21 V22 V22B V23C",
    "8000 Hz",
    "No error control, no compression",
    "ITU-T V.250 command set",
    "Line driven by the host",
    "softmodem",
];

/// What running one command did to the rest of its line.
enum Step {
    /// Go on with the next command.
    Next,
    /// The command failed: `ERROR`, and the rest of the line is not executed.
    Error,
    /// The command issued its own result (now or later); the rest of the line is ignored.
    Done,
}

/// The command interpreter. See the [module documentation](self).
#[derive(Debug, Clone)]
pub struct Hayes {
    profile: Profile,
    stored: Profile,
    state: State,
    off_hook: bool,
    rate: u32,
    /// The protocol words of the connection ([`LineEvent::Protocol`]).
    protocol: &'static str,
    // Line editor.
    line: Vec<u8>,
    line_started: bool,
    prefix_a: Option<u8>,
    overflow: bool,
    last_line: Vec<u8>,
    last_dial: Option<DialString>,
    // Call attempt.
    timer: Duration,
    dial_budget: Duration,
    dial_restarts: u32,
    return_to_command: bool,
    holdoff: Duration,
    since_ring: Duration,
    // Escape sequence.
    since_input: Duration,
    esc: u8,
    /// DTR (circuit 108/2) is on ([`Hayes::dtr_off`]).
    dtr: bool,
    // Queues.
    to_term: ByteQueue,
    to_line: ByteQueue,
    held: ByteQueue,
    actions: VecDeque<Action>,
}

impl Default for Hayes {
    fn default() -> Self {
        Hayes::new()
    }
}

impl Hayes {
    /// An interpreter in command state, on-hook, with factory settings.
    pub fn new() -> Self {
        Hayes {
            profile: Profile::default(),
            stored: Profile::default(),
            state: State::Command,
            off_hook: false,
            rate: 0,
            protocol: "",
            line: Vec::with_capacity(LINE_MAX),
            line_started: false,
            prefix_a: None,
            overflow: false,
            last_line: Vec::new(),
            last_dial: None,
            timer: Duration::ZERO,
            dial_budget: Duration::ZERO,
            dial_restarts: 0,
            return_to_command: false,
            holdoff: Duration::ZERO,
            since_ring: Duration::ZERO,
            since_input: Duration::ZERO,
            esc: 0,
            dtr: true,
            to_term: ByteQueue::new(QUEUE_CAPACITY),
            to_line: ByteQueue::new(QUEUE_CAPACITY),
            held: ByteQueue::new(QUEUE_CAPACITY),
            actions: VecDeque::with_capacity(ACTIONS_MAX),
        }
    }

    /// Where the interpreter is.
    pub fn state(&self) -> State {
        self.state
    }

    /// The settings in effect.
    pub fn profile(&self) -> &Profile {
        &self.profile
    }

    /// The S-registers in effect.
    pub fn registers(&self) -> &Registers {
        &self.profile.regs
    }

    /// The modulation selection (`+MS`).
    pub fn modulation(&self) -> Modulation {
        self.profile.modulation
    }

    /// S10: how long the far carrier may be lost before the modem should hang up (for the
    /// controller to give the modem).
    pub fn carrier_loss(&self) -> Duration {
        self.profile.regs.carrier_loss()
    }

    /// True while the interpreter holds the line off-hook (a call attempt or connection, or
    /// after a dial string ending in `;`).
    pub fn off_hook(&self) -> bool {
        self.off_hook
    }

    /// True while a connection is up (online, or online command state).
    pub fn connected(&self) -> bool {
        matches!(self.state, State::Online | State::OnlineCommand)
    }

    /// The rate of the connection, bit/s (0 before the first connection).
    pub fn rate(&self) -> u32 {
        self.rate
    }

    /// Takes bytes typed at the terminal; returns how many were taken. In command state all are
    /// taken. In online data state they go to the line (except that the escape sequence is
    /// recognised) and taking stops when the queue to the line is full.
    pub fn from_terminal(&mut self, bytes: &[u8]) -> usize {
        for (i, &b) in bytes.iter().enumerate() {
            match self.state {
                State::Online => {
                    if self.to_line.free() == 0 {
                        return i;
                    }
                    self.online_byte(b);
                }
                State::Dialing | State::Connecting => {
                    // V.250 5.6.1: any character aborts a call attempt (and is discarded).
                    if self.holdoff.is_zero() {
                        self.fail(ResultCode::NoCarrier);
                    }
                }
                State::Command | State::OnlineCommand => self.command_byte(b),
            }
        }
        bytes.len()
    }

    /// Executes a command line body (what follows `AT`) as if it had been typed, without echo, for
    /// a host's buttons (`b"D"` to start the calling modem, `b"A"` to answer). Only in command
    /// state or online command state; anything half typed is discarded, and `A/` is not changed.
    /// Returns false (and does nothing) in other states.
    pub fn execute_line(&mut self, body: &[u8]) -> bool {
        if !matches!(self.state, State::Command | State::OnlineCommand) {
            return false;
        }
        self.clear_editor();
        self.execute(body);
        true
    }

    /// Takes bytes received from the far modem; returns how many were taken. Online they go to
    /// the terminal (taking stops when that queue is full); in online command state they are held
    /// until the return online; with no connection they are discarded.
    pub fn from_line(&mut self, bytes: &[u8]) -> usize {
        match self.state {
            State::Online => {
                self.drain_held();
                if self.held.is_empty() {
                    self.to_term.write(bytes)
                } else {
                    0
                }
            }
            State::OnlineCommand => self.held.write(bytes),
            _ => bytes.len(),
        }
    }

    /// Moves bytes for the terminal into `out` (echo, result codes and information text, data
    /// received online); returns how many. If the terminal does not take them, the queue fills
    /// and further output is dropped.
    pub fn to_terminal(&mut self, out: &mut [u8]) -> usize {
        let n = self.to_term.read(out);
        if self.state == State::Online {
            self.drain_held();
        }
        n
    }

    /// Moves bytes for the modem to send into `out` (online data state); returns how many.
    pub fn to_line(&mut self, out: &mut [u8]) -> usize {
        self.to_line.read(out)
    }

    /// DTR (V.24 circuit 108/2) went off: the terminal went away (closed its port, or set its
    /// speed to 0). What follows is as `&D` says (V.250 6.2.9; `&D3` is the Hayes set's):
    ///
    /// - `&D0`: nothing.
    /// - `&D1`: online data state goes to online command state with `OK`, as after the escape
    ///   sequence; the call stays up.
    /// - `&D2` (the factory setting): a call attempt or connection ends with `NO CARRIER`
    ///   ([`Action::HangUp`]), and a line held off-hook in command state goes on-hook. Automatic
    ///   answering (S0) waits until DTR is on again ([`Hayes::dtr_on`]).
    /// - `&D3`: as `&D2`, then the stored profile is restored as `Z` restores it
    ///   ([`Action::Reset`]), without a result code.
    ///
    /// Under `&D1` to `&D3` a half-typed command line is dropped. Nothing happens while DTR is
    /// off already.
    pub fn dtr_off(&mut self) {
        if !self.dtr {
            return;
        }
        self.dtr = false;
        match self.profile.dtr {
            0 => {}
            1 => match self.state {
                State::Online => self.escape(),
                State::Command | State::OnlineCommand => self.clear_editor(),
                State::Dialing | State::Connecting => {}
            },
            d => {
                match self.state {
                    State::Command if self.off_hook => self.hang_up(),
                    State::Command => {}
                    _ => self.fail(ResultCode::NoCarrier),
                }
                self.clear_editor();
                if d == 3 {
                    self.profile = self.stored;
                    self.profile.regs.set(1, 0);
                    self.push_action(Action::Reset);
                }
            }
        }
    }

    /// DTR is on again after [`Hayes::dtr_off`] (the terminal is back).
    pub fn dtr_on(&mut self) {
        self.dtr = true;
    }

    /// Whether DTR is on (as [`Hayes::dtr_off`] and [`Hayes::dtr_on`] last said; on at first).
    pub fn dtr(&self) -> bool {
        self.dtr
    }

    /// The next thing the controller must do, if any.
    pub fn poll_action(&mut self) -> Option<Action> {
        self.actions.pop_front()
    }

    /// Lets `n` pass.
    pub fn advance(&mut self, n: Duration) {
        self.holdoff -= n;
        self.since_ring += n;
        if self.since_ring >= RING_RESET {
            self.profile.regs.set(1, 0);
        }
        match self.state {
            State::Dialing | State::Connecting => {
                if self.timer <= n {
                    self.timer = Duration::ZERO;
                    self.fail(ResultCode::NoCarrier);
                } else {
                    self.timer -= n;
                }
            }
            State::Online => {
                self.since_input += n;
                let guard = self.profile.regs.escape_guard();
                if self.since_input >= guard {
                    if self.esc == 3 {
                        // Guard time after the third escape character: online command state.
                        self.escape();
                    } else {
                        self.esc = 0;
                    }
                }
            }
            State::Command | State::OnlineCommand => {}
        }
    }

    /// Takes a report from the controller. A report that does not fit the state is ignored
    /// (a busy tone with no call being placed, a connection nobody asked for, an error outside a
    /// call attempt), except that [`LineEvent::NoCarrier`] ends any call or connection and, in
    /// command state, marks the line on-hook.
    pub fn event(&mut self, e: LineEvent) {
        let attempting = matches!(self.state, State::Dialing | State::Connecting);
        match e {
            LineEvent::Connected { rate } => match self.state {
                State::Dialing | State::Connecting => {
                    self.rate = rate;
                    self.state = State::Online;
                    self.off_hook = true;
                    self.since_input = Duration::ZERO;
                    self.esc = 0;
                    self.held.clear();
                    self.profile.regs.set(1, 0);
                    if self.profile.protocol_report == 1 && !self.profile.quiet && self.profile.verbose {
                        let (protocol, compression) = match self.protocol {
                            "" => ("NONE", "NONE"),
                            w => (
                                if w.starts_with("LAPM") { "LAP-M" } else { w },
                                if w.ends_with("V42BIS") { "V.42BIS" } else { "NONE" },
                            ),
                        };
                        self.info(&format!("PROTOCOL: {protocol}"));
                        self.info(&format!("COMPRESSION: {compression}"));
                    }
                    self.result(ResultCode::Connect((rate > 0).then_some(rate)));
                }
                State::Online | State::OnlineCommand => self.rate = rate,
                State::Command => {}
            },
            LineEvent::Protocol { words } => self.protocol = words,
            LineEvent::NoCarrier => match self.state {
                State::Command => self.off_hook = false,
                _ => self.fail(ResultCode::NoCarrier),
            },
            LineEvent::Busy if attempting => self.fail(ResultCode::Busy),
            LineEvent::NoDialTone if attempting => self.fail(ResultCode::NoDialTone),
            LineEvent::NoAnswer if attempting => self.fail(ResultCode::NoAnswer),
            LineEvent::Error if attempting => self.fail(ResultCode::Error),
            LineEvent::Ring if self.state == State::Command && !self.off_hook => self.ring(),
            LineEvent::DialToneHeard if self.state == State::Dialing && self.dial_restarts > 0 => {
                // The wait for dial tone is over: the rest of the dial string has its full time.
                self.dial_restarts -= 1;
                self.timer = self.dial_budget;
            }
            LineEvent::Dialled if self.state == State::Dialing => {
                if self.return_to_command {
                    self.state = State::Command;
                    self.result(ResultCode::Ok);
                } else {
                    self.state = State::Connecting;
                    self.timer = self.profile.regs.connect_timeout();
                }
            }
            _ => {}
        }
    }

    // ---- Command state ----

    fn echo(&mut self, bytes: &[u8]) {
        if self.profile.echo {
            self.to_term.write(bytes);
        }
    }

    fn command_byte(&mut self, b: u8) {
        let regs = self.profile.regs;
        if self.line_started {
            // V.250 5.2.2: the termination character first, then the editing character.
            if b == regs.cr() {
                self.echo(&[b]);
                self.end_line();
            } else if b == regs.bs() {
                if self.line.pop().is_none() && !self.overflow {
                    // Back into the prefix: only the "A" remains.
                    self.line_started = false;
                }
                self.echo(&[b, b' ', b]);
            } else {
                self.echo(&[b]);
                if b < b' ' || b == 0x7f {
                    // Control characters in a command line are ignored.
                } else if self.line.len() < LINE_MAX {
                    self.line.push(b);
                } else {
                    self.overflow = true;
                }
            }
            return;
        }
        if let Some(a) = self.prefix_a {
            if b == regs.bs() {
                self.prefix_a = None;
                self.echo(&[b, b' ', b]);
                return;
            }
            self.echo(&[b]);
            if (a == b'A' && b == b'T') || (a == b'a' && b == b't') {
                self.line_started = true;
                self.line.clear();
                self.overflow = false;
            } else if b == b'/' {
                // "A/": execute the last command line again, at once.
                self.prefix_a = None;
                let body = self.last_line.clone();
                self.execute(&body);
            } else if b == b'A' || b == b'a' {
                self.prefix_a = Some(b);
            } else {
                self.prefix_a = None;
            }
            return;
        }
        self.echo(&[b]);
        if b == b'A' || b == b'a' {
            self.prefix_a = Some(b);
        }
    }

    fn end_line(&mut self) {
        self.line_started = false;
        self.prefix_a = None;
        if self.overflow {
            self.overflow = false;
            self.line.clear();
            self.result(ResultCode::Error);
            return;
        }
        let body = std::mem::take(&mut self.line);
        self.last_line.clear();
        self.last_line.extend_from_slice(&body);
        self.execute(&body);
        // Keep the allocation for the next line.
        self.line = body;
        self.line.clear();
    }

    fn clear_editor(&mut self) {
        self.line.clear();
        self.line_started = false;
        self.prefix_a = None;
        self.overflow = false;
    }

    /// Executes a command line body.
    fn execute(&mut self, body: &[u8]) {
        for cmd in Commands::new(body) {
            let step = match cmd {
                Ok(c) => self.run(c),
                Err(_) => Step::Error,
            };
            match step {
                Step::Next => {}
                Step::Error => {
                    self.result(ResultCode::Error);
                    return;
                }
                Step::Done => return,
            }
        }
        self.result(ResultCode::Ok);
    }

    // ---- Calls ----

    fn dial(&mut self, d: DialString) -> Step {
        if self.connected() {
            return Step::Error;
        }
        let d = if d.last {
            match &self.last_dial {
                Some(last) => DialString { return_to_command: d.return_to_command, ..last.clone() },
                None => return Step::Error,
            }
        } else {
            if !d.tokens.is_empty() {
                self.last_dial = Some(d.clone());
            }
            d
        };
        let regs = self.profile.regs;
        let level = self.profile.level;
        let mut tone = self.profile.tone;
        let mut elements = Vec::with_capacity(d.tokens.len());
        let mut pauses = 0u32;
        let mut waits = 0u32;
        for t in &d.tokens {
            match *t {
                DialToken::Digit(digit) => elements.push(DialElement::Digit { digit, tone }),
                DialToken::Tone => tone = true,
                DialToken::Pulse => tone = false,
                DialToken::Pause => {
                    pauses += 1;
                    elements.push(DialElement::Pause);
                }
                DialToken::WaitDialTone => {
                    waits += 1;
                    elements.push(DialElement::WaitDialTone);
                }
                DialToken::Flash => elements.push(DialElement::Flash),
            }
        }
        // T and P affect this and later dial strings.
        self.profile.tone = tone;
        let detect_dial_tone = !self.off_hook && level.dial_tone();
        let blind_wait = if !self.off_hook && !detect_dial_tone { regs.blind_dial_wait() } else { Duration::ZERO };
        let digits = elements.iter().filter(|e| matches!(e, DialElement::Digit { .. })).count() as u32;
        // Time to dial: the S7 timeout plus every pause, the blind wait and the digits (2 tone
        // durations each, or about 1 s per pulse digit).
        self.dial_budget = regs.connect_timeout()
            + blind_wait
            + Duration::from_samples(pauses.saturating_mul(regs.comma_pause().samples()))
            + Duration::from_secs(digits);
        self.timer = self.dial_budget;
        self.dial_restarts = waits + detect_dial_tone as u32;
        self.return_to_command = d.return_to_command;
        self.holdoff = ABORT_HOLDOFF;
        self.state = State::Dialing;
        self.off_hook = true;
        self.push_action(Action::Dial(DialRequest {
            elements,
            return_to_command: d.return_to_command,
            detect_dial_tone,
            detect_busy: level.busy(),
            blind_wait,
            pause: regs.comma_pause(),
            dtmf_tone: regs.dtmf_tone(),
        }));
        Step::Done
    }

    fn answer(&mut self) {
        self.clear_editor();
        self.profile.regs.set(1, 0);
        self.state = State::Connecting;
        self.off_hook = true;
        self.timer = self.profile.regs.connect_timeout();
        self.push_action(Action::Answer);
    }

    fn ring(&mut self) {
        self.since_ring = Duration::ZERO;
        let regs = &mut self.profile.regs;
        let count = regs.get(1).unwrap_or(0).saturating_add(1);
        regs.set(1, count as u32);
        self.result(ResultCode::Ring);
        let s0 = self.profile.regs.auto_answer_rings();
        // V.250 6.2.9: with &D2, no automatic answer while DTR is off (nor with &D3, which
        // includes it).
        if s0 > 0 && count >= s0 && (self.dtr || self.profile.dtr < 2) {
            self.holdoff = Duration::ZERO;
            self.answer();
        }
    }

    fn hang_up(&mut self) {
        self.push_action(Action::HangUp);
        self.state = State::Command;
        self.off_hook = false;
        self.to_line.clear();
        self.held.clear();
        self.esc = 0;
    }

    /// The call attempt or connection is over: the result, and the line on-hook.
    fn fail(&mut self, code: ResultCode) {
        self.hang_up();
        self.clear_editor();
        self.result(code);
    }

    // ---- Online data state ----

    fn online_byte(&mut self, b: u8) {
        let regs = self.profile.regs;
        let guard = regs.escape_guard();
        // The escape sequence: guard time, three escape characters each within the guard time
        // of the one before, guard time. The characters are sent as data all the same.
        if regs.escape_char() == Some(b) {
            self.esc = match self.esc {
                0 if self.since_input >= guard => 1,
                0 => 0,
                1 | 2 => self.esc + 1,
                _ => 0,
            };
        } else {
            self.esc = 0;
        }
        self.since_input = Duration::ZERO;
        self.to_line.push(b);
        if self.esc == 3 && guard.is_zero() {
            self.escape();
        }
    }

    fn escape(&mut self) {
        self.esc = 0;
        self.state = State::OnlineCommand;
        self.clear_editor();
        self.result(ResultCode::Ok);
    }

    fn drain_held(&mut self) {
        while self.to_term.free() > 0 {
            match self.held.pop() {
                Some(b) => {
                    self.to_term.push(b);
                }
                None => break,
            }
        }
    }

    // ---- Output ----

    fn push_action(&mut self, a: Action) {
        if self.actions.len() == ACTIONS_MAX {
            self.actions.pop_front();
        }
        self.actions.push_back(a);
    }

    /// The result code as the X level shows it (V.250 6.2.7: codes not enabled become
    /// `NO CARRIER`, a rate not enabled is left out of `CONNECT`).
    pub fn shown(&self, code: ResultCode) -> ResultCode {
        let level = self.profile.level;
        match code {
            ResultCode::Connect(Some(_)) if !level.connect_rate() => ResultCode::Connect(None),
            ResultCode::Busy if !level.busy() => ResultCode::NoCarrier,
            ResultCode::NoDialTone if !level.dial_tone() => ResultCode::NoCarrier,
            ResultCode::NoAnswer if !level.no_answer() => ResultCode::NoCarrier,
            c => c,
        }
    }

    fn result(&mut self, code: ResultCode) {
        if self.profile.quiet {
            return;
        }
        let code = self.shown(code);
        let (cr, lf) = (self.profile.regs.cr(), self.profile.regs.lf());
        if self.profile.verbose {
            let mut text = code.verbose();
            if matches!(code, ResultCode::Connect(Some(_)))
                && !self.protocol.is_empty()
                && self.profile.protocol_report != 2
            {
                text.push('/');
                text.push_str(self.protocol);
            }
            self.to_term.write(&[cr, lf]);
            self.to_term.write(text.as_bytes());
            self.to_term.write(&[cr, lf]);
        } else {
            self.to_term.write(code.numeric().to_string().as_bytes());
            self.to_term.push(cr);
        }
    }

    fn info(&mut self, text: &str) {
        let (cr, lf) = (self.profile.regs.cr(), self.profile.regs.lf());
        if self.profile.verbose {
            self.to_term.write(&[cr, lf]);
        }
        self.to_term.write(text.as_bytes());
        self.to_term.write(&[cr, lf]);
    }
}

#[cfg(test)]
mod tests;
