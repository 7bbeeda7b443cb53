//! A simulated telephone line: seeded, per-direction impairments between two modems.
//!
//! The same idea as a fault-injecting network device: everything a real line does to a modem's
//! signal, made repeatable from a seed, so tests, the CLI, benchmarks and the page's demo share it.

use crate::dsp::fir::{design_bandpass, design_hilbert, Window};
use crate::dsp::{dbm0_to_power, Fir, Nco, Resampler, SAMPLE_RATE};
use crate::sim::rng::Rng;
use crate::types::LineEndpoint;
use std::collections::VecDeque;

/// How the line limits the band.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Band {
    /// No band limit (only the 8 kHz sampling).
    Full,
    /// The telephone band, 300-3400 Hz, flat in between, no delay distortion.
    Telephone,
    /// A subscriber loop at each end of a digital (PCM) connection: see [`NetworkModel`].
    Model(NetworkModel),
}

/// End-to-end connections built the way ITU-T V.56bis builds its network models: an analogue
/// subscriber loop, the PCM channel's band filters, and a loop at the far end.
///
/// V.56bis Annex A's tables of attenuation and envelope delay were not available to this project,
/// so the loops here are computed from the transmission-line equations of twisted-pair cable
/// (0.4 mm / 26 AWG: R = 270 ohm/km, L = 0.6 mH/km, C = 50 nF/km, between 600 ohm
/// terminations), and the channel filters are 4th-order Butterworth high-pass at 250 Hz and
/// low-pass at 3500 Hz, which put envelope-delay distortion at the band edges as real channel
/// filters do. The loss they add at 1 kHz is taken out (the line's gain sets the level).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NetworkModel {
    /// 2 km of 0.4 mm cable at each end: a typical urban connection.
    ShortLoops,
    /// 5.5 km of 0.4 mm cable at each end: the longest unloaded loops, steep loss at the top of the
    /// band.
    LongLoops,
}

impl NetworkModel {
    /// Loop length at each end, km.
    pub fn loop_km(self) -> f64 {
        match self {
            NetworkModel::ShortLoops => 2.0,
            NetworkModel::LongLoops => 5.5,
        }
    }

    /// The complex response of one loop (cable between 600 ohm source and load) at `freq` Hz,
    /// relative to no cable at all.
    pub fn loop_response(self, freq: f64) -> (f64, f64) {
        cable_response(self.loop_km(), freq)
    }
}

/// Transfer function (re, im) of `km` of 0.4 mm twisted pair between 600 ohm terminations at
/// `freq` Hz, relative to a direct connection.
fn cable_response(km: f64, freq: f64) -> (f64, f64) {
    type C = (f64, f64);
    let mul = |a: C, b: C| (a.0 * b.0 - a.1 * b.1, a.0 * b.1 + a.1 * b.0);
    let add = |a: C, b: C| (a.0 + b.0, a.1 + b.1);
    let div = |a: C, b: C| {
        let d = b.0 * b.0 + b.1 * b.1;
        ((a.0 * b.0 + a.1 * b.1) / d, (a.1 * b.0 - a.0 * b.1) / d)
    };
    let sqrt = |a: C| {
        let r = (a.0 * a.0 + a.1 * a.1).sqrt();
        let re = ((r + a.0) / 2.0).sqrt();
        let im = ((r - a.0) / 2.0).sqrt().copysign(a.1);
        (re, im)
    };
    let exp = |a: C| {
        let m = a.0.exp();
        (m * a.1.cos(), m * a.1.sin())
    };
    let w = 2.0 * std::f64::consts::PI * freq.max(1.0);
    let (r, l, c) = (270.0, 0.6e-3, 50e-9); // per km
    let z = (r, w * l);
    let y = (0.0, w * c);
    let gamma = sqrt(mul(z, y));
    let z0 = sqrt(div(z, y));
    let gd = (gamma.0 * km, gamma.1 * km);
    let (e, en) = (exp(gd), exp((-gd.0, -gd.1)));
    let cosh = ((e.0 + en.0) / 2.0, (e.1 + en.1) / 2.0);
    let sinh = ((e.0 - en.0) / 2.0, (e.1 - en.1) / 2.0);
    let (zs, zl) = ((600.0, 0.0), (600.0, 0.0));
    // V_load / V_source = ZL / (A ZL + B + Zs (C ZL + D)), with A = D = cosh, B = Z0 sinh,
    // C = sinh / Z0; with no cable it is ZL / (ZL + Zs) = 1/2.
    let a_zl = mul(cosh, zl);
    let b = mul(z0, sinh);
    let c_zl = mul(div(sinh, z0), zl);
    let den = add(add(a_zl, b), mul(zs, add(c_zl, cosh)));
    let h = div(zl, den);
    (2.0 * h.0, 2.0 * h.1)
}

