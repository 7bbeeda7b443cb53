//! ZMODEM against lrzsz (Debian's `sz` and `rz`), the programs BBSes run: our receiver takes
//! what `sz` sends and our sender feeds `rz`, over pipes, byte-exact, with the options BBS users
//! meet (8k subpackets, escaping of every control character, resume after a cut-off transfer).
#![cfg(not(target_arch = "wasm32"))]

mod support;

use std::cell::RefCell;
use std::process::Command;
use std::rc::Rc;
use std::time::Duration as StdDuration;

use softmodem::transfer::zmodem::{Config, Receiver, Sender};
use softmodem::transfer::{MemorySink, MemorySource, Outcome, Transfer};
use support::peer::run_against;
use support::{random_bytes, Scratch};

const LIMIT: StdDuration = StdDuration::from_secs(120);

/// The batch every test sends: the edge cases of the issue.
fn batch() -> Vec<(&'static str, Vec<u8>)> {
    vec![
        ("empty.txt", vec![]),
        ("one.bin", vec![0x18]),
        ("block.bin", random_bytes(1024, 1)),
        ("name with spaces.txt", b"ZMODEM test \x18\x10\x11\x13 **\x18B00 @\r\n".repeat(200)),
        ("random.bin", random_bytes(1 << 20, 2)),
    ]
}

fn sz(dir: &Scratch, args: &[&str], files: &[(&str, Vec<u8>)]) -> Command {
    for (name, data) in files {
        std::fs::write(dir.path(name), data).unwrap();
    }
    let mut c = Command::new("sz");
    c.current_dir(dir.path("")).args(args).args(files.iter().map(|f| f.0));
    c
}

/// `sz ARGS FILES` into our receiver: each file arrives whole.
fn receive_from_sz(tag: &str, args: &[&str], config: Config, sink: MemorySink) -> (Rc<RefCell<MemorySink>>, Receiver) {
    let dir = Scratch::new(tag);
    let files = batch();
    let sink = Rc::new(RefCell::new(sink));
    let mut r = Receiver::new(config, Box::new(sink.clone()));
    let run = run_against(&mut r, &mut sz(&dir, args, &files), LIMIT);
    assert_eq!(run.outcome, Some(Outcome::Complete), "sz {args:?}: {}", run.stderr);
    assert!(run.status.is_some_and(|s| s.success()), "sz {args:?} failed: {:?} {}", run.status, run.stderr);
    {
        let got = sink.borrow();
        let complete: Vec<_> = got.files.iter().filter(|f| f.complete).collect();
        assert_eq!(complete.len(), files.len(), "sz {args:?}");
        for ((name, data), g) in files.iter().zip(complete) {
            assert_eq!(&g.info.name, name);
            assert_eq!(g.info.size, Some(data.len() as u64), "{name}: size in ZFILE");
            assert!(g.info.mtime.is_some(), "{name}: modification time in ZFILE");
            assert!(g.data == *data, "{name} differs after sz {args:?}");
        }
    }
    assert_eq!(r.progress().files_done, files.len());
    (sink, r)
}

#[test]
fn receives_a_batch_from_sz() {
    receive_from_sz("zm-rx", &[], Config::default(), MemorySink::new(1 << 24));
}

#[test]
fn receives_8k_subpackets_from_sz() {
    let (_, r) = receive_from_sz("zm-rx8k", &["-8"], Config::default(), MemorySink::new(1 << 24));
    assert!(r.progress().block > 1024, "sz -8 sent subpackets of {} octets", r.progress().block);
}

#[test]
fn receives_with_every_control_character_escaped() {
    // Asked by either end: sz -e, and our ZRINIT with ESCCTL.
    receive_from_sz("zm-rx-e", &["-e"], Config::default(), MemorySink::new(1 << 24));
    let config = Config { escape_control: true, ..Config::default() };
    receive_from_sz("zm-rx-escctl", &[], config, MemorySink::new(1 << 24));
}

