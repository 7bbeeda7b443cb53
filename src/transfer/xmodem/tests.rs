//! Sender against receiver in memory, on a clean line and on one that damages and drops
//! octets; scripted far ends for what our own ends never do.

use super::wire::{self, Check, ACK, CAN, EOT, NAK, SHORT_BLOCK, SUB};
use super::{Config, XmodemReceiver, XmodemSender};
use crate::time::{Duration, Instant};
use crate::transfer::files::{MemorySink, MemorySource, ReceivedFile};
use crate::transfer::{LineRate, Outcome, Party, Protocol, Transfer};
use std::cell::RefCell;
use std::rc::Rc;

/// No octets.
const NOTHING: [u8; 0] = [];

const ALL: [Protocol; 4] = [Protocol::Xmodem, Protocol::Xmodem1k, Protocol::Ymodem, Protocol::YmodemG];

/// A sink the test can look into after the receiver is done with it.
#[derive(Clone)]
struct Shared(Rc<RefCell<MemorySink>>);

impl Shared {
    fn new(limit: u64) -> Shared {
        Shared(Rc::new(RefCell::new(MemorySink::new(limit))))
    }
    fn files(&self) -> Vec<ReceivedFile> {
        self.0.borrow().files.clone()
    }
}


/// Deterministic test randomness: the simulator's seeded generator, 64 bits at a time.
struct Rng(crate::sim::rng::Rng);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(crate::sim::rng::Rng::new(seed))
    }
    fn next(&mut self) -> u64 {
        ((self.0.next_u32() as u64) << 32) | self.0.next_u32() as u64
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn random_bytes(n: usize, seed: u64) -> Vec<u8> {
    let mut r = Rng::new(seed | 1);
    (0..n).map(|_| r.next() as u8).collect()
}

/// Damage on the line: per million octets, how many are changed and how many lost.
#[derive(Clone, Copy)]
struct Noise {
    corrupt: u64,
    drop: u64,
}

/// What a run did: when it stopped and the octets each way.
struct Run {
    end: Instant,
    sent: [usize; 2],
}

/// Runs `a` and `b` against each other over a line at `bps`, in steps of 10 ms, octets arriving
/// one step after they are sent, until both have ended or `limit` has passed. `tamper` may change
/// what goes each way (`true`: from `a`).
fn run_with(
    a: &mut dyn Transfer,
    b: &mut dyn Transfer,
    bps: u32,
    limit: Duration,
    mut tamper: impl FnMut(bool, &mut Vec<u8>),
) -> Run {
    let step = Duration::from_ms(10);
    let per_step = (bps as usize / 10 / 100).max(1);
    let mut now = Instant::ZERO;
    let mut buf = vec![0u8; per_step];
    let (mut to_b, mut to_a): (Vec<u8>, Vec<u8>) = (Vec::new(), Vec::new());
    let mut sent = [0; 2];
    while now.saturating_since(Instant::ZERO) < limit {
        b.receive(now, &to_b);
        a.receive(now, &to_a);
        let n = a.transmit(now, &mut buf);
        sent[0] += n;
        to_b = buf[..n].to_vec();
        tamper(true, &mut to_b);
        let n = b.transmit(now, &mut buf);
        sent[1] += n;
        to_a = buf[..n].to_vec();
        tamper(false, &mut to_a);
        if a.outcome().is_some() && b.outcome().is_some() {
            break;
        }
        now += step;
    }
    Run { end: now, sent }
}

fn noisy(noise: Noise, seed: u64) -> impl FnMut(bool, &mut Vec<u8>) {
    let mut rng = Rng::new(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    move |_, data| {
        let mut out = Vec::with_capacity(data.len());
        for &b in data.iter() {
            let r = rng.below(1_000_000);
            if r < noise.drop {
                continue;
            }
            if r < noise.drop + noise.corrupt {
                out.push(b ^ (1 + rng.below(255)) as u8);
            } else {
                out.push(b);
            }
        }
        *data = out;
    }
}

fn source(files: &[(&str, Vec<u8>)]) -> MemorySource {
    let mut s = MemorySource::new();
    for (name, data) in files {
        s.add(name, data.clone());
    }
    s
}

/// What an XMODEM receiver keeps of `data`: padded with SUB to a multiple of 128 (the 1K
/// sender sends its tail in 128-octet blocks).
fn padded(data: &[u8]) -> Vec<u8> {
    let mut v = data.to_vec();
    v.resize(data.len().div_ceil(SHORT_BLOCK) * SHORT_BLOCK, SUB);
    v
}

struct Session {
    sender: XmodemSender,
    receiver: XmodemReceiver,
    sink: Shared,
}

fn session(protocol: Protocol, files: &[(&str, Vec<u8>)]) -> Session {
    let sink = Shared::new(1 << 26);
    let config = Config::new(protocol, LineRate::FAST);
    Session {
        sender: XmodemSender::new(config.clone(), Box::new(source(files))),
        receiver: XmodemReceiver::new(Config { name: "xfile".into(), ..config }, Box::new(sink.0.clone())),
        sink,
    }
}

/// Checks that what arrived is what was sent.
fn check_received(protocol: Protocol, files: &[(&str, Vec<u8>)], got: &[ReceivedFile]) {
    if matches!(protocol, Protocol::Xmodem | Protocol::Xmodem1k) {
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].info.name, "xfile");
        assert!(got[0].complete);
        assert!(
            got[0].data == padded(&files[0].1),
            "{protocol:?}: {} octets for {}",
            got[0].data.len(),
            files[0].1.len()
        );
        return;
    }
    assert_eq!(got.len(), files.len(), "{protocol:?}");
    for (g, (name, data)) in got.iter().zip(files) {
        assert_eq!(g.info.name, *name);
        assert_eq!(g.info.size, Some(data.len() as u64));
        assert!(g.complete, "{name}");
        assert!(g.data == *data, "{protocol:?} {name}: {} octets for {}", g.data.len(), data.len());
    }
}

