//! The answering end of V.8: ANSam, then JM in reply to the caller's CM.

use super::framing::{Received, Repeats, Sequence, SequenceReceiver, SequenceSender, Sync};
use super::{CallFunction, CallIndicator, Event, Events, Failure, Menu, Modulation, Modulations};
use crate::fsk::{self, Receiver, Transmitter};
use crate::time::Duration;
use crate::tones::{AnswerTone, AnswerToneGenerator};

/// How an [`Answerer`] is set up. Times are in samples at [`crate::dsp::SAMPLE_RATE`].
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// The modes to accept: JM offers the ones the caller's CM has too. Only modes this crate
    /// implements are ever offered ([`Modulations::IMPLEMENTED`] is applied on top).
    pub modulations: Modulations,
    /// Transmit level of the answer tone and of JM, in dBm0.
    pub level_dbm0: f32,
    /// The answer tone: ANSam with phase reversals unless set otherwise (a plain `Ans` or
    /// `AnsPr` announces no V.8, and only makes sense for tests).
    pub answer_tone: AnswerTone,
    /// Silence before the answer tone (spandsp: 200 ms).
    pub silence_before_tone: Duration,
    /// The longest the answer tone runs with no CM before [`Event::NoMenu`] (spandsp: 5 s).
    pub tone_max: Duration,
    /// Silence between the end of the answer tone and JM (spandsp: about 75 ms).
    pub silence_before_jm: Duration,
    /// The longest JM is sent with no CJ before [`Failure::NoTerminator`].
    pub jm_max: Duration,
    /// Silence after JM ends (on CJ) before [`Event::Negotiated`]: the gap before the chosen
    /// modulation's start-up (75 ms).
    pub silence_after_cj: Duration,
}

impl Default for Config {
    /// Every mode implemented, -13 dBm0, ANSam with phase reversals, and the timings above.
    fn default() -> Self {
        Config {
            modulations: Modulations::IMPLEMENTED,
            level_dbm0: -13.0,
            answer_tone: AnswerTone::AnsAmPr,
            silence_before_tone: Duration::from_ms(200),
            tone_max: Duration::from_ms(5000),
            silence_before_jm: Duration::from_ms(75),
            jm_max: Duration::from_ms(5000),
            silence_after_cj: Duration::from_ms(75),
        }
    }
}

/// Where an [`Answerer`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// Silent before the answer tone.
    SilenceBeforeTone,
    /// Sending the answer tone, listening for CI and CM on V.21 channel 1.
    AnswerTone,
    /// CM recognised; the answer tone is ending, then silence before JM.
    SilenceBeforeJm,
    /// Sending JM on V.21 channel 2, listening for CJ.
    JointMenu,
    /// CJ heard; finishing the JM octet in progress, then silence.
    SilenceAfterCj,
    /// Finished; the outcome has been reported. Silent.
    Done,
}

/// The answering end of a V.8 negotiation.
///
/// Sends silence, then ANSam while listening on V.21 channel 1; on two identical CM sequences in a
/// row it stops the tone, waits, and sends JM (the AND of CM and its own menu) on V.21 channel 2
/// until it hears CJ; then it finishes the JM octet in progress, stays silent
/// [`Config::silence_after_cj`] and reports [`Event::Negotiated`] with the best mode in JM. If the
/// caller's V.21 carrier goes while JM is being sent, that ends JM as CJ would (a V.8 caller stops
/// CM only once it has JM). If no CM comes during the tone, it reports [`Event::NoMenu`] when the
/// tone has ended. A CI (two identical in a row) is reported as [`Event::CallIndicator`] and
/// changes nothing else.
///
/// Nothing is allocated after [`Answerer::new`].
#[derive(Debug, Clone)]
pub struct Answerer {
    config: Config,
    ours: Menu,
    state: State,
    /// Samples spent in the current state.
    timer: Duration,
    tone: AnswerToneGenerator,
    fsk_tx: Transmitter,
    sender: Option<SequenceSender>,
    fsk_rx: Receiver,
    seq: SequenceReceiver,
    cm_repeats: Repeats,
    ci_repeats: Repeats,
    call_menu: Option<Menu>,
    joint_menu: Option<Menu>,
    heard_caller: bool,
    modulation: Option<Modulation>,
    events: Events,
}

