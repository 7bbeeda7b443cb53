//! The syntax of a command line body (what follows `AT`), as ITU-T V.250 5.2-5.4 gives it:
//! basic commands (`E1`, `&C1`, `S7=30`, `S0?`, `D...`) written one after another, extended
//! commands (`+MS=V22B`) separated by `;`. Spaces and control characters are ignored and letters
//! are folded to upper case, except inside quoted strings. Parsing knows nothing of which commands
//! exist; the interpreter decides that.

/// Most characters of a dial string kept (the line itself is shorter).
pub const MAX_DIAL: usize = 256;

/// One command of a command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// A basic command: a letter, or `&` and a letter, with an optional decimal number
    /// (`E`, `E0`, `&F`, `X4`). A missing number means 0 (V.250 5.3.1); `value` is `None` then.
    Basic {
        /// The letter, upper case.
        name: u8,
        /// True for the `&` commands.
        amp: bool,
        /// The number, if one was written.
        value: Option<u32>,
    },
    /// A vendor command of the Hayes set: `\\` or `%` and a letter, with an optional number
    /// (`\\N3`, `%C1`).
    Prefixed {
        /// `\\` or `%`.
        prefix: u8,
        /// The letter, upper case.
        name: u8,
        /// The number, if one was written.
        value: Option<u32>,
    },
    /// `S<n>=<v>`: set an S-register (a missing value is 0).
    SetRegister {
        /// The register number.
        reg: u32,
        /// The value.
        value: u32,
    },
    /// `S<n>?`: read an S-register.
    ReadRegister {
        /// The register number.
        reg: u32,
    },
    /// `D<dial string>`: dial. The dial string runs to the end of the line or to a `;`.
    Dial(DialString),
    /// An extended command: `+NAME`, `+NAME=...`, `+NAME?` or `+NAME=?`.
    Extended {
        /// The name after `+`, upper case.
        name: String,
        /// What is asked of it.
        op: ExtendedOp,
    },
}

/// What an extended command asks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExtendedOp {
    /// `+NAME`: execute.
    Execute,
    /// `+NAME=<values>`: set (the values as written, quotes kept).
    Set(String),
    /// `+NAME?`: read the current values.
    Read,
    /// `+NAME=?`: list the values supported.
    Test,
}

/// One element of a dial string as written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DialToken {
    /// A digit to dial: `0`-`9`, `*`, `#`, `A`-`D`, or `+` (international prefix).
    Digit(u8),
    /// `T`: tone dialling from here on.
    Tone,
    /// `P`: pulse dialling from here on.
    Pulse,
    /// `,`: pause for S8 seconds.
    Pause,
    /// `W`: wait for a (second) dial tone.
    WaitDialTone,
    /// `!`: hook flash.
    Flash,
}

/// A parsed dial string.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DialString {
    /// The elements in order (characters the dial string may hold for readability, such as `-`,
    /// `(`, `)`, are dropped, as are modifiers not implemented: `@`, `$`, `S=n`, quoted text).
    pub tokens: Vec<DialToken>,
    /// `L` first: dial the last number again (the rest of the string is ignored).
    pub last: bool,
    /// A `;` ended it: return to command state after dialling.
    pub return_to_command: bool,
}

/// Where in the (folded) command line parsing failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParseError {
    /// Byte offset in the folded line.
    pub at: usize,
}

impl core::fmt::Display for ParseError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "AT command line not understood at character {}", self.at + 1)
    }
}

impl std::error::Error for ParseError {}

/// Folds a command line body: drops spaces and control characters and makes letters upper case,
/// outside quoted strings.
pub fn fold(body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len());
    let mut quoted = false;
    for &b in body {
        if b == b'"' {
            quoted = !quoted;
            out.push(b);
        } else if quoted {
            out.push(b);
        } else if b > b' ' && b != 0x7f {
            out.push(b.to_ascii_uppercase());
        }
    }
    out
}

/// The commands of a command line body, in order. After an error it yields nothing more.
#[derive(Debug, Clone)]
pub struct Commands {
    line: Vec<u8>,
    pos: usize,
    failed: bool,
}

impl Commands {
    /// The commands of `body` (the characters after `AT`, before the termination character).
    pub fn new(body: &[u8]) -> Self {
        Commands { line: fold(body), pos: 0, failed: false }
    }

    fn peek(&self) -> Option<u8> {
        self.line.get(self.pos).copied()
    }

    fn number(&mut self) -> Result<Option<u32>, ParseError> {
        let start = self.pos;
        let mut v: u32 = 0;
        while let Some(b) = self.peek().filter(u8::is_ascii_digit) {
            v = v.checked_mul(10).and_then(|v| v.checked_add((b - b'0') as u32)).ok_or(ParseError { at: self.pos })?;
            self.pos += 1;
        }
        Ok((self.pos > start).then_some(v))
    }

