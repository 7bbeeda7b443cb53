//! File transfer throughput as a share of the line's character rate:
//!
//! ```sh
//! cargo bench --bench transfer               # both sections
//! cargo bench --bench transfer -- sim        # ours, simulated 2400 bit/s line
//! cargo bench --bench transfer -- pipe       # ours and lrzsz's programs over a paced pipe
//! cargo bench --bench transfer -- --quick    # smaller files
//! ```
//!
//! - `sim`: our sender against our receiver over [`byte_link`] (simulated time, seeded): a
//!   2400 bit/s modem link (240 characters a second each way, 100 ms each way of delay, as two
//!   modems and a line add), 200 KB of random octets, clean and with a byte error rate of 1e-4
//!   each way (octets changed). Every protocol: ZMODEM with 1024- and 8192-octet subpackets,
//!   YMODEM-G, YMODEM, XMODEM-1K, XMODEM.
//! - `pipe`: the programs themselves (`softmodem sz`/`rz`, lrzsz's `sz`/`rz`/`sb`) over a pipe
//!   paced to 57 600 bit/s (5760 characters a second each way) in real time, 300 KB random,
//!   clean and at 1e-4; ours against ours next to lrzsz against lrzsz in the same run (for
//!   YMODEM-G lrzsz's `sb` against our `rz --ymodem-g`: lrzsz's receiver cannot ask for it).
//!
//! Both print Markdown tables; each row is octets of file per second over the whole session
//! (start-up and end included) and its share of the line's character rate.

use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration as StdDuration, Instant as StdInstant};

use softmodem::sim::byte_link::{self, ByteLinkConfig, Damage, Faults};
use softmodem::sim::rng::Rng;
use softmodem::time::Duration;
use softmodem::transfer::{xmodem, zmodem, LineRate, MemorySink, MemorySource, Outcome, Protocol, Transfer};

fn random(n: usize, seed: u64) -> Vec<u8> {
    let mut v = vec![0; n];
    Rng::new(seed).fill(&mut v);
    v
}

/// Our two ends of `protocol` (`big`: 8k ZMODEM subpackets) for a line of `rate`.
fn pair(protocol: Protocol, big: bool, rate: LineRate, data: &[u8]) -> (Box<dyn Transfer>, Box<dyn Transfer>) {
    let mut source = MemorySource::new();
    source.add("file.bin", data.to_vec());
    let sink = MemorySink::new(data.len() as u64 * 2 + 4096);
    match protocol {
        Protocol::Zmodem => {
            let mut c = zmodem::Config::new(rate);
            c.max_subpacket = if big { 8192 } else { 1024 };
            (Box::new(zmodem::Sender::new(c, Box::new(source))), Box::new(zmodem::Receiver::new(c, Box::new(sink))))
        }
        p => {
            let mut c = xmodem::Config::new(p, rate);
            c.name = "file.bin".into();
            (Box::new(xmodem::XmodemSender::new(c.clone(), Box::new(source))), Box::new(xmodem::XmodemReceiver::new(c, Box::new(sink))))
        }
    }
}

const CASES: &[(&str, Protocol, bool)] = &[
    ("ZMODEM 1k", Protocol::Zmodem, false),
    ("ZMODEM 8k", Protocol::Zmodem, true),
    ("YMODEM-G", Protocol::YmodemG, false),
    ("YMODEM", Protocol::Ymodem, false),
    ("XMODEM-1K", Protocol::Xmodem1k, false),
    ("XMODEM", Protocol::Xmodem, false),
];

fn sim(quick: bool) {
    let size = if quick { 50_000 } else { 200_000 };
    let data = random(size, 1);
    let cps = 240;
    println!("\n### Ours, simulated 2400 bit/s line ({cps} characters/s each way, 100 ms delay), {} KB random\n", size / 1000);
    println!("| protocol | clean: octets/s | share | at 1e-4: octets/s | share | retries |");
    println!("|---|---|---|---|---|---|");
    for &(name, protocol, big) in CASES {
        let mut row = format!("| {name} |");
        let mut retries = 0;
        for rate in [0.0, 1e-4] {
            let (mut s, mut r) = pair(protocol, big, LineRate::new(2400), &data);
            let faults = Faults { change: rate, drop: 0.0, insert: 0.0 };
            let link = ByteLinkConfig { chars_per_second: cps, delay: Duration::from_ms(100), a_to_b: faults, b_to_a: faults, seed: 7 };
            let run = byte_link::run(&mut *s, &mut *r, link, Duration::from_secs(6 * 3600));
            let t = run.elapsed.as_secs_f64();
            if run.a == Some(Outcome::Complete) && run.b == Some(Outcome::Complete) {
                let v = size as f64 / t;
                row += &format!(" {v:.1} | {:.1} % |", 100.0 * v / cps as f64);
            } else {
                row += &format!(" fails ({}) | - |", run.b.or(run.a).map(|o| o.to_string()).unwrap_or("no end".into()));
            }
            retries = s.progress().retries + r.progress().retries;
        }
        println!("{row} {retries} |");
    }
}

