#![cfg(not(target_arch = "wasm32"))]
//! The `softmodem` command line: encode/decode round trips, the WAV it writes, and its errors.

mod support;

use softmodem::dsp::dbm0_to_peak;
use softmodem::wav::Wav;
use std::path::Path;
use support::*;

const MODES: [(&str, f64); 7] = [
    ("bell103-orig", 300.0),
    ("bell103-ans", 300.0),
    ("v21-ch1", 300.0),
    ("v21-ch2", 300.0),
    ("v23", 1200.0),
    ("v23-back", 75.0),
    ("bell202", 1200.0),
];

const RATES: [u32; 4] = [8000, 11025, 44100, 48000];

/// Encodes `data` in `mode` at `rate` with `extra` options, decodes it with `decode_extra`, and
/// returns the decoded bytes.
fn round_trip(s: &Scratch, mode: &str, rate: u32, extra: &[&str], decode_extra: &[&str], data: &[u8]) -> Vec<u8> {
    let input = s.write(&format!("in-{mode}-{rate}.bin"), data);
    let wav = s.path(&format!("out-{mode}-{rate}.wav"));
    let mut args = vec!["encode".to_string(), "--mode".into(), mode.into(), "--rate".into(), rate.to_string()];
    args.extend(extra.iter().map(|s| s.to_string()));
    args.extend([arg(&input), arg(&wav)]);
    let o = softmodem(&args, None);
    assert_ok(&o, &format!("encode {args:?}"));
    let mut args = vec!["decode".to_string(), "--mode".into(), mode.into()];
    args.extend(decode_extra.iter().map(|s| s.to_string()));
    args.push(arg(&wav));
    let o = softmodem(&args, None);
    assert_ok(&o, &format!("decode {args:?}"));
    o.stdout
}

fn round_trip_every_rate(mode: &str) {
    let s = Scratch::new(&format!("rt-{mode}"));
    let data = binary_text();
    assert!(data.len() > 256);
    for rate in RATES {
        let got = round_trip(&s, mode, rate, &[], &[], &data);
        assert!(got == data, "{mode} at {rate} Hz: {}", first_difference(&got, &data));
    }
}

#[test]
fn round_trip_bell103_orig() {
    round_trip_every_rate("bell103-orig");
}

#[test]
fn round_trip_bell103_ans() {
    round_trip_every_rate("bell103-ans");
}

#[test]
fn round_trip_v21_ch1() {
    round_trip_every_rate("v21-ch1");
}

#[test]
fn round_trip_v21_ch2() {
    round_trip_every_rate("v21-ch2");
}

#[test]
fn round_trip_v23() {
    round_trip_every_rate("v23");
}

#[test]
fn round_trip_v23_back() {
    round_trip_every_rate("v23-back");
}

#[test]
fn round_trip_bell202() {
    round_trip_every_rate("bell202");
}

#[test]
fn round_trip_through_stdin_and_stdout() {
    let data = binary_text();
    let o = softmodem(["encode", "--mode", "bell202", "--rate", "44100", "-", "-"], Some(&data));
    assert_ok(&o, "encode - -");
    assert_eq!(&o.stdout[..4], b"RIFF");
    let o = softmodem(["decode", "--mode", "bell202", "-"], Some(&o.stdout));
    assert_ok(&o, "decode -");
    assert!(o.stdout == data, "{}", first_difference(&o.stdout, &data));
}

#[test]
fn round_trip_other_formats() {
    let s = Scratch::new("formats");
    let text7: Vec<u8> = printable_text(200, 7);
    for (mode, format, data) in [
        ("bell103-orig", "7E1", &text7),
        ("v21-ch2", "7O2", &text7),
        ("bell202", "7E1", &text7),
        ("v23", "8N2", &binary_text()),
        ("bell103-ans", "8o1", &binary_text()),
    ] {
        for rate in [8000, 48000] {
            let f = ["--format", format];
            let got = round_trip(&s, mode, rate, &f, &f, data);
            assert!(&got == data, "{mode} {format} at {rate} Hz: {}", first_difference(&got, data));
        }
    }
    // The options also work written as --name=value.
    let got = round_trip(&s, "v21-ch1", 8000, &["--format=7E1", "--level=-20"], &["--format=7E1"], &text7);
    assert!(got == text7, "{}", first_difference(&got, &text7));
}

