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
///
/// [`Resampler::exact`] makes one whose ratio is a fraction kept in integers: after any number of
/// outputs the input it has consumed is exactly what the ratio says, which a simulated clock
/// offset that must hold for hours needs. Input can be pushed ([`Resampler::process`]) or, for a
/// fixed number of outputs, pulled ([`Resampler::pull`], with [`Resampler::input_needed`] saying
/// beforehand how many input samples that takes).
#[derive(Debug, Clone)]
pub struct Resampler {
    step: f64,
    width: usize,
    table: Vec<f32>,
    hist: Vec<f32>,
    pos: usize,
    /// Input samples pushed so far.
    n_in: u64,
    /// Position of the next output, in input samples (when the ratio is not exact).
    t_next: f64,
    /// The exact ratio and position, for [`Resampler::exact`].
    exact: Option<Exact>,
}

/// A position and step in input samples, each `int + num / den`, in integers.
#[derive(Debug, Clone, Copy)]
struct Exact {
    den: u64,
    step_int: u64,
    step_num: u64,
    t_int: u64,
    t_num: u64,
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
        Resampler { step, width, table, hist: vec![0.0; 2 * width], pos: 0, n_in: 0, t_next: 0.0, exact: None }
    }

    /// A converter that takes exactly `num / den` input samples per output sample, for ever: its
    /// position is kept as a fraction in integers, so it never drifts from the ratio (a sample
    /// clock offset of +1000 ppm is `exact(1_001_000, 1_000_000)`). Both must be positive.
    pub fn exact(num: u64, den: u64) -> Self {
        assert!(num > 0 && den > 0, "Resampler::exact: a ratio of {num}/{den}");
        let mut r = Resampler::new(num as f64, den as f64);
        r.exact = Some(Exact { den, step_int: num / den, step_num: num % den, t_int: 0, t_num: 0 });
        r
    }

    /// Changes the ratio to `in_rate / out_rate` (the filter keeps its original cut-off). An
    /// exact converter becomes an ordinary one, continuing from where it is.
    pub fn set_ratio(&mut self, in_rate: f64, out_rate: f64) {
        if let Some(e) = self.exact.take() {
            self.t_next = e.t_int as f64 + e.t_num as f64 / e.den as f64;
        }
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
        for &x in input {
            self.push(x);
            while self.ready() {
                out(self.output_at());
                self.advance();
            }
        }
    }

    /// Makes exactly `out.len()` output samples, calling `input` for each input sample they need
    /// (as many as [`Resampler::input_needed`] said).
    pub fn pull(&mut self, out: &mut [f32], mut input: impl FnMut() -> f32) {
        for o in out {
            while !self.ready() {
                self.push(input());
            }
            *o = self.output_at();
            self.advance();
        }
    }

    /// How many more input samples the next `n` output samples take (with [`Resampler::pull`];
    /// pushing them gives those outputs, and perhaps more).
    pub fn input_needed(&self, n: usize) -> usize {
        if n == 0 {
            return 0;
        }
        let half = (self.width / 2) as u128;
        // The newest input the last of the n outputs needs: ceil(t) + half, t its position.
        let newest = match self.exact {
            Some(e) => {
                let den = e.den as u128;
                let step = e.step_int as u128 * den + e.step_num as u128;
                let t = e.t_int as u128 * den + e.t_num as u128 + (n as u128 - 1) * step;
                t.div_ceil(den) + half
            }
            None => {
                // As `advance` steps, so that the count is exactly what `pull` takes.
                let mut t = self.t_next;
                for _ in 1..n {
                    t += self.step;
                }
                (t + half as f64).max(0.0).ceil() as u128
            }
        };
        (newest + 1).saturating_sub(self.n_in as u128).min(usize::MAX as u128) as usize
    }

    /// Input samples taken so far.
    pub fn input_taken(&self) -> u64 {
        self.n_in
    }

    fn push(&mut self, x: f32) {
        self.hist[self.pos] = x;
        self.hist[self.pos + self.width] = x;
        self.pos = (self.pos + 1) % self.width;
        self.n_in += 1;
    }

    /// True when the newest input (index n_in - 1) is far enough ahead of the next output's
    /// position t for its kernel: ceil(t) + half <= newest.
    fn ready(&self) -> bool {
        if self.n_in == 0 {
            return false;
        }
        let half = (self.width / 2) as u64;
        let newest = self.n_in - 1;
        match self.exact {
            Some(e) => e.t_int + half + (e.t_num > 0) as u64 <= newest,
            None => self.t_next + half as f64 <= newest as f64,
        }
    }

    fn advance(&mut self) {
        match &mut self.exact {
            Some(e) => {
                e.t_int += e.step_int;
                e.t_num += e.step_num;
                if e.t_num >= e.den {
                    e.t_num -= e.den;
                    e.t_int += 1;
                }
            }
            None => self.t_next += self.step,
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
        let (n0, frac) = match self.exact {
            Some(e) => (e.t_int as f64, e.t_num as f64 / e.den as f64),
            None => {
                let n0 = self.t_next.floor();
                (n0, self.t_next - n0)
            }
        };
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

    #[test]
    fn exact_ratio_never_drifts_and_pull_takes_what_it_said() {
        // +-1000 ppm and an awkward ratio, pulled in blocks of 160: the input taken after n outputs
        // is exactly ceil((n - 1) * num / den) + half + 1, however long it runs.
        for (num, den) in [(1_001_000u64, 1_000_000u64), (999_000, 1_000_000), (441, 80)] {
            let mut r = Resampler::exact(num, den);
            let half = (r.width / 2) as u64;
            let mut fed = 0u64;
            let mut out = [0.0f32; 160];
            for block in 1..=20_000u64 {
                let want = r.input_needed(out.len());
                let before = fed;
                r.pull(&mut out, || {
                    fed += 1;
                    0.0
                });
                assert_eq!((fed - before) as usize, want, "{num}/{den}: block {block}");
                let n = block * 160;
                assert_eq!(r.input_taken(), ((n - 1) * num).div_ceil(den) + half + 1, "{num}/{den}: {n} outputs");
            }
        }
        // The ordinary converter's count agrees with its pull, too.
        let mut r = Resampler::new(8000.0 * 1.0003, 8000.0);
        let mut out = [0.0f32; 97];
        for _ in 0..500 {
            let want = r.input_needed(out.len());
            let mut got = 0;
            r.pull(&mut out, || {
                got += 1;
                0.0
            });
            assert_eq!(got, want);
        }
    }

    #[test]
    fn exact_pull_matches_push() {
        let x = tone(1000.0, 8000.0, 8000);
        let mut pushed = vec![];
        Resampler::exact(1_000_300, 1_000_000).process(&x, |v| pushed.push(v));
        let mut r = Resampler::exact(1_000_300, 1_000_000);
        let mut pulled = vec![0.0; pushed.len()];
        let mut it = x.iter();
        r.pull(&mut pulled, || *it.next().unwrap());
        assert_eq!(pulled, pushed);
        // And it converts as cleanly as the ordinary converter.
        check(8000.0, 8000.0 * 1.0003, 1800.0);
    }
}
