//! DTMF (dual-tone multi-frequency) signalling: the push-button tones of ITU-T Q.23, generated, and
//! received with the acceptance rules of Q.24.

use crate::dsp::{dbm0_to_peak, dbm0_to_power, Nco, SAMPLE_RATE};
use crate::time::Duration;

use super::{burst_gain, sanitize};

/// The low-group (row) frequencies of Q.23, in Hz.
pub const LOW_GROUP: [f32; 4] = [697.0, 770.0, 852.0, 941.0];

/// The high-group (column) frequencies of Q.23, in Hz.
pub const HIGH_GROUP: [f32; 4] = [1209.0, 1336.0, 1477.0, 1633.0];

/// The keys: row `r` (low-group frequency `r`) and column `c` (high-group frequency `c`).
const KEYS: [[char; 4]; 4] = [['1', '2', '3', 'A'], ['4', '5', '6', 'B'], ['7', '8', '9', 'C'], ['*', '0', '#', 'D']];

/// The key index (`4 * row + column`) of a digit: `0`-`9`, `*`, `#`, `A`-`D` (either case).
fn key_index(digit: char) -> Option<u8> {
    let d = digit.to_ascii_uppercase();
    for (r, row) in KEYS.iter().enumerate() {
        for (c, &k) in row.iter().enumerate() {
            if k == d {
                return Some((4 * r + c) as u8);
            }
        }
    }
    None
}

/// The (low, high) frequencies in Hz of a digit, as Q.23 assigns them; `None` for anything that is
/// not one of `0`-`9`, `*`, `#`, `A`-`D` (either case).
pub fn frequencies(digit: char) -> Option<(f32, f32)> {
    key_index(digit).map(|k| (LOW_GROUP[(k / 4) as usize], HIGH_GROUP[(k % 4) as usize]))
}

/// Why a dial string was refused (nothing of it was queued).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DialError {
    /// The string holds a character that is not a DTMF digit.
    InvalidDigit(char),
    /// The queue has no room for the whole string.
    QueueFull,
}

impl core::fmt::Display for DialError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            DialError::InvalidDigit(c) => write!(f, "{c:?} is not a DTMF digit"),
            DialError::QueueFull => write!(f, "the DTMF queue is full"),
        }
    }
}

impl std::error::Error for DialError {}

/// Digits the generator can hold waiting.
const QUEUE: usize = 64;

/// Ramp at each end of a DTMF tone, samples (2 ms): short next to the 40 ms a receiver needs.
const DTMF_RAMP: u32 = 16;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum GenState {
    Idle,
    Tone,
    Pause,
}

/// Sends dial strings as DTMF tones.
///
/// Each digit is its two Q.23 frequencies for the tone duration (default 70 ms, with 2 ms
/// raised-cosine edges) followed by the pause (default 70 ms): about 7 digits a second, well above
/// the 40 ms tone and 40 ms pause receivers must accept. The level is set as the total of both
/// tones (default -7 dBm0), with the high group 2 dB above the low group (the usual pre-emphasis
/// that makes up for the line's greater loss at higher frequencies): -11.1 and -9.1 dBm0.
#[derive(Debug, Clone)]
pub struct DtmfGenerator {
    queue: [u8; QUEUE],
    head: usize,
    len: usize,
    state: GenState,
    pos: u32,
    tone_len: u32,
    pause_len: u32,
    low: Nco,
    high: Nco,
    amp_low: f32,
    amp_high: f32,
}

impl Default for DtmfGenerator {
    fn default() -> Self {
        Self::new()
    }
}

impl DtmfGenerator {
    /// A generator with 70 ms tones, 70 ms pauses, -7 dBm0 in total, high group 2 dB above low.
    pub fn new() -> Self {
        let fs = SAMPLE_RATE as f32;
        let mut g = DtmfGenerator {
            queue: [0; QUEUE],
            head: 0,
            len: 0,
            state: GenState::Idle,
            pos: 0,
            tone_len: 0,
            pause_len: 0,
            low: Nco::new(LOW_GROUP[0], fs),
            high: Nco::new(HIGH_GROUP[0], fs),
            amp_low: 0.0,
            amp_high: 0.0,
        };
        g.set_timing(Duration::from_ms(70), Duration::from_ms(70));
        g.set_level(-7.0, 2.0);
        g
    }

