//! Dialogue scripts: what the user types, what the controller reports, what comes out.

use super::*;

const SECOND: Duration = Duration::from_secs(1);
const SAMPLE: Duration = Duration::from_samples(1);

fn output(h: &mut Hayes) -> String {
    let mut all = Vec::new();
    let mut buf = [0u8; 100];
    loop {
        let n = h.to_terminal(&mut buf);
        if n == 0 {
            break;
        }
        all.extend_from_slice(&buf[..n]);
    }
    String::from_utf8_lossy(&all).into_owned()
}

/// Types `s` and returns everything the terminal then shows.
fn typed(h: &mut Hayes, s: &str) -> String {
    assert_eq!(h.from_terminal(s.as_bytes()), s.len());
    output(h)
}

fn actions(h: &mut Hayes) -> Vec<Action> {
    std::iter::from_fn(|| h.poll_action()).collect()
}

fn line_data(h: &mut Hayes) -> Vec<u8> {
    let mut buf = [0u8; 8192];
    let n = h.to_line(&mut buf);
    buf[..n].to_vec()
}

/// A quiet interpreter (no echo) with a 2400 bit/s call up.
fn online() -> Hayes {
    let mut h = Hayes::new();
    typed(&mut h, "ATE0\r");
    typed(&mut h, "ATDT5551234\r");
    h.event(LineEvent::Dialled);
    h.event(LineEvent::Connected { rate: 2400 });
    assert_eq!(output(&mut h), "\r\nCONNECT 2400\r\n");
    actions(&mut h);
    h
}

#[test]
fn echo_and_ok() {
    let mut h = Hayes::new();
    assert_eq!(typed(&mut h, "AT\r"), "AT\r\r\nOK\r\n");
    assert_eq!(typed(&mut h, "ATE0V1\r"), "ATE0V1\r\r\nOK\r\n");
    assert_eq!(typed(&mut h, "AT\r"), "\r\nOK\r\n");
    assert_eq!(typed(&mut h, "at e1\r"), "\r\nOK\r\n");
    assert_eq!(typed(&mut h, "at\r"), "at\r\r\nOK\r\n");
    assert!(actions(&mut h).is_empty());
}

#[test]
fn prefix_must_be_at_or_lower_case_at() {
    let mut h = Hayes::new();
    typed(&mut h, "ATE0\r");
    assert_eq!(typed(&mut h, "At\r"), "");
    assert_eq!(typed(&mut h, "aT\r"), "");
    assert_eq!(typed(&mut h, "hello AAT\r"), "\r\nOK\r\n");
    assert_eq!(typed(&mut h, "\r\n\r\n"), "");
}

#[test]
fn dial_connect_and_data_both_ways() {
    let mut h = Hayes::new();
    assert_eq!(typed(&mut h, "ATDT5551234\r"), "ATDT5551234\r");
    assert_eq!(h.state(), State::Dialing);
    let a = actions(&mut h);
    let [Action::Dial(d)] = &a[..] else { panic!("{a:?}") };
    assert_eq!(d.number(), "5551234");
    assert!(d.elements.iter().all(|e| matches!(e, DialElement::Digit { tone: true, .. })));
    assert!(!d.return_to_command && d.detect_dial_tone && d.detect_busy);
    h.event(LineEvent::Dialled);
    assert_eq!(h.state(), State::Connecting);
    h.event(LineEvent::Connected { rate: 2400 });
    assert_eq!(output(&mut h), "\r\nCONNECT 2400\r\n");
    assert_eq!(h.state(), State::Online);
    assert!(h.connected() && h.off_hook());
    assert_eq!(h.from_terminal(b"hello\r"), 6);
    assert_eq!(line_data(&mut h), b"hello\r");
    assert_eq!(output(&mut h), "", "no echo online");
    assert_eq!(h.from_line(b"welcome"), 7);
    assert_eq!(output(&mut h), "welcome");
}

#[test]
fn escape_online_command_ato_and_hang_up() {
    let mut h = online();
    h.from_terminal(b"data");
    h.advance(SECOND + SAMPLE);
    h.from_terminal(b"+++");
    assert_eq!(h.state(), State::Online);
    h.advance(SECOND / 2);
    assert_eq!(h.state(), State::Online, "guard time after the sequence not over");
    h.advance(SECOND / 2);
    assert_eq!(h.state(), State::OnlineCommand);
    assert_eq!(output(&mut h), "\r\nOK\r\n");
    // The escape characters went out as data (as a Hayes modem sends them).
    assert_eq!(line_data(&mut h), b"data+++");
    // Received data waits while in command state.
    h.from_line(b"held");
    assert_eq!(output(&mut h), "");
    assert_eq!(typed(&mut h, "ATO\r"), "\r\nCONNECT 2400\r\nheld");
    assert_eq!(actions(&mut h), vec![Action::GoOnline { retrain: false }]);
    assert_eq!(h.state(), State::Online);
    h.from_terminal(b"more");
    assert_eq!(line_data(&mut h), b"more");
    h.advance(2 * SECOND);
    h.from_terminal(b"+++");
    h.advance(2 * SECOND);
    assert_eq!(output(&mut h), "\r\nOK\r\n");
    assert_eq!(typed(&mut h, "ATH\r"), "\r\nOK\r\n");
    assert_eq!(actions(&mut h), vec![Action::HangUp]);
    assert_eq!(h.state(), State::Command);
    assert!(!h.off_hook() && !h.connected());
    assert_eq!(typed(&mut h, "ATO\r"), "\r\nNO CARRIER\r\n");
}

