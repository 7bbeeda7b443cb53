use super::*;

/// An engine that asks for nothing at the start.
fn quiet() -> Telnet {
    Telnet::new(Config { initiate: false, ..Config::default() })
}

fn sent(t: &mut Telnet) -> Vec<u8> {
    let mut out = vec![0u8; 2 * QUEUE_CAPACITY];
    let n = t.transmit(&mut out);
    out.truncate(n);
    out
}

fn shown(t: &mut Telnet, net: &[u8]) -> Vec<u8> {
    let mut d = Vec::new();
    t.receive(net, &mut |x| d.extend_from_slice(x));
    d
}

#[test]
fn the_start_asks_for_sga_and_binary_if_configured() {
    let mut t = Telnet::new(Config::default());
    assert_eq!(sent(&mut t), [IAC, DO, SUPPRESS_GO_AHEAD]);
    let mut t = Telnet::new(Config { binary: true, ..Config::default() });
    assert_eq!(sent(&mut t), [IAC, DO, SUPPRESS_GO_AHEAD, IAC, DO, BINARY, IAC, WILL, BINARY]);
    assert!(sent(&mut quiet()).is_empty());
}

#[test]
fn other_options_are_refused_with_exactly_dont_and_wont() {
    let mut t = quiet();
    // WILL STATUS, WILL LINEMODE(34), DO ECHO (we do not echo), DO TIMING-MARK, DO 200.
    let d = shown(&mut t, &[IAC, WILL, 5, IAC, WILL, 34, IAC, DO, ECHO, IAC, DO, 6, IAC, DO, 200]);
    assert!(d.is_empty());
    assert_eq!(sent(&mut t), [IAC, DONT, 5, IAC, DONT, 34, IAC, WONT, ECHO, IAC, WONT, 6, IAC, WONT, 200]);
    assert_eq!(t.options(), Options::default());
    // WONT and DONT for what is off are not answered.
    shown(&mut t, &[IAC, WONT, 5, IAC, DONT, 6, IAC, WONT, ECHO]);
    assert!(sent(&mut t).is_empty());
    assert_eq!(t.errors(), Errors::default());
}

#[test]
fn accepted_options_are_agreed_once() {
    let mut t = quiet();
    let net = [
        IAC,
        WILL,
        ECHO,
        IAC,
        WILL,
        SUPPRESS_GO_AHEAD,
        IAC,
        WILL,
        BINARY,
        IAC,
        DO,
        BINARY,
        IAC,
        DO,
        SUPPRESS_GO_AHEAD,
        IAC,
        DO,
        TERMINAL_TYPE,
    ];
    shown(&mut t, &net);
    assert_eq!(
        sent(&mut t),
        [
            IAC,
            DO,
            ECHO,
            IAC,
            DO,
            SUPPRESS_GO_AHEAD,
            IAC,
            DO,
            BINARY,
            IAC,
            WILL,
            BINARY,
            IAC,
            WILL,
            SUPPRESS_GO_AHEAD,
            IAC,
            WILL,
            TERMINAL_TYPE
        ]
    );
    let o = t.options();
    assert!(o.remote_echo && o.remote_sga && o.remote_binary && o.local_binary && o.local_sga && o.terminal_type);
    assert!(!o.window_size);
    // The same again changes nothing and is not answered (no loop).
    shown(&mut t, &net);
    assert!(sent(&mut t).is_empty());
}

#[test]
fn our_request_answered_by_the_offer_is_not_answered_again() {
    // RFC 1143's point: we send DO SGA while the server, on its own, sends WILL SGA. Its WILL
    // is the answer to our DO; answering it with another DO would start a loop.
    let mut t = Telnet::new(Config::default());
    assert_eq!(sent(&mut t), [IAC, DO, SUPPRESS_GO_AHEAD]);
    assert_eq!(t.option_state(SUPPRESS_GO_AHEAD).0.state, Q::WantYes);
    shown(&mut t, &[IAC, WILL, SUPPRESS_GO_AHEAD]);
    assert!(sent(&mut t).is_empty());
    assert!(t.options().remote_sga);
    // And the server answering our DO with WONT leaves it off, unanswered.
    let mut t = Telnet::new(Config::default());
    sent(&mut t);
    shown(&mut t, &[IAC, WONT, SUPPRESS_GO_AHEAD]);
    assert!(sent(&mut t).is_empty());
    assert!(!t.options().remote_sga);
    assert_eq!(t.request_remote(SUPPRESS_GO_AHEAD, true), Ok(()));
    assert_eq!(sent(&mut t), [IAC, DO, SUPPRESS_GO_AHEAD], "asking again is up to us");
}

