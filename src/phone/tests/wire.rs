//! The line splitter, the response parser, and commands and responses emitted and parsed back.

use crate::phone::wire::*;
use crate::sim::rng::Rng;

fn lines(chunks: &[&[u8]]) -> Vec<Response> {
    let mut s = LineSplitter::new();
    let mut out = Vec::new();
    for c in chunks {
        s.push(c, |l| out.push(parse(l)));
    }
    out
}

fn non_blank(chunks: &[&[u8]]) -> Vec<Response> {
    lines(chunks).into_iter().filter(|r| *r != Response::Blank).collect()
}

#[test]
fn final_result_codes() {
    let cases: [(&str, FinalResult); 11] = [
        ("OK", FinalResult::Ok),
        ("ERROR", FinalResult::Error),
        ("NO CARRIER", FinalResult::NoCarrier),
        ("BUSY", FinalResult::Busy),
        ("NO ANSWER", FinalResult::NoAnswer),
        ("NO DIALTONE", FinalResult::NoDialtone),
        ("NO DIAL TONE", FinalResult::NoDialtone),
        ("CONNECT", FinalResult::Connect(String::new())),
        ("CONNECT 9600", FinalResult::Connect("9600".into())),
        ("+CME ERROR: 30", FinalResult::CmeError(ErrorCode::Numeric(30))),
        (
            "+CME ERROR: operation not allowed",
            FinalResult::CmeError(ErrorCode::Verbose("operation not allowed".into())),
        ),
    ];
    for (line, want) in cases {
        assert_eq!(parse_line(line.as_bytes()), Response::Final(want.clone()), "{line}");
        assert_eq!(FinalResult::text(&want).to_ascii_uppercase().replace("DIAL TONE", "DIALTONE"), {
            let l = line.to_ascii_uppercase();
            l.replace("DIAL TONE", "DIALTONE")
        });
    }
    assert_eq!(parse_line(b" ok "), Response::Final(FinalResult::Ok));
    assert_eq!(parse_line(b"+CMS ERROR: 500"), Response::Final(FinalResult::CmsError(ErrorCode::Numeric(500))));
    assert!(FinalResult::Ok.is_success() && !FinalResult::Busy.is_success());
}

#[test]
fn unsolicited_codes() {
    assert_eq!(parse_line(b"RING"), Response::Ring);
    assert_eq!(parse_line(b"+CRING: VOICE"), Response::Cring("VOICE".into()));
    assert_eq!(parse_line(b"+CRING: REL ASYNC"), Response::Cring("REL ASYNC".into()));
    assert_eq!(
        parse_line(b"+CLIP: \"+445551234\",145,,,\"Alice\",0"),
        Response::Clip(CallerId {
            number: Some("+445551234".into()),
            number_type: Some(145),
            alpha: Some("Alice".into()),
            validity: Some(0),
        })
    );
    assert_eq!(
        parse_line(b"+CLIP: \"\",128,,,,1"),
        Response::Clip(CallerId { number: None, number_type: Some(128), alpha: None, validity: Some(1) })
    );
    assert_eq!(
        parse_line(b"+CLIP:5551234,129"),
        Response::Clip(CallerId {
            number: Some("5551234".into()),
            number_type: Some(129),
            alpha: None,
            validity: None
        })
    );
    assert_eq!(parse_line(b"+CIEV: 2,1"), Response::Ciev { indicator: IndicatorRef::Index(2), value: 1 });
    assert_eq!(parse_line(b"+CIEV:3,0"), Response::Ciev { indicator: IndicatorRef::Index(3), value: 0 });
    assert_eq!(
        parse_line(b"+CIEV: \"callsetup\",2"),
        Response::Ciev { indicator: IndicatorRef::Name("callsetup".into()), value: 2 }
    );
    assert!(matches!(parse_line(b"+CIEV: 2"), Response::Other(_)));
    assert!(matches!(parse_line(b"+CIEV: 2,x"), Response::Other(_)));
}

