//! V.42 error control between two of our modems (`Link`: V.22bis or V.22 with detection, LAPM,
//! V.42bis), simulated block by block (20 ms), seeded:
//!
//! ```sh
//! cargo bench --bench v42                       # both sections
//! cargo bench --bench v42 -- throughput         # characters per second against the line rate
//! cargo bench --bench v42 -- soak --mb 10       # 10 MB each way through noise bursts and dropouts
//! cargo bench --bench v42 -- --quick            # shorter runs (20 s, 1 MB)
//! ```
//!
//! - `throughput`: one modem sends as fast as the other takes, over a clean line (30 dB SNR), for
//!   `--seconds` (60) after 5 s of settling; octets delivered per second, for text (lines of
//!   English-like words) and random octets, plain (8N1 characters, no error control), LAPM alone and LAPM with
//!   V.42bis, at 2400 and 1200 bit/s. The ceilings: a plain link's rate / 10 (start and stop
//!   bits), LAPM's rate / 8 less its framing (6 octets a 128-octet frame: address, control, FCS,
//!   a flag), before bit stuffing.
//! - `soak`: `--mb` MB of text each way at once, through 20 dB SNR with noise bursts (5 ms at the
//!   signal's level, one in 10 s each way on average: a few bit errors each, about 1e-4) and dropouts of 100 and 300 ms every 3 to 6 s; the data must arrive
//!   byte-exact; the simulated time, octets per second each way, retransmissions, damaged frames
//!   and the longest stall while the modems' bits flowed.
//!
//! Tables are printed as Markdown; a last line starting `RESULT` has the key figures.

#[path = "link/common.rs"]
#[allow(dead_code)]
mod common;

use common::Text;

/// What is sent: English-like text (words of a small vocabulary in lines, which V.42bis
/// compresses as it does a BBS's text) or random octets (which it cannot compress).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Data {
    Text,
    Binary,
}

impl Data {
    fn name(self) -> &'static str {
        match self {
            Data::Text => "text",
            Data::Binary => "random",
        }
    }

    fn make(self, n: usize, seed: u32) -> Vec<u8> {
        match self {
            Data::Binary => Text::Binary.make(n, seed),
            Data::Text => softmodem::sim::text::words(n, seed),
        }
    }
}
use softmodem::link::{Link, LinkConfig};
use softmodem::modem::Config;
use softmodem::sim::line::{Direction, Dropout, Impairments};
use softmodem::sim::rng::Rng;
use softmodem::types::{Family, Role};
use std::time::Instant;

struct Pair {
    a: Link,
    b: Link,
    ab: Direction,
    ba: Direction,
    a_out: [f32; 160],
    b_out: [f32; 160],
    a_in: [f32; 160],
    b_in: [f32; 160],
    bursts: Option<Rng>,
}

impl Pair {
    fn new(family: Family, link: LinkConfig, ab: Impairments, ba: Impairments, bursts: bool) -> Self {
        Pair {
            a: Link::new(Config::new(family, Role::Call), link),
            b: Link::new(Config::new(family, Role::Answer), link),
            ab: Direction::new(ab, 11),
            ba: Direction::new(ba, 12),
            a_out: [0.0; 160],
            b_out: [0.0; 160],
            a_in: [0.0; 160],
            b_in: [0.0; 160],
            bursts: bursts.then(|| Rng::new(13)),
        }
    }

    fn step(&mut self) {
        self.ab.process(&self.a_out, &mut self.b_in);
        self.ba.process(&self.b_out, &mut self.a_in);
        if let Some(rng) = self.bursts.as_mut() {
            for heard in [&mut self.a_in, &mut self.b_in] {
                if rng.uniform() < 0.002 {
                    let at = rng.below(120) as usize;
                    for v in &mut heard[at..at + 40] {
                        *v += 0.05 * rng.gaussian();
                    }
                }
            }
        }
        self.a.process(&self.a_in, &mut self.a_out);
        self.b.process(&self.b_in, &mut self.b_out);
    }

    fn connected(&self) -> bool {
        self.a.state() == softmodem::modem::State::Data && self.b.state() == softmodem::modem::State::Data
    }
}

