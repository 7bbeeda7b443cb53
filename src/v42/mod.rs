//! V.42 error control over a modem's synchronous data bits: the control function (detection
//! phase, fall-back to a plain link, break) and the error control function (LAPM, [`lapm`]) with
//! V.42bis compression, on [`hdlc`] framing.
//!
//! [`V42`] takes the bits the data pump receives ([`V42::put_bit`]) and gives those it sends
//! ([`V42::next_bit`]); user data goes in with [`V42::write`] and comes out of [`V42::read`];
//! time passes by [`V42::advance`]. What it would have the DCE say comes out of
//! [`V42::poll_event`].
//!
//! How a call goes (V.42 7.2):
//! - The originator sends the ODP ([`detect`]) as start-stop characters for up to T400; the
//!   answerer, having received it, sends the ADP ten times. Both then start LAPM: flags, the
//!   originator's XID and SABME. With [`Config::detection`] off the originator starts LAPM at
//!   once, as many modems do; the answerer recognises LAPM frames whenever they come.
//! - If the far end shows no sign of V.42 within T400 (no ADP, no ODP, no LAPM frame), the link
//!   falls back to start-stop characters as V.14 carries them (or, with [`Mode::Required`], the
//!   call is given up). Characters that arrive during detection are kept and delivered then.
//! - Once LAPM is up, data moves in I frames; a link that cannot deliver (N400 polls unanswered,
//!   the far end's DISC) is reported as released, and the DCE hangs up.
//!
//! [`hdlc`]: crate::hdlc

pub mod detect;
pub mod lapm;
pub mod wire;
pub mod xid;

use crate::hdlc::{self, HdlcRx, HdlcTx};
use crate::queue::{ByteQueue, Fifo};
use crate::startstop::{CharReceiver, Format, Framer};
use crate::time::Duration;
use detect::{Pattern, PatternCharScanner, PatternDetector, PatternSender};
pub use lapm::{Agreed, Lapm, LapmEvent, LinkState, Release, Stats as LapmStats};

/// Whether error control must be had.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// V.42 if the far modem has it, else a plain (buffered) link (Hayes `\N3`, `&Q5`).
    Auto,
    /// V.42 or nothing: the call is given up without it (`\N4`).
    Required,
}

/// How V.42 is set up for one call.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Config {
    /// Auto (with fall-back) or required.
    pub mode: Mode,
    /// The originator sends the ODP and waits for the ADP (V.42 7.2.1); without it, it starts
    /// LAPM at once.
    pub detection: bool,
    /// T400: how long to wait for the far modem's sign of V.42.
    pub t400: Duration,
    /// LAPM's settings (role, N401, k, N400, timers, V.42bis offer).
    pub lapm: lapm::Config,
}

impl Config {
    /// Automatic V.42 with detection for the originator (`originator`) or the answerer of a call
    /// at `bit_rate`, V.42bis offered. T400: the answerer waits 1.2 s for the ODP (V.42's 750 ms
    /// is too short for a V.22 caller, which declares its connection up to half a second after
    /// the answerer); the originator waits 2 s for the ADP, as a far modem may declare its
    /// connection a good while after this one.
    pub fn new(originator: bool, bit_rate: u32) -> Self {
        let t400 = Duration::from_ms(if originator { 2000 } else { 1200 });
        Config { mode: Mode::Auto, detection: true, t400, lapm: lapm::Config::new(originator, bit_rate) }
    }
}

/// Where the error-correcting DCE is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Detection: ODP/ADP, or waiting for a sign of V.42.
    Detection,
    /// LAPM (establishment, data, release).
    Lapm,
    /// No error control: start-stop characters (after the fall-back).
    Plain,
    /// Over: LAPM released, or V.42 required and not had.
    Ended,
}

/// What the error-correcting DCE reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    /// LAPM is up with these values: the DCE may say CONNECT .../LAPM.
    Protected(Agreed),
    /// The far modem has no V.42: a plain link (CONNECT without a protocol).
    Plain,
    /// LAPM was set up again; frames in flight may have been lost.
    Reset,
    /// The far modem sent a break.
    Break,
    /// The call cannot go on: the link was released, or V.42 was required and not had.
    Ended(EndReason),
}

