//! XMODEM, XMODEM-1K, YMODEM batch and YMODEM-G, as Forsberg's "XMODEM/YMODEM Protocol
//! Reference" (1988) describes them: [`XmodemSender`] and [`XmodemReceiver`], each a
//! [`Transfer`](super::Transfer), and the blocks on the wire ([`wire`]).
//!
//! - A block: SOH (128 data octets) or STX (1024), the block number, its complement, the data
//!   and a one-octet checksum or a CRC-16. The receiver chooses the check by its start
//!   character: 'C' for the CRC, NAK for the checksum; it asks with 'C' a few times, three
//!   seconds apart, then falls back to NAK (XMODEM only; YMODEM is always CRC).
//! - Each block is answered: ACK, or NAK after the line has gone quiet (the rest of a damaged
//!   block flushed). The sender sends a block again on NAK or after a timeout, at most
//!   [`MAX_RETRIES`] times; the same block number again (an ACK lost) is acknowledged and not
//!   taken twice. Two CANs in a row end the transfer from either side.
//! - The last block is padded with SUB (0x1A). EOT ends a file; the receiver NAKs the first EOT
//!   and acknowledges the second, so that a damaged octet cannot end a file (the paper's YMODEM
//!   figure; done for XMODEM too, which senders take: they send EOT again on NAK).
//! - YMODEM sends block 0 before each file: its pathname, then its length (decimal), its
//!   modification time and its mode (octal); an empty block 0 ends the batch. The receiver then
//!   knows each file's length and cuts the padding off.
//! - YMODEM-G: the receiver asks for block 0 and then for the data with 'G' (no ACK of block
//!   0); the sender streams the data blocks with no acknowledgement and waits only for the ACK
//!   of EOT. Any error ends the transfer (for error-free links: V.42, a pipe).
//! - A sender may change the block length between blocks, never when it sends a block again
//!   (the receiver may have taken it, and only its number tells a repeat).
//!
//! Timeouts follow the line's rate ([`LineRate`]): ten seconds, or twice the time a
//! 1029-octet block takes, for a block or a reply; one second, or twice the time of 128 octets,
//! for the line to go quiet and for the gaps inside a block.

mod recv;
mod send;
pub mod wire;

#[cfg(test)]
mod tests;

pub use recv::XmodemReceiver;
pub use send::XmodemSender;

use super::{LineRate, Protocol};
use crate::time::Duration;

/// How many times a block, a start character or a reply is tried again before the transfer is
/// given up (the paper's ten).
pub const MAX_RETRIES: u32 = 10;

/// How an XMODEM or YMODEM transfer is set up (either direction).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// [`Protocol::Xmodem`], [`Protocol::Xmodem1k`], [`Protocol::Ymodem`] or
    /// [`Protocol::YmodemG`] ([`Protocol::Zmodem`] is taken as YMODEM).
    pub protocol: Protocol,
    /// The line's rate, for the timeouts.
    pub rate: LineRate,
    /// The name a receiver gives an XMODEM file (XMODEM sends none); YMODEM takes the sender's.
    pub name: String,
    /// An XMODEM receiver asks for the CRC ('C') first, and falls back to the checksum (NAK) if
    /// the sender does not answer; false asks for the checksum from the start.
    pub crc: bool,
}

impl Config {
    /// `protocol` on a line at `rate`; an XMODEM file received is called `xmodem.bin`.
    pub fn new(protocol: Protocol, rate: LineRate) -> Config {
        let protocol = if protocol == Protocol::Zmodem { Protocol::Ymodem } else { protocol };
        Config { protocol, rate, name: "xmodem.bin".into(), crc: true }
    }

    /// YMODEM (batch, with block 0) rather than XMODEM.
    pub(crate) fn batch(&self) -> bool {
        matches!(self.protocol, Protocol::Ymodem | Protocol::YmodemG | Protocol::Zmodem)
    }

    /// How long a block or a reply may take: 10 s, or twice a 1029-octet block's time.
    pub(crate) fn block_timeout(&self) -> Duration {
        self.rate.timeout(Duration::from_secs(10), wire::MAX_FRAME)
    }

    /// The gap that ends a block cut short, and the quiet that ends a purge: 1 s, or twice the
    /// time of 128 octets (a V.42 link delivers a frame's octets at once).
    pub(crate) fn quiet(&self) -> Duration {
        self.rate.timeout(Duration::from_secs(1), 128)
    }

    /// How long a receiver waits for an answer to its first start characters: 3 s, or twice a
    /// 133-octet block's time.
    pub(crate) fn start_interval(&self) -> Duration {
        self.rate.timeout(Duration::from_secs(3), 133)
    }
}

/// A few octets waiting for [`Transfer::transmit`](super::Transfer::transmit): replies, EOT,
/// the cancel sequence. Fixed storage; what does not fit is dropped (never more than the
/// cancel sequence and two replies are queued).
#[derive(Debug, Clone)]
pub(crate) struct Outbox {
    buf: [u8; 32],
    start: usize,
    end: usize,
}

impl Outbox {
    pub(crate) const fn new() -> Outbox {
        Outbox { buf: [0; 32], start: 0, end: 0 }
    }

    pub(crate) fn push(&mut self, bytes: &[u8]) {
        if self.start == self.end {
            self.start = 0;
            self.end = 0;
        }
        let n = bytes.len().min(self.buf.len() - self.end);
        self.buf[self.end..self.end + n].copy_from_slice(&bytes[..n]);
        self.end += n;
    }

    pub(crate) fn clear(&mut self) {
        self.start = 0;
        self.end = 0;
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.start == self.end
    }

    /// Moves what fits into `out`; the number moved.
    pub(crate) fn take(&mut self, out: &mut [u8]) -> usize {
        let n = out.len().min(self.end - self.start);
        out[..n].copy_from_slice(&self.buf[self.start..self.start + n]);
        self.start += n;
        n
    }
}
