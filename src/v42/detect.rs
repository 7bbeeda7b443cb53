//! The detection phase (V.42 7.2.1): before LAPM, the originator sends its detection pattern
//! (ODP) as start-stop characters and the answerer, if it has V.42, answers with its own (ADP).
//!
//! - ODP: DC1 with even parity, 8 to 16 ones, DC1 with odd parity, 8 to 16 ones, repeated.
//! - ADP: `E` with even parity, 8 to 16 ones, then `C` with even parity (LAPM) or NUL (only the
//!   alternative procedure of Annex A), 8 to 16 ones, repeated.
//!
//! Each character is 10 bits: a start bit, seven data bits, the parity bit, a stop bit; as 8-bit
//! octets they are DC1 0x11 and 0x91, `E` 0xC5, `C` 0xC3, NUL 0x00. An ADP whose `E` and `C`
//! have the eighth bit clear (0x45, 0x43) is recognised too, and is what this end sends
//! ([`ADP_LAPM`]): spandsp, the one V.42 originator with detection at hand, knows no other.

/// DC1 with even parity, as an octet.
pub const DC1_EVEN: u8 = 0x11;
/// DC1 with odd parity.
pub const DC1_ODD: u8 = 0x91;
/// `E` with even parity.
pub const E_EVEN: u8 = 0xC5;
/// `C` with even parity.
pub const C_EVEN: u8 = 0xC3;
/// NUL with even parity.
pub const NUL: u8 = 0x00;
/// `E` with its eighth bit clear, as some answerers send it (spandsp 0.0.6): taken too.
pub const E_PLAIN: u8 = 0x45;
/// `C` with its eighth bit clear: taken too.
pub const C_PLAIN: u8 = 0x43;

/// The ADP this end sends: `E` and `C` with the eighth bit clear, as spandsp 0.0.6 sends them and
/// as the only form it recognises (its originator takes 0xC5 0xC3 for no ADP); a receiver that
/// looks at the seven data bits, as this one does, takes either.
pub const ADP_LAPM: [u8; 2] = [E_PLAIN, C_PLAIN];

/// Ones sent after each character of a pattern (V.42 allows 8 to 16).
pub const FILL_ONES: u8 = 8;

/// Characters of a pattern seen in a row before it counts as received (two repetitions).
pub const TO_RECOGNISE: u8 = 4;

/// Finds the characters of the detection patterns in the received bits, by their framing: at
/// least eight ones (the fill after the previous character, or the idle line), a start bit, the
/// eight bits of the character, a stop bit. Text sent back to back has no such fill, so the same
/// letters in a plain modem's data are not taken for a pattern.
#[derive(Debug, Clone, Default)]
pub struct PatternCharScanner {
    /// The last 18 bits, the newest in bit 17.
    shift: u32,
    seen: u8,
}

impl PatternCharScanner {
    /// Takes one bit; returns the character it completed, if it is framed as a pattern's are.
    pub fn push(&mut self, bit: u8) -> Option<u8> {
        self.shift = (self.shift >> 1) | ((bit as u32 & 1) << 17);
        self.seen = self.seen.saturating_add(1);
        // Oldest first: bits 0-7 fill ones, bit 8 the start bit, 9-16 the character, 17 the stop.
        let framed = self.seen >= 18 && self.shift & 0x1FF == 0xFF && self.shift >> 17 & 1 == 1;
        framed.then_some((self.shift >> 9) as u8)
    }
}

/// What a run of received characters was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pattern {
    /// The originator's pattern.
    Odp,
    /// The answerer's pattern: it has LAPM.
    AdpLapm,
    /// The answerer's pattern: it has only the alternative procedure.
    AdpAlternative,
}

/// Recognises ODP and ADP in the received characters, one at a time.
#[derive(Debug, Clone, Default)]
pub struct PatternDetector {
    last: Option<u8>,
    run: u8,
    kind: Option<Pattern>,
}

impl PatternDetector {
    /// Takes one received character; returns a pattern once it has come [`TO_RECOGNISE`]
    /// characters in a row.
    pub fn push(&mut self, c: u8) -> Option<Pattern> {
        let c = match c {
            E_PLAIN => E_EVEN,
            C_PLAIN => C_EVEN,
            c => c,
        };
        let kind = match (self.last, c) {
            (Some(DC1_EVEN), DC1_ODD) | (Some(DC1_ODD), DC1_EVEN) => Some(Pattern::Odp),
            (Some(E_EVEN), C_EVEN) | (Some(C_EVEN), E_EVEN) => Some(Pattern::AdpLapm),
            (Some(E_EVEN), NUL) | (Some(NUL), E_EVEN) => Some(Pattern::AdpAlternative),
            _ => None,
        };
        let part = matches!(c, DC1_EVEN | DC1_ODD | E_EVEN | C_EVEN | NUL);
        match kind {
            Some(k) if self.kind == Some(k) || self.run == 1 => {
                self.kind = Some(k);
                self.run = self.run.saturating_add(1);
            }
            _ => {
                self.kind = None;
                self.run = part as u8;
            }
        }
        self.last = Some(c);
        (self.run >= TO_RECOGNISE).then_some(self.kind).flatten()
    }
}