#[test]
fn current_calls() {
    assert_eq!(
        parse_line(b"+CLCC: 1,0,3,0,0,\"5551234\",129"),
        Response::Clcc(CallEntry {
            id: 1,
            direction: Direction::Outgoing,
            state: CallState::Alerting,
            mode: 0,
            multiparty: false,
            number: Some("5551234".into()),
            number_type: Some(129),
        })
    );
    let Response::Clcc(c) = parse_line(b"+CLCC: 2,1,4,0,0") else { panic!() };
    assert_eq!((c.id, c.direction, c.state, c.number), (2, Direction::Incoming, CallState::Incoming, None));
    let Response::Clcc(c) = parse_line(b"+CLCC: 1,1,0,0,1,\"+1 555\",145,\"Bob, jr\",,0") else { panic!() };
    assert!(c.multiparty);
    assert_eq!(c.number.as_deref(), Some("+1 555"));
    for code in 0..7 {
        assert_eq!(CallState::from_code(code).code(), code);
    }
    assert!(matches!(parse_line(b"+CLCC: 1,0,3"), Response::Other(_)));
    assert!(matches!(parse_line(b"+CLCC: 1,7,3,0,0"), Response::Other(_)));
    assert!(matches!(parse_line(b"+CLCC: 99999999999,0,3,0,0"), Response::Other(_)));
}

#[test]
fn indicators_and_features() {
    let list = b"+CIND: (\"service\",(0,1)),(\"call\",(0,1)),(\"callsetup\",(0-3)),(\"callheld\",(0-2)),\
(\"signal\",(0-5)),(\"roam\",(0,1)),(\"battchg\",(0-5))";
    let Response::CindSupported(l) = parse_line(list) else { panic!("{:?}", parse_line(list)) };
    let names: Vec<&str> = l.iter().map(|i| i.name.as_str()).collect();
    assert_eq!(names, ["service", "call", "callsetup", "callheld", "signal", "roam", "battchg"]);
    assert_eq!((l[2].min, l[2].max), (0, 3));
    assert_eq!((l[1].min, l[1].max), (0, 1));
    let Response::CindSupported(l) = parse_line(b"+CIND: (\"call\",(0-1,3)), (call_setup,(0-3))") else { panic!() };
    assert_eq!((l[0].max, l[1].name.as_str()), (3, "call_setup"));
    assert_eq!(parse_line(b"+CIND: 1,0,0,0,5,0,5"), Response::CindValues(vec![1, 0, 0, 0, 5, 0, 5]));
    assert!(matches!(parse_line(b"+CIND: 1,,x"), Response::Other(_)));
    assert!(matches!(parse_line(b"+CIND: (\"call\")"), Response::Other(_)));
    assert!(matches!(parse_line(b"+CIND: (\"call\",(a-b))"), Response::Other(_)));
    assert_eq!(parse_line(b"+BRSF: 871"), Response::Brsf(871));
    assert!(matches!(parse_line(b"+BRSF: -1"), Response::Other(_)));
}

#[test]
fn echo_blank_and_other() {
    assert_eq!(parse_line(b"ATD5551234;"), Response::Echo("ATD5551234;".into()));
    assert_eq!(parse_line(b"at+clcc"), Response::Echo("at+clcc".into()));
    assert_eq!(parse_line(b""), Response::Blank);
    assert_eq!(parse_line(b"   \t"), Response::Blank);
    assert_eq!(parse_line(b"+COPS: 0,0,\"Net\""), Response::Other("+COPS: 0,0,\"Net\"".into()));
    assert_eq!(parse_line(b"RINGING"), Response::Other("RINGING".into()));
    assert_eq!(parse_line(b"+"), Response::Other("+".into()));
    assert!(matches!(parse_line(&[0xff, 0xfe, b'O', b'K']), Response::Other(_)));
}

