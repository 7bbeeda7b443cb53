//! Bodies of the fuzz targets (`fuzz/`), here so that `cargo test` can also run them on random
//! input. Each takes arbitrary bytes and must never panic, hang or grow without bound.

use crate::fsk::{self, CHANNELS};
use crate::host::HostAdapter;
use crate::modem::{Config, Modem};
use crate::time::Duration;
use crate::types::{Family, Role};
use crate::wav::Wav;

mod chat;
mod framing;
mod telnet;
mod terminal;
pub mod xmodem;
mod ppp;
mod zmodem;
pub use chat::{chat_script, chat_seeds};
pub use framing::{deframer, hdlc_deframer, lapm_frames, ppp_frames, v42_bits, v42bis_decoder};
pub use ppp::{http_response, ppp_auth, ppp_negotiation, ppp_negotiation_seed, ppp_options};
pub use telnet::{telnet_seeds, telnet_stream};
pub use terminal::ansi_terminal;
pub use xmodem::{xmodem_blocks, xmodem_seed};
pub use zmodem::{zmodem_frames, zmodem_seed};

fn samples(data: &[u8]) -> impl Iterator<Item = f32> + '_ {
    data.chunks_exact(2).map(|c| i16::from_le_bytes([c[0], c[1]]) as f32 / 32768.0)
}

/// WAV parsing: any bytes give a WAV or an error.
pub fn wav_parse(data: &[u8]) {
    if let Ok(w) = Wav::parse(data) {
        assert!(w.sample_rate > 0 && w.channels > 0);
        assert!(w.samples.iter().all(|s| s.is_finite()));
    }
}

/// The V.22/V.22bis receiver on arbitrary audio, on either carrier, at either rate.
pub fn v22_receiver(data: &[u8]) {
    let Some((&sel, rest)) = data.split_first() else { return };
    let carrier = if sel & 1 == 0 { crate::v22bis::CALL_CARRIER } else { crate::v22bis::ANSWER_CARRIER };
    let mut rx = crate::v22bis::rx::Receiver::new(carrier);
    if sel & 2 != 0 {
        rx.set_rate(crate::v22bis::Rate::R2400);
    }
    let x: Vec<f32> = samples(rest).collect();
    let mut n = 0usize;
    for block in x.chunks(97) {
        rx.process(block, |s| {
            assert!(s.point.is_finite());
            n += 1;
        });
    }
    assert!(n <= x.len() / 13 + 2, "more symbols than the audio can carry");
    assert!(rx.snr_db().is_finite());
}

/// Every FSK receiver on arbitrary audio (16-bit samples from the data).
pub fn fsk_receiver(data: &[u8]) {
    let Some((&sel, rest)) = data.split_first() else { return };
    let spec = CHANNELS[sel as usize % CHANNELS.len()];
    let mut rx = fsk::Receiver::new(spec);
    let mut sink = crate::bits::BitVec::default();
    let x: Vec<f32> = samples(rest).collect();
    for block in x.chunks(97) {
        rx.process(block, &mut sink);
    }
    assert!(sink.bits.len() <= x.len() / 4 + 64, "more bits than the audio can carry");
}

/// A whole modem (any family and role) on arbitrary audio, with bytes written and read, behind
/// the host-rate adapter.
pub fn modem(data: &[u8]) {
    let Some((&sel, rest)) = data.split_first() else { return };
    // Every family and automode; bit 6 adds the answer tone and V.8 (with a short billing delay,
    // so the input reaches what follows).
    let family = Family::ALL.into_iter().chain([Family::Auto]).nth((sel & 7) as usize).unwrap_or(Family::Auto);
    let role = if sel & 8 == 0 { Role::Call } else { Role::Answer };
    let rate = [8000.0, 44100.0, 48000.0, 11025.0][((sel >> 4) & 3) as usize];
    let mut config = Config::new(family, role);
    config.answer_tone = sel & 0x40 != 0;
    config.v8 = sel & 0x40 != 0;
    config.answer_delay = Duration::from_ms(100);
    let mut host = HostAdapter::new(Modem::new(config), rate);
    let x: Vec<f32> = samples(rest).collect();
    let mut out = vec![0.0; 128];
    let mut buf = [0u8; 64];
    for (i, block) in x.chunks(128).enumerate() {
        host.process(block, &mut out[..block.len()]);
        assert!(out.iter().all(|v| v.is_finite() && v.abs() <= 1.0));
        host.inner_mut().write(&rest[i % rest.len().max(1)..][..1.min(rest.len())]);
        host.inner_mut().read(&mut buf);
        while host.inner_mut().poll_event().is_some() {}
    }
}