#[test]
fn escape_needs_guard_times() {
    // No guard time before.
    let mut h = online();
    h.advance(SECOND / 2);
    h.from_terminal(b"+++");
    h.advance(3 * SECOND);
    assert_eq!(h.state(), State::Online);
    // Characters too far apart.
    let mut h = online();
    h.advance(2 * SECOND);
    h.from_terminal(b"+");
    h.advance(SECOND);
    h.from_terminal(b"++");
    h.advance(3 * SECOND);
    assert_eq!(h.state(), State::Online);
    // A character within the guard time after the sequence.
    let mut h = online();
    h.advance(2 * SECOND);
    h.from_terminal(b"+++");
    h.advance(SECOND / 2);
    h.from_terminal(b"x");
    h.advance(3 * SECOND);
    assert_eq!(h.state(), State::Online);
    // Four escape characters.
    let mut h = online();
    h.advance(2 * SECOND);
    h.from_terminal(b"++++");
    h.advance(3 * SECOND);
    assert_eq!(h.state(), State::Online);
    // An incomplete escape is data, and a later full one still works.
    h.from_terminal(b"++");
    h.advance(2 * SECOND);
    h.from_terminal(b"+");
    h.advance(SECOND / 10);
    h.from_terminal(b"+");
    h.advance(SECOND / 10);
    h.from_terminal(b"+");
    h.advance(SECOND);
    assert_eq!(h.state(), State::OnlineCommand);
    assert_eq!(line_data(&mut h), b"+++++++++");
}

#[test]
fn escape_character_and_guard_time_are_registers() {
    let mut h = online();
    h.advance(2 * SECOND);
    h.from_terminal(b"+++");
    h.advance(2 * SECOND);
    typed(&mut h, "ATS2=33S12=0O\r");
    assert_eq!(h.state(), State::Online);
    h.from_terminal(b"+++");
    assert_eq!(h.state(), State::Online);
    // S12=0: no timing, the third character escapes at once.
    h.from_terminal(b"ab!!!");
    assert_eq!(h.state(), State::OnlineCommand);
    output(&mut h);
    typed(&mut h, "ATS2=128O\r");
    h.advance(2 * SECOND);
    h.from_terminal(&[128, 128, 128]);
    h.advance(2 * SECOND);
    assert_eq!(h.state(), State::Online, "S2 above 127: no escape");
}

#[test]
fn carrier_loss_online_and_in_online_command_state() {
    let mut h = online();
    h.from_line(b"bye");
    h.event(LineEvent::NoCarrier);
    assert_eq!(output(&mut h), "bye\r\nNO CARRIER\r\n");
    assert_eq!(actions(&mut h), vec![Action::HangUp]);
    assert_eq!(h.state(), State::Command);
    assert_eq!(typed(&mut h, "AT\r"), "\r\nOK\r\n");

    let mut h = online();
    h.advance(2 * SECOND);
    h.from_terminal(b"+++");
    h.advance(2 * SECOND);
    output(&mut h);
    h.event(LineEvent::NoCarrier);
    assert_eq!(output(&mut h), "\r\nNO CARRIER\r\n");
    assert_eq!(h.state(), State::Command);
}

#[test]
fn registers_set_and_read() {
    let mut h = Hayes::new();
    typed(&mut h, "ATE0\r");
    assert_eq!(typed(&mut h, "ATS7=30\r"), "\r\nOK\r\n");
    assert_eq!(typed(&mut h, "ATS7?\r"), "\r\n030\r\n\r\nOK\r\n");
    assert_eq!(typed(&mut h, "ATS0?S2?\r"), "\r\n000\r\n\r\n043\r\n\r\nOK\r\n");
    assert_eq!(typed(&mut h, "ATS99=1\r"), "\r\nERROR\r\n");
    assert_eq!(typed(&mut h, "ATS3=200\r"), "\r\nERROR\r\n");
    assert_eq!(typed(&mut h, "ATS99?\r"), "\r\nERROR\r\n");
    assert_eq!(typed(&mut h, "ATS7\r"), "\r\nERROR\r\n");
    assert_eq!(h.registers().get(7), Some(30));
    assert_eq!(h.carrier_loss().samples(), 11200);
    typed(&mut h, "ATS10=20\r");
    assert_eq!(h.carrier_loss().samples(), 16000);
}

#[test]
fn s3_and_s4_shape_the_responses() {
    let mut h = Hayes::new();
    typed(&mut h, "ATE0\r");
    // The result of the line that changes S4 uses the new value.
    assert_eq!(typed(&mut h, "ATS4=33\r"), "\r!OK\r!");
    assert_eq!(typed(&mut h, "ATS3=64\r"), "@!OK@!");
    assert_eq!(typed(&mut h, "AT@"), "@!OK@!");
    assert_eq!(typed(&mut h, "AT\r"), "", "CR no longer ends a line");
    assert_eq!(typed(&mut h, "@"), "@!OK@!", "the CR was ignored as a control character");
}

