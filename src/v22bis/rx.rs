//! V.22/V.22bis receiver: matched filter, symbol timing, adaptive equaliser, carrier recovery.

use super::{quality, Constellation, Rate, BAUD, ROLL_OFF};
use crate::dsp::fir::{dot, root_raised_cosine};
use crate::dsp::{power_to_dbm0, Complex, SAMPLE_RATE};

/// Half-length of the matched filter in symbols.
const SPAN: f32 = 7.0;
/// Matched-filter phases per input sample (the nearest is used: a timing error under 1/256
/// sample).
const PHASES: usize = 128;
/// Length of the baseband history, in matched-filter lengths.
const HISTORY: usize = 4;
/// Equaliser taps, spaced half a symbol apart.
const EQ_TAPS: usize = 16;
/// Recent equalised symbols kept for display.
const CONSTELLATION: usize = 64;

/// One received symbol, as the receiver decided it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Symbol {
    /// The equalised, de-rotated point.
    pub point: Complex,
    /// The matched filter's output at the symbol centre, scaled by the gain, before the
    /// equaliser and the carrier loop: free of their transients (an equaliser trained on a
    /// periodic signal such as S1 is wrong for data at first), for judging the line.
    pub raw: Complex,
    /// Quadrant change since the previous symbol (0..4, quarter turns counter-clockwise), from
    /// the decisions.
    pub change: u8,
    /// The turn from the previous point to this one, to the nearest quarter (0..4): the same as
    /// `change` for a locked receiver, but measured directly, so it holds even before the carrier
    /// loop has locked (the start-up's signals are recognised by it).
    pub turn: u8,
    /// The first two bits of the quadbit (or the dibit), from the quadrant change.
    pub b12: (u8, u8),
    /// The last two bits of the quadbit, from the point within the quadrant (16-point decision).
    pub b34: (u8, u8),
    /// Squared distance from the decided point (the slicer error), in constellation units.
    pub error: f32,
    /// The rate this symbol was decided at (how many of its bits are data).
    pub rate: Rate,
    /// The signal at this symbol was 15 dB or more below its running level: the far end has
    /// stopped or the line dropped out, so the decision is noise.
    pub weak: bool,
}

/// What the receiver is tuned for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    /// Acquiring: fast loops, 4-point decisions.
    Acquire,
    /// Tracking at the given rate.
    Track(Rate),
}

