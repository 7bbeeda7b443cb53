//! Second-order IIR sections (the "Audio EQ Cookbook" designs).

use core::f32::consts::PI;

/// A biquad filter section in direct form I with `f32` state.
#[derive(Debug, Clone)]
pub struct Biquad {
    b0: f32,
    b1: f32,
    b2: f32,
    a1: f32,
    a2: f32,
    x1: f32,
    x2: f32,
    y1: f32,
    y2: f32,
}

impl Biquad {
    fn from_coeffs(b0: f32, b1: f32, b2: f32, a0: f32, a1: f32, a2: f32) -> Self {
        Biquad { b0: b0 / a0, b1: b1 / a0, b2: b2 / a0, a1: a1 / a0, a2: a2 / a0, x1: 0.0, x2: 0.0, y1: 0.0, y2: 0.0 }
    }

    fn w0_alpha(freq: f32, q: f32, sample_rate: f32) -> (f32, f32) {
        let w0 = 2.0 * PI * freq / sample_rate;
        (w0, w0.sin() / (2.0 * q))
    }

    /// Low-pass at `freq` Hz with quality `q` (core::f32::consts::FRAC_1_SQRT_2 for Butterworth).
    pub fn lowpass(freq: f32, q: f32, sample_rate: f32) -> Self {
        let (w0, al) = Self::w0_alpha(freq, q, sample_rate);
        let c = w0.cos();
        Self::from_coeffs((1.0 - c) / 2.0, 1.0 - c, (1.0 - c) / 2.0, 1.0 + al, -2.0 * c, 1.0 - al)
    }

    /// High-pass at `freq` Hz with quality `q`.
    pub fn highpass(freq: f32, q: f32, sample_rate: f32) -> Self {
        let (w0, al) = Self::w0_alpha(freq, q, sample_rate);
        let c = w0.cos();
        Self::from_coeffs((1.0 + c) / 2.0, -(1.0 + c), (1.0 + c) / 2.0, 1.0 + al, -2.0 * c, 1.0 - al)
    }

    /// Band-pass centred on `freq` Hz with 0 dB peak gain and quality `q`.
    pub fn bandpass(freq: f32, q: f32, sample_rate: f32) -> Self {
        let (w0, al) = Self::w0_alpha(freq, q, sample_rate);
        let c = w0.cos();
        Self::from_coeffs(al, 0.0, -al, 1.0 + al, -2.0 * c, 1.0 - al)
    }

    /// Notch at `freq` Hz with quality `q`.
    pub fn notch(freq: f32, q: f32, sample_rate: f32) -> Self {
        let (w0, al) = Self::w0_alpha(freq, q, sample_rate);
        let c = w0.cos();
        Self::from_coeffs(1.0, -2.0 * c, 1.0, 1.0 + al, -2.0 * c, 1.0 - al)
    }

    /// Filters one sample.
    #[inline]
    pub fn process(&mut self, x: f32) -> f32 {
        let y = self.b0 * x + self.b1 * self.x1 + self.b2 * self.x2 - self.a1 * self.y1 - self.a2 * self.y2;
        self.x2 = self.x1;
        self.x1 = x;
        self.y2 = self.y1;
        // Flush denormals so silence costs nothing.
        self.y1 = if y.abs() < 1e-25 { 0.0 } else { y };
        y
    }

    /// Clears the state.
    pub fn reset(&mut self) {
        self.x1 = 0.0;
        self.x2 = 0.0;
        self.y1 = 0.0;
        self.y2 = 0.0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dsp::Nco;

    fn gain(mut f: Biquad, freq: f32) -> f32 {
        let mut nco = Nco::new(freq, 8000.0);
        let mut peak = 0.0f32;
        for i in 0..8000 {
            let y = f.process(nco.next_sin());
            if i > 4000 {
                peak = peak.max(y.abs());
            }
        }
        peak
    }

    #[test]
    fn shapes() {
        assert!((gain(Biquad::lowpass(500.0, core::f32::consts::FRAC_1_SQRT_2, 8000.0), 50.0) - 1.0).abs() < 0.01);
        assert!(
            (gain(Biquad::lowpass(500.0, core::f32::consts::FRAC_1_SQRT_2, 8000.0), 500.0)
                - core::f32::consts::FRAC_1_SQRT_2)
                .abs()
                < 0.01
        );
        assert!(gain(Biquad::lowpass(500.0, core::f32::consts::FRAC_1_SQRT_2, 8000.0), 3000.0) < 0.05);
        assert!(gain(Biquad::highpass(500.0, core::f32::consts::FRAC_1_SQRT_2, 8000.0), 50.0) < 0.02);
        assert!((gain(Biquad::bandpass(2100.0, 5.0, 8000.0), 2100.0) - 1.0).abs() < 0.01);
        assert!(gain(Biquad::bandpass(2100.0, 5.0, 8000.0), 1000.0) < 0.2);
        assert!(gain(Biquad::notch(2100.0, 5.0, 8000.0), 2100.0) < 0.01);
    }
}
