//! The receiver's quality figure against the real error rate: the bit error rate the SNR
//! estimate stands for ([`quality::ber_estimate`]) is checked against the BER tester's count over
//! the SNR range where V.22 and V.22bis work or fail, and on garbage (noise after the far modem's
//! signal), where the estimate must say what the count says: nothing valid.

use softmodem::sim::bert::v22bis_one_way;
use softmodem::sim::line::Impairments;
use softmodem::sim::signals;
use softmodem::v22bis::quality;
use softmodem::v22bis::rx::Receiver;
use softmodem::v22bis::supervision::{self, Supervisor};
use softmodem::v22bis::{Rate, ANSWER_CARRIER, CALL_CARRIER};

/// Symbols of data counted at each point.
const SYMBOLS: usize = 20_000;

#[test]
fn the_estimate_tracks_the_counted_error_rate() {
    let mut fails = Vec::new();
    for rate in [Rate::R1200, Rate::R2400] {
        for carrier in [CALL_CARRIER, ANSWER_CARRIER] {
            for snr in [-3.0f32, 0.0, 3.0, 6.0, 9.0, 12.0, 15.0, 20.0] {
                let mut rx = Receiver::new(carrier);
                let imp = Impairments::default().with_snr(snr, -13.0);
                let ber = v22bis_one_way(&mut rx, carrier, rate, imp, SYMBOLS, 3);
                // Whether it is data at all, as the supervisor judges it by the decision error (the
                // level and the turns of noise pass).
                let is_data = rx.snr_db() >= supervision::snr_floor_db(rate);
                let est = quality::ber_estimate(rate, rx.snr_db(), is_data);
                let counted = ber.ber();
                let what = format!(
                    "{rate:?} on {carrier} Hz at {snr} dB: estimate {est:.1e}, counted {counted:.1e} ({} of {})",
                    ber.errors, ber.bits
                );
                eprintln!("{what}");
                let ok = if !is_data {
                    // Judged not to be data: the count must say the link is useless too.
                    counted >= 1e-2 || ber.bits < (SYMBOLS / 2) as u64
                } else if ber.bits < (SYMBOLS / 2) as u64 {
                    // Too many errors for the pattern checker to keep in step: the estimate must
                    // say as much.
                    est >= 0.05
                } else if ber.errors >= 100 {
                    // Enough errors to compare: within a factor of 3, or 4 where errors are above
                    // 1e-2 (a decision-directed estimate cannot see the noise that pushed a symbol
                    // past a boundary, and reads low there).
                    let f = if counted > 1e-2 { 4.0 } else { 3.0 };
                    (est / f..=est * f).contains(&counted)
                } else if ber.errors >= 20 {
                    // Errors come in events of 3 to 6 bits (the descrambler, the differential
                    // quadrant), so a few dozen are only a handful of events: within 6.
                    (est / 6.0..=est * 6.0).contains(&counted)
                } else {
                    // Few or none: the estimate must not promise fewer than a handful can be
                    // (an error event of the descrambler is 3 to 6 bits), nor many more.
                    est <= (ber.errors as f64 + 6.0) / ber.bits as f64 * 3.0 && (ber.errors <= 6 || est >= 1e-7)
                };
                if !ok {
                    fails.push(what);
                }
            }
        }
    }
    assert!(fails.is_empty(), "{fails:#?}");
}

#[test]
fn on_garbage_the_estimate_says_what_the_count_says() {
    for rate in [Rate::R1200, Rate::R2400] {
        // Train on data, then hear only noise a little below the signal's level: the receiver's
        // own SNR estimate settles at its floor, the supervisor says it is not data.
        let mut rx = Receiver::new(ANSWER_CARRIER);
        v22bis_one_way(&mut rx, ANSWER_CARRIER, rate, Impairments::default().with_snr(25.0, -13.0), 2000, 4);
        let mut sup = Supervisor::new();
        sup.restart(rx.mse());
        let noise = signals::noise(16_000, -20.0, 5);
        rx.process(&noise, |s| sup.hear(s));
        assert!(!sup.is_data(), "{rate:?}: receiver {:.1} dB, supervisor {:.1} dB", rx.snr_db(), sup.snr_db());
        assert_eq!(quality::ber_estimate(rate, rx.snr_db(), sup.is_data()), 0.5, "{rate:?}");
    }
}