fn clean_run(protocol: Protocol, files: &[(&str, Vec<u8>)]) {
    let mut s = session(protocol, files);
    let run = run_with(&mut s.sender, &mut s.receiver, 1_000_000, Duration::from_secs(3600), |_, _| {});
    assert_eq!(s.sender.outcome(), Some(&Outcome::Complete), "{protocol:?} sender");
    assert_eq!(s.receiver.outcome(), Some(&Outcome::Complete), "{protocol:?} receiver");
    check_received(protocol, files, &s.sink.files());
    assert_eq!(s.sender.progress().retries, 0);
    assert_eq!(s.receiver.progress().errors, 0);
    // No timeout was waited for.
    assert!(run.end < Instant::ZERO + Duration::from_secs(60), "{protocol:?} took {}", run.end);
}

#[test]
fn every_protocol_every_size() {
    let sizes = [0, 1, 127, 128, 129, 896, 897, 1023, 1024, 1025, 5000];
    for protocol in ALL {
        for &n in &sizes {
            clean_run(protocol, &[("one.bin", random_bytes(n, n as u64 + 1))]);
        }
        clean_run(protocol, &[("big.bin", random_bytes(300_000, 7))]);
    }
}

#[test]
fn batches() {
    let files = [
        ("a.txt", b"hello".to_vec()),
        ("empty", vec![]),
        ("with space", random_bytes(3000, 3)),
        ("1k", vec![SUB; 1024]),
    ];
    for protocol in [Protocol::Ymodem, Protocol::YmodemG] {
        clean_run(protocol, &files);
        clean_run(protocol, &[]);
    }
}

#[test]
fn block_sizes_as_the_paper_allows() {
    for (protocol, n, want) in [
        (Protocol::Xmodem, 5000, 133 * 40),
        (Protocol::Xmodem1k, 1024 * 4 + 1, 1029 * 4 + 133),
        (Protocol::Xmodem1k, 1024 + 897, 1029 * 2),
        (Protocol::Xmodem1k, 1024 + 896, 1029 + 133 * 7),
    ] {
        let mut s = session(protocol, &[("f", random_bytes(n, 1))]);
        let run = run_with(&mut s.sender, &mut s.receiver, 1_000_000, Duration::from_secs(60), |_, _| {});
        // The blocks, then EOT twice.
        assert_eq!(run.sent[0], want + 2, "{protocol:?} {n}");
    }
}

