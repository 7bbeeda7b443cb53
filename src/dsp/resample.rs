//! Arbitrary-ratio sample rate conversion (windowed-sinc, polyphase with interpolation between
//! phases).

use super::fir::dot;
use core::f64::consts::PI;

const PHASES: usize = 128;
/// Half-width of the kernel in samples of the lower rate.
const ZEROS: f64 = 20.0;
/// Kaiser window parameter: about 70 dB of stopband.
const BETA: f64 = 6.5;

/// Zeroth-order modified Bessel function of the first kind (for the Kaiser window).
fn bessel_i0(x: f64) -> f64 {
    let mut sum = 1.0;
    let mut term = 1.0;
    let q = x * x / 4.0;
    for k in 1..40 {
        term *= q / (k * k) as f64;
        sum += term;
        if term < sum * 1e-14 {
            break;
        }
    }
    sum
}

/// Converts a stream from one sample rate to another, for any ratio.
///
/// Each output sample is a dot product of the input with a windowed-sinc kernel at the output's
/// exact position, interpolated between `PHASES` precomputed kernel phases. The cut-off is the
/// lower rate's Nyquist frequency with a Kaiser window (about 70 dB): at 8000 Hz the band is flat
/// to about 3550 Hz and what aliases lands above it, so the telephone band (to 3400 Hz) is clean.
/// The ratio can be changed while running ([`Resampler::set_ratio`]) to simulate a drifting clock.
#[derive(Debug, Clone)]
pub struct Resampler {
    step: f64,
    width: usize,
    table: Vec<f32>,
    hist: Vec<f32>,
    pos: usize,
    /// Input samples pushed so far.
    n_in: u64,
    /// Position of the next output, in input samples.
    t_next: f64,
}

impl Resampler {
    /// A converter from `in_rate` Hz to `out_rate` Hz.
    pub fn new(in_rate: f64, out_rate: f64) -> Self {
        let step = in_rate / out_rate;
        // Cut-off in cycles per input sample.
        let fc = 0.5 * (1.0f64).min(out_rate / in_rate);
        let half = (ZEROS / (2.0 * fc)).ceil() as usize;
        let width = 2 * half;
        let mut table = vec![0.0f32; (PHASES + 1) * width];
        for a in 0..=PHASES {
            let frac = a as f64 / PHASES as f64;
            for m in 0..width {
                // Output at t = n0 + frac uses inputs k = n0 - half + 1 + m, at distance tau = t - k.
                let tau = frac + half as f64 - 1.0 - m as f64;
                let x = 2.0 * fc * tau;
                let sinc = if x.abs() < 1e-12 { 1.0 } else { (PI * x).sin() / (PI * x) };
                let w = tau / half as f64; // -1..1
                let win = if w.abs() >= 1.0 { 0.0 } else { bessel_i0(BETA * (1.0 - w * w).sqrt()) / bessel_i0(BETA) };
                table[a * width + m] = (2.0 * fc * sinc * win) as f32;
            }
        }
        Resampler { step, width, table, hist: vec![0.0; 2 * width], pos: 0, n_in: 0, t_next: 0.0 }
    }

    /// Changes the ratio to `in_rate / out_rate` (the filter keeps its original cut-off).
    pub fn set_ratio(&mut self, in_rate: f64, out_rate: f64) {
        self.step = in_rate / out_rate;
    }

    /// Input samples per output sample.
    pub fn ratio(&self) -> f64 {
        self.step
    }

    /// How many input samples the converter holds back before an output can be made (its latency
    /// when streaming; [`Resampler::process_all`] removes it).
    pub fn delay(&self) -> f64 {
        (self.width / 2) as f64
    }

    /// Pushes input samples; calls `out` with each output sample that becomes available.
    pub fn process(&mut self, input: &[f32], mut out: impl FnMut(f32)) {
        let half = (self.width / 2) as u64;
        for &x in input {
            self.hist[self.pos] = x;
            self.hist[self.pos + self.width] = x;
            self.pos = (self.pos + 1) % self.width;
            self.n_in += 1;
            // The newest input has index n_in - 1; an output at t needs inputs to floor(t) + half.
            let newest = (self.n_in - 1) as f64;
            while self.t_next + half as f64 <= newest {
                out(self.output_at());
                self.t_next += self.step;
            }
        }
    }

