//! spandsp's V.22bis against itself: a calling and an answering [`V22bis`] connected back to back
//! in 160-sample blocks, each hearing what the other sent in the previous block, optionally through
//! white Gaussian noise. Checks training (time, statuses, rate), byte-exact 8N1 data both ways, and
//! measures the start-up signals, the transmit level and the quirks described in
//! `src/v22bis.rs`. Run with `--nocapture` to see the measurements.

use spandsp_peer::status::describe;
use spandsp_peer::v22bis::take_captured_log;
use spandsp_peer::{ffi, AsyncRx, AsyncTx, BitLog, GuardTone, Role, SigStatus, V22bis};

const BLOCK: usize = 160;
/// RMS of a -13 dBm0 signal (a sine 16.17 dB below a full-scale one).
const RMS_MINUS_13_DBM0: f32 = 3601.5;

// ---------------------------------------------------------------------------------------------
// Signal measurement

/// Amplitude of the `f` Hz component of `x` (a sine of amplitude A gives about A when `f` is on a
/// bin of the window, i.e. a multiple of 8000 / x.len()).
fn goertzel(x: &[i16], f: f32) -> f32 {
    let w = 2.0 * std::f32::consts::PI * f / 8000.0;
    let c = 2.0 * w.cos();
    let (mut s1, mut s2) = (0f32, 0f32);
    for &v in x {
        let s = v as f32 + c * s1 - s2;
        s2 = s1;
        s1 = s;
    }
    2.0 * (s1 * s1 + s2 * s2 - c * s1 * s2).max(0.0).sqrt() / x.len() as f32
}

fn rms(x: &[i16]) -> f32 {
    (x.iter().map(|&v| (v as f32).powi(2)).sum::<f32>() / x.len().max(1) as f32).sqrt()
}

fn dbm0(rms: f32) -> f32 {
    -13.0 + 20.0 * (rms / RMS_MINUS_13_DBM0).log10()
}

/// What a 20 ms (160-sample) window of one side's signal looks like. Bins 50 Hz apart are
/// orthogonal over 160 samples, so the shares below add up to the window's power.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Look {
    Silence,
    /// Unscrambled binary 1: a tone 150 Hz below the carrier (1050 or 2250 Hz).
    Usb1,
    /// S1, unscrambled 00 11 repeated: the carrier and carrier ± 300 Hz.
    S1,
    /// The 2100 Hz answer tone.
    AnswerTone,
    /// Anything else in the low (below 1800 Hz) or high band: scrambled data.
    Scrambled,
}

fn look(w: &[i16], carrier: f32) -> Look {
    let r = rms(w);
    if r < 30.0 {
        return Look::Silence;
    }
    let share = |fs: &[f32]| fs.iter().map(|&f| goertzel(w, f).powi(2) / 2.0).sum::<f32>() / (r * r);
    if share(&[carrier - 150.0]) > 0.9 {
        Look::Usb1
    } else if share(&[carrier - 300.0, carrier, carrier + 300.0]) > 0.9 {
        Look::S1
    } else if share(&[2100.0]) > 0.9 {
        Look::AnswerTone
    } else {
        Look::Scrambled
    }
}

/// The runs of [`Look`] in a signal: (look, start ms, end ms).
fn segments(sig: &[i16], carrier: f32) -> Vec<(Look, usize, usize)> {
    let mut out: Vec<(Look, usize, usize)> = Vec::new();
    for (i, w) in sig.chunks_exact(BLOCK).enumerate() {
        let l = look(w, carrier);
        match out.last_mut() {
            Some((last, _, end)) if *last == l => *end = (i + 1) * 20,
            _ => out.push((l, i * 20, (i + 1) * 20)),
        }
    }
    out
}

fn first_nonzero_ms(sig: &[i16]) -> Option<f32> {
    sig.iter().position(|&v| v.unsigned_abs() > 50).map(|k| k as f32 / 8.0)
}

// ---------------------------------------------------------------------------------------------
// A seeded white Gaussian noise source (xorshift64* and Box-Muller)

struct Noise {
    state: u64,
    spare: Option<f32>,
}

impl Noise {
    fn new(seed: u64) -> Self {
        Noise { state: seed.max(1), spare: None }
    }

    fn uniform(&mut self) -> f32 {
        self.state ^= self.state >> 12;
        self.state ^= self.state << 25;
        self.state ^= self.state >> 27;
        let x = self.state.wrapping_mul(0x2545_F491_4F6C_DD1D);
        ((x >> 40) as f32 + 0.5) / (1u64 << 24) as f32
    }

    /// A sample of a zero-mean Gaussian of standard deviation 1.
    fn gauss(&mut self) -> f32 {
        if let Some(s) = self.spare.take() {
            return s;
        }
        let (u, v) = (self.uniform(), self.uniform());
        let r = (-2.0 * u.ln()).sqrt();
        let a = 2.0 * std::f32::consts::PI * v;
        self.spare = Some(r * a.sin());
        r * a.cos()
    }
}

// ---------------------------------------------------------------------------------------------
// Two modems back to back

type Modem = V22bis<AsyncTx, AsyncRx>;

