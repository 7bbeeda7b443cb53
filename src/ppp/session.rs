//! One PPP link over the modem's data: framing, LCP, authentication, IPCP, and IPv4 packets in
//! and out, strung together as RFC 1661 3 describes its phases.
//!
//! ```text
//! Dead --open--> Establish --LCP up--> Authenticate --done--> Network --IPCP up--> (IP flows)
//!   ^                |                      |                    |
//!   +--- Terminate <-+----- close, failure, the peer's Terminate-Request, echo lost
//! ```
//!
//! [`Ppp`] is sans-IO: octets from the line go to [`Ppp::receive`], octets for the line come from
//! [`Ppp::transmit`], time passes through [`Ppp::advance`]. IPv4 packets come out of
//! [`Ppp::recv_ip`] and go in through [`Ppp::send_ip`] once IPCP is up; the IP stack
//! ([`crate::net`]) sits on those. The line buffer is bounded: when more than
//! [`Config::max_backlog`] octets wait for the line, IP packets are refused (TCP sends again
//! later) while control packets still go.

use super::auth::{Authenticator, Credentials, Outcome, Peer};
use super::framing::{Decoder, Encoder, Event, Frame, DEFAULT_MRU};
use super::fsm::{Fsm, LayerEvent, Output, State, Timers};
use super::ipcp::{Addr, Ipcp, IpcpConfig};
use super::lcp::{AuthProtocol, Lcp, LcpConfig};
use super::wire::{code, emit_header, protocol, Packet};
use crate::time::{Duration, Instant};
use std::collections::VecDeque;

/// A server's side of the link (the demo's dial-up server).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerConfig {
    /// Ask the client to authenticate with this.
    pub auth: Option<AuthProtocol>,
    /// The accounts it takes.
    pub accounts: Vec<Credentials>,
    /// The server's address.
    pub local: Addr,
    /// The address the client gets.
    pub assign: Addr,
    /// The DNS servers it gives.
    pub dns: [Option<Addr>; 2],
}

/// How a link is set up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// Our name and password, for a server that asks (PAP or CHAP).
    pub credentials: Option<Credentials>,
    /// Be the server instead of the client.
    pub server: Option<ServerConfig>,
    /// The largest Information field we take.
    pub mru: u16,
    /// LCP's and IPCP's restart timer and counters.
    pub timers: Timers,
    /// How often an LCP Echo-Request goes out once LCP is up (zero: never).
    pub echo_interval: Duration,
    /// Echo-Requests unanswered in a row before the link is taken for dead.
    pub echo_failures: u8,
    /// Ask the server for DNS addresses (RFC 1877).
    pub ask_dns: bool,
    /// Seeds the magic numbers and challenges (the host gives something random).
    pub seed: u32,
    /// Octets waiting for the line above which IP packets are refused (1024: four seconds of a
    /// 2400 bit/s line, so LCP's echoes and TCP's acknowledgements do not queue behind much).
    pub max_backlog: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            credentials: None,
            server: None,
            mru: DEFAULT_MRU as u16,
            timers: Timers::default(),
            echo_interval: Duration::from_secs(10),
            echo_failures: 4,
            ask_dns: true,
            seed: 0x5EED,
            max_backlog: 1024,
        }
    }
}

/// The link's phase (RFC 1661 3.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Phase {
    /// Not started, or over.
    Dead,
    /// LCP negotiating.
    Establish,
    /// PAP or CHAP under way.
    Authenticate,
    /// IPCP negotiating, or IP flowing once it is up.
    Network,
    /// Closing.
    Terminate,
}

/// What a user interface shows of the link.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Status {
    /// The phase.
    pub phase: Phase,
    /// IPCP is up: IP packets flow.
    pub ip_up: bool,
    /// Our address.
    pub local: Option<Addr>,
    /// The peer's address.
    pub peer: Option<Addr>,
    /// The DNS servers the peer gave.
    pub dns: [Option<Addr>; 2],
    /// The authentication protocol used, if any.
    pub auth: Option<AuthProtocol>,
    /// IP octets received and sent.
    pub ip_octets_in: u64,
    /// IP octets sent.
    pub ip_octets_out: u64,
    /// Octets from and to the line, framing included.
    pub line_octets_in: u64,
    /// Octets to the line.
    pub line_octets_out: u64,
    /// Frames dropped for a bad FCS.
    pub bad_fcs: u64,
    /// Frames or packets dropped as malformed.
    pub malformed: u64,
    /// IP packets dropped because the stack above did not take them in time.
    pub ip_dropped: u64,
    /// The last LCP echo's round trip, in milliseconds.
    pub rtt_ms: Option<u32>,
    /// Why the link ended, once it did.
    pub ended: Option<String>,
}

