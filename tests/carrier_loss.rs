//! After the far modem stops, whatever the line carries next ends in `NO CARRIER` within the
//! carrier-loss time (S10, 1.4 s by default) plus at most half a second, and at most a few
//! characters of garbage reach the person: for V.21, Bell 103, V.22 and V.22bis, our modem
//! calling and answering, followed by silence, line noise, dial tone, reorder, an answer tone and
//! something like speech.

use softmodem::modem::{Config, Event, Modem};
use softmodem::sim::call::{BackToBack, Ending};
use softmodem::sim::line::{Impairments, Line};
use softmodem::sim::signals;
use softmodem::time::{Duration, Instant};
use softmodem::{Family, LineEndpoint, Role};

/// When the far modem stops.
const STOP_S: u32 = 7;
/// The longest after that until `NO CARRIER`: S10 and half a second.
const NO_CARRIER_WITHIN: f64 = 1.4 + 0.5;
/// The most garbage characters allowed after the far modem stopped.
const GARBAGE_MAX: usize = 3;

/// What follows the far modem's end, as the network plays it (each 10 s long; looped), for our
/// modem of `family` in `role`. A steady tone at one of the two frequencies an FSK modem listens
/// to is left out: it is exactly what an idle modem of that kind sends (no receiver can tell them
/// apart), and networks play no such tone.
fn followers(family: Family, role: Role) -> Vec<(&'static str, Vec<f32>)> {
    let n = 80_000;
    let listens_to = softmodem::fsk::channels(family, role).map(|(_, rx)| [rx.mark, rx.space]);
    let all = vec![
        ("silence", vec![]),
        ("noise -40 dBm0", signals::noise(n, -40.0, 11)),
        ("dial tone 350+440 Hz", signals::tones(n, &[350.0, 440.0], -13.0)),
        ("reorder 480+620 Hz", signals::cadenced(n, &[480.0, 620.0], -20.0, 250, 250)),
        ("2100 Hz", signals::tones(n, &[2100.0], -20.0)),
        ("2225 Hz", signals::tones(n, &[2225.0], -20.0)),
        ("2400 Hz", signals::tones(n, &[2400.0], -20.0)),
        ("1200 Hz", signals::tones(n, &[1200.0], -20.0)),
        ("speech", signals::speech_like(n, -15.0, 12)),
    ];
    let tone_hz = |name: &str| name.strip_suffix(" Hz").and_then(|f| f.parse::<f32>().ok());
    all.into_iter()
        .filter(|(name, _)| match (listens_to, tone_hz(name)) {
            (Some(tones), Some(f)) => tones.iter().all(|t| (t - f).abs() > 60.0),
            _ => true,
        })
        .collect()
}

/// Printable pseudo-random text.
fn text(n: usize) -> Vec<u8> {
    let mut x = 0x2545_f491u32;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            b' ' + (x % 95) as u8
        })
        .collect()
}

/// What our end saw.
struct Outcome {
    /// Seconds from the far end's stop to our `NO CARRIER`.
    no_carrier_after: Option<f64>,
    /// Characters received that were not what the far end sent.
    garbage: usize,
    /// Characters received correctly.
    good: usize,
}

/// Our modem (`ours`) and the far one over a clean line; the far one sends text all the time and
/// stops at [`STOP_S`], `then` following.
fn run(family: Family, our_role: Role, then: Vec<f32>) -> Outcome {
    run_stopping(family, our_role, then, Instant::ZERO + Duration::from_secs(STOP_S))
}

/// [`run`], the far modem stopping at `stop`.
fn run_stopping(family: Family, our_role: Role, then: Vec<f32>, stop: Instant) -> Outcome {
    let ours = Modem::new(Config::new(family, our_role));
    let far = Ending::new(Modem::new(Config::new(family, our_role.other())), stop, then);
    let line = Line::symmetric(Impairments::default().with_snr(30.0, -13.0), 5);
    match our_role {
        Role::Call => {
            let mut call = BackToBack::new(ours, far, line);
            watch(&mut call, stop, |c| (&mut c.a, &mut c.b.inner))
        }
        Role::Answer => {
            let mut call = BackToBack::new(far, ours, line);
            watch(&mut call, stop, |c| (&mut c.b, &mut c.a.inner))
        }
    }
}

