//! ITU-T V.8: the start-up procedure in which two modems find the best modulation they share,
//! before either starts that modulation's own start-up.
//!
//! The answering modem sends ANSam (a 2100 Hz answer tone, amplitude-modulated at 15 Hz). A calling
//! modem that recognises it sends its call menu **CM** on V.21 channel 1; the answerer replies with
//! the joint menu **JM** on V.21 channel 2 (what both can do); the caller ends with **CJ**, and after
//! a short silence both start the mode JM leaves highest in priority. A caller may also send the
//! call indicator **CI** before the answer tone.
//!
//! This module is the wire format; [`answer::Answerer`] and [`call::Caller`] are the two ends, sans
//! IO like the crate's other pumps:
//!
//! - the content of the signals: [`CallFunction`], [`Modulations`] (and one chosen [`Modulation`]),
//!   [`Protocol`], [`PstnAccess`], [`PcmModemAvailability`], all in a [`Menu`] (the content of CM
//!   and JM) with [`Menu::emit`] and [`Menu::parse`]; [`CallIndicator`] (the content of CI);
//! - the framing of each signal on the line ([`framing`]): ten binary ones, a synchronisation octet
//!   that tells CI from CM/JM, and the content octets, each sent as a start-stop character (start
//!   bit 0, the octet least significant bit first, stop bit 1), repeated back to back; CJ is three
//!   all-zero octets.
//!
//! Sources and trust: the category tags, the bit positions of every modulation, protocol, PSTN access
//! and PCM availability bit, the call-function values, the framing, the CM/JM synchronisation octet,
//! CJ, the repetition rules and the timings used by default were all measured against spandsp 0.0.6
//! run as a black box (its V.21 output demodulated with our receiver, and its reactions to what we
//! send); `docs/notes/v8.md` lists each with how it was established, and what is still unverified
//! against the text of V.8 (which could not be read): notably the CI synchronisation octet, which
//! spandsp neither sends nor reacts to.

pub mod answer;
pub mod call;
pub mod framing;

use crate::types::{Family, Modes};

pub use answer::Answerer;
pub use call::Caller;

/// The category tag of the call function octet (bits b0-b4; the value is in b5-b7).
pub const TAG_CALL_FUNCTION: u8 = 0x01;
/// The category tag of the first modulation modes octet (`modn0`).
pub const TAG_MODULATIONS: u8 = 0x05;
/// The category tag of the protocols octet.
pub const TAG_PROTOCOLS: u8 = 0x0A;
/// The category tag of the PSTN access octet.
pub const TAG_PSTN_ACCESS: u8 = 0x0D;
/// The category tag of the PCM modem availability octet.
pub const TAG_PCM_MODEM_AVAILABILITY: u8 = 0x07;
/// The category tag of the T.66 octet (recognised as a category and skipped).
pub const TAG_T66: u8 = 0x0E;

/// Mask of the tag bits of a category octet (b0-b4).
const TAG_MASK: u8 = 0x1F;

/// True for an extension octet: bits b3, b4, b5 are 0, 1, 0. Its information bits are b0, b1, b2,
/// b6 and b7, and it continues the category before it.
pub fn is_extension_octet(octet: u8) -> bool {
    octet & 0x38 == 0x10
}

/// The fixed bits of an extension octet with no information bit set.
const EXTENSION: u8 = 0x10;

/// The call function: what the call is for (bits b5-b7 of the call function octet, read with b5 as
/// the least significant bit of the value, the numbering spandsp's API uses).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CallFunction {
    /// Value 0: reserved ("to be specified").
    Tbs,
    /// Value 1: H.324 multimedia.
    H324,
    /// Value 2: V.18 text telephone.
    V18,
    /// Value 3: T.101 videotex.
    T101,
    /// Value 4: T.30 facsimile, the calling terminal transmits.
    T30Transmit,
    /// Value 5: T.30 facsimile, the calling terminal receives.
    T30Receive,
    /// Value 6: V-series data (the call function of a data modem call).
    VSeriesData,
    /// Value 7: the call function continues in an extension octet.
    Extension,
}

impl CallFunction {
    /// The call function with the 3-bit `value` (only its low three bits are used).
    pub fn from_value(value: u8) -> CallFunction {
        match value & 7 {
            0 => CallFunction::Tbs,
            1 => CallFunction::H324,
            2 => CallFunction::V18,
            3 => CallFunction::T101,
            4 => CallFunction::T30Transmit,
            5 => CallFunction::T30Receive,
            6 => CallFunction::VSeriesData,
            _ => CallFunction::Extension,
        }
    }

