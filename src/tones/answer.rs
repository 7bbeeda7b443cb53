//! Modem answer tones and the calling tone: ITU-T V.25 ANS (2100 Hz, with or without phase
//! reversals), V.8 ANSam (ANS amplitude-modulated at 15 Hz, with or without reversals), the Bell
//! answer tone (2225 Hz) and the V.25 calling tone (1300 Hz bursts); generators and a detector.

use crate::dsp::{dbm0_to_peak, dbm0_to_power, Nco, OnOffRamp, SAMPLE_RATE};

use super::progress::{ProgressToneGenerator, ToneSpec};
use super::{sanitize, RAMP};

/// An answer tone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnswerTone {
    /// V.25 ANS: 2100 Hz, steady.
    Ans,
    /// V.25 ANS with a 180-degree phase reversal every 450 ms (disables echo cancellers).
    AnsPr,
    /// V.8 ANSam: 2100 Hz whose amplitude swings 0.8 to 1.2 times its mean at 15 Hz.
    AnsAm,
    /// V.8 ANSam/: ANSam with a phase reversal every 450 ms.
    AnsAmPr,
    /// The Bell 103/212 answer tone: 2225 Hz (the Bell 103 answering modem's mark).
    Bell2225,
}

impl AnswerTone {
    /// The tone's frequency in Hz.
    pub fn freq(self) -> f32 {
        if self == AnswerTone::Bell2225 {
            BELL_HZ
        } else {
            ANS_HZ
        }
    }

    /// True for the kinds with phase reversals.
    pub fn reversals(self) -> bool {
        matches!(self, AnswerTone::AnsPr | AnswerTone::AnsAmPr)
    }

    /// True for the kinds amplitude-modulated at 15 Hz.
    pub fn am(self) -> bool {
        matches!(self, AnswerTone::AnsAm | AnswerTone::AnsAmPr)
    }

    /// The 2100 Hz kind with the given features.
    fn ans(am: bool, reversals: bool) -> AnswerTone {
        match (am, reversals) {
            (false, false) => AnswerTone::Ans,
            (false, true) => AnswerTone::AnsPr,
            (true, false) => AnswerTone::AnsAm,
            (true, true) => AnswerTone::AnsAmPr,
        }
    }
}

/// The V.25 answer tone's frequency, Hz (V.25: 2100 +- 15 Hz; V.8's ANSam 2100 +- 1 Hz).
pub const ANS_HZ: f32 = 2100.0;
/// The Bell answer tone's frequency, Hz.
pub const BELL_HZ: f32 = crate::fsk::BELL103_ANSWER.mark;
/// The V.25 calling tone's frequency, Hz.
pub const CT_HZ: f32 = 1300.0;
/// Time between phase reversals, samples (V.25: 450 +- 25 ms).
pub const REVERSAL_INTERVAL: u32 = 450 * SAMPLE_RATE / 1000;
/// ANSam's modulating frequency, Hz (V.8: 15 +- 0.1 Hz).
pub const AM_HZ: f32 = 15.0;
/// ANSam's modulation depth: the envelope swings between 0.8 and 1.2 of its mean (V.8).
pub const AM_DEPTH: f32 = 0.2;

/// Plays an answer tone until stopped.
///
/// The level is that of the unmodulated tone (ANSam's envelope swings +-20 % about it). Phase
/// reversals are sudden sign changes, the first 450 ms after the start; the tone starts and stops
/// with a 5 ms ramp.
#[derive(Debug, Clone)]
pub struct AnswerToneGenerator {
    kind: AnswerTone,
    nco: Nco,
    am: Nco,
    amp: f32,
    to_reversal: u32,
    sign: f32,
    ramp: OnOffRamp,
}

impl AnswerToneGenerator {
    /// A generator of `kind` at `level_dbm0` (modems send their answer tone at their data level,
    /// about -13 dBm0), started.
    pub fn new(kind: AnswerTone, level_dbm0: f32) -> Self {
        let fs = SAMPLE_RATE as f32;
        AnswerToneGenerator {
            kind,
            nco: Nco::new(kind.freq(), fs),
            am: Nco::new(AM_HZ, fs),
            amp: dbm0_to_peak(level_dbm0),
            to_reversal: REVERSAL_INTERVAL,
            sign: 1.0,
            ramp: OnOffRamp::new(RAMP),
        }
    }

