//! A login script run before PPP, in the manner of chat(8): wait for what the far end prints,
//! answer it, and stop when the far end starts talking PPP.
//!
//! # The script
//!
//! Text, one instruction a line:
//!
//! ```text
//! # Dial-up login at the example ISP.
//! ABORT "NO CARRIER"
//! ABORT 'Login incorrect'
//! TIMEOUT 45
//! ""        ""
//! login:    guest
//! Password: secret
//! "> "      ppp
//! ```
//!
//! - Blank lines, and lines whose first non-blank character is `#`, are ignored.
//! - `EXPECT SEND`: wait until `EXPECT` arrives from the line, then send `SEND` followed by a
//!   carriage return (0x0D). An `EXPECT` of `""` expects nothing (the send goes at once); a `SEND`
//!   of `""` sends just the carriage return. A line with an `EXPECT` alone waits for it and sends
//!   nothing (not even the carriage return).
//! - `TIMEOUT n`: each later `EXPECT` fails the script if it has not arrived within `n` seconds
//!   (1 to [`MAX_TIMEOUT_SECS`]; until a `TIMEOUT` line, [`DEFAULT_TIMEOUT_SECS`]).
//! - `ABORT string`: from this line on, the script fails as soon as `string` arrives (`"NO
//!   CARRIER"`, `BUSY`, `"Login incorrect"`), whatever it is waiting for.
//! - A field is a run of characters without blanks, or a string in double or single quotes,
//!   which may hold blanks (a closing quote must be followed by a blank or the end of the line).
//!   The keywords are only keywords unquoted: `"TIMEOUT"` in quotes is text to expect.
//! - Escapes, in any field: `\r` (CR), `\n` (LF), `\t` (tab), `\s` (space), `\\`, `\"`, `\'`;
//!   in a `SEND` only, `\d` (wait one second before sending the rest), `\p` (wait a tenth of a
//!   second) and `\c` (no carriage return after this send). Any other escape is an error.
//! - Matching is exact (case counts) on the bytes received since the previous match; each
//!   string is at most [`MAX_STRING`] bytes.
//! - chat(8)'s other keywords (`SAY`, `REPORT`, `ECHO`, `HANGUP`, `CLR_ABORT`, `CLR_REPORT`) and
//!   its `expect-send-expect` sub-sequences are not supported: the keywords are refused with an
//!   error, and a `-` is an ordinary character.
//!
//! A malformed line is reported by [`Script::parse`] with its line number ([`ParseError`]).
//!
//! # Running it
//!
//! [`Chat`] is sans-IO: give it what the line delivers ([`Chat::receive`]) and the time that
//! passes ([`Chat::advance`], in the crate's [`Duration`]s), take what it sends
//! ([`Chat::transmit`]), and watch [`Chat::state`]. It ends [`State::Done`] after the last line,
//! or as soon as the far end's PPP frames arrive (a flag, then the start of a frame: `7E FF 7D
//! 23`, `7E FF 03`, or with Address-and-Control-Field Compression `7E C0 21` / `7E 80 21`), in
//! which case [`Chat::ppp_started`] is true and [`Chat::take_leftover`] hands over the bytes from
//! that flag on, for the PPP deframer. [`Chat::poll_log`] says what happened, never showing what
//! is sent after a password prompt.
//!
//! ```
//! use softmodem::ppp::chat::{Chat, Script, State};
//! use softmodem::time::Duration;
//! let script = Script::parse("login: guest\nPassword: secret\n").unwrap();
//! let mut chat = Chat::new(script);
//! chat.receive(b"\r\nWelcome\r\nlogin: ");
//! let mut out = [0u8; 64];
//! let n = chat.transmit(&mut out);
//! assert_eq!(&out[..n], b"guest\r");
//! chat.advance(Duration::from_secs(1));
//! chat.receive(b"Password: ");
//! let n = chat.transmit(&mut out);
//! assert_eq!(&out[..n], b"secret\r");
//! assert_eq!(chat.state(), State::Done { ppp_started: false });
//! ```
//!
//! Storage is made when the chat is made: a window of the last 2 x [`MAX_STRING`] bytes received,
//! a send queue of one `SEND`, [`LEFTOVER_MAX`] bytes of PPP leftover and [`LOG_MAX`] log lines.

