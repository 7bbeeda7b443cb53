//! Test-only bindings to the speech codecs of a mobile call, as streaming channels: GSM 06.10 full
//! rate (Debian's `libgsm`) and AMR-NB in any of its eight modes (Debian's `libopencore-amrnb`, the
//! 3GPP reference code). A [`SpeechChannel`] takes 8 kHz audio in blocks of any length and gives back
//! the same audio after an encode and a decode, 20 ms (one frame) late, so full-duplex calls can run
//! through a codec in each direction, which the batch round trip through sox cannot do.
//!
//! The declarations are written by hand from the public headers (`/usr/include/gsm.h`,
//! `/usr/include/opencore-amrnb/interf_enc.h`, `interf_dec.h`). Nothing here is thread-safe.
#![deny(missing_docs)]

use std::os::raw::{c_int, c_short, c_uchar, c_void};

#[allow(non_camel_case_types)]
type gsm = *mut c_void;

#[link(name = "gsm")]
extern "C" {
    fn gsm_create() -> gsm;
    fn gsm_destroy(g: gsm);
    fn gsm_encode(g: gsm, source: *mut c_short, frame: *mut c_uchar);
    fn gsm_decode(g: gsm, frame: *mut c_uchar, out: *mut c_short) -> c_int;
}

#[link(name = "opencore-amrnb")]
extern "C" {
    fn Encoder_Interface_init(dtx: c_int) -> *mut c_void;
    fn Encoder_Interface_exit(state: *mut c_void);
    fn Encoder_Interface_Encode(
        state: *mut c_void,
        mode: c_int,
        speech: *const c_short,
        out: *mut c_uchar,
        force_speech: c_int,
    ) -> c_int;
    fn Decoder_Interface_init() -> *mut c_void;
    fn Decoder_Interface_exit(state: *mut c_void);
    fn Decoder_Interface_Decode(state: *mut c_void, input: *const c_uchar, out: *mut c_short, bfi: c_int);
}

/// Samples in one codec frame (20 ms at 8 kHz), for both codecs.
pub const FRAME: usize = 160;

/// Which codec.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Codec {
    /// GSM 06.10 full rate, 13 kbit/s (RPE-LTP).
    GsmFr,
    /// AMR-NB in mode 0 (4.75 kbit/s) to 7 (12.2 kbit/s), no DTX.
    Amr(u8),
}

impl Codec {
    /// AMR 12.2 kbit/s (the GSM enhanced full rate's algorithm).
    pub const AMR_122: Codec = Codec::Amr(7);

    /// The bit rate, kbit/s.
    pub fn kbps(self) -> f32 {
        match self {
            Codec::GsmFr => 13.0,
            Codec::Amr(m) => [4.75, 5.15, 5.9, 6.7, 7.4, 7.95, 10.2, 12.2][m.min(7) as usize],
        }
    }

    /// A short name: `GSM-FR`, `AMR 12.2`.
    pub fn name(self) -> String {
        match self {
            Codec::GsmFr => "GSM-FR".to_string(),
            Codec::Amr(_) => format!("AMR {}", self.kbps()),
        }
    }
}

enum State {
    /// Encoder and decoder: separate states (they share fields of `struct gsm_state`).
    Gsm(gsm, gsm),
    Amr {
        enc: *mut c_void,
        dec: *mut c_void,
        mode: c_int,
    },
}

/// One direction of a call through a speech codec: encode, then decode, frame by frame.
pub struct SpeechChannel {
    state: State,
    input: [i16; FRAME],
    filled: usize,
    output: [f32; FRAME],
    /// Frames coded so far.
    frames: u64,
}

impl SpeechChannel {
    /// A fresh encoder and decoder for `codec`.
    pub fn new(codec: Codec) -> Self {
        // SAFETY: the constructors take no pointers; a null result is checked.
        let state = unsafe {
            match codec {
                Codec::GsmFr => {
                    let (enc, dec) = (gsm_create(), gsm_create());
                    assert!(!enc.is_null() && !dec.is_null(), "gsm_create failed");
                    State::Gsm(enc, dec)
                }
                Codec::Amr(mode) => {
                    assert!(mode <= 7, "AMR-NB has modes 0 to 7");
                    let enc = Encoder_Interface_init(0);
                    let dec = Decoder_Interface_init();
                    assert!(!enc.is_null() && !dec.is_null(), "AMR-NB init failed");
                    State::Amr { enc, dec, mode: mode as c_int }
                }
            }
        };
        SpeechChannel { state, input: [0; FRAME], filled: 0, output: [0.0; FRAME], frames: 0 }
    }

    /// Frames coded so far.
    pub fn frames(&self) -> u64 {
        self.frames
    }

    /// Takes `input` (full scale 1.0; clipped to 16 bits) and fills `output` with the audio
    /// decoded one frame (160 samples) earlier: silence for the first frame.
    pub fn process(&mut self, input: &[f32], output: &mut [f32]) {
        assert_eq!(input.len(), output.len());
        for (x, y) in input.iter().zip(output.iter_mut()) {
            *y = self.output[self.filled];
            self.input[self.filled] = (x * 32768.0).round().clamp(-32768.0, 32767.0) as i16;
            self.filled += 1;
            if self.filled == FRAME {
                self.filled = 0;
                self.code_frame();
            }
        }
    }

