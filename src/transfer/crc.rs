//! The two CRCs the transfer protocols use.
//!
//! - CRC-16 as XMODEM-CRC, YMODEM and ZMODEM's 16-bit frames compute it: generator
//!   x^16 + x^12 + x^5 + 1 (0x1021), register preset to 0, bits taken most significant first,
//!   the result sent high octet first. A block followed by its CRC leaves 0.
//! - CRC-32 as ZMODEM's 32-bit frames compute it: the CRC of ISO 3309 (the HDLC FCS-32,
//!   [`crate::hdlc::fcs`]), preset to all ones, reflected, complemented, sent low octet first.

/// The CRC-16 (XMODEM) table, built at compile time.
const CRC16_TABLE: [u16; 256] = {
    let mut t = [0u16; 256];
    let mut i = 0;
    while i < 256 {
        let mut c = (i as u16) << 8;
        let mut b = 0;
        while b < 8 {
            c = if c & 0x8000 != 0 { (c << 1) ^ 0x1021 } else { c << 1 };
            b += 1;
        }
        t[i] = c;
        i += 1;
    }
    t
};

/// A running CRC-16 (XMODEM).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Crc16(pub u16);

impl Crc16 {
    /// A CRC over nothing yet.
    pub const fn new() -> Crc16 {
        Crc16(0)
    }

    /// Adds `data`.
    pub fn update(&mut self, data: &[u8]) -> &mut Self {
        for &b in data {
            self.0 = (self.0 << 8) ^ CRC16_TABLE[((self.0 >> 8) as u8 ^ b) as usize];
        }
        self
    }

    /// The CRC of `data`.
    pub fn of(data: &[u8]) -> u16 {
        Crc16::new().update(data).0
    }
}

/// A running CRC-32 (the register, before the final complement).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Crc32(u32);

impl Default for Crc32 {
    fn default() -> Self {
        Crc32::new()
    }
}

impl Crc32 {
    /// A CRC over nothing yet (register all ones).
    pub const fn new() -> Crc32 {
        Crc32(0xFFFF_FFFF)
    }

    /// Adds `data`.
    pub fn update(&mut self, data: &[u8]) -> &mut Self {
        self.0 = crate::hdlc::fcs::fcs32_update(self.0, data);
        self
    }

    /// The CRC as sent (complemented).
    pub fn value(&self) -> u32 {
        !self.0
    }

    /// The CRC of `data`, as sent.
    pub fn of(data: &[u8]) -> u32 {
        Crc32::new().update(data).value()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_values() {
        // The catalogue's check values for "123456789": CRC-16/XMODEM 0x31C3, CRC-32 0xCBF43926.
        assert_eq!(Crc16::of(b"123456789"), 0x31C3);
        assert_eq!(Crc32::of(b"123456789"), 0xCBF4_3926);
        let mut block = b"123456789".to_vec();
        block.extend_from_slice(&0x31C3u16.to_be_bytes());
        assert_eq!(Crc16::of(&block), 0, "a block with its CRC leaves 0");
        assert_eq!(
            u32::from_le_bytes(crate::hdlc::Fcs::Fcs32.of(b"123456789")),
            Crc32::of(b"123456789"),
            "the same CRC-32 as HDLC's FCS-32"
        );
    }
}