/// The Hayes command line parser on arbitrary bytes (and the `+MS` arguments it finds).
pub fn at_parser(data: &[u8]) {
    use crate::hayes::parser::{split_args, Command, Commands, ExtendedOp, MAX_DIAL};
    use crate::hayes::Modulation;
    let mut n = 0;
    for c in Commands::new(data) {
        n += 1;
        assert!(n <= data.len(), "more commands than characters");
        match c {
            Ok(Command::Dial(d)) => assert!(d.tokens.len() <= data.len().min(MAX_DIAL)),
            Ok(Command::Extended { op: ExtendedOp::Set(args), .. }) => {
                if let Some(m) = Modulation::default().with_args(&split_args(&args)) {
                    assert!(m.report().starts_with("+MS: "));
                }
            }
            _ => {}
        }
    }
}

/// Command lines that take the interpreter to its deeper states, for [`hayes`].
const HAYES_LINES: [&[u8]; 16] = [
    b"ATDT5551234\r",
    b"ATD9W,1;\r",
    b"ATA\r",
    b"+++",
    b"ATO\r",
    b"ATH\r",
    b"ATS0=1\r",
    b"ATZ\r",
    b"A/",
    b"AT+MS=V21,0;+MS?\r",
    b"ATS12=0S7=1\r",
    b"ATV0Q1X0\r",
    b"ATE1Q0V1X4&F\r",
    b"ATS2=33S3=64S5=65\r",
    b"ATDL\r",
    b"AT&W&C1I4S7?\r",
];

/// The whole Hayes interpreter on an arbitrary interleaving of typing, line data, time, events
/// and reads, decoded from the data as a stream of operations. Nothing may panic, output stays
/// bounded, and once the inputs stop every call attempt ends within its timeout.
pub fn hayes(data: &[u8]) {
    use crate::hayes::{Action, Hayes, LineEvent, State, ACTIONS_MAX, LINE_MAX, QUEUE_CAPACITY};
    let mut h = Hayes::new();
    let mut buf = [0u8; 300];
    let mut i = 0;
    while i < data.len() {
        let op = data[i];
        i += 1;
        let arg = data.get(i).copied().unwrap_or(0);
        match op % 9 {
            0 | 1 => {
                let end = (i + (op >> 4) as usize + 1).min(data.len());
                let taken = h.from_terminal(&data[i..end]);
                assert!(taken <= end - i);
                i = end;
            }
            2 => {
                i += 1;
                // A canned line, with two seconds of quiet around it if the top bit says so (so
                // that "+++" can escape).
                let quiet = if arg & 0x80 != 0 { 2 * crate::dsp::SAMPLE_RATE } else { 0 };
                h.advance(Duration::from_samples(quiet));
                h.from_terminal(HAYES_LINES[(arg & 0x7f) as usize % HAYES_LINES.len()]);
                h.advance(Duration::from_samples(quiet));
            }
            3 => {
                let end = (i + (op >> 4) as usize + 1).min(data.len());
                assert!(h.from_line(&data[i..end]) <= end - i);
                i = end;
            }
            4 => {
                i += 1;
                // Up to about four minutes, on a rough logarithmic scale.
                h.advance(Duration::from_samples((arg as u32 & 0x3f) << ((arg >> 6) * 5)));
            }
            5 => {
                i += 1;
                let rates = [300, 1200, 2400, 75, 0, u32::MAX];
                h.event(match arg % 9 {
                    0 => LineEvent::Connected { rate: rates[(arg / 9) as usize % rates.len()] },
                    1 => LineEvent::NoCarrier,
                    2 => LineEvent::Busy,
                    3 => LineEvent::NoDialTone,
                    4 => LineEvent::NoAnswer,
                    5 => LineEvent::Ring,
                    6 => LineEvent::DialToneHeard,
                    7 => LineEvent::Dialled,
                    _ => LineEvent::Error,
                });
            }
            6 => assert!(h.to_terminal(&mut buf[..(arg as usize % 300) + 1]) <= 300),
            7 => assert!(h.to_line(&mut buf) <= buf.len()),
            _ => {
                let mut n = 0;
                while let Some(a) = h.poll_action() {
                    n += 1;
                    if let Action::Dial(d) = a {
                        assert!(d.elements.len() <= LINE_MAX);
                    }
                }
                assert!(n <= ACTIONS_MAX);
            }
        }
        assert_eq!(h.connected(), matches!(h.state(), State::Online | State::OnlineCommand));
        assert!(!h.connected() || h.off_hook());
    }
    let mut out = vec![0u8; 2 * QUEUE_CAPACITY];
    assert!(h.to_terminal(&mut out) <= QUEUE_CAPACITY);
    assert!(h.to_line(&mut out) <= QUEUE_CAPACITY);
    // With no more events, no call attempt lasts: S7, pauses and waits are all bounded.
    h.advance(Duration::MAX);
    assert!(!matches!(h.state(), State::Dialing | State::Connecting), "stuck in {:?}", h.state());
}

