//! Where a transfer's files come from ([`Source`]) and go ([`Sink`]), and in-memory ones
//! ([`MemorySource`], [`MemorySink`]) for the page and the tests.
//!
//! A receiver hands a [`Sink`] only data that passed its CRC, in order, so a sink appends.

/// A file as the protocols describe it (ZMODEM's ZFILE, YMODEM's block 0).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileInfo {
    /// The name as sent (a receiver stores it under [`FileInfo::safe_name`]).
    pub name: String,
    /// The length in octets, if known.
    pub size: Option<u64>,
    /// The modification time, seconds since 1970 (UTC), if known.
    pub mtime: Option<u64>,
    /// The Unix file mode, if known.
    pub mode: Option<u32>,
}

impl FileInfo {
    /// A file called `name` of `size` octets.
    pub fn new(name: &str, size: u64) -> FileInfo {
        FileInfo { name: name.into(), size: Some(size), mtime: None, mode: None }
    }

    /// The name with any directory part removed and control characters, `/`, `\` and `:`
    /// replaced, never empty, `.` or `..`: what a receiver may create in its own directory
    /// whatever the far end sent.
    pub fn safe_name(&self) -> String {
        let base = self.name.rsplit(['/', '\\']).next().unwrap_or("");
        let mut s: String =
            base.chars().map(|c| if c.is_control() || c == ':' { '_' } else { c }).take(255).collect();
        s = s.trim().to_string();
        if s.is_empty() || s == "." || s == ".." {
            s = "unnamed".into();
        }
        s
    }
}

/// Why a file could not be read or written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileError(pub String);

impl core::fmt::Display for FileError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(&self.0)
    }
}

/// What a receiver's sink does with an offered file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Accept {
    /// Take it, from this offset: 0, or the length already here when resuming a partial file.
    From(u64),
    /// Decline it (already here whole, or not wanted).
    Skip,
}

/// The files a sender sends.
pub trait Source {
    /// How many files.
    fn count(&self) -> usize;
    /// File `index`'s description.
    fn info(&self, index: usize) -> FileInfo;
    /// Octets of file `index` from `offset` into `buf`; the number read, 0 at the end.
    fn read_at(&mut self, index: usize, offset: u64, buf: &mut [u8]) -> Result<usize, FileError>;
}

/// Where a receiver puts what it receives.
pub trait Sink {
    /// A file is offered; `resume` says the sender asked for crash recovery (ZMODEM's ZCRESUM).
    fn open(&mut self, info: &FileInfo, resume: bool) -> Result<Accept, FileError>;
    /// The next octets of the open file (checked, in order).
    fn write(&mut self, data: &[u8]) -> Result<(), FileError>;
    /// The open file ends: `complete` if all of it arrived, false if the transfer was cut off
    /// (a sink keeps the partial file, for a later resume).
    fn close(&mut self, complete: bool) -> Result<(), FileError>;
}

impl<T: Source + ?Sized> Source for Box<T> {
    fn count(&self) -> usize {
        (**self).count()
    }
    fn info(&self, index: usize) -> FileInfo {
        (**self).info(index)
    }
    fn read_at(&mut self, index: usize, offset: u64, buf: &mut [u8]) -> Result<usize, FileError> {
        (**self).read_at(index, offset, buf)
    }
}

impl<T: Sink + ?Sized> Sink for Box<T> {
    fn open(&mut self, info: &FileInfo, resume: bool) -> Result<Accept, FileError> {
        (**self).open(info, resume)
    }
    fn write(&mut self, data: &[u8]) -> Result<(), FileError> {
        (**self).write(data)
    }
    fn close(&mut self, complete: bool) -> Result<(), FileError> {
        (**self).close(complete)
    }
}

/// A sink the embedder keeps a handle on, to read what arrived while the transfer runs.
impl<T: Sink + ?Sized> Sink for std::rc::Rc<core::cell::RefCell<T>> {
    fn open(&mut self, info: &FileInfo, resume: bool) -> Result<Accept, FileError> {
        self.borrow_mut().open(info, resume)
    }
    fn write(&mut self, data: &[u8]) -> Result<(), FileError> {
        self.borrow_mut().write(data)
    }
    fn close(&mut self, complete: bool) -> Result<(), FileError> {
        self.borrow_mut().close(complete)
    }
}

/// Files held in memory, to send.
#[derive(Debug, Clone, Default)]
pub struct MemorySource {
    /// Each file's description and contents (`size` is set from the contents).
    pub files: Vec<(FileInfo, Vec<u8>)>,
}

