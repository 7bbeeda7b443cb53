//! What the page's status panel shows about a [`Dce`]: a [`Snapshot`], serialised with serde.
//! Browser-free, so it is tested natively: [`status_json`] is the snapshot as JSON text, and the
//! WebAssembly bindings hand the page the same snapshot as a JavaScript object (serde-wasm-bindgen,
//! `null` where the JSON has `null`), with the same keys in the same order.
//!
//! ```
//! use softmodem::dce::Dce;
//! let json = softmodem::panel::status_json(&Dce::default());
//! assert!(json.starts_with(r#"{"phase":"on-hook","link":"manual","phone":null,"modem":"idle""#));
//! ```
//!
//! | key | value |
//! |---|---|
//! | `phase` | `on-hook`, `off-hook`, `dialing`, `connecting`, `online`, `online-command` ([`Phase`]) |
//! | `link` | `serial`, `manual`, `audio` ([`PhoneLink`]) |
//! | `phone` | `null` (no serial link), or `unready`, `initialising`, `idle`, `dialing`, `alerting`, `active`, `ringing`, `answering`, `hanging-up` |
//! | `modem` | `idle`, `handshake`, `settling`, `data` |
//! | `family` | `null`, or the running modem's family as the standards name it (`V.22bis`, `Bell 103`, `automode` while it is still being recognised) |
//! | `role` | `null`, `call`, `answer` |
//! | `rx_rate`, `tx_rate` | bit/s, 0 before the connection |
//! | `carrier` | the far carrier is present |
//! | `level` | received level in the receive band, dBm0 to one decimal, or `null` (no modem, or still starting up) |
//! | `quality` | V.22/V.22bis receiver's SNR estimate, dB to one decimal, or `null` |
//! | `points` | V.22/V.22bis: the receiver's last 64 equalised points as `[re, im, re, im, ...]` in constellation units (the 2400 bit/s points at +-1 and +-3) to two decimals, oldest first; `[]` for the other modems and before the first symbol |
//! | `chars`, `framing_errors`, `parity_errors`, `lost` | the running modem's receive counts (0 when none runs): characters delivered, lost to a bad stop bit, delivered with a bad parity bit, and lost otherwise (held back and dropped when the signal turned out not to be data or a retrain began, or cut by a dropout) |
//! | `seconds` | time the DCE has run, to two decimals |
//! | `retrains` | retrains the call's connection began (V.22bis); the counts from here to `connected_seconds` are the call's now up, or the last one's, and start afresh when a call's modem starts |
//! | `bytes_received`, `bytes_sent` | bytes the modem received and handed to the terminal, and took from it to send |
//! | `connected_seconds` | time since `CONNECT` (to its end, once the call ended), to one decimal, or `null` before it |
//! | `line_level` | with the line monitor on ([`Dce::enable_monitor`]): the received signal's level over the last 0.1 s, the whole band, dBm0 to one decimal (-100 the floor; there in every state, unlike `level`); `null` without it |
//! | `spectrum` | with the line monitor on ([`Dce::enable_monitor`]): the received signal's power over its last 64 ms in 128 bins of 31.25 Hz from 0 to 4000 Hz, whole dBm0 (-100 the floor, [`crate::dsp::fft::Spectrum`]); `[]` without it |
//! | `snr_history` | with the line monitor on: the V.22/V.22bis receiver's SNR estimate ten times a second over the last ten seconds, oldest first, dB to one decimal, `null` where there was none; `[]` without it |

use serde::Serialize;

use crate::dce::{Dce, Phase, PhoneLink};
use crate::dsp::fft::SPECTRUM_BINS;
use crate::modem::State;
use crate::phone::control;
use crate::types::Role;

/// The name of a [`Phase`] in the JSON.
pub fn phase_name(phase: Phase) -> &'static str {
    match phase {
        Phase::OnHook => "on-hook",
        Phase::OffHook => "off-hook",
        Phase::Dialing => "dialing",
        Phase::Connecting => "connecting",
        Phase::Online => "online",
        Phase::OnlineCommand => "online-command",
    }
}

/// The name of a [`PhoneLink`] in the JSON (and in the bindings' `set_link`).
pub fn link_name(link: PhoneLink) -> &'static str {
    match link {
        PhoneLink::Serial => "serial",
        PhoneLink::Manual => "manual",
        PhoneLink::Audio => "audio",
    }
}

