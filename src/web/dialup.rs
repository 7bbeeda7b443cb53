//! The page's dial-up networking: a [`DialupSession`] sits between the modem's data bytes and
//! the terminal once a call to a dial-up server is placed. It watches for the modem's `CONNECT`,
//! then runs the dial-up client ([`DialUp`]: the login script if there is one, PPP, the IP stack)
//! with the two things a person does over the link: a telnet session whose screen is the page's
//! terminal ([`Telnet`] on a [`Stream`]), and a web fetch ([`Fetch`]).
//!
//! It runs on the page's thread, like a file transfer ([`super::transfer`]): what the modem
//! delivers goes in through [`DialupSession::receive`], what the modem should send comes out of
//! [`DialupSession::transmit`] (the page sends it as typed, no faster than the modem takes it),
//! and what the terminal should show comes out of [`DialupSession::take_display`]: the dialling
//! and the login conversation, then the telnet session's screen. Time is the page's clock in
//! milliseconds (`now_ms` of those calls). Storage for the line is made when the session is;
//! a call allocates only for what it hands to the page.

use std::collections::VecDeque;

use crate::net::dialup::{DialUp, Stage as DialStage};
use crate::net::http::{Fetch, FetchState, Response};
use crate::net::stream::{Stream, StreamState};
use crate::ppp::auth::Credentials;
use crate::ppp::chat::Script;
use crate::ppp::framing::FLAG;
use crate::ppp::lcp::AuthProtocol;
use crate::ppp::{Config, Phase};
use crate::telnet::{Config as TelnetConfig, Telnet};
use crate::time::Duration;
use serde::Serialize;
use wasm_bindgen::prelude::*;

/// The largest body a web fetch takes.
pub const FETCH_MAX: usize = 16 << 20;
/// Bytes for the terminal held until the page takes them (more are dropped).
pub const DISPLAY_MAX: usize = 1 << 20;
/// Log lines held for the page (the oldest go first).
const LOG_MAX: usize = 256;
/// The longest line of the modem's kept while waiting for its result code.
const LINE_MAX: usize = 80;
/// The telnet connection's receive and send buffers.
const TELNET_RX: usize = 8192;
const TELNET_TX: usize = 4096;

/// Where the session is, before the dial-up client takes over.
enum Stage {
    /// The call is being placed: the modem's lines are watched for its result code.
    Waiting,
    /// Connected: the dial-up client's stage says the rest.
    Connected,
    /// The call failed, or was hung up, before it connected; why.
    Failed(String),
}

/// A telnet session over the link.
struct TelnetConn {
    stream: Stream,
    telnet: Telnet,
    port: u16,
    /// Octets from the engine not yet taken by the connection.
    out: Vec<u8>,
    sent: usize,
    open: bool,
    /// Over, and why (`None`: closed cleanly).
    over: Option<Option<String>>,
}

/// A web fetch over the link.
struct FetchRun {
    fetch: Fetch,
    url: String,
    started_ms: f64,
    /// How it ended: `None` while running, else the error if it failed.
    over: Option<Option<String>>,
}

/// The answer to a web fetch.
#[wasm_bindgen]
pub struct FetchResponse {
    url: String,
    response: Response,
}

#[wasm_bindgen]
impl FetchResponse {
    /// The URL fetched.
    pub fn url(&self) -> String {
        self.url.clone()
    }

    /// The status code.
    pub fn status(&self) -> u16 {
        self.response.status
    }

    /// The whole status line (`HTTP/1.0 200 OK`).
    pub fn status_line(&self) -> String {
        self.response.status_line.clone()
    }

    /// The header fields as text, a `Name: value` line each.
    pub fn headers(&self) -> String {
        self.response.headers.iter().map(|(n, v)| format!("{n}: {v}\n")).collect()
    }

    /// The Content-Type, or an empty string.
    pub fn content_type(&self) -> String {
        self.response.header("content-type").unwrap_or("").to_string()
    }

