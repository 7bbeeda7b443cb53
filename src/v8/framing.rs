//! How V.8's signals go on the line, bit by bit (V.21 at 300 bit/s).
//!
//! Each CI, CM or JM *sequence* is ten binary ones ([`PREAMBLE_ONES`]), a synchronisation octet
//! ([`Sync`]) and the content octets. Every octet, the synchronisation octet included, is framed as
//! a start-stop character: a start bit (0), the eight bits b0 first, a stop bit (1), with no gap
//! between characters. A signal is its sequence sent again and again, back to back. CJ, the end of
//! CM, is three all-zero octets framed the same way ([`CJ_OCTETS`]), sent straight after the CM
//! octet in progress (never after a whole preamble, where it would read as CI: see
//! [`CJ_MAX_LEAD_ONES`]). All of this was measured on spandsp 0.0.6's output (see
//! `docs/notes/v8.md`): the CM/JM line bits are `1111111111 0000001111 0100000111 ...` for `E0`,
//! `C1`, ...
//!
//! [`SequenceSender`] makes the bits of a signal (and CJ) for a transmitter; [`SequenceReceiver`]
//! takes a receiver's bits and recovers the sequences and CJ.

use crate::bits::{BitSink, BitSource};

/// Binary ones before each sequence.
pub const PREAMBLE_ONES: u32 = 10;
/// The most preamble ones after which CJ may still start at once. After more, CJ would look like a
/// preamble and a CI synchronisation octet, and spandsp takes it for that (measured: CJ after up to 6
/// preamble ones is recognised, after 8-10 it is not); so the sequence is completed first.
pub const CJ_MAX_LEAD_ONES: u32 = 4;
/// All-zero octets in CJ.
pub const CJ_OCTETS: u32 = 3;
/// The most content octets a received sequence keeps; longer ones are cut (and marked).
pub const MAX_OCTETS: usize = 16;
/// Ones a receiver needs before a synchronisation octet: the preamble less one bit, so a single
/// bit error at its start does not lose the sequence.
const HUNT_ONES: u32 = PREAMBLE_ONES - 1;

/// The synchronisation octet after the preamble, which says what the sequence is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Sync {
    /// CI: the octet 0x00 (line bits `0000000001`). Not confirmed by measurement: spandsp neither
    /// sends CI nor reacts to it (see `docs/notes/v8.md`).
    Ci,
    /// CM and JM: the octet 0xE0 (line bits `0000001111`, b5-b7 set), measured.
    CmJm,
    /// V.92's sequence as spandsp sends it before CM: the octet 0x55 (line bits `0101010101`),
    /// followed by one octet. Recognised so that it can be skipped.
    V92,
    /// Any other octet after a preamble.
    Other(u8),
}

impl Sync {
    /// The synchronisation octet.
    pub fn octet(self) -> u8 {
        match self {
            Sync::Ci => 0x00,
            Sync::CmJm => 0xE0,
            Sync::V92 => 0x55,
            Sync::Other(o) => o,
        }
    }

    /// The kind of sequence `octet` starts.
    pub fn from_octet(octet: u8) -> Sync {
        match octet {
            0x00 => Sync::Ci,
            0xE0 => Sync::CmJm,
            0x55 => Sync::V92,
            o => Sync::Other(o),
        }
    }
}

/// One received sequence: its synchronisation octet and content octets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Sequence {
    /// What it is.
    pub sync: Sync,
    octets: [u8; MAX_OCTETS],
    len: u8,
    truncated: bool,
}

impl Sequence {
    /// A sequence of `sync` with the first [`MAX_OCTETS`] of `octets`.
    pub fn new(sync: Sync, octets: &[u8]) -> Sequence {
        let mut s = Sequence { sync, octets: [0; MAX_OCTETS], len: 0, truncated: octets.len() > MAX_OCTETS };
        let n = octets.len().min(MAX_OCTETS);
        s.octets[..n].copy_from_slice(&octets[..n]);
        s.len = n as u8;
        s
    }