/// Frames for the line: the encoder and the octets waiting.
#[derive(Debug, Clone)]
pub struct FrameOut {
    encoder: Encoder,
    line: Vec<u8>,
    start: usize,
    packet: Vec<u8>,
    octets: u64,
}

impl FrameOut {
    fn new() -> FrameOut {
        FrameOut {
            encoder: Encoder::default(),
            line: Vec::with_capacity(8192),
            start: 0,
            packet: Vec::with_capacity(1600),
            octets: 0,
        }
    }

    /// Octets waiting for the line.
    pub fn pending(&self) -> usize {
        self.line.len() - self.start
    }

    /// Frames `info` under `protocol` for the line.
    pub fn frame(&mut self, protocol: u16, info: &[u8]) {
        if self.start > 0 && self.start == self.line.len() {
            self.line.clear();
            self.start = 0;
        } else if self.start > 4096 {
            self.line.drain(..self.start);
            self.start = 0;
        }
        self.encoder.frame(protocol, info, &mut self.line);
    }

    fn take(&mut self, out: &mut [u8]) -> usize {
        let n = out.len().min(self.pending());
        out[..n].copy_from_slice(&self.line[self.start..self.start + n]);
        self.start += n;
        self.octets += n as u64;
        n
    }
}

impl Output for FrameOut {
    fn packet(&mut self, protocol: u16, code: u8, identifier: u8, data: &[u8]) {
        let mut p = core::mem::take(&mut self.packet);
        p.clear();
        emit_header(code, identifier, data.len(), &mut p);
        p.extend_from_slice(data);
        self.frame(protocol, &p);
        self.packet = p;
    }
}

/// Received IPv4 packets waiting for the stack: a fixed number of slots made once.
#[derive(Debug, Clone)]
struct PacketQueue {
    slots: Vec<Vec<u8>>,
    head: usize,
    len: usize,
}

impl PacketQueue {
    fn new(n: usize, size: usize) -> PacketQueue {
        PacketQueue { slots: (0..n).map(|_| Vec::with_capacity(size)).collect(), head: 0, len: 0 }
    }
    fn push(&mut self, p: &[u8]) -> bool {
        if self.len == self.slots.len() {
            return false;
        }
        let i = (self.head + self.len) % self.slots.len();
        self.slots[i].clear();
        self.slots[i].extend_from_slice(p);
        self.len += 1;
        true
    }
    fn front(&self) -> Option<&[u8]> {
        (self.len > 0).then(|| &self.slots[self.head][..])
    }
    fn pop(&mut self) {
        if self.len > 0 {
            self.head = (self.head + 1) % self.slots.len();
            self.len -= 1;
        }
    }
    fn clear(&mut self) {
        self.len = 0;
    }
}

/// Log lines kept for the user interface before the oldest go.
const LOG_LINES: usize = 64;

/// One PPP link.
#[derive(Debug, Clone)]
pub struct Ppp {
    config: Config,
    now: Instant,
    phase: Phase,
    decoder: Decoder,
    frame: Vec<u8>,
    out: FrameOut,
    lcp: Fsm<Lcp>,
    ipcp: Fsm<Ipcp>,
    peer: Option<Peer>,
    authenticator: Option<Authenticator>,
    rx: PacketQueue,
    ip_up: bool,
    echo_next: Option<Instant>,
    /// The last Echo-Requests sent (identifier, when), for the round trip of a late reply.
    echo_sent: [Option<(u8, Instant)>; 4],
    /// An Echo-Request went out and nothing has been heard from the peer since.
    echo_unanswered: bool,
    echo_missed: u8,
    echo_id: u8,
    reject_id: u8,
    rtt: Option<Duration>,
    ip_in: u64,
    ip_out: u64,
    line_in: u64,
    malformed: u64,
    ip_dropped: u64,
    ended: Option<String>,
    log: VecDeque<String>,
}

fn dotted(a: Addr) -> String {
    format!("{}.{}.{}.{}", a[0], a[1], a[2], a[3])
}