#[test]
fn round_trip_at_low_level() {
    let s = Scratch::new("level");
    let data = binary_text();
    for (mode, _) in MODES.iter().filter(|m| m.1 >= 300.0) {
        for rate in [8000, 44100] {
            let got = round_trip(&s, mode, rate, &["--level", "-30"], &[], &data);
            assert!(got == data, "{mode} at -30 dBm0, {rate} Hz: {}", first_difference(&got, &data));
        }
    }
}

fn u16_at(b: &[u8], i: usize) -> u16 {
    u16::from_le_bytes([b[i], b[i + 1]])
}

fn u32_at(b: &[u8], i: usize) -> u32 {
    u32::from_le_bytes(b[i..i + 4].try_into().unwrap())
}

#[test]
fn wav_header_and_duration() {
    let s = Scratch::new("header");
    let data = printable_text(100, 3);
    let input = s.write("in.txt", &data);
    for (mode, baud) in MODES {
        for rate in RATES {
            let wav = s.path("out.wav");
            let o = softmodem(["encode", "--mode", mode, "--rate", &rate.to_string(), &arg(&input), &arg(&wav)], None);
            assert_ok(&o, "encode");
            let b = std::fs::read(&wav).unwrap();
            assert_eq!(&b[0..4], b"RIFF");
            assert_eq!(u32_at(&b, 4) as usize, b.len() - 8, "RIFF length");
            assert_eq!(&b[8..16], b"WAVEfmt ");
            assert_eq!(u32_at(&b, 16), 16, "fmt chunk length");
            assert_eq!(u16_at(&b, 20), 1, "PCM");
            assert_eq!(u16_at(&b, 22), 1, "mono");
            assert_eq!(u32_at(&b, 24), rate, "sample rate");
            assert_eq!(u32_at(&b, 28), rate * 2, "byte rate");
            assert_eq!(u16_at(&b, 32), 2, "block align");
            assert_eq!(u16_at(&b, 34), 16, "bits per sample");
            assert_eq!(&b[36..40], b"data");
            let data_len = u32_at(&b, 40) as usize;
            assert_eq!(data_len, b.len() - 44, "data length");
            // 250 ms of mark, 10 bits a character, 250 ms of mark: within a bit or so.
            let secs = (data_len / 2) as f64 / rate as f64;
            let want = 0.5 + data.len() as f64 * 10.0 / baud;
            assert!(
                (secs - want).abs() <= 1.5 / baud + 0.002,
                "{mode} at {rate} Hz: {secs} s, want {want} s (+- {} s)",
                1.5 / baud
            );
        }
    }
}

/// RMS of the leading mark (from 20 ms to 230 ms) of the WAV `encode` writes.
fn mark_rms(s: &Scratch, mode: &str, rate: u32, level: Option<&str>) -> f32 {
    let input = s.write("in.txt", b"U");
    let wav = s.path("level.wav");
    let mut args = vec!["encode", "--mode", mode];
    let r = rate.to_string();
    args.extend(["--rate", &r]);
    if let Some(l) = level {
        args.extend(["--level", l]);
    }
    let (i, w) = (arg(&input), arg(&wav));
    args.extend([i.as_str(), w.as_str()]);
    let o = softmodem(&args, None);
    assert_ok(&o, "encode");
    let w = Wav::parse(&std::fs::read(&wav).unwrap()).unwrap();
    let (a, b) = (rate as usize / 50, rate as usize * 23 / 100);
    rms(&w.samples[a..b])
}