    /// The 3-bit value.
    pub fn value(self) -> u8 {
        self as u8
    }

    /// The call function octet: the tag with the value in b5-b7 (`VSeriesData` is 0xC1).
    pub fn octet(self) -> u8 {
        TAG_CALL_FUNCTION | self.value() << 5
    }

    /// The call function of a call function octet, or `None` if the octet is not one.
    pub fn from_octet(octet: u8) -> Option<CallFunction> {
        (octet & TAG_MASK == TAG_CALL_FUNCTION).then(|| CallFunction::from_value(octet >> 5))
    }
}

/// One modulation mode, as a mode to run (the result of a negotiation).
///
/// The variants are in V.8's order of preference, best first: [`Modulations::best`] picks the first
/// one both ends offer. (The order of the modes this crate implements, V.22 bis, V.23, V.21, is the
/// one that matters here; see `docs/notes/v8.md` for how far the rest is established.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Modulation {
    /// V.34 duplex.
    V34,
    /// V.34 half-duplex (facsimile).
    V34HalfDuplex,
    /// V.32 bis / V.32 duplex.
    V32bis,
    /// V.22 bis / V.22 duplex.
    V22bis,
    /// V.17 half-duplex (facsimile).
    V17,
    /// V.29 half-duplex (facsimile).
    V29,
    /// V.27 ter (facsimile).
    V27ter,
    /// V.26 ter duplex.
    V26ter,
    /// V.26 bis.
    V26bis,
    /// V.23 duplex (1200 bit/s one way, 75 bit/s back).
    V23,
    /// V.23 half-duplex.
    V23HalfDuplex,
    /// V.21 duplex (300 bit/s).
    V21,
}

impl Modulation {
    /// Every mode, best first.
    pub const ALL: [Modulation; 12] = [
        Modulation::V34,
        Modulation::V34HalfDuplex,
        Modulation::V32bis,
        Modulation::V22bis,
        Modulation::V17,
        Modulation::V29,
        Modulation::V27ter,
        Modulation::V26ter,
        Modulation::V26bis,
        Modulation::V23,
        Modulation::V23HalfDuplex,
        Modulation::V21,
    ];

    /// The mode's bit in a [`Modulations`] set.
    pub fn bit(self) -> Modulations {
        match self {
            Modulation::V34 => Modulations::V34,
            Modulation::V34HalfDuplex => Modulations::V34_HALF_DUPLEX,
            Modulation::V32bis => Modulations::V32BIS,
            Modulation::V22bis => Modulations::V22BIS,
            Modulation::V17 => Modulations::V17,
            Modulation::V29 => Modulations::V29,
            Modulation::V27ter => Modulations::V27TER,
            Modulation::V26ter => Modulations::V26TER,
            Modulation::V26bis => Modulations::V26BIS,
            Modulation::V23 => Modulations::V23,
            Modulation::V23HalfDuplex => Modulations::V23_HALF_DUPLEX,
            Modulation::V21 => Modulations::V21,
        }
    }
}

impl Modulation {
    /// The family this mode stands for, if it is one of `modes` (V.22 bis stands for V.22bis,
    /// or V.22 when V.22bis is not allowed).
    pub fn family_in(self, modes: Modes) -> Option<Family> {
        let f = match self {
            Modulation::V22bis if modes.contains(Family::V22bis) => Family::V22bis,
            Modulation::V22bis => Family::V22,
            Modulation::V21 => Family::V21,
            Modulation::V23 => Family::V23,
            _ => return None,
        };
        modes.contains(f).then_some(f)
    }
}

impl Modulations {
    /// The modes that stand for the families of `modes` (the Bell families have none).
    pub fn for_modes(modes: Modes) -> Modulations {
        let mut m = Modulations::NONE;
        if modes.contains(Family::V22bis) || modes.contains(Family::V22) {
            m = m.union(Modulations::V22BIS);
        }
        if modes.contains(Family::V21) {
            m = m.union(Modulations::V21);
        }
        if modes.contains(Family::V23) {
            m = m.union(Modulations::V23);
        }
        m
    }
}

