//! Two error-correcting DCEs back to back over a bit channel that delays, damages and drops bits.

use super::*;
use crate::sim::rng::Rng;
use std::collections::VecDeque;

/// One direction of the channel: `delay` bits in flight, bit errors at `ber`, and dropouts
/// (`every` bits, `length` bits long, delivered as one hole).
struct Channel {
    fifo: VecDeque<u8>,
    ber: f32,
    rng: Rng,
    dropout: Option<(u64, u64)>,
    t: u64,
}

const HOLE: u8 = 2;

impl Channel {
    fn new(delay: usize, ber: f32, seed: u64) -> Self {
        Channel { fifo: VecDeque::from(vec![1; delay]), ber, rng: Rng::new(seed), dropout: None, t: 0 }
    }

    fn pass(&mut self, bit: u8) -> Option<u8> {
        let mut b = bit;
        if self.ber > 0.0 && self.rng.uniform() < self.ber {
            b ^= 1;
        }
        self.t += 1;
        if let Some((every, len)) = self.dropout {
            let at = self.t % every;
            if at < len {
                if at == 0 {
                    self.fifo.push_back(HOLE);
                }
                return self.fifo.pop_front();
            }
        }
        self.fifo.push_back(b);
        self.fifo.pop_front()
    }
}

fn deliver(v: &mut V42, b: Option<u8>) {
    match b {
        Some(HOLE) => v.hole(),
        Some(b) => v.put_bit(b),
        None => {}
    }
}

/// Runs `a` (originator) and `b` for `seconds` at `rate` bit/s; each writes its `send` as room
/// allows and reads all it can. Returns what each received and the events each reported.
#[allow(clippy::too_many_arguments)]
fn run(
    a: &mut V42,
    b: &mut V42,
    ab: &mut Channel,
    ba: &mut Channel,
    rate: u32,
    seconds: f32,
    a_send: &[u8],
    b_send: &[u8],
) -> (Vec<u8>, Vec<u8>, Vec<Event>, Vec<Event>) {
    let (mut ra, mut rb, mut ea, mut eb) = (vec![], vec![], vec![], vec![]);
    let (mut sa, mut sb) = (0, 0);
    let block = rate / 50;
    let mut buf = [0u8; 512];
    for _ in 0..(seconds * 50.0) as usize {
        sa += a.write(&a_send[sa..]);
        sb += b.write(&b_send[sb..]);
        for _ in 0..block {
            let x = ab.pass(a.next_bit());
            deliver(b, x);
            let y = ba.pass(b.next_bit());
            deliver(a, y);
        }
        a.advance(Duration::from_ms(20));
        b.advance(Duration::from_ms(20));
        while let Some(e) = a.poll_event() {
            ea.push(e);
        }
        while let Some(e) = b.poll_event() {
            eb.push(e);
        }
        let n = a.read(&mut buf);
        ra.extend_from_slice(&buf[..n]);
        let n = b.read(&mut buf);
        rb.extend_from_slice(&buf[..n]);
    }
    (ra, rb, ea, eb)
}

fn text(n: usize) -> Vec<u8> {
    let words = ["modem ", "error ", "control ", "LAPM ", "frame ", "the ", "of ", "and\r\n"];
    words.iter().cycle().flat_map(|w| w.bytes()).take(n).collect()
}

fn random(n: usize, seed: u64) -> Vec<u8> {
    let mut r = Rng::new(seed);
    (0..n).map(|_| r.next_u32() as u8).collect()
}

