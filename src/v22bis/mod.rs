//! ITU-T V.22 and V.22bis: 600 baud duplex modems on the 1200 Hz (calling) and 2400 Hz
//! (answering) carriers, 1200 bit/s differential 4-phase and 2400 bit/s 16-point QAM.
//!
//! What is here, in the standards' words:
//! - the signal structure: a quadbit's first two bits give the change of quadrant (as V.22's
//!   dibits: 00 +90 degrees, 01 0, 11 +270, 10 +180), its last two bits one of four points in
//!   the new quadrant ([`Constellation`]); at 1200 bit/s every symbol uses the point "01";
//! - the self-synchronising [`Scrambler`] and [`Descrambler`], 1 + x^-14 + x^-17, with the rule
//!   against 64 consecutive ones;
//! - the transmitter ([`tx::Transmitter`]), with the 75 % raised-cosine spectrum split between
//!   transmitter and receiver and the optional guard tone on the answering modem's channel;
//! - the receiver ([`rx::Receiver`]).

pub mod pump;
pub mod quality;
pub mod rx;
pub mod supervision;
pub mod tx;

use crate::dsp::Complex;

/// Modulation rate (symbols per second) of both channels.
pub const BAUD: f32 = 600.0;

/// Carrier of the low channel, sent by the calling modem, in Hz.
pub const CALL_CARRIER: f32 = 1200.0;

/// Carrier of the high channel, sent by the answering modem, in Hz.
pub const ANSWER_CARRIER: f32 = 2400.0;

/// Roll-off of the raised-cosine spectrum (75 %), half of it (a root raised cosine) in each of the
/// transmitter and receiver.
pub const ROLL_OFF: f32 = 0.75;

/// Data signalling rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rate {
    /// 1200 bit/s: dibits, differential 4-phase (V.22, and V.22bis's fall-back).
    R1200,
    /// 2400 bit/s: quadbits, 16-point QAM (V.22bis).
    R2400,
}

impl Rate {
    /// Bits per second.
    pub fn bps(self) -> u32 {
        match self {
            Rate::R1200 => 1200,
            Rate::R2400 => 2400,
        }
    }

    /// Bits per symbol.
    pub fn bits_per_symbol(self) -> usize {
        match self {
            Rate::R1200 => 2,
            Rate::R2400 => 4,
        }
    }
}

/// The guard tone an answering modem may add to its signal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GuardTone {
    /// No guard tone (the default, and what most networks want).
    None,
    /// 550 Hz, 3 dB below the data signal.
    Hz550,
    /// 1800 Hz, 6 dB below the data signal.
    Hz1800,
}

impl GuardTone {
    /// Frequency in Hz and level relative to the data signal in dB.
    pub fn tone(self) -> Option<(f32, f32)> {
        match self {
            GuardTone::None => None,
            GuardTone::Hz550 => Some((550.0, -3.0)),
            GuardTone::Hz1800 => Some((1800.0, -6.0)),
        }
    }
}

/// The 16-point signal structure and the differential coding of quadrants.
///
/// Points lie on the grid {+-1, +-3} x {+-1, +-3} (average power 10). Quadrants are numbered
/// 0 (first, +re +im) to 3 counter-clockwise. The labelling turns with the quadrant: in the first
/// quadrant 00 is (1, 1), 01 is (3, 1), 10 is (1, 3) and 11 is (3, 3), and each is turned by the
/// quadrant's multiple of 90 degrees, so a phase ambiguity of the carrier only changes quadrants,
/// which the differential coding absorbs.
pub struct Constellation;

impl Constellation {
    /// Average power of the constellation (and of the 1200 bit/s points).
    pub const POWER: f32 = 10.0;

    /// Quadrant change (0..4, in steps of 90 degrees counter-clockwise) for the first two bits of a
    /// quadbit (or a V.22 dibit), `b1` first in time.
    pub fn quadrant_change(b1: u8, b2: u8) -> u8 {
        match (b1 & 1, b2 & 1) {
            (0, 0) => 1,
            (0, 1) => 0,
            (1, 1) => 3,
            _ => 2,
        }
    }

