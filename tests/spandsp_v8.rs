//! V.8 against spandsp's (Debian libspandsp 0.0.6, through the FFI in `peers/spandsp/src/v8.rs`).
//!
//! Two kinds of test:
//! - **measurements** of spandsp as a black box, which pin down the facts `src/v8/` is built on
//!   (`docs/notes/v8.md` marks them [M]): spandsp's own caller and answerer run back to back, their
//!   V.21 signals demodulated with *our* receiver and compared bit for bit with what our framing
//!   emits; the timings measured on their output;
//! - **interop**: our [`Caller`] against spandsp's answerer and spandsp's caller against our
//!   [`Answerer`], on a clean line and through noise and frequency offsets, both ends agreeing on
//!   the mode (V.22 bis when both offer it, V.21 when one does not).
//!
//! spandsp leaves the choice of mode to its application: its result lists the modes of the joint
//! menu. The tests choose for it as ours does, the best of those that spandsp itself offered.
#![cfg(not(target_arch = "wasm32"))]

use softmodem::bits::BitSink;
use softmodem::fsk::{self, ChannelSpec, Receiver};
use softmodem::sim::line::{Direction, Impairments};
use softmodem::v8::framing::{Received, Sequence, SequenceReceiver, SequenceSender, Sync};
use softmodem::v8::{answer, call, Answerer, Caller, Event, Failure, Menu, Modulation, Modulations};
use spandsp_peer::v8::{self as sp, V8Offer, V8Role, V8Status, V8};

const BLOCK: usize = 160;

// ---------------------------------------------------------------------------------------------
// Helpers

/// spandsp's `V8_MOD_*` bit for each of our modes.
const SP_BITS: [(Modulations, u32); 12] = [
    (Modulations::V17, sp::V8_MOD_V17),
    (Modulations::V21, sp::V8_MOD_V21),
    (Modulations::V22BIS, sp::V8_MOD_V22),
    (Modulations::V23_HALF_DUPLEX, sp::V8_MOD_V23HDX),
    (Modulations::V23, sp::V8_MOD_V23),
    (Modulations::V26BIS, sp::V8_MOD_V26BIS),
    (Modulations::V26TER, sp::V8_MOD_V26TER),
    (Modulations::V27TER, sp::V8_MOD_V27TER),
    (Modulations::V29, sp::V8_MOD_V29),
    (Modulations::V32BIS, sp::V8_MOD_V32),
    (Modulations::V34_HALF_DUPLEX, sp::V8_MOD_V34HDX),
    (Modulations::V34, sp::V8_MOD_V34),
];

fn to_sp(m: Modulations) -> u32 {
    SP_BITS.iter().filter(|(ours, _)| m.contains(*ours)).fold(0, |a, (_, b)| a | b)
}

fn from_sp(bits: u32) -> Modulations {
    SP_BITS.iter().filter(|(_, b)| bits & b != 0).fold(Modulations::NONE, |a, (ours, _)| a | *ours)
}

fn to_f32(x: &[i16]) -> Vec<f32> {
    x.iter().map(|&v| v as f32 / 32768.0).collect()
}

fn to_i16(x: &[f32]) -> Vec<i16> {
    x.iter().map(|&v| softmodem::dsp::to_i16(v)).collect()
}

/// A spandsp end offering `mods`. An answerer's joint menu is the AND of the CM and its offer (the
/// wrapper sees to that; spandsp 0.0.6 echoes the CM otherwise, see
/// `spandsp_answerer_echoes_cm_unless_told`).
fn spandsp(role: V8Role, mods: Modulations) -> V8 {
    V8::new(role, V8Offer::data(to_sp(mods)))
}

/// The mode a spandsp end ends up with: the best one of its result that it offered itself.
fn spandsp_choice(v: &V8, offered: Modulations) -> Option<Modulation> {
    v.negotiated().and_then(|r| (from_sp(r.parms.modulations) & offered).best())
}

/// Bits from a receiver with the sample each came at.
#[derive(Default)]
struct Timed {
    now: u64,
    seq: SequenceReceiver,
    items: Vec<(u64, Received)>,
    bits: Vec<u8>,
}

