//! Interop with spandsp's V.22bis (Debian libspandsp, through FFI): our modem against a real peer,
//! both roles, both rates.
#![cfg(not(target_arch = "wasm32"))]

use softmodem::modem::{Config, Event, Modem};
use softmodem::sim::line::{Direction, Impairments};
use softmodem::types::{Family, Role};
use spandsp_peer::async_serial::{AsyncRx, AsyncTx};
use spandsp_peer::v22bis::{GuardTone as SpGuard, Role as SpRole, V22bis};
use std::cell::Cell;

thread_local! {
    /// The guard tone a spandsp answerer sends in this test thread's calls.
    static SP_GUARD: Cell<SpGuard> = const { Cell::new(SpGuard::None) };
}

struct Outcome {
    ours_got: Vec<u8>,
    theirs_got: Vec<u8>,
    events: Vec<Event>,
    spandsp_rate: i32,
}

/// Our modem in `role` (family `family`) against spandsp at `sp_rate`, over `imp` both ways, with
/// the line's noise seeded by `seed` (and spandsp starting a few samples later for each seed, so
/// each meets the other modem's timing differently).
#[allow(clippy::too_many_arguments)]
fn run_seeded(
    family: Family,
    role: Role,
    sp_rate: u32,
    imp: Impairments,
    seconds: f32,
    ours: &[u8],
    theirs: &[u8],
    seed: u64,
) -> Outcome {
    let mut to_sp = Direction::new(imp.clone(), 2 * seed - 1);
    let mut to_us = Direction::new(imp.clone(), 2 * seed);
    let noisy = imp.noise_dbm0.is_some();
    let (to_sp, to_us): (Channel, Channel) = (
        Box::new(move |x: &[f32], y: &mut [f32]| to_sp.process(x, y)),
        Box::new(move |x: &[f32], y: &mut [f32]| to_us.process(x, y)),
    );
    run_through(family, role, sp_rate, (to_sp, to_us), noisy, seconds, ours, theirs, seed)
}

/// One direction of the line: what goes in, what comes out (same length).
type Channel = Box<dyn FnMut(&[f32], &mut [f32])>;

/// As [`run_seeded`], through any pair of channels (towards spandsp, towards us); `noisy` lowers
/// spandsp's carrier threshold.
#[allow(clippy::too_many_arguments)]
fn run_through(
    family: Family,
    role: Role,
    sp_rate: u32,
    (mut to_sp, mut to_us): (Channel, Channel),
    noisy: bool,
    seconds: f32,
    ours: &[u8],
    theirs: &[u8],
    seed: u64,
) -> Outcome {
    let mut m = Modem::new(Config::new(family, role));
    let sp_role = match role {
        Role::Call => SpRole::Answering,
        Role::Answer => SpRole::Calling,
    };
    let mut sp = V22bis::new(sp_rate, SP_GUARD.get(), sp_role, AsyncTx::n81(), AsyncRx::n81());
    if noisy {
        // spandsp takes noise at its default threshold for a carrier.
        sp.set_cutoff(-35.0);
    }
    m.write(ours);
    sp.write(theirs);
    // Start spandsp a little later than us (a different phase of its clocks).
    let mut lead = vec![0i16; (seed as usize - 1) * 37];
    sp.rx(&lead);
    sp.tx(&mut lead);
    let (mut our_out, mut sp_out16) = (vec![0.0f32; 160], vec![0i16; 160]);
    let (mut sp_out, mut heard_by_us, mut heard_by_sp) = (vec![0.0f32; 160], vec![0.0f32; 160], vec![0.0f32; 160]);
    let mut heard16 = vec![0i16; 160];
    let mut ours_got = vec![];
    let mut events = vec![];
    let mut buf = [0u8; 256];
    for _ in 0..(seconds * 50.0) as usize {
        to_us(&sp_out, &mut heard_by_us);
        to_sp(&our_out, &mut heard_by_sp);
        m.process(&heard_by_us, &mut our_out);
        for (d, s) in heard16.iter_mut().zip(&heard_by_sp) {
            *d = softmodem::dsp::to_i16(*s);
        }
        sp.rx(&heard16);
        sp.tx(&mut sp_out16);
        for (d, s) in sp_out.iter_mut().zip(&sp_out16) {
            *d = *s as f32 / 32768.0;
        }
        while let Some(e) = m.poll_event() {
            events.push(e);
        }
        let n = m.read(&mut buf);
        ours_got.extend_from_slice(&buf[..n]);
    }
    Outcome { ours_got, theirs_got: sp.take(), events, spandsp_rate: sp.current_bit_rate() }
}

