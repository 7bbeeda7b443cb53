//! A byte link between two transfer ends ([`crate::transfer::Transfer`]): each direction carries
//! so many characters per second, after a delay, and damages octets at set rates (changed,
//! dropped, inserted), from a seed. A fault injector for the file transfer protocols, as the line
//! simulator is one for the modems.

use std::collections::VecDeque;

use super::rng::Rng;
use crate::time::{Duration, Instant};
use crate::transfer::{Outcome, Transfer};

/// What one direction of the link does to the octets.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Faults {
    /// Probability that an octet arrives changed (a random bit pattern XORed in).
    pub change: f64,
    /// Probability that an octet is lost.
    pub drop: f64,
    /// Probability that a random octet is inserted before an octet.
    pub insert: f64,
}

impl Faults {
    /// A clean link.
    pub const NONE: Faults = Faults { change: 0.0, drop: 0.0, insert: 0.0 };

    /// Each kind of damage at `rate` (so about three times `rate` of the octets are hit).
    pub fn all(rate: f64) -> Faults {
        Faults { change: rate, drop: rate, insert: rate }
    }
}

/// The link's set-up.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ByteLinkConfig {
    /// Characters per second each way (a 2400 bit/s modem link carries 240).
    pub chars_per_second: u32,
    /// Time from sending an octet to its arrival (the modems' and the line's delay).
    pub delay: Duration,
    /// Damage from end A to end B.
    pub a_to_b: Faults,
    /// Damage from end B to end A.
    pub b_to_a: Faults,
    /// The seed of the damage.
    pub seed: u64,
}

/// How a run ended.
#[derive(Debug, Clone, PartialEq)]
pub struct LinkRun {
    /// End A's outcome (None if it had not ended by the limit).
    pub a: Option<Outcome>,
    /// End B's outcome.
    pub b: Option<Outcome>,
    /// Time from the start until both had ended (or the limit).
    pub elapsed: Duration,
    /// Octets A sent and B sent.
    pub sent: [u64; 2],
}

/// Damage as [`Faults`] says, from a seed: usable on any byte stream (a pipe to another
/// program, say).
pub struct Damage {
    rng: Rng,
    faults: Faults,
}

impl Damage {
    /// Damage by `faults`, from `seed`.
    pub fn new(faults: Faults, seed: u64) -> Damage {
        Damage { rng: Rng::new(seed), faults }
    }

    fn chance(&mut self, p: f64) -> bool {
        p > 0.0 && (self.rng.next_u32() as f64) < p * 4_294_967_296.0
    }

    /// Passes `octets` through, damaged, calling `out` for each octet that arrives.
    pub fn apply(&mut self, octets: &[u8], mut out: impl FnMut(u8)) {
        for &b in octets {
            if self.chance(self.faults.insert) {
                out(self.rng.next_u32() as u8);
            }
            if self.chance(self.faults.drop) {
                continue;
            }
            out(if self.chance(self.faults.change) { b ^ (self.rng.below(255) as u8 + 1) } else { b });
        }
    }

    /// Damages `octets` in place.
    pub fn apply_vec(&mut self, octets: &mut Vec<u8>) {
        let input = core::mem::take(octets);
        self.apply(&input, |b| octets.push(b));
    }
}

/// One direction: octets in flight with the time they arrive.
struct Direction {
    damage: Damage,
    in_flight: VecDeque<(Instant, u8)>,
    sent: u64,
}

impl Direction {
    fn send(&mut self, at: Instant, octets: &[u8]) {
        self.sent += octets.len() as u64;
        let Direction { damage, in_flight, .. } = self;
        damage.apply(octets, |b| in_flight.push_back((at, b)));
    }

    fn arrived(&mut self, now: Instant, out: &mut Vec<u8>) {
        out.clear();
        while let Some(&(t, b)) = self.in_flight.front() {
            if t > now {
                break;
            }
            out.push(b);
            self.in_flight.pop_front();
        }
    }
}

/// Runs `a` and `b` against each other over the link until both have ended or `limit` passes, in
/// steps of 10 ms of simulated time.
pub fn run(a: &mut dyn Transfer, b: &mut dyn Transfer, config: ByteLinkConfig, limit: Duration) -> LinkRun {
    let step = Duration::from_ms(10);
    let per_step = (config.chars_per_second as usize).div_ceil(100).max(1);
    let mut steps = 0u64;
    let mut rng = Rng::new(config.seed);
    let mut dirs = [
        Direction { damage: Damage::new(config.a_to_b, rng.next_u32() as u64), in_flight: VecDeque::new(), sent: 0 },
        Direction { damage: Damage::new(config.b_to_a, rng.next_u32() as u64 + 1), in_flight: VecDeque::new(), sent: 0 },
    ];
    let mut buf = vec![0u8; per_step];
    let mut arrived = Vec::new();
    let mut now = Instant::ZERO;
    while now - Instant::ZERO < limit && (a.outcome().is_none() || b.outcome().is_none()) {
        for i in 0..2 {
            let end: &mut dyn Transfer = if i == 0 { &mut *a } else { &mut *b };
            dirs[1 - i].arrived(now, &mut arrived);
            if !arrived.is_empty() {
                end.receive(now, &arrived);
            }
            // The line's pace exactly: the characters due by the end of this step, less those due before.
            let cps = config.chars_per_second as u64;
            let allowed = ((steps + 1) * cps / 100 - steps * cps / 100) as usize;
            let n = end.transmit(now, &mut buf[..allowed]);
            dirs[i].send(now + config.delay, &buf[..n]);
        }
        now += step;
        steps += 1;
    }
    LinkRun { a: a.outcome().cloned(), b: b.outcome().cloned(), elapsed: now - Instant::ZERO, sent: [dirs[0].sent, dirs[1].sent] }
}
