//! The packets PPP's control protocols exchange, taken apart and put together (smoltcp's `wire`
//! style: a parse that checks every length, an emit that writes exactly what parse reads).
//!
//! LCP, IPCP, PAP and CHAP all carry one packet in a frame's Information field (RFC 1661 5):
//! Code (1 octet), Identifier (1), Length (2, the whole packet), Data. Octets past Length are
//! padding and are ignored. Configure packets carry options (RFC 1661 6): Type (1), Length (2 +
//! the value's), the value.

/// Protocol numbers (RFC 1661 2, RFC 1700's assignments).
pub mod protocol {
    /// Internet Protocol version 4.
    pub const IPV4: u16 = 0x0021;
    /// Link Control Protocol.
    pub const LCP: u16 = 0xC021;
    /// Password Authentication Protocol (RFC 1334).
    pub const PAP: u16 = 0xC023;
    /// Challenge Handshake Authentication Protocol (RFC 1994).
    pub const CHAP: u16 = 0xC223;
    /// IP Control Protocol (RFC 1332).
    pub const IPCP: u16 = 0x8021;
}

/// The codes LCP and the NCPs share (RFC 1661 5), and LCP's own.
pub mod code {
    /// Configure-Request.
    pub const CONFIGURE_REQUEST: u8 = 1;
    /// Configure-Ack.
    pub const CONFIGURE_ACK: u8 = 2;
    /// Configure-Nak.
    pub const CONFIGURE_NAK: u8 = 3;
    /// Configure-Reject.
    pub const CONFIGURE_REJECT: u8 = 4;
    /// Terminate-Request.
    pub const TERMINATE_REQUEST: u8 = 5;
    /// Terminate-Ack.
    pub const TERMINATE_ACK: u8 = 6;
    /// Code-Reject.
    pub const CODE_REJECT: u8 = 7;
    /// Protocol-Reject (LCP only).
    pub const PROTOCOL_REJECT: u8 = 8;
    /// Echo-Request (LCP only).
    pub const ECHO_REQUEST: u8 = 9;
    /// Echo-Reply (LCP only).
    pub const ECHO_REPLY: u8 = 10;
    /// Discard-Request (LCP only).
    pub const DISCARD_REQUEST: u8 = 11;
}

/// Why a packet or an option list could not be taken apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WireError {
    /// Shorter than its header.
    Truncated,
    /// Its Length field is below the header's size or past the octets there are.
    BadLength,
}

impl core::fmt::Display for WireError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            WireError::Truncated => "packet shorter than its header",
            WireError::BadLength => "length field does not match the packet",
        })
    }
}

/// A control packet: Code, Identifier and the Data its Length covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Packet<'a> {
    /// What the packet is.
    pub code: u8,
    /// Matches replies to requests.
    pub identifier: u8,
    /// The Data field (options, magic number, message ...), padding removed.
    pub data: &'a [u8],
}

impl<'a> Packet<'a> {
    /// The header's size.
    pub const HEADER: usize = 4;

    /// Takes a packet out of a frame's Information field.
    pub fn parse(info: &'a [u8]) -> Result<Packet<'a>, WireError> {
        if info.len() < Self::HEADER {
            return Err(WireError::Truncated);
        }
        let len = u16::from_be_bytes([info[2], info[3]]) as usize;
        if len < Self::HEADER || len > info.len() {
            return Err(WireError::BadLength);
        }
        Ok(Packet { code: info[0], identifier: info[1], data: &info[Self::HEADER..len] })
    }

    /// The packet's whole length.
    pub fn len(&self) -> usize {
        Self::HEADER + self.data.len()
    }

    /// A packet always has its header, so is never empty.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// Appends the packet to `out`.
    pub fn emit(&self, out: &mut Vec<u8>) {
        emit_header(self.code, self.identifier, self.data.len(), out);
        out.extend_from_slice(self.data);
    }
}

/// Appends a packet header for `data_len` octets of Data that the caller appends next.
pub fn emit_header(code: u8, identifier: u8, data_len: usize, out: &mut Vec<u8>) {
    let len = (Packet::HEADER + data_len).min(u16::MAX as usize) as u16;
    out.extend_from_slice(&[code, identifier]);
    out.extend_from_slice(&len.to_be_bytes());
}

/// One configuration option: its Type and value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Opt<'a> {
    /// The option's Type.
    pub kind: u8,
    /// Its value (Length - 2 octets).
    pub value: &'a [u8],
}