use core::fmt;
use std::collections::VecDeque;

use crate::queue::ByteQueue;
use crate::time::Duration;

/// The timeout of an `EXPECT` until a `TIMEOUT` line says otherwise, in seconds.
pub const DEFAULT_TIMEOUT_SECS: u32 = 30;
/// The longest `TIMEOUT` a script may set, in seconds (a day).
pub const MAX_TIMEOUT_SECS: u32 = 86_400;
/// The longest string (after its escapes; for a `SEND`, its bytes without delays and the
/// carriage return).
pub const MAX_STRING: usize = 256;
/// The most bytes kept for the PPP deframer from the flag that started PPP on
/// ([`Chat::take_leftover`]); more are dropped and counted.
pub const LEFTOVER_MAX: usize = 4096;
/// The most log lines waiting ([`Chat::poll_log`]); older ones make way and are counted.
pub const LOG_MAX: usize = 32;

const CR: u8 = 0x0D;
/// The window of received bytes kept for matching (halved when full).
const WINDOW: usize = 2 * MAX_STRING;

/// What PPP frames start with on the line: a flag, then the Address and Control fields (the
/// Control field escaped, as LCP sends it, or not) or, compressed away, LCP's or IPCP's protocol.
const PPP_STARTS: [&[u8]; 4] =
    [&[0x7E, 0xFF, 0x7D, 0x23], &[0x7E, 0xFF, 0x03], &[0x7E, 0xC0, 0x21], &[0x7E, 0x80, 0x21]];

/// What is wrong with a script line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParseErrorKind {
    /// A quoted string is not closed on its line.
    UnterminatedQuote,
    /// A closing quote is followed by something other than a blank.
    TextAfterQuote,
    /// More than two fields (`EXPECT SEND`, `TIMEOUT n`, `ABORT string`).
    TooManyFields(usize),
    /// `TIMEOUT` without a whole number of seconds from 1 to [`MAX_TIMEOUT_SECS`]; what was given.
    BadTimeout(String),
    /// `ABORT` without its string.
    MissingAbortString,
    /// `ABORT ""`: an empty string would abort at once.
    EmptyAbortString,
    /// A backslash with an escape this format does not have.
    BadEscape(char),
    /// A backslash at the end of the line.
    TrailingBackslash,
    /// `\d`, `\p` or `\c` outside a `SEND`.
    SendOnlyEscape(char),
    /// A string longer than [`MAX_STRING`] bytes.
    TooLong,
    /// A chat(8) keyword this runner does not have.
    UnsupportedKeyword(String),
}

/// A malformed script line: where, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// The line, counted from 1.
    pub line: usize,
    /// What is wrong with it.
    pub kind: ParseErrorKind,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "chat script line {}: ", self.line)?;
        match &self.kind {
            ParseErrorKind::UnterminatedQuote => write!(f, "unterminated quote"),
            ParseErrorKind::TextAfterQuote => write!(f, "text right after a closing quote"),
            ParseErrorKind::TooManyFields(n) => write!(f, "{n} fields, at most 2"),
            ParseErrorKind::BadTimeout(s) => {
                write!(f, "TIMEOUT needs whole seconds from 1 to {MAX_TIMEOUT_SECS}, not {s:?}")
            }
            ParseErrorKind::MissingAbortString => write!(f, "ABORT without a string"),
            ParseErrorKind::EmptyAbortString => write!(f, "ABORT with an empty string"),
            ParseErrorKind::BadEscape(c) => write!(f, "unknown escape \\{c}"),
            ParseErrorKind::TrailingBackslash => write!(f, "backslash at the end of the line"),
            ParseErrorKind::SendOnlyEscape(c) => write!(f, "\\{c} is only for a SEND string"),
            ParseErrorKind::TooLong => write!(f, "string longer than {MAX_STRING} bytes"),
            ParseErrorKind::UnsupportedKeyword(k) => write!(f, "{k} is not supported"),
        }
    }
}

impl std::error::Error for ParseError {}

/// One piece of a `SEND`.
#[derive(Clone, PartialEq, Eq)]
enum Piece {
    Bytes(Vec<u8>),
    Delay(Duration),
}

