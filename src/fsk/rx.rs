//! FSK receiver: band-pass filter, non-coherent tone correlators, carrier detect and bit timing.

use crate::bits::BitSink;
use crate::dsp::fir::{design_bandpass, Window};
use crate::dsp::{dbm0_to_power, power_to_dbm0, BitSync, Fir, Nco, SAMPLE_RATE};

use super::ChannelSpec;

/// Carrier detect thresholds and timing.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CarrierDetect {
    /// Level in dBm0 at or above which the carrier is found.
    pub on_dbm0: f32,
    /// Level in dBm0 below which the carrier is lost (lower than `on_dbm0`: hysteresis).
    pub off_dbm0: f32,
    /// How long the level must stay above `on_dbm0` before the carrier is declared, in samples.
    pub on_delay: u32,
    /// How long the level must stay below `off_dbm0` before the carrier is dropped, in samples.
    pub off_delay: u32,
}

impl Default for CarrierDetect {
    /// On at -43 dBm0 and off below -48 dBm0 (the V.21/V.22 thresholds), 10 ms each way.
    fn default() -> Self {
        CarrierDetect { on_dbm0: -43.0, off_dbm0: -48.0, on_delay: 80, off_delay: 80 }
    }
}

/// Sliding-window correlation of the input against one tone.
#[derive(Debug, Clone)]
struct Correlator {
    nco: Nco,
    ring: Vec<(f32, f32)>,
    pos: usize,
    sum: (f64, f64),
}

impl Correlator {
    fn new(freq: f32, window: usize) -> Self {
        Correlator { nco: Nco::new(freq, SAMPLE_RATE as f32), ring: vec![(0.0, 0.0); window], pos: 0, sum: (0.0, 0.0) }
    }

    /// Pushes a sample; returns the energy of the tone over the last window.
    #[inline]
    fn push(&mut self, x: f32) -> f32 {
        let (c, s) = self.nco.next_iq();
        let v = (x * c, x * s);
        let old = core::mem::replace(&mut self.ring[self.pos], v);
        self.pos += 1;
        if self.pos == self.ring.len() {
            self.pos = 0;
        }
        self.sum.0 += v.0 as f64 - old.0 as f64;
        self.sum.1 += v.1 as f64 - old.1 as f64;
        (self.sum.0 * self.sum.0 + self.sum.1 * self.sum.1) as f32
    }

    fn reset(&mut self) {
        self.ring.iter_mut().for_each(|v| *v = (0.0, 0.0));
        self.sum = (0.0, 0.0);
    }
}

/// A non-coherent FSK demodulator with carrier detect and bit timing recovery.
///
/// The signal is band-pass filtered to the channel (which removes the other direction of a
/// full-duplex call, and the modem's own echo), then correlated against the mark and the space tone
/// over a sliding window one bit long. The soft decision `(M - S) / (M + S)` is level-independent;
/// a [`BitSync`] samples it at bit centres. Bits are passed to a [`BitSink`] only while the carrier
/// is present.
#[derive(Debug, Clone)]
pub struct Receiver {
    spec: ChannelSpec,
    filter: Fir,
    mark: Correlator,
    space: Correlator,
    sync: BitSync,
    power: f32,
    power_k: f32,
    cd: CarrierDetect,
    on_power: f32,
    off_power: f32,
    carrier: bool,
    count: u32,
    soft: f32,
    /// Running mean of the tone energy while the carrier is present.
    energy: f32,
    energy_k: f32,
}

impl Receiver {
    /// A receiver for `spec` with the default carrier detect.
    pub fn new(spec: ChannelSpec) -> Self {
        Self::with_carrier_detect(spec, CarrierDetect::default())
    }

