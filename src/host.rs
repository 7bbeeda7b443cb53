//! The edge between a host's audio (any sample rate, any block size) and the 8000 Hz core.

use crate::dsp::{Resampler, SAMPLE_RATE};
use crate::types::LineEndpoint;

/// Largest host block handled in one step; longer blocks are split.
const MAX_BLOCK: usize = 4096;

/// Runs an 8000 Hz [`LineEndpoint`] from host audio at another rate (44100, 48000, ...).
///
/// Each call takes a block of host samples and returns a block of the same length. Inside, the
/// input is resampled to 8000 Hz, the endpoint runs on however many samples that made, and its
/// output is resampled back into a small FIFO from which the host block is taken. The FIFO starts
/// with enough silence to cover the converters' delay, so it never runs dry; the added latency is
/// about 10 ms. Nothing is allocated after construction.
#[derive(Debug)]
pub struct HostAdapter<E> {
    inner: E,
    host_rate: f32,
    down: Option<Resampler>,
    up: Option<Resampler>,
    rx8: Vec<f32>,
    tx8: Vec<f32>,
    fifo: Vec<f32>,
    head: usize,
    len: usize,
}

impl<E: LineEndpoint> HostAdapter<E> {
    /// Wraps `inner` for a host running at `host_rate` Hz (3000 to 768000).
    pub fn new(inner: E, host_rate: f32) -> Self {
        let direct = host_rate == SAMPLE_RATE as f32;
        let (down, up) = if direct {
            (None, None)
        } else {
            (
                Some(Resampler::new(host_rate as f64, SAMPLE_RATE as f64)),
                Some(Resampler::new(SAMPLE_RATE as f64, host_rate as f64)),
            )
        };
        let ratio = SAMPLE_RATE as f32 / host_rate;
        let max8 = (MAX_BLOCK as f32 * ratio).ceil() as usize + 4;
        // Silence to cover both converters' delays plus a block of slack, in host samples.
        let prefill = match (&down, &up) {
            (Some(d), Some(u)) => (d.delay() + u.delay() / ratio as f64) as usize + 256,
            _ => 0,
        };
        let cap = 2 * MAX_BLOCK + prefill + 64;
        HostAdapter {
            inner,
            host_rate,
            down,
            up,
            rx8: vec![0.0; max8],
            tx8: vec![0.0; max8],
            fifo: vec![0.0; cap],
            head: 0,
            len: prefill,
        }
    }

    /// The host sample rate.
    pub fn host_rate(&self) -> f32 {
        self.host_rate
    }

    /// The wrapped endpoint.
    pub fn inner(&self) -> &E {
        &self.inner
    }

    /// The wrapped endpoint, mutably.
    pub fn inner_mut(&mut self) -> &mut E {
        &mut self.inner
    }

    /// Host samples held in the output FIFO (the adapter's latency, roughly).
    pub fn buffered(&self) -> usize {
        self.len
    }

    /// Hears a block of host audio and fills `output` with the same number of host samples.
    pub fn process(&mut self, input: &[f32], output: &mut [f32]) {
        let n = input.len().min(output.len());
        if self.down.is_none() {
            self.inner.process(&input[..n], &mut output[..n]);
        } else {
            for (i, o) in input[..n].chunks(MAX_BLOCK).zip(output[..n].chunks_mut(MAX_BLOCK)) {
                self.step(i, o);
            }
        }
        output[n..].iter_mut().for_each(|v| *v = 0.0);
    }

    fn step(&mut self, input: &[f32], output: &mut [f32]) {
        let HostAdapter { inner, down, up, rx8, tx8, fifo, head, len, .. } = self;
        let (down, up) = (down.as_mut().unwrap(), up.as_mut().unwrap());
        let mut m = 0;
        down.process(input, |y| {
            if m < rx8.len() {
                rx8[m] = y;
                m += 1;
            }
        });
        inner.process(&rx8[..m], &mut tx8[..m]);
        let cap = fifo.len();
        up.process(&tx8[..m], |y| {
            if *len < cap {
                fifo[(*head + *len) % cap] = y;
                *len += 1;
            }
        });
        for o in output.iter_mut() {
            if *len > 0 {
                *o = fifo[*head];
                *head = (*head + 1) % cap;
                *len -= 1;
            } else {
                *o = 0.0;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dsp::{Goertzel, Nco};

    /// Echoes what it hears, shifted up by nothing: a wire.
    struct Wire;
    impl LineEndpoint for Wire {
        fn process(&mut self, rx: &[f32], tx: &mut [f32]) {
            tx.copy_from_slice(rx);
        }
    }

    #[test]
    fn a_wire_at_44100_passes_a_tone_with_constant_latency() {
        let mut h = HostAdapter::new(Wire, 44100.0);
        let mut nco = Nco::new(1000.0, 44100.0);
        let mut out_all = vec![];
        let mut min_buf = usize::MAX;
        for _ in 0..2000 {
            let inp: Vec<f32> = (0..128).map(|_| 0.5 * nco.next_sin()).collect();
            let mut out = [0.0; 128];
            h.process(&inp, &mut out);
            out_all.extend_from_slice(&out);
            min_buf = min_buf.min(h.buffered());
        }
        assert!(min_buf > 0, "FIFO ran dry");
        assert!(h.buffered() < 1200, "FIFO grows: {}", h.buffered());
        // The tone arrives whole: power at 1000 Hz over the last second is that of a 0.5 sine.
        let tail = &out_all[out_all.len() - 44100..];
        let mut g = Goertzel::new(1000.0, tail.len(), 44100.0);
        let mut p = 0.0;
        for &v in tail {
            p = g.push(v).unwrap_or(p);
        }
        assert!((p - 0.125).abs() < 0.003, "{p}");
    }

    #[test]
    fn odd_block_sizes_keep_counts_equal() {
        let mut h = HostAdapter::new(Wire, 48000.0);
        let mut total = 0;
        for n in [1usize, 7, 128, 5000, 3, 9000] {
            let inp = vec![0.1; n];
            let mut out = vec![0.0; n];
            h.process(&inp, &mut out);
            total += n;
        }
        assert_eq!(total, 1 + 7 + 128 + 5000 + 3 + 9000);
        assert!(h.buffered() > 0);
    }
}
