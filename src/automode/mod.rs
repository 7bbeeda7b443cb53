//! Automode: the start of a call before a modulation is chosen, in both roles.
//!
//! An answering modem ([`Answerer`]) waits out the billing delay, sends the answer tone (V.25
//! ANS: 2100 Hz with phase reversals every 450 ms), and then offers in turn the first signal of
//! every modulation it may use, listening all the while for what the caller sends:
//!
//! | phase | the answerer sends | it listens for | and then |
//! |---|---|---|---|
//! | DPSK | V.22/V.22bis unscrambled ones (2250 Hz) | S1 or scrambled ones at 1200 bit/s | V.22bis or V.22 start-up |
//! | V.21 | 1650 Hz (V.21 channel 2 mark) | 980 Hz (channel 1 mark) | V.21 |
//! | Bell | 2225 Hz (Bell answer tone, the Bell 103 answering mark) | scrambled ones at 1200 bit/s, or 1270 Hz (Bell 103 originating mark) | Bell 212A or Bell 103 |
//! | V.23 | 1300 Hz (V.23 forward channel mark) | 390 Hz (backward channel mark) | V.23 |
//!
//! In every phase it also takes the steady mark of any other allowed FSK caller (some callers
//! send theirs as soon as they hear any answer signal; a V.21 caller's, only when the V.21
//! demodulator gives 100 ms of marks in a row, for V.8's menus are on the same channel), and the
//! phases repeat until a caller is found. This follows the scheme vendors describe for multi-standard answering (answer tones in
//! turn, fastest first, each followed by listening for the matching caller signal) and V.25's
//! answer sequence; the V.32bis Annex A text itself was not available.
//!
//! With [`Config::v8`](crate::modem::Config::v8) the answer tone is V.8's ANSam: a caller that
//! sends CM within it gets V.8's choice at once (the offer of that modulation starts), one that
//! does not meets the sequence above. A V.8 caller answers ANSam with CM, and on JM goes on with
//! the modulation chosen; without V.8 it treats ANSam as a plain answer tone and waits for what
//! follows, as V.8 allows a caller that has nothing to gain from it.
//!
//! A calling modem ([`Caller`]) stays silent and classifies what it hears: an ITU answer tone
//! (waited out), V.22/V.22bis unscrambled ones or the Bell 2225 Hz tone (it starts the V.22bis
//! start-up, which also suits a V.22 or Bell 212A answerer), a steady 1650 Hz (V.21), a steady
//! 1300 Hz (V.23), or a steady 2225 Hz that never answers the DPSK start-up, or Bell 103 data in
//! its place from an answerer that took the start-up for its caller (Bell 103). Data in V.21's
//! channel No. 2 or in the Bell 103 answer channel (an answerer whose terminal sends at once,
//! with no steady mark first) is recognised as soon as the channel's receiver has it, and the
//! bits received so far go with the hand-over. It needs no answer tone at all: some answerers
//! send none.
//!
//! Both hand over to the chosen modulation's own engine ([`Handoff`]) without a break in the
//! signal, so the data modem carries on from the very sample the choice was made.

pub mod answer;
pub mod call;

pub use answer::Answerer;
pub use call::Caller;

use crate::dsp::{dbm0_to_power, Complex, SAMPLE_RATE};
use crate::fsk;
use crate::time::Duration;
use crate::types::{Family, Modes, Role};
use crate::v22bis::pump::{self, Pump};
use crate::v22bis::GuardTone;

/// How a start-up is set up.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// The families the modem may use (one family alone for a modem of a fixed family that
    /// starts with the answer tone).
    pub modes: Modes,
    /// Transmit level in dBm0.
    pub level_dbm0: f32,
    /// V.22/V.22bis answering: the guard tone.
    pub guard: GuardTone,
    /// Answering: wait the billing delay, then send the V.25 answer tone before the first offer.
    /// (A caller always recognises an answer tone, and needs none.)
    pub answer_tone: bool,
    /// Answering with the answer tone: the silence after going off-hook before it (V.25's
    /// billing delay, 1.8 to 2.5 s).
    pub answer_delay: Duration,
    /// V.8: answering, the answer tone is ANSam and a caller's CM is answered with JM; calling,
    /// ANSam is answered with CM. Only the V.8 modes of `modes` are offered.
    pub v8: bool,
}

impl Default for Config {
    /// Every family, -13 dBm0, no guard tone, the answer tone after 2 s, no V.8.
    fn default() -> Self {
        Config {
            modes: Modes::ALL,
            level_dbm0: -13.0,
            guard: GuardTone::None,
            answer_tone: true,
            answer_delay: Duration::from_ms(2000),
            v8: false,
        }
    }
}