#[test]
fn transmit_level() {
    let s = Scratch::new("rms");
    // A sine at 0 dBm0 has a peak of 0.693 of full scale (3.17 dB below): -13 dBm0 is 0.110 RMS.
    for (level, dbm0) in [(None, -13.0f32), (Some("-20"), -20.0), (Some("-30"), -30.0), (Some("0"), 0.0)] {
        let want = dbm0_to_peak(dbm0) / 2f32.sqrt();
        for (mode, _) in MODES {
            for rate in [8000, 48000] {
                let got = mark_rms(&s, mode, rate, level);
                let err_db = 20.0 * (got / want).log10();
                assert!(err_db.abs() < 0.2, "{mode} at {dbm0} dBm0, {rate} Hz: RMS {got}, want {want}");
            }
        }
    }
    assert!((dbm0_to_peak(-13.0) / 2f32.sqrt() - 0.11).abs() < 0.001);
}

/// Runs softmodem and checks it failed with `code`, a one-line reason mentioning `reason` first on
/// stderr, and no panic.
#[track_caller]
fn assert_fails(args: &[&str], code: i32, reason: &str) {
    let o = softmodem(args, Some(b"some input"));
    let err = stderr(&o);
    assert!(!err.contains("panicked"), "{args:?} panicked:\n{err}");
    assert_eq!(o.status.code(), Some(code), "{args:?}: exit status, stderr:\n{err}");
    let first = err.lines().next().unwrap_or("");
    assert!(first.starts_with("softmodem: "), "{args:?}: first line of stderr {first:?}");
    assert!(
        first.to_lowercase().contains(&reason.to_lowercase()),
        "{args:?}: first line of stderr {first:?} should mention {reason:?}"
    );
    assert!(o.stdout.is_empty(), "{args:?}: wrote to stdout on failure");
}

#[test]
fn usage_errors() {
    let s = Scratch::new("usage");
    let input = s.write("in.txt", b"hello");
    let out = s.path("out.wav");
    let (i, w) = (arg(&input), arg(&out));
    let (i, w) = (i.as_str(), w.as_str());
    assert_fails(&[], 2, "no command");
    assert_fails(&["frobnicate"], 2, "unknown command 'frobnicate'");
    assert_fails(&["encode", "--mode", "bell999", i, w], 2, "unknown mode 'bell999'");
    assert_fails(&["decode", "--mode", "v22", i], 2, "unknown mode 'v22'");
    assert_fails(&["encode", i, w], 2, "--mode is required");
    assert_fails(&["decode", i], 2, "--mode is required");
    assert_fails(&["encode", "--mode"], 2, "--mode needs a value");
    assert_fails(&["encode", "--mode", "v21-ch1", "--level", "5", i, w], 2, "--level 5");
    assert_fails(&["encode", "--mode", "v21-ch1", "--level", "-61", i, w], 2, "--level -61");
    assert_fails(&["encode", "--mode", "v21-ch1", "--level", "abc", i, w], 2, "--level: 'abc'");
    assert_fails(&["encode", "--mode", "v21-ch1", "--level", "NaN", i, w], 2, "--level");
    assert_fails(&["encode", "--mode", "v21-ch1", "--rate", "7999", i, w], 2, "--rate 7999");
    assert_fails(&["encode", "--mode", "v21-ch1", "--rate", "192001", i, w], 2, "--rate 192001");
    assert_fails(&["encode", "--mode", "v21-ch1", "--rate", "fast", i, w], 2, "--rate: 'fast'");
    assert_fails(&["encode", "--mode", "v21-ch1", "--rate", "-8000", i, w], 2, "--rate");
    assert_fails(&["encode", "--mode", "v21-ch1", "--format", "9N1", i, w], 2, "--format");
    assert_fails(&["encode", "--mode", "v21-ch1", "--format", "8X1", i, w], 2, "--format");
    assert_fails(&["encode", "--mode", "v21-ch1", "--format", "8N3", i, w], 2, "--format");
    assert_fails(&["decode", "--mode", "v21-ch1", "--format", "eight", i], 2, "--format");
    assert_fails(&["encode", "--mode", "v21-ch1", "--bogus", "1", i, w], 2, "unknown option --bogus");
    assert_fails(&["encode", "--mode", "v21-ch1", "--mode", "v21-ch2", i, w], 2, "--mode given twice");
    assert_fails(&["encode", "--mode", "v21-ch1", i], 2, "expected IN and OUT.wav");
    assert_fails(&["decode", "--mode", "v21-ch1", i, i], 2, "expected IN.wav");
    assert_fails(&["stdio", "--mode", "v21-ch1", "--role", "call"], 2, "unknown mode 'v21-ch1'");
    assert_fails(&["stdio", "--mode", "v21", "--role", "both"], 2, "unknown role 'both'");
    assert_fails(&["stdio", "--mode", "v21"], 2, "--role is required");
    assert_fails(&["stdio", "--mode", "v21", "--role", "call", "extra"], 2, "positional");
    assert_fails(&["stdio", "--mode", "v21", "--role", "call", "--level", "1"], 2, "--level");
    assert_fails(&["stdio", "--mode", "v22", "--role", "call", "--ec", "mnp"], 2, "MNP");
    assert_fails(&["stdio", "--mode", "v22", "--role", "call", "--ec", "v42"], 2, "--ec takes auto, off or lapm");
    assert_fails(&["stdio", "--mode", "v22", "--role", "call", "--compression", "2"], 2, "--compression");
    assert!(!out.exists(), "no output file after a usage error");
}

