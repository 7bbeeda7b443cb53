//! The sending end of ZMODEM.

use super::wire::{emit_header, emit_subpacket, Decoder, Escaper, Event, FrameEnd, HeaderForm};
use super::{rinit, zfile, Config, FrameType, Header};
use crate::time::Instant;
use crate::transfer::crc::Crc32;
use crate::transfer::{Direction, Outcome, Party, Progress, Protocol, Source, Transfer, CANCEL_SEQUENCE};

/// Where the sender is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// ZRQINIT sent: waiting for the receiver's ZRINIT.
    Init,
    /// ZFILE sent: waiting for ZRPOS or ZSKIP.
    FileHeader,
    /// Sending data subpackets.
    Streaming,
    /// A ZCRCW subpacket sent (the receiver's buffer is full): waiting for ZACK.
    WaitAck,
    /// ZEOF sent: waiting for ZRINIT.
    Eof,
    /// ZFIN sent: waiting for the receiver's ZFIN.
    Fin,
    /// Ending: what is queued goes out, then the outcome stands.
    Over,
}

/// A ZMODEM sender: sends the files of a [`Source`] as one batch.
pub struct Sender {
    config: Config,
    source: Box<dyn Source>,
    decoder: Decoder,
    esc: Escaper,
    out: Vec<u8>,
    out_pos: usize,
    read_buf: Vec<u8>,
    state: State,
    progress: Progress,
    outcome: Option<Outcome>,
    ending: Option<Outcome>,
    /// The far end takes CRC-32.
    crc32: bool,
    /// The far end's buffer (0: it takes a stream without limit).
    rx_buffer: u32,
    /// The file being sent, its size, the next offset to read, the last offset acknowledged.
    index: usize,
    size: u64,
    pos: u64,
    acked: u64,
    /// A ZDATA header must go before the next subpacket.
    need_data_header: bool,
    /// The subpacket length now, and subpackets since the last repositioning.
    block: usize,
    clean_run: u32,
    /// The length at which a subpacket last failed: growing back to it takes a long clean run.
    failed_at: usize,
    /// The offset reached when what is queued has gone out.
    queued_pos: u64,
    deadline: Option<Instant>,
    tries: u32,
    /// The length of the last thing sent that waits for an answer (for its timeout).
    waiting_for: usize,
    /// Octets sent of the files before this one.
    done_before: u64,
    /// The current file's octets are in `done_before` already.
    counted: bool,
    /// A ZEOF has gone out for the current file.
    eof_sent: bool,
    now: Instant,
}

impl Sender {
    /// A sender of `source`'s files; it starts with `rz\r` (if configured) and ZRQINIT.
    pub fn new(config: Config, source: Box<dyn Source>) -> Sender {
        let max = config.max_subpacket.clamp(32, super::wire::MAX_SUBPACKET);
        let mut s = Sender {
            config: Config { max_subpacket: max, ..config },
            source,
            decoder: Decoder::new(),
            esc: Escaper::new(config.escape_control),
            out: Vec::with_capacity(2 * max + 256),
            out_pos: 0,
            read_buf: vec![0; max],
            state: State::Init,
            progress: Progress::default(),
            outcome: None,
            ending: None,
            crc32: false,
            rx_buffer: 0,
            index: 0,
            size: 0,
            pos: 0,
            acked: 0,
            need_data_header: false,
            block: config.first_subpacket(),
            clean_run: 0,
            failed_at: usize::MAX,
            queued_pos: 0,
            deadline: None,
            tries: 0,
            waiting_for: 0,
            done_before: 0,
            counted: false,
            eof_sent: false,
            now: Instant::ZERO,
        };
        s.progress.files = Some(s.source.count());
        s.progress.block = s.block;
        if config.rz_command {
            s.out.extend_from_slice(b"rz\r");
        }
        s.send_rqinit();
        s
    }

    fn header(&mut self, h: Header, form: HeaderForm) {
        emit_header(&mut self.out, &h, form, &mut self.esc);
    }

    fn data_form(&self) -> HeaderForm {
        if self.crc32 {
            HeaderForm::Bin32
        } else {
            HeaderForm::Bin16
        }
    }

    /// Something went out that waits for an answer: the timer starts once it has been taken.
    fn await_answer(&mut self) {
        self.deadline = None;
        self.waiting_for = self.out.len() - self.out_pos;
    }

