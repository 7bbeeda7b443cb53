//! PPP authentication: PAP (RFC 1334 2) and CHAP with MD5 (RFC 1994), both sides.
//!
//! [`Peer`] proves who we are to a server that asked for it in LCP; [`Authenticator`] checks a
//! client (the demo's dial-up server). Both are sans-IO: packets in through `receive`, time
//! through `poll`, packets out through an [`Output`]. Neither logs a password.
//!
//! - PAP: the peer sends Authenticate-Request (Peer-ID, Password) every restart interval until
//!   an Authenticate-Ack or -Nak comes, at most ten times.
//! - CHAP: the authenticator sends a Challenge (a random value and its name); the peer answers
//!   with MD5(Identifier, secret, challenge) and its name; Success or Failure follows. A server
//!   may challenge again at any time while the link is up, and the peer answers each.

use super::fsm::Output;
use super::lcp::AuthProtocol;
use super::wire::{protocol, Packet};
use crate::time::{Duration, Instant};
use md5::{Digest, Md5};

/// A user name and password.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Credentials {
    /// The name (PAP's Peer-ID, CHAP's Name).
    pub user: String,
    /// The password (CHAP's secret).
    pub password: String,
}

/// How authentication went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Not started, or under way.
    Pending,
    /// Accepted (with the server's message, if any).
    Succeeded(String),
    /// Refused or given up (with the reason).
    Failed(String),
}

/// PAP's and CHAP's codes.
mod code {
    pub const PAP_REQUEST: u8 = 1;
    pub const PAP_ACK: u8 = 2;
    pub const PAP_NAK: u8 = 3;
    pub const CHAP_CHALLENGE: u8 = 1;
    pub const CHAP_RESPONSE: u8 = 2;
    pub const CHAP_SUCCESS: u8 = 3;
    pub const CHAP_FAILURE: u8 = 4;
}

/// Authentication-Requests or Challenges sent before giving up.
const MAX_TRIES: u8 = 10;
/// How long a peer waits for the first CHAP challenge.
const CHALLENGE_WAIT: Duration = Duration::from_secs(30);

/// The timer both sides run while they wait for the other: how many times a packet went, and
/// when to send it again (or give up).
#[derive(Debug, Clone)]
struct Retry {
    tries: u8,
    restart: Duration,
    deadline: Option<Instant>,
}

/// What an expired [`Retry`] calls for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expiry {
    /// Nothing yet: not running, not due, or settled.
    None,
    /// Send the packet again.
    Resend,
    /// Tries (or the wait) used up.
    GiveUp,
}

impl Retry {
    fn new(restart: Duration) -> Retry {
        Retry { tries: 0, restart, deadline: None }
    }

    /// Starts over: nothing sent, no timer.
    fn reset(&mut self) {
        self.tries = 0;
        self.deadline = None;
    }

    /// A packet went at `now`: its answer is due within a restart interval.
    fn sent(&mut self, now: Instant) {
        self.tries += 1;
        self.deadline = Some(now + self.restart);
    }

    /// Waits `wait` for the other side to speak first.
    fn wait(&mut self, now: Instant, wait: Duration) {
        self.deadline = Some(now + wait);
    }

    /// The answer came: no more timer.
    fn stop(&mut self) {
        self.deadline = None;
    }

    /// At `now`, with `pending` true while the outcome is open: what the timer calls for.
    fn expired(&mut self, now: Instant, pending: bool) -> Expiry {
        match self.deadline {
            Some(d) if now >= d && pending => {
                self.deadline = None;
                if self.tries > 0 && self.tries < MAX_TRIES {
                    Expiry::Resend
                } else {
                    Expiry::GiveUp
                }
            }
            _ => Expiry::None,
        }
    }
}

/// The CHAP response value: MD5 over the Identifier, the secret and the challenge (RFC 1994 4.1).
pub fn chap_md5(identifier: u8, secret: &[u8], challenge: &[u8]) -> [u8; 16] {
    let mut h = Md5::new();
    h.update([identifier]);
    h.update(secret);
    h.update(challenge);
    h.finalize().into()
}

/// A message field as text for the log (printable ASCII only, at most 80 characters).
fn message(bytes: &[u8]) -> String {
    bytes.iter().take(80).map(|&b| if (0x20..0x7F).contains(&b) { b as char } else { '.' }).collect()
}

/// Our side when the server wants us to authenticate.
#[derive(Debug, Clone)]
pub struct Peer {
    credentials: Credentials,
    protocol: Option<AuthProtocol>,
    outcome: Outcome,
    id: u8,
    retry: Retry,
    scratch: Vec<u8>,
}

