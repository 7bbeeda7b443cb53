//! V.22/V.22bis transmitter.

use super::{Constellation, GuardTone, Rate, Scrambler, BAUD, ROLL_OFF};
use crate::bits::BitSource;
use crate::dsp::fir::root_raised_cosine;
use crate::dsp::{dbm0_to_power, Complex, Nco, SAMPLE_RATE};

/// What the transmitter sends, in the standards' names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    /// Nothing.
    Silence,
    /// Unscrambled binary 1 at 1200 bit/s (the answering modem's first signal).
    UnscrambledOnes,
    /// S1: unscrambled double dibits 00 and 11 at 1200 bit/s (announces V.22bis, asks for a retrain).
    S1,
    /// Scrambled binary 1 at the given rate.
    ScrambledOnes(Rate),
    /// Data from the bit source, scrambled, at the given rate.
    Data(Rate),
}

/// Half-length of the transmit pulse in symbols.
const SPAN: usize = 7;
/// Pulse samples per symbol in the table: 8000 / 600 = 40 / 3, so 40 phases repeat every 3 symbols.
const PHASES: usize = 40;
/// Floats per row of the transmit table: a complex weight for each symbol in reach.
const ROW: usize = 2 * (2 * SPAN + 1);

/// A V.22/V.22bis modulator for one channel.
///
/// Symbols are shaped by a root-raised-cosine pulse (75 % roll-off; the receiver has the other
/// half) evaluated exactly at each output sample, so the 13 1/3 samples per symbol cost nothing
/// in accuracy, then put on the carrier. [`Transmitter::set_signal`] changes what is sent from the
/// next symbol on; the scrambler and the differential quadrant carry on across changes.
///
/// 40 samples are exactly 3 symbols and a whole number of cycles of either carrier (1200 and
/// 2400 Hz are multiples of 200 Hz), so sample n of every 40 always meets the same pulse phase and
/// the same carrier phase: a table holds, for each of the 40, the pulse times the carrier for each
/// of the 17 symbols in reach, and a sample costs one 34-term dot product and no trigonometry.
#[derive(Debug, Clone)]
pub struct Transmitter {
    signal: Signal,
    guard: Option<(Nco, f32)>,
    scrambler: Scrambler,
    quadrant: u8,
    /// S1 alternates its dibits.
    s1_phase: bool,
    /// Recent symbols, newest first.
    symbols: [Complex; 2 * SPAN + 1],
    /// Row n (of 40): for each symbol i, (scale g cos, -scale g sin) at sample n of the cycle.
    table: Vec<f32>,
    /// Sample within the 40-sample cycle.
    n: usize,
    /// Time since the newest symbol, in 40ths of a symbol.
    tq: usize,
    symbols_sent: u64,
}

impl Transmitter {
    /// A transmitter on `carrier_hz` (1200 calling, 2400 answering; it must be a multiple of
    /// 200 Hz) sending at `level_dbm0` in total, with an optional guard tone (whose power comes
    /// out of that total), starting silent.
    pub fn new(carrier_hz: f32, level_dbm0: f32, guard: GuardTone) -> Self {
        debug_assert!(carrier_hz % 200.0 == 0.0, "the carrier must repeat every 40 samples");
        let fs = SAMPLE_RATE as f32;
        let pulse: Vec<f32> = (0..(2 * SPAN + 1) * PHASES)
            .map(|m| {
                let t = m as f32 / PHASES as f32 - SPAN as f32;
                // A Blackman window keeps the truncated pulse's spectrum clean.
                let x = core::f32::consts::PI * t / (SPAN as f32 + 0.5);
                let w = 0.42 + 0.5 * x.cos() + 0.08 * (2.0 * x).cos();
                root_raised_cosine(t, ROLL_OFF) * w
            })
            .collect();
        // Mean |y|^2 per unit symbol power, over all sample phases (3 and 40 are coprime).
        let energy: f32 = pulse.iter().map(|g| g * g).sum::<f32>() / PHASES as f32;
        let total = dbm0_to_power(level_dbm0);
        let (data_power, guard) = match guard.tone() {
            None => (total, None),
            Some((f, rel_db)) => {
                let rel = 10f32.powf(rel_db / 10.0);
                let data = total / (1.0 + rel);
                (data, Some((Nco::new(f, fs), (2.0 * data * rel).sqrt())))
            }
        };
        // Passband power is |y|^2 / 2.
        let scale = (2.0 * data_power / (Constellation::POWER * energy)).sqrt();
        // Sample n of the cycle comes after the symbol clock has moved 3 (n + 1) fortieths. The
        // carrier is read on the same clock, so it is at phase zero at the centre of every
        // symbol: the line signal is Re{sum a_k g(t - kT) e^(j w t)} with one time origin. (V.22bis
        // relates the two no more than their separate tolerances do, and a receiver should take
        // any phase between them, but one does not: with the carrier one sample, 54 degrees at
        // 1200 Hz, behind, slmodemd's V.22bis answerer lost about 1 bit in 1000 at some symbol
        // timing phases; see README, "Against slmodemd".)
        let mut table = vec![0.0f32; PHASES * ROW];
        let step = carrier_hz as f64 / fs as f64;
        for n in 0..PHASES {
            let tq = (3 * (n + 1)) % PHASES;
            let ph = core::f64::consts::TAU * ((n + 1) as f64 * step).fract();
            let (c, sn) = (ph.cos() as f32, ph.sin() as f32);
            for i in 0..2 * SPAN + 1 {
                // Symbol i has its peak SPAN symbols after it started; it is i symbols old.
                let h = scale * pulse[tq + PHASES * i];
                table[n * ROW + 2 * i] = h * c;
                table[n * ROW + 2 * i + 1] = -h * sn;
            }
        }
        Transmitter {
            signal: Signal::Silence,
            guard,
            scrambler: Scrambler::new(),
            quadrant: 0,
            s1_phase: false,
            symbols: [Complex::ZERO; 2 * SPAN + 1],
            table,
            n: 0,
            tq: 0,
            symbols_sent: 0,
        }
    }