struct Link {
    call: Modem,
    ans: Modem,
    /// What each transmitted, sample by sample.
    call_sig: Vec<i16>,
    ans_sig: Vec<i16>,
    call_buf: [i16; BLOCK],
    ans_buf: [i16; BLOCK],
    /// Noise added to each direction: (generator, RMS).
    noise: Option<(Noise, Noise, f32)>,
    noise_energy: f64,
    noise_samples: u64,
    blocks: usize,
}

impl Link {
    fn new(call_rate: u32, ans_rate: u32) -> Self {
        Link {
            call: V22bis::async_8n1(call_rate, Role::Calling),
            ans: V22bis::async_8n1(ans_rate, Role::Answering),
            call_sig: Vec::new(),
            ans_sig: Vec::new(),
            call_buf: [0; BLOCK],
            ans_buf: [0; BLOCK],
            noise: None,
            noise_energy: 0.0,
            noise_samples: 0,
            blocks: 0,
        }
    }

    /// Adds white Gaussian noise 20 dB below the -13 dBm0 signal to both directions, from the
    /// first sample on (so also over the silences).
    fn with_snr_20db(mut self, seed: u64) -> Self {
        self.noise = Some((Noise::new(seed), Noise::new(seed ^ 0x9E37_79B9_7F4A_7C15), RMS_MINUS_13_DBM0 / 10.0));
        self
    }

    fn ms(&self) -> usize {
        self.blocks * BLOCK / 8
    }

    fn noisy(noise: &mut Noise, sigma: f32, x: &[i16; BLOCK], energy: &mut f64) -> [i16; BLOCK] {
        let mut y = [0i16; BLOCK];
        for (o, &v) in y.iter_mut().zip(x) {
            let n = sigma * noise.gauss();
            *energy += (n as f64).powi(2);
            *o = (v as f32 + n).round().clamp(-32768.0, 32767.0) as i16;
        }
        y
    }

    /// One block: each side hears what the other sent in the previous block, then sends a block.
    fn step(&mut self) {
        let (to_call, to_ans) = match self.noise.as_mut() {
            Some((nc, na, sigma)) => {
                let a = Self::noisy(nc, *sigma, &self.ans_buf, &mut self.noise_energy);
                let c = Self::noisy(na, *sigma, &self.call_buf, &mut self.noise_energy);
                self.noise_samples += 2 * BLOCK as u64;
                (a, c)
            }
            None => (self.ans_buf, self.call_buf),
        };
        assert_eq!(self.call.rx(&to_call), 0);
        assert_eq!(self.ans.rx(&to_ans), 0);
        assert_eq!(self.call.tx(&mut self.call_buf), BLOCK, "calling modem's tx came up short");
        assert_eq!(self.ans.tx(&mut self.ans_buf), BLOCK, "answering modem's tx came up short");
        self.call_sig.extend_from_slice(&self.call_buf);
        self.ans_sig.extend_from_slice(&self.ans_buf);
        self.blocks += 1;
    }

    /// Steps until `done`, or panics after `max_ms`.
    fn run_until(&mut self, max_ms: usize, what: &str, mut done: impl FnMut(&Link) -> bool) {
        while !done(self) {
            assert!(self.ms() < max_ms, "{what}: not done after {max_ms} ms\n{}", self.report());
            self.step();
        }
    }

    fn run_for(&mut self, ms: usize) {
        for _ in 0..ms * 8 / BLOCK {
            self.step();
        }
    }

    fn noise_rms(&self) -> f32 {
        (self.noise_energy / self.noise_samples.max(1) as f64).sqrt() as f32
    }

    fn report(&self) -> String {
        let st = |m: &Modem| {
            m.statuses().iter().map(|e| format!("{} @{}ms", describe(e.code), e.at / 8)).collect::<Vec<_>>().join(", ")
        };
        format!("calling: [{}]\nanswering: [{}]", st(&self.call), st(&self.ans))
    }
}

/// When a modem reported `status` first, in ms (block resolution).
fn first_ms(m: &Modem, status: SigStatus) -> Option<usize> {
    m.statuses().iter().find(|e| e.code == status.raw()).map(|e| e.at as usize / 8)
}

fn test_data(seed: u8, n: usize) -> Vec<u8> {
    let mut x = seed as u32 | 0x100;
    (0..n)
        .map(|_| {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            (x >> 16) as u8
        })
        .collect()
}

/// Trains, then sends ~200 bytes each way and checks they arrive exactly; returns the training
/// times (calling, answering) in ms.
fn train_and_exchange(link: &mut Link, expect_rate: i32, what: &str) -> (usize, usize) {
    link.run_until(4000, what, |l| l.call.trained() && l.ans.trained());
    let t_call = first_ms(&link.call, SigStatus::TrainingSucceeded).unwrap();
    let t_ans = first_ms(&link.ans, SigStatus::TrainingSucceeded).unwrap();
    assert_eq!(link.call.current_bit_rate(), expect_rate, "{what}: calling modem's rate");
    assert_eq!(link.ans.current_bit_rate(), expect_rate, "{what}: answering modem's rate");

    let up = test_data(1, 200);
    let down = test_data(2, 200);
    link.call.write(&up);
    link.ans.write(&down);
    let secs = (200 * 10 / expect_rate as usize + 1) * 1000;
    link.run_until(link.ms() + secs, what, |l| l.ans.received().len() >= 200 && l.call.received().len() >= 200);
    link.run_for(200);
    assert_eq!(link.ans.received(), &up[..], "{what}: calling -> answering\n{}", link.report());
    assert_eq!(link.call.received(), &down[..], "{what}: answering -> calling\n{}", link.report());
    assert!(link.call.trained() && link.ans.trained(), "{what}\n{}", link.report());
    (t_call, t_ans)
}

