//! What goes over a phone's AT port, both ways: the commands the controller sends ([`Command`])
//! and what the phone says ([`Response`]), each with its parse and emit, in the manner of a
//! protocol's wire format. Nothing here keeps state beyond one line ([`LineSplitter`]).
//!
//! **Commands** (ITU-T V.250, 3GPP TS 27.007, and for hands-free the Bluetooth Hands-Free
//! Profile): each is named once, in [`Command::name`]; [`Command::emit`] writes the command line
//! with its CR, and [`Command::parse`] recognises exactly the lines `emit` writes.
//!
//! ```
//! use softmodem::phone::wire::{Command, DialString};
//! let mut out = Vec::new();
//! Command::Dial(DialString::new("555-1234").unwrap()).emit(&mut out);
//! Command::ListCalls.emit(&mut out);
//! assert_eq!(out, b"ATD5551234;\rAT+CLCC\r");
//! assert_eq!(Command::parse(b"AT+CLCC\r"), Some(Command::ListCalls));
//! ```
//!
//! **Responses**: raw serial bytes are split into lines ([`LineSplitter`]) and each line is parsed
//! into a typed [`Response`] ([`parse`], [`parse_line`]); [`Response::emit`] writes one back in
//! V.250 framing (for simulators and tests).
//!
//! ITU-T V.250 frames every verbose result code and information response as
//! `<CR><LF>text<CR><LF>`; real phones also send bare `<LF>`, bare `<CR>`, stray NULs, the echo of
//! the command (terminated by `<CR>` alone) and lines split across reads. The splitter treats CR,
//! LF and CR LF each as one line end, so the V.250 framing yields blank lines between responses;
//! the parser reports them as [`Response::Blank`] and the controller ignores them.
//!
//! ```
//! use softmodem::phone::wire::{parse, FinalResult, LineSplitter, Response};
//! let mut split = LineSplitter::new();
//! let mut got = Vec::new();
//! split.push(b"\r\nRI", |l| got.push(parse(l)));
//! split.push(b"NG\r\n\r\n+CLIP: \"5551234\",129\r\n\r\nOK\r\n", |l| got.push(parse(l)));
//! got.retain(|r| *r != Response::Blank);
//! assert_eq!(got[0], Response::Ring);
//! assert!(matches!(&got[1], Response::Clip(id) if id.number.as_deref() == Some("5551234")));
//! assert_eq!(got[2], Response::Final(FinalResult::Ok));
//! ```

use core::fmt::{self, Write as _};

// ---- Commands ----

/// The longest dial string ([`DialString`]), in characters.
pub const MAX_DIAL: usize = 64;

/// What aborts a command in progress: V.250 lets any character abort a dial or an answer; a lone
/// CR is the one an idle phone ignores.
pub const ABORT: &[u8] = b"\r";

/// A dial string for `ATD<number>;`: 1 to [`MAX_DIAL`] characters of `0-9 * # A-D`, the V.250
/// dial modifiers `, W P T ! @` (upper case), and `+` first. Nothing else can get into a command
/// line through it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DialString(String);

impl DialString {
    /// The dial string for `number`: spaces, dashes, dots, slashes and parentheses are dropped
    /// and letters upper-cased; `None` when what remains is empty, too long or holds anything
    /// else.
    pub fn new(number: &str) -> Option<DialString> {
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
        (!s.is_empty()).then_some(DialString(s))
    }

