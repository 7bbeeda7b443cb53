//! A modem with its link protocol: [`Link`] is the [`Modem`] as the DCE's data path sees it, with
//! V.42 error control (and V.42bis) between the modem's data bits and the user's octets when the
//! modulation is synchronous (V.22, V.22bis) and error control is asked for.
//!
//! It holds the modem's `Connected` report back until V.42 has settled what the connection is:
//! LAPM (then [`Link::protocol`] says so, for `CONNECT 2400/LAPM/V42BIS`) or a plain link after
//! the fall-back. A LAPM link that ends (released by the far end, N400 polls unanswered) hangs up
//! the modem and reports `NoCarrier`, with the reason in [`Link::poll_note`].

use crate::modem::{Config as ModemConfig, Event, Modem, State, Stats, SyncBit};
use crate::queue::Fifo;
use crate::time::Duration;
use crate::types::{Family, Role};
use crate::v22bis::pump::Pump;
use crate::v42::{self, EndReason, V42};

/// Error control, as the Hayes `\N` / `&Q` commands choose it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ErrorControl {
    /// None: start-stop characters (`\N0`, `&Q0`).
    Off,
    /// V.42 when the far modem has it, else a plain link (`\N3`, `&Q5`, the factory setting).
    #[default]
    Auto,
    /// V.42 or no connection (`\N4`).
    Required,
}

/// How the link is set up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LinkConfig {
    /// Error control.
    pub error_control: ErrorControl,
    /// V.42bis offered and accepted (`%C1`).
    pub compression: bool,
    /// An originator sends V.42's detection pattern first (otherwise it starts LAPM at once).
    pub detection: bool,
}

impl Default for LinkConfig {
    /// Automatic V.42 with detection and V.42bis, as modems come from the factory.
    fn default() -> Self {
        LinkConfig { error_control: ErrorControl::Auto, compression: true, detection: true }
    }
}

impl LinkConfig {
    /// No error control: the modem alone.
    pub const PLAIN: LinkConfig = LinkConfig { error_control: ErrorControl::Off, compression: false, detection: true };
}

/// The protocol a connection runs, for the result code and the status panel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Protocol {
    /// None: characters as they come.
    #[default]
    None,
    /// V.42 LAPM, with V.42bis in the directions given.
    Lapm {
        /// V.42bis compresses what this modem sends.
        v42bis_tx: bool,
        /// V.42bis compresses what this modem receives.
        v42bis_rx: bool,
    },
}

impl Protocol {
    /// The protocol words of a result code: "" (none), "LAPM", "LAPM/V42BIS".
    pub fn words(&self) -> &'static str {
        match self {
            Protocol::None => "",
            Protocol::Lapm { v42bis_tx: false, v42bis_rx: false } => "LAPM",
            Protocol::Lapm { .. } => "LAPM/V42BIS",
        }
    }
}

/// What the link reports for the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Note {
    /// Error control started (detection, or LAPM at once).
    Started {
        /// Whether detection is on.
        detection: bool,
    },
    /// LAPM is up with these values.
    Protected(v42::Agreed),
    /// The far modem showed no V.42: a plain link.
    Plain,
    /// LAPM was set up again.
    Reset,
    /// The error-corrected link ended.
    Ended(EndReason),
}

impl core::fmt::Display for Note {
    /// The log line: `V.42: LAPM up (N401 128/128, k 15/15), V.42bis P0 3 N2 2048 N7 32`, ...
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        use v42::Release;
        match self {
            Note::Started { detection: true } => f.write_str("V.42: detection phase"),
            Note::Started { detection: false } => f.write_str("V.42: starting LAPM"),
            Note::Protected(a) => {
                write!(
                    f,
                    "V.42: LAPM up{} (N401 {}/{}, k {}/{})",
                    if a.negotiated { "" } else { " with default parameters" },
                    a.tx_n401,
                    a.rx_n401,
                    a.tx_k,
                    a.rx_k
                )?;
                match a.v42bis {
                    Some(b) => write!(f, ", V.42bis P0 {} N2 {} N7 {}", b.p0, b.p1, b.p2),
                    None => f.write_str(", no V.42bis"),
                }
            }
            Note::Plain => f.write_str("V.42: the far modem has none; no error control"),
            Note::Reset => f.write_str("V.42: link reset (frames in flight may be lost)"),
            Note::Ended(EndReason::NoErrorControl) => {
                f.write_str("V.42: required, and the far modem has none: hanging up")
            }
            Note::Ended(EndReason::Released(r)) => write!(
                f,
                "V.42: link released ({})",
                match r {
                    Release::Local => "by this modem",
                    Release::Remote => "by the far modem",
                    Release::Refused => "the far modem refused LAPM",
                    Release::NoResponse => "the far modem stopped answering",
                    Release::NoProgress => "no frame got through: the line is too poor",
                }
            ),
        }
    }
}

