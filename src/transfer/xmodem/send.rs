//! The sending end: waits for the receiver's start character, sends blocks (block 0, the data,
//! EOT) and sends each again until it is acknowledged.

use super::wire::{self, Check, ACK, CAN, CRC_START, EOT, LONG_BLOCK, MAX_FRAME, NAK, SHORT_BLOCK, STREAM_START};
use super::{Config, MAX_RETRIES};
use crate::time::Instant;
use crate::transfer::files::{FileError, Source};
use crate::transfer::{Direction, Outcome, Party, Progress, Protocol, Transfer, CANCEL_SEQUENCE};

/// Below this many octets left, 128-octet blocks cost less than a padded 1K block (seven short
/// blocks take 931 octets on the line, one long block 1029).
const LONG_THRESHOLD: usize = 7 * SHORT_BLOCK;

/// After a 1K block that needed this many tries, the sender goes over to 128-octet blocks ...
const SHORT_AFTER: u32 = 3;

/// ... for this many blocks.
const SHORT_FOR: u32 = 32;

/// What a frame on its way out is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Frame {
    /// YMODEM's block 0 for a file.
    Header,
    /// The empty block 0 that ends a YMODEM batch.
    End,
    /// A data block.
    Data,
    /// EOT.
    Eot,
    /// The cancel sequence.
    Cancel,
}

/// What the sender is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Waiting for the receiver's start character, then sending block 0 (`true`) or a file's
    /// first data block.
    Start(bool),
    /// A frame is going out ([`Transfer::transmit`] has not taken all of it).
    Sending(Frame),
    /// A frame has gone out; waiting for its answer.
    Reply(Frame),
    /// Ended: the outcome is known once the last frame has gone out.
    Ended,
}

/// Sends files by XMODEM, XMODEM-1K, YMODEM or YMODEM-G from a [`Source`].
///
/// XMODEM sends the source's first file only (and, with no file, gives up at once). Blocks are
/// 128 octets for XMODEM and whenever the receiver asked for the checksum; otherwise 1024,
/// except where fewer than 897 octets are left, which go in 128-octet blocks, and for a while
/// after a 1K block that had to be sent three times or more. The receiver's
/// start character decides the check (NAK: checksum; 'C': CRC-16) and YMODEM-G's streaming
/// ('G').
pub struct XmodemSender {
    config: Config,
    source: Box<dyn Source>,
    state: State,
    /// The frame going out (or gone out, kept to be sent again).
    frame: Box<[u8]>,
    frame_len: usize,
    frame_pos: usize,
    /// Read buffer for a block's data.
    data: Box<[u8]>,
    check: Check,
    /// Streaming (the receiver asked with 'G').
    streaming: bool,
    /// The file being sent.
    file: usize,
    /// Where the block going out starts in the file.
    offset: u64,
    /// The file octets the block going out carries.
    carried: usize,
    /// Its block number.
    number: u8,
    /// Blocks to send short before trying 1K blocks again.
    short_for: u32,
    started: bool,
    /// The time of the last call.
    now: Instant,
    deadline: Instant,
    retries: u32,
    cans: u8,
    progress: Progress,
    ending: Option<Outcome>,
    outcome: Option<Outcome>,
}

impl XmodemSender {
    /// A sender set up by `config`, sending the files of `source`.
    pub fn new(config: Config, source: Box<dyn Source>) -> XmodemSender {
        let files = if config.batch() { source.count() } else { source.count().min(1) };
        let mut s = XmodemSender {
            config,
            source,
            state: State::Start(false),
            frame: vec![0; MAX_FRAME].into_boxed_slice(),
            frame_len: 0,
            frame_pos: 0,
            data: vec![0; LONG_BLOCK].into_boxed_slice(),
            check: Check::Crc16,
            streaming: false,
            file: 0,
            offset: 0,
            carried: 0,
            number: 1,
            short_for: 0,
            started: false,
            now: Instant::ZERO,
            deadline: Instant::ZERO,
            retries: 0,
            cans: 0,
            progress: Progress { files: Some(files), ..Progress::default() },
            ending: None,
            outcome: None,
        };
        if s.config.batch() {
            s.state = State::Start(true);
        } else if files == 0 {
            s.fail(Outcome::File(FileError("no file to send".into())));
        } else {
            s.begin_file();
        }
        s
    }