impl Ppp {
    /// A link with `config`, Dead until [`Ppp::open`].
    pub fn new(config: Config) -> Ppp {
        let can_authenticate = config.credentials.is_some();
        let server = config.server.clone();
        let lcp = Lcp::new(
            LcpConfig {
                mru: config.mru,
                accm: 0,
                compress: true,
                can_authenticate,
                require: server.as_ref().and_then(|s| s.auth),
            },
            config.seed,
        );
        let ipcp = Ipcp::new(match &server {
            Some(s) => IpcpConfig { local: Some(s.local), assign: Some(s.assign), ask_dns: false, dns: s.dns },
            None => IpcpConfig { local: None, assign: None, ask_dns: config.ask_dns, dns: [None; 2] },
        });
        let restart = config.timers.restart;
        let rx_size = (config.mru as usize).max(DEFAULT_MRU);
        Ppp {
            now: Instant::ZERO,
            phase: Phase::Dead,
            decoder: Decoder::new(rx_size),
            frame: Vec::with_capacity(rx_size + 8),
            out: FrameOut::new(),
            lcp: Fsm::new(lcp, config.timers),
            ipcp: Fsm::new(ipcp, config.timers),
            peer: config.credentials.clone().map(|c| Peer::new(c, restart)),
            authenticator: server.map(|s| Authenticator::new(s.accounts, "softmodem", restart)),
            rx: PacketQueue::new(16, rx_size),
            ip_up: false,
            echo_next: None,
            echo_sent: [None; 4],
            echo_unanswered: false,
            echo_missed: 0,
            echo_id: 0,
            reject_id: 0,
            rtt: None,
            ip_in: 0,
            ip_out: 0,
            line_in: 0,
            malformed: 0,
            ip_dropped: 0,
            ended: None,
            log: VecDeque::with_capacity(LOG_LINES),
            config,
        }
    }

    fn note(&mut self, line: String) {
        if self.log.len() == LOG_LINES {
            self.log.pop_front();
        }
        self.log.push_back(line);
    }

    /// The next line of the link's log (phases, addresses, failures).
    pub fn poll_log(&mut self) -> Option<String> {
        self.log.pop_front()
    }

    /// The phase now.
    pub fn phase(&self) -> Phase {
        self.phase
    }

    /// LCP's automaton state.
    pub fn lcp_state(&self) -> State {
        self.lcp.state()
    }

    /// IPCP's automaton state.
    pub fn ipcp_state(&self) -> State {
        self.ipcp.state()
    }

    /// IPCP is up: IPv4 packets flow.
    pub fn is_ip_up(&self) -> bool {
        self.ip_up
    }

    /// The link was opened and is over (the caller hangs up the modem).
    pub fn is_ended(&self) -> bool {
        self.phase == Phase::Dead && self.ended.is_some()
    }

    /// The time as the link counts it.
    pub fn now(&self) -> Instant {
        self.now
    }

    /// What a user interface shows.
    pub fn status(&self) -> Status {
        let i = &self.ipcp.negotiator;
        let d = self.decoder.stats();
        Status {
            phase: self.phase,
            ip_up: self.ip_up,
            local: i.local,
            peer: i.peer,
            dns: i.dns,
            auth: self.lcp.negotiator.remote.auth.or(self.lcp.negotiator.local.auth),
            ip_octets_in: self.ip_in,
            ip_octets_out: self.ip_out,
            line_octets_in: self.line_in,
            line_octets_out: self.out.octets,
            bad_fcs: d.bad_fcs,
            malformed: d.malformed + self.malformed,
            ip_dropped: self.ip_dropped,
            rtt_ms: self.rtt.map(|r| r.as_ms()),
            ended: self.ended.clone(),
        }
    }

    /// Starts the link: the modem is connected, LCP begins (Establish).
    pub fn open(&mut self) {
        self.ended = None;
        self.phase = Phase::Establish;
        self.note("PPP: LCP negotiating".into());
        self.lcp.open(self.now, &mut self.out);
        self.lcp.up(self.now, &mut self.out);
        self.settle();
    }

    /// Ends the link from our side: LCP Terminate-Request, then Dead (the caller then hangs up).
    pub fn close(&mut self, reason: &str) {
        if self.phase == Phase::Dead {
            return;
        }
        if self.ended.is_none() {
            self.ended = Some(reason.into());
        }
        self.note(format!("PPP: closing ({reason})"));
        self.phase = Phase::Terminate;
        self.lcp.close(self.now, &mut self.out);
        self.settle();
    }

