//! Interop of our HDLC framing with spandsp's (Debian libspandsp, through FFI): our transmitter's
//! bits into spandsp's receiver, spandsp's transmitter's bits into ours, 16- and 32-bit FCS.
#![cfg(not(target_arch = "wasm32"))]

use softmodem::bits::{BitSink, BitSource};
use softmodem::hdlc::{Config, Fcs, HdlcRx, HdlcTx, Idle};
use softmodem::sim::rng::Rng;
use spandsp_peer::hdlc::{HdlcRx as SpRx, HdlcTx as SpTx};

/// Random frames of 2 to 260 octets, with runs of the octets transparency is about mixed in.
fn frames(seed: u64, count: usize) -> Vec<Vec<u8>> {
    let mut r = Rng::new(seed);
    (0..count)
        .map(|k| {
            let n = 2 + r.below(259) as usize;
            let mut v = vec![0; n];
            r.fill(&mut v);
            match k % 4 {
                1 => v.iter_mut().step_by(3).for_each(|b| *b = 0x7E),
                2 => v.iter_mut().step_by(2).for_each(|b| *b = 0xFF),
                3 => v.iter_mut().step_by(5).for_each(|b| *b = 0x7D),
                _ => {}
            }
            v
        })
        .collect()
}

fn fcs_of(crc32: bool) -> Fcs {
    if crc32 {
        Fcs::Fcs32
    } else {
        Fcs::Fcs16
    }
}

#[test]
fn our_frames_into_spandsp() {
    for crc32 in [false, true] {
        for (idle, flags_between) in [(Idle::Flags, 1), (Idle::Flags, 2), (Idle::Marks, 1)] {
            let cfg = Config { fcs: fcs_of(crc32), idle, flags_between, ..Config::default() };
            let mut tx = HdlcTx::new(cfg);
            let mut sp = SpRx::new(crc32, false);
            let sent = frames(crc32 as u64 * 10 + flags_between as u64, 60);
            let mut r = Rng::new(7);
            for _ in 0..40 {
                sp.put_bit(tx.next_bit());
            }
            let mut pending = sent.iter();
            let mut left = sent.len();
            while left > 0 || !tx.is_idle() {
                // Several frames back to back at times, one at a time at others.
                if tx.free() > 0 && left > 0 && r.below(3) == 0 {
                    tx.send(pending.next().unwrap()).unwrap();
                    left -= 1;
                }
                sp.put_bit(tx.next_bit());
            }
            for _ in 0..40 {
                sp.put_bit(tx.next_bit());
            }
            let got = sp.take_frames();
            assert_eq!(got.len(), sent.len(), "crc32 {crc32} {idle:?} {flags_between}: {:?}", sp.stats());
            assert!(got == sent);
            let s = sp.stats();
            assert_eq!((s.crc_errors, s.length_errors), (0, 0), "{s:?}");
            // Measured: with mark idle spandsp counts one abort, the marks after the last closing
            // flag (seven 1s after a flag, no frame under way); the marks before the first flag
            // are not counted.
            let marks_after_flag = (idle == Idle::Marks) as u64;
            assert_eq!(s.aborts, marks_after_flag, "{idle:?}: {s:?}");
        }
    }
}

#[test]
fn spandsp_frames_into_ours() {
    for crc32 in [false, true] {
        for flags in [1, 2, 5] {
            let cfg = Config { fcs: fcs_of(crc32), ..Config::default() };
            let mut rx = HdlcRx::new(cfg);
            let mut sp = SpTx::new(crc32, flags);
            let sent = frames(100 + crc32 as u64 * 10 + flags as u64, 60);
            let mut got = Vec::new();
            let put = |bit: i32, rx: &mut HdlcRx, got: &mut Vec<Vec<u8>>| {
                assert!(bit == 0 || bit == 1, "spandsp gave {bit}");
                rx.put_bit(bit as u8, 0.0);
                while let Some(f) = rx.front() {
                    got.push(f.to_vec());
                    rx.pop();
                }
            };
            for _ in 0..40 {
                put(sp.get_bit(), &mut rx, &mut got);
            }
            for f in &sent {
                while !sp.frame(f) {
                    put(sp.get_bit(), &mut rx, &mut got);
                }
            }
            for _ in 0..(300 + 8) * 10 {
                put(sp.get_bit(), &mut rx, &mut got);
            }
            let s = rx.stats();
            assert_eq!(got.len(), sent.len(), "crc32 {crc32}, {flags} flags: {s:?}");
            assert!(got == sent);
            assert_eq!((s.bad_fcs, s.aborts, s.too_short, s.too_long, s.not_octet_aligned), (0, 0, 0, 0, 0));
        }
    }
}

#[test]
fn aborts_both_ways() {
    // Ours: a frame aborted midway, the next one whole.
    let cfg = Config::default();
    let mut tx = HdlcTx::new(cfg);
    let mut sp = SpRx::new(false, true);
    for _ in 0..40 {
        sp.put_bit(tx.next_bit());
    }
    tx.send(&[0x42; 100]).unwrap();
    tx.send(b"\x03\x3fnext").unwrap();
    for _ in 0..200 {
        sp.put_bit(tx.next_bit());
    }
    assert!(tx.abort());
    for _ in 0..400 {
        sp.put_bit(tx.next_bit());
    }
    assert_eq!(sp.take_frames(), vec![b"\x03\x3fnext".to_vec()]);
    assert_eq!(sp.stats().aborts, 1, "{:?}", sp.stats());

    // spandsp's abort into ours. Measured: `hdlc_tx_abort` in 0.0.6 returns -1 (the header: "0
    // if the frame was aborted, else -1") in the middle of a frame, yet aborts it.
    let mut rx = HdlcRx::new(cfg);
    let mut sp = SpTx::new(false, 1);
    for _ in 0..40 {
        rx.put_bit(sp.get_bit() as u8, 0.0);
    }
    assert!(sp.frame(&[0x42; 100]));
    for _ in 0..200 {
        rx.put_bit(sp.get_bit() as u8, 0.0);
    }
    assert!(!sp.abort());
    for _ in 0..400 {
        let b = sp.get_bit();
        assert!(b == 0 || b == 1);
        rx.put_bit(b as u8, 0.0);
    }
    assert_eq!(rx.stats().aborts, 1, "{:?}", rx.stats());
    assert_eq!(rx.stats().good_frames, 0);
    // And the next frame comes through (spandsp takes it once done with the aborted one).
    let mut n = 0;
    while !sp.frame(b"\x01\x73") {
        rx.put_bit(sp.get_bit() as u8, 0.0);
        n += 1;
        assert!(n < 4000, "spandsp never took another frame");
    }
    for _ in 0..100 {
        rx.put_bit(sp.get_bit() as u8, 0.0);
    }
    assert_eq!(rx.front(), Some(&b"\x01\x73"[..]), "{:?}", rx.stats());
}
