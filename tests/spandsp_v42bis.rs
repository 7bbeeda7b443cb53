//! V.42bis against spandsp's (Debian libspandsp 0.0.6, through `peers/spandsp/src/v42bis.rs`):
//! our encoder into spandsp's decompressor and spandsp's compressor into our decoder, on text,
//! random data and data that fills the dictionary, with flushes, for several N2 and N7. The data
//! must come out exactly.
#![cfg(not(target_arch = "wasm32"))]

use softmodem::v42bis::{Decoder, Encoder, Params};
use spandsp_peer::v42bis::{CompressionMode, V42bis};

fn rng(seed: &mut u64) -> u32 {
    *seed ^= *seed << 13;
    *seed ^= *seed >> 7;
    *seed ^= *seed << 17;
    (*seed >> 16) as u32
}

fn text(n: usize, seed: u64) -> Vec<u8> {
    let words = ["the ", "quick ", "brown ", "fox ", "jumps ", "over ", "lazy ", "dog\r\n", "modem ", "V.42bis "];
    let mut s = seed | 1;
    let mut v = Vec::new();
    while v.len() < n {
        v.extend_from_slice(words[rng(&mut s) as usize % words.len()].as_bytes());
    }
    v.truncate(n);
    v
}

fn random(n: usize, seed: u64) -> Vec<u8> {
    let mut s = seed | 1;
    (0..n).map(|_| rng(&mut s) as u8).collect()
}

/// Many distinct strings: the dictionary fills and recovers leaves.
fn numbers(n: usize, seed: u64) -> Vec<u8> {
    let mut s = seed | 1;
    let mut v = Vec::new();
    while v.len() < n {
        v.extend_from_slice(format!("{} ", rng(&mut s) % 5000).as_bytes());
    }
    v.truncate(n);
    v
}

fn ours_to_spandsp(n2: u16, n7: u8, data: &[u8], chunk: usize, flush_each: bool) {
    let p = Params::new(n2, n7).unwrap();
    let mut enc = Encoder::new(p);
    let mut sp = V42bis::new(n2, n7).expect("spandsp takes the parameters");
    let mut line = Vec::new();
    for c in data.chunks(chunk) {
        enc.encode(c, &mut |b| line.push(b));
        if flush_each {
            enc.flush(&mut |b| line.push(b));
        }
    }
    enc.flush(&mut |b| line.push(b));
    sp.decompress(&line);
    sp.decompress_flush();
    let got = sp.take_decompressed();
    assert_eq!(got.len(), data.len(), "N2 {n2} N7 {n7}: lengths");
    let first = got.iter().zip(data).position(|(a, b)| a != b);
    assert_eq!(first, None, "N2 {n2} N7 {n7}: first difference");
}

/// Returns whether our decoder was in transparent mode after some chunk.
fn spandsp_to_ours(n2: u16, n7: u8, data: &[u8], chunk: usize, mode: CompressionMode, flush_each: bool) -> bool {
    let p = Params::new(n2, n7).unwrap();
    let mut dec = Decoder::new(p);
    let mut sp = V42bis::new(n2, n7).expect("spandsp takes the parameters");
    sp.set_mode(mode);
    let mut got = Vec::new();
    let mut transparent = false;
    for c in data.chunks(chunk) {
        sp.compress(c);
        if flush_each {
            sp.compress_flush();
        }
        for b in sp.take_compressed() {
            dec.decode(&[b], &mut |b| got.push(b))
                .unwrap_or_else(|e| panic!("N2 {n2} N7 {n7}: {e} after {}", got.len()));
            transparent |= dec.is_transparent() && got.len() > 1;
        }
    }
    sp.compress_flush();
    dec.decode(&sp.take_compressed(), &mut |b| got.push(b)).unwrap();
    assert_eq!(got.len(), data.len(), "N2 {n2} N7 {n7}: lengths");
    let first = got.iter().zip(data).position(|(a, b)| a != b);
    assert_eq!(first, None, "N2 {n2} N7 {n7}: first difference");
    transparent
}