/// The [`PhoneLink`] named `name` (`serial`, `manual` or `audio`).
pub fn parse_link(name: &str) -> Option<PhoneLink> {
    match name {
        "serial" => Some(PhoneLink::Serial),
        "manual" => Some(PhoneLink::Manual),
        "audio" => Some(PhoneLink::Audio),
        _ => None,
    }
}

/// The name of the phone's [`control::Phase`] in the JSON.
pub fn phone_phase_name(phase: control::Phase) -> &'static str {
    match phase {
        control::Phase::Unready => "unready",
        control::Phase::Initialising => "initialising",
        control::Phase::Idle => "idle",
        control::Phase::Dialing => "dialing",
        control::Phase::Alerting => "alerting",
        control::Phase::Active => "active",
        control::Phase::Ringing => "ringing",
        control::Phase::Answering => "answering",
        control::Phase::HangingUp => "hanging-up",
    }
}

fn modem_state_name(state: State) -> &'static str {
    match state {
        State::Idle => "idle",
        State::Handshake => "handshake",
        State::Settling => "settling",
        State::Data => "data",
    }
}

/// The status panel's view of a [`Dce`] (see the [module documentation](self) for the keys).
/// Fields serialise in this order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Snapshot {
    /// [`phase_name`] of the DCE's [`Phase`].
    pub phase: &'static str,
    /// [`link_name`] of the DCE's [`PhoneLink`].
    pub link: &'static str,
    /// [`phone_phase_name`] of the phone's call control, with a serial link.
    pub phone: Option<&'static str>,
    /// The data modem's state: `idle`, `handshake`, `settling`, `data`.
    pub modem: &'static str,
    /// The running modem's family ([`crate::types::Family::title`]).
    pub family: Option<&'static str>,
    /// The running modem's role: `call` or `answer`.
    pub role: Option<&'static str>,
    /// Receive rate, bit/s (0 before the connection).
    pub rx_rate: u32,
    /// Transmit rate, bit/s (0 before the connection).
    pub tx_rate: u32,
    /// The far carrier is present.
    pub carrier: bool,
    /// Received level, dBm0, one decimal.
    pub level: Option<f64>,
    /// V.22/V.22bis receiver's SNR estimate, dB, one decimal.
    pub quality: Option<f64>,
    /// V.22/V.22bis receiver's last equalised points, `re, im` pairs, two decimals.
    pub points: Vec<f64>,
    /// The link protocol of the connection: `LAPM/V42BIS`, `LAPM`, `none` (a plain link), or
    /// `None` while it is not settled (no connection, or V.42's detection under way).
    pub protocol: Option<&'static str>,
    /// V.42: I frames sent again (after REJ, SREJ or a poll).
    pub retransmissions: u64,
    /// V.42: frames received damaged (bad FCS, aborted, too long or short).
    pub bad_frames: u64,
    /// Characters received.
    pub chars: u64,
    /// Characters with a bad stop bit.
    pub framing_errors: u64,
    /// Characters with a bad parity bit.
    pub parity_errors: u64,
    /// Characters lost otherwise (see [`crate::startstop::Stats::lost`]).
    pub lost: u64,
    /// Time the DCE has run, s, two decimals.
    pub seconds: f64,
    /// Retrains the call's connection began.
    pub retrains: u32,
    /// Bytes the modem received this call.
    pub bytes_received: u64,
    /// Bytes the modem took to send this call.
    pub bytes_sent: u64,
    /// Time since the call's `CONNECT`, s, one decimal.
    pub connected_seconds: Option<f64>,
    /// The received signal's level, whole band, last 0.1 s, dBm0, one decimal (line monitor on).
    pub line_level: Option<f64>,
    /// The received signal's spectrum, [`SPECTRUM_BINS`] bins, whole dBm0 (line monitor on).
    pub spectrum: Vec<i16>,
    /// The receiver's SNR estimates, ten a second, dB, one decimal (line monitor on).
    pub snr_history: Vec<Option<f64>>,
}

/// `x` to `decimals` places, or `None` when it is not finite.
fn rounded(x: f64, decimals: i32) -> Option<f64> {
    let scale = 10f64.powi(decimals);
    x.is_finite().then(|| (x * scale).round() / scale)
}

