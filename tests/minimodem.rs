#![cfg(not(target_arch = "wasm32"))]
//! Interoperability with minimodem (an independent FSK modem), through its command line only.
//!
//! minimodem writes and reads WAV files with `-f`. Its `--tx 300` is Bell 103 on the originate
//! band (1070/1270 Hz); `-M 2225 -S 2025` moves it to the answer band; `--tx 1200` is Bell 202.
//! Any other rate, or tones given with `-M`/`-S`, make the V.21 and V.23 channels (see [`PAIRS`]).
//! Its `--rx` prints the data on stdout and `### CARRIER` / `### NOCARRIER` lines on stderr (none
//! with `-q`).

mod support;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;
use support::*;

/// Our mode and minimodem's arguments for the same signal: every mode of `softmodem`. minimodem
/// knows Bell 103 (`300`) and Bell 202 (`1200`) by name; the V.21 and V.23 channels are its
/// "Bell202-style" framing (8N1 ASCII) at the given bit rate with the tones set by `-M` (mark, the
/// 1 bits) and `-S` (space). (Its options may come before or after the `{baudmode}` argument.)
const PAIRS: [(&str, &[&str]); 7] = [
    ("bell103-orig", &["300"]),
    ("bell103-ans", &["300", "-M", "2225", "-S", "2025"]),
    ("bell202", &["1200"]),
    ("v21-ch1", &["300", "-M", "980", "-S", "1180"]),
    ("v21-ch2", &["300", "-M", "1650", "-S", "1850"]),
    ("v23", &["1200", "-M", "1300", "-S", "2100"]),
    ("v23-back", &["75", "-M", "390", "-S", "450"]),
];

/// True if minimodem can be run; tells why not otherwise.
fn have_minimodem() -> bool {
    match Command::new("minimodem").arg("--version").output() {
        Ok(o) if o.status.success() => true,
        Ok(o) => {
            eprintln!("SKIPPED: `minimodem --version` failed ({:?}); these tests need minimodem on PATH", o.status);
            false
        }
        Err(e) => {
            eprintln!("SKIPPED: minimodem is not on PATH ({e}); build.sh installs it (apt-get install minimodem)");
            false
        }
    }
}

/// The test text: a few hundred printable bytes in CR LF lines.
fn text() -> Vec<u8> {
    let mut t = b"Hello minimodem, this is softmodem.\r\n".to_vec();
    t.extend(printable_text(300, 103));
    t
}

/// How minimodem starts its transmission.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Lead {
    /// As it does by default: two bits of mark, then the first start bit.
    Default,
    /// With `--tx-carrier` and its stdin held back for 300 ms: it sends mark while it waits, as a
    /// modem with its carrier already up would.
    Carrier,
}

/// `minimodem --tx` of `data` into `wav` at `rate` (None: its default, 48000 Hz).
fn minimodem_tx(mm: &[&str], rate: Option<u32>, lead: Lead, data: &[u8], wav: &Path) {
    let mut cmd = Command::new("minimodem");
    cmd.arg("--tx").arg("-q").args(mm).arg("-f").arg(wav);
    if let Some(r) = rate {
        cmd.arg("-R").arg(r.to_string());
    }
    let o = match lead {
        Lead::Default => run(&mut cmd, Some(data)),
        Lead::Carrier => {
            cmd.arg("--tx-carrier");
            let mut child = cmd
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("start minimodem");
            let mut stdin = child.stdin.take().unwrap();
            std::thread::sleep(Duration::from_millis(300));
            stdin.write_all(data).expect("write to minimodem");
            drop(stdin);
            child.wait_with_output().expect("wait for minimodem")
        }
    };
    assert!(o.status.success(), "{cmd:?}: {:?}\n{}", o.status, stderr(&o));
}

/// `minimodem --rx -q` of `wav`: what it printed.
fn minimodem_rx(mm: &[&str], wav: &Path) -> Vec<u8> {
    let mut cmd = Command::new("minimodem");
    cmd.arg("--rx").arg("-q").args(mm).arg("-f").arg(wav);
    let o = run(&mut cmd, None);
    assert!(o.status.success(), "{cmd:?}: {:?}\n{}", o.status, stderr(&o));
    o.stdout
}

fn softmodem_encode(mode: &str, rate: u32, data: &[u8], wav: &Path, s: &Scratch) {
    let input = s.write("tx.txt", data);
    let o = softmodem(["encode", "--mode", mode, "--rate", &rate.to_string(), &arg(&input), &arg(wav)], None);
    assert_ok(&o, "softmodem encode");
}

fn softmodem_decode(mode: &str, wav: &Path) -> (Vec<u8>, String) {
    let o = softmodem(["decode", "--mode", mode, &arg(wav)], None);
    assert_ok(&o, "softmodem decode");
    let err = stderr(&o);
    (o.stdout, err)
}

