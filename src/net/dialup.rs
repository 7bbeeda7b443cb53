//! A dial-up networking client on a modem's data: the login script (if any), then PPP, then the
//! IP stack, as one sans-IO object for the CLI, the page and the benchmarks.
//!
//! After the modem's `CONNECT`, [`DialUp::connected`] starts the script or PPP; the modem's
//! octets go to [`DialUp::receive`], [`DialUp::transmit`] gives the octets for the modem, and
//! [`DialUp::advance`] passes time and runs the stack. What the person does on the network
//! ([`super::stream::Stream`], [`super::http::Fetch`]) works on [`DialUp::net`] between calls.

use super::Net;
use crate::ppp::chat::{Chat, Script, State as ChatState};
use crate::ppp::{Config, Ppp};
use crate::time::Duration;
use std::collections::VecDeque;

/// Where the session is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stage {
    /// Waiting for the modem to connect.
    Idle,
    /// The login script runs.
    Login,
    /// PPP (and, once IPCP is up, IP).
    Ppp,
    /// Over: PPP ended, the script failed, or the carrier went; the reason.
    Ended(String),
}

/// The client. See the [module documentation](self).
pub struct DialUp {
    script: Option<Script>,
    chat: Option<Chat>,
    ppp: Ppp,
    net: Net,
    stage: Stage,
    log: VecDeque<String>,
    /// Time since CONNECT, and when IP came up.
    since_connect: Duration,
    ip_after: Option<Duration>,
}

impl core::fmt::Debug for DialUp {
    // Not the script: it holds the password.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("DialUp").field("stage", &self.stage).field("ppp", &self.ppp.status()).finish_non_exhaustive()
    }
}

impl DialUp {
    /// A client that will run `script` (if any) and then PPP with `config`; `seed` randomises the
    /// IP stack's numbers.
    pub fn new(config: Config, script: Option<Script>, seed: u64) -> DialUp {
        DialUp {
            script,
            chat: None,
            ppp: Ppp::new(config),
            net: Net::new(seed),
            stage: Stage::Idle,
            log: VecDeque::new(),
            since_connect: Duration::ZERO,
            ip_after: None,
        }
    }

    /// The modem connected: the script starts, or PPP.
    pub fn connected(&mut self) {
        if self.stage != Stage::Idle {
            return;
        }
        self.since_connect = Duration::ZERO;
        match self.script.take() {
            Some(s) => {
                self.log.push_back("login script running".into());
                self.chat = Some(Chat::new(s));
                self.stage = Stage::Login;
            }
            None => self.start_ppp(&[]),
        }
    }

    fn start_ppp(&mut self, leftover: &[u8]) {
        self.ppp.open();
        self.ppp.receive(leftover);
        self.stage = Stage::Ppp;
    }

    /// Where it is.
    pub fn stage(&self) -> &Stage {
        &self.stage
    }

    /// The PPP link.
    pub fn ppp(&self) -> &Ppp {
        &self.ppp
    }

    /// The IP stack, for streams and fetches.
    pub fn net(&mut self) -> &mut Net {
        &mut self.net
    }

    /// How long IP took to come up after CONNECT, once it has.
    pub fn ip_after(&self) -> Option<Duration> {
        self.ip_after
    }

    /// The next line of the log (the script's steps, PPP's phases).
    pub fn poll_log(&mut self) -> Option<String> {
        if let Some(c) = self.chat.as_mut() {
            while let Some(l) = c.poll_log() {
                self.log.push_back(l);
            }
        }
        while let Some(l) = self.ppp.poll_log() {
            self.log.push_back(l);
        }
        self.log.pop_front()
    }

    /// Octets from the modem.
    pub fn receive(&mut self, bytes: &[u8]) {
        match self.stage {
            Stage::Login => {
                let Some(chat) = self.chat.as_mut() else { return };
                chat.receive(bytes);
                self.after_chat();
            }
            Stage::Ppp => self.ppp.receive(bytes),
            Stage::Idle | Stage::Ended(_) => {}
        }
    }

    fn after_chat(&mut self) {
        let Some(chat) = self.chat.as_mut() else { return };
        match chat.state() {
            ChatState::Running { .. } => {}
            ChatState::Done { .. } => {
                let mut rest = Vec::new();
                chat.take_leftover(&mut rest);
                while let Some(l) = chat.poll_log() {
                    self.log.push_back(l);
                }
                self.chat = None;
                self.start_ppp(&rest);
            }
            ChatState::Failed(f) => {
                while let Some(l) = chat.poll_log() {
                    self.log.push_back(l);
                }
                self.chat = None;
                self.stage = Stage::Ended(format!("login script: {f}"));
            }
        }
    }

    /// Octets for the modem, at most `out.len()`.
    pub fn transmit(&mut self, out: &mut [u8]) -> usize {
        match self.stage {
            Stage::Login => self.chat.as_mut().map_or(0, |c| c.transmit(out)),
            Stage::Ppp => self.ppp.transmit(out),
            _ => 0,
        }
    }

    /// Time passes: the script's timeouts, PPP's timers, the IP stack.
    pub fn advance(&mut self, elapsed: Duration) {
        self.since_connect += elapsed;
        match self.stage {
            Stage::Login => {
                if let Some(c) = self.chat.as_mut() {
                    c.advance(elapsed);
                }
                self.after_chat();
            }
            Stage::Ppp => {
                self.ppp.advance(elapsed);
                self.net.poll(&mut self.ppp);
                if self.ppp.is_ip_up() && self.ip_after.is_none() {
                    self.ip_after = Some(self.since_connect);
                }
                if self.ppp.is_ended() {
                    self.stage = Stage::Ended(self.ppp.status().ended.unwrap_or_default());
                }
            }
            _ => {}
        }
    }

    /// Runs the IP stack now (after a stream or fetch queued something, to send it at once).
    pub fn poll_net(&mut self) {
        self.net.poll(&mut self.ppp);
    }

    /// Ends PPP from our side (LCP terminate); once [`DialUp::stage`] is `Ended`, hang up.
    /// Before PPP runs, it ends at once.
    pub fn close(&mut self, reason: &str) {
        match self.stage {
            Stage::Ppp => self.ppp.close(reason),
            Stage::Ended(_) => {}
            _ => {
                self.chat = None;
                self.stage = Stage::Ended(reason.into());
            }
        }
    }

    /// The modem's carrier went: over at once.
    pub fn carrier_lost(&mut self, reason: &str) {
        if matches!(self.stage, Stage::Ended(_)) {
            return;
        }
        self.ppp.lower_down(reason);
        self.net.poll(&mut self.ppp);
        self.chat = None;
        self.stage = Stage::Ended(reason.into());
    }
}