#[test]
fn result_code_levels() {
    let run = |x: &str, e: LineEvent| {
        let mut h = Hayes::new();
        typed(&mut h, &format!("ATE0{x}\r"));
        typed(&mut h, "ATD123\r");
        let a = actions(&mut h);
        h.event(LineEvent::Dialled);
        h.event(e);
        (output(&mut h), a)
    };
    assert_eq!(run("X0", LineEvent::Connected { rate: 2400 }).0, "\r\nCONNECT\r\n");
    assert_eq!(run("X1", LineEvent::Connected { rate: 2400 }).0, "\r\nCONNECT 2400\r\n");
    assert_eq!(run("X4", LineEvent::Connected { rate: 300 }).0, "\r\nCONNECT 300\r\n");
    assert_eq!(run("X0", LineEvent::Busy).0, "\r\nNO CARRIER\r\n");
    assert_eq!(run("X2", LineEvent::Busy).0, "\r\nNO CARRIER\r\n");
    assert_eq!(run("X3", LineEvent::Busy).0, "\r\nBUSY\r\n");
    assert_eq!(run("X4", LineEvent::Busy).0, "\r\nBUSY\r\n");
    assert_eq!(run("X1", LineEvent::NoDialTone).0, "\r\nNO CARRIER\r\n");
    assert_eq!(run("X3", LineEvent::NoDialTone).0, "\r\nNO CARRIER\r\n");
    assert_eq!(run("X2", LineEvent::NoDialTone).0, "\r\nNO DIALTONE\r\n");
    assert_eq!(run("X4", LineEvent::NoDialTone).0, "\r\nNO DIALTONE\r\n");
    assert_eq!(run("X0", LineEvent::NoAnswer).0, "\r\nNO CARRIER\r\n");
    assert_eq!(run("X1", LineEvent::NoAnswer).0, "\r\nNO ANSWER\r\n");
    assert_eq!(run("X4", LineEvent::Error).0, "\r\nERROR\r\n");
    assert_eq!(typed(&mut Hayes::new(), "ATX5\r"), "ATX5\r\r\nERROR\r\n");
    // What the dial request asks of the controller at each level.
    let flags = |x: &str| {
        let [Action::Dial(d), ..] = &run(x, LineEvent::Busy).1[..] else { panic!() };
        (d.detect_dial_tone, d.detect_busy, d.blind_wait)
    };
    assert_eq!(flags("X0"), (false, false, 2 * SECOND));
    assert_eq!(flags("X1"), (false, false, 2 * SECOND));
    assert_eq!(flags("X2"), (true, false, Duration::ZERO));
    assert_eq!(flags("X3"), (false, true, 2 * SECOND));
    assert_eq!(flags("X4"), (true, true, Duration::ZERO));
}

#[test]
fn numeric_result_codes() {
    let mut h = Hayes::new();
    assert_eq!(typed(&mut h, "ATE0V0\r"), "ATE0V0\r0\r");
    assert_eq!(typed(&mut h, "ATQ\r"), "0\r");
    assert_eq!(typed(&mut h, "ATFOO\r"), "4\r");
    assert_eq!(typed(&mut h, "ATS12?\r"), "050\r\n0\r");
    h.event(LineEvent::Ring);
    assert_eq!(output(&mut h), "2\r");
    for (rate, code) in [(300, "1"), (1200, "5"), (2400, "10"), (9600, "12"), (75, "1")] {
        typed(&mut h, "ATD\r");
        h.event(LineEvent::Connected { rate });
        assert_eq!(output(&mut h), format!("{code}\r"));
        h.event(LineEvent::NoCarrier);
        assert_eq!(output(&mut h), "3\r");
    }
    for (e, code) in [(LineEvent::NoDialTone, "6"), (LineEvent::Busy, "7"), (LineEvent::NoAnswer, "8")] {
        typed(&mut h, "ATD\r");
        h.event(e);
        assert_eq!(output(&mut h), format!("{code}\r"));
    }
    typed(&mut h, "ATX0\r");
    typed(&mut h, "ATD\r");
    h.event(LineEvent::Connected { rate: 2400 });
    assert_eq!(output(&mut h), "1\r");
}

#[test]
fn quiet_suppresses_result_codes_not_information() {
    let mut h = Hayes::new();
    typed(&mut h, "ATE0\r");
    assert_eq!(typed(&mut h, "ATQ1\r"), "");
    assert_eq!(typed(&mut h, "ATS0?\r"), "\r\n000\r\n");
    assert_eq!(typed(&mut h, "ATBOGUS\r"), "");
    h.event(LineEvent::Ring);
    assert_eq!(output(&mut h), "");
    assert_eq!(typed(&mut h, "ATQ0\r"), "\r\nOK\r\n");
}

