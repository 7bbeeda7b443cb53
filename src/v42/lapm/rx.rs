//! LAPM: what this end does with the frames it receives (V.42 8.3 to 8.7, 8.10, 8.13).

use super::*;

impl Lapm {
    /// Takes one frame received with a good FCS (address, control, information).
    pub fn receive(&mut self, octets: &[u8]) {
        if matches!(self.state, LinkState::Released(_)) {
            return;
        }
        self.stats.frames_received += 1;
        let frame = match Frame::parse(octets) {
            Ok(f) => f,
            Err(WireError::Address) | Err(WireError::TooShort) => {
                self.stats.invalid_frames += 1;
                return;
            }
            Err(e) => {
                self.stats.invalid_frames += 1;
                let reason = if e == WireError::UnexpectedInfo {
                    FrmrReason::UnexpectedInfo
                } else {
                    FrmrReason::UndefinedControl
                };
                let raw = [octets[1], octets.get(2).copied().unwrap_or(0)];
                let response = wire::kind_of(octets[0], self.config.originator) == Some(Kind::Response);
                self.frame_reject(raw, response, reason);
                return;
            }
        };
        let Some(kind) = wire::kind_of(frame.address, self.config.originator) else { return };
        match frame.control {
            Control::U { function, pf } => self.on_unnumbered(kind, function, pf, frame.info),
            _ if self.state != LinkState::Connected => {
                // Numbered frames outside information transfer: a poll is answered with DM.
                if kind == Kind::Command && frame.control.pf() && self.state == LinkState::Listening {
                    self.queue(Kind::Response, Control::U { function: Unnumbered::Dm, pf: true }, &[]);
                }
            }
            Control::I { ns, nr, p } => {
                if frame.info.len() > self.agreed.rx_n401 as usize || kind != Kind::Command {
                    self.stats.invalid_frames += 1;
                    let reason = if kind != Kind::Command { FrmrReason::UndefinedControl } else { FrmrReason::TooLong };
                    self.frame_reject(frame.raw_control, kind == Kind::Response, reason);
                    return;
                }
                self.on_information(ns, p, frame.info);
                self.on_nr(nr, frame.raw_control, kind);
            }
            Control::S { function, nr, pf } => self.on_supervisory(kind, function, nr, pf, frame.raw_control),
        }
    }

    pub(super) fn on_unnumbered(&mut self, kind: Kind, function: Unnumbered, pf: bool, info: &[u8]) {
        use Unnumbered::*;
        match (function, kind) {
            (Xid, Kind::Command) => {
                let x = crate::v42::xid::Xid::parse(info).unwrap_or_default();
                let agreed = self.agree(&x);
                if self.state == LinkState::Listening {
                    self.agreed = agreed;
                }
                // The functions both ends have: what was offered, of those this end knows.
                let reply = crate::v42::xid::Xid {
                    optional: Some(x.optional.unwrap_or(optional::OFFERED) & (optional::OFFERED | optional::SREJ)),
                    tx_n401: Some(self.agreed.tx_n401),
                    rx_n401: Some(self.agreed.rx_n401),
                    tx_k: Some(self.agreed.tx_k),
                    rx_k: Some(self.agreed.rx_k),
                    v42bis: self.agreed.v42bis,
                };
                let mut buf = [0u8; INFO_MAX];
                let n = reply.emit(&mut buf).unwrap_or(0);
                self.queue(Kind::Response, Control::U { function: Xid, pf }, &buf[..n]);
                if self.state == LinkState::Listening {
                    self.xid_reply = Some((buf, n as u8));
                    self.retries = 0;
                    self.t401 = Some(self.config.t401);
                }
            }
            (Xid, Kind::Response) if self.state == LinkState::Negotiating => {
                if let Ok(x) = crate::v42::xid::Xid::parse(info) {
                    // The responder's transmit values are this end's receive values, as an
                    // initiator's are to a responder.
                    self.agreed = self.agree(&x);
                }
                self.send_sabme();
            }
            (Dm | Frmr, Kind::Response) if self.state == LinkState::Negotiating => {
                // No XID here: the defaults, and on to SABME.
                self.send_sabme();
            }
            (Sabme, Kind::Command) => {
                self.queue(Kind::Response, Control::U { function: Ua, pf }, &[]);
                let reset = self.ever_connected;
                if self.state == LinkState::Connected {
                    self.stats.resets += 1;
                }
                self.link_up();
                self.events.push_overwrite(if reset { LapmEvent::Reset } else { LapmEvent::Connected(self.agreed) });
            }
            (Ua, Kind::Response) if self.state == LinkState::Establishing => {
                let reset = self.ever_connected;
                self.link_up();
                self.events.push_overwrite(if reset { LapmEvent::Reset } else { LapmEvent::Connected(self.agreed) });
            }
            (Ua | Dm, Kind::Response) if self.state == LinkState::Releasing => self.go_released(Release::Local),
            (Dm, Kind::Response) if self.state == LinkState::Establishing => self.go_released(Release::Refused),
            (Dm, Kind::Response) if self.state == LinkState::Connected => self.go_released(Release::Remote),
            (Disc, Kind::Command) => {
                let ok = matches!(self.state, LinkState::Connected | LinkState::Releasing);
                let function = if ok { Ua } else { Dm };
                self.queue(Kind::Response, Control::U { function, pf }, &[]);
                self.go_released(Release::Remote);
            }
            (Frmr, Kind::Response) if self.state == LinkState::Connected => {
                // The far end found this end's frames wrong: set the link up again.
                self.stats.resets += 1;
                self.send_sabme();
            }
            (Ui, _) if self.state == LinkState::Connected && info.first() == Some(&BRK) => {
                let destructive = info.get(1).is_some_and(|b| b & 0x40 != 0);
                if destructive {
                    self.rx_user.clear();
                }
                self.events.push_overwrite(LapmEvent::Break { destructive });
                self.queue(Kind::Command, Control::U { function: Ui, pf: false }, &[BRKACK]);
            }
            (Test, Kind::Command) => {
                let n = info.len().min(INFO_MAX);
                self.queue(Kind::Response, Control::U { function: Test, pf }, &info[..n]);
            }
            _ => {}
        }
    }