#[test]
fn detection_then_lapm_with_v42bis_carries_data_both_ways() {
    let mut a = V42::new(Config::new(true, 2400));
    let mut b = V42::new(Config::new(false, 2400));
    let (t, r) = (text(6000), random(3000, 1));
    let (ra, rb, ea, eb) =
        run(&mut a, &mut b, &mut Channel::new(30, 0.0, 1), &mut Channel::new(30, 0.0, 2), 2400, 20.0, &t, &r);
    assert_eq!(rb, t);
    assert_eq!(ra, r);
    let Some(Event::Protected(agreed)) = ea.first().copied() else { panic!("originator: {ea:?}") };
    assert!(matches!(eb.first(), Some(Event::Protected(_))), "answerer: {eb:?}");
    assert!(agreed.negotiated && agreed.compresses_tx(true) && agreed.compresses_rx(true), "{agreed:?}");
    assert!(agreed.srej, "both ends have SREJ: {agreed:?}");
    assert_eq!(a.lapm().stats().retransmissions, 0);
    // Text compresses: fewer I frames than 6000 / 128 octets would take.
    assert!(a.lapm().stats().i_frames_sent < 6000 / 128, "{:?}", a.lapm().stats());
}

#[test]
fn an_originator_that_skips_detection_is_recognised() {
    let mut ca = Config::new(true, 1200);
    ca.detection = false;
    ca.lapm.v42bis = None;
    let mut a = V42::new(ca);
    let mut b = V42::new(Config::new(false, 1200));
    let t = text(1500);
    let (_, rb, ea, eb) =
        run(&mut a, &mut b, &mut Channel::new(20, 0.0, 1), &mut Channel::new(20, 0.0, 2), 1200, 20.0, &t, b"");
    assert_eq!(rb, t);
    let Some(Event::Protected(agreed)) = eb.first().copied() else { panic!("answerer: {eb:?}") };
    assert_eq!(agreed.v42bis, None, "compression not offered, so not agreed");
    assert!(matches!(ea.first(), Some(Event::Protected(_))));
}

/// A modem without V.42: start-stop characters as they come.
struct Plain {
    framer: Framer,
    chars: CharReceiver,
    send: VecDeque<u8>,
    /// Marks before the first character (the end of a modem's training).
    lead: u32,
}

impl Plain {
    fn new(send: &[u8]) -> Self {
        let mut chars = CharReceiver::new(Format::N81, 8192);
        chars.set_enabled(true);
        Plain { framer: Framer::new(Format::N81), chars, send: send.iter().copied().collect(), lead: 24 }
    }

    fn next_bit(&mut self) -> u8 {
        if self.lead > 0 {
            self.lead -= 1;
            return 1;
        }
        if self.framer.is_idle() {
            if let Some(c) = self.send.pop_front() {
                self.framer.start(c);
            }
        }
        self.framer.next_bit()
    }
}

#[test]
fn without_v42_at_the_far_end_it_falls_back_and_loses_nothing() {
    use crate::bits::BitSink;
    // With the characters the patterns are made of in it (E, C, NUL, DC1 with either parity).
    let mut banner = text(400);
    banner.extend_from_slice(b"EC\x00ECEC\x11\x91\x11\x91 ECHO CECE");
    for mode in [Mode::Auto, Mode::Required] {
        let mut c = Config::new(true, 2400);
        c.mode = mode;
        let mut a = V42::new(c);
        // The far modem sends its banner at once, while detection runs.
        let mut far = Plain::new(&banner);
        a.write(b"typed early");
        let (mut got, mut events) = (vec![], vec![]);
        let mut buf = [0u8; 256];
        for _ in 0..250 {
            for _ in 0..48 {
                let bit = a.next_bit();
                far.chars.put_bit(bit, 0.0);
                a.put_bit(far.next_bit());
            }
            a.advance(Duration::from_ms(20));
            while let Some(e) = a.poll_event() {
                events.push(e);
            }
            let n = a.read(&mut buf);
            got.extend_from_slice(&buf[..n]);
        }
        let mut heard = vec![0u8; 8192];
        let n = far.chars.read(&mut heard);
        let heard = &heard[..n];
        match mode {
            Mode::Auto => {
                assert_eq!(events, [Event::Plain]);
                assert_eq!(got.len(), banner.len(), "{:?}", String::from_utf8_lossy(&got));
                assert_eq!(got, banner, "what came during detection is delivered");
                assert!(heard.ends_with(b"typed early"), "{:?}", String::from_utf8_lossy(heard));
            }
            Mode::Required => {
                assert_eq!(events, [Event::Ended(EndReason::NoErrorControl)]);
                assert!(!heard.windows(5).any(|w| w == b"typed"));
            }
        }
    }
}

