//! A plain web fetch over the link: `GET` with HTTP/1.0 (RFC 1945; the server then closes the
//! connection after the body and never chunks it), the status line, the headers and the body.
//!
//! The body ends at Content-Length or when the server closes; a body larger than the limit given
//! is an error, not a truncated success. A chunked body (a server answering 1.1 anyway) is
//! decoded (RFC 9112 7.1).

use super::stream::{Stream, StreamState};
use super::Net;

/// An `http://` URL taken apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Url {
    /// The host name or address.
    pub host: String,
    /// The port (80 unless given).
    pub port: u16,
    /// The path and query, at least `/`.
    pub path: String,
}

impl Url {
    /// Parses `http://host[:port][/path]` (the scheme may be left out).
    pub fn parse(s: &str) -> Result<Url, String> {
        let s = s.trim();
        let rest = if let Some(r) = s.strip_prefix("http://") {
            r
        } else if s.starts_with("https://") {
            return Err("https is not available over this link (no TLS): use http://".into());
        } else if s.contains("://") {
            return Err(format!("not an http URL: {s}"));
        } else {
            s
        };
        let (authority, path) = match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, "/"),
        };
        let (host, port) = match authority.rsplit_once(':') {
            Some((h, p)) => (h, p.parse::<u16>().map_err(|_| format!("bad port in {s}"))?),
            None => (authority, 80),
        };
        if host.is_empty() || !host.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-') {
            return Err(format!("bad host in {s}"));
        }
        if path.bytes().any(|b| b <= b' ' || b == 0x7F) {
            return Err(format!("bad path in {s}"));
        }
        Ok(Url { host: host.into(), port, path: path.into() })
    }
}

/// A response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// The status code.
    pub status: u16,
    /// The whole status line.
    pub status_line: String,
    /// The header fields, names as sent.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

impl Response {
    /// A header's value by name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// Whether the body is text to show rather than a file to save.
    pub fn is_text(&self) -> bool {
        match self.header("content-type") {
            Some(t) => {
                let t = t.to_ascii_lowercase();
                t.starts_with("text/") || t.contains("json") || t.contains("xml")
            }
            None => !self.body.contains(&0),
        }
    }
}

/// Where a fetch stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FetchState {
    /// Under way.
    Running,
    /// The response is in.
    Done(Response),
    /// It failed, and why.
    Failed(String),
}

/// One GET.
#[derive(Debug)]
pub struct Fetch {
    stream: Stream,
    request: Vec<u8>,
    sent: usize,
    raw: Vec<u8>,
    max: usize,
    state: FetchState,
}

/// The head's size limit.
const MAX_HEAD: usize = 16 * 1024;

impl Fetch {
    /// Starts fetching `url`, taking a body of at most `max_body` octets.
    pub fn start(net: &mut Net, url: &str, max_body: usize) -> Result<Fetch, String> {
        let u = Url::parse(url)?;
        let stream = Stream::connect(net, &u.host, u.port, 8192, 2048).map_err(|e| e.to_string())?;
        let host = if u.port == 80 { u.host.clone() } else { format!("{}:{}", u.host, u.port) };
        let request = format!(
            "GET {} HTTP/1.0\r\nHost: {host}\r\nUser-Agent: softmodem/{}\r\nAccept: */*\r\nConnection: close\r\n\r\n",
            u.path,
            env!("CARGO_PKG_VERSION")
        )
        .into_bytes();
        Ok(Fetch { stream, request, sent: 0, raw: Vec::new(), max: max_body, state: FetchState::Running })
    }

    /// Octets of the response received so far.
    pub fn received(&self) -> usize {
        self.raw.len()
    }

    /// Where it stands.
    pub fn state(&self) -> &FetchState {
        &self.state
    }

    /// Moves the fetch on; call after each [`Net::poll`].
    pub fn poll(&mut self, net: &mut Net) -> &FetchState {
        if self.state != FetchState::Running {
            return &self.state;
        }
        self.stream.poll(net);
        if *self.stream.state() == StreamState::Open && self.sent < self.request.len() {
            self.sent += self.stream.send(net, &self.request[self.sent..]);
        }
        let mut buf = [0u8; 1024];
        loop {
            let n = self.stream.recv(net, &mut buf);
            if n == 0 {
                break;
            }
            self.raw.extend_from_slice(&buf[..n]);
            if self.raw.len() > self.max + MAX_HEAD {
                return self.fail(net, format!("the response is larger than {} octets", self.max));
            }
        }
        let closed = match self.stream.state() {
            StreamState::Closed(Some(why)) => {
                let why = why.clone();
                return self.fail(net, why);
            }
            StreamState::Closed(None) | StreamState::PeerClosed => true,
            _ => false,
        };
        match parse(&self.raw, closed, self.max) {
            Ok(Some(r)) => {
                self.stream.abort(net);
                self.state = FetchState::Done(r);
            }
            Ok(None) if closed => {
                return self.fail(net, "the server closed the connection before the response was whole".into());
            }
            Ok(None) => {}
            Err(e) => return self.fail(net, e),
        }
        &self.state
    }

    fn fail(&mut self, net: &mut Net, why: String) -> &FetchState {
        self.stream.abort(net);
        self.state = FetchState::Failed(why);
        &self.state
    }

