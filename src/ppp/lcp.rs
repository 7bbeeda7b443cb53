//! LCP's options (RFC 1661 6, RFC 1662 7.1): what we ask of the peer and what we take from it.
//!
//! | Type | option | we ask | we take from the peer |
//! |---|---|---|---|
//! | 1 | Maximum-Receive-Unit | our MRU when it is not 1500 | 128 to 65535 (our frames to it stay within it); smaller is Nak'd with 1500 |
//! | 2 | Async-Control-Character-Map | our map (0 for a client: nothing escaped but 0x7D, 0x7E) | any map: our encoder escapes what it lists |
//! | 3 | Authentication-Protocol | (as a server) CHAP with MD5 or PAP | PAP and CHAP-MD5 when we have a password; any other algorithm Nak'd with CHAP-MD5; with no password, Rejected |
//! | 5 | Magic-Number | a random number | any but zero and ours (a peer sending ours is the line looped back: Nak'd with another) |
//! | 7 | Protocol-Field-Compression | yes | yes |
//! | 8 | Address-and-Control-Field-Compression | yes | yes |
//! | other | Quality, Callback, Multilink ... | no | Rejected |

use super::fsm::{Negotiator, Verdict};
use super::wire::{protocol, Opt, Options};

/// LCP's option types.
pub mod option {
    /// Maximum-Receive-Unit.
    pub const MRU: u8 = 1;
    /// Async-Control-Character-Map.
    pub const ACCM: u8 = 2;
    /// Authentication-Protocol.
    pub const AUTH: u8 = 3;
    /// Magic-Number.
    pub const MAGIC: u8 = 5;
    /// Protocol-Field-Compression.
    pub const PFC: u8 = 7;
    /// Address-and-Control-Field-Compression.
    pub const ACFC: u8 = 8;
}

/// The CHAP algorithm number for MD5 (RFC 1994 3).
pub const CHAP_MD5: u8 = 5;

/// An authentication protocol LCP can agree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum AuthProtocol {
    /// Password Authentication Protocol (RFC 1334).
    Pap,
    /// CHAP with MD5 (RFC 1994).
    ChapMd5,
}

impl AuthProtocol {
    /// The option's value.
    fn value(self) -> &'static [u8] {
        match self {
            AuthProtocol::Pap => &[0xC0, 0x23],
            AuthProtocol::ChapMd5 => &[0xC2, 0x23, CHAP_MD5],
        }
    }

    /// The protocol number its packets go under.
    pub fn protocol(self) -> u16 {
        match self {
            AuthProtocol::Pap => protocol::PAP,
            AuthProtocol::ChapMd5 => protocol::CHAP,
        }
    }

    fn parse(value: &[u8]) -> Option<AuthProtocol> {
        match value {
            [0xC0, 0x23] => Some(AuthProtocol::Pap),
            [0xC2, 0x23, CHAP_MD5] => Some(AuthProtocol::ChapMd5),
            _ => None,
        }
    }
}

/// What one direction of the link agreed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Agreed {
    /// The receiver's MRU.
    pub mru: u16,
    /// The control characters the sender escapes.
    pub accm: u32,
    /// The magic number of the side that asked (0: none).
    pub magic: u32,
    /// The sender may compress the protocol field.
    pub pfc: bool,
    /// The sender may leave out Address and Control.
    pub acfc: bool,
    /// The asking side wants the other to authenticate with this.
    pub auth: Option<AuthProtocol>,
}

impl Default for Agreed {
    fn default() -> Self {
        Agreed { mru: 1500, accm: super::framing::ACCM_ALL, magic: 0, pfc: false, acfc: false, auth: None }
    }
}

/// LCP's settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LcpConfig {
    /// The largest Information field we take.
    pub mru: u16,
    /// The control characters the peer must escape to us.
    pub accm: u32,
    /// Ask for PFC and ACFC.
    pub compress: bool,
    /// We can authenticate ourselves (a password is set).
    pub can_authenticate: bool,
    /// We ask the peer to authenticate with this (a server).
    pub require: Option<AuthProtocol>,
}

impl Default for LcpConfig {
    fn default() -> Self {
        LcpConfig { mru: 1500, accm: 0, compress: true, can_authenticate: false, require: None }
    }
}