    fn command(&mut self) -> Result<Command, ParseError> {
        let at = self.pos;
        let err = Err(ParseError { at });
        let Some(c) = self.peek() else { return err };
        self.pos += 1;
        match c {
            b'D' => Ok(Command::Dial(self.dial())),
            b'S' => {
                let reg = self.number()?.unwrap_or(0);
                match self.peek() {
                    Some(b'?') => {
                        self.pos += 1;
                        Ok(Command::ReadRegister { reg })
                    }
                    Some(b'=') => {
                        self.pos += 1;
                        let value = self.number()?.unwrap_or(0);
                        Ok(Command::SetRegister { reg, value })
                    }
                    _ => err,
                }
            }
            b'&' => match self.peek() {
                Some(name) if name.is_ascii_uppercase() => {
                    self.pos += 1;
                    Ok(Command::Basic { name, amp: true, value: self.number()? })
                }
                _ => err,
            },
            b'\\' | b'%' => match self.peek() {
                Some(name) if name.is_ascii_uppercase() => {
                    self.pos += 1;
                    Ok(Command::Prefixed { prefix: c, name, value: self.number()? })
                }
                _ => err,
            },
            b'+' => self.extended(),
            name if name.is_ascii_uppercase() => Ok(Command::Basic { name, amp: false, value: self.number()? }),
            _ => err,
        }
    }

    fn extended(&mut self) -> Result<Command, ParseError> {
        let start = self.pos;
        let name_char = |b: u8| b.is_ascii_uppercase() || b.is_ascii_digit() || b"!%-./:_".contains(&b);
        if !self.peek().is_some_and(|b| b.is_ascii_uppercase()) {
            return Err(ParseError { at: start });
        }
        while self.peek().is_some_and(name_char) {
            self.pos += 1;
        }
        if self.pos - start > 16 {
            return Err(ParseError { at: start });
        }
        let name = String::from_utf8_lossy(&self.line[start..self.pos]).into_owned();
        let op = match (self.peek(), self.line.get(self.pos + 1).copied()) {
            (Some(b'='), Some(b'?')) => {
                self.pos += 2;
                ExtendedOp::Test
            }
            (Some(b'='), _) => {
                self.pos += 1;
                let from = self.pos;
                let mut quoted = false;
                while let Some(b) = self.peek() {
                    if b == b'"' {
                        quoted = !quoted;
                    } else if b == b';' && !quoted {
                        break;
                    }
                    self.pos += 1;
                }
                ExtendedOp::Set(String::from_utf8_lossy(&self.line[from..self.pos]).into_owned())
            }
            (Some(b'?'), _) => {
                self.pos += 1;
                ExtendedOp::Read
            }
            _ => ExtendedOp::Execute,
        };
        // V.250 5.4.1: an extended command ends at the end of the line or at a semicolon.
        match self.peek() {
            None => {}
            Some(b';') => self.pos += 1,
            Some(_) => return Err(ParseError { at: self.pos }),
        }
        Ok(Command::Extended { name, op })
    }

    fn dial(&mut self) -> DialString {
        let mut d = DialString::default();
        if self.peek() == Some(b'L') {
            d.last = true;
        }
        let mut quoted = false;
        while let Some(b) = self.peek() {
            self.pos += 1;
            if b == b'"' {
                quoted = !quoted;
                continue;
            }
            if quoted {
                continue;
            }
            if b == b';' {
                d.return_to_command = true;
                break;
            }
            if d.last {
                continue;
            }
            let t = match b {
                b'0'..=b'9' | b'*' | b'#' | b'A'..=b'D' | b'+' => DialToken::Digit(b),
                b'T' => DialToken::Tone,
                b'P' => DialToken::Pulse,
                b',' => DialToken::Pause,
                b'W' => DialToken::WaitDialTone,
                b'!' => DialToken::Flash,
                b'S' => {
                    // `S=n` (or `S` alone, location 0) dials the number stored at location n: n
                    // is one digit naming the location, not a digit to dial. No numbers are
                    // stored here, so the modifier is dropped with its location.
                    if self.peek() == Some(b'=') {
                        self.pos += 1;
                        if self.peek().is_some_and(|c| c.is_ascii_digit()) {
                            self.pos += 1;
                        }
                    }
                    continue;
                }
                _ => continue,
            };
            if d.tokens.len() < MAX_DIAL {
                d.tokens.push(t);
            }
        }
        // The dial command ends the line (what follows a ';' is ignored).
        self.pos = self.line.len();
        d
    }
}

impl Iterator for Commands {
    type Item = Result<Command, ParseError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        // Semicolons between basic commands are tolerated.
        while self.peek() == Some(b';') {
            self.pos += 1;
        }
        self.peek()?;
        let r = self.command();
        self.failed = r.is_err();
        Some(r)
    }
}