    /// Progress for the file at `self.file`.
    fn begin_file(&mut self) {
        let info = self.source.info(self.file);
        self.progress.file = info.name;
        self.progress.file_number = self.file + 1;
        self.progress.size = info.size;
        self.progress.done = 0;
        self.progress.start = 0;
        self.offset = 0;
        self.number = 1;
        self.short_for = 0;
    }

    /// Ends with `outcome`, the cancel sequence sent first.
    fn fail(&mut self, outcome: Outcome) {
        self.frame[..CANCEL_SEQUENCE.len()].copy_from_slice(&CANCEL_SEQUENCE);
        self.frame_len = CANCEL_SEQUENCE.len();
        self.frame_pos = 0;
        self.state = State::Sending(Frame::Cancel);
        self.ending = Some(outcome);
    }

    /// Ends with `outcome`, nothing more to send.
    fn finish(&mut self, outcome: Outcome) {
        self.frame_len = 0;
        self.frame_pos = 0;
        self.state = State::Ended;
        self.ending = Some(outcome);
    }

    /// Puts `kind` on its way: the frame in `self.frame[..len]`.
    fn send(&mut self, kind: Frame, len: usize) {
        self.frame_len = len;
        self.frame_pos = 0;
        self.state = State::Sending(kind);
    }

    /// The same frame again (a NAK or a timeout); false (and the transfer ended) past the limit.
    fn resend(&mut self, kind: Frame) -> bool {
        self.retries += 1;
        if kind != Frame::Eot {
            // (The receiver's NAK of the first EOT is the protocol, not an error.)
            self.progress.retries += 1;
        }
        if self.retries > MAX_RETRIES {
            self.fail(Outcome::TimedOut);
            return false;
        }
        // The same frame: the receiver may have taken it (and our ACK been lost), so it must
        // not change, not even in length.
        self.send(kind, self.frame_len);
        true
    }

    /// Block 0 for the next file, or the empty one after the last.
    fn send_header(&mut self) {
        let mut block = [0u8; LONG_BLOCK];
        let (kind, len) = if self.file < self.source.count() {
            self.begin_file();
            let len = wire::encode_header(&self.source.info(self.file), &mut block);
            if len == LONG_BLOCK && self.check != Check::Crc16 {
                // A long name needs a 1K block, and those need the CRC.
                return self
                    .fail(Outcome::Protocol("the name needs a 1K block 0, and the receiver asked for checksums"));
            }
            (Frame::Header, len)
        } else {
            (Frame::End, SHORT_BLOCK)
        };
        self.progress.block = len;
        let n = wire::emit_block(0, &block[..len], self.check, &mut self.frame);
        self.send(kind, n);
    }

    /// The next data block, or EOT at the end of the file.
    fn send_data(&mut self) {
        let long = self.config.protocol != Protocol::Xmodem && self.check == Check::Crc16 && self.short_for == 0;
        let want = if long { LONG_BLOCK } else { SHORT_BLOCK };
        let mut got = 0;
        while got < want {
            match self.source.read_at(self.file, self.offset + got as u64, &mut self.data[got..want]) {
                Ok(0) => break,
                Ok(n) => got += n.min(want - got),
                Err(e) => return self.fail(Outcome::File(e)),
            }
        }
        if got == 0 {
            self.frame[0] = EOT;
            return self.send(Frame::Eot, 1);
        }
        let len = if long && got > LONG_THRESHOLD { LONG_BLOCK } else { SHORT_BLOCK };
        self.carried = got.min(len);
        self.data[self.carried..len].fill(wire::SUB);
        self.progress.block = len;
        let n = wire::emit_block(self.number, &self.data[..len], self.check, &mut self.frame);
        self.send(Frame::Data, n);
    }

    /// The data block going out is acknowledged (or, streaming, gone out).
    fn data_done(&mut self) {
        self.offset += self.carried as u64;
        self.progress.done = self.offset;
        self.progress.total += self.carried as u64;
        self.number = self.number.wrapping_add(1);
        self.short_for = self.short_for.saturating_sub(1);
        if self.retries >= SHORT_AFTER && self.progress.block == LONG_BLOCK {
            // A line that keeps damaging 1K blocks: the next ones go in 128 octets (the paper
            // lets a sender change the length between blocks).
            self.short_for = SHORT_FOR;
        }
        self.retries = 0;
        self.send_data();
    }

    /// The file's EOT is acknowledged.
    fn file_done(&mut self) {
        self.progress.files_done += 1;
        self.retries = 0;
        if self.config.batch() {
            self.file += 1;
            self.wait_start(true);
        } else {
            self.finish(Outcome::Complete);
        }
    }

