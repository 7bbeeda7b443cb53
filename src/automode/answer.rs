//! The answering modem's start-up: billing delay, answer tone, then each allowed modulation's
//! first signal in turn until the caller is recognised (see the [module documentation](super)).

use super::{next_phase, Config, Handoff, Progress, ToneWatch};
use crate::bits::BitSink;
use crate::fsk;
use crate::time::Duration;
use crate::tones::{AnswerTone, AnswerToneGenerator};
use crate::types::{Family, Modes, Role};
use crate::v22bis::pump::{Phase as PumpPhase, Pump};
use crate::v8;

/// How long the V.25 answer tone lasts (V.25: 3.3 +- 0.7 s).
pub const ANSWER_TONE: Duration = Duration::from_ms(3300);
/// How long each modulation's first signal is offered before the next.
pub const OFFER: Duration = Duration::from_ms(3000);
/// A caller's steady mark must be heard this long.
pub const MARK_QUALIFY: Duration = Duration::from_ms(100);
/// Silence after the answer tone before the next signal (V.25: 75 +- 20 ms).
pub const SILENCE_AFTER_TONE: Duration = Duration::from_ms(75);
/// Marks in a row (bits at 300 bit/s, 100 ms) the V.21 channel 1 demodulator must give before a
/// 980 Hz tone counts as a V.21 caller's mark. V.8's CI, CM and CJ are V.21 channel 1 signals
/// too, start-stop octets after ten ones, so they hold at most 8 + 1 + 10 marks in a row: to a
/// tone detector listening at 980 Hz a call menu looks like a mark with a few short dips, and it
/// must not be taken for a V.21 caller.
pub const V21_MARK_BITS: u32 = 30;

/// A signal the answerer offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Offer {
    /// V.22bis/V.22 unscrambled ones.
    Dpsk,
    /// V.21 channel 2 mark.
    V21,
    /// The Bell answer tone (Bell 212A waiting for scrambled ones, Bell 103 for 1270 Hz).
    Bell,
    /// V.23 forward channel mark.
    V23,
}

impl Offer {
    fn family(self, modes: Modes) -> Family {
        match self {
            Offer::Dpsk if modes.contains(Family::V22bis) => Family::V22bis,
            Offer::Dpsk => Family::V22,
            Offer::V21 => Family::V21,
            Offer::Bell if modes.contains(Family::Bell212A) => Family::Bell212A,
            Offer::Bell => Family::Bell103,
            Offer::V23 => Family::V23,
        }
    }
}

#[derive(Debug, Clone, Copy)]
enum Step {
    /// Silence after going off-hook.
    Delay,
    /// The answer tone, then its trailing silence.
    Tone,
    /// Offering `offers[i]`.
    Offer(usize),
    /// Handed over (or nothing to offer): silent.
    Done,
}

/// A bit sink that drops everything (nothing is received before the choice).
struct Drop;
impl BitSink for Drop {
    fn put_bit(&mut self, _bit: u8, _soft: f32) {}
}

/// Counts marks in a row.
#[derive(Debug, Clone, Default)]
struct MarkRun(u32);
impl BitSink for MarkRun {
    fn put_bit(&mut self, bit: u8, _soft: f32) {
        self.0 = if bit == 1 { self.0.saturating_add(1) } else { 0 };
    }
}

/// The answering side of automode. Feed it the line with [`Answerer::process`]; once
/// [`Answerer::take_handoff`] returns the chosen engine, the start-up is over.
#[derive(Debug, Clone)]
pub struct Answerer {
    config: Config,
    modes: Modes,
    step: Step,
    timer: Duration,
    tone: Option<AnswerToneGenerator>,
    /// V.8 in place of the plain answer tone ([`Config::v8`]).
    v8: Option<Box<v8::Answerer>>,
    offers: [Offer; 4],
    n_offers: usize,
    pump: Option<Box<Pump>>,
    fsk_tx: Option<fsk::Transmitter>,
    /// Steady marks of FSK callers: V.21 (980 Hz), Bell 103 (1270 Hz), V.23 backward (390 Hz).
    watch: [ToneWatch; 3],
    /// V.21 channel 1 demodulated, and its marks in a row: a V.21 caller's mark is steady, a V.8
    /// caller's CI or CM on the same channel is not ([`V21_MARK_BITS`]).
    v21_rx: Box<fsk::Receiver>,
    v21_marks: MarkRun,
    handoff: Option<Handoff>,
    progress: crate::queue::Fifo<Progress, 4>,
}

const WATCHED: [(f32, Family); 3] = [(980.0, Family::V21), (1270.0, Family::Bell103), (390.0, Family::V23)];