/// Copies `from` into `to`, paced to `cps` characters a second, damaged by `damage`.
fn pace(mut from: impl Read + Send + 'static, mut to: impl Write + Send + 'static, cps: u32, mut damage: Damage) {
    // A link holds little: one read in hand, the rest waits in the (shrunk) pipe, and the
    // program that writes waits with it, as on a serial line with flow control.
    let (tx, rx) = mpsc::sync_channel::<Vec<u8>>(1);
    std::thread::spawn(move || {
        let mut buf = [0u8; 256];
        while let Ok(n) = from.read(&mut buf) {
            if n == 0 || tx.send(buf[..n].to_vec()).is_err() {
                break;
            }
        }
    });
    std::thread::spawn(move || {
        let start = StdInstant::now();
        let mut next = 0f64; // seconds since start when the next octet may go
        for chunk in rx {
            let mut out = Vec::with_capacity(chunk.len());
            damage.apply(&chunk, |b| out.push(b));
            for piece in out.chunks(16) {
                next = next.max(start.elapsed().as_secs_f64());
                next += piece.len() as f64 / cps as f64;
                let wait = next - start.elapsed().as_secs_f64();
                if wait > 0.0 {
                    std::thread::sleep(StdDuration::from_secs_f64(wait));
                }
                if to.write_all(piece).and_then(|_| to.flush()).is_err() {
                    return;
                }
            }
        }
    });
}

/// Runs a sending and a receiving program over the paced pipe; the seconds taken, or None if
/// either failed or the limit passed.
fn programs(send: &mut Command, recv: &mut Command, cps: u32, rate: f64, seed: u64) -> Option<f64> {
    let start = StdInstant::now();
    let spawn = |c: &mut Command| c.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::null()).spawn().expect("start");
    let mut a = spawn(send);
    let mut b = spawn(recv);
    let f = Faults { change: rate, drop: 0.0, insert: 0.0 };
    let (a_out, b_out) = (a.stdout.take().unwrap(), b.stdout.take().unwrap());
    for p in [&a_out, &b_out] {
        let _ = rustix::pipe::fcntl_setpipe_size(p, 4096);
    }
    pace(a_out, b.stdin.take().unwrap(), cps, Damage::new(f, seed));
    pace(b_out, a.stdin.take().unwrap(), cps, Damage::new(f, seed + 1));
    let limit = StdDuration::from_secs(600);
    let mut done = [None, None];
    while start.elapsed() < limit && done.iter().any(|d| d.is_none()) {
        for (i, c) in [&mut a, &mut b].into_iter().enumerate() {
            if done[i].is_none() {
                done[i] = c.try_wait().unwrap();
            }
        }
        std::thread::sleep(StdDuration::from_millis(5));
    }
    for c in [&mut a, &mut b] {
        let _ = c.kill();
        let _ = c.wait();
    }
    let ok = done.iter().all(|d| d.is_some_and(|s| s.success()));
    ok.then(|| start.elapsed().as_secs_f64())
}

fn pipe(quick: bool) {
    let size = if quick { 100_000 } else { 300_000 };
    let cps = 5760;
    let bin = env!("CARGO_BIN_EXE_softmodem");
    let dir = std::env::temp_dir().join(format!("softmodem-bench-transfer-{}", std::process::id()));
    let (from, into) = (dir.join("from"), dir.join("into"));
    std::fs::create_dir_all(&from).unwrap();
    std::fs::write(from.join("file.bin"), random(size, 2)).unwrap();
    let rate = "--rate=57600";
    println!("\n### Programs over a pipe paced to 57 600 bit/s ({cps} characters/s each way), {} KB random\n", size / 1000);
    println!("| protocol | errors | ours: octets/s | share | lrzsz: octets/s | share |");
    println!("|---|---|---|---|---|---|");
    // Name; our sz's and rz's options; lrzsz's sender and its options, its receiver ("": ours)
    // and its options.
    type Case<'a> = (&'a str, &'a [&'a str], &'a [&'a str], &'a str, &'a [&'a str], &'a str, &'a [&'a str]);
    let cases: &[Case] = &[
        ("ZMODEM 1k", &[], &[], "sz", &[], "rz", &[]),
        ("ZMODEM 8k", &["--8k"], &[], "sz", &["-8"], "rz", &[]),
        ("YMODEM-G", &["--ymodem"], &["--ymodem-g"], "sb", &[], "", &["--ymodem-g"]),
    ];
    for &(name, our_send, our_recv, their_send, their_send_args, their_recv, their_recv_args) in cases {
        for rate_err in [0.0, 1e-4] {
            let mut row = format!("| {name} | {} |", if rate_err == 0.0 { "none" } else { "1e-4" });
            for ours in [true, false] {
                let _ = std::fs::remove_dir_all(&into);
                std::fs::create_dir_all(&into).unwrap();
                let mut send = if ours { Command::new(bin) } else { Command::new(their_send) };
                if ours {
                    send.arg("sz").arg(rate).args(our_send).arg("--quiet");
                } else {
                    send.args(their_send_args).arg("-q");
                }
                send.current_dir(&from).arg("file.bin");
                let mut recv = if ours || their_recv.is_empty() { Command::new(bin) } else { Command::new(their_recv) };
                if ours || their_recv.is_empty() {
                    recv.arg("rz").arg(rate).args(if ours { our_recv } else { their_recv_args }).arg("--quiet");
                }
                recv.current_dir(&into);
                let t = programs(&mut send, &mut recv, cps, rate_err, 3);
                let exact = std::fs::read(into.join("file.bin")).ok() == std::fs::read(from.join("file.bin")).ok();
                match t {
                    Some(t) if exact => {
                        let v = size as f64 / t;
                        row += &format!(" {v:.0} | {:.1} % |", 100.0 * v / cps as f64);
                    }
                    _ => row += " fails | - |",
                }
            }
            println!("{row}");
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| a != "--bench").collect();
    let quick = args.iter().any(|a| a == "--quick");
    let only: Vec<&str> = args.iter().filter(|a| !a.starts_with("--")).map(|s| s.as_str()).collect();
    if only.is_empty() || only.contains(&"sim") {
        sim(quick);
    }
    if only.is_empty() || only.contains(&"pipe") {
        pipe(quick);
    }
}
