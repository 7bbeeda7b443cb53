//! RIFF/WAVE files: parse any common PCM or float WAV into mono samples, and emit 16-bit PCM (mono, or
//! several channels interleaved).

use crate::dsp::to_i16;
use crate::g711::Law;
use core::fmt;

/// A decoded WAV file, mixed down to one channel.
#[derive(Debug, Clone, PartialEq)]
pub struct Wav {
    /// Samples per second.
    pub sample_rate: u32,
    /// Channels in the file (the samples here are their mean).
    pub channels: u16,
    /// Bits per sample in the file.
    pub bits_per_sample: u16,
    /// The samples, full scale = 1.0.
    pub samples: Vec<f32>,
}

/// Why a WAV file could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WavError {
    /// Not a RIFF/WAVE file.
    NotWav,
    /// A chunk runs past the end of the file, or the file ends inside a header.
    Truncated,
    /// No `fmt ` chunk before the `data` chunk.
    MissingFormat,
    /// No `data` chunk.
    MissingData,
    /// An encoding this reader does not handle (compressed formats, odd sample sizes).
    Unsupported(String),
    /// What was to be written does not fit a WAV header (a sample rate whose byte rate passes
    /// 2^32 - 1, more than 4 GiB of data).
    TooLarge(String),
}

impl fmt::Display for WavError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WavError::NotWav => f.write_str("not a WAV file (no RIFF/WAVE header)"),
            WavError::Truncated => f.write_str("WAV file is truncated"),
            WavError::MissingFormat => f.write_str("WAV file has no fmt chunk before its data"),
            WavError::MissingData => f.write_str("WAV file has no data chunk"),
            WavError::Unsupported(s) => write!(f, "unsupported WAV encoding: {s}"),
            WavError::TooLarge(s) => write!(f, "too large for a WAV file: {s}"),
        }
    }
}

impl std::error::Error for WavError {}

#[derive(Debug, Clone, Copy)]
enum Encoding {
    Pcm,
    Float,
    MuLaw,
    ALaw,
}

#[derive(Debug, Clone, Copy)]
struct Fmt {
    encoding: Encoding,
    channels: u16,
    rate: u32,
    bits: u16,
    block_align: u16,
}

fn u16_at(b: &[u8], i: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(i..i + 2)?.try_into().ok()?))
}

fn u32_at(b: &[u8], i: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(i..i + 4)?.try_into().ok()?))
}

/// Where a chunk whose body starts at `body` and is `len` bytes long ends, and where the next
/// chunk starts (chunks are padded to an even length), in a file of `file_len` bytes; `None` when
/// the chunk runs past the end. In `u64`, so that no length a header can hold (up to 2^32 - 1)
/// wraps, whatever the width of `usize`.
fn chunk_bounds(body: u64, len: u32, file_len: u64) -> Option<(u64, u64)> {
    let end = body.checked_add(len as u64)?;
    if end > file_len {
        return None;
    }
    Some((end, end.checked_add(len as u64 & 1)?))
}

fn parse_fmt(c: &[u8]) -> Result<Fmt, WavError> {
    if c.len() < 16 {
        return Err(WavError::Truncated);
    }
    let mut tag = u16_at(c, 0).unwrap();
    let channels = u16_at(c, 2).unwrap();
    let rate = u32_at(c, 4).unwrap();
    let block_align = u16_at(c, 12).unwrap();
    let bits = u16_at(c, 14).unwrap();
    if tag == 0xFFFE {
        // WAVE_FORMAT_EXTENSIBLE: the real tag is the first two bytes of the sub-format GUID.
        tag = u16_at(c, 24).ok_or(WavError::Truncated)?;
    }
    let encoding = match tag {
        1 => Encoding::Pcm,
        3 => Encoding::Float,
        6 => Encoding::ALaw,
        7 => Encoding::MuLaw,
        t => return Err(WavError::Unsupported(format!("format tag {t:#06x}"))),
    };
    if channels == 0 {
        return Err(WavError::Unsupported("zero channels".into()));
    }
    if rate == 0 || rate > 1_000_000 {
        return Err(WavError::Unsupported(format!("sample rate {rate} Hz")));
    }
    let ok = match encoding {
        Encoding::Pcm => matches!(bits, 8 | 16 | 24 | 32),
        Encoding::Float => matches!(bits, 32 | 64),
        Encoding::MuLaw | Encoding::ALaw => bits == 8,
    };
    if !ok {
        return Err(WavError::Unsupported(format!("{bits}-bit samples in this format")));
    }
    let min_align = channels as u32 * (bits as u32).div_ceil(8);
    if (block_align as u32) < min_align {
        return Err(WavError::Unsupported(format!("block align {block_align} for {channels} x {bits}-bit")));
    }
    Ok(Fmt { encoding, channels, rate, bits, block_align })
}

