//! V.42bis data compression (ITU-T V.42bis, 01/1990): the codec a link protocol (V.42 LAPM) runs
//! over its user data in each direction.
//!
//! An adaptive dictionary of strings (a trie per character, [`Params::n2`] codewords, strings of
//! up to [`Params::n7`] characters) is built the same way by both ends from the data itself. The
//! [`Encoder`] sends the codeword of the longest string it matches, in C2 bits (9 at first, one
//! more after each STEPUP), packed least significant bit first; when the dictionary is full the
//! leaf nodes are recovered in turn. Data that does not compress goes in transparent mode, as
//! octets with an escape character (cycling by 51 each time it occurs in the data); the encoder
//! chooses the mode by comparing, over a window, what each would send. The [`Decoder`] follows the
//! control codewords (ETM, FLUSH, STEPUP) and the escaped commands (ECM, EID, RESET) and reports
//! malformed input as a [`DecodeError`], never panicking; it is then [`Decoder::reset`].
//!
//! Both ends start in transparent mode; the encoder goes to compressed mode after the first
//! character. What could not be checked against the Recommendation's text, and what was measured
//! on spandsp instead, is in `docs/notes/v42bis.md`.
//!
//! Constants named as in the Recommendation: N3 = 8 bits a character, N4 = 256 characters,
//! N5 = 259 the first codeword of a string of two or more, N6 = 3 control codewords.
//!
//! ```
//! use softmodem::v42bis::{Decoder, Encoder, Params};
//! let p = Params::default();
//! let (mut enc, mut dec) = (Encoder::new(p), Decoder::new(p));
//! let mut line = Vec::new();
//! enc.encode(b"to be or not to be, that is the question", &mut |b| line.push(b));
//! enc.flush(&mut |b| line.push(b));
//! let mut text = Vec::new();
//! dec.decode(&line, &mut |b| text.push(b)).unwrap();
//! assert_eq!(text, b"to be or not to be, that is the question");
//! ```

mod decoder;
mod dictionary;
mod encoder;

pub use decoder::{DecodeError, Decoder};
pub use encoder::Encoder;

/// N4: the number of characters.
pub const N4: u16 = 256;
/// N6: the number of control codewords.
pub const N6: u16 = 3;
/// N5: the first codeword of a string of two or more characters (N4 + N6).
pub const N5: u16 = N4 + N6;

/// Control codeword ETM: enter transparent mode.
pub const ETM: u16 = 0;
/// Control codeword FLUSH: the rest of the octet is padding.
pub const FLUSH: u16 = 1;
/// Control codeword STEPUP: codewords are one bit longer from the next.
pub const STEPUP: u16 = 2;

/// Command (after the escape character, in transparent mode) ECM: enter compressed mode.
pub const ECM: u8 = 0;
/// Command EID: the escape character was in the data.
pub const EID: u8 = 1;
/// Command RESET: reinitialise the dictionary.
pub const RESET: u8 = 2;

/// The escape character's first value.
pub const ESCAPE_INITIAL: u8 = 0;
/// What is added (modulo 256) to the escape character each time it appears in the data.
pub const ESCAPE_STEP: u8 = 51;

/// P0: the directions compression is used in, as negotiated.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Direction {
    /// In neither direction.
    Neither,
    /// From the initiator to the responder only.
    InitiatorToResponder,
    /// From the responder to the initiator only.
    ResponderToInitiator,
    /// In both directions.
    #[default]
    Both,
}

/// Parameters out of range.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParamError {
    /// N2 (P1) outside 512..=4096.
    Codewords(u16),
    /// N7 (P2) outside 6..=250.
    StringLength(u8),
}

impl core::fmt::Display for ParamError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Codewords(n) => write!(f, "V.42bis N2 {n} outside 512..=4096"),
            Self::StringLength(n) => write!(f, "V.42bis N7 {n} outside 6..=250"),
        }
    }
}

/// The negotiated parameters: P0 (direction), P1 = N2 (the number of codewords) and P2 = N7 (the
/// longest string).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Params {
    direction: Direction,
    n2: u16,
    n7: u8,
}

impl Default for Params {
    /// Both directions, N2 = 2048, N7 = 32.
    fn default() -> Self {
        Self { direction: Direction::Both, n2: 2048, n7: 32 }
    }
}

impl Params {
    /// The smallest N2.
    pub const MIN_CODEWORDS: u16 = 512;
    /// The largest N2 this codec takes (12-bit codewords).
    pub const MAX_CODEWORDS: u16 = 4096;
    /// The shortest N7.
    pub const MIN_STRING: u8 = 6;
    /// The longest N7.
    pub const MAX_STRING: u8 = 250;

    /// Parameters for both directions: N2 in 512..=4096, N7 in 6..=250.
    pub fn new(n2: u16, n7: u8) -> Result<Self, ParamError> {
        if !(Self::MIN_CODEWORDS..=Self::MAX_CODEWORDS).contains(&n2) {
            return Err(ParamError::Codewords(n2));
        }
        if !(Self::MIN_STRING..=Self::MAX_STRING).contains(&n7) {
            return Err(ParamError::StringLength(n7));
        }
        Ok(Self { direction: Direction::Both, n2, n7 })
    }

    /// The same with P0 set.
    pub fn with_direction(self, direction: Direction) -> Self {
        Self { direction, ..self }
    }

    /// P0.
    pub fn direction(&self) -> Direction {
        self.direction
    }

    /// N2 (P1): the number of codewords.
    pub fn n2(&self) -> u16 {
        self.n2
    }

    /// N7 (P2): the longest string, in characters.
    pub fn n7(&self) -> u8 {
        self.n7
    }

    /// N1: the longest codeword, in bits (the bits N2 codewords need).
    pub fn n1(&self) -> u32 {
        u16::BITS - (self.n2 - 1).leading_zeros()
    }
}

/// The first codeword size C2 (N3 + 1 bits).
pub(crate) const C2_INITIAL: u32 = 9;

#[cfg(test)]
mod tests;
