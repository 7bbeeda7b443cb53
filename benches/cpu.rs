//! CPU cost of one V.22bis modem (transmitter and receiver), ours against spandsp's.
//!
//! ```sh
//! cargo bench --bench cpu                          # 30 s of audio, 31 repeats
//! cargo bench --bench cpu -- --seconds 10 --repeats 3
//! cargo bench --bench cpu -- --only ours           # one of ours|spandsp|pump|receiver, for a profiler
//! ```
//!
//! The WASM counterpart is `bench/wasm-cpu.mjs` (Node). Our side of the measurement (the recorded
//! call, the replay and its checks) is `softmodem::sim::bench`, which the WASM benchmark shares;
//! here it is timed with `std::time::Instant`.
//!
//! What is measured: the calling modem of a full-duplex V.22bis call at 2400 bit/s, both ends
//! sending data all the time, over a line with 30 dB SNR. First a live call is run and the
//! calling modem's line input (what the answerer sent, through the line) is recorded; then a
//! fresh calling modem is fed that recording block by block, 160 samples at a time. The modem is
//! deterministic and hears exactly what it heard in the live call, so it trains the same way and
//! is in data mode at 2400 bit/s when the timed part starts (after `WARMUP_S`); only its
//! processing (receive and transmit) of each block is timed, nothing of the answerer or the line.
//!
//! - ours: [`softmodem::modem::Modem`] (family `v22bis`, calling) against our answerer; the timed
//!   call is `Modem::process(rx, tx)`, which covers the data pump, V.14 start-stop framing and the
//!   byte queues.
//! - spandsp: Debian's libspandsp V.22bis (through the `spandsp-peer` FFI crate), calling, against
//!   a spandsp answerer; the timed calls are `v22bis_rx` and `v22bis_tx` on the block, with
//!   spandsp's own `async_tx`/`async_rx` start-stop framing behind its bit callbacks.
//!
//! Bytes are written to and read from the modem between timed segments (one second of audio
//! each). Every run is checked, or the bench fails: the caller stays in data mode at 2400 bit/s
//! with no retrain or carrier change, receives exactly what the answerer sent (at least 90 % of
//! 240 characters a second), and sends exactly the signal it sent in the live call (whose data the
//! answerer received intact, which is checked too).
//!
//! The result is CPU milliseconds per second of audio (wall-clock time of a single thread, which
//! on an idle core is CPU time), median and minimum over the repeats, which alternate between the
//! two modems so a busy machine hurts both alike. A last line, starting `RESULT`, has the figures
//! as `key=value` pairs for scripts. A breakdown of our modem (the data pump without the character
//! layer, and the receiver alone) follows the table.

use std::hint::black_box;
use std::time::{Duration, Instant};

use softmodem::bits::BitSink;
use softmodem::sim::bench::{self, line, text, Recording, Warm, BLOCKS_PER_S, CPS, SNR_DB, WARMUP_S};
use softmodem::sim::line::Direction;
use softmodem::v22bis::pump::{Phase, Pump};
use softmodem::v22bis::Rate;
use spandsp_peer::v22bis::{Role as SpRole, V22bis};

/// Samples per block, as a telephony host hands them over (20 ms).
const BLOCK: usize = softmodem::sim::call::BLOCK;
struct Args {
    seconds: usize,
    repeats: usize,
    /// `ours`, `spandsp`, `pump` or `receiver`: time only that one (for a profiler), no table.
    only: Option<String>,
}

fn args() -> Args {
    let mut a = Args { seconds: 30, repeats: 31, only: None };
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let num = |i: usize| -> usize {
        let v = argv.get(i + 1).and_then(|v| v.parse().ok());
        v.unwrap_or_else(|| panic!("{} takes a positive number", argv[i]))
    };
    for (i, s) in argv.iter().enumerate() {
        match s.as_str() {
            "--seconds" => a.seconds = num(i).max(1),
            "--repeats" => a.repeats = num(i).max(1),
            "--only" => a.only = argv.get(i + 1).cloned(),
            // cargo bench passes --bench; anything else is ignored too.
            _ => {}
        }
    }
    a
}

/// Ours, timed with the native clock: `sim::bench::timed` in milliseconds per second of audio.
fn ours_timed(rec: &Recording, warm: &Warm) -> (f64, usize) {
    let t0 = Instant::now();
    let mut clock = || t0.elapsed().as_secs_f64() * 1000.0;
    let t = bench::timed(rec, warm, &mut clock).unwrap_or_else(|e| panic!("ours: {e}"));
    (t.spent / rec.seconds as f64, t.bytes)
}

