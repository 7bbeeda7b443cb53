//! The words every layer shares: which end of the call a modem is ([`Role`]), which modulation it
//! uses ([`Family`]), a set of modulations ([`Modes`]), and anything that talks on the line
//! ([`LineEndpoint`]).
//!
//! A leaf module: it uses nothing else in the crate, so any layer may use it.

use core::fmt;

/// Which end of the call a modem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// The calling (originating) modem. On V.22/V.22bis it transmits on the 1200 Hz carrier.
    Call,
    /// The answering modem. On V.22/V.22bis it transmits on the 2400 Hz carrier.
    Answer,
}

impl Role {
    /// Parses `call`/`originate`/`orig` or `answer`/`ans`.
    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "call" | "originate" | "orig" => Some(Role::Call),
            "answer" | "ans" => Some(Role::Answer),
            _ => None,
        }
    }

    /// `call` or `answer`.
    pub fn name(self) -> &'static str {
        match self {
            Role::Call => "call",
            Role::Answer => "answer",
        }
    }

    /// The other end's role.
    pub fn other(self) -> Role {
        match self {
            Role::Call => Role::Answer,
            Role::Answer => Role::Call,
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A family of modems, named as the standards name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Family {
    /// Bell 103: 300 bit/s FSK, full duplex (originate 1070/1270 Hz, answer 2025/2225 Hz).
    Bell103,
    /// ITU-T V.21: 300 bit/s FSK, full duplex (channel 1 980/1180 Hz, channel 2 1650/1850 Hz).
    V21,
    /// ITU-T V.23: 1200 bit/s forward channel from the answerer, 75 bit/s backward channel from
    /// the caller (the videotex arrangement).
    V23,
    /// Bell 202: 1200 bit/s FSK, half duplex: the carrier is keyed while there is data to send.
    Bell202,
    /// ITU-T V.22: 1200 bit/s differential 4-phase, full duplex.
    V22,
    /// ITU-T V.22bis: 2400 bit/s 16-point QAM, falling back to V.22 with a V.22 modem.
    V22bis,
    /// Bell 212A: V.22's 1200 bit/s differential 4-phase on the same carriers; the answering modem
    /// sends the Bell answer tone (2225 Hz) instead of unscrambled ones while it waits.
    Bell212A,
    /// Automode: recognise the far modem and use its modulation, out of a set of [`Modes`]
    /// (see [`crate::automode`]).
    Auto,
}

impl Family {
    /// Every modulation family (all but [`Family::Auto`]), in the order the CLI lists them.
    pub const ALL: [Family; 7] =
        [Family::Bell103, Family::V21, Family::V23, Family::Bell202, Family::V22, Family::V22bis, Family::Bell212A];

    /// Parses a family name as the CLI spells it (`bell103`, `v21`, `v23`, `bell202`, `v22`,
    /// `v22bis`, `bell212a`, `auto`).
    pub fn parse(s: &str) -> Option<Family> {
        Family::ALL.into_iter().chain([Family::Auto]).find(|f| f.name() == s)
    }

    /// The CLI name.
    pub fn name(self) -> &'static str {
        match self {
            Family::Bell103 => "bell103",
            Family::V21 => "v21",
            Family::V23 => "v23",
            Family::Bell202 => "bell202",
            Family::V22 => "v22",
            Family::V22bis => "v22bis",
            Family::Bell212A => "bell212a",
            Family::Auto => "auto",
        }
    }

    /// The name the standards give it (`V.22bis`, `Bell 103`, ...).
    pub fn title(self) -> &'static str {
        match self {
            Family::Bell103 => "Bell 103",
            Family::V21 => "V.21",
            Family::V23 => "V.23",
            Family::Bell202 => "Bell 202",
            Family::V22 => "V.22",
            Family::V22bis => "V.22bis",
            Family::Bell212A => "Bell 212A",
            Family::Auto => "automode",
        }
    }

    /// True for the frequency-shift families (Bell 103, V.21, V.23, Bell 202).
    pub fn is_fsk(self) -> bool {
        matches!(self, Family::Bell103 | Family::V21 | Family::V23 | Family::Bell202)
    }

    /// True for the 1200 bit/s DPSK families and V.22bis (V.22, V.22bis, Bell 212A).
    pub fn is_dpsk(self) -> bool {
        matches!(self, Family::V22 | Family::V22bis | Family::Bell212A)
    }
}