impl Config {
    /// The V.22/V.22bis pump's set-up for `family` (V.22bis, V.22 or Bell 212A) in `role`.
    pub fn pump_config(&self, family: Family, role: Role) -> pump::Config {
        pump::Config::for_family(family, role, self.level_dbm0, self.guard)
    }
}

/// The start of a call in either role: what a [`crate::modem::Modem`] runs until a modulation is
/// chosen.
// Kept behind one Box by its users, so the variants' sizes do not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
pub enum Startup {
    /// Answering.
    Answer(Answerer),
    /// Calling.
    Call(Caller),
}

impl Startup {
    /// The start-up for `role`, set up by `config`.
    pub fn new(role: Role, config: &Config) -> Startup {
        match role {
            Role::Answer => Startup::Answer(Answerer::new(config)),
            Role::Call => Startup::Call(Caller::new(config)),
        }
    }

    /// Hears `rx` from the line and fills `tx` (same length; the shorter sets the count).
    pub fn process(&mut self, rx: &[f32], tx: &mut [f32]) {
        match self {
            Startup::Answer(a) => a.process(rx, tx),
            Startup::Call(c) => c.process(rx, tx),
        }
    }

    /// The next progress report, if any.
    pub fn poll_progress(&mut self) -> Option<Progress> {
        match self {
            Startup::Answer(a) => a.poll_progress(),
            Startup::Call(c) => c.poll_progress(),
        }
    }

    /// The engine chosen, once the far modem has been recognised.
    pub fn take_handoff(&mut self) -> Option<Handoff> {
        match self {
            Startup::Answer(a) => a.take_handoff(),
            Startup::Call(c) => c.take_handoff(),
        }
    }

    /// True once the start-up has handed over (or has nothing to offer).
    pub fn is_done(&self) -> bool {
        match self {
            Startup::Answer(a) => a.is_done(),
            Startup::Call(c) => c.is_done(),
        }
    }
}

/// The engine a start-up hands over to once the modulation is chosen.
#[derive(Debug, Clone)]
pub enum Handoff {
    /// An FSK modem: its transmitter (already sending whatever the start-up left it sending) and
    /// receiver (already hearing the far carrier).
    Fsk {
        /// The family chosen.
        family: Family,
        /// The transmitter.
        tx: fsk::Transmitter,
        /// The receiver.
        rx: Box<fsk::Receiver>,
        /// The far modem's carrier has been recognised already: connect at once.
        qualified: bool,
        /// The bits `rx` has given since it found the far modem's carrier, oldest first, for the
        /// character receiver to take before what follows (empty if it has given none, or if it
        /// has been listening too long for them to be kept).
        heard: Vec<u8>,
    },
    /// The V.22/V.22bis pump, in the middle of its start-up.
    Dpsk {
        /// The family the start-up is heading for (V.22bis, V.22 or Bell 212A; the pump settles
        /// the rate).
        family: Family,
        /// The pump.
        pump: Box<Pump>,
    },
}

impl Handoff {
    /// The family chosen.
    pub fn family(&self) -> Family {
        match self {
            Handoff::Fsk { family, .. } | Handoff::Dpsk { family, .. } => *family,
        }
    }
}

/// What a start-up reports on the way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// The answer tone began (answerer) or was recognised (caller).
    AnswerTone,
    /// The answerer is offering this family's first signal.
    Offering(Family),
    /// The far modem was recognised as this family's.
    Detected(Family),
    /// V.8 chose this family's modulation (V.22bis stands for V.22bis and V.22).
    V8(Family),
}

impl core::fmt::Display for Progress {
    /// A status line: `ANSWER TONE`, `OFFERING V.21`, `DETECTED V.22bis`.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Progress::AnswerTone => write!(f, "ANSWER TONE"),
            Progress::Offering(m) => write!(f, "OFFERING {}", m.title()),
            Progress::Detected(m) => write!(f, "DETECTED {}", m.title()),
            Progress::V8(m) => write!(f, "V.8 CHOSE {}", m.title()),
        }
    }
}