/// A 16-bit mono PCM WAV header for `data`, with the given format tag.
fn wav_with_tag(tag: u16, rate: u32, data: &[u8]) -> Vec<u8> {
    let mut v = b"RIFF".to_vec();
    v.extend_from_slice(&(36 + data.len() as u32).to_le_bytes());
    v.extend_from_slice(b"WAVEfmt ");
    v.extend_from_slice(&16u32.to_le_bytes());
    v.extend_from_slice(&tag.to_le_bytes());
    v.extend_from_slice(&1u16.to_le_bytes());
    v.extend_from_slice(&rate.to_le_bytes());
    v.extend_from_slice(&(rate * 2).to_le_bytes());
    v.extend_from_slice(&2u16.to_le_bytes());
    v.extend_from_slice(&16u16.to_le_bytes());
    v.extend_from_slice(b"data");
    v.extend_from_slice(&(data.len() as u32).to_le_bytes());
    v.extend_from_slice(data);
    v
}

#[test]
fn runtime_errors() {
    let s = Scratch::new("runtime");
    let missing = arg(&s.path("does-not-exist.wav"));
    let text = arg(&s.write("text.wav", b"This is not a WAV file, just some text.\n"));
    let good = wav_with_tag(1, 8000, &[0u8; 3200]);
    let truncated = arg(&s.write("truncated.wav", &good[..30]));
    let header_only = arg(&s.write("header-only.wav", &good[..20]));
    let mut data_first = b"RIFF\x10\0\0\0WAVE".to_vec();
    data_first.extend_from_slice(&good[36..48]);
    let data_first = arg(&s.write("data-first.wav", &data_first));
    let adpcm = arg(&s.write("adpcm.wav", &wav_with_tag(2, 8000, &[0u8; 3200])));
    let slow = arg(&s.write("slow.wav", &wav_with_tag(1, 1000, &[0u8; 3200])));
    let mut no_data = good[..36].to_vec();
    no_data.extend_from_slice(b"LIST\x04\0\0\0abcd");
    let no_data = arg(&s.write("no-data.wav", &no_data));
    let empty = arg(&s.write("empty.wav", b""));
    let dir = arg(&s.path(""));
    let input = arg(&s.write("in.txt", b"hello"));
    let unwritable = arg(&s.path("no/such/dir/out.wav"));

    assert_fails(&["decode", "--mode", "bell103-orig", &missing], 1, "cannot read");
    assert_fails(&["decode", "--mode", "bell103-orig", &dir], 1, "cannot read");
    assert_fails(&["encode", "--mode", "bell103-orig", &missing, &arg(&s.path("x.wav"))], 1, "cannot read");
    assert_fails(&["decode", "--mode", "bell103-orig", &text], 1, "not a WAV");
    assert_fails(&["decode", "--mode", "bell103-orig", &empty], 1, "not a WAV");
    assert_fails(&["decode", "--mode", "bell103-orig", &truncated], 1, "truncated");
    assert_fails(&["decode", "--mode", "bell103-orig", &header_only], 1, "truncated");
    assert_fails(&["decode", "--mode", "bell103-orig", &data_first], 1, "no fmt chunk");
    assert_fails(&["decode", "--mode", "bell103-orig", &no_data], 1, "no data chunk");
    assert_fails(&["decode", "--mode", "bell103-orig", &adpcm], 1, "unsupported WAV encoding: format tag 0x0002");
    assert_fails(&["decode", "--mode", "bell103-orig", &slow], 1, "1000 Hz");
    assert_fails(&["encode", "--mode", "bell103-orig", &input, &unwritable], 1, "cannot write");
    assert_fails(&["stdio", "--mode", "v21", "--role", "call", "--send", &missing], 1, "cannot read");
    assert_fails(&["stdio", "--mode", "v21", "--role", "call", "--recv", &unwritable], 1, "cannot create");
    // A WAV on stdin that is not one.
    let o = softmodem(["decode", "--mode", "v23", "-"], Some(b"RIFF....WAVE"));
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(!stderr(&o).contains("panicked"));
}