#[test]
fn repeat_last_line() {
    let mut h = Hayes::new();
    assert_eq!(typed(&mut h, "A/"), "A/\r\nOK\r\n", "no line yet: an empty one");
    typed(&mut h, "ATE0S7?\r");
    assert_eq!(typed(&mut h, "A/"), "\r\n050\r\n\r\nOK\r\n");
    assert_eq!(typed(&mut h, "a/"), "\r\n050\r\n\r\nOK\r\n");
    typed(&mut h, "ATD555\r");
    let a = actions(&mut h);
    h.event(LineEvent::Busy);
    assert_eq!(output(&mut h), "\r\nBUSY\r\n");
    actions(&mut h);
    typed(&mut h, "A/");
    assert_eq!(actions(&mut h), a, "A/ dials again");
}

#[test]
fn auto_answer_after_s0_rings() {
    let mut h = Hayes::new();
    typed(&mut h, "ATE0S0=2\r");
    h.event(LineEvent::Ring);
    assert_eq!(output(&mut h), "\r\nRING\r\n");
    assert_eq!(h.registers().get(1), Some(1));
    assert!(actions(&mut h).is_empty());
    h.advance(6 * SECOND);
    h.event(LineEvent::Ring);
    assert_eq!(output(&mut h), "\r\nRING\r\n");
    assert_eq!(actions(&mut h), vec![Action::Answer]);
    assert_eq!(h.state(), State::Connecting);
    h.event(LineEvent::Connected { rate: 1200 });
    assert_eq!(output(&mut h), "\r\nCONNECT 1200\r\n");
    assert_eq!(h.registers().get(1), Some(0));
}

#[test]
fn ring_count_clears_after_eight_quiet_seconds() {
    let mut h = Hayes::new();
    typed(&mut h, "ATE0S0=2\r");
    h.event(LineEvent::Ring);
    h.advance(9 * SECOND);
    assert_eq!(h.registers().get(1), Some(0));
    h.event(LineEvent::Ring);
    assert!(actions(&mut h).is_empty(), "one ring since the count cleared");
    // S0=0: never answers, the user answers with ATA.
    typed(&mut h, "ATS0=0\r");
    for _ in 0..5 {
        h.event(LineEvent::Ring);
    }
    assert!(actions(&mut h).is_empty());
    output(&mut h);
    typed(&mut h, "ATA\r");
    assert_eq!(actions(&mut h), vec![Action::Answer]);
}

#[test]
fn connect_timeout_s7() {
    let mut h = Hayes::new();
    typed(&mut h, "ATE0S7=10\r");
    typed(&mut h, "ATA\r");
    assert_eq!(actions(&mut h), vec![Action::Answer]);
    h.advance(10 * SECOND - SAMPLE);
    assert_eq!(h.state(), State::Connecting);
    h.advance(SAMPLE);
    assert_eq!(output(&mut h), "\r\nNO CARRIER\r\n");
    assert_eq!(actions(&mut h), vec![Action::HangUp]);
    assert_eq!(h.state(), State::Command);

    // Dialled, then no connection within S7.
    typed(&mut h, "ATD1\r");
    h.advance(5 * SECOND);
    h.event(LineEvent::Dialled);
    h.advance(10 * SECOND);
    assert_eq!(output(&mut h), "\r\nNO CARRIER\r\n");

    // The controller never reports the dialling done: the dial budget runs out.
    typed(&mut h, "ATDT1,2\r");
    for _ in 0..100 {
        h.advance(SECOND);
    }
    assert_eq!(h.state(), State::Command);
    assert_eq!(output(&mut h), "\r\nNO CARRIER\r\n");
}

#[test]
fn a_character_aborts_a_call_attempt_but_not_the_line_feed_after_the_command() {
    let mut h = Hayes::new();
    typed(&mut h, "ATE0\r");
    assert_eq!(typed(&mut h, "ATD5551234\r\n"), "");
    assert_eq!(h.state(), State::Dialing);
    h.advance(SECOND);
    assert_eq!(typed(&mut h, "x"), "\r\nNO CARRIER\r\n");
    assert_eq!(h.state(), State::Command);
    assert!(matches!(&actions(&mut h)[..], [Action::Dial(_), Action::HangUp]));
    // Auto-answer has no hold-off: the first key aborts.
    typed(&mut h, "ATS0=1\r");
    h.event(LineEvent::Ring);
    assert_eq!(h.state(), State::Connecting);
    h.from_terminal(b"A");
    assert_eq!(h.state(), State::Command);
}

