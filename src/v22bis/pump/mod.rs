//! The V.22/V.22bis data pump: start-up sequences, fall-back to V.22, retrain, and data.

mod policy;
mod startup;

use crate::bits::{BitSink, BitSource};
use crate::dsp::{dbm0_to_peak, Complex, Nco, SAMPLE_RATE};
use crate::time::Duration;
use crate::types::{Family, Role};
use crate::v22bis::rx::{Receiver, Symbol};
use crate::v22bis::supervision::{Held, Holdback, Supervisor};
use crate::v22bis::tx::{Signal, Transmitter};
use crate::v22bis::{Descrambler, GuardTone, Rate, ANSWER_CARRIER, CALL_CARRIER};

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
    /// Retrain when the receive quality stays this poor (estimated SNR per symbol, dB) for half a
    /// second in data mode at 2400 bit/s (default 18 dB: errors near 3e-4).
    pub retrain_below_db: f32,
    /// Retrain when the far signal comes back after a gap (a dropout: its symbols 15 dB or more
    /// below the signal's level) of at least this long in data mode (V.22bis only; zero never).
    /// Shorter hits are ridden through: the receiver holds its loops over them.
    pub retrain_after_gap: Duration,
    /// The line must let the receiver estimate at least this SNR per symbol (dB) during the
    /// start-up for 2400 bit/s; below it the modem goes on at 1200 bit/s (the caller by sending
    /// no S1, the answerer by not answering the caller's S1; either, when the far modem's
    /// scrambled ones after its S1 show the line too poor, by starting again). Default: what
    /// 2400 bit/s needs for a bit error rate of 1e-5 ([`crate::v22bis::quality::snr_needed_db`]).
    /// `f32::NEG_INFINITY` takes 2400 bit/s whatever the line.
    pub start_2400_db: f32,
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
            retrain_below_db: 18.0,
            retrain_after_gap: Duration::from_ms(200),
            bell_tone: false,
            start_2400_db: crate::v22bis::quality::snr_needed_db(Rate::R2400),
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
    /// The line was judged too poor for 2400 bit/s: the start-up goes on at 1200 (or, judged by
    /// the far modem's scrambled ones after S1 or in data mode, this modem starts the start-up
    /// again for 1200).
    TooPoorFor2400 {
        /// The SNR per symbol the line was judged to have, dB (rounded).
        snr_db: i32,
    },
    /// The line is too poor for the rate in use and nothing more can be done: the connection is
    /// given up ([`Pump::link_up`] says false from now on).
    Hopeless {
        /// The rate, bit/s.
        rate: u32,
        /// The SNR per symbol, dB (rounded).
        snr_db: i32,
    },
}

