//! A small radix-2 fast Fourier transform, and the power spectrum of a block of line samples.
//!
//! Written here rather than taken from the `rustfft` crate: the one use is the status panel's
//! spectrum (a few hundred points, ten times a second), for which an in-place decimation-in-time
//! transform of a power-of-two size is some sixty lines, adds no dependency to the WebAssembly
//! build, and allocates only when it is built (its twiddle factors and window). `rustfft` plans
//! and mixed radices would buy nothing at these sizes.

use core::f32::consts::PI;

use super::{power_to_dbm0, Complex};

/// An in-place complex FFT of one power-of-two size, its twiddle factors computed once.
#[derive(Debug, Clone)]
pub struct Fft {
    /// `e^{-j 2 pi k / n}` for `k` in `0..n/2`.
    twiddles: Box<[Complex]>,
}

impl Fft {
    /// A transform of `n` points; `n` must be a power of two, at least 2.
    ///
    /// # Panics
    ///
    /// If `n` is not a power of two or is less than 2.
    pub fn new(n: usize) -> Fft {
        assert!(n >= 2 && n.is_power_of_two(), "FFT size {n} is not a power of two of at least 2");
        let twiddles = (0..n / 2).map(|k| Complex::expj(-2.0 * PI * k as f32 / n as f32)).collect();
        Fft { twiddles }
    }

    /// The number of points.
    pub fn len(&self) -> usize {
        self.twiddles.len() * 2
    }

    /// Always false: a transform has at least two points.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// Transforms `x` in place: `X[k] = sum x[n] e^{-j 2 pi k n / N}` (no scaling).
    ///
    /// # Panics
    ///
    /// If `x` is not [`Fft::len`] long.
    pub fn process(&self, x: &mut [Complex]) {
        let n = self.len();
        assert_eq!(x.len(), n, "FFT of {n} points given {} samples", x.len());
        // Bit-reversed order, then butterflies of growing span.
        let bits = n.trailing_zeros();
        for i in 0..n {
            let j = i.reverse_bits() >> (usize::BITS - bits);
            if j > i {
                x.swap(i, j);
            }
        }
        let mut span = 1;
        while span < n {
            let step = n / (2 * span);
            for start in (0..n).step_by(2 * span) {
                for k in 0..span {
                    let t = x[start + k + span] * self.twiddles[k * step];
                    let u = x[start + k];
                    x[start + k] = u + t;
                    x[start + k + span] = u - t;
                }
            }
            span *= 2;
        }
    }
}

/// Points of the status panel's spectrum transform: 64 ms at 8000 Hz.
pub const SPECTRUM_POINTS: usize = 512;

/// Bins of the status panel's spectrum: 0 to 4000 Hz in steps of 31.25 Hz.
pub const SPECTRUM_BINS: usize = 128;

/// The lowest level a spectrum bin reports, dBm0 (silence reads this).
pub const SPECTRUM_FLOOR_DBM0: f32 = -100.0;

/// The power spectrum of the line: [`SPECTRUM_POINTS`] samples, Hann-windowed, in
/// [`SPECTRUM_BINS`] bins from 0 Hz to half the sample rate, each the power of its two FFT
/// bins in dBm0. The scale is such that the bins of a sine add up to its power: a sine at -13
/// dBm0 centred in a bin reads about -13.8 dBm0 there (the window spreads the rest next door).
#[derive(Debug, Clone)]
pub struct Spectrum {
    fft: Fft,
    window: Box<[f32]>,
    /// `2 / (N * sum w^2)`: a windowed bin's |X|^2 to power (one side of the spectrum).
    scale: f32,
}

impl Default for Spectrum {
    fn default() -> Self {
        Spectrum::new()
    }
}

impl Spectrum {
    /// The analyser (its transform and window computed once).
    pub fn new() -> Spectrum {
        let n = SPECTRUM_POINTS;
        let window: Box<[f32]> = (0..n).map(|i| 0.5 - 0.5 * (2.0 * PI * i as f32 / n as f32).cos()).collect();
        let energy: f32 = window.iter().map(|w| w * w).sum();
        Spectrum { fft: Fft::new(n), window, scale: 2.0 / (n as f32 * energy) }
    }

