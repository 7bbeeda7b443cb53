//! The demo BBS's files area ([`Page::Files`], `F` at the menu): three files to download, the
//! caller's uploads kept in memory, and the transfer that runs between the two.
//!
//! | key | does |
//! |---|---|
//! | `1`-`3` | download that file with the current protocol |
//! | `A` | download all three in one batch (ZMODEM, YMODEM) |
//! | `P` | the next protocol: ZMODEM, YMODEM, XMODEM-1K, XMODEM ([`PROTOCOLS`]) |
//! | `U` | upload with the current protocol: any number of files by ZMODEM or YMODEM, one by XMODEM (kept as [`XMODEM_UPLOAD`]) |
//! | `Q` or ESC | back to the menu |
//!
//! Before a transfer the BBS says what to do on a line of its own ("Start your ZMODEM receive
//! now.", "Begin your ZMODEM upload now."); a ZMODEM download starts with the sender's `rz` and
//! ZRQINIT and a ZMODEM upload with the receiver's ZRINIT, which is what lets a terminal start its
//! side by itself. While it runs ([`Page::Transfer`]) every octet received goes to the transfer,
//! and its output goes out through the host's bounded buffer [`TRANSFER_CHUNK`] octets at a time,
//! as the modem takes them ([`Host::send`]), so the modem paces it; its timers run on
//! [`Host::tick`]. When it has ended and the line has been quiet for a second (the end of a cancel
//! sequence, a sender's `OO`, are dropped), the files page comes back with the result:
//!
//! - `Sent NAME (N octets) with ZMODEM` for each file a download sent, and
//!   `Download of NAME with ZMODEM failed: REASON` when it stopped short;
//! - `Received NAME: N octets, CRC-32 XXXXXXXX` for each file an upload brought, and
//!   `Upload with ZMODEM failed: REASON` when it stopped short.
//!
//! REASON is the [`Outcome`]'s text. Uploads are kept while the call lasts (at most
//! [`UPLOAD_LIMIT`] octets in all: an upload that would pass it fails) and listed on the page.

use super::{Host, Page};
use crate::sim::rng::Rng;
use crate::time::{Duration, Instant};
use crate::transfer::crc::Crc32;
use crate::transfer::files::{FileInfo, MemorySink, MemorySource};
use crate::transfer::xmodem::{self, XmodemReceiver, XmodemSender};
use crate::transfer::{zmodem, LineRate, Outcome, Progress, Protocol, Transfer};
use std::cell::RefCell;
use std::rc::Rc;

/// The protocols of the files area, in the order `P` steps through them.
pub const PROTOCOLS: [Protocol; 4] = [Protocol::Zmodem, Protocol::Ymodem, Protocol::Xmodem1k, Protocol::Xmodem];

/// The most octets all uploads together may take; an upload that would pass it fails.
pub const UPLOAD_LIMIT: u64 = 4 << 20;

/// The name an XMODEM upload is kept under (XMODEM sends no name).
pub const XMODEM_UPLOAD: &str = "upload.bin";

/// The most octets of a transfer the host holds: it asks the transfer for more only when the
/// modem has taken these, so that the modem paces the transfer.
pub const TRANSFER_CHUNK: usize = 128;

/// The length of `demo.bin`.
pub const DEMO_BIN_LEN: usize = 150 * 1024;

/// After a transfer, octets are dropped until the line has been quiet this long ...
const SETTLE_QUIET: Duration = Duration::from_ms(1000);

/// ... or this long has passed since the end.
const SETTLE_MAX: Duration = Duration::from_secs(5);

/// Most uploads kept (the oldest go first).
const MAX_UPLOADS: usize = 64;

/// Uploads listed on the page (the latest).
const UPLOADS_SHOWN: usize = 4;

/// Result lines kept and shown (the latest).
const RESULTS_SHOWN: usize = 4;

/// Longest file name shown.
const NAME_SHOWN: usize = 32;

/// The row of the protocol line on the files page (1-based), rewritten by `P`.
const PROTOCOL_ROW: usize = 8;

/// A file to download.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Download {
    /// Its name.
    pub name: &'static str,
    /// A few words about it for the list.
    pub about: &'static str,
    /// Its contents.
    pub data: Vec<u8>,
}

