#![cfg(not(target_arch = "wasm32"))]
//! The fuzz targets' seed corpora (`fuzz/seeds/<target>/`): small, meaningful inputs made here by
//! our own transmitters and from the formats' specifications (WAV files of every encoding the
//! reader takes, modem audio, tones, AT command lines, phone responses, V.8 menus and sequences,
//! operation streams that place calls), from which the fuzzers start rather than from nothing.
//! `./build.sh fuzz` hands each target its seed directory as a second corpus.
//!
//! The tests run every seed, generated and committed, through its target's body. To write the
//! seeds again (after adding one, or when a transmitter changed):
//!
//! ```sh
//! cargo test --test fuzz_seeds -- --ignored write_seeds
//! ```

use softmodem::bits::BitSource;
use softmodem::dsp::SAMPLE_RATE;
use softmodem::fsk::{self, CHANNELS};
use softmodem::fuzzing;
use softmodem::modem::{Config, Modem};
use softmodem::sim::bert::Prbs;
use softmodem::sim::call::BackToBack;
use softmodem::startstop::{Format, Framer};
use softmodem::time::Duration;
use softmodem::tones::{AnswerTone, AnswerToneGenerator, CallingToneGenerator, DtmfGenerator};
use softmodem::tones::{ProgressToneGenerator, Region, Tone};
use softmodem::types::{Family, Role};
use softmodem::v22bis::tx::{Signal, Transmitter};
use softmodem::v22bis::{GuardTone, Rate, ANSWER_CARRIER, CALL_CARRIER};
use softmodem::v8::framing::{SequenceSender, Sync};
use softmodem::v8::{CallFunction, CallIndicator, Menu, Modulations};
use softmodem::wav::Wav;
use std::path::{Path, PathBuf};

/// One seed: its target, its file name, its bytes.
struct Seed {
    target: &'static str,
    name: String,
    bytes: Vec<u8>,
}

/// Seeds of one target: file names and contents.
type Named = Vec<(String, Vec<u8>)>;

/// A fuzz target's body.
type Body = fn(&[u8]);

/// Every target and its body.
const TARGETS: [(&str, Body); 29] = [
    ("wav_parse", fuzzing::wav_parse),
    ("ansi_terminal", fuzzing::ansi_terminal),
    ("deframer", fuzzing::deframer),
    ("hdlc_deframer", fuzzing::hdlc_deframer),
    ("fsk_receiver", fuzzing::fsk_receiver),
    ("modem", fuzzing::modem),
    ("v22_receiver", fuzzing::v22_receiver),
    ("at_parser", fuzzing::at_parser),
    ("hayes", fuzzing::hayes),
    ("phone_response", fuzzing::phone_response),
    ("phone_control", fuzzing::phone_control),
    ("dtmf_detector", fuzzing::dtmf_detector),
    ("call_progress", fuzzing::call_progress),
    ("answer_tone_detector", fuzzing::answer_tone_detector),
    ("dce", fuzzing::dce),
    ("v8_menu", fuzzing::v8_menu),
    ("v8_receiver", fuzzing::v8_receiver),
    ("v42bis_decoder", fuzzing::v42bis_decoder),
    ("lapm_frames", fuzzing::lapm_frames),
    ("v42_bits", fuzzing::v42_bits),
    ("zmodem_frames", fuzzing::zmodem_frames),
    ("xmodem_blocks", fuzzing::xmodem_blocks),
    ("ppp_frames", fuzzing::ppp_frames),
    ("chat_script", fuzzing::chat_script),
    ("telnet_stream", fuzzing::telnet_stream),
    ("ppp_negotiation", fuzzing::ppp_negotiation),
    ("ppp_options", fuzzing::ppp_options),
    ("ppp_auth", fuzzing::ppp_auth),
    ("http_response", fuzzing::http_response),
];

fn body(target: &str) -> Body {
    TARGETS.iter().find(|t| t.0 == target).unwrap_or_else(|| panic!("no fuzz target {target}")).1
}

/// Audio as the targets read it: 16-bit little-endian samples.
fn pcm(x: &[f32]) -> Vec<u8> {
    x.iter().flat_map(|&v| softmodem::dsp::to_i16(v).to_le_bytes()).collect()
}

fn with_sel(sel: u8, rest: &[u8]) -> Vec<u8> {
    let mut v = vec![sel];
    v.extend_from_slice(rest);
    v
}

fn ms(ms: u32) -> usize {
    (ms * SAMPLE_RATE / 1000) as usize
}

/// A WAV header and data as the fields say (`extra` chunks before `fmt `).
fn wav(tag: u16, channels: u16, rate: u32, bits: u16, data: &[u8], extra: &[u8]) -> Vec<u8> {
    let align = channels * bits.div_ceil(8);
    let mut v = b"RIFF".to_vec();
    v.extend_from_slice(&(4 + extra.len() as u32 + 24 + 8 + data.len() as u32).to_le_bytes());
    v.extend_from_slice(b"WAVE");
    v.extend_from_slice(extra);
    v.extend_from_slice(b"fmt \x10\0\0\0");
    for f in [tag, channels] {
        v.extend_from_slice(&f.to_le_bytes());
    }
    v.extend_from_slice(&rate.to_le_bytes());
    v.extend_from_slice(&(rate * align as u32).to_le_bytes());
    v.extend_from_slice(&align.to_le_bytes());
    v.extend_from_slice(&bits.to_le_bytes());
    v.extend_from_slice(b"data");
    v.extend_from_slice(&(data.len() as u32).to_le_bytes());
    v.extend_from_slice(data);
    v
}