    /// Sets the tone and pause durations (the tone at least one sample). Takes effect from the
    /// next digit.
    pub fn set_timing(&mut self, tone: Duration, pause: Duration) {
        self.tone_len = tone.samples().max(1);
        self.pause_len = pause.samples();
    }

    /// Sets the total level of both tones in dBm0 and the high group's level relative to the low
    /// group's in dB (its pre-emphasis, or "twist"; 2 dB by default). Takes effect at once.
    pub fn set_level(&mut self, total_dbm0: f32, high_over_low_db: f32) {
        // P_low + P_high = P_total with P_high = P_low * 10^(twist / 10).
        let r = 10f32.powf(high_over_low_db / 10.0);
        let low_db = total_dbm0 - 10.0 * (1.0 + r).log10();
        self.amp_low = dbm0_to_peak(low_db);
        self.amp_high = dbm0_to_peak(low_db + high_over_low_db);
    }

    /// Queues a dial string of `0`-`9`, `*`, `#`, `A`-`D` (either case). Either all of it is queued
    /// (returns how many digits), or none of it and the reason.
    pub fn dial(&mut self, digits: &str) -> Result<usize, DialError> {
        let mut n = 0;
        for c in digits.chars() {
            key_index(c).ok_or(DialError::InvalidDigit(c))?;
            n += 1;
        }
        if n > QUEUE - self.len {
            return Err(DialError::QueueFull);
        }
        for c in digits.chars() {
            let k = key_index(c).unwrap_or(0);
            self.queue[(self.head + self.len) % QUEUE] = k;
            self.len += 1;
        }
        Ok(n)
    }

    /// Digits queued and not yet begun.
    pub fn pending(&self) -> usize {
        self.len
    }

    /// True when nothing is being sent and nothing is queued (the pause after the last digit is
    /// part of sending it).
    pub fn is_idle(&self) -> bool {
        self.state == GenState::Idle && self.len == 0
    }

    /// Drops the queued digits and stops at once (a tone being sent is cut off).
    pub fn clear(&mut self) {
        self.len = 0;
        self.state = GenState::Idle;
    }

    /// Fills `out` with the tones (silence when idle).
    pub fn process(&mut self, out: &mut [f32]) {
        let fs = SAMPLE_RATE as f32;
        for y in out.iter_mut() {
            if self.state == GenState::Idle {
                if self.len == 0 {
                    *y = 0.0;
                    continue;
                }
                let k = self.queue[self.head] as usize;
                self.head = (self.head + 1) % QUEUE;
                self.len -= 1;
                self.low = Nco::new(LOW_GROUP[k / 4], fs);
                self.high = Nco::new(HIGH_GROUP[k % 4], fs);
                self.state = GenState::Tone;
                self.pos = 0;
            }
            match self.state {
                GenState::Tone => {
                    let g = burst_gain(self.pos, self.tone_len, DTMF_RAMP);
                    *y = g * (self.amp_low * self.low.next_sin() + self.amp_high * self.high.next_sin());
                    self.pos += 1;
                    if self.pos >= self.tone_len {
                        self.pos = 0;
                        self.state = if self.pause_len > 0 { GenState::Pause } else { GenState::Idle };
                    }
                }
                GenState::Pause => {
                    *y = 0.0;
                    self.pos += 1;
                    if self.pos >= self.pause_len {
                        self.state = GenState::Idle;
                    }
                }
                GenState::Idle => *y = 0.0,
            }
        }
    }
}

/// The acceptance limits of a [`DtmfDetector`].
///
/// Q.24 gives, for reception, the frequency tolerance (operate within 1.5 %, never beyond 3.5 %) and
/// leaves levels, twist and timing to each administration; the defaults here are the commonly used
/// values.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DtmfConfig {
    /// Lowest level of each of the two tones, dBm0 (default -34, chosen here: a -7 dBm0 sender's
    /// tones arrive at about -10 dBm0 each, so this leaves over 20 dB for the line's loss, and is far
    /// above idle-line noise).
    pub min_level_dbm0: f32,
    /// How far the high-group tone may be above the low-group tone, dB (default 4).
    pub max_high_over_low_db: f32,
    /// How far the low-group tone may be above the high-group tone, dB (default 8: the line loses
    /// more at the high group's frequencies).
    pub max_low_over_high_db: f32,
    /// Largest accepted frequency deviation of each tone, as a fraction (default 0.025: midway
    /// between Q.24's 1.5 % that must be accepted and 3.5 % that must not).
    pub max_deviation: f32,
    /// Smallest share of the received power the two tones must carry (default 0.75). Speech, music
    /// and data spread their power; two clean tones in 20 dB SNR noise carry 0.98 of it.
    pub min_purity: f32,
}

