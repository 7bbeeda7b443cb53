#![cfg(target_os = "linux")]
//! `softmodem pty`: the Hayes modem on a pseudo-terminal, its line audio on stdin and stdout.
//!
//! The test is the program on the pseudo-terminal (as minicom or pppd would be): it opens the
//! `--link` symlink, sets it raw, types AT commands and dials. A harness thread joins the modem's
//! audio to a `softmodem stdio` answerer's in lockstep (a block to each, a block from each, as
//! `tests/stdio.rs` does), at most ten times faster than real time. DTR is dropped both ways a
//! program drops it on a pseudo-terminal: closing it, and setting its speed to 0.

mod support;

use std::os::fd::OwnedFd;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use rustix::event::{poll, PollFd, PollFlags, Timespec};
use rustix::fs::{Mode, OFlags};
use rustix::termios::{tcgetattr, tcsetattr, OptionalActions};
use support::{arg, binary_text, first_difference, Proc, Scratch};

const BLOCK: usize = 160;

/// The audio harness: the modem under test and, once given, its far end.
struct Line {
    stop: Arc<AtomicBool>,
    /// The far end (a `softmodem stdio` answerer) to join to the modem from now on.
    far: mpsc::Sender<Proc>,
    /// Set when the far end's process has ended (its pipes closed).
    far_gone: Arc<AtomicBool>,
    thread: JoinHandle<(Proc, Vec<Proc>)>,
}

impl Line {
    fn start(modem: Proc) -> Line {
        let stop = Arc::new(AtomicBool::new(false));
        let far_gone = Arc::new(AtomicBool::new(false));
        let (far, far_rx) = mpsc::channel::<Proc>();
        let (stop2, gone2) = (Arc::clone(&stop), Arc::clone(&far_gone));
        let thread = std::thread::spawn(move || {
            let mut modem = modem;
            let mut ended = vec![];
            let mut far: Option<Proc> = None;
            let mut to_modem = vec![0i16; BLOCK];
            let mut to_far = vec![0i16; BLOCK];
            while !stop2.load(Ordering::Relaxed) {
                let t = Instant::now();
                if let Ok(p) = far_rx.try_recv() {
                    gone2.store(false, Ordering::Relaxed);
                    far = Some(p);
                    to_far = vec![0; BLOCK];
                }
                if modem.write(&to_modem).is_err() {
                    break;
                }
                let Ok(from_modem) = modem.read(BLOCK) else { break };
                let mut from_far = vec![0i16; BLOCK];
                if let Some(p) = far.as_mut() {
                    match p.write(&to_far).and_then(|_| p.read(BLOCK)) {
                        Ok(y) => from_far = y,
                        Err(_) => {
                            ended.push(far.take().unwrap());
                            gone2.store(true, Ordering::Relaxed);
                        }
                    }
                }
                (to_modem, to_far) = (from_far, from_modem);
                // At most ten times real time: 20 ms of audio in no less than 2 ms.
                if let Some(rest) = Duration::from_millis(2).checked_sub(t.elapsed()) {
                    std::thread::sleep(rest);
                }
            }
            ended.extend(far);
            (modem, ended)
        });
        Line { stop, far, far_gone, thread }
    }

    /// Stops the audio; the modem's process and the far ends' (to finish).
    fn stop(self) -> (Proc, Vec<Proc>) {
        self.stop.store(true, Ordering::Relaxed);
        self.thread.join().expect("audio harness")
    }
}

/// The program's side of the pseudo-terminal.
struct Port {
    fd: OwnedFd,
    /// Everything read, and how much of it the test has looked at.
    got: Vec<u8>,
    seen: usize,
}

impl Port {
    /// Opens the slave (through the symlink) and sets it raw, 115200 bit/s.
    fn open(path: &std::path::Path) -> Port {
        let port = Port::open_as_is(path);
        let mut t = tcgetattr(&port.fd).expect("tcgetattr");
        t.make_raw();
        t.set_speed(115_200).unwrap();
        tcsetattr(&port.fd, OptionalActions::Now, &t).expect("tcsetattr");
        port
    }

