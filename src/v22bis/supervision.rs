//! Is what the receiver hears in data mode still the far modem's data? The carrier of a V.22 or
//! V.22bis connection is judged by the received signal's structure, not its level alone.
//!
//! After the far modem stops, the network plays silence, line noise, dial tone, reorder, an
//! answer tone or a recorded announcement, often as loud as the modem was. A level detector
//! stays on through most of them, and the receiver's loops lock onto a steady tone so well that
//! the decision error says 40 dB. What tells data from all of them, measured on the received
//! symbols over the last few dozen (about 100 ms):
//!
//! - **Level**: most symbols 15 dB or more below the signal's running level ([`Symbol::weak`]):
//!   silence, or noise far below the signal.
//! - **Turns**: scrambled data turns the constellation by each quarter about as often as the others
//!   (the scrambler sees to it); a steady tone, or any periodic signal near the carrier, turns it by
//!   the same angle every symbol, or by a few angles in turn, so the counts go uneven.
//! - **Decision error**: noise and speech leave the equalised points spread over the decision
//!   regions, whatever the loops do: the SNR estimate over noise reads at most about 5 dB with the
//!   four points of 1200 bit/s and 12.5 dB with the sixteen of 2400 bit/s (measured), while data
//!   the receiver can still decode reads 7 dB and up at 1200 bit/s (a line at -2 dB SNR over the
//!   band) and 14 dB and up at 2400 bit/s (below that, 2400 bit/s is useless anyway, and the
//!   quality policy has fallen back to 1200 bit/s before it gets there).
//!
//! The signal is taken for data while the turns and the decision error (over the symbols that are
//! not weak) say so; the connection's carrier is *qualified* while, in addition, most symbols are
//! not weak, and it changes only after [`HOLD`] of the other verdict (a short hit is ridden
//! through).

use super::rx::Symbol;
use super::{Constellation, Rate};
use crate::time::Duration;

/// Symbols the turn and weakness counts cover (about 107 ms).
const WINDOW: usize = 64;
/// The most the turn counts of a [`WINDOW`] may depart from even, as Pearson's chi-square
/// statistic over the four turns: sum of (count - 16)^2 / 16, three degrees of freedom. Scrambled
/// data exceeds it about once in 10^7 windows (even when its characters follow a pattern, which can
/// give runs of a dozen equal turns); a steady tone (one turn) passes it about 27 symbols (45 ms)
/// after it starts, and a signal that alternates between two turns (a beat, a voice's harmonics)
/// about 24.
const MAX_CHI_SQUARE: u32 = 35;
/// Weight of each new symbol's decision error in the running mean (about 16 symbols).
const ERROR_WEIGHT: f32 = 1.0 / 16.0;
/// Lowest SNR estimate (dB) that is data at 1200 bit/s (garbage reads up to about 5).
const FLOOR_1200_DB: f32 = 6.0;
/// Lowest SNR estimate (dB) that is data at 2400 bit/s (garbage reads up to about 12.5).
const FLOOR_2400_DB: f32 = 14.0;
/// The lowest SNR estimate (dB) that is data at `rate`: below it, noise or speech could read as
/// much.
pub fn snr_floor_db(rate: Rate) -> f32 {
    match rate {
        Rate::R1200 => FLOOR_1200_DB,
        Rate::R2400 => FLOOR_2400_DB,
    }
}

/// How long the verdict must hold before the carrier's qualification changes.
pub const HOLD: Duration = Duration::from_ms(150);

/// Symbols of [`HOLD`] (600 baud).
const HOLD_VERDICT: u32 = (HOLD.samples() as u64 * 600 / crate::time::SAMPLE_RATE as u64) as u32;

/// The data-mode supervisor: fed every received symbol, it says whether the signal is data
/// ([`Supervisor::is_data`], for passing bits on) and whether the connection's carrier is
/// qualified ([`Supervisor::qualified`], for hanging up).
#[derive(Debug, Clone)]
pub struct Supervisor {
    turns: [u8; WINDOW],
    turn_counts: [u8; 4],
    pos: usize,
    /// One bit per symbol of the window: set for a weak one.
    weak: u64,
    /// Running mean of the decision error of symbols that are not weak.
    error: f32,
    is_data: bool,
    qualified: bool,
    /// Symbols in a row whose verdict differs from `qualified`.
    against: u32,
}

impl Default for Supervisor {
    fn default() -> Self {
        Supervisor::new()
    }
}

impl Supervisor {
    /// A supervisor for a connection just made: data, qualified.
    pub fn new() -> Self {
        let mut s = Supervisor {
            turns: [0; WINDOW],
            turn_counts: [0; 4],
            pos: 0,
            weak: 0,
            error: 0.0,
            is_data: true,
            qualified: true,
            against: 0,
        };
        s.restart(0.0);
        s
    }

