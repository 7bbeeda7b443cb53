//! Telephone signalling tones: DTMF, call progress tones, and modem answer and calling tones.
//!
//! Every object here is sans-IO like the rest of the crate: generators fill buffers of samples,
//! detectors take samples and report what they recognised through a callback, time is counted in
//! samples at [`crate::dsp::SAMPLE_RATE`], levels are in dBm0 (0 dBm0 is a sine 3.17 dB below
//! full scale, [`crate::dsp::dbm0_to_peak`]). Nothing allocates after construction.
//!
//! - [`dtmf`]: [`DtmfGenerator`] and [`DtmfDetector`] (ITU-T Q.23 frequencies, Q.24 reception).
//! - [`progress`]: [`ProgressToneGenerator`] and [`CallProgressDetector`] (dial tone, ringback, busy,
//!   reorder/congestion in the North American and European tone plans; silence; voice).
//! - [`answer`]: [`AnswerToneGenerator`], [`CallingToneGenerator`] and [`AnswerToneDetector`]
//!   (V.25 ANS with and without phase reversals, V.8 ANSam and ANSam/, the Bell 2225 Hz answer
//!   tone, the V.25 calling tone).
//!
//! Sources: ITU-T Q.23 (the DTMF frequencies), Q.24 (DTMF reception: the 1.5 % / 3.5 % frequency
//! tolerance; levels, twist and timing are each administration's, and the commonly used values are
//! taken), V.25 (ANS: 2100 +- 15 Hz, phase reversals every 450 +- 25 ms; the calling tone: 1300 Hz,
//! 0.5-0.7 s on, 1.5-2.0 s off), V.8 (ANSam: the envelope swings 0.8 to 1.2 of its mean at
//! 15 Hz), E.180 (ringing tone cadence limits), the European harmonised 425 Hz tones and the North
//! American precise tone plan (dial 350 + 440 Hz, ringback 440 + 480 Hz 2 s / 4 s, busy 480 + 620 Hz
//! 0.5 s / 0.5 s, reorder 0.25 s / 0.25 s). Each detector's documentation says which thresholds come
//! from where, and which were set by measurement here.

pub mod answer;
pub mod dtmf;
pub mod progress;

pub use answer::{AnswerEvent, AnswerTone, AnswerToneDetector, AnswerToneGenerator, CallingToneGenerator};
pub use dtmf::{DialError, DtmfConfig, DtmfDetector, DtmfGenerator};
pub use progress::{CallProgressDetector, ProgressEvent, ProgressToneGenerator, Region, Tone, ToneSpec};

/// Length of the raised-cosine ramp that switches a generated tone on or off, in samples (5 ms).
pub(crate) const RAMP: u32 = 40;

/// Gain of a tone burst `len` samples long at sample `pos` of it: a raised-cosine ramp of up to
/// `ramp` samples at each end (shorter for very short bursts), 1 in between.
#[inline]
pub(crate) fn burst_gain(pos: u32, len: u32, ramp: u32) -> f32 {
    let r = ramp.min(len / 2).max(1);
    let edge = pos.min(len.saturating_sub(1).saturating_sub(pos));
    if edge >= r {
        1.0
    } else {
        0.5 - 0.5 * (core::f32::consts::PI * (edge as f32 + 0.5) / r as f32).cos()
    }
}

/// Replaces samples a detector cannot use (NaN, infinities) with silence and clamps wild ones.
#[inline]
pub(crate) fn sanitize(x: f32) -> f32 {
    if x.is_finite() {
        x.clamp(-4.0, 4.0)
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn burst_gain_ramps_both_ends() {
        assert!(burst_gain(0, 400, 40) < 0.01);
        assert_eq!(burst_gain(40, 400, 40), 1.0);
        assert_eq!(burst_gain(200, 400, 40), 1.0);
        assert!(burst_gain(399, 400, 40) < 0.01);
        assert!((burst_gain(20, 400, 40) - 0.5).abs() < 0.05);
        // A burst shorter than two ramps still rises and falls.
        assert!(burst_gain(5, 10, 40) > 0.8);
    }
}
