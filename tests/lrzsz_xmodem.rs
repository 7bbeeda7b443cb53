#![cfg(not(target_arch = "wasm32"))]
//! XMODEM, XMODEM-1K, YMODEM and YMODEM-G against lrzsz (`sx`, `rx`, `sb`, `rb`) on pipes, both
//! ways: our [`XmodemReceiver`] takes what `sx`/`sb` send, our [`XmodemSender`] sends to
//! `rx`/`rb`, which write into a scratch directory. Files: none, 0 octets, 1 octet, exactly one
//! block (128, 1024), 1 MB random, names with spaces; then a line that damages octets, and
//! cancels from either side.
//!
//! What lrzsz (0.12.21rc) does here, from its man pages and these runs; none of it misbehaves on
//! pipes:
//! - XMODEM carries no length: `sx` pads the last block with SUB (0x1A) to a multiple of 128
//!   (XMODEM-1K, `sx -k`, sends the tail in 128-octet blocks, so also a multiple of 128), and
//!   `rx` keeps the padding. XMODEM files are compared as the file then SUBs to that multiple.
//! - `rx` asks with NAK (checksums) unless given `-c` ('C'); it takes 128- and 1024-octet
//!   blocks either way.
//! - `sx` and `sb` send EOT again when our receiver NAKs the first one (the paper's YMODEM
//!   figure). `rb` does not NAK our first EOT: it waits about a second and ACKs it, and asks for
//!   the next block 0 a second later (about two seconds a file; its first 'C' also comes after
//!   a second).
//! - `sb` sends 128-octet blocks unless given `-k`, and sends each file's length, time and mode.
//!   Asked with 'G', it streams (YMODEM-G): it takes our 'G' alone after block 0, and our ACK of
//!   the first EOT. With no file it refuses to start ("need at least one file to send"), so the
//!   empty batch is only sent to `rb`.
//! - `rb` has no YMODEM-G option (`rb --help` lists none; `-g` and `--ymodem-g` are refused), so
//!   our YMODEM-G sender meets it only as a YMODEM sender: `rb` asks with 'C', and the
//!   receiver's start character decides.
//! - `rb` turns a name with no lower-case letter into lower case (man page), so the names here
//!   are lower case.
//! - Terminated (SIGTERM, as `timeout` sends), lrzsz sends ten CANs and ten backspaces
//!   (`caught signal 15; exiting`): the far end's cancel here.
//! - The harness looks at the pipes every 2 ms, so 128-octet blocks go at about 64 KB/s: 1 MB in
//!   them takes some 16 s.

mod support;

use softmodem::transfer::files::{MemorySink, MemorySource, ReceivedFile};
use softmodem::transfer::xmodem::{Config, XmodemReceiver, XmodemSender};
use softmodem::transfer::{LineRate, Outcome, Party, Protocol, Transfer};
use std::cell::RefCell;
use std::process::Command;
use std::rc::Rc;
use std::time::Duration as StdDuration;
use support::peer::{run_against, run_against_with, PeerRun};
use support::{random_bytes, Scratch};

const LIMIT: StdDuration = StdDuration::from_secs(120);
const SUB: u8 = 0x1A;

fn have_lrzsz() -> bool {
    let ok = Command::new("sx").arg("--help").output().is_ok();
    if !ok {
        eprintln!("lrzsz is not installed: skipped");
    }
    ok
}

/// A sink the test can look into after the receiver is done with it.
#[derive(Clone)]
struct Shared(Rc<RefCell<MemorySink>>);

impl Shared {
    fn new() -> Shared {
        Shared(Rc::new(RefCell::new(MemorySink::new(1 << 26))))
    }
    fn files(&self) -> Vec<ReceivedFile> {
        self.0.borrow().files.clone()
    }
}


