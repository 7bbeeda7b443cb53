//! PPP's negotiation, options, authentication packets and the web fetch's response parser.

use crate::net::http;
use crate::ppp::auth::{Authenticator, Credentials, Peer};
use crate::ppp::fsm::{Negotiator, Output, Verdict};
use crate::ppp::ipcp::{Ipcp, IpcpConfig};
use crate::ppp::lcp::{AuthProtocol, Lcp, LcpConfig};
use crate::ppp::wire::{options_valid, Options, Packet};
use crate::ppp::{Config, Phase, Ppp, ServerConfig};
use crate::time::{Duration, Instant};

fn config(sel: u8) -> Config {
    let creds = Credentials { user: "u".into(), password: "p".into() };
    match sel % 4 {
        0 => Config::default(),
        1 => Config { credentials: Some(creds), ..Config::default() },
        s => Config {
            server: Some(ServerConfig {
                auth: Some(if s == 2 { AuthProtocol::Pap } else { AuthProtocol::ChapMd5 }),
                accounts: vec![creds],
                local: [10, 0, 0, 1],
                assign: [10, 0, 0, 2],
                dns: [Some([10, 0, 0, 1]), None],
            }),
            ..Config::default()
        },
    }
}

/// A whole link fed arbitrary octets from the line between arbitrary steps of time: no panic,
/// the line buffer stays bounded, and two minutes of silence afterwards always end the link
/// (no state waits forever).
pub fn ppp_negotiation(data: &[u8]) {
    let Some((&sel, rest)) = data.split_first() else { return };
    let mut ppp = Ppp::new(config(sel));
    ppp.open();
    let mut out = [0u8; 512];
    for chunk in rest.chunks(48) {
        let (&t, line) = chunk.split_first().unwrap();
        ppp.receive(line);
        ppp.advance(Duration::from_ms(t as u32 * 20));
        while ppp.transmit(&mut out) > 0 {}
        assert!(ppp.tx_pending() == 0);
        if let Some(p) = ppp.recv_ip() {
            assert!(p.len() <= 1500);
            ppp.pop_ip();
        }
        let _ = ppp.send_ip(&[0x45; 40]);
        while ppp.poll_log().is_some() {}
    }
    for _ in 0..120 {
        ppp.advance(Duration::from_secs(1));
        while ppp.transmit(&mut out) > 0 {}
    }
    assert_eq!(ppp.phase(), Phase::Dead, "{:?} {:?} {:?}", ppp.status(), ppp.lcp_state(), ppp.ipcp_state());
}

/// LCP's and IPCP's option handling on arbitrary option lists: a Nak or Reject carries well-formed
/// options, a Reject only options that were in the request, and the next request is well formed.
pub fn ppp_options(data: &[u8]) {
    let Some((&sel, opts)) = data.split_first() else { return };
    if !options_valid(opts) {
        assert!(Options::new(opts).any(|o| o.is_err()));
        return;
    }
    let mut lcp = Lcp::new(
        LcpConfig {
            can_authenticate: sel & 1 != 0,
            require: (sel & 2 != 0).then_some(AuthProtocol::ChapMd5),
            ..LcpConfig::default()
        },
        sel as u32,
    );
    let server = sel & 4 != 0;
    let mut ipcp = Ipcp::new(IpcpConfig {
        local: server.then_some([10, 0, 0, 1]),
        assign: server.then_some([10, 0, 0, 2]),
        ask_dns: true,
        dns: [Some([10, 0, 0, 1]), None],
    });
    fn exercise(n: &mut impl Negotiator, opts: &[u8], may_nak: bool) {
        let mut out = Vec::new();
        let v = n.check(opts, may_nak, &mut out);
        assert!(options_valid(&out));
        match v {
            Verdict::Ack => assert!(out.is_empty()),
            Verdict::Reject => {
                assert!(!out.is_empty());
                for o in Options::new(&out).flatten() {
                    assert!(Options::new(opts).flatten().any(|m| m == o), "rejected an option not asked for");
                }
            }
            Verdict::Nak => assert!(may_nak && !out.is_empty()),
        }
        n.nakked(opts);
        n.rejected(opts);
        let mut req = Vec::new();
        n.request(&mut req);
        assert!(options_valid(&req));
        n.acked(&req);
    }
    for may_nak in [true, false] {
        exercise(&mut lcp, opts, may_nak);
        exercise(&mut ipcp, opts, may_nak);
    }
}

