//! The V.22/V.22bis data pump: start-up sequences, fall-back to V.22, retrain, and data.

use super::rx::{Receiver, Symbol};
use super::supervision::{Holdback, Supervisor};
use super::tx::{Signal, Transmitter};
use super::{Descrambler, GuardTone, Rate, ANSWER_CARRIER, CALL_CARRIER};
use crate::bits::{BitSink, BitSource};
use crate::dsp::{dbm0_to_peak, Nco, SAMPLE_RATE};
use crate::time::Duration;
use crate::types::{Family, Role};

/// How a pump is set up.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Calling or answering.
    pub role: Role,
    /// Offer 2400 bit/s (V.22bis). When false the modem is a V.22 modem: 1200 bit/s only, no S1.
    pub v22bis: bool,
    /// Transmit level in dBm0.
    pub level_dbm0: f32,
    /// Guard tone (sent only by an answering modem).
    pub guard: GuardTone,
    /// Retrain when the receive quality stays this poor (estimated SNR in dB) for half a second in
    /// data mode (V.22bis only).
    pub retrain_below_db: f32,
    /// Retrain when the far signal comes back after a gap (a dropout: its symbols 15 dB or more
    /// below the signal's level) of at least this long in data mode (V.22bis only; zero never).
    /// Shorter hits are ridden through: the receiver holds its loops over them.
    pub retrain_after_gap: Duration,
    /// Bell 212A answering: while waiting for the caller, send the Bell answer tone (2225 Hz)
    /// instead of unscrambled ones. (A 212A caller takes either for the answerer's signal, and
    /// so does a V.22 caller: 2225 Hz turns by -105 degrees a symbol on the 2400 Hz carrier, close
    /// to the -90 of unscrambled ones.)
    pub bell_tone: bool,
}

impl Config {
    /// V.22bis in `role`, -13 dBm0, no guard tone.
    pub fn new(role: Role) -> Self {
        Config {
            role,
            v22bis: true,
            level_dbm0: -13.0,
            guard: GuardTone::None,
            retrain_below_db: 12.0,
            retrain_after_gap: Duration::from_ms(200),
            bell_tone: false,
        }
    }

    /// The set-up for `family` (V.22bis offers 2400 bit/s; V.22 and Bell 212A do not, and a
    /// Bell 212A answerer waits with the Bell tone and sends no guard tone) in `role`.
    pub fn for_family(family: Family, role: Role, level_dbm0: f32, guard: GuardTone) -> Self {
        Config {
            v22bis: family == Family::V22bis,
            bell_tone: family == Family::Bell212A,
            level_dbm0,
            guard: if family == Family::Bell212A { GuardTone::None } else { guard },
            ..Config::new(role)
        }
    }
}

/// Where the pump is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Silent, or sending unscrambled ones, waiting for the far modem.
    Waiting,
    /// Start-up signals under way.
    Training,
    /// Data flows at the rate.
    Data(Rate),
    /// A retrain is under way (data held).
    Retraining,
}

/// Something the pump reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PumpEvent {
    /// Data mode reached (after start-up or a retrain) at the rate.
    Connected(Rate),
    /// A retrain began; `initiated` when this modem asked for it.
    Retrain {
        /// True when this modem started it.
        initiated: bool,
    },
}

/// The start-up steps, in V.22bis order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    /// Answerer: the silence before its first signal.
    AnswerSilence,
    /// Answerer: unscrambled ones until it hears S1 (V.22bis caller) or scrambled ones (V.22).
    AnswerOnes,
    /// Caller: silent until unscrambled ones have been heard for 155 ms.
    CallWaitOnes,
    /// Caller: the 456 ms of silence after that.
    CallPause,
    /// Sending S1 (100 ms), then scrambled ones at 1200.
    SendS1,
    /// Scrambled ones at 1200 bit/s; in V.22bis mode for the training time, then 2400.
    Ones1200,
    /// V.22 mode: scrambled ones at 1200 until 765 ms after the far end's were heard.
    V22Hold,
    /// Scrambled ones at 2400 bit/s for 200 ms.
    Ones2400,
    /// Data.
    Data(Rate),
    /// Hung up: silent, hearing nothing.
    Stopped,
}

/// Silence before the answerer's unscrambled ones (after the answer tone, when one is sent).
const ANSWER_SILENCE: u32 = Duration::from_ms(75).samples();
/// Unscrambled ones the caller must hear before acting.
const HEAR_ONES: u32 = Duration::from_ms(155).samples();
/// The caller's pause after hearing them.
const CALL_PAUSE: u32 = Duration::from_ms(456).samples();
/// Length of S1.
const S1_TIME: u32 = Duration::from_ms(103).samples();
/// Scrambled ones at 1200 bit/s after S1 before moving to 2400: 600 ms from the caller (its S1
/// came first), 500 ms from the answerer.
const CALL_TRAIN: u32 = Duration::from_ms(600).samples();
const ANSWER_TRAIN: u32 = Duration::from_ms(500).samples();
/// Scrambled ones at 2400 bit/s before data.
const ONES_2400: u32 = Duration::from_ms(200).samples();
/// V.22: scrambled ones heard for 270 ms, then 765 ms until data.
const HEAR_SCRAMBLED: u32 = Duration::from_ms(270).samples();
const V22_HOLD: u32 = Duration::from_ms(765).samples();
/// Symbols of S1 pattern that identify it (it lasts 60).
const S1_SYMBOLS: u32 = 20;
/// Data-mode quality must stay poor this long before a retrain.
const POOR_TIME: u32 = Duration::from_ms(500).samples();
/// Data-mode quality must be good this long before poor quality may call for a retrain again.
const GOOD_TIME: u32 = Duration::from_ms(1000).samples();
/// A carrier offset beyond this while hearing unscrambled ones means a steady tone (2225 Hz is 25 Hz
/// below where unscrambled ones put it), not a line offset.
const TONE_OFFSET_HZ: f32 = 15.0;
/// Give up a retrain (or start-up step) that makes no progress after this long, and start again.
const STEP_TIMEOUT: u32 = Duration::from_ms(3000).samples();

