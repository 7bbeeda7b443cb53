//! Bit synchroniser: a digital phase-locked loop that finds bit timing from the transitions of a
//! demodulated signal.

use super::wrap_half;

/// Recovers bit timing from a soft demodulator output (positive = mark = 1, negative = space = 0).
///
/// The loop keeps a phase in bit periods. A transition (a zero crossing, located to a fraction of a
/// sample) should fall at phase 0; the loop moves its phase by a fraction (`gain`) of the error at
/// each transition, so it follows a sample clock that runs fast or slow. Bits are sampled at phase
/// 0.5, interpolating between samples.
///
/// Start-stop (asynchronous) data has no fixed bit grid between characters: a start bit may begin at
/// any moment. A receiver hunting for a start bit calls [`BitSync::set_snap`]`(true)`; the next
/// transition then sets the phase outright, as a UART does on the leading edge of a start bit.
/// The first transition after [`BitSync::new`] or [`BitSync::reset`] always sets the phase.
#[derive(Debug, Clone)]
pub struct BitSync {
    step: f32,
    phase: f32,
    prev: f32,
    gain: f32,
    snap: bool,
    acquired: bool,
}

impl BitSync {
    /// A synchroniser for `baud` bits per second in a stream of `sample_rate` Hz, moving its phase
    /// by `gain` (0..=1) of the timing error at each transition.
    pub fn new(baud: f32, sample_rate: f32, gain: f32) -> Self {
        BitSync {
            step: (baud / sample_rate).min(0.5),
            phase: 0.0,
            prev: 0.0,
            gain: gain.clamp(0.0, 1.0),
            snap: true,
            acquired: false,
        }
    }

    /// When `on`, the next transition sets the bit phase outright instead of nudging it.
    pub fn set_snap(&mut self, on: bool) {
        self.snap = on;
    }

    /// Scales the bit rate by `factor` (a known clock offset, or a retune).
    pub fn set_rate(&mut self, baud: f32, sample_rate: f32) {
        self.step = (baud / sample_rate).min(0.5);
    }

    /// Forgets the timing (the next transition sets the phase).
    pub fn reset(&mut self) {
        self.phase = 0.0;
        self.prev = 0.0;
        self.snap = true;
        self.acquired = false;
    }

    /// Takes `x` as the previous sample without looking for a transition (to start mid-stream
    /// without inventing an edge from silence).
    pub fn prime(&mut self, x: f32) {
        self.prev = x;
    }

    /// Pushes one soft sample. Returns the interpolated soft value at a bit centre, when one falls
    /// within this sample period.
    #[inline]
    pub fn push(&mut self, x: f32) -> Option<f32> {
        let prev = self.prev;
        // An exact zero carries no sign (silence): it neither makes nor ends a transition.
        if x != 0.0 {
            self.prev = x;
        }
        let mut start = self.phase; // phase at the previous sample
        if prev != 0.0 && x != 0.0 && (prev > 0.0) != (x > 0.0) {
            // Crossing at fraction f of the way from the previous sample to this one.
            let f = (prev / (prev - x)).clamp(0.0, 1.0);
            let err = wrap_half(start + f * self.step);
            start -= if self.snap || !self.acquired { err } else { self.gain * err };
            self.acquired = true;
            start = start.rem_euclid(1.0);
        }
        let end = start + self.step;
        let out = if start < 0.5 && end >= 0.5 {
            Some((0.5 - start) / self.step)
        } else if start < 1.5 && end >= 1.5 {
            Some((1.5 - start) / self.step)
        } else {
            None
        }
        .map(|g| prev + (x - prev) * g);
        self.phase = if end >= 1.0 { end - 1.0 } else { end };
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A soft NRZ waveform of `bits` at `sps` samples per bit, starting `offset` samples late,
    /// with the linear ramps a correlator produces.
    fn waveform(bits: &[u8], sps: f32, offset: f32, len: usize) -> Vec<f32> {
        (0..len)
            .map(|n| {
                let t = (n as f32 - offset) / sps; // in bits
                let v = |t: f32| -> f32 {
                    let i = t.floor();
                    if i >= 0.0 && (i as usize) < bits.len() && bits[i as usize] == 0 {
                        -1.0
                    } else {
                        1.0
                    }
                };
                // Ramp over one bit: average of the level over the last bit period.
                (v(t) + v(t - 0.5) + v(t - 0.999)) / 3.0
            })
            .collect()
    }

    fn recover(bits: &[u8], sps: f32, offset: f32) -> Vec<u8> {
        let w = waveform(bits, sps, offset, ((bits.len() + 4) as f32 * sps) as usize);
        let mut s = BitSync::new(8000.0 / sps, 8000.0, 0.1);
        let mut out = vec![];
        for x in w {
            if let Some(b) = s.push(x) {
                out.push((b > 0.0) as u8);
            }
        }
        out
    }

    #[test]
    fn recovers_bits_at_any_offset_and_rate() {
        let bits: Vec<u8> = (0..200u32).map(|i| ((i * 7 + i / 3) % 3 == 0) as u8).collect();
        for &sps in &[26.6667f32, 6.6667, 106.667] {
            for &off in &[0.0, 3.3, 11.9] {
                let got = recover(&bits, sps, off);
                let s: String = got.iter().map(|b| (b + b'0') as char).collect();
                let want: String = bits.iter().map(|b| (b + b'0') as char).collect();
                assert!(s.contains(&want), "sps {sps} off {off}");
            }
        }
    }

    #[test]
    fn follows_a_clock_offset() {
        // 300 baud sent with a sample clock 1000 ppm off, for 2000 bits.
        let bits: Vec<u8> = (0..2000u32).map(|i| ((i * 13 + 5) % 7 < 3) as u8).collect();
        let got = recover(&bits, 26.6667 * 1.001, 5.0);
        let s: String = got.iter().map(|b| (b + b'0') as char).collect();
        let want: String = bits.iter().map(|b| (b + b'0') as char).collect();
        assert!(s.contains(&want));
    }

    #[test]
    fn snap_aligns_to_an_edge_at_once() {
        let mut s = BitSync::new(300.0, 8000.0, 0.01);
        s.set_snap(false);
        // Idle marks with no transitions, then a falling edge between samples 100 and 101.
        for _ in 0..100 {
            s.push(1.0);
        }
        s.set_snap(true);
        // A crossing exactly halfway between the two samples.
        s.push(-1.0);
        // The next bit centre comes about half a bit (13.3 samples) after the edge.
        let mut n = 0;
        loop {
            n += 1;
            if s.push(-1.0).is_some() {
                break;
            }
        }
        assert!((12..=14).contains(&n), "{n}");
    }
}
