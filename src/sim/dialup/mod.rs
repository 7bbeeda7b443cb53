//! The demo's dial-up server: what answers [`DIALUP_NUMBER`] in the page's demonstration, a
//! terminal server as an Internet provider ran one, so a newcomer can try dial-up networking
//! with no hardware.
//!
//! - It greets with a login prompt (`login:`, `Password:`, then a `>` prompt that takes `ppp`),
//!   echoing what is typed but the password. [`DEMO_USER`] / [`DEMO_PASSWORD`] log in; three
//!   wrong tries, or a minute of silence, and it hangs up.
//! - PPP frames arriving at the prompt start PPP at once (as terminal servers' "autoPPP" does);
//!   the client must then authenticate with CHAP-MD5 (or PAP, if it Naks CHAP) as the same
//!   account. After a login at the prompt no PPP authentication is asked.
//! - PPP (our [`Ppp`] as a server): the server is [`SERVER`], the client gets [`CLIENT`], the
//!   DNS server is the server.
//! - On the far network, all at [`SERVER`]: a web server on port 80 (a small page, a text file
//!   and a binary file: [`services::PAGES`]), the demo BBS over telnet on port 23 (the same
//!   [`crate::sim::bbs`] as the BBS's number), and a DNS server on port 53 that knows the names
//!   in [`services::NAMES`].
//! - When PPP ends (the client's Terminate-Request, or its silence), it hangs up.
//!
//! The host is sans-IO in the shape of the BBS's host ([`crate::sim::bbs::Host`]): octets from
//! its modem in, octets for its modem out, time passed in.

pub mod services;

use crate::net::Net;
use crate::ppp::auth::Credentials;
use crate::ppp::lcp::AuthProtocol;
use crate::ppp::{Config, Ppp, ServerConfig};
use crate::time::{Duration, Instant};
use services::Services;

/// The demo's number for the dial-up server.
pub const DIALUP_NUMBER: &str = "5552000";
/// The account's name.
pub const DEMO_USER: &str = "guest";
/// The account's password.
pub const DEMO_PASSWORD: &str = "demo";
/// The server's address, and its web, telnet and DNS servers'.
pub const SERVER: [u8; 4] = [10, 0, 0, 1];
/// The address the client gets.
pub const CLIENT: [u8; 4] = [10, 0, 0, 2];
/// The greeting's first line.
pub const GREETING: &str = "softmodem demo dial-up server";

/// Wrong logins before the server hangs up.
const MAX_TRIES: u32 = 3;
/// Silence at the login prompt before the server hangs up.
const LOGIN_IDLE: Duration = Duration::from_secs(60);
/// The longest line the prompt takes.
const MAX_LINE: usize = 64;

/// Where the session is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Prompt {
    Login,
    Password,
    Command,
}

#[derive(Debug)]
enum Stage {
    Prompt(Prompt),
    Ppp,
    Over,
}

/// The dial-up server's host. See the [module documentation](self).
#[derive(Debug)]
pub struct DialupServer {
    stage: Stage,
    line: Vec<u8>,
    user: String,
    tries: u32,
    out: Vec<u8>,
    /// Octets of PPP at the prompt, kept until PPP starts.
    frame_start: Vec<u8>,
    ppp: Ppp,
    net: Net,
    services: Services,
    now: Instant,
    last_heard: Instant,
    seed: u64,
    rate: u32,
    hang_up: bool,
    log: Vec<String>,
}

fn ppp_config(auth: bool, seed: u64) -> Config {
    Config {
        server: Some(ServerConfig {
            auth: auth.then_some(AuthProtocol::ChapMd5),
            accounts: vec![Credentials { user: DEMO_USER.into(), password: DEMO_PASSWORD.into() }],
            local: SERVER,
            assign: CLIENT,
            dns: [Some(SERVER), None],
        }),
        seed: seed as u32 ^ 0xD1A1,
        ..Config::default()
    }
}

