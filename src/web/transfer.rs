//! The page's file transfers: a [`TransferSession`] runs ZMODEM, YMODEM or XMODEM in the page
//! (beside the terminal, on the bytes the modem delivers), and [`ZmodemWatch`] spots a ZMODEM
//! start in those bytes so the terminal hands the line over by itself.
//!
//! Time is the page's clock in milliseconds ([`TransferSession::receive`]'s `now_ms`); files
//! come in as byte arrays and go out as byte arrays, held in memory (at most [`RECEIVE_MAX`]).

use std::cell::RefCell;
use std::rc::Rc;

use crate::time::{Duration, Instant};
use crate::transfer::autostart::{Autostart, Start};
use crate::transfer::files::ReceivedFile;
use crate::transfer::{xmodem, zmodem, Direction, LineRate, MemorySink, MemorySource, Protocol, Transfer};
use serde::Serialize;
use wasm_bindgen::prelude::*;

/// The most octets a download may bring (all files together).
pub const RECEIVE_MAX: u64 = 256 << 20;

fn protocol(name: &str) -> Result<Protocol, JsError> {
    Ok(match name {
        "zmodem" => Protocol::Zmodem,
        "ymodem" => Protocol::Ymodem,
        "ymodem-g" => Protocol::YmodemG,
        "xmodem" => Protocol::Xmodem,
        "xmodem-1k" => Protocol::Xmodem1k,
        other => return Err(JsError::new(&format!("unknown protocol '{other}'"))),
    })
}

fn instant(now_ms: f64) -> Instant {
    Instant::ZERO + Duration::from_ms(now_ms.clamp(0.0, (u32::MAX / 8) as f64) as u32)
}

/// Files chosen for an upload, before it starts.
#[wasm_bindgen]
#[derive(Default)]
pub struct UploadFiles {
    source: MemorySource,
}

#[wasm_bindgen]
impl UploadFiles {
    /// No files yet.
    #[wasm_bindgen(constructor)]
    pub fn new() -> UploadFiles {
        UploadFiles::default()
    }

    /// Adds a file (its name without any directory, and its contents).
    pub fn add(&mut self, name: &str, data: &[u8]) {
        self.source.add(name, data.to_vec());
    }

    /// How many files.
    pub fn count(&self) -> usize {
        self.source.files.len()
    }
}

/// A transfer's progress as the page shows it (the keys of [`crate::transfer::Progress`], and
/// the protocol and direction).
#[derive(Serialize)]
struct ProgressView<'a> {
    protocol: &'static str,
    direction: &'static str,
    #[serde(flatten)]
    progress: &'a crate::transfer::Progress,
    /// How it ended (`null` while running).
    outcome: Option<String>,
    /// True if it ended with every file through.
    complete: bool,
}

/// A file transfer in the page.
#[wasm_bindgen]
pub struct TransferSession {
    transfer: Box<dyn Transfer>,
    received: Option<Rc<RefCell<MemorySink>>>,
    /// Received files already handed to the page.
    taken: usize,
}

#[wasm_bindgen]
impl TransferSession {
    /// Receive (a download) with `protocol` (`zmodem`, `ymodem`, `ymodem-g`, `xmodem`,
    /// `xmodem-1k`) on a line of `bits_per_second`; `name` is the file's name for XMODEM, which
    /// carries none.
    pub fn download(protocol_name: &str, bits_per_second: u32, name: &str) -> Result<TransferSession, JsError> {
        let p = protocol(protocol_name)?;
        let rate = LineRate::new(bits_per_second.max(75));
        let sink = Rc::new(RefCell::new(MemorySink::new(RECEIVE_MAX)));
        let transfer: Box<dyn Transfer> = match p {
            Protocol::Zmodem => Box::new(zmodem::Receiver::new(zmodem::Config::new(rate), Box::new(sink.clone()))),
            p => {
                let mut c = xmodem::Config::new(p, rate);
                if !name.is_empty() {
                    c.name = name.into();
                }
                Box::new(xmodem::XmodemReceiver::new(c, Box::new(sink.clone())))
            }
        };
        Ok(TransferSession { transfer, received: Some(sink), taken: 0 })
    }

