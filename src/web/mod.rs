//! WebAssembly bindings: the modem as the page's AudioWorklet sees it.
//!
//! Only this module knows about the browser. A [`DceSession`] is the whole Hayes modem
//! ([`Dce`]) behind the host-rate adapter: what the person types goes in and what the terminal
//! shows comes out, the phone's serial-port bytes go in and out (the page owns the port), audio
//! blocks at the AudioContext's rate go through, and the page's buttons, status panel and log
//! reach the DCE. [`DceSession::demo`] is the same with the phone and the far end simulated inside
//! ([`PhoneDemo`]).
//!
//! # Buffers the session owns
//!
//! Audio and bytes cross in memory the session owns, which the worklet sees through typed-array
//! views ([`DceSession::audio_in`], [`DceSession::audio_out`], [`DceSession::bytes`]): a render
//! quantum is the worklet writing the microphone's samples into `audio_in`, one call of
//! [`DceSession::process`] with the frame count, and the worklet reading `audio_out`. Nothing is
//! copied through the generated glue and nothing is allocated. A view is invalidated (its length
//! becomes 0) when the WebAssembly memory grows, which any call can cause: the worklet checks the
//! length before each use and fetches the view again when it is 0.
//!
//! # Diagnostics
//!
//! Every session runs the DCE's line monitor ([`Dce::enable_monitor`], about 1.9 MB allocated
//! when the session starts): the status snapshot carries the received spectrum and the
//! receiver's SNR history, and [`DceSession::line_audio_wav`] hands over the last minute of the
//! line, both ways, as a WAV file for a bug report.

pub mod dialup;
pub mod terminal;
pub mod transfer;

use std::collections::VecDeque;

use crate::dce::Dce;
use crate::host::HostAdapter;
use crate::panel;
use crate::sim::demo::PhoneDemo;
use js_sys::{Float32Array, Uint8Array};
use serde::Serialize;
use wasm_bindgen::prelude::*;

/// Lowest transmit level the page may set, dBm0 ([`crate::modem::LEVEL_RANGE_DBM0`]).
pub const LEVEL_MIN_DBM0: f32 = *crate::modem::LEVEL_RANGE_DBM0.start();
/// Highest transmit level the page may set, dBm0.
pub const LEVEL_MAX_DBM0: f32 = *crate::modem::LEVEL_RANGE_DBM0.end();
/// Frames the audio buffers hold: the worklet hands longer blocks over in parts (a render
/// quantum is 128 frames).
pub const AUDIO_MAX: usize = 1024;
/// Size of the byte buffer, both ways.
pub const BYTES_MAX: usize = 1024;
/// Typed bytes held while the line is busy (online, transmit queue full); more are dropped.
pub const TYPED_MAX: usize = 65536;
/// Status lines held for the page (as many as the DCE holds).
const LOG_MAX: usize = crate::dce::LOG_MAX;

/// The lowest transmit level [`DceSession::line`] and [`DceSession::set_level`] accept, dBm0.
#[wasm_bindgen]
pub fn transmit_level_min() -> f32 {
    LEVEL_MIN_DBM0
}

/// The highest transmit level [`DceSession::line`] and [`DceSession::set_level`] accept, dBm0.
#[wasm_bindgen]
pub fn transmit_level_max() -> f32 {
    LEVEL_MAX_DBM0
}

enum Inner {
    Dce(Box<HostAdapter<Dce>>),
    Demo(Box<HostAdapter<PhoneDemo>>),
}

fn dce_of(inner: &mut Inner) -> &mut Dce {
    match inner {
        Inner::Dce(h) => h.inner_mut(),
        Inner::Demo(h) => h.inner_mut().dce_mut(),
    }
}

/// The page's Hayes modem: a [`Dce`] on the computer's audio (with its phone on a serial port,
/// or dialled by hand), or the demonstration.
#[wasm_bindgen]
pub struct DceSession {
    inner: Inner,
    /// Microphone samples for the next [`DceSession::process`].
    audio_in: Box<[f32]>,
    /// What the last [`DceSession::process`] said.
    audio_out: Box<[f32]>,
    /// Bytes in ([`DceSession::typed`], [`DceSession::from_phone`]) and out
    /// ([`DceSession::to_terminal`], [`DceSession::to_phone`]).
    bytes: Box<[u8]>,
    /// Typed bytes the DCE has not taken yet.
    typed: VecDeque<u8>,
    /// Status lines taken from the DCE, for the page.
    log: VecDeque<String>,
}

fn check_rate(rate: f32) -> Result<(), JsError> {
    if !(3000.0..=768_000.0).contains(&rate) {
        return Err(JsError::new(&format!("sample rate {rate} Hz is not supported")));
    }
    Ok(())
}

