//! Executing the commands of a line: the basic commands (`D`, `A`, `H`, `O`, `Z`, `E`, `Q`, `V`,
//! `X`, `I`, `S`), the `&` commands and the extended `+` commands.

use super::*;

impl Hayes {
    pub(super) fn run(&mut self, c: Command) -> Step {
        match c {
            Command::Basic { name, amp: false, value } => self.basic(name, value),
            Command::Basic { name, amp: true, value } => self.ampersand(name, value),
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