impl MemorySource {
    /// No files yet.
    pub fn new() -> MemorySource {
        MemorySource::default()
    }

    /// Adds a file called `name` with `data`.
    pub fn add(&mut self, name: &str, data: Vec<u8>) -> &mut Self {
        self.files.push((FileInfo::new(name, data.len() as u64), data));
        self
    }
}

impl Source for MemorySource {
    fn count(&self) -> usize {
        self.files.len()
    }
    fn info(&self, index: usize) -> FileInfo {
        self.files[index].0.clone()
    }
    fn read_at(&mut self, index: usize, offset: u64, buf: &mut [u8]) -> Result<usize, FileError> {
        let data = &self.files[index].1;
        let start = (offset.min(data.len() as u64)) as usize;
        let n = buf.len().min(data.len() - start);
        buf[..n].copy_from_slice(&data[start..start + n]);
        Ok(n)
    }
}

/// A received file held in memory.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReceivedFile {
    /// Its description as the sender gave it.
    pub info: FileInfo,
    /// What arrived.
    pub data: Vec<u8>,
    /// True if all of it arrived.
    pub complete: bool,
}

/// Files received into memory, with a bound on their total size.
#[derive(Debug, Clone)]
pub struct MemorySink {
    /// The files, in the order they came (the last one may be still open).
    pub files: Vec<ReceivedFile>,
    /// Files already here, for resuming: a file offered under one of these names resumes from
    /// the length held (when the sender asks for it, or when `always_resume`).
    pub partial: Vec<(String, Vec<u8>)>,
    /// Resume partial files even when the sender does not ask.
    pub always_resume: bool,
    /// The most octets all files together may take; a file that would pass it fails.
    pub limit: u64,
    open: bool,
    held: u64,
}

impl MemorySink {
    /// An empty sink that takes at most `limit` octets in all.
    pub fn new(limit: u64) -> MemorySink {
        MemorySink { files: Vec::new(), partial: Vec::new(), always_resume: false, limit, open: false, held: 0 }
    }
}

impl Sink for MemorySink {
    fn open(&mut self, info: &FileInfo, resume: bool) -> Result<Accept, FileError> {
        let name = info.safe_name();
        let mut data = Vec::new();
        if resume || self.always_resume {
            if let Some(i) = self.partial.iter().position(|(n, _)| *n == name) {
                data = self.partial.remove(i).1;
                if info.size == Some(data.len() as u64) {
                    return Ok(Accept::Skip);
                }
            }
        }
        let from = data.len() as u64;
        self.held += from;
        self.files.push(ReceivedFile { info: info.clone(), data, complete: false });
        self.open = true;
        Ok(Accept::From(from))
    }

    fn write(&mut self, data: &[u8]) -> Result<(), FileError> {
        if !self.open {
            return Err(FileError("no file is open".into()));
        }
        if self.held + data.len() as u64 > self.limit {
            return Err(FileError(format!("more than {} octets", self.limit)));
        }
        self.held += data.len() as u64;
        self.files.last_mut().expect("open").data.extend_from_slice(data);
        Ok(())
    }

    fn close(&mut self, complete: bool) -> Result<(), FileError> {
        if self.open {
            self.open = false;
            self.files.last_mut().expect("open").complete = complete;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn safe_names_stay_in_the_directory() {
        let n = |s: &str| FileInfo::new(s, 0).safe_name();
        assert_eq!(n("../../etc/passwd"), "passwd");
        assert_eq!(n("C:\\DOS\\GAME.ZIP"), "GAME.ZIP");
        assert_eq!(n(".."), "unnamed");
        assert_eq!(n(""), "unnamed");
        assert_eq!(n("a\x1b[2Jb"), "a_[2Jb");
        assert_eq!(n("with space.txt"), "with space.txt");
    }

    #[test]
    fn memory_sink_resumes_and_bounds() {
        let mut s = MemorySink::new(10);
        s.partial.push(("f".into(), b"abc".to_vec()));
        assert_eq!(s.open(&FileInfo::new("dir/f", 6), true), Ok(Accept::From(3)));
        s.write(b"def").unwrap();
        s.close(true).unwrap();
        assert_eq!(s.files[0].data, b"abcdef");
        assert_eq!(s.open(&FileInfo::new("g", 6), false), Ok(Accept::From(0)));
        assert!(s.write(b"12345").is_err(), "past the limit");
    }
}
