//! The calling modem's start-up: listen, recognise the answerer, go on with its modulation (see
//! the [module documentation](super)).

use super::{Config, Handoff, Progress, ToneWatch};
use crate::bits::BitSink;
use crate::dsp::{Complex, SAMPLE_RATE};
use crate::fsk;
use crate::time::Duration;
use crate::tones::{AnswerEvent, AnswerTone, AnswerToneDetector};
use crate::types::{Family, Modes, Role};
use crate::v22bis::pump::{Phase as PumpPhase, Pump};
use crate::v8;

/// A steady answer mark (1650, 1300 or 2225 Hz) must be heard this long.
pub const MARK_QUALIFY: Duration = Duration::from_ms(200);
/// After the DPSK start-up began on a Bell 2225 Hz tone, how long it may go without reaching
/// data before the answerer is taken for a Bell 103 modem.
pub const BELL_FALLBACK: Duration = Duration::from_ms(3000);
/// After the DPSK start-up began on a Bell 2225 Hz tone, how long the tone may stay steady before
/// the answerer is taken for a Bell 103 modem: the start-up's 456 ms of silence and 100 ms of
/// S1, then 270 +- 40 ms in which a Bell 212A (or V.22) answerer hears its scrambled ones and
/// answers them with its own, and a little for both ends to hear. A Bell 103 answerer does not
/// answer; it may instead take the start-up's signal for an originating carrier, and one
/// (slmodemd's) that has heard it for 0.7 s or so connects and never demodulates the 1270 Hz
/// mark that follows: the sooner the better.
pub const BELL_NO_ANSWER: Duration = Duration::from_ms(1000);
/// A steady 2225 Hz the DPSK start-up has not taken up after this long is a Bell 103 answerer.
pub const BELL_IGNORED: Duration = Duration::from_ms(1500);

/// How long after the DPSK start-up began the caller still listens for the Bell tone.
const TELL_BELL: Duration = Duration::from_ms(300);

/// Whether a steady 2225 Hz is there now, within a few milliseconds (the [`ToneWatch`] decides
/// on 40 ms blocks): a Bell 212A answerer that has just stopped its tone to answer the DPSK
/// start-up must not be taken for a Bell 103 one ([`BELL_NO_ANSWER`]).
#[derive(Debug, Clone)]
struct ToneNow {
    ph: Complex,
    rot: Complex,
    /// The signal moved down by the tone's frequency, low-passed (about 40 Hz wide).
    narrow: Complex,
    /// Mean square of the signal.
    power: f32,
    /// Samples in a row the tone has held the narrow band.
    run: u32,
}

impl ToneNow {
    fn new(freq_hz: f32) -> Self {
        let w = -core::f32::consts::TAU * freq_hz / SAMPLE_RATE as f32;
        ToneNow {
            ph: Complex::new(1.0, 0.0),
            rot: Complex::from_polar(1.0, w),
            narrow: Complex::ZERO,
            power: 0.0,
            run: 0,
        }
    }

    fn process(&mut self, rx: &[f32]) {
        // One-pole smoothing: 40 Hz for the tone, about 10 ms for the power.
        const A: f32 = 0.031;
        const B: f32 = 0.0125;
        for &x in rx {
            let x = if x.is_finite() { x } else { 0.0 };
            self.narrow = self.narrow + (self.ph * x - self.narrow) * A;
            self.ph *= self.rot;
            self.power += (x * x - self.power) * B;
            // A tone of amplitude a leaves |narrow| = a / 2 and power a^2 / 2; a modulated
            // signal spread over hundreds of hertz leaves little in the narrow band.
            let tone = self.power > 0.0 && 2.0 * self.narrow.norm_sqr() >= 0.8 * self.power;
            self.run = if tone { self.run.saturating_add(1) } else { 0 };
        }
        let m = self.ph.norm_sqr().sqrt();
        if m > 0.0 {
            self.ph = self.ph * (1.0 / m);
        }
    }

    /// The tone has held for the last 20 ms.
    fn steady(&self) -> bool {
        self.run >= 160
    }
}

struct Drop;
impl BitSink for Drop {
    fn put_bit(&mut self, _bit: u8, _soft: f32) {}
}