#[test]
fn two_engines_negotiate_to_rest() {
    // Two of us facing each other, both asking for everything they may: the exchange ends.
    let mut a = Telnet::new(Config { binary: true, ..Config::default() });
    let mut b = Telnet::new(Config { binary: true, ..Config::default() });
    let _ = a.request_local(NAWS, true);
    let _ = b.request_local(TERMINAL_TYPE, true);
    let mut rounds = 0;
    loop {
        let (x, y) = (sent(&mut a), sent(&mut b));
        if x.is_empty() && y.is_empty() {
            break;
        }
        assert!(shown(&mut b, &x).is_empty());
        assert!(shown(&mut a, &y).is_empty());
        rounds += 1;
        assert!(rounds < 10, "negotiation loops");
    }
    assert!(a.options().local_binary && a.options().remote_binary && b.options().remote_sga);
}

#[test]
fn queued_opposite_request_is_carried_out() {
    let mut t = Telnet::new(Config::default());
    sent(&mut t);
    // Asked for SGA, then changed our mind before the answer: the WILL is answered with DONT.
    assert_eq!(t.request_remote(SUPPRESS_GO_AHEAD, false), Ok(()));
    assert!(sent(&mut t).is_empty());
    assert_eq!(t.request_remote(SUPPRESS_GO_AHEAD, false), Err(RequestError::Queued));
    shown(&mut t, &[IAC, WILL, SUPPRESS_GO_AHEAD]);
    assert_eq!(sent(&mut t), [IAC, DONT, SUPPRESS_GO_AHEAD]);
    shown(&mut t, &[IAC, WONT, SUPPRESS_GO_AHEAD]);
    assert!(sent(&mut t).is_empty());
    assert!(!t.options().remote_sga);
    assert_eq!(t.errors().protocol, 0);
}

#[test]
fn a_disabled_option_answered_by_enable_is_an_error_not_a_loop() {
    let mut t = quiet();
    shown(&mut t, &[IAC, WILL, ECHO]);
    assert_eq!(sent(&mut t), [IAC, DO, ECHO]);
    assert_eq!(t.request_remote(ECHO, false), Ok(()));
    assert_eq!(sent(&mut t), [IAC, DONT, ECHO]);
    // WILL answering our DONT: RFC 1143 says error, option off, nothing sent.
    shown(&mut t, &[IAC, WILL, ECHO]);
    assert!(sent(&mut t).is_empty());
    assert_eq!(t.errors().protocol, 1);
    assert!(!t.options().remote_echo);
}

#[test]
fn the_server_turning_an_option_off_is_acknowledged() {
    let mut t = quiet();
    shown(&mut t, &[IAC, WILL, ECHO, IAC, DO, BINARY]);
    sent(&mut t);
    shown(&mut t, &[IAC, WONT, ECHO, IAC, DONT, BINARY]);
    assert_eq!(sent(&mut t), [IAC, DONT, ECHO, IAC, WONT, BINARY]);
    assert_eq!(t.options(), Options::default());
}

#[test]
fn terminal_type_is_answered_when_agreed() {
    let mut t = Telnet::new(Config { terminal_type: "xterm-256color".into(), initiate: false, ..Config::default() });
    let send = [IAC, SB, TERMINAL_TYPE, 1, IAC, SE];
    // Not agreed yet: ignored.
    shown(&mut t, &send);
    assert!(sent(&mut t).is_empty());
    shown(&mut t, &[IAC, DO, TERMINAL_TYPE]);
    assert_eq!(sent(&mut t), [IAC, WILL, TERMINAL_TYPE]);
    for _ in 0..2 {
        shown(&mut t, &send);
        let mut want = vec![IAC, SB, TERMINAL_TYPE, 0];
        want.extend_from_slice(b"xterm-256color");
        want.extend_from_slice(&[IAC, SE]);
        assert_eq!(sent(&mut t), want, "the same name each time");
    }
    // The default, and a name cleaned up and cut to 40 characters.
    let mut t = quiet();
    shown(&mut t, &[IAC, DO, TERMINAL_TYPE]);
    sent(&mut t);
    shown(&mut t, &send);
    assert_eq!(sent(&mut t), [IAC, SB, TERMINAL_TYPE, 0, b'A', b'N', b'S', b'I', IAC, SE]);
    let name = format!("{}\u{ff}\r{}", "A".repeat(30), "B".repeat(30));
    let mut t = Telnet::new(Config { terminal_type: name, initiate: false, ..Config::default() });
    shown(&mut t, &[IAC, DO, TERMINAL_TYPE]);
    sent(&mut t);
    shown(&mut t, &send);
    let got = sent(&mut t);
    assert_eq!(got.len(), 4 + TTYPE_MAX + 2);
    assert!(got[4..4 + TTYPE_MAX].iter().all(|c| c.is_ascii_alphabetic()));
}

