//! The call in progress: starting it, its stages, ending it, its timers, and what the phone says
//! of it unasked (result codes, `RING`, `+CLIP`, `+CIEV`) or in `+CLCC` lists.

use super::*;

impl PhoneControl {
    /// Starts a call (there is none): a new [`Call`] at `stage`.
    pub(super) fn start_call(&mut self, direction: Direction, stage: Stage) {
        self.calls = self.calls.wrapping_add(1);
        self.call = Some(Call {
            direction,
            stage,
            listed_as: None,
            missing_polls: 0,
            next_poll: self.now,
            number: None,
            announced: false,
            pending_end: None,
        });
    }

    /// A call rings here: announced with the caller's number once `+CLIP` gives it, or without
    /// after [`Config::clip_wait`].
    fn start_incoming(&mut self) {
        let now = self.now;
        self.start_call(
            Direction::Incoming,
            Stage::Ringing { announce_at: now + self.config.clip_wait, last_ring: now },
        );
    }

    /// Moves the call to `stage`.
    pub(super) fn set_stage(&mut self, stage: Stage) {
        if let Some(call) = self.call.as_mut() {
            call.stage = stage;
        }
    }

    /// Reports the call ringing here ([`PhoneEvent::Incoming`]).
    pub(super) fn announce(&mut self) {
        let Some(call) = self.call.as_mut() else { return };
        call.announced = true;
        let number = call.number.clone();
        self.report(PhoneEvent::Incoming { number });
    }

    /// The far end rings: a call being placed is alerting, and is hung up unless answered within
    /// [`Config::no_answer`].
    pub(super) fn go_alerting(&mut self) {
        if matches!(self.call, Some(Call { stage: Stage::Dialing(_), .. })) {
            self.set_stage(Stage::Alerting { give_up_at: self.now + self.config.no_answer });
            self.report(PhoneEvent::Alerting);
        }
    }

    /// The call is up (from any stage before it: it may be answered at either end, and a phone
    /// may skip reporting a stage). A call ringing here is announced first if it was not yet.
    pub(super) fn go_active(&mut self) {
        let Some(call) = self.call.as_ref() else { return };
        if !matches!(call.stage, Stage::Dialing(_) | Stage::Alerting { .. } | Stage::Ringing { .. } | Stage::Answering)
        {
            return;
        }
        if matches!(call.stage, Stage::Ringing { .. }) && !call.announced {
            self.announce();
        }
        if let Some(call) = self.call.as_mut() {
            call.stage = Stage::Active;
            call.pending_end = None;
        }
        self.report(PhoneEvent::Active);
    }

    /// The call is over (the phone says so, or it has been hung up): reported, and dropped. A
    /// call ringing here is announced before it ends, if it was not yet.
    pub(super) fn end_call(&mut self, reason: EndReason) {
        if let Some(call) = self.call.take() {
            if matches!(call.stage, Stage::Ringing { .. } | Stage::Answering) && !call.announced {
                self.report(PhoneEvent::Incoming { number: call.number });
            }
        }
        self.report(PhoneEvent::Ended { reason });
    }

    /// The call must be hung up (locally, or after a timeout or an error); it ends with `reason`
    /// once the phone has done it ([`PhoneControl::finish_hang_up`]). A dial not yet written ends
    /// at once; an `ATD` or `ATA` still outstanding is aborted.
    pub(super) fn start_hang_up(&mut self, reason: EndReason) {
        let Some(call) = self.call.as_mut() else { return };
        if matches!(call.stage, Stage::Dialing(Atd::Queued(_))) {
            self.end_call(reason);
            return;
        }
        call.stage = Stage::HangingUp { reason, ath: false };
        call.pending_end = None;
        self.abort_outstanding();
    }

    /// The phone has hung up the call: it ends with the reason it was hung up for.
    pub(super) fn finish_hang_up(&mut self) {
        if let Some(Call { stage: Stage::HangingUp { reason, .. }, .. }) = &self.call {
            let reason = reason.clone();
            self.end_call(reason);
        }
    }

