//! The line monitor: what the page's diagnostics show of the line, kept as the [`Dce`] runs.
//!
//! A [`LineMonitor`] sees the line signal both ways at 8000 Hz, as the DCE hears and says it
//! ([`Dce::enable_monitor`]; the host's rate conversion is outside it). It keeps:
//!
//! - a recording of the last [`RECORD_SECONDS`] of line audio, received and sent, as 16-bit
//!   samples in a ring, for bug reports ([`LineMonitor::wav`]: channel 1 received, channel 2
//!   sent);
//! - the V.22/V.22bis receiver's SNR estimate ten times a second over the last ten seconds
//!   ([`LineMonitor::snr_history`]);
//! - the received level over the last 0.1 s, the whole band ([`LineMonitor::level_dbm0`]);
//! - a spectrum of the received signal over its last 64 ms
//!   ([`LineMonitor::spectrum`], computed when asked).
//!
//! Everything is allocated when the monitor is made (about 1.9 MB for 60 s); recording a block
//! copies samples into the ring and allocates nothing.
//!
//! [`Dce`]: super::Dce
//! [`Dce::enable_monitor`]: super::Dce::enable_monitor

use core::fmt;

use crate::dsp::fft::{Spectrum, SPECTRUM_POINTS};
use crate::dsp::{power_to_dbm0, to_i16, SAMPLE_RATE};
use crate::wav::{Wav, WavError};

/// Seconds of line audio the monitor keeps.
pub const RECORD_SECONDS: u32 = 60;

/// Points in the SNR history: ten seconds at ten a second.
pub const SNR_HISTORY: usize = 100;

/// Samples between two points of the SNR history (0.1 s at 8000 Hz).
pub const SNR_EVERY: u32 = SAMPLE_RATE / 10;

/// The line both ways, recorded; the receiver's SNR over time; the received spectrum. See the
/// [module documentation](self).
#[derive(Clone)]
pub struct LineMonitor {
    /// Frames of (received, sent), a ring: the oldest at `(head + cap - len) % cap`.
    frames: Box<[[i16; 2]]>,
    head: usize,
    len: usize,
    spectrum: Spectrum,
    /// SNR estimates, dB (NaN: no receiver estimate then), a ring like `frames`.
    snr: [f32; SNR_HISTORY],
    snr_head: usize,
    snr_len: usize,
    /// Samples until the next SNR point.
    until_snr: u32,
}

impl fmt::Debug for LineMonitor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LineMonitor")
            .field("capacity", &self.frames.len())
            .field("frames", &self.len)
            .field("snr_points", &self.snr_len)
            .finish()
    }
}

impl Default for LineMonitor {
    fn default() -> Self {
        LineMonitor::new(RECORD_SECONDS)
    }
}

impl LineMonitor {
    /// A monitor that keeps the last `seconds` (at least one) of line audio.
    pub fn new(seconds: u32) -> LineMonitor {
        let cap = seconds.max(1) as usize * SAMPLE_RATE as usize;
        LineMonitor {
            frames: vec![[0i16; 2]; cap].into_boxed_slice(),
            head: 0,
            len: 0,
            spectrum: Spectrum::new(),
            snr: [f32::NAN; SNR_HISTORY],
            snr_head: 0,
            snr_len: 0,
            until_snr: SNR_EVERY,
        }
    }

    /// Frames (a sample each way) the recording holds at most.
    pub fn capacity(&self) -> usize {
        self.frames.len()
    }

    /// Frames recorded and still held.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Nothing recorded yet.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Forgets the recording and the SNR history.
    pub fn clear(&mut self) {
        self.len = 0;
        self.snr_len = 0;
        self.until_snr = SNR_EVERY;
    }

    /// One block of the line at 8000 Hz: `rx` heard and `tx` said (the shorter sets the count),
    /// and the receiver's SNR estimate now, dB, if a receiver makes one.
    pub fn record(&mut self, rx: &[f32], tx: &[f32], snr_db: Option<f32>) {
        let cap = self.frames.len();
        let n = rx.len().min(tx.len());
        for (&r, &t) in rx[..n].iter().zip(&tx[..n]) {
            self.frames[self.head] = [to_i16(r), to_i16(t)];
            self.head = (self.head + 1) % cap;
        }
        self.len = (self.len + n).min(cap);
        let mut left = n as u32;
        while left >= self.until_snr {
            left -= self.until_snr;
            self.until_snr = SNR_EVERY;
            self.snr[self.snr_head] = snr_db.filter(|s| s.is_finite()).unwrap_or(f32::NAN);
            self.snr_head = (self.snr_head + 1) % SNR_HISTORY;
            self.snr_len = (self.snr_len + 1).min(SNR_HISTORY);
        }
        self.until_snr -= left;
    }

    /// Frame `i` of those held, oldest first.
    fn frame(&self, i: usize) -> [i16; 2] {
        let cap = self.frames.len();
        self.frames[(self.head + cap - self.len + i) % cap]
    }

