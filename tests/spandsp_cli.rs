#![cfg(not(target_arch = "wasm32"))]
//! Interoperability of the `softmodem` command line with spandsp (Debian's libspandsp, through the
//! test-only `spandsp-peer` crate), for every mode `encode` and `decode` take, in both directions:
//!
//! - spandsp's FSK transmitter, fed by its own 8N1 start-stop framer, sends a known text between
//!   idle marks at -13 dBm0; the signal goes into a WAV file (at 8000 Hz as spandsp makes it, and
//!   once more resampled to 48000 Hz), and `softmodem decode --mode MODE` must print exactly the
//!   text;
//! - `softmodem encode --mode MODE` writes the text as a WAV file (8000 Hz, -13 dBm0), and spandsp's
//!   FSK receiver with its own 8N1 deframer must receive exactly the text.
//!
//! Each on a clean line and at 20 dB SNR: white Gaussian noise (fixed seeds) at a tenth of the
//! signal's RMS, over the 4 kHz band of the 8000 Hz signal (for the 48000 Hz files the noise is
//! added at 8000 Hz before resampling, so the in-band SNR is the same).
//!
//! The margin, measured over 10 seeds per case and direction: every mode decodes without error
//! both ways at 14 dB; at 10 dB spandsp starts to lose characters of our V.23 forward and Bell 202
//! signals (7 and 2 runs of 10) and of V.21 and Bell 103 answer (1 of 10), and we of spandsp's V.23
//! forward (1 of 10).
//!
//! The library-level tests of the same pairs are in `spandsp_fsk.rs`; this file checks what a user
//! of the binary gets: its WAV writing and reading, its resampling, its lead-in and tail.

mod support;

use softmodem::dsp::to_i16;
use softmodem::dsp::Resampler;
use softmodem::fsk;
use softmodem::sim::rng::Rng;
use softmodem::wav::Wav;
use spandsp_peer::{FrameMode, FskRx, FskTx, Preset, SigStatus};
use support::*;

/// Our CLI modes and the spandsp presets that carry the same tones. spandsp's Bell 103 presets are
/// numbered the other way round from V.21's: its channel 1 is the answerer's band (2025/2225 Hz),
/// channel 2 the originator's (1070/1270 Hz).
const MODES: [(&str, Preset); 7] = [
    ("bell103-orig", Preset::Bell103Ch2),
    ("bell103-ans", Preset::Bell103Ch1),
    ("v21-ch1", Preset::V21Ch1),
    ("v21-ch2", Preset::V21Ch2),
    ("v23", Preset::V23Ch1),
    ("v23-back", Preset::V23Ch2),
    ("bell202", Preset::Bell202),
];

/// Transmit level of spandsp (and `softmodem encode`'s default), dBm0.
const LEVEL: f32 = -13.0;
/// The noisy cases' signal-to-noise ratio over the 4 kHz band.
const SNR_DB: f32 = 20.0;
/// Samples per block handed to spandsp.
const BLOCK: usize = 160;
/// Idle mark after the text, in bit times.
const TAIL_BITS: f32 = 30.0;

fn preset_for(mode: &str) -> Preset {
    MODES.iter().find(|m| m.0 == mode).map(|m| m.1).expect("no preset for mode")
}

/// The known text for `mode`: about 150 bytes of prose tagged with the mode, bytes with awkward bit
/// patterns (all zeros, all ones, alternating, ...), and a pseudo-random printable tail.
fn text(mode: &str) -> Vec<u8> {
    let mut t = format!(
        "[{mode} via the CLI] The quick brown fox jumps over the lazy dog; PACK MY BOX WITH FIVE DOZEN LIQUOR JUGS!\r\n"
    )
    .into_bytes();
    t.extend_from_slice(&[0x00, 0xFF, 0x55, 0xAA, 0x80, 0x01, 0x7F, 0xFE]);
    let n = 150usize.saturating_sub(t.len()).max(16);
    t.extend(printable_text(n, mode.len() as u64));
    assert!((140..=170).contains(&t.len()), "{}", t.len());
    t
}

