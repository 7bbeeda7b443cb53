//! LAPM's procedures (V.42 section 8): the error control function that turns a channel which loses
//! and damages frames into one that delivers every octet once and in order, or says it cannot.
//!
//! Sans-IO: frames in ([`Lapm::receive`], octets between the flags with the FCS checked), frames
//! out ([`Lapm::poll_frame`]), user data in and out through bounded queues, time passed in
//! ([`Lapm::advance`]). V.42bis runs between the user's octets and the I frames when the XID
//! exchange agreed it, each direction on its own.
//!
//! - Establishment (8.3): the originator sends XID (P=1) and, once answered or after N400 tries,
//!   SABME (P=1); the answerer answers XID with its agreement and SABME with UA.
//! - Information transfer (8.4, 8.5): I frames numbered modulo 128, at most k unacknowledged;
//!   acknowledgement by N(R) in I, RR and RNR frames; REJ asks for a retransmission from N(R);
//!   SREJ for one frame. T401 (acknowledgement) expiry polls the far end with a supervisory
//!   command with P=1 (timer recovery) and, after N400 polls unanswered, releases the link; T403
//!   (a separate timer) polls an idle link. A response has F=1 only in answer to a command with
//!   P=1.
//! - Flow control: RNR while the user's receive queue could not take a whole frame's worth; I
//!   frames that arrive meanwhile are dropped (and come again).
//! - Release (8.7): DISC answered by UA; DM when disconnected.
//! - Break (8.13): a UI command carrying BRK, acknowledged by a UI command carrying BRKACK.

use super::wire::{self, Control, Frame, FrmrReason, Kind, Supervisory, Unnumbered, WireError, MODULUS};
use super::xid::{optional, V42bisParams, Xid};
use crate::queue::{ByteQueue, Fifo};
use crate::time::Duration;
use crate::v42bis::{self, Decoder, Encoder};

/// The largest N401 (information field octets) this implementation takes or sends.
pub const N401_MAX: u16 = 256;

/// The UI message type of a break (V.42 8.13).
pub const BRK: u8 = 0x40;
/// The UI message type of a break's acknowledgement.
pub const BRKACK: u8 = 0x60;

/// How a LAPM entity is set up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Config {
    /// The originator (the calling DCE) or the answerer.
    pub originator: bool,
    /// N401: the longest information field offered, octets (V.42's default 128).
    pub n401: u16,
    /// k: the most unacknowledged I frames offered (default 15).
    pub k: u8,
    /// N400: the most retransmissions of a poll or a set-up frame.
    pub n400: u8,
    /// T401: the acknowledgement timer.
    pub t401: Duration,
    /// T403: the idle-link timer (no frame to acknowledge: poll the far end this often).
    pub t403: Duration,
    /// V.42bis: the parameters offered (`None`: not offered, and declined if the far end offers).
    pub v42bis: Option<V42bisParams>,
}

impl Config {
    /// V.42's defaults (N401 128, k 15, N400 5) with timers for `bit_rate`, V.42bis offered in
    /// both directions with 2048 codewords and strings of up to 32 characters.
    pub fn new(originator: bool, bit_rate: u32) -> Self {
        let (t401, t403) = timers_for(bit_rate, 128);
        Config {
            originator,
            n401: 128,
            k: 15,
            n400: 5,
            t401,
            t403,
            v42bis: Some(V42bisParams { p0: 3, p1: 2048, p2: 32 }),
        }
    }
}

/// T401 and T403 for a line of `bit_rate` bit/s and frames of `n401` octets: T401 covers a
/// longest frame each way, the two modems' delays and the far end's turnaround; T403 is four
/// times as long.
pub fn timers_for(bit_rate: u32, n401: u16) -> (Duration, Duration) {
    let rate = bit_rate.max(75);
    // A frame: information field, address, control, FCS, flag; bit stuffing adds up to 1/5.
    let frame_bits = (n401 as u32 + 6) * 8 * 6 / 5;
    let frame_ms = frame_bits * 1000 / rate;
    let t401 = Duration::from_ms(2 * frame_ms + 600);
    (t401, t401 * 4)
}

/// Where the data link is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkState {
    /// The answerer waiting for the originator's XID or SABME.
    Listening,
    /// The originator waiting for the answer to its XID.
    Negotiating,
    /// SABME sent, waiting for UA.
    Establishing,
    /// The link is up: data flows.
    Connected,
    /// DISC sent, waiting for UA.
    Releasing,
    /// The link is down for the reason given.
    Released(Release),
}

/// Why the data link went down.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Release {
    /// This end released it.
    Local,
    /// The far end released it (DISC or DM).
    Remote,
    /// The far end refused to set it up (DM in answer to SABME).
    Refused,
    /// N400 polls or set-up frames went unanswered.
    NoResponse,
    /// The far end answers, but no I frame got through in 3 x N400 rounds of recovery (about 40 s
    /// at 1200 bit/s): the line carries nothing (V.42's N400 counts the retransmissions of a
    /// frame; three times that spares a line whose noise comes in bursts).
    NoProgress,
}

