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

mod rx;
mod tx;

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

    fn restart_timers(&mut self) {
        if self.va == self.top {
            self.t401 = None;
            self.t403 = Some(self.config.t403);
        } else {
            self.t401 = Some(self.config.t401);
            self.t403 = None;
        }
    }
}
