//! The V.42bis decoder (7.7 to 7.9): codewords back to strings, the control codewords, the
//! transparent mode's escaped commands, and the same dictionary updates as the encoder made.

use super::dictionary::{Dictionary, Matcher, NONE};
use super::{Params, C2_INITIAL, ECM, EID, ESCAPE_INITIAL, ESCAPE_STEP, ETM, FLUSH, RESET, STEPUP};

/// Malformed input. The decoder stays failed (every later call gives the same error) until
/// [`Decoder::reset`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DecodeError {
    /// A codeword that names no string in the dictionary (or the entry the encoder may not use
    /// yet).
    UnknownCodeword(u16),
    /// STEPUP past N1 bits.
    StepUpPastN1,
    /// The escape character followed by something other than ECM, EID or RESET.
    BadCommand(u8),
}

impl core::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::UnknownCodeword(c) => write!(f, "V.42bis codeword {c} is not in the dictionary"),
            Self::StepUpPastN1 => write!(f, "V.42bis STEPUP past the largest codeword size"),
            Self::BadCommand(c) => write!(f, "V.42bis escape followed by {c}, not a command"),
        }
    }
}

/// The V.42bis decoder for one direction.
#[derive(Clone, Debug)]
pub struct Decoder {
    params: Params,
    dict: Dictionary,
    matcher: Matcher,
    c2: u32,
    bits: u32,
    nbits: u32,
    escape: u8,
    transparent: bool,
    /// In transparent mode, after the escape character.
    escaped: bool,
    failed: Option<DecodeError>,
    buf: [u8; 256],
}

impl Decoder {
    /// A decoder with an initial dictionary, in transparent mode (as both ends start).
    pub fn new(params: Params) -> Self {
        Self {
            params,
            dict: Dictionary::new(&params),
            matcher: Matcher::default(),
            c2: C2_INITIAL,
            bits: 0,
            nbits: 0,
            escape: ESCAPE_INITIAL,
            transparent: true,
            escaped: false,
            failed: None,
            buf: [0; 256],
        }
    }

    /// Back to the initial state (after an error, or a new connection).
    pub fn reset(&mut self) {
        self.dict.reset();
        self.matcher.clear();
        self.c2 = C2_INITIAL;
        self.bits = 0;
        self.nbits = 0;
        self.escape = ESCAPE_INITIAL;
        self.transparent = true;
        self.escaped = false;
        self.failed = None;
    }

    /// The parameters.
    pub fn params(&self) -> Params {
        self.params
    }

    /// Whether the decoder is in transparent mode.
    pub fn is_transparent(&self) -> bool {
        self.transparent
    }

    /// Decodes `input`, handing the data to `out` (at most N7 characters an input codeword, so at
    /// most `input.len() * 8 / 9 * N7` in all). On malformed input what came before it has been
    /// handed over and the decoder must be [`Decoder::reset`].
    pub fn decode(&mut self, input: &[u8], out: &mut impl FnMut(u8)) -> Result<(), DecodeError> {
        if let Some(e) = self.failed {
            return Err(e);
        }
        for &b in input {
            let r = if self.transparent { self.octet(b, out) } else { self.codewords(b, out) };
            if let Err(e) = r {
                self.failed = Some(e);
                return Err(e);
            }
        }
        Ok(())
    }

    /// One octet in transparent mode.
    fn octet(&mut self, b: u8, out: &mut impl FnMut(u8)) -> Result<(), DecodeError> {
        if !self.escaped {
            if b == self.escape {
                self.escaped = true;
            } else {
                self.data(b, out);
            }
            return Ok(());
        }
        self.escaped = false;
        match b {
            ECM => self.transparent = false,
            EID => self.data(self.escape, out),
            RESET => {
                self.dict.reset();
                self.matcher.clear();
                self.c2 = C2_INITIAL;
            }
            _ => return Err(DecodeError::BadCommand(b)),
        }
        Ok(())
    }

    /// A character of data in transparent mode: out, and through the string matching.
    fn data(&mut self, c: u8, out: &mut impl FnMut(u8)) {
        self.character(c, out);
        self.matcher.feed(&mut self.dict, c);
    }

    fn character(&mut self, c: u8, out: &mut impl FnMut(u8)) {
        if c == self.escape {
            self.escape = self.escape.wrapping_add(ESCAPE_STEP);
        }
        out(c);
    }

    /// One octet in compressed mode: the codewords it completes.
    fn codewords(&mut self, b: u8, out: &mut impl FnMut(u8)) -> Result<(), DecodeError> {
        self.bits |= (b as u32) << self.nbits;
        self.nbits += 8;
        while self.nbits >= self.c2 {
            let code = (self.bits & ((1 << self.c2) - 1)) as u16;
            self.bits >>= self.c2;
            self.nbits -= self.c2;
            match code {
                ETM => {
                    self.matcher.sent = true;
                    self.bits = 0;
                    self.nbits = 0;
                    self.transparent = true;
                    return Ok(());
                }
                FLUSH => {
                    self.matcher.sent = true;
                    self.bits = 0;
                    self.nbits = 0;
                    return Ok(());
                }
                STEPUP => {
                    if self.c2 >= self.params.n1() {
                        return Err(DecodeError::StepUpPastN1);
                    }
                    self.c2 += 1;
                }
                _ => self.string(code, out)?,
            }
        }
        Ok(())
    }

    /// A string's codeword: its characters out, and the dictionary updated as the encoder did
    /// (the previous string followed by this one's first character).
    fn string(&mut self, code: u16, out: &mut impl FnMut(u8)) -> Result<(), DecodeError> {
        let bad = DecodeError::UnknownCodeword(code);
        if !self.dict.is_string(code) {
            return Err(bad);
        }
        let len = self.dict.string(code, &mut self.buf);
        let first = self.buf[0];
        if self.matcher.cur == NONE {
            self.matcher.cur = Dictionary::root(first);
            self.matcher.sent = false;
        } else {
            self.matcher.terminate(&mut self.dict, first);
        }
        let buf = self.buf;
        // The path to this string again: the entry just made may have been a leaf recovered
        // from it. (The encoder's bar on matching the entry created last needs no check here:
        // an entry the decoder has not made yet is empty, C1 having moved past a recovered one.)
        for &c in &buf[1..len] {
            self.matcher.cur = self.dict.child(self.matcher.cur, c).ok_or(bad)?;
        }
        if self.matcher.cur != code {
            return Err(bad);
        }
        for &c in &buf[..len] {
            self.character(c, out);
        }
        Ok(())
    }
}
