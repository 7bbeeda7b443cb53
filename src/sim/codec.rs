//! Speech codec round trips through `sox`, and V.22/V.22bis bit error rates measured through them.
//!
//! **Tools for tests and benchmarks, not part of the sans-IO core.** Everything else in this crate
//! is sans-IO; this module writes temporary files and runs the external `sox` program (Debian's
//! `sox` with `libsox-fmt-all`, for its `gsm` and `amr-nb` formats), so it is left out of the
//! WebAssembly build.
//!
//! A codec round trip works on a whole buffer: the 8 kHz samples are written as raw 16-bit
//! little-endian PCM, encoded by `sox -D` (no dither, so results repeat) to `.gsm` (GSM 06.10
//! full rate) or `.amr-nb` (AMR narrow band at the mode given with `-C`), decoded back to raw
//! PCM, and realigned to the input: the codec's delay is found by cross-correlation and removed.
//!
//! ```no_run
//! use softmodem::sim::codec::{round_trip, SpeechCodec};
//! let tone: Vec<f32> = (0..8000).map(|n| 0.2 * (n as f32 * 0.3).sin()).collect();
//! let back = round_trip(SpeechCodec::AmrNb(7), &tone).expect("sox with libsox-fmt-all");
//! println!("delay {} samples, correlation {:.3}", back.delay, back.correlation);
//! ```
//!
//! [`v22_ber_through`] (and [`BerTest`] for more settings) measures the bit error rate of one
//! direction of a V.22 (1200 bit/s) or V.22bis (2400 bit/s) link through a codec: the
//! transmitter's whole signal (training, then the O.152 pattern) goes through the codec, then
//! through our receiver, descrambler and error counter.

use std::fmt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::dsp::SAMPLE_RATE;
use crate::sim::bert::{BerCounter, Prbs};
use crate::v22bis::rx::Receiver;
use crate::v22bis::tx::{Signal, Transmitter};
use crate::v22bis::{Descrambler, GuardTone, Rate, BAUD};

/// Longest codec delay looked for, in samples (100 ms).
pub const MAX_DELAY: usize = 800;

/// Samples the delay search correlates over at most.
const DELAY_WINDOW: usize = 1 << 16;

/// A speech codec sox can run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpeechCodec {
    /// GSM 06.10 full rate (13 kbit/s), sox's `.gsm`.
    GsmFr,
    /// AMR narrow band, sox's `.amr-nb`, at the mode sox's `-C` selects: 0 = 4.75, 1 = 5.15,
    /// 2 = 5.9, 3 = 6.7, 4 = 7.4, 5 = 7.95, 6 = 10.2, 7 = 12.2 kbit/s. Other modes are passed to
    /// sox as they are (which refuses them).
    AmrNb(u8),
}

const AMR_NAMES: [&str; 8] = ["amr475", "amr515", "amr59", "amr67", "amr74", "amr795", "amr102", "amr122"];
const AMR_KBPS: [f32; 8] = [4.75, 5.15, 5.9, 6.7, 7.4, 7.95, 10.2, 12.2];

impl SpeechCodec {
    /// Every codec, GSM first, then AMR from 4.75 to 12.2 kbit/s.
    pub const ALL: [SpeechCodec; 9] = [
        SpeechCodec::GsmFr,
        SpeechCodec::AmrNb(0),
        SpeechCodec::AmrNb(1),
        SpeechCodec::AmrNb(2),
        SpeechCodec::AmrNb(3),
        SpeechCodec::AmrNb(4),
        SpeechCodec::AmrNb(5),
        SpeechCodec::AmrNb(6),
        SpeechCodec::AmrNb(7),
    ];

    /// AMR 12.2 kbit/s (mode 7), the codec of GSM's enhanced full rate and most 3G calls.
    pub const AMR_122: SpeechCodec = SpeechCodec::AmrNb(7);

