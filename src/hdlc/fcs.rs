//! The frame check sequence (FCS) of HDLC frames, as V.42 8.1.1.6 and ISO/IEC 13239 define it.
//!
//! - The 16-bit FCS: the CRC with generator x^16 + x^12 + x^5 + 1, register preset to all ones,
//!   the ones' complement of the remainder sent, the x^15 term first (RFC 1662 appendix C,
//!   "FCS-16"). A good frame, FCS included, leaves the remainder [`FCS16_GOOD`] (0xF0B8).
//! - The 32-bit FCS (V.42 8.1.1.6.2): generator x^32 + x^26 + x^23 + x^22 + x^16 + x^12 + x^11 +
//!   x^10 + x^8 + x^7 + x^5 + x^4 + x^2 + x + 1, preset to all ones, complemented; a good frame
//!   leaves [`FCS32_GOOD`] (0xDEBB20E3).
//!
//! Both are computed here in the "reflected" form (bit 0 of each octet is the first sent), a
//! table of 256 entries built at compile time.

/// Which frame check sequence frames carry: 16 bits (V.42's default) or 32 bits (negotiated).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Fcs {
    /// The 16-bit FCS (2 octets).
    #[default]
    Fcs16,
    /// The 32-bit FCS (4 octets).
    Fcs32,
}

impl Fcs {
    /// Octets the FCS takes in a frame: 2 or 4.
    pub const fn octets(self) -> usize {
        match self {
            Fcs::Fcs16 => 2,
            Fcs::Fcs32 => 4,
        }
    }

    /// The FCS of `data`, as the octets to send after it (first sent first); only the first
    /// [`Fcs::octets`] of the four are used.
    pub fn of(self, data: &[u8]) -> [u8; 4] {
        match self {
            Fcs::Fcs16 => {
                let f = fcs16(data).to_le_bytes();
                [f[0], f[1], 0, 0]
            }
            Fcs::Fcs32 => fcs32(data).to_le_bytes(),
        }
    }

    /// True if `frame` (the octets between flags, FCS included) leaves the good-frame remainder.
    pub fn check(self, frame: &[u8]) -> bool {
        match self {
            Fcs::Fcs16 => fcs16_update(FCS16_INIT, frame) == FCS16_GOOD,
            Fcs::Fcs32 => fcs32_update(FCS32_INIT, frame) == FCS32_GOOD,
        }
    }
}

/// The 16-bit FCS generator polynomial, reflected (x^16 + x^12 + x^5 + 1).
pub const FCS16_POLY: u16 = 0x8408;
/// The 16-bit FCS register's preset value (all ones).
pub const FCS16_INIT: u16 = 0xFFFF;
/// The remainder a frame with a good 16-bit FCS leaves in the register.
pub const FCS16_GOOD: u16 = 0xF0B8;

/// The 32-bit FCS generator polynomial, reflected.
pub const FCS32_POLY: u32 = 0xEDB8_8320;
/// The 32-bit FCS register's preset value (all ones).
pub const FCS32_INIT: u32 = 0xFFFF_FFFF;
/// The remainder a frame with a good 32-bit FCS leaves in the register.
pub const FCS32_GOOD: u32 = 0xDEBB_20E3;

const fn table16() -> [u16; 256] {
    let mut t = [0u16; 256];
    let mut i = 0;
    while i < 256 {
        let mut c = i as u16;
        let mut k = 0;
        while k < 8 {
            c = if c & 1 != 0 { (c >> 1) ^ FCS16_POLY } else { c >> 1 };
            k += 1;
        }
        t[i] = c;
        i += 1;
    }
    t
}

const fn table32() -> [u32; 256] {
    let mut t = [0u32; 256];
    let mut i = 0;
    while i < 256 {
        let mut c = i as u32;
        let mut k = 0;
        while k < 8 {
            c = if c & 1 != 0 { (c >> 1) ^ FCS32_POLY } else { c >> 1 };
            k += 1;
        }
        t[i] = c;
        i += 1;
    }
    t
}

