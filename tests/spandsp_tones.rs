//! Our telephony tones (`src/tones/`) against spandsp's (Debian libspandsp 0.0.6, through the FFI
//! in `peers/spandsp/src/tones.rs`), both ways:
//!
//! - DTMF: every digit of our [`DtmfGenerator`] decoded exactly by spandsp's `dtmf_rx`, and every
//!   digit of spandsp's `dtmf_tx` by our [`DtmfDetector`], at default and tight timing, at a low
//!   level, through noise, G.711 and a frequency offset; both agree on the twist they accept;
//! - answer tones: each of ours (ANS, ANS/, ANSam, ANSam/, Bell 2225 Hz) recognised by spandsp's
//!   modem-connect-tones detector as the right kind, each of spandsp's by our
//!   [`AnswerToneDetector`], with the times each reports; the V.25 calling tone both ways;
//! - negatives: no digits from answer tones, no answer or calling tone from DTMF, no kind taken
//!   for another.
//!
//! spandsp's signals, measured here as a black box (see `spandsp_dtmf_tx_as_measured` and
//! `spandsp_connect_tones_as_measured`): DTMF 50 ms on, 55 ms off, each tone at -10 dBm0 with no
//! twist; answer tones at -11 dBm0 (ANS/ and ANSam/ -12), starting after 200 ms of silence and
//! lasting ANS 2.6 s, ANS/ 3.3 s, ANSam and ANSam/ 5 s, Bell 2.6 s; the calling tone 0.6 s on,
//! 2 s off. Its detectors, where they differ from ours (the peer crate's quirk list has them too):
//! they accept 2100 and 2225 Hz tones up to 60 Hz off (V.25 gives the tone +-15 Hz; ours accepts
//! 20 Hz at 2100, 15 Hz at 2225), report the calling tone 0.42 s into a burst of any length from
//! 0.5 s up (a steady 1300 Hz, V.23's mark, included), need three phase reversals (1.35 s) to call
//! a tone ANS/, and in noise are slow to report (or miss) the end of ANS/, ANSam and ANSam/. No
//! disagreement was found: every signal of either side is recognised by the other as what it is.
//!
//! Samples cross as `i16` at 8000 Hz (full scale 32768 = 1.0 on our side). Receivers are fed in
//! 5 ms blocks, so every time below is good to 5 ms.
#![cfg(not(target_arch = "wasm32"))]

use softmodem::dsp::{power_to_dbm0, Goertzel};
use softmodem::g711::Law;
use softmodem::sim::line::{Direction, Impairments};
use softmodem::time::Duration;
use softmodem::tones::{
    AnswerEvent, AnswerTone, AnswerToneDetector, AnswerToneGenerator, CallingToneGenerator, DtmfDetector,
    DtmfGenerator, ProgressToneGenerator, ToneSpec,
};
use spandsp_peer::tones::{ConnectTone, ConnectToneReport, ConnectToneRx, ConnectToneTx, DtmfCollect, DtmfReport};
use spandsp_peer::{DtmfRx, DtmfTx};

const ALL: &str = "0123456789*#ABCD";
/// Receivers' block: 5 ms.
const BLOCK: usize = 40;

// ---------------------------------------------------------------------------------------------
// Helpers

/// Samples in `ms` milliseconds.
fn ms(ms: u32) -> usize {
    ms as usize * 8
}

fn to_f32(x: &[i16]) -> Vec<f32> {
    x.iter().map(|&v| v as f32 / 32768.0).collect()
}

fn to_i16(x: &[f32]) -> Vec<i16> {
    x.iter().map(|&v| softmodem::dsp::to_i16(v)).collect()
}

/// `x` through one direction of the simulated line.
fn through(imp: &Impairments, seed: u64, x: &[f32]) -> Vec<f32> {
    let mut d = Direction::new(imp.clone(), seed);
    let mut y = vec![0.0; x.len()];
    d.process(x, &mut y);
    y
}

/// The stretches of `x` louder than `thr` (gaps under 2.5 ms bridged): (start, end) in samples.
fn bursts(x: &[i16], thr: i16) -> Vec<(usize, usize)> {
    let mut out = vec![];
    let mut cur = None;
    let mut quiet = 0;
    for (i, &v) in x.iter().enumerate() {
        if v.unsigned_abs() > thr as u16 {
            cur.get_or_insert(i);
            quiet = 0;
        } else if let Some(s) = cur {
            quiet += 1;
            if quiet > 20 {
                out.push((s, i - 20));
                cur = None;
            }
        }
    }
    if let Some(s) = cur {
        out.push((s, x.len()));
    }
    out
}