/// An FIR filter with the response of `model`'s two loops (by frequency sampling; the channel
/// filters are IIR and applied separately).
fn loops_fir(model: NetworkModel) -> Vec<f32> {
    let n = 256usize;
    let fs = SAMPLE_RATE as f64;
    // Both loops, normalised to unit gain at 1 kHz.
    let h = |f: f64| {
        let (a, b) = model.loop_response(f);
        (a * a - b * b, 2.0 * a * b)
    };
    let h1k = h(1000.0);
    let g1k = (h1k.0 * h1k.0 + h1k.1 * h1k.1).sqrt();
    let spec: Vec<(f64, f64)> = (0..n)
        .map(|k| {
            let kk = if k <= n / 2 { k } else { n - k };
            let (re, im) = h(kk as f64 * fs / n as f64);
            let im = if k <= n / 2 { im } else { -im };
            (re / g1k, im / g1k)
        })
        .collect();
    // Inverse DFT, centred (a delay of n/2) and windowed.
    (0..n)
        .map(|t| {
            let tt = t as f64 - (n / 2) as f64;
            let mut acc = 0.0;
            for (k, &(re, im)) in spec.iter().enumerate() {
                let a = 2.0 * std::f64::consts::PI * k as f64 * tt / n as f64;
                acc += re * a.cos() - im * a.sin();
            }
            let win = 0.5 + 0.5 * (std::f64::consts::PI * tt / (n / 2) as f64).cos();
            (acc / n as f64 * win) as f32
        })
        .collect()
}

/// The PCM channel's band filters: 4th-order Butterworth high-pass at 250 Hz and low-pass at
/// 3500 Hz, as biquads.
fn channel_filters() -> [crate::dsp::Biquad; 4] {
    use crate::dsp::Biquad;
    let fs = SAMPLE_RATE as f32;
    // Q of the two sections of a 4th-order Butterworth filter.
    let (q1, q2) = (0.541_196_1, 1.306_563);
    [
        Biquad::highpass(250.0, q1, fs),
        Biquad::highpass(250.0, q2, fs),
        Biquad::lowpass(3500.0, q1, fs),
        Biquad::lowpass(3500.0, q2, fs),
    ]
}

/// An interruption of the signal: from `at_ms` after the start, for `ms` milliseconds, the
/// signal is gone (the line's noise stays).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Dropout {
    /// Start, in ms from the start of the call.
    pub at_ms: f32,
    /// Length in ms.
    pub ms: f32,
}

/// An echo of the listening modem's own signal: its level relative to what that modem sends,
/// and its delay.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Echo {
    /// Level of the echo relative to the transmitted signal, in dB (negative).
    pub level_db: f32,
    /// Delay in ms.
    pub delay_ms: f32,
}