fn wav_seeds() -> Named {
    let tone: Vec<f32> = (0..200).map(|i| 0.5 * (i as f32 * 0.3).sin()).collect();
    let ints = |f: fn(f32) -> Vec<u8>| tone.iter().flat_map(|&v| f(v)).collect::<Vec<u8>>();
    let pcm8 = ints(|v| vec![(v * 127.0 + 128.0) as u8]);
    let pcm24 = ints(|v| ((v * 8_388_607.0) as i32).to_le_bytes()[..3].to_vec());
    let pcm32 = ints(|v| ((v * 2_147_483_000.0) as i32).to_le_bytes().to_vec());
    let float_stereo = ints(|v| [v, -v].iter().flat_map(|s| s.to_le_bytes()).collect());
    let float64 = ints(|v| (v as f64).to_le_bytes().to_vec());
    let ulaw = ints(|v| vec![softmodem::g711::Law::MuLaw.encode(v)]);
    let alaw = ints(|v| vec![softmodem::g711::Law::ALaw.encode(v)]);
    let mut extensible = wav(0xFFFE, 1, 8000, 16, &pcm(&tone), &[]);
    // WAVE_FORMAT_EXTENSIBLE: a 40-byte fmt chunk whose sub-format GUID starts with the real tag.
    let fmt_at = 12;
    let mut fmt = extensible[fmt_at + 8..fmt_at + 24].to_vec();
    fmt.extend_from_slice(&[
        22, 0, 16, 0, 4, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0x10, 0, 0x80, 0, 0, 0xAA, 0, 0x38, 0x9B, 0x71,
    ]);
    let mut ext = extensible[..fmt_at].to_vec();
    ext.extend_from_slice(b"fmt \x28\0\0\0");
    ext.extend_from_slice(&fmt);
    ext.extend_from_slice(&extensible[fmt_at + 24..]);
    extensible = ext;
    let mut streaming = Wav::emit_pcm16(8000, &tone);
    let n = streaming.len();
    streaming[n - 400 - 4..n - 400].copy_from_slice(&u32::MAX.to_le_bytes());
    streaming[4..8].copy_from_slice(&u32::MAX.to_le_bytes());
    let mut cut = Wav::emit_pcm16(44100, &tone);
    cut.truncate(cut.len() - 101);
    vec![
        ("pcm16-8000.wav".into(), Wav::emit_pcm16(8000, &tone)),
        ("pcm16-48000.wav".into(), Wav::emit_pcm16(48000, &tone)),
        ("pcm8-11025.wav".into(), wav(1, 1, 11025, 8, &pcm8, &[])),
        ("pcm24.wav".into(), wav(1, 1, 16000, 24, &pcm24, &[])),
        ("pcm32.wav".into(), wav(1, 1, 8000, 32, &pcm32, &[])),
        ("float32-stereo.wav".into(), wav(3, 2, 44100, 32, &float_stereo, &[])),
        ("float64.wav".into(), wav(3, 1, 8000, 64, &float64, &[])),
        ("ulaw.wav".into(), wav(7, 1, 8000, 8, &ulaw, &[])),
        ("alaw.wav".into(), wav(6, 1, 8000, 8, &alaw, &[])),
        ("extensible.wav".into(), extensible),
        ("list-chunk-odd-length.wav".into(), wav(1, 1, 8000, 16, &pcm(&tone), b"LIST\x03\0\0\0abc\0")),
        ("streaming-length.wav".into(), streaming),
        ("cut-mid-sample.wav".into(), cut),
        // Once a crash: two float channels near f32::MAX summed to infinity.
        ("float32-stereo-near-max.wav".into(), wav(3, 2, 8000, 32, &[f32::MAX.to_le_bytes(); 4].concat(), &[])),
    ]
}

/// An FSK channel's signal: 100 ms of mark, `text` in 8N1, 100 ms of mark.
fn fsk_audio(spec: fsk::ChannelSpec, text: &[u8]) -> Vec<f32> {
    let mut framer = Framer::new(Format::N81);
    let mut bits = vec![1u8; (spec.baud * 0.1).ceil() as usize];
    for &b in text {
        framer.start(b);
        while !framer.is_idle() {
            bits.push(framer.next_bit());
        }
    }
    bits.extend(std::iter::repeat_n(1, (spec.baud * 0.1).ceil() as usize));
    let mut x = vec![0.0; (bits.len() as f32 * SAMPLE_RATE as f32 / spec.baud) as usize];
    let mut it = bits.into_iter();
    fsk::Transmitter::new(spec, -13.0).process(&mut x, &mut || it.next().unwrap_or(1));
    x
}

/// A V.22/V.22bis transmitter on `carrier`: 300 ms of scrambled ones at 1200 bit/s, then 500 ms
/// of the O.152 pattern at `rate`.
fn v22_audio(carrier: f32, rate: Rate) -> Vec<f32> {
    let mut tx = Transmitter::new(carrier, -13.0, GuardTone::None);
    let mut prbs = Prbs::new();
    let mut x = vec![0.0; ms(800)];
    tx.set_signal(Signal::ScrambledOnes(Rate::R1200));
    let (a, b) = x.split_at_mut(ms(300));
    tx.process(a, &mut || 1);
    tx.set_signal(Signal::Data(rate));
    tx.process(b, &mut || prbs.next_bit());
    x
}

/// What the far end of a call says to a modem of `family` in `role` (set up as the modem body
/// sets it up from `sel`): the other role's signal in a back-to-back call, `millis` long; the far
/// end sends a greeting once connected. Played back to the same modem, it connects.
fn far_modem_audio(family: Family, role: Role, sel: u8, far_config: impl FnOnce(&mut Config), millis: u32) -> Vec<f32> {
    let mut ours = Config::new(family, role);
    ours.answer_tone = sel & 0x40 != 0;
    ours.v8 = sel & 0x40 != 0;
    ours.answer_delay = Duration::from_ms(100);
    let mut far = Config::new(family, role.other());
    far_config(&mut far);
    let mut far = Modem::new(far);
    far.write(b"Welcome to the BBS\r\n");
    let mut call = BackToBack::direct(Modem::new(ours), far);
    let mut x = Vec::new();
    while x.len() < ms(millis) {
        call.step();
        x.extend_from_slice(call.b_sent());
    }
    x
}