/// Level in dBm0 of the tone at `freq` over `x`.
fn tone_dbm0(x: &[f32], freq: f32) -> f32 {
    let mut g = Goertzel::new(freq, x.len(), 8000.0);
    power_to_dbm0(x.iter().fold(0.0, |p, &v| g.push(v).unwrap_or(p)))
}

/// Level in dBm0 of `x`.
fn dbm0(x: &[f32]) -> f32 {
    power_to_dbm0(x.iter().map(|v| v * v).sum::<f32>() / x.len().max(1) as f32)
}

/// Our DTMF: `digits` at `on`/`off` ms and `level` dBm0 in total with the high group `twist` dB
/// above the low, after 100 ms of silence and followed by 100 ms. Returns the signal and where each
/// tone starts.
fn our_dtmf(digits: &str, on: u32, off: u32, level: f32, twist: f32) -> (Vec<f32>, Vec<usize>) {
    let mut g = DtmfGenerator::new();
    g.set_timing(Duration::from_ms(on), Duration::from_ms(off));
    g.set_level(level, twist);
    g.dial(digits).unwrap();
    let mut out = vec![0.0; ms(100)];
    let mut buf = [0.0; 160];
    while !g.is_idle() {
        g.process(&mut buf);
        out.extend_from_slice(&buf);
    }
    out.extend(std::iter::repeat_n(0.0, ms(100)));
    let starts = (0..digits.len()).map(|i| ms(100) + i * ms(on + off)).collect();
    (out, starts)
}

/// spandsp's DTMF: `digits` with its defaults changed as given, after 100 ms of silence and
/// followed by 100 ms.
fn spandsp_dtmf(digits: &str, timing: Option<(i32, i32)>, level: Option<(i32, i32)>) -> Vec<i16> {
    let mut tx = DtmfTx::new();
    if let Some((on, off)) = timing {
        tx.set_timing(on, off);
    }
    if let Some((low, twist)) = level {
        tx.set_level(low, twist);
    }
    tx.put(digits).expect("spandsp's DTMF buffer is full");
    let mut x = tx.render(ms(100));
    x.extend(std::iter::repeat_n(0, ms(100)));
    x
}

/// What spandsp's DTMF receiver makes of `x`, through its digits callback.
fn spandsp_decodes(x: &[i16]) -> String {
    let mut rx = DtmfRx::new();
    rx.process_blocks(x, BLOCK);
    rx.digits().to_owned()
}

/// What our DTMF detector makes of `x`: the digits and when each was reported.
fn we_decode(x: &[f32]) -> (String, Vec<usize>) {
    let mut d = DtmfDetector::new();
    let (mut s, mut at) = (String::new(), vec![]);
    for (k, b) in x.chunks(BLOCK).enumerate() {
        d.process(b, |c| {
            s.push(c);
            at.push(k * BLOCK + b.len());
        });
    }
    (s, at)
}

/// Our answer tone `kind` at `level` dBm0: 200 ms of silence, `tone_ms` of tone, 300 ms of
/// silence.
fn our_answer(kind: AnswerTone, level: f32, hz: Option<f32>, tone_ms: u32) -> Vec<f32> {
    let mut g = AnswerToneGenerator::new(kind, level);
    if let Some(f) = hz {
        g.set_frequency(f);
    }
    let mut x = vec![0.0; ms(200)];
    let mut t = vec![0.0; ms(tone_ms)];
    g.process(&mut t);
    g.stop();
    x.extend_from_slice(&t);
    let mut tail = vec![0.0; ms(300)];
    g.process(&mut tail);
    x.extend_from_slice(&tail);
    x
}

/// spandsp's connect tone of `tone`, `secs` seconds of it from its start.
fn spandsp_tone(tone: ConnectTone, secs: f32) -> Vec<i16> {
    ConnectToneTx::new(tone).render((secs * 8000.0) as usize)
}

/// What spandsp's connect tones detector listening for `listen` reports on `x`.
fn spandsp_hears(listen: ConnectTone, x: &[i16]) -> Vec<ConnectToneReport> {
    let mut rx = ConnectToneRx::new(listen);
    rx.process_blocks(x, BLOCK);
    rx.reports().to_vec()
}

/// The tones of a list of reports.
fn tones(r: &[ConnectToneReport]) -> Vec<ConnectTone> {
    r.iter().map(|r| r.tone).collect()
}

/// What our answer tone detector reports on `x`.
fn we_hear(x: &[f32]) -> Vec<AnswerEvent> {
    let mut d = AnswerToneDetector::new();
    let mut ev = vec![];
    for b in x.chunks(BLOCK) {
        d.process(b, |e| ev.push(e));
    }
    ev
}