#[test]
fn line_ends_nuls_and_partial_lines() {
    // V.250 framing, an echo ended by CR alone, bare LF, bare CR, NULs, split reads.
    let got =
        non_blank(&[b"AT+CLCC\r\r\n+CLCC: 1,0,2,0,0\r", b"\n\r\nO", b"\0K\r\n", b"RING\nBUSY\rNO CAR", b"RIER\n"]);
    assert_eq!(got.len(), 6, "{got:?}");
    assert_eq!(got[0], Response::Echo("AT+CLCC".into()));
    assert!(matches!(got[1], Response::Clcc(_)));
    assert_eq!(got[2], Response::Final(FinalResult::Ok));
    assert_eq!(got[3], Response::Ring);
    assert_eq!(got[4], Response::Final(FinalResult::Busy));
    assert_eq!(got[5], Response::Final(FinalResult::NoCarrier));
    // CR LF is one line end; LF CR is two.
    assert_eq!(lines(&[b"OK\r\n"]).len(), 1);
    assert_eq!(lines(&[b"OK\n\r"]).len(), 2);
    // A NUL between CR and LF does not split the pair.
    assert_eq!(lines(&[b"OK\r\0\n"]).len(), 1);
    // One byte at a time gives the same as all at once.
    let all = b"\r\n+CRING: VOICE\r\n\r\n+CLIP: \"123\",129\r\n";
    let bytewise: Vec<&[u8]> = all.chunks(1).collect();
    assert_eq!(lines(&bytewise), lines(&[all]));
    let mut s = LineSplitter::new();
    s.push(b"partial", |_| panic!("no line end yet"));
    assert_eq!(s.pending(), 7);
    s.clear();
    assert_eq!(s.pending(), 0);
}

#[test]
fn overlong_lines_are_truncated_and_flagged() {
    let mut long = vec![b'x'; MAX_LINE + 100];
    long.extend_from_slice(b"OK\r\nOK\r\n");
    let got = lines(&[&long]);
    assert_eq!(got.len(), 2);
    let Response::Overlong(t) = &got[0] else { panic!() };
    assert_eq!(t.len(), MAX_LINE);
    assert_eq!(got[1], Response::Final(FinalResult::Ok));
    // Exactly MAX_LINE is not truncated.
    let mut exact = vec![b'y'; MAX_LINE];
    exact.push(b'\n');
    assert!(matches!(&lines(&[&exact])[0], Response::Other(t) if t.len() == MAX_LINE));
}

#[test]
fn field_limit_is_bounded() {
    let mut l = String::from("+CIND: ");
    for _ in 0..1000 {
        l.push_str("1,");
    }
    l.push('1');
    let mut s = LineSplitter::new();
    let mut got = Vec::new();
    s.push(l.as_bytes(), |_| {});
    s.push(b"\n", |line| got.push(parse(line)));
    assert!(matches!(&got[0], Response::Overlong(_)));
    match parse_line(l.as_bytes()) {
        Response::CindValues(v) => assert_eq!(v.len(), MAX_FIELDS),
        r => panic!("{r:?}"),
    }
}

// ---- Emit and parse back ----

/// Every command, with the line it is written as.
fn every_command() -> Vec<(Command, &'static [u8])> {
    vec![
        (Command::EchoOff, b"ATE0V1\r"),
        (Command::ReportErrors, b"AT+CMEE=1\r"),
        (Command::CellularResultCodes, b"AT+CRC=1\r"),
        (Command::CallingLineId, b"AT+CLIP=1\r"),
        (Command::SupportedFeatures(4), b"AT+BRSF=4\r"),
        (Command::IndicatorList, b"AT+CIND=?\r"),
        (Command::IndicatorValues, b"AT+CIND?\r"),
        (Command::EventReporting, b"AT+CMER=3,0,0,1\r"),
        (Command::Dial(DialString::new("555-1234").unwrap()), b"ATD5551234;\r"),
        (Command::Answer, b"ATA\r"),
        (Command::HangUp, b"AT+CHUP\r"),
        (Command::OnHook, b"ATH\r"),
        (Command::ListCalls, b"AT+CLCC\r"),
    ]
}

