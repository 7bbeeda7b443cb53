//! Fuzz body of XMODEM and YMODEM (both ends), and the sessions its seeds are made from.

use crate::time::{Duration, Instant};
use crate::transfer::files::{MemorySink, MemorySource};
use crate::transfer::xmodem::{Config, XmodemReceiver, XmodemSender};
use crate::transfer::{LineRate, Protocol, Transfer};
use std::cell::RefCell;
use std::rc::Rc;

const PROTOCOLS: [Protocol; 4] = [Protocol::Xmodem, Protocol::Xmodem1k, Protocol::Ymodem, Protocol::YmodemG];

/// The most a receiver's sink takes.
const SINK_LIMIT: u64 = 1 << 16;



/// The files a fuzzed sender sends (and a seed's sender).
pub(crate) fn files() -> MemorySource {
    let mut s = MemorySource::new();
    s.add("seed.txt", b"XMODEM/YMODEM seed\r\n".repeat(15));
    s.add("second file.bin", (0..1100u32).map(|i| (i * 31 % 251) as u8).collect());
    s
}

fn config(sel: u8) -> Config {
    let mut config = Config::new(PROTOCOLS[sel as usize & 3], LineRate::FAST);
    config.crc = sel & 8 == 0;
    config
}

/// An XMODEM or YMODEM end on arbitrary octets from its far end. The first byte: bits 0-1 the
/// protocol (XMODEM, XMODEM-1K, YMODEM, YMODEM-G), bit 2 the end (0: a receiver, the rest is
/// what a sender sends it; 1: a sender of two small files, the rest is a receiver's answers),
/// bit 3 an XMODEM receiver that asks for checksums, bits 4-7 the size of the pieces the rest
/// comes in (1 to 1006 octets, 10 ms apart). After the pieces the line goes silent until the
/// end gives up. Never a panic; what a receiver writes comes from the input and stays within the
/// sink's bound; a sender's output is bounded by the blocks it may send; both always end.
pub fn xmodem_blocks(data: &[u8]) {
    let Some((&sel, rest)) = data.split_first() else { return };
    let sink = Rc::new(RefCell::new(MemorySink::new(SINK_LIMIT)));
    let receiving = sel & 4 == 0;
    let mut end: Box<dyn Transfer> = if receiving {
        Box::new(XmodemReceiver::new(config(sel), Box::new(sink.clone())))
    } else {
        Box::new(XmodemSender::new(config(sel), Box::new(files())))
    };
    let piece = 1 + (sel as usize >> 4) * 67;
    let mut now = Instant::ZERO;
    let mut out = [0u8; 256];
    let mut sent = 0usize;
    let mut drain = |end: &mut dyn Transfer, now: Instant, sent: &mut usize| loop {
        let n = end.transmit(now, &mut out);
        *sent += n;
        if n < out.len() {
            break;
        }
    };
    let mut steps = 0usize;
    for chunk in rest.chunks(piece) {
        end.receive(now, chunk);
        drain(end.as_mut(), now, &mut sent);
        now += Duration::from_ms(10);
        steps += 1;
    }
    // Silence: every end gives up within its retries (eleven waits of at most ten seconds).
    for _ in 0..400 {
        if end.outcome().is_some() {
            break;
        }
        drain(end.as_mut(), now, &mut sent);
        now += Duration::from_secs(1);
        steps += 1;
    }
    assert!(end.outcome().is_some(), "still going after the line went silent");
    let p = end.progress();
    if receiving {
        let held: usize = sink.borrow().files.iter().map(|f| f.data.len()).sum();
        assert!(held as u64 <= SINK_LIMIT);
        assert!(held <= rest.len() && p.total as usize <= rest.len(), "more data than came");
        // Replies: a few octets per block, start character or timeout, and a cancel sequence.
        assert!(sent <= 2 * (rest.len() + steps) + 64, "{sent} octets of replies");
    } else {
        assert!(p.total <= 3000 && p.files_done <= 2);
        // Each block goes out once, and once more per answer or timeout.
        assert!(sent <= (rest.len() + steps + 40) * 1029, "{sent} octets sent");
    }
}

/// A seed for [`xmodem_blocks`]: `sel` as its first byte (pieces of one octet), then what the
/// far end says in a whole session without errors between our sender and receiver: the
/// sender's blocks for a receiver (`sel & 4 == 0`), the receiver's answers for a sender.
pub fn xmodem_seed(sel: u8) -> Vec<u8> {
    let sel = sel & 0x0F;
    let mut sender = XmodemSender::new(config(sel), Box::new(files()));
    let mut receiver = XmodemReceiver::new(config(sel), Box::new(MemorySink::new(SINK_LIMIT)));
    let mut recorded = vec![sel];
    let mut now = Instant::ZERO;
    let mut buf = [0u8; 4096];
    for _ in 0..100_000 {
        if sender.outcome().is_some() && receiver.outcome().is_some() {
            break;
        }
        let n = sender.transmit(now, &mut buf);
        if sel & 4 == 0 {
            recorded.extend_from_slice(&buf[..n]);
        }
        receiver.receive(now, &buf[..n]);
        let n = receiver.transmit(now, &mut buf);
        if sel & 4 != 0 {
            recorded.extend_from_slice(&buf[..n]);
        }
        sender.receive(now, &buf[..n]);
        now += Duration::from_ms(10);
    }
    recorded
}