    /// True when the body is text to show rather than a file to save.
    pub fn is_text(&self) -> bool {
        self.response.is_text()
    }

    /// The body.
    pub fn body(&self) -> Vec<u8> {
        self.response.body.clone()
    }

    /// How many octets the body has.
    pub fn body_len(&self) -> usize {
        self.response.body.len()
    }

    /// A name to save the body under: the URL's last path segment, `index.html` for none.
    pub fn file_name(&self) -> String {
        let path = self.url.split_once("://").map_or(self.url.as_str(), |(_, r)| r);
        let path = path.split(['?', '#']).next().unwrap_or("");
        let last = path.split_once('/').map_or("", |(_, p)| p).rsplit('/').next().unwrap_or("");
        let safe: String =
            last.chars().filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_')).take(100).collect();
        if safe.is_empty() || safe.chars().all(|c| c == '.') {
            "index.html".into()
        } else {
            safe
        }
    }
}

/// The session as the page shows it.
#[derive(Serialize)]
struct View<'a> {
    /// `waiting` (for CONNECT), `login` (the script), `ppp`, `ended`.
    stage: &'static str,
    /// Why it ended (`null` until it did).
    ended: Option<&'a str>,
    /// PPP's phase: `dead`, `establish`, `authenticate`, `network`, `terminate`.
    phase: &'static str,
    /// IPCP is up.
    ip_up: bool,
    /// Our address, dotted.
    local: Option<String>,
    /// The peer's address, dotted.
    peer: Option<String>,
    /// The DNS servers, dotted.
    dns: Vec<String>,
    /// `PAP`, `CHAP-MD5`, or `null`.
    auth: Option<&'static str>,
    ip_octets_in: u64,
    ip_octets_out: u64,
    line_octets_in: u64,
    line_octets_out: u64,
    bad_fcs: u64,
    malformed: u64,
    /// The last LCP echo's round trip, ms.
    rtt_ms: Option<u32>,
    telnet: Option<TelnetView<'a>>,
    fetch: Option<FetchView<'a>>,
}

#[derive(Serialize)]
struct TelnetView<'a> {
    host: &'a str,
    port: u16,
    /// `resolving`, `connecting`, `open`, `closed`.
    state: &'static str,
    /// Why it closed, if it failed.
    error: Option<&'a str>,
    /// The server echoes what is typed.
    remote_echo: bool,
}

#[derive(Serialize)]
struct FetchView<'a> {
    url: &'a str,
    /// `running`, `done`, `failed`.
    state: &'static str,
    /// Octets of the response so far.
    received: usize,
    error: Option<&'a str>,
}

/// Dial-up networking for one call. See the [module documentation](self).
#[wasm_bindgen]
pub struct DialupSession {
    stage: Stage,
    dial: DialUp,
    /// The end has been logged (and the telnet session and the fetch stopped).
    over: bool,
    telnet: Option<TelnetConn>,
    fetch: Option<FetchRun>,
    response: Option<FetchResponse>,
    /// The page's time last seen, in samples (8000 a second).
    clock: Option<u64>,
    now_ms: f64,
    /// The modem's current line while waiting for CONNECT.
    line: Vec<u8>,
    /// An LF right after the CONNECT line's CR is still the modem's.
    skip_lf: bool,
    /// The end of the login conversation's bytes, held back in case it is a PPP frame's start.
    held: Vec<u8>,
    /// The script finished and PPP runs, but no frame has come yet: what the server says until
    /// its first flag ("Entering PPP mode") is the screen's, not PPP's.
    before_frames: bool,
    display: Vec<u8>,
    display_dropped: usize,
    /// Scratch for the line's octets.
    buf: Box<[u8]>,
    log: VecDeque<String>,
}

/// Appends `bytes` to the display, dropping (and counting) what does not fit.
fn show_into(display: &mut Vec<u8>, dropped: &mut usize, bytes: &[u8]) {
    let room = DISPLAY_MAX.saturating_sub(display.len());
    let n = bytes.len().min(room);
    display.extend_from_slice(&bytes[..n]);
    *dropped += bytes.len() - n;
}