    /// The call's timers, in turn. A call that did not progress in time is hung up
    /// ([`Config::dial_timeout`], [`Config::no_answer`]). A call ringing here is announced once
    /// [`Config::clip_wait`] has passed without `+CLIP`, and, where polls do not show it, has
    /// ended once [`Config::ring_silence`] has passed without `RING`. A hands-free set-up that
    /// ended without the call coming up ends the call after [`SETUP_GRACE`].
    pub(super) fn call_timers(&mut self) {
        let now = self.now;
        match self.call.as_ref().map(|c| &c.stage) {
            Some(Stage::Dialing(Atd::Sent { give_up_at } | Atd::Placed { give_up_at })) if now >= *give_up_at => {
                self.start_hang_up(EndReason::Timeout)
            }
            Some(Stage::Alerting { give_up_at }) if now >= *give_up_at => self.start_hang_up(EndReason::NoAnswer),
            _ => {}
        }
        if let Some(Call { stage: Stage::Ringing { announce_at, last_ring }, announced, .. }) = self.call {
            if !announced && now >= announce_at {
                self.announce();
            }
            if self.ring_silence_applies() && now >= last_ring + self.config.ring_silence {
                self.end_call(EndReason::NoCarrier);
            }
        }
        let Some(call) = self.call.as_mut() else { return };
        if let Some((reason, _)) = call.pending_end.take_if(|(_, at)| now >= *at) {
            if matches!(call.stage, Stage::Dialing(_) | Stage::Alerting { .. } | Stage::Ringing { .. }) {
                self.end_call(reason);
            }
        }
    }

    /// A call-ending code no outstanding command takes (`NO CARRIER`, `BUSY`, `NO ANSWER`,
    /// `NO DIALTONE`): the call being placed (once the phone took the `ATD`) failed, or the call
    /// up or ringing here is over.
    pub(super) fn unsolicited(&mut self, f: FinalResult) {
        if self.link != Link::Ready {
            return;
        }
        let Some(call) = &self.call else { return };
        let setting_up = matches!(call.stage, Stage::Dialing(Atd::Placed { .. }) | Stage::Alerting { .. });
        let reason = match f {
            FinalResult::NoCarrier if setting_up => EndReason::Rejected,
            FinalResult::NoCarrier
                if matches!(call.stage, Stage::Active | Stage::Ringing { .. } | Stage::Answering) =>
            {
                EndReason::NoCarrier
            }
            FinalResult::Busy if setting_up => EndReason::Busy,
            FinalResult::NoAnswer if setting_up => EndReason::NoAnswer,
            FinalResult::NoDialtone if setting_up => EndReason::NoDialtone,
            _ => return,
        };
        self.end_call(reason);
    }

    /// `RING` or `+CRING`: a new call rings here, or the one ringing still does (counted in
    /// [`PhoneControl::rings`] either way).
    pub(super) fn on_ring(&mut self) {
        if self.link != Link::Ready {
            return;
        }
        let now = self.now;
        match self.call.as_mut().map(|c| &mut c.stage) {
            None => self.start_incoming(),
            Some(Stage::Ringing { last_ring, .. }) => *last_ring = now,
            Some(Stage::Answering) => {}
            Some(_) => return,
        }
        self.rings += 1;
    }

    /// `+CLIP`: the caller's number, which also means a call rings here (a new one, if none was
    /// known). The call is announced with it.
    pub(super) fn on_clip(&mut self, number: Option<String>) {
        if self.link != Link::Ready {
            return;
        }
        if self.call.is_none() {
            self.start_incoming();
        }
        let now = self.now;
        let Some(call) = self.call.as_mut() else { return };
        match &mut call.stage {
            Stage::Ringing { last_ring, .. } => *last_ring = now,
            Stage::Answering => {}
            _ => return,
        }
        if call.number.is_none() {
            call.number = number;
        }
        if !call.announced {
            self.announce();
        }
    }

