#![cfg(not(target_arch = "wasm32"))]
//! Automode against real peers: spandsp's V.22bis modem (at 2400 and 1200 bit/s) and its FSK
//! modems (V.21, Bell 103, V.23) through FFI, in both roles; our Bell 212A modem against spandsp's
//! V.22; and `softmodem stdio --mode auto` calling spandsp's V.22bis answerer.
//!
//! spandsp's V.22bis caller takes any steady tone for the answerer's unscrambled ones: it "trains"
//! on a 2100 Hz answer tone or a 2225 Hz Bell tone after about a second and hands the bits it
//! demodulates from it to its receiver as data, until the tone stops and it starts again (measured
//! here; spandsp 0.0.6). What it received before we connected is therefore dropped (and counted)
//! before the texts are compared.
//!
//! spandsp's Bell 103 and V.21 answerers also stand for a BBS whose modem sends the banner the
//! moment it answers: data from the first sample, with no steady mark to recognise it by.
//!
//! spandsp's FSK modems have no start-up of their own: as answerers they send their mark from the
//! first sample (a modem that answers without an answer tone); as callers they are held silent
//! here until spandsp's own receiver hears a carrier in the answerer's band, as a real FSK caller
//! waits for the answerer's mark.

mod support;

use softmodem::automode::Progress;
use softmodem::dsp::to_i16;
use softmodem::modem::{Config, Event, Modem};
use softmodem::sim::line::{Direction, Impairments};
use softmodem::types::{Family, Role};
use spandsp_peer::async_serial::{AsyncRx, AsyncTx};
use spandsp_peer::tones::{ConnectTone, ConnectToneTx};
use spandsp_peer::v22bis::{GuardTone as SpGuard, Role as SpRole, V22bis};
use spandsp_peer::v8::{V8_MOD_V21, V8_MOD_V22};
use spandsp_peer::{FrameMode, FskRx, FskTx, Preset, V8Offer, V8Role, V8Status, V8};
use support::*;

const BLOCK: usize = 160;

/// A spandsp modem at the far end.
enum Peer {
    V22(Box<V22bis>),
    /// spandsp's V.8, then (once it reports the exchange complete) its V.22bis modem.
    V8ThenV22 {
        v8: Option<Box<V8>>,
        v22: Box<V22bis>,
    },
    Fsk {
        tx: Box<FskTx>,
        rx: Box<FskRx>,
        /// A caller sends nothing until it has heard the answerer's carrier.
        hold: bool,
        /// An answer tone sent before the FSK signal, while it lasts.
        lead: Option<Box<ConnectToneTx>>,
        /// Samples sent so far, and the sample the FSK signal began at.
        sent: usize,
        fsk_from: Option<usize>,
    },
}

impl Peer {
    /// spandsp's V.22bis modem offering `rate`, in the role opposite to ours.
    fn v22bis(rate: u32, our_role: Role) -> Peer {
        let role = match our_role {
            Role::Call => SpRole::Answering,
            Role::Answer => SpRole::Calling,
        };
        Peer::V22(Box::new(V22bis::new(rate, SpGuard::None, role, AsyncTx::n81(), AsyncRx::n81())))
    }

    /// spandsp's V.8 offering V.22bis (and V.21), then its V.22bis modem at 2400 bit/s, in the
    /// role opposite to ours.
    fn v8_then_v22bis(our_role: Role) -> Peer {
        let (v8_role, role) = match our_role {
            Role::Call => (V8Role::Answering, SpRole::Answering),
            Role::Answer => (V8Role::Calling, SpRole::Calling),
        };
        Peer::V8ThenV22 {
            v8: Some(Box::new(V8::new(v8_role, V8Offer::data(V8_MOD_V22 | V8_MOD_V21)))),
            v22: Box::new(V22bis::new(2400, SpGuard::None, role, AsyncTx::n81(), AsyncRx::n81())),
        }
    }

