//! Our PPP client, IP stack and telnet engine against the dial-up server, octets passed
//! directly (the modems are tested elsewhere), 20 ms a step.

use super::*;
use crate::net::dialup::DialUp;
use crate::net::http::{Fetch, FetchState};
use crate::net::stream::{Stream, StreamState};
use crate::ppp::chat::Script;
use crate::sim::bbs;

/// A client (login script if any, PPP, IP) and what the server showed it.
struct Client {
    dial: DialUp,
    shown: Vec<u8>,
}

impl Client {
    fn new(script: Option<&str>, credentials: Option<(&str, &str)>) -> Client {
        let config = Config {
            credentials: credentials.map(|(u, p)| Credentials { user: u.into(), password: p.into() }),
            seed: 99,
            ..Config::default()
        };
        let mut dial = DialUp::new(config, script.map(|s| Script::parse(s).unwrap()), 5);
        dial.connected();
        Client { dial, shown: Vec::new() }
    }
}

/// One 20 ms step both ways, at about 2400 bit/s (48 octets a step each way).
fn step(c: &mut Client, s: &mut DialupServer, now: &mut Instant) {
    *now += Duration::from_ms(20);
    let mut buf = Vec::with_capacity(48);
    s.send(|b| {
        let n = b.len().min(48 - buf.len());
        buf.extend_from_slice(&b[..n]);
        n
    });
    if !c.dial.ppp().is_ip_up() {
        c.shown.extend_from_slice(&buf);
    }
    c.dial.receive(&buf);
    let mut out = [0u8; 48];
    let m = c.dial.transmit(&mut out);
    s.received(&out[..m]);
    c.dial.advance(Duration::from_ms(20));
    s.tick(*now);
}

fn fetch(c: &mut Client, s: &mut DialupServer, now: &mut Instant, url: &str) -> crate::net::http::Response {
    let mut f = Fetch::start(c.dial.net(), url, 1 << 20).unwrap();
    for _ in 0..60_000 {
        step(c, s, now);
        match f.poll(c.dial.net()).clone() {
            FetchState::Running => {}
            FetchState::Done(r) => return r,
            FetchState::Failed(why) => panic!("{url}: {why}"),
        }
    }
    panic!("{url}: no answer");
}

fn connected(script: Option<&str>, credentials: Option<(&str, &str)>) -> (Client, DialupServer, Instant) {
    let mut s = DialupServer::new(3);
    s.connected(2400, 2400, "V.22bis");
    let mut c = Client::new(script, credentials);
    let mut now = Instant::ZERO;
    for _ in 0..1500 {
        step(&mut c, &mut s, &mut now);
        if c.dial.ppp().is_ip_up() {
            break;
        }
    }
    assert!(c.dial.ppp().is_ip_up(), "{:?}\n{}", s.log(), String::from_utf8_lossy(&c.shown));
    (c, s, now)
}

const LOGIN: &str = "login: guest\nPassword: demo\n> ppp\n";

#[test]
fn a_login_at_the_prompt_then_ppp_and_the_front_page_by_name() {
    let (mut c, mut s, mut now) = connected(Some(LOGIN), None);
    let shown = String::from_utf8_lossy(&c.shown);
    assert!(shown.contains(GREETING) && shown.contains("Welcome, guest."), "{shown}");
    assert!(!shown.contains("demo\r"), "the password is not echoed: {shown}");
    let st = c.dial.ppp().status();
    assert_eq!((st.local, st.peer, st.dns[0], st.auth), (Some(CLIENT), Some(SERVER), Some(SERVER), None));
    let r = fetch(&mut c, &mut s, &mut now, "http://www.demo.net/");
    assert_eq!(r.status, 200);
    assert_eq!(r.body, services::FRONT_PAGE.as_bytes());
    let r = fetch(&mut c, &mut s, &mut now, "http://10.0.0.1/nothing");
    assert_eq!(r.status, 404);
}

#[test]
fn auto_ppp_wants_chap_and_serves_a_binary_file() {
    let (mut c, mut s, mut now) = connected(None, Some((DEMO_USER, DEMO_PASSWORD)));
    assert_eq!(c.dial.ppp().status().auth, Some(AuthProtocol::ChapMd5));
    assert!(s.log().iter().any(|l| l.contains("autoPPP")));
    let r = fetch(&mut c, &mut s, &mut now, "http://demo.net/demo.bin");
    assert!(r.body == bbs::files::demo_bin());
    assert!(!r.is_text());
    // The client hangs up PPP: the server ends too.
    c.dial.close("done");
    for _ in 0..500 {
        step(&mut c, &mut s, &mut now);
    }
    assert!(c.dial.ppp().is_ended());
    assert!(s.wants_hang_up());
}