#[test]
fn window_size_is_sent_when_agreed_and_when_changed() {
    let mut t = quiet();
    t.set_window_size(132, 50);
    assert!(sent(&mut t).is_empty(), "not before NAWS is agreed");
    shown(&mut t, &[IAC, DO, NAWS]);
    assert_eq!(sent(&mut t), [IAC, WILL, NAWS, IAC, SB, NAWS, 0, 132, 0, 50, IAC, SE]);
    // 255 is doubled inside the subnegotiation.
    t.set_window_size(255, 0x1FF);
    assert_eq!(sent(&mut t), [IAC, SB, NAWS, 0, 255, 255, 1, 255, 255, IAC, SE]);
    // DO again changes nothing.
    shown(&mut t, &[IAC, DO, NAWS]);
    assert!(sent(&mut t).is_empty());
    // Offered by us: sent when the server agrees.
    let mut t = quiet();
    assert_eq!(t.request_local(NAWS, true), Ok(()));
    assert_eq!(sent(&mut t), [IAC, WILL, NAWS]);
    shown(&mut t, &[IAC, DO, NAWS]);
    assert_eq!(sent(&mut t), [IAC, SB, NAWS, 0, 80, 0, 24, IAC, SE]);
    assert!(t.options().window_size);
}

#[test]
fn iac_is_doubled_both_ways() {
    let mut t = quiet();
    assert_eq!(shown(&mut t, &[b'a', IAC, IAC, b'b', IAC]), [b'a', 0xFF, b'b']);
    // The lone IAC at the end waits for its next byte.
    assert_eq!(shown(&mut t, &[IAC, b'c']), [0xFF, b'c']);
    assert_eq!(t.send_keys(&[b'x', 0xFF, b'y']), 3);
    assert_eq!(sent(&mut t), [b'x', IAC, IAC, b'y']);
}

#[test]
fn cr_nul_and_cr_lf_from_the_network() {
    let mut t = quiet();
    assert_eq!(shown(&mut t, b"a\r\0b\r\nc\0"), b"a\rb\r\nc\0");
    // Split between reads, and across an IAC command.
    assert_eq!(shown(&mut t, b"x\r"), b"x\r");
    assert_eq!(shown(&mut t, &[IAC, NOP, 0, b'y']), b"y");
    // In binary mode the NUL is data.
    shown(&mut t, &[IAC, WILL, BINARY]);
    assert_eq!(shown(&mut t, b"\r\0"), b"\r\0");
}

#[test]
fn enter_is_sent_as_cr_nul_unless_binary() {
    let mut t = quiet();
    assert_eq!(t.send_keys(b"ls\r"), 3);
    assert_eq!(sent(&mut t), b"ls\r\0");
    t.send_keys(b"a\r\nb\r\0");
    assert_eq!(sent(&mut t), b"a\r\nb\r\0\0");
    shown(&mut t, &[IAC, DO, BINARY]);
    assert_eq!(sent(&mut t), [IAC, WILL, BINARY]);
    t.send_keys(b"ls\r");
    assert_eq!(sent(&mut t), b"ls\r", "binary our way: CR alone");
}

#[test]
fn commands_and_go_ahead_are_not_shown() {
    let mut t = quiet();
    let net = [b'a', IAC, NOP, IAC, GA, IAC, DM, IAC, AYT, IAC, 17, b'b', IAC, SE];
    assert_eq!(shown(&mut t, &net), b"ab");
    assert_eq!(t.errors().protocol, 1, "the stray SE");
    assert!(sent(&mut t).is_empty());
    assert!(t.send_command(BRK));
    assert!(!t.send_command(SB));
    assert_eq!(sent(&mut t), [IAC, BRK]);
}