    fn send_rqinit(&mut self) {
        self.header(Header::with_position(FrameType::Rqinit, 0), HeaderForm::Hex);
        self.await_answer();
    }

    fn send_file_header(&mut self) {
        let info = self.source.info(self.index);
        let remaining: u64 = (self.index..self.source.count()).filter_map(|i| self.source.info(i).size).sum();
        self.size = info.size.unwrap_or(u64::MAX);
        self.progress.file = info.name.clone();
        self.progress.file_number = self.index + 1;
        self.progress.size = info.size;
        self.progress.done = 0;
        self.progress.start = 0;
        self.queued_pos = 0;
        self.counted = false;
        self.eof_sent = false;
        let f0 = if self.config.resume { zfile::ZCRESUM } else { zfile::ZCBIN };
        let form = self.data_form();
        self.header(Header::with_flags(FrameType::File, f0, 0, 0, 0), form);
        // The name (without any directory), NUL, then the length in decimal, the modification
        // time and mode in octal, a serial number, the files and octets left, NUL.
        let mut sub = Vec::with_capacity(info.name.len() + 64);
        let name = info.name.rsplit(['/', '\\']).next().unwrap_or("");
        sub.extend_from_slice(name.as_bytes());
        sub.push(0);
        let fields = format!(
            "{} {:o} {:o} 0 {} {}",
            info.size.unwrap_or(0),
            info.mtime.unwrap_or(0),
            info.mode.unwrap_or(0o100644),
            self.source.count() - self.index,
            remaining
        );
        sub.extend_from_slice(fields.as_bytes());
        sub.push(0);
        emit_subpacket(&mut self.out, &sub, FrameEnd::Crcw, self.crc32, &mut self.esc);
        self.state = State::FileHeader;
        self.await_answer();
    }

    fn next_file(&mut self) {
        self.out.truncate(self.out_pos);
        self.tries = 0;
        if self.index < self.source.count() {
            self.send_file_header();
        } else {
            self.header(Header::with_position(FrameType::Fin, 0), HeaderForm::Hex);
            self.state = State::Fin;
            self.await_answer();
        }
    }

    /// Go (back) to `p` in the file: what is queued and not yet taken is dropped.
    fn reposition(&mut self, p: u32) {
        self.out.truncate(self.out_pos);
        let p = (p as u64).min(self.size);
        self.pos = p;
        self.acked = p;
        self.queued_pos = p;
        self.progress.done = p;
        self.need_data_header = true;
        self.state = State::Streaming;
        self.deadline = None;
    }

    fn end(&mut self, outcome: Outcome) {
        self.ending = Some(outcome);
        self.state = State::Over;
        self.deadline = None;
    }

    fn cancel_with(&mut self, outcome: Outcome) {
        self.out.truncate(self.out_pos);
        self.out.extend_from_slice(&CANCEL_SEQUENCE);
        self.end(outcome);
    }

    /// Queues the next subpacket (with a ZDATA header first if needed, and ZEOF after the last).
    fn queue_subpacket(&mut self) {
        let limit = if self.rx_buffer > 0 { (self.rx_buffer as usize).min(self.block) } else { self.block };
        let n = match self.source.read_at(self.index, self.pos, &mut self.read_buf[..limit]) {
            Ok(n) => n,
            Err(e) => {
                self.header(Header::with_position(FrameType::Ferr, 0), HeaderForm::Hex);
                self.cancel_with(Outcome::File(e));
                return;
            }
        };
        if n == 0 {
            // The file ends here (an empty file, or one that shrank): ZEOF at once.
            let form = self.data_form();
            self.header(Header::with_position(FrameType::Eof, self.pos as u32), form);
            self.state = State::Eof;
            self.eof_sent = true;
            self.await_answer();
            return;
        }
        if self.need_data_header {
            let form = self.data_form();
            self.header(Header::with_position(FrameType::Data, self.pos as u32), form);
            self.need_data_header = false;
        }
        let end_pos = self.pos + n as u64;
        let last = n < limit || end_pos >= self.size;
        let full = self.rx_buffer > 0 && end_pos - self.acked + limit as u64 > self.rx_buffer as u64;
        let end = if last {
            FrameEnd::Crce
        } else if full {
            FrameEnd::Crcw
        } else {
            FrameEnd::Crcg
        };
        let crc32 = self.crc32;
        let Sender { out, read_buf, esc, .. } = self;
        emit_subpacket(out, &read_buf[..n], end, crc32, esc);
        self.pos = end_pos;
        self.queued_pos = end_pos;
        self.clean_run += 1;
        // Double after 4 clean subpackets; back up to a length that failed only after 32 (about
        // as often as the line's errors then allow it), and forget the failure after 128.
        let wanted = if self.block * 2 >= self.failed_at { 32 } else { 4 };
        if self.clean_run >= 128 {
            self.failed_at = usize::MAX;
        }
        if self.clean_run >= wanted && self.block < self.config.max_subpacket {
            self.block = (self.block * 2).min(self.config.max_subpacket);
            self.clean_run = 0;
        }
        self.progress.block = self.block;
        if last {
            let form = self.data_form();
            self.header(Header::with_position(FrameType::Eof, end_pos as u32), form);
            self.state = State::Eof;
            self.eof_sent = true;
            self.await_answer();
        } else if full {
            self.state = State::WaitAck;
            self.await_answer();
        }
    }