/// A `SEND`: its pieces and whether a carriage return follows.
#[derive(Clone, PartialEq, Eq)]
struct Send {
    pieces: Vec<Piece>,
    cr: bool,
}

impl fmt::Debug for Send {
    /// Only the size: a send may be a password.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let bytes: usize = self.pieces.iter().map(|p| if let Piece::Bytes(b) = p { b.len() } else { 0 }).sum();
        write!(f, "Send({bytes} bytes, cr: {})", self.cr)
    }
}

/// One `EXPECT SEND` line.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Step {
    line: usize,
    /// Empty: expect nothing.
    expect: Vec<u8>,
    send: Option<Send>,
    timeout: Duration,
    /// How many of the script's ABORT strings are active (those declared above this line).
    aborts: usize,
}

/// A parsed login script ([`Script::parse`]); run it with [`Chat::new`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Script {
    steps: Vec<Step>,
    aborts: Vec<Vec<u8>>,
}

/// One unit of a field after its escapes.
enum Item {
    Byte(u8),
    Delay,
    Pause,
    NoCr,
}

/// A field of a line: its units, whether it was quoted and its text as written.
struct Field<'a> {
    items: Vec<Item>,
    quoted: bool,
    raw: &'a str,
}

fn blank(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | 0x0B | 0x0C)
}

/// Reads the escape at `line[i]` (a backslash) into `items`; returns the index after it.
fn escape(line: &str, i: usize, items: &mut Vec<Item>) -> Result<usize, ParseErrorKind> {
    let Some(c) = line[i + 1..].chars().next() else { return Err(ParseErrorKind::TrailingBackslash) };
    items.push(match c {
        'r' => Item::Byte(CR),
        'n' => Item::Byte(b'\n'),
        't' => Item::Byte(b'\t'),
        's' => Item::Byte(b' '),
        '\\' | '"' | '\'' => Item::Byte(c as u8),
        'd' => Item::Delay,
        'p' => Item::Pause,
        'c' => Item::NoCr,
        _ => return Err(ParseErrorKind::BadEscape(c)),
    });
    Ok(i + 1 + c.len_utf8())
}

/// Splits a line into its fields.
fn fields(line: &str) -> Result<Vec<Field<'_>>, ParseErrorKind> {
    let b = line.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    loop {
        while i < b.len() && blank(b[i]) {
            i += 1;
        }
        if i == b.len() {
            return Ok(out);
        }
        let start = i;
        let mut items = Vec::new();
        let quoted = b[i] == b'"' || b[i] == b'\'';
        if quoted {
            let q = b[i];
            i += 1;
            loop {
                match b.get(i) {
                    None => return Err(ParseErrorKind::UnterminatedQuote),
                    Some(&c) if c == q => {
                        i += 1;
                        break;
                    }
                    Some(b'\\') => i = escape(line, i, &mut items)?,
                    Some(&c) => {
                        items.push(Item::Byte(c));
                        i += 1;
                    }
                }
            }
            if i < b.len() && !blank(b[i]) {
                return Err(ParseErrorKind::TextAfterQuote);
            }
        } else {
            while i < b.len() && !blank(b[i]) {
                if b[i] == b'\\' {
                    i = escape(line, i, &mut items)?;
                } else {
                    items.push(Item::Byte(b[i]));
                    i += 1;
                }
            }
        }
        out.push(Field { items, quoted, raw: &line[start..i] });
    }
}

/// A field that may only hold bytes (an `EXPECT`, an `ABORT` string, a `TIMEOUT`'s number).
fn plain(field: &Field) -> Result<Vec<u8>, ParseErrorKind> {
    let mut out = Vec::with_capacity(field.items.len());
    for item in &field.items {
        match item {
            Item::Byte(b) => out.push(*b),
            Item::Delay => return Err(ParseErrorKind::SendOnlyEscape('d')),
            Item::Pause => return Err(ParseErrorKind::SendOnlyEscape('p')),
            Item::NoCr => return Err(ParseErrorKind::SendOnlyEscape('c')),
        }
    }
    if out.len() > MAX_STRING {
        return Err(ParseErrorKind::TooLong);
    }
    Ok(out)
}

