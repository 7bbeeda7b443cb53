//! WebAssembly bindings: the modem as the page's AudioWorklet sees it.
//!
//! Only this module knows about the browser. A [`DceSession`] is the whole Hayes modem
//! ([`Dce`]) behind the host-rate adapter: what the person types goes in and what the terminal
//! shows comes out, the phone's serial-port bytes go in and out (the page owns the port), audio
//! blocks at the AudioContext's rate go through, and the page's buttons, status panel and log
//! reach the DCE. [`DceSession::demo`] is the same with the phone and the far end simulated inside
//! ([`PhoneDemo`]).

use crate::dce::Dce;
use crate::host::HostAdapter;
use crate::panel;
use crate::sim::demo::PhoneDemo;
use wasm_bindgen::prelude::*;

enum Inner {
    Dce(Box<HostAdapter<Dce>>),
    Demo(Box<HostAdapter<PhoneDemo>>),
}

/// The page's Hayes modem: a [`Dce`] on the computer's audio (with its phone on a serial port,
/// or dialled by hand), or the demonstration.
#[wasm_bindgen]
pub struct DceSession {
    inner: Inner,
}

fn check_rate(rate: f32) -> Result<(), JsError> {
    if !(3000.0..=768_000.0).contains(&rate) {
        return Err(JsError::new(&format!("sample rate {rate} Hz is not supported")));
    }
    Ok(())
}

fn check_level(level_dbm0: f32) -> Result<(), JsError> {
    if !(-60.0..=0.0).contains(&level_dbm0) {
        return Err(JsError::new(&format!("level {level_dbm0} dBm0 is out of range (-60 to 0)")));
    }
    Ok(())
}

fn link(name: &str) -> Result<crate::dce::PhoneLink, JsError> {
    panel::parse_link(name)
        .ok_or_else(|| JsError::new(&format!("unknown phone link '{name}' (serial, manual or audio)")))
}

#[wasm_bindgen]
impl DceSession {
    /// A Hayes modem on the audio line, on-hook with factory settings: `link_name` is `serial`
    /// (the page connects the phone's AT port), `manual` (the person dials on the handset) or
    /// `audio` (the modem dials with DTMF); `host_rate` is the AudioContext's rate; `level_dbm0`
    /// the transmit level (-60 to 0).
    pub fn line(link_name: &str, host_rate: f32, level_dbm0: f32) -> Result<DceSession, JsError> {
        check_rate(host_rate)?;
        check_level(level_dbm0)?;
        let config = crate::dce::Config { link: link(link_name)?, level_dbm0, ..crate::dce::Config::default() };
        Ok(DceSession { inner: Inner::Dce(Box::new(HostAdapter::new(Dce::new(config), host_rate))) })
    }

    /// The demonstration: the Hayes modem with a simulated phone on its serial link and a BBS
    /// answering behind a simulated line; the microphone is not used. `seed` seeds the line noise.
    pub fn demo(host_rate: f32, seed: u32) -> Result<DceSession, JsError> {
        check_rate(host_rate)?;
        Ok(DceSession { inner: Inner::Demo(Box::new(HostAdapter::new(PhoneDemo::new(seed as u64), host_rate))) })
    }

    fn dce(&mut self) -> &mut Dce {
        match &mut self.inner {
            Inner::Dce(h) => h.inner_mut(),
            Inner::Demo(h) => h.inner_mut().dce_mut(),
        }
    }

    fn dce_ref(&self) -> &Dce {
        match &self.inner {
            Inner::Dce(h) => h.inner(),
            Inner::Demo(h) => h.inner().dce(),
        }
    }

    /// True for the demonstration.
    pub fn is_demo(&self) -> bool {
        matches!(self.inner, Inner::Demo(_))
    }

    /// Hears a block of microphone audio and fills `output` with the same number of samples (the
    /// DCE's clock: timers and the phone's polls run on it).
    pub fn process(&mut self, input: &[f32], output: &mut [f32]) {
        match &mut self.inner {
            Inner::Dce(h) => h.process(input, output),
            Inner::Demo(h) => h.process(input, output),
        }
    }

    /// Bytes typed at the terminal; returns how many were taken (online, taking stops while the
    /// modem's transmit queue is full: offer the rest again later).
    pub fn from_terminal(&mut self, bytes: &[u8]) -> usize {
        self.dce().from_terminal(bytes)
    }

    /// Moves bytes for the terminal (echo, result codes, received data) into `out`; returns how
    /// many.
    pub fn to_terminal(&mut self, out: &mut [u8]) -> usize {
        self.dce().to_terminal(out)
    }

    /// Bytes read from the phone's serial port (ignored unless the link is `serial`; the
    /// demonstration's phone is inside).
    pub fn from_phone(&mut self, bytes: &[u8]) {
        if let Inner::Dce(h) = &mut self.inner {
            h.inner_mut().from_phone(bytes);
        }
    }

    /// Moves bytes to write to the phone's serial port into `out`; returns how many (0 unless the
    /// link is `serial`; always 0 in the demonstration).
    pub fn to_phone(&mut self, out: &mut [u8]) -> usize {
        match &mut self.inner {
            Inner::Dce(h) => h.inner_mut().to_phone(out),
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
    /// (`NO CARRIER` if a call was in progress).
    pub fn hang_up(&mut self) {
        self.dce().hang_up();
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

    /// The transmit level for calls from now on, dBm0 (-60 to 0).
    pub fn set_level(&mut self, level_dbm0: f32) -> Result<(), JsError> {
        check_level(level_dbm0)?;
        self.dce().set_level_dbm0(level_dbm0);
        Ok(())
    }

    /// The status panel's snapshot as a JSON object (see [`panel::status_json`] for its keys).
    pub fn status_json(&self) -> String {
        panel::status_json(self.dce_ref())
    }

    /// The next status line, oldest first ("Phone: alerting", "Connected 2400", ...), if any.
    pub fn poll_log(&mut self) -> Option<String> {
        self.dce().poll_log()
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
