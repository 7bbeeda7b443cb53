//! S-registers, the other stored settings (a "profile"), and the modulation selection of `+MS`.
//!
//! Register meanings, units, ranges and factory values follow ITU-T V.250 (S3, S4, S5, S6, S7, S8,
//! S10) and the Hayes Standard AT Command Set (S0, S1, S2, S9, S11, S12). Times kept in registers
//! are in the units the standards give (seconds, tenths, fiftieths); the interpreter converts
//! them to samples at 8000 Hz where it uses them.

use crate::time::Duration;
use crate::types::Family;

/// Number of S-registers kept: S0 to S12.
pub const COUNT: usize = 13;

/// One S-register's description: its factory value and the values it accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RegisterSpec {
    /// Factory value.
    pub default: u8,
    /// Lowest value accepted.
    pub min: u8,
    /// Highest value accepted.
    pub max: u8,
    /// What it holds.
    pub name: &'static str,
}

/// S0 to S12 as V.250 and the Hayes command set define them.
pub const SPECS: [RegisterSpec; COUNT] = [
    RegisterSpec { default: 0, min: 0, max: 255, name: "rings before auto-answer (0: never)" },
    RegisterSpec { default: 0, min: 0, max: 255, name: "ring count" },
    RegisterSpec { default: 43, min: 0, max: 255, name: "escape character (above 127: no escape)" },
    RegisterSpec { default: 13, min: 0, max: 127, name: "command line termination character" },
    RegisterSpec { default: 10, min: 0, max: 127, name: "response formatting character" },
    RegisterSpec { default: 8, min: 0, max: 127, name: "command line editing character" },
    RegisterSpec { default: 2, min: 2, max: 255, name: "pause before blind dialling, s" },
    RegisterSpec { default: 50, min: 1, max: 255, name: "connection completion timeout, s" },
    RegisterSpec { default: 2, min: 0, max: 255, name: "comma dial modifier pause, s" },
    RegisterSpec { default: 6, min: 1, max: 255, name: "carrier detect response time, 0.1 s" },
    RegisterSpec { default: 14, min: 1, max: 255, name: "carrier loss before disconnect, 0.1 s" },
    RegisterSpec { default: 95, min: 50, max: 255, name: "DTMF tone duration, ms" },
    RegisterSpec { default: 50, min: 0, max: 255, name: "escape guard time, 1/50 s" },
];

/// The S-registers S0 to S12.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Registers([u8; COUNT]);

impl Default for Registers {
    fn default() -> Self {
        let mut r = [0; COUNT];
        for (v, spec) in r.iter_mut().zip(SPECS.iter()) {
            *v = spec.default;
        }
        Registers(r)
    }
}

impl Registers {
    /// The value of S`n`, or `None` when there is no such register.
    pub fn get(&self, n: u32) -> Option<u8> {
        self.0.get(n as usize).copied()
    }

    /// Sets S`n` to `value`; false (and nothing changes) when there is no such register or the
    /// value is outside its range.
    pub fn set(&mut self, n: u32, value: u32) -> bool {
        let Some(spec) = SPECS.get(n as usize) else { return false };
        if value < spec.min as u32 || value > spec.max as u32 {
            return false;
        }
        self.0[n as usize] = value as u8;
        true
    }

    /// S0: rings before the interpreter answers by itself (0: never).
    pub fn auto_answer_rings(&self) -> u8 {
        self.0[0]
    }

    /// S2: the escape character, or `None` when S2 is above 127 (escape disabled).
    pub fn escape_char(&self) -> Option<u8> {
        (self.0[2] <= 127).then_some(self.0[2])
    }

    /// S3: the command line termination character (carriage return by default).
    pub fn cr(&self) -> u8 {
        self.0[3]
    }

    /// S4: the response formatting character (line feed by default).
    pub fn lf(&self) -> u8 {
        self.0[4]
    }

    /// S5: the command line editing character (backspace by default).
    pub fn bs(&self) -> u8 {
        self.0[5]
    }

    /// S6 (seconds): how long to wait after going off-hook before dialling blind.
    pub fn blind_dial_wait(&self) -> Duration {
        Duration::from_secs(self.0[6] as u32)
    }

    /// S7 (seconds): how long a call may take to connect.
    pub fn connect_timeout(&self) -> Duration {
        Duration::from_secs(self.0[7] as u32)
    }

    /// S8 (seconds): the pause for each comma in a dial string.
    pub fn comma_pause(&self) -> Duration {
        Duration::from_secs(self.0[8] as u32)
    }

