//! Finite impulse response filters and their design by the window method.

use core::f32::consts::PI;

/// The window applied to an ideal (sinc) impulse response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Window {
    /// Hamming: about 53 dB stopband, transition about 3.3 / N of the sample rate.
    Hamming,
    /// Blackman: about 74 dB stopband, transition about 5.5 / N of the sample rate.
    Blackman,
}

impl Window {
    /// The window's value at tap `i` of `n` taps.
    pub fn at(self, i: usize, n: usize) -> f32 {
        if n <= 1 {
            return 1.0;
        }
        let x = i as f32 / (n - 1) as f32;
        match self {
            Window::Hamming => 0.54 - 0.46 * (2.0 * PI * x).cos(),
            Window::Blackman => 0.42 - 0.5 * (2.0 * PI * x).cos() + 0.08 * (4.0 * PI * x).cos(),
        }
    }

    /// The number of taps (odd) that gives a transition band `transition_hz` wide.
    pub fn taps_for(self, transition_hz: f32, sample_rate: f32) -> usize {
        let k = match self {
            Window::Hamming => 3.3,
            Window::Blackman => 5.5,
        };
        let n = (k * sample_rate / transition_hz).ceil() as usize;
        n | 1
    }
}

fn sinc(x: f32) -> f32 {
    if x.abs() < 1e-9 {
        1.0
    } else {
        (PI * x).sin() / (PI * x)
    }
}

/// Taps of a linear-phase low-pass filter with its -6 dB point at `cutoff_hz`, unity gain at DC.
pub fn design_lowpass(cutoff_hz: f32, sample_rate: f32, taps: usize, window: Window) -> Vec<f32> {
    let fc = cutoff_hz / sample_rate;
    let mid = (taps as f32 - 1.0) / 2.0;
    let mut h: Vec<f32> =
        (0..taps).map(|i| 2.0 * fc * sinc(2.0 * fc * (i as f32 - mid)) * window.at(i, taps)).collect();
    let sum: f32 = h.iter().sum();
    for v in &mut h {
        *v /= sum;
    }
    h
}

/// Taps of a linear-phase band-pass filter passing `lo_hz..hi_hz`, unity gain at the band centre.
pub fn design_bandpass(lo_hz: f32, hi_hz: f32, sample_rate: f32, taps: usize, window: Window) -> Vec<f32> {
    let f1 = lo_hz / sample_rate;
    let f2 = hi_hz / sample_rate;
    let mid = (taps as f32 - 1.0) / 2.0;
    let mut h: Vec<f32> = (0..taps)
        .map(|i| {
            let t = i as f32 - mid;
            (2.0 * f2 * sinc(2.0 * f2 * t) - 2.0 * f1 * sinc(2.0 * f1 * t)) * window.at(i, taps)
        })
        .collect();
    // Normalise to unity gain at the centre frequency.
    let fc = (f1 + f2) / 2.0;
    let (mut re, mut im) = (0.0f32, 0.0f32);
    for (i, v) in h.iter().enumerate() {
        let a = 2.0 * PI * fc * i as f32;
        re += v * a.cos();
        im += v * a.sin();
    }
    let g = (re * re + im * im).sqrt();
    for v in &mut h {
        *v /= g;
    }
    h
}

/// Taps of a Hilbert transformer (90 degree phase shift over the band), `taps` odd.
pub fn design_hilbert(taps: usize, window: Window) -> Vec<f32> {
    let mid = (taps as isize - 1) / 2;
    (0..taps)
        .map(|i| {
            let k = i as isize - mid;
            if k % 2 == 0 {
                0.0
            } else {
                2.0 / (PI * k as f32) * window.at(i, taps)
            }
        })
        .collect()
}

/// The root-raised-cosine pulse with roll-off `alpha` at time `t` in symbol periods (peak
/// 1 - alpha + 4 alpha / pi at t = 0). Its square (the pulse convolved with itself) is a
/// raised-cosine pulse, free of intersymbol interference at whole symbol periods.
pub fn root_raised_cosine(t: f32, alpha: f32) -> f32 {
    let pi = PI;
    if t.abs() < 1e-6 {
        return 1.0 - alpha + 4.0 * alpha / pi;
    }
    let edge = 1.0 / (4.0 * alpha);
    if alpha > 0.0 && (t.abs() - edge).abs() < 1e-5 {
        let a = pi / (4.0 * alpha);
        return alpha / core::f32::consts::SQRT_2 * ((1.0 + 2.0 / pi) * a.sin() + (1.0 - 2.0 / pi) * a.cos());
    }
    let num = (pi * t * (1.0 - alpha)).sin() + 4.0 * alpha * t * (pi * t * (1.0 + alpha)).cos();
    let den = pi * t * (1.0 - (4.0 * alpha * t).powi(2));
    num / den
}

/// Magnitude of the frequency response of `taps` at `freq_hz`.
pub fn response(taps: &[f32], freq_hz: f32, sample_rate: f32) -> f32 {
    let (mut re, mut im) = (0.0f32, 0.0f32);
    for (i, v) in taps.iter().enumerate() {
        let a = 2.0 * PI * freq_hz / sample_rate * i as f32;
        re += v * a.cos();
        im -= v * a.sin();
    }
    (re * re + im * im).sqrt()
}

/// A streaming FIR filter over real samples.
///
/// The history is kept twice over so that each output is one contiguous dot product.
#[derive(Debug, Clone)]
pub struct Fir {
    taps: Vec<f32>,
    hist: Vec<f32>,
    pos: usize,
}

