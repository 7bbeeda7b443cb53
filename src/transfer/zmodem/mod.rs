//! ZMODEM (Chuck Forsberg, "The ZMODEM Inter Application File Transfer Protocol", 1988), both
//! ends: [`Sender`] and [`Receiver`].
//!
//! - Frames: a header (hex, binary CRC-16 or binary CRC-32; [`wire`]) and, for ZFILE, ZDATA and
//!   ZSINIT, data subpackets of up to 1024 octets, or 8192 when the sender is allowed "8k"
//!   subpackets (the ZedZap extension BBS programs use; [`Config::max_subpacket`]).
//! - Session: the sender's ZRQINIT, the receiver's ZRINIT (its capabilities: full duplex, CRC-32,
//!   escaping of all control characters, its buffer); per file ZFILE with the name, size and
//!   modification time, answered by ZRPOS (from where: 0, or the length the receiver already has
//!   when resuming, ZCRESUM) or ZSKIP; ZDATA and streamed subpackets; ZEOF, answered by ZRINIT;
//!   after the last file ZFIN both ways and the sender's "OO".
//! - Streaming (ZCRCG) when the receiver's buffer is unlimited, with a ZCRCW and a wait for ZACK
//!   after each buffer's worth when it is not; ZRPOS from the receiver after a damaged subpacket
//!   makes the sender go back to that offset (and send shorter subpackets for a while).
//! - Cancel: five CANs in a row end the session at either end; [`crate::transfer::CANCEL_SEQUENCE`]
//!   sends eight and erases them.
//! - Timeouts follow the line's character rate ([`crate::transfer::LineRate`]): a receiver waits
//!   at least as long as the largest subpacket takes, twice over.

mod recv;
mod send;
pub mod wire;

#[cfg(test)]
mod tests;

pub use recv::{parse_file_info, Receiver};
pub use send::Sender;

use crate::time::Duration;
use crate::transfer::LineRate;

/// The frame types (the paper's `zmodem.h` numbering).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrameType {
    /// ZRQINIT (0): the sender asks the receiver for its ZRINIT.
    Rqinit,
    /// ZRINIT (1): the receiver's capabilities.
    Rinit,
    /// ZSINIT (2): the sender's flags and its Attn sequence.
    Sinit,
    /// ZACK (3): acknowledgement, with an offset.
    Ack,
    /// ZFILE (4): a file's name and attributes follow.
    File,
    /// ZSKIP (5): the receiver declines the file.
    Skip,
    /// ZNAK (6): the last header was damaged.
    Nak,
    /// ZABORT (7): abort the batch.
    Abort,
    /// ZFIN (8): the session ends.
    Fin,
    /// ZRPOS (9): resume sending at this offset.
    Rpos,
    /// ZDATA (10): data subpackets follow, from this offset.
    Data,
    /// ZEOF (11): the file ends at this offset.
    Eof,
    /// ZFERR (12): a file could not be read or written.
    Ferr,
    /// ZCRC (13): request for, and answer with, the file's CRC-32.
    Crc,
    /// ZCHALLENGE (14): echo this number in a ZACK.
    Challenge,
    /// ZCOMPL (15): a request completed.
    Compl,
    /// ZCAN (16): the other end sent the cancel sequence.
    Can,
    /// ZFREECNT (17): how much free space.
    FreeCnt,
    /// ZCOMMAND (18): a command to run (refused here).
    Command,
    /// ZSTDERR (19): a message for the screen.
    Stderr,
    /// Any other type number.
    Other(u8),
}

impl FrameType {
    /// The type number.
    pub fn code(self) -> u8 {
        use FrameType::*;
        match self {
            Rqinit => 0,
            Rinit => 1,
            Sinit => 2,
            Ack => 3,
            File => 4,
            Skip => 5,
            Nak => 6,
            Abort => 7,
            Fin => 8,
            Rpos => 9,
            Data => 10,
            Eof => 11,
            Ferr => 12,
            Crc => 13,
            Challenge => 14,
            Compl => 15,
            Can => 16,
            FreeCnt => 17,
            Command => 18,
            Stderr => 19,
            Other(c) => c,
        }
    }

    /// The type with number `c`.
    pub fn from_code(c: u8) -> FrameType {
        use FrameType::*;
        match c {
            0 => Rqinit,
            1 => Rinit,
            2 => Sinit,
            3 => Ack,
            4 => File,
            5 => Skip,
            6 => Nak,
            7 => Abort,
            8 => Fin,
            9 => Rpos,
            10 => Data,
            11 => Eof,
            12 => Ferr,
            13 => Crc,
            14 => Challenge,
            15 => Compl,
            16 => Can,
            17 => FreeCnt,
            18 => Command,
            19 => Stderr,
            c => Other(c),
        }
    }

    /// True for the types followed by data subpackets.
    pub fn carries_data(self) -> bool {
        matches!(self, FrameType::File | FrameType::Data | FrameType::Sinit | FrameType::Command | FrameType::Stderr)
    }
}