#[test]
fn noisy_lines_end_cleanly() {
    let files = [("noisy.bin", random_bytes(20_000, 11)), ("second", random_bytes(1500, 12))];
    let (mut complete, mut failed, mut errors) = (0, 0, 0);
    for protocol in [Protocol::Xmodem, Protocol::Xmodem1k, Protocol::Ymodem] {
        for seed in 0..16u64 {
            // Twelve lines where most blocks get through, four where few do.
            let noise = if seed < 12 {
                Noise { corrupt: 200 + 300 * (seed % 4), drop: 100 * (seed % 3) }
            } else {
                Noise { corrupt: 4000 * (seed - 11), drop: 2000 }
            };
            let files = if protocol == Protocol::Ymodem { &files[..] } else { &files[..1] };
            let mut s = session(protocol, files);
            let run = run_with(&mut s.sender, &mut s.receiver, 115_200, Duration::from_secs(3600), noisy(noise, seed));
            let (so, ro) = (s.sender.outcome().cloned(), s.receiver.outcome().cloned());
            errors += s.receiver.progress().errors;
            assert!(so.is_some() && ro.is_some(), "{protocol:?} seed {seed}: hung ({so:?}, {ro:?}) at {}", run.end);
            if ro == Some(Outcome::Complete) {
                check_received(protocol, files, &s.sink.files());
                complete += (seed < 12) as u32;
            } else {
                failed += 1;
            }
            for f in s.sink.files() {
                // Even a failed transfer keeps only good data, in order.
                let name = if f.info.name == "xfile" { files[0].0 } else { &f.info.name };
                let sent = &files.iter().find(|(n, _)| *n == name).unwrap().1;
                assert!(padded(sent).starts_with(&f.data) || sent.starts_with(&f.data));
            }
        }
    }
    assert!(failed > 0, "no line was bad enough to fail a transfer");
    assert!(complete >= 30, "only {complete} of 36 completed");
    assert!(errors > 100, "the line was hardly noisy: {errors} errors");
}

#[test]
fn ymodem_g_fails_cleanly_on_damage() {
    let files = [("g.bin", random_bytes(50_000, 5))];
    for seed in 0..6 {
        let mut s = session(Protocol::YmodemG, &files);
        let noise = Noise { corrupt: 300, drop: 0 };
        run_with(&mut s.sender, &mut s.receiver, 115_200, Duration::from_secs(3600), noisy(noise, seed));
        let ro = s.receiver.outcome().cloned().expect("receiver ended");
        assert!(s.sender.outcome().is_some());
        if ro == Outcome::Complete {
            check_received(Protocol::YmodemG, &files, &s.sink.files());
        } else {
            assert!(!s.sink.files().iter().any(|f| f.complete));
        }
    }
}

#[test]
fn lost_acks_do_not_write_twice() {
    for protocol in [Protocol::Xmodem, Protocol::Xmodem1k, Protocol::Ymodem] {
        let files = [("dup", random_bytes(20_000, 9))];
        let mut s = session(protocol, &files);
        // ACKs from the receiver are lost: the third of every eight, and also three in a row
        // (a block taken, and sent three more times) in every sixteen.
        let mut acks = 0;
        run_with(&mut s.sender, &mut s.receiver, 1_000_000, Duration::from_secs(3600), |from_sender, data| {
            if !from_sender {
                data.retain(|&b| {
                    acks += (b == ACK) as u32;
                    !(b == ACK && (acks % 8 == 3 || (4..7).contains(&(acks % 16))))
                });
            }
        });
        assert_eq!(s.receiver.outcome(), Some(&Outcome::Complete), "{protocol:?}");
        check_received(protocol, &files, &s.sink.files());
        assert!(s.sender.progress().retries > 5);
    }
}