/// The calling side of automode. Feed it the line with [`Caller::process`]; once
/// [`Caller::take_handoff`] returns the chosen engine, the start-up is over.
#[derive(Debug, Clone)]
pub struct Caller {
    config: Config,
    modes: Modes,
    tones: AnswerToneDetector,
    /// The V.22/V.22bis (or Bell 212A) start-up, listening for unscrambled ones.
    pump: Option<Box<Pump>>,
    /// The family the pump was set up as.
    dpsk_family: Family,
    /// Samples since the pump's start-up began.
    dpsk_time: Duration,
    /// Samples a steady 2225 Hz has been present while the pump waited.
    bell_time: Duration,
    /// The answer tone detector took the answerer's signal for the Bell tone.
    bell_heard: bool,
    /// An ITU answer tone was heard.
    itu_heard: bool,
    /// V.21 channel 2 mark (1650 Hz), V.23 forward mark (1300 Hz), Bell 103 answer mark (2225 Hz).
    watch: [ToneWatch; 3],
    /// 2225 Hz right now.
    bell_now: ToneNow,
    /// V.8 ([`Config::v8`]): started when ANSam is recognised, in charge of the line until it
    /// ends.
    v8: Option<Box<v8::Caller>>,
    handoff: Option<Handoff>,
    done: bool,
    progress: crate::queue::Fifo<Progress, 4>,
}

impl Caller {
    /// A caller set up by `config`, recognising answerers of its `modes`, starting as the call
    /// is placed.
    pub fn new(config: &Config) -> Self {
        let modes = config.modes;
        let dpsk_family = if modes.contains(Family::V22bis) {
            Family::V22bis
        } else if modes.contains(Family::V22) {
            Family::V22
        } else {
            Family::Bell212A
        };
        let pump = modes.any_dpsk().then(|| Box::new(Pump::new(config.pump_config(dpsk_family, Role::Call))));
        Caller {
            config: config.clone(),
            modes,
            tones: AnswerToneDetector::new(),
            pump,
            dpsk_family,
            dpsk_time: Duration::ZERO,
            bell_time: Duration::ZERO,
            bell_heard: false,
            itu_heard: false,
            watch: [1650.0, 1300.0, 2225.0].map(|f| ToneWatch::new(f, MARK_QUALIFY)),
            bell_now: ToneNow::new(fsk::BELL103_ANSWER.mark),
            v8: (config.v8 && !v8::Modulations::for_modes(modes).is_empty()).then(|| {
                Box::new(v8::Caller::new(v8::call::Config {
                    modulations: v8::Modulations::for_modes(modes),
                    level_dbm0: config.level_dbm0,
                    ..v8::call::Config::default()
                }))
            }),
            handoff: None,
            done: modes.is_empty(),
            progress: crate::queue::Fifo::new(),
        }
    }

    /// The next progress report, if any.
    pub fn poll_progress(&mut self) -> Option<Progress> {
        self.progress.pop()
    }

    fn report(&mut self, p: Progress) {
        self.progress.push(p);
    }

    /// The engine chosen, once the answerer has been recognised.
    pub fn take_handoff(&mut self) -> Option<Handoff> {
        self.handoff.take()
    }

    /// True once the start-up has handed over.
    pub fn is_done(&self) -> bool {
        self.done
    }

    /// The answer tone heard so far, if any.
    pub fn answer_tone(&self) -> Option<AnswerTone> {
        self.tones.current()
    }

    /// Hears `rx` from the line and fills `tx` (same length; the shorter sets the count).
    pub fn process(&mut self, rx: &[f32], tx: &mut [f32]) {
        let n = rx.len().min(tx.len());
        let mut i = 0;
        while i < n {
            let m = (n - i).min(40);
            self.block(&rx[i..i + m], &mut tx[i..i + m]);
            i += m;
        }
        tx[n..].iter_mut().for_each(|v| *v = 0.0);
    }

