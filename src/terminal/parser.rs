//! The ECMA-48 escape and control sequence parser: bytes in, [`Action`]s out.
//!
//! Everything is bounded: at most [`MAX_PARAMS`] parameters (more are dropped), each saturating at
//! [`PARAM_MAX`], at most [`MAX_INTERMEDIATES`] intermediate bytes (a sequence with more is
//! ignored). A malformed control sequence (a private marker after the first parameter byte, `:`
//! sub-parameters, a parameter byte after an intermediate) is read to its final byte and
//! ignored, its tail never printed. Control strings (`DCS`, `SOS`, `OSC`, `PM`, `APC`) are read
//! to their String Terminator (`ESC \`) and ignored; CAN or SUB cancels any sequence. An ANSI
//! music string is collected, up to [`MAX_MUSIC`] bytes, once the terminal asks for it
//! ([`Parser::start_music`]).

/// The most parameters kept from one control sequence; more are dropped.
pub const MAX_PARAMS: usize = 16;
/// A parameter's largest value; larger numbers saturate here.
pub const PARAM_MAX: u16 = u16::MAX;
/// The most intermediate bytes a control sequence may have before it is ignored.
pub const MAX_INTERMEDIATES: usize = 2;
/// The most bytes of an ANSI music string kept; the rest, up to its end, is dropped.
pub const MAX_MUSIC: usize = 4096;

const ESC: u8 = 0x1B;
const CAN: u8 = 0x18;
const SUB: u8 = 0x1A;
/// Shift Out, which ends an ANSI music string.
pub const SO: u8 = 0x0E;

/// What one byte amounted to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Nothing yet (inside a sequence), or a sequence that is ignored.
    None,
    /// A byte to draw (0x20-0x7E, 0x7F and 0x80-0xFF).
    Print(u8),
    /// A C0 control byte (0x00-0x1F but ESC): acted on or drawn, as the terminal decides.
    Control(u8),
    /// An escape sequence `ESC F` with a final byte 0x30-0x7E and no intermediates (other than
    /// `ESC [`, the string introducers and `ESC \`).
    Escape(u8),
    /// A complete control sequence: read it with [`Parser::sequence`].
    Csi,
    /// A complete ANSI music string: read it with [`Parser::music`].
    Music,
}

/// A control sequence's parameters, private marker, intermediates and final byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sequence {
    params: [Option<u16>; MAX_PARAMS],
    len: u8,
    private: Option<u8>,
    intermediates: [u8; MAX_INTERMEDIATES],
    n_intermediates: u8,
    final_byte: u8,
}

impl Sequence {
    const EMPTY: Sequence = Sequence {
        params: [None; MAX_PARAMS],
        len: 0,
        private: None,
        intermediates: [0; MAX_INTERMEDIATES],
        n_intermediates: 0,
        final_byte: 0,
    };

    /// The parameters, in order; an empty parameter is `None`. A sequence without parameter bytes
    /// has none.
    pub fn params(&self) -> &[Option<u16>] {
        &self.params[..self.len as usize]
    }

    /// Parameter `i`, if given and not empty.
    pub fn param(&self, i: usize) -> Option<u16> {
        self.params().get(i).copied().flatten()
    }

    /// Parameter `i`, or `default` when absent or empty.
    pub fn param_or(&self, i: usize, default: u16) -> u16 {
        self.param(i).unwrap_or(default)
    }

    /// Parameter `i` as a count (`Pn` with default 1): absent, empty or 0 count as 1.
    pub fn count(&self, i: usize) -> u16 {
        self.param_or(i, 1).max(1)
    }

    /// The private marker (`<`, `=`, `>` or `?`) the parameters began with.
    pub fn private(&self) -> Option<u8> {
        self.private
    }

    /// The intermediate bytes (0x20-0x2F).
    pub fn intermediates(&self) -> &[u8] {
        &self.intermediates[..self.n_intermediates as usize]
    }

