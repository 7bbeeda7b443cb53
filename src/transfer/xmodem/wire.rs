//! XMODEM and YMODEM blocks as octets: the control characters, a block's frame (emitted by
//! [`emit_block`], taken apart by [`BlockReader`] from octets as they come) and YMODEM's block 0
//! ([`encode_header`], [`decode_header`]).
//!
//! A block on the line (the paper's "Message Block Level Protocol"):
//!
//! ```text
//! SOH | STX   number   255 - number   data (128 | 1024)   checksum (1) | CRC-16 (2, high first)
//! ```
//!
//! The checksum is the sum of the data octets modulo 256; the CRC-16 the XMODEM one
//! ([`Crc16`]) over the data. Block numbers start at 1 (YMODEM's block 0 is the file's header)
//! and wrap from 255 to 0.

use crate::transfer::crc::Crc16;
use crate::transfer::files::FileInfo;

/// Start of a 128-octet block.
pub const SOH: u8 = 0x01;
/// Start of a 1024-octet block (XMODEM-1K, YMODEM).
pub const STX: u8 = 0x02;
/// End of a file.
pub const EOT: u8 = 0x04;
/// A block (or EOT) received whole.
pub const ACK: u8 = 0x06;
/// A block damaged or missing; also the start character that asks for checksums.
pub const NAK: u8 = 0x15;
/// Cancel: two in a row end the transfer.
pub const CAN: u8 = 0x18;
/// The padding of a file's last block (CP/M's end of file, ^Z).
pub const SUB: u8 = 0x1A;
/// The start character that asks for CRC-16 blocks.
pub const CRC_START: u8 = b'C';
/// YMODEM-G's start character: CRC-16 blocks, streamed with no acknowledgements.
pub const STREAM_START: u8 = b'G';

/// The data of a short block.
pub const SHORT_BLOCK: usize = 128;
/// The data of a long (1K) block.
pub const LONG_BLOCK: usize = 1024;
/// The longest frame: STX, the number, its complement, 1024 octets, a CRC-16.
pub const MAX_FRAME: usize = 3 + LONG_BLOCK + 2;

/// How a block's data is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Check {
    /// One octet, the sum of the data modulo 256 (the original XMODEM; the receiver's NAK).
    Checksum,
    /// Two octets, the CRC-16, high octet first (the receiver's 'C').
    Crc16,
}

impl Check {
    /// The check's length in octets.
    pub const fn octets(self) -> usize {
        match self {
            Check::Checksum => 1,
            Check::Crc16 => 2,
        }
    }
}

/// The XMODEM checksum of `data`: the sum of its octets, modulo 256.
pub fn checksum(data: &[u8]) -> u8 {
    data.iter().fold(0u8, |s, &b| s.wrapping_add(b))
}

/// The length of the frame of a block of `data_len` octets checked by `check`.
pub const fn frame_len(data_len: usize, check: Check) -> usize {
    3 + data_len + check.octets()
}

/// Writes block `number` carrying `data` into `out` (which must hold [`frame_len`] octets): SOH
/// for up to 128 octets of data, STX for more. `data` should be 128 or 1024 octets, padded by the
/// caller; a short block's data past 128 octets is not sent. The frame's length.
pub fn emit_block(number: u8, data: &[u8], check: Check, out: &mut [u8]) -> usize {
    let len = if data.len() > SHORT_BLOCK { LONG_BLOCK } else { SHORT_BLOCK };
    debug_assert!(data.len() == len, "a block carries 128 or 1024 octets");
    let data = &data[..data.len().min(len)];
    out[0] = if len == LONG_BLOCK { STX } else { SOH };
    out[1] = number;
    out[2] = !number;
    out[3..3 + data.len()].copy_from_slice(data);
    out[3 + data.len()..3 + len].fill(SUB);
    let end = 3 + len;
    match check {
        Check::Checksum => out[end] = checksum(&out[3..end]),
        Check::Crc16 => {
            let crc = Crc16::of(&out[3..end]);
            out[end..end + 2].copy_from_slice(&crc.to_be_bytes());
        }
    }
    end + check.octets()
}

/// What a [`BlockReader`] makes of the octets it is given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    /// A block whose check is right: its number and the length of its data
    /// ([`BlockReader::data`]).
    Block {
        /// The block number.
        number: u8,
        /// 128 or 1024.
        len: usize,
    },
    /// EOT between blocks.
    Eot,
    /// Two CANs in a row between blocks.
    Cancel,
    /// A block that cannot be right.
    Damaged(Damage),
}