    /// What is being sent.
    pub fn signal(&self) -> Signal {
        self.signal
    }

    /// Sends `signal` from the next symbol on.
    pub fn set_signal(&mut self, signal: Signal) {
        if signal == Signal::S1 && self.signal != Signal::S1 {
            self.s1_phase = false;
        }
        self.signal = signal;
    }

    /// Symbols sent so far (silence counts).
    pub fn symbols_sent(&self) -> u64 {
        self.symbols_sent
    }

    /// Delay from a symbol's start to the peak of its pulse, in samples.
    pub fn delay(&self) -> f32 {
        SPAN as f32 * SAMPLE_RATE as f32 / BAUD
    }

    fn next_symbol(&mut self, bits: &mut impl BitSource) -> Complex {
        self.symbols_sent += 1;
        let (rate, b1, b2, b3, b4) = match self.signal {
            Signal::Silence => return Complex::ZERO,
            Signal::UnscrambledOnes => (Rate::R1200, 1, 1, 0, 1),
            Signal::S1 => {
                self.s1_phase = !self.s1_phase;
                let d = if self.s1_phase { 0 } else { 1 };
                (Rate::R1200, d, d, 0, 1)
            }
            Signal::ScrambledOnes(rate) | Signal::Data(rate) => {
                let data = matches!(self.signal, Signal::Data(_));
                let mut take = || {
                    let b = if data { bits.next_bit() } else { 1 };
                    self.scrambler.scramble(b)
                };
                let b1 = take();
                let b2 = take();
                match rate {
                    Rate::R1200 => (rate, b1, b2, 0, 1),
                    Rate::R2400 => {
                        let b3 = take();
                        let b4 = take();
                        (rate, b1, b2, b3, b4)
                    }
                }
            }
        };
        let _ = rate;
        self.quadrant = (self.quadrant + Constellation::quadrant_change(b1, b2)) & 3;
        Constellation::point(self.quadrant, b3, b4)
    }