/// A V.22/V.22bis demodulator for one channel.
///
/// The line signal is moved to complex baseband by the carrier, then a root-raised-cosine matched
/// filter (75 % roll-off, the receiving half of the spectrum split) is evaluated at exactly the
/// instants the timing loop asks for: two per symbol, so the equaliser is fractionally spaced.
/// - Symbol timing: a Gardner detector on the half-symbol samples, with a second-order loop that
///   follows a sample clock offset of several hundred ppm for the whole call.
/// - Gain: an AGC brings the signal to the constellation's scale before the equaliser.
/// - Equaliser: 16 complex taps at T/2, adapted by normalised LMS on decisions (4-point while
///   training at 1200 bit/s, 16-point at 2400).
/// - Carrier: a decision-directed second-order phase-locked loop after the equaliser follows
///   frequency offsets and phase jitter.
/// - Quality: the mean squared decision error gives an SNR estimate; recent points are kept for
///   a constellation display.
#[derive(Debug, Clone)]
pub struct Receiver {
    carrier_hz: f32,
    /// The carrier, cos and sin, over one period of whole samples (20 samples hold exactly 3
    /// cycles of 1200 Hz, 10 samples 3 cycles of 2400 Hz).
    mixer: Vec<(f32, f32)>,
    mixer_pos: usize,
    /// Matched filter, `PHASES + 1` rows of `width` taps, for both parts of the signal.
    mf: Vec<f32>,
    width: usize,
    /// Baseband history, twice over: real and imaginary parts.
    hist_re: Vec<f32>,
    hist_im: Vec<f32>,
    pos: usize,
    n_in: u64,
    /// Time of the next half-symbol sample, in input samples.
    t_next: f64,
    /// Half a symbol period in input samples, as the timing loop has it.
    half_period: f64,
    timing_freq: f64,
    /// True when the next half-symbol sample is a symbol centre.
    centre_next: bool,
    prev_centre: Complex,
    mid: Complex,
    // Gain.
    gain: f32,
    power: f32,
    raw_power: f32,
    // Equaliser.
    taps: [Complex; EQ_TAPS],
    line: [Complex; 2 * EQ_TAPS],
    line_pos: usize,
    // Carrier loop.
    phase: f32,
    freq: f32,
    stage: Stage,
    prev_quadrant: u8,
    // Quality.
    mse: f32,
    /// The current quality frame: its squared decision errors summed, its symbols, the mean
    /// squared error when it began, and whether it or the one before held a weak symbol.
    frame_error: f32,
    frame_symbols: u32,
    frame_centre: f32,
    frame_hit: u8,
    /// Running mean of the square of each frame's mean error less the mean squared error then.
    frame_spread: f32,
    /// Running mean of the frames' bit error rates ([`Receiver::effective_snr_db`]), and the SNR
    /// that stands for it.
    error_rate: f64,
    effective_snr: f32,
    symbols: u64,
    recent: [Complex; CONSTELLATION],
    recent_pos: usize,
    /// Watching for the far end's change from 1200 to 2400 bit/s: recent symbols that were
    /// clearly 16-point (one bit each), or `None` when not watching.
    upshift: Option<u8>,
    /// Symbols still to decide with the acquisition gains after a restart, whatever rate is set.
    acquire_left: u32,
    /// While acquiring: the lowest level seen since, to notice a signal starting out of noise
    /// (which can be loud enough to hold the carrier detector on).
    floor: f32,
    /// The previous equalised point.
    prev_point: Complex,
    /// Running level of the symbol-centre samples (before the AGC), to spot a sudden loss.
    centre_power: f32,
    // Carrier detect.
    carrier: bool,
    cd_count: u32,
    /// Symbols to wait after the carrier appears before the loops adapt (the AGC settles first).
    settle: u32,
    /// While settling: the power of the samples taken as symbol centres, and of those between.
    settle_centre: f32,
    settle_mid: f32,
}

/// Level at or above which the carrier is found, and below which it is lost, in dBm0 (V.22).
const CARRIER_ON_DBM0: f32 = -43.0;
const CARRIER_OFF_DBM0: f32 = -48.0;
/// Half-symbols the level must stay over (under) the threshold to find (lose) the carrier.
const CARRIER_DELAY: u32 = 12;
/// Symbols of settling after the carrier is found.
const SETTLE: u32 = 8;
/// Symbols decided with the fast acquisition gains after every restart.
const ACQUIRE: u32 = 100;
/// Passband power (full scale 1.0) per unit of mean |y|^2 at the matched filter's output.
const LEVEL_SCALE: f32 = 0.63;
/// Symbols per quality frame: 20 ms, a speech codec's frame.
const QUALITY_FRAME: u32 = 12;
/// Weight of each frame's bit error rate in the running mean (about 20 frames, 400 ms).
const FRAME_WEIGHT: f64 = 0.05;
/// Weight of each frame in the running spread of the frames' mean errors (about 50 frames, 1 s).
const SPREAD_WEIGHT: f32 = 0.02;

