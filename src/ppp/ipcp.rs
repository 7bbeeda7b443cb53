//! IPCP's options (RFC 1332, RFC 1877): the addresses of the link's two ends and the DNS servers.
//!
//! A client asks for IP-Address 0.0.0.0 and the DNS addresses 0.0.0.0, and the server's Nak
//! gives it the values to ask for again; a server Naks a client's 0.0.0.0 with the address it
//! assigns. IP-Compression-Protocol (Van Jacobson TCP/IP header compression) and the old
//! IP-Addresses option are Rejected: the modem's IP stack sends plain IPv4.

use super::fsm::{Negotiator, Verdict};
use super::wire::{protocol, Opt, Options};

/// IPCP's option types.
pub mod option {
    /// IP-Addresses (RFC 1172, deprecated).
    pub const IP_ADDRESSES: u8 = 1;
    /// IP-Compression-Protocol.
    pub const COMPRESSION: u8 = 2;
    /// IP-Address.
    pub const IP_ADDRESS: u8 = 3;
    /// Primary-DNS-Address (RFC 1877).
    pub const PRIMARY_DNS: u8 = 129;
    /// Secondary-DNS-Address (RFC 1877).
    pub const SECONDARY_DNS: u8 = 131;
}

/// An IPv4 address as four octets.
pub type Addr = [u8; 4];

/// IPCP's settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct IpcpConfig {
    /// Our address, if we have one; a client without one asks the server for it.
    pub local: Option<Addr>,
    /// (A server) the address the peer gets.
    pub assign: Option<Addr>,
    /// (A client) ask for the DNS servers' addresses; (a server) the DNS servers offered.
    pub ask_dns: bool,
    /// (A server) the DNS servers it gives.
    pub dns: [Option<Addr>; 2],
}

/// IPCP's negotiator.
#[derive(Debug, Clone)]
pub struct Ipcp {
    config: IpcpConfig,
    want_addr: Option<Addr>,
    want_dns: [Option<Addr>; 2],
    /// Our address, once acknowledged.
    pub local: Option<Addr>,
    /// The peer's address, as it gave it.
    pub peer: Option<Addr>,
    /// The DNS servers the peer gave.
    pub dns: [Option<Addr>; 2],
}

/// The address a client gives a peer that asks for one (10.64.64.64).
pub const PEER_FALLBACK: Addr = [10, 64, 64, 64];

const DNS_OPTIONS: [u8; 2] = [option::PRIMARY_DNS, option::SECONDARY_DNS];

impl Ipcp {
    /// A negotiator with `config`.
    pub fn new(config: IpcpConfig) -> Ipcp {
        let mut i = Ipcp { config, want_addr: None, want_dns: [None; 2], local: None, peer: None, dns: [None; 2] };
        i.reset();
        i
    }

    fn is_server(&self) -> bool {
        self.config.assign.is_some()
    }
}

fn addr(o: &Opt) -> Option<Addr> {
    <[u8; 4]>::try_from(o.value).ok()
}

impl Negotiator for Ipcp {
    const PROTOCOL: u16 = protocol::IPCP;

    fn reset(&mut self) {
        self.want_addr = Some(self.config.local.unwrap_or([0; 4]));
        let ask = self.config.ask_dns && !self.is_server();
        self.want_dns = [ask.then_some([0; 4]); 2];
        self.local = None;
        self.peer = None;
        if !self.is_server() {
            self.dns = [None; 2];
        } else {
            self.dns = self.config.dns;
        }
    }

    fn request(&mut self, out: &mut Vec<u8>) {
        if let Some(a) = self.want_addr {
            Opt { kind: option::IP_ADDRESS, value: &a }.emit(out);
        }
        for (kind, d) in DNS_OPTIONS.iter().zip(self.want_dns) {
            if let Some(a) = d {
                Opt { kind: *kind, value: &a }.emit(out);
            }
        }
    }

    fn acked(&mut self, _options: &[u8]) {
        self.local = self.want_addr.filter(|a| *a != [0; 4]);
        if !self.is_server() {
            self.dns = self.want_dns.map(|d| d.filter(|a| *a != [0; 4]));
        }
    }

    fn nakked(&mut self, options: &[u8]) {
        for o in Options::new(options).flatten() {
            let Some(a) = addr(&o) else { continue };
            match o.kind {
                option::IP_ADDRESS => self.want_addr = Some(a),
                option::PRIMARY_DNS if self.want_dns[0].is_some() => self.want_dns[0] = Some(a),
                option::SECONDARY_DNS if self.want_dns[1].is_some() => self.want_dns[1] = Some(a),
                _ => {}
            }
        }
    }

    fn rejected(&mut self, options: &[u8]) {
        for o in Options::new(options).flatten() {
            match o.kind {
                option::IP_ADDRESS => self.want_addr = None,
                option::PRIMARY_DNS => self.want_dns[0] = None,
                option::SECONDARY_DNS => self.want_dns[1] = None,
                _ => {}
            }
        }
    }