    /// spandsp's FSK modem of `family`, in the role opposite to ours.
    fn fsk(family: Family, our_role: Role) -> Peer {
        // (answerer's channel, caller's channel)
        let (ans, call) = match family {
            Family::V21 => (Preset::V21Ch2, Preset::V21Ch1),
            Family::Bell103 => (Preset::Bell103Ch1, Preset::Bell103Ch2),
            Family::V23 => (Preset::V23Ch1, Preset::V23Ch2),
            f => panic!("no spandsp FSK modem for {f:?}"),
        };
        let (tx, rx) = match our_role {
            Role::Call => (ans, call),
            Role::Answer => (call, ans),
        };
        let mut tx = FskTx::async_8n1(tx);
        tx.set_power(-13.0);
        Peer::Fsk {
            tx: Box::new(tx),
            rx: Box::new(FskRx::async_8n1(rx, FrameMode::Async)),
            hold: our_role == Role::Answer,
            lead: None,
            sent: 0,
            fsk_from: None,
        }
    }

    /// spandsp's FSK answerer of `family` that sends `banner` from the first sample of its FSK
    /// signal (no idle mark first), after `lead` (an answer tone from spandsp's generator: 200 ms
    /// of silence, then the tone until it stops by itself) or straight away.
    fn fsk_banner(family: Family, lead: Option<ConnectTone>, banner: &[u8]) -> Peer {
        let mut p = Peer::fsk(family, Role::Call);
        if let Peer::Fsk { tx, lead: l, .. } = &mut p {
            tx.write(banner);
            *l = lead.map(|t| Box::new(ConnectToneTx::new(t)));
        }
        p
    }

    /// For an FSK peer, seconds from the start to the first sample of its FSK signal.
    fn fsk_start(&self) -> Option<f32> {
        match self {
            Peer::Fsk { fsk_from, .. } => fsk_from.map(|n| n as f32 / 8000.0),
            _ => None,
        }
    }

    /// spandsp takes -33 dBm0 of noise for a carrier at its default threshold: on a noisy line
    /// its detectors get a threshold above the noise (as in the other spandsp tests).
    fn above_noise(&mut self) {
        match self {
            Peer::V22(m) | Peer::V8ThenV22 { v22: m, .. } => m.set_cutoff(-35.0),
            Peer::Fsk { rx, .. } => rx.set_cutoff(-35.0),
        }
    }

    fn step(&mut self, heard: &[i16], out: &mut [i16]) {
        match self {
            Peer::V22(m) => {
                m.rx(heard);
                m.tx(out);
            }
            Peer::V8ThenV22 { v8, v22 } => match v8 {
                Some(v) => {
                    v.rx(heard);
                    v.tx(out);
                    if v.negotiated().is_some_and(|r| r.status == V8Status::V8Call) {
                        *v8 = None;
                    }
                }
                None => {
                    v22.rx(heard);
                    v22.tx(out);
                }
            },
            Peer::Fsk { tx, rx, hold, lead, sent, fsk_from } => {
                rx.process(heard);
                *hold &= !rx.carrier();
                let mut k = 0;
                if let Some(t) = lead {
                    k = t.process(out);
                    if k < out.len() {
                        *lead = None;
                    }
                }
                if lead.is_none() {
                    tx.process(&mut out[k..]);
                    if *hold {
                        out.iter_mut().for_each(|v| *v = 0);
                    } else if fsk_from.is_none() {
                        *fsk_from = Some(*sent + k);
                    }
                }
                *sent += out.len();
            }
        }
    }

    fn write(&mut self, data: &[u8]) {
        match self {
            Peer::V22(m) | Peer::V8ThenV22 { v22: m, .. } => m.write(data),
            Peer::Fsk { tx, .. } => tx.write(data),
        }
    }

    fn take(&mut self) -> Vec<u8> {
        match self {
            Peer::V22(m) | Peer::V8ThenV22 { v22: m, .. } => m.take(),
            Peer::Fsk { rx, .. } => rx.take(),
        }
    }
}