#[test]
fn bit_errors_and_dropouts_are_corrected() {
    for (rate, seed) in [(2400u32, 3u64), (1200, 4)] {
        let mut a = V42::new(Config::new(true, rate));
        let mut b = V42::new(Config::new(false, rate));
        let (mut ab, mut ba) = (Channel::new(40, 1e-4, seed), Channel::new(40, 1e-4, seed + 10));
        // 100 ms and 300 ms dropouts, every few seconds, one each way.
        ab.dropout = Some((rate as u64 * 4, rate as u64 / 10));
        ba.dropout = Some((rate as u64 * 5 + 77, rate as u64 * 3 / 10));
        // Random data at a sixth of the line's capacity for 90 s, and text.
        let (t, r) = (random(rate as usize * 2, seed), text(rate as usize * 3));
        let (ra, rb, ea, eb) = run(&mut a, &mut b, &mut ab, &mut ba, rate, 90.0, &t, &r);
        assert_eq!(rb.len(), t.len(), "{rate}: {ea:?} {eb:?} {:?}", a.lapm().stats());
        assert_eq!(rb, t, "{rate}");
        assert_eq!(ra, r, "{rate}");
        let s = a.lapm().stats();
        assert!(s.retransmissions > 0 && a.bad_frames() + b.bad_frames() > 0, "{s:?}");
        assert!(!ea.iter().chain(&eb).any(|e| matches!(e, Event::Ended(_))), "{ea:?} {eb:?}");
    }
}

#[test]
fn a_reader_that_stops_holds_the_sender_back_without_loss() {
    let mut a = V42::new(Config::new(true, 2400));
    let mut b = V42::new(Config::new(false, 2400));
    let (mut ab, mut ba) = (Channel::new(30, 0.0, 1), Channel::new(30, 0.0, 2));
    let t = random(40_000, 9);
    let mut sent = 0;
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    for step in 0..50 * 240 {
        sent += a.write(&t[sent..]);
        for _ in 0..48 {
            let x = ab.pass(a.next_bit());
            deliver(&mut b, x);
            let y = ba.pass(b.next_bit());
            deliver(&mut a, y);
        }
        a.advance(Duration::from_ms(20));
        b.advance(Duration::from_ms(20));
        // The reader stops for the first minute.
        if step > 50 * 60 {
            let n = b.read(&mut buf);
            got.extend_from_slice(&buf[..n]);
        }
        if got.len() == t.len() {
            break;
        }
    }
    assert_eq!(got.len(), t.len(), "{:?} {:?}", a.lapm().stats(), b.lapm().stats());
    assert!(got == t);
    assert!(b.lapm().stats().i_frames_dropped > 0, "the receiver never said it was busy");
    assert!(a.poll_event().is_some_and(|e| matches!(e, Event::Protected(_))));
    assert!(a.poll_event().is_none(), "no reset, no release");
}

#[test]
fn release_reaches_the_far_end() {
    let mut a = V42::new(Config::new(true, 2400));
    let mut b = V42::new(Config::new(false, 2400));
    let (mut ab, mut ba) = (Channel::new(30, 0.0, 1), Channel::new(30, 0.0, 2));
    run(&mut a, &mut b, &mut ab, &mut ba, 2400, 3.0, b"", b"");
    a.release();
    let (_, _, ea, eb) = run(&mut a, &mut b, &mut ab, &mut ba, 2400, 2.0, b"", b"");
    assert!(ea.contains(&Event::Ended(EndReason::Released(Release::Local))), "{ea:?}");
    assert!(eb.contains(&Event::Ended(EndReason::Released(Release::Remote))), "{eb:?}");
}

