//! Telephone signalling tones: DTMF, call progress tones, and modem answer and calling tones.
//!
//! Every object here is sans-IO like the rest of the crate: generators fill buffers of samples,
//! detectors take samples and report what they recognised through a callback, time is counted in
//! samples at [`crate::dsp::SAMPLE_RATE`], levels are in dBm0 (0 dBm0 is a sine 3.17 dB below
//! full scale, [`crate::dsp::dbm0_to_peak`]). Nothing allocates after construction.
//!
//! - [`dtmf`]: [`DtmfGenerator`] and [`DtmfDetector`] (ITU-T Q.23 frequencies, Q.24 reception).
//! - [`progress`]: [`ProgressToneGenerator`] and [`CallProgressDetector`] (dial tone, ringback, busy,
//!   reorder/congestion in the North American and European tone plans; silence; voice).
//! - [`answer`]: [`AnswerToneGenerator`], [`CallingToneGenerator`] and [`AnswerToneDetector`]
//!   (V.25 ANS with and without phase reversals, V.8 ANSam and ANSam/, the Bell 2225 Hz answer
//!   tone, the V.25 calling tone).
//!
//! Sources: ITU-T Q.23 (the DTMF frequencies), Q.24 (DTMF reception: the 1.5 % / 3.5 % frequency
//! tolerance; levels, twist and timing are each administration's, and the commonly used values are
//! taken), V.25 (ANS: 2100 +- 15 Hz, phase reversals every 450 +- 25 ms; the calling tone: 1300 Hz,
//! 0.5-0.7 s on, 1.5-2.0 s off), V.8 (ANSam: the envelope swings 0.8 to 1.2 of its mean at
//! 15 Hz), E.180 (ringing tone cadence limits), the European harmonised 425 Hz tones and the North
//! American precise tone plan (dial 350 + 440 Hz, ringback 440 + 480 Hz 2 s / 4 s, busy 480 + 620 Hz
//! 0.5 s / 0.5 s, reorder 0.25 s / 0.25 s). Each detector's documentation says which thresholds come
//! from where, and which were set by measurement here.

pub mod answer;
pub mod dtmf;
pub mod progress;

pub use answer::{AnswerEvent, AnswerTone, AnswerToneDetector, AnswerToneGenerator, CallingToneGenerator};
pub use dtmf::{DialError, DtmfConfig, DtmfDetector, DtmfGenerator};
pub use progress::{CallProgressDetector, ProgressEvent, ProgressToneGenerator, Region, Tone, ToneSpec};

/// Length of the raised-cosine ramp that switches a generated tone on or off, in samples (5 ms).
pub(crate) const RAMP: u32 = 40;

/// Gain of a tone burst `len` samples long at sample `pos` of it: a raised-cosine ramp of up to
/// `ramp` samples at each end (shorter for very short bursts), 1 in between.
#[inline]
pub(crate) fn burst_gain(pos: u32, len: u32, ramp: u32) -> f32 {
    let r = ramp.min(len / 2).max(1);
    let edge = pos.min(len.saturating_sub(1).saturating_sub(pos));
    if edge >= r {
        1.0
    } else {
        0.5 - 0.5 * (core::f32::consts::PI * (edge as f32 + 0.5) / r as f32).cos()
    }
}

/// Replaces samples a detector cannot use (NaN, infinities) with silence and clamps wild ones.
#[inline]
pub(crate) fn sanitize(x: f32) -> f32 {
    if x.is_finite() {
        x.clamp(-4.0, 4.0)
    } else {
        0.0
    }
}

/// Signals shared by the tests of the three detectors.
#[cfg(test)]
pub(crate) mod testsig {
    use crate::dsp::{dbm0_to_power, Nco, SAMPLE_RATE};
    use crate::sim::rng::Rng;

    /// Samples in `ms` milliseconds.
    pub fn ms(ms: u32) -> usize {
        crate::time::Duration::from_ms(ms).samples() as usize
    }

    /// Mean power of `x`.
    pub fn power(x: &[f32]) -> f32 {
        x.iter().map(|v| v * v).sum::<f32>() / x.len().max(1) as f32
    }

    /// Adds white Gaussian noise `snr_db` below `signal_power`.
    pub fn add_noise(x: &mut [f32], signal_power: f32, snr_db: f32, seed: u64) {
        let mut r = Rng::new(seed);
        let sigma = (signal_power / 10f32.powf(snr_db / 10.0)).sqrt();
        for v in x {
            *v += sigma * r.gaussian();
        }
    }

    /// White Gaussian noise at `dbm0`.
    pub fn noise(n: usize, dbm0: f32, seed: u64) -> Vec<f32> {
        let mut r = Rng::new(seed);
        let sigma = dbm0_to_power(dbm0).sqrt();
        (0..n).map(|_| sigma * r.gaussian()).collect()
    }

    /// Something like voiced speech at about `dbm0`: a glottal-like harmonic series whose pitch
    /// glides between 85 and 260 Hz, shaped by two moving formants, in syllables about 4 a second
    /// with short pauses between words.
    pub fn speech_like(n: usize, dbm0: f32, seed: u64) -> Vec<f32> {
        let mut r = Rng::new(seed);
        let fs = SAMPLE_RATE as f32;
        let mut phase = 0.0f32;
        let mut pitch_nco = Nco::new(0.37, fs);
        let mut syl = Nco::new(3.7, fs);
        let mut f1 = Nco::new(0.53, fs);
        let mut f2 = Nco::new(0.29, fs);
        let base = 85.0 + 60.0 * r.uniform();
        let mut out = Vec::with_capacity(n);
        let mut pause = 0usize;
        for i in 0..n {
            let p = base + 90.0 * (1.0 + pitch_nco.next_sin());
            phase = (phase + p / fs).fract();
            let s = syl.next_sin();
            let env = (0.5 + 0.5 * s).powi(2);
            let formant1 = 500.0 + 300.0 * f1.next_sin();
            let formant2 = 1500.0 + 700.0 * f2.next_sin();
            if i % 4000 == 0 && r.uniform() < 0.3 {
                pause = 800 + r.below(1600) as usize;
            }
            let mut y = 0.0;
            if pause > 0 {
                pause -= 1;
            } else {
                let mut k = 1.0f32;
                while k * p < 3400.0 {
                    let f = k * p;
                    let g = 1.0 / (1.0 + ((f - formant1) / 150.0).powi(2))
                        + 0.5 / (1.0 + ((f - formant2) / 200.0).powi(2))
                        + 0.05 / k;
                    y += g * (core::f32::consts::TAU * k * phase).sin();
                    k += 1.0;
                }
                y *= env;
            }
            out.push(y + 0.002 * r.gaussian());
        }
        let scale = (dbm0_to_power(dbm0) / power(&out)).sqrt();
        out.iter_mut().for_each(|v| *v *= scale);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn burst_gain_ramps_both_ends() {
        assert!(burst_gain(0, 400, 40) < 0.01);
        assert_eq!(burst_gain(40, 400, 40), 1.0);
        assert_eq!(burst_gain(200, 400, 40), 1.0);
        assert!(burst_gain(399, 400, 40) < 0.01);
        assert!((burst_gain(20, 400, 40) - 0.5).abs() < 0.05);
        // A burst shorter than two ramps still rises and falls.
        assert!(burst_gain(5, 10, 40) > 0.8);
    }
}