    pub(super) fn link_up(&mut self) {
        self.state = LinkState::Connected;
        self.stalled = 0;
        self.ever_connected = true;
        self.vs = 0;
        self.va = 0;
        self.vr = 0;
        self.top = 0;
        self.retries = 0;
        self.recovery = false;
        self.peer_busy = false;
        self.rej_sent = false;
        self.ack_pending = false;
        self.srej = 0;
        self.held_mask = 0;
        self.srej_wanted = None;
        self.t401 = None;
        self.t403 = Some(self.config.t403);
        self.tx_coded.clear();
        let o = self.config.originator;
        let params = |b: V42bisParams| v42bis::Params::new(b.p1.min(4096), b.p2).ok();
        self.encoder = self
            .agreed
            .v42bis
            .filter(|_| self.agreed.compresses_tx(o))
            .and_then(params)
            .map(|p| Box::new(Encoder::new(p)));
        self.decoder = self
            .agreed
            .v42bis
            .filter(|_| self.agreed.compresses_rx(o))
            .and_then(params)
            .map(|p| Box::new(Decoder::new(p)));
        // Room for what a few frames bring, and at least twice the most one frame can turn into
        // (the busy condition's margin). Made once a connection, not per frame.
        let room = (8192 + 2 * self.rx_room_needed()).max(self.rx_user.len());
        if room != self.rx_user.capacity() {
            let mut q = ByteQueue::new(room);
            let mut buf = [0u8; 256];
            loop {
                let n = self.rx_user.read(&mut buf);
                if n == 0 {
                    break;
                }
                q.write(&buf[..n]);
            }
            self.rx_user = q;
        }
        self.encoder_dirty = false;
    }

    pub(super) fn go_released(&mut self, why: Release) {
        self.state = LinkState::Released(why);
        self.t401 = None;
        self.t403 = None;
        self.events.push_overwrite(LapmEvent::Released(why));
    }

    pub(super) fn frame_reject(&mut self, raw: [u8; 2], was_response: bool, reason: FrmrReason) {
        if self.state != LinkState::Connected {
            return;
        }
        let info = wire::frmr_info(raw, self.vs, self.vr, was_response, reason);
        self.queue(Kind::Response, Control::U { function: Unnumbered::Frmr, pf: false }, &info);
        // Then set the link up again (8.5.6).
        self.stats.resets += 1;
        self.send_sabme();
    }

    /// The worst case of what one received I frame turns into.
    pub(super) fn rx_room_needed(&self) -> usize {
        let n = self.agreed.rx_n401 as usize;
        match &self.decoder {
            Some(d) => n * 8 / 9 * d.params().n7() as usize + 64,
            None => n,
        }
    }

