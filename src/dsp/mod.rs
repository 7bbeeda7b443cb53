//! Small signal-processing objects that compose into modems.
//!
//! Every object here is sans-IO: it takes samples (`f32`, full scale = 1.0) and returns samples
//! or decisions, keeps its own state, and allocates only when it is built. Time is counted in
//! samples; rates are passed in Hz where an object needs them.

pub mod agc;
pub mod biquad;
pub mod bitsync;
pub mod complex;
pub mod fft;
pub mod fir;
pub mod goertzel;
pub mod nco;
pub mod ramp;
pub mod resample;

pub use agc::Agc;
pub use biquad::Biquad;
pub use bitsync::BitSync;
pub use complex::Complex;
pub use fft::{Fft, Spectrum};
pub use fir::Fir;
pub use goertzel::Goertzel;
pub use nco::Nco;
pub use ramp::OnOffRamp;
pub use resample::Resampler;

/// The internal sample rate of every modem in this crate, in Hz.
pub use crate::time::SAMPLE_RATE;

/// Peak amplitude (full scale = 1.0) of a sine wave at 0 dBm0.
///
/// ITU-T G.711 puts 0 dBm0 3.17 dB below the digital full-scale sine.
pub const DBM0_PEAK: f32 = 0.693_425_7; // 10^(-3.17/20)

/// Mean power (full scale = 1.0) of a sine wave at 0 dBm0.
pub const DBM0_POWER: f32 = DBM0_PEAK * DBM0_PEAK / 2.0;

/// Peak amplitude of a sine wave whose level is `dbm0`.
pub fn dbm0_to_peak(dbm0: f32) -> f32 {
    DBM0_PEAK * 10f32.powf(dbm0 / 20.0)
}

/// Level in dBm0 of a signal with mean power `power` (full scale = 1.0). Returns -200 for silence.
pub fn power_to_dbm0(power: f32) -> f32 {
    if power <= 1e-20 {
        -200.0
    } else {
        10.0 * (power / DBM0_POWER).log10()
    }
}

/// Mean power (full scale = 1.0) of a signal whose level is `dbm0`.
pub fn dbm0_to_power(dbm0: f32) -> f32 {
    DBM0_POWER * 10f32.powf(dbm0 / 10.0)
}

/// A sample (full scale = 1.0) as a 16-bit integer, rounded and clipped.
#[inline]
pub fn to_i16(s: f32) -> i16 {
    if !s.is_finite() {
        return 0;
    }
    (s * 32768.0).round().clamp(-32768.0, 32767.0) as i16
}

/// Wraps a phase in cycles into `[-0.5, 0.5)`.
#[inline]
pub fn wrap_half(x: f32) -> f32 {
    x - (x + 0.5).floor()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn level_reference_matches_g711() {
        // -13 dBm0 has an RMS of about 0.11 of full scale.
        let rms = (dbm0_to_power(-13.0)).sqrt();
        assert!((rms - 0.110).abs() < 0.002, "rms {rms}");
        assert!((dbm0_to_peak(0.0) - DBM0_PEAK).abs() < 1e-7);
        assert!((power_to_dbm0(dbm0_to_power(-27.5)) + 27.5).abs() < 1e-4);
        assert_eq!(power_to_dbm0(0.0), -200.0);
    }

    #[test]
    fn wrap_half_range() {
        for &(x, y) in &[(0.0, 0.0), (0.6, -0.4), (-0.6, 0.4), (1.25, 0.25), (0.5, -0.5)] {
            assert!((wrap_half(x) - y).abs() < 1e-6, "{x} -> {}", wrap_half(x));
        }
    }
}