/// What happens to the signal in one direction of the line, as heard by the modem at its end.
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
    /// Band limit.
    pub band: Band,
    /// G.711 coding of the signal (a digital network), if any.
    pub codec: Option<crate::g711::Law>,
    /// Interruptions of the signal.
    pub dropouts: Vec<Dropout>,
    /// Near-end echo of the listening modem's own signal (its own 2-wire hybrid).
    pub near_echo: Option<Echo>,
    /// Far-end echo of the listening modem's own signal (reflected at the far hybrid).
    pub far_echo: Option<Echo>,
    /// Phase jitter: the signal's phase wobbling sinusoidally (carrier systems with noisy
    /// oscillators).
    pub phase_jitter: Option<PhaseJitter>,
}

/// Sinusoidal phase jitter.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PhaseJitter {
    /// Peak-to-peak swing in degrees.
    pub degrees_pp: f32,
    /// Rate of the swing in Hz (telephone-network jitter lies between about 20 and 300 Hz).
    pub hz: f32,
}

impl Default for Impairments {
    /// A clean line.
    fn default() -> Self {
        Impairments {
            gain_db: 0.0,
            noise_dbm0: None,
            freq_offset_hz: 0.0,
            clock_ppm: 0.0,
            band: Band::Full,
            codec: None,
            dropouts: Vec::new(),
            near_echo: None,
            far_echo: None,
            phase_jitter: None,
        }
    }
}

impl Impairments {
    /// Noise set so that a signal sent at `signal_dbm0` arrives with the given signal-to-noise
    /// ratio (noise over the whole 4 kHz band).
    pub fn with_snr(mut self, snr_db: f32, signal_dbm0: f32) -> Self {
        self.noise_dbm0 = Some(signal_dbm0 + self.gain_db - snr_db);
        self
    }
}

/// Most samples a direction driven by [`Direction::process`] holds back to absorb a clock offset
/// (one second).
const FIFO: usize = SAMPLE_RATE as usize;
/// Samples of delay a direction driven by [`Direction::process`] starts with when it simulates a
/// clock offset.
const PREFILL: usize = 1600;
/// The clock ratio's denominator: offsets are kept to a part in 10^9.
const CLOCK_DEN: u64 = 1_000_000_000;

/// Why a set of [`Impairments`] cannot be simulated: a value that is not a number, infinite or
/// outside what a telephone line (or this simulator) can do.
#[derive(Debug, Clone, PartialEq)]
pub struct InvalidImpairment {
    /// Which impairment, in words (`"clock offset"`, `"near echo level"`).
    pub what: &'static str,
    /// The value given.
    pub value: f32,
    /// What it must be, in words (`"within +-10000 ppm"`).
    pub allowed: &'static str,
}

impl core::fmt::Display for InvalidImpairment {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{} {}: must be {}", self.what, self.value, self.allowed)
    }
}

impl std::error::Error for InvalidImpairment {}

/// `value` must be finite and within `lo..=hi`.
fn check(what: &'static str, value: f32, lo: f32, hi: f32, allowed: &'static str) -> Result<(), InvalidImpairment> {
    if value.is_finite() && (lo..=hi).contains(&value) {
        Ok(())
    } else {
        Err(InvalidImpairment { what, value, allowed })
    }
}