fn send(field: &Field) -> Result<Send, ParseErrorKind> {
    let mut s = Send { pieces: Vec::new(), cr: true };
    let mut total = 0;
    for item in &field.items {
        match item {
            Item::Byte(b) => {
                total += 1;
                match s.pieces.last_mut() {
                    Some(Piece::Bytes(v)) => v.push(*b),
                    _ => s.pieces.push(Piece::Bytes(vec![*b])),
                }
            }
            Item::Delay => s.pieces.push(Piece::Delay(Duration::from_secs(1))),
            Item::Pause => s.pieces.push(Piece::Delay(Duration::from_ms(100))),
            Item::NoCr => s.cr = false,
        }
    }
    if total > MAX_STRING {
        return Err(ParseErrorKind::TooLong);
    }
    Ok(s)
}

const UNSUPPORTED: [&str; 6] = ["SAY", "REPORT", "ECHO", "HANGUP", "CLR_ABORT", "CLR_REPORT"];

impl Script {
    /// Parses a script (the format is in the [module documentation](self)).
    pub fn parse(text: &str) -> Result<Script, ParseError> {
        let mut script = Script::default();
        let mut timeout = Duration::from_secs(DEFAULT_TIMEOUT_SECS);
        for (n, line) in text.lines().enumerate() {
            let line_no = n + 1;
            let err = |kind| ParseError { line: line_no, kind };
            if line.trim_start().starts_with('#') {
                continue;
            }
            let fs = fields(line).map_err(err)?;
            let Some(first) = fs.first() else { continue };
            if fs.len() > 2 {
                return Err(err(ParseErrorKind::TooManyFields(fs.len())));
            }
            let keyword = if first.quoted { "" } else { first.raw };
            match keyword {
                "TIMEOUT" => {
                    let given = fs.get(1).map(|f| String::from_utf8_lossy(&plain(f).unwrap_or_default()).into_owned());
                    let secs = given.as_deref().and_then(|s| s.parse::<u32>().ok());
                    match secs {
                        Some(s) if (1..=MAX_TIMEOUT_SECS).contains(&s) => timeout = Duration::from_secs(s),
                        _ => return Err(err(ParseErrorKind::BadTimeout(given.unwrap_or_default()))),
                    }
                }
                "ABORT" => {
                    let f = fs.get(1).ok_or(err(ParseErrorKind::MissingAbortString))?;
                    let s = plain(f).map_err(err)?;
                    if s.is_empty() {
                        return Err(err(ParseErrorKind::EmptyAbortString));
                    }
                    script.aborts.push(s);
                }
                k if UNSUPPORTED.contains(&k) => return Err(err(ParseErrorKind::UnsupportedKeyword(k.to_string()))),
                _ => {
                    let expect = plain(first).map_err(err)?;
                    let send = fs.get(1).map(send).transpose().map_err(err)?;
                    let aborts = script.aborts.len();
                    script.steps.push(Step { line: line_no, expect, send, timeout, aborts });
                }
            }
        }
        Ok(script)
    }

    /// The number of `EXPECT SEND` lines.
    pub fn len(&self) -> usize {
        self.steps.len()
    }

    /// True when the script has no `EXPECT SEND` line (it is done at once).
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }

    /// The script line (from 1) of step `step` (from 0).
    pub fn line_of(&self, step: usize) -> Option<usize> {
        self.steps.get(step).map(|s| s.line)
    }
}

impl core::str::FromStr for Script {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Script, ParseError> {
        Script::parse(s)
    }
}

/// Why a script failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// An `EXPECT` did not arrive in time.
    Timeout {
        /// The string expected (escaped as the log shows it).
        expect: String,
        /// The step that waited (from 0; [`Script::line_of`] gives its line).
        step: usize,
    },
    /// An `ABORT` string arrived.
    Aborted {
        /// The string (escaped as the log shows it).
        string: String,
    },
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Timeout { expect, step } => write!(f, "timed out waiting for \"{expect}\" (step {})", step + 1),
            Failure::Aborted { string } => write!(f, "aborted on \"{string}\""),
        }
    }
}