#[test]
fn wrong_credentials_are_refused() {
    let mut s = DialupServer::new(3);
    s.connected(2400, 2400, "V.22bis");
    let mut c = Client::new(None, Some((DEMO_USER, "wrong")));
    let mut now = Instant::ZERO;
    for _ in 0..1500 {
        step(&mut c, &mut s, &mut now);
    }
    assert!(!c.dial.ppp().is_ip_up());
    assert!(c.dial.ppp().status().ended.unwrap().contains("authentication failed"));
    assert!(s.wants_hang_up());

    let mut s = DialupServer::new(3);
    s.connected(2400, 2400, "V.22bis");
    s.received(b"guest\rnope\rguest\rnope\rguest\rnope\r");
    let mut out = Vec::new();
    s.send(|b| {
        out.extend_from_slice(b);
        b.len()
    });
    assert!(String::from_utf8_lossy(&out).contains("Too many tries"));
    assert!(s.wants_hang_up());
}

#[test]
fn the_bbs_over_telnet_and_names_the_dns_server_does_not_know() {
    let (mut c, mut s, mut now) = connected(Some(LOGIN), None);
    let mut t = crate::telnet::Telnet::new(crate::telnet::Config::default());
    let mut stream = Stream::connect(c.dial.net(), "bbs.demo.net", 23, 4096, 1024).unwrap();
    let mut screen = Vec::new();
    for _ in 0..3000 {
        step(&mut c, &mut s, &mut now);
        stream.poll(c.dial.net());
        let mut buf = [0u8; 512];
        let n = stream.recv(c.dial.net(), &mut buf);
        t.receive(&buf[..n], &mut |d| screen.extend_from_slice(d));
        let m = t.transmit(&mut buf);
        stream.send(c.dial.net(), &buf[..m]);
        if String::from_utf8_lossy(&screen).contains(bbs::WELCOME) {
            break;
        }
    }
    assert!(String::from_utf8_lossy(&screen).contains(bbs::WELCOME), "{:?}", stream.state());
    assert!(t.options().remote_echo, "the BBS echoes");
    assert!(t.options().local_binary && t.options().remote_binary, "BINARY both ways, for file transfers");
    assert!(s.telnet_bbs().is_some());
    let mut missing = Stream::connect(c.dial.net(), "nowhere.example", 80, 1024, 1024).unwrap();
    for _ in 0..500 {
        step(&mut c, &mut s, &mut now);
        missing.poll(c.dial.net());
    }
    assert_eq!(*missing.state(), StreamState::Closed(Some("cannot find host 'nowhere.example'".into())));
}

#[test]
fn dns_replies_follow_rfc_1035() {
    // A query for www.demo.net, type A, class IN, id 0x1234, RD set.
    let mut q = vec![0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0];
    for l in ["www", "demo", "net"] {
        q.push(l.len() as u8);
        q.extend_from_slice(l.as_bytes());
    }
    q.extend_from_slice(&[0, 0, 1, 0, 1]);
    let r = services::dns_reply(&q).unwrap();
    assert_eq!(&r[..4], &[0x12, 0x34, 0x85, 0x80]);
    assert_eq!(&r[4..12], &[0, 1, 0, 1, 0, 0, 0, 0]);
    assert_eq!(&r[r.len() - 4..], &SERVER);
    let mut other = q.clone();
    other[13] = b'x';
    assert_eq!(services::dns_reply(&other).unwrap()[3] & 0x0F, 3, "NXDOMAIN");
    assert_eq!(services::dns_reply(&q[..14]), None);
}

#[test]
fn a_connection_nobody_answers_is_given_up() {
    let (mut c, mut s, mut now) = connected(Some(LOGIN), None);
    // Port 9 on the server: nothing listens, smoltcp answers RST: refused at once.
    let mut refused = Stream::connect(c.dial.net(), "10.0.0.1", 9, 1024, 1024).unwrap();
    // An address beyond the server that nobody answers for: the SYNs go unanswered.
    let mut silent = Stream::connect(c.dial.net(), "10.9.9.9", 80, 1024, 1024).unwrap();
    for _ in 0..50 * 120 {
        step(&mut c, &mut s, &mut now);
        refused.poll(c.dial.net());
        silent.poll(c.dial.net());
    }
    assert!(matches!(refused.state(), StreamState::Closed(Some(_))), "{:?}", refused.state());
    assert!(matches!(silent.state(), StreamState::Closed(Some(_))), "{:?}", silent.state());
}
