use super::*;

fn run(text: &str) -> Chat {
    Chat::new(Script::parse(text).unwrap())
}

fn sent(chat: &mut Chat) -> Vec<u8> {
    let mut out = [0u8; 1024];
    let n = chat.transmit(&mut out);
    out[..n].to_vec()
}

fn logs(chat: &mut Chat) -> Vec<String> {
    core::iter::from_fn(|| chat.poll_log()).collect()
}

fn err(text: &str) -> ParseError {
    Script::parse(text).unwrap_err()
}

#[test]
fn a_login_runs_line_by_line() {
    let mut c = run("# comment\n\n   # indented comment\nlogin: guest\nPassword: secret\n\"> \" ppp\n");
    assert_eq!(c.script().len(), 3);
    assert_eq!(c.state(), State::Running { step: 0 });
    assert_eq!(c.expecting(), Some(&b"login:"[..]));
    assert!(sent(&mut c).is_empty(), "nothing before the prompt");
    c.receive(b"Welcome to the example ISP\r\nlog");
    assert!(sent(&mut c).is_empty());
    c.receive(b"in: ");
    assert_eq!(sent(&mut c), b"guest\r");
    assert_eq!(c.state(), State::Running { step: 1 });
    c.receive(b"guest\r\nPassword: ");
    assert_eq!(sent(&mut c), b"secret\r");
    c.receive(b"\r\n> ");
    assert_eq!(c.state(), State::Running { step: 2 }, "not done until the send has left");
    assert_eq!(sent(&mut c), b"ppp\r");
    assert_eq!(c.state(), State::Done { ppp_started: false });
    assert!(!c.ppp_started());
}

#[test]
fn an_empty_expect_sends_at_once_and_an_empty_send_is_a_cr() {
    let mut c = run("\"\" ATZ\nOK ''\nOK \"\"\n");
    assert_eq!(sent(&mut c), b"ATZ\r");
    c.receive(b"ATZ\r\r\nOK\r\n");
    assert_eq!(sent(&mut c), b"\r");
    // The second OK must not be the first one again: matching starts after the last match.
    assert_eq!(c.state(), State::Running { step: 2 });
    c.receive(b"OK");
    assert_eq!(sent(&mut c), b"\r");
    assert_eq!(c.state(), State::Done { ppp_started: false });
}

#[test]
fn sends_in_a_row_wait_for_the_previous_to_leave() {
    let mut c = run("'' first\n'' second\n");
    let mut out = [0u8; 3];
    assert_eq!(c.transmit(&mut out), 3);
    assert_eq!(&out, b"fir");
    assert_eq!(sent(&mut c), b"st\rsecond\r");
    assert_eq!(c.state(), State::Done { ppp_started: false });
}

#[test]
fn an_expect_that_came_while_sending_is_found() {
    // The prompt arrives before the first send has been taken.
    let mut c = run("'' hello\nlogin: me\n");
    c.receive(b"xx login: yy");
    assert_eq!(sent(&mut c), b"hello\rme\r");
    assert_eq!(c.state(), State::Done { ppp_started: false });
}

#[test]
fn an_expect_alone_sends_nothing() {
    let mut c = run("CONNECT\n");
    c.receive(b"CONNECT 2400\r\n");
    assert!(sent(&mut c).is_empty());
    assert_eq!(c.state(), State::Done { ppp_started: false });
}

#[test]
fn quoted_fields_and_escapes() {
    let mut c = run("'Login name:' \"John Smith\"\n\"a\\tb\\\\c\\\"\" x\\sy\\r\\n\n");
    c.receive(b"Login name:");
    assert_eq!(sent(&mut c), b"John Smith\r");
    c.receive(b"a\tb\\c\"");
    assert_eq!(sent(&mut c), b"x y\r\n\r");
    assert_eq!(c.state(), State::Done { ppp_started: false });
    // `\c` goes inside the quotes (after them it would be text after the quote).
    assert_eq!(err("q 'it\\'s'\\c").kind, ParseErrorKind::TextAfterQuote);
    let s = Script::parse("q 'it\\'s\\c'").unwrap();
    let mut c = Chat::new(s);
    c.receive(b"q");
    assert_eq!(sent(&mut c), b"it's", "\\c: no carriage return");
}