const SIZES: [(u16, u8); 6] = [(512, 6), (512, 32), (1024, 32), (2048, 32), (2048, 250), (4096, 250)];

#[test]
fn spandsp_takes_our_parameters() {
    for (n2, n7) in [(512, 6), (1024, 32), (2048, 32), (4096, 250)] {
        assert!(V42bis::new(n2, n7).is_some(), "{n2} {n7}");
    }
}

#[test]
fn text_ours_to_spandsp() {
    for (n2, n7) in SIZES {
        ours_to_spandsp(n2, n7, &text(30_000, 1), 30_000, false);
    }
}

#[test]
fn text_spandsp_to_ours() {
    for (n2, n7) in SIZES {
        spandsp_to_ours(n2, n7, &text(30_000, 2), 30_000, CompressionMode::Always, false);
    }
}

#[test]
fn full_dictionary_both_ways() {
    for (n2, n7) in SIZES {
        ours_to_spandsp(n2, n7, &numbers(60_000, 3), 60_000, false);
        spandsp_to_ours(n2, n7, &numbers(60_000, 4), 60_000, CompressionMode::Always, false);
    }
}

#[test]
fn flushes_both_ways() {
    for (n2, n7) in SIZES {
        ours_to_spandsp(n2, n7, &text(20_000, 5), 37, true);
        spandsp_to_ours(n2, n7, &text(20_000, 6), 37, CompressionMode::Always, true);
    }
}

#[test]
fn random_data_ours_to_spandsp() {
    for (n2, n7) in SIZES {
        let mut data = random(10_000, 7);
        data.extend(text(10_000, 8));
        data.extend(random(5_000, 9));
        ours_to_spandsp(n2, n7, &data, 500, false);
    }
}

#[test]
fn random_data_spandsp_to_ours() {
    for (n2, n7) in SIZES {
        let mut data = random(10_000, 10);
        data.extend(text(10_000, 11));
        data.extend(random(5_000, 12));
        // spandsp's own test takes it to transparent mode and back (escapes and all).
        assert!(spandsp_to_ours(n2, n7, &data, 500, CompressionMode::Dynamic, false));
        assert!(!spandsp_to_ours(n2, n7, &data, 500, CompressionMode::Always, false));
        spandsp_to_ours(n2, n7, &data, 500, CompressionMode::Never, false);
    }
}

/// Our encoder, in compressed mode from the first string as spandsp's "always" mode is, sends the
/// very same octets as spandsp's compressor: same start in transparent mode, same string matching,
/// same entries recovered, same STEPUPs, same FLUSHes. On some data the two part after a
/// thousand octets or more, each stream still decoding at the other end (see
/// docs/notes/v42bis.md on the entry created last).
#[test]
fn same_octets_as_spandsp() {
    for (n2, n7, data, same) in [
        (1024, 32, numbers(30_000, 14), usize::MAX),
        (2048, 250, numbers(30_000, 16), usize::MAX),
        (512, 32, text(30_000, 13), 5000),
        (2048, 32, text(30_000, 15), 1400),
        (4096, 250, text(30_000, 17), 3900),
    ] {
        let mut enc = Encoder::new(Params::new(n2, n7).unwrap());
        let mut ours = Vec::new();
        let mut sp = V42bis::new(n2, n7).unwrap();
        sp.set_mode(CompressionMode::Always);
        for c in data.chunks(1000) {
            enc.encode(c, &mut |b| ours.push(b));
            enc.flush(&mut |b| ours.push(b));
            sp.compress(c);
            sp.compress_flush();
        }
        let theirs = sp.take_compressed();
        let first = ours.iter().zip(&theirs).position(|(a, b)| a != b);
        if same == usize::MAX {
            assert_eq!((first, ours.len()), (None, theirs.len()), "N2 {n2} N7 {n7}");
        } else {
            assert!(first.unwrap_or(usize::MAX) >= same, "N2 {n2} N7 {n7}: they part at {first:?}");
        }
    }
}
