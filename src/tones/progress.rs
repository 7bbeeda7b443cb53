//! Call progress tones: what the network plays to a caller (dial tone, ringback, busy, reorder), a
//! generator for them, and a detector that tells them apart by frequency and cadence, and from
//! silence and voice.

use crate::dsp::{dbm0_to_peak, dbm0_to_power, Goertzel, Nco, SAMPLE_RATE};

use super::{burst_gain, sanitize, RAMP};

/// A call progress signal, as [`CallProgressDetector`] reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    /// Dial tone: continuous.
    DialTone,
    /// Ringback (ringing tone): the far end is being rung.
    Ringback,
    /// Busy (engaged) tone.
    Busy,
    /// Reorder (congestion) tone: the network could not complete the call.
    Reorder,
    /// Nothing on the line: no tone and no energy above the silence level.
    Silence,
    /// Energy that is no progress tone: a voice, or anything else that answered (a modem's answer
    /// tone is heard as voice here; [`crate::tones::AnswerToneDetector`] names it).
    Voice,
}

/// A tone plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Region {
    /// The North American precise tone plan: dial tone 350 + 440 Hz, ringback 440 + 480 Hz, busy
    /// and reorder 480 + 620 Hz.
    NorthAmerica,
    /// The European harmonised tones (ETSI): 425 Hz for all of them, told apart by cadence.
    Europe,
}

/// The frequencies and cadence of a tone.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ToneSpec {
    /// One or two frequencies in Hz (0 for an unused second one).
    pub freqs: [f32; 2],
    /// Tone on, ms.
    pub on_ms: u32,
    /// Tone off, ms (0 for a continuous tone).
    pub off_ms: u32,
}

impl ToneSpec {
    /// The tone of a plan (`None` for [`Tone::Silence`] and [`Tone::Voice`]):
    ///
    /// | tone | North America | Europe |
    /// |---|---|---|
    /// | dial | 350 + 440 Hz, continuous | 425 Hz, continuous |
    /// | ringback | 440 + 480 Hz, 2 s on, 4 s off | 425 Hz, 1 s on, 4 s off |
    /// | busy | 480 + 620 Hz, 0.5 s on, 0.5 s off | 425 Hz, 0.5 s on, 0.5 s off |
    /// | reorder | 480 + 620 Hz, 0.25 s on, 0.25 s off | 425 Hz, 0.2 s on, 0.2 s off |
    pub fn of(tone: Tone, region: Region) -> Option<ToneSpec> {
        let (na, eu) = (region == Region::NorthAmerica, [425.0, 0.0]);
        let s = |freqs, on_ms, off_ms| Some(ToneSpec { freqs, on_ms, off_ms });
        match tone {
            Tone::DialTone => s(if na { [350.0, 440.0] } else { eu }, 1000, 0),
            Tone::Ringback if na => s([440.0, 480.0], 2000, 4000),
            Tone::Ringback => s(eu, 1000, 4000),
            Tone::Busy => s(if na { [480.0, 620.0] } else { eu }, 500, 500),
            Tone::Reorder if na => s([480.0, 620.0], 250, 250),
            Tone::Reorder => s(eu, 200, 200),
            Tone::Silence | Tone::Voice => None,
        }
    }
}

/// Plays a call progress tone (for a simulated exchange, and for tests).
///
/// The level is the total of the tone's frequencies (shared equally between two); each burst has
/// 5 ms raised-cosine edges inside its on time.
#[derive(Debug, Clone)]
pub struct ProgressToneGenerator {
    spec: ToneSpec,
    nco: [Nco; 2],
    amp: [f32; 2],
    on: u32,
    period: u32,
    pos: u32,
}

impl ProgressToneGenerator {
    /// The generator of `tone` in `region` at `level_dbm0`; `None` for silence and voice.
    pub fn new(tone: Tone, region: Region, level_dbm0: f32) -> Option<Self> {
        ToneSpec::of(tone, region).map(|s| Self::from_spec(s, level_dbm0))
    }