    /// Fills `out` with the line signal, taking data bits from `bits` while sending data.
    pub fn process(&mut self, out: &mut [f32], bits: &mut impl BitSource) {
        for y in out.iter_mut() {
            // 600 / 8000 = 3 / 40 of a symbol per sample.
            self.tq += 3;
            if self.tq >= PHASES {
                self.tq -= PHASES;
                self.symbols.copy_within(0..2 * SPAN, 1);
                self.symbols[0] = self.next_symbol(bits);
            }
            // Re{sum of s g e^{j w n}}.
            let row = &self.table[self.n * ROW..(self.n + 1) * ROW];
            let mut v = 0.0f32;
            for (s, h) in self.symbols.iter().zip(row.chunks_exact(2)) {
                v += s.re * h[0] + s.im * h[1];
            }
            self.n += 1;
            if self.n == PHASES {
                self.n = 0;
            }
            if let Some((nco, amp)) = &mut self.guard {
                if self.signal != Signal::Silence {
                    v += *amp * nco.next_sin();
                }
            }
            *y = v;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dsp::{power_to_dbm0, Goertzel};

    fn run(tx: &mut Transmitter, n: usize) -> Vec<f32> {
        let mut out = vec![0.0; n];
        let mut r = crate::sim::rng::Rng::new(1);
        tx.process(&mut out, &mut || (r.next_u32() & 1) as u8);
        out
    }

    /// Power spectral density at `f`: Hann-windowed 400-sample blocks, averaged.
    fn psd(x: &[f32], f: f32) -> f32 {
        let mut acc = 0.0;
        let blocks = x.len() / 400;
        for blk in x.chunks_exact(400) {
            let mut g = Goertzel::new(f, 400, 8000.0);
            let mut p = 0.0;
            for (i, &v) in blk.iter().enumerate() {
                let w = 0.5 - 0.5 * (2.0 * core::f32::consts::PI * i as f32 / 400.0).cos();
                p = g.push(v * w).unwrap_or(p);
            }
            acc += p;
        }
        acc / blocks as f32
    }

    fn tone_power(x: &[f32], f: f32) -> f32 {
        let mut g = Goertzel::new(f, x.len(), 8000.0);
        let mut p = 0.0;
        for &v in x {
            p = g.push(v).unwrap_or(p);
        }
        p
    }

    #[test]
    fn level_and_band_of_data() {
        for (carrier, rate) in [(1200.0, Rate::R1200), (2400.0, Rate::R2400)] {
            let mut tx = Transmitter::new(carrier, -13.0, GuardTone::None);
            tx.set_signal(Signal::Data(rate));
            let x = run(&mut tx, 80_000);
            let p = x[400..].iter().map(|v| v * v).sum::<f32>() / (x.len() - 400) as f32;
            assert!((power_to_dbm0(p) + 13.0).abs() < 0.2, "{carrier}: {} dBm0", power_to_dbm0(p));
            // Nothing outside carrier +- 525 Hz (600 baud, 75 % roll-off): the other channel's
            // carrier and band edge are clean by 60 dB or more.
            let inband = psd(&x, carrier + 100.0);
            let other = if carrier == 1200.0 { [2400.0, 2000.0] } else { [1200.0, 1600.0] };
            for f in other {
                let db = 10.0 * (inband / psd(&x, f)).log10();
                assert!(db > 60.0, "{carrier}: {db:.1} dB at {f} Hz");
            }
        }
    }

    #[test]
    fn unscrambled_ones_are_a_tone_150_hz_below_the_carrier() {
        // Dibit 11 turns the phase +270 degrees (-90) each symbol: the carrier moves -150 Hz, with
        // a weaker alias one baud above (the 75 % roll-off still passes 450 Hz).
        let mut tx = Transmitter::new(2400.0, -13.0, GuardTone::None);
        tx.set_signal(Signal::UnscrambledOnes);
        let x = run(&mut tx, 16000);
        let x = &x[800..];
        let total = x.iter().map(|v| v * v).sum::<f32>() / x.len() as f32;
        let main = tone_power(x, 2250.0) / total;
        let alias = tone_power(x, 2850.0) / total;
        assert!(main > 0.9 && (main + alias - 1.0).abs() < 0.01, "{main} {alias}");
    }

    #[test]
    fn guard_tone_level() {
        let mut tx = Transmitter::new(2400.0, -13.0, GuardTone::Hz1800);
        tx.set_signal(Signal::ScrambledOnes(Rate::R1200));
        let x = run(&mut tx, 80_000);
        let x = &x[800..];
        let total = x.iter().map(|v| v * v).sum::<f32>() / x.len() as f32;
        let guard = tone_power(x, 1800.0);
        // Total -13 dBm0; guard 6 dB below the data: guard / total = 0.25 / 1.25.
        assert!((power_to_dbm0(total) + 13.0).abs() < 0.2);
        assert!((guard / total - 0.2).abs() < 0.01, "{}", guard / total);
    }

    #[test]
    fn carrier_is_at_phase_zero_at_symbol_centres() {
        // Sample 39 of the 40-sample cycle is a symbol centre (3 x 40 fortieths after the cycle
        // began): there the symbol SPAN old is at its pulse's peak, and the carrier is at phase
        // zero, cos 1 and sin 0 (see README, "Against slmodemd").
        for carrier in [1200.0, 2400.0] {
            let tx = Transmitter::new(carrier, -13.0, GuardTone::None);
            let row = &tx.table[39 * ROW..40 * ROW];
            let (c, s) = (row[2 * SPAN], row[2 * SPAN + 1]);
            let peak = row.chunks_exact(2).map(|h| h[0].hypot(h[1])).fold(0.0f32, f32::max);
            assert!(
                (peak - c).abs() <= 1e-6 * c && s.abs() < 1e-6 * c,
                "{carrier} Hz: cos part {c}, sin part {s}, peak {peak}"
            );
        }
    }

    #[test]
    fn silence_is_silent() {
        let mut tx = Transmitter::new(1200.0, -13.0, GuardTone::Hz550);
        let x = run(&mut tx, 1000);
        assert!(x.iter().all(|&v| v == 0.0));
    }
}
