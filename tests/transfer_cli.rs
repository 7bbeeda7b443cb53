//! `softmodem sz` and `softmodem rz` on pipes against lrzsz's `rz` and `sz`: the commands speak
//! ZMODEM on stdin/stdout as lrzsz does, so each pairs with the other's program.
#![cfg(not(target_arch = "wasm32"))]

mod support;

use std::process::Command;
use std::time::Duration;

use support::peer::cross;
use support::{bin, random_bytes, Scratch};

fn files(dir: &Scratch) -> Vec<(&'static str, Vec<u8>)> {
    let f = vec![
        ("empty", vec![]),
        ("a file.txt", b"hello, world\r\n".repeat(100)),
        ("random.bin", random_bytes(300_000, 11)),
    ];
    for (name, data) in &f {
        std::fs::write(dir.path(name), data).unwrap();
    }
    f
}

fn check(into: &Scratch, files: &[(&str, Vec<u8>)], what: &str) {
    for (name, data) in files {
        let got = std::fs::read(into.path(name)).unwrap_or_else(|e| panic!("{what}: {name}: {e}"));
        assert!(got == *data, "{what}: {name} differs");
    }
}

#[test]
fn softmodem_sz_to_lrzsz_rz() {
    let (from, into) = (Scratch::new("cli-sz-from"), Scratch::new("cli-sz-into"));
    let f = files(&from);
    let mut ours = Command::new(bin());
    ours.current_dir(from.path("")).arg("sz").args(["--8k"]).args(f.iter().map(|x| x.0));
    let mut theirs = Command::new("rz");
    theirs.current_dir(into.path(""));
    let [(a, a_err), (b, b_err)] = cross(&mut ours, &mut theirs, Duration::from_secs(60));
    assert!(a.is_some_and(|s| s.success()), "softmodem sz: {a:?} {a_err}");
    assert!(b.is_some_and(|s| s.success()), "rz: {b:?} {b_err}");
    assert!(a_err.contains("ZMODEM sent: 3 files, 301400 octets"), "{a_err}");
    check(&into, &f, "sz -> rz");
}

#[test]
fn lrzsz_sz_to_softmodem_rz() {
    let (from, into) = (Scratch::new("cli-rz-from"), Scratch::new("cli-rz-into"));
    let f = files(&from);
    // One of the files is there already: it is kept, and the new one is stored beside it.
    std::fs::write(into.path("a file.txt"), b"older").unwrap();
    let mut theirs = Command::new("sz");
    theirs.current_dir(from.path("")).args(f.iter().map(|x| x.0));
    let mut ours = Command::new(bin());
    ours.args(["rz", "--dir"]).arg(into.path(""));
    let [(a, a_err), (b, b_err)] = cross(&mut theirs, &mut ours, Duration::from_secs(60));
    assert!(a.is_some_and(|s| s.success()), "sz: {a:?} {a_err}");
    assert!(b.is_some_and(|s| s.success()), "softmodem rz: {b:?} {b_err}");
    assert_eq!(std::fs::read(into.path("a file.txt")).unwrap(), b"older");
    assert_eq!(std::fs::read(into.path("a file.txt.1")).unwrap(), f[1].1);
    check(&into, &[f[0].clone(), f[2].clone()], "sz -> rz");
    // The modification time came along.
    let t = |p| std::fs::metadata(p).unwrap().modified().unwrap();
    assert_eq!(t(into.path("random.bin")), t(from.path("random.bin")).duration_since(std::time::UNIX_EPOCH).map(|d| std::time::UNIX_EPOCH + Duration::from_secs(d.as_secs())).unwrap());
}

#[test]
fn softmodem_to_itself_and_usage_errors() {
    let (from, into) = (Scratch::new("cli-self-from"), Scratch::new("cli-self-into"));
    let f = files(&from);
    let mut a = Command::new(bin());
    a.current_dir(from.path("")).arg("sz").args(["-e"]).args(f.iter().map(|x| x.0));
    let mut b = Command::new(bin());
    b.args(["rz", "-q", "--dir"]).arg(into.path(""));
    let [(x, x_err), (y, y_err)] = cross(&mut a, &mut b, Duration::from_secs(60));
    assert!(x.is_some_and(|s| s.success()) && y.is_some_and(|s| s.success()), "{x_err}\n{y_err}");
    check(&into, &f, "softmodem sz -> softmodem rz");

    let o = support::softmodem(["sz"], None);
    assert_eq!(o.status.code(), Some(2), "no file is a usage error");
    let o = support::softmodem(["sz", "/nonexistent/file"], None);
    assert_eq!(o.status.code(), Some(1));
    assert!(support::stderr(&o).contains("/nonexistent/file"), "{}", support::stderr(&o));
    let o = support::softmodem(["rz", "--xmodem"], None);
    assert_eq!(o.status.code(), Some(2), "XMODEM needs a file name");
}

#[test]
fn softmodem_sz_to_rz_through_damage() {
    // Octets changed, dropped and inserted each way (1e-4 each): lrzsz's rz asks for data again
    // (ZRPOS), our sz goes back, and the file arrives exact. (That sz hears a ZRPOS while it still
    // streams, not after the whole file, shows on a paced link: `cargo bench --bench transfer`.)
    use softmodem::sim::byte_link::{Damage, Faults};
    let (from, into) = (Scratch::new("cli-damage-from"), Scratch::new("cli-damage-into"));
    let data = random_bytes(400_000, 12);
    std::fs::write(from.path("big.bin"), &data).unwrap();
    let mut ours = Command::new(bin());
    ours.current_dir(from.path("")).args(["sz", "big.bin"]);
    let mut theirs = Command::new("rz");
    theirs.current_dir(into.path(""));
    let ways = std::sync::Arc::new(std::sync::Mutex::new([Damage::new(Faults::all(1e-4), 5), Damage::new(Faults::all(1e-4), 6)]));
    let tamper = move |a_to_b: bool, d: &mut Vec<u8>| ways.lock().unwrap()[a_to_b as usize].apply_vec(d);
    let [(a, a_err), (b, b_err)] = support::peer::cross_with(&mut ours, &mut theirs, Duration::from_secs(90), tamper);
    assert!(a.is_some_and(|s| s.success()), "softmodem sz: {a:?} {a_err}");
    assert!(b.is_some_and(|s| s.success()), "rz: {b:?} {b_err}");
    assert!(std::fs::read(into.path("big.bin")).unwrap() == data, "big.bin differs");
    assert!(!a_err.contains(" 0 retries"), "the damage made rz ask again: {a_err}");
}
