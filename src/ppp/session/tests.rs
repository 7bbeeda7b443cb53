//! A client and a server back to back: the phases, authentication, addresses, echo, closing from
//! either side, protocol reject, damage on the line.

use super::*;
use crate::ppp::lcp::AuthProtocol;

fn server(auth: Option<AuthProtocol>) -> Config {
    Config {
        server: Some(ServerConfig {
            auth,
            accounts: vec![Credentials { user: "guest".into(), password: "secret".into() }],
            local: [10, 0, 2, 2],
            assign: [10, 0, 2, 15],
            dns: [Some([10, 0, 2, 3]), None],
        }),
        seed: 0xABCD,
        ..Config::default()
    }
}

fn client(password: Option<&str>) -> Config {
    Config {
        credentials: password.map(|p| Credentials { user: "guest".into(), password: p.into() }),
        seed: 0x1234,
        ..Config::default()
    }
}

/// Runs both ends for `ms` in 10 ms steps, the line changed by `damage` (octet index, octet).
fn run(a: &mut Ppp, b: &mut Ppp, ms: u32, damage: &mut impl FnMut(u64, u8) -> Option<u8>) {
    let mut buf = [0u8; 64];
    let mut count = 0u64;
    for _ in 0..ms / 10 {
        for dir in 0..2 {
            let (from, to) = if dir == 0 { (&mut *a, &mut *b) } else { (&mut *b, &mut *a) };
            // About 2400 bit/s: 24 octets each way per 10 ms.
            let n = from.transmit(&mut buf[..24]);
            let mut line = Vec::new();
            for &o in &buf[..n] {
                count += 1;
                if let Some(o) = damage(count, o) {
                    line.push(o);
                }
            }
            to.receive(&line);
        }
        a.advance(Duration::from_ms(10));
        b.advance(Duration::from_ms(10));
    }
}

fn clean(_: u64, o: u8) -> Option<u8> {
    Some(o)
}

fn up(c: Config, s: Config) -> (Ppp, Ppp) {
    let (mut c, mut s) = (Ppp::new(c), Ppp::new(s));
    c.open();
    s.open();
    run(&mut c, &mut s, 3000, &mut clean);
    (c, s)
}

#[test]
fn a_client_gets_its_address_and_dns_without_authentication() {
    let (mut c, s) = up(client(None), server(None));
    assert!(c.is_ip_up() && s.is_ip_up());
    let st = c.status();
    assert_eq!(st.phase, Phase::Network);
    assert_eq!(st.local, Some([10, 0, 2, 15]));
    assert_eq!(st.peer, Some([10, 0, 2, 2]));
    assert_eq!(st.dns, [Some([10, 0, 2, 3]), None]);
    let log: Vec<String> = core::iter::from_fn(|| c.poll_log()).collect();
    assert!(log.iter().any(|l| l == "PPP: IP up: local 10.0.2.15, peer 10.0.2.2, DNS 10.0.2.3"), "{log:?}");
}

#[test]
fn pap_and_chap_gate_the_network_phase() {
    for auth in [AuthProtocol::Pap, AuthProtocol::ChapMd5] {
        let (c, s) = up(client(Some("secret")), server(Some(auth)));
        assert!(c.is_ip_up(), "{auth:?}");
        assert_eq!(c.status().auth, Some(auth));
        assert_eq!(s.status().auth, Some(auth));

        let (c, _) = up(client(Some("wrong")), server(Some(auth)));
        assert!(!c.is_ip_up());
        assert_eq!(c.phase(), Phase::Dead, "{auth:?}");
        let why = c.status().ended.unwrap();
        assert!(why.contains("authentication failed") || why.contains("terminated"), "{why}");

        // No password at all: LCP's Authentication-Protocol is rejected and the server gives up.
        let (c, s) = up(client(None), server(Some(auth)));
        assert!(!c.is_ip_up() && !s.is_ip_up());
        assert_eq!(s.status().ended.as_deref(), Some("the peer refused to authenticate"));
    }
}

#[test]
fn ip_packets_cross_both_ways_with_compression_agreed() {
    let (mut c, mut s) = up(client(None), server(None));
    let packet: Vec<u8> = (0..200u32).map(|i| (i * 7) as u8).collect();
    assert!(c.send_ip(&packet));
    assert!(s.send_ip(&packet[..40]));
    run(&mut c, &mut s, 300, &mut clean);
    assert_eq!(s.recv_ip(), Some(&packet[..]));
    assert_eq!(c.recv_ip(), Some(&packet[..40]));
    s.pop_ip();
    assert_eq!(s.recv_ip(), None);
    // ACFC and PFC agreed, ACCM 0: an IP frame starts flag, 0x21 (no FF 03, one protocol octet).
    assert!(c.send_ip(&[0x45, 0, 0, 20]));
    let mut out = [0u8; 64];
    let n = c.transmit(&mut out);
    assert_eq!(&out[..3], &[0x7E, 0x21, 0x45], "{:02x?}", &out[..n]);
    assert_eq!(c.status().ip_octets_out, 204);
}

