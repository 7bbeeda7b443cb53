//! The controller's commands: which one to write next, writing it, and what its final result code
//! (or its timeout) means.

use super::*;

/// The call's end when the phone refuses `command` with `f`: the error, naming the command.
fn failure(command: &Command, f: &FinalResult) -> EndReason {
    EndReason::Error(format!("{}: {}", command.name(), f.text()))
}

impl PhoneControl {
    /// Writes the next command, if one is due: the next set-up command (or, after the last, set-up
    /// is done), or what the call needs.
    pub(super) fn start_next(&mut self) {
        let command = match self.link {
            Link::Unready => return,
            Link::Init(step) => match setup_command(self.config.profile, step) {
                Some(command) => command,
                None => {
                    self.link = Link::Ready;
                    self.report(PhoneEvent::Ready);
                    return;
                }
            },
            Link::Ready => match self.call_command() {
                Some(command) => command,
                None => return,
            },
        };
        self.send(command);
    }

    /// What the call needs written next: its hang-up, its `ATD`, its `ATA`, or a poll when one is
    /// due (never while `ATD` is outstanding).
    fn call_command(&self) -> Option<Command> {
        let call = self.call.as_ref()?;
        match &call.stage {
            Stage::HangingUp { ath: true, .. } => Some(Command::OnHook),
            Stage::HangingUp { .. } => Some(Command::HangUp),
            Stage::Dialing(Atd::Queued(number)) => Some(Command::Dial(number.clone())),
            Stage::Answering => Some(Command::Answer),
            Stage::Dialing(Atd::Sent { .. }) => None,
            Stage::Dialing(Atd::Placed { .. }) | Stage::Alerting { .. } | Stage::Active | Stage::Ringing { .. }
                if self.polling() && self.now >= call.next_poll =>
            {
                Some(Command::ListCalls)
            }
            _ => None,
        }
    }

    /// Writes `command` and waits for its final result code. Writing `ATD` starts the dial
    /// timeout ([`Config::dial_timeout`]); as a phone may answer `ATD` only once the call is up,
    /// the command itself gets the dial time on top of the command timeout (the dial timeout,
    /// which comes first, aborts it).
    fn send(&mut self, command: Command) {
        let mut line = Vec::new();
        command.emit(&mut line);
        self.out.write(&line);
        let now = self.now;
        let mut deadline = now + self.config.command_timeout;
        if let Command::Dial(_) = command {
            deadline += self.config.dial_timeout;
            self.set_stage(Stage::Dialing(Atd::Sent { give_up_at: now + self.config.dial_timeout }));
            self.report(PhoneEvent::Dialing);
        }
        self.outstanding = Some(Outstanding {
            command,
            call: self.calls,
            sent_at: now,
            deadline,
            abort: Abort::No,
            listed: Vec::new(),
        });
    }

    /// Aborts the call's `ATD` or `ATA` if it is still outstanding: the abort character goes no
    /// sooner than [`ABORT_GUARD`] after the command, and the command's result must come within
    /// a command timeout of it.
    pub(super) fn abort_outstanding(&mut self) {
        let (now, timeout, latest) = (self.now, self.config.command_timeout, self.calls);
        if let Some(o) = self.outstanding.as_mut() {
            if matches!(o.command, Command::Dial(_) | Command::Answer) && o.call == latest && o.abort == Abort::No {
                let at = now.max(o.sent_at + ABORT_GUARD);
                o.abort = Abort::Due(at);
                o.deadline = o.deadline.min(at + timeout);
            }
        }
    }

    /// The outstanding command's timers: the abort character once due, then its timeout.
    pub(super) fn command_timers(&mut self) {
        let now = self.now;
        if let Some(o) = self.outstanding.as_mut() {
            if matches!(o.abort, Abort::Due(at) if at <= now) {
                o.abort = Abort::Sent;
                self.out.write(wire::ABORT);
            }
        }
        if let Some(o) = self.outstanding.take_if(|o| now >= o.deadline) {
            self.on_timeout(o);
        }
    }

    /// A final result code. It is the outstanding command's, unless it is one that ends a call
    /// (`NO CARRIER`, `BUSY`, `NO ANSWER`, `NO DIALTONE`, `CONNECT`) and the command is not a dial
    /// or an answer: then the phone is telling of the call ([`PhoneControl::unsolicited`]).
    pub(super) fn on_final(&mut self, f: FinalResult) {
        let call_result = matches!(
            f,
            FinalResult::NoCarrier
                | FinalResult::Busy
                | FinalResult::NoAnswer
                | FinalResult::NoDialtone
                | FinalResult::Connect(_)
        );
        let takes = |o: &mut Outstanding| !call_result || matches!(o.command, Command::Dial(_) | Command::Answer);
        match self.outstanding.take_if(takes) {
            Some(o) => {
                self.timeouts = 0;
                self.complete(o, f);
            }
            None => self.unsolicited(f),
        }
    }

    /// The outstanding command's final result code, to the part that knows what it means. A call
    /// command's result is ignored once a later call has started, or the link was set up again.
    fn complete(&mut self, o: Outstanding, f: FinalResult) {
        if is_setup(&o.command) {
            self.setup_result(&o.command, &f);
            return;
        }
        if !self.concerns_latest_call(&o) {
            return;
        }
        match &o.command {
            Command::Dial(_) => self.dial_result(&o.command, f),
            Command::Answer => self.answer_result(&o.command, f),
            Command::HangUp => self.hang_up_result(f.is_success()),
            Command::OnHook => self.on_hook_result(&o.command, &f),
            Command::ListCalls => self.poll_result(&o.listed, f.is_success()),
            _ => {}
        }
    }

