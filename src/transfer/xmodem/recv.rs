//! The receiving end: asks for blocks with its start character, checks them, acknowledges them,
//! writes their data to the [`Sink`].

use super::wire::{self, BlockReader, Check, Event, ACK, CAN, CRC_START, NAK, STREAM_START};
use super::{Config, Outbox, MAX_RETRIES};
use crate::time::Instant;
use crate::transfer::files::{Accept, FileInfo, Sink};
use crate::transfer::{Direction, Outcome, Party, Progress, Protocol, Transfer, CANCEL_SEQUENCE};

/// How many 'C's an XMODEM receiver sends before it falls back to NAK and the checksum (the
/// paper's example shows four).
const CRC_TRIES: u32 = 4;

/// What the receiver waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// YMODEM's block 0 (a file's header, or the empty one that ends the batch).
    Header,
    /// A file's data blocks and its EOT.
    Data,
    /// Nothing more: the transfer has ended (its outcome goes out with the last octets).
    Ended,
}

/// The file being received.
#[derive(Debug, Clone, Default)]
struct File {
    /// Open in the sink (XMODEM opens at the first block).
    open: bool,
    /// The length block 0 gave.
    size: Option<u64>,
    /// Octets of the file received so far (the sink's part and the part it had).
    position: u64,
    /// The sink has the file up to here already ([`Accept::From`]).
    have: u64,
    /// The sink declined the file: it is received and dropped.
    skip: bool,
    /// A data block has come.
    started: bool,
}

/// Receives files by XMODEM, XMODEM-1K, YMODEM or YMODEM-G into a [`Sink`].
///
/// XMODEM carries no name or length: the sink is offered one file called [`Config::name`], and
/// gets its data with the padding of the last block. YMODEM names each file and gives its length,
/// by which the padding is cut off. A sink's [`Accept::Skip`] has the file received and dropped
/// (neither protocol can decline a file); [`Accept::From`] has the octets the sink holds already
/// received and not written again.
pub struct XmodemReceiver {
    config: Config,
    sink: Box<dyn Sink>,
    reader: BlockReader,
    out: Outbox,
    phase: Phase,
    file: File,
    /// The block number expected next.
    expected: u8,
    /// The first EOT of this file has been answered with NAK.
    eot_nak: bool,
    /// Discarding octets until the line goes quiet, then NAK (a damaged block).
    purging: bool,
    /// The first start character has gone out.
    started: bool,
    /// When the wait for a block (or a header) runs out.
    deadline: Instant,
    /// When the last octet came.
    last_rx: Instant,
    /// Start characters sent for this file (XMODEM falls back to checksums after a few).
    asks: u32,
    /// Errors and timeouts since the last good block.
    retries: u32,
    /// CANs at the end of what has come (backspaces after them do not count): a sender that
    /// cancels in the middle of a block leaves these before the line goes quiet.
    tail_cans: u8,
    progress: Progress,
    ending: Option<Outcome>,
    outcome: Option<Outcome>,
}

impl XmodemReceiver {
    /// A receiver set up by `config`, writing into `sink`.
    pub fn new(config: Config, sink: Box<dyn Sink>) -> XmodemReceiver {
        let check = if config.crc || config.batch() { Check::Crc16 } else { Check::Checksum };
        XmodemReceiver {
            phase: if config.batch() { Phase::Header } else { Phase::Data },
            config,
            sink,
            reader: BlockReader::new(check),
            out: Outbox::new(),
            file: File::default(),
            expected: 1,
            eot_nak: false,
            purging: false,
            started: false,
            deadline: Instant::ZERO,
            last_rx: Instant::ZERO,
            asks: 0,
            retries: 0,
            tail_cans: 0,
            progress: Progress::default(),
            ending: None,
            outcome: None,
        }
    }

    /// The check in use (XMODEM may have fallen back to the checksum).
    pub fn check(&self) -> Check {
        self.reader.check()
    }

    fn streaming(&self) -> bool {
        self.config.protocol == Protocol::YmodemG
    }

    /// Sends the start character that asks for block 0 or a file's first block.
    fn ask(&mut self, now: Instant) {
        if !self.config.batch() && self.asks >= CRC_TRIES && self.reader.check() == Check::Crc16 {
            // The paper's fall-back: a sender that does not answer 'C' may know only NAK.
            self.reader.set_check(Check::Checksum);
        }
        let c = if self.streaming() {
            STREAM_START
        } else if self.reader.check() == Check::Crc16 {
            CRC_START
        } else {
            NAK
        };
        self.out.push(&[c]);
        self.asks += 1;
        let wait = if self.asks <= CRC_TRIES { self.config.start_interval() } else { self.config.block_timeout() };
        self.deadline = now + wait;
    }