    /// The name: `gsm`, or `amr475`, `amr515`, `amr59`, `amr67`, `amr74`, `amr795`, `amr102`,
    /// `amr122` (`amr-invalid` for a mode above 7).
    pub fn name(self) -> &'static str {
        match self {
            SpeechCodec::GsmFr => "gsm",
            SpeechCodec::AmrNb(m) => AMR_NAMES.get(m as usize).copied().unwrap_or("amr-invalid"),
        }
    }

    /// Parses a name as [`SpeechCodec::name`] gives it.
    pub fn parse(s: &str) -> Option<SpeechCodec> {
        SpeechCodec::ALL.into_iter().find(|c| c.name() == s)
    }

    /// Bit rate in kbit/s (0 for an invalid AMR mode).
    pub fn kbps(self) -> f32 {
        match self {
            SpeechCodec::GsmFr => 13.0,
            SpeechCodec::AmrNb(m) => AMR_KBPS.get(m as usize).copied().unwrap_or(0.0),
        }
    }

    /// The file extension sox recognises the format by.
    fn extension(self) -> &'static str {
        match self {
            SpeechCodec::GsmFr => "gsm",
            SpeechCodec::AmrNb(_) => "amr-nb",
        }
    }
}

impl fmt::Display for SpeechCodec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SpeechCodec::AmrNb(m) if *m > 7 => write!(f, "amr mode {m}"),
            c => f.write_str(c.name()),
        }
    }
}

/// Frame types found in an AMR file (storage format, RFC 4867 section 5): frame type 0..=7 are
/// speech at the eight modes, 8 is a SID (comfort noise: the encoder's voice activity detector
/// took the input for background noise and discontinuous transmission, DTX, sent only a
/// description of it), 15 is "no data".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AmrFrames {
    /// Frames of each of the 16 frame types.
    pub counts: [u32; 16],
}

impl AmrFrames {
    /// Speech frames (types 0..=7).
    pub fn speech(&self) -> u32 {
        self.counts[..8].iter().sum()
    }

    /// SID frames (type 8): DTX was on and the VAD heard no speech.
    pub fn sid(&self) -> u32 {
        self.counts[8]
    }

    /// "No data" frames (type 15), sent between SIDs during DTX.
    pub fn no_data(&self) -> u32 {
        self.counts[15]
    }

    /// All frames.
    pub fn total(&self) -> u32 {
        self.counts.iter().sum()
    }

    /// Counts the frames of an AMR-NB storage format file's bytes, or says why it cannot.
    pub fn parse(bytes: &[u8]) -> Result<AmrFrames, CodecError> {
        const MAGIC: &[u8] = b"#!AMR\n";
        // Bytes per frame after the header byte, by frame type; None for reserved types.
        const SIZES: [Option<usize>; 16] = [
            Some(12),
            Some(13),
            Some(15),
            Some(17),
            Some(19),
            Some(20),
            Some(26),
            Some(31),
            Some(5),
            Some(5),
            Some(5),
            Some(5),
            None,
            None,
            None,
            Some(0),
        ];
        let mut rest = bytes.strip_prefix(MAGIC).ok_or(CodecError::NotAmr)?;
        let mut frames = AmrFrames::default();
        while let Some((&head, body)) = rest.split_first() {
            let ft = ((head >> 3) & 15) as usize;
            let size = SIZES[ft].ok_or(CodecError::ReservedAmrFrame(ft as u8))?;
            if body.len() < size {
                return Err(CodecError::TruncatedAmrFrame(ft as u8));
            }
            frames.counts[ft] += 1;
            rest = &body[size..];
        }
        Ok(frames)
    }
}

/// Why a codec round trip or an AMR file could not be done.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodecError {
    /// The sox program is not there.
    SoxNotFound {
        /// The step (`encoding to gsm`, ...).
        what: String,
        /// The program looked for.
        sox: PathBuf,
    },
    /// The sox program could not be started.
    SoxUnrunnable {
        /// The step.
        what: String,
        /// The program.
        sox: PathBuf,
        /// The operating system's reason.
        reason: String,
    },
    /// sox ran and failed.
    SoxFailed {
        /// The step.
        what: String,
        /// Its exit status (`None`: killed by a signal).
        status: Option<i32>,
        /// What it said.
        stderr: String,
    },
    /// A temporary file could not be written or read.
    File {
        /// The file.
        path: PathBuf,
        /// The operating system's reason.
        reason: String,
    },
    /// Not an AMR-NB storage format file (no `#!AMR` header).
    NotAmr,
    /// An AMR frame of a reserved type.
    ReservedAmrFrame(u8),
    /// The file ends inside an AMR frame of this type.
    TruncatedAmrFrame(u8),
}