/// Where a script is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum State {
    /// Running step `step` (from 0): waiting for its `EXPECT` or sending its `SEND`.
    Running {
        /// The step, counted from 0.
        step: usize,
    },
    /// Finished: every line done and sent, or the far end's PPP frames arrived.
    Done {
        /// True when the script ended because PPP frames arrived ([`Chat::take_leftover`]).
        ppp_started: bool,
    },
    /// Failed; nothing more happens.
    Failed(Failure),
}

/// Where the runner is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// About to start `step` (only inside [`Chat::pump`]).
    Start(usize),
    /// Waiting for the step's `EXPECT`, `left` before its timeout.
    Expect {
        step: usize,
        left: Duration,
    },
    /// Sending the step's `SEND`: the next piece, and the delay still to wait if in one.
    Send {
        step: usize,
        piece: usize,
        wait: Option<Duration>,
    },
    /// Every step done; the last send still leaving.
    Finishing,
    Done,
    Failed,
}

/// A script running against the line (see the [module documentation](self)).
pub struct Chat {
    script: Script,
    phase: Phase,
    /// The last bytes received, at most 2 x [`MAX_STRING`] (halved when full).
    window: Vec<u8>,
    /// How many of the window's last bytes came since the previous match.
    fresh: usize,
    /// The last four bytes received, for the start of PPP.
    recent: [u8; 4],
    out: ByteQueue,
    ppp: bool,
    leftover: Vec<u8>,
    leftover_dropped: u64,
    failure: Option<Failure>,
    log: VecDeque<String>,
    log_dropped: u64,
}

/// A string as the log shows it: printable ASCII as is, the rest escaped.
fn show(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() + 2);
    for &b in bytes {
        match b {
            b'\r' => s.push_str("\\r"),
            b'\n' => s.push_str("\\n"),
            b'\t' => s.push_str("\\t"),
            b'"' => s.push_str("\\\""),
            b'\\' => s.push_str("\\\\"),
            0x20..=0x7E => s.push(b as char),
            _ => s.push_str(&format!("\\x{b:02x}")),
        }
    }
    s
}

fn show_send(send: &Send) -> String {
    let mut s = String::new();
    for p in &send.pieces {
        match p {
            Piece::Bytes(b) => s.push_str(&show(b)),
            Piece::Delay(d) if *d >= Duration::from_secs(1) => s.push_str("\\d"),
            Piece::Delay(_) => s.push_str("\\p"),
        }
    }
    if !send.cr {
        s.push_str("\\c");
    }
    s
}

/// True for a prompt whose answer must not be logged (a superset of `/assword/i`).
fn secret_prompt(expect: &[u8]) -> bool {
    let lower = expect.to_ascii_lowercase();
    ["ssword", "passwd", "passcode", "word:", "pin:"].iter().any(|w| lower.windows(w.len()).any(|x| x == w.as_bytes()))
}

impl Chat {
    /// A runner for `script`, started: if its first line expects nothing, its send is ready at
    /// once.
    pub fn new(script: Script) -> Chat {
        let mut chat = Chat {
            script,
            phase: Phase::Start(0),
            window: Vec::with_capacity(WINDOW),
            fresh: 0,
            recent: [0; 4],
            out: ByteQueue::new(MAX_STRING + 1),
            ppp: false,
            leftover: Vec::with_capacity(LEFTOVER_MAX),
            leftover_dropped: 0,
            failure: None,
            log: VecDeque::with_capacity(LOG_MAX),
            log_dropped: 0,
        };
        chat.pump();
        chat
    }

    /// Where the script is.
    pub fn state(&self) -> State {
        match self.phase {
            Phase::Done => State::Done { ppp_started: self.ppp },
            Phase::Failed => State::Failed(self.failure.clone().unwrap_or(Failure::Aborted { string: String::new() })),
            Phase::Start(step) | Phase::Expect { step, .. } | Phase::Send { step, .. } => State::Running { step },
            Phase::Finishing => State::Running { step: self.script.steps.len().saturating_sub(1) },
        }
    }

    /// True while the script runs (neither done nor failed).
    pub fn is_running(&self) -> bool {
        !matches!(self.phase, Phase::Done | Phase::Failed)
    }

