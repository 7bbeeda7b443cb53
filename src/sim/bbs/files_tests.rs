//! The files area driven through the host's API (keys, [`Host::received`], [`Host::send`],
//! [`Host::tick`]) against our own transfers as the caller's side, over a simulated line with a
//! simulated clock; the host's pages read back by the test screen.

use super::files::{self, DEMO_BIN_LEN, PROTOCOLS, TRANSFER_CHUNK, UPLOAD_LIMIT, XMODEM_UPLOAD};
use super::tests::{drain, Screen};
use super::*;
use crate::sim::rng::Rng;
use crate::time::{Duration, Instant};
use crate::transfer::crc::Crc32;
use crate::transfer::files::{MemorySink, MemorySource, ReceivedFile};
use crate::transfer::xmodem::{self, XmodemReceiver, XmodemSender};
use crate::transfer::{zmodem, LineRate, Outcome, Protocol, Transfer};
use std::cell::RefCell;
use std::rc::Rc;

/// The simulated line's step.
const STEP: Duration = Duration::from_ms(10);

/// The end of the line that tells the caller to start its side.
const READY: &[u8] = b"Ctrl-X five times cancels.\r\n";

/// A host connected at `bps` and on its files page, its screen, and the time.
struct Call {
    host: Host,
    screen: Screen,
    now: Instant,
    bps: u32,
}

impl Call {
    fn new(bps: u32) -> Call {
        let mut host = Host::new();
        host.connected(bps, bps, "test");
        let mut screen = Screen::new();
        screen.feed(&drain(&mut host));
        let mut c = Call { host, screen, now: Instant::ZERO, bps };
        c.keys(b"f");
        assert_eq!(c.host.page(), Page::Files);
        c
    }

    fn line(&self) -> LineRate {
        LineRate::new(self.bps)
    }

    /// Keys typed at a page (not a transfer); what the host answered.
    fn keys(&mut self, keys: &[u8]) -> Vec<u8> {
        self.host.received(keys);
        let out = drain(&mut self.host);
        self.screen.feed(&out);
        out
    }

    /// Presses `P` until the protocol is `p`.
    fn choose(&mut self, p: Protocol) {
        while self.host.protocol() != p {
            self.keys(b"p");
        }
    }

    /// Presses `k`, which starts a transfer: the screen gets the host's words up to its line
    /// saying what to do; what follows (the transfer's first octets) is returned.
    fn start(&mut self, k: u8) -> Vec<u8> {
        self.host.received(&[k]);
        assert_eq!(self.host.page(), Page::Transfer, "{:?} did not start a transfer", k as char);
        let out = drain(&mut self.host);
        let end = out.windows(READY.len()).position(|w| w == READY).expect("no ready line") + READY.len();
        self.screen.feed(&out[..end]);
        out[end..].to_vec()
    }

    /// Runs the host against `caller` over a line at the call's rate (each way, octets arriving
    /// in the step they are sent) until the caller has ended and the host has shown the files
    /// page again, or `limit` has passed. `each` is called on the caller every step. The host's
    /// output is checked to stay within [`TRANSFER_CHUNK`] while the transfer runs.
    fn run(
        &mut self,
        caller: &mut dyn Transfer,
        first: &[u8],
        limit: Duration,
        mut each: impl FnMut(&mut dyn Transfer),
    ) {
        let per_step = (self.bps as usize / 1000).max(1);
        caller.receive(self.now, first);
        let end = self.now + limit;
        let mut buf = vec![0u8; per_step];
        let mut after = Vec::new();
        loop {
            assert!(self.now < end, "not done in {limit}: {:?} {:?}", caller.outcome(), self.host);
            self.now += STEP;
            self.host.tick(self.now);
            let transferring = self.host.transferring();
            let mut got = Vec::new();
            let mut budget = per_step;
            self.host.send(|b| {
                let k = b.len().min(budget);
                got.extend_from_slice(&b[..k]);
                budget -= k;
                k
            });
            if transferring {
                caller.receive(self.now, &got);
                assert!(self.host.pending() <= TRANSFER_CHUNK, "{} octets held", self.host.pending());
            } else {
                after.extend_from_slice(&got);
            }
            each(caller);
            let n = caller.transmit(self.now, &mut buf);
            self.host.received(&buf[..n]);
            if caller.outcome().is_some() && self.host.page() == Page::Files && self.host.pending() == 0 {
                break;
            }
        }
        self.screen.feed(&after);
        assert!(self.screen.find("Your choice: ").is_some(), "no files page: {:?}", String::from_utf8_lossy(&after));
        assert!(self.screen.find("is not a choice").is_none(), "octets after the transfer taken as keys");
        assert_eq!((self.screen.wraps, self.screen.scrolls), (0, 0));
    }

