#![cfg(not(target_arch = "wasm32"))]
//! `softmodem stdio`: two processes, a caller and an answerer, joined by a line simulated here.
//!
//! Each process writes one 160-sample block of line audio for every block it reads, so the
//! harness runs them in lockstep: it writes one block to each stdin, then reads exactly one block
//! from each stdout and passes it (through the line) to the other's next input. The first blocks
//! are silence.

mod support;

use softmodem::dsp::to_i16;
use softmodem::sim::line::{Direction, Impairments};
use softmodem::sim::rng::Rng;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitStatus;
use support::*;

const BLOCK: usize = 160;

fn to_f32(x: &[i16]) -> Vec<f32> {
    x.iter().map(|&v| v as f32 / 32768.0).collect()
}

/// One direction of the line: clean, or a simulated [`Direction`].
fn pass(line: &mut Option<Direction>, x: &[i16]) -> Vec<i16> {
    match line {
        None => x.to_vec(),
        Some(d) => {
            let input = to_f32(x);
            let mut out = vec![0.0; input.len()];
            d.process(&input, &mut out);
            out.iter().map(|&v| to_i16(v)).collect()
        }
    }
}

struct Side {
    role: &'static str,
    send: Vec<u8>,
    recv: PathBuf,
}

struct Outcome {
    status: ExitStatus,
    stderr: String,
    recv: Vec<u8>,
    /// RMS of what the process sent in its first 20 blocks (before any handshake can finish).
    early_rms: f32,
}

/// Runs a caller and an answerer of `family` for `blocks` blocks over the line.
fn call(
    tag: &str,
    family: &str,
    caller_send: &[u8],
    answerer_send: &[u8],
    blocks: usize,
    a_to_b: Option<Direction>,
    b_to_a: Option<Direction>,
) -> (Outcome, Outcome) {
    call_with(tag, family, [&[], &[]], caller_send, answerer_send, blocks, a_to_b, b_to_a)
}

/// [`call`], with more arguments for the caller and the answerer.
#[allow(clippy::too_many_arguments)]
fn call_with(
    tag: &str,
    family: &str,
    extra: [&[&str]; 2],
    caller_send: &[u8],
    answerer_send: &[u8],
    blocks: usize,
    mut a_to_b: Option<Direction>,
    mut b_to_a: Option<Direction>,
) -> (Outcome, Outcome) {
    let s = Scratch::new(tag);
    let sides = [
        Side { role: "call", send: caller_send.to_vec(), recv: s.path("caller.recv") },
        Side { role: "answer", send: answerer_send.to_vec(), recv: s.path("answerer.recv") },
    ];
    let mut procs: Vec<Proc> = sides
        .iter()
        .zip(extra)
        .map(|(side, more)| {
            let send = s.write(&format!("{}.send", side.role), &side.send);
            let mut args: Vec<String> = vec![
                "stdio".into(),
                "--mode".into(),
                family.into(),
                "--role".into(),
                side.role.into(),
                "--send".into(),
                arg(&send),
                "--recv".into(),
                arg(&side.recv),
            ];
            args.extend(more.iter().map(|a| a.to_string()));
            Proc::spawn(&args)
        })
        .collect();
    let mut inputs = [vec![0i16; BLOCK], vec![0i16; BLOCK]];
    let mut early = [vec![], vec![]];
    let mut broken = None;
    'run: for k in 0..blocks {
        for (p, x) in procs.iter_mut().zip(&inputs) {
            if let Err(e) = p.write(x) {
                broken = Some(format!("block {k}: write: {e}"));
                break 'run;
            }
        }
        let mut outs = vec![];
        for p in procs.iter_mut() {
            match p.read(BLOCK) {
                Ok(y) => outs.push(y),
                Err(e) => {
                    broken = Some(format!("block {k}: read: {e}"));
                    break 'run;
                }
            }
        }
        if k < 20 {
            early[0].extend(to_f32(&outs[0]));
            early[1].extend(to_f32(&outs[1]));
        }
        inputs = [pass(&mut b_to_a, &outs[1]), pass(&mut a_to_b, &outs[0])];
    }
    let mut results = vec![];
    for ((p, side), early) in procs.into_iter().zip(&sides).zip(early) {
        let (status, stderr, rest) = p.finish();
        assert!(rest.is_empty(), "{tag} {}: {} bytes on stdout after EOF", side.role, rest.len());
        let recv = std::fs::read(&side.recv).unwrap_or_default();
        results.push(Outcome { status, stderr, recv, early_rms: rms(&early) });
    }
    if let Some(b) = broken {
        panic!(
            "{tag}: the lockstep broke at {b}\ncaller stderr:\n{}\nanswerer stderr:\n{}",
            results[0].stderr, results[1].stderr
        );
    }
    let b = results.pop().unwrap();
    let a = results.pop().unwrap();
    (a, b)
}

