//! The calling modem's start-up: listen, recognise the answerer, go on with its modulation (see
//! the [module documentation](super)).

use super::{Config, Handoff, Progress, ToneWatch};
use crate::bits::BitSink;
use crate::dsp::fir::{design_bandpass, Fir, Window};
use crate::dsp::SAMPLE_RATE;
use crate::fsk;
use crate::time::Duration;
use crate::tones::{AnswerEvent, AnswerTone, AnswerToneDetector};
use crate::types::{Family, Modes, Role};
use crate::v22bis::pump::{Phase as PumpPhase, Pump};
use crate::v8;

/// A steady answer mark (1650, 1300 or 2225 Hz) must be heard this long.
pub const MARK_QUALIFY: Duration = Duration::from_ms(200);
/// After the DPSK start-up began on a Bell 2225 Hz tone, how long it may go without reaching
/// data before the answerer is taken for a Bell 103 modem: if its 2225 Hz is still steady, or
/// (when the tone was the Bell tone) if the Bell 103 answer channel carries FSK, mark or data. A
/// Bell 103 answerer may take the start-up's signal for an originating carrier, connect and start
/// sending data, so that its 2225 Hz is no longer steady (slmodemd's does, after 0.7 s). Waiting
/// this long keeps a Bell 212A answerer that answers the start-up late, behind a long line delay,
/// from being taken for a Bell 103 one.
pub const BELL_FALLBACK: Duration = Duration::from_ms(3000);
/// A steady 2225 Hz the DPSK start-up has not taken up after this long is a Bell 103 answerer.
pub const BELL_IGNORED: Duration = Duration::from_ms(1500);

/// How long after the DPSK start-up began the caller still listens for the Bell tone.
const TELL_BELL: Duration = Duration::from_ms(300);

struct Drop;
impl BitSink for Drop {
    fn put_bit(&mut self, _bit: u8, _soft: f32) {}
}

/// Whether the Bell 103 answer channel carries FSK: most of the signal's power within 1925-2325 Hz
/// (its mark and space, 2225 and 2025 Hz, and their keying), for [`MARK_QUALIFY`]. A DPSK answerer's
/// signal, spread over 2400 +- 525 Hz, puts well under half of its power there.
#[derive(Debug, Clone)]
struct BellBand {
    band: Fir,
    /// Mean squares in the band and in all, smoothed over about 20 ms.
    inband: f32,
    all: f32,
    /// Samples in a row with the band holding the power.
    run: u32,
}

impl BellBand {
    /// Share of the power the band must hold.
    const SHARE: f32 = 0.7;

    fn new() -> Self {
        let fs = SAMPLE_RATE as f32;
        let taps = Window::Blackman.taps_for(150.0, fs);
        BellBand {
            band: Fir::new(design_bandpass(1925.0, 2325.0, fs, taps, Window::Blackman)),
            inband: 0.0,
            all: 0.0,
            run: 0,
        }
    }

    fn process(&mut self, rx: &[f32]) {
        const A: f32 = 1.0 / 160.0;
        for &x in rx {
            let x = if x.is_finite() { x } else { 0.0 };
            let y = self.band.process(x);
            self.inband += (y * y - self.inband) * A;
            self.all += (x * x - self.all) * A;
            let fsk =
                self.all > crate::dsp::dbm0_to_power(ToneWatch::MIN_DBM0) && self.inband >= Self::SHARE * self.all;
            self.run = if fsk { self.run.saturating_add(1) } else { 0 };
        }
    }

    fn present(&self) -> bool {
        self.run >= MARK_QUALIFY.samples()
    }
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
    /// The Bell 103 answer channel, marks or data ([`BELL_FALLBACK`]); while the DPSK start-up
    /// waits for an answer to a Bell tone.
    bell_band: Option<Box<BellBand>>,
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
            bell_band: (modes.contains(Family::Bell103) && modes.any_dpsk()).then(|| Box::new(BellBand::new())),
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
            let bell_fsk = match &mut self.bell_band {
                Some(b) if started && may_be_bell103 => {
                    b.process(rx);
                    b.present()
                }
                _ => false,
            };
            if started && self.dpsk_time >= BELL_FALLBACK && (self.watch[2].present() || bell_fsk) {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn band_on(signal: &[f32]) -> bool {
        let mut b = BellBand::new();
        b.process(signal);
        b.present()
    }

    #[test]
    fn bell_band_hears_bell103_answer_fsk_and_not_dpsk() {
        let mut r = crate::sim::rng::Rng::new(3);
        let mut x = vec![0.0f32; 8000];
        let mut fsk = fsk::Transmitter::new(fsk::BELL103_ANSWER, -13.0);
        fsk.set_carrier(true);
        fsk.process(&mut x, &mut || 1u8);
        assert!(band_on(&x), "a steady mark");
        fsk.process(&mut x, &mut || (r.next_u32() & 1) as u8);
        assert!(band_on(&x), "data");
        for rate in [crate::v22bis::Rate::R1200, crate::v22bis::Rate::R2400] {
            let mut dpsk = crate::v22bis::tx::Transmitter::new(2400.0, -13.0, crate::v22bis::GuardTone::None);
            dpsk.set_signal(crate::v22bis::tx::Signal::Data(rate));
            dpsk.process(&mut x, &mut || (r.next_u32() & 1) as u8);
            assert!(!band_on(&x), "DPSK at {rate:?}");
        }
    }
}
