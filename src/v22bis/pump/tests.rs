//! Calls between two pumps through the line simulator: start-ups, fall-back, impairments,
//! dropouts, retrains.

use super::*;
use crate::sim::bert::{BerCounter, PatternPump, Prbs};
use crate::sim::call::BackToBack;
use crate::sim::line::{Impairments, Line};

/// Counts pattern errors once `on`.
struct Counter(BerCounter, bool);
impl BitSink for Counter {
    fn put_bit(&mut self, bit: u8, _soft: f32) {
        if self.1 {
            self.0.push(bit);
        }
    }
}

/// What a test call leaves: both pumps, the events with times (s) and ends, and the pattern
/// counters at each end.
type Outcome = (Pump, Pump, Vec<(f32, char, PumpEvent)>, BerCounter, BerCounter);

/// Runs a call for `seconds`; returns both pumps, their events with times (s), and the
/// pattern counters at each end (counting from `count_from` seconds).
fn call_from(a_cfg: Config, b_cfg: Config, imp: Impairments, seconds: f32, count_from: f32) -> Outcome {
    run(BackToBack::new(PatternPump::new(a_cfg), PatternPump::new(b_cfg), Line::symmetric(imp, 9)), seconds, count_from)
}

/// Runs `call` for `seconds`, counting the pattern from `count_from` seconds.
fn run(mut call: BackToBack<PatternPump, PatternPump>, seconds: f32, count_from: f32) -> Outcome {
    let mut events = vec![];
    for blk in 0..(seconds * 50.0) as usize {
        call.step();
        let t = blk as f32 / 50.0;
        call.a.counting = t >= count_from;
        call.b.counting = t >= count_from;
        while let Some(e) = call.a.pump.poll_event() {
            events.push((t, 'A', e));
        }
        while let Some(e) = call.b.pump.poll_event() {
            events.push((t, 'B', e));
        }
    }
    let (a, b) = call.into_ends();
    (a.pump, b.pump, events, a.received, b.received)
}

fn call(a_cfg: Config, b_cfg: Config, imp: Impairments, seconds: f32) -> Outcome {
    call_from(a_cfg, b_cfg, imp, seconds, 0.0)
}

#[test]
fn v22bis_both_ends_reach_2400_and_carry_data() {
    let (a, b, events, ca, cb) = call(Config::new(Role::Call), Config::new(Role::Answer), Impairments::default(), 6.0);
    assert_eq!(a.phase(), Phase::Data(Rate::R2400), "{events:?}");
    assert_eq!(b.phase(), Phase::Data(Rate::R2400), "{events:?}");
    assert!(ca.bits > 5000 && cb.bits > 5000, "{} {}", ca.bits, cb.bits);
    assert_eq!((ca.errors, cb.errors), (0, 0));
    // The start-up takes about 1.9 s: 75 ms silence, 155 ms of ones heard, 456 ms pause,
    // 100 ms S1, about 200 ms while the answerer judges the line by the caller's scrambled ones
    // before its own S1, then 500 ms of ones at 1200 and 200 ms at 2400.
    let t = events.iter().find(|e| e.1 == 'A').unwrap().0;
    assert!((1.6..2.1).contains(&t), "{events:?}");
    assert_eq!(events.len(), 2, "{events:?}");
}

#[test]
fn the_line_chooses_the_rate() {
    // White noise at 8 dB over the band (about 16 dB per symbol, 2e-3 at 2400 bit/s): the caller
    // hears it on the answerer's unscrambled ones and sends no S1. At 15 dB, 2400 bit/s.
    for (snr, rate) in [(8.0, Rate::R1200), (15.0, Rate::R2400)] {
        let (a, b, events, ca, cb) = call_from(
            Config::new(Role::Call),
            Config::new(Role::Answer),
            Impairments::default().with_snr(snr, -13.0),
            8.0,
            5.0,
        );
        assert_eq!((a.phase(), b.phase()), (Phase::Data(rate), Phase::Data(rate)), "{snr} dB: {events:?}");
        let judged = events.iter().any(|e| e.1 == 'A' && matches!(e.2, PumpEvent::TooPoorFor2400 { .. }));
        assert_eq!(judged, rate == Rate::R1200, "{snr} dB: {events:?}");
        assert!(ca.bits > 2_000 && cb.bits > 2_000, "{snr} dB: {} {}", ca.bits, cb.bits);
        assert_eq!((ca.errors, cb.errors), (0, 0), "{snr} dB: {events:?}");
    }
}

