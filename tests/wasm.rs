//! The modem loopback, the page's demonstration and its bindings, compiled to WebAssembly and run
//! in headless Chromium (`wasm-pack test --headless --chrome`, or `cargo test --target
//! wasm32-unknown-unknown` with wasm-bindgen-test-runner as the runner).
#![cfg(target_arch = "wasm32")]

use js_sys::JSON;
use softmodem::modem::{Config, Event, Modem};
use softmodem::sim::call::BackToBack;
use softmodem::sim::demo::BANNER;
use softmodem::sim::line::{Impairments, Line};
use softmodem::types::{Family, Role};
use softmodem::web::{transmit_level_max, transmit_level_min, DceSession, AUDIO_MAX, BYTES_MAX};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// A caller and an answerer of `family` over a line with `imp`, each sending `text`, for 500 steps
/// of 20 ms: what each received, and whether the caller connected at 300 bit/s.
fn call(family: Family, imp: Impairments, text: &[u8]) -> (Vec<u8>, Vec<u8>, bool) {
    let mut call = BackToBack::new(
        Modem::new(Config::new(family, Role::Call)),
        Modem::new(Config::new(family, Role::Answer)),
        Line::symmetric(imp, 11),
    );
    call.a.write(text);
    call.b.write(text);
    let (mut ra, mut rb) = (vec![], vec![]);
    let mut buf = [0u8; 256];
    let mut connected = false;
    for _ in 0..500 {
        call.step();
        while let Some(e) = call.a.poll_event() {
            connected |= matches!(e, Event::Connected { rx_rate: 300, tx_rate: 300 });
        }
        let n = call.a.read(&mut buf);
        ra.extend_from_slice(&buf[..n]);
        let n = call.b.read(&mut buf);
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

// The session as the page's worklet drives it: through the views of its buffers.

/// One render quantum: `mic` into the input buffer, `process`, the output buffer into `out`.
fn quantum(s: &mut DceSession, mic: &[f32; 128], out: &mut [f32; 128]) {
    s.audio_in().subarray(0, 128).copy_from(mic);
    s.process(128);
    s.audio_out().subarray(0, 128).copy_to(out);
}

/// Types `bytes` through the byte buffer; returns how many were dropped.
fn type_in(s: &mut DceSession, bytes: &[u8]) -> usize {
    s.bytes().subarray(0, bytes.len() as u32).copy_from(bytes);
    s.typed(bytes.len())
}

/// The bytes read from the phone, through the byte buffer.
fn from_phone(s: &mut DceSession, bytes: &[u8]) {
    s.bytes().subarray(0, bytes.len() as u32).copy_from(bytes);
    s.from_phone(bytes.len());
}

/// What the session has for the terminal (`to_terminal`) or the phone, through the byte buffer.
fn take(s: &mut DceSession, to: fn(&mut DceSession) -> usize) -> Vec<u8> {
    let n = to(s);
    s.bytes().subarray(0, n as u32).to_vec()
}

/// The status object the page gets, as JSON text.
fn status(s: &DceSession) -> String {
    JSON::stringify(&s.status().unwrap()).unwrap().into()
}

/// Runs `session` in 128-sample render quanta for up to `seconds`, collecting the terminal, until
/// it shows `want`.
fn run_until(session: &mut DceSession, rate: f32, seconds: f32, shown: &mut Vec<u8>, want: &str) -> bool {
    let mic = [0.0f32; 128];
    let mut out = [0.0f32; 128];
    for _ in 0..(rate * seconds / 128.0) as usize {
        quantum(session, &mic, &mut out);
        shown.extend(take(session, DceSession::to_terminal));
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
        // All 12 bytes taken at once: none dropped, none waiting.
        assert_eq!(type_in(&mut s, b"ATDT5551234\r"), 0);
        assert_eq!(s.typed_waiting(), 0);
        let mut shown = vec![];
        assert!(
            run_until(&mut s, rate, 25.0, &mut shown, "(V.22bis).\r\n"),
            "at {rate} Hz: {:?}",
            String::from_utf8_lossy(&shown)
        );
        let text = String::from_utf8_lossy(&shown);
        assert!(text.starts_with("ATDT5551234\r\r\nCONNECT 2400/LAPM/V42BIS\r\n"), "{text:?}");
        assert!(text.contains(BANNER), "{text:?}");
        let status = status(&s);
        assert!(
            status
                .starts_with(r#"{"phase":"online","link":"serial","phone":"active","modem":"data","family":"V.22bis""#),
            "{status}"
        );
        assert!(s.log_waiting() > 0);
        let mut log = vec![];
        while let Some(l) = s.poll_log() {
            log.push(l);
        }
        assert_eq!(s.log_waiting(), 0);
        assert!(log.iter().any(|l| l == "Phone: alerting"), "{log:?}");
        // The demonstration's phone is inside: nothing for a serial port.
        assert_eq!(s.to_phone(), 0);
        assert!(s.set_link("manual").is_err());
    }
}

#[wasm_bindgen_test]
fn a_serial_session_sends_the_phone_its_set_up_and_dials_through_it() {
    let mut s = DceSession::line("serial", 48000.0, -13.0).unwrap();
    let (mic, mut out) = ([0.0f32; 128], [0.0f32; 128]);
    let mut sent = vec![];
    // A phone that says OK to everything, through the bindings' byte interface.
    for _ in 0..200 {
        quantum(&mut s, &mic, &mut out);
        let bytes = take(&mut s, DceSession::to_phone);
        sent.extend_from_slice(&bytes);
        if bytes.contains(&b'\r') {
            from_phone(&mut s, b"\r\nOK\r\n");
        }
    }
    let text = String::from_utf8_lossy(&sent).into_owned();
    assert!(text.starts_with("ATE0V1\r"), "{text:?}");
    assert!(status(&s).contains(r#""phone":"idle""#), "{}", status(&s));
    assert!(s.dial("555 1234").is_ok());
    for _ in 0..20 {
        quantum(&mut s, &mic, &mut out);
        sent.extend(take(&mut s, DceSession::to_phone));
    }
    assert!(String::from_utf8_lossy(&sent).contains("ATD5551234;\r"));
    s.hang_up();
    assert!(status(&s).starts_with(r#"{"phase":"on-hook""#));
    // Bad input is refused, not a panic.
    assert!(DceSession::line("pigeon", 48000.0, -13.0).is_err());
    assert!(DceSession::line("manual", 100.0, -13.0).is_err());
    assert!(DceSession::line("manual", 48000.0, 10.0).is_err());
    assert!(s.dial("555<1234>").is_err());
    assert!(s.set_level(f32::NAN).is_err());
}

#[wasm_bindgen_test]
fn the_transmit_level_range_is_the_one_the_session_accepts() {
    let (min, max) = (transmit_level_min(), transmit_level_max());
    assert_eq!((min, max), (-60.0, 0.0));
    assert!(DceSession::line("manual", 48000.0, min).is_ok());
    assert!(DceSession::line("manual", 48000.0, max).is_ok());
    assert!(DceSession::line("manual", 48000.0, min - 0.5).is_err());
    let mut s = DceSession::line("manual", 48000.0, max).unwrap();
    assert!(s.set_level(min).is_ok());
    assert!(s.set_level(max + 0.5).is_err());
}

#[wasm_bindgen_test]
fn views_go_stale_when_the_memory_grows_and_are_fetched_again() {
    let mut s = DceSession::line("manual", 8000.0, -13.0).unwrap();
    let (input, bytes) = (s.audio_in(), s.bytes());
    assert_eq!((input.length() as usize, bytes.length() as usize), (AUDIO_MAX, BYTES_MAX));
    input.fill(0.25, 0, 128);
    s.process(128);
    // Enough allocated to grow the memory: the old views are detached (length 0).
    let big = std::hint::black_box(vec![1u8; 64 << 20]);
    assert_eq!(input.length(), 0);
    assert_eq!(bytes.length(), 0);
    drop(big);
    // New views see the same buffers.
    assert_eq!(s.audio_in().length() as usize, AUDIO_MAX);
    assert_eq!(s.audio_in().get_index(0), 0.25);
    assert_eq!(type_in(&mut s, b"AT\r"), 0);
    assert_eq!(take(&mut s, DceSession::to_terminal), b"AT\r\r\nOK\r\n");
}

#[wasm_bindgen_test]
fn v22bis_loopback_in_the_browser() {
    let text: Vec<u8> = (0..600u32).map(|i| (i * 13 % 256) as u8).collect();
    let imp = Impairments { freq_offset_hz: 5.0, clock_ppm: -200.0, ..Default::default() }.with_snr(25.0, -13.0);
    let mut call = BackToBack::new(
        Modem::new(Config::new(Family::V22bis, Role::Call)),
        Modem::new(Config::new(Family::V22bis, Role::Answer)),
        Line::symmetric(imp, 3),
    );
    call.a.write(&text);
    call.b.write(&text);
    let (mut ra, mut rb) = (vec![], vec![]);
    let mut buf = [0u8; 256];
    let mut events = vec![];
    for _ in 0..400 {
        call.step();
        while let Some(e) = call.a.poll_event() {
            events.push(e);
        }
        let n = call.a.read(&mut buf);
        ra.extend_from_slice(&buf[..n]);
        let n = call.b.read(&mut buf);
        rb.extend_from_slice(&buf[..n]);
    }
    assert_eq!(events.first(), Some(&Event::Connected { rx_rate: 2400, tx_rate: 2400 }));
    assert_eq!(ra, text);
    assert_eq!(rb, text);
}

#[wasm_bindgen_test]
fn the_ansi_terminal_in_webassembly() {
    use softmodem::terminal::{Config, Terminal};
    use softmodem::web::terminal::AnsiScreen;
    // The core: DOS wrap, colours, CP437, replies, as natively.
    let mut t = Terminal::new(Config::default());
    let mut bytes = b"\x1b[2J\x1b[1;33;44m\xc9\xcd\xbb\x1b[0m ".to_vec();
    bytes.extend(std::iter::repeat(b'#').take(77));
    bytes.extend(b"wrapped\x1b[6n");
    t.feed(&bytes);
    assert_eq!(t.row_text(0), format!("╔═╗ {}", "#".repeat(76)));
    assert_eq!(t.row_text(1), "#wrapped");
    let cell = t.rendition(0, 0).unwrap();
    assert_eq!((cell.glyph, cell.fg, cell.bg), (0xC9, 14, 1));
    let mut reply = [0u8; 16];
    let n = t.read_replies(&mut reply);
    assert_eq!(&reply[..n], b"\x1b[2;9R");
    // The page's binding: pixels of the VGA font in the CGA palette, only changed rows drawn.
    let mut s = AnsiScreen::new(80, 25, 100);
    assert_eq!(s.render(true), 25, "everything at first");
    s.feed(b"\x1b[44mA");
    assert_eq!(s.render(true), 1, "one row changed");
    assert!(s.row_drawn(0) && !s.row_drawn(1));
    let px = s.pixels().to_vec();
    assert_eq!(px.len(), 640 * 400 * 4);
    assert_eq!(&px[..4], &[0, 0, 0xAA, 0xFF], "blue background at the top left");
    // Row 2 of the VGA "A" has its apex at column 3: light grey on blue.
    let at = |x: usize, y: usize| px[(y * 640 + x) * 4..(y * 640 + x) * 4 + 3].to_vec();
    assert_eq!(at(3, 2), vec![0xAA, 0xAA, 0xAA]);
    assert_eq!(s.key("F1", false), b"\x1b[11~".to_vec());
}

// The page's dial-up networking session, against the demo's dial-up server with the octets
// passed directly (20 ms steps of 48 octets each way: about 2400 bit/s), as the page drives it.

/// One 20 ms step of the page's clock: the server's octets to the session, the session's to the
/// server; what the terminal would show is collected.
fn dialup_step(
    s: &mut softmodem::web::dialup::DialupSession,
    server: &mut softmodem::sim::dialup::DialupServer,
    now_ms: &mut f64,
    shown: &mut Vec<u8>,
) {
    *now_ms += 20.0;
    let mut buf = Vec::with_capacity(48);
    server.send(|b| {
        let n = b.len().min(48 - buf.len());
        buf.extend_from_slice(&b[..n]);
        n
    });
    s.receive(*now_ms, &buf);
    let out = s.transmit(*now_ms, 48);
    server.received(&out);
    server.tick(softmodem::Instant::ZERO + softmodem::Duration::from_ms(*now_ms as u32));
    shown.extend(s.take_display());
}

#[wasm_bindgen_test]
fn a_dial_up_session_logs_in_brings_ppp_up_and_carries_telnet_and_a_web_fetch() {
    use softmodem::sim::bbs::WELCOME;
    use softmodem::sim::dialup::services::FRONT_PAGE;
    use softmodem::sim::dialup::DialupServer;
    use softmodem::web::dialup::DialupSession;

    assert!(DialupSession::new("guest", "demo", "login: guest\nHANGUP on\n", 1).is_err(), "a bad script is refused");
    let mut s = DialupSession::new("guest", "demo", "login: guest\nPassword: demo\n> ppp\n", 7).unwrap();
    let status = |s: &DialupSession| -> String { JSON::stringify(&s.status().unwrap()).unwrap().into() };
    assert!(status(&s).starts_with(r#"{"stage":"waiting""#), "{}", status(&s));
    // The modem's words before CONNECT go to the terminal; the call's octets after it are the
    // session's.
    let mut now = 0.0;
    s.receive(now, b"AT+MS=V22B,1;D5552000\r\r\nCONNECT 2400/LAPM/V42BIS\r\n");
    assert!(s.connected());
    assert!(s.fetch("http://www.demo.net/").is_err(), "no IP yet");
    let mut shown = s.take_display();
    assert_eq!(shown, b"AT+MS=V22B,1;D5552000\r\r\nCONNECT 2400/LAPM/V42BIS\r\n");
    let mut server = DialupServer::new(3);
    server.connected(2400, 2400, "V.22bis");
    for _ in 0..1500 {
        dialup_step(&mut s, &mut server, &mut now, &mut shown);
        if s.ip_up() {
            break;
        }
    }
    let text = String::from_utf8_lossy(&shown).into_owned();
    assert!(s.ip_up(), "{text}\n{}", status(&s));
    assert!(text.contains("login: ") && text.contains("Password:"), "the login shows: {text}");
    assert!(!text.contains('~'), "no PPP frame on the screen: {text:?}");
    assert!(text.contains("Entering PPP mode."), "what the server says before PPP shows: {text:?}");
    assert!(status(&s).contains(r#""bad_fcs":0,"malformed":0"#), "{}", status(&s));
    let st = status(&s);
    assert!(st.contains(r#""stage":"ppp""#) && st.contains(r#""local":"10.0.0.2""#), "{st}");
    assert!(st.contains(r#""dns":["10.0.0.1"]"#), "{st}");

    // Telnet to the BBS: its welcome is the terminal's.
    s.telnet_connect("bbs.demo.net", 23, 80, 25).unwrap();
    assert!(s.telnet_active());
    shown.clear();
    for _ in 0..3000 {
        dialup_step(&mut s, &mut server, &mut now, &mut shown);
        if String::from_utf8_lossy(&shown).contains(WELCOME) {
            break;
        }
    }
    assert!(String::from_utf8_lossy(&shown).contains(WELCOME), "{}", status(&s));
    assert!(status(&s).contains(r#""state":"open""#));
    s.telnet_close();
    assert!(!s.telnet_active());

    // A web fetch by name.
    s.fetch("http://www.demo.net/").unwrap();
    let mut response = None;
    for _ in 0..3000 {
        dialup_step(&mut s, &mut server, &mut now, &mut shown);
        response = s.take_response();
        if response.is_some() {
            break;
        }
    }
    let r = response.expect("the front page");
    assert_eq!((r.status(), r.status_line().as_str(), r.is_text()), (200, "HTTP/1.0 200 OK", true));
    assert_eq!(r.body(), FRONT_PAGE.as_bytes());
    assert_eq!(r.file_name(), "index.html");
    assert!(r.headers().contains("Content-Type: text/html\n"));
    // A binary file: not text, saved under its name.
    s.fetch("www.demo.net/demo.bin").unwrap();
    let mut response = None;
    for _ in 0..20_000 {
        dialup_step(&mut s, &mut server, &mut now, &mut shown);
        response = s.take_response();
        if response.is_some() {
            break;
        }
    }
    let r = response.expect("demo.bin");
    assert_eq!((r.status(), r.is_text(), r.file_name().as_str()), (200, false, "demo.bin"));
    assert_eq!(r.body(), softmodem::sim::bbs::files::demo_bin());

    // Hang up: LCP terminates, then the session is over and the server hangs up.
    s.hang_up();
    assert!(!s.ended(), "PPP waits for the far end's Terminate-Ack");
    for _ in 0..500 {
        dialup_step(&mut s, &mut server, &mut now, &mut shown);
        if s.ended() {
            break;
        }
    }
    assert!(s.ended());
    let mut log = vec![];
    while let Some(l) = s.poll_log() {
        log.push(l);
    }
    assert!(log.iter().any(|l| l.starts_with("PPP ended (hung up)")), "{log:?}");
    assert!(log.iter().any(|l| l.starts_with("Telnet: connected to bbs.demo.net:23")), "{log:?}");
    assert!(log.iter().any(|l| l.starts_with("Web: HTTP/1.0 200 OK")), "{log:?}");
    assert!(!log.iter().any(|l| l.contains("\"demo\"")), "the password is not logged: {log:?}");
    // The server waits out its restart timer after its Terminate-Ack, then hangs up.
    for _ in 0..500 {
        dialup_step(&mut s, &mut server, &mut now, &mut shown);
        if server.wants_hang_up() {
            break;
        }
    }
    assert!(server.wants_hang_up());
    assert!(s.telnet_connect("bbs.demo.net", 23, 80, 25).is_err(), "the link is over");
}