    /// `+CIEV` (hands-free only): the `call` indicator says the call is up (1) or over (0); for
    /// `callsetup`, see [`PhoneControl::on_callsetup`].
    pub(super) fn on_ciev(&mut self, indicator: IndicatorRef, value: u32) {
        if self.link != Link::Ready || !self.hands_free() {
            return;
        }
        let Some(index) = self.indicators.index(&indicator) else { return };
        if Some(index) == self.indicators.call {
            self.indicators.call_value = value;
            if value >= 1 {
                self.go_active();
            } else if matches!(self.call, Some(Call { stage: Stage::Active, .. })) {
                self.end_call(EndReason::NoCarrier);
            }
        } else if Some(index) == self.indicators.callsetup {
            self.on_callsetup(value);
        }
    }

    /// The `callsetup` indicator: 1, a call rings here; 3, the far end of the call being placed
    /// rings; 0 with no call up (and no `ATD` outstanding), the set-up is over, and unless `call`
    /// rises within [`SETUP_GRACE`] the call ended (a call being placed was rejected, the caller
    /// gave up).
    fn on_callsetup(&mut self, value: u32) {
        let atd_outstanding =
            self.outstanding.as_ref().is_some_and(|o| matches!(o.command, Command::Dial(_)) && o.call == self.calls);
        let (call_up, end_at) = (self.indicators.call_value != 0, self.now + SETUP_GRACE);
        match (value, self.call.as_mut()) {
            (1, None) => self.start_incoming(),
            (3, Some(call)) if call.stage.dialled() => self.go_alerting(),
            (0, Some(call)) if !call_up && !atd_outstanding => {
                let reason = match call.stage {
                    Stage::Dialing(Atd::Sent { .. } | Atd::Placed { .. }) | Stage::Alerting { .. } => {
                        EndReason::Rejected
                    }
                    Stage::Ringing { .. } => EndReason::NoCarrier,
                    _ => return,
                };
                call.pending_end = Some((reason, end_at));
            }
            _ => {}
        }
    }

    /// An `AT+CLCC` list: the call is found in it (by its `<id>` once known, else by direction
    /// and a state it can be in) and followed (alerting, up, ringing here). A call missing from
    /// it has ended: at once if it had been listed before, else after [`MISSING_POLLS`] polls.
    pub(super) fn follow_listed(&mut self, listed: &[CallEntry]) {
        let Some(call) = self.call.as_mut() else { return };
        let wanted: &[CallState] = match call.stage {
            Stage::Dialing(Atd::Placed { .. }) => &[CallState::Dialing, CallState::Alerting, CallState::Active],
            Stage::Alerting { .. } => &[CallState::Alerting, CallState::Active, CallState::Dialing],
            Stage::Active => &[CallState::Active, CallState::Held],
            Stage::Ringing { .. } => &[CallState::Incoming, CallState::Waiting, CallState::Active],
            _ => return,
        };
        let found = match call.listed_as {
            Some(id) => listed.iter().find(|c| c.id == id),
            None => listed.iter().find(|c| c.direction == call.direction && wanted.contains(&c.state)),
        };
        let Some(entry) = found else {
            call.missing_polls += 1;
            if call.listed_as.is_some() || call.missing_polls >= MISSING_POLLS {
                let outgoing = matches!(call.stage, Stage::Dialing(_) | Stage::Alerting { .. });
                self.end_call(if outgoing { EndReason::Rejected } else { EndReason::NoCarrier });
            }
            return;
        };
        call.listed_as = Some(entry.id);
        call.missing_polls = 0;
        if call.number.is_none() {
            call.number = entry.number.clone();
        }
        match entry.state {
            CallState::Alerting => self.go_alerting(),
            CallState::Active => self.go_active(),
            CallState::Incoming | CallState::Waiting if !call.announced => self.announce(),
            _ => {}
        }
    }
}
