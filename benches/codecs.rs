//! Full-duplex V.22bis and V.22 calls through a mobile call's speech codec in each direction, ours
//! against spandsp's, measured in the same run.
//!
//! ```sh
//! cargo bench --bench codecs                     # 60 s calls, AMR 12.2, GSM-FR, AMR 7.4
//! cargo bench --bench codecs -- --seconds 20 --codecs amr122
//! ```
//!
//! Each call runs a calling and an answering modem; what one sends reaches the other through its
//! own codec channel (`speech-codecs`: an encoder and a decoder of Debian's libgsm or
//! libopencore-amrnb, frame by frame, so the call is live in both directions, unlike sox's batch
//! round trip). Both ends send the O.152 pattern (2^11-1) as synchronous data from the start of
//! data mode, and the errors are counted each way from one second after both ends reached data
//! mode to the end of the call (the counter finds the pattern by itself and re-finds it after a
//! slip or a retrain; bits while it has lost the pattern are not counted, and the times it had to
//! look again are shown as "lost").
//!
//! - ours: `softmodem::v22bis::pump::Pump` in each role, as the CLI and the page use it.
//! - spandsp: Debian's libspandsp 0.0.6 V.22bis (`spandsp-peer`), in each role, its receive cut-off
//!   at -35 dBm0 as in the other benches.
//!
//! The caller's signal is on the 1200 Hz carrier (low channel), the answerer's on 2400 Hz. A last
//! line, starting `RESULT`, has every BER as `key=value` pairs for scripts.

use softmodem::sim::bert::{BerCounter, Prbs};

use spandsp_peer::v22bis::{GuardTone, Role as SpRole, V22bis};
use spandsp_peer::{GetBit, PutBit, SigStatus};
use speech_codecs::{Codec, SpeechChannel};

const BLOCK: usize = 160;

#[path = "../tests/support/codec_call.rs"]
mod codec_call;

use codec_call::{our_call, Counted};

impl PutBit for Counted {
    fn put_bit(&mut self, bit: u8) {
        if self.1 {
            self.0.push(bit);
        }
    }
}

struct Pattern(Prbs);

impl GetBit for Pattern {
    fn get_bit(&mut self) -> i32 {
        self.0.next_bit() as i32
    }
}

/// One call's outcome.
struct Outcome {
    /// Seconds from the start until both ends were in data mode, and the rate then.
    connected: Option<(f32, u32)>,
    /// Retrains (or restarts of the start-up) after that, either end.
    retrains: u32,
    /// The answerer's receiver (the caller's 1200 Hz signal) and the caller's (2400 Hz).
    to_answerer: BerCounter,
    to_caller: BerCounter,
}

fn ours(codec: Codec, bis: bool, seconds: usize) -> Outcome {
    let c = our_call(codec, bis, seconds);
    Outcome {
        connected: c.connected.map(|(t, rate)| (t, rate.bps())),
        retrains: c.initiated.iter().chain(&c.responded).sum(),
        to_answerer: c.at_answerer,
        to_caller: c.at_caller,
    }
}