    /// Send `files` (an upload) with `protocol` on a line of `bits_per_second`. For ZMODEM,
    /// `started` says the far end's receiver runs already (it sent ZRINIT), so the `rz` command
    /// that would start it is not sent.
    pub fn upload(
        protocol_name: &str,
        bits_per_second: u32,
        files: UploadFiles,
        started: bool,
    ) -> Result<TransferSession, JsError> {
        let p = protocol(protocol_name)?;
        if files.count() == 0 {
            return Err(JsError::new("no file to send"));
        }
        if matches!(p, Protocol::Xmodem | Protocol::Xmodem1k) && files.count() > 1 {
            return Err(JsError::new("XMODEM sends one file"));
        }
        let rate = LineRate::new(bits_per_second.max(75));
        let source = Box::new(files.source);
        let transfer: Box<dyn Transfer> = match p {
            Protocol::Zmodem => {
                let mut c = zmodem::Config::new(rate);
                c.rz_command = !started;
                Box::new(zmodem::Sender::new(c, source))
            }
            p => Box::new(xmodem::XmodemSender::new(xmodem::Config::new(p, rate), source)),
        };
        Ok(TransferSession { transfer, received: None, taken: 0 })
    }

    /// Octets from the far end (what the modem delivered), at the page's time `now_ms`.
    pub fn receive(&mut self, now_ms: f64, bytes: &[u8]) {
        self.transfer.receive(instant(now_ms), bytes);
    }

    /// Octets for the far end, at most `max`; call it regularly (the timeouts run here).
    pub fn transmit(&mut self, now_ms: f64, max: usize) -> Vec<u8> {
        let mut out = vec![0u8; max.min(65536)];
        let n = self.transfer.transmit(instant(now_ms), &mut out);
        out.truncate(n);
        out
    }

    /// The transfer's progress and outcome as an object.
    pub fn progress(&self) -> Result<JsValue, JsError> {
        let view = ProgressView {
            protocol: self.transfer.protocol().name(),
            direction: match self.transfer.direction() {
                Direction::Send => "send",
                Direction::Receive => "receive",
            },
            progress: self.transfer.progress(),
            outcome: self.transfer.outcome().map(|o| o.to_string()),
            complete: self.transfer.outcome() == Some(&crate::transfer::Outcome::Complete),
        };
        view.serialize(&serde_wasm_bindgen::Serializer::json_compatible()).map_err(|e| JsError::new(&e.to_string()))
    }

    /// True once the transfer has ended (and sent all it had to).
    pub fn ended(&self) -> bool {
        self.transfer.outcome().is_some()
    }

    /// Cancel from this end (the cancel sequence goes out through [`TransferSession::transmit`]).
    pub fn cancel(&mut self) {
        self.transfer.cancel();
    }

    /// The next received file that is complete, not yet taken: its safe name. Its contents
    /// follow from [`TransferSession::take_data`].
    pub fn next_file(&mut self) -> Option<String> {
        let sink = self.received.as_ref()?;
        let files = &sink.borrow().files;
        let f: &ReceivedFile = files.get(self.taken).filter(|f| f.complete)?;
        Some(f.info.safe_name())
    }

    /// The contents of the file [`TransferSession::next_file`] named; it counts as taken (its
    /// memory is freed).
    pub fn take_data(&mut self) -> Vec<u8> {
        let Some(sink) = self.received.as_ref() else { return Vec::new() };
        let mut s = sink.borrow_mut();
        let data = s.files.get_mut(self.taken).map(|f| std::mem::take(&mut f.data)).unwrap_or_default();
        self.taken += 1;
        data
    }
}

/// Watches the terminal's incoming bytes for a ZMODEM start (the far end's sender or receiver).
#[wasm_bindgen]
#[derive(Default)]
pub struct ZmodemWatch {
    watch: Autostart,
    upload: bool,
}

#[wasm_bindgen]
impl ZmodemWatch {
    /// A watch that has seen nothing.
    #[wasm_bindgen(constructor)]
    pub fn new() -> ZmodemWatch {
        ZmodemWatch::default()
    }

    /// Scans `bytes`: -1 if no start is in them, else the index just after the start (the page
    /// splits the bytes there: those before are the terminal's). [`ZmodemWatch::upload`] then
    /// says which start it was.
    pub fn scan(&mut self, bytes: &[u8]) -> i32 {
        match self.watch.scan(bytes) {
            None => -1,
            Some((start, at)) => {
                self.upload = start == Start::Upload;
                at as i32
            }
        }
    }

    /// True if the last start found was a receiver's (ZRINIT: the far end waits for an upload),
    /// false for a sender's (ZRQINIT: a download).
    pub fn upload(&self) -> bool {
        self.upload
    }
}