    pub(super) fn on_information(&mut self, ns: u8, p: bool, info: &[u8]) {
        if self.own_busy || self.rx_user.free() < self.rx_room_needed() {
            // Busy: drop it; it comes again once RR says so.
            self.stats.i_frames_dropped += 1;
            self.own_busy = true;
            self.queue(Kind::Response, Control::S { function: Supervisory::Rnr, nr: self.vr, pf: p }, &[]);
            return;
        }
        if ns != self.vr && self.agreed.srej && dist(self.vr, ns) < self.agreed.rx_k {
            // Ahead of a lost frame: keep it, and ask for the lost one alone.
            if self.held_mask & (1u128 << ns) == 0 {
                let at = ns as usize * N401_MAX as usize;
                self.held[at..at + info.len()].copy_from_slice(info);
                self.held_len[ns as usize] = info.len() as u16;
                self.held_mask |= 1u128 << ns;
            }
            if self.srej_wanted.is_none() {
                self.srej_wanted = Some(self.vr);
                self.queue(Kind::Response, Control::S { function: Supervisory::Srej, nr: self.vr, pf: p }, &[]);
            } else if p {
                self.queue(Kind::Response, Control::S { function: Supervisory::Rr, nr: self.vr, pf: true }, &[]);
            }
            return;
        }
        if ns != self.vr {
            self.stats.i_frames_dropped += 1;
            if !self.rej_sent {
                self.rej_sent = true;
                self.queue(Kind::Response, Control::S { function: Supervisory::Rej, nr: self.vr, pf: p }, &[]);
            } else if p {
                self.queue(Kind::Response, Control::S { function: Supervisory::Rr, nr: self.vr, pf: true }, &[]);
            }
            return;
        }
        self.vr = (self.vr + 1) % MODULUS;
        self.rej_sent = false;
        self.deliver(info);
        // Then what was kept ahead of it, as far as it goes without a gap.
        if self.srej_wanted == Some(ns) {
            self.srej_wanted = None;
        }
        while self.held_mask & (1u128 << self.vr) != 0 {
            let v = self.vr;
            self.held_mask &= !(1u128 << v);
            let at = v as usize * N401_MAX as usize;
            let len = self.held_len[v as usize] as usize;
            let Lapm { decoder, rx_user, stats, held, .. } = self;
            let ok = decode_into(decoder, rx_user, stats, &held[at..at + len]);
            if !ok {
                self.decoder_failed();
            }
            self.vr = (self.vr + 1) % MODULUS;
        }
        if self.held_mask != 0 && self.srej_wanted.is_none() {
            // Another gap further on: ask for it.
            self.srej_wanted = Some(self.vr);
            self.queue(Kind::Response, Control::S { function: Supervisory::Srej, nr: self.vr, pf: false }, &[]);
        }
        if p {
            self.queue(Kind::Response, Control::S { function: Supervisory::Rr, nr: self.vr, pf: true }, &[]);
        } else {
            self.ack_pending = true;
        }
    }

    pub(super) fn deliver(&mut self, info: &[u8]) {
        let Lapm { decoder, rx_user, stats, .. } = self;
        if !decode_into(decoder, rx_user, stats, info) {
            self.decoder_failed();
        }
    }

    /// The far end's encoder and this decoder disagree: start both afresh.
    fn decoder_failed(&mut self) {
        if let Some(d) = self.decoder.as_mut() {
            d.reset();
        }
        self.stats.resets += 1;
        self.send_sabme();
    }

    pub(super) fn on_supervisory(&mut self, kind: Kind, function: Supervisory, nr: u8, pf: bool, raw: [u8; 2]) {
        match function {
            Supervisory::Rr => self.peer_busy = false,
            Supervisory::Rnr => self.peer_busy = true,
            Supervisory::Rej => {
                self.peer_busy = false;
                self.stats.rejects_received += 1;
            }
            Supervisory::Srej => self.stats.rejects_received += 1,
        }
        if kind == Kind::Command && pf {
            let function = if self.own_busy { Supervisory::Rnr } else { Supervisory::Rr };
            self.queue(Kind::Response, Control::S { function, nr: self.vr, pf: true }, &[]);
            self.ack_pending = false;
        }
        if !self.on_nr(nr, raw, kind) {
            return;
        }
        if kind == Kind::Response && pf && self.recovery {
            // The answer to the poll: resume, sending again what it has not acknowledged.
            self.recovery = false;
            self.retries = 0;
            self.t401 = None;
            self.vs = nr;
            self.restart_timers();
        } else if function == Supervisory::Rej && !self.recovery {
            self.vs = nr;
            self.restart_timers();
        } else if function == Supervisory::Srej && dist(self.va, nr) < dist(self.va, self.top) {
            self.srej |= 1u128 << nr;
        }
    }

    /// Takes N(R) as an acknowledgement; false (and FRMR) if it acknowledges a frame not sent.
    pub(super) fn on_nr(&mut self, nr: u8, raw: [u8; 2], kind: Kind) -> bool {
        if self.state != LinkState::Connected {
            return false;
        }
        if dist(self.va, nr) > dist(self.va, self.top) {
            self.stats.invalid_frames += 1;
            self.frame_reject(raw, kind == Kind::Response, FrmrReason::InvalidNr);
            return false;
        }
        if nr != self.va {
            self.va = nr;
            self.stalled = 0;
            if dist(self.va, self.vs) > dist(self.va, self.top) {
                self.vs = self.va;
            }
            if !self.recovery {
                self.retries = 0;
                self.restart_timers();
            }
        }
        true
    }
}

/// An I frame's information field to the user: through V.42bis's decoder when there is one.
/// False if the decoder found it malformed.
fn decode_into(decoder: &mut Option<Box<Decoder>>, rx_user: &mut ByteQueue, stats: &mut Stats, info: &[u8]) -> bool {
    match decoder {
        Some(d) => {
            let mut n = 0u64;
            let r = d.decode(info, &mut |b| {
                n += 1;
                rx_user.push(b);
            });
            stats.octets_received += n;
            r.is_ok()
        }
        None => {
            stats.octets_received += rx_user.write(info) as u64;
            true
        }
    }
}