    /// The dial string.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl core::ops::Deref for DialString {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for DialString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A command line the controller sends to the phone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// `ATE0V1`: no command echo (V.250 `E0`), verbose result codes (`V1`).
    EchoOff,
    /// `AT+CMEE=1`: failures reported as numeric `+CME ERROR: <err>` (TS 27.007 clause 9.1).
    ReportErrors,
    /// `AT+CRC=1`: incoming calls reported as `+CRING: <type>` (TS 27.007 clause 6.11).
    CellularResultCodes,
    /// `AT+CLIP=1`: the caller's number reported as `+CLIP` (TS 27.007 clause 7.6).
    CallingLineId,
    /// `AT+BRSF=<features>`: the hands-free unit's supported features (Hands-Free Profile).
    SupportedFeatures(u32),
    /// `AT+CIND=?`: the indicators' names and ranges, in the phone's order (TS 27.007 clause 8.9).
    IndicatorList,
    /// `AT+CIND?`: the indicators' values.
    IndicatorValues,
    /// `AT+CMER=3,0,0,1`: indicator changes reported as `+CIEV` (TS 27.007 clause 8.10).
    EventReporting,
    /// `ATD<number>;`: a voice call (the `;`) to the number (V.250 clause 6.3.1).
    Dial(DialString),
    /// `ATA`: answer the call ringing here.
    Answer,
    /// `AT+CHUP`: hang up the call (TS 27.007 clause 6.5).
    HangUp,
    /// `ATH`: on hook (V.250 clause 6.3.6), where `AT+CHUP` is refused.
    OnHook,
    /// `AT+CLCC`: list the current calls (TS 27.007 clause 7.18).
    ListCalls,
}

/// The commands without parameters, for [`Command::parse`].
const FIXED_COMMANDS: [Command; 11] = [
    Command::EchoOff,
    Command::ReportErrors,
    Command::CellularResultCodes,
    Command::CallingLineId,
    Command::IndicatorList,
    Command::IndicatorValues,
    Command::EventReporting,
    Command::Answer,
    Command::HangUp,
    Command::OnHook,
    Command::ListCalls,
];

impl Command {
    /// The command's name, as failures quote it: `ATE0V1`, `AT+CMEE`, `AT+CIND=?`, `ATD`, ...
    /// Every command line starts with its name.
    pub fn name(&self) -> &'static str {
        match self {
            Command::EchoOff => "ATE0V1",
            Command::ReportErrors => "AT+CMEE",
            Command::CellularResultCodes => "AT+CRC",
            Command::CallingLineId => "AT+CLIP",
            Command::SupportedFeatures(_) => "AT+BRSF",
            Command::IndicatorList => "AT+CIND=?",
            Command::IndicatorValues => "AT+CIND?",
            Command::EventReporting => "AT+CMER",
            Command::Dial(_) => "ATD",
            Command::Answer => "ATA",
            Command::HangUp => "AT+CHUP",
            Command::OnHook => "ATH",
            Command::ListCalls => "AT+CLCC",
        }
    }

    /// Appends the command line, ended by its CR (`ATD5551234;\r`), to `out`.
    pub fn emit(&self, out: &mut Vec<u8>) {
        let mut line = String::new();
        let _ = write!(line, "{self}\r");
        out.extend_from_slice(line.as_bytes());
    }

    /// The command a line holds, with or without its CR, in any case: exactly the lines
    /// [`Command::emit`] writes (the number of `ATD` goes through [`DialString::new`]). `None`
    /// for anything else.
    pub fn parse(line: &[u8]) -> Option<Command> {
        let text = core::str::from_utf8(line).ok()?;
        let upper = text.strip_suffix('\r').unwrap_or(text).to_ascii_uppercase();
        let after = |c: Command| upper.strip_prefix(c.name());
        if let Some(number) = after(Command::Dial(DialString(String::new()))) {
            return DialString::new(number.strip_suffix(';')?).map(Command::Dial);
        }
        if let Some(features) = after(Command::SupportedFeatures(0)).and_then(|r| r.strip_prefix('=')) {
            return number(features).map(Command::SupportedFeatures);
        }
        FIXED_COMMANDS.into_iter().find(|c| c.to_string() == upper)
    }
}

impl fmt::Display for Command {
    /// The command line without its CR.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())?;
        match self {
            Command::ReportErrors | Command::CellularResultCodes | Command::CallingLineId => f.write_str("=1"),
            Command::SupportedFeatures(features) => write!(f, "={features}"),
            Command::EventReporting => f.write_str("=3,0,0,1"),
            Command::Dial(number) => write!(f, "{number};"),
            _ => Ok(()),
        }
    }
}

