//! The calling end of V.8: CM once ANSam is recognised, CJ once JM is.

use super::framing::{Received, Repeats, SequenceReceiver, SequenceSender, Sync};
use super::{CallFunction, Event, Events, Failure, Menu, Modulation, Modulations};
use crate::fsk::{self, Receiver, Transmitter};
use crate::time::Duration;
use crate::tones::{AnswerEvent, AnswerToneDetector};

/// How a [`Caller`] is set up. Times are in samples at [`crate::dsp::SAMPLE_RATE`].
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// The modes to offer in CM. Only modes this crate implements are ever offered
    /// ([`Modulations::IMPLEMENTED`] is applied on top).
    pub modulations: Modulations,
    /// The call function to announce.
    pub call_function: CallFunction,
    /// Transmit level of CM and CJ, in dBm0.
    pub level_dbm0: f32,
    /// Listen for ANSam with the crate's own [`AnswerToneDetector`] and start on it. When false,
    /// the caller waits for [`Caller::answer_tone_detected`].
    pub detect_answer_tone: bool,
    /// The wait between recognising ANSam and the first CM (spandsp: 1 s).
    pub wait_before_cm: Duration,
    /// The longest CM is sent with no JM before [`Failure::NoJointMenu`] (spandsp: 5 s).
    pub cm_max: Duration,
    /// Silence after CJ before [`Event::Negotiated`]: the gap before the chosen modulation's
    /// start-up (75 ms).
    pub silence_after_cj: Duration,
}

impl Default for Config {
    /// Every mode implemented, a V-series data call, -13 dBm0, waiting for
    /// [`Caller::answer_tone_detected`], and the timings above.
    fn default() -> Self {
        Config {
            modulations: Modulations::IMPLEMENTED,
            call_function: CallFunction::VSeriesData,
            level_dbm0: -13.0,
            detect_answer_tone: false,
            wait_before_cm: Duration::from_ms(1000),
            cm_max: Duration::from_ms(5000),
            silence_after_cj: Duration::from_ms(75),
        }
    }
}

/// Where a [`Caller`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// Silent, waiting for ANSam (from [`Caller::answer_tone_detected`] or its own detector).
    WaitingForAnswerTone,
    /// ANSam recognised; silent until the first CM.
    WaitingBeforeCm,
    /// Sending CM on V.21 channel 1, listening for JM on channel 2.
    CallMenu,
    /// JM recognised; finishing the CM octet in progress and sending CJ.
    Terminating,
    /// CJ sent; silent before the chosen modulation.
    SilenceAfterCj,
    /// Finished; the outcome has been reported. Silent.
    Done,
}

/// The calling end of a V.8 negotiation.
///
/// Silent until ANSam has been recognised ([`Caller::answer_tone_detected`], or its own detector
/// with [`Config::detect_answer_tone`]); then waits [`Config::wait_before_cm`] and sends CM on V.21
/// channel 1, again and again, listening on channel 2. On two identical JM sequences in a row it
/// reports [`Event::JointMenu`], finishes the CM octet in progress, sends CJ, stays silent
/// [`Config::silence_after_cj`] and reports [`Event::Negotiated`] with the best mode in JM that it
/// offered itself. With no JM within [`Config::cm_max`] it stops and reports
/// [`Failure::NoJointMenu`]. With its own detector, a 2100 Hz answer tone that ends without having
/// shown ANSam's 15 Hz modulation is reported as [`Event::NoMenu`] (a legacy answerer; other tones,
/// such as the Bell 2225 Hz one, are left to the modem's own tone detection).
///
/// Nothing is allocated after [`Caller::new`].
#[derive(Debug, Clone)]
pub struct Caller {
    config: Config,
    ours: Menu,
    state: State,
    timer: Duration,
    detector: Option<AnswerToneDetector>,
    fsk_tx: Transmitter,
    sender: SequenceSender,
    fsk_rx: Receiver,
    seq: SequenceReceiver,
    jm_repeats: Repeats,
    joint_menu: Option<Menu>,
    modulation: Option<Modulation>,
    failure: Option<Failure>,
    events: Events,
}

