//! Our PPP client against Debian's `slirp` in PPP mode (a real PPP server, started by the test),
//! over a pair of pipes.

#![cfg(target_os = "linux")]

mod support;

use softmodem::ppp::{Config, Ppp};
use softmodem::time::Duration;
use std::io::{Read, Write};
use std::process::Stdio;
use std::sync::mpsc;
use std::time::Instant;

/// `slirp ppp` with its output read by a thread.
struct Slirp {
    child: std::process::Child,
    stdin: std::fs::File,
    from: mpsc::Receiver<Vec<u8>>,
}

impl Slirp {
    fn start() -> Slirp {
        // slirp wants a terminal on its standard input: a pseudo-terminal in raw mode.
        let (child, master) = support::pty::spawn_on_pty(&mut support::slirp::command(), Stdio::null());
        let stdin = master.try_clone().unwrap();
        let mut stdout = master;
        let (tx, from) = mpsc::channel();
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = stdout.read(&mut buf) {
                if n == 0 || tx.send(buf[..n].to_vec()).is_err() {
                    break;
                }
            }
        });
        Slirp { child, stdin, from }
    }
}

impl Drop for Slirp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs `ppp` against slirp until `done` or `secs` of real time pass, in steps of 10 ms.
fn run(ppp: &mut Ppp, slirp: &mut Slirp, secs: u64, mut done: impl FnMut(&mut Ppp) -> bool) -> bool {
    let start = Instant::now();
    let mut last = Instant::now();
    let mut buf = [0u8; 4096];
    while start.elapsed().as_secs() < secs {
        while let Ok(data) = slirp.from.try_recv() {
            if std::env::var("PPP_TRACE").is_ok() {
                eprintln!("<- {data:02x?}");
            }
            ppp.receive(&data);
        }
        let n = ppp.transmit(&mut buf);
        if n > 0 {
            if std::env::var("PPP_TRACE").is_ok() {
                eprintln!("-> {:02x?}", &buf[..n]);
            }
            slirp.stdin.write_all(&buf[..n]).unwrap();
            slirp.stdin.flush().unwrap();
        }
        if done(ppp) {
            return true;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
        let el = last.elapsed();
        last = Instant::now();
        ppp.advance(Duration::from_samples((el.as_micros() / 125) as u32));
    }
    false
}

#[test]
fn ppp_comes_up_against_slirp() {
    let mut slirp = Slirp::start();
    let mut ppp = Ppp::new(Config { seed: 0x2468, ..Config::default() });
    ppp.open();
    let up = run(&mut ppp, &mut slirp, 20, |p| p.is_ip_up());
    let log: Vec<String> = std::iter::from_fn(|| ppp.poll_log()).collect();
    assert!(up, "{log:#?}\n{:?}", ppp.status());
    let st = ppp.status();
    // slirp gives 10.0.2.15 and the host's own DNS server.
    assert_eq!(st.local, Some([10, 0, 2, 15]));
    assert!(st.dns[0].is_some(), "{st:?}");
    // Our Terminate-Request is acknowledged: a clean end from our side.
    ppp.close("test over");
    assert!(run(&mut ppp, &mut slirp, 10, |p| p.is_ended()), "{:?}", ppp.status());
}

#[test]
fn tcp_through_slirp_to_a_loopback_service_is_exact() {
    use softmodem::net::stream::{Stream, StreamState};
    use softmodem::net::Net;
    // A service on the test machine's loopback: sends 200 000 octets, then what it got back.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let data: Vec<u8> = (0..200_000u32).map(|i| (i.wrapping_mul(2654435761) >> 13) as u8).collect();
    let sent = data.clone();
    let server = std::thread::spawn(move || {
        let (mut c, _) = listener.accept().unwrap();
        c.write_all(&sent).unwrap();
        let mut back = [0u8; 5];
        c.read_exact(&mut back).unwrap();
        back
    });
    let mut slirp = Slirp::start();
    let mut ppp = Ppp::new(Config { seed: 0x1357, ..Config::default() });
    ppp.open();
    assert!(run(&mut ppp, &mut slirp, 20, |p| p.is_ip_up()));
    let mut net = Net::new(7);
    net.poll(&mut ppp);
    // 10.0.2.2 is the machine slirp runs on.
    let mut stream = Stream::connect(&mut net, "10.0.2.2", port, 16384, 4096).unwrap();
    let mut got = Vec::new();
    let mut said = false;
    let ok = run(&mut ppp, &mut slirp, 60, |p| {
        net.poll(p);
        stream.poll(&mut net);
        let mut buf = [0u8; 4096];
        loop {
            let n = stream.recv(&mut net, &mut buf);
            if n == 0 {
                break;
            }
            got.extend_from_slice(&buf[..n]);
        }
        if *stream.state() == StreamState::Open && !said {
            said = stream.send(&mut net, b"hello") == 5;
        }
        net.poll(p);
        got.len() >= data.len() && said
    });
    assert!(ok, "got {} of {} octets; {:?}; {:?}", got.len(), data.len(), stream.state(), ppp.status());
    assert!(got == data, "the octets differ");
    assert_eq!(&server.join().unwrap(), b"hello");
}