/// A set of modulation modes: the three modulation-mode octets `modn0` (a category octet, bits
/// b5-b7) and `modn1`, `modn2` (extension octets, bits b0, b1, b2, b6, b7), kept bit for bit.
///
/// Internally bit 0-2 are `modn0` b5-b7, bits 3-7 `modn1` b0, b1, b2, b6, b7 and bits 8-12 `modn2`
/// likewise. Bits without a name here (`modn0` b5, which spandsp calls V.90) are kept through
/// [`Menu::parse`] and [`Menu::emit`] but never offered by this crate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Modulations(u16);

impl Modulations {
    /// No mode.
    pub const NONE: Modulations = Modulations(0);
    /// V.34 duplex (`modn0` b6).
    pub const V34: Modulations = Modulations(1 << 1);
    /// V.34 half-duplex (`modn0` b7).
    pub const V34_HALF_DUPLEX: Modulations = Modulations(1 << 2);
    /// V.32 bis / V.32 (`modn1` b0).
    pub const V32BIS: Modulations = Modulations(1 << 3);
    /// V.22 bis / V.22 (`modn1` b1).
    pub const V22BIS: Modulations = Modulations(1 << 4);
    /// V.17 (`modn1` b2).
    pub const V17: Modulations = Modulations(1 << 5);
    /// V.29 half-duplex (`modn1` b6).
    pub const V29: Modulations = Modulations(1 << 6);
    /// V.27 ter (`modn1` b7).
    pub const V27TER: Modulations = Modulations(1 << 7);
    /// V.26 ter (`modn2` b0).
    pub const V26TER: Modulations = Modulations(1 << 8);
    /// V.26 bis (`modn2` b1).
    pub const V26BIS: Modulations = Modulations(1 << 9);
    /// V.23 duplex (`modn2` b2).
    pub const V23: Modulations = Modulations(1 << 10);
    /// V.23 half-duplex (`modn2` b6).
    pub const V23_HALF_DUPLEX: Modulations = Modulations(1 << 11);
    /// V.21 (`modn2` b7).
    pub const V21: Modulations = Modulations(1 << 12);
    /// Every bit the three octets carry.
    pub const ALL_BITS: Modulations = Modulations(0x1FFF);

    /// What this crate implements and can offer: V.22 bis (with V.22), V.23 and V.21.
    pub const IMPLEMENTED: Modulations = Modulations(Self::V22BIS.0 | Self::V23.0 | Self::V21.0);

    /// The set with the raw bits `bits` (see the type's documentation; bits above 12 are dropped).
    pub const fn from_bits(bits: u16) -> Modulations {
        Modulations(bits & Self::ALL_BITS.0)
    }

    /// The raw bits.
    pub const fn bits(self) -> u16 {
        self.0
    }

    /// True if no mode is in the set.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// True if every mode of `other` is in the set.
    pub const fn contains(self, other: Modulations) -> bool {
        self.0 & other.0 == other.0
    }

    /// The modes in both sets.
    pub const fn intersection(self, other: Modulations) -> Modulations {
        Modulations(self.0 & other.0)
    }

    /// The modes in either set.
    pub const fn union(self, other: Modulations) -> Modulations {
        Modulations(self.0 | other.0)
    }

    /// The set without the modes of `other`.
    pub const fn difference(self, other: Modulations) -> Modulations {
        Modulations(self.0 & !other.0)
    }

    /// The mode of highest priority in the set (see [`Modulation`]), if any.
    pub fn best(self) -> Option<Modulation> {
        Modulation::ALL.into_iter().find(|m| self.contains(m.bit()))
    }

    /// The named modes in the set, best first.
    pub fn iter(self) -> impl Iterator<Item = Modulation> {
        Modulation::ALL.into_iter().filter(move |m| self.contains(m.bit()))
    }

    /// The three octets `modn0`, `modn1`, `modn2`.
    pub fn octets(self) -> [u8; 3] {
        let b = self.0;
        [TAG_MODULATIONS | ((b & 7) as u8) << 5, ext_octet((b >> 3) as u8), ext_octet((b >> 8) as u8)]
    }

    /// Adds the information bits of `modn0` (a category octet).
    fn set_modn0(&mut self, octet: u8) {
        self.0 |= (octet >> 5) as u16;
    }

    /// Adds the information bits of the `index`-th extension octet (1 or 2).
    fn set_ext(&mut self, index: u8, octet: u8) {
        self.0 |= (ext_bits(octet) as u16) << (3 + 5 * (index as u16 - 1));
    }
}