/// The kinds our detector announced, in order.
fn kinds(ev: &[AnswerEvent]) -> Vec<AnswerTone> {
    ev.iter()
        .filter_map(|e| match e {
            AnswerEvent::Answer { kind, .. } => Some(*kind),
            _ => None,
        })
        .collect()
}

/// spandsp's name for our kind.
fn spandsp_kind(kind: AnswerTone) -> ConnectTone {
    match kind {
        AnswerTone::Ans => ConnectTone::Ans,
        AnswerTone::AnsPr => ConnectTone::AnsPr,
        AnswerTone::AnsAm => ConnectTone::AnsAm,
        AnswerTone::AnsAmPr => ConnectTone::AnsAmPr,
        AnswerTone::Bell2225 => ConnectTone::BellAns,
    }
}

const KINDS: [AnswerTone; 5] =
    [AnswerTone::Ans, AnswerTone::AnsPr, AnswerTone::AnsAm, AnswerTone::AnsAmPr, AnswerTone::Bell2225];

/// The kinds our detector announces for a tone of `kind`: a tone with reversals is first announced
/// without them, then again at its first reversal.
fn our_announcements(kind: AnswerTone) -> Vec<AnswerTone> {
    match kind {
        AnswerTone::AnsPr => vec![AnswerTone::Ans, AnswerTone::AnsPr],
        AnswerTone::AnsAmPr => vec![AnswerTone::AnsAm, AnswerTone::AnsAmPr],
        k => vec![k],
    }
}

// ---------------------------------------------------------------------------------------------
// The peer's signals, measured

/// What spandsp's DTMF generator sends, pinned down so that the interop tests below know what
/// they are given.
#[test]
fn spandsp_dtmf_tx_as_measured() {
    let x = spandsp_dtmf("1590", None, None);
    let b = bursts(&x, 30);
    assert_eq!(b.len(), 4, "{b:?}");
    for (i, &(s, e)) in b.iter().enumerate() {
        // 50 ms on, 55 ms off, from the first sample asked for.
        assert!(s.abs_diff(ms(100) + i * ms(105)) <= 2, "{b:?}");
        assert!((e - s).abs_diff(ms(50)) <= 2, "{b:?}");
    }
    // Each tone at -10 dBm0, no twist.
    let f = to_f32(&x);
    let (s, e) = b[0];
    let (lo, hi) = (tone_dbm0(&f[s + 40..e - 40], 697.0), tone_dbm0(&f[s + 40..e - 40], 1209.0));
    assert!((lo + 10.0).abs() < 0.3 && (hi + 10.0).abs() < 0.3, "{lo} {hi}");
    // dtmf_tx_set_level's level is the low tone's, its twist the high tone's level above it.
    let f = to_f32(&spandsp_dtmf("1", Some((80, 80)), Some((-20, 3))));
    let seg = &f[ms(110)..ms(170)];
    let (lo, hi) = (tone_dbm0(seg, 697.0), tone_dbm0(seg, 1209.0));
    assert!((lo + 20.0).abs() < 0.3 && (hi + 17.0).abs() < 0.3, "{lo} {hi}");
    // Quirk: a pair whose peaks add past full scale wraps around instead of clipping.
    let x = spandsp_dtmf("1", None, Some((-4, 4)));
    let jumps = x.windows(2).filter(|w| (w[0] as i32 - w[1] as i32).abs() > 30000).count();
    assert!(jumps > 10, "spandsp's DTMF now clips instead of wrapping: update the quirk list ({jumps})");
    let x = spandsp_dtmf("1", None, Some((-3, 0)));
    assert!(x.windows(2).all(|w| (w[0] as i32 - w[1] as i32).abs() < 30000));
}