impl Default for DtmfConfig {
    fn default() -> Self {
        DtmfConfig {
            min_level_dbm0: -34.0,
            max_high_over_low_db: 4.0,
            max_low_over_high_db: 8.0,
            max_deviation: 0.025,
            min_purity: 0.75,
        }
    }
}

/// Samples in a half window (10 ms): the detector's hop.
const HALF: usize = 80;
/// Samples in a window (20 ms).
const WINDOW: usize = 2 * HALF;
/// Consecutive good windows (10 ms apart) before a digit is reported.
const ON_WINDOWS: u32 = 2;
/// Consecutive windows without the digit before the key counts as released.
const OFF_WINDOWS: u32 = 4;

type C = crate::dsp::Complex;

/// Receives DTMF digits (ITU-T Q.24).
///
/// The signal is cut into 10 ms halves; for each of the eight Q.23 frequencies the detector keeps
/// the complex DFT of every half (a table of 80 twiddles each, so 8 complex multiply-adds a
/// sample), and judges every 20 ms window made of two consecutive halves, 10 ms apart:
///
/// - the strongest tone of each group, over the whole window (a 50 Hz wide bin);
/// - its **frequency**, from the phase turn between the two halves (unambiguous within +-50 Hz):
///   within [`DtmfConfig::max_deviation`] of nominal (2.5 %: Q.24 asks that 1.5 % be accepted and
///   3.5 % refused). The bin's power is corrected for the measured offset, so twist is judged on
///   the tones' real levels;
/// - each tone's **level** at least [`DtmfConfig::min_level_dbm0`], and the **twist** within
///   [`DtmfConfig::max_high_over_low_db`] / [`DtmfConfig::max_low_over_high_db`];
/// - the two tones' share of the window's total power at least [`DtmfConfig::min_purity`], which
///   refuses speech, music, data signals, noise and a third tone;
/// - both tones **steady** over the window: the two halves within 3 dB of each other, so a window
///   only partly filled with the tone does not count.
///
/// Timing (the values most of Q.24's administrations use: tones of 40 ms or more are digits, of
/// 20 ms or less are not; pauses of 40 ms or more separate digits, breaks of 10 ms do not): a digit
/// is reported once two consecutive windows agree, and the key is released after four windows
/// without it. Measured at all 80 alignments with the 10 ms hop: tones of 36 ms and more are always
/// accepted, of 22 ms and less never (25 ms at 7 of 80); breaks of 15 ms and less are always
/// bridged, pauses of 30 ms and more always separate. A new digit, or the same one again, is
/// reported only after a release (or when a different digit follows directly).
#[derive(Debug, Clone)]
pub struct DtmfDetector {
    cfg: DtmfConfig,
    min_power: f32,
    /// `(cos, sin)` of w_k n for each frequency k (8) and each sample n of a half (80).
    table: Vec<C>,
    /// e^{-j w_k HALF}: turns a half's DFT to the time reference of the half before it.
    rot: [C; 8],
    acc: [C; 8],
    energy: f32,
    n: usize,
    prev: [C; 8],
    prev_energy: f32,
    have_prev: bool,
    candidate: Option<u8>,
    run: u32,
    down: Option<u8>,
    gap: u32,
    samples: u64,
}

impl Default for DtmfDetector {
    fn default() -> Self {
        Self::new()
    }
}

impl DtmfDetector {
    /// A detector with the default limits.
    pub fn new() -> Self {
        Self::with_config(DtmfConfig::default())
    }