#[test]
fn commands_emit_and_parse_back() {
    for (command, line) in every_command() {
        let mut out = Vec::new();
        command.emit(&mut out);
        assert_eq!(out, line, "{command:?}");
        assert_eq!(format!("{command}\r").as_bytes(), line);
        assert!(line.starts_with(command.name().as_bytes()), "{command:?}");
        // Back, with its CR, without, and in lower case.
        assert_eq!(Command::parse(line), Some(command.clone()));
        assert_eq!(Command::parse(&line[..line.len() - 1]), Some(command.clone()));
        assert_eq!(Command::parse(line.to_ascii_lowercase().as_slice()), Some(command.clone()));
    }
    // Names are what failures quote.
    let names: Vec<&str> = every_command().iter().map(|(c, _)| c.name()).collect();
    assert_eq!(
        names,
        [
            "ATE0V1",
            "AT+CMEE",
            "AT+CRC",
            "AT+CLIP",
            "AT+BRSF",
            "AT+CIND=?",
            "AT+CIND?",
            "AT+CMER",
            "ATD",
            "ATA",
            "AT+CHUP",
            "ATH",
            "AT+CLCC"
        ]
    );
}

#[test]
fn command_parse_takes_only_what_emit_writes() {
    let not_ours: [&[u8]; 12] = [
        b"",
        b"AT",
        b"ATD;",
        b"ATD5551234",
        b"ATD12;ATH;",
        b"AT+BRSF=",
        b"AT+BRSF=x",
        b"AT+CMEE=2",
        b"AT+CLCC=?",
        b"ATE0",
        b"AT+CHUP\r\r",
        &[b'A', b'T', 0xff],
    ];
    for line in not_ours {
        assert_eq!(Command::parse(line), None, "{:?}", String::from_utf8_lossy(line));
    }
    // A dial string goes through DialString::new.
    assert_eq!(Command::parse(b"atdt555 1234;"), Some(Command::Dial(DialString::new("T5551234").unwrap())));
}

#[test]
fn dial_strings_and_features_round_trip() {
    let mut rng = Rng::new(8);
    let alphabet = b"0123456789*#ABCDabcdWPTwpt,!@ -.()/";
    for _ in 0..2000 {
        let n = 1 + rng.below(MAX_DIAL as u32 + 8) as usize;
        let mut number: String = (0..n).map(|_| alphabet[rng.below(alphabet.len() as u32) as usize] as char).collect();
        if rng.below(4) == 0 {
            number.insert(0, '+');
        }
        let features = rng.next_u32();
        for command in [DialString::new(&number).map(Command::Dial), Some(Command::SupportedFeatures(features))] {
            let Some(command) = command else { continue };
            let mut out = Vec::new();
            command.emit(&mut out);
            assert_eq!(
                out.iter().filter(|&&b| b == b'\r' || b == b';').count(),
                1 + matches!(command, Command::Dial(_)) as usize
            );
            assert_eq!(Command::parse(&out), Some(command));
        }
    }
    assert_eq!(ABORT, b"\r");
}

/// `r` emitted, split and parsed: the responses that are not blank.
fn reparsed(r: &Response) -> Vec<Response> {
    let mut out = Vec::new();
    r.emit(&mut out);
    assert!(out.starts_with(b"\r\n") && out.ends_with(b"\r\n"));
    non_blank(&[&out])
}