fn text(n: usize, seed: u32) -> Vec<u8> {
    (0..n as u32).map(|i| ((i * 31 + seed) % 95 + 32) as u8).collect()
}

#[test]
fn clean_line_both_roles_both_rates() {
    for role in [Role::Call, Role::Answer] {
        for (family, sp_rate, want) in
            [(Family::V22bis, 2400, 2400), (Family::V22bis, 1200, 1200), (Family::V22, 2400, 1200)]
        {
            let (a, b) = (text(400, 1), text(400, 2));
            let o = run_seeded(family, role, sp_rate, Impairments::default(), 6.0, &a, &b, 1);
            let label = format!("{family:?} {role:?} vs spandsp at {sp_rate}");
            assert_eq!(
                o.events.first(),
                Some(&Event::Connected { rx_rate: want, tx_rate: want }),
                "{label}: {:?}",
                o.events
            );
            assert_eq!(o.spandsp_rate, want as i32, "{label}");
            assert_eq!(o.ours_got, b, "{label}: what we received");
            assert_eq!(o.theirs_got, a, "{label}: what spandsp received");
        }
    }
}

#[test]
fn impaired_lines_both_roles_both_rates() {
    let cases = [
        ("20 dB SNR", Impairments::default().with_snr(20.0, -13.0)),
        ("+7 Hz, +100 ppm", Impairments { freq_offset_hz: 7.0, clock_ppm: 100.0, ..Default::default() }),
        ("-7 Hz, -100 ppm", Impairments { freq_offset_hz: -7.0, clock_ppm: -100.0, ..Default::default() }),
        (
            "20 dB SNR, +7 Hz, -100 ppm",
            Impairments { freq_offset_hz: 7.0, clock_ppm: -100.0, ..Default::default() }.with_snr(20.0, -13.0),
        ),
    ];
    // spandsp's answerer must recognise the caller's S1 within its 100 ms while still acquiring
    // the signal; at +7 Hz it sometimes misses it and settles for 1200 bit/s, whoever calls (see
    // `spandsp_recognises_our_s1_as_often_as_its_own`). So each case runs three times (different
    // noise and timing); every run must carry the data byte-exact, and every run must reach the
    // rate except when spandsp answers with a +7 Hz offset.
    for (name, imp) in cases {
        for role in [Role::Call, Role::Answer] {
            for (sp_rate, want) in [(2400, 2400), (1200, 1200)] {
                let mut at_rate = 0;
                for seed in 1..=3 {
                    let (a, b) = (text(300, 3 + seed as u32), text(300, 4 + seed as u32));
                    let o = run_seeded(Family::V22bis, role, sp_rate, imp.clone(), 6.0, &a, &b, seed);
                    let label = format!("{name}: V22bis {role:?} vs spandsp at {sp_rate}, seed {seed}");
                    assert!(matches!(o.events.first(), Some(Event::Connected { .. })), "{label}: {:?}", o.events);
                    at_rate += (o.events.first() == Some(&Event::Connected { rx_rate: want, tx_rate: want })) as u32;
                    assert_eq!(o.ours_got, b, "{label}: what we received");
                    assert_eq!(o.theirs_got, a, "{label}: what spandsp received");
                }
                let need = if role == Role::Call && want == 2400 && imp.freq_offset_hz > 5.0 { 0 } else { 3 };
                assert!(at_rate >= need, "{name}: V22bis {role:?} vs spandsp at {sp_rate}: {at_rate}/3 at {want}");
            }
        }
    }
}