struct Outcome {
    /// Bytes spandsp's receiver delivered before the texts were sent.
    early: usize,
    events: Vec<Event>,
    /// Seconds from the start to each of `events`.
    times: Vec<f32>,
    /// For an FSK peer, seconds from the start to its FSK signal's first sample.
    fsk_start: Option<f32>,
    family: Family,
    ours_got: Vec<u8>,
    theirs_got: Vec<u8>,
}

/// Our modem set up by `config` against `peer` over `imp` for `seconds`. Both send their text
/// half a second after we connected (as a person types after seeing CONNECT); what spandsp's
/// receiver delivered before that is dropped and counted (spandsp's FSK modems have no start-up,
/// so they decode the answer tone as data, and its V.22bis caller trains on it).
fn run(config: Config, mut peer: Peer, imp: Impairments, seconds: f32, ours: &[u8], theirs: &[u8]) -> Outcome {
    let mut m = Modem::new(config);
    if imp.noise_dbm0.is_some() {
        peer.above_noise();
    }
    let mut to_peer = Direction::new(imp.clone(), 21);
    let mut to_us = Direction::new(imp, 22);
    let (mut our_out, mut heard_by_us, mut heard_by_peer) =
        (vec![0.0f32; BLOCK], vec![0.0f32; BLOCK], vec![0.0f32; BLOCK]);
    let (mut peer_out16, mut peer_out, mut heard16) = (vec![0i16; BLOCK], vec![0.0f32; BLOCK], vec![0i16; BLOCK]);
    let (mut events, mut times) = (vec![], vec![]);
    let mut ours_got = vec![];
    let mut buf = [0u8; 256];
    let mut peer_write_at = None;
    let mut early = 0;
    for step in 0..(seconds * 50.0) as usize {
        to_us.process(&peer_out, &mut heard_by_us);
        to_peer.process(&our_out, &mut heard_by_peer);
        m.process(&heard_by_us, &mut our_out);
        for (d, s) in heard16.iter_mut().zip(&heard_by_peer) {
            *d = to_i16(*s);
        }
        peer.step(&heard16, &mut peer_out16);
        for (d, s) in peer_out.iter_mut().zip(&peer_out16) {
            *d = *s as f32 / 32768.0;
        }
        while let Some(e) = m.poll_event() {
            if matches!(e, Event::Connected { .. }) {
                peer_write_at = Some(step + 25);
            }
            events.push(e);
            times.push((step + 1) as f32 * BLOCK as f32 / 8000.0);
        }
        if peer_write_at == Some(step) {
            early = peer.take().len();
            m.write(ours);
            peer.write(theirs);
        }
        let n = m.read(&mut buf);
        ours_got.extend_from_slice(&buf[..n]);
    }
    let fsk_start = peer.fsk_start();
    Outcome { early, events, times, fsk_start, family: m.family(), ours_got, theirs_got: peer.take() }
}

fn auto(role: Role) -> Config {
    let mut c = Config::new(Family::Auto, role);
    c.answer_tone = true;
    c
}

fn text(n: usize, seed: u32) -> Vec<u8> {
    (0..n as u32).map(|i| ((i * 29 + seed) % 95 + 32) as u8).collect()
}

fn connected(o: &Outcome) -> Option<(u32, u32)> {
    o.events.iter().find_map(|e| match e {
        Event::Connected { rx_rate, tx_rate } => Some((*rx_rate, *tx_rate)),
        _ => None,
    })
}

fn check(o: &Outcome, label: &str, family: Family, rates: (u32, u32), ours: &[u8], theirs: &[u8]) {
    assert_eq!(connected(o), Some(rates), "{label}: {:?}", o.events);
    assert_eq!(o.family, family, "{label}: {:?}", o.events);
    assert_eq!(o.ours_got, theirs, "{label}: what we received");
    assert_eq!(o.theirs_got, ours, "{label}: what spandsp received");
}