    /// The spectrum of the last [`SPECTRUM_POINTS`] samples `samples` gives (fewer: zeros before
    /// them) into `out` (its first [`SPECTRUM_BINS`] entries), dBm0, no lower than
    /// [`SPECTRUM_FLOOR_DBM0`]. Works on the stack; allocates nothing.
    pub fn analyse(&self, samples: impl ExactSizeIterator<Item = f32>, out: &mut [f32]) {
        let mut x = [Complex::ZERO; SPECTRUM_POINTS];
        let skip = samples.len().saturating_sub(SPECTRUM_POINTS);
        let start = SPECTRUM_POINTS - (samples.len() - skip);
        for ((z, s), w) in x[start..].iter_mut().zip(samples.skip(skip)).zip(&self.window[start..]) {
            *z = Complex::new(if s.is_finite() { s * w } else { 0.0 }, 0.0);
        }
        self.fft.process(&mut x);
        let per = SPECTRUM_POINTS / 2 / SPECTRUM_BINS;
        for (b, o) in out.iter_mut().take(SPECTRUM_BINS).enumerate() {
            let p: f32 = x[b * per..(b + 1) * per].iter().map(|z| z.norm_sqr()).sum::<f32>() * self.scale;
            *o = power_to_dbm0(p).max(SPECTRUM_FLOOR_DBM0);
        }
    }

    /// The centre frequency of bin `b`, Hz (at 8000 Hz).
    pub fn bin_hz(b: usize) -> f32 {
        (b as f32 + 0.25) * super::SAMPLE_RATE as f32 / 2.0 / SPECTRUM_BINS as f32
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dsp::{dbm0_to_peak, Nco};

    /// The direct sum, for comparison.
    fn dft(x: &[Complex]) -> Vec<Complex> {
        let n = x.len();
        (0..n)
            .map(|k| {
                x.iter().enumerate().fold(Complex::ZERO, |acc, (i, &v)| {
                    acc + v * Complex::expj(-2.0 * PI * (k * i % n) as f32 / n as f32)
                })
            })
            .collect()
    }

    #[test]
    fn matches_the_direct_sum() {
        for n in [2, 4, 8, 64, 512] {
            let x: Vec<Complex> =
                (0..n).map(|i| Complex::new((i as f32 * 0.37).sin(), (i as f32 * 1.3).cos() * 0.5)).collect();
            let want = dft(&x);
            let mut got = x.clone();
            Fft::new(n).process(&mut got);
            for (g, w) in got.iter().zip(&want) {
                assert!((*g - *w).abs() < 1e-3 * n as f32, "n {n}: {g:?} vs {w:?}");
            }
        }
    }

    #[test]
    fn a_tone_lands_in_its_bin() {
        // 1000 Hz at 8000 Hz: bin 64 of 512 points.
        let n = 512;
        let mut nco = Nco::new(1000.0, 8000.0);
        let mut x: Vec<Complex> = (0..n).map(|_| Complex::new(nco.next_sin(), 0.0)).collect();
        Fft::new(n).process(&mut x);
        let peak = (0..n / 2).max_by(|&a, &b| x[a].abs().total_cmp(&x[b].abs())).unwrap();
        assert_eq!(peak, 64);
        assert!((x[64].abs() - n as f32 / 2.0).abs() < 1.0, "{}", x[64].abs());
        assert!(x[10].abs() < 1e-2 && x[200].abs() < 1e-2);
    }

    #[test]
    #[should_panic(expected = "not a power of two")]
    fn sizes_are_powers_of_two() {
        Fft::new(100);
    }

    #[test]
    fn the_spectrum_of_a_tone_reads_its_level() {
        let s = Spectrum::new();
        let mut out = [0.0f32; SPECTRUM_BINS];
        // -13 dBm0 at 1800 Hz (bin 57.6 of 31.25 Hz; its two FFT bins 115 and 116 straddle it).
        for (hz, want_bin) in [(1800.0, 57), (1000.0, 32), (2500.0, 80)] {
            let mut nco = Nco::new(hz, 8000.0);
            let peak = dbm0_to_peak(-13.0);
            let x: Vec<f32> = (0..2000).map(|_| peak * nco.next_sin()).collect();
            s.analyse(x.iter().copied(), &mut out);
            let top = (0..SPECTRUM_BINS).max_by(|&a, &b| out[a].total_cmp(&out[b])).unwrap();
            assert_eq!(top, want_bin, "{hz} Hz: {out:?}");
            assert!((out[top] + 13.0).abs() < 2.0, "{hz} Hz reads {} dBm0", out[top]);
            // The bins' powers add up to the tone's.
            let total: f32 = out.iter().map(|d| crate::dsp::dbm0_to_power(*d)).sum();
            assert!((power_to_dbm0(total) + 13.0).abs() < 0.3, "{}", power_to_dbm0(total));
            // Far from the tone, the window's sidelobes are low.
            assert!(out[(top + 20) % SPECTRUM_BINS] < -70.0, "{out:?}");
            assert!((Spectrum::bin_hz(top) - hz).abs() < 32.0);
        }
        // Silence, and fewer samples than the transform (zeros before them), read the floor.
        s.analyse([0.0f32; 10].into_iter(), &mut out);
        assert!(out.iter().all(|&d| d == SPECTRUM_FLOOR_DBM0));
    }
}
