//! The HDLC receiver: bits in, frames out, with flag and abort detection, zero-bit deletion and
//! the FCS check.

use super::{Config, Frames, MIN_FRAME};
use crate::bits::BitSink;

/// What the receiver counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RxStats {
    /// Valid frames (good FCS), queued for the reader.
    pub good_frames: u64,
    /// Frames of a valid length whose FCS was wrong.
    pub bad_fcs: u64,
    /// Frames ended by an abort (seven or more contiguous 1 bits).
    pub aborts: u64,
    /// Frames longer than [`Config::max_frame`] plus the FCS.
    pub too_long: u64,
    /// Frames with fewer than two octets plus the FCS between their flags.
    pub too_short: u64,
    /// Frames that were not a whole number of octets.
    pub not_octet_aligned: u64,
    /// Valid frames dropped because the output queue was full.
    pub overruns: u64,
}

/// The HDLC receiver. A data pump hands it bits through [`BitSink::put_bit`]; valid frames
/// (without their FCS) wait in a bounded queue for [`HdlcRx::front`] / [`HdlcRx::pop`] (or
/// [`HdlcRx::read`]).
#[derive(Debug, Clone)]
pub struct HdlcRx {
    config: Config,
    out: Frames,
    /// The frame being received, FCS included.
    buf: Vec<u8>,
    /// Octets in `buf`.
    len: usize,
    /// Bits of a partial octet.
    octet: u8,
    /// Bits in `octet`.
    bits: u8,
    /// The frame outgrew `buf`.
    overflow: bool,
    /// A flag was seen and no abort since: bits are a frame's.
    in_frame: bool,
    /// Contiguous 1 bits received, not yet taken as data.
    ones: u8,
    stats: RxStats,
}

impl HdlcRx {
    /// A receiver hunting for a flag.
    pub fn new(config: Config) -> Self {
        HdlcRx {
            config,
            out: Frames::new(config.frames, config.max_frame),
            buf: vec![0; config.max_frame + config.fcs.octets()],
            len: 0,
            octet: 0,
            bits: 0,
            overflow: false,
            in_frame: false,
            ones: 0,
            stats: RxStats::default(),
        }
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// What was counted so far.
    pub fn stats(&self) -> RxStats {
        self.stats
    }

    /// Frames waiting to be read.
    pub fn frames(&self) -> usize {
        self.out.len()
    }

    /// The oldest frame waiting (its octets between the flags, FCS removed).
    pub fn front(&self) -> Option<&[u8]> {
        self.out.front()
    }

    /// Drops the oldest frame waiting; false if none was.
    pub fn pop(&mut self) -> bool {
        self.out.pop()
    }

    /// Moves the oldest frame waiting into `out` and returns its length; `None` if no frame is
    /// waiting. A frame longer than `out` is cut to fit (its length is still returned whole).
    pub fn read(&mut self, out: &mut [u8]) -> Option<usize> {
        let f = self.out.front()?;
        let n = f.len().min(out.len());
        out[..n].copy_from_slice(&f[..n]);
        let len = f.len();
        self.out.pop();
        Some(len)
    }

    /// True while the receiver is inside a frame (a flag seen and no abort since).
    pub fn in_frame(&self) -> bool {
        self.in_frame
    }

    /// Forgets the frame under way and hunts for a flag, as after an abort (without counting one).
    pub fn hunt(&mut self) {
        self.in_frame = false;
        self.start_frame();
    }

    fn start_frame(&mut self) {
        self.len = 0;
        self.octet = 0;
        self.bits = 0;
        self.overflow = false;
    }

    /// Takes one data bit of the frame under way.
    fn data_bit(&mut self, bit: u8) {
        if !self.in_frame {
            return;
        }
        self.octet |= bit << self.bits;
        self.bits += 1;
        if self.bits == 8 {
            if self.len < self.buf.len() {
                self.buf[self.len] = self.octet;
                self.len += 1;
            } else {
                self.overflow = true;
            }
            self.octet = 0;
            self.bits = 0;
        }
    }

    /// A flag ends the frame under way (if any) and opens the next.
    fn flag(&mut self) {
        // The flag's own leading 0 went in as a data bit.
        if self.in_frame && (self.len > 0 || self.bits > 1) {
            let fcs = self.config.fcs;
            if self.overflow {
                self.stats.too_long += 1;
            } else if self.bits != 1 {
                self.stats.not_octet_aligned += 1;
            } else if self.len < MIN_FRAME + fcs.octets() {
                self.stats.too_short += 1;
            } else if !fcs.check(&self.buf[..self.len]) {
                self.stats.bad_fcs += 1;
            } else if self.out.push(&self.buf[..self.len - fcs.octets()]) {
                self.stats.good_frames += 1;
            } else {
                self.stats.overruns += 1;
            }
        }
        self.in_frame = true;
        self.start_frame();
    }

    /// Takes one bit from the line.
    pub fn push_bit(&mut self, bit: u8) {
        if bit & 1 == 1 {
            if self.ones < 7 {
                self.ones += 1;
                if self.ones == 7 {
                    if self.in_frame && (self.len > 0 || self.bits > 0) {
                        self.stats.aborts += 1;
                    }
                    self.hunt();
                }
            }
            return;
        }
        match self.ones {
            0..=4 => {
                for _ in 0..self.ones {
                    self.data_bit(1);
                }
                self.data_bit(0);
            }
            // A 0 inserted for transparency: deleted.
            5 => {
                for _ in 0..5 {
                    self.data_bit(1);
                }
            }
            6 => self.flag(),
            // The end of an abort or of mark idle: still hunting.
            _ => {}
        }
        self.ones = 0;
    }
}

impl BitSink for HdlcRx {
    fn put_bit(&mut self, bit: u8, _soft: f32) {
        self.push_bit(bit);
    }

    /// Losing the carrier ends the frame under way, uncounted.
    fn carrier(&mut self, on: bool) {
        if !on {
            self.hunt();
        }
    }

    /// Bits missing: the frame under way cannot be completed.
    fn hole(&mut self, _unheard: u32) {
        self.hunt();
    }
}