    /// Answers a block or EOT and waits for the next.
    fn reply(&mut self, now: Instant, c: u8) {
        self.out.push(&[c]);
        self.deadline = now + self.config.block_timeout();
    }

    /// Ends the transfer with `outcome` (the open file closed as incomplete unless it is
    /// [`Outcome::Complete`]); `cancel` sends the cancel sequence first.
    fn end(&mut self, outcome: Outcome, cancel: bool) {
        if self.phase == Phase::Ended {
            return;
        }
        if self.file.open {
            self.file.open = false;
            let _ = self.sink.close(outcome == Outcome::Complete);
        }
        if cancel {
            self.out.clear();
            self.out.push(&CANCEL_SEQUENCE);
        }
        self.phase = Phase::Ended;
        self.ending = Some(outcome);
    }

    /// One more error or timeout; false (and the transfer ended) past the limit.
    fn retry(&mut self) -> bool {
        self.retries += 1;
        self.progress.retries += 1;
        if self.retries > MAX_RETRIES {
            self.end(Outcome::TimedOut, true);
            return false;
        }
        true
    }

    /// A damaged block: YMODEM-G gives up; the others flush the rest and NAK once it is quiet.
    fn damaged(&mut self) {
        self.progress.errors += 1;
        if self.streaming() {
            self.end(Outcome::Protocol("a damaged block (YMODEM-G cannot send it again)"), true);
        } else if self.retry() {
            self.purging = true;
            self.reader.reset();
        }
    }

    /// Opens `info` in the sink.
    fn open(&mut self, info: &FileInfo) -> bool {
        self.progress.file_number += 1;
        self.progress.file = info.name.clone();
        self.progress.size = info.size;
        self.progress.done = 0;
        self.progress.start = 0;
        self.file = File { size: info.size, ..File::default() };
        match self.sink.open(info, false) {
            Ok(Accept::From(n)) => {
                self.file.open = true;
                self.file.have = n;
                true
            }
            Ok(Accept::Skip) => {
                self.file.skip = true;
                true
            }
            Err(e) => {
                self.end(Outcome::File(e), true);
                false
            }
        }
    }

    /// Block 0 in YMODEM.
    fn header(&mut self, now: Instant) {
        match wire::decode_header(self.reader.data()) {
            Err(_) => self.end(Outcome::Protocol("block 0 is not a YMODEM header"), true),
            Ok(None) => {
                self.out.push(&[ACK]);
                self.end(Outcome::Complete, false);
            }
            Ok(Some(info)) => {
                if !self.open(&info) {
                    return;
                }
                self.phase = Phase::Data;
                self.expected = 1;
                self.eot_nak = false;
                self.asks = 0;
                self.retries = 0;
                // YMODEM-G: 'G' alone starts the data; YMODEM: ACK, then 'C'.
                if !self.streaming() {
                    self.out.push(&[ACK]);
                }
                self.ask(now);
            }
        }
    }

    /// The next block's data.
    fn take(&mut self, now: Instant, len: usize) {
        if !self.config.batch() && !self.file.open && !self.file.skip {
            let info = FileInfo { name: self.config.name.clone(), ..FileInfo::default() };
            if !self.open(&info) {
                return;
            }
        }
        let f = &mut self.file;
        let mut data = self.reader.data();
        if let Some(size) = f.size {
            data = &data[..len.min(size.saturating_sub(f.position) as usize)];
        }
        let skip = f.have.saturating_sub(f.position).min(data.len() as u64) as usize;
        if f.open && skip < data.len() {
            if let Err(e) = self.sink.write(&data[skip..]) {
                self.end(Outcome::File(e), true);
                return;
            }
        }
        let n = data.len() as u64;
        f.position += n;
        f.started = true;
        self.progress.done = f.position;
        self.progress.total += n;
        self.progress.block = len;
        self.expected = self.expected.wrapping_add(1);
        self.retries = 0;
        self.eot_nak = false;
        if self.streaming() {
            self.deadline = now + self.config.block_timeout();
        } else {
            self.reply(now, ACK);
        }
    }

