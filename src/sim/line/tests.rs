//! The line simulator's tests.

use super::*;
use crate::dsp::{power_to_dbm0, Goertzel};

fn tone(freq: f32, n: usize) -> Vec<f32> {
    let mut nco = Nco::new(freq, 8000.0);
    (0..n).map(|_| 0.3 * nco.next_sin()).collect()
}

fn peak_freq(x: &[f32]) -> f32 {
    let mut best = (0.0, 0.0);
    for f in (900..1300).map(|f| f as f32) {
        let mut g = Goertzel::new(f, x.len(), 8000.0);
        let mut p = 0.0;
        for &v in x {
            p = g.push(v).unwrap_or(p);
        }
        if p > best.1 {
            best = (f, p);
        }
    }
    best.0
}

#[test]
fn frequency_offset_moves_a_tone() {
    let mut d = Direction::new(Impairments { freq_offset_hz: 7.0, ..Default::default() }, 1);
    let x = tone(1000.0, 16000);
    let mut y = vec![0.0; x.len()];
    d.process(&x, &mut y);
    assert_eq!(peak_freq(&y[400..]), 1007.0);
}

#[test]
fn phase_jitter_puts_sidebands_at_the_jitter_rate() {
    // 20 degrees peak-to-peak at 100 Hz on a 1000 Hz tone: sidebands at 900 and 1100 Hz about
    // 20 log10(J1(0.1745) / J0(0.1745)) = -21.2 dB below the carrier.
    let imp = Impairments { phase_jitter: Some(PhaseJitter { degrees_pp: 20.0, hz: 100.0 }), ..Default::default() };
    let mut d = Direction::new(imp, 1);
    let x = tone(1000.0, 16000);
    let mut y = vec![0.0; x.len()];
    d.process(&x, &mut y);
    let p = |f: f32| {
        let y = &y[400..];
        let mut g = Goertzel::new(f, y.len(), 8000.0);
        let mut v = 0.0;
        for &s in y {
            v = g.push(s).unwrap_or(v);
        }
        v
    };
    let side = 10.0 * (p(1100.0) / p(1000.0)).log10();
    assert!((side + 21.2).abs() < 0.5, "{side}");
    assert!((10.0 * (p(900.0) / p(1000.0)).log10() + 21.2).abs() < 0.5);
}

#[test]
fn noise_level_is_as_asked() {
    let mut d = Direction::new(Impairments { noise_dbm0: Some(-33.0), ..Default::default() }, 1);
    let x = vec![0.0; 80000];
    let mut y = vec![0.0; x.len()];
    d.process(&x, &mut y);
    let p = y.iter().map(|v| v * v).sum::<f32>() / y.len() as f32;
    assert!((power_to_dbm0(p) + 33.0).abs() < 0.1);
}

#[test]
fn the_noise_and_the_codec_change_during_a_call() {
    let mut d = Direction::new(Impairments { noise_dbm0: Some(-33.0), ..Default::default() }, 1);
    let (x, mut y) = (vec![0.0; 40000], vec![0.0; 40000]);
    let mut level = |d: &mut Direction| {
        d.process(&x, &mut y);
        power_to_dbm0(y.iter().map(|v| v * v).sum::<f32>() / y.len() as f32)
    };
    assert!((level(&mut d) + 33.0).abs() < 0.2);
    d.set_noise(Some(-20.0)).unwrap();
    assert!((level(&mut d) + 20.0).abs() < 0.2);
    assert!(d.set_noise(Some(f32::NAN)).is_err());
    d.set_noise(None).unwrap();
    d.set_codec(Some(crate::g711::Law::MuLaw));
    assert_eq!(d.impairments().codec, Some(crate::g711::Law::MuLaw));
    assert!(level(&mut d) < -80.0);
    assert_eq!(d.impairments().noise_dbm0, None);
}

#[test]
fn network_models_lose_more_at_the_top_of_the_band_and_delay_its_edges() {
    // The long loops lose several dB more at 3 kHz than at 1 kHz; the short ones less.
    let slope = |m: NetworkModel| {
        let g = |f: f64| {
            let (a, b) = m.loop_response(f);
            20.0 * (a * a + b * b).sqrt().log10()
        };
        2.0 * (g(1000.0) - g(3000.0))
    };
    let (short, long) = (slope(NetworkModel::ShortLoops), slope(NetworkModel::LongLoops));
    assert!(short > 0.5 && short < 4.0, "short {short}");
    assert!(long > 4.0 && long < 15.0, "long {long}");
    // Through the whole model, tones in the band arrive near unit level at 1 kHz and the
    // edges lose what the filters take.
    for m in [NetworkModel::ShortLoops, NetworkModel::LongLoops] {
        let gain = |f: f32| {
            let mut d = Direction::new(Impairments { band: Band::Model(m), ..Default::default() }, 1);
            let x = tone(f, 8000);
            let mut y = vec![0.0; x.len()];
            d.process(&x, &mut y);
            let p = |v: &[f32]| v.iter().map(|s| s * s).sum::<f32>();
            10.0 * (p(&y[2000..]) / p(&x[2000..])).log10()
        };
        assert!(gain(1000.0).abs() < 0.5, "{m:?} {}", gain(1000.0));
        assert!(gain(200.0) < -3.0, "{m:?} 200 Hz {}", gain(200.0));
        assert!(gain(3000.0) < gain(1000.0), "{m:?}");
    }
}