    /// Opens the slave with the settings it has.
    fn open_as_is(path: &std::path::Path) -> Port {
        let fd =
            rustix::fs::open(path, OFlags::RDWR | OFlags::NOCTTY | OFlags::NONBLOCK | OFlags::CLOEXEC, Mode::empty())
                .unwrap_or_else(|e| panic!("open {}: {e}", path.display()));
        Port { fd, got: vec![], seen: 0 }
    }

    fn write(&mut self, mut data: &[u8]) {
        let end = Instant::now() + Duration::from_secs(20);
        while !data.is_empty() {
            match rustix::io::write(&self.fd, data) {
                Ok(n) => data = &data[n..],
                Err(rustix::io::Errno::AGAIN) => {
                    // The modem holds back what it cannot send yet: read meanwhile.
                    assert!(Instant::now() < end, "the modem takes no more");
                    self.read_for(Duration::from_millis(10));
                }
                Err(e) => panic!("write: {e}"),
            }
        }
    }

    /// Reads what arrives within `d`.
    fn read_for(&mut self, d: Duration) {
        let end = Instant::now() + d;
        loop {
            let left = end.saturating_duration_since(Instant::now());
            let mut fds = [PollFd::new(&self.fd, PollFlags::IN)];
            let ts = Timespec { tv_sec: left.as_secs() as i64, tv_nsec: left.subsec_nanos() as i64 };
            let ready = poll(&mut fds, Some(&ts)).unwrap_or(0);
            if ready > 0 {
                let mut buf = [0u8; 4096];
                match rustix::io::read(&self.fd, &mut buf) {
                    Ok(n) => self.got.extend_from_slice(&buf[..n]),
                    Err(rustix::io::Errno::AGAIN) => {}
                    Err(e) => panic!("read: {e}"),
                }
            }
            if Instant::now() >= end {
                return;
            }
        }
    }

    /// Reads until what has not been looked at yet contains `want`, within `secs`; returns
    /// what came before it, and moves past it.
    #[track_caller]
    fn expect(&mut self, want: &[u8], secs: u64) -> Vec<u8> {
        let end = Instant::now() + Duration::from_secs(secs);
        loop {
            if let Some(i) = self.got[self.seen..].windows(want.len()).position(|w| w == want) {
                let before = self.got[self.seen..self.seen + i].to_vec();
                self.seen += i + want.len();
                return before;
            }
            assert!(
                Instant::now() < end,
                "no {:?} within {secs} s; got {:?}",
                String::from_utf8_lossy(want),
                String::from_utf8_lossy(&self.got[self.seen..])
            );
            self.read_for(Duration::from_millis(20));
        }
    }

    /// Reads `n` bytes past what has been looked at, within `secs`.
    #[track_caller]
    fn take(&mut self, n: usize, secs: u64) -> Vec<u8> {
        let end = Instant::now() + Duration::from_secs(secs);
        while self.got.len() - self.seen < n {
            assert!(Instant::now() < end, "{} of {n} bytes within {secs} s", self.got.len() - self.seen);
            self.read_for(Duration::from_millis(20));
        }
        self.seen += n;
        self.got[self.seen - n..self.seen].to_vec()
    }

    /// Sets or clears HUPCL (hang up on the last close).
    fn set_hupcl(&self, on: bool) {
        let mut t = tcgetattr(&self.fd).expect("tcgetattr");
        t.control_modes.set(rustix::termios::ControlModes::HUPCL, on);
        tcsetattr(&self.fd, OptionalActions::Now, &t).expect("tcsetattr");
    }

    /// Sets the output and input speeds (0: hang up, as `cfsetospeed(B0)`).
    fn set_speed(&self, speed: u32) {
        let mut t = tcgetattr(&self.fd).expect("tcgetattr");
        t.set_speed(speed).unwrap();
        tcsetattr(&self.fd, OptionalActions::Now, &t).expect("tcsetattr");
    }
}

fn modem(link: &std::path::Path) -> Proc {
    Proc::spawn(&["pty".into(), "--audio".into(), "stdio".into(), "--link".into(), arg(link)])
}