/// Checks the size bounds of one parsed phone response (from a line of at most `MAX_LINE` bytes).
fn phone_response_bounded(r: &crate::phone::wire::Response) {
    use crate::phone::wire::{ErrorCode, FinalResult, Response, MAX_FIELDS, MAX_LINE};
    // Lossy UTF-8 turns each invalid byte into a 3-byte replacement character at most.
    let ok = |s: &str| assert!(s.len() <= 3 * MAX_LINE, "{} bytes", s.len());
    match r {
        Response::Echo(s) | Response::Cring(s) | Response::Overlong(s) | Response::Other(s) => ok(s),
        Response::Final(FinalResult::Connect(s))
        | Response::Final(FinalResult::CmeError(ErrorCode::Verbose(s)))
        | Response::Final(FinalResult::CmsError(ErrorCode::Verbose(s))) => ok(s),
        Response::Clip(id) => {
            ok(id.number.as_deref().unwrap_or(""));
            ok(id.alpha.as_deref().unwrap_or(""));
        }
        Response::Clcc(c) => ok(c.number.as_deref().unwrap_or("")),
        Response::CindSupported(l) => {
            assert!(l.len() <= MAX_FIELDS);
            l.iter().for_each(|i| {
                ok(&i.name);
                assert!(i.min <= i.max);
            });
        }
        Response::CindValues(v) => assert!(v.len() <= MAX_FIELDS),
        _ => {}
    }
}

/// The phone's line splitter and response parser on arbitrary serial bytes, read in pieces of
/// any size (the first byte picks the piece size).
pub fn phone_response(data: &[u8]) {
    use crate::phone::wire::{parse, parse_line, LineSplitter, MAX_LINE};
    let Some((&sel, rest)) = data.split_first() else { return };
    let piece = 1 + sel as usize % 19;
    let mut split = LineSplitter::new();
    let mut lines = 0usize;
    for chunk in rest.chunks(piece) {
        split.push(chunk, |l| {
            assert!(l.bytes.len() <= MAX_LINE);
            assert!(!l.bytes.iter().any(|&b| b < 0x20 && b != b'\t'));
            phone_response_bounded(&parse(l));
            lines += 1;
        });
        assert!(split.pending() <= MAX_LINE);
    }
    assert!(lines <= rest.len());
    let _ = parse_line(rest);
}