/// The start-up steps, in V.22bis order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    /// Answerer: the silence before its first signal.
    AnswerSilence,
    /// Answerer: unscrambled ones until it hears S1 (V.22bis caller) or scrambled ones (V.22).
    AnswerOnes,
    /// Answerer: S1 heard; still sending unscrambled ones, it judges the line by the caller's
    /// scrambled ones before answering S1 (2400 bit/s) or not (1200 bit/s).
    AnswerJudge,
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
    /// Falling back to 1200 bit/s: silence long enough for the far modem to notice, then the
    /// start-up again without S1 (the answerer's unscrambled ones, or the caller waiting for them).
    FallbackSilence,
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
/// The supervisor must say "not data" for this many symbols in a row before held bits are
/// dropped (the hold-back, 32 symbols, still covers the signal's change).
const NOT_DATA_SYMBOLS: u32 = 8;
/// Unscrambled ones turn by whole quarters to within this (radians, 8 degrees: a frequency offset
/// of 13 Hz), the Bell tone does not.
const TURN_BIAS_ONES: f32 = 0.14;
/// How long the answerer is silent before starting again for 1200 bit/s (long enough for any
/// modem to notice its carrier has gone).
const FALLBACK_SILENCE: u32 = Duration::from_ms(300).samples();
/// The longest a new start-up for 1200 bit/s may take before the connection is given up.
const FALLBACK_LIMIT: u32 = Duration::from_ms(6000).samples();
/// Caller, starting again for 1200 bit/s: the longest to wait, from the start of its silence,
/// for the answerer to start again too (its unscrambled ones). One that restarts when the
/// caller's signal goes (ours in a start-up or retrain, spandsp's at any time) does so within a
/// few hundred ms; one that does not has hung up or never will.
const RESTART_WAIT: u32 = Duration::from_ms(2000).samples();
/// Answerer, after answering S1: this many of the last 32 symbols faint (40 ms of them at least)
/// mean the caller has stopped, to start again (it found the line too poor for 2400 bit/s) or
/// because it has gone. (The carrier detector follows the level down too slowly for this, and
/// line noise can hold it on.)
const QUIET_SYMBOLS: u32 = 24;
/// A symbol at the matched filter's output this far below the constellation's power (10 dB) is
/// faint: no signal, only noise, which at 10 dB SNR over the band is 18 dB down there. (A data
/// symbol's power, even an inner 16-point one with noise, is seldom under it.)
const FAINT: f32 = 0.1;
/// Data at 1200 bit/s worse than this bit error rate (estimated) for [`HOPELESS_TIME`] is not
/// worth delivering: about 5 % of characters wrong.
const HOPELESS_BER_1200: f64 = 5e-3;
/// At 2400 bit/s, after a retrain for poor quality, worse than this for [`HOPELESS_TIME`] calls for
/// 1200 bit/s.
const TOO_POOR_BER_2400: f64 = 1e-3;
/// How long the line must stay that poor.
const HOPELESS_TIME: u32 = Duration::from_ms(1500).samples();
/// After data mode begins (after the start-up or a retrain), how long before the receiver's
/// figures count for the quality policy.
const SETTLE_TIME: u32 = Duration::from_ms(500).samples();
/// Symbols of the caller's scrambled ones the answerer judges the line by (150 ms).
const JUDGE_SYMBOLS: u32 = 90;
/// The longest the answerer waits for them after S1.
const JUDGE_TIMEOUT: u32 = Duration::from_ms(600).samples();
/// Data-mode quality must stay poor this long before a retrain.
const POOR_TIME: u32 = Duration::from_ms(500).samples();
/// Data-mode quality must be good this long before poor quality may call for a retrain again.
const GOOD_TIME: u32 = Duration::from_ms(1000).samples();
/// A carrier offset beyond this while hearing unscrambled ones means a steady tone (2225 Hz is 25 Hz
/// below where unscrambled ones put it), not a line offset.
const TONE_OFFSET_HZ: f32 = 15.0;
/// Beginning a retrain, the longest to go on hearing the far modem's data while waiting for its S1
/// (a modem answers one in well under 100 ms; our answerer judges the line first, which takes up
/// to [`JUDGE_TIMEOUT`] more).
const LISTEN_TIMEOUT: u32 = Duration::from_ms(1000).samples();
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
    /// In data mode: symbols in a row the supervisor has not taken for data.
    not_data: u32,
    /// The held bits are to be passed on (see [`Pump::release_before_s1`]).
    release_held: bool,
    /// In a retrain this end began from data mode, until the far modem answers with S1: the
    /// data's rate (its data goes on meanwhile, and is heard and delivered).
    listening: Option<Rate>,
    /// Judging the line by the far modem's scrambled ones after its S1, which answers this
    /// modem's (the caller in its start-up and in every retrain, the answerer in a retrain it
    /// began): `Some(false)` waiting for that S1, `Some(true)` judging, `None` not judging.
    s1_judge: Option<bool>,
    /// Samples since the current retrain began.
    retrain_time: u32,
    /// Judging the line: the answerer by the caller's scrambled ones after S1, the caller by the
    /// answerer's unscrambled ones before it.
    judge: startup::LineJudge,
    /// This start-up may still go to 2400 bit/s (the line has not been found too poor for it).
    may_2400: bool,
    /// In data mode: samples the line has been too poor to hold (hopeless at 1200, or still poor
    /// after a retrain at 2400).
    too_poor: u32,
    /// Given up: the line cannot carry data at any rate ([`PumpEvent::Hopeless`]).
    hopeless: bool,
    /// The data carry error control (V.42): errors cannot reach the user, so a line poor even
    /// for 1200 bit/s is held as long as its carrier is (see [`Pump::set_protected`]).
    protected: bool,
    /// A new start-up for 1200 bit/s under way after a connection at 2400 (this end's or the far
    /// end's doing): the link holds for [`FALLBACK_LIMIT`].
    falling_back: bool,
    /// The last 32 symbols, one bit each: set for one far below the signal's level (the far modem
    /// silent, only line noise left).
    faint: u32,
    /// The far modem's S1 has been heard in this start-up or retrain.
    far_s1: bool,
    /// Running mean of how far each symbol-to-symbol turn is from a whole quarter (radians, on the
    /// matched filter's output): unscrambled ones turn by exactly three quarters, the Bell tone
    /// (2225 Hz on the 2400 Hz carrier) by 15 degrees less.
    turn_bias: f32,
    prev_raw: Complex,
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
            not_data: 0,
            s1_judge: None,
            listening: None,
            release_held: false,
            retrain_time: 0,
            judge: startup::LineJudge::default(),
            may_2400: true,
            too_poor: 0,
            hopeless: false,
            protected: false,
            falling_back: false,
            faint: 0,
            far_s1: false,
            turn_bias: 0.0,
            prev_raw: Complex::ZERO,
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
            Step::FallbackSilence => Phase::Retraining,
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

    /// True while the transmitter sends data (takes bits from the source).
    pub fn sends_data(&self) -> bool {
        matches!(self.step, Step::Data(_))
    }

    /// True while the connection holds: in data mode with the carrier qualified, or in a retrain
    /// (which gives up after a few seconds). False before the first data mode, after a hang-up,
    /// and once a failed retrain has sent the pump back to the beginning of its start-up. A modem
    /// hangs up when this stays false for its carrier-loss time.
    pub fn link_up(&self) -> bool {
        if self.hopeless {
            return false;
        }
        if self.falling_back {
            return self.retrain_time < FALLBACK_LIMIT;
        }
        match self.step {
            Step::Data(_) => self.carrier(),
            // A retrain this end began is up while it still hears the far modem's data, and once
            // the far modem answers; one no modem answers (begun on something that only looked
            // like a carrier come back) is not.
            _ if self.listening.is_some() => self.supervisor.qualified(),
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

    /// Error control (V.42) protects the data from now on (`true`), or no longer does. A protected
    /// connection at 1200 bit/s is not given up for its error rate: garbage cannot come through,
    /// and a line that carries nothing at all ends by V.42's own timers or the carrier's loss.
    pub fn set_protected(&mut self, on: bool) {
        self.protected = on;
    }

    /// Starts a retrain (V.22bis data mode only; otherwise nothing happens).
    pub fn retrain(&mut self) {
        if matches!(self.step, Step::Data(Rate::R2400)) || (self.retraining && self.bis) {
            self.begin_retrain(true);
        }
    }

    fn begin_retrain(&mut self, initiated: bool) {
        self.listening = None;
        match self.step {
            Step::Data(rate) if initiated && self.rx_data => {
                // The far modem goes on sending data until it hears S1 and answers with its own:
                // hear it until then, and train afresh from that S1 (as the far modem does from
                // this one's).
                self.listening = Some(rate);
            }
            _ if !initiated && self.rx_data => self.release_before_s1(),
            _ => self.drop_held(),
        }
        self.retrain_answered = !initiated;
        self.retrain_time = 0;
        self.retraining = true;
        self.bis = true;
        if self.listening.is_none() {
            self.rx_data = false;
            self.rx.restart();
        }
        // The answerer judges the line by the caller's answer to its retrain, as it does when the
        // caller asks for one. The caller judges the answerer's answer to its own, or the
        // answerer's retrain (whose S1 has just been heard): the answerer may not judge at all
        // (spandsp's does not), and the line may be worse towards the caller.
        self.judge.clear();
        self.s1_judge = (initiated || self.config.role == Role::Call).then_some(false);
        self.set_step(Step::SendS1);
        self.push_event(PumpEvent::Retrain { initiated });
    }

    fn set_step(&mut self, step: Step) {
        if step == Step::SendS1 {
            // An answerer sends S1 only after hearing the caller's.
            self.far_s1 = self.config.role == Role::Answer;
        }
        self.step = step;
        self.timer = 0;
        let signal = match step {
            Step::AnswerSilence | Step::CallWaitOnes | Step::CallPause | Step::FallbackSilence => Signal::Silence,
            // Judging a retrain's line, the answerer goes on as in data mode (idle, scrambled): its
            // unscrambled ones would tell the caller it had started again.
            Step::AnswerJudge if self.retraining => Signal::ScrambledOnes(Rate::R2400),
            Step::AnswerOnes | Step::AnswerJudge => Signal::UnscrambledOnes,
            Step::SendS1 => Signal::S1,
            Step::Ones1200 | Step::V22Hold => Signal::ScrambledOnes(Rate::R1200),
            Step::Ones2400 => Signal::ScrambledOnes(Rate::R2400),
            Step::Data(r) => Signal::Data(r),
            Step::Stopped => Signal::Silence,
        };
        self.tx.set_signal(signal);
        if let Step::Data(r) = step {
            self.retraining = false;
            self.s1_judge = None;
            self.falling_back = false;
            self.too_poor = 0;
            self.poor = 0;
            self.good = 0;
            self.lost_carrier = false;
            self.supervisor.restart(self.rx.mse());
            self.push_event(PumpEvent::Connected(r));
        }
        if step == Step::Stopped {
            self.discard_held();
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
            if self.retraining || self.falling_back {
                self.retrain_time = self.retrain_time.saturating_add(m as u32);
                self.retrain_answered |= self.heard_s1();
            }
            self.advance_step();
            self.hand_over_dropped(sink);
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
        if matches!(self.step, Step::Data(_)) || self.listening.is_some() {
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
        // (Against the gain the signal had: a silence leaves only noise, which the gain takes a
        // while to bring up, slowly once tracking.)
        let faint = s.weak || s.raw.norm_sqr() < FAINT * super::Constellation::POWER;
        self.faint = (self.faint << 1) | faint as u32;
        self.ones_run = if raw_ones { self.ones_run + sym } else { 0 };
        let d = s.raw * self.prev_raw.conj();
        self.prev_raw = s.raw;
        if d.norm_sqr() > 0.0 && d.re.is_finite() && d.im.is_finite() {
            let quarter = core::f32::consts::FRAC_PI_2;
            let a = d.im.atan2(d.re);
            self.turn_bias += 0.05 * (a - (a / quarter).round() * quarter - self.turn_bias);
        }
        self.varied = (self.varied << 1) | (!raw_ones) as u32;
        // S1: dibits 00 and 11 alternating, +90 and +270 degrees.
        let s1_like = (s.turn == 1 || s.turn == 3) && s.turn != self.last_change;
        self.s1_run = if s1_like { self.s1_run + 1 } else { 0 };
        if self.listening.is_some() && (self.heard_s1() || self.retrain_time >= LISTEN_TIMEOUT) {
            // The far modem has answered the retrain: what came before its S1 was data; train
            // from here.
            self.release_before_s1();
            self.listening = None;
            self.rx_data = false;
            self.clean_ones = 0;
            self.scrambled_run = 0;
            self.far_s1 |= self.heard_s1();
            self.rx.restart();
        }
        match self.step {
            Step::AnswerJudge => self.judge.hear(s.raw, !s1_like && !s.weak),
            Step::CallPause => self.judge.hear(s.raw, !s.weak),
            Step::SendS1 | Step::Ones1200 if self.s1_judge.is_some() => {
                if self.heard_s1() {
                    self.s1_judge = Some(true);
                }
                if self.s1_judge == Some(true) && self.judge.symbols() < JUDGE_SYMBOLS {
                    self.judge.hear(s.raw, !s1_like && !s.weak);
                }
            }
            _ => {}
        }
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
        let ready = self.listening.is_none()
            && match self.step {
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
        // (Still hearing the far modem's data at the start of a retrain counts as data mode.)
        let in_data = matches!(self.step, Step::Data(_)) || self.listening.is_some();
        // (Weak symbols are a hole in the signal, not a change in it: they neither count nor
        // break the run.)
        self.not_data = match (in_data && !self.supervisor.is_data(), s.weak) {
            (false, _) => 0,
            (true, true) => self.not_data,
            (true, false) => self.not_data + 1,
        };
        let pass = |h: Held| match h {
            Held::Bit(b) => sink.put_bit(b, 0.0),
            Held::Hole(k) => sink.hole(k),
        };
        if self.rx_data && self.step != Step::Stopped && s.weak && in_data {
            // A dropout: what the far modem sent meanwhile is lost, and with it the character in
            // progress.
            self.held.push_hole(n as u32, pass);
        } else if self.rx_data && self.step != Step::Stopped && !s.weak {
            if self.not_data < NOT_DATA_SYMBOLS {
                self.held.push(&data[..n], pass);
            } else {
                // Not data (any more): what was held came just before it turned, and may be part
                // of it. (A dip of a few symbols, which a poor but usable line has now and then,
                // is ridden through.)
                self.discard_held();
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
        self.hand_over_dropped(sink);
    }

    /// Tells the sink about bits dropped since the last time (they may have been characters), and
    /// that they leave a hole.
    fn hand_over_dropped(&mut self, sink: &mut impl BitSink) {
        if core::mem::take(&mut self.release_held) {
            self.held.flush(|h| match h {
                Held::Bit(b) => sink.put_bit(b, 0.0),
                Held::Hole(k) => sink.hole(k),
            });
        }
        if self.held.take_dropped(|b| sink.drop_bit(b)) {
            sink.hole(0);
        }
    }

    /// Answering the far modem's retrain (its S1 heard): the bits held from before its S1 were its
    /// data and go on; those from S1 are dropped.
    fn release_before_s1(&mut self) {
        let n = match (self.step, self.listening) {
            (Step::Data(r), _) | (_, Some(r)) => r.bits_per_symbol(),
            _ => 4,
        };
        self.held.discard_newest((S1_SYMBOLS as usize + 2) * n);
        self.release_held = true;
    }

    /// Drops the bits held back: they were data (a retrain or fall-back began), and the sink may
    /// count the characters they carried.
    fn drop_held(&mut self) {
        self.held.drop_all(true);
    }

    /// Drops the bits held back as not data (the signal turned, or the call ended).
    fn discard_held(&mut self) {
        self.held.drop_all(false);
    }

    /// Received data bits dropped so far: held back when the signal turned out not to be data, or
    /// when a retrain began or the pump stopped.
    pub fn bits_dropped(&self) -> u64 {
        self.held.dropped()
    }

    fn heard_s1(&self) -> bool {
        self.s1_run >= S1_SYMBOLS
    }
}

#[cfg(test)]
mod tests;
