//! Dial-up networking over a whole call: `softmodem ppp` calls a `softmodem stdio` answerer that
//! runs Debian's `slirp` (a real PPP server) on a pseudo-terminal with `--exec-tty --exec`; PPP
//! comes up over V.22bis (with V.42 as a factory modem does it) and a web page is fetched from a
//! server on this machine's loopback through slirp (10.0.2.2 is the machine slirp runs on),
//! byte-exact. Then the same with a login prompt in front of slirp, and through line errors.
#![cfg(target_os = "linux")]

mod support;

use softmodem::sim::line::{Direction, Dropout, Impairments};
use std::io::{Read, Write};
use std::net::TcpListener;
use support::{random_bytes, Scratch};

/// A one-page web server on 127.0.0.1: answers each GET with `body`, and counts the requests.
fn web_server(body: Vec<u8>) -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for c in l.incoming() {
            let Ok(mut c) = c else { break };
            let body = body.clone();
            std::thread::spawn(move || {
                let mut req = Vec::new();
                let mut b = [0u8; 512];
                while !req.windows(4).any(|w| w == b"\r\n\r\n") {
                    match c.read(&mut b) {
                        Ok(0) | Err(_) => return,
                        Ok(n) => req.extend_from_slice(&b[..n]),
                    }
                }
                let head = format!(
                    "HTTP/1.0 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: {}\r\n\r\n",
                    body.len()
                );
                let _ = c.write_all(head.as_bytes()).and_then(|_| c.write_all(&body));
            });
        }
    });
    port
}

/// The calls run at most this many times faster than real time: slirp answers in real time,
/// PPP's timers count samples, and a loaded machine must not make slirp seem to miss them.
const PACE: Option<f64> = Some(6.0);

fn strings(a: &[&str]) -> Vec<String> {
    a.iter().map(|s| s.to_string()).collect()
}

#[test]
fn a_web_page_through_slirp_over_a_v22bis_call() {
    let body = random_bytes(3_000, 77);
    let port = web_server(body.clone());
    let dir = Scratch::new("ppp-call");
    let out = dir.path("page.bin");
    let mut caller = strings(&["ppp", "--mode", "v22bis", "--role", "call", "--get"]);
    caller.push(format!("http://10.0.2.2:{port}/page.bin"));
    caller.extend(["-o".to_string(), out.display().to_string()]);
    let mut answerer = strings(&["stdio", "--mode", "v22bis", "--role", "answer", "--exec-tty", "--exec"]);
    answerer.push(support::slirp::shell_command());
    let [(ok_c, err_c), (_, err_a)] = support::lockstep_paced([caller, answerer], 60_000, [None, None], PACE);
    assert!(ok_c, "caller:\n{err_c}\nanswerer:\n{err_a}");
    assert!(err_c.contains("CONNECT 2400/LAPM"), "{err_c}");
    assert!(err_c.contains("PPP: IP up: local 10.0.2.15"), "{err_c}");
    assert!(err_c.contains("HTTP/1.0 200 OK (3000 octets"), "{err_c}");
    assert!(std::fs::read(&out).unwrap() == body, "the page arrived changed");
}

/// The answerer's side of a server with a login prompt in front of PPP, as a shell account or a
/// terminal server has: `login:`, `Password:`, a `>` prompt taking `ppp`, then slirp.
fn login_server() -> String {
    format!(
        "stty icrnl; printf 'Test server\\r\\nlogin: '; read u; printf 'Password: '; read p; \
         if [ \"$u\" = guest ] && [ \"$p\" = secret ]; then printf '\\r\\n> '; read c; \
         if [ \"$c\" = ppp ]; then stty -icrnl; {}; fi; fi; printf 'Login incorrect\\r\\n'; sleep 1",
        support::slirp::shell_command()
    )
}

