//! The XID information field (V.42 8.10 and Table 11, after ISO/IEC 8885): the parameters the two
//! error control functions negotiate, and V.42bis's (V.42bis 9.1) in a group of its own.
//!
//! The field: a format identifier (0x82), then groups, each a group identifier, a two-octet group
//! length (most significant octet first) and parameters; each parameter a parameter identifier, a
//! one-octet length and its value (most significant octet first). The parameter negotiation group
//! (0x80) holds the HDLC optional functions (3), N401 transmit and receive in bits (5, 6) and k
//! transmit and receive (7, 8); the user data group (0xF0) holds V.42bis's: the parameter set
//! identifier "V42" (0), P0 (1), P1 (2), P2 (3). A parser skips what it does not know by its length
//! and rejects a field whose lengths do not add up.

/// The format identifier of a general-purpose XID field.
pub const FORMAT_ID: u8 = 0x82;
/// The group identifier of the parameter negotiation group.
pub const GROUP_PARAMETERS: u8 = 0x80;
/// The group identifier of the user data group (V.42bis's parameters).
pub const GROUP_USER: u8 = 0xF0;

const PI_OPTIONAL: u8 = 3;
const PI_TX_N401: u8 = 5;
const PI_RX_N401: u8 = 6;
const PI_TX_K: u8 = 7;
const PI_RX_K: u8 = 8;
const PI_V42BIS_SET: u8 = 0;
const PI_V42BIS_P0: u8 = 1;
const PI_V42BIS_P1: u8 = 2;
const PI_V42BIS_P2: u8 = 3;

/// The HDLC optional functions (ISO/IEC 8885's bit map, bit 1 the first octet's least
/// significant bit), the ones V.42 names.
pub mod optional {
    /// Reject.
    pub const REJ: u32 = 1 << 1;
    /// Selective reject.
    pub const SREJ: u32 = 1 << 2;
    /// Unnumbered information (required by LAPM: break).
    pub const UI: u32 = 1 << 3;
    /// Extended addresses (bit 8; spandsp 0.0.6 and slmodemd set it, so this end does too).
    pub const EXTENDED_ADDRESS: u32 = 1 << 7;
    /// Bit 9, which both peers measured set (ISO/IEC 8885's meaning not checked here).
    pub const BIT9: u32 = 1 << 8;
    /// Extended (modulo 128) sequence numbers, required.
    pub const MODULO_128: u32 = 1 << 11;
    /// The TEST command and response (loop-back test).
    pub const TEST: u32 = 1 << 13;
    /// The 16-bit FCS, required.
    pub const FCS16: u32 = 1 << 15;
    /// The 32-bit FCS.
    pub const FCS32: u32 = 1 << 16;
    /// Synchronous transmission, required.
    pub const SYNCHRONOUS: u32 = 1 << 17;
    /// The functions every LAPM entity has.
    pub const REQUIRED: u32 = REJ | UI | EXTENDED_ADDRESS | BIT9 | MODULO_128 | FCS16;
    /// What this end offers and accepts: the set spandsp 0.0.6 and slmodemd both send (0x8A 0x89).
    pub const OFFERED: u32 = REQUIRED;
}

/// V.42bis's negotiated parameters (V.42bis 9.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct V42bisParams {
    /// P0: 0 neither direction, 1 initiator to responder, 2 responder to initiator, 3 both.
    pub p0: u8,
    /// P1: the number of codewords (N2), 512 to 65535.
    pub p1: u16,
    /// P2: the longest string (N7), 6 to 250.
    pub p2: u8,
}

/// The parameters an XID frame carries; `None` for one not present (its default applies).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Xid {
    /// The HDLC optional functions ([`optional`]).
    pub optional: Option<u32>,
    /// N401 the sender transmits, in octets.
    pub tx_n401: Option<u16>,
    /// N401 the sender receives, in octets.
    pub rx_n401: Option<u16>,
    /// k the sender transmits.
    pub tx_k: Option<u8>,
    /// k the sender receives.
    pub rx_k: Option<u8>,
    /// V.42bis, if offered or agreed.
    pub v42bis: Option<V42bisParams>,
}

/// Why an XID information field could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum XidError {
    /// Not the general-purpose format.
    Format,
    /// A group or parameter runs past its end.
    Length,
}

