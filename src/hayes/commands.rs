//! Executing the commands of a line: the basic commands (`D`, `A`, `H`, `O`, `Z`, `E`, `Q`, `V`,
//! `X`, `I`, `S`), the `&` commands and the extended `+` commands.

use super::*;
use crate::link::ErrorControl;

impl Hayes {
    pub(super) fn run(&mut self, c: Command) -> Step {
        match c {
            Command::Basic { name, amp: false, value } => self.basic(name, value),
            Command::Basic { name, amp: true, value } => self.ampersand(name, value),
            Command::Prefixed { prefix, name, value } => self.prefixed(prefix, name, value),
            Command::SetRegister { reg, value } => {
                if self.profile.regs.set(reg, value) {
                    Step::Next
                } else {
                    Step::Error
                }
            }
            Command::ReadRegister { reg } => match self.profile.regs.get(reg) {
                Some(v) => {
                    self.info(&format!("{v:03}"));
                    Step::Next
                }
                None => Step::Error,
            },
            Command::Dial(d) => self.dial(d),
            Command::Extended { name, op } => self.extended(&name, op),
        }
    }

    pub(super) fn basic(&mut self, name: u8, value: Option<u32>) -> Step {
        let v = value.unwrap_or(0);
        let flag = |v: u32| (v <= 1).then_some(v == 1);
        let p = &mut self.profile;
        match name {
            b'A' if value.is_none() => {
                if self.connected() {
                    return Step::Error;
                }
                self.holdoff = ABORT_HOLDOFF;
                self.answer();
                Step::Done
            }
            b'E' => flag(v).map_or(Step::Error, |f| {
                p.echo = f;
                Step::Next
            }),
            b'Q' => flag(v).map_or(Step::Error, |f| {
                p.quiet = f;
                Step::Next
            }),
            b'V' => flag(v).map_or(Step::Error, |f| {
                p.verbose = f;
                Step::Next
            }),
            b'W' if v <= 2 => {
                p.protocol_report = v as u8;
                Step::Next
            }
            b'X' if v <= 4 => {
                p.level = ResultLevel(v as u8);
                Step::Next
            }
            b'L' if v <= 3 => {
                p.speaker_volume = v as u8;
                Step::Next
            }
            b'M' if v <= 3 => {
                p.speaker_mode = v as u8;
                Step::Next
            }
            b'T' | b'P' if value.is_none() => {
                p.tone = name == b'T';
                Step::Next
            }
            b'H' if v == 0 => {
                if self.off_hook || self.connected() {
                    self.hang_up();
                }
                Step::Next
            }
            b'I' if v <= 9 => {
                self.info(IDENTIFICATION[v as usize]);
                Step::Next
            }
            b'O' if v <= 1 => {
                if self.state == State::OnlineCommand {
                    self.push_action(Action::GoOnline { retrain: v == 1 });
                    self.state = State::Online;
                    self.since_input = Duration::ZERO;
                    self.esc = 0;
                    self.result(ResultCode::Connect((self.rate > 0).then_some(self.rate)));
                    self.drain_held();
                } else {
                    self.result(ResultCode::NoCarrier);
                }
                Step::Done
            }
            b'Z' if v <= 1 => {
                if self.off_hook || self.connected() {
                    self.hang_up();
                }
                self.profile = self.stored;
                self.profile.regs.set(1, 0);
                self.push_action(Action::Reset);
                // V.250 6.1.1: OK in the format of the restored profile; the rest of the line is
                // not executed.
                self.result(ResultCode::Ok);
                Step::Done
            }
            _ => Step::Error,
        }
    }

    pub(super) fn ampersand(&mut self, name: u8, value: Option<u32>) -> Step {
        let v = value.unwrap_or(0);
        let p = &mut self.profile;
        match name {
            b'C' if v <= 1 => p.dcd = v as u8,
            b'D' if v <= 3 => p.dtr = v as u8,
            b'K' if v <= 6 => p.flow = v as u8,
            b'F' if v == 0 => {
                *p = Profile::default();
                self.push_action(Action::Reset);
            }
            b'W' if v == 0 => self.stored = self.profile,
            // &Q0 and &Q6: asynchronous (buffered), no error control; &Q5: error control.
            b'Q' if v == 0 || v == 6 => p.error_control = ErrorControl::Off,
            b'Q' if v == 5 => p.error_control = ErrorControl::Auto,
            _ => return Step::Error,
        }
        Step::Next
    }

    /// `\\N` (error control: 0 and 1 none, 2 and 4 V.42 required, 3 V.42 with fall-back; 5, MNP
    /// only, is not available) and `%C` (0 no compression, 1 to 3 V.42bis).
    pub(super) fn prefixed(&mut self, prefix: u8, name: u8, value: Option<u32>) -> Step {
        let v = value.unwrap_or(0);
        let p = &mut self.profile;
        match (prefix, name) {
            (b'\\', b'N') if v <= 1 => p.error_control = ErrorControl::Off,
            (b'\\', b'N') if v == 2 || v == 4 => p.error_control = ErrorControl::Required,
            (b'\\', b'N') if v == 3 => p.error_control = ErrorControl::Auto,
            (b'%', b'C') if v <= 3 => p.compression = v != 0,
            _ => return Step::Error,
        }
        Step::Next
    }

    pub(super) fn extended(&mut self, name: &str, op: ExtendedOp) -> Step {
        match (name, op) {
            ("MS", ExtendedOp::Set(args)) => match self.profile.modulation.with_args(&parser::split_args(&args)) {
                Some(m) => {
                    self.profile.modulation = m;
                    self.push_action(Action::SetModulations(m));
                    Step::Next
                }
                None => Step::Error,
            },
            // V.250's +DS: V.42bis's direction (0 none, 3 both; 1 and 2 are taken as both), then
            // the negotiation, P1 and P2 (the modem offers 2048 and 32 whatever is asked).
            ("DS", ExtendedOp::Set(args)) => {
                let a = parser::split_args(&args);
                match a.first().map(|d| d.trim().parse::<u8>()) {
                    Some(Ok(d)) if d <= 3 => {
                        self.profile.compression = d != 0;
                        Step::Next
                    }
                    None => Step::Next,
                    _ => Step::Error,
                }
            }
            ("DS", ExtendedOp::Read) => {
                let d = if self.profile.compression { 3 } else { 0 };
                self.info(&format!("+DS: {d},0,2048,32"));
                Step::Next
            }
            ("DS", ExtendedOp::Test) => {
                self.info("+DS: (0-3),(0-1),(512-4096),(6-250)");
                Step::Next
            }
            ("MS", ExtendedOp::Read) => {
                self.info(&self.profile.modulation.report());
                Step::Next
            }
            ("MS", ExtendedOp::Test) => {
                self.info(&Modulation::report_supported());
                Step::Next
            }
            ("GMI", ExtendedOp::Execute) => {
                self.info("softmodem project");
                Step::Next
            }
            ("GMM", ExtendedOp::Execute) => {
                self.info("softmodem");
                Step::Next
            }
            ("GMR", ExtendedOp::Execute) => {
                self.info(env!("CARGO_PKG_VERSION"));
                Step::Next
            }
            ("GCAP", ExtendedOp::Execute) => {
                self.info("+GCAP: +MS");
                Step::Next
            }
            ("GMI" | "GMM" | "GMR" | "GCAP", ExtendedOp::Test) => Step::Next,
            _ => Step::Error,
        }
    }
}