#[test]
fn a_login_script_runs_before_ppp() {
    let body = random_bytes(1_500, 78);
    let port = web_server(body.clone());
    let dir = Scratch::new("ppp-login");
    let script = dir.write(
        "login.chat",
        b"# the test server's login\nABORT 'Login incorrect'\nlogin: guest\nPassword: secret\n> ppp\n",
    );
    let out = dir.path("page.bin");
    let mut caller = strings(&["ppp", "--mode", "v22bis", "--role", "call", "--script"]);
    caller.push(script.display().to_string());
    caller.extend(["--get".into(), format!("http://10.0.2.2:{port}/"), "-o".into(), out.display().to_string()]);
    let mut answerer = strings(&["stdio", "--mode", "v22bis", "--role", "answer", "--exec-tty", "--exec"]);
    answerer.push(login_server());
    let [(ok_c, err_c), (_, err_a)] = support::lockstep_paced([caller, answerer], 60_000, [None, None], PACE);
    assert!(ok_c, "caller:\n{err_c}\nanswerer:\n{err_a}");
    assert!(err_c.contains("\"********\""), "the password is not logged: {err_c}");
    assert!(!err_c.contains("secret"), "{err_c}");
    assert!(err_c.contains("PPP: IP up"), "{err_c}");
    assert!(std::fs::read(&out).unwrap() == body);

    // A wrong password: the server says so, ABORT ends the script, the call is hung up.
    let bad = dir.write("bad.chat", b"ABORT 'Login incorrect'\nlogin: guest\nPassword: wrong\n> ppp\n");
    let mut caller = strings(&["ppp", "--mode", "v22bis", "--role", "call", "--script"]);
    caller.push(bad.display().to_string());
    caller.extend([
        "--get".into(),
        format!("http://10.0.2.2:{port}/"),
        "-o".into(),
        dir.path("no.bin").display().to_string(),
    ]);
    let mut answerer = strings(&["stdio", "--mode", "v22bis", "--role", "answer", "--exec-tty", "--exec"]);
    answerer.push(login_server());
    let [(ok_c, err_c), _] = support::lockstep_paced([caller, answerer], 60_000, [None, None], PACE);
    assert!(!ok_c);
    assert!(err_c.contains("login script: aborted on \"Login incorrect\""), "{err_c}");
}

#[test]
fn tcp_stays_exact_through_line_errors_without_error_control() {
    // V.42 off at both ends: the line's errors reach PPP, which drops the damaged frames, and
    // TCP sends again what they carried.
    let body = random_bytes(3_000, 79);
    let port = web_server(body.clone());
    let dir = Scratch::new("ppp-noisy");
    let out = dir.path("page.bin");
    let mut caller = strings(&["ppp", "--mode", "v22bis", "--role", "call", "--ec", "off", "--get"]);
    caller.push(format!("http://10.0.2.2:{port}/noisy"));
    caller.extend(["-o".to_string(), out.display().to_string()]);
    let mut answerer =
        strings(&["stdio", "--mode", "v22bis", "--role", "answer", "--ec", "off", "--exec-tty", "--exec"]);
    answerer.push(support::slirp::shell_command());
    let base = Impairments { freq_offset_hz: 3.0, clock_ppm: 50.0, ..Default::default() }.with_snr(16.0, -13.0);
    let mut to_caller = base.clone();
    to_caller.dropouts = [12_000.0, 20_000.0].iter().map(|&at_ms| Dropout { at_ms, ms: 60.0 }).collect();
    let [(ok_c, err_c), (_, err_a)] = support::lockstep_paced(
        [caller, answerer],
        120_000,
        [Some(Direction::new(base, 51)), Some(Direction::new(to_caller, 52))],
        PACE,
    );
    assert!(ok_c, "caller:\n{err_c}\nanswerer:\n{err_a}");
    let bad: u64 = err_c
        .lines()
        .find_map(|l| {
            l.strip_prefix("PPP: ")
                .and_then(|r| r.split("; ").nth(1))
                .and_then(|r| r.split(' ').next())
                .and_then(|n| n.parse().ok())
        })
        .expect("the PPP counts line");
    assert!(bad > 0, "the line's errors reached PPP: {err_c}");
    assert!(std::fs::read(&out).unwrap() == body, "the page arrived changed");
}
