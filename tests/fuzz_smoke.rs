//! Runs every fuzz target's body on seeded random input, so `cargo test` checks what the fuzzers
//! check (no panics on any input) even where cargo-fuzz is not run. `./build.sh fuzz` runs the real
//! fuzzers.
#![cfg(not(target_arch = "wasm32"))]

use softmodem::fuzzing;
use softmodem::sim::rng::Rng;
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
fn v42bis_decoder_survives_random_streams_and_round_trips() {
    for v in inputs(21, 3000, 400) {
        fuzzing::v42bis_decoder(&v);
    }
    // Every parameter choice on text, on bytes of every value and on our own streams.
    let text = b"to be or not to be, that is the question; to be or not to be\r\n".repeat(4);
    let all: Vec<u8> = (0..=255).collect();
    for sel in 0..32u8 {
        fuzzing::v42bis_decoder(&[&[sel][..], &text].concat());
        fuzzing::v42bis_decoder(&[&[sel][..], &all].concat());
        let mut enc = softmodem::v42bis::Encoder::new(Default::default());
        let mut line = vec![sel];
        enc.encode(&text, &mut |b| line.push(b));
        enc.flush(&mut |b| line.push(b));
        fuzzing::v42bis_decoder(&line);
    }
}

#[test]
fn deframer_survives_random_bits() {
    for v in inputs(3, 2000, 300) {
        fuzzing::deframer(&v);
    }
    // Every format, with V.14 on and off, on text and on bytes of every value.
    let text = b"The quick brown fox, 0123456789\r\n";
    let all: Vec<u8> = (0..=255).collect();
    for sel in 0..=255u8 {
        fuzzing::deframer(&[&[sel][..], text].concat());
        fuzzing::deframer(&[&[sel][..], &all].concat());
    }
}