    /// The content octets (without the synchronisation octet).
    pub fn octets(&self) -> &[u8] {
        &self.octets[..self.len as usize]
    }

    /// True if the sequence was longer than [`MAX_OCTETS`] and has been cut.
    pub fn is_truncated(&self) -> bool {
        self.truncated
    }

    fn push(&mut self, octet: u8) {
        if (self.len as usize) < MAX_OCTETS {
            self.octets[self.len as usize] = octet;
            self.len += 1;
        } else {
            self.truncated = true;
        }
    }
}

/// What a [`SequenceReceiver`] recovered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Received {
    /// A whole sequence, ended by the next preamble.
    Sequence(Sequence),
    /// CJ: three framed all-zero octets in a row.
    Cj,
}

/// When a [`SequenceSender`] is to send CJ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CjWhen {
    No,
    AfterOctet,
    AfterSequence,
}

/// Where a [`SequenceSender`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TxStep {
    /// Sending preamble ones; this many still to send.
    Preamble(u32),
    /// Sending octet `index` of the sequence (0 is the synchronisation octet), bit `bit` of its
    /// ten (0 is the start bit).
    Octet { index: usize, bit: u32 },
    /// Sending CJ: octet `index` (0-2), bit `bit`.
    Cj { index: u32, bit: u32 },
    /// Finished: marks.
    Done,
}

/// The bits of a V.8 signal: its sequence repeated until [`SequenceSender::send_cj`] or
/// [`SequenceSender::stop`], a [`BitSource`] for an FSK transmitter.
#[derive(Debug, Clone)]
pub struct SequenceSender {
    /// The synchronisation octet and the content.
    octets: [u8; MAX_OCTETS + 1],
    len: usize,
    step: TxStep,
    cj: CjWhen,
    stop: bool,
    sequences: u32,
}

impl SequenceSender {
    /// A sender of `sync` then the first [`MAX_OCTETS`] of `octets`, starting with the preamble.
    pub fn new(sync: Sync, octets: &[u8]) -> SequenceSender {
        let mut all = [0u8; MAX_OCTETS + 1];
        all[0] = sync.octet();
        let n = octets.len().min(MAX_OCTETS);
        all[1..=n].copy_from_slice(&octets[..n]);
        SequenceSender {
            octets: all,
            len: n + 1,
            step: TxStep::Preamble(PREAMBLE_ONES),
            cj: CjWhen::No,
            stop: false,
            sequences: 0,
        }
    }

    /// Sends CJ after the octet in progress, then finishes. In the preamble, CJ starts at once if
    /// no more than [`CJ_MAX_LEAD_ONES`] ones of it have gone; otherwise the sequence is completed
    /// first (so that CJ never follows a whole preamble).
    pub fn send_cj(&mut self) {
        match self.step {
            TxStep::Preamble(left) if PREAMBLE_ONES - left <= CJ_MAX_LEAD_ONES => {
                self.step = TxStep::Cj { index: 0, bit: 0 };
            }
            TxStep::Preamble(_) => self.cj = CjWhen::AfterSequence,
            TxStep::Octet { .. } => self.cj = CjWhen::AfterOctet,
            TxStep::Cj { .. } | TxStep::Done => {}
        }
    }

    /// Finishes at the end of the octet in progress (at once, if in the preamble).
    pub fn stop(&mut self) {
        self.stop = true;
        if let TxStep::Preamble(_) = self.step {
            self.step = TxStep::Done;
        }
    }

    /// True once everything asked for has been sent (the next bits are marks).
    pub fn is_finished(&self) -> bool {
        self.step == TxStep::Done
    }

    /// True while CJ is being sent.
    pub fn is_sending_cj(&self) -> bool {
        matches!(self.step, TxStep::Cj { .. })
    }

