//! The HDLC transmitter: queued frames out as bits, with flags, zero-bit insertion, the FCS and
//! aborts.

use super::{Config, Frames, Idle, FLAG};
use crate::bits::BitSource;

/// Why [`HdlcTx::send`] refused a frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TxError {
    /// The queue already holds [`Config::frames`] frames.
    QueueFull,
    /// The frame is longer than [`Config::max_frame`].
    TooLong,
}

impl core::fmt::Display for TxError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            TxError::QueueFull => "HDLC transmit queue full",
            TxError::TooLong => "HDLC frame longer than the maximum",
        })
    }
}

impl std::error::Error for TxError {}

/// Where the transmitter is between octets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Between frames.
    Idle,
    /// Sending the frame at the front of the queue: the next octet's index (the FCS follows the
    /// frame's own octets).
    Frame(usize),
}

/// The HDLC transmitter. Queue whole frames with [`HdlcTx::send`]; a data pump takes the bits
/// with [`BitSource::next_bit`], one at a time, forever (flags or marks when there is nothing to
/// send).
#[derive(Debug, Clone)]
pub struct HdlcTx {
    config: Config,
    queue: Frames,
    state: State,
    /// The FCS of the frame being sent.
    fcs: [u8; 4],
    /// The octet being sent, shifted right as its bits go.
    shift: u8,
    /// Bits of `shift` still to send.
    pub(super) bits_left: u8,
    /// Whether the octet being sent is subject to zero-bit insertion (frame content and FCS).
    stuffed: bool,
    /// Contiguous 1 bits sent in frame content.
    ones: u8,
    /// Flags still to send before the next frame may start.
    flags_owed: u8,
    /// An abort was asked for.
    abort_pending: bool,
    frames_sent: u64,
    aborts_sent: u64,
}

impl HdlcTx {
    /// A transmitter with nothing queued; it starts with flags (or marks, see [`Config::idle`]).
    pub fn new(config: Config) -> Self {
        HdlcTx {
            config,
            queue: Frames::new(config.frames, config.max_frame),
            state: State::Idle,
            fcs: [0; 4],
            shift: 0,
            bits_left: 0,
            stuffed: false,
            ones: 0,
            flags_owed: 1,
            abort_pending: false,
            frames_sent: 0,
            aborts_sent: 0,
        }
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Queues a frame (the octets between the flags, without the FCS, which is added). A frame
    /// shorter than [`MIN_FRAME`](super::MIN_FRAME) octets is sent as given; receivers drop it.
    pub fn send(&mut self, frame: &[u8]) -> Result<(), TxError> {
        if frame.len() > self.config.max_frame {
            return Err(TxError::TooLong);
        }
        if !self.queue.push(frame) {
            return Err(TxError::QueueFull);
        }
        Ok(())
    }

    /// Frames queued, the one being sent included.
    pub fn queued(&self) -> usize {
        self.queue.len()
    }

    /// Room for this many more frames.
    pub fn free(&self) -> usize {
        self.config.frames.max(1) - self.queue.len()
    }

    /// True when no frame is queued or being sent and no abort is pending: only flags or marks
    /// go out from now on (the last frame's closing flag may still be under way, up to 7 bits).
    pub fn is_idle(&self) -> bool {
        self.queue.len() == 0 && !self.abort_pending && self.state == State::Idle
    }

    /// True while a frame's octets are going out.
    pub fn in_frame(&self) -> bool {
        matches!(self.state, State::Frame(_))
    }

    /// Aborts the frame being sent: after the octet under way, eight 1 bits (an abort, at least
    /// seven contiguous 1s) go out instead of the rest of it, and the frame leaves the queue.
    /// Returns false, doing nothing, if no frame is being sent.
    pub fn abort(&mut self) -> bool {
        if !self.in_frame() {
            return false;
        }
        self.abort_pending = true;
        true
    }

    /// Drops every queued frame; one being sent is aborted.
    pub fn clear(&mut self) {
        if self.in_frame() {
            self.abort_pending = true;
            // The front frame stays until the abort drops it.
            self.queue.truncate(1);
        } else {
            self.queue.clear();
        }
    }

    /// Frames sent whole, each counted as the first bit of its closing flag goes out.
    pub fn frames_sent(&self) -> u64 {
        self.frames_sent
    }

    /// Aborts sent.
    pub fn aborts_sent(&self) -> u64 {
        self.aborts_sent
    }

    fn load(&mut self, octet: u8, stuffed: bool) {
        self.shift = octet;
        self.bits_left = 8;
        self.stuffed = stuffed;
        if !stuffed {
            self.ones = 0;
        }
    }

    /// Chooses the next octet to send.
    fn next_octet(&mut self) {
        if self.abort_pending {
            self.abort_pending = false;
            if self.in_frame() {
                self.queue.pop();
                self.state = State::Idle;
                self.aborts_sent += 1;
                self.flags_owed = 1;
                self.load(0xFF, false);
                return;
            }
        }
        match self.state {
            State::Frame(i) => {
                let frame = self.queue.front().expect("a frame being sent is queued");
                let n = frame.len();
                if i < n {
                    let b = frame[i];
                    self.state = State::Frame(i + 1);
                    self.load(b, true);
                } else if i < n + self.config.fcs.octets() {
                    let b = self.fcs[i - n];
                    self.state = State::Frame(i + 1);
                    self.load(b, true);
                } else {
                    self.queue.pop();
                    self.frames_sent += 1;
                    self.state = State::Idle;
                    self.flags_owed = self.config.flags_between.max(1) - 1;
                    self.load(FLAG, false);
                }
            }
            State::Idle => {
                let waiting = self.queue.len() > 0;
                if self.flags_owed > 0 && (waiting || self.config.idle == Idle::Flags) {
                    self.flags_owed -= 1;
                    self.load(FLAG, false);
                } else if waiting {
                    let frame = self.queue.front().expect("queued");
                    self.fcs = self.config.fcs.of(frame);
                    self.state = State::Frame(0);
                    self.next_octet();
                } else {
                    match self.config.idle {
                        Idle::Flags => self.load(FLAG, false),
                        Idle::Marks => {
                            self.flags_owed = 1;
                            self.load(0xFF, false);
                        }
                    }
                }
            }
        }
    }
}

impl BitSource for HdlcTx {
    /// The next bit on the line (0 or 1).
    fn next_bit(&mut self) -> u8 {
        if self.stuffed && self.ones == 5 {
            self.ones = 0;
            return 0;
        }
        if self.bits_left == 0 {
            self.next_octet();
        }
        let bit = self.shift & 1;
        self.shift >>= 1;
        self.bits_left -= 1;
        if self.stuffed {
            self.ones = if bit == 1 { self.ones + 1 } else { 0 };
        }
        bit
    }
}
