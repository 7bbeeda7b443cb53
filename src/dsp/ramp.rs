//! Click-free switching of a generated signal.

/// Switches a transmitter's output on and off without clicks: the gain rises from 0 to 1 (and
/// falls back) along a raised-cosine ramp of a fixed number of samples.
#[derive(Debug, Clone)]
pub struct OnOffRamp {
    len: u32,
    /// Position on the ramp: 0 silent ..= `len` full level.
    pos: u32,
    on: bool,
}

impl OnOffRamp {
    /// A ramp of `len` samples (at least 1), switched on but still silent: the first samples rise.
    pub fn new(len: u32) -> Self {
        OnOffRamp { len: len.max(1), pos: 0, on: true }
    }

    /// Switches on (the gain rises from where it is) or off (it falls to silence).
    pub fn set_on(&mut self, on: bool) {
        self.on = on;
    }

    /// On at full level at once, with no rise (to carry on a signal already on the line).
    pub fn set_full(&mut self) {
        self.on = true;
        self.pos = self.len;
    }

    /// Switched on (though it may still be rising).
    pub fn is_on(&self) -> bool {
        self.on
    }

    /// Off, and the fall has ended: the output is silence.
    pub fn is_silent(&self) -> bool {
        !self.on && self.pos == 0
    }

    /// The gain for the next sample, or `None` once it is off and silent.
    #[inline]
    pub fn next_gain(&mut self) -> Option<f32> {
        if self.on {
            self.pos = (self.pos + 1).min(self.len);
        } else if self.pos > 0 {
            self.pos -= 1;
        } else {
            return None;
        }
        Some(if self.pos == self.len {
            1.0
        } else {
            0.5 - 0.5 * (core::f32::consts::PI * self.pos as f32 / self.len as f32).cos()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rises_holds_falls_and_falls_silent() {
        let mut r = OnOffRamp::new(4);
        let up: Vec<f32> = (0..6).map(|_| r.next_gain().unwrap()).collect();
        assert!(up.windows(2).all(|w| w[1] >= w[0]), "{up:?}");
        assert!(up[0] > 0.0 && up[0] < 0.5);
        assert_eq!(&up[3..], &[1.0, 1.0, 1.0]);
        r.set_on(false);
        assert!(!r.is_on() && !r.is_silent());
        let down: Vec<Option<f32>> = (0..5).map(|_| r.next_gain()).collect();
        assert_eq!(down[3], Some(0.0));
        assert_eq!(down[4], None);
        assert!(r.is_silent());
        r.set_full();
        assert_eq!(r.next_gain(), Some(1.0));
    }
}
