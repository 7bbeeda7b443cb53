//! The demo network's servers, all at [`super::SERVER`]: a web server (port 80), the demo BBS
//! over telnet (port 23) and a DNS server (port 53).

use crate::net::Net;
use crate::sim::bbs::{files, Host};
use crate::time::Instant;
use smoltcp::iface::SocketHandle;
use smoltcp::socket::tcp::State as TcpState;

/// The names the DNS server knows; every one is the server.
pub const NAMES: [&str; 3] = ["demo.net", "www.demo.net", "bbs.demo.net"];

/// The web server's paths and what they serve.
pub const PAGES: [&str; 5] = ["/", "/readme.txt", "/words.txt", "/bbsnews.ans", "/demo.bin"];

/// `/words.txt`: 32 KiB of English-like text in lines ([`crate::sim::text::words`]).
pub fn words() -> Vec<u8> {
    crate::sim::text::words(32 * 1024, 0)
}

/// The web server's front page.
pub const FRONT_PAGE: &str = "<html><head><title>softmodem demo network</title></head><body>\r\n\
<h1>Welcome to the softmodem demo network</h1>\r\n\
<p>You reached this page over PPP, TCP/IP and a modem call through a simulated phone line.</p>\r\n\
<ul>\r\n\
<li><a href=\"/readme.txt\">readme.txt</a>: the BBS's read-me, as text</li>\r\n\
<li><a href=\"/words.txt\">words.txt</a>: 32 KiB of text</li>\r\n\
<li><a href=\"/bbsnews.ans\">bbsnews.ans</a>: the BBS's news in ANSI colour (CP437), a file to save</li>\r\n\
<li><a href=\"/demo.bin\">demo.bin</a>: a binary file of every octet value</li>\r\n\
<li>telnet bbs.demo.net (port 23): the demo BBS</li>\r\n\
</ul>\r\n\
</body></html>\r\n";

/// Web connections served at once.
const HTTP_SOCKETS: usize = 2;

/// One web connection.
#[derive(Debug)]
struct HttpConn {
    socket: SocketHandle,
    request: Vec<u8>,
    response: Vec<u8>,
    sent: usize,
    answered: bool,
}

/// The telnet server's side of the options (RFC 854, 856, 857, 858, 1143): it offers WILL ECHO
/// and WILL SUPPRESS-GO-AHEAD, and asks for BINARY both ways (as BBSes do, for file transfers),
/// refusing everything else and answering only changes. Outside binary mode it keeps NVT's rule
/// that a CR goes as CR LF or CR NUL, both ways.
#[derive(Debug, Default)]
struct TelnetServer {
    state: u8,
    command: u8,
    echo_off: bool,
    sga_off: bool,
    /// BINARY on our side (we send binary) and on the client's.
    binary_us: Binary,
    binary_them: Binary,
    /// The last data octet from the client was a CR (outside binary mode).
    cr: bool,
    replies: Vec<u8>,
}

/// One side of BINARY: on, and whether we asked for it (so its answer is not answered again).
#[derive(Debug, Default, Clone, Copy)]
struct Binary {
    on: bool,
    asked: bool,
}

impl Binary {
    /// The other side said yes (`true`) or no; returns whether to answer (RFC 1143: only changes
    /// we did not ask for are answered).
    fn told(&mut self, yes: bool) -> bool {
        let answer = !self.asked && self.on != yes;
        self.on = yes;
        self.asked = false;
        answer
    }
}

use crate::telnet::{BINARY, DO, DONT, ECHO, IAC, SB, SE, SUPPRESS_GO_AHEAD as SGA, WILL, WONT};

impl TelnetServer {
    /// A server that has sent its opening offer ([`TelnetServer::HELLO`]).
    fn new() -> TelnetServer {
        let asked = Binary { on: false, asked: true };
        TelnetServer { binary_us: asked, binary_them: asked, ..TelnetServer::default() }
    }

    /// The server's opening offer.
    const HELLO: [u8; 12] = [IAC, WILL, ECHO, IAC, WILL, SGA, IAC, WILL, BINARY, IAC, DO, BINARY];