/// Random bytes (every value possible).
#[track_caller]
fn check(tag: &str, who: &str, o: &Outcome, connect: &str, want: &[u8]) {
    assert!(!o.stderr.contains("panicked"), "{tag} {who} panicked:\n{}", o.stderr);
    assert!(o.status.success(), "{tag} {who}: {:?}\n{}", o.status, o.stderr);
    assert!(o.stderr.lines().any(|l| l == connect), "{tag} {who}: no {connect:?} on stderr:\n{}", o.stderr);
    assert!(!o.stderr.contains("NO CARRIER"), "{tag} {who}: lost the carrier:\n{}", o.stderr);
    // At the end, the receive counts: all of it, nothing lost (with V.42: what LAPM delivered).
    let counts = if connect.contains("/LAPM") {
        format!("V.42: received {} octets;", want.len())
    } else {
        format!("received {} characters; lost 0 to framing errors, 0 to retrains", want.len())
    };
    assert!(o.stderr.lines().any(|l| l.starts_with(&counts)), "{tag} {who}: no {counts:?} on stderr:\n{}", o.stderr);
    assert!(
        o.recv == want,
        "{tag} {who}: received {} bytes, want {} ({} character errors), {}",
        o.recv.len(),
        want.len(),
        char_errors(&o.recv, want),
        first_difference(&o.recv, want)
    );
}

/// A full-duplex call with data both ways; checks both ends.
#[allow(clippy::too_many_arguments)]
fn duplex(
    tag: &str,
    family: &str,
    caller_send: &[u8],
    answerer_send: &[u8],
    connect: (&str, &str),
    a_to_b: Option<Direction>,
    b_to_a: Option<Direction>,
) {
    let (a, b) = call(tag, family, caller_send, answerer_send, 500, a_to_b, b_to_a);
    check(tag, "caller", &a, connect.0, answerer_send);
    check(tag, "answerer", &b, connect.1, caller_send);
    // The answerer sends its carrier at once (at -13 dBm0: 0.11 RMS); the caller waits for it.
    assert!((b.early_rms / 0.1098 - 1.0).abs() < 0.05, "{tag}: answerer's first blocks at RMS {}", b.early_rms);
}

#[test]
fn bell103_call() {
    let caller = printable_text(200, 1);
    let answerer = random_bytes(200, 2);
    duplex("bell103", "bell103", &caller, &answerer, ("CONNECT 300", "CONNECT 300"), None, None);
}

#[test]
fn v21_call() {
    let caller = random_bytes(200, 3);
    let answerer = printable_text(200, 4);
    duplex("v21", "v21", &caller, &answerer, ("CONNECT 300", "CONNECT 300"), None, None);
}

#[test]
fn v23_call() {
    // The caller sends on the 75 bit/s backward channel (7.5 characters a second) and receives at
    // 1200 bit/s; the status line gives the receive rate first.
    let caller = printable_text(40, 5);
    let answerer = random_bytes(300, 6);
    duplex("v23", "v23", &caller, &answerer, ("CONNECT 1200/75", "CONNECT 75/1200"), None, None);
}