/// Why a block was not taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Damage {
    /// The number's complement does not match (found on the third octet: the rest of the block
    /// is not read as one).
    Number,
    /// The checksum or CRC does not match the data.
    Check,
}

/// Takes a block apart from octets as they arrive, in any pieces: the start octet (SOH or STX),
/// the number and its complement, the data, the check. Between blocks it also recognises EOT and
/// CAN CAN, and passes over anything else (line noise). Its storage (one 1029-octet frame) is
/// made once.
#[derive(Debug, Clone)]
pub struct BlockReader {
    check: Check,
    frame: Box<[u8]>,
    have: usize,
    need: usize,
    len: usize,
    cans: u8,
}

impl BlockReader {
    /// A reader of blocks checked by `check`.
    pub fn new(check: Check) -> BlockReader {
        BlockReader { check, frame: vec![0; MAX_FRAME].into_boxed_slice(), have: 0, need: 0, len: 0, cans: 0 }
    }

    /// Blocks from now on are checked by `check`.
    pub fn set_check(&mut self, check: Check) {
        self.check = check;
    }

    /// The check in use.
    pub fn check(&self) -> Check {
        self.check
    }

    /// True between a block's start octet and its last.
    pub fn in_block(&self) -> bool {
        self.need > 0
    }

    /// Forgets a block begun (one cut short) and any CAN counted.
    pub fn reset(&mut self) {
        self.have = 0;
        self.need = 0;
        self.cans = 0;
    }

    /// The data of the block the last [`Event::Block`] reported.
    pub fn data(&self) -> &[u8] {
        &self.frame[3..3 + self.len]
    }

    /// Takes one octet.
    pub fn push(&mut self, byte: u8) -> Option<Event> {
        if self.need == 0 {
            if byte == CAN {
                self.cans += 1;
                if self.cans >= 2 {
                    self.cans = 0;
                    return Some(Event::Cancel);
                }
                return None;
            }
            self.cans = 0;
            let len = match byte {
                SOH => SHORT_BLOCK,
                STX => LONG_BLOCK,
                EOT => return Some(Event::Eot),
                _ => return None,
            };
            self.frame[0] = byte;
            self.have = 1;
            self.len = len;
            self.need = frame_len(len, self.check);
            return None;
        }
        self.frame[self.have] = byte;
        self.have += 1;
        if self.have == 3 && self.frame[1] != !self.frame[2] {
            self.reset();
            return Some(Event::Damaged(Damage::Number));
        }
        if self.have < self.need {
            return None;
        }
        self.need = 0;
        self.have = 0;
        let data = &self.frame[3..3 + self.len];
        let good = match self.check {
            Check::Checksum => self.frame[3 + self.len] == checksum(data),
            Check::Crc16 => Crc16::of(&self.frame[3..3 + self.len + 2]) == 0,
        };
        Some(if good { Event::Block { number: self.frame[1], len: self.len } } else { Event::Damaged(Damage::Check) })
    }
}

/// Why a block 0 could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeaderError {
    /// No NUL ends the pathname.
    Unterminated,
}

/// YMODEM's block 0 for `info` into `out`: the pathname, NUL, then the length in decimal, and
/// where known the modification time and the mode in octal, separated by single spaces (the
/// paper: fields may not be skipped, so a mode without a time sends the time as 0, "unknown"),
/// then NULs. The length of the block: 128 if that holds it, else 1024 (the paper's footnote on
/// long pathnames). A pathname is sent as given, without NULs (an empty one, which would end the
/// batch, as `unnamed`), cut short to fit.
pub fn encode_header(info: &FileInfo, out: &mut [u8; LONG_BLOCK]) -> usize {
    let mut fields = String::new();
    if let Some(size) = info.size {
        fields = size.to_string();
        if info.mtime.is_some() || info.mode.is_some() {
            fields += &format!(" {:o}", info.mtime.unwrap_or(0));
        }
        if let Some(mode) = info.mode {
            fields += &format!(" {mode:o}");
        }
    }
    let mut name: String = info.name.chars().filter(|&c| c != '\0').collect();
    if name.is_empty() {
        name = "unnamed".into();
    }
    // The name, its NUL, the fields and their NUL fit in 1024 octets.
    let room = LONG_BLOCK - 2 - fields.len();
    if name.len() > room {
        let mut cut = room;
        while !name.is_char_boundary(cut) {
            cut -= 1;
        }
        name.truncate(cut);
    }
    out.fill(0);
    out[..name.len()].copy_from_slice(name.as_bytes());
    let at = name.len() + 1;
    out[at..at + fields.len()].copy_from_slice(fields.as_bytes());
    if at + fields.len() < SHORT_BLOCK {
        SHORT_BLOCK
    } else {
        LONG_BLOCK
    }
}