#[test]
fn xmodem_falls_back_to_the_checksum() {
    let files = [("f", random_bytes(1000, 4))];
    // A sender that never hears 'C' (the line eats it) hears NAK after four.
    let mut s = session(Protocol::Xmodem, &files);
    let run = run_with(&mut s.sender, &mut s.receiver, 1_000_000, Duration::from_secs(3600), |from_sender, data| {
        if !from_sender {
            data.retain(|&b| b != b'C');
        }
    });
    assert_eq!(s.receiver.outcome(), Some(&Outcome::Complete));
    assert_eq!(s.receiver.check(), Check::Checksum);
    check_received(Protocol::Xmodem, &files, &s.sink.files());
    // Four 'C's three seconds apart.
    assert!(run.end > Instant::ZERO + Duration::from_secs(12), "{}", run.end);
    // Or from the start: checksums, and 128-octet blocks even for XMODEM-1K.
    let sink = Shared::new(1 << 20);
    let config = Config { crc: false, ..Config::new(Protocol::Xmodem1k, LineRate::FAST) };
    let mut sender = XmodemSender::new(config.clone(), Box::new(source(&files)));
    let mut receiver = XmodemReceiver::new(Config { name: "xfile".into(), ..config }, Box::new(sink.0.clone()));
    let run = run_with(&mut sender, &mut receiver, 1_000_000, Duration::from_secs(60), |_, _| {});
    assert_eq!(receiver.outcome(), Some(&Outcome::Complete));
    assert_eq!(run.sent[0], 8 * 132 + 2);
    check_received(Protocol::Xmodem1k, &files, &sink.files());
}

#[test]
fn cancel_from_either_side() {
    let files = [("c", random_bytes(100_000, 2))];
    for protocol in ALL {
        for sender_cancels in [true, false] {
            let mut s = session(protocol, &files);
            let mut steps = 0;
            let mut cancelled = false;
            let mut now = Instant::ZERO;
            let mut buf = [0u8; 1000];
            let (mut to_r, mut to_s) = (Vec::new(), Vec::new());
            while (s.sender.outcome().is_none() || s.receiver.outcome().is_none()) && steps < 100_000 {
                s.receiver.receive(now, &to_r);
                s.sender.receive(now, &to_s);
                if !cancelled && s.sender.progress().done > 20_000 {
                    cancelled = true;
                    if sender_cancels {
                        s.sender.cancel();
                    } else {
                        s.receiver.cancel();
                    }
                }
                let n = s.sender.transmit(now, &mut buf);
                to_r = buf[..n].to_vec();
                let n = s.receiver.transmit(now, &mut buf);
                to_s = buf[..n].to_vec();
                now += Duration::from_ms(10);
                steps += 1;
            }
            let (here, there) = if sender_cancels {
                (s.sender.outcome(), s.receiver.outcome())
            } else {
                (s.receiver.outcome(), s.sender.outcome())
            };
            assert_eq!(here, Some(&Outcome::Cancelled(Party::Local)), "{protocol:?} {sender_cancels}");
            assert_eq!(there, Some(&Outcome::Cancelled(Party::Remote)), "{protocol:?} {sender_cancels}");
            let files = s.sink.files();
            assert!(files.len() == 1 && !files[0].complete);
        }
    }
}

#[test]
fn silent_far_ends_time_out() {
    for protocol in ALL {
        let config = Config::new(protocol, LineRate::FAST);
        let mut receiver = XmodemReceiver::new(config.clone(), Box::new(MemorySink::new(100)));
        let mut sender = XmodemSender::new(config, Box::new(source(&[("f", vec![1, 2, 3])])));
        for t in [&mut receiver as &mut dyn Transfer, &mut sender] {
            let mut now = Instant::ZERO;
            let mut buf = [0u8; 64];
            let mut out = Vec::new();
            while t.outcome().is_none() && now < Instant::ZERO + Duration::from_secs(1000) {
                let n = t.transmit(now, &mut buf);
                out.extend_from_slice(&buf[..n]);
                now += Duration::from_ms(100);
            }
            assert_eq!(t.outcome(), Some(&Outcome::TimedOut), "{protocol:?}");
            assert!(now < Instant::ZERO + Duration::from_secs(200), "{now}");
            assert!(out.ends_with(&crate::transfer::CANCEL_SEQUENCE));
        }
    }
}

