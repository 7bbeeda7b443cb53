//! What a phone says on its AT port: raw serial bytes split into lines ([`LineSplitter`]) and each
//! line parsed into a typed [`Response`] ([`parse`], [`parse_line`]).
//!
//! ITU-T V.250 frames every verbose result code and information response as
//! `<CR><LF>text<CR><LF>`; real phones also send bare `<LF>`, bare `<CR>`, stray NULs, the echo of
//! the command (terminated by `<CR>` alone) and lines split across reads. The splitter treats CR,
//! LF and CR LF each as one line end, so the V.250 framing yields blank lines between responses;
//! the parser reports them as [`Response::Blank`] and the controller ignores them.
//!
//! ```
//! use softmodem::phone::response::{parse, FinalResult, LineSplitter, Response};
//! let mut split = LineSplitter::new();
//! let mut got = Vec::new();
//! split.push(b"\r\nRI", |l| got.push(parse(l)));
//! split.push(b"NG\r\n\r\n+CLIP: \"5551234\",129\r\n\r\nOK\r\n", |l| got.push(parse(l)));
//! got.retain(|r| *r != Response::Blank);
//! assert_eq!(got[0], Response::Ring);
//! assert!(matches!(&got[1], Response::Clip(id) if id.number.as_deref() == Some("5551234")));
//! assert_eq!(got[2], Response::Final(FinalResult::Ok));
//! ```

/// The longest line kept, in bytes. Longer lines keep their first `MAX_LINE` bytes, the rest up to
/// the line end is discarded, and the line is reported as [`Response::Overlong`].
pub const MAX_LINE: usize = 512;