/// Like [`assert_fails`], with `stdin` given.
#[track_caller]
fn assert_fails_with(args: &[&str], stdin: &[u8], code: i32, reason: &str) {
    let o = softmodem(args, Some(stdin));
    let err = stderr(&o);
    assert!(!err.contains("panicked"), "{args:?} panicked:\n{err}");
    assert_eq!(o.status.code(), Some(code), "{args:?}: exit status, stderr:\n{err}");
    let first = err.lines().next().unwrap_or("");
    assert!(first.starts_with("softmodem: ") && first.contains(reason), "{args:?}: first line of stderr {first:?}");
    assert!(o.stdout.is_empty(), "{args:?}: wrote to stdout on failure");
}

#[test]
fn inputs_are_bounded() {
    // Endless inputs (/dev/zero) and one byte over the 64 MiB limit on stdin are refused after
    // reading that one byte more: exit status 1, nothing written.
    let s = Scratch::new("bounded");
    let out = s.path("out.wav");
    let w = arg(&out);
    let over = "input larger than 67108864 bytes (64 MiB)";
    if Path::new("/dev/zero").exists() {
        assert_fails(&["decode", "--mode", "v21-ch1", "/dev/zero"], 1, over);
        assert_fails(&["decode", "--mode", "v22bis-call", "/dev/zero"], 1, over);
        assert_fails(&["encode", "--mode", "v21-ch1", "/dev/zero", &w], 1, over);
        assert_fails(&["stdio", "--mode", "v21", "--role", "call", "--send", "/dev/zero"], 1, over);
    }
    let big = vec![b'x'; (64 << 20) + 1];
    assert_fails_with(&["encode", "--mode", "v21-ch1", "-", &w], &big, 1, over);
    assert_fails_with(&["decode", "--mode", "v21-ch1", "-"], &big, 1, over);
    assert!(!out.exists(), "no output file after a refused input");
    // Exactly the limit is read (and then refused for the WAV it would make, before making it).
    let o = softmodem(["encode", "--mode", "v23-back", "-", &w], Some(&big[1..]));
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).starts_with("softmodem: output larger than 268435456 bytes (256 MiB)"), "{}", stderr(&o));
    // A WAV of more than 256 MiB is refused before any audio is made: 150 000 characters at
    // 75 bit/s would be 5.6 hours; at 300 bit/s, 1.4 hours (81 MiB) is fine by the size.
    let text = s.write("long.txt", &vec![b'a'; 150_000]);
    let t = arg(&text);
    assert_fails(&["encode", "--mode", "v23-back", &t, &w], 1, "output larger than 268435456 bytes");
    assert_fails(&["encode", "--mode", "v22bis-call", "--rate", "192000", &t, &w], 1, "output larger than");
    assert!(!out.exists());
}

