//! The sans-IO modem: line samples in and out, bytes in and out through bounded queues, events.
//!
//! ```
//! use softmodem::modem::{Config, Event, Modem};
//! use softmodem::{Family, Role};
//! let mut caller = Modem::new(Config::new(Family::Bell103, Role::Call));
//! let mut answerer = Modem::new(Config::new(Family::Bell103, Role::Answer));
//! answerer.write(b"hello");
//! let (mut a_to_b, mut b_to_a) = (vec![0.0f32; 160], vec![0.0f32; 160]);
//! let mut got = Vec::new();
//! for _ in 0..200 {
//!     let heard_by_a = b_to_a.clone();
//!     caller.process(&heard_by_a, &mut a_to_b);
//!     let heard_by_b = a_to_b.clone();
//!     answerer.process(&heard_by_b, &mut b_to_a);
//!     let mut buf = [0u8; 64];
//!     let n = caller.read(&mut buf);
//!     got.extend_from_slice(&buf[..n]);
//! }
//! assert_eq!(got, b"hello");
//! ```

use crate::automode::{self, Handoff, Progress, Startup};
use crate::bits::BitSink;
use crate::fsk;
use crate::queue::ByteQueue;
use crate::startstop::{CharReceiver, Format, Framer};
use crate::time::{Duration, Instant};
use crate::types::{Family, LineEndpoint, Modes, Role};
use crate::v22bis::pump::{Phase, Pump, PumpEvent};
use crate::v22bis::Rate;

/// The transmit levels a modem may be set to, dBm0: the one range the page, the CLI and the DCE
/// apply.
pub const LEVEL_RANGE_DBM0: core::ops::RangeInclusive<f32> = -60.0..=0.0;

/// How a modem is set up.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// The modulation family.
    pub family: Family,
    /// Calling or answering.
    pub role: Role,
    /// Transmit level in dBm0.
    pub level_dbm0: f32,
    /// Character format on the line.
    pub format: Format,
    /// Capacity of each byte queue.
    pub queue_capacity: usize,
    /// How long the far carrier must be present before the modem acts on it.
    pub carrier_qualify: Duration,
    /// How long a calling modem sends its carrier before it declares the connection (so the
    /// answerer has found it before data flows).
    pub call_settle: Duration,
    /// How long the far carrier may be lost before the modem hangs up (Hayes S10).
    pub carrier_loss: Duration,
    /// Bell 202 only: how long the carrier is sent before the first character, and after the
    /// last.
    pub turnaround: Duration,
    /// V.22/V.22bis answering modem only: the guard tone.
    pub guard: crate::v22bis::GuardTone,
    /// [`Family::Auto`]: the families the modem may use.
    pub modes: Modes,
    /// Answering: wait the billing delay, then send the V.25 answer tone (2100 Hz with phase
    /// reversals) before the modulation's own first signal (a Bell 103 or 212A answerer's first
    /// signal is its 2225 Hz tone). Calling: expect one, and take no notice of it. Always on in
    /// automode for the caller; an automode answerer without it starts offering at once.
    pub answer_tone: bool,
    /// Answering with the answer tone: the silence after going off-hook before it (V.25's
    /// billing delay, 1.8 to 2.5 s).
    pub answer_delay: Duration,
    /// V.8: answering, the answer tone is ANSam and a caller's CM is answered with JM; calling,
    /// ANSam is answered with CM. Only the V.8 modes of the families allowed are offered
    /// (V.22bis/V.22, V.21, V.23).
    pub v8: bool,
}

impl Config {
    /// The defaults for `family` in `role`: -13 dBm0, 8N1, 150 ms to qualify the carrier, 1.4 s
    /// carrier-loss delay.
    pub fn new(family: Family, role: Role) -> Self {
        Config {
            family,
            role,
            level_dbm0: -13.0,
            format: Format::N81,
            queue_capacity: 4096,
            carrier_qualify: Duration::from_ms(150),
            call_settle: Duration::from_ms(300),
            carrier_loss: Duration::from_ms(1400),
            turnaround: Duration::from_ms(30),
            guard: crate::v22bis::GuardTone::None,
            modes: Modes::ALL,
            answer_tone: false,
            answer_delay: Duration::from_ms(2000),
            v8: false,
        }
    }

    /// The families this configuration may use: [`Config::modes`] in automode, otherwise the
    /// family alone.
    pub fn allowed_modes(&self) -> Modes {
        match self.family {
            Family::Auto => self.modes,
            f => Modes::only(f),
        }
    }

