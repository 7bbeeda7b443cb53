//! "ANSI" music: the subset of IBM BASIC's `PLAY` language that BBSes send, as CTerm documents it.
//!
//! A music string is introduced by `CSI |`, `CSI N` or `CSI M` (which of them count is the
//! [`MusicIntroducers`] setting, `CSI = Ps M`) and ends with Shift Out (0x0E). It is turned into
//! [`Note`]s (a frequency or silence, a duration, a gap after it) for the page to play.
//!
//! The language: `T` tempo (quarter notes a minute, 32-255, default 120), `O` octave (0-6, default
//! 4), `<` and `>` an octave down or up, `L` the default note length (1-64, a reciprocal of a
//! whole note, default 4), `A`-`G` a note of the current octave and `P` a pause, each followed by
//! any of `#` or `+` (a semitone up), `-` (a semitone down), `.` (one and a half times as long,
//! not cumulative) and a length; `N` a note by number (0-71, C of octave 0 is 0; others are
//! silence); `MF`/`MB` foreground or background (no difference here), `MN` normal (7/8 of the
//! note sounds), `ML` legato (all of it), `MS` staccato (3/4).

/// Which control sequences introduce a music string (`CSI = Ps M`, CTerm's CTSAM).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MusicIntroducers {
    /// `CSI = 0 M`: only `CSI |`.
    Cterm,
    /// `CSI = 1 M` (CTerm's default): `CSI |` and `CSI N` (BananaCom's).
    BananaCom,
    /// `CSI = 2 M`: `CSI |`, `CSI N` and `CSI M` without parameters (no Delete Line then).
    All,
}

/// One note or pause to play.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Note {
    /// The frequency in hertz; `None` for a pause.
    pub frequency_hz: Option<f32>,
    /// How long the note sounds, in milliseconds.
    pub duration_ms: u32,
    /// Silence after it (normal and staccato playing), in milliseconds.
    pub gap_ms: u32,
}

/// A first-in first-out queue of notes with a fixed capacity, allocated once; notes that do not
/// fit are dropped.
#[derive(Debug, Clone)]
pub struct NoteQueue {
    q: std::collections::VecDeque<Note>,
    cap: usize,
}

impl NoteQueue {
    /// An empty queue for up to `cap` notes.
    pub fn new(cap: usize) -> Self {
        NoteQueue { q: std::collections::VecDeque::with_capacity(cap), cap }
    }

    /// Adds a note at the end; false (and nothing added) when full.
    pub fn push(&mut self, n: Note) -> bool {
        let room = self.q.len() < self.cap;
        if room {
            self.q.push_back(n);
        }
        room
    }

    /// Removes and returns the oldest note.
    pub fn pop(&mut self) -> Option<Note> {
        self.q.pop_front()
    }

    /// Notes waiting.
    pub fn len(&self) -> usize {
        self.q.len()
    }

    /// True when no note waits.
    pub fn is_empty(&self) -> bool {
        self.q.is_empty()
    }

    /// Drops every note.
    pub fn clear(&mut self) {
        self.q.clear()
    }
}

/// How much of a note sounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Articulation {
    Normal,
    Legato,
    Staccato,
}

/// The frequencies of C in octaves 0 to 6, as CTerm lists them.
const C_HZ: [f32; 7] = [65.406, 130.81, 261.62, 523.25, 1046.5, 2093.0, 4186.0];

/// 2^(k/12) for the semitones of an octave.
const SEMITONE: [f32; 12] = [
    1.0,
    1.059_463_1,
    1.122_462,
    1.189_207_1,
    1.259_921,
    1.334_839_9,
    core::f32::consts::SQRT_2,
    1.498_307_1,
    1.587_401,
    1.681_792_9,
    1.781_797_4,
    1.887_748_6,
];

/// The frequency of note number `n` (0 is C of octave 0; 84 notes in 7 octaves).
pub fn note_frequency(n: i32) -> Option<f32> {
    if !(0..84).contains(&n) {
        return None;
    }
    Some(C_HZ[(n / 12) as usize] * SEMITONE[(n % 12) as usize])
}

/// The music state that lasts from one string to the next (as in BASIC): tempo, octave, default
/// length, articulation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Music {
    tempo: u16,
    octave: u8,
    length: u8,
    articulation: Articulation,
}