    /// The final byte (0x40-0x7E).
    pub fn final_byte(&self) -> u8 {
        self.final_byte
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Ground,
    Escape,
    /// `ESC` and intermediates (nF): read to the final byte, ignored.
    EscapeIntermediate,
    /// After `CSI`, before any byte of the sequence.
    CsiEntry,
    CsiParam,
    CsiIntermediate,
    /// A malformed control sequence, read to its final byte.
    CsiIgnore,
    /// A control string, read to its terminator.
    String,
    StringEscape,
    /// An ANSI music string, collected to Shift Out.
    Music,
}

/// The parser's state.
#[derive(Debug, Clone)]
pub struct Parser {
    state: State,
    seq: Sequence,
    /// Parameter bytes (digits or `;`) seen in the current sequence.
    any: bool,
    music: Vec<u8>,
    music_from_m: bool,
}

impl Default for Parser {
    fn default() -> Self {
        Self::new()
    }
}

/// The bytes an ANSI music string may hold, as CTerm lists them.
pub fn is_music_byte(b: u8) -> bool {
    matches!(b, b'0'..=b'9' | b'.' | b'-' | b'+' | b'#' | b'<' | b'>' | b' ')
        || matches!(b.to_ascii_uppercase(), b'A'..=b'G' | b'L' | b'M' | b'N' | b'O' | b'P' | b'S' | b'T')
}

impl Parser {
    /// A parser in the ground state; the music buffer is allocated here, once.
    pub fn new() -> Self {
        Parser {
            state: State::Ground,
            seq: Sequence::EMPTY,
            any: false,
            music: Vec::with_capacity(MAX_MUSIC),
            music_from_m: false,
        }
    }

    /// Back to the ground state, any sequence in progress dropped.
    pub fn reset(&mut self) {
        self.state = State::Ground;
        self.music.clear();
    }

    /// True in the ground state (not inside any sequence or string).
    pub fn is_ground(&self) -> bool {
        self.state == State::Ground
    }

    /// The control sequence last completed ([`Action::Csi`]).
    pub fn sequence(&self) -> &Sequence {
        &self.seq
    }

    /// The music string last completed ([`Action::Music`]), without its introducer or Shift Out,
    /// and whether it was introduced by `CSI M`.
    pub fn music(&self) -> (&[u8], bool) {
        (&self.music, self.music_from_m)
    }

    /// Starts collecting an ANSI music string (after its introducer, `CSI M`, `CSI N` or `CSI |`).
    pub fn start_music(&mut self, from_m: bool) {
        self.music.clear();
        self.music_from_m = from_m;
        self.state = State::Music;
    }