// ---------------------------------------------------------------------------------------------
// Tests

#[test]
fn trains_at_2400_and_exchanges_200_bytes_each_way() {
    let mut link = Link::new(2400, 2400);
    let (tc, ta) = train_and_exchange(&mut link, 2400, "2400/2400");
    println!("2400/2400: answering trained at {ta} ms, calling at {tc} ms\n{}", link.report());
    // Statuses: carrier up (receiver, on energy), then training succeeded (transmitter, when it
    // starts sending data), nothing else.
    let up = SigStatus::CarrierUp.raw();
    let ok = SigStatus::TrainingSucceeded.raw();
    assert_eq!(link.call.status_codes(), [up, ok], "{}", link.report());
    assert_eq!(link.ans.status_codes(), [up, ok], "{}", link.report());
    for m in [&link.call, &link.ans] {
        assert!(!m.statuses()[0].during_tx && m.statuses()[1].during_tx);
        assert!(m.statuses().iter().all(|e| !e.via_put_bit));
    }
    // Measured: calling carrier up at 100 ms, answering at 720, answering trained at 1600, calling
    // at 1780 (block resolution).
    assert!((80..=140).contains(&first_ms(&link.call, SigStatus::CarrierUp).unwrap()));
    assert!((680..=760).contains(&first_ms(&link.ans, SigStatus::CarrierUp).unwrap()));
    assert!((1550..=1660).contains(&ta), "{ta}");
    assert!((1720..=1840).contains(&tc), "{tc}");
    // spandsp asks for the first data bit as its transmitter finishes training, and hands over the
    // first received bit when its receiver does (before the other side's data starts).
    for m in [&link.call, &link.ans] {
        let t = first_ms(m, SigStatus::TrainingSucceeded).unwrap() as u64 * 8;
        assert!(m.first_get_bit_at().unwrap() >= t && m.first_get_bit_at().unwrap() <= t + BLOCK as u64);
    }
    assert!(link.call.first_put_bit_at().unwrap() / 8 < ta as u64);
    assert!(link.ans.first_put_bit_at().unwrap() / 8 < tc as u64);
}

#[test]
fn falls_back_to_1200_when_either_side_offers_only_1200() {
    for (rc, ra) in [(1200, 1200), (1200, 2400), (2400, 1200)] {
        let what = format!("calling {rc} / answering {ra}");
        let mut link = Link::new(rc, ra);
        let (tc, ta) = train_and_exchange(&mut link, 1200, &what);
        println!("{what}: answering trained at {ta} ms, calling at {tc} ms\n{}", link.report());
        let up = SigStatus::CarrierUp.raw();
        let ok = SigStatus::TrainingSucceeded.raw();
        assert_eq!(link.call.status_codes(), [up, ok], "{what}\n{}", link.report());
        assert_eq!(link.ans.status_codes(), [up, ok], "{what}\n{}", link.report());
        // Measured: answering trained at 1720 ms, calling at 2020 (block resolution).
        assert!((1660..=1780).contains(&ta), "{what}: {ta}");
        assert!((1960..=2080).contains(&tc), "{what}: {tc}");
    }
}

/// The carrier detect threshold used on noisy lines: spandsp's default lets white noise 20 dB below
/// a -13 dBm0 signal through (see `noise_alone_passes_for_a_carrier_at_the_default_cutoff`).
const NOISY_CUTOFF_DBM0: f32 = -35.0;

#[test]
fn trains_and_exchanges_bytes_at_20_db_snr() {
    for (rc, ra, rate) in [(2400, 2400, 2400), (1200, 1200, 1200), (2400, 1200, 1200), (1200, 2400, 1200)] {
        for seed in [1u64, 2, 3] {
            let what = format!("calling {rc} / answering {ra}, 20 dB SNR, seed {seed}");
            let mut link = Link::new(rc, ra).with_snr_20db(seed);
            link.call.set_cutoff(NOISY_CUTOFF_DBM0);
            link.ans.set_cutoff(NOISY_CUTOFF_DBM0);
            let (tc, ta) = train_and_exchange(&mut link, rate, &what);
            let sig = rms(&link.ans_sig[2400 * 8..]).min(rms(&link.call_sig[2400 * 8..]));
            let snr = 20.0 * (sig / link.noise_rms()).log10();
            println!("{what}: trained {ta}/{tc} ms, measured SNR {snr:.2} dB\n{}", link.report());
            assert!((19.5..=20.5).contains(&snr), "{what}: SNR {snr}");
            let up = SigStatus::CarrierUp.raw();
            let ok = SigStatus::TrainingSucceeded.raw();
            assert_eq!(link.call.status_codes(), [up, ok], "{what}\n{}", link.report());
            assert_eq!(link.ans.status_codes(), [up, ok], "{what}\n{}", link.report());
            // Within a block or two of the clean timings.
            assert!((80..=140).contains(&first_ms(&link.call, SigStatus::CarrierUp).unwrap()), "{what}");
            assert!((680..=760).contains(&first_ms(&link.ans, SigStatus::CarrierUp).unwrap()), "{what}");
        }
    }
}

