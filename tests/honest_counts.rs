//! Every character the far modem sent is either delivered or counted as lost: through a retrain
//! (asked for, or after a dropout), short dropouts and impulses, V.22bis and V.22 calls between
//! our modems carry continuous text, and for each end the characters the far end sent equal those
//! delivered plus those counted as framing errors or lost (within a few per event, for what a
//! misframe merges or splits). And a dropout or an impulse costs only the characters near it.

use softmodem::modem::{Config, Event, Modem, State};
use softmodem::sim::call::BackToBack;
use softmodem::sim::line::{Direction, Dropout, Impairments, Line};
use softmodem::{Family, Role};

/// One direction of the line.
type Channel = Box<dyn FnMut(&[f32], &mut [f32])>;

/// Continuous lowercase text, as a person's typing or a BBS's prose: numbered so that what is
/// missing can be found.
fn text(len: usize) -> Vec<u8> {
    let mut v = Vec::with_capacity(len + 64);
    let mut n = 0;
    while v.len() < len {
        v.extend_from_slice(format!("{n:04} the quick brown fox jumps over the lazy dog\r\n").as_bytes());
        n += 1;
    }
    v.truncate(len);
    v
}

/// What one end received, and its counts.
struct Received {
    got: Vec<u8>,
    chars: u64,
    framing_errors: u64,
    lost: u64,
    retrains: usize,
}

impl Received {
    /// Characters the far end sent that are neither delivered nor counted: positive when the
    /// counts hide a loss.
    fn unaccounted(&self, sent: usize) -> i64 {
        sent as i64 - (self.chars + self.framing_errors + self.lost) as i64
    }
}

/// A call over `line`: once both ends are in data mode each writes `sent` (as fast as the modem
/// takes it), `during` runs with the call (for a retrain asked for), and the call runs on until
/// everything has drained.
fn call(
    family: Family,
    line: Line,
    sent: &[u8],
    seconds: f32,
    mut during: impl FnMut(f32, &mut Modem, &mut Modem),
) -> [Received; 2] {
    let mut call = BackToBack::new(
        Modem::new(Config::new(family, Role::Call)),
        Modem::new(Config::new(family, Role::Answer)),
        line,
    );
    let mut written = [0usize; 2];
    let mut got = [vec![], vec![]];
    let mut retrains = [0usize; 2];
    let mut buf = [0u8; 512];
    for step in 0..(seconds * 50.0) as usize {
        call.step();
        let t = step as f32 / 50.0;
        during(t, &mut call.a, &mut call.b);
        for (k, m) in [&mut call.a, &mut call.b].into_iter().enumerate() {
            if m.state() == State::Data {
                written[k] += m.write(&sent[written[k]..]);
            }
            let n = m.read(&mut buf);
            got[k].extend_from_slice(&buf[..n]);
            while let Some(e) = m.poll_event() {
                retrains[k] += matches!(e, Event::Retrain) as usize;
                assert_ne!(e, Event::NoCarrier, "{family:?}: the call ended");
            }
        }
    }
    let (a, b) = call.into_ends();
    for (m, w) in [(&a, written[0]), (&b, written[1])] {
        assert_eq!(w, sent.len(), "{family:?}: not all written");
        assert_eq!(m.tx_pending(), 0, "{family:?}: not all sent");
    }
    let [ga, gb] = got;
    [(a, ga, retrains[0]), (b, gb, retrains[1])].map(|(m, got, retrains)| {
        let st = m.stats();
        Received { got, chars: st.chars, framing_errors: st.framing_errors, lost: st.lost, retrains }
    })
}

