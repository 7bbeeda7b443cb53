//! PPP (RFC 1661) over the modem's asynchronous data, as a dial-up client (and, for the demo, a
//! server), sans-IO.
//!
//! | module | what | text |
//! |---|---|---|
//! | [`framing`] | HDLC-like framing: flags, escapes, the async control character map, FCS-16 | RFC 1662 |
//! | [`wire`] | control packets and options taken apart and put together | RFC 1661 5, 6 |
//! | [`fsm`] | the option negotiation automaton LCP and IPCP share | RFC 1661 4 |
//! | [`lcp`] | LCP's options: MRU, ACCM, authentication, magic number, PFC, ACFC | RFC 1661 6, RFC 1662 7 |
//! | [`auth`] | PAP and CHAP-MD5, both sides | RFC 1334, RFC 1994 |
//! | [`ipcp`] | IPCP's addresses and DNS servers | RFC 1332, RFC 1877 |
//! | [`session`] | [`Ppp`]: the phases strung together, echo keep-alive, protocol reject, IPv4 in and out | RFC 1661 3 |
//! | [`chat`] | the login script some servers want before PPP | chat(8)'s format |
//!
//! The IP stack on top is [`crate::net`].

pub mod auth;
pub mod chat;
pub mod framing;
pub mod fsm;
pub mod ipcp;
pub mod lcp;
pub mod session;
pub mod wire;

pub use session::{Config, Phase, Ppp, ServerConfig, Status};