// ---- Responses ----

/// The longest line kept, in bytes. Longer lines keep their first `MAX_LINE` bytes, the rest up to
/// the line end is discarded, and the line is reported as [`Response::Overlong`].
pub const MAX_LINE: usize = 512;

/// The most comma-separated fields looked at in one response; further fields are ignored.
pub const MAX_FIELDS: usize = 64;

/// The result codes and information response names, as the phone spells them (matched without
/// regard to case).
mod code {
    pub const OK: &str = "OK";
    pub const CONNECT: &str = "CONNECT";
    pub const ERROR: &str = "ERROR";
    pub const NO_CARRIER: &str = "NO CARRIER";
    pub const BUSY: &str = "BUSY";
    pub const NO_ANSWER: &str = "NO ANSWER";
    pub const NO_DIALTONE: &str = "NO DIALTONE";
    /// Another spelling of `NO DIALTONE`, only read.
    pub const NO_DIAL_TONE: &str = "NO DIAL TONE";
    pub const RING: &str = "RING";
    pub const CME_ERROR: &str = "+CME ERROR";
    pub const CMS_ERROR: &str = "+CMS ERROR";
    pub const CRING: &str = "+CRING";
    pub const CLIP: &str = "+CLIP";
    pub const CIEV: &str = "+CIEV";
    pub const CLCC: &str = "+CLCC";
    pub const CIND: &str = "+CIND";
    pub const BRSF: &str = "+BRSF";
}

/// One line from the phone, without its line end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Line<'a> {
    /// The line's bytes (control characters other than TAB removed), at most [`MAX_LINE`].
    pub bytes: &'a [u8],
    /// True when the line was longer than [`MAX_LINE`] and its tail was discarded.
    pub truncated: bool,
}

/// Splits raw serial bytes into lines, across any number of reads, in bounded memory.
///
/// - CR, LF and CR followed by LF each end a line (so `\r\n` is one line end, `\n\r` two).
/// - NUL and every other control character except TAB (and DEL) are dropped wherever they are;
///   they do not affect CR LF pairing.
/// - A line longer than [`MAX_LINE`] bytes keeps its first [`MAX_LINE`] bytes and is flagged
///   [`Line::truncated`]; the rest of it, up to its line end, is discarded.
/// - Bytes after the last line end wait for the next [`LineSplitter::push`].
#[derive(Debug, Clone)]
pub struct LineSplitter {
    buf: Vec<u8>,
    truncated: bool,
    last_cr: bool,
}

impl Default for LineSplitter {
    fn default() -> Self {
        Self::new()
    }
}

impl LineSplitter {
    /// An empty splitter (allocates its [`MAX_LINE`] buffer once).
    pub fn new() -> Self {
        LineSplitter { buf: Vec::with_capacity(MAX_LINE), truncated: false, last_cr: false }
    }