/// One of every kind of response, in canonical form.
fn every_response() -> Vec<Response> {
    let clcc = CallEntry {
        id: 1,
        direction: Direction::Outgoing,
        state: CallState::Alerting,
        mode: 0,
        multiparty: false,
        number: Some("5551234".into()),
        number_type: Some(129),
    };
    let clip = CallerId { number: Some("+445551234".into()), number_type: Some(145), alpha: None, validity: Some(0) };
    let spec = |name: &str, min, max| IndicatorSpec { name: name.into(), min, max };
    vec![
        Response::Echo("ATD5551234;".into()),
        Response::Final(FinalResult::Ok),
        Response::Final(FinalResult::Connect(String::new())),
        Response::Final(FinalResult::Connect("9600/V.32".into())),
        Response::Final(FinalResult::Error),
        Response::Final(FinalResult::CmeError(ErrorCode::Numeric(30))),
        Response::Final(FinalResult::CmeError(ErrorCode::Verbose("operation not allowed".into()))),
        Response::Final(FinalResult::CmsError(ErrorCode::Numeric(500))),
        Response::Final(FinalResult::NoCarrier),
        Response::Final(FinalResult::Busy),
        Response::Final(FinalResult::NoAnswer),
        Response::Final(FinalResult::NoDialtone),
        Response::Ring,
        Response::Cring("VOICE".into()),
        Response::Cring("REL ASYNC".into()),
        Response::Clip(clip.clone()),
        Response::Clip(CallerId { number: None, number_type: Some(128), alpha: None, validity: Some(1) }),
        Response::Clip(CallerId { alpha: Some("Bob, jr".into()), validity: None, ..clip.clone() }),
        Response::Clip(CallerId { number_type: None, alpha: Some("Alice".into()), ..clip.clone() }),
        Response::Clip(CallerId { number: Some("5551234".into()), number_type: None, alpha: None, validity: None }),
        Response::Clip(CallerId { number: None, number_type: None, alpha: None, validity: None }),
        Response::Ciev { indicator: IndicatorRef::Index(2), value: 1 },
        Response::Ciev { indicator: IndicatorRef::Name("callsetup".into()), value: 3 },
        Response::Clcc(clcc.clone()),
        Response::Clcc(CallEntry { number: None, number_type: None, ..clcc.clone() }),
        Response::Clcc(CallEntry { number: None, ..clcc.clone() }),
        Response::Clcc(CallEntry { number_type: None, multiparty: true, state: CallState::Other(9), ..clcc.clone() }),
        Response::Clcc(CallEntry { direction: Direction::Incoming, state: CallState::Incoming, mode: 9, ..clcc }),
        Response::CindSupported(vec![spec("service", 0, 1), spec("callsetup", 0, 3), spec("x", 5, 5)]),
        Response::CindValues(vec![1, 0, 0, 0, 5, 0, 5]),
        Response::Brsf(871),
        Response::Other("+COPS: 0,0,\"Net\"".into()),
    ]
}

#[test]
fn responses_emit_and_parse_back() {
    for r in every_response() {
        assert_eq!(reparsed(&r), std::slice::from_ref(&r), "{r}");
    }
    let mut out = Vec::new();
    Response::Blank.emit(&mut out);
    assert!(non_blank(&[&out]).is_empty());
}

#[test]
fn responses_are_written_as_phones_write_them() {
    let texts: Vec<String> = every_response().iter().map(|r| r.to_string()).collect();
    for want in [
        "+CLCC: 1,0,3,0,0,\"5551234\",129",
        "+CLCC: 1,0,3,0,0",
        "+CLCC: 1,0,3,0,0,\"\",129",
        "+CLIP: \"+445551234\",145,,,,0",
        "+CLIP: \"\",128,,,,1",
        "+CLIP: \"+445551234\",145,,,\"Bob, jr\"",
        "+CLIP: \"5551234\"",
        "+CIEV: 2,1",
        "+CIEV: \"callsetup\",3",
        "+CIND: (\"service\",(0,1)),(\"callsetup\",(0-3)),(\"x\",(5))",
        "+CIND: 1,0,0,0,5,0,5",
        "+BRSF: 871",
        "+CRING: VOICE",
        "+CME ERROR: 30",
        "CONNECT 9600/V.32",
        "NO DIALTONE",
        "RING",
    ] {
        assert!(texts.iter().any(|t| t == want), "{want} not in {texts:?}");
    }
    let mut out = Vec::new();
    Response::Ring.emit(&mut out);
    assert_eq!(out, b"\r\nRING\r\n");
}