#[test]
fn a_far_end_gone_silent_ends_the_link_after_n400_polls() {
    let mut a = V42::new(Config::new(true, 2400));
    let mut b = V42::new(Config::new(false, 2400));
    let (mut ab, mut ba) = (Channel::new(30, 0.0, 1), Channel::new(30, 0.0, 2));
    run(&mut a, &mut b, &mut ab, &mut ba, 2400, 3.0, b"", b"");
    let t401 = a.config().lapm.t401;
    // Only marks from now on.
    let mut events = vec![];
    let mut steps = 0;
    a.write(b"into the void");
    while !events.iter().any(|e| matches!(e, Event::Ended(_))) && steps < 3000 {
        for _ in 0..48 {
            a.next_bit();
            a.put_bit(1);
        }
        a.advance(Duration::from_ms(20));
        while let Some(e) = a.poll_event() {
            events.push(e);
        }
        steps += 1;
    }
    assert_eq!(events, [Event::Ended(EndReason::Released(Release::NoResponse))]);
    // N400 + 1 expiries of T401, give or take a block.
    let took = Duration::from_ms(20 * steps);
    assert!(took <= t401 * 7, "{took} vs T401 {t401}");
}

#[test]
fn a_line_that_passes_only_short_frames_ends_the_link_instead_of_hanging() {
    let mut a = V42::new(Config::new(true, 2400));
    let mut b = V42::new(Config::new(false, 2400));
    let (mut ab, mut ba) = (Channel::new(30, 0.0, 1), Channel::new(30, 0.0, 2));
    run(&mut a, &mut b, &mut ab, &mut ba, 2400, 3.0, b"", b"");
    // From now on a bit error every 300 bits or so: I frames (over 1000 bits) almost never get
    // through, polls and their answers (under 60) mostly do.
    ab.ber = 3e-3;
    let (_, _, ea, _) = run(&mut a, &mut b, &mut ab, &mut ba, 2400, 120.0, &random(20_000, 3), b"");
    assert!(ea.contains(&Event::Ended(EndReason::Released(Release::NoProgress))), "{ea:?} {:?}", a.lapm().stats());
}

#[test]
fn a_break_crosses_lapm_ahead_of_the_data_and_loses_none() {
    let mut a = V42::new(Config::new(true, 2400));
    let mut b = V42::new(Config::new(false, 2400));
    let (mut ab, mut ba) = (Channel::new(30, 0.0, 1), Channel::new(30, 0.0, 2));
    run(&mut a, &mut b, &mut ab, &mut ba, 2400, 3.0, b"", b"");
    // Much queued, then a break: it goes ahead of the queued data (expedited), which all
    // arrives, with what was written after the break.
    let data = random(3000, 4);
    a.write(&data);
    let (_, mut rb, _, _) = run(&mut a, &mut b, &mut ab, &mut ba, 2400, 0.2, b"", b"");
    let before = rb.len();
    a.send_break();
    a.write(b"after the break");
    let mut eb = vec![];
    let mut when = None;
    for _ in 0..50 * 15 {
        let (_, got, _, e) = run(&mut a, &mut b, &mut ab, &mut ba, 2400, 0.02, b"", b"");
        rb.extend_from_slice(&got);
        if when.is_none() && e.contains(&Event::Break) {
            when = Some(rb.len());
        }
        eb.extend(e);
    }
    assert_eq!(eb.iter().filter(|e| **e == Event::Break).count(), 1, "{eb:?}");
    assert_eq!(rb, [&data[..], b"after the break"].concat(), "{} octets", rb.len());
    // Expedited: it came while most of the data was still to arrive.
    assert!(when.unwrap() < before + 1500, "the break came after {} of 3000 octets", when.unwrap());
}