/// Octets a second from a to b, after settling, for `seconds`.
fn throughput(family: Family, link: LinkConfig, text: Data, seconds: usize) -> (f64, &'static str) {
    let imp = Impairments::default().with_snr(30.0, -13.0);
    let mut p = Pair::new(family, link, imp.clone(), imp, false);
    let data = text.make(400_000, 7);
    let mut sent = 0;
    let mut buf = [0u8; 4096];
    let mut steps = 0;
    while !p.connected() {
        p.step();
        steps += 1;
        assert!(
            steps < 50 * 30,
            "no connection: {:?} {:?} {:?} {:?}",
            p.a.state(),
            p.b.state(),
            p.a.poll_event(),
            p.b.poll_event()
        );
    }
    let protocol = p.a.protocol().words();
    let (mut got, mut counting, mut blocks) = (0usize, false, 0usize);
    let settle = 5 * 50;
    for k in 0..settle + seconds * 50 {
        sent += p.a.write(&data[sent % data.len()..]);
        if sent >= data.len() {
            sent = 0;
        }
        p.step();
        let n = p.b.read(&mut buf);
        if k == settle {
            counting = true;
        }
        if counting {
            got += n;
            blocks += 1;
        }
        while p.a.read(&mut buf) > 0 {}
    }
    (got as f64 / (blocks as f64 / 50.0), if protocol.is_empty() { "none" } else { protocol })
}

fn run_throughput(seconds: usize) -> Vec<String> {
    println!("\n### Throughput, octets per second ({seconds} s after 5 s of settling, 30 dB SNR)\n");
    println!("| Line | Data | Plain (8N1) | LAPM | LAPM + V.42bis | Ceiling plain / LAPM |");
    println!("|---|---|---|---|---|---|");
    let mut result = vec![];
    for (family, rate) in [(Family::V22bis, 2400u32), (Family::V22, 1200)] {
        for text in [Data::Text, Data::Binary] {
            let plain = throughput(family, LinkConfig::PLAIN, text, seconds);
            let lapm = throughput(family, LinkConfig { compression: false, ..LinkConfig::default() }, text, seconds);
            let bis = throughput(family, LinkConfig::default(), text, seconds);
            assert_eq!((plain.1, lapm.1, bis.1), ("none", "LAPM", "LAPM/V42BIS"), "the protocols negotiated");
            let ceiling_lapm = rate as f64 / 8.0 * 128.0 / 134.0;
            println!(
                "| {rate} bit/s | {} | {:.0} | {:.0} | {:.0} | {:.0} / {:.0} |",
                text.name(),
                plain.0,
                lapm.0,
                bis.0,
                rate as f64 / 10.0,
                ceiling_lapm
            );
            let key = format!("{rate}_{}", text.name());
            result.push(format!("plain_{key}={:.0} lapm_{key}={:.0} v42bis_{key}={:.0}", plain.0, lapm.0, bis.0));
        }
    }
    result
}

fn dropouts(seed: u64, until_s: f64) -> Vec<Dropout> {
    let mut rng = Rng::new(seed);
    let (mut v, mut t, mut long) = (vec![], 6000.0f64, false);
    while t < until_s * 1000.0 {
        v.push(Dropout { at_ms: t as f32, ms: if long { 300.0 } else { 100.0 } });
        long = !long;
        t += 3000.0 + 3000.0 * rng.uniform() as f64;
    }
    v
}