    /// The recording, received then sent, oldest first, interleaved (`[rx, tx, rx, tx, ...]`).
    pub fn samples(&self) -> impl ExactSizeIterator<Item = i16> + '_ {
        (0..2 * self.len).map(|i| self.frame(i / 2)[i % 2])
    }

    /// The recording as a WAV file: 16-bit PCM, two channels (1 received, 2 sent), 8000 Hz,
    /// oldest first. Allocates the file (about 1.9 MB for a full minute).
    pub fn wav(&self) -> Result<Vec<u8>, WavError> {
        // Straight from the ring's two runs (the page asks for it from the audio thread).
        let header = Wav::pcm16_header(SAMPLE_RATE, 2, self.len)?;
        let mut out = vec![0u8; header.len() + 4 * self.len];
        out[..header.len()].copy_from_slice(&header);
        let cap = self.frames.len();
        let start = (self.head + cap - self.len) % cap;
        let (older, newer) = if start + self.len <= cap {
            (&self.frames[start..start + self.len], &self.frames[..0])
        } else {
            (&self.frames[start..], &self.frames[..self.head])
        };
        let body = &mut out[header.len()..];
        let (a, b) = body.split_at_mut(4 * older.len());
        for (run, dst) in [(older, a), (newer, b)] {
            for (d, &[r, t]) in dst.chunks_exact_mut(4).zip(run) {
                d[..2].copy_from_slice(&r.to_le_bytes());
                d[2..].copy_from_slice(&t.to_le_bytes());
            }
        }
        Ok(out)
    }

    /// The receiver's SNR estimates, dB, ten a second, oldest first (`None` when there was no
    /// estimate then); at most [`SNR_HISTORY`].
    pub fn snr_history(&self) -> impl ExactSizeIterator<Item = Option<f32>> + '_ {
        let start = (self.snr_head + SNR_HISTORY - self.snr_len) % SNR_HISTORY;
        (0..self.snr_len).map(move |i| Some(self.snr[(start + i) % SNR_HISTORY]).filter(|s| !s.is_nan()))
    }

    /// The received signal's level over its last 0.1 s (fewer samples at the start), the whole
    /// band, dBm0, no lower than [`crate::dsp::fft::SPECTRUM_FLOOR_DBM0`]; `None` before anything
    /// was recorded. Unlike a modem's receive level it is there in every state, start-up included.
    pub fn level_dbm0(&self) -> Option<f32> {
        let n = self.len.min(SNR_EVERY as usize);
        if n == 0 {
            return None;
        }
        let skip = self.len - n;
        let sum: f64 = (0..n).map(|i| (self.frame(skip + i)[0] as f64 / 32768.0).powi(2)).sum();
        Some(power_to_dbm0((sum / n as f64) as f32).max(crate::dsp::fft::SPECTRUM_FLOOR_DBM0))
    }

    /// The spectrum of the last [`SPECTRUM_POINTS`] received samples into `out` (see
    /// [`Spectrum::analyse`]: [`crate::dsp::fft::SPECTRUM_BINS`] bins, dBm0). Allocates nothing.
    pub fn spectrum(&self, out: &mut [f32]) {
        let n = self.len.min(SPECTRUM_POINTS);
        let skip = self.len - n;
        self.spectrum.analyse((0..n).map(|i| self.frame(skip + i)[0] as f32 / 32768.0), out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dsp::fft::{SPECTRUM_BINS, SPECTRUM_FLOOR_DBM0};
    use crate::dsp::{dbm0_to_peak, Nco};

    /// The data chunk's samples of a WAV this module wrote (the header is 44 bytes).
    fn data(wav: &[u8]) -> Vec<i16> {
        wav[44..].chunks_exact(2).map(|b| i16::from_le_bytes([b[0], b[1]])).collect()
    }

    #[test]
    fn the_wav_has_two_channels_at_8000_hz() {
        let mut m = LineMonitor::new(2);
        let w = m.wav().unwrap();
        assert_eq!(w.len(), 44, "an empty recording is a valid, empty WAV");
        m.record(&[0.5, -0.25, 0.0], &[0.125, 1.5, -2.0], None);
        let w = m.wav().unwrap();
        let parsed = Wav::parse(&w).unwrap();
        assert_eq!((parsed.sample_rate, parsed.channels, parsed.bits_per_sample), (8000, 2, 16));
        assert_eq!(&w[0..4], b"RIFF");
        assert_eq!(&w[8..16], b"WAVEfmt ");
        assert_eq!(&w[36..40], b"data");
        assert_eq!(u32::from_le_bytes(w[40..44].try_into().unwrap()), 12);
        // Channel 1 received, channel 2 sent; clipped at full scale.
        assert_eq!(data(&w), vec![16384, 4096, -8192, 32767, 0, -32768]);
    }

    #[test]
    fn the_recording_keeps_the_newest_minute() {
        let mut m = LineMonitor::default();
        assert_eq!(m.capacity(), 60 * 8000);
        // 61.5 s of a ramp the sample's index tells (rx) and its negative (tx), in odd blocks.
        let total = 61 * 8000 + 4000;
        let value = |i: usize| (i % 30000) as f32 / 32768.0;
        let mut at = 0;
        while at < total {
            let n = 333.min(total - at);
            let rx: Vec<f32> = (at..at + n).map(value).collect();
            let tx: Vec<f32> = rx.iter().map(|x| -x).collect();
            m.record(&rx, &tx, Some(25.0));
            at += n;
        }
        assert_eq!(m.len(), 60 * 8000);
        let w = m.wav().unwrap();
        assert_eq!(w.len(), 44 + 60 * 8000 * 4, "60 s x 2 channels x 2 bytes");
        let d = data(&w);
        let first = total - 60 * 8000;
        assert_eq!(d[0], (first % 30000) as i16, "the oldest kept is 60 s before the end");
        assert_eq!(d[1], -((first % 30000) as i16));
        let last = total - 1;
        assert_eq!(d[d.len() - 2], (last % 30000) as i16, "the newest is the last recorded");
        assert_eq!(d[d.len() - 1], -((last % 30000) as i16));
        assert!(d.chunks(2).all(|f| f[0] == -f[1]));
        assert_eq!(d, m.samples().collect::<Vec<i16>>(), "the file is the recording, interleaved");
        m.clear();
        assert!(m.is_empty());
        assert_eq!(m.snr_history().len(), 0);
    }

    #[test]
    fn snr_history_is_ten_a_second_for_ten_seconds() {
        let mut m = LineMonitor::new(1);
        let block = [0.0f32; 160];
        // 1 s without a receiver, then 12 s at a rising SNR.
        for _ in 0..50 {
            m.record(&block, &block, None);
        }
        assert_eq!(m.snr_history().len(), 10);
        assert!(m.snr_history().all(|s| s.is_none()));
        for i in 0..600 {
            m.record(&block, &block, Some(i as f32 / 50.0));
        }
        let h: Vec<Option<f32>> = m.snr_history().collect();
        assert_eq!(h.len(), SNR_HISTORY);
        assert!(h.iter().all(|s| s.is_some()), "{h:?}");
        assert!(h.windows(2).all(|w| w[0] < w[1]), "oldest first: {h:?}");
        assert!((h[SNR_HISTORY - 1].unwrap() - 11.98).abs() < 0.05, "{h:?}");
        m.record(&block, &block, Some(f32::NAN));
        m.record(&block, &block, Some(f32::NAN));
        m.record(&block, &block, Some(f32::NAN));
        m.record(&block, &block, Some(f32::NAN));
        m.record(&block, &block, Some(f32::NAN));
        assert_eq!(m.snr_history().last(), Some(None), "not finite: no estimate");
    }

    #[test]
    fn the_spectrum_shows_the_received_tone_only() {
        let mut m = LineMonitor::new(1);
        let mut out = [0.0f32; SPECTRUM_BINS];
        m.spectrum(&mut out);
        assert!(out.iter().all(|&d| d == SPECTRUM_FLOOR_DBM0), "nothing recorded: the floor");
        // Received: 1000 Hz at -10 dBm0; sent: 2000 Hz, which must not show.
        let (mut a, mut b) = (Nco::new(1000.0, 8000.0), Nco::new(2000.0, 8000.0));
        let peak = dbm0_to_peak(-10.0);
        let rx: Vec<f32> = (0..4000).map(|_| peak * a.next_sin()).collect();
        let tx: Vec<f32> = (0..4000).map(|_| peak * b.next_sin()).collect();
        m.record(&rx, &tx, None);
        m.spectrum(&mut out);
        let top = (0..SPECTRUM_BINS).max_by(|&x, &y| out[x].total_cmp(&out[y])).unwrap();
        assert_eq!(top, 32, "{out:?}");
        assert!((out[32] + 10.0).abs() < 2.0, "{}", out[32]);
        assert!(out[64] < -70.0, "the sent tone is not in the received spectrum: {}", out[64]);
        let level = m.level_dbm0().unwrap();
        assert!((level + 10.0).abs() < 0.1, "the received level, not the sent: {level}");
    }

    #[test]
    fn the_level_is_the_last_tenth_of_a_second() {
        let mut m = LineMonitor::new(1);
        assert_eq!(m.level_dbm0(), None);
        m.record(&[0.0; 800], &[0.5; 800], None);
        assert_eq!(m.level_dbm0(), Some(SPECTRUM_FLOOR_DBM0), "silence received");
        let peak = dbm0_to_peak(-30.0);
        let mut a = Nco::new(1000.0, 8000.0);
        let rx: Vec<f32> = (0..800).map(|_| peak * a.next_sin()).collect();
        m.record(&rx, &[0.0; 800], None);
        assert!((m.level_dbm0().unwrap() + 30.0).abs() < 0.2, "{:?}", m.level_dbm0());
    }
}
