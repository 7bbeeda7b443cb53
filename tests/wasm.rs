//! The modem loopback, the page's demonstration and its bindings, compiled to WebAssembly and run
//! in headless Chromium (`wasm-pack test --headless --chrome`, or `cargo test --target
//! wasm32-unknown-unknown` with wasm-bindgen-test-runner as the runner).
#![cfg(target_arch = "wasm32")]

use softmodem::modem::{Config, Event, Modem};
use softmodem::sim::demo::BANNER;
use softmodem::sim::line::{Impairments, Line};
use softmodem::types::{Family, Role};
use softmodem::web::DceSession;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn call(family: Family, imp: Impairments, text: &[u8]) -> (Vec<u8>, Vec<u8>, bool) {
    let mut line = Line::symmetric(imp, 11);
    let mut a = Modem::new(Config::new(family, Role::Call));
    let mut b = Modem::new(Config::new(family, Role::Answer));
    a.write(text);
    b.write(text);
    let (mut ao, mut bo, mut ai, mut bi) = (vec![0.0; 160], vec![0.0; 160], vec![0.0; 160], vec![0.0; 160]);
    let (mut ra, mut rb) = (vec![], vec![]);
    let mut buf = [0u8; 256];
    let mut connected = false;
    for _ in 0..500 {
        line.process(&ao, &bo, &mut ai, &mut bi);
        a.process(&ai, &mut ao);
        b.process(&bi, &mut bo);
        while let Some(e) = a.poll_event() {
            connected |= matches!(e, Event::Connected { rx_rate: 300, tx_rate: 300 });
        }
        let n = a.read(&mut buf);
        ra.extend_from_slice(&buf[..n]);
        let n = b.read(&mut buf);
        rb.extend_from_slice(&buf[..n]);
    }
    (ra, rb, connected)
}

#[wasm_bindgen_test]
fn bell103_loopback_in_the_browser() {
    let text: Vec<u8> = (0..=255u8).collect();
    let (ra, rb, connected) = call(Family::Bell103, Impairments::default(), &text);
    assert!(connected);
    assert_eq!(ra, text);
    assert_eq!(rb, text);
}

#[wasm_bindgen_test]
fn v21_loopback_with_noise_and_offsets_in_the_browser() {
    let text = b"V.21 through noise, a frequency offset and a clock offset, in WebAssembly.".to_vec();
    let imp = Impairments { freq_offset_hz: 7.0, clock_ppm: 200.0, ..Default::default() }.with_snr(20.0, -13.0);
    let (ra, rb, connected) = call(Family::V21, imp, &text);
    assert!(connected);
    assert_eq!(ra, text);
    assert_eq!(rb, text);
}

/// Runs `session` in 128-sample render quanta for up to `seconds`, collecting the terminal, until
/// it shows `want`.
fn run_until(session: &mut DceSession, rate: f32, seconds: f32, shown: &mut Vec<u8>, want: &str) -> bool {
    let mic = [0.0f32; 128];
    let mut out = [0.0f32; 128];
    let mut buf = [0u8; 256];
    for _ in 0..(rate * seconds / 128.0) as usize {
        session.process(&mic, &mut out);
        let n = session.to_terminal(&mut buf);
        shown.extend_from_slice(&buf[..n]);
        if String::from_utf8_lossy(shown).contains(want) {
            return true;
        }
    }
    false
}