fn push_log(log: &mut VecDeque<String>, line: String) {
    if log.len() == LOG_MAX {
        log.pop_front();
    }
    log.push_back(line);
}

fn dotted(a: [u8; 4]) -> String {
    format!("{}.{}.{}.{}", a[0], a[1], a[2], a[3])
}

/// A line of the modem's that ends the wait for the call: `Ok` for CONNECT, `Err` with the
/// result code for a call that failed, `None` for anything else.
fn result_code(line: &[u8]) -> Option<Result<(), String>> {
    let text = String::from_utf8_lossy(line);
    let text = text.trim();
    if text.starts_with("CONNECT") {
        return Some(Ok(()));
    }
    ["NO CARRIER", "BUSY", "NO ANSWER", "NO DIALTONE", "NO DIAL TONE", "ERROR"]
        .iter()
        .find(|c| text == **c)
        .map(|c| Err(c.to_string()))
}

impl DialupSession {
    fn note(&mut self, line: String) {
        push_log(&mut self.log, line);
    }

    fn show(&mut self, bytes: &[u8]) {
        show_into(&mut self.display, &mut self.display_dropped, bytes);
    }

    /// Moves time on to `now_ms`; returns how much passed.
    fn tick(&mut self, now_ms: f64) -> Duration {
        let samples = (now_ms.max(0.0) * 8.0) as u64;
        self.now_ms = now_ms;
        let last = self.clock.replace(samples).unwrap_or(samples);
        // At most a minute at once (a page put to sleep): timers fire, nothing overflows.
        Duration::from_samples(samples.saturating_sub(last).min(8000 * 60) as u32)
    }

    fn in_ppp(&self) -> bool {
        matches!(self.stage, Stage::Connected) && *self.dial.stage() == DialStage::Ppp
    }

    fn in_login(&self) -> bool {
        matches!(self.stage, Stage::Connected) && *self.dial.stage() == DialStage::Login
    }

    /// Why it ended, once it did.
    fn ended_why(&self) -> Option<&str> {
        match &self.stage {
            Stage::Failed(why) => Some(why),
            Stage::Connected => match self.dial.stage() {
                DialStage::Ended(why) => Some(why),
                _ => None,
            },
            Stage::Waiting => None,
        }
    }

    /// Takes the client's log, and notes the end once (stopping the telnet session and the
    /// fetch).
    fn settle(&mut self) {
        while let Some(l) = self.dial.poll_log() {
            push_log(&mut self.log, l);
        }
        if self.over {
            return;
        }
        let Some(why) = self.ended_why().map(str::to_string) else { return };
        self.over = true;
        if let Some(t) = self.telnet.as_mut() {
            t.stream.abort(self.dial.net());
            if t.over.is_none() {
                t.over = Some(Some("the link ended".into()));
            }
        }
        if let Some(f) = self.fetch.as_mut() {
            if f.over.is_none() {
                f.fetch.cancel(self.dial.net());
                f.over = Some(Some("the link ended".into()));
            }
        }
        let st = self.dial.ppp().status();
        if st.line_octets_in > 0 || st.line_octets_out > 0 {
            let bad = match st.bad_fcs + st.malformed {
                0 => String::new(),
                1 => "; 1 bad frame".into(),
                n => format!("; {n} bad frames"),
            };
            self.note(format!("PPP ended ({why}): {} IP octets in, {} out{bad}", st.ip_octets_in, st.ip_octets_out));
        } else {
            self.note(format!("Dial-up ended: {why}"));
        }
    }