impl Receiver {
    /// A receiver for the channel on `carrier_hz` (1200 from a calling modem, 2400 from an
    /// answering one).
    pub fn new(carrier_hz: f32) -> Self {
        let fs = SAMPLE_RATE as f32;
        let sps = fs / BAUD;
        let half = (SPAN * sps).ceil() as usize;
        let width = 2 * half;
        let mut mf = vec![0.0f32; (PHASES + 1) * width];
        for a in 0..=PHASES {
            let frac = a as f32 / PHASES as f32;
            for m in 0..width {
                // Output at t = n0 + frac uses inputs n0 - half + 1 + m, at distance tau = t - k.
                let tau = frac + half as f32 - 1.0 - m as f32;
                let x = core::f32::consts::PI * tau / (half as f32 + 1.0);
                let w =
                    if x.abs() >= core::f32::consts::PI { 0.0 } else { 0.42 + 0.5 * x.cos() + 0.08 * (2.0 * x).cos() };
                mf[a * width + m] = root_raised_cosine(tau / sps, ROLL_OFF) * w;
            }
        }
        // Normalise: a transmitted pulse through this filter peaks at 1 (the raised cosine).
        let peak: f32 = (0..width).map(|m| mf[m] * mf[m]).sum();
        mf.iter_mut().for_each(|v| *v /= peak);
        let mut r = Receiver {
            carrier_hz,
            mixer: {
                // The shortest run of samples holding a whole number of cycles.
                let f = carrier_hz.round().max(1.0) as u32;
                let gcd = |mut a: u32, mut b: u32| {
                    while b != 0 {
                        (a, b) = (b, a % b);
                    }
                    a
                };
                let period = (SAMPLE_RATE / gcd(SAMPLE_RATE, f)) as usize;
                (0..period)
                    .map(|n| {
                        let a = core::f64::consts::TAU * f as f64 * n as f64 / SAMPLE_RATE as f64;
                        (a.cos() as f32, a.sin() as f32)
                    })
                    .collect()
            },
            mixer_pos: 0,
            mf,
            width,
            hist_re: vec![0.0; HISTORY * width],
            hist_im: vec![0.0; HISTORY * width],
            pos: width,
            n_in: 0,
            t_next: 0.0,
            half_period: sps as f64 / 2.0,
            timing_freq: 0.0,
            centre_next: true,
            prev_centre: Complex::ZERO,
            mid: Complex::ZERO,
            gain: 1.0,
            power: 0.0,
            raw_power: 0.0,
            taps: [Complex::ZERO; EQ_TAPS],
            line: [Complex::ZERO; 2 * EQ_TAPS],
            line_pos: 0,
            phase: 0.0,
            freq: 0.0,
            stage: Stage::Acquire,
            prev_quadrant: 0,
            mse: 1.0,
            frame_error: 0.0,
            frame_symbols: 0,
            frame_centre: 1.0,
            frame_spread: 0.0,
            frame_hit: 0,
            error_rate: 0.5,
            effective_snr: 10.0,
            symbols: 0,
            recent: [Complex::ZERO; CONSTELLATION],
            recent_pos: 0,
            upshift: None,
            acquire_left: ACQUIRE,
            floor: f32::MAX,
            centre_power: 0.0,
            prev_point: Complex::ZERO,
            carrier: false,
            cd_count: 0,
            settle: SETTLE,
            settle_centre: 0.0,
            settle_mid: 0.0,
        };
        r.restart();
        r
    }

    /// The carrier this receiver listens to.
    pub fn carrier_hz(&self) -> f32 {
        self.carrier_hz
    }

    /// Starts acquiring afresh: equaliser reset to a single centre tap, loops to fast gains, the
    /// 4-point (1200 bit/s) decisions. Timing and frequency estimates are kept.
    pub fn restart(&mut self) {
        self.taps = [Complex::ZERO; EQ_TAPS];
        self.taps[EQ_TAPS / 2] = Complex::new(1.0, 0.0);
        self.stage = Stage::Acquire;
        self.mse = 1.0;
        self.restart_error_rate(Rate::R1200);
        self.upshift = None;
        self.floor = self.raw_power;
        self.acquire_left = ACQUIRE;
    }

    /// While tracking at 1200 bit/s, watch for the far modem moving to 2400 bit/s (16-point
    /// symbols) and follow it from the first symbols that show it (three of eight off the four
    /// 1200 bit/s points). Call once the 1200 bit/s training is well under way (V.22bis's scrambled
    /// ones at 1200 bit/s), not before: an untrained receiver's points stray.
    pub fn watch_for_2400(&mut self) {
        self.upshift = Some(0);
    }

    /// Decides symbols for `rate` from now on (1200: the four 01 points; 2400: all sixteen) with
    /// tracking loop gains (once the first 100 symbols after a restart, always decided with the fast
    /// acquisition gains, are over).
    pub fn set_rate(&mut self, rate: Rate) {
        if self.stage != Stage::Track(rate) {
            self.restart_error_rate(rate);
        }
        self.stage = Stage::Track(rate);
    }

    /// The rate decisions are made for, if tracking.
    pub fn rate(&self) -> Option<Rate> {
        match self.stage {
            Stage::Acquire => None,
            Stage::Track(r) => Some(r),
        }
    }

