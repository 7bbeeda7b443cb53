//! ZMODEM on the wire (the ZMODEM paper, chapter 7): ZDLE escaping, the three header forms (hex,
//! binary with CRC-16, binary with CRC-32), data subpackets and their frame ends, and a decoder
//! that finds all of them in a byte stream that may be damaged anywhere.

use super::{FrameType, Header};
use crate::transfer::crc::{Crc16, Crc32};

/// ZPAD, `*`: the padding that starts every header.
pub const ZPAD: u8 = b'*';
/// ZDLE (CAN, 0x18): the escape character.
pub const ZDLE: u8 = 0x18;
/// The escaped ZDLE (ZDLE ^ 0x40).
pub const ZDLEE: u8 = ZDLE ^ 0x40;
/// After ZPAD ZDLE: a binary header with CRC-16.
pub const ZBIN: u8 = b'A';
/// After ZPAD ZPAD ZDLE: a hex header (CRC-16).
pub const ZHEX: u8 = b'B';
/// After ZPAD ZDLE: a binary header with CRC-32.
pub const ZBIN32: u8 = b'C';
/// XON, which receivers ignore in the data stream when it is not escaped.
pub const XON: u8 = 0x11;
/// XOFF, ignored likewise.
pub const XOFF: u8 = 0x13;
/// DLE, escaped as some networks take it for a command.
pub const DLE: u8 = 0x10;
/// ZDLE then `l`: an octet 0x7F.
pub const ZRUB0: u8 = b'l';
/// ZDLE then `m`: an octet 0xFF.
pub const ZRUB1: u8 = b'm';
/// The most data octets a subpacket may carry here: 8192 ("8k", ZedZap) and no more.
pub const MAX_SUBPACKET: usize = 8192;

/// How a data subpacket ends: what follows it and whether the receiver answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrameEnd {
    /// ZCRCE (`h`): the frame ends, a header follows; no answer.
    Crce,
    /// ZCRCG (`i`): another subpacket follows; no answer (streaming).
    Crcg,
    /// ZCRCQ (`j`): another subpacket follows; the receiver answers ZACK.
    Crcq,
    /// ZCRCW (`k`): the frame ends; the receiver answers ZACK.
    Crcw,
}

impl FrameEnd {
    /// The character after ZDLE.
    pub fn code(self) -> u8 {
        match self {
            FrameEnd::Crce => b'h',
            FrameEnd::Crcg => b'i',
            FrameEnd::Crcq => b'j',
            FrameEnd::Crcw => b'k',
        }
    }

    fn from_code(c: u8) -> Option<FrameEnd> {
        Some(match c {
            b'h' => FrameEnd::Crce,
            b'i' => FrameEnd::Crcg,
            b'j' => FrameEnd::Crcq,
            b'k' => FrameEnd::Crcw,
            _ => return None,
        })
    }

    /// True if another subpacket follows.
    pub fn continues(self) -> bool {
        matches!(self, FrameEnd::Crcg | FrameEnd::Crcq)
    }

    /// True if the receiver answers with ZACK.
    pub fn wants_ack(self) -> bool {
        matches!(self, FrameEnd::Crcq | FrameEnd::Crcw)
    }
}

/// Which characters a sender escapes (7.2): ZDLE, DLE, XON, XOFF (each with or without bit 7) and
/// a CR after `@` always; every control character too with ESCCTL.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Escaper {
    /// Escape every control character (0x00-0x1F, 0x7F, with or without bit 7).
    pub all_control: bool,
    last: u8,
}

impl Escaper {
    /// Escaping as the far end asked: `all_control` for ESCCTL.
    pub fn new(all_control: bool) -> Escaper {
        Escaper { all_control, last: 0 }
    }