/// Samples handled at a time, so that the timing is good to 5 ms.
const SLICE: usize = 40;

impl Answerer {
    /// An answerer about to start its silence before the answer tone.
    pub fn new(config: Config) -> Self {
        let mut fsk_tx = Transmitter::new(fsk::V21_CH2, config.level_dbm0);
        fsk_tx.set_carrier(false);
        let mut tone = AnswerToneGenerator::new(config.answer_tone, config.level_dbm0);
        tone.stop();
        Answerer {
            ours: Menu::data(config.modulations & Modulations::IMPLEMENTED),
            config,
            state: State::SilenceBeforeTone,
            timer: Duration::ZERO,
            tone,
            fsk_tx,
            sender: None,
            fsk_rx: Receiver::new(fsk::V21_CH1),
            seq: SequenceReceiver::new(),
            cm_repeats: Repeats::default(),
            ci_repeats: Repeats::default(),
            call_menu: None,
            joint_menu: None,
            heard_caller: false,
            modulation: None,
            events: Events::default(),
        }
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Where it is.
    pub fn state(&self) -> State {
        self.state
    }

    /// True once the outcome has been reported.
    pub fn is_done(&self) -> bool {
        self.state == State::Done
    }

    /// The caller's CM, once recognised.
    pub fn call_menu(&self) -> Option<&Menu> {
        self.call_menu.as_ref()
    }

    /// The JM sent, once CM was recognised.
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

    /// Hears `rx` from the line and fills `tx` (the same length; any excess of `tx` is silenced).
    pub fn process(&mut self, rx: &[f32], tx: &mut [f32]) {
        let n = rx.len().min(tx.len());
        let mut i = 0;
        while i < n {
            let m = (n - i).min(SLICE);
            self.hear(&rx[i..i + m]);
            self.advance();
            self.send(&mut tx[i..i + m]);
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
        if matches!(self.state, State::Done | State::SilenceBeforeTone) {
            return;
        }
        self.fsk_rx.process(rx, &mut self.seq);
        if self.fsk_rx.carrier() {
            self.heard_caller = true;
        }
        while let Some(r) = self.seq.poll() {
            match (self.state, r) {
                (State::AnswerTone, Received::Sequence(s)) => self.on_sequence(&s),
                (State::JointMenu, Received::Cj) => self.end_joint_menu(),
                _ => {}
            }
        }
        // A caller that stops CM has had our JM: its carrier going counts as CJ.
        if self.state == State::JointMenu && self.heard_caller && !self.fsk_rx.carrier() {
            self.end_joint_menu();
        }
    }

    /// A CI or CM sequence heard during the answer tone: acted on when the same comes twice.
    fn on_sequence(&mut self, s: &Sequence) {
        let repeats = match s.sync {
            Sync::CmJm => &mut self.cm_repeats,
            Sync::Ci => &mut self.ci_repeats,
            _ => return,
        };
        if !repeats.push(s) {
            return;
        }
        if s.sync == Sync::CmJm {
            if let Ok(cm) = Menu::parse(s.octets()) {
                self.on_call_menu(cm);
            }
        } else if let Ok(ci) = CallIndicator::parse(s.octets()) {
            self.events.push(Event::CallIndicator(ci.call_function));
        }
    }

    fn on_call_menu(&mut self, cm: Menu) {
        let jm = cm.joint(&self.ours);
        self.call_menu = Some(cm);
        self.joint_menu = Some(jm);
        self.events.push(Event::CallMenu(cm));
        self.tone.stop();
        self.enter(State::SilenceBeforeJm);
    }

    fn end_joint_menu(&mut self) {
        if let Some(s) = self.sender.as_mut() {
            s.stop();
        }
        self.enter(State::SilenceAfterCj);
    }

    fn advance(&mut self) {
        match self.state {
            State::SilenceBeforeTone => {
                if self.timer >= self.config.silence_before_tone {
                    self.tone = AnswerToneGenerator::new(self.config.answer_tone, self.config.level_dbm0);
                    self.enter(State::AnswerTone);
                }
            }
            State::AnswerTone => {
                if self.timer >= self.config.tone_max {
                    self.tone.stop();
                }
                if self.tone.is_idle() {
                    self.events.push(Event::NoMenu);
                    self.enter(State::Done);
                }
            }
            State::SilenceBeforeJm => {
                if !self.tone.is_idle() {
                    self.timer = Duration::ZERO;
                } else if self.timer >= self.config.silence_before_jm {
                    let mut octets = [0u8; super::MENU_MAX_LEN];
                    let jm = self.joint_menu.unwrap_or(self.ours);
                    let n = jm.emit(&mut octets);
                    self.sender = Some(SequenceSender::new(Sync::CmJm, &octets[..n]));
                    self.fsk_tx.set_carrier(true);
                    self.heard_caller = self.fsk_rx.carrier();
                    self.enter(State::JointMenu);
                }
            }
            State::JointMenu => {
                if self.timer >= self.config.jm_max {
                    if let Some(s) = self.sender.as_mut() {
                        s.stop();
                    }
                    self.fsk_tx.set_carrier(false);
                    self.events.push(Event::Failed(Failure::NoTerminator));
                    self.enter(State::Done);
                }
            }
            State::SilenceAfterCj => {
                if self.sender.as_ref().is_some_and(|s| s.is_finished()) {
                    self.fsk_tx.set_carrier(false);
                }
                if self.fsk_tx.carrier() {
                    self.timer = Duration::ZERO;
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

    fn send(&mut self, tx: &mut [f32]) {
        match self.state {
            State::AnswerTone | State::SilenceBeforeJm => self.tone.process(tx),
            State::JointMenu | State::SilenceAfterCj | State::Done => match self.sender.as_mut() {
                Some(s) => self.fsk_tx.process(tx, s),
                None => tx.iter_mut().for_each(|v| *v = 0.0),
            },
            State::SilenceBeforeTone => tx.iter_mut().for_each(|v| *v = 0.0),
        }
    }

    /// The call function the caller announced in CM, once recognised.
    pub fn call_function(&self) -> Option<CallFunction> {
        self.call_menu.map(|m| m.call_function)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bits::BitVec;
    use crate::dsp::SAMPLE_RATE;
    use crate::tones::{AnswerEvent, AnswerToneDetector};

    /// Runs the answerer for `secs` with `rx` (cycled into silence after its end) as its input;
    /// returns what it sent and its events with the sample they came at.
    fn run(a: &mut Answerer, rx: &[f32], secs: f32) -> (Vec<f32>, Vec<(u64, Event)>) {
        let total = (secs * SAMPLE_RATE as f32) as usize;
        let mut out = vec![0.0; total];
        let mut events = vec![];
        let zeros = vec![0.0; 160];
        for (k, chunk) in out.chunks_mut(160).enumerate() {
            let start = k * 160;
            let input =
                if start + chunk.len() <= rx.len() { &rx[start..start + chunk.len()] } else { &zeros[..chunk.len()] };
            a.process(input, chunk);
            while let Some(e) = a.poll_event() {
                events.push((start as u64 + chunk.len() as u64, e));
            }
        }
        (out, events)
    }

    #[test]
    fn alone_it_sends_ansam_for_its_full_length_and_reports_no_menu() {
        let mut a = Answerer::new(Config::default());
        let (out, events) = run(&mut a, &[], 6.0);
        assert_eq!(events.len(), 1, "{events:?}");
        let (at, e) = events[0];
        assert_eq!(e, Event::NoMenu);
        // 200 ms of silence, 5 s of tone (and its 5 ms ramp), within a block.
        assert!(out[..1600].iter().all(|&v| v == 0.0));
        assert!((5.2 * 8000.0..5.2 * 8000.0 + 400.0).contains(&(at as f32)), "{at}");
        assert!(a.is_done());
        // What it sent is ANSam with reversals, as our own detector hears it.
        let mut d = AnswerToneDetector::new();
        let mut kinds = vec![];
        d.process(&out, |e| {
            if let AnswerEvent::Answer { kind, .. } = e {
                kinds.push(kind)
            }
        });
        assert_eq!(kinds.last(), Some(&AnswerTone::AnsAmPr), "{kinds:?}");
        // Silent after.
        assert!(out[(at as usize + 80)..].iter().all(|&v| v == 0.0));
    }

    /// The bits a fake caller sends on channel 1: `lead` samples of silence, then `sequence`
    /// repeated for `cm_secs`, then CJ (if `cj`), then silence.
    fn fake_caller(octets: &[u8], lead: usize, cm_secs: f32, cj: bool) -> Vec<f32> {
        fake_caller_cj(octets, lead, cm_secs, cj).0
    }

    /// As `fake_caller`, and the sample at which CJ's last bit went out.
    fn fake_caller_cj(octets: &[u8], lead: usize, cm_secs: f32, cj: bool) -> (Vec<f32>, usize) {
        let mut s = SequenceSender::new(Sync::CmJm, octets);
        let mut tx = Transmitter::new(fsk::V21_CH1, -13.0);
        let mut out = vec![0.0; lead];
        let mut cm = vec![0.0; (cm_secs * 8000.0) as usize];
        tx.process(&mut cm, &mut s);
        out.extend(cm);
        let mut cj_end = out.len();
        if cj {
            s.send_cj();
            let mut tail = vec![0.0; 2000];
            for (k, v) in tail.chunks_mut(8).enumerate() {
                if s.is_finished() && tx.carrier() {
                    tx.set_carrier(false);
                    cj_end = out.len() + 8 * k;
                }
                tx.process(v, &mut s);
            }
            out.extend(tail);
        }
        (out, cj_end)
    }

    #[test]
    fn answers_cm_with_the_joint_menu_and_negotiates_on_cj() {
        let cm = Menu::data(Modulations::V34 | Modulations::V22BIS | Modulations::V21);
        let mut octets = [0u8; 8];
        let n = cm.emit(&mut octets);
        let (rx, cj_end) = fake_caller_cj(&octets[..n], 16000, 2.0, true);
        let mut a = Answerer::new(Config::default());
        let (out, events) = run(&mut a, &rx, 5.0);
        let kinds: Vec<Event> = events.iter().map(|e| e.1).collect();
        assert_eq!(kinds, vec![Event::CallMenu(cm), Event::Negotiated { modulation: Modulation::V22bis }]);
        assert_eq!(a.joint_menu().unwrap().modulations, Modulations::V22BIS | Modulations::V21);
        // CM recognised after two sequences (400 ms) and a bit; negotiated 75 ms after CJ ends.
        let cm_at = events[0].0 as f32 / 8000.0;
        assert!((2.4..2.5).contains(&cm_at), "{cm_at}");
        // Negotiated 75 ms after JM's last octet, which ends within 2 octets of CJ.
        let end = events[1].0 as usize;
        assert!(end > cj_end + 600 && end < cj_end + 600 + 700, "{end} vs {cj_end}");
        // JM went out on channel 2, and our receiver decodes it.
        let mut rx2 = Receiver::new(fsk::V21_CH2);
        let mut seq = SequenceReceiver::new();
        rx2.process(&out, &mut seq);
        let mut jms = 0;
        while let Some(r) = seq.poll() {
            if let Received::Sequence(s) = r {
                assert_eq!(Menu::parse(s.octets()).unwrap(), *a.joint_menu().unwrap());
                jms += 1;
            }
        }
        assert!(jms >= 2, "{jms} JM sequences");
    }

    #[test]
    fn restricted_to_v21_it_offers_only_v21() {
        let cm = Menu::data(Modulations::V22BIS | Modulations::V21 | Modulations::V23);
        let mut octets = [0u8; 8];
        let n = cm.emit(&mut octets);
        let rx = fake_caller(&octets[..n], 12000, 2.0, true);
        let mut a = Answerer::new(Config { modulations: Modulations::V21, ..Config::default() });
        let (_, events) = run(&mut a, &rx, 4.0);
        assert_eq!(events.last().unwrap().1, Event::Negotiated { modulation: Modulation::V21 });
        assert_eq!(a.joint_menu().unwrap().modulations, Modulations::V21);
    }

    #[test]
    fn no_common_mode_fails_after_the_exchange() {
        let cm = Menu::data(Modulations::V34 | Modulations::V32BIS);
        let mut octets = [0u8; 8];
        let n = cm.emit(&mut octets);
        let rx = fake_caller(&octets[..n], 12000, 2.0, true);
        let mut a = Answerer::new(Config::default());
        let (_, events) = run(&mut a, &rx, 4.0);
        assert_eq!(events.last().unwrap().1, Event::Failed(Failure::NoCommonModulation));
        assert_eq!(a.joint_menu().unwrap().modulations, Modulations::NONE);
    }

    #[test]
    fn jm_without_cj_times_out() {
        let cm = Menu::data(Modulations::V22BIS);
        let mut octets = [0u8; 8];
        let n = cm.emit(&mut octets);
        // CM for 8 s: the caller never hears JM.
        let rx = fake_caller(&octets[..n], 12000, 8.0, false);
        let mut a = Answerer::new(Config::default());
        let (_, events) = run(&mut a, &rx, 9.0);
        let kinds: Vec<Event> = events.iter().map(|e| e.1).collect();
        assert_eq!(kinds, vec![Event::CallMenu(cm), Event::Failed(Failure::NoTerminator)]);
        let t = events[1].0 as f32 / 8000.0;
        // CM recognised near 2 s, JM 75 ms later, 5 s of JM.
        assert!((7.0..7.3).contains(&t), "{t}");
    }

    #[test]
    fn the_caller_stopping_ends_jm_like_cj() {
        let cm = Menu::data(Modulations::V22BIS | Modulations::V21);
        let mut octets = [0u8; 8];
        let n = cm.emit(&mut octets);
        let rx = fake_caller(&octets[..n], 12000, 2.0, false);
        let mut a = Answerer::new(Config::default());
        let (_, events) = run(&mut a, &rx, 4.0);
        assert_eq!(events.last().unwrap().1, Event::Negotiated { modulation: Modulation::V22bis });
    }

    #[test]
    fn ci_is_reported_and_changes_nothing() {
        let mut s = SequenceSender::new(Sync::Ci, &[CallFunction::VSeriesData.octet()]);
        let mut tx = Transmitter::new(fsk::V21_CH1, -13.0);
        let mut rx = vec![0.0; 12000];
        let mut ci = vec![0.0; 8000];
        tx.process(&mut ci, &mut s);
        rx.extend(ci);
        let mut a = Answerer::new(Config::default());
        let (_, events) = run(&mut a, &rx, 6.0);
        let kinds: Vec<Event> = events.iter().map(|e| e.1).collect();
        assert_eq!(kinds, vec![Event::CallIndicator(CallFunction::VSeriesData), Event::NoMenu]);
    }

    #[test]
    fn its_own_jm_and_tone_do_not_reach_its_receiver() {
        // The answerer hearing its own output (a loud echo) must not take it for CM or CJ.
        let mut a = Answerer::new(Config { tone_max: Duration::from_ms(2000), ..Config::default() });
        let mut echo = vec![0.0f32; 160];
        let mut out = vec![0.0f32; 160];
        let mut events = vec![];
        for _ in 0..400 {
            a.process(&echo, &mut out);
            echo.copy_from_slice(&out);
            while let Some(e) = a.poll_event() {
                events.push(e);
            }
        }
        assert_eq!(events, vec![Event::NoMenu]);
        let mut sink = BitVec::default();
        let mut r = Receiver::new(fsk::V21_CH1);
        r.process(&[0.0; 10], &mut sink);
        assert!(sink.bits.is_empty());
    }

    #[test]
    fn garbage_input_is_harmless() {
        let mut a = Answerer::new(Config::default());
        let junk = [f32::NAN, f32::INFINITY, -1e30, 1e30, 0.5, f32::NEG_INFINITY, 0.0, -0.3];
        let mut out = [0.0f32; 8];
        for _ in 0..10_000 {
            a.process(&junk, &mut out);
            assert!(out.iter().all(|v| v.is_finite()));
        }
        while a.poll_event().is_some() {}
        // Uneven lengths.
        let mut long = [0.0f32; 100];
        a.process(&junk, &mut long);
        assert!(long[8..].iter().all(|&v| v == 0.0));
    }
}