/// A few files, as a batch test sends them: name and contents.
fn batch() -> Vec<(String, Vec<u8>)> {
    vec![
        ("empty.bin".into(), vec![]),
        ("one.bin".into(), vec![0x42]),
        ("block128.bin".into(), random_bytes(128, 1)),
        ("block1024.bin".into(), random_bytes(1024, 2)),
        ("a name with spaces.txt".into(), b"spaces in the name\r\n".repeat(50)),
        ("ends in sub.bin".into(), vec![SUB; 300]),
        ("megabyte.bin".into(), random_bytes(1 << 20, 3)),
    ]
}

/// XMODEM's files: 0 and 1 octets, one 128-octet block, a 1K block less a bit and exactly, and
/// `big` random octets (1 MB in 128-octet blocks takes 15 s on these pipes: the harness looks
/// every 2 ms; the checksum runs take less).
fn xmodem_files(big: usize) -> Vec<Vec<u8>> {
    vec![vec![], vec![7], random_bytes(128, 4), random_bytes(1000, 5), random_bytes(1024, 6), random_bytes(big, 7)]
}

/// What an XMODEM receiver keeps of `data`: SUB padding to a multiple of 128.
fn padded(data: &[u8]) -> Vec<u8> {
    let mut v = data.to_vec();
    v.resize(data.len().div_ceil(128) * 128, SUB);
    v
}

fn command(program: &str, dir: &Scratch, args: &[&str]) -> Command {
    let mut c = Command::new(program);
    c.current_dir(dir.path(".")).args(args);
    c
}

fn explain(run: &PeerRun) -> String {
    format!("{:?} in {:?}; exit {:?}; stderr:\n{}", run.outcome, run.elapsed, run.status, run.stderr)
}

fn assert_both_ok(run: &PeerRun) {
    assert_eq!(run.outcome, Some(Outcome::Complete), "{}", explain(run));
    assert!(run.status.is_some_and(|s| s.success()), "{}", explain(run));
}

fn receiver(protocol: Protocol, sink: &Shared) -> XmodemReceiver {
    let config = Config { name: "received".into(), ..Config::new(protocol, LineRate::FAST) };
    XmodemReceiver::new(config, Box::new(sink.0.clone()))
}

fn sender(protocol: Protocol, files: &[(String, Vec<u8>)]) -> XmodemSender {
    let mut source = MemorySource::new();
    for (name, data) in files {
        source.add(name, data.clone());
    }
    XmodemSender::new(Config::new(protocol, LineRate::FAST), Box::new(source))
}

/// Our XMODEM receiver takes `data` from `sx args`.
fn receive_from_sx(protocol: Protocol, crc: bool, args: &[&str], data: &[u8]) {
    let dir = Scratch::new("sx");
    dir.write("file.bin", data);
    let sink = Shared::new();
    let config = Config { name: "received".into(), crc, ..Config::new(protocol, LineRate::FAST) };
    let mut r = XmodemReceiver::new(config, Box::new(sink.0.clone()));
    let mut cmd = command("sx", &dir, args);
    cmd.arg("file.bin");
    let run = run_against(&mut r, &mut cmd, LIMIT);
    assert_both_ok(&run);
    let files = sink.files();
    assert_eq!(files.len(), 1, "{}", explain(&run));
    assert!(files[0].complete);
    assert!(
        files[0].data == padded(data),
        "{args:?}: {} octets for {} (padded {}); {}",
        files[0].data.len(),
        data.len(),
        padded(data).len(),
        explain(&run)
    );
}

#[test]
fn xmodem_from_sx_crc() {
    if have_lrzsz() {
        for data in xmodem_files(1 << 20) {
            receive_from_sx(Protocol::Xmodem, true, &[], &data);
        }
    }
}

#[test]
fn xmodem_from_sx_checksum() {
    if have_lrzsz() {
        for data in xmodem_files(1 << 18) {
            receive_from_sx(Protocol::Xmodem, false, &[], &data);
        }
    }
}