impl Answerer {
    /// An answerer set up by `config`, offering its `modes`, starting as the call is answered.
    pub fn new(config: &Config) -> Self {
        let modes = config.modes;
        let mut offers = [Offer::Dpsk; 4];
        let mut n = 0;
        for (o, on) in [
            (Offer::Dpsk, modes.contains(Family::V22bis) || modes.contains(Family::V22)),
            (Offer::V21, modes.contains(Family::V21)),
            (Offer::Bell, modes.contains(Family::Bell212A) || modes.contains(Family::Bell103)),
            (Offer::V23, modes.contains(Family::V23)),
        ] {
            if on {
                offers[n] = o;
                n += 1;
            }
        }
        // The V.25 answer tone belongs to the ITU modulations; a Bell-only answerer's first
        // signal is its own 2225 Hz.
        let itu = modes.contains(Family::V22bis)
            || modes.contains(Family::V22)
            || modes.contains(Family::V21)
            || modes.contains(Family::V23);
        let v8_modes = v8::Modulations::for_modes(modes);
        let use_v8 = config.answer_tone && config.v8 && !v8_modes.is_empty();
        let tone = (config.answer_tone && itu && !use_v8)
            .then(|| AnswerToneGenerator::new(AnswerTone::AnsPr, config.level_dbm0));
        let v8 = use_v8.then(|| {
            Box::new(v8::Answerer::new(v8::answer::Config {
                modulations: v8_modes,
                level_dbm0: config.level_dbm0,
                // The billing delay has passed already; ANSam lasts as long as ANS would.
                silence_before_tone: Duration::ZERO,
                tone_max: ANSWER_TONE,
                ..v8::answer::Config::default()
            }))
        });
        let mut a = Answerer {
            config: config.clone(),
            modes,
            step: Step::Delay,
            timer: Duration::ZERO,
            tone,
            v8,
            offers,
            n_offers: n,
            pump: None,
            fsk_tx: None,
            watch: WATCHED.map(|(f, _)| ToneWatch::new(f, MARK_QUALIFY)),
            v21_rx: Box::new(fsk::Receiver::new(fsk::V21_CH1)),
            v21_marks: MarkRun::default(),
            handoff: None,
            progress: crate::queue::Fifo::new(),
        };
        if !config.answer_tone {
            a.next_after_tone();
        }
        a
    }

    /// The next progress report, if any.
    pub fn poll_progress(&mut self) -> Option<Progress> {
        self.progress.pop()
    }

    fn report(&mut self, p: Progress) {
        self.progress.push(p);
    }

    /// The engine chosen, once the caller has been recognised.
    pub fn take_handoff(&mut self) -> Option<Handoff> {
        self.handoff.take()
    }

    /// True once the start-up has handed over (or has nothing to offer).
    pub fn is_done(&self) -> bool {
        matches!(self.step, Step::Done)
    }

    fn next_after_tone(&mut self) {
        if self.n_offers == 0 {
            self.step = Step::Done;
        } else {
            self.start_offer(0);
        }
    }