/// The files to download, made by code (the same every time): `readme.txt`, `bbsnews.ans` and
/// `demo.bin`.
pub fn downloads() -> Vec<Download> {
    vec![
        Download { name: "readme.txt", about: "the demo, the protocols", data: readme() },
        Download { name: "bbsnews.ans", about: "news, in ANSI colour", data: news() },
        Download { name: "demo.bin", about: "random octets, 00 to FF", data: demo_bin() },
    ]
}

/// `readme.txt`: a few KB of text about the demo and the protocols, CRLF line ends.
pub fn readme() -> Vec<u8> {
    README.replace('\n', "\r\n").into_bytes()
}

/// `bbsnews.ans`: a short ANSI text for a CP437 terminal, CRLF line ends.
pub fn news() -> Vec<u8> {
    let bar = [0xCDu8; 60];
    let mut s = Vec::with_capacity(1500);
    s.extend_from_slice(b"\x1b[0m\x1b[1;33;44m\xC9");
    s.extend_from_slice(&bar);
    s.extend_from_slice(b"\xBB\x1b[0m\r\n\x1b[1;33;44m\xBA\x1b[37m");
    s.extend_from_slice(format!("{:^60}", "SOFTMODEM DEMO BBS  -  NEWS").as_bytes());
    s.extend_from_slice(b"\x1b[33m\xBA\x1b[0m\r\n\x1b[1;33;44m\xC8");
    s.extend_from_slice(&bar);
    s.extend_from_slice(b"\xBC\x1b[0m\r\n\r\n");
    for (title, text) in NEWS {
        s.extend_from_slice(b"\x1b[1;36m\xFE \x1b[1;37m");
        s.extend_from_slice(title.as_bytes());
        s.extend_from_slice(b"\x1b[0m\r\n");
        for line in text.lines() {
            s.extend_from_slice(b"  \x1b[0;36m");
            s.extend_from_slice(line.as_bytes());
            s.extend_from_slice(b"\r\n");
        }
        s.extend_from_slice(b"\x1b[0m\r\n");
    }
    s.extend_from_slice(b"\x1b[1;30m");
    s.extend_from_slice(&[0xC4; 62]);
    s.extend_from_slice(b"\x1b[0m\r\n");
    s
}

/// `demo.bin`: [`DEMO_BIN_LEN`] octets, every value 00 to FF first (so that every one is
/// escaped or carried at least once), then octets that look like protocol (cancel sequences,
/// ZMODEM headers, XON/XOFF, `+++`), then seeded random octets.
pub fn demo_bin() -> Vec<u8> {
    let mut v: Vec<u8> = (0..=255u8).collect();
    v.extend_from_slice(b"\x18\x18\x18\x18\x18\x18\x18\x18\x08\x08\x08**\x18B0100000023be50\r\x8a\x11");
    v.extend_from_slice(b"\x11\x13\x91\x93\x10\x90\x0d\x8d+++ATH0\r\x7f\xff\x1b[2J\x18h\x18i\x18j\x18k\x04\x04");
    let mut rest = vec![0u8; DEMO_BIN_LEN - v.len()];
    Rng::new(0x5EED_DE40).fill(&mut rest);
    v.extend_from_slice(&rest);
    v
}

/// An upload kept in memory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upload {
    /// Its name as kept (the sender's, made safe; [`XMODEM_UPLOAD`] for XMODEM).
    pub name: String,
    /// What arrived (for XMODEM with the last block's padding).
    pub data: Vec<u8>,
    /// Its CRC-32.
    pub crc32: u32,
}

/// A transfer running.
struct Running {
    transfer: Box<dyn Transfer>,
    /// An upload: where it goes.
    sink: Option<Rc<RefCell<MemorySink>>>,
    /// A download: the names and lengths of the files, in the order sent.
    files: Vec<(&'static str, usize)>,
}

/// The files area's state, part of the [`Host`].
#[derive(Default)]
pub(super) struct Area {
    /// The files to download, made on first use.
    downloads: Vec<Download>,
    protocol: usize,
    uploads: Vec<Upload>,
    results: Vec<String>,
    running: Option<Running>,
    /// After a transfer: when it ended and when the last octet came.
    settle: Option<(Instant, Instant)>,
}

impl core::fmt::Debug for Area {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Area")
            .field("protocol", &PROTOCOLS[self.protocol])
            .field("uploads", &self.uploads.len())
            .field("results", &self.results)
            .field("running", &self.running.as_ref().map(|r| r.transfer.progress()))
            .field("settle", &self.settle)
            .finish()
    }
}