// ---------------------------------------------------------------------------------------------
// Breakdown of ours: the pump alone (no character layer) and the receiver alone.

/// A bit sink that counts.
struct Count(u64);
impl BitSink for Count {
    fn put_bit(&mut self, bit: u8, _soft: f32) {
        self.0 += bit as u64;
    }
}

fn pump_timed(call: &Recording, pump: &Pump) -> Duration {
    let mut p = pump.clone();
    let mut out = vec![0.0f32; BLOCK];
    let mut sink = Count(0);
    let mut x = 0x1234_5678u32;
    let mut source = || {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        (x & 1) as u8
    };
    let timed = &call.heard[WARMUP_S * BLOCKS_PER_S * BLOCK..];
    let t0 = Instant::now();
    for blk in timed.chunks_exact(BLOCK) {
        p.process(black_box(blk), &mut out, &mut source, &mut sink);
    }
    let spent = t0.elapsed();
    black_box((&out, sink.0));
    assert_eq!(p.phase(), Phase::Data(Rate::R2400), "pump left data mode");
    spent
}

fn receiver_timed(call: &Recording, pump: &Pump) -> Duration {
    let mut rx = pump.receiver().clone();
    let mut n = 0u64;
    let timed = &call.heard[WARMUP_S * BLOCKS_PER_S * BLOCK..];
    let t0 = Instant::now();
    for blk in timed.chunks_exact(BLOCK) {
        rx.process(black_box(blk), |s| n += s.b34.0 as u64);
    }
    let spent = t0.elapsed();
    black_box(n);
    assert_eq!(rx.rate(), Some(Rate::R2400), "receiver left 2400 bit/s");
    spent
}

// ---------------------------------------------------------------------------------------------
// spandsp

struct SpCall {
    heard: Vec<i16>,
    sent: Vec<i16>,
    ans_data: Vec<u8>,
    call_data: Vec<u8>,
}

fn sp_modem(role: SpRole, data: &[u8]) -> V22bis {
    let mut m = V22bis::async_8n1(2400, role);
    // Keep no constellation history: that is this wrapper's cost, not spandsp's.
    m.set_qam_history(0);
    // At its default threshold spandsp takes noise for a carrier (see spandsp_peer::v22bis).
    m.set_cutoff(-35.0);
    m.write(data);
    m
}

fn sp_at_2400(m: &mut V22bis) -> bool {
    m.trained() && m.carrier() && m.current_bit_rate() == 2400
}

fn record_spandsp(blocks: usize) -> SpCall {
    let seconds = blocks / BLOCKS_PER_S;
    let ans_data = text(CPS * (seconds + 2), 4);
    let call_data = text(CPS * (seconds + 2), 3);
    let mut caller = sp_modem(SpRole::Calling, &call_data);
    let mut answerer = sp_modem(SpRole::Answering, &ans_data);
    let mut to_caller = Direction::new(line(), 1);
    let mut to_answerer = Direction::new(line(), 2);
    let (mut c_out, mut a_out) = ([0i16; BLOCK], [0i16; BLOCK]);
    let (mut c_out_f, mut a_out_f) = ([0.0f32; BLOCK], [0.0f32; BLOCK]);
    let (mut c_in_f, mut a_in_f) = ([0.0f32; BLOCK], [0.0f32; BLOCK]);
    let (mut c_in, mut a_in) = ([0i16; BLOCK], [0i16; BLOCK]);
    let mut heard = Vec::with_capacity(blocks * BLOCK);
    let mut sent = Vec::with_capacity(blocks * BLOCK);
    for b in 0..blocks {
        to_caller.process(&a_out_f, &mut c_in_f);
        to_answerer.process(&c_out_f, &mut a_in_f);
        for i in 0..BLOCK {
            c_in[i] = softmodem::dsp::to_i16(c_in_f[i]);
            a_in[i] = softmodem::dsp::to_i16(a_in_f[i]);
        }
        heard.extend_from_slice(&c_in);
        caller.rx(&c_in);
        caller.tx(&mut c_out);
        sent.extend_from_slice(&c_out);
        answerer.rx(&a_in);
        answerer.tx(&mut a_out);
        for i in 0..BLOCK {
            c_out_f[i] = c_out[i] as f32 / 32768.0;
            a_out_f[i] = a_out[i] as f32 / 32768.0;
        }
        if b + 1 == WARMUP_S * BLOCKS_PER_S {
            assert!(
                sp_at_2400(&mut caller) && sp_at_2400(&mut answerer) && caller.bits_received() > 0,
                "spandsp: no 2400 bit/s connection after {WARMUP_S} s"
            );
        }
    }
    assert!(sp_at_2400(&mut caller) && sp_at_2400(&mut answerer), "spandsp: the live call left 2400 bit/s");
    let (c_got, a_got) = (caller.take(), answerer.take());
    assert_eq!(c_got, ans_data[..c_got.len()], "spandsp, live call: caller received wrong data");
    assert_eq!(a_got, call_data[..a_got.len()], "spandsp, live call: answerer received wrong data");
    let min = CPS * (seconds - WARMUP_S) * 9 / 10;
    assert!(
        c_got.len() > min && a_got.len() > min,
        "spandsp, live call: too little data ({} {})",
        c_got.len(),
        a_got.len()
    );
    SpCall { heard, sent, ans_data, call_data }
}