impl fmt::Display for CodecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CodecError::SoxNotFound { what, sox } => write!(
                f,
                "{what}: `{}` not found; install sox with its codecs (Debian: apt-get install sox libsox-fmt-all) \
                 or set SOX to its path",
                sox.display()
            ),
            CodecError::SoxUnrunnable { what, sox, reason } => {
                write!(f, "{what}: cannot run `{}`: {reason}", sox.display())
            }
            CodecError::SoxFailed { what, status, stderr } => match status {
                Some(c) => write!(f, "{what}: sox failed (status {c}): {stderr}"),
                None => write!(f, "{what}: sox failed (killed by a signal): {stderr}"),
            },
            CodecError::File { path, reason } => write!(f, "cannot write or read {}: {reason}", path.display()),
            CodecError::NotAmr => f.write_str("not an AMR-NB file (no #!AMR header)"),
            CodecError::ReservedAmrFrame(t) => write!(f, "reserved AMR frame type {t}"),
            CodecError::TruncatedAmrFrame(t) => write!(f, "truncated AMR frame of type {t}"),
        }
    }
}

impl std::error::Error for CodecError {}

/// A buffer after a codec round trip.
#[derive(Debug, Clone)]
pub struct RoundTrip {
    /// The decoded samples aligned to the input (the codec's delay removed): as many as went in,
    /// the last `delay` of them zero.
    pub samples: Vec<f32>,
    /// The codec's delay in samples (output sample `n + delay` matches input sample `n`), found
    /// by cross-correlation within 0..=[`MAX_DELAY`]. A periodic input (a steady tone) makes it
    /// ambiguous by whole periods.
    pub delay: usize,
    /// Normalised cross-correlation of input and aligned output at that delay (1: a perfect copy
    /// up to a gain).
    pub correlation: f32,
    /// For AMR, the frame types the encoder produced (shows whether DTX cut in).
    pub amr_frames: Option<AmrFrames>,
}

/// The sox program to run: `$SOX` if set, else `sox` from the `PATH`.
pub fn sox_program() -> PathBuf {
    std::env::var_os("SOX").map(PathBuf::from).unwrap_or_else(|| PathBuf::from("sox"))
}

/// Runs `input` (8 kHz samples, full scale 1.0) through `codec` and back with sox (see
/// [`sox_program`]), and aligns the result to the input.
pub fn round_trip(codec: SpeechCodec, input: &[f32]) -> Result<RoundTrip, CodecError> {
    round_trip_with(&sox_program(), codec, input)
}

/// [`round_trip`] with the given sox program.
pub fn round_trip_with(sox: &Path, codec: SpeechCodec, input: &[f32]) -> Result<RoundTrip, CodecError> {
    let (decoded, amr_frames) = round_trip_raw(sox, codec, input)?;
    let (delay, correlation) = find_delay(input, &decoded, MAX_DELAY);
    let mut samples: Vec<f32> = decoded.iter().skip(delay).copied().take(input.len()).collect();
    samples.resize(input.len(), 0.0);
    Ok(RoundTrip { samples, delay, correlation, amr_frames })
}

/// Temporary files, removed when dropped.
struct TempFiles(Vec<PathBuf>);

impl Drop for TempFiles {
    fn drop(&mut self) {
        for p in &self.0 {
            let _ = std::fs::remove_file(p);
        }
    }
}

/// A prefix for temporary files no other call (in this process or another) uses.
fn unique_prefix() -> PathBuf {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0);
    std::env::temp_dir().join(format!("softmodem-codec-{}-{n}-{nanos:09}", std::process::id()))
}

fn run_sox(sox: &Path, args: &[&std::ffi::OsStr], what: &str) -> Result<(), CodecError> {
    let out = Command::new(sox).args(args).output().map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            CodecError::SoxNotFound { what: what.into(), sox: sox.into() }
        } else {
            CodecError::SoxUnrunnable { what: what.into(), sox: sox.into(), reason: e.to_string() }
        }
    })?;
    if out.status.success() {
        Ok(())
    } else {
        Err(CodecError::SoxFailed {
            what: what.into(),
            status: out.status.code(),
            stderr: String::from_utf8_lossy(&out.stderr).trim().to_string(),
        })
    }
}

