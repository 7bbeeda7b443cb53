#![cfg(not(target_arch = "wasm32"))]
//! Full-duplex V.22/V.22bis calls between our modems with a mobile call's speech codec in each
//! direction (Debian's libgsm and libopencore-amrnb, frame by frame, through the test-only
//! `speech-codecs` crate). The figures for ours against spandsp's are `cargo bench --bench codecs`.

mod support;

use softmodem::v22bis::pump::Phase;
use softmodem::v22bis::Rate;
use speech_codecs::Codec;
use support::codec_call::our_call as call;

#[test]
fn v22_through_amr_122_both_ways_is_clean() {
    // V.22 (1200 bit/s) through AMR 12.2 each way, 20 s: error-free in both directions (the
    // target is 1e-5; 20 s is about 20 000 bits each way).
    let c = call(Codec::AMR_122, false, 20);
    assert_eq!(c.caller.phase(), Phase::Data(Rate::R1200));
    assert_eq!(c.answerer.phase(), Phase::Data(Rate::R1200));
    for (what, got) in [("at the caller", &c.at_caller), ("at the answerer", &c.at_answerer)] {
        assert!(got.bits > 19_000, "{what}: {} bits", got.bits);
        assert_eq!(got.errors, 0, "{what}: {} errors in {}", got.errors, got.bits);
        assert_eq!(got.syncs, 1, "{what}: the pattern was lost");
    }
    assert_eq!(c.initiated, [0, 0]);
}

#[test]
fn v22bis_through_amr_122_holds_2400_without_retraining() {
    // V.22bis through AMR 12.2: the codec leaves about 17 dB SNR, enough for 16-point QAM to
    // hold the call at 2400 bit/s with errors near 1e-2 (the 1e-4 target is beyond this
    // channel; see the README), and the quality stays over the retrain threshold.
    let c = call(Codec::AMR_122, true, 20);
    assert_eq!(c.caller.phase(), Phase::Data(Rate::R2400));
    assert_eq!(c.answerer.phase(), Phase::Data(Rate::R2400));
    for (what, got) in [("at the caller", &c.at_caller), ("at the answerer", &c.at_answerer)] {
        assert!(got.bits > 38_000, "{what}: {} bits", got.bits);
        // Where the pattern was held, errors near 1e-2 (what this test measured before the error
        // counter counted the bits lost when the pattern slips).
        let held = (got.errors - got.lost) as f64 / got.compared() as f64;
        assert!(held < 3e-2, "{what}: BER {held:.1e} where the pattern was held: {got:?}");
        // All told: the receiver slips a symbol now and then through this codec (a dozen times
        // in 20 s), and the bits lost finding the pattern again count as errors too.
        assert!(got.ber() < 5e-2, "{what}: BER {:.1e}: {got:?}", got.ber());
    }
    assert_eq!(c.initiated, [0, 0]);
}

#[test]
fn a_line_poor_all_along_is_not_retrained_over_and_over() {
    // GSM-FR leaves the 2400 Hz channel about 5 dB SNR: nothing a retrain can mend. Each end may
    // try once for poor quality; after that it only retrains once the quality has been good
    // again (it never is here), so the call is not spent in retrains.
    let c = call(Codec::GsmFr, true, 30);
    assert!(c.initiated.iter().all(|&n| n <= 1), "retrains started: {:?}", c.initiated);
}