    /// Feeds bytes read from the phone; `on_line` is called for every line they complete.
    pub fn push(&mut self, data: &[u8], mut on_line: impl FnMut(Line<'_>)) {
        for &b in data {
            match b {
                b'\r' => {
                    self.emit(&mut on_line);
                    self.last_cr = true;
                }
                b'\n' => {
                    if self.last_cr {
                        self.last_cr = false;
                    } else {
                        self.emit(&mut on_line);
                    }
                }
                b'\t' => self.keep(b),
                0..=0x1f | 0x7f => {}
                _ => self.keep(b),
            }
        }
    }

    /// Bytes of an unfinished line waiting for its line end.
    pub fn pending(&self) -> usize {
        self.buf.len()
    }

    /// Forgets any unfinished line.
    pub fn clear(&mut self) {
        self.buf.clear();
        self.truncated = false;
        self.last_cr = false;
    }

    fn keep(&mut self, b: u8) {
        self.last_cr = false;
        if self.buf.len() < MAX_LINE {
            self.buf.push(b);
        } else {
            self.truncated = true;
        }
    }

    fn emit(&mut self, on_line: &mut impl FnMut(Line<'_>)) {
        on_line(Line { bytes: &self.buf, truncated: self.truncated });
        self.buf.clear();
        self.truncated = false;
    }
}

/// A final result code: the phone has finished the command (V.250 basic result codes and the
/// 3GPP TS 27.007 error codes).
///
/// `NO CARRIER`, `BUSY` and `NO ANSWER` are also sent unsolicited when a call ends; only the
/// context (is a command outstanding, and can it end that way) tells which. [`parse_line`] gives
/// both as `Final`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FinalResult {
    /// `OK`.
    Ok,
    /// `CONNECT`, with any text after it (`CONNECT 9600` gives `"9600"`).
    Connect(String),
    /// `ERROR`.
    Error,
    /// `+CME ERROR: <err>` (mobile equipment error, TS 27.007 clause 9.2).
    CmeError(ErrorCode),
    /// `+CMS ERROR: <err>` (message service error, TS 27.005).
    CmsError(ErrorCode),
    /// `NO CARRIER`: the call could not be set up, or it ended.
    NoCarrier,
    /// `BUSY`: the called party is busy.
    Busy,
    /// `NO ANSWER`: the called party did not answer.
    NoAnswer,
    /// `NO DIALTONE` (also `NO DIAL TONE`): no network to call on.
    NoDialtone,
}

impl FinalResult {
    /// True for `OK` and `CONNECT`.
    pub fn is_success(&self) -> bool {
        matches!(self, FinalResult::Ok | FinalResult::Connect(_))
    }

    /// The result code as the phone spelled it (canonical form).
    pub fn text(&self) -> String {
        match self {
            FinalResult::Ok => code::OK.into(),
            FinalResult::Connect(t) if t.is_empty() => code::CONNECT.into(),
            FinalResult::Connect(t) => format!("{} {t}", code::CONNECT),
            FinalResult::Error => code::ERROR.into(),
            FinalResult::CmeError(e) => format!("{}: {e}", code::CME_ERROR),
            FinalResult::CmsError(e) => format!("{}: {e}", code::CMS_ERROR),
            FinalResult::NoCarrier => code::NO_CARRIER.into(),
            FinalResult::Busy => code::BUSY.into(),
            FinalResult::NoAnswer => code::NO_ANSWER.into(),
            FinalResult::NoDialtone => code::NO_DIALTONE.into(),
        }
    }
}

/// The `<err>` of `+CME ERROR`/`+CMS ERROR`: numeric after `AT+CMEE=1`, text after `AT+CMEE=2`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErrorCode {
    /// A numeric code (TS 27.007 clause 9.2: 3 operation not allowed, 4 not supported, 30 no
    /// network service, 100 unknown, ...).
    Numeric(u32),
    /// A verbose code, as sent.
    Verbose(String),
}

impl core::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            ErrorCode::Numeric(n) => write!(f, "{n}"),
            ErrorCode::Verbose(s) => f.write_str(s),
        }
    }
}

/// The direction of a call in `+CLCC` (`<dir>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// 0: mobile originated (we or the handset called out).
    Outgoing,
    /// 1: mobile terminated (the far end called us).
    Incoming,
}

impl Direction {
    /// The direction for a `<dir>` value (`None` unless 0 or 1).
    pub fn from_code(n: u32) -> Option<Self> {
        match n {
            0 => Some(Direction::Outgoing),
            1 => Some(Direction::Incoming),
            _ => None,
        }
    }

    /// The `<dir>` value.
    pub fn code(self) -> u32 {
        match self {
            Direction::Outgoing => 0,
            Direction::Incoming => 1,
        }
    }
}

/// The state of a call in `+CLCC` (`<stat>`, TS 27.007 clause 7.18).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallState {
    /// 0: active (answered).
    Active,
    /// 1: held.
    Held,
    /// 2: dialing (outgoing, not yet ringing at the far end).
    Dialing,
    /// 3: alerting (outgoing, ringing at the far end).
    Alerting,
    /// 4: incoming (ringing here).
    Incoming,
    /// 5: waiting (incoming while another call is up).
    Waiting,
    /// Any other value, as sent.
    Other(u32),
}