/// The codec round trip without alignment: the decoded samples as sox gives them (the codec's
/// delay still in), and for AMR the encoder's frame types.
pub fn round_trip_raw(
    sox: &Path,
    codec: SpeechCodec,
    input: &[f32],
) -> Result<(Vec<f32>, Option<AmrFrames>), CodecError> {
    let prefix = unique_prefix();
    let with = |ext: &str| {
        let mut p = prefix.clone().into_os_string();
        p.push(ext);
        PathBuf::from(p)
    };
    let (raw_in, coded, raw_out) = (with(".in.raw"), with(&format!(".{}", codec.extension())), with(".out.raw"));
    let _cleanup = TempFiles(vec![raw_in.clone(), coded.clone(), raw_out.clone()]);

    let mut bytes = Vec::with_capacity(2 * input.len());
    for &s in input {
        bytes.extend_from_slice(&crate::dsp::to_i16(s).to_le_bytes());
    }
    std::fs::write(&raw_in, &bytes).map_err(|e| CodecError::File { path: raw_in.clone(), reason: e.to_string() })?;

    let raw = ["-t", "raw", "-r", "8000", "-e", "signed-integer", "-b", "16", "-c", "1"];
    let os = |s: &'static str| std::ffi::OsStr::new(s);
    let mode = match codec {
        SpeechCodec::AmrNb(m) => Some(m.to_string()),
        SpeechCodec::GsmFr => None,
    };
    let mut enc: Vec<&std::ffi::OsStr> = vec![os("-D")];
    enc.extend(raw.iter().map(|s| os(s)));
    enc.push(raw_in.as_os_str());
    if let Some(m) = &mode {
        enc.push(os("-C"));
        enc.push(std::ffi::OsStr::new(m.as_str()));
    }
    enc.push(coded.as_os_str());
    run_sox(sox, &enc, &format!("encoding to {codec}"))?;

    let amr_frames = match codec {
        SpeechCodec::AmrNb(_) => {
            let b =
                std::fs::read(&coded).map_err(|e| CodecError::File { path: coded.clone(), reason: e.to_string() })?;
            Some(AmrFrames::parse(&b)?)
        }
        SpeechCodec::GsmFr => None,
    };

    let mut dec: Vec<&std::ffi::OsStr> = vec![os("-D"), coded.as_os_str()];
    dec.extend(raw.iter().map(|s| os(s)));
    dec.push(raw_out.as_os_str());
    run_sox(sox, &dec, &format!("decoding from {codec}"))?;

    let b = std::fs::read(&raw_out).map_err(|e| CodecError::File { path: raw_out.clone(), reason: e.to_string() })?;
    let decoded = b.chunks_exact(2).map(|c| i16::from_le_bytes([c[0], c[1]]) as f32 / 32768.0).collect();
    Ok((decoded, amr_frames))
}

/// The lag in 0..=`max_lag` at which `output` best matches `input` (`output[n + lag]` ~
/// `input[n]`), by normalised cross-correlation over up to 65536 samples from the first one of
/// `input` that is not silent; and that correlation (in -1..=1; 0 when either is silent).
pub fn find_delay(input: &[f32], output: &[f32], max_lag: usize) -> (usize, f32) {
    let start = input.iter().position(|v| v.abs() > 1e-4).unwrap_or(0);
    let end = (start + DELAY_WINDOW).min(input.len());
    let x = &input[start..end];
    let ex: f64 = x.iter().map(|&v| v as f64 * v as f64).sum();
    let mut best = (0, 0.0f64);
    for lag in 0..=max_lag {
        let from = start + lag;
        if from >= output.len() {
            break;
        }
        let y = &output[from..(from + x.len()).min(output.len())];
        let xy: f64 = x.iter().zip(y).map(|(&a, &b)| a as f64 * b as f64).sum();
        let ey: f64 = y.iter().map(|&v| v as f64 * v as f64).sum();
        let c = if ex > 0.0 && ey > 0.0 { xy / (ex * ey).sqrt() } else { 0.0 };
        if c > best.1 {
            best = (lag, c);
        }
    }
    (best.0, best.1 as f32)
}