impl BitSink for Timed {
    fn put_bit(&mut self, bit: u8, soft: f32) {
        self.bits.push(bit);
        self.seq.put_bit(bit, soft);
        while let Some(r) = self.seq.poll() {
            self.items.push((self.now, r));
        }
    }
    fn wants_resync(&self) -> bool {
        self.seq.wants_resync()
    }
    fn carrier(&mut self, on: bool) {
        self.seq.carrier(on);
    }
}

/// What our receiver makes of `x` on `spec`: the raw bits and the sequences with their times.
fn demodulate(spec: ChannelSpec, x: &[i16]) -> Timed {
    let mut rx = Receiver::new(spec);
    let mut t = Timed::default();
    for (k, c) in to_f32(x).chunks(8).enumerate() {
        t.now = (k * 8) as u64;
        rx.process(c, &mut t);
    }
    t
}

/// The first sample of each stretch of signal louder than about -50 dBm0, in 5 ms steps, with
/// where it ends: (start, end) in samples.
fn bursts(x: &[i16]) -> Vec<(usize, usize)> {
    let mut out = vec![];
    let mut cur: Option<usize> = None;
    for (i, w) in x.chunks(40).enumerate() {
        let loud = w.iter().any(|&v| v.abs() > 30);
        match (loud, cur) {
            (true, None) => cur = Some(i * 40),
            (false, Some(s)) => {
                out.push((s, i * 40));
                cur = None;
            }
            _ => {}
        }
    }
    if let Some(s) = cur {
        out.push((s, x.len()));
    }
    out
}

fn menu_octets(m: &Menu) -> Vec<u8> {
    let mut buf = [0u8; 16];
    let n = m.emit(&mut buf);
    buf[..n].to_vec()
}

/// spandsp's caller and answerer back to back for `secs`; returns what each sent.
fn spandsp_pair(c: &mut V8, a: &mut V8, secs: f32) -> (Vec<i16>, Vec<i16>) {
    let (mut ctx, mut atx) = (vec![], vec![]);
    let (mut cb, mut ab) = (vec![0i16; BLOCK], vec![0i16; BLOCK]);
    for _ in 0..(secs * 50.0) as usize {
        c.tx(&mut cb);
        a.tx(&mut ab);
        c.rx(&ab);
        a.rx(&cb);
        ctx.extend_from_slice(&cb);
        atx.extend_from_slice(&ab);
    }
    (ctx, atx)
}

// ---------------------------------------------------------------------------------------------
// Measurements of spandsp

#[test]
fn spandsp_cm_jm_and_cj_are_our_framing_bit_for_bit() {
    let caller_offer = Modulations::V22BIS | Modulations::V21 | Modulations::V23 | Modulations::V34;
    let answer_offer = Modulations::V22BIS | Modulations::V21;
    let mut c = spandsp(V8Role::Calling, caller_offer);
    let mut a = spandsp(V8Role::Answering, answer_offer);
    let (ctx, atx) = spandsp_pair(&mut c, &mut a, 6.0);

    // The caller's line signal: our receiver finds two V.92 sequences, then CM, CM, ..., CJ.
    let cm = Menu::data(caller_offer);
    let heard = demodulate(fsk::V21_CH1, &ctx);
    let items: Vec<Received> = heard.items.iter().map(|i| i.1).collect();
    let v92 = Received::Sequence(Sequence::new(Sync::V92, &[0x00]));
    let cm_seq = Received::Sequence(Sequence::new(Sync::CmJm, &menu_octets(&cm)));
    assert_eq!(items[..2], [v92, v92], "{items:?}");
    assert!(items[2..items.len() - 1].iter().all(|i| *i == cm_seq), "{items:?}");
    assert!(items.len() >= 6, "{items:?}");
    assert_eq!(items.last(), Some(&Received::Cj));
    assert_eq!(menu_octets(&cm), [0xC1, 0x45, 0x12, 0x94]);

    // Bit for bit: two whole CM sequences as our sender makes them, back to back.
    let mut ours = SequenceSender::new(Sync::CmJm, &menu_octets(&cm));
    let two: Vec<u8> = (0..120).map(|_| softmodem::bits::BitSource::next_bit(&mut ours)).collect();
    assert!(heard.bits.windows(two.len()).any(|w| w == two), "spandsp's CM bits differ from ours");
    // CJ: three framed zero octets straight after a CM octet (no preamble).
    let cj_bits: Vec<u8> = [0u8, 0, 0, 0, 0, 0, 0, 0, 0, 1].repeat(3);
    let end = heard.bits.windows(30).rposition(|w| w == cj_bits).expect("no CJ bits");
    assert_eq!(heard.bits[end - 1], 1, "a stop bit before CJ");
    assert_eq!(heard.bits[end - 10], 0, "a start bit 10 bits before CJ (an octet, not a preamble)");

    // The answerer's JM: the AND of the CM and its offer, framed the same way.
    let jm = cm.joint(&Menu::data(answer_offer));
    let heard = demodulate(fsk::V21_CH2, &atx);
    let jm_seq = Received::Sequence(Sequence::new(Sync::CmJm, &menu_octets(&jm)));
    let jms = heard.items.iter().filter(|i| i.1 == jm_seq).count();
    assert!(jms >= 2, "{:?}", heard.items);
    assert!(heard.items.iter().all(|i| i.1 == jm_seq), "{:?}", heard.items);
    assert_eq!(menu_octets(&jm), [0xC1, 0x05, 0x12, 0x90]);

    // Both report success with the joint menu's modes.
    assert_eq!(spandsp_choice(&c, caller_offer), Some(Modulation::V22bis));
    assert_eq!(spandsp_choice(&a, answer_offer), Some(Modulation::V22bis));
    assert_eq!(from_sp(a.negotiated().unwrap().parms.modulations), jm.modulations);
}