    /// S9 (tenths of a second): how long the far carrier must be present before it counts.
    pub fn carrier_detect(&self) -> Duration {
        Duration::from_ms(self.0[9] as u32 * 100)
    }

    /// S10 (tenths of a second): how long the far carrier may be lost before the modem hangs up.
    pub fn carrier_loss(&self) -> Duration {
        Duration::from_ms(self.0[10] as u32 * 100)
    }

    /// S11 (ms): the duration of each DTMF tone (and of the gap after it).
    pub fn dtmf_tone(&self) -> Duration {
        Duration::from_ms(self.0[11] as u32)
    }

    /// S12 (fiftieths of a second): the escape guard time.
    pub fn escape_guard(&self) -> Duration {
        Duration::from_ms(self.0[12] as u32 * 20)
    }
}

/// A modulation named by `+MS` (V.250 6.4: `<carrier>` strings).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Carrier {
    /// Bell 103, 300 bit/s (`B103`).
    Bell103,
    /// Bell 212A, 1200 bit/s (`B212`).
    Bell212,
    /// ITU-T V.21, 300 bit/s (`V21`).
    V21,
    /// ITU-T V.22, 1200 bit/s (`V22`).
    V22,
    /// ITU-T V.22bis, 2400 or 1200 bit/s (`V22B`).
    V22bis,
    /// ITU-T V.23 with a backward channel, 1200/75 bit/s (`V23C`).
    V23,
}

impl Carrier {
    /// Every carrier, in the order `+MS=?` lists them.
    pub const ALL: [Carrier; 6] =
        [Carrier::Bell103, Carrier::Bell212, Carrier::V21, Carrier::V22, Carrier::V22bis, Carrier::V23];

    /// The `+MS` name.
    pub fn name(self) -> &'static str {
        match self {
            Carrier::Bell103 => "B103",
            Carrier::Bell212 => "B212",
            Carrier::V21 => "V21",
            Carrier::V22 => "V22",
            Carrier::V22bis => "V22B",
            Carrier::V23 => "V23C",
        }
    }

    /// Parses a `+MS` name (upper case, as the command line is folded).
    pub fn parse(s: &str) -> Option<Carrier> {
        Carrier::ALL.into_iter().find(|c| c.name() == s)
    }

    /// The rates in bit/s a connection with this carrier can have, in either direction.
    pub fn rates(self) -> &'static [u32] {
        match self {
            Carrier::Bell103 | Carrier::V21 => &[300],
            Carrier::Bell212 | Carrier::V22 => &[1200],
            Carrier::V22bis => &[1200, 2400],
            Carrier::V23 => &[75, 1200],
        }
    }

    /// The modem family of this crate that implements the carrier.
    pub fn family(self) -> Family {
        match self {
            Carrier::Bell103 => Family::Bell103,
            Carrier::V21 => Family::V21,
            Carrier::Bell212 => Family::Bell212A,
            Carrier::V22 => Family::V22,
            Carrier::V22bis => Family::V22bis,
            Carrier::V23 => Family::V23,
        }
    }
}

/// The modulation selection of `+MS` (V.250 6.4.2): the carrier, automode, and rate limits.
/// A rate of 0 means "whatever the carrier (and automode) allow".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Modulation {
    /// The preferred carrier (automode on) or the only one (automode off).
    pub carrier: Carrier,
    /// True when the modem may fall back to other carriers.
    pub automode: bool,
    /// Lowest transmit rate, bit/s (0: no limit).
    pub min_tx_rate: u32,
    /// Highest transmit rate, bit/s (0: no limit).
    pub max_tx_rate: u32,
    /// Lowest receive rate, bit/s (0: no limit).
    pub min_rx_rate: u32,
    /// Highest receive rate, bit/s (0: no limit).
    pub max_rx_rate: u32,
}

impl Default for Modulation {
    fn default() -> Self {
        Modulation {
            carrier: Carrier::V22bis,
            automode: true,
            min_tx_rate: 0,
            max_tx_rate: 0,
            min_rx_rate: 0,
            max_rx_rate: 0,
        }
    }
}

impl Modulation {
    /// The `+MS?` text: `+MS: <carrier>,<automode>,<min_tx>,<max_tx>,<min_rx>,<max_rx>`.
    pub fn report(&self) -> String {
        format!(
            "+MS: {},{},{},{},{},{}",
            self.carrier.name(),
            self.automode as u8,
            self.min_tx_rate,
            self.max_tx_rate,
            self.min_rx_rate,
            self.max_rx_rate
        )
    }