    /// Waits for the receiver's start character before block 0 (`header`) or the data.
    fn wait_start(&mut self, header: bool) {
        self.state = State::Start(header);
        self.deadline = self.now + self.config.block_timeout();
    }

    /// Takes the receiver's start character `c` (NAK, 'C' or 'G').
    fn start(&mut self, header: bool, c: u8) {
        if header || !self.config.batch() {
            // The receiver's first word decides the check: YMODEM asks for block 0 the way it
            // will ask for the data.
            self.check = if c == NAK { Check::Checksum } else { Check::Crc16 };
        }
        self.streaming = c == STREAM_START;
        self.retries = 0;
        if header {
            self.send_header();
        } else {
            self.send_data();
        }
    }

    /// One octet from the receiver.
    fn octet(&mut self, c: u8) {
        if c == CAN {
            self.cans += 1;
            if self.cans >= 2 {
                self.finish(Outcome::Cancelled(Party::Remote));
            }
            return;
        }
        self.cans = 0;
        match self.state {
            State::Start(header) if matches!(c, NAK | CRC_START | STREAM_START) => self.start(header, c),
            State::Reply(kind) => self.reply(kind, c),
            // Anything else now is noise, or an answer to a frame not yet all out (the paper's
            // sender tosses what came while it sent).
            _ => {}
        }
    }

    /// The answer `c` to the frame `kind`.
    fn reply(&mut self, kind: Frame, c: u8) {
        match (kind, c) {
            (Frame::Header, ACK) => self.wait_start(false),
            // YMODEM-G: 'G' alone acknowledges block 0 and starts the data.
            (Frame::Header, STREAM_START) if self.streaming => self.start(false, c),
            (Frame::Header | Frame::End, NAK | CRC_START) | (Frame::Data | Frame::Eot, NAK) => {
                self.resend(kind);
            }
            // 'C' while the first block is waiting: the receiver did not see it.
            (Frame::Data, CRC_START) if self.number == 1 => {
                self.resend(kind);
            }
            (Frame::End, ACK) => self.finish(Outcome::Complete),
            (Frame::Data, ACK) => self.data_done(),
            (Frame::Eot, ACK) => self.file_done(),
            // The receiver asks for the next block 0: it took the EOT, and our ACK was lost.
            (Frame::Eot, CRC_START | STREAM_START) if self.config.batch() => {
                self.file_done();
                self.start(true, c);
            }
            _ => {}
        }
    }
}

impl Transfer for XmodemSender {
    fn protocol(&self) -> Protocol {
        self.config.protocol
    }

    fn direction(&self) -> Direction {
        Direction::Send
    }

    fn receive(&mut self, now: Instant, data: &[u8]) {
        self.now = now;
        for &c in data {
            if matches!(self.state, State::Ended) || self.ending.is_some() {
                return;
            }
            self.octet(c);
        }
    }

    fn transmit(&mut self, now: Instant, out: &mut [u8]) -> usize {
        self.now = now;
        if !self.started {
            self.started = true;
            self.deadline = now + self.config.block_timeout();
        }
        match self.state {
            State::Start(_) | State::Reply(_) if now >= self.deadline => {
                self.deadline = now + self.config.block_timeout();
                match self.state {
                    State::Reply(kind) => {
                        self.resend(kind);
                    }
                    _ => {
                        self.retries += 1;
                        if self.retries > MAX_RETRIES {
                            self.fail(Outcome::TimedOut);
                        }
                    }
                }
            }
            _ => {}
        }
        let mut n = 0;
        while n < out.len() {
            let State::Sending(kind) = self.state else { break };
            let k = (out.len() - n).min(self.frame_len - self.frame_pos);
            out[n..n + k].copy_from_slice(&self.frame[self.frame_pos..self.frame_pos + k]);
            self.frame_pos += k;
            n += k;
            if self.frame_pos < self.frame_len {
                break;
            }
            // All of it is out: wait for the answer, or (streaming data) go on.
            self.deadline = now + self.config.block_timeout();
            self.state = match kind {
                Frame::Cancel => State::Ended,
                _ => State::Reply(kind),
            };
            if kind == Frame::Data && self.streaming {
                self.data_done();
            }
        }
        if self.state == State::Ended && self.outcome.is_none() {
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
        if self.state != State::Ended && self.ending.is_none() {
            self.fail(Outcome::Cancelled(Party::Local));
        }
    }
}