/// For a `block` ending in a steady tone of `freq_hz`, the phase (in cycles of a sine) the tone
/// will have at the sample after the block; `None` for a silent block.
pub(crate) fn next_phase(block: &[f32], freq_hz: f32) -> Option<f64> {
    let w = core::f64::consts::TAU * freq_hz as f64 / SAMPLE_RATE as f64;
    // Least squares fit of a cos(w n) + b sin(w n) (a plain correlation would be upset by the
    // tone's negative-frequency image over so short a block).
    let (mut cc, mut ss, mut cs, mut xc, mut xs, mut e) = (0.0f64, 0.0f64, 0.0f64, 0.0f64, 0.0f64, 0.0f64);
    for (n, &x) in block.iter().enumerate() {
        let (c, s) = ((w * n as f64).cos(), (w * n as f64).sin());
        let x = x as f64;
        cc += c * c;
        ss += s * s;
        cs += c * s;
        xc += x * c;
        xs += x * s;
        e += x * x;
    }
    let det = cc * ss - cs * cs;
    if e <= 1e-12 || det.abs() < 1e-9 {
        return None;
    }
    let a = (xc * ss - xs * cs) / det;
    let b = (xs * cc - xc * cs) / det;
    // a cos + b sin = R cos(w n + theta) with theta = atan2(-b, a); a sine's phase is a quarter
    // cycle on from a cosine's.
    let theta = (-b).atan2(a) + w * block.len() as f64;
    Some(theta / core::f64::consts::TAU + 0.25)
}

/// Recognises a steady tone (an FSK modem's idle mark) on the line, and tells it from speech,
/// noise, modulated data and other tones.
///
/// Every 40 ms it measures, through a Hann window, the power at the tone's frequency and 100 Hz
/// either side. A steady tone puts nearly all of it in the middle bin (the Hann window's nulls
/// fall on the side bins; the main lobe is 50 Hz wide either side, so a tone up to about 15 Hz
/// off still counts); wideband signals such as DPSK, FSK data or noise spread it evenly, and a
/// tone 70 Hz away (the 1200 Hz line of V.22bis S1 next to Bell 103's 1270 Hz mark) falls in a
/// side bin. A block counts when the middle bin holds at least [`ToneWatch::PURITY`] of the
/// three and the tone is at least [`ToneWatch::MIN_DBM0`]; the tone is present after `qualify`
/// such blocks in a row.
#[derive(Debug, Clone)]
pub struct ToneWatch {
    freq: f32,
    /// Per-bin phase step for f - 100, f, f + 100 Hz.
    rot: [Complex; 3],
    ph: [Complex; 3],
    acc: [Complex; 3],
    n: usize,
    run: u32,
    qualify: u32,
    present: bool,
}

/// Samples per measurement block (40 ms).
const BLOCK: usize = 320;
/// Distance of the side bins, Hz.
const SIDE_HZ: f32 = 100.0;

impl ToneWatch {
    /// Share of the three bins' power the middle bin must hold.
    pub const PURITY: f32 = 0.8;
    /// Weakest tone that counts, dBm0.
    pub const MIN_DBM0: f32 = -43.0;

    /// Watches for `freq_hz`, present after `qualify` of it (rounded up to 40 ms blocks).
    pub fn new(freq_hz: f32, qualify: Duration) -> Self {
        let step = |f: f32| Complex::from_polar(1.0, -core::f32::consts::TAU * f / SAMPLE_RATE as f32);
        ToneWatch {
            freq: freq_hz,
            rot: [step(freq_hz - SIDE_HZ), step(freq_hz), step(freq_hz + SIDE_HZ)],
            ph: [Complex::new(1.0, 0.0); 3],
            acc: [Complex::ZERO; 3],
            n: 0,
            run: 0,
            qualify: qualify.samples().div_ceil(BLOCK as u32).max(1),
            present: false,
        }
    }

    /// The frequency watched.
    pub fn freq(&self) -> f32 {
        self.freq
    }

    /// True while the tone has been present for the qualifying time.
    pub fn present(&self) -> bool {
        self.present
    }

    /// Forgets what was heard.
    pub fn reset(&mut self) {
        self.acc = [Complex::ZERO; 3];
        self.n = 0;
        self.run = 0;
        self.present = false;
    }

    /// Hears `input`.
    pub fn process(&mut self, input: &[f32]) {
        for &x in input {
            let x = if x.is_finite() { x } else { 0.0 };
            let w = 0.5 - 0.5 * (core::f32::consts::TAU * (self.n as f32 + 0.5) / BLOCK as f32).cos();
            for k in 0..3 {
                self.acc[k] += self.ph[k] * (x * w);
                self.ph[k] *= self.rot[k];
            }
            self.n += 1;
            if self.n == BLOCK {
                self.end_block();
            }
        }
    }