impl Area {
    fn downloads(&mut self) -> &[Download] {
        if self.downloads.is_empty() {
            self.downloads = downloads();
        }
        &self.downloads
    }

    fn held(&self) -> u64 {
        self.uploads.iter().map(|u| u.data.len() as u64).sum()
    }
}

/// `name` as shown: printable ASCII, at most [`NAME_SHOWN`] characters.
fn shown(name: &str) -> String {
    let mut s: String = name.chars().map(|c| if c.is_ascii_graphic() || c == ' ' { c } else { '_' }).collect();
    if s.chars().count() > NAME_SHOWN {
        s = s.chars().take(NAME_SHOWN - 3).collect::<String>() + "...";
    }
    s
}

/// About how long `octets` take at `bps` (ten bits a character, a little for the protocol).
fn time_for(octets: usize, bps: u32) -> String {
    let s = (octets as u64 * 11).div_ceil(bps.max(1) as u64);
    match s {
        0..=99 => format!("{s} s"),
        _ => format!("{} min", s.div_ceil(60)),
    }
}

impl Host {
    /// Time passes: `now` is the time of the call (any origin, never going back). Call it every
    /// audio block: a transfer's timeouts run here, and the files page comes back after one.
    pub fn tick(&mut self, now: Instant) {
        self.now = now;
        if let Some(r) = self.files.running.as_mut() {
            // Nothing taken: only the transfer's timers run.
            r.transfer.transmit(now, &mut []);
            self.check_end();
        } else if let Some((ended, last)) = self.files.settle {
            if now.saturating_since(last) >= SETTLE_QUIET || now.saturating_since(ended) >= SETTLE_MAX {
                self.show_files();
            }
        }
    }

    /// True while a transfer runs, or has just ended and the host waits for the line to go quiet
    /// ([`Page::Transfer`]).
    pub fn transferring(&self) -> bool {
        self.page == Page::Transfer
    }

    /// The running transfer's progress.
    pub fn transfer_progress(&self) -> Option<&Progress> {
        self.files.running.as_ref().map(|r| r.transfer.progress())
    }

    /// The uploads kept, oldest first.
    pub fn uploads(&self) -> &[Upload] {
        &self.files.uploads
    }

    /// The files area's protocol now.
    pub fn protocol(&self) -> Protocol {
        PROTOCOLS[self.files.protocol]
    }

    /// The result lines of the last transfer.
    pub fn results(&self) -> &[String] {
        &self.files.results
    }

    /// The rate that sets a transfer's timeouts: the slower direction's.
    fn line_rate(&self) -> LineRate {
        let (rx, tx) = self.rates;
        LineRate::new(rx.min(tx).max(75))
    }

    /// Octets received while on [`Page::Transfer`].
    pub(super) fn transfer_received(&mut self, bytes: &[u8]) {
        let now = self.now;
        if let Some(r) = self.files.running.as_mut() {
            r.transfer.receive(now, bytes);
        } else if let Some((_, last)) = self.files.settle.as_mut() {
            *last = now;
        }
    }

    /// Takes the transfer's next octets into the output, if it runs and the output has none of
    /// its octets; true if it gave any.
    pub(super) fn pull_transfer(&mut self) -> bool {
        let room = TRANSFER_CHUNK.saturating_sub(self.out.len());
        let Some(r) = self.files.running.as_mut() else { return false };
        if room == 0 {
            return false;
        }
        let mut buf = [0u8; TRANSFER_CHUNK];
        let n = r.transfer.transmit(self.now, &mut buf[..room]);
        self.out.extend(&buf[..n]);
        self.check_end();
        n > 0
    }