#[test]
fn echo_arrives_late_and_at_its_level() {
    let imp = Impairments { near_echo: Some(Echo { level_db: -10.0, delay_ms: 5.0 }), ..Default::default() };
    let mut d = Direction::new(imp, 1);
    let own = tone(1000.0, 8000);
    let mut y = vec![0.0; own.len()];
    d.process_with_echo(&vec![0.0; own.len()], &own, &mut y);
    // Nothing before the delay (40 samples) plus the band filter's 32.
    assert!(y[..60].iter().all(|v| v.abs() < 0.01));
    let p_in = own.iter().map(|v| v * v).sum::<f32>();
    let p_out = y[400..].iter().map(|v| v * v).sum::<f32>() * own.len() as f32 / (own.len() - 400) as f32;
    let db = 10.0 * (p_out / p_in).log10();
    assert!((db + 10.0).abs() < 0.3, "{db}");
}

#[test]
fn dropouts_silence_the_signal_only_while_they_last() {
    let imp = Impairments { dropouts: vec![Dropout { at_ms: 100.0, ms: 300.0 }], ..Default::default() };
    let mut d = Direction::new(imp, 1);
    let x = tone(1000.0, 8000);
    let mut y = vec![0.0; x.len()];
    for (a, b) in x.chunks(160).zip(y.chunks_mut(160)) {
        d.process(a, b);
    }
    assert!(y[800..3200].iter().all(|&v| v == 0.0));
    assert_eq!(&y[..800], &x[..800]);
    assert_eq!(&y[3200..], &x[3200..]);
}

#[test]
fn g711_quantises() {
    let mut d = Direction::new(Impairments { codec: Some(crate::g711::Law::MuLaw), ..Default::default() }, 1);
    let x = tone(1000.0, 800);
    let mut y = vec![0.0; x.len()];
    d.process(&x, &mut y);
    assert!(y.iter().zip(&x).all(|(a, b)| (a - b).abs() < 0.02));
    assert!(y.iter().zip(&x).any(|(a, b)| a != b));
    assert!(y.iter().all(|&v| crate::g711::Law::MuLaw.round_trip(v) == v));
}

#[test]
fn clock_offset_shifts_frequency_and_keeps_block_sizes() {
    // +1000 ppm on a 1000 Hz tone reads as 1001 Hz here.
    let mut d = Direction::new(Impairments { clock_ppm: 1000.0, ..Default::default() }, 1);
    let x = tone(1000.0, 40000);
    let mut y = vec![0.0; x.len()];
    for (a, b) in x.chunks(160).zip(y.chunks_mut(160)) {
        d.process(a, b);
    }
    assert_eq!(peak_freq(&y[PREFILL + 400..]), 1001.0);
}

#[test]
fn clock_offset_holds_for_half_an_hour_when_the_far_end_keeps_its_own_clock() {
    // A tone made on the far end's clock, as much as it makes in each block of ours, for 30
    // minutes at +-1000 ppm: every block heard is whole (never the silence of a FIFO run dry),
    // the far samples taken are exactly what the ratio says, and the tone reads 1000 Hz x the
    // offset at the end as at the start.
    for ppm in [1000.0f32, -1000.0] {
        let mut d = Direction::new(Impairments { clock_ppm: ppm, ..Default::default() }, 1);
        let mut nco = Nco::new(1000.0, 8000.0);
        let (mut far, mut heard) = (Vec::new(), vec![0.0f32; 160]);
        let blocks = 30 * 60 * 50;
        let mut taken = 0u64;
        let mut first = Vec::new();
        let mut last = Vec::new();
        for k in 0..blocks {
            far.clear();
            far.extend((0..d.input_needed(heard.len())).map(|_| 0.3 * nco.next_sin()));
            taken += far.len() as u64;
            d.process_clocked(&far, &[], &mut heard);
            let rms = (heard.iter().map(|v| v * v).sum::<f32>() / 160.0).sqrt();
            if k > 0 {
                assert!((rms / (0.3 / 2f32.sqrt()) - 1.0).abs() < 0.01, "{ppm} ppm: block {k} RMS {rms}");
            }
            if k < 50 {
                first.extend_from_slice(&heard);
            } else if k >= blocks - 50 {
                last.extend_from_slice(&heard);
            }
        }
        assert_eq!(d.slipped(), 0);
        let n = blocks as u64 * 160;
        // The converter looks 21 far samples ahead of the last sample heard.
        let exact = ((n - 1) as f64 * (1.0 + ppm as f64 * 1e-6)).ceil() as u64;
        assert!(taken >= exact && taken <= exact + 22, "{ppm} ppm: {taken} far samples for {n}, {exact}");
        let want = 1000.0 + ppm / 1000.0;
        assert_eq!(peak_freq(&first[400..]), want, "{ppm} ppm at the start");
        assert_eq!(peak_freq(&last), want, "{ppm} ppm after 30 minutes");
    }
}