/// A modem and its link protocol.
#[derive(Debug, Clone)]
pub struct Link {
    modem: Modem,
    config: LinkConfig,
    v42: Option<Box<V42>>,
    /// The modem's `Connected` while V.42 settles.
    held: Option<Event>,
    protocol: Protocol,
    events: Fifo<Event, 8>,
    notes: Fifo<Note, 8>,
    rate: u32,
    /// An orderly release under way ([`Link::release`]): time left before the modem stops anyway.
    releasing: Option<Duration>,
}

/// How long an orderly release waits for the far end's UA before the modem stops anyway.
const RELEASE_WAIT: Duration = Duration::from_ms(2000);

impl Link {
    /// A modem set up by `modem`, with the link protocol of `config`.
    pub fn new(modem: ModemConfig, config: LinkConfig) -> Self {
        let mut m = Modem::new(modem);
        if config.error_control != ErrorControl::Off {
            m.set_synchronous(true);
        }
        Link {
            modem: m,
            config,
            v42: None,
            held: None,
            protocol: Protocol::None,
            events: Fifo::new(),
            notes: Fifo::new(),
            rate: 0,
            releasing: None,
        }
    }

    /// The modem.
    pub fn modem(&self) -> &Modem {
        &self.modem
    }

    /// The link's set-up.
    pub fn config(&self) -> &LinkConfig {
        &self.config
    }

    /// The modem's set-up.
    pub fn modem_config(&self) -> &ModemConfig {
        self.modem.config()
    }

    /// V.42, while it runs.
    pub fn v42(&self) -> Option<&V42> {
        self.v42.as_deref()
    }

    /// The protocol the connection runs (settled when `Connected` is reported).
    pub fn protocol(&self) -> Protocol {
        self.protocol
    }

    /// The family in use.
    pub fn family(&self) -> Family {
        self.modem.family()
    }

    /// Where the call is (the modem's state; `Handshake` while V.42 settles).
    pub fn state(&self) -> State {
        match self.modem.state() {
            State::Data if self.held.is_some() => State::Handshake,
            s => s,
        }
    }

    /// The receiver's character counts (start-stop framing).
    pub fn stats(&self) -> Stats {
        self.modem.stats()
    }

    /// Receive and transmit rates in bit/s.
    pub fn rates(&self) -> (u32, u32) {
        self.modem.rates()
    }

    /// The V.22/V.22bis data pump, if that is the modulation.
    pub fn v22_pump(&self) -> Option<&Pump> {
        self.modem.v22_pump()
    }

    /// Asks for a retrain (V.22bis in data mode).
    pub fn retrain(&mut self) {
        self.modem.retrain()
    }

    /// Queues user data; returns how much fit.
    pub fn write(&mut self, data: &[u8]) -> usize {
        match self.v42.as_mut() {
            Some(v) => v.write(data),
            None if self.modem.is_synchronous() => 0,
            None => self.modem.write(data),
        }
    }

    /// Room for user data.
    pub fn tx_free(&self) -> usize {
        match self.v42.as_ref() {
            Some(v) => v.tx_free(),
            None if self.modem.is_synchronous() => 0,
            None => self.modem.tx_free(),
        }
    }

    /// User data accepted and not yet delivered.
    pub fn tx_pending(&self) -> usize {
        self.v42.as_ref().map_or_else(|| self.modem.tx_pending(), |v| v.tx_pending())
    }

    /// Takes received user data; returns how many octets.
    pub fn read(&mut self, out: &mut [u8]) -> usize {
        if self.held.is_some() {
            return 0;
        }
        match self.v42.as_mut() {
            Some(v) => v.read(out),
            None => self.modem.read(out),
        }
    }

    /// Sends a break.
    pub fn send_break(&mut self) {
        match self.v42.as_mut() {
            Some(v) => v.send_break(),
            None => self.modem.send_break(),
        }
    }

    /// Starts an orderly release (V.42 7.7): with LAPM up, DISC goes to the far end, and the modem
    /// stops once it is answered (or after two seconds); returns true while that is under way, so
    /// the caller keeps running [`Link::process`] until [`Link::is_releasing`] says false. Without
    /// LAPM it hangs up at once and returns false.
    pub fn release(&mut self) -> bool {
        let lapm_up = self
            .v42
            .as_ref()
            .is_some_and(|v| v.phase() == v42::Phase::Lapm && v.lapm().state() == v42::LinkState::Connected);
        if lapm_up && self.modem.state() == State::Data {
            if let Some(v) = self.v42.as_mut() {
                v.release();
            }
            self.releasing = Some(RELEASE_WAIT);
            true
        } else {
            self.hang_up();
            false
        }
    }

    /// True while an orderly release is under way.
    pub fn is_releasing(&self) -> bool {
        self.releasing.is_some()
    }