    /// The first two bits for a quadrant change (inverse of [`Constellation::quadrant_change`]).
    pub fn dibit_for_change(change: u8) -> (u8, u8) {
        match change & 3 {
            1 => (0, 0),
            0 => (0, 1),
            3 => (1, 1),
            _ => (1, 0),
        }
    }

    /// The point for the last two bits `b3 b4` in `quadrant`.
    pub fn point(quadrant: u8, b3: u8, b4: u8) -> Complex {
        let base = match (b3 & 1, b4 & 1) {
            (0, 0) => Complex::new(1.0, 1.0),
            (0, 1) => Complex::new(3.0, 1.0),
            (1, 0) => Complex::new(1.0, 3.0),
            _ => Complex::new(3.0, 3.0),
        };
        rotate(base, quadrant)
    }

    /// The nearest point to `z`: its quadrant and last two bits.
    pub fn slice16(z: Complex) -> (u8, u8, u8) {
        let q = quadrant_of(z);
        let b = rotate(z, 4 - q);
        let b3 = (b.im > 2.0) as u8;
        let b4 = (b.re > 2.0) as u8;
        (q, b3, b4)
    }

    /// The nearest 1200 bit/s point (the "01" point of a quadrant) to `z`: its quadrant.
    pub fn slice4(z: Complex) -> u8 {
        // The 01 points sit at atan(1/3) + k 90 degrees; turning by atan(1/2) puts them on the
        // diagonals: (3 + j)(2 + j) = 5 + 5j.
        quadrant_of(z * Complex::new(2.0, 1.0))
    }
}

/// `z` turned by `q` quarter turns counter-clockwise.
#[inline]
pub fn rotate(z: Complex, q: u8) -> Complex {
    match q & 3 {
        0 => z,
        1 => Complex::new(-z.im, z.re),
        2 => Complex::new(-z.re, -z.im),
        _ => Complex::new(z.im, -z.re),
    }
}

/// The quadrant (0..4) of `z`: 0 for re >= 0 and im >= 0, then counter-clockwise.
#[inline]
pub fn quadrant_of(z: Complex) -> u8 {
    match (z.re >= 0.0, z.im >= 0.0) {
        (true, true) => 0,
        (false, true) => 1,
        (false, false) => 2,
        (true, false) => 3,
    }
}

const SCRAMBLER_MASK: u32 = (1 << 17) - 1;

/// The V.22 scrambler: divides the data by 1 + x^-14 + x^-17. After 64 consecutive ones at
/// its output it inverts the next input bit, so an idle line cannot lock it into all ones.
#[derive(Debug, Clone, Default)]
pub struct Scrambler {
    reg: u32,
    ones: u32,
}

impl Scrambler {
    /// A scrambler with a cleared register.
    pub fn new() -> Self {
        Self::default()
    }

    /// Scrambles one bit.
    #[inline]
    pub fn scramble(&mut self, bit: u8) -> u8 {
        let mut b = bit & 1;
        if self.ones >= 64 {
            b ^= 1;
            self.ones = 0;
        }
        let out = b ^ ((self.reg >> 13) & 1) as u8 ^ ((self.reg >> 16) & 1) as u8;
        self.reg = ((self.reg << 1) | out as u32) & SCRAMBLER_MASK;
        self.ones = if out == 1 { self.ones + 1 } else { 0 };
        out
    }
}

/// The V.22 descrambler: multiplies the received bits by 1 + x^-14 + x^-17 (it resynchronises by
/// itself within 17 bits). After 64 consecutive ones at its input it inverts the next output bit,
/// undoing the scrambler's rule.
#[derive(Debug, Clone, Default)]
pub struct Descrambler {
    reg: u32,
    ones: u32,
}

impl Descrambler {
    /// A descrambler with a cleared register.
    pub fn new() -> Self {
        Self::default()
    }