impl core::ops::BitOr for Modulations {
    type Output = Modulations;
    fn bitor(self, rhs: Modulations) -> Modulations {
        self.union(rhs)
    }
}

impl core::ops::BitAnd for Modulations {
    type Output = Modulations;
    fn bitand(self, rhs: Modulations) -> Modulations {
        self.intersection(rhs)
    }
}

impl From<Modulation> for Modulations {
    fn from(m: Modulation) -> Modulations {
        m.bit()
    }
}

/// An extension octet carrying five information bits (`bits` bit 0-4 go to b0, b1, b2, b6, b7).
fn ext_octet(bits: u8) -> u8 {
    EXTENSION | (bits & 7) | (bits & 0x18) << 3
}

/// The five information bits of an extension octet (b0, b1, b2, b6, b7 to bit 0-4).
fn ext_bits(octet: u8) -> u8 {
    (octet & 7) | (octet >> 3) & 0x18
}

/// The protocols category (bits b5-b7, b5 the least significant bit of the value).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Protocol {
    /// Value 1: V.42 LAPM error control (octet 0x2A).
    V42Lapm,
    /// Value 7: continued in an extension octet.
    Extension,
    /// Any other value (0, 2-6: reserved).
    Other(u8),
}

impl Protocol {
    /// The protocol with the 3-bit `value`.
    pub fn from_value(value: u8) -> Protocol {
        match value & 7 {
            1 => Protocol::V42Lapm,
            7 => Protocol::Extension,
            v => Protocol::Other(v),
        }
    }

    /// The 3-bit value.
    pub fn value(self) -> u8 {
        match self {
            Protocol::V42Lapm => 1,
            Protocol::Extension => 7,
            Protocol::Other(v) => v & 7,
        }
    }

    /// The protocols octet.
    pub fn octet(self) -> u8 {
        TAG_PROTOCOLS | self.value() << 5
    }
}

/// The PSTN access category: how each end is connected (bits b5-b7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct PstnAccess(u8);

impl PstnAccess {
    /// b5: the calling DCE is on a cellular connection.
    pub const CALL_DCE_CELLULAR: PstnAccess = PstnAccess(1);
    /// b6: the answering DCE is on a cellular connection.
    pub const ANSWER_DCE_CELLULAR: PstnAccess = PstnAccess(2);
    /// b7: the DCE is on a digital network connection.
    pub const DCE_ON_DIGITAL_NETWORK: PstnAccess = PstnAccess(4);

    /// The set with the 3-bit value `bits` (b5 is bit 0).
    pub fn from_bits(bits: u8) -> PstnAccess {
        PstnAccess(bits & 7)
    }

    /// The 3-bit value.
    pub const fn bits(self) -> u8 {
        self.0
    }

    /// True if every flag of `other` is set.
    pub fn contains(self, other: PstnAccess) -> bool {
        self.0 & other.0 == other.0
    }

    /// The PSTN access octet.
    pub fn octet(self) -> u8 {
        TAG_PSTN_ACCESS | self.0 << 5
    }
}

/// The PCM modem availability category (V.90/V.91/V.92; bits b5-b7). This crate has no PCM
/// modem; the category is parsed so that a menu carrying it is understood.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct PcmModemAvailability(u8);

impl PcmModemAvailability {
    /// b5: a V.90/V.92 analogue modem is available.
    pub const V90_V92_ANALOGUE: PcmModemAvailability = PcmModemAvailability(1);
    /// b6: a V.90/V.92 digital modem is available.
    pub const V90_V92_DIGITAL: PcmModemAvailability = PcmModemAvailability(2);
    /// b7: a V.91 modem is available.
    pub const V91: PcmModemAvailability = PcmModemAvailability(4);

    /// The set with the 3-bit value `bits` (b5 is bit 0).
    pub fn from_bits(bits: u8) -> PcmModemAvailability {
        PcmModemAvailability(bits & 7)
    }

    /// The 3-bit value.
    pub const fn bits(self) -> u8 {
        self.0
    }

    /// The PCM modem availability octet.
    pub fn octet(self) -> u8 {
        TAG_PCM_MODEM_AVAILABILITY | self.0 << 5
    }
}

/// Why a menu or CI could not be parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Error {
    /// No octets.
    Empty,
    /// The first octet is not a call function octet (the octet is given).
    NoCallFunction(u8),
}