    /// The kind of tone.
    pub fn kind(&self) -> AnswerTone {
        self.kind
    }

    /// Moves the tone to `hz` (to test a receiver's tolerance, or simulate a poor oscillator).
    pub fn set_frequency(&mut self, hz: f32) {
        self.nco.set_freq(hz);
    }

    /// Stops the tone (after a 5 ms ramp).
    pub fn stop(&mut self) {
        self.ramp.set_on(false);
    }

    /// True once stopped and silent.
    pub fn is_idle(&self) -> bool {
        self.ramp.is_silent()
    }

    /// Fills `out` with the tone.
    pub fn process(&mut self, out: &mut [f32]) {
        let rev = self.kind.reversals();
        let am = self.kind.am();
        for y in out.iter_mut() {
            let Some(g) = self.ramp.next_gain() else {
                *y = 0.0;
                continue;
            };
            let m = if am { 1.0 + AM_DEPTH * self.am.next_sin() } else { 1.0 };
            *y = self.sign * g * m * self.amp * self.nco.next_sin();
            if rev {
                self.to_reversal -= 1;
                if self.to_reversal == 0 {
                    self.to_reversal = REVERSAL_INTERVAL;
                    self.sign = -self.sign;
                }
            }
        }
    }
}

/// Plays the V.25 calling tone: 1300 Hz, 0.6 s on, 1.75 s off (V.25: 0.5-0.7 s on, 1.5-2.0 s off),
/// repeated.
#[derive(Debug, Clone)]
pub struct CallingToneGenerator(ProgressToneGenerator);

impl CallingToneGenerator {
    /// The calling tone's cadence and frequency.
    pub const SPEC: ToneSpec = ToneSpec { freqs: [CT_HZ, 0.0], on_ms: 600, off_ms: 1750 };

    /// A calling tone generator at `level_dbm0`, starting with a burst.
    pub fn new(level_dbm0: f32) -> Self {
        CallingToneGenerator(ProgressToneGenerator::from_spec(Self::SPEC, level_dbm0))
    }

    /// Fills `out` with the tone.
    pub fn process(&mut self, out: &mut [f32]) {
        self.0.process(out)
    }
}

/// Something [`AnswerToneDetector`] recognised. Times are in samples since the detector started.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnswerEvent {
    /// An answer tone is established, or what is known of it changed (a first phase reversal turns
    /// `Ans` into `AnsPr`, `AnsAm` into `AnsAmPr`).
    Answer {
        /// What the tone is, as far as known.
        kind: AnswerTone,
        /// When.
        at: u64,
    },
    /// A 180-degree phase reversal of a 2100 Hz tone.
    PhaseReversal {
        /// Where it fell (within 5 ms).
        at: u64,
    },
    /// An established answer tone ended.
    Ended {
        /// What it was.
        kind: AnswerTone,
        /// When it was last heard.
        at: u64,
    },
    /// A burst of calling tone (1300 Hz, 0.4 to 0.8 s long) has ended.
    CallingTone {
        /// When it ended.
        at: u64,
        /// How long it lasted, samples.
        duration: u32,
    },
}

/// Samples in a sub-block (5 ms): the detector's time step.
const SUB: usize = 40;
/// Steps of 5 ms in a second.
const STEPS_PER_S: u64 = SAMPLE_RATE as u64 / SUB as u64;
/// Invalid steps bridged within a tone (30 ms: a phase reversal costs two).
const HANG: u32 = 6;
/// Steps of tone before an answer tone is established (200 ms), of which at least
/// [`ESTABLISH_VALID`] valid.
const ESTABLISH: u64 = 40;
const ESTABLISH_VALID: u32 = 36;
/// Envelope samples over which ANSam's 15 Hz is measured: 200 ms, exactly 3 cycles.
const AM_WINDOW: usize = 40;
/// Modulation depth from which a tone counts as ANSam (V.8: 0.2).
const AM_THRESHOLD: f32 = 0.1;

type C = crate::dsp::Complex;

