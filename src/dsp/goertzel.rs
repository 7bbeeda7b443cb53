//! The Goertzel algorithm: the power of one frequency over a block of samples.

use core::f32::consts::PI;

/// Measures the power at one frequency over blocks of a fixed length.
///
/// Feed samples with [`Goertzel::push`]; every `block` samples it returns the mean power of the
/// tone at that frequency (a full-scale sine at exactly the frequency gives 0.5).
#[derive(Debug, Clone)]
pub struct Goertzel {
    coeff: f32,
    s1: f32,
    s2: f32,
    n: usize,
    block: usize,
}

impl Goertzel {
    /// A detector for `freq` Hz over blocks of `block` samples (at least 1) at `sample_rate` Hz.
    pub fn new(freq: f32, block: usize, sample_rate: f32) -> Self {
        let block = block.max(1);
        Goertzel { coeff: 2.0 * (2.0 * PI * freq / sample_rate).cos(), s1: 0.0, s2: 0.0, n: 0, block }
    }

    /// Pushes one sample; at the end of each block returns the tone's mean power.
    #[inline]
    pub fn push(&mut self, x: f32) -> Option<f32> {
        let s = x + self.coeff * self.s1 - self.s2;
        self.s2 = self.s1;
        self.s1 = s;
        self.n += 1;
        if self.n < self.block {
            return None;
        }
        let p = self.s1 * self.s1 + self.s2 * self.s2 - self.coeff * self.s1 * self.s2;
        self.s1 = 0.0;
        self.s2 = 0.0;
        self.n = 0;
        // |X|^2 scaled so a unit-amplitude sine gives 0.5, its mean power.
        let nn = self.block as f32;
        Some(2.0 * p / (nn * nn))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dsp::Nco;

    #[test]
    fn measures_the_tone_and_not_its_neighbour() {
        let mut g = Goertzel::new(2100.0, 160, 8000.0);
        let mut nco = Nco::new(2100.0, 8000.0);
        let mut got = None;
        for _ in 0..160 {
            got = g.push(0.5 * nco.next_sin()).or(got);
        }
        assert!((got.unwrap() - 0.125).abs() < 0.005, "{got:?}");
        let mut g = Goertzel::new(2100.0, 160, 8000.0);
        let mut nco = Nco::new(1300.0, 8000.0);
        let mut got = None;
        for _ in 0..160 {
            got = g.push(0.5 * nco.next_sin()).or(got);
        }
        assert!(got.unwrap() < 0.001);
    }
}