#[test]
fn automode_caller_finds_spandsp_answerers() {
    let cases: [(&str, Peer, Family, (u32, u32)); 5] = [
        ("spandsp V.22bis at 2400", Peer::v22bis(2400, Role::Call), Family::V22bis, (2400, 2400)),
        ("spandsp V.22bis at 1200", Peer::v22bis(1200, Role::Call), Family::V22, (1200, 1200)),
        ("spandsp V.21", Peer::fsk(Family::V21, Role::Call), Family::V21, (300, 300)),
        ("spandsp Bell 103", Peer::fsk(Family::Bell103, Role::Call), Family::Bell103, (300, 300)),
        ("spandsp V.23", Peer::fsk(Family::V23, Role::Call), Family::V23, (1200, 75)),
    ];
    for (label, peer, family, rates) in cases {
        for (imp_name, imp) in [
            ("clean", Impairments::default()),
            ("20 dB SNR, +5 Hz", Impairments { freq_offset_hz: 5.0, ..Default::default() }.with_snr(20.0, -13.0)),
        ] {
            let peer = match &peer {
                Peer::V22(m) => Peer::v22bis(m.offered_bit_rate(), Role::Call),
                Peer::Fsk { .. } => Peer::fsk(family, Role::Call),
                Peer::V8ThenV22 { .. } => unreachable!(),
            };
            let ours = if family == Family::V23 { text(10, 1) } else { text(120, 1) };
            let theirs = text(200, 2);
            let o = run(auto(Role::Call), peer, imp.clone(), 14.0, &ours, &theirs);
            let label = format!("auto calls {label}, {imp_name}");
            // spandsp's V.22bis answerer misses S1 now and then with a frequency offset and
            // settles for 1200 bit/s (see spandsp_v22bis.rs); automode has nothing to do with it.
            if family == Family::V22bis && imp.freq_offset_hz != 0.0 && connected(&o) == Some((1200, 1200)) {
                check(&o, &label, Family::V22, (1200, 1200), &ours, &theirs);
                continue;
            }
            check(&o, &label, family, rates, &ours, &theirs);
            if matches!(family, Family::V22bis | Family::V22) {
                // (spandsp's FSK receivers have no start-up and decode whatever is in band.)
                assert_eq!(o.early, 0, "{label}: spandsp's answerer received before the texts were sent");
            }
            assert!(o.events.contains(&Event::Progress(Progress::Detected(family))) || family == Family::V22);
        }
    }
}

/// A BBS's banner of about `n` bytes, as it sends it the moment its modem connects: lines of
/// mixed text (capitals, small letters, digits, punctuation), each ended by CR LF, no two alike.
fn banner(n: usize) -> Vec<u8> {
    let mut b = Vec::new();
    let mut k = 0;
    while b.len() < n {
        let line = match k % 4 {
            0 => format!("*** Welcome to the Harbour Light BBS, node {} ***", k / 4 + 1),
            1 => format!("Running since 1987; {} callers today, {} messages waiting.", 17 + 3 * k, k * 7 % 40),
            2 => "Sysop: J. Q. Public <sysop@harbour.example>  |  Hours: 24/7 (GMT+1)".to_string(),
            _ => format!("Press [Enter] to log in, or type NEW to register #{k:03}: "),
        };
        b.extend_from_slice(line.as_bytes());
        b.extend_from_slice(b"\r\n");
        k += 1;
    }
    b.truncate(n);
    b
}

/// What arrived of `sent`, a text sent in one go, to report a failure: the fewest bytes at the
/// start of `got` that are not the end of `sent` (garbage from a receiver that started in the
/// middle of the stream), and how many of `sent`'s first bytes the rest lacks. `None` if no byte
/// of `got` ends `sent`.
fn tail_of(got: &[u8], sent: &[u8]) -> Option<(usize, usize)> {
    (0..got.len()).find(|&k| sent.ends_with(&got[k..])).map(|k| (k, sent.len() - (got.len() - k)))
}