#[test]
fn subnegotiations_are_bounded() {
    let mut t = quiet();
    shown(&mut t, &[IAC, DO, TERMINAL_TYPE]);
    sent(&mut t);
    let mut net = vec![IAC, SB, TERMINAL_TYPE, 1];
    net.extend(std::iter::repeat_n(0x41, 10 * SB_MAX));
    net.extend_from_slice(&[IAC, SE, b'o', b'k']);
    assert_eq!(shown(&mut t, &net), b"ok");
    assert_eq!(t.errors().sb_overflows, 1);
    assert!(sent(&mut t).is_empty(), "an overlong SEND is not answered");
    assert!(t.sb.capacity() <= SB_MAX.max(t.sb.capacity()) && t.sb.len() <= SB_MAX);
    // IAC IAC inside is a data 0xFF; an IAC and a command ends it as an error.
    shown(&mut t, &[IAC, SB, 99, IAC, IAC, 1, IAC, SE]);
    assert_eq!(t.sb, [IAC, 1]);
    assert_eq!(shown(&mut t, &[IAC, SB, TERMINAL_TYPE, 1, IAC, WILL, ECHO, b'z']), b"z");
    assert_eq!(t.errors().protocol, 1);
    assert_eq!(sent(&mut t), [IAC, DO, ECHO], "the command after the broken SB is taken");
    // Split anywhere, a SEND is still answered.
    let send = [IAC, SB, TERMINAL_TYPE, 1, IAC, SE];
    for cut in 0..send.len() {
        shown(&mut t, &send[..cut]);
        shown(&mut t, &send[cut..]);
        assert_eq!(sent(&mut t)[..4], [IAC, SB, TERMINAL_TYPE, 0]);
    }
}

#[test]
fn the_queue_is_bounded_and_keeps_room_for_replies() {
    let mut t = quiet();
    let keys = vec![b'k'; 2 * QUEUE_CAPACITY];
    let taken = t.send_keys(&keys);
    assert!(taken < keys.len());
    assert_eq!(t.send_keys(b"more"), 0, "full: offer again later");
    assert!(t.pending() <= QUEUE_CAPACITY);
    // A reply still fits.
    shown(&mut t, &[IAC, DO, 77]);
    let out = sent(&mut t);
    assert_eq!(out.len(), taken + 3);
    assert_eq!(out[taken..], [IAC, WONT, 77]);
    // A flood of refusals fills it; whole replies only, the rest counted.
    let flood: Vec<u8> = (0..QUEUE_CAPACITY).flat_map(|_| [IAC, DO, 77]).collect();
    shown(&mut t, &flood);
    let out = sent(&mut t);
    assert_eq!(out.len() % 3, 0);
    assert!(out.len() <= QUEUE_CAPACITY);
    assert!(t.errors().replies_dropped > 0);
    assert_eq!(t.send_keys(&[IAC; 10]), 10);
    assert_eq!(sent(&mut t), [IAC; 20]);
}

#[test]
fn keys_round_trip_through_a_second_engine() {
    // Whatever we type, a telnet receiver in the same mode shows exactly it.
    let keys: Vec<u8> = (0..=255u8).chain(*b"\r\r\n\r\0\rx").collect();
    let mut a = quiet();
    let mut b = quiet();
    let mut got = Vec::new();
    for chunk in keys.chunks(7) {
        a.send_keys(chunk);
        let wire = sent(&mut a);
        b.receive(&wire, &mut |d| got.extend_from_slice(d));
    }
    assert_eq!(got, keys);
}

#[test]
fn keys_room_is_taken_whole_even_when_every_key_doubles() {
    let mut t = quiet();
    for fill in [0usize, 1000, 3000] {
        assert_eq!(t.send_keys(&vec![b'k'; fill]), fill);
        let room = t.keys_room();
        assert!(room > 0);
        // Worst case: every key an IAC (two octets); and a CR alone outside binary mode.
        assert_eq!(t.send_keys(&vec![IAC; room]), room);
        sent(&mut t);
        let room = t.keys_room();
        assert_eq!(t.send_keys(&vec![b'\r'; room]), room);
        assert!(t.pending() <= QUEUE_CAPACITY);
        sent(&mut t);
    }
    // A full queue has no room, and the room comes back as the network takes the queue.
    let taken = t.send_keys(&vec![b'k'; 2 * QUEUE_CAPACITY]);
    assert!(taken < 2 * QUEUE_CAPACITY);
    assert_eq!(t.keys_room(), 0);
    sent(&mut t);
    assert_eq!(t.keys_room(), (QUEUE_CAPACITY - KEYS_RESERVE - 2) / 2);
}