impl core::fmt::Display for Error {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Error::Empty => write!(f, "empty V.8 sequence"),
            Error::NoCallFunction(o) => write!(f, "V.8 sequence starts with {o:#04x}, not a call function"),
        }
    }
}

impl std::error::Error for Error {}

/// The most octets [`Menu::emit`] writes.
pub const MENU_MAX_LEN: usize = 7;

/// The content of a CM or JM: the call function and the categories that follow it.
///
/// [`Menu::parse`] reads the call function octet, which must come first, then categories in any
/// order, each a category octet and any extension octets after it. Unknown categories, extension
/// octets beyond those understood (a `modn3`, extensions of the call function, protocols, ...) and
/// extension octets with no category before them are skipped, so a menu from a later version of V.8
/// still parses. The first octet of a repeated category wins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Menu {
    /// The call function.
    pub call_function: CallFunction,
    /// The modulation modes.
    pub modulations: Modulations,
    /// The protocols octet, if present.
    pub protocol: Option<Protocol>,
    /// The PSTN access octet, if present.
    pub pstn_access: Option<PstnAccess>,
    /// The PCM modem availability octet, if present.
    pub pcm_modem_availability: Option<PcmModemAvailability>,
}

impl Menu {
    /// A V-series data menu offering `modulations`, with no other category.
    pub fn data(modulations: Modulations) -> Menu {
        Menu {
            call_function: CallFunction::VSeriesData,
            modulations,
            protocol: None,
            pstn_access: None,
            pcm_modem_availability: None,
        }
    }

    /// The number of octets [`Menu::emit`] writes.
    pub fn len(&self) -> usize {
        4 + self.protocol.is_some() as usize
            + self.pstn_access.is_some() as usize
            + self.pcm_modem_availability.is_some() as usize
    }

    /// Always false: a menu has at least its call function and modulation octets.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// Writes the menu's octets into `buf`: the call function octet, the three modulation-mode
    /// octets (all three always, as spandsp sends them), then protocols, PSTN access and PCM modem
    /// availability if present. Returns the number of octets written, or 0 (writing nothing) if
    /// `buf` is shorter than [`Menu::len`].
    pub fn emit(&self, buf: &mut [u8]) -> usize {
        let n = self.len();
        if buf.len() < n {
            return 0;
        }
        buf[0] = self.call_function.octet();
        buf[1..4].copy_from_slice(&self.modulations.octets());
        let optional = [
            self.protocol.map(Protocol::octet),
            self.pstn_access.map(PstnAccess::octet),
            self.pcm_modem_availability.map(PcmModemAvailability::octet),
        ];
        for (slot, o) in buf[4..n].iter_mut().zip(optional.into_iter().flatten()) {
            *slot = o;
        }
        n
    }

    /// Reads a menu from the octets of a CM or JM (without the synchronisation octet).
    pub fn parse(octets: &[u8]) -> Result<Menu, Error> {
        let (&first, rest) = octets.split_first().ok_or(Error::Empty)?;
        let call_function = CallFunction::from_octet(first).ok_or(Error::NoCallFunction(first))?;
        let mut menu = Menu::data(Modulations::NONE);
        menu.call_function = call_function;
        let mut seen_modulations = false;
        // The category the extension octets that follow belong to, and how many came so far.
        let mut category = TAG_CALL_FUNCTION;
        let mut extensions = 0u8;
        for &o in rest {
            if is_extension_octet(o) {
                extensions = extensions.saturating_add(1);
                if category == TAG_MODULATIONS && extensions <= 2 {
                    menu.modulations.set_ext(extensions, o);
                }
                continue;
            }
            let tag = o & TAG_MASK;
            // A repeated category is skipped, extension octets and all.
            let first_time = match tag {
                TAG_MODULATIONS => !core::mem::replace(&mut seen_modulations, true),
                TAG_PROTOCOLS => menu.protocol.is_none(),
                TAG_PSTN_ACCESS => menu.pstn_access.is_none(),
                TAG_PCM_MODEM_AVAILABILITY => menu.pcm_modem_availability.is_none(),
                _ => true,
            };
            category = if first_time { tag } else { 0 };
            extensions = 0;
            if !first_time {
                continue;
            }
            let value = o >> 5;
            match tag {
                TAG_MODULATIONS => menu.modulations.set_modn0(o),
                TAG_PROTOCOLS => menu.protocol = Some(Protocol::from_value(value)),
                TAG_PSTN_ACCESS => menu.pstn_access = Some(PstnAccess::from_bits(value)),
                TAG_PCM_MODEM_AVAILABILITY => {
                    menu.pcm_modem_availability = Some(PcmModemAvailability::from_bits(value))
                }
                _ => {}
            }
        }
        Ok(menu)
    }

