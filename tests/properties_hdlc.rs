//! Property tests of HDLC framing (`softmodem::hdlc`), on frames proptest generates.
//!
//! The expected bits are laid out from the definition (ISO/IEC 13239, V.42 8.1): a flag
//! `01111110`, the frame's octets and its FCS least significant bit first with a 0 inserted after
//! every five contiguous 1s, a flag; the FCS from RFC 1662's definition, bit by bit (not the
//! table the code uses).
#![cfg(not(target_arch = "wasm32"))]

use proptest::prelude::*;
use softmodem::bits::{BitSink, BitSource};
use softmodem::hdlc::{Config, Fcs, HdlcRx, HdlcTx, Idle, FLAG};

/// The FCS, bit by bit from the polynomial (reflected), complemented, low octet first.
fn fcs_octets(fcs: Fcs, data: &[u8]) -> Vec<u8> {
    match fcs {
        Fcs::Fcs16 => {
            let mut c: u16 = 0xFFFF;
            for &b in data {
                c ^= b as u16;
                for _ in 0..8 {
                    c = if c & 1 != 0 { (c >> 1) ^ 0x8408 } else { c >> 1 };
                }
            }
            (!c).to_le_bytes().to_vec()
        }
        Fcs::Fcs32 => {
            let mut c: u32 = 0xFFFF_FFFF;
            for &b in data {
                c ^= b as u32;
                for _ in 0..8 {
                    c = if c & 1 != 0 { (c >> 1) ^ 0xEDB8_8320 } else { c >> 1 };
                }
            }
            (!c).to_le_bytes().to_vec()
        }
    }
}

fn lsb_first(octets: &[u8]) -> Vec<u8> {
    octets.iter().flat_map(|&b| (0..8).map(move |i| (b >> i) & 1)).collect()
}

/// A frame as the definition lays it out between its flags.
fn stuffed_frame(fcs: Fcs, data: &[u8]) -> Vec<u8> {
    let mut octets = data.to_vec();
    octets.extend(fcs_octets(fcs, data));
    let mut out = Vec::new();
    let mut ones = 0;
    for b in lsb_first(&octets) {
        out.push(b);
        ones = if b == 1 { ones + 1 } else { 0 };
        if ones == 5 {
            out.push(0);
            ones = 0;
        }
    }
    out
}

fn config() -> impl Strategy<Value = Config> {
    (any::<bool>(), any::<bool>(), 1u8..=3).prop_map(|(f32, marks, flags_between)| Config {
        fcs: if f32 { Fcs::Fcs32 } else { Fcs::Fcs16 },
        idle: if marks { Idle::Marks } else { Idle::Flags },
        flags_between,
        max_frame: 64,
        frames: 16,
    })
}

/// Frames of 2 to 64 octets, biased to the octets transparency is about.
fn frames() -> impl Strategy<Value = Vec<Vec<u8>>> {
    let octet = prop_oneof![any::<u8>(), Just(0x7E), Just(0x7D), Just(0xFF), Just(0x3F), Just(0xFC)];
    prop::collection::vec(prop::collection::vec(octet, 2..=64), 1..8)
}

/// Everything `tx` sends for `frames` queued at once, up to the last closing flag.
fn send_all(tx: &mut HdlcTx, frames: &[Vec<u8>]) -> Vec<u8> {
    for f in frames {
        tx.send(f).unwrap();
    }
    let mut bits = Vec::new();
    while tx.frames_sent() < frames.len() as u64 {
        bits.push(tx.next_bit());
    }
    // The count changes with the closing flag's first bit: seven more.
    bits.extend((0..7).map(|_| tx.next_bit()));
    bits
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Frames queued back to back go out exactly as the definition lays them out, with the
    /// configured number of flags between them.
    #[test]
    fn transmitter_sends_the_defined_bits(cfg in config(), fs in frames()) {
        let mut tx = HdlcTx::new(cfg);
        let bits = send_all(&mut tx, &fs);
        let flag = lsb_first(&[FLAG]);
        let mut want = flag.clone();
        for (k, f) in fs.iter().enumerate() {
            if k > 0 {
                for _ in 0..cfg.flags_between {
                    want.extend(&flag);
                }
            }
            want.extend(stuffed_frame(cfg.fcs, f));
        }
        want.extend(&flag);
        prop_assert_eq!(bits, want);
    }

    /// Whatever idle came before (flags or marks, from any bit on), the receiver gives back the
    /// frames sent, and counts nothing else.
    #[test]
    fn round_trip(cfg in config(), fs in frames(), skip in 0usize..24, tail in 0usize..24) {
        let mut tx = HdlcTx::new(cfg);
        let mut rx = HdlcRx::new(cfg);
        for _ in 0..skip {
            tx.next_bit();
        }
        // The receiver starts at a bit offset in the idle, a flag ahead of the first frame.
        for _ in 0..16 {
            rx.put_bit(tx.next_bit(), 0.0);
        }
        for b in send_all(&mut tx, &fs) {
            rx.put_bit(b, 0.0);
        }
        for _ in 0..tail {
            rx.put_bit(tx.next_bit(), 0.0);
        }
        let mut got = Vec::new();
        while let Some(f) = rx.front() {
            got.push(f.to_vec());
            rx.pop();
        }
        prop_assert_eq!(&got, &fs);
        let s = rx.stats();
        prop_assert_eq!((s.bad_fcs, s.aborts, s.too_long, s.too_short, s.not_octet_aligned), (0, 0, 0, 0, 0));
    }

    /// One bit wrong anywhere from the first opening flag to the last closing flag: the receiver
    /// never hands over a frame that was not sent. With one flag between frames it also misses
    /// one or counts an error; with more, a broken flag among them may go unnoticed (made
    /// `11111110` after a whole flag, it is seven 1s, as idle as flags are).
    #[test]
    fn one_bit_error_never_gives_a_wrong_frame(cfg in config(), fs in frames(), at in any::<prop::sample::Index>()) {
        let mut tx = HdlcTx::new(cfg);
        let mut bits = send_all(&mut tx, &fs);
        let i = at.index(bits.len());
        bits.extend((0..16).map(|_| tx.next_bit()));
        bits[i] ^= 1;
        let mut rx = HdlcRx::new(cfg);
        for &b in &bits {
            rx.put_bit(b, 0.0);
        }
        let mut got = Vec::new();
        while let Some(f) = rx.front() {
            got.push(f.to_vec());
            rx.pop();
        }
        for g in &got {
            prop_assert!(fs.contains(g), "{:02x?} was never sent", g);
        }
        let s = rx.stats();
        let errors = s.bad_fcs + s.aborts + s.too_long + s.too_short + s.not_octet_aligned;
        if cfg.flags_between == 1 {
            prop_assert!(got.len() < fs.len() || errors > 0, "bit {} of {} flipped unnoticed", i, bits.len());
        }
    }
}