/// Call control on an arbitrary interleaving of phone bytes, canned phone lines, time, requests
/// and reads, optionally against the simulated phone (whose behaviour the first byte picks).
/// Events stay bounded, and afterwards, with the phone silent, nothing waits for ever.
pub fn phone_control(data: &[u8]) {
    use crate::phone::control::{Config, Phase, PhoneControl, MAX_EVENTS};
    use crate::sim::phone::{FarEnd, LineStyle, SimConfig, SimulatedPhone, HF_INDICATORS};
    let Some((&sel, mut rest)) = data.split_first() else { return };
    let hands_free = sel & 1 != 0;
    let with_sim = sel & 2 != 0;
    let mut ctl = PhoneControl::new(if hands_free { Config::hands_free() } else { Config::default() });
    let base = if hands_free { SimConfig::hands_free(&HF_INDICATORS) } else { SimConfig::default() };
    let mut sim = SimulatedPhone::new(SimConfig {
        style: [LineStyle::V250, LineStyle::CrLf, LineStyle::Lf, LineStyle::Cr][(sel >> 2) as usize & 3],
        echo: sel & 16 != 0,
        chup_supported: sel & 32 == 0,
        clcc_supported: sel & 64 == 0,
        ok_after_connect: sel & 128 != 0,
        ..base
    });
    const LINES: [&[u8]; 16] = [
        b"\r\nOK\r\n",
        b"\r\nERROR\r\n",
        b"\r\nRING\r\n",
        b"\r\n+CRING: VOICE\r\n",
        b"\r\n+CLIP: \"5551234\",129\r\n",
        b"\r\nNO CARRIER\r\n",
        b"\r\nBUSY\r\n",
        b"\r\nNO ANSWER\r\n",
        b"\r\n+CLCC: 1,0,3,0,0,\"1\",129\r\n",
        b"\r\n+CLCC: 1,1,4,0,0,\"5\",129\r\n",
        b"\r\n+CLCC: 1,0,0,0,0\r\n",
        b"\r\n+CIEV: 2,1\r\n",
        b"\r\n+CIEV: 3,0\r\n",
        b"\r\n+CIND: (\"service\",(0,1)),(\"call\",(0,1)),(\"callsetup\",(0-3))\r\n",
        b"\r\n+CME ERROR: 3\r\n",
        b"\r\nCONNECT\r\n",
    ];
    let mut buf = [0u8; 256];
    let exchange = |ctl: &mut PhoneControl, sim: &mut SimulatedPhone, buf: &mut [u8], samples: u32| {
        let n = ctl.to_phone(buf);
        sim.write(&buf[..n]);
        let n = sim.read(buf);
        ctl.from_phone(&buf[..n]);
        ctl.advance(Duration::from_samples(samples));
        sim.advance(Duration::from_samples(samples));
    };
    while let Some((&op, tail)) = rest.split_first() {
        rest = tail;
        let arg = (op >> 4) as usize;
        match op & 15 {
            0 => {
                let n = (arg + 1).min(rest.len());
                ctl.from_phone(&rest[..n]);
                rest = &rest[n..];
            }
            1 => ctl.from_phone(LINES[arg]),
            2 => ctl.advance(Duration::from_samples(arg as u32 * 400 + 1)),
            3 => ctl.advance(Duration::from_samples((arg as u32 + 1) * 32_000)),
            4 => {
                let _ = ctl.dial(["5551234", "+44 (20) 7946-0000", "", "1;ATH", "*31#1"][arg % 5]);
            }
            5 => {
                let _ = ctl.answer();
            }
            6 => {
                let _ = ctl.hang_up();
            }
            7 => {
                let _ = ctl.init();
            }
            8 => {
                let n = ctl.to_phone(&mut buf[..arg + 1]);
                assert!(n <= arg + 1);
                if with_sim {
                    sim.write(&buf[..n]);
                }
            }
            9 => while ctl.poll_event().is_some() {},
            10 if with_sim => match arg {
                0 => {
                    sim.incoming_call(Some("5551234"));
                }
                1 => {
                    sim.incoming_call(None);
                }
                2 => {
                    sim.far_end_hangs_up();
                }
                3 => sim.set_silent(true),
                4 => sim.set_silent(false),
                5 => sim.set_far_end(FarEnd::Busy),
                6 => sim.set_far_end(FarEnd::NeverAnswers),
                7 => sim.set_far_end(FarEnd::RejectsAfterMs(1000)),
                _ => sim.set_far_end(FarEnd::AnswersAfterMs(arg as u32 * 500)),
            },
            _ if with_sim => {
                for _ in 0..=arg * 4 {
                    exchange(&mut ctl, &mut sim, &mut buf, 400);
                }
            }
            // Without the simulated phone: a phone that says OK to whatever is outstanding.
            _ => {
                if ctl.waiting_for_phone() && arg < 12 {
                    ctl.from_phone(LINES[0]);
                }
                ctl.to_phone(&mut buf);
                ctl.advance(Duration::from_samples(80));
            }
        }
        assert!(ctl.pending_events() <= MAX_EVENTS);
    }
    // The phone goes silent: every command resolves by its timeout, and what remains is a
    // resting state (an active call with nothing to poll it by may rest, too).
    for _ in 0..400 {
        ctl.to_phone(&mut buf);
        ctl.advance(Duration::from_secs(1));
        while ctl.poll_event().is_some() {}
    }
    assert!(!ctl.waiting_for_phone());
    assert!(matches!(ctl.phase(), Phase::Unready | Phase::Idle | Phase::Active), "stuck in {:?}", ctl.phase());
}

