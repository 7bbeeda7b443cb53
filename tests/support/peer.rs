//! Running a [`Transfer`] against a real program (lrzsz's `sz`, `rz`, `sb`, `rb`, `sx`, `rx`) on
//! its standard input and output, and two programs against each other. Real time here: the
//! programs keep their own clocks, so the transfer's [`Instant`]s come from the wall clock.

use std::io::{Read, Write};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration as StdDuration, Instant as StdInstant};

use softmodem::time::{Duration, Instant};
use softmodem::transfer::{Outcome, Transfer};

/// How a run against a program went.
#[derive(Debug)]
pub struct PeerRun {
    /// The transfer's outcome (None if it never ended).
    pub outcome: Option<Outcome>,
    /// The program's exit status (None if it had to be killed).
    pub status: Option<ExitStatus>,
    /// What the program wrote on its standard error.
    pub stderr: String,
    /// Wall-clock time the run took.
    pub elapsed: StdDuration,
}

fn reader<R: Read + Send + 'static>(mut r: R) -> mpsc::Receiver<Vec<u8>> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut buf = [0u8; 16384];
        loop {
            match r.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    if tx.send(buf[..n].to_vec()).is_err() {
                        break;
                    }
                }
            }
        }
    });
    rx
}

fn now_since(start: StdInstant) -> Instant {
    Instant::ZERO + Duration::from_ms(start.elapsed().as_millis() as u32)
}

/// Runs `transfer` against `cmd` (started here with piped standard streams) until both have
/// ended, or `limit` passes (then the program is killed). `tamper` may change the octets each
/// way (program to us, then us to program) before they are delivered.
pub fn run_against_with(
    transfer: &mut dyn Transfer,
    cmd: &mut Command,
    limit: StdDuration,
    tamper: impl FnMut(bool, &mut Vec<u8>),
) -> PeerRun {
    run_against_stepped(transfer, cmd, limit, tamper, |_| {})
}

/// [`run_against_with`], and `step` sees the transfer after each round (to cancel it, say).
pub fn run_against_stepped(
    transfer: &mut dyn Transfer,
    cmd: &mut Command,
    limit: StdDuration,
    mut tamper: impl FnMut(bool, &mut Vec<u8>),
    mut step: impl FnMut(&mut dyn Transfer),
) -> PeerRun {
    let start = StdInstant::now();
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("start {cmd:?}: {e}"));
    let out = reader(child.stdout.take().unwrap());
    let err = reader(child.stderr.take().unwrap());
    let mut stdin = Some(child.stdin.take().unwrap());
    let mut buf = vec![0u8; 4096];
    let mut status = None;
    let mut ended_at = None;
    while start.elapsed() < limit {
        let mut idle = true;
        while let Ok(mut data) = out.try_recv() {
            tamper(true, &mut data);
            transfer.receive(now_since(start), &data);
            idle = false;
        }
        let n = transfer.transmit(now_since(start), &mut buf);
        if n > 0 {
            let mut data = buf[..n].to_vec();
            tamper(false, &mut data);
            if let Some(s) = stdin.as_mut() {
                if s.write_all(&data).and_then(|_| s.flush()).is_err() {
                    stdin = None;
                }
            }
            idle = false;
        }
        step(&mut *transfer);
        if status.is_none() {
            status = child.try_wait().unwrap();
        }
        if transfer.outcome().is_some() {
            let t = *ended_at.get_or_insert_with(StdInstant::now);
            // The program gets a few seconds to end by itself once we have, then its input closes.
            if t.elapsed() > StdDuration::from_secs(3) {
                stdin = None;
            }
            if status.is_some() {
                break;
            }
        }
        if idle {
            std::thread::sleep(StdDuration::from_millis(2));
        }
    }
    drop(stdin);
    if status.is_none() {
        let _ = child.kill();
    }
    let _ = child.wait();
    // Let the readers drain what is left.
    std::thread::sleep(StdDuration::from_millis(20));
    let mut stderr = Vec::new();
    while let Ok(d) = err.try_recv() {
        stderr.extend(d);
    }
    PeerRun {
        outcome: transfer.outcome().cloned(),
        status,
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
        elapsed: start.elapsed(),
    }
}

/// [`run_against_with`] with the octets delivered as they are.
pub fn run_against(transfer: &mut dyn Transfer, cmd: &mut Command, limit: StdDuration) -> PeerRun {
    run_against_with(transfer, cmd, limit, |_, _| {})
}

/// Two programs, each one's standard output into the other's standard input, until both end or
/// `limit` passes (then both are killed). Their exit statuses (None if killed) and standard errors.
pub fn cross(a: &mut Command, b: &mut Command, limit: StdDuration) -> [(Option<ExitStatus>, String); 2] {
    cross_with(a, b, limit, |_, _| {})
}

/// [`cross`], with `tamper` changing the octets each way (`true`: from `a` to `b`) before they
/// are delivered.
pub fn cross_with(
    a: &mut Command,
    b: &mut Command,
    limit: StdDuration,
    tamper: impl FnMut(bool, &mut Vec<u8>) + Send + Clone + 'static,
) -> [(Option<ExitStatus>, String); 2] {
    let start = StdInstant::now();
    let mut children = [a, b].map(|c| {
        c.stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("start {c:?}: {e}"))
    });
    let pipes: Vec<_> = children.iter_mut().map(|c| (c.stdout.take().unwrap(), c.stdin.take().unwrap())).collect();
    let [(out_a, in_a), (out_b, in_b)]: [_; 2] = pipes.try_into().ok().unwrap();
    let copy = |mut from: std::process::ChildStdout, mut to: std::process::ChildStdin, a_to_b: bool| {
        let mut tamper = tamper.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 16384];
            while let Ok(n) = from.read(&mut buf) {
                let mut data = buf[..n].to_vec();
                tamper(a_to_b, &mut data);
                if n == 0 || to.write_all(&data).and_then(|_| to.flush()).is_err() {
                    break;
                }
            }
        })
    };
    copy(out_a, in_b, true);
    copy(out_b, in_a, false);
    let errs: Vec<_> = children.iter_mut().map(|c| reader(c.stderr.take().unwrap())).collect();
    let mut status = [None, None];
    while start.elapsed() < limit && status.iter().any(|s| s.is_none()) {
        for (i, c) in children.iter_mut().enumerate() {
            if status[i].is_none() {
                status[i] = c.try_wait().unwrap();
            }
        }
        std::thread::sleep(StdDuration::from_millis(10));
    }
    for (i, c) in children.iter_mut().enumerate() {
        if status[i].is_none() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
    std::thread::sleep(StdDuration::from_millis(20));
    let text = |rx: &mpsc::Receiver<Vec<u8>>| {
        let mut v = Vec::new();
        while let Ok(d) = rx.try_recv() {
            v.extend(d);
        }
        String::from_utf8_lossy(&v).into_owned()
    };
    [(status[0], text(&errs[0])), (status[1], text(&errs[1]))]
}