    fn start_offer(&mut self, i: usize) {
        self.step = Step::Offer(i);
        self.timer = Duration::ZERO;
        let offer = self.offers[i];
        self.pump = None;
        self.fsk_tx = None;
        match offer {
            Offer::Dpsk => {
                let f = offer.family(self.modes);
                self.pump = Some(Box::new(Pump::new(self.config.pump_config(f, Role::Answer))));
            }
            Offer::Bell if self.modes.contains(Family::Bell212A) => {
                self.pump = Some(Box::new(Pump::new(self.config.pump_config(Family::Bell212A, Role::Answer))));
            }
            Offer::V21 | Offer::Bell | Offer::V23 => {
                let family = offer.family(self.modes);
                let (tx_spec, _) = fsk::channels(family, Role::Answer).expect("an FSK family");
                let mut tx = fsk::Transmitter::new(tx_spec, self.config.level_dbm0);
                tx.set_carrier(true);
                self.fsk_tx = Some(tx);
            }
        }
        self.report(Progress::Offering(offer.family(self.modes)));
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
        let m = Duration::from_samples(rx.len() as u32);
        tx.iter_mut().for_each(|v| *v = 0.0);
        if matches!(self.step, Step::Done) {
            return;
        }
        for w in &mut self.watch {
            w.process(rx);
        }
        if self.modes.contains(Family::V21) {
            self.v21_rx.process(rx, &mut self.v21_marks);
            if !self.v21_rx.carrier() {
                self.v21_marks = MarkRun::default();
            }
        }
        self.timer += m;
        match self.step {
            Step::Delay => {
                if self.timer >= self.config.answer_delay {
                    self.timer = Duration::ZERO;
                    if self.tone.is_some() || self.v8.is_some() {
                        self.step = Step::Tone;
                        self.report(Progress::AnswerTone);
                    } else {
                        self.next_after_tone();
                    }
                }
            }
            Step::Tone if self.v8.is_some() => {
                let v = self.v8.as_mut().expect("v8");
                v.process(rx, tx);
                let mut chosen = None;
                let mut legacy = false;
                while let Some(e) = v.poll_event() {
                    match e {
                        v8::Event::Negotiated { modulation } => chosen = modulation.family_in(self.modes),
                        v8::Event::NoMenu | v8::Event::Failed(_) => legacy = true,
                        _ => {}
                    }
                }
                if let Some(family) = chosen {
                    self.v8 = None;
                    self.report(Progress::V8(family));
                    let offer = match family {
                        Family::V21 => Offer::V21,
                        Family::V23 => Offer::V23,
                        _ => Offer::Dpsk,
                    };
                    match self.offers[..self.n_offers].iter().position(|&o| o == offer) {
                        Some(i) => self.start_offer(i),
                        None => self.next_after_tone(),
                    }
                } else if legacy || v.is_done() {
                    // No CM (a caller without V.8): ANSam was its answer tone; go on as V.25 does.
                    self.v8 = None;
                    self.next_after_tone();
                }
            }
            Step::Tone => {
                if let Some(t) = &mut self.tone {
                    if self.timer >= ANSWER_TONE {
                        t.stop();
                    }
                    t.process(tx);
                }
                let done = self.tone.as_ref().is_none_or(|t| t.is_idle());
                if done && self.timer >= ANSWER_TONE + SILENCE_AFTER_TONE {
                    self.next_after_tone();
                }
            }
            Step::Offer(i) => {
                if let Some(p) = &mut self.pump {
                    p.process(rx, tx, &mut || 1u8, &mut Drop);
                    if p.phase() != PumpPhase::Waiting {
                        let family = self.offers[i].family(self.modes);
                        let pump = self.pump.take().expect("pump");
                        self.hand_over(Handoff::Dpsk { family, pump });
                        return;
                    }
                } else if let Some(t) = &mut self.fsk_tx {
                    t.process(tx, &mut || 1u8);
                }
                if self.timer >= OFFER {
                    self.start_offer((i + 1) % self.n_offers);
                }
            }
            Step::Done => {}
        }
        // An FSK caller's steady mark, heard in any phase after the delay.
        if !matches!(self.step, Step::Delay) {
            for (k, &(_, family)) in WATCHED.iter().enumerate() {
                let steady = family != Family::V21 || self.v21_marks.0 >= V21_MARK_BITS;
                if self.watch[k].present() && steady && self.modes.contains(family) {
                    let sending = self.sending_hz();
                    self.answer_fsk(family, sending.and_then(|f| next_phase(tx, f)));
                    return;
                }
            }
        }
    }

    /// The steady tone being sent now, if any (Hz).
    fn sending_hz(&self) -> Option<f32> {
        match self.step {
            Step::Tone => self.tone.as_ref().map(|t| t.kind().freq()).or(self.v8.as_ref().map(|_| 2100.0)),
            Step::Offer(i) => match self.offers[i] {
                Offer::Dpsk => Some(2250.0),
                Offer::Bell => Some(crate::tones::answer::BELL_HZ),
                Offer::V21 => Some(fsk::V21_CH2.mark),
                Offer::V23 => Some(fsk::V23_FORWARD.mark),
            },
            _ => None,
        }
    }

    /// Goes on as the answering `family` FSK modem, keeping the transmitter already sending that
    /// family's mark when there is one, and otherwise carrying on from the tone being sent
    /// (phase `continue_at`) without a click: the caller may have taken that tone for this
    /// modem's mark already, and a click would reach it as a start bit.
    fn answer_fsk(&mut self, family: Family, continue_at: Option<f64>) {
        let (tx_spec, rx_spec) = fsk::channels(family, Role::Answer).expect("an FSK family");
        let tx = match self.fsk_tx.take() {
            Some(t) if t.spec() == tx_spec => t,
            _ => {
                let mut t = fsk::Transmitter::new(tx_spec, self.config.level_dbm0);
                match continue_at {
                    Some(p) => t.continue_tone(p),
                    None => t.set_carrier(true),
                }
                t
            }
        };
        // A fresh receiver: it finds the carrier within a few bits and passes on the bits that
        // came while it did (not what it made of the signals before the caller's mark).
        let rx = Box::new(fsk::Receiver::new(rx_spec));
        self.hand_over(Handoff::Fsk { family, tx, rx, qualified: true, heard: Vec::new() });
    }

    fn hand_over(&mut self, h: Handoff) {
        self.report(Progress::Detected(h.family()));
        self.handoff = Some(h);
        self.pump = None;
        self.fsk_tx = None;
        self.step = Step::Done;
    }
}