fn sample(b: &[u8], f: &Fmt) -> f32 {
    match (f.encoding, f.bits) {
        (Encoding::Pcm, 8) => (b[0] as f32 - 128.0) / 128.0,
        (Encoding::Pcm, 16) => i16::from_le_bytes([b[0], b[1]]) as f32 / 32768.0,
        (Encoding::Pcm, 24) => (i32::from_le_bytes([0, b[0], b[1], b[2]]) >> 8) as f32 / 8_388_608.0,
        (Encoding::Pcm, 32) => i32::from_le_bytes([b[0], b[1], b[2], b[3]]) as f32 / 2_147_483_648.0,
        (Encoding::Float, 32) => {
            let v = f32::from_le_bytes([b[0], b[1], b[2], b[3]]);
            if v.is_finite() {
                v
            } else {
                0.0
            }
        }
        (Encoding::Float, 64) => {
            let v = f64::from_le_bytes(b[..8].try_into().unwrap()) as f32;
            if v.is_finite() {
                v
            } else {
                0.0
            }
        }
        (Encoding::MuLaw, _) => Law::MuLaw.decode(b[0]),
        (Encoding::ALaw, _) => Law::ALaw.decode(b[0]),
        _ => 0.0,
    }
}

impl Wav {
    /// Parses a WAV file. Chunks it does not know are skipped; a `data` chunk whose length runs past
    /// the end (as streaming writers leave it) is read to the end of the file.
    pub fn parse(bytes: &[u8]) -> Result<Wav, WavError> {
        if bytes.len() < 12 || &bytes[0..4] != b"RIFF" || &bytes[8..12] != b"WAVE" {
            return Err(WavError::NotWav);
        }
        // Offsets in u64 (see `chunk_bounds`); each is within the file before it is used.
        let file_len = bytes.len() as u64;
        let mut i: u64 = 12;
        let mut fmt: Option<Fmt> = None;
        while i.checked_add(8).is_some_and(|h| h <= file_len) {
            let at = i as usize;
            let id = &bytes[at..at + 4];
            let len = u32_at(bytes, at + 4).ok_or(WavError::Truncated)?;
            let body = i + 8;
            if id == b"data" {
                let f = fmt.ok_or(WavError::MissingFormat)?;
                let end = (body + len as u64).min(file_len);
                let data = &bytes[body as usize..end as usize];
                let frame = f.block_align as usize;
                let width = (f.bits as usize).div_ceil(8);
                let frames = data.len() / frame;
                let mut samples = Vec::with_capacity(frames);
                for fr in data.chunks_exact(frame) {
                    // The mean in f64: float samples near f32::MAX must not add up to infinity.
                    let mut s = 0.0f64;
                    for c in fr.chunks_exact(width).take(f.channels as usize) {
                        s += sample(c, &f) as f64;
                    }
                    samples.push((s / f.channels as f64) as f32);
                }
                return Ok(Wav { sample_rate: f.rate, channels: f.channels, bits_per_sample: f.bits, samples });
            }
            let (end, next) = chunk_bounds(body, len, file_len).ok_or(WavError::Truncated)?;
            if id == b"fmt " {
                fmt = Some(parse_fmt(&bytes[body as usize..end as usize])?);
            }
            i = next;
        }
        Err(if fmt.is_none() { WavError::MissingFormat } else { WavError::MissingData })
    }

    /// Encodes mono samples as a 16-bit PCM WAV file (clipping at full scale).
    ///
    /// # Panics
    ///
    /// If they do not fit a WAV file (see [`Wav::try_emit_pcm16`], which says so instead).
    pub fn emit_pcm16(sample_rate: u32, samples: &[f32]) -> Vec<u8> {
        Self::try_emit_pcm16(sample_rate, samples).unwrap_or_else(|e| panic!("Wav::emit_pcm16: {e}"))
    }

