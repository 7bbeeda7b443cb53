//! Option negotiation by the Q method of RFC 1143, for one side of one option.
//!
//! Each option has two sides: whether the far end performs it ("him": we send DO/DONT, it
//! answers WILL/WONT) and whether we do ("us": we send WILL/WONT, it answers DO/DONT). The two
//! follow the same rules with the commands swapped, so one [`Side`] serves both, speaking of the
//! *positive* command (DO or WILL) and the *negative* one (DONT or WONT). The states and the
//! queue bit are RFC 1143's; they answer a request only when the state changes, which is what
//! keeps two ends from negotiating in a loop.

/// RFC 1143's four states of one side of an option.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Q {
    /// Disabled.
    #[default]
    No,
    /// Enabled.
    Yes,
    /// We asked to disable it and wait for the answer.
    WantNo,
    /// We asked to enable it and wait for the answer.
    WantYes,
}

/// Why a request for an option was not sent (RFC 1143's "errors" of a user request).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestError {
    /// It is already in the state asked for.
    Already,
    /// A request the same way is already waiting for its answer.
    Negotiating,
    /// The opposite request is already queued behind the one waiting.
    Queued,
}

/// What handling a command or a request calls for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Outcome {
    /// A command to send: `Some(true)` the positive one (DO, WILL), `Some(false)` the negative.
    pub send: Option<bool>,
    /// The far end broke the protocol (RFC 1143: a DONT answered by WILL, and so on).
    pub error: bool,
}

/// One side of one option: its state and the queue bit ("OPPOSITE" when set).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Side {
    /// The state.
    pub state: Q,
    /// RFC 1143's queue: the opposite of the request under way has been asked for.
    pub opposite: bool,
}

impl Side {
    /// True when enabled.
    pub fn enabled(&self) -> bool {
        self.state == Q::Yes
    }

    /// The far end sent the positive command (WILL for him, DO for us); `agree` says whether we
    /// accept the option enabled.
    pub fn positive(&mut self, agree: bool) -> Outcome {
        let mut o = Outcome::default();
        match (self.state, self.opposite) {
            (Q::No, _) => {
                if agree {
                    self.state = Q::Yes;
                }
                o.send = Some(agree);
            }
            (Q::Yes, _) => {}
            (Q::WantNo, false) => {
                // "DONT answered by WILL."
                o.error = true;
                self.state = Q::No;
            }
            (Q::WantNo, true) => {
                o.error = true;
                self.state = Q::Yes;
                self.opposite = false;
            }
            (Q::WantYes, false) => self.state = Q::Yes,
            (Q::WantYes, true) => {
                self.state = Q::WantNo;
                self.opposite = false;
                o.send = Some(false);
            }
        }
        o
    }

    /// The far end sent the negative command (WONT for him, DONT for us).
    pub fn negative(&mut self) -> Outcome {
        let mut o = Outcome::default();
        match (self.state, self.opposite) {
            (Q::No, _) => {}
            (Q::Yes, _) => {
                self.state = Q::No;
                o.send = Some(false);
            }
            (Q::WantNo, false) => self.state = Q::No,
            (Q::WantNo, true) => {
                self.state = Q::WantYes;
                self.opposite = false;
                o.send = Some(true);
            }
            (Q::WantYes, _) => {
                self.state = Q::No;
                self.opposite = false;
            }
        }
        o
    }

    /// We want the option enabled (`true`) or disabled.
    pub fn request(&mut self, enable: bool) -> Result<Outcome, RequestError> {
        let mut o = Outcome::default();
        let (toward, away) = if enable { (Q::WantYes, Q::WantNo) } else { (Q::WantNo, Q::WantYes) };
        let done = if enable { Q::Yes } else { Q::No };
        let start = if enable { Q::No } else { Q::Yes };
        match (self.state, self.opposite) {
            (s, _) if s == done => return Err(RequestError::Already),
            (s, _) if s == start => {
                self.state = toward;
                o.send = Some(enable);
            }
            (s, false) if s == away => self.opposite = true,
            (s, true) if s == away => return Err(RequestError::Queued),
            (s, false) if s == toward => return Err(RequestError::Negotiating),
            // Toward it with the opposite queued: drop the queued request.
            _ => self.opposite = false,
        }
        Ok(o)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn side(state: Q, opposite: bool) -> Side {
        Side { state, opposite }
    }

    #[test]
    fn positive_command_in_every_state() {
        // (state, queue, agree) -> (state, queue, send, error), RFC 1143's table for WILL.
        let cases = [
            (side(Q::No, false), true, side(Q::Yes, false), Some(true), false),
            (side(Q::No, false), false, side(Q::No, false), Some(false), false),
            (side(Q::Yes, false), true, side(Q::Yes, false), None, false),
            (side(Q::WantNo, false), true, side(Q::No, false), None, true),
            (side(Q::WantNo, true), true, side(Q::Yes, false), None, true),
            (side(Q::WantYes, false), true, side(Q::Yes, false), None, false),
            (side(Q::WantYes, true), true, side(Q::WantNo, false), Some(false), false),
        ];
        for (mut s, agree, want, send, error) in cases {
            let before = s;
            let o = s.positive(agree);
            assert_eq!((s, o), (want, Outcome { send, error }), "{before:?} agree {agree}");
        }
    }

    #[test]
    fn negative_command_in_every_state() {
        let cases = [
            (side(Q::No, false), side(Q::No, false), None),
            (side(Q::Yes, false), side(Q::No, false), Some(false)),
            (side(Q::WantNo, false), side(Q::No, false), None),
            (side(Q::WantNo, true), side(Q::WantYes, false), Some(true)),
            (side(Q::WantYes, false), side(Q::No, false), None),
            (side(Q::WantYes, true), side(Q::No, false), None),
        ];
        for (mut s, want, send) in cases {
            let before = s;
            let o = s.negative();
            assert_eq!((s, o), (want, Outcome { send, error: false }), "{before:?}");
        }
    }

    #[test]
    fn requests_in_every_state() {
        use RequestError::*;
        let ok = |s: Side, send| Ok::<_, RequestError>((s, Outcome { send, error: false }));
        let enable = [
            (side(Q::No, false), ok(side(Q::WantYes, false), Some(true))),
            (side(Q::Yes, false), Err(Already)),
            (side(Q::WantNo, false), ok(side(Q::WantNo, true), None)),
            (side(Q::WantNo, true), Err(Queued)),
            (side(Q::WantYes, false), Err(Negotiating)),
            (side(Q::WantYes, true), ok(side(Q::WantYes, false), None)),
        ];
        for (mut s, want) in enable {
            let before = s;
            assert_eq!(s.request(true).map(|o| (s, o)), want, "enable from {before:?}");
        }
        let disable = [
            (side(Q::No, false), Err(Already)),
            (side(Q::Yes, false), ok(side(Q::WantNo, false), Some(false))),
            (side(Q::WantNo, false), Err(Negotiating)),
            (side(Q::WantNo, true), ok(side(Q::WantNo, false), None)),
            (side(Q::WantYes, false), ok(side(Q::WantYes, true), None)),
            (side(Q::WantYes, true), Err(Queued)),
        ];
        for (mut s, want) in disable {
            let before = s;
            assert_eq!(s.request(false).map(|o| (s, o)), want, "disable from {before:?}");
        }
    }
}
