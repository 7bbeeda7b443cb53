//! Test signals: noise, tones, cadenced tones and something like speech, at a level in dBm0, to
//! play into a receiver or after a modem on a simulated line (what the network plays after a call
//! ends: line noise, dial tone, reorder, an answer tone, a recorded announcement).

use crate::dsp::{dbm0_to_peak, dbm0_to_power, Nco, SAMPLE_RATE};
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

/// A steady tone (or the sum of several, each at `dbm0`) for `n` samples.
pub fn tones(n: usize, freqs: &[f32], dbm0: f32) -> Vec<f32> {
    let a = dbm0_to_peak(dbm0);
    let mut ncos: Vec<Nco> = freqs.iter().map(|&f| Nco::new(f, SAMPLE_RATE as f32)).collect();
    (0..n).map(|_| ncos.iter_mut().map(|o| a * o.next_cos()).sum()).collect()
}

/// [`tones`] switched on for `on_ms` and off for `off_ms`, over and over (busy tone, reorder).
pub fn cadenced(n: usize, freqs: &[f32], dbm0: f32, on_ms: u32, off_ms: u32) -> Vec<f32> {
    let (on, period) = (ms(on_ms), ms(on_ms + off_ms).max(1));
    let mut x = tones(n, freqs, dbm0);
    for (i, v) in x.iter_mut().enumerate() {
        if i % period >= on {
            *v = 0.0;
        }
    }
    x
}
