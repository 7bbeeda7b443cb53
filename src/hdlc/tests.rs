//! HDLC transmitter and receiver, against each other and against hand-made bit streams.

use super::*;
use crate::bits::{BitSink, BitSource};

/// xorshift64*: deterministic test randomness.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }
}

fn config(fcs: Fcs) -> Config {
    Config { fcs, max_frame: 300, frames: 16, ..Config::default() }
}

/// Every frame waiting in `rx`.
fn drain(rx: &mut HdlcRx) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    while let Some(f) = rx.front() {
        out.push(f.to_vec());
        rx.pop();
    }
    out
}

/// Bits of `tx` until it has sent everything queued (the closing flag's last bit included),
/// then `tail` more.
fn bits_until_idle(tx: &mut HdlcTx, tail: usize) -> Vec<u8> {
    let mut bits = Vec::new();
    while !tx.is_idle() || tx.bits_left > 0 {
        bits.push(tx.next_bit());
        assert!(bits.len() < 10_000_000);
    }
    bits.extend((0..tail).map(|_| tx.next_bit()));
    bits
}

/// Bits of octets, least significant first, unstuffed.
fn raw_bits(octets: &[u8]) -> Vec<u8> {
    octets.iter().flat_map(|&b| (0..8).map(move |i| (b >> i) & 1)).collect()
}

/// Zero-bit insertion of `octets`, as the standard describes it (a reference for the
/// transmitter's).
fn stuffed_bits(octets: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut ones = 0;
    for b in raw_bits(octets) {
        out.push(b);
        ones = if b == 1 { ones + 1 } else { 0 };
        if ones == 5 {
            out.push(0);
            ones = 0;
        }
    }
    out
}

fn with_fcs(fcs: Fcs, data: &[u8]) -> Vec<u8> {
    let mut v = data.to_vec();
    v.extend_from_slice(&fcs.of(data)[..fcs.octets()]);
    v
}

#[test]
fn random_frames_round_trip_at_random_offsets() {
    for fcs in [Fcs::Fcs16, Fcs::Fcs32] {
        let mut r = Rng(0x1234_5678 + fcs.octets() as u64);
        for round in 0..40 {
            let mut cfg = config(fcs);
            cfg.idle = if round % 2 == 0 { Idle::Flags } else { Idle::Marks };
            cfg.flags_between = 1 + (round % 3) as u8;
            let mut tx = HdlcTx::new(cfg);
            let mut rx = HdlcRx::new(cfg);
            // Start the receiver at a random point of the flags (or marks) before the first frame,
            // two flags before it.
            for _ in 0..r.below(40) {
                tx.next_bit();
            }
            for _ in 0..16 {
                rx.put_bit(tx.next_bit(), 0.0);
            }
            let mut sent = Vec::new();
            let mut got = Vec::new();
            for _ in 0..30 {
                let n = 2 + r.below(299) as usize;
                let f = r.bytes(n);
                tx.send(&f).unwrap();
                sent.push(f);
                let gap = r.below(30) as usize;
                for b in bits_until_idle(&mut tx, gap) {
                    rx.put_bit(b, 0.0);
                }
                got.extend(drain(&mut rx));
            }
            for _ in 0..16 {
                rx.put_bit(tx.next_bit(), 0.0);
            }
            got.extend(drain(&mut rx));
            assert!(got == sent, "round {round}: {} frames of {}", got.len(), sent.len());
            let s = rx.stats();
            assert_eq!(s.good_frames, 30);
            assert_eq!((s.bad_fcs, s.aborts, s.too_long, s.too_short, s.not_octet_aligned), (0, 0, 0, 0, 0));
            assert_eq!(tx.frames_sent(), 30);
        }
    }
}

