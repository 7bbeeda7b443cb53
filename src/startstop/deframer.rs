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
pub const RESYNC_CHARS: u32 = 8;

/// Most results one bit can complete: a resynchronisation hands over what it looked ahead over.
const MAX_GOT: usize = RESYNC_CHARS as usize + 2;

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
/// "start" and a "stop" bit where they belong for as long as only letters come), and it can last
/// dozens of characters. So in V.14 mode, where the modem gives the bit timing, a deframer that
/// lost sync (a framing error, a hole in the signal, a new connection) looks ahead over
/// [`RESYNC_CHARS`] characters' bits first: if the line idled for a character or more among them,
/// it hunts through them as usual; if not, it takes the alignment whose frames have a start bit
/// and a stop bit in place most often, and deframes them from there. What it found comes out then,
/// a few characters at once.
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
    window: u128,
    have: u32,
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
            window: 0,
            have: 0,
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
        if self.state == DeState::Resync {
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
        if self.v14 {
            self.state = DeState::Resync;
            self.window = 0;
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
                self.window |= (bit as u128) << self.have;
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
            // before the shift register is cleared for it).
            got.push(self.checked(data));
            self.shift = 0;
            self.n = 0;
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
        let body = self.format.data_bits as u32 + (self.format.parity != Parity::None) as u32;
        let bit = |i: u32| ((window >> i) & 1) as u8;
        // A run of ones a character long is the line idling: hunting finds sync after it.
        let mut run = 0;
        let mut idled = false;
        for i in 0..have {
            run = if bit(i) == 1 { run + 1 } else { 0 };
            idled |= run >= frame;
        }
        // Whole frames every alignment can be judged on.
        let frames = have.saturating_sub(frame - 1) / frame;
        let start = if idled || frames == 0 {
            None
        } else {
            // The alignment whose frames most often have their start bit (0) and first stop bit
            // (1) in place; the earliest of equals.
            let misses = |o: u32| {
                (0..frames)
                    .map(|k| o + k * frame)
                    .map(|p| (bit(p) != 0) as u32 + (bit(p + 1 + body) != 1) as u32)
                    .sum::<u32>()
            };
            (0..frame).min_by_key(|&o| (misses(o), o))
        };
        self.window = 0;
        self.have = 0;
        self.kept = 0;
        self.zeros = 0;
        let from = match start {
            // The first frame of that alignment with a start bit where it belongs.
            Some(o) => {
                let mut p = o;
                while p < have && bit(p) != 0 {
                    p += frame;
                }
                self.state = DeState::Hunt;
                p.min(have)
            }
            None => {
                self.state = DeState::WaitMark;
                0
            }
        };
        for i in from..have {
            if i == from && start.is_some() {
                self.zeros = 1;
                self.start_char();
                continue;
            }
            self.step(bit(i), got);
        }
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
