//! Property tests: round trips and invariants of the crate's formats, parsers and queues, on
//! inputs proptest generates (and shrinks when a property fails).
//!
//! Each expectation is written from the definition of the format (start-stop characters, V.8's
//! octets, RIFF/WAVE, V.250's command line syntax) or from a plain model (a bounded `VecDeque`),
//! never from the code under test's own output.
#![cfg(not(target_arch = "wasm32"))]

use proptest::prelude::*;
use std::collections::VecDeque;

// ---------------------------------------------------------------------------------------------
// Start-stop framing
// ---------------------------------------------------------------------------------------------

mod startstop {
    use super::*;
    use softmodem::bits::BitSink;
    use softmodem::startstop::{CharReceiver, Deframer, Format, Framer, Parity, Received, Stats};

    const PARITIES: [Parity; 5] = [Parity::None, Parity::Even, Parity::Odd, Parity::Mark, Parity::Space];

    /// Every format: 5 to 8 data bits, each parity, 1 or 2 stop bits.
    fn format() -> impl Strategy<Value = Format> {
        (5u8..=8, prop::sample::select(PARITIES.to_vec()), 1u8..=2)
            .prop_map(|(d, p, s)| Format::new(d, p, s).expect("a valid format"))
    }

    fn mask(f: Format) -> u8 {
        (((1u16) << f.data_bits) - 1) as u8
    }

    /// The parity bit of `data` from the definition of each parity.
    fn parity_of(f: Format, data: u8) -> Option<u8> {
        let ones = (data & mask(f)).count_ones() as u8;
        match f.parity {
            Parity::None => None,
            Parity::Even => Some(ones % 2),
            Parity::Odd => Some(1 - ones % 2),
            Parity::Mark => Some(1),
            Parity::Space => Some(0),
        }
    }

    /// The line bits of one character, from the definition: start 0, data least significant bit
    /// first, the parity bit if any, the stop bits (1).
    fn definition_bits(f: Format, byte: u8) -> Vec<u8> {
        let mut v = vec![0];
        v.extend((0..f.data_bits).map(|i| (byte >> i) & 1));
        v.extend(parity_of(f, byte));
        v.extend(std::iter::repeat_n(1, f.stop_bits as usize));
        v
    }

    /// What the framer sends for one character, from `start` until it is idle again.
    fn framed(fr: &mut Framer, byte: u8) -> Vec<u8> {
        assert!(fr.is_idle());
        fr.start(byte);
        let mut v = vec![];
        while !fr.is_idle() {
            v.push(fr.next_bit());
            assert!(v.len() <= 12, "a character longer than 12 bits");
        }
        v
    }

    /// True if the character's start, data and parity bits are all 0 (a NUL with space or even
    /// parity): the deframer documents that a deleted stop bit after such a character reads as
    /// the beginning of a break, so V.14 deletion is only generated after other characters.
    fn all_zero_body(f: Format, byte: u8) -> bool {
        byte & mask(f) == 0 && parity_of(f, byte).unwrap_or(0) == 0
    }

