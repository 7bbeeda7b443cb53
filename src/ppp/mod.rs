//! PPP (RFC 1661) over the modem's asynchronous data: so far its framing, RFC 1662's HDLC-like
//! framing with the async control character map ([`framing`]). LCP, authentication, IPCP and the
//! IP stack come next (issue 13).

pub mod framing;