/// Quirk: at spandsp's default carrier detect threshold, white noise of -33 dBm0 (20 dB below a
/// -13 dBm0 signal; spandsp reads about -40 dBm0 of it in its band) counts as a carrier. A lone
/// calling modem then "trains" on noise alone and starts sending data; an answering modem takes
/// the noise for the caller's scrambled ones and moves on to 1200 bit/s before the caller has said
/// anything, so a 2400/2400 call ends up at 1200 and its data is garbage. 25 dB SNR makes the
/// carrier flap; 30 dB is quiet. Raising the threshold ([`V22bis::set_cutoff`], -35 dBm0) fixes it.
#[test]
fn noise_alone_passes_for_a_carrier_at_the_default_cutoff() {
    for (snr_db, trains, flaps) in [(20.0f32, true, false), (25.0, false, true), (30.0, false, false)] {
        let mut noise = Noise::new(11);
        let sigma = RMS_MINUS_13_DBM0 / 10f32.powf(snr_db / 20.0);
        let mut call = V22bis::async_8n1(2400, Role::Calling);
        let mut out = [0i16; BLOCK];
        for _ in 0..100 {
            let x: Vec<i16> = (0..BLOCK).map(|_| (sigma * noise.gauss()).round() as i16).collect();
            call.rx(&x);
            call.tx(&mut out);
        }
        let codes = call.status_codes();
        println!(
            "{snr_db} dB below -13 dBm0, noise only: caller reads {:.1} dBm0, statuses {codes:?}",
            call.signal_power()
        );
        assert_eq!(call.trained(), trains, "{snr_db}: {codes:?}");
        assert_eq!(rms(&out) > 1000.0, trains, "{snr_db}");
        assert_eq!(codes.len() > 4, flaps, "{snr_db}: {codes:?}");
    }

    // A whole call at 20 dB SNR with the default threshold: both ends report carrier up on the
    // noise at once, skip the S1 exchange, settle at 1200 bit/s, and the data that follows is
    // garbage (e.g. a stream of 0x55).
    for seed in 1..=3 {
        let mut link = Link::new(2400, 2400).with_snr_20db(seed);
        link.run_until(4000, "default cutoff", |l| l.call.trained() && l.ans.trained());
        let up = test_data(5, 100);
        let down = test_data(6, 100);
        link.call.write(&up);
        link.ans.write(&down);
        link.run_for(1500);
        let rates = (link.call.current_bit_rate(), link.ans.current_bit_rate());
        let ok = (link.ans.received() == &up[..], link.call.received() == &down[..]);
        println!(
            "default cutoff, 20 dB SNR, seed {seed}: rates {rates:?}, data ok (to answering, to calling) {ok:?}, \
             answering got {:?}...\n{}",
            &link.ans.received()[..link.ans.received().len().min(8)],
            link.report()
        );
        assert_eq!(rates, (1200, 1200));
        assert!(segments(&link.call_sig, 1200.0).iter().all(|s| s.0 != Look::S1));
        // Both ends trained on noise before the other spoke: the data is garbage (seen both ways).
        assert_ne!(ok, (true, true), "seed {seed}: the call works; update the quirk note");
    }

    // With the threshold raised, noise alone is ignored.
    let mut noise = Noise::new(12);
    let mut call = V22bis::async_8n1(2400, Role::Calling);
    call.set_cutoff(NOISY_CUTOFF_DBM0);
    let mut out = [0i16; BLOCK];
    for _ in 0..100 {
        let x: Vec<i16> = (0..BLOCK).map(|_| (RMS_MINUS_13_DBM0 / 10.0 * noise.gauss()).round() as i16).collect();
        call.rx(&x);
        call.tx(&mut out);
    }
    assert!(call.statuses().is_empty() && rms(&out) == 0.0, "{:?}", call.statuses());
}

#[test]
fn bytes_written_before_training_wait_for_it() {
    for (rc, ra, rate) in [(2400, 2400, 2400), (1200, 1200, 1200)] {
        let mut link = Link::new(rc, ra);
        let up = test_data(3, 100);
        let down = test_data(4, 100);
        link.call.write(&up);
        link.ans.write(&down);
        link.run_until(6000, "early write", |l| l.ans.received().len() >= 100 && l.call.received().len() >= 100);
        link.run_for(200);
        assert_eq!(link.ans.received(), &up[..], "{rc}/{ra}");
        assert_eq!(link.call.received(), &down[..], "{rc}/{ra}");
        assert_eq!(link.call.current_bit_rate(), rate);
    }
}