    /// The `+MS=?` text: the values each subparameter accepts.
    pub fn report_supported() -> String {
        let names: Vec<&str> = Carrier::ALL.iter().map(|c| c.name()).collect();
        let rates = "(0,75,300,1200,2400)";
        format!("+MS: ({}),(0,1),{rates},{rates},{rates},{rates}", names.join(","))
    }

    /// Applies the subparameters of `+MS=` (already split at commas; an empty one keeps its
    /// current value, as V.250 says of omitted subparameters). Rates must be 0 or a rate of the
    /// carrier, and a nonzero minimum may not exceed a nonzero maximum. A new carrier resets the
    /// rate limits it was not given and that it cannot meet. `None` when anything is invalid.
    pub fn with_args(&self, args: &[&str]) -> Option<Modulation> {
        if args.len() > 6 {
            return None;
        }
        let mut m = *self;
        let mut given = [false; 6];
        for (i, a) in args.iter().enumerate() {
            let a = a.trim_matches('"');
            if a.is_empty() {
                continue;
            }
            given[i] = true;
            match i {
                0 => m.carrier = Carrier::parse(a)?,
                1 => {
                    m.automode = match parse_decimal(a)? {
                        0 => false,
                        1 => true,
                        _ => return None,
                    }
                }
                _ => {
                    let v = parse_decimal(a)?;
                    *m.rate_mut(i - 2) = v;
                }
            }
        }
        let rates = m.carrier.rates();
        for i in 0..4 {
            let v = *m.rate_mut(i);
            if v != 0 && !rates.contains(&v) {
                if given[i + 2] {
                    return None;
                }
                *m.rate_mut(i) = 0;
            }
        }
        let ok = |lo: u32, hi: u32| lo == 0 || hi == 0 || lo <= hi;
        if !ok(m.min_tx_rate, m.max_tx_rate) || !ok(m.min_rx_rate, m.max_rx_rate) {
            return None;
        }
        Some(m)
    }

    fn rate_mut(&mut self, i: usize) -> &mut u32 {
        match i {
            0 => &mut self.min_tx_rate,
            1 => &mut self.max_tx_rate,
            2 => &mut self.min_rx_rate,
            _ => &mut self.max_rx_rate,
        }
    }
}

/// A decimal number of at most 9 digits (no sign, no spaces).
pub(crate) fn parse_decimal(s: &str) -> Option<u32> {
    if s.is_empty() || s.len() > 9 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Result code selection and call progress monitoring (`X0` to `X4`), as the Hayes command set
/// and V.250 6.2.7 define the levels:
///
/// | level | CONNECT with rate | NO ANSWER | NO DIALTONE (waits for dial tone) | BUSY |
/// |---|---|---|---|---|
/// | X0 | no | no | no (blind dialling) | no |
/// | X1 | yes | yes | no (blind dialling) | no |
/// | X2 | yes | yes | yes | no |
/// | X3 | yes | yes | no (blind dialling) | yes |
/// | X4 | yes | yes | yes | yes |
///
/// A result code that is not enabled is replaced by `NO CARRIER`, and `CONNECT <rate>` by plain
/// `CONNECT` (V.250 6.2.7).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResultLevel(pub u8);

impl ResultLevel {
    /// `CONNECT <rate>` rather than `CONNECT`.
    pub fn connect_rate(self) -> bool {
        self.0 >= 1
    }

    /// `NO ANSWER` rather than `NO CARRIER`.
    pub fn no_answer(self) -> bool {
        self.0 >= 1
    }

    /// Dial tone detection before dialling, and `NO DIALTONE`.
    pub fn dial_tone(self) -> bool {
        self.0 == 2 || self.0 == 4
    }

    /// Busy tone detection, and `BUSY`.
    pub fn busy(self) -> bool {
        self.0 == 3 || self.0 == 4
    }
}

/// Everything a profile holds: what `&W` stores, `Z` restores and `&F` sets to factory values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Profile {
    /// `E`: echo characters typed in command state.
    pub echo: bool,
    /// `Q`: result codes suppressed.
    pub quiet: bool,
    /// `V`: verbose (text) result codes rather than numbers.
    pub verbose: bool,
    /// `X`: which result codes are enabled and what call progress is monitored.
    pub level: ResultLevel,
    /// `&C`: 0, DCD always on; 1, DCD follows the far carrier.
    pub dcd: u8,
    /// `&D`: 0, DTR ignored; 1, DTR off escapes to command state; 2, DTR off hangs up;
    /// 3, DTR off resets.
    pub dtr: u8,
    /// `&K`: flow control, 0 none, 3 RTS/CTS, 4 XON/XOFF (1, 2, 5 and 6 as the Rockwell set).
    pub flow: u8,
    /// `L`: speaker volume, 0 to 3.
    pub speaker_volume: u8,
    /// `M`: speaker control, 0 to 3.
    pub speaker_mode: u8,
    /// `T`/`P` in the last dial string: tone (true) or pulse dialling by default.
    pub tone: bool,
    /// The S-registers.
    pub regs: Registers,
    /// `+MS`.
    pub modulation: Modulation,
    /// `\\N` / `&Q`: error control (off, automatic with fall-back, required).
    pub error_control: crate::link::ErrorControl,
    /// `%C` / `+DS`: V.42bis compression offered and accepted.
    pub compression: bool,
    /// `W`: how a connection's protocol is reported: 0 in the CONNECT line
    /// (`CONNECT 2400/LAPM/V42BIS`), 1 also as `PROTOCOL:` and `COMPRESSION:` lines before it,
    /// 2 not at all.
    pub protocol_report: u8,
}