    /// Received level in the channel's band (before the AGC), in dBm0.
    pub fn level_dbm0(&self) -> f32 {
        power_to_dbm0(self.raw_power)
    }

    /// Signal-to-noise ratio estimated from the decision errors, in dB.
    pub fn snr_db(&self) -> f32 {
        10.0 * (Constellation::POWER / self.mse.max(1e-6)).log10()
    }

    /// Mean squared decision error (constellation units: the points are on +-1, +-3).
    pub fn mse(&self) -> f32 {
        self.mse
    }

    /// The SNR per symbol (dB) of a line with white noise that would make as many bit errors as
    /// this one's decisions point to: the figure for the quality policy.
    ///
    /// The mean squared decision error ([`Receiver::snr_db`]) maps to the error rate in white
    /// noise ([`quality::ber_for_snr`]). A speech codec's distortion is not white: its power
    /// changes from one 20 ms frame to the next, and the error rate, steeply convex in the noise,
    /// is set by the worst frames (measured through AMR 12.2 at 2400 bit/s, GSM-FR and AMR 7.4 at
    /// 1200: 2 to 4 times the errors the mean error stands for). So each frame of 12 symbols is
    /// mapped to an error rate on its own, and the rates are averaged (an effective SNR, as link
    /// adaptation maps varying channel states to one figure). A frame's mean error of 12 symbols
    /// varies by chance too, which alone would make white noise read worse: each frame's
    /// departure from the running mean is shrunk by how much of the frames' spread is more than
    /// chance (none in white noise, about half through a codec). Never above
    /// [`Receiver::snr_db`]. See `tests/quality.rs` for both against the counted error rate.
    pub fn effective_snr_db(&self) -> f32 {
        self.effective_snr
    }

    /// Starts the frame-by-frame error rate afresh for decisions at `rate`, from the mean error.
    fn restart_error_rate(&mut self, rate: Rate) {
        self.error_rate = quality::ber_for_snr(rate, self.snr_db() as f64);
        self.effective_snr = self.snr_db();
        self.frame_error = 0.0;
        self.frame_symbols = 0;
        self.frame_centre = self.mse;
        // As white noise would have it, until the frames say otherwise.
        self.frame_spread = self.mse * self.mse / QUALITY_FRAME as f32;
    }

    /// Carrier frequency offset the loop has found, in Hz.
    pub fn freq_offset_hz(&self) -> f32 {
        self.freq * BAUD / core::f32::consts::TAU
    }

    /// Sample clock offset the timing loop has found, in ppm (positive: the far end is fast).
    pub fn clock_ppm(&self) -> f32 {
        (-self.timing_freq * 1e6) as f32
    }

