//! `encode`, `decode` and `sim` for V.22 and V.22bis: synchronous modems need a partner to train
//! with, so these run a back-to-back call.

use crate::args::Args;
use crate::Failure;
use softmodem::dsp::SAMPLE_RATE;
use softmodem::g711::Law;
use softmodem::modem::{Config, Event, Modem};
use softmodem::sim::bert::{BerCounter, PatternPump};
use softmodem::sim::call::{BackToBack, BLOCK};
use softmodem::sim::line::{Band, Dropout, Echo, Impairments, Line, NetworkModel};
use softmodem::startstop::Format;
use softmodem::types::{Family, Role};
use softmodem::v22bis::pump::{Config as PumpConfig, Phase, PumpEvent};
use softmodem::v22bis::GuardTone;

/// The V.22 modes of `encode`/`decode`: the family, and whose signal the file holds.
pub const MODES: [(&str, Family, Role); 4] = [
    ("v22-call", Family::V22, Role::Call),
    ("v22-ans", Family::V22, Role::Answer),
    ("v22bis-call", Family::V22bis, Role::Call),
    ("v22bis-ans", Family::V22bis, Role::Answer),
];

/// Looks up a V.22 mode by name.
pub fn mode(name: &str) -> Option<(Family, Role)> {
    MODES.iter().find(|m| m.0 == name).map(|m| (m.1, m.2))
}

/// The most samples [`encode`] records for `bytes` bytes: 10 s for the start-up and the tail, and
/// the data at 1200 bit/s.
pub fn encode_limit(format: Format, bytes: usize) -> usize {
    let bits = format.bits_per_char() as f64 * bytes as f64;
    ((10.0 + bits / 1200.0) * SAMPLE_RATE as f64) as usize
}

/// Runs a back-to-back call in which the `role` end sends `data` once connected; returns that
/// end's line signal from the first sample until 250 ms after its last character.
pub fn encode(family: Family, role: Role, level: f32, format: Format, data: &[u8]) -> Result<Vec<f32>, Failure> {
    let mut cfg = Config::new(family, role);
    cfg.level_dbm0 = level;
    cfg.format = format;
    cfg.queue_capacity = data.len().max(1);
    let mut ours = Modem::new(cfg);
    let mut peer_cfg = Config::new(family, role.other());
    peer_cfg.format = format;
    ours.write(data);
    let mut call = BackToBack::direct(ours, Modem::new(peer_cfg));
    let mut recording = Vec::new();
    let limit = encode_limit(format, data.len());
    let mut idle_since: Option<usize> = None;
    while recording.len() < limit {
        call.step();
        recording.extend_from_slice(call.a_sent());
        let ours = &call.a;
        let done = ours.state() == softmodem::modem::State::Data && ours.tx_pending() == 0;
        match (done, idle_since) {
            (true, None) => idle_since = Some(recording.len()),
            (true, Some(t)) if recording.len() >= t + SAMPLE_RATE as usize / 4 => return Ok(recording),
            (false, _) => idle_since = None,
            _ => {}
        }
    }
    Err(Failure::Run(format!(
        "the {} call did not finish sending in {} s",
        family.name(),
        limit / SAMPLE_RATE as usize
    )))
}

/// Plays the other role against a recorded `role` signal; returns the bytes received and prints
/// events on stderr.
pub fn decode(family: Family, role: Role, format: Format, samples: &[f32]) -> Vec<u8> {
    let mut cfg = Config::new(family, role.other());
    cfg.format = format;
    cfg.queue_capacity = 1 << 20;
    let mut m = Modem::new(cfg);
    let mut out = vec![0.0f32; 160];
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    let tail = vec![0.0f32; SAMPLE_RATE as usize / 2];
    for (i, block) in samples.chunks(160).chain(tail.chunks(160)).enumerate() {
        m.process(block, &mut out[..block.len()]);
        while let Some(e) = m.poll_event() {
            let t = (i * 160) as f32 / SAMPLE_RATE as f32;
            match e {
                Event::Connected { rx_rate, .. } => eprintln!("{t:8.3} s  CONNECT {rx_rate}"),
                other => eprintln!("{t:8.3} s  {other:?}"),
            }
        }
        let n = m.read(&mut buf);
        got.extend_from_slice(&buf[..n]);
    }
    let st = m.stats();
    eprintln!(
        "decoded {:.3} s as the {} end of a {} call: {} characters, {} framing errors, {} parity errors, {} breaks",
        samples.len() as f32 / SAMPLE_RATE as f32,
        if role == Role::Call { "answering" } else { "calling" },
        family.name(),
        st.chars,
        st.framing_errors,
        st.parity_errors,
        st.breaks
    );
    got
}

