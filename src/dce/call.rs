//! Placing, answering and ending calls: what the DCE does on the interpreter's actions
//! ([`Action`]), the phone's events ([`PhoneEvent`]) and the modem's events ([`ModemEvent`]).

use super::*;
use crate::link::{Note, Protocol};

impl Dce {
    pub(super) fn on_action(&mut self, a: Action) {
        match a {
            Action::Dial(req) => self.place_call(req),
            Action::Answer => self.answer_call(),
            Action::HangUp => {
                if self.stage != Stage::OnHook {
                    self.note("Hanging up".into());
                }
                self.hang_up_all();
            }
            Action::GoOnline { retrain } => {
                if let Some(m) = self.modem.as_mut() {
                    if retrain {
                        m.retrain();
                    }
                }
                self.note(if retrain { "Online again, retraining" } else { "Online again" }.into());
            }
            Action::SetModulations(m) => self.note(format!("Next call: {}", m.report())),
            Action::Reset => self.note("Settings reset".into()),
        }
    }

    /// An `ATD`.
    pub(super) fn place_call(&mut self, req: DialRequest) {
        if !matches!(self.stage, Stage::OnHook | Stage::OffHook) {
            self.hang_up_all();
        }
        let to_command = req.return_to_command;
        match self.config.link {
            PhoneLink::Manual => {
                let number = req.number();
                if !number.is_empty() {
                    self.note(format!("Manual: dial {number} on the handset"));
                }
                self.dialled(to_command, None);
            }
            PhoneLink::Audio => {
                self.note_audio_dial(&req);
                let detect_busy = req.detect_busy;
                if req.detect_dial_tone {
                    self.note("Line: waiting for dial tone".into());
                }
                self.dialer.start(req, self.config.dial_tone_wait);
                self.stage = Stage::AudioDialing { to_command, detect_busy };
            }
            PhoneLink::Serial => {
                let number = phone_number(&req);
                let phone_in_call = self.phone_in_call();
                if number.is_empty() {
                    // Dialled by hand, or the phone's call is up already: the modem starts on it.
                    self.phone_call_ours |= phone_in_call;
                    self.dialled(to_command, None);
                } else if self.stage == Stage::OffHook && phone_in_call {
                    // Digits into a call that is up: this link cannot send them.
                    self.note("Phone: cannot dial digits into a call that is up".into());
                    self.end_call(LineEvent::Error);
                } else {
                    self.note(format!("Phone: dial {number}"));
                    self.stage = Stage::PhoneWait { number, to_command };
                    self.try_phone_dial();
                }
            }
        }
    }

    pub(super) fn note_audio_dial(&mut self, req: &DialRequest) {
        let digits: String = req
            .elements
            .iter()
            .filter_map(|e| match *e {
                DialElement::Digit { digit, .. } if dialer::is_dtmf(digit) => Some(digit as char),
                DialElement::Pause => Some(','),
                DialElement::WaitDialTone => Some('W'),
                _ => None,
            })
            .collect();
        if !digits.is_empty() {
            self.note(format!("Line: dialling {digits}"));
        }
        if req.elements.iter().any(|e| matches!(e, DialElement::Digit { tone: false, .. })) {
            self.note("Line: pulse dialling is done by tone".into());
        }
        if req.elements.iter().any(|e| matches!(e, DialElement::Digit { digit: b'+', .. } | DialElement::Flash)) {
            self.note("Line: '+' and '!' cannot be sent as tones; skipped".into());
        }
    }

    /// Serial: hand a waiting dial to the phone when it can take it.
    pub(super) fn try_phone_dial(&mut self) {
        let (Some(p), Stage::PhoneWait { number, to_command }) = (self.phone.as_mut(), &self.stage) else {
            if matches!(self.stage, Stage::PhoneWait { .. }) {
                self.end_call(LineEvent::Error);
            }
            return;
        };
        let to_command = *to_command;
        match p.phase() {
            control::Phase::Unready => {
                let _ = p.init();
                self.note("Phone: not ready; setting it up".into());
            }
            control::Phase::Initialising | control::Phase::HangingUp => {}
            control::Phase::Idle => match p.dial(number) {
                Ok(()) => {
                    self.phone_call_ours = true;
                    self.stage = Stage::PhoneDialing { to_command, dialled: false };
                }
                Err(e) => {
                    self.note(format!("Phone: dial refused ({e:?})"));
                    self.end_call(LineEvent::Error);
                }
            },
            other => {
                self.note(format!("Phone: busy with another call ({other:?})"));
                self.end_call(LineEvent::Error);
            }
        }
    }