    /// The start-up's set-up (answer tone, automode, V.8) for this configuration.
    pub fn startup(&self) -> automode::Config {
        automode::Config {
            modes: self.allowed_modes(),
            level_dbm0: self.level_dbm0,
            guard: self.guard,
            answer_tone: self.answer_tone,
            answer_delay: self.answer_delay,
            v8: self.v8,
        }
    }
}

/// Something the modem reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    /// The modems are connected; data flows at `rate` bit/s (the receive rate).
    Connected {
        /// Receive rate in bit/s.
        rx_rate: u32,
        /// Transmit rate in bit/s.
        tx_rate: u32,
    },
    /// The far carrier has been lost for longer than the carrier-loss delay; the modem has hung up.
    NoCarrier,
    /// The far modem sent a break.
    Break,
    /// A retrain began (V.22bis); data is held until it is over.
    Retrain,
    /// A retrain is over; data flows again at `rate` bit/s.
    Retrained {
        /// The rate in bit/s.
        rate: u32,
    },
    /// How the start-up goes (answer tone, what is offered, what the far modem was found to be).
    Progress(Progress),
    /// V.22bis: the line was judged too poor for 2400 bit/s (SNR per symbol, dB, rounded), and
    /// the start-up goes on at 1200 bit/s (after the far modem's S1, or in data mode: a new
    /// start-up for 1200 begins).
    TooPoorFor2400 {
        /// The SNR the line was judged to have, dB.
        snr_db: i32,
    },
    /// V.22/V.22bis: the line is too poor even for `rate`: the connection is given up, and
    /// [`Event::NoCarrier`] follows after the carrier-loss delay.
    LineTooPoor {
        /// The rate in use, bit/s.
        rate: u32,
        /// The SNR per symbol, dB (rounded).
        snr_db: i32,
    },
}

/// Where the modem is in a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// The start-up: waiting for the far modem, or exchanging the start-up signals.
    Handshake,
    /// A calling modem found the answerer and is sending its own carrier before connecting.
    Settling,
    /// Connected: data flows.
    Data,
    /// Hung up (carrier lost, or [`Modem::hang_up`]). The transmitter is silent.
    Idle,
}

pub use crate::startstop::Stats;

const EVENTS: usize = 8;

/// After a loss, how long the carrier must be present again before the loss is over.
const CARRIER_BACK: Duration = Duration::from_ms(400);

/// Marks an automode answerer sends on its FSK carrier before the first character.
const HANDOFF_LEAD: Duration = Duration::from_ms(100);

/// A complete modem for one end of a call, sans-IO.
///
/// Feed it the samples heard on the line and it fills the same number of samples to send
/// ([`Modem::process`]); exchange bytes with [`Modem::write`] and [`Modem::read`]; take events with
/// [`Modem::poll_event`]. Samples are `f32` at 8000 Hz, full scale 1.0.
///
/// The FSK start-up is the one the Bell 103 and V.21 modems use: the answerer sends its mark carrier
/// at once; the caller, once it has heard that carrier for the qualifying time, sends its own and
/// connects after a settling time; the answerer connects once it has heard the caller's carrier for
/// the qualifying time. (Answer tones, V.8 and automode come with the call set-up layer.)
#[derive(Debug, Clone)]
pub struct Modem {
    config: Config,
    /// The family in use (the one chosen, in automode).
    family: Family,
    state: State,
    engine: Engine,
    framer: Framer,
    tx_queue: ByteQueue,
    side: CharReceiver,
    events: crate::queue::Fifo<Event, EVENTS>,
    /// Time counted towards the current timer (qualify, settle, loss, turnaround).
    timer: Duration,
    /// In data mode, after a carrier loss: how long the carrier has been back.
    back: Duration,
    /// Time since the modem started.
    clock: Instant,
    break_pending: bool,
    /// Bell 202: mark still to send after keying up, before the first character (also an
    /// automode answerer's marks after the hand-over).
    lead: Duration,
    /// The V.22/V.22bis pump was sending data at the last look.
    pump_sent_data: bool,
    /// Synchronous data (V.42): the data bits themselves, instead of start-stop characters.
    sync: Option<Box<SyncPort>>,
}

/// What the synchronous receive path holds: bits, and the marks of holes between them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncBit {
    /// A received bit, 0 or 1.
    Bit(u8),
    /// Bits the far modem sent were not heard here (a dropout, a retrain).
    Hole,
}

