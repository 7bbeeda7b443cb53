#![cfg(not(target_arch = "wasm32"))]
//! Full-duplex V.22/V.22bis calls between our modems with a mobile call's speech codec in each
//! direction (Debian's libgsm and libopencore-amrnb, frame by frame, through the test-only
//! `speech-codecs` crate). The figures for ours against spandsp's are `cargo bench --bench codecs`.

mod support;

use softmodem::v22bis::pump::{Phase, PumpEvent};
use softmodem::v22bis::Rate;
use speech_codecs::Codec;
use support::codec_call::{our_call as call, our_call_through};

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

#[test]
fn the_caller_finds_the_line_too_poor_after_s1_and_both_start_again() {
    // AMR 12.2 towards the caller only. The answerer judges the caller's scrambled ones on a clean
    // line and answers S1; the caller, which heard the answerer's unscrambled ones nearly
    // untouched, judges the answerer's scrambled ones after its S1, finds the line too poor for
    // 2400 bit/s, falls silent and starts again without S1; the answerer, hearing it stop, starts
    // again too, and both go on at 1200 bit/s, clean.
    let c = our_call_through([None, Some(Codec::AMR_122)], true, 20);
    let too_poor: Vec<_> = c.events.iter().filter(|e| matches!(e.2, PumpEvent::TooPoorFor2400 { .. })).collect();
    assert!(too_poor.len() == 1 && too_poor[0].1 == 0, "only the caller judges it too poor: {:?}", c.events);
    let connected: Vec<_> = c.events.iter().filter(|e| matches!(e.2, PumpEvent::Connected(_))).collect();
    assert_eq!(connected.len(), 2, "each end connects once: {:?}", c.events);
    assert!(connected.iter().all(|e| e.2 == PumpEvent::Connected(Rate::R1200)), "{:?}", c.events);
    assert_eq!((c.caller.phase(), c.answerer.phase()), (Phase::Data(Rate::R1200), Phase::Data(Rate::R1200)));
    for (what, got) in [("at the caller", &c.at_caller), ("at the answerer", &c.at_answerer)] {
        assert!(got.bits > 15_000, "{what}: {} bits", got.bits);
        assert_eq!(got.errors, 0, "{what}: {got:?}");
    }
}
