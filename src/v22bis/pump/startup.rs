//! The start-up's steps in V.22bis order (V.22bis section 6.3), with the fall-back to V.22.

use super::*;
use crate::v22bis::quality;

/// Judges the line during the start-up by the spread of the turn from one symbol to the next
/// (the differential phase): at 1200 bit/s every symbol sits at the same distance from the centre
/// and turns by a whole number of quarters, so what is left over is noise and distortion. Unlike
/// the decision error it needs no carrier loop locked yet, and a frequency offset (a steady extra
/// turn) is taken out as the spread's mean. In white noise its SNR equals the decision error's
/// (both Es/N0 for the four points); through a speech codec random symbols show the distortion
/// that steady signals (S1, unscrambled ones) pass unharmed.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct LineJudge {
    sum: f32,
    sum_sq: f32,
    n: u32,
    prev: Option<Complex>,
}

impl LineJudge {
    /// Starts afresh.
    pub(super) fn clear(&mut self) {
        *self = LineJudge::default();
    }

    /// Takes a symbol (`counts`: whether it is one of those the line is judged by).
    pub(super) fn hear(&mut self, point: Complex, counts: bool) {
        if let Some(prev) = self.prev.filter(|_| counts) {
            let d = point * prev.conj();
            if d.norm_sqr() > 0.0 && d.re.is_finite() && d.im.is_finite() {
                let quarter = core::f32::consts::FRAC_PI_2;
                let a = d.im.atan2(d.re);
                let dev = a - (a / quarter).round() * quarter;
                self.sum += dev;
                self.sum_sq += dev * dev;
                self.n += 1;
            }
        }
        self.prev = Some(point);
    }

    /// Symbols judged so far.
    pub(super) fn symbols(&self) -> u32 {
        self.n
    }