#[test]
fn falls_back_to_1200_with_a_v22_modem_at_either_end() {
    let v22 = |role| Config { v22bis: false, ..Config::new(role) };
    for (a_cfg, b_cfg) in [(Config::new(Role::Call), v22(Role::Answer)), (v22(Role::Call), Config::new(Role::Answer))] {
        let (a, b, events, ca, cb) = call(a_cfg.clone(), b_cfg.clone(), Impairments::default(), 6.0);
        assert_eq!(a.phase(), Phase::Data(Rate::R1200), "{a_cfg:?}: {events:?}");
        assert_eq!(b.phase(), Phase::Data(Rate::R1200), "{b_cfg:?}: {events:?}");
        assert!(ca.bits > 2000 && cb.bits > 2000, "{} {}", ca.bits, cb.bits);
        assert_eq!((ca.errors, cb.errors), (0, 0));
    }
}

#[test]
fn trains_and_holds_through_impairments() {
    let cases = [
        (
            "20 dB, +7 Hz, +300 ppm",
            Impairments { freq_offset_hz: 7.0, clock_ppm: 300.0, ..Default::default() }.with_snr(20.0, -13.0),
        ),
        (
            "20 dB, -7 Hz, -300 ppm",
            Impairments { freq_offset_hz: -7.0, clock_ppm: -300.0, ..Default::default() }.with_snr(20.0, -13.0),
        ),
        (
            "-10 dB near echo, 20 dB far echo at 30 ms, telephone band",
            Impairments {
                near_echo: Some(crate::sim::line::Echo { level_db: -10.0, delay_ms: 2.0 }),
                far_echo: Some(crate::sim::line::Echo { level_db: -20.0, delay_ms: 30.0 }),
                band: crate::sim::line::Band::Telephone,
                ..Default::default()
            }
            .with_snr(25.0, -13.0),
        ),
        (
            "A-law, 30 dB",
            Impairments { codec: Some(crate::g711::Law::ALaw), ..Default::default() }.with_snr(30.0, -13.0),
        ),
    ];
    for (name, imp) in cases {
        let (a, b, events, ca, cb) = call(Config::new(Role::Call), Config::new(Role::Answer), imp, 8.0);
        assert_eq!((a.phase(), b.phase()), (Phase::Data(Rate::R2400), Phase::Data(Rate::R2400)), "{name}: {events:?}");
        assert_eq!(events.len(), 2, "{name}: retrained: {events:?}");
        assert!(ca.bits > 10_000 && cb.bits > 10_000, "{name}: {} {}", ca.bits, cb.bits);
        assert_eq!((ca.errors, cb.errors), (0, 0), "{name}");
    }
}

/// A call whose line has a dropout of `ms` at 3 s on the way to A (`to_a`) and/or to B
/// (`to_b`), with noise and frequency and clock offsets; bits counted from 4.8 s.
fn dropout_call(ms: f32, to_a: bool, to_b: bool) -> Outcome {
    let imp = |gap: bool| {
        Impairments {
            dropouts: if gap { vec![crate::sim::line::Dropout { at_ms: 3000.0, ms }] } else { vec![] },
            freq_offset_hz: 5.0,
            clock_ppm: 200.0,
            ..Default::default()
        }
        .with_snr(25.0, -13.0)
    };
    let line = Line::new(imp(to_b), imp(to_a), 9);
    run(
        BackToBack::new(PatternPump::new(Config::new(Role::Call)), PatternPump::new(Config::new(Role::Answer)), line),
        8.0,
        4.8,
    )
}