/// Our automode caller against spandsp's Bell 103 and V.21 answerers that send a BBS banner from
/// the first sample of their FSK signal (no idle mark first), straight away or after an answer
/// tone (V.25's ANS with phase reversals, or for Bell 103 the Bell tone, 2225 Hz).
///
/// Bounds: the caller must recognise the answerer's data within [`SWITCH_BOUND`] of its start:
/// the answer channel's receiver finds the carrier after 26 bit times of open eye (87 ms) and
/// 10 ms of level, then the bits must change 8 times (a few characters' bits, replayed from the
/// start at once), plus a 20 ms block here. It must connect within [`CONNECT_BOUND`]: that, then
/// 150 ms to qualify the carrier and 300 ms for its own carrier to settle. The banner must
/// arrive whole: the receiver hands its bits since the signal began to the character receiver.
/// What we send after CONNECT must reach spandsp's receiver exact.
#[test]
fn automode_caller_takes_fsk_answerers_that_send_data_at_once() {
    const SWITCH_BOUND: f32 = 0.25;
    const CONNECT_BOUND: f32 = SWITCH_BOUND + 0.5;
    let cases = [
        (Family::Bell103, None),
        (Family::Bell103, Some(ConnectTone::AnsPr)),
        (Family::Bell103, Some(ConnectTone::BellAns)),
        (Family::V21, None),
        (Family::V21, Some(ConnectTone::AnsPr)),
    ];
    let sent = banner(300);
    let ours = text(100, 9);
    let mut failures = vec![];
    for (family, lead) in cases {
        for (imp_name, imp) in [
            ("clean", Impairments::default()),
            ("20 dB SNR, +5 Hz", Impairments { freq_offset_hz: 5.0, ..Default::default() }.with_snr(20.0, -13.0)),
        ] {
            let label = format!("auto calls spandsp {family:?} sending at once after {lead:?}, {imp_name}");
            let peer = Peer::fsk_banner(family, lead, &sent);
            let o = run(auto(Role::Call), peer, imp, 16.0, &ours, &[]);
            let start = o.fsk_start.expect("the FSK signal began");
            let at = |want: &dyn Fn(&Event) -> bool| o.events.iter().position(want).map(|i| o.times[i] - start);
            let detected = at(&|e| matches!(e, Event::Progress(Progress::Detected(_))));
            let connect = at(&|e| matches!(e, Event::Connected { .. }));
            let tail = tail_of(&o.ours_got, &sent);
            println!("{label}: recognised at {detected:.2?} s, connected at {connect:.2?} s after the FSK began");
            let mut fail = |ok: bool, what: String| {
                if !ok {
                    failures.push(format!("{label}: {what}"));
                }
            };
            fail(o.events.contains(&Event::Progress(Progress::Detected(family))), format!("events {:?}", o.events));
            fail(connected(&o) == Some((300, 300)) && o.family == family, format!("connected as {:?}", o.family));
            fail(detected.is_some_and(|t| t <= SWITCH_BOUND), format!("detected {detected:?} s after the FSK began"));
            fail(connect.is_some_and(|t| t <= CONNECT_BOUND), format!("connected {connect:?} s after the FSK began"));
            fail(
                o.ours_got == sent,
                format!("(wrong bytes, banner bytes lost) {tail:?}: {:?}", String::from_utf8_lossy(&o.ours_got)),
            );
            fail(o.theirs_got == ours, format!("spandsp received {:?}", String::from_utf8_lossy(&o.theirs_got)));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn automode_answerer_serves_spandsp_callers() {
    let cases: [(&str, Family, (u32, u32)); 5] = [
        ("spandsp V.22bis at 2400", Family::V22bis, (2400, 2400)),
        ("spandsp V.22bis at 1200", Family::V22, (1200, 1200)),
        ("spandsp V.21", Family::V21, (300, 300)),
        ("spandsp Bell 103", Family::Bell103, (300, 300)),
        ("spandsp V.23", Family::V23, (75, 1200)),
    ];
    for (label, family, rates) in cases {
        let peer = match family {
            Family::V22bis => Peer::v22bis(2400, Role::Answer),
            Family::V22 => Peer::v22bis(1200, Role::Answer),
            f => Peer::fsk(f, Role::Answer),
        };
        let theirs = if family == Family::V23 { text(10, 3) } else { text(120, 3) };
        let ours = text(200, 4);
        // The real billing delay and a full answer tone.
        let o = run(auto(Role::Answer), peer, Impairments::default().with_snr(25.0, -13.0), 22.0, &ours, &theirs);
        check(&o, &format!("{label} calls auto"), family, rates, &ours, &theirs);
        assert_eq!(o.events.first(), Some(&Event::Progress(Progress::AnswerTone)), "{label}");
    }
}

#[test]
fn bell212a_meets_spandsp_v22_both_ways() {
    // A Bell 212A answerer waits with 2225 Hz instead of V.22's unscrambled ones; spandsp's V.22
    // caller takes it for them. Our 212A caller is V.22's caller.
    for role in [Role::Call, Role::Answer] {
        let (ours, theirs) = (text(150, 5), text(150, 6));
        let mut config = Config::new(Family::Bell212A, role);
        config.answer_tone = true;
        config.answer_delay = softmodem::time::Duration::from_ms(500);
        let o =
            run(config, Peer::v22bis(1200, role), Impairments::default().with_snr(25.0, -13.0), 10.0, &ours, &theirs);
        check(&o, &format!("Bell 212A {role:?} vs spandsp V.22"), Family::Bell212A, (1200, 1200), &ours, &theirs);
    }
}

/// V.8 with spandsp, then V.22bis: spandsp's answerer (ANSam, JM) with our V.8 caller, and
/// spandsp's caller (CM, CJ) with our V.8 answerer; both must agree through V.8 and connect at
/// 2400 bit/s.
#[test]
fn v8_with_spandsp_then_v22bis() {
    for role in [Role::Call, Role::Answer] {
        let mut config = auto(role);
        config.v8 = true;
        let (ours, theirs) = (text(150, 11), text(150, 12));
        let o =
            run(config, Peer::v8_then_v22bis(role), Impairments::default().with_snr(25.0, -13.0), 14.0, &ours, &theirs);
        let label = format!("our V.8 {role:?} with spandsp");
        check(&o, &label, Family::V22bis, (2400, 2400), &ours, &theirs);
        assert!(o.events.contains(&Event::Progress(Progress::V8(Family::V22bis))), "{label}: {:?}", o.events);
        assert_eq!(o.early, 0, "{label}");
    }
}

/// `softmodem stdio --mode auto --role call` as a process, spandsp's V.22bis answerer in this one.
#[test]
fn stdio_auto_connects_to_spandsp_v22bis_at_2400() {
    let dir = Scratch::new("auto-stdio");
    let send = dir.write("send.bin", &text(300, 7));
    let recv = dir.path("recv.bin");
    let mut p = Proc::spawn(&[
        "stdio".into(),
        "--mode".into(),
        "auto".into(),
        "--role".into(),
        "call".into(),
        "--send".into(),
        arg(&send),
        "--recv".into(),
        arg(&recv),
        // spandsp's modem here carries characters: no error control.
        "--ec".into(),
        "off".into(),
    ]);
    let mut sp = V22bis::new(2400, SpGuard::None, SpRole::Answering, AsyncTx::n81(), AsyncRx::n81());
    let theirs = text(300, 8);
    let mut sp_out = vec![0i16; BLOCK];
    let mut heard = vec![0i16; BLOCK];
    let mut wrote = false;
    for step in 0..500 {
        p.write(&sp_out).expect("write to softmodem");
        heard.copy_from_slice(&p.read(BLOCK).expect("read from softmodem"));
        sp.rx(&heard);
        sp.tx(&mut sp_out);
        if !wrote && sp.trained() && step > 0 {
            sp.write(&theirs);
            wrote = true;
        }
    }
    let (status, stderr, _) = p.finish();
    assert!(status.success(), "{stderr}");
    assert!(stderr.lines().any(|l| l == "CONNECT 2400"), "{stderr}");
    assert!(stderr.lines().any(|l| l == "DETECTED V.22bis"), "{stderr}");
    assert_eq!(sp.current_bit_rate(), 2400);
    assert_eq!(sp.take(), text(300, 7), "what spandsp received");
    assert_eq!(std::fs::read(&recv).unwrap(), theirs, "what softmodem received");
}
