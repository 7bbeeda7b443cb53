//! ZMODEM sender against receiver, in memory and over a damaging link.

use super::wire::{emit_header, emit_subpacket, Decoder, Escaper, Event, FrameEnd, HeaderForm};
use super::*;
use crate::sim::byte_link::{self, ByteLinkConfig, Faults};
use crate::sim::rng::Rng;
use crate::time::Duration;
use crate::transfer::{MemorySink, MemorySource, Outcome, Party, Transfer};

fn random(n: usize, seed: u64) -> Vec<u8> {
    let mut v = vec![0; n];
    Rng::new(seed).fill(&mut v);
    v
}

/// Runs a batch from a sender to a receiver; returns both outcomes and the files received.
fn transfer(
    files: &[(&str, Vec<u8>)],
    send: Config,
    recv: Config,
    link: ByteLinkConfig,
    sink: MemorySink,
) -> (Option<Outcome>, Option<Outcome>, Vec<crate::transfer::files::ReceivedFile>, Sender) {
    let mut source = MemorySource::new();
    for (name, data) in files {
        source.add(name, data.clone());
    }
    let sink = std::rc::Rc::new(std::cell::RefCell::new(sink));
    let mut s = Sender::new(send, Box::new(source));
    let mut r = Receiver::new(recv, Box::new(sink.clone()));
    let run = byte_link::run(&mut s, &mut r, link, Duration::from_secs(3600));
    let got = sink.borrow().files.clone();
    (run.a, run.b, got, s)
}

fn clean(cps: u32) -> ByteLinkConfig {
    ByteLinkConfig { chars_per_second: cps, delay: Duration::from_ms(30), a_to_b: Faults::NONE, b_to_a: Faults::NONE, seed: 1 }
}

#[test]
fn headers_round_trip_in_every_form() {
    for form in [HeaderForm::Hex, HeaderForm::Bin16, HeaderForm::Bin32] {
        for esc in [false, true] {
            let h = Header::with_position(FrameType::Data, 0x1811_1300);
            let mut out = Vec::new();
            emit_header(&mut out, &h, form, &mut Escaper::new(esc));
            let mut d = Decoder::new();
            let events: Vec<_> = out.iter().filter_map(|&b| d.push(b)).collect();
            assert_eq!(events, vec![Event::Header(h, form)], "{form:?} esc {esc}: {out:02x?}");
            if esc {
                assert!(out[3..].iter().all(|&b| b & 0x7F >= 0x20 || b == ZDLE_ || b == 0x0D || b == 0x8A || b == 0x11));
            }
        }
    }
}

const ZDLE_: u8 = wire::ZDLE;

#[test]
fn hex_header_matches_the_paper_form() {
    // ZRQINIT as every sender starts: "**", ZDLE, "B", then "00" and four "00" and the CRC in
    // lower-case hex, CR, LF with bit 7, XON.
    let mut out = Vec::new();
    emit_header(&mut out, &Header::with_position(FrameType::Rqinit, 0), HeaderForm::Hex, &mut Escaper::new(false));
    assert_eq!(out, b"**\x18B00000000000000\r\x8a\x11");
}

#[test]
fn subpackets_survive_every_octet_value_and_damage_is_caught() {
    let data: Vec<u8> = (0..=255u8).chain(0..=255u8).collect();
    for crc32 in [false, true] {
        for all in [false, true] {
            let mut out = Vec::new();
            let h = Header::with_position(FrameType::Data, 0);
            let form = if crc32 { HeaderForm::Bin32 } else { HeaderForm::Bin16 };
            let mut esc = Escaper::new(all);
            emit_header(&mut out, &h, form, &mut esc);
            emit_subpacket(&mut out, &data, FrameEnd::Crcg, crc32, &mut esc);
            emit_subpacket(&mut out, b"end", FrameEnd::Crce, crc32, &mut esc);
            let mut d = Decoder::new();
            let mut got = Vec::new();
            for &b in &out {
                if let Some(Event::Data(end)) = d.push(b) {
                    got.push((d.data().to_vec(), end));
                }
            }
            assert_eq!(got, vec![(data.clone(), FrameEnd::Crcg), (b"end".to_vec(), FrameEnd::Crce)]);
            if all {
                assert!(!out.iter().any(|&b| b & 0x60 == 0 && ![wire::ZDLE, 0x0D, 0x8A, 0x11].contains(&b)));
            }
            // One octet changed anywhere in the first subpacket: it is reported bad, never good.
            for at in (4..out.len() - 20).step_by(37) {
                let mut bad = out.clone();
                bad[at] ^= 0x01;
                let mut d = Decoder::new();
                let good: Vec<_> = bad.iter().filter_map(|&b| d.push(b)).filter(|e| matches!(e, Event::Data(FrameEnd::Crcg))).collect();
                assert!(good.is_empty(), "a damaged subpacket passed (octet {at})");
            }
        }
    }
}