/// One frequency's measurements: complex baseband sums over 5 ms steps.
#[derive(Debug, Clone)]
struct Channel {
    nco: Nco,
    tol: f32,
    min_power: f32,
    acc: C,
    energy: f32,
    n: usize,
    /// The last three sub-block sums, newest first.
    y: [C; 3],
    /// The last two sub-block energies, newest first.
    e: [f32; 2],
    /// The last 8 products (y_k conj y_{k-1})^2: the phase turn per step, doubled so that a phase
    /// reversal does not show.
    prod: [C; 8],
    pos: usize,
    /// Frequency offset from nominal, Hz (over the last 40 ms).
    df: f32,
    /// |y_k + y_{k-1}|: the tone's amplitude over the last 10 ms (scaled).
    env: f32,
    /// Whether each of the last 64 steps was valid, newest in bit 0.
    valid: u64,
}

impl Channel {
    fn new(freq: f32, tol: f32, min_dbm0: f32) -> Self {
        Channel {
            nco: Nco::new(freq, SAMPLE_RATE as f32),
            tol,
            min_power: dbm0_to_power(min_dbm0),
            acc: C::ZERO,
            energy: 0.0,
            n: 0,
            y: [C::ZERO; 3],
            e: [0.0; 2],
            prod: [C::ZERO; 8],
            pos: 0,
            df: 0.0,
            env: 0.0,
            valid: 0,
        }
    }

    /// Takes a sample; true at the end of a step.
    #[inline]
    fn push(&mut self, x: f32) -> bool {
        let (c, s) = self.nco.next_iq();
        self.acc.re += x * c;
        self.acc.im -= x * s;
        self.energy += x * x;
        self.n += 1;
        if self.n < SUB {
            return false;
        }
        self.y = [self.acc, self.y[0], self.y[1]];
        self.e = [self.energy, self.e[0]];
        self.acc = C::ZERO;
        self.energy = 0.0;
        self.n = 0;
        let w = self.y[0] + self.y[1];
        self.env = w.norm_sqr().sqrt();
        let tone = 2.0 * w.norm_sqr() / (4 * SUB * SUB) as f32;
        let total = (self.e[0] + self.e[1]) / (2 * SUB) as f32;
        let t = self.y[0] * self.y[1].conj();
        self.prod[self.pos] = t * t;
        self.pos = (self.pos + 1) % self.prod.len();
        let sum = self.prod.iter().fold(C::ZERO, |a, p| a + *p);
        let turn = sum.im.atan2(sum.re) / 2.0; // radians per step
        self.df = turn * SAMPLE_RATE as f32 / (core::f32::consts::TAU * SUB as f32);
        // The tone carries 60 % of the power over 10 ms, at the minimum level, near the frequency.
        let ok = tone >= self.min_power && tone >= 0.6 * total && self.df.abs() <= self.tol;
        self.valid = (self.valid << 1) | ok as u64;
        true
    }

    fn ok(&self) -> bool {
        self.valid & 1 != 0
    }

    /// Valid steps among the last `n` (n <= 64).
    fn valid_in(&self, n: u32) -> u32 {
        (self.valid & (u64::MAX >> (64 - n))).count_ones()
    }
}

/// A stretch of one channel's tone, with gaps of up to [`HANG`] bridged.
#[derive(Debug, Clone, Copy, Default)]
struct Run {
    active: bool,
    start: u64,
    last: u64,
    gap: u32,
    valid: u32,
}

impl Run {
    /// Updates with this step's validity; true when the run has just ended.
    fn update(&mut self, ch: &Channel, step: u64) -> bool {
        if ch.ok() {
            if !self.active {
                *self = Run { active: true, start: step, last: step, gap: 0, valid: 0 };
            }
            self.last = step;
            self.gap = 0;
            self.valid = self.valid.saturating_add(1);
            false
        } else if self.active {
            self.gap += 1;
            // Ends after a gap, or when it is more often absent than present.
            if self.gap > HANG || ch.valid_in(20) < 10 {
                self.active = false;
                return true;
            }
            false
        } else {
            false
        }
    }

    fn steps(&self, step: u64) -> u64 {
        step + 1 - self.start
    }
}