/// Feeds a fresh spandsp caller the recording, untimed through the warm-up and timed after it;
/// returns the time spent in `v22bis_rx` and `v22bis_tx` after the warm-up.
fn spandsp_timed(call: &SpCall) -> (Duration, usize) {
    let mut m = sp_modem(SpRole::Calling, &call.call_data);
    let mut out = [0i16; BLOCK];
    let start = WARMUP_S * BLOCKS_PER_S * BLOCK;
    let (warm, timed) = call.heard.split_at(start);
    for blk in warm.chunks_exact(BLOCK) {
        m.rx(blk);
        m.tx(&mut out);
    }
    assert!(
        sp_at_2400(&mut m) && m.bits_received() > 0,
        "spandsp, replay: not in 2400 bit/s data mode after the warm-up"
    );
    let statuses = m.statuses().len();
    let got0 = m.received().len();
    let mut out = vec![0i16; timed.len()];
    let mut spent = Duration::ZERO;
    for (second, out) in timed.chunks(BLOCKS_PER_S * BLOCK).zip(out.chunks_mut(BLOCKS_PER_S * BLOCK)) {
        let t0 = Instant::now();
        for (blk, o) in second.chunks_exact(BLOCK).zip(out.chunks_exact_mut(BLOCK)) {
            m.rx(black_box(blk));
            m.tx(o);
        }
        spent += t0.elapsed();
    }
    assert!(sp_at_2400(&mut m), "spandsp, replay: left 2400 bit/s data mode");
    assert_eq!(
        m.statuses().len(),
        statuses,
        "spandsp, replay: status changes during the timed part: {:?}",
        m.statuses()
    );
    assert!(out == call.sent[start..], "spandsp, replay: sent another signal than in the live call");
    let got = m.take();
    assert_eq!(got, call.ans_data[..got.len()], "spandsp, replay: received wrong data");
    let bytes = got.len() - got0;
    let timed_s = timed.len() / BLOCK / BLOCKS_PER_S;
    assert!(bytes > CPS * timed_s * 9 / 10, "spandsp, replay: received only {bytes} bytes");
    (spent, bytes)
}

// ---------------------------------------------------------------------------------------------

fn ms_per_s(d: Duration, seconds: usize) -> f64 {
    d.as_secs_f64() * 1000.0 / seconds as f64
}

fn median(v: &[f64]) -> f64 {
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    let n = s.len();
    if n % 2 == 1 {
        s[n / 2]
    } else {
        (s[n / 2 - 1] + s[n / 2]) / 2.0
    }
}

fn min(v: &[f64]) -> f64 {
    v.iter().copied().fold(f64::INFINITY, f64::min)
}