/// Something the data link reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LapmEvent {
    /// The link is up with these values.
    Connected(Agreed),
    /// The link was set up again (after FRMR, or at the far end's SABME); I frames in flight may
    /// have been lost.
    Reset,
    /// The link is down.
    Released(Release),
    /// The far end sent a break; `destructive` if data in flight was discarded.
    Break {
        /// Whether the break was the destructive kind.
        destructive: bool,
    },
}

/// What the two ends agreed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Agreed {
    /// The longest information field this end sends.
    pub tx_n401: u16,
    /// The longest information field this end takes.
    pub rx_n401: u16,
    /// The most unacknowledged I frames this end sends.
    pub tx_k: u8,
    /// The most unacknowledged I frames this end takes.
    pub rx_k: u8,
    /// V.42bis as agreed (P0 from the initiator's side).
    pub v42bis: Option<V42bisParams>,
    /// Whether the far end answered XID (otherwise these are the defaults).
    pub negotiated: bool,
    /// Both ends have selective reject: a lost frame is asked for alone (SREJ) and the frames
    /// after it are kept, instead of all being sent again (REJ).
    pub srej: bool,
}

impl Agreed {
    /// V.42bis compresses what this end sends.
    pub fn compresses_tx(&self, originator: bool) -> bool {
        self.v42bis.is_some_and(|b| b.p0 & if originator { 1 } else { 2 } != 0)
    }

    /// V.42bis compresses what this end receives.
    pub fn compresses_rx(&self, originator: bool) -> bool {
        self.v42bis.is_some_and(|b| b.p0 & if originator { 2 } else { 1 } != 0)
    }
}

const DEFAULTS: Agreed =
    Agreed { tx_n401: 128, rx_n401: 128, tx_k: 15, rx_k: 15, v42bis: None, negotiated: false, srej: false };

/// Counts of what the link did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Stats {
    /// Frames sent (all kinds).
    pub frames_sent: u64,
    /// Frames taken (all kinds).
    pub frames_received: u64,
    /// New I frames sent.
    pub i_frames_sent: u64,
    /// I frames sent again.
    pub retransmissions: u64,
    /// I frames received out of sequence, or dropped while busy.
    pub i_frames_dropped: u64,
    /// REJ or SREJ frames received.
    pub rejects_received: u64,
    /// T401 expiries.
    pub timeouts: u64,
    /// Frames that were not LAPM's or broke its rules.
    pub invalid_frames: u64,
    /// Times the link was set up again.
    pub resets: u64,
    /// Octets of user data sent (before V.42bis).
    pub octets_sent: u64,
    /// Octets of user data delivered (after V.42bis).
    pub octets_received: u64,
}

const CONTROL_QUEUE: usize = 8;
const EVENTS: usize = 8;
const INFO_MAX: usize = 64;

#[derive(Debug, Clone, Copy)]
struct Pending {
    kind: Kind,
    control: Control,
    info: [u8; INFO_MAX],
    len: u8,
}

/// One LAPM entity (the error control function of one modem in a call).
#[derive(Debug, Clone)]
pub struct Lapm {
    config: Config,
    state: LinkState,
    agreed: Agreed,
    /// V(S), V(A), V(R) and the next new frame's number.
    vs: u8,
    va: u8,
    vr: u8,
    top: u8,
    /// The I frames sent and not yet acknowledged, by N(S).
    window: Vec<u8>,
    window_len: Vec<u16>,
    control: Fifo<Pending, CONTROL_QUEUE>,
    events: Fifo<LapmEvent, EVENTS>,
    t401: Option<Duration>,
    t403: Option<Duration>,
    retries: u8,
    recovery: bool,
    peer_busy: bool,
    own_busy: bool,
    rej_sent: bool,
    ack_pending: bool,
    /// Frames the far end asked for again by SREJ, one bit each.
    srej: u128,
    /// Selective reject: I frames received ahead of V(R), kept until the missing ones come.
    held: Vec<u8>,
    held_len: Vec<u16>,
    held_mask: u128,
    /// The frame this end asked for by SREJ and still waits for.
    srej_wanted: Option<u8>,
    tx_user: ByteQueue,
    tx_coded: ByteQueue,
    rx_user: ByteQueue,
    encoder: Option<Box<Encoder>>,
    decoder: Option<Box<Decoder>>,
    encoder_dirty: bool,
    ever_connected: bool,
    /// T401 expiries with I frames outstanding since V(A) last moved.
    stalled: u8,
    /// The answerer's reply to the originator's XID, said again while no SABME follows.
    xid_reply: Option<([u8; INFO_MAX], u8)>,
    stats: Stats,
}

fn dist(from: u8, to: u8) -> u8 {
    to.wrapping_sub(from) % MODULUS
}

