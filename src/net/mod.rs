//! TCP/IP over PPP: `smoltcp` (a sans-IO IP stack, no_std, that runs in the page as it does
//! natively) on the IPv4 packets a [`Ppp`] link carries, with a DNS resolver through the servers
//! IPCP gave, and the clients a person uses on top: [`http`] (a web fetch) and [`stream`] (a TCP
//! connection for the telnet client).
//!
//! [`Net`] holds the interface and its sockets; [`Net::poll`] runs the stack against the link
//! whenever octets arrived or time passed. The interface gets its address when IPCP is up (a /32:
//! everything else goes to the peer, which is what a dial-up link is), and loses it when IPCP
//! goes down. Time is the link's ([`Ppp::now`]), in samples.
//!
//! The MTU is 576 unless the peer's MRU is smaller: TCP's segments (MSS 536) then take 2.2 s at
//! 2400 bit/s rather than 6 s for 1500-octet ones, so typing in a telnet session does not wait
//! behind a whole large segment.

pub mod dialup;
pub mod http;
pub mod stream;

use crate::ppp::Ppp;
use smoltcp::iface::{Config as IfaceConfig, Interface, SocketHandle, SocketSet};
use smoltcp::phy::{Device, DeviceCapabilities, Medium};
use smoltcp::socket::{dns, tcp, udp};
use smoltcp::wire::{HardwareAddress, IpAddress, IpCidr, IpEndpoint, Ipv4Address};

/// Seconds without an answer from the far end before a TCP connection is given up.
pub const TCP_TIMEOUT_S: u64 = 90;

/// The largest IP packet we send or ask for, unless the peer's MRU is smaller.
pub const MTU: usize = 576;

/// Converts the link's time to the stack's.
fn stack_time(ppp: &Ppp) -> smoltcp::time::Instant {
    smoltcp::time::Instant::from_micros(ppp.now().samples() as i64 * 125)
}

/// The link as smoltcp's device: packets from [`Ppp::recv_ip`] and to [`Ppp::send_ip`].
struct Link<'a> {
    ppp: &'a mut Ppp,
    rx: &'a mut Vec<u8>,
    tx: &'a mut Vec<u8>,
}

struct Rx<'a>(&'a [u8]);
struct Tx<'a> {
    ppp: &'a mut Ppp,
    buf: &'a mut Vec<u8>,
}

impl smoltcp::phy::RxToken for Rx<'_> {
    fn consume<R, F: FnOnce(&[u8]) -> R>(self, f: F) -> R {
        f(self.0)
    }
}

impl smoltcp::phy::TxToken for Tx<'_> {
    fn consume<R, F: FnOnce(&mut [u8]) -> R>(self, len: usize, f: F) -> R {
        self.buf.clear();
        self.buf.resize(len, 0);
        let r = f(self.buf);
        // Refused only when the link went down since `transmit` said yes: the packet is lost, as
        // on any link going down, and TCP sends again.
        let _ = self.ppp.send_ip(self.buf);
        r
    }
}

impl Device for Link<'_> {
    type RxToken<'b>
        = Rx<'b>
    where
        Self: 'b;
    type TxToken<'b>
        = Tx<'b>
    where
        Self: 'b;

    fn receive(&mut self, _t: smoltcp::time::Instant) -> Option<(Rx<'_>, Tx<'_>)> {
        let p = self.ppp.recv_ip()?;
        self.rx.clear();
        self.rx.extend_from_slice(p);
        self.ppp.pop_ip();
        Some((Rx(self.rx), Tx { ppp: self.ppp, buf: self.tx }))
    }

    fn transmit(&mut self, _t: smoltcp::time::Instant) -> Option<Tx<'_>> {
        // Nothing for the line while it is backed up: the stack keeps its segments and TCP's
        // own pacing takes over, rather than packets dropped at the framer.
        self.ppp.can_send_ip().then_some(Tx { ppp: self.ppp, buf: self.tx })
    }

    fn capabilities(&self) -> DeviceCapabilities {
        let mut c = DeviceCapabilities::default();
        c.medium = Medium::Ip;
        c.max_transmission_unit = MTU.min(self.ppp.peer_mru());
        c
    }
}

/// Why a network operation could not start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NetError {
    /// IPCP is not up: no address yet.
    NoAddress,
    /// No DNS server was given and the name is not an address.
    NoDns,
    /// The name cannot be looked up (too long, bad characters).
    BadName,
    /// Too many connections or lookups at once.
    Busy,
    /// The stack refused the connection (port in use, unreachable address).
    Refused,
}

