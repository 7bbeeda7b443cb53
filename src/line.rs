//! A simulated telephone line: seeded, per-direction impairments between two modems.
//!
//! The same idea as a fault-injecting network device: everything a real line does to a modem's
//! signal, made repeatable from a seed, so tests, the CLI, benchmarks and the page's demo share it.

use crate::dsp::fir::{design_bandpass, design_hilbert, Window};
use crate::dsp::{dbm0_to_power, Fir, Nco, Resampler, SAMPLE_RATE};
use crate::rng::Rng;

/// What happens to the signal in one direction of the line.
#[derive(Debug, Clone, PartialEq)]
pub struct Impairments {
    /// Gain in dB (loss is negative).
    pub gain_db: f32,
    /// White Gaussian noise over the whole 0-4000 Hz band at this level in dBm0, if any.
    pub noise_dbm0: Option<f32>,
    /// Frequency offset in Hz (a carrier system that does not restore frequency exactly).
    pub freq_offset_hz: f32,
    /// Sample clock offset of the far end relative to the near end, in parts per million.
    pub clock_ppm: f32,
    /// Band-limit to the telephone band (300-3400 Hz).
    pub band_limit: bool,
}

impl Default for Impairments {
    /// A clean line.
    fn default() -> Self {
        Impairments { gain_db: 0.0, noise_dbm0: None, freq_offset_hz: 0.0, clock_ppm: 0.0, band_limit: false }
    }
}

impl Impairments {
    /// Noise set so that a signal at `signal_dbm0` has the given signal-to-noise ratio (noise over
    /// the whole 4 kHz band).
    pub fn with_snr(mut self, snr_db: f32, signal_dbm0: f32) -> Self {
        self.noise_dbm0 = Some(signal_dbm0 + self.gain_db - snr_db);
        self
    }
}

/// Most samples a direction holds back to absorb a clock offset (one second).
const FIFO: usize = SAMPLE_RATE as usize;
/// Samples of delay a direction starts with when it simulates a clock offset.
const PREFILL: usize = 1600;

/// One direction of a simulated line.
#[derive(Debug, Clone)]
pub struct Direction {
    imp: Impairments,
    gain: f32,
    noise_rms: f32,
    rng: Rng,
    band: Option<Fir>,
    hilbert: Option<(Fir, Fir, Nco)>,
    clock: Option<(Resampler, Vec<f32>, usize, usize)>,
}

impl Direction {
    /// A direction with the given impairments; `seed` fixes its noise.
    pub fn new(imp: Impairments, seed: u64) -> Self {
        let fs = SAMPLE_RATE as f32;
        let band = imp.band_limit.then(|| Fir::new(design_bandpass(300.0, 3400.0, fs, 129, Window::Blackman)));
        let hilbert = (imp.freq_offset_hz != 0.0).then(|| {
            let h = design_hilbert(127, Window::Blackman);
            let mut delay = vec![0.0; 127];
            delay[63] = 1.0;
            (Fir::new(h), Fir::new(delay), Nco::new(imp.freq_offset_hz, fs))
        });
        let clock = (imp.clock_ppm != 0.0).then(|| {
            // The far end's clock is fast by ppm: its samples are spread over less of our time.
            let r = Resampler::new(1.0 + imp.clock_ppm as f64 * 1e-6, 1.0);
            (r, vec![0.0; FIFO], 0usize, PREFILL)
        });
        Direction {
            gain: 10f32.powf(imp.gain_db / 20.0),
            noise_rms: imp.noise_dbm0.map(|d| dbm0_to_power(d).sqrt()).unwrap_or(0.0),
            imp,
            rng: Rng::new(seed),
            band,
            hilbert,
            clock,
        }
    }

    /// The impairments.
    pub fn impairments(&self) -> &Impairments {
        &self.imp
    }