    /// How many whole sequences have been sent.
    pub fn sequences_sent(&self) -> u32 {
        self.sequences
    }

    /// The step after a whole octet when CJ or a stop was asked for (`last`: the sequence's last).
    fn after_boundary(&self, last: bool) -> Option<TxStep> {
        if self.cj == CjWhen::AfterOctet || (last && self.cj == CjWhen::AfterSequence) {
            Some(TxStep::Cj { index: 0, bit: 0 })
        } else if self.stop {
            Some(TxStep::Done)
        } else {
            None
        }
    }
}

impl BitSource for SequenceSender {
    fn next_bit(&mut self) -> u8 {
        match self.step {
            TxStep::Preamble(left) => {
                self.step = if left > 1 { TxStep::Preamble(left - 1) } else { TxStep::Octet { index: 0, bit: 0 } };
                1
            }
            TxStep::Octet { index, bit } => {
                let out = framed_bit(self.octets[index], bit);
                self.step = if bit + 1 < 10 {
                    TxStep::Octet { index, bit: bit + 1 }
                } else if let Some(s) = self.after_boundary(index + 1 == self.len) {
                    s
                } else if index + 1 < self.len {
                    TxStep::Octet { index: index + 1, bit: 0 }
                } else {
                    self.sequences = self.sequences.saturating_add(1);
                    TxStep::Preamble(PREAMBLE_ONES)
                };
                out
            }
            TxStep::Cj { index, bit } => {
                self.step = if bit + 1 < 10 {
                    TxStep::Cj { index, bit: bit + 1 }
                } else if index + 1 < CJ_OCTETS {
                    TxStep::Cj { index: index + 1, bit: 0 }
                } else {
                    TxStep::Done
                };
                framed_bit(0, bit)
            }
            TxStep::Done => 1,
        }
    }
}

/// Bit `bit` (0-9) of `octet` framed as a start-stop character.
fn framed_bit(octet: u8, bit: u32) -> u8 {
    match bit {
        0 => 0,
        1..=8 => (octet >> (bit - 1)) & 1,
        _ => 1,
    }
}

/// Where a [`SequenceReceiver`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RxStep {
    /// Looking for a preamble and the start bit after it.
    Hunt,
    /// Inside an octet: `n` data bits so far in `acc`; `sync` if it is the synchronisation octet.
    Octet { acc: u8, n: u32, sync: bool },
    /// Between octets of a sequence: the stop bit and `ones` - 1 further ones so far.
    Between,
}

/// The line sequences of V.8 from a receiver's bits: a [`BitSink`] for an FSK receiver.
///
/// It hunts for [`PREAMBLE_ONES`] ones (one fewer will do), reads the synchronisation octet and then
/// framed octets until the next preamble, which ends the sequence; a framing error (a 0 where a stop
/// bit belongs) or the loss of the carrier drops the sequence in progress. CJ is watched for
/// separately, on the raw bits, since it follows the CM octets without a preamble: nine zeros and a
/// one, three times over, is three framed 0x00 octets whatever the octet alignment, because nine
/// zeros in a row can only be a start bit and eight zero data bits.
///
/// Recovered items wait in a small queue (up to 4; more are dropped) for [`SequenceReceiver::poll`].
#[derive(Debug, Clone)]
pub struct SequenceReceiver {
    step: RxStep,
    ones: u32,
    current: Sequence,
    /// The last 30 bits, newest in bit 0.
    history: u32,
    queue: crate::queue::Fifo<Received, 4>,
}

impl Default for SequenceReceiver {
    fn default() -> Self {
        Self::new()
    }
}

/// Three framed zero octets, oldest bit first: `0000000001` three times.
const CJ_PATTERN: u32 = 1 | 1 << 10 | 1 << 20;
const CJ_MASK: u32 = (1 << 30) - 1;

