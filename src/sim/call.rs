//! Two line endpoints back to back, block by block, through the line simulator: the one harness
//! that whole-call tests, benchmarks, the CLI's `sim` and the page's bindings tests share.
//!
//! ```
//! use softmodem::modem::{Config, Modem, State};
//! use softmodem::sim::call::BackToBack;
//! use softmodem::sim::line::{Impairments, Line};
//! use softmodem::time::Duration;
//! use softmodem::{Family, Role};
//! let line = Line::symmetric(Impairments::default().with_snr(25.0, -13.0), 1);
//! let mut call = BackToBack::new(
//!     Modem::new(Config::new(Family::V22bis, Role::Call)),
//!     Modem::new(Config::new(Family::V22bis, Role::Answer)),
//!     line,
//! );
//! assert!(call.run_until(Duration::from_secs(10), |a, b| a.state() == State::Data && b.state() == State::Data));
//! assert_eq!(call.a.rates(), (2400, 2400));
//! ```

use crate::sim::line::Line;
use crate::time::{Duration, Instant};
use crate::types::LineEndpoint;
use std::collections::VecDeque;

/// Samples in one step of a [`BackToBack`] call (20 ms).
pub const BLOCK: usize = 160;

/// Two [`LineEndpoint`]s connected through a simulated [`Line`] (or directly), run one
/// [`BLOCK`] at a time. Each step, each end hears what the other sent the step before (through the
/// line, with the echoes of its own signal) and says its next block.
///
/// With a clock offset on the line, B runs on its own clock: each step it hears and says as many
/// samples as its clock makes in A's [`BLOCK`] (one more or one fewer now and then), exactly what
/// the line's two directions convert, so the offset holds for a call of any length.
///
/// The ends are public: between steps, a test writes to them, reads from them and polls their
/// events as it likes.
#[derive(Debug, Clone)]
pub struct BackToBack<A, B> {
    /// End A: the calling end, by the line's convention.
    pub a: A,
    /// End B: the answering end.
    pub b: B,
    line: Option<Line>,
    /// What each end sent in the last step (A, B).
    sent: [Vec<f32>; 2],
    /// What each end heard in the last step (A, B).
    heard: [Vec<f32>; 2],
    /// With a clock offset: the streams between the ends' clocks.
    clocked: Option<Clocked>,
    now: Instant,
}

/// What a call with a clock offset keeps between steps.
#[derive(Debug, Clone, Default)]
struct Clocked {
    /// A's signal not yet taken by the line to B (the converter's look-ahead, and the
    /// difference of a sample or two between what A said and what B's clock takes).
    a_stream: VecDeque<f32>,
    /// B's own signal for the echoes in what B hears: B's first block of silence and what B said
    /// since, so that its echo comes back a block and the converter's look-ahead behind.
    b_own: VecDeque<f32>,
    /// Reused buffers: A's samples and B's own samples for one step.
    from_a: Vec<f32>,
    own: Vec<f32>,
    /// Samples made up (silence) because a stream ran dry, or dropped because one overflowed: 0
    /// unless the line's two clock ratios are not each other's inverse.
    slipped: u64,
}

/// Most samples `Clocked::a_stream` holds (far more than the converter's look-ahead).
const STREAM_MAX: usize = 8 * BLOCK;

impl<A: LineEndpoint, B: LineEndpoint> BackToBack<A, B> {
    /// `a` and `b` over `line`.
    pub fn new(a: A, b: B, line: Line) -> Self {
        let mut call = Self::direct(a, b);
        if line.has_clock_offset() {
            // B's first block is what the line to A needs for A's first block (the converter's
            // look-ahead is silence); the line to B starts with as much silence ahead of A.
            call.sent[1] = vec![0.0; line.b_to_a.input_needed(BLOCK)];
            let lead = line.a_to_b.input_needed(BLOCK + 2).saturating_sub(BLOCK) + 2;
            call.clocked = Some(Clocked { a_stream: core::iter::repeat_n(0.0, lead).collect(), ..Default::default() });
        }
        call.line = Some(line);
        call
    }

    /// `a` and `b` wired directly: each hears exactly what the other sent.
    pub fn direct(a: A, b: B) -> Self {
        BackToBack {
            a,
            b,
            line: None,
            sent: [vec![0.0; BLOCK], vec![0.0; BLOCK]],
            heard: [vec![0.0; BLOCK], vec![0.0; BLOCK]],
            clocked: None,
            now: Instant::ZERO,
        }
    }