/// What spandsp's connect tones generator sends: level, frequency and AM as our detector's
/// measurements need them, and the timing the tests below rely on.
#[test]
fn spandsp_connect_tones_as_measured() {
    // (tone, first sample, length, level dBm0)
    let cases = [
        (ConnectTone::Ans, ms(200), ms(2600), -11.0),
        (ConnectTone::AnsPr, ms(200), ms(3300), -12.0),
        (ConnectTone::AnsAm, ms(200), ms(5000), -11.0),
        (ConnectTone::AnsAmPr, ms(200), ms(5000), -12.0),
        (ConnectTone::BellAns, ms(200), ms(2600), -11.0),
        (ConnectTone::CallingTone, 0, ms(600), -11.0),
    ];
    for (tone, start, len, level) in cases {
        let x = spandsp_tone(tone, 6.0);
        let b = bursts(&x, 30);
        let (s, e) = b[0];
        assert!(s.abs_diff(start) <= 2 && (e - s).abs_diff(len) <= 2, "{tone:?}: {b:?}");
        if tone == ConnectTone::CallingTone {
            // 0.6 s on, 2 s off.
            assert!(b.len() == 3 && b[1].0.abs_diff(ms(2600)) <= 1 && b[2].0.abs_diff(ms(5200)) <= 1, "{b:?}");
        } else {
            assert_eq!(b.len(), 1, "{tone:?}: {b:?}");
        }
        let f = to_f32(&x[s + ms(100)..s + ms(500)]);
        let l = dbm0(&f);
        assert!((l - level).abs() < 0.2, "{tone:?} at {l} dBm0");
    }
    // ANSam's envelope swings 0.8 to 1.2 of its mean (V.8), as ours: the strongest sidebands are
    // 15 Hz either side, each 20 dB below the carrier (a depth of 0.2 puts each at 0.1).
    let f = to_f32(&spandsp_tone(ConnectTone::AnsAm, 1.0)[ms(400)..ms(800)]);
    let c = tone_dbm0(&f, 2100.0);
    for sb in [2085.0, 2115.0] {
        let d = c - tone_dbm0(&f, sb);
        assert!((d - 20.0).abs() < 0.5, "sideband {sb} Hz {d} dB down");
    }
}

// ---------------------------------------------------------------------------------------------
// DTMF

#[test]
fn our_dtmf_decoded_by_spandsp() {
    // Default timing (70/70) and level (-7 dBm0, high group 2 dB up), tight timing, Q.24's
    // shortest (40/40), and low levels.
    for (on, off, level) in [(70, 70, -7.0), (50, 50, -7.0), (40, 40, -7.0), (70, 70, -30.0), (50, 50, -34.0)] {
        let (x, _) = our_dtmf(ALL, on, off, level, 2.0);
        assert_eq!(spandsp_decodes(&to_i16(&x)), ALL, "{on}/{off} ms at {level} dBm0");
    }
    // Repeated digits are told apart by the pause alone.
    let (x, _) = our_dtmf("1112223300##", 50, 50, -7.0, 2.0);
    assert_eq!(spandsp_decodes(&to_i16(&x)), "1112223300##");
    // spandsp's realtime callback: each digit starts within 40 ms of our tone's start and ends
    // within 40 ms of its end (spandsp was measured at 30 ms and 25 ms).
    let (x, starts) = our_dtmf(ALL, 50, 50, -7.0, 2.0);
    let mut rx = DtmfRx::with_collect(DtmfCollect::Realtime);
    rx.process_blocks(&to_i16(&x), BLOCK);
    assert_eq!(rx.digits(), ALL);
    let r = rx.reports();
    assert_eq!(r.len(), 2 * ALL.len(), "{r:?}");
    for (i, d) in ALL.chars().enumerate() {
        let (on, off) = (starts[i], starts[i] + ms(50));
        let DtmfReport::Realtime { digit: Some(c), at, level, .. } = r[2 * i] else { panic!("{r:?}") };
        assert!(c == d && at as usize > on && at as usize <= on + ms(40), "{d}: {:?}", r[2 * i]);
        // spandsp's level is the pair's total, in whole dB.
        assert!((-8..=-6).contains(&level), "{:?}", r[2 * i]);
        let DtmfReport::Realtime { digit: None, at, .. } = r[2 * i + 1] else { panic!("{r:?}") };
        assert!(at as usize > off && at as usize <= off + ms(40), "{d}: {:?}", r[2 * i + 1]);
    }
}

#[test]
fn spandsp_dtmf_decoded_by_ours() {
    // Its defaults (50/55, -10 dBm0 per tone), Q.24's shortest timing, low levels.
    for (timing, level) in [(None, None), (Some((40, 40)), None), (None, Some((-30, 2))), (None, Some((-32, 0)))] {
        let x = spandsp_dtmf(ALL, timing, level);
        assert_eq!(we_decode(&to_f32(&x)).0, ALL, "{timing:?} {level:?}");
    }
    let x = spandsp_dtmf("1112223300##", Some((40, 50)), None);
    assert_eq!(we_decode(&to_f32(&x)).0, "1112223300##");
    // Each digit reported while its tone is on, at least 20 ms into it.
    let x = spandsp_dtmf(ALL, None, None);
    let (digits, at) = we_decode(&to_f32(&x));
    assert_eq!(digits, ALL);
    for ((s, e), t) in bursts(&x, 30).into_iter().zip(at) {
        assert!(t >= s + ms(20) && t <= e + ms(5), "tone {s}..{e}, reported at {t}");
    }
}

