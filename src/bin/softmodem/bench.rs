//! `softmodem bench`: the V.22/V.22bis figures: bit error rate against SNR next to theory,
//! tolerance of offsets and echo, speech codecs, and CPU cost. Long runs show their progress on
//! stderr; the results go to stdout as Markdown tables.

use crate::args::Args;
use crate::v22::{describe_line, run_sim};
use crate::Failure;
use softmodem::sim::bert::v22bis_one_way as one_way;
#[cfg(not(target_arch = "wasm32"))]
use softmodem::sim::codec::SpeechCodec;
use softmodem::sim::line::{Band, Echo, Impairments, NetworkModel};
use softmodem::types::Family;
use softmodem::v22bis::rx::Receiver;
use softmodem::v22bis::GuardTone;
use softmodem::v22bis::{Rate, ANSWER_CARRIER, CALL_CARRIER};
use std::io::Write;
use std::time::Instant;

/// Theoretical bit error rate at `snr_db` over the 4 kHz band: see
/// [`softmodem::v22bis::quality::ber_for_snr`], whose SNR is per symbol (8.2 dB more).
pub fn theory_ber(rate: Rate, snr_db: f64) -> f64 {
    softmodem::v22bis::quality::ber_for_snr(rate, snr_db + softmodem::v22bis::quality::BAND_TO_SYMBOL_DB)
}

/// The SNR at which a curve of (snr, ber) points crosses `target`, interpolating log(ber)
/// linearly between the two points around it.
pub fn crossing(points: &[(f64, f64)], target: f64) -> Option<f64> {
    for w in points.windows(2) {
        let ((s0, b0), (s1, b1)) = (w[0], w[1]);
        if b0 >= target && b1 <= target {
            if b1 <= 0.0 {
                return Some(s1);
            }
            let (l0, l1, lt) = (b0.max(1e-300).log10(), b1.log10(), target.log10());
            return Some(if l0 == l1 { s0 } else { s0 + (s1 - s0) * (l0 - lt) / (l0 - l1) });
        }
    }
    None
}

struct Progress {
    done: usize,
    total: usize,
    start: Instant,
}

impl Progress {
    fn step(&mut self, what: &str) {
        self.done += 1;
        let t = self.start.elapsed().as_secs_f32();
        eprint!("\r\x1b[K[{}/{}] {:.0} s  {what}", self.done, self.total, t);
        let _ = std::io::stderr().flush();
    }
}