#[test]
fn xmodem_1k_from_sx() {
    if have_lrzsz() {
        for data in xmodem_files(1 << 20) {
            receive_from_sx(Protocol::Xmodem1k, true, &["-k"], &data);
        }
    }
}

/// Our XMODEM sender sends `data` to `rx args received.bin`.
fn send_to_rx(protocol: Protocol, args: &[&str], data: &[u8]) {
    let dir = Scratch::new("rx");
    let mut s = sender(protocol, &[("file.bin".into(), data.to_vec())]);
    let mut cmd = command("rx", &dir, args);
    cmd.arg("received.bin");
    let run = run_against(&mut s, &mut cmd, LIMIT);
    assert_both_ok(&run);
    let got = std::fs::read(dir.path("received.bin")).expect("rx wrote the file");
    assert!(got == padded(data), "{args:?}: {} octets for {}; {}", got.len(), data.len(), explain(&run));
}

#[test]
fn xmodem_to_rx_checksum() {
    if have_lrzsz() {
        for data in xmodem_files(1 << 18) {
            send_to_rx(Protocol::Xmodem, &[], &data);
        }
    }
}

#[test]
fn xmodem_to_rx_crc() {
    if have_lrzsz() {
        for data in xmodem_files(1 << 20) {
            send_to_rx(Protocol::Xmodem, &["-c"], &data);
        }
    }
}

#[test]
fn xmodem_1k_to_rx() {
    if have_lrzsz() {
        for data in xmodem_files(1 << 20) {
            send_to_rx(Protocol::Xmodem1k, &["-c"], &data);
        }
    }
}

/// Our YMODEM (or YMODEM-G) receiver takes `files` from `sb args`.
fn receive_from_sb(protocol: Protocol, args: &[&str], files: &[(String, Vec<u8>)]) {
    let dir = Scratch::new("sb");
    let mut cmd = command("sb", &dir, args);
    for (name, data) in files {
        dir.write(name, data);
        cmd.arg(name);
    }
    let sink = Shared::new();
    let mut r = receiver(protocol, &sink);
    let run = run_against(&mut r, &mut cmd, LIMIT);
    assert_both_ok(&run);
    let got = sink.files();
    assert_eq!(got.len(), files.len(), "{}", explain(&run));
    for (g, (name, data)) in got.iter().zip(files) {
        assert_eq!(&g.info.name, name);
        assert_eq!(g.info.size, Some(data.len() as u64));
        assert!(g.info.mtime.is_some() && g.info.mode.is_some(), "sb sends the time and the mode: {:?}", g.info);
        assert!(g.complete && g.data == *data, "{name}: {} octets for {}", g.data.len(), data.len());
    }
}

#[test]
fn ymodem_from_sb() {
    if have_lrzsz() {
        receive_from_sb(Protocol::Ymodem, &[], &batch());
    }
}

#[test]
fn ymodem_1k_from_sb() {
    if have_lrzsz() {
        receive_from_sb(Protocol::Ymodem, &["-k"], &batch());
    }
}

#[test]
fn ymodem_g_from_sb() {
    if !have_lrzsz() {
        return;
    }
    receive_from_sb(Protocol::YmodemG, &[], &batch());
    receive_from_sb(Protocol::YmodemG, &["-k"], &batch());
}

/// Our YMODEM sender (`protocol`: YMODEM, or YMODEM-G meeting a receiver that asks for YMODEM)
/// sends `files` to `rb`.
fn send_to_rb(protocol: Protocol, files: &[(String, Vec<u8>)]) {
    let dir = Scratch::new("rb");
    let mut s = sender(protocol, files);
    let mut cmd = command("rb", &dir, &[]);
    let run = run_against(&mut s, &mut cmd, LIMIT);
    assert_both_ok(&run);
    for (name, data) in files {
        let got = std::fs::read(dir.path(name)).unwrap_or_else(|e| panic!("{name}: {e}; {}", explain(&run)));
        assert!(got == *data, "{name}: {} octets for {}", got.len(), data.len());
    }
}