impl Impairments {
    /// Checks that every value is a finite number within what the simulator can do:
    ///
    /// | impairment | allowed |
    /// |---|---|
    /// | `gain_db` | -120 to +40 dB |
    /// | `noise_dbm0` | -200 to +20 dBm0 |
    /// | `freq_offset_hz` | within +-1000 Hz |
    /// | `clock_ppm` | within +-10000 ppm (1 %) |
    /// | dropouts | start 0 to 10^9 ms, length above 0 up to 10^9 ms |
    /// | echoes | level -150 to +20 dB, delay 0 to 10000 ms |
    /// | phase jitter | 0 to 360 degrees peak to peak, 0 to 4000 Hz |
    ///
    /// [`Direction::new`] refuses (panics on) what this refuses; [`Direction::try_new`] returns
    /// the error.
    pub fn validate(&self) -> Result<(), InvalidImpairment> {
        check("gain", self.gain_db, -120.0, 40.0, "a number of dB from -120 to +40")?;
        if let Some(n) = self.noise_dbm0 {
            check("noise level", n, -200.0, 20.0, "a level in dBm0 from -200 to +20")?;
        }
        check("frequency offset", self.freq_offset_hz, -1000.0, 1000.0, "a number of Hz within +-1000")?;
        check("clock offset", self.clock_ppm, -10_000.0, 10_000.0, "a number of ppm within +-10000")?;
        for d in &self.dropouts {
            check("dropout start", d.at_ms, 0.0, 1e9, "a time in ms from 0 to 10^9")?;
            check("dropout length", d.ms, f32::MIN_POSITIVE, 1e9, "a length in ms above 0, up to 10^9")?;
        }
        for (e, level, delay) in [
            (self.near_echo, "near echo level", "near echo delay"),
            (self.far_echo, "far echo level", "far echo delay"),
        ] {
            if let Some(e) = e {
                check(level, e.level_db, -150.0, 20.0, "a number of dB from -150 to +20")?;
                check(delay, e.delay_ms, 0.0, 10_000.0, "a delay in ms from 0 to 10000")?;
            }
        }
        if let Some(j) = self.phase_jitter {
            check("phase jitter", j.degrees_pp, 0.0, 360.0, "0 to 360 degrees peak to peak")?;
            check("phase jitter rate", j.hz, 0.0, 4000.0, "a rate in Hz from 0 to 4000")?;
        }
        Ok(())
    }
}

/// The ratio of a clock offset: far-end samples per near-end sample, as `num / CLOCK_DEN`.
fn clock_ratio(ppm: f32) -> (u64, u64) {
    let num = CLOCK_DEN as i64 + (ppm as f64 * 1000.0).round() as i64;
    (num as u64, CLOCK_DEN)
}

/// A simulated clock offset: the far end's samples converted to the near end's clock at an exact
/// ratio, and (when driven by [`Direction::process`]) the FIFO that stands in for the extra or
/// missing samples.
#[derive(Debug, Clone)]
struct Clock {
    r: Resampler,
    /// Far-end samples per near-end sample, as a fraction.
    ratio: (u64, u64),
    /// Converted samples waiting to be heard, when driven by [`Direction::process`].
    fifo: VecDeque<f32>,
    /// Samples made up (silence) or thrown away because the FIFO ran dry or overflowed.
    slipped: u64,
}

/// A delayed, scaled copy of a signal through the telephone band (an echo path).
#[derive(Debug, Clone)]
struct EchoPath {
    gain: f32,
    delay: Vec<f32>,
    pos: usize,
    band: Fir,
}

impl EchoPath {
    fn new(e: Echo) -> Self {
        let n = ((e.delay_ms * SAMPLE_RATE as f32 / 1000.0).round() as usize).max(1);
        EchoPath {
            gain: 10f32.powf(e.level_db / 20.0),
            delay: vec![0.0; n],
            pos: 0,
            band: Fir::new(design_bandpass(300.0, 3400.0, SAMPLE_RATE as f32, 65, Window::Hamming)),
        }
    }

    #[inline]
    fn process(&mut self, x: f32) -> f32 {
        let y = core::mem::replace(&mut self.delay[self.pos], x);
        self.pos = (self.pos + 1) % self.delay.len();
        self.gain * self.band.process(y)
    }
}