#[test]
fn bell202_one_way() {
    // Half duplex: only the caller has something to send; both report the connection at once.
    let caller = random_bytes(300, 7);
    let (a, b) = call("bell202", "bell202", &caller, &[], 200, None, None);
    check("bell202", "caller", &a, "CONNECT 1200", &[]);
    check("bell202", "answerer", &b, "CONNECT 1200", &caller);
}

#[test]
fn bell103_call_over_an_impaired_line() {
    let imp = Impairments { freq_offset_hz: 7.0, clock_ppm: 200.0, ..Default::default() }.with_snr(25.0, -13.0);
    let mut imp_back = imp.clone();
    imp_back.freq_offset_hz = -5.0;
    imp_back.clock_ppm = -150.0;
    let caller = printable_text(200, 8);
    let answerer = random_bytes(200, 9);
    duplex(
        "bell103-impaired",
        "bell103",
        &caller,
        &answerer,
        ("CONNECT 300", "CONNECT 300"),
        Some(Direction::new(imp, 11)),
        Some(Direction::new(imp_back, 12)),
    );
}

#[test]
fn v21_call_over_an_impaired_line() {
    let imp = Impairments { freq_offset_hz: 7.0, clock_ppm: 200.0, ..Default::default() }.with_snr(25.0, -13.0);
    let caller = random_bytes(200, 13);
    let answerer = printable_text(200, 14);
    duplex(
        "v21-impaired",
        "v21",
        &caller,
        &answerer,
        ("CONNECT 300", "CONNECT 300"),
        Some(Direction::new(imp.clone(), 15)),
        Some(Direction::new(imp, 16)),
    );
}

#[test]
fn auto_calls_auto_at_2400() {
    // Both ends in automode: the answerer waits the billing delay (2 s) and sends ANSam; the
    // caller (V.8 off by default) takes it for a plain answer tone, and the answerer goes on to
    // V.22bis after it. 500 blocks are 10 s.
    let caller = random_bytes(600, 17);
    let answerer = printable_text(600, 18);
    // Both in their factory setting: V.42 with V.42bis.
    let (a, b) = call("auto", "auto", &caller, &answerer, 700, None, None);
    check("auto", "caller", &a, "CONNECT 2400/LAPM/V42BIS", &answerer);
    check("auto", "answerer", &b, "CONNECT 2400/LAPM/V42BIS", &caller);
    for (who, o) in [("caller", &a), ("answerer", &b)] {
        assert!(o.stderr.lines().any(|l| l == "DETECTED V.22bis"), "{who}:\n{}", o.stderr);
        assert!(o.stderr.lines().any(|l| l == "ANSWER TONE"), "{who}:\n{}", o.stderr);
    }
    // Silent through the billing delay.
    assert!(b.early_rms < 1e-4, "answerer's first blocks at RMS {}", b.early_rms);
}

/// Feeds `input` (raw bytes) to a stdio process all at once (from a thread) and returns what it
/// wrote, its status and stderr.
fn feed(family: &str, role: &str, input: Vec<u8>) -> (Vec<u8>, ExitStatus, String) {
    let s = Scratch::new(&format!("feed-{family}-{role}"));
    let send = s.write("send", b"data to send once connected");
    let recv = s.path("recv");
    let o = softmodem(
        ["stdio", "--mode", family, "--role", role, "--send", &arg(&send), "--recv", &arg(&recv)],
        Some(&input),
    );
    (o.stdout.clone(), o.status, stderr(&o))
}

fn samples_to_bytes(x: &[i16]) -> Vec<u8> {
    x.iter().flat_map(|v| v.to_le_bytes()).collect()
}