fn parse_dropout(s: &str) -> Result<Dropout, Failure> {
    let bad = || {
        Failure::Usage(format!(
            "--dropout '{s}': expected AT_MS:LENGTH_MS, e.g. 3000:300 (start 0 to 3600000 ms, length above 0 up to 3600000 ms)"
        ))
    };
    let (a, b) = s.split_once(':').ok_or_else(bad)?;
    let at_ms: f32 = a.parse().map_err(|_| bad())?;
    let ms: f32 = b.parse().map_err(|_| bad())?;
    if !((0.0..=3.6e6).contains(&at_ms) && ms > 0.0 && ms <= 3.6e6) {
        return Err(bad());
    }
    Ok(Dropout { at_ms, ms })
}

/// `softmodem sim`: a full-duplex V.22/V.22bis call through the line simulator, each end sending
/// the O.152 test pattern; prints connect times, rates, retrains and bit errors each way.
pub fn sim(argv: &[String]) -> Result<(), Failure> {
    let args = Args::parse(
        argv,
        &[
            "mode",
            "snr",
            "freq-offset",
            "clock-ppm",
            "echo-db",
            "codec",
            "seconds",
            "seed",
            "dropout",
            "guard",
            "band",
            "level",
            "peer",
        ],
        &[],
    )?;
    let m = args.required("mode")?;
    let family = match m {
        "v22" => Family::V22,
        "v22bis" => Family::V22bis,
        _ => return Err(Failure::Usage(format!("unknown mode '{m}' (sim supports v22 and v22bis)"))),
    };
    let peer_family = match args.get("peer") {
        None => family,
        Some("v22") => Family::V22,
        Some("v22bis") => Family::V22bis,
        Some(p) => return Err(Failure::Usage(format!("unknown --peer '{p}' (v22 or v22bis)"))),
    };
    if !args.positional.is_empty() {
        return Err(Failure::Usage("sim takes no positional arguments".into()));
    }
    let seconds: f32 = args.num("seconds", 10.0)?;
    if !(seconds > 0.0 && seconds <= 3600.0) {
        return Err(Failure::Usage(format!("--seconds {seconds}: must be between 0 and 3600")));
    }
    let seed: u64 = args.num("seed", 1)?;
    let level = crate::level(&args)?;
    let mut imp = Impairments {
        freq_offset_hz: args.num("freq-offset", 0.0)?,
        clock_ppm: args.num("clock-ppm", 0.0)?,
        ..Default::default()
    };
    if imp.freq_offset_hz.abs() > 50.0 || !imp.freq_offset_hz.is_finite() {
        return Err(Failure::Usage(format!("--freq-offset {}: must be within +-50 Hz", imp.freq_offset_hz)));
    }
    if imp.clock_ppm.abs() > 2000.0 || !imp.clock_ppm.is_finite() {
        return Err(Failure::Usage(format!("--clock-ppm {}: must be within +-2000", imp.clock_ppm)));
    }
    if let Some(e) = args.get("echo-db") {
        let db: f32 = e.parse().map_err(|_| Failure::Usage(format!("--echo-db: '{e}' is not a number")))?;
        if !(-100.0..=0.0).contains(&db) {
            return Err(Failure::Usage(format!("--echo-db {db}: must be between -100 and 0 dB")));
        }
        imp.near_echo = Some(Echo { level_db: db, delay_ms: 2.0 });
    }
    imp.codec = match args.get("codec") {
        None | Some("none") => None,
        Some("ulaw") => Some(Law::MuLaw),
        Some("alaw") => Some(Law::ALaw),
        Some(c) => return Err(Failure::Usage(format!("unknown --codec '{c}' (ulaw, alaw or none)"))),
    };
    imp.band = match args.get("band") {
        None | Some("full") => Band::Full,
        Some("telephone") => Band::Telephone,
        Some("short-loops") => Band::Model(NetworkModel::ShortLoops),
        Some("long-loops") => Band::Model(NetworkModel::LongLoops),
        Some(b) => {
            return Err(Failure::Usage(format!("unknown --band '{b}' (full, telephone, short-loops or long-loops)")))
        }
    };
    if let Some(d) = args.get("dropout") {
        imp.dropouts.push(parse_dropout(d)?);
    }
    if let Some(snr) = args.get("snr") {
        let snr: f32 = snr.parse().map_err(|_| Failure::Usage(format!("--snr: '{snr}' is not a number")))?;
        if !(-20.0..=100.0).contains(&snr) {
            return Err(Failure::Usage(format!("--snr {snr}: must be between -20 and 100 dB")));
        }
        imp = imp.with_snr(snr, level);
    }
    // What the options above let through, the simulator must take too.
    imp.validate().map_err(|e| Failure::Usage(format!("line: {e}")))?;
    let guard = crate::guard(&args)?;
    let report = run_sim(family, peer_family, level, guard, imp.clone(), seconds, seed);
    println!("{}", report.describe(family, peer_family, &imp, seconds, seed));
    Ok(())
}