    /// The modem's bytes while the call is placed: shown, and watched for the result code.
    fn waiting(&mut self, bytes: &[u8]) {
        for (i, &b) in bytes.iter().enumerate() {
            if b == b'\r' || b == b'\n' {
                let code = result_code(&self.line);
                self.line.clear();
                match code {
                    Some(Ok(())) => {
                        self.show(&bytes[..=i]);
                        self.skip_lf = b == b'\r';
                        self.stage = Stage::Connected;
                        self.dial.connected();
                        self.note("Dial-up: connected".into());
                        self.received(&bytes[i + 1..]);
                        return;
                    }
                    Some(Err(code)) => {
                        self.show(&bytes[..=i]);
                        self.stage = Stage::Failed(format!("the call failed ({code})"));
                        self.received(&bytes[i + 1..]);
                        return;
                    }
                    None => {}
                }
            } else if self.line.len() < LINE_MAX {
                self.line.push(b);
            }
        }
        self.show(bytes);
    }

    /// The far end's bytes while the login script runs: shown (up to the start of PPP) and
    /// matched. They go one at a time, so the point where PPP starts is known.
    fn login(&mut self, bytes: &[u8]) {
        let mut started = None;
        for (i, &b) in bytes.iter().enumerate() {
            self.dial.receive(&[b]);
            if *self.dial.stage() != DialStage::Login {
                started = Some(i);
                break;
            }
        }
        let mut shown = std::mem::take(&mut self.held);
        match started {
            // PPP started on the far end's frames: their start (three or four octets from a
            // flag, in these bytes or in those held back) is PPP's, not the screen's.
            Some(i) if self.in_ppp() && self.dial.ppp().status().line_octets_in > 0 => {
                match bytes[..=i].iter().rposition(|&c| c == FLAG).filter(|&j| i - j < 4) {
                    Some(j) => shown.extend_from_slice(&bytes[..j]),
                    None => shown.truncate(shown.iter().rposition(|&c| c == FLAG).unwrap_or(shown.len())),
                }
                self.show(&shown);
                self.dial.receive(&bytes[i + 1..]);
            }
            // The script had finished: PPP takes the rest, from its first frame.
            Some(i) if self.in_ppp() => {
                let from = if bytes[i] == FLAG { i } else { i + 1 };
                shown.extend_from_slice(&bytes[..from]);
                self.show(&shown);
                self.before_frames = true;
                self.ppp_bytes(&bytes[from..]);
            }
            // The script failed: all of it is the screen's.
            Some(_) => {
                shown.extend_from_slice(bytes);
                self.show(&shown);
            }
            None => {
                // Shown, but for a tail from a flag on (at most three octets), which may be a
                // frame's start.
                shown.extend_from_slice(bytes);
                let tail = shown.len().saturating_sub(3);
                let keep = shown[tail..].iter().position(|&c| c == FLAG).map_or(shown.len(), |p| tail + p);
                self.held = shown.split_off(keep);
                self.show(&shown);
            }
        }
    }

    /// The far end's bytes for PPP; before its first frame after a script, they are the screen's.
    fn ppp_bytes(&mut self, bytes: &[u8]) {
        if !self.before_frames {
            self.dial.receive(bytes);
            return;
        }
        match bytes.iter().position(|&b| b == FLAG) {
            Some(at) => {
                self.before_frames = false;
                self.show(&bytes[..at]);
                self.dial.receive(&bytes[at..]);
            }
            None => self.show(bytes),
        }
    }

    /// Bytes from the modem, in whatever stage.
    fn received(&mut self, mut bytes: &[u8]) {
        if self.skip_lf && !bytes.is_empty() {
            self.skip_lf = false;
            if bytes[0] == b'\n' {
                self.show(b"\n");
                bytes = &bytes[1..];
            }
        }
        if bytes.is_empty() {
            return;
        }
        if let Stage::Waiting = self.stage {
            self.waiting(bytes);
        } else if self.in_login() {
            self.login(bytes);
        } else if self.in_ppp() {
            self.ppp_bytes(bytes);
        } else if !bytes.contains(&FLAG) {
            // Over: the modem's own words ("NO CARRIER") are shown, the far end's last frames
            // are not.
            self.show(bytes);
        }
    }