#[test]
fn partial_final_block() {
    for (samples, extra_byte) in [(100usize, false), (160 + 100, false), (1, false), (0, false), (100, true)] {
        let mut input = samples_to_bytes(&vec![0i16; samples]);
        if extra_byte {
            input.push(0x7f);
        }
        for family in ["bell103", "v23"] {
            for role in ["call", "answer"] {
                let (out, status, err) = feed(family, role, input.clone());
                assert!(!err.contains("panicked"), "{err}");
                assert!(status.success(), "{family} {role} {samples}: {status:?}\n{err}");
                // A half sample at the very end is not a sample: it is dropped.
                assert_eq!(out.len(), 2 * samples, "{family} {role}: {samples} samples in (+{extra_byte} byte)");
            }
        }
    }
    // The answerer sends its carrier from the first sample, even in a short final block.
    let (out, _, _) = feed("v21", "answer", samples_to_bytes(&[0i16; 100]));
    assert!(out.iter().any(|&b| b != 0), "the answerer sent silence");
}

#[test]
fn garbage_audio() {
    // Full-scale random samples, DC at both extremes and a square wave: whatever the modem makes of
    // them, it must not fail, and it must answer every sample with one.
    let mut r = Rng::new(99);
    let noise: Vec<i16> = (0..BLOCK * 250 + 77).map(|_| r.next_u32() as i16).collect();
    let mut extremes = vec![i16::MIN; BLOCK * 50];
    extremes.extend(vec![i16::MAX; BLOCK * 50]);
    extremes.extend((0..BLOCK * 50).map(|i| if i % 3 == 0 { i16::MAX } else { i16::MIN }));
    for (what, x) in [("noise", &noise), ("extremes", &extremes)] {
        for family in ["bell103", "v21", "v23", "bell202"] {
            for role in ["call", "answer"] {
                let (out, status, err) = feed(family, role, samples_to_bytes(x));
                assert!(!err.contains("panicked"), "{what} {family} {role}:\n{err}");
                assert!(status.success(), "{what} {family} {role}: {status:?}\n{err}");
                assert_eq!(out.len(), 2 * x.len(), "{what} {family} {role}");
            }
        }
    }
}

#[test]
fn stops_quietly_when_its_listener_goes_away() {
    // Closing the process's stdout (the far end hangs up) ends it cleanly, not with an error.
    let mut p = Proc::spawn(&["stdio".into(), "--mode".into(), "v21".into(), "--role".into(), "answer".into()]);
    p.write(&[0; BLOCK]).unwrap();
    p.read(BLOCK).unwrap();
    let Proc { mut child, stdin, stdout, stderr } = p;
    drop(stdout);
    let mut stdin = stdin.unwrap();
    // It may see the closed pipe only when it next writes; keep feeding until it has gone.
    for _ in 0..100 {
        if stdin.write_all(&[0u8; 2 * BLOCK]).is_err() {
            break;
        }
    }
    drop(stdin);
    let status = child.wait().unwrap();
    let err = stderr.unwrap().join().unwrap();
    assert!(!err.contains("panicked"), "{err}");
    assert!(status.success(), "{status:?}\n{err}");
}

#[test]
fn error_control_choices() {
    // V.42 without V.42bis at one end: LAPM alone, the data exact.
    let (caller, answerer) = (printable_text(500, 31), random_bytes(500, 32));
    let (a, b) = call_with("ec-nobis", "v22bis", [&[], &["--compression", "off"]], &caller, &answerer, 600, None, None);
    check("ec-nobis", "caller", &a, "CONNECT 2400/LAPM", &answerer);
    check("ec-nobis", "answerer", &b, "CONNECT 2400/LAPM", &caller);
    // V.42 required against a modem without it: no CONNECT, the call given up with the reason.
    let (a, b) = call_with("ec-required", "v22bis", [&["--ec", "lapm"], &["--ec", "off"]], b"x", b"y", 500, None, None);
    assert!(!a.stderr.lines().any(|l| l.starts_with("CONNECT")), "{}", a.stderr);
    assert!(
        a.stderr.contains("NO CARRIER") && a.stderr.contains("V.42: required, and the far modem has none"),
        "{}",
        a.stderr
    );
    assert!(b.stderr.lines().any(|l| l == "CONNECT 2400"), "{}", b.stderr);
}