    /// The most recent equalised points, oldest first.
    pub fn constellation(&self) -> impl Iterator<Item = Complex> + '_ {
        (0..CONSTELLATION).map(move |i| self.recent[(self.recent_pos + i) % CONSTELLATION])
    }

    /// Symbols decided so far.
    pub fn symbols(&self) -> u64 {
        self.symbols
    }

    /// Demodulates `input`, calling `out` with each symbol decided.
    pub fn process(&mut self, input: &[f32], mut out: impl FnMut(&Symbol)) {
        let half = (self.width / 2) as f64;
        for &x in input {
            let x = if x.is_finite() { x.clamp(-4.0, 4.0) } else { 0.0 };
            let (c, s) = self.mixer[self.mixer_pos];
            self.mixer_pos += 1;
            if self.mixer_pos == self.mixer.len() {
                self.mixer_pos = 0;
            }
            // x e^{-j w n}, doubled so a carrier of amplitude A comes out at A. The history is a
            // line several filters long; when it is full, its last filter's worth moves to the
            // front, so every filter window is one contiguous slice.
            if self.pos == self.hist_re.len() {
                let w = self.width;
                let n = self.hist_re.len();
                self.hist_re.copy_within(n - w.., 0);
                self.hist_im.copy_within(n - w.., 0);
                self.pos = w;
            }
            self.hist_re[self.pos] = 2.0 * x * c;
            self.hist_im[self.pos] = -2.0 * x * s;
            self.pos += 1;
            self.n_in += 1;
            let newest = (self.n_in - 1) as f64;
            while self.t_next + half <= newest {
                let y = self.matched_output(self.t_next);
                self.half_symbol(y, &mut out);
                self.t_next += self.half_period * (1.0 + self.timing_freq);
            }
        }
    }

    fn matched_output(&self, t: f64) -> Complex {
        let n0 = t.floor();
        let frac = t - n0;
        let half = (self.width / 2) as i64;
        let first = n0 as i64 - half + 1;
        let newest = self.n_in as i64 - 1;
        let back = newest - first;
        // The newest sample is at pos - 1; the window starts `back` before it.
        let start = (self.pos as i64 - 1 - back).max(0) as usize;
        let p = frac as f32 * PHASES as f32;
        let a = (p as usize).min(PHASES - 1);
        let k = p - a as f32;
        let h0 = &self.mf[a * self.width..(a + 1) * self.width];
        let h1 = &self.mf[(a + 1) * self.width..(a + 2) * self.width];
        let re = &self.hist_re[start..start + self.width];
        let im = &self.hist_im[start..start + self.width];
        let h = if k < 0.5 { h0 } else { h1 };
        Complex::new(dot(re, h), dot(im, h))
    }

    fn half_symbol(&mut self, y: Complex, out: &mut impl FnMut(&Symbol)) {
        // Level and carrier, before the AGC.
        let p = y.norm_sqr();
        let kl = if p > 4.0 * self.raw_power { 0.3 } else { 0.02 };
        self.raw_power += kl * (p * LEVEL_SCALE - self.raw_power);
        self.detect_carrier();
        if self.carrier && self.acquiring() {
            // A rise of 6 dB over the floor while acquiring is a new signal (out of noise): start
            // acquiring it afresh.
            self.floor = self.floor.min(self.raw_power);
            if self.raw_power > 4.0 * self.floor {
                self.new_signal();
            }
        }
        let acquiring = self.acquiring();
        // Gain: fast to follow a rise while acquiring (a signal starting out of silence), slow once
        // tracking (a speech codec's peaks would otherwise knock the gain about).
        // While tracking, a half-symbol far weaker than the signal (a dropout, or the far modem
        // gone) leaves the gain where it was, so data that comes back after a short hit is at the
        // right scale at once.
        let k = if (p > 4.0 * self.power && acquiring) || self.settle > 0 {
            0.3
        } else if acquiring {
            0.02
        } else if p < 0.03 * self.centre_power {
            0.0
        } else {
            0.002
        };
        self.power += k * (p - self.power);
        self.gain = (Constellation::POWER / self.power.max(1e-12)).sqrt().min(1e5);
        let y = y * self.gain;

        // Equaliser delay line (T/2 spaced).
        self.line_pos = (self.line_pos + EQ_TAPS - 1) % EQ_TAPS;
        self.line[self.line_pos] = y;
        self.line[self.line_pos + EQ_TAPS] = y;

        if !self.centre_next {
            self.mid = y;
            self.centre_next = true;
            if self.carrier && self.settle > 0 {
                self.settle_mid += p;
            }
            return;
        }
        self.centre_next = false;
        if !self.carrier {
            self.prev_centre = y;
            return;
        }
        if self.settle > 0 {
            self.settle -= 1;
            self.prev_centre = y;
            self.centre_power = p;
            self.settle_centre += p;
            if self.settle == 0 && self.settle_mid > self.settle_centre {
                // The samples between symbols carried more power than those taken as centres:
                // the timing is half a symbol out. Gardner's detector is at rest there too (an
                // unstable rest, but on a clean periodic signal such as S1 it can stay for dozens
                // of symbols, long enough to miss the signal): take the next sample as a centre.
                self.mid = y;
                self.centre_next = true;
            }
            return;
        }
        // A symbol far weaker than the signal has been is not worth deciding on, or adapting to.
        let weak = p < 0.03 * self.centre_power;
        if !weak {
            self.centre_power += 0.02 * (p - self.centre_power);
        }
        // Gardner: the midpoint between two symbols should be where the signal crosses between them.
        let e = ((self.prev_centre - y).conj() * self.mid).re / Constellation::POWER;
        self.prev_centre = y;
        let (kp, ki) = if acquiring { (0.6, 2e-4) } else { (0.2, 2e-5) };
        // Sampling late gives e < 0 (on a rising transition the midpoint has already risen): move
        // the next sample earlier (kp, in samples), and let the sample rate follow persistent
        // errors (ki, a fraction of the rate): a second-order loop, so a clock offset leaves no
        // standing timing error.
        // Over a dropout the timing holds: noise would only push it about.
        let e = if weak { 0.0 } else { e.clamp(-1.0, 1.0) as f64 };
        self.timing_freq = (self.timing_freq + ki * e).clamp(-2e-3, 2e-3);
        self.t_next += kp * e;

        // Equalise, de-rotate, decide.
        let x = &self.line[self.line_pos..self.line_pos + EQ_TAPS];
        let mut eq = Complex::ZERO;
        for (c, v) in self.taps.iter().zip(x) {
            eq += *c * *v;
        }
        let rot = Complex::expj(-self.phase);
        let z = eq * rot;
        let (q16, b3, b4) = Constellation::slice16(z);
        let watching = self.upshift.is_some() && self.stage == Stage::Track(Rate::R1200);
        let mut upshifted = false;
        if let (true, Some(hist)) = (watching, self.upshift) {
            // The 1200 bit/s points are four of the sixteen: deciding among all sixteen keeps the
            // decisions (and so the loops) right whichever the far end sends. Points off the
            // four show it has moved to 2400 bit/s.
            let hist = (hist << 1) | ((b3, b4) != (0, 1)) as u8;
            self.upshift = Some(hist);
            if hist.count_ones() >= 3 {
                self.stage = Stage::Track(Rate::R2400);
                upshifted = true;
                self.upshift = None;
            }
        }
        let rate = match self.stage {
            Stage::Acquire | Stage::Track(Rate::R1200) => Rate::R1200,
            Stage::Track(Rate::R2400) => Rate::R2400,
        };
        let (quadrant, decided) = match (rate, watching) {
            (Rate::R1200, false) => {
                let q = Constellation::slice4(z);
                (q, Constellation::point(q, 0, 1))
            }
            _ => (q16, Constellation::point(q16, b3, b4)),
        };
        let err = decided - z;
        let err_sq = err.norm_sqr();
        // Adapt only on symbols that carry signal (the carrier phase still turns at the frequency
        // found, so it is right when the signal comes back).
        if weak {
            self.frame_hit |= 1;
            self.phase += self.freq;
            self.phase = crate::dsp::wrap_half(self.phase / core::f32::consts::TAU) * core::f32::consts::TAU;
        } else {
            if err_sq.is_finite() {
                let e = err_sq.min(4.0 * Constellation::POWER);
                self.mse += 0.02 * (e - self.mse);
                self.frame_error += e;
                self.frame_symbols += 1;
            }

            // Carrier loop on the decision's phase error.
            let pe = (z * decided.conj()).im / decided.norm_sqr();
            let (cp, cf) = if acquiring { (0.15, 0.01) } else { (0.05, 0.001) };
            self.freq = (self.freq + cf * pe).clamp(-0.2, 0.2);
            self.phase += self.freq + cp * pe;
            self.phase = crate::dsp::wrap_half(self.phase / core::f32::consts::TAU) * core::f32::consts::TAU;

            // Normalised LMS on the un-rotated error.
            let energy: f32 = x.iter().map(|v| v.norm_sqr()).sum::<f32>() + 1e-6;
            let mu = if acquiring { 0.05 } else { 0.01 } / energy;
            let e_unrot = err * rot.conj() * mu;
            for (c, v) in self.taps.iter_mut().zip(x) {
                *c += e_unrot * v.conj();
            }
        }
        if !self.taps.iter().all(|c| c.is_finite()) {
            self.restart();
        }
        if upshifted {
            self.restart_error_rate(Rate::R2400);
        } else if self.frame_symbols >= QUALITY_FRAME {
            self.end_quality_frame(rate);
        }

        self.acquire_left = self.acquire_left.saturating_sub(1);
        let change = (quadrant + 4 - self.prev_quadrant) & 3;
        self.prev_quadrant = quadrant;
        let b12 = Constellation::dibit_for_change(change);
        // (z e^{j pi/4}) conj(prev): the turn plus 45 degrees, so its quadrant is the turn rounded.
        let turn = super::quadrant_of(z * self.prev_point.conj() * Complex::new(1.0, 1.0));
        self.prev_point = z;
        self.symbols += 1;
        self.recent[self.recent_pos] = z;
        self.recent_pos = (self.recent_pos + 1) % CONSTELLATION;
        out(&Symbol { point: z, raw: y, change, turn, b12, b34: (b3, b4), error: err_sq, rate, weak });
    }

    /// A quality frame is complete: its error rate goes into the running mean (unless a dropout
    /// hit it or the frame before: the symbols on its edges, neither lost nor whole, say nothing
    /// about the line's noise).
    fn end_quality_frame(&mut self, rate: Rate) {
        let hit = self.frame_hit != 0;
        self.frame_hit = (self.frame_hit << 1) & 3;
        if hit {
            self.frame_error = 0.0;
            self.frame_symbols = 0;
            self.frame_centre = self.mse;
            return;
        }
        let w = QUALITY_FRAME as f32;
        let centre = self.frame_centre;
        let departure = self.frame_error / w - centre;
        self.frame_spread += SPREAD_WEIGHT * (departure * departure - self.frame_spread);
        // The mean of 12 squared errors of white noise spreads by its mean over sqrt(12) (they
        // are exponential); what the frames spread by beyond that is the line's doing.
        let chance = centre * centre / w;
        let k = (1.0 - chance / self.frame_spread.max(1e-12)).max(0.0).sqrt();
        let frame_mse = (centre + k * departure).max(1e-6);
        let snr = |mse: f32| 10.0 * (Constellation::POWER as f64 / mse.max(1e-6) as f64).log10();
        self.error_rate += FRAME_WEIGHT * (quality::ber_for_snr(rate, snr(frame_mse)) - self.error_rate);
        let now = quality::ber_for_snr(rate, snr(self.mse));
        self.effective_snr = quality::snr_for_ber(rate, self.error_rate.max(now)) as f32;
        self.frame_error = 0.0;
        self.frame_symbols = 0;
        self.frame_centre = self.mse;
    }

    /// A new signal (carrier found, or a rise out of noise): forget the loops' frequency
    /// estimates too, which wander while there is only noise, and let the AGC settle.
    fn new_signal(&mut self) {
        self.restart();
        self.freq = 0.0;
        self.timing_freq = 0.0;
        self.settle = SETTLE;
        self.settle_centre = 0.0;
        self.settle_mid = 0.0;
    }

    fn acquiring(&self) -> bool {
        self.stage == Stage::Acquire || self.acquire_left > 0
    }

    /// True while the far carrier is present (by level, with hysteresis).
    pub fn carrier(&self) -> bool {
        self.carrier
    }

    fn detect_carrier(&mut self) {
        // Compare powers, not dBm0: no logarithm per half-symbol.
        let (on, off) = (crate::dsp::dbm0_to_power(CARRIER_ON_DBM0), crate::dsp::dbm0_to_power(CARRIER_OFF_DBM0));
        let over = if self.carrier { self.raw_power < off } else { self.raw_power >= on };
        self.cd_count = if over { self.cd_count + 1 } else { 0 };
        if self.cd_count >= CARRIER_DELAY {
            self.cd_count = 0;
            self.carrier = !self.carrier;
            // Either way, start afresh: a new signal needs new training.
            self.new_signal();
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::super::tx::{Signal, Transmitter};
    use super::super::GuardTone;
    use super::*;
    use crate::sim::bert::BerCounter;
    use crate::sim::line::Impairments;

    pub(crate) fn link(
        carrier: f32,
        rate: Rate,
        imp: Impairments,
        symbols: usize,
        seed: u64,
    ) -> (BerCounter, Receiver) {
        let mut rx = Receiver::new(carrier);
        let ber = crate::sim::bert::v22bis_one_way(&mut rx, carrier, rate, imp, symbols, seed);
        (ber, rx)
    }

    #[test]
    fn no_errors_through_the_tolerated_impairments() {
        // 20 dB SNR with +-7 Hz and +-300 ppm, each on its own and together, both channels.
        let cases = [
            ("+7 Hz", Impairments { freq_offset_hz: 7.0, ..Default::default() }),
            ("-300 ppm", Impairments { clock_ppm: -300.0, ..Default::default() }),
            (
                "20 dB, +7 Hz, -300 ppm",
                Impairments { freq_offset_hz: 7.0, clock_ppm: -300.0, ..Default::default() }.with_snr(20.0, -13.0),
            ),
            (
                "20 dB, -7 Hz, +300 ppm, telephone band",
                Impairments {
                    freq_offset_hz: -7.0,
                    clock_ppm: 300.0,
                    band: crate::sim::line::Band::Telephone,
                    ..Default::default()
                }
                .with_snr(20.0, -13.0),
            ),
        ];
        for (name, imp) in cases {
            for carrier in [1200.0, 2400.0] {
                let (ber, rx) = link(carrier, Rate::R2400, imp.clone(), 2500, 5);
                assert!(ber.bits > 9000, "{name} {carrier}: only {} bits compared", ber.bits);
                assert_eq!(ber.errors, 0, "{name} {carrier}: {} errors", ber.errors);
                // A sample clock offset moves the carrier too (2400 Hz at -300 ppm reads 0.72 Hz low).
                let want_hz = imp.freq_offset_hz + carrier * imp.clock_ppm * 1e-6;
                assert!(
                    (rx.freq_offset_hz() - want_hz).abs() < 0.3,
                    "{name}: {} Hz, want {want_hz}",
                    rx.freq_offset_hz()
                );
                if imp.clock_ppm != 0.0 {
                    assert!((rx.clock_ppm() - imp.clock_ppm).abs() < 50.0, "{name}: {} ppm", rx.clock_ppm());
                }
            }
        }
    }

    #[test]
    fn level_and_carrier_detect() {
        for level in [-13.0f32, -30.0, -40.0] {
            let mut tx = Transmitter::new(1200.0, level, GuardTone::None);
            tx.set_signal(Signal::ScrambledOnes(Rate::R1200));
            let mut x = vec![0.0; 8000];
            tx.process(&mut x, &mut || 1);
            let mut rx = Receiver::new(1200.0);
            rx.process(&x, |_| {});
            assert!(rx.carrier(), "{level}");
            assert!((rx.level_dbm0() - level).abs() < 1.0, "{level}: {}", rx.level_dbm0());
        }
        // Below -48 dBm0 there is no carrier, and no symbols come out.
        let mut tx = Transmitter::new(1200.0, -50.0, GuardTone::None);
        tx.set_signal(Signal::ScrambledOnes(Rate::R1200));
        let mut x = vec![0.0; 8000];
        tx.process(&mut x, &mut || 1);
        let mut rx = Receiver::new(1200.0);
        let mut n = 0;
        rx.process(&x, |_| n += 1);
        assert!(!rx.carrier());
        assert_eq!(n, 0);
    }

    #[test]
    fn garbage_is_harmless() {
        let mut rx = Receiver::new(2400.0);
        let junk = [f32::NAN, 1e30, -1e30, f32::INFINITY, 0.3, -0.3];
        for _ in 0..2000 {
            rx.process(&junk, |s| assert!(s.point.is_finite()));
        }
        assert!(rx.mse().is_finite());
    }

    #[test]
    fn clean_line_has_no_errors() {
        for (carrier, rate) in
            [(1200.0, Rate::R1200), (2400.0, Rate::R1200), (1200.0, Rate::R2400), (2400.0, Rate::R2400)]
        {
            let (ber, rx) = link(carrier, rate, Impairments::default(), 3000, 1);
            assert!(ber.bits > 3000 * rate.bits_per_symbol() as u64 * 9 / 10, "{carrier} {rate:?}: {} bits", ber.bits);
            assert_eq!(ber.errors, 0, "{carrier} {rate:?}: {} errors in {}", ber.errors, ber.bits);
            assert!(rx.snr_db() > 30.0, "{carrier} {rate:?}: SNR {}", rx.snr_db());
        }
    }
}
