#![cfg(not(target_arch = "wasm32"))]
//! Interoperability of our FSK modems with spandsp's (Debian's libspandsp, through the test-only
//! `spandsp-peer` crate), on every channel and in both directions, on a clean line and at 20 dB SNR,
//! plus full-duplex calls between our `Modem` and a spandsp transmitter/receiver pair.
//!
//! Character format 8N1 throughout; both ends send at -13 dBm0; samples cross between the two as
//! `i16` at 8000 Hz (full scale 32768 = 1.0 on our side).

use softmodem::bits::BitSink;
use softmodem::dsp::{power_to_dbm0, Goertzel};
use softmodem::fsk::{self, ChannelSpec};
use softmodem::modem::{Config, Event, Modem};
use softmodem::sim::line::{Direction, Impairments};
use softmodem::startstop::{Deframer, Format, Framer, Received};
use softmodem::types::{Family, Role};
use spandsp_peer::{FrameMode, FskRx, FskTx, Preset};

/// Transmit level of both ends, dBm0.
const LEVEL: f32 = -13.0;
/// Samples per block handed between the two ends.
const BLOCK: usize = 160;
/// Idle mark before the text, in bit times. Every case runs once per lead, each with its own noise
/// seed, so the text starts at a different moment after the carrier each time (whole and fractional
/// bit times: spandsp starts its first character on its next bit boundary).
const LEADS: [f32; 3] = [30.0, 22.4, 41.7];
/// Idle mark after the text, in bit times.
const TAIL_BITS: usize = 30;

/// Our channels and the spandsp presets that carry the same tones (measured in
/// `presets_send_our_tones_at_our_level`). Note Bell 103: spandsp's channel 1 is the answerer's.
const PAIRS: [(ChannelSpec, Preset); 7] = [
    (fsk::BELL103_ORIGINATE, Preset::Bell103Ch2),
    (fsk::BELL103_ANSWER, Preset::Bell103Ch1),
    (fsk::V21_CH1, Preset::V21Ch1),
    (fsk::V21_CH2, Preset::V21Ch2),
    (fsk::V23_FORWARD, Preset::V23Ch1),
    (fsk::V23_BACKWARD, Preset::V23Ch2),
    (fsk::BELL202, Preset::Bell202),
];

fn preset_for(spec: ChannelSpec) -> Preset {
    PAIRS.iter().find(|(c, _)| *c == spec).map(|p| p.1).expect("no preset for channel")
}

/// A known text: about 115 bytes of prose tagged with `tag`, then 8 bytes with awkward bit patterns
/// (all zeros, all ones, alternating, ...).
fn text(tag: &str) -> Vec<u8> {
    let mut t = format!("[{tag}] The quick brown fox jumps over the lazy dog; PACK MY BOX WITH FIVE DOZEN LIQUOR JUGS! 0123456789 ~{{}}|\\^`\r\n")
        .into_bytes();
    t.extend_from_slice(&[0x00, 0xFF, 0x55, 0xAA, 0x80, 0x01, 0x7F, 0xFE]);
    assert!(t.len() >= 100);
    t
}

fn to_f32(x: &[i16]) -> Vec<f32> {
    x.iter().map(|&v| v as f32 / 32768.0).collect()
}

fn to_i16(x: &[f32]) -> Vec<i16> {
    x.iter().map(|&v| (v * 32768.0).round().clamp(-32768.0, 32767.0) as i16).collect()
}

/// One direction of the line: clean, or white noise for the given SNR against a -13 dBm0 signal.
fn line(snr_db: Option<f32>, seed: u64) -> Direction {
    let imp = match snr_db {
        Some(snr) => Impairments::default().with_snr(snr, LEVEL),
        None => Impairments::default(),
    };
    Direction::new(imp, seed)
}

fn samples_per_bit(spec: ChannelSpec) -> usize {
    (8000.0 / spec.baud).ceil() as usize
}