    /// Starts afresh at a new data mode, the receiver's decision error (mean square) then being
    /// `mse`.
    pub fn restart(&mut self, mse: f32) {
        // Spread the turns evenly, as data would have them.
        for (i, t) in self.turns.iter_mut().enumerate() {
            *t = (i % 4) as u8;
        }
        self.turn_counts = [(WINDOW / 4) as u8; 4];
        self.pos = 0;
        self.weak = 0;
        self.error = if mse.is_finite() { mse } else { 0.0 };
        self.is_data = true;
        self.qualified = true;
        self.against = 0;
    }

    /// True while the symbols look like data: bits may be passed on.
    pub fn is_data(&self) -> bool {
        self.is_data
    }

    /// True while the connection's carrier is qualified (the far modem's data, with [`HOLD`] of
    /// hysteresis).
    pub fn qualified(&self) -> bool {
        self.qualified
    }

    /// The SNR estimate over the last few dozen symbols that were not weak, dB.
    pub fn snr_db(&self) -> f32 {
        10.0 * (Constellation::POWER / self.error.max(1e-6)).log10()
    }

    /// Takes one received symbol.
    pub fn hear(&mut self, s: &Symbol) {
        let old = self.turns[self.pos];
        self.turn_counts[old as usize] -= 1;
        let turn = s.turn & 3;
        self.turns[self.pos] = turn;
        self.turn_counts[turn as usize] += 1;
        self.pos = (self.pos + 1) % WINDOW;
        self.weak = (self.weak << 1) | s.weak as u64;
        if !s.weak && s.error.is_finite() {
            let e = s.error.min(4.0 * Constellation::POWER);
            self.error += ERROR_WEIGHT * (e - self.error);
        }
        let floor = snr_floor_db(s.rate);
        let expected = (WINDOW / 4) as i32;
        let spread: i32 = self.turn_counts.iter().map(|&c| (c as i32 - expected).pow(2)).sum();
        let turns_vary = (spread / expected) as u32 <= MAX_CHI_SQUARE;
        self.is_data = turns_vary && self.snr_db() >= floor;
        let verdict = self.is_data && self.weak.count_ones() < WINDOW as u32 / 2;
        self.against = if verdict == self.qualified { 0 } else { self.against + 1 };
        if self.against >= HOLD_VERDICT {
            self.qualified = verdict;
            self.against = 0;
        }
    }
}

/// Received data bits held back for [`HOLD_SYMBOLS`] symbols before they are passed on, so
/// that those heard just before the signal turned out not to be data can be dropped instead of
/// delivered: the supervisor takes about that long to see a tone or noise for what it is. Holes in
/// the bits (symbols not heard) are held in their place too.
#[derive(Debug, Clone)]
pub struct Holdback {
    bits: [u8; HOLD_BITS],
    head: usize,
    len: usize,
    /// Bits dropped and not yet handed over by [`Holdback::take_dropped`].
    doomed: [u8; HOLD_BITS],
    doomed_len: usize,
    /// Something was dropped since the last [`Holdback::take_dropped`].
    dropped_since: bool,
    dropped: u64,
}

/// Symbols of received data held back (53 ms).
pub const HOLD_SYMBOLS: usize = 32;
/// Room for them at 2400 bit/s, with one symbol and a few holes more.
const HOLD_BITS: usize = (HOLD_SYMBOLS + 2) * 4;
/// Held in place of a bit: a hole, `HOLE + k` for `k` bits not heard.
const HOLE: u8 = 2;

/// What [`Holdback`] passes on: a bit, or a hole where symbols went unheard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Held {
    /// A received bit (0 or 1).
    Bit(u8),
    /// Symbols were not heard here: about this many bits.
    Hole(u32),
}

impl Default for Holdback {
    fn default() -> Self {
        Holdback {
            bits: [0; HOLD_BITS],
            head: 0,
            len: 0,
            doomed: [0; HOLD_BITS],
            doomed_len: 0,
            dropped_since: false,
            dropped: 0,
        }
    }
}

impl Holdback {
    /// Takes a symbol's `n` bits (`bits[..n]`, first in time first); passes on, oldest first, those
    /// held for longer than [`HOLD_SYMBOLS`] symbols of `n` bits.
    pub fn push(&mut self, bits: &[u8], mut pass: impl FnMut(Held)) {
        let n = bits.len().min(4);
        for &b in &bits[..n] {
            self.put(b & 1, &mut pass);
        }
        while self.len > HOLD_SYMBOLS * n {
            pass(self.pop());
        }
    }