#[test]
fn minimodem_to_softmodem() {
    if !have_minimodem() {
        return;
    }
    let s = Scratch::new("mm-to-sm");
    let data = text();
    let mut failures = vec![];
    for (mode, mm) in PAIRS {
        for (rate, lead) in [(Some(8000), Lead::Default), (None, Lead::Default), (Some(8000), Lead::Carrier)] {
            let wav = s.path("mm.wav");
            minimodem_tx(mm, rate, lead, &data, &wav);
            let (got, err) = softmodem_decode(mode, &wav);
            if got != data {
                failures.push(format!(
                    "minimodem --tx {} at {} Hz, lead {lead:?} -> softmodem decode --mode {mode}: {} ({} character errors)\n{err}",
                    mm.join(" "),
                    rate.unwrap_or(48000),
                    first_difference(&got, &data),
                    char_errors(&got, &data)
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn softmodem_to_minimodem() {
    if !have_minimodem() {
        return;
    }
    let s = Scratch::new("sm-to-mm");
    let data = text();
    let mut failures = vec![];
    for (mode, mm) in PAIRS {
        for rate in [8000, 48000] {
            let wav = s.path("sm.wav");
            softmodem_encode(mode, rate, &data, &wav, &s);
            let got = minimodem_rx(mm, &wav);
            if got != data {
                failures.push(format!(
                    "softmodem encode --mode {mode} at {rate} Hz -> minimodem --rx {}: {} ({} character errors)",
                    mm.join(" "),
                    first_difference(&got, &data),
                    char_errors(&got, &data)
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn minimodem_quiet_flag_and_status_lines() {
    if !have_minimodem() {
        return;
    }
    // Without -q minimodem reports the carrier on stderr, and stdout stays clean data.
    let s = Scratch::new("mm-status");
    let data = text();
    let wav = s.path("sm.wav");
    softmodem_encode("bell103-orig", 8000, &data, &wav, &s);
    let mut cmd = Command::new("minimodem");
    cmd.args(["--rx", "300", "-f"]).arg(&wav);
    let o = run(&mut cmd, None);
    assert!(o.status.success());
    let err = stderr(&o);
    assert!(err.contains("### CARRIER 300") && err.contains("### NOCARRIER ndata=337"), "{err}");
    assert!(o.stdout == data, "{}", first_difference(&o.stdout, &data));
}

/// 20 dB SNR: white Gaussian noise at a tenth of the signal's RMS over the whole 4 kHz band (for
/// 48000 Hz files, noise made at 8000 Hz and resampled, so the in-band SNR is the same:
/// [`add_band_noise`], which at 8000 Hz adds the same noise as [`add_noise`]).
///
/// The margin, measured over 10 to 40 seeds per case: Bell 103, V.21 and V.23 backward decode
/// without errors both ways down to 10 dB; Bell 202 and V.23 forward (1200 bit/s) start to lose
/// characters at about 17 dB, mostly in minimodem's receiver. minimodem's receiver at 1200 bit/s is
/// itself marginal at 20 dB: it receives minimodem's own Bell 202 signal (8000 Hz, the same noise
/// made by another generator) with a character error in about 1 run in 7 (6 of 40 seeds), and ours
/// in about 1 in 40. The error on ours is a false 0xFF before the text: when a file starts with
/// carrier at its first sample and noise on it, minimodem's frame search can take the onset for a
/// start bit and report a one-byte carrier (`### NOCARRIER ndata=1 confidence=2.3`) before the real
/// one. Cutting the first 5 ms or putting 100 ms of silence before the carrier makes it go away;
/// raising its `-c` confidence threshold to 5 drops the first real character instead. The fixed
/// seeds below do not hit it (by chance, not by selection: they were fixed before this was seen).
const SNR_DB: f32 = 20.0;

#[test]
fn minimodem_to_softmodem_with_noise() {
    if !have_minimodem() {
        return;
    }
    let s = Scratch::new("mm-to-sm-noise");
    let data = text();
    let mut failures = vec![];
    for (k, (mode, mm)) in PAIRS.into_iter().enumerate() {
        for (rate, lead, seed) in
            [(8000, Lead::Default, 1000), (8000, Lead::Carrier, 1000), (48000, Lead::Default, 3000)]
        {
            let wav = s.path("mm.wav");
            minimodem_tx(mm, Some(rate), lead, &data, &wav);
            // minimodem transmits at full scale: bring it to -13 dBm0 (0.11 RMS) so the noise does not
            // clip, as a line would, then add the noise.
            let (sig, noise) = add_band_noise(&wav, Some(0.11), SNR_DB, seed + k as u64);
            let (got, err) = softmodem_decode(mode, &wav);
            let e = char_errors(&got, &data);
            if e != 0 {
                failures.push(format!(
                    "minimodem --tx {} at {rate} Hz, lead {lead:?}, + noise (signal RMS {sig:.3}, noise RMS {noise:.4}) \
                     -> softmodem --mode {mode}: {e} character errors, {}\n{err}",
                    mm.join(" "),
                    first_difference(&got, &data)
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn softmodem_to_minimodem_with_noise() {
    if !have_minimodem() {
        return;
    }
    let s = Scratch::new("sm-to-mm-noise");
    let data = text();
    let mut failures = vec![];
    for (k, (mode, mm)) in PAIRS.into_iter().enumerate() {
        for (rate, seed) in [(8000, 2000), (48000, 4000)] {
            let wav = s.path("sm.wav");
            softmodem_encode(mode, rate, &data, &wav, &s);
            let (sig, noise) = add_band_noise(&wav, None, SNR_DB, seed + k as u64);
            let got = minimodem_rx(mm, &wav);
            let e = char_errors(&got, &data);
            if e != 0 {
                failures.push(format!(
                    "softmodem --mode {mode} at {rate} Hz + noise (signal RMS {sig:.3}, noise RMS {noise:.4}) -> \
                     minimodem --rx {}: {e} character errors, {}",
                    mm.join(" "),
                    first_difference(&got, &data)
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
