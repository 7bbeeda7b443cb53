//! `--phone PATH`: the phone's AT port (a USB cellular modem's, a phone's serial or Bluetooth
//! serial link), raw at `--phone-baud`, joined to the modem's call control
//! ([`Dce::from_phone`], [`Dce::to_phone`]). A port that goes away (unplugged) is reported to the
//! modem ([`Dce::phone_lost`]) and opened again every two seconds; once it is back, the phone is
//! set up anew ([`Dce::init_phone`]).

use std::os::fd::OwnedFd;
use std::time::{Duration, Instant};

use rustix::fs::{Mode, OFlags};
use rustix::io::Errno;
use rustix::termios::{tcflush, tcgetattr, tcsetattr, ControlModes, OptionalActions, QueueSelector};
use softmodem::Dce;

/// How long to wait before opening a lost port again.
const RETRY: Duration = Duration::from_secs(2);

/// The phone's serial port.
pub struct Serial {
    path: String,
    baud: u32,
    fd: Option<OwnedFd>,
    /// For the phone, not yet written.
    out: Vec<u8>,
    retry_at: Instant,
}

impl Serial {
    /// Opens `path` raw (8N1, no flow control, modem-control lines ignored) at `baud` bit/s.
    pub fn open(path: &str, baud: u32) -> Result<Serial, String> {
        let fd = open_port(path, baud).map_err(|e| format!("--phone {path}: {e}"))?;
        Ok(Serial { path: path.into(), baud, fd: Some(fd), out: Vec::new(), retry_at: Instant::now() })
    }

    /// Once a block: the phone's bytes to the modem and the modem's to the phone.
    pub fn exchange(&mut self, dce: &mut Dce) {
        if self.fd.is_none() {
            if Instant::now() < self.retry_at {
                return;
            }
            match open_port(&self.path, self.baud) {
                Ok(fd) => {
                    eprintln!("softmodem pty: phone port {} open again", self.path);
                    self.fd = Some(fd);
                    self.out.clear();
                    dce.init_phone();
                }
                Err(_) => {
                    self.retry_at = Instant::now() + RETRY;
                    return;
                }
            }
        }
        let Some(fd) = self.fd.as_ref() else { return };
        let mut buf = [0u8; 1024];
        let mut lost = None;
        loop {
            match rustix::io::read(fd, &mut buf) {
                Ok(0) => {
                    lost = Some("end of file".to_string());
                    break;
                }
                Ok(n) => dce.from_phone(&buf[..n]),
                Err(Errno::AGAIN) => break,
                Err(Errno::INTR) => {}
                Err(e) => {
                    lost = Some(e.to_string());
                    break;
                }
            }
        }
        if lost.is_none() {
            loop {
                let n = dce.to_phone(&mut buf);
                if n == 0 {
                    break;
                }
                self.out.extend_from_slice(&buf[..n]);
            }
            while !self.out.is_empty() {
                match rustix::io::write(fd, &self.out) {
                    Ok(0) | Err(Errno::AGAIN) => break,
                    Ok(n) => {
                        self.out.drain(..n);
                    }
                    Err(Errno::INTR) => {}
                    Err(e) => {
                        lost = Some(e.to_string());
                        break;
                    }
                }
            }
        }
        if let Some(why) = lost {
            eprintln!(
                "softmodem pty: phone port {} lost ({why}); opening it again every {} s",
                self.path,
                RETRY.as_secs()
            );
            self.fd = None;
            self.retry_at = Instant::now() + RETRY;
            dce.phone_lost();
        }
    }
}

fn open_port(path: &str, baud: u32) -> std::io::Result<OwnedFd> {
    // Non-blocking: the open does not wait for carrier, nor reads and writes for the phone.
    let fd = rustix::fs::open(path, OFlags::RDWR | OFlags::NOCTTY | OFlags::NONBLOCK | OFlags::CLOEXEC, Mode::empty())?;
    let mut t = tcgetattr(&fd)?;
    t.make_raw();
    t.control_modes |= ControlModes::CLOCAL | ControlModes::CREAD;
    t.control_modes -= ControlModes::CRTSCTS;
    t.set_speed(baud)?;
    tcsetattr(&fd, OptionalActions::Now, &t)?;
    let _ = tcflush(&fd, QueueSelector::IOFlush);
    Ok(fd)
}
