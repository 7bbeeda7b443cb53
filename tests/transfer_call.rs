//! A file over a whole call: two `softmodem stdio` processes in lockstep (the caller and the
//! answerer, V.22bis with V.42 as a factory modem does it), each running a transfer program with
//! `--exec`: lrzsz's `sz` at the answerer (a BBS sending a file) and `softmodem rz` at the caller,
//! then `softmodem sz` uploading to lrzsz's `rz`; byte-exact.
#![cfg(not(target_arch = "wasm32"))]

mod support;

use std::time::Instant;

use softmodem::sim::line::{Direction, Dropout, Impairments};
use support::{bin, random_bytes, Scratch};

/// Runs a caller and an answerer with `extra` arguments until both have exited (or `limit`
/// blocks); their exit statuses' success and stderr.
fn call(caller: &[String], answerer: &[String], limit: usize) -> [(bool, String); 2] {
    call_over(caller, answerer, limit, [None, None])
}

/// [`call`] through the line simulator: `lines` are the caller-to-answerer and
/// answerer-to-caller directions.
fn call_over(caller: &[String], answerer: &[String], limit: usize, lines: [Option<Direction>; 2]) -> [(bool, String); 2] {
    let base = |role: &str, more: &[String]| {
        let mut a: Vec<String> = ["stdio", "--mode", "v22bis", "--role", role].iter().map(|s| s.to_string()).collect();
        a.extend(more.iter().cloned());
        a
    };
    support::lockstep([base("call", caller), base("answer", answerer)], limit, lines)
}

#[test]
fn download_and_upload_over_a_call_with_v42() {
    let bbs = Scratch::new("call-bbs");
    let user = Scratch::new("call-user");
    let file = random_bytes(12_000, 21);
    std::fs::write(bbs.path("game.zip"), &file).unwrap();
    let t = Instant::now();
    // Download: the BBS (answerer) runs sz, the user's modem (caller) runs softmodem rz.
    let [(ok_a, err_a), (ok_b, err_b)] = call(
        &["--exec".into(), format!("'{}' rz --quiet --dir '{}'", bin(), user.path("").display())],
        &["--exec".into(), format!("cd '{}' && sz game.zip", bbs.path("").display())],
        30_000,
    );
    assert!(ok_a && ok_b, "caller:\n{err_a}\nanswerer:\n{err_b}");
    assert!(err_a.contains("CONNECT 2400/LAPM"), "{err_a}");
    assert!(err_a.contains("ZMODEM received: 1 files, 12000 octets"), "{err_a}");
    assert!(err_a.contains("V.42: received"), "V.42's counts at the end: {err_a}");
    assert!(std::fs::read(user.path("game.zip")).unwrap() == file, "the download differs");

    // Upload: the user's modem runs softmodem sz, the BBS runs rz.
    let upload = support::printable_text(8_000, 22);
    std::fs::write(user.path("upload.txt"), &upload).unwrap();
    let [(ok_a, err_a), (ok_b, err_b)] = call(
        &["--exec".into(), format!("cd '{}' && '{}' sz --quiet upload.txt", user.path("").display(), bin())],
        &["--exec".into(), format!("cd '{}' && rz", bbs.path("").display())],
        30_000,
    );
    assert!(ok_a && ok_b, "caller:\n{err_a}\nanswerer:\n{err_b}");
    assert!(std::fs::read(bbs.path("upload.txt")).unwrap() == upload, "the upload differs");
    eprintln!("both ways in {:?}", t.elapsed());
}

#[test]
fn download_over_an_impaired_line_arrives_exact() {
    // 20 dB SNR, offsets of frequency and clock, and three 150 ms dropouts on the BBS's signal
    // while the file flows: V.42 repairs what the line damages (retransmissions), ZMODEM sees a
    // clean stream, and the file arrives exact.
    let bbs = Scratch::new("call-impaired-bbs");
    let user = Scratch::new("call-impaired-user");
    let file = random_bytes(10_000, 31);
    std::fs::write(bbs.path("demo.bin"), &file).unwrap();
    let base = Impairments { freq_offset_hz: 5.0, clock_ppm: 100.0, ..Default::default() }.with_snr(20.0, -13.0);
    let mut to_caller = base.clone();
    to_caller.dropouts = [14_000.0, 22_000.0, 30_000.0].iter().map(|&at_ms| Dropout { at_ms, ms: 150.0 }).collect();
    let [(ok_a, err_a), (ok_b, err_b)] = call_over(
        &["--exec".into(), format!("'{}' rz --quiet --dir '{}'", bin(), user.path("").display())],
        &["--exec".into(), format!("cd '{}' && sz demo.bin", bbs.path("").display())],
        60_000,
        [Some(Direction::new(base, 41)), Some(Direction::new(to_caller, 42))],
    );
    assert!(ok_a && ok_b, "caller:\n{err_a}\nanswerer:\n{err_b}");
    assert!(err_a.contains("/LAPM"), "{err_a}");
    assert!(std::fs::read(user.path("demo.bin")).unwrap() == file, "the download differs");
    let retransmitted = err_b
        .lines()
        .find_map(|l| l.split(" retransmitted").next().filter(|_| l.contains("V.42: received")))
        .and_then(|head| head.rsplit(' ').next())
        .and_then(|n| n.parse::<u32>().ok());
    assert!(retransmitted.is_some_and(|n| n > 0), "the dropouts cost the BBS retransmissions:\n{err_b}");
}