/// The largest N401 a two-octet length in bits can say, in octets.
const N401_OCTETS_MAX: u32 = u16::MAX as u32 / 8;

fn be(v: &[u8]) -> u32 {
    v.iter().take(4).fold(0u32, |a, &b| (a << 8) | b as u32)
}

impl Xid {
    /// Parses an XID information field.
    pub fn parse(info: &[u8]) -> Result<Xid, XidError> {
        let mut x = Xid::default();
        let (&fi, mut rest) = info.split_first().ok_or(XidError::Format)?;
        if fi != FORMAT_ID {
            return Err(XidError::Format);
        }
        while !rest.is_empty() {
            if rest.len() < 3 {
                return Err(XidError::Length);
            }
            let gi = rest[0];
            let gl = u16::from_be_bytes([rest[1], rest[2]]) as usize;
            let group = rest.get(3..3 + gl).ok_or(XidError::Length)?;
            rest = &rest[3 + gl..];
            let mut p = group;
            let mut set_ok = true;
            while !p.is_empty() {
                if p.len() < 2 {
                    return Err(XidError::Length);
                }
                let (pi, pl) = (p[0], p[1] as usize);
                let v = p.get(2..2 + pl).ok_or(XidError::Length)?;
                p = &p[2 + pl..];
                match (gi, pi) {
                    (GROUP_PARAMETERS, PI_OPTIONAL) => {
                        // Bit 1 is the first octet's least significant bit.
                        x.optional = Some(v.iter().take(4).enumerate().fold(0, |a, (i, &b)| a | (b as u32) << (8 * i)))
                    }
                    (GROUP_PARAMETERS, PI_TX_N401) => x.tx_n401 = Some((be(v) / 8).min(N401_OCTETS_MAX) as u16),
                    (GROUP_PARAMETERS, PI_RX_N401) => x.rx_n401 = Some((be(v) / 8).min(N401_OCTETS_MAX) as u16),
                    (GROUP_PARAMETERS, PI_TX_K) => x.tx_k = Some(be(v).min(127) as u8),
                    (GROUP_PARAMETERS, PI_RX_K) => x.rx_k = Some(be(v).min(127) as u8),
                    (GROUP_USER, PI_V42BIS_SET) => set_ok = v == b"V42",
                    (GROUP_USER, PI_V42BIS_P0) if set_ok => {
                        x.v42bis.get_or_insert(V42bisParams { p0: 0, p1: 512, p2: 6 }).p0 = be(v).min(3) as u8
                    }
                    (GROUP_USER, PI_V42BIS_P1) if set_ok => {
                        x.v42bis.get_or_insert(V42bisParams { p0: 0, p1: 512, p2: 6 }).p1 = be(v).min(65535) as u16
                    }
                    (GROUP_USER, PI_V42BIS_P2) if set_ok => {
                        x.v42bis.get_or_insert(V42bisParams { p0: 0, p1: 512, p2: 6 }).p2 = be(v).min(255) as u8
                    }
                    _ => {}
                }
            }
        }
        Ok(x)
    }

    /// Writes the information field into `out`; returns its length, or `None` if it does not
    /// fit (64 octets always do).
    pub fn emit(&self, out: &mut [u8]) -> Option<usize> {
        let mut w = Writer { out, at: 0 };
        w.put(&[FORMAT_ID])?;
        let g = w.open_group(GROUP_PARAMETERS)?;
        if let Some(o) = self.optional {
            // Three octets (bits 1 to 24) as slmodemd sends them; four when a bit above 24 is set.
            if o >> 24 == 0 {
                w.put(&[PI_OPTIONAL, 3, o as u8, (o >> 8) as u8, (o >> 16) as u8])?;
            } else {
                w.put(&[PI_OPTIONAL, 4, o as u8, (o >> 8) as u8, (o >> 16) as u8, (o >> 24) as u8])?;
            }
        }
        for (pi, v) in [(PI_TX_N401, self.tx_n401), (PI_RX_N401, self.rx_n401)] {
            if let Some(n) = v {
                let bits = (n as u32 * 8).min(u16::MAX as u32) as u16;
                w.put(&[pi, 2])?;
                w.put(&bits.to_be_bytes())?;
            }
        }
        for (pi, v) in [(PI_TX_K, self.tx_k), (PI_RX_K, self.rx_k)] {
            if let Some(k) = v {
                w.put(&[pi, 1, k])?;
            }
        }
        w.close_group(g);
        if let Some(b) = self.v42bis {
            let g = w.open_group(GROUP_USER)?;
            w.put(&[PI_V42BIS_SET, 3, b'V', b'4', b'2'])?;
            w.put(&[PI_V42BIS_P0, 1, b.p0])?;
            w.put(&[PI_V42BIS_P1, 2])?;
            w.put(&b.p1.to_be_bytes())?;
            w.put(&[PI_V42BIS_P2, 1, b.p2])?;
            w.close_group(g);
        }
        Some(w.at)
    }
}