/// Drives a receiver with scripted octets; what it answered.
fn script(receiver: &mut XmodemReceiver, now: &mut Instant, input: &[u8]) -> Vec<u8> {
    receiver.receive(*now, input);
    let mut buf = [0u8; 64];
    let n = receiver.transmit(*now, &mut buf);
    *now += Duration::from_ms(10);
    buf[..n].to_vec()
}

fn block(number: u8, data: &[u8]) -> Vec<u8> {
    let mut frame = [0u8; wire::MAX_FRAME];
    let mut padded = data.to_vec();
    padded.resize(if data.len() > SHORT_BLOCK { 1024 } else { SHORT_BLOCK }, SUB);
    let n = wire::emit_block(number, &padded, Check::Crc16, &mut frame);
    frame[..n].to_vec()
}

#[test]
fn receiver_by_script() {
    let sink = Shared::new(1 << 20);
    let mut r = XmodemReceiver::new(Config::new(Protocol::Ymodem, LineRate::FAST), Box::new(sink.0.clone()));
    let mut now = Instant::ZERO;
    assert_eq!(script(&mut r, &mut now, &[]), b"C");
    let mut header = b"f\x00300".to_vec();
    header.resize(SHORT_BLOCK, 0);
    assert_eq!(script(&mut r, &mut now, &block(0, &header)), [ACK, b'C']);
    // Block 0 again: answered again.
    assert_eq!(script(&mut r, &mut now, &block(0, &header)), [ACK, b'C']);
    let data = random_bytes(300, 1);
    assert_eq!(script(&mut r, &mut now, &block(1, &data[..128])), [ACK]);
    // A damaged block: nothing until the line is quiet, then NAK.
    let mut bad = block(2, &data[128..256]);
    bad[40] ^= 1;
    assert_eq!(script(&mut r, &mut now, &bad), NOTHING);
    assert_eq!(script(&mut r, &mut now, b"junk"), NOTHING);
    now += Duration::from_ms(1000);
    assert_eq!(script(&mut r, &mut now, &[]), [NAK]);
    // Block 1 again: ACKed, not written again.
    assert_eq!(script(&mut r, &mut now, &block(1, &data[..128])), [ACK]);
    assert_eq!(script(&mut r, &mut now, &block(2, &data[128..256])), [ACK]);
    // A block cut short: NAK once the line has been quiet for a second.
    assert_eq!(script(&mut r, &mut now, &block(3, &data[256..])[..50]), NOTHING);
    now += Duration::from_ms(1000);
    assert_eq!(script(&mut r, &mut now, &[]), [NAK]);
    assert_eq!(script(&mut r, &mut now, &block(3, &data[256..])), [ACK]);
    // The first EOT is NAKed, the second ACKed; then the next block 0.
    assert_eq!(script(&mut r, &mut now, &[EOT]), [NAK]);
    assert_eq!(script(&mut r, &mut now, &[EOT]), [ACK, b'C']);
    let files = sink.files();
    assert!(files[0].complete && files[0].data == data, "cut to the header's length");
    // A block out of sequence ends the transfer.
    let mut header = b"g\x00".to_vec();
    header.resize(SHORT_BLOCK, 0);
    assert_eq!(script(&mut r, &mut now, &block(0, &header)), [ACK, b'C']);
    assert_eq!(script(&mut r, &mut now, &block(1, b"x")), [ACK]);
    let out = script(&mut r, &mut now, &block(3, b"x"));
    assert_eq!(out, crate::transfer::CANCEL_SEQUENCE);
    assert_eq!(r.outcome(), Some(&Outcome::Protocol("a block out of sequence")));
    assert!(!sink.files()[1].complete);
}