impl Lapm {
    /// An entity set up by `config`; the originator starts establishing at once, the answerer
    /// listens.
    pub fn new(config: Config) -> Self {
        let n401 = config.n401.clamp(1, N401_MAX);
        let config = Config { n401, k: config.k.clamp(1, 127), n400: config.n400.max(1), ..config };
        let mut l = Lapm {
            config,
            state: LinkState::Listening,
            agreed: DEFAULTS,
            vs: 0,
            va: 0,
            vr: 0,
            top: 0,
            window: vec![0; MODULUS as usize * N401_MAX as usize],
            window_len: vec![0; MODULUS as usize],
            control: Fifo::new(),
            events: Fifo::new(),
            t401: None,
            t403: None,
            retries: 0,
            recovery: false,
            peer_busy: false,
            own_busy: false,
            rej_sent: false,
            ack_pending: false,
            srej: 0,
            held: vec![0; MODULUS as usize * N401_MAX as usize],
            held_len: vec![0; MODULUS as usize],
            held_mask: 0,
            srej_wanted: None,
            tx_user: ByteQueue::new(4096),
            tx_coded: ByteQueue::new(4 * N401_MAX as usize),
            rx_user: ByteQueue::new(8192 + 2 * N401_MAX as usize),
            encoder: None,
            decoder: None,
            encoder_dirty: false,
            ever_connected: false,
            xid_reply: None,
            stalled: 0,
            stats: Stats::default(),
        };
        if config.originator {
            l.send_xid();
        }
        l
    }

    /// The set-up.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The line's rate changed (a fall-back to 1200 bit/s): T401 and T403 follow it.
    pub fn set_line_rate(&mut self, bit_rate: u32) {
        let (t401, t403) = timers_for(bit_rate, self.config.n401);
        self.config.t401 = t401;
        self.config.t403 = t403;
    }

    /// Where the link is.
    pub fn state(&self) -> LinkState {
        self.state
    }

    /// What was agreed (the defaults until the link is up).
    pub fn agreed(&self) -> Agreed {
        self.agreed
    }

    /// The counts so far.
    pub fn stats(&self) -> Stats {
        self.stats
    }

    /// The next event, if any.
    pub fn poll_event(&mut self) -> Option<LapmEvent> {
        self.events.pop()
    }

    /// Queues user data to send; returns how much fit.
    pub fn write(&mut self, data: &[u8]) -> usize {
        self.tx_user.write(data)
    }

    /// Room for user data to send.
    pub fn tx_free(&self) -> usize {
        self.tx_user.free()
    }

    /// User data not yet acknowledged by the far end (queued, being compressed, or in frames
    /// sent and not acknowledged).
    pub fn tx_outstanding(&self) -> usize {
        self.tx_user.len() + self.tx_coded.len() + dist(self.va, self.top) as usize
    }

    /// Takes received user data; returns how many octets.
    pub fn read(&mut self, out: &mut [u8]) -> usize {
        self.rx_user.read(out)
    }

    /// Sends a break (V.42 8.13) as the expedited, non-destructive kind: a UI command carrying
    /// BRK, ahead of the I frames waiting; nothing queued is discarded. (A destructive break
    /// would have to discard I frames already sent and compressed with V.42bis's dictionary,
    /// which the far end may still be decoding.)
    pub fn send_break(&mut self) {
        if self.state != LinkState::Connected {
            return;
        }
        self.queue(Kind::Command, Control::U { function: Unnumbered::Ui, pf: false }, &[BRK, 0x00]);
    }

    /// Starts an orderly release: DISC, then UA awaited.
    pub fn release(&mut self) {
        match self.state {
            LinkState::Released(_) | LinkState::Releasing => {}
            LinkState::Listening => self.go_released(Release::Local),
            _ => {
                self.state = LinkState::Releasing;
                self.retries = 0;
                self.queue(Kind::Command, Control::U { function: Unnumbered::Disc, pf: true }, &[]);
                self.t401 = Some(self.config.t401);
                self.t403 = None;
            }
        }
    }

    /// Lets `elapsed` pass on the timers.
    pub fn advance(&mut self, elapsed: Duration) {
        if let Some(t) = self.t401.as_mut() {
            *t = t.saturating_sub(elapsed);
            if t.is_zero() {
                self.t401 = None;
                self.on_t401();
            }
        }
        if let Some(t) = self.t403.as_mut() {
            *t = t.saturating_sub(elapsed);
            if t.is_zero() {
                self.t403 = None;
                if self.state == LinkState::Connected && self.t401.is_none() {
                    // An idle link: ask the far end how it is (8.12.2).
                    self.recovery = true;
                    self.retries = 0;
                    self.enquire();
                }
            }
        }
    }