/// One direction of a simulated line.
///
/// Two ways to drive it:
/// - [`Direction::process`] / [`Direction::process_with_echo`]: as many samples out as in, the far
///   end running on the listener's clock. A clock offset then borrows from (or adds to) a FIFO
///   that starts 1600 samples deep and holds one second, so it lasts 1600 / (8000 x offset)
///   seconds when the far clock is fast (200 s at +1000 ppm) and 6400 / (8000 x offset) when slow;
///   after that samples are made up (silence) or dropped, and [`Direction::slipped`] counts them.
///   Fine for tests of a few minutes.
/// - [`Direction::input_needed`] and [`Direction::process_clocked`]: the far end supplies what its
///   clock makes in the time, so a clock offset holds exactly for a call of any length, with no
///   FIFO at all. [`crate::sim::call::BackToBack`] runs its ends this way.
#[derive(Debug, Clone)]
pub struct Direction {
    imp: Impairments,
    gain: f32,
    noise_rms: f32,
    rng: Rng,
    band: Option<Fir>,
    channel: Option<[crate::dsp::Biquad; 4]>,
    hilbert: Option<(Fir, Fir, Nco)>,
    /// Phase jitter's oscillator and peak swing in radians.
    jitter: Option<(Nco, f32)>,
    clock: Option<Clock>,
    /// The far end's samples after the frequency offset, before the clock (reused).
    shifted: Vec<f32>,
    near_echo: Option<EchoPath>,
    far_echo: Option<EchoPath>,
    /// Dropouts in samples: (start, end), sorted.
    dropouts: Vec<(u64, u64)>,
    /// Samples passed so far.
    time: u64,
}

impl Direction {
    /// A direction with the given impairments; `seed` fixes its noise.
    ///
    /// # Panics
    ///
    /// If the impairments are not valid ([`Impairments::validate`]; [`Direction::try_new`]
    /// returns the reason instead).
    pub fn new(imp: Impairments, seed: u64) -> Self {
        Self::try_new(imp, seed).unwrap_or_else(|e| panic!("invalid line impairments: {e}"))
    }

    /// A direction with the given impairments, or why they cannot be simulated.
    pub fn try_new(imp: Impairments, seed: u64) -> Result<Self, InvalidImpairment> {
        imp.validate()?;
        let ratio = clock_ratio(imp.clock_ppm);
        Ok(Self::build(imp, seed, ratio))
    }

    /// A direction whose clock ratio (far-end samples per near-end sample) is exactly
    /// `ratio.0 / ratio.1`, in place of the impairments' `clock_ppm` (which is set to match).
    fn with_ratio(mut imp: Impairments, seed: u64, ratio: (u64, u64)) -> Self {
        imp.clock_ppm = ((ratio.0 as f64 / ratio.1 as f64 - 1.0) * 1e6) as f32;
        Self::build(imp, seed, ratio)
    }

    fn build(imp: Impairments, seed: u64, ratio: (u64, u64)) -> Self {
        let fs = SAMPLE_RATE as f32;
        let (band, channel) = match imp.band {
            Band::Full => (None, None),
            Band::Telephone => (Some(Fir::new(design_bandpass(300.0, 3400.0, fs, 129, Window::Blackman))), None),
            Band::Model(m) => (Some(Fir::new(loops_fir(m))), Some(channel_filters())),
        };
        let jitter = imp.phase_jitter.map(|j| (Nco::new(j.hz, fs), (j.degrees_pp / 2.0).to_radians()));
        let hilbert = (imp.freq_offset_hz != 0.0 || jitter.is_some()).then(|| {
            let h = design_hilbert(127, Window::Blackman);
            let mut delay = vec![0.0; 127];
            delay[63] = 1.0;
            (Fir::new(h), Fir::new(delay), Nco::new(imp.freq_offset_hz, fs))
        });
        // The far end's clock is fast by ppm: more of its samples fit in our time.
        let clock = (ratio.0 != ratio.1).then(|| Clock {
            r: Resampler::exact(ratio.0, ratio.1),
            ratio,
            fifo: core::iter::repeat_n(0.0, PREFILL).collect(),
            slipped: 0,
        });
        let ms = |t: f32| (t.max(0.0) * fs / 1000.0) as u64;
        let mut dropouts: Vec<(u64, u64)> =
            imp.dropouts.iter().map(|d| (ms(d.at_ms), ms(d.at_ms).saturating_add(ms(d.ms)))).collect();
        dropouts.sort_by_key(|d| d.0);
        Direction {
            gain: 10f32.powf(imp.gain_db / 20.0),
            noise_rms: imp.noise_dbm0.map(|d| dbm0_to_power(d).sqrt()).unwrap_or(0.0),
            near_echo: imp.near_echo.map(EchoPath::new),
            far_echo: imp.far_echo.map(EchoPath::new),
            dropouts,
            imp,
            rng: Rng::new(seed),
            band,
            channel,
            hilbert,
            jitter,
            clock,
            shifted: Vec::new(),
            time: 0,
        }
    }