    fn end_block(&mut self) {
        let p = [self.acc[0].norm_sqr(), self.acc[1].norm_sqr(), self.acc[2].norm_sqr()];
        // A tone of power P (amplitude sqrt(2P)) gives |acc| = sqrt(2P) * sum(w) / 2 with
        // sum(w) = BLOCK / 2, so P = 8 |acc|^2 / BLOCK^2.
        let scale = 8.0 / (BLOCK as f32 * BLOCK as f32);
        let tone_power = p[1] * scale;
        let total = p[0] + p[1] + p[2];
        let good = total > 0.0 && p[1] >= Self::PURITY * total && tone_power >= dbm0_to_power(Self::MIN_DBM0);
        self.run = if good { self.run.saturating_add(1) } else { 0 };
        self.present = self.run >= self.qualify;
        self.acc = [Complex::ZERO; 3];
        self.n = 0;
        // Keep the oscillators on the unit circle.
        for ph in &mut self.ph {
            let m = ph.norm_sqr().sqrt();
            if m > 0.0 {
                *ph = *ph * (1.0 / m);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dsp::{dbm0_to_peak, Nco};
    use crate::modem::{Config as ModemConfig, Modem};
    use crate::sim::call::BackToBack;
    use crate::sim::line::{Impairments, Line};

    fn tone(f: f32, dbm0: f32, n: usize) -> Vec<f32> {
        let mut nco = Nco::new(f, SAMPLE_RATE as f32);
        let a = dbm0_to_peak(dbm0);
        (0..n).map(|_| a * nco.next_cos()).collect()
    }

    #[test]
    fn modes_sets() {
        let m = Modes::only(Family::V21).with(Family::Bell103);
        assert!(m.contains(Family::V21) && m.contains(Family::Bell103) && !m.contains(Family::V22));
        assert!(!m.any_dpsk());
        assert!(Modes::ALL.any_dpsk() && !Modes::ALL.contains(Family::Bell202));
        assert_eq!(Modes::ALL.iter().next(), Some(Family::V22bis));
        assert!(m.without(Family::V21).without(Family::Bell103).is_empty());
    }

    #[test]
    fn tone_watch_hears_steady_tones_only() {
        for f in [390.0, 980.0, 1270.0, 1300.0, 1650.0, 2225.0] {
            let mut w = ToneWatch::new(f, Duration::from_ms(100));
            w.process(&tone(f + 15.0, -40.0, 1600));
            assert!(w.present(), "{f} Hz");
            // 70 Hz off is another tone.
            for off in [-70.0, 70.0, 100.0] {
                let mut w = ToneWatch::new(f, Duration::from_ms(100));
                w.process(&tone(f + off, -10.0, 4000));
                assert!(!w.present(), "{f} Hz vs {} Hz", f + off);
            }
            let mut w = ToneWatch::new(f, Duration::from_ms(100));
            w.process(&tone(f, -50.0, 4000));
            assert!(!w.present(), "{f} Hz too weak");
        }
    }

    #[test]
    fn next_phase_continues_a_tone() {
        for (f, phi) in [(2250.0f32, 0.3f64), (1650.0, 2.0), (2100.0, -1.0)] {
            let w = core::f64::consts::TAU * f as f64 / SAMPLE_RATE as f64;
            let x: Vec<f32> = (0..80).map(|n| (0.3 * (w * n as f64 + phi).cos()) as f32).collect();
            let p = next_phase(&x[..40], f).unwrap();
            // The sine at phase p is the cosine 40 samples on.
            let want = (w * 40.0 + phi).cos();
            assert!(((core::f64::consts::TAU * p).sin() - want).abs() < 1e-3, "{f} Hz");
        }
        assert_eq!(next_phase(&[0.0; 40], 1000.0), None);
    }

    #[test]
    fn tone_watch_ignores_modulated_signals_and_noise() {
        // A V.22bis caller's start-up and data, and noise, at the watched frequencies.
        let mut call = BackToBack::new(
            Modem::new(ModemConfig::new(Family::V22bis, Role::Call)),
            Modem::new(ModemConfig::new(Family::V22bis, Role::Answer)),
            Line::symmetric(Impairments::default().with_snr(30.0, -13.0), 5),
        );
        call.a.write(&[0x55; 2000]);
        let mut watches: Vec<ToneWatch> =
            [980.0, 1270.0, 1300.0].iter().map(|&f| ToneWatch::new(f, Duration::from_ms(100))).collect();
        for _ in 0..300 {
            call.step();
            for w in &mut watches {
                w.process(call.b_heard());
                assert!(!w.present(), "{} Hz in a V.22bis caller's signal", w.freq());
            }
        }
        let mut rng = crate::sim::rng::Rng::new(3);
        let noise: Vec<f32> = (0..16000).map(|_| 0.1 * rng.gaussian()).collect();
        for w in &mut watches {
            w.process(&noise);
            assert!(!w.present());
        }
    }
}

#[cfg(test)]
mod calls;