/// The start-up sequence as seen on the line, and the transmit level. The numbers are the ones in
/// the module notes of `src/v22bis.rs`.
#[test]
fn start_up_signals_and_level() {
    for (rate, expect_s1) in [(2400, true), (1200, false)] {
        let mut link = Link::new(rate, rate);
        link.call.set_qam_history(20_000);
        link.run_for(3000);
        let call = segments(&link.call_sig, 1200.0);
        let ans = segments(&link.ans_sig, 2400.0);
        println!("{rate}/{rate} calling: {call:?}");
        println!("{rate}/{rate} answering: {ans:?}");
        let a0 = first_nonzero_ms(&link.ans_sig).unwrap();
        let c0 = first_nonzero_ms(&link.call_sig).unwrap();
        println!("{rate}/{rate}: answering starts at {a0} ms, calling at {c0} ms\n{}", link.report());

        // Answering: 75 ms of silence, then unscrambled binary 1 (2250 Hz), never a 2100 Hz tone.
        assert!((74.0..=80.0).contains(&a0), "{a0}");
        assert!(ans.iter().all(|s| s.0 != Look::AnswerTone));
        let usb1 = ans.iter().find(|s| s.0 == Look::Usb1).unwrap();
        assert!(usb1.1 <= 100 && usb1.2 >= 800, "{usb1:?}");
        // Calling: silent until 610 ms after it first heard the answerer, then S1 for 100 ms (2400
        // only), then scrambled ones.
        assert!((690.0..=710.0).contains(&c0), "{c0}");
        assert_eq!(call[0].0, Look::Silence);
        let s1c = call.iter().find(|s| s.0 == Look::S1);
        let s1a = ans.iter().find(|s| s.0 == Look::S1);
        assert_eq!(s1c.is_some(), expect_s1, "{call:?}");
        assert_eq!(s1a.is_some(), expect_s1, "{ans:?}");
        if expect_s1 {
            let (c, a) = (s1c.unwrap(), s1a.unwrap());
            assert!(c.2 - c.1 >= 60 && c.2 - c.1 <= 100, "{c:?}");
            // The answerer answers S1 with S1 once it has heard it, in place of its USB1.
            assert!(a.1 >= c.1 + 100 && a.1 <= c.1 + 160 && a.2 - a.1 >= 60, "{a:?}");
            assert_eq!(usb1.2, a.1 - 20);
            // 16-QAM from the answerer heard by the caller (its S1111 precedes data by 200 ms).
            let q = link
                .call
                .qam_points()
                .filter(|p| p.at > 8 * 1000)
                .find(|p| p.target.is_some_and(|t| ((t.re * t.re + t.im * t.im) - 10.0).abs() > 1.0))
                .map(|p| p.at / 8)
                .unwrap();
            println!("caller hears the first 16-QAM symbol at {q} ms");
            assert!((1380..=1480).contains(&q), "{q}");
        } else {
            assert!(ans
                .iter()
                .filter(|s| s.1 < 1000)
                .all(|s| matches!(s.0, Look::Silence | Look::Usb1 | Look::Scrambled)));
            let last_usb1 = usb1.2;
            assert!((960..=1020).contains(&last_usb1), "{last_usb1}");
        }
        // Level: -13 dBm0 in every stage (spandsp, asked for -13, sends 1.55 dB more).
        for (who, sig) in [("calling", &link.call_sig), ("answering", &link.ans_sig)] {
            let active: Vec<i16> =
                sig.chunks_exact(BLOCK).filter(|w| rms(w) > 30.0).skip(2).flatten().copied().collect();
            let l = dbm0(rms(&active));
            println!("{rate}: {who} sends {l:.2} dBm0 (RMS {:.0})", rms(&active));
            assert!((l + 13.0).abs() < 0.3, "{who}: {l}");
        }
    }
}

#[test]
fn guard_tones_come_from_the_answering_modem_only() {
    for guard in [GuardTone::None, GuardTone::Hz550, GuardTone::Hz1800] {
        let mut call = V22bis::new(2400, guard, Role::Calling, AsyncTx::n81(), AsyncRx::n81());
        let mut ans = V22bis::new(2400, guard, Role::Answering, AsyncTx::n81(), AsyncRx::n81());
        let (mut cb, mut ab) = ([0i16; BLOCK], [0i16; BLOCK]);
        let (mut cs, mut asig) = (Vec::new(), Vec::new());
        for _ in 0..150 {
            call.rx(&ab);
            ans.rx(&cb);
            call.tx(&mut cb);
            ans.tx(&mut ab);
            cs.extend_from_slice(&cb);
            asig.extend_from_slice(&ab);
        }
        assert!(call.trained() && ans.trained(), "{guard:?}");
        assert_eq!(call.current_bit_rate(), 2400);
        let w = &asig[200 * 8..3000 * 8];
        let (t550, t1800) = (goertzel(w, 550.0) / 2f32.sqrt(), goertzel(w, 1800.0) / 2f32.sqrt());
        let tone = t550.max(t1800);
        let data = (rms(w).powi(2) - tone.powi(2)).sqrt();
        println!(
            "guard {guard:?}: answering data {:.2} dBm0, tone 550 Hz {:.2} dBm0 / 1800 Hz {:.2} dBm0",
            dbm0(data),
            dbm0(t550),
            dbm0(t1800)
        );
        let w = &cs[1000 * 8..3000 * 8];
        assert!(goertzel(w, 550.0) < 20.0 && goertzel(w, 1800.0) < 20.0, "{guard:?}: caller sends a guard tone");
        match guard {
            GuardTone::None => assert!(tone < 20.0),
            // Measured: data 1.0 dB lower, tone 7.5 dB under the data.
            GuardTone::Hz550 => assert!((dbm0(data) + 14.0).abs() < 0.3 && (dbm0(t550) + 21.5).abs() < 0.3),
            // Measured: data 2.0 dB lower, tone 9.5 dB under the data.
            GuardTone::Hz1800 => assert!((dbm0(data) + 15.0).abs() < 0.3 && (dbm0(t1800) + 24.5).abs() < 0.3),
        }
        // The guard tone starts with the answerer's first signal (USB1).
        let early = &asig[120 * 8..600 * 8];
        match guard {
            GuardTone::None => {}
            GuardTone::Hz550 => assert!(goertzel(early, 550.0) > 1000.0),
            GuardTone::Hz1800 => assert!(goertzel(early, 1800.0) > 1000.0),
        }
    }
}