fn spandsp(codec: Codec, bis: bool, seconds: usize) -> Outcome {
    let rate = if bis { 2400 } else { 1200 };
    let modem = |role| {
        let mut m = V22bis::new(rate, GuardTone::None, role, Pattern(Prbs::new()), Counted(BerCounter::new(), false));
        m.set_qam_history(0);
        m.set_cutoff(-35.0);
        m
    };
    let mut a = modem(SpRole::Calling);
    let mut b = modem(SpRole::Answering);
    let (mut to_b, mut to_a) = (SpeechChannel::new(codec), SpeechChannel::new(codec));
    let (mut ao, mut bo) = ([0i16; BLOCK], [0i16; BLOCK]);
    let (mut aof, mut bof, mut aif, mut bif) = ([0.0f32; BLOCK], [0.0f32; BLOCK], [0.0f32; BLOCK], [0.0f32; BLOCK]);
    let (mut ai, mut bi) = ([0i16; BLOCK], [0i16; BLOCK]);
    let mut connected = None;
    let mut statuses_at_connect = (0, 0);
    let up = |m: &mut V22bis<Pattern, Counted>| m.trained() && m.carrier() && m.current_bit_rate() > 0;
    for blk in 0..seconds * 50 {
        to_a.process(&bof, &mut aif);
        to_b.process(&aof, &mut bif);
        for i in 0..BLOCK {
            ai[i] = softmodem::dsp::to_i16(aif[i]);
            bi[i] = softmodem::dsp::to_i16(bif[i]);
        }
        a.rx(&ai);
        a.tx(&mut ao);
        b.rx(&bi);
        b.tx(&mut bo);
        for i in 0..BLOCK {
            aof[i] = ao[i] as f32 / 32768.0;
            bof[i] = bo[i] as f32 / 32768.0;
        }
        let t = blk as f32 / 50.0;
        if connected.is_none() && up(&mut a) && up(&mut b) {
            connected = Some((t, a.current_bit_rate() as u32));
            statuses_at_connect = (a.statuses().len(), b.statuses().len());
        }
        let counting = connected.is_some_and(|(c, _)| t >= c + 1.0);
        a.sink_mut().1 = counting;
        b.sink_mut().1 = counting;
    }
    let retrains_of = |m: &V22bis<Pattern, Counted>, skip: usize| {
        m.statuses().iter().skip(skip).filter(|s| s.status() == Some(SigStatus::TrainingInProgress)).count() as u32
    };
    // Training reports after the connection: spandsp reports its retrains (and restarts after a
    // lost carrier) that way.
    let retrains = if connected.is_some() {
        retrains_of(&a, statuses_at_connect.0) + retrains_of(&b, statuses_at_connect.1)
    } else {
        0
    };
    let (ca, cb) = (a.sink().0.clone(), b.sink().0.clone());
    Outcome { connected, retrains, to_answerer: cb, to_caller: ca }
}

fn ber(c: &BerCounter) -> String {
    if c.bits == 0 {
        "no data".to_string()
    } else if c.errors == 0 {
        format!("0 in {} (< {:.0e})", c.bits, 1.0 / c.bits as f64)
    } else {
        format!("{:.1e} ({} in {})", c.errors as f64 / c.bits as f64, c.errors, c.bits)
    }
}

fn main() {
    let mut seconds = 60usize;
    let mut codecs = vec![Codec::AMR_122, Codec::GsmFr, Codec::Amr(4)];
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--seconds" => seconds = args.next().and_then(|s| s.parse().ok()).expect("--seconds N"),
            "--codecs" => {
                codecs = args
                    .next()
                    .expect("--codecs LIST")
                    .split(',')
                    .map(|c| match c {
                        "gsm" | "gsm-fr" => Codec::GsmFr,
                        "amr122" => Codec::AMR_122,
                        "amr74" => Codec::Amr(4),
                        "amr475" => Codec::Amr(0),
                        other => panic!("unknown codec {other} (gsm, amr122, amr74, amr475)"),
                    })
                    .collect()
            }
            "--bench" => {}
            other => panic!("unknown argument {other}"),
        }
    }
    println!("Full-duplex calls through a speech codec each way, {seconds} s each (cargo bench --bench codecs)\n");
    println!("| Codec | Modem | Implementation | Connected | Retrains | Caller to answerer (1200 Hz) | Answerer to caller (2400 Hz) | Lost |");
    println!("|---|---|---|---|---|---|---|---|");
    let mut result = vec![];
    for codec in codecs {
        for bis in [true, false] {
            for (name, o) in [("ours", ours(codec, bis, seconds)), ("spandsp", spandsp(codec, bis, seconds))] {
                let modem = if bis { "V.22bis" } else { "V.22" };
                let connected = match o.connected {
                    Some((t, r)) => format!("{r} bit/s at {t:.1} s"),
                    None => "no".to_string(),
                };
                let lost = o.to_answerer.syncs.saturating_sub(1) + o.to_caller.syncs.saturating_sub(1);
                println!(
                    "| {} | {modem} | {name} | {connected} | {} | {} | {} | {lost} |",
                    codec.name(),
                    o.retrains,
                    ber(&o.to_answerer),
                    ber(&o.to_caller)
                );
                let key = format!(
                    "{}_{}_{}",
                    codec.name().replace([' ', '.', '-'], "").to_lowercase(),
                    modem.replace('.', "").to_lowercase(),
                    name
                );
                let b = |c: &BerCounter| if c.bits == 0 { 1.0 } else { c.errors as f64 / c.bits as f64 };
                result.push(format!(
                    "{key}_to_answerer={:.3e} {key}_to_caller={:.3e}",
                    b(&o.to_answerer),
                    b(&o.to_caller)
                ));
            }
        }
    }
    println!("\nRESULT {}", result.join(" "));
}