    /// Passes `input` through the line into `output` (same length).
    pub fn process(&mut self, input: &[f32], output: &mut [f32]) {
        let n = input.len().min(output.len());
        for i in 0..n {
            let mut x = input[i];
            if let Some((h, d, nco)) = &mut self.hilbert {
                // Single-sideband shift: Re{(x + j H{x}) e^{j w t}}.
                let q = h.process(x);
                let re = d.process(x);
                let (c, s) = nco.next_iq();
                x = re * c - q * s;
            }
            output[i] = x;
        }
        if let Some((r, fifo, head, len)) = &mut self.clock {
            // Resample into the FIFO, then take exactly n samples out (silence if it runs dry).
            let cap = fifo.len();
            r.process(&output[..n], |y| {
                if *len < cap {
                    fifo[(*head + *len) % cap] = y;
                    *len += 1;
                }
            });
            for o in output[..n].iter_mut() {
                if *len > 0 {
                    *o = fifo[*head];
                    *head = (*head + 1) % cap;
                    *len -= 1;
                } else {
                    *o = 0.0;
                }
            }
        }
        for o in output[..n].iter_mut() {
            let mut x = *o;
            if let Some(b) = &mut self.band {
                x = b.process(x);
            }
            x *= self.gain;
            if self.noise_rms > 0.0 {
                x += self.noise_rms * self.rng.gaussian();
            }
            *o = x;
        }
        output[n..].iter_mut().for_each(|v| *v = 0.0);
    }
}

/// A two-way line between a calling modem (A) and an answering modem (B).
#[derive(Debug, Clone)]
pub struct Line {
    /// From A (the caller) to B.
    pub a_to_b: Direction,
    /// From B (the answerer) to A.
    pub b_to_a: Direction,
}

impl Line {
    /// A line with the same impairments both ways (noise seeded differently per direction).
    pub fn symmetric(imp: Impairments, seed: u64) -> Self {
        Line { a_to_b: Direction::new(imp.clone(), seed), b_to_a: Direction::new(imp, seed ^ 0x5eed) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dsp::{power_to_dbm0, Goertzel};

    fn tone(freq: f32, n: usize) -> Vec<f32> {
        let mut nco = Nco::new(freq, 8000.0);
        (0..n).map(|_| 0.3 * nco.next_sin()).collect()
    }

    fn peak_freq(x: &[f32]) -> f32 {
        let mut best = (0.0, 0.0);
        for f in (900..1300).map(|f| f as f32) {
            let mut g = Goertzel::new(f, x.len(), 8000.0);
            let mut p = 0.0;
            for &v in x {
                p = g.push(v).unwrap_or(p);
            }
            if p > best.1 {
                best = (f, p);
            }
        }
        best.0
    }

    #[test]
    fn frequency_offset_moves_a_tone() {
        let mut d = Direction::new(Impairments { freq_offset_hz: 7.0, ..Default::default() }, 1);
        let x = tone(1000.0, 16000);
        let mut y = vec![0.0; x.len()];
        d.process(&x, &mut y);
        assert_eq!(peak_freq(&y[400..]), 1007.0);
    }

    #[test]
    fn noise_level_is_as_asked() {
        let mut d = Direction::new(Impairments { noise_dbm0: Some(-33.0), ..Default::default() }, 1);
        let x = vec![0.0; 80000];
        let mut y = vec![0.0; x.len()];
        d.process(&x, &mut y);
        let p = y.iter().map(|v| v * v).sum::<f32>() / y.len() as f32;
        assert!((power_to_dbm0(p) + 33.0).abs() < 0.1);
    }

    #[test]
    fn clock_offset_shifts_frequency_and_keeps_block_sizes() {
        // +1000 ppm on a 1000 Hz tone reads as 1001 Hz here.
        let mut d = Direction::new(Impairments { clock_ppm: 1000.0, ..Default::default() }, 1);
        let x = tone(1000.0, 40000);
        let mut y = vec![0.0; x.len()];
        for (a, b) in x.chunks(160).zip(y.chunks_mut(160)) {
            d.process(a, b);
        }
        assert_eq!(peak_freq(&y[PREFILL + 400..]), 1001.0);
    }
}