/// The most comma-separated fields looked at in one response; further fields are ignored.
pub const MAX_FIELDS: usize = 64;

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
            FinalResult::Ok => "OK".into(),
            FinalResult::Connect(t) if t.is_empty() => "CONNECT".into(),
            FinalResult::Connect(t) => format!("CONNECT {t}"),
            FinalResult::Error => "ERROR".into(),
            FinalResult::CmeError(e) => format!("+CME ERROR: {e}"),
            FinalResult::CmsError(e) => format!("+CMS ERROR: {e}"),
            FinalResult::NoCarrier => "NO CARRIER".into(),
            FinalResult::Busy => "BUSY".into(),
            FinalResult::NoAnswer => "NO ANSWER".into(),
            FinalResult::NoDialtone => "NO DIALTONE".into(),
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
        "OK" => return fin(FinalResult::Ok),
        "ERROR" => return fin(FinalResult::Error),
        "NO CARRIER" => return fin(FinalResult::NoCarrier),
        "BUSY" => return fin(FinalResult::Busy),
        "NO ANSWER" => return fin(FinalResult::NoAnswer),
        "NO DIALTONE" | "NO DIAL TONE" => return fin(FinalResult::NoDialtone),
        "RING" => return Response::Ring,
        "CONNECT" => return fin(FinalResult::Connect(String::new())),
        _ => {}
    }
    if upper.starts_with("CONNECT ") {
        // The original case of the text after CONNECT (ASCII upper-casing keeps byte offsets).
        return fin(FinalResult::Connect(t["CONNECT ".len()..].trim().to_string()));
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
        "+CME ERROR" => Some(Response::Final(FinalResult::CmeError(error_code(rest)))),
        "+CMS ERROR" => Some(Response::Final(FinalResult::CmsError(error_code(rest)))),
        "+CRING" => Some(Response::Cring(rest.to_string())),
        "+CLIP" => parse_clip(rest),
        "+CIEV" => parse_ciev(rest),
        "+CLCC" => parse_clcc(rest),
        "+CIND" => parse_cind(rest),
        "+BRSF" => number(rest).map(Response::Brsf),
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
    let direction = match number(f[1])? {
        0 => Direction::Outgoing,
        1 => Direction::Incoming,
        _ => return None,
    };
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

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(chunks: &[&[u8]]) -> Vec<Response> {
        let mut s = LineSplitter::new();
        let mut out = Vec::new();
        for c in chunks {
            s.push(c, |l| out.push(parse(l)));
        }
        out
    }

    fn non_blank(chunks: &[&[u8]]) -> Vec<Response> {
        lines(chunks).into_iter().filter(|r| *r != Response::Blank).collect()
    }

    #[test]
    fn final_result_codes() {
        let cases: [(&str, FinalResult); 11] = [
            ("OK", FinalResult::Ok),
            ("ERROR", FinalResult::Error),
            ("NO CARRIER", FinalResult::NoCarrier),
            ("BUSY", FinalResult::Busy),
            ("NO ANSWER", FinalResult::NoAnswer),
            ("NO DIALTONE", FinalResult::NoDialtone),
            ("NO DIAL TONE", FinalResult::NoDialtone),
            ("CONNECT", FinalResult::Connect(String::new())),
            ("CONNECT 9600", FinalResult::Connect("9600".into())),
            ("+CME ERROR: 30", FinalResult::CmeError(ErrorCode::Numeric(30))),
            (
                "+CME ERROR: operation not allowed",
                FinalResult::CmeError(ErrorCode::Verbose("operation not allowed".into())),
            ),
        ];
        for (line, want) in cases {
            assert_eq!(parse_line(line.as_bytes()), Response::Final(want.clone()), "{line}");
            assert_eq!(FinalResult::text(&want).to_ascii_uppercase().replace("DIAL TONE", "DIALTONE"), {
                let l = line.to_ascii_uppercase();
                l.replace("DIAL TONE", "DIALTONE")
            });
        }
        assert_eq!(parse_line(b" ok "), Response::Final(FinalResult::Ok));
        assert_eq!(parse_line(b"+CMS ERROR: 500"), Response::Final(FinalResult::CmsError(ErrorCode::Numeric(500))));
        assert!(FinalResult::Ok.is_success() && !FinalResult::Busy.is_success());
    }

    #[test]
    fn unsolicited_codes() {
        assert_eq!(parse_line(b"RING"), Response::Ring);
        assert_eq!(parse_line(b"+CRING: VOICE"), Response::Cring("VOICE".into()));
        assert_eq!(parse_line(b"+CRING: REL ASYNC"), Response::Cring("REL ASYNC".into()));
        assert_eq!(
            parse_line(b"+CLIP: \"+445551234\",145,,,\"Alice\",0"),
            Response::Clip(CallerId {
                number: Some("+445551234".into()),
                number_type: Some(145),
                alpha: Some("Alice".into()),
                validity: Some(0),
            })
        );
        assert_eq!(
            parse_line(b"+CLIP: \"\",128,,,,1"),
            Response::Clip(CallerId { number: None, number_type: Some(128), alpha: None, validity: Some(1) })
        );
        assert_eq!(
            parse_line(b"+CLIP:5551234,129"),
            Response::Clip(CallerId {
                number: Some("5551234".into()),
                number_type: Some(129),
                alpha: None,
                validity: None
            })
        );
        assert_eq!(parse_line(b"+CIEV: 2,1"), Response::Ciev { indicator: IndicatorRef::Index(2), value: 1 });
        assert_eq!(parse_line(b"+CIEV:3,0"), Response::Ciev { indicator: IndicatorRef::Index(3), value: 0 });
        assert_eq!(
            parse_line(b"+CIEV: \"callsetup\",2"),
            Response::Ciev { indicator: IndicatorRef::Name("callsetup".into()), value: 2 }
        );
        assert!(matches!(parse_line(b"+CIEV: 2"), Response::Other(_)));
        assert!(matches!(parse_line(b"+CIEV: 2,x"), Response::Other(_)));
    }

    #[test]
    fn current_calls() {
        assert_eq!(
            parse_line(b"+CLCC: 1,0,3,0,0,\"5551234\",129"),
            Response::Clcc(CallEntry {
                id: 1,
                direction: Direction::Outgoing,
                state: CallState::Alerting,
                mode: 0,
                multiparty: false,
                number: Some("5551234".into()),
                number_type: Some(129),
            })
        );
        let Response::Clcc(c) = parse_line(b"+CLCC: 2,1,4,0,0") else { panic!() };
        assert_eq!((c.id, c.direction, c.state, c.number), (2, Direction::Incoming, CallState::Incoming, None));
        let Response::Clcc(c) = parse_line(b"+CLCC: 1,1,0,0,1,\"+1 555\",145,\"Bob, jr\",,0") else { panic!() };
        assert!(c.multiparty);
        assert_eq!(c.number.as_deref(), Some("+1 555"));
        for code in 0..7 {
            assert_eq!(CallState::from_code(code).code(), code);
        }
        assert!(matches!(parse_line(b"+CLCC: 1,0,3"), Response::Other(_)));
        assert!(matches!(parse_line(b"+CLCC: 1,7,3,0,0"), Response::Other(_)));
        assert!(matches!(parse_line(b"+CLCC: 99999999999,0,3,0,0"), Response::Other(_)));
    }

    #[test]
    fn indicators_and_features() {
        let list = b"+CIND: (\"service\",(0,1)),(\"call\",(0,1)),(\"callsetup\",(0-3)),(\"callheld\",(0-2)),\
(\"signal\",(0-5)),(\"roam\",(0,1)),(\"battchg\",(0-5))";
        let Response::CindSupported(l) = parse_line(list) else { panic!("{:?}", parse_line(list)) };
        let names: Vec<&str> = l.iter().map(|i| i.name.as_str()).collect();
        assert_eq!(names, ["service", "call", "callsetup", "callheld", "signal", "roam", "battchg"]);
        assert_eq!((l[2].min, l[2].max), (0, 3));
        assert_eq!((l[1].min, l[1].max), (0, 1));
        let Response::CindSupported(l) = parse_line(b"+CIND: (\"call\",(0-1,3)), (call_setup,(0-3))") else { panic!() };
        assert_eq!((l[0].max, l[1].name.as_str()), (3, "call_setup"));
        assert_eq!(parse_line(b"+CIND: 1,0,0,0,5,0,5"), Response::CindValues(vec![1, 0, 0, 0, 5, 0, 5]));
        assert!(matches!(parse_line(b"+CIND: 1,,x"), Response::Other(_)));
        assert!(matches!(parse_line(b"+CIND: (\"call\")"), Response::Other(_)));
        assert!(matches!(parse_line(b"+CIND: (\"call\",(a-b))"), Response::Other(_)));
        assert_eq!(parse_line(b"+BRSF: 871"), Response::Brsf(871));
        assert!(matches!(parse_line(b"+BRSF: -1"), Response::Other(_)));
    }

    #[test]
    fn echo_blank_and_other() {
        assert_eq!(parse_line(b"ATD5551234;"), Response::Echo("ATD5551234;".into()));
        assert_eq!(parse_line(b"at+clcc"), Response::Echo("at+clcc".into()));
        assert_eq!(parse_line(b""), Response::Blank);
        assert_eq!(parse_line(b"   \t"), Response::Blank);
        assert_eq!(parse_line(b"+COPS: 0,0,\"Net\""), Response::Other("+COPS: 0,0,\"Net\"".into()));
        assert_eq!(parse_line(b"RINGING"), Response::Other("RINGING".into()));
        assert_eq!(parse_line(b"+"), Response::Other("+".into()));
        assert!(matches!(parse_line(&[0xff, 0xfe, b'O', b'K']), Response::Other(_)));
    }

    #[test]
    fn line_ends_nuls_and_partial_lines() {
        // V.250 framing, an echo ended by CR alone, bare LF, bare CR, NULs, split reads.
        let got =
            non_blank(&[b"AT+CLCC\r\r\n+CLCC: 1,0,2,0,0\r", b"\n\r\nO", b"\0K\r\n", b"RING\nBUSY\rNO CAR", b"RIER\n"]);
        assert_eq!(got.len(), 6, "{got:?}");
        assert_eq!(got[0], Response::Echo("AT+CLCC".into()));
        assert!(matches!(got[1], Response::Clcc(_)));
        assert_eq!(got[2], Response::Final(FinalResult::Ok));
        assert_eq!(got[3], Response::Ring);
        assert_eq!(got[4], Response::Final(FinalResult::Busy));
        assert_eq!(got[5], Response::Final(FinalResult::NoCarrier));
        // CR LF is one line end; LF CR is two.
        assert_eq!(lines(&[b"OK\r\n"]).len(), 1);
        assert_eq!(lines(&[b"OK\n\r"]).len(), 2);
        // A NUL between CR and LF does not split the pair.
        assert_eq!(lines(&[b"OK\r\0\n"]).len(), 1);
        // One byte at a time gives the same as all at once.
        let all = b"\r\n+CRING: VOICE\r\n\r\n+CLIP: \"123\",129\r\n";
        let bytewise: Vec<&[u8]> = all.chunks(1).collect();
        assert_eq!(lines(&bytewise), lines(&[all]));
        let mut s = LineSplitter::new();
        s.push(b"partial", |_| panic!("no line end yet"));
        assert_eq!(s.pending(), 7);
        s.clear();
        assert_eq!(s.pending(), 0);
    }

    #[test]
    fn overlong_lines_are_truncated_and_flagged() {
        let mut long = vec![b'x'; MAX_LINE + 100];
        long.extend_from_slice(b"OK\r\nOK\r\n");
        let got = lines(&[&long]);
        assert_eq!(got.len(), 2);
        let Response::Overlong(t) = &got[0] else { panic!() };
        assert_eq!(t.len(), MAX_LINE);
        assert_eq!(got[1], Response::Final(FinalResult::Ok));
        // Exactly MAX_LINE is not truncated.
        let mut exact = vec![b'y'; MAX_LINE];
        exact.push(b'\n');
        assert!(matches!(&lines(&[&exact])[0], Response::Other(t) if t.len() == MAX_LINE));
    }

    #[test]
    fn field_limit_is_bounded() {
        let mut l = String::from("+CIND: ");
        for _ in 0..1000 {
            l.push_str("1,");
        }
        l.push('1');
        let mut s = LineSplitter::new();
        let mut got = Vec::new();
        s.push(l.as_bytes(), |_| {});
        s.push(b"\n", |line| got.push(parse(line)));
        assert!(matches!(&got[0], Response::Overlong(_)));
        match parse_line(l.as_bytes()) {
            Response::CindValues(v) => assert_eq!(v.len(), MAX_FIELDS),
            r => panic!("{r:?}"),
        }
    }
}