/// Audio for the tone detectors. When the first byte is even, the rest are 16-bit samples; when it
/// is odd, they describe tone bursts, 4 bytes each (two frequencies from those the detectors listen
/// for, a length of 5 ms to 1.28 s, a level, a frequency offset, a phase reversal), so that the
/// fuzzer reaches the detectors' recognitions and not only their refusals. At most 25 s.
fn tone_audio(data: &[u8]) -> Vec<f32> {
    const FREQS: [f32; 16] = [
        350.0, 425.0, 440.0, 480.0, 620.0, 697.0, 770.0, 852.0, 941.0, 1209.0, 1336.0, 1477.0, 1633.0, 1300.0, 2100.0,
        2225.0,
    ];
    const MAX: usize = 200_000;
    let Some((&sel, rest)) = data.split_first() else { return Vec::new() };
    if sel & 1 == 0 {
        return samples(rest).take(MAX).collect();
    }
    let mut out = Vec::new();
    let (mut ph1, mut ph2, mut sign) = (0.0f64, 0.0f64, 1.0f32);
    for b in rest.chunks_exact(4) {
        let offset = (b[3] as i8) as f64 / 8.0;
        let f1 = FREQS[(b[0] & 15) as usize] as f64 + offset;
        let f2 = FREQS[(b[0] >> 4) as usize] as f64 + offset;
        let len = (b[1] as usize + 1) * 40;
        let amp = if b[2] & 63 == 63 { 0.0 } else { crate::dsp::dbm0_to_peak(-((b[2] & 63) as f32)) };
        let two = b[2] & 64 != 0;
        if b[2] & 128 != 0 {
            sign = -sign;
        }
        for _ in 0..len.min(MAX - out.len()) {
            ph1 = (ph1 + f1 / 8000.0).fract();
            ph2 = (ph2 + f2 / 8000.0).fract();
            let mut v = (ph1 * core::f64::consts::TAU).sin() as f32;
            if two {
                v = 0.5 * (v + (ph2 * core::f64::consts::TAU).sin() as f32);
            }
            out.push(sign * amp * v);
        }
    }
    out
}

/// The DTMF detector on arbitrary audio: it reports only keys, and no more of them than the audio
/// can carry (a digit takes two 10 ms steps).
pub fn dtmf_detector(data: &[u8]) {
    let x = tone_audio(data);
    let mut d = crate::tones::DtmfDetector::new();
    let mut n = 0usize;
    for block in x.chunks(97) {
        d.process(block, |c| {
            assert!("0123456789*#ABCD".contains(c), "not a key: {c:?}");
            n += 1;
        });
    }
    assert!(n <= x.len() / 160 + 1, "{n} digits in {} samples", x.len());
    assert_eq!(d.samples(), x.len() as u64);
}

/// The call progress detector on arbitrary audio: events in time order, each a change, tones with
/// their tone plan and silence and voice without, at most one per 20 ms block.
pub fn call_progress(data: &[u8]) {
    use crate::tones::{ProgressEvent, Tone};
    let x = tone_audio(data);
    let mut d = crate::tones::CallProgressDetector::new();
    let mut events: Vec<ProgressEvent> = Vec::new();
    for block in x.chunks(101) {
        d.process(block, |e| events.push(e));
    }
    for (i, e) in events.iter().enumerate() {
        assert!(e.at <= x.len() as u64);
        assert_eq!(e.region.is_none(), matches!(e.tone, Tone::Silence | Tone::Voice), "{e:?}");
        if i > 0 {
            let p = events[i - 1];
            assert!(p.at <= e.at && (p.tone, p.region) != (e.tone, e.region), "{p:?} then {e:?}");
        }
    }
    assert!(events.len() <= x.len() / 160 + 1);
    assert_eq!(d.current(), events.last().map(|e| (e.tone, e.region)));
}

/// The answer tone detector on arbitrary audio: events in time order, reversals and ends only of a
/// tone that was reported, calling tone bursts of 0.4 to 0.8 s, and not too many events.
pub fn answer_tone_detector(data: &[u8]) {
    use crate::tones::{AnswerEvent, AnswerTone};
    let x = tone_audio(data);
    let mut d = crate::tones::AnswerToneDetector::new();
    let mut events: Vec<AnswerEvent> = Vec::new();
    for block in x.chunks(89) {
        d.process(block, |e| events.push(e));
    }
    let (mut ans, mut bell, mut last) = (false, false, 0u64);
    for e in &events {
        let at = match *e {
            AnswerEvent::Answer { kind, at } => {
                if kind == AnswerTone::Bell2225 {
                    assert!(!bell, "Bell tone reported twice");
                    bell = true;
                } else {
                    ans = true;
                }
                at
            }
            AnswerEvent::PhaseReversal { at } => {
                assert!(ans, "reversal of no tone");
                at
            }
            AnswerEvent::Ended { kind, at } => {
                if kind == AnswerTone::Bell2225 {
                    assert!(bell);
                    bell = false;
                } else {
                    assert!(ans);
                    ans = false;
                }
                at
            }
            AnswerEvent::CallingTone { at, duration } => {
                assert!((3200..=6400).contains(&duration), "{e:?}");
                at
            }
        };
        assert!(at <= x.len() as u64, "{e:?}");
        // Ends are dated back to the tone's last step: up to 35 ms before the events around them.
        assert!(at + 400 >= last, "{e:?} after {last}");
        last = last.max(at);
    }
    assert!(events.len() <= x.len() / 100 + 10, "{} events in {} samples", events.len(), x.len());
}