impl CallState {
    /// The state for a `<stat>` value.
    pub fn from_code(n: u32) -> Self {
        match n {
            0 => CallState::Active,
            1 => CallState::Held,
            2 => CallState::Dialing,
            3 => CallState::Alerting,
            4 => CallState::Incoming,
            5 => CallState::Waiting,
            n => CallState::Other(n),
        }
    }

    /// The `<stat>` value.
    pub fn code(self) -> u32 {
        match self {
            CallState::Active => 0,
            CallState::Held => 1,
            CallState::Dialing => 2,
            CallState::Alerting => 3,
            CallState::Incoming => 4,
            CallState::Waiting => 5,
            CallState::Other(n) => n,
        }
    }
}

/// One `+CLCC: <id>,<dir>,<stat>,<mode>,<mpty>[,<number>,<type>[,<alpha>...]]` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallEntry {
    /// `<id>`: the call's identification number.
    pub id: u32,
    /// `<dir>`.
    pub direction: Direction,
    /// `<stat>`.
    pub state: CallState,
    /// `<mode>`: 0 voice, 1 data, 2 fax, 9 unknown, ...
    pub mode: u32,
    /// `<mpty>`: part of a multiparty (conference) call.
    pub multiparty: bool,
    /// `<number>`, when present and not empty.
    pub number: Option<String>,
    /// `<type>` of the number (129 national/unknown, 145 international, ...).
    pub number_type: Option<u32>,
}

/// The caller's identity from `+CLIP: <number>,<type>[,<subaddr>,<satype>[,<alpha>[,<CLI validity>]]]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallerId {
    /// `<number>`, when not empty (withheld or unavailable numbers come as `""`).
    pub number: Option<String>,
    /// `<type>` of the number.
    pub number_type: Option<u32>,
    /// `<alpha>`: the phone book name, when present and not empty.
    pub alpha: Option<String>,
    /// `<CLI validity>`: 0 valid, 1 withheld by the caller, 2 not available.
    pub validity: Option<u32>,
}

/// One indicator of a `+CIND=?` list: `("<descr>",(<values>))`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndicatorSpec {
    /// `<descr>`, as sent (`"call"`, `"callsetup"`, `"service"`, ...).
    pub name: String,
    /// The smallest value listed.
    pub min: u32,
    /// The largest value listed.
    pub max: u32,
}

/// Which indicator a `+CIEV` reports: TS 27.007 and the Hands-Free Profile give its 1-based
/// position in the `+CIND` list; some phones send its name instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IndicatorRef {
    /// The 1-based index in the `+CIND=?` list.
    Index(u32),
    /// The indicator's name.
    Name(String),
}

/// One parsed line from the phone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Response {
    /// An empty line (V.250 framing puts one before every response).
    Blank,
    /// The echo of a command line (`AT...` or `A/`): phones echo commands unless `ATE0`.
    Echo(String),
    /// A final result code (or a call-ending code sent unsolicited, see [`FinalResult`]).
    Final(FinalResult),
    /// `RING`: an incoming call.
    Ring,
    /// `+CRING: <type>`: an incoming call of a type (`VOICE`, `FAX`, `REL ASYNC`, ...), after
    /// `AT+CRC=1`.
    Cring(String),
    /// `+CLIP: ...`: the caller's number, after `AT+CLIP=1`.
    Clip(CallerId),
    /// `+CIEV: <ind>,<value>`: an indicator changed, after `AT+CMER=3,0,0,1`.
    Ciev {
        /// Which indicator.
        indicator: IndicatorRef,
        /// Its new value.
        value: u32,
    },
    /// `+CLCC: ...`: one current call.
    Clcc(CallEntry),
    /// `+CIND: ("<descr>",(<values>)),...`: the answer to `AT+CIND=?`, in the phone's order.
    CindSupported(Vec<IndicatorSpec>),
    /// `+CIND: <v>,<v>,...`: the answer to `AT+CIND?`, in the order of the `AT+CIND=?` list.
    CindValues(Vec<u32>),
    /// `+BRSF: <features>`: a hands-free audio gateway's supported features bitmap.
    Brsf(u32),
    /// A line longer than [`MAX_LINE`]: its first [`MAX_LINE`] bytes, not interpreted.
    Overlong(String),
    /// Anything else (other information responses, unknown or malformed codes), as text.
    Other(String),
}