/// The 16-bit FCS table: the register after eight shifts of each octet value.
pub const FCS16_TABLE: [u16; 256] = table16();
/// The 32-bit FCS table: the register after eight shifts of each octet value.
pub const FCS32_TABLE: [u32; 256] = table32();

/// The 16-bit FCS register `fcs` after the octets `data` (no complement).
pub const fn fcs16_update(mut fcs: u16, data: &[u8]) -> u16 {
    let mut i = 0;
    while i < data.len() {
        fcs = (fcs >> 8) ^ FCS16_TABLE[((fcs ^ data[i] as u16) & 0xFF) as usize];
        i += 1;
    }
    fcs
}

/// The 32-bit FCS register `fcs` after the octets `data` (no complement).
pub const fn fcs32_update(mut fcs: u32, data: &[u8]) -> u32 {
    let mut i = 0;
    while i < data.len() {
        fcs = (fcs >> 8) ^ FCS32_TABLE[((fcs ^ data[i] as u32) & 0xFF) as usize];
        i += 1;
    }
    fcs
}

/// The 16-bit FCS of `data` as sent: preset, then complemented. Its low octet goes first.
pub const fn fcs16(data: &[u8]) -> u16 {
    !fcs16_update(FCS16_INIT, data)
}

/// The 32-bit FCS of `data` as sent: preset, then complemented. Its low octet goes first.
pub const fn fcs32(data: &[u8]) -> u32 {
    !fcs32_update(FCS32_INIT, data)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_values() {
        assert_eq!(fcs16(b"123456789"), 0x906E);
        assert_eq!(fcs32(b"123456789"), 0xCBF4_3926);
        assert_eq!(fcs16(b""), 0x0000);
        assert_eq!(fcs32(b""), 0x0000_0000);
    }

    #[test]
    fn tables_are_crc_tables() {
        assert_eq!(FCS16_TABLE[0], 0);
        assert_eq!(FCS16_TABLE[1], 0x1189);
        assert_eq!(FCS16_TABLE[255], 0x0F78);
        assert_eq!(FCS32_TABLE[1], 0x7707_3096);
        assert_eq!(FCS32_TABLE[255], 0x2D02_EF8D);
    }

    #[test]
    fn good_frame_residues() {
        for data in [&b"123456789"[..], b"", b"\x03\x3f", &[0xFF; 300]] {
            let mut f = data.to_vec();
            f.extend_from_slice(&fcs16(data).to_le_bytes());
            assert_eq!(fcs16_update(FCS16_INIT, &f), FCS16_GOOD);
            assert!(Fcs::Fcs16.check(&f));
            let mut g = data.to_vec();
            g.extend_from_slice(&fcs32(data).to_le_bytes());
            assert_eq!(fcs32_update(FCS32_INIT, &g), FCS32_GOOD);
            assert!(Fcs::Fcs32.check(&g));
            // One bit wrong anywhere is caught.
            for i in 0..f.len() * 8 {
                let mut h = f.clone();
                h[i / 8] ^= 1 << (i % 8);
                assert!(!Fcs::Fcs16.check(&h));
            }
            for i in 0..g.len() * 8 {
                let mut h = g.clone();
                h[i / 8] ^= 1 << (i % 8);
                assert!(!Fcs::Fcs32.check(&h));
            }
        }
    }

    #[test]
    fn fcs_of_matches_octets() {
        let d = b"LAPM";
        let f16 = Fcs::Fcs16.of(d);
        assert_eq!(&f16[..2], &fcs16(d).to_le_bytes());
        assert_eq!(Fcs::Fcs32.of(d), fcs32(d).to_le_bytes());
        assert_eq!(Fcs::Fcs16.octets(), 2);
        assert_eq!(Fcs::Fcs32.octets(), 4);
    }

    #[test]
    fn update_is_incremental() {
        let a = fcs16_update(FCS16_INIT, b"12345");
        assert_eq!(!fcs16_update(a, b"6789"), 0x906E);
        let b = fcs32_update(FCS32_INIT, b"1234");
        assert_eq!(!fcs32_update(b, b"56789"), 0xCBF4_3926);
    }
}