#[test]
fn sim_options_are_checked() {
    // Not numbers, infinities and values no line has are usage errors (exit 2), not a run.
    fn sim<'a>(extra: &[&'a str]) -> Vec<&'a str> {
        let seconds: &[&str] = if extra.contains(&"--seconds") { &[] } else { &["--seconds", "1"] };
        [&["sim", "--mode", "v22bis"][..], seconds, extra].concat()
    }
    for (opts, reason) in [
        (&["--snr", "NaN"][..], "--snr NaN: must be between -20 and 100 dB"),
        (&["--snr", "inf"], "--snr inf"),
        (&["--snr", "1000"], "--snr 1000"),
        (&["--snr", "x"], "--snr: 'x' is not a number"),
        (&["--echo-db", "NaN"], "--echo-db NaN: must be between -100 and 0 dB"),
        (&["--echo-db", "6"], "--echo-db 6"),
        (&["--echo-db", "-inf"], "--echo-db -inf"),
        (&["--clock-ppm", "NaN"], "--clock-ppm NaN: must be within +-2000"),
        (&["--clock-ppm", "5000"], "--clock-ppm 5000"),
        (&["--freq-offset", "inf"], "--freq-offset inf: must be within +-50 Hz"),
        (&["--freq-offset", "-60"], "--freq-offset -60"),
        (&["--level", "NaN"], "--level NaN"),
        (&["--level", "10"], "--level 10"),
        (&["--dropout", "NaN:100"], "--dropout 'NaN:100'"),
        (&["--dropout", "100:inf"], "--dropout '100:inf'"),
        (&["--dropout", "100:0"], "--dropout '100:0'"),
        (&["--dropout", "-5:100"], "--dropout '-5:100'"),
        (&["--dropout", "1e30:100"], "--dropout '1e30:100'"),
        (&["--seconds", "NaN"], "--seconds NaN"),
        (&["--seconds", "1e9"], "--seconds 1000000000"),
    ] {
        assert_fails(&sim(opts), 2, reason);
    }
}

#[test]
fn sim_reports_bits_lost_to_a_dropout_as_errors() {
    // A 300 ms dropout: both ends retrain, and the bits lost while each found the pattern again
    // are counted as errors (they used to read as none).
    let o =
        softmodem(["sim", "--mode", "v22bis", "--seconds", "8", "--dropout", "3000:300", "--clock-ppm", "100"], None);
    assert_ok(&o, "sim with a dropout");
    let text = String::from_utf8(o.stdout).unwrap();
    assert!(text.contains("answerer's clock +100 ppm, 300 ms dropout at 3000 ms"), "{text}");
    for dir in ["answerer -> caller", "caller -> answerer"] {
        let line = text.lines().find(|l| l.starts_with(dir)).unwrap_or_else(|| panic!("{text}"));
        let num = |after: &str| -> u64 {
            let i = line.find(after).unwrap_or_else(|| panic!("{line}")) + after.len();
            line[i..].split(|c: char| !c.is_ascii_digit()).next().unwrap().parse().unwrap()
        };
        let (errors, lost) = (num("bits counted, "), num("time(s) ("));
        // Lost to the dropout, and (at the end that heard it, which goes on hearing data until
        // the far end answers its retrain) again to the retrain.
        assert!(line.contains("pattern lost 1 time(s)") || line.contains("pattern lost 2 time(s)"), "{line}");
        assert!(lost >= 43 && errors >= lost, "{line}");
    }
}

