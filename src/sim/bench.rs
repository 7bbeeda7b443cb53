//! The CPU benchmark of one V.22bis modem, shared by `cargo bench --bench cpu` (native, against
//! spandsp) and `bench/wasm-cpu.mjs` (WebAssembly in Node): each passes in its own clock.
//!
//! What is measured: the calling modem of a full-duplex V.22bis call at 2400 bit/s, both ends
//! sending data all the time, over a line with 30 dB SNR. First a live call is run and the calling
//! modem's line input is recorded ([`record`]); then a fresh calling modem is fed that recording
//! block by block, 160 samples at a time ([`warm_up`], then [`timed`]). The modem is deterministic
//! and hears exactly what it heard in the live call, so it trains the same way and is in data mode
//! at 2400 bit/s when the timed part starts (after [`WARMUP_S`]); only its processing (receive and
//! transmit) of each block is timed, nothing of the answerer or the line.
//!
//! Every run is checked, or it fails: the caller stays in data mode at 2400 bit/s with no event,
//! receives exactly what the answerer sent (at least 90 % of 240 characters a second), and sends
//! exactly the signal it sent in the live call (whose data the answerer received intact).

use core::fmt;
use core::hint::black_box;

use crate::modem::{Config, Event, Modem, State};
use crate::sim::call::{BackToBack, BLOCK};
use crate::sim::line::{Direction, Impairments, Line};
use crate::types::{Family, Role};

/// Blocks per second.
pub const BLOCKS_PER_S: usize = 8000 / BLOCK;
/// Audio before the timed part: both modems have trained and pass data by then.
pub const WARMUP_S: usize = 3;
/// Line: this signal-to-noise ratio for a -13 dBm0 signal.
pub const SNR_DB: f32 = 30.0;
/// Characters per second at 2400 bit/s, 8N1.
pub const CPS: usize = 240;

/// Why a benchmark run failed its checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BenchError(pub &'static str);

impl fmt::Display for BenchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "V.22bis CPU benchmark: {}", self.0)
    }
}

impl std::error::Error for BenchError {}

/// Printable pseudo-random text, different for each seed.
pub fn text(n: usize, seed: u32) -> Vec<u8> {
    let mut x = seed.wrapping_mul(2_654_435_761).wrapping_add(1);
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            b' ' + (x % 95) as u8
        })
        .collect()
}

/// The line of the benchmark, each way.
pub fn line() -> Impairments {
    Impairments::default().with_snr(SNR_DB, -13.0)
}

/// Keeps a modem's transmit queue full from `data`, `sent` bytes of it taken so far.
pub fn top_up(m: &mut Modem, data: &[u8], sent: &mut usize) {
    let room = m.tx_free().min(data.len() - *sent);
    *sent += m.write(&data[*sent..*sent + room]);
}

/// Moves everything the modem received into `got`.
pub fn drain(m: &mut Modem, got: &mut Vec<u8>) {
    let mut buf = [0u8; 1024];
    while let n @ 1.. = m.read(&mut buf) {
        got.extend_from_slice(&buf[..n]);
    }
}

fn at_2400(m: &Modem) -> bool {
    m.state() == State::Data && m.rates() == (2400, 2400)
}

/// The recorded call, from the calling modem's point of view.
#[derive(Debug, Clone)]
pub struct Recording {
    /// What the caller heard, the whole call.
    pub heard: Vec<f32>,
    /// What the caller sent (the answerer received its data intact).
    pub sent: Vec<f32>,
    /// What the answerer sends as data (a prefix of it was sent).
    pub ans_data: Vec<u8>,
    /// What the caller sends as data.
    pub call_data: Vec<u8>,
    /// Seconds of audio after the warm-up.
    pub seconds: usize,
}

/// Runs our caller against our answerer for [`WARMUP_S`] + `seconds` and records the caller's
/// line; checks the call held 2400 bit/s and both ends received intact data.
pub fn record(seconds: usize) -> Result<Recording, BenchError> {
    let seconds = seconds.max(1);
    let blocks = (WARMUP_S + seconds) * BLOCKS_PER_S;
    let ans_data = text(CPS * (WARMUP_S + seconds + 2), 2);
    let call_data = text(CPS * (WARMUP_S + seconds + 2), 1);
    let line = Line { a_to_b: Direction::new(line(), 2), b_to_a: Direction::new(line(), 1) };
    let mut call = BackToBack::new(
        Modem::new(Config::new(Family::V22bis, Role::Call)),
        Modem::new(Config::new(Family::V22bis, Role::Answer)),
        line,
    );
    let mut heard = Vec::with_capacity(blocks * BLOCK);
    let mut sent = Vec::with_capacity(blocks * BLOCK);
    let (mut c_sent, mut a_sent) = (0, 0);
    let (mut c_got, mut a_got) = (Vec::new(), Vec::new());
    for b in 0..blocks {
        top_up(&mut call.a, &call_data, &mut c_sent);
        top_up(&mut call.b, &ans_data, &mut a_sent);
        call.step();
        heard.extend_from_slice(call.a_heard());
        sent.extend_from_slice(call.a_sent());
        drain(&mut call.a, &mut c_got);
        drain(&mut call.b, &mut a_got);
        if b + 1 == WARMUP_S * BLOCKS_PER_S && !(at_2400(&call.a) && at_2400(&call.b)) {
            return Err(BenchError("no 2400 bit/s connection after the warm-up"));
        }
    }
    if !(at_2400(&call.a) && at_2400(&call.b)) {
        return Err(BenchError("the live call left 2400 bit/s data mode"));
    }
    if c_got != ans_data[..c_got.len()] || a_got != call_data[..a_got.len()] {
        return Err(BenchError("the live call delivered wrong data"));
    }
    let min = CPS * seconds * 9 / 10;
    if c_got.len() <= min || a_got.len() <= min {
        return Err(BenchError("the live call delivered too little data"));
    }
    Ok(Recording { heard, sent, ans_data, call_data, seconds })
}

