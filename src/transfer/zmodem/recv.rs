//! The receiving end of ZMODEM.

use super::wire::{emit_header, Decoder, Escaper, Event, FrameEnd, HeaderForm};
use super::{rinit, sinit, zfile, Config, FrameType, Header};
use crate::time::Instant;
use crate::transfer::{
    Accept, Direction, FileInfo, Outcome, Party, Progress, Protocol, Sink, Transfer, CANCEL_SEQUENCE,
};

/// Where the receiver is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// ZRINIT sent: waiting for ZFILE (or ZSINIT, ZFIN).
    Init,
    /// ZSINIT's subpacket (the Attn sequence) is coming.
    SinitData,
    /// ZFILE's subpacket (name and attributes) is coming.
    FileInfo,
    /// A file is open: data from `pos` on.
    Data,
    /// A ZCOMMAND's subpacket is coming (to be refused).
    CommandData,
    /// ZFIN answered: waiting briefly for the sender's "OO".
    Fin,
    /// Ending: what is queued goes out, then the outcome stands.
    Over,
}

/// A ZMODEM receiver: takes a batch of files into a [`Sink`].
pub struct Receiver {
    config: Config,
    sink: Box<dyn Sink>,
    decoder: Decoder,
    esc: Escaper,
    out: Vec<u8>,
    out_pos: usize,
    state: State,
    progress: Progress,
    outcome: Option<Outcome>,
    ending: Option<Outcome>,
    /// A file is open in the sink.
    file_open: bool,
    /// The next offset of the open file.
    pos: u64,
    /// After a ZRPOS: data is ignored until a ZDATA header for `pos`.
    resyncing: bool,
    /// The longest subpacket seen (for the data timeout).
    longest: usize,
    /// The last header sent, for a ZNAK.
    last_sent: Option<Header>,
    deadline: Option<Instant>,
    tries: u32,
    /// `O`s seen after ZFIN.
    overs: u8,
    /// Octets received of the files before this one.
    done_before: u64,
    /// ZF0 of the last ZFILE (ZCRESUM asks for crash recovery).
    last_file_flags: u8,
    /// When the last good header or subpacket came: octets that never make one (noise) end the
    /// transfer after as long as all the retries would take.
    last_progress: Option<Instant>,
    now: Instant,
}

impl Receiver {
    /// A receiver into `sink`; it starts by sending ZRINIT.
    pub fn new(config: Config, sink: Box<dyn Sink>) -> Receiver {
        let mut r = Receiver {
            config,
            sink,
            decoder: Decoder::new(),
            esc: Escaper::new(false),
            out: Vec::with_capacity(256),
            out_pos: 0,
            state: State::Init,
            progress: Progress::default(),
            outcome: None,
            ending: None,
            file_open: false,
            pos: 0,
            resyncing: false,
            longest: 1024,
            last_sent: None,
            deadline: None,
            tries: 0,
            overs: 0,
            done_before: 0,
            last_file_flags: 0,
            last_progress: None,
            now: Instant::ZERO,
        };
        r.send_rinit();
        r
    }

    fn send(&mut self, h: Header) {
        emit_header(&mut self.out, &h, HeaderForm::Hex, &mut self.esc);
        self.last_sent = Some(h);
        self.deadline = None;
    }

    fn send_rinit(&mut self) {
        let mut f0 = rinit::CANFDX | rinit::CANOVIO | rinit::CANFC32;
        if self.config.escape_control {
            f0 |= rinit::ESCCTL;
        }
        // ZP0/ZP1 = 0: no buffer limit, the sender may stream.
        self.send(Header::with_flags(FrameType::Rinit, f0, 0, 0, 0));
    }

    /// Asks the sender to go (back) to `pos`, and ignores data until it does.
    fn send_rpos(&mut self) {
        self.decoder.resync();
        self.resyncing = true;
        self.send(Header::with_position(FrameType::Rpos, self.pos as u32));
    }

    fn end(&mut self, outcome: Outcome) {
        if self.file_open {
            self.file_open = false;
            let _ = self.sink.close(false);
        }
        self.ending = Some(outcome);
        self.state = State::Over;
        self.deadline = None;
    }

    fn cancel_with(&mut self, outcome: Outcome) {
        self.out.truncate(self.out_pos);
        self.out.extend_from_slice(&CANCEL_SEQUENCE);
        self.end(outcome);
    }