    /// The generator of any tone at `level_dbm0`.
    pub fn from_spec(spec: ToneSpec, level_dbm0: f32) -> Self {
        let fs = SAMPLE_RATE as f32;
        let two = spec.freqs[1] > 0.0;
        let each = dbm0_to_peak(level_dbm0 - if two { 10.0 * 2f32.log10() } else { 0.0 });
        let on = (spec.on_ms.max(1) * SAMPLE_RATE / 1000).max(1);
        ProgressToneGenerator {
            spec,
            nco: [Nco::new(spec.freqs[0], fs), Nco::new(spec.freqs[1].max(0.0), fs)],
            amp: [each, if two { each } else { 0.0 }],
            on,
            period: on + spec.off_ms * SAMPLE_RATE / 1000,
            pos: 0,
        }
    }

    /// The tone being played.
    pub fn spec(&self) -> ToneSpec {
        self.spec
    }

    /// Fills `out` with the tone.
    pub fn process(&mut self, out: &mut [f32]) {
        let continuous = self.period == self.on;
        for y in out.iter_mut() {
            let g = if continuous {
                if self.pos < RAMP {
                    self.pos += 1;
                    burst_gain(self.pos - 1, 2 * RAMP, RAMP)
                } else {
                    1.0
                }
            } else {
                let p = self.pos;
                self.pos = (self.pos + 1) % self.period;
                if p < self.on {
                    burst_gain(p, self.on, RAMP)
                } else {
                    0.0
                }
            };
            let v = self.amp[0] * self.nco[0].next_sin() + self.amp[1] * self.nco[1].next_sin();
            *y = g * v;
        }
    }
}

/// Something [`CallProgressDetector`] recognised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProgressEvent {
    /// What is on the line now.
    pub tone: Tone,
    /// Whose tone plan it matched (`None` for silence and voice).
    pub region: Option<Region>,
    /// When it was recognised, in samples since the detector started.
    pub at: u64,
}

/// Samples in a block (20 ms): the detector's time step.
const BLOCK: usize = 160;
/// Blocks per second.
const BLOCKS_PER_S: u32 = SAMPLE_RATE / BLOCK as u32;

/// Blocks with no tone over which the background is the minimum (2 s).
const BACKGROUND: usize = 100;
/// Blocks over which voice is judged (1 s), and how many must be active.
const VOICE_WINDOW: usize = 50;
const VOICE_BLOCKS: u32 = 16;

/// The frequencies measured, Hz.
const FREQS: [f32; 5] = [350.0, 425.0, 440.0, 480.0, 620.0];

/// A block's tone, by the frequencies that carry its power.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    /// 350 + 440 Hz.
    NaDial,
    /// 440 + 480 Hz.
    NaRingback,
    /// 480 + 620 Hz.
    NaBusy,
    /// A single tone near 425 Hz.
    Single,
}

impl Class {
    const ALL: [Class; 4] = [Class::NaDial, Class::NaRingback, Class::NaBusy, Class::Single];