impl Fir {
    /// A filter with the given taps (at least one).
    pub fn new(taps: Vec<f32>) -> Self {
        let taps = if taps.is_empty() { vec![1.0] } else { taps };
        let n = taps.len();
        // Reverse once so the dot product runs forward over the history.
        let taps: Vec<f32> = taps.into_iter().rev().collect();
        Fir { taps, hist: vec![0.0; 2 * n], pos: 0 }
    }

    /// The number of taps.
    pub fn len(&self) -> usize {
        self.taps.len()
    }

    /// Always false: a filter has at least one tap.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// Delay in samples of a linear-phase (symmetric) filter of this length.
    pub fn group_delay(&self) -> f32 {
        (self.taps.len() as f32 - 1.0) / 2.0
    }

    /// Pushes one sample and returns one filtered sample.
    #[inline]
    pub fn process(&mut self, x: f32) -> f32 {
        let n = self.taps.len();
        self.hist[self.pos] = x;
        self.hist[self.pos + n] = x;
        self.pos += 1;
        if self.pos == n {
            self.pos = 0;
        }
        dot(&self.hist[self.pos..self.pos + n], &self.taps)
    }

    /// Clears the history.
    pub fn reset(&mut self) {
        self.hist.iter_mut().for_each(|v| *v = 0.0);
        self.pos = 0;
    }
}

/// Dot product, in eight lanes so the compiler vectorises it.
#[inline]
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    // chunks_exact: no bounds checks in the loop, so it becomes SIMD (SSE on x86-64, simd128 on
    // wasm32 when enabled).
    let mut acc = [0.0f32; 8];
    let (ca, cb) = (a.chunks_exact(8), b.chunks_exact(8));
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        for k in 0..8 {
            acc[k] += x[k] * y[k];
        }
    }
    let mut s = ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7]));
    for (x, y) in ra.iter().zip(rb) {
        s += x * y;
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dsp::Nco;

    fn gain_through(f: &mut Fir, freq: f32) -> f32 {
        let mut nco = Nco::new(freq, 8000.0);
        let mut peak = 0.0f32;
        for i in 0..4000 {
            let y = f.process(nco.next_sin());
            if i > 1000 {
                peak = peak.max(y.abs());
            }
        }
        peak
    }

    #[test]
    fn lowpass_passes_and_stops() {
        let taps = design_lowpass(1000.0, 8000.0, 101, Window::Blackman);
        assert!((response(&taps, 0.0, 8000.0) - 1.0).abs() < 1e-4);
        let mut f = Fir::new(taps);
        assert!((gain_through(&mut f, 300.0) - 1.0).abs() < 0.01);
        f.reset();
        assert!(gain_through(&mut f, 2000.0) < 0.001);
    }

    #[test]
    fn bandpass_selects_one_fsk_channel() {
        // The Bell 103 answer band, against the originate band's echo.
        let taps = design_bandpass(1800.0, 2450.0, 8000.0, 161, Window::Blackman);
        let mut f = Fir::new(taps.clone());
        assert!((gain_through(&mut f, 2125.0) - 1.0).abs() < 0.02);
        f.reset();
        assert!(gain_through(&mut f, 1270.0) < 0.001, "echo leaks");
        assert!(response(&taps, 1070.0, 8000.0) < 0.001);
    }

    #[test]
    fn hilbert_shifts_by_quarter_cycle() {
        // The cosine delayed by the filter's delay, with the filter's output, is a unit phasor.
        let mut h = Fir::new(design_hilbert(63, Window::Blackman));
        let mut d = Fir::new((0..63).map(|i| if i == 31 { 1.0 } else { 0.0 }).collect());
        let mut nco = Nco::new(1000.0, 8000.0);
        for i in 0..2000 {
            let x = nco.next_cos();
            let (re, im) = (d.process(x), h.process(x));
            if i > 100 {
                assert!((re * re + im * im - 1.0).abs() < 0.02, "{i}: {}", re * re + im * im);
            }
        }
    }

    #[test]
    fn root_raised_cosine_convolved_with_itself_has_no_intersymbol_interference() {
        // Sample at 16 per symbol over +/-8 symbols, convolve, look at whole symbols.
        let n = 16;
        let g: Vec<f32> =
            (-8 * n as isize..=8 * n as isize).map(|i| root_raised_cosine(i as f32 / n as f32, 0.75)).collect();
        let mid = g.len() - 1;
        let conv =
            |k: usize| -> f32 { (0..g.len()).filter(|&i| k >= i && k - i < g.len()).map(|i| g[i] * g[k - i]).sum() };
        let peak = conv(mid);
        for s in 1..6 {
            let v = conv(mid + s * n) / peak;
            assert!(v.abs() < 2e-3, "ISI {v} at {s} symbols");
        }
        // Continuous at the special point t = 1 / (4 alpha).
        let e = 1.0 / 3.0;
        assert!((root_raised_cosine(e + 1e-3, 0.75) - root_raised_cosine(e, 0.75)).abs() < 5e-3);
    }

    #[test]
    fn taps_for_is_odd() {
        assert_eq!(Window::Blackman.taps_for(250.0, 8000.0) % 2, 1);
        assert!(Window::Hamming.taps_for(250.0, 8000.0) < Window::Blackman.taps_for(250.0, 8000.0));
    }

    #[test]
    fn dot_handles_any_length() {
        for n in [0usize, 1, 7, 8, 11, 33] {
            let a: Vec<f32> = (0..n).map(|i| i as f32).collect();
            let b: Vec<f32> = (0..n).map(|i| 2.0 - i as f32).collect();
            let want: f32 = (0..n).map(|i| (i * i) as f32).sum();
            assert_eq!(dot(&a, &a), want);
            assert_eq!(dot(&b, &a), (0..n).map(|i| (2.0 - i as f32) * i as f32).sum::<f32>());
        }
    }
}