    fn on_header(&mut self, h: Header) {
        use FrameType::*;
        match (h.kind, self.state) {
            (_, State::Over) => {}
            (Rinit, State::Init) => {
                let f0 = h.f0();
                self.crc32 = self.config.crc32 && f0 & rinit::CANFC32 != 0;
                self.rx_buffer = u16::from_le_bytes([h.octets[0], h.octets[1]]) as u32;
                if f0 & rinit::ESCCTL != 0 {
                    self.esc.all_control = true;
                }
                self.index = 0;
                self.next_file();
            }
            // A second ZRINIT (the answer to our ZRQINIT after one sent unasked, or a
            // receiver's repeat): our own timer sends ZFILE again if it was lost.
            (Rinit, State::FileHeader) => {}
            (Rinit, State::Eof) => {
                self.progress.files_done += 1;
                self.done_before += self.pos - self.progress.start;
                self.counted = true;
                self.progress.done = self.pos;
                self.index += 1;
                self.next_file();
            }
            (Rinit, State::Fin) => self.retry(),
            // The receiver has the whole file (it took a ZEOF whose answer we missed, and we went
            // back on a damaged header).
            (Rinit, State::Streaming | State::WaitAck) if self.eof_sent => {
                self.state = State::Eof;
                self.on_header(h);
            }
            (Rpos, State::FileHeader) => {
                self.reposition(h.position());
                self.progress.start = self.pos;
            }
            (Rpos, State::Streaming | State::WaitAck | State::Eof) => {
                self.progress.retries += 1;
                self.failed_at = self.block;
                self.block = (self.block / 2).max(32);
                self.clean_run = 0;
                self.progress.block = self.block;
                self.reposition(h.position());
            }
            (Ack, State::WaitAck) => {
                self.acked = (h.position() as u64).min(self.pos);
                self.state = State::Streaming;
                self.deadline = None;
            }
            (Ack, State::Streaming) => self.acked = self.acked.max((h.position() as u64).min(self.pos)),
            (Skip, State::FileHeader | State::Streaming | State::WaitAck | State::Eof) => {
                self.index += 1;
                self.next_file();
            }
            (Nak, _) => {
                self.progress.errors += 1;
                self.retry();
            }
            (Fin, State::Fin) => {
                self.out.truncate(self.out_pos);
                self.out.extend_from_slice(b"OO");
                self.end(Outcome::Complete);
            }
            (Crc, State::FileHeader) => {
                let crc = self.file_crc(h.position());
                self.header(Header::with_position(Crc, crc), HeaderForm::Hex);
            }
            (Challenge, _) => self.header(Header::with_position(Ack, h.position()), HeaderForm::Hex),
            (Abort | Ferr | Can, _) => self.end(Outcome::Cancelled(Party::Remote)),
            _ => {}
        }
    }