/// Samples handled at a time, so that the timing is good to 5 ms.
const SLICE: usize = 40;

impl Caller {
    /// A caller waiting for ANSam.
    pub fn new(config: Config) -> Self {
        let ours =
            Menu { call_function: config.call_function, ..Menu::data(config.modulations & Modulations::IMPLEMENTED) };
        let mut octets = [0u8; super::MENU_MAX_LEN];
        let n = ours.emit(&mut octets);
        let mut fsk_tx = Transmitter::new(fsk::V21_CH1, config.level_dbm0);
        fsk_tx.set_carrier(false);
        Caller {
            detector: config.detect_answer_tone.then(AnswerToneDetector::new),
            config,
            ours,
            state: State::WaitingForAnswerTone,
            timer: Duration::ZERO,
            fsk_tx,
            sender: SequenceSender::new(Sync::CmJm, &octets[..n]),
            fsk_rx: Receiver::new(fsk::V21_CH2),
            seq: SequenceReceiver::new(),
            jm_repeats: Repeats::default(),
            joint_menu: None,
            modulation: None,
            failure: None,
            events: Events::default(),
        }
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The CM this caller sends.
    pub fn call_menu(&self) -> &Menu {
        &self.ours
    }

    /// Where it is.
    pub fn state(&self) -> State {
        self.state
    }

    /// True once the outcome has been reported.
    pub fn is_done(&self) -> bool {
        self.state == State::Done
    }

    /// The answerer's JM, once recognised.
    pub fn joint_menu(&self) -> Option<&Menu> {
        self.joint_menu.as_ref()
    }

    /// The negotiated mode, once reported.
    pub fn modulation(&self) -> Option<Modulation> {
        self.modulation
    }

    /// The next event, if any.
    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop()
    }

    /// ANSam has been recognised (by the modem's own tone detection): start the wait before CM.
    /// Ignored unless still waiting for it.
    pub fn answer_tone_detected(&mut self) {
        if self.state == State::WaitingForAnswerTone {
            self.detector = None;
            self.enter(State::WaitingBeforeCm);
        }
    }

    /// Hears `rx` from the line and fills `tx` (the same length; any excess of `tx` is silenced).
    pub fn process(&mut self, rx: &[f32], tx: &mut [f32]) {
        let n = rx.len().min(tx.len());
        let mut i = 0;
        while i < n {
            let m = (n - i).min(SLICE);
            self.hear(&rx[i..i + m]);
            self.advance();
            let out = &mut tx[i..i + m];
            if matches!(self.state, State::CallMenu | State::Terminating | State::Done | State::SilenceAfterCj) {
                self.fsk_tx.process(out, &mut self.sender);
            } else {
                out.iter_mut().for_each(|v| *v = 0.0);
            }
            self.timer += Duration::from_samples(m as u32);
            i += m;
        }
        tx[n..].iter_mut().for_each(|v| *v = 0.0);
    }

    fn enter(&mut self, state: State) {
        self.state = state;
        self.timer = Duration::ZERO;
    }

    fn hear(&mut self, rx: &[f32]) {
        if self.state == State::WaitingForAnswerTone {
            if let Some(d) = self.detector.as_mut() {
                let mut start = false;
                let mut legacy = false;
                d.process(rx, |e| match e {
                    AnswerEvent::Answer { kind, .. } if kind.am() => start = true,
                    AnswerEvent::Ended { kind, .. } if !kind.am() && kind.freq() == crate::tones::answer::ANS_HZ => {
                        legacy = true
                    }
                    _ => {}
                });
                if start {
                    self.answer_tone_detected();
                } else if legacy {
                    self.events.push(Event::NoMenu);
                    self.enter(State::Done);
                }
            }
            return;
        }
        if !matches!(self.state, State::CallMenu) {
            return;
        }
        self.fsk_rx.process(rx, &mut self.seq);
        while let Some(r) = self.seq.poll() {
            if let Received::Sequence(s) = r {
                if s.sync == Sync::CmJm && self.jm_repeats.push(&s) {
                    if let Ok(jm) = Menu::parse(s.octets()) {
                        self.joint_menu = Some(jm);
                        self.events.push(Event::JointMenu(jm));
                        self.sender.send_cj();
                        self.enter(State::Terminating);
                        return;
                    }
                }
            }
        }
    }