#[test]
fn back_to_back_frames_share_a_flag() {
    let cfg = config(Fcs::Fcs16);
    let mut tx = HdlcTx::new(cfg);
    let (a, b) = (b"\x03\x3fAB".to_vec(), b"\x01\x73".to_vec());
    tx.send(&a).unwrap();
    tx.send(&b).unwrap();
    let bits = bits_until_idle(&mut tx, 0);
    // Flag, frame a, one flag, frame b, flag: exactly.
    let mut want = raw_bits(&[FLAG]);
    want.extend(stuffed_bits(&with_fcs(Fcs::Fcs16, &a)));
    want.extend(raw_bits(&[FLAG]));
    want.extend(stuffed_bits(&with_fcs(Fcs::Fcs16, &b)));
    want.extend(raw_bits(&[FLAG]));
    assert_eq!(bits, want);
    let mut rx = HdlcRx::new(cfg);
    bits.iter().for_each(|&x| rx.push_bit(x));
    assert_eq!(drain(&mut rx), vec![a, b]);

    // Two flags between when asked for.
    let mut tx = HdlcTx::new(Config { flags_between: 2, ..cfg });
    tx.send(b"xy").unwrap();
    tx.send(b"zw").unwrap();
    let bits = bits_until_idle(&mut tx, 0);
    let flags = bits.windows(8).filter(|w| *w == raw_bits(&[FLAG]).as_slice()).count();
    assert_eq!(flags, 4);
}

#[test]
fn transparency_of_flag_escape_and_ones() {
    for fcs in [Fcs::Fcs16, Fcs::Fcs32] {
        let cfg = config(fcs);
        let frames: Vec<Vec<u8>> = vec![
            vec![FLAG; 20],
            vec![0x7D; 20],
            vec![0xFF; 300],
            vec![0x7E, 0x7D, 0xFF, 0x00, 0x7E, 0x3F, 0xFC, 0x1F, 0xF8],
            vec![0x1F, 0x3E, 0x7C, 0xF8, 0xF0],
            vec![0xFE, 0x7F],
        ];
        let mut rx = HdlcRx::new(cfg);
        for f in &frames {
            let mut tx = HdlcTx::new(cfg);
            tx.send(f).unwrap();
            let bits = bits_until_idle(&mut tx, 3);
            // Never six 1s in a row but in flags: at most five inside the frame.
            let inner = &bits[8..bits.len() - 11];
            let mut run = 0;
            for &b in inner {
                run = if b == 1 { run + 1 } else { 0 };
                assert!(run <= 5, "a run of {run} ones inside {f:02x?}");
            }
            let mut want = raw_bits(&[FLAG]);
            want.extend(stuffed_bits(&with_fcs(fcs, f)));
            want.extend(raw_bits(&[FLAG]));
            assert_eq!(&bits[..bits.len() - 3], &want[..]);
            bits.iter().for_each(|&x| rx.push_bit(x));
        }
        assert_eq!(drain(&mut rx), frames);
    }
}

#[test]
fn bit_errors_give_fcs_errors_not_frames() {
    let cfg = config(Fcs::Fcs16);
    let mut r = Rng(99);
    let mut bad = 0;
    for _ in 0..500 {
        let mut tx = HdlcTx::new(cfg);
        let n = 2 + r.below(60) as usize;
        let f = r.bytes(n);
        tx.send(&f).unwrap();
        let mut bits = bits_until_idle(&mut tx, 16);
        let i = 8 + r.below(bits.len() as u64 - 32) as usize;
        bits[i] ^= 1;
        let mut rx = HdlcRx::new(cfg);
        bits.iter().for_each(|&x| rx.push_bit(x));
        let got = drain(&mut rx);
        // A single flipped bit never yields a frame that differs from the one sent.
        assert!(got.iter().all(|g| *g == f), "{got:02x?} from {f:02x?}");
        assert!(got.is_empty(), "a flipped bit went unnoticed");
        let s = rx.stats();
        bad += s.bad_fcs;
        assert_eq!(s.good_frames, 0);
        // Counted as an error, or the flip made seven 1s right after the opening flag: an abort
        // of a frame with no bits yet, the same on the line as mark idle after a flag.
        let errors = s.bad_fcs + s.aborts + s.too_short + s.not_octet_aligned + s.too_long;
        let seven_ones = bits.windows(7).any(|w| w.iter().all(|&b| b == 1));
        assert!(errors >= 1 || seven_ones, "{s:?}");
    }
    // Most single errors land in the data and are caught by the FCS.
    assert!(bad > 250, "{bad}");
}

