//! The option negotiation automaton of RFC 1661 (section 4), shared by LCP and IPCP.
//!
//! [`Fsm`] holds the state (Initial ... Opened), the restart timer and counter, and the
//! identifiers; what each protocol asks for and accepts is its [`Negotiator`]. Events come in as
//! RFC 1661 names them: [`Fsm::up`], [`Fsm::down`], [`Fsm::open`], [`Fsm::close`], the timer
//! through [`Fsm::poll`], received packets through [`Fsm::receive`]. The layer's own actions
//! (This-Layer-Up/Down/Started/Finished) come out as [`LayerEvent`]s for the caller, which
//! strings the layers together (LCP's up brings authentication and IPCP; its down takes them
//! down).
//!
//! The state transition table is RFC 1661 4.1's, transcribed event by event below; the options
//! "passive" and "restart" are not used (an Open in Stopping or Closing leaves the automaton to
//! finish and then start again only when asked).

use super::wire::{code, emit_header, options_valid, Options, Packet};
use crate::time::{Duration, Instant};

/// The automaton's states (RFC 1661 4.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum State {
    /// Down and not allowed to open.
    Initial,
    /// Allowed to open, waiting for the lower layer.
    Starting,
    /// Lower layer up, not allowed to open.
    Closed,
    /// Lower layer up, negotiation ended without success or the peer terminated.
    Stopped,
    /// Terminate-Request sent, waiting for its Ack (then Closed).
    Closing,
    /// Terminate-Request sent, waiting for its Ack (then Stopped).
    Stopping,
    /// Configure-Request sent.
    ReqSent,
    /// Our Configure-Request acknowledged, the peer's not yet.
    AckRcvd,
    /// The peer's Configure-Request acknowledged, ours not yet.
    AckSent,
    /// Both acknowledged: the layer is up.
    Opened,
}

/// What the automaton tells the layer above or below it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LayerEvent {
    /// This-Layer-Up: the layer is open.
    Up,
    /// This-Layer-Down: it left Opened.
    Down,
    /// This-Layer-Started: it wants the lower layer up.
    Started,
    /// This-Layer-Finished: it no longer needs the lower layer.
    Finished,
}

/// What a negotiator says of the peer's Configure-Request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Every option acceptable: Configure-Ack.
    Ack,
    /// Some values unacceptable: Configure-Nak with the values we would take (in `out`).
    Nak,
    /// Some options unknown or not negotiable: Configure-Reject listing them (in `out`).
    Reject,
}

/// One protocol's options: what we ask for, what we accept from the peer.
pub trait Negotiator {
    /// The protocol number packets go under.
    const PROTOCOL: u16;
    /// Back to what we ask for at first (on This-Layer-Started and before a fresh negotiation).
    fn reset(&mut self);
    /// Our Configure-Request's options, appended to `out`.
    fn request(&mut self, out: &mut Vec<u8>);
    /// The peer acknowledged our request.
    fn acked(&mut self, options: &[u8]);
    /// The peer sent a Configure-Nak: take its values into the next request where we can.
    fn nakked(&mut self, options: &[u8]);
    /// The peer rejected these options: stop asking for them.
    fn rejected(&mut self, options: &[u8]);
    /// The peer's Configure-Request: the verdict and, for Nak or Reject, the options for the
    /// reply in `out`. On Ack the negotiator takes the peer's values as the ones in force.
    /// `may_nak` is false once Max-Failure Naks went unheeded (RFC 1661 4.6): what would be
    /// Nak'd is then rejected.
    fn check(&mut self, options: &[u8], may_nak: bool, out: &mut Vec<u8>) -> Verdict;
}

/// The automaton's counters and timer (RFC 1661 4.6), in the crate's sample time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timers {
    /// The restart timer.
    pub restart: Duration,
    /// Terminate-Requests sent without an Ack before giving up.
    pub max_terminate: u8,
    /// Configure-Requests sent without an Ack before giving up.
    pub max_configure: u8,
    /// Configure-Naks sent before options are rejected instead.
    pub max_failure: u8,
}