    /// Hangs up at once.
    pub fn hang_up(&mut self) {
        self.modem.hang_up();
        self.v42 = None;
    }

    /// The next event (the modem's, with `Connected` held until the protocol is settled).
    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop()
    }

    /// The next note for the log.
    pub fn poll_note(&mut self) -> Option<Note> {
        self.notes.pop()
    }

    /// Hears `rx` and fills `tx`, as [`Modem::process`]; runs V.42 on the data bits.
    pub fn process(&mut self, rx: &[f32], tx: &mut [f32]) {
        let n = rx.len().min(tx.len());
        if let Some(v) = self.v42.as_mut() {
            // Enough bits for this block and a little more: the pump must not run dry, and bits
            // queued too early would only add delay.
            let want = (n as u64 * self.rate as u64).div_ceil(8000) as usize + 8;
            while self.modem.sync_tx_queued() < want {
                if !self.modem.sync_push_tx(v.next_bit()) {
                    break;
                }
            }
        }
        self.modem.process(rx, tx);
        while let Some(b) = self.modem.sync_pop_rx() {
            if let Some(v) = self.v42.as_mut() {
                match b {
                    SyncBit::Bit(bit) => v.put_bit(bit),
                    SyncBit::Hole => v.hole(),
                }
            }
        }
        if let Some(v) = self.v42.as_mut() {
            // V.42's timers count the time its bits cross the line: a retrain (a second or two
            // of V.22bis start-up) does not make frames late.
            if self.modem.data_flowing() {
                v.advance(Duration::from_samples(n as u32));
            }
        }
        while let Some(e) = self.modem.poll_event() {
            self.on_modem_event(e);
        }
        self.follow_v42();
        if let Some(left) = self.releasing {
            let left = left.saturating_sub(Duration::from_samples(n as u32));
            let released = self.v42.as_ref().is_none_or(|v| v.phase() == v42::Phase::Ended);
            if released || left.is_zero() || self.modem.state() == State::Idle {
                self.releasing = None;
                self.hang_up();
            } else {
                self.releasing = Some(left);
            }
        }
    }

    fn on_modem_event(&mut self, e: Event) {
        match e {
            Event::Connected { rx_rate, .. } if self.modem.is_synchronous() && self.v42.is_none() => {
                let originator = self.modem.config().role == Role::Call;
                let mut c = v42::Config::new(originator, rx_rate);
                c.mode = match self.config.error_control {
                    ErrorControl::Required => v42::Mode::Required,
                    _ => v42::Mode::Auto,
                };
                c.detection = self.config.detection;
                if !self.config.compression {
                    c.lapm.v42bis = None;
                }
                self.rate = rx_rate;
                self.v42 = Some(Box::new(V42::new(c)));
                // Nothing reaches the user during detection (it is held) and everything after it
                // is checked by LAPM: the line's error rate alone does not end the call, unless
                // the link turns out plain.
                self.modem.set_protected(true);
                self.held = Some(e);
                self.notes.push_overwrite(Note::Started { detection: c.detection || !originator });
            }
            Event::Retrained { rate } => {
                self.rate = rate;
                if let Some(v) = self.v42.as_mut() {
                    v.set_line_rate(rate);
                }
                self.events.push_overwrite(e);
            }
            Event::NoCarrier => {
                self.v42 = None;
                self.held = None;
                self.events.push_overwrite(e);
            }
            _ => self.events.push_overwrite(e),
        }
    }

    fn follow_v42(&mut self) {
        let Some(v) = self.v42.as_mut() else { return };
        while let Some(e) = v.poll_event() {
            match e {
                v42::Event::Protected(a) => {
                    let o = self.modem.config().role == Role::Call;
                    self.protocol = Protocol::Lapm { v42bis_tx: a.compresses_tx(o), v42bis_rx: a.compresses_rx(o) };
                    self.modem.set_protected(true);
                    self.notes.push_overwrite(Note::Protected(a));
                    if let Some(h) = self.held.take() {
                        self.events.push_overwrite(h);
                    }
                }
                v42::Event::Plain => {
                    self.protocol = Protocol::None;
                    self.modem.set_protected(false);
                    self.notes.push_overwrite(Note::Plain);
                    if let Some(h) = self.held.take() {
                        self.events.push_overwrite(h);
                    }
                }
                v42::Event::Reset => self.notes.push_overwrite(Note::Reset),
                v42::Event::Break => self.events.push_overwrite(Event::Break),
                v42::Event::Ended(why) => {
                    self.notes.push_overwrite(Note::Ended(why));
                    self.held = None;
                    // The data that was delivered stays readable; the call is over.
                    self.modem.hang_up();
                    self.events.push_overwrite(Event::NoCarrier);
                }
            }
        }
    }
}

impl crate::types::LineEndpoint for Link {
    fn process(&mut self, rx: &[f32], tx: &mut [f32]) {
        Link::process(self, rx, tx)
    }
}
