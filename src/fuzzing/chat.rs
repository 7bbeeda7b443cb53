//! The login script runner (`ppp::chat`): any script text, run against any line.

use crate::ppp::chat::{Chat, Script, State, LEFTOVER_MAX, LOG_MAX, MAX_STRING};
use crate::time::Duration;

/// Parses the data up to its first NUL as a script (lossy UTF-8) and, if it parses, runs it on the
/// rest, read as operations: bytes from the line (some of them what the script waits for, some the
/// start of PPP), time, reads of what it sends, of its log and of its leftover. Nothing panics,
/// everything stays bounded, a parse error names a line of the script, and once the operations
/// stop, time alone ends the script.
pub fn chat_script(data: &[u8]) {
    let split = data.iter().position(|&b| b == 0).unwrap_or(data.len());
    let text = String::from_utf8_lossy(&data[..split]);
    let mut ops = data.get(split + 1..).unwrap_or(&[]);
    let script = match Script::parse(&text) {
        Ok(s) => s,
        Err(e) => {
            assert!(e.line >= 1 && e.line <= text.lines().count(), "{e} in {} lines", text.lines().count());
            assert!(!e.to_string().is_empty());
            return;
        }
    };
    let steps = script.len();
    let mut chat = Chat::new(script);
    let mut buf = [0u8; 300];
    let mut sent = 0usize;
    let mut leftover = Vec::new();
    let mut ppp = false;
    let mut drain = |chat: &mut Chat, len: usize, sent: &mut usize| {
        let n = chat.transmit(&mut buf[..len]);
        assert!(n <= len);
        *sent += n;
        assert!(*sent <= steps * (MAX_STRING + 1), "{sent} bytes sent by {steps} lines");
    };
    while let Some((&op, rest)) = ops.split_first() {
        ops = rest;
        let arg = (op >> 3) as usize;
        match op & 7 {
            0 | 1 => {
                let n = (arg + 1).min(ops.len());
                chat.receive(&ops[..n]);
                ops = &ops[n..];
            }
            2 => {
                if let Some(e) = chat.expecting() {
                    let e = e.to_vec();
                    chat.receive(&e[..e.len() - arg % 2]);
                }
            }
            3 => chat.advance(Duration::from_samples_u64(1u64 << arg)),
            4 => drain(&mut chat, arg * 9 + 1, &mut sent),
            5 => {
                let mut lines = 0;
                while let Some(l) = chat.poll_log() {
                    assert!(l.starts_with("chat: "));
                    lines += 1;
                }
                assert!(lines <= LOG_MAX);
            }
            6 => {
                chat.take_leftover(&mut leftover);
                assert!(leftover.len() <= LEFTOVER_MAX);
                leftover.clear();
            }
            _ => chat.receive(&[0x7E, 0xFF, 0x7D, 0x23, 0xC0, 0x21][..arg % 7]),
        }
        if chat.ppp_started() {
            assert_eq!(chat.state(), State::Done { ppp_started: true });
            ppp = true;
        }
        assert_eq!(chat.ppp_started(), ppp, "PPP's start is for good");
        if let State::Running { step } = chat.state() {
            assert!(step < steps);
        }
    }
    // With nothing more from the line, every expect times out and every delay passes.
    for _ in 0..steps + 2 {
        if !chat.is_running() {
            break;
        }
        chat.advance(Duration::MAX);
        while chat.is_running() && chat.transmit(&mut buf) > 0 {}
    }
    assert!(!chat.is_running(), "still {:?}", chat.state());
}

/// Seeds for [`chat_script`]: scripts with the operations that take them to their ends.
pub fn chat_seeds() -> Vec<(String, Vec<u8>)> {
    // Operations: bytes from the line (op 0, at most 32 at a time), the expected string (2), time
    // (3, 2^arg samples), a read of what is sent (4), the log (5), the leftover (6), a PPP start (7).
    let line = |bytes: &[u8]| -> Vec<u8> {
        bytes.chunks(32).flat_map(|c| [&[((c.len() as u8 - 1) << 3)][..], c].concat()).collect()
    };
    let read = 4 | (30 << 3);
    let log = 5;
    let second = 3 | (13 << 3);
    let script = |text: &str, ops: &[Vec<u8>]| [text.as_bytes(), &[0], &ops.concat()].concat();
    let login = "ABORT \"NO CARRIER\"\nABORT 'Login incorrect'\nTIMEOUT 20\n# the ISP\nlogin: guest\n\
                 Password: secret\n\"> \" 'ppp\\d'\n";
    vec![
        (
            "login-then-ppp".into(),
            script(
                login,
                &[
                    line(b"\r\nWelcome\r\nlogin: "),
                    vec![read, log],
                    line(b"guest\r\nPassword: "),
                    vec![read, second],
                    line(b"\r\n> "),
                    vec![read, second, read, log],
                    line(&[0x7E, 0xFF, 0x7D, 0x23, 0xC0, 0x21, 0x7D, 0x21, 0x7D, 0x20, 0x7E]),
                    vec![6, log],
                ],
            ),
        ),
        (
            "login-incorrect".into(),
            script(login, &[vec![2, read, 2, read], line(b"\r\nLogin incorrect\r\n"), vec![log]]),
        ),
        (
            "timeout".into(),
            script(
                "TIMEOUT 2\n'' AT\\pZ\nOK ATDT5551234\nCONNECT ''\n",
                &[vec![read, 3 | (10 << 3), read, 2, read], vec![second; 3]],
            ),
        ),
        (
            "ppp-straight-away".into(),
            script(
                "'' ''\nlogin: x\n",
                &[vec![read], line(b"~\xff}#\xc0!}!}!} }8}\"}&} } } } }%}&"), vec![6, 7 | (3 << 3)]],
            ),
        ),
        (
            "quoted-and-escaped".into(),
            script("\"a b\" 'c\\sd\\c'\n'\\t\\r\\n\\\\\\\"' \\d\\p\n", &[vec![2, read, 2, read]]),
        ),
        ("bad-line".into(), b"login: guest\n'unterminated\n\0".to_vec()),
    ]
}