#[test]
fn five_cans_cancel() {
    let mut d = Decoder::new();
    let ev: Vec<_> = [0x18u8; 5].iter().filter_map(|&b| d.push(b)).collect();
    assert_eq!(ev, vec![Event::Cancel]);
}

#[test]
fn file_info_parses_leniently() {
    let (i, left) = super::parse_file_info(b"my file.txt\x00123 14000000000 100644 0 3 999\x00");
    assert_eq!(i.name, "my file.txt");
    assert_eq!(i.size, Some(123));
    assert_eq!(i.mtime, Some(0o14000000000));
    assert_eq!(i.mode, Some(0o100644));
    assert_eq!(left, Some(3));
    let (i, left) = super::parse_file_info(b"x");
    assert_eq!((i.name.as_str(), i.size, left), ("x", None, None));
    let (i, _) = super::parse_file_info(b"y\x00zz 12");
    assert_eq!(i.size, None);
}

#[test]
fn batch_of_files_arrives_exactly() {
    let files = [
        ("empty", vec![]),
        ("one", vec![0x18]),
        ("block", random(1024, 2)),
        ("with space.bin", random(300_000, 3)),
        ("text.txt", b"ZMODEM \x18\x10\x11\x13 *\x18B00 @\r\n".repeat(500)),
    ];
    for (max, crc32, esc) in [(1024, true, false), (8192, true, false), (1024, false, true)] {
        let send = Config { max_subpacket: max, crc32, ..Config::default() };
        let recv = Config { escape_control: esc, ..Config::default() };
        let (a, b, got, s) = transfer(&files, send, recv, clean(11_520), MemorySink::new(1 << 24));
        assert_eq!((a, b), (Some(Outcome::Complete), Some(Outcome::Complete)));
        assert_eq!(got.len(), files.len());
        for (f, g) in files.iter().zip(&got) {
            assert_eq!(g.info.name, f.0);
            assert!(g.complete, "{}", f.0);
            assert!(g.data == f.1, "{} differs", f.0);
        }
        assert_eq!(s.progress().files_done, files.len());
        assert_eq!(s.progress().total, files.iter().map(|f| f.1.len() as u64).sum::<u64>());
        if max == 8192 {
            assert_eq!(s.progress().block, 8192, "grows to 8k on a clean link");
        }
    }
}

#[test]
fn damage_both_ways_is_repaired() {
    let files = [("a.bin", random(60_000, 7)), ("b.txt", b"hello\r\n".repeat(3000))];
    for seed in 0..4 {
        let link = ByteLinkConfig {
            chars_per_second: 960,
            delay: Duration::from_ms(50),
            a_to_b: Faults::all(2e-4),
            b_to_a: Faults::all(2e-3),
            seed,
        };
        let (a, b, got, s) = transfer(&files, Config::new(crate::transfer::LineRate::new(9600)), Config::new(crate::transfer::LineRate::new(9600)), link, MemorySink::new(1 << 24));
        assert_eq!((a, b), (Some(Outcome::Complete), Some(Outcome::Complete)), "seed {seed}");
        for (f, g) in files.iter().zip(&got) {
            assert!(g.data == f.1, "{} differs (seed {seed})", f.0);
        }
        assert!(s.progress().retries > 0, "the damage made the sender go back (seed {seed})");
    }
}

#[test]
fn resume_continues_from_the_partial_file() {
    let data = random(50_000, 9);
    let mut sink = MemorySink::new(1 << 20);
    sink.partial.push(("big".into(), data[..20_000].to_vec()));
    let send = Config { resume: true, ..Config::default() };
    let (a, b, got, s) = transfer(&[("big", data.clone())], send, Config::default(), clean(11_520), sink);
    assert_eq!((a, b), (Some(Outcome::Complete), Some(Outcome::Complete)));
    assert!(got[0].data == data);
    assert_eq!(s.progress().start, 20_000, "sent from where the receiver was");
    assert_eq!(s.progress().total, 30_000);
}

#[test]
fn receiver_can_skip_a_file_it_has() {
    let data = random(5000, 4);
    let mut sink = MemorySink::new(1 << 20);
    sink.partial.push(("have".into(), data.clone()));
    sink.always_resume = true;
    let (a, b, got, _) = transfer(&[("have", data), ("new", vec![1, 2, 3])], Config::default(), Config::default(), clean(11_520), sink);
    assert_eq!((a, b), (Some(Outcome::Complete), Some(Outcome::Complete)));
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].data, vec![1, 2, 3]);
}

