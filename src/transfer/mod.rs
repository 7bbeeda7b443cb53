//! File transfer the way BBS users do it: ZMODEM ([`zmodem`]), YMODEM, YMODEM-G and XMODEM
//! ([`xmodem`]), as Forsberg's papers describe them ("The ZMODEM Inter Application File Transfer
//! Protocol", "XMODEM/YMODEM Protocol Reference").
//!
//! Sans-IO, as the rest of the crate: a transfer is a [`Transfer`] that takes the far end's bytes
//! ([`Transfer::receive`]), gives bytes for the far end when the line can take them
//! ([`Transfer::transmit`]), and counts time from the [`Instant`]s it is handed. Files come from a
//! [`Source`] and go to a [`Sink`], which the embedder implements (the files on disk for the
//! `softmodem` command, memory for the page; [`files`] has in-memory ones).
//!
//! Timeouts are set from the line's character rate ([`LineRate`]): a 1024-octet subpacket takes
//! 34 s at 300 bit/s and 0.4 s at 28 800, and a receiver must wait for it either way.

pub mod autostart;
pub mod crc;
pub mod files;
pub mod xmodem;
pub mod zmodem;

pub use files::{Accept, FileError, FileInfo, MemorySink, MemorySource, Sink, Source};

use crate::time::{Duration, Instant};

/// The line's data rate, which sets a transfer's timeouts and its block sizes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineRate {
    /// Bits per second of the line (for a modem: the connection's rate; for a pipe: a large value).
    pub bits_per_second: u32,
}

impl LineRate {
    /// A line at `bits_per_second`.
    pub const fn new(bits_per_second: u32) -> LineRate {
        LineRate { bits_per_second }
    }

    /// A pipe or a fast serial link (115 200 bit/s): timeouts at their floors.
    pub const FAST: LineRate = LineRate::new(115_200);

    /// Characters per second: ten bits each (start, eight data, stop), as a modem's async link.
    pub fn chars_per_second(self) -> u32 {
        (self.bits_per_second / 10).max(1)
    }

    /// How long `octets` take on the line.
    pub fn time_for(self, octets: usize) -> Duration {
        let ms = (octets as u64 * 1000).div_ceil(self.chars_per_second() as u64);
        Duration::from_ms(ms.min(u32::MAX as u64) as u32)
    }

    /// A timeout: `floor`, or the time `octets` take on the line and as much again, whichever is
    /// longer.
    pub fn timeout(self, floor: Duration, octets: usize) -> Duration {
        let t = self.time_for(octets);
        floor.max(t.saturating_add(t))
    }
}

/// Who ended a transfer that did not complete.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Party {
    /// This end ([`Transfer::cancel`], or a file it could not read or write).
    Local,
    /// The far end (its cancel sequence, an abort frame).
    Remote,
}

/// How a transfer ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Every file went through (or was skipped by the receiver's choice).
    Complete,
    /// Cancelled by one side.
    Cancelled(Party),
    /// The far end stopped answering: the retries ran out.
    TimedOut,
    /// A file could not be read or written here.
    File(FileError),
    /// The far end broke the protocol in a way it cannot recover from (the reason).
    Protocol(&'static str),
}

impl core::fmt::Display for Outcome {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Outcome::Complete => f.write_str("complete"),
            Outcome::Cancelled(Party::Local) => f.write_str("cancelled here"),
            Outcome::Cancelled(Party::Remote) => f.write_str("cancelled by the far end"),
            Outcome::TimedOut => f.write_str("the far end stopped answering"),
            Outcome::File(e) => write!(f, "file error: {e}"),
            Outcome::Protocol(why) => write!(f, "protocol error: {why}"),
        }
    }
}

/// Which protocol a transfer speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Protocol {
    /// ZMODEM.
    Zmodem,
    /// YMODEM batch (1024-octet blocks, CRC, acknowledged).
    Ymodem,
    /// YMODEM-G (streaming, no acknowledgements: for error-free links).
    YmodemG,
    /// XMODEM with 128-octet blocks and the receiver's choice of checksum or CRC.
    Xmodem,
    /// XMODEM with 1024-octet blocks (XMODEM-1K) and CRC.
    Xmodem1k,
}

impl Protocol {
    /// The protocol's name as BBS menus write it.
    pub fn name(self) -> &'static str {
        match self {
            Protocol::Zmodem => "ZMODEM",
            Protocol::Ymodem => "YMODEM",
            Protocol::YmodemG => "YMODEM-G",
            Protocol::Xmodem => "XMODEM",
            Protocol::Xmodem1k => "XMODEM-1K",
        }
    }
}

/// Whether this end sends or receives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Direction {
    /// This end sends files (an upload from a terminal, a download from a BBS).
    Send,
    /// This end receives files.
    Receive,
}

/// Where a transfer stands, for a progress line or a transfer window.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Progress {
    /// The current file's name ("" before the first file).
    pub file: String,
    /// The current file's number, from 1 (0 before the first file).
    pub file_number: usize,
    /// Files in the batch, where the protocol says.
    pub files: Option<usize>,
    /// The current file's size, where the protocol says.
    pub size: Option<u64>,
    /// Octets of the current file the receiver has (for a sender: acknowledged or sent past
    /// without a complaint; for a receiver: checked and written).
    pub done: u64,
    /// Where the current file began (a resumed file begins past 0).
    pub start: u64,
    /// Octets of all files so far.
    pub total: u64,
    /// Blocks or subpackets that arrived damaged, and headers that failed their CRC.
    pub errors: u32,
    /// Blocks or subpackets sent again, and repositionings.
    pub retries: u32,
    /// The block or subpacket length in use.
    pub block: usize,
    /// Files that went through completely.
    pub files_done: usize,
}

/// A file transfer in progress, either direction, any protocol.
///
/// Call [`Transfer::transmit`] regularly (every audio block, or every few milliseconds) even
/// when nothing has arrived: the timeouts run there.
pub trait Transfer {
    /// The protocol.
    fn protocol(&self) -> Protocol;
    /// Sending or receiving.
    fn direction(&self) -> Direction;
    /// Octets from the far end.
    fn receive(&mut self, now: Instant, data: &[u8]);
    /// Octets for the far end, at most `out.len()`; 0 when there is nothing to send now.
    fn transmit(&mut self, now: Instant, out: &mut [u8]) -> usize;
    /// Where the transfer stands.
    fn progress(&self) -> &Progress;
    /// How it ended, once it has (and once everything it had to send has been taken by
    /// [`Transfer::transmit`]).
    fn outcome(&self) -> Option<&Outcome>;
    /// Cancel from this end: the cancel sequence goes out, then the transfer ends.
    fn cancel(&mut self);
}

/// The cancel sequence (ZMODEM paper 8.4; XMODEM/YMODEM take it too): eight CAN (0x18) and ten
/// backspaces, which erase the CANs from a screen that shows them. Five CANs in a row are enough.
pub const CANCEL_SEQUENCE: [u8; 18] = [
    0x18, 0x18, 0x18, 0x18, 0x18, 0x18, 0x18, 0x18, 0x08, 0x08, 0x08, 0x08, 0x08, 0x08, 0x08, 0x08, 0x08, 0x08,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeouts_scale_with_the_line() {
        let floor = Duration::from_secs(10);
        assert_eq!(LineRate::FAST.timeout(floor, 1024), floor);
        // 1024 octets at 300 bit/s: 34.2 s, twice that 68.3 s.
        let t = LineRate::new(300).timeout(floor, 1024);
        assert!(t > Duration::from_secs(68) && t < Duration::from_secs(69), "{t:?}");
    }
}