fn watch<A: LineEndpoint, B: LineEndpoint>(
    call: &mut BackToBack<A, B>,
    stop: Instant,
    ends: impl Fn(&mut BackToBack<A, B>) -> (&mut Modem, &mut Modem),
) -> Outcome {
    let sent = text(4000);
    let (mut written, mut got) = (0, Vec::new());
    let mut no_carrier = None;
    let mut buf = [0u8; 256];
    while call.now() < stop + Duration::from_secs(4) {
        call.step();
        let now = call.now();
        let (ours, far) = ends(call);
        if now < stop {
            written += far.write(&sent[written..]);
        }
        let n = ours.read(&mut buf);
        got.extend_from_slice(&buf[..n]);
        while let Some(e) = ours.poll_event() {
            if e == Event::NoCarrier && no_carrier.is_none() {
                no_carrier = Some(now.saturating_since(stop).as_secs_f64());
            }
        }
    }
    let good = got.iter().zip(&sent).take_while(|(a, b)| a == b).count();
    Outcome { no_carrier_after: no_carrier, garbage: got.len() - good, good }
}

fn check(family: Family) {
    let mut fails = Vec::new();
    for role in [Role::Call, Role::Answer] {
        for (name, then) in followers(family, role) {
            let o = run(family, role, then);
            let what = format!("{} {role}, then {name}", family.title());
            eprintln!(
                "{what}: NO CARRIER after {:?} s, {} good characters, {} garbage",
                o.no_carrier_after, o.good, o.garbage
            );
            if o.good < 100 {
                fails.push(format!("{what}: only {} characters before the end", o.good));
            }
            match o.no_carrier_after {
                Some(t) if t <= NO_CARRIER_WITHIN => {}
                t => fails.push(format!("{what}: NO CARRIER after {t:?} s")),
            }
            if o.garbage > GARBAGE_MAX {
                fails.push(format!("{what}: {} characters of garbage", o.garbage));
            }
        }
    }
    assert!(fails.is_empty(), "{fails:#?}");
}

#[test]
fn v21() {
    check(Family::V21);
}

#[test]
fn bell103() {
    check(Family::Bell103);
}

#[test]
fn v22() {
    check(Family::V22);
}

#[test]
fn v22bis() {
    check(Family::V22bis);
}

#[test]
fn v22bis_then_reorder_at_any_moment() {
    // The reorder tone's cadence once made a V.22bis modem take its return for the far carrier
    // coming back after a loss, and retrain; an unanswered retrain then held the call for up to
    // 4 s. The far modem stops at instants spread over a few symbols and a cadence.
    let mut fails = Vec::new();
    for role in [Role::Call, Role::Answer] {
        let (_, reorder) = followers(Family::V22bis, role).into_iter().find(|f| f.0.starts_with("reorder")).unwrap();
        for k in 0..8u32 {
            let stop = Instant::ZERO + Duration::from_secs(STOP_S) + Duration::from_samples(k * 173);
            let o = run_stopping(Family::V22bis, role, reorder.clone(), stop);
            eprintln!("{role}, stop +{k}x173: NO CARRIER after {:?} s, {} garbage", o.no_carrier_after, o.garbage);
            match o.no_carrier_after {
                Some(t) if t <= NO_CARRIER_WITHIN && o.garbage <= GARBAGE_MAX => {}
                t => fails.push(format!("{role}, stop +{k}x173: NO CARRIER after {t:?} s, {} garbage", o.garbage)),
            }
        }
    }
    assert!(fails.is_empty(), "{fails:#?}");
}