#[test]
fn dial_string_elements() {
    let mut h = Hayes::new();
    typed(&mut h, "ATE0S8=3\r");
    typed(&mut h, "ATD9W,P12T#\r");
    let a = actions(&mut h);
    let [Action::Dial(d)] = &a[..] else { panic!() };
    use DialElement::*;
    assert_eq!(
        d.elements,
        vec![
            Digit { digit: b'9', tone: true },
            WaitDialTone,
            Pause,
            Digit { digit: b'1', tone: false },
            Digit { digit: b'2', tone: false },
            Digit { digit: b'#', tone: true },
        ]
    );
    assert_eq!(d.pause, 3 * SECOND);
    assert_eq!(d.dtmf_tone, Duration::from_samples(760));
    assert_eq!(d.number(), "912#");
    // The wait for dial tone gives the rest of the dial string its full time.
    let budget = h.timer;
    h.advance(budget - SAMPLE);
    h.event(LineEvent::DialToneHeard);
    h.advance(budget - SAMPLE);
    assert_eq!(h.state(), State::Dialing);
    // Two dial tone waits (X4 before dialling, and W), no more restarts after those.
    h.event(LineEvent::DialToneHeard);
    h.event(LineEvent::DialToneHeard);
    h.advance(budget - SAMPLE);
    assert_eq!(h.state(), State::Dialing);
    h.advance(SAMPLE);
    assert_eq!(h.state(), State::Command);
    // T and P last: the next dial string is tone since the last one ended in T.
    output(&mut h);
    actions(&mut h);
    typed(&mut h, "ATP\r");
    typed(&mut h, "ATD5\r");
    let a = actions(&mut h);
    let [Action::Dial(d)] = &a[..] else { panic!() };
    assert_eq!(d.elements, vec![Digit { digit: b'5', tone: false }]);
}

#[test]
fn dial_and_return_to_command_state() {
    let mut h = Hayes::new();
    typed(&mut h, "ATE0\r");
    typed(&mut h, "ATDT5551234;\r");
    let a = actions(&mut h);
    let [Action::Dial(d)] = &a[..] else { panic!() };
    assert!(d.return_to_command);
    assert_eq!(output(&mut h), "");
    h.event(LineEvent::Dialled);
    assert_eq!(output(&mut h), "\r\nOK\r\n");
    assert_eq!(h.state(), State::Command);
    assert!(h.off_hook());
    // Dialling on from off-hook: no dial tone wait, no blind wait.
    typed(&mut h, "ATD9\r");
    let a = actions(&mut h);
    let [Action::Dial(d)] = &a[..] else { panic!() };
    assert!(!d.detect_dial_tone && d.blind_wait.is_zero() && !d.return_to_command);
    h.event(LineEvent::NoCarrier);
    assert_eq!(output(&mut h), "\r\nNO CARRIER\r\n");
    // ATH from off-hook command state.
    typed(&mut h, "ATD;\r");
    h.event(LineEvent::Dialled);
    actions(&mut h);
    assert_eq!(typed(&mut h, "\r\nATH0\r"), "\r\nOK\r\n\r\nOK\r\n");
    assert_eq!(actions(&mut h), vec![Action::HangUp]);
    assert!(!h.off_hook());
}

#[test]
fn redial_last_number() {
    let mut h = Hayes::new();
    typed(&mut h, "ATE0\r");
    assert_eq!(typed(&mut h, "ATDL\r"), "\r\nERROR\r\n");
    typed(&mut h, "ATDT 555-1234\r");
    let first = actions(&mut h);
    h.event(LineEvent::Busy);
    actions(&mut h);
    typed(&mut h, "ATDL\r");
    assert_eq!(actions(&mut h), first);
}

#[test]
fn modulation_selection() {
    let mut h = Hayes::new();
    typed(&mut h, "ATE0\r");
    assert_eq!(typed(&mut h, "AT+MS?\r"), "\r\n+MS: V22B,1,0,0,0,0\r\n\r\nOK\r\n");
    assert_eq!(typed(&mut h, "AT+MS=V21\r"), "\r\nOK\r\n");
    let a = actions(&mut h);
    assert_eq!(a.len(), 1);
    let Action::SetModulations(m) = a[0] else { panic!() };
    assert_eq!((m.carrier, m.automode), (Carrier::V21, true));
    assert_eq!(m.carrier.family(), crate::types::Family::V21);
    assert_eq!(typed(&mut h, "at+ms=b212,0;+ms?\r"), "\r\n+MS: B212,0,0,0,0,0\r\n\r\nOK\r\n");
    assert_eq!(typed(&mut h, "AT+MS=V22B,1,1200,2400,1200,2400\r"), "\r\nOK\r\n");
    assert_eq!(typed(&mut h, "AT+MS=V23C,,75\r"), "\r\nOK\r\n");
    assert_eq!(h.modulation().min_tx_rate, 75);
    assert!(typed(&mut h, "AT+MS=?\r").starts_with("\r\n+MS: (B103,B212,V21,V22,V22B,V23C),(0,1),"));
    assert_eq!(typed(&mut h, "AT+MS=V34\r"), "\r\nERROR\r\n");
    assert_eq!(typed(&mut h, "AT+MS\r"), "\r\nERROR\r\n");
    assert_eq!(h.modulation().carrier, Carrier::V23);
    // Profiles hold it.
    typed(&mut h, "AT&F\r");
    assert_eq!(h.modulation(), Modulation::default());
}

