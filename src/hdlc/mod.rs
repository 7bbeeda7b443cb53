//! HDLC framing (ISO/IEC 13239, as V.42 8.1 uses it for LAPM): frames between flags, transparency
//! by zero-bit insertion, the frame check sequence, and aborts; the lowest layer of V.42 error
//! control. It frames the synchronous bit stream of a data pump (V.22, V.22bis) as [`startstop`]
//! frames characters: [`HdlcTx`] is a [`BitSource`], [`HdlcRx`] a [`BitSink`].
//!
//! - A frame on the line: an opening flag (0x7E, `01111110`), the frame's octets and its FCS, each
//!   octet sent least significant bit first, then a closing flag, which may also open the next
//!   frame. Between frames the transmitter sends flags (interframe time fill) or marks.
//! - Transparency: after five contiguous 1 bits inside a frame (FCS included) the transmitter
//!   inserts a 0 bit, and the receiver deletes a 0 that follows five 1s.
//! - Abort: seven or more contiguous 1 bits end a frame without it being taken.
//! - Invalid frames (fewer than two octets plus the FCS between flags, not a whole number of
//!   octets, a bad FCS, too long) are dropped and counted ([`RxStats`]).
//!
//! Nothing allocates per bit or per frame: both ends keep a bounded number of frames of a bounded
//! length ([`Config`]) in storage made once.
//!
//! [`startstop`]: crate::startstop
//! [`BitSource`]: crate::bits::BitSource
//! [`BitSink`]: crate::bits::BitSink

pub mod fcs;
mod rx;
mod tx;

pub use fcs::Fcs;
pub use rx::{HdlcRx, RxStats};
pub use tx::{HdlcTx, TxError};

/// The flag sequence, `01111110`, that opens and closes every frame.
pub const FLAG: u8 = 0x7E;

/// The fewest octets a valid frame has between its flags, besides the FCS (an address and a
/// control field).
pub const MIN_FRAME: usize = 2;

/// What the transmitter sends while it has no frame: V.42 8.1.1.4 allows either.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Idle {
    /// Contiguous flags (interframe time fill).
    #[default]
    Flags,
    /// Continuous 1s (mark idle); a frame is then preceded by an opening flag.
    Marks,
}

/// How an [`HdlcTx`] or [`HdlcRx`] is set up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Config {
    /// The frame check sequence frames carry.
    pub fcs: Fcs,
    /// The most octets of a frame between its flags, not counting the FCS (address, control and
    /// information fields). V.42's N401 counts the information field alone.
    pub max_frame: usize,
    /// How many whole frames the transmitter's queue or the receiver's output holds.
    pub frames: usize,
    /// What the transmitter sends between frames.
    pub idle: Idle,
    /// Flags the transmitter sends between two back-to-back frames: 1 shares the closing flag of
    /// one as the opening flag of the next; 0 counts as 1.
    pub flags_between: u8,
}

impl Default for Config {
    /// The 16-bit FCS, frames of up to 260 octets (a 256-octet information field with LAPM's
    /// address and extended control fields), 8 frames queued, flag idle, one shared flag.
    fn default() -> Self {
        Config { fcs: Fcs::Fcs16, max_frame: 260, frames: 8, idle: Idle::Flags, flags_between: 1 }
    }
}

/// A bounded queue of whole frames: `slots` frames of up to `max` octets each, in storage made once.
#[derive(Debug, Clone)]
struct Frames {
    data: Vec<u8>,
    lens: Vec<usize>,
    max: usize,
    head: usize,
    count: usize,
}

impl Frames {
    fn new(slots: usize, max: usize) -> Self {
        let slots = slots.max(1);
        Frames { data: vec![0; slots * max], lens: vec![0; slots], max, head: 0, count: 0 }
    }

    fn len(&self) -> usize {
        self.count
    }

    fn is_full(&self) -> bool {
        self.count == self.lens.len()
    }

    /// Adds a frame at the back; false (and nothing added) if full or longer than `max`.
    fn push(&mut self, frame: &[u8]) -> bool {
        if self.is_full() || frame.len() > self.max {
            return false;
        }
        let slot = (self.head + self.count) % self.lens.len();
        self.data[slot * self.max..slot * self.max + frame.len()].copy_from_slice(frame);
        self.lens[slot] = frame.len();
        self.count += 1;
        true
    }

    fn front(&self) -> Option<&[u8]> {
        (self.count > 0).then(|| &self.data[self.head * self.max..self.head * self.max + self.lens[self.head]])
    }

    fn pop(&mut self) -> bool {
        if self.count == 0 {
            return false;
        }
        self.head = (self.head + 1) % self.lens.len();
        self.count -= 1;
        true
    }

    fn clear(&mut self) {
        self.count = 0;
    }

    /// Keeps the first `n` frames, drops the rest.
    fn truncate(&mut self, n: usize) {
        self.count = self.count.min(n);
    }
}

#[cfg(test)]
mod tests;