/// LCP's negotiator.
#[derive(Debug, Clone)]
pub struct Lcp {
    config: LcpConfig,
    want: Agreed,
    ask_mru: bool,
    ask_accm: bool,
    ask_magic: bool,
    /// What the peer agreed to do for us (our request, acknowledged).
    pub local: Agreed,
    /// What we agreed to do for the peer (its request, acknowledged).
    pub remote: Agreed,
    rng: u32,
    /// Configure-Requests that carried our own magic number: the line loops back.
    pub loopbacks: u32,
}

impl Lcp {
    /// A negotiator with `config`, its magic numbers drawn from `seed`.
    pub fn new(config: LcpConfig, seed: u32) -> Lcp {
        let mut l = Lcp {
            config,
            want: Agreed::default(),
            ask_mru: false,
            ask_accm: false,
            ask_magic: true,
            local: Agreed::default(),
            remote: Agreed::default(),
            rng: seed | 1,
            loopbacks: 0,
        };
        l.reset();
        l
    }

    fn random(&mut self) -> u32 {
        // xorshift32: magic numbers need only differ between the two ends.
        loop {
            let mut x = self.rng;
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            self.rng = x;
            if x != 0 {
                return x;
            }
        }
    }

    /// Draws a random number for other protocols (CHAP's challenge) from the same generator.
    pub fn next_random(&mut self) -> u32 {
        self.random()
    }
}

impl Negotiator for Lcp {
    const PROTOCOL: u16 = protocol::LCP;

    fn reset(&mut self) {
        let magic = self.random();
        self.want = Agreed {
            mru: self.config.mru,
            accm: self.config.accm,
            magic,
            pfc: self.config.compress,
            acfc: self.config.compress,
            auth: self.config.require,
        };
        self.ask_mru = self.config.mru != 1500;
        self.ask_accm = self.config.accm != super::framing::ACCM_ALL;
        self.ask_magic = true;
        self.local = Agreed::default();
        self.remote = Agreed::default();
    }

    fn request(&mut self, out: &mut Vec<u8>) {
        if self.ask_mru {
            Opt { kind: option::MRU, value: &self.want.mru.to_be_bytes() }.emit(out);
        }
        if self.ask_accm {
            Opt { kind: option::ACCM, value: &self.want.accm.to_be_bytes() }.emit(out);
        }
        if let Some(a) = self.want.auth {
            Opt { kind: option::AUTH, value: a.value() }.emit(out);
        }
        if self.ask_magic {
            Opt { kind: option::MAGIC, value: &self.want.magic.to_be_bytes() }.emit(out);
        }
        if self.want.pfc {
            Opt { kind: option::PFC, value: &[] }.emit(out);
        }
        if self.want.acfc {
            Opt { kind: option::ACFC, value: &[] }.emit(out);
        }
    }

    fn acked(&mut self, _options: &[u8]) {
        self.local = Agreed {
            mru: if self.ask_mru { self.want.mru } else { 1500 },
            accm: if self.ask_accm { self.want.accm } else { super::framing::ACCM_ALL },
            magic: if self.ask_magic { self.want.magic } else { 0 },
            ..self.want
        };
    }

    fn nakked(&mut self, options: &[u8]) {
        for o in Options::new(options).flatten() {
            match o.kind {
                option::MRU => {
                    if let Some(m) = o.u16() {
                        // We can take anything up to our buffer's size.
                        self.want.mru = m.clamp(128, self.config.mru.max(128));
                        self.ask_mru = self.want.mru != 1500;
                    }
                }
                option::ACCM => {
                    if let Some(m) = o.u32() {
                        self.want.accm |= m;
                        self.ask_accm = true;
                    }
                }
                option::MAGIC => self.want.magic = self.random(),
                option::AUTH => {
                    // A server's choice Nak'd: take the other one we know, else give up asking.
                    self.want.auth = match (self.want.auth, AuthProtocol::parse(o.value)) {
                        (Some(_), Some(a)) => Some(a),
                        (a, _) => a,
                    };
                }
                _ => {}
            }
        }
    }

