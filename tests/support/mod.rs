//! Helpers shared by the integration tests: running the `softmodem` binary and its stdio pairs,
//! scratch directories, test texts and signals (`cli`, `minimodem`, `stdio`, the spandsp tests),
//! and a call through speech codecs ([`codec_call`], which `benches/codecs.rs` includes too).
#![allow(dead_code)]

pub mod codec_call;
pub mod peer;
#[cfg(target_os = "linux")]
pub mod pty;
#[cfg(target_os = "linux")]
pub mod slirp;

use std::ffi::OsStr;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, ExitStatus, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread::JoinHandle;

use softmodem::sim::rng::Rng;
use softmodem::wav::Wav;

/// The `softmodem` binary under test.
pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_softmodem")
}

/// A scratch directory under the system temporary directory, unique to the process and the test,
/// removed (with everything in it) when dropped.
pub struct Scratch {
    dir: PathBuf,
}

impl Scratch {
    /// A new, empty directory; `tag` names the test that owns it.
    pub fn new(tag: &str) -> Self {
        static N: AtomicUsize = AtomicUsize::new(0);
        let n = N.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("softmodem-test-{}-{tag}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create scratch directory");
        Scratch { dir }
    }

    /// A path inside the directory.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// Writes a file inside the directory and returns its path.
    pub fn write(&self, name: &str, data: &[u8]) -> PathBuf {
        let p = self.path(name);
        std::fs::write(&p, data).expect("write scratch file");
        p
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Runs `softmodem` with `args`, feeding `stdin` (if any), and returns what it did.
pub fn softmodem<I, S>(args: I, stdin: Option<&[u8]>) -> Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    run(Command::new(bin()).args(args), stdin)
}

/// Runs a command to completion with `stdin` (or an empty stdin).
pub fn run(cmd: &mut Command, stdin: Option<&[u8]>) -> Output {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {cmd:?}: {e}"));
    let mut pipe = child.stdin.take().unwrap();
    let data = stdin.unwrap_or(&[]).to_vec();
    // Write from a thread so a large stdin cannot deadlock against a full stdout pipe.
    let writer = std::thread::spawn(move || {
        let _ = pipe.write_all(&data);
    });
    let out = child.wait_with_output().expect("wait for child");
    writer.join().unwrap();
    out
}

/// Stderr as text.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Asserts that the command succeeded (and did not panic), with its stderr in the message.
#[track_caller]
pub fn assert_ok(o: &Output, what: &str) {
    let err = stderr(o);
    assert!(!err.contains("panicked"), "{what}: panicked:\n{err}");
    assert!(o.status.success(), "{what}: exit {:?}\n{err}", o.status.code());
}

/// The path as a string argument.
pub fn arg(p: &Path) -> String {
    p.to_str().expect("UTF-8 temp path").to_string()
}

/// A few hundred bytes of printable ASCII in lines ending CR LF.
pub fn printable_text(len: usize, seed: u64) -> Vec<u8> {
    let mut r = Rng::new(seed);
    let mut v = Vec::with_capacity(len);
    let mut col = 0;
    while v.len() < len {
        if col == 60 || v.len() + 2 == len {
            v.extend_from_slice(b"\r\n");
            col = 0;
        } else {
            v.push(b' ' + r.below(95) as u8);
            col += 1;
        }
    }
    v.truncate(len);
    v
}

/// `n` random octets, the same for the same `seed`.
pub fn random_bytes(n: usize, seed: u64) -> Vec<u8> {
    let mut v = vec![0u8; n];
    Rng::new(seed).fill(&mut v);
    v
}

/// Every byte value once (in a shuffled order), surrounded by text: binary-safe test data.
pub fn binary_text() -> Vec<u8> {
    let mut r = Rng::new(0x5eed);
    let mut all: Vec<u8> = (0..=255).collect();
    for i in (1..all.len()).rev() {
        let j = r.below(i as u32 + 1) as usize;
        all.swap(i, j);
    }
    let mut v = b"The quick brown fox jumps over the lazy dog.\r\n".to_vec();
    v.extend_from_slice(&all);
    // Runs of the extremes too.
    v.extend_from_slice(&[0, 0, 0, 0xFF, 0xFF, 0xFF, 0x00, 0xFF, 0x55, 0xAA]);
    v.extend_from_slice(b"\r\nEnd of binary test.\r\n");
    v
}

/// Root mean square of samples.
pub fn rms(x: &[f32]) -> f32 {
    if x.is_empty() {
        return 0.0;
    }
    (x.iter().map(|&v| v as f64 * v as f64).sum::<f64>() / x.len() as f64).sqrt() as f32
}

/// Reads a (non-silent) WAV file and scales it so its RMS is `target_rms`, if given; returns it and
/// its RMS.
fn load_scaled(path: &Path, target_rms: Option<f32>) -> (Wav, f32) {
    let bytes = std::fs::read(path).expect("read WAV");
    let mut wav = Wav::parse(&bytes).expect("parse WAV");
    let s = rms(&wav.samples);
    assert!(s > 0.0, "{}: silent", path.display());
    match target_rms {
        Some(t) => {
            wav.samples.iter_mut().for_each(|v| *v *= t / s);
            (wav, t)
        }
        None => (wav, s),
    }
}

/// Reads a WAV file, scales it so its RMS is `target_rms` (if given), adds white Gaussian noise at
/// `snr_db` below the signal's RMS (seeded), and writes it back as 16-bit PCM at the same rate.
/// Returns (signal RMS, noise RMS) after scaling.
pub fn add_noise(path: &Path, target_rms: Option<f32>, snr_db: f32, seed: u64) -> (f32, f32) {
    let (mut wav, s) = load_scaled(path, target_rms);
    let noise = s / 10f32.powf(snr_db / 20.0);
    let mut r = Rng::new(seed);
    let mut peak = 0.0f32;
    for v in &mut wav.samples {
        *v += noise * r.gaussian();
        peak = peak.max(v.abs());
    }
    assert!(peak < 1.0, "{}: noisy signal would clip (peak {peak})", path.display());
    std::fs::write(path, Wav::emit_pcm16(wav.sample_rate, &wav.samples)).expect("write WAV");
    (s, noise)
}

/// Like [`add_noise`], but the noise is white over the 4 kHz telephone band only, whatever the
/// file's rate: it is made at 8000 Hz and resampled to the file's rate, then scaled to `snr_db` below
/// the signal's RMS. So a 48000 Hz file gets the same in-band SNR as an 8000 Hz one (white noise
/// over the whole 24 kHz band would put only a sixth of its power in the band). At 8000 Hz it adds
/// the same noise as [`add_noise`] with the same seed. Returns (signal RMS, noise RMS).
pub fn add_band_noise(path: &Path, target_rms: Option<f32>, snr_db: f32, seed: u64) -> (f32, f32) {
    let (mut wav, s) = load_scaled(path, target_rms);
    let len = wav.samples.len();
    let want = s / 10f32.powf(snr_db / 20.0);
    let mut r = Rng::new(seed);
    let mut noise: Vec<f32> = if wav.sample_rate == 8000 {
        (0..len).map(|_| r.gaussian()).collect()
    } else {
        // Unit-variance white noise at 8000 Hz, resampled: scaled back to the 8000 Hz sequence's
        // RMS (the converter's roll-off near 4 kHz takes a little of it).
        let n8 = (len as f64 * 8000.0 / wav.sample_rate as f64).ceil() as usize + 1;
        let white: Vec<f32> = (0..n8).map(|_| r.gaussian()).collect();
        let mut v = softmodem::dsp::Resampler::new(8000.0, wav.sample_rate as f64).process_all(&white);
        v.resize(len, 0.0);
        let g = rms(&white) / rms(&v);
        v.iter_mut().for_each(|x| *x *= g);
        v
    };
    noise.iter_mut().for_each(|v| *v *= want);
    let mut peak = 0.0f32;
    for (v, n) in wav.samples.iter_mut().zip(&noise) {
        *v += n;
        peak = peak.max(v.abs());
    }
    assert!(peak < 1.0, "{}: noisy signal would clip (peak {peak})", path.display());
    std::fs::write(path, Wav::emit_pcm16(wav.sample_rate, &wav.samples)).expect("write WAV");
    (s, want)
}

/// Where in `got` it first differs from `want` (for failure messages).
pub fn first_difference(got: &[u8], want: &[u8]) -> String {
    match got.iter().zip(want).position(|(a, b)| a != b) {
        Some(i) => format!(
            "first difference at byte {i}: got {:?}, want {:?}",
            String::from_utf8_lossy(&got[i..(i + 16).min(got.len())]),
            String::from_utf8_lossy(&want[i..(i + 16).min(want.len())])
        ),
        None if got.len() != want.len() => format!("lengths differ: got {}, want {}", got.len(), want.len()),
        None => "identical".into(),
    }
}

/// Character errors between what was received and what was sent: the edit distance (insertions,
/// deletions and substitutions), so a lost character counts once, not for everything after it.
pub fn char_errors(got: &[u8], want: &[u8]) -> usize {
    let mut prev: Vec<usize> = (0..=want.len()).collect();
    let mut cur = vec![0; want.len() + 1];
    for (i, &g) in got.iter().enumerate() {
        cur[0] = i + 1;
        for (j, &w) in want.iter().enumerate() {
            cur[j + 1] = (prev[j] + (g != w) as usize).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[want.len()]
}

/// A running `softmodem stdio`.
pub struct Proc {
    pub child: Child,
    pub stdin: Option<ChildStdin>,
    pub stdout: ChildStdout,
    pub stderr: Option<JoinHandle<String>>,
}

impl Proc {
    pub fn spawn(args: &[String]) -> Proc {
        let mut child = Command::new(bin())
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start softmodem stdio");
        let stdin = child.stdin.take();
        let stdout = child.stdout.take().unwrap();
        let mut err = child.stderr.take().unwrap();
        // Drain stderr as it comes so the process can never block on it.
        let stderr = Some(std::thread::spawn(move || {
            let mut s = String::new();
            let _ = err.read_to_string(&mut s);
            s
        }));
        Proc { child, stdin, stdout, stderr }
    }

    /// Writes one block of samples to stdin.
    pub fn write(&mut self, x: &[i16]) -> std::io::Result<()> {
        let b: Vec<u8> = x.iter().flat_map(|v| v.to_le_bytes()).collect();
        self.stdin.as_mut().unwrap().write_all(&b)?;
        self.stdin.as_mut().unwrap().flush()
    }

    /// Reads exactly `n` samples from stdout.
    pub fn read(&mut self, n: usize) -> std::io::Result<Vec<i16>> {
        let mut b = vec![0u8; 2 * n];
        self.stdout.read_exact(&mut b)?;
        Ok(b.chunks(2).map(|c| i16::from_le_bytes([c[0], c[1]])).collect())
    }

    /// Closes stdin and waits; returns the exit status, stderr and anything left on stdout.
    pub fn finish(mut self) -> (ExitStatus, String, Vec<u8>) {
        drop(self.stdin.take());
        let mut rest = vec![];
        let _ = self.stdout.read_to_end(&mut rest);
        let status = self.child.wait().expect("wait for softmodem");
        let err = self.stderr.take().unwrap().join().unwrap();
        (status, err, rest)
    }
}

/// One direction of a call's line: as it is, or through the line simulator.
fn pass_line(line: &mut Option<softmodem::sim::line::Direction>, x: &[i16]) -> Vec<i16> {
    match line {
        None => x.to_vec(),
        Some(d) => {
            let input: Vec<f32> = x.iter().map(|&v| v as f32 / 32768.0).collect();
            let mut out = vec![0.0; input.len()];
            d.process(&input, &mut out);
            out.iter().map(|&v| softmodem::dsp::to_i16(v)).collect()
        }
    }
}

/// Two `softmodem` processes speaking the stdio audio protocol in lockstep (160 samples each
/// way per step), each hearing the other through `lines` (first to second, second to first; `None`:
/// a clean line), until both have exited or `limit` steps: their exit statuses' success and stderr.
pub fn lockstep(
    argv: [Vec<String>; 2],
    limit: usize,
    lines: [Option<softmodem::sim::line::Direction>; 2],
) -> [(bool, String); 2] {
    lockstep_paced(argv, limit, lines, None)
}

/// [`lockstep`], at most `speedup` times faster than real time: for calls with a real-time peer
/// behind one end (slirp), whose answers must not seem slow to timers counted in samples.
pub fn lockstep_paced(
    argv: [Vec<String>; 2],
    limit: usize,
    mut lines: [Option<softmodem::sim::line::Direction>; 2],
    speedup: Option<f64>,
) -> [(bool, String); 2] {
    const BLOCK: usize = 160;
    let start = std::time::Instant::now();
    let mut procs = [Proc::spawn(&argv[0]), Proc::spawn(&argv[1])];
    let mut inputs = [vec![0i16; BLOCK], vec![0i16; BLOCK]];
    let mut alive = [true, true];
    for step in 0..limit {
        if let Some(x) = speedup {
            let due = std::time::Duration::from_secs_f64(step as f64 * 0.02 / x);
            if let Some(wait) = due.checked_sub(start.elapsed()) {
                std::thread::sleep(wait);
            }
        }
        let mut outs = [vec![0i16; BLOCK], vec![0i16; BLOCK]];
        for i in 0..2 {
            if alive[i] && (procs[i].write(&inputs[i]).is_err() || procs[i].read(BLOCK).map(|y| outs[i] = y).is_err()) {
                alive[i] = false;
            }
        }
        if !alive[0] && !alive[1] {
            break;
        }
        inputs = [pass_line(&mut lines[1], &outs[1]), pass_line(&mut lines[0], &outs[0])];
    }
    procs.map(|p| {
        let (status, stderr, _) = p.finish();
        (status.success(), stderr)
    })
}