/// Characters of `sent` missing from `got` (the longest common subsequence's shortfall), found
/// with a band around the diagonal wide enough for the losses here.
fn missing(sent: &[u8], got: &[u8]) -> usize {
    const BAND: usize = 800;
    let (n, m) = (sent.len(), got.len());
    let mut prev = vec![0u32; m + 1];
    let mut cur = vec![0u32; m + 1];
    for i in 1..=n {
        let lo = i.saturating_sub(BAND).max(1);
        let hi = (i + BAND).min(m);
        cur[lo - 1] = if lo > 1 { prev[lo - 1] } else { 0 };
        for j in lo..=hi {
            cur[j] = if sent[i - 1] == got[j - 1] { prev[j - 1] + 1 } else { prev[j].max(cur[j - 1]) };
        }
        let last = cur[hi];
        cur.iter_mut().skip(hi + 1).for_each(|v| *v = last);
        std::mem::swap(&mut prev, &mut cur);
    }
    n - prev[m] as usize
}

fn quiet_line(seed: u64) -> Line {
    Line::symmetric(Impairments::default().with_snr(30.0, -13.0), seed)
}

fn with_dropouts(dropouts: Vec<Dropout>, seed: u64) -> Direction {
    Direction::new(Impairments { dropouts, ..Impairments::default() }.with_snr(30.0, -13.0), seed)
}

#[test]
fn a_retrain_loses_only_what_it_counts() {
    let sent = text(3000);
    let [a, b] = call(Family::V22bis, quiet_line(1), &sent, 18.0, |t, _, b| {
        if (5.0..5.02).contains(&t) {
            b.retrain();
        }
    });
    for (end, r) in [("caller", &a), ("answerer", &b)] {
        let miss = missing(&sent, &r.got);
        eprintln!(
            "{end}: {} retrains, {miss} characters missing; counted {} lost, {} framing errors; {} unaccounted",
            r.retrains,
            r.lost,
            r.framing_errors,
            r.unaccounted(sent.len())
        );
        assert_eq!(r.retrains, 1, "{end}");
        // The far end stops sending data while it retrains, and sends the character the retrain
        // cut off again: what is lost is what the initiating end could not hear before the far
        // end answered its S1.
        assert!(miss < 50, "{end}: {miss} missing");
        assert!(r.unaccounted(sent.len()).abs() <= 4, "{end}: {} unaccounted", r.unaccounted(sent.len()));
    }
}

#[test]
fn a_dropout_loses_only_what_it_counts() {
    // 100 ms is ridden through; 300 ms makes the end that heard it retrain.
    for (ms, retrains) in [(100.0, 0), (300.0, 1)] {
        let sent = text(3000);
        let line = Line {
            a_to_b: with_dropouts(vec![Dropout { at_ms: 5000.0, ms }], 2),
            b_to_a: with_dropouts(vec![Dropout { at_ms: 7000.0, ms }], 3),
        };
        let [a, b] = call(Family::V22bis, line, &sent, 18.0, |_, _, _| {});
        for (end, r) in [("caller", &a), ("answerer", &b)] {
            let miss = missing(&sent, &r.got);
            let unaccounted = r.unaccounted(sent.len());
            eprintln!(
                "{ms} ms, {end}: {} retrains, {miss} characters missing; counted {} lost, {} framing errors; {unaccounted} unaccounted",
                r.retrains, r.lost, r.framing_errors
            );
            // (Each end retrains once for the dropout it heard and once for the far end's.)
            assert!(r.retrains >= 2 * retrains, "{ms} ms, {end}");
            // What the dropout hid (2400 bit/s: 240 characters a second), a retrain's worth, and
            // a few either side: not a misframed run.
            let bound = (ms * 0.24) as usize + if retrains > 0 { 100 } else { 10 };
            assert!(miss <= bound, "{ms} ms, {end}: {miss} missing");
            assert!(unaccounted.abs() <= 4 + miss as i64 / 10, "{ms} ms, {end}: {unaccounted} unaccounted");
        }
    }
}