/// Sends a pattern: its characters, each followed by [`FILL_ONES`] ones, bit by bit.
#[derive(Debug, Clone)]
pub struct PatternSender {
    chars: [u8; 2],
    which: u8,
    bit: u8,
    /// Repetitions still to send (`u32::MAX`: until stopped).
    left: u32,
}

impl PatternSender {
    /// Sends `chars` alternately, `repetitions` times each pair (`u32::MAX` for ever).
    pub fn new(chars: [u8; 2], repetitions: u32) -> Self {
        PatternSender { chars, which: 0, bit: 0, left: repetitions }
    }

    /// The ODP, for ever.
    pub fn odp() -> Self {
        Self::new([DC1_EVEN, DC1_ODD], u32::MAX)
    }

    /// True between characters (after a character's fill ones).
    pub fn at_boundary(&self) -> bool {
        self.bit == 0
    }

    /// True once the repetitions are sent.
    pub fn is_done(&self) -> bool {
        self.left == 0
    }

    /// The next bit (ones once done).
    pub fn next_bit(&mut self) -> u8 {
        if self.left == 0 {
            return 1;
        }
        let c = self.chars[self.which as usize];
        let b = match self.bit {
            0 => 0,
            1..=8 => (c >> (self.bit - 1)) & 1,
            _ => 1,
        };
        self.bit += 1;
        if self.bit == 10 + FILL_ONES {
            self.bit = 0;
            self.which ^= 1;
            if self.which == 0 && self.left != u32::MAX {
                self.left -= 1;
            }
        }
        b
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_are_recognised_after_two_repetitions_and_not_from_noise() {
        let mut d = PatternDetector::default();
        assert_eq!(d.push(b'x'), None);
        assert_eq!(d.push(DC1_EVEN), None);
        assert_eq!(d.push(DC1_ODD), None);
        assert_eq!(d.push(DC1_EVEN), None);
        assert_eq!(d.push(DC1_ODD), Some(Pattern::Odp));
        let mut d = PatternDetector::default();
        let got: Vec<_> = [E_EVEN, C_EVEN, E_EVEN, C_EVEN].iter().map(|&c| d.push(c)).collect();
        assert_eq!(got, [None, None, None, Some(Pattern::AdpLapm)]);
        let mut d = PatternDetector::default();
        let got: Vec<_> = [E_EVEN, NUL, E_EVEN, NUL].iter().map(|&c| d.push(c)).collect();
        assert_eq!(got[3], Some(Pattern::AdpAlternative));
        let mut d = PatternDetector::default();
        let got: Vec<_> = [E_PLAIN, C_PLAIN, E_PLAIN, C_PLAIN].iter().map(|&c| d.push(c)).collect();
        assert_eq!(got[3], Some(Pattern::AdpLapm));
        // Mixed halves are no pattern.
        let mut d = PatternDetector::default();
        assert!([E_EVEN, C_EVEN, E_EVEN, NUL, E_EVEN, C_EVEN].iter().all(|&c| d.push(c).is_none()));
    }

    #[test]
    fn pattern_characters_need_their_fill() {
        let mut s = PatternSender::odp();
        let mut scan = PatternCharScanner::default();
        let mut got = vec![];
        for _ in 0..8 {
            scan.push(1);
        }
        for _ in 0..4 * 18 {
            got.extend(scan.push(s.next_bit()));
        }
        assert_eq!(got, [DC1_EVEN, DC1_ODD, DC1_EVEN, DC1_ODD]);
        // The same characters back to back (8N1 text): only the first, after the idle line.
        let mut scan = PatternCharScanner::default();
        let mut found = 0;
        for _ in 0..10 {
            scan.push(1);
        }
        for &c in b"ECECECEC" {
            let bits = [0].into_iter().chain((0..8).map(|i| (c >> i) & 1)).chain([1]);
            found += bits.filter_map(|b| scan.push(b)).count();
        }
        assert_eq!(found, 1);
    }

    #[test]
    fn sender_frames_characters_with_fill() {
        let mut s = PatternSender::new([DC1_EVEN, DC1_ODD], 1);
        let bits: Vec<u8> = (0..40).map(|_| s.next_bit()).collect();
        // start, 0x11 LSB first, stop, 8 ones; start, 0x91, stop, 8 ones; then idle ones.
        assert_eq!(&bits[..10], &[0, 1, 0, 0, 0, 1, 0, 0, 0, 1]);
        assert!(bits[10..18].iter().all(|&b| b == 1));
        assert_eq!(&bits[18..28], &[0, 1, 0, 0, 0, 1, 0, 0, 1, 1]);
        assert!(s.is_done() && bits[28..].iter().all(|&b| b == 1));
    }
}