/// Quirk: a dropout of 40 ms or more makes spandsp report carrier down and restart tx and rx from
/// the very beginning (answering: silence, then USB1, no answer tone), so the other end loses
/// carrier too and both retrain. A 20 ms dropout only garbles characters.
#[test]
fn carrier_loss_restarts_both_ends() {
    for (mute_ms, restarts) in [(20, false), (40, true), (200, true)] {
        let mut link = Link::new(2400, 2400);
        link.run_until(3000, "train", |l| l.call.trained() && l.ans.trained());
        link.call.write(b"before|");
        link.ans.write(b"before|");
        link.run_for(300);
        // Mute what the answerer hears.
        let muted_at = link.ms();
        let saved = link.noise.take();
        for _ in 0..mute_ms / 20 {
            link.call_buf = [0; BLOCK];
            link.step();
        }
        link.noise = saved;
        let down = SigStatus::CarrierDown.raw();
        if !restarts {
            link.run_for(500);
            assert!(!link.ans.status_codes().contains(&down), "{mute_ms} ms\n{}", link.report());
            assert!(link.call.trained() && link.ans.trained());
            continue;
        }
        link.run_until(muted_at + 4000, "retrain", |l| l.call.trained() && l.ans.trained());
        let ans_down = link.ans.statuses().iter().find(|e| e.code == down).unwrap().at as usize / 8;
        let call_down = link.call.statuses().iter().find(|e| e.code == down).unwrap().at as usize / 8;
        let retrained = link.call.statuses().iter().rev().find(|e| e.code == SigStatus::TrainingSucceeded.raw());
        println!(
            "{mute_ms} ms dropout at {muted_at} ms: answering carrier down at {ans_down}, calling at \
             {call_down}, retrained by {} ms\n{}",
            retrained.unwrap().at / 8,
            link.report()
        );
        assert!(ans_down >= muted_at && ans_down <= muted_at + 40);
        assert!(call_down > ans_down && call_down <= ans_down + 100);
        // The answerer starts over in the same block: silence, then USB1 (no 2100 Hz tone) from
        // 75 ms on.
        let after = &link.ans_sig[ans_down * 8..];
        let restart = first_nonzero_ms(after).unwrap();
        let segs = segments(after, 2400.0);
        println!("answering after carrier down: starts again at +{restart} ms, {segs:?}");
        assert!((74.0..=80.0).contains(&restart), "{restart}");
        assert_eq!(segs[0].0, Look::Silence, "{segs:?}");
        assert!(segs[2].0 == Look::Usb1 && segs[2].2 - segs[2].1 >= 600, "{segs:?}");
        assert!(segs.iter().all(|s| s.0 != Look::AnswerTone));
        let up = SigStatus::CarrierUp.raw();
        let ok = SigStatus::TrainingSucceeded.raw();
        assert_eq!(&link.call.status_codes()[2..], [down, up, ok], "{}", link.report());
        // Both run at 2400 again and carry data; around the dropout come a few stray characters.
        assert_eq!(link.call.current_bit_rate(), 2400);
        let n_call = link.call.received().len();
        let n_ans = link.ans.received().len();
        link.call.write(b"|after");
        link.ans.write(b"|after");
        link.run_for(300);
        assert!(link.ans.received().starts_with(b"before|") && link.ans.received().ends_with(b"|after"));
        assert!(link.call.received().starts_with(b"before|") && link.call.received().ends_with(b"|after"));
        println!(
            "stray characters: answering got {:?}, calling got {:?}",
            &link.ans.received()[7..n_ans],
            &link.call.received()[7..n_call]
        );
    }
}