    fn shows(&self, words: &str) -> bool {
        self.screen.find(words).is_some()
    }
}

type Shared = Rc<RefCell<MemorySink>>;

/// The caller's receiver for `p` into a sink it keeps.
fn receiver(p: Protocol, line: LineRate) -> (Box<dyn Transfer>, Shared) {
    let sink = Rc::new(RefCell::new(MemorySink::new(1 << 24)));
    let t: Box<dyn Transfer> = match p {
        Protocol::Zmodem => Box::new(zmodem::Receiver::new(zmodem::Config::new(line), Box::new(sink.clone()))),
        p => Box::new(XmodemReceiver::new(xmodem::Config::new(p, line), Box::new(sink.clone()))),
    };
    (t, sink)
}

/// The caller's sender for `p` of `files`.
fn sender(p: Protocol, line: LineRate, files: &[(&str, Vec<u8>)]) -> Box<dyn Transfer> {
    let mut source = MemorySource::new();
    for (name, data) in files {
        source.add(name, data.clone());
    }
    match p {
        Protocol::Zmodem => Box::new(zmodem::Sender::new(zmodem::Config::new(line), Box::new(source))),
        p => Box::new(XmodemSender::new(xmodem::Config::new(p, line), Box::new(source))),
    }
}

/// What XMODEM carries of `data`: padded with SUB to a multiple of 128.
fn padded(data: &[u8]) -> Vec<u8> {
    let mut v = data.to_vec();
    v.resize(data.len().div_ceil(128) * 128, 0x1A);
    v
}

fn xmodem(p: Protocol) -> bool {
    matches!(p, Protocol::Xmodem | Protocol::Xmodem1k)
}

/// Checks that `got` is `files` as protocol `p` carries them.
fn check_received(p: Protocol, files: &[files::Download], got: &[ReceivedFile]) {
    assert_eq!(got.len(), files.len(), "{p:?}");
    for (g, d) in got.iter().zip(files) {
        assert!(g.complete, "{p:?} {}", d.name);
        if xmodem(p) {
            assert!(g.data == padded(&d.data), "{p:?} {}: {} octets for {}", d.name, g.data.len(), d.data.len());
        } else {
            assert_eq!(g.info.name, d.name);
            assert!(g.data == d.data, "{p:?} {}: {} octets for {}", d.name, g.data.len(), d.data.len());
        }
    }
}

fn random(n: usize, seed: u64) -> Vec<u8> {
    let mut v = vec![0; n];
    Rng::new(seed).fill(&mut v);
    v
}

#[test]
fn the_files_are_made_in_code_as_described() {
    let d = files::downloads();
    let names: Vec<&str> = d.iter().map(|d| d.name).collect();
    assert_eq!(names, ["readme.txt", "bbsnews.ans", "demo.bin"]);
    let readme = &d[0].data;
    assert!((2048..8192).contains(&readme.len()), "{}", readme.len());
    assert!(readme.iter().all(|&b| b == b'\r' || b == b'\n' || (0x20..0x7f).contains(&b)));
    for (i, &b) in readme.iter().enumerate() {
        assert_eq!(b == b'\n', i > 0 && readme[i - 1] == b'\r', "not CRLF at {i}");
    }
    let news = &d[1].data;
    assert!(news.len() < 4096 && news.contains(&0x1b) && news.contains(&0xCD));
    Screen::new().feed(news);
    let bin = &d[2].data;
    assert_eq!(bin.len(), DEMO_BIN_LEN);
    assert!(bin.len() > 100 * 1024);
    let mut seen = [false; 256];
    bin.iter().for_each(|&b| seen[b as usize] = true);
    assert!(seen.iter().all(|&s| s));
    assert_eq!(files::downloads(), d, "the same every time");
}