fn check_level(level_dbm0: f32) -> Result<(), JsError> {
    if !(LEVEL_MIN_DBM0..=LEVEL_MAX_DBM0).contains(&level_dbm0) {
        return Err(JsError::new(&format!(
            "level {level_dbm0} dBm0 is out of range ({LEVEL_MIN_DBM0} to {LEVEL_MAX_DBM0})"
        )));
    }
    Ok(())
}

fn link(name: &str) -> Result<crate::dce::PhoneLink, JsError> {
    panel::parse_link(name)
        .ok_or_else(|| JsError::new(&format!("unknown phone link '{name}' (serial, manual or audio)")))
}

impl DceSession {
    fn new(mut inner: Inner) -> DceSession {
        dce_of(&mut inner).enable_monitor();
        DceSession {
            inner,
            audio_in: vec![0.0; AUDIO_MAX].into_boxed_slice(),
            audio_out: vec![0.0; AUDIO_MAX].into_boxed_slice(),
            bytes: vec![0; BYTES_MAX].into_boxed_slice(),
            typed: VecDeque::with_capacity(TYPED_MAX),
            log: VecDeque::with_capacity(LOG_MAX),
        }
    }

    fn dce(&mut self) -> &mut Dce {
        dce_of(&mut self.inner)
    }

    fn dce_ref(&self) -> &Dce {
        match &self.inner {
            Inner::Dce(h) => h.inner(),
            Inner::Demo(h) => h.inner().dce(),
        }
    }

    /// Offers the typed bytes waiting to the DCE, until it takes no more.
    fn offer_typed(&mut self) {
        while !self.typed.is_empty() {
            let n = dce_of(&mut self.inner).from_terminal(self.typed.as_slices().0);
            if n == 0 {
                break;
            }
            self.typed.drain(..n);
        }
    }

    /// Moves the DCE's status lines to the page's queue (the oldest go first when it is full).
    fn collect_log(&mut self) {
        while let Some(line) = dce_of(&mut self.inner).poll_log() {
            if self.log.len() == LOG_MAX {
                self.log.pop_front();
            }
            self.log.push_back(line);
        }
    }
}

#[wasm_bindgen]
impl DceSession {
    /// A Hayes modem on the audio line, on-hook with factory settings: `link_name` is `serial`
    /// (the page connects the phone's AT port), `manual` (the person dials on the handset) or
    /// `audio` (the modem dials with DTMF); `host_rate` is the AudioContext's rate; `level_dbm0`
    /// the transmit level ([`transmit_level_min`] to [`transmit_level_max`]).
    pub fn line(link_name: &str, host_rate: f32, level_dbm0: f32) -> Result<DceSession, JsError> {
        check_rate(host_rate)?;
        check_level(level_dbm0)?;
        let config = crate::dce::Config { link: link(link_name)?, level_dbm0, ..crate::dce::Config::default() };
        Ok(DceSession::new(Inner::Dce(Box::new(HostAdapter::new(Dce::new(config), host_rate)))))
    }

    /// The demonstration: the Hayes modem with a simulated phone on its serial link and a BBS
    /// answering behind a simulated line; the microphone is not used. `seed` seeds the line noise.
    pub fn demo(host_rate: f32, seed: u32) -> Result<DceSession, JsError> {
        check_rate(host_rate)?;
        Ok(DceSession::new(Inner::Demo(Box::new(HostAdapter::new(PhoneDemo::new(seed as u64), host_rate)))))
    }

    /// True for the demonstration.
    pub fn is_demo(&self) -> bool {
        matches!(self.inner, Inner::Demo(_))
    }

    /// Frames the audio buffers hold ([`AUDIO_MAX`]): the longest block [`DceSession::process`]
    /// takes. (A view's length is not a safe way to learn it: a view made just before the memory
    /// grows has length 0.)
    pub fn audio_max(&self) -> usize {
        AUDIO_MAX
    }

    /// A view of the audio input buffer ([`AUDIO_MAX`] samples): the microphone's samples for the
    /// next [`DceSession::process`] go here. Invalidated (length 0) when the memory grows.
    pub fn audio_in(&mut self) -> Float32Array {
        // SAFETY: the buffer lives as long as the session and never moves; the page writes it
        // only between calls. A view outliving the session (after `free`) must not be used.
        unsafe { Float32Array::view_mut_raw(self.audio_in.as_mut_ptr(), self.audio_in.len()) }
    }

    /// A view of the audio output buffer ([`AUDIO_MAX`] samples): what [`DceSession::process`]
    /// said. Invalidated (length 0) when the memory grows.
    pub fn audio_out(&mut self) -> Float32Array {
        // SAFETY: as for `audio_in`.
        unsafe { Float32Array::view_mut_raw(self.audio_out.as_mut_ptr(), self.audio_out.len()) }
    }