/// Why the error-corrected link ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndReason {
    /// V.42 was required and the far modem showed none.
    NoErrorControl,
    /// LAPM released, for this reason.
    Released(Release),
}

const FRAME_BUF: usize = lapm::N401_MAX as usize + 3;

/// The error-correcting side of one modem in a call.
#[derive(Debug, Clone)]
pub struct V42 {
    config: Config,
    phase: Phase,
    t400: Duration,
    sender: Option<PatternSender>,
    detector: PatternDetector,
    scanner: PatternCharScanner,
    /// Start-stop characters received (detection and plain phases).
    chars: CharReceiver,
    /// What arrived during detection that was not part of a pattern.
    early: ByteQueue,
    /// Start-stop characters sent (plain phase).
    framer: Framer,
    break_pending: bool,
    hdlc_tx: HdlcTx,
    hdlc_rx: HdlcRx,
    lapm: Lapm,
    /// User data waiting for the phase to settle, then for the plain link.
    tx_user: ByteQueue,
    events: Fifo<Event, 8>,
    frame: Box<[u8; FRAME_BUF]>,
    /// The last eight bits received, and the flags seen back to back (detection: a far end
    /// already in LAPM, whose ADP was lost).
    flag_shift: u8,
    flag_gap: u8,
    flags_in_row: u8,
    /// Marks still to send before the first character of a plain link.
    plain_lead: u8,
    /// Bits of flags still to send before LAPM's first frame: a receiver may want several flags
    /// before it takes a frame (slmodemd lost an XID response sent after one).
    preamble: u16,
}

/// Flags sent before LAPM's first frame.
const PREAMBLE_FLAGS: u16 = 16;

/// Marks between the last detection pattern character and the first data character.
const PLAIN_LEAD: u8 = 20;

/// Flags back to back that show the far end runs LAPM.
const FLAGS_TO_RECOGNISE: u8 = 8;

impl V42 {
    /// Starts the detection phase (or, for an originator without detection, LAPM).
    pub fn new(config: Config) -> Self {
        let hdlc_config = hdlc::Config { max_frame: FRAME_BUF, frames: 4, ..hdlc::Config::default() };
        let mut chars = CharReceiver::new(Format::N81, 4096);
        chars.set_v14(true);
        chars.set_enabled(true);
        let originator = config.lapm.originator;
        let mut v = V42 {
            config,
            phase: Phase::Detection,
            t400: config.t400,
            sender: (originator && config.detection).then(PatternSender::odp),
            detector: PatternDetector::default(),
            scanner: PatternCharScanner::default(),
            chars,
            early: ByteQueue::new(4096),
            framer: Framer::new(Format::N81),
            break_pending: false,
            hdlc_tx: HdlcTx::new(hdlc_config),
            hdlc_rx: HdlcRx::new(hdlc_config),
            lapm: Lapm::new(config.lapm),
            tx_user: ByteQueue::new(4096),
            events: Fifo::new(),
            frame: Box::new([0; FRAME_BUF]),
            flag_shift: 0,
            flag_gap: 0,
            flags_in_row: 0,
            plain_lead: 0,
            preamble: PREAMBLE_FLAGS * 8,
        };
        if originator && !config.detection {
            v.phase = Phase::Lapm;
        }
        v
    }

    /// The set-up.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The line's rate changed: LAPM's timers follow it.
    pub fn set_line_rate(&mut self, bit_rate: u32) {
        self.lapm.set_line_rate(bit_rate);
        self.config.lapm = *self.lapm.config();
    }

    /// Where it is.
    pub fn phase(&self) -> Phase {
        self.phase
    }

    /// LAPM (its state, what was agreed, its counts).
    pub fn lapm(&self) -> &Lapm {
        &self.lapm
    }

    /// Frames the HDLC receiver dropped (bad FCS, aborted, too long).
    pub fn bad_frames(&self) -> u64 {
        let s = self.hdlc_rx.stats();
        s.bad_fcs + s.aborts + s.too_long + s.too_short + s.not_octet_aligned
    }