/// Reads YMODEM's block 0: `Ok(None)` for the empty one that ends a batch, else the file's name
/// and what follows it. Lenient where the paper lets a sender leave things out: the fields after
/// the name are optional, and reading stops at the first that is missing or not a number (as
/// do the fields after it); a time or mode of 0 means unknown. Any octets give a result.
pub fn decode_header(data: &[u8]) -> Result<Option<FileInfo>, HeaderError> {
    if data.first().is_none_or(|&b| b == 0) {
        return Ok(None);
    }
    let end = data.iter().position(|&b| b == 0).ok_or(HeaderError::Unterminated)?;
    let mut info = FileInfo { name: String::from_utf8_lossy(&data[..end]).into_owned(), ..FileInfo::default() };
    let rest = &data[end + 1..];
    let rest = &rest[..rest.iter().position(|&b| b == 0).unwrap_or(rest.len())];
    let mut fields = rest.split(|&b| b == b' ').filter(|f| !f.is_empty());
    info.size = fields.next().and_then(|f| number(f, 10));
    if info.size.is_some() {
        info.mtime = fields.next().and_then(|f| number(f, 8));
        if info.mtime.is_some() {
            info.mode = fields.next().and_then(|f| number(f, 8)).and_then(|m| u32::try_from(m).ok());
        }
    }
    info.mtime = info.mtime.filter(|&t| t != 0);
    info.mode = info.mode.filter(|&m| m != 0);
    Ok(Some(info))
}