/// A header: the type and four octets, which are flags (ZF3 ZF2 ZF1 ZF0 in the order sent) or a
/// file offset (ZP0 ZP1 ZP2 ZP3, least significant first).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    /// The frame type.
    pub kind: FrameType,
    /// The four octets in the order sent.
    pub octets: [u8; 4],
}

impl Header {
    /// A header carrying offset or number `p`.
    pub fn with_position(kind: FrameType, p: u32) -> Header {
        Header { kind, octets: p.to_le_bytes() }
    }

    /// A header carrying flags ZF0..ZF3.
    pub fn with_flags(kind: FrameType, f0: u8, f1: u8, f2: u8, f3: u8) -> Header {
        Header { kind, octets: [f3, f2, f1, f0] }
    }

    /// The offset or number.
    pub fn position(&self) -> u32 {
        u32::from_le_bytes(self.octets)
    }

    /// Flag octet ZF0 (sent last).
    pub fn f0(&self) -> u8 {
        self.octets[3]
    }

    /// Flag octet ZF1.
    pub fn f1(&self) -> u8 {
        self.octets[2]
    }

    /// The five octets as sent, type first.
    pub fn octets(&self) -> [u8; 5] {
        let o = self.octets;
        [self.kind.code(), o[0], o[1], o[2], o[3]]
    }

    /// The header of five octets as sent.
    pub fn from_octets(o: [u8; 5]) -> Header {
        Header { kind: FrameType::from_code(o[0]), octets: [o[1], o[2], o[3], o[4]] }
    }
}

/// ZRINIT's ZF0 flags: what the receiver can do.
pub mod rinit {
    /// CANFDX: the receiver can send and receive at once.
    pub const CANFDX: u8 = 0x01;
    /// CANOVIO: the receiver can take data while writing the file.
    pub const CANOVIO: u8 = 0x02;
    /// CANBRK: the receiver can send a break.
    pub const CANBRK: u8 = 0x04;
    /// CANFC32: the receiver takes CRC-32.
    pub const CANFC32: u8 = 0x20;
    /// ESCCTL: the receiver wants every control character escaped.
    pub const ESCCTL: u8 = 0x40;
    /// ESC8: the receiver wants octets with bit 7 escaped.
    pub const ESC8: u8 = 0x80;
}

/// ZSINIT's ZF0 flags.
pub mod sinit {
    /// TESCCTL: the sender wants every control character escaped.
    pub const TESCCTL: u8 = 0x40;
    /// TESC8: the sender wants octets with bit 7 escaped.
    pub const TESC8: u8 = 0x80;
}

/// ZFILE's ZF0 (conversion option) values.
pub mod zfile {
    /// ZCBIN: binary, no conversion.
    pub const ZCBIN: u8 = 1;
    /// ZCNL: convert the end of line to the receiver's.
    pub const ZCNL: u8 = 2;
    /// ZCRESUM: resume an interrupted transfer (crash recovery).
    pub const ZCRESUM: u8 = 3;
}

/// How a ZMODEM end is set up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Config {
    /// The line's rate: timeouts and the first subpacket length follow it.
    pub line: LineRate,
    /// The longest data subpacket a sender sends: 1024 (standard), or up to 8192 (the "8k"
    /// extension, which lrzsz's `sz -8` also uses), and never more than the receiver's buffer.
    pub max_subpacket: usize,
    /// Sender: use CRC-32 when the receiver takes it.
    pub crc32: bool,
    /// Escape every control character (a receiver asks for it in ZRINIT; a sender does it anyway).
    pub escape_control: bool,
    /// Sender: ask the receiver to resume partial files (ZCRESUM). Receiver: resume partial files
    /// whether asked or not (the sink decides from what it has).
    pub resume: bool,
    /// Sender: send `rz\r` before the first ZRQINIT, so a shell at the far end starts `rz`.
    pub rz_command: bool,
    /// Tries of a header that gets no answer before giving up.
    pub retries: u32,
    /// The shortest wait for an answer, whatever the line's rate.
    pub timeout_floor: Duration,
}

impl Config {
    /// Defaults for a line of `line` rate: 1024-octet subpackets, CRC-32, 10 tries, 10 s floor.
    pub fn new(line: LineRate) -> Config {
        Config {
            line,
            max_subpacket: 1024,
            crc32: true,
            escape_control: false,
            resume: false,
            rz_command: true,
            retries: 10,
            timeout_floor: Duration::from_secs(10),
        }
    }

    /// The first subpacket length for the line (as lrzsz does: 256 up to 2400 bit/s, 1024 above,
    /// 128 below 300), never above [`Config::max_subpacket`].
    pub fn first_subpacket(&self) -> usize {
        let by_rate = match self.line.bits_per_second {
            0..=299 => 128,
            300..=2400 => 256,
            _ => 1024,
        };
        by_rate.min(self.max_subpacket.clamp(32, wire::MAX_SUBPACKET))
    }

    /// How long to wait for an answer to something of `octets` octets sent just now.
    pub fn timeout(&self, octets: usize) -> Duration {
        self.line.timeout(self.timeout_floor, octets)
    }
}

impl Default for Config {
    fn default() -> Self {
        Config::new(LineRate::FAST)
    }
}