    /// Strips the commands from what the client sent (and the NUL of CR NUL outside binary mode);
    /// the data goes to `data`.
    fn receive(&mut self, bytes: &[u8], data: &mut Vec<u8>) {
        for &b in bytes {
            match (self.state, b) {
                (0, IAC) => self.state = 1,
                (0, _) => {
                    let after_cr = core::mem::replace(&mut self.cr, !self.binary_them.on && b == b'\r');
                    if !(after_cr && b == 0) {
                        data.push(b);
                    }
                }
                (1, IAC) => {
                    data.push(IAC);
                    self.cr = false;
                    self.state = 0;
                }
                (1, WILL | WONT | DO | DONT) => {
                    self.command = b;
                    self.state = 2;
                }
                (1, SB) => self.state = 3,
                (1, _) => self.state = 0,
                (2, opt) => {
                    self.state = 0;
                    self.option(self.command, opt);
                }
                (3, IAC) => self.state = 4,
                (3, _) => {}
                (4, SE) => self.state = 0,
                (4, _) => self.state = 3,
                _ => self.state = 0,
            }
        }
    }

    fn option(&mut self, cmd: u8, opt: u8) {
        fn ours(s: &mut TelnetServer, opt: u8) -> &mut bool {
            if opt == ECHO {
                &mut s.echo_off
            } else {
                &mut s.sga_off
            }
        }
        match (cmd, opt) {
            (DO | DONT, BINARY) => {
                let answer = self.binary_us.told(cmd == DO);
                self.reply_if(answer, if cmd == DO { WILL } else { WONT }, BINARY);
            }
            (WILL | WONT, BINARY) => {
                let answer = self.binary_them.told(cmd == WILL);
                self.reply_if(answer, if cmd == WILL { DO } else { DONT }, BINARY);
            }
            (DO, ECHO | SGA) => {
                let off = ours(self, opt);
                if *off {
                    *off = false;
                    self.replies.extend_from_slice(&[IAC, WILL, opt]);
                }
            }
            (DONT, ECHO | SGA) => {
                let off = ours(self, opt);
                if !*off {
                    *off = true;
                    self.replies.extend_from_slice(&[IAC, WONT, opt]);
                }
            }
            (DO, _) => self.replies.extend_from_slice(&[IAC, WONT, opt]),
            (WILL, _) => self.replies.extend_from_slice(&[IAC, DONT, opt]),
            _ => {}
        }
    }

    /// Queues `IAC command option` when `answer`.
    fn reply_if(&mut self, answer: bool, command: u8, option: u8) {
        if answer {
            self.replies.extend_from_slice(&[IAC, command, option]);
        }
    }

    /// The octets that carry the BBS's octet `c`, followed by `next` (if known): IAC doubled,
    /// and outside binary mode a CR not followed by LF stuffed with a NUL (RFC 854).
    fn escape(&self, c: u8, next: Option<u8>) -> ([u8; 2], usize) {
        match c {
            IAC => ([IAC, IAC], 2),
            b'\r' if !self.binary_us.on && next != Some(b'\n') => ([b'\r', 0], 2),
            _ => ([c, 0], 1),
        }
    }
}

/// The BBS over telnet.
#[derive(Debug)]
struct TelnetConn {
    socket: SocketHandle,
    host: Host,
    telnet: TelnetServer,
    opened: bool,
    data: Vec<u8>,
}

/// The servers.
#[derive(Debug)]
pub struct Services {
    http: Vec<HttpConn>,
    telnet: TelnetConn,
    dns: SocketHandle,
}

impl Services {
    /// Opens the servers' sockets on `net`.
    pub fn new(net: &mut Net) -> Services {
        let http = (0..HTTP_SOCKETS)
            .map(|_| HttpConn {
                socket: net.listen(80, 2048, 4096),
                request: Vec::new(),
                response: Vec::new(),
                sent: 0,
                answered: false,
            })
            .collect();
        let telnet = TelnetConn {
            socket: net.listen(23, 1024, 4096),
            host: Host::new(),
            telnet: TelnetServer::new(),
            opened: false,
            data: Vec::new(),
        };
        Services { http, telnet, dns: net.udp(53) }
    }

    /// The telnet BBS's host, while a session runs.
    pub fn telnet_bbs(&self) -> Option<&Host> {
        self.telnet.opened.then_some(&self.telnet.host)
    }

    /// Serves what came in; `rate` is the modem's, for the BBS's welcome screen; `now` the
    /// host's time.
    pub fn serve(&mut self, net: &mut Net, rate: u32, now: Instant) {
        for c in self.http.iter_mut() {
            serve_http(net, c);
        }
        serve_telnet(net, &mut self.telnet, rate, now);
        serve_dns(net, self.dns);
    }
}