    fn check(&mut self, options: &[u8], may_nak: bool, out: &mut Vec<u8>) -> Verdict {
        let mut reject = Vec::new();
        let mut nak: Vec<(u8, Addr)> = Vec::new();
        let mut peer = None;
        for o in Options::new(options).flatten() {
            match (o.kind, addr(&o)) {
                // A peer asking 0.0.0.0 wants to be given an address. A client knows none for
                // it, but the peer needs one to bring IPCP up (slirp terminates IPCP after an
                // Ack of 0.0.0.0 or a Reject of the option): it gets PEER_FALLBACK, the address
                // pppd documents for a peer that has none. On a point-to-point link the peer's
                // address only names the far end; nothing is routed by it.
                (option::IP_ADDRESS, Some([0, 0, 0, 0])) if !self.is_server() => nak.push((o.kind, PEER_FALLBACK)),
                (option::IP_ADDRESS, Some(a)) => {
                    peer = Some(a);
                    match self.config.assign {
                        Some(give) if a != give => nak.push((o.kind, give)),
                        _ => {}
                    }
                }
                (k @ (option::PRIMARY_DNS | option::SECONDARY_DNS), Some(a)) if self.is_server() => {
                    match self.config.dns[(k == option::SECONDARY_DNS) as usize] {
                        Some(d) if d != a => nak.push((k, d)),
                        Some(_) => {}
                        None => reject.push(o),
                    }
                }
                _ => reject.push(o),
            }
        }
        if !nak.is_empty() && !may_nak {
            for o in Options::new(options).flatten() {
                if nak.iter().any(|(k, _)| *k == o.kind) {
                    reject.push(o);
                }
            }
        }
        if !reject.is_empty() {
            reject.iter().for_each(|o| o.emit(out));
            return Verdict::Reject;
        }
        if !nak.is_empty() {
            for (k, a) in nak {
                Opt { kind: k, value: &a }.emit(out);
            }
            return Verdict::Nak;
        }
        self.peer = peer.filter(|a| *a != [0; 4]);
        Verdict::Ack
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::ppp::wire::options as opts;

    #[test]
    fn a_client_learns_its_address_and_dns_from_naks() {
        // RFC 1332 3.3 and RFC 1877 1.1: ask 0.0.0.0, the Nak carries what to ask for.
        let mut c = Ipcp::new(IpcpConfig { ask_dns: true, ..IpcpConfig::default() });
        let mut req = Vec::new();
        c.request(&mut req);
        assert_eq!(req, opts(&[(3, &[0; 4]), (129, &[0; 4]), (131, &[0; 4])]));
        c.nakked(&opts(&[(3, &[10, 0, 2, 15]), (129, &[10, 0, 2, 3])]));
        c.rejected(&opts(&[(131, &[0; 4])]));
        req.clear();
        c.request(&mut req);
        assert_eq!(req, opts(&[(3, &[10, 0, 2, 15]), (129, &[10, 0, 2, 3])]));
        c.acked(&req);
        assert_eq!(c.local, Some([10, 0, 2, 15]));
        assert_eq!(c.dns, [Some([10, 0, 2, 3]), None]);
        // The server's own request: its address taken, VJ compression rejected.
        let mut out = Vec::new();
        let theirs = opts(&[(2, &[0x00, 0x2D, 0x0F, 0x01]), (3, &[10, 0, 2, 2])]);
        assert_eq!(c.check(&theirs, true, &mut out), Verdict::Reject);
        assert_eq!(out, opts(&[(2, &[0x00, 0x2D, 0x0F, 0x01])]));
        out.clear();
        assert_eq!(c.check(&opts(&[(3, &[10, 0, 2, 2])]), true, &mut out), Verdict::Ack);
        assert_eq!(c.peer, Some([10, 0, 2, 2]));
        // A server with no address of its own asks 0.0.0.0: it gets the fallback.
        out.clear();
        assert_eq!(c.check(&opts(&[(3, &[0; 4])]), true, &mut out), Verdict::Nak);
        assert_eq!(out, opts(&[(3, &PEER_FALLBACK)]));
    }

    #[test]
    fn a_server_assigns() {
        let mut s = Ipcp::new(IpcpConfig {
            local: Some([192, 168, 7, 1]),
            assign: Some([192, 168, 7, 2]),
            ask_dns: false,
            dns: [Some([192, 168, 7, 1]), None],
        });
        let mut out = Vec::new();
        let ask = opts(&[(3, &[0; 4]), (129, &[0; 4]), (131, &[0; 4])]);
        assert_eq!(s.check(&ask, true, &mut out), Verdict::Reject, "no secondary DNS to give");
        assert_eq!(out, opts(&[(131, &[0; 4])]));
        out.clear();
        let ask = opts(&[(3, &[0; 4]), (129, &[0; 4])]);
        assert_eq!(s.check(&ask, true, &mut out), Verdict::Nak);
        assert_eq!(out, opts(&[(3, &[192, 168, 7, 2]), (129, &[192, 168, 7, 1])]));
        out.clear();
        let ok = opts(&[(3, &[192, 168, 7, 2]), (129, &[192, 168, 7, 1])]);
        assert_eq!(s.check(&ok, true, &mut out), Verdict::Ack);
        assert_eq!(s.peer, Some([192, 168, 7, 2]));
    }
}
