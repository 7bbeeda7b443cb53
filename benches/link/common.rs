//! What the sections share: the texts sent, the character error count, one direction of a line
//! as a closure, and formatting.
//!
//! Nothing here uses the crate, so `dropouts.rs` can be built against older trees with this file
//! unchanged.

/// One direction of the line: what goes in, what comes out (same length).
pub type Channel = Box<dyn FnMut(&[f32], &mut [f32])>;

/// Samples in one step of a call (20 ms at 8000 Hz).
pub const BLOCK: usize = 160;

/// Samples a second.
pub const RATE: usize = 8000;

/// What a modem is given to send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Text {
    /// Words of lowercase letters and spaces, no line breaks: continuous text whose characters
    /// all start `0 1 1` on the line (bits 5 and 6 set), the worst case for a receiver that has
    /// lost a character's start.
    Lowercase,
    /// Lines of words in mixed case with digits and punctuation, ending CR LF.
    Mixed,
    /// Random 8-bit bytes.
    Binary,
}

impl Text {
    /// All three, in the order the tables list them.
    pub const ALL: [Text; 3] = [Text::Lowercase, Text::Mixed, Text::Binary];

    /// The name in tables and keys.
    pub fn name(self) -> &'static str {
        match self {
            Text::Lowercase => "lowercase",
            Text::Mixed => "mixed",
            Text::Binary => "binary",
        }
    }

    /// `n` bytes of this kind, the same for the same `seed`.
    pub fn make(self, n: usize, seed: u32) -> Vec<u8> {
        let mut x = 0x2545_f491u32 ^ seed.wrapping_mul(0x9e37_79b9);
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x
        };
        const PUNCT: &[u8] = b".,;:!?'\"()-/";
        let mut out = Vec::with_capacity(n + 80);
        let mut line = 0usize;
        while out.len() < n {
            match self {
                Text::Binary => out.push(next() as u8),
                Text::Lowercase | Text::Mixed => {
                    let word = 1 + next() as usize % 9;
                    for _ in 0..word {
                        let r = next();
                        let c = match self {
                            Text::Lowercase => b'a' + (r % 26) as u8,
                            _ => match r % 20 {
                                0..=11 => b'a' + (r / 20 % 26) as u8,
                                12..=15 => b'A' + (r / 20 % 26) as u8,
                                16..=17 => b'0' + (r / 20 % 10) as u8,
                                _ => PUNCT[(r / 20) as usize % PUNCT.len()],
                            },
                        };
                        out.push(c);
                    }
                    line += word + 1;
                    if self == Text::Mixed && line > 60 {
                        out.extend_from_slice(b"\r\n");
                        line = 0;
                    } else {
                        out.push(b' ');
                    }
                }
            }
        }
        out.truncate(n);
        out
    }
}

/// Character errors between what was received and what was sent: the edit distance
/// (insertions, deletions and substitutions), so a lost character counts once, not for
/// everything after it, and garbage that was never sent counts as well.
///
/// Computed in a band around the diagonal that doubles until it holds the answer (a distance
/// `d` never strays more than `d` from the diagonal), so long texts with few errors are cheap.
pub fn char_errors(got: &[u8], want: &[u8]) -> usize {
    let longest = got.len().max(want.len());
    let mut k = 64.max(got.len().abs_diff(want.len()));
    loop {
        let d = banded_distance(got, want, k);
        if d <= k || k >= longest {
            return d;
        }
        k *= 2;
    }
}