/// spandsp's own V.22bis caller against spandsp's answerer, over the same line as [`run_seeded`]:
/// whether the answerer reached 2400 bit/s.
fn spandsp_pair_reaches_2400(imp: &Impairments, seed: u64) -> bool {
    use softmodem::dsp::to_i16;
    let mut a = V22bis::async_8n1(2400, SpRole::Calling);
    let mut b = V22bis::async_8n1(2400, SpRole::Answering);
    a.set_cutoff(-35.0);
    b.set_cutoff(-35.0);
    let mut lead = vec![0i16; (seed as usize - 1) * 37];
    b.rx(&lead);
    b.tx(&mut lead);
    let mut ab = Direction::new(imp.clone(), 2 * seed - 1);
    let mut ba = Direction::new(imp.clone(), 2 * seed);
    let (mut a16, mut b16) = (vec![0i16; 160], vec![0i16; 160]);
    let (mut af, mut bf, mut ah, mut bh) = (vec![0.0f32; 160], vec![0.0f32; 160], vec![0.0f32; 160], vec![0.0f32; 160]);
    let (mut ah16, mut bh16) = (vec![0i16; 160], vec![0i16; 160]);
    for _ in 0..150 {
        ab.process(&af, &mut bh);
        ba.process(&bf, &mut ah);
        for (d, s) in ah16.iter_mut().zip(&ah) {
            *d = to_i16(*s);
        }
        for (d, s) in bh16.iter_mut().zip(&bh) {
            *d = to_i16(*s);
        }
        a.rx(&ah16);
        b.rx(&bh16);
        a.tx(&mut a16);
        b.tx(&mut b16);
        for (d, s) in af.iter_mut().zip(&a16) {
            *d = *s as f32 / 32768.0;
        }
        for (d, s) in bf.iter_mut().zip(&b16) {
            *d = *s as f32 / 32768.0;
        }
    }
    b.current_bit_rate() == 2400
}

#[test]
fn spandsp_recognises_our_s1_as_often_as_its_own() {
    // At +7 Hz, +-100 ppm and 20 dB SNR spandsp's answerer misses S1 in some calls even from its
    // own caller (measured: 3 or 4 in 20). Over ten calls each, ours must fare no worse (allowing
    // one call of chance).
    for ppm in [-100.0f32, 100.0] {
        let imp = Impairments { freq_offset_hz: 7.0, clock_ppm: ppm, ..Default::default() }.with_snr(20.0, -13.0);
        let (mut ours, mut theirs) = (0, 0);
        for seed in 1..=10 {
            let o = run_seeded(Family::V22bis, Role::Call, 2400, imp.clone(), 3.0, b"", b"", seed);
            ours += (o.events.first() == Some(&Event::Connected { rx_rate: 2400, tx_rate: 2400 })) as u32;
            theirs += spandsp_pair_reaches_2400(&imp, seed) as u32;
        }
        assert!(ours + 1 >= theirs, "+7 Hz, {ppm} ppm: ours {ours}/10, spandsp's own {theirs}/10");
        assert!(ours >= 6, "+7 Hz, {ppm} ppm: ours {ours}/10");
    }
}

#[test]
fn guard_tones_both_ways() {
    use softmodem::v22bis::GuardTone;
    // spandsp answering with either guard tone; ours answering with either, spandsp calling.
    for (theirs, ours) in [(SpGuard::Hz550, GuardTone::Hz550), (SpGuard::Hz1800, GuardTone::Hz1800)] {
        SP_GUARD.set(theirs);
        let (a, b) = (text(300, 7), text(300, 8));
        let o =
            run_seeded(Family::V22bis, Role::Call, 2400, Impairments::default().with_snr(25.0, -13.0), 6.0, &a, &b, 1);
        SP_GUARD.set(SpGuard::None);
        assert_eq!(o.events.first(), Some(&Event::Connected { rx_rate: 2400, tx_rate: 2400 }), "{theirs:?}");
        assert_eq!((o.ours_got, o.theirs_got), (b.clone(), a.clone()), "spandsp answering with {theirs:?}");

        // Ours answering with a guard tone: drive our modem's config directly.
        let mut cfg = Config::new(Family::V22bis, Role::Answer);
        cfg.guard = ours;
        let mut m = Modem::new(cfg);
        let mut sp = V22bis::async_8n1(2400, SpRole::Calling);
        m.write(&a);
        sp.write(&b);
        let (mut out, mut sp16, mut sp_out, mut heard16) =
            (vec![0.0f32; 160], vec![0i16; 160], vec![0.0f32; 160], vec![0i16; 160]);
        let mut got = vec![];
        let mut buf = [0u8; 256];
        for _ in 0..300 {
            m.process(&sp_out, &mut out);
            for (d, s) in heard16.iter_mut().zip(&out) {
                *d = softmodem::dsp::to_i16(*s);
            }
            sp.rx(&heard16);
            sp.tx(&mut sp16);
            for (d, s) in sp_out.iter_mut().zip(&sp16) {
                *d = *s as f32 / 32768.0;
            }
            let n = m.read(&mut buf);
            got.extend_from_slice(&buf[..n]);
        }
        assert_eq!(sp.current_bit_rate(), 2400, "{ours:?}");
        assert_eq!((got, sp.take()), (b, a), "ours answering with {ours:?}");
    }
}

