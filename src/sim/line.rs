//! A simulated telephone line: seeded, per-direction impairments between two modems.
//!
//! The same idea as a fault-injecting network device: everything a real line does to a modem's
//! signal, made repeatable from a seed, so tests, the CLI, benchmarks and the page's demo share it.

use crate::dsp::fir::{design_bandpass, design_hilbert, Window};
use crate::dsp::{dbm0_to_power, Fir, Nco, Resampler, SAMPLE_RATE};
use crate::sim::rng::Rng;
use crate::types::LineEndpoint;

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

/// Most samples a direction holds back to absorb a clock offset (one second).
const FIFO: usize = SAMPLE_RATE as usize;
/// Samples of delay a direction starts with when it simulates a clock offset.
const PREFILL: usize = 1600;

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
    clock: Option<(Resampler, Vec<f32>, usize, usize)>,
    near_echo: Option<EchoPath>,
    far_echo: Option<EchoPath>,
    /// Dropouts in samples: (start, end), sorted.
    dropouts: Vec<(u64, u64)>,
    /// Samples passed so far.
    time: u64,
}

impl Direction {
    /// A direction with the given impairments; `seed` fixes its noise.
    pub fn new(imp: Impairments, seed: u64) -> Self {
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
        let clock = (imp.clock_ppm != 0.0).then(|| {
            // The far end's clock is fast by ppm: its samples are spread over less of our time.
            let r = Resampler::new(1.0 + imp.clock_ppm as f64 * 1e-6, 1.0);
            (r, vec![0.0; FIFO], 0usize, PREFILL)
        });
        let ms = |t: f32| (t.max(0.0) * fs / 1000.0) as u64;
        let mut dropouts: Vec<(u64, u64)> =
            imp.dropouts.iter().map(|d| (ms(d.at_ms), ms(d.at_ms) + ms(d.ms))).collect();
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
            time: 0,
        }
    }

    /// The impairments.
    pub fn impairments(&self) -> &Impairments {
        &self.imp
    }

    /// Passes `input` through the line into `output` (same length), with no echo.
    pub fn process(&mut self, input: &[f32], output: &mut [f32]) {
        self.process_with_echo(input, &[], output);
    }

    /// Passes `input` (from the far modem) through the line into `output` (same length), adding
    /// the echoes of `own`, what the listening modem itself is sending at the same time (missing
    /// samples count as silence).
    pub fn process_with_echo(&mut self, input: &[f32], own: &[f32], output: &mut [f32]) {
        let n = input.len().min(output.len());
        for i in 0..n {
            let mut x = input[i];
            if let Some((h, d, nco)) = &mut self.hilbert {
                // Single-sideband shift: Re{(x + j H{x}) e^{j w t}}.
                let q = h.process(x);
                let re = d.process(x);
                let (mut c, mut s) = nco.next_iq();
                if let Some((j, peak)) = &mut self.jitter {
                    // Turn by the jitter's phase as well: e^{j (w t + peak sin(wj t))}.
                    let (js, jc) = (*peak * j.next_sin()).sin_cos();
                    (c, s) = (c * jc - s * js, s * jc + c * js);
                }
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
        for (i, o) in output[..n].iter_mut().enumerate() {
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
        output[n..].iter_mut().for_each(|v| *v = 0.0);
    }
}

/// A two-way line between a calling modem (A) and an answering modem (B).
#[derive(Debug, Clone)]
pub struct Line {
    /// What B hears: from A (the caller), with the echoes of B's own signal.
    pub a_to_b: Direction,
    /// What A hears: from B (the answerer), with the echoes of A's own signal.
    pub b_to_a: Direction,
}

impl Line {
    /// A line with the same impairments both ways (noise seeded differently per direction).
    pub fn symmetric(imp: Impairments, seed: u64) -> Self {
        Line { a_to_b: Direction::new(imp.clone(), seed), b_to_a: Direction::new(imp, seed ^ 0x5eed) }
    }

    /// A line with its own impairments each way.
    pub fn new(a_to_b: Impairments, b_to_a: Impairments, seed: u64) -> Self {
        Line { a_to_b: Direction::new(a_to_b, seed), b_to_a: Direction::new(b_to_a, seed ^ 0x5eed) }
    }

    /// One step of the call: `a_tx` and `b_tx` are what the modems send; `a_rx` and `b_rx` get
    /// what they hear (all the same length).
    pub fn process(&mut self, a_tx: &[f32], b_tx: &[f32], a_rx: &mut [f32], b_rx: &mut [f32]) {
        self.b_to_a.process_with_echo(b_tx, a_tx, a_rx);
        self.a_to_b.process_with_echo(a_tx, b_tx, b_rx);
    }
}

/// Any [`LineEndpoint`] hearing the line through a simulated [`Direction`]: the far end's signal
/// reaches it with the direction's impairments, and with the echoes of what it sent in the block
/// before. The line simulator as a wrapper, the way a fault injector wraps a network device.
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
    fn phase_jitter_puts_sidebands_at_the_jitter_rate() {
        // 20 degrees peak-to-peak at 100 Hz on a 1000 Hz tone: sidebands at 900 and 1100 Hz about
        // 20 log10(J1(0.1745) / J0(0.1745)) = -21.2 dB below the carrier.
        let imp = Impairments { phase_jitter: Some(PhaseJitter { degrees_pp: 20.0, hz: 100.0 }), ..Default::default() };
        let mut d = Direction::new(imp, 1);
        let x = tone(1000.0, 16000);
        let mut y = vec![0.0; x.len()];
        d.process(&x, &mut y);
        let p = |f: f32| {
            let y = &y[400..];
            let mut g = Goertzel::new(f, y.len(), 8000.0);
            let mut v = 0.0;
            for &s in y {
                v = g.push(s).unwrap_or(v);
            }
            v
        };
        let side = 10.0 * (p(1100.0) / p(1000.0)).log10();
        assert!((side + 21.2).abs() < 0.5, "{side}");
        assert!((10.0 * (p(900.0) / p(1000.0)).log10() + 21.2).abs() < 0.5);
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
    fn network_models_lose_more_at_the_top_of_the_band_and_delay_its_edges() {
        // The long loops lose several dB more at 3 kHz than at 1 kHz; the short ones less.
        let slope = |m: NetworkModel| {
            let g = |f: f64| {
                let (a, b) = m.loop_response(f);
                20.0 * (a * a + b * b).sqrt().log10()
            };
            2.0 * (g(1000.0) - g(3000.0))
        };
        let (short, long) = (slope(NetworkModel::ShortLoops), slope(NetworkModel::LongLoops));
        assert!(short > 0.5 && short < 4.0, "short {short}");
        assert!(long > 4.0 && long < 15.0, "long {long}");
        // Through the whole model, tones in the band arrive near unit level at 1 kHz and the
        // edges lose what the filters take.
        for m in [NetworkModel::ShortLoops, NetworkModel::LongLoops] {
            let gain = |f: f32| {
                let mut d = Direction::new(Impairments { band: Band::Model(m), ..Default::default() }, 1);
                let x = tone(f, 8000);
                let mut y = vec![0.0; x.len()];
                d.process(&x, &mut y);
                let p = |v: &[f32]| v.iter().map(|s| s * s).sum::<f32>();
                10.0 * (p(&y[2000..]) / p(&x[2000..])).log10()
            };
            assert!(gain(1000.0).abs() < 0.5, "{m:?} {}", gain(1000.0));
            assert!(gain(200.0) < -3.0, "{m:?} 200 Hz {}", gain(200.0));
            assert!(gain(3000.0) < gain(1000.0), "{m:?}");
        }
    }

    #[test]
    fn echo_arrives_late_and_at_its_level() {
        let imp = Impairments { near_echo: Some(Echo { level_db: -10.0, delay_ms: 5.0 }), ..Default::default() };
        let mut d = Direction::new(imp, 1);
        let own = tone(1000.0, 8000);
        let mut y = vec![0.0; own.len()];
        d.process_with_echo(&vec![0.0; own.len()], &own, &mut y);
        // Nothing before the delay (40 samples) plus the band filter's 32.
        assert!(y[..60].iter().all(|v| v.abs() < 0.01));
        let p_in = own.iter().map(|v| v * v).sum::<f32>();
        let p_out = y[400..].iter().map(|v| v * v).sum::<f32>() * own.len() as f32 / (own.len() - 400) as f32;
        let db = 10.0 * (p_out / p_in).log10();
        assert!((db + 10.0).abs() < 0.3, "{db}");
    }

    #[test]
    fn dropouts_silence_the_signal_only_while_they_last() {
        let imp = Impairments { dropouts: vec![Dropout { at_ms: 100.0, ms: 300.0 }], ..Default::default() };
        let mut d = Direction::new(imp, 1);
        let x = tone(1000.0, 8000);
        let mut y = vec![0.0; x.len()];
        for (a, b) in x.chunks(160).zip(y.chunks_mut(160)) {
            d.process(a, b);
        }
        assert!(y[800..3200].iter().all(|&v| v == 0.0));
        assert_eq!(&y[..800], &x[..800]);
        assert_eq!(&y[3200..], &x[3200..]);
    }

    #[test]
    fn g711_quantises() {
        let mut d = Direction::new(Impairments { codec: Some(crate::g711::Law::MuLaw), ..Default::default() }, 1);
        let x = tone(1000.0, 800);
        let mut y = vec![0.0; x.len()];
        d.process(&x, &mut y);
        assert!(y.iter().zip(&x).all(|(a, b)| (a - b).abs() < 0.02));
        assert!(y.iter().zip(&x).any(|(a, b)| a != b));
        assert!(y.iter().all(|&v| crate::g711::Law::MuLaw.round_trip(v) == v));
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
