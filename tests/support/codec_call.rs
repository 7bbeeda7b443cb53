//! A full-duplex call between our V.22/V.22bis pumps with a speech codec in each direction,
//! shared by `tests/codec_calls.rs` and `benches/codecs.rs` (both include this file by path).

// Each includer reads only some of the outcome.
#![allow(dead_code)]

use softmodem::bits::BitSink;
use softmodem::sim::bert::{BerCounter, Prbs};
use softmodem::types::Role;
use softmodem::v22bis::pump::{Config, Phase, Pump, PumpEvent};
use softmodem::v22bis::Rate;
use speech_codecs::{Codec, SpeechChannel};

/// A bit error counter that counts only while its flag is set.
pub struct Counted(pub BerCounter, pub bool);

impl Counted {
    /// A counter, not counting yet.
    pub fn new() -> Self {
        Counted(BerCounter::new(), false)
    }
}

impl BitSink for Counted {
    fn put_bit(&mut self, bit: u8, _soft: f32) {
        if self.1 {
            self.0.push(bit);
        }
    }
}

/// How one call went.
pub struct CodecCall {
    /// The two ends as the call left them.
    pub caller: Pump,
    pub answerer: Pump,
    /// Seconds from the start until both ends were in data mode, and the caller's rate then.
    pub connected: Option<(f32, Rate)>,
    /// What each end received (the O.152 pattern both ways), counted from one second after the
    /// connection.
    pub at_caller: BerCounter,
    pub at_answerer: BerCounter,
    /// Retrains after the connection, caller then answerer: those each started, and those each
    /// answered.
    pub initiated: [u32; 2],
    pub responded: [u32; 2],
    /// Every event, with its second and its end (0 the caller, 1 the answerer).
    pub events: Vec<(f32, usize, PumpEvent)>,
}

/// Runs a call of `seconds` between our calling and answering pumps (V.22bis when `v22bis`, else
/// V.22), each direction through its own `codec` channel, in 20 ms blocks.
pub fn our_call(codec: Codec, v22bis: bool, seconds: usize) -> CodecCall {
    our_call_through([Some(codec), Some(codec)], v22bis, seconds)
}

/// As [`our_call`], with `codecs` towards the answerer and towards the caller (`None`: a clean
/// line that way).
pub fn our_call_through(codecs: [Option<Codec>; 2], v22bis: bool, seconds: usize) -> CodecCall {
    let cfg = |role| Config { v22bis, ..Config::new(role) };
    let (mut a, mut b) = (Pump::new(cfg(Role::Call)), Pump::new(cfg(Role::Answer)));
    let way = |c: Option<Codec>| {
        let mut ch = c.map(SpeechChannel::new);
        move |x: &[f32], y: &mut [f32]| match &mut ch {
            Some(ch) => ch.process(x, y),
            None => y.copy_from_slice(x),
        }
    };
    let (mut to_b, mut to_a) = (way(codecs[0]), way(codecs[1]));
    let (mut pa, mut pb) = (Prbs::new(), Prbs::new());
    let (mut ca, mut cb) = (Counted::new(), Counted::new());
    let (mut ao, mut bo, mut ai, mut bi) = ([0.0f32; 160], [0.0f32; 160], [0.0f32; 160], [0.0f32; 160]);
    let mut connected = None;
    let (mut initiated, mut responded) = ([0u32; 2], [0u32; 2]);
    let mut events = vec![];
    for blk in 0..seconds * 50 {
        to_a(&bo, &mut ai);
        to_b(&ao, &mut bi);
        a.process(&ai, &mut ao, &mut || pa.next_bit(), &mut ca);
        b.process(&bi, &mut bo, &mut || pb.next_bit(), &mut cb);
        for (k, p) in [&mut a, &mut b].into_iter().enumerate() {
            while let Some(e) = p.poll_event() {
                events.push((blk as f32 / 50.0, k, e));
                match e {
                    PumpEvent::Retrain { initiated: true } if connected.is_some() => initiated[k] += 1,
                    PumpEvent::Retrain { initiated: false } if connected.is_some() => responded[k] += 1,
                    _ => {}
                }
            }
        }
        let t = blk as f32 / 50.0;
        if connected.is_none() {
            if let (Phase::Data(rate), Phase::Data(_)) = (a.phase(), b.phase()) {
                connected = Some((t, rate));
            }
        }
        let counting = connected.is_some_and(|(c, _)| t >= c + 1.0);
        ca.1 = counting;
        cb.1 = counting;
    }
    CodecCall { caller: a, answerer: b, connected, at_caller: ca.0, at_answerer: cb.0, initiated, responded, events }
}