/// One second of a BER measurement (of data symbols as the receiver decided them).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct SecondStats {
    /// Bits compared in this second.
    pub bits: u64,
    /// Of those, bits in error.
    pub errors: u64,
    /// Mean squared decision error over this second's symbols (constellation units).
    pub mse: f32,
}

/// What a BER measurement found.
#[derive(Debug, Clone, PartialEq)]
pub struct BerReport {
    /// Bits compared while the error counter was synchronised to the pattern.
    pub bits: u64,
    /// Of those, bits in error (after the descrambler, which triples isolated line errors).
    pub errors: u64,
    /// Times the error counter lost the pattern during the data (more than 16 errors in 64
    /// bits); the bits around each loss are not counted.
    pub sync_losses: u32,
    /// Times the receiver restarted during the measurement (it lost the carrier and acquired
    /// again), after its first acquisition.
    pub restarts: u32,
    /// SNR from the receiver's decision errors averaged over the data symbols, in dB. It only
    /// means something while most decisions are right: decisions that are mostly wrong still sit
    /// within half a point spacing, which reads as about 11.8 dB among 16 points (uniform errors
    /// in a cell of side 2 give a mean squared error of 2/3) and about 4.3 dB among the four
    /// 1200 bit/s points.
    pub snr_db: f32,
    /// The worst one-second SNR, in dB.
    pub worst_second_snr_db: f32,
    /// The receiver's own (smoothed) SNR estimate at the end of the measured data, in dB.
    pub final_snr_db: f32,
    /// All data bits after the training (also when the error counter had lost the pattern).
    pub pattern_bits: u64,
    /// Of those, bits that differ from the O.152 pattern at its best phase, found afresh for each
    /// block of 2047 bits whose errors exceed 20 % at the previous block's phase: meaningful up to
    /// error rates near 0.5, where [`BerReport::errors`] (whose counter loses the pattern above
    /// about 0.1) says little.
    pub pattern_errors: u64,
    /// Error events: runs of errors with gaps shorter than 32 bits (one line error becomes three
    /// errors within 17 bits after the descrambler).
    pub error_events: u32,
    /// The rate the receiver decided at, at the end.
    pub rx_rate: Option<Rate>,
    /// The level the receiver heard, in dBm0.
    pub rx_level_dbm0: f32,
    /// The codec's delay in samples, if a codec was used.
    pub codec_delay: Option<usize>,
    /// For AMR, the encoder's frame types.
    pub amr_frames: Option<AmrFrames>,
    /// Per second of data.
    pub seconds: Vec<SecondStats>,
}

impl BerReport {
    /// The error rate against the pattern over all data bits (see [`BerReport::pattern_errors`]).
    pub fn pattern_ber(&self) -> f64 {
        if self.pattern_bits == 0 {
            0.5
        } else {
            self.pattern_errors as f64 / self.pattern_bits as f64
        }
    }

    /// The bit error rate (errors / bits; 1.0 when no bit could be compared).
    pub fn ber(&self) -> f64 {
        if self.bits == 0 {
            1.0
        } else {
            self.errors as f64 / self.bits as f64
        }
    }
}

/// A BER measurement of one direction of a V.22/V.22bis link through a speech codec.
#[derive(Debug, Clone, PartialEq)]
pub struct BerTest {
    /// The codec, or `None` for the straight signal (16-bit quantised, as a reference).
    pub codec: Option<SpeechCodec>,
    /// The transmitter's carrier: 1200 Hz (calling modem) or 2400 Hz (answering modem).
    pub carrier_hz: f32,
    /// The data rate.
    pub rate: Rate,
    /// Seconds of data after the training.
    pub seconds: f32,
    /// Transmit level in dBm0 (default -13).
    pub level_dbm0: f32,
    /// Seed: moves the signal against the codec's 20 ms frames (0..160 samples of extra leading
    /// silence) and the pattern's starting point.
    pub seed: u64,
}

/// Symbols of 1200 bit/s scrambled ones the transmitter trains with (as the receiver's test
/// harness: acquire, track at 1200 bit/s, then watch for 2400).
const TRAIN_SYMBOLS: u64 = 400;
/// Leading silence in samples (before the seed's extra).
const LEAD: usize = 800;
/// Received symbols after the training before the error counter starts.
const MARGIN_SYMBOLS: u64 = 30;
/// Data symbols sent after the measured ones, so the receiver's filters and the codec's delay do
/// not reach the end of the buffer while measuring.
const TAIL_SYMBOLS: u64 = 40;