    fn block(&mut self, rx: &[f32], tx: &mut [f32]) {
        tx.iter_mut().for_each(|v| *v = 0.0);
        if self.done {
            return;
        }
        let m = Duration::from_samples(rx.len() as u32);
        let mut heard = None;
        self.tones.process(rx, |e| {
            if let AnswerEvent::Answer { kind, .. } = e {
                heard = Some(kind);
            }
        });
        if let (Some(AnswerTone::AnsAm | AnswerTone::AnsAmPr), Some(v)) = (heard, &mut self.v8) {
            if v.state() == v8::call::State::WaitingForAnswerTone {
                v.answer_tone_detected();
            }
        }
        if self.v8_block(rx, tx) {
            return;
        }
        if let Some(kind) = heard {
            if kind == AnswerTone::Bell2225 {
                self.bell_heard = true;
            } else if !self.itu_heard {
                // Reported once (the detector refines the kind as reversals come).
                self.itu_heard = true;
                self.report(Progress::AnswerTone);
            }
        }
        // While an ITU answer tone lasts, nothing else is taken for the answerer's signal.
        let itu_tone = matches!(self.tones.current(), Some(k) if k != AnswerTone::Bell2225);
        for w in &mut self.watch {
            w.process(rx);
        }
        self.bell_now.process(rx);
        if let Some(p) = &mut self.pump {
            p.process(rx, tx, &mut || 1u8, &mut Drop);
            let started = p.phase() != PumpPhase::Waiting;
            let data = matches!(p.phase(), PumpPhase::Data(_));
            if started {
                self.dpsk_time = self.dpsk_time.saturating_add(m);
            }
            // The answerer might be a Bell 103 modem whose 2225 Hz mark the DPSK start-up took for
            // unscrambled ones: then it never answers the start-up.
            // The answer tone detector needs a little longer than the pump to tell 2225 Hz from
            // unscrambled ones (2250 Hz); the pump is silent for 456 ms after hearing them, so
            // waiting costs nothing.
            let may_be_bell103 = self.modes.contains(Family::Bell103) && self.bell_heard;
            if started && ((!may_be_bell103 && self.dpsk_time >= TELL_BELL) || p.hearing_data() || data) {
                let family = if self.bell_heard && self.modes.contains(Family::Bell212A) {
                    Family::Bell212A
                } else {
                    self.dpsk_family
                };
                let pump = self.pump.take().expect("pump");
                self.hand_over(Handoff::Dpsk { family, pump });
                return;
            }
            if started && self.dpsk_time >= BELL_FALLBACK && self.watch[2].present() {
                return self.call_fsk(Family::Bell103);
            }
            // A Bell 212A answerer answers the start-up within BELL_NO_ANSWER; a Bell 103 one
            // goes on with its mark.
            if started
                && may_be_bell103
                && self.dpsk_time >= BELL_NO_ANSWER
                && self.watch[2].present()
                && self.bell_now.steady()
            {
                return self.call_fsk(Family::Bell103);
            }
            if !started {
                self.bell_time = if self.watch[2].present() { self.bell_time + m } else { Duration::ZERO };
            }
        }
        if itu_tone {
            return;
        }
        if self.watch[0].present() && self.modes.contains(Family::V21) {
            return self.call_fsk(Family::V21);
        }
        if self.watch[1].present() && self.modes.contains(Family::V23) {
            return self.call_fsk(Family::V23);
        }
        let pump_waiting = self.pump.as_ref().is_some_and(|p| p.phase() == PumpPhase::Waiting);
        if self.watch[2].present()
            && self.modes.contains(Family::Bell103)
            && (self.pump.is_none() || (pump_waiting && self.bell_time >= BELL_IGNORED))
        {
            self.call_fsk(Family::Bell103);
        }
    }

    /// Runs V.8 once it has started; true while it has the line. When it has chosen a
    /// modulation, the DPSK start-up begins afresh (it heard the V.8 signals meanwhile) and the
    /// chosen family is recognised from the answerer's signals as usual.
    fn v8_block(&mut self, rx: &[f32], tx: &mut [f32]) -> bool {
        let Some(v) = &mut self.v8 else { return false };
        if v.state() == v8::call::State::WaitingForAnswerTone {
            return false;
        }
        v.process(rx, tx);
        let mut outcome = None;
        while let Some(e) = v.poll_event() {
            match e {
                v8::Event::Negotiated { modulation } => outcome = Some(modulation.family_in(self.modes)),
                v8::Event::Failed(_) | v8::Event::NoMenu => outcome = Some(None),
                _ => {}
            }
        }
        let Some(chosen) = outcome else { return !v.is_done() };
        self.v8 = None;
        if let Some(family) = chosen {
            self.report(Progress::V8(family));
            if !matches!(family, Family::V22bis | Family::V22) {
                self.pump = None;
            }
        }
        if self.pump.is_some() {
            self.pump = Some(Box::new(Pump::new(self.config.pump_config(self.dpsk_family, Role::Call))));
        }
        for w in &mut self.watch {
            w.reset();
        }
        true
    }

    /// Goes on as the calling `family` FSK modem (silent until it has heard the answerer's
    /// carrier for itself).
    fn call_fsk(&mut self, family: Family) {
        let (tx_spec, rx_spec) = fsk::channels(family, Role::Call).expect("an FSK family");
        let tx = fsk::Transmitter::new(tx_spec, self.config.level_dbm0);
        self.hand_over(Handoff::Fsk { family, tx, rx: Box::new(fsk::Receiver::new(rx_spec)), qualified: false });
    }

    fn hand_over(&mut self, h: Handoff) {
        self.report(Progress::Detected(h.family()));
        self.handoff = Some(h);
        self.pump = None;
        self.done = true;
    }
}