impl Default for Profile {
    /// Factory settings: `E1 Q0 V1 X4 &C1 &D2 &K3 L1 M1 \\N3 %C1 W0`, tone dialling, registers at
    /// their factory values, `+MS=V22B,1,0,0,0,0`.
    fn default() -> Self {
        Profile {
            echo: true,
            quiet: false,
            verbose: true,
            level: ResultLevel(4),
            dcd: 1,
            dtr: 2,
            flow: 3,
            speaker_volume: 1,
            speaker_mode: 1,
            tone: true,
            regs: Registers::default(),
            modulation: Modulation::default(),
            error_control: crate::link::ErrorControl::Auto,
            compression: true,
            protocol_report: 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registers_check_ranges_and_convert_to_samples() {
        let mut r = Registers::default();
        assert_eq!(r.get(2), Some(b'+'));
        assert_eq!(r.get(13), None);
        assert!(!r.set(13, 1));
        assert!(!r.set(3, 200));
        assert!(!r.set(7, 0));
        assert!(!r.set(0, 256));
        assert!(r.set(0, 2));
        assert_eq!(r.auto_answer_rings(), 2);
        assert_eq!(r.escape_guard().samples(), 8000);
        assert_eq!(r.carrier_loss().samples(), 11200);
        assert_eq!(r.comma_pause().samples(), 16000);
        assert_eq!(r.connect_timeout().samples(), 400_000);
        assert!(r.set(2, 128));
        assert_eq!(r.escape_char(), None);
    }

    #[test]
    fn modulation_arguments() {
        let m = Modulation::default();
        assert_eq!(m.report(), "+MS: V22B,1,0,0,0,0");
        let v = m.with_args(&["V21"]).unwrap();
        assert_eq!(v.carrier, Carrier::V21);
        assert!(v.automode);
        let v = m.with_args(&["", "0", "1200", "2400"]).unwrap();
        assert_eq!((v.carrier, v.automode, v.min_tx_rate, v.max_tx_rate), (Carrier::V22bis, false, 1200, 2400));
        // A carrier that cannot meet the kept limits drops them.
        let w = v.with_args(&["B103"]).unwrap();
        assert_eq!((w.min_tx_rate, w.max_tx_rate), (0, 0));
        assert_eq!(m.with_args(&["\"V23C\"", "1", "75", "1200", "75", "1200"]).unwrap().carrier, Carrier::V23);
        assert!(m.with_args(&["V34"]).is_none());
        assert!(m.with_args(&["V22B", "2"]).is_none());
        assert!(m.with_args(&["V22B", "1", "2400", "1200"]).is_none());
        assert!(m.with_args(&["V21", "1", "1200"]).is_none());
        assert!(m.with_args(&["V21", "1", "x"]).is_none());
        assert!(m.with_args(&["V21", "1", "0", "0", "0", "0", "0"]).is_none());
        assert!(Modulation::report_supported().starts_with("+MS: (B103,B212,V21,V22,V22B,V23C),(0,1),"));
    }

    #[test]
    fn result_levels() {
        let l = |n| ResultLevel(n);
        assert!(!l(0).connect_rate() && !l(0).busy() && !l(0).dial_tone() && !l(0).no_answer());
        assert!(l(1).connect_rate() && !l(1).busy() && !l(1).dial_tone());
        assert!(l(2).dial_tone() && !l(2).busy());
        assert!(!l(3).dial_tone() && l(3).busy());
        assert!(l(4).dial_tone() && l(4).busy());
    }
}