/// Both receivers accept the high group from 6 dB below to 3 dB above the low group (Q.24 leaves
/// twist to administrations; 8 dB and 4 dB are the usual limits, ours and spandsp's), and both
/// refuse 10 dB below and 6 dB above.
#[test]
fn dtmf_twist_limits_agree() {
    for twist in [-6.0, 0.0, 3.0] {
        let (x, _) = our_dtmf(ALL, 70, 70, -7.0, twist);
        assert_eq!(spandsp_decodes(&to_i16(&x)), ALL, "ours at {twist:+} dB");
        let x = spandsp_dtmf(ALL, None, Some((-10, twist as i32)));
        assert_eq!(we_decode(&to_f32(&x)).0, ALL, "spandsp's at {twist:+} dB");
    }
    for twist in [-10.0, 6.0] {
        let (x, _) = our_dtmf(ALL, 70, 70, -7.0, twist);
        assert_eq!(spandsp_decodes(&to_i16(&x)), "", "ours at {twist:+} dB");
        let x = spandsp_dtmf(ALL, None, Some((-10, twist as i32)));
        assert_eq!(we_decode(&to_f32(&x)).0, "", "spandsp's at {twist:+} dB");
    }
}

/// The line impairments of the brief: 20 dB SNR, G.711 either law, a few Hz of offset, and all of
/// them at once; both directions, ours at 50/50 ms.
#[test]
fn dtmf_through_the_line_both_ways() {
    let codec = |law| Impairments { codec: Some(law), ..Impairments::default() };
    let offset = |hz| Impairments { freq_offset_hz: hz, ..Impairments::default() };
    let all = Impairments { codec: Some(Law::MuLaw), freq_offset_hz: 4.0, gain_db: -6.0, ..Impairments::default() }
        .with_snr(20.0, -7.0);
    let cases = [
        ("20 dB SNR", Impairments::default().with_snr(20.0, -7.0)),
        ("mu-law", codec(Law::MuLaw)),
        ("A-law", codec(Law::ALaw)),
        ("+5 Hz", offset(5.0)),
        ("-5 Hz", offset(-5.0)),
        ("all", all),
    ];
    for (name, imp) in &cases {
        for seed in 0..2 {
            let (x, _) = our_dtmf(ALL, 50, 50, -7.0, 2.0);
            let y = through(imp, seed, &x);
            assert_eq!(spandsp_decodes(&to_i16(&y)), ALL, "ours -> spandsp, {name}, seed {seed}");
            let x = to_f32(&spandsp_dtmf(ALL, None, None));
            let y = through(imp, 10 + seed, &x);
            assert_eq!(we_decode(&y).0, ALL, "spandsp -> ours, {name}, seed {seed}");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Answer tones

/// Each of our answer tones (-13 dBm0, 3.3 s) is reported by spandsp as its own kind, once, with
/// the level it has, and its end within 40 ms.
#[test]
fn our_answer_tones_recognised_by_spandsp() {
    let start = ms(200) as u64;
    let end = start + ms(3300) as u64;
    for kind in KINDS {
        let x = to_i16(&our_answer(kind, -13.0, None, 3300));
        let r = spandsp_hears(spandsp_kind(kind), &x);
        assert_eq!(tones(&r), [spandsp_kind(kind), ConnectTone::None], "{kind:?}: {r:?}");
        // spandsp needs three reversals (1.35 s) for ANS/ and ANSam/, about 0.55 s for ANS and
        // ANSam, 0.42 s for the Bell tone.
        let latest = match kind {
            AnswerTone::AnsPr | AnswerTone::AnsAmPr => ms(1450),
            AnswerTone::Bell2225 => ms(500),
            _ => ms(650),
        };
        let earliest = if kind.reversals() { 3 * ms(450) } else { ms(150) };
        let at = r[0].at - start;
        assert!(at >= earliest as u64 && at <= latest as u64, "{kind:?} recognised after {at} samples");
        // Its level in whole dB: the tone's for the steady ones, about the envelope's peak for
        // ANSam (1.2 times the mean, 1.6 dB up).
        let want = if kind.am() { -11 } else { -13 };
        assert!((r[0].level - want).abs() <= 1, "{kind:?}: {r:?}");
        assert!(r[1].at > end && r[1].at <= end + ms(40) as u64, "{kind:?} end at {}", r[1].at);
    }
}

/// spandsp listens for a family, not a kind: listening for any of the 2100 Hz tones (or CED) it
/// reports whichever it hears, and never takes the Bell tone for one of them, nor the other way
/// round.
#[test]
fn spandsp_reports_what_it_hears_whatever_it_listens_for() {
    let family =
        [ConnectTone::Ans, ConnectTone::AnsPr, ConnectTone::AnsAm, ConnectTone::AnsAmPr, ConnectTone::FaxCedOrPreamble];
    for kind in KINDS {
        let x = to_i16(&our_answer(kind, -13.0, None, 3000));
        for listen in family {
            let r = spandsp_hears(listen, &x);
            let want = if kind == AnswerTone::Bell2225 { vec![] } else { vec![spandsp_kind(kind), ConnectTone::None] };
            assert_eq!(tones(&r), want, "{kind:?} listening for {listen:?}");
        }
        for listen in [ConnectTone::BellAns, ConnectTone::CallingTone, ConnectTone::FaxCng] {
            let r = spandsp_hears(listen, &x);
            let want = if listen == spandsp_kind(kind) { vec![listen, ConnectTone::None] } else { vec![] };
            assert_eq!(tones(&r), want, "{kind:?} listening for {listen:?}");
        }
    }
}

/// Each of spandsp's answer tones is recognised by ours as its kind within 230 ms of its start,
/// its phase reversals found 450 +- 25 ms apart (V.25), its end within 15 ms.
#[test]
fn spandsp_answer_tones_recognised_by_ours() {
    for kind in KINDS {
        let x = spandsp_tone(spandsp_kind(kind), 6.0);
        let (s, e) = bursts(&x, 30)[0];
        let ev = we_hear(&to_f32(&x));
        assert_eq!(kinds(&ev), our_announcements(kind), "{kind:?}: {ev:?}");
        let AnswerEvent::Answer { at, .. } = ev[0] else { panic!("{kind:?}: {ev:?}") };
        assert!(at as usize > s && at as usize <= s + ms(230), "{kind:?} recognised at {at}, tone from {s}");
        let revs: Vec<u64> = ev
            .iter()
            .filter_map(|e| match e {
                AnswerEvent::PhaseReversal { at } => Some(*at),
                _ => None,
            })
            .collect();
        if kind.reversals() {
            assert_eq!(revs.len(), (e - s) / ms(450), "{kind:?}: {ev:?}");
            assert!(revs[0].abs_diff((s + ms(450)) as u64) <= ms(10) as u64, "{kind:?}: {revs:?}");
            for w in revs.windows(2) {
                assert!((w[1] - w[0]).abs_diff(ms(450) as u64) <= ms(25) as u64, "{kind:?}: {revs:?}");
            }
        } else {
            assert!(revs.is_empty(), "{kind:?}: {ev:?}");
        }
        let Some(&AnswerEvent::Ended { kind: k, at }) = ev.last() else { panic!("{kind:?}: {ev:?}") };
        assert_eq!(k, kind);
        assert!(at.abs_diff(e as u64) <= ms(15) as u64, "{kind:?} ended at {at}, tone to {e}");
        assert!(!ev.iter().any(|e| matches!(e, AnswerEvent::CallingTone { .. })), "{kind:?}: {ev:?}");
    }
}

/// Through 20 dB SNR, G.711 and a frequency offset of 10 Hz (15 Hz, V.25's tolerance, for the 2100
/// Hz tones; the Bell tone's detector of ours allows 15 Hz in all), both ways, every kind still
/// comes out as itself. (Only the first report of spandsp's is checked: in noise it reports the
/// end of some tones late or not at all, see `spandsp_is_slow_to_see_some_tones_end_in_noise`.)
#[test]
fn answer_tones_through_the_line_both_ways() {
    for kind in KINDS {
        let far = if kind == AnswerTone::Bell2225 { 10.0 } else { 15.0 };
        let cases = [
            ("20 dB SNR", Impairments::default().with_snr(20.0, -13.0)),
            ("A-law", Impairments { codec: Some(Law::ALaw), ..Impairments::default() }),
            ("+offset", Impairments { freq_offset_hz: far, ..Impairments::default() }),
            (
                "mu-law, -offset, -10 dB, 20 dB SNR",
                Impairments { codec: Some(Law::MuLaw), freq_offset_hz: -far, gain_db: -10.0, ..Impairments::default() }
                    .with_snr(20.0, -13.0),
            ),
        ];
        for (seed, (name, imp)) in cases.iter().enumerate() {
            let x = our_answer(kind, -13.0, None, 3300);
            let y = to_i16(&through(imp, seed as u64, &x));
            let r = spandsp_hears(spandsp_kind(kind), &y);
            assert_eq!(r.first().map(|r| r.tone), Some(spandsp_kind(kind)), "ours {kind:?} -> spandsp, {name}: {r:?}");
            assert!(r.len() <= 2 && r[1..].iter().all(|r| r.tone == ConnectTone::None), "{kind:?}, {name}: {r:?}");
            let x = to_f32(&spandsp_tone(spandsp_kind(kind), 6.0));
            let ev = we_hear(&through(imp, 10 + seed as u64, &x));
            assert_eq!(kinds(&ev), our_announcements(kind), "spandsp's {kind:?} -> ours, {name}: {ev:?}");
        }
    }
}

/// The V.25 calling tone both ways: each of our bursts (0.6 s on, 1.75 s off) is reported by
/// spandsp (0.42 s into it) and its end too; each of spandsp's (0.6 s on, 2 s off) by ours at its
/// end, with its length.
#[test]
fn calling_tone_both_ways() {
    let mut g = CallingToneGenerator::new(-13.0);
    let mut x = vec![0.0; ms(7000)];
    g.process(&mut x);
    let r = spandsp_hears(ConnectTone::CallingTone, &to_i16(&x));
    assert_eq!(r.len(), 6, "{r:?}");
    for (i, pair) in r.chunks(2).enumerate() {
        let burst = i * ms(2350);
        assert_eq!(tones(pair), [ConnectTone::CallingTone, ConnectTone::None], "{r:?}");
        assert!((pair[0].at as usize).abs_diff(burst + ms(420)) <= ms(20), "{r:?}");
        assert!(pair[1].at as usize > burst + ms(600) && (pair[1].at as usize) <= burst + ms(640), "{r:?}");
    }
    let x = to_f32(&spandsp_tone(ConnectTone::CallingTone, 7.0));
    let ev = we_hear(&x);
    assert_eq!(ev.len(), 3, "{ev:?}");
    for (i, e) in ev.iter().enumerate() {
        let AnswerEvent::CallingTone { at, duration } = *e else { panic!("{ev:?}") };
        assert!((at as usize).abs_diff(i * ms(2600) + ms(600)) <= ms(5), "{ev:?}");
        assert!((duration as usize).abs_diff(ms(600)) <= ms(10), "{ev:?}");
    }
    // Through the line as well.
    let imp =
        Impairments { codec: Some(Law::MuLaw), freq_offset_hz: 7.0, ..Impairments::default() }.with_snr(20.0, -13.0);
    assert_eq!(we_hear(&through(&imp, 3, &x)).len(), 3);
    let mut g = CallingToneGenerator::new(-13.0);
    let mut x = vec![0.0; ms(7000)];
    g.process(&mut x);
    let r = spandsp_hears(ConnectTone::CallingTone, &to_i16(&through(&imp, 4, &x)));
    assert_eq!(tones(&r).iter().filter(|&&t| t == ConnectTone::CallingTone).count(), 3, "{r:?}");
}

/// Where spandsp's detectors are looser than ours, measured so that a change shows: it takes a
/// steady 1300 Hz (V.23's mark) for the calling tone, which ours refuses (V.25: 0.5 to 0.7 s), and
/// 2100 and 2225 Hz tones 50 Hz off (V.25: the tone is within 15 Hz), which ours refuses too.
#[test]
fn where_spandsp_is_looser_than_ours() {
    let mut g = ProgressToneGenerator::from_spec(ToneSpec { freqs: [1300.0, 0.0], on_ms: 3000, off_ms: 1000 }, -13.0);
    let mut x = vec![0.0; ms(4000)];
    g.process(&mut x);
    let r = spandsp_hears(ConnectTone::CallingTone, &to_i16(&x));
    assert_eq!(tones(&r), [ConnectTone::CallingTone, ConnectTone::None], "spandsp changed: {r:?}");
    assert!(we_hear(&x).is_empty());
    for kind in [AnswerTone::Ans, AnswerTone::Bell2225] {
        for d in [-50.0, 50.0] {
            let x = our_answer(kind, -13.0, Some(kind.freq() + d), 3000);
            let r = spandsp_hears(spandsp_kind(kind), &to_i16(&x));
            assert_eq!(tones(&r), [spandsp_kind(kind), ConnectTone::None], "spandsp changed: {kind:?} {d:+} Hz");
            assert!(we_hear(&x).is_empty(), "{kind:?} {d:+} Hz");
        }
        // ... but not 80 Hz off.
        let x = our_answer(kind, -13.0, Some(kind.freq() + 80.0), 3000);
        assert!(spandsp_hears(spandsp_kind(kind), &to_i16(&x)).is_empty(), "{kind:?} +80 Hz");
    }
}

/// In noise, spandsp's detector is slow to report that ANS/, ANSam and ANSam/ have ended, or never
/// does: measured at 20 dB SNR with noise going on after the tone, ANS and the Bell tone are
/// reported ended within 20 ms, ANS/ and ANSam/ about 0.33 s late, ANSam not within 2 s. Its own
/// tones fare no better than ours, so this is its detector, not our signals.
#[test]
fn spandsp_is_slow_to_see_some_tones_end_in_noise() {
    let imp = Impairments::default().with_snr(20.0, -13.0);
    for kind in KINDS {
        // Ours, 3.3 s long, and spandsp's own, each followed by 2 s of noise alone.
        let mut ours = our_answer(kind, -13.0, None, 3300);
        ours.extend(std::iter::repeat_n(0.0, ms(2000)));
        let ours_end = ms(200 + 3300);
        let theirs = spandsp_tone(spandsp_kind(kind), 8.0);
        let theirs_end = bursts(&theirs, 30)[0].1;
        for (who, x, end) in [("ours", ours, ours_end), ("spandsp's", to_f32(&theirs), theirs_end)] {
            let r = spandsp_hears(spandsp_kind(kind), &to_i16(&through(&imp, 5, &x)));
            assert_eq!(r[0].tone, spandsp_kind(kind), "{who} {kind:?}: {r:?}");
            let late = r.get(1).map(|r| r.at as i64 - end as i64);
            match kind {
                AnswerTone::Ans | AnswerTone::Bell2225 => {
                    assert!(late.is_some_and(|l| l > 0 && l <= ms(20) as i64), "{who} {kind:?}: {r:?}")
                }
                AnswerTone::AnsPr | AnswerTone::AnsAmPr => {
                    assert!(late.is_some_and(|l| l > ms(250) as i64 && l <= ms(450) as i64), "{who} {kind:?}: {r:?}")
                }
                AnswerTone::AnsAm => assert_eq!(late, None, "spandsp changed: {who} {kind:?}: {r:?}"),
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Negatives

/// DTMF is no answer or calling tone, and an answer or calling tone is no digit, to either side:
/// spandsp's DTMF (short and held for a second) leaves our answer tone detector and spandsp's own
/// connect tone detector silent, ours leaves spandsp's connect tone detector silent; spandsp's
/// connect tones (the fax CNG at 1100 Hz included) give neither DTMF receiver a digit, nor ours an
/// event for CNG.
#[test]
fn detectors_stay_silent_on_the_other_kind_of_tone() {
    let digits = "0123456789*#ABCD0123456789*#ABCD";
    let short = spandsp_dtmf(digits, None, None);
    let held = spandsp_dtmf("2580ABCD", Some((1000, 100)), None);
    for x in [&short, &held] {
        let ev = we_hear(&to_f32(x));
        assert!(ev.is_empty(), "{ev:?}");
    }
    let (ours_short, _) = our_dtmf(digits, 70, 70, -7.0, 2.0);
    let (ours_held, _) = our_dtmf("2580ABCD", 1000, 100, -7.0, 2.0);
    for listen in [ConnectTone::Ans, ConnectTone::BellAns, ConnectTone::CallingTone, ConnectTone::FaxCng] {
        for (name, x) in [("ours", to_i16(&ours_short)), ("ours held", to_i16(&ours_held))] {
            let r = spandsp_hears(listen, &x);
            assert!(r.is_empty(), "{name} DTMF -> spandsp {listen:?}: {r:?}");
        }
        let r = spandsp_hears(listen, &held);
        assert!(r.is_empty(), "spandsp's held DTMF -> spandsp {listen:?}: {r:?}");
    }
    for tone in [
        ConnectTone::Ans,
        ConnectTone::AnsPr,
        ConnectTone::AnsAm,
        ConnectTone::AnsAmPr,
        ConnectTone::BellAns,
        ConnectTone::CallingTone,
        ConnectTone::FaxCng,
    ] {
        let x = spandsp_tone(tone, 7.0);
        assert_eq!(spandsp_decodes(&x), "", "{tone:?}");
        assert_eq!(we_decode(&to_f32(&x)).0, "", "{tone:?}");
    }
    let ev = we_hear(&to_f32(&spandsp_tone(ConnectTone::FaxCng, 7.0)));
    assert!(ev.is_empty(), "CNG: {ev:?}");
    for kind in KINDS {
        let x = to_i16(&our_answer(kind, -13.0, None, 3000));
        assert_eq!(spandsp_decodes(&x), "", "{kind:?}");
    }
    let mut g = CallingToneGenerator::new(-13.0);
    let mut x = vec![0.0; ms(5000)];
    g.process(&mut x);
    assert_eq!(spandsp_decodes(&to_i16(&x)), "");
}