#[test]
fn identification() {
    let mut h = Hayes::new();
    typed(&mut h, "ATE0\r");
    assert_eq!(typed(&mut h, "ATI\r"), "\r\nsoftmodem\r\n\r\nOK\r\n");
    for i in 0..10 {
        let r = typed(&mut h, &format!("ATI{i}\r"));
        assert!(r.starts_with("\r\n") && r.ends_with("\r\n\r\nOK\r\n") && r.len() > 10, "{r:?}");
    }
    assert_eq!(typed(&mut h, "ATI10\r"), "\r\nERROR\r\n");
    assert_eq!(typed(&mut h, "AT+GMM\r"), "\r\nsoftmodem\r\n\r\nOK\r\n");
    assert_eq!(typed(&mut h, "AT+GCAP\r"), "\r\n+GCAP: +MS\r\n\r\nOK\r\n");
    assert!(typed(&mut h, "AT+GMI;+GMR\r").ends_with("OK\r\n"));
    assert_eq!(typed(&mut h, "AT+GMI=?\r"), "\r\nOK\r\n");
    assert_eq!(typed(&mut h, "AT+GMI?\r"), "\r\nERROR\r\n");
    assert_eq!(typed(&mut h, "AT+FOO\r"), "\r\nERROR\r\n");
}

#[test]
fn profiles_store_restore_and_factory() {
    let mut h = Hayes::new();
    typed(&mut h, "ATE0V0S7=20&W\r");
    typed(&mut h, "AT&F\r");
    assert!(h.profile().echo && h.profile().verbose);
    assert_eq!(actions(&mut h), vec![Action::Reset]);
    // Z restores the stored profile and answers in its format; the rest of the line is ignored.
    assert_eq!(typed(&mut h, "ATZE1\r"), "ATZE1\r0\r");
    assert!(!h.profile().echo);
    assert_eq!(h.registers().get(7), Some(20));
    assert_eq!(actions(&mut h), vec![Action::Reset]);
    typed(&mut h, "AT&C0&D3&K4L3M0\r");
    let p = h.profile();
    assert_eq!((p.dcd, p.dtr, p.flow, p.speaker_volume, p.speaker_mode), (0, 3, 4, 3, 0));
    assert_eq!(typed(&mut h, "AT&C2\r"), "4\r");
    assert_eq!(typed(&mut h, "AT&Q9\r"), "4\r");
    assert_eq!(typed(&mut h, "AT&F1\r"), "4\r");
}

#[test]
fn z_hangs_up_a_connection() {
    let mut h = online();
    h.advance(2 * SECOND);
    h.from_terminal(b"+++");
    h.advance(2 * SECOND);
    output(&mut h);
    assert_eq!(typed(&mut h, "ATD123\r"), "\r\nERROR\r\n");
    assert_eq!(typed(&mut h, "ATA\r"), "\r\nERROR\r\n");
    assert_eq!(typed(&mut h, "ATZ\r"), "\r\nOK\r\n", "echo was off while typing");
    assert_eq!(actions(&mut h), vec![Action::HangUp, Action::Reset]);
    assert!(!h.connected());
}

#[test]
fn unknown_command_stops_the_line() {
    let mut h = Hayes::new();
    assert_eq!(typed(&mut h, "ATE0YE1\r"), "ATE0YE1\r\r\nERROR\r\n");
    assert!(!h.profile().echo, "E0 before the error was executed, E1 after it was not");
    assert_eq!(typed(&mut h, "ATS7=9?E1\r"), "\r\nERROR\r\n");
    assert_eq!(typed(&mut h, "ATE2\r"), "\r\nERROR\r\n");
    assert_eq!(typed(&mut h, "ATH1\r"), "\r\nERROR\r\n");
    assert_eq!(typed(&mut h, "ATA1\r"), "\r\nERROR\r\n");
    assert_eq!(typed(&mut h, "AT%C9\r"), "\r\nERROR\r\n");
    assert_eq!(typed(&mut h, "AT\\N5\r"), "\r\nERROR\r\n");
    assert_eq!(typed(&mut h, "ATX99999999999999\r"), "\r\nERROR\r\n");
    assert!(!h.profile().echo);
    assert!(actions(&mut h).is_empty());
}

#[test]
fn line_editing() {
    let mut h = Hayes::new();
    assert_eq!(typed(&mut h, "ATS7=44\x085\r"), "ATS7=44\x08 \x085\r\r\nOK\r\n");
    assert_eq!(h.registers().get(7), Some(45));
    // Deleting back through the prefix.
    assert_eq!(typed(&mut h, "ATE\x08\x08\x08AT\r"), "ATE\x08 \x08\x08 \x08\x08 \x08AT\r\r\nOK\r\n");
    // Nothing to delete: the editing character is only echoed.
    assert_eq!(typed(&mut h, "AY\x08T\r"), "AY\x08T\r");
    // Control characters in the line are ignored.
    typed(&mut h, "ATE0\r");
    assert_eq!(typed(&mut h, "AT\x01S\x027=\x0733\r"), "\r\nOK\r\n");
    assert_eq!(h.registers().get(7), Some(33));
    // S5 is the editing character.
    typed(&mut h, "ATS5=127\r");
    assert_eq!(typed(&mut h, "ATE9\x7f1\r"), "\r\nOK\r\n");
    assert!(h.profile().echo);
}

