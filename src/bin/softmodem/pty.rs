//! `softmodem pty`: the Hayes modem (`Dce`) on a pseudo-terminal, for programs that talk to a
//! serial modem (pppd with chat, minicom, a BBS door, a fax-less getty).
//!
//! ```text
//! softmodem pty [--link PATH] [--audio stdio|alsa] [--device NAME] [--list-devices]
//!               [--phone PATH] [--phone-baud N] [--level DBM0]
//! ```
//!
//! What the program writes to the pseudo-terminal's slave (`/dev/pts/N`, or the `--link` symlink)
//! is typed at the modem (`Dce::from_terminal`) and what the modem answers (`Dce::to_terminal`)
//! is what the program reads. The line audio is either the stdio audio protocol on stdin and
//! stdout (`--audio stdio`, as `softmodem stdio` speaks it: 160 samples of 16-bit little-endian
//! 8000 Hz mono in, 160 out; the audio paces everything, one 20 ms block at a time), or the sound
//! card (`--audio alsa`, `sound`). Without `--audio`, stdio when stdin is a pipe or a socket, the
//! sound card otherwise.
//!
//! DTR: a pseudo-terminal has no modem-control lines (`term::Term::exchange` has the rules).
//! Opening the slave is DTR on; its last close, with HUPCL set (as the slave starts, like a
//! serial port), or the program setting its output speed to 0 (`cfsetospeed(B0)`, the way
//! programs drop DTR) is DTR off, and the modem does what `&D` says (`Dce::dtr_off`; by default
//! it hangs up). The last close shows on the master as a hang-up (`POLLHUP`, `EIO` on read); a
//! close and a reopen between two looks show in the slave's inotify events; the slave's termios
//! is read through the master (Linux applies termios requests on a master to its slave) once a
//! block. `TIOCMBIC`/`TIOCMGET` fail on a pseudo-terminal, so DCD cannot be signalled at all:
//! programs must ignore modem-control lines (pppd's `local`).
//!
//! With `--phone PATH` the phone's AT port (a USB cellular modem, a phone's serial link) is
//! opened raw at `--phone-baud` (115200 by default) and the modem controls the call with 3GPP
//! TS 27.007 commands (`PhoneLink::Serial`); without it the call is dialled by hand on the phone
//! and `ATD` starts the calling modem at once (`PhoneLink::Manual`).
//!
//! SIGINT, SIGTERM and SIGHUP end it, the `--link` symlink removed; so does the end of stdin
//! with `--audio stdio`.

use crate::args::Args;
use crate::Failure;

#[cfg(target_os = "linux")]
mod serial;
#[cfg(target_os = "linux")]
mod sound;
#[cfg(target_os = "linux")]
mod term;

/// `softmodem pty ...`.
pub fn pty(argv: &[String]) -> Result<(), Failure> {
    let args = Args::parse(argv, &["link", "audio", "device", "phone", "phone-baud", "level"], &["list-devices"])?;
    if !args.positional.is_empty() {
        return Err(Failure::Usage(format!("pty takes no positional arguments, got '{}'", args.positional[0])));
    }
    #[cfg(target_os = "linux")]
    {
        linux::run(&args)
    }
    #[cfg(not(target_os = "linux"))]
    {
        Err(Failure::Run("pty: pseudo-terminals are supported on Linux only".into()))
    }
}

#[cfg(target_os = "linux")]
mod linux {
    use std::io::{self, Write};
    use std::os::fd::AsFd;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;

    use rustix::event::{poll, PollFd, PollFlags, Timespec};
    use rustix::fs::FileType;
    use softmodem::dce::{Config, Dce, PhoneLink, BLOCK};
    use softmodem::HostAdapter;

    use super::serial::Serial;
    use super::sound::{self, Sound};
    use super::term::{SymLink, Term};
    use crate::args::Args;
    use crate::Failure;

