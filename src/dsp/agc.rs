//! Automatic gain control.

/// Scales a signal towards a target RMS level.
///
/// The mean power is followed by a one-pole average: with time constant `attack` while the level
/// rises and `decay` while it falls, both in samples. Both must span several periods of the lowest
/// frequency of interest, and the closer they are the closer the estimate is to the mean power (a
/// short attack against a long decay follows the peaks instead).
#[derive(Debug, Clone)]
pub struct Agc {
    target_power: f32,
    power: f32,
    attack: f32,
    decay: f32,
    max_gain: f32,
    gain: f32,
    frozen: bool,
}

impl Agc {
    /// An AGC that aims for `target_rms`, with time constants (in samples) `attack` when the
    /// level rises and `decay` when it falls, and never more than `max_gain`.
    pub fn new(target_rms: f32, attack: f32, decay: f32, max_gain: f32) -> Self {
        Agc {
            target_power: target_rms * target_rms,
            power: target_rms * target_rms,
            attack: 1.0 / attack.max(1.0),
            decay: 1.0 / decay.max(1.0),
            max_gain,
            gain: 1.0,
            frozen: false,
        }
    }

    /// Scales one sample.
    #[inline]
    pub fn process(&mut self, x: f32) -> f32 {
        if !self.frozen {
            let p = x * x;
            let k = if p > self.power { self.attack } else { self.decay };
            self.power += k * (p - self.power);
            self.gain = (self.target_power / self.power.max(1e-12)).sqrt().min(self.max_gain);
        }
        x * self.gain
    }

    /// The gain applied to the last sample.
    pub fn gain(&self) -> f32 {
        self.gain
    }

    /// Holds the gain fixed at its current value (`freeze(true)`) or lets it track again.
    pub fn freeze(&mut self, frozen: bool) {
        self.frozen = frozen;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dsp::Nco;

    #[test]
    fn brings_quiet_and_loud_signals_to_the_target() {
        for &amp in &[0.01f32, 0.3, 0.9] {
            let mut agc = Agc::new(0.5, 200.0, 200.0, 1000.0);
            let mut nco = Nco::new(1000.0, 8000.0);
            let mut sum = 0.0;
            for i in 0..16000 {
                let y = agc.process(amp * nco.next_sin());
                if i >= 8000 {
                    sum += y * y;
                }
            }
            let rms = (sum / 8000.0f32).sqrt();
            assert!((rms - 0.5).abs() < 0.05, "amp {amp}: rms {rms}");
        }
    }

    #[test]
    fn frozen_gain_holds() {
        let mut agc = Agc::new(0.5, 20.0, 400.0, 100.0);
        for _ in 0..2000 {
            agc.process(0.25);
        }
        let g = agc.gain();
        agc.freeze(true);
        agc.process(0.9);
        assert_eq!(agc.gain(), g);
        agc.freeze(false);
        agc.process(0.9);
        assert!(agc.gain() < g);
    }

    #[test]
    fn gain_is_bounded_in_silence() {
        let mut agc = Agc::new(0.5, 20.0, 400.0, 100.0);
        for _ in 0..10000 {
            agc.process(0.0);
        }
        assert!(agc.gain() <= 100.0);
    }
}