impl BerTest {
    /// -13 dBm0, 10 seconds, seed 1.
    pub fn new(codec: Option<SpeechCodec>, carrier_hz: f32, rate: Rate) -> Self {
        BerTest { codec, carrier_hz, rate, seconds: 10.0, level_dbm0: -13.0, seed: 1 }
    }

    /// Data symbols sent (and, less the first 30, measured).
    pub fn data_symbols(&self) -> u64 {
        (self.seconds.max(0.0) * BAUD).ceil() as u64
    }

    /// The transmitter's signal: leading silence, 1200 bit/s training, data.
    pub fn transmit(&self) -> Vec<f32> {
        let mut rng = crate::sim::rng::Rng::new(self.seed);
        let lead = LEAD + rng.below(160) as usize;
        let mut prbs = Prbs::new();
        for _ in 0..rng.below(2047) {
            prbs.next_bit();
        }
        let data_symbols = self.data_symbols();
        let total_symbols = TRAIN_SYMBOLS + data_symbols + TAIL_SYMBOLS;
        let sps = SAMPLE_RATE as f32 / BAUD;
        let n = lead + (total_symbols as f32 * sps).ceil() as usize;
        let mut x = vec![0.0f32; n];
        let mut tx = Transmitter::new(self.carrier_hz, self.level_dbm0, GuardTone::None);
        tx.set_signal(Signal::ScrambledOnes(Rate::R1200));
        // One sample at a time, so the data starts on exactly the symbol after the training.
        let mut bits = || prbs.next_bit();
        for y in x[lead..].chunks_mut(1) {
            if tx.symbols_sent() >= TRAIN_SYMBOLS && tx.signal() != Signal::Data(self.rate) {
                tx.set_signal(Signal::Data(self.rate));
            }
            tx.process(y, &mut bits);
        }
        x
    }

    /// Runs the measurement.
    pub fn run(&self) -> Result<BerReport, CodecError> {
        let x = self.transmit();
        let (heard, codec_delay, amr_frames) = match self.codec {
            Some(c) => {
                let rt = round_trip(c, &x)?;
                (rt.samples, Some(rt.delay), rt.amr_frames)
            }
            None => (x.iter().map(|&v| crate::dsp::to_i16(v) as f32 / 32768.0).collect(), None, None),
        };
        let mut report = self.receive(&heard);
        report.codec_delay = codec_delay;
        report.amr_frames = amr_frames;
        Ok(report)
    }