#[test]
fn data_chunk_cut_short_still_decodes() {
    // A data chunk whose length runs past the end (a streaming writer, or a cut file, ending
    // mid-sample) is read to the end of the file.
    let s = Scratch::new("cut");
    let data = printable_text(60, 11);
    let input = s.write("in.txt", &data);
    let wav = s.path("cut.wav");
    let o = softmodem(["encode", "--mode", "bell103-orig", &arg(&input), &arg(&wav)], None);
    assert_ok(&o, "encode");
    let mut b = std::fs::read(&wav).unwrap();
    b.truncate(b.len() - 1001); // ends in the middle of a sample, in the trailing mark
    std::fs::write(&wav, &b).unwrap();
    let o = softmodem(["decode", "--mode", "bell103-orig", &arg(&wav)], None);
    assert_ok(&o, "decode of a cut WAV");
    assert!(o.stdout == data, "{}", first_difference(&o.stdout, &data));
}

fn decode_samples(s: &Scratch, name: &str, rate: u32, samples: &[f32]) -> Vec<(String, Vec<u8>)> {
    let wav = s.write(name, &Wav::emit_pcm16(rate, samples));
    let mut out = vec![];
    for (mode, _) in MODES {
        let o = softmodem(["decode", "--mode", mode, &arg(&wav)], None);
        assert_ok(&o, &format!("decode {name} as {mode}"));
        out.push((mode.to_string(), o.stdout));
    }
    out
}

#[test]
fn silence_decodes_to_nothing() {
    let s = Scratch::new("silence");
    for rate in [8000, 44100] {
        for (mode, bytes) in decode_samples(&s, "silence.wav", rate, &vec![0.0; rate as usize * 2]) {
            assert!(bytes.is_empty(), "{mode}: silence at {rate} Hz decoded to {} bytes: {bytes:?}", bytes.len());
        }
    }
}

#[test]
fn white_noise_decodes_to_nothing() {
    let s = Scratch::new("noise");
    let mut failures = vec![];
    // Noise over the whole band at about -20 dBm0 and at about -40 dBm0 (RMS 0.049 and 0.0049).
    for (i, noise_rms) in [dbm0_to_peak(-20.0) / 2f32.sqrt(), dbm0_to_peak(-40.0) / 2f32.sqrt()].into_iter().enumerate()
    {
        let mut r = softmodem::sim::rng::Rng::new(42 + i as u64);
        let x: Vec<f32> = (0..8000 * 2).map(|_| noise_rms * r.gaussian()).collect();
        for (mode, bytes) in decode_samples(&s, "noise.wav", 8000, &x) {
            if !bytes.is_empty() {
                failures.push(format!("{mode}: noise at RMS {noise_rms:.4} decoded to {} bytes", bytes.len()));
            }
        }
    }
    assert!(failures.is_empty(), "white noise made characters:\n{}", failures.join("\n"));
}

#[test]
fn help_and_version() {
    let o = softmodem(["--help"], None);
    assert_ok(&o, "--help");
    let text = String::from_utf8(o.stdout).unwrap();
    for mode in MODES.map(|m| m.0) {
        assert!(text.contains(mode), "help mentions {mode}");
    }
    let o = softmodem(["--version"], None);
    assert_ok(&o, "--version");
    assert!(String::from_utf8(o.stdout).unwrap().starts_with("softmodem "));
}

/// Runs `softmodem ansi` on `ansi` with `extra` options and returns its stdout as text.
fn ansi_screen(s: &Scratch, name: &str, ansi: &[u8], extra: &[&str]) -> String {
    let file = s.write(name, ansi);
    let mut args = vec!["ansi".to_string(), arg(&file)];
    args.extend(extra.iter().map(|s| s.to_string()));
    let o = softmodem(&args, None);
    assert_ok(&o, &format!("ansi {args:?}"));
    String::from_utf8(o.stdout).expect("UTF-8")
}

