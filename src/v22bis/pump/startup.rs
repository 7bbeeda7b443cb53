//! The start-up's steps in V.22bis order (V.22bis section 6.3), with the fall-back to V.22.

use super::*;

impl Pump {
    /// Timers and what was heard move the start-up on.
    pub(super) fn advance_step(&mut self) {
        let bis_ok = self.config.v22bis;
        match self.step {
            Step::AnswerSilence => {
                if self.timer >= ANSWER_SILENCE {
                    self.set_step(Step::AnswerOnes);
                }
            }
            Step::AnswerOnes => {
                if bis_ok && self.heard_s1() {
                    self.bis = true;
                    self.set_step(Step::SendS1);
                } else if self.scrambled_run >= HEAR_SCRAMBLED {
                    // A V.22 caller (or a V.22bis caller that found us V.22): 1200 bit/s.
                    self.set_step(Step::V22Hold);
                }
            }
            Step::CallWaitOnes => {
                if self.ones_run >= HEAR_ONES {
                    // A Bell 212A answerer's 2225 Hz tone looks like unscrambled ones 25 Hz low:
                    // the carrier loop follows it there, and would take a while to come back
                    // when the answerer's real DPSK starts. Start the receiver afresh then.
                    self.tone_answer = self.rx.freq_offset_hz().abs() > TONE_OFFSET_HZ;
                    self.set_step(Step::CallPause);
                }
            }
            Step::CallPause => {
                if self.timer >= CALL_PAUSE {
                    self.set_step(if bis_ok { Step::SendS1 } else { Step::Ones1200 });
                }
            }
            Step::SendS1 => {
                if self.config.role == Role::Call && self.heard_s1() {
                    self.bis = true;
                }
                if self.timer >= S1_TIME {
                    self.set_step(Step::Ones1200);
                }
            }
            Step::Ones1200 => {
                if self.tone_answer && self.varied.count_ones() >= 8 {
                    self.tone_answer = false;
                    self.rx.restart();
                }
                if self.heard_s1() && bis_ok {
                    self.bis = true;
                }
                let train = if self.config.role == Role::Call { CALL_TRAIN - S1_TIME } else { ANSWER_TRAIN };
                if self.bis {
                    // Train; tell the receiver to follow the far end to 2400 near its switch.
                    if self.rx.rate().is_none() && self.timer >= train / 3 {
                        self.rx.set_rate(Rate::R1200);
                    }
                    if self.rx.rate() == Some(Rate::R1200) && self.timer >= train * 2 / 3 {
                        self.rx.watch_for_2400();
                    }
                    if self.timer >= train {
                        self.set_step(Step::Ones2400);
                    }
                } else if self.config.role == Role::Call && self.scrambled_run >= HEAR_SCRAMBLED {
                    // The answerer sent no S1: it is a V.22 modem.
                    self.set_step(Step::V22Hold);
                    self.timer = self.scrambled_run.saturating_sub(HEAR_SCRAMBLED);
                } else if self.timer >= STEP_TIMEOUT {
                    self.restart();
                }
            }
            Step::V22Hold => {
                if self.rx.rate().is_none() {
                    self.rx.set_rate(Rate::R1200);
                }
                if self.timer >= V22_HOLD {
                    self.set_step(Step::Data(Rate::R1200));
                }
            }
            Step::Ones2400 => {
                if self.timer >= ONES_2400 {
                    self.set_step(Step::Data(Rate::R2400));
                }
            }
            Step::Data(rate) => {
                if rate == Rate::R2400 {
                    self.watch_quality();
                }
            }
            Step::Stopped => {}
        }
    }

    /// Back to the beginning of the start-up.
    pub(super) fn restart(&mut self) {
        self.drop_held();
        self.tone_answer = false;
        self.quality_retrain = true;
        self.bis = false;
        self.rx_data = false;
        self.retraining = false;
        self.rx.restart();
        let step = match self.config.role {
            Role::Call => Step::CallWaitOnes,
            Role::Answer => Step::AnswerSilence,
        };
        self.set_step(step);
    }
}
