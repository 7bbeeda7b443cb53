//! The pseudo-terminal: its master is the modem's side, its slave (`/dev/pts/N`) the program's
//! serial port. DTR is read from what the program does to the slave (see [`Term::exchange`]).

use std::io;
use std::mem::MaybeUninit;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::path::PathBuf;

use rustix::event::{poll, PollFd, PollFlags, Timespec};
use rustix::fs::inotify;
use rustix::fs::{Mode, OFlags};
use rustix::io::Errno;
use rustix::pty::{grantpt, openpt, ptsname, unlockpt, OpenptFlags};
use rustix::termios::{tcflush, tcgetattr, tcsetattr, ControlModes, OptionalActions, QueueSelector};
use softmodem::Dce;

/// Bytes for the program held here when it does not read; past that the modem's own queue fills
/// (and then drops, as a modem's buffer does).
const OUT_MAX: usize = 16 << 10;

/// Reads of the program's bytes in one block, at most.
const READS_PER_BLOCK: usize = 4;

/// The pseudo-terminal and the bytes in flight through it.
pub struct Term {
    master: OwnedFd,
    path: String,
    /// inotify on the slave: its opens and closes, which the master does not show when a
    /// program closes it and opens it again at once.
    watch: OwnedFd,
    /// A program has the slave open (as far as the last look showed).
    attached: bool,
    /// The master reported a hang-up (the last program closed the slave) not yet dealt with.
    hung_up: bool,
    /// DTR, as the program's doings say (see [`Term::exchange`]).
    dtr: bool,
    /// The slave's HUPCL at the last look (while attached): its last close is DTR off.
    hupcl: bool,
    /// The output speed at the last look (while attached).
    speed: u32,
    /// Read from the program, not yet taken by the modem: `inbuf[in_pos..in_len]`.
    inbuf: [u8; 1024],
    in_pos: usize,
    in_len: usize,
    /// For the program, not yet written to the master.
    out: Vec<u8>,
}

impl Term {
    /// Opens a pseudo-terminal whose slave is raw (8 bits, no echo, no line editing, no signals),
    /// 115200 bit/s, ignoring modem-control lines (CLOCAL), hanging up on the last close (HUPCL),
    /// and not open: DTR off until a program opens it.
    pub fn open() -> io::Result<Term> {
        let master = openpt(OpenptFlags::RDWR | OpenptFlags::NOCTTY | OpenptFlags::CLOEXEC)?;
        grantpt(&master)?;
        unlockpt(&master)?;
        let path = ptsname(&master, Vec::new())?
            .into_string()
            .map_err(|_| io::Error::other("the slave's name is not UTF-8"))?;
        rustix::io::ioctl_fionbio(&master, true)?;
        {
            // Open once to set it up: its settings stay while the master is open, and its
            // closing leaves the master in the state of a slave closed by a program (hung up).
            let slave = rustix::fs::open(&path, OFlags::RDWR | OFlags::NOCTTY | OFlags::CLOEXEC, Mode::empty())?;
            let mut t = tcgetattr(&slave)?;
            t.make_raw();
            // HUPCL as a serial port has it (a pseudo-terminal's slave starts without): its last
            // close is DTR off.
            t.control_modes |= ControlModes::CLOCAL | ControlModes::CREAD | ControlModes::HUPCL;
            t.set_speed(115_200)?;
            tcsetattr(&slave, OptionalActions::Now, &t)?;
        }
        let watch = inotify::init(inotify::CreateFlags::NONBLOCK | inotify::CreateFlags::CLOEXEC)?;
        inotify::add_watch(
            &watch,
            path.as_str(),
            inotify::WatchFlags::OPEN | inotify::WatchFlags::CLOSE_WRITE | inotify::WatchFlags::CLOSE_NOWRITE,
        )?;
        Ok(Term {
            master,
            path,
            watch,
            attached: false,
            hung_up: false,
            dtr: false,
            hupcl: true,
            speed: 115_200,
            inbuf: [0; 1024],
            in_pos: 0,
            in_len: 0,
            out: Vec::new(),
        })
    }