    /// Marks a hole of `bits` unheard bits after the bits held so far (a hole right after another
    /// makes it longer).
    pub fn push_hole(&mut self, bits: u32, mut pass: impl FnMut(Held)) {
        let mut bits = bits.min(1 << 12);
        if self.len > 0 {
            let last = (self.head + self.len - 1) % HOLD_BITS;
            if self.bits[last] >= HOLE {
                let k = bits.min((u8::MAX - self.bits[last]) as u32);
                self.bits[last] += k as u8;
                bits -= k;
                if bits == 0 {
                    return;
                }
            }
        }
        loop {
            let k = bits.min((u8::MAX - HOLE) as u32);
            self.put(HOLE + k as u8, &mut pass);
            bits -= k;
            if bits == 0 {
                break;
            }
        }
    }

    fn put(&mut self, b: u8, pass: &mut impl FnMut(Held)) {
        if self.len == HOLD_BITS {
            pass(self.pop());
        }
        self.bits[(self.head + self.len) % HOLD_BITS] = b;
        self.len += 1;
    }

    fn pop(&mut self) -> Held {
        let b = self.bits[self.head];
        self.head = (self.head + 1) % HOLD_BITS;
        self.len -= 1;
        if b >= HOLE {
            Held::Hole((b - HOLE) as u32)
        } else {
            Held::Bit(b)
        }
    }

    /// Drops what is held (counted in [`Holdback::dropped`]); [`Holdback::take_dropped`] hands the
    /// dropped bits over if `hand_over` (they were data, such as the last before a retrain), or
    /// only says there were some (they were not: noise, a tone, the far modem gone).
    pub fn drop_all(&mut self, hand_over: bool) {
        let had = self.len > 0;
        while self.len > 0 {
            let b = self.bits[self.head];
            self.head = (self.head + 1) % HOLD_BITS;
            self.len -= 1;
            if b < HOLE {
                self.dropped += 1;
                if hand_over && self.doomed_len < HOLD_BITS {
                    self.doomed[self.doomed_len] = b;
                    self.doomed_len += 1;
                }
            }
        }
        self.head = 0;
        self.dropped_since |= had;
    }

    /// Drops the newest `bits` bits held (counted in [`Holdback::dropped`], not handed over): the
    /// far modem's signal turned that many bits ago, and what came before was its data, which
    /// [`Holdback::flush`] can pass on.
    pub fn discard_newest(&mut self, bits: usize) {
        let mut bits = bits;
        while bits > 0 && self.len > 0 {
            let last = (self.head + self.len - 1) % HOLD_BITS;
            if self.bits[last] < HOLE {
                self.dropped += 1;
                self.dropped_since = true;
                bits -= 1;
            }
            self.len -= 1;
        }
    }

    /// Passes on everything held, oldest first.
    pub fn flush(&mut self, mut pass: impl FnMut(Held)) {
        while self.len > 0 {
            pass(self.pop());
        }
    }

    /// Hands over the bits dropped (to be handed over) since the last call, oldest first; true if
    /// anything was dropped since then.
    pub fn take_dropped(&mut self, mut f: impl FnMut(u8)) -> bool {
        let n = core::mem::take(&mut self.doomed_len);
        self.doomed[..n].iter().for_each(|&b| f(b));
        core::mem::take(&mut self.dropped_since)
    }

    /// Bits and holes held now.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when nothing is held.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Bits dropped so far.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dsp::Complex;

    fn symbol(turn: u8, error: f32, weak: bool, rate: Rate) -> Symbol {
        Symbol {
            point: Complex::ZERO,
            raw: Complex::ZERO,
            change: turn,
            turn,
            b12: (0, 0),
            b34: (0, 0),
            error,
            rate,
            weak,
        }
    }

    #[test]
    fn holdback_delays_by_its_length_and_drops_on_request() {
        let mut h = Holdback::default();
        let mut out = vec![];
        for i in 0..HOLD_SYMBOLS + 3 {
            let b = (i % 2) as u8;
            h.push(&[b, b, 1 - b, 1], |x| out.push(x));
        }
        let bits = |v: &[u8]| v.iter().map(|&b| Held::Bit(b)).collect::<Vec<_>>();
        assert_eq!(out, bits(&[0, 0, 1, 1, 1, 1, 0, 1, 0, 0, 1, 1]));
        assert_eq!(h.len(), HOLD_SYMBOLS * 4);
        h.drop_all(true);
        assert_eq!((h.len(), h.dropped()), (0, HOLD_SYMBOLS as u64 * 4));
        // The dropped bits are handed over once, oldest first.
        let mut dropped = vec![];
        assert!(h.take_dropped(|b| dropped.push(b)));
        assert_eq!(dropped.len(), HOLD_SYMBOLS * 4);
        assert_eq!(dropped[..4], [1, 1, 0, 1]);
        assert!(!h.take_dropped(|_| panic!("handed over twice")));
        // Bits that were not data are dropped without being handed over.
        h.push(&[0, 0, 0, 0], |_| {});
        h.drop_all(false);
        assert!(h.take_dropped(|_| panic!("not data, handed over")));
        // At 1200 bit/s it holds as many symbols, of two bits.
        h.push(&[1, 0], |_| panic!("passed too early"));
        assert_eq!(h.len(), 2);
    }