#[test]
fn retrains_after_a_300_ms_dropout() {
    // 300 ms with no signal both ways: each end retrains when the signal comes back (both
    // initiate: each heard the gap), back in data within 1.5 s, the data clean after.
    let (a, b, events, ca, cb) = dropout_call(300.0, true, true);
    assert_eq!((a.phase(), b.phase()), (Phase::Data(Rate::R2400), Phase::Data(Rate::R2400)), "{events:?}");
    for end in ['A', 'B'] {
        let retrain = events.iter().find(|e| e.1 == end && matches!(e.2, PumpEvent::Retrain { .. }));
        assert!(retrain.is_some_and(|e| (3.3..3.5).contains(&e.0)), "{end}: {events:?}");
        let back = events.iter().find(|e| e.1 == end && e.0 > 3.3 && matches!(e.2, PumpEvent::Connected(_)));
        assert!(back.is_some_and(|e| e.0 < 4.8 && e.2 == PumpEvent::Connected(Rate::R2400)), "{end}: {events:?}");
    }
    assert!(ca.bits > 7_000 && cb.bits > 7_000, "{} {}", ca.bits, cb.bits);
    assert_eq!((ca.errors, cb.errors), (0, 0), "{events:?}");
}

#[test]
fn a_dropout_one_way_retrains_both_ends() {
    // The dropout only on the way to B: B initiates the retrain, A responds to B's S1.
    let (a, b, events, ca, cb) = dropout_call(300.0, false, true);
    assert_eq!((a.phase(), b.phase()), (Phase::Data(Rate::R2400), Phase::Data(Rate::R2400)), "{events:?}");
    let retrains: Vec<_> = events.iter().filter(|e| matches!(e.2, PumpEvent::Retrain { .. })).collect();
    assert_eq!(retrains.len(), 2, "{events:?}");
    assert!(retrains.iter().any(|e| e.1 == 'B' && e.2 == PumpEvent::Retrain { initiated: true }), "{events:?}");
    assert!(retrains.iter().any(|e| e.1 == 'A' && e.2 == PumpEvent::Retrain { initiated: false }), "{events:?}");
    assert!(ca.bits > 7_000 && cb.bits > 7_000, "{} {}", ca.bits, cb.bits);
    assert_eq!((ca.errors, cb.errors), (0, 0), "{events:?}");
}

#[test]
fn rides_through_a_short_hit() {
    // 100 ms (shorter than the 200 ms gap that calls for a retrain): the receiver holds its
    // loops over the gap, no retrain, and the data after it is clean.
    let (a, b, events, ca, cb) = dropout_call(100.0, true, true);
    assert_eq!((a.phase(), b.phase()), (Phase::Data(Rate::R2400), Phase::Data(Rate::R2400)), "{events:?}");
    assert_eq!(events.len(), 2, "retrained: {events:?}");
    assert!(ca.bits > 7_000 && cb.bits > 7_000, "{} {}", ca.bits, cb.bits);
    assert_eq!((ca.errors, cb.errors), (0, 0), "{events:?}");
}

#[test]
fn retrains_after_losing_the_carrier() {
    // A 1.5 s dropout loses the carrier: both ends retrain when it comes back.
    let imp =
        Impairments { dropouts: vec![crate::sim::line::Dropout { at_ms: 3000.0, ms: 1500.0 }], ..Default::default() }
            .with_snr(30.0, -13.0);
    let (a, b, events, ca, cb) = call_from(Config::new(Role::Call), Config::new(Role::Answer), imp, 9.0, 6.5);
    assert_eq!((a.phase(), b.phase()), (Phase::Data(Rate::R2400), Phase::Data(Rate::R2400)), "{events:?}");
    for end in ['A', 'B'] {
        assert!(events.iter().any(|e| e.1 == end && matches!(e.2, PumpEvent::Retrain { .. })), "{events:?}");
    }
    // Back in data within 1.7 s of the dropout's end (the answerer judges the line for about
    // 200 ms before it answers the retrain), and the data clean afterwards.
    let back =
        events.iter().filter(|e| e.0 > 4.5 && matches!(e.2, PumpEvent::Connected(_))).map(|e| e.0).fold(0.0, f32::max);
    assert!(back > 4.5 && back < 6.2, "{events:?}");
    assert!(ca.bits > 4_000 && cb.bits > 4_000, "{} {}", ca.bits, cb.bits);
    assert_eq!((ca.errors, cb.errors), (0, 0));
}