    /// Encodes mono samples as a 16-bit PCM WAV file (clipping at full scale), or says why a WAV
    /// cannot hold them: a sample rate of 0 or whose byte rate (twice the rate) passes 2^32 - 1,
    /// or more than 2^32 - 37 bytes of samples.
    pub fn try_emit_pcm16(sample_rate: u32, samples: &[f32]) -> Result<Vec<u8>, WavError> {
        Self::try_emit_pcm16_channels(sample_rate, 1, samples.iter().map(|&s| to_i16(s)))
    }

    /// Encodes 16-bit samples of `channels` channels, interleaved (a frame of one sample of each
    /// channel after another), as a PCM WAV file; a last frame with samples missing is dropped.
    /// Says why a WAV cannot hold them instead: no channels, a sample rate of 0 or whose byte
    /// rate passes 2^32 - 1, or more than 2^32 - 37 bytes of samples.
    pub fn try_emit_pcm16_channels<I>(sample_rate: u32, channels: u16, samples: I) -> Result<Vec<u8>, WavError>
    where
        I: IntoIterator<Item = i16>,
        I::IntoIter: ExactSizeIterator,
    {
        let samples = samples.into_iter();
        let frames = samples.len() / channels.max(1) as usize;
        let header = Self::pcm16_header(sample_rate, channels, frames)?;
        let mut out = Vec::with_capacity(header.len() + frames * 2 * channels as usize);
        out.extend_from_slice(&header);
        for s in samples.take(frames * channels as usize) {
            out.extend_from_slice(&s.to_le_bytes());
        }
        Ok(out)
    }

