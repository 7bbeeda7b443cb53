//! LAPM: the frames this end sends, in order of precedence (control frames, frames asked for by
//! SREJ, frames sent again, new I frames, acknowledgements), and V.42bis on the way out.

use super::*;

impl Lapm {
    pub(super) fn queue(&mut self, kind: Kind, control: Control, info: &[u8]) {
        let mut p = Pending { kind, control, info: [0; INFO_MAX], len: info.len().min(INFO_MAX) as u8 };
        p.info[..p.len as usize].copy_from_slice(&info[..p.len as usize]);
        if !self.control.push(p) {
            // A full control queue means the far end is flooding this one with polls: the latest
            // matters most.
            self.control.push_overwrite(p);
        }
    }

    /// Fills the compressed queue from the user's for the next I frame.
    pub(super) fn code_more(&mut self) {
        let n401 = self.agreed.tx_n401 as usize;
        let Lapm { encoder, tx_user, tx_coded, encoder_dirty, stats, .. } = self;
        let Some(enc) = encoder else { return };
        let mut chunk = [0u8; 32];
        while tx_coded.len() < n401 && tx_coded.free() >= 2 * chunk.len() + 16 {
            let n = tx_user.read(&mut chunk);
            if n == 0 {
                if *encoder_dirty {
                    // Nothing more to send now: the rest of the string goes out at once.
                    enc.flush(&mut |b| {
                        tx_coded.push(b);
                    });
                    *encoder_dirty = false;
                }
                break;
            }
            stats.octets_sent += n as u64;
            enc.encode(&chunk[..n], &mut |b| {
                tx_coded.push(b);
            });
            *encoder_dirty = true;
        }
    }

    /// The next frame to send (address, control, information) into `out`, which must hold
    /// [`N401_MAX`] + 3 octets; returns its length.
    pub fn poll_frame(&mut self, out: &mut [u8]) -> Option<usize> {
        let n = self.next_frame(out)?;
        self.stats.frames_sent += 1;
        Some(n)
    }

    pub(super) fn next_frame(&mut self, out: &mut [u8]) -> Option<usize> {
        let o = self.config.originator;
        if let Some(p) = self.control.pop() {
            if let Control::S { .. } = p.control {
                if p.kind == Kind::Response {
                    self.ack_pending = false;
                }
            }
            return Frame::emit(wire::address(o, p.kind), p.control, &p.info[..p.len as usize], out);
        }
        if self.state != LinkState::Connected {
            return None;
        }
        if self.own_busy && self.rx_user.free() >= self.rx_room_needed() * 2 {
            self.own_busy = false;
            self.ack_pending = true;
        }
        if self.srej != 0 {
            let ns = self.srej.trailing_zeros() as u8;
            self.srej &= !(1u128 << ns);
            self.stats.retransmissions += 1;
            return self.emit_i(ns, out);
        }
        if !self.recovery && !self.peer_busy {
            if self.vs != self.top {
                self.stats.retransmissions += 1;
                let ns = self.vs;
                self.vs = (self.vs + 1) % MODULUS;
                return self.emit_i(ns, out);
            }
            if dist(self.va, self.top) < self.agreed.tx_k {
                let n = self.fill_new(self.top);
                if n > 0 {
                    self.stats.i_frames_sent += 1;
                    let ns = self.top;
                    self.top = (self.top + 1) % MODULUS;
                    self.vs = self.top;
                    return self.emit_i(ns, out);
                }
            }
        }
        if self.ack_pending {
            self.ack_pending = false;
            let function = if self.own_busy { Supervisory::Rnr } else { Supervisory::Rr };
            return Frame::emit(
                wire::address(o, Kind::Response),
                Control::S { function, nr: self.vr, pf: false },
                &[],
                out,
            );
        }
        None
    }

    /// Puts the next I frame's information field in the window at `ns`; returns its length.
    pub(super) fn fill_new(&mut self, ns: u8) -> usize {
        let n401 = self.agreed.tx_n401 as usize;
        let at = ns as usize * N401_MAX as usize;
        let n = if self.encoder.is_some() {
            self.code_more();
            self.tx_coded.read(&mut self.window[at..at + n401])
        } else {
            let slot = &mut self.window[at..at + n401];
            let n = self.tx_user.read(slot);
            self.stats.octets_sent += n as u64;
            n
        };
        self.window_len[ns as usize] = n as u16;
        n
    }

    pub(super) fn emit_i(&mut self, ns: u8, out: &mut [u8]) -> Option<usize> {
        let at = ns as usize * N401_MAX as usize;
        let len = self.window_len[ns as usize] as usize;
        self.ack_pending = false;
        if self.t401.is_none() {
            self.t401 = Some(self.config.t401);
            self.t403 = None;
        }
        let control = Control::I { ns, nr: self.vr, p: false };
        Frame::emit(wire::address(self.config.originator, Kind::Command), control, &self.window[at..at + len], out)
    }
}
