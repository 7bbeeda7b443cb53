//! Bit error rate testing with the ITU-T O.152 pseudo-random test pattern (2^11 - 1), and a
//! measurement of one direction of a V.22/V.22bis link with it.

use crate::bits::BitSink;
use crate::sim::line::{Direction, Impairments};
use crate::types::LineEndpoint;
use crate::v22bis::pump::{Config as PumpConfig, Pump};
use crate::v22bis::rx::Receiver;
use crate::v22bis::tx::{Signal, Transmitter};
use crate::v22bis::{Descrambler, GuardTone, Rate, BAUD};

/// The 2047-bit pseudo-random pattern of ITU-T O.152: an 11-stage shift register with feedback
/// from stages 9 and 11 (x^11 + x^9 + 1).
#[derive(Debug, Clone)]
pub struct Prbs {
    reg: u16,
}

impl Default for Prbs {
    fn default() -> Self {
        Prbs { reg: 0x7FF }
    }
}

impl Prbs {
    /// A generator starting from the all-ones state.
    pub fn new() -> Self {
        Self::default()
    }

    /// The next bit of the pattern.
    #[inline]
    pub fn next_bit(&mut self) -> u8 {
        let b = (((self.reg >> 8) ^ (self.reg >> 10)) & 1) as u8;
        self.reg = ((self.reg << 1) | b as u16) & 0x7FF;
        b
    }
}

/// Counts bit errors in a received O.152 pattern.
///
/// It synchronises by loading 11 received bits into its own generator and confirming that the
/// next 32 bits are what the generator predicts (so idle ones or noise never pass for the
/// pattern, nor do the zeros of a silent line); from then on it compares every bit. If more than
/// a quarter of the last 64 bits are wrong it has lost the pattern and synchronises again.
///
/// The count is honest about losses. Once the pattern has been found, every bit that arrives is
/// counted. While the counter hunts for the pattern again it keeps its generator running as well;
/// if it finds the pattern where that generator says it should be (a burst of errors, not a
/// slip), the bits in between are compared with it after all and only their wrong ones are errors.
/// If it finds the pattern somewhere else (bits were dropped or inserted: a dropout, a retrain, a
/// slipped bit), the pattern was lost: every bit received while finding it again counts as an
/// error, since the counter cannot tell those right from wrong, and [`BerCounter::lost`] says how
/// many of the errors these were. Bits that never arrived cannot be counted by a counter that
/// sees only the bits that came: [`BerCounter::losses`] says how often that happened. Bits before
/// the first synchronisation (training, idle) are not counted at all.
#[derive(Debug, Clone, Default)]
pub struct BerCounter {
    reg: u16,
    loaded: u8,
    /// Correct predictions so far while confirming a new synchronisation.
    confirmed: u8,
    recent: u64,
    /// While hunting after a loss: the generator running on from where the pattern was, the bits
    /// received since, and how many of them it did not predict.
    flywheel: u16,
    hunted: u64,
    hunted_wrong: u64,
    /// Bits counted: compared with the pattern, or received while finding it again.
    pub bits: u64,
    /// Of those, bits in error: wrong when compared, and every bit received while finding the
    /// pattern again after it was lost.
    pub errors: u64,
    /// Of the errors, bits received while finding the pattern again after it was lost (while the
    /// counter hunts, every bit it has taken since the loss counts here until it knows better).
    pub lost: u64,
    /// Times synchronisation was gained: the first time, and again after each loss.
    pub syncs: u32,
}

/// Predictions that must come true before the counter believes it has the pattern.
const CONFIRM: u8 = 32;

/// The pattern's next bit after the 11 in `reg`.
fn predict(reg: u16) -> u8 {
    (((reg >> 8) ^ (reg >> 10)) & 1) as u8
}

impl BerCounter {
    /// A counter waiting for its first 11 bits.
    pub fn new() -> Self {
        Self::default()
    }