#[test]
fn what_parse_gives_emits_back_to_itself() {
    let lines: [&[u8]; 14] = [
        b"ok",
        b"+cme error: 3",
        b"NO DIAL TONE",
        b"CONNECT",
        b"+CLIP:5551234,129",
        b"+CLIP: \"+445551234\",145,,,\"Alice\",0",
        b"+CIEV:3,0",
        b"+CLCC: 1,1,0,0,1,\"+1 555\",145,\"Bob, jr\",,0",
        b"+CLCC: 2,1,4,0,0",
        b"+CIND: (\"call\",(0-1,3)), (call_setup,(0-3))",
        b"+CIND: (\"service\",(0,1)),(\"call\",(0,1)),(\"callsetup\",(0-3))",
        b"+CIND: 1,0,0",
        b"+BRSF: 0",
        b"+CRING: FAX",
    ];
    for line in lines {
        let r = parse_line(line);
        assert!(!matches!(r, Response::Other(_)), "{r:?}");
        assert_eq!(reparsed(&r), std::slice::from_ref(&r), "{}", String::from_utf8_lossy(line));
    }
    // The exceptions the documentation lists.
    let r = Response::Overlong("x".repeat(10));
    assert_eq!(reparsed(&r), [Response::Other("x".repeat(10))]);
    let r = Response::Final(FinalResult::CmeError(ErrorCode::Verbose("30".into())));
    assert_eq!(reparsed(&r), [Response::Final(FinalResult::CmeError(ErrorCode::Numeric(30)))]);
    assert!(matches!(&reparsed(&Response::CindValues(Vec::new()))[0], Response::Other(_)));
}

#[test]
fn random_calls_and_callers_round_trip() {
    let mut rng = Rng::new(9);
    let text = |rng: &mut Rng, alphabet: &[u8]| -> Option<String> {
        let n = rng.below(12) as usize;
        let s: String = (0..n).map(|_| alphabet[rng.below(alphabet.len() as u32) as usize] as char).collect();
        let s = s.trim().to_string();
        (!s.is_empty()).then_some(s)
    };
    let maybe = |rng: &mut Rng, n: u32| (rng.below(3) > 0).then(|| rng.next_u32() % n);
    for _ in 0..3000 {
        let number = text(&mut rng, b"0123456789+*# ");
        let entry = CallEntry {
            id: rng.next_u32() % 100,
            direction: if rng.below(2) == 0 { Direction::Outgoing } else { Direction::Incoming },
            state: CallState::from_code(rng.below(8)),
            mode: rng.below(10),
            multiparty: rng.below(2) == 0,
            number: number.clone(),
            number_type: maybe(&mut rng, 256),
        };
        let id = CallerId {
            number,
            number_type: maybe(&mut rng, 256),
            alpha: text(&mut rng, b"abcXYZ ,()-.0123"),
            validity: maybe(&mut rng, 3),
        };
        let ciev = Response::Ciev {
            indicator: match text(&mut rng, b"abcdelsu_") {
                Some(name) if rng.below(2) == 0 => IndicatorRef::Name(name),
                _ => IndicatorRef::Index(rng.below(20)),
            },
            value: rng.below(6),
        };
        for r in [Response::Clcc(entry.clone()), Response::Clip(id.clone()), ciev] {
            assert_eq!(reparsed(&r), std::slice::from_ref(&r), "{r}");
        }
    }
}