pub fn bench(argv: &[String]) -> Result<(), Failure> {
    let args = Args::parse(argv, &["only", "bits"], &["quick"])?;
    let quick = args.flag("quick");
    let only = args.get("only");
    let want = |name: &str| only.is_none_or(|o| o.split(',').any(|x| x == name));
    let bits: f64 = args.num("bits", if quick { 2e5 } else { 2e6 })?;
    if !(1e3..=1e10).contains(&bits) {
        return Err(Failure::Usage(format!("--bits {bits}: must be between 1000 and 1e10")));
    }
    let mut progress = Progress { done: 0, total: 0, start: Instant::now() };
    let grids: [(Rate, &[f64]); 2] = [
        (Rate::R1200, &[3.0, 3.5, 4.0, 4.5, 5.0, 5.5, 6.0, 6.5, 7.0]),
        (Rate::R2400, &[10.0, 10.5, 11.0, 11.5, 12.0, 12.5, 13.0, 13.5, 14.0]),
    ];
    progress.total += if want("ber") { 2 * grids.iter().map(|g| g.1.len()).sum::<usize>() } else { 0 };
    progress.total += if want("tolerance") { 8 } else { 0 };
    progress.total += if want("cpu") { 1 } else { 0 };
    #[cfg(not(target_arch = "wasm32"))]
    let codecs = [SpeechCodec::AmrNb(7), SpeechCodec::GsmFr, SpeechCodec::AmrNb(4)];
    #[cfg(not(target_arch = "wasm32"))]
    {
        progress.total += if want("codecs") { codecs.len() * 4 } else { 0 };
    }
    println!("# softmodem bench{}\n", if quick { " --quick" } else { "" });
    if want("ber") {
        println!("## Bit error rate against SNR (white noise over 0-4000 Hz), after the descrambler\n");
        println!("| Rate | Carrier | SNR dB | Bits | Errors | BER | Theory | ");
        println!("|---|---|---|---|---|---|---|");
        let mut summary = vec![];
        for (rate, snrs) in grids {
            for carrier in [CALL_CARRIER, ANSWER_CARRIER] {
                let mut points = vec![];
                for &snr in snrs {
                    progress.step(&format!("{} bit/s on {carrier} Hz at {snr} dB", rate.bps()));
                    let symbols = (bits / rate.bits_per_symbol() as f64) as usize;
                    let mut rx = Receiver::new(carrier);
                    let c =
                        one_way(&mut rx, carrier, rate, Impairments::default().with_snr(snr as f32, -13.0), symbols, 7);
                    // With no errors the rate is below 1 / bits: use that bound, so the crossing
                    // found is, if anything, pessimistic.
                    let ber = if c.errors == 0 { 1.0 / c.bits.max(1) as f64 } else { c.ber() };
                    points.push((snr, ber));
                    println!(
                        "| {} | {carrier} | {snr} | {} | {} | {} | {:.1e} |",
                        rate.bps(),
                        c.bits,
                        c.errors,
                        if c.errors == 0 {
                            format!("< {:.0e}", 1.0 / c.bits.max(1) as f64)
                        } else {
                            format!("{:.1e}", ber)
                        },
                        theory_ber(rate, snr)
                    );
                }
                let theory: Vec<(f64, f64)> =
                    (0..400).map(|i| i as f64 * 0.05).map(|s| (s, theory_ber(rate, s))).collect();
                summary.push((rate, carrier, crossing(&points, 1e-5), crossing(&theory, 1e-5)));
            }
        }
        println!("\n(A point with no errors counts as 1 / bits in the crossing below, which can only make the gap look larger.)\n");
        println!("| Rate | Carrier | SNR at BER 1e-5 | Theory | Gap |");
        println!("|---|---|---|---|---|");
        for (rate, carrier, ours, theory) in summary {
            let f = |x: Option<f64>| x.map(|v| format!("{v:.1} dB")).unwrap_or("-".into());
            let gap = match (ours, theory) {
                (Some(a), Some(b)) => format!("{:.1} dB", a - b),
                _ => "-".into(),
            };
            println!("| {} | {carrier} | {} | {} | {gap} |", rate.bps(), f(ours), f(theory));
        }
        println!();
    }
    if want("tolerance") {
        println!("## Tolerance: full-duplex V.22bis calls, O.152 pattern both ways\n");
        println!("| Line | Caller | Answerer | Errors A<-B | Errors A->B | Retrains |");
        println!("|---|---|---|---|---|---|");
        let seconds = if quick { 20.0 } else { 120.0 };
        let base = Impairments::default().with_snr(20.0, -13.0);
        let cases = [
            Impairments { freq_offset_hz: 7.0, clock_ppm: 300.0, ..base.clone() },
            Impairments { freq_offset_hz: -7.0, clock_ppm: -300.0, ..base.clone() },
            Impairments { freq_offset_hz: 7.0, clock_ppm: -300.0, ..base.clone() },
            Impairments { freq_offset_hz: -7.0, clock_ppm: 300.0, ..base.clone() },
            Impairments { near_echo: Some(Echo { level_db: -10.0, delay_ms: 2.0 }), ..base.clone() },
            Impairments { far_echo: Some(Echo { level_db: -10.0, delay_ms: 40.0 }), ..base.clone() },
            Impairments { band: Band::Model(NetworkModel::ShortLoops), ..base.clone() },
            Impairments { band: Band::Model(NetworkModel::LongLoops), ..base.clone() },
        ];
        for imp in cases {
            let line = describe_line(&imp);
            progress.step(&format!("V.22bis call: {line}"));
            let r = run_sim(Family::V22bis, Family::V22bis, -13.0, GuardTone::None, imp, seconds, 3);
            let c = |k: usize| r.connected[k].map(|(t, rate)| format!("{rate} at {t:.2} s")).unwrap_or("no".into());
            // Errors in bits counted, with those lost while the pattern was found again (a retrain).
            let e = |k: usize| {
                let c = &r.received[k];
                match c.lost {
                    0 => format!("{}/{}", c.errors, c.bits),
                    lost => format!("{}/{} ({lost} lost)", c.errors, c.bits),
                }
            };
            println!("| {line} | {} | {} | {} | {} | {} |", c(0), c(1), e(0), e(1), r.retrains[0] + r.retrains[1]);
        }
        println!();
    }
    #[cfg(not(target_arch = "wasm32"))]
    if want("codecs") {
        println!("## Through speech codecs (sox's GSM 06.10 and AMR-NB, one direction, 8N1-free pattern bits)\n");
        println!("| Codec | Carrier | Rate | Bits | Errors | BER | Receiver SNR | Target |");
        println!("|---|---|---|---|---|---|---|---|");
        let seconds = if quick { 10.0 } else { 60.0 };
        for codec in codecs {
            for carrier in [CALL_CARRIER, ANSWER_CARRIER] {
                for rate in [Rate::R1200, Rate::R2400] {
                    progress.step(&format!("{codec} {carrier} Hz {} bit/s", rate.bps()));
                    let target = match (codec, rate) {
                        (SpeechCodec::AmrNb(7), Rate::R2400) => "<= 1e-4",
                        (SpeechCodec::AmrNb(7), Rate::R1200) | (SpeechCodec::GsmFr, Rate::R1200) => "<= 1e-5",
                        _ => "-",
                    };
                    match softmodem::sim::codec::v22_ber_through(codec, carrier, rate, seconds, 1) {
                        Ok(r) => {
                            let ber = r.pattern_ber();
                            let shown = if r.pattern_errors == 0 {
                                format!("< {:.0e}", 1.0 / r.pattern_bits.max(1) as f64)
                            } else {
                                format!("{ber:.1e}")
                            };
                            println!(
                                "| {codec} | {carrier} | {} | {} | {} | {shown} | {:.1} dB | {target} |",
                                rate.bps(),
                                r.pattern_bits,
                                r.pattern_errors,
                                r.snr_db
                            );
                        }
                        Err(e) => println!("| {codec} | {carrier} | {} | - | - | {e} | - | {target} |", rate.bps()),
                    }
                }
            }
        }
        println!();
    }
    if want("cpu") {
        progress.step("CPU time of one V.22bis modem");
        let (ms_per_s, seconds) = cpu_v22bis(if quick { 10.0 } else { 60.0 });
        println!("## CPU\n");
        println!("One V.22bis modem at 2400 bit/s (transmitter and receiver), native: {ms_per_s:.2} ms of CPU per second of audio (median of 5 passes over {seconds} s). `cargo bench --bench cpu` sets it beside spandsp's.\n");
    }
    eprintln!();
    Ok(())
}