    /// Takes one byte.
    pub fn advance(&mut self, b: u8) -> Action {
        match self.state {
            State::Ground => match b {
                ESC => {
                    self.state = State::Escape;
                    Action::None
                }
                0x00..=0x1F => Action::Control(b),
                _ => Action::Print(b),
            },
            State::Escape => match b {
                ESC => Action::None,
                b'[' => {
                    self.seq = Sequence::EMPTY;
                    self.any = false;
                    self.state = State::CsiEntry;
                    Action::None
                }
                b'P' | b'X' | b']' | b'^' | b'_' => {
                    self.state = State::String;
                    Action::None
                }
                b'\\' => {
                    self.state = State::Ground;
                    Action::None
                }
                0x20..=0x2F => {
                    self.state = State::EscapeIntermediate;
                    Action::None
                }
                0x30..=0x7E => {
                    self.state = State::Ground;
                    Action::Escape(b)
                }
                // Not a valid escape: the ESC is ignored and the byte taken as it is.
                _ => {
                    self.state = State::Ground;
                    self.advance(b)
                }
            },
            State::EscapeIntermediate => match b {
                0x20..=0x2F => Action::None,
                0x30..=0x7E => {
                    self.state = State::Ground;
                    Action::None
                }
                _ => self.abort(b),
            },
            State::CsiEntry | State::CsiParam => match b {
                b'0'..=b'9' => {
                    self.digit(b);
                    Action::None
                }
                b';' => {
                    self.next_param();
                    Action::None
                }
                b'<'..=b'?' if self.state == State::CsiEntry => {
                    self.seq.private = Some(b);
                    self.state = State::CsiParam;
                    Action::None
                }
                // `:` sub-parameters are reserved; a marker after the first byte is malformed.
                b':' | b'<'..=b'?' => {
                    self.state = State::CsiIgnore;
                    Action::None
                }
                0x20..=0x2F => {
                    self.end_params();
                    self.intermediate(b);
                    Action::None
                }
                0x40..=0x7E => {
                    self.end_params();
                    self.finish(b)
                }
                _ => self.in_sequence(b),
            },
            State::CsiIntermediate => match b {
                0x20..=0x2F => {
                    self.intermediate(b);
                    Action::None
                }
                0x30..=0x3F => {
                    self.state = State::CsiIgnore;
                    Action::None
                }
                0x40..=0x7E => self.finish(b),
                _ => self.in_sequence(b),
            },
            State::CsiIgnore => match b {
                0x20..=0x3F => Action::None,
                0x40..=0x7E => {
                    self.state = State::Ground;
                    Action::None
                }
                _ => self.in_sequence(b),
            },
            State::String => match b {
                ESC => {
                    self.state = State::StringEscape;
                    Action::None
                }
                CAN | SUB => {
                    self.state = State::Ground;
                    Action::None
                }
                _ => Action::None,
            },
            State::StringEscape => match b {
                b'\\' => {
                    self.state = State::Ground;
                    Action::None
                }
                ESC => Action::None,
                // Any other escape ends the string and is taken as the start of a new one.
                _ => {
                    self.state = State::Escape;
                    self.advance(b)
                }
            },
            State::Music => {
                if b == SO {
                    self.state = State::Ground;
                    Action::Music
                } else if is_music_byte(b) {
                    if self.music.len() < MAX_MUSIC {
                        self.music.push(b);
                    }
                    Action::None
                } else {
                    // Not music: the string is ignored and the byte taken as it is.
                    self.music.clear();
                    self.state = State::Ground;
                    self.advance(b)
                }
            }
        }
    }

    /// A byte that cannot continue a sequence: DEL is ignored; ESC starts a new sequence; CAN and
    /// SUB cancel; any other byte ends the sequence (ignored) and is taken as it is.
    fn in_sequence(&mut self, b: u8) -> Action {
        if b == 0x7F {
            return Action::None;
        }
        self.abort(b)
    }

    fn abort(&mut self, b: u8) -> Action {
        self.state = State::Ground;
        match b {
            CAN | SUB => Action::None,
            _ => self.advance(b),
        }
    }

    fn digit(&mut self, b: u8) {
        self.state = State::CsiParam;
        self.any = true;
        let i = self.seq.len as usize;
        if i >= MAX_PARAMS {
            return;
        }
        let v = self.seq.params[i].unwrap_or(0) as u32 * 10 + (b - b'0') as u32;
        self.seq.params[i] = Some(v.min(PARAM_MAX as u32) as u16);
    }

    fn next_param(&mut self) {
        self.state = State::CsiParam;
        self.any = true;
        if (self.seq.len as usize) < MAX_PARAMS {
            self.seq.len += 1;
        }
    }

    /// Closes the parameter list: the last parameter counts if there were parameter bytes at all
    /// (`CSI ; m` has two empty parameters, `CSI m` and `CSI ? m` none).
    fn end_params(&mut self) {
        if self.any && (self.seq.len as usize) < MAX_PARAMS {
            self.seq.len += 1;
        }
        self.any = false;
    }

    fn intermediate(&mut self, b: u8) {
        let n = self.seq.n_intermediates as usize;
        if n >= MAX_INTERMEDIATES {
            self.state = State::CsiIgnore;
            return;
        }
        self.seq.intermediates[n] = b;
        self.seq.n_intermediates += 1;
        self.state = State::CsiIntermediate;
    }