    /// Where the line audio comes from and goes to.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum Audio {
        Stdio,
        Alsa,
    }

    pub fn run(args: &Args) -> Result<(), Failure> {
        if args.flag("list-devices") {
            return sound::list().map_err(Failure::Run);
        }
        let audio = match args.get("audio") {
            Some("stdio") => Audio::Stdio,
            Some("alsa") => Audio::Alsa,
            Some(o) => return Err(Failure::Usage(format!("--audio takes stdio or alsa, not '{o}'"))),
            None if stdin_is_a_stream() => Audio::Stdio,
            None => Audio::Alsa,
        };
        if audio == Audio::Stdio && args.get("device").is_some() {
            return Err(Failure::Usage("--device is for --audio alsa".into()));
        }
        let baud: u32 = args.num("phone-baud", 115_200)?;
        if args.get("phone-baud").is_some() && args.get("phone").is_none() {
            return Err(Failure::Usage("--phone-baud needs --phone".into()));
        }
        let level = crate::level(args)?;
        let mut phone = match args.get("phone") {
            Some(p) => Some(Serial::open(p, baud).map_err(Failure::Run)?),
            None => None,
        };
        // The sound card before the terminal, so that a program never finds a modem that cannot run.
        let sound = match audio {
            Audio::Alsa => Some(Sound::open(args.get("device")).map_err(Failure::Run)?),
            Audio::Stdio => None,
        };
        // Signals are caught from here on, so that the symlink is always removed.
        let stop = Arc::new(AtomicBool::new(false));
        for sig in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM, signal_hook::consts::SIGHUP] {
            // The first signal ends it cleanly; a second one, should that hang, at once (status 1).
            signal_hook::flag::register_conditional_shutdown(sig, 1, Arc::clone(&stop))
                .and_then(|_| signal_hook::flag::register(sig, Arc::clone(&stop)))
                .map_err(|e| Failure::Run(format!("cannot handle signal {sig}: {e}")))?;
        }
        let mut term = Term::open().map_err(|e| Failure::Run(format!("cannot open a pseudo-terminal: {e}")))?;
        eprintln!("softmodem pty: {}", term.path());
        // Removed when this function returns, however it returns.
        let _link = match args.get("link") {
            Some(p) => Some(SymLink::make(p, term.path()).map_err(Failure::Run)?),
            None => None,
        };
        let link = if phone.is_some() { PhoneLink::Serial } else { PhoneLink::Manual };
        let mut dce = Dce::new(Config { link, level_dbm0: level, ..Config::default() });
        let mut station = Station { term: &mut term, phone: phone.as_mut() };
        match sound {
            None => run_stdio(&mut dce, &mut station, &stop),
            Some(s) => run_sound(dce, &mut station, &s, &stop),
        }
    }

    /// Stdin is a pipe or a socket: something that can feed audio.
    fn stdin_is_a_stream() -> bool {
        rustix::fs::fstat(io::stdin())
            .map(|st| matches!(FileType::from_raw_mode(st.st_mode), FileType::Fifo | FileType::Socket))
            .unwrap_or(false)
    }

    /// What is served once a block besides the audio: the terminal and the phone.
    struct Station<'a> {
        term: &'a mut Term,
        phone: Option<&'a mut Serial>,
    }

    impl Station<'_> {
        fn serve(&mut self, dce: &mut Dce) -> Result<(), Failure> {
            self.term.exchange(dce).map_err(|e| Failure::Run(format!("pseudo-terminal: {e}")))?;
            if let Some(p) = self.phone.as_deref_mut() {
                p.exchange(dce);
            }
            while let Some(line) = dce.poll_log() {
                eprintln!("softmodem pty: {line}");
            }
            Ok(())
        }
    }

    /// Waits until `fd` is readable (or at its end), the terminal's master hangs up, a signal
    /// comes or `ms` pass; whether `fd` is readable.
    fn wait(fd: Option<std::os::fd::BorrowedFd<'_>>, term: &mut Term, ms: i64) -> Result<bool, Failure> {
        let master = term.attached().then(|| term.master());
        let mut fds = Vec::with_capacity(2);
        if let Some(fd) = fd {
            fds.push(PollFd::from_borrowed_fd(fd, PollFlags::IN));
        }
        if let Some(m) = master {
            // No events asked: only a hang-up (the program closed the slave) wakes us.
            fds.push(PollFd::from_borrowed_fd(m, PollFlags::empty()));
        }
        let timeout = Timespec { tv_sec: 0, tv_nsec: ms * 1_000_000 };
        match poll(&mut fds, Some(&timeout)) {
            Ok(_) => {}
            Err(rustix::io::Errno::INTR) => return Ok(false),
            Err(e) => return Err(Failure::Run(format!("poll: {e}"))),
        }
        let hung_up = master.is_some() && fds.last().is_some_and(|f| !f.revents().is_empty());
        let readable = fd.is_some() && !fds[0].revents().is_empty();
        drop(fds);
        if hung_up {
            term.note_hang_up();
        }
        Ok(readable)
    }

    /// `--audio stdio`: a block in, the modem runs 20 ms, a block out.
    fn run_stdio(dce: &mut Dce, station: &mut Station<'_>, stop: &AtomicBool) -> Result<(), Failure> {
        // Read unbuffered: a buffer's contents would not show in poll.
        let stdin = io::stdin();
        let mut stdout = io::stdout().lock();
        let mut inb = [0u8; 2 * BLOCK];
        let mut got = 0;
        let mut rx = [0.0f32; BLOCK];
        let mut tx = [0.0f32; BLOCK];
        let mut outb = [0u8; 2 * BLOCK];
        // The terminal is served before the first block too (the program may be waiting).
        station.serve(dce)?;
        while !stop.load(Ordering::Relaxed) {
            let readable = wait(Some(stdin.as_fd()), station.term, 100)?;
            if stop.load(Ordering::Relaxed) {
                break;
            }
            if !readable {
                continue;
            }
            let ended = match rustix::io::read(&stdin, &mut inb[got..]) {
                Ok(0) => true,
                Ok(n) => {
                    got += n;
                    false
                }
                Err(rustix::io::Errno::INTR) | Err(rustix::io::Errno::AGAIN) => false,
                Err(e) => return Err(Failure::Run(format!("cannot read stdin: {e}"))),
            };
            if got == inb.len() || ended {
                let n = crate::audio::decode(&inb[..got], &mut rx);
                dce.process(&rx[..n], &mut tx[..n]);
                station.serve(dce)?;
                let bytes = crate::audio::encode(&tx[..n], &mut outb);
                match stdout.write_all(bytes).and_then(|_| stdout.flush()) {
                    Ok(()) => {}
                    // The other end went away: the end of the line, not an error.
                    Err(e) if e.kind() == io::ErrorKind::BrokenPipe => return Ok(()),
                    Err(e) => return Err(Failure::Run(format!("cannot write stdout: {e}"))),
                }
                got = 0;
            }
            if ended {
                return Ok(());
            }
        }
        eprintln!("softmodem pty: stopped by a signal");
        Ok(())
    }

    /// `--audio alsa`: the sound card's blocks, resampled to 8000 Hz when the card runs faster.
    fn run_sound(dce: Dce, station: &mut Station<'_>, sound: &Sound, stop: &AtomicBool) -> Result<(), Failure> {
        let mut modem = HostAdapter::new(dce, sound.rate() as f32);
        // 20 ms of the card's samples at a time, as the modem's own blocks.
        let block = (sound.rate() as usize).div_ceil(50);
        let mut input = vec![0.0f32; block];
        let mut output = vec![0.0f32; block];
        station.serve(modem.inner_mut())?;
        sound.start().map_err(Failure::Run)?;
        while !stop.load(Ordering::Relaxed) {
            wait(None, station.term, 5)?;
            // A card that delivers faster than the modem keeps up (ALSA's null device) still
            // lets the signal through.
            while !stop.load(Ordering::Relaxed) && sound.take(&mut input) {
                modem.process(&input, &mut output);
                sound.put(&output);
                station.serve(modem.inner_mut())?;
            }
            if let Some(e) = sound.failure() {
                return Err(Failure::Run(format!("sound card: {e}")));
            }
        }
        eprintln!("softmodem pty: stopped by a signal");
        Ok(())
    }
}
