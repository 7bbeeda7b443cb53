//! In data mode: retrains, and the quality policy.

use super::*;
use crate::v22bis::quality;

impl Pump {
    /// In data mode: follow the far end's retrain or new start-up, retrain when the line has been
    /// poor for a while or the carrier came back after a loss, fall back to 1200 bit/s when 2400
    /// cannot hold, and give up when nothing can.
    pub(super) fn watch_quality(&mut self, rate: Rate) {
        if self.answerer_restarted() {
            // The answerer has started again (unscrambled ones): it found the line too poor for
            // 2400 bit/s.
            self.follow_fall_back();
            return;
        }
        if rate == Rate::R1200 {
            return self.watch_1200();
        }
        if self.heard_s1() {
            if self.config.role == Role::Answer && self.may_2400 {
                // The caller asks for a retrain: judge the line by its scrambled ones first.
                self.retraining = true;
                self.retrain_answered = true;
                self.retrain_time = 0;
                self.release_before_s1();
                self.rx_data = false;
                self.judge.clear();
                self.push_event(PumpEvent::Retrain { initiated: false });
                self.set_step(Step::AnswerJudge);
            } else {
                self.begin_retrain(false);
            }
            return;
        }
        if self.gap_ended {
            // The far signal came back after a dropout: retrain once it is surely the far modem's
            // (not noise or a tone that followed its end).
            if self.since_gap >= 16 && self.supervisor.is_data() {
                self.gap_ended = false;
                self.begin_retrain(true);
                return;
            } else if self.since_gap >= 64 {
                self.gap_ended = false;
            }
        }
        // Only a carrier the supervisor qualifies is worth a retrain: after the far modem has gone,
        // a retrain would only hold the line open. One that was lost (to a long hit, or a line
        // too poor for a while) and has come back calls for one, as the loops may have wandered.
        let carrier = self.rx.carrier() && self.supervisor.qualified();
        if !carrier {
            self.lost_carrier = true;
            self.poor = 0;
            self.good = 0;
            return;
        }
        if self.lost_carrier {
            self.begin_retrain(true);
            return;
        }
        // A retrain for poor quality is allowed once after the start-up, and again only once the
        // quality has been good for a while: a line that is poor all along (a speech codec on
        // the path) gains nothing from retrain after retrain, each of which costs a second of
        // data.
        // (The mean error reacts at once to a line turning poor; the error rate it stands for, see
        // `Receiver::effective_snr_db`, is for judging whether the rate can hold.)
        let snr = self.rx.snr_db();
        if self.timer < SETTLE_TIME {
            // The receiver's figures settle after the start-up or a retrain.
            return;
        }
        self.good = if snr >= self.config.retrain_below_db + 3.0 { self.good + 40 } else { 0 };
        if self.good >= GOOD_TIME {
            self.quality_retrain = true;
        }
        self.poor = if snr < self.config.retrain_below_db { self.poor + 40 } else { 0 };
        if self.poor >= POOR_TIME && self.quality_retrain {
            // Spent on poor quality: the next one waits for good quality first.
            self.quality_retrain = false;
            self.begin_retrain(true);
            return;
        }
        // Still too poor after that retrain: 2400 bit/s cannot hold. Either end starts again for
        // 1200. (Both judged the line by the other's scrambled ones in that retrain, and would
        // have started again then had they found it too poor: a far modem that has not is one
        // that does not judge, such as spandsp's, or one whose direction is better.)
        let ber = quality::ber_estimate(Rate::R2400, self.rx.effective_snr_db(), self.supervisor.is_data());
        // (A moment of better figures takes back as much as it lasted; it does not start again.)
        self.too_poor = if !self.quality_retrain && ber > TOO_POOR_BER_2400 {
            self.too_poor + 40
        } else {
            self.too_poor.saturating_sub(40)
        };
        if self.too_poor >= HOPELESS_TIME {
            self.too_poor = 0;
            self.report_too_poor_now();
            self.fall_back();
        }
    }

    /// At 1200 bit/s: give up when the errors would make much of what arrives garbage. A moment
    /// of better (or no) signal does not start the count again: it only takes back as much.
    fn watch_1200(&mut self) {
        if self.timer < SETTLE_TIME {
            return;
        }
        let snr = self.rx.effective_snr_db();
        let ber = quality::ber_estimate(Rate::R1200, snr, self.supervisor.is_data());
        let qualified = self.rx.carrier() && self.supervisor.qualified();
        let poor = !qualified || (ber > HOPELESS_BER_1200 && !self.protected);
        self.too_poor = if poor { self.too_poor + 40 } else { self.too_poor.saturating_sub(40) };
        if self.too_poor >= HOPELESS_TIME {
            self.give_up(Rate::R1200);
        }
    }

    /// Nothing can hold: say so, and let the link go.
    pub(super) fn give_up(&mut self, rate: Rate) {
        if !self.hopeless {
            self.hopeless = true;
            let snr = self.rx.effective_snr_db();
            let snr_db = if snr.is_finite() { snr.round() as i32 } else { -99 };
            self.push_event(PumpEvent::Hopeless { rate: rate.bps(), snr_db });
            self.rx_data = false;
            self.discard_held();
        }
    }

    /// [`PumpEvent::TooPoorFor2400`] with the receiver's SNR estimate.
    fn report_too_poor_now(&mut self) {
        let snr = self.rx.effective_snr_db();
        let snr_db = if snr.is_finite() { snr.round() as i32 } else { -99 };
        self.push_event(PumpEvent::TooPoorFor2400 { snr_db });
    }
}
