//! `softmodem sz` and `softmodem rz`: ZMODEM (and YMODEM, XMODEM) on standard input and output,
//! as lrzsz's `sz` and `rz` do, so they compose with pipes, `softmodem stdio --exec` and lrzsz.

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration as StdDuration, Instant as StdInstant, UNIX_EPOCH};

use softmodem::time::{Duration, Instant};
use softmodem::transfer::{
    xmodem, zmodem, Accept, FileError, FileInfo, LineRate, Outcome, Protocol, Sink, Source, Transfer,
};

use crate::args::{Args, UsageError};
use crate::Failure;

/// Files on disk, to send.
pub struct DiskSource {
    files: Vec<(PathBuf, FileInfo)>,
    open: Option<(usize, File)>,
}

impl DiskSource {
    /// The files at `paths` (each must be a readable regular file).
    pub fn new(paths: &[String]) -> Result<DiskSource, String> {
        let mut files = Vec::new();
        for p in paths {
            let meta = std::fs::metadata(p).map_err(|e| format!("{p}: {e}"))?;
            if !meta.is_file() {
                return Err(format!("{p}: not a regular file"));
            }
            let name = Path::new(p).file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            let mtime = meta.modified().ok().and_then(|t| t.duration_since(UNIX_EPOCH).ok()).map(|d| d.as_secs());
            #[cfg(unix)]
            let mode = Some(std::os::unix::fs::PermissionsExt::mode(&meta.permissions()));
            #[cfg(not(unix))]
            let mode = None;
            files.push((PathBuf::from(p), FileInfo { name, size: Some(meta.len()), mtime, mode }));
        }
        Ok(DiskSource { files, open: None })
    }
}

impl Source for DiskSource {
    fn count(&self) -> usize {
        self.files.len()
    }
    fn info(&self, index: usize) -> FileInfo {
        self.files[index].1.clone()
    }
    fn read_at(&mut self, index: usize, offset: u64, buf: &mut [u8]) -> Result<usize, FileError> {
        let err = |e: io::Error| FileError(format!("{}: {e}", self.files[index].0.display()));
        if self.open.as_ref().map(|o| o.0) != Some(index) {
            self.open = Some((index, File::open(&self.files[index].0).map_err(err)?));
        }
        let f = &mut self.open.as_mut().expect("opened").1;
        f.seek(SeekFrom::Start(offset)).map_err(|e| FileError(e.to_string()))?;
        let mut n = 0;
        while n < buf.len() {
            match f.read(&mut buf[n..]) {
                Ok(0) => break,
                Ok(k) => n += k,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(FileError(e.to_string())),
            }
        }
        Ok(n)
    }
}

/// What a receiver does with a file that is already there.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Existing {
    /// Keep it and store the new one as NAME.1, NAME.2, ... (nothing is lost).
    Rename,
    /// Replace it.
    Overwrite,
    /// Skip the offered file.
    Protect,
    /// Resume: take the rest of the file from the length already here.
    Resume,
}

/// Files received into a directory.
pub struct DiskSink {
    dir: PathBuf,
    existing: Existing,
    open: Option<(PathBuf, File, Option<u64>)>,
    /// The files written, with their paths.
    pub written: Vec<PathBuf>,
}

impl DiskSink {
    /// Files go into `dir`.
    pub fn new(dir: PathBuf, existing: Existing) -> DiskSink {
        DiskSink { dir, existing, open: None, written: Vec::new() }
    }
}

impl Sink for DiskSink {
    fn open(&mut self, info: &FileInfo, resume: bool) -> Result<Accept, FileError> {
        let name = info.safe_name();
        let mut path = self.dir.join(&name);
        let err = |p: &Path, e: io::Error| FileError(format!("{}: {e}", p.display()));
        let mut from = 0;
        let file = match std::fs::metadata(&path) {
            Ok(meta) if resume || self.existing == Existing::Resume => {
                if info.size == Some(meta.len()) {
                    return Ok(Accept::Skip);
                }
                from = meta.len();
                OpenOptions::new().append(true).open(&path).map_err(|e| err(&path, e))?
            }
            Ok(_) if self.existing == Existing::Protect => return Ok(Accept::Skip),
            Ok(_) if self.existing == Existing::Rename => {
                let mut n = 1;
                while path.exists() {
                    path = self.dir.join(format!("{name}.{n}"));
                    n += 1;
                }
                File::create(&path).map_err(|e| err(&path, e))?
            }
            _ => File::create(&path).map_err(|e| err(&path, e))?,
        };
        self.open = Some((path, file, info.mtime));
        Ok(Accept::From(from))
    }