#[test]
fn aborts_drop_the_frame_and_the_next_one_comes_through() {
    for fcs in [Fcs::Fcs16, Fcs::Fcs32] {
        let cfg = config(fcs);
        let mut tx = HdlcTx::new(cfg);
        let mut rx = HdlcRx::new(cfg);
        assert!(!tx.abort(), "nothing to abort");
        tx.send(&[0x55; 100]).unwrap();
        tx.send(b"\x01\x02after").unwrap();
        let mut bits = Vec::new();
        for _ in 0..8 + 40 * 8 {
            bits.push(tx.next_bit());
        }
        assert!(tx.abort());
        bits.extend(bits_until_idle(&mut tx, 16));
        // Seven or more 1s in a row are there.
        let mut run = 0;
        let mut longest = 0;
        for &b in &bits {
            run = if b == 1 { run + 1 } else { 0 };
            longest = longest.max(run);
        }
        assert!(longest >= 7);
        bits.iter().for_each(|&x| rx.push_bit(x));
        assert_eq!(drain(&mut rx), vec![b"\x01\x02after".to_vec()]);
        assert_eq!(rx.stats().aborts, 1);
        assert_eq!(rx.stats().good_frames, 1);
        assert_eq!(tx.aborts_sent(), 1);
        assert_eq!(tx.frames_sent(), 1);
    }
}

#[test]
fn long_runs_of_ones_and_mark_idle() {
    let cfg = Config { idle: Idle::Marks, ..config(Fcs::Fcs16) };
    let mut rx = HdlcRx::new(cfg);
    // Marks, a flag, marks: no frames, no aborts (nothing was under way).
    for _ in 0..100 {
        rx.push_bit(1);
    }
    raw_bits(&[FLAG]).iter().for_each(|&b| rx.push_bit(b));
    for _ in 0..100 {
        rx.push_bit(1);
    }
    assert_eq!(rx.stats(), RxStats::default());
    // A mark-idle transmitter opens each frame with a flag.
    let mut tx = HdlcTx::new(cfg);
    for _ in 0..50 {
        assert_eq!(tx.next_bit(), 1);
    }
    tx.send(&[0xFF; 40]).unwrap();
    let bits = bits_until_idle(&mut tx, 50);
    assert!(bits[bits.len() - 40..].iter().all(|&b| b == 1));
    bits.iter().for_each(|&b| rx.push_bit(b));
    assert_eq!(drain(&mut rx), vec![vec![0xFF; 40]]);
    assert_eq!(rx.stats().aborts, 0);
}