    #[test]
    fn what_came_before_the_turn_is_released() {
        let mut h = Holdback::default();
        for _ in 0..10 {
            h.push(&[0, 1, 0, 1], |_| panic!("passed too early"));
        }
        for _ in 0..5 {
            h.push(&[1, 1, 1, 1], |_| panic!("passed too early"));
        }
        h.discard_newest(5 * 4);
        assert_eq!(h.dropped(), 20);
        let mut out = vec![];
        h.flush(|x| out.push(x));
        assert_eq!(out.len(), 40);
        assert!(out.chunks(2).all(|c| c == [Held::Bit(0), Held::Bit(1)]));
        assert!(h.is_empty());
        assert!(h.take_dropped(|_| panic!("not handed over")));
    }

    #[test]
    fn a_hole_comes_out_where_it_went_in() {
        let mut h = Holdback::default();
        let mut out = vec![];
        h.push(&[0, 1], |x| out.push(x));
        h.push_hole(4, |x| out.push(x));
        h.push_hole(300, |x| out.push(x));
        for _ in 0..HOLD_SYMBOLS + 2 {
            h.push(&[1, 1], |x| out.push(x));
        }
        // Holes in a row make one (or a few, when too long for one mark).
        assert_eq!(out[..5], [Held::Bit(0), Held::Bit(1), Held::Hole(253), Held::Hole(51), Held::Bit(1)]);
        // A hole is not a dropped bit.
        h.push_hole(8, |_| {});
        h.drop_all(true);
        assert_eq!(h.dropped(), h.dropped() / 2 * 2);
        let mut n = 0;
        h.take_dropped(|b| {
            assert!(b <= 1);
            n += 1
        });
        assert_eq!(n as u64, h.dropped());
    }

    #[test]
    fn data_stays_qualified() {
        let mut s = Supervisor::new();
        s.restart(0.05);
        let mut x = 12345u32;
        for _ in 0..10_000 {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            s.hear(&symbol((x >> 16) as u8 & 3, 0.05, false, Rate::R2400));
            assert!(s.is_data() && s.qualified());
        }
    }

    #[test]
    fn a_steady_turn_is_not_data() {
        let mut s = Supervisor::new();
        s.restart(0.01);
        let mut unqualified_at = None;
        for i in 0..200u32 {
            s.hear(&symbol(1, 0.0, false, Rate::R2400));
            if i < 10 {
                assert!(s.is_data(), "{i}");
            }
            if !s.qualified() && unqualified_at.is_none() {
                unqualified_at = Some(i);
            }
        }
        assert!(!s.is_data());
        let at = unqualified_at.expect("still qualified");
        assert!((HOLD_VERDICT..HOLD_VERDICT + 40).contains(&at), "{at}");
    }

    #[test]
    fn noise_is_not_data_at_either_rate() {
        for (rate, mse) in [(Rate::R1200, 10.0 / 10f32.powf(0.5)), (Rate::R2400, 10.0 / 10f32.powf(1.25))] {
            let mut s = Supervisor::new();
            s.restart(0.05);
            for i in 0..200u32 {
                s.hear(&symbol((i * 7 % 13) as u8 & 3, mse, false, rate));
            }
            assert!(!s.is_data() && !s.qualified(), "{rate:?}");
        }
    }

    #[test]
    fn silence_is_no_carrier_but_a_short_hit_is_ridden_through() {
        let mut s = Supervisor::new();
        s.restart(0.05);
        // 100 ms of weak symbols, then data again.
        for i in 0..60u32 {
            s.hear(&symbol(i as u8 & 3, 10.0, true, Rate::R2400));
        }
        for i in 0..60u32 {
            s.hear(&symbol(i as u8 & 3, 0.05, false, Rate::R2400));
        }
        assert!(s.qualified() && s.is_data());
        for i in 0..200u32 {
            s.hear(&symbol(i as u8 & 3, 10.0, true, Rate::R2400));
        }
        assert!(!s.qualified());
    }
}