/// CPU milliseconds per second of audio for one V.22bis modem in data mode (transmit and
/// receive), measured over a recorded answerer signal (median of five passes).
pub fn cpu_v22bis(seconds: f32) -> (f64, f32) {
    use softmodem::modem::{Config, Modem, State};
    use softmodem::types::Role;
    let mut a = Modem::new(Config::new(Family::V22bis, Role::Call));
    let mut b = Modem::new(Config::new(Family::V22bis, Role::Answer));
    let (mut ao, mut bo) = (vec![0.0f32; 160], vec![0.0f32; 160]);
    let blocks = (seconds * 50.0) as usize;
    let mut heard = Vec::with_capacity(blocks);
    let mut t = 0;
    while t < 150 + blocks {
        let (ai, bi) = (bo.clone(), ao.clone());
        a.process(&ai, &mut ao);
        b.process(&bi, &mut bo);
        if a.state() == State::Data && b.state() == State::Data {
            heard.push(bo.clone());
        }
        t += 1;
    }
    // Now time the caller alone on what it heard (it is already in data mode): the median of five
    // passes, each on a copy of the modem as it was.
    let mut out = vec![0.0f32; 160];
    let audio = heard.len() as f64 * 160.0 / 8000.0;
    let mut times: Vec<f64> = (0..5)
        .map(|_| {
            let mut m = a.clone();
            let start = Instant::now();
            for blk in &heard {
                m.process(blk, &mut out);
                std::hint::black_box(&out);
            }
            start.elapsed().as_secs_f64() * 1000.0 / audio
        })
        .collect();
    times.sort_by(f64::total_cmp);
    (times[2], audio as f32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn theory() {
        // V.22bis needs about 7 dB more than V.22 for the same error rate.
        let a = crossing(
            &(0..400).map(|i| i as f64 * 0.05).map(|s| (s, theory_ber(Rate::R1200, s))).collect::<Vec<_>>(),
            1e-5,
        )
        .unwrap();
        let b = crossing(
            &(0..400).map(|i| i as f64 * 0.05).map(|s| (s, theory_ber(Rate::R2400, s))).collect::<Vec<_>>(),
            1e-5,
        )
        .unwrap();
        assert!((b - a - 7.0).abs() < 0.6, "{a} {b}");
    }
}