    /// Appends `b`, escaped if it must be.
    pub fn push(&mut self, out: &mut Vec<u8>, b: u8) {
        let low = b & 0x7F;
        let escape = match low {
            0x18 | 0x10 | 0x11 | 0x13 => true,
            0x0D => self.all_control || self.last & 0x7F == b'@',
            0x7F => self.all_control,
            _ => self.all_control && low < 0x20,
        };
        if !escape {
            out.push(b);
        } else if b == 0x7F {
            out.extend_from_slice(&[ZDLE, ZRUB0]);
        } else if b == 0xFF {
            out.extend_from_slice(&[ZDLE, ZRUB1]);
        } else {
            out.extend_from_slice(&[ZDLE, b ^ 0x40]);
        }
        self.last = b;
    }

    /// Appends each of `data`.
    pub fn extend(&mut self, out: &mut Vec<u8>, data: &[u8]) {
        for &b in data {
            self.push(out, b);
        }
    }
}

/// The form a header is sent in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeaderForm {
    /// Hex digits (what receivers send, and headers that must survive any line).
    Hex,
    /// Binary with CRC-16; data subpackets after it have CRC-16.
    Bin16,
    /// Binary with CRC-32; data subpackets after it have CRC-32.
    Bin32,
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// Appends `header` in `form`.
pub fn emit_header(out: &mut Vec<u8>, header: &Header, form: HeaderForm, esc: &mut Escaper) {
    let raw = header.octets();
    match form {
        HeaderForm::Hex => {
            out.extend_from_slice(&[ZPAD, ZPAD, ZDLE, ZHEX]);
            let crc = Crc16::of(&raw).to_be_bytes();
            for b in raw.iter().chain(crc.iter()) {
                out.push(HEX[(b >> 4) as usize]);
                out.push(HEX[(b & 15) as usize]);
            }
            // CR, then LF with bit 7 set, as the paper's examples; XON but after ZACK and ZFIN.
            out.extend_from_slice(&[0x0D, 0x8A]);
            if !matches!(header.kind, FrameType::Ack | FrameType::Fin) {
                out.push(XON);
            }
        }
        HeaderForm::Bin16 => {
            out.extend_from_slice(&[ZPAD, ZDLE, ZBIN]);
            esc.extend(out, &raw);
            esc.extend(out, &Crc16::of(&raw).to_be_bytes());
        }
        HeaderForm::Bin32 => {
            out.extend_from_slice(&[ZPAD, ZDLE, ZBIN32]);
            esc.extend(out, &raw);
            esc.extend(out, &Crc32::of(&raw).to_le_bytes());
        }
    }
}

/// Appends a data subpacket: `data` escaped, ZDLE and the frame end, and the CRC (over the data
/// and the frame end character) of the header form that went before.
pub fn emit_subpacket(out: &mut Vec<u8>, data: &[u8], end: FrameEnd, crc32: bool, esc: &mut Escaper) {
    esc.extend(out, data);
    out.extend_from_slice(&[ZDLE, end.code()]);
    if crc32 {
        let crc = Crc32::new().update(data).update(&[end.code()]).value();
        esc.extend(out, &crc.to_le_bytes());
    } else {
        let crc = Crc16::new().update(data).update(&[end.code()]).0;
        esc.extend(out, &crc.to_be_bytes());
    }
    if end == FrameEnd::Crcw {
        // The paper sends XON after a ZCRCW subpacket, to release a sender held by a stray XOFF.
        out.push(XON);
    }
}

/// What the decoder found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    /// A header with a good CRC, and its form.
    Header(Header, HeaderForm),
    /// A header that failed its CRC or had a bad character.
    BadHeader,
    /// A data subpacket with a good CRC; its octets are in [`Decoder::data`].
    Data(FrameEnd),
    /// A data subpacket that failed its CRC, was too long, or held a bad escape.
    BadData,
    /// Five CANs in a row: the far end aborts.
    Cancel,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Looking for ZPAD.
    Seek,
    /// Seen ZPAD(s), waiting for ZDLE.
    Pad,
    /// Seen ZPAD ZDLE, waiting for the form.
    PadDle,
    /// Inside a header: octets still to come (escaped for binary forms).
    Header { form: HeaderForm, len: u8, escaped: bool },
    /// After a hex header that data follows: its CR and LF, then the data.
    HexEnd,
    /// Inside a data subpacket.
    Data { escaped: bool },
    /// The subpacket's CRC after its frame end.
    Crc { end: FrameEnd, len: u8, escaped: bool },
}

