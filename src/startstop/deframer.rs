//! The receiving side of start-stop framing: the line's bits back into characters, with V.14's
//! deleted stop bits, and for synchronous modems a look-ahead search for character sync after it
//! was lost.

use super::{Format, Parity};

/// What the receiving side of the framing found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Received {
    /// A character with correct framing (and parity, if any).
    Char(u8),
    /// A character whose parity bit was wrong.
    ParityError(u8),
    /// The stop bit was 0: the character is doubtful and is not delivered.
    FramingError(u8),
    /// A break: at least 2M + 3 bits of space.
    Break,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DeState {
    /// Waiting for a mark bit before looking for a start bit (after power-up, errors and breaks).
    WaitMark,
    /// Line at mark; the next 0 is a start bit.
    Hunt,
    /// Inside a character: `n` bits taken after the start bit.
    Char,
    /// Inside a break (already reported); wait for mark.
    InBreak,
    /// A character of all zeros without its stop bit: a break, if the zeros go on long enough.
    MaybeBreak,
    /// V.14 mode, character sync lost: collecting bits to find it again (see [`Deframer`]).
    Resync,
}

/// Characters a resynchronisation looks ahead over.
pub const RESYNC_CHARS: u32 = 16;

/// Bits a resynchronisation can hold: [`RESYNC_CHARS`] of the longest character (12 bits).
const WINDOW_BITS: usize = 256;

/// The bits collected for a resynchronisation, first in bit 0 of the first word.
#[derive(Debug, Clone, Copy, Default)]
struct Window([u64; WINDOW_BITS / 64]);

impl Window {
    fn get(&self, i: usize) -> u8 {
        ((self.0[i / 64] >> (i % 64)) & 1) as u8
    }

    fn set(&mut self, i: usize, bit: u8) {
        self.0[i / 64] |= (bit as u64 & 1) << (i % 64);
    }
}

/// Most results one bit can complete: a resynchronisation hands over what it looked ahead over.
const MAX_GOT: usize = 2 * RESYNC_CHARS as usize + 4;

/// What one bit completed: nothing, one result, or after a resynchronisation several. An
/// iterator over them, first in time first.
#[derive(Debug, Clone)]
pub struct Got {
    items: [Received; MAX_GOT],
    n: u8,
    next: u8,
}

impl Got {
    fn new() -> Self {
        Got { items: [Received::Break; MAX_GOT], n: 0, next: 0 }
    }

    fn push(&mut self, r: Received) {
        if (self.n as usize) < MAX_GOT {
            self.items[self.n as usize] = r;
            self.n += 1;
        }
    }

    /// How many results are left.
    pub fn len(&self) -> usize {
        (self.n - self.next) as usize
    }

    /// True when there are none left.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Iterator for Got {
    type Item = Received;

    fn next(&mut self) -> Option<Received> {
        if self.next < self.n {
            self.next += 1;
            Some(self.items[self.next as usize - 1])
        } else {
            None
        }
    }
}

/// Turns the bit stream of the line back into characters.
///
/// It looks for a 1-to-0 transition as the start bit, takes the data and parity bits and checks the
/// first stop bit. After a framing error it waits for the line to return to mark and hunts again,
/// so it resynchronises on the next character with an idle gap. A run of 2M + 3 zeros is a break.
///
/// In V.14 mode (synchronous modems carrying start-stop characters) a sender whose terminal runs
/// slightly fast may delete stop bits, as V.14 permits for its extended signalling rate range (the
/// terminal up to 2.3 % fast): at most one in any four consecutive characters (the basic range,
/// up to 1 % fast, needs one in eight). A 0 where the stop bit belongs, after a character that was
/// not all zeros and at least [`V14_KEPT_BETWEEN`] characters after the last deletion, is then the
/// next character's start bit. A deletion sooner than that is not one V.14 allows: it is a
/// framing error, counted as one, and the deframer hunts for character sync again.
///
/// Hunting for the next 1-to-0 transition finds sync again only where the line idles between
/// characters. In continuous text (a file, a BBS's screen) every character follows the last
/// without a gap, and a hunt that starts inside one takes a data bit for a start bit; ASCII makes
/// such a slip stable (bit 7 is always 0, bit 6 mostly 1, so a frame shifted by eight bits has a
/// "start" and a "stop" bit where they belong for as long as only letters come), and V.14's
/// deleted stop bits let it go on through the spaces. So in V.14 mode, where the modem gives the
/// bit timing, a deframer that lost sync (a framing error, a hole in the signal, a new connection)
/// looks ahead over [`RESYNC_CHARS`] characters' bits first: if the line idled for a character or
/// more among them, it hunts through them as usual; if not, it takes the most likely framing of
/// them (see `best_alignment`), and deframes them from there. A deleted stop bit is checked the
/// same way: the framing it gives stands if it explains what follows. What the look-ahead found
/// comes out then, several characters at once; [`Deframer::flush`] has it before a pause.
#[derive(Debug, Clone)]
pub struct Deframer {
    format: Format,
    state: DeState,
    shift: u16,
    n: u8,
    zeros: u32,
    v14: bool,
    /// Characters received with their stop bit since the last deleted one.
    kept: u8,
    /// [`DeState::Resync`]: the bits collected, first in bit 0, and how many.
    window: Window,
    have: u32,
    /// The look-ahead began at a deleted stop bit: the 0 taken for the next start bit is the
    /// alignment to beat.
    from_deletion: bool,
}