    /// A detector with the given limits.
    pub fn with_config(cfg: DtmfConfig) -> Self {
        let fs = SAMPLE_RATE as f64;
        let freqs: Vec<f64> = LOW_GROUP.iter().chain(HIGH_GROUP.iter()).map(|&f| f as f64).collect();
        let mut table = Vec::with_capacity(8 * HALF);
        let mut rot = [C::ZERO; 8];
        for (k, &f) in freqs.iter().enumerate() {
            let w = core::f64::consts::TAU * f / fs;
            for n in 0..HALF {
                let a = w * n as f64;
                table.push(C::new(a.cos() as f32, a.sin() as f32));
            }
            let a = w * HALF as f64;
            rot[k] = C::new(a.cos() as f32, -a.sin() as f32);
        }
        DtmfDetector {
            cfg,
            min_power: dbm0_to_power(cfg.min_level_dbm0),
            table,
            rot,
            acc: [C::ZERO; 8],
            energy: 0.0,
            n: 0,
            prev: [C::ZERO; 8],
            prev_energy: 0.0,
            have_prev: false,
            candidate: None,
            run: 0,
            down: None,
            gap: 0,
            samples: 0,
        }
    }

    /// The limits in use.
    pub fn config(&self) -> DtmfConfig {
        self.cfg
    }

    /// The digit whose key is held down now, if any (it has been reported).
    pub fn current(&self) -> Option<char> {
        self.down.map(|k| KEYS[(k / 4) as usize][(k % 4) as usize])
    }

    /// Samples taken so far.
    pub fn samples(&self) -> u64 {
        self.samples
    }

    /// Forgets everything heard so far.
    pub fn reset(&mut self) {
        *self = Self::with_config(self.cfg);
    }

    /// Listens to `input`, calling `on_digit` once for each digit recognised.
    pub fn process(&mut self, input: &[f32], mut on_digit: impl FnMut(char)) {
        for &x in input {
            let x = sanitize(x);
            let t = &self.table[self.n..];
            for k in 0..8 {
                let w = t[k * HALF];
                self.acc[k].re += x * w.re;
                self.acc[k].im -= x * w.im;
            }
            self.energy += x * x;
            self.n += 1;
            self.samples += 1;
            if self.n == HALF {
                self.end_half(&mut on_digit);
            }
        }
    }

    fn end_half(&mut self, on_digit: &mut impl FnMut(char)) {
        let cur = self.acc;
        let e = self.energy;
        if self.have_prev {
            let v = self.judge(&cur, e);
            self.step(v, on_digit);
        }
        self.prev = cur;
        self.prev_energy = e;
        self.have_prev = true;
        self.acc = [C::ZERO; 8];
        self.energy = 0.0;
        self.n = 0;
    }

    /// The key whose tones fill the window made of the previous half and `cur`, if any.
    fn judge(&self, cur: &[C; 8], energy: f32) -> Option<u8> {
        let total = (self.prev_energy + energy) / WINDOW as f32;
        if total <= 0.0 {
            return None;
        }
        let mut p = [0.0f32; 8];
        for k in 0..8 {
            let w = self.prev[k] + self.rot[k] * cur[k];
            p[k] = 2.0 * w.norm_sqr() / (WINDOW * WINDOW) as f32;
        }
        let best = |r: core::ops::Range<usize>| r.max_by(|&a, &b| p[a].total_cmp(&p[b])).unwrap_or(0);
        let lo = best(0..4);
        let hi = best(4..8);
        let mut level = [0.0f32; 2];
        let freqs = [LOW_GROUP[lo], HIGH_GROUP[hi - 4]];
        for (i, &k) in [lo, hi].iter().enumerate() {
            let (a, b) = (self.prev[k].norm_sqr(), cur[k].norm_sqr());
            // Steady: both halves within 3 dB.
            if a < 0.5 * b || b < 0.5 * a || a == 0.0 {
                return None;
            }
            // Frequency offset from the phase turn between the halves.
            let z = cur[k] * self.prev[k].conj() * self.rot[k];
            let df = z.im.atan2(z.re) * SAMPLE_RATE as f32 / (core::f32::consts::TAU * HALF as f32);
            if df.abs() > self.cfg.max_deviation * freqs[i] {
                return None;
            }
            // The window's bin loses sinc^2 of the offset in bins; put it back (at most 0.5 bin).
            let bins = (df * WINDOW as f32 / SAMPLE_RATE as f32).abs().min(0.5);
            let x = core::f32::consts::PI * bins;
            let sinc = if x < 1e-4 { 1.0 } else { x.sin() / x };
            level[i] = p[k] / (sinc * sinc);
        }
        let [pl, ph] = level;
        if pl < self.min_power || ph < self.min_power {
            return None;
        }
        let twist_db = 10.0 * (ph / pl).log10();
        if twist_db > self.cfg.max_high_over_low_db || -twist_db > self.cfg.max_low_over_high_db {
            return None;
        }
        if pl + ph < self.cfg.min_purity * total {
            return None;
        }
        Some((4 * lo + (hi - 4)) as u8)
    }