/// Finds headers and data subpackets in the octets from the far end, whatever else is there.
///
/// After a header of a type that carries data (ZFILE, ZDATA, ZSINIT, ZCOMMAND) the decoder reads
/// data subpackets until one ends with ZCRCE or ZCRCW; their CRC is the one of the header's form.
/// Memory is fixed: one subpacket of at most [`MAX_SUBPACKET`] octets.
#[derive(Debug, Clone)]
pub struct Decoder {
    state: State,
    raw: [u8; 18],
    len: usize,
    data: Vec<u8>,
    crc32: bool,
    cans: u8,
    hex_high: Option<u8>,
    /// The last subpacket's octets are still to be read by the caller: clear them before the next.
    taken: bool,
}

impl Default for Decoder {
    fn default() -> Self {
        Decoder::new()
    }
}

impl Decoder {
    /// A decoder looking for a header.
    pub fn new() -> Decoder {
        Decoder {
            state: State::Seek,
            raw: [0; 18],
            len: 0,
            data: Vec::with_capacity(MAX_SUBPACKET),
            crc32: false,
            cans: 0,
            hex_high: None,
            taken: false,
        }
    }

    /// The octets of the last good data subpacket.
    pub fn data(&self) -> &[u8] {
        &self.data
    }

    /// True while inside a data subpacket or between subpackets of one frame.
    pub fn in_data(&self) -> bool {
        matches!(self.state, State::HexEnd | State::Data { .. } | State::Crc { .. })
    }

    /// Stop reading data subpackets and look for the next header.
    pub fn resync(&mut self) {
        self.state = State::Seek;
        self.data.clear();
    }

    /// Takes one octet; returns what it completed.
    pub fn push(&mut self, b: u8) -> Option<Event> {
        if b == ZDLE {
            self.cans += 1;
            if self.cans >= 5 {
                self.cans = 0;
                self.resync();
                return Some(Event::Cancel);
            }
        } else {
            self.cans = 0;
        }
        match self.state {
            State::Seek => {
                if b & 0x7F == ZPAD {
                    self.state = State::Pad;
                }
                None
            }
            State::Pad => {
                self.state = match b {
                    ZDLE => State::PadDle,
                    b if b & 0x7F == ZPAD => State::Pad,
                    _ => State::Seek,
                };
                None
            }
            State::PadDle => {
                let (form, len) = match b & 0x7F {
                    ZBIN => (HeaderForm::Bin16, 7),
                    ZHEX => (HeaderForm::Hex, 14),
                    ZBIN32 => (HeaderForm::Bin32, 9),
                    _ => {
                        self.state = State::Seek;
                        return Some(Event::BadHeader);
                    }
                };
                self.len = 0;
                self.hex_high = None;
                self.state = State::Header { form, len, escaped: false };
                None
            }
            State::Header { form, len, escaped } => self.header_octet(b, form, len, escaped),
            State::HexEnd => match b & 0x7F {
                0x0D => None,
                0x0A => {
                    self.state = State::Data { escaped: false };
                    None
                }
                _ => self.data_octet(b, false),
            },
            State::Data { escaped } => self.data_octet(b, escaped),
            State::Crc { end, len, escaped } => self.crc_octet(b, end, len, escaped),
        }
    }

    /// Unescapes `b` (after ZDLE when `escaped`): `Ok(Some(octet))`, `Ok(None)` for ZDLE itself
    /// (the next octet is escaped) or an ignored XON/XOFF, `Err(code)` for ZDLE then a frame end.
    fn unescape(b: u8, escaped: bool) -> Result<Option<u8>, u8> {
        if escaped {
            match b {
                ZRUB0 => Ok(Some(0x7F)),
                ZRUB1 => Ok(Some(0xFF)),
                b'h'..=b'k' => Err(b),
                _ if b & 0x60 == 0x40 => Ok(Some(b ^ 0x40)),
                _ => Err(0),
            }
        } else {
            match b {
                ZDLE => Ok(None),
                XON | XOFF | 0x91 | 0x93 => Ok(None),
                _ => Ok(Some(b)),
            }
        }
    }