    /// A transfer that has ended gives its result lines and the host waits for the line to go
    /// quiet.
    fn check_end(&mut self) {
        let Some(r) = self.files.running.as_ref() else { return };
        let Some(outcome) = r.transfer.outcome().cloned() else { return };
        let r = self.files.running.take().expect("running");
        let protocol = r.transfer.protocol().name();
        let mut lines = Vec::new();
        match r.sink {
            None => {
                let done = match outcome {
                    Outcome::Complete => r.files.len(),
                    _ => r.transfer.progress().files_done.min(r.files.len()),
                };
                for (name, len) in &r.files[..done] {
                    lines.push(format!("Sent {name} ({len} octets) with {protocol}"));
                }
                if outcome != Outcome::Complete {
                    let name = r.files.get(done).map_or("the batch", |f| f.0);
                    lines.push(format!("Download of {name} with {protocol} failed: {outcome}"));
                }
            }
            Some(sink) => {
                let files = std::mem::take(&mut sink.borrow_mut().files);
                for f in files.into_iter().filter(|f| f.complete) {
                    let crc32 = Crc32::of(&f.data);
                    let name = shown(&f.info.safe_name());
                    lines.push(format!("Received {name}: {} octets, CRC-32 {crc32:08X}", f.data.len()));
                    if self.files.uploads.len() == MAX_UPLOADS {
                        self.files.uploads.remove(0);
                    }
                    self.files.uploads.push(Upload { name, data: f.data, crc32 });
                }
                if outcome != Outcome::Complete {
                    lines.push(format!("Upload with {protocol} failed: {outcome}"));
                } else if lines.is_empty() {
                    lines.push(format!("Upload with {protocol}: no file came"));
                }
            }
        }
        if lines.len() > RESULTS_SHOWN {
            let more = lines.len() - (RESULTS_SHOWN - 1);
            lines.drain(..more);
            lines.insert(0, format!("({more} more lines)"));
        }
        self.files.results = lines;
        self.files.settle = Some((self.now, self.now));
    }

    /// The files page, with the result of the last transfer.
    pub(super) fn show_files(&mut self) {
        self.page = Page::Files;
        self.files.settle = None;
        self.esc = super::Esc::None;
        let bps = self.line_rate().bits_per_second;
        self.heading("Files");
        let mut s = Vec::with_capacity(2048);
        let header = format!("  #  {:<12} {:>14}  {:>6}  {:<8}  {}", "Name", "Size", "Time", "CRC-32", "About");
        s.extend_from_slice(format!("\x1b[1;37m{header}\x1b[0m\r\n").as_bytes());
        for (i, d) in self.files.downloads().iter().enumerate() {
            let line = format!(
                "  \x1b[1;33m{}\x1b[0m  {:<12} {:>7} octets  {:>6}  \x1b[36m{:08X}  {}\x1b[0m\r\n",
                i + 1,
                d.name,
                d.data.len(),
                time_for(d.data.len(), bps),
                Crc32::of(&d.data),
                d.about,
            );
            s.extend_from_slice(line.as_bytes());
        }
        s.extend_from_slice(format!("  \x1b[36m(Times at {bps} bit/s, without compression.)\x1b[0m\r\n").as_bytes());
        s.extend_from_slice(&self.protocol_line());
        s.extend_from_slice(b"\r\n\r\n");
        let ups = &self.files.uploads;
        if ups.is_empty() {
            s.extend_from_slice(b"  \x1b[36mNothing uploaded yet: U sends a file to the BBS.\x1b[0m\r\n");
        } else {
            let held = self.files.held();
            let from = ups.len().saturating_sub(UPLOADS_SHOWN);
            for u in &ups[from..] {
                let line = format!(
                    "  \x1b[32mUploaded: \x1b[1;37m{:<NAME_SHOWN$}\x1b[0;32m {:>7} octets  CRC-32 {:08X}\x1b[0m\r\n",
                    u.name,
                    u.data.len(),
                    u.crc32
                );
                s.extend_from_slice(line.as_bytes());
            }
            let line = format!(
                "  \x1b[36m{} upload(s), {} of {} KB held\x1b[0m\r\n",
                ups.len(),
                held.div_ceil(1024),
                UPLOAD_LIMIT / 1024
            );
            s.extend_from_slice(line.as_bytes());
        }
        if !self.files.results.is_empty() {
            s.extend_from_slice(b"\r\n");
            for l in &self.files.results {
                let ok = l.starts_with("Sent ") || l.starts_with("Received ");
                s.extend_from_slice(if ok { b"  \x1b[1;32m" } else { b"  \x1b[1;31m" });
                s.extend_from_slice(l.as_bytes());
                s.extend_from_slice(b"\x1b[0m\r\n");
            }
        }
        let n = self.files.downloads().len();
        s.extend_from_slice(
            format!(
                "\r\n  \x1b[1;33m[1-{n}]\x1b[0m download  \x1b[1;33m[A]\x1b[0m all  \x1b[1;33m[U]\x1b[0m upload  \
\x1b[1;33m[P]\x1b[0m protocol  \x1b[1;33m[Q]\x1b[0m menu\r\n\r\n\x1b[1;37mYour choice: \x1b[0m"
            )
            .as_bytes(),
        );
        self.put(&s);
    }