struct Sink;
impl Output for Sink {
    fn packet(&mut self, _: u16, _: u8, _: u8, data: &[u8]) {
        assert!(data.len() < 1500);
    }
}

/// PAP and CHAP packets of any content at both sides.
pub fn ppp_auth(data: &[u8]) {
    let Some((&sel, rest)) = data.split_first() else { return };
    let proto = if sel & 1 != 0 { AuthProtocol::Pap } else { AuthProtocol::ChapMd5 };
    let creds = Credentials { user: "user".into(), password: "pass".into() };
    let mut peer = Peer::new(creds.clone(), Duration::from_secs(3));
    let mut auth = Authenticator::new(vec![creds], "fuzz", Duration::from_secs(3));
    let mut now = Instant::ZERO;
    peer.start(proto, now, &mut Sink);
    let mut r = 7u32;
    auth.start(
        proto,
        now,
        &mut || {
            r = r.wrapping_mul(1_103_515_245).wrapping_add(12345);
            r
        },
        &mut Sink,
    );
    for chunk in rest.chunks(40) {
        if let Ok(p) = Packet::parse(chunk) {
            let wire = if sel & 2 != 0 { crate::ppp::wire::protocol::PAP } else { crate::ppp::wire::protocol::CHAP };
            peer.receive(wire, p, &mut Sink);
            auth.receive(wire, p, &mut Sink);
        }
        now += Duration::from_secs(1);
        peer.poll(now, &mut Sink);
        auth.poll(now, &mut Sink);
    }
}

/// The web fetch's response parser: any octets, open or closed, give a response, an error or a
/// wait; a response's body is within the limit.
pub fn http_response(data: &[u8]) {
    let Some((&sel, raw)) = data.split_first() else { return };
    let max = (sel as usize) * 16;
    for closed in [false, true] {
        if let Ok(Some(r)) = http::parse(raw, closed, max) {
            assert!(r.body.len() <= max);
            assert!((100..1000).contains(&r.status));
        }
    }
}

/// A seed for [`ppp_negotiation`]: what a server (PAP, CHAP or none, by `sel`) sends a client
/// of config `sel` over a clean line until IP is up and a packet has crossed, in the target's
/// chunks (one time octet of 20 ms steps, then 47 octets of line).
pub fn ppp_negotiation_seed(sel: u8) -> Vec<u8> {
    let mut client = Ppp::new(config(sel));
    let server_sel = match sel % 4 {
        1 => 3,
        _ => 0,
    };
    let mut server = Ppp::new(if server_sel == 0 {
        Config {
            server: Some(ServerConfig {
                auth: None,
                accounts: vec![],
                local: [10, 0, 0, 1],
                assign: [10, 0, 0, 2],
                dns: [None; 2],
            }),
            ..Config::default()
        }
    } else {
        config(server_sel)
    });
    client.open();
    server.open();
    let mut seed = vec![sel];
    let mut buf = [0u8; 47];
    for step in 0..400 {
        let mut first = true;
        loop {
            let n = server.transmit(&mut buf);
            if n == 0 && !first {
                break;
            }
            seed.push(first as u8);
            seed.extend_from_slice(&buf[..n]);
            seed.extend(std::iter::repeat_n(0x7E, 47 - n));
            client.receive(&buf[..n]);
            first = false;
            if n == 0 {
                break;
            }
        }
        while let n @ 1.. = client.transmit(&mut buf) {
            server.receive(&buf[..n]);
        }
        client.advance(Duration::from_ms(20));
        server.advance(Duration::from_ms(20));
        if step == 200 {
            server.send_ip(&[0x45, 0, 0, 20, 0, 0, 0x40, 0, 64, 6, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2]);
        }
    }
    seed
}