#[test]
fn spandsp_sends_each_mode_in_the_bit_we_use() {
    for (ours, bit) in SP_BITS {
        let mut c = V8::new(V8Role::Calling, V8Offer::data(bit));
        let mut a = V8::new(V8Role::Answering, V8Offer::data(bit));
        let (ctx, _) = spandsp_pair(&mut c, &mut a, 4.0);
        let heard = demodulate(fsk::V21_CH1, &ctx);
        let Some(Received::Sequence(s)) =
            heard.items.iter().map(|i| i.1).find(|i| matches!(i, Received::Sequence(s) if s.sync == Sync::CmJm))
        else {
            panic!("no CM for {ours:?}: {:?}", heard.items)
        };
        let menu = Menu::parse(s.octets()).unwrap();
        if ours == Modulations::V34_HALF_DUPLEX {
            // spandsp 0.0.6 has no bit for it in what it sends (it parses ours, see below).
            assert_eq!(menu.modulations, Modulations::NONE, "{:x?}", s.octets());
        } else {
            assert_eq!(menu.modulations, ours, "{:x?}", s.octets());
        }
    }
}

/// Plays our own channel-1 signal into spandsp's answerer: `sync` and `octets` repeated from 1 s,
/// CJ after `cj_at` seconds if given. Returns the answerer and what it sent.
fn into_spandsp_answerer(sync: Sync, octets: &[u8], cj_at: Option<f32>, secs: f32) -> (V8, Vec<i16>) {
    let mut a = V8::new(V8Role::Answering, V8Offer::data(0x3FFF));
    let mut s = SequenceSender::new(sync, octets);
    let mut tx = fsk::Transmitter::new(fsk::V21_CH1, -13.0);
    tx.set_carrier(false);
    let (mut atx, mut ab, mut ours) = (vec![], vec![0i16; BLOCK], vec![0f32; BLOCK]);
    for k in 0..(secs * 50.0) as usize {
        let t = k as f32 / 50.0;
        if t >= 1.0 && !s.is_finished() {
            tx.set_carrier(true);
        }
        if cj_at.is_some_and(|c| t >= c) {
            s.send_cj();
        }
        if s.is_finished() {
            tx.set_carrier(false);
        }
        tx.process(&mut ours, &mut s);
        a.tx(&mut ab);
        a.rx(&to_i16(&ours));
        atx.extend_from_slice(&ab);
    }
    (a, atx)
}