    fn on_t401(&mut self) {
        self.stats.timeouts += 1;
        let exhausted = self.retries >= self.config.n400;
        self.retries += 1;
        match self.state {
            LinkState::Negotiating if exhausted => self.send_sabme(),
            LinkState::Negotiating => self.send_xid(),
            LinkState::Establishing if exhausted => self.go_released(Release::NoResponse),
            LinkState::Establishing => {
                self.queue(Kind::Command, Control::U { function: Unnumbered::Sabme, pf: true }, &[]);
                self.t401 = Some(self.config.t401);
            }
            LinkState::Connected if exhausted => {
                // N400 polls unanswered: an orderly release, then down.
                self.queue(Kind::Command, Control::U { function: Unnumbered::Disc, pf: true }, &[]);
                self.go_released(Release::NoResponse);
            }
            LinkState::Connected if self.va != self.top && self.stalled >= 3 * self.config.n400 => {
                self.queue(Kind::Command, Control::U { function: Unnumbered::Disc, pf: true }, &[]);
                self.go_released(Release::NoProgress);
            }
            LinkState::Connected => {
                // (A far end that says it is busy holds the data back on purpose.)
                if self.va != self.top && !self.peer_busy {
                    self.stalled += 1;
                }
                self.recovery = true;
                self.enquire();
            }
            LinkState::Releasing if exhausted => self.go_released(Release::Local),
            LinkState::Releasing => {
                self.queue(Kind::Command, Control::U { function: Unnumbered::Disc, pf: true }, &[]);
                self.t401 = Some(self.config.t401);
            }
            // The answer to the originator's XID may have been lost, and an originator may wait
            // long before it asks again (slmodemd: about 25 s): say it again, N400 times at most.
            // (Setting the link up from this end instead, with SABME, leaves slmodemd connected
            // but sending nothing.)
            LinkState::Listening if !exhausted => {
                if let Some((info, len)) = self.xid_reply {
                    self.queue(
                        Kind::Response,
                        Control::U { function: Unnumbered::Xid, pf: false },
                        &info[..len as usize],
                    );
                    self.t401 = Some(self.config.t401);
                }
            }
            LinkState::Listening | LinkState::Released(_) => {}
        }
    }

    /// A supervisory command with P=1 (RR, or RNR while busy), T401 started.
    fn enquire(&mut self) {
        let function = if self.own_busy { Supervisory::Rnr } else { Supervisory::Rr };
        self.queue(Kind::Command, Control::S { function, nr: self.vr, pf: true }, &[]);
        self.ack_pending = false;
        self.t401 = Some(self.config.t401);
        self.t403 = None;
    }

    fn offer(&self) -> Xid {
        let n = self.config.n401;
        Xid {
            optional: Some(optional::OFFERED | optional::SREJ),
            tx_n401: Some(n),
            rx_n401: Some(n),
            tx_k: Some(self.config.k),
            rx_k: Some(self.config.k),
            v42bis: self.config.v42bis,
        }
    }

    fn send_xid(&mut self) {
        self.state = LinkState::Negotiating;
        let mut info = [0u8; INFO_MAX];
        let n = self.offer().emit(&mut info).unwrap_or(0);
        self.queue(Kind::Command, Control::U { function: Unnumbered::Xid, pf: true }, &info[..n]);
        self.t401 = Some(self.config.t401);
    }

    fn send_sabme(&mut self) {
        self.state = LinkState::Establishing;
        self.retries = 0;
        self.queue(Kind::Command, Control::U { function: Unnumbered::Sabme, pf: true }, &[]);
        self.t401 = Some(self.config.t401);
    }

    /// What this end agrees to, given the far end's XID `x` (which it sent as initiator).
    fn agree(&self, x: &Xid) -> Agreed {
        let n = self.config.n401;
        // The far end's transmit values are this end's receive values, and the other way round.
        let v42bis = match (self.config.v42bis, x.v42bis) {
            (Some(ours), Some(theirs)) => {
                let p0 = ours.p0 & theirs.p0;
                let p1 = ours.p1.min(theirs.p1);
                let p2 = ours.p2.min(theirs.p2);
                (p0 != 0 && p1 >= 512 && p2 >= 6).then_some(V42bisParams { p0, p1, p2 })
            }
            _ => None,
        };
        Agreed {
            tx_n401: x.rx_n401.unwrap_or(128).clamp(1, n),
            rx_n401: x.tx_n401.unwrap_or(128).clamp(1, n),
            tx_k: x.rx_k.unwrap_or(15).clamp(1, self.config.k),
            rx_k: x.tx_k.unwrap_or(15).clamp(1, self.config.k),
            v42bis,
            negotiated: true,
            srej: x.optional.is_some_and(|o| o & optional::SREJ != 0),
        }
    }