    /// The 44-byte header of a 16-bit PCM WAV file of `frames` frames of `channels` channels,
    /// for a writer that puts the samples after it itself (little-endian, interleaved). Fails as
    /// [`Wav::try_emit_pcm16_channels`] does.
    pub fn pcm16_header(sample_rate: u32, channels: u16, frames: usize) -> Result<[u8; 44], WavError> {
        if channels == 0 {
            return Err(WavError::TooLarge("no channels".into()));
        }
        let block_align = 2 * channels;
        let byte_rate = sample_rate
            .checked_mul(block_align as u32)
            .filter(|_| sample_rate > 0)
            .ok_or_else(|| WavError::TooLarge(format!("a sample rate of {sample_rate} Hz")))?;
        let (data_len, riff_len) = (frames as u64)
            .checked_mul(block_align as u64)
            .and_then(|d| Some((u32::try_from(d).ok()?, u32::try_from(d + 36).ok()?)))
            .ok_or_else(|| WavError::TooLarge(format!("{frames} frames")))?;
        let mut h = [0u8; 44];
        let fields: [&[u8]; 13] = [
            b"RIFF",
            &riff_len.to_le_bytes(),
            b"WAVEfmt ",
            &16u32.to_le_bytes(),
            &1u16.to_le_bytes(), // PCM
            &channels.to_le_bytes(),
            &sample_rate.to_le_bytes(),
            &byte_rate.to_le_bytes(),
            &block_align.to_le_bytes(),
            &16u16.to_le_bytes(),
            b"data",
            &data_len.to_le_bytes(),
            &[],
        ];
        let mut at = 0;
        for f in fields {
            h[at..at + f.len()].copy_from_slice(f);
            at += f.len();
        }
        Ok(h)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_pcm16() {
        let x: Vec<f32> = (0..100).map(|i| (i as f32 / 50.0) - 1.0).collect();
        let bytes = Wav::emit_pcm16(8000, &x);
        let w = Wav::parse(&bytes).unwrap();
        assert_eq!((w.sample_rate, w.channels, w.bits_per_sample), (8000, 1, 16));
        for (a, b) in x.iter().zip(&w.samples) {
            assert!((a - b).abs() <= 1.0 / 32768.0, "{a} {b}");
        }
    }

    #[test]
    fn two_channels_interleaved() {
        let bytes = Wav::try_emit_pcm16_channels(8000, 2, [100i16, -100, 200, -200, 300]).unwrap();
        assert_eq!(bytes.len(), 44 + 8, "the odd sample is dropped");
        assert_eq!(u16_at(&bytes, 22), Some(2));
        assert_eq!(u32_at(&bytes, 28), Some(32000), "byte rate");
        assert_eq!(u16_at(&bytes, 32), Some(4), "block align");
        let w = Wav::parse(&bytes).unwrap();
        assert_eq!((w.sample_rate, w.channels, w.bits_per_sample), (8000, 2, 16));
        assert_eq!(w.samples, vec![0.0, 0.0], "mixed down: the channels cancel");
        assert!(Wav::try_emit_pcm16_channels(8000, 0, [0i16]).is_err());
        assert!(Wav::try_emit_pcm16_channels(0, 2, [0i16]).is_err());
    }

    fn header(tag: u16, ch: u16, rate: u32, bits: u16, data: &[u8], extra: &[u8]) -> Vec<u8> {
        let align = ch * bits.div_ceil(8);
        let mut v = b"RIFF\0\0\0\0WAVE".to_vec();
        v.extend_from_slice(extra);
        v.extend_from_slice(b"fmt \x10\0\0\0");
        v.extend_from_slice(&tag.to_le_bytes());
        v.extend_from_slice(&ch.to_le_bytes());
        v.extend_from_slice(&rate.to_le_bytes());
        v.extend_from_slice(&(rate * align as u32).to_le_bytes());
        v.extend_from_slice(&align.to_le_bytes());
        v.extend_from_slice(&bits.to_le_bytes());
        v.extend_from_slice(b"data");
        v.extend_from_slice(&(data.len() as u32).to_le_bytes());
        v.extend_from_slice(data);
        v
    }

    #[test]
    fn stereo_float_and_unknown_chunks() {
        let mut data = vec![];
        for (l, r) in [(0.5f32, 0.25f32), (-1.0, 1.0)] {
            data.extend_from_slice(&l.to_le_bytes());
            data.extend_from_slice(&r.to_le_bytes());
        }
        let w = Wav::parse(&header(3, 2, 48000, 32, &data, b"LIST\x03\0\0\0abc\0")).unwrap();
        assert_eq!(w.samples, vec![0.375, 0.0]);
        assert_eq!(w.sample_rate, 48000);
    }

    #[test]
    fn huge_float_samples_mix_down_to_finite_ones() {
        // Found by the fuzzer: two channels near f32::MAX summed to infinity.
        let mut data = vec![];
        for v in [f32::MAX, f32::MAX, -f32::MAX, -3e38, f32::INFINITY, f32::NAN] {
            data.extend_from_slice(&v.to_le_bytes());
        }
        let w = Wav::parse(&header(3, 2, 8000, 32, &data, &[])).unwrap();
        assert_eq!(w.samples, vec![f32::MAX, (-(f32::MAX as f64) / 2.0 - 1.5e38) as f32, 0.0]);
        assert!(w.samples.iter().all(|s| s.is_finite()));
    }

    #[test]
    fn eight_bit_24_bit_and_g711() {
        assert_eq!(
            Wav::parse(&header(1, 1, 8000, 8, &[128, 255, 0], &[])).unwrap().samples,
            vec![0.0, 127.0 / 128.0, -1.0]
        );
        let w = Wav::parse(&header(1, 1, 8000, 24, &[0, 0, 0x40, 0, 0, 0xC0], &[])).unwrap();
        assert_eq!(w.samples, vec![0.5, -0.5]);
        // mu-law 0xFF and A-law 0xD5 are (near) zero; 0x80 / 0xAA are near full scale.
        assert!(Law::MuLaw.decode(0xFF).abs() < 1e-3 && Law::MuLaw.decode(0x80) > 0.9);
        assert!(Law::ALaw.decode(0xD5).abs() < 1e-3 && Law::ALaw.decode(0xAA) > 0.9);
        assert!(Wav::parse(&header(7, 1, 8000, 8, &[0xFF], &[])).is_ok());
    }

    #[test]
    fn streaming_length_is_read_to_the_end() {
        let mut v = header(1, 1, 8000, 16, &[0, 0x40, 0, 0xC0], &[]);
        let n = v.len();
        v[n - 8..n - 4].copy_from_slice(&0xFFFF_FFFFu32.to_le_bytes());
        assert_eq!(Wav::parse(&v).unwrap().samples, vec![0.5, -0.5]);
    }

    #[test]
    fn clear_errors() {
        assert_eq!(Wav::parse(b"hello"), Err(WavError::NotWav));
        assert_eq!(Wav::parse(b"RIFF\0\0\0\0WAVE"), Err(WavError::MissingFormat));
        assert!(matches!(Wav::parse(&header(2, 1, 8000, 4, &[0], &[])), Err(WavError::Unsupported(_))));
        assert!(matches!(Wav::parse(&header(1, 1, 0, 16, &[0, 0], &[])), Err(WavError::Unsupported(_))));
        assert!(matches!(Wav::parse(&header(1, 0, 8000, 16, &[0, 0], &[])), Err(WavError::Unsupported(_))));
        let mut v = header(1, 1, 8000, 16, &[], b"junk\xff\xff\0\0");
        v.truncate(30);
        assert_eq!(Wav::parse(&v), Err(WavError::Truncated));
        let mut no_data = header(1, 1, 8000, 16, &[], &[]);
        no_data.truncate(no_data.len() - 8);
        assert_eq!(Wav::parse(&no_data), Err(WavError::MissingData));
    }

    #[test]
    fn to_i16_clips_and_rounds() {
        assert_eq!(to_i16(2.0), 32767);
        assert_eq!(to_i16(-2.0), -32768);
        assert_eq!(to_i16(f32::NAN), 0);
        assert_eq!(to_i16(0.5), 16384);
    }

    #[test]
    fn chunk_lengths_near_four_gigabytes_do_not_wrap() {
        // Body offsets and lengths as a 32-bit target would see them: 12 + 8 + 0xFFFF_FFF0 wraps
        // to 4 in 32 bits, which a wrapping reader would take for a chunk ending inside the file
        // (and loop for ever on). Here it runs past the end, whatever the width of usize.
        for len in [u32::MAX, u32::MAX - 1, 0xFFFF_FFF0, 0xFFFF_FFEC, 0x8000_0000] {
            assert_eq!(chunk_bounds(20, len, 100), None, "{len:#x}");
            assert_eq!(chunk_bounds(u32::MAX as u64 - 8, len, u32::MAX as u64), None, "{len:#x}");
        }
        assert_eq!(chunk_bounds(u64::MAX - 4, 8, u64::MAX), None);
        // Odd lengths are padded; a chunk may end exactly at the end of the file.
        assert_eq!(chunk_bounds(20, 3, 100), Some((23, 24)));
        assert_eq!(chunk_bounds(20, 80, 100), Some((100, 100)));
        assert_eq!(chunk_bounds(20, 81, 100), None);
        let big = u32::MAX as u64 + 100;
        assert_eq!(chunk_bounds(99, u32::MAX, big), Some((99 + u32::MAX as u64, 100 + u32::MAX as u64)));
    }

    #[test]
    fn huge_chunk_lengths_are_truncated_files() {
        for len in [u32::MAX, u32::MAX - 1, 0xFFFF_FFF0, 0xFFFF_FFEC, 0x7FFF_FFFF] {
            // An unknown chunk and a fmt chunk claiming nearly 4 GiB, before the fmt or the data.
            for id in [b"junk", b"fmt "] {
                let mut v = b"RIFF\0\0\0\0WAVE".to_vec();
                v.extend_from_slice(id);
                v.extend_from_slice(&len.to_le_bytes());
                v.extend_from_slice(&[0; 64]);
                assert_eq!(Wav::parse(&v), Err(WavError::Truncated), "{id:?} {len:#x}");
            }
            // A data chunk claiming as much is read to the end of the file.
            let mut v = header(1, 1, 8000, 16, &[0, 0x40], &[]);
            let n = v.len();
            v[n - 6..n - 2].copy_from_slice(&len.to_le_bytes());
            assert_eq!(Wav::parse(&v).unwrap().samples, vec![0.5]);
        }
    }

    #[test]
    fn emit_refuses_what_a_wav_cannot_hold() {
        // The byte rate (twice the sample rate) must fit 32 bits.
        let top = u32::MAX / 2;
        let w = Wav::parse(&Wav::try_emit_pcm16(top, &[0.5]).unwrap());
        assert!(matches!(w, Err(WavError::Unsupported(_))), "the reader takes rates to 1 MHz: {w:?}");
        let b = Wav::try_emit_pcm16(top, &[0.5]).unwrap();
        assert_eq!(u32::from_le_bytes(b[28..32].try_into().unwrap()), top * 2);
        for rate in [top + 1, u32::MAX, 0] {
            let e = Wav::try_emit_pcm16(rate, &[0.5]).unwrap_err();
            assert!(matches!(&e, WavError::TooLarge(_)), "{rate}: {e:?}");
            assert!(e.to_string().contains(&format!("sample rate of {rate} Hz")), "{e}");
        }
        assert!(std::panic::catch_unwind(|| Wav::emit_pcm16(u32::MAX, &[])).is_err());
    }
}