    /// The impairments.
    pub fn impairments(&self) -> &Impairments {
        &self.imp
    }

    /// Changes the noise (a level in dBm0, `None` for none) from the next sample on, keeping the
    /// rest as it is (filters, clock, noise generator): a line getting worse or better during a
    /// call. Refuses what [`Impairments::validate`] refuses.
    pub fn set_noise(&mut self, noise_dbm0: Option<f32>) -> Result<(), InvalidImpairment> {
        if let Some(n) = noise_dbm0 {
            check("noise level", n, -200.0, 20.0, "a level in dBm0 from -200 to +20")?;
        }
        self.imp.noise_dbm0 = noise_dbm0;
        self.noise_rms = noise_dbm0.map_or(0.0, |d| dbm0_to_power(d).sqrt());
        Ok(())
    }

    /// Changes the G.711 coding (`None` for none) from the next sample on, keeping the rest.
    pub fn set_codec(&mut self, codec: Option<crate::g711::Law>) {
        self.imp.codec = codec;
    }

    /// Far-end samples per near-end sample, as a fraction (1/1 with no clock offset).
    pub fn clock_ratio(&self) -> (u64, u64) {
        self.clock.as_ref().map_or((1, 1), |c| c.ratio)
    }

    /// Samples made up (as silence) or dropped because the far end ran on the listener's clock
    /// ([`Direction::process`]) longer than the clock offset's FIFO could stand in for; always 0
    /// with [`Direction::process_clocked`].
    pub fn slipped(&self) -> u64 {
        self.clock.as_ref().map_or(0, |c| c.slipped)
    }

    /// Passes `input` through the line into `output` (same length), with no echo.
    pub fn process(&mut self, input: &[f32], output: &mut [f32]) {
        self.process_with_echo(input, &[], output);
    }

    /// Passes `input` (from the far modem) through the line into `output` (same length), adding
    /// the echoes of `own`, what the listening modem itself is sending at the same time (missing
    /// samples count as silence). With a clock offset, see [`Direction`] on how long it holds.
    pub fn process_with_echo(&mut self, input: &[f32], own: &[f32], output: &mut [f32]) {
        let n = input.len().min(output.len());
        self.shift(&input[..n]);
        let shifted = core::mem::take(&mut self.shifted);
        match &mut self.clock {
            Some(c) => {
                // Converted into the FIFO (what does not fit is dropped), then exactly n samples
                // out (silence if it runs dry).
                let Clock { r, fifo, slipped, .. } = c;
                r.process(&shifted, |y| {
                    if fifo.len() < FIFO {
                        fifo.push_back(y);
                    } else {
                        *slipped += 1;
                    }
                });
                for o in output[..n].iter_mut() {
                    *o = fifo.pop_front().unwrap_or_else(|| {
                        *slipped += 1;
                        0.0
                    });
                }
            }
            None => output[..n].copy_from_slice(&shifted),
        }
        self.shifted = shifted;
        self.finish(own, &mut output[..n]);
        output[n..].iter_mut().for_each(|v| *v = 0.0);
    }

    /// How many samples from the far end the next `n` samples heard take: `n` scaled by the clock
    /// offset (give exactly these to [`Direction::process_clocked`]).
    pub fn input_needed(&self, n: usize) -> usize {
        match &self.clock {
            Some(c) => c.r.input_needed(n),
            None => n,
        }
    }