fn to_f32(x: &[i16]) -> Vec<f32> {
    x.iter().map(|&v| v as f32 / 32768.0).collect()
}

/// Adds white Gaussian noise `snr_db` below the RMS of `x` (seeded); returns (signal RMS, noise RMS).
fn add_awgn(x: &mut [f32], snr_db: f32, seed: u64) -> (f32, f32) {
    let s = rms(x);
    assert!(s > 0.0, "silent signal");
    let noise = s / 10f32.powf(snr_db / 20.0);
    let mut r = Rng::new(seed);
    for v in x.iter_mut() {
        *v += noise * r.gaussian();
    }
    let peak = x.iter().fold(0.0f32, |m, v| m.max(v.abs()));
    assert!(peak < 1.0, "noisy signal would clip (peak {peak})");
    (s, noise)
}

/// spandsp's FSK transmitter with its own 8N1 framer sends `data` on `preset` at -13 dBm0, after
/// `lead_bits` bit times of idle mark and followed by [`TAIL_BITS`] more; returns the signal at
/// 8000 Hz.
fn spandsp_sends(preset: Preset, data: &[u8], lead_bits: f32) -> Vec<i16> {
    let baud = preset.spec().baud();
    let mut tx = FskTx::async_8n1(preset);
    tx.set_power(LEVEL);
    let mut out = vec![0i16; (lead_bits * 8000.0 / baud).round() as usize];
    assert_eq!(tx.process(&mut out), out.len());
    tx.write(data);
    let mut buf = [0i16; BLOCK];
    let limit = out.len() + ((data.len() * 10 + 10) as f32 * 8000.0 / baud) as usize + BLOCK;
    while !tx.source().is_idle() {
        assert_eq!(tx.process(&mut buf), BLOCK);
        out.extend_from_slice(&buf);
        assert!(out.len() < limit, "{preset:?}: spandsp did not send everything in time");
    }
    let mut tail = vec![0i16; (TAIL_BITS * 8000.0 / baud).round() as usize];
    assert_eq!(tx.process(&mut tail), tail.len());
    out.extend_from_slice(&tail);
    let src = tx.source();
    assert_eq!(src.taken(), data.len() as u64);
    assert_eq!((src.underruns(), src.desyncs()), (0, 0), "{preset:?}: spandsp's async_tx out of step");
    assert!(tx.statuses().is_empty(), "{preset:?}: {:?}", tx.statuses());
    out
}