#[test]
fn ymodem_to_rb() {
    if have_lrzsz() {
        send_to_rb(Protocol::Ymodem, &batch());
    }
}

#[test]
fn ymodem_to_rb_no_files_and_g_meeting_c() {
    if have_lrzsz() {
        send_to_rb(Protocol::Ymodem, &[]);
        send_to_rb(Protocol::YmodemG, &batch()[..3]);
    }
}

/// A line that changes one octet in `every` going to the receiver, and one in 500 coming back
/// (the answers), deterministically. (A damaged answer costs the sender a ten-second timeout.)
fn damage(every: usize) -> impl FnMut(bool, &mut Vec<u8>) {
    let (mut to_us, mut to_them) = (0usize, 0usize);
    move |from_program, data| {
        for b in data.iter_mut() {
            let (count, period) = if from_program { (&mut to_us, every) } else { (&mut to_them, 500) };
            *count += 1;
            if *count % period == 0 {
                *b ^= 0x41;
            }
        }
    }
}

#[test]
fn damaged_lines() {
    if !have_lrzsz() {
        return;
    }
    let data = random_bytes(200_000, 9);
    // From sb: our receiver NAKs the damaged blocks.
    let dir = Scratch::new("damage-sb");
    dir.write("noisy.bin", &data);
    let sink = Shared::new();
    let mut r = receiver(Protocol::Ymodem, &sink);
    let mut cmd = command("sb", &dir, &["-k", "noisy.bin"]);
    let run = run_against_with(&mut r, &mut cmd, LIMIT, damage(30_011));
    assert_both_ok(&run);
    assert!(r.progress().errors > 3, "{}", explain(&run));
    assert!(sink.files()[0].data == data);
    // To rb: rb NAKs ours.
    let dir = Scratch::new("damage-rb");
    let mut s = sender(Protocol::Ymodem, &[("noisy.bin".into(), data.clone())]);
    let mut cmd = command("rb", &dir, &[]);
    let mut line = damage(30_011);
    let run = run_against_with(&mut s, &mut cmd, LIMIT, |from_program, d| line(!from_program, d));
    assert_both_ok(&run);
    assert!(s.progress().retries > 3, "{}", explain(&run));
    assert!(std::fs::read(dir.path("noisy.bin")).unwrap() == data);
    // XMODEM to rx, checksums.
    let data = &data[..100_000];
    let dir = Scratch::new("damage-rx");
    let mut s = sender(Protocol::Xmodem, &[("noisy.bin".into(), data.to_vec())]);
    let mut cmd = command("rx", &dir, &["received.bin"]);
    let mut line = damage(20_011);
    let run = run_against_with(&mut s, &mut cmd, LIMIT, |from_program, d| line(!from_program, d));
    assert_both_ok(&run);
    assert!(s.progress().retries > 3, "{}", explain(&run));
    assert!(std::fs::read(dir.path("received.bin")).unwrap() == padded(data));
}

#[test]
fn ymodem_g_from_sb_fails_cleanly_on_damage() {
    if !have_lrzsz() {
        return;
    }
    let data = random_bytes(300_000, 10);
    let dir = Scratch::new("damage-g");
    dir.write("g.bin", &data);
    let sink = Shared::new();
    let mut r = receiver(Protocol::YmodemG, &sink);
    let mut cmd = command("sb", &dir, &["-k", "g.bin"]);
    let run = run_against_with(&mut r, &mut cmd, LIMIT, damage(100_003));
    assert!(matches!(run.outcome, Some(Outcome::Protocol(_))), "{}", explain(&run));
    assert!(run.status.is_some_and(|s| !s.success()), "sb saw the cancel: {}", explain(&run));
    assert!(!sink.files()[0].complete);
}