impl Peer {
    /// A peer with these credentials, retransmitting every `restart`.
    pub fn new(credentials: Credentials, restart: Duration) -> Peer {
        Peer {
            credentials,
            protocol: None,
            outcome: Outcome::Pending,
            id: 0,
            retry: Retry::new(restart),
            scratch: Vec::with_capacity(128),
        }
    }

    /// How it went.
    pub fn outcome(&self) -> &Outcome {
        &self.outcome
    }

    /// The protocol in use, once started.
    pub fn protocol(&self) -> Option<AuthProtocol> {
        self.protocol
    }

    /// Starts authenticating with `protocol` (LCP agreed it).
    pub fn start(&mut self, protocol: AuthProtocol, now: Instant, out: &mut impl Output) {
        self.protocol = Some(protocol);
        self.outcome = Outcome::Pending;
        self.retry.reset();
        match protocol {
            AuthProtocol::Pap => self.send_pap(now, out),
            AuthProtocol::ChapMd5 => self.retry.wait(now, CHALLENGE_WAIT),
        }
    }

    fn send_pap(&mut self, now: Instant, out: &mut impl Output) {
        self.id = self.id.wrapping_add(1);
        let user = &self.credentials.user.as_bytes()[..self.credentials.user.len().min(255)];
        let pass = &self.credentials.password.as_bytes()[..self.credentials.password.len().min(255)];
        self.scratch.clear();
        self.scratch.push(user.len() as u8);
        self.scratch.extend_from_slice(user);
        self.scratch.push(pass.len() as u8);
        self.scratch.extend_from_slice(pass);
        out.packet(protocol::PAP, code::PAP_REQUEST, self.id, &self.scratch);
        self.retry.sent(now);
    }

    /// Runs the retransmission timer.
    pub fn poll(&mut self, now: Instant, out: &mut impl Output) {
        match (self.retry.expired(now, self.outcome == Outcome::Pending), self.protocol) {
            (Expiry::Resend, Some(AuthProtocol::Pap)) => self.send_pap(now, out),
            (Expiry::GiveUp, Some(AuthProtocol::Pap)) => self.outcome = Outcome::Failed("no answer to PAP".into()),
            (Expiry::GiveUp, Some(AuthProtocol::ChapMd5)) => {
                self.outcome = Outcome::Failed("no CHAP challenge came".into())
            }
            _ => {}
        }
    }

    /// A PAP or CHAP packet from the server.
    pub fn receive(&mut self, proto: u16, packet: Packet, out: &mut impl Output) {
        match (proto, self.protocol) {
            (protocol::PAP, Some(AuthProtocol::Pap)) => {
                if packet.identifier != self.id || self.outcome != Outcome::Pending {
                    return;
                }
                let len = packet.data.first().map_or(0, |&l| l as usize);
                let msg = message(packet.data.get(1..1 + len).unwrap_or(&packet.data[packet.data.len().min(1)..]));
                match packet.code {
                    code::PAP_ACK => self.outcome = Outcome::Succeeded(msg),
                    code::PAP_NAK => self.outcome = Outcome::Failed(format!("PAP refused: {msg}")),
                    _ => return,
                }
                self.retry.stop();
            }
            (protocol::CHAP, Some(AuthProtocol::ChapMd5)) => match packet.code {
                code::CHAP_CHALLENGE => {
                    let size = packet.data.first().map_or(0, |&s| s as usize);
                    let Some(challenge) = packet.data.get(1..1 + size) else { return };
                    if size == 0 {
                        return;
                    }
                    let value = chap_md5(packet.identifier, self.credentials.password.as_bytes(), challenge);
                    self.id = packet.identifier;
                    self.scratch.clear();
                    self.scratch.push(16);
                    self.scratch.extend_from_slice(&value);
                    self.scratch
                        .extend_from_slice(&self.credentials.user.as_bytes()[..self.credentials.user.len().min(200)]);
                    out.packet(protocol::CHAP, code::CHAP_RESPONSE, packet.identifier, &self.scratch);
                    // The server's next word settles it; a re-challenge later is answered too.
                    self.retry.stop();
                }
                code::CHAP_SUCCESS if packet.identifier == self.id => {
                    self.outcome = Outcome::Succeeded(message(packet.data));
                }
                code::CHAP_FAILURE if packet.identifier == self.id => {
                    self.outcome = Outcome::Failed(format!("CHAP refused: {}", message(packet.data)));
                }
                _ => {}
            },
            _ => {}
        }
    }
}

