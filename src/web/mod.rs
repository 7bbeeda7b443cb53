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
    /// A modem on the audio line: `family` is bell103, v21, v23, bell202, v22 or v22bis; `role`
    /// is call or answer; `host_rate` is the AudioContext's rate; `level_dbm0` the transmit level.
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
            Event::Progress(p) => p.to_string(),
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

    /// V.22/V.22bis: the receiver's signal-to-noise estimate in dB (NaN for the FSK modems).
    pub fn quality_db(&self) -> f32 {
        self.user_ref().v22_pump().map(|p| p.receiver().snr_db()).unwrap_or(f32::NAN)
    }

    /// Characters received, and framing errors, as `[chars, framing_errors, parity_errors]`.
    pub fn counts(&self) -> Vec<f64> {
        let s = self.user_ref().stats();
        vec![s.chars as f64, s.framing_errors as f64, s.parity_errors as f64]
    }
}

#[wasm_bindgen]
extern "C" {
    /// The host's monotonic clock in ms (`performance.now()`, in browsers and Node).
    #[wasm_bindgen(js_namespace = performance, js_name = now)]
    fn performance_now() -> f64;
}

/// Benchmark (see `bench/wasm-cpu.mjs`, and `benches/cpu.rs` for the native one): the CPU cost of
/// one V.22bis calling modem, receive and transmit, in data mode at 2400 bit/s.
///
/// Runs a full-duplex call of our caller and answerer (both sending data, 30 dB SNR) for 3 s of
/// start-up plus `seconds`, recording what the caller hears; then, `repeats` times, feeds a copy
/// of the caller as it was after the start-up the rest of the recording in 160-sample blocks and
/// times only `Modem::process`. Returns the milliseconds spent per second of audio, one per repeat.
/// Fails unless the caller stays in data mode at 2400 bit/s, receives exactly what was sent, and
/// sends the same signal as in the recorded call (whose data the answerer received intact).
#[wasm_bindgen]
pub fn bench_v22bis(seconds: u32, repeats: u32) -> Result<Vec<f64>, JsError> {
    use crate::line::{Direction, Impairments};
    const BLOCK: usize = 160;
    let (warm_blocks, timed_blocks) = (150, 50 * seconds.max(1) as usize);
    let data = |seed: u32| -> Vec<u8> {
        let mut x = seed.wrapping_mul(2_654_435_761).wrapping_add(1);
        let n = 240 * (seconds as usize + 5);
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            b' ' + (x % 95) as u8
        };
        (0..n).map(|_| next()).collect()
    };
    let (call_data, ans_data) = (data(1), data(2));
    let top_up = |m: &mut Modem, d: &[u8], sent: &mut usize| *sent += m.write(&d[*sent..]);
    let at_2400 = |m: &Modem| m.state() == State::Data && m.rates() == (2400, 2400);
    let line = || Impairments::default().with_snr(30.0, -13.0);
    let (mut to_caller, mut to_answerer) = (Direction::new(line(), 1), Direction::new(line(), 2));
    let mut caller = Modem::new(Config::new(Family::V22bis, Role::Call));
    let mut answerer = Modem::new(Config::new(Family::V22bis, Role::Answer));
    let (mut c_out, mut a_out, mut c_in, mut a_in) = ([0.0; BLOCK], [0.0; BLOCK], [0.0; BLOCK], [0.0; BLOCK]);
    let (mut c_sent, mut a_sent, mut got, mut a_got, mut buf) = (0, 0, Vec::new(), Vec::new(), [0u8; 1024]);
    let (mut heard, mut said) = (Vec::with_capacity(timed_blocks * BLOCK), Vec::with_capacity(timed_blocks * BLOCK));
    let mut warm = None;
    for b in 0..warm_blocks + timed_blocks {
        if b == warm_blocks {
            if !at_2400(&caller) {
                return Err(JsError::new("bench_v22bis: no 2400 bit/s connection after the start-up"));
            }
            warm = Some((caller.clone(), c_sent, got.len()));
        }
        top_up(&mut caller, &call_data, &mut c_sent);
        top_up(&mut answerer, &ans_data, &mut a_sent);
        to_caller.process(&a_out, &mut c_in);
        to_answerer.process(&c_out, &mut a_in);
        caller.process(&c_in, &mut c_out);
        answerer.process(&a_in, &mut a_out);
        if b >= warm_blocks {
            heard.extend_from_slice(&c_in);
            said.extend_from_slice(&c_out);
        }
        let n = answerer.read(&mut buf);
        a_got.extend_from_slice(&buf[..n]);
        let n = caller.read(&mut buf);
        got.extend_from_slice(&buf[..n]);
        while caller.poll_event().is_some() {}
    }
    let (warm, sent0, got0) = warm.expect("the start-up is shorter than the call");
    if a_got[..] != call_data[..a_got.len()] || a_got.len() < 216 * seconds as usize {
        return Err(JsError::new("bench_v22bis: the answerer did not receive the caller's data"));
    }
    let (mut result, mut out) = (Vec::new(), vec![0.0; heard.len()]);
    for _ in 0..repeats.max(1) {
        let (mut m, mut sent, mut rx) = (warm.clone(), sent0, got[..got0].to_vec());
        let mut spent = 0.0;
        for (second, out) in heard.chunks(50 * BLOCK).zip(out.chunks_mut(50 * BLOCK)) {
            top_up(&mut m, &call_data, &mut sent);
            let t0 = performance_now();
            for (blk, o) in second.chunks_exact(BLOCK).zip(out.chunks_exact_mut(BLOCK)) {
                m.process(blk, o);
            }
            spent += performance_now() - t0;
            while let n @ 1.. = m.read(&mut buf) {
                rx.extend_from_slice(&buf[..n]);
            }
        }
        if !at_2400(&m)
            || m.poll_event().is_some()
            || rx[..] != ans_data[..rx.len()]
            || rx.len() < 216 * seconds as usize
            || out != said
        {
            return Err(JsError::new(
                "bench_v22bis: the modem left 2400 bit/s data mode, received wrong data or sent another signal",
            ));
        }
        result.push(spent / seconds.max(1) as f64);
    }
    Ok(result)
}