impl fmt::Display for Family {
    /// The standards' name ([`Family::title`]).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.title())
    }
}

/// A set of modulation families a modem may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Modes(u8);

impl Modes {
    /// No family.
    pub const NONE: Modes = Modes(0);
    /// Every family automode can negotiate: V.22bis, V.22, Bell 212A, V.21, Bell 103 and V.23.
    /// (Bell 202 is half duplex with no start-up to recognise; it is never negotiated.)
    pub const ALL: Modes = Modes(
        Modes::bit(Family::V22bis)
            | Modes::bit(Family::V22)
            | Modes::bit(Family::Bell212A)
            | Modes::bit(Family::V21)
            | Modes::bit(Family::Bell103)
            | Modes::bit(Family::V23),
    );

    const fn bit(f: Family) -> u8 {
        1 << (f as u8)
    }

    /// The set holding only `f`.
    pub const fn only(f: Family) -> Modes {
        Modes(Modes::bit(f))
    }

    /// The set with `f` added.
    pub const fn with(self, f: Family) -> Modes {
        Modes(self.0 | Modes::bit(f))
    }

    /// The set with `f` removed.
    pub const fn without(self, f: Family) -> Modes {
        Modes(self.0 & !Modes::bit(f))
    }

    /// True when `f` is in the set.
    pub const fn contains(self, f: Family) -> bool {
        self.0 & Modes::bit(f) != 0
    }

    /// True when the set is empty.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// True when any 1200 bit/s DPSK family (V.22bis, V.22, Bell 212A) is in the set.
    pub const fn any_dpsk(self) -> bool {
        self.contains(Family::V22bis) || self.contains(Family::V22) || self.contains(Family::Bell212A)
    }

    /// The families in the set, fastest first.
    pub fn iter(self) -> impl Iterator<Item = Family> {
        [Family::V22bis, Family::V22, Family::Bell212A, Family::V23, Family::V21, Family::Bell103, Family::Bell202]
            .into_iter()
            .filter(move |&f| self.contains(f))
    }
}

impl Default for Modes {
    fn default() -> Self {
        Modes::ALL
    }
}

impl FromIterator<Family> for Modes {
    fn from_iter<I: IntoIterator<Item = Family>>(iter: I) -> Modes {
        iter.into_iter().fold(Modes::NONE, Modes::with)
    }
}

/// Anything that hears line audio and says line audio at 8000 Hz, sample for sample: a
/// [`Modem`](crate::modem::Modem), a [`Dce`](crate::dce::Dce), a simulated far end. The host's
/// edge ([`HostAdapter`](crate::host::HostAdapter)) runs one at any sample rate.
pub trait LineEndpoint {
    /// Hears `rx` and fills `tx` (same length).
    fn process(&mut self, rx: &[f32], tx: &mut [f32]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for f in Family::ALL.into_iter().chain([Family::Auto]) {
            assert_eq!(Family::parse(f.name()), Some(f));
        }
        assert_eq!(Role::parse(Role::Call.name()), Some(Role::Call));
        assert_eq!(Role::parse(Role::Answer.name()), Some(Role::Answer));
        assert_eq!(Role::Call.other(), Role::Answer);
    }

    #[test]
    fn modes_set_operations() {
        let m = Modes::NONE.with(Family::V21).with(Family::V22);
        assert!(m.contains(Family::V21) && !m.contains(Family::V23));
        assert!(m.any_dpsk());
        assert_eq!(m.without(Family::V22).iter().collect::<Vec<_>>(), vec![Family::V21]);
        assert_eq!([Family::V21, Family::V22].into_iter().collect::<Modes>(), m);
        assert!(!Modes::ALL.contains(Family::Bell202));
    }
}