    /// The string being waited for, if the script is waiting for one.
    pub fn expecting(&self) -> Option<&[u8]> {
        match self.phase {
            Phase::Expect { step, .. } => Some(&self.script.steps[step].expect),
            _ => None,
        }
    }

    /// The script being run.
    pub fn script(&self) -> &Script {
        &self.script
    }

    /// Bytes from the line. While the script runs they are matched against its `EXPECT` and
    /// `ABORT` strings; whenever it has not failed (after it is done, too), they are watched for
    /// the start of PPP, and from that start on kept for [`Chat::take_leftover`].
    pub fn receive(&mut self, bytes: &[u8]) {
        for (i, &b) in bytes.iter().enumerate() {
            if self.ppp {
                self.keep(&bytes[i..]);
                return;
            }
            if self.phase == Phase::Failed {
                return;
            }
            self.recent = [self.recent[1], self.recent[2], self.recent[3], b];
            if let Some(start) = PPP_STARTS.iter().find(|s| self.recent.ends_with(s)) {
                self.ppp = true;
                self.out.clear();
                self.keep(start);
                self.keep(&bytes[i + 1..]);
                if self.phase == Phase::Done {
                    self.log("chat: PPP frames arrived".into());
                } else {
                    self.phase = Phase::Done;
                    self.log("chat: PPP frames arrived, done".into());
                }
                return;
            }
            if !self.is_running() {
                continue;
            }
            if self.window.len() == WINDOW {
                self.window.drain(..MAX_STRING);
            }
            self.window.push(b);
            self.fresh = (self.fresh + 1).min(self.window.len());
            let aborts = match self.phase {
                Phase::Expect { step, .. } | Phase::Send { step, .. } | Phase::Start(step) => {
                    self.script.steps[step].aborts
                }
                _ => self.script.steps.last().map_or(0, |s| s.aborts),
            };
            if let Some(a) = self.script.aborts[..aborts].iter().find(|a| self.window.ends_with(a)) {
                let string = show(a);
                self.log(format!("chat: got \"{string}\", aborting"));
                self.fail(Failure::Aborted { string });
                return;
            }
            if let Phase::Expect { step, .. } = self.phase {
                let e = &self.script.steps[step].expect;
                if self.fresh >= e.len() && self.window.ends_with(e) {
                    self.fresh = 0;
                    self.matched(step);
                    self.pump();
                }
            }
        }
    }

    /// Time passed: counts down the `EXPECT` being waited for (failing the script when it runs
    /// out) and the delays of a `SEND`.
    pub fn advance(&mut self, elapsed: Duration) {
        let mut left = elapsed;
        loop {
            match self.phase {
                Phase::Expect { step, left: rem } => {
                    if left >= rem {
                        let s = &self.script.steps[step];
                        let expect = show(&s.expect);
                        self.log(format!(
                            "chat: timeout after {} s waiting for \"{expect}\" (line {})",
                            s.timeout.as_ms() / 1000,
                            s.line
                        ));
                        self.fail(Failure::Timeout { expect, step });
                    } else {
                        self.phase = Phase::Expect { step, left: rem - left };
                    }
                    return;
                }
                Phase::Send { step, piece, wait: Some(w) } => {
                    if left >= w {
                        left -= w;
                        self.phase = Phase::Send { step, piece: piece + 1, wait: None };
                        self.pump();
                    } else {
                        self.phase = Phase::Send { step, piece, wait: Some(w - left) };
                        return;
                    }
                }
                _ => return,
            }
        }
    }

    /// Bytes to send to the line; returns how many were written into `out`.
    pub fn transmit(&mut self, out: &mut [u8]) -> usize {
        let mut n = 0;
        loop {
            let got = self.out.read(&mut out[n..]);
            n += got;
            self.pump();
            if got == 0 || n == out.len() {
                return n;
            }
        }
    }

    /// True once the far end's PPP frames have arrived.
    pub fn ppp_started(&self) -> bool {
        self.ppp
    }

    /// Moves the bytes received from the flag that started PPP on (at most [`LEFTOVER_MAX`]
    /// waiting) to the end of `out`, for the PPP deframer.
    pub fn take_leftover(&mut self, out: &mut Vec<u8>) {
        out.append(&mut self.leftover);
    }