/// A spandsp caller hearing a V.25 answer tone (2100 Hz, 3.3 s) before the answerer's USB1: it
/// reports carrier up and down for the tone, restarts (harmlessly, it was silent anyway) and then
/// trains as usual.
#[test]
fn calling_modem_tolerates_an_answer_tone() {
    let mut call = V22bis::async_8n1(2400, Role::Calling);
    let mut ans: Option<Modem> = None;
    let (mut cb, mut ab) = ([0i16; BLOCK], [0i16; BLOCK]);
    let mut phase = 0f32;
    // 200 ms silence, 3300 ms of 2100 Hz at -13 dBm0, 80 ms silence, then the answering modem.
    let start_block = (200 + 3300 + 80) / 20;
    for blk in 0..start_block + 150 {
        call.rx(&ab);
        match ans.as_mut() {
            Some(a) => {
                a.rx(&cb);
                a.tx(&mut ab);
            }
            None => {
                for v in ab.iter_mut() {
                    let t = blk * 20;
                    phase += 2.0 * std::f32::consts::PI * 2100.0 / 8000.0;
                    *v = if (200..3500).contains(&t) {
                        (RMS_MINUS_13_DBM0 * 2f32.sqrt() * phase.sin()) as i16
                    } else {
                        0
                    };
                }
                if blk + 1 == start_block {
                    ans = Some(V22bis::async_8n1(2400, Role::Answering));
                }
            }
        }
        call.tx(&mut cb);
    }
    let ans = ans.unwrap();
    let codes = call.status_codes();
    println!("caller after an answer tone: {:?}", call.statuses());
    let (up, down, ok) = (SigStatus::CarrierUp.raw(), SigStatus::CarrierDown.raw(), SigStatus::TrainingSucceeded.raw());
    assert_eq!(codes, [up, down, up, ok]);
    assert!(call.trained() && ans.trained() && call.current_bit_rate() == 2400);
}

/// Quirk: a negative value (e.g. `SIG_STATUS_END_OF_DATA`) from the `get_bit` callback shuts
/// spandsp's V.22bis transmitter down: `v22bis_tx` returns 0 samples (the wrapper sends silence),
/// the far end drops carrier and restarts, and so does this end when it loses the far end's
/// carrier. ([`AsyncTx`] never returns one.)
#[test]
fn end_of_data_from_get_bit_shuts_the_transmitter_down() {
    let mut n = 0u32;
    let src = move || {
        n += 1;
        if n > 3000 {
            SigStatus::EndOfData.raw()
        } else {
            1
        }
    };
    let mut call = V22bis::new(2400, GuardTone::None, Role::Calling, src, BitLog::default());
    let mut ans = V22bis::new(2400, GuardTone::None, Role::Answering, || 1, BitLog::default());
    let (mut cb, mut ab) = ([0i16; BLOCK], [0i16; BLOCK]);
    let mut short = Vec::new();
    for blk in 0..200 {
        call.rx(&ab);
        ans.rx(&cb);
        cb = [1; BLOCK];
        if call.tx(&mut cb) < BLOCK {
            short.push(blk);
            assert!(cb.iter().all(|&v| v == 0), "the rest is not silence");
        }
        ans.tx(&mut ab);
    }
    println!("short blocks: {short:?}\ncalling: {:?}\nanswering: {:?}", call.statuses(), ans.statuses());
    assert!(!short.is_empty());
    assert_eq!(call.bits_sent(), 3001);
    assert!(ans.status_codes().contains(&SigStatus::CarrierDown.raw()));
    assert!(call.status_codes().contains(&SigStatus::CarrierDown.raw()));
    // No status reaches the sink's put_bit: BitLog gets them through PutBit::status only, and the
    // bits up to the shutdown are the source's ones.
    let bits = &ans.sink().bits;
    assert!(bits.len() > 2500 && bits[..2500].iter().all(|&b| b == 1), "{} bits", bits.len());
    assert!(ans.sink().statuses.contains(&SigStatus::CarrierDown.raw()));
}

/// The data path is a plain synchronous bit stream (scrambled on the line, descrambled at the
/// receiver): whatever `get_bit` gives comes out of `put_bit`, at the line rate, preceded by marks
/// (the descrambled training ones). Start-stop framing is up to the caller ([`AsyncTx`] /
/// [`AsyncRx`]); there is no V.14 inside V.22bis.
#[test]
fn data_path_is_a_transparent_synchronous_bit_stream() {
    for rate in [2400u32, 1200] {
        let pattern = [1u8, 1, 0, 1, 0, 0, 0, 1, 1, 1, 1, 0, 0, 1, 0];
        let mut i = 0usize;
        let src = move || {
            i += 1;
            pattern[i % pattern.len()] as i32
        };
        let mut call = V22bis::new(rate, GuardTone::None, Role::Calling, src, BitLog::default());
        let mut ans = V22bis::new(rate, GuardTone::None, Role::Answering, || 1, BitLog::default());
        let (mut cb, mut ab) = ([0i16; BLOCK], [0i16; BLOCK]);
        for _ in 0..150 {
            call.rx(&ab);
            ans.rx(&cb);
            call.tx(&mut cb);
            ans.tx(&mut ab);
        }
        // Bits per second while sending data.
        let sent0 = call.bits_sent();
        let got0 = ans.bits_received();
        for _ in 0..50 {
            call.rx(&ab);
            ans.rx(&cb);
            call.tx(&mut cb);
            ans.tx(&mut ab);
        }
        assert_eq!(call.bits_sent() - sent0, rate as u64, "{rate}: bits asked for in 1 s");
        assert_eq!(ans.bits_received() - got0, rate as u64, "{rate}: bits delivered in 1 s");
        let bits = &ans.sink().bits;
        let first0 = bits.iter().position(|&b| b == 0).unwrap();
        let seq: Vec<u8> = (0..200).map(|k| pattern[(k + 1) % pattern.len()]).collect();
        let at = bits.windows(200).position(|w| w == seq.as_slice()).expect("pattern not received");
        assert!(bits[..at].iter().all(|&b| b == 1) && at <= first0 + 1, "{rate}");
        // Everything after it is the pattern, bit for bit.
        let tail = &bits[at..];
        assert!(tail.iter().enumerate().all(|(k, &b)| b == pattern[(k + 1) % pattern.len()]), "{rate}");
        // And the calling modem heard only marks.
        assert!(call.sink().bits.iter().all(|&b| b == 1));
    }
}