fn tone_audio_seeds() -> Named {
    type Fill = Box<dyn FnMut(&mut [f32])>;
    let gen = |n: usize, mut f: Fill| {
        let mut x = vec![0.0; n];
        f(&mut x);
        with_sel(0, &pcm(&x))
    };
    let mut dtmf = DtmfGenerator::new();
    dtmf.dial("12#A").unwrap();
    let progress = |t, r| ProgressToneGenerator::new(t, r, -16.0).unwrap();
    let answer = |k| AnswerToneGenerator::new(k, -13.0);
    let mut busy = progress(Tone::Busy, Region::NorthAmerica);
    let mut ring = progress(Tone::Ringback, Region::Europe);
    let mut dial = progress(Tone::DialTone, Region::NorthAmerica);
    let (mut ans, mut ansam, mut bell) =
        (answer(AnswerTone::AnsPr), answer(AnswerTone::AnsAmPr), answer(AnswerTone::Bell2225));
    let mut calling = CallingToneGenerator::new(-13.0);
    // Tone bursts as the detectors' bodies describe them (an odd first byte, then four bytes a
    // burst: frequency indices, length, level and flags, offset): a busy cadence, DTMF "12D6",
    // ANS with reversals and calling tone bursts.
    let mut busy_bursts = vec![1u8];
    for _ in 0..4 {
        busy_bursts.extend([0x43, 99, 64 | 16, 0, 0, 99, 63, 0]);
    }
    let mut dtmf_bursts = vec![1u8];
    for b0 in [0x95u8, 0xA5, 0xC8, 0xB6] {
        dtmf_bursts.extend([b0, 9, 64 | 10, 0, 0, 9, 63, 0]);
    }
    let mut ans_bursts = vec![1u8];
    for i in 0..4u8 {
        ans_bursts.extend([0xEE, 89, 13 | if i > 0 { 128 } else { 0 }, 0]);
    }
    ans_bursts.extend([0, 20, 63, 0, 0xDD, 119, 13, 0, 0, 255, 63, 0, 0xDD, 119, 13, 0]);
    vec![
        ("dtmf-12#A.raw".into(), gen(ms(700), Box::new(move |x| dtmf.process(x)))),
        ("busy.raw".into(), gen(ms(1100), Box::new(move |x| busy.process(x)))),
        ("ringback-europe.raw".into(), gen(ms(1200), Box::new(move |x| ring.process(x)))),
        ("dial-tone.raw".into(), gen(ms(500), Box::new(move |x| dial.process(x)))),
        ("ans-reversals.raw".into(), gen(ms(1000), Box::new(move |x| ans.process(x)))),
        ("ansam-reversals.raw".into(), gen(ms(1000), Box::new(move |x| ansam.process(x)))),
        ("bell-2225.raw".into(), gen(ms(600), Box::new(move |x| bell.process(x)))),
        ("calling-tone.raw".into(), gen(ms(1200), Box::new(move |x| calling.process(x)))),
        ("bursts-busy".into(), busy_bursts),
        ("bursts-dtmf".into(), dtmf_bursts),
        ("bursts-ans-calling".into(), ans_bursts),
    ]
}

/// An op byte for [`fuzzing::hayes`] whose low part (`op % 9`) is `kind` and whose high nibble is
/// `arg` (for typing and line data: `arg + 1` bytes follow).
fn hayes_op(kind: u8, arg: u8) -> u8 {
    let base = (arg as u16) << 4;
    (base..base + 16).find(|op| op % 9 == kind as u16).expect("an op byte") as u8
}

fn hayes_seeds() -> Named {
    let typed = |text: &[u8]| {
        let mut v = vec![];
        for chunk in text.chunks(16) {
            v.push(hayes_op(0, chunk.len() as u8 - 1));
            v.extend_from_slice(chunk);
        }
        v
    };
    let line = |i: u8, quiet: bool| vec![2, i | if quiet { 0x80 } else { 0 }];
    let (poll, read, advance) = ([8u8], [6u8, 255], [4u8, 0xBF]);
    let connected = [5u8, 9]; // LineEvent::Connected { rate: 1200 }
    let mut dial = typed(b"ATE1V1X4S7=30\r");
    dial.extend(line(0, false));
    dial.extend(poll);
    dial.extend(connected);
    dial.extend([hayes_op(3, 4)]);
    dial.extend(b"hello");
    dial.extend(read);
    dial.extend(line(3, true));
    dial.extend(line(4, false));
    dial.extend(line(3, true));
    dial.extend(line(5, false));
    dial.extend(read);
    let mut answer = typed(b"ATS0=2\r");
    answer.extend([5, 5, 5, 5]); // LineEvent::Ring, twice
    answer.extend(poll);
    answer.extend(connected);
    answer.extend([5, 1]); // NoCarrier
    answer.extend(read);
    let mut busy = typed(b"ATX4DT5550000\r");
    busy.extend(poll);
    busy.extend([5, 2]); // Busy
    busy.extend(read);
    let mut timeout = typed(b"ATS7=2D5551234\r");
    timeout.extend(poll);
    timeout.extend(advance);
    timeout.extend(read);
    let mut settings = typed(b"AT&FS0=0S2=43S12=50E0Q0V0&W\rATZ\rATI4\rAT+MS?\rAT+GCAP\r");
    settings.extend(read);
    vec![
        ("dial-connect-escape-hangup".into(), dial),
        ("auto-answer".into(), answer),
        ("busy".into(), busy),
        ("no-carrier-timeout".into(), timeout),
        ("settings".into(), settings),
    ]
}