/// Recognises answer tones and the calling tone.
///
/// Three channels, at 2100, 2225 and 1300 Hz, move the signal to baseband and sum it over 5 ms
/// steps (one complex multiply-add a sample each). At every step, over the last 10 ms, a channel is
/// *valid* when its tone carries at least 60 % of the received power and at least -43 dBm0 (the
/// V.25/V.22 carrier-detect level), and the frequency measured from the phase turn between steps
/// (over the last 40 ms, in doubled phase so that reversals do not disturb it) is within 20 Hz of
/// nominal at 2100 and 1300 Hz (V.25's +-15 Hz and a margin), 15 Hz at 2225 Hz (so that the 2250 Hz
/// of a V.22 answerer's unscrambled ones is refused). Gaps of up to 30 ms are bridged.
///
/// - **2100 Hz** is established after 200 ms with at least 36 of the 40 steps valid (a data
///   signal, whose power is spread, cannot do that), and reported as an [`AnswerEvent::Answer`]
///   with its kind: ANSam if the envelope's 15 Hz component over those 200 ms (3 cycles) has a depth
///   of at least 0.1 (V.8: 0.2), and with reversals if one was seen. **Phase reversals** are
///   seen as a turn of more than 135 degrees between the steps either side of one, after the
///   tone's frequency offset is taken out, at full level; each is reported, and the first turns the
///   kind to `AnsPr` or `AnsAmPr` (reported again). The envelope is measured between reversals.
/// - **2225 Hz** is established the same way as `Bell2225`. (A Bell 103 answering modem's steady
///   mark is the same signal; its data is not.)
/// - **1300 Hz** bursts of 0.4 to 0.8 s, valid for 90 % of the time, are reported as calling tone
///   when they end (V.25: 0.5 to 0.7 s); a longer tone (V.23's mark) is not.
/// - An established tone that stops is reported as ended within 35 ms.
#[derive(Debug, Clone)]
pub struct AnswerToneDetector {
    ans: Channel,
    bell: Channel,
    ct: Channel,
    ans_run: Run,
    bell_run: Run,
    ct_run: Run,
    ans_kind: Option<AnswerTone>,
    bell_up: bool,
    am: bool,
    reversal_seen: bool,
    last_reversal: Option<u64>,
    /// Running mean of |y| while the 2100 Hz tone is valid.
    level: f32,
    envelope: [f32; AM_WINDOW],
    /// (cos, sin) of 15 Hz at each envelope sample of the window (3 cycles in 40 steps).
    am_table: [C; AM_WINDOW],
    step: u64,
    samples: u64,
}

impl Default for AnswerToneDetector {
    fn default() -> Self {
        Self::new()
    }
}

impl AnswerToneDetector {
    /// A detector that has heard nothing yet.
    pub fn new() -> Self {
        let mut am_table = [C::ZERO; AM_WINDOW];
        for (i, t) in am_table.iter_mut().enumerate() {
            let a = core::f32::consts::TAU * AM_HZ * (i * SUB) as f32 / SAMPLE_RATE as f32;
            *t = C::new(a.cos(), a.sin());
        }
        AnswerToneDetector {
            ans: Channel::new(ANS_HZ, 20.0, -43.0),
            bell: Channel::new(BELL_HZ, 15.0, -43.0),
            ct: Channel::new(CT_HZ, 20.0, -43.0),
            ans_run: Run::default(),
            bell_run: Run::default(),
            ct_run: Run::default(),
            ans_kind: None,
            bell_up: false,
            am: false,
            reversal_seen: false,
            last_reversal: None,
            level: 0.0,
            envelope: [0.0; AM_WINDOW],
            am_table,
            step: 0,
            samples: 0,
        }
    }

    /// The answer tone being heard, if one is established.
    pub fn current(&self) -> Option<AnswerTone> {
        self.ans_kind.or(if self.bell_up { Some(AnswerTone::Bell2225) } else { None })
    }

    /// Samples taken so far.
    pub fn samples(&self) -> u64 {
        self.samples
    }

    /// Forgets everything heard so far.
    pub fn reset(&mut self) {
        *self = Self::new();
    }

    /// Listens to `input`, calling `on_event` for each thing recognised.
    pub fn process(&mut self, input: &[f32], mut on_event: impl FnMut(AnswerEvent)) {
        for &x in input {
            let x = sanitize(x);
            self.samples += 1;
            let a = self.ans.push(x);
            self.bell.push(x);
            self.ct.push(x);
            if a {
                self.end_step(&mut on_event);
                self.step += 1;
            }
        }
    }