impl DialupServer {
    /// A server waiting for its modem to connect; `seed` for PPP's and TCP's numbers.
    pub fn new(seed: u64) -> DialupServer {
        let mut net = Net::new(seed ^ 0x5E4E);
        let services = Services::new(&mut net);
        DialupServer {
            stage: Stage::Prompt(Prompt::Login),
            line: Vec::with_capacity(MAX_LINE),
            user: String::new(),
            tries: 0,
            out: Vec::with_capacity(4096),
            frame_start: Vec::new(),
            ppp: Ppp::new(ppp_config(true, seed)),
            net,
            services,
            now: Instant::ZERO,
            last_heard: Instant::ZERO,
            seed,
            rate: 0,
            hang_up: false,
            log: Vec::new(),
        }
    }

    /// The modem connected: the greeting and the login prompt.
    pub fn connected(&mut self, rx_rate: u32, _tx_rate: u32, _family_title: &str) {
        self.rate = rx_rate;
        self.last_heard = self.now;
        self.say(&format!("\r\n{GREETING} ({rx_rate} bit/s)\r\n\r\nlogin: "));
    }

    /// The link's status, once PPP runs.
    pub fn ppp(&self) -> &Ppp {
        &self.ppp
    }

    /// What the server did, for tests and the log.
    pub fn log(&self) -> &[String] {
        &self.log
    }

    /// The telnet BBS's host, while a telnet session runs.
    pub fn telnet_bbs(&self) -> Option<&crate::sim::bbs::Host> {
        self.services.telnet_bbs()
    }

    fn say(&mut self, s: &str) {
        self.out.extend_from_slice(s.as_bytes());
    }

    /// Octets from the modem.
    pub fn received(&mut self, bytes: &[u8]) {
        if !bytes.is_empty() {
            self.last_heard = self.now;
        }
        match self.stage {
            Stage::Prompt(p) => self.prompt(p, bytes),
            Stage::Ppp => self.ppp.receive(bytes),
            Stage::Over => {}
        }
    }

    fn prompt(&mut self, mut p: Prompt, bytes: &[u8]) {
        for (i, &b) in bytes.iter().enumerate() {
            // A PPP frame's start (flag, then All-Stations and an escaped or plain UI, or
            // LCP's protocol under ACFC): PPP from here, with authentication.
            self.frame_start.push(b);
            if self.frame_start.len() > 4 {
                self.frame_start.remove(0);
            }
            let f = &self.frame_start[..];
            if f.ends_with(&[0x7E, 0xFF, 0x7D, 0x23])
                || f.ends_with(&[0x7E, 0xFF, 0x03])
                || f.ends_with(&[0x7E, 0xC0, 0x21])
            {
                let flag = f.iter().rposition(|&c| c == 0x7E).unwrap_or(0);
                let mut head = f[flag..].to_vec();
                head.extend_from_slice(&bytes[i + 1..]);
                self.start_ppp(true);
                self.ppp.receive(&head);
                return;
            }
            match b {
                b'\r' | b'\n' => {
                    if b == b'\n' && self.line.is_empty() {
                        continue;
                    }
                    self.say("\r\n");
                    let line = String::from_utf8_lossy(&self.line).trim().to_string();
                    self.line.clear();
                    p = match p {
                        Prompt::Login if line.is_empty() => {
                            self.say("login: ");
                            Prompt::Login
                        }
                        Prompt::Login => {
                            self.user = line;
                            self.say("Password: ");
                            Prompt::Password
                        }
                        Prompt::Password if self.user == DEMO_USER && line == DEMO_PASSWORD => {
                            self.log.push(format!("login: {} logged in", self.user));
                            self.say(&format!("\r\nWelcome, {DEMO_USER}. Type ppp to start PPP.\r\n> "));
                            Prompt::Command
                        }
                        Prompt::Password => {
                            self.tries += 1;
                            self.log.push(format!("login: refused '{}'", self.user));
                            if self.tries >= MAX_TRIES {
                                self.say("Login incorrect\r\nToo many tries. Goodbye.\r\n");
                                self.stage = Stage::Over;
                                self.hang_up = true;
                                return;
                            }
                            self.say("Login incorrect\r\n\r\nlogin: ");
                            Prompt::Login
                        }
                        Prompt::Command if line.eq_ignore_ascii_case("ppp") => {
                            self.say(&format!(
                                "Entering PPP mode. Your address is {}.{}.{}.{}.\r\n",
                                CLIENT[0], CLIENT[1], CLIENT[2], CLIENT[3]
                            ));
                            self.start_ppp(false);
                            // The client's first frames may follow in the same read.
                            self.ppp.receive(&bytes[i + 1..]);
                            return;
                        }
                        Prompt::Command if line.eq_ignore_ascii_case("exit") || line.eq_ignore_ascii_case("logout") => {
                            self.say("Goodbye.\r\n");
                            self.stage = Stage::Over;
                            self.hang_up = true;
                            return;
                        }
                        Prompt::Command => {
                            if !line.is_empty() {
                                self.say("Commands: ppp, exit\r\n");
                            }
                            self.say("> ");
                            Prompt::Command
                        }
                    };
                }
                0x08 | 0x7F if self.line.pop().is_some() && p != Prompt::Password => self.say("\x08 \x08"),
                0x20..=0x7E if self.line.len() < MAX_LINE => {
                    self.line.push(b);
                    if p != Prompt::Password {
                        self.out.push(b);
                    }
                }
                _ => {}
            }
        }
        self.stage = Stage::Prompt(p);
    }

