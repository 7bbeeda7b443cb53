//! Never `CONNECT` followed by garbage for more than a few seconds: V.22bis calls between our
//! modems over lines from hopeless to good, with frequency offsets V.22bis cannot follow, clipped
//! input and mobile speech codecs. Whatever each end reports as connected must carry the text it
//! is sent, or the modem must move to what the line can carry, or hang up.

// Speech codecs are native libraries: not in the WebAssembly build.
#![cfg(not(target_arch = "wasm32"))]

use softmodem::modem::{Config, Event, Modem, State};
use softmodem::sim::line::{Direction, Impairments};
use softmodem::{Family, Role};
use speech_codecs::{Codec, SpeechChannel};

#[path = "support/garbage.rs"]
mod garbage;
use garbage::{garbage_run, line, turning_poor, Channel, Received, GARBAGE_SECONDS_MAX};

/// How long each call runs.
const SECONDS: usize = 25;
/// What one end saw, second by second.
#[derive(Default)]
struct End {
    connected: Vec<(f32, u32)>,
    no_carrier: Option<f32>,
    /// Per second while in data mode: (bytes received, garbage among them).
    seconds: Vec<(usize, usize)>,
    /// Every byte received, with the second it came in (`None`: not in data mode).
    got: Received,
    events: Vec<Event>,
    /// The events with the second they came.
    timeline: Vec<(f32, Event)>,
}

impl End {
    /// The longest run of seconds in data mode with more than 10 % garbage (and more than 5 bytes).
    fn garbage_run(&self) -> usize {
        garbage_run(&self.seconds)
    }
}

fn call(to_answerer: Channel, to_caller: Channel) -> (End, End) {
    let (mut to_b, mut to_a) = (to_answerer, to_caller);
    let mut ends =
        [Modem::new(Config::new(Family::V22bis, Role::Call)), Modem::new(Config::new(Family::V22bis, Role::Answer))];
    let mut report = [End::default(), End::default()];
    let mut out = [vec![0.0f32; 160], vec![0.0f32; 160]];
    let mut heard = [vec![0.0f32; 160], vec![0.0f32; 160]];
    let mut next = [0u32; 2];
    let mut pending: [Vec<u8>; 2] = [vec![], vec![]];
    let mut buf = [0u8; 512];
    for block in 0..SECONDS * 50 {
        let t = block as f32 / 50.0;
        to_a(&out[1], &mut heard[0]);
        to_b(&out[0], &mut heard[1]);
        for k in 0..2 {
            let (h, o) = (&heard[k], &mut out[k]);
            ends[k].process(h, o);
            while let Some(e) = ends[k].poll_event() {
                match e {
                    Event::Connected { rx_rate, .. } | Event::Retrained { rate: rx_rate } => {
                        report[k].connected.push((t, rx_rate))
                    }
                    Event::NoCarrier => report[k].no_carrier = Some(t),
                    _ => {}
                }
                report[k].events.push(e);
                report[k].timeline.push((t, e));
            }
            if ends[k].state() == State::Data {
                while pending[k].len() < 200 {
                    pending[k].extend_from_slice(line(next[k]).as_bytes());
                    next[k] += 1;
                }
                let n = ends[k].write(&pending[k]);
                pending[k].drain(..n);
            }
            let n = ends[k].read(&mut buf);
            let data = (ends[k].state() == State::Data).then_some(block / 50);
            report[k].got.extend(&buf[..n], data);
        }
    }
    for r in &mut report {
        r.seconds = r.got.seconds(SECONDS);
    }
    let [a, b] = report;
    (a, b)
}

fn noise(imp: Impairments, seed: u64) -> Channel {
    let mut d = Direction::new(imp, seed);
    Box::new(move |x, y| d.process(x, y))
}

fn codec(c: Codec) -> Channel {
    let mut ch = SpeechChannel::new(c);
    Box::new(move |x, y| ch.process(x, y))
}

#[test]
fn never_connect_followed_by_garbage() {
    let cases: Vec<(String, Channel, Channel)> = {
        let mut v: Vec<(String, Channel, Channel)> = vec![];
        for snr in [0.0, 6.0, 10.0, 15.0, 20.0] {
            let imp = Impairments::default().with_snr(snr, -13.0);
            v.push((format!("{snr} dB SNR"), noise(imp.clone(), 1), noise(imp, 2)));
        }
        for hz in [25.0, 35.0, 50.0] {
            let imp = Impairments { freq_offset_hz: hz, ..Default::default() }.with_snr(30.0, -13.0);
            v.push((format!("{hz} Hz offset"), noise(imp.clone(), 3), noise(imp, 4)));
        }
        let clipped = Impairments { gain_db: 15.0, codec: Some(softmodem::g711::Law::MuLaw), ..Default::default() }
            .with_snr(40.0, 2.0);
        v.push(("input clipped 15 dB over".into(), noise(clipped.clone(), 5), noise(clipped, 6)));
        v.push(("AMR 12.2".into(), codec(Codec::AMR_122), codec(Codec::AMR_122)));
        v.push(("GSM-FR".into(), codec(Codec::GsmFr), codec(Codec::GsmFr)));
        v
    };
    let mut fails = Vec::new();
    for (name, to_b, to_a) in cases {
        let (a, b) = call(to_b, to_a);
        for (end, r) in [("caller", &a), ("answerer", &b)] {
            let (bytes, junk) = r.seconds.iter().fold((0, 0), |s, x| (s.0 + x.0, s.1 + x.1));
            eprintln!(
                "{name}, {end}: connected {:?}, NO CARRIER at {:?}, {bytes} bytes in data mode, {junk} garbage, worst run {} s",
                r.connected,
                r.no_carrier,
                r.garbage_run()
            );
            if r.garbage_run() > GARBAGE_SECONDS_MAX {
                fails.push(format!("{name}, {end}: {} s of garbage in a row: {:?}", r.garbage_run(), r.events));
            }
        }
    }
    assert!(fails.is_empty(), "{fails:#?}");
}

#[test]
fn a_line_that_turns_poor_falls_back_to_1200() {
    // Good at the start (2400 bit/s), then 9 dB SNR from 6 s: 16-point QAM makes errors near
    // 1e-3; the modems retrain, find it no better, and start again for 1200 bit/s, where the line
    // is clean.
    let (a, b) = call(turning_poor(6.0, 9.0, 7), turning_poor(6.0, 9.0, 8));
    for (end, r) in [("caller", &a), ("answerer", &b)] {
        eprintln!("{end}: {:?}", r.timeline);
    }
    for (end, r) in [("caller", &a), ("answerer", &b)] {
        assert_eq!(r.connected.first().map(|c| c.1), Some(2400), "{end}: {:?}", r.events);
        assert_eq!(r.connected.last().map(|c| c.1), Some(1200), "{end}: {:?}", r.events);
        assert!(r.no_carrier.is_none(), "{end}: {:?}", r.events);
        assert!(r.garbage_run() <= GARBAGE_SECONDS_MAX, "{end}: {} s of garbage: {:?}", r.garbage_run(), r.seconds);
        // Clean at 1200 after the fall-back (but for the line cut off at the end of the run).
        let after: usize = r.seconds[SECONDS - 5..].iter().map(|s| s.1).sum();
        assert!(after <= line(0).len(), "{end}: {after} garbage bytes in the last 5 s");
    }
}