    /// Takes one received bit.
    pub fn push(&mut self, bit: u8) {
        let bit = bit & 1;
        let hunting = self.loaded < 11 || self.confirmed < CONFIRM;
        if hunting && self.syncs > 0 {
            // Counted as lost until the pattern is found again (and found where it was, or not).
            let want = predict(self.flywheel);
            self.flywheel = ((self.flywheel << 1) | want as u16) & 0x7FF;
            self.hunted += 1;
            self.hunted_wrong += (want != bit) as u64;
            self.bits += 1;
            self.errors += 1;
            self.lost += 1;
        }
        if self.loaded < 11 {
            self.reg = ((self.reg << 1) | bit as u16) & 0x7FF;
            self.loaded += 1;
            self.confirmed = 0;
            return;
        }
        let want = predict(self.reg);
        if self.confirmed < CONFIRM {
            // Still confirming: follow the received bits; one miss and load again. Eleven zeros
            // in a row (a silent line) predict zeros for ever, but the pattern never has them.
            self.reg = ((self.reg << 1) | bit as u16) & 0x7FF;
            if want == bit && self.reg != 0 {
                self.confirmed += 1;
                if self.confirmed == CONFIRM {
                    if self.syncs > 0 && self.reg == self.flywheel {
                        // Found where it was: a burst of errors, not a loss. The bits since were
                        // compared with the pattern after all.
                        self.errors -= self.hunted - self.hunted_wrong;
                        self.lost -= self.hunted;
                    } else {
                        self.syncs += 1;
                    }
                    self.hunted = 0;
                    self.hunted_wrong = 0;
                    self.recent = 0;
                }
            } else {
                self.loaded = 11;
                self.confirmed = 0;
            }
            return;
        }
        self.reg = ((self.reg << 1) | want as u16) & 0x7FF;
        let wrong = (want != bit) as u64;
        self.recent = (self.recent << 1) | wrong;
        self.bits += 1;
        self.errors += wrong;
        if self.recent.count_ones() > 16 {
            // Out of step, or a burst of errors: find the pattern again (the errors that showed it
            // stay counted), keeping the generator running to tell which.
            self.flywheel = self.reg;
            self.loaded = 0;
            self.confirmed = 0;
            self.recent = 0;
        }
    }

    /// Bits compared with the pattern while it was synchronised (bits less those lost).
    pub fn compared(&self) -> u64 {
        self.bits - self.lost
    }

    /// Times the pattern was lost after it had been found (not counting bursts of errors after
    /// which it was found where it was).
    pub fn losses(&self) -> u32 {
        self.syncs.saturating_sub(1)
    }

    /// The bit error rate so far (0 when nothing was compared).
    pub fn ber(&self) -> f64 {
        if self.bits == 0 {
            0.0
        } else {
            self.errors as f64 / self.bits as f64
        }
    }
}

/// Measures one direction of a V.22/V.22bis link: a transmitter on `carrier` sends 400 symbols of
/// scrambled ones at 1200 bit/s (as the start-up trains) and then `symbols` symbols of the O.152
/// test pattern at `rate`, through a line with `imp` (seeded by `seed`); `rx` receives them,
/// trained as the start-up does it (acquire, track at 1200, follow the far end to 2400). Returns the
/// pattern's error count. A clock offset holds however many symbols are sent. For tests,
/// benchmarks and the CLI's measurements.
pub fn v22bis_one_way(
    rx: &mut Receiver,
    carrier: f32,
    rate: Rate,
    imp: Impairments,
    symbols: usize,
    seed: u64,
) -> BerCounter {
    one_way(rx, carrier, rate, Way::Line(Box::new(Direction::new(imp, seed))), symbols, &mut |_| {})
}

/// As [`v22bis_one_way`], through `channel` (what goes in, what comes out, the same length: a
/// speech codec, say) instead of the line simulator; `watch` sees the receiver after each 20 ms
/// block (to follow its quality figures through the run).
pub fn v22bis_one_way_through(
    rx: &mut Receiver,
    carrier: f32,
    rate: Rate,
    channel: &mut dyn FnMut(&[f32], &mut [f32]),
    symbols: usize,
    watch: &mut dyn FnMut(&Receiver),
) -> BerCounter {
    one_way(rx, carrier, rate, Way::Through(channel), symbols, watch)
}

/// The line of a one-way measurement.
enum Way<'a> {
    /// The line simulator (its clock offset makes the transmitter's blocks longer or shorter).
    Line(Box<Direction>),
    /// Any channel that keeps the length.
    Through(&'a mut dyn FnMut(&[f32], &mut [f32])),
}