    /// A view of the byte buffer ([`BYTES_MAX`] bytes), both ways: bytes for
    /// [`DceSession::typed`] and [`DceSession::from_phone`] are written here, and
    /// [`DceSession::to_terminal`] and [`DceSession::to_phone`] leave theirs here. Invalidated
    /// (length 0) when the memory grows.
    pub fn bytes(&mut self) -> Uint8Array {
        // SAFETY: as for `audio_in`.
        unsafe { Uint8Array::view_mut_raw(self.bytes.as_mut_ptr(), self.bytes.len()) }
    }

    /// One block of audio: hears the first `frames` samples of the input buffer (the
    /// microphone) and fills as many of the output buffer (at most [`AUDIO_MAX`]). This is the
    /// DCE's clock: timers and the phone's polls run on it, and typed bytes waiting are offered
    /// again.
    pub fn process(&mut self, frames: usize) {
        let n = frames.min(AUDIO_MAX);
        let (input, output) = (&self.audio_in[..n], &mut self.audio_out[..n]);
        match &mut self.inner {
            Inner::Dce(h) => h.process(input, output),
            Inner::Demo(h) => h.process(input, output),
        }
        self.offer_typed();
    }

    /// The first `n` bytes of the byte buffer were typed at the terminal. What the DCE does not
    /// take now (online, while its transmit queue is full) waits, up to [`TYPED_MAX`] bytes, and
    /// is offered again with each block; returns how many bytes were dropped because too many
    /// were waiting.
    pub fn typed(&mut self, n: usize) -> usize {
        let n = n.min(BYTES_MAX);
        let taken = if self.typed.is_empty() { dce_of(&mut self.inner).from_terminal(&self.bytes[..n]) } else { 0 };
        let rest = &self.bytes[taken..n];
        let keep = rest.len().min(TYPED_MAX - self.typed.len());
        self.typed.extend(&rest[..keep]);
        rest.len() - keep
    }

    /// Typed bytes waiting for the DCE to take them.
    pub fn typed_waiting(&self) -> usize {
        self.typed.len()
    }

    /// Moves bytes for the terminal (echo, result codes, received data) into the byte buffer;
    /// returns how many.
    pub fn to_terminal(&mut self) -> usize {
        dce_of(&mut self.inner).to_terminal(&mut self.bytes)
    }

    /// The first `n` bytes of the byte buffer were read from the phone's serial port (ignored
    /// unless the link is `serial`; the demonstration's phone is inside).
    pub fn from_phone(&mut self, n: usize) {
        let n = n.min(BYTES_MAX);
        if let Inner::Dce(h) = &mut self.inner {
            h.inner_mut().from_phone(&self.bytes[..n]);
        }
    }

    /// Moves bytes to write to the phone's serial port into the byte buffer; returns how many (0
    /// unless the link is `serial`; always 0 in the demonstration).
    pub fn to_phone(&mut self) -> usize {
        match &mut self.inner {
            Inner::Dce(h) => h.inner_mut().to_phone(&mut self.bytes),
            Inner::Demo(_) => 0,
        }
    }

    /// The Dial button: as `ATD<number>` typed, or `ATD` when `number` is empty (the calling
    /// modem starts on a call dialled by hand). Fails, with the reason as the error's message, when
    /// the modem is not in command state or the number holds characters a dial string cannot.
    pub fn dial(&mut self, number: &str) -> Result<(), JsError> {
        let number = number.trim();
        let done = if number.is_empty() { self.dce().dial_manual() } else { self.dce().dial(number) };
        done.map_err(|e| JsError::new(&e.to_string()))
    }

    /// The Answer button: as `ATA` typed. Fails, with the reason, when the modem is not in command
    /// state.
    pub fn answer(&mut self) -> Result<(), JsError> {
        self.dce().answer().map_err(|e| JsError::new(&e.to_string()))
    }

    /// The Hang up button, in any state: modem and phone call stop, command state
    /// (`NO CARRIER` if a call was in progress); typed bytes still waiting are dropped.
    pub fn hang_up(&mut self) {
        self.typed.clear();
        self.dce().hang_up();
    }

    /// The demonstration's line, both ways, from now on: white noise for `snr_db` dB SNR (NaN:
    /// none) and a `codec`: `""` none, `"mu-law"` G.711, `"g729"` G.729. Ignored outside the
    /// demonstration; an unknown codec is refused.
    pub fn set_line_quality(&mut self, snr_db: f32, codec: &str) -> Result<(), JsError> {
        let (mu_law, g729) = match codec {
            "" => (false, false),
            "mu-law" => (true, false),
            "g729" => (false, true),
            other => return Err(JsError::new(&format!("no codec {other:?} (none, mu-law or g729)"))),
        };
        if let Inner::Demo(h) = &mut self.inner {
            let snr_db = (!snr_db.is_nan()).then_some(snr_db);
            h.inner_mut().set_line_quality(crate::sim::demo::LineQuality { snr_db, mu_law, g729 });
        }
        Ok(())
    }