    /// The next event, if any.
    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop()
    }

    /// Queues user data; returns how much fit.
    pub fn write(&mut self, data: &[u8]) -> usize {
        match self.phase {
            Phase::Lapm if self.lapm.state() == LinkState::Connected && self.tx_user.is_empty() => {
                self.lapm.write(data)
            }
            Phase::Ended => 0,
            _ => self.tx_user.write(data),
        }
    }

    /// Room for user data.
    pub fn tx_free(&self) -> usize {
        match self.phase {
            Phase::Lapm if self.lapm.state() == LinkState::Connected && self.tx_user.is_empty() => self.lapm.tx_free(),
            Phase::Ended => 0,
            _ => self.tx_user.free(),
        }
    }

    /// User data accepted and not yet delivered (for LAPM: not yet acknowledged).
    pub fn tx_pending(&self) -> usize {
        let lapm = if self.phase == Phase::Lapm { self.lapm.tx_outstanding() } else { 0 };
        self.tx_user.len() + lapm + !self.framer.is_idle() as usize
    }

    /// Takes received user data; returns how many octets.
    pub fn read(&mut self, out: &mut [u8]) -> usize {
        if self.phase == Phase::Detection {
            // Held until it is known whether they were characters or LAPM's frames.
            return 0;
        }
        let mut n = self.early.read(out);
        if n < out.len() {
            n += match self.phase {
                Phase::Lapm | Phase::Ended => self.lapm.read(&mut out[n..]),
                _ => self.chars.read(&mut out[n..]),
            };
        }
        n
    }

    /// Sends a break: through LAPM (expedited, V.42 8.13) or as start-stop spacing.
    pub fn send_break(&mut self) {
        match self.phase {
            Phase::Lapm => self.lapm.send_break(),
            Phase::Plain => self.break_pending = true,
            _ => {}
        }
    }

    /// Starts an orderly release of LAPM (DISC); a no-op in other phases.
    pub fn release(&mut self) {
        if self.phase == Phase::Lapm {
            self.lapm.release();
        }
    }

    /// Lets `elapsed` pass: T400 in detection, LAPM's timers after.
    pub fn advance(&mut self, elapsed: Duration) {
        match self.phase {
            // An answerer sending its ADP has found V.42: it goes on to LAPM, whatever T400 says.
            Phase::Detection if !self.config.lapm.originator && self.sender.is_some() => {}
            Phase::Detection => {
                self.t400 = self.t400.saturating_sub(elapsed);
                if self.t400.is_zero() {
                    self.no_error_control();
                }
            }
            Phase::Lapm => {
                self.lapm.advance(elapsed);
                self.follow_lapm();
            }
            Phase::Plain | Phase::Ended => {}
        }
    }

    fn no_error_control(&mut self) {
        match self.config.mode {
            Mode::Auto => {
                // The pattern's character under way is finished (the far end's deframer must not
                // lose step), and marks follow before the first data character.
                self.phase = Phase::Plain;
                self.plain_lead = PLAIN_LEAD;
                self.events.push_overwrite(Event::Plain);
            }
            Mode::Required => self.end(EndReason::NoErrorControl),
        }
    }

    fn end(&mut self, why: EndReason) {
        if self.phase != Phase::Ended {
            self.phase = Phase::Ended;
            self.events.push_overwrite(Event::Ended(why));
        }
    }

    fn start_lapm(&mut self) {
        if self.phase != Phase::Lapm {
            self.preamble = PREAMBLE_FLAGS * 8;
        }
        self.phase = Phase::Lapm;
        self.sender = None;
        // What looked like characters was LAPM's frames.
        self.early.clear();
        self.chars.clear();
    }

    fn follow_lapm(&mut self) {
        while let Some(e) = self.lapm.poll_event() {
            match e {
                LapmEvent::Connected(a) => self.events.push_overwrite(Event::Protected(a)),
                LapmEvent::Reset => self.events.push_overwrite(Event::Reset),
                LapmEvent::Break { .. } => self.events.push_overwrite(Event::Break),
                LapmEvent::Released(r) => self.end(EndReason::Released(r)),
            }
        }
        if self.lapm.state() == LinkState::Connected {
            // What was written before LAPM came up goes first.
            let mut buf = [0u8; 256];
            while !self.tx_user.is_empty() && self.lapm.tx_free() > 0 {
                let n = self.tx_user.read(&mut buf[..self.lapm.tx_free().min(256)]);
                self.lapm.write(&buf[..n]);
            }
        }
    }

    /// The next bit to send.
    pub fn next_bit(&mut self) -> u8 {
        match self.phase {
            Phase::Detection => match self.sender.as_mut() {
                Some(s) => {
                    let b = s.next_bit();
                    if s.is_done() && s.at_boundary() && !self.config.lapm.originator {
                        // The answerer's ADP is sent: on to LAPM.
                        self.start_lapm();
                    }
                    b
                }
                None => 1,
            },
            Phase::Lapm | Phase::Ended => {
                if self.preamble > 0 {
                    self.preamble -= 1;
                } else if self.hdlc_tx.queued() == 0 {
                    if let Some(n) = self.lapm.poll_frame(&mut self.frame[..]) {
                        let _ = self.hdlc_tx.send(&self.frame[..n]);
                    }
                }
                crate::bits::BitSource::next_bit(&mut self.hdlc_tx)
            }
            Phase::Plain => {
                if let Some(s) = self.sender.as_mut() {
                    if !s.at_boundary() {
                        return s.next_bit();
                    }
                    self.sender = None;
                }
                if self.plain_lead > 0 {
                    self.plain_lead -= 1;
                    return 1;
                }
                if self.framer.is_idle() {
                    if self.break_pending {
                        self.break_pending = false;
                        let bits = self.framer.break_bits();
                        self.framer.start_break(bits);
                    } else if let Some(b) = self.tx_user.pop() {
                        self.framer.start(b);
                    }
                }
                self.framer.next_bit()
            }
        }
    }

    /// One bit received.
    pub fn put_bit(&mut self, bit: u8) {
        use crate::bits::BitSink;
        match self.phase {
            Phase::Detection => {
                self.hdlc_rx.push_bit(bit);
                self.flag_shift = (self.flag_shift >> 1) | (bit << 7);
                self.flag_gap = self.flag_gap.saturating_add(1);
                if self.flag_shift == hdlc::FLAG {
                    self.flags_in_row = if self.flag_gap == 8 { self.flags_in_row + 1 } else { 1 };
                    self.flag_gap = 0;
                } else if self.flag_gap > 8 {
                    self.flags_in_row = 0;
                }
                if self.flags_in_row >= FLAGS_TO_RECOGNISE {
                    // The far end is sending LAPM's flags: the answerer's ADP was lost, or the
                    // originator started LAPM without detection.
                    self.start_lapm();
                    return;
                }
                if self.hdlc_rx.frames() > 0 {
                    // LAPM frames: the far end has V.42 (and skipped detection, or finished it).
                    self.start_lapm();
                    self.take_frames();
                    return;
                }
                // Every character is kept as data: it is dropped only if LAPM starts.
                self.chars.put_bit(bit, if bit == 1 { 1.0 } else { -1.0 });
                let mut c = [0u8; 64];
                loop {
                    let n = self.chars.read(&mut c);
                    if n == 0 {
                        break;
                    }
                    self.early.write(&c[..n]);
                }
                // The patterns, from characters framed as theirs are.
                let Some(pc) = self.scanner.push(bit) else { return };
                match (self.detector.push(pc), self.config.lapm.originator) {
                    (Some(Pattern::Odp), false) if self.sender.is_none() => {
                        self.sender = Some(PatternSender::new(detect::ADP_LAPM, 10));
                    }
                    (Some(Pattern::AdpLapm), true) => self.start_lapm(),
                    // Only the alternative procedure (MNP) there, which this end lacks.
                    (Some(Pattern::AdpAlternative), true) => self.no_error_control(),
                    _ => {}
                }
            }
            Phase::Lapm => {
                self.hdlc_rx.push_bit(bit);
                self.take_frames();
            }
            Phase::Plain => {
                self.chars.put_bit(bit, if bit == 1 { 1.0 } else { -1.0 });
                if self.chars.take_break() {
                    self.events.push_overwrite(Event::Break);
                }
            }
            Phase::Ended => {}
        }
    }

    /// The received bits have a hole (a dropout or a retrain): whatever frame or character was
    /// under way is lost.
    pub fn hole(&mut self) {
        use crate::bits::BitSink;
        self.hdlc_rx.hunt();
        self.chars.hole(0);
    }

    fn take_frames(&mut self) {
        while let Some(n) = self.hdlc_rx.read(&mut self.frame[..]) {
            self.lapm.receive(&self.frame[..n]);
        }
        self.follow_lapm();
    }
}

#[cfg(test)]
mod tests;