fn run_soak(mb: usize) -> Vec<String> {
    let len = mb * 1_000_000;
    // Time enough for 1200 bit/s (the dropouts' retrains make the modems fall back) with
    // V.42bis on text: 3x compression at worst 1/3 of the line's character rate.
    let limit_s = (len as f64 / 50.0).max(600.0);
    let mut ab = Impairments::default().with_snr(20.0, -13.0);
    ab.dropouts = dropouts(1, limit_s);
    let mut ba = Impairments::default().with_snr(20.0, -13.0);
    ba.dropouts = dropouts(2, limit_s);
    let mut p = Pair::new(Family::V22bis, LinkConfig::default(), ab, ba, true);
    let (a_data, b_data) = (Data::Text.make(len, 21), Data::Text.make(len, 22));
    let (a_data, b_data) = (&a_data[..len], &b_data[..len]);
    let (mut a_sent, mut b_sent, mut a_got, mut b_got) = (0, 0, 0, 0);
    let mut buf = [0u8; 4096];
    let (mut still, mut longest, mut flowing, mut steps) = (0u64, 0u64, false, 0u64);
    let wall = Instant::now();
    let mut exact = true;
    let mut notes: Vec<String> = vec![];
    while a_got < len || b_got < len {
        a_sent += p.a.write(&a_data[a_sent..]);
        b_sent += p.b.write(&b_data[b_sent..]);
        p.step();
        steps += 1;
        let before = a_got + b_got;
        loop {
            let n = p.a.read(&mut buf);
            if n == 0 {
                break;
            }
            exact &= a_got + n <= len && buf[..n] == b_data[a_got..a_got + n];
            a_got += n;
        }
        loop {
            let n = p.b.read(&mut buf);
            if n == 0 {
                break;
            }
            exact &= b_got + n <= len && buf[..n] == a_data[b_got..b_got + n];
            b_got += n;
        }
        let bits = p.a.modem().data_flowing() && p.b.modem().data_flowing();
        if a_got + b_got > before || !bits {
            flowing |= a_got + b_got > before;
            still = 0;
        } else if flowing {
            still += 1;
            longest = longest.max(still);
        }
        while let Some(n) = p.a.poll_note() {
            notes.push(format!("{:.1} s caller {n:?}", steps as f64 / 50.0));
        }
        while let Some(n) = p.b.poll_note() {
            notes.push(format!("{:.1} s answerer {n:?}", steps as f64 / 50.0));
        }
        while let Some(e) = p.a.poll_event() {
            notes.push(format!("{:.1} s caller {e:?}", steps as f64 / 50.0));
        }
        while let Some(e) = p.b.poll_event() {
            notes.push(format!("{:.1} s answerer {e:?}", steps as f64 / 50.0));
        }
        assert!(
            p.a.modem().state() != softmodem::modem::State::Idle,
            "the call ended after {} s, {a_got} and {b_got} of {len} through: {:#?}",
            steps / 50,
            &notes[notes.len().saturating_sub(12)..]
        );
        assert!(steps < (limit_s * 50.0) as u64, "not through in {limit_s} s: {a_got} and {b_got} of {len}");
    }
    let secs = steps as f64 / 50.0;
    let (sa, sb) = (p.a.v42().unwrap().lapm().stats(), p.b.v42().unwrap().lapm().stats());
    let bad = p.a.v42().unwrap().bad_frames() + p.b.v42().unwrap().bad_frames();
    let rate = p.a.rates().0;
    println!("\n### Soak: {mb} MB of text each way, noise bursts and dropouts\n");
    println!("| Simulated | Wall | Line rate at the end | Octets/s each way | Exact | Retransmissions | Damaged frames | Longest stall |");
    println!("|---|---|---|---|---|---|---|---|");
    println!(
        "| {:.0} s | {:.0} s | {rate} bit/s | {:.0} | {} | {} | {bad} | {:.1} s |",
        secs,
        wall.elapsed().as_secs_f64(),
        len as f64 / secs,
        if exact { "yes" } else { "NO" },
        sa.retransmissions + sb.retransmissions,
        longest as f64 / 50.0
    );
    assert!(exact, "the data arrived changed");
    vec![format!(
        "soak_mb={mb} soak_seconds={secs:.0} soak_exact={exact} soak_retransmissions={} soak_bad_frames={bad} soak_longest_stall_s={:.1}",
        sa.retransmissions + sb.retransmissions,
        longest as f64 / 50.0
    )]
}

fn main() {
    let (mut tp, mut soak, mut seconds, mut mb) = (false, false, 60usize, 10usize);
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "throughput" => tp = true,
            "soak" => soak = true,
            "--quick" => {
                seconds = 20;
                mb = 1;
            }
            "--seconds" => seconds = args.next().and_then(|s| s.parse().ok()).expect("--seconds N"),
            "--mb" => mb = args.next().and_then(|s| s.parse().ok()).expect("--mb N"),
            "--bench" => {}
            other => panic!("unknown argument {other} (throughput, soak, --quick, --seconds N, --mb N)"),
        }
    }
    if !tp && !soak {
        (tp, soak) = (true, true);
    }
    let start = Instant::now();
    let mut result = vec![];
    if tp {
        result.extend(run_throughput(seconds));
    }
    if soak {
        result.extend(run_soak(mb));
    }
    println!("RESULT {} seconds={:.0}", result.join(" "), start.elapsed().as_secs_f64());
}
