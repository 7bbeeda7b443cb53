//! FSK transmitter.

use crate::bits::BitSource;
use crate::dsp::{dbm0_to_peak, OnOffRamp, SAMPLE_RATE};
use core::f64::consts::TAU;

use super::ChannelSpec;

/// A continuous-phase FSK modulator.
///
/// The phase never jumps: at a bit boundary the frequency changes at the boundary's exact moment,
/// even between two samples, so bit timing is exact at any rate (6.67 samples per bit at 1200 baud).
/// The carrier is switched on and off with a 5 ms raised-cosine ramp, so it does not click (a click
/// spreads into the other channel of a full-duplex pair).
#[derive(Debug, Clone)]
pub struct Transmitter {
    spec: ChannelSpec,
    amp: f32,
    phase: f64,
    /// Position within the current bit, in bits.
    bit_pos: f64,
    bit_step: f64,
    bit: u8,
    /// The carrier's on/off switch.
    ramp: OnOffRamp,
}

/// Length of the carrier on/off ramp in samples (5 ms).
const RAMP: u32 = 40;

impl Transmitter {
    /// A transmitter for `spec` at `level_dbm0` (modems send about -13 dBm0), carrier on.
    pub fn new(spec: ChannelSpec, level_dbm0: f32) -> Self {
        Transmitter {
            spec,
            amp: dbm0_to_peak(level_dbm0),
            phase: 0.0,
            bit_pos: 0.0,
            bit_step: spec.baud as f64 / SAMPLE_RATE as f64,
            bit: 1,
            ramp: OnOffRamp::new(RAMP),
        }
    }

    /// The channel.
    pub fn spec(&self) -> ChannelSpec {
        self.spec
    }

    /// Sets the level in dBm0.
    pub fn set_level(&mut self, level_dbm0: f32) {
        self.amp = dbm0_to_peak(level_dbm0);
    }

    /// Turns the carrier on or off (with a ramp). Once off, the output is silence and no bits are
    /// taken; when turned on again from silence the next bit starts at once.
    pub fn set_carrier(&mut self, on: bool) {
        if on && self.ramp.is_silent() {
            self.bit_pos = 1.0; // take a new bit on the next sample
        }
        self.ramp.set_on(on);
    }

    /// Carries on a tone already on the line without a click: the carrier is on at full level at
    /// once, its phase `cycles` (of a sine) at the next sample. Used when a start-up hands the
    /// line to this transmitter in the middle of a tone.
    pub fn continue_tone(&mut self, cycles: f64) {
        self.ramp.set_full();
        self.phase = cycles.rem_euclid(1.0);
    }

    /// True while the carrier is on (or ramping down).
    pub fn carrier(&self) -> bool {
        !self.ramp.is_silent()
    }

    fn freq(&self, bit: u8) -> f64 {
        (if bit != 0 { self.spec.mark } else { self.spec.space }) as f64
    }

    /// Fills `out` with the modulated signal, taking bits from `bits` as they are due.
    pub fn process(&mut self, out: &mut [f32], bits: &mut impl BitSource) {
        let fs = SAMPLE_RATE as f64;
        for y in out.iter_mut() {
            let Some(gain) = self.ramp.next_gain() else {
                *y = 0.0;
                continue;
            };
            if self.bit_pos >= 1.0 {
                self.bit_pos -= 1.0;
                self.bit = bits.next_bit() & 1;
            }
            *y = gain * self.amp * (TAU * self.phase).sin() as f32;
            // Advance one sample; if a bit boundary falls inside it, split the phase advance.
            let next = self.bit_pos + self.bit_step;
            let f_now = self.freq(self.bit);
            if next >= 1.0 {
                let before = (1.0 - self.bit_pos) / self.bit_step; // fraction of the sample
                self.bit = bits.next_bit() & 1;
                let f_new = self.freq(self.bit);
                self.phase += (before * f_now + (1.0 - before) * f_new) / fs;
                self.bit_pos = next - 1.0;
            } else {
                self.phase += f_now / fs;
                self.bit_pos = next;
            }
            self.phase -= self.phase.floor();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dsp::{power_to_dbm0, Goertzel};
    use crate::fsk::{BELL103_ANSWER, V23_FORWARD};

    #[test]
    fn mark_tone_at_the_set_level() {
        let mut tx = Transmitter::new(BELL103_ANSWER, -13.0);
        let mut out = vec![0.0; 8000];
        tx.process(&mut out, &mut || 1u8);
        let p = out.iter().map(|v| v * v).sum::<f32>() / out.len() as f32;
        assert!((power_to_dbm0(p) + 13.0).abs() < 0.05, "{}", power_to_dbm0(p));
        let mut g = Goertzel::new(2225.0, 8000, 8000.0);
        let mut tone = 0.0;
        for &v in &out {
            tone = g.push(v).unwrap_or(tone);
        }
        assert!((tone / p - 1.0).abs() < 0.01);
    }

    #[test]
    fn takes_bits_at_the_baud_rate() {
        // At 1200 baud, 8000 samples take exactly 1200 bits (plus the first).
        let mut tx = Transmitter::new(V23_FORWARD, -13.0);
        let mut n = 0u32;
        let mut out = vec![0.0; 8000];
        tx.process(&mut out, &mut || {
            n += 1;
            (n & 1) as u8
        });
        assert!((1200..=1201).contains(&n), "{n}");
    }

    #[test]
    fn silent_when_carrier_off_after_a_ramp() {
        let mut tx = Transmitter::new(V23_FORWARD, -13.0);
        tx.set_carrier(false);
        let mut out = vec![1.0; 40];
        tx.process(&mut out, &mut || 1);
        // Ramps down: each sample no louder than the carrier's peak, the last nearly silent.
        assert!(out.iter().all(|v| v.abs() <= dbm0_to_peak(-13.0)));
        assert!(out[39].abs() < 0.01);
        let mut out = vec![1.0; 100];
        let mut taken = 0;
        tx.process(&mut out, &mut || {
            taken += 1;
            1
        });
        assert!(out.iter().all(|&v| v == 0.0));
        assert_eq!(taken, 0);
        assert!(!tx.carrier());
    }
}