    /// What `d` makes of `bits`, with what a look-ahead for character sync still held at their end.
    fn deframe(d: &mut Deframer, bits: &[u8]) -> Vec<Received> {
        let mut got: Vec<Received> = bits.iter().flat_map(|&b| d.push(b)).collect();
        got.extend(d.flush());
        got
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// The framer sends each character exactly as the definition lays it out, in
        /// `bits_per_char` bits, and marks (1) when idle.
        #[test]
        fn framer_sends_the_defined_bits(f in format(), bytes in prop::collection::vec(any::<u8>(), 0..32)) {
            let mut fr = Framer::new(f);
            prop_assert_eq!(fr.next_bit(), 1, "idle line is mark");
            for &b in &bytes {
                let bits = framed(&mut fr, b);
                prop_assert_eq!(bits.len() as u32, f.bits_per_char());
                prop_assert_eq!(bits, definition_bits(f, b), "{:?} byte {:#04x}", f, b);
                prop_assert_eq!(fr.next_bit(), 1, "idle line is mark");
            }
        }

        /// Framed then deframed gives the bytes back (masked to the data bits), with any number
        /// of idle marks (including none) between characters, V.14 mode on or off.
        #[test]
        fn frame_deframe_round_trip(
            f in format(),
            chars in prop::collection::vec((any::<u8>(), 0usize..4), 0..48),
            lead in 1usize..4,
            v14 in any::<bool>(),
        ) {
            let mut fr = Framer::new(f);
            let mut line = vec![1; lead];
            for &(b, gap) in &chars {
                line.extend(framed(&mut fr, b));
                line.extend(std::iter::repeat_n(1, gap));
            }
            let mut d = Deframer::new(f);
            d.set_v14(v14);
            let got = deframe(&mut d, &line);
            let want: Vec<Received> = chars.iter().map(|&(b, _)| Received::Char(b & mask(f))).collect();
            prop_assert_eq!(got, want);
            prop_assert!(d.is_hunting(), "between characters the deframer hunts for a start bit");
        }

        /// V.14 over-speed: a sender may delete one stop bit in every 4 consecutive characters
        /// (the extended range; the basic range's 1 in 8 is a subset). With V.14 on, the deframer
        /// still gives every byte back; strictly (V.14 off, 1 stop bit) it does not.
        #[test]
        fn v14_deleted_stop_bits_round_trip(
            f in format(),
            chars in prop::collection::vec((any::<u8>(), any::<bool>(), 0usize..3), 1..64),
        ) {
            let mut fr = Framer::new(f);
            let mut line = vec![1, 1];
            let mut last_deleted: Option<usize> = None;
            let mut deleted = 0;
            for (i, &(b, delete, gap)) in chars.iter().enumerate() {
                let mut bits = framed(&mut fr, b);
                // Delete the (last) stop bit only where the next character follows at once, at
                // most once in any 4 consecutive characters.
                let may = i + 1 < chars.len()
                    && !all_zero_body(f, b)
                    && last_deleted.is_none_or(|j| i - j >= 4);
                if delete && may {
                    bits.pop();
                    last_deleted = Some(i);
                    deleted += 1;
                } else {
                    bits.extend(std::iter::repeat_n(1, gap));
                }
                line.extend(bits);
            }
            let want: Vec<Received> = chars.iter().map(|&(b, _, _)| Received::Char(b & mask(f))).collect();
            let mut d = Deframer::new(f);
            d.set_v14(true);
            prop_assert_eq!(deframe(&mut d, &line), want.clone());
            if deleted > 0 && f.stop_bits == 1 {
                let mut strict = Deframer::new(f);
                prop_assert_ne!(deframe(&mut strict, &line), want, "the deletions were real");
            }
        }

        /// A `CharReceiver` fed the framed bits queues the bytes in order up to its capacity and
        /// counts the rest as overruns.
        #[test]
        fn char_receiver_queues_up_to_capacity(
            f in format(),
            bytes in prop::collection::vec(any::<u8>(), 0..40),
            capacity in 1usize..48,
        ) {
            let mut fr = Framer::new(f);
            let mut r = CharReceiver::new(f, capacity);
            for b in [1, 1, 1] {
                r.put_bit(b, 0.0);
            }
            for &b in &bytes {
                for bit in framed(&mut fr, b) {
                    r.put_bit(bit, 0.0);
                }
            }
            let kept = bytes.len().min(capacity);
            prop_assert_eq!(r.queued(), kept);
            prop_assert_eq!(
                r.stats(),
                Stats { chars: bytes.len() as u64, overruns: (bytes.len() - kept) as u64, ..Stats::default() }
            );
            let mut out = vec![0; 64];
            let n = r.read(&mut out);
            let want: Vec<u8> = bytes[..kept].iter().map(|&b| b & mask(f)).collect();
            prop_assert_eq!(&out[..n], &want[..]);
            prop_assert!(!r.take_break());
        }
    }
}

// ---------------------------------------------------------------------------------------------
// V.8 menus
// ---------------------------------------------------------------------------------------------

mod v8 {
    use super::*;
    use softmodem::v8::{
        is_extension_octet, CallFunction, CallIndicator, Menu, Modulations, PcmModemAvailability, Protocol, PstnAccess,
        MENU_MAX_LEN,
    };

    const KNOWN_TAGS: [u8; 4] = [0x05, 0x0A, 0x0D, 0x07];

    /// Any menu the types can hold: a call function, any modulation bits, each optional
    /// category absent or with any value.
    fn menu() -> impl Strategy<Value = Menu> {
        (
            0u8..8,
            any::<u16>(),
            proptest::option::of(any::<u8>()),
            proptest::option::of(0u8..8),
            proptest::option::of(0u8..8),
        )
            .prop_map(|(cf, modn, proto, pstn, pcm)| Menu {
                call_function: CallFunction::from_value(cf),
                modulations: Modulations::from_bits(modn),
                protocol: proto.map(Protocol::from_value),
                pstn_access: pstn.map(PstnAccess::from_bits),
                pcm_modem_availability: pcm.map(PcmModemAvailability::from_bits),
            })
    }

    fn emit(m: &Menu) -> Vec<u8> {
        let mut buf = [0u8; MENU_MAX_LEN];
        let n = m.emit(&mut buf);
        buf[..n].to_vec()
    }

    fn extension_octet() -> impl Strategy<Value = u8> {
        any::<u8>().prop_map(|o| (o & !0x38) | 0x10)
    }