#[test]
fn long_lines_are_an_error() {
    let mut h = Hayes::new();
    typed(&mut h, "ATE0\r");
    let long = format!("AT{}E1\r", "S7=9".repeat(100));
    assert_eq!(typed(&mut h, &long), "\r\nERROR\r\n");
    assert!(!h.profile().echo, "nothing on an overlong line runs");
    assert_eq!(h.registers().get(7), Some(50));
    // Exactly the limit is fine.
    let full = format!("AT{}\r", "E0".repeat(LINE_MAX / 2));
    assert_eq!(typed(&mut h, &full), "\r\nOK\r\n");
    // And the editor recovers.
    assert_eq!(typed(&mut h, "AT\r"), "\r\nOK\r\n");
}

#[test]
fn garbage_is_ignored_or_an_error_never_a_hang() {
    let mut h = Hayes::new();
    typed(&mut h, "ATE0\r");
    assert_eq!(typed(&mut h, "+++"), "");
    h.advance(3 * SECOND);
    assert_eq!(output(&mut h), "");
    let binary: Vec<u8> = (0..=255u8).chain((0..=255u8).rev()).collect();
    h.from_terminal(&binary);
    output(&mut h);
    h.from_terminal(b"\r");
    output(&mut h);
    assert_eq!(typed(&mut h, "AT\r"), "\r\nOK\r\n");
    h.from_terminal(b"AT\xff\xfe\r");
    assert_eq!(output(&mut h), "\r\nERROR\r\n");
    // Events out of place change nothing.
    for e in [
        LineEvent::Connected { rate: 2400 },
        LineEvent::Busy,
        LineEvent::NoDialTone,
        LineEvent::NoAnswer,
        LineEvent::DialToneHeard,
        LineEvent::Dialled,
        LineEvent::Error,
        LineEvent::NoCarrier,
    ] {
        h.event(e);
    }
    assert_eq!(h.state(), State::Command);
    assert_eq!(output(&mut h), "");
    assert!(actions(&mut h).is_empty());
    assert_eq!(h.from_line(b"noise"), 5);
    assert_eq!(output(&mut h), "");
}

#[test]
fn flow_control_online() {
    let mut h = online();
    let big = vec![b'x'; QUEUE_CAPACITY + 100];
    assert_eq!(h.from_terminal(&big), QUEUE_CAPACITY);
    assert_eq!(line_data(&mut h).len(), QUEUE_CAPACITY);
    assert_eq!(h.from_line(&big), QUEUE_CAPACITY);
    assert_eq!(h.from_line(b"y"), 0);
    assert_eq!(output(&mut h).len(), QUEUE_CAPACITY);
    // Held data in online command state is bounded too, and comes out in order after ATO.
    h.advance(2 * SECOND);
    h.from_terminal(b"+++");
    h.advance(2 * SECOND);
    line_data(&mut h);
    output(&mut h);
    assert_eq!(h.from_line(&big), QUEUE_CAPACITY);
    assert_eq!(h.from_line(b"y"), 0);
    let out = typed(&mut h, "ATO\r");
    assert_eq!(out.len(), "\r\nCONNECT 2400\r\n".len() + QUEUE_CAPACITY);
    assert!(out.starts_with("\r\nCONNECT 2400\r\nxxx"));
    assert_eq!(h.from_line(b"z"), 1);
    assert_eq!(output(&mut h), "z");
}

#[test]
fn retrain_and_online_rate_change() {
    let mut h = online();
    h.event(LineEvent::Connected { rate: 1200 });
    assert_eq!(h.rate(), 1200);
    assert_eq!(output(&mut h), "");
    h.advance(2 * SECOND);
    h.from_terminal(b"+++");
    h.advance(2 * SECOND);
    output(&mut h);
    assert_eq!(typed(&mut h, "ATO1\r"), "\r\nCONNECT 1200\r\n");
    assert_eq!(actions(&mut h), vec![Action::GoOnline { retrain: true }]);
}

#[test]
fn result_code_table() {
    assert_eq!(ResultCode::Connect(Some(2400)).numeric(), 10);
    assert_eq!(ResultCode::Connect(Some(1200)).numeric(), 5);
    assert_eq!(ResultCode::Connect(Some(300)).numeric(), 1);
    assert_eq!(ResultCode::Connect(None).verbose(), "CONNECT");
    assert_eq!(ResultCode::NoDialTone.verbose(), "NO DIALTONE");
}