fn phone_response_seeds() -> Named {
    let session: &[u8] = b"ATE0V1\r\r\nOK\r\n\r\nOK\r\nAT+CMEE=1\r\r\nOK\r\n\r\n+CLCC: 1,0,2,0,0,\"5551234\",129\r\n\
\r\nOK\r\n\r\n+CLCC: 1,0,0,0,0,\"5551234\",129\r\n\r\nOK\r\n\r\nNO CARRIER\r\n";
    let incoming: &[u8] = b"\r\nRING\r\n\r\n+CLIP: \"+445551234\",145,,,\"Alice\",0\r\n\r\n+CRING: VOICE\r\n\
\r\n+CLIP: \"\",128\r\n\r\nOK\r\n";
    let hands_free: &[u8] =
        b"\r\n+CIND: (\"service\",(0,1)),(\"call\",(0,1)),(\"callsetup\",(0-3)),(\"signal\",(0-5))\r\n\
\r\nOK\r\n\r\n+CIND: 1,0,0,4\r\n\r\nOK\r\n\r\n+CIEV: 3,2\r\n\r\n+CIEV: 2,1\r\n\r\n+CIEV: 3,0\r\n";
    let errors: &[u8] = b"\r\n+CME ERROR: 30\r\n\r\n+CME ERROR: no network service\r\n\r\n+CMS ERROR: 500\r\n\
\r\nERROR\r\n\r\nBUSY\r\n\r\nNO ANSWER\r\n\r\nNO DIALTONE\r\n\r\nCONNECT 9600\r\n";
    let bare: &[u8] = b"OK\nRING\n+CLCC: 1,1,4,0,0,\"5\",129\rOK\r";
    vec![
        ("dial-session".into(), with_sel(0, session)),
        ("incoming-call".into(), with_sel(6, incoming)),
        ("hands-free-indicators".into(), with_sel(1, hands_free)),
        ("errors-and-results".into(), with_sel(18, errors)),
        ("bare-line-ends".into(), with_sel(3, bare)),
    ]
}

fn phone_control_seeds() -> Named {
    let exchange = |n: u8| 15 | (n << 4);
    // With the simulated phone (bit 1 of the first byte): set-up, dial, answered, hang up.
    let dial = vec![2u8, 7, exchange(3), 4, exchange(5), exchange(15), 9, 6, exchange(3), 9];
    // An incoming call, answered; then the far end hangs up.
    let incoming = vec![2u8, 7, exchange(3), 10, exchange(2), 9, 5, exchange(3), 9, 0x2A, exchange(3), 9];
    // Hands-free (bit 0), the far end busy.
    let busy = vec![3u8, 7, exchange(4), 0x5A, 4, exchange(6), 9];
    // No simulated phone: canned lines.
    let canned = vec![0u8, 7, 1, 4, 1, 0x81, 1, 0x91, 9, 0x51, 9, 6, 1, 0x61, 3, 9];
    vec![
        ("sim-dial-answered".into(), dial),
        ("sim-incoming".into(), incoming),
        ("sim-hands-free-busy".into(), busy),
        ("canned-lines".into(), canned),
    ]
}

fn dce_seeds() -> Named {
    // Op bytes (low nibble) of fuzzing::dce: 1 canned command line, 4/5 run the call, 7 buttons,
    // 8 far modem, 9 tones, 10 the simulated phone, 11 read the terminal.
    let op = |kind: u8, arg: u8| kind | (arg << 4);
    // The first byte: the link (% 3: serial, manual, audio), bit 2 the simulated phone.
    let serial = vec![
        36,
        op(1, 6),
        op(1, 0),
        op(5, 1),
        op(8, 3), // far V.22bis answerer
        op(5, 3),
        op(11, 15),
        op(1, 3),
        op(5, 1),
        op(1, 5),
        op(5, 0),
        op(11, 15),
    ];
    let manual = vec![1, op(8, 2), op(1, 10), op(5, 3), op(8, 9), op(5, 1), op(11, 15), op(7, 4), op(5, 0)];
    let audio = vec![
        2,
        op(9, 0),
        op(1, 0),
        op(5, 0),
        op(9, 2),
        op(5, 1),
        op(9, 4),
        op(8, 1),
        op(5, 3),
        op(11, 15),
        op(1, 3),
        op(4, 15),
    ];
    let answer = vec![36, op(1, 6), op(10, 0), op(5, 1), op(8, 7), op(5, 3), op(11, 15), op(10, 1), op(5, 1)];
    vec![
        ("serial-dial-v22bis".into(), serial),
        ("manual-v22".into(), manual),
        ("audio-dial-tone-ringback".into(), audio),
        ("serial-auto-answer".into(), answer),
    ]
}

fn v8_seeds() -> (Named, Named) {
    let emit = |m: Menu| {
        let mut b = [0u8; 8];
        let n = m.emit(&mut b);
        b[..n].to_vec()
    };
    let ours = emit(Menu::data(Modulations::IMPLEMENTED));
    let v22bis_only = emit(Menu::data(Modulations::V22BIS));
    let everything = emit(Menu::data(Modulations::ALL_BITS));
    let mut ci = [0u8; 1];
    CallIndicator { call_function: CallFunction::VSeriesData }.emit(&mut ci);
    let menus = vec![
        ("cm-implemented".into(), ours.clone()),
        ("cm-v22bis".into(), v22bis_only.clone()),
        ("cm-all-modulations".into(), everything),
        ("ci-data".into(), ci.to_vec()),
        ("cm-with-protocols-pstn-pcm".into(), vec![0xC1, 0x45, 0x12, 0x94, 0x2A, 0x4D, 0x87]),
    ];
    // Sequences as bits (least significant first), as the receiver's body reads them: a CM sent
    // three times and ended by CJ, a CI, a JM; the first byte also picks the round trip's sync.
    let bits_of = |sync: Sync, octets: &[u8], times: usize, cj: bool| {
        let mut s = SequenceSender::new(sync, octets);
        let mut bits = vec![1u8; 20];
        for _ in 0..times * 10 * (octets.len() + 2) {
            bits.push(s.next_bit());
        }
        if cj {
            s.send_cj();
            while !s.is_finished() {
                bits.push(s.next_bit());
            }
        }
        bits.extend([1u8; 20]);
        bits.chunks(8).map(|c| c.iter().enumerate().fold(0u8, |a, (i, &b)| a | (b << i))).collect::<Vec<u8>>()
    };
    let sequences = vec![
        ("cm-three-times-cj".into(), bits_of(Sync::CmJm, &ours, 3, true)),
        ("ci-twice".into(), bits_of(Sync::Ci, &ci, 2, false)),
        ("jm-v22bis-cj".into(), bits_of(Sync::CmJm, &v22bis_only, 2, true)),
        ("round-trip-cm".into(), with_sel(1, &ours)),
    ];
    (menus, sequences)
}