    /// Passes `input` from the far end, as much as its clock made in the time of `output`
    /// (exactly [`Direction::input_needed`]`(output.len())` samples), through the line into
    /// `output`, with the echoes of `own` (aligned with `output`; missing samples count as
    /// silence). A clock offset holds exactly for a call of any length.
    ///
    /// # Panics
    ///
    /// If `input` is not as long as [`Direction::input_needed`] says.
    pub fn process_clocked(&mut self, input: &[f32], own: &[f32], output: &mut [f32]) {
        let want = self.input_needed(output.len());
        assert_eq!(input.len(), want, "Direction::process_clocked: {} samples given, {want} needed", input.len());
        self.shift(input);
        match &mut self.clock {
            Some(c) => {
                let mut it = self.shifted.iter();
                c.r.pull(output, || *it.next().expect("input_needed counted"));
            }
            None => output.copy_from_slice(&self.shifted),
        }
        self.finish(own, output);
    }

    /// The frequency offset and phase jitter, into `self.shifted`.
    fn shift(&mut self, input: &[f32]) {
        self.shifted.clear();
        let Some((h, d, nco)) = &mut self.hilbert else {
            self.shifted.extend_from_slice(input);
            return;
        };
        for &x in input {
            // Single-sideband shift: Re{(x + j H{x}) e^{j w t}}.
            let q = h.process(x);
            let re = d.process(x);
            let (mut c, mut s) = nco.next_iq();
            if let Some((j, peak)) = &mut self.jitter {
                // Turn by the jitter's phase as well: e^{j (w t + peak sin(wj t))}.
                let (js, jc) = (*peak * j.next_sin()).sin_cos();
                (c, s) = (c * jc - s * js, s * jc + c * js);
            }
            self.shifted.push(re * c - q * s);
        }
    }

    /// Everything after the clock, in place on `output` (the listener's samples).
    fn finish(&mut self, own: &[f32], output: &mut [f32]) {
        let n = output.len();
        for (i, o) in output.iter_mut().enumerate() {
            let mut x = *o;
            if let Some(b) = &mut self.band {
                x = b.process(x);
            }
            if let Some(ch) = &mut self.channel {
                for f in ch.iter_mut() {
                    x = f.process(x);
                }
            }
            x *= self.gain;
            let t = self.time + i as u64;
            while self.dropouts.first().is_some_and(|d| d.1 <= t) {
                self.dropouts.remove(0);
            }
            if self.dropouts.first().is_some_and(|d| d.0 <= t) {
                x = 0.0;
            }
            let me = own.get(i).copied().unwrap_or(0.0);
            if let Some(e) = &mut self.near_echo {
                x += e.process(me);
            }
            if let Some(e) = &mut self.far_echo {
                x += e.process(me);
            }
            if self.noise_rms > 0.0 {
                x += self.noise_rms * self.rng.gaussian();
            }
            if let Some(law) = self.imp.codec {
                x = law.round_trip(x);
            }
            *o = x;
        }
        self.time += n as u64;
    }
}

/// A two-way line between a calling modem (A) and an answering modem (B).
///
/// The two ends have one clock each, so a clock offset is one relation between them: B's clock
/// runs `clock_ppm` fast against A's, A hears B's signal that much fast and B hears A's as much
/// slow (exactly the inverse ratio). [`crate::sim::call::BackToBack`] runs B on its own clock, so
/// the offset holds for a call of any length.
#[derive(Debug, Clone)]
pub struct Line {
    /// What B hears: from A (the caller), with the echoes of B's own signal.
    pub a_to_b: Direction,
    /// What A hears: from B (the answerer), with the echoes of A's own signal.
    pub b_to_a: Direction,
}

impl Line {
    /// A line with the same impairments both ways (noise seeded differently per direction); a
    /// clock offset makes B's clock that much fast (A hears +ppm, B about -ppm).
    ///
    /// # Panics
    ///
    /// If the impairments are not valid ([`Impairments::validate`]).
    pub fn symmetric(imp: Impairments, seed: u64) -> Self {
        Line::new(imp.clone(), imp, seed)
    }