fn one_way(
    rx: &mut Receiver,
    carrier: f32,
    rate: Rate,
    mut way: Way,
    symbols: usize,
    watch: &mut dyn FnMut(&Receiver),
) -> BerCounter {
    let mut tx = Transmitter::new(carrier, -13.0, GuardTone::None);
    let mut prbs = Prbs::new();
    let train = 400;
    let n = ((train + symbols) as f32 * crate::dsp::SAMPLE_RATE as f32 / BAUD) as usize;
    tx.set_signal(Signal::ScrambledOnes(Rate::R1200));
    let mut d = Descrambler::new();
    let mut ber = BerCounter::new();
    let (mut sig, mut heard) = (vec![0.0; 160], vec![0.0; 160]);
    let mut watching = false;
    let mut done = 0;
    while done < n {
        if tx.symbols_sent() >= train as u64 {
            tx.set_signal(Signal::Data(rate));
        }
        // The transmitter makes what its clock makes in the time of the block heard.
        let needed = match &way {
            Way::Line(line) => line.input_needed(heard.len()),
            Way::Through(_) => heard.len(),
        };
        sig.resize(needed, 0.0);
        tx.process(&mut sig, &mut || prbs.next_bit());
        match &mut way {
            Way::Line(line) => line.process_clocked(&sig, &[], &mut heard),
            Way::Through(channel) => channel(&sig, &mut heard),
        }
        rx.process(&heard, |s| {
            let bits = [s.b12.0, s.b12.1, s.b34.0, s.b34.1];
            for &b in &bits[..s.rate.bits_per_symbol()] {
                ber.push(d.descramble(b));
            }
        });
        if rx.rate().is_none() && rx.symbols() > 150 {
            rx.set_rate(Rate::R1200);
        } else if rx.rate() == Some(Rate::R1200) && rx.symbols() > 300 && rate == Rate::R2400 && !watching {
            rx.watch_for_2400();
            watching = true;
        }
        watch(rx);
        done += 160;
    }
    ber
}

/// A V.22/V.22bis data pump whose data is the O.152 pattern: it sends the pattern and checks what
/// it receives against it (once [`PatternPump::counting`]). The data end of BER measurements.
#[derive(Debug, Clone)]
pub struct PatternPump {
    /// The pump.
    pub pump: Pump,
    pattern: Prbs,
    /// What was received, checked against the pattern.
    pub received: BerCounter,
    /// Check what is received (true from the start).
    pub counting: bool,
}

impl PatternPump {
    /// A pump set up by `config`, sending the pattern.
    pub fn new(config: PumpConfig) -> Self {
        PatternPump { pump: Pump::new(config), pattern: Prbs::new(), received: BerCounter::new(), counting: true }
    }
}

/// Pushes received bits into the counter while counting.
struct Checking<'a>(&'a mut BerCounter, bool);

impl BitSink for Checking<'_> {
    fn put_bit(&mut self, bit: u8, _soft: f32) {
        if self.1 {
            self.0.push(bit);
        }
    }
}