/// ANSI for the terminal, after its selector byte (0: 80x25; 4: iCE colours; 3: 1x1; 2: 132x50):
/// a BBS menu with colours and box drawing, cursor and erase sequences, a scrolling region,
/// iCE and DoorWay mode, status requests, ANSI music.
fn ansi_seeds() -> Named {
    let seed = |sel: u8, ansi: &[u8]| with_sel(sel, ansi);
    vec![
        (
            "menu".into(),
            seed(0, b"\x1b[0;1;44m\xc9\xcd\xcd\xcd\xbb\x1b[0m\r\n\x1b[1;33m\xba\x1b[37mBBS\x1b[33m\xba\r\n\xc8\xcd\xcd\xcd\xbc\x1b[0m\r\n"),
        ),
        ("cursor-erase".into(), seed(0, b"\x1b[2J\x1b[10;10HX\x1b[s\x1b[5A\x1b[3DY\x1b[u\x1b[K\x1b[1J\x1b[2@\x1b[3P\x1b[4X\x1b[L\x1b[M")),
        ("region-scroll".into(), seed(0, b"\x1b[5;10r\x1b[10;1Hline\n\n\n\x1bM\x1b[2S\x1b[3T\x1b[?6h\x1b[1;1H\x1b[r")),
        ("ice-doorway".into(), seed(4, b"\x1b[?33h\x1b[5;41mhot\x1b[?33l\x1b[=255h\x00\x1b\x00\x07\x1b[=255l")),
        ("replies".into(), seed(2, b"\x1b[c\x1b[<c\x1b[5n\x1b[6n\x1b[255n\x1b[=2n")),
        ("music".into(), seed(0, b"\x1b[|T180 L8 O3 CDEF G4 P8 >C<B.\x0e\x1b[NMFMLN40\x0e\x1b[=2M\x1b[MFCDE\x0e")),
        ("tiny-screen".into(), seed(3, b"\x01\x02\x03\t\x1b[99;99HAB\x1b[99b")),
    ]
}

/// HDLC bit streams from our transmitter, packed 8 bits to a byte (first bit in bit 0), after the
/// selector byte of the `hdlc_deframer` body (bit 0: FCS-32, bit 1: mark idle, `sel >> 4`: the
/// longest frame, `2 + 16 * (sel >> 4)` octets).
fn hdlc_seeds() -> Named {
    use softmodem::hdlc::{Config, Fcs, HdlcTx, Idle};
    let stream = |sel: u8, frames: &[&[u8]], abort_after: Option<usize>| {
        let config = Config {
            fcs: if sel & 1 != 0 { Fcs::Fcs32 } else { Fcs::Fcs16 },
            idle: if sel & 2 != 0 { Idle::Marks } else { Idle::Flags },
            flags_between: 1 + (sel >> 2) % 3,
            max_frame: 2 + (sel >> 4) as usize * 16,
            frames: 8,
        };
        let mut tx = HdlcTx::new(config);
        let mut bits: Vec<u8> = (0..16).map(|_| tx.next_bit()).collect();
        for f in frames {
            tx.send(f).unwrap();
        }
        let mut n = 0;
        while !tx.is_idle() || !bits.len().is_multiple_of(8) || n < 16 {
            if Some(n) == abort_after {
                tx.abort();
            }
            bits.push(tx.next_bit());
            n += 1;
        }
        let packed: Vec<u8> = bits.chunks(8).map(|c| c.iter().enumerate().fold(0, |a, (i, &b)| a | b << i)).collect();
        with_sel(sel, &packed)
    };
    let ua: &[u8] = b"\x03\x73";
    let info: &[u8] = b"\x01\x00\x00Hello, LAPM!";
    vec![
        ("fcs16-flags".into(), stream(0xF0, &[ua, info], None)),
        ("fcs32-marks".into(), stream(0xF3, &[info, ua], None)),
        ("two-flags-between".into(), stream(0xF4, &[ua, ua, ua], None)),
        ("transparency".into(), stream(0x20, &[&[0x7E, 0x7D, 0xFF, 0xFF, 0x7E, 0x3F, 0xFC], &[0xFF; 30]], None)),
        ("abort".into(), stream(0xF0, &[&[0x55; 40], ua], Some(100))),
    ]
}

/// V.42bis streams from our encoder (text, random bytes that take it to transparent mode and back,
/// flushes) and bytes for the round trip, each after its parameter byte.
/// LAPM: frames as a far end sends them (spandsp's XID, SABME, I frames, supervisory frames, a
/// DISC), each after its length octet, for both roles.
/// PPP frames as a peer sends them: LCP fully escaped, then IPCP and IPv4 with compression, and
/// a damaged one, after the selector octet.
fn ppp_seeds() -> Named {
    use softmodem::ppp::framing::Encoder;
    let mut line = Vec::new();
    let lcp = [0x01, 0x01, 0x00, 0x0E, 0x02, 0x06, 0x00, 0x00, 0x00, 0x00, 0x05, 0x06, 0x12, 0x34];
    Encoder::default().frame(0xC021, &lcp, &mut line);
    let fast = Encoder { accm: 0, acfc: true, pfc: true };
    fast.frame(0x8021, &[0x01, 0x01, 0x00, 0x0A, 0x03, 0x06, 0, 0, 0, 0], &mut line);
    fast.frame(0x0021, &[0x45, 0, 0, 20, 0, 0, 0x40, 0, 64, 6, 0, 0, 10, 0, 2, 15, 10, 0, 2, 2], &mut line);
    let mut damaged = line.clone();
    damaged[9] ^= 0x20;
    vec![
        ("session".into(), [&[0u8][..], &line].concat()),
        ("session-compressed-map".into(), [&[0x1Eu8][..], &line].concat()),
        ("damaged".into(), [&[0x01u8][..], &damaged].concat()),
    ]
}