impl core::fmt::Display for NetError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            NetError::NoAddress => "no IP address yet (PPP's IPCP is not up)",
            NetError::NoDns => "no DNS server was given",
            NetError::BadName => "not a host name",
            NetError::Busy => "too many connections at once",
            NetError::Refused => "the connection could not be started",
        })
    }
}

/// A name lookup under way.
#[derive(Clone, Copy)]
pub struct Lookup(dns::QueryHandle);

impl core::fmt::Debug for Lookup {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Lookup")
    }
}

/// How a lookup ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resolved {
    /// Not yet.
    Pending,
    /// The first IPv4 address.
    Address([u8; 4]),
    /// No answer or no address.
    Failed,
}

/// The IP stack on one PPP link.
pub struct Net {
    iface: Option<Interface>,
    sockets: SocketSet<'static>,
    dns: Option<SocketHandle>,
    rx: Vec<u8>,
    tx: Vec<u8>,
    seed: u64,
    next_port: u16,
    address: Option<[u8; 4]>,
    /// Sockets released: freed once their RST has gone.
    dead: Vec<SocketHandle>,
}

impl core::fmt::Debug for Net {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Net").field("address", &self.address).finish_non_exhaustive()
    }
}

impl Net {
    /// A stack with no address yet; `seed` randomises its TCP sequence numbers and ports.
    pub fn new(seed: u64) -> Net {
        Net {
            iface: None,
            sockets: SocketSet::new(Vec::new()),
            dns: None,
            rx: Vec::with_capacity(1600),
            tx: Vec::with_capacity(1600),
            seed,
            next_port: 49152 + (seed % 8192) as u16,
            address: None,
            dead: Vec::new(),
        }
    }

    /// Our address, once the link gave one.
    pub fn address(&self) -> Option<[u8; 4]> {
        self.address
    }

    /// Follows the link's addresses: sets the interface up when IPCP is up, down when not.
    fn follow(&mut self, ppp: &mut Ppp) {
        let st = ppp.status();
        let want = if st.ip_up { st.local } else { None };
        if want == self.address {
            return;
        }
        self.address = want;
        let Some(a) = want else {
            self.iface = None;
            return;
        };
        let mut config = IfaceConfig::new(HardwareAddress::Ip);
        config.random_seed = self.seed;
        let now = stack_time(ppp);
        let mut dev = Link { ppp, rx: &mut self.rx, tx: &mut self.tx };
        let mut iface = Interface::new(config, &mut dev, now);
        let local = Ipv4Address::new(a[0], a[1], a[2], a[3]);
        iface.update_ip_addrs(|addrs| {
            let _ = addrs.push(IpCidr::new(IpAddress::Ipv4(local), 32));
        });
        let gw = st.peer.map_or(local, |p| Ipv4Address::new(p[0], p[1], p[2], p[3]));
        let _ = iface.routes_mut().add_default_ipv4_route(gw);
        self.iface = Some(iface);
        let servers: Vec<IpAddress> = st.dns.iter().flatten().map(|d| IpAddress::v4(d[0], d[1], d[2], d[3])).collect();
        if let Some(h) = self.dns.take() {
            self.sockets.remove(h);
        }
        if !servers.is_empty() {
            let queries: Vec<Option<dns::DnsQuery>> = (0..4).map(|_| None).collect();
            self.dns = Some(self.sockets.add(dns::Socket::new(&servers, queries)));
        }
    }

    /// Runs the stack: packets from the link in, segments and retransmissions out.
    pub fn poll(&mut self, ppp: &mut Ppp) {
        self.follow(ppp);
        let Some(iface) = self.iface.as_mut() else {
            for h in self.dead.drain(..) {
                self.sockets.remove(h);
            }
            // No address: what arrives has nowhere to go.
            while ppp.recv_ip().is_some() {
                ppp.pop_ip();
            }
            return;
        };
        let now = stack_time(ppp);
        let mut dev = Link { ppp, rx: &mut self.rx, tx: &mut self.tx };
        iface.poll(now, &mut dev, &mut self.sockets);
        for h in self.dead.drain(..) {
            self.sockets.remove(h);
        }
    }

    /// The next ephemeral port (49152 to 65535, RFC 6335).
    fn port(next: &mut u16) -> u16 {
        let p = *next;
        *next = if p == u16::MAX { 49152 } else { p + 1 };
        p
    }