#[test]
fn the_line_chooses_the_rate_against_spandsp() {
    // White noise at 8 dB over the band is too much for 2400 bit/s: our caller sends no S1, our
    // answerer does not answer spandsp's; both end at 1200 with clean data. At 20 dB, 2400.
    for role in [Role::Call, Role::Answer] {
        for (snr, want) in [(8.0, 1200), (20.0, 2400)] {
            let (a, b) = (text(300, 3), text(300, 4));
            let imp = Impairments::default().with_snr(snr, -13.0);
            let o = run_seeded(Family::V22bis, role, 2400, imp, 9.0, &a, &b, 1);
            let label = format!("ours {role:?}, {snr} dB");
            let connected = o.events.iter().find(|e| matches!(e, Event::Connected { .. }));
            assert_eq!(connected, Some(&Event::Connected { rx_rate: want, tx_rate: want }), "{label}: {:?}", o.events);
            assert_eq!(o.spandsp_rate, want as i32, "{label}");
            // Our caller judges the line itself; as the answerer we judge only if spandsp's caller
            // sends S1 (at 8 dB it may not have heard our unscrambled ones well enough to).
            let judged = o.events.iter().any(|e| matches!(e, Event::TooPoorFor2400 { .. }));
            if role == Role::Call || want == 2400 {
                assert_eq!(judged, want == 1200, "{label}: {:?}", o.events);
            }
            assert_eq!(o.ours_got, b, "{label}: what we received");
            // spandsp's own receiver loses everything below about 15 dB at either rate (measured
            // against our V.22 modem too: 0 of 300 characters at 14 dB as the answerer), so what
            // it receives is checked only where it can.
            if snr >= 15.0 {
                assert_eq!(o.theirs_got, a, "{label}: what spandsp received");
            }
        }
    }
    // Through AMR 12.2 each way spandsp's caller's S1 and our unscrambled ones pass unharmed, but
    // its scrambled ones show the codec: our answerer goes on at 1200, error-free.
    use speech_codecs::{Codec, SpeechChannel};
    let (mut c1, mut c2) = (SpeechChannel::new(Codec::AMR_122), SpeechChannel::new(Codec::AMR_122));
    let chans: (Channel, Channel) = (
        Box::new(move |x: &[f32], y: &mut [f32]| c1.process(x, y)),
        Box::new(move |x: &[f32], y: &mut [f32]| c2.process(x, y)),
    );
    let (a, b) = (text(300, 5), text(300, 6));
    let o = run_through(Family::V22bis, Role::Answer, 2400, chans, false, 9.0, &a, &b, 1);
    let connected = o.events.iter().find(|e| matches!(e, Event::Connected { .. }));
    assert_eq!(connected, Some(&Event::Connected { rx_rate: 1200, tx_rate: 1200 }), "{:?}", o.events);
    assert_eq!(o.spandsp_rate, 1200);
    assert_eq!(o.ours_got, b, "through AMR 12.2: what we received");
    assert_eq!(o.theirs_got, a, "through AMR 12.2: what spandsp received");
}

/// A channel that only delays, by `samples`.
fn delay(samples: usize) -> Channel {
    let mut q: std::collections::VecDeque<f32> = std::iter::repeat_n(0.0, samples).collect();
    Box::new(move |x: &[f32], y: &mut [f32]| {
        q.extend(x);
        y.iter_mut().for_each(|v| *v = q.pop_front().unwrap_or(0.0));
    })
}

#[test]
fn s1_heard_at_every_timing_phase() {
    // spandsp's signal reaching us 0 to 39 samples late (three symbols: every timing phase our
    // receiver can meet it at, against its 40-sample processing steps). Our answerer once missed
    // spandsp's S1 at one phase in forty, where its symbol timing started exactly half a symbol
    // out on a clean line and stayed there through S1, and connected at 1200 bit/s.
    let mut fails = vec![];
    for role in [Role::Answer, Role::Call] {
        for d in 0..40 {
            let o = run_through(Family::V22bis, role, 2400, (delay(0), delay(d)), false, 4.0, b"", b"", 1);
            let ours = o.events.iter().find(|e| matches!(e, Event::Connected { .. }));
            if ours != Some(&Event::Connected { rx_rate: 2400, tx_rate: 2400 }) || o.spandsp_rate != 2400 {
                fails.push(format!("{role}, {d} samples: ours {ours:?}, spandsp {}", o.spandsp_rate));
            }
        }
    }
    assert!(fails.is_empty(), "{fails:#?}");
}