#[test]
fn parse_errors_say_the_line() {
    assert_eq!(err("ok\n\n'open").line, 3);
    assert_eq!(err("ok\n\n'open").kind, ParseErrorKind::UnterminatedQuote);
    assert_eq!(err("a b c").kind, ParseErrorKind::TooManyFields(3));
    assert_eq!(err("# x\nTIMEOUT").kind, ParseErrorKind::BadTimeout(String::new()));
    assert_eq!(err("# x\nTIMEOUT").line, 2);
    assert_eq!(err("TIMEOUT abc").kind, ParseErrorKind::BadTimeout("abc".into()));
    assert_eq!(err("TIMEOUT 0").kind, ParseErrorKind::BadTimeout("0".into()));
    assert_eq!(err("TIMEOUT -5").kind, ParseErrorKind::BadTimeout("-5".into()));
    assert_eq!(err("TIMEOUT 86401").kind, ParseErrorKind::BadTimeout("86401".into()));
    assert_eq!(err("TIMEOUT 5 6").kind, ParseErrorKind::TooManyFields(3));
    assert_eq!(err("ABORT").kind, ParseErrorKind::MissingAbortString);
    assert_eq!(err("ABORT ''").kind, ParseErrorKind::EmptyAbortString);
    assert_eq!(err("\"a\"b c").kind, ParseErrorKind::TextAfterQuote);
    assert_eq!(err("a\\q b").kind, ParseErrorKind::BadEscape('q'));
    assert_eq!(err("a\\é b").kind, ParseErrorKind::BadEscape('é'));
    assert_eq!(err("a b\\").kind, ParseErrorKind::TrailingBackslash);
    assert_eq!(err("a\\d b").kind, ParseErrorKind::SendOnlyEscape('d'));
    assert_eq!(err("ABORT x\\c").kind, ParseErrorKind::SendOnlyEscape('c'));
    assert_eq!(err("REPORT CONNECT").kind, ParseErrorKind::UnsupportedKeyword("REPORT".into()));
    assert_eq!(err(&format!("'' {}", "x".repeat(MAX_STRING + 1))).kind, ParseErrorKind::TooLong);
    assert!(Script::parse(&format!("'' {}", "x".repeat(MAX_STRING))).is_ok());
    let e = err("a\n'b");
    assert_eq!(e.to_string(), "chat script line 2: unterminated quote");
    // Keywords are keywords only unquoted; CR LF line ends are fine.
    let s: Script = "\"TIMEOUT\" 5\r\n'ABORT' x\r\n".parse().unwrap();
    assert_eq!(s.len(), 2);
    assert_eq!(s.line_of(1), Some(2));
    assert!(Script::parse("").unwrap().is_empty());
}

#[test]
fn an_empty_script_is_done_at_once() {
    let mut c = run("# nothing to do\n");
    assert_eq!(c.state(), State::Done { ppp_started: false });
    assert!(sent(&mut c).is_empty());
}

#[test]
fn an_expect_times_out() {
    let mut c = run("login: guest\n");
    c.advance(Duration::from_secs(29));
    c.receive(b"logi");
    assert!(c.is_running());
    c.advance(Duration::from_ms(999));
    assert!(c.is_running());
    c.advance(Duration::from_ms(1));
    assert_eq!(c.state(), State::Failed(Failure::Timeout { expect: "login:".into(), step: 0 }));
    // Nothing more happens.
    c.receive(b"n: ");
    assert!(sent(&mut c).is_empty());
    assert!(!c.is_running());
    let l = logs(&mut c);
    assert_eq!(l.last().unwrap(), "chat: timeout after 30 s waiting for \"login:\" (line 1)");
}

#[test]
fn timeout_lines_apply_to_later_expects() {
    let mut c = run("TIMEOUT 5\nfirst ''\nTIMEOUT 60\nsecond ''\n");
    c.advance(Duration::from_secs(4));
    c.receive(b"first");
    assert_eq!(sent(&mut c), b"\r");
    // Each expect's time starts when it starts.
    c.advance(Duration::from_secs(59));
    assert_eq!(c.state(), State::Running { step: 1 });
    c.advance(Duration::from_secs(1));
    assert_eq!(c.state(), State::Failed(Failure::Timeout { expect: "second".into(), step: 1 }));

    let mut c = run("TIMEOUT 5\nfirst ''\n");
    c.advance(Duration::from_secs(5));
    assert!(matches!(c.state(), State::Failed(Failure::Timeout { step: 0, .. })));
}