#[test]
fn short_dropouts_cost_only_the_characters_they_hit() {
    // 20 ms dropouts every 3 s, both ways, V.22bis at 2400 and V.22 at 1200, in lowercase text
    // (which a deframer that slips stays slipped in longest).
    for (family, cps) in [(Family::V22bis, 240.0), (Family::V22, 120.0)] {
        let len = (cps * 16.0) as usize;
        let sent = text(len);
        let drops =
            |offset: f32| (0..8).map(|i| Dropout { at_ms: 3000.0 + offset + 3000.0 * i as f32, ms: 20.0 }).collect();
        let line = Line { a_to_b: with_dropouts(drops(0.0), 4), b_to_a: with_dropouts(drops(1500.0), 5) };
        let [a, b] = call(family, line, &sent, 21.0, |_, _, _| {});
        for (end, r) in [("caller", &a), ("answerer", &b)] {
            let miss = missing(&sent, &r.got);
            // Dropouts while this end's text was arriving (it arrives for len/cps seconds from
            // about 2 s).
            let hits = (0..8).filter(|i| 3.0 + 3.0 * *i as f32 <= 2.0 + len as f32 / cps).count();
            let unaccounted = r.unaccounted(sent.len());
            eprintln!(
                "{family:?} {end}: {hits} dropouts, {miss} characters missing; counted {} lost, {} framing errors, {unaccounted} unaccounted",
                r.lost, r.framing_errors
            );
            assert_eq!(r.retrains, 0, "{family:?} {end}");
            // 20 ms is 5 characters at 2400 bit/s; allow as many again for the characters cut at
            // either edge and a short slip.
            assert!(miss <= hits * 12, "{family:?} {end}: {miss} missing for {hits} dropouts");
            assert!(unaccounted.abs() <= 2 * hits as i64, "{family:?} {end}: {unaccounted} unaccounted");
        }
    }
}

#[test]
fn impulses_cost_only_the_characters_they_hit() {
    // 50 one-sample impulses at +3 dBm0 peak, a third of a second apart, into each direction.
    let sent = text(4000);
    let impulses = |seed: u64| -> Channel {
        let mut d = Direction::new(Impairments::default().with_snr(30.0, -13.0), seed);
        let mut t = 0usize;
        Box::new(move |x: &[f32], y: &mut [f32]| {
            d.process(x, y);
            for v in y.iter_mut() {
                if t > 4 * 8000 && t.is_multiple_of(2667) && t < 4 * 8000 + 50 * 2667 {
                    *v += 1.4;
                }
                t += 1;
            }
        })
    };
    let mut to_b = impulses(6);
    let mut to_a = impulses(7);
    let mut ends =
        [Modem::new(Config::new(Family::V22bis, Role::Call)), Modem::new(Config::new(Family::V22bis, Role::Answer))];
    let (mut out, mut heard) = ([vec![0.0f32; 160], vec![0.0f32; 160]], [vec![0.0f32; 160], vec![0.0f32; 160]]);
    let mut written = [0usize; 2];
    let mut got = [vec![], vec![]];
    let mut buf = [0u8; 512];
    for _ in 0..(24 * 50) {
        to_a(&out[1], &mut heard[0]);
        to_b(&out[0], &mut heard[1]);
        for k in 0..2 {
            ends[k].process(&heard[k], &mut out[k]);
            if ends[k].state() == State::Data {
                written[k] += ends[k].write(&sent[written[k]..]);
            }
            let n = ends[k].read(&mut buf);
            got[k].extend_from_slice(&buf[..n]);
        }
    }
    for k in 0..2 {
        assert_eq!(written[k], sent.len());
        let miss = missing(&sent, &got[k]);
        let st = ends[k].stats();
        eprintln!("end {k}: {miss} characters missing, {} framing errors, {} lost", st.framing_errors, st.lost);
        // Each impulse garbles a few symbols, which the descrambler makes three times as many bit
        // errors over 17 bits: the characters they fall in, and one more while character sync
        // is found again; not a run.
        assert!(miss <= 300, "end {k}: {miss} missing for 50 impulses");
    }
}

#[test]
fn the_counts_are_zero_on_a_clean_line() {
    let sent = text(2000);
    for family in [Family::V22bis, Family::V22] {
        let [a, b] = call(family, quiet_line(9), &sent, 22.0, |_, _, _| {});
        for r in [&a, &b] {
            assert_eq!(r.got, sent, "{family:?}");
            assert_eq!((r.lost, r.framing_errors, r.retrains), (0, 0, 0), "{family:?}");
        }
    }
}