/// The status panel's view of `dce`.
pub fn snapshot(dce: &Dce) -> Snapshot {
    let s = dce.status();
    let modem = dce.modem();
    let rx = modem.and_then(|m| m.v22_pump()).map(|p| p.receiver());
    let mut points = Vec::new();
    if let Some(rx) = rx.filter(|rx| rx.symbols() > 0) {
        points.reserve(128);
        for z in rx.constellation() {
            // Two decimals are finer than the plot's pixels; a point that is not finite (never
            // expected) is drawn at the centre.
            points.push(rounded(z.re as f64, 2).unwrap_or(0.0));
            points.push(rounded(z.im as f64, 2).unwrap_or(0.0));
        }
    }
    let stats = modem.map(|m| m.stats()).unwrap_or_default();
    let counts = dce.call_counts();
    let monitor = dce.monitor();
    let spectrum = monitor.map_or_else(Vec::new, |m| {
        let mut bins = [0.0f32; SPECTRUM_BINS];
        m.spectrum(&mut bins);
        bins.iter().map(|&d| d.round() as i16).collect()
    });
    let snr_history =
        monitor.map_or_else(Vec::new, |m| m.snr_history().map(|s| s.and_then(|s| rounded(s as f64, 1))).collect());
    Snapshot {
        phase: phase_name(s.phase),
        link: link_name(s.link),
        phone: s.phone.map(phone_phase_name),
        modem: modem_state_name(s.modem),
        family: s.family.map(|f| f.title()),
        role: s.role.map(|r| match r {
            Role::Call => "call",
            Role::Answer => "answer",
        }),
        rx_rate: s.rx_rate,
        tx_rate: s.tx_rate,
        carrier: modem.is_some_and(|m| m.carrier()),
        // Below -90 dBm0 is the "nothing measured yet" of a modem still in its start-up.
        level: modem.map(|m| m.rx_level_dbm0()).filter(|l| *l > -90.0).and_then(|l| rounded(l as f64, 1)),
        quality: rx.and_then(|rx| rounded(rx.snr_db() as f64, 1)),
        points,
        protocol: dce.data_link().filter(|l| l.state() == crate::modem::State::Data).map(|l| {
            match l.protocol().words() {
                "" => "none",
                w => w,
            }
        }),
        retransmissions: dce.data_link().and_then(|l| l.v42()).map_or(0, |v| v.lapm().stats().retransmissions),
        bad_frames: dce.data_link().and_then(|l| l.v42()).map_or(0, |v| v.bad_frames()),
        chars: stats.chars,
        framing_errors: stats.framing_errors,
        parity_errors: stats.parity_errors,
        lost: stats.lost,
        seconds: rounded(s.now.as_secs_f64(), 2).unwrap_or(0.0),
        retrains: counts.retrains,
        bytes_received: counts.bytes_received,
        bytes_sent: counts.bytes_sent,
        connected_seconds: dce.connected_for().and_then(|d| rounded(d.as_secs_f64(), 1)),
        line_level: monitor.and_then(|m| m.level_dbm0()).and_then(|l| rounded(l as f64, 1)),
        spectrum,
        snr_history,
    }
}