    fn rejected(&mut self, options: &[u8]) {
        for o in Options::new(options).flatten() {
            match o.kind {
                option::MRU => self.ask_mru = false,
                option::ACCM => self.ask_accm = false,
                option::MAGIC => self.ask_magic = false,
                option::PFC => self.want.pfc = false,
                option::ACFC => self.want.acfc = false,
                option::AUTH => self.want.auth = None,
                _ => {}
            }
        }
    }

    fn check(&mut self, options: &[u8], may_nak: bool, out: &mut Vec<u8>) -> Verdict {
        let mut reject = false;
        let mut nak = false;
        let mut agreed = Agreed::default();
        let mut magic_nak = 0u32;
        // First pass: what must be rejected, then what must be Nak'd; the reply carries only
        // the worst kind (RFC 1661 5.3, 5.4).
        for o in Options::new(options).flatten() {
            let verdict = match (o.kind, o.value.len()) {
                (option::MRU, 2) => {
                    let m = o.u16().unwrap_or(0);
                    agreed.mru = m;
                    if m >= 128 {
                        Verdict::Ack
                    } else {
                        Verdict::Nak
                    }
                }
                (option::ACCM, 4) => {
                    agreed.accm = o.u32().unwrap_or(0);
                    Verdict::Ack
                }
                (option::AUTH, _) if !self.config.can_authenticate => Verdict::Reject,
                (option::AUTH, n) if n >= 2 => match AuthProtocol::parse(o.value) {
                    Some(a) => {
                        agreed.auth = Some(a);
                        Verdict::Ack
                    }
                    None => Verdict::Nak,
                },
                (option::MAGIC, 4) => {
                    let m = o.u32().unwrap_or(0);
                    agreed.magic = m;
                    if m == 0 || (self.ask_magic && m == self.want.magic) {
                        if m != 0 {
                            self.loopbacks += 1;
                            self.want.magic = self.random();
                        }
                        magic_nak = self.random();
                        Verdict::Nak
                    } else {
                        Verdict::Ack
                    }
                }
                (option::PFC, 0) => {
                    agreed.pfc = true;
                    Verdict::Ack
                }
                (option::ACFC, 0) => {
                    agreed.acfc = true;
                    Verdict::Ack
                }
                _ => Verdict::Reject,
            };
            reject |= verdict == Verdict::Reject;
            nak |= verdict == Verdict::Nak;
        }
        if nak && !may_nak {
            reject = true;
        }
        if !reject && !nak {
            self.remote = agreed;
            return Verdict::Ack;
        }
        for o in Options::new(options).flatten() {
            let bad_len = match o.kind {
                option::MRU => o.value.len() != 2,
                option::ACCM | option::MAGIC => o.value.len() != 4,
                option::PFC | option::ACFC => !o.value.is_empty(),
                option::AUTH => o.value.len() < 2,
                _ => true,
            };
            let rejected = bad_len || (o.kind == option::AUTH && !self.config.can_authenticate);
            if reject {
                // With may_nak gone, what would be Nak'd is rejected along with the rest.
                let naks = !bad_len && option_naks(o, self.ask_magic.then_some(self.want.magic));
                if rejected || (!may_nak && naks) {
                    o.emit(out);
                }
                continue;
            }
            match o.kind {
                option::MRU if o.u16().unwrap_or(0) < 128 => {
                    Opt { kind: option::MRU, value: &1500u16.to_be_bytes() }.emit(out);
                }
                option::AUTH if AuthProtocol::parse(o.value).is_none() => {
                    Opt { kind: option::AUTH, value: AuthProtocol::ChapMd5.value() }.emit(out);
                }
                option::MAGIC if magic_nak != 0 && o.u32() == Some(agreed.magic) => {
                    Opt { kind: option::MAGIC, value: &magic_nak.to_be_bytes() }.emit(out);
                }
                _ => {}
            }
        }
        if reject {
            Verdict::Reject
        } else {
            Verdict::Nak
        }
    }
}