/// spandsp transmits into a WAV file, `softmodem decode --mode MODE` reads it: at 8000 and 48000 Hz,
/// clean and at 20 dB SNR, each with its own lead-in (whole and fractional bit times) and noise
/// seed. Fails listing every case that did not give exactly the text with no framing errors.
fn spandsp_to_cli(mode: &str, seed: u64) {
    let preset = preset_for(mode);
    let data = text(mode);
    let s = Scratch::new(&format!("spandsp-to-cli-{mode}"));
    let cases = [(None, 8000, 30.0), (None, 48000, 22.4), (Some(SNR_DB), 8000, 41.7), (Some(SNR_DB), 48000, 25.5)];
    let mut failures = vec![];
    for (i, (snr, rate, lead)) in cases.into_iter().enumerate() {
        let mut x = to_f32(&spandsp_sends(preset, &data, lead));
        let noise = snr.map(|snr| add_awgn(&mut x, snr, seed * 16 + i as u64));
        if rate != 8000 {
            x = Resampler::new(8000.0, rate as f64).process_all(&x);
        }
        let wav = s.write("spandsp.wav", &Wav::emit_pcm16(rate, &x));
        let o = softmodem(["decode", "--mode", mode, &arg(&wav)], None);
        assert_ok(&o, "softmodem decode");
        let err = stderr(&o);
        let clean_stats =
            err.contains(&format!("{} characters, 0 framing errors, 0 parity errors, 0 breaks", data.len()));
        if o.stdout != data || !clean_stats {
            failures.push(format!(
                "spandsp {preset:?} (lead {lead} bits) at {rate} Hz, {} -> softmodem decode --mode {mode}: {} ({} \
                 character errors)\n{err}",
                match noise {
                    Some((sig, n)) => format!("{SNR_DB} dB SNR (signal RMS {sig:.4}, noise RMS {n:.4})"),
                    None => "clean".into(),
                },
                first_difference(&o.stdout, &data),
                char_errors(&o.stdout, &data)
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// `softmodem encode --mode MODE` (8000 Hz, its default level), spandsp receives with its own 8N1
/// deframer: clean and at 20 dB SNR.
///
/// spandsp's receiver runs with `FrameMode::Async` bit timing, the one fsk.h gives for start-stop
/// data (see `spandsp_fsk.rs` for why not `FrameMode::Sync`).
fn cli_to_spandsp(mode: &str, seed: u64) {
    let preset = preset_for(mode);
    let data = text(mode);
    let s = Scratch::new(&format!("cli-to-spandsp-{mode}"));
    let input = s.write("text.txt", &data);
    let wav_path = s.path("softmodem.wav");
    let o = softmodem(["encode", "--mode", mode, &arg(&input), &arg(&wav_path)], None);
    assert_ok(&o, "softmodem encode");
    let wav = Wav::parse(&std::fs::read(&wav_path).expect("read WAV")).expect("parse WAV");
    assert_eq!((wav.sample_rate, wav.channels, wav.bits_per_sample), (8000, 1, 16), "{mode}");
    let mut failures = vec![];
    for (i, snr) in [None, Some(SNR_DB)].into_iter().enumerate() {
        let mut x = wav.samples.clone();
        let noise = snr.map(|snr| add_awgn(&mut x, snr, seed * 16 + 8 + i as u64));
        let pcm: Vec<i16> = x.iter().map(|&v| to_i16(v)).collect();
        let mut rx = FskRx::async_8n1(preset, FrameMode::Async);
        for block in pcm.chunks(BLOCK) {
            assert_eq!(rx.process(block), 0);
        }
        let got = rx.received();
        let statuses = rx.statuses();
        if got != &data[..] || statuses != [SigStatus::CarrierUp.raw()] {
            failures.push(format!(
                "softmodem encode --mode {mode}, {} -> spandsp {preset:?}: {} ({} character errors), statuses {:?}",
                match noise {
                    Some((sig, n)) => format!("{SNR_DB} dB SNR (signal RMS {sig:.4}, noise RMS {n:.4})"),
                    None => "clean".into(),
                },
                first_difference(got, &data),
                char_errors(got, &data),
                statuses.iter().map(|&c| SigStatus::from_raw(c)).collect::<Vec<_>>()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

macro_rules! mode_tests {
    ($($name:ident: $mode:expr, $seed:expr;)*) => {$(
        mod $name {
            use super::*;

            #[test]
            fn spandsp_to_softmodem_decode() {
                spandsp_to_cli($mode, $seed);
            }

            #[test]
            fn softmodem_encode_to_spandsp() {
                cli_to_spandsp($mode, $seed);
            }
        }
    )*};
}

mode_tests! {
    bell103_orig: "bell103-orig", 31;
    bell103_ans: "bell103-ans", 32;
    v21_ch1: "v21-ch1", 41;
    v21_ch2: "v21-ch2", 42;
    v23: "v23", 51;
    v23_back: "v23-back", 52;
    bell202: "bell202", 61;
}

/// The table above pairs each mode with the spandsp preset of the same tones and rate (this is what
/// catches spandsp's reversed Bell 103 numbering), and covers every mode the CLI has.
#[test]
fn every_mode_has_the_matching_preset() {
    assert_eq!(MODES.len(), fsk::CHANNELS.len());
    for c in fsk::CHANNELS {
        let p = preset_for(c.name).spec();
        assert_eq!((p.freq_one as f32, p.freq_zero as f32, p.baud()), (c.mark, c.space, c.baud), "{} vs {p:?}", c.name);
    }
}