/// A complete V.22/V.22bis modem below the character level: it runs the start-up in either role,
/// falls back to 1200 bit/s when the far modem is a V.22 one, retrains on request or when the line
/// degrades, and in data mode scrambles the bits it takes from a [`BitSource`] and hands the
/// descrambled bits it receives to a [`BitSink`].
///
/// Start-up (V.22bis section 6.3): the answering modem sends unscrambled binary 1 on the high
/// channel; the calling modem, once it has heard that for 155 ms, waits 456 ms, then sends S1 for
/// 100 ms and scrambled ones at 1200 bit/s. An answering modem that hears S1 answers with its own
/// S1 and scrambled ones; both train their receivers on the 1200 bit/s ones (600 ms from the
/// caller, 500 ms from the answerer after its S1), send scrambled ones at 2400 bit/s for 200 ms
/// and start data. A modem that hears scrambled ones without S1 is talking to a V.22 modem: it
/// sends scrambled ones at 1200 bit/s and starts data 765 ms after hearing the far end's for
/// 270 ms.
#[derive(Debug, Clone)]
pub struct Pump {
    config: Config,
    tx: Transmitter,
    rx: Receiver,
    step: Step,
    /// Samples since the current step began.
    timer: u32,
    /// True once the far modem's S1 was heard (V.22bis agreed).
    bis: bool,
    /// Hearing: consecutive unscrambled ones (in samples), S1 pattern (symbols), scrambled ones
    /// (samples).
    ones_run: u32,
    s1_run: u32,
    last_change: u8,
    scrambled_run: u32,
    /// The last 32 symbols, one bit each: set for a symbol that was not scrambled ones.
    not_scrambled: u32,
    /// Recent raw dibits that were not "11" (unscrambled ones), one bit each.
    varied: u32,
    descrambler: Descrambler,
    /// Samples the far end's scrambled ones have been heard while holding in V.22 mode.
    poor: u32,
    /// Samples of data mode with good quality (3 dB over the retrain threshold) in a row, whether
    /// a retrain for poor quality may be started, and whether the carrier was lost since the last
    /// data mode began.
    good: u32,
    quality_retrain: bool,
    lost_carrier: bool,
    /// In data mode: symbols in a row too weak to decide (a dropout), and whether a gap long
    /// enough to retrain after has just ended.
    gap: u32,
    gap_ended: bool,
    retraining: bool,
    /// The far end's data may arrive: its training is over at the rate agreed. Received bits go
    /// to the sink from then on (the far end may start data a little before this end does).
    rx_data: bool,
    /// Descrambled ones in a row, at the rate of the last symbol.
    clean_ones: u32,
    last_rate: Rate,
    events: crate::queue::Fifo<PumpEvent, 4>,
    symbols: [Option<Symbol>; 16],
    /// The Bell answer tone, with its peak amplitude ([`Config::bell_tone`]).
    bell: Option<(Nco, f32)>,
    /// Calling: what was taken for unscrambled ones was a steady tone well off the carrier (the
    /// Bell answer tone); the receiver starts afresh when the far signal changes.
    tone_answer: bool,
    /// In data mode: is it still the far modem's data?
    supervisor: Supervisor,
    /// Received data bits held back, so that those heard just before the signal turned out not to
    /// be data any more are dropped.
    held: Holdback,
    /// Non-weak symbols heard since a dropout ended.
    since_gap: u32,
    /// Samples since the current retrain began.
    retrain_time: u32,
    /// In a retrain: the far modem's S1 was heard (it started the retrain, or answered ours).
    retrain_answered: bool,
}

/// A retrain this modem started holds the connection this long without the far modem's S1 in
/// answer; after that the far modem is taken to be gone (the retrain itself goes on until
/// [`STEP_TIMEOUT`]).
const RETRAIN_ANSWER: u32 = Duration::from_ms(1000).samples();