#[test]
fn short_long_and_misaligned_frames_are_counted_and_dropped() {
    let cfg = Config { max_frame: 10, ..config(Fcs::Fcs16) };
    let mut rx = HdlcRx::new(cfg);
    let send = |octets: &[u8], extra_bits: &[u8], rx: &mut HdlcRx| {
        let mut bits = raw_bits(&[FLAG]);
        let mut body = stuffed_bits(octets);
        body.extend_from_slice(extra_bits);
        bits.extend(body);
        bits.extend(raw_bits(&[FLAG]));
        bits.iter().for_each(|&b| rx.push_bit(b));
    };
    // One octet plus the FCS: too short; three octets (a bad FCS of sorts) too.
    send(&with_fcs(Fcs::Fcs16, b"\x01"), &[], &mut rx);
    send(b"\x01\x02\x03", &[], &mut rx);
    // Eleven octets plus the FCS: too long.
    send(&with_fcs(Fcs::Fcs16, &[0x42; 11]), &[], &mut rx);
    // Ten: fits.
    send(&with_fcs(Fcs::Fcs16, &[0x42; 10]), &[], &mut rx);
    // A good frame and three extra bits: not a whole number of octets.
    send(&with_fcs(Fcs::Fcs16, b"ab"), &[0, 0, 0], &mut rx);
    // A bad FCS.
    let mut f = with_fcs(Fcs::Fcs16, b"abc");
    f[1] ^= 0x10;
    send(&f, &[], &mut rx);
    let s = rx.stats();
    assert_eq!(s.too_short, 2);
    assert_eq!(s.too_long, 1);
    assert_eq!(s.good_frames, 1);
    assert_eq!(s.not_octet_aligned, 1);
    assert_eq!(s.bad_fcs, 1);
    assert_eq!(drain(&mut rx), vec![vec![0x42; 10]]);
}

#[test]
fn queues_are_bounded() {
    let cfg = Config { frames: 2, max_frame: 4, ..config(Fcs::Fcs16) };
    let mut tx = HdlcTx::new(cfg);
    assert_eq!(tx.send(b"12345"), Err(TxError::TooLong));
    tx.send(b"ab").unwrap();
    tx.send(b"cd").unwrap();
    assert_eq!(tx.send(b"ef"), Err(TxError::QueueFull));
    assert_eq!((tx.queued(), tx.free()), (2, 0));
    let bits = bits_until_idle(&mut tx, 8);
    tx.send(b"ef").unwrap();
    let more = bits_until_idle(&mut tx, 8);
    let mut rx = HdlcRx::new(cfg);
    bits.iter().chain(&more).for_each(|&b| rx.push_bit(b));
    assert_eq!(rx.stats().overruns, 1);
    assert_eq!(drain(&mut rx), vec![b"ab".to_vec(), b"cd".to_vec()]);
    let mut out = [0u8; 1];
    assert_eq!(rx.read(&mut out), None);
}

#[test]
fn read_copies_and_clear_aborts() {
    let cfg = config(Fcs::Fcs32);
    let mut tx = HdlcTx::new(cfg);
    let mut rx = HdlcRx::new(cfg);
    tx.send(b"first").unwrap();
    tx.send(b"second").unwrap();
    for _ in 0..30 {
        rx.push_bit(tx.next_bit());
    }
    tx.clear();
    assert_eq!(tx.queued(), 1, "the frame under way stays until its abort");
    for b in bits_until_idle(&mut tx, 16) {
        rx.push_bit(b);
    }
    assert_eq!(tx.queued(), 0);
    assert_eq!(rx.stats().aborts, 1);
    tx.send(b"third").unwrap();
    for b in bits_until_idle(&mut tx, 16) {
        rx.push_bit(b);
    }
    let mut out = [0u8; 16];
    assert_eq!(rx.read(&mut out), Some(5));
    assert_eq!(&out[..5], b"third");
}

#[test]
fn a_hole_or_carrier_loss_ends_the_frame() {
    let cfg = config(Fcs::Fcs16);
    let mut tx = HdlcTx::new(cfg);
    tx.send(b"lost frame").unwrap();
    let bits = bits_until_idle(&mut tx, 8);
    let mut rx = HdlcRx::new(cfg);
    bits[..40].iter().for_each(|&b| rx.put_bit(b, 0.0));
    rx.hole(100);
    assert!(!rx.in_frame());
    bits[40..].iter().for_each(|&b| rx.put_bit(b, 0.0));
    assert_eq!(rx.frames(), 0);
    let mut rx = HdlcRx::new(cfg);
    bits[..40].iter().for_each(|&b| rx.put_bit(b, 0.0));
    rx.carrier(false);
    bits[40..].iter().for_each(|&b| rx.put_bit(b, 0.0));
    assert_eq!(rx.frames(), 0);
}