/// Command lines that take the DCE to its deeper states, for [`dce`].
const DCE_LINES: [&[u8]; 16] = [
    b"ATDT5551234\r",
    b"ATD;\r",
    b"ATA\r",
    b"+++",
    b"ATO1\r",
    b"ATH\r",
    b"ATS0=1S7=5S10=5\r",
    b"ATZ\r",
    b"AT+MS=V21\r",
    b"ATX3DT1,2W3\r",
    b"ATD\r",
    b"AT+MS=B103;S12=0\r",
    b"ATDP9W,*#+!5;\r",
    b"AT+MS=V22B,1,2400,0,2400\r",
    b"ATE0V0X4S6=2S8=0S11=50\r",
    b"ATDL\r",
];

/// Phone lines for [`dce`].
const DCE_PHONE_LINES: [&[u8]; 12] = [
    b"\r\nOK\r\n",
    b"\r\nERROR\r\n",
    b"\r\nRING\r\n",
    b"\r\n+CRING: VOICE\r\n",
    b"\r\nNO CARRIER\r\n",
    b"\r\nBUSY\r\n",
    b"\r\nNO DIALTONE\r\n",
    b"\r\nNO ANSWER\r\n",
    b"\r\n+CLCC: 1,0,0,0,0,\"1\",129\r\n",
    b"\r\n+CLCC: 1,0,3,0,0,\"1\",129\r\n",
    b"\r\n+CLCC: 1,1,4,0,0,\"5\",129\r\n",
    b"\r\n+CME ERROR: 3\r\n",
];

