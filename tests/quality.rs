//! The receiver's quality figure against the real error rate: the bit error rate the SNR
//! estimate stands for ([`quality::ber_estimate`] of [`Receiver::effective_snr_db`]) is checked
//! against the BER tester's count over the SNR range where V.22 and V.22bis work or fail, through
//! speech codecs, and on garbage (noise after the far modem's signal), where the estimate must say
//! what the count says: nothing valid.

use softmodem::sim::bert::{v22bis_one_way, BerCounter};
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
                let est = quality::ber_estimate(rate, rx.effective_snr_db(), is_data);
                let counted = ber.ber();
                let what = format!(
                    "{rate:?} on {carrier} Hz at {snr} dB: estimate {est:.1e}, counted {counted:.1e} ({} of {})",
                    ber.errors, ber.bits
                );
                eprintln!("{what}");
                let ok = if !is_data {
                    // Judged not to be data: the count must say the link is useless too.
                    counted >= 1e-2 || ber.bits < (SYMBOLS / 2) as u64
                } else {
                    tracks(est, &ber)
                };
                if !ok {
                    fails.push(what);
                }
            }
        }
    }
    assert!(fails.is_empty(), "{fails:#?}");
}

/// Whether the estimate `est` says what the count `ber` says (of data: a signal judged to be the
/// far modem's).
fn tracks(est: f64, ber: &BerCounter) -> bool {
    let counted = ber.ber();
    if ber.bits < (SYMBOLS / 2) as u64 {
        // Too many errors for the pattern checker to keep in step: the estimate must say as much.
        est >= 0.05
    } else if ber.errors >= 100 {
        // Enough errors to compare: within a factor of 3, or 4 where errors are above 1e-2 (a
        // decision-directed estimate cannot see the noise that pushed a symbol past a boundary,
        // and reads low there).
        let f = if counted > 1e-2 { 4.0 } else { 3.0 };
        (est / f..=est * f).contains(&counted)
    } else if ber.errors >= 20 {
        // Errors come in events of 3 to 6 bits (the descrambler, the differential quadrant), so a
        // few dozen are only a handful of events: within 6.
        (est / 6.0..=est * 6.0).contains(&counted)
    } else {
        // Few or none: the estimate must not promise fewer than a handful can be (an error event
        // of the descrambler is 3 to 6 bits), nor many more.
        est <= (ber.errors as f64 + 6.0) / ber.bits as f64 * 3.0 && (ber.errors <= 6 || est >= 1e-7)
    }
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

/// Speech codecs are native libraries: not in the WebAssembly build.
#[cfg(not(target_arch = "wasm32"))]
#[test]
fn through_speech_codecs_the_estimate_tracks_the_counted_error_rate() {
    use softmodem::v22bis::quality::ber_for_snr;
    use speech_codecs::{Codec, SpeechChannel};
    // Where a codec leaves errors to count and the rate may be worth using: 16-point QAM through
    // AMR 12.2 (about 1e-2), V.22 through AMR 7.4 (about 3e-3) and through GSM-FR towards the
    // answerer (about 1.6e-2; towards the caller V.22 is hopeless through GSM-FR).
    let cases = [
        (Codec::AMR_122, Rate::R2400, CALL_CARRIER),
        (Codec::AMR_122, Rate::R2400, ANSWER_CARRIER),
        (Codec::Amr(4), Rate::R1200, CALL_CARRIER),
        (Codec::Amr(4), Rate::R1200, ANSWER_CARRIER),
        (Codec::GsmFr, Rate::R1200, CALL_CARRIER),
    ];
    let mut fails = Vec::new();
    let mut gained = 0.0;
    for (codec, rate, carrier) in cases {
        let mut ch = SpeechChannel::new(codec);
        let mut rx = Receiver::new(carrier);
        // The estimates' means over the data (the first 1.5 s train and settle): the frame-by-frame
        // one the quality policy uses, and the mean error's white-noise mapping.
        let (mut blocks, mut est, mut plain) = (0, 0.0, 0.0);
        let ber = softmodem::sim::bert::v22bis_one_way_through(
            &mut rx,
            carrier,
            rate,
            &mut |x, y| ch.process(x, y),
            SYMBOLS,
            &mut |rx| {
                blocks += 1;
                if blocks > 75 {
                    est += quality::ber_estimate(rate, rx.effective_snr_db(), true);
                    plain += ber_for_snr(rate, rx.snr_db() as f64);
                }
            },
        );
        let (est, plain) = (est / (blocks - 75) as f64, plain / (blocks - 75) as f64);
        let counted = ber.ber();
        let what = format!(
            "{rate:?} on {carrier} Hz through {}: estimate {est:.1e}, from the mean error {plain:.1e}, counted {counted:.1e} ({} of {})",
            codec.name(),
            ber.errors,
            ber.bits
        );
        eprintln!("{what}");
        // The codec's error is worse than white noise of the same power: the mean error's mapping
        // reads 1.3 to 3.6 times low here; the frame-by-frame estimate must track the count as in
        // white noise, and never read better than the mean error does.
        if ber.errors < 100 || !tracks(est, &ber) || est < plain {
            fails.push(what);
        }
        gained += (est / plain).ln();
    }
    // And closer to the count than the mean error's mapping, over the cases: 1.3 times at least.
    let gained = (gained / cases.len() as f64).exp();
    assert!(fails.is_empty() && gained > 1.3, "{fails:#?}; gained {gained:.2}");
}