    /// The line rings (a ring the page learnt of some other way): counted like a `RING`.
    pub fn ring(&mut self) {
        self.dce().ring();
    }

    /// Sends a break to the far modem (online only).
    pub fn send_break(&mut self) {
        self.dce().send_break();
    }

    /// Changes how calls are placed: `serial`, `manual` or `audio`. Refused during a call, and in
    /// the demonstration (its link is its simulated phone).
    pub fn set_link(&mut self, link_name: &str) -> Result<(), JsError> {
        let link = link(link_name)?;
        if self.is_demo() {
            return Err(JsError::new("the demonstration's phone link cannot be changed"));
        }
        self.dce().set_link(link).map_err(|e| JsError::new(&e.to_string()))
    }

    /// The link's name: `serial`, `manual` or `audio`.
    pub fn link(&self) -> String {
        panel::link_name(self.dce_ref().link()).to_string()
    }

    /// The phone's serial port is gone (unplugged, closed, Bluetooth out of range).
    pub fn phone_lost(&mut self) {
        if !self.is_demo() {
            self.dce().phone_lost();
        }
    }

    /// The phone's serial port is open (again): set the phone up.
    pub fn init_phone(&mut self) {
        if !self.is_demo() {
            self.dce().init_phone();
        }
    }

    /// The transmit level for calls from now on, dBm0 ([`transmit_level_min`] to
    /// [`transmit_level_max`]).
    pub fn set_level(&mut self, level_dbm0: f32) -> Result<(), JsError> {
        check_level(level_dbm0)?;
        self.dce().set_level_dbm0(level_dbm0);
        Ok(())
    }

    /// The status panel's snapshot as an object (see [`panel`] for its keys; `null` where the
    /// JSON has `null`).
    pub fn status(&self) -> Result<JsValue, JsError> {
        panel::snapshot(self.dce_ref())
            .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
            .map_err(|e| JsError::new(&e.to_string()))
    }

    /// The last minute (at most) of line audio as a WAV file: 16-bit PCM at 8000 Hz, channel 1
    /// received, channel 2 sent, oldest first (see [`crate::dce::monitor`]).
    pub fn line_audio_wav(&self) -> Result<Vec<u8>, JsError> {
        let monitor = self.dce_ref().monitor().ok_or_else(|| JsError::new("the line monitor is off"))?;
        monitor.wav().map_err(|e| JsError::new(&e.to_string()))
    }

    /// Status lines waiting for [`DceSession::poll_log`].
    pub fn log_waiting(&mut self) -> usize {
        self.collect_log();
        self.log.len()
    }

    /// The next status line, oldest first ("Phone: alerting", "Connected 2400", ...), if any.
    pub fn poll_log(&mut self) -> Option<String> {
        self.collect_log();
        self.log.pop_front()
    }
}

#[wasm_bindgen]
extern "C" {
    /// The host's monotonic clock in ms (`performance.now()`, in browsers and Node).
    #[wasm_bindgen(js_namespace = performance, js_name = now)]
    fn performance_now() -> f64;
}

/// Benchmark (see `bench/wasm-cpu.mjs`, and `benches/cpu.rs` for the native one): the CPU cost of
/// one V.22bis calling modem, receive and transmit, in data mode at 2400 bit/s
/// ([`crate::sim::bench`], timed with `performance.now()`). Returns the milliseconds spent per
/// second of audio, one per repeat; fails when a run fails the benchmark's checks.
#[wasm_bindgen]
pub fn bench_v22bis(seconds: u32, repeats: u32) -> Result<Vec<f64>, JsError> {
    crate::sim::bench::v22bis_ms_per_s(seconds as usize, repeats as usize, &mut performance_now)
        .map_err(|e| JsError::new(&e.to_string()))
}

/// Benchmark (see `bench/wasm-terminal.mjs`, and `benches/terminal.rs` for the native one): the
/// terminal's cost ([`crate::sim::terminal_bench`], timed with `performance.now()`): for each
/// repeat, the milliseconds to take in 1 MiB of ANSI art and to draw one full 80x25 screen change
/// (the mean of `screens`), in pairs.
#[wasm_bindgen]
pub fn bench_terminal(repeats: u32, screens: u32) -> Vec<f64> {
    use crate::sim::terminal_bench::{ansi_art, feed_ms, full_screen_ms};
    let art = ansi_art(1 << 20, 1);
    let mut out = Vec::with_capacity(2 * repeats as usize);
    for _ in 0..repeats {
        out.push(feed_ms(&art, &mut performance_now));
        out.push(full_screen_ms(screens.max(1) as usize, &mut performance_now));
    }
    out
}