/// The whole DCE (command interpreter, phone call control, data modem, dialler) on an arbitrary
/// interleaving of typing, phone bytes, line audio (samples from the data, tones, a far modem of any
/// family and role), time and a user interface's buttons, with the phone link the first byte picks
/// and, optionally, the simulated phone on the serial link. Nothing may panic, the queues stay
/// bounded, a connection is never up without its modem, and after a hang-up and a long silence the
/// DCE is in command state, on-hook, silent, with no modem.
pub fn dce(data: &[u8]) {
    use crate::dce::{Config as DceConfig, Dce, Phase, PhoneLink, BLOCK, LOG_MAX};
    use crate::hayes::QUEUE_CAPACITY;
    use crate::sim::phone::{FarEnd, SimConfig, SimulatedPhone};
    use crate::tones::{ProgressToneGenerator, Region, Tone};
    let Some((&sel, mut rest)) = data.split_first() else { return };
    let link = [PhoneLink::Serial, PhoneLink::Manual, PhoneLink::Audio][sel as usize % 3];
    let with_sim = sel & 4 != 0;
    let mut dce = Dce::new(DceConfig { link, ..DceConfig::default() });
    let mut sim = SimulatedPhone::new(SimConfig { echo: sel & 8 != 0, ..SimConfig::default() });
    let mut far: Option<Modem> = None;
    let mut tone: Option<ProgressToneGenerator> = None;
    let mut raw: Option<[f32; BLOCK]> = None;
    let (mut to_dce, mut to_far) = ([0.0f32; BLOCK], [0.0f32; BLOCK]);
    let mut buf = [0u8; 512];
    // One 20 ms block of the call: the DCE, the far end, the serial link.
    let mut run = |dce: &mut Dce,
                   far: &mut Option<Modem>,
                   tone: &mut Option<ProgressToneGenerator>,
                   raw: &mut Option<[f32; BLOCK]>,
                   sim: &mut SimulatedPhone,
                   exchange: bool| {
        let mut heard = to_dce;
        if let Some(t) = tone.as_mut() {
            let mut x = [0.0f32; BLOCK];
            t.process(&mut x);
            heard.iter_mut().zip(x).for_each(|(h, x)| *h += x);
        }
        if let Some(r) = raw.take() {
            heard = r;
        }
        dce.process(&heard, &mut to_far);
        match far.as_mut() {
            Some(m) => {
                m.process(&to_far, &mut to_dce);
                let mut b = [0u8; 64];
                m.read(&mut b);
            }
            None => to_dce = [0.0; BLOCK],
        }
        let mut b = [0u8; 256];
        let n = dce.to_phone(&mut b);
        if exchange {
            sim.write(&b[..n]);
            sim.advance(Duration::from_samples(BLOCK as u32));
            let n = sim.read(&mut b);
            dce.from_phone(&b[..n]);
        }
    };
    while let Some((&op, tail)) = rest.split_first() {
        rest = tail;
        let arg = (op >> 4) as usize;
        match op & 15 {
            0 => {
                let n = (arg + 1).min(rest.len());
                assert!(dce.from_terminal(&rest[..n]) <= n);
                rest = &rest[n..];
            }
            1 => {
                let line = DCE_LINES[arg];
                assert!(dce.from_terminal(line) <= line.len());
            }
            2 => {
                let n = (arg + 1).min(rest.len());
                dce.from_phone(&rest[..n]);
                rest = &rest[n..];
            }
            3 => dce.from_phone(DCE_PHONE_LINES[arg % DCE_PHONE_LINES.len()]),
            4 | 5 => {
                // Up to about 20 s of the call.
                let blocks = if op & 15 == 4 { arg + 1 } else { (arg + 1) * 64 };
                for _ in 0..blocks {
                    run(&mut dce, &mut far, &mut tone, &mut raw, &mut sim, with_sim);
                }
            }
            6 => {
                // One block of samples from the data (and now and then some that are not numbers).
                let mut x = [0.0f32; BLOCK];
                for (v, c) in x.iter_mut().zip(rest.chunks_exact(2)) {
                    *v = i16::from_le_bytes([c[0], c[1]]) as f32 / 32768.0;
                }
                if arg & 1 != 0 {
                    x[arg] = [f32::NAN, f32::INFINITY, -1e30, 1e30][arg % 4];
                }
                rest = &rest[(2 * BLOCK).min(rest.len())..];
                raw = Some(x);
                run(&mut dce, &mut far, &mut tone, &mut raw, &mut sim, with_sim);
            }
            7 => match arg {
                0 => {
                    let _ = dce.dial_manual();
                }
                1 => {
                    let _ = dce.dial("555-1234");
                }
                2 => {
                    let _ = dce.dial("1;H");
                }
                3 => {
                    let _ = dce.answer();
                }
                4 | 5 => dce.hang_up(),
                6 => dce.ring(),
                7 => dce.send_break(),
                8 => dce.init_phone(),
                _ => {
                    let _ = dce.set_link([PhoneLink::Serial, PhoneLink::Manual, PhoneLink::Audio][arg % 3]);
                }
            },
            8 => {
                let families = [Family::Bell103, Family::V21, Family::V22, Family::V22bis];
                far = match arg {
                    0..=7 => Some(Modem::new(Config::new(
                        families[arg % 4],
                        if arg < 4 { Role::Answer } else { Role::Call },
                    ))),
                    8 => {
                        if let Some(m) = far.as_mut() {
                            m.hang_up();
                        }
                        far
                    }
                    9 => {
                        if let Some(m) = far.as_mut() {
                            m.write(b"far data\x00\xff");
                        }
                        far
                    }
                    _ => None,
                };
            }
            9 => {
                tone = match arg % 5 {
                    0 => ProgressToneGenerator::new(Tone::DialTone, Region::NorthAmerica, -16.0),
                    1 => ProgressToneGenerator::new(Tone::Busy, Region::NorthAmerica, -20.0),
                    2 => ProgressToneGenerator::new(Tone::Ringback, Region::Europe, -20.0),
                    3 => ProgressToneGenerator::new(Tone::DialTone, Region::Europe, -10.0),
                    _ => None,
                };
            }
            10 => match arg {
                0 => {
                    sim.incoming_call(Some("5551234"));
                }
                1 => {
                    sim.far_end_hangs_up();
                }
                2 => sim.set_silent(true),
                3 => sim.set_silent(false),
                4 => sim.set_far_end(FarEnd::Busy),
                5 => sim.set_far_end(FarEnd::NeverAnswers),
                6 => sim.set_far_end(FarEnd::RejectsAfterMs(500)),
                _ => sim.set_far_end(FarEnd::AnswersAfterMs(arg as u32 * 200)),
            },
            11 => {
                let n = dce.to_terminal(&mut buf[..arg * 31 + 1]);
                assert!(n <= arg * 31 + 1);
            }
            12 => {
                let n = dce.to_phone(&mut buf[..arg + 1]);
                assert!(n <= arg + 1);
            }
            13 => {
                let mut lines = 0;
                while dce.poll_log().is_some() {
                    lines += 1;
                }
                assert!(lines <= LOG_MAX);
            }
            _ => dce.advance(Duration::from_samples_u64((arg as u64 + 1) << arg)),
        }
        assert!(!dce.hayes().connected() || dce.modem().is_some(), "connected with no modem");
        let s = dce.status();
        assert_eq!(s.phone.is_some(), dce.link() == PhoneLink::Serial);
        if matches!(s.phase, Phase::Online | Phase::OnlineCommand) {
            assert_eq!(s.modem, crate::modem::State::Data, "{s:?}");
        }
    }
    let mut big = vec![0u8; 2 * QUEUE_CAPACITY];
    assert!(dce.to_terminal(&mut big) <= QUEUE_CAPACITY);
    let mut lines = 0;
    while dce.poll_log().is_some() {
        lines += 1;
    }
    assert!(lines <= LOG_MAX);
    // Hang up, and let a long silence pass with nothing more from the phone or the far end.
    dce.hang_up();
    dce.advance(Duration::from_secs(300));
    let s = dce.status();
    assert_eq!(s.phase, Phase::OnHook, "{s:?}");
    assert!(dce.modem().is_none(), "{s:?}");
    assert_eq!(dce.hayes().state(), crate::hayes::State::Command);
    let mut out = [1.0f32; BLOCK];
    dce.process(&[0.0; BLOCK], &mut out);
    assert!(out.iter().all(|&v| v == 0.0), "sound on-hook");
}