#[test]
fn resumes_a_partial_file_from_sz() {
    // The first 300 000 octets of random.bin are here already: sz -r (ZCRESUM) sends the rest.
    let mut sink = MemorySink::new(1 << 24);
    sink.partial.push(("random.bin".into(), random_bytes(1 << 20, 2)[..300_000].to_vec()));
    let (sink, _) = receive_from_sz("zm-rx-resume", &["-r"], Config::default(), sink);
    let f = sink.borrow().files.iter().find(|f| f.info.name == "random.bin").unwrap().clone();
    assert!(f.complete && f.data.len() == 1 << 20);
}

/// Our sender with `config` into `rz ARGS` in a fresh directory; the directory after.
fn send_to_rz(tag: &str, args: &[&str], config: Config, before: &[(&str, Vec<u8>)]) -> (Scratch, Sender) {
    let dir = Scratch::new(tag);
    for (name, data) in before {
        std::fs::write(dir.path(name), data).unwrap();
    }
    let files = batch();
    let mut source = MemorySource::new();
    for (name, data) in &files {
        source.add(name, data.clone());
    }
    let mut s = Sender::new(config, Box::new(source));
    let mut rz = Command::new("rz");
    rz.current_dir(dir.path("")).args(args);
    let run = run_against(&mut s, &mut rz, LIMIT);
    assert_eq!(run.outcome, Some(Outcome::Complete), "rz {args:?}: {}", run.stderr);
    assert!(run.status.is_some_and(|s| s.success()), "rz {args:?} failed: {:?} {}", run.status, run.stderr);
    for (name, data) in &files {
        let got = std::fs::read(dir.path(name)).unwrap_or_else(|e| panic!("{name}: {e}; rz said {}", run.stderr));
        assert!(got == *data, "{name} differs after rz {args:?}");
    }
    assert_eq!(s.progress().files_done, files.len());
    (dir, s)
}

#[test]
fn sends_a_batch_to_rz() {
    let (_, s) = send_to_rz("zm-tx", &[], Config::default(), &[]);
    assert_eq!(s.progress().total, batch().iter().map(|f| f.1.len() as u64).sum::<u64>());
}

#[test]
fn sends_8k_subpackets_to_rz() {
    let config = Config { max_subpacket: 8192, ..Config::default() };
    let (_, s) = send_to_rz("zm-tx8k", &[], config, &[]);
    assert_eq!(s.progress().block, 8192);
}

#[test]
fn sends_with_every_control_character_escaped() {
    send_to_rz("zm-tx-e", &["-e"], Config::default(), &[]);
    let config = Config { escape_control: true, ..Config::default() };
    send_to_rz("zm-tx-escctl", &[], config, &[]);
}

#[test]
fn resumes_into_rz() {
    // rz -r has 400 000 octets of random.bin: our sender, asked by ZRPOS, starts there (rz asks
    // from a whole number of kilobytes below: 399 360).
    let partial = random_bytes(1 << 20, 2)[..400_000].to_vec();
    let config = Config { resume: true, ..Config::default() };
    let (_, s) = send_to_rz("zm-tx-resume", &["-r"], config, &[("random.bin", partial)]);
    let start = s.progress().start;
    assert!(start > 390_000 && start <= 400_000, "random.bin resumed from {start}");
    assert_eq!(s.progress().total, batch().iter().map(|f| f.1.len() as u64).sum::<u64>() - start);
}

#[test]
fn cancel_reaches_sz_and_rz() {
    // Our receiver cancels once 100 000 octets are in: sz stops, with a failure status.
    let dir = Scratch::new("zm-cancel-rx");
    let files = vec![("big.bin", random_bytes(4 << 20, 3))];
    let mut r = Receiver::new(Config::default(), Box::new(MemorySink::new(1 << 24)));
    let run = support::peer::run_against_stepped(&mut r, &mut sz(&dir, &[], &files), LIMIT, |_, _| {}, |t| {
        if t.progress().total > 100_000 && t.outcome().is_none() {
            t.cancel();
        }
    });
    assert_eq!(run.outcome, Some(Outcome::Cancelled(softmodem::transfer::Party::Local)));
    // sz stops at once (its own timeouts are 10 s and more); whether it calls that a failure
    // depends on whether it had already handed its last octets to the pipe.
    assert!(run.status.is_some(), "sz did not end: {}", run.stderr);
    assert!(run.elapsed < StdDuration::from_secs(8), "sz took {:?} to stop", run.elapsed);

    // Our sender cancels likewise: rz stops with a failure status and keeps no complete file.
    let dir = Scratch::new("zm-cancel-tx");
    let mut source = MemorySource::new();
    source.add("big.bin", random_bytes(4 << 20, 3));
    let mut s = Sender::new(Config::default(), Box::new(source));
    let mut rz = Command::new("rz");
    rz.current_dir(dir.path(""));
    let run = support::peer::run_against_stepped(&mut s, &mut rz, LIMIT, |_, _| {}, |t| {
        if t.progress().total > 100_000 && t.outcome().is_none() {
            t.cancel();
        }
    });
    assert_eq!(run.outcome, Some(Outcome::Cancelled(softmodem::transfer::Party::Local)));
    assert!(run.status.is_some_and(|s| !s.success()), "rz ended {:?}: {}", run.status, run.stderr);
    let kept = std::fs::metadata(dir.path("big.bin")).map(|m| m.len()).unwrap_or(0);
    assert!(kept < 4 << 20, "rz has the whole file after a cancel");
}