    fn region(self) -> Region {
        if self == Class::Single {
            Region::Europe
        } else {
            Region::NorthAmerica
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Block {
    Tone(Class),
    /// No tone and below the silence level.
    Quiet,
    /// No tone, 10 dB or more above the background: voice, or a new sound.
    Active,
    /// No tone, loud but steady: background noise, or a tone of another kind.
    Steady,
}

/// A stretch of tone or of no tone, closed.
#[derive(Debug, Clone, Copy)]
struct Segment {
    on: bool,
    blocks: u32,
    class: Class,
}

/// Whether `blocks` (20 ms each) lies within `lo_ms..=hi_ms`.
fn within(blocks: u32, lo_ms: u32, hi_ms: u32) -> bool {
    let ms = blocks as u64 * 1000 / BLOCKS_PER_S as u64;
    (lo_ms as u64..=hi_ms as u64).contains(&ms)
}

/// Recognises call progress tones by their frequencies and cadence.
///
/// Every 20 ms block the detector measures the power at 350, 425, 440, 480 and 620 Hz (Goertzel,
/// 50 Hz bins) and in total, and calls the block a tone when one of these carries at least 60 % of
/// the block's power and at least -38 dBm0 (the precise tone plan sends -13 to -24 dBm0 a
/// frequency, so this leaves 14 dB or more for the line's loss):
///
/// - 350 + 440, 440 + 480 or 480 + 620 Hz, both within 10 dB of each other: the North American
///   dial tone, ringback and busy/reorder pairs;
/// - a single tone at 425 Hz, the European tones (accepted within about +-15 Hz).
///
/// Runs of tone and of no tone make the cadence (a one-block change is ignored; two start a new
/// run). Durations are accepted within +-20 % of nominal:
///
/// | tone | recognised when |
/// |---|---|
/// | dial tone | 350 + 440 Hz for 1 s; 425 Hz for 3 s, longer than any ringing burst |
/// | ringback | one cycle: 440 + 480 Hz 1.6-2.4 s on, 3.2-4.8 s off (2 s / 4 s); 425 Hz 0.54-1.8 s on, 2.4-6 s off (E.180's 0.67-1.5 s / 3-5 s) |
/// | busy | two cycles of 0.4-0.6 s on, 0.4-0.6 s off (0.5 s / 0.5 s), 480 + 620 or 425 Hz |
/// | reorder | two cycles of 0.16-0.3 s on and off (0.25 s / 0.25 s in North America, 0.2-0.25 s in Europe) |
/// | silence | 6.5 s with no tone and under -40 dBm0 (longer than any cadence's silence) |
/// | voice | in the last second, 0.32 s of blocks with no tone, 10 dB over the background and at least -50 dBm0, whose levels span 6 dB or more |
///
/// The background is the quietest block with no tone in the last 2 s. Steady noise, however loud, is
/// therefore never voice and does not break a cadence; nor is a steady sound that starts suddenly
/// (noise, a modem's answer tone or data signal: level, where speech rises and falls). Each
/// recognition is reported once, when it changes what is on the line.
#[derive(Debug, Clone)]
pub struct CallProgressDetector {
    goertzel: [Goertzel; 5],
    energy: f32,
    n: usize,
    min_tone: f32,
    quiet_power: f32,
    active_power: f32,
    /// The power of the last [`BACKGROUND`] blocks with no tone (ring): the background is their
    /// minimum.
    background: [f32; BACKGROUND],
    background_pos: usize,
    /// The power of the last [`VOICE_WINDOW`] blocks (ring, indexed by block count).
    powers: [f32; VOICE_WINDOW],
    /// Whether each of the last 64 blocks was [`Block::Active`] (newest in bit 0).
    active: u64,
    blocks: u64,
    quiet_run: u32,
    seg_on: bool,
    seg_len: u32,
    seg_counts: [u32; 4],
    pending: u32,
    pending_counts: [u32; 4],
    history: [Option<Segment>; 4],
    current: Option<(Tone, Option<Region>)>,
    samples: u64,
}

impl Default for CallProgressDetector {
    fn default() -> Self {
        Self::new()
    }
}

impl CallProgressDetector {
    /// A detector that has heard nothing yet.
    pub fn new() -> Self {
        let fs = SAMPLE_RATE as f32;
        CallProgressDetector {
            goertzel: FREQS.map(|f| Goertzel::new(f, BLOCK, fs)),
            energy: 0.0,
            n: 0,
            min_tone: dbm0_to_power(-38.0),
            quiet_power: dbm0_to_power(-40.0),
            active_power: dbm0_to_power(-50.0),
            background: [f32::MAX; BACKGROUND],
            background_pos: 0,
            powers: [0.0; VOICE_WINDOW],
            active: 0,
            blocks: 0,
            quiet_run: 0,
            seg_on: false,
            seg_len: 0,
            seg_counts: [0; 4],
            pending: 0,
            pending_counts: [0; 4],
            history: [None; 4],
            current: None,
            samples: 0,
        }
    }

    /// What is on the line, as last reported.
    pub fn current(&self) -> Option<(Tone, Option<Region>)> {
        self.current
    }

    /// Samples taken so far.
    pub fn samples(&self) -> u64 {
        self.samples
    }

    /// Forgets everything heard so far.
    pub fn reset(&mut self) {
        *self = Self::new();
    }

    /// Listens to `input`, calling `on_event` when what is on the line changes.
    pub fn process(&mut self, input: &[f32], mut on_event: impl FnMut(ProgressEvent)) {
        for &x in input {
            let x = sanitize(x);
            self.energy += x * x;
            let mut p = [0.0f32; 5];
            let mut done = false;
            for (g, v) in self.goertzel.iter_mut().zip(p.iter_mut()) {
                if let Some(q) = g.push(x) {
                    *v = q;
                    done = true;
                }
            }
            self.n += 1;
            self.samples += 1;
            if done {
                let total = self.energy / self.n as f32;
                self.energy = 0.0;
                self.n = 0;
                self.powers[(self.blocks % VOICE_WINDOW as u64) as usize] = total;
                let b = self.classify(&p, total);
                self.block(b, &mut on_event);
            }
        }
    }

    fn classify(&mut self, p: &[f32; 5], total: f32) -> Block {
        let [p350, p425, p440, p480, p620] = *p;
        let pair = |a: f32, b: f32| if a.min(b) >= 0.1 * a.max(b) { a + b } else { 0.0 };
        let scores = [pair(p350, p440), pair(p440, p480), pair(p480, p620), p425];
        let (mut best, mut class) = (0.0, Class::Single);
        for (&s, c) in scores.iter().zip(Class::ALL) {
            if s > best {
                best = s;
                class = c;
            }
        }
        if best >= self.min_tone && best >= 0.6 * total {
            return Block::Tone(class);
        }
        let floor = self.background.iter().fold(f32::MAX, |m, &v| m.min(v));
        self.background[self.background_pos] = total;
        self.background_pos = (self.background_pos + 1) % BACKGROUND;
        if total > 10.0 * floor && total > self.active_power {
            Block::Active
        } else if total < self.quiet_power {
            Block::Quiet
        } else {
            Block::Steady
        }
    }

    fn establish(&mut self, tone: Tone, region: Option<Region>, on_event: &mut impl FnMut(ProgressEvent)) {
        if self.current != Some((tone, region)) {
            self.current = Some((tone, region));
            on_event(ProgressEvent { tone, region, at: self.samples });
        }
    }

    fn block(&mut self, b: Block, on_event: &mut impl FnMut(ProgressEvent)) {
        // Silence and voice.
        self.active = (self.active << 1) | (b == Block::Active) as u64;
        self.blocks += 1;
        self.quiet_run = if b == Block::Quiet { self.quiet_run.saturating_add(1) } else { 0 };
        if self.quiet_run >= 13 * BLOCKS_PER_S / 2 {
            self.establish(Tone::Silence, None, on_event);
        }
        if self.voice() {
            self.establish(Tone::Voice, None, on_event);
        }
        // Cadence: runs of tone and no tone.
        let (on, class) = match b {
            Block::Tone(c) => (true, Some(c)),
            _ => (false, None),
        };
        if on == self.seg_on {
            self.seg_len = self.seg_len.saturating_add(1 + self.pending);
            for i in 0..4 {
                self.seg_counts[i] += self.pending_counts[i];
            }
            self.pending = 0;
            self.pending_counts = [0; 4];
            if let Some(c) = class {
                self.seg_counts[c as usize] += 1;
            }
        } else {
            self.pending += 1;
            if let Some(c) = class {
                self.pending_counts[c as usize] += 1;
            }
            if self.pending >= 2 {
                let closed = Segment { on: self.seg_on, blocks: self.seg_len, class: self.majority() };
                self.history.rotate_left(1);
                self.history[3] = Some(closed);
                self.seg_on = on;
                self.seg_len = self.pending;
                self.seg_counts = self.pending_counts;
                self.pending = 0;
                self.pending_counts = [0; 4];
                self.cadence(on_event);
            }
        }
        if self.seg_on {
            let c = self.majority();
            let need = if c == Class::NaDial { BLOCKS_PER_S } else { 3 * BLOCKS_PER_S };
            if matches!(c, Class::NaDial | Class::Single) && self.seg_len >= need {
                self.establish(Tone::DialTone, Some(c.region()), on_event);
            }
        }
    }

    /// Voice: in the last second, 16 active blocks, whose levels span 6 dB or more (a new steady
    /// sound, noise or a modem's signal, is loud before it becomes the background, but level).
    fn voice(&self) -> bool {
        let mask = (1u64 << VOICE_WINDOW) - 1;
        if (self.active & mask).count_ones() < VOICE_BLOCKS {
            return false;
        }
        let (mut lo, mut hi) = (f32::MAX, 0.0f32);
        for i in 0..VOICE_WINDOW as u64 {
            if self.active >> i & 1 != 0 {
                let p = self.powers[((self.blocks - 1 - i) % VOICE_WINDOW as u64) as usize];
                lo = lo.min(p);
                hi = hi.max(p);
            }
        }
        hi >= 4.0 * lo
    }

    /// The class most blocks of the open run had.
    fn majority(&self) -> Class {
        let mut best = Class::Single;
        for c in Class::ALL {
            if self.seg_counts[c as usize] > self.seg_counts[best as usize] {
                best = c;
            }
        }
        best
    }

    /// A run has just closed: does the cadence match a tone?
    fn cadence(&mut self, on_event: &mut impl FnMut(ProgressEvent)) {
        let [a, b, c, d] = self.history;
        let (Some(on), Some(off)) = (c, d) else { return };
        if !on.on || off.on {
            return;
        }
        let ringback = match on.class {
            Class::NaRingback => within(on.blocks, 1600, 2400) && within(off.blocks, 3200, 4800),
            Class::Single => within(on.blocks, 540, 1800) && within(off.blocks, 2400, 6000),
            _ => false,
        };
        if ringback {
            self.establish(Tone::Ringback, Some(on.class.region()), on_event);
            return;
        }
        let (Some(on1), Some(off1)) = (a, b) else { return };
        if !matches!(on.class, Class::NaBusy | Class::Single) || on1.class != on.class || !on1.on || off1.on {
            return;
        }
        let all = |lo, hi| [on1, off1, on, off].iter().all(|s| within(s.blocks, lo, hi));
        if all(400, 600) {
            self.establish(Tone::Busy, Some(on.class.region()), on_event);
        } else if all(160, 300) {
            self.establish(Tone::Reorder, Some(on.class.region()), on_event);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::signals::{add_noise, ms, noise, speech_like};

    fn run(x: &[f32]) -> Vec<ProgressEvent> {
        let mut d = CallProgressDetector::new();
        let mut ev = Vec::new();
        for block in x.chunks(97) {
            d.process(block, |e| ev.push(e));
        }
        ev
    }

    fn tone(tone: Tone, region: Region, level: f32, secs: f32) -> Vec<f32> {
        let mut g = ProgressToneGenerator::new(tone, region, level).unwrap();
        let mut x = vec![0.0; (secs * 8000.0) as usize];
        g.process(&mut x);
        x
    }

    fn cadence(freqs: [f32; 2], on_ms: u32, off_ms: u32, secs: f32) -> Vec<f32> {
        let mut g = ProgressToneGenerator::from_spec(ToneSpec { freqs, on_ms, off_ms }, -16.0);
        let mut x = vec![0.0; (secs * 8000.0) as usize];
        g.process(&mut x);
        x
    }

    fn tones_only(ev: &[ProgressEvent]) -> Vec<(Tone, Option<Region>)> {
        ev.iter().map(|e| (e.tone, e.region)).collect()
    }

    const CASES: [(Tone, f32); 4] =
        [(Tone::DialTone, 5.0), (Tone::Ringback, 13.0), (Tone::Busy, 4.0), (Tone::Reorder, 3.0)];

    #[test]
    fn recognises_each_tone_of_each_plan() {
        for region in [Region::NorthAmerica, Region::Europe] {
            for (t, secs) in CASES {
                let x = tone(t, region, -16.0, secs);
                let ev = run(&x);
                assert_eq!(tones_only(&ev), vec![(t, Some(region))], "{t:?} {region:?}: {ev:?}");
                let at = ev[0].at as f32 / 8000.0;
                let limit = match (t, region) {
                    (Tone::DialTone, Region::NorthAmerica) => 1.1,
                    (Tone::DialTone, Region::Europe) => 3.1,
                    (Tone::Ringback, Region::NorthAmerica) => 6.2,
                    (Tone::Ringback, Region::Europe) => 5.2,
                    (Tone::Busy, _) => 2.1,
                    _ => 1.1,
                };
                assert!(at <= limit, "{t:?} {region:?} at {at} s");
            }
        }
    }

    #[test]
    fn recognises_tones_in_noise_and_at_low_level() {
        for region in [Region::NorthAmerica, Region::Europe] {
            for (t, secs) in CASES {
                for seed in 0..3 {
                    let mut x = tone(t, region, -20.0, secs);
                    add_noise(&mut x, dbm0_to_power(-20.0), 20.0, seed);
                    let ev = run(&x);
                    assert_eq!(tones_only(&ev), vec![(t, Some(region))], "{t:?} {region:?} seed {seed}: {ev:?}");
                }
                let x = tone(t, region, -34.0, secs);
                assert_eq!(tones_only(&run(&x)), vec![(t, Some(region))], "{t:?} {region:?} at -34 dBm0");
            }
        }
    }

    #[test]
    fn cadence_and_frequency_tolerances() {
        // +-20 % on the busy and reorder cadences, and the other European congestion cadence.
        for (on, off, want) in
            [(420, 580, Tone::Busy), (580, 420, Tone::Busy), (210, 290, Tone::Reorder), (250, 250, Tone::Reorder)]
        {
            for f in [[480.0, 620.0], [425.0, 0.0]] {
                let ev = run(&cadence(f, on, off, 4.0));
                assert_eq!(ev.len(), 1, "{on}/{off} {f:?}: {ev:?}");
                assert_eq!(ev[0].tone, want, "{on}/{off} {f:?}");
            }
        }
        // Out of every range: no tone.
        for (on, off) in [(350, 350), (700, 700), (120, 120), (1000, 1000)] {
            let ev = run(&cadence([480.0, 620.0], on, off, 6.0));
            assert!(ev.is_empty(), "{on}/{off}: {ev:?}");
        }
        // The European tone 15 Hz off, and North American pairs 1.5 % off.
        for f in [410.0, 440.0] {
            assert_eq!(run(&cadence([f, 0.0], 500, 500, 4.0))[0].tone, Tone::Busy, "{f}");
        }
        assert_eq!(run(&cadence([480.0 * 1.015, 620.0 * 1.015], 500, 500, 4.0))[0].tone, Tone::Busy);
        assert_eq!(run(&cadence([350.0 * 0.985, 440.0 * 0.985], 1000, 0, 2.0))[0].tone, Tone::DialTone);
        // A single 480 Hz tone in a busy cadence is no known tone (nor voice: its level is steady).
        let ev = run(&cadence([480.0, 0.0], 500, 500, 4.0));
        assert!(ev.is_empty(), "{ev:?}");
    }

    #[test]
    fn ringback_then_answer_then_silence() {
        let mut x = tone(Tone::Ringback, Region::NorthAmerica, -19.0, 12.5);
        x.extend(speech_like(ms(3_000), -15.0, 4));
        x.extend(vec![0.0; ms(7_000)]);
        let ev = run(&x);
        let t: Vec<Tone> = ev.iter().map(|e| e.tone).collect();
        assert_eq!(t, vec![Tone::Ringback, Tone::Voice, Tone::Silence], "{ev:?}");
        // Voice within 0.8 s of the answer (the speech may begin with a pause).
        let answer = ms(12_500) as u64;
        assert!(ev[1].at > answer && ev[1].at < answer + ms(800) as u64, "{ev:?}");
    }

    #[test]
    fn a_steady_sound_after_silence_is_no_voice() {
        // Noise that starts after digital silence, then after quiet line noise, and an answer tone.
        let mut x = vec![0.0; ms(2_000)];
        x.extend(noise(ms(8_000), -30.0, 5));
        assert!(run(&x).is_empty(), "{:?}", run(&x));
        let mut x = noise(ms(2_000), -65.0, 6);
        x.extend(noise(ms(8_000), -25.0, 7));
        assert!(run(&x).is_empty());
        // Speech in that noise is voice.
        let mut s = speech_like(ms(4_000), -15.0, 8);
        add_noise(&mut s, dbm0_to_power(-15.0), 15.0, 9);
        x.extend(s);
        assert_eq!(tones_only(&run(&x)), vec![(Tone::Voice, None)]);
    }

    #[test]
    fn noise_is_no_tone_and_no_voice() {
        for (seed, level) in [(1, -20.0), (2, -35.0), (3, -60.0)] {
            let ev = run(&noise(ms(12_000), level, seed));
            assert!(ev.iter().all(|e| e.tone == Tone::Silence), "{level}: {ev:?}");
        }
        // Quiet noise is silence.
        assert_eq!(tones_only(&run(&noise(ms(8_000), -60.0, 4))), vec![(Tone::Silence, None)]);
    }

    #[test]
    fn speech_is_voice_and_no_tone() {
        for seed in 0..4 {
            let ev = run(&speech_like(ms(10_000), -15.0, seed));
            assert_eq!(tones_only(&ev), vec![(Tone::Voice, None)], "seed {seed}: {ev:?}");
        }
    }

    #[test]
    fn answer_tones_are_not_progress_tones() {
        use crate::tones::{AnswerTone, AnswerToneGenerator};
        for kind in [AnswerTone::Ans, AnswerTone::AnsPr, AnswerTone::AnsAm, AnswerTone::AnsAmPr, AnswerTone::Bell2225] {
            let mut g = AnswerToneGenerator::new(kind, -13.0);
            // After a second of silence, and from the very start.
            let mut x = vec![0.0; ms(1_000)];
            let mut t = vec![0.0; ms(5_000)];
            g.process(&mut t);
            x.extend_from_slice(&t);
            assert!(run(&x).is_empty(), "{kind:?}: {:?}", run(&x));
            assert!(run(&t).is_empty(), "{kind:?}");
        }
    }

    #[test]
    fn generator_levels_and_cadence() {
        let x = tone(Tone::Busy, Region::NorthAmerica, -16.0, 2.0);
        let on = crate::sim::signals::power(&x[ms(100)..ms(400)]);
        assert!((crate::dsp::power_to_dbm0(on) + 16.0).abs() < 0.1);
        assert!(x[ms(510)..ms(990)].iter().all(|&v| v == 0.0));
        assert!(x[ms(1100)..ms(1400)].iter().any(|&v| v != 0.0));
        assert!(ProgressToneGenerator::new(Tone::Voice, Region::Europe, -10.0).is_none());
        assert_eq!(ToneSpec::of(Tone::Ringback, Region::NorthAmerica).unwrap().freqs, [440.0, 480.0]);
    }
}
