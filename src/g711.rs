//! ITU-T G.711 companding: mu-law and A-law, 8-bit codes to and from linear samples.

/// Which G.711 law.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Law {
    /// mu-law (North America, Japan).
    MuLaw,
    /// A-law (Europe and most of the world).
    ALaw,
}

const ULAW_BIAS: i32 = 0x84;
const ULAW_CLIP: i32 = 32635;

/// Encodes a 16-bit linear sample as a mu-law byte.
pub fn ulaw_encode(x: i16) -> u8 {
    let x = x as i32;
    let sign = if x < 0 { 0x80 } else { 0 };
    let mag = x.abs().min(ULAW_CLIP) + ULAW_BIAS;
    // The segment is the position of the highest set bit above bit 7.
    let exp = (31 - (mag as u32).leading_zeros() as i32 - 7).clamp(0, 7);
    let mantissa = (mag >> (exp + 3)) & 0x0F;
    !((sign | (exp << 4) | mantissa) as u8)
}

/// Decodes a mu-law byte to a 16-bit linear sample.
pub fn ulaw_decode(u: u8) -> i16 {
    let u = !u;
    let t = ((((u & 0x0F) as i32) << 3) + ULAW_BIAS) << ((u & 0x70) >> 4);
    (if u & 0x80 != 0 { ULAW_BIAS - t } else { t - ULAW_BIAS }) as i16
}

/// Encodes a 16-bit linear sample as an A-law byte.
pub fn alaw_encode(x: i16) -> u8 {
    let x = x as i32;
    let sign = if x >= 0 { 0x80 } else { 0 };
    let mag = (if x >= 0 { x } else { -x - 1 }).min(32767) >> 3; // 12-bit magnitude
    let code = if mag < 32 {
        mag >> 1
    } else {
        let seg = 31 - (mag as u32).leading_zeros() as i32 - 4; // 1..=7
        (seg << 4) | ((mag >> seg) & 0x0F)
    };
    ((code | sign) as u8) ^ 0x55
}

/// Decodes an A-law byte to a 16-bit linear sample.
pub fn alaw_decode(a: u8) -> i16 {
    let a = a ^ 0x55;
    let mut t = ((a & 0x0F) as i32) << 4;
    let seg = ((a & 0x70) >> 4) as i32;
    t = match seg {
        0 => t + 8,
        1 => t + 0x108,
        _ => (t + 0x108) << (seg - 1),
    };
    (if a & 0x80 != 0 { t } else { -t }) as i16
}

impl Law {
    /// Encodes a linear sample (full scale 1.0).
    pub fn encode(self, x: f32) -> u8 {
        let s = crate::dsp::to_i16(x);
        match self {
            Law::MuLaw => ulaw_encode(s),
            Law::ALaw => alaw_encode(s),
        }
    }

    /// Decodes to a linear sample (full scale 1.0).
    pub fn decode(self, c: u8) -> f32 {
        (match self {
            Law::MuLaw => ulaw_decode(c),
            Law::ALaw => alaw_decode(c),
        }) as f32
            / 32768.0
    }

    /// What a sample becomes after passing through the codec once.
    pub fn round_trip(self, x: f32) -> f32 {
        self.decode(self.encode(x))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_survives_decode_then_encode() {
        for c in 0..=255u8 {
            assert_eq!(alaw_encode(alaw_decode(c)), c, "A-law {c:#x}");
            // mu-law has two codes for zero (0x7F and 0xFF); both decode to 0, which encodes as 0xFF.
            if c != 0x7F {
                assert_eq!(ulaw_encode(ulaw_decode(c)), c, "mu-law {c:#x}");
            }
        }
    }

    #[test]
    fn quantisation_error_is_about_38_db_below_a_loud_signal() {
        // G.711 gives roughly 38 dB signal-to-quantisation-noise for a sine near full load.
        for law in [Law::MuLaw, Law::ALaw] {
            let mut nco = crate::dsp::Nco::new(1013.0, 8000.0);
            let (mut s, mut n) = (0.0f64, 0.0f64);
            for _ in 0..8000 {
                let x = 0.5 * nco.next_sin();
                let e = law.round_trip(x) - x;
                s += (x * x) as f64;
                n += (e * e) as f64;
            }
            let snr = 10.0 * (s / n).log10();
            assert!((35.0..42.0).contains(&snr), "{law:?}: {snr:.1} dB");
        }
    }

    #[test]
    fn monotonic_and_symmetric() {
        let mut prev = (i16::MIN, i16::MIN);
        for x in (-32768i32..=32767).step_by(7) {
            let x = x as i16;
            let u = ulaw_decode(ulaw_encode(x));
            let a = alaw_decode(alaw_encode(x));
            assert!(u >= prev.0 && a >= prev.1, "not monotonic at {x}");
            prev = (u, a);
        }
        assert_eq!(ulaw_decode(ulaw_encode(1000)), -ulaw_decode(ulaw_encode(-1000)));
    }
}