#[test]
fn hdlc_deframer_survives_random_bits() {
    for v in inputs(30, 2000, 300) {
        fuzzing::hdlc_deframer(&v);
    }
    // Every configuration, on bits of every value and on long runs of ones and zeros.
    let all: Vec<u8> = (0..=255).collect();
    let ones = [0xFFu8; 64];
    let flags = [0x7Eu8; 64];
    for sel in 0..=255u8 {
        fuzzing::hdlc_deframer(&[&[sel][..], &all].concat());
        fuzzing::hdlc_deframer(&[&[sel][..], &ones, &flags, &all, &[0; 40]].concat());
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

#[test]
fn automode_survives_random_audio() {
    // Automode in both roles, with and without the answer tone and V.8, on noise and tones.
    let mut r = Rng::new(41);
    for sel in [0x07u8, 0x0F, 0x47, 0x4F] {
        let mut v = vec![sel];
        let mut noise = vec![0u8; 60_000];
        r.fill(&mut noise);
        v.extend_from_slice(&noise);
        fuzzing::modem(&v);
    }
}

#[test]
fn at_parser_survives_random_and_command_like_lines() {
    for v in inputs(7, 3000, 300) {
        fuzzing::at_parser(&v);
    }
    // Random lines over the command alphabet reach deeper than random bytes.
    let alphabet = b"ATDSEQVXHIOZLMP&+=?;,W!\"0123456789 MSGCAPV22B";
    let mut r = Rng::new(8);
    for _ in 0..5000 {
        let n = r.below(60) as usize;
        let v: Vec<u8> = (0..n).map(|_| alphabet[r.below(alphabet.len() as u32) as usize]).collect();
        fuzzing::at_parser(&v);
    }
}

#[test]
fn hayes_interpreter_survives_random_operations() {
    for v in inputs(9, 6000, 600) {
        fuzzing::hayes(&v);
    }
}

#[test]
fn phone_response_parser_survives_random_and_response_like_bytes() {
    for v in inputs(101, 3000, 400) {
        fuzzing::phone_response(&v);
    }
    // Random text over the response alphabet reaches deeper than random bytes.
    let alphabet = b"\r\n\0+CLCCINDEVRGOKBUSYNO ARIP:\"(),-0123456789 MEES";
    let mut r = Rng::new(102);
    for _ in 0..5000 {
        let n = r.below(200) as usize;
        let v: Vec<u8> = (0..n).map(|_| alphabet[r.below(alphabet.len() as u32) as usize]).collect();
        fuzzing::phone_response(&v);
    }
}

#[test]
fn phone_control_survives_random_operations() {
    for v in inputs(103, 1500, 300) {
        fuzzing::phone_control(&v);
    }
}

/// Tone-burst inputs for the tone detectors' bodies (a first byte that is odd, then 4 bytes a burst:
/// frequency indices, length, level and flags, offset; see `fuzzing::tone_audio`) that they
/// recognise, each mutated `count` times: a North American busy tone, DTMF digits "12D6", ANS with
/// phase reversals followed by calling tone bursts.
fn tone_inputs(seed: u64, count: usize) -> Vec<Vec<u8>> {
    let mut busy = vec![1u8];
    for _ in 0..4 {
        busy.extend([0x43, 99, 64 | 16, 0, 0, 99, 63, 0]);
    }
    let mut dtmf = vec![1u8];
    for b0 in [0x95u8, 0xA5, 0xC8, 0xB6] {
        dtmf.extend([b0, 9, 64 | 10, 0, 0, 9, 63, 0]);
    }
    let mut ans = vec![1u8];
    for i in 0..4u8 {
        ans.extend([0xEE, 89, 13 | if i > 0 { 128 } else { 0 }, 0]);
    }
    ans.extend([0, 20, 63, 0, 0xDD, 119, 13, 0, 0, 255, 63, 0, 0xDD, 119, 13, 0]);
    let mut r = Rng::new(seed);
    let mut out = Vec::new();
    for good in [busy, dtmf, ans] {
        for _ in 0..count {
            let mut v = good.clone();
            for _ in 0..r.below(4) {
                let i = 1 + r.below(v.len() as u32 - 1) as usize;
                v[i] = r.next_u32() as u8;
            }
            out.push(v);
        }
    }
    out
}

#[test]
fn dtmf_detector_survives_random_audio_and_tones() {
    // Odd first bytes make tone bursts, even ones raw audio: half of each.
    for v in inputs(120, 60, 20_000).into_iter().chain(tone_inputs(123, 40)) {
        fuzzing::dtmf_detector(&v);
    }
}

#[test]
fn call_progress_detector_survives_random_audio_and_tones() {
    for v in inputs(121, 60, 20_000).into_iter().chain(tone_inputs(124, 40)) {
        fuzzing::call_progress(&v);
    }
}

#[test]
fn answer_tone_detector_survives_random_audio_and_tones() {
    for v in inputs(122, 60, 20_000).into_iter().chain(tone_inputs(125, 40)) {
        fuzzing::answer_tone_detector(&v);
    }
}

#[test]
fn dce_survives_random_operations() {
    // Random bytes, and streams of the operations that reach calls: canned command lines (op 1),
    // phone lines (3), time (4, 5), buttons (7), a far modem (8), tones (9), the simulated phone (10).
    let mut r = Rng::new(130);
    let mut made = Vec::new();
    for _ in 0..60 {
        let mut v = vec![r.below(256) as u8];
        for _ in 0..r.below(120) {
            let op = [1u8, 1, 3, 4, 5, 7, 8, 9, 10, 11, 13, 14][r.below(12) as usize];
            v.push(op | ((r.below(16) as u8) << 4));
        }
        made.push(v);
    }
    for v in inputs(131, 60, 600).into_iter().chain(made) {
        fuzzing::dce(&v);
    }
}

#[test]
fn v8_menu_parser_survives_random_and_mutated_menus() {
    for v in inputs(130, 3000, 24) {
        fuzzing::v8_menu(&v);
    }
    let good = [0xC1u8, 0x45, 0x12, 0x94, 0x2A, 0x4D, 0x87];
    let mut r = Rng::new(131);
    for _ in 0..5000 {
        let mut v = good.to_vec();
        for _ in 0..1 + r.below(3) {
            let i = r.below(v.len() as u32) as usize;
            v[i] = r.next_u32() as u8;
        }
        let cut = r.below(v.len() as u32 + 1) as usize;
        fuzzing::v8_menu(&v[..cut]);
    }
}

#[test]
fn v8_receiver_survives_random_bits() {
    for v in inputs(132, 2000, 200) {
        fuzzing::v8_receiver(&v);
    }
    // Sequences with zero octets next to CI's zero synchronisation octet.
    for v in [&[0u8, 0, 0][..], &[0, 0], &[3, 0, 0, 0x55], &[0, 0, 0xC1, 0, 0, 0]] {
        fuzzing::v8_receiver(v);
    }
    // Mostly ones with a few zeros, which look more like V.8 than random bytes do.
    let mut r = Rng::new(133);
    for _ in 0..500 {
        let v: Vec<u8> = (0..r.below(300)).map(|_| if r.below(4) == 0 { r.next_u32() as u8 } else { 0xFF }).collect();
        fuzzing::v8_receiver(&v);
    }
}

#[test]
fn ansi_terminal_survives_random_and_ansi_like_bytes() {
    for v in inputs(15, 300, 3000) {
        fuzzing::ansi_terminal(&v);
    }
    // Random bytes rarely make whole control sequences: pieces of ANSI shuffled together do.
    let pieces: [&[u8]; 16] = [
        b"\x1b[",
        b"1;31m",
        b"?33h",
        b"=255h",
        b"\x00",
        b"2J",
        b"5;10r",
        b"6n",
        b"|T200L8CDE\x0e",
        b"=2M",
        b"M",
        b"\x1bP",
        b"\x1b\\",
        b"99999999;",
        b"\r\n",
        b"\xdb\xb0 text",
    ];
    let mut r = Rng::new(16);
    for _ in 0..300 {
        let mut v = vec![r.next_u32() as u8];
        for _ in 0..r.below(200) {
            v.extend_from_slice(pieces[r.below(pieces.len() as u32) as usize]);
        }
        fuzzing::ansi_terminal(&v);
    }
}

#[test]
fn zmodem_frames_survive_random_and_mutated_sessions() {
    for v in inputs(41, 200, 3000) {
        fuzzing::zmodem_frames(&v);
    }
    // A real session each way, with octets changed: both ends must still end, never hang.
    let mut r = Rng::new(42);
    for sel in 0..16u8 {
        let good = fuzzing::zmodem_seed(sel & 4 == 0, sel);
        assert!(good.len() > if sel & 4 == 0 { 3000 } else { 100 }, "the seed holds a session");
        fuzzing::zmodem_frames(&good);
        for _ in 0..20 {
            let mut v = good.clone();
            for _ in 0..1 + r.below(6) {
                let i = 1 + r.below(v.len() as u32 - 1) as usize;
                v[i] = r.next_u32() as u8;
            }
            fuzzing::zmodem_frames(&v);
        }
    }
}

#[test]
fn xmodem_blocks_survive_random_input_and_sessions() {
    for v in inputs(43, 200, 3000) {
        fuzzing::xmodem_blocks(&v);
    }
    for sel in 0..16u8 {
        fuzzing::xmodem_blocks(&fuzzing::xmodem_seed(sel));
    }
}

#[test]
fn ppp_frames_survive_random_input() {
    for v in inputs(51, 2000, 600) {
        fuzzing::ppp_frames(&v);
    }
}

#[test]
fn chat_script_survives_random_and_mutated_scripts() {
    for v in inputs(61, 2000, 400) {
        fuzzing::chat_script(&v);
    }
    // Mutations of the seeds reach deeper than random bytes: scripts that parse, runs that match.
    let mut r = Rng::new(62);
    for (_, good) in fuzzing::chat_seeds() {
        fuzzing::chat_script(&good);
        for _ in 0..200 {
            let mut v = good.clone();
            for _ in 0..1 + r.below(4) {
                let i = r.below(v.len() as u32) as usize;
                v[i] = r.next_u32() as u8;
            }
            fuzzing::chat_script(&v);
        }
    }
}

#[test]
fn telnet_stream_survives_random_and_mutated_sessions() {
    for v in inputs(63, 2000, 600) {
        fuzzing::telnet_stream(&v);
    }
    let mut r = Rng::new(64);
    for (_, good) in fuzzing::telnet_seeds() {
        fuzzing::telnet_stream(&good);
        for _ in 0..200 {
            let mut v = good.clone();
            for _ in 0..1 + r.below(4) {
                let i = r.below(v.len() as u32) as usize;
                v[i] = r.next_u32() as u8;
            }
            fuzzing::telnet_stream(&v);
        }
    }
}

/// `body` on `seed` and on mutations of it (1 to 4 octets changed).
fn mutate_seed(seed_rng: u64, good: &[u8], count: usize, body: fn(&[u8])) {
    let mut r = Rng::new(seed_rng);
    body(good);
    for _ in 0..count {
        let mut v = good.to_vec();
        for _ in 0..1 + r.below(4) {
            let i = r.below(v.len() as u32) as usize;
            v[i] = r.next_u32() as u8;
        }
        body(&v);
    }
}

#[test]
fn ppp_negotiation_survives_random_and_mutated_sessions() {
    for v in inputs(71, 300, 600) {
        fuzzing::ppp_negotiation(&v);
    }
    for sel in 0..3 {
        mutate_seed(72 + sel as u64, &fuzzing::ppp_negotiation_seed(sel), 40, fuzzing::ppp_negotiation);
    }
}

#[test]
fn ppp_options_and_authentication_survive_random_input() {
    for v in inputs(73, 3000, 80) {
        fuzzing::ppp_options(&v);
        fuzzing::ppp_auth(&v);
    }
    // A CHAP challenge and a PAP request, mutated.
    mutate_seed(74, &[0, 0x01, 0x05, 0x00, 0x0C, 0x04, 1, 2, 3, 4, b's', b'r', b'v'], 500, fuzzing::ppp_auth);
    mutate_seed(75, &[3, 0x01, 0x01, 0x00, 0x0E, 0x04, b'u', b's', b'e', b'r', 0x04, b'p', b'a', b's', b's'], 500, fuzzing::ppp_auth);
}

#[test]
fn http_responses_survive_random_and_mutated_input() {
    for v in inputs(76, 2000, 300) {
        fuzzing::http_response(&v);
    }
    let good = b"\x08HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n5\r\nhello\r\n0\r\n\r\n";
    mutate_seed(77, good, 2000, fuzzing::http_response);
}
