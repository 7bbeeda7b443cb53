//! PPP in HDLC-like framing (RFC 1662), the octet-stuffed form for asynchronous links.
//!
//! - A frame on the line: Flag (0x7E), Address (0xFF), Control (0x03), the Protocol field, the
//!   Information field, the FCS-16 (low octet first), Flag; one flag may close a frame and open
//!   the next (4.3).
//! - Transparency (4.2): 0x7E and 0x7D (the Control Escape), and each octet below 0x20 that the
//!   async control character map (ACCM) flags, are sent as 0x7D and the octet with bit 5
//!   inverted. Until LCP agrees another map, every control character is escaped (all ones).
//! - The receiver removes the octets below 0x20 its own ACCM flags before anything else (they may
//!   come from equipment on the way, XON/XOFF say), undoes the escapes, checks the FCS, and drops
//!   frames that fail it, are too short or too long, or end in 0x7D 0x7E (an abort), counting each.
//! - Address-and-Control-Field Compression (ACFC) and Protocol-Field Compression (PFC), RFC 1661
//!   6.5 and 6.6, are taken on receipt whenever they appear ([`Frame::parse`]); the sender leaves
//!   them out only when told.
//!
//! Storage is made once: a decoder holds one frame of at most its MRU plus the header and FCS.

// RFC 1662's FCS-16 is HDLC's (appendix C: reflected 0x8408, preset all ones, complemented).
use crate::hdlc::fcs::{fcs16_update as fcs16, FCS16_GOOD, FCS16_INIT};

/// The flag that opens and closes frames.
pub const FLAG: u8 = 0x7E;
/// The Control Escape.
pub const ESCAPE: u8 = 0x7D;
/// The All-Stations address.
pub const ADDRESS: u8 = 0xFF;
/// Unnumbered Information, the only control value PPP uses.
pub const CONTROL: u8 = 0x03;
/// The default Maximum-Receive-Unit (RFC 1661 6.1).
pub const DEFAULT_MRU: usize = 1500;
/// The ACCM before LCP has agreed one: every control character escaped.
pub const ACCM_ALL: u32 = 0xFFFF_FFFF;

/// A frame's fields once its FCS has been checked and removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Frame<'a> {
    /// The Protocol field (0xC021 LCP, 0x8021 IPCP, 0x0021 IPv4, ...).
    pub protocol: u16,
    /// The Information field (and any padding).
    pub info: &'a [u8],
}

/// Why a frame's content could not be taken apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrameError {
    /// Too short for a Protocol field.
    Short,
    /// The Protocol field is not a valid one (its first octet odd or its last even: RFC 1661 2).
    BadProtocol,
}

impl<'a> Frame<'a> {
    /// Takes a frame's content apart (Address and Control present or compressed away, the
    /// Protocol field in two octets or, compressed, one).
    pub fn parse(mut content: &'a [u8]) -> Result<Frame<'a>, FrameError> {
        if content.len() >= 2 && content[0] == ADDRESS && content[1] == CONTROL {
            content = &content[2..];
        }
        let first = *content.first().ok_or(FrameError::Short)?;
        if first & 1 == 1 {
            // PFC: one octet, odd.
            return Ok(Frame { protocol: first as u16, info: &content[1..] });
        }
        let second = *content.get(1).ok_or(FrameError::Short)?;
        if second & 1 == 0 {
            return Err(FrameError::BadProtocol);
        }
        Ok(Frame { protocol: u16::from_be_bytes([first, second]), info: &content[2..] })
    }
}

/// How a sender frames: its ACCM and the compressions agreed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Encoder {
    /// Control characters to escape (bit n for octet n).
    pub accm: u32,
    /// Leave out Address and Control (not for LCP, RFC 1661 6.6).
    pub acfc: bool,
    /// Send protocols below 0x100 in one octet (not for LCP).
    pub pfc: bool,
}

impl Default for Encoder {
    fn default() -> Self {
        Encoder { accm: ACCM_ALL, acfc: false, pfc: false }
    }
}

impl Encoder {
    fn escapes(&self, b: u8) -> bool {
        b == FLAG || b == ESCAPE || (b < 0x20 && self.accm & (1 << b) != 0)
    }

    fn put(&self, out: &mut Vec<u8>, b: u8) {
        if self.escapes(b) {
            out.extend_from_slice(&[ESCAPE, b ^ 0x20]);
        } else {
            out.push(b);
        }
    }