/// The server's side: checks a peer's credentials.
#[derive(Debug, Clone)]
pub struct Authenticator {
    accounts: Vec<Credentials>,
    protocol: Option<AuthProtocol>,
    outcome: Outcome,
    name: String,
    challenge: [u8; 16],
    id: u8,
    retry: Retry,
    scratch: Vec<u8>,
    /// The name the peer gave.
    pub peer_name: String,
}

impl Authenticator {
    /// An authenticator taking any of `accounts`, naming itself `name` in challenges.
    pub fn new(accounts: Vec<Credentials>, name: &str, restart: Duration) -> Authenticator {
        Authenticator {
            accounts,
            protocol: None,
            outcome: Outcome::Pending,
            name: name.into(),
            challenge: [0; 16],
            id: 0,
            retry: Retry::new(restart),
            scratch: Vec::with_capacity(128),
            peer_name: String::new(),
        }
    }

    /// How it went.
    pub fn outcome(&self) -> &Outcome {
        &self.outcome
    }

    /// Starts checking with `protocol`; `random` gives the challenge's octets.
    pub fn start(
        &mut self,
        protocol: AuthProtocol,
        now: Instant,
        random: &mut impl FnMut() -> u32,
        out: &mut impl Output,
    ) {
        self.protocol = Some(protocol);
        self.outcome = Outcome::Pending;
        self.retry.reset();
        for chunk in self.challenge.chunks_mut(4) {
            chunk.copy_from_slice(&random().to_be_bytes());
        }
        match protocol {
            AuthProtocol::ChapMd5 => self.send_challenge(now, out),
            // The peer speaks first; wait as long as its retransmissions would take.
            AuthProtocol::Pap => self.retry.wait(now, self.retry.restart * MAX_TRIES as u32),
        }
    }

    fn send_challenge(&mut self, now: Instant, out: &mut impl Output) {
        self.id = self.id.wrapping_add(1);
        self.scratch.clear();
        self.scratch.push(16);
        self.scratch.extend_from_slice(&self.challenge);
        self.scratch.extend_from_slice(self.name.as_bytes());
        out.packet(protocol::CHAP, code::CHAP_CHALLENGE, self.id, &self.scratch);
        self.retry.sent(now);
    }

    /// Runs the retransmission timer.
    pub fn poll(&mut self, now: Instant, out: &mut impl Output) {
        match self.retry.expired(now, self.outcome == Outcome::Pending) {
            Expiry::Resend => self.send_challenge(now, out),
            Expiry::GiveUp => self.outcome = Outcome::Failed("the peer did not authenticate".into()),
            Expiry::None => {}
        }
    }