#[test]
fn cancel_from_either_end_stops_both() {
    for cancel_sender in [true, false] {
        let mut source = MemorySource::new();
        source.add("big", random(200_000, 5));
        let mut s = Sender::new(Config::default(), Box::new(source));
        let mut r = Receiver::new(Config::default(), Box::new(MemorySink::new(1 << 20)));
        let mut now = crate::time::Instant::ZERO;
        let mut buf = [0u8; 512];
        for i in 0..4000 {
            if i == 100 {
                if cancel_sender { s.cancel() } else { r.cancel() }
            }
            let n = s.transmit(now, &mut buf);
            r.receive(now, &buf[..n]);
            let n = r.transmit(now, &mut buf);
            s.receive(now, &buf[..n]);
            now += Duration::from_ms(10);
            if s.outcome().is_some() && r.outcome().is_some() {
                break;
            }
        }
        let (here, there) = if cancel_sender { (s.outcome(), r.outcome()) } else { (r.outcome(), s.outcome()) };
        assert_eq!(here, Some(&Outcome::Cancelled(Party::Local)));
        assert_eq!(there, Some(&Outcome::Cancelled(Party::Remote)));
    }
}

#[test]
fn a_silent_far_end_times_out() {
    let mut source = MemorySource::new();
    source.add("f", vec![1; 10]);
    let mut s = Sender::new(Config::new(crate::transfer::LineRate::new(300)), Box::new(source));
    let mut r = Receiver::new(Config::default(), Box::new(MemorySink::new(100)));
    let mut now = crate::time::Instant::ZERO;
    let mut buf = [0u8; 64];
    for _ in 0..200_000 {
        s.transmit(now, &mut buf);
        r.transmit(now, &mut buf);
        now += Duration::from_ms(10);
    }
    assert_eq!(s.outcome(), Some(&Outcome::TimedOut));
    assert_eq!(r.outcome(), Some(&Outcome::TimedOut));
}

#[test]
fn line_rate_sets_the_first_subpacket() {
    use crate::transfer::LineRate;
    assert_eq!(Config::new(LineRate::new(300)).first_subpacket(), 256);
    assert_eq!(Config::new(LineRate::new(2400)).first_subpacket(), 256);
    assert_eq!(Config::new(LineRate::new(9600)).first_subpacket(), 1024);
    assert_eq!(Config::new(LineRate::new(110)).first_subpacket(), 128);
}

#[test]
fn a_cut_off_transfer_resumes_where_it_stopped() {
    // The first session is cut off (the receiver cancels at about 40 %); the partial file is kept,
    // and the second session (ZCRESUM) continues from its end: the file arrives whole, and only
    // the rest crossed the line.
    let data = random(100_000, 12);
    let mut source = MemorySource::new();
    source.add("big.bin", data.clone());
    let sink = std::rc::Rc::new(std::cell::RefCell::new(MemorySink::new(1 << 20)));
    let mut s = Sender::new(Config::default(), Box::new(source.clone()));
    let mut r = Receiver::new(Config::default(), Box::new(sink.clone()));
    let mut now = crate::time::Instant::ZERO;
    let mut buf = [0u8; 600];
    while s.outcome().is_none() || r.outcome().is_none() {
        if r.progress().done >= 40_000 && r.outcome().is_none() {
            r.cancel();
        }
        let n = s.transmit(now, &mut buf);
        r.receive(now, &buf[..n]);
        let n = r.transmit(now, &mut buf);
        s.receive(now, &buf[..n]);
        now += Duration::from_ms(10);
    }
    assert_eq!(r.outcome(), Some(&Outcome::Cancelled(Party::Local)));
    let partial = sink.borrow().files[0].clone();
    assert!(!partial.complete && partial.data.len() >= 40_000 && partial.data.len() < 100_000);
    assert!(partial.data == data[..partial.data.len()], "what arrived before the cut is right");

    let mut sink = MemorySink::new(1 << 20);
    sink.partial.push(("big.bin".into(), partial.data.clone()));
    let resume = Config { resume: true, ..Config::default() };
    let (a, b, got, s) = transfer(&[("big.bin", data.clone())], resume, Config::default(), clean(11_520), sink);
    assert_eq!((a, b), (Some(Outcome::Complete), Some(Outcome::Complete)));
    assert!(got[0].complete && got[0].data == data);
    assert_eq!(s.progress().start, partial.data.len() as u64);
    assert_eq!(s.progress().total, (data.len() - partial.data.len()) as u64);
}