    /// Gives up (the person cancelled).
    pub fn cancel(&mut self, net: &mut Net) {
        if self.state == FetchState::Running {
            self.fail(net, "cancelled".into());
        }
    }
}

/// Takes a response apart once it is whole: `Ok(None)` while more is to come.
pub fn parse(raw: &[u8], closed: bool, max_body: usize) -> Result<Option<Response>, String> {
    let Some(end) = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|i| i + 4)
        .or_else(|| raw.windows(2).position(|w| w == b"\n\n").map(|i| i + 2))
    else {
        if raw.len() > MAX_HEAD {
            return Err("the response's head is too long".into());
        }
        return if closed && !raw.is_empty() { Err("the response has no end of head".into()) } else { Ok(None) };
    };
    let head = String::from_utf8_lossy(&raw[..end]);
    let mut lines = head.lines();
    let status_line = lines.next().unwrap_or("").trim_end().to_string();
    let mut parts = status_line.splitn(3, ' ');
    let version = parts.next().unwrap_or("");
    if !version.starts_with("HTTP/") {
        return Err(format!("not an HTTP response: {}", status_line.chars().take(60).collect::<String>()));
    }
    let status = parts
        .next()
        .and_then(|c| c.parse::<u16>().ok())
        .filter(|c| (100..1000).contains(c))
        .ok_or("bad status code")?;
    let headers: Vec<(String, String)> =
        lines.filter_map(|l| l.split_once(':')).map(|(n, v)| (n.trim().to_string(), v.trim().to_string())).collect();
    let find = |name: &str| headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.clone());
    let rest = &raw[end..];
    let chunked = find("transfer-encoding").is_some_and(|v| v.to_ascii_lowercase().contains("chunked"));
    let body = if chunked {
        match dechunk(rest)? {
            Some(b) => b,
            None if closed => return Err("the chunked body ended early".into()),
            None => return Ok(None),
        }
    } else if let Some(len) = find("content-length") {
        let len: usize = len.parse().map_err(|_| "bad Content-Length")?;
        if len > max_body {
            return Err(format!("the response is larger than {max_body} octets"));
        }
        if rest.len() < len {
            return if closed { Err(format!("the body ended after {} of {len} octets", rest.len())) } else { Ok(None) };
        }
        rest[..len].to_vec()
    } else if status == 204 || status == 304 || (100..200).contains(&status) {
        Vec::new()
    } else if closed {
        rest.to_vec()
    } else {
        return Ok(None);
    };
    if body.len() > max_body {
        return Err(format!("the response is larger than {max_body} octets"));
    }
    Ok(Some(Response { status, status_line, headers, body }))
}

/// Decodes a chunked body: `Ok(None)` while incomplete.
fn dechunk(mut raw: &[u8]) -> Result<Option<Vec<u8>>, String> {
    let mut body = Vec::new();
    loop {
        let Some(eol) = raw.windows(2).position(|w| w == b"\r\n") else { return Ok(None) };
        let line = std::str::from_utf8(&raw[..eol]).map_err(|_| "bad chunk size")?;
        let size =
            usize::from_str_radix(line.split(';').next().unwrap_or("").trim(), 16).map_err(|_| "bad chunk size")?;
        raw = &raw[eol + 2..];
        if size == 0 {
            return Ok(Some(body));
        }
        if raw.len() < size + 2 {
            return Ok(None);
        }
        body.extend_from_slice(&raw[..size]);
        raw = &raw[size + 2..];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        assert_eq!(
            Url::parse("http://10.0.2.2:8080/a?b=c").unwrap(),
            Url { host: "10.0.2.2".into(), port: 8080, path: "/a?b=c".into() }
        );
        assert_eq!(Url::parse("example.org").unwrap(), Url { host: "example.org".into(), port: 80, path: "/".into() });
        assert!(Url::parse("https://example.org/").unwrap_err().contains("TLS"));
        assert!(Url::parse("ftp://x/").is_err());
        assert!(Url::parse("http://a b/").is_err());
        assert!(Url::parse("http://host:99999/").is_err());
    }

    #[test]
    fn responses() {
        let r = b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello";
        let got = parse(r, false, 100).unwrap().unwrap();
        assert_eq!((got.status, got.body.as_slice(), got.is_text()), (200, &b"hello"[..], true));
        assert_eq!(parse(&r[..r.len() - 1], false, 100), Ok(None));
        assert!(parse(&r[..r.len() - 1], true, 100).is_err(), "short body at close");
        assert!(parse(r, false, 4).is_err(), "over the limit");
        let close = b"HTTP/1.0 404 Not Found\r\n\r\nnope";
        assert_eq!(parse(close, false, 100), Ok(None));
        assert_eq!(parse(close, true, 100).unwrap().unwrap().body, b"nope");
        let chunked = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2;x=y\r\nde\r\n0\r\n\r\n";
        assert_eq!(parse(chunked, false, 100).unwrap().unwrap().body, b"abcde");
        assert!(parse(b"SSH-2.0-OpenSSH\r\n\r\n", true, 100).is_err());
        assert!(parse(b"HTTP/1.0 abc OK\r\n\r\n", true, 100).is_err());
    }
}
