//! V.42 between two of our modems (each a `Link`: V.22bis with detection, LAPM and V.42bis)
//! through the line simulator (20 dB SNR) with bursts of loud noise (5 ms, at random, one in 10 s
//! each way: bit errors at about 1e-4 on average) and dropouts of 100 ms and 300 ms every few
//! seconds. (Steady noise for such a bit error rate, about 10.5 dB SNR, is one the quality policy
//! will not connect at 2400 bit/s over, V.42 or not: it judges the line in the start-up.) What each sends arrives byte-exact, the link
//! never ends, never stalls longer than its timers allow, and says what it had to send again. (The
//! 10 MB soak is `cargo bench --bench v42 -- soak`.)
#![cfg(not(target_arch = "wasm32"))]

mod support;

use softmodem::link::{Link, LinkConfig, Protocol};
use softmodem::modem::{Config, Event};
use softmodem::sim::line::{Direction, Dropout, Impairments};
use softmodem::sim::rng::Rng;
use softmodem::types::{Family, Role};
use support::random_bytes;

fn text(n: usize, seed: u32) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9e37_79b9) | 1;
    let words = ["error ", "control ", "modem ", "frame ", "the ", "and ", "line\r\n", "V.42 "];
    let mut out = Vec::new();
    while out.len() < n {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        out.extend_from_slice(words[(x % 8) as usize].as_bytes());
    }
    out.truncate(n);
    out
}

struct Ends {
    a: Link,
    b: Link,
}

/// Dropouts (100 ms and 300 ms in turn) every 3 to 6 s (at random: a fixed period can fall in
/// step with the link's own recovery cycle and hit the same frame each time), from 6 s to
/// `until_ms`.
fn dropouts(seed: u64, until_ms: f32) -> Vec<Dropout> {
    let mut rng = Rng::new(seed);
    let mut v = vec![];
    let mut t = 6000.0;
    let mut long = false;
    while t < until_ms {
        v.push(Dropout { at_ms: t, ms: if long { 300.0 } else { 100.0 } });
        long = !long;
        t += 3000.0 + 3000.0 * rng.uniform();
    }
    v
}

#[test]
fn v42_through_noise_and_dropouts_loses_nothing() {
    let seconds = 70.0;
    let mut ab = Impairments::default().with_snr(20.0, -13.0);
    ab.dropouts = dropouts(1, seconds * 1000.0);
    let mut ba = Impairments::default().with_snr(20.0, -13.0);
    ba.dropouts = dropouts(2, seconds * 1000.0);
    let (mut ab, mut ba) = (Direction::new(ab, 42), Direction::new(ba, 43));
    let mut call = Ends {
        a: Link::new(Config::new(Family::V22bis, Role::Call), LinkConfig::default()),
        b: Link::new(Config::new(Family::V22bis, Role::Answer), LinkConfig::default()),
    };
    let (mut a_out, mut b_out, mut a_in, mut b_in) = ([0.0f32; 160], [0.0f32; 160], [0.0f32; 160], [0.0f32; 160]);
    let mut rng = Rng::new(7);
    // A burst: 40 samples of noise about as loud as the signal (-13 dBm0), now and then.
    let burst_sigma = 0.05f32;
    let mut bursts = 0;
    // What 1200 bit/s can carry in the time with the losses: the modems fall back to it when the
    // dropouts' retrains find the line poor.
    let (a_text, b_text) = (random_bytes(2500, 5), text(6000, 6));
    let (mut a_sent, mut b_sent) = (0, 0);
    let (mut a_got, mut b_got) = (vec![], vec![]);
    let (mut a_events, mut b_events) = (vec![], vec![]);
    let mut buf = [0u8; 512];
    // The longest time without any progress either way once data flows, while the modems'
    // bits cross the line, in blocks.
    let (mut still, mut longest_still, mut flowing) = (0u32, 0u32, false);
    for _ in 0..(seconds * 50.0) as usize {
        a_sent += call.a.write(&a_text[a_sent..]);
        b_sent += call.b.write(&b_text[b_sent..]);
        ab.process(&a_out, &mut b_in);
        ba.process(&b_out, &mut a_in);
        for heard in [&mut a_in, &mut b_in] {
            // A burst in 10 s each way on average, 5 ms somewhere in the block: a few bit errors
            // each, about 1e-4 at 2400 bit/s.
            if rng.uniform() < 0.002 {
                bursts += 1;
                let at = rng.below(120) as usize;
                for v in &mut heard[at..at + 40] {
                    *v += burst_sigma * rng.gaussian();
                }
            }
        }
        call.a.process(&a_in, &mut a_out);
        call.b.process(&b_in, &mut b_out);
        while let Some(e) = call.a.poll_event() {
            a_events.push(e);
        }
        while let Some(e) = call.b.poll_event() {
            b_events.push(e);
        }
        let before = a_got.len() + b_got.len();
        let n = call.a.read(&mut buf);
        a_got.extend_from_slice(&buf[..n]);
        let n = call.b.read(&mut buf);
        b_got.extend_from_slice(&buf[..n]);
        let done = a_got.len() == b_text.len() && b_got.len() == a_text.len();
        // (A retrain or the new start-up of a fall-back to 1200 bit/s stops the modems' bits for
        // a few seconds: not V.42's stall.)
        let bits_flow = call.a.modem().data_flowing() && call.b.modem().data_flowing();
        if a_got.len() + b_got.len() > before || done || !bits_flow {
            flowing = true;
            still = 0;
        } else if flowing {
            still += 1;
            longest_still = longest_still.max(still);
        }
    }
    assert!(matches!(a_events.first(), Some(Event::Connected { rx_rate: 2400, .. })), "caller: {a_events:?}");
    assert!(
        matches!(call.a.protocol(), Protocol::Lapm { v42bis_tx: true, v42bis_rx: true }),
        "{:?}",
        call.a.protocol()
    );
    assert!(
        !a_events.contains(&Event::NoCarrier) && !b_events.contains(&Event::NoCarrier),
        "{a_events:?} {b_events:?}"
    );
    let (sa, sb) = (call.a.v42().unwrap().lapm().stats(), call.b.v42().unwrap().lapm().stats());
    let bad = call.a.v42().unwrap().bad_frames() + call.b.v42().unwrap().bad_frames();
    println!("caller events {a_events:?}\nanswerer events {b_events:?}\ncaller {sa:?}\nanswerer {sb:?}\n{bursts} bursts, bad frames {bad}, longest stall {} ms", longest_still * 20);
    assert_eq!(b_got.len(), a_text.len(), "answerer got {} of {}", b_got.len(), a_text.len());
    assert!(b_got == a_text, "the answerer's data is not what the caller sent");
    assert_eq!(a_got.len(), b_text.len(), "caller got {} of {}", a_got.len(), b_text.len());
    assert!(a_got == b_text, "the caller's data is not what the answerer sent");
    assert!(sa.retransmissions + sb.retransmissions > 0 && bad > 0, "the line damaged nothing: {sa:?} {sb:?}");
    // No stall longer than a dropout's loss recovered by the timers: the T401 poll (1.4 s at
    // 2400 bit/s) and the frames sent again after it.
    let t401_ms = call.a.v42().unwrap().config().lapm.t401.as_ms();
    assert!(longest_still * 20 <= 3 * t401_ms, "a stall of {} ms (T401 {t401_ms} ms)", longest_still * 20);
}
