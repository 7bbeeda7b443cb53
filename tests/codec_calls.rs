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
fn v22bis_through_amr_122_chooses_1200_and_is_clean() {
    // V.22bis through AMR 12.2: the codec passes the steady start-up signals nearly untouched,
    // but leaves data about 16 dB SNR per symbol, where 16-point QAM makes errors near 1e-2. The
    // answerer judges the line by the caller's scrambled ones after S1, does not answer S1, and
    // both go on at 1200 bit/s: error-free, as V.22 is through this codec.
    let c = call(Codec::AMR_122, true, 20);
    assert_eq!(c.caller.phase(), Phase::Data(Rate::R1200));
    assert_eq!(c.answerer.phase(), Phase::Data(Rate::R1200));
    for (what, got) in [("at the caller", &c.at_caller), ("at the answerer", &c.at_answerer)] {
        assert!(got.bits > 18_000, "{what}: {} bits", got.bits);
        assert_eq!(got.errors, 0, "{what}: {got:?}");
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
