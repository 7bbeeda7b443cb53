//! Link quality as a person at a terminal sees it: how soon a call ends once the far end has
//! gone, how many characters a line dropout or a burst of noise costs, and what rate the modems
//! choose and how many characters arrive wrong at each line quality.
//!
//! ```sh
//! cargo bench --bench link                          # all three sections
//! cargo bench --bench link -- carrier-loss          # time to NO CARRIER, garbage after the end
//! cargo bench --bench link -- dropouts --hits 12    # characters lost per dropout / noise burst
//! cargo bench --bench link -- rates --seconds 20 --seeds 5   # rate and CER by SNR and codec
//! cargo bench --bench link -- --quick               # fewer stops, hits and shorter calls
//! cargo bench --bench link -- rates --verbose       # and every call on stderr
//! ```
//!
//! Every call is simulated, block by block (20 ms), seeded, so a run repeats exactly:
//!
//! - `carrier-loss` ([`carrier_loss`]): our modem and another of ours over a 30 dB line; the far
//!   one sends text and stops, and the line then carries silence, noise, reorder, dial tone, an
//!   answer tone or something like speech. Time from the stop to our `NO CARRIER` (S10 at its
//!   default 1.4 s) and the characters of garbage delivered after the stop.
//! - `dropouts` ([`dropouts`]): continuous text both ways between two of ours while the line drops
//!   out or is drowned in noise now and then; character errors per hit.
//! - `rates` ([`rates`]): V.22bis with automatic rate choice (the default configuration) through
//!   white noise from 0 to 30 dB SNR and through AMR 12.2, AMR 7.4 and GSM-FR (`speech-codecs`),
//!   ours against ours and against spandsp's V.22bis in both roles; the rate at `CONNECT`, the
//!   character error rate each way over a fixed time from `CONNECT`, and fall-backs and
//!   hang-ups.
//!
//! Tables are printed as Markdown; a last line starting `RESULT` has the key figures as
//! `key=value` pairs for scripts.

mod carrier_loss;
mod common;
mod dropouts;
mod rates;

use std::time::Instant;

/// What to run and for how long.
struct Options {
    carrier_loss: bool,
    dropouts: bool,
    rates: bool,
    /// `carrier-loss`: stop instants per case.
    stops: usize,
    /// `dropouts`: hits per call.
    hits: usize,
    /// `rates`: seconds counted from `CONNECT`.
    seconds: usize,
    /// `rates`: calls a case for the summary of rates chosen.
    seeds: usize,
    /// Every run of `carrier-loss` and `rates` listed on stderr.
    verbose: bool,
}

/// The command line: sections to run (all when none is named) and options.
fn options() -> Options {
    let mut o = Options {
        carrier_loss: false,
        dropouts: false,
        rates: false,
        stops: 10,
        hits: 12,
        seconds: 20,
        seeds: 5,
        verbose: false,
    };
    let mut args = std::env::args().skip(1);
    let number = |a: Option<String>, what: &str| -> usize {
        a.and_then(|s| s.parse().ok()).filter(|&n| n > 0).unwrap_or_else(|| panic!("{what} needs a positive number"))
    };
    while let Some(a) = args.next() {
        match a.as_str() {
            "carrier-loss" => o.carrier_loss = true,
            "dropouts" => o.dropouts = true,
            "rates" => o.rates = true,
            "--quick" => {
                o.stops = 1;
                o.hits = 4;
                o.seconds = 10;
                o.seeds = 1;
            }
            "--stops" => o.stops = number(args.next(), "--stops"),
            "--hits" => o.hits = number(args.next(), "--hits"),
            "--seconds" => o.seconds = number(args.next(), "--seconds"),
            "--seeds" => o.seeds = number(args.next(), "--seeds"),
            "--verbose" => o.verbose = true,
            // cargo bench passes --bench to every harness-less bench.
            "--bench" => {}
            other => panic!(
                "unknown argument {other} (carrier-loss, dropouts, rates, --quick, --stops N, --hits N, --seconds N, --seeds N, --verbose)"
            ),
        }
    }
    if !(o.carrier_loss || o.dropouts || o.rates) {
        (o.carrier_loss, o.dropouts, o.rates) = (true, true, true);
    }
    o
}

/// Runs the sections asked for, then prints the `RESULT` line with the run's wall-clock seconds.
fn main() {
    common::self_check();
    let o = options();
    let start = Instant::now();
    let mut result = vec![];
    if o.carrier_loss {
        let t = Instant::now();
        result.extend(carrier_loss::run(o.stops, o.verbose));
        eprintln!("carrier-loss: {:.1} s", t.elapsed().as_secs_f64());
    }
    if o.dropouts {
        let t = Instant::now();
        result.extend(dropouts::run(o.hits));
        eprintln!("dropouts: {:.1} s", t.elapsed().as_secs_f64());
    }
    if o.rates {
        let t = Instant::now();
        result.extend(rates::run(o.seconds, o.seeds, o.verbose));
        eprintln!("rates: {:.1} s", t.elapsed().as_secs_f64());
    }
    println!("RESULT {} seconds={:.0}", result.join(" "), start.elapsed().as_secs_f64());
}