    /// Takes one frame received with a good FCS (address, control, information).
    pub fn receive(&mut self, octets: &[u8]) {
        if matches!(self.state, LinkState::Released(_)) {
            return;
        }
        self.stats.frames_received += 1;
        let frame = match Frame::parse(octets) {
            Ok(f) => f,
            Err(WireError::Address) | Err(WireError::TooShort) => {
                self.stats.invalid_frames += 1;
                return;
            }
            Err(e) => {
                self.stats.invalid_frames += 1;
                let reason = if e == WireError::UnexpectedInfo {
                    FrmrReason::UnexpectedInfo
                } else {
                    FrmrReason::UndefinedControl
                };
                let raw = [octets[1], octets.get(2).copied().unwrap_or(0)];
                let response = wire::kind_of(octets[0], self.config.originator) == Some(Kind::Response);
                self.frame_reject(raw, response, reason);
                return;
            }
        };
        let Some(kind) = wire::kind_of(frame.address, self.config.originator) else { return };
        match frame.control {
            Control::U { function, pf } => self.on_unnumbered(kind, function, pf, frame.info),
            _ if self.state != LinkState::Connected => {
                // Numbered frames outside information transfer: a poll is answered with DM.
                if kind == Kind::Command && frame.control.pf() && self.state == LinkState::Listening {
                    self.queue(Kind::Response, Control::U { function: Unnumbered::Dm, pf: true }, &[]);
                }
            }
            Control::I { ns, nr, p } => {
                if frame.info.len() > self.agreed.rx_n401 as usize || kind != Kind::Command {
                    self.stats.invalid_frames += 1;
                    let reason = if kind != Kind::Command { FrmrReason::UndefinedControl } else { FrmrReason::TooLong };
                    self.frame_reject(frame.raw_control, kind == Kind::Response, reason);
                    return;
                }
                self.on_information(ns, p, frame.info);
                self.on_nr(nr, frame.raw_control, kind);
            }
            Control::S { function, nr, pf } => self.on_supervisory(kind, function, nr, pf, frame.raw_control),
        }
    }

    fn on_unnumbered(&mut self, kind: Kind, function: Unnumbered, pf: bool, info: &[u8]) {
        use Unnumbered::*;
        match (function, kind) {
            (Xid, Kind::Command) => {
                let x = super::xid::Xid::parse(info).unwrap_or_default();
                let agreed = self.agree(&x);
                if self.state == LinkState::Listening {
                    self.agreed = agreed;
                }
                // The functions both ends have: what was offered, of those this end knows.
                let reply = super::xid::Xid {
                    optional: Some(x.optional.unwrap_or(optional::OFFERED) & (optional::OFFERED | optional::SREJ)),
                    tx_n401: Some(self.agreed.tx_n401),
                    rx_n401: Some(self.agreed.rx_n401),
                    tx_k: Some(self.agreed.tx_k),
                    rx_k: Some(self.agreed.rx_k),
                    v42bis: self.agreed.v42bis,
                };
                let mut buf = [0u8; INFO_MAX];
                let n = reply.emit(&mut buf).unwrap_or(0);
                self.queue(Kind::Response, Control::U { function: Xid, pf }, &buf[..n]);
                if self.state == LinkState::Listening {
                    self.xid_reply = Some((buf, n as u8));
                    self.retries = 0;
                    self.t401 = Some(self.config.t401);
                }
            }
            (Xid, Kind::Response) if self.state == LinkState::Negotiating => {
                if let Ok(x) = super::xid::Xid::parse(info) {
                    // The responder's transmit values are this end's receive values.
                    let n = self.config.n401;
                    self.agreed = Agreed {
                        tx_n401: x.rx_n401.unwrap_or(128).clamp(1, n),
                        rx_n401: x.tx_n401.unwrap_or(128).clamp(1, n),
                        tx_k: x.rx_k.unwrap_or(15).clamp(1, self.config.k),
                        rx_k: x.tx_k.unwrap_or(15).clamp(1, self.config.k),
                        v42bis: match (self.config.v42bis, x.v42bis) {
                            (Some(o), Some(t)) if o.p0 & t.p0 != 0 => {
                                Some(V42bisParams { p0: o.p0 & t.p0, p1: o.p1.min(t.p1), p2: o.p2.min(t.p2) })
                                    .filter(|b| b.p1 >= 512 && b.p2 >= 6)
                            }
                            _ => None,
                        },
                        negotiated: true,
                        srej: x.optional.is_some_and(|o| o & optional::SREJ != 0),
                    };
                }
                self.send_sabme();
            }
            (Dm | Frmr, Kind::Response) if self.state == LinkState::Negotiating => {
                // No XID here: the defaults, and on to SABME.
                self.send_sabme();
            }
            (Sabme, Kind::Command) => {
                self.queue(Kind::Response, Control::U { function: Ua, pf }, &[]);
                let reset = self.ever_connected;
                if self.state == LinkState::Connected {
                    self.stats.resets += 1;
                }
                self.link_up();
                self.events.push_overwrite(if reset { LapmEvent::Reset } else { LapmEvent::Connected(self.agreed) });
            }
            (Ua, Kind::Response) if self.state == LinkState::Establishing => {
                let reset = self.ever_connected;
                self.link_up();
                self.events.push_overwrite(if reset { LapmEvent::Reset } else { LapmEvent::Connected(self.agreed) });
            }
            (Ua | Dm, Kind::Response) if self.state == LinkState::Releasing => self.go_released(Release::Local),
            (Dm, Kind::Response) if self.state == LinkState::Establishing => self.go_released(Release::Refused),
            (Dm, Kind::Response) if self.state == LinkState::Connected => self.go_released(Release::Remote),
            (Disc, Kind::Command) => {
                let ok = matches!(self.state, LinkState::Connected | LinkState::Releasing);
                let function = if ok { Ua } else { Dm };
                self.queue(Kind::Response, Control::U { function, pf }, &[]);
                self.go_released(Release::Remote);
            }
            (Frmr, Kind::Response) if self.state == LinkState::Connected => {
                // The far end found this end's frames wrong: set the link up again.
                self.stats.resets += 1;
                self.send_sabme();
            }
            (Ui, _) if self.state == LinkState::Connected && info.first() == Some(&BRK) => {
                let destructive = info.get(1).is_some_and(|b| b & 0x40 != 0);
                if destructive {
                    self.rx_user.clear();
                }
                self.events.push_overwrite(LapmEvent::Break { destructive });
                self.queue(Kind::Command, Control::U { function: Ui, pf: false }, &[BRKACK]);
            }
            (Test, Kind::Command) => {
                let n = info.len().min(INFO_MAX);
                self.queue(Kind::Response, Control::U { function: Test, pf }, &info[..n]);
            }
            _ => {}
        }
    }