/// Parses one line from a [`LineSplitter`]: truncated lines become [`Response::Overlong`], others
/// go through [`parse_line`].
pub fn parse(line: Line<'_>) -> Response {
    if line.truncated {
        Response::Overlong(String::from_utf8_lossy(line.bytes).into_owned())
    } else {
        parse_line(line.bytes)
    }
}

/// Parses one complete line (without its line end). Never fails: what is not understood is
/// [`Response::Other`]. Keywords are matched without regard to case and surrounding spaces.
pub fn parse_line(bytes: &[u8]) -> Response {
    let text = String::from_utf8_lossy(bytes);
    let t = text.trim();
    if t.is_empty() {
        return Response::Blank;
    }
    let upper = t.to_ascii_uppercase();
    if upper.starts_with("AT") || upper.starts_with("A/") {
        return Response::Echo(t.to_string());
    }
    let fin = |f| Response::Final(f);
    match upper.as_str() {
        code::OK => return fin(FinalResult::Ok),
        code::ERROR => return fin(FinalResult::Error),
        code::NO_CARRIER => return fin(FinalResult::NoCarrier),
        code::BUSY => return fin(FinalResult::Busy),
        code::NO_ANSWER => return fin(FinalResult::NoAnswer),
        code::NO_DIALTONE | code::NO_DIAL_TONE => return fin(FinalResult::NoDialtone),
        code::RING => return Response::Ring,
        code::CONNECT => return fin(FinalResult::Connect(String::new())),
        _ => {}
    }
    if upper.strip_prefix(code::CONNECT).is_some_and(|r| r.starts_with(' ')) {
        // The original case of the text after CONNECT (ASCII upper-casing keeps byte offsets).
        return fin(FinalResult::Connect(t[code::CONNECT.len() + 1..].trim().to_string()));
    }
    if upper.starts_with('+') {
        if let Some(r) = parse_extended(t, &upper) {
            return r;
        }
    }
    Response::Other(t.to_string())
}

/// `+NAME: rest` lines. `None` when the name is unknown or the fields do not fit.
fn parse_extended(t: &str, upper: &str) -> Option<Response> {
    let colon = upper.find(':')?;
    let name = upper[..colon].trim();
    let rest = t[colon + 1..].trim();
    match name {
        code::CME_ERROR => Some(Response::Final(FinalResult::CmeError(error_code(rest)))),
        code::CMS_ERROR => Some(Response::Final(FinalResult::CmsError(error_code(rest)))),
        code::CRING => Some(Response::Cring(rest.to_string())),
        code::CLIP => parse_clip(rest),
        code::CIEV => parse_ciev(rest),
        code::CLCC => parse_clcc(rest),
        code::CIND => parse_cind(rest),
        code::BRSF => number(rest).map(Response::Brsf),
        _ => None,
    }
}

fn error_code(rest: &str) -> ErrorCode {
    match number(rest) {
        Some(n) => ErrorCode::Numeric(n),
        None => ErrorCode::Verbose(unquote(rest).to_string()),
    }
}