    fn advance(&mut self) {
        match self.state {
            State::WaitingForAnswerTone => {}
            State::WaitingBeforeCm => {
                if self.timer >= self.config.wait_before_cm {
                    self.fsk_tx.set_carrier(true);
                    self.enter(State::CallMenu);
                }
            }
            State::CallMenu => {
                if self.timer >= self.config.cm_max {
                    self.sender.stop();
                    self.failure = Some(Failure::NoJointMenu);
                    self.enter(State::Terminating);
                }
            }
            State::Terminating => {
                if self.sender.is_finished() {
                    self.fsk_tx.set_carrier(false);
                    self.enter(State::SilenceAfterCj);
                }
            }
            State::SilenceAfterCj => {
                if self.fsk_tx.carrier() {
                    self.timer = Duration::ZERO;
                } else if let Some(f) = self.failure {
                    self.events.push(Event::Failed(f));
                    self.enter(State::Done);
                } else if self.timer >= self.config.silence_after_cj {
                    let best = self.joint_menu.and_then(|jm| (jm.modulations & self.ours.modulations).best());
                    self.modulation = best;
                    self.events.push(match best {
                        Some(modulation) => Event::Negotiated { modulation },
                        None => Event::Failed(Failure::NoCommonModulation),
                    });
                    self.enter(State::Done);
                }
            }
            State::Done => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dsp::SAMPLE_RATE;
    use crate::v8::framing::SequenceSender;
    use crate::v8::{answer, Answerer};

    fn run(c: &mut Caller, rx: &[f32], secs: f32) -> (Vec<f32>, Vec<(u64, Event)>) {
        let total = (secs * SAMPLE_RATE as f32) as usize;
        let mut out = vec![0.0; total];
        let mut events = vec![];
        let zeros = vec![0.0; 160];
        for (k, chunk) in out.chunks_mut(160).enumerate() {
            let start = k * 160;
            let input =
                if start + chunk.len() <= rx.len() { &rx[start..start + chunk.len()] } else { &zeros[..chunk.len()] };
            c.process(input, chunk);
            while let Some(e) = c.poll_event() {
                events.push((start as u64 + chunk.len() as u64, e));
            }
        }
        (out, events)
    }

    /// What a caller sent, as sequences and CJ, by our own receiver.
    fn decode(out: &[f32]) -> Vec<Received> {
        let mut rx = Receiver::new(fsk::V21_CH1);
        let mut seq = SequenceReceiver::new();
        let mut got = vec![];
        for c in out.chunks(40) {
            rx.process(c, &mut seq);
            while let Some(r) = seq.poll() {
                got.push(r);
            }
        }
        got
    }

    #[test]
    fn without_jm_it_sends_cm_for_its_time_limit_and_fails() {
        let mut c = Caller::new(Config::default());
        let (out, events) = run(&mut c, &[], 1.0);
        assert!(events.is_empty() && out.iter().all(|&v| v == 0.0), "silent until told");
        c.answer_tone_detected();
        let (out, events) = run(&mut c, &[], 7.0);
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].1, Event::Failed(Failure::NoJointMenu));
        // 1 s of silence, then CM for 5 s.
        let first = out.iter().position(|v| v.abs() > 1e-4).unwrap();
        assert!((8000..8100).contains(&first), "{first}");
        let last = out.iter().rposition(|v| v.abs() > 1e-4).unwrap();
        assert!((48000..48000 + 400).contains(&last), "{last}");
        let got = decode(&out);
        let cm = Menu::data(Modulations::IMPLEMENTED);
        let mut octets = [0u8; 8];
        let n = cm.emit(&mut octets);
        let n_cm = got
            .iter()
            .filter(|r| matches!(r, Received::Sequence(s) if s.sync == Sync::CmJm && s.octets() == &octets[..n]))
            .count();
        // 60 bits, 200 ms, a sequence: 25 in 5 s (the first may be lost to the receiver's start).
        assert!((23..=25).contains(&n_cm), "{n_cm}: {got:?}");
        assert!(!got.contains(&Received::Cj));
    }

