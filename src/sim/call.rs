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

/// Samples in one step of a [`BackToBack`] call (20 ms).
pub const BLOCK: usize = 160;

/// Two [`LineEndpoint`]s connected through a simulated [`Line`] (or directly), run one
/// [`BLOCK`] at a time. Each step, each end hears what the other sent the step before (through the
/// line, with the echoes of its own signal) and says its next block.
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
    sent: [[f32; BLOCK]; 2],
    /// What each end heard in the last step (A, B).
    heard: [[f32; BLOCK]; 2],
    now: Instant,
}

impl<A: LineEndpoint, B: LineEndpoint> BackToBack<A, B> {
    /// `a` and `b` over `line`.
    pub fn new(a: A, b: B, line: Line) -> Self {
        BackToBack { a, b, line: Some(line), sent: [[0.0; BLOCK]; 2], heard: [[0.0; BLOCK]; 2], now: Instant::ZERO }
    }

    /// `a` and `b` wired directly: each hears exactly what the other sent.
    pub fn direct(a: A, b: B) -> Self {
        BackToBack { a, b, line: None, sent: [[0.0; BLOCK]; 2], heard: [[0.0; BLOCK]; 2], now: Instant::ZERO }
    }

    /// One step of [`BLOCK`] samples.
    pub fn step(&mut self) {
        let [a_heard, b_heard] = &mut self.heard;
        let [a_sent, b_sent] = &mut self.sent;
        match &mut self.line {
            Some(line) => line.process(a_sent, b_sent, a_heard, b_heard),
            None => {
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

    /// Time since the call began.
    pub fn now(&self) -> Instant {
        self.now
    }

    /// The line, if there is one.
    pub fn line_mut(&mut self) -> Option<&mut Line> {
        self.line.as_mut()
    }

    /// What end A heard in the last step.
    pub fn a_heard(&self) -> &[f32] {
        &self.heard[0]
    }

    /// What end B heard in the last step.
    pub fn b_heard(&self) -> &[f32] {
        &self.heard[1]
    }

    /// What end A sent in the last step.
    pub fn a_sent(&self) -> &[f32] {
        &self.sent[0]
    }

    /// What end B sent in the last step.
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
}