#[test]
fn sz_cancel_reaches_our_receiver() {
    // sz gives up when its input closes mid-transfer? No: kill it, and our receiver must end by
    // its timeouts, not hang. Here sz is asked for a file that does not exist among others.
    let dir = Scratch::new("zm-rx-missing");
    std::fs::write(dir.path("a.txt"), b"first").unwrap();
    let mut r = Receiver::new(Config::default(), Box::new(MemorySink::new(1 << 20)));
    let mut cmd = Command::new("sz");
    cmd.current_dir(dir.path("")).args(["a.txt", "missing.txt"]);
    let run = run_against(&mut r, &mut cmd, LIMIT);
    assert_eq!(run.outcome, Some(Outcome::Complete), "{}", run.stderr);
    assert_eq!(r.progress().files_done, 1);
}

/// Octets changed, dropped and inserted each way at `rate` each, from `seed`.
fn damaging(rate: f64, seed: u64) -> impl FnMut(bool, &mut Vec<u8>) {
    use softmodem::sim::byte_link::{Damage, Faults};
    let mut ways = [Damage::new(Faults::all(rate), seed), Damage::new(Faults::all(rate), seed + 100)];
    move |from_program, data| ways[from_program as usize].apply_vec(data)
}

#[test]
fn recovers_from_damage_both_ways_with_lrzsz() {
    // 3e-4 of the octets changed, dropped or inserted each way (about one in 1100): ZRPOS and
    // retries bring both files through byte-exact.
    let files = vec![("a.bin", random_bytes(200_000, 5)), ("b.txt", b"line of text\r\n".repeat(8000))];
    for seed in 1..=2 {
        let dir = Scratch::new("zm-rx-damage");
        let sink = Rc::new(RefCell::new(MemorySink::new(1 << 24)));
        let mut r = Receiver::new(Config::default(), Box::new(sink.clone()));
        let run = support::peer::run_against_with(&mut r, &mut sz(&dir, &[], &files), LIMIT, damaging(1e-4, seed));
        assert_eq!(run.outcome, Some(Outcome::Complete), "seed {seed}: {}", run.stderr);
        for ((name, data), got) in files.iter().zip(sink.borrow().files.iter().filter(|f| f.complete)) {
            assert!(got.data == *data, "{name} differs (seed {seed})");
        }
        assert!(r.progress().errors > 0, "the damage was seen (seed {seed})");

        let dir = Scratch::new("zm-tx-damage");
        let mut source = MemorySource::new();
        for (name, data) in &files {
            source.add(name, data.clone());
        }
        let mut s = Sender::new(Config::default(), Box::new(source));
        let mut rz = Command::new("rz");
        rz.current_dir(dir.path(""));
        let run = support::peer::run_against_with(&mut s, &mut rz, LIMIT, damaging(1e-4, seed));
        assert_eq!(run.outcome, Some(Outcome::Complete), "seed {seed}: {}", run.stderr);
        for (name, data) in &files {
            assert!(std::fs::read(dir.path(name)).unwrap() == *data, "{name} differs in rz's copy (seed {seed})");
        }
        assert!(s.progress().retries > 0, "rz asked for data again (seed {seed})");
    }
}