    /// The modem's connection is gone: the link is Dead at once.
    pub fn lower_down(&mut self, reason: &str) {
        if self.ended.is_none() {
            self.ended = Some(reason.into());
        }
        self.lcp.down();
        self.settle();
        self.lcp.close(self.now, &mut self.out);
        self.settle();
        self.phase = Phase::Dead;
    }

    /// Octets from the line.
    pub fn receive(&mut self, bytes: &[u8]) {
        self.line_in += bytes.len() as u64;
        for &b in bytes {
            if self.decoder.push(b) == Some(Event::Frame) {
                let mut f = core::mem::take(&mut self.frame);
                f.clear();
                f.extend_from_slice(self.decoder.content());
                self.handle(&f);
                self.frame = f;
                // Now, not after the whole read: LCP's coming up changes how the next frame
                // in the same read is decoded (the agreed ACCM).
                self.settle();
            }
        }
    }

    /// Octets for the line, at most `out.len()`.
    pub fn transmit(&mut self, out: &mut [u8]) -> usize {
        self.out.take(out)
    }

    /// Octets waiting for the line.
    pub fn tx_pending(&self) -> usize {
        self.out.pending()
    }

    /// Whether [`Ppp::send_ip`] would take a packet now.
    pub fn can_send_ip(&self) -> bool {
        self.ip_up && self.out.pending() < self.config.max_backlog
    }

    /// Sends one IPv4 packet; false when IPCP is not up or the line is backed up (the packet is
    /// dropped, as a congested router would).
    pub fn send_ip(&mut self, packet: &[u8]) -> bool {
        if !self.can_send_ip() {
            return false;
        }
        let max = self.lcp.negotiator.remote.mru as usize;
        if packet.len() > max {
            self.ip_dropped += 1;
            return false;
        }
        self.ip_out += packet.len() as u64;
        self.out.frame(protocol::IPV4, packet);
        true
    }

    /// The oldest received IPv4 packet, if any (stays until [`Ppp::pop_ip`]).
    pub fn recv_ip(&self) -> Option<&[u8]> {
        self.rx.front()
    }

    /// Drops the oldest received IPv4 packet.
    pub fn pop_ip(&mut self) {
        self.rx.pop();
    }

    /// The largest IP packet the peer takes.
    pub fn peer_mru(&self) -> usize {
        self.lcp.negotiator.remote.mru as usize
    }

    /// Time passes.
    pub fn advance(&mut self, elapsed: Duration) {
        self.now += elapsed;
        let now = self.now;
        self.lcp.poll(now, &mut self.out);
        self.ipcp.poll(now, &mut self.out);
        if let Some(p) = self.peer.as_mut() {
            p.poll(now, &mut self.out);
        }
        if let Some(a) = self.authenticator.as_mut() {
            a.poll(now, &mut self.out);
        }
        self.echo(now);
        self.settle();
    }

    fn echo(&mut self, now: Instant) {
        let Some(next) = self.echo_next else { return };
        if now < next || !self.lcp.is_opened() {
            return;
        }
        // A peer is alive if anything came from it since the last request: on a slow line a
        // reply can queue behind data for longer than the interval.
        if std::mem::replace(&mut self.echo_unanswered, true) {
            self.echo_missed += 1;
            if self.echo_missed >= self.config.echo_failures {
                self.echo_next = None;
                let why = format!("no answer to {} LCP echo requests", self.echo_missed);
                self.close(&why);
                return;
            }
        }
        self.echo_id = self.echo_id.wrapping_add(1);
        let magic = self.lcp.negotiator.local.magic.to_be_bytes();
        self.out.packet(protocol::LCP, code::ECHO_REQUEST, self.echo_id, &magic);
        self.echo_sent.rotate_right(1);
        self.echo_sent[0] = Some((self.echo_id, now));
        self.echo_next = Some(now + self.config.echo_interval);
    }