impl<'a> Opt<'a> {
    /// The option as it goes on the wire: Type, Length, value.
    pub fn emit(&self, out: &mut Vec<u8>) {
        out.push(self.kind);
        out.push((self.value.len() + 2).min(255) as u8);
        out.extend_from_slice(&self.value[..self.value.len().min(253)]);
    }

    /// The whole option's length on the wire.
    pub fn wire_len(&self) -> usize {
        self.value.len() + 2
    }

    /// The value as a big-endian u16, when it is two octets long.
    pub fn u16(&self) -> Option<u16> {
        <[u8; 2]>::try_from(self.value).ok().map(u16::from_be_bytes)
    }

    /// The value as a big-endian u32, when it is four octets long.
    pub fn u32(&self) -> Option<u32> {
        <[u8; 4]>::try_from(self.value).ok().map(u32::from_be_bytes)
    }
}

/// The options of a Configure packet, one by one; an option whose Length is below 2 or runs past
/// the packet ends the walk with an error (RFC 1661 says such a packet is silently discarded, so
/// the caller checks [`options_valid`] first).
#[derive(Debug, Clone)]
pub struct Options<'a> {
    rest: &'a [u8],
}

impl<'a> Options<'a> {
    /// Walks `data`, a Configure packet's Data field.
    pub fn new(data: &'a [u8]) -> Options<'a> {
        Options { rest: data }
    }
}

impl<'a> Iterator for Options<'a> {
    type Item = Result<Opt<'a>, WireError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.rest.is_empty() {
            return None;
        }
        if self.rest.len() < 2 {
            self.rest = &[];
            return Some(Err(WireError::Truncated));
        }
        let len = self.rest[1] as usize;
        if len < 2 || len > self.rest.len() {
            self.rest = &[];
            return Some(Err(WireError::BadLength));
        }
        let opt = Opt { kind: self.rest[0], value: &self.rest[2..len] };
        self.rest = &self.rest[len..];
        Some(Ok(opt))
    }
}

/// Whether every option in `data` is well formed.
pub fn options_valid(data: &[u8]) -> bool {
    Options::new(data).all(|o| o.is_ok())
}

/// Options laid end to end, for tests.
#[cfg(test)]
pub(crate) fn options(list: &[(u8, &[u8])]) -> Vec<u8> {
    let mut out = Vec::new();
    for (k, v) in list {
        Opt { kind: *k, value: v }.emit(&mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packets_parse_and_emit_alike() {
        // An LCP Configure-Request with MRU 1500 and magic 0x01020304, then padding.
        let info = [1, 7, 0, 14, 1, 4, 0x05, 0xDC, 5, 6, 1, 2, 3, 4, 0, 0];
        let p = Packet::parse(&info).unwrap();
        assert_eq!((p.code, p.identifier, p.len()), (1, 7, 14));
        let mut out = Vec::new();
        p.emit(&mut out);
        assert_eq!(out, &info[..14]);
        let opts: Vec<_> = Options::new(p.data).map(Result::unwrap).collect();
        assert_eq!(opts[0].u16(), Some(1500));
        assert_eq!(opts[1].u32(), Some(0x01020304));
        let mut again = Vec::new();
        opts.iter().for_each(|o| o.emit(&mut again));
        assert_eq!(again, p.data);
    }

    #[test]
    fn bad_lengths_are_errors() {
        assert_eq!(Packet::parse(&[1, 1, 0]), Err(WireError::Truncated));
        assert_eq!(Packet::parse(&[1, 1, 0, 3]), Err(WireError::BadLength));
        assert_eq!(Packet::parse(&[1, 1, 0, 9, 0]), Err(WireError::BadLength));
        assert!(!options_valid(&[1, 1]));
        assert!(!options_valid(&[1, 4, 0]));
        assert!(!options_valid(&[1]));
        assert!(options_valid(&[7, 2, 8, 2]));
        assert!(options_valid(&[]));
    }
}