    /// The CRC-32 of the file's first `len` octets (all of it for 0), for a receiver checking a
    /// partial file before it resumes.
    fn file_crc(&mut self, len: u32) -> u32 {
        let end = if len == 0 { self.size } else { len as u64 };
        let mut crc = Crc32::new();
        let mut at = 0u64;
        while at < end {
            let want = ((end - at) as usize).min(self.read_buf.len());
            match self.source.read_at(self.index, at, &mut self.read_buf[..want]) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    crc.update(&self.read_buf[..n]);
                    at += n as u64;
                }
            }
        }
        crc.value()
    }

    /// Sends again what the current state waits on.
    fn retry(&mut self) {
        self.tries += 1;
        if self.tries > self.config.retries {
            self.cancel_with(Outcome::TimedOut);
            return;
        }
        self.out.truncate(self.out_pos);
        match self.state {
            State::Init => self.send_rqinit(),
            State::FileHeader => self.send_file_header(),
            State::WaitAck => {
                let p = self.acked as u32;
                self.reposition(p);
            }
            State::Eof => {
                let form = self.data_form();
                self.header(Header::with_position(FrameType::Eof, self.pos as u32), form);
                self.await_answer();
            }
            State::Fin => {
                if self.tries > 2 {
                    // Every file went through: the missing ZFIN does not make it a failure.
                    self.end(Outcome::Complete);
                } else {
                    self.header(Header::with_position(FrameType::Fin, 0), HeaderForm::Hex);
                    self.await_answer();
                }
            }
            State::Streaming | State::Over => {}
        }
    }

    fn check_timer(&mut self, now: Instant) {
        self.now = now;
        let drained = self.out_pos >= self.out.len();
        let waits = matches!(self.state, State::Init | State::FileHeader | State::WaitAck | State::Eof | State::Fin);
        if !waits || !drained {
            return;
        }
        match self.deadline {
            None => {
                let t = self.config.timeout(self.waiting_for.max(self.block));
                // After ZEOF a receiver that misses data waits for its own timeout and asks with
                // ZRPOS; a ZEOF sent again meanwhile would only restart its wait.
                let t = if self.state == State::Eof { t + t + t } else { t };
                self.deadline = Some(now + t);
            }
            Some(d) if now >= d => {
                self.deadline = None;
                self.retry();
            }
            Some(_) => {}
        }
    }
}

impl Transfer for Sender {
    fn protocol(&self) -> Protocol {
        Protocol::Zmodem
    }

    fn direction(&self) -> Direction {
        Direction::Send
    }

    fn receive(&mut self, now: Instant, data: &[u8]) {
        self.now = now;
        for &b in data {
            if self.outcome.is_some() || self.state == State::Over {
                return;
            }
            match self.decoder.push(b) {
                Some(Event::Header(h, _)) => {
                    if self.state != State::Fin && self.state != State::Init {
                        self.tries = 0;
                    }
                    self.on_header(h);
                }
                Some(Event::Cancel) => self.end(Outcome::Cancelled(Party::Remote)),
                Some(Event::BadHeader) => {
                    self.progress.errors += 1;
                    // While data flows the receiver speaks only to ask for something (ZRPOS,
                    // mostly): go back to what it has confirmed, and it says where it is.
                    if matches!(self.state, State::Streaming | State::WaitAck) {
                        self.progress.retries += 1;
                        let p = self.acked as u32;
                        self.reposition(p);
                    }
                }
                Some(Event::Data(_)) | Some(Event::BadData) | None => {}
            }
        }
    }

    fn transmit(&mut self, now: Instant, buf: &mut [u8]) -> usize {
        self.check_timer(now);
        let mut n = 0;
        while n < buf.len() {
            if self.out_pos >= self.out.len() {
                self.out.clear();
                self.out_pos = 0;
                self.progress.done = self.queued_pos;
                if self.state == State::Streaming {
                    self.queue_subpacket();
                    continue;
                }
                break;
            }
            let k = (buf.len() - n).min(self.out.len() - self.out_pos);
            buf[n..n + k].copy_from_slice(&self.out[self.out_pos..self.out_pos + k]);
            self.out_pos += k;
            n += k;
        }
        if self.out_pos >= self.out.len() {
            self.progress.done = self.queued_pos;
            if self.state == State::Over && self.outcome.is_none() {
                self.outcome = self.ending.take();
            }
        }
        let current = if self.counted { 0 } else { self.progress.done.saturating_sub(self.progress.start) };
        self.progress.total = self.done_before + current;
        n
    }

    fn progress(&self) -> &Progress {
        &self.progress
    }

    fn outcome(&self) -> Option<&Outcome> {
        self.outcome.as_ref()
    }

    fn cancel(&mut self) {
        if self.state != State::Over {
            self.cancel_with(Outcome::Cancelled(Party::Local));
        }
    }
}