impl SequenceReceiver {
    /// A receiver hunting for a preamble.
    pub fn new() -> Self {
        SequenceReceiver {
            step: RxStep::Hunt,
            ones: 0,
            current: Sequence::new(Sync::Other(0xFF), &[]),
            history: CJ_MASK,
            queue: crate::queue::Fifo::new(),
        }
    }

    /// Forgets any partial sequence and everything queued.
    pub fn reset(&mut self) {
        *self = Self::new();
    }

    /// The oldest item recovered and not yet taken.
    pub fn poll(&mut self) -> Option<Received> {
        self.queue.pop()
    }

    fn emit(&mut self, r: Received) {
        self.queue.push(r);
    }

    /// Takes one bit.
    pub fn push(&mut self, bit: u8) {
        let bit = bit & 1;
        self.history = (self.history << 1 | bit as u32) & CJ_MASK;
        if self.history == CJ_PATTERN {
            // CJ ends the sequence in progress, which it was not part of.
            self.emit(Received::Cj);
            self.history = CJ_MASK;
            self.step = RxStep::Hunt;
            self.ones = 0;
            return;
        }
        match self.step {
            RxStep::Hunt => {
                if bit == 1 {
                    self.ones = self.ones.saturating_add(1);
                } else {
                    if self.ones >= HUNT_ONES {
                        self.step = RxStep::Octet { acc: 0, n: 0, sync: true };
                    }
                    self.ones = 0;
                }
            }
            RxStep::Octet { acc, n, sync } => {
                if n < 8 {
                    self.step = RxStep::Octet { acc: acc | bit << n, n: n + 1, sync };
                } else if bit == 0 {
                    // Framing error: drop the sequence.
                    self.step = RxStep::Hunt;
                    self.ones = 0;
                } else {
                    if sync {
                        self.current = Sequence::new(Sync::from_octet(acc), &[]);
                    } else {
                        self.current.push(acc);
                    }
                    self.step = RxStep::Between;
                    self.ones = 1;
                }
            }
            RxStep::Between => {
                if bit == 0 {
                    self.step = RxStep::Octet { acc: 0, n: 0, sync: false };
                    self.ones = 0;
                } else {
                    self.ones += 1;
                    // The stop bit and a preamble less one: the sequence is over.
                    if self.ones > HUNT_ONES {
                        let s = self.current;
                        self.emit(Received::Sequence(s));
                        self.step = RxStep::Hunt;
                        self.ones -= 1;
                    }
                }
            }
        }
    }

    /// True while waiting for a start bit (so a receiver may re-align its bit timing).
    pub fn between_characters(&self) -> bool {
        !matches!(self.step, RxStep::Octet { .. })
    }
}

impl BitSink for SequenceReceiver {
    fn put_bit(&mut self, bit: u8, _soft: f32) {
        self.push(bit);
    }

    fn wants_resync(&self) -> bool {
        self.between_characters()
    }

    fn carrier(&mut self, on: bool) {
        if !on {
            self.step = RxStep::Hunt;
            self.ones = 0;
            self.history = CJ_MASK;
        }
    }
}

/// Keeps the last sequence of one kind and says when the same one comes twice in a row.
#[derive(Debug, Clone, Default)]
pub struct Repeats {
    last: Option<Sequence>,
    confirmed: bool,
}

