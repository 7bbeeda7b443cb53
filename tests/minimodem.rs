#![cfg(not(target_arch = "wasm32"))]
//! Interoperability with minimodem (an independent FSK modem), through its command line only.
//!
//! minimodem writes and reads WAV files with `-f`. Its `--tx 300` is Bell 103 on the originate
//! band (1070/1270 Hz); `-M 2225 -S 2025` moves it to the answer band; `--tx 1200` is Bell 202.
//! Its `--rx` prints the data on stdout and `### CARRIER` / `### NOCARRIER` lines on stderr (none
//! with `-q`).

mod common;

use common::*;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

/// Our mode and minimodem's arguments for the same signal.
const PAIRS: [(&str, &[&str]); 3] =
    [("bell103-orig", &["300"]), ("bell103-ans", &["300", "-M", "2225", "-S", "2025"]), ("bell202", &["1200"])];

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

/// 20 dB SNR: white Gaussian noise at a tenth of the signal's RMS over the whole 4 kHz band.
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
        for lead in [Lead::Default, Lead::Carrier] {
            let wav = s.path("mm.wav");
            minimodem_tx(mm, Some(8000), lead, &data, &wav);
            // minimodem transmits at full scale: bring it to -13 dBm0 (0.11 RMS) so the noise does not
            // clip, as a line would, then add the noise.
            let (sig, noise) = add_noise(&wav, Some(0.11), SNR_DB, 1000 + k as u64);
            let (got, err) = softmodem_decode(mode, &wav);
            let e = char_errors(&got, &data);
            if e != 0 {
                failures.push(format!(
                    "minimodem --tx {}, lead {lead:?}, + noise (signal RMS {sig:.3}, noise RMS {noise:.4}) -> \
                 softmodem --mode {mode}: {e} character errors, {}\n{err}",
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
        let wav = s.path("sm.wav");
        softmodem_encode(mode, 8000, &data, &wav, &s);
        let (sig, noise) = add_noise(&wav, None, SNR_DB, 2000 + k as u64);
        let got = minimodem_rx(mm, &wav);
        let e = char_errors(&got, &data);
        if e != 0 {
            failures.push(format!(
                "softmodem --mode {mode} + noise (signal RMS {sig:.3}, noise RMS {noise:.4}) -> minimodem --rx {}: \
                 {e} character errors, {}",
                mm.join(" "),
                first_difference(&got, &data)
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