/// V.14: after a character whose stop bit was deleted, at least this many characters keep theirs
/// (one deletion in any four consecutive characters, the extended signalling rate range).
pub const V14_KEPT_BETWEEN: u8 = 3;

impl Deframer {
    /// A deframer for `format`.
    pub fn new(format: Format) -> Self {
        Deframer {
            format,
            state: DeState::WaitMark,
            shift: 0,
            n: 0,
            zeros: 0,
            v14: false,
            kept: V14_KEPT_BETWEEN,
            window: Window::default(),
            have: 0,
            from_deletion: false,
        }
    }

    /// Accepts characters whose stop bit was deleted (V.14 over-speed) and finds lost character
    /// sync by looking ahead, or not.
    pub fn set_v14(&mut self, on: bool) {
        self.v14 = on;
        if !on && self.state == DeState::Resync {
            self.state = DeState::WaitMark;
        }
    }

    /// The format.
    pub fn format(&self) -> Format {
        self.format
    }

    /// True while waiting for a start bit: the bit timing may be re-aligned on the next edge.
    pub fn is_hunting(&self) -> bool {
        matches!(self.state, DeState::Hunt | DeState::WaitMark | DeState::InBreak | DeState::MaybeBreak)
    }

    /// True while looking ahead for character sync (V.14 mode).
    pub fn is_resynchronising(&self) -> bool {
        self.state == DeState::Resync
    }

    /// Forgets any partial character and waits for mark (after a loss of carrier), or in V.14
    /// mode looks for character sync afresh. Bits collected for a resynchronisation are dropped:
    /// [`Deframer::flush`] first to have what they held.
    pub fn reset(&mut self) {
        self.kept = V14_KEPT_BETWEEN;
        self.lose_sync();
        if !self.v14 {
            self.state = DeState::WaitMark;
        }
        self.zeros = 0;
    }

    /// Resynchronises now with the bits collected so far, if it was looking ahead, and returns
    /// what they held (before a hole in the bits, say).
    pub fn flush(&mut self) -> Got {
        let mut got = Got::new();
        // Replaying what was collected may meet a deleted stop bit, which starts another look
        // ahead over what is left: settle that too (each holds fewer bits than the last).
        let mut left = self.have + 1;
        while self.state == DeState::Resync && self.have > 0 && self.have < left {
            left = self.have;
            self.resync(&mut got);
        }
        got
    }

    /// Takes one bit from the line; returns what it completes.
    pub fn push(&mut self, bit: u8) -> Got {
        let mut got = Got::new();
        self.step(bit & 1, &mut got);
        got
    }

    fn lose_sync(&mut self) {
        self.from_deletion = false;
        if self.v14 {
            self.state = DeState::Resync;
            self.window = Window::default();
            self.have = 0;
        } else {
            self.state = DeState::WaitMark;
        }
    }

    fn step(&mut self, bit: u8, got: &mut Got) {
        self.zeros = if bit == 0 { self.zeros.saturating_add(1) } else { 0 };
        let brk = 2 * self.format.bits_per_char() + 3;
        match self.state {
            DeState::WaitMark => {
                if bit == 1 {
                    self.state = DeState::Hunt;
                } else if self.zeros >= brk {
                    self.state = DeState::InBreak;
                    got.push(Received::Break);
                }
            }
            DeState::InBreak => {
                if bit == 1 {
                    self.state = DeState::Hunt;
                }
            }
            DeState::MaybeBreak => {
                if bit == 1 {
                    self.state = DeState::Hunt;
                    got.push(Received::FramingError(0));
                } else if self.zeros >= brk {
                    self.state = DeState::InBreak;
                    got.push(Received::Break);
                }
            }
            DeState::Hunt => {
                if bit == 0 {
                    self.start_char();
                }
            }
            DeState::Char => self.char_bit(bit, got),
            DeState::Resync => {
                if self.zeros >= brk {
                    self.state = DeState::InBreak;
                    got.push(Received::Break);
                    return;
                }
                self.window.set(self.have as usize, bit);
                self.have += 1;
                if self.have >= RESYNC_CHARS * self.format.bits_per_char() {
                    self.resync(got);
                }
            }
        }
    }