impl Pump {
    /// A pump starting its start-up now.
    pub fn new(config: Config) -> Self {
        let bell = (config.bell_tone && config.role == Role::Answer)
            .then(|| (Nco::new(crate::fsk::BELL103_ANSWER.mark, SAMPLE_RATE as f32), dbm0_to_peak(config.level_dbm0)));
        let (tx_carrier, rx_carrier) = match config.role {
            Role::Call => (CALL_CARRIER, ANSWER_CARRIER),
            Role::Answer => (ANSWER_CARRIER, CALL_CARRIER),
        };
        let guard = if config.role == Role::Answer { config.guard } else { GuardTone::None };
        let step = match config.role {
            Role::Call => Step::CallWaitOnes,
            Role::Answer => Step::AnswerSilence,
        };
        Pump {
            tx: Transmitter::new(tx_carrier, config.level_dbm0, guard),
            rx: Receiver::new(rx_carrier),
            config,
            step,
            timer: 0,
            bis: false,
            ones_run: 0,
            s1_run: 0,
            last_change: 0,
            scrambled_run: 0,
            not_scrambled: u32::MAX,
            varied: 0,
            descrambler: Descrambler::new(),
            poor: 0,
            good: 0,
            quality_retrain: true,
            lost_carrier: false,
            gap: 0,
            gap_ended: false,
            retraining: false,
            rx_data: false,
            clean_ones: 0,
            last_rate: Rate::R1200,
            events: crate::queue::Fifo::new(),
            symbols: [None; 16],
            bell,
            tone_answer: false,
            supervisor: Supervisor::new(),
            held: Holdback::default(),
            since_gap: 0,
            retrain_time: 0,
            retrain_answered: false,
        }
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Where the pump is.
    pub fn phase(&self) -> Phase {
        match self.step {
            Step::Data(r) => Phase::Data(r),
            _ if self.retraining => Phase::Retraining,
            Step::AnswerSilence | Step::AnswerOnes | Step::CallWaitOnes | Step::Stopped => Phase::Waiting,
            _ => Phase::Training,
        }
    }

    /// The receiver (for its quality figures and constellation).
    pub fn receiver(&self) -> &Receiver {
        &self.rx
    }

    /// True once the far modem has answered this one's start-up and its data may arrive (received
    /// bits go to the sink from then on).
    pub fn hearing_data(&self) -> bool {
        self.rx_data
    }

    /// True while the far carrier is present: by level during the start-up, and in data mode
    /// only while what is heard is the far modem's data (see [`super::supervision`]).
    pub fn carrier(&self) -> bool {
        match self.step {
            Step::Data(_) => self.rx.carrier() && self.supervisor.qualified(),
            _ => self.rx.carrier(),
        }
    }

    /// True while the connection holds: in data mode with the carrier qualified, or in a retrain
    /// (which gives up after a few seconds). False before the first data mode, after a hang-up,
    /// and once a failed retrain has sent the pump back to the beginning of its start-up. A modem
    /// hangs up when this stays false for its carrier-loss time.
    pub fn link_up(&self) -> bool {
        match self.step {
            Step::Data(_) => self.carrier(),
            _ => self.retraining && (self.retrain_answered || self.retrain_time < RETRAIN_ANSWER),
        }
    }

    /// The data-mode supervisor (its short-term SNR estimate, its verdicts).
    pub fn supervisor(&self) -> &Supervisor {
        &self.supervisor
    }

    /// The next event, if any.
    pub fn poll_event(&mut self) -> Option<PumpEvent> {
        self.events.pop()
    }

    fn push_event(&mut self, e: PumpEvent) {
        self.events.push_overwrite(e);
    }

    /// Hangs up: silence from the next symbol, and nothing more happens.
    pub fn stop(&mut self) {
        self.set_step(Step::Stopped);
    }

    /// Starts a retrain (V.22bis data mode only; otherwise nothing happens).
    pub fn retrain(&mut self) {
        if matches!(self.step, Step::Data(Rate::R2400)) || (self.retraining && self.bis) {
            self.begin_retrain(true);
        }
    }

    fn begin_retrain(&mut self, initiated: bool) {
        self.retrain_answered = !initiated;
        self.retrain_time = 0;
        self.retraining = true;
        self.rx_data = false;
        self.drop_held();
        self.bis = true;
        self.rx.restart();
        self.set_step(Step::SendS1);
        self.push_event(PumpEvent::Retrain { initiated });
    }

    fn set_step(&mut self, step: Step) {
        self.step = step;
        self.timer = 0;
        let signal = match step {
            Step::AnswerSilence | Step::CallWaitOnes | Step::CallPause => Signal::Silence,
            Step::AnswerOnes => Signal::UnscrambledOnes,
            Step::SendS1 => Signal::S1,
            Step::Ones1200 | Step::V22Hold => Signal::ScrambledOnes(Rate::R1200),
            Step::Ones2400 => Signal::ScrambledOnes(Rate::R2400),
            Step::Data(r) => Signal::Data(r),
            Step::Stopped => Signal::Silence,
        };
        self.tx.set_signal(signal);
        if let Step::Data(r) = step {
            self.retraining = false;
            self.poor = 0;
            self.good = 0;
            self.lost_carrier = false;
            self.supervisor.restart(self.rx.mse());
            self.push_event(PumpEvent::Connected(r));
        }
        if step == Step::Stopped {
            self.drop_held();
        }
    }

    /// Hears `rx` from the line and fills `tx` (same length), taking data bits from `source` and
    /// giving received data bits to `sink` while in data mode.
    pub fn process(&mut self, rx: &[f32], tx: &mut [f32], source: &mut impl BitSource, sink: &mut impl BitSink) {
        let n = rx.len().min(tx.len());
        let mut i = 0;
        while i < n {
            // Short slices keep the start-up's timing to a few ms.
            let m = (n - i).min(40);
            let symbols = &mut self.symbols;
            let mut k = 0;
            self.rx.process(&rx[i..i + m], |s| {
                if k < symbols.len() {
                    symbols[k] = Some(*s);
                    k += 1;
                }
            });
            for j in 0..k {
                if let Some(s) = self.symbols[j].take() {
                    self.hear(&s, sink);
                }
            }
            self.timer = self.timer.saturating_add(m as u32);
            if self.retraining {
                self.retrain_time = self.retrain_time.saturating_add(m as u32);
                self.retrain_answered |= self.heard_s1();
            }
            self.advance_step();
            let data = matches!(self.step, Step::Data(_));
            let mut idle = || 1u8;
            if let (Step::AnswerOnes, Some((nco, amp))) = (self.step, &mut self.bell) {
                tx[i..i + m].iter_mut().for_each(|v| *v = *amp * nco.next_cos());
            } else if data {
                self.tx.process(&mut tx[i..i + m], source);
            } else {
                self.tx.process(&mut tx[i..i + m], &mut idle);
            }
            i += m;
        }
        tx[n..].iter_mut().for_each(|v| *v = 0.0);
    }

    /// One received symbol: watch for the start-up signals, pass data on.
    fn hear(&mut self, s: &Symbol, sink: &mut impl BitSink) {
        // Samples per symbol, rounded down (13).
        let sym = SAMPLE_RATE * 10 / 6 / 1000;
        // The start-up's patterns are told apart by the turn from one symbol to the next, measured
        // directly (so a carrier loop not yet locked, or locked to a wrong angle, cannot hide
        // them). Unscrambled ones: every dibit 11, a steady +270 degree turn.
        let raw_ones = s.turn == 3;
        if matches!(self.step, Step::Data(_)) {
            self.supervisor.hear(s);
        }
        if matches!(self.step, Step::Data(Rate::R2400)) && self.rx.carrier() {
            if s.weak {
                self.gap = self.gap.saturating_add(1);
                self.since_gap = 0;
            } else {
                let gap = self.config.retrain_after_gap;
                let long = !gap.is_zero() && self.gap as f32 >= gap.as_secs_f64() as f32 * super::BAUD;
                self.gap_ended |= long;
                self.gap = 0;
                self.since_gap = self.since_gap.saturating_add(1);
            }
        } else {
            self.gap = 0;
            self.gap_ended = false;
        }
        self.ones_run = if raw_ones { self.ones_run + sym } else { 0 };
        self.varied = (self.varied << 1) | (!raw_ones) as u32;
        // S1: dibits 00 and 11 alternating, +90 and +270 degrees.
        let s1_like = (s.turn == 1 || s.turn == 3) && s.turn != self.last_change;
        self.s1_run = if s1_like { self.s1_run + 1 } else { 0 };
        self.last_change = s.turn;
        // The far end's data can come once it has trained at the rate agreed: at 2400 bit/s
        // (V.22bis) once the receiver has followed it there, at 1200 (V.22) once its scrambled
        // ones have been heard.
        // At 2400 bit/s, wait for 32 descrambled ones in a row at that rate: the symbols just
        // before the receiver followed the far end to 2400 were taken as 1200 bit/s ones, which
        // upsets the descrambler for 17 bits.
        if s.rate != self.last_rate {
            self.last_rate = s.rate;
            self.clean_ones = 0;
        }
        let ready = match self.step {
            Step::V22Hold | Step::Data(Rate::R1200) => true,
            Step::Ones1200 | Step::Ones2400 | Step::Data(Rate::R2400) => {
                self.bis && s.rate == Rate::R2400 && self.clean_ones >= 32
            }
            _ => false,
        };
        // Descramble; scrambled ones are ones after descrambling that were not ones before.
        let bits = [s.b12.0, s.b12.1, s.b34.0, s.b34.1];
        let mut all_ones = true;
        let n = s.rate.bits_per_symbol();
        let mut data = [0u8; 4];
        for (d, &b) in data.iter_mut().zip(&bits[..n]) {
            *d = self.descrambler.descramble(b);
            all_ones &= *d == 1;
            self.clean_ones = if *d == 1 { self.clean_ones.saturating_add(1) } else { 0 };
        }
        if self.rx_data && self.step != Step::Stopped && !s.weak {
            if self.supervisor.is_data() || !matches!(self.step, Step::Data(_)) {
                self.held.push(&data[..n], |b| sink.put_bit(b, 0.0));
            } else {
                // Not data (any more): what was held came just before it turned, and may be part
                // of it.
                self.drop_held();
            }
        }
        self.rx_data |= ready;
        // Scrambled ones heard: a run of symbols that descramble to ones, allowing a few wrong
        // ones (at most 8 of the last 32) so that a noisy line or a speech codec (through GSM-FR
        // about one symbol in ten is wrong) cannot keep the start-up from ever seeing it. Data
        // (a quarter of the symbols would pass) never looks like it, nor do unscrambled ones.
        let scrambled = all_ones && self.varied.count_ones() >= 8;
        self.not_scrambled = (self.not_scrambled << 1) | (!scrambled) as u32;
        self.scrambled_run = if self.not_scrambled.count_ones() <= 8 { self.scrambled_run + sym } else { 0 };
    }

    fn drop_held(&mut self) {
        self.held.drop_all();
    }

    /// Received data bits dropped so far: held back when the signal turned out not to be data, or
    /// when a retrain began or the pump stopped.
    pub fn bits_dropped(&self) -> u64 {
        self.held.dropped()
    }

    fn heard_s1(&self) -> bool {
        self.s1_run >= S1_SYMBOLS
    }

    /// Timers and what was heard move the start-up on.
    fn advance_step(&mut self) {
        let bis_ok = self.config.v22bis;
        match self.step {
            Step::AnswerSilence => {
                if self.timer >= ANSWER_SILENCE {
                    self.set_step(Step::AnswerOnes);
                }
            }
            Step::AnswerOnes => {
                if bis_ok && self.heard_s1() {
                    self.bis = true;
                    self.set_step(Step::SendS1);
                } else if self.scrambled_run >= HEAR_SCRAMBLED {
                    // A V.22 caller (or a V.22bis caller that found us V.22): 1200 bit/s.
                    self.set_step(Step::V22Hold);
                }
            }
            Step::CallWaitOnes => {
                if self.ones_run >= HEAR_ONES {
                    // A Bell 212A answerer's 2225 Hz tone looks like unscrambled ones 25 Hz low:
                    // the carrier loop follows it there, and would take a while to come back
                    // when the answerer's real DPSK starts. Start the receiver afresh then.
                    self.tone_answer = self.rx.freq_offset_hz().abs() > TONE_OFFSET_HZ;
                    self.set_step(Step::CallPause);
                }
            }
            Step::CallPause => {
                if self.timer >= CALL_PAUSE {
                    self.set_step(if bis_ok { Step::SendS1 } else { Step::Ones1200 });
                }
            }
            Step::SendS1 => {
                if self.config.role == Role::Call && self.heard_s1() {
                    self.bis = true;
                }
                if self.timer >= S1_TIME {
                    self.set_step(Step::Ones1200);
                }
            }
            Step::Ones1200 => {
                if self.tone_answer && self.varied.count_ones() >= 8 {
                    self.tone_answer = false;
                    self.rx.restart();
                }
                if self.heard_s1() && bis_ok {
                    self.bis = true;
                }
                let train = if self.config.role == Role::Call { CALL_TRAIN - S1_TIME } else { ANSWER_TRAIN };
                if self.bis {
                    // Train; tell the receiver to follow the far end to 2400 near its switch.
                    if self.rx.rate().is_none() && self.timer >= train / 3 {
                        self.rx.set_rate(Rate::R1200);
                    }
                    if self.rx.rate() == Some(Rate::R1200) && self.timer >= train * 2 / 3 {
                        self.rx.watch_for_2400();
                    }
                    if self.timer >= train {
                        self.set_step(Step::Ones2400);
                    }
                } else if self.config.role == Role::Call && self.scrambled_run >= HEAR_SCRAMBLED {
                    // The answerer sent no S1: it is a V.22 modem.
                    self.set_step(Step::V22Hold);
                    self.timer = self.scrambled_run.saturating_sub(HEAR_SCRAMBLED);
                } else if self.timer >= STEP_TIMEOUT {
                    self.restart();
                }
            }
            Step::V22Hold => {
                if self.rx.rate().is_none() {
                    self.rx.set_rate(Rate::R1200);
                }
                if self.timer >= V22_HOLD {
                    self.set_step(Step::Data(Rate::R1200));
                }
            }
            Step::Ones2400 => {
                if self.timer >= ONES_2400 {
                    self.set_step(Step::Data(Rate::R2400));
                }
            }
            Step::Data(rate) => {
                if rate == Rate::R2400 {
                    self.watch_quality();
                }
            }
            Step::Stopped => {}
        }
    }

    /// In V.22bis data mode: answer the far end's S1 with a retrain, and start one when the
    /// line has been poor for a while or the carrier came back after a loss.
    fn watch_quality(&mut self) {
        if self.heard_s1() {
            self.begin_retrain(false);
            return;
        }
        if self.gap_ended {
            // The far signal came back after a dropout: retrain once it is surely the far modem's
            // (not noise or a tone that followed its end).
            if self.since_gap >= 16 && self.supervisor.is_data() {
                self.gap_ended = false;
                self.begin_retrain(true);
                return;
            } else if self.since_gap >= 64 {
                self.gap_ended = false;
            }
        }
        // Only a carrier the supervisor qualifies is worth a retrain: after the far modem has gone,
        // a retrain would only hold the line open. One that was lost (to a long hit, or a line
        // too poor for a while) and has come back calls for one, as the loops may have wandered.
        let carrier = self.rx.carrier() && self.supervisor.qualified();
        if !carrier {
            self.lost_carrier = true;
            self.poor = 0;
            self.good = 0;
            return;
        }
        if self.lost_carrier {
            self.begin_retrain(true);
            return;
        }
        // A retrain for poor quality is allowed once after the start-up, and again only once the
        // quality has been good for a while: a line that is poor all along (a speech codec on
        // the path) gains nothing from retrain after retrain, each of which costs a second of
        // data.
        let snr = self.rx.snr_db();
        self.good = if snr >= self.config.retrain_below_db + 3.0 { self.good + 40 } else { 0 };
        if self.good >= GOOD_TIME {
            self.quality_retrain = true;
        }
        self.poor = if snr < self.config.retrain_below_db { self.poor + 40 } else { 0 };
        if self.poor >= POOR_TIME && self.quality_retrain {
            // Spent on poor quality: the next one waits for good quality first.
            self.quality_retrain = false;
            self.begin_retrain(true);
        }
    }

    /// Back to the beginning of the start-up.
    fn restart(&mut self) {
        self.drop_held();
        self.tone_answer = false;
        self.quality_retrain = true;
        self.bis = false;
        self.rx_data = false;
        self.retraining = false;
        self.rx.restart();
        let step = match self.config.role {
            Role::Call => Step::CallWaitOnes,
            Role::Answer => Step::AnswerSilence,
        };
        self.set_step(step);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::bert::{BerCounter, PatternPump, Prbs};
    use crate::sim::call::BackToBack;
    use crate::sim::line::{Impairments, Line};

    /// Counts pattern errors once `on`.
    struct Counter(BerCounter, bool);
    impl BitSink for Counter {
        fn put_bit(&mut self, bit: u8, _soft: f32) {
            if self.1 {
                self.0.push(bit);
            }
        }
    }

    /// What a test call leaves: both pumps, the events with times (s) and ends, and the pattern
    /// counters at each end.
    type Outcome = (Pump, Pump, Vec<(f32, char, PumpEvent)>, BerCounter, BerCounter);

    /// Runs a call for `seconds`; returns both pumps, their events with times (s), and the
    /// pattern counters at each end (counting from `count_from` seconds).
    fn call_from(a_cfg: Config, b_cfg: Config, imp: Impairments, seconds: f32, count_from: f32) -> Outcome {
        run(
            BackToBack::new(PatternPump::new(a_cfg), PatternPump::new(b_cfg), Line::symmetric(imp, 9)),
            seconds,
            count_from,
        )
    }

    /// Runs `call` for `seconds`, counting the pattern from `count_from` seconds.
    fn run(mut call: BackToBack<PatternPump, PatternPump>, seconds: f32, count_from: f32) -> Outcome {
        let mut events = vec![];
        for blk in 0..(seconds * 50.0) as usize {
            call.step();
            let t = blk as f32 / 50.0;
            call.a.counting = t >= count_from;
            call.b.counting = t >= count_from;
            while let Some(e) = call.a.pump.poll_event() {
                events.push((t, 'A', e));
            }
            while let Some(e) = call.b.pump.poll_event() {
                events.push((t, 'B', e));
            }
        }
        let (a, b) = call.into_ends();
        (a.pump, b.pump, events, a.received, b.received)
    }

    fn call(a_cfg: Config, b_cfg: Config, imp: Impairments, seconds: f32) -> Outcome {
        call_from(a_cfg, b_cfg, imp, seconds, 0.0)
    }

    #[test]
    fn v22bis_both_ends_reach_2400_and_carry_data() {
        let (a, b, events, ca, cb) =
            call(Config::new(Role::Call), Config::new(Role::Answer), Impairments::default(), 6.0);
        assert_eq!(a.phase(), Phase::Data(Rate::R2400), "{events:?}");
        assert_eq!(b.phase(), Phase::Data(Rate::R2400), "{events:?}");
        assert!(ca.bits > 5000 && cb.bits > 5000, "{} {}", ca.bits, cb.bits);
        assert_eq!((ca.errors, cb.errors), (0, 0));
        // The start-up takes about 1.6 s: 75 ms silence, 155 ms of ones heard, 456 ms pause,
        // 100 ms S1, 600 ms of ones at 1200 and 200 ms at 2400.
        let t = events.iter().find(|e| e.1 == 'A').unwrap().0;
        assert!((1.4..1.8).contains(&t), "{events:?}");
        assert_eq!(events.len(), 2, "{events:?}");
    }

    #[test]
    fn falls_back_to_1200_with_a_v22_modem_at_either_end() {
        let v22 = |role| Config { v22bis: false, ..Config::new(role) };
        for (a_cfg, b_cfg) in
            [(Config::new(Role::Call), v22(Role::Answer)), (v22(Role::Call), Config::new(Role::Answer))]
        {
            let (a, b, events, ca, cb) = call(a_cfg.clone(), b_cfg.clone(), Impairments::default(), 6.0);
            assert_eq!(a.phase(), Phase::Data(Rate::R1200), "{a_cfg:?}: {events:?}");
            assert_eq!(b.phase(), Phase::Data(Rate::R1200), "{b_cfg:?}: {events:?}");
            assert!(ca.bits > 2000 && cb.bits > 2000, "{} {}", ca.bits, cb.bits);
            assert_eq!((ca.errors, cb.errors), (0, 0));
        }
    }

    #[test]
    fn trains_and_holds_through_impairments() {
        let cases = [
            (
                "20 dB, +7 Hz, +300 ppm",
                Impairments { freq_offset_hz: 7.0, clock_ppm: 300.0, ..Default::default() }.with_snr(20.0, -13.0),
            ),
            (
                "20 dB, -7 Hz, -300 ppm",
                Impairments { freq_offset_hz: -7.0, clock_ppm: -300.0, ..Default::default() }.with_snr(20.0, -13.0),
            ),
            (
                "-10 dB near echo, 20 dB far echo at 30 ms, telephone band",
                Impairments {
                    near_echo: Some(crate::sim::line::Echo { level_db: -10.0, delay_ms: 2.0 }),
                    far_echo: Some(crate::sim::line::Echo { level_db: -20.0, delay_ms: 30.0 }),
                    band: crate::sim::line::Band::Telephone,
                    ..Default::default()
                }
                .with_snr(25.0, -13.0),
            ),
            (
                "A-law, 30 dB",
                Impairments { codec: Some(crate::g711::Law::ALaw), ..Default::default() }.with_snr(30.0, -13.0),
            ),
        ];
        for (name, imp) in cases {
            let (a, b, events, ca, cb) = call(Config::new(Role::Call), Config::new(Role::Answer), imp, 8.0);
            assert_eq!(
                (a.phase(), b.phase()),
                (Phase::Data(Rate::R2400), Phase::Data(Rate::R2400)),
                "{name}: {events:?}"
            );
            assert_eq!(events.len(), 2, "{name}: retrained: {events:?}");
            assert!(ca.bits > 10_000 && cb.bits > 10_000, "{name}: {} {}", ca.bits, cb.bits);
            assert_eq!((ca.errors, cb.errors), (0, 0), "{name}");
        }
    }

    /// A call whose line has a dropout of `ms` at 3 s on the way to A (`to_a`) and/or to B
    /// (`to_b`), with noise and frequency and clock offsets; bits counted from 4.8 s.
    fn dropout_call(ms: f32, to_a: bool, to_b: bool) -> Outcome {
        let imp = |gap: bool| {
            Impairments {
                dropouts: if gap { vec![crate::sim::line::Dropout { at_ms: 3000.0, ms }] } else { vec![] },
                freq_offset_hz: 5.0,
                clock_ppm: 200.0,
                ..Default::default()
            }
            .with_snr(25.0, -13.0)
        };
        let line = Line::new(imp(to_b), imp(to_a), 9);
        run(
            BackToBack::new(
                PatternPump::new(Config::new(Role::Call)),
                PatternPump::new(Config::new(Role::Answer)),
                line,
            ),
            8.0,
            4.8,
        )
    }

    #[test]
    fn retrains_after_a_300_ms_dropout() {
        // 300 ms with no signal both ways: each end retrains when the signal comes back (both
        // initiate: each heard the gap), back in data within 1.5 s, the data clean after.
        let (a, b, events, ca, cb) = dropout_call(300.0, true, true);
        assert_eq!((a.phase(), b.phase()), (Phase::Data(Rate::R2400), Phase::Data(Rate::R2400)), "{events:?}");
        for end in ['A', 'B'] {
            let retrain = events.iter().find(|e| e.1 == end && matches!(e.2, PumpEvent::Retrain { .. }));
            assert!(retrain.is_some_and(|e| (3.3..3.5).contains(&e.0)), "{end}: {events:?}");
            let back = events.iter().find(|e| e.1 == end && e.0 > 3.3 && matches!(e.2, PumpEvent::Connected(_)));
            assert!(back.is_some_and(|e| e.0 < 4.8 && e.2 == PumpEvent::Connected(Rate::R2400)), "{end}: {events:?}");
        }
        assert!(ca.bits > 7_000 && cb.bits > 7_000, "{} {}", ca.bits, cb.bits);
        assert_eq!((ca.errors, cb.errors), (0, 0), "{events:?}");
    }

    #[test]
    fn a_dropout_one_way_retrains_both_ends() {
        // The dropout only on the way to B: B initiates the retrain, A responds to B's S1.
        let (a, b, events, ca, cb) = dropout_call(300.0, false, true);
        assert_eq!((a.phase(), b.phase()), (Phase::Data(Rate::R2400), Phase::Data(Rate::R2400)), "{events:?}");
        let retrains: Vec<_> = events.iter().filter(|e| matches!(e.2, PumpEvent::Retrain { .. })).collect();
        assert_eq!(retrains.len(), 2, "{events:?}");
        assert!(retrains.iter().any(|e| e.1 == 'B' && e.2 == PumpEvent::Retrain { initiated: true }), "{events:?}");
        assert!(retrains.iter().any(|e| e.1 == 'A' && e.2 == PumpEvent::Retrain { initiated: false }), "{events:?}");
        assert!(ca.bits > 7_000 && cb.bits > 7_000, "{} {}", ca.bits, cb.bits);
        assert_eq!((ca.errors, cb.errors), (0, 0), "{events:?}");
    }

    #[test]
    fn rides_through_a_short_hit() {
        // 100 ms (shorter than the 200 ms gap that calls for a retrain): the receiver holds its
        // loops over the gap, no retrain, and the data after it is clean.
        let (a, b, events, ca, cb) = dropout_call(100.0, true, true);
        assert_eq!((a.phase(), b.phase()), (Phase::Data(Rate::R2400), Phase::Data(Rate::R2400)), "{events:?}");
        assert_eq!(events.len(), 2, "retrained: {events:?}");
        assert!(ca.bits > 7_000 && cb.bits > 7_000, "{} {}", ca.bits, cb.bits);
        assert_eq!((ca.errors, cb.errors), (0, 0), "{events:?}");
    }

    #[test]
    fn retrains_after_losing_the_carrier() {
        // A 1.5 s dropout loses the carrier: both ends retrain when it comes back.
        let imp = Impairments {
            dropouts: vec![crate::sim::line::Dropout { at_ms: 3000.0, ms: 1500.0 }],
            ..Default::default()
        }
        .with_snr(30.0, -13.0);
        let (a, b, events, ca, cb) = call_from(Config::new(Role::Call), Config::new(Role::Answer), imp, 9.0, 6.5);
        assert_eq!((a.phase(), b.phase()), (Phase::Data(Rate::R2400), Phase::Data(Rate::R2400)), "{events:?}");
        for end in ['A', 'B'] {
            assert!(events.iter().any(|e| e.1 == end && matches!(e.2, PumpEvent::Retrain { .. })), "{events:?}");
        }
        // Back in data within 1.5 s of the dropout's end, and the data clean afterwards.
        let back = events
            .iter()
            .filter(|e| e.0 > 4.5 && matches!(e.2, PumpEvent::Connected(_)))
            .map(|e| e.0)
            .fold(0.0, f32::max);
        assert!(back > 4.5 && back < 6.0, "{events:?}");
        assert!(ca.bits > 4_000 && cb.bits > 4_000, "{} {}", ca.bits, cb.bits);
        assert_eq!((ca.errors, cb.errors), (0, 0));
    }

    #[test]
    fn retrains_when_the_line_turns_bad_then_recovers() {
        // After the call is up, one second of heavy noise (2 dB SNR over the band) on the way to the
        // answerer. Its receiver rides that out at about 12 dB SNR; with the retrain threshold set
        // at 15 dB its quality counts as poor, it asks for a retrain half a second in, and once the
        // line is good again both ends are back in data with a clean pattern.
        let mut a = Pump::new(Config::new(Role::Call));
        let mut b = Pump::new(Config { retrain_below_db: 15.0, ..Config::new(Role::Answer) });
        let mut line = Line::symmetric(Impairments::default().with_snr(30.0, -13.0), 4);
        let mut burst = crate::sim::rng::Rng::new(8);
        let burst_rms = crate::dsp::dbm0_to_power(-15.0).sqrt();
        let (mut pa, mut pb) = (Prbs::new(), Prbs::new());
        let (mut ca, mut cb) = (Counter(BerCounter::new(), false), Counter(BerCounter::new(), false));
        let (mut ao, mut bo, mut ai, mut bi) = (vec![0.0; 160], vec![0.0; 160], vec![0.0; 160], vec![0.0; 160]);
        let mut events = vec![];
        for blk in 0..500 {
            let t = blk as f32 / 50.0;
            line.process(&ao, &bo, &mut ai, &mut bi);
            if (3.0..4.0).contains(&t) {
                bi.iter_mut().for_each(|v| *v += burst_rms * burst.gaussian());
            }
            ca.1 = t >= 6.0;
            cb.1 = t >= 6.0;
            a.process(&ai, &mut ao, &mut || pa.next_bit(), &mut ca);
            b.process(&bi, &mut bo, &mut || pb.next_bit(), &mut cb);
            while let Some(e) = a.poll_event() {
                events.push((t, 'A', e));
            }
            while let Some(e) = b.poll_event() {
                events.push((t, 'B', e));
            }
        }
        assert!(events.iter().any(|e| e.1 == 'B' && e.2 == PumpEvent::Retrain { initiated: true }), "{events:?}");
        assert!(events.iter().any(|e| e.1 == 'A' && e.2 == PumpEvent::Retrain { initiated: false }), "{events:?}");
        assert_eq!((a.phase(), b.phase()), (Phase::Data(Rate::R2400), Phase::Data(Rate::R2400)), "{events:?}");
        assert!(ca.0.bits > 8_000 && cb.0.bits > 8_000, "{} {}", ca.0.bits, cb.0.bits);
        assert_eq!((ca.0.errors, cb.0.errors), (0, 0), "{events:?}");
    }

    #[test]
    fn retrain_on_request() {
        let mut a = Pump::new(Config::new(Role::Call));
        let mut b = Pump::new(Config::new(Role::Answer));
        let (mut ao, mut bo) = (vec![0.0; 160], vec![0.0; 160]);
        let mut sink = Counter(BerCounter::new(), false);
        let mut seen = vec![];
        for blk in 0..400 {
            if blk == 200 {
                assert_eq!(a.phase(), Phase::Data(Rate::R2400));
                a.retrain();
            }
            let (ai, bi) = (bo.clone(), ao.clone());
            a.process(&ai, &mut ao, &mut || 1, &mut sink);
            b.process(&bi, &mut bo, &mut || 1, &mut sink);
            while let Some(e) = b.poll_event() {
                seen.push(e);
            }
        }
        assert_eq!(
            seen,
            vec![
                PumpEvent::Connected(Rate::R2400),
                PumpEvent::Retrain { initiated: false },
                PumpEvent::Connected(Rate::R2400)
            ]
        );
        assert_eq!(a.phase(), Phase::Data(Rate::R2400));
    }
}