fn answerer(extra: &[&str]) -> Proc {
    let mut a: Vec<String> = ["stdio", "--mode", "v22bis", "--role", "answer"].iter().map(|s| s.to_string()).collect();
    a.extend(extra.iter().map(|s| s.to_string()));
    Proc::spawn(&a)
}

/// Waits for the symlink to appear (the modem is up).
fn wait_for(link: &std::path::Path) {
    let end = Instant::now() + Duration::from_secs(20);
    while std::fs::symlink_metadata(link).is_err() {
        assert!(Instant::now() < end, "{} did not appear", link.display());
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn a_call_from_a_program_on_the_pty_then_dtr_drops() {
    let t0 = Instant::now();
    let dir = Scratch::new("pty-call");
    let link = dir.path("modem");
    let line = Line::start(modem(&link));
    wait_for(&link);
    assert!(std::fs::read_link(&link).unwrap().starts_with("/dev/pts/"));

    let mut port = Port::open(&link);
    port.write(b"AT\r");
    assert_eq!(port.expect(b"OK\r\n", 10), b"AT\r\r\n");
    port.write(b"AT+GMM\r");
    assert_eq!(port.expect(b"OK\r\n", 10), b"AT+GMM\r\r\nsoftmodem\r\n\r\n");

    // The far modem echoes what it receives; ATD starts the calling modem at once (manual link).
    line.far.send(answerer(&["--exec", "cat"])).unwrap();
    port.write(b"ATD\r");
    let before = port.expect(b"CONNECT 2400/LAPM/V42BIS\r\n", 30);
    assert_eq!(before, b"ATD\r\r\n", "{:?}", String::from_utf8_lossy(&before));
    let data = binary_text();
    port.write(&data);
    let echoed = port.take(data.len(), 30);
    assert!(echoed == data, "the echo differs: {}", first_difference(&echoed, &data));

    // DTR off by closing the port: the modem hangs up, the far modem loses its carrier.
    drop(port);
    let end = Instant::now() + Duration::from_secs(30);
    while !line.far_gone.load(Ordering::Relaxed) {
        assert!(Instant::now() < end, "the far modem is still connected 30 s after the port closed");
        std::thread::sleep(Duration::from_millis(20));
    }
    // Opened again: command state, and nothing left over from the call (no stale NO CARRIER).
    let mut port = Port::open(&link);
    port.write(b"AT\r");
    assert_eq!(port.expect(b"OK\r\n", 10), b"AT\r\r\n");
    assert_eq!(port.seen, port.got.len());

    // DTR off by speed 0 (cfsetospeed(B0)) while a call is being attempted (no far modem now;
    // S7 at 255 s would wait 25 s).
    port.write(b"ATS7=255D\r");
    port.expect(b"ATS7=255D\r", 10);
    port.read_for(Duration::from_millis(300));
    assert_eq!(port.got[port.seen..], b""[..], "the attempt ended early");
    port.set_speed(0);
    assert_eq!(port.expect(b"NO CARRIER\r\n", 10), b"\r\n");
    port.set_speed(115_200);
    port.write(b"AT\r");
    assert_eq!(port.expect(b"OK\r\n", 10), b"AT\r\r\n");
    // Closed at speed 0, as a program that hung up leaves it: the next program that opens it
    // without setting a speed has DTR on all the same, and its closing hangs up its call attempt.
    port.set_speed(0);
    drop(port);
    let mut port = Port::open_as_is(&link);
    port.write(b"ATD\r");
    port.expect(b"ATD\r", 10);
    port.read_for(Duration::from_millis(300));
    assert_eq!(port.got[port.seen..], b""[..], "the attempt ended early");
    drop(port);
    let mut port = Port::open(&link);
    port.write(b"AT\r");
    // Had the attempt gone on, this "AT" would have ended it: "NO CARRIER".
    assert_eq!(port.expect(b"OK\r\n", 10), b"AT\r\r\n");
    assert_eq!(port.got, b"AT\r\r\nOK\r\n");

    // With HUPCL cleared, closing is not DTR off (as on a serial port): the call attempt goes on
    // with no program, and the next program's first character ends it.
    port.set_hupcl(false);
    port.write(b"ATD\r");
    port.expect(b"ATD\r", 10);
    drop(port);
    std::thread::sleep(Duration::from_millis(300));
    let mut port = Port::open(&link);
    port.write(b"A");
    assert_eq!(port.expect(b"NO CARRIER\r\n", 10), b"\r\n");
    port.set_hupcl(true);
    port.read_for(Duration::from_millis(100));
    drop(port);

    // The end of the audio ends the modem, and its symlink goes.
    let (modem, fars) = line.stop();
    let (status, err, _) = modem.finish();
    assert!(status.success() && !err.contains("panicked"), "{status:?}\n{err}");
    assert!(err.contains("softmodem pty: /dev/pts/"), "{err}");
    assert!(err.matches("DTR off (&D2)").count() >= 4, "{err}");
    assert!(std::fs::symlink_metadata(&link).is_err(), "the symlink is still there");
    let mut fars = fars.into_iter();
    let (_, far_err, _) = fars.next().expect("the far modem").finish();
    assert!(far_err.contains("CONNECT 2400/LAPM/V42BIS"), "{far_err}");
    assert!(far_err.contains("NO CARRIER"), "{far_err}");
    eprintln!("in {:?}\n{err}\n{far_err}", t0.elapsed());
}

/// pppd dials with its connect script, chat(8), run on the port: Debian's chat, with the README's
/// pppd line's script, dials through the modem and ends at CONNECT, and the line then carries
/// data. (pppd itself cannot run here: it needs the kernel's PPP driver, /dev/ppp. What it would
/// speak after chat is PPP; here the far end echoes.)
#[test]
fn chat_as_pppd_runs_it_dials_and_the_line_carries_data() {
    let dir = Scratch::new("pty-chat");
    let link = dir.path("modem");
    let line = Line::start(modem(&link));
    wait_for(&link);
    // Raw at 115200 bit/s, as pppd sets the port before it runs the connect script.
    let mut port = Port::open(&link);
    line.far.send(answerer(&["--exec", "cat"])).unwrap();
    let tty = std::fs::OpenOptions::new().read(true).write(true).open(&link).expect("open the port for chat");
    let chat = std::process::Command::new("chat")
        .args(["-v", "-s", "-t", "60", "ABORT", "BUSY", "ABORT", "NO CARRIER", "", "ATDT5551234", "CONNECT", ""])
        .stdin(tty.try_clone().unwrap())
        .stdout(tty)
        .output()
        .expect("chat(8) runs (Debian's ppp package)");
    let log = String::from_utf8_lossy(&chat.stderr);
    assert!(chat.status.success(), "chat failed ({:?}): {log}", chat.status);
    assert!(log.contains("CONNECT"), "{log}");
    // chat's last send (an empty string: a CR) went through; what follows is the far end's echo.
    let data = b"after chat, the link is pppd's: 0123456789 abcdefghijklmnopqrstuvwxyz\n".repeat(8);
    port.write(&data);
    let before = port.expect(&data, 30);
    assert!(before.ends_with(b"\r"), "chat's CR came back first: {:?}", String::from_utf8_lossy(&before));
    drop(port);
    let end = Instant::now() + Duration::from_secs(30);
    while !line.far_gone.load(Ordering::Relaxed) {
        assert!(Instant::now() < end, "the far modem is still connected 30 s after the port closed");
        std::thread::sleep(Duration::from_millis(20));
    }
    let (modem, fars) = line.stop();
    let (status, err, _) = modem.finish();
    assert!(status.success() && !err.contains("panicked"), "{status:?}\n{err}");
    let (_, far_err, _) = fars.into_iter().next().expect("the far modem").finish();
    assert!(far_err.contains("CONNECT 2400/LAPM/V42BIS"), "{far_err}");
}

#[test]
fn link_refuses_a_regular_file_and_replaces_a_stale_link() {
    let dir = Scratch::new("pty-link");
    let file = dir.write("modem", b"not a modem");
    let out = support::softmodem(["pty", "--audio", "stdio", "--link", &arg(&file)], Some(&[]));
    let err = support::stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("exists and is not a symbolic link: not replaced"), "{err}");
    assert_eq!(std::fs::read(&file).unwrap(), b"not a modem");

    // A symlink left by a modem that did not end cleanly is replaced (and removed at the end).
    let stale = dir.path("stale");
    std::os::unix::fs::symlink("/dev/pts/no-such-pty", &stale).unwrap();
    let out = support::softmodem(["pty", "--audio", "stdio", "--link", &arg(&stale)], Some(&[0u8; 3200]));
    support::assert_ok(&out, "pty with a stale link");
    assert!(std::fs::symlink_metadata(&stale).is_err(), "the symlink is still there");
    // A symlink to something else is not.
    let other = dir.path("other");
    std::os::unix::fs::symlink(&file, &other).unwrap();
    let out = support::softmodem(["pty", "--audio", "stdio", "--link", &arg(&other)], Some(&[]));
    assert_eq!(out.status.code(), Some(1), "{}", support::stderr(&out));
    assert_eq!(std::fs::read_link(&other).unwrap(), file);
}

#[test]
fn sigterm_ends_it_and_removes_the_link() {
    let dir = Scratch::new("pty-signal");
    let link = dir.path("modem");
    // No audio comes: it waits, serving the terminal, until the signal.
    let p = modem(&link);
    wait_for(&link);
    let kill = std::process::Command::new("kill").args(["-TERM", &p.child.id().to_string()]).status().unwrap();
    assert!(kill.success());
    let mut p = p;
    let end = Instant::now() + Duration::from_secs(10);
    while p.child.try_wait().unwrap().is_none() {
        assert!(Instant::now() < end, "still running 10 s after SIGTERM");
        std::thread::sleep(Duration::from_millis(10));
    }
    let (status, err, _) = p.finish();
    assert!(status.success(), "{status:?}\n{err}");
    assert!(err.contains("stopped by a signal"), "{err}");
    assert!(std::fs::symlink_metadata(&link).is_err(), "the symlink is still there");
}

#[test]
fn the_phone_on_a_serial_port_dials() {
    // A phone's AT port, played here on another pseudo-terminal: it answers OK to everything.
    use rustix::pty::{grantpt, openpt, ptsname, unlockpt, OpenptFlags};
    let phone = openpt(OpenptFlags::RDWR | OpenptFlags::NOCTTY | OpenptFlags::CLOEXEC).unwrap();
    grantpt(&phone).unwrap();
    unlockpt(&phone).unwrap();
    let phone_path = ptsname(&phone, Vec::new()).unwrap().into_string().unwrap();
    let dir = Scratch::new("pty-phone");
    let link = dir.path("modem");
    let line = Line::start(Proc::spawn(&[
        "pty".into(),
        "--audio".into(),
        "stdio".into(),
        "--link".into(),
        arg(&link),
        "--phone".into(),
        phone_path,
    ]));
    wait_for(&link);
    let mut port = Port::open(&link);
    port.write(b"ATDT5551234\r");
    let mut heard = Vec::new();
    let end = Instant::now() + Duration::from_secs(20);
    while !String::from_utf8_lossy(&heard).contains("ATD5551234;\r") {
        assert!(
            Instant::now() < end,
            "the phone was never asked to dial; it heard {:?}",
            String::from_utf8_lossy(&heard)
        );
        let mut fds = [PollFd::new(&phone, PollFlags::IN)];
        if poll(&mut fds, Some(&Timespec { tv_sec: 0, tv_nsec: 20_000_000 })).unwrap_or(0) > 0 {
            let mut buf = [0u8; 512];
            if let Ok(n) = rustix::io::read(&phone, &mut buf) {
                heard.extend_from_slice(&buf[..n]);
                for _ in buf[..n].iter().filter(|&&b| b == b'\r') {
                    rustix::io::write(&phone, b"\r\nOK\r\n").unwrap();
                }
            }
        }
    }
    let heard = String::from_utf8_lossy(&heard).into_owned();
    // The phone was set up first (echo off, verbose results).
    assert!(heard.starts_with("ATE0"), "{heard:?}");
    drop(port);
    let (modem, _) = line.stop();
    let (status, err, _) = modem.finish();
    assert!(status.success(), "{status:?}\n{err}");
    assert!(err.contains("Link: phone over its serial port"), "{err}");
}
