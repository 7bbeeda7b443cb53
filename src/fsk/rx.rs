//! FSK receiver: complex baseband filter, non-coherent tone correlators, carrier detect and bit
//! timing.

use crate::bits::BitSink;
use crate::dsp::fir::{design_lowpass, Window};
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

/// Sliding-window correlation of a complex baseband signal against one tone.
#[derive(Debug, Clone)]
struct Correlator {
    nco: Nco,
    ring: Vec<(f32, f32)>,
    pos: usize,
    sum: (f64, f64),
}

impl Correlator {
    /// A correlator for a tone `offset` Hz from the baseband centre (either sign).
    fn new(offset: f32, window: usize) -> Self {
        Correlator {
            nco: Nco::new(offset, SAMPLE_RATE as f32),
            ring: vec![(0.0, 0.0); window],
            pos: 0,
            sum: (0.0, 0.0),
        }
    }

    /// Pushes a complex sample; returns the energy of the tone over the last window.
    #[inline]
    fn push(&mut self, (zr, zi): (f32, f32)) -> f32 {
        // z times e^{-j w n}.
        let (c, s) = self.nco.next_iq();
        let v = (zr * c + zi * s, zi * c - zr * s);
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
/// The signal is moved to complex baseband around the middle of the two tones and low-pass
/// filtered to the channel's band (which removes the other direction of a full-duplex call, the
/// modem's own echo, and every negative-frequency image), then correlated against the mark and the
/// space tone over a sliding window one bit long. The soft decision `(M - S) / (M + S)` is
/// level-independent, and for a steady tone exactly its nominal value whatever the tone's phase; a
/// [`BitSync`] samples it at bit centres. Bits are passed to a [`BitSink`] only while the carrier
/// is present.
///
/// Carrier detect asks for two things: the level in the band (with the thresholds and delays of
/// [`CarrierDetect`]), and an open eye. Noise that fills the band can be as loud as a carrier, but
/// at the bit centres its soft decisions scatter, while FSK's sit near their nominal magnitude.
/// Of the last 32 bit centres, the carrier needs 26 within 0.75-1.3 of nominal to be found, and is
/// lost below 16. (Measured with white noise over the 4 kHz band: noise alone lands in that range
/// 33-47 % of the time, FSK at 10 dB SNR 93-99 %, at 6 dB 79-98 %, depending on the channel.)
///
/// Finding the carrier that way takes 26 bits, and a transmitter may start its first character
/// two bits after its carrier (minimodem does). So the receiver keeps the recent soft decisions, and
/// when the carrier is found it replays them from where the open eye began, through fresh bit timing:
/// nothing that came with the carrier is lost.
#[derive(Debug, Clone)]
pub struct Receiver {
    spec: ChannelSpec,
    /// Mixes the channel's centre frequency down to 0 Hz.
    mixer: Nco,
    lowpass_i: Fir,
    lowpass_q: Fir,
    mark: Correlator,
    space: Correlator,
    /// z(n) conj(z(n - 1)) summed over the window: its angle is the mean frequency.
    freq: Correlator,
    prev_z: (f32, f32),
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
    /// One bit per recent bit centre (newest in bit 0): was the eye open?
    eye: u64,
    /// The range of bit-centre magnitudes that counts as open.
    eye_range: (f32, f32),
    /// Sample index of each recent bit centre (ring, indexed by bit count).
    centres: [u64; 64],
    /// Tone energy over the bit at each recent bit centre (same ring).
    centre_energy: [f32; 64],
    bits_seen: u64,
    /// Recent soft decisions (ring, indexed by sample count).
    history: Vec<f32>,
    samples: u64,
}

/// Of the last 32 bit centres, how many must be open to find the carrier, and below how many it
/// is lost.
const EYE_ON: u32 = 26;
const EYE_OFF: u32 = 16;

/// How far the mean frequency over a bit may be from the tone decided: a quarter of the distance
/// between the tones, and at least [`FREQ_TOLERANCE_MIN_HZ`]. For V.21 (200 Hz apart: 50 Hz),
/// FSK data at 6 dB SNR stays within it (its open bit centres 95 % of the time, as without the
/// check), at 3 dB SNR 82 % (84 % without); noise and speech land in it less than half as often as
/// without (26-29 % against 43-45 % open eyes). No check for tones closer than 150 Hz (V.23's
/// backward channel, 60 Hz apart), where a frequency offset on the line is a good part of the
/// distance.
fn freq_tolerance_hz(spec: &ChannelSpec) -> f32 {
    let apart = (spec.mark - spec.space).abs();
    if apart < 150.0 {
        f32::INFINITY
    } else {
        (apart / 4.0).max(FREQ_TOLERANCE_MIN_HZ)
    }
}

/// Allows for a frequency offset on the line and the transmitter's tolerance.
const FREQ_TOLERANCE_MIN_HZ: f32 = 30.0;

/// The soft decision `(M - S) / (M + S)` for a clean tone of one channel over a window of `len`
/// samples: the other tone leaks into its correlator by the square of the Dirichlet kernel at their
/// distance.
fn nominal_soft(spec: &ChannelSpec, len: usize) -> f32 {
    let w = core::f32::consts::PI * (spec.mark - spec.space).abs() / SAMPLE_RATE as f32;
    let leak = if w.abs() < 1e-6 { 1.0 } else { ((len as f32 * w).sin() / (len as f32 * w.sin())).powi(2) };
    (1.0 - leak) / (1.0 + leak)
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
        let centre = (spec.mark + spec.space) / 2.0;
        let taps = Window::Blackman.taps_for(250.0, fs);
        let lowpass = design_lowpass((hi - lo) / 2.0, fs, taps, Window::Blackman);
        let window = (fs / spec.baud).round() as usize;
        Receiver {
            spec,
            mixer: Nco::new(centre, fs),
            lowpass_i: Fir::new(lowpass.clone()),
            lowpass_q: Fir::new(lowpass),
            mark: Correlator::new(spec.mark - centre, window),
            space: Correlator::new(spec.space - centre, window),
            freq: Correlator::new(0.0, window),
            prev_z: (0.0, 0.0),
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
            eye: 0,
            eye_range: (0.75 * nominal_soft(&spec, window), 1.3 * nominal_soft(&spec, window)),
            centres: [0; 64],
            centre_energy: [0.0; 64],
            bits_seen: 0,
            history: vec![0.0; (66.0 * fs / spec.baud + (cd.on_delay as usize + 2 * window) as f32) as usize],
            samples: 0,
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

    /// The fraction of the last 32 bit centres with an open eye (0 to 1): a signal quality figure.
    pub fn eye(&self) -> f32 {
        self.eye_count() as f32 / 32.0
    }

    /// True while the eye is as open as finding the carrier asks (26 of the last 32 bit
    /// centres).
    pub fn eye_open(&self) -> bool {
        self.eye_count() >= EYE_ON
    }

    fn eye_count(&self) -> u32 {
        (self.eye & 0xFFFF_FFFF).count_ones()
    }

    /// Forgets everything received so far.
    pub fn reset(&mut self) {
        self.lowpass_i.reset();
        self.lowpass_q.reset();
        self.mark.reset();
        self.space.reset();
        self.freq.reset();
        self.prev_z = (0.0, 0.0);
        self.sync.reset();
        self.power = 0.0;
        self.carrier = false;
        self.count = 0;
        self.eye = 0;
        self.bits_seen = 0;
        self.history.iter_mut().for_each(|v| *v = 0.0);
        self.samples = 0;
    }

    /// Demodulates `input`, passing bits and carrier changes to `sink`.
    pub fn process(&mut self, input: &[f32], sink: &mut impl BitSink) {
        for &x in input {
            // Clamp wild input (NaN, infinities) so it cannot poison the filters.
            let x = if x.is_finite() { x.clamp(-4.0, 4.0) } else { 0.0 };
            let (c, s) = self.mixer.next_iq();
            let z = (self.lowpass_i.process(x * c), -self.lowpass_q.process(x * s));
            // |z|^2 of a real tone A cos(wt) is A^2 / 4; its mean power is A^2 / 2.
            let p = 2.0 * (z.0 * z.0 + z.1 * z.1);
            self.power += self.power_k * (p - self.power);
            let m = self.mark.push(z);
            let s = self.space.push(z);
            let e = m + s;
            let d = (m - s) / (e + 1e-12);
            // The mean frequency over the window (from the centre of the band), weighted by power.
            let (pr, pi) = self.prev_z;
            self.prev_z = z;
            self.freq.push((z.0 * pr + z.1 * pi, z.1 * pr - z.0 * pi));

            self.soft = d;
            let h = self.history.len();
            self.history[(self.samples % h as u64) as usize] = d;
            self.samples += 1;
            // Squelch: when the tones fall 15 dB below their running level (the far end has
            // stopped, or a dropout), the decisions are noise; hold them back until the carrier
            // detector catches up.
            if self.energy == 0.0 {
                self.energy = e;
            }
            let live = e > 0.03 * self.energy;
            if live {
                self.energy += self.energy_k * (e - self.energy);
            }
            // Bit timing runs all the time, so the eye is measured before the carrier is found.
            if let Some(v) = self.sync.push(d) {
                let open = v.abs() >= self.eye_range.0 && v.abs() <= self.eye_range.1 && self.on_frequency(v);
                self.eye = (self.eye << 1) | open as u64;
                self.centres[(self.bits_seen % 64) as usize] = self.samples - 1;
                self.centre_energy[(self.bits_seen % 64) as usize] = e;
                self.bits_seen += 1;
                if self.carrier && live {
                    sink.put_bit((v > 0.0) as u8, v);
                }
            }
            if self.carrier {
                self.sync.set_snap(sink.wants_resync());
            }
            let was = self.carrier;
            self.update_carrier(sink);
            if self.carrier && !was {
                self.replay(sink);
            }
        }
    }

    /// True when the mean frequency over the last bit is within [`freq_tolerance_hz`] of the tone
    /// `soft` decided for (mark when positive): a tone elsewhere in the band (a voice's harmonic,
    /// another signal) pulls the soft decision towards one side all the same.
    fn on_frequency(&self, soft: f32) -> bool {
        let (re, im) = self.freq.sum;
        if re == 0.0 && im == 0.0 {
            return false;
        }
        let f = im.atan2(re) as f32 * SAMPLE_RATE as f32 / core::f32::consts::TAU;
        let centre = (self.spec.mark + self.spec.space) / 2.0;
        let nominal = if soft > 0.0 { self.spec.mark } else { self.spec.space } - centre;
        (f - nominal).abs() <= freq_tolerance_hz(&self.spec)
    }

    /// The carrier has just been found: replay the soft decisions since the signal began.
    fn replay(&mut self, sink: &mut impl BitSink) {
        let ring = |k: u32| ((self.bits_seen - 1 - k as u64) % 64) as usize; // k bits back
                                                                             // The longest recent run of bits of which at least 80 % were open...
        let n = self.bits_seen.min(64) as u32;
        let mut run = 0;
        let mut open = 0;
        for k in 0..n {
            open += ((self.eye >> k) & 1) as u32;
            if open * 5 >= (k + 1) * 4 {
                run = k + 1;
            }
        }
        if run == 0 {
            return;
        }
        // ...less any bits at its start whose tone energy is 10 dB below the signal's: those were
        // noise before the carrier, whose random decisions could pass for a start bit.
        let recent = run.min(8);
        let reference = (0..recent).map(|k| self.centre_energy[ring(k)]).sum::<f32>() / recent as f32;
        while run > 1 && self.centre_energy[ring(run - 1)] < 0.1 * reference {
            run -= 1;
        }
        let first_centre = self.centres[ring(run - 1)];
        let window = self.mark.ring.len() as u64;
        let h = self.history.len() as u64;
        // Start a window before that bit's centre, within what the history still holds.
        let start = first_centre.saturating_sub(window + 2).max(self.samples.saturating_sub(h - 1));
        self.sync = BitSync::new(self.spec.baud, SAMPLE_RATE as f32, 0.15);
        self.sync.prime(self.history[(start % h) as usize]);
        self.sync.set_snap(sink.wants_resync());
        for t in start + 1..self.samples {
            let d = self.history[(t % h) as usize];
            if let Some(v) = self.sync.push(d) {
                sink.put_bit((v > 0.0) as u8, v);
            }
            self.sync.set_snap(sink.wants_resync());
        }
    }

    fn update_carrier(&mut self, sink: &mut impl BitSink) {
        let (over, delay) = if self.carrier {
            (self.power < self.off_power || self.eye_count() < EYE_OFF, self.cd.off_delay)
        } else {
            (self.power >= self.on_power && self.eye_count() >= EYE_ON, self.cd.on_delay)
        };
        if over {
            self.count += 1;
            if self.count >= delay {
                self.carrier = !self.carrier;
                self.count = 0;
                if self.carrier {
                    self.energy = 0.0;
                } else {
                    self.sync.set_snap(false);
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
    use crate::sim::rng::Rng;
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
    fn noise_is_not_a_carrier() {
        // White noise from -40 dBm0 to full scale, for 10 s each: no carrier, no bits.
        for spec in CHANNELS {
            for level in [0.01f32, 0.1, 0.5, 1.0] {
                let mut r = Rng::new(3);
                let noise: Vec<f32> = (0..80_000).map(|_| level * r.gaussian()).collect();
                let mut rx = Receiver::new(spec);
                let mut sink = BitVec::default();
                rx.process(&noise, &mut sink);
                assert!(sink.carrier_changes.is_empty(), "{} at rms {level}: {:?}", spec.name, sink.carrier_changes);
                assert!(rx.eye() < 0.7, "{}: eye {}", spec.name, rx.eye());
            }
        }
    }

    #[test]
    fn carrier_is_found_through_noise() {
        // Random data at 10 dB SNR (over 4 kHz): carrier within 30 bits and 50 ms, held throughout.
        for spec in CHANNELS {
            let mut tx = Transmitter::new(spec, -13.0);
            let mut sig = vec![0.0; 40_000];
            let mut r = Rng::new(4);
            tx.process(&mut sig, &mut || (r.next_u32() & 1) as u8);
            let noise_rms = crate::dsp::dbm0_to_power(-23.0).sqrt();
            for v in &mut sig {
                *v += noise_rms * r.gaussian();
            }
            let mut rx = Receiver::new(spec);
            let mut sink = BitVec::default();
            let limit = (30.0 * 8000.0 / spec.baud) as usize + 400;
            rx.process(&sig[..limit], &mut sink);
            assert_eq!(sink.carrier_changes, vec![true], "{}: not found in {limit} samples", spec.name);
            rx.process(&sig[limit..], &mut sink);
            assert_eq!(sink.carrier_changes, vec![true], "{}: lost", spec.name);
        }
    }

    #[test]
    fn nothing_false_before_data_that_follows_noise() {
        // Noise at 20 dB SNR, then the carrier with a short mark lead-in, then text: over many
        // seeds, exactly the text arrives (no stray character made of the noise before it).
        let text = b"The quick brown fox jumps over the lazy dog";
        for spec in CHANNELS {
            let sps = 8000.0 / spec.baud;
            for seed in 0..20u64 {
                let mut r = Rng::new(seed);
                let lead_bits = 2 + (seed % 5) as usize;
                let quiet = 2000 + r.below(3000) as usize;
                let mut framer = crate::startstop::Framer::new(Format::N81);
                let mut bits = vec![1u8; lead_bits];
                for &c in text.iter() {
                    framer.start(c);
                    while !framer.is_idle() {
                        bits.push(framer.next_bit());
                    }
                }
                bits.extend([1u8; 20]);
                let mut sig = vec![0.0; quiet + (bits.len() as f32 * sps) as usize];
                let mut tx = Transmitter::new(spec, -13.0);
                let mut it = bits.into_iter();
                tx.process(&mut sig[quiet..], &mut || it.next().unwrap_or(1));
                let noise = crate::dsp::dbm0_to_power(-33.0).sqrt();
                for v in &mut sig {
                    *v += noise * r.gaussian();
                }
                sig.extend((0..4000).map(|_| noise * r.gaussian()));
                let mut rx = Receiver::new(spec);
                let mut sink = Chars { deframer: Deframer::new(Format::N81), got: vec![], changes: vec![] };
                rx.process(&sig, &mut sink);
                let want: Vec<Received> = text.iter().map(|&c| Received::Char(c)).collect();
                assert_eq!(sink.got, want, "{} seed {seed}, lead {lead_bits} bits", spec.name);
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