struct Writer<'a> {
    out: &'a mut [u8],
    at: usize,
}

impl Writer<'_> {
    fn put(&mut self, b: &[u8]) -> Option<()> {
        self.out.get_mut(self.at..self.at + b.len())?.copy_from_slice(b);
        self.at += b.len();
        Some(())
    }

    /// Starts a group; returns where its length goes.
    fn open_group(&mut self, gi: u8) -> Option<usize> {
        self.put(&[gi, 0, 0])?;
        Some(self.at - 2)
    }

    fn close_group(&mut self, at: usize) {
        let len = (self.at - at - 2) as u16;
        self.out[at..at + 2].copy_from_slice(&len.to_be_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_unknown_parameters_skipped() {
        let x = Xid {
            optional: Some(optional::REQUIRED | optional::SREJ),
            tx_n401: Some(128),
            rx_n401: Some(256),
            tx_k: Some(15),
            rx_k: Some(7),
            v42bis: Some(V42bisParams { p0: 3, p1: 2048, p2: 32 }),
        };
        let mut buf = [0u8; 64];
        let n = x.emit(&mut buf).unwrap();
        assert_eq!(Xid::parse(&buf[..n]), Ok(x));
        // N401 goes in bits: 128 octets = 0x0400.
        assert_eq!(&buf[4..9], &[PI_OPTIONAL, 3, 0x8E, 0x89, 0x00]);
        assert_eq!(&buf[9..13], &[PI_TX_N401, 2, 0x04, 0x00]);
        // spandsp 0.0.6's XID command, as it sends it: parsed.
        let sp = [
            0x82, 0x80, 0x00, 0x14, 0x03, 0x04, 0x8a, 0x89, 0x00, 0x00, 0x05, 0x02, 0x04, 0x00, 0x06, 0x02, 0x04, 0x00,
            0x07, 0x01, 0x0f, 0x08, 0x01, 0x0f, 0xf0, 0x00, 0x0f, 0x00, 0x03, 0x56, 0x34, 0x32, 0x01, 0x01, 0x01, 0x02,
            0x02, 0x02, 0x00, 0x03, 0x01, 0x06,
        ];
        let sp_x = Xid::parse(&sp).unwrap();
        assert_eq!((sp_x.tx_n401, sp_x.rx_n401, sp_x.tx_k, sp_x.rx_k), (Some(128), Some(128), Some(15), Some(15)));
        assert_eq!(sp_x.v42bis, Some(V42bisParams { p0: 1, p1: 512, p2: 6 }));
        // An N401 longer than two octets can say in bits is taken as the most they can: what is
        // parsed survives its own emission (found by the lapm_frames fuzz target).
        let big = [FORMAT_ID, GROUP_PARAMETERS, 0, 6, PI_TX_N401, 4, 0x60, 0x04, 0x8a, 0x89];
        let x_big = Xid::parse(&big).unwrap();
        assert_eq!(x_big.tx_n401, Some(8191));
        let mut b2 = [0u8; 64];
        let m = x_big.emit(&mut b2).unwrap();
        assert_eq!(Xid::parse(&b2[..m]), Ok(x_big));
        // A parameter we do not know, inside the group, skipped by its length.
        let mut odd = buf[..n].to_vec();
        odd.splice(4..4, [0x42, 2, 0xAA, 0xBB]);
        odd[3] += 4;
        assert_eq!(Xid::parse(&odd), Ok(x));
        // Lengths that run past the end are an error, never a panic.
        for cut in 1..n {
            let _ = Xid::parse(&buf[..cut]);
        }
        assert_eq!(Xid::parse(&buf[..n - 1]), Err(XidError::Length));
        assert_eq!(Xid::parse(&[0x81]), Err(XidError::Format));
    }
}
