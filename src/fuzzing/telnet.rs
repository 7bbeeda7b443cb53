//! The telnet client engine (`telnet`): any network bytes, any typing.

use crate::telnet::{Config, Telnet, IAC, QUEUE_CAPACITY, SB, SE, WILL};

/// The first byte picks the configuration; the rest, read as operations, is network bytes,
/// typing, reads of what goes to the network, window sizes, requests and commands. Nothing
/// panics, the terminal never gets more bytes than came from the network, the queue to the
/// network stays bounded; and typing (the data after the first byte) sent through one engine
/// and received by another comes back exactly.
pub fn telnet_stream(data: &[u8]) {
    let Some((&sel, mut rest)) = data.split_first() else { return };
    let names = ["ANSI", "xterm-256color", "", "\u{ff}\r VT100 ü"];
    let sizes = [80, 255, 0, u16::MAX];
    let config = Config {
        terminal_type: names[sel as usize & 3].into(),
        width: sizes[(sel >> 2) as usize & 3],
        height: sizes[(sel >> 4) as usize & 3],
        initiate: sel & 64 != 0,
        binary: sel & 128 != 0,
    };
    let mut t = Telnet::new(config);
    let mut buf = [0u8; 520];
    let (mut from_net, mut shown) = (0usize, 0usize);
    while let Some((&op, tail)) = rest.split_first() {
        rest = tail;
        let arg = (op >> 2) as usize;
        let n = (arg + 1).min(rest.len());
        match op & 3 {
            0 => {
                t.receive(&rest[..n], &mut |d| shown += d.len());
                from_net += n;
                rest = &rest[n..];
            }
            1 => {
                assert!(t.send_keys(&rest[..n]) <= n);
                rest = &rest[n..];
            }
            2 => assert!(t.transmit(&mut buf[..arg * 8 + 1]) <= arg * 8 + 1),
            _ => {
                let x = rest.first().copied().unwrap_or(0);
                rest = rest.get(1..).unwrap_or(&[]);
                match arg % 6 {
                    0 => t.set_window_size(u16::from(x) * 3, u16::from(x) << 8 | 0xFF),
                    1 => {
                        let _ = t.request_remote(x, arg & 8 != 0);
                    }
                    2 => {
                        let _ = t.request_local(x, arg & 8 != 0);
                    }
                    3 => {
                        let _ = t.send_command(x);
                    }
                    // Canned commands (which may land in the middle of one, so count what they show).
                    4 => {
                        t.receive(&[IAC, SB, 24, 1, IAC, SE], &mut |d| shown += d.len());
                        from_net += 6;
                    }
                    _ => {
                        t.receive(&[IAC, WILL, x], &mut |d| shown += d.len());
                        from_net += 3;
                    }
                }
            }
        }
        assert!(shown <= from_net, "{shown} bytes shown from {from_net}");
        assert!(t.pending() <= QUEUE_CAPACITY);
        let o = t.options();
        assert_eq!(o.remote_echo, t.remote_enabled(1));
    }
    assert!(t.transmit(&mut vec![0; 2 * QUEUE_CAPACITY]) <= QUEUE_CAPACITY);

    // Round trip of the typing, in pieces of any size.
    let (mut a, mut b) = (Telnet::new(Config { initiate: false, ..Config::default() }), Telnet::new(Config::default()));
    let keys = &data[1..];
    let mut got = Vec::with_capacity(keys.len());
    for piece in keys.chunks(1 + sel as usize % 61) {
        assert_eq!(a.send_keys(piece), piece.len());
        let n = a.transmit(&mut buf);
        b.receive(&buf[..n], &mut |d| got.extend_from_slice(d));
    }
    assert_eq!(got, keys);
}

/// Seeds for [`telnet_stream`]: a BBS's opening negotiation and screens, with typing.
pub fn telnet_seeds() -> Vec<(String, Vec<u8>)> {
    use crate::telnet::{
        BINARY, DO, DONT, ECHO, GA, NAWS, NOP, SUPPRESS_GO_AHEAD as SGA, TERMINAL_TYPE as TTYPE, WONT,
    };
    // Operations: network bytes (op 0), typing (1), a read (2), each with up to 64 bytes.
    let chunks = |kind: u8, bytes: &[u8]| -> Vec<u8> {
        bytes.chunks(64).flat_map(|c| [&[((c.len() as u8 - 1) << 2) | kind][..], c].concat()).collect()
    };
    let read = 2 | (63 << 2);
    let opening = [
        IAC, WILL, ECHO, IAC, WILL, SGA, IAC, DO, TTYPE, IAC, DO, NAWS, IAC, DO, 39, IAC, WILL, BINARY, IAC, DO, BINARY,
    ];
    let ttype = [IAC, SB, TTYPE, 1, IAC, SE];
    let screen = b"\x1b[2J\x1b[1;33mWelcome\r\n\0\r\0Login: \xff\xff\xb0\xb1\xb2";
    let session = |sel: u8| {
        [
            vec![sel],
            chunks(0, &opening),
            vec![read],
            chunks(0, &ttype),
            vec![read],
            chunks(0, screen),
            chunks(1, b"guest\r"),
            vec![read, 3, 7],
            chunks(0, &[IAC, WONT, ECHO, IAC, DONT, NAWS, IAC, NOP, IAC, GA]),
            chunks(1, b"password\r\n\xff"),
            vec![read],
        ]
        .concat()
    };
    vec![
        ("bbs-session".into(), session(0x40)),
        ("bbs-session-binary-wide".into(), session(0xC5)),
        ("bbs-session-quiet".into(), session(0x0E)),
        (
            "broken-subnegotiations".into(),
            [
                vec![0x40],
                chunks(0, &[IAC, SB, TTYPE, 1, IAC, WILL, ECHO, IAC, SB, 200]),
                chunks(0, &[0x41; 100]),
                chunks(0, &[IAC, SE, IAC, SE]),
            ]
            .concat(),
        ),
    ]
}
