//! Runs every fuzz target's body on seeded random input, so `cargo test` checks what the fuzzers
//! check (no panics on any input) even where cargo-fuzz is not run. `./build.sh fuzz` runs the real
//! fuzzers.
#![cfg(not(target_arch = "wasm32"))]

use softmodem::fuzzing;
use softmodem::rng::Rng;
use softmodem::wav::Wav;

fn inputs(seed: u64, count: usize, max_len: usize) -> Vec<Vec<u8>> {
    let mut r = Rng::new(seed);
    (0..count)
        .map(|_| {
            let n = r.below(max_len as u32) as usize;
            let mut v = vec![0; n];
            r.fill(&mut v);
            v
        })
        .collect()
}

#[test]
fn wav_parse_survives_random_and_mutated_files() {
    for v in inputs(1, 2000, 200) {
        fuzzing::wav_parse(&v);
    }
    // Mutations of a valid file reach deeper than random bytes.
    let good = Wav::emit_pcm16(8000, &[0.1; 50]);
    let mut r = Rng::new(2);
    for _ in 0..5000 {
        let mut v = good.clone();
        for _ in 0..1 + r.below(4) {
            let i = r.below(v.len() as u32) as usize;
            v[i] = r.next_u32() as u8;
        }
        let cut = r.below(v.len() as u32 + 1) as usize;
        fuzzing::wav_parse(&v[..cut.max(v.len() / 2)]);
    }
}

#[test]
fn deframer_survives_random_bits() {
    for v in inputs(3, 2000, 300) {
        fuzzing::deframer(&v);
    }
}

#[test]
fn fsk_receivers_survive_random_audio() {
    for v in inputs(4, 60, 40_000) {
        fuzzing::fsk_receiver(&v);
    }
}

#[test]
fn v22_receivers_survive_random_audio() {
    for v in inputs(6, 40, 40_000) {
        fuzzing::v22_receiver(&v);
    }
}

#[test]
fn modems_survive_random_audio() {
    for v in inputs(5, 40, 30_000) {
        fuzzing::modem(&v);
    }
}