/// Compares received bytes with sent ones, reporting character errors readably.
fn assert_same(what: &str, got: &[u8], want: &[u8]) {
    if got == want {
        return;
    }
    let common = got.len().min(want.len());
    let wrong = got.iter().zip(want).filter(|(a, b)| a != b).count();
    let first = got.iter().zip(want).position(|(a, b)| a != b).unwrap_or(common);
    panic!(
        "{what}: {} bytes received for {} sent, {wrong} of the first {common} differ, first at {first}\n got: {:?}\nwant: {:?}",
        got.len(),
        want.len(),
        String::from_utf8_lossy(got),
        String::from_utf8_lossy(want)
    );
}

/// Our receiving side: the deframer behind our demodulator, as `RxSide` in `src/modem.rs` has it.
#[derive(Debug)]
struct Sink {
    deframer: Deframer,
    bytes: Vec<u8>,
    framing_errors: u32,
    parity_errors: u32,
    breaks: u32,
    carrier_changes: Vec<bool>,
}

impl Sink {
    fn new() -> Self {
        Sink {
            deframer: Deframer::new(Format::N81),
            bytes: Vec::new(),
            framing_errors: 0,
            parity_errors: 0,
            breaks: 0,
            carrier_changes: Vec::new(),
        }
    }
}

impl BitSink for Sink {
    fn put_bit(&mut self, bit: u8, _soft: f32) {
        for r in self.deframer.push(bit) {
            match r {
                Received::Char(c) => self.bytes.push(c),
                Received::ParityError(c) => {
                    self.parity_errors += 1;
                    self.bytes.push(c)
                }
                Received::FramingError(_) => self.framing_errors += 1,
                Received::Break => self.breaks += 1,
            }
        }
    }

    fn wants_resync(&self) -> bool {
        self.deframer.is_hunting()
    }

    fn carrier(&mut self, on: bool) {
        self.deframer.reset();
        self.carrier_changes.push(on);
    }
}

/// spandsp's FSK transmitter with its own 8N1 framer sends `data` on `preset` at -13 dBm0, after
/// `lead_bits` bit times of idle mark and followed by more; returns the line signal.
fn spandsp_sends(spec: ChannelSpec, preset: Preset, data: &[u8], lead_bits: f32) -> Vec<i16> {
    let spb = samples_per_bit(spec);
    let mut tx = FskTx::async_8n1(preset);
    tx.set_power(LEVEL);
    let mut out = vec![0i16; (lead_bits * 8000.0 / spec.baud).round() as usize];
    assert_eq!(tx.process(&mut out), out.len());
    tx.write(data);
    let mut buf = [0i16; BLOCK];
    let limit = out.len() + (data.len() * 10 + 10) * spb;
    while !tx.source().is_idle() {
        assert_eq!(tx.process(&mut buf), BLOCK);
        out.extend_from_slice(&buf);
        assert!(out.len() < limit, "spandsp did not send everything in time");
    }
    let end = out.len() + TAIL_BITS * spb;
    while out.len() < end {
        assert_eq!(tx.process(&mut buf), BLOCK);
        out.extend_from_slice(&buf);
    }
    let src = tx.source();
    assert_eq!(src.taken(), data.len() as u64);
    assert_eq!((src.underruns(), src.desyncs()), (0, 0), "spandsp's async_tx out of step");
    assert!(tx.statuses().is_empty(), "{:?}", tx.statuses());
    out
}

/// spandsp transmits, we receive: once per lead, clean or with noise.
fn spandsp_to_us(spec: ChannelSpec, preset: Preset, snr_db: Option<f32>, seed: u64) {
    let data = text(spec.name);
    for (i, lead) in LEADS.into_iter().enumerate() {
        let sent = spandsp_sends(spec, preset, &data, lead);
        let clean = to_f32(&sent);
        let mut heard = vec![0.0; clean.len()];
        line(snr_db, seed * 16 + i as u64).process(&clean, &mut heard);
        let mut rx = fsk::Receiver::new(spec);
        let mut sink = Sink::new();
        for block in heard.chunks(BLOCK) {
            rx.process(block, &mut sink);
        }
        let what = format!("spandsp {preset:?} -> our {}, {snr_db:?} dB SNR, lead {lead} bits", spec.name);
        assert_same(&what, &sink.bytes, &data);
        assert_eq!((sink.framing_errors, sink.parity_errors, sink.breaks), (0, 0, 0), "{what}");
        assert_eq!(sink.carrier_changes, [true], "{what}");
    }
}