/// Whether an option of a well-formed length would be Nak'd.
fn option_naks(o: Opt, ours: Option<u32>) -> bool {
    match o.kind {
        option::MRU => o.u16().unwrap_or(0) < 128,
        option::AUTH => AuthProtocol::parse(o.value).is_none(),
        option::MAGIC => {
            let m = o.u32().unwrap_or(0);
            m == 0 || Some(m) == ours
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::ppp::wire::options as opts;

    #[test]
    fn a_plain_request_is_acked_and_taken() {
        let mut l = Lcp::new(LcpConfig::default(), 7);
        let req = opts(&[
            (option::ACCM, &[0, 0, 0, 0]),
            (option::MAGIC, &[1, 2, 3, 4]),
            (option::PFC, &[]),
            (option::ACFC, &[]),
        ]);
        let mut out = Vec::new();
        assert_eq!(l.check(&req, true, &mut out), Verdict::Ack);
        assert_eq!(l.remote, Agreed { mru: 1500, accm: 0, magic: 0x01020304, pfc: true, acfc: true, auth: None });
    }

    #[test]
    fn unknown_options_are_rejected_alone() {
        let mut l = Lcp::new(LcpConfig::default(), 7);
        // Callback (13) and a too-small MRU: only the Reject goes back, with the callback.
        let req = opts(&[(option::MRU, &[0, 10]), (13, &[6]), (option::MAGIC, &[9, 9, 9, 9])]);
        let mut out = Vec::new();
        assert_eq!(l.check(&req, true, &mut out), Verdict::Reject);
        assert_eq!(out, opts(&[(13, &[6])]));
        out.clear();
        let req = opts(&[(option::MRU, &[0, 10]), (option::MAGIC, &[9, 9, 9, 9])]);
        assert_eq!(l.check(&req, true, &mut out), Verdict::Nak);
        assert_eq!(out, opts(&[(option::MRU, &[0x05, 0xDC])]));
        // Max-Failure reached: the MRU is rejected instead.
        out.clear();
        assert_eq!(l.check(&req, false, &mut out), Verdict::Reject);
        assert_eq!(out, opts(&[(option::MRU, &[0, 10])]));
    }

    #[test]
    fn our_own_magic_means_a_loop() {
        let mut l = Lcp::new(LcpConfig::default(), 7);
        let mut ours = Vec::new();
        l.request(&mut ours);
        let magic = Options::new(&ours).flatten().find(|o| o.kind == option::MAGIC).unwrap().u32().unwrap();
        let mut out = Vec::new();
        assert_eq!(l.check(&ours, true, &mut out), Verdict::Nak);
        let naked = Options::new(&out).flatten().next().unwrap();
        assert_eq!(naked.kind, option::MAGIC);
        assert_ne!(naked.u32(), Some(magic));
        assert_eq!(l.loopbacks, 1);
        let mut again = Vec::new();
        l.request(&mut again);
        assert_ne!(again, ours, "a new magic number of our own too");
    }

    #[test]
    fn authentication_needs_a_password() {
        let chap_sha = opts(&[(option::AUTH, &[0xC2, 0x23, 0x80])]);
        let mut out = Vec::new();
        let mut none = Lcp::new(LcpConfig::default(), 1);
        assert_eq!(none.check(&chap_sha, true, &mut out), Verdict::Reject);
        out.clear();
        let mut with = Lcp::new(LcpConfig { can_authenticate: true, ..LcpConfig::default() }, 1);
        assert_eq!(with.check(&chap_sha, true, &mut out), Verdict::Nak);
        assert_eq!(out, opts(&[(option::AUTH, &[0xC2, 0x23, 5])]));
        out.clear();
        assert_eq!(with.check(&opts(&[(option::AUTH, &[0xC0, 0x23])]), true, &mut out), Verdict::Ack);
        assert_eq!(with.remote.auth, Some(AuthProtocol::Pap));
    }

    #[test]
    fn naks_and_rejects_shape_the_next_request() {
        let mut l = Lcp::new(LcpConfig { mru: 1500, accm: 0, ..LcpConfig::default() }, 3);
        l.nakked(&opts(&[(option::ACCM, &[0, 0x0A, 0, 0])]));
        l.rejected(&opts(&[(option::PFC, &[])]));
        let mut req = Vec::new();
        l.request(&mut req);
        let got: Vec<_> = Options::new(&req).flatten().map(|o| (o.kind, o.value.to_vec())).collect();
        assert_eq!(got[0], (option::ACCM, vec![0, 0x0A, 0, 0]));
        assert!(got.iter().all(|(k, _)| *k != option::PFC));
        assert!(got.iter().any(|(k, _)| *k == option::ACFC));
    }
}
