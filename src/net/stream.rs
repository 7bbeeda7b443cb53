//! A TCP connection by host name or address: the lookup, the connection, octets both ways, and
//! an ending that says why (for the telnet client and the web fetch).

use super::{parse_addr, Lookup, Net, NetError, Resolved};
use smoltcp::iface::SocketHandle;
use smoltcp::socket::tcp::State as TcpState;

/// Where a stream stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StreamState {
    /// Looking the host name up.
    Resolving,
    /// SYN sent.
    Connecting,
    /// Connected: octets flow.
    Open,
    /// The far end closed its side; what it sent may still be read.
    PeerClosed,
    /// Over, with the reason (`None`: closed cleanly).
    Closed(Option<String>),
}

/// A TCP connection.
#[derive(Debug)]
pub struct Stream {
    host: String,
    port: u16,
    lookup: Option<Lookup>,
    socket: Option<SocketHandle>,
    state: StreamState,
    rx_size: usize,
    tx_size: usize,
    seen_open: bool,
}

impl Stream {
    /// Starts a connection to `host` (a name or a dotted address) on `port`, with receive and
    /// send buffers of these sizes.
    pub fn connect(net: &mut Net, host: &str, port: u16, rx_size: usize, tx_size: usize) -> Result<Stream, NetError> {
        let mut s = Stream {
            host: host.into(),
            port,
            lookup: None,
            socket: None,
            state: StreamState::Resolving,
            rx_size,
            tx_size,
            seen_open: false,
        };
        match parse_addr(host) {
            Some(a) => {
                s.socket = Some(net.connect(a, port, rx_size, tx_size)?);
                s.state = StreamState::Connecting;
            }
            None => s.lookup = Some(net.lookup(host)?),
        }
        Ok(s)
    }

    /// Where it stands (after [`Stream::poll`]).
    pub fn state(&self) -> &StreamState {
        &self.state
    }

    /// The host as given.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// Follows the lookup and the socket; call after each [`Net::poll`].
    pub fn poll(&mut self, net: &mut Net) {
        if let Some(l) = self.lookup {
            match net.resolved(l) {
                Resolved::Pending => return,
                Resolved::Failed => {
                    self.lookup = None;
                    self.state = StreamState::Closed(Some(format!("cannot find host '{}'", self.host)));
                    return;
                }
                Resolved::Address(a) => {
                    self.lookup = None;
                    match net.connect(a, self.port, self.rx_size, self.tx_size) {
                        Ok(h) => {
                            self.socket = Some(h);
                            self.state = StreamState::Connecting;
                        }
                        Err(e) => {
                            self.state = StreamState::Closed(Some(e.to_string()));
                            return;
                        }
                    }
                }
            }
        }
        let Some(h) = self.socket else { return };
        if matches!(self.state, StreamState::Closed(_)) {
            return;
        }
        let s = net.tcp(h);
        let st = s.state();
        self.state = match st {
            TcpState::SynSent | TcpState::SynReceived => StreamState::Connecting,
            TcpState::Established | TcpState::FinWait1 | TcpState::FinWait2 => {
                self.seen_open = true;
                StreamState::Open
            }
            TcpState::CloseWait | TcpState::LastAck | TcpState::Closing | TcpState::TimeWait if s.can_recv() => {
                StreamState::PeerClosed
            }
            TcpState::CloseWait => StreamState::PeerClosed,
            TcpState::Closed | TcpState::Listen | TcpState::LastAck | TcpState::Closing | TcpState::TimeWait => {
                if s.can_recv() {
                    StreamState::PeerClosed
                } else if self.seen_open {
                    StreamState::Closed(None)
                } else {
                    StreamState::Closed(Some(format!(
                        "{}:{} refused the connection or did not answer",
                        self.host, self.port
                    )))
                }
            }
        };
    }

    /// Queues octets to send; how many were taken.
    pub fn send(&mut self, net: &mut Net, data: &[u8]) -> usize {
        let Some(h) = self.socket else { return 0 };
        let s = net.tcp(h);
        if !s.can_send() {
            return 0;
        }
        s.send_slice(data).unwrap_or(0)
    }

    /// Octets the far end sent, into `out`; how many.
    pub fn recv(&mut self, net: &mut Net, out: &mut [u8]) -> usize {
        let Some(h) = self.socket else { return 0 };
        let s = net.tcp(h);
        if !s.can_recv() {
            return 0;
        }
        s.recv_slice(out).unwrap_or(0)
    }

    /// Octets queued and not yet acknowledged.
    pub fn unsent(&mut self, net: &mut Net) -> usize {
        self.socket.map_or(0, |h| net.tcp(h).send_queue())
    }

    /// Closes our side (FIN after what is queued).
    pub fn close(&mut self, net: &mut Net) {
        if let Some(h) = self.socket {
            net.tcp(h).close();
        }
    }

    /// Drops the connection at once (RST, unless it was over) and frees its socket.
    pub fn abort(&mut self, net: &mut Net) {
        if let Some(h) = self.socket.take() {
            net.release(h);
        }
        if !matches!(self.state, StreamState::Closed(_)) {
            self.state = StreamState::Closed(None);
        }
    }
}