#[test]
fn error_control_and_compression_settings_and_the_protocol_in_connect() {
    use crate::link::ErrorControl;
    let mut h = Hayes::new();
    typed(&mut h, "ATE0\r");
    assert_eq!(h.profile().error_control, ErrorControl::Auto, "factory: V.42 with fall-back");
    assert!(h.profile().compression);
    for (cmd, ec) in [
        ("\\N0", ErrorControl::Off),
        ("\\N4", ErrorControl::Required),
        ("&Q5", ErrorControl::Auto),
        ("&Q6", ErrorControl::Off),
        ("\\N3", ErrorControl::Auto),
    ] {
        assert_eq!(typed(&mut h, &format!("AT{cmd}\r")), "\r\nOK\r\n", "{cmd}");
        assert_eq!(h.profile().error_control, ec, "{cmd}");
    }
    assert_eq!(typed(&mut h, "AT%C0\r"), "\r\nOK\r\n");
    assert!(!h.profile().compression);
    assert_eq!(typed(&mut h, "AT+DS?\r"), "\r\n+DS: 0,0,2048,32\r\n\r\nOK\r\n");
    assert_eq!(typed(&mut h, "AT+DS=3\r"), "\r\nOK\r\n");
    assert!(h.profile().compression);
    let connect = |w: &str| {
        let mut h = Hayes::new();
        typed(&mut h, &format!("ATE0{w}D1\r"));
        h.event(LineEvent::Dialled);
        h.event(LineEvent::Protocol { words: "LAPM/V42BIS" });
        h.event(LineEvent::Connected { rate: 2400 });
        let mut out = [0u8; 256];
        let n = h.to_terminal(&mut out);
        String::from_utf8_lossy(&out[..n]).into_owned()
    };
    assert!(connect("W0").ends_with("\r\nCONNECT 2400/LAPM/V42BIS\r\n"), "{:?}", connect("W0"));
    assert!(
        connect("W1").ends_with("\r\nPROTOCOL: LAP-M\r\n\r\nCOMPRESSION: V.42BIS\r\n\r\nCONNECT 2400/LAPM/V42BIS\r\n"),
        "{:?}",
        connect("W1")
    );
    assert!(connect("W2").ends_with("\r\nCONNECT 2400\r\n"), "{:?}", connect("W2"));
}

#[test]
fn dtr_off_follows_and_d() {
    // &D2, the factory setting: the connection ends with NO CARRIER.
    let mut h = online();
    assert_eq!(h.profile().dtr, 2);
    h.dtr_off();
    assert_eq!(output(&mut h), "\r\nNO CARRIER\r\n");
    assert_eq!(actions(&mut h), vec![Action::HangUp]);
    assert_eq!((h.state(), h.off_hook(), h.dtr()), (State::Command, false, false));
    // Off already: nothing more.
    h.dtr_off();
    assert_eq!(output(&mut h), "");
    // No automatic answer while DTR is off; again once it is on.
    typed(&mut h, "ATS0=1\r");
    h.event(LineEvent::Ring);
    assert_eq!(output(&mut h), "\r\nRING\r\n");
    assert!(actions(&mut h).is_empty());
    h.dtr_on();
    h.event(LineEvent::Ring);
    assert_eq!(output(&mut h), "\r\nRING\r\n");
    assert_eq!(actions(&mut h), vec![Action::Answer]);

    // A call attempt ends too, and so does a line held off-hook (no result code then).
    let mut h = Hayes::new();
    typed(&mut h, "ATE0\r");
    typed(&mut h, "ATD5551234\r");
    actions(&mut h);
    h.dtr_off();
    assert_eq!(output(&mut h), "\r\nNO CARRIER\r\n");
    assert_eq!(actions(&mut h), vec![Action::HangUp]);
    h.dtr_on();
    typed(&mut h, "ATD5551234;\r");
    h.event(LineEvent::Dialled);
    assert_eq!(output(&mut h), "\r\nOK\r\n");
    assert!(h.off_hook());
    actions(&mut h);
    typed(&mut h, "AT");
    h.dtr_off();
    assert_eq!(output(&mut h), "");
    assert_eq!(actions(&mut h), vec![Action::HangUp]);
    assert!(!h.off_hook());
    // The half-typed "AT" is gone.
    h.dtr_on();
    assert_eq!(typed(&mut h, "\r"), "");

    // &D1: online command state, the call stays up.
    let mut h = online();
    h.advance(2 * SECOND);
    typed(&mut h, "+++");
    h.advance(2 * SECOND);
    assert_eq!(output(&mut h), "\r\nOK\r\n");
    typed(&mut h, "AT&D1O\r");
    assert_eq!(h.state(), State::Online);
    actions(&mut h);
    h.dtr_off();
    assert_eq!(output(&mut h), "\r\nOK\r\n");
    assert_eq!(h.state(), State::OnlineCommand);
    assert!(actions(&mut h).is_empty());

    // &D0: nothing at all.
    let mut h = online();
    h.advance(2 * SECOND);
    typed(&mut h, "+++");
    h.advance(2 * SECOND);
    typed(&mut h, "AT&D0O\r");
    output(&mut h);
    actions(&mut h);
    h.dtr_off();
    assert_eq!((h.state(), output(&mut h)), (State::Online, String::new()));

    // &D3: hang up, then the stored profile (echo back on), with no result code but NO CARRIER.
    let mut h = online();
    h.advance(2 * SECOND);
    typed(&mut h, "+++");
    h.advance(2 * SECOND);
    typed(&mut h, "AT&D3O\r");
    output(&mut h);
    actions(&mut h);
    h.dtr_off();
    assert_eq!(output(&mut h), "\r\nNO CARRIER\r\n");
    assert_eq!(actions(&mut h), vec![Action::HangUp, Action::Reset]);
    assert!(h.profile().echo);
    assert_eq!(h.profile().dtr, 2);
}