    /// Demodulates `heard` (this test's transmitted signal after whatever channel) and counts.
    pub fn receive(&self, heard: &[f32]) -> BerReport {
        let mut rx = Receiver::new(self.carrier_hz);
        let mut d = Descrambler::new();
        let mut ber = BerCounter::new();
        let mut watching = false;
        let mut restarts = 0u32;
        let mut acquired = false;
        let per_second = BAUD as u64;
        let mut seconds: Vec<SecondStats> = Vec::new();
        let mut cur = SecondStats::default();
        let mut cur_symbols = 0u64;
        let mut cur_err_sq = 0.0f64;
        let (mut sum_err_sq, mut data_symbols) = (0.0f64, 0u64);
        let mut last_error_bit: Option<u64> = None;
        let mut events = 0u32;
        let mut counted_bits = 0u64;
        let start = TRAIN_SYMBOLS + MARGIN_SYMBOLS;
        // The measured symbols: the data the transmitter sent, less the margin at its start.
        let end = TRAIN_SYMBOLS + self.data_symbols();
        let mut all_bits: Vec<u8> = Vec::new();
        // The receiver is driven block by block as the test harness does: acquire, track at
        // 1200 bit/s after 150 symbols, watch for 2400 after 300 (when measuring 2400).
        let mut symbol_index = 0u64;
        let mut final_snr_db = 0.0;
        for chunk in heard.chunks(160) {
            rx.process(chunk, |s| {
                symbol_index += 1;
                let bits = [s.b12.0, s.b12.1, s.b34.0, s.b34.1];
                let bits = &bits[..s.rate.bits_per_symbol()];
                if symbol_index > end {
                    return;
                }
                if symbol_index <= start {
                    // The descrambler runs from the start, so it is in step when counting begins.
                    bits.iter().for_each(|&b| {
                        d.descramble(b);
                    });
                    return;
                }
                for &b in bits {
                    let (before_bits, before_errors) = (ber.bits, ber.errors);
                    let b = d.descramble(b);
                    all_bits.push(b);
                    ber.push(b);
                    counted_bits += 1;
                    if ber.errors > before_errors {
                        if last_error_bit.is_none_or(|l| counted_bits - l >= 32) {
                            events += 1;
                        }
                        last_error_bit = Some(counted_bits);
                    }
                    cur.bits += ber.bits.saturating_sub(before_bits);
                    cur.errors += ber.errors.saturating_sub(before_errors);
                }
                let e = s.error as f64;
                sum_err_sq += e;
                data_symbols += 1;
                cur_err_sq += e;
                cur_symbols += 1;
                if cur_symbols == per_second {
                    cur.mse = (cur_err_sq / cur_symbols as f64) as f32;
                    seconds.push(cur);
                    cur = SecondStats::default();
                    cur_symbols = 0;
                    cur_err_sq = 0.0;
                }
            });
            if symbol_index <= end {
                final_snr_db = rx.snr_db();
            }
            match rx.rate() {
                None => {
                    if acquired {
                        restarts += 1;
                        acquired = false;
                    }
                    watching = false;
                    if rx.symbols() > 150 {
                        rx.set_rate(Rate::R1200);
                        acquired = true;
                    }
                }
                Some(Rate::R1200) => {
                    if self.rate == Rate::R2400 && !watching && rx.symbols() > 300 {
                        rx.watch_for_2400();
                        watching = true;
                    }
                }
                Some(Rate::R2400) => {}
            }
        }
        let pattern_errors = errors_against_pattern(&all_bits);
        let snr = |mse: f64| 10.0 * (crate::v22bis::Constellation::POWER as f64 / mse.max(1e-6)).log10();
        let worst = seconds.iter().map(|s| s.mse).fold(0.0f32, f32::max);
        BerReport {
            bits: ber.bits,
            errors: ber.errors,
            sync_losses: ber.syncs.saturating_sub(1),
            restarts,
            snr_db: if data_symbols > 0 { snr(sum_err_sq / data_symbols as f64) as f32 } else { 0.0 },
            worst_second_snr_db: if seconds.is_empty() { 0.0 } else { snr(worst as f64) as f32 },
            final_snr_db,
            pattern_bits: all_bits.len() as u64,
            pattern_errors,
            error_events: events,
            rx_rate: rx.rate(),
            rx_level_dbm0: rx.level_dbm0(),
            codec_delay: None,
            amr_frames: None,
            seconds,
        }
    }
}

/// Errors of `bits` against the O.152 pattern, block by block (see [`BerReport::pattern_errors`]).
fn errors_against_pattern(bits: &[u8]) -> u64 {
    const PERIOD: usize = 2047;
    let mut prbs = Prbs::new();
    let one: Vec<u8> = (0..PERIOD).map(|_| prbs.next_bit()).collect();
    let pattern: Vec<u8> = one.iter().chain(&one).copied().collect();
    let count =
        |block: &[u8], phase: usize| -> usize { block.iter().zip(&pattern[phase..]).filter(|(a, b)| a != b).count() };
    let mut phase = 0;
    let mut total = 0u64;
    for block in bits.chunks(PERIOD) {
        let mut errors = count(block, phase);
        if errors * 5 > block.len() {
            for p in 0..PERIOD {
                let e = count(block, p);
                if e < errors {
                    (errors, phase) = (e, p);
                }
            }
        }
        total += errors as u64;
        // The phase of the next block's first bit.
        phase = (phase + block.len()) % PERIOD;
    }
    total
}