    /// Opens a TCP connection to `addr`:`port` with buffers of these sizes.
    pub fn connect(&mut self, addr: [u8; 4], port: u16, rx: usize, tx: usize) -> Result<SocketHandle, NetError> {
        let iface = self.iface.as_mut().ok_or(NetError::NoAddress)?;
        let mut s = tcp::Socket::new(tcp::SocketBuffer::new(vec![0; rx]), tcp::SocketBuffer::new(vec![0; tx]));
        s.set_nagle_enabled(false);
        // A far end silent this long (SYN unanswered, data unacknowledged) ends the connection:
        // long enough for a slow line's queue and a few retransmissions, short enough to say so.
        s.set_timeout(Some(smoltcp::time::Duration::from_secs(TCP_TIMEOUT_S)));
        let remote = IpEndpoint::new(IpAddress::v4(addr[0], addr[1], addr[2], addr[3]), port);
        let local = Self::port(&mut self.next_port);
        s.connect(iface.context(), remote, local).map_err(|_| NetError::Refused)?;
        Ok(self.sockets.add(s))
    }

    /// A TCP socket listening on `port` (a server's), with buffers of these sizes.
    pub fn listen(&mut self, port: u16, rx: usize, tx: usize) -> SocketHandle {
        let mut s = tcp::Socket::new(tcp::SocketBuffer::new(vec![0; rx]), tcp::SocketBuffer::new(vec![0; tx]));
        s.set_nagle_enabled(false);
        // A port of zero is the only refusal, and the callers give fixed, nonzero ports.
        let _ = s.listen(port);
        self.sockets.add(s)
    }

    /// A UDP socket bound to `port`, holding a few datagrams each way.
    pub fn udp(&mut self, port: u16) -> SocketHandle {
        let buf = || udp::PacketBuffer::new(vec![udp::PacketMetadata::EMPTY; 4], vec![0; 2048]);
        let mut s = udp::Socket::new(buf(), buf());
        let _ = s.bind(port);
        self.sockets.add(s)
    }

    /// A UDP socket by its handle.
    pub fn udp_socket(&mut self, h: SocketHandle) -> &mut udp::Socket<'static> {
        self.sockets.get_mut::<udp::Socket>(h)
    }

    /// A TCP socket by its handle.
    pub fn tcp(&mut self, h: SocketHandle) -> &mut tcp::Socket<'static> {
        self.sockets.get_mut::<tcp::Socket>(h)
    }

    /// Aborts a TCP socket (RST if it was still connected) and frees it after the next poll.
    pub fn release(&mut self, h: SocketHandle) {
        self.tcp(h).abort();
        self.dead.push(h);
    }

    /// Starts looking `name` up through the link's DNS servers.
    pub fn lookup(&mut self, name: &str) -> Result<Lookup, NetError> {
        let iface = self.iface.as_mut().ok_or(NetError::NoAddress)?;
        let h = self.dns.ok_or(NetError::NoDns)?;
        let s = self.sockets.get_mut::<dns::Socket>(h);
        match s.start_query(iface.context(), name, smoltcp::wire::DnsQueryType::A) {
            Ok(q) => Ok(Lookup(q)),
            Err(dns::StartQueryError::NoFreeSlot) => Err(NetError::Busy),
            Err(_) => Err(NetError::BadName),
        }
    }

    /// How a lookup stands.
    pub fn resolved(&mut self, l: Lookup) -> Resolved {
        let Some(h) = self.dns else { return Resolved::Failed };
        let s = self.sockets.get_mut::<dns::Socket>(h);
        match s.get_query_result(l.0) {
            Ok(addrs) => addrs
                .iter()
                .find_map(|a| match a {
                    IpAddress::Ipv4(v) => Some(Resolved::Address(v.octets())),
                    #[allow(unreachable_patterns)]
                    _ => None,
                })
                .unwrap_or(Resolved::Failed),
            Err(dns::GetQueryResultError::Pending) => Resolved::Pending,
            Err(_) => Resolved::Failed,
        }
    }
}

/// Parses a dotted IPv4 address.
pub fn parse_addr(s: &str) -> Option<[u8; 4]> {
    let mut out = [0u8; 4];
    let mut parts = s.split('.');
    for o in out.iter_mut() {
        let p = parts.next()?;
        if p.is_empty() || p.len() > 3 || !p.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        *o = p.parse().ok()?;
    }
    parts.next().is_none().then_some(out)
}