#[test]
fn abort_strings_fail_the_script() {
    let mut c = run("ABORT \"NO CARRIER\"\nABORT 'Login incorrect'\nlogin: guest\nPassword: secret\nmenu ''\n");
    c.receive(b"login: ");
    assert_eq!(sent(&mut c), b"guest\r");
    c.receive(b"Password: ");
    assert_eq!(sent(&mut c), b"secret\r");
    c.receive(b"\r\nLogin inc");
    assert!(c.is_running());
    c.receive(b"orrect\r\n");
    assert_eq!(c.state(), State::Failed(Failure::Aborted { string: "Login incorrect".into() }));
    assert!(logs(&mut c).contains(&"chat: got \"Login incorrect\", aborting".to_string()));
}

#[test]
fn an_abort_counts_from_its_line_on() {
    // BUSY before the ABORT line is just text; after it, it aborts.
    let mut c = run("ready ''\nABORT BUSY\nmore ''\n");
    c.receive(b"BUSY ready");
    assert_eq!(sent(&mut c), b"\r");
    assert_eq!(c.state(), State::Running { step: 1 });
    c.receive(b"BUSY");
    assert_eq!(c.state(), State::Failed(Failure::Aborted { string: "BUSY".into() }));
}

#[test]
fn an_abort_spanning_a_match_is_seen() {
    let mut c = run("ABORT \"NO CARRIER\"\nNO x\nY z\n");
    c.receive(b"NO");
    c.receive(b" CARRIER");
    assert_eq!(c.state(), State::Failed(Failure::Aborted { string: "NO CARRIER".into() }));
}

#[test]
fn delays_hold_the_rest_of_a_send() {
    let mut c = run("'' AT\\dZ\\pQ\n");
    assert_eq!(sent(&mut c), b"AT");
    c.advance(Duration::from_ms(999));
    assert!(sent(&mut c).is_empty());
    c.advance(Duration::from_ms(1));
    assert_eq!(sent(&mut c), b"Z");
    // Time beyond a delay goes on to the next.
    c.advance(Duration::from_ms(100));
    assert_eq!(sent(&mut c), b"Q\r");
    assert_eq!(c.state(), State::Done { ppp_started: false });
    let l = logs(&mut c);
    assert_eq!(l[0], "chat: send \"AT\\dZ\\pQ\"");

    // One long advance runs through a delay and into the next expect's timeout.
    let mut c = run("'' a\\db\nnever ''\n");
    let _ = sent(&mut c);
    c.advance(Duration::from_secs(30));
    assert_eq!(sent(&mut c), b"b\r");
    assert!(c.is_running());
    c.advance(Duration::from_secs(1));
    assert!(!c.is_running());
}

#[test]
fn ppp_start_is_found_across_split_reads() {
    for start in PPP_STARTS {
        for split in 0..=start.len() {
            let mut c = run("login: guest\n");
            c.receive(b"Welcome ");
            let mut line = start.to_vec();
            line.extend_from_slice(&[0xC0, 0x21, 0x7D, 0x21]);
            c.receive(&line[..split]);
            assert!(!c.ppp_started() || split == start.len(), "{start:x?} {split}");
            c.receive(&line[split..]);
            assert!(c.ppp_started(), "{start:x?} {split}");
            assert_eq!(c.state(), State::Done { ppp_started: true });
            let mut left = Vec::new();
            c.take_leftover(&mut left);
            assert_eq!(left, line, "the bytes from the flag on");
            // Later bytes go on the leftover too.
            c.receive(b"\x7e\x7e");
            c.take_leftover(&mut left);
            assert_eq!(left.len(), line.len() + 2);
            assert!(sent(&mut c).is_empty());
        }
    }
}

#[test]
fn ppp_start_drops_what_was_still_to_send() {
    let mut c = run("'' hello\n");
    c.receive(&[b'x', 0x7E, 0xFF, 0x03, 0xC0, 0x21]);
    assert!(c.ppp_started());
    assert!(sent(&mut c).is_empty());
    let mut left = Vec::new();
    c.take_leftover(&mut left);
    assert_eq!(left, [0x7E, 0xFF, 0x03, 0xC0, 0x21]);
    assert!(logs(&mut c).iter().any(|l| l == "chat: PPP frames arrived, done"));
}