    fn code_frame(&mut self) {
        let mut decoded = [0i16; FRAME];
        // SAFETY: the buffers are the sizes the headers ask for (160 samples; 33 bytes for a GSM
        // frame; an AMR storage-format frame is at most 32 bytes, 64 leaves room), and the states
        // came from the matching init functions.
        unsafe {
            match self.state {
                State::Gsm(enc, dec) => {
                    let mut frame = [0u8; 33];
                    gsm_encode(enc, self.input.as_mut_ptr(), frame.as_mut_ptr());
                    gsm_decode(dec, frame.as_mut_ptr(), decoded.as_mut_ptr());
                }
                State::Amr { enc, dec, mode } => {
                    let mut frame = [0u8; 64];
                    let n = Encoder_Interface_Encode(enc, mode, self.input.as_ptr(), frame.as_mut_ptr(), 0);
                    assert!(n > 0, "AMR-NB encoding failed");
                    Decoder_Interface_Decode(dec, frame.as_ptr(), decoded.as_mut_ptr(), 0);
                }
            }
        }
        for (o, d) in self.output.iter_mut().zip(decoded) {
            *o = d as f32 / 32768.0;
        }
        self.frames += 1;
    }
}

impl Drop for SpeechChannel {
    fn drop(&mut self) {
        // SAFETY: each state is freed once, by its own exit function.
        unsafe {
            match self.state {
                State::Gsm(enc, dec) => {
                    gsm_destroy(enc);
                    gsm_destroy(dec);
                }
                State::Amr { enc, dec, .. } => {
                    Encoder_Interface_exit(enc);
                    Decoder_Interface_exit(dec);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tone(n: usize, hz: f32, amp: f32) -> Vec<f32> {
        (0..n).map(|i| amp * (std::f32::consts::TAU * hz * i as f32 / 8000.0).sin()).collect()
    }

    /// Signal-to-error ratio of `y` against `x` delayed by one frame (and whatever delay the codec
    /// adds, up to 80 samples), after the best gain.
    fn snr_db(x: &[f32], y: &[f32]) -> f32 {
        let skip = 4 * FRAME; // let the codec settle
        let n = x.len() - 2 * FRAME - skip;
        (0..80)
            .map(|lag| {
                let (x, y) = (&x[skip..skip + n], &y[skip + FRAME + lag..skip + FRAME + lag + n]);
                let g = x.iter().zip(y).map(|(a, b)| a * b).sum::<f32>() / x.iter().map(|a| a * a).sum::<f32>();
                let e: f32 = x.iter().zip(y).map(|(a, b)| (b - g * a).powi(2)).sum();
                let s: f32 = x.iter().map(|a| (g * a).powi(2)).sum();
                10.0 * (s / e).log10()
            })
            .fold(f32::MIN, f32::max)
    }

    /// Power of the `hz` tone in `y` (least-squares fit of a sine and a cosine) against the rest.
    fn tone_snr_db(y: &[f32], hz: f32) -> f32 {
        let w = std::f32::consts::TAU * hz / 8000.0;
        let (mut ys, mut yc) = (0.0f32, 0.0f32);
        for (i, v) in y.iter().enumerate() {
            ys += v * (w * i as f32).sin();
            yc += v * (w * i as f32).cos();
        }
        let (a, b) = (2.0 * ys / y.len() as f32, 2.0 * yc / y.len() as f32);
        let mut e = 0.0f32;
        for (i, v) in y.iter().enumerate() {
            e += (v - a * (w * i as f32).sin() - b * (w * i as f32).cos()).powi(2);
        }
        10.0 * ((a * a + b * b) / 2.0 * y.len() as f32 / e).log10()
    }

    #[test]
    fn a_tone_comes_through_each_codec_one_frame_late() {
        for codec in [Codec::GsmFr, Codec::AMR_122, Codec::Amr(4), Codec::Amr(0)] {
            let x = tone(8000, 1000.0, 0.2);
            let mut ch = SpeechChannel::new(codec);
            let mut y = vec![0.0; x.len()];
            // Odd block sizes: the framing is the channel's business.
            let mut i = 0;
            for n in [1usize, 7, 160, 333].iter().cycle() {
                if i >= x.len() {
                    break;
                }
                let n = (*n).min(x.len() - i);
                ch.process(&x[i..i + n], &mut y[i..i + n]);
                i += n;
            }
            assert!(y[..FRAME].iter().all(|&v| v == 0.0), "{}: the first frame is silence", codec.name());
            assert_eq!(ch.frames(), 50);
            let snr = tone_snr_db(&y[5 * FRAME..], 1000.0);
            assert!(snr > 15.0, "{}: a 1 kHz tone comes through at {snr:.1} dB", codec.name());
        }
    }

    #[test]
    fn noise_is_coded_worse_than_a_tone() {
        // A speech codec is not a transparent channel: white noise (as a modem's signal looks to
        // it) comes out far less faithfully than a steady tone.
        let mut seed = 1u32;
        let noise: Vec<f32> = (0..16000)
            .map(|_| {
                seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                ((seed >> 8) as f32 / (1u32 << 24) as f32 - 0.5) * 0.3
            })
            .collect();
        for codec in [Codec::GsmFr, Codec::AMR_122] {
            let mut ch = SpeechChannel::new(codec);
            let mut y = vec![0.0; noise.len()];
            ch.process(&noise, &mut y);
            let snr = snr_db(&noise, &y);
            assert!(snr < 10.0, "{}: noise at {snr:.1} dB", codec.name());
        }
    }
}