/// The status panel's view of `dce` as a JSON object (see the [module documentation](self)).
pub fn status_json(dce: &Dce) -> String {
    // A struct of names and numbers always serialises.
    serde_json::to_string(&snapshot(dce)).expect("the snapshot serialises")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dce::Config;
    use crate::modem::{Config as ModemConfig, Modem};
    use crate::types::Family;
    use serde_json::{json, Value};

    /// `dce`'s status as the JSON text, parsed back (which also checks it is well formed).
    fn status(dce: &Dce) -> Value {
        let json = status_json(dce);
        assert!(!json.contains("NaN") && !json.contains("inf"), "{json}");
        serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}: {json}"))
    }

    /// `blocks` of 20 ms of `dce` and `far` hearing each other over a clean line.
    fn call(dce: &mut Dce, far: &mut Modem, blocks: usize) {
        let (mut to_far, mut to_dce) = ([0.0f32; 160], [0.0f32; 160]);
        for _ in 0..blocks {
            let heard = to_dce;
            dce.process(&heard, &mut to_far);
            let heard = to_far;
            far.process(&heard, &mut to_dce);
        }
    }

    #[test]
    fn every_key_in_the_documented_order() {
        let json = status_json(&Dce::default());
        assert!(
            json.starts_with(r#"{"phase":"on-hook","link":"manual","phone":null,"modem":"idle","family":null"#),
            "{json}"
        );
        let keys = [
            "phase",
            "link",
            "phone",
            "modem",
            "family",
            "role",
            "rx_rate",
            "tx_rate",
            "carrier",
            "level",
            "quality",
            "points",
            "protocol",
            "retransmissions",
            "bad_frames",
            "chars",
            "framing_errors",
            "parity_errors",
            "lost",
            "seconds",
            "retrains",
            "bytes_received",
            "bytes_sent",
            "connected_seconds",
            "line_level",
            "spectrum",
            "snr_history",
        ];
        let at: Vec<usize> = keys
            .iter()
            .map(|k| json.find(&format!("\"{k}\":")).unwrap_or_else(|| panic!("{k} missing: {json}")))
            .collect();
        assert!(at.windows(2).all(|w| w[0] < w[1]), "{json}");
        let v = status(&Dce::default());
        assert_eq!(v.as_object().unwrap().len(), keys.len(), "{json}");
        assert_eq!(v["points"], json!([]));
        assert_eq!(v["level"], Value::Null);
        assert_eq!(v["chars"], 0);
        assert_eq!(v["connected_seconds"], Value::Null);
        assert_eq!(v["spectrum"], json!([]), "no line monitor");
        assert_eq!(v["line_level"], Value::Null);
        assert_eq!(v["snr_history"], json!([]));
    }

    #[test]
    fn every_link_and_phase_is_named() {
        for link in [PhoneLink::Serial, PhoneLink::Manual, PhoneLink::Audio] {
            assert_eq!(parse_link(link_name(link)), Some(link));
            let v = status(&Dce::new(Config { link, ..Config::default() }));
            assert_eq!(v["link"], link_name(link));
            assert_eq!(v["phone"], if link == PhoneLink::Serial { json!("initialising") } else { Value::Null });
        }
        assert_eq!(parse_link("bluetooth"), None);
    }

    #[test]
    fn a_manual_call_shows_the_modem_from_handshake_to_data() {
        let mut dce = Dce::new(Config::default());
        dce.from_terminal(b"AT+MS=V21,0\rATD\r");
        let v = status(&dce);
        assert_eq!(v["phase"], "connecting");
        assert_eq!(v["modem"], "handshake");
        assert_eq!(v["family"], "V.21");
        assert_eq!(v["role"], "call");
        assert_eq!(v["quality"], Value::Null);
        let mut far = Modem::new(ModemConfig::new(Family::V21, Role::Answer));
        far.write(b"hi");
        call(&mut dce, &mut far, 150);
        let v = status(&dce);
        assert_eq!(v["phase"], "online");
        assert_eq!(v["modem"], "data");
        assert_eq!(v["rx_rate"], 300);
        assert_eq!(v["carrier"], true);
        assert_eq!(v["chars"], 2);
        assert_eq!(v["seconds"], 3.0);
        let level = v["level"].as_f64().unwrap();
        assert!((-20.0..-5.0).contains(&level), "{v}");
        assert_eq!(level, (level * 10.0).round() / 10.0, "one decimal: {v}");
    }

    #[test]
    fn a_v42_call_shows_its_protocol() {
        use crate::link::{Link, LinkConfig};
        let mut dce = Dce::new(Config::default());
        dce.from_terminal(b"AT+MS=V22B,0\rATD\r");
        let mut far = Link::new(ModemConfig::new(Family::V22bis, Role::Answer), LinkConfig::default());
        let (mut to_far, mut to_dce) = ([0.0f32; 160], [0.0f32; 160]);
        for _ in 0..300 {
            let heard = to_dce;
            dce.process(&heard, &mut to_far);
            let heard = to_far;
            far.process(&heard, &mut to_dce);
        }
        let v = status(&dce);
        assert_eq!(v["phase"], "online", "{v}");
        assert_eq!(v["protocol"], "LAPM/V42BIS", "{v}");
        assert_eq!(v["retransmissions"], 0, "{v}");
        assert_eq!(v["bad_frames"], 0, "{v}");
    }

    #[test]
    fn a_v22bis_call_shows_its_constellation() {
        let mut dce = Dce::new(Config::default());
        dce.from_terminal(b"AT+MS=V22B,0\rATD\r");
        assert!(status_json(&dce).contains(",\"points\":[],"));
        let mut far = Modem::new(ModemConfig::new(Family::V22bis, Role::Answer));
        call(&mut dce, &mut far, 250);
        let v = status(&dce);
        assert_eq!(v["rx_rate"], 2400);
        let list: Vec<f64> = v["points"].as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).collect();
        assert_eq!(list.len(), 128, "{v}");
        // On a clean line every point sits on one of the sixteen (+-1, +-3 each way).
        for z in list.chunks(2) {
            let near = |x: f64| (x - if x.abs() < 2.0 { x.signum() } else { 3.0 * x.signum() }).abs();
            assert!(near(z[0]) < 0.3 && near(z[1]) < 0.3, "{z:?} in {list:?}");
            assert_eq!(z[0], (z[0] * 100.0).round() / 100.0, "two decimals: {z:?}");
        }
        assert!(v["quality"].as_f64().unwrap() > 20.0, "{v}");
    }

    #[test]
    fn a_call_counts_its_bytes_retrains_and_time_and_the_monitor_sees_the_line() {
        let mut dce = Dce::new(Config::default());
        dce.enable_monitor();
        let v = status(&dce);
        assert_eq!(v["spectrum"].as_array().unwrap().len(), 128);
        assert!(v["spectrum"].as_array().unwrap().iter().all(|d| d == -100), "silence: {v}");
        assert_eq!(v["line_level"], Value::Null, "nothing heard yet");
        dce.from_terminal(b"AT+MS=V22B,0\rATD\r");
        let mut far = Modem::new(ModemConfig::new(Family::V22bis, Role::Answer));
        far.write(b"hello from the far end");
        call(&mut dce, &mut far, 250);
        let v = status(&dce);
        assert_eq!(v["phase"], "online", "{v}");
        assert_eq!(v["rx_rate"], 2400);
        assert_eq!(v["retrains"], 0);
        assert_eq!(v["bytes_received"], 22, "{v}");
        assert_eq!(v["bytes_sent"], 0);
        let t0 = v["connected_seconds"].as_f64().unwrap();
        assert!(t0 > 0.0 && t0 < 5.0, "{v}");
        // The far modem's carrier (2400 Hz, the answerer's band) fills the received spectrum.
        let spectrum: Vec<i64> = v["spectrum"].as_array().unwrap().iter().map(|d| d.as_i64().unwrap()).collect();
        let top = (0..128).max_by_key(|&b| spectrum[b]).unwrap();
        assert!((2000.0..2800.0).contains(&crate::dsp::Spectrum::bin_hz(top)), "peak at bin {top}: {spectrum:?}");
        assert!(spectrum[top] > -40, "{spectrum:?}");
        assert!(spectrum[10] < spectrum[top] - 30, "300 Hz is quiet: {spectrum:?}");
        let line = v["line_level"].as_f64().unwrap();
        assert!((line - v["level"].as_f64().unwrap()).abs() < 1.5, "a clean line: the band's level is all: {v}");
        // The SNR history has the receiver's estimates since it started, high on a clean line.
        let h = v["snr_history"].as_array().unwrap();
        assert_eq!(h.len(), 50, "5 s at 10 a second: {v}");
        assert!(h.last().unwrap().as_f64().unwrap() > 20.0, "{v}");
        assert_eq!(h[0], Value::Null, "no receiver estimate while dialling");
        // Typing online sends; a forced retrain counts; the timer runs.
        dce.from_terminal(b"typed");
        call(&mut dce, &mut far, 100);
        let v = status(&dce);
        assert_eq!(v["bytes_sent"], 5, "{v}");
        assert!(v["connected_seconds"].as_f64().unwrap() >= t0 + 1.9, "{v}");
        far.retrain();
        call(&mut dce, &mut far, 200);
        let v = status(&dce);
        assert_eq!(v["retrains"], 1, "{v}");
        assert_eq!(v["phase"], "online", "{v}");
        // Hung up: the counts and the timer stay, stopped; a new call starts them afresh.
        dce.hang_up();
        let v = status(&dce);
        let ended = v["connected_seconds"].as_f64().unwrap();
        call(&mut dce, &mut far, 50);
        assert_eq!(status(&dce)["connected_seconds"].as_f64().unwrap(), ended);
        assert_eq!(status(&dce)["bytes_sent"], 5);
        dce.from_terminal(b"ATD\r");
        let v = status(&dce);
        assert_eq!((v["retrains"].as_u64(), v["bytes_sent"].as_u64()), (Some(0), Some(0)), "{v}");
        assert_eq!(v["connected_seconds"], Value::Null);
        // The monitor recorded the line both ways: 11 s of it.
        let wav = dce.monitor().unwrap().wav().unwrap();
        assert_eq!(wav.len(), 44 + 4 * 160 * 600);
    }

    #[test]
    fn numbers_are_rounded_and_not_finite_is_null() {
        assert_eq!(rounded(f64::NAN, 1), None);
        assert_eq!(rounded(f64::INFINITY, 1), None);
        assert_eq!(rounded(-12.345, 1), Some(-12.3));
        assert_eq!(rounded(0.974, 2), Some(0.97));
        let json =
            serde_json::to_string(&Snapshot { level: rounded(f64::NAN, 1), ..snapshot(&Dce::default()) }).unwrap();
        assert!(json.contains(r#""level":null"#), "{json}");
    }
}