/// A decimal number that fits in `u32` (surrounding spaces allowed).
fn number(s: &str) -> Option<u32> {
    let s = s.trim();
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Strips one pair of surrounding double quotes.
fn unquote(s: &str) -> &str {
    let s = s.trim();
    if s.len() >= 2 && s.starts_with('"') && s.ends_with('"') {
        &s[1..s.len() - 1]
    } else {
        s.strip_prefix('"').unwrap_or(s)
    }
}

/// A string field: unquoted, `None` when empty.
fn text_field(s: Option<&&str>) -> Option<String> {
    let s = unquote(s?);
    (!s.is_empty()).then(|| s.to_string())
}

/// Splits at commas that are outside double quotes and parentheses; at most [`MAX_FIELDS`]
/// fields (the rest is dropped). Fields are trimmed.
fn fields(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut depth, mut quoted, mut start) = (0usize, false, 0usize);
    for (i, c) in s.char_indices() {
        match c {
            '"' => quoted = !quoted,
            '(' if !quoted => depth += 1,
            ')' if !quoted => depth = depth.saturating_sub(1),
            ',' if !quoted && depth == 0 => {
                if out.len() == MAX_FIELDS {
                    return out;
                }
                out.push(s[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    if out.len() < MAX_FIELDS {
        out.push(s[start..].trim());
    }
    out
}

fn parse_clip(rest: &str) -> Option<Response> {
    let f = fields(rest);
    let number_type = match f.get(1) {
        Some(s) if !s.is_empty() => Some(number(s)?),
        _ => None,
    };
    Some(Response::Clip(CallerId {
        number: text_field(f.first()),
        number_type,
        alpha: text_field(f.get(4)),
        validity: f.get(5).and_then(|s| number(s)),
    }))
}

fn parse_ciev(rest: &str) -> Option<Response> {
    let f = fields(rest);
    if f.len() < 2 {
        return None;
    }
    let value = number(f[1])?;
    let indicator = match number(f[0]) {
        Some(i) => IndicatorRef::Index(i),
        None => {
            let name = unquote(f[0]);
            if name.is_empty() {
                return None;
            }
            IndicatorRef::Name(name.to_string())
        }
    };
    Some(Response::Ciev { indicator, value })
}

fn parse_clcc(rest: &str) -> Option<Response> {
    let f = fields(rest);
    if f.len() < 5 {
        return None;
    }
    let direction = Direction::from_code(number(f[1])?)?;
    let number_type = match f.get(6) {
        Some(s) if !s.is_empty() => number(s),
        _ => None,
    };
    Some(Response::Clcc(CallEntry {
        id: number(f[0])?,
        direction,
        state: CallState::from_code(number(f[2])?),
        mode: number(f[3])?,
        multiparty: number(f[4])? != 0,
        number: text_field(f.get(5)),
        number_type,
    }))
}

fn parse_cind(rest: &str) -> Option<Response> {
    if rest.starts_with('(') {
        let mut list = Vec::new();
        for item in fields(rest) {
            let inner = item.strip_prefix('(')?.strip_suffix(')')?;
            let parts = fields(inner);
            if parts.len() < 2 {
                return None;
            }
            let name = unquote(parts[0]);
            let (min, max) = value_range(&parts[1..])?;
            list.push(IndicatorSpec { name: name.to_string(), min, max });
        }
        Some(Response::CindSupported(list))
    } else {
        let values = fields(rest).into_iter().map(number).collect::<Option<Vec<u32>>>()?;
        Some(Response::CindValues(values))
    }
}

/// The smallest and largest value in `(0,1)`, `(0-3)`, `(0-1,4)`, `0-5` and the like.
fn value_range(parts: &[&str]) -> Option<(u32, u32)> {
    let mut range: Option<(u32, u32)> = None;
    for p in parts {
        let p = p.trim().trim_start_matches('(').trim_end_matches(')');
        for v in p.split([',', '-']) {
            let n = number(v)?;
            range = Some(match range {
                None => (n, n),
                Some((lo, hi)) => (lo.min(n), hi.max(n)),
            });
        }
    }
    range
}

// ---- Emitting responses ----

impl Response {
    /// Appends the line in V.250 framing, `<CR><LF>text<CR><LF>`, to `out` (the text is the
    /// [`Display`](fmt::Display) form).
    ///
    /// What [`parse`] gives reads back as itself, with these exceptions: a [`Response::Other`],
    /// [`Response::Overlong`] or [`Response::Echo`] is its text as it is (which may read back as
    /// something else); quoted strings are written between double quotes as they are (a `"` in
    /// them does not survive); a [`ErrorCode::Verbose`] of digits reads back as
    /// [`ErrorCode::Numeric`]; an [`IndicatorSpec`] keeps only its smallest and largest value; an
    /// empty [`Response::CindSupported`] or [`Response::CindValues`] reads back as
    /// [`Response::Other`].
    pub fn emit(&self, out: &mut Vec<u8>) {
        let mut line = String::new();
        let _ = write!(line, "\r\n{self}\r\n");
        out.extend_from_slice(line.as_bytes());
    }
}

impl fmt::Display for Response {
    /// The line's text, without a line end: `RING`, `+CLCC: 1,0,3,0,0,"5551234",129`, ...
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Response::Blank => Ok(()),
            Response::Echo(s) | Response::Overlong(s) | Response::Other(s) => f.write_str(s),
            Response::Final(r) => f.write_str(&r.text()),
            Response::Ring => f.write_str(code::RING),
            Response::Cring(kind) => write!(f, "{}: {kind}", code::CRING),
            Response::Clip(id) => write!(f, "{}: {id}", code::CLIP),
            Response::Ciev { indicator: IndicatorRef::Index(i), value } => write!(f, "{}: {i},{value}", code::CIEV),
            Response::Ciev { indicator: IndicatorRef::Name(n), value } => write!(f, "{}: \"{n}\",{value}", code::CIEV),
            Response::Clcc(c) => write!(f, "{}: {c}", code::CLCC),
            Response::CindSupported(list) => {
                write!(f, "{}: ", code::CIND)?;
                for (k, i) in list.iter().enumerate() {
                    let sep = if k == 0 { "" } else { "," };
                    write!(f, "{sep}(\"{}\",(", i.name)?;
                    match i.max.saturating_sub(i.min) {
                        0 => write!(f, "{}", i.min)?,
                        1 => write!(f, "{},{}", i.min, i.max)?,
                        _ => write!(f, "{}-{}", i.min, i.max)?,
                    }
                    f.write_str("))")?;
                }
                Ok(())
            }
            Response::CindValues(values) => {
                write!(f, "{}: ", code::CIND)?;
                for (k, v) in values.iter().enumerate() {
                    let sep = if k == 0 { "" } else { "," };
                    write!(f, "{sep}{v}")?;
                }
                Ok(())
            }
            Response::Brsf(features) => write!(f, "{}: {features}", code::BRSF),
        }
    }
}

impl fmt::Display for CallerId {
    /// The fields of `+CLIP`, up to the last one present: `"+445551234",145,,,"Alice",0`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "\"{}\"", self.number.as_deref().unwrap_or(""))?;
        let fields = match (self.number_type, &self.alpha, self.validity) {
            (_, _, Some(_)) => 6,
            (_, Some(_), None) => 5,
            (Some(_), None, None) => 2,
            (None, None, None) => 1,
        };
        if fields >= 2 {
            f.write_char(',')?;
            if let Some(t) = self.number_type {
                write!(f, "{t}")?;
            }
        }
        if fields >= 5 {
            // `<subaddr>` and `<satype>`, empty.
            f.write_str(",,,")?;
            if let Some(a) = &self.alpha {
                write!(f, "\"{a}\"")?;
            }
        }
        if let Some(v) = self.validity {
            write!(f, ",{v}")?;
        }
        Ok(())
    }
}

impl fmt::Display for CallEntry {
    /// The fields of `+CLCC`: `1,0,3,0,0,"5551234",129` (the number and its type when known).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (dir, stat, mpty) = (self.direction.code(), self.state.code(), self.multiparty as u32);
        write!(f, "{},{dir},{stat},{},{mpty}", self.id, self.mode)?;
        if self.number.is_some() || self.number_type.is_some() {
            write!(f, ",\"{}\"", self.number.as_deref().unwrap_or(""))?;
            if let Some(t) = self.number_type {
                write!(f, ",{t}")?;
            }
        }
        Ok(())
    }
}