/// We transmit (our FSK transmitter driven by our framer), spandsp receives: once per lead (rounded
/// to whole bits: our framer starts characters on our bit clock), clean or with noise.
fn us_to_spandsp(spec: ChannelSpec, preset: Preset, snr_db: Option<f32>, seed: u64) {
    let data = text(spec.name);
    let spb = samples_per_bit(spec);
    for (i, lead) in LEADS.into_iter().enumerate() {
        let lead = lead.round() as usize;
        let total = (lead + data.len() * 10 + TAIL_BITS) * spb;
        let mut tx = fsk::Transmitter::new(spec, LEVEL);
        let mut framer = Framer::new(Format::N81);
        let mut next = 0usize;
        let mut bits = 0usize;
        let mut direction = line(snr_db, seed * 16 + i as u64);
        let mut rx = FskRx::async_8n1(preset, FrameMode::Async);
        let mut out = [0.0f32; BLOCK];
        let mut heard = [0.0f32; BLOCK];
        let mut t = 0;
        while t < total {
            tx.process(&mut out, &mut || {
                bits += 1;
                if bits > lead && framer.is_idle() && next < data.len() {
                    framer.start(data[next]);
                    next += 1;
                }
                framer.next_bit()
            });
            direction.process(&out, &mut heard);
            assert_eq!(rx.process(&to_i16(&heard)), 0);
            t += BLOCK;
        }
        assert_eq!(next, data.len(), "not all sent");
        let what = format!("our {} -> spandsp {preset:?}, {snr_db:?} dB SNR, lead {lead} bits", spec.name);
        assert_same(&what, rx.received(), &data);
        assert!(rx.carrier(), "{what}: spandsp lost the carrier: {:?}", rx.statuses());
        assert_eq!(rx.statuses(), [spandsp_peer::SigStatus::CarrierUp.raw()], "{what}");
    }
}

/// Every channel, both directions, clean and at 20 dB SNR, each for every lead in [`LEADS`].
///
/// spandsp receives with `FrameMode::Async`, the bit timing fsk.h recommends for data that must
/// start at once (start-stop characters after idle mark). Its `FrameMode::Sync` timing settles only
/// on the first transitions of the data and, depending on how the carrier started, can drop a few
/// bits there; its start-stop deframer then stays out of step through back-to-back characters. That
/// happens to spandsp's own signal too (see the `spandsp-peer` crate's tests), so it is not used.
macro_rules! channel_tests {
    ($($name:ident: $spec:expr, $seed:expr;)*) => {$(
        mod $name {
            use super::*;

            #[test]
            fn spandsp_to_us_clean() {
                spandsp_to_us($spec, preset_for($spec), None, $seed);
            }

            #[test]
            fn spandsp_to_us_20db() {
                spandsp_to_us($spec, preset_for($spec), Some(20.0), $seed);
            }

            #[test]
            fn us_to_spandsp_clean() {
                us_to_spandsp($spec, preset_for($spec), None, $seed);
            }

            #[test]
            fn us_to_spandsp_20db() {
                us_to_spandsp($spec, preset_for($spec), Some(20.0), $seed);
            }
        }
    )*};
}

channel_tests! {
    bell103_originate: fsk::BELL103_ORIGINATE, 1031;
    bell103_answer: fsk::BELL103_ANSWER, 1032;
    v21_ch1: fsk::V21_CH1, 211;
    v21_ch2: fsk::V21_CH2, 212;
    v23_forward: fsk::V23_FORWARD, 231;
    v23_backward: fsk::V23_BACKWARD, 232;
    bell202: fsk::BELL202, 202;
}

/// Power of `x` at `freq` over the whole slice, as a fraction of its total power.
fn tone_share(x: &[f32], freq: f32) -> f32 {
    let mut g = Goertzel::new(freq, x.len(), 8000.0);
    let mut p = 0.0;
    for &v in x {
        p = g.push(v).unwrap_or(p);
    }
    p / (x.iter().map(|v| v * v).sum::<f32>() / x.len() as f32)
}