impl Repeats {
    /// Takes a sequence; true the first time it is identical to the one before.
    pub fn push(&mut self, s: &Sequence) -> bool {
        let same = self.last.as_ref() == Some(s);
        self.last = Some(*s);
        if same && !self.confirmed {
            self.confirmed = true;
            return true;
        }
        if !same {
            self.confirmed = false;
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::rng::Rng;

    fn bits_of(sender: &mut SequenceSender, n: usize) -> Vec<u8> {
        (0..n).map(|_| sender.next_bit()).collect()
    }

    fn line(s: &str) -> Vec<u8> {
        s.bytes().filter(|b| *b == b'0' || *b == b'1').map(|b| b - b'0').collect()
    }

    #[test]
    fn cm_bits_are_the_ones_measured_on_spandsp() {
        // spandsp 0.0.6's CM for V.22bis, V.21, V.23, V.34, as our receiver demodulated it.
        let want = line(
            "1111111111 0000001111 0100000111 0101000101 0010010001 0001010011 \
             1111111111 0000001111",
        );
        let mut s = SequenceSender::new(Sync::CmJm, &[0xC1, 0x45, 0x12, 0x94]);
        assert_eq!(bits_of(&mut s, want.len()), want);
        assert_eq!(s.sequences_sent(), 1);
    }

    #[test]
    fn cj_follows_the_octet_in_progress() {
        let mut s = SequenceSender::new(Sync::CmJm, &[0xC1, 0x05, 0x12, 0x10]);
        let mut bits = bits_of(&mut s, 10 + 10 + 3); // preamble, sync, 3 bits of C1
        s.send_cj();
        bits.extend(bits_of(&mut s, 7 + 30));
        assert!(s.is_finished());
        let want = line("1111111111 0000001111 0100000111 0000000001 0000000001 0000000001");
        assert_eq!(bits, want);
        assert_eq!(bits_of(&mut s, 5), [1; 5]);
        // Early in the preamble, CJ starts at once.
        let mut s = SequenceSender::new(Sync::CmJm, &[0xC1]);
        bits_of(&mut s, 4);
        s.send_cj();
        assert_eq!(bits_of(&mut s, 30), line("0000000001 0000000001 0000000001"));
        // Later, the sequence is completed first.
        let mut s = SequenceSender::new(Sync::CmJm, &[0xC1]);
        bits_of(&mut s, 5);
        s.send_cj();
        assert_eq!(bits_of(&mut s, 55), line("11111 0000001111 0100000111 0000000001 0000000001 0000000001"));
        assert!(s.is_finished());
    }

    #[test]
    fn stop_ends_the_octet_in_progress() {
        let mut s = SequenceSender::new(Sync::CmJm, &[0xC1, 0x05]);
        bits_of(&mut s, 12);
        s.stop();
        let bits = bits_of(&mut s, 8 + 10);
        assert_eq!(bits, line("00001111 1111111111"));
        assert!(s.is_finished());
        assert_eq!(s.sequences_sent(), 0);
        let mut s = SequenceSender::new(Sync::CmJm, &[0xC1]);
        s.stop();
        assert!(bits_of(&mut s, 20).iter().all(|&b| b == 1));
        assert!(s.is_finished());
    }

    fn receive(bits: &[u8]) -> Vec<Received> {
        let mut r = SequenceReceiver::new();
        let mut out = vec![];
        for &b in bits {
            r.push(b);
            while let Some(x) = r.poll() {
                out.push(x);
            }
        }
        out
    }

    #[test]
    fn receiver_recovers_repeated_sequences_and_cj() {
        let mut s = SequenceSender::new(Sync::CmJm, &[0xC1, 0x45, 0x12, 0x94]);
        let mut bits = vec![1u8; 7];
        bits.extend(bits_of(&mut s, 60 * 3 + 25));
        s.send_cj();
        bits.extend(bits_of(&mut s, 60));
        let got = receive(&bits);
        let seq = Received::Sequence(Sequence::new(Sync::CmJm, &[0xC1, 0x45, 0x12, 0x94]));
        // The first three end with the next preamble; the fourth is cut short by CJ.
        assert_eq!(got, vec![seq, seq, seq, Received::Cj]);
    }

    #[test]
    fn spandsps_last_cm_with_its_odd_sync_still_ends_in_cj() {
        // What spandsp sent when it recognised JM: a CM with sync 0100001111, the octets, CJ.
        let bits = line(
            "1111111111 0000001111 0100000111 0101000101 0010010001 0001010011 \
             1111111111 0100001111 0100000111 0101000101 0010010001 0001010011 \
             0000000001 0000000001 0000000001 1111",
        );
        let got = receive(&bits);
        assert_eq!(got.len(), 2, "{got:?}");
        assert!(matches!(got[0], Received::Sequence(s) if s.sync == Sync::CmJm));
        assert_eq!(got[1], Received::Cj);
    }

    #[test]
    fn v92_and_ci_sequences_are_told_apart() {
        let bits = line(
            "1111111111111 0101010101 0000000001 1111111111 0000000001 0100000111 1111111111 0000001111 0100000111 \
             1111111111",
        );
        let got = receive(&bits);
        assert_eq!(
            got,
            vec![
                Received::Sequence(Sequence::new(Sync::V92, &[0x00])),
                Received::Sequence(Sequence::new(Sync::Ci, &[0xC1])),
                Received::Sequence(Sequence::new(Sync::CmJm, &[0xC1])),
            ]
        );
    }

    #[test]
    fn framing_errors_and_carrier_loss_drop_the_sequence() {
        // Stop bit of the second octet is 0.
        let bits = line("1111111111 0000001111 0100000111 0101000100 1111111111 1111");
        assert_eq!(receive(&bits), vec![]);
        let mut r = SequenceReceiver::new();
        for b in line("1111111111 0000001111 0100000111 01") {
            r.push(b);
        }
        r.carrier(false);
        for b in line("000101 1111111111 11") {
            r.push(b);
        }
        assert_eq!(r.poll(), None);
    }

    #[test]
    fn a_short_preamble_is_not_enough() {
        let bits = line("11111111 0000001111 0100000111 1111111111 1");
        assert_eq!(receive(&bits), vec![]);
        // Nine ones are (one bit error in the preamble).
        let bits = line("0 111111111 0000001111 0100000111 1111111111 1");
        assert_eq!(receive(&bits), vec![Received::Sequence(Sequence::new(Sync::CmJm, &[0xC1]))]);
    }

    #[test]
    fn long_sequences_are_cut_and_marked() {
        let octets: Vec<u8> = (0..40).map(|i| 0x10 | (i & 7)).collect();
        let mut s = SequenceSender::new(Sync::CmJm, &octets);
        let bits = bits_of(&mut s, 10 + 10 * (MAX_OCTETS + 1) + 12);
        let got = receive(&bits);
        let Received::Sequence(seq) = got[0] else { panic!("{got:?}") };
        assert_eq!(seq.octets(), &octets[..MAX_OCTETS]);
        // The sender itself keeps only MAX_OCTETS, so the sequence is exactly that long.
        assert!(!seq.is_truncated());
        let long = Sequence::new(Sync::CmJm, &octets);
        assert!(long.is_truncated() && long.octets().len() == MAX_OCTETS);
    }

    #[test]
    fn random_bits_make_few_sequences_and_no_panic() {
        let mut r = Rng::new(7);
        let bits: Vec<u8> = (0..200_000).map(|_| (r.next_u32() & 1) as u8).collect();
        let got = receive(&bits);
        // A CM needs 9+ ones then a valid sync: rare in random bits (about 2^-19 a bit).
        let cm = got.iter().filter(|g| matches!(g, Received::Sequence(s) if s.sync == Sync::CmJm)).count();
        assert!(cm <= 2, "{cm} CM sequences from noise");
    }

    #[test]
    fn repeats_confirm_two_identical_in_a_row_once() {
        let a = Sequence::new(Sync::CmJm, &[0xC1, 0x05]);
        let b = Sequence::new(Sync::CmJm, &[0xC1, 0x45]);
        let mut r = Repeats::default();
        assert!(!r.push(&a));
        assert!(!r.push(&b));
        assert!(r.push(&b));
        assert!(!r.push(&b));
        assert!(!r.push(&a));
        assert!(r.push(&a));
    }
}