    fn finish(&mut self, b: u8) -> Action {
        self.seq.final_byte = b;
        self.state = State::Ground;
        Action::Csi
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(bytes: &[u8]) -> (Vec<Action>, Parser) {
        let mut p = Parser::new();
        let v = bytes.iter().map(|&b| p.advance(b)).filter(|a| *a != Action::None).collect();
        (v, p)
    }

    #[test]
    fn parameters_defaults_and_private_markers() {
        let (a, p) = parse(b"\x1b[1;;3H");
        assert_eq!(a, [Action::Csi]);
        assert_eq!(p.sequence().params(), &[Some(1), None, Some(3)]);
        assert_eq!(p.sequence().final_byte(), b'H');
        let (_, p) = parse(b"\x1b[m");
        assert!(p.sequence().params().is_empty());
        let (_, p) = parse(b"\x1b[?33h");
        assert_eq!(p.sequence().private(), Some(b'?'));
        assert_eq!(p.sequence().params(), &[Some(33)]);
        let (_, p) = parse(b"\x1b[=255l");
        assert_eq!(p.sequence().private(), Some(b'='));
        assert_eq!(p.sequence().param(0), Some(255));
        let (_, p) = parse(b"\x1b[2 @");
        assert_eq!(p.sequence().intermediates(), b" ");
        assert_eq!(p.sequence().final_byte(), b'@');
    }

    #[test]
    fn parameters_saturate_and_are_bounded() {
        let (_, p) = parse(b"\x1b[99999999999A");
        assert_eq!(p.sequence().param(0), Some(PARAM_MAX));
        let mut s = b"\x1b[".to_vec();
        for i in 0..40 {
            s.extend(format!("{i};").bytes());
        }
        s.push(b'm');
        let (a, p) = parse(&s);
        assert_eq!(a, [Action::Csi]);
        assert_eq!(p.sequence().params().len(), MAX_PARAMS);
        assert_eq!(p.sequence().param(15), Some(15));
    }

    #[test]
    fn malformed_sequences_are_consumed_without_their_tail() {
        let (a, _) = parse(b"\x1b[1?2hX");
        assert_eq!(a, [Action::Print(b'X')]);
        let (a, _) = parse(b"\x1b[1:2mX");
        assert_eq!(a, [Action::Print(b'X')]);
        let (a, _) = parse(b"\x1b[1 !\"#mX");
        assert_eq!(a, [Action::Print(b'X')]);
        let (a, _) = parse(b"\x1b[1 2mX");
        assert_eq!(a, [Action::Print(b'X')]);
        // CAN cancels; ESC restarts.
        let (a, _) = parse(b"\x1b[12\x18X\x1b[3\x1b[1mY");
        assert_eq!(a, [Action::Print(b'X'), Action::Csi, Action::Print(b'Y')]);
    }

    #[test]
    fn escapes_and_strings() {
        let (a, _) = parse(b"\x1b7\x1b8\x1bc");
        assert_eq!(a, [Action::Escape(b'7'), Action::Escape(b'8'), Action::Escape(b'c')]);
        let (a, _) = parse(b"\x1bP1;2qABC\x0a\x1b\\Z\x1b]4;1;rgb:0/0/0\x1b\\Y");
        assert_eq!(a, [Action::Print(b'Z'), Action::Print(b'Y')]);
        // nF sequences are read and ignored; an invalid escape's ESC is ignored.
        let (a, _) = parse(b"\x1b(BZ\x1b\x0d");
        assert_eq!(a, [Action::Print(b'Z'), Action::Control(0x0d)]);
    }

    #[test]
    fn music_is_collected_to_shift_out_and_bounded() {
        let mut p = Parser::new();
        p.start_music(false);
        let mut got = vec![];
        for &b in b"T120 L8 CDE\x0e" {
            got.push(p.advance(b));
        }
        assert_eq!(*got.last().unwrap(), Action::Music);
        assert_eq!(p.music().0, b"T120 L8 CDE");
        p.start_music(false);
        for _ in 0..100_000 {
            p.advance(b'C');
        }
        assert_eq!(p.advance(SO), Action::Music);
        assert_eq!(p.music().0.len(), MAX_MUSIC);
        // A byte that is not music ends the string, which is dropped, and is taken as it is.
        p.start_music(false);
        assert_eq!(p.advance(b'C'), Action::None);
        assert_eq!(p.advance(b'!'), Action::Print(b'!'));
        assert!(p.is_ground());
    }
}