#[test]
fn ansi_prints_the_final_screen_as_text() {
    let s = Scratch::new("ansi");
    // Colours vanish, CP437 maps to Unicode, CSI 2J homes, the cursor moves, trailing spaces go.
    let got = ansi_screen(
        &s,
        "menu.ans",
        b"junk\x1b[2J\x1b[1;44m\xc9\xcd\xbb\x1b[0m  \r\n\xba\x01\xba\x1b[3;5H\x1b[33mhi\x1b[1;1H\x1b[2CX",
        &["--cols", "10", "--rows", "4"],
    );
    assert_eq!(got, "╔═X\n║☺║\n    hi\n\n");
    // DOS wrap: 80 characters then CR LF leave an empty line; the default screen has 25 rows.
    let mut line = vec![b'#'; 80];
    line.extend(b"\r\nnext");
    let got = ansi_screen(&s, "wrap.ans", &line, &[]);
    let rows: Vec<&str> = got.lines().collect();
    assert_eq!(rows.len(), 25);
    assert_eq!(rows[0], "#".repeat(80));
    assert_eq!((rows[1], rows[2]), ("", "next"));
    // The file ends at SUB, before the SAUCE record; 80x50 via --rows; --ice is accepted.
    let got = ansi_screen(&s, "sauce.ans", b"art\x1aSAUCE00title", &["--rows", "50", "--ice"]);
    assert_eq!(got, format!("art\n{}", "\n".repeat(49)));
}

#[test]
fn ansi_draws_the_screen_into_a_png_with_the_vga_font() {
    let s = Scratch::new("ansi-png");
    // Bright yellow on blue "A" at the top left; iCE colours make blink a bright background, which
    // without --ice stays the dark one (and blinks).
    let file = s.write("a.ans", b"\x1b[1;33;44mA\x1b[0m \x1b[5;47mB");
    let out = s.path("a.png");
    for (ice, bg_of_b) in [(false, [0xAA, 0xAA, 0xAA]), (true, [0xFF, 0xFF, 0xFF])] {
        let mut args = vec!["ansi".to_string(), arg(&file), "--cols".into(), "4".into(), "--rows".into(), "2".into()];
        args.extend(["--png".to_string(), arg(&out)]);
        if ice {
            args.push("--ice".into());
        }
        let o = softmodem(&args, None);
        assert_ok(&o, "ansi --png");
        assert!(o.stdout.is_empty(), "the screen goes to the PNG, not stdout");
        let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(&out).unwrap()));
        let mut reader = decoder.read_info().unwrap();
        let mut buf = vec![0; reader.output_buffer_size().unwrap()];
        let info = reader.next_frame(&mut buf).unwrap();
        assert_eq!((info.width, info.height), (32, 32), "4x2 cells of 8x16");
        let px = |x: usize, y: usize| -> [u8; 3] {
            let i = (y * 32 + x) * 4;
            [buf[i], buf[i + 1], buf[i + 2]]
        };
        // The VGA 'A': row 2 has its apex (one pixel lit, column 3), row 0 is blank.
        assert_eq!(px(0, 0), [0x00, 0x00, 0xAA], "blue background");
        assert_eq!(px(3, 2), [0xFF, 0xFF, 0x55], "yellow foreground");
        assert_eq!(px(0, 2), [0x00, 0x00, 0xAA]);
        // "B" in the third cell (x 16..24): its background.
        assert_eq!(px(16, 0), bg_of_b, "ice {ice}");
        // The second row is empty: black.
        assert_eq!(px(5, 20), [0, 0, 0]);
    }
}

#[test]
fn ansi_usage_errors() {
    let s = Scratch::new("ansi-usage");
    let file = s.write("x.ans", b"x");
    for (args, msg) in [
        (vec!["ansi".to_string()], "ansi: one FILE expected"),
        (vec!["ansi".into(), arg(&file), "--cols".into(), "0".into()], "--cols 0: must be between 1 and 255"),
        (vec!["ansi".into(), arg(&file), "--rows".into(), "x".into()], "--rows: 'x' is not a valid number"),
    ] {
        let o = softmodem(&args, None);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(String::from_utf8_lossy(&o.stderr).contains(msg), "{args:?}: {}", String::from_utf8_lossy(&o.stderr));
    }
}
