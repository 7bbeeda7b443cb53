//! In data mode: retrains, and the quality policy.

use super::*;

impl Pump {
    /// In V.22bis data mode: answer the far end's S1 with a retrain, and start one when the
    /// line has been poor for a while or the carrier came back after a loss.
    pub(super) fn watch_quality(&mut self) {
        if self.heard_s1() {
            self.begin_retrain(false);
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
        let snr = self.rx.snr_db();
        self.good = if snr >= self.config.retrain_below_db + 3.0 { self.good + 40 } else { 0 };
        if self.good >= GOOD_TIME {
            self.quality_retrain = true;
        }
        self.poor = if snr < self.config.retrain_below_db { self.poor + 40 } else { 0 };
        if self.poor >= POOR_TIME && self.quality_retrain {
            // Spent on poor quality: the next one waits for good quality first.
            self.quality_retrain = false;
            self.begin_retrain(true);
        }
    }
}
