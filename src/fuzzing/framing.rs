//! Fuzz bodies of the framings: start-stop characters, HDLC frames, V.42bis streams.

use crate::startstop::{Deframer, Format, Parity};

/// V.42bis: the first byte chooses N2 (`sel % 4`: 512, 1024, 2048, 4096), N7 (`(sel >> 2) % 4`: 6,
/// 32, 250, 17) and flushes (bit 4). The rest, as a compressed stream, must not make the decoder
/// panic or give more than N7 characters an octet; after an error, a reset decoder takes it
/// again. Then the rest, as data, encoded (flushed after every byte below 8 when bit 4 is set,
/// and with the rest cut in two pieces at a place the second byte chooses) must decode exactly.
pub fn v42bis_decoder(data: &[u8]) {
    use crate::v42bis::{Decoder, Encoder, Params};
    let Some((&sel, rest)) = data.split_first() else { return };
    let n2 = [512, 1024, 2048, 4096][(sel % 4) as usize];
    let n7 = [6, 32, 250, 17][((sel >> 2) % 4) as usize];
    let p = Params::new(n2, n7).unwrap();
    let mut dec = Decoder::new(p);
    let mut n = 0usize;
    if dec.decode(rest, &mut |_| n += 1).is_err() {
        assert!(dec.decode(rest, &mut |_| {}).is_err(), "a failed decoder stays failed");
        dec.reset();
        let _ = dec.decode(rest, &mut |_| n += 1);
    }
    assert!(n <= 2 * rest.len() * n7 as usize, "{n} characters from {} octets", rest.len());

    let flushes = sel & 0x10 != 0;
    let cut = rest.first().map_or(0, |&b| b as usize % (rest.len() + 1));
    let mut enc = Encoder::new(p);
    let mut line = Vec::new();
    for piece in [&rest[..cut], &rest[cut..]] {
        for &b in piece {
            enc.encode(&[b], &mut |x| line.push(x));
            if flushes && b < 8 {
                enc.flush(&mut |x| line.push(x));
            }
        }
    }
    enc.flush(&mut |x| line.push(x));
    let mut dec = Decoder::new(p);
    let mut got = Vec::new();
    dec.decode(&line, &mut |x| got.push(x)).expect("our own stream decodes");
    assert!(got == rest, "round trip differs (N2 {n2}, N7 {n7})");
}

/// Character formats and the deframer, with V.14 on or off. The first byte chooses the format
/// (parity `sel % 5`, data bits `5 + (sel >> 3) % 4`, stop bits `1 + (sel >> 5) % 2`) and V.14
/// (bit 6). The rest, as bits, must not make it panic, give characters wider than the format or
/// more of them than the bits can carry; then the rest's bytes, framed by the framer (with V.14 and
/// one stop bit, every fourth character's stop bit deleted as V.14 allows, unless its bits are all
/// zeros), must come back exactly.
pub fn deframer(data: &[u8]) {
    use crate::startstop::{Framer, Received};
    let _ = Format::parse(core::str::from_utf8(&data[..data.len().min(4)]).unwrap_or(""));
    let Some((&sel, rest)) = data.split_first() else { return };
    let parity = [Parity::None, Parity::Even, Parity::Odd, Parity::Mark, Parity::Space][(sel % 5) as usize];
    let format = Format::new(5 + (sel >> 3) % 4, parity, 1 + (sel >> 5) % 2).unwrap();
    let v14 = sel & 0x40 != 0;
    let mask = ((1u16 << format.data_bits) - 1) as u8;
    let body = (format.data_bits + (parity != Parity::None) as u8) as usize;
    let mut d = Deframer::new(format);
    d.set_v14(v14);
    let mut items = 0usize;
    for &b in rest {
        for i in 0..8 {
            for r in d.push((b >> i) & 1) {
                match r {
                    Received::Char(c) | Received::ParityError(c) | Received::FramingError(c) => {
                        assert_eq!(c & !mask, 0, "{c:#x} from a {}-bit format", format.data_bits);
                        items += 1;
                    }
                    Received::Break => items += 1,
                }
            }
        }
    }
    // A character takes at least its start bit and body (V.14 deletes only the stop bit), even
    // when a resynchronisation hands several over at once.
    items += d.flush().count();
    assert!(items <= rest.len() * 8 / (body + 1) + 1, "{items} from {} bits", rest.len() * 8);

    let mut framer = Framer::new(format);
    let mut d = Deframer::new(format);
    d.set_v14(v14);
    let mut got = Vec::new();
    let mut push = |bit: u8, got: &mut Vec<Received>| got.extend(d.push(bit));
    push(1, &mut got);
    let mut bits = Vec::new();
    for (k, &b) in rest.iter().enumerate() {
        framer.start(b);
        bits.clear();
        while !framer.is_idle() {
            bits.push(framer.next_bit());
        }
        let zeros = bits[..=body].iter().all(|&x| x == 0);
        if v14 && format.stop_bits == 1 && k % 4 == 3 && !zeros {
            bits.pop();
        }
        bits.iter().for_each(|&x| push(x, &mut got));
    }
    push(1, &mut got);
    // What a look-ahead for character sync still holds at the end of the bits.
    got.extend(d.flush());
    let want: Vec<Received> = rest.iter().map(|&b| Received::Char(b & mask)).collect();
    assert_eq!(got, want, "{format:?}, V.14 {v14}");
}