/// The edit distance along paths that stay within `k` of the diagonal (at least the true
/// distance; equal to it when that is at most `k`).
fn banded_distance(a: &[u8], b: &[u8], k: usize) -> usize {
    const FAR: usize = usize::MAX / 2;
    let w = 2 * k + 1;
    // Row i holds D[i][j] for j = i - k + t, t in 0..w.
    let mut prev: Vec<usize> = (0..w).map(|t| if t >= k && t - k <= b.len() { t - k } else { FAR }).collect();
    let mut cur = vec![FAR; w];
    for i in 1..=a.len() {
        for t in 0..w {
            let j = (i + t) as isize - k as isize;
            cur[t] = if j < 0 || j as usize > b.len() {
                FAR
            } else if j == 0 {
                i
            } else {
                let j = j as usize;
                let diag = prev[t] + (a[i - 1] != b[j - 1]) as usize;
                let up = if t + 1 < w { prev[t + 1] + 1 } else { FAR };
                let left = if t > 0 { cur[t - 1] + 1 } else { FAR };
                diag.min(up).min(left)
            };
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    let t = b.len() as isize - a.len() as isize + k as isize;
    if t < 0 || t as usize >= w {
        FAR
    } else {
        prev[t as usize]
    }
}

/// A small seeded generator (xorshift64*) with Gaussian samples, so the impairments this bench
/// adds itself do not depend on the crate's generator.
pub struct Noise(u64);

impl Noise {
    /// A generator from `seed`.
    pub fn new(seed: u64) -> Self {
        Noise(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1)
    }

    /// Uniform in (0, 1].
    fn uniform(&mut self) -> f32 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        let x = self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 40;
        (x as f32 + 1.0) / (1u64 << 24) as f32
    }

    /// Standard normal (Box-Muller).
    pub fn gaussian(&mut self) -> f32 {
        let (u, v) = (self.uniform(), self.uniform());
        (-2.0 * u.ln()).sqrt() * (core::f32::consts::TAU * v).cos()
    }
}

/// RMS of white noise (or any signal) at `dbm0`: 0 dBm0 is a sine 3.17 dB below full scale
/// (G.711).
pub fn dbm0_rms(dbm0: f32) -> f32 {
    let peak_0dbm0 = 10f32.powf(-3.17 / 20.0);
    peak_0dbm0 / 2f32.sqrt() * 10f32.powf(dbm0 / 20.0)
}

/// A fraction as a percentage with sensible digits ("0", "0.021 %", "3.4 %", "27 %").
pub fn percent(x: f64) -> String {
    let p = 100.0 * x;
    if x == 0.0 {
        "0".into()
    } else if p < 0.1 {
        format!("{p:.3} %")
    } else if p < 10.0 {
        format!("{p:.1} %")
    } else {
        format!("{p:.0} %")
    }
}

/// A name as a key for the `RESULT` line: lowercase, letters and digits only, `_` between words.
pub fn key(s: &str) -> String {
    let mut k = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            k.push(c.to_ascii_lowercase());
        } else if !k.ends_with('_') && !k.is_empty() {
            k.push('_');
        }
    }
    k.trim_end_matches('_').to_string()
}

/// Checks of the helpers, run at the start of every bench run (they take microseconds).
pub fn self_check() {
    let slow = |a: &[u8], b: &[u8]| {
        let mut prev: Vec<usize> = (0..=b.len()).collect();
        for (i, &x) in a.iter().enumerate() {
            let mut cur = vec![i + 1; b.len() + 1];
            for (j, &y) in b.iter().enumerate() {
                cur[j + 1] = (prev[j] + (x != y) as usize).min(prev[j + 1] + 1).min(cur[j] + 1);
            }
            prev = cur;
        }
        prev[b.len()]
    };
    for (seed, n) in [(1u32, 300usize), (2, 500), (3, 90)] {
        let want = Text::Mixed.make(n, seed);
        let mut got = want.clone();
        got.drain(40..(40 + seed as usize * 30).min(got.len()));
        got.splice(10..10, Text::Binary.make(70 * seed as usize, seed));
        if seed == 3 {
            got = Text::Binary.make(400, 9);
        }
        assert_eq!(char_errors(&got, &want), slow(&got, &want), "edit distance, seed {seed}");
    }
    assert_eq!(char_errors(b"", b"abc"), 3);
    assert_eq!(char_errors(b"abc", b""), 3);
}