    fn link_up(&mut self) {
        self.state = LinkState::Connected;
        self.stalled = 0;
        self.ever_connected = true;
        self.vs = 0;
        self.va = 0;
        self.vr = 0;
        self.top = 0;
        self.retries = 0;
        self.recovery = false;
        self.peer_busy = false;
        self.rej_sent = false;
        self.ack_pending = false;
        self.srej = 0;
        self.held_mask = 0;
        self.srej_wanted = None;
        self.t401 = None;
        self.t403 = Some(self.config.t403);
        self.tx_coded.clear();
        let o = self.config.originator;
        let params = |b: V42bisParams| v42bis::Params::new(b.p1.min(4096), b.p2).ok();
        self.encoder = self
            .agreed
            .v42bis
            .filter(|_| self.agreed.compresses_tx(o))
            .and_then(params)
            .map(|p| Box::new(Encoder::new(p)));
        self.decoder = self
            .agreed
            .v42bis
            .filter(|_| self.agreed.compresses_rx(o))
            .and_then(params)
            .map(|p| Box::new(Decoder::new(p)));
        // Room for what a few frames bring, and at least twice the most one frame can turn into
        // (the busy condition's margin). Made once a connection, not per frame.
        let room = (8192 + 2 * self.rx_room_needed()).max(self.rx_user.len());
        if room != self.rx_user.capacity() {
            let mut q = ByteQueue::new(room);
            let mut buf = [0u8; 256];
            loop {
                let n = self.rx_user.read(&mut buf);
                if n == 0 {
                    break;
                }
                q.write(&buf[..n]);
            }
            self.rx_user = q;
        }
        self.encoder_dirty = false;
    }

    fn go_released(&mut self, why: Release) {
        self.state = LinkState::Released(why);
        self.t401 = None;
        self.t403 = None;
        self.events.push_overwrite(LapmEvent::Released(why));
    }

    fn frame_reject(&mut self, raw: [u8; 2], was_response: bool, reason: FrmrReason) {
        if self.state != LinkState::Connected {
            return;
        }
        let info = wire::frmr_info(raw, self.vs, self.vr, was_response, reason);
        self.queue(Kind::Response, Control::U { function: Unnumbered::Frmr, pf: false }, &info);
        // Then set the link up again (8.5.6).
        self.stats.resets += 1;
        self.send_sabme();
    }

    /// The worst case of what one received I frame turns into.
    fn rx_room_needed(&self) -> usize {
        let n = self.agreed.rx_n401 as usize;
        match &self.decoder {
            Some(d) => n * 8 / 9 * d.params().n7() as usize + 64,
            None => n,
        }
    }