    /// The protocol line of the files page (without a line end).
    fn protocol_line(&self) -> Vec<u8> {
        let mut s = b"  Protocol: \x1b[1;37;42m ".to_vec();
        s.extend_from_slice(self.protocol().name().as_bytes());
        s.extend_from_slice(b" \x1b[0;36m   P: ZMODEM > YMODEM > XMODEM-1K > XMODEM\x1b[0m");
        s
    }

    /// A key on the files page.
    pub(super) fn files_key(&mut self, b: u8) {
        let n = self.files.downloads().len();
        match b.to_ascii_uppercase() {
            0x1b | b'Q' => self.show_menu(),
            d @ b'1'..=b'9' if ((d - b'1') as usize) < n => self.start_download(vec![(d - b'1') as usize]),
            b'A' if matches!(self.protocol(), Protocol::Xmodem | Protocol::Xmodem1k) => {
                self.hint(&format!(
                    "{} sends one file: press 1-{n}, or P for a batch protocol.",
                    self.protocol().name()
                ));
            }
            b'A' => self.start_download((0..n).collect()),
            b'P' => {
                self.files.protocol = (self.files.protocol + 1) % PROTOCOLS.len();
                self.put(format!("\x1b[s\x1b[{PROTOCOL_ROW};1H\x1b[K").as_bytes());
                let line = self.protocol_line();
                self.put(&line);
                self.put(b"\x1b[u");
            }
            b'U' => self.start_upload(),
            b'\r' | b'\n' | 0 => {}
            _ => {
                let shown = if b.is_ascii_graphic() { b as char } else { '?' };
                self.hint(&format!("'{shown}' is not a choice here: press 1-{n}, A, U, P or Q."));
            }
        }
    }

    /// A hint in red on the prompt line.
    fn hint(&mut self, text: &str) {
        self.put(b"\r\x1b[K\x1b[1;31m");
        self.put(text.as_bytes());
        self.put(b"\x1b[0m ");
    }

    /// Says what happens next and starts `transfer`.
    fn begin(&mut self, what: &str, ask: &str, running: Running) {
        self.put(b"\r\n\r\n\x1b[1;32m");
        self.put(what.as_bytes());
        self.put(b"\x1b[0m\r\n\x1b[1;33m");
        self.put(ask.as_bytes());
        self.put(b"\x1b[0m Ctrl-X five times cancels.\r\n");
        self.page = Page::Transfer;
        self.files.results.clear();
        self.files.settle = None;
        self.files.running = Some(running);
    }

    fn start_download(&mut self, which: Vec<usize>) {
        let protocol = self.protocol();
        let line = self.line_rate();
        let mut source = MemorySource::new();
        let mut files = Vec::with_capacity(which.len());
        for &i in &which {
            let d = &self.files.downloads()[i];
            files.push((d.name, d.data.len()));
            source.files.push((FileInfo::new(d.name, d.data.len() as u64), d.data.clone()));
        }
        let transfer: Box<dyn Transfer> = match protocol {
            Protocol::Zmodem => Box::new(zmodem::Sender::new(zmodem::Config::new(line), Box::new(source))),
            p => Box::new(XmodemSender::new(xmodem::Config::new(p, line), Box::new(source))),
        };
        let total: usize = files.iter().map(|f| f.1).sum();
        let what = match &files[..] {
            [(name, len)] => format!("Sending {name} ({len} octets) with {}.", protocol.name()),
            _ => format!("Sending {} files ({total} octets) with {}.", files.len(), protocol.name()),
        };
        let ask = format!("Start your {} receive now.", protocol.name());
        self.begin(&what, &ask, Running { transfer, sink: None, files });
    }