    /// Time passes, and everything above PPP runs.
    fn run(&mut self, elapsed: Duration) {
        if let Stage::Connected = self.stage {
            let was_login = self.in_login();
            self.dial.advance(elapsed);
            if was_login && !self.in_login() {
                // The script is over: what was held back goes to the screen, and so does what the
                // server says before its first frame.
                let held = std::mem::take(&mut self.held);
                self.show(&held);
                self.before_frames = self.in_ppp() && self.dial.ppp().status().line_octets_in == 0;
            }
            if self.in_ppp() {
                self.run_telnet();
                self.run_fetch();
                self.dial.poll_net();
            }
        }
        self.settle();
    }

    fn run_telnet(&mut self) {
        let Some(t) = self.telnet.as_mut() else { return };
        let net = self.dial.net();
        t.stream.poll(net);
        if t.over.is_some() {
            // Closed from here: the socket is freed once the close is through.
            if matches!(t.stream.state(), StreamState::Closed(_)) {
                t.stream.abort(net);
            }
            return;
        }
        let mut lines = Vec::new();
        match t.stream.state().clone() {
            StreamState::Resolving | StreamState::Connecting => {}
            state @ (StreamState::Open | StreamState::PeerClosed) => {
                if !t.open {
                    t.open = true;
                    lines.push(format!("Telnet: connected to {}:{}", t.stream.host(), t.port));
                }
                loop {
                    let n = t.stream.recv(net, &mut self.buf);
                    if n == 0 {
                        break;
                    }
                    let (display, dropped) = (&mut self.display, &mut self.display_dropped);
                    t.telnet.receive(&self.buf[..n], &mut |d| show_into(display, dropped, d));
                }
                loop {
                    if t.sent == t.out.len() {
                        t.out.clear();
                        t.sent = 0;
                        let n = t.telnet.transmit(&mut self.buf);
                        if n == 0 {
                            break;
                        }
                        t.out.extend_from_slice(&self.buf[..n]);
                    }
                    let n = t.stream.send(net, &t.out[t.sent..]);
                    t.sent += n;
                    if n == 0 {
                        break;
                    }
                }
                if state == StreamState::PeerClosed {
                    t.stream.close(net);
                    t.over = Some(None);
                    lines.push(format!("Telnet: {} closed the connection", t.stream.host()));
                }
            }
            StreamState::Closed(why) => {
                t.stream.abort(net);
                lines.push(match &why {
                    Some(w) => format!("Telnet: {w}"),
                    None => "Telnet: connection closed".into(),
                });
                t.over = Some(why);
            }
        }
        for l in lines {
            self.note(l);
        }
    }

    fn run_fetch(&mut self) {
        let Some(f) = self.fetch.as_mut() else { return };
        if f.over.is_some() {
            return;
        }
        let line = match f.fetch.poll(self.dial.net()) {
            FetchState::Running => return,
            FetchState::Done(r) => {
                let secs = (self.now_ms - f.started_ms) / 1000.0;
                let line = format!("Web: {} ({} octets in {secs:.1} s)", r.status_line, r.body.len());
                self.response = Some(FetchResponse { url: f.url.clone(), response: r.clone() });
                f.over = Some(None);
                line
            }
            FetchState::Failed(why) => {
                let line = format!("Web: GET {} failed: {why}", f.url);
                f.over = Some(Some(why.clone()));
                line
            }
        };
        self.note(line);
    }