#[test]
fn echo_measures_the_round_trip_and_a_silent_peer_ends_the_link() {
    let (mut c, mut s) = up(client(None), server(None));
    run(&mut c, &mut s, 11_000, &mut clean);
    let rtt = c.status().rtt_ms.expect("an echo came back");
    assert!((10..200).contains(&rtt), "{rtt} ms");
    // The server falls silent: four echoes unanswered, the client closes.
    let mut now_silent = |_: u64, _: u8| None;
    run(&mut c, &mut s, 60_000, &mut now_silent);
    assert_eq!(c.phase(), Phase::Dead);
    assert!(c.status().ended.unwrap().contains("LCP echo"), "{:?}", c.status().ended);
}

#[test]
fn either_side_closes_cleanly() {
    let (mut c, mut s) = up(client(None), server(None));
    c.close("user hung up");
    run(&mut c, &mut s, 5000, &mut clean);
    assert!(c.is_ended(), "{:?}", c.phase());
    assert_eq!(c.status().ended.as_deref(), Some("user hung up"));
    assert_eq!(s.phase(), Phase::Dead);
    assert_eq!(s.status().ended.as_deref(), Some("the peer terminated the link"));

    let (mut c, mut s) = up(client(None), server(None));
    s.close("server shutting down");
    run(&mut c, &mut s, 5000, &mut clean);
    assert!(c.is_ended());
    assert_eq!(c.status().ended.as_deref(), Some("the peer terminated the link"));
}

#[test]
fn unknown_protocols_are_rejected_and_ipv6cp_is_one() {
    let (mut c, mut s) = up(client(None), server(None));
    // IPV6CP Configure-Request from the server's side of the line.
    let mut frame = Vec::new();
    crate::ppp::framing::Encoder::default().frame(0x8057, &[1, 1, 0, 4], &mut frame);
    c.receive(&frame);
    let mut out = [0u8; 64];
    let n = c.transmit(&mut out);
    let mut d = crate::ppp::framing::Decoder::new(1500);
    let mut seen = None;
    for &b in &out[..n] {
        if d.push(b) == Some(Event::Frame) {
            let f = Frame::parse(d.content()).unwrap();
            let p = Packet::parse(f.info).unwrap();
            seen = Some((f.protocol, p.code, p.data.to_vec()));
        }
    }
    assert_eq!(seen, Some((protocol::LCP, code::PROTOCOL_REJECT, vec![0x80, 0x57, 1, 1, 0, 4])));
    run(&mut c, &mut s, 100, &mut clean);
    assert!(c.is_ip_up());
}

#[test]
fn the_link_comes_up_through_a_damaged_line() {
    // One octet in 200 changed: frames with a bad FCS are dropped, the timers resend.
    let mut damage = |i: u64, o: u8| Some(if i.is_multiple_of(200) { o ^ 0x10 } else { o });
    let (mut c, mut s) = (Ppp::new(client(Some("secret"))), Ppp::new(server(Some(AuthProtocol::ChapMd5))));
    c.open();
    s.open();
    run(&mut c, &mut s, 30_000, &mut damage);
    assert!(c.is_ip_up() && s.is_ip_up());
    assert!(c.status().bad_fcs + s.status().bad_fcs > 0, "the damage was seen");
}

#[test]
fn the_lower_layer_going_down_ends_the_link_at_once() {
    let (mut c, _) = up(client(None), server(None));
    c.lower_down("NO CARRIER");
    assert_eq!(c.phase(), Phase::Dead);
    assert!(!c.is_ip_up());
    assert_eq!(c.status().ended.as_deref(), Some("NO CARRIER"));
    assert!(!c.send_ip(&[0x45; 20]));
}

#[test]
fn garbage_before_and_between_frames_is_ignored() {
    // slirp prints a banner before PPP; a login prompt may too.
    let (mut c, mut s) = (Ppp::new(client(None)), Ppp::new(server(None)));
    c.receive(b"Slirp v1.0.17 (BETA)\r\n\r\nCopyright (c) 1995\r\n~~~\x7d\x7e");
    c.open();
    s.open();
    run(&mut c, &mut s, 3000, &mut clean);
    assert!(c.is_ip_up());
}
