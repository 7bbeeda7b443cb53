//! Round trips through our own encoder and decoder, and malformed input.

use super::*;

fn rng(seed: &mut u64) -> u32 {
    *seed ^= *seed << 13;
    *seed ^= *seed >> 7;
    *seed ^= *seed << 17;
    (*seed >> 16) as u32
}

fn text(n: usize) -> Vec<u8> {
    let words = ["the ", "quick ", "brown ", "fox ", "jumps ", "over ", "lazy ", "dog\r\n", "modem ", "V.42bis "];
    let mut s = 0x1234_5678u64;
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

/// Encodes in chunks of `chunk`, flushing after each chunk when `flush`, and decodes.
fn round_trip(p: Params, data: &[u8], chunk: usize, flush: bool) -> (Vec<u8>, bool) {
    let (mut enc, mut dec) = (Encoder::new(p), Decoder::new(p));
    let mut line = Vec::new();
    let mut went_transparent = false;
    for c in data.chunks(chunk.max(1)) {
        enc.encode(c, &mut |b| line.push(b));
        went_transparent |= enc.is_transparent();
        if flush {
            enc.flush(&mut |b| line.push(b));
        }
    }
    enc.flush(&mut |b| line.push(b));
    let mut got = Vec::new();
    // Decode in odd pieces too.
    for piece in line.chunks(7) {
        dec.decode(piece, &mut |b| got.push(b)).unwrap();
    }
    assert_eq!(got.len(), data.len());
    assert!(got == data, "round trip differs (N2 {}, N7 {})", p.n2(), p.n7());
    (line, went_transparent)
}

#[test]
fn text_round_trips_and_compresses() {
    let data = text(20_000);
    let (line, transparent) = round_trip(Params::default(), &data, 20_000, false);
    assert!(line.len() < data.len() / 2, "{} from {}", line.len(), data.len());
    assert!(!transparent);
}

#[test]
fn random_data_goes_transparent_and_back() {
    let mut data = random(10_000, 7);
    data.extend(text(10_000));
    data.extend(random(5_000, 9));
    let (mut enc, mut dec) = (Encoder::new(Params::default()), Decoder::new(Params::default()));
    let mut line = Vec::new();
    let mut modes = Vec::new();
    for c in data.chunks(100) {
        enc.encode(c, &mut |b| line.push(b));
        if modes.last() != Some(&enc.is_transparent()) {
            modes.push(enc.is_transparent());
        }
    }
    enc.flush(&mut |b| line.push(b));
    assert_eq!(modes, [false, true, false, true]);
    assert!(line.len() < data.len() * 101 / 100 + 16, "{} from {}", line.len(), data.len());
    let mut got = Vec::new();
    dec.decode(&line, &mut |b| got.push(b)).unwrap();
    assert!(got == data);
}

#[test]
fn every_size_and_string_length_with_flushes_anywhere() {
    let mut s = 99u64;
    for n2 in [512, 1024, 2048, 4096] {
        for n7 in [6, 32, 250] {
            let p = Params::new(n2, n7).unwrap();
            let mut data = text(6000);
            data.extend(random(3000, n2 as u64 + n7 as u64));
            data.extend(std::iter::repeat_n(b'a', 3000));
            data.extend(text(3000));
            round_trip(p, &data, 6000 + 3000 + 3000 + 3000, false);
            let chunk = 1 + rng(&mut s) as usize % 50;
            round_trip(p, &data, chunk, true);
        }
    }
}

#[test]
fn long_repetitive_data_fills_and_recovers_the_dictionary() {
    // Many distinct strings: the dictionary fills and leaves are recovered, many times over.
    let mut data = Vec::new();
    let mut s = 5u64;
    for _ in 0..40_000 {
        let w = rng(&mut s) % 4000;
        data.extend_from_slice(format!("{w} ").as_bytes());
    }
    for p in [Params::new(512, 6).unwrap(), Params::new(512, 250).unwrap(), Params::default()] {
        round_trip(p, &data, 1000, false);
    }
    let same = std::iter::repeat_n(b"abcabcabd".as_slice(), 5000).flatten().copied().collect::<Vec<_>>();
    let (line, _) = round_trip(Params::new(512, 250).unwrap(), &same, 4096, false);
    assert!(line.len() < same.len() / 6, "{} from {}", line.len(), same.len());
}

#[test]
fn escape_characters_in_transparent_mode() {
    // Every value, many times: the escape character cycles through the values it takes.
    let mut data: Vec<u8> = (0..=255).cycle().take(20_000).collect();
    data.extend(random(5000, 3));
    data.extend([0, 51, 102, 153, 204, 255, 0, 0, 51]);
    let p = Params::new(512, 6).unwrap();
    let (mut enc, mut dec) = (Encoder::new(p), Decoder::new(p));
    let mut line = Vec::new();
    enc.enter_transparent(&mut |b| line.push(b));
    enc.set_dynamic(false);
    enc.encode(&data, &mut |b| line.push(b));
    enc.reset_dictionary(&mut |b| line.push(b));
    enc.enter_compressed(&mut |b| line.push(b));
    enc.encode(&data, &mut |b| line.push(b));
    enc.flush(&mut |b| line.push(b));
    let mut got = Vec::new();
    dec.decode(&line, &mut |b| got.push(b)).unwrap();
    assert!(got == [&data[..], &data[..]].concat());
}

#[test]
fn malformed_input_is_an_error_and_reset_recovers() {
    let p = Params::new(512, 6).unwrap();
    let mut dec = Decoder::new(p);
    let mut sink = |_| {};
    // Escape (0) and ECM, then codeword 300 (9 bits, LSB first) before any string was made.
    let bad = [0, ECM, (300u16 & 0xff) as u8, (300 >> 8) as u8];
    assert_eq!(dec.decode(&bad, &mut sink), Err(DecodeError::UnknownCodeword(300)));
    assert_eq!(dec.decode(b"x", &mut sink), Err(DecodeError::UnknownCodeword(300)));
    dec.reset();
    // Escape and 7.
    assert_eq!(dec.decode(&[b'a', 0, 7], &mut sink), Err(DecodeError::BadCommand(7)));
    dec.reset();
    // STEPUP past N1 = 9 bits.
    assert_eq!(dec.decode(&[0, ECM, 2, 0], &mut sink), Err(DecodeError::StepUpPastN1));
    dec.reset();
    let mut got = Vec::new();
    let (mut enc, mut line) = (Encoder::new(p), Vec::new());
    enc.encode(b"hello hello", &mut |b| line.push(b));
    enc.flush(&mut |b| line.push(b));
    dec.decode(&line, &mut |b| got.push(b)).unwrap();
    assert_eq!(got, b"hello hello");
}

#[test]
fn random_input_never_panics_and_output_is_bounded() {
    for seed in 1..300u64 {
        let line = random(1 + seed as usize * 3, seed);
        for p in [Params::new(512, 6).unwrap(), Params::new(4096, 250).unwrap()] {
            let mut dec = Decoder::new(p);
            let mut n = 0usize;
            let _ = dec.decode(&line, &mut |_| n += 1);
            assert!(n <= line.len() * 8 / 9 * p.n7() as usize + line.len());
        }
    }
}

#[test]
fn params() {
    assert_eq!(Params::new(511, 6), Err(ParamError::Codewords(511)));
    assert_eq!(Params::new(512, 5), Err(ParamError::StringLength(5)));
    assert_eq!(Params::new(4097, 6), Err(ParamError::Codewords(4097)));
    assert_eq!(Params::new(512, 6).unwrap().n1(), 9);
    assert_eq!(Params::default().n1(), 11);
    assert_eq!(Params::new(4096, 250).unwrap().n1(), 12);
    assert_eq!(Params::new(600, 6).unwrap().n1(), 10);
}