    fn view(&self) -> View<'_> {
        let st = self.dial.ppp().status();
        View {
            stage: match (&self.stage, self.dial.stage()) {
                (Stage::Waiting, _) | (Stage::Connected, DialStage::Idle) => "waiting",
                (Stage::Failed(_), _) | (Stage::Connected, DialStage::Ended(_)) => "ended",
                (Stage::Connected, DialStage::Login) => "login",
                (Stage::Connected, DialStage::Ppp) => "ppp",
            },
            ended: self.ended_why(),
            phase: match st.phase {
                Phase::Dead => "dead",
                Phase::Establish => "establish",
                Phase::Authenticate => "authenticate",
                Phase::Network => "network",
                Phase::Terminate => "terminate",
            },
            ip_up: st.ip_up,
            local: st.local.map(dotted),
            peer: st.peer.map(dotted),
            dns: st.dns.iter().flatten().map(|a| dotted(*a)).collect(),
            auth: st.auth.map(|a| match a {
                AuthProtocol::Pap => "PAP",
                AuthProtocol::ChapMd5 => "CHAP-MD5",
            }),
            ip_octets_in: st.ip_octets_in,
            ip_octets_out: st.ip_octets_out,
            line_octets_in: st.line_octets_in,
            line_octets_out: st.line_octets_out,
            bad_fcs: st.bad_fcs,
            malformed: st.malformed,
            rtt_ms: st.rtt_ms,
            telnet: self.telnet.as_ref().map(|t| TelnetView {
                host: t.stream.host(),
                port: t.port,
                state: match (&t.over, t.stream.state()) {
                    (Some(_), _) | (None, StreamState::Closed(_)) => "closed",
                    (None, StreamState::Resolving) => "resolving",
                    (None, StreamState::Connecting) => "connecting",
                    (None, StreamState::Open | StreamState::PeerClosed) => "open",
                },
                error: t.over.as_ref().and_then(|o| o.as_deref()),
                remote_echo: t.telnet.options().remote_echo,
            }),
            fetch: self.fetch.as_ref().map(|f| FetchView {
                url: &f.url,
                state: match &f.over {
                    None => "running",
                    Some(None) => "done",
                    Some(Some(_)) => "failed",
                },
                received: f.fetch.received(),
                error: f.over.as_ref().and_then(|o| o.as_deref()),
            }),
        }
    }

    fn need_ip(&self) -> Result<(), JsError> {
        if self.ended_why().is_some() {
            Err(JsError::new("the dial-up link has ended"))
        } else if !self.in_ppp() || !self.dial.ppp().is_ip_up() {
            Err(JsError::new("the dial-up link is not up yet (no IP address)"))
        } else {
            Ok(())
        }
    }
}

#[wasm_bindgen]
impl DialupSession {
    /// A session for a call about to be placed: the account (`user` empty: none, for a server
    /// that asks no PPP authentication) and the login script (empty: none; PPP starts at
    /// CONNECT). `seed` (anything random) seeds PPP's magic numbers and TCP's sequence numbers.
    /// Fails with the script's error and its line number when the script does not parse.
    #[wasm_bindgen(constructor)]
    pub fn new(user: &str, password: &str, script: &str, seed: u32) -> Result<DialupSession, JsError> {
        let script = if script.trim().is_empty() {
            None
        } else {
            let s = Script::parse(script).map_err(|e| JsError::new(&format!("login script: {e}")))?;
            (!s.is_empty()).then_some(s)
        };
        let credentials = (!user.is_empty()).then(|| Credentials { user: user.into(), password: password.into() });
        let config = Config { credentials, seed, ..Config::default() };
        Ok(DialupSession {
            stage: Stage::Waiting,
            dial: DialUp::new(config, script, (u64::from(seed) << 16) ^ 0xD1A1_5E55),
            over: false,
            telnet: None,
            fetch: None,
            response: None,
            clock: None,
            now_ms: 0.0,
            line: Vec::with_capacity(LINE_MAX),
            skip_lf: false,
            held: Vec::with_capacity(8),
            before_frames: false,
            display: Vec::with_capacity(4096),
            display_dropped: 0,
            buf: vec![0u8; 2048].into_boxed_slice(),
            log: VecDeque::with_capacity(LOG_MAX),
        })
    }

    /// Octets the modem delivered (result codes before the call, the far end's after), at the
    /// page's time `now_ms`.
    pub fn receive(&mut self, now_ms: f64, bytes: &[u8]) {
        let elapsed = self.tick(now_ms);
        self.received(bytes);
        self.run(elapsed);
    }