    fn end_step(&mut self, on_event: &mut impl FnMut(AnswerEvent)) {
        let step = self.step;
        let now = self.samples;
        let step_at = |s: u64| (s + 1) * SUB as u64;
        self.envelope[(step % AM_WINDOW as u64) as usize] = self.ans.env;

        // 2100 Hz.
        if self.ans_run.update(&self.ans, step) {
            if let Some(kind) = self.ans_kind.take() {
                on_event(AnswerEvent::Ended { kind, at: step_at(self.ans_run.last) });
            }
            self.reversal_seen = false;
            self.am = false;
            self.last_reversal = None;
            self.level = 0.0;
        }
        if self.ans_run.active {
            let mag = self.ans.y[0].norm_sqr().sqrt();
            if self.ans.ok() {
                self.level = if self.level == 0.0 { mag } else { self.level + 0.1 * (mag - self.level) };
            }
            if self.reversal(step) {
                self.reversal_seen = true;
                self.last_reversal = Some(step);
                if let Some(k) = self.ans_kind {
                    on_event(AnswerEvent::PhaseReversal { at: now - SUB as u64 });
                    if !k.reversals() {
                        let kind = AnswerTone::ans(k.am(), true);
                        self.ans_kind = Some(kind);
                        on_event(AnswerEvent::Answer { kind, at: now });
                    }
                }
            }
            // The envelope is judged over a window of valid steps, clear of reversals and edges.
            let clean = self.ans_run.steps(step) >= AM_WINDOW as u64 + 2
                && self.ans.valid_in(AM_WINDOW as u32) == AM_WINDOW as u32
                && self.last_reversal.is_none_or(|r| step - r > AM_WINDOW as u64);
            if clean {
                let depth = self.am_depth(step);
                if depth >= AM_THRESHOLD {
                    self.am = true;
                }
            }
            if self.ans_kind.is_none()
                && clean
                && self.ans_run.steps(step) >= ESTABLISH
                && self.ans.valid_in(ESTABLISH as u32) >= ESTABLISH_VALID
            {
                let kind = AnswerTone::ans(self.am, self.reversal_seen);
                self.ans_kind = Some(kind);
                on_event(AnswerEvent::Answer { kind, at: now });
            } else if let Some(k) = self.ans_kind {
                if self.am && !k.am() {
                    let kind = AnswerTone::ans(true, k.reversals());
                    self.ans_kind = Some(kind);
                    on_event(AnswerEvent::Answer { kind, at: now });
                }
            }
        }

        // 2225 Hz.
        if self.bell_run.update(&self.bell, step) && self.bell_up {
            self.bell_up = false;
            on_event(AnswerEvent::Ended { kind: AnswerTone::Bell2225, at: step_at(self.bell_run.last) });
        }
        if self.bell_run.active
            && !self.bell_up
            && self.bell_run.steps(step) >= ESTABLISH
            && self.bell.valid_in(ESTABLISH as u32) >= ESTABLISH_VALID
        {
            self.bell_up = true;
            on_event(AnswerEvent::Answer { kind: AnswerTone::Bell2225, at: now });
        }

        // 1300 Hz bursts.
        if self.ct_run.update(&self.ct, step) {
            let r = self.ct_run;
            let steps = r.last + 1 - r.start;
            let secs = (4 * STEPS_PER_S / 10)..=(8 * STEPS_PER_S / 10);
            if secs.contains(&steps) && r.valid as u64 * 10 >= steps * 9 {
                on_event(AnswerEvent::CallingTone { at: step_at(r.last), duration: (steps * SUB as u64) as u32 });
            }
        }
    }

    /// Whether the 2100 Hz tone reversed its phase in the previous step.
    fn reversal(&self, step: u64) -> bool {
        if self.last_reversal.is_some_and(|r| step - r < 10) || self.level == 0.0 {
            return false;
        }
        // The tone was valid before the reversal (steps k-2 and k-3 hold only the old phase).
        if self.ans.valid & 0b1100 != 0b1100 {
            return false;
        }
        let (a, b) = (self.ans.y[0], self.ans.y[2]);
        let (ma, mb) = (a.norm_sqr().sqrt(), b.norm_sqr().sqrt());
        if ma < 0.5 * self.level || mb < 0.5 * self.level {
            return false;
        }
        // Take out two steps of the tone's own turn.
        let th = -2.0 * core::f32::consts::TAU * self.ans.df * SUB as f32 / SAMPLE_RATE as f32;
        let d = a * b.conj() * C::new(th.cos(), th.sin());
        d.re < -0.7 * ma * mb
    }