    /// A PAP or CHAP packet from the peer.
    pub fn receive(&mut self, proto: u16, packet: Packet, out: &mut impl Output) {
        match (proto, self.protocol, packet.code) {
            (protocol::PAP, Some(AuthProtocol::Pap), code::PAP_REQUEST) => {
                let d = packet.data;
                let ulen = d.first().map_or(0, |&l| l as usize);
                let (Some(user), Some(&plen)) = (d.get(1..1 + ulen), d.get(1 + ulen)) else { return };
                let Some(pass) = d.get(2 + ulen..2 + ulen + plen as usize) else { return };
                self.peer_name = message(user);
                let ok = self.accounts.iter().any(|a| a.user.as_bytes() == user && a.password.as_bytes() == pass);
                let (c, msg): (u8, &[u8]) =
                    if ok { (code::PAP_ACK, b"Login ok") } else { (code::PAP_NAK, b"Login incorrect") };
                self.scratch.clear();
                self.scratch.push(msg.len() as u8);
                self.scratch.extend_from_slice(msg);
                out.packet(protocol::PAP, c, packet.identifier, &self.scratch);
                // A repeated request after the verdict gets the same answer (RFC 1334 2.2.1).
                if self.outcome == Outcome::Pending {
                    self.retry.stop();
                    self.outcome = if ok {
                        Outcome::Succeeded(self.peer_name.clone())
                    } else {
                        Outcome::Failed(format!("PAP: wrong name or password for '{}'", self.peer_name))
                    };
                }
            }
            (protocol::CHAP, Some(AuthProtocol::ChapMd5), code::CHAP_RESPONSE) => {
                if packet.identifier != self.id {
                    return;
                }
                let d = packet.data;
                let size = d.first().map_or(0, |&s| s as usize);
                let Some(value) = d.get(1..1 + size) else { return };
                let name = &d[1 + size..];
                self.peer_name = message(name);
                let ok = size == 16
                    && self.accounts.iter().any(|a| {
                        a.user.as_bytes() == name && chap_md5(self.id, a.password.as_bytes(), &self.challenge) == value
                    });
                let (c, msg): (u8, &[u8]) =
                    if ok { (code::CHAP_SUCCESS, b"Welcome") } else { (code::CHAP_FAILURE, b"Access denied") };
                out.packet(protocol::CHAP, c, packet.identifier, msg);
                if self.outcome == Outcome::Pending {
                    self.retry.stop();
                    self.outcome = if ok {
                        Outcome::Succeeded(self.peer_name.clone())
                    } else {
                        Outcome::Failed(format!("CHAP: wrong name or secret for '{}'", self.peer_name))
                    };
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Default)]
    struct Wire(Vec<(u16, u8, u8, Vec<u8>)>);
    impl Output for Wire {
        fn packet(&mut self, protocol: u16, code: u8, identifier: u8, data: &[u8]) {
            self.0.push((protocol, code, identifier, data.to_vec()));
        }
    }

    fn deliver(w: &mut Wire, f: &mut impl FnMut(u16, Packet)) {
        for (p, c, i, d) in std::mem::take(&mut w.0) {
            f(p, Packet { code: c, identifier: i, data: &d });
        }
    }

    #[test]
    fn chap_md5_is_rfc_1994s_hash() {
        // MD5 over Identifier || secret || challenge, checked against the digest of the same
        // octets laid end to end (RFC 1321's test vector "abc" first, so the hash is MD5).
        assert_eq!(
            chap_md5(b'a', b"b", b"c"),
            [0x90, 0x01, 0x50, 0x98, 0x3c, 0xd2, 0x4f, 0xb0, 0xd6, 0x96, 0x3f, 0x7d, 0x28, 0xe1, 0x7f, 0x72]
        );
        let v = chap_md5(7, b"secret", &[1, 2, 3]);
        let mut all = vec![7u8];
        all.extend_from_slice(b"secret");
        all.extend_from_slice(&[1, 2, 3]);
        assert_eq!(v, <[u8; 16]>::from(Md5::digest(&all)));
    }

    fn pair(user: &str, pass: &str, proto: AuthProtocol) -> (Outcome, Outcome) {
        let now = Instant::ZERO;
        let mut peer = Peer::new(Credentials { user: user.into(), password: pass.into() }, Duration::from_secs(3));
        let mut auth = Authenticator::new(
            vec![Credentials { user: "guest".into(), password: "secret".into() }],
            "demo",
            Duration::from_secs(3),
        );
        let (mut to_auth, mut to_peer) = (Wire::default(), Wire::default());
        let mut n = 0u32;
        auth.start(
            proto,
            now,
            &mut || {
                n = n.wrapping_add(0x9E37_79B9);
                n
            },
            &mut to_peer,
        );
        peer.start(proto, now, &mut to_auth);
        for _ in 0..3 {
            deliver(&mut to_peer, &mut |p, pk| peer.receive(p, pk, &mut to_auth));
            deliver(&mut to_auth, &mut |p, pk| auth.receive(p, pk, &mut to_peer));
        }
        (peer.outcome().clone(), auth.outcome().clone())
    }

    #[test]
    fn pap_and_chap_accept_the_right_password_only() {
        for proto in [AuthProtocol::Pap, AuthProtocol::ChapMd5] {
            let (p, a) = pair("guest", "secret", proto);
            assert!(matches!(p, Outcome::Succeeded(_)), "{proto:?}: {p:?}");
            assert_eq!(a, Outcome::Succeeded("guest".into()));
            let (p, a) = pair("guest", "wrong", proto);
            assert!(matches!(p, Outcome::Failed(_)), "{proto:?}: {p:?}");
            assert!(matches!(a, Outcome::Failed(_)));
        }
    }

    #[test]
    fn pap_retransmits_then_gives_up() {
        let mut peer = Peer::new(Credentials { user: "u".into(), password: "p".into() }, Duration::from_secs(3));
        let mut w = Wire::default();
        let mut now = Instant::ZERO;
        peer.start(AuthProtocol::Pap, now, &mut w);
        for _ in 0..12 {
            now += Duration::from_secs(3);
            peer.poll(now, &mut w);
        }
        assert_eq!(w.0.len(), MAX_TRIES as usize);
        assert_eq!(w.0[0].3, vec![1, b'u', 1, b'p']);
        assert!(matches!(peer.outcome(), Outcome::Failed(_)));
    }
}