/// Splits the values of an extended command at commas outside quoted strings.
pub fn split_args(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut quoted = false;
    let mut from = 0;
    for (i, c) in s.char_indices() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => {
                out.push(&s[from..i]);
                from = i + 1;
            }
            _ => {}
        }
    }
    out.push(&s[from..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Vec<Result<Command, ParseError>> {
        Commands::new(s.as_bytes()).collect()
    }

    fn basic(name: u8, amp: bool, value: Option<u32>) -> Result<Command, ParseError> {
        Ok(Command::Basic { name, amp, value })
    }

    #[test]
    fn basic_commands_concatenate() {
        assert_eq!(
            parse("e0 v1&c1 &d2x4q"),
            vec![
                basic(b'E', false, Some(0)),
                basic(b'V', false, Some(1)),
                basic(b'C', true, Some(1)),
                basic(b'D', true, Some(2)),
                basic(b'X', false, Some(4)),
                basic(b'Q', false, None),
            ]
        );
        assert_eq!(parse("E0007"), vec![basic(b'E', false, Some(7))]);
        assert!(parse("").is_empty());
    }

    #[test]
    fn registers() {
        assert_eq!(
            parse("S7=30S0?s2=43"),
            vec![
                Ok(Command::SetRegister { reg: 7, value: 30 }),
                Ok(Command::ReadRegister { reg: 0 }),
                Ok(Command::SetRegister { reg: 2, value: 43 }),
            ]
        );
        assert_eq!(parse("S7=")[0], Ok(Command::SetRegister { reg: 7, value: 0 }));
        assert_eq!(parse("S7"), vec![Err(ParseError { at: 0 })]);
    }

    #[test]
    fn errors_stop_the_line() {
        assert_eq!(parse("E1 ?V1"), vec![basic(b'E', false, Some(1)), Err(ParseError { at: 2 })]);
        assert_eq!(parse("&1"), vec![Err(ParseError { at: 0 })]);
        assert_eq!(parse("E99999999999"), vec![Err(ParseError { at: 10 })]);
        assert_eq!(parse("\u{e9}E1").len(), 1);
    }

    #[test]
    fn extended_commands() {
        assert_eq!(
            parse("+ms=v22b,1;+MS?;+ms=?;+GMI;E1"),
            vec![
                Ok(Command::Extended { name: "MS".into(), op: ExtendedOp::Set("V22B,1".into()) }),
                Ok(Command::Extended { name: "MS".into(), op: ExtendedOp::Read }),
                Ok(Command::Extended { name: "MS".into(), op: ExtendedOp::Test }),
                Ok(Command::Extended { name: "GMI".into(), op: ExtendedOp::Execute }),
                basic(b'E', false, Some(1)),
            ]
        );
        assert_eq!(
            parse("+X=\"a;b\"")[0],
            Ok(Command::Extended { name: "X".into(), op: ExtendedOp::Set("\"a;b\"".into()) })
        );
        assert!(parse("+1")[0].is_err());
        assert_eq!(parse("+GMI?X"), vec![Err(ParseError { at: 5 })]);
        assert!(parse("+ABCDEFGHIJKLMNOPQ")[0].is_err());
        assert_eq!(split_args("V22B,,\"a,b\","), vec!["V22B", "", "\"a,b\"", ""]);
    }

    #[test]
    fn dial_strings() {
        use DialToken::*;
        let r = parse("dt 9,(555) 123-4567w*#;E1");
        assert_eq!(r.len(), 1);
        let Ok(Command::Dial(d)) = &r[0] else { panic!() };
        assert!(d.return_to_command && !d.last);
        let digits = |s: &str| s.bytes().map(Digit).collect::<Vec<_>>();
        let mut want = vec![Tone, Digit(b'9'), Pause];
        want.extend(digits("5551234567"));
        want.extend([WaitDialTone, Digit(b'*'), Digit(b'#')]);
        assert_eq!(d.tokens, want);
        let Ok(Command::Dial(d)) = &parse("DL123")[0] else { panic!() };
        assert!(d.last && d.tokens.is_empty());
        let Ok(Command::Dial(d)) = &parse("D")[0] else { panic!() };
        assert_eq!(*d, DialString::default());
        let Ok(Command::Dial(d)) = &parse("DP1\"xyz\"!+2@")[0] else { panic!() };
        assert_eq!(d.tokens, vec![Pulse, Digit(b'1'), Flash, Digit(b'+'), Digit(b'2')]);
    }

    #[test]
    fn stored_number_modifier_is_dropped() {
        // `S=n` asks for the number stored at location n: the n is not a digit to dial.
        let Ok(Command::Dial(d)) = &parse("DS=2")[0] else { panic!() };
        assert_eq!(d.tokens, vec![]);
        // Only one digit names the location; what follows is dialled.
        let Ok(Command::Dial(d)) = &parse("DS=15")[0] else { panic!() };
        assert_eq!(d.tokens, vec![DialToken::Digit(b'5')]);
        let Ok(Command::Dial(d)) = &parse("DS7")[0] else { panic!() };
        assert_eq!(d.tokens, vec![DialToken::Digit(b'7')]);
    }
}