    fn start_ppp(&mut self, authenticate: bool) {
        self.log.push(format!("PPP started ({})", if authenticate { "autoPPP, CHAP" } else { "after login" }));
        self.ppp = Ppp::new(ppp_config(authenticate, self.seed));
        self.ppp.open();
        self.stage = Stage::Ppp;
    }

    /// Time passes (the host's clock, from its start).
    pub fn tick(&mut self, now: Instant) {
        let elapsed = now - self.now;
        self.now = now;
        match self.stage {
            Stage::Prompt(_) if now - self.last_heard > LOGIN_IDLE => {
                self.say("\r\nTimed out.\r\n");
                self.stage = Stage::Over;
                self.hang_up = true;
            }
            Stage::Ppp => {
                self.ppp.advance(elapsed);
                self.net.poll(&mut self.ppp);
                self.services.serve(&mut self.net, self.rate, now);
                self.net.poll(&mut self.ppp);
                while let Some(l) = self.ppp.poll_log() {
                    self.log.push(l);
                }
                if self.ppp.is_ended() {
                    self.stage = Stage::Over;
                    self.hang_up = true;
                }
            }
            _ => {}
        }
    }

    /// Hands its octets to the modem: `write` takes what it can and says how many. Returns how
    /// many went.
    pub fn send(&mut self, mut write: impl FnMut(&[u8]) -> usize) -> usize {
        let mut sent = 0;
        if !self.out.is_empty() {
            let n = write(&self.out);
            self.out.drain(..n);
            sent += n;
            if !self.out.is_empty() {
                return sent;
            }
        }
        if matches!(self.stage, Stage::Ppp | Stage::Over) {
            let mut buf = [0u8; 256];
            loop {
                let n = self.ppp.transmit(&mut buf);
                if n == 0 {
                    break;
                }
                let w = write(&buf[..n]);
                sent += w;
                if w < n {
                    // The modem is full: keep the rest for next time.
                    self.out.extend_from_slice(&buf[w..n]);
                    break;
                }
            }
        }
        sent
    }

    /// Octets waiting to be handed to the modem.
    pub fn pending(&self) -> usize {
        self.out.len() + self.ppp.tx_pending()
    }

    /// It has finished and hangs up once its octets are out.
    pub fn wants_hang_up(&self) -> bool {
        self.hang_up
    }
}

#[cfg(test)]
mod tests;