    /// A receiver for `spec` with the given carrier detect.
    pub fn with_carrier_detect(spec: ChannelSpec, cd: CarrierDetect) -> Self {
        let fs = SAMPLE_RATE as f32;
        let (lo, hi) = spec.band();
        let taps = Window::Blackman.taps_for(250.0, fs);
        let filter = Fir::new(design_bandpass(lo.max(50.0), hi.min(3950.0), fs, taps, Window::Blackman));
        let window = (fs / spec.baud).round() as usize;
        Receiver {
            spec,
            filter,
            mark: Correlator::new(spec.mark, window),
            space: Correlator::new(spec.space, window),
            sync: BitSync::new(spec.baud, fs, 0.15),
            power: 0.0,
            // Level averaged over about 4 ms, or a bit if longer.
            power_k: 1.0 / (window.max(32) as f32),
            cd,
            on_power: dbm0_to_power(cd.on_dbm0),
            off_power: dbm0_to_power(cd.off_dbm0),
            carrier: false,
            count: 0,
            soft: 0.0,
            energy: 0.0,
            energy_k: 1.0 / (20.0 * window as f32),
        }
    }

    /// The channel.
    pub fn spec(&self) -> ChannelSpec {
        self.spec
    }

    /// True while the carrier is present.
    pub fn carrier(&self) -> bool {
        self.carrier
    }

    /// The received level in the channel's band, in dBm0.
    pub fn level_dbm0(&self) -> f32 {
        power_to_dbm0(self.power)
    }

    /// The last soft decision, in `[-1, 1]`.
    pub fn soft(&self) -> f32 {
        self.soft
    }

    /// Forgets everything received so far.
    pub fn reset(&mut self) {
        self.filter.reset();
        self.mark.reset();
        self.space.reset();
        self.sync.reset();
        self.power = 0.0;
        self.carrier = false;
        self.count = 0;
    }

    /// Demodulates `input`, passing bits and carrier changes to `sink`.
    pub fn process(&mut self, input: &[f32], sink: &mut impl BitSink) {
        for &x in input {
            // Clamp wild input (NaN, infinities) so it cannot poison the filters.
            let x = if x.is_finite() { x.clamp(-4.0, 4.0) } else { 0.0 };
            let y = self.filter.process(x);
            self.power += self.power_k * (y * y - self.power);
            self.update_carrier(sink);
            let m = self.mark.push(y);
            let s = self.space.push(y);
            let e = m + s;
            let d = (m - s) / (e + 1e-12);
            self.soft = d;
            if self.carrier {
                // Squelch: when the tones fall 15 dB below their running level (the far end has
                // stopped, or a dropout), the decisions are noise; hold them back until the
                // carrier detector catches up.
                if self.energy == 0.0 {
                    self.energy = e;
                }
                let live = e > 0.03 * self.energy;
                if live {
                    self.energy += self.energy_k * (e - self.energy);
                    if let Some(v) = self.sync.push(d) {
                        sink.put_bit((v > 0.0) as u8, v);
                    }
                    self.sync.set_snap(sink.wants_resync());
                }
            }
        }
    }