    fn start_char(&mut self) {
        self.state = DeState::Char;
        self.shift = 0;
        self.n = 0;
    }

    fn char_bit(&mut self, bit: u8, got: &mut Got) {
        let f = self.format;
        let body = f.data_bits + (f.parity != Parity::None) as u8;
        if self.n < body {
            self.shift |= (bit as u16) << self.n;
            self.n += 1;
            return;
        }
        // This is the (first) stop bit.
        let data = (self.shift & ((1 << f.data_bits) - 1)) as u8;
        if bit == 0 && self.v14 && self.zeros <= body as u32 + 1 && self.kept >= V14_KEPT_BETWEEN {
            // A deleted stop bit: this 0 starts the next character (the parity bit is checked
            // before the shift register is cleared for it). Or a slip: in text a misframed stream
            // shows a "deleted" stop bit at nearly every space, at a rate V.14 allows, and would
            // stay misframed. So the alignment this 0 gives is checked by looking ahead: it wins
            // the earliest of equals, and wins outright in a sender's real over-speed.
            got.push(self.checked(data));
            self.state = DeState::Resync;
            self.window = Window::default();
            self.have = 1;
            self.from_deletion = true;
            self.zeros = 1;
            self.kept = 0;
            return;
        }
        if bit == 0 {
            if self.zeros > body as u32 + 1 {
                // All zeros: a break has begun, or a framing error will show when the line
                // returns to mark first.
                self.state = DeState::MaybeBreak;
                return;
            }
            got.push(Received::FramingError(data));
            self.lose_sync();
            return;
        }
        self.state = DeState::Hunt;
        self.kept = self.kept.saturating_add(1);
        got.push(self.checked(data));
    }

    /// Finds character sync in the bits collected and deframes them from there.
    fn resync(&mut self, got: &mut Got) {
        let (window, have) = (self.window, self.have);
        let frame = self.format.bits_per_char();
        let bit = |i: u32| window.get(i as usize);
        // A run of ones a character long is the line idling: hunting finds sync after it.
        let mut run = 0;
        let mut idled = false;
        for i in 0..have {
            run = if bit(i) == 1 { run + 1 } else { 0 };
            idled |= run >= frame;
        }
        let kept = self.kept.min(V14_KEPT_BETWEEN);
        let start = if idled || have < frame {
            // Hunting finds sync, from the start bit a deletion gave if that is what began this.
            self.from_deletion.then_some(0)
        } else {
            Some(self.best_alignment(&window, have, kept))
        };
        self.window = Window::default();
        self.have = 0;
        self.kept = kept;
        self.zeros = 0;
        let from = match start {
            // From there: a start bit, or the line idling until one.
            Some(o) => {
                self.state = DeState::Hunt;
                o.min(have)
            }
            None => {
                self.state = DeState::WaitMark;
                0
            }
        };
        for i in from..have {
            if i == from && start.is_some() && bit(i) == 0 {
                self.zeros = 1;
                self.start_char();
                continue;
            }
            self.step(bit(i), got);
        }
    }

    /// The offset, under one character from the window's start, at which the most likely framing
    /// of the window's first `have` bits begins. A framing is a sequence of characters back to
    /// back or with the line idling between them, each with its stop bit or (V.14, at most one in
    /// [`V14_KEPT_BETWEEN`] + 1, `kept` characters having kept theirs before the window) without.
    ///
    /// After a deleted stop bit, the framing that deletion gave stands if it explains the window
    /// with every start, stop and parity bit in place: a sender's real over-speed, or a slip that
    /// shows itself later. Otherwise each character whose start and stop bits are in place counts
    /// for a framing (by chance that happens one time in four), each misplaced start, stop or
    /// parity bit against it twice as much, a deletion and a run of idle bits before a character
    /// a little against it (in continuous text there are none, and a slipped framing needs one to
    /// come back); the earliest offset of equals.
    fn best_alignment(&self, window: &Window, have: u32, kept: u8) -> u32 {
        let have = (have as usize).min(WINDOW_BITS);
        let frame = self.format.bits_per_char() as usize;
        if self.from_deletion {
            // The framing that deletion gave stands if nothing in it is out of place, unless it
            // needs more deletions or idling where another runs through the window clean and
            // back to back: a slip in continuous text finds a "deleted" stop bit at nearly every
            // space, and a sender that over-speeds or pauses leaves no other framing clean.
            let (given, _) = self.framing_cost(window, have, kept, 0..1, Weights::DELETIONS_AND_IDLING);
            // (Over a whole window only: a few characters, as a flush may have, leave too much
            // to chance.)
            if given > 0 && have >= (RESYNC_CHARS as usize) * frame {
                let (c, o) = self.framing_cost(window, have, kept, 0..frame.min(have), Weights::CONTINUOUS);
                if c == 0 {
                    return o as u32;
                }
            }
            if given < Weights::DELETIONS_AND_IDLING.miss {
                return 0;
            }
        }
        self.framing_cost(window, have, kept, 0..frame.min(have), Weights::LIKELIHOOD).1 as u32
    }