    /// A line with its own impairments each way. The clock offset is `b_to_a`'s (B's clock against
    /// A's), and `a_to_b` gets exactly its inverse whatever its own `clock_ppm` says; with none in
    /// `b_to_a`, `a_to_b`'s offset (A's clock against B's) sets the relation.
    ///
    /// # Panics
    ///
    /// If the impairments are not valid ([`Impairments::validate`]).
    pub fn new(a_to_b: Impairments, b_to_a: Impairments, seed: u64) -> Self {
        let to_a = Direction::new(b_to_a, seed ^ 0x5eed);
        let to_b = Direction::new(a_to_b, seed);
        let inverse = |d: &Direction| {
            let (n, m) = d.clock_ratio();
            (m, n)
        };
        if to_a.clock.is_some() {
            let ratio = inverse(&to_a);
            Line { a_to_b: Direction::with_ratio(to_b.imp, seed, ratio), b_to_a: to_a }
        } else if to_b.clock.is_some() {
            let ratio = inverse(&to_b);
            Line { b_to_a: Direction::with_ratio(to_a.imp, seed ^ 0x5eed, ratio), a_to_b: to_b }
        } else {
            Line { a_to_b: to_b, b_to_a: to_a }
        }
    }

    /// One step of the call with both ends on A's clock: `a_tx` and `b_tx` are what the modems
    /// send; `a_rx` and `b_rx` get what they hear (all the same length). A clock offset holds only
    /// as long as [`Direction::process`] can stand in for it; [`crate::sim::call::BackToBack`]
    /// holds it for ever.
    pub fn process(&mut self, a_tx: &[f32], b_tx: &[f32], a_rx: &mut [f32], b_rx: &mut [f32]) {
        self.b_to_a.process_with_echo(b_tx, a_tx, a_rx);
        self.a_to_b.process_with_echo(a_tx, b_tx, b_rx);
    }

    /// True when the ends' clocks differ.
    pub fn has_clock_offset(&self) -> bool {
        self.a_to_b.clock.is_some() || self.b_to_a.clock.is_some()
    }
}

/// Any [`LineEndpoint`] hearing the line through a simulated [`Direction`]: the far end's signal
/// reaches it with the direction's impairments, and with the echoes of what it sent in the block
/// before. The line simulator as a wrapper, the way a fault injector wraps a network device. The
/// far end runs on this end's clock here, so a clock offset holds only as long as
/// [`Direction::process`] can stand in for it.
#[derive(Debug, Clone)]
pub struct Impaired<E> {
    inner: E,
    heard: Direction,
    /// What `inner` sent last (its echo comes back with what it hears next).
    own: Vec<f32>,
    buf: Vec<f32>,
}

impl<E: LineEndpoint> Impaired<E> {
    /// `inner`, hearing through `heard`.
    pub fn new(inner: E, heard: Direction) -> Self {
        Impaired { inner, heard, own: Vec::new(), buf: Vec::new() }
    }

    /// The endpoint.
    pub fn inner(&self) -> &E {
        &self.inner
    }

    /// The endpoint, mutably.
    pub fn inner_mut(&mut self) -> &mut E {
        &mut self.inner
    }

    /// The direction it hears through.
    pub fn direction(&self) -> &Direction {
        &self.heard
    }

    /// The endpoint, unwrapped.
    pub fn into_inner(self) -> E {
        self.inner
    }
}

impl<E: LineEndpoint> LineEndpoint for Impaired<E> {
    fn process(&mut self, rx: &[f32], tx: &mut [f32]) {
        let n = rx.len().min(tx.len());
        // Grows to the largest block once; blocks of one size allocate nothing after the first.
        self.buf.resize(n, 0.0);
        self.own.resize(n, 0.0);
        self.heard.process_with_echo(&rx[..n], &self.own, &mut self.buf);
        self.inner.process(&self.buf, &mut tx[..n]);
        self.own.copy_from_slice(&tx[..n]);
        tx[n..].iter_mut().for_each(|v| *v = 0.0);
    }
}

#[cfg(test)]
mod tests;