    fn on_header(&mut self, h: Header) {
        use FrameType::*;
        match (h.kind, self.state) {
            (_, State::Over) => {}
            (Rqinit, State::Init | State::FileInfo) => self.send_rinit(),
            (Sinit, _) => {
                if h.f0() & sinit::TESCCTL != 0 {
                    self.esc.all_control = true;
                }
                self.state = State::SinitData;
            }
            (File, State::Init | State::FileInfo) => self.state = State::FileInfo,
            (File, State::Data) => {
                // The sender never saw our ZRPOS and sends ZFILE again: say it once more.
                self.decoder.resync();
                self.send_rpos();
            }
            (Data, State::Data) => {
                if h.position() as u64 == self.pos {
                    self.resyncing = false;
                } else {
                    self.progress.errors += 1;
                    self.send_rpos();
                }
            }
            (Data, _) => self.decoder.resync(),
            (Eof, State::Data) => {
                let at = h.position() as u64;
                if at == self.pos {
                    self.file_open = false;
                    if let Err(e) = self.sink.close(true) {
                        self.cancel_with(Outcome::File(e));
                        return;
                    }
                    self.progress.files_done += 1;
                    self.done_before += self.pos - self.progress.start;
                    self.state = State::Init;
                    self.send_rinit();
                } else if at > self.pos && !self.resyncing {
                    // Data went missing without a trace: ask for it.
                    self.send_rpos();
                }
            }
            (Eof, State::Init) => self.send_rinit(),
            (Fin, State::Init | State::FileInfo | State::Data | State::Fin) => {
                if self.file_open {
                    self.file_open = false;
                    let _ = self.sink.close(false);
                }
                self.send(Header::with_position(Fin, 0));
                self.state = State::Fin;
            }
            (Command, _) => self.state = State::CommandData,
            (FreeCnt, _) => self.send(Header::with_position(Ack, 0)),
            (Nak, _) => {
                if let Some(h) = self.last_sent {
                    self.send(h);
                }
            }
            (Abort | Ferr | Can, _) => self.end(Outcome::Cancelled(Party::Remote)),
            _ => {}
        }
    }

    fn on_data(&mut self, end: FrameEnd) {
        match self.state {
            State::SinitData => {
                // The Attn sequence is not used: this receiver never needs to interrupt a sender
                // that a ZRPOS does not stop.
                self.state = State::Init;
                self.send(Header::with_position(FrameType::Ack, 1));
            }
            State::CommandData => {
                // Commands from the far end are never run.
                self.state = State::Init;
                self.send(Header::with_position(FrameType::Compl, 1));
            }
            State::FileInfo => self.open_file(),
            State::Data if !self.resyncing => {
                let n = self.decoder.data().len();
                if let Err(e) = self.sink.write(self.decoder.data()) {
                    self.cancel_with(Outcome::File(e));
                    return;
                }
                self.pos += n as u64;
                self.longest = self.longest.max(n);
                self.progress.block = n;
                self.progress.done = self.pos;
                self.progress.total = self.done_before + self.pos - self.progress.start;
                self.tries = 0;
                if end.wants_ack() {
                    self.send(Header::with_position(FrameType::Ack, self.pos as u32));
                }
            }
            _ => {}
        }
    }

    fn open_file(&mut self) {
        let (info, files_left) = parse_file_info(self.decoder.data());
        let resume = self.config.resume || self.last_file_flags == zfile::ZCRESUM;
        self.progress.file = info.safe_name();
        self.progress.file_number += 1;
        if let Some(left) = files_left {
            self.progress.files = Some(self.progress.file_number - 1 + left as usize);
        }
        self.progress.size = info.size;
        match self.sink.open(&info, resume) {
            Ok(Accept::From(at)) => {
                self.file_open = true;
                self.pos = at;
                self.progress.start = at;
                self.progress.done = at;
                self.state = State::Data;
                self.send_rpos();
            }
            Ok(Accept::Skip) => {
                self.state = State::Init;
                self.send(Header::with_position(FrameType::Skip, 0));
            }
            Err(e) => self.cancel_with(Outcome::File(e)),
        }
    }

