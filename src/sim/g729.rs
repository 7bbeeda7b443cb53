//! A G.729 speech channel (ITU-T G.729 CS-ACELP, 8 kbit/s, as voice-over-IP paths carry calls):
//! what goes in is coded and decoded in 10 ms frames, what comes out is the decoder's speech,
//! 10 ms later. The codec is the `g729-sys` crate (pure Rust, so it runs in the page's demo too;
//! the GSM and AMR codecs the tests use are native libraries through FFI and do not).
//!
//! A speech codec models a voice: a modem's signal comes out of it distorted (the reason speech
//! paths carry 2400 bit/s badly), which the demo's line quality control lets a person watch.

use g729_sys::{Decoder, Encoder, FRAME_SAMPLES, VOICE_FRAME_BYTES};

/// One direction through a G.729 encoder and decoder.
pub struct G729Channel {
    encoder: Encoder,
    decoder: Decoder,
    /// Samples of the frame being filled.
    frame: [i16; FRAME_SAMPLES],
    filled: usize,
    /// Decoded samples waiting to go out (a frame's delay), oldest at `out_pos`.
    out: [f32; 2 * FRAME_SAMPLES],
    out_pos: usize,
    out_len: usize,
}

impl core::fmt::Debug for G729Channel {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("G729Channel").field("filled", &self.filled).field("waiting", &self.out_len).finish()
    }
}

impl Default for G729Channel {
    fn default() -> Self {
        Self::new()
    }
}

impl G729Channel {
    /// A channel with no voice activity detection (every frame coded), one frame of silence
    /// waiting.
    pub fn new() -> Self {
        G729Channel {
            encoder: Encoder::new(false),
            decoder: Decoder::new(),
            frame: [0; FRAME_SAMPLES],
            filled: 0,
            out: [0.0; 2 * FRAME_SAMPLES],
            out_pos: 0,
            out_len: FRAME_SAMPLES,
        }
    }

    /// The delay from input to output, in samples: a frame's buffering, and the encoder's 5 ms
    /// look-ahead.
    pub const DELAY: usize = FRAME_SAMPLES + 40;

    /// Passes `input` through the codec into `output` (the same length, [`G729Channel::DELAY`]
    /// samples later).
    pub fn process(&mut self, input: &[f32], output: &mut [f32]) {
        for (x, y) in input.iter().zip(output.iter_mut()) {
            self.frame[self.filled] = crate::dsp::to_i16(*x);
            self.filled += 1;
            if self.filled == FRAME_SAMPLES {
                self.filled = 0;
                self.code_frame();
            }
            // Never empty: a frame is decoded before the one sample per sample taken out runs dry.
            *y = self.out[self.out_pos];
            self.out_pos = (self.out_pos + 1) % self.out.len();
            self.out_len -= 1;
        }
    }

    fn code_frame(&mut self) {
        let mut bits = [0u8; VOICE_FRAME_BYTES];
        let len = self.encoder.encode_into(&self.frame, &mut bits) as usize;
        let speech = self.decoder.decode(&bits[..len.min(VOICE_FRAME_BYTES)], false, false, false);
        let cap = self.out.len();
        for (i, s) in speech.iter().enumerate() {
            self.out[(self.out_pos + self.out_len + i) % cap] = *s as f32 / 32768.0;
        }
        self.out_len += FRAME_SAMPLES;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Power of `x`.
    fn power(x: &[f32]) -> f32 {
        x.iter().map(|v| v * v).sum::<f32>() / x.len() as f32
    }

    #[test]
    fn speech_band_tones_come_through_late_and_changed() {
        let mut ch = G729Channel::new();
        // Five tones of speech's band at about -13 dBm0 together, in 160-sample blocks.
        let tone: Vec<f32> = (0..8000)
            .map(|i| {
                let t = i as f32 / 8000.0;
                [310.0f32, 530.0, 770.0, 1130.0, 1710.0]
                    .iter()
                    .map(|f| 0.07 * (core::f32::consts::TAU * f * t).sin())
                    .sum()
            })
            .collect();
        let mut out = vec![0.0; tone.len()];
        for (x, y) in tone.chunks(160).zip(out.chunks_mut(160)) {
            ch.process(x, y);
        }
        assert!(out[..FRAME_SAMPLES].iter().all(|&v| v == 0.0), "a frame of silence first");
        // The tone's power comes through (within 3 dB) once the codec has settled.
        let (pin, pout) = (power(&tone[2000..7000]), power(&out[2000..7000]));
        let db = 10.0 * (pout / pin).log10();
        assert!(db.abs() < 3.0, "{db} dB");
        // The same signal, DELAY samples late (the correlation peaks there), but not unchanged.
        let corr = |d: usize| (2000..7000).map(|i| out[i] * tone[i - d]).sum::<f32>() / (5000.0 * (pin * pout).sqrt());
        let best = (0..200).max_by(|&a, &b| corr(a).total_cmp(&corr(b))).unwrap();
        assert!(best.abs_diff(G729Channel::DELAY) <= 2 && corr(best) > 0.6, "peak {} at {best}", corr(best));
    }
}