#[test]
fn retrains_when_the_line_turns_bad_then_recovers() {
    // After the call is up, one second of heavy noise (2 dB SNR over the band) on the way to the
    // answerer. Its receiver rides that out at about 12 dB SNR; with the retrain threshold set
    // at 15 dB its quality counts as poor, it asks for a retrain half a second in, and once the
    // line is good again both ends are back in data with a clean pattern.
    let mut a = Pump::new(Config::new(Role::Call));
    let mut b = Pump::new(Config { retrain_below_db: 15.0, ..Config::new(Role::Answer) });
    let mut line = Line::symmetric(Impairments::default().with_snr(30.0, -13.0), 4);
    let mut burst = crate::sim::rng::Rng::new(8);
    let burst_rms = crate::dsp::dbm0_to_power(-15.0).sqrt();
    let (mut pa, mut pb) = (Prbs::new(), Prbs::new());
    let (mut ca, mut cb) = (Counter(BerCounter::new(), false), Counter(BerCounter::new(), false));
    let (mut ao, mut bo, mut ai, mut bi) = (vec![0.0; 160], vec![0.0; 160], vec![0.0; 160], vec![0.0; 160]);
    let mut events = vec![];
    for blk in 0..500 {
        let t = blk as f32 / 50.0;
        line.process(&ao, &bo, &mut ai, &mut bi);
        if (3.0..4.0).contains(&t) {
            bi.iter_mut().for_each(|v| *v += burst_rms * burst.gaussian());
        }
        ca.1 = t >= 6.0;
        cb.1 = t >= 6.0;
        a.process(&ai, &mut ao, &mut || pa.next_bit(), &mut ca);
        b.process(&bi, &mut bo, &mut || pb.next_bit(), &mut cb);
        while let Some(e) = a.poll_event() {
            events.push((t, 'A', e));
        }
        while let Some(e) = b.poll_event() {
            events.push((t, 'B', e));
        }
    }
    assert!(events.iter().any(|e| e.1 == 'B' && e.2 == PumpEvent::Retrain { initiated: true }), "{events:?}");
    assert!(events.iter().any(|e| e.1 == 'A' && e.2 == PumpEvent::Retrain { initiated: false }), "{events:?}");
    assert_eq!((a.phase(), b.phase()), (Phase::Data(Rate::R2400), Phase::Data(Rate::R2400)), "{events:?}");
    assert!(ca.0.bits > 8_000 && cb.0.bits > 8_000, "{} {}", ca.0.bits, cb.0.bits);
    assert_eq!((ca.0.errors, cb.0.errors), (0, 0), "{events:?}");
}

#[test]
fn retrain_on_request() {
    let mut a = Pump::new(Config::new(Role::Call));
    let mut b = Pump::new(Config::new(Role::Answer));
    let (mut ao, mut bo) = (vec![0.0; 160], vec![0.0; 160]);
    let mut sink = Counter(BerCounter::new(), false);
    let mut seen = vec![];
    for blk in 0..400 {
        if blk == 200 {
            assert_eq!(a.phase(), Phase::Data(Rate::R2400));
            a.retrain();
        }
        let (ai, bi) = (bo.clone(), ao.clone());
        a.process(&ai, &mut ao, &mut || 1, &mut sink);
        b.process(&bi, &mut bo, &mut || 1, &mut sink);
        while let Some(e) = b.poll_event() {
            seen.push(e);
        }
    }
    assert_eq!(
        seen,
        vec![
            PumpEvent::Connected(Rate::R2400),
            PumpEvent::Retrain { initiated: false },
            PumpEvent::Connected(Rate::R2400)
        ]
    );
    assert_eq!(a.phase(), Phase::Data(Rate::R2400));
}