    fn on_information(&mut self, ns: u8, p: bool, info: &[u8]) {
        if self.own_busy || self.rx_user.free() < self.rx_room_needed() {
            // Busy: drop it; it comes again once RR says so.
            self.stats.i_frames_dropped += 1;
            self.own_busy = true;
            self.queue(Kind::Response, Control::S { function: Supervisory::Rnr, nr: self.vr, pf: p }, &[]);
            return;
        }
        if ns != self.vr && self.agreed.srej && dist(self.vr, ns) < self.agreed.rx_k {
            // Ahead of a lost frame: keep it, and ask for the lost one alone.
            if self.held_mask & (1u128 << ns) == 0 {
                let at = ns as usize * N401_MAX as usize;
                self.held[at..at + info.len()].copy_from_slice(info);
                self.held_len[ns as usize] = info.len() as u16;
                self.held_mask |= 1u128 << ns;
            }
            if self.srej_wanted.is_none() {
                self.srej_wanted = Some(self.vr);
                self.queue(Kind::Response, Control::S { function: Supervisory::Srej, nr: self.vr, pf: p }, &[]);
            } else if p {
                self.queue(Kind::Response, Control::S { function: Supervisory::Rr, nr: self.vr, pf: true }, &[]);
            }
            return;
        }
        if ns != self.vr {
            self.stats.i_frames_dropped += 1;
            if !self.rej_sent {
                self.rej_sent = true;
                self.queue(Kind::Response, Control::S { function: Supervisory::Rej, nr: self.vr, pf: p }, &[]);
            } else if p {
                self.queue(Kind::Response, Control::S { function: Supervisory::Rr, nr: self.vr, pf: true }, &[]);
            }
            return;
        }
        self.vr = (self.vr + 1) % MODULUS;
        self.rej_sent = false;
        self.deliver(info);
        // Then what was kept ahead of it, as far as it goes without a gap.
        if self.srej_wanted == Some(ns) {
            self.srej_wanted = None;
        }
        while self.held_mask & (1u128 << self.vr) != 0 {
            let v = self.vr;
            self.held_mask &= !(1u128 << v);
            let at = v as usize * N401_MAX as usize;
            let len = self.held_len[v as usize] as usize;
            let frame: [u8; N401_MAX as usize] = {
                let mut f = [0u8; N401_MAX as usize];
                f[..len].copy_from_slice(&self.held[at..at + len]);
                f
            };
            self.deliver(&frame[..len]);
            self.vr = (self.vr + 1) % MODULUS;
        }
        if self.held_mask != 0 && self.srej_wanted.is_none() {
            // Another gap further on: ask for it.
            self.srej_wanted = Some(self.vr);
            self.queue(Kind::Response, Control::S { function: Supervisory::Srej, nr: self.vr, pf: false }, &[]);
        }
        if p {
            self.queue(Kind::Response, Control::S { function: Supervisory::Rr, nr: self.vr, pf: true }, &[]);
        } else {
            self.ack_pending = true;
        }
    }

    fn deliver(&mut self, info: &[u8]) {
        let Lapm { decoder, rx_user, stats, .. } = self;
        match decoder {
            Some(d) => {
                let mut n = 0u64;
                let r = d.decode(info, &mut |b| {
                    n += 1;
                    rx_user.push(b);
                });
                stats.octets_received += n;
                if r.is_err() {
                    // The far end's encoder and this decoder disagree: start both afresh.
                    d.reset();
                    self.stats.resets += 1;
                    self.send_sabme();
                }
            }
            None => {
                stats.octets_received += rx_user.write(info) as u64;
            }
        }
    }

    fn on_supervisory(&mut self, kind: Kind, function: Supervisory, nr: u8, pf: bool, raw: [u8; 2]) {
        match function {
            Supervisory::Rr => self.peer_busy = false,
            Supervisory::Rnr => self.peer_busy = true,
            Supervisory::Rej => {
                self.peer_busy = false;
                self.stats.rejects_received += 1;
            }
            Supervisory::Srej => self.stats.rejects_received += 1,
        }
        if kind == Kind::Command && pf {
            let function = if self.own_busy { Supervisory::Rnr } else { Supervisory::Rr };
            self.queue(Kind::Response, Control::S { function, nr: self.vr, pf: true }, &[]);
            self.ack_pending = false;
        }
        if !self.on_nr(nr, raw, kind) {
            return;
        }
        if kind == Kind::Response && pf && self.recovery {
            // The answer to the poll: resume, sending again what it has not acknowledged.
            self.recovery = false;
            self.retries = 0;
            self.t401 = None;
            self.vs = nr;
            self.restart_timers();
        } else if function == Supervisory::Rej && !self.recovery {
            self.vs = nr;
            self.restart_timers();
        } else if function == Supervisory::Srej && dist(self.va, nr) < dist(self.va, self.top) {
            self.srej |= 1u128 << nr;
        }
    }

    /// Takes N(R) as an acknowledgement; false (and FRMR) if it acknowledges a frame not sent.
    fn on_nr(&mut self, nr: u8, raw: [u8; 2], kind: Kind) -> bool {
        if self.state != LinkState::Connected {
            return false;
        }
        if dist(self.va, nr) > dist(self.va, self.top) {
            self.stats.invalid_frames += 1;
            self.frame_reject(raw, kind == Kind::Response, FrmrReason::InvalidNr);
            return false;
        }
        if nr != self.va {
            self.va = nr;
            self.stalled = 0;
            if dist(self.va, self.vs) > dist(self.va, self.top) {
                self.vs = self.va;
            }
            if !self.recovery {
                self.retries = 0;
                self.restart_timers();
            }
        }
        true
    }

    fn restart_timers(&mut self) {
        if self.va == self.top {
            self.t401 = None;
            self.t403 = Some(self.config.t403);
        } else {
            self.t401 = Some(self.config.t401);
            self.t403 = None;
        }
    }