    /// A fake answerer's JM on channel 2 from `from` samples for `secs`.
    fn fake_jm(jm: &Menu, from: usize, secs: f32) -> Vec<f32> {
        let mut octets = [0u8; 8];
        let n = jm.emit(&mut octets);
        let mut s = SequenceSender::new(Sync::CmJm, &octets[..n]);
        let mut tx = Transmitter::new(fsk::V21_CH2, -13.0);
        let mut out = vec![0.0; from + (secs * 8000.0) as usize];
        tx.process(&mut out[from..], &mut s);
        out
    }

    #[test]
    fn on_jm_it_sends_cj_and_negotiates_the_best_common_mode() {
        for (offer, jm, want) in [
            (Modulations::IMPLEMENTED, Modulations::V22BIS | Modulations::V21, Some(Modulation::V22bis)),
            (Modulations::V21 | Modulations::V23, Modulations::V22BIS | Modulations::V21, Some(Modulation::V21)),
            (Modulations::IMPLEMENTED, Modulations::V34, None),
        ] {
            let mut c = Caller::new(Config { modulations: offer, ..Config::default() });
            c.answer_tone_detected();
            let jm = Menu::data(jm);
            let rx = fake_jm(&jm, 12000, 3.0);
            let (out, events) = run(&mut c, &rx, 3.0);
            let kinds: Vec<Event> = events.iter().map(|e| e.1).collect();
            let last = match want {
                Some(modulation) => Event::Negotiated { modulation },
                None => Event::Failed(Failure::NoCommonModulation),
            };
            assert_eq!(kinds, vec![Event::JointMenu(jm), last]);
            let got = decode(&out);
            assert_eq!(got.last(), Some(&Received::Cj), "{got:?}");
            // CJ then silence: the carrier is off within a few ms of CJ's last bit.
            let end = out.iter().rposition(|v| v.abs() > 1e-4).unwrap();
            let negotiated = events[1].0 as usize;
            assert!(negotiated >= end + 600 && negotiated < end + 600 + 400, "{end} {negotiated}");
        }
    }

    #[test]
    fn its_own_detector_starts_it_on_ansam_and_not_on_ans() {
        use crate::tones::{AnswerTone, AnswerToneGenerator};
        for (kind, starts) in [(AnswerTone::AnsAmPr, true), (AnswerTone::AnsAm, true), (AnswerTone::AnsPr, false)] {
            let mut g = AnswerToneGenerator::new(kind, -13.0);
            let mut rx = vec![0.0; 3 * 8000];
            g.process(&mut rx[800..]);
            let mut c = Caller::new(Config { detect_answer_tone: true, ..Config::default() });
            let (out, events) = run(&mut c, &rx, 3.5);
            let first = out.iter().position(|v| v.abs() > 1e-4);
            if starts {
                // Recognised within 0.8 s of the tone's start, CM 1 s later.
                let f = first.expect("no CM") as f32 / 8000.0;
                assert!((1.1..2.0).contains(&f), "{kind:?}: CM at {f}");
                assert!(events.is_empty(), "{events:?}");
            } else {
                assert_eq!(first, None);
                assert_eq!(events.iter().map(|e| e.1).collect::<Vec<_>>(), vec![Event::NoMenu], "{kind:?}");
            }
        }
    }

    /// Our caller against our answerer through `imp` both ways; the events of each.
    fn loopback(
        caller_offer: Modulations,
        answer_offer: Modulations,
        imp: &crate::sim::line::Impairments,
        seed: u64,
    ) -> (Vec<Event>, Vec<Event>) {
        let mut c = Caller::new(Config { modulations: caller_offer, detect_answer_tone: true, ..Config::default() });
        let mut a = Answerer::new(answer::Config { modulations: answer_offer, ..answer::Config::default() });
        let mut to_a = crate::sim::line::Direction::new(imp.clone(), 2 * seed);
        let mut to_c = crate::sim::line::Direction::new(imp.clone(), 2 * seed + 1);
        let (mut ctx, mut atx, mut c_in, mut a_in) = (vec![0.0; 160], vec![0.0; 160], vec![0.0; 160], vec![0.0; 160]);
        let (mut ce, mut ae) = (vec![], vec![]);
        for _ in 0..(8 * 50) {
            to_c.process(&atx, &mut c_in);
            to_a.process(&ctx, &mut a_in);
            c.process(&c_in, &mut ctx);
            a.process(&a_in, &mut atx);
            while let Some(e) = c.poll_event() {
                ce.push(e);
            }
            while let Some(e) = a.poll_event() {
                ae.push(e);
            }
        }
        (ce, ae)
    }