impl Default for Timers {
    fn default() -> Self {
        Timers { restart: Duration::from_secs(3), max_terminate: 2, max_configure: 10, max_failure: 5 }
    }
}

/// Where the automaton's packets go: framed for the line by the caller.
pub trait Output {
    /// Sends one packet (Code, Identifier, then `data`) under `protocol`.
    fn packet(&mut self, protocol: u16, code: u8, identifier: u8, data: &[u8]);
}

/// The automaton of one control protocol.
#[derive(Debug, Clone)]
pub struct Fsm<N> {
    /// What this protocol negotiates.
    pub negotiator: N,
    state: State,
    timers: Timers,
    counter: u8,
    failures: u8,
    deadline: Option<Instant>,
    /// The Identifier of our last Configure-Request, and its options as sent.
    request_id: u8,
    request: Vec<u8>,
    /// The Identifier for the next request we send.
    next_id: u8,
    /// The Identifier of our last Terminate-Request.
    terminate_id: u8,
    scratch: Vec<u8>,
    /// The Nak or Reject options being sent back.
    reply: Vec<u8>,
    events: Vec<LayerEvent>,
    /// Why the automaton last stopped, for the log.
    last_stop: Option<&'static str>,
}

impl<N: Negotiator> Fsm<N> {
    /// An automaton in the Initial state.
    pub fn new(negotiator: N, timers: Timers) -> Fsm<N> {
        Fsm {
            negotiator,
            state: State::Initial,
            timers,
            counter: 0,
            failures: 0,
            deadline: None,
            request_id: 0,
            request: Vec::with_capacity(64),
            next_id: 1,
            terminate_id: 0,
            scratch: Vec::with_capacity(64),
            reply: Vec::with_capacity(64),
            events: Vec::with_capacity(8),
            last_stop: None,
        }
    }

    /// The state now.
    pub fn state(&self) -> State {
        self.state
    }

    /// Whether the layer is open.
    pub fn is_opened(&self) -> bool {
        self.state == State::Opened
    }

    /// The next layer event, if any.
    pub fn poll_event(&mut self) -> Option<LayerEvent> {
        if self.events.is_empty() {
            None
        } else {
            Some(self.events.remove(0))
        }
    }