    /// Appends a whole frame of `protocol` carrying `info`, flags at both ends. LCP frames
    /// (0xC021) always go with every control character escaped and no compression, as RFC 1661
    /// and 1662 ask.
    pub fn frame(&self, protocol: u16, info: &[u8], out: &mut Vec<u8>) {
        let lcp = protocol == 0xC021;
        let enc = if lcp { Encoder::default() } else { *self };
        let mut head = [0u8; 4];
        let mut n = 0;
        if !enc.acfc {
            head[..2].copy_from_slice(&[ADDRESS, CONTROL]);
            n = 2;
        }
        // 0x00FF is never compressed: after a compressed Address and Control its one octet would
        // read as an Address field (0xFF) to a receiver taking both forms.
        if enc.pfc && protocol < 0xFF && protocol & 1 == 1 {
            head[n] = protocol as u8;
            n += 1;
        } else {
            head[n..n + 2].copy_from_slice(&protocol.to_be_bytes());
            n += 2;
        }
        let fcs = !fcs16(fcs16(FCS16_INIT, &head[..n]), info);
        out.push(FLAG);
        for &b in head[..n].iter().chain(info).chain(&fcs.to_le_bytes()) {
            enc.put(out, b);
        }
        out.push(FLAG);
    }
}

/// What the decoder found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    /// A frame with a good FCS: its content (FCS removed) is in [`Decoder::content`].
    Frame,
    /// A frame dropped: the reason.
    Dropped(Drop),
}

/// Why a frame was dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Drop {
    /// Its FCS was wrong.
    Fcs,
    /// Shorter than a protocol field and the FCS.
    Short,
    /// Longer than the MRU allows.
    Long,
    /// Ended by 0x7D 0x7E (RFC 1662 4.4.1).
    Aborted,
}

/// The counts of a decoder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Stats {
    /// Good frames.
    pub frames: u64,
    /// Frames dropped for their FCS.
    pub bad_fcs: u64,
    /// Frames dropped as too short, too long or aborted.
    pub malformed: u64,
}

/// Finds frames in the octets from the line.
#[derive(Debug, Clone)]
pub struct Decoder {
    /// Control characters the far end may have had inserted on the way, removed on receipt.
    pub accm: u32,
    buf: Vec<u8>,
    max: usize,
    escaped: bool,
    too_long: bool,
    /// Octets since the last flag (a frame is open).
    open: bool,
    stats: Stats,
}

impl Decoder {
    /// A decoder for frames of at most `mru` octets of information.
    pub fn new(mru: usize) -> Decoder {
        // Address, control, protocol (4) and the FCS (2) besides the information.
        let max = mru + 6;
        Decoder {
            accm: ACCM_ALL,
            buf: Vec::with_capacity(max),
            max,
            escaped: false,
            too_long: false,
            open: false,
            stats: Stats::default(),
        }
    }

    /// The content of the last good frame (Address through Information, FCS removed).
    pub fn content(&self) -> &[u8] {
        &self.buf[..self.buf.len().saturating_sub(2)]
    }

    /// The counts so far.
    pub fn stats(&self) -> Stats {
        self.stats
    }