    /// A category this crate does not know (T.66, reserved tags, a repeated call function tag),
    /// with 0 to 2 extension octets of its own.
    fn unknown_category() -> impl Strategy<Value = Vec<u8>> {
        (
            any::<u8>().prop_filter("an unknown category octet", |&o| {
                !is_extension_octet(o) && !KNOWN_TAGS.contains(&(o & 0x1F))
            }),
            prop::collection::vec(extension_octet(), 0..3),
        )
            .prop_map(|(c, ext)| std::iter::once(c).chain(ext).collect())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// Emit then parse is the identity; the octets are the call function octet, the three
        /// modulation octets and each optional category present, every category octet tagged
        /// as V.8 defines (b0-b4) and the modn1/modn2 octets extension octets.
        #[test]
        fn menu_emit_parse_round_trip(m in menu()) {
            let octets = emit(&m);
            prop_assert_eq!(octets.len(), m.len());
            prop_assert!(octets.len() <= MENU_MAX_LEN);
            prop_assert_eq!(octets[0] & 0x1F, 0x01);
            prop_assert_eq!(octets[0] >> 5, m.call_function.value());
            prop_assert_eq!(octets[1] & 0x1F, 0x05);
            prop_assert!(is_extension_octet(octets[2]) && is_extension_octet(octets[3]));
            let expected_len = 4
                + m.protocol.is_some() as usize
                + m.pstn_access.is_some() as usize
                + m.pcm_modem_availability.is_some() as usize;
            prop_assert_eq!(octets.len(), expected_len);
            prop_assert_eq!(Menu::parse(&octets), Ok(m));
            // A buffer one octet short gets nothing.
            let mut short = vec![0xAA; octets.len() - 1];
            prop_assert_eq!(m.emit(&mut short), 0);
            prop_assert!(short.iter().all(|&o| o == 0xAA));
        }

        /// Unknown categories with their extension octets, extension octets continuing the call
        /// function or the last category, and repeats of categories already given, are all
        /// skipped: the menu parses the same.
        #[test]
        fn menu_parse_skips_what_it_does_not_know(
            m in menu(),
            after_call_function in prop::collection::vec(
                prop_oneof![extension_octet().prop_map(|o| vec![o]), unknown_category()], 0..4),
            at_end in prop::collection::vec(
                prop_oneof![
                    extension_octet().prop_map(|o| vec![o]),
                    unknown_category(),
                    (any::<u8>(), 0usize..4).prop_map(|(v, which)| vec![(v & 0xE0) | KNOWN_TAGS[which]]),
                ],
                0..5),
        ) {
            let octets = emit(&m);
            let mut noisy = vec![octets[0]];
            // Only extension octets may directly follow the call function octet and still
            // belong to it; an unknown category starts its own.
            noisy.extend(after_call_function.iter().flatten());
            noisy.extend(&octets[1..]);
            for chunk in &at_end {
                let o = chunk[0];
                // A known category repeated is skipped only if it was there the first time.
                let present = match o & 0x1F {
                    0x0A => m.protocol.is_some(),
                    0x0D => m.pstn_access.is_some(),
                    0x07 => m.pcm_modem_availability.is_some(),
                    _ => true,
                };
                if present {
                    noisy.extend(chunk);
                }
            }
            prop_assert_eq!(Menu::parse(&noisy), Ok(m), "{:02x?}", noisy);
        }

        /// Parsing arbitrary octets never panics, fails exactly when there is no call function
        /// octet first, and a menu it parses re-emits to octets that parse to the same menu.
        #[test]
        fn menu_parse_arbitrary_octets(octets in prop::collection::vec(any::<u8>(), 0..24)) {
            let r = Menu::parse(&octets);
            prop_assert_eq!(r.is_err(), octets.first().is_none_or(|&o| o & 0x1F != 0x01));
            if let Ok(m) = r {
                prop_assert_eq!(m.call_function.value(), octets[0] >> 5);
                prop_assert_eq!(Menu::parse(&emit(&m)), Ok(m));
            }
            let ci = CallIndicator::parse(&octets);
            prop_assert_eq!(ci.is_ok(), r.is_ok());
            if let Ok(ci) = ci {
                let mut buf = [0u8; CallIndicator::LEN];
                prop_assert_eq!(ci.emit(&mut buf), 1);
                prop_assert_eq!(CallIndicator::parse(&buf), Ok(ci));
            }
        }

        /// The modulation sets: raw bits survive `from_bits`/`bits` (13 of them), the three
        /// octets carry exactly those bits, and `best` is the first mode in priority order.
        #[test]
        fn modulation_sets(bits in any::<u16>(), other in any::<u16>()) {
            let m = Modulations::from_bits(bits);
            prop_assert_eq!(m.bits(), bits & 0x1FFF);
            let [m0, m1, m2] = m.octets();
            let info = |o: u8| (o & 7) | (o >> 3) & 0x18;
            prop_assert_eq!((m0 >> 5) as u16 | (info(m1) as u16) << 3 | (info(m2) as u16) << 8, m.bits());
            prop_assert_eq!(m.best(), m.iter().next());
            let o = Modulations::from_bits(other);
            prop_assert_eq!((m | o).bits(), m.bits() | o.bits());
            prop_assert_eq!((m & o).bits(), m.bits() & o.bits());
            prop_assert!((m | o).contains(m) && m.contains(m & o));
            prop_assert_eq!(m.difference(o).intersection(o), Modulations::NONE);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// WAV files
// ---------------------------------------------------------------------------------------------

mod wav {
    use super::*;
    use softmodem::wav::Wav;

    /// The rates the emitter writes and the parser reads back (the parser takes 1 Hz to 1 MHz).
    fn rate() -> impl Strategy<Value = u32> {
        prop_oneof![prop::sample::select(vec![8000u32, 11025, 16000, 44100, 48000]), 1u32..=1_000_000]
    }

    /// Samples in range, out of range, and not numbers.
    fn sample() -> impl Strategy<Value = f32> {
        prop_oneof![
            8 => -1.0f32..=1.0,
            1 => -4.0f32..4.0,
            1 => prop::sample::select(vec![f32::NAN, f32::INFINITY, f32::NEG_INFINITY, 1.0, -1.0, 0.0]),
        ]
    }

    fn u16_at(b: &[u8], i: usize) -> u16 {
        u16::from_le_bytes([b[i], b[i + 1]])
    }

    fn u32_at(b: &[u8], i: usize) -> u32 {
        u32::from_le_bytes(b[i..i + 4].try_into().unwrap())
    }

    /// One chunk: a four-character id and a body, its length field possibly lying.
    fn chunk() -> impl Strategy<Value = Vec<u8>> {
        let fmt_body = (
            prop::sample::select(vec![1u16, 3, 6, 7, 0xFFFE, 2, 0]),
            prop_oneof![Just(1u16), Just(2), Just(0), any::<u16>()],
            prop_oneof![Just(8000u32), Just(0), any::<u32>()],
            any::<u16>(),
            prop::sample::select(vec![8u16, 16, 24, 32, 64, 0, 12]),
            prop::collection::vec(any::<u8>(), 0..12),
        )
            .prop_map(|(tag, ch, rate, align, bits, extra)| {
                let mut v = vec![];
                v.extend(tag.to_le_bytes());
                v.extend(ch.to_le_bytes());
                v.extend(rate.to_le_bytes());
                v.extend((rate.wrapping_mul(align as u32)).to_le_bytes());
                v.extend(align.to_le_bytes());
                v.extend(bits.to_le_bytes());
                v.extend(extra);
                v
            });
        (
            prop::sample::select(vec![*b"fmt ", *b"data", *b"LIST", *b"fact"]),
            prop_oneof![fmt_body, prop::collection::vec(any::<u8>(), 0..64)],
            prop_oneof![3 => Just(None), 1 => any::<u32>().prop_map(Some)],
            0usize..20,
        )
            .prop_map(|(id, body, lying_len, cut)| {
                let mut v = id.to_vec();
                v.extend(lying_len.unwrap_or(body.len() as u32).to_le_bytes());
                let keep = body.len().saturating_sub(if cut < 4 { cut } else { 0 });
                v.extend(&body[..keep]);
                if body.len() % 2 == 1 && cut >= 4 {
                    v.push(0);
                }
                v
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]

        /// Emit then parse gives the rate and the samples back within 16-bit quantisation
        /// (clipped at full scale; what is not a finite number becomes 0), and the header is the
        /// canonical 44-byte RIFF/WAVE header of 16-bit mono PCM.
        #[test]
        fn wav_emit_parse_round_trip(rate in rate(), samples in prop::collection::vec(sample(), 0..600)) {
            let bytes = Wav::emit_pcm16(rate, &samples);
            prop_assert_eq!(bytes.len(), 44 + 2 * samples.len());
            prop_assert_eq!(&bytes[0..4], b"RIFF");
            prop_assert_eq!(u32_at(&bytes, 4) as usize, bytes.len() - 8);
            prop_assert_eq!(&bytes[8..16], b"WAVEfmt ");
            prop_assert_eq!(u32_at(&bytes, 16), 16);
            prop_assert_eq!((u16_at(&bytes, 20), u16_at(&bytes, 22)), (1, 1));
            prop_assert_eq!(u32_at(&bytes, 24), rate);
            prop_assert_eq!(u32_at(&bytes, 28), rate * 2);
            prop_assert_eq!((u16_at(&bytes, 32), u16_at(&bytes, 34)), (2, 16));
            prop_assert_eq!(&bytes[36..40], b"data");
            prop_assert_eq!(u32_at(&bytes, 40) as usize, 2 * samples.len());

            let w = Wav::parse(&bytes).expect("an emitted file parses");
            prop_assert_eq!((w.sample_rate, w.channels, w.bits_per_sample), (rate, 1, 16));
            prop_assert_eq!(w.samples.len(), samples.len());
            let lsb = 1.0 / 32768.0;
            for (i, (&x, &y)) in samples.iter().zip(&w.samples).enumerate() {
                let want = if x.is_finite() { x.clamp(-1.0, 1.0 - lsb) } else { 0.0 };
                prop_assert!((want - y).abs() <= lsb / 2.0 + 1e-9, "sample {}: {} read back as {}", i, x, y);
                prop_assert_eq!((y * 32768.0).fract(), 0.0, "quantised to 16 bits");
            }
            // Emitting what was read gives the same file.
            prop_assert_eq!(Wav::emit_pcm16(w.sample_rate, &w.samples), bytes);
        }

        /// Parsing arbitrary bytes never panics.
        #[test]
        fn wav_parse_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
            let _ = Wav::parse(&bytes);
            let mut riff = b"RIFF\0\0\0\0WAVE".to_vec();
            riff.extend(&bytes);
            let _ = Wav::parse(&riff);
        }

        /// Parsing a RIFF/WAVE file of arbitrary chunks (formats of every kind, bodies cut short,
        /// lengths that lie) never panics; what it reads has a sane rate and finite samples.
        #[test]
        fn wav_parse_arbitrary_chunks(chunks in prop::collection::vec(chunk(), 0..5), riff_len in any::<u32>()) {
            let mut bytes = b"RIFF".to_vec();
            bytes.extend(riff_len.to_le_bytes());
            bytes.extend(b"WAVE");
            bytes.extend(chunks.iter().flatten());
            if let Ok(w) = Wav::parse(&bytes) {
                prop_assert!(w.sample_rate >= 1 && w.sample_rate <= 1_000_000 && w.channels >= 1);
                prop_assert!(w.samples.len() <= bytes.len());
                prop_assert!(w.samples.iter().all(|s| s.is_finite()));
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The AT command parser
// ---------------------------------------------------------------------------------------------

mod hayes {
    use super::*;
    use softmodem::hayes::parser::{fold, split_args, MAX_DIAL};
    use softmodem::hayes::{Command, Commands, DialString, DialToken, ExtendedOp};

    /// A stretch of the command line: plain text (spaces may go between its characters and its
    /// letters may be written in either case) or a quoted string (written as it is).
    #[derive(Debug, Clone)]
    enum Seg {
        Plain(String),
        Quoted(String),
    }

    /// A command as V.250 writes it, with the command the parser should give for it.
    #[derive(Debug, Clone)]
    struct Gen {
        text: Vec<Seg>,
        want: Command,
        /// An extended command: a `;` must follow it unless it ends the line.
        extended: bool,
    }

    fn digits(value: u32, zeros: usize) -> String {
        format!("{}{value}", "0".repeat(zeros))
    }

    /// A basic command: a letter (not D, which dials, nor S, the S-registers) or `&` and any
    /// letter, with an optional number (leading zeros allowed).
    fn basic() -> impl Strategy<Value = Gen> {
        (
            any::<bool>(),
            prop::sample::select((b'A'..=b'Z').collect::<Vec<u8>>()),
            proptest::option::of((any::<u32>(), 0usize..3)),
        )
            .prop_filter("D and S are not basic commands without &", |(amp, name, _)| {
                *amp || !matches!(name, b'D' | b'S')
            })
            .prop_map(|(amp, name, value)| {
                let mut t = String::new();
                if amp {
                    t.push('&');
                }
                t.push(name as char);
                if let Some((v, z)) = value {
                    t.push_str(&digits(v, z));
                }
                Gen {
                    text: vec![Seg::Plain(t)],
                    want: Command::Basic { name, amp, value: value.map(|(v, _)| v) },
                    extended: false,
                }
            })
    }

    /// `S<n>?` and `S<n>=[<v>]` (a missing value is 0).
    fn register() -> impl Strategy<Value = Gen> {
        prop_oneof![
            (0u32..1000, 0usize..2).prop_map(|(reg, z)| Gen {
                text: vec![Seg::Plain(format!("S{}?", digits(reg, z)))],
                want: Command::ReadRegister { reg },
                extended: false,
            }),
            (0u32..1000, proptest::option::of(any::<u32>())).prop_map(|(reg, value)| Gen {
                text: vec![Seg::Plain(format!("S{reg}={}", value.map(|v| v.to_string()).unwrap_or_default()))],
                want: Command::SetRegister { reg, value: value.unwrap_or(0) },
                extended: false,
            }),
        ]
    }

    /// One value of an extended command: a word or number, or a quoted string of any printable
    /// characters but `"` (commas, semicolons, spaces and lower case included).
    fn arg() -> impl Strategy<Value = Seg> {
        prop_oneof!["[A-Z0-9]{0,6}".prop_map(Seg::Plain), "[ !#-~]{0,8}".prop_map(|s| Seg::Quoted(format!("\"{s}\""))),]
    }

    /// `+NAME`, `+NAME?`, `+NAME=?` or `+NAME=<values>`; the name a letter then up to 15 of
    /// letters, digits and `! % - . / : _`.
    fn extended() -> impl Strategy<Value = Gen> {
        let op = prop_oneof![
            Just(None),
            Just(Some(ExtendedOp::Read)),
            Just(Some(ExtendedOp::Test)),
            prop::collection::vec(arg(), 0..4).prop_map(|args| {
                let s = args
                    .iter()
                    .map(|a| match a {
                        Seg::Plain(s) | Seg::Quoted(s) => s.as_str(),
                    })
                    .collect::<Vec<_>>()
                    .join(",");
                Some(ExtendedOp::Set(s))
            }),
        ];
        ("[A-Z][A-Z0-9!%\\-./:_]{0,15}", op).prop_map(|(name, op)| {
            let mut text = vec![Seg::Plain(format!("+{name}"))];
            let op = match op {
                None => ExtendedOp::Execute,
                Some(ExtendedOp::Read) => {
                    text.push(Seg::Plain("?".into()));
                    ExtendedOp::Read
                }
                Some(ExtendedOp::Test) => {
                    text.push(Seg::Plain("=?".into()));
                    ExtendedOp::Test
                }
                Some(ExtendedOp::Set(s)) => {
                    text.push(Seg::Plain("=".into()));
                    // The values again as segments, so that only the unquoted ones get noise.
                    let mut quoted = false;
                    let mut cur = String::new();
                    for c in s.chars() {
                        if c == '"' {
                            if quoted {
                                cur.push(c);
                                text.push(Seg::Quoted(std::mem::take(&mut cur)));
                            } else {
                                text.push(Seg::Plain(std::mem::take(&mut cur)));
                                cur.push(c);
                            }
                            quoted = !quoted;
                        } else {
                            cur.push(c);
                        }
                    }
                    text.push(Seg::Plain(cur));
                    ExtendedOp::Set(s)
                }
                Some(ExtendedOp::Execute) => unreachable!(),
            };
            Gen { text, want: Command::Extended { name, op }, extended: true }
        })
    }

    /// One element of a dial string as written.
    #[derive(Debug, Clone)]
    enum DialItem {
        /// A character that dials or changes how: the token it stands for.
        Token(char, DialToken),
        /// A character dropped: written for readability or a modifier not implemented.
        Dropped(char),
        /// Quoted text (dropped).
        Quoted(String),
    }

    fn dial_item() -> impl Strategy<Value = DialItem> {
        let token = prop::sample::select(
            "0123456789*#ABCD+TPW,!"
                .chars()
                .map(|c| {
                    let t = match c {
                        'T' => DialToken::Tone,
                        'P' => DialToken::Pulse,
                        'W' => DialToken::WaitDialTone,
                        ',' => DialToken::Pause,
                        '!' => DialToken::Flash,
                        d => DialToken::Digit(d as u8),
                    };
                    DialItem::Token(c, t)
                })
                .collect::<Vec<_>>(),
        );
        prop_oneof![
            6 => token,
            2 => prop::sample::select("-()@$".chars().map(DialItem::Dropped).collect::<Vec<_>>()),
            1 => "[ !#-~]{0,6}".prop_map(DialItem::Quoted),
        ]
    }

    /// `D` and a dial string, optionally ended by `;`; or `DL` (dial the last number again).
    fn dial() -> impl Strategy<Value = Gen> {
        (prop::collection::vec(dial_item(), 0..40), any::<bool>(), prop::bool::weighted(0.1)).prop_map(
            |(items, semicolon, last)| {
                let mut text = vec![Seg::Plain(if last { "DL" } else { "D" }.into())];
                let mut tokens = vec![];
                for item in items {
                    match item {
                        DialItem::Token(c, t) => {
                            text.push(Seg::Plain(c.to_string()));
                            tokens.push(t);
                        }
                        DialItem::Dropped(c) => text.push(Seg::Plain(c.to_string())),
                        DialItem::Quoted(s) => text.push(Seg::Quoted(format!("\"{s}\""))),
                    }
                }
                if semicolon {
                    text.push(Seg::Plain(";".into()));
                }
                if last {
                    tokens.clear();
                }
                tokens.truncate(MAX_DIAL);
                Gen {
                    text,
                    want: Command::Dial(DialString { tokens, last, return_to_command: semicolon }),
                    extended: false,
                }
            },
        )
    }

    /// Writes the segments out: between plain characters a space or a tab where `noise` says,
    /// and plain letters in lower case where it says (V.250 5.1: both are ignored there).
    fn render(segs: &[Seg], noise: &[u8]) -> Vec<u8> {
        let mut out = vec![];
        let mut k = 0;
        let mut next = || {
            let n = if noise.is_empty() { 0xFF } else { noise[k % noise.len()] };
            k += 1;
            n
        };
        for seg in segs {
            match seg {
                Seg::Quoted(s) => out.extend(s.bytes()),
                Seg::Plain(s) => {
                    for b in s.bytes() {
                        let n = next();
                        match n & 0x0F {
                            0 => out.push(b' '),
                            1 => out.push(b'\t'),
                            _ => {}
                        }
                        out.push(if n & 0x30 == 0 { b.to_ascii_lowercase() } else { b });
                    }
                }
            }
        }
        out
    }

    /// A command line: basic, S-register and extended commands in any order (`;` after each
    /// extended command but the last, and where wanted between others), maybe a dial command
    /// at the end.
    fn line() -> impl Strategy<Value = (Vec<Gen>, Vec<bool>)> {
        (
            prop::collection::vec(prop_oneof![3 => basic(), 2 => register(), 2 => extended()], 0..8),
            proptest::option::of(dial()),
            prop::collection::vec(any::<bool>(), 8),
        )
            .prop_map(|(mut cmds, dial, semis)| {
                cmds.extend(dial);
                (cmds, semis)
            })
    }

    fn assemble(cmds: &[Gen], semis: &[bool]) -> Vec<Seg> {
        let mut segs = vec![];
        for (i, c) in cmds.iter().enumerate() {
            segs.extend(c.text.iter().cloned());
            let last = i + 1 == cmds.len();
            if (c.extended && !last) || (!matches!(c.want, Command::Dial(_)) && semis[i % semis.len()]) {
                segs.push(Seg::Plain(";".into()));
            }
        }
        segs
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// A well-formed command line parses to the commands it was written from, whatever the
        /// case of its letters and the spaces between them.
        #[test]
        fn command_line_round_trip((cmds, semis) in line(), noise in prop::collection::vec(any::<u8>(), 0..16)) {
            let text = render(&assemble(&cmds, &semis), &noise);
            let got: Result<Vec<Command>, _> = Commands::new(&text).collect();
            let want: Vec<Command> = cmds.iter().map(|c| c.want.clone()).collect();
            prop_assert_eq!(got, Ok(want), "{:?}", String::from_utf8_lossy(&text));
        }

        /// The values of an extended command split at the commas outside quoted strings give
        /// back the values written.
        #[test]
        fn split_args_gives_the_values_back(args in prop::collection::vec(arg(), 1..5)) {
            let parts: Vec<String> = args.iter().map(|a| match a { Seg::Plain(s) | Seg::Quoted(s) => s.clone() }).collect();
            let joined = parts.join(",");
            prop_assert_eq!(split_args(&joined), parts);
        }

        /// Any bytes: parsing never panics, stops after the first error or a dial command, and
        /// reports an error at a place inside the folded line; folding is idempotent and the
        /// parse of a line is the parse of its folded form.
        #[test]
        fn parser_survives_arbitrary_bytes(bytes in prop::collection::vec(
            prop_oneof![any::<u8>(), prop::sample::select(b"ATDSE&+=?;,\"0123456789 ".to_vec())], 0..64)) {
            let folded = fold(&bytes);
            prop_assert_eq!(fold(&folded), folded.clone());
            let mut quoted = false;
            for &b in &folded {
                if b == b'"' {
                    quoted = !quoted;
                } else if !quoted {
                    prop_assert!(b > b' ' && b != 0x7f && !b.is_ascii_lowercase(), "{:#04x} left outside quotes", b);
                }
            }
            let got: Vec<_> = Commands::new(&bytes).collect();
            prop_assert_eq!(&got, &Commands::new(&folded).collect::<Vec<_>>());
            for (i, r) in got.iter().enumerate() {
                let last = i + 1 == got.len();
                match r {
                    Err(e) => {
                        prop_assert!(last, "nothing after an error");
                        prop_assert!(e.at <= folded.len());
                    }
                    Ok(Command::Dial(d)) => {
                        prop_assert!(last, "nothing after a dial command");
                        prop_assert!(d.tokens.len() <= MAX_DIAL);
                    }
                    Ok(Command::Basic { name, .. }) => prop_assert!(name.is_ascii_uppercase()),
                    Ok(Command::Extended { name, .. }) => {
                        prop_assert!(!name.is_empty() && name.len() <= 16);
                        prop_assert!(name.as_bytes()[0].is_ascii_uppercase());
                    }
                    Ok(_) => {}
                }
            }
            if let Ok(s) = std::str::from_utf8(&bytes) {
                prop_assert_eq!(split_args(s).join(","), s);
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Queues
// ---------------------------------------------------------------------------------------------

mod queues {
    use super::*;
    use softmodem::queue::{ByteQueue, Fifo};

    #[derive(Debug, Clone)]
    enum ByteOp {
        Write(Vec<u8>),
        Push(u8),
        Pop,
        Read(usize),
        Clear,
    }

    fn byte_op() -> impl Strategy<Value = ByteOp> {
        prop_oneof![
            3 => prop::collection::vec(any::<u8>(), 0..12).prop_map(ByteOp::Write),
            3 => any::<u8>().prop_map(ByteOp::Push),
            3 => Just(ByteOp::Pop),
            2 => (0usize..12).prop_map(ByteOp::Read),
            1 => Just(ByteOp::Clear),
        ]
    }

    #[derive(Debug, Clone)]
    enum FifoOp {
        Push(u32),
        PushOverwrite(u32),
        Pop,
    }

    fn fifo_op() -> impl Strategy<Value = FifoOp> {
        prop_oneof![
            any::<u32>().prop_map(FifoOp::Push),
            any::<u32>().prop_map(FifoOp::PushOverwrite),
            Just(FifoOp::Pop),
        ]
    }

    /// Runs `ops` on a `Fifo<u32, N>` and on a `VecDeque` bounded at N: push drops the new item
    /// when full, push_overwrite the oldest.
    fn check_fifo<const N: usize>(ops: &[FifoOp]) -> Result<(), TestCaseError> {
        let mut q: Fifo<u32, N> = Fifo::new();
        let mut model: VecDeque<u32> = VecDeque::new();
        for op in ops {
            match *op {
                FifoOp::Push(x) => {
                    let fits = model.len() < N;
                    if fits {
                        model.push_back(x);
                    }
                    prop_assert_eq!(q.push(x), fits, "push {:?}", op);
                }
                FifoOp::PushOverwrite(x) => {
                    if N > 0 {
                        if model.len() == N {
                            model.pop_front();
                        }
                        model.push_back(x);
                    }
                    q.push_overwrite(x);
                }
                FifoOp::Pop => prop_assert_eq!(q.pop(), model.pop_front()),
            }
            prop_assert_eq!(q.len(), model.len());
            prop_assert_eq!(q.is_empty(), model.is_empty());
            prop_assert!(q.len() <= N);
        }
        // Drain: the rest comes out in order.
        let rest: Vec<u32> = std::iter::from_fn(|| q.pop()).collect();
        prop_assert_eq!(rest, Vec::from(model));
        prop_assert!(q.is_empty());
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// `ByteQueue` behaves as a `VecDeque` bounded at its capacity (at least 1): writes take
        /// what fits, push fails when full, reads and pops take the oldest first.
        #[test]
        fn byte_queue_is_a_bounded_deque(capacity in 0usize..12, ops in prop::collection::vec(byte_op(), 0..64)) {
            let mut q = ByteQueue::new(capacity);
            let cap = capacity.max(1);
            prop_assert_eq!(q.capacity(), cap);
            let mut model: VecDeque<u8> = VecDeque::new();
            for op in &ops {
                match op {
                    ByteOp::Write(data) => {
                        let n = data.len().min(cap - model.len());
                        model.extend(&data[..n]);
                        prop_assert_eq!(q.write(data), n);
                    }
                    ByteOp::Push(b) => {
                        let fits = model.len() < cap;
                        if fits {
                            model.push_back(*b);
                        }
                        prop_assert_eq!(q.push(*b), fits);
                    }
                    ByteOp::Pop => prop_assert_eq!(q.pop(), model.pop_front()),
                    ByteOp::Read(n) => {
                        let mut out = vec![0xEE; *n];
                        let want: Vec<u8> = model.drain(..(*n).min(model.len())).collect();
                        let got = q.read(&mut out);
                        prop_assert_eq!(&out[..got], &want[..]);
                        prop_assert!(out[got..].iter().all(|&b| b == 0xEE), "nothing written past what was read");
                    }
                    ByteOp::Clear => {
                        model.clear();
                        q.clear();
                    }
                }
                prop_assert_eq!(q.len(), model.len());
                prop_assert_eq!(q.free(), cap - model.len());
                prop_assert_eq!(q.is_empty(), model.is_empty());
            }
            let mut out = vec![0; 16];
            let n = q.read(&mut out);
            prop_assert_eq!(&out[..n], &Vec::from(model)[..]);
        }

        /// `Fifo` behaves as a bounded `VecDeque` with its documented drop policies, for
        /// capacities 0, 1, 3 and 8.
        #[test]
        fn fifo_is_a_bounded_deque(ops in prop::collection::vec(fifo_op(), 0..64)) {
            check_fifo::<0>(&ops)?;
            check_fifo::<1>(&ops)?;
            check_fifo::<3>(&ops)?;
            check_fifo::<8>(&ops)?;
        }
    }
}