#[test]
fn spandsp_parses_every_bit_of_our_menus() {
    // Every information bit of the three modulation octets: spandsp reads V.34 half-duplex from
    // modn0 b7 (which it never sends) and its V.90 from b5, which we keep but do not name.
    let all = Menu::data(Modulations::from_bits(0x1FFF));
    let (a, _) = into_spandsp_answerer(Sync::CmJm, &menu_octets(&all), None, 3.0);
    let offered = a.results().iter().find(|r| r.status == V8Status::V8Offered).expect("no CM recognised");
    assert_eq!(offered.parms.modulations, 0x1FFF);
    for (ours, bit) in SP_BITS {
        let (a, _) = into_spandsp_answerer(Sync::CmJm, &menu_octets(&Menu::data(ours)), None, 3.0);
        let r = a.results().first().copied().unwrap_or_else(|| panic!("{ours:?}: no CM recognised"));
        assert_eq!((r.status, r.parms.modulations), (V8Status::V8Offered, bit), "{ours:?}");
    }
    // A menu with an unknown category (and its extension octet) first, and a protocols octet.
    let (a, atx) = into_spandsp_answerer(Sync::CmJm, &[0xC1, 0x1B, 0x97, 0x05, 0x12, 0x90, 0x2A], Some(3.5), 5.0);
    let r = a.results()[0];
    assert_eq!(from_sp(r.parms.modulations), Modulations::V22BIS | Modulations::V21);
    assert_eq!(r.parms.protocol, sp::V8_PROTOCOL_LAPM_V42);
    // Our CJ, sent at an arbitrary point of a CM, ends it.
    assert_eq!(a.negotiated().map(|r| r.status), Some(V8Status::V8Call));
    // It answered with the CM's content (its offer was everything): our parser agrees.
    let heard = demodulate(fsk::V21_CH2, &atx);
    let Some((_, Received::Sequence(jm))) = heard.items.first() else { panic!("{:?}", heard.items) };
    let jm = Menu::parse(jm.octets()).unwrap();
    assert_eq!(jm.modulations, Modulations::V22BIS | Modulations::V21);
}

#[test]
fn spandsp_reads_our_ci() {
    // spandsp's answerer decodes CI sent with the synchronisation octet 0x00 (it logs each one).
    for (cf, want) in [(0xC1u8, "CI:  c1"), (0x81, "CI:  81")] {
        let mut a = V8::new(V8Role::Answering, V8Offer::data(0x3FFF));
        a.set_log_level(spandsp_peer::ffi::SPAN_LOG_FLOW, "A");
        a.capture_log();
        let mut s = SequenceSender::new(Sync::Ci, &[cf]);
        let mut tx = fsk::Transmitter::new(fsk::V21_CH1, -13.0);
        let (mut ab, mut ours) = (vec![0i16; BLOCK], vec![0f32; BLOCK]);
        for _ in 0..100 {
            tx.process(&mut ours, &mut s);
            a.tx(&mut ab);
            a.rx(&to_i16(&ours));
        }
        let lines = sp::take_v8_log();
        let cis = lines.iter().filter(|l| l.text.contains(want)).count();
        // 30 bits a CI, 2 s of it: 20, less the first while spandsp's receiver starts.
        assert!(cis >= 15, "{cf:#x}: {cis} CIs decoded: {lines:?}");
        // CI does not start V.8 on its own.
        assert!(a.results().is_empty(), "{:?}", a.results());
    }
}