/// LCP and IPCP option lists as slirp and a server send them.
fn ppp_option_seeds() -> Named {
    vec![
        // slirp's LCP request: MRU 1500, magic, PFC, ACFC.
        ("lcp-slirp".into(), with_sel(0, &[0x01, 0x04, 0x05, 0xDC, 0x05, 0x06, 0x22, 0xEA, 0x8E, 0xAE, 0x07, 0x02, 0x08, 0x02])),
        // ACCM, CHAP with MD5, an unknown option (callback).
        ("lcp-chap-callback".into(), with_sel(1, &[0x02, 0x06, 0, 0, 0, 0, 0x03, 0x05, 0xC2, 0x23, 0x05, 0x0D, 0x03, 0x06])),
        // slirp's IPCP request: address 0.0.0.0 and VJ compression.
        ("ipcp-slirp".into(), with_sel(0, &[0x03, 0x06, 0, 0, 0, 0, 0x02, 0x06, 0x00, 0x2D, 0x0F, 0x01])),
        // A client asking for addresses and both DNS servers, to a server.
        ("ipcp-client".into(), with_sel(4, &[0x03, 0x06, 0, 0, 0, 0, 0x81, 0x06, 0, 0, 0, 0, 0x83, 0x06, 0, 0, 0, 0])),
    ]
}

/// PAP and CHAP packets: requests, acks, challenges, responses.
fn ppp_auth_seeds() -> Named {
    let mut chap_response = vec![0x02, 0x01, 0x00, 0x19, 0x10];
    chap_response.extend_from_slice(&softmodem::ppp::auth::chap_md5(1, b"pass", &[0u8; 16]));
    chap_response.extend_from_slice(b"user");
    vec![
        ("pap-request".into(), with_sel(3, &[0x01, 0x01, 0x00, 0x0E, 0x04, b'u', b's', b'e', b'r', 0x04, b'p', b'a', b's', b's'])),
        ("pap-ack".into(), with_sel(3, &[0x02, 0x01, 0x00, 0x07, 0x02, b'o', b'k'])),
        ("chap-challenge".into(), with_sel(0, &[0x01, 0x05, 0x00, 0x0C, 0x04, 1, 2, 3, 4, b's', b'r', b'v'])),
        ("chap-response".into(), with_sel(0, &chap_response)),
        ("chap-success".into(), with_sel(0, &[0x03, 0x01, 0x00, 0x06, b'o', b'k'])),
    ]
}