#[test]
fn accessors_after_training() {
    let mut link = Link::new(2400, 2400);
    link.run_until(3000, "train", |l| l.call.trained() && l.ans.trained());
    link.run_for(500);
    for (who, m, carrier) in [("calling", &mut link.call, 2400.0f32), ("answering", &mut link.ans, 1200.0)] {
        let p = m.signal_power();
        let f = m.carrier_frequency();
        let eq = m.equalizer();
        let t = m.symbol_timing_correction();
        println!("{who}: signal power {p:.1} dBm0, carrier {f:.2} Hz, {} equaliser taps, timing {t}", eq.len());
        assert!((-16.0..=-10.0).contains(&p), "{who}: {p}");
        assert!((f - carrier).abs() < 1.0, "{who}: {f}");
        assert!(!eq.is_empty() && eq.iter().any(|c| c.re != 0.0 || c.im != 0.0));
        // The last decided symbols lie on the 16-point constellation, close to their targets.
        let pts: Vec<_> = m.qam_points().filter(|p| p.target.is_some()).collect();
        assert!(pts.len() > 100);
        for p in pts.iter().rev().take(100) {
            let (c, t) = (p.constel.unwrap(), p.target.unwrap());
            assert!((0..16).contains(&p.symbol));
            assert!([-3.0, -1.0, 1.0, 3.0].contains(&t.re) && [-3.0, -1.0, 1.0, 3.0].contains(&t.im), "{t:?}");
            assert!((c.re - t.re).hypot(c.im - t.im) < 0.5, "{c:?} vs {t:?}");
        }
    }
    assert!(link.call.qam_reports() > 1000);
}

#[test]
fn captured_log_names_the_stages() {
    let mut link = Link::new(2400, 2400);
    link.call.set_log_level(ffi::SPAN_LOG_FLOW | ffi::SPAN_LOG_SHOW_TAG, "CALL");
    link.ans.set_log_level(ffi::SPAN_LOG_FLOW | ffi::SPAN_LOG_SHOW_TAG, "ANS");
    link.call.capture_log();
    link.ans.capture_log();
    take_captured_log();
    link.run_until(3000, "train", |l| l.call.trained() && l.ans.trained());
    let log = take_captured_log();
    for l in &log {
        println!("{:6} ms {} {}", l.at / 8, if l.during_tx { "tx" } else { "rx" }, l.text);
    }
    let find = |s: &str| log.iter().find(|l| l.text.contains(s)).map(|l| l.at as usize / 8);
    assert!(find("ANS +++ starting U11").is_some());
    assert!(find("CALL +++ Tx normal operation (2400)").is_some());
    assert!(take_captured_log().is_empty());
}

/// Not a check: prints the start-up log of both ends with 1 ms resolution (8-sample blocks, so
/// also 1 ms of link delay), for the timings in the module notes. Run with
/// `cargo test -p spandsp-peer --test v22bis timeline -- --ignored --nocapture`.
#[test]
#[ignore]
fn timeline_at_1_ms_resolution() {
    for (rc, ra) in [(2400, 2400), (1200, 1200), (2400, 1200)] {
        println!("== calling {rc}, answering {ra}");
        let mut call = V22bis::async_8n1(rc, Role::Calling);
        let mut ans = V22bis::async_8n1(ra, Role::Answering);
        call.set_log_level(ffi::SPAN_LOG_FLOW | ffi::SPAN_LOG_SHOW_TAG, "CALL");
        ans.set_log_level(ffi::SPAN_LOG_FLOW | ffi::SPAN_LOG_SHOW_TAG, "ANS ");
        call.capture_log();
        ans.capture_log();
        let (mut cb, mut ab) = ([0i16; 8], [0i16; 8]);
        let (mut nc, mut na) = (0, 0);
        for _ in 0..2500 {
            call.rx(&ab);
            ans.rx(&cb);
            call.tx(&mut cb);
            ans.tx(&mut ab);
            for l in take_captured_log() {
                println!("{:5} ms {} {}", l.at / 8, if l.during_tx { "tx" } else { "rx" }, l.text);
            }
            for (m, n, who) in [(&call, &mut nc, "CALL"), (&ans, &mut na, "ANS ")] {
                for e in &m.statuses()[*n..] {
                    println!(
                        "{:5} ms {} {who} status: {}",
                        e.at / 8,
                        if e.during_tx { "tx" } else { "rx" },
                        describe(e.code)
                    );
                }
                *n = m.statuses().len();
            }
        }
    }
}