    /// Bytes of PPP leftover dropped because more than [`LEFTOVER_MAX`] were waiting.
    pub fn leftover_dropped(&self) -> u64 {
        self.leftover_dropped
    }

    /// The next log line, oldest first (`chat: expect "login:"`, `chat: got it, send "guest"`,
    /// ...). What is sent after a password prompt shows as `"********"`.
    pub fn poll_log(&mut self) -> Option<String> {
        self.log.pop_front()
    }

    /// Log lines dropped because more than [`LOG_MAX`] were waiting.
    pub fn log_dropped(&self) -> u64 {
        self.log_dropped
    }

    fn keep(&mut self, bytes: &[u8]) {
        let n = bytes.len().min(LEFTOVER_MAX - self.leftover.len());
        self.leftover.extend_from_slice(&bytes[..n]);
        self.leftover_dropped += (bytes.len() - n) as u64;
    }

    fn log(&mut self, line: String) {
        if self.log.len() >= LOG_MAX {
            self.log.pop_front();
            self.log_dropped += 1;
        }
        self.log.push_back(line);
    }

    fn fail(&mut self, failure: Failure) {
        self.failure = Some(failure);
        self.phase = Phase::Failed;
        self.out.clear();
    }

    /// The step's `SEND` as the log shows it (masked after a password prompt).
    fn send_text(&self, step: usize) -> Option<String> {
        let s = &self.script.steps[step];
        let send = s.send.as_ref()?;
        Some(if secret_prompt(&s.expect) { "********".into() } else { show_send(send) })
    }

    /// The step's `EXPECT` arrived.
    fn matched(&mut self, step: usize) {
        let line = match self.send_text(step) {
            Some(t) => format!("chat: got it, send \"{t}\""),
            None => "chat: got it".into(),
        };
        self.log(line);
        self.phase = Phase::Send { step, piece: 0, wait: None };
    }

    /// Goes as far as it can without time or more input.
    fn pump(&mut self) {
        loop {
            match self.phase {
                Phase::Start(step) => {
                    let Some(s) = self.script.steps.get(step) else {
                        self.phase = Phase::Finishing;
                        continue;
                    };
                    if s.expect.is_empty() {
                        if let Some(t) = self.send_text(step) {
                            self.log(format!("chat: send \"{t}\""));
                        }
                        self.phase = Phase::Send { step, piece: 0, wait: None };
                        continue;
                    }
                    let (timeout, expect) = (s.timeout, show(&s.expect));
                    self.log(format!("chat: expect \"{expect}\""));
                    self.phase = Phase::Expect { step, left: timeout };
                    // It may have arrived already, while the previous send was going out.
                    let e = &self.script.steps[step].expect;
                    let fresh = &self.window[self.window.len() - self.fresh..];
                    if let Some(at) = fresh.windows(e.len()).position(|w| w == e) {
                        self.fresh = fresh.len() - at - e.len();
                        self.matched(step);
                    }
                    return;
                }
                Phase::Send { step, piece, wait: None } => {
                    let Some(send) = &self.script.steps[step].send else {
                        self.phase = Phase::Start(step + 1);
                        continue;
                    };
                    if piece == 0 && !self.out.is_empty() {
                        // The previous send is still leaving.
                        return;
                    }
                    match send.pieces.get(piece) {
                        Some(Piece::Bytes(b)) => {
                            self.out.write(b);
                            self.phase = Phase::Send { step, piece: piece + 1, wait: None };
                        }
                        Some(Piece::Delay(d)) => {
                            self.phase = Phase::Send { step, piece, wait: Some(*d) };
                            return;
                        }
                        None => {
                            if send.cr {
                                self.out.push(CR);
                            }
                            self.phase = Phase::Start(step + 1);
                        }
                    }
                }
                Phase::Finishing => {
                    if self.out.is_empty() {
                        self.phase = Phase::Done;
                        self.log("chat: done".into());
                    }
                    return;
                }
                Phase::Send { .. } | Phase::Expect { .. } | Phase::Done | Phase::Failed => return,
            }
        }
    }
}

#[cfg(test)]
mod tests;