    fn header_octet(&mut self, b: u8, form: HeaderForm, len: u8, escaped: bool) -> Option<Event> {
        let octet = if form == HeaderForm::Hex {
            let v = match b & 0x7F {
                c @ b'0'..=b'9' => c - b'0',
                c @ b'a'..=b'f' => c - b'a' + 10,
                _ => {
                    self.state = State::Seek;
                    return Some(Event::BadHeader);
                }
            };
            match self.hex_high.take() {
                None => {
                    self.hex_high = Some(v);
                    return None;
                }
                Some(h) => (h << 4) | v,
            }
        } else {
            match Self::unescape(b, escaped) {
                Ok(Some(o)) => o,
                Ok(None) => {
                    if b == ZDLE {
                        self.state = State::Header { form, len, escaped: true };
                    }
                    return None;
                }
                Err(_) => {
                    self.state = State::Seek;
                    return Some(Event::BadHeader);
                }
            }
        };
        self.raw[self.len] = octet;
        self.len += 1;
        let want = if form == HeaderForm::Hex { 7 } else { len as usize };
        if self.len < want {
            self.state = State::Header { form, len, escaped: false };
            return None;
        }
        self.state = State::Seek;
        let raw = &self.raw[..5];
        let good = match form {
            HeaderForm::Hex | HeaderForm::Bin16 => Crc16::of(&self.raw[..7]) == 0,
            HeaderForm::Bin32 => Crc32::of(raw).to_le_bytes() == self.raw[5..9],
        };
        if !good {
            return Some(Event::BadHeader);
        }
        let header = Header::from_octets([raw[0], raw[1], raw[2], raw[3], raw[4]]);
        if header.kind.carries_data() {
            self.crc32 = form == HeaderForm::Bin32;
            self.data.clear();
            self.taken = false;
            self.state = if form == HeaderForm::Hex { State::HexEnd } else { State::Data { escaped: false } };
        }
        Some(Event::Header(header, form))
    }

    fn data_octet(&mut self, b: u8, escaped: bool) -> Option<Event> {
        if self.taken {
            self.taken = false;
            self.data.clear();
        }
        match Self::unescape(b, escaped) {
            Ok(Some(o)) => {
                if self.data.len() >= MAX_SUBPACKET {
                    self.resync();
                    return Some(Event::BadData);
                }
                self.data.push(o);
                self.state = State::Data { escaped: false };
                None
            }
            Ok(None) => {
                if b == ZDLE && !escaped {
                    self.state = State::Data { escaped: true };
                }
                None
            }
            Err(code) => match FrameEnd::from_code(code) {
                Some(end) => {
                    self.len = 0;
                    self.state = State::Crc { end, len: if self.crc32 { 4 } else { 2 }, escaped: false };
                    None
                }
                None => {
                    self.resync();
                    Some(Event::BadData)
                }
            },
        }
    }

    fn crc_octet(&mut self, b: u8, end: FrameEnd, len: u8, escaped: bool) -> Option<Event> {
        let octet = match Self::unescape(b, escaped) {
            Ok(Some(o)) => o,
            Ok(None) => {
                if b == ZDLE && !escaped {
                    self.state = State::Crc { end, len, escaped: true };
                }
                return None;
            }
            Err(_) => {
                self.resync();
                return Some(Event::BadData);
            }
        };
        self.raw[self.len] = octet;
        self.len += 1;
        if self.len < len as usize {
            self.state = State::Crc { end, len, escaped: false };
            return None;
        }
        let good = if self.crc32 {
            Crc32::new().update(&self.data).update(&[end.code()]).value().to_le_bytes() == self.raw[..4]
        } else {
            Crc16::new().update(&self.data).update(&[end.code()]).update(&self.raw[..2]).0 == 0
        };
        if !good {
            self.resync();
            return Some(Event::BadData);
        }
        self.state = if end.continues() { State::Data { escaped: false } } else { State::Seek };
        self.taken = true;
        Some(Event::Data(end))
    }
}