#[test]
fn spandsp_timings() {
    let flow = spandsp_peer::ffi::SPAN_LOG_FLOW;
    // An answerer alone: 200 ms of silence, ANSam for 5 s, then it gives up.
    let mut a = V8::new(V8Role::Answering, V8Offer::data(sp::V8_MOD_V22));
    let (mut atx, mut b, z) = (vec![], vec![0i16; BLOCK], vec![0i16; BLOCK]);
    for _ in 0..(7 * 50) {
        a.tx(&mut b);
        a.rx(&z);
        atx.extend_from_slice(&b);
    }
    let on = bursts(&atx);
    assert_eq!(on.len(), 1, "{on:?}");
    println!("answerer alone: ANSam from sample {} to {} (5 ms steps)", on[0].0, on[0].1);
    assert!((1600..=1640).contains(&on[0].0), "{on:?}");
    assert!((41_400..=41_800).contains(&on[0].1), "{on:?}");
    assert_eq!(a.results().last().map(|r| r.status), Some(V8Status::Failed));

    // A pair: the caller's first V.21 is 1 s after it logs ANSam recognised; the answerer stops
    // ANSam on the second identical CM and starts JM 75-85 ms later; both stop right after CJ.
    let mut c = V8::new(V8Role::Calling, V8Offer::data(sp::V8_MOD_V22));
    let mut a = spandsp(V8Role::Answering, Modulations::V22BIS);
    c.set_log_level(flow, "C");
    c.capture_log();
    let (ctx, atx) = spandsp_pair(&mut c, &mut a, 6.0);
    let log = sp::take_v8_log();
    let recognised = log.iter().find(|l| l.text.contains("ANSam")).expect("no ANSam in the log").at as usize;
    let c_on = bursts(&ctx);
    assert_eq!(c_on.len(), 1, "{c_on:?}");
    let te = c_on[0].0 as i64 - recognised as i64;
    assert!((7_800..=8_200).contains(&te), "CM {te} samples after ANSam recognised");
    let a_on = bursts(&atx);
    assert_eq!(a_on.len(), 2, "ANSam then JM: {a_on:?}");
    let gap = a_on[1].0 - a_on[0].1;
    println!("caller: ANSam recognised at {recognised}, V.21 from {:?}; answerer: {a_on:?}, gap {gap}", c_on[0]);
    assert!((560..=720).contains(&gap), "{gap} samples between ANSam and JM");
    // The caller's CM sequences repeat every 60 bits (200 ms).
    let heard = demodulate(fsk::V21_CH1, &ctx);
    let cms: Vec<u64> = heard
        .items
        .iter()
        .filter(|i| matches!(i.1, Received::Sequence(s) if s.sync == Sync::CmJm))
        .map(|i| i.0)
        .collect();
    assert!(cms.windows(2).all(|w| w[1] - w[0] == 1600), "{cms:?}");
    // JM starts after the second CM has ended (two identical ones heard).
    assert!(a_on[1].0 as u64 > cms[1], "{a_on:?} {cms:?}");
    assert!(c_on[0].1.abs_diff(a_on[1].1) < 400, "{c_on:?} {a_on:?}");
}

#[test]
fn spandsp_answerer_echoes_cm_unless_told() {
    // spandsp 0.0.6 builds JM from the result its handler got with V8_STATUS_V8_OFFERED: left
    // alone, that is the CM itself, whatever the answerer offered.
    let mut c = V8::new(V8Role::Calling, V8Offer::data(sp::V8_MOD_V22 | sp::V8_MOD_V21));
    let mut a = V8::new(V8Role::Answering, V8Offer::data(sp::V8_MOD_V21));
    a.echo_call_menu();
    let (_, atx) = spandsp_pair(&mut c, &mut a, 6.0);
    let heard = demodulate(fsk::V21_CH2, &atx);
    let Some((_, Received::Sequence(jm))) = heard.items.first() else { panic!("{:?}", heard.items) };
    assert_eq!(Menu::parse(jm.octets()).unwrap().modulations, Modulations::V22BIS | Modulations::V21);
}

// ---------------------------------------------------------------------------------------------
// Interop

struct Outcome {
    ours: Vec<Event>,
    spandsp: Vec<sp::V8Result>,
    spandsp_choice: Option<Modulation>,
}

