//! The modem loopback, compiled to WebAssembly and run in headless Chromium
//! (`wasm-pack test --headless --chrome`, or `cargo test --target wasm32-unknown-unknown` with
//! wasm-bindgen-test-runner as the runner).
#![cfg(target_arch = "wasm32")]

use softmodem::demo::{Loopback, BANNER};
use softmodem::host::HostAdapter;
use softmodem::line::{Impairments, Line};
use softmodem::modem::{Config, Event, Family, Modem, Role};
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

#[wasm_bindgen_test]
fn the_page_demo_runs_at_audio_context_rates() {
    for rate in [44100.0f32, 48000.0] {
        let mut h = HostAdapter::new(Loopback::new(Family::Bell103, 5), rate);
        let mic = [0.0f32; 128];
        let mut out = [0.0f32; 128];
        let mut got = vec![];
        let mut buf = [0u8; 256];
        for _ in 0..(rate as usize * 8 / 128) {
            h.process(&mic, &mut out);
            let n = h.inner_mut().user.read(&mut buf);
            got.extend_from_slice(&buf[..n]);
        }
        assert!(got.starts_with(BANNER.as_bytes()), "at {rate} Hz: {:?}", String::from_utf8_lossy(&got));
    }
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
