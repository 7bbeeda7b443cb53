//! How much of what a modem delivered is garbage, second by second: each end sends numbered lines
//! of text, and each line received counts as many bytes wrong as its edit distance from the
//! template; and a line that turns poor partway. Shared by `tests/quality_policy.rs` and
//! `tests/spandsp_v22bis.rs` (included by path).

// Each includer uses only some of it.
#![allow(dead_code)]

/// One direction of a line: what goes in, what comes out (the same length).
pub type Channel = Box<dyn FnMut(&[f32], &mut [f32])>;

/// The longest run of seconds with garbage a connected modem may deliver.
pub const GARBAGE_SECONDS_MAX: usize = 3;

/// The text each end sends: numbered lines.
pub fn line(n: u32) -> String {
    format!("{n:05} the quick brown fox jumps\r\n")
}

/// Edit distance (insertions, deletions, substitutions) from `l` to the template line, a digit
/// matching any digit in the number.
pub fn distance(l: &[u8], template: &[u8]) -> usize {
    let same = |i: usize, c: u8| if i < 5 { c.is_ascii_digit() } else { c == template[i] };
    let mut prev: Vec<usize> = (0..=template.len()).collect();
    for &c in l {
        let mut cur = vec![prev[0] + 1; template.len() + 1];
        for j in 1..=template.len() {
            let sub = prev[j - 1] + !same(j - 1, c) as usize;
            cur[j] = sub.min(prev[j] + 1).min(cur[j - 1] + 1);
        }
        prev = cur;
    }
    prev[template.len()]
}

/// For each byte of `got`: whether it is right. Each line counts as many of its bytes wrong as
/// its edit distance from the template (a character lost to a framing error costs one, not the
/// whole line).
pub fn good_bytes(got: &[u8]) -> Vec<bool> {
    let template = line(0).into_bytes();
    let mut good = vec![true; got.len()];
    let mut start = 0;
    for (i, w) in got.windows(2).enumerate() {
        if w == b"\r\n" {
            let l = &got[start..i + 2];
            let wrong = distance(l, &template).min(l.len());
            good[start..start + wrong].iter_mut().for_each(|g| *g = false);
            start = i + 2;
        }
    }
    // What follows the last line break is a line cut off by the end of the run.
    good
}

/// Bytes one end received, each with the second it came in (`None`: not while connected).
#[derive(Default)]
pub struct Received {
    got: Vec<(u8, Option<usize>)>,
}

impl Received {
    /// Takes `bytes` received in second `second` (`None` if not connected then).
    pub fn extend(&mut self, bytes: &[u8], second: Option<usize>) {
        self.got.extend(bytes.iter().map(|&b| (b, second)));
    }

    /// Per second while connected, of `seconds`: (bytes received, garbage among them).
    pub fn seconds(&self, seconds: usize) -> Vec<(usize, usize)> {
        let bytes: Vec<u8> = self.got.iter().map(|g| g.0).collect();
        let mut per = vec![(0, 0); seconds];
        for (g, ok) in self.got.iter().zip(good_bytes(&bytes)) {
            if let Some(sec) = g.1.filter(|&s| s < seconds) {
                per[sec].0 += 1;
                per[sec].1 += !ok as usize;
            }
        }
        per
    }
}

/// The longest run of seconds in `seconds` with more than 10 % garbage (and more than 5 bytes).
pub fn garbage_run(seconds: &[(usize, usize)]) -> usize {
    let (mut run, mut worst) = (0, 0);
    for &(n, g) in seconds {
        run = if g > 5 && g * 10 > n { run + 1 } else { 0 };
        worst = worst.max(run);
    }
    worst
}

/// A line at 30 dB SNR until `at_s`, then with noise added for `snr_after` dB.
pub fn turning_poor(at_s: f32, snr_after: f32, seed: u64) -> Channel {
    let mut d =
        softmodem::sim::line::Direction::new(softmodem::sim::line::Impairments::default().with_snr(30.0, -13.0), seed);
    let mut rng = softmodem::sim::rng::Rng::new(seed + 100);
    let rms = (softmodem::dsp::dbm0_to_power(-13.0 - snr_after)).sqrt();
    let mut t = 0usize;
    Box::new(move |x, y| {
        d.process(x, y);
        for v in y.iter_mut() {
            if t as f32 / 8000.0 >= at_s {
                *v += rms * rng.gaussian();
            }
            t += 1;
        }
    })
}