impl Default for Music {
    fn default() -> Self {
        Music { tempo: 120, octave: 4, length: 4, articulation: Articulation::Normal }
    }
}

/// Reads a decimal number at `s[*i..]`, saturating; `None` when there are no digits.
fn number(s: &[u8], i: &mut usize) -> Option<u32> {
    let start = *i;
    let mut v: u32 = 0;
    while *i < s.len() && s[*i].is_ascii_digit() {
        v = v.saturating_mul(10).saturating_add((s[*i] - b'0') as u32);
        *i += 1;
    }
    (*i > start).then_some(v)
}

impl Music {
    /// The tempo, quarter notes a minute.
    pub fn tempo(&self) -> u16 {
        self.tempo
    }

    /// The current octave, 0-6.
    pub fn octave(&self) -> u8 {
        self.octave
    }

    /// Plays one music string (without introducer and Shift Out): every note and pause goes to
    /// `out`. `from_m` tells that `CSI M` introduced it: then a string beginning with one of
    /// `BbFfLlSs`, or with `N`/`n` not followed by a digit, is read as if an `M` came first.
    pub fn play(&mut self, s: &[u8], from_m: bool, out: &mut impl FnMut(Note)) {
        let mut i = 0;
        let mut implied_m = false;
        if from_m {
            if let Some(&c) = s.first() {
                let next_digit = s.get(1).is_some_and(u8::is_ascii_digit);
                implied_m = matches!(c.to_ascii_uppercase(), b'B' | b'F' | b'L' | b'S')
                    || (c.eq_ignore_ascii_case(&b'N') && !next_digit);
            }
        }
        while i < s.len() {
            let c = if implied_m {
                implied_m = false;
                b'M'
            } else {
                let c = s[i].to_ascii_uppercase();
                i += 1;
                c
            };
            match c {
                b'T' => {
                    if let Some(t) = number(s, &mut i) {
                        self.tempo = t.clamp(32, 255) as u16;
                    }
                }
                b'O' => {
                    if let Some(o) = number(s, &mut i) {
                        self.octave = o.min(6) as u8;
                    }
                }
                b'L' => {
                    if let Some(l) = number(s, &mut i) {
                        if (1..=64).contains(&l) {
                            self.length = l as u8;
                        }
                    }
                }
                b'<' => self.octave = self.octave.saturating_sub(1),
                b'>' => self.octave = (self.octave + 1).min(6),
                b'M' => {
                    if let Some(&m) = s.get(i) {
                        i += 1;
                        match m.to_ascii_uppercase() {
                            b'N' => self.articulation = Articulation::Normal,
                            b'L' => self.articulation = Articulation::Legato,
                            b'S' => self.articulation = Articulation::Staccato,
                            // MF, MB: foreground or background; the page always plays in the
                            // background. Anything else after M is skipped with it.
                            _ => {}
                        }
                    }
                }
                b'N' => {
                    if let Some(n) = number(s, &mut i) {
                        let note = if n <= 71 { Some(n as i32) } else { None };
                        self.note(note, s, &mut i, false, out);
                    }
                }
                b'A'..=b'G' => {
                    const BASE: [i32; 7] = [9, 11, 0, 2, 4, 5, 7];
                    let n = self.octave as i32 * 12 + BASE[(c - b'A') as usize];
                    self.note(Some(n), s, &mut i, true, out);
                }
                b'P' => self.note(None, s, &mut i, true, out),
                _ => {}
            }
        }
    }