    fn step(&mut self, v: Option<u8>, on_digit: &mut impl FnMut(char)) {
        if v.is_some() && v == self.down {
            self.gap = 0;
        } else if self.down.is_some() {
            self.gap += 1;
            if self.gap >= OFF_WINDOWS {
                self.down = None;
            }
        }
        match v {
            Some(d) if self.candidate == Some(d) => self.run += 1,
            Some(d) => {
                self.candidate = Some(d);
                self.run = 1;
            }
            None => {
                self.candidate = None;
                self.run = 0;
            }
        }
        if let Some(d) = v {
            if self.down != Some(d) && self.run >= ON_WINDOWS {
                self.down = Some(d);
                self.gap = 0;
                on_digit(KEYS[(d / 4) as usize][(d % 4) as usize]);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::signals::{add_noise, ms, noise, power, speech_like};

    const ALL: &str = "0123456789*#ABCD";

    fn detect(x: &[f32]) -> String {
        let mut d = DtmfDetector::new();
        let mut s = String::new();
        for block in x.chunks(61) {
            d.process(block, |c| s.push(c));
        }
        s
    }

    fn generate(digits: &str, tone_ms: u32, pause_ms: u32) -> Vec<f32> {
        let mut g = DtmfGenerator::new();
        g.set_timing(Duration::from_ms(tone_ms), Duration::from_ms(pause_ms));
        g.dial(digits).unwrap();
        let mut out = vec![0.0; ms(100)];
        let mut buf = [0.0; 100];
        while !g.is_idle() {
            g.process(&mut buf);
            out.extend_from_slice(&buf);
        }
        out.extend(std::iter::repeat_n(0.0, ms(100)));
        out
    }

    /// A two-tone burst with given frequencies and levels, between silences, starting `offset`
    /// samples into the first silence.
    fn pair(fl: f32, fh: f32, low_dbm0: f32, high_dbm0: f32, len: usize, offset: usize) -> Vec<f32> {
        let mut x = vec![0.0; ms(50) + offset];
        let mut lo = Nco::new(fl, 8000.0);
        let mut hi = Nco::new(fh, 8000.0);
        let (al, ah) = (dbm0_to_peak(low_dbm0), dbm0_to_peak(high_dbm0));
        for _ in 0..len {
            x.push(al * lo.next_sin() + ah * hi.next_sin());
        }
        x.extend(std::iter::repeat_n(0.0, ms(60)));
        x
    }

    #[test]
    fn frequency_table_is_q23() {
        assert_eq!(frequencies('1'), Some((697.0, 1209.0)));
        assert_eq!(frequencies('0'), Some((941.0, 1336.0)));
        assert_eq!(frequencies('#'), Some((941.0, 1477.0)));
        assert_eq!(frequencies('d'), Some((941.0, 1633.0)));
        assert_eq!(frequencies('9'), Some((852.0, 1477.0)));
        assert_eq!(frequencies('x'), None);
    }

    #[test]
    fn generator_levels_and_queue() {
        let mut g = DtmfGenerator::new();
        assert!(g.is_idle());
        assert_eq!(g.dial("12x"), Err(DialError::InvalidDigit('x')));
        assert!(g.is_idle(), "a refused string queues nothing");
        assert_eq!(g.dial("5"), Ok(1));
        assert!(!g.is_idle());
        let mut out = vec![0.0; ms(140)];
        g.process(&mut out);
        assert!(g.is_idle());
        // The tone's power (its middle) is the total level, -7 dBm0; the pause is silent.
        let p = power(&out[ms(10)..ms(60)]);
        assert!((crate::dsp::power_to_dbm0(p) + 7.0).abs() < 0.2, "{}", crate::dsp::power_to_dbm0(p));
        assert!(out[ms(71)..].iter().all(|&v| v == 0.0));
        // The high group 2 dB above the low group.
        let mut gl = crate::dsp::Goertzel::new(770.0, 400, 8000.0);
        let mut gh = crate::dsp::Goertzel::new(1336.0, 400, 8000.0);
        let (mut pl, mut ph) = (0.0, 0.0);
        for &v in &out[ms(10)..ms(60)] {
            pl = gl.push(v).unwrap_or(pl);
            ph = gh.push(v).unwrap_or(ph);
        }
        let twist = 10.0 * (ph / pl).log10();
        assert!((twist - 2.0).abs() < 0.2, "{twist}");
        // The queue refuses what does not fit, whole.
        let long: String = std::iter::repeat_n('1', QUEUE).collect();
        assert_eq!(g.dial(&long), Ok(QUEUE));
        assert_eq!(g.dial("2"), Err(DialError::QueueFull));
        g.clear();
        assert!(g.is_idle());
    }

    #[test]
    fn round_trip_every_digit() {
        let x = generate(ALL, 70, 70);
        assert_eq!(detect(&x), ALL);
        // Repeated digits need the pause between them to count twice.
        let x = generate("1112223300", 70, 70);
        assert_eq!(detect(&x), "1112223300");
    }

    #[test]
    fn round_trip_at_the_shortest_timing_and_low_level() {
        // 40 ms tones and 40 ms pauses, at every alignment with the detector's 10 ms hop.
        for lead in (0..80).step_by(10) {
            let mut x = vec![0.0; lead];
            x.extend(generate(ALL, 40, 40));
            assert_eq!(detect(&x), ALL, "lead {lead}");
        }
        let mut g = DtmfGenerator::new();
        g.set_level(-25.0, 2.0);
        g.dial(ALL).unwrap();
        let mut x = vec![0.0; ms(2400)];
        g.process(&mut x);
        assert_eq!(detect(&x), ALL);
    }

    #[test]
    fn detects_in_20_db_snr_noise() {
        for seed in 0..4 {
            let mut x = generate(ALL, 50, 50);
            // SNR against the tones' power.
            add_noise(&mut x, crate::dsp::dbm0_to_power(-7.0), 20.0, seed);
            assert_eq!(detect(&x), ALL, "seed {seed}");
        }
    }

    #[test]
    fn short_tones_and_breaks() {
        for offset in (0..80).step_by(8) {
            // 20 ms of tone: never a digit.
            assert_eq!(detect(&pair(770.0, 1336.0, -10.0, -8.0, ms(20), offset)), "", "offset {offset}");
            // 40 ms: always.
            assert_eq!(detect(&pair(770.0, 1336.0, -10.0, -8.0, ms(40), offset)), "5", "offset {offset}");
        }
        // A 10 ms break in a long tone is one key press, a 40 ms pause two.
        for offset in (0..80).step_by(16) {
            let mut x = pair(852.0, 1477.0, -10.0, -8.0, ms(100), offset);
            let start = ms(50) + offset + ms(45);
            x[start..start + ms(10)].iter_mut().for_each(|v| *v = 0.0);
            assert_eq!(detect(&x), "9", "offset {offset}");
            let mut x = pair(852.0, 1477.0, -10.0, -8.0, ms(160), offset);
            let start = ms(50) + offset + ms(60);
            x[start..start + ms(40)].iter_mut().for_each(|v| *v = 0.0);
            assert_eq!(detect(&x), "99", "offset {offset}");
        }
    }

    #[test]
    fn frequency_tolerance() {
        for d in ALL.chars() {
            let (fl, fh) = frequencies(d).unwrap();
            for &(kl, kh) in &[(1.015, 1.015), (0.985, 0.985), (1.015, 0.985), (0.985, 1.015)] {
                let x = pair(fl * kl, fh * kh, -10.0, -8.0, ms(60), 0);
                assert_eq!(detect(&x), d.to_string(), "{d} {kl} {kh}");
            }
            for &(kl, kh) in &[(1.035, 1.0), (0.965, 1.0), (1.0, 1.035), (1.0, 0.965), (1.035, 0.965)] {
                let x = pair(fl * kl, fh * kh, -10.0, -8.0, ms(60), 0);
                assert_eq!(detect(&x), "", "{d} {kl} {kh}");
            }
        }
    }

    #[test]
    fn twist_and_level_limits() {
        let (fl, fh) = frequencies('8').unwrap();
        // Within the limits: high 3 dB above low, low 7 dB above high.
        assert_eq!(detect(&pair(fl, fh, -13.0, -10.0, ms(60), 0)), "8");
        assert_eq!(detect(&pair(fl, fh, -10.0, -17.0, ms(60), 0)), "8");
        // Beyond: 6 dB and 10 dB.
        assert_eq!(detect(&pair(fl, fh, -16.0, -10.0, ms(60), 0)), "");
        assert_eq!(detect(&pair(fl, fh, -10.0, -20.0, ms(60), 0)), "");
        // Deviation and twist at once: each tone 1.5 % off, high 3 dB above low.
        assert_eq!(detect(&pair(fl * 1.015, fh * 0.985, -13.0, -10.0, ms(60), 0)), "8");
        // Levels: -30 dBm0 per tone is heard, -40 is not.
        assert_eq!(detect(&pair(fl, fh, -30.0, -30.0, ms(60), 0)), "8");
        assert_eq!(detect(&pair(fl, fh, -40.0, -40.0, ms(60), 0)), "");
        // A single tone is not a digit, nor are three.
        assert_eq!(detect(&pair(fl, 3000.0, -10.0, -60.0, ms(60), 0)), "");
        let mut x = pair(fl, fh, -10.0, -8.0, ms(60), 0);
        let mut third = Nco::new(LOW_GROUP[0], 8000.0);
        x.iter_mut().for_each(|v| *v += dbm0_to_peak(-10.0) * third.next_sin());
        assert_eq!(detect(&x), "");
    }

    #[test]
    fn no_digits_from_speech() {
        for seed in 0..6 {
            let x = speech_like(ms(10_000), -12.0, seed);
            assert_eq!(detect(&x), "", "seed {seed}");
        }
    }

    #[test]
    fn no_digits_from_noise() {
        for (seed, level) in [(1, -10.0), (2, -30.0), (3, 0.0)] {
            assert_eq!(detect(&noise(ms(10_000), level, seed)), "");
        }
    }

    #[test]
    fn no_digits_from_modem_signals() {
        use crate::fsk::{self, CHANNELS};
        use crate::sim::rng::Rng;
        for spec in CHANNELS {
            let mut tx = fsk::Transmitter::new(spec, -10.0);
            let mut r = Rng::new(7);
            let mut x = vec![0.0; ms(5_000)];
            tx.process(&mut x, &mut || (r.next_u32() & 1) as u8);
            assert_eq!(detect(&x), "", "{}", spec.name);
            // Steady mark, and steady space.
            for bit in [0u8, 1] {
                let mut tx = fsk::Transmitter::new(spec, -10.0);
                let mut x = vec![0.0; ms(1_000)];
                tx.process(&mut x, &mut || bit);
                assert_eq!(detect(&x), "", "{} bit {bit}", spec.name);
            }
        }
        use crate::v22bis::tx::{Signal, Transmitter};
        use crate::v22bis::{GuardTone, Rate, ANSWER_CARRIER, CALL_CARRIER};
        for carrier in [CALL_CARRIER, ANSWER_CARRIER] {
            for signal in
                [Signal::UnscrambledOnes, Signal::S1, Signal::ScrambledOnes(Rate::R1200), Signal::Data(Rate::R2400)]
            {
                let mut tx = Transmitter::new(carrier, -10.0, GuardTone::None);
                tx.set_signal(signal);
                let mut r = Rng::new(9);
                let mut x = vec![0.0; ms(3_000)];
                tx.process(&mut x, &mut || (r.next_u32() & 1) as u8);
                assert_eq!(detect(&x), "", "{carrier} {signal:?}");
            }
        }
        for guard in [GuardTone::Hz550, GuardTone::Hz1800] {
            let mut tx = Transmitter::new(ANSWER_CARRIER, -10.0, guard);
            tx.set_signal(Signal::Data(Rate::R1200));
            let mut r = Rng::new(3);
            let mut x = vec![0.0; ms(3_000)];
            tx.process(&mut x, &mut || (r.next_u32() & 1) as u8);
            assert_eq!(detect(&x), "", "{guard:?}");
        }
    }

    #[test]
    fn digits_through_speech_pauses() {
        // Digits dialled between bursts of speech are all found, and nothing else.
        let mut x = speech_like(ms(1_500), -15.0, 11);
        x.extend(generate("147*", 70, 70));
        x.extend(speech_like(ms(1_500), -15.0, 12));
        x.extend(generate("#0", 70, 70));
        assert_eq!(detect(&x), "147*#0");
    }
}