/// A transfer that cancels itself once `after` octets have come.
struct CancelAfter<T: Transfer> {
    inner: T,
    after: usize,
    seen: usize,
}

impl<T: Transfer> Transfer for CancelAfter<T> {
    fn protocol(&self) -> Protocol {
        self.inner.protocol()
    }
    fn direction(&self) -> softmodem::transfer::Direction {
        self.inner.direction()
    }
    fn receive(&mut self, now: softmodem::time::Instant, data: &[u8]) {
        self.inner.receive(now, data);
        self.seen += data.len();
        if self.seen >= self.after && self.after > 0 {
            self.after = 0;
            self.inner.cancel();
        }
    }
    fn transmit(&mut self, now: softmodem::time::Instant, out: &mut [u8]) -> usize {
        self.inner.transmit(now, out)
    }
    fn progress(&self) -> &softmodem::transfer::Progress {
        self.inner.progress()
    }
    fn outcome(&self) -> Option<&Outcome> {
        self.inner.outcome()
    }
    fn cancel(&mut self) {
        self.inner.cancel()
    }
}

#[test]
fn cancels_to_lrzsz() {
    if !have_lrzsz() {
        return;
    }
    let data = random_bytes(1 << 20, 11);
    for protocol in [Protocol::Ymodem, Protocol::YmodemG] {
        // We cancel a receipt from sb: sb gives up.
        let dir = Scratch::new("cancel-sb");
        dir.write("big.bin", &data);
        let sink = Shared::new();
        let mut r = CancelAfter { inner: receiver(protocol, &sink), after: 100_000, seen: 0 };
        let mut cmd = command("sb", &dir, &["-k", "big.bin"]);
        let run = run_against(&mut r, &mut cmd, LIMIT);
        assert_eq!(run.outcome, Some(Outcome::Cancelled(Party::Local)), "{}", explain(&run));
        assert!(run.status.is_some_and(|s| !s.success()), "{}", explain(&run));
        assert!(!sink.files()[0].complete);
    }
    // We cancel a send to rb (the answers count here: cancel after 50).
    let dir = Scratch::new("cancel-rb");
    let mut s =
        CancelAfter { inner: sender(Protocol::Ymodem, &[("big.bin".into(), data.clone())]), after: 50, seen: 0 };
    let mut cmd = command("rb", &dir, &[]);
    let run = run_against(&mut s, &mut cmd, LIMIT);
    assert_eq!(run.outcome, Some(Outcome::Cancelled(Party::Local)), "{}", explain(&run));
    assert!(run.status.is_some_and(|s| !s.success()), "{}", explain(&run));
}

#[test]
fn cancels_from_lrzsz() {
    if !have_lrzsz() {
        return;
    }
    // lrzsz sends its cancel sequence when it is terminated (`sb: caught signal 15`), as
    // `timeout` does after a while: 8 MB take longer than that here (YMODEM-G would not).
    let data = random_bytes(8 << 20, 12);
    let dir = Scratch::new("remote-cancel-sb");
    dir.write("big.bin", &data);
    let sink = Shared::new();
    let mut r = receiver(Protocol::Ymodem, &sink);
    let mut cmd = command("timeout", &dir, &["2", "sb", "-k", "big.bin"]);
    let run = run_against(&mut r, &mut cmd, LIMIT);
    assert_eq!(run.outcome, Some(Outcome::Cancelled(Party::Remote)), "{}", explain(&run));
    assert!(!sink.files()[0].complete && sink.files()[0].data.len() < data.len());
    let dir = Scratch::new("remote-cancel-rb");
    let mut s = sender(Protocol::Ymodem, &[("big.bin".into(), data)]);
    let mut cmd = command("timeout", &dir, &["3", "rb"]);
    let run = run_against(&mut s, &mut cmd, LIMIT);
    assert_eq!(run.outcome, Some(Outcome::Cancelled(Party::Remote)), "{}", explain(&run));
}