    fn write(&mut self, data: &[u8]) -> Result<(), FileError> {
        let (path, f, _) = self.open.as_mut().ok_or_else(|| FileError("no file is open".into()))?;
        f.write_all(data).map_err(|e| FileError(format!("{}: {e}", path.display())))
    }

    fn close(&mut self, complete: bool) -> Result<(), FileError> {
        if let Some((path, f, mtime)) = self.open.take() {
            if let (true, Some(t)) = (complete, mtime) {
                let _ = f.set_modified(UNIX_EPOCH + StdDuration::from_secs(t));
            }
            f.sync_all().map_err(|e| FileError(format!("{}: {e}", path.display())))?;
            self.written.push(path);
        }
        Ok(())
    }
}

/// The protocol chosen by `--xmodem`, `--xmodem-1k`, `--ymodem`, `--ymodem-g` (ZMODEM otherwise).
fn protocol(a: &Args) -> Result<Protocol, UsageError> {
    let chosen: Vec<Protocol> = [
        ("xmodem", Protocol::Xmodem),
        ("xmodem-1k", Protocol::Xmodem1k),
        ("ymodem", Protocol::Ymodem),
        ("ymodem-g", Protocol::YmodemG),
        ("zmodem", Protocol::Zmodem),
    ]
    .into_iter()
    .filter(|(f, _)| a.flag(f))
    .map(|(_, p)| p)
    .collect();
    match chosen[..] {
        [] => Ok(Protocol::Zmodem),
        [p] => Ok(p),
        _ => Err(UsageError("choose one protocol".into())),
    }
}

/// lrzsz's short options, as the long ones here.
fn long_options(argv: &[String]) -> Vec<String> {
    argv.iter()
        .map(|a| {
            match a.as_str() {
                "-8" => "--8k",
                "-e" => "--escape",
                "-r" => "--resume",
                "-X" => "--xmodem",
                "-k" => "--1k",
                "-y" => "--overwrite",
                "-p" => "--protect",
                "-q" => "--quiet",
                other => other,
            }
            .to_string()
        })
        .collect()
}

const SWITCHES: &[&str] =
    &["xmodem", "xmodem-1k", "ymodem", "ymodem-g", "zmodem", "8k", "escape", "resume", "1k", "overwrite", "protect", "quiet"];

/// `softmodem sz [options] FILE...`
pub fn sz(argv: &[String]) -> Result<(), Failure> {
    let a = Args::parse(&long_options(argv), &["rate"], SWITCHES)?;
    if a.positional.is_empty() {
        return Err(Failure::Usage("sz: no file given".into()));
    }
    let mut protocol = protocol(&a)?;
    if protocol == Protocol::Xmodem && a.flag("1k") {
        protocol = Protocol::Xmodem1k;
    }
    if matches!(protocol, Protocol::Xmodem | Protocol::Xmodem1k) && a.positional.len() > 1 {
        return Err(Failure::Usage("sz: XMODEM sends one file".into()));
    }
    let rate = LineRate::new(a.num("rate", LineRate::FAST.bits_per_second)?);
    let source = Box::new(DiskSource::new(&a.positional).map_err(Failure::Run)?);
    let mut t: Box<dyn Transfer> = match protocol {
        Protocol::Zmodem => {
            let mut c = zmodem::Config::new(rate);
            c.max_subpacket = if a.flag("8k") { 8192 } else { 1024 };
            c.escape_control = a.flag("escape");
            c.resume = a.flag("resume");
            Box::new(zmodem::Sender::new(c, source))
        }
        p => Box::new(xmodem::XmodemSender::new(xmodem::Config::new(p, rate), source)),
    };
    run(&mut *t, a.flag("quiet"))
}