    /// The slave's path (`/dev/pts/N`).
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The master, for polling.
    pub fn master(&self) -> BorrowedFd<'_> {
        self.master.as_fd()
    }

    /// A program has the slave open and no hang-up has been seen since: polling the master for
    /// one makes sense (once hung up, the master reports it until a program opens the slave).
    pub fn attached(&self) -> bool {
        self.attached && !self.hung_up
    }

    /// The master reported a hang-up; [`Term::exchange`] deals with it.
    pub fn note_hang_up(&mut self) {
        self.hung_up = true;
    }

    /// Whether the master shows a hang-up now: no program has the slave open.
    fn master_hung_up(&self) -> bool {
        let mut fds = [PollFd::new(&self.master, PollFlags::empty())];
        match poll(&mut fds, Some(&Timespec { tv_sec: 0, tv_nsec: 0 })) {
            Ok(_) => fds[0].revents().intersects(PollFlags::HUP | PollFlags::ERR),
            Err(_) => false,
        }
    }

    /// Whether the slave was closed and then opened again since the last look (from the
    /// inotify events, in order: identical events in a row are merged, but a close and an open
    /// never are).
    fn reopened(&mut self) -> io::Result<bool> {
        let mut buf = [MaybeUninit::<u8>::uninit(); 1024];
        let mut events = inotify::Reader::new(&self.watch, &mut buf);
        let (mut closed, mut reopened) = (false, false);
        loop {
            match events.next() {
                Ok(e) => {
                    let flags = e.events();
                    if flags.intersects(inotify::ReadFlags::CLOSE_WRITE | inotify::ReadFlags::CLOSE_NOWRITE) {
                        closed = true;
                    }
                    if flags.contains(inotify::ReadFlags::OPEN) && closed {
                        reopened = true;
                    }
                }
                Err(Errno::AGAIN) | Err(Errno::INTR) => break,
                Err(e) => return Err(e.into()),
            }
        }
        Ok(reopened)
    }

    /// The modem's output so far is not for the program now on the slave; nor is anything
    /// written to the master and not read.
    fn discard_output(&mut self, dce: &mut Dce) {
        let mut buf = [0u8; 1024];
        while dce.to_terminal(&mut buf) > 0 {}
        self.out.clear();
        let _ = tcflush(&self.master, QueueSelector::OFlush);
    }

    /// Once a block: DTR from the slave's state, the program's bytes to the modem, the modem's
    /// to the program.
    ///
    /// DTR goes on when a program opens the slave, off when its last close leaves no program
    /// with it open (if HUPCL is set, as it is unless the program clears it, as on a serial
    /// port), off when the program sets the output speed to 0 (B0) and on again at another speed;
    /// the modem is told ([`Dce::dtr_off`], [`Dce::dtr_on`]). The last close shows on the master
    /// as a hang-up: what the program wrote before it closed is given to the modem first. While
    /// no program has the slave open the modem's output is thrown away (a program that opens it
    /// later does not get an old `NO CARRIER`). A close and an open again between two looks do
    /// not show on the master; the slave's inotify events show them, and that too is DTR off and
    /// on. The termios (speed, HUPCL) is the slave's, which Linux lets the master read.
    pub fn exchange(&mut self, dce: &mut Dce) -> io::Result<()> {
        let reopened = self.reopened()?;
        if self.attached {
            let hung_up = self.master_hung_up();
            if !hung_up && (reopened || self.hung_up) {
                // Closed and opened again since the last look (a hang-up seen in between, or
                // the inotify events): DTR went off and on. What the new program typed already
                // goes to the modem after that.
                self.hung_up = false;
                if self.hupcl {
                    if dce.hayes().dtr() {
                        dce.dtr_off();
                    }
                    self.discard_output(dce);
                    self.opened(dce)?;
                }
            }
            for _ in 0..READS_PER_BLOCK {
                if !self.pull(dce)? {
                    break;
                }
            }
            if hung_up {
                // What the program wrote before it closed, then nothing.
                for _ in 0..64 {
                    if !self.pull(dce)? {
                        break;
                    }
                }
                self.attached = false;
                self.hung_up = false;
                (self.in_pos, self.in_len) = (0, 0);
                self.out.clear();
                if self.hupcl {
                    self.dtr = false;
                }
            }
        } else if !self.master_hung_up() {
            self.attached = true;
            self.hung_up = false;
            // Anything written for an earlier program and not read is not for this one.
            self.discard_output(dce);
            self.opened(dce)?;
        }
        if self.attached {
            let t = tcgetattr(&self.master)?;
            self.hupcl = t.control_modes.contains(ControlModes::HUPCL);
            let speed = t.output_speed();
            if speed != self.speed {
                self.speed = speed;
                self.dtr = speed != 0;
            }
        }
        if self.dtr != dce.hayes().dtr() {
            if self.dtr {
                dce.dtr_on();
            } else {
                dce.dtr_off();
            }
        }
        self.push(dce)
    }

    /// A program opened the slave: DTR on, whatever speed an earlier program left (0, after it
    /// hung up), before the modem sees what the program types.
    fn opened(&mut self, dce: &mut Dce) -> io::Result<()> {
        self.dtr = true;
        self.speed = tcgetattr(&self.master)?.output_speed();
        dce.dtr_on();
        Ok(())
    }

    /// Reads from the program (when what was read before has all been taken) and offers the
    /// modem what waits. False when nothing more can be read now.
    fn pull(&mut self, dce: &mut Dce) -> io::Result<bool> {
        let mut more = true;
        if self.in_pos == self.in_len {
            match rustix::io::read(&self.master, &mut self.inbuf) {
                Ok(0) => more = false,
                Ok(n) => (self.in_pos, self.in_len) = (0, n),
                Err(Errno::AGAIN) | Err(Errno::INTR) => more = false,
                // The slave is closed and nothing written is left.
                Err(Errno::IO) => {
                    self.hung_up = true;
                    more = false;
                }
                Err(e) => return Err(e.into()),
            }
        }
        while self.in_pos < self.in_len {
            let n = dce.from_terminal(&self.inbuf[self.in_pos..self.in_len]);
            if n == 0 {
                // Online with the modem's transmit queue full: the rest waits, and the program
                // with it once the pseudo-terminal's buffer fills.
                return Ok(false);
            }
            self.in_pos += n;
        }
        Ok(more)
    }

    /// The modem's bytes to the program, as far as it reads them.
    fn push(&mut self, dce: &mut Dce) -> io::Result<()> {
        let mut buf = [0u8; 1024];
        while !self.attached || self.out.len() < OUT_MAX {
            let n = dce.to_terminal(&mut buf);
            if n == 0 {
                break;
            }
            if self.attached {
                self.out.extend_from_slice(&buf[..n]);
            }
        }
        while self.attached && !self.out.is_empty() {
            match rustix::io::write(&self.master, &self.out) {
                Ok(0) | Err(Errno::AGAIN) => break,
                Ok(n) => {
                    self.out.drain(..n);
                }
                Err(Errno::INTR) => {}
                Err(Errno::IO) => {
                    self.hung_up = true;
                    break;
                }
                Err(e) => return Err(e.into()),
            }
        }
        Ok(())
    }
}

