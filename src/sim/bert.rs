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
/// pattern); from then on it compares every bit. If more than a quarter of the last 64 bits are
/// wrong it has lost the pattern and synchronises again; those bits are not counted.
#[derive(Debug, Clone, Default)]
pub struct BerCounter {
    reg: u16,
    loaded: u8,
    /// Correct predictions so far while confirming a new synchronisation.
    confirmed: u8,
    recent: u64,
    /// Bits compared while synchronised.
    pub bits: u64,
    /// Of those, bits in error.
    pub errors: u64,
    /// Times synchronisation was (re)gained.
    pub syncs: u32,
}

/// Predictions that must come true before the counter believes it has the pattern.
const CONFIRM: u8 = 32;

impl BerCounter {
    /// A counter waiting for its first 11 bits.
    pub fn new() -> Self {
        Self::default()
    }

    /// Takes one received bit.
    pub fn push(&mut self, bit: u8) {
        let bit = bit & 1;
        if self.loaded < 11 {
            self.reg = ((self.reg << 1) | bit as u16) & 0x7FF;
            self.loaded += 1;
            self.confirmed = 0;
            return;
        }
        let want = (((self.reg >> 8) ^ (self.reg >> 10)) & 1) as u8;
        if self.confirmed < CONFIRM {
            // Still confirming: follow the received bits; one miss and load again.
            self.reg = ((self.reg << 1) | bit as u16) & 0x7FF;
            if want == bit {
                self.confirmed += 1;
                if self.confirmed == CONFIRM {
                    self.syncs += 1;
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
            // Lost: take back this window's errors and start again.
            self.errors -= self.recent.count_ones() as u64;
            self.bits -= 64.min(self.bits);
            self.loaded = 0;
            self.confirmed = 0;
            self.recent = 0;
        }
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
/// pattern's error count. For tests, benchmarks and the CLI's measurements.
pub fn v22bis_one_way(
    rx: &mut Receiver,
    carrier: f32,
    rate: Rate,
    imp: Impairments,
    symbols: usize,
    seed: u64,
) -> BerCounter {
    let mut tx = Transmitter::new(carrier, -13.0, GuardTone::None);
    let mut line = Direction::new(imp, seed);
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
        tx.process(&mut sig, &mut || prbs.next_bit());
        line.process(&sig, &mut heard);
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
        assert_eq!((c.syncs, c.bits), (0, 0));
    }
}