    /// The joint menu an answerer with `ours` sends in reply to this call menu: the call function
    /// echoed, each category the AND of this menu's and `ours` (a category either lacks is left
    /// out). PSTN access and PCM availability describe the caller's connection and are not echoed.
    pub fn joint(&self, ours: &Menu) -> Menu {
        let protocol = match (self.protocol, ours.protocol) {
            (Some(a), Some(b)) if a == b => Some(a),
            _ => None,
        };
        Menu {
            call_function: self.call_function,
            modulations: self.modulations & ours.modulations,
            protocol,
            pstn_access: None,
            pcm_modem_availability: None,
        }
    }
}

/// The content of a CI: the call function (with any extension octets, which are skipped).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CallIndicator {
    /// The call function.
    pub call_function: CallFunction,
}

impl CallIndicator {
    /// The number of octets [`CallIndicator::emit`] writes.
    pub const LEN: usize = 1;

    /// Writes the call function octet; returns 1, or 0 if `buf` is empty.
    pub fn emit(&self, buf: &mut [u8]) -> usize {
        match buf.first_mut() {
            Some(b) => {
                *b = self.call_function.octet();
                1
            }
            None => 0,
        }
    }

    /// Reads a CI's content (without the synchronisation octet).
    pub fn parse(octets: &[u8]) -> Result<CallIndicator, Error> {
        let &first = octets.first().ok_or(Error::Empty)?;
        let call_function = CallFunction::from_octet(first).ok_or(Error::NoCallFunction(first))?;
        Ok(CallIndicator { call_function })
    }
}

/// Something an [`Answerer`] or [`Caller`] reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    /// The answerer heard a CI (two identical in a row), with its call function.
    CallIndicator(CallFunction),
    /// The answerer recognised the caller's CM (two identical in a row) and starts sending JM.
    CallMenu(Menu),
    /// The caller recognised the answerer's JM (two identical in a row) and sends CJ.
    JointMenu(Menu),
    /// V.8 is over, the silence after CJ has passed: start `modulation`'s own start-up now.
    Negotiated {
        /// The chosen mode: the best one in JM that this end offered.
        modulation: Modulation,
    },
    /// The answerer sent ANSam for its full length and no CM came: the caller does not do V.8, so
    /// the answer tone counts as a V.25 answer tone and a legacy start-up should follow.
    NoMenu,
    /// V.8 failed.
    Failed(Failure),
}

/// Why V.8 failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// The caller sent CM for its time limit and no JM came.
    NoJointMenu,
    /// The answerer sent JM for its time limit and no CJ came.
    NoTerminator,
    /// The menus leave no mode that this end implements (CJ or JM was still exchanged, so the far
    /// end knows too).
    NoCommonModulation,
}