const HOLE: u8 = 2;

/// The bit queues of synchronous data mode.
#[derive(Debug, Clone)]
struct SyncPort {
    tx: ByteQueue,
    rx: ByteQueue,
}

impl BitSink for ByteQueue {
    fn put_bit(&mut self, bit: u8, _soft: f32) {
        self.push(bit & 1);
    }
    fn hole(&mut self, _unheard: u32) {
        self.push(HOLE);
    }
    fn carrier(&mut self, on: bool) {
        if !on {
            self.push(HOLE);
        }
    }
}

/// The modulation under the character layer.
#[derive(Debug, Clone)]
enum Engine {
    Fsk {
        tx: fsk::Transmitter,
        rx: Box<fsk::Receiver>,
    },
    V22(Box<Pump>),
    /// The start-up (answer tone, automode) before the modulation is chosen.
    Startup(Box<Startup>),
}

impl Modem {
    /// A modem set up by `config`, starting its handshake.
    pub fn new(config: Config) -> Self {
        let mut side = CharReceiver::new(config.format, config.queue_capacity);
        let startup = config.family == Family::Auto || (config.answer_tone && config.family != Family::Bell202);
        let engine = match fsk::channels(config.family, config.role) {
            _ if startup => Engine::Startup(Box::new(Startup::new(config.role, &config.startup()))),
            Some((tx_spec, rx_spec)) => {
                let mut tx = fsk::Transmitter::new(tx_spec, config.level_dbm0);
                // The answerer (and a keyed Bell 202) starts with carrier; a caller waits for the
                // answerer.
                tx.set_carrier(config.role == Role::Answer && config.family != Family::Bell202);
                Engine::Fsk { tx, rx: Box::new(fsk::Receiver::new(rx_spec)) }
            }
            None => {
                let pc = config.startup().pump_config(config.family, config.role);
                // Synchronous modems carry characters as V.14 says: stop bits may be missing.
                side.set_v14(true);
                Engine::V22(Box::new(Pump::new(pc)))
            }
        };
        let state = if config.family == Family::Bell202 { State::Data } else { State::Handshake };
        let mut m = Modem {
            family: config.family,
            engine,
            framer: Framer::new(config.format),
            tx_queue: ByteQueue::new(config.queue_capacity),
            side,
            events: crate::queue::Fifo::new(),
            timer: Duration::ZERO,
            back: Duration::ZERO,
            clock: Instant::ZERO,
            state,
            config,
            break_pending: false,
            lead: Duration::ZERO,
            pump_sent_data: false,
            sync: None,
        };
        // FSK receivers deliver characters once the carrier qualifies; the V.22 pump passes bits
        // on only in data mode.
        m.side.set_enabled(m.state == State::Data || matches!(m.engine, Engine::V22(_)));
        if m.state == State::Data {
            let r = m.rates();
            m.push_event(Event::Connected { rx_rate: r.0, tx_rate: r.1 });
        }
        m
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The family in use: the configured one, or in automode the one chosen ([`Family::Auto`]
    /// until then).
    pub fn family(&self) -> Family {
        self.family
    }

    /// Where the call is.
    pub fn state(&self) -> State {
        self.state
    }

    /// Receive-side counts.
    pub fn stats(&self) -> Stats {
        self.side.stats()
    }

    /// True while the far modem's carrier is present.
    pub fn carrier(&self) -> bool {
        match &self.engine {
            Engine::Fsk { rx, .. } => rx.carrier(),
            Engine::V22(p) => p.carrier(),
            Engine::Startup(_) => false,
        }
    }

    /// The received level in the receive channel's band, dBm0.
    pub fn rx_level_dbm0(&self) -> f32 {
        match &self.engine {
            Engine::Fsk { rx, .. } => rx.level_dbm0(),
            Engine::V22(p) => p.receiver().level_dbm0(),
            Engine::Startup(_) => -100.0,
        }
    }

    /// For V.22/V.22bis, the data pump (its receiver has the signal quality and constellation).
    pub fn v22_pump(&self) -> Option<&Pump> {
        match &self.engine {
            Engine::V22(p) => Some(p),
            Engine::Fsk { .. } | Engine::Startup(_) => None,
        }
    }

    /// True while data bits cross the line: in data mode and, for V.22/V.22bis, not in a retrain
    /// or a new start-up (a link protocol's timers wait while they do not).
    pub fn data_flowing(&self) -> bool {
        self.state == State::Data
            && match &self.engine {
                Engine::V22(p) => p.sends_data(),
                _ => true,
            }
    }

    /// Error control protects the data (V.22/V.22bis; see [`Pump::set_protected`]).
    pub fn set_protected(&mut self, on: bool) {
        if let Engine::V22(p) = &mut self.engine {
            p.set_protected(on);
        }
    }

    /// Asks for a retrain (V.22bis in data mode; otherwise nothing happens).
    pub fn retrain(&mut self) {
        if let Engine::V22(p) = &mut self.engine {
            p.retrain();
        }
    }

    /// Time since the modem started (samples processed).
    pub fn now(&self) -> Instant {
        self.clock
    }

    /// Receive and transmit rates in bit/s (for V.22/V.22bis, 0 until the start-up settles them).
    pub fn rates(&self) -> (u32, u32) {
        match &self.engine {
            Engine::Fsk { tx, rx } => (rx.spec().baud as u32, tx.spec().baud as u32),
            Engine::V22(p) => match p.phase() {
                Phase::Data(r) => (r.bps(), r.bps()),
                _ => (0, 0),
            },
            Engine::Startup(_) => (0, 0),
        }
    }

    /// Queues bytes to send; returns how many fit. Bytes written before the connection wait for it.
    pub fn write(&mut self, data: &[u8]) -> usize {
        self.tx_queue.write(data)
    }

    /// Bytes queued and not yet started on the line.
    pub fn tx_pending(&self) -> usize {
        self.tx_queue.len() + (!self.framer.is_idle()) as usize
    }

    /// Room in the transmit queue.
    pub fn tx_free(&self) -> usize {
        self.tx_queue.free()
    }

    /// Takes received bytes into `out`; returns how many.
    pub fn read(&mut self, out: &mut [u8]) -> usize {
        self.side.read(out)
    }

    /// Synchronous data mode (for V.42, which frames its own bits), or start-stop characters
    /// (the default). It applies to V.22 and V.22bis; the FSK modulations always carry
    /// characters. In synchronous mode [`Modem::write`] and [`Modem::read`] carry nothing: bits go
    /// in by [`Modem::sync_push_tx`] and come out of [`Modem::sync_pop_rx`].
    pub fn set_synchronous(&mut self, on: bool) {
        self.sync = on.then(|| Box::new(SyncPort { tx: ByteQueue::new(1024), rx: ByteQueue::new(4096) }));
    }

    /// True when data bits go through the synchronous queues: synchronous mode with a V.22 or
    /// V.22bis data pump.
    pub fn is_synchronous(&self) -> bool {
        self.sync.is_some() && matches!(self.engine, Engine::V22(_))
    }

    /// Synchronous mode: bits queued to send and not yet taken by the data pump.
    pub fn sync_tx_queued(&self) -> usize {
        self.sync.as_ref().map_or(0, |s| s.tx.len())
    }

    /// Synchronous mode: queues one bit to send (false if the queue is full or the mode is off).
    /// The data pump sends ones when the queue runs dry.
    pub fn sync_push_tx(&mut self, bit: u8) -> bool {
        self.sync.as_mut().is_some_and(|s| s.tx.push(bit & 1))
    }

    /// Synchronous mode: the oldest received bit (or hole) not yet taken.
    pub fn sync_pop_rx(&mut self) -> Option<SyncBit> {
        let b = self.sync.as_mut()?.rx.pop()?;
        Some(if b == HOLE { SyncBit::Hole } else { SyncBit::Bit(b) })
    }

    /// Sends a break (2M + 3 bits of space) after the character in progress.
    pub fn send_break(&mut self) {
        self.break_pending = true;
    }

    /// Hangs up: the carrier stops and the modem goes idle.
    pub fn hang_up(&mut self) {
        self.state = State::Idle;
        match &mut self.engine {
            Engine::Fsk { tx, .. } => tx.set_carrier(false),
            Engine::V22(p) => p.stop(),
            Engine::Startup(_) => {
                let mut tx = fsk::Transmitter::new(fsk::V21_CH1, self.config.level_dbm0);
                tx.set_carrier(false);
                self.engine = Engine::Fsk { tx, rx: Box::new(fsk::Receiver::new(fsk::V21_CH2)) }
            }
        }
        self.side.set_enabled(false);
    }

    /// The next event, if any.
    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop()
    }

    fn push_event(&mut self, e: Event) {
        // Drop the oldest rather than the newest: the latest state matters most.
        self.events.push_overwrite(e);
    }

    /// Hears `rx` from the line and fills `tx` with what to send. Both are at 8000 Hz; if their
    /// lengths differ the shorter one sets the count and the rest of `tx` is silence.
    pub fn process(&mut self, rx: &[f32], tx: &mut [f32]) {
        let n = rx.len().min(tx.len());
        // Work in slices short enough that timers and state changes stay within a few ms.
        let mut i = 0;
        while i < n {
            let m = (n - i).min(40);
            let Modem { engine, framer, tx_queue, state, break_pending, lead, side, sync, .. } = self;
            let sending = *state == State::Data && lead.is_zero();
            if let (Engine::V22(p), Some(port)) = (&mut *engine, sync.as_mut()) {
                let SyncPort { tx: txq, rx: rxq } = &mut **port;
                let mut source = || txq.pop().unwrap_or(1);
                p.process(&rx[i..i + m], &mut tx[i..i + m], &mut source, rxq);
                self.follow_startup();
                self.step_state(Duration::from_samples(m as u32));
                self.clock += Duration::from_samples(m as u32);
                i += m;
                continue;
            }
            let mut source = || {
                if framer.is_idle() && sending {
                    if *break_pending {
                        *break_pending = false;
                        let bits = framer.break_bits();
                        framer.start_break(bits);
                    } else if let Some(b) = tx_queue.pop() {
                        framer.start(b);
                    }
                }
                framer.next_bit()
            };
            match engine {
                Engine::Fsk { tx: t, rx: r } => {
                    r.process(&rx[i..i + m], side);
                    t.process(&mut tx[i..i + m], &mut source);
                }
                Engine::V22(p) => {
                    p.process(&rx[i..i + m], &mut tx[i..i + m], &mut source, side);
                }
                Engine::Startup(s) => {
                    if *state == State::Idle {
                        tx[i..i + m].iter_mut().for_each(|v| *v = 0.0);
                    } else {
                        s.process(&rx[i..i + m], &mut tx[i..i + m]);
                    }
                }
            }
            self.follow_startup();
            if self.side.take_break() {
                self.push_event(Event::Break);
            }
            self.step_state(Duration::from_samples(m as u32));
            self.clock += Duration::from_samples(m as u32);
            i += m;
        }
        tx[n..].iter_mut().for_each(|v| *v = 0.0);
    }

    /// Passes the start-up's reports on, and once it has chosen, carries on with the engine it
    /// handed over.
    fn follow_startup(&mut self) {
        let Engine::Startup(s) = &mut self.engine else { return };
        let mut reports = [None; 4];
        reports.iter_mut().for_each(|r| *r = s.poll_progress());
        let handoff = s.take_handoff();
        for p in reports.into_iter().flatten() {
            self.push_event(Event::Progress(p));
        }
        let Some(h) = handoff else { return };
        self.family = h.family();
        self.timer = Duration::ZERO;
        match h {
            Handoff::Fsk { tx, rx, qualified, heard, .. } => {
                self.engine = Engine::Fsk { tx, rx };
                self.side.set_v14(false);
                // What the receiver gave before the hand-over, as if it came now (its carrier
                // is up, so the handshake keeps it).
                self.side.set_enabled(!heard.is_empty());
                for bit in heard {
                    self.side.put_bit(bit, if bit == 1 { 1.0 } else { -1.0 });
                }
                if qualified && self.config.role == Role::Answer {
                    self.connect();
                    // The far modem may have taken another signal for this one's carrier: send
                    // some marks on the real one before the first character.
                    self.lead = HANDOFF_LEAD;
                }
            }
            Handoff::Dpsk { pump, .. } => {
                self.engine = Engine::V22(pump);
                self.side.set_v14(true);
                self.side.set_enabled(true);
            }
        }
    }

    fn step_state(&mut self, samples: Duration) {
        match self.engine {
            Engine::V22(_) => return self.step_v22(samples),
            Engine::Startup(_) => return,
            Engine::Fsk { .. } => {}
        }
        let carrier = self.carrier();
        let c = &self.config;
        match self.state {
            State::Handshake => {
                // Keep what arrives while the carrier qualifies (its first characters may come
                // at once); forget it if the carrier goes away again.
                if carrier {
                    self.side.set_enabled(true);
                } else if self.side.is_enabled() {
                    self.side.set_enabled(false);
                    self.side.clear();
                }
                self.timer = if carrier { self.timer + samples } else { Duration::ZERO };
                if self.timer >= c.carrier_qualify {
                    self.timer = Duration::ZERO;
                    match c.role {
                        Role::Answer => self.connect(),
                        Role::Call => {
                            if let Engine::Fsk { tx, .. } = &mut self.engine {
                                tx.set_carrier(true);
                            }
                            self.state = State::Settling;
                        }
                    }
                }
            }
            State::Settling => {
                self.timer += samples;
                if self.timer >= c.call_settle {
                    self.connect();
                }
            }
            State::Data => {
                if self.family == Family::Bell202 {
                    self.key_half_duplex(samples);
                } else {
                    self.lead = self.lead.saturating_sub(samples);
                    self.watch_carrier(samples);
                }
            }
            State::Idle => {}
        }
    }

    /// In data mode: hang up when the far carrier has been gone for the carrier-loss delay. For
    /// V.22/V.22bis the carrier is the connection's: qualified by the signal's structure, or a
    /// retrain under way ([`Pump::link_up`]).
    ///
    /// Once the carrier has been lost, it counts as back only after [`CARRIER_BACK`] without a
    /// break: a voice's vowel after the far modem hung up can pass for an FSK carrier for a
    /// moment, and must not keep the line open.
    fn watch_carrier(&mut self, samples: Duration) {
        let up = match &self.engine {
            Engine::V22(p) => p.link_up(),
            _ => self.carrier(),
        };
        if self.timer.is_zero() {
            self.timer = if up { Duration::ZERO } else { samples };
            self.back = Duration::ZERO;
        } else {
            self.back = if up { self.back + samples } else { Duration::ZERO };
            self.timer = if self.back >= CARRIER_BACK { Duration::ZERO } else { self.timer + samples };
        }
        if self.timer >= self.config.carrier_loss {
            self.hang_up();
            self.push_event(Event::NoCarrier);
        }
    }

    /// V.22/V.22bis: the pump runs the start-up and retrains; follow its events.
    fn step_v22(&mut self, samples: Duration) {
        if let Engine::V22(p) = &self.engine {
            // A retrain or a new start-up cut off the character under way: send it whole when
            // data resumes (the far end cannot complete it from the rest).
            let sending = p.sends_data();
            if self.pump_sent_data && !sending {
                self.framer.restart_char();
            }
            self.pump_sent_data = sending;
        }
        loop {
            let Engine::V22(p) = &mut self.engine else { return };
            let Some(e) = p.poll_event() else { break };
            match e {
                PumpEvent::Connected(rate) if self.state == State::Handshake => {
                    // The rate settles which of the DPSK families it is (a V.22 and a Bell 212A
                    // caller look the same on the line).
                    self.family = match (self.family, rate) {
                        (_, Rate::R2400) => Family::V22bis,
                        (Family::V22bis, Rate::R1200) => Family::V22,
                        (f, _) => f,
                    };
                    self.state = State::Data;
                    self.timer = Duration::ZERO;
                    self.push_event(Event::Connected { rx_rate: rate.bps(), tx_rate: rate.bps() });
                }
                PumpEvent::Connected(rate) => self.push_event(Event::Retrained { rate: rate.bps() }),
                PumpEvent::Retrain { .. } => self.push_event(Event::Retrain),
                PumpEvent::TooPoorFor2400 { snr_db } => self.push_event(Event::TooPoorFor2400 { snr_db }),
                PumpEvent::Hopeless { rate, snr_db } => {
                    self.push_event(Event::LineTooPoor { rate, snr_db });
                    if self.state == State::Handshake {
                        // Found in the start-up: there is no connection to keep.
                        self.hang_up();
                        self.push_event(Event::NoCarrier);
                        return;
                    }
                }
            }
        }
        if self.state == State::Data {
            self.watch_carrier(samples);
        }
    }

    /// Bell 202: key the carrier while there is something to send, after a turnaround of marks.
    fn key_half_duplex(&mut self, samples: Duration) {
        let busy = !self.tx_queue.is_empty() || !self.framer.is_idle() || self.break_pending;
        self.lead = self.lead.saturating_sub(samples);
        let turnaround = self.config.turnaround;
        let Engine::Fsk { tx, .. } = &mut self.engine else { return };
        if busy && !tx.carrier() {
            tx.set_carrier(true);
            self.timer = Duration::ZERO;
            self.lead = turnaround;
        }
        if tx.carrier() {
            if busy {
                self.timer = Duration::ZERO;
            } else {
                // Keep a few mark bits after the last character, then drop the carrier.
                self.timer += samples;
                if self.timer >= turnaround {
                    tx.set_carrier(false);
                }
            }
        }
    }

    fn connect(&mut self) {
        self.state = State::Data;
        self.timer = Duration::ZERO;
        self.side.set_enabled(true);
        let (rx_rate, tx_rate) = self.rates();
        self.push_event(Event::Connected { rx_rate, tx_rate });
    }
}

impl LineEndpoint for Modem {
    fn process(&mut self, rx: &[f32], tx: &mut [f32]) {
        Modem::process(self, rx, tx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::call::BackToBack;
    use crate::sim::line::{Impairments, Line};

    /// Runs a caller and an answerer over `line` for `seconds`; returns what each received.
    pub(crate) fn call(
        family: Family,
        line: Line,
        a_sends: &[u8],
        b_sends: &[u8],
        seconds: f32,
    ) -> (Vec<u8>, Vec<u8>, Modem, Modem) {
        let mut call = BackToBack::new(
            Modem::new(Config::new(family, Role::Call)),
            Modem::new(Config::new(family, Role::Answer)),
            line,
        );
        call.a.write(a_sends);
        call.b.write(b_sends);
        let (mut ra, mut rb) = (vec![], vec![]);
        let mut buf = [0u8; 256];
        for _ in 0..(seconds * 50.0) as usize {
            call.step();
            let n = call.a.read(&mut buf);
            ra.extend_from_slice(&buf[..n]);
            let n = call.b.read(&mut buf);
            rb.extend_from_slice(&buf[..n]);
        }
        let (a, b) = call.into_ends();
        (ra, rb, a, b)
    }

    #[test]
    fn both_roles_connect_and_exchange_data() {
        let text: Vec<u8> = (0..200u32).map(|i| (i * 37 % 256) as u8).collect();
        for family in [Family::Bell103, Family::V21] {
            let line = Line::symmetric(Impairments::default(), 1);
            let (ra, rb, mut a, mut b) = call(family, line, &text, &text[..50], 9.0);
            assert_eq!(ra, &text[..50], "{family:?} caller");
            assert_eq!(rb, text, "{family:?} answerer");
            assert_eq!(a.poll_event(), Some(Event::Connected { rx_rate: 300, tx_rate: 300 }));
            assert!(matches!(b.poll_event(), Some(Event::Connected { .. })));
        }
    }

    #[test]
    fn v22bis_and_v22_carry_characters_both_ways() {
        for (family, rate, len) in [(Family::V22bis, 2400, 1500), (Family::V22, 1200, 700)] {
            let text: Vec<u8> = (0..len as u32).map(|i| (i * 7 % 256) as u8).collect();
            let line = Line::symmetric(Impairments::default().with_snr(25.0, -13.0), 3);
            let (ra, rb, mut a, mut b) = call(family, line, &text[..600], &text, 10.0);
            assert_eq!(a.poll_event(), Some(Event::Connected { rx_rate: rate, tx_rate: rate }), "{family:?}");
            assert_eq!(b.poll_event(), Some(Event::Connected { rx_rate: rate, tx_rate: rate }), "{family:?}");
            assert_eq!(rb, &text[..600], "{family:?} answerer");
            assert_eq!(ra, text, "{family:?} caller");
            assert_eq!(a.stats().framing_errors + b.stats().framing_errors, 0);
        }
    }

    #[test]
    fn v22bis_meets_v22_at_1200() {
        for (fa, fb) in [(Family::V22bis, Family::V22), (Family::V22, Family::V22bis)] {
            let mut call =
                BackToBack::direct(Modem::new(Config::new(fa, Role::Call)), Modem::new(Config::new(fb, Role::Answer)));
            call.run(Duration::from_secs(4));
            let BackToBack { mut a, mut b, .. } = call;
            assert_eq!(a.poll_event(), Some(Event::Connected { rx_rate: 1200, tx_rate: 1200 }), "{fa:?} calls {fb:?}");
            assert_eq!(b.poll_event(), Some(Event::Connected { rx_rate: 1200, tx_rate: 1200 }), "{fa:?} calls {fb:?}");
        }
    }

    #[test]
    fn v23_is_asymmetric() {
        let line = Line::symmetric(Impairments::default(), 1);
        let (ra, rb, a, _) = call(Family::V23, line, b"slow", &[b'F'; 300], 5.0);
        assert_eq!(ra, vec![b'F'; 300]);
        assert_eq!(rb, b"slow");
        assert_eq!(a.rates(), (1200, 75));
    }

    #[test]
    fn bell202_keys_the_carrier_for_data_only() {
        let line = Line::symmetric(Impairments::default(), 1);
        let (ra, rb, a, b) = call(Family::Bell202, line, b"", b"half duplex", 2.0);
        assert_eq!(ra, b"half duplex");
        assert!(rb.is_empty());
        assert!(matches!(&b.engine, Engine::Fsk { tx, .. } if !tx.carrier()), "carrier still keyed");
        assert_eq!(a.state(), State::Data);
    }

    #[test]
    fn carrier_loss_hangs_up() {
        for family in [Family::V21, Family::V22bis] {
            carrier_loss_hangs_up_for(family);
        }
    }

    fn carrier_loss_hangs_up_for(family: Family) {
        let mut call = BackToBack::direct(
            Modem::new(Config::new(family, Role::Call)),
            Modem::new(Config::new(family, Role::Answer)),
        );
        assert!(call.run_until(Duration::from_secs(4), |a, _| a.state() == State::Data), "no connection");
        let mut a = call.a;
        let mut a_out = vec![0.0; 160];
        while a.poll_event().is_some() {}
        // The answerer goes away: 1.4 s later the caller hangs up, once.
        let silence = vec![0.0; 160];
        for _ in 0..60 {
            a.process(&silence, &mut a_out);
        }
        assert_eq!(a.state(), State::Data, "hung up too early");
        for _ in 0..40 {
            a.process(&silence, &mut a_out);
        }
        assert_eq!(a.state(), State::Idle);
        assert_eq!(a.poll_event(), Some(Event::NoCarrier));
        assert_eq!(a.poll_event(), None);
        a.process(&silence, &mut a_out);
        a.process(&silence, &mut a_out);
        assert!(a_out.iter().all(|&v| v == 0.0));
    }

    #[test]
    fn break_crosses_the_line() {
        let mut call = BackToBack::direct(
            Modem::new(Config::new(Family::Bell103, Role::Call)),
            Modem::new(Config::new(Family::Bell103, Role::Answer)),
        );
        let mut breaks = 0;
        for i in 0..200 {
            if i == 100 {
                call.a.send_break();
                call.a.write(b"after");
            }
            call.step();
            while let Some(e) = call.b.poll_event() {
                breaks += (e == Event::Break) as u32;
            }
        }
        assert_eq!(breaks, 1);
        let mut buf = [0; 16];
        let n = call.b.read(&mut buf);
        assert_eq!(&buf[..n], b"after");
    }

    #[test]
    fn impaired_lines() {
        let text: Vec<u8> = (0..150u32).map(|i| b' ' + (i % 90) as u8).collect();
        let cases = [
            ("20 dB SNR", Impairments::default().with_snr(20.0, -13.0)),
            ("+10 Hz", Impairments { freq_offset_hz: 10.0, ..Default::default() }),
            ("-10 Hz", Impairments { freq_offset_hz: -10.0, ..Default::default() }),
            ("+300 ppm", Impairments { clock_ppm: 300.0, ..Default::default() }),
            (
                "echo -6 dB near, -20 dB far",
                Impairments {
                    near_echo: Some(crate::sim::line::Echo { level_db: -6.0, delay_ms: 1.0 }),
                    far_echo: Some(crate::sim::line::Echo { level_db: -20.0, delay_ms: 40.0 }),
                    ..Default::default()
                },
            ),
            (
                "mu-law",
                Impairments { codec: Some(crate::g711::Law::MuLaw), ..Default::default() }.with_snr(30.0, -13.0),
            ),
            ("-300 ppm", Impairments { clock_ppm: -300.0, ..Default::default() }),
            (
                "all at once, band-limited, 20 dB loss",
                Impairments {
                    gain_db: -20.0,
                    freq_offset_hz: 7.0,
                    clock_ppm: -300.0,
                    band: crate::sim::line::Band::Telephone,
                    ..Default::default()
                }
                .with_snr(18.0, -13.0),
            ),
        ];
        for family in [Family::Bell103, Family::V21, Family::V23] {
            for (name, imp) in &cases {
                let line = Line::symmetric(imp.clone(), 7);
                let back = if family == Family::V23 { &text[..20] } else { &text[..] };
                let (ra, rb, _, _) = call(family, line, back, &text, 9.0);
                assert_eq!(ra, text, "{family:?} caller, {name}");
                assert_eq!(rb, back, "{family:?} answerer, {name}");
            }
        }
    }
}