#[test]
fn the_files_page_lists_the_files_and_p_steps_through_the_protocols() {
    let mut c = Call::new(2400);
    assert!(c.shows("Files"));
    for (name, len) in [("readme.txt", files::readme().len()), ("bbsnews.ans", files::news().len())] {
        let row = c.screen.find(name).unwrap_or_else(|| panic!("no {name}"));
        assert!(c.screen.text(row).contains(&format!("{len} octets")), "{}", c.screen.text(row));
    }
    let row = c.screen.find("demo.bin").unwrap();
    let crc = format!("{:08X}", Crc32::of(&files::demo_bin()));
    assert!(c.screen.text(row).contains("153600 octets") && c.screen.text(row).contains(&crc));
    assert!(c.screen.text(row).contains("12 min"), "{}", c.screen.text(row));
    assert!(c.shows("Times at 2400 bit/s"));
    assert!(c.shows("Nothing uploaded yet"));
    assert!(c.shows("[1-3] download  [A] all  [U] upload  [P] protocol  [Q] menu"));
    assert_eq!((c.screen.wraps, c.screen.scrolls), (0, 0));
    assert_eq!(c.host.protocol(), Protocol::Zmodem);
    assert!(c.screen.text(7).contains("Protocol:  ZMODEM "), "{}", c.screen.text(7));
    // P rewrites the protocol line only, and leaves the cursor on the prompt.
    let prompt = (c.screen.row, c.screen.col);
    for want in ["YMODEM", "XMODEM-1K", "XMODEM", "ZMODEM"] {
        let out = c.keys(b"P");
        assert!(out.len() < 160, "{}", out.len());
        assert_eq!(c.host.protocol().name(), want);
        assert!(c.screen.text(7).contains(&format!("Protocol:  {want} ")), "{}", c.screen.text(7));
        assert_eq!((c.screen.row, c.screen.col), prompt);
    }
    // A wrong key: a hint on the prompt line. A batch by XMODEM: a hint too.
    c.keys(b"x");
    assert!(c.screen.text(c.screen.row).contains("'x' is not a choice here: press 1-3, A, U, P or Q."));
    c.keys(b"4");
    assert!(c.screen.text(c.screen.row).contains("'4' is not a choice"));
    c.choose(Protocol::Xmodem);
    c.keys(b"a");
    assert!(c.screen.text(c.screen.row).contains("XMODEM sends one file"));
    assert_eq!(c.host.page(), Page::Files);
    // Q, ESC and an arrow key return to the menu; the protocol stays.
    c.keys(b"q");
    assert_eq!(c.host.page(), Page::Menu);
    c.keys(b"F\x1b[A");
    assert_eq!(c.host.page(), Page::Menu);
    c.keys(b"f\x1b");
    assert_eq!(c.host.page(), Page::Menu);
    assert_eq!(c.host.protocol(), Protocol::Xmodem);
}

#[test]
fn every_file_downloads_exactly_with_every_protocol() {
    let all = files::downloads();
    for p in PROTOCOLS {
        for (i, d) in all.iter().enumerate() {
            let mut c = Call::new(9600);
            c.choose(p);
            let first = c.start(b'1' + i as u8);
            let words = format!("Sending {} ({} octets) with {}.", d.name, d.data.len(), p.name());
            assert!(c.shows(&words), "{words}");
            assert!(c.shows(&format!("Start your {} receive now.", p.name())));
            let (mut r, sink) = receiver(p, c.line());
            c.run(&mut *r, &first, Duration::from_secs(900), |_| {});
            assert_eq!(r.outcome(), Some(&Outcome::Complete), "{p:?} {}", d.name);
            check_received(p, std::slice::from_ref(d), &sink.borrow().files);
            let result = format!("Sent {} ({} octets) with {}", d.name, d.data.len(), p.name());
            assert_eq!(c.host.results(), std::slice::from_ref(&result));
            assert!(c.shows(&result), "{result}");
            let row = c.screen.find(&result).unwrap();
            assert_eq!(c.screen.cells[row][2].fg, 10, "in bright green");
        }
    }
}

#[test]
fn a_batch_downloads_every_file_by_zmodem_and_ymodem() {
    let all = files::downloads();
    for p in [Protocol::Zmodem, Protocol::Ymodem] {
        let mut c = Call::new(19200);
        c.choose(p);
        let first = c.start(b'A');
        assert!(c.shows(&format!(
            "Sending 3 files ({} octets) with {}.",
            all.iter().map(|d| d.data.len()).sum::<usize>(),
            p.name()
        )));
        let (mut r, sink) = receiver(p, c.line());
        c.run(&mut *r, &first, Duration::from_secs(900), |_| {});
        check_received(p, &all, &sink.borrow().files);
        for d in &all {
            assert!(c.shows(&format!("Sent {} ({} octets) with {}", d.name, d.data.len(), p.name())));
        }
    }
}