/// What a simulated call did.
pub struct SimReport {
    /// Per end (caller, answerer): when data mode was reached, and at what rate.
    pub connected: [Option<(f32, u32)>; 2],
    /// Retrains started, per end.
    pub retrains: [u32; 2],
    /// Pattern checks of what each end received (caller's, answerer's).
    pub received: [BerCounter; 2],
    /// Receiver SNR estimates at the end of the call, dB.
    pub snr_db: [f32; 2],
}

/// Runs the simulated call.
pub fn run_sim(
    family: Family,
    peer_family: Family,
    level: f32,
    guard: GuardTone,
    imp: Impairments,
    seconds: f32,
    seed: u64,
) -> SimReport {
    let cfg = |f: Family, r: Role| PumpConfig::for_family(f, r, level, guard);
    let mut call = BackToBack::new(
        PatternPump::new(cfg(family, Role::Call)),
        PatternPump::new(cfg(peer_family, Role::Answer)),
        Line::symmetric(imp, seed),
    );
    let mut report =
        SimReport { connected: [None; 2], retrains: [0; 2], received: Default::default(), snr_db: [0.0; 2] };
    let blocks = (seconds * SAMPLE_RATE as f32 / BLOCK as f32) as usize;
    for _ in 0..blocks {
        call.step();
        let t = call.now().as_secs_f64() as f32;
        for (k, p) in [&mut call.a.pump, &mut call.b.pump].into_iter().enumerate() {
            while let Some(e) = p.poll_event() {
                match e {
                    PumpEvent::Connected(rate) if report.connected[k].is_none() => {
                        report.connected[k] = Some((t, rate.bps()))
                    }
                    PumpEvent::Connected(_) => {}
                    PumpEvent::Retrain { .. } => report.retrains[k] += 1,
                    PumpEvent::TooPoorFor2400 { .. } | PumpEvent::Hopeless { .. } => {}
                }
            }
        }
    }
    let (a, b) = call.into_ends();
    for (snr, p) in report.snr_db.iter_mut().zip([&a.pump, &b.pump]) {
        *snr = if matches!(p.phase(), Phase::Data(_)) { p.receiver().snr_db() } else { f32::NAN };
    }
    report.received = [a.received, b.received];
    report
}

impl SimReport {
    /// A human-readable account.
    pub fn describe(&self, family: Family, peer: Family, imp: &Impairments, seconds: f32, seed: u64) -> String {
        let mut s = format!("{} caller against {} answerer, {seconds} s, seed {seed}", family.name(), peer.name());
        s += &format!("\nline: {}", describe_line(imp));
        for (k, end) in ["caller", "answerer"].iter().enumerate() {
            s += &match self.connected[k] {
                Some((t, rate)) => format!("\n{end}: CONNECT {rate} at {t:.2} s"),
                None => format!("\n{end}: did not connect"),
            };
            s += &format!(", {} retrain(s), receiver SNR {:.1} dB", self.retrains[k], self.snr_db[k]);
        }
        for (k, dir) in ["answerer -> caller", "caller -> answerer"].iter().enumerate() {
            let c = &self.received[k];
            let ber = if c.bits == 0 {
                "no data".to_string()
            } else if c.errors == 0 {
                format!("BER < {:.1e}", 1.0 / c.bits as f64)
            } else {
                format!("BER {:.2e}", c.ber())
            };
            s += &format!(
                "\n{dir}: {} bits counted, {} errors ({ber}), pattern lost {} time(s)",
                c.bits,
                c.errors,
                c.losses()
            );
            if c.lost > 0 {
                s += &format!(" ({} bits lost while finding it again, counted as errors)", c.lost);
            }
        }
        s
    }
}

/// The impairments in words.
pub fn describe_line(imp: &Impairments) -> String {
    let mut parts = vec![];
    if let Some(n) = imp.noise_dbm0 {
        parts.push(format!("noise {n:.1} dBm0"));
    }
    if imp.freq_offset_hz != 0.0 {
        parts.push(format!("{:+} Hz", imp.freq_offset_hz));
    }
    if imp.clock_ppm != 0.0 {
        // One relation between the two ends' clocks (see `Line::symmetric`).
        parts.push(format!("answerer's clock {:+} ppm", imp.clock_ppm));
    }
    if let Some(e) = imp.near_echo {
        parts.push(format!("near echo {} dB", e.level_db));
    }
    if let Some(e) = imp.far_echo {
        parts.push(format!("far echo {} dB at {} ms", e.level_db, e.delay_ms));
    }
    if let Some(c) = imp.codec {
        parts.push(format!("{c:?}"));
    }
    if imp.band != Band::Full {
        parts.push(format!("{:?} band", imp.band));
    }
    for d in &imp.dropouts {
        parts.push(format!("{} ms dropout at {} ms", d.ms, d.at_ms));
    }
    if parts.is_empty() {
        "clean".into()
    } else {
        parts.join(", ")
    }
}