/// HTTP responses: with a length, until close, chunked.
fn http_seeds() -> Named {
    vec![
        ("length".into(), with_sel(8, b"HTTP/1.0 200 OK\r\nContent-Type: text/html\r\nContent-Length: 12\r\n\r\n<p>hello</p>")),
        ("close".into(), with_sel(8, b"HTTP/1.1 404 Not Found\r\nServer: x\r\n\r\nno such page")),
        ("chunked".into(), with_sel(8, b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n")),
    ]
}

fn lapm_seeds() -> Named {
    let xid: &[u8] = &[
        0x03, 0xaf, 0x82, 0x80, 0x00, 0x14, 0x03, 0x04, 0x8a, 0x89, 0x00, 0x00, 0x05, 0x02, 0x04, 0x00, 0x06, 0x02,
        0x04, 0x00, 0x07, 0x01, 0x0f, 0x08, 0x01, 0x0f, 0xf0, 0x00, 0x0f, 0x00, 0x03, 0x56, 0x34, 0x32, 0x01, 0x01,
        0x01, 0x02, 0x02, 0x02, 0x00, 0x03, 0x01, 0x06,
    ];
    let frames = |fs: &[&[u8]]| fs.iter().flat_map(|f| [&[f.len() as u8][..], f].concat()).collect::<Vec<u8>>();
    let i0: &[u8] = &[0x03, 0x00, 0x00, b'h', b'i'];
    let i1: &[u8] = &[0x03, 0x02, 0x02, b'!'];
    let mut v = Vec::new();
    for sel in [0u8, 1, 2, 3] {
        // As the answerer: XID and SABME from the originator (C/R 1), data, a poll, DISC.
        let far_cmd = if sel & 1 == 0 { 0x03 } else { 0x01 };
        let sabme = [far_cmd, 0x7f];
        let rr_poll = [far_cmd, 0x01, 0x03];
        let disc = [far_cmd, 0x53];
        let mut x = xid.to_vec();
        x[0] = far_cmd;
        let (mut a, mut b) = (i0.to_vec(), i1.to_vec());
        a[0] = far_cmd;
        b[0] = far_cmd;
        let body = frames(&[&x, &sabme, &a, &b, &rr_poll, &[far_cmd, 0x09, 0x00], &[0x01, 0xff], &disc]);
        v.push((format!("session-{sel}"), [&[sel][..], &body].concat()));
    }
    v.push((
        "garbage".into(),
        [&[3u8][..], &frames(&[&[0x05, 0x13, 0x80], &[0x03], &[0x03, 0xef, 0x82, 0x80, 0xff, 0xff]])].concat(),
    ));
    v
}

/// V.42 on the line: what one of our V.42 ends sends as the other role, recorded bit by bit (the
/// ODP, the ADP and LAPM's set-up and data), and plain characters from a modem without V.42.
fn v42_seeds() -> Named {
    use softmodem::time::Duration;
    use softmodem::v42::{Config, V42};
    let record = |originator: bool, detection: bool, bytes: usize| {
        // The far end in the other role, answered by a third so that it goes all the way.
        let mut c = Config::new(originator, 2400);
        c.detection = detection;
        let mut far = V42::new(c);
        let mut peer = V42::new(Config::new(!originator, 2400));
        far.write(b"hello from the far end, hello from the far end");
        let mut out = vec![];
        for _ in 0..bytes {
            let mut byte = 0u8;
            for i in 0..8 {
                let bit = far.next_bit();
                byte |= bit << i;
                peer.put_bit(bit);
                far.put_bit(peer.next_bit());
            }
            far.advance(Duration::from_ms(3));
            peer.advance(Duration::from_ms(3));
            out.push(byte);
        }
        out
    };
    let mut plain = vec![0xFFu8; 8];
    for &c in b"CONNECT 2400\r\nWelcome to the BBS\r\n" {
        // 8N1 characters back to back, as bits packed least significant first.
        let bits: Vec<u8> = [0u8].into_iter().chain((0..8).map(|i| (c >> i) & 1)).chain([1]).collect();
        plain.extend(bits.chunks(8).map(|ch| ch.iter().enumerate().fold(0u8, |a, (i, &b)| a | b << i)));
    }
    vec![
        ("answerer-hears-originator".into(), [&[0b1010u8][..], &record(true, true, 1500)].concat()),
        ("originator-hears-answerer".into(), [&[0b1011u8][..], &record(false, true, 1500)].concat()),
        ("answerer-hears-lapm-at-once".into(), [&[0b1000u8][..], &record(true, false, 1000)].concat()),
        ("originator-hears-plain".into(), [&[0b0011u8][..], &plain].concat()),
        ("required-hears-plain".into(), [&[0b0111u8][..], &plain].concat()),
    ]
}

fn v42bis_seeds() -> Named {
    use softmodem::v42bis::{Encoder, Params};
    let text = b"The quick brown fox jumps over the lazy dog. The quick brown fox jumps again.\r\n".repeat(6);
    let mut noise = vec![0u8; 600];
    softmodem::sim::rng::Rng::new(42).fill(&mut noise);
    let stream = |n2: u16, n7: u8, data: &[u8], flush_every: usize| {
        let mut enc = Encoder::new(Params::new(n2, n7).unwrap());
        let mut line = Vec::new();
        for c in data.chunks(flush_every) {
            enc.encode(c, &mut |b| line.push(b));
            enc.flush(&mut |b| line.push(b));
        }
        line
    };
    let mixed = [&text[..], &noise[..], &text[..]].concat();
    vec![
        ("text-2048-32".into(), with_sel(0x06, &stream(2048, 32, &text, 1000))),
        ("text-512-6-flushes".into(), with_sel(0x00, &stream(512, 6, &text, 13))),
        ("mixed-4096-250".into(), with_sel(0x0b, &stream(4096, 250, &mixed, 1000))),
        ("mixed-1024-17".into(), with_sel(0x0d, &stream(1024, 17, &mixed, 97))),
        ("round-trip-text".into(), with_sel(0x12, &text)),
        ("round-trip-escapes".into(), with_sel(0x10, &[0, 51, 102, 153, 204, 255, 0, 1, 2, 0, 0, 51])),
    ]
}

/// Every seed, for every target.
fn seeds() -> Vec<Seed> {
    let mut out = Vec::new();
    let mut add = |target: &'static str, list: Named| {
        out.extend(list.into_iter().map(|(name, bytes)| Seed { target, name, bytes }));
    };
    add("wav_parse", wav_seeds());
    add("v42bis_decoder", v42bis_seeds());
    add("lapm_frames", lapm_seeds());
    add("v42_bits", v42_seeds());
    add("ppp_frames", ppp_seeds());
    add("chat_script", fuzzing::chat_seeds());
    add("telnet_stream", fuzzing::telnet_seeds());
    add(
        "ppp_negotiation",
        vec![
            ("client".into(), fuzzing::ppp_negotiation_seed(0)),
            ("client-chap".into(), fuzzing::ppp_negotiation_seed(1)),
            ("server-pap".into(), fuzzing::ppp_negotiation_seed(2)),
        ],
    );
    add("ppp_options", ppp_option_seeds());
    add("ppp_auth", ppp_auth_seeds());
    add("http_response", http_seeds());
    add(
        "xmodem_blocks",
        [
            (0u8, "to-xmodem-receiver"),
            (8, "to-xmodem-receiver-checksum"),
            (1, "to-xmodem-1k-receiver"),
            (2, "to-ymodem-receiver"),
            (3, "to-ymodem-g-receiver"),
            (4, "to-xmodem-sender"),
            (12, "to-xmodem-sender-checksum"),
            (5, "to-xmodem-1k-sender"),
            (6, "to-ymodem-sender"),
            (7, "to-ymodem-g-sender"),
        ]
        .into_iter()
        .map(|(sel, name)| (name.to_string(), fuzzing::xmodem_seed(sel)))
        .collect(),
    );
    add(
        "zmodem_frames",
        vec![
            ("to-receiver".into(), fuzzing::zmodem_seed(true, 0)),
            ("to-receiver-escctl-resume".into(), fuzzing::zmodem_seed(true, 3)),
            ("to-sender".into(), fuzzing::zmodem_seed(false, 4)),
            ("to-sender-8k".into(), fuzzing::zmodem_seed(false, 12)),
        ],
    );

    let text = b"Hello, world!\r\n";
    add(
        "deframer",
        vec![
            ("8n1".into(), with_sel(0, text)),
            ("7e1".into(), with_sel(0x11, text)),
            ("8n1-v14".into(), with_sel(0x40 | 0x18, text)),
            ("7o2-v14".into(), with_sel(0x40 | 0x20 | 0x10 | 2, text)),
            ("5n1".into(), with_sel(0, b"\x01\x1f\x00\x15")),
            ("zeros-and-breaks".into(), with_sel(0x18, &[0xFF, 0x00, 0x00, 0x00, 0xFF, 0x55, 0xAA])),
        ],
    );

    add("hdlc_deframer", hdlc_seeds());

    add(
        "fsk_receiver",
        CHANNELS
            .iter()
            .enumerate()
            .map(|(i, &spec)| (format!("{}.raw", spec.name), with_sel(i as u8, &pcm(&fsk_audio(spec, b"CONNECT\r\n")))))
            .collect(),
    );

    add(
        "v22_receiver",
        [
            (0u8, CALL_CARRIER, Rate::R1200),
            (1, ANSWER_CARRIER, Rate::R1200),
            (2, CALL_CARRIER, Rate::R2400),
            (3, ANSWER_CARRIER, Rate::R2400),
        ]
        .into_iter()
        .map(|(sel, carrier, rate)| {
            (format!("{carrier}hz-{}.raw", rate.bps()), with_sel(sel, &pcm(&v22_audio(carrier, rate))))
        })
        .collect(),
    );

    // The modem body: family index (0-6 as Family::ALL, 7 automode), bit 3 answering, bits 4-5
    // the host rate (0: 8000 Hz, as these are), bit 6 the answer tone and V.8.
    let family_sel = |f: Family| Family::ALL.iter().position(|&x| x == f).unwrap_or(7) as u8;
    let modem = |f: Family, role: Role, extra: u8, far: fn(&mut Config), millis: u32| {
        let sel = family_sel(f) | if role == Role::Answer { 8 } else { 0 } | extra;
        with_sel(sel, &pcm(&far_modem_audio(f, role, sel, far, millis)))
    };
    let plain: fn(&mut Config) = |_| {};
    let auto_answer: fn(&mut Config) = |c| {
        c.answer_tone = true;
        c.v8 = true;
        c.answer_delay = Duration::from_ms(100);
    };
    add(
        "modem",
        vec![
            ("v22bis-caller-hears-answerer.raw".into(), modem(Family::V22bis, Role::Call, 0, plain, 2600)),
            ("v22bis-answerer-hears-caller.raw".into(), modem(Family::V22bis, Role::Answer, 0, plain, 2600)),
            ("v21-caller-hears-answerer.raw".into(), modem(Family::V21, Role::Call, 0, plain, 1500)),
            ("bell103-answerer-hears-caller.raw".into(), modem(Family::Bell103, Role::Answer, 0, plain, 1500)),
            ("v23-caller-hears-answerer.raw".into(), modem(Family::V23, Role::Call, 0, plain, 1500)),
            ("auto-caller-hears-v8-answerer.raw".into(), modem(Family::Auto, Role::Call, 0x40, auto_answer, 4500)),
        ],
    );

    add(
        "at_parser",
        [
            "ATDT5551234\r",
            "ATDP9W,1-800-555-0000;\r",
            "AT+MS=V22B,1,1200,2400,1200,2400\r",
            "AT+MS=V21;+MS?;+MS=?\r",
            "ATE0Q0V1X4S0=1S7=45S10=14&W\r",
            "ATI0I4+GMI+GMM+GMR+GCAP\r",
            "ATS2=43S12?S3?\r",
            "AT&F&C1&D2Z\r",
            "A/",
            "ATDL\r",
            "ATD*31#5551234!,,W;\r",
            "at+ms=b103,0\r",
        ]
        .iter()
        .enumerate()
        .map(|(i, l)| (format!("line-{i:02}"), l.as_bytes().to_vec()))
        .collect(),
    );

    add("hayes", hayes_seeds());
    add("phone_response", phone_response_seeds());
    add("phone_control", phone_control_seeds());
    let tones = tone_audio_seeds();
    add("dtmf_detector", tones.clone());
    add("call_progress", tones.clone());
    add("answer_tone_detector", tones);
    add("dce", dce_seeds());
    let (menus, sequences) = v8_seeds();
    add("v8_menu", menus);
    add("v8_receiver", sequences);
    add("ansi_terminal", ansi_seeds());
    out
}

fn seed_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/seeds")
}