#[test]
fn uploads_report_their_size_and_crc_and_are_kept() {
    let mut c = Call::new(9600);
    let one = random(20_000, 1);
    let two = b"a short text\r\n".repeat(100);
    // ZMODEM, a batch of two: the receiver starts at once (its ZRINIT follows the words).
    let first = c.start(b'u');
    assert!(c.shows("Begin your ZMODEM upload now."));
    assert!(first.starts_with(b"**\x18B01"), "{first:?}");
    let mut s = sender(Protocol::Zmodem, c.line(), &[("dir/one.bin", one.clone()), ("two.txt", two.clone())]);
    c.run(&mut *s, &first, Duration::from_secs(600), |_| {});
    assert_eq!(s.outcome(), Some(&Outcome::Complete));
    let lines = [
        format!("Received one.bin: 20000 octets, CRC-32 {:08X}", Crc32::of(&one)),
        format!("Received two.txt: 1400 octets, CRC-32 {:08X}", Crc32::of(&two)),
    ];
    assert_eq!(c.host.results(), lines);
    for l in &lines {
        assert!(c.shows(l), "{l}");
    }
    assert!(c.shows("Uploaded: one.bin"));
    assert!(c.shows("2 upload(s), 21 of 4096 KB held"));
    // XMODEM, XMODEM-1K and YMODEM: one file each.
    for (p, len) in [(Protocol::Xmodem, 5000), (Protocol::Xmodem1k, 3000), (Protocol::Ymodem, 4321)] {
        let data = random(len, len as u64);
        c.choose(p);
        let first = c.start(b'U');
        assert!(c.shows(&format!("Begin your {} upload now.", p.name())));
        let mut s = sender(p, c.line(), &[("y.dat", data.clone())]);
        c.run(&mut *s, &first, Duration::from_secs(600), |_| {});
        assert_eq!(s.outcome(), Some(&Outcome::Complete), "{p:?}");
        let (name, kept) = if xmodem(p) { (XMODEM_UPLOAD, padded(&data)) } else { ("y.dat", data) };
        let line = format!("Received {name}: {} octets, CRC-32 {:08X}", kept.len(), Crc32::of(&kept));
        assert_eq!(c.host.results(), std::slice::from_ref(&line), "{p:?}");
        assert!(c.shows(&line));
        let up = c.host.uploads().last().unwrap();
        assert_eq!((up.name.as_str(), &up.data, up.crc32), (name, &kept, Crc32::of(&kept)));
    }
    assert_eq!(c.host.uploads().len(), 5);
    assert!(c.shows("5 upload(s)"));
}

#[test]
fn the_caller_cancels_and_the_host_returns_to_the_files_page() {
    // Downloads: the caller's receiver cancels part of the way through demo.bin.
    for p in PROTOCOLS {
        let mut c = Call::new(9600);
        c.choose(p);
        let first = c.start(b'3');
        let (mut r, _sink) = receiver(p, c.line());
        c.run(&mut *r, &first, Duration::from_secs(120), |r| {
            if r.progress().total > 10_000 && r.outcome().is_none() {
                r.cancel();
            }
        });
        let line = format!("Download of demo.bin with {} failed: cancelled by the far end", p.name());
        assert_eq!(c.host.results(), std::slice::from_ref(&line), "{p:?}");
        assert!(c.shows(&line));
        assert_eq!(c.host.page(), Page::Files);
    }
    // Uploads: the caller's sender cancels.
    for p in [Protocol::Zmodem, Protocol::Xmodem] {
        let mut c = Call::new(9600);
        c.choose(p);
        let first = c.start(b'u');
        let mut s = sender(p, c.line(), &[("big.bin", random(100_000, 3))]);
        c.run(&mut *s, &first, Duration::from_secs(120), |s| {
            if s.progress().total > 10_000 && s.outcome().is_none() {
                s.cancel();
            }
        });
        let line = format!("Upload with {} failed: cancelled by the far end", p.name());
        assert_eq!(c.host.results(), std::slice::from_ref(&line), "{p:?}");
        assert!(c.shows(&line));
        assert!(c.host.uploads().is_empty());
    }
}