    /// The SNR per symbol the spread stands for, dB (minus infinity before any symbol).
    pub(super) fn snr_db(&self) -> f32 {
        if self.n == 0 {
            return f32::NEG_INFINITY;
        }
        let mean = self.sum / self.n as f32;
        let var = (self.sum_sq / self.n as f32 - mean * mean).max(1e-9);
        -10.0 * var.log10()
    }
}

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
                if bis_ok && self.may_2400 && self.heard_s1() {
                    self.judge.clear();
                    self.set_step(Step::AnswerJudge);
                } else if self.scrambled_run >= HEAR_SCRAMBLED {
                    // A V.22 caller (or a V.22bis caller that found us V.22): 1200 bit/s.
                    self.set_step(Step::V22Hold);
                }
            }
            Step::AnswerJudge => {
                // After its S1 the caller sends scrambled ones at 1200 bit/s: random symbols,
                // which show what the line does to data (a speech codec passes steady tones such
                // as S1 and unscrambled ones nearly untouched, and garbles data).
                if self.judge.symbols() >= JUDGE_SYMBOLS || self.timer >= JUDGE_TIMEOUT {
                    if self.judge.snr_db() >= self.config.start_2400_db {
                        self.bis = true;
                        self.set_step(Step::SendS1);
                    } else if self.retraining {
                        // The caller asked for a retrain, and the line is too poor for 2400
                        // bit/s: start again for 1200 instead.
                        self.report_too_poor();
                        self.fall_back();
                    } else {
                        // Too poor for 2400 bit/s: answer as a V.22 modem, by not answering S1.
                        self.may_2400 = false;
                        self.report_too_poor();
                        self.set_step(Step::AnswerOnes);
                    }
                }
            }
            Step::CallWaitOnes if self.falling_back && self.retrain_time >= RESTART_WAIT => {
                // The answerer has not started again for 1200 bit/s: it hung up, or does not
                // restart when the caller's signal goes. Nothing more can be done.
                self.give_up(Rate::R2400);
                self.set_step(Step::Stopped);
            }
            Step::CallWaitOnes => {
                if self.ones_run >= HEAR_ONES {
                    // A Bell 212A answerer's 2225 Hz tone looks like unscrambled ones 25 Hz low:
                    // the carrier loop follows it there, and would take a while to come back
                    // when the answerer's real DPSK starts. Start the receiver afresh then.
                    self.tone_answer = self.rx.freq_offset_hz().abs() > TONE_OFFSET_HZ;
                    self.judge.clear();
                    self.set_step(Step::CallPause);
                }
            }
            Step::CallPause => {
                if self.timer >= CALL_PAUSE {
                    // The answerer's unscrambled ones show the line's noise: too much for 2400
                    // bit/s, and the caller sends no S1 (a V.22 caller, to the answerer).
                    let snr = self.judge.snr_db();
                    if quality::ber_for_snr(Rate::R1200, snr as f64) > HOPELESS_BER_1200 {
                        // Too poor even for 1200 bit/s: most of what came through would be
                        // garbage. Say so and go no further.
                        self.push_event(PumpEvent::Hopeless { rate: 1200, snr_db: snr.round() as i32 });
                        self.hopeless = true;
                        self.set_step(Step::Stopped);
                        return;
                    }
                    let was = self.may_2400;
                    self.may_2400 = was && snr >= self.config.start_2400_db;
                    if bis_ok && was && !self.may_2400 {
                        self.report_too_poor();
                    }
                    if bis_ok && self.may_2400 {
                        // The answerer's own scrambled ones after its S1 will show what the line
                        // does to data, which its unscrambled ones did not.
                        self.judge.clear();
                        self.s1_judge = Some(false);
                        self.set_step(Step::SendS1);
                    } else {
                        self.set_step(Step::Ones1200);
                    }
                }
            }
            Step::SendS1 | Step::Ones1200 | Step::Ones2400 if self.caller_stopped() => self.fall_back(),
            Step::SendS1 => {
                if self.config.role == Role::Call && self.heard_s1() {
                    self.far_s1 = true;
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
                if self.heard_s1() && !self.far_s1 {
                    self.far_s1 = true;
                    if self.config.role == Role::Call && self.timer > S1_TIME {
                        // The answerer's S1 came late (it judged the line first): train from it.
                        self.timer = 0;
                    }
                }
                if self.far_s1 && bis_ok && self.may_2400 {
                    self.bis = true;
                }
                if self.retraining && self.answerer_restarted() {
                    self.follow_fall_back();
                    return;
                }
                if self.s1_judge == Some(true) && self.judge.symbols() >= JUDGE_SYMBOLS {
                    self.s1_judge = None;
                    if self.judge.snr_db() < self.config.start_2400_db {
                        // The far modem's scrambled ones after its S1 show the line too poor for
                        // 2400 bit/s: start again for 1200 at once, rather than connect (or go
                        // back to data) at 2400 and garble data until the quality policy acts.
                        self.report_too_poor();
                        self.fall_back();
                        return;
                    }
                }
                let train = if self.config.role == Role::Call { CALL_TRAIN - S1_TIME } else { ANSWER_TRAIN };
                if self.bis && (self.far_s1 || !self.retraining) {
                    // Train; tell the receiver to follow the far end to 2400 near its switch. (A
                    // retrain goes on to 2400 bit/s only once the far modem has answered it.)
                    if self.rx.rate().is_none() && self.timer >= train / 3 {
                        self.rx.set_rate(Rate::R1200);
                    }
                    if self.rx.rate() == Some(Rate::R1200) && self.timer >= train * 2 / 3 {
                        self.rx.watch_for_2400();
                    }
                    if self.timer >= train {
                        self.set_step(Step::Ones2400);
                    }
                } else if self.config.role == Role::Call
                    && self.scrambled_run >= HEAR_SCRAMBLED
                    && self.listening.is_none()
                {
                    // The answerer sent no S1: it is a V.22 modem.
                    self.set_step(Step::V22Hold);
                    self.timer = self.scrambled_run.saturating_sub(HEAR_SCRAMBLED);
                } else if self.timer >= STEP_TIMEOUT && self.falling_back && self.config.role == Role::Call {
                    // Started again for 1200 bit/s, and the answerer's scrambled ones were never
                    // heard well enough to recognise: the line is too poor for 1200 as well.
                    self.give_up(Rate::R1200);
                    self.set_step(Step::Stopped);
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
            Step::Data(rate) => self.watch_quality(rate),
            Step::FallbackSilence => {
                if self.timer >= FALLBACK_SILENCE {
                    self.judge.clear();
                    self.set_step(match self.config.role {
                        Role::Answer => Step::AnswerOnes,
                        Role::Call => Step::CallWaitOnes,
                    });
                }
            }
            Step::Stopped => {}
        }
    }

    /// Back to the beginning of the start-up.
    fn report_too_poor(&mut self) {
        let snr = self.judge.snr_db();
        let snr_db = if snr.is_finite() { snr.round() as i32 } else { -99 };
        self.push_event(PumpEvent::TooPoorFor2400 { snr_db });
    }

    /// Starts the start-up again for 1200 bit/s (V.22bis has no other way to change the rate),
    /// after a silence the far modem notices.
    /// - The answerer then sends unscrambled ones again: a caller hearing them in data mode or a
    ///   retrain starts again too (see [`Pump::answerer_restarted`]), and sends no S1.
    /// - The caller waits for that: an answerer that starts again when the caller's signal goes
    ///   (ours after answering S1, see [`Pump::caller_stopped`]; spandsp's whenever it loses the
    ///   carrier) sends unscrambled ones again, and the caller answers them without S1. One that
    ///   does not has hung up, or never will: after [`RESTART_WAIT`] the caller gives up.
    pub(super) fn fall_back(&mut self) {
        self.s1_judge = None;
        self.drop_held();
        self.rx_data = false;
        self.retraining = false;
        self.falling_back = true;
        self.retrain_time = 0;
        self.may_2400 = false;
        self.bis = false;
        self.rx.restart();
        self.set_step(Step::FallbackSilence);
    }

    /// Answerer, after answering the caller's S1 (in the start-up or a retrain): the caller's
    /// signal has gone quiet. It is starting again for 1200 bit/s (see [`Pump::fall_back`]), or
    /// has gone; either way, start again too.
    pub(super) fn caller_stopped(&self) -> bool {
        let answered = !self.retraining || self.retrain_answered;
        let quiet = !self.rx.carrier() || self.faint.count_ones() >= QUIET_SYMBOLS;
        self.config.role == Role::Answer && self.bis && answered && quiet
    }

    /// Caller: the answerer has started the start-up again (its unscrambled ones in data mode):
    /// go along, for 1200 bit/s.
    pub(super) fn follow_fall_back(&mut self) {
        self.drop_held();
        self.rx_data = false;
        self.retraining = false;
        self.falling_back = true;
        self.retrain_time = 0;
        self.may_2400 = false;
        self.bis = false;
        self.judge.clear();
        // The answerer's ones and then its scrambled ones come at 1200 bit/s.
        self.rx.restart();
        self.set_step(Step::CallPause);
    }

    /// Caller: the answerer's unscrambled ones again, in data mode or a retrain: it has started
    /// the start-up again (the Bell tone, which turns 15 degrees less a symbol, does not count).
    pub(super) fn answerer_restarted(&self) -> bool {
        self.config.role == Role::Call && self.ones_run >= HEAR_ONES && self.turn_bias.abs() < TURN_BIAS_ONES
    }

    pub(super) fn restart(&mut self) {
        self.s1_judge = None;
        self.may_2400 = true;
        self.falling_back = false;
        self.discard_held();
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