/// HDLC framing. The first byte chooses the FCS (bit 0: 32-bit), the idle (bit 1: marks), the
/// flags between frames (`1 + (sel >> 2) % 3`), the longest frame (`2 + (sel >> 4) * 16` octets)
/// and the queue (`1 + (sel >> 4) % 4` frames). The rest, as bits, must not make the receiver
/// panic, give a frame longer than the longest, or count more frames (taken or dropped) than the
/// flags and aborts the bits hold; then the rest's bytes, cut into frames of 2 to the longest
/// octets and sent by the transmitter, must come back exactly.
pub fn hdlc_deframer(data: &[u8]) {
    use crate::bits::{BitSink, BitSource};
    use crate::hdlc::{Config, Fcs, HdlcRx, HdlcTx, Idle, MIN_FRAME};
    let Some((&sel, rest)) = data.split_first() else { return };
    let config = Config {
        fcs: if sel & 1 != 0 { Fcs::Fcs32 } else { Fcs::Fcs16 },
        idle: if sel & 2 != 0 { Idle::Marks } else { Idle::Flags },
        flags_between: 1 + (sel >> 2) % 3,
        max_frame: 2 + (sel >> 4) as usize * 16,
        frames: 1 + (sel >> 4) as usize % 4,
    };
    let mut rx = HdlcRx::new(config);
    let mut frames = 0u64;
    for &b in rest {
        for i in 0..8 {
            rx.put_bit((b >> i) & 1, 0.0);
            while let Some(f) = rx.front() {
                assert!(f.len() <= config.max_frame && f.len() >= MIN_FRAME, "a frame of {}", f.len());
                frames += 1;
                rx.pop();
            }
        }
    }
    let s = rx.stats();
    assert_eq!(s.good_frames, frames + rx.frames() as u64);
    // Every frame counted ends at a flag (at least 7 bits) or an abort (7 bits).
    let counted = s.good_frames + s.bad_fcs + s.aborts + s.too_long + s.too_short + s.not_octet_aligned + s.overruns;
    assert!(counted <= (rest.len() * 8 / 7) as u64 + 1, "{s:?} from {} bits", rest.len() * 8);

    let mut tx = HdlcTx::new(config);
    let mut rx = HdlcRx::new(config);
    let mut got = Vec::new();
    let mut sent = Vec::new();
    let mut chunks = rest;
    let mut k = 0usize;
    loop {
        if tx.free() > 0 && chunks.len() >= MIN_FRAME {
            let n = (MIN_FRAME + chunks[0] as usize % config.max_frame).min(config.max_frame).min(chunks.len());
            let (f, more) = chunks.split_at(n);
            tx.send(f).unwrap();
            sent.push(f);
            chunks = more;
        } else if tx.is_idle() && (chunks.len() < MIN_FRAME) {
            break;
        }
        rx.put_bit(tx.next_bit(), 0.0);
        while let Some(f) = rx.front() {
            got.push(f.to_vec());
            rx.pop();
        }
        k += 1;
        // At worst a 2-octet frame: 20 bits, a 32-bit FCS (39), three flags (24).
        assert!(k < 64 + rest.len() * 48, "the transmitter never finished");
    }
    // The closing flag's last bits.
    for _ in 0..16 {
        rx.put_bit(tx.next_bit(), 0.0);
    }
    while let Some(f) = rx.front() {
        got.push(f.to_vec());
        rx.pop();
    }
    assert!(got == sent, "{} frames back of {}: {:?}", got.len(), sent.len(), rx.stats());
}

