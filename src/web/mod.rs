//! WebAssembly bindings: the modem as the page's AudioWorklet sees it.
//!
//! Only this module knows about the browser. A [`Session`] is either a modem on the computer's
//! audio line or the loopback demonstration; both take blocks of host-rate audio and give blocks
//! of the same length, and both carry the user's bytes and events.

use crate::demo::Loopback;
use crate::host::HostAdapter;
use crate::modem::{Config, Event, Family, Modem, Role, State};
use wasm_bindgen::prelude::*;

enum Inner {
    Line(HostAdapter<Modem>),
    Demo(HostAdapter<Loopback>),
}

/// One modem session in the page.
#[wasm_bindgen]
pub struct Session {
    inner: Inner,
}

fn family(name: &str) -> Result<Family, JsError> {
    Family::parse(name).ok_or_else(|| JsError::new(&format!("unknown modem family '{name}'")))
}

fn check_rate(rate: f32) -> Result<(), JsError> {
    if !(3000.0..=768_000.0).contains(&rate) {
        return Err(JsError::new(&format!("sample rate {rate} Hz is not supported")));
    }
    Ok(())
}

#[wasm_bindgen]
impl Session {
    /// A modem on the audio line: `family` is bell103, v21, v23 or bell202; `role` is call or
    /// answer; `host_rate` is the AudioContext's rate; `level_dbm0` the transmit level.
    pub fn line(family_name: &str, role: &str, host_rate: f32, level_dbm0: f32) -> Result<Session, JsError> {
        check_rate(host_rate)?;
        let role = Role::parse(role).ok_or_else(|| JsError::new(&format!("unknown role '{role}'")))?;
        let mut config = Config::new(family(family_name)?, role);
        if !(-60.0..=0.0).contains(&level_dbm0) {
            return Err(JsError::new(&format!("level {level_dbm0} dBm0 is out of range (-60 to 0)")));
        }
        config.level_dbm0 = level_dbm0;
        Ok(Session { inner: Inner::Line(HostAdapter::new(Modem::new(config), host_rate)) })
    }

    /// The loopback demonstration: the user's modem calls a second modem over a simulated line.
    pub fn demo(family_name: &str, host_rate: f32, seed: u32) -> Result<Session, JsError> {
        check_rate(host_rate)?;
        Ok(Session {
            inner: Inner::Demo(HostAdapter::new(Loopback::new(family(family_name)?, seed as u64), host_rate)),
        })
    }

    fn user(&mut self) -> &mut Modem {
        match &mut self.inner {
            Inner::Line(h) => h.inner_mut(),
            Inner::Demo(h) => &mut h.inner_mut().user,
        }
    }

    fn user_ref(&self) -> &Modem {
        match &self.inner {
            Inner::Line(h) => h.inner(),
            Inner::Demo(h) => &h.inner().user,
        }
    }

    /// Hears a block of microphone audio and fills `output` with the same number of samples.
    pub fn process(&mut self, input: &[f32], output: &mut [f32]) {
        match &mut self.inner {
            Inner::Line(h) => h.process(input, output),
            Inner::Demo(h) => h.process(input, output),
        }
    }

    /// Queues bytes to send; returns how many fit.
    pub fn write(&mut self, data: &[u8]) -> usize {
        self.user().write(data)
    }

    /// Moves received bytes into `out`; returns how many.
    pub fn read(&mut self, out: &mut [u8]) -> usize {
        self.user().read(out)
    }

    /// The next event as a Hayes-style result line (`CONNECT 300`, `NO CARRIER`, `BREAK`), if any.
    pub fn poll_event(&mut self) -> Option<String> {
        self.user().poll_event().map(|e| match e {
            Event::Connected { rx_rate, tx_rate } if rx_rate == tx_rate => format!("CONNECT {rx_rate}"),
            Event::Connected { rx_rate, tx_rate } => format!("CONNECT {rx_rate}/{tx_rate}"),
            Event::NoCarrier => "NO CARRIER".to_string(),
            Event::Break => "BREAK".to_string(),
            Event::Retrain => "RETRAIN".to_string(),
            Event::Retrained { rate } => format!("RETRAINED {rate}"),
        })
    }

    /// Sends a break.
    pub fn send_break(&mut self) {
        self.user().send_break();
    }

    /// Hangs up.
    pub fn hang_up(&mut self) {
        self.user().hang_up();
    }

    /// Where the call is: `handshake`, `settling`, `data` or `idle`.
    pub fn state(&self) -> String {
        match self.user_ref().state() {
            State::Handshake => "handshake",
            State::Settling => "settling",
            State::Data => "data",
            State::Idle => "idle",
        }
        .to_string()
    }

    /// True while the far carrier is present.
    pub fn carrier(&self) -> bool {
        self.user_ref().carrier()
    }

    /// The received level in the receive band, dBm0.
    pub fn rx_level_dbm0(&self) -> f32 {
        self.user_ref().rx_level_dbm0()
    }

    /// Characters received, and framing errors, as `[chars, framing_errors, parity_errors]`.
    pub fn counts(&self) -> Vec<f64> {
        let s = self.user_ref().stats();
        vec![s.chars as f64, s.framing_errors as f64, s.parity_errors as f64]
    }
}