    /// Descrambles one bit.
    #[inline]
    pub fn descramble(&mut self, bit: u8) -> u8 {
        let bit = bit & 1;
        let mut out = bit ^ ((self.reg >> 13) & 1) as u8 ^ ((self.reg >> 16) & 1) as u8;
        if self.ones >= 64 {
            out ^= 1;
            self.ones = 0;
        }
        self.reg = ((self.reg << 1) | bit as u32) & SCRAMBLER_MASK;
        self.ones = if bit == 1 { self.ones + 1 } else { 0 };
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::rng::Rng;

    #[test]
    fn dibit_table_is_v22s() {
        assert_eq!(Constellation::quadrant_change(0, 0), 1); // +90
        assert_eq!(Constellation::quadrant_change(0, 1), 0); // 0
        assert_eq!(Constellation::quadrant_change(1, 1), 3); // +270
        assert_eq!(Constellation::quadrant_change(1, 0), 2); // +180
        for c in 0..4 {
            let (a, b) = Constellation::dibit_for_change(c);
            assert_eq!(Constellation::quadrant_change(a, b), c);
        }
    }

    #[test]
    fn points_and_slicers_agree() {
        let mut power = 0.0;
        for q in 0..4 {
            for b3 in 0..2 {
                for b4 in 0..2 {
                    let p = Constellation::point(q, b3, b4);
                    power += p.norm_sqr();
                    assert_eq!(Constellation::slice16(p), (q, b3, b4));
                    // Nudged by noise, still the same point.
                    assert_eq!(Constellation::slice16(p + Complex::new(0.4, -0.4)), (q, b3, b4));
                }
            }
            let p = Constellation::point(q, 0, 1);
            assert_eq!(Constellation::slice4(p), q);
            assert_eq!(Constellation::slice4(p * Complex::expj(0.6)), q);
            assert_eq!(Constellation::slice4(p * Complex::expj(-0.6)), q);
        }
        assert_eq!(power / 16.0, Constellation::POWER);
        // The labels turn with the quadrant: a quarter turn of any point is the same label one
        // quadrant on.
        for q in 0..4 {
            let p = Constellation::point(q, 1, 0);
            assert_eq!(Constellation::slice16(rotate(p, 1)), ((q + 1) % 4, 1, 0));
        }
    }

    #[test]
    fn descrambler_undoes_scrambler_and_resyncs() {
        let mut r = Rng::new(1);
        let data: Vec<u8> = (0..5000).map(|_| (r.next_u32() & 1) as u8).collect();
        let mut s = Scrambler::new();
        let line: Vec<u8> = data.iter().map(|&b| s.scramble(b)).collect();
        // A descrambler joining late (different register) is right after 17 bits.
        let mut d = Descrambler { reg: 0x1_5A5A, ones: 0 };
        let out: Vec<u8> = line.iter().map(|&b| d.descramble(b)).collect();
        assert_eq!(&out[17..], &data[17..]);
        assert_ne!(line, data);
    }

    #[test]
    fn sixty_four_ones_rule() {
        // A scrambler whose register is all ones would send ones for ever on an input of ones.
        let mut s = Scrambler { reg: SCRAMBLER_MASK, ones: 0 };
        let line: Vec<u8> = (0..200).map(|_| s.scramble(1)).collect();
        assert!(line[..64].iter().all(|&b| b == 1));
        assert_eq!(line[64], 0, "the 65th input is inverted");
        let mut d = Descrambler { reg: SCRAMBLER_MASK, ones: 0 };
        let out: Vec<u8> = line.iter().map(|&b| d.descramble(b)).collect();
        assert!(out.iter().all(|&b| b == 1), "the descrambler undoes the inversion");
        // With a normal start, scrambled ones never have 64 ones in a row.
        let mut s = Scrambler::new();
        let mut run = 0;
        let mut longest = 0;
        for _ in 0..300_000 {
            run = if s.scramble(1) == 1 { run + 1 } else { 0 };
            longest = longest.max(run);
        }
        assert!(longest < 64, "{longest}");
    }
}