// ---------------------------------------------------------------------------------------------
// V.8 (src/v8/)

/// The V.8 menu and CI parsers on arbitrary octets: a menu that parses emits octets that parse
/// back to the same menu, of the length it says; the joint menu with anything is a subset of both.
pub fn v8_menu(data: &[u8]) {
    use crate::v8::{CallIndicator, Menu, Modulations, MENU_MAX_LEN};
    let _ = CallIndicator::parse(data);
    let Ok(menu) = Menu::parse(data) else { return };
    let mut buf = [0u8; MENU_MAX_LEN];
    let n = menu.emit(&mut buf);
    assert_eq!(n, menu.len());
    assert_eq!(Menu::parse(&buf[..n]), Ok(menu), "{data:x?} -> {:x?}", &buf[..n]);
    assert_eq!(menu.emit(&mut buf[..n - 1]), 0);
    let ours = Menu::data(Modulations::IMPLEMENTED);
    let jm = menu.joint(&ours);
    assert!(menu.modulations.contains(jm.modulations) && Modulations::IMPLEMENTED.contains(jm.modulations));
    assert_eq!(jm.call_function, menu.call_function);
    if let Some(m) = jm.modulations.best() {
        assert!(jm.modulations.contains(m.bit()));
    }
}

/// The V.8 sequence receiver on arbitrary bits (the data's bits, least significant first), and on
/// a sequence the data chooses, framed by the sender, which it must recover exactly.
pub fn v8_receiver(data: &[u8]) {
    use crate::bits::{BitSink, BitSource};
    use crate::v8::framing::{Received, SequenceReceiver, SequenceSender, Sync, MAX_OCTETS};
    let mut r = SequenceReceiver::new();
    let mut items = 0usize;
    for (i, &b) in data.iter().enumerate() {
        for k in 0..8 {
            r.put_bit((b >> k) & 1, 0.0);
        }
        if b == 0xA5 && i % 3 == 0 {
            r.carrier(false);
        }
        while let Some(x) = r.poll() {
            items += 1;
            if let Received::Sequence(s) = x {
                assert!(s.octets().len() <= MAX_OCTETS);
                let _ = crate::v8::Menu::parse(s.octets());
            }
        }
    }
    // A sequence needs at least 20 bits, CJ 30.
    assert!(items <= data.len() * 8 / 20 + 1, "{items} items from {} bits", data.len() * 8);

    // Round trip: the data's first octets as a sequence, sent twice and ended by CJ.
    let Some((&sel, rest)) = data.split_first() else { return };
    let octets = &rest[..rest.len().min(MAX_OCTETS)];
    let sync = [Sync::Ci, Sync::CmJm, Sync::V92][sel as usize % 3];
    let mut s = SequenceSender::new(sync, octets);
    let mut r = SequenceReceiver::new();
    let bits_per_sequence = 10 * (octets.len() + 2);
    let mut got = vec![];
    for _ in 0..3 * bits_per_sequence {
        r.put_bit(s.next_bit(), 0.0);
        while let Some(x) = r.poll() {
            got.push(x);
        }
    }
    s.send_cj();
    for _ in 0..bits_per_sequence + 40 {
        r.put_bit(s.next_bit(), 0.0);
        while let Some(x) = r.poll() {
            got.push(x);
        }
    }
    assert!(s.is_finished());
    let want = Received::Sequence(crate::v8::framing::Sequence::new(sync, octets));
    let zeros = core::iter::once(sync.octet()).chain(octets.iter().copied()).collect::<Vec<u8>>();
    if !zeros.windows(3).any(|w| w == [0, 0, 0]) {
        // The first two sequences come back whole and CJ ends it (content with three zero octets
        // in a row reads as CJ, which V.8's menus never contain).
        assert_eq!(got[..2], [want, want], "{octets:x?}: {got:?}");
        assert_eq!(got.last(), Some(&Received::Cj), "{octets:x?}: {got:?}");
    }
}