fn response(path: &str) -> Vec<u8> {
    let (status, kind, body): (&str, &str, Vec<u8>) = match path {
        "/" | "/index.html" => ("200 OK", "text/html", FRONT_PAGE.as_bytes().to_vec()),
        "/readme.txt" => ("200 OK", "text/plain", files::readme()),
        "/words.txt" => ("200 OK", "text/plain", words()),
        "/bbsnews.ans" => ("200 OK", "application/octet-stream", files::news()),
        "/demo.bin" => ("200 OK", "application/octet-stream", files::demo_bin()),
        _ => ("404 Not Found", "text/plain", format!("No page {path} here.\r\n").into_bytes()),
    };
    let mut r = format!(
        "HTTP/1.0 {status}\r\nServer: softmodem-demo\r\nContent-Type: {kind}\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    r.extend_from_slice(&body);
    r
}

fn serve_http(net: &mut Net, c: &mut HttpConn) {
    let s = net.tcp(c.socket);
    if !s.is_open() {
        // The last connection is over: listen for the next.
        *c = HttpConn { socket: c.socket, request: Vec::new(), response: Vec::new(), sent: 0, answered: false };
        let _ = s.listen(80);
        return;
    }
    let mut buf = [0u8; 512];
    while s.can_recv() {
        let n = s.recv_slice(&mut buf).unwrap_or(0);
        if n == 0 {
            break;
        }
        if c.request.len() < 4096 {
            c.request.extend_from_slice(&buf[..n]);
        }
    }
    if !c.answered {
        let Some(end) = c.request.windows(4).position(|w| w == b"\r\n\r\n") else {
            if c.request.len() >= 4096 {
                s.abort();
            }
            return;
        };
        let head = String::from_utf8_lossy(&c.request[..end]).to_string();
        let mut parts = head.lines().next().unwrap_or("").split(' ');
        c.response = match (parts.next(), parts.next()) {
            (Some("GET"), Some(path)) => response(path),
            _ => b"HTTP/1.0 400 Bad Request\r\nContent-Length: 0\r\n\r\n".to_vec(),
        };
        c.answered = true;
    }
    if c.sent < c.response.len() && s.can_send() {
        c.sent += s.send_slice(&c.response[c.sent..]).unwrap_or(0);
    }
    if c.sent == c.response.len() && s.state() == TcpState::Established {
        s.close();
    }
    if s.state() == TcpState::CloseWait && c.sent == c.response.len() {
        s.close();
    }
}

fn serve_telnet(net: &mut Net, t: &mut TelnetConn, rate: u32, now: Instant) {
    let s = net.tcp(t.socket);
    if !s.is_open() {
        if t.opened {
            t.host = Host::new();
            t.telnet = TelnetServer::new();
            t.opened = false;
        }
        let _ = s.listen(23);
        return;
    }
    if !t.opened && s.state() == TcpState::Established {
        t.opened = true;
        let _ = s.send_slice(&TelnetServer::HELLO);
        t.host.connected(rate, rate, "Telnet");
    }
    if !t.opened {
        return;
    }
    let mut buf = [0u8; 256];
    while s.can_recv() {
        let n = s.recv_slice(&mut buf).unwrap_or(0);
        if n == 0 {
            break;
        }
        t.data.clear();
        t.telnet.receive(&buf[..n], &mut t.data);
        t.host.received(&t.data);
    }
    if !t.telnet.replies.is_empty() && s.can_send() {
        let n = s.send_slice(&t.telnet.replies).unwrap_or(0);
        t.telnet.replies.drain(..n);
    }
    t.host.tick(now);
    // The BBS's octets, with 0xFF doubled and CR stuffed as telnet wants (RFC 854).
    let mut room = s.send_capacity() - s.send_queue();
    let telnet = &t.telnet;
    t.host.send(|b| {
        let mut taken = 0;
        for (i, &c) in b.iter().enumerate() {
            let (octets, need) = telnet.escape(c, b.get(i + 1).copied());
            if room < need || s.send_slice(&octets[..need]).unwrap_or(0) < need {
                break;
            }
            room -= need;
            taken += 1;
        }
        taken
    });
    if t.host.wants_hang_up() && t.host.pending() == 0 && s.send_queue() == 0 {
        s.close();
    }
    if s.state() == TcpState::CloseWait {
        s.close();
    }
}

/// Answers A queries for [`NAMES`] with the server's address, others with NXDOMAIN (RFC 1035).
fn serve_dns(net: &mut Net, h: SocketHandle) {
    let s = net.udp_socket(h);
    let mut q = [0u8; 512];
    while let Ok((n, meta)) = s.recv_slice(&mut q) {
        if let Some(reply) = dns_reply(&q[..n]) {
            let _ = s.send_slice(&reply, meta.endpoint);
        }
    }
}

/// The reply to one DNS query, if it is one.
pub fn dns_reply(q: &[u8]) -> Option<Vec<u8>> {
    if q.len() < 12 || q[2] & 0x80 != 0 || u16::from_be_bytes([q[4], q[5]]) != 1 {
        return None;
    }
    // The question's name, label by label.
    let mut i = 12;
    let mut name = String::new();
    loop {
        let len = *q.get(i)? as usize;
        if len == 0 {
            i += 1;
            break;
        }
        if len > 63 || name.len() > 255 {
            return None;
        }
        let label = q.get(i + 1..i + 1 + len)?;
        if !name.is_empty() {
            name.push('.');
        }
        name.push_str(&String::from_utf8_lossy(label).to_ascii_lowercase());
        i += 1 + len;
    }
    let qtype = u16::from_be_bytes([*q.get(i)?, *q.get(i + 1)?]);
    let question_end = i + 4;
    q.get(..question_end)?;
    let known = NAMES.contains(&name.trim_end_matches('.'));
    let answer = known && qtype == 1;
    let mut r = q[..question_end].to_vec();
    // QR, opcode of the query, AA, RD copied; RA; RCODE 0 or 3 (NXDOMAIN).
    r[2] = 0x84 | (q[2] & 0x01);
    r[3] = 0x80 | if known { 0 } else { 3 };
    r[6..8].copy_from_slice(&(answer as u16).to_be_bytes());
    r[8..12].fill(0);
    if answer {
        r.extend_from_slice(&[0xC0, 0x0C, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4]);
        r.extend_from_slice(&super::SERVER);
    }
    Some(r)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::telnet::{Config, Telnet};

    #[test]
    fn the_telnet_server_agrees_binary_with_our_client_and_answers_no_answer() {
        let (mut server, mut client) = (TelnetServer::new(), Telnet::new(Config::default()));
        let (mut to_client, mut data, mut buf) = (TelnetServer::HELLO.to_vec(), Vec::new(), [0u8; 256]);
        for _ in 0..10 {
            client.receive(&to_client, &mut |d| data.extend_from_slice(d));
            let n = client.transmit(&mut buf);
            server.receive(&buf[..n], &mut data);
            to_client = core::mem::take(&mut server.replies);
        }
        assert!(to_client.is_empty() && client.pending() == 0, "negotiation comes to rest");
        assert!(data.is_empty());
        assert!(server.binary_us.on && server.binary_them.on);
        assert!(client.options().local_binary && client.options().remote_binary);
        // In binary mode a CR goes alone, 0xFF doubled, and what comes in is taken as it is.
        assert_eq!(server.escape(b'\r', Some(0)), ([b'\r', 0], 1));
        assert_eq!(server.escape(IAC, None), ([IAC, IAC], 2));
        server.receive(&[b'\r', 0, IAC, IAC, b'x'], &mut data);
        assert_eq!(data, [b'\r', 0, IAC, b'x']);
    }

    #[test]
    fn outside_binary_mode_the_telnet_server_keeps_nvts_cr_rule() {
        let mut server = TelnetServer::new();
        let mut data = Vec::new();
        // A client that refuses BINARY: no answer to its refusals (we asked), and NVT it is.
        server.receive(&[IAC, DONT, BINARY, IAC, WONT, BINARY], &mut data);
        assert!(server.replies.is_empty());
        assert!(!server.binary_us.on && !server.binary_them.on);
        assert_eq!(server.escape(b'\r', Some(b'\n')), ([b'\r', 0], 1));
        assert_eq!(server.escape(b'\r', Some(b'x')), ([b'\r', 0], 2));
        assert_eq!(server.escape(b'\r', None), ([b'\r', 0], 2));
        server.receive(b"a\r\0b\r\nc", &mut data);
        assert_eq!(data, b"a\rb\r\nc");
        // Changing its mind later is acknowledged, once.
        server.receive(&[IAC, WILL, BINARY, IAC, WILL, BINARY], &mut data);
        assert_eq!(server.replies, [IAC, DO, BINARY]);
        assert!(server.binary_them.on);
    }
}