/// A small queue of events, newest dropped when full (no allocation).
type Events = crate::queue::Fifo<Event, 8>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn call_function_octets_match_the_measured_ones() {
        // spandsp's CM call function octet for each of its V8_CALL_* values 0-7.
        let measured = [0x01, 0x21, 0x41, 0x61, 0x81, 0xA1, 0xC1, 0xE1];
        for (v, &o) in measured.iter().enumerate() {
            let cf = CallFunction::from_value(v as u8);
            assert_eq!(cf.octet(), o);
            assert_eq!(cf.value(), v as u8);
            assert_eq!(CallFunction::from_octet(o), Some(cf));
        }
        assert_eq!(CallFunction::from_octet(0x45), None);
    }

    #[test]
    fn each_modulation_emits_the_octets_spandsp_sends() {
        // (mode, modn0, modn1, modn2) as spandsp 0.0.6 put them in its CM, one mode at a time.
        let table = [
            (Modulation::V17, 0x05, 0x14, 0x10),
            (Modulation::V21, 0x05, 0x10, 0x90),
            (Modulation::V22bis, 0x05, 0x12, 0x10),
            (Modulation::V23HalfDuplex, 0x05, 0x10, 0x50),
            (Modulation::V23, 0x05, 0x10, 0x14),
            (Modulation::V26bis, 0x05, 0x10, 0x12),
            (Modulation::V26ter, 0x05, 0x10, 0x11),
            (Modulation::V27ter, 0x05, 0x90, 0x10),
            (Modulation::V29, 0x05, 0x50, 0x10),
            (Modulation::V32bis, 0x05, 0x11, 0x10),
            (Modulation::V34, 0x45, 0x10, 0x10),
        ];
        for (m, a, b, c) in table {
            let menu = Menu::data(m.into());
            let mut buf = [0u8; MENU_MAX_LEN];
            assert_eq!(menu.emit(&mut buf), 4);
            assert_eq!(buf[..4], [0xC1, a, b, c], "{m:?}");
            let back = Menu::parse(&buf[..4]).unwrap();
            assert_eq!(back, menu);
            assert_eq!(back.modulations.best(), Some(m));
        }
        // V.34 half-duplex (not sent by spandsp) is the remaining modn0 bit.
        assert_eq!(Modulations::V34_HALF_DUPLEX.octets(), [0x85, 0x10, 0x10]);
    }

    #[test]
    fn the_measured_combined_menu_round_trips() {
        // spandsp's CM offering V.21, V.22bis, V.23 and V.34: C1 45 12 94.
        let m = Menu::parse(&[0xC1, 0x45, 0x12, 0x94]).unwrap();
        assert_eq!(m.call_function, CallFunction::VSeriesData);
        assert_eq!(m.modulations, Modulations::V34 | Modulations::V22BIS | Modulations::V23 | Modulations::V21);
        assert_eq!(m.modulations.best(), Some(Modulation::V34));
        let mut buf = [0u8; 8];
        let n = m.emit(&mut buf);
        assert_eq!(buf[..n], [0xC1, 0x45, 0x12, 0x94]);
    }

    #[test]
    fn optional_categories_use_the_measured_octets() {
        let mut m = Menu::data(Modulations::V22BIS);
        m.protocol = Some(Protocol::V42Lapm);
        m.pstn_access = Some(PstnAccess::ANSWER_DCE_CELLULAR);
        m.pcm_modem_availability = Some(PcmModemAvailability::V91);
        let mut buf = [0u8; MENU_MAX_LEN];
        assert_eq!(m.emit(&mut buf), 7);
        assert_eq!(buf, [0xC1, 0x05, 0x12, 0x10, 0x2A, 0x4D, 0x87]);
        assert_eq!(Menu::parse(&buf), Ok(m));
        assert_eq!(Protocol::Extension.octet(), 0xEA);
        assert_eq!(PstnAccess::CALL_DCE_CELLULAR.octet(), 0x2D);
        assert_eq!(PstnAccess::DCE_ON_DIGITAL_NETWORK.octet(), 0x8D);
        assert_eq!(PcmModemAvailability::V90_V92_ANALOGUE.octet(), 0x27);
        assert_eq!(PcmModemAvailability::V90_V92_DIGITAL.octet(), 0x47);
    }

    #[test]
    fn short_menus_and_the_ud_example_parse() {
        // JM with modn0 only (the #UD example's "A1 45").
        let m = Menu::parse(&[0xA1, 0x45]).unwrap();
        assert_eq!(m.call_function, CallFunction::T30Receive);
        assert_eq!(m.modulations, Modulations::V34);
        // The #UD CM "C1 45 13 90 2A": V.34, V.32bis, V.22bis, V.21, LAPM.
        let m = Menu::parse(&[0xC1, 0x45, 0x13, 0x90, 0x2A]).unwrap();
        assert_eq!(m.modulations, Modulations::V34 | Modulations::V32BIS | Modulations::V22BIS | Modulations::V21);
        assert_eq!(m.protocol, Some(Protocol::V42Lapm));
        // Only a call function.
        assert_eq!(Menu::parse(&[0xC1]).unwrap().modulations, Modulations::NONE);
    }

    #[test]
    fn unknown_categories_and_extensions_are_skipped() {
        let octets = [
            0xC1, // call function
            0x13, // extension of the call function: skipped
            0x0E, // T.66 category: skipped
            0x05 | 0x40,
            0x12,
            0x90,
            0x17, // a modn3: skipped
            0x1B, // unknown category (tag 0x1B)
            0x97, // its extension octet
            0x2A,
            0x45, // modn0 again: skipped with its extension
            0x11,
        ];
        let m = Menu::parse(&octets).unwrap();
        assert_eq!(m.modulations, Modulations::V34 | Modulations::V22BIS | Modulations::V21);
        assert_eq!(m.protocol, Some(Protocol::V42Lapm));
        assert_eq!(m.pstn_access, None);
    }

    #[test]
    fn parse_errors() {
        assert_eq!(Menu::parse(&[]), Err(Error::Empty));
        assert_eq!(Menu::parse(&[0x45, 0xC1]), Err(Error::NoCallFunction(0x45)));
        assert_eq!(CallIndicator::parse(&[]), Err(Error::Empty));
        assert_eq!(CallIndicator::parse(&[0x10]), Err(Error::NoCallFunction(0x10)));
        assert_eq!(CallIndicator::parse(&[0xC1, 0x99]).unwrap().call_function, CallFunction::VSeriesData);
    }

    #[test]
    fn emit_into_a_short_buffer_writes_nothing() {
        let m = Menu::data(Modulations::IMPLEMENTED);
        let mut buf = [0xAAu8; 3];
        assert_eq!(m.emit(&mut buf), 0);
        assert_eq!(buf, [0xAA; 3]);
        assert_eq!(CallIndicator { call_function: CallFunction::V18 }.emit(&mut []), 0);
    }

    #[test]
    fn joint_menu_is_the_and_of_both() {
        let mut cm = Menu::data(Modulations::V34 | Modulations::V22BIS | Modulations::V21);
        cm.protocol = Some(Protocol::V42Lapm);
        cm.pstn_access = Some(PstnAccess::CALL_DCE_CELLULAR);
        let ours = Menu::data(Modulations::IMPLEMENTED);
        let jm = cm.joint(&ours);
        assert_eq!(jm.call_function, CallFunction::VSeriesData);
        assert_eq!(jm.modulations, Modulations::V22BIS | Modulations::V21);
        assert_eq!(jm.protocol, None);
        assert_eq!(jm.pstn_access, None);
        assert_eq!(jm.modulations.best(), Some(Modulation::V22bis));
        let only21 = Menu::data(Modulations::V21 | Modulations::V23);
        assert_eq!(cm.joint(&only21).modulations.best(), Some(Modulation::V21));
    }

    #[test]
    fn priority_order() {
        assert_eq!((Modulations::V21 | Modulations::V23).best(), Some(Modulation::V23));
        assert_eq!(Modulations::IMPLEMENTED.best(), Some(Modulation::V22bis));
        assert_eq!(Modulations::NONE.best(), None);
        let all: Vec<Modulation> = Modulations::ALL_BITS.iter().collect();
        assert_eq!(all, Modulation::ALL);
        // Every named mode has its own bit.
        let union = Modulation::ALL.iter().fold(Modulations::NONE, |a, m| a | m.bit());
        assert_eq!(union.bits().count_ones(), 12);
    }

    #[test]
    fn extension_octets_are_recognised_by_b3_b4_b5() {
        for o in 0..=255u8 {
            let ext = is_extension_octet(o);
            assert_eq!(ext, (o >> 3) & 1 == 0 && (o >> 4) & 1 == 1 && (o >> 5) & 1 == 0, "{o:#x}");
        }
        // No category octet this module emits looks like one.
        for o in [0xC1, 0x05, 0x45, 0x85, 0x2A, 0x2D, 0x27] {
            assert!(!is_extension_octet(o));
        }
        for bits in 0..32u8 {
            assert!(is_extension_octet(ext_octet(bits)));
            assert_eq!(ext_bits(ext_octet(bits)), bits);
        }
    }

    #[test]
    fn events_queue_keeps_order_and_bounds() {
        let mut q = Events::default();
        for _ in 0..20 {
            q.push(Event::NoMenu);
        }
        q.push(Event::Failed(Failure::NoJointMenu));
        let mut n = 0;
        while q.pop().is_some() {
            n += 1;
        }
        assert_eq!(n, 8);
        q.push(Event::Failed(Failure::NoJointMenu));
        q.push(Event::NoMenu);
        assert_eq!(q.pop(), Some(Event::Failed(Failure::NoJointMenu)));
        assert_eq!(q.pop(), Some(Event::NoMenu));
        assert_eq!(q.pop(), None);
    }
}