    /// An `ATA`.
    pub(super) fn answer_call(&mut self) {
        if !matches!(self.stage, Stage::OnHook | Stage::OffHook) {
            self.hang_up_all();
        }
        if let (PhoneLink::Serial, Some(p)) = (self.config.link, self.phone.as_mut()) {
            match p.phase() {
                control::Phase::Ringing | control::Phase::Answering => match p.answer() {
                    Ok(()) => {
                        self.phone_call_ours = true;
                        self.stage = Stage::PhoneAnswering;
                        self.note("Phone: answering".into());
                    }
                    Err(e) => {
                        self.note(format!("Phone: answer refused ({e:?})"));
                        self.end_call(LineEvent::Error);
                    }
                },
                _ => {
                    self.phone_call_ours |= self.phone_in_call();
                    self.start_modem(Role::Answer);
                }
            }
            return;
        }
        self.start_modem(Role::Answer);
    }

    /// Dialling is over: `OK` for a dial string ending in `;`, else the calling modem.
    pub(super) fn dialled(&mut self, to_command: bool, watch: Option<bool>) {
        self.hayes.event(LineEvent::Dialled);
        if to_command {
            self.stage = Stage::OffHook;
        } else {
            self.start_modem(Role::Call);
            self.watch_progress = watch;
            self.dialer.progress.reset();
        }
    }

    pub(super) fn start_modem(&mut self, role: Role) {
        let config = modem_config(self.hayes.profile(), role, self.config.level_dbm0);
        let who = match role {
            Role::Call => "caller",
            Role::Answer => "answerer",
        };
        self.note(format!("Modem: {} start-up as {who}", config.family.title()));
        let p = self.hayes.profile();
        let link = LinkConfig { error_control: p.error_control, compression: p.compression, detection: true };
        self.closing = None;
        self.modem = Some(Link::new(config, link));
        self.counts = super::CallCounts::default();
        self.stage = Stage::Modem;
        self.watch_progress = None;
        self.rx_rate = 0;
        self.tx_rate = 0;
        self.carry_start = 0;
        self.carry_end = 0;
    }

    pub(super) fn phone_in_call(&self) -> bool {
        self.phone.as_ref().is_some_and(|p| {
            matches!(
                p.phase(),
                control::Phase::Dialing
                    | control::Phase::Alerting
                    | control::Phase::Active
                    | control::Phase::Ringing
                    | control::Phase::Answering
            )
        })
    }

    /// Stops everything of the call: modem, dialling, the phone's call. The interpreter is told
    /// separately.
    pub(super) fn hang_up_all(&mut self) {
        self.quality_check_at = None;
        if self.counts.connected_at.is_some() && self.counts.ended_at.is_none() {
            self.counts.ended_at = Some(self.now);
        }
        if let Some(mut m) = self.modem.take() {
            if m.state() != modem::State::Idle {
                self.note("Modem: stopped".into());
            }
            // With V.42 up, DISC first (V.42 7.7): the far modem then knows the call is over at
            // once. The link runs on its own until that is done.
            if m.release() {
                self.note("V.42: releasing the link".into());
                self.closing = Some(m);
            }
        }
        self.dialer.stop();
        self.watch_progress = None;
        if self.stage != Stage::OnHook && self.phone_call_ours && self.phone_in_call() {
            if let Some(p) = self.phone.as_mut() {
                if p.hang_up().is_ok() {
                    self.note("Phone: hanging up".into());
                }
            }
        }
        self.phone_call_ours = false;
        self.stage = Stage::OnHook;
        self.carry_start = 0;
        self.carry_end = 0;
    }

    /// The call is over: everything stops and the interpreter gets `e`.
    pub(super) fn end_call(&mut self, e: LineEvent) {
        self.hang_up_all();
        self.hayes.event(e);
    }