/// The number `digits` write in `radix`, if they are all digits and it fits in 64 bits.
fn number(digits: &[u8], radix: u32) -> Option<u64> {
    digits.iter().try_fold(0u64, |n, &d| {
        let d = (d as char).to_digit(radix)?;
        n.checked_mul(radix as u64)?.checked_add(d as u64)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(reader: &mut BlockReader, bytes: &[u8]) -> Vec<Event> {
        bytes.iter().filter_map(|&b| reader.push(b)).collect()
    }

    #[test]
    fn blocks_round_trip_in_any_pieces() {
        for check in [Check::Checksum, Check::Crc16] {
            for len in [SHORT_BLOCK, LONG_BLOCK] {
                let data: Vec<u8> = (0..len).map(|i| (i * 7 + 3) as u8).collect();
                let mut frame = [0u8; MAX_FRAME];
                let n = emit_block(0xFE, &data, check, &mut frame);
                assert_eq!(n, frame_len(len, check));
                let mut stream = vec![0x55, b'x', CAN, b'y'];
                stream.extend_from_slice(&frame[..n]);
                stream.push(EOT);
                let mut reader = BlockReader::new(check);
                for piece in [1, 2, 7, 500, 2000] {
                    let mut events = Vec::new();
                    for chunk in stream.chunks(piece) {
                        for &b in chunk {
                            if let Some(e) = reader.push(b) {
                                if matches!(e, Event::Block { .. }) {
                                    assert_eq!(reader.data(), &data[..]);
                                }
                                events.push(e);
                            }
                        }
                    }
                    assert_eq!(events, vec![Event::Block { number: 0xFE, len }, Event::Eot]);
                }
            }
        }
    }

    #[test]
    fn damage_is_found() {
        let data = [0x41u8; SHORT_BLOCK];
        let mut frame = [0u8; MAX_FRAME];
        let n = emit_block(3, &data, Check::Crc16, &mut frame);
        let mut reader = BlockReader::new(Check::Crc16);
        let mut bad = frame[..n].to_vec();
        bad[2] ^= 1;
        assert_eq!(read_all(&mut reader, &bad[..3]), vec![Event::Damaged(Damage::Number)]);
        reader.reset();
        let mut bad = frame[..n].to_vec();
        bad[50] ^= 0x80;
        assert_eq!(read_all(&mut reader, &bad), vec![Event::Damaged(Damage::Check)]);
        // The checksum misses two high bits hit at once; the CRC does not.
        let n = emit_block(3, &data, Check::Checksum, &mut frame);
        let mut two = frame[..n].to_vec();
        two[10] ^= 0x80;
        two[11] ^= 0x80;
        reader.set_check(Check::Checksum);
        assert_eq!(read_all(&mut reader, &two), vec![Event::Block { number: 3, len: SHORT_BLOCK }]);
        let n = emit_block(3, &data, Check::Crc16, &mut frame);
        let mut two = frame[..n].to_vec();
        two[10] ^= 0x80;
        two[11] ^= 0x80;
        reader.set_check(Check::Crc16);
        assert_eq!(read_all(&mut reader, &two), vec![Event::Damaged(Damage::Check)]);
    }

    #[test]
    fn can_can_cancels_between_blocks_only() {
        let mut reader = BlockReader::new(Check::Crc16);
        assert_eq!(read_all(&mut reader, &[CAN, b'a', CAN]), vec![]);
        assert_eq!(read_all(&mut reader, &[CAN]), vec![Event::Cancel]);
        let data = [CAN; SHORT_BLOCK];
        let mut frame = [0u8; MAX_FRAME];
        let n = emit_block(CAN, &data, Check::Crc16, &mut frame);
        assert_eq!(read_all(&mut reader, &frame[..n]), vec![Event::Block { number: CAN, len: SHORT_BLOCK }]);
    }

    #[test]
    fn the_papers_header_example() {
        // Figure 5 of the paper: sz's block 0 for bbcsched.txt.
        let mut block = b"bbcsched.txt\x006347 3314742513 100644".to_vec();
        block.resize(SHORT_BLOCK, 0);
        let info = decode_header(&block).unwrap().unwrap();
        assert_eq!(info.name, "bbcsched.txt");
        assert_eq!(info.size, Some(6347));
        assert_eq!(info.mtime, Some(0o3314742513));
        assert_eq!(info.mode, Some(0o100644));
        let mut out = [0u8; LONG_BLOCK];
        assert_eq!(encode_header(&info, &mut out), SHORT_BLOCK);
        assert_eq!(&out[..SHORT_BLOCK], &block[..]);
    }

    #[test]
    fn headers_round_trip() {
        let mut out = [0u8; LONG_BLOCK];
        let cases = [
            FileInfo::new("with space.txt", 0),
            FileInfo { name: "a".into(), size: Some(u64::MAX), mtime: None, mode: Some(0o644) },
            FileInfo { name: "b".into(), size: None, mtime: Some(5), mode: None },
            FileInfo { name: "ü/ñ".into(), size: Some(1), mtime: Some(1), mode: None },
        ];
        for info in cases {
            let n = encode_header(&info, &mut out);
            let back = decode_header(&out[..n]).unwrap().unwrap();
            assert_eq!(back.name, info.name);
            assert_eq!(back.size, info.size);
            if info.size.is_some() {
                assert_eq!(back.mode, info.mode);
                assert_eq!(back.mtime, info.mtime);
            }
        }
        // A long name takes a 1K block and is cut to fit.
        let long = FileInfo::new(&"é".repeat(700), 12345);
        assert_eq!(encode_header(&long, &mut out), LONG_BLOCK);
        let back = decode_header(&out).unwrap().unwrap();
        assert_eq!(back.size, Some(12345));
        assert!(long.name.starts_with(&back.name) && back.name.len() > 1000);
        // No name: not the end of the batch.
        assert_eq!(encode_header(&FileInfo::new("\0", 1), &mut out), SHORT_BLOCK);
        assert_eq!(decode_header(&out[..SHORT_BLOCK]).unwrap().unwrap().name, "unnamed");
    }

    #[test]
    fn headers_are_read_leniently() {
        let info = |b: &[u8]| decode_header(b).unwrap().unwrap();
        assert_eq!(decode_header(&[0; SHORT_BLOCK]), Ok(None));
        assert_eq!(decode_header(&[]), Ok(None));
        assert_eq!(decode_header(b"name without end"), Err(HeaderError::Unterminated));
        assert_eq!(info(b"f\0"), FileInfo { name: "f".into(), ..FileInfo::default() });
        assert_eq!(info(b"f\0  12  0 0\0junk").size, Some(12));
        assert_eq!(info(b"f\x0012 0 0").mtime, None);
        let odd = info(b"f\x0012 9 644");
        assert_eq!((odd.size, odd.mtime, odd.mode), (Some(12), None, None));
        assert_eq!(info(b"f\x0099999999999999999999999 1 1").size, None);
        assert_eq!(info(b"f\x001 1 77777777777777").mode, None);
        assert_eq!(info(b"\xff\xfe\0").name, "\u{fffd}\u{fffd}");
    }

    #[test]
    fn decode_never_panics() {
        let mut x = 0x1234_5678u32;
        for len in 0..300 {
            let data: Vec<u8> = (0..len)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 17;
                    x ^= x << 5;
                    [0, b' ', b'1', b'7', b'9', x as u8][(x >> 8) as usize % 6]
                })
                .collect();
            let _ = decode_header(&data);
        }
    }
}