    /// Octets for the modem to send, at most `max`; call it regularly (the timers run here).
    pub fn transmit(&mut self, now_ms: f64, max: usize) -> Vec<u8> {
        let elapsed = self.tick(now_ms);
        self.run(elapsed);
        let max = max.min(self.buf.len());
        let n = if matches!(self.stage, Stage::Connected) { self.dial.transmit(&mut self.buf[..max]) } else { 0 };
        let out = self.buf[..n].to_vec();
        if self.in_login() {
            // The script's last send gone: PPP starts now, before the server's answer arrives.
            self.run(Duration::ZERO);
        }
        out
    }

    /// Octets waiting to go to the modem (PPP's frames).
    pub fn tx_pending(&self) -> usize {
        if self.in_ppp() {
            self.dial.ppp().tx_pending()
        } else {
            0
        }
    }

    /// The bytes for the terminal since the last call: the dialling and the login conversation,
    /// then the telnet session's screen.
    pub fn take_display(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.display)
    }

    /// Bytes for the terminal dropped because the page did not take them in time.
    pub fn display_dropped(&self) -> usize {
        self.display_dropped
    }

    /// The session as an object: `stage` (`waiting`, `login`, `ppp`, `ended`), `ended` (why),
    /// PPP's `phase`, `ip_up`, `local`, `peer`, `dns` (dotted addresses), `auth`, the octet
    /// counts (`ip_octets_in`, `ip_octets_out`, `line_octets_in`, `line_octets_out`), `bad_fcs`,
    /// `malformed`, `rtt_ms`, and `telnet` (`host`, `port`, `state`, `error`, `remote_echo`) and
    /// `fetch` (`url`, `state`, `received`, `error`), `null` when none.
    pub fn status(&self) -> Result<JsValue, JsError> {
        self.view()
            .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
            .map_err(|e| JsError::new(&e.to_string()))
    }

    /// The next log line, oldest first (the script's steps, PPP's phases, telnet, the web).
    pub fn poll_log(&mut self) -> Option<String> {
        self.log.pop_front()
    }

    /// True from CONNECT until the end: the line is the session's, not the keyboard's.
    pub fn connected(&self) -> bool {
        matches!(self.stage, Stage::Connected) && self.ended_why().is_none()
    }

    /// True while IP is up.
    pub fn ip_up(&self) -> bool {
        self.in_ppp() && self.dial.ppp().is_ip_up()
    }

    /// True once the session is over (the call failed, the script failed, PPP ended): the page
    /// hangs the modem up, if the call is still up.
    pub fn ended(&self) -> bool {
        self.ended_why().is_some()
    }

    /// The Hang up button: PPP is closed (LCP Terminate-Request) and the session ends when the
    /// far end acknowledges, or when its retries run out; before PPP, it ends at once.
    pub fn hang_up(&mut self) {
        match self.stage {
            Stage::Waiting => self.stage = Stage::Failed("hung up".into()),
            Stage::Failed(_) => {}
            Stage::Connected => {
                if let Some(t) = self.telnet.as_mut() {
                    if t.over.is_none() {
                        t.stream.abort(self.dial.net());
                        t.over = Some(None);
                    }
                }
                if let Some(f) = self.fetch.as_mut() {
                    if f.over.is_none() {
                        f.fetch.cancel(self.dial.net());
                        f.over = Some(Some("cancelled".into()));
                    }
                }
                self.dial.poll_net();
                self.dial.close("hung up");
                // Dead at once if LCP was not up.
                self.dial.advance(Duration::ZERO);
            }
        }
        self.settle();
    }

    /// The modem's carrier is gone (NO CARRIER, or the call hung up by other means).
    pub fn lower_down(&mut self, reason: &str) {
        match self.stage {
            Stage::Waiting => self.stage = Stage::Failed(reason.into()),
            Stage::Failed(_) => {}
            Stage::Connected => self.dial.carrier_lost(reason),
        }
        self.settle();
    }

    /// Starts a telnet session to `host` (a name or a dotted address) on `port`, for a terminal
    /// of `cols` x `rows` (told to the server by NAWS). A session still open is dropped first.
    pub fn telnet_connect(&mut self, host: &str, port: u16, cols: u16, rows: u16) -> Result<(), JsError> {
        self.need_ip()?;
        let host = host.trim();
        if host.is_empty() {
            return Err(JsError::new("no host to connect to"));
        }
        if let Some(mut old) = self.telnet.take() {
            old.stream.abort(self.dial.net());
        }
        let stream = Stream::connect(self.dial.net(), host, port, TELNET_RX, TELNET_TX)
            .map_err(|e| JsError::new(&format!("telnet {host}: {e}")))?;
        let telnet = Telnet::new(TelnetConfig { width: cols.max(1), height: rows.max(1), ..TelnetConfig::default() });
        self.note(format!("Telnet: connecting to {host}:{port}"));
        self.telnet =
            Some(TelnetConn { stream, telnet, port, out: Vec::with_capacity(2048), sent: 0, open: false, over: None });
        self.run_telnet();
        self.dial.poll_net();
        Ok(())
    }

    /// Closes the telnet session (what was typed still goes first).
    pub fn telnet_close(&mut self) {
        let Some(t) = self.telnet.as_mut() else { return };
        if t.over.is_some() {
            return;
        }
        t.stream.close(self.dial.net());
        t.over = Some(None);
        let host = t.stream.host().to_string();
        self.note(format!("Telnet: disconnected from {host}"));
        if self.in_ppp() {
            self.dial.poll_net();
        }
    }

    /// True while a telnet session is connecting or open: the terminal's keys are its.
    pub fn telnet_active(&self) -> bool {
        self.telnet.as_ref().is_some_and(|t| t.over.is_none())
    }

    /// Keys typed in the terminal, for the telnet session; returns how many were taken (fewer
    /// while its queue is full, none without a session).
    pub fn send_keys(&mut self, keys: &[u8]) -> usize {
        let Some(t) = self.telnet.as_mut() else { return 0 };
        if t.over.is_some() {
            return 0;
        }
        let n = t.telnet.send_keys(keys);
        if self.in_ppp() {
            self.run_telnet();
            self.dial.poll_net();
        }
        n
    }

    /// How many octets [`DialupSession::send_keys`] takes whole now (0 without a telnet session):
    /// a file transfer over the session sends no more than this at a time.
    pub fn telnet_room(&self) -> usize {
        match &self.telnet {
            Some(t) if t.over.is_none() => t.telnet.keys_room(),
            _ => 0,
        }
    }

    /// The terminal's size changed (NAWS tells the server, if agreed).
    pub fn set_window_size(&mut self, cols: u16, rows: u16) {
        if let Some(t) = self.telnet.as_mut() {
            t.telnet.set_window_size(cols.max(1), rows.max(1));
        }
    }

    /// Starts fetching `url` (`http://host[:port]/path`; the scheme may be left out), replacing a
    /// fetch under way. The answer comes from [`DialupSession::take_response`].
    pub fn fetch(&mut self, url: &str) -> Result<(), JsError> {
        self.need_ip()?;
        self.fetch_cancel();
        let url = url.trim();
        let fetch = Fetch::start(self.dial.net(), url, FETCH_MAX).map_err(|e| JsError::new(&e))?;
        self.note(format!("Web: GET {url}"));
        self.response = None;
        self.fetch = Some(FetchRun { fetch, url: url.to_string(), started_ms: self.now_ms, over: None });
        self.run_fetch();
        self.dial.poll_net();
        Ok(())
    }

    /// Gives up the fetch under way.
    pub fn fetch_cancel(&mut self) {
        let Some(f) = self.fetch.as_mut() else { return };
        if f.over.is_none() {
            f.fetch.cancel(self.dial.net());
            f.over = Some(Some("cancelled".into()));
            let url = f.url.clone();
            self.note(format!("Web: GET {url} cancelled"));
        }
    }

    /// The last fetch's answer, once it is in (taken: the next call gives nothing).
    pub fn take_response(&mut self) -> Option<FetchResponse> {
        self.response.take()
    }
}