    fn update_carrier(&mut self, sink: &mut impl BitSink) {
        let (over, delay) = if self.carrier {
            (self.power < self.off_power, self.cd.off_delay)
        } else {
            (self.power >= self.on_power, self.cd.on_delay)
        };
        if over {
            self.count += 1;
            if self.count >= delay {
                self.carrier = !self.carrier;
                self.count = 0;
                if self.carrier {
                    self.sync.reset();
                    self.energy = 0.0;
                }
                sink.carrier(self.carrier);
            }
        } else {
            self.count = 0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bits::BitVec;
    use crate::fsk::{Transmitter, CHANNELS, V21_CH1, V21_CH2};
    use crate::rng::Rng;
    use crate::startstop::{Deframer, Format, Received};

    struct Chars {
        deframer: Deframer,
        got: Vec<Received>,
        changes: Vec<bool>,
    }

    impl BitSink for Chars {
        fn put_bit(&mut self, bit: u8, _soft: f32) {
            self.got.extend(self.deframer.push(bit));
        }
        fn wants_resync(&self) -> bool {
            self.deframer.is_hunting()
        }
        fn carrier(&mut self, on: bool) {
            self.deframer.reset();
            self.changes.push(on);
        }
    }

    fn pattern(n: usize, seed: u64) -> Vec<u8> {
        let mut r = Rng::new(seed);
        (0..n).map(|_| (r.next_u32() & 1) as u8).collect()
    }

    /// Sends 20 mark bits, the pattern, then marks; returns what the receiver made of it.
    fn run(spec: ChannelSpec, bits: &[u8], noise_rms: f32, seed: u64) -> Vec<u8> {
        let mut tx = Transmitter::new(spec, -13.0);
        let mut i = 0usize;
        let total = bits.len() + 40;
        let len = ((total as f32 + 2.0) * 8000.0 / spec.baud) as usize;
        let mut sig = vec![0.0; len];
        tx.process(&mut sig, &mut || {
            i += 1;
            if i > 20 && i <= 20 + bits.len() {
                bits[i - 21]
            } else {
                1
            }
        });
        let mut r = Rng::new(seed);
        for v in &mut sig {
            *v += noise_rms * r.gaussian();
        }
        let mut rx = Receiver::new(spec);
        let mut sink = BitVec::default();
        rx.process(&sig, &mut sink);
        sink.bits
    }

    fn contains(hay: &[u8], needle: &[u8]) -> bool {
        hay.windows(needle.len()).any(|w| w == needle)
    }

    #[test]
    fn every_channel_demodulates_cleanly() {
        for spec in CHANNELS {
            let bits = pattern(300, 1);
            let got = run(spec, &bits, 0.0, 0);
            assert!(contains(&got, &bits), "{}", spec.name);
        }
    }

    #[test]
    fn no_bits_and_no_carrier_in_silence_or_out_of_band_tone() {
        let mut rx = Receiver::new(V21_CH2);
        let mut sink = BitVec::default();
        rx.process(&vec![0.0; 8000], &mut sink);
        // The other V.21 channel at -10 dBm0 is the modem's own echo: it must not raise carrier.
        let mut tx = Transmitter::new(V21_CH1, -10.0);
        let mut sig = vec![0.0; 16000];
        tx.process(&mut sig, &mut || 0u8);
        rx.process(&sig, &mut sink);
        assert!(
            sink.bits.is_empty() && sink.carrier_changes.is_empty(),
            "{} bits, {:?}, {} dBm0",
            sink.bits.len(),
            sink.carrier_changes,
            rx.level_dbm0()
        );
        assert!(rx.level_dbm0() < -55.0, "{}", rx.level_dbm0());
    }

    #[test]
    fn carrier_detect_has_hysteresis() {
        let mut rx = Receiver::new(V21_CH2);
        let mut sink = BitVec::default();
        for (level, want) in [(-46.0, false), (-40.0, true), (-46.0, true), (-52.0, false)] {
            let mut tx = Transmitter::new(V21_CH2, level);
            let mut sig = vec![0.0; 4000];
            tx.process(&mut sig, &mut || 1u8);
            rx.process(&sig, &mut sink);
            assert_eq!(rx.carrier(), want, "at {level} dBm0");
        }
        assert_eq!(sink.carrier_changes, vec![true, false]);
    }

    #[test]
    fn no_false_characters_when_the_signal_stops() {
        // A signal that ends abruptly after marks: no character, error or break may be made of
        // its tail (a stray 0 bit or two is squelched before it can become a character).
        for spec in CHANNELS {
            for cut in [0usize, 1, 2, 3, 5] {
                let mut tx = Transmitter::new(spec, -13.0);
                let len = 8000 + cut;
                let mut sig = vec![0.0; len + 4000];
                tx.process(&mut sig[..len], &mut || 1u8);
                let mut rx = Receiver::new(spec);
                let mut sink = Chars { deframer: Deframer::new(Format::N81), got: vec![], changes: vec![] };
                rx.process(&sig, &mut sink);
                assert!(sink.got.is_empty(), "{} cut {cut}: {:?} from the tail", spec.name, sink.got);
                assert_eq!(sink.changes, vec![true, false]);
            }
        }
    }

    #[test]
    fn garbage_input_is_harmless() {
        let mut rx = Receiver::new(V21_CH2);
        let mut sink = BitVec::default();
        let junk = [f32::NAN, f32::INFINITY, -1e30, 1e30, 0.5, f32::NEG_INFINITY];
        for _ in 0..1000 {
            rx.process(&junk, &mut sink);
        }
        assert!(rx.soft().is_finite() && rx.level_dbm0().is_finite());
    }
}