#[test]
fn presets_send_our_tones_at_our_level() {
    for (spec, preset) in PAIRS {
        let s = preset.spec();
        assert_eq!(
            (s.freq_one as f32, s.freq_zero as f32, s.baud()),
            (spec.mark, spec.space, spec.baud),
            "{preset:?} {s:?} vs {}",
            spec.name
        );
        for (bit, freq, other) in [(1, spec.mark, spec.space), (0, spec.space, spec.mark)] {
            let mut tx = FskTx::new(preset, move || bit);
            tx.set_power(LEVEL);
            let mut buf = vec![0i16; 8000];
            assert_eq!(tx.process(&mut buf), buf.len());
            let x = to_f32(&buf[800..]);
            let level = power_to_dbm0(x.iter().map(|v| v * v).sum::<f32>() / x.len() as f32);
            let (on, off) = (tone_share(&x, freq), tone_share(&x, other));
            assert!(on > 0.95 && off < 0.01, "{preset:?} bit {bit}: {on} at {freq} Hz, {off} at {other} Hz");
            // spandsp's dBm0 is within 0.1 dB of ours (measured: -12.96 dBm0 for -13).
            assert!((level - LEVEL).abs() < 0.1, "{preset:?} bit {bit}: {level} dBm0");
        }
    }
}

/// Our `Modem` in `role` calls (or answers) a spandsp transmitter/receiver pair playing the other
/// role, over a clean 4-wire line; both send text, spandsp starting after 1 s.
fn full_duplex(family: Family, role: Role) {
    let (our_tx, our_rx) = softmodem::fsk::channels(family, role).expect("an FSK family");
    let mine = text(&format!("{} {role:?} from us", family.name()));
    let theirs = text(&format!("{} from spandsp", family.name()));
    let mut modem = Modem::new(Config::new(family, role));
    assert_eq!(modem.write(&mine), mine.len());
    let mut stx = FskTx::async_8n1(preset_for(our_rx));
    stx.set_power(LEVEL);
    let mut srx = FskRx::async_8n1(preset_for(our_tx), FrameMode::Async);
    let mut to_us = [0i16; BLOCK];
    let mut from_us = [0.0f32; BLOCK];
    let mut got = Vec::new();
    let mut connected_at = None;
    let mut buf = [0u8; 256];
    let blocks_per_second = 8000 / BLOCK;
    for block in 0..12 * blocks_per_second {
        if block == blocks_per_second {
            stx.write(&theirs);
        }
        assert_eq!(stx.process(&mut to_us), BLOCK);
        modem.process(&to_f32(&to_us), &mut from_us);
        srx.process(&to_i16(&from_us));
        while let Some(e) = modem.poll_event() {
            match e {
                Event::Connected { rx_rate, tx_rate } => {
                    assert!(connected_at.is_none(), "connected twice");
                    assert_eq!((rx_rate, tx_rate), (300, 300));
                    connected_at = Some(block);
                }
                other => panic!("{family:?} {role:?}: unexpected {other:?} at block {block}"),
            }
        }
        let n = modem.read(&mut buf);
        assert!(n == 0 || connected_at.is_some(), "bytes before the connection");
        got.extend_from_slice(&buf[..n]);
        if got.len() >= theirs.len() && srx.received().len() >= mine.len() && block > 2 * blocks_per_second {
            break;
        }
    }
    let connected_at = connected_at.expect("never connected");
    assert!(connected_at < blocks_per_second, "connected only after {connected_at} blocks");
    let what = format!("{family:?}, we {role:?}");
    assert_same(&format!("{what}: spandsp -> us"), &got, &theirs);
    assert_same(&format!("{what}: us -> spandsp"), srx.received(), &mine);
    let stats = modem.stats();
    assert_eq!((stats.framing_errors, stats.parity_errors, stats.breaks), (0, 0, 0), "{what}: {stats:?}");
    assert_eq!(srx.statuses(), [spandsp_peer::SigStatus::CarrierUp.raw()], "{what}");
}

#[test]
fn full_duplex_bell103_we_call() {
    full_duplex(Family::Bell103, Role::Call);
}

#[test]
fn full_duplex_bell103_we_answer() {
    full_duplex(Family::Bell103, Role::Answer);
}

#[test]
fn full_duplex_v21_we_call() {
    full_duplex(Family::V21, Role::Call);
}

#[test]
fn full_duplex_v21_we_answer() {
    full_duplex(Family::V21, Role::Answer);
}