    /// Converts a whole buffer (for files; allocates).
    pub fn process_all(&mut self, input: &[f32]) -> Vec<f32> {
        let mut v = Vec::with_capacity((input.len() as f64 / self.step) as usize + 2);
        self.process(input, |y| v.push(y));
        // Flush the converter's delay with silence.
        let tail = vec![0.0; self.width];
        let want = (input.len() as f64 / self.step).round() as usize;
        self.process(&tail, |y| v.push(y));
        v.truncate(want);
        v
    }

    fn output_at(&self) -> f32 {
        let n0 = self.t_next.floor();
        let frac = self.t_next - n0;
        let half = (self.width / 2) as i64;
        // Index in the ring of input k = n0 - half + 1.
        let first = n0 as i64 - half + 1;
        let newest = self.n_in as i64 - 1;
        // Distance back from the newest sample; pos points at the oldest slot.
        let back = newest - first; // 0..width-1
        let start = (self.pos as i64 + self.width as i64 - 1 - back).rem_euclid(self.width as i64) as usize;
        let x = &self.hist[start..start + self.width];
        let p = frac * PHASES as f64;
        let a = (p.floor() as usize).min(PHASES - 1);
        let w = (p - a as f64) as f32;
        let h0 = &self.table[a * self.width..(a + 1) * self.width];
        let h1 = &self.table[(a + 1) * self.width..(a + 2) * self.width];
        let y0 = dot(x, h0);
        let y1 = dot(x, h1);
        y0 + (y1 - y0) * w
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dsp::Nco;

    fn tone(freq: f32, rate: f32, n: usize) -> Vec<f32> {
        let mut nco = Nco::new(freq, rate);
        (0..n).map(|_| 0.5 * nco.next_sin()).collect()
    }

    fn check(in_rate: f64, out_rate: f64, freq: f32) {
        let x = tone(freq, in_rate as f32, (in_rate * 0.5) as usize);
        let mut r = Resampler::new(in_rate, out_rate);
        let y = r.process_all(&x);
        let want = (x.len() as f64 * out_rate / in_rate).round() as usize;
        assert_eq!(y.len(), want);
        // Output i stands for input time i * step: no delay to undo.
        let delay = 0.0;
        let mut err = 0.0f32;
        let mut n = 0;
        for (i, v) in y.iter().enumerate().skip(want / 4).take(want / 2) {
            let t = i as f64 / out_rate - delay;
            let ideal = 0.5 * (2.0 * std::f64::consts::PI * freq as f64 * t).sin() as f32;
            err += (v - ideal) * (v - ideal);
            n += 1;
        }
        let rms = (err / n as f32).sqrt();
        assert!(rms < 1e-3, "{in_rate}->{out_rate} at {freq}: rms error {rms}");
    }

    #[test]
    fn converts_common_rates_cleanly() {
        check(48000.0, 8000.0, 1000.0);
        check(44100.0, 8000.0, 2225.0);
        check(8000.0, 48000.0, 3300.0);
        check(8000.0, 44100.0, 1270.0);
        check(8000.0, 8000.0 * 1.0003, 1800.0);
    }

    #[test]
    fn rejects_what_the_lower_rate_cannot_hold() {
        // 6 kHz at 48 kHz would alias to 2 kHz at 8 kHz.
        let x = tone(6000.0, 48000.0, 24000);
        let mut r = Resampler::new(48000.0, 8000.0);
        let y = r.process_all(&x);
        let peak = y[1000..3000].iter().fold(0.0f32, |m, v| m.max(v.abs()));
        assert!(peak < 0.002, "alias {peak}");
    }

    #[test]
    fn streaming_matches_whole_buffer() {
        let x = tone(1000.0, 44100.0, 10000);
        let whole = Resampler::new(44100.0, 8000.0).process_all(&x);
        let mut r = Resampler::new(44100.0, 8000.0);
        let mut parts = vec![];
        for c in x.chunks(128) {
            r.process(c, |v| parts.push(v));
        }
        assert!(parts.len() <= whole.len());
        for (a, b) in parts.iter().zip(&whole) {
            assert!((a - b).abs() < 1e-6);
        }
    }
}
