//! The line splitter, the response parser, and commands and responses emitted and parsed back.

use crate::phone::wire::*;

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