    fn handle(&mut self, content: &[u8]) {
        let Ok(frame) = Frame::parse(content) else {
            self.malformed += 1;
            return;
        };
        self.echo_unanswered = false;
        self.echo_missed = 0;
        let now = self.now;
        let lcp_open = self.lcp.is_opened();
        match frame.protocol {
            protocol::LCP => {
                let Ok(p) = Packet::parse(frame.info) else {
                    self.malformed += 1;
                    return;
                };
                if let Some(p) = self.lcp.receive(now, p, &mut self.out) {
                    self.lcp_extra(p);
                }
            }
            // Before LCP is up, anything else is silently discarded (RFC 1661 3.4).
            _ if !lcp_open => {}
            protocol::PAP | protocol::CHAP => {
                let Ok(p) = Packet::parse(frame.info) else {
                    self.malformed += 1;
                    return;
                };
                if let Some(peer) = self.peer.as_mut() {
                    peer.receive(frame.protocol, p, &mut self.out);
                }
                if let Some(a) = self.authenticator.as_mut() {
                    a.receive(frame.protocol, p, &mut self.out);
                }
            }
            protocol::IPCP if self.phase == Phase::Network => {
                let Ok(p) = Packet::parse(frame.info) else {
                    self.malformed += 1;
                    return;
                };
                if let Some(p) = self.ipcp.receive(now, p, &mut self.out) {
                    self.ipcp.code_reject(&p, &mut self.out);
                }
            }
            // IPCP before authentication is over: not yet (the peer sends it again).
            protocol::IPCP => {}
            protocol::IPV4 if self.ip_up => {
                if self.rx.push(frame.info) {
                    self.ip_in += frame.info.len() as u64;
                } else {
                    self.ip_dropped += 1;
                }
            }
            protocol::IPV4 => {}
            other => {
                // Protocol-Reject: the protocol and as much of the packet as the peer's MRU
                // leaves room for (RFC 1661 5.7).
                self.reject_id = self.reject_id.wrapping_add(1);
                let mut data = [0u8; 1500];
                data[..2].copy_from_slice(&other.to_be_bytes());
                let room = (self.lcp.negotiator.remote.mru as usize).min(1500) - 4 - 2;
                let n = frame.info.len().min(room);
                data[2..2 + n].copy_from_slice(&frame.info[..n]);
                self.out.packet(protocol::LCP, code::PROTOCOL_REJECT, self.reject_id, &data[..2 + n]);
                self.note(format!("PPP: rejected protocol 0x{other:04x}"));
            }
        }
    }

    /// LCP's own codes (RFC 1661 5.7-5.9).
    fn lcp_extra(&mut self, p: Packet) {
        let opened = self.lcp.is_opened();
        match p.code {
            code::PROTOCOL_REJECT if opened => {
                let proto = p.data.get(..2).map(|b| u16::from_be_bytes([b[0], b[1]]));
                self.note(format!("PPP: the peer rejected protocol 0x{:04x}", proto.unwrap_or(0)));
                match proto {
                    Some(protocol::IPCP | protocol::IPV4) => {
                        self.ipcp.protocol_rejected(self.now, &mut self.out);
                    }
                    Some(protocol::PAP | protocol::CHAP) => self.close("the peer rejected authentication"),
                    _ => {}
                }
            }
            code::ECHO_REQUEST if opened => {
                let mut reply = [0u8; 1500];
                let magic = self.lcp.negotiator.local.magic.to_be_bytes();
                let rest = p.data.get(4..).unwrap_or(&[]);
                let n = rest.len().min(reply.len() - 4);
                reply[..4].copy_from_slice(&magic);
                reply[4..4 + n].copy_from_slice(&rest[..n]);
                self.out.packet(protocol::LCP, code::ECHO_REPLY, p.identifier, &reply[..4 + n]);
            }
            code::ECHO_REPLY if opened => {
                if let Some((_, sent)) = self.echo_sent.iter().flatten().find(|(id, _)| *id == p.identifier) {
                    self.rtt = Some(self.now - *sent);
                }
            }
            code::DISCARD_REQUEST | code::PROTOCOL_REJECT | code::ECHO_REQUEST | code::ECHO_REPLY => {}
            _ => self.lcp.code_reject(&p, &mut self.out),
        }
    }

    /// Carries layer events between LCP, authentication and IPCP until nothing changes.
    fn settle(&mut self) {
        loop {
            let mut changed = false;
            while let Some(e) = self.lcp.poll_event() {
                changed = true;
                self.lcp_event(e);
            }
            while let Some(e) = self.ipcp.poll_event() {
                changed = true;
                self.ipcp_event(e);
            }
            if self.phase == Phase::Authenticate {
                changed |= self.auth_progress();
            }
            if !changed {
                break;
            }
        }
    }

