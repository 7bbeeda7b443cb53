//! The ZMODEM fuzz target: headers and subpackets from any bytes, and both ends of the protocol
//! fed them.

use crate::time::{Duration, Instant};
use crate::transfer::zmodem::wire::{Decoder, Event, MAX_SUBPACKET};
use crate::transfer::zmodem::{parse_file_info, Config, Receiver, Sender};
use crate::transfer::{MemorySink, MemorySource, Transfer};

/// Feeds `data` (in pieces whose lengths the data chooses) to `t`, running its timers; then
/// silence: `t` must end by its timeouts, never stay stuck.
fn drive(t: &mut dyn Transfer, mut data: &[u8]) {
    let mut now = Instant::ZERO;
    let mut out = [0u8; 1024];
    while let Some((&len, rest)) = data.split_first() {
        let n = (len as usize).min(rest.len());
        let (piece, after) = rest.split_at(n);
        data = after;
        t.receive(now, piece);
        t.transmit(now, &mut out);
        now += Duration::from_ms(len as u32 * 10);
    }
    for _ in 0..20_000 {
        if t.outcome().is_some() {
            return;
        }
        t.transmit(now, &mut out);
        now += Duration::from_secs(1);
    }
    panic!("the transfer is stuck: no outcome after hours of silence");
}

/// ZMODEM: the decoder on any bytes (subpackets never longer than the limit), the ZFILE parser,
/// and a receiver and a sender on the bytes, each of which must end once the far end falls silent.
pub fn zmodem_frames(data: &[u8]) {
    let Some((&sel, rest)) = data.split_first() else { return };
    let mut d = Decoder::new();
    for &b in rest {
        if let Some(Event::Data(_)) = d.push(b) {
            assert!(d.data().len() <= MAX_SUBPACKET);
            let _ = parse_file_info(d.data());
        }
    }
    let config = Config { escape_control: sel & 1 != 0, resume: sel & 2 != 0, ..Config::default() };
    if sel & 4 == 0 {
        let mut sink = MemorySink::new(1 << 20);
        sink.partial.push(("a".into(), vec![7; 100]));
        let mut r = Receiver::new(config, Box::new(sink));
        drive(&mut r, rest);
    } else {
        let mut source = MemorySource::new();
        source.add("a", vec![0x18; 3000]).add("b", vec![]);
        let config = Config { max_subpacket: if sel & 8 != 0 { 8192 } else { 1024 }, ..config };
        let mut s = Sender::new(config, Box::new(source));
        drive(&mut s, rest);
    }
}

/// A seed for [`zmodem_frames`]: what a sender sends to a receiver in a whole session
/// (`to_receiver`), or what a receiver sends back, in the target's format (a selector octet,
/// then pieces each led by its length).
pub fn zmodem_seed(to_receiver: bool, sel: u8) -> Vec<u8> {
    let mut source = MemorySource::new();
    source.add("a", (0..3000u32).map(|i| (i * 7) as u8).collect()).add("b", vec![]);
    let mut s = Sender::new(Config::default(), Box::new(source));
    let mut r = Receiver::new(Config::default(), Box::new(MemorySink::new(1 << 20)));
    let mut now = Instant::ZERO;
    let mut out = vec![sel];
    let mut buf = [0u8; 200];
    for _ in 0..10_000 {
        let n = s.transmit(now, &mut buf);
        r.receive(now, &buf[..n]);
        if to_receiver && n > 0 {
            out.push(n as u8);
            out.extend_from_slice(&buf[..n]);
        }
        let n = r.transmit(now, &mut buf);
        s.receive(now, &buf[..n]);
        if !to_receiver && n > 0 {
            out.push(n as u8);
            out.extend_from_slice(&buf[..n]);
        }
        now += Duration::from_ms(10);
        if s.outcome().is_some() && r.outcome().is_some() {
            break;
        }
    }
    out
}