#[wasm_bindgen_test]
fn the_page_demo_dials_and_the_bbs_greets_at_audio_context_rates() {
    for (rate, seed) in [(44100.0f32, 1), (48000.0, 2)] {
        let mut s = DceSession::demo(rate, seed).unwrap();
        assert!(s.is_demo());
        assert_eq!(s.from_terminal(b"ATDT5551234\r"), 12);
        let mut shown = vec![];
        assert!(
            run_until(&mut s, rate, 25.0, &mut shown, "(V.22bis).\r\n"),
            "at {rate} Hz: {:?}",
            String::from_utf8_lossy(&shown)
        );
        let text = String::from_utf8_lossy(&shown);
        assert!(text.starts_with("ATDT5551234\r\r\nCONNECT 2400\r\n"), "{text:?}");
        assert!(text.contains(BANNER), "{text:?}");
        let status = s.status_json();
        assert!(
            status
                .starts_with(r#"{"phase":"online","link":"serial","phone":"active","modem":"data","family":"V.22bis""#),
            "{status}"
        );
        let mut log = vec![];
        while let Some(l) = s.poll_log() {
            log.push(l);
        }
        assert!(log.iter().any(|l| l == "Phone: alerting"), "{log:?}");
        // The demonstration's phone is inside: nothing for a serial port.
        assert_eq!(s.to_phone(&mut [0u8; 64]), 0);
        assert!(s.set_link("manual").is_err());
    }
}

#[wasm_bindgen_test]
fn a_serial_session_sends_the_phone_its_set_up_and_dials_through_it() {
    let mut s = DceSession::line("serial", 48000.0, -13.0).unwrap();
    let (mic, mut out, mut buf) = ([0.0f32; 128], [0.0f32; 128], [0u8; 256]);
    let mut sent = vec![];
    // A phone that says OK to everything, through the bindings' byte interface.
    for _ in 0..200 {
        s.process(&mic, &mut out);
        let n = s.to_phone(&mut buf);
        sent.extend_from_slice(&buf[..n]);
        if buf[..n].contains(&b'\r') {
            s.from_phone(b"\r\nOK\r\n");
        }
    }
    let text = String::from_utf8_lossy(&sent).into_owned();
    assert!(text.starts_with("ATE0V1\r"), "{text:?}");
    assert!(s.status_json().contains(r#""phone":"idle""#), "{}", s.status_json());
    assert!(s.dial("555 1234").is_ok());
    for _ in 0..20 {
        s.process(&mic, &mut out);
        let n = s.to_phone(&mut buf);
        sent.extend_from_slice(&buf[..n]);
    }
    assert!(String::from_utf8_lossy(&sent).contains("ATD5551234;\r"));
    s.hang_up();
    assert!(s.status_json().starts_with(r#"{"phase":"on-hook""#));
    // Bad input is refused, not a panic.
    assert!(DceSession::line("pigeon", 48000.0, -13.0).is_err());
    assert!(DceSession::line("manual", 100.0, -13.0).is_err());
    assert!(DceSession::line("manual", 48000.0, 10.0).is_err());
    assert!(s.dial("555<1234>").is_err());
    assert!(s.set_level(f32::NAN).is_err());
}

#[wasm_bindgen_test]
fn v22bis_loopback_in_the_browser() {
    let text: Vec<u8> = (0..600u32).map(|i| (i * 13 % 256) as u8).collect();
    let imp = Impairments { freq_offset_hz: 5.0, clock_ppm: -200.0, ..Default::default() }.with_snr(25.0, -13.0);
    let mut line = Line::symmetric(imp, 3);
    let mut a = Modem::new(Config::new(Family::V22bis, Role::Call));
    let mut b = Modem::new(Config::new(Family::V22bis, Role::Answer));
    a.write(&text);
    b.write(&text);
    let (mut ao, mut bo, mut ai, mut bi) = (vec![0.0; 160], vec![0.0; 160], vec![0.0; 160], vec![0.0; 160]);
    let (mut ra, mut rb) = (vec![], vec![]);
    let mut buf = [0u8; 256];
    let mut events = vec![];
    for _ in 0..400 {
        line.process(&ao, &bo, &mut ai, &mut bi);
        a.process(&ai, &mut ao);
        b.process(&bi, &mut bo);
        while let Some(e) = a.poll_event() {
            events.push(e);
        }
        let n = a.read(&mut buf);
        ra.extend_from_slice(&buf[..n]);
        let n = b.read(&mut buf);
        rb.extend_from_slice(&buf[..n]);
    }
    assert_eq!(events.first(), Some(&Event::Connected { rx_rate: 2400, tx_rate: 2400 }));
    assert_eq!(ra, text);
    assert_eq!(rb, text);
}