    /// A set-up command's result: on to the next one, unless the phone refused one that is
    /// required ([`is_required`]), or its indicators have no `call` to follow calls by.
    fn setup_result(&mut self, command: &Command, f: &FinalResult) {
        let Link::Init(step) = self.link else { return };
        let ok = f.is_success();
        if *command == Command::IndicatorList && ok && self.indicators.call.is_none() {
            self.fail_setup(EndReason::Error(format!("{}: no \"call\" indicator", command.name())));
        } else if !ok && is_required(command) {
            self.fail_setup(failure(command, f));
        } else {
            self.link = Link::Init(step + 1);
        }
    }

    /// `ATD`'s result, while the call is still being placed (otherwise it is up already, a
    /// `+CIEV` having come first, or being hung up: nothing to add). `OK`: the phone is placing
    /// the call, followed from now on (or, with nothing to follow it by, up); `CONNECT`: up;
    /// anything else: the call failed.
    fn dial_result(&mut self, command: &Command, f: FinalResult) {
        let (followed, now) = (self.hands_free() || self.clcc_ok, self.now);
        let Some(call) = self.call.as_mut() else { return };
        let Stage::Dialing(atd) = &mut call.stage else { return };
        if let Atd::Sent { give_up_at } = *atd {
            *atd = Atd::Placed { give_up_at };
        }
        match f {
            FinalResult::Connect(_) => self.go_active(),
            FinalResult::Ok if followed => call.next_poll = now,
            FinalResult::Ok => self.go_active(),
            FinalResult::Busy => self.end_call(EndReason::Busy),
            FinalResult::NoAnswer => self.end_call(EndReason::NoAnswer),
            FinalResult::NoCarrier => self.end_call(EndReason::Rejected),
            FinalResult::NoDialtone => self.end_call(EndReason::NoDialtone),
            _ => self.end_call(failure(command, &f)),
        }
    }

    /// `ATA`'s result, while the call is being answered: up; refused (hung up, ending with the
    /// error); or the caller had gone.
    fn answer_result(&mut self, command: &Command, f: FinalResult) {
        if !matches!(self.call, Some(Call { stage: Stage::Answering, .. })) {
            return;
        }
        match f {
            FinalResult::Ok | FinalResult::Connect(_) => self.go_active(),
            FinalResult::Error | FinalResult::CmeError(_) | FinalResult::CmsError(_) => {
                self.start_hang_up(failure(command, &f))
            }
            _ => self.end_call(EndReason::NoCarrier),
        }
    }

    /// `AT+CHUP`'s result: the call is over, or `ATH` must end it.
    fn hang_up_result(&mut self, ok: bool) {
        match self.call.as_mut().map(|c| &mut c.stage) {
            Some(Stage::HangingUp { .. }) if ok => self.finish_hang_up(),
            Some(Stage::HangingUp { ath, .. }) => *ath = true,
            _ => {}
        }
    }

    /// `ATH`'s result: the call is over either way; a local hang-up the phone refused ends with
    /// the error.
    fn on_hook_result(&mut self, command: &Command, f: &FinalResult) {
        let Some(Call { stage: Stage::HangingUp { reason, .. }, .. }) = self.call.as_mut() else { return };
        if !f.is_success() && *reason == EndReason::LocalHangUp {
            *reason = failure(command, f);
        }
        self.finish_hang_up();
    }

    /// `AT+CLCC`'s result: the next poll is due in [`Config::poll_interval`] and the list is
    /// followed ([`PhoneControl::follow_listed`]). A phone that refuses `AT+CLCC` is not polled
    /// again; a call it is placing counts as up, since nothing else will tell.
    fn poll_result(&mut self, listed: &[CallEntry], ok: bool) {
        let next_poll = self.now + self.config.poll_interval;
        if let Some(call) = self.call.as_mut() {
            call.next_poll = next_poll;
        }
        if ok {
            self.follow_listed(listed);
        } else {
            self.clcc_ok = false;
            if matches!(self.call, Some(Call { stage: Stage::Dialing(Atd::Placed { .. }), .. })) {
                self.go_active();
            }
        }
    }

    /// The outstanding command went unanswered. After [`Config::max_timeouts`] in a row the
    /// phone is unresponsive. Otherwise: an optional set-up command is skipped (a required one is
    /// written again); for the call, a dial or an answer is given up ([`EndReason::Timeout`]),
    /// `AT+CHUP` gives way to `ATH`, `ATH` counts as done, a poll waits for the next.
    fn on_timeout(&mut self, o: Outstanding) {
        self.timeouts += 1;
        if self.timeouts >= self.config.max_timeouts.max(1) {
            self.unresponsive();
            return;
        }
        if is_setup(&o.command) {
            if let Link::Init(step) = self.link {
                if !is_required(&o.command) {
                    self.link = Link::Init(step + 1);
                }
            }
            return;
        }
        if !self.concerns_latest_call(&o) {
            return;
        }
        let next_poll = self.now + self.config.poll_interval;
        let Some(call) = self.call.as_mut() else { return };
        match (&o.command, &mut call.stage) {
            (Command::Dial(_) | Command::Answer, Stage::Dialing(_) | Stage::Answering) => {
                self.start_hang_up(EndReason::Timeout)
            }
            (Command::HangUp, Stage::HangingUp { ath, .. }) => *ath = true,
            (Command::OnHook, Stage::HangingUp { .. }) => self.finish_hang_up(),
            (Command::ListCalls, _) => call.next_poll = next_poll,
            _ => {}
        }
    }
}