/// Our end (`caller` true: our Caller against spandsp's answerer) offering `ours`, spandsp offering
/// `theirs`, through `imp` both ways (noise seeded by `seed`), for `secs`. spandsp starts `lead`
/// samples after us, and what it sends reaches us `lead` samples late too (a round trip of twice
/// that). Set `V8LOG` in the environment to see spandsp's log.
#[allow(clippy::too_many_arguments)]
fn interop_lead(
    caller: bool,
    ours: Modulations,
    theirs: Modulations,
    imp: &Impairments,
    seed: u64,
    lead: usize,
    secs: f32,
) -> Outcome {
    let role = if caller { V8Role::Answering } else { V8Role::Calling };
    let mut sp = spandsp(role, theirs);
    if std::env::var("V8LOG").is_ok() {
        sp.set_log_level(spandsp_peer::ffi::SPAN_LOG_FLOW, "sp");
    }
    let mut our_caller =
        caller.then(|| Caller::new(call::Config { modulations: ours, detect_answer_tone: true, ..Default::default() }));
    let mut our_answerer = (!caller).then(|| Answerer::new(answer::Config { modulations: ours, ..Default::default() }));
    let mut to_sp = Direction::new(imp.clone(), 2 * seed + 1);
    let mut to_us = Direction::new(imp.clone(), 2 * seed + 2);
    sp.rx(&vec![0i16; lead]);
    let mut delay = std::collections::VecDeque::from(vec![0.0f32; lead]);
    let (mut our_out, mut sp_out, mut heard_by_us, mut heard_by_sp) =
        (vec![0.0f32; BLOCK], vec![0.0f32; BLOCK], vec![0.0f32; BLOCK], vec![0.0f32; BLOCK]);
    let mut sp16 = vec![0i16; BLOCK];
    let mut events = vec![];
    for _ in 0..(secs * 50.0) as usize {
        to_us.process(&sp_out, &mut heard_by_us);
        to_sp.process(&our_out, &mut heard_by_sp);
        if let Some(c) = our_caller.as_mut() {
            c.process(&heard_by_us, &mut our_out);
            while let Some(e) = c.poll_event() {
                events.push(e);
            }
        }
        if let Some(a) = our_answerer.as_mut() {
            a.process(&heard_by_us, &mut our_out);
            while let Some(e) = a.poll_event() {
                events.push(e);
            }
        }
        sp.rx(&to_i16(&heard_by_sp));
        sp.tx(&mut sp16);
        delay.extend(to_f32(&sp16));
        sp_out.iter_mut().for_each(|v| *v = delay.pop_front().unwrap_or(0.0));
    }
    Outcome { ours: events, spandsp: sp.results().to_vec(), spandsp_choice: spandsp_choice(&sp, theirs) }
}

/// As [`interop_lead`], spandsp starting a little after us, a different amount each seed.
fn interop(caller: bool, ours: Modulations, theirs: Modulations, imp: &Impairments, seed: u64, secs: f32) -> Outcome {
    interop_lead(caller, ours, theirs, imp, seed, (seed as usize % 7) * 23, secs)
}

/// The offers and the mode both ends must agree on.
const MATRIX: [(Modulations, Modulations, Modulation); 4] = [
    (Modulations::IMPLEMENTED, Modulations::V22BIS.union(Modulations::V21), Modulation::V22bis),
    (Modulations::V21, Modulations::V22BIS.union(Modulations::V21), Modulation::V21),
    (Modulations::IMPLEMENTED, Modulations::V21, Modulation::V21),
    (
        Modulations::V22BIS.union(Modulations::V21),
        Modulations::V22BIS.union(Modulations::V21).union(Modulations::V34),
        Modulation::V22bis,
    ),
];

fn check(label: &str, o: &Outcome, want: Modulation) {
    assert_eq!(o.ours.last(), Some(&Event::Negotiated { modulation: want }), "{label}: ours {:?}", o.ours);
    assert_eq!(
        o.ours.iter().filter(|e| matches!(e, Event::Negotiated { .. } | Event::Failed(_) | Event::NoMenu)).count(),
        1,
        "{label}: {:?}",
        o.ours
    );
    assert_eq!(o.spandsp_choice, Some(want), "{label}: spandsp {:?}", o.spandsp);
}

fn impairments() -> Vec<(&'static str, Impairments)> {
    vec![
        ("clean", Impairments::default()),
        ("20 dB SNR", Impairments::default().with_snr(20.0, -13.0)),
        ("+5 Hz", Impairments { freq_offset_hz: 5.0, ..Default::default() }),
        (
            "20 dB SNR, -5 Hz, telephone band",
            Impairments { freq_offset_hz: -5.0, band: softmodem::sim::line::Band::Telephone, ..Default::default() }
                .with_snr(20.0, -13.0),
        ),
    ]
}

#[test]
fn our_caller_against_spandsps_answerer() {
    for (name, imp) in impairments() {
        for (ours, theirs, want) in MATRIX {
            for seed in 1..=2 {
                let o = interop(true, ours, theirs, &imp, seed, 7.0);
                let label = format!("{name}, our caller {ours:?} vs spandsp {theirs:?}, seed {seed}");
                check(&label, &o, want);
            }
        }
    }
}