/// A calling modem that has heard the recording up to the timed part, with its data bookkeeping.
#[derive(Debug, Clone)]
pub struct Warm {
    /// The modem, in 2400 bit/s data mode.
    pub modem: Modem,
    sent: usize,
    got: Vec<u8>,
}

/// Feeds a fresh caller the recording's warm-up.
pub fn warm_up(rec: &Recording) -> Result<Warm, BenchError> {
    let mut s = Warm { modem: Modem::new(Config::new(Family::V22bis, Role::Call)), sent: 0, got: Vec::new() };
    let mut out = [0.0f32; BLOCK];
    for blk in rec.heard.chunks_exact(BLOCK).take(WARMUP_S * BLOCKS_PER_S) {
        top_up(&mut s.modem, &rec.call_data, &mut s.sent);
        s.modem.process(blk, &mut out);
        drain(&mut s.modem, &mut s.got);
    }
    if !at_2400(&s.modem) {
        return Err(BenchError("replay: not in 2400 bit/s data mode after the warm-up"));
    }
    while let Some(e) = s.modem.poll_event() {
        if !matches!(e, Event::Connected { rx_rate: 2400, tx_rate: 2400 }) {
            return Err(BenchError("replay: an event other than the connection in the warm-up"));
        }
    }
    Ok(s)
}

/// One timed run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Timed {
    /// Time spent in `Modem::process`, in the clock's unit.
    pub spent: f64,
    /// Bytes received during the timed part, all exactly what the far end sent.
    pub bytes: usize,
}

/// Times `Modem::process` over the recording after the warm-up, with `clock` (any monotonic
/// clock; the result is in its unit), read once before and once after each second of audio.
pub fn timed(rec: &Recording, warm: &Warm, clock: &mut dyn FnMut() -> f64) -> Result<Timed, BenchError> {
    let mut s = warm.clone();
    let start = WARMUP_S * BLOCKS_PER_S * BLOCK;
    let audio = &rec.heard[start..];
    // The output goes to a buffer as long as the recording, compared with the live call's after.
    let mut out = vec![0.0f32; audio.len()];
    let got0 = s.got.len();
    let mut spent = 0.0;
    for (second, out) in audio.chunks(BLOCKS_PER_S * BLOCK).zip(out.chunks_mut(BLOCKS_PER_S * BLOCK)) {
        top_up(&mut s.modem, &rec.call_data, &mut s.sent);
        let t0 = clock();
        for (blk, o) in second.chunks_exact(BLOCK).zip(out.chunks_exact_mut(BLOCK)) {
            s.modem.process(black_box(blk), o);
        }
        spent += clock() - t0;
        drain(&mut s.modem, &mut s.got);
    }
    if !at_2400(&s.modem) || s.modem.poll_event().is_some() {
        return Err(BenchError("replay: the modem left 2400 bit/s data mode"));
    }
    if s.got != rec.ans_data[..s.got.len()] || s.modem.stats().framing_errors != 0 {
        return Err(BenchError("replay: the modem received wrong data"));
    }
    // Same input, same modem: the same signal as in the live call, whose data the answerer got.
    if out != rec.sent[start..] {
        return Err(BenchError("replay: the modem sent another signal than in the live call"));
    }
    let bytes = s.got.len() - got0;
    if bytes <= CPS * rec.seconds * 9 / 10 {
        return Err(BenchError("replay: the modem received too little"));
    }
    Ok(Timed { spent, bytes })
}

/// The whole benchmark: records a call with `seconds` of timed audio, then times `repeats` runs;
/// returns the clock's milliseconds per second of audio for each (`clock_ms` reads milliseconds).
pub fn v22bis_ms_per_s(
    seconds: usize,
    repeats: usize,
    clock_ms: &mut dyn FnMut() -> f64,
) -> Result<Vec<f64>, BenchError> {
    let rec = record(seconds)?;
    let warm = warm_up(&rec)?;
    let first = timed(&rec, &warm, clock_ms)?;
    (0..repeats.max(1))
        .map(|_| {
            let t = timed(&rec, &warm, clock_ms)?;
            if t.bytes != first.bytes {
                return Err(BenchError("a repeat differed"));
            }
            Ok(t.spent / rec.seconds as f64)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_short_run_passes_its_checks_with_a_fake_clock() {
        let mut t = 0.0;
        let mut clock = || {
            t += 1.0;
            t
        };
        // One second: the clock is read twice, 1 "ms" apart.
        let v = v22bis_ms_per_s(1, 2, &mut clock).unwrap();
        assert_eq!(v, vec![1.0, 1.0]);
    }
}
