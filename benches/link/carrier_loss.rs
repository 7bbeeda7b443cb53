//! Time to `NO CARRIER` after the far end stops, and the garbage delivered meanwhile.
//!
//! The scenario of `tests/carrier_loss.rs`, measured rather than bounded: our modem and another
//! of ours in a call over a line at 30 dB SNR (both at -13 dBm0; the line's noise at -43 dBm0
//! stays after the far end has gone); the far one sends text all the time and stops at 7 s (plus
//! a few ms, a different amount in each of `stops` runs, so the stop meets the characters and
//! symbols at different phases), and from then on the line carries what the network would play
//! ([`followers`]). Our modem runs with the default configuration, S10 (carrier-loss delay) at
//! 1.4 s. Each case gives the longest time from the stop to our `NO CARRIER` over the runs, and
//! the most characters delivered after the stop that the far end never sent (the text received
//! is compared with the text sent; what follows the longest matching start is garbage).

use softmodem::modem::{Config, Event, Modem};
use softmodem::sim::call::{BackToBack, Ending};
use softmodem::sim::line::{Impairments, Line};
use softmodem::sim::signals;
use softmodem::time::{Duration, Instant};
use softmodem::{Family, LineEndpoint, Role};

use crate::common::{key, Text};

/// The modulations measured.
const FAMILIES: [Family; 4] = [Family::V21, Family::Bell103, Family::V22, Family::V22bis];

/// When the far modem stops, ms (plus a few ms per run).
const STOP_MS: u32 = 7000;
/// How long after the stop each run goes on.
const AFTER_S: u32 = 4;

/// What follows the far modem's end on the line, 10 s of each (looped), with its name.
fn followers() -> Vec<(&'static str, Vec<f32>)> {
    let n = 80_000;
    vec![
        ("silence", vec![]),
        ("noise -40 dBm0", signals::noise(n, -40.0, 11)),
        ("reorder 480+620 Hz", signals::cadenced(n, &[480.0, 620.0], -20.0, 250, 250)),
        ("dial tone 350+440 Hz", signals::tones(n, &[350.0, 440.0], -13.0)),
        ("2100 Hz", signals::tones(n, &[2100.0], -20.0)),
        ("speech", signals::speech_like(n, -15.0, 12)),
    ]
}

/// What our end saw in one run.
struct Outcome {
    /// Seconds from the far end's stop to our `NO CARRIER`.
    no_carrier_after: Option<f64>,
    /// Characters received that the far end did not send.
    garbage: usize,
    /// Characters received correctly.
    good: usize,
}

/// One run: our modem of `family` in `role`; the far one stops at `stop`, `then` follows.
fn run_one(family: Family, our_role: Role, stop: Instant, then: Vec<f32>) -> Outcome {
    let ours = Modem::new(Config::new(family, our_role));
    let far = Ending::new(Modem::new(Config::new(family, our_role.other())), stop, then);
    let line = Line::symmetric(Impairments::default().with_snr(30.0, -13.0), 5);
    match our_role {
        Role::Call => watch(&mut BackToBack::new(ours, far, line), stop, |c| (&mut c.a, &mut c.b.inner)),
        Role::Answer => watch(&mut BackToBack::new(far, ours, line), stop, |c| (&mut c.b, &mut c.a.inner)),
    }
}

/// Runs `call` until [`AFTER_S`] after `stop`, the far end writing text until then.
fn watch<A: LineEndpoint, B: LineEndpoint>(
    call: &mut BackToBack<A, B>,
    stop: Instant,
    ends: impl Fn(&mut BackToBack<A, B>) -> (&mut Modem, &mut Modem),
) -> Outcome {
    let sent = Text::Mixed.make(4000, 7);
    let (mut written, mut got) = (0, Vec::new());
    let mut no_carrier = None;
    let mut buf = [0u8; 256];
    while call.now() < stop + Duration::from_secs(AFTER_S) {
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

/// The whole section, `stops` runs a case (each listed on stderr if `verbose`). Prints the
/// table; returns the `RESULT` pairs.
pub fn run(stops: usize, verbose: bool) -> Vec<String> {
    let followers = followers();
    println!(
        "### Time to NO CARRIER after the far end stops (cargo bench --bench link -- carrier-loss)\n\n\
         S10 = 1.4 s. Seconds from the far end's stop to our NO CARRIER, the median and in brackets \
         the longest over {stops} stop instants 21.6 ms apart (in bold: longer than S10 + 0.5 s), then \
         the most garbage characters delivered after the stop in any of them.\n"
    );
    print!("| Modulation | Ours |");
    for (name, _) in &followers {
        print!(" {name} |");
    }
    println!("\n|---|---|{}", "---|".repeat(followers.len()));
    let mut result = vec![];
    let mut worst = 0.0f64;
    let mut garbage_total = 0;
    for family in FAMILIES {
        for role in [Role::Call, Role::Answer] {
            print!("| {} | {} |", family.title(), if role == Role::Call { "calling" } else { "answering" });
            for (name, then) in &followers {
                let mut times = vec![];
                let (mut garbage, mut fewest_good) = (0, usize::MAX);
                for s in 0..stops {
                    let stop = Instant::ZERO + Duration::from_ms(STOP_MS) + Duration::from_samples(s as u32 * 173);
                    let o = run_one(family, role, stop, then.clone());
                    if verbose {
                        eprintln!(
                            "{} {role}, then {name}, stop at {stop}: NO CARRIER after {:?} s, {} good, {} garbage",
                            family.title(),
                            o.no_carrier_after,
                            o.good,
                            o.garbage
                        );
                    }
                    // A run that never hung up counts as the longest possible.
                    times.push(o.no_carrier_after.unwrap_or(f64::INFINITY));
                    garbage = garbage.max(o.garbage);
                    fewest_good = fewest_good.min(o.good);
                }
                times.sort_by(f64::total_cmp);
                let (median, longest) = (times[times.len() / 2], times[times.len() - 1]);
                let s = |t: f64| if t.is_finite() { format!("{t:.2}") } else { "none".into() };
                let time = if stops > 1 { format!("{} ({})", s(median), s(longest)) } else { s(longest) };
                let short = if fewest_good < 100 { " (too little text before the stop)" } else { "" };
                let late = if longest > 1.9 { "**" } else { "" };
                print!(" {late}{time}{late}, {garbage}{short} |");
                worst = worst.max(longest);
                garbage_total += garbage;
                let k = format!("carrier_loss_{}_{}_{}", key(family.name()), key(role.name()), key(name));
                let finite = |t: f64| if t.is_finite() { t } else { -1.0 };
                result.push(format!(
                    "{k}_median_s={:.2} {k}_max_s={:.2} {k}_garbage={garbage}",
                    finite(median),
                    finite(longest)
                ));
            }
            println!();
        }
    }
    println!();
    result.push(format!("carrier_loss_worst_s={worst:.2} carrier_loss_garbage_total={garbage_total}"));
    result
}