#[test]
fn spandsps_caller_against_our_answerer() {
    for (name, imp) in impairments() {
        for (ours, theirs, want) in MATRIX {
            for seed in 1..=2 {
                let o = interop(false, ours, theirs, &imp, seed, 7.0);
                let label = format!("{name}, our answerer {ours:?} vs spandsp {theirs:?}, seed {seed}");
                check(&label, &o, want);
                // spandsp's caller reports the outcome once.
                assert_eq!(o.spandsp.iter().filter(|r| r.status == V8Status::V8Call).count(), 1, "{label}");
            }
        }
    }
}

#[test]
fn no_common_mode_is_a_failure_on_both_sides() {
    // spandsp offers V.34 only (which we cannot run): JM leaves nothing we implement.
    let o = interop(true, Modulations::IMPLEMENTED, Modulations::V34, &Impairments::default(), 1, 7.0);
    assert_eq!(o.ours.last(), Some(&Event::Failed(Failure::NoCommonModulation)), "{:?}", o.ours);
    assert_eq!(o.spandsp_choice, None);
    let o = interop(false, Modulations::IMPLEMENTED, Modulations::V34, &Impairments::default(), 1, 7.0);
    assert_eq!(o.ours.last(), Some(&Event::Failed(Failure::NoCommonModulation)), "{:?}", o.ours);
    assert_eq!(o.spandsp_choice, None, "{:?}", o.spandsp);
}

#[test]
fn legacy_answer_tones_mean_no_v8_on_both_sides() {
    // Our answerer sending plain ANS with reversals: spandsp's caller calls it a non-V.8 call, and
    // our answerer, hearing no CM, reports NoMenu when its tone ends.
    let mut c = V8::new(V8Role::Calling, V8Offer::data(sp::V8_MOD_V22));
    let mut a =
        Answerer::new(answer::Config { answer_tone: softmodem::tones::AnswerTone::AnsPr, ..Default::default() });
    let (mut ab, mut cb16) = (vec![0.0f32; BLOCK], vec![0i16; BLOCK]);
    let mut events = vec![];
    for _ in 0..(6 * 50) {
        a.process(&to_f32(&cb16), &mut ab);
        c.rx(&to_i16(&ab));
        c.tx(&mut cb16);
        while let Some(e) = a.poll_event() {
            events.push(e);
        }
    }
    assert_eq!(c.results().first().map(|r| r.status), Some(V8Status::NonV8Call), "{:?}", c.results());
    assert_eq!(events, vec![Event::NoMenu]);

    // spandsp answering with plain ANS: our caller (with its own detector) reports NoMenu when the
    // tone ends, and never sends CM.
    let mut offer = V8Offer::data(sp::V8_MOD_V22);
    offer.modem_connect_tone = sp::MODEM_CONNECT_TONES_ANS_PR;
    let mut a = V8::new(V8Role::Answering, offer);
    let mut c = Caller::new(call::Config { detect_answer_tone: true, ..Default::default() });
    let (mut a16, mut cb) = (vec![0i16; BLOCK], vec![0.0f32; BLOCK]);
    let mut events = vec![];
    let mut sent = 0.0f32;
    for _ in 0..(6 * 50) {
        a.tx(&mut a16);
        c.process(&to_f32(&a16), &mut cb);
        a.rx(&to_i16(&cb));
        sent += cb.iter().map(|v| v * v).sum::<f32>();
        while let Some(e) = c.poll_event() {
            events.push(e);
        }
    }
    assert_eq!(events, vec![Event::NoMenu]);
    assert_eq!(sent, 0.0);
}

#[test]
fn our_cj_is_recognised_wherever_jm_lands_in_our_cm() {
    // Round-trip delays of 0 to 200 ms in 40 steps move the moment our caller has JM through
    // every part of its 200 ms CM sequence, preamble included (where CJ after a whole preamble
    // would be taken for CI: see `CJ_MAX_LEAD_ONES`).
    for k in 0..40 {
        let lead = k * 20 + 3;
        let o = interop_lead(
            true,
            Modulations::IMPLEMENTED,
            Modulations::V22BIS,
            &Impairments::default(),
            k as u64,
            lead,
            7.0,
        );
        check(&format!("{lead} samples each way"), &o, Modulation::V22bis);
    }
}