    pub(super) fn on_phone_event(&mut self, e: PhoneEvent) {
        match e {
            PhoneEvent::Ready => {
                self.note("Phone: ready".into());
            }
            PhoneEvent::Unavailable { reason } => {
                let why = if self.port_lost { "serial port closed".into() } else { describe(&reason) };
                self.note(format!("Phone: unavailable ({why})"));
                if matches!(self.stage, Stage::PhoneWait { .. } | Stage::PhoneDialing { .. } | Stage::PhoneAnswering) {
                    self.end_call(LineEvent::Error);
                }
                if self.stage != Stage::Modem {
                    self.phone_call_ours = false;
                }
            }
            PhoneEvent::Incoming { number } => match number {
                Some(n) if !n.is_empty() => self.note(format!("Phone: incoming call from {n}")),
                _ => self.note("Phone: incoming call".into()),
            },
            PhoneEvent::Dialing => {
                self.note("Phone: dialling".into());
                if let Stage::PhoneDialing { to_command: false, dialled } = &mut self.stage {
                    if !*dialled {
                        *dialled = true;
                        self.hayes.event(LineEvent::Dialled);
                    }
                }
            }
            PhoneEvent::Alerting => {
                self.note("Phone: alerting".into());
                if let Stage::PhoneDialing { to_command: true, .. } = self.stage {
                    self.dialled(true, None);
                }
            }
            PhoneEvent::Active => {
                self.note("Phone: call active".into());
                match self.stage {
                    Stage::PhoneDialing { to_command: true, .. } => self.dialled(true, None),
                    // The interpreter has had Dialled already (at PhoneEvent::Dialing).
                    Stage::PhoneDialing { to_command: false, dialled: true } => self.start_modem(Role::Call),
                    Stage::PhoneDialing { to_command: false, dialled: false } => self.dialled(false, None),
                    Stage::PhoneAnswering => self.start_modem(Role::Answer),
                    _ => {}
                }
            }
            PhoneEvent::Ended { reason } => {
                self.note(format!("Phone: call ended ({})", describe(&reason)));
                if !self.phone_call_ours {
                    return;
                }
                self.phone_call_ours = false;
                match self.stage {
                    Stage::OnHook | Stage::PhoneWait { .. } => {}
                    // The serial link is lost, not necessarily the call: the modem's carrier decides.
                    Stage::Modem if reason == EndReason::Unresponsive => {}
                    _ => {
                        let e = match self.hayes.state() {
                            State::Dialing | State::Connecting => line_event(&reason),
                            _ => LineEvent::NoCarrier,
                        };
                        self.end_call(e);
                    }
                }
            }
        }
    }

    pub(super) fn on_link_note(&mut self, n: Note) {
        self.note(n.to_string());
    }

    pub(super) fn on_modem_event(&mut self, e: ModemEvent) {
        match e {
            ModemEvent::Connected { rx_rate, tx_rate } => {
                if !rates_allowed(&self.hayes.modulation(), rx_rate, tx_rate) {
                    self.note(format!("Modem: {rx_rate}/{tx_rate} bit/s is outside the +MS rates; hanging up"));
                    self.end_call(LineEvent::NoCarrier);
                    return;
                }
                self.rx_rate = rx_rate;
                self.tx_rate = tx_rate;
                self.counts.connected_at.get_or_insert(self.now);
                self.quality_check_at = (rx_rate == 2400).then_some(self.now + Duration::from_secs(3));
                self.note(if rx_rate == tx_rate {
                    format!("Connected {rx_rate}")
                } else {
                    format!("Connected {rx_rate}/{tx_rate}")
                });
                let protocol = self.modem.as_ref().map_or(Protocol::None, |m| m.protocol());
                self.hayes.event(LineEvent::Protocol { words: protocol.words() });
                self.hayes.event(LineEvent::Connected { rate: rx_rate });
            }
            ModemEvent::Retrained { rate } => {
                self.rx_rate = rate;
                self.tx_rate = rate;
                self.note(format!("Modem: retrained, {rate} bit/s"));
                self.hayes.event(LineEvent::Connected { rate });
            }
            ModemEvent::NoCarrier => {
                self.note("Modem: carrier lost".into());
                self.end_call(LineEvent::NoCarrier);
            }
            ModemEvent::Break => self.note("Modem: break received".into()),
            ModemEvent::Retrain => {
                self.counts.retrains += 1;
                self.note("Modem: retraining".into());
            }
            ModemEvent::TooPoorFor2400 { snr_db } => {
                self.note(format!("Modem: line too poor for 2400 bit/s (SNR {snr_db} dB): going on at 1200"))
            }
            ModemEvent::LineTooPoor { rate, snr_db } => self.note(format!(
                "Modem: line too poor for {rate} bit/s (SNR {snr_db} dB): giving up the connection{}",
                if rate == 2400 { "; AT+MS=V22B,1,0,1200 would connect at 1200" } else { "" }
            )),
            // Start-up progress: only logged ("Modem: answer tone", "Modem: detected V.22bis").
            ModemEvent::Progress(p) => self.note(match p {
                Progress::AnswerTone => "Modem: answer tone".to_string(),
                Progress::Offering(m) => format!("Modem: offering {}", m.title()),
                Progress::Detected(m) => format!("Modem: the far modem is {}", m.title()),
                Progress::V8(m) => format!("Modem: V.8 chose {}", m.title()),
            }),
        }
    }
}