/// `--link PATH`: a symbolic link to the slave, removed when dropped (if it still points there).
pub struct SymLink {
    path: PathBuf,
    target: PathBuf,
}

impl SymLink {
    /// Makes `path` a symbolic link to `target`. An existing symbolic link is replaced when what
    /// it points to is gone or is a pseudo-terminal slave (`/dev/pts/...`, left by a modem that
    /// did not end cleanly); anything else at `path` is left alone and refused.
    pub fn make(path: &str, target: &str) -> Result<SymLink, String> {
        let p = PathBuf::from(path);
        match std::fs::symlink_metadata(&p) {
            Ok(m) if m.file_type().is_symlink() => {
                let old = std::fs::read_link(&p).map_err(|e| format!("--link {path}: {e}"))?;
                let stale = !p.exists() || old.starts_with("/dev/pts/");
                if !stale {
                    return Err(format!(
                        "--link {path}: already a symbolic link to {}, which is not a pseudo-terminal: not replaced",
                        old.display()
                    ));
                }
                std::fs::remove_file(&p).map_err(|e| format!("--link {path}: cannot replace it: {e}"))?;
            }
            Ok(_) => return Err(format!("--link {path}: exists and is not a symbolic link: not replaced")),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(format!("--link {path}: {e}")),
        }
        std::os::unix::fs::symlink(target, &p).map_err(|e| format!("--link {path}: cannot make it: {e}"))?;
        Ok(SymLink { path: p, target: PathBuf::from(target) })
    }
}

impl Drop for SymLink {
    fn drop(&mut self) {
        if std::fs::read_link(&self.path).is_ok_and(|t| t == self.target) {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}