    /// The least cost of a framing of the window's first `have` bits beginning at one of
    /// `origins`, and the (earliest) origin it begins at: a small dynamic programme over (bit
    /// position, characters since a deletion, idling since the last character).
    fn framing_cost(
        &self,
        window: &Window,
        have: usize,
        kept: u8,
        origins: core::ops::Range<usize>,
        w: Weights,
    ) -> (i16, u8) {
        const K: usize = V14_KEPT_BETWEEN as usize + 1;
        const NONE: (i16, u8) = (i16::MAX, 0);
        let f = self.format;
        let frame = f.bits_per_char() as usize;
        let body = f.data_bits as usize + (f.parity != Parity::None) as usize;
        let bit = |i: usize| window.get(i);
        // Misplaced start, stop and parity bits of a character at p whose stop bit is at `stop`
        // (for a deleted one: the next start bit, a 0).
        let misses = |p: usize, stop: usize, stop_is: u8| {
            let mut data = 0u8;
            for j in 0..f.data_bits as usize {
                data |= bit(p + 1 + j) << j;
            }
            let parity = f.parity != Parity::None && bit(p + 1 + f.data_bits as usize) != f.parity_bit(data);
            (bit(p) != 0) as i16 + (bit(stop) != stop_is) as i16 + parity as i16
        };
        let mut best = [[[NONE; 2]; K]; WINDOW_BITS + 1];
        let k0 = (kept as usize).min(K - 1);
        for o in origins {
            best[o][k0][0] = (0, o as u8);
        }
        let relax = |slot: &mut (i16, u8), cand: (i16, u8)| {
            if cand < *slot {
                *slot = cand;
            }
        };
        let mut end = NONE;
        for p in 0..=have {
            for k in 0..K {
                for i in 0..2 {
                    let (c, o) = best[p][k][i];
                    if c == i16::MAX {
                        continue;
                    }
                    if p + frame > have {
                        // No whole character more fits: a framing of the whole window ends here.
                        relax(&mut end, (c, o));
                    }
                    let idled = i as i16 * w.idle;
                    if p + frame <= have {
                        let m = misses(p, p + 1 + body, 1);
                        relax(&mut best[p + frame][(k + 1).min(K - 1)][0], (c + w.miss * m - w.reward + idled, o));
                    }
                    if self.v14 && k == K - 1 && p + frame - 1 < have {
                        let m = misses(p, p + frame - 1, 0);
                        relax(&mut best[p + frame - 1][0][0], (c + w.miss * m - w.reward + idled + w.deletion, o));
                    }
                    if p < have && bit(p) == 1 {
                        relax(&mut best[p + 1][k][1], (c, o));
                    }
                }
            }
        }
        end
    }

    fn checked(&self, data: u8) -> Received {
        let f = self.format;
        if f.parity != Parity::None {
            let p = ((self.shift >> f.data_bits) & 1) as u8;
            if p != f.parity_bit(data) {
                return Received::ParityError(data);
            }
        }
        Received::Char(data)
    }
}

/// What [`Deframer::framing_cost`] counts for and against a framing.
#[derive(Debug, Clone, Copy)]
struct Weights {
    /// Each misplaced start, stop or parity bit.
    miss: i16,
    /// Each character.
    reward: i16,
    /// Each deleted stop bit.
    deletion: i16,
    /// Each run of idle bits a character follows.
    idle: i16,
}

impl Weights {
    /// Deletions and runs of idle bits, among framings with nothing out of place (and at least
    /// `miss` for one with something).
    const DELETIONS_AND_IDLING: Weights = Weights { miss: 64, reward: 0, deletion: 1, idle: 1 };
    /// Zero only for characters back to back with nothing out of place and no deletion.
    const CONTINUOUS: Weights = Weights { miss: 64, reward: 0, deletion: 64, idle: 64 };
    /// How likely a framing is, roughly: a character in place is twice as likely as by chance
    /// (the start and stop bits of a wrong framing are in place one time in four).
    const LIKELIHOOD: Weights = Weights { miss: 4, reward: 2, deletion: 1, idle: 1 };
}