fn main() {
    let a = args();
    let blocks = (WARMUP_S + a.seconds) * BLOCKS_PER_S;
    let t = Instant::now();
    let ours = bench::record(a.seconds).unwrap_or_else(|e| panic!("ours: {e}"));
    let sp = record_spandsp(blocks);
    let warm = bench::warm_up(&ours).unwrap_or_else(|e| panic!("ours: {e}"));
    let pump = warm.modem.v22_pump().expect("a V.22bis modem has a pump").clone();
    eprintln!("recorded both calls ({:.1} s)", t.elapsed().as_secs_f64());

    if let Some(only) = &a.only {
        // For a profiler: one modem, over and over, and its figures.
        let v: Vec<f64> = (0..a.repeats)
            .map(|_| match only.as_str() {
                "ours" => ours_timed(&ours, &warm).0,
                "spandsp" => ms_per_s(spandsp_timed(&sp).0, a.seconds),
                "pump" => ms_per_s(pump_timed(&ours, &pump), a.seconds),
                "receiver" => ms_per_s(receiver_timed(&ours, &pump), a.seconds),
                _ => panic!("--only takes ours, spandsp, pump or receiver"),
            })
            .collect();
        println!("{only}: median {:.4} min {:.4} ms per s of audio", median(&v), min(&v));
        return;
    }
    // One untimed pass of each to warm caches and the CPU's clock. Every pass checks the same.
    let (_, o_checked) = ours_timed(&ours, &warm);
    let (_, s_checked) = spandsp_timed(&sp);
    let (mut o, mut s) = (Vec::new(), Vec::new());
    let ours_run = || {
        let (ms, c) = ours_timed(&ours, &warm);
        assert!(c == o_checked, "ours: a repeat differed");
        ms
    };
    let spandsp_run = || {
        let (d, c) = spandsp_timed(&sp);
        assert!(c == s_checked, "spandsp: a repeat differed");
        ms_per_s(d, a.seconds)
    };
    for r in 0..a.repeats {
        // Alternate which goes first, so neither always follows the other.
        if r % 2 == 0 {
            o.push(ours_run());
            s.push(spandsp_run());
        } else {
            s.push(spandsp_run());
            o.push(ours_run());
        }
    }
    let (mut p, mut rx) = (Vec::new(), Vec::new());
    for _ in 0..a.repeats {
        p.push(ms_per_s(pump_timed(&ours, &pump), a.seconds));
        rx.push(ms_per_s(receiver_timed(&ours, &pump), a.seconds));
    }

    let (om, omin, sm, smin) = (median(&o), min(&o), median(&s), min(&s));
    println!();
    println!(
        "V.22bis, one calling modem (receive + transmit), 2400 bit/s data both ways, {SNR_DB} dB SNR, \
         {} s of audio in {BLOCK}-sample blocks, {} repeats",
        a.seconds, a.repeats
    );
    println!("CPU ms per second of audio (lower is better):");
    println!();
    println!("| modem                        | median | min    | x real time (median) |");
    println!("|------------------------------|--------|--------|----------------------|");
    println!("| ours (Modem::process)        | {om:6.3} | {omin:6.3} | {:20.0} |", 1000.0 / om);
    println!("| spandsp 0.0.6 (rx + tx)      | {sm:6.3} | {smin:6.3} | {:20.0} |", 1000.0 / sm);
    println!("| ratio ours / spandsp         | {:6.3} | {:6.3} |                      |", om / sm, omin / smin);
    println!();
    println!(
        "Checked on every run: both callers in 2400 bit/s data mode throughout the timed part, no \
         retrain or carrier change, transmitted signal identical to the live call's (whose data the \
         answerer received intact); received intact in the timed part: ours {} bytes, spandsp {} bytes.",
        o_checked, s_checked
    );
    println!();
    println!("Breakdown of ours (median, min):");
    let (pm, pmin, rm, rmin) = (median(&p), min(&p), median(&rx), min(&rx));
    println!("  data pump alone (rx + tx + start-up logic): {pm:6.3} {pmin:6.3}");
    println!("  receiver alone:                             {rm:6.3} {rmin:6.3}");
    println!("  so transmitter + pump logic ~ {:.3}, character layer + queues ~ {:.3}", pmin - rmin, omin - pmin);
    println!();
    println!(
        "RESULT native_ours_ms_per_s={om:.4} native_ours_min_ms_per_s={omin:.4} \
         native_spandsp_ms_per_s={sm:.4} native_spandsp_min_ms_per_s={smin:.4} \
         ratio_ours_over_spandsp={:.4} ratio_min_ours_over_spandsp={:.4} audio_s={} repeats={}",
        om / sm,
        omin / smin,
        a.seconds,
        a.repeats
    );
    eprintln!("total {:.1} s", t.elapsed().as_secs_f64());
}