#[test]
fn receiver_sees_a_cancel_inside_a_block() {
    let mut r = XmodemReceiver::new(Config::new(Protocol::YmodemG, LineRate::FAST), Box::new(MemorySink::new(1 << 20)));
    let mut now = Instant::ZERO;
    assert_eq!(script(&mut r, &mut now, &[]), b"G");
    let mut header = b"f\x001000".to_vec();
    header.resize(SHORT_BLOCK, 0);
    assert_eq!(script(&mut r, &mut now, &block(0, &header)), b"G");
    let mut cut = block(1, &[7; 1000])[..300].to_vec();
    cut.extend_from_slice(&crate::transfer::CANCEL_SEQUENCE);
    assert_eq!(script(&mut r, &mut now, &cut), NOTHING);
    now += Duration::from_ms(1000);
    assert_eq!(script(&mut r, &mut now, &[]), NOTHING);
    assert_eq!(r.outcome(), Some(&Outcome::Cancelled(Party::Remote)));
}

#[test]
fn sinks_choose() {
    // A sink that has part of one file and all of another.
    let files = [("part", random_bytes(5000, 1)), ("whole", random_bytes(700, 2)), ("new", random_bytes(10, 3))];
    let sink = Shared::new(1 << 20);
    {
        let mut m = sink.0.borrow_mut();
        m.always_resume = true;
        m.partial.push(("part".into(), files[0].1[..1234].to_vec()));
        m.partial.push(("whole".into(), files[1].1.clone()));
    }
    let config = Config::new(Protocol::Ymodem, LineRate::FAST);
    let mut sender = XmodemSender::new(config.clone(), Box::new(source(&files)));
    let mut receiver = XmodemReceiver::new(config, Box::new(sink.0.clone()));
    run_with(&mut sender, &mut receiver, 1_000_000, Duration::from_secs(60), |_, _| {});
    assert_eq!(receiver.outcome(), Some(&Outcome::Complete));
    let got = sink.files();
    assert_eq!(got.len(), 2, "the whole file was skipped");
    assert!(got[0].data == files[0].1 && got[0].complete);
    assert!(got[1].data == files[2].1 && got[1].complete);
    assert_eq!(receiver.progress().files_done, 3);
    // A sink that fills up cancels the transfer.
    let sink = Shared::new(3000);
    let config = Config::new(Protocol::Ymodem, LineRate::FAST);
    let mut sender = XmodemSender::new(config.clone(), Box::new(source(&files)));
    let mut receiver = XmodemReceiver::new(config, Box::new(sink.0.clone()));
    run_with(&mut sender, &mut receiver, 1_000_000, Duration::from_secs(60), |_, _| {});
    assert!(matches!(receiver.outcome(), Some(Outcome::File(_))));
    assert_eq!(sender.outcome(), Some(&Outcome::Cancelled(Party::Remote)));
}

#[test]
fn sender_by_script() {
    let config = Config::new(Protocol::Ymodem, LineRate::FAST);
    let mut s = XmodemSender::new(config, Box::new(source(&[("f", vec![1; 200])])));
    let mut now = Instant::ZERO;
    let mut step = |s: &mut XmodemSender, input: &[u8], room: usize| {
        s.receive(now, input);
        let mut buf = vec![0u8; room];
        let n = s.transmit(now, &mut buf);
        now += Duration::from_ms(10);
        buf[..n].to_vec()
    };
    assert_eq!(step(&mut s, &[], 100), NOTHING);
    // Paced by the line: 10 octets at a time.
    let mut header = Vec::new();
    header.extend(step(&mut s, b"C", 10));
    // What comes while the block goes out is tossed.
    header.extend(step(&mut s, &[ACK], 10));
    while header.len() < 133 {
        header.extend(step(&mut s, &[], 10));
    }
    assert_eq!(header.len(), 133);
    let mut want = b"f\x00200".to_vec();
    want.resize(SHORT_BLOCK, 0);
    assert_eq!(header, block(0, &want));
    assert_eq!(step(&mut s, &[ACK], 200), NOTHING);
    let first = step(&mut s, b"C", 200);
    assert_eq!(first, block(1, &[1; 128]));
    // NAK: the same block again; a single CAN is noise.
    assert_eq!(step(&mut s, &[CAN, NAK], 200), first);
    assert_eq!(step(&mut s, &[ACK], 200), block(2, &[1; 72]));
    assert_eq!(step(&mut s, &[ACK], 200), [EOT]);
    assert_eq!(step(&mut s, &[NAK], 200), [EOT]);
    assert_eq!(step(&mut s, &[ACK], 200), NOTHING);
    assert_eq!(step(&mut s, b"C", 200), block(0, &[0; 128]));
    assert_eq!(step(&mut s, &[CAN, CAN], 200), NOTHING);
    assert_eq!(s.outcome(), Some(&Outcome::Cancelled(Party::Remote)));
}