impl LineEndpoint for PatternPump {
    fn process(&mut self, rx: &[f32], tx: &mut [f32]) {
        let PatternPump { pump, pattern, received, counting } = self;
        pump.process(rx, tx, &mut || pattern.next_bit(), &mut Checking(received, *counting));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::rng::Rng;

    #[test]
    fn pattern_has_period_2047_with_1024_ones() {
        let mut p = Prbs::new();
        let first: Vec<u8> = (0..2047).map(|_| p.next_bit()).collect();
        let second: Vec<u8> = (0..2047).map(|_| p.next_bit()).collect();
        assert_eq!(first, second);
        assert_eq!(first.iter().filter(|&&b| b == 1).count(), 1024);
        assert_ne!(&first[..1000], &first[1..1001]);
    }

    #[test]
    fn counts_injected_errors() {
        let mut p = Prbs::new();
        let mut c = BerCounter::new();
        let mut r = Rng::new(3);
        // Join mid-pattern, with a few garbage bits first.
        for _ in 0..5 {
            c.push(1);
        }
        for _ in 0..500 {
            p.next_bit();
        }
        let mut injected = 0;
        for i in 0..100_000 {
            let mut b = p.next_bit();
            if i > 100 && r.below(1000) == 0 {
                b ^= 1;
                injected += 1;
            }
            c.push(b);
        }
        assert!(c.syncs >= 1);
        assert_eq!(c.errors, injected);
        assert!(c.bits > 99_000);
    }

    #[test]
    fn random_bits_and_idle_ones_are_not_a_pattern() {
        let mut c = BerCounter::new();
        let mut r = Rng::new(4);
        for _ in 0..10_000 {
            c.push((r.next_u32() & 1) as u8);
        }
        for _ in 0..10_000 {
            c.push(1);
        }
        for _ in 0..10_000 {
            c.push(0);
        }
        assert_eq!((c.syncs, c.bits), (0, 0));
    }

    /// The pattern from a generator that has already given `skip` bits.
    fn pattern_from(skip: usize) -> Prbs {
        let mut p = Prbs::new();
        for _ in 0..skip {
            p.next_bit();
        }
        p
    }

    #[test]
    fn bits_lost_in_a_dropout_count_as_errors() {
        // 5000 good bits, 300 bits of silence (zeros), then the pattern again from elsewhere: the
        // counter loses it and finds it again, and what came while it did counts as errors.
        let mut p = pattern_from(0);
        let mut c = BerCounter::new();
        for _ in 0..5000 {
            c.push(p.next_bit());
        }
        assert_eq!((c.bits, c.errors, c.lost, c.syncs), (5000 - 43, 0, 0, 1));
        for _ in 0..300 {
            c.push(0);
        }
        let mut q = pattern_from(777);
        for _ in 0..5000 {
            c.push(q.next_bit());
        }
        assert_eq!((c.syncs, c.losses()), (2, 1));
        // Lost: the zeros after the loss was noticed, and the 43 bits that found the pattern again.
        assert!(c.lost >= 43 && c.lost <= 300 + 43, "{c:?}");
        assert!(c.errors >= c.lost + 17, "the errors that showed the loss stay counted: {c:?}");
        assert_eq!(c.bits, 5000 - 43 + 300 + 5000, "every bit after the first synchronisation: {c:?}");
        assert_eq!(c.compared(), c.bits - c.lost);
        assert!(c.ber() > 0.02, "{}", c.ber());
    }

    #[test]
    fn a_burst_of_errors_is_counted_bit_by_bit_and_is_no_loss() {
        // 200 bits inverted: the counter loses the pattern, finds it again where it was, and the
        // 200 wrong bits are exactly its errors.
        let mut p = pattern_from(0);
        let mut c = BerCounter::new();
        for i in 0..20_000 {
            let b = p.next_bit();
            c.push(if (10_000..10_200).contains(&i) { b ^ 1 } else { b });
        }
        assert_eq!((c.errors, c.lost, c.syncs, c.losses()), (200, 0, 1, 0), "{c:?}");
        assert_eq!(c.bits, 20_000 - 43);
        // Random bits in place of 300 of the pattern: about half of them wrong, no loss.
        let mut p = pattern_from(0);
        let mut c = BerCounter::new();
        let mut r = Rng::new(5);
        let mut wrong = 0;
        for i in 0..20_000 {
            let mut b = p.next_bit();
            if (10_000..10_300).contains(&i) {
                let x = (r.next_u32() & 1) as u8;
                wrong += (x != b) as u64;
                b = x;
            }
            c.push(b);
        }
        assert_eq!((c.errors, c.lost, c.losses()), (wrong, 0, 0), "{c:?}");
    }

    #[test]
    fn a_slipped_bit_costs_the_bits_until_the_pattern_is_found_again() {
        let mut p = pattern_from(0);
        let mut c = BerCounter::new();
        for i in 0..20_000 {
            let b = p.next_bit();
            if i != 10_000 {
                c.push(b);
            }
        }
        assert_eq!(c.losses(), 1);
        assert!(c.lost >= 43 && c.errors > c.lost, "{c:?}");
        assert_eq!(c.bits, 20_000 - 1 - 43);
    }
}