    /// Depth of the 15 Hz modulation of the envelope over the last [`AM_WINDOW`] steps.
    fn am_depth(&self, step: u64) -> f32 {
        let (mut re, mut im, mut sum) = (0.0f32, 0.0f32, 0.0f32);
        for i in 0..AM_WINDOW as u64 {
            let k = ((step + AM_WINDOW as u64 - i) % AM_WINDOW as u64) as usize;
            let e = self.envelope[k];
            let t = self.am_table[k];
            re += e * t.re;
            im -= e * t.im;
            sum += e;
        }
        if sum <= 0.0 {
            return 0.0;
        }
        // The 10 ms sum that makes the envelope passes 15 Hz at sinc(0.15) = 0.963.
        2.0 * (re * re + im * im).sqrt() / sum / 0.963
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::signals::{add_noise, ms, noise, speech_like};

    fn run(x: &[f32]) -> Vec<AnswerEvent> {
        let mut d = AnswerToneDetector::new();
        let mut ev = Vec::new();
        for block in x.chunks(83) {
            d.process(block, |e| ev.push(e));
        }
        ev
    }

    fn answer(kind: AnswerTone, level: f32, hz: Option<f32>, lead_ms: u32, tone_ms: u32) -> Vec<f32> {
        let mut g = AnswerToneGenerator::new(kind, level);
        if let Some(f) = hz {
            g.set_frequency(f);
        }
        let mut x = vec![0.0; ms(lead_ms)];
        let mut t = vec![0.0; ms(tone_ms)];
        g.process(&mut t);
        g.stop();
        x.extend_from_slice(&t);
        let mut tail = vec![0.0; ms(300)];
        g.process(&mut tail);
        x.extend_from_slice(&tail);
        x
    }

    /// The answers reported (kinds in order), the reversals, the ends.
    fn summary(ev: &[AnswerEvent]) -> (Vec<AnswerTone>, usize, usize) {
        let kinds = ev
            .iter()
            .filter_map(|e| match e {
                AnswerEvent::Answer { kind, .. } => Some(*kind),
                _ => None,
            })
            .collect();
        let revs = ev.iter().filter(|e| matches!(e, AnswerEvent::PhaseReversal { .. })).count();
        let ends = ev.iter().filter(|e| matches!(e, AnswerEvent::Ended { .. })).count();
        (kinds, revs, ends)
    }

    fn first_answer_at(ev: &[AnswerEvent]) -> u64 {
        ev.iter()
            .find_map(|e| match e {
                AnswerEvent::Answer { at, .. } => Some(*at),
                _ => None,
            })
            .unwrap()
    }

    /// Answers and reversals expected from 3 s of `kind` starting after 200 ms of silence.
    fn check(kind: AnswerTone, ev: &[AnswerEvent], what: &str) {
        let (kinds, revs, ends) = summary(ev);
        let want = match kind {
            AnswerTone::AnsPr => vec![AnswerTone::Ans, AnswerTone::AnsPr],
            AnswerTone::AnsAmPr => vec![AnswerTone::AnsAm, AnswerTone::AnsAmPr],
            k => vec![k],
        };
        assert_eq!(kinds, want, "{what}: {ev:?}");
        // Reversals at 450 ms intervals in 3 s: 6.
        assert_eq!(revs, if kind.reversals() { 6 } else { 0 }, "{what}: {ev:?}");
        assert_eq!(ends, 1, "{what}: {ev:?}");
        // Recognised within 230 ms of the start.
        let at = first_answer_at(ev);
        assert!(at <= (ms(200) + ms(230)) as u64, "{what}: at {at}");
        let end = ev.iter().find_map(|e| match e {
            AnswerEvent::Ended { at, kind: k } => Some((*at, *k)),
            _ => None,
        });
        let (end_at, end_kind) = end.unwrap();
        assert_eq!(end_kind, kind, "{what}");
        assert!((end_at as i64 - ms(3200) as i64).abs() <= ms(15) as i64, "{what}: ended at {end_at}");
        assert!(ev.iter().all(|e| !matches!(e, AnswerEvent::CallingTone { .. })));
    }

    const KINDS: [AnswerTone; 5] =
        [AnswerTone::Ans, AnswerTone::AnsPr, AnswerTone::AnsAm, AnswerTone::AnsAmPr, AnswerTone::Bell2225];

    #[test]
    fn recognises_every_kind() {
        for kind in KINDS {
            check(kind, &run(&answer(kind, -13.0, None, 200, 3000)), &format!("{kind:?}"));
        }
    }

    #[test]
    fn reversals_are_placed_and_spaced_right() {
        let ev = run(&answer(AnswerTone::AnsAmPr, -13.0, None, 200, 3000));
        let at: Vec<i64> = ev
            .iter()
            .filter_map(|e| match e {
                AnswerEvent::PhaseReversal { at } => Some(*at as i64),
                _ => None,
            })
            .collect();
        for (i, &t) in at.iter().enumerate() {
            let want = ms(200) as i64 + (i as i64 + 1) * REVERSAL_INTERVAL as i64;
            assert!((t - want).abs() <= ms(10) as i64, "reversal {i} at {t}, want {want}");
        }
    }

    #[test]
    fn recognises_in_noise_at_low_level_and_off_frequency() {
        for kind in KINDS {
            for seed in 0..3 {
                let mut x = answer(kind, -13.0, None, 200, 3000);
                add_noise(&mut x, dbm0_to_power(-13.0), 20.0, seed);
                check(kind, &run(&x), &format!("{kind:?} 20 dB SNR seed {seed}"));
            }
            check(kind, &run(&answer(kind, -38.0, None, 200, 3000)), &format!("{kind:?} at -38 dBm0"));
            let off: &[f32] = if kind == AnswerTone::Bell2225 { &[-10.0, 10.0] } else { &[-15.0, 15.0] };
            for &d in off {
                let x = answer(kind, -13.0, Some(kind.freq() + d), 200, 3000);
                check(kind, &run(&x), &format!("{kind:?} {d:+} Hz"));
            }
        }
    }

    #[test]
    fn refuses_off_frequency_and_weak_tones() {
        for kind in [AnswerTone::Ans, AnswerTone::AnsAmPr, AnswerTone::Bell2225] {
            for d in [-40.0, -30.0, 30.0, 40.0, 60.0] {
                let ev = run(&answer(kind, -13.0, Some(kind.freq() + d), 200, 2000));
                assert!(ev.is_empty(), "{kind:?} {d:+} Hz: {ev:?}");
            }
            assert!(run(&answer(kind, -50.0, None, 200, 2000)).is_empty());
        }
    }

    #[test]
    fn calling_tone_bursts() {
        let mut g = CallingToneGenerator::new(-13.0);
        let mut x = vec![0.0; ms(7_000)];
        g.process(&mut x);
        let ev = run(&x);
        // Bursts at 0, 2.35 and 4.7 s.
        assert_eq!(ev.len(), 3, "{ev:?}");
        for (i, e) in ev.iter().enumerate() {
            let AnswerEvent::CallingTone { at, duration } = *e else { panic!("{ev:?}") };
            let end = (i as u64 * 2350 + 600) * 8;
            assert!(at.abs_diff(end) <= 80, "{ev:?}");
            assert!((duration as i64 - ms(600) as i64).abs() <= 80, "{ev:?}");
        }
        // In noise too.
        let mut y = x.clone();
        add_noise(&mut y, dbm0_to_power(-13.0), 20.0, 5);
        assert_eq!(run(&y).len(), 3);
        // A steady 1300 Hz (V.23's mark) is no calling tone, nor is a 0.25 s burst.
        let mut g =
            ProgressToneGenerator::from_spec(ToneSpec { freqs: [1300.0, 0.0], on_ms: 3000, off_ms: 1000 }, -13.0);
        let mut x = vec![0.0; ms(4_000)];
        g.process(&mut x);
        assert!(run(&x).is_empty());
        let mut g =
            ProgressToneGenerator::from_spec(ToneSpec { freqs: [1300.0, 0.0], on_ms: 250, off_ms: 1000 }, -13.0);
        let mut x = vec![0.0; ms(4_000)];
        g.process(&mut x);
        assert!(run(&x).is_empty());
    }

    #[test]
    fn no_tones_from_modem_data() {
        use crate::fsk::{self, CHANNELS};
        use crate::sim::rng::Rng;
        for spec in CHANNELS {
            for seed in 0..3 {
                let mut tx = fsk::Transmitter::new(spec, -13.0);
                let mut r = Rng::new(seed);
                let mut x = vec![0.0; ms(5_000)];
                tx.process(&mut x, &mut || (r.next_u32() & 1) as u8);
                let ev = run(&x);
                assert!(ev.is_empty(), "{} seed {seed}: {ev:?}", spec.name);
            }
        }
        // Start-stop characters sent back to back with up to 3 bits of idle mark between (long
        // idle marks are a steady 2225 Hz, which is the Bell answer tone).
        let mut tx = fsk::Transmitter::new(fsk::BELL103_ANSWER, -13.0);
        let mut r = Rng::new(1);
        let mut framer = crate::startstop::Framer::new(crate::startstop::Format::default());
        let mut idle = 0;
        let mut x = vec![0.0; ms(5_000)];
        tx.process(&mut x, &mut || {
            if framer.is_idle() {
                if idle > 0 {
                    idle -= 1;
                    return 1;
                }
                idle = r.below(4);
                framer.start(r.next_u32() as u8);
            }
            framer.next_bit()
        });
        assert!(run(&x).is_empty());

        use crate::v22bis::tx::{Signal, Transmitter};
        use crate::v22bis::{GuardTone, Rate, ANSWER_CARRIER, CALL_CARRIER};
        for carrier in [CALL_CARRIER, ANSWER_CARRIER] {
            for signal in [
                Signal::UnscrambledOnes,
                Signal::S1,
                Signal::ScrambledOnes(Rate::R1200),
                Signal::Data(Rate::R1200),
                Signal::Data(Rate::R2400),
            ] {
                for guard in [GuardTone::None, GuardTone::Hz1800] {
                    let mut tx = Transmitter::new(carrier, -13.0, guard);
                    tx.set_signal(signal);
                    let mut r = Rng::new(9);
                    let mut x = vec![0.0; ms(3_000)];
                    tx.process(&mut x, &mut || (r.next_u32() & 1) as u8);
                    let ev = run(&x);
                    assert!(ev.is_empty(), "{carrier} {signal:?} {guard:?}: {ev:?}");
                }
            }
        }
    }

    #[test]
    fn no_tones_from_dtmf_noise_or_speech() {
        let mut g = crate::tones::DtmfGenerator::new();
        g.dial("0123456789*#ABCD0123456789*#ABCD").unwrap();
        let mut x = vec![0.0; ms(5_000)];
        g.process(&mut x);
        assert!(run(&x).is_empty());
        let mut g = crate::tones::DtmfGenerator::new();
        g.set_timing(crate::time::Duration::from_ms(1000), crate::time::Duration::from_ms(100));
        g.dial("2580ABCD").unwrap();
        let mut x = vec![0.0; ms(9_000)];
        g.process(&mut x);
        assert!(run(&x).is_empty());
        for (seed, level) in [(1, -10.0), (2, -30.0)] {
            assert!(run(&noise(ms(10_000), level, seed)).is_empty());
        }
        for seed in 0..3 {
            assert!(run(&speech_like(ms(10_000), -12.0, seed)).is_empty());
        }
    }

    #[test]
    fn generator_level_and_modulation() {
        let mut g = AnswerToneGenerator::new(AnswerTone::AnsAm, -13.0);
        let mut x = vec![0.0; ms(1_000)];
        g.process(&mut x);
        // The envelope swings 0.8 to 1.2 of its mean at 15 Hz.
        let a = dbm0_to_peak(-13.0);
        let peak = x[ms(100)..].iter().fold(0.0f32, |m, v| m.max(v.abs()));
        assert!((peak / a - 1.2).abs() < 0.01, "{}", peak / a);
        let mut g = AnswerToneGenerator::new(AnswerTone::Ans, -13.0);
        g.process(&mut x);
        let p = crate::sim::signals::power(&x[ms(100)..]);
        assert!((crate::dsp::power_to_dbm0(p) + 13.0).abs() < 0.05);
        g.stop();
        let mut tail = vec![1.0; 100];
        g.process(&mut tail);
        assert!(g.is_idle() && tail[RAMP as usize..].iter().all(|&v| v == 0.0));
        // A reversal is a sign change: just before and after it the tone is in antiphase.
        let mut g = AnswerToneGenerator::new(AnswerTone::AnsPr, -13.0);
        let mut x = vec![0.0; REVERSAL_INTERVAL as usize + 20];
        g.process(&mut x);
        let mut plain = AnswerToneGenerator::new(AnswerTone::Ans, -13.0);
        let mut y = vec![0.0; x.len()];
        plain.process(&mut y);
        let r = REVERSAL_INTERVAL as usize;
        assert!((x[r - 5] - y[r - 5]).abs() < 1e-5 && (x[r + 5] + y[r + 5]).abs() < 1e-5);
    }
}