#[test]
fn every_target_has_seeds_that_pass_it() {
    let seeds = seeds();
    for (target, run) in TARGETS {
        let mine: Vec<&Seed> = seeds.iter().filter(|s| s.target == target).collect();
        assert!(mine.len() >= 3, "{target}: {} seeds", mine.len());
        for s in mine {
            assert!(s.bytes.len() <= 160_000, "{target}/{}: {} bytes", s.name, s.bytes.len());
            run(&s.bytes);
        }
    }
}

#[test]
fn committed_seeds_pass_their_targets_and_are_all_there() {
    let dir = seed_dir();
    let mut total = 0u64;
    for (target, run) in TARGETS {
        let d = dir.join(target);
        let files: Vec<_> = std::fs::read_dir(&d)
            .unwrap_or_else(|e| panic!("{}: {e} (cargo test --test fuzz_seeds -- --ignored write_seeds)", d.display()))
            .map(|e| e.unwrap().path())
            .collect();
        for f in &files {
            let bytes = std::fs::read(f).unwrap();
            total += bytes.len() as u64;
            run(&bytes);
        }
        for s in seeds().iter().filter(|s| s.target == target) {
            assert!(d.join(&s.name).exists(), "{target}/{} is not committed: write the seeds again", s.name);
        }
    }
    assert!(total < 2_000_000, "the seed corpora are {total} bytes: keep them small");
}

/// Writes the seeds into `fuzz/seeds/<target>/`, replacing what was there.
#[test]
#[ignore = "writes fuzz/seeds; run by hand to make the seeds again"]
fn write_seeds() {
    let dir = seed_dir();
    for (target, _) in TARGETS {
        let d = dir.join(target);
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
    }
    for s in seeds() {
        body(s.target)(&s.bytes);
        std::fs::write(dir.join(s.target).join(&s.name), &s.bytes).unwrap();
    }
}
