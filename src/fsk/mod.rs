//! Frequency-shift keyed modems: Bell 103, ITU-T V.21, ITU-T V.23 and Bell 202.
//!
//! A [`ChannelSpec`] names the two tones and the modulation rate of one direction of one modem; the
//! transmitter ([`tx::Transmitter`]) and receiver ([`rx::Receiver`]) take one.

pub mod rx;
pub mod tx;

pub use rx::Receiver;
pub use tx::Transmitter;

use crate::types::{Family, Role};

/// The tones and rate of one FSK channel.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ChannelSpec {
    /// A short name, as the CLI spells it.
    pub name: &'static str,
    /// Frequency in Hz for binary 1 (mark).
    pub mark: f32,
    /// Frequency in Hz for binary 0 (space).
    pub space: f32,
    /// Modulation rate in baud (bits per second).
    pub baud: f32,
}

impl ChannelSpec {
    /// The band the receiver listens to: both tones, widened by half the baud rate and 60 Hz.
    pub fn band(&self) -> (f32, f32) {
        let pad = 0.5 * self.baud + 60.0;
        (self.mark.min(self.space) - pad, self.mark.max(self.space) + pad)
    }
}

/// Bell 103, originating modem's transmitter: 1070 Hz space, 1270 Hz mark, 300 bit/s.
pub const BELL103_ORIGINATE: ChannelSpec =
    ChannelSpec { name: "bell103-orig", mark: 1270.0, space: 1070.0, baud: 300.0 };
/// Bell 103, answering modem's transmitter: 2025 Hz space, 2225 Hz mark, 300 bit/s.
pub const BELL103_ANSWER: ChannelSpec = ChannelSpec { name: "bell103-ans", mark: 2225.0, space: 2025.0, baud: 300.0 };
/// V.21 channel No. 1 (the calling modem's): 1180 Hz for 0, 980 Hz for 1, 300 bit/s.
pub const V21_CH1: ChannelSpec = ChannelSpec { name: "v21-ch1", mark: 980.0, space: 1180.0, baud: 300.0 };
/// V.21 channel No. 2 (the answering modem's): 1850 Hz for 0, 1650 Hz for 1, 300 bit/s.
pub const V21_CH2: ChannelSpec = ChannelSpec { name: "v21-ch2", mark: 1650.0, space: 1850.0, baud: 300.0 };
/// V.23 forward channel, mode 2: 2100 Hz for 0, 1300 Hz for 1, 1200 bit/s.
pub const V23_FORWARD: ChannelSpec = ChannelSpec { name: "v23", mark: 1300.0, space: 2100.0, baud: 1200.0 };
/// V.23 backward channel: 450 Hz for 0, 390 Hz for 1, 75 bit/s.
pub const V23_BACKWARD: ChannelSpec = ChannelSpec { name: "v23-back", mark: 390.0, space: 450.0, baud: 75.0 };
/// Bell 202: 2200 Hz space, 1200 Hz mark, 1200 bit/s (half duplex).
pub const BELL202: ChannelSpec = ChannelSpec { name: "bell202", mark: 1200.0, space: 2200.0, baud: 1200.0 };

/// Every FSK channel, in the order the CLI lists them.
pub const CHANNELS: [ChannelSpec; 7] =
    [BELL103_ORIGINATE, BELL103_ANSWER, V21_CH1, V21_CH2, V23_FORWARD, V23_BACKWARD, BELL202];

/// Looks a channel up by its CLI name.
pub fn channel_by_name(name: &str) -> Option<ChannelSpec> {
    CHANNELS.iter().copied().find(|c| c.name == name)
}

/// For an FSK family, the channels a modem transmits and receives in `role` (`None` for the
/// other families).
pub fn channels(family: Family, role: Role) -> Option<(ChannelSpec, ChannelSpec)> {
    let (call_tx, ans_tx) = match family {
        Family::Bell103 => (BELL103_ORIGINATE, BELL103_ANSWER),
        Family::V21 => (V21_CH1, V21_CH2),
        Family::V23 => (V23_BACKWARD, V23_FORWARD),
        Family::Bell202 => (BELL202, BELL202),
        Family::V22 | Family::V22bis | Family::Bell212A | Family::Auto => return None,
    };
    Some(match role {
        Role::Call => (call_tx, ans_tx),
        Role::Answer => (ans_tx, call_tx),
    })
}