/// LAPM's frame and XID parsers and its state machine. The first byte chooses the role (bit 0:
/// originator) and whether V.42bis is offered (bit 1). The rest is frames, each a length octet and
/// that many octets, taken by [`Lapm::receive`](crate::v42::Lapm::receive) as if received with a
/// good FCS, with 20 ms passing between them and the entity's own frames taken out after each:
/// nothing may panic, every frame it sends must parse as LAPM's, and its counts must stay
/// consistent. Each frame's octets after the control field also go to the XID parser: what parses
/// must survive its own emission unchanged.
pub fn lapm_frames(data: &[u8]) {
    use crate::time::Duration;
    use crate::v42::lapm::{Config, Lapm, N401_MAX};
    use crate::v42::wire::Frame;
    use crate::v42::xid::Xid;
    let Some((&sel, mut rest)) = data.split_first() else { return };
    let mut config = Config::new(sel & 1 != 0, 2400);
    if sel & 2 == 0 {
        config.v42bis = None;
    }
    let mut l = Lapm::new(config);
    l.write(b"user data waiting to go");
    let mut out = [0u8; N401_MAX as usize + 3];
    let mut user = [0u8; 512];
    while let Some((&len, tail)) = rest.split_first() {
        let n = (len as usize).min(tail.len());
        let (frame, after) = tail.split_at(n);
        rest = after;
        l.receive(frame);
        if let Ok(x) = Xid::parse(frame.get(2..).unwrap_or(&[])) {
            let mut buf = [0u8; 64];
            let m = x.emit(&mut buf).expect("an XID fits 64 octets");
            assert_eq!(Xid::parse(&buf[..m]), Ok(x));
        }
        l.advance(Duration::from_ms(20));
        while let Some(m) = l.poll_frame(&mut out) {
            assert!(Frame::parse(&out[..m]).is_ok(), "sent a frame that is not LAPM's: {:02x?}", &out[..m]);
        }
        while l.read(&mut user) > 0 {}
        while l.poll_event().is_some() {}
    }
    let s = l.stats();
    assert!(s.frames_received <= data.len() as u64);
}

/// V.42 as a whole (detection phase, the fall-back, LAPM and V.42bis) on bits from the line. The
/// first byte chooses the role (bit 0: originator), detection (bit 1), V.42 required (bit 2) and
/// V.42bis (bit 3); the rest are the received bits, least significant first, with 3 ms passing for
/// each byte and this end's bits taken as it sends them. Nothing may panic, the phase may only move
/// forward, and the end is reported once at most.
pub fn v42_bits(data: &[u8]) {
    use crate::time::Duration;
    use crate::v42::{Config, Event, Mode, Phase, V42};
    let Some((&sel, rest)) = data.split_first() else { return };
    let mut c = Config::new(sel & 1 != 0, 2400);
    c.detection = sel & 2 != 0;
    c.mode = if sel & 4 != 0 { Mode::Required } else { Mode::Auto };
    if sel & 8 == 0 {
        c.lapm.v42bis = None;
    }
    let mut v = V42::new(c);
    v.write(b"typed before the link was up");
    let order = |p: Phase| match p {
        Phase::Detection => 0,
        Phase::Lapm | Phase::Plain => 1,
        Phase::Ended => 2,
    };
    let mut last = order(v.phase());
    let mut ends = 0;
    let mut out = [0u8; 1024];
    for &b in rest {
        for i in 0..8 {
            v.put_bit((b >> i) & 1);
            let _ = v.next_bit();
        }
        v.advance(Duration::from_ms(3));
        let now = order(v.phase());
        assert!(now >= last, "the phase went back to {:?}", v.phase());
        last = now;
        while let Some(e) = v.poll_event() {
            ends += matches!(e, Event::Ended(_)) as u32;
        }
        while v.read(&mut out) > 0 {}
        v.write(b"x");
    }
    assert!(ends <= 1, "{ends} ends");
}

/// PPP's HDLC-like framing (RFC 1662): the deframer on any octets (the first chooses the receive
/// map and MRU); every good frame's content parses or is refused, and framed again with the first
/// octet's choices it comes back the same.
pub fn ppp_frames(data: &[u8]) {
    use crate::ppp::framing::{Decoder, Encoder, Event, Frame};
    let Some((&sel, rest)) = data.split_first() else { return };
    let mut d = Decoder::new(if sel & 1 != 0 { 64 } else { 1500 });
    d.accm = if sel & 2 != 0 { 0 } else { 0x000A_0000 };
    let e = Encoder { accm: if sel & 4 != 0 { u32::MAX } else { 0 }, acfc: sel & 8 != 0, pfc: sel & 16 != 0 };
    let mut out = Vec::new();
    for &b in rest {
        if let Some(Event::Frame) = d.push(b) {
            if let Ok(f) = Frame::parse(d.content()) {
                out.clear();
                e.frame(f.protocol, f.info, &mut out);
                let mut back = Decoder::new(64 * 1024);
                back.accm = 0;
                let got: Vec<_> = out.iter().filter_map(|&b| back.push(b)).collect();
                assert_eq!(got, vec![Event::Frame]);
                assert_eq!(Frame::parse(back.content()), Ok(f));
            }
        }
    }
}