    fn lcp_event(&mut self, e: LayerEvent) {
        let now = self.now;
        match e {
            LayerEvent::Up => {
                let (local, remote) = (self.lcp.negotiator.local, self.lcp.negotiator.remote);
                self.out.encoder = Encoder { accm: remote.accm, acfc: remote.acfc, pfc: remote.pfc };
                self.decoder.accm = local.accm;
                self.echo_missed = 0;
                self.echo_unanswered = false;
                self.echo_sent = [None; 4];
                self.echo_next = (!self.config.echo_interval.is_zero()).then(|| now + self.config.echo_interval);
                self.note(format!(
                    "PPP: LCP up (MRU {} out, ACCM {:08x} out, {}{})",
                    remote.mru,
                    remote.accm,
                    if remote.pfc { "PFC " } else { "" },
                    if remote.acfc { "ACFC" } else { "" }
                ));
                let required = self.config.server.as_ref().is_some_and(|s| s.auth.is_some());
                if required && local.auth.is_none() {
                    self.close("the peer refused to authenticate");
                    return;
                }
                let mut started = false;
                if let (Some(a), Some(peer)) = (remote.auth, self.peer.as_mut()) {
                    peer.start(a, now, &mut self.out);
                    started = true;
                }
                if let (Some(a), Some(auth)) = (local.auth, self.authenticator.as_mut()) {
                    let lcp = &mut self.lcp.negotiator;
                    auth.start(a, now, &mut || lcp.next_random(), &mut self.out);
                    started = true;
                }
                if started {
                    self.phase = Phase::Authenticate;
                    self.note(format!("PPP: authenticating ({:?})", remote.auth.or(local.auth).unwrap()));
                } else {
                    self.network();
                }
            }
            LayerEvent::Down => {
                self.ipcp.down();
                self.ip_up = false;
                self.rx.clear();
                self.out.encoder = Encoder::default();
                self.decoder.accm = super::framing::ACCM_ALL;
                self.echo_next = None;
                if self.phase != Phase::Terminate {
                    self.phase = Phase::Establish;
                }
                self.note("PPP: LCP down".into());
            }
            LayerEvent::Started => {}
            LayerEvent::Finished => {
                if self.ended.is_none() {
                    self.ended = Some(self.lcp.last_stop().unwrap_or("LCP finished").into());
                }
                self.phase = Phase::Dead;
                self.note(format!("PPP: link ended ({})", self.ended.as_deref().unwrap_or("")));
            }
        }
    }

    fn network(&mut self) {
        self.phase = Phase::Network;
        self.note("PPP: IPCP negotiating".into());
        self.ipcp.open(self.now, &mut self.out);
        self.ipcp.up(self.now, &mut self.out);
    }

    /// Whether authentication has ended either way (and moved the link on).
    fn auth_progress(&mut self) -> bool {
        let mut failed = None;
        let mut pending = false;
        let outcomes = [
            self.peer.as_ref().filter(|p| p.protocol().is_some()).map(|p| p.outcome()),
            self.authenticator.as_ref().map(|a| a.outcome()),
        ];
        for o in outcomes.into_iter().flatten() {
            match o {
                Outcome::Pending => pending = true,
                Outcome::Failed(why) => failed = Some(why.clone()),
                Outcome::Succeeded(_) => {}
            }
        }
        if let Some(why) = failed {
            self.close(&format!("authentication failed: {why}"));
            return true;
        }
        if pending {
            return false;
        }
        self.note("PPP: authenticated".into());
        self.network();
        true
    }

    fn ipcp_event(&mut self, e: LayerEvent) {
        match e {
            LayerEvent::Up => {
                self.ip_up = true;
                let i = &self.ipcp.negotiator;
                let dns: Vec<String> = i.dns.iter().flatten().map(|a| dotted(*a)).collect();
                let line = format!(
                    "PPP: IP up: local {}, peer {}, DNS {}",
                    i.local.map_or("none".into(), dotted),
                    i.peer.map_or("unknown".into(), dotted),
                    if dns.is_empty() { "none".into() } else { dns.join(", ") }
                );
                self.note(line);
            }
            LayerEvent::Down => {
                self.ip_up = false;
                self.rx.clear();
                self.note("PPP: IP down".into());
            }
            LayerEvent::Started => {}
            LayerEvent::Finished => {
                if self.lcp.is_opened() && self.phase != Phase::Terminate {
                    let why = format!("IPCP failed: {}", self.ipcp.last_stop().unwrap_or("finished"));
                    self.close(&why);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests;