    fn start_upload(&mut self) {
        let protocol = self.protocol();
        let line = self.line_rate();
        let room = UPLOAD_LIMIT.saturating_sub(self.files.held());
        let sink = Rc::new(RefCell::new(MemorySink::new(room)));
        let transfer: Box<dyn Transfer> = match protocol {
            Protocol::Zmodem => Box::new(zmodem::Receiver::new(zmodem::Config::new(line), Box::new(sink.clone()))),
            p => {
                let config = xmodem::Config { name: XMODEM_UPLOAD.into(), ..xmodem::Config::new(p, line) };
                Box::new(XmodemReceiver::new(config, Box::new(sink.clone())))
            }
        };
        let what = match protocol {
            Protocol::Xmodem | Protocol::Xmodem1k => {
                format!("Receiving one file with {}: the BBS keeps it as {XMODEM_UPLOAD}.", protocol.name())
            }
            _ => format!("Receiving files with {} ({} KB free).", protocol.name(), room / 1024),
        };
        let ask = format!("Begin your {} upload now.", protocol.name());
        self.begin(&what, &ask, Running { transfer, sink: Some(sink), files: Vec::new() });
    }
}

/// The text of `readme.txt` (LF line ends here, CRLF in the file).
const README: &str = "\
readme.txt - the softmodem demo BBS
===================================

This file came to you over a modem. A second softmodem inside this page
answered your call, and the two modems talk through a simulated telephone
line: everything on your screen arrived the same way, bit by bit, at the
rate of the call.

The files area
--------------
Press F at the menu for the files area. Each file has a number: press it
and the BBS sends that file with the protocol shown on the page. A sends
all of them in one batch (ZMODEM and YMODEM only). P changes the protocol:
ZMODEM, YMODEM, XMODEM-1K, XMODEM. U sends a file the other way, from you
to the BBS, which keeps it in memory while the call lasts and tells you
its length and its CRC-32, so that you can check it arrived whole. Q or
ESC returns to the menu.

The protocols
-------------
XMODEM (1977) sends 128-octet blocks, each with a number and a checksum
or a CRC-16, and waits for an ACK after each one; a damaged block is sent
again. It carries no name and no length: the last block is padded with
SUB characters (1A hex), so a file received by XMODEM is as long as its
blocks. This BBS keeps an XMODEM upload as upload.bin.

XMODEM-1K is XMODEM with 1024-octet blocks: fewer turn-arounds, so it is
faster where the line has a long delay.

YMODEM sends a block 0 before each file with its name, length and date,
so one command sends several files (a batch), and the receiver cuts the
padding off.

ZMODEM (1986) streams: the sender does not wait after each block, and
the receiver speaks only when something went wrong (\"go back to this
offset\"). It checks each subpacket with a CRC-32, names and sizes each
file, and a terminal recognises the start of a transfer (the sender's
ZRQINIT, the receiver's ZRINIT) and begins its side by itself. That is
why most BBS callers chose it.

Cancelling
----------
Five Ctrl-X (CAN, 18 hex) in a row stop a transfer from either end. A
terminal's cancel button sends eight, with backspaces to erase them from
the screen of a terminal that shows them.

How long it takes
-----------------
A modem at 2400 bit/s carries about 240 characters a second: a start bit,
eight data bits and a stop bit each. demo.bin, 150 KB, takes eleven
minutes at that rate and a little more for the protocol, the wait a
caller once had for a program of that size. Error correction (V.42) and compression (V.42bis) change it: text
compresses, random octets do not.

demo.bin
--------
Octets from a seeded generator, every value from 00 to FF, with a few
that look like protocol (cancel sequences, a ZMODEM header, XON and XOFF,
+++). ZMODEM must escape the control characters among them, XMODEM and
YMODEM carry them as they are inside their blocks: either way the file
must arrive exact. Its CRC-32 is on the files page; compare it with the
one your terminal computes.

The line
--------
The page's line-quality control adds noise to the simulated line, or a
digital network's G.711 coding. On a noisy line you will see the
protocols at work: damaged blocks sent again, ZMODEM going back to the
last good offset. With error correction (the default) the modems repair
the damage themselves and the protocols never see it.
";

/// The news of `bbsnews.ans`: titles and their lines.
const NEWS: [(&str, &str); 4] = [
    (
        "The files area is open",
        "Press F at the menu: three files to download, and uploads kept in\n\
         memory while your call lasts. ZMODEM, YMODEM, XMODEM-1K and XMODEM.",
    ),
    (
        "Noise on the line?",
        "The page's line-quality control makes the line worse on purpose.\n\
         Watch the protocols send damaged blocks again.",
    ),
    ("ANSI art", "A night scene with a telephone line: press A at the menu."),
    (
        "Hanging up",
        "G at the menu, or bye in the chat, and the BBS hangs up. Or type +++,\n\
         wait for OK, and ATH.",
    ),
];
