//! `softmodem stdio --exec COMMAND`: once connected, the modem's data goes to COMMAND's standard
//! input and COMMAND's standard output to the modem, as minicom's and Kermit's helpers do; when
//! COMMAND ends (and what it wrote has been delivered) the modem hangs up.
//!
//! COMMAND runs under `sh -c` with its standard error on ours. Its pipes are served by threads,
//! so the audio loop never waits on it.

use std::io::{Read, Write};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;

/// A running COMMAND.
pub struct Exec {
    child: Child,
    to_child: Option<mpsc::Sender<Vec<u8>>>,
    from_child: mpsc::Receiver<Vec<u8>>,
    /// Its output not yet taken by the modem.
    pending: Vec<u8>,
    /// Its output has ended.
    output_done: bool,
    status: Option<ExitStatus>,
}

impl Exec {
    /// Starts `command` under `sh -c`; with `tty`, on a pseudo-terminal in raw mode instead of
    /// pipes (for programs that insist on a terminal, as slirp does).
    pub fn start(command: &str, tty: bool) -> Result<Exec, String> {
        let mut sh = Command::new("sh");
        sh.args(["-c", command]).stderr(Stdio::inherit());
        let (child, mut stdin, mut stdout): (Child, Box<dyn Write + Send>, Box<dyn Read + Send>) = if tty {
            let (slave, master) =
                pty_pair().map_err(|e| format!("cannot make a pseudo-terminal for '{command}': {e}"))?;
            let child = sh
                .stdin(Stdio::from(slave.try_clone().map_err(|e| e.to_string())?))
                .stdout(Stdio::from(slave))
                .spawn()
                .map_err(|e| format!("cannot start '{command}': {e}"))?;
            let writer = master.try_clone().map_err(|e| e.to_string())?;
            (child, Box::new(writer), Box::new(master))
        } else {
            let mut child = sh
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .spawn()
                .map_err(|e| format!("cannot start '{command}': {e}"))?;
            let stdin = child.stdin.take().expect("piped");
            let stdout = child.stdout.take().expect("piped");
            // What COMMAND writes waits in the pipe until the modem has room: keep that to a
            // page (Linux; elsewhere the system's pipe size), so its sender feels the line's
            // pace.
            #[cfg(target_os = "linux")]
            let _ = rustix::pipe::fcntl_setpipe_size(&stdout, 4096);
            (child, Box::new(stdin), Box::new(stdout))
        };
        let (to_child, rx) = mpsc::channel::<Vec<u8>>();
        std::thread::spawn(move || {
            for data in rx {
                if stdin.write_all(&data).and_then(|_| stdin.flush()).is_err() {
                    break;
                }
            }
        });
        // One read in hand at most: the rest waits in the pipe, and COMMAND with it.
        let (tx, from_child) = mpsc::sync_channel(1);
        std::thread::spawn(move || {
            let mut buf = [0u8; 1024];
            loop {
                match stdout.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => {
                        if tx.send(buf[..n].to_vec()).is_err() {
                            break;
                        }
                    }
                }
            }
        });
        Ok(Exec { child, to_child: Some(to_child), from_child, pending: Vec::new(), output_done: false, status: None })
    }

    /// Octets from the modem for COMMAND.
    pub fn deliver(&mut self, data: &[u8]) {
        if let Some(tx) = self.to_child.as_ref() {
            if tx.send(data.to_vec()).is_err() {
                self.to_child = None;
            }
        }
    }

    /// COMMAND's output for the modem: `write` takes what it can and says how much. Takes more of it only as the modem takes what is in hand, so COMMAND waits on the line.
    pub fn feed(&mut self, mut write: impl FnMut(&[u8]) -> usize) {
        loop {
            if !self.pending.is_empty() {
                let n = write(&self.pending);
                self.pending.drain(..n);
                if !self.pending.is_empty() {
                    break;
                }
            }
            match self.from_child.try_recv() {
                Ok(d) => self.pending.extend_from_slice(&d),
                Err(mpsc::TryRecvError::Empty) => break,
                Err(mpsc::TryRecvError::Disconnected) => {
                    self.output_done = true;
                    break;
                }
            }
        }
    }

    /// True once COMMAND has exited and all it wrote has been handed to the modem.
    pub fn finished(&mut self) -> bool {
        if self.status.is_none() {
            self.status = self.child.try_wait().ok().flatten();
        }
        self.status.is_some() && self.output_done && self.pending.is_empty()
    }

    /// The call ended under COMMAND: its input closes; it gets two seconds to end, then is
    /// killed. Its exit status.
    pub fn stop(mut self) -> Option<ExitStatus> {
        self.to_child = None;
        for _ in 0..200 {
            if let Ok(Some(s)) = self.child.try_wait() {
                return Some(s);
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        let _ = self.child.kill();
        self.child.wait().ok().filter(|_| false)
    }

    /// The exit status, once exited.
    pub fn status(&self) -> Option<ExitStatus> {
        self.status
    }
}

/// A pseudo-terminal in raw mode: its slave side (for COMMAND) and its master (ours). When
/// COMMAND and its children have closed the slave, reading the master fails (EIO): the end of
/// COMMAND's output.
#[cfg(target_os = "linux")]
fn pty_pair() -> std::io::Result<(std::fs::File, std::fs::File)> {
    use rustix::pty::{grantpt, openpt, ptsname, unlockpt, OpenptFlags};
    use rustix::termios::{tcgetattr, tcsetattr, OptionalActions};
    let master = openpt(OpenptFlags::RDWR | OpenptFlags::NOCTTY | OpenptFlags::CLOEXEC)?;
    grantpt(&master)?;
    unlockpt(&master)?;
    let name = ptsname(&master, Vec::new())?;
    let slave = std::fs::File::options().read(true).write(true).open(name.to_string_lossy().as_ref())?;
    let mut t = tcgetattr(&slave)?;
    t.make_raw();
    tcsetattr(&slave, OptionalActions::Now, &t)?;
    Ok((slave, std::fs::File::from(master)))
}

#[cfg(not(target_os = "linux"))]
fn pty_pair() -> std::io::Result<(std::fs::File, std::fs::File)> {
    Err(std::io::Error::other("pseudo-terminals are made on Linux only"))
}