/// The bit error rate of one direction of a V.22 (`Rate::R1200`) or V.22bis (`Rate::R2400`) link
/// through `codec` and back: `seconds` of the O.152 pattern from a transmitter on `carrier_hz`
/// (1200 calling, 2400 answering) at -13 dBm0, after 1200 bit/s training. See [`BerTest`].
pub fn v22_ber_through(
    codec: SpeechCodec,
    carrier_hz: f32,
    rate: Rate,
    seconds: f32,
    seed: u64,
) -> Result<BerReport, CodecError> {
    BerTest { seconds, seed, ..BerTest::new(Some(codec), carrier_hz, rate) }.run()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::rng::Rng;

    #[test]
    fn names_round_trip() {
        for c in SpeechCodec::ALL {
            assert_eq!(SpeechCodec::parse(c.name()), Some(c));
            assert_eq!(c.to_string(), c.name());
        }
        assert_eq!(SpeechCodec::parse("amr122"), Some(SpeechCodec::AMR_122));
        assert_eq!(SpeechCodec::AMR_122.kbps(), 12.2);
        assert_eq!(SpeechCodec::AmrNb(8).name(), "amr-invalid");
        assert_eq!(SpeechCodec::AmrNb(8).to_string(), "amr mode 8");
        assert_eq!(SpeechCodec::parse("amr-invalid"), None);
    }

    #[test]
    fn amr_frames_are_counted() {
        let mut f = b"#!AMR\n".to_vec();
        f.push(7 << 3 | 4);
        f.extend([0u8; 31]);
        f.push(8 << 3 | 4);
        f.extend([0u8; 5]);
        f.push(15 << 3 | 4);
        let n = AmrFrames::parse(&f).unwrap();
        assert_eq!((n.speech(), n.sid(), n.no_data(), n.total()), (1, 1, 1, 3));
        assert!(AmrFrames::parse(b"RIFF").is_err());
        assert!(AmrFrames::parse(&f[..20]).unwrap_err().to_string().contains("truncated"));
        assert!(AmrFrames::parse(b"#!AMR\n\x60").unwrap_err().to_string().contains("reserved"));
    }

    #[test]
    fn delay_is_found() {
        let mut r = Rng::new(2);
        let x: Vec<f32> = (0..4000).map(|i| if i < 100 { 0.0 } else { r.gaussian() * 0.1 }).collect();
        for d in [0usize, 1, 40, 333] {
            let mut y = vec![0.0; d];
            y.extend(x.iter().map(|v| -0.5 * v));
            let (lag, c) = find_delay(&x, &y, MAX_DELAY);
            // A negative gain is not a match: the search wants the copy, not its inverse.
            assert!(lag != d || c < 0.0, "{d}");
            let y: Vec<f32> = y.iter().map(|v| -v).collect();
            let (lag, c) = find_delay(&x, &y, MAX_DELAY);
            assert!(lag == d && c > 0.9999, "{d}: {lag} {c}");
        }
        assert_eq!(find_delay(&[0.0; 100], &[0.0; 100], 10), (0, 0.0));
    }

    #[test]
    fn pattern_errors_survive_a_slip() {
        let mut p = Prbs::new();
        let mut bits: Vec<u8> = (0..10_000).map(|_| p.next_bit()).collect();
        assert_eq!(errors_against_pattern(&bits[123..]), 0);
        bits[5000] ^= 1;
        bits[5001] ^= 1;
        assert_eq!(errors_against_pattern(&bits), 2);
        // A lost bit costs at most the rest of its block.
        bits.remove(7000);
        let e = errors_against_pattern(&bits);
        assert!(e > 2 && e < 2 + 2047, "{e}");
    }

    #[test]
    fn straight_through_is_error_free() {
        for (carrier, rate) in [(1200.0, Rate::R1200), (2400.0, Rate::R2400)] {
            let t = BerTest { seconds: 3.0, level_dbm0: -20.0, seed: 5, ..BerTest::new(None, carrier, rate) };
            let r = t.run().unwrap();
            let want = (3.0 * BAUD) as u64 * rate.bits_per_symbol() as u64;
            assert!(r.bits > want * 9 / 10 && r.bits <= want, "{} of {want}", r.bits);
            assert_eq!((r.errors, r.pattern_errors, r.sync_losses, r.restarts), (0, 0, 0, 0));
            assert_eq!(r.rx_rate, Some(rate));
            assert!((r.rx_level_dbm0 + 20.0).abs() < 1.0, "{}", r.rx_level_dbm0);
            assert!(r.snr_db > 30.0 && r.seconds.len() == 2, "{} {}", r.snr_db, r.seconds.len());
        }
    }
}