    /// One step of [`BLOCK`] samples (of A's clock).
    pub fn step(&mut self) {
        let [a_heard, b_heard] = &mut self.heard;
        let [a_sent, b_sent] = &mut self.sent;
        match (&mut self.line, &mut self.clocked) {
            (Some(line), Some(c)) => {
                // A hears B's last block, which was as long as this needs.
                line.b_to_a.process_clocked(b_sent, a_sent, a_heard);
                // B's block this step: what the line to A will take next step.
                let m = line.b_to_a.input_needed(BLOCK);
                let k = line.a_to_b.input_needed(m);
                c.a_stream.extend(a_sent.iter());
                c.b_own.extend(b_sent.iter());
                let Clocked { a_stream, b_own, from_a, own, slipped } = c;
                for (q, buf, n) in [(a_stream, from_a, k), (b_own, own, m)] {
                    buf.clear();
                    buf.extend(q.drain(..n.min(q.len())));
                    *slipped += (n - buf.len()) as u64;
                    buf.resize(n, 0.0);
                }
                if c.a_stream.len() > STREAM_MAX {
                    *slipped += (c.a_stream.len() - STREAM_MAX) as u64;
                    c.a_stream.truncate(STREAM_MAX);
                }
                b_heard.resize(m, 0.0);
                b_sent.resize(m, 0.0);
                line.a_to_b.process_clocked(&c.from_a, &c.own, b_heard);
            }
            (Some(line), None) => line.process(a_sent, b_sent, a_heard, b_heard),
            (None, _) => {
                a_heard.copy_from_slice(b_sent);
                b_heard.copy_from_slice(a_sent);
            }
        }
        self.a.process(a_heard, a_sent);
        self.b.process(b_heard, b_sent);
        self.now += Duration::from_samples(BLOCK as u32);
    }

    /// Steps for `d` (rounded up to whole steps).
    pub fn run(&mut self, d: Duration) {
        for _ in 0..d.samples().div_ceil(BLOCK as u32) {
            self.step();
        }
    }

    /// Steps until `done` says so (checked after each step) or `limit` has passed; true when
    /// `done` said so.
    pub fn run_until(&mut self, limit: Duration, mut done: impl FnMut(&mut A, &mut B) -> bool) -> bool {
        for _ in 0..limit.samples().div_ceil(BLOCK as u32) {
            self.step();
            if done(&mut self.a, &mut self.b) {
                return true;
            }
        }
        false
    }

    /// Time since the call began (on A's clock).
    pub fn now(&self) -> Instant {
        self.now
    }

    /// The line, if there is one.
    pub fn line_mut(&mut self) -> Option<&mut Line> {
        self.line.as_mut()
    }

    /// Samples the call had to make up or drop between the ends' clocks: 0 when the line's two
    /// clock ratios are each other's inverse, as [`Line::new`] makes them (the line's own
    /// directions count theirs in [`crate::sim::line::Direction::slipped`]).
    pub fn slipped(&self) -> u64 {
        let line = self.line.as_ref().map_or(0, |l| l.a_to_b.slipped() + l.b_to_a.slipped());
        line + self.clocked.as_ref().map_or(0, |c| c.slipped)
    }

    /// What end A heard in the last step.
    pub fn a_heard(&self) -> &[f32] {
        &self.heard[0]
    }

    /// What end B heard in the last step (on B's clock: [`BLOCK`] samples give or take one when
    /// the line has a clock offset).
    pub fn b_heard(&self) -> &[f32] {
        &self.heard[1]
    }

    /// What end A sent in the last step.
    pub fn a_sent(&self) -> &[f32] {
        &self.sent[0]
    }

    /// What end B sent in the last step (on B's clock, as [`BackToBack::b_heard`]).
    pub fn b_sent(&self) -> &[f32] {
        &self.sent[1]
    }

    /// Both ends, unwrapped.
    pub fn into_ends(self) -> (A, B) {
        (self.a, self.b)
    }
}

/// A far end that goes away: it runs `inner` until `at`, and from then on the line carries
/// `then` instead (played over and over; empty is silence): what the network plays after a modem
/// hangs up (line noise, dial tone, reorder, an announcement).
#[derive(Debug, Clone)]
pub struct Ending<E> {
    /// The endpoint until it stops.
    pub inner: E,
    at: Instant,
    now: Instant,
    then: Vec<f32>,
    pos: usize,
}

impl<E: LineEndpoint> Ending<E> {
    /// `inner`, stopping at `at`, followed by `then`.
    pub fn new(inner: E, at: Instant, then: Vec<f32>) -> Self {
        Ending { inner, at, now: Instant::ZERO, then, pos: 0 }
    }

    /// When it stops.
    pub fn at(&self) -> Instant {
        self.at
    }
}