    /// A note (number `n`, or a pause) and its modifiers; `lengths` tells whether digits after it
    /// give its length.
    fn note(&self, mut n: Option<i32>, s: &[u8], i: &mut usize, lengths: bool, out: &mut impl FnMut(Note)) {
        let mut length = self.length as u32;
        let mut dotted = false;
        while let Some(&m) = s.get(*i) {
            match m {
                b'#' | b'+' => n = n.map(|n| n + 1),
                b'-' => n = n.map(|n| n - 1),
                b'.' => dotted = true,
                b'0'..=b'9' if lengths => {
                    let l = number(s, i).unwrap_or(0);
                    if (1..=64).contains(&l) {
                        length = l;
                    }
                    continue;
                }
                _ => break,
            }
            *i += 1;
        }
        // A whole note is four quarter notes at `tempo` quarter notes a minute.
        let mut ms = 240_000 / (self.tempo as u32 * length);
        if dotted {
            ms += ms / 2;
        }
        let frequency_hz = n.and_then(note_frequency);
        let sounding = match (frequency_hz, self.articulation) {
            (None, _) | (_, Articulation::Legato) => ms,
            (_, Articulation::Normal) => ms * 7 / 8,
            (_, Articulation::Staccato) => ms * 3 / 4,
        };
        out(Note { frequency_hz, duration_ms: sounding, gap_ms: ms - sounding });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn play(m: &mut Music, s: &str, from_m: bool) -> Vec<Note> {
        let mut v = vec![];
        m.play(s.as_bytes(), from_m, &mut |n| v.push(n));
        v
    }

    fn hz(n: &Note) -> f32 {
        n.frequency_hz.unwrap_or(0.0)
    }

    #[test]
    fn notes_octaves_and_accidentals() {
        let mut m = Music::default();
        let v = play(&mut m, "O4 C A C# D- > C < < C", false);
        assert_eq!(v.len(), 6);
        assert!((hz(&v[0]) - 1046.5).abs() < 0.01, "{}", hz(&v[0]));
        assert!((hz(&v[1]) - 1760.0).abs() < 1.0, "{}", hz(&v[1]));
        assert!((hz(&v[2]) - hz(&v[3])).abs() < 0.01, "C# is D-");
        assert!((hz(&v[4]) - 2093.0).abs() < 0.01);
        assert!((hz(&v[5]) - 523.25).abs() < 0.01);
        // Octaves stop at 0 and 6.
        let v = play(&mut m, "O9 C O0 << C", false);
        assert!((hz(&v[0]) - 4186.0).abs() < 0.01);
        assert!((hz(&v[1]) - 65.406).abs() < 0.01);
    }

    #[test]
    fn durations_tempo_length_dots_and_articulation() {
        let mut m = Music::default();
        // T120: a quarter note is 500 ms; normal playing sounds 7/8 of it.
        let v = play(&mut m, "C", false);
        assert_eq!((v[0].duration_ms, v[0].gap_ms), (437, 63));
        let v = play(&mut m, "ML C8 C. L2 C P4 MS C", false);
        assert_eq!((v[0].duration_ms, v[0].gap_ms), (250, 0));
        assert_eq!(v[1].duration_ms, 750);
        assert_eq!(v[2].duration_ms, 1000);
        assert_eq!((v[3].frequency_hz, v[3].duration_ms, v[3].gap_ms), (None, 500, 0));
        assert_eq!((v[4].duration_ms, v[4].gap_ms), (750, 250));
        // Dots are not cumulative; tempo is clamped to 32..=255.
        let v = play(&mut m, "MN L4 T255 C.. T1 C T999", false);
        assert_eq!(v[0].duration_ms + v[0].gap_ms, 235 * 3 / 2);
        assert_eq!(v[1].duration_ms + v[1].gap_ms, 240_000 / (32 * 4));
        assert_eq!(m.tempo(), 255);
    }

    #[test]
    fn note_numbers_and_silence() {
        let mut m = Music::default();
        let v = play(&mut m, "N0 N36 N72 N71", false);
        assert!((hz(&v[0]) - 65.406).abs() < 0.01);
        assert!((hz(&v[1]) - 523.25).abs() < 0.01);
        assert_eq!(v[2].frequency_hz, None);
        assert!(v[3].frequency_hz.is_some());
    }

    #[test]
    fn csi_m_strings_imply_an_m() {
        let mut m = Music::default();
        // "CSI MFABC": F is MF, not a note.
        let v = play(&mut m, "FABC", true);
        assert_eq!(v.len(), 3);
        // "N" not followed by a digit is MN; "N5" is a note.
        assert_eq!(play(&mut m, "NC", true).len(), 1);
        assert_eq!(play(&mut m, "N5C", true).len(), 2);
        // Without CSI M, "FABC" is four notes.
        assert_eq!(play(&mut m, "FABC", false).len(), 4);
        // "S" staccato through the implied M.
        let v = play(&mut m, "SC", true);
        assert_eq!(v[0].duration_ms, 375);
    }
}