    /// A file's (second) EOT: the file is closed.
    fn file_done(&mut self, now: Instant) {
        if !self.config.batch() && !self.file.open && !self.file.skip {
            // An empty XMODEM file.
            let info = FileInfo { name: self.config.name.clone(), ..FileInfo::default() };
            if !self.open(&info) {
                return;
            }
        }
        if self.file.size.is_some_and(|s| self.file.position < s) {
            self.end(Outcome::Protocol("the file ended before the length its header gave"), true);
            return;
        }
        if self.file.open {
            self.file.open = false;
            if let Err(e) = self.sink.close(true) {
                self.end(Outcome::File(e), true);
                return;
            }
        }
        self.progress.files_done += 1;
        self.out.push(&[ACK]);
        if self.config.batch() {
            self.phase = Phase::Header;
            self.file = File::default();
            self.asks = 0;
            self.retries = 0;
            self.ask(now);
        } else {
            self.end(Outcome::Complete, false);
        }
    }

    fn event(&mut self, now: Instant, event: Event) {
        match (event, self.phase) {
            (_, Phase::Ended) => {}
            (Event::Cancel, _) => self.end(Outcome::Cancelled(Party::Remote), false),
            (Event::Damaged(_), _) => self.damaged(),
            (Event::Block { number: 0, .. }, Phase::Header) => self.header(now),
            (Event::Block { .. }, Phase::Header) => {
                self.end(Outcome::Protocol("a data block where YMODEM's block 0 belongs"), true)
            }
            (Event::Eot, Phase::Header) => {
                // The sender missed our ACK of its EOT: again, and ask for block 0 again.
                self.out.push(&[ACK]);
                self.ask(now);
            }
            (Event::Block { number, len }, Phase::Data) => {
                if number == self.expected {
                    self.take(now, len);
                } else if number == self.expected.wrapping_sub(1) && !self.file.started && number == 0 {
                    // Block 0 again (YMODEM: our answer to it was lost; XMODEM: a YMODEM
                    // sender): acknowledged, and the first block asked for again.
                    if !self.streaming() {
                        self.out.push(&[ACK]);
                    }
                    self.ask(now);
                } else if number == self.expected.wrapping_sub(1) && !self.streaming() {
                    // The sender missed our ACK: the block is not taken twice.
                    self.reply(now, ACK);
                } else {
                    self.end(Outcome::Protocol("a block out of sequence"), true);
                }
            }
            (Event::Eot, Phase::Data) => {
                if self.eot_nak || self.streaming() {
                    self.file_done(now);
                } else {
                    self.eot_nak = true;
                    self.reply(now, NAK);
                }
            }
        }
    }

    /// Timers: a block cut short, the quiet after a damaged block, a wait run out.
    fn tick(&mut self, now: Instant) {
        if !self.started {
            self.started = true;
            self.ask(now);
            return;
        }
        let quiet = now.saturating_since(self.last_rx) >= self.config.quiet();
        if self.reader.in_block() || self.purging {
            if !quiet {
                return;
            }
            if self.tail_cans >= 2 {
                return self.end(Outcome::Cancelled(Party::Remote), false);
            }
            if self.reader.in_block() {
                // The rest of the block never came: damaged, and the line is already quiet.
                self.reader.reset();
                self.damaged();
                if self.phase == Phase::Ended {
                    return;
                }
            }
            self.purging = false;
            self.reply(now, NAK);
            return;
        }
        if now < self.deadline {
            return;
        }
        if !self.retry() {
            return;
        }
        match self.phase {
            Phase::Header => self.ask(now),
            Phase::Data if !self.file.started => self.ask(now),
            Phase::Data if self.streaming() => self.deadline = now + self.config.block_timeout(),
            Phase::Data => self.reply(now, NAK),
            Phase::Ended => {}
        }
    }
}

impl Transfer for XmodemReceiver {
    fn protocol(&self) -> Protocol {
        self.config.protocol
    }

    fn direction(&self) -> Direction {
        Direction::Receive
    }

    fn receive(&mut self, now: Instant, data: &[u8]) {
        for &b in data {
            if self.phase == Phase::Ended {
                return;
            }
            self.last_rx = now;
            match b {
                CAN => self.tail_cans = self.tail_cans.saturating_add(1),
                0x08 => {}
                _ => self.tail_cans = 0,
            }
            if self.purging {
                continue;
            }
            if let Some(event) = self.reader.push(b) {
                self.event(now, event);
            }
        }
    }

    fn transmit(&mut self, now: Instant, out: &mut [u8]) -> usize {
        if self.phase != Phase::Ended {
            self.tick(now);
        }
        let n = self.out.take(out);
        if self.phase == Phase::Ended && self.out.is_empty() && self.outcome.is_none() {
            self.outcome = self.ending.take();
        }
        n
    }

    fn progress(&self) -> &Progress {
        &self.progress
    }

    fn outcome(&self) -> Option<&Outcome> {
        self.outcome.as_ref()
    }

    fn cancel(&mut self) {
        self.end(Outcome::Cancelled(Party::Local), true);
    }
}
