//! What the page's status panel shows about a [`Dce`], as a small JSON object. Browser-free, so it
//! is tested natively; the WebAssembly bindings hand the string to the page as it is.
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
//! | `level` | received level in the receive band, dBm0, or `null` (no modem, or still starting up) |
//! | `quality` | V.22/V.22bis receiver's SNR estimate, dB, or `null` |
//! | `points` | V.22/V.22bis: the receiver's last 64 equalised points as `[re, im, re, im, ...]` in constellation units (the 2400 bit/s points at +-1 and +-3), oldest first; `[]` for the other modems and before the first symbol |
//! | `chars`, `framing_errors`, `parity_errors` | the running modem's receive counts |
//! | `seconds` | time the DCE has run |

use std::fmt::Write;

use crate::dce::{Dce, Phase, PhoneLink};
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

/// A JSON string (the names here need no escaping, but a family title might one day).
fn string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// A number with one decimal, or `null` when it is not finite.
fn number(out: &mut String, x: f32) {
    if x.is_finite() {
        let _ = write!(out, "{x:.1}");
    } else {
        out.push_str("null");
    }
}

/// The status panel's view of `dce` as a JSON object (see the [module documentation](self)).
pub fn status_json(dce: &Dce) -> String {
    let s = dce.status();
    let modem = dce.modem();
    let mut out = String::with_capacity(320);
    out.push_str("{\"phase\":");
    string(&mut out, phase_name(s.phase));
    out.push_str(",\"link\":");
    string(&mut out, link_name(s.link));
    out.push_str(",\"phone\":");
    match s.phone {
        Some(p) => string(&mut out, phone_phase_name(p)),
        None => out.push_str("null"),
    }
    out.push_str(",\"modem\":");
    string(&mut out, modem_state_name(s.modem));
    out.push_str(",\"family\":");
    match s.family {
        Some(f) => string(&mut out, f.title()),
        None => out.push_str("null"),
    }
    out.push_str(",\"role\":");
    match s.role {
        Some(Role::Call) => string(&mut out, "call"),
        Some(Role::Answer) => string(&mut out, "answer"),
        None => out.push_str("null"),
    }
    let _ = write!(out, ",\"rx_rate\":{},\"tx_rate\":{}", s.rx_rate, s.tx_rate);
    let carrier = modem.is_some_and(|m| m.carrier());
    let _ = write!(out, ",\"carrier\":{carrier}");
    out.push_str(",\"level\":");
    // Below -90 dBm0 is the "nothing measured yet" of a modem still in its start-up.
    number(&mut out, modem.map(|m| m.rx_level_dbm0()).filter(|l| *l > -90.0).unwrap_or(f32::NAN));
    out.push_str(",\"quality\":");
    number(&mut out, modem.and_then(|m| m.v22_pump()).map(|p| p.receiver().snr_db()).unwrap_or(f32::NAN));
    out.push_str(",\"points\":[");
    if let Some(rx) = modem.and_then(|m| m.v22_pump()).map(|p| p.receiver()).filter(|rx| rx.symbols() > 0) {
        for (i, z) in rx.constellation().enumerate() {
            // Two decimals are finer than the plot's pixels; a point that is not finite (never
            // expected) is drawn at the centre.
            let (re, im) = if z.re.is_finite() && z.im.is_finite() { (z.re, z.im) } else { (0.0, 0.0) };
            let _ = write!(out, "{}{re:.2},{im:.2}", if i == 0 { "" } else { "," });
        }
    }
    out.push(']');
    let stats = modem.map(|m| m.stats()).unwrap_or_default();
    let _ = write!(
        out,
        ",\"chars\":{},\"framing_errors\":{},\"parity_errors\":{},\"seconds\":{:.2}}}",
        stats.chars,
        stats.framing_errors,
        stats.parity_errors,
        s.now.as_secs_f64()
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dce::Config;
    use crate::modem::{Config as ModemConfig, Modem};
    use crate::types::Family;

    /// Just enough of a JSON reader to check the output is well formed and read values back.
    fn field<'a>(json: &'a str, key: &str) -> &'a str {
        let at = json.find(&format!("\"{key}\":")).unwrap_or_else(|| panic!("no {key} in {json}")) + key.len() + 3;
        let rest = &json[at..];
        let end = match rest.strip_prefix('"') {
            Some(quoted) => quoted.find('"').unwrap() + 2,
            None => rest.find([',', '}']).unwrap(),
        };
        &rest[..end]
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

    fn well_formed(json: &str) {
        assert!(json.starts_with('{') && json.ends_with('}'), "{json}");
        assert_eq!(json.matches('"').count() % 2, 0, "{json}");
        assert!(!json.contains("NaN") && !json.contains("inf"), "{json}");
    }

    #[test]
    fn every_link_and_phase_is_named() {
        for link in [PhoneLink::Serial, PhoneLink::Manual, PhoneLink::Audio] {
            assert_eq!(parse_link(link_name(link)), Some(link));
            let dce = Dce::new(Config { link, ..Config::default() });
            let json = status_json(&dce);
            well_formed(&json);
            assert_eq!(field(&json, "link"), format!("\"{}\"", link_name(link)));
            assert_eq!(field(&json, "phone"), if link == PhoneLink::Serial { "\"initialising\"" } else { "null" });
        }
        assert_eq!(parse_link("bluetooth"), None);
    }

    #[test]
    fn a_manual_call_shows_the_modem_from_handshake_to_data() {
        let mut dce = Dce::new(Config::default());
        dce.from_terminal(b"AT+MS=V21,0\rATD\r");
        let json = status_json(&dce);
        well_formed(&json);
        assert_eq!(field(&json, "phase"), "\"connecting\"");
        assert_eq!(field(&json, "modem"), "\"handshake\"");
        assert_eq!(field(&json, "family"), "\"V.21\"");
        assert_eq!(field(&json, "role"), "\"call\"");
        assert_eq!(field(&json, "quality"), "null");
        let mut far = Modem::new(ModemConfig::new(Family::V21, Role::Answer));
        far.write(b"hi");
        call(&mut dce, &mut far, 150);
        let json = status_json(&dce);
        well_formed(&json);
        assert_eq!(field(&json, "phase"), "\"online\"");
        assert_eq!(field(&json, "modem"), "\"data\"");
        assert_eq!(field(&json, "rx_rate"), "300");
        assert_eq!(field(&json, "carrier"), "true");
        assert_eq!(field(&json, "chars"), "2");
        assert_eq!(field(&json, "seconds"), "3.00");
        let level: f32 = field(&json, "level").parse().unwrap();
        assert!((-20.0..-5.0).contains(&level), "{json}");
    }

    #[test]
    fn a_v22bis_call_shows_its_constellation() {
        let mut dce = Dce::new(Config::default());
        dce.from_terminal(b"AT+MS=V22B,0\rATD\r");
        assert!(status_json(&dce).contains(",\"points\":[],"));
        let mut far = Modem::new(ModemConfig::new(Family::V22bis, Role::Answer));
        call(&mut dce, &mut far, 250);
        let json = status_json(&dce);
        well_formed(&json);
        assert_eq!(field(&json, "rx_rate"), "2400");
        let at = json.find("\"points\":[").unwrap() + 10;
        let list = &json[at..at + json[at..].find(']').unwrap()];
        let v: Vec<f32> = list.split(',').map(|x| x.parse().unwrap()).collect();
        assert_eq!(v.len(), 128, "{list}");
        // On a clean line every point sits on one of the sixteen (+-1, +-3 each way).
        for z in v.chunks(2) {
            let near = |x: f32| (x - if x.abs() < 2.0 { x.signum() } else { 3.0 * x.signum() }).abs();
            assert!(near(z[0]) < 0.3 && near(z[1]) < 0.3, "{z:?} in {list}");
        }
    }

    #[test]
    fn strings_are_escaped() {
        let mut s = String::new();
        string(&mut s, "a\"b\\c\n");
        assert_eq!(s, r#""a\"b\\c\u000a""#);
        let mut n = String::new();
        number(&mut n, f32::NAN);
        number(&mut n, -12.345);
        assert_eq!(n, "null-12.3");
    }
}