    fn queue(&mut self, kind: Kind, control: Control, info: &[u8]) {
        let mut p = Pending { kind, control, info: [0; INFO_MAX], len: info.len().min(INFO_MAX) as u8 };
        p.info[..p.len as usize].copy_from_slice(&info[..p.len as usize]);
        if !self.control.push(p) {
            // A full control queue means the far end is flooding this one with polls: the latest
            // matters most.
            self.control.push_overwrite(p);
        }
    }

    /// Fills the compressed queue from the user's for the next I frame.
    fn code_more(&mut self) {
        let n401 = self.agreed.tx_n401 as usize;
        let Lapm { encoder, tx_user, tx_coded, encoder_dirty, stats, .. } = self;
        let Some(enc) = encoder else { return };
        let mut chunk = [0u8; 32];
        while tx_coded.len() < n401 && tx_coded.free() >= 2 * chunk.len() + 16 {
            let n = tx_user.read(&mut chunk);
            if n == 0 {
                if *encoder_dirty {
                    // Nothing more to send now: the rest of the string goes out at once.
                    enc.flush(&mut |b| {
                        tx_coded.push(b);
                    });
                    *encoder_dirty = false;
                }
                break;
            }
            stats.octets_sent += n as u64;
            enc.encode(&chunk[..n], &mut |b| {
                tx_coded.push(b);
            });
            *encoder_dirty = true;
        }
    }

    /// The next frame to send (address, control, information) into `out`, which must hold
    /// [`N401_MAX`] + 3 octets; returns its length.
    pub fn poll_frame(&mut self, out: &mut [u8]) -> Option<usize> {
        let n = self.next_frame(out)?;
        self.stats.frames_sent += 1;
        Some(n)
    }

    fn next_frame(&mut self, out: &mut [u8]) -> Option<usize> {
        let o = self.config.originator;
        if let Some(p) = self.control.pop() {
            if let Control::S { .. } = p.control {
                if p.kind == Kind::Response {
                    self.ack_pending = false;
                }
            }
            return Frame::emit(wire::address(o, p.kind), p.control, &p.info[..p.len as usize], out);
        }
        if self.state != LinkState::Connected {
            return None;
        }
        if self.own_busy && self.rx_user.free() >= self.rx_room_needed() * 2 {
            self.own_busy = false;
            self.ack_pending = true;
        }
        if self.srej != 0 {
            let ns = self.srej.trailing_zeros() as u8;
            self.srej &= !(1u128 << ns);
            self.stats.retransmissions += 1;
            return self.emit_i(ns, out);
        }
        if !self.recovery && !self.peer_busy {
            if self.vs != self.top {
                self.stats.retransmissions += 1;
                let ns = self.vs;
                self.vs = (self.vs + 1) % MODULUS;
                return self.emit_i(ns, out);
            }
            if dist(self.va, self.top) < self.agreed.tx_k {
                let n = self.fill_new(self.top);
                if n > 0 {
                    self.stats.i_frames_sent += 1;
                    let ns = self.top;
                    self.top = (self.top + 1) % MODULUS;
                    self.vs = self.top;
                    return self.emit_i(ns, out);
                }
            }
        }
        if self.ack_pending {
            self.ack_pending = false;
            let function = if self.own_busy { Supervisory::Rnr } else { Supervisory::Rr };
            return Frame::emit(
                wire::address(o, Kind::Response),
                Control::S { function, nr: self.vr, pf: false },
                &[],
                out,
            );
        }
        None
    }

    /// Puts the next I frame's information field in the window at `ns`; returns its length.
    fn fill_new(&mut self, ns: u8) -> usize {
        let n401 = self.agreed.tx_n401 as usize;
        let at = ns as usize * N401_MAX as usize;
        let n = if self.encoder.is_some() {
            self.code_more();
            self.tx_coded.read(&mut self.window[at..at + n401])
        } else {
            let slot = &mut self.window[at..at + n401];
            let n = self.tx_user.read(slot);
            self.stats.octets_sent += n as u64;
            n
        };
        self.window_len[ns as usize] = n as u16;
        n
    }

    fn emit_i(&mut self, ns: u8, out: &mut [u8]) -> Option<usize> {
        let at = ns as usize * N401_MAX as usize;
        let len = self.window_len[ns as usize] as usize;
        self.ack_pending = false;
        if self.t401.is_none() {
            self.t401 = Some(self.config.t401);
            self.t403 = None;
        }
        let control = Control::I { ns, nr: self.vr, p: false };
        Frame::emit(wire::address(self.config.originator, Kind::Command), control, &self.window[at..at + len], out)
    }

    /// Whether a frame is waiting to go (so the caller can keep the line busy).
    pub fn wants_to_send(&self) -> bool {
        !self.control.is_empty()
            || self.ack_pending
            || (self.state == LinkState::Connected
                && !self.recovery
                && !self.peer_busy
                && (self.vs != self.top
                    || (dist(self.va, self.top) < self.agreed.tx_k
                        && (!self.tx_user.is_empty() || !self.tx_coded.is_empty()))))
    }
}