/// The fuzz target's body (src/fuzzing/xmodem.rs), run here on seeds, noise and mutations.
use crate::fuzzing::xmodem as fuzz_body;

#[test]
fn fuzz_body_on_seeds_and_noise() {
    for sel in 0..8u8 {
        let seed = fuzz_body::xmodem_seed(sel);
        fuzz_body::xmodem_blocks(&seed);
        let mut rng = Rng::new(sel as u64 + 1);
        let mut noisy = seed.clone();
        for _ in 0..20 {
            let i = 1 + rng.below(noisy.len() as u64 - 1) as usize;
            noisy[i] ^= rng.next() as u8;
        }
        fuzz_body::xmodem_blocks(&noisy);
        let random: Vec<u8> = (0..3000).map(|_| rng.next() as u8).collect();
        fuzz_body::xmodem_blocks(&random);
    }
}

#[test]
fn fuzz_body_on_mutated_sessions() {
    let n: u64 = std::env::var("XMODEM_FUZZ_ITERS").ok().and_then(|v| v.parse().ok()).unwrap_or(200);
    let seeds: Vec<Vec<u8>> = (0..8u8).map(fuzz_body::xmodem_seed).collect();
    let mut rng = Rng::new(99);
    for i in 0..n {
        let mut input = seeds[(i % 8) as usize].clone();
        // Another first byte (protocol, end, checksums, piece size) now and then.
        if rng.below(3) == 0 {
            input[0] = rng.next() as u8;
        }
        for _ in 0..rng.below(8) {
            if input.len() < 3 {
                break;
            }
            let at = 1 + rng.below(input.len() as u64 - 1) as usize;
            match rng.below(3) {
                0 => input[at] = rng.next() as u8,
                1 => {
                    input.remove(at);
                }
                _ => input.insert(at, [CAN, EOT, ACK, NAK, b'C', b'G', 1, 2][rng.below(8) as usize]),
            }
        }
        fuzz_body::xmodem_blocks(&input);
    }
}

#[test]
fn fuzz_seeds_hold_whole_sessions() {
    // Replayed an octet at a time, as the fuzz body takes them, each seed takes its end to the
    // end of a transfer: the fuzzers start from there, not from a refusal.
    for sel in [0u8, 1, 2, 3, 4, 5, 6, 7, 8, 12] {
        let seed = fuzz_body::xmodem_seed(sel);
        let protocol = ALL[sel as usize & 3];
        let config = Config { crc: sel & 8 == 0, ..Config::new(protocol, LineRate::FAST) };
        let mut end: Box<dyn Transfer> = if sel & 4 == 0 {
            Box::new(XmodemReceiver::new(config, Box::new(MemorySink::new(1 << 16))))
        } else {
            Box::new(XmodemSender::new(config, Box::new(fuzz_body::files())))
        };
        let mut now = Instant::ZERO;
        let mut buf = [0u8; 256];
        for &b in &seed[1..] {
            end.receive(now, &[b]);
            while end.transmit(now, &mut buf) == buf.len() {}
            now += Duration::from_ms(10);
        }
        end.transmit(now, &mut buf);
        assert_eq!(end.outcome(), Some(&Outcome::Complete), "seed {sel}");
    }
}