#[test]
fn ppp_after_the_script_is_done_is_still_found_and_after_failure_not() {
    let mut c = run("'' ppp\n");
    let _ = sent(&mut c);
    assert_eq!(c.state(), State::Done { ppp_started: false });
    c.receive(b"ppp\r\n\x7e\xff\x7d\x23\xc0");
    assert_eq!(c.state(), State::Done { ppp_started: true });
    let mut left = Vec::new();
    c.take_leftover(&mut left);
    assert_eq!(left, b"\x7e\xff\x7d\x23\xc0");

    let mut c = run("x y\n");
    c.advance(Duration::from_secs(30));
    c.receive(b"\x7e\xff\x03");
    assert!(!c.ppp_started());
}

#[test]
fn the_leftover_is_bounded() {
    let mut c = run("x y\n");
    c.receive(&[0x7E, 0xFF, 0x03]);
    c.receive(&vec![0x55; LEFTOVER_MAX + 100]);
    let mut left = Vec::new();
    c.take_leftover(&mut left);
    assert_eq!(left.len(), LEFTOVER_MAX);
    assert_eq!(c.leftover_dropped(), 103);
    c.receive(b"abc");
    left.clear();
    c.take_leftover(&mut left);
    assert_eq!(left, b"abc", "room again once taken");
}

#[test]
fn the_log_says_what_happened_and_hides_passwords() {
    let mut c = run("login: guest\nPassword: hunter2\n'' plain\nssword: 'another secret'\nPIN: 1234\n");
    c.receive(b"login: ");
    c.receive(b"Password: ");
    c.receive(b"ssword: ");
    c.receive(b"PIN: ");
    let mut all = Vec::new();
    while !sent(&mut c).is_empty() {}
    let l = logs(&mut c);
    all.extend(l.iter().cloned());
    assert_eq!(
        l,
        [
            "chat: expect \"login:\"",
            "chat: got it, send \"guest\"",
            "chat: expect \"Password:\"",
            "chat: got it, send \"********\"",
            "chat: send \"plain\"",
            "chat: expect \"ssword:\"",
            "chat: got it, send \"********\"",
            "chat: expect \"PIN:\"",
            "chat: got it, send \"********\"",
            "chat: done",
        ]
    );
    for secret in ["hunter2", "another secret", "1234"] {
        assert!(!all.iter().any(|l| l.contains(secret)), "{secret} logged");
    }
    // Nor does the script's debug form show it.
    assert!(!format!("{:?}", c.script()).contains("hunter2"));
}

#[test]
fn the_log_escapes_and_is_bounded() {
    assert_eq!(show(b"a\r\n\"\\\x01\xff"), "a\\r\\n\\\"\\\\\\x01\\xff");
    let text: String = (0..LOG_MAX + 10).map(|i| format!("e{i} ''\n")).collect();
    let mut c = run(&text);
    for i in 0..LOG_MAX + 10 {
        c.receive(format!("e{i}").as_bytes());
        let _ = sent(&mut c);
    }
    assert_eq!(c.state(), State::Done { ppp_started: false });
    assert_eq!(logs(&mut c).len(), LOG_MAX);
    assert!(c.log_dropped() > 0);
}

#[test]
fn matching_keeps_a_bounded_window() {
    let mut c = run("TIMEOUT 5\nlogin: x\n");
    let noise = vec![b'.'; 10 * MAX_STRING + 3];
    for chunk in noise.chunks(77) {
        c.receive(chunk);
        assert!(c.window.len() <= WINDOW);
        assert_eq!(c.window.capacity(), WINDOW.max(c.window.capacity()));
    }
    let cap = c.window.capacity();
    c.receive(b"log");
    c.receive(b"in:");
    assert_eq!(sent(&mut c), b"x\r");
    assert_eq!(c.window.capacity(), cap, "no growth");
}

#[test]
fn a_long_expect_matches_across_the_window_halving() {
    let expect = "y".repeat(MAX_STRING);
    let mut c = run(&format!("{expect} ok\n"));
    c.receive(&vec![b'x'; WINDOW - 10]);
    c.receive(expect.as_bytes());
    assert_eq!(sent(&mut c), b"ok\r");
}