/// `softmodem rz [options] [FILE]`
pub fn rz(argv: &[String]) -> Result<(), Failure> {
    let a = Args::parse(&long_options(argv), &["rate", "dir"], SWITCHES)?;
    let protocol = protocol(&a)?;
    let rate = LineRate::new(a.num("rate", LineRate::FAST.bits_per_second)?);
    let dir = PathBuf::from(a.get("dir").unwrap_or("."));
    if !dir.is_dir() {
        return Err(Failure::Run(format!("{}: not a directory", dir.display())));
    }
    let existing = match (a.flag("resume"), a.flag("overwrite"), a.flag("protect")) {
        (true, _, _) => Existing::Resume,
        (_, true, _) => Existing::Overwrite,
        (_, _, true) => Existing::Protect,
        _ => Existing::Rename,
    };
    let sink = Box::new(DiskSink::new(dir, existing));
    let mut t: Box<dyn Transfer> = match protocol {
        Protocol::Zmodem => {
            let mut c = zmodem::Config::new(rate);
            c.escape_control = a.flag("escape");
            c.resume = a.flag("resume");
            Box::new(zmodem::Receiver::new(c, sink))
        }
        p => {
            let mut c = xmodem::Config::new(p, rate);
            match (p, a.positional.first()) {
                (Protocol::Xmodem | Protocol::Xmodem1k, Some(name)) => c.name = name.clone(),
                (Protocol::Xmodem | Protocol::Xmodem1k, None) => {
                    return Err(Failure::Usage("rz --xmodem: name the file to write".into()))
                }
                _ => {}
            }
            Box::new(xmodem::XmodemReceiver::new(c, sink))
        }
    };
    run(&mut *t, a.flag("quiet"))
}

/// Runs `t` on standard input and output until it ends; a progress line on standard error.
pub fn run(t: &mut dyn Transfer, quiet: bool) -> Result<(), Failure> {
    let (tx, rx) = mpsc::channel::<Vec<u8>>();
    std::thread::spawn(move || {
        let mut stdin = io::stdin().lock();
        let mut buf = [0u8; 16384];
        loop {
            match stdin.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    if tx.send(buf[..n].to_vec()).is_err() {
                        break;
                    }
                }
            }
        }
    });
    let start = StdInstant::now();
    let now = || Instant::ZERO + Duration::from_ms(start.elapsed().as_millis().min(u32::MAX as u128 / 8) as u32);
    let mut stdout = io::stdout().lock();
    // A kilobyte at a time, with what has arrived taken in between: a ZRPOS or a cancel is heard
    // while a file streams out, not after it.
    let mut buf = vec![0u8; 1024];
    let mut last_line = StdInstant::now();
    let mut input_open = true;
    while t.outcome().is_none() {
        let n = t.transmit(now(), &mut buf);
        if n > 0 && stdout.write_all(&buf[..n]).and_then(|_| stdout.flush()).is_err() {
            t.cancel();
            return Err(Failure::Run("standard output closed".into()));
        }
        // Wait for input only when there was nothing to send.
        let wait = if n > 0 { StdDuration::ZERO } else { StdDuration::from_millis(if input_open { 5 } else { 50 }) };
        match rx.recv_timeout(wait) {
            Ok(data) => {
                t.receive(now(), &data);
                while let Ok(more) = rx.try_recv() {
                    t.receive(now(), &more);
                }
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => input_open = false,
        }
        if !quiet && last_line.elapsed() > StdDuration::from_millis(500) {
            eprint!("\r{}", progress_line(t, start.elapsed()));
            last_line = StdInstant::now();
        }
    }
    let outcome = t.outcome().cloned().expect("ended");
    if !quiet {
        eprintln!("\r{}", progress_line(t, start.elapsed()));
    }
    let p = t.progress();
    match outcome {
        Outcome::Complete => {
            eprintln!(
                "{} {}: {} files, {} octets, {} errors, {} retries",
                t.protocol().name(),
                if t.direction() == softmodem::transfer::Direction::Send { "sent" } else { "received" },
                p.files_done,
                p.total,
                p.errors,
                p.retries
            );
            Ok(())
        }
        other => Err(Failure::Run(format!("{}: {other}", t.protocol().name()))),
    }
}

fn progress_line(t: &dyn Transfer, elapsed: StdDuration) -> String {
    let p = t.progress();
    let rate = p.total as f64 / elapsed.as_secs_f64().max(0.001);
    let size = p.size.map(|s| format!("/{s}")).unwrap_or_default();
    format!(
        "{} {} {}{} octets, {:.0} octets/s, {} errors, {} retries   ",
        t.protocol().name(),
        p.file,
        p.done,
        size,
        rate,
        p.errors,
        p.retries
    )
}