    /// Why negotiation last gave up, if it did (for the log).
    pub fn last_stop(&self) -> Option<&'static str> {
        self.last_stop
    }

    /// When the restart timer runs out, if it runs.
    pub fn deadline(&self) -> Option<Instant> {
        self.deadline
    }

    // The actions of RFC 1661 4.4.

    fn tlu(&mut self) {
        self.events.push(LayerEvent::Up);
    }
    fn tld(&mut self) {
        self.events.push(LayerEvent::Down);
    }
    fn tls(&mut self) {
        self.negotiator.reset();
        self.events.push(LayerEvent::Started);
    }
    fn tlf(&mut self) {
        self.deadline = None;
        self.events.push(LayerEvent::Finished);
    }
    fn irc_configure(&mut self) {
        self.counter = self.timers.max_configure;
        self.failures = 0;
    }
    fn irc_terminate(&mut self) {
        self.counter = self.timers.max_terminate;
    }
    fn zrc(&mut self, now: Instant) {
        self.counter = 0;
        self.deadline = Some(now + self.timers.restart);
    }

    /// Send-Configure-Request. A retransmission of unchanged options keeps its Identifier, so an
    /// Ack of the earlier copy still counts.
    fn scr(&mut self, now: Instant, out: &mut impl Output, retransmit: bool) {
        self.scratch.clear();
        self.negotiator.request(&mut self.scratch);
        if !(retransmit && self.scratch == self.request) {
            self.request_id = self.next_id;
            self.next_id = self.next_id.wrapping_add(1);
            core::mem::swap(&mut self.request, &mut self.scratch);
        }
        out.packet(N::PROTOCOL, code::CONFIGURE_REQUEST, self.request_id, &self.request);
        self.counter = self.counter.saturating_sub(1);
        self.deadline = Some(now + self.timers.restart);
    }

    fn str(&mut self, now: Instant, out: &mut impl Output) {
        self.terminate_id = self.next_id;
        self.next_id = self.next_id.wrapping_add(1);
        out.packet(N::PROTOCOL, code::TERMINATE_REQUEST, self.terminate_id, &[]);
        self.counter = self.counter.saturating_sub(1);
        self.deadline = Some(now + self.timers.restart);
    }

    fn sta(&mut self, id: u8, out: &mut impl Output) {
        out.packet(N::PROTOCOL, code::TERMINATE_ACK, id, &[]);
    }

    /// Send-Code-Reject: the rejected packet goes back whole (as much as fits).
    fn scj(&mut self, packet: &Packet, out: &mut impl Output) {
        self.scratch.clear();
        emit_header(packet.code, packet.identifier, packet.data.len(), &mut self.scratch);
        self.scratch.extend_from_slice(packet.data);
        self.scratch.truncate(1400);
        let id = self.next_id;
        self.next_id = self.next_id.wrapping_add(1);
        out.packet(N::PROTOCOL, code::CODE_REJECT, id, &self.scratch);
    }

    // The events of RFC 1661 4.3.

    /// Up: the lower layer is ready.
    pub fn up(&mut self, now: Instant, out: &mut impl Output) {
        match self.state {
            State::Initial => self.state = State::Closed,
            State::Starting => {
                self.irc_configure();
                self.scr(now, out, false);
                self.state = State::ReqSent;
            }
            _ => {}
        }
    }

    /// Down: the lower layer is gone.
    pub fn down(&mut self) {
        self.deadline = None;
        self.state = match self.state {
            State::Closed | State::Closing => State::Initial,
            State::Stopped => {
                self.tls();
                State::Starting
            }
            State::Stopping | State::ReqSent | State::AckRcvd | State::AckSent => State::Starting,
            State::Opened => {
                self.tld();
                State::Starting
            }
            s => s,
        };
    }

    /// Open: the administrator allows the link.
    pub fn open(&mut self, now: Instant, out: &mut impl Output) {
        match self.state {
            State::Initial => {
                self.tls();
                self.state = State::Starting;
            }
            State::Closed => {
                self.negotiator.reset();
                self.irc_configure();
                self.scr(now, out, false);
                self.state = State::ReqSent;
            }
            State::Closing => self.state = State::Stopping,
            _ => {}
        }
    }

    /// Close: the administrator ends the link.
    pub fn close(&mut self, now: Instant, out: &mut impl Output) {
        match self.state {
            State::Starting => {
                self.tlf();
                self.state = State::Initial;
            }
            State::Stopped => self.state = State::Closed,
            State::Stopping => self.state = State::Closing,
            State::ReqSent | State::AckRcvd | State::AckSent => {
                self.irc_terminate();
                self.str(now, out);
                self.state = State::Closing;
            }
            State::Opened => {
                self.tld();
                self.irc_terminate();
                self.str(now, out);
                self.state = State::Closing;
            }
            _ => {}
        }
    }

    /// Runs the restart timer up to `now`.
    pub fn poll(&mut self, now: Instant, out: &mut impl Output) {
        let Some(d) = self.deadline else { return };
        if now < d {
            return;
        }
        self.deadline = None;
        let more = self.counter > 0;
        match (self.state, more) {
            (State::Closing | State::Stopping, true) => self.str(now, out),
            (State::Closing, false) => {
                self.tlf();
                self.state = State::Closed;
            }
            (State::Stopping, false) => {
                self.tlf();
                self.state = State::Stopped;
            }
            (State::ReqSent | State::AckRcvd, true) => {
                self.scr(now, out, true);
                self.state = State::ReqSent;
            }
            (State::AckSent, true) => self.scr(now, out, true),
            (State::ReqSent | State::AckRcvd | State::AckSent, false) => {
                self.last_stop = Some("no answer to Configure-Request");
                self.tlf();
                self.state = State::Stopped;
            }
            _ => {}
        }
    }

    /// A packet of this protocol from the peer. Codes the automaton does not know are given back
    /// (`Some`) for the protocol to handle (LCP's echo, discard and protocol reject); the caller
    /// answers with [`Fsm::code_reject`] if it does not know them either.
    pub fn receive<'a>(&mut self, now: Instant, packet: Packet<'a>, out: &mut impl Output) -> Option<Packet<'a>> {
        match packet.code {
            code::CONFIGURE_REQUEST => self.rcr(now, &packet, out),
            code::CONFIGURE_ACK => self.rca(now, &packet, out),
            code::CONFIGURE_NAK | code::CONFIGURE_REJECT => self.rcn(now, &packet, out),
            code::TERMINATE_REQUEST => self.rtr(now, packet.identifier, out),
            code::TERMINATE_ACK => self.rta(now, packet.identifier, out),
            code::CODE_REJECT => {
                // RXJ: a rejected code of ours. The codes we send are all ones the peer must
                // know (1-7, and LCP's 8-11), except Echo and Discard, which a peer may reject
                // harmlessly: treat any Code-Reject of codes above 7 as RXJ+, of 1-7 as RXJ-.
                let rejected = packet.data.first().copied().unwrap_or(0);
                self.rxj(now, rejected > code::CODE_REJECT, out);
            }
            _ => return Some(packet),
        }
        None
    }

    /// RUC: a code nobody here knows; Code-Reject it (any state where the layer is up).
    pub fn code_reject(&mut self, packet: &Packet, out: &mut impl Output) {
        if !matches!(self.state, State::Initial | State::Starting) {
            self.scj(packet, out);
        }
    }

    /// RXJ-: the peer rejected a protocol this layer needs (LCP's Protocol-Reject of IPCP).
    pub fn protocol_rejected(&mut self, now: Instant, out: &mut impl Output) {
        self.last_stop = Some("the peer rejected the protocol");
        self.rxj(now, false, out);
    }

    fn rcr(&mut self, now: Instant, packet: &Packet, out: &mut impl Output) {
        match self.state {
            State::Closed => return self.sta(packet.identifier, out),
            State::Initial | State::Starting | State::Closing | State::Stopping => return,
            _ => {}
        }
        if !options_valid(packet.data) {
            // RFC 1661 5.1: an invalid packet is silently discarded.
            return;
        }
        // Stopped and Opened send a fresh request of their own first (irc, scr / tld, scr).
        match self.state {
            State::Stopped => {
                self.negotiator.reset();
                self.irc_configure();
                self.scr(now, out, false);
            }
            State::Opened => {
                self.tld();
                self.negotiator.reset();
                self.scr(now, out, false);
            }
            _ => {}
        }
        self.reply.clear();
        let may_nak = self.failures < self.timers.max_failure;
        let verdict = self.negotiator.check(packet.data, may_nak, &mut self.reply);
        let good = verdict == Verdict::Ack;
        match verdict {
            Verdict::Ack => out.packet(N::PROTOCOL, code::CONFIGURE_ACK, packet.identifier, packet.data),
            Verdict::Nak => {
                self.failures = self.failures.saturating_add(1);
                out.packet(N::PROTOCOL, code::CONFIGURE_NAK, packet.identifier, &self.reply);
            }
            Verdict::Reject => out.packet(N::PROTOCOL, code::CONFIGURE_REJECT, packet.identifier, &self.reply),
        }
        self.state = match (self.state, good) {
            (State::AckRcvd, true) => {
                self.deadline = None;
                self.tlu();
                State::Opened
            }
            (State::AckRcvd, false) => State::AckRcvd,
            (State::Stopped | State::ReqSent | State::AckSent | State::Opened, true) => State::AckSent,
            (State::Stopped | State::ReqSent | State::AckSent | State::Opened, false) => State::ReqSent,
            (s, _) => s,
        };
    }

    fn rca(&mut self, now: Instant, packet: &Packet, out: &mut impl Output) {
        let matches = packet.identifier == self.request_id && packet.data == &self.request[..];
        match self.state {
            State::Closed | State::Stopped => return self.sta(packet.identifier, out),
            State::ReqSent | State::AckRcvd | State::AckSent | State::Opened if !matches => return,
            _ => {}
        }
        self.state = match self.state {
            State::ReqSent => {
                // irc/7: the restart timer keeps running in Ack-Rcvd (RFC 1661 4.6); the peer's
                // request is still to come.
                self.negotiator.acked(packet.data);
                self.irc_configure();
                State::AckRcvd
            }
            State::AckRcvd => {
                // A second Ack: crossed connection.
                self.scr(now, out, false);
                State::ReqSent
            }
            State::AckSent => {
                self.negotiator.acked(packet.data);
                self.irc_configure();
                self.deadline = None;
                self.tlu();
                State::Opened
            }
            State::Opened => {
                self.tld();
                self.scr(now, out, false);
                State::ReqSent
            }
            s => s,
        };
    }

    fn rcn(&mut self, now: Instant, packet: &Packet, out: &mut impl Output) {
        match self.state {
            State::Closed | State::Stopped => return self.sta(packet.identifier, out),
            State::ReqSent | State::AckRcvd | State::AckSent | State::Opened => {}
            _ => return,
        }
        if packet.identifier != self.request_id || !options_valid(packet.data) {
            return;
        }
        if packet.code == code::CONFIGURE_NAK {
            self.negotiator.nakked(packet.data);
        } else {
            // A Reject must list options we sent, unchanged (RFC 1661 5.4); else it is ignored.
            let ours = Options::new(packet.data)
                .flatten()
                .all(|o| Options::new(&self.request).flatten().any(|m| m.kind == o.kind && m.value == o.value));
            if !ours {
                return;
            }
            self.negotiator.rejected(packet.data);
        }
        self.state = match self.state {
            State::ReqSent => {
                self.irc_configure_keep_failures();
                self.scr(now, out, false);
                State::ReqSent
            }
            State::AckRcvd => {
                self.scr(now, out, false);
                State::ReqSent
            }
            State::AckSent => {
                self.irc_configure_keep_failures();
                self.scr(now, out, false);
                State::AckSent
            }
            State::Opened => {
                self.tld();
                self.scr(now, out, false);
                State::ReqSent
            }
            s => s,
        };
    }

    /// irc before a new request after a Nak: the configure counter restarts, the Naks we sent
    /// keep counting.
    fn irc_configure_keep_failures(&mut self) {
        self.counter = self.timers.max_configure;
    }

    fn rtr(&mut self, now: Instant, id: u8, out: &mut impl Output) {
        match self.state {
            State::Initial | State::Starting => {}
            State::Closed | State::Stopped | State::Closing | State::Stopping => self.sta(id, out),
            State::ReqSent | State::AckRcvd | State::AckSent => {
                self.sta(id, out);
                self.state = State::ReqSent;
            }
            State::Opened => {
                self.tld();
                self.zrc(now);
                self.sta(id, out);
                self.last_stop = Some("the peer terminated the link");
                self.state = State::Stopping;
            }
        }
    }

    fn rta(&mut self, now: Instant, id: u8, out: &mut impl Output) {
        let _ = id;
        self.state = match self.state {
            State::Closing => {
                self.tlf();
                State::Closed
            }
            State::Stopping => {
                self.tlf();
                State::Stopped
            }
            State::AckRcvd => State::ReqSent,
            State::Opened => {
                self.tld();
                self.scr(now, out, false);
                State::ReqSent
            }
            s => s,
        };
    }

    fn rxj(&mut self, now: Instant, permitted: bool, out: &mut impl Output) {
        if permitted {
            if self.state == State::AckRcvd {
                self.state = State::ReqSent;
            }
            return;
        }
        self.state = match self.state {
            State::Closed | State::Closing => {
                self.tlf();
                State::Closed
            }
            State::Stopped | State::Stopping | State::ReqSent | State::AckRcvd | State::AckSent => {
                self.tlf();
                State::Stopped
            }
            State::Opened => {
                self.tld();
                self.irc_terminate();
                self.str(now, out);
                State::Stopping
            }
            s => s,
        };
    }
}

#[cfg(test)]
mod tests;