    fn check_timer(&mut self, now: Instant) {
        self.now = now;
        if self.out_pos < self.out.len() || self.state == State::Over {
            return;
        }
        let wait = match self.state {
            State::Fin => crate::time::Duration::from_secs(1),
            State::Data => self.config.timeout(self.longest),
            _ => self.config.timeout(256),
        };
        let since = *self.last_progress.get_or_insert(now);
        let patience = self.config.timeout(self.longest.max(1024)) * (self.config.retries + 1);
        if now - since > patience {
            self.progress.retries += 1;
            self.cancel_with(Outcome::TimedOut);
            return;
        }
        match self.deadline {
            None => self.deadline = Some(now + wait),
            Some(d) if now >= d => {
                self.deadline = None;
                if self.state == State::Fin {
                    self.end(Outcome::Complete);
                    return;
                }
                self.tries += 1;
                self.progress.retries += 1;
                if self.tries > self.config.retries {
                    self.cancel_with(Outcome::TimedOut);
                } else if self.state == State::Data {
                    self.send_rpos();
                } else {
                    self.state = State::Init;
                    self.send_rinit();
                }
            }
            Some(_) => {}
        }
    }
}

/// ZFILE's subpacket: the name, NUL, then optional fields separated by spaces (length in decimal,
/// modification time and mode in octal, serial number in octal, files left and octets left in
/// decimal). Fields that do not parse are left out; the files left is the second value.
pub fn parse_file_info(sub: &[u8]) -> (FileInfo, Option<u64>) {
    let nul = sub.iter().position(|&b| b == 0).unwrap_or(sub.len());
    let name = String::from_utf8_lossy(&sub[..nul]).into_owned();
    let rest = sub.get(nul + 1..).unwrap_or(&[]);
    let rest = &rest[..rest.iter().position(|&b| b == 0).unwrap_or(rest.len())];
    let text = String::from_utf8_lossy(rest);
    let mut fields = text.split_ascii_whitespace();
    let dec = |s: Option<&str>| s.and_then(|s| s.parse::<u64>().ok());
    let oct = |s: Option<&str>| s.and_then(|s| u64::from_str_radix(s, 8).ok());
    let size = dec(fields.next());
    let mtime = oct(fields.next()).filter(|&t| t > 0);
    let mode = oct(fields.next()).and_then(|m| u32::try_from(m).ok()).filter(|&m| m > 0);
    let _serial = fields.next();
    let files_left = dec(fields.next());
    (FileInfo { name, size, mtime, mode }, files_left)
}

impl Transfer for Receiver {
    fn protocol(&self) -> Protocol {
        Protocol::Zmodem
    }

    fn direction(&self) -> Direction {
        Direction::Receive
    }

    fn receive(&mut self, now: Instant, data: &[u8]) {
        self.now = now;
        if !data.is_empty() {
            // The wait is for silence: a long subpacket still coming is no reason to ask again.
            self.deadline = None;
        }
        for &b in data {
            if self.state == State::Over {
                return;
            }
            if self.state == State::Fin && b == b'O' {
                self.overs += 1;
                if self.overs >= 2 {
                    self.end(Outcome::Complete);
                }
                continue;
            }
            match self.decoder.push(b) {
                Some(Event::Header(h, _)) => {
                    self.last_progress = Some(now);
                    if h.kind == FrameType::File {
                        self.last_file_flags = h.f0();
                    }
                    self.on_header(h);
                }
                Some(Event::Data(end)) => {
                    self.last_progress = Some(now);
                    self.on_data(end);
                }
                Some(Event::BadHeader) => {
                    self.progress.errors += 1;
                    match self.state {
                        State::Data if !self.resyncing => self.send_rpos(),
                        // Most likely a ZFILE: ZNAK makes the sender send it again at once.
                        State::Init => self.send(Header::with_position(FrameType::Nak, 0)),
                        _ => {}
                    }
                }
                Some(Event::BadData) => {
                    self.progress.errors += 1;
                    match self.state {
                        State::Data if !self.resyncing => self.send_rpos(),
                        State::FileInfo | State::SinitData | State::CommandData => {
                            // Ask for the frame again.
                            self.state = State::Init;
                            self.send_rinit();
                        }
                        _ => {}
                    }
                }
                Some(Event::Cancel) => self.end(Outcome::Cancelled(Party::Remote)),
                None => {}
            }
        }
    }

    fn transmit(&mut self, now: Instant, buf: &mut [u8]) -> usize {
        self.check_timer(now);
        let n = (self.out.len() - self.out_pos).min(buf.len());
        buf[..n].copy_from_slice(&self.out[self.out_pos..self.out_pos + n]);
        self.out_pos += n;
        if self.out_pos >= self.out.len() {
            self.out.clear();
            self.out_pos = 0;
            if self.state == State::Over && self.outcome.is_none() {
                self.outcome = self.ending.take();
            }
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
        if self.state != State::Over {
            self.cancel_with(Outcome::Cancelled(Party::Local));
        }
    }
}