    #[test]
    fn against_our_answerer_through_impairments() {
        use crate::sim::line::{Band, Impairments};
        let cases = [
            ("20 dB SNR", Impairments::default().with_snr(20.0, -13.0)),
            ("12 dB SNR", Impairments::default().with_snr(12.0, -13.0)),
            ("+7 Hz, telephone band", Impairments { freq_offset_hz: 7.0, band: Band::Telephone, ..Default::default() }),
            (
                "-7 Hz, -100 ppm, 20 dB SNR, 10 dB loss",
                Impairments { freq_offset_hz: -7.0, clock_ppm: -100.0, gain_db: -10.0, ..Default::default() }
                    .with_snr(20.0, -23.0),
            ),
        ];
        for (name, imp) in cases {
            for seed in 1..=3 {
                let (ce, ae) = loopback(Modulations::IMPLEMENTED, Modulations::V21 | Modulations::V22BIS, &imp, seed);
                let done = Event::Negotiated { modulation: Modulation::V22bis };
                assert_eq!(ce.last(), Some(&done), "{name} seed {seed}: caller {ce:?}");
                assert_eq!(ae.last(), Some(&done), "{name} seed {seed}: answerer {ae:?}");
            }
        }
    }

    #[test]
    fn against_our_answerer() {
        for (caller_offer, answer_offer, want) in [
            (Modulations::IMPLEMENTED, Modulations::IMPLEMENTED, Modulation::V22bis),
            (Modulations::V21 | Modulations::V23, Modulations::IMPLEMENTED, Modulation::V23),
            (Modulations::IMPLEMENTED, Modulations::V21, Modulation::V21),
            (Modulations::V21, Modulations::V21, Modulation::V21),
        ] {
            let mut c =
                Caller::new(Config { modulations: caller_offer, detect_answer_tone: true, ..Config::default() });
            let mut a = Answerer::new(answer::Config { modulations: answer_offer, ..answer::Config::default() });
            let (mut ctx, mut atx) = (vec![0.0; 160], vec![0.0; 160]);
            let (mut ce, mut ae) = (vec![], vec![]);
            for _ in 0..(8 * 50) {
                let (c_in, a_in) = (atx.clone(), ctx.clone());
                c.process(&c_in, &mut ctx);
                a.process(&a_in, &mut atx);
                while let Some(e) = c.poll_event() {
                    ce.push(e);
                }
                while let Some(e) = a.poll_event() {
                    ae.push(e);
                }
            }
            let done = Event::Negotiated { modulation: want };
            assert_eq!(ce.last(), Some(&done), "caller {ce:?}");
            assert_eq!(ae.last(), Some(&done), "answerer {ae:?}");
            assert!(c.is_done() && a.is_done());
        }
    }

    #[test]
    fn garbage_input_is_harmless() {
        let mut c = Caller::new(Config { detect_answer_tone: true, ..Config::default() });
        let junk = [f32::NAN, f32::INFINITY, -1e30, 1e30, 0.5, f32::NEG_INFINITY, 0.0, -0.3];
        let mut out = [0.0f32; 8];
        for _ in 0..10_000 {
            c.process(&junk, &mut out);
            assert!(out.iter().all(|v| v.is_finite()));
        }
        c.answer_tone_detected();
        for _ in 0..10_000 {
            c.process(&junk, &mut out);
            assert!(out.iter().all(|v| v.is_finite()));
        }
        while c.poll_event().is_some() {}
    }
}