#[test]
fn clock_offset_through_process_counts_its_slips() {
    // Driven one block in, one block out, the far end runs on our clock: the FIFO stands in
    // for 1600 samples, then the shortfall is made up with silence, and counted.
    let mut d = Direction::new(Impairments { clock_ppm: 1000.0, ..Default::default() }, 1);
    let x = tone(1000.0, 160);
    let mut y = vec![0.0; 160];
    for _ in 0..9000 {
        d.process(&x, &mut y);
    }
    assert_eq!(d.slipped(), 0, "180 s: within the FIFO");
    for _ in 0..2000 {
        d.process(&x, &mut y);
    }
    assert!(d.slipped() > 0, "220 s at +1000 ppm outlasts the FIFO");
}

#[test]
fn impairments_are_validated() {
    let ok = Impairments {
        gain_db: -6.0,
        clock_ppm: -2000.0,
        near_echo: Some(Echo { level_db: -10.0, delay_ms: 2.0 }),
        dropouts: vec![Dropout { at_ms: 3000.0, ms: 300.0 }],
        phase_jitter: Some(PhaseJitter { degrees_pp: 10.0, hz: 120.0 }),
        ..Default::default()
    }
    .with_snr(20.0, -13.0);
    assert_eq!(ok.validate(), Ok(()));
    let echo = |level_db, delay_ms| Some(Echo { level_db, delay_ms });
    let bad: Vec<(&str, Impairments)> = vec![
        ("noise level", Impairments::default().with_snr(f32::NAN, -13.0)),
        ("noise level", Impairments::default().with_snr(-300.0, -13.0)),
        ("gain", Impairments { gain_db: f32::INFINITY, ..Default::default() }),
        ("gain", Impairments { gain_db: 100.0, ..Default::default() }),
        ("frequency offset", Impairments { freq_offset_hz: f32::NAN, ..Default::default() }),
        ("frequency offset", Impairments { freq_offset_hz: 5000.0, ..Default::default() }),
        ("clock offset", Impairments { clock_ppm: f32::NEG_INFINITY, ..Default::default() }),
        ("clock offset", Impairments { clock_ppm: 1e6, ..Default::default() }),
        ("near echo level", Impairments { near_echo: echo(f32::NAN, 2.0), ..Default::default() }),
        ("far echo level", Impairments { far_echo: echo(40.0, 2.0), ..Default::default() }),
        ("far echo delay", Impairments { far_echo: echo(-10.0, 1e9), ..Default::default() }),
        ("near echo delay", Impairments { near_echo: echo(-10.0, -1.0), ..Default::default() }),
        ("dropout start", Impairments { dropouts: vec![Dropout { at_ms: f32::NAN, ms: 1.0 }], ..Default::default() }),
        ("dropout length", Impairments { dropouts: vec![Dropout { at_ms: 1.0, ms: 0.0 }], ..Default::default() }),
        (
            "phase jitter rate",
            Impairments { phase_jitter: Some(PhaseJitter { degrees_pp: 5.0, hz: f32::NAN }), ..Default::default() },
        ),
    ];
    for (what, imp) in bad {
        let e = imp.validate().unwrap_err();
        assert_eq!(e.what, what, "{imp:?}");
        assert!(e.to_string().starts_with(what) && e.to_string().contains("must be"), "{e}");
        assert_eq!(Direction::try_new(imp.clone(), 1).unwrap_err().to_string(), e.to_string());
        assert!(std::panic::catch_unwind(|| Direction::new(imp, 1)).is_err());
    }
}

#[test]
fn a_line_has_one_clock_relation() {
    // Symmetric: B's clock fast; A hears +ppm, B exactly the inverse.
    let line = Line::symmetric(Impairments { clock_ppm: 500.0, ..Default::default() }, 1);
    assert_eq!(line.b_to_a.clock_ratio(), (1_000_500_000, 1_000_000_000));
    assert_eq!(line.a_to_b.clock_ratio(), (1_000_000_000, 1_000_500_000));
    assert!((line.a_to_b.impairments().clock_ppm + 499.75).abs() < 0.01);
    // Line::new: b_to_a's relation wins; a_to_b alone sets it when b_to_a has none.
    let imp = |ppm| Impairments { clock_ppm: ppm, ..Default::default() };
    let line = Line::new(imp(200.0), imp(200.0), 1);
    assert_eq!(line.a_to_b.clock_ratio(), (1_000_000_000, 1_000_200_000));
    let line = Line::new(imp(-300.0), imp(0.0), 1);
    assert_eq!(line.a_to_b.clock_ratio(), (999_700_000, 1_000_000_000));
    assert_eq!(line.b_to_a.clock_ratio(), (1_000_000_000, 999_700_000));
    assert!(!Line::symmetric(Impairments::default(), 1).has_clock_offset());
}