    /// Takes one octet; says when it ended a frame.
    pub fn push(&mut self, b: u8) -> Option<Event> {
        if b == FLAG {
            let was_escaped = std::mem::replace(&mut self.escaped, false);
            let open = std::mem::replace(&mut self.open, false);
            if !open {
                // Back-to-back flags, or the first: the last frame's content stays readable.
                return None;
            }
            let event = if was_escaped {
                Drop::Aborted
            } else if self.too_long {
                Drop::Long
            } else if self.buf.len() < 3 {
                Drop::Short
            } else if fcs16(FCS16_INIT, &self.buf) != FCS16_GOOD {
                Drop::Fcs
            } else {
                self.stats.frames += 1;
                return Some(Event::Frame);
            };
            if event == Drop::Fcs {
                self.stats.bad_fcs += 1;
            } else {
                self.stats.malformed += 1;
            }
            self.buf.clear();
            return Some(Event::Dropped(event));
        }
        if !self.open {
            self.open = true;
            self.buf.clear();
            self.too_long = false;
        }
        if b < 0x20 && self.accm & (1 << b) != 0 {
            return None;
        }
        if b == ESCAPE {
            self.escaped = true;
            return None;
        }
        let octet = if std::mem::replace(&mut self.escaped, false) { b ^ 0x20 } else { b };
        if self.buf.len() < self.max {
            self.buf.push(octet);
        } else {
            self.too_long = true;
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode_all(d: &mut Decoder, line: &[u8]) -> Vec<Result<(u16, Vec<u8>), Drop>> {
        let mut out = Vec::new();
        for &b in line {
            match d.push(b) {
                Some(Event::Frame) => {
                    let f = Frame::parse(d.content()).unwrap();
                    out.push(Ok((f.protocol, f.info.to_vec())));
                }
                Some(Event::Dropped(why)) => out.push(Err(why)),
                None => {}
            }
        }
        out
    }

    #[test]
    fn fcs_matches_rfc_1662() {
        // Appendix C: the good FCS remainder, and a frame followed by its complemented FCS (low
        // octet first) leaves it.
        let data = [0xFF, 0x03, 0xC0, 0x21, 0x01, 0x01, 0x00, 0x04];
        let fcs = !fcs16(FCS16_INIT, &data);
        let mut all = data.to_vec();
        all.extend_from_slice(&fcs.to_le_bytes());
        assert_eq!(fcs16(FCS16_INIT, &all), FCS16_GOOD);
        assert_eq!(FCS16_GOOD, 0xF0B8);
    }

    #[test]
    fn lcp_goes_out_fully_escaped_and_comes_back() {
        let mut out = Vec::new();
        let e = Encoder { accm: 0, acfc: true, pfc: true };
        // An LCP Configure-Request with a 0x7E, a 0x7D and control characters in it.
        let info = [0x01, 0x01, 0x00, 0x0A, 0x02, 0x06, 0x00, 0x7E, 0x7D, 0x11];
        e.frame(0xC021, &info, &mut out);
        assert_eq!(&out[..3], &[FLAG, ADDRESS, ESCAPE], "LCP keeps Address and Control, escapes 0x03");
        assert!(out[1..out.len() - 1].iter().all(|&b| b >= 0x20 && b != FLAG), "{out:02x?}");
        let mut d = Decoder::new(DEFAULT_MRU);
        assert_eq!(decode_all(&mut d, &out), vec![Ok((0xC021, info.to_vec()))]);
    }

    #[test]
    fn compressed_frames_and_the_agreed_map() {
        let e = Encoder { accm: 0x000A_0000, acfc: true, pfc: true };
        let info: Vec<u8> = (0..=255).collect();
        let mut out = Vec::new();
        e.frame(0x0021, &info, &mut out);
        // IPv4 with PFC and ACFC: one protocol octet; only 0x11, 0x13, 0x7D and 0x7E escaped.
        assert_eq!(out[1], 0x21);
        let escaped = out.windows(2).filter(|w| w[0] == ESCAPE).count();
        assert_eq!(escaped, 4);
        let mut d = Decoder::new(DEFAULT_MRU);
        d.accm = 0;
        assert_eq!(decode_all(&mut d, &out), vec![Ok((0x0021, info))]);
    }

    #[test]
    fn damage_is_dropped_and_counted() {
        let e = Encoder::default();
        let mut good = Vec::new();
        e.frame(0x8021, b"ipcp", &mut good);
        let mut bad = good.clone();
        bad[5] ^= 0x40;
        let mut abort = good.clone();
        let n = abort.len();
        abort[n - 2] = ESCAPE;
        let mut d = Decoder::new(8);
        let mut long = Vec::new();
        e.frame(0x0021, &[0x41; 20], &mut long);
        let line = [&good[..], &bad, &abort, &[FLAG, 0x41, FLAG], &long, &good].concat();
        let got = decode_all(&mut d, &line);
        assert_eq!(
            got,
            vec![
                Ok((0x8021, b"ipcp".to_vec())),
                Err(Drop::Fcs),
                Err(Drop::Aborted),
                Err(Drop::Short),
                Err(Drop::Long),
                Ok((0x8021, b"ipcp".to_vec()))
            ]
        );
        assert_eq!(d.stats(), Stats { frames: 2, bad_fcs: 1, malformed: 3 });
    }

    #[test]
    fn control_characters_inserted_on_the_way_are_removed() {
        let mut out = Vec::new();
        Encoder::default().frame(0xC021, &[1, 2, 0, 4], &mut out);
        let mut noisy = Vec::new();
        for &b in &out {
            noisy.push(b);
            noisy.push(0x11); // XON from a flow-controlling modem
        }
        let mut d = Decoder::new(DEFAULT_MRU);
        assert_eq!(decode_all(&mut d, &noisy), vec![Ok((0xC021, vec![1, 2, 0, 4]))]);
    }

    #[test]
    fn protocol_fields_are_checked() {
        assert_eq!(Frame::parse(&[0xFF, 0x03, 0xC0, 0x21, 9]), Ok(Frame { protocol: 0xC021, info: &[9] }));
        assert_eq!(Frame::parse(&[0x21, 0x45]), Ok(Frame { protocol: 0x21, info: &[0x45] }));
        assert_eq!(Frame::parse(&[0xC0, 0x20]), Err(FrameError::BadProtocol));
        assert_eq!(Frame::parse(&[0xFF, 0x03]), Err(FrameError::Short));
    }
}