impl<E: LineEndpoint> LineEndpoint for Ending<E> {
    fn process(&mut self, rx: &[f32], tx: &mut [f32]) {
        let n = rx.len().min(tx.len());
        let left = self.at.saturating_since(self.now).samples() as usize;
        let live = left.min(n);
        if live > 0 {
            self.inner.process(&rx[..live], &mut tx[..live]);
        }
        for t in &mut tx[live..n] {
            *t = if self.then.is_empty() {
                0.0
            } else {
                let v = self.then[self.pos];
                self.pos = (self.pos + 1) % self.then.len();
                v
            };
        }
        tx[n..].iter_mut().for_each(|v| *v = 0.0);
        self.now += Duration::from_samples(n as u32);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Says a ramp and remembers what it heard.
    struct Ramp {
        next: f32,
        heard: Vec<f32>,
    }

    impl LineEndpoint for Ramp {
        fn process(&mut self, rx: &[f32], tx: &mut [f32]) {
            self.heard.extend_from_slice(rx);
            for t in tx {
                *t = self.next;
                self.next += 1.0;
            }
        }
    }

    #[test]
    fn each_end_hears_the_others_previous_block() {
        let ramp = |start| Ramp { next: start, heard: vec![] };
        let mut call = BackToBack::direct(ramp(0.0), ramp(1000.0));
        call.run(Duration::from_samples(2 * BLOCK as u32 - 5));
        assert_eq!(call.now().samples(), 2 * BLOCK as u64);
        // The first step hears silence; the second the other's first block.
        assert_eq!(&call.a.heard[..BLOCK], &[0.0; BLOCK]);
        assert_eq!(call.a.heard[BLOCK], 1000.0);
        assert_eq!(call.b.heard[BLOCK + 7], 7.0);
        assert_eq!(call.a_heard()[0], 1000.0);
        assert_eq!(call.b_sent()[0], 1000.0 + BLOCK as f32);
    }

    #[test]
    fn an_ending_far_end_stops_on_the_sample() {
        let ramp = Ramp { next: 1.0, heard: vec![] };
        let mut e = Ending::new(ramp, Instant::from_samples(250), vec![-1.0, -2.0]);
        let mut out = [0.0; BLOCK];
        e.process(&[0.0; BLOCK], &mut out);
        assert_eq!(out[BLOCK - 1], BLOCK as f32);
        e.process(&[0.0; BLOCK], &mut out);
        assert_eq!(out[249 - BLOCK], 250.0);
        assert_eq!(&out[250 - BLOCK..252 - BLOCK], &[-1.0, -2.0]);
        assert_eq!(e.inner.heard.len(), 250);
    }

    #[test]
    fn run_until_stops_when_done() {
        let ramp = |start| Ramp { next: start, heard: vec![] };
        let mut call = BackToBack::direct(ramp(0.0), ramp(0.0));
        assert!(call.run_until(Duration::from_secs(1), |a, _| a.heard.len() >= 3 * BLOCK));
        assert_eq!(call.now().samples(), 3 * BLOCK as u64);
        assert!(!call.run_until(Duration::from_ms(40), |_, _| false));
    }

    /// Says a tone and keeps what it heard: samples, and the lowest and highest RMS of a block
    /// after the first second.
    struct Tone {
        nco: crate::dsp::Nco,
        samples: u64,
        blocks: u64,
        rms: (f32, f32),
    }

    impl Tone {
        fn new(freq: f32) -> Self {
            Tone { nco: crate::dsp::Nco::new(freq, 8000.0), samples: 0, blocks: 0, rms: (f32::MAX, 0.0) }
        }
    }

    impl LineEndpoint for Tone {
        fn process(&mut self, rx: &[f32], tx: &mut [f32]) {
            assert_eq!(rx.len(), tx.len());
            self.samples += rx.len() as u64;
            self.blocks += 1;
            if self.blocks > 50 {
                let rms = (rx.iter().map(|v| v * v).sum::<f32>() / rx.len() as f32).sqrt();
                self.rms = (self.rms.0.min(rms), self.rms.1.max(rms));
            }
            tx.iter_mut().for_each(|t| *t = 0.3 * self.nco.next_sin());
        }
    }

    #[test]
    fn a_clock_offset_holds_for_half_an_hour() {
        // B's clock 1000 ppm fast, then slow: after 30 minutes B has heard and said exactly the
        // samples its clock makes, nothing was made up or dropped between the clocks, and both
        // ends heard the other's tone whole all along.
        use crate::sim::line::{Impairments, Line};
        for ppm in [1000.0f32, -1000.0] {
            let line = Line::symmetric(Impairments { clock_ppm: ppm, ..Default::default() }, 1);
            let mut call = BackToBack::new(Tone::new(1000.0), Tone::new(2000.0), line);
            call.run(Duration::from_secs(30 * 60));
            let n = 30 * 60 * 8000u64;
            let want = n as f64 * (1.0 + ppm as f64 * 1e-6);
            assert_eq!(call.a.samples, n);
            assert!((call.b.samples as f64 - want).abs() < 30.0, "{ppm}: B {} samples, want {want}", call.b.samples);
            assert_eq!(call.slipped(), 0, "{ppm}");
            let full = 0.3 / 2f32.sqrt();
            for (end, (lo, hi)) in [("A", call.a.rms), ("B", call.b.rms)] {
                assert!(lo > 0.99 * full && hi < 1.01 * full, "{ppm}: {end} heard RMS {lo}..{hi}");
            }
        }
    }
}