#[test]
fn ctrl_x_typed_by_hand_stops_a_transfer_nobody_answers() {
    for p in [Protocol::Zmodem, Protocol::Ymodem] {
        let mut c = Call::new(2400);
        c.choose(p);
        c.start(b'1');
        for _ in 0..100 {
            c.now += STEP;
            c.host.tick(c.now);
            drain(&mut c.host);
        }
        c.host.received(b"\x18\x18\x18\x18\x18");
        for _ in 0..300 {
            c.now += STEP;
            c.host.tick(c.now);
            let out = drain(&mut c.host);
            if c.host.page() == Page::Files {
                c.screen.feed(&out);
                break;
            }
        }
        assert_eq!(c.host.page(), Page::Files, "{p:?}");
        assert!(c.shows(&format!("Download of readme.txt with {} failed: cancelled by the far end", p.name())));
    }
}

#[test]
fn the_host_holds_a_chunk_at_most_while_the_modem_takes_nothing() {
    let mut c = Call::new(2400);
    let first = c.start(b'3');
    assert!(first.len() <= TRANSFER_CHUNK);
    let (mut r, _sink) = receiver(Protocol::Zmodem, c.line());
    r.receive(c.now, &first);
    let mut taken = 0;
    for k in 0..3000 {
        c.now += STEP;
        c.host.tick(c.now);
        // The modem's queue is full most of the time, and takes a few octets now and then.
        let room = if k % 10 == 0 { 30 } else { 0 };
        let mut got = Vec::new();
        taken += c.host.send(|b| {
            let n = b.len().min(room - got.len());
            got.extend_from_slice(&b[..n]);
            n
        });
        assert!(c.host.pending() <= TRANSFER_CHUNK, "{}", c.host.pending());
        r.receive(c.now, &got);
        let mut buf = [0u8; 64];
        let n = r.transmit(c.now, &mut buf);
        c.host.received(&buf[..n]);
    }
    assert_eq!(c.host.page(), Page::Transfer);
    assert!(r.outcome().is_none());
    // All the modem had room for, but for a few steps at the start (ZRINIT, ZFILE, ZRPOS).
    assert!((8500..=300 * 30).contains(&taken), "{taken}: paced by the modem");
    assert!(r.progress().total > 8000, "{:?}", r.progress());
    assert_eq!(c.host.dropped(), 0);
}

#[test]
fn an_upload_past_the_limit_fails_cleanly_and_the_next_one_works() {
    let mut c = Call::new(1_000_000);
    let first = c.start(b'u');
    let big = random(UPLOAD_LIMIT as usize + 1, 4);
    let mut s = sender(Protocol::Zmodem, c.line(), &[("huge.bin", big)]);
    c.run(&mut *s, &first, Duration::from_secs(600), |_| {});
    let results = c.host.results().to_vec();
    assert_eq!(results.len(), 1, "{results:?}");
    assert!(results[0].starts_with("Upload with ZMODEM failed: "), "{results:?}");
    assert!(results[0].contains(&UPLOAD_LIMIT.to_string()), "{results:?}");
    assert!(c.host.uploads().is_empty());
    let first = c.start(b'u');
    let mut s = sender(Protocol::Zmodem, c.line(), &[("small.bin", random(1000, 5))]);
    c.run(&mut *s, &first, Duration::from_secs(60), |_| {});
    assert_eq!(c.host.uploads().len(), 1);
}

#[test]
fn random_octets_in_the_files_area_and_its_transfers_stay_bounded() {
    let mut rng = Rng::new(11);
    let mut c = Call::new(2400);
    let mut chunk = [0u8; 48];
    let (mut transfers, mut ended) = (0, 0);
    let mut was = false;
    for k in 0..30_000 {
        let n = rng.below(chunk.len() as u32) as usize;
        rng.fill(&mut chunk[..n]);
        c.host.received(&chunk[..n]);
        match c.host.page() {
            Page::Leaving => c = Call::new(2400),
            Page::Files | Page::Transfer => {}
            _ => c.host.received(b"\x1bf"),
        }
        c.now += Duration::from_ms(100);
        c.host.tick(c.now);
        let now = c.host.transferring();
        transfers += (now && !was) as u32;
        ended += (was && !now) as u32;
        was = now;
        assert!(c.host.pending() <= OUTPUT_CAPACITY);
        if k % 4 == 0 {
            // A 2400 bit/s modem's worth of 400 ms.
            let mut room = 96;
            c.host.send(|b| {
                let n = b.len().min(room);
                room -= n;
                n
            });
        }
    }
    assert!(transfers > 5 && ended > 5, "{transfers} transfers, {ended} ended");
}
