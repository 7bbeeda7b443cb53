//! A simulated phone: a simulator of 3GPP TS 27.007 / ITU-T V.250 behaviour on an AT port (and,
//! optionally, of a Bluetooth hands-free audio gateway), **not a real phone**, for tests and
//! demonstrations.
//!
//! It takes command bytes ([`SimulatedPhone::write`]), gives response bytes
//! ([`SimulatedPhone::read`]) and moves its one call along as time passes
//! ([`SimulatedPhone::advance`], samples at 8000 Hz). What it does is scripted:
//!
//! - the far end of an outgoing call ([`FarEnd`]): answers after a time, is busy, never answers
//!   (the network gives up with `NO ANSWER` after [`SimConfig::network_no_answer_ms`]), or
//!   declines after ringing;
//! - incoming calls ([`SimulatedPhone::incoming_call`]): `RING` or `+CRING: VOICE` every
//!   [`SimConfig::ring_interval_ms`], each followed by `+CLIP` once enabled; the caller gives up
//!   after [`SimConfig::caller_gives_up_ms`];
//! - the far end hanging up ([`SimulatedPhone::far_end_hangs_up`]);
//! - phone quirks: echo on or off, the line-end style ([`LineStyle`]), `AT+CHUP` or `AT+CLCC`
//!   unsupported (`ERROR`), `ATD` answered only once the call is up, a slow phone (every response
//!   delayed) and a silent one (never answers).
//!
//! Commands understood: `AT`, `E`, `V1`, `Q0`, `X`, `Z`, `I`, `H`, `A`, `D...;`, `+CMEE`, `+CRC`,
//! `+CLIP`, `+CLCC`, `+CHUP`, `+CIND` (`=?` and `?`), `+CMER`, and with
//! [`SimConfig::hands_free`] `+BRSF`. Several may share a line (`ATE0V1`, `AT+CMEE=1;+CRC=1`).
//! Anything else is `ERROR`.

use std::collections::VecDeque;

use crate::queue::ByteQueue;
use crate::time::Duration;

/// The longest command line the simulated phone accepts; longer ones give `ERROR`.
pub const MAX_COMMAND_LINE: usize = 256;

/// Command lines remembered for [`SimulatedPhone::commands`].
const LOG_LINES: usize = 64;

/// Response chunks waiting to be released; further ones are dropped.
const MAX_DELAYED: usize = 256;

/// How response lines are framed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineStyle {
    /// V.250 verbose framing: `<CR><LF>text<CR><LF>`.
    V250,
    /// `text<CR><LF>`.
    CrLf,
    /// `text<LF>`.
    Lf,
    /// `text<CR>`.
    Cr,
}

/// What the far end of the next outgoing call does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FarEnd {
    /// Rings (alerting) for this many milliseconds, then answers.
    AnswersAfterMs(u32),
    /// Is busy: the call fails once dialling is done.
    Busy,
    /// Rings until the network gives up ([`SimConfig::network_no_answer_ms`]).
    NeverAnswers,
    /// Rings for this many milliseconds, then declines the call.
    RejectsAfterMs(u32),
}

/// Where the simulated phone's call is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SimCallState {
    /// No call.
    Idle,
    /// An outgoing call is being set up.
    Dialing,
    /// An outgoing call rings at the far end.
    Alerting,
    /// A call is up.
    Active,
    /// An incoming call rings here.
    Incoming,
}

/// How the simulated phone behaves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimConfig {
    /// Echo commands at start (`ATE1`, the V.250 default); `ATE0` turns it off.
    pub echo: bool,
    /// How responses are framed.
    pub style: LineStyle,
    /// Delay before each command's responses, in ms (a slow phone).
    pub response_delay_ms: u32,
    /// Never answers and never echoes (a dead AT port).
    pub silent: bool,
    /// `AT+CHUP` works (else `ERROR`, and `ATH` must be used).
    pub chup_supported: bool,
    /// `AT+CLCC` works (else `ERROR`).
    pub clcc_supported: bool,
    /// Behave as a Bluetooth hands-free audio gateway: `AT+BRSF` works, echo is off, and call
    /// changes are reported by `+CIEV` once `AT+CMER=3,0,0,1` is given.
    pub hands_free: bool,
    /// The `+CIND` indicators, in the order this phone lists them.
    pub indicators: Vec<String>,
    /// The audio gateway's `+BRSF` features bitmap.
    pub ag_features: u32,
    /// Answer `ATD...;` only once the call is up (or has failed), as some phones do; any
    /// character received meanwhile aborts the dial (`NO CARRIER`).
    pub ok_after_connect: bool,
    /// Report calls the network ends with `NO CARRIER`, `BUSY` or `NO ANSWER`; when false they
    /// silently leave the call list.
    pub release_result: bool,
    /// Time from `ATD` until the far end rings or is found busy, in ms.
    pub dialing_ms: u32,
    /// Interval between `RING`s of an incoming call, in ms.
    pub ring_interval_ms: u32,
    /// How long the network lets an outgoing call ring before `NO ANSWER`, in ms.
    pub network_no_answer_ms: u32,
    /// How long a caller lets an incoming call ring before giving up, in ms.
    pub caller_gives_up_ms: u32,
}

/// The indicators of a typical hands-free audio gateway, in the Hands-Free Profile's order.
pub const HF_INDICATORS: [&str; 7] = ["service", "call", "callsetup", "callheld", "signal", "roam", "battchg"];

impl Default for SimConfig {
    /// A well-behaved TS 27.007 phone: echo on, V.250 framing, immediate responses, `AT+CHUP`
    /// and `AT+CLCC` supported, `ATD` answered at once, 1 s to dial, rings every 3 s.
    fn default() -> Self {
        SimConfig {
            echo: true,
            style: LineStyle::V250,
            response_delay_ms: 0,
            silent: false,
            chup_supported: true,
            clcc_supported: true,
            hands_free: false,
            indicators: HF_INDICATORS.iter().map(|s| s.to_string()).collect(),
            ag_features: 0x20 | 0x40 | 0x100,
            ok_after_connect: false,
            release_result: true,
            dialing_ms: 1000,
            ring_interval_ms: 3000,
            network_no_answer_ms: 120_000,
            caller_gives_up_ms: 30_000,
        }
    }
}

impl SimConfig {
    /// A hands-free audio gateway (echo off, `+CIEV` reporting), with its indicators in `order`.
    pub fn hands_free(order: &[&str]) -> Self {
        SimConfig {
            echo: false,
            hands_free: true,
            indicators: order.iter().map(|s| s.to_string()).collect(),
            ..SimConfig::default()
        }
    }
}

#[derive(Debug, Clone)]
struct Call {
    state: SimCallState,
    incoming: bool,
    number: Option<String>,
    since: u64,
    next_ring: u64,
    id: u32,
}

/// The simulated phone. See the [module documentation](self).
#[derive(Debug, Clone)]
pub struct SimulatedPhone {
    config: SimConfig,
    now: u64,
    echo: bool,
    cmee: u32,
    crc: bool,
    clip: bool,
    cmer: bool,
    line: Vec<u8>,
    line_overflow: bool,
    out: ByteQueue,
    delayed: VecDeque<(u64, Vec<u8>)>,
    last_release: u64,
    call: Option<Call>,
    far_end: FarEnd,
    pending_atd: bool,
    log: VecDeque<String>,
    next_id: u32,
}

impl SimulatedPhone {
    /// A phone with no call, behaving as `config` says; far ends answer after 2 s.
    pub fn new(config: SimConfig) -> Self {
        SimulatedPhone {
            echo: config.echo,
            config,
            now: 0,
            cmee: 0,
            crc: false,
            clip: false,
            cmer: false,
            line: Vec::with_capacity(MAX_COMMAND_LINE),
            line_overflow: false,
            out: ByteQueue::new(16_384),
            delayed: VecDeque::new(),
            last_release: 0,
            call: None,
            far_end: FarEnd::AnswersAfterMs(2000),
            pending_atd: false,
            log: VecDeque::new(),
            next_id: 1,
        }
    }

    /// The behaviour.
    pub fn config(&self) -> &SimConfig {
        &self.config
    }

    /// Makes the phone silent (or not) from now on.
    pub fn set_silent(&mut self, silent: bool) {
        self.config.silent = silent;
    }

    /// What the far end of the next outgoing call will do.
    pub fn set_far_end(&mut self, far_end: FarEnd) {
        self.far_end = far_end;
    }

    /// The call's state.
    pub fn state(&self) -> SimCallState {
        self.call.as_ref().map_or(SimCallState::Idle, |c| c.state)
    }

    /// The command lines received, oldest first (the last 64), without `AT`-prefix changes.
    pub fn commands(&self) -> impl Iterator<Item = &str> {
        self.log.iter().map(|s| s.as_str())
    }

    /// A call comes in from `number` (`None`: withheld). False when a call is already up.
    pub fn incoming_call(&mut self, number: Option<&str>) -> bool {
        if self.call.is_some() {
            return false;
        }
        let id = self.take_id();
        self.call = Some(Call {
            state: SimCallState::Incoming,
            incoming: true,
            number: number.map(str::to_string),
            since: self.now,
            next_ring: self.now,
            id,
        });
        self.ciev("callsetup", 1);
        self.ring_if_due();
        true
    }

    /// The far end hangs up the call (whatever its state). False when there is no call.
    pub fn far_end_hangs_up(&mut self) -> bool {
        if self.call.is_none() {
            return false;
        }
        self.release("NO CARRIER");
        true
    }

    /// Command bytes from the controller.
    pub fn write(&mut self, data: &[u8]) {
        if self.config.silent {
            return;
        }
        for &b in data {
            if self.pending_atd {
                // V.250: any character aborts a dial in progress.
                self.pending_atd = false;
                self.end_call_quietly();
                self.respond(vec!["NO CARRIER".into()]);
                continue;
            }
            if self.echo {
                self.send_raw(vec![b], 0);
            }
            match b {
                b'\r' => {
                    let line = core::mem::take(&mut self.line);
                    let overflow = core::mem::replace(&mut self.line_overflow, false);
                    self.command_line(&line, overflow);
                    self.line = line;
                    self.line.clear();
                }
                b'\n' => {}
                8 => {
                    self.line.pop();
                }
                _ => {
                    if self.line.len() < MAX_COMMAND_LINE {
                        self.line.push(b);
                    } else {
                        self.line_overflow = true;
                    }
                }
            }
        }
    }

    /// Response bytes for the controller; returns how many were written into `out`.
    pub fn read(&mut self, out: &mut [u8]) -> usize {
        self.release_due();
        self.out.read(out)
    }

    /// Lets `elapsed` pass.
    pub fn advance(&mut self, elapsed: Duration) {
        // In steps of at most 10 ms, so that one long advance goes through every call stage.
        let mut left = elapsed.samples() as u64;
        while left > 0 {
            let step = left.min(Duration::from_ms(10).samples() as u64);
            self.now += step;
            left -= step;
            self.progress_call();
        }
        self.release_due();
    }

    // ---- internals ----

    fn ms(ms: u32) -> u64 {
        Duration::from_ms(ms).samples() as u64
    }

    fn take_id(&mut self) -> u32 {
        let id = self.next_id;
        self.next_id = self.next_id % 7 + 1;
        id
    }

    fn frame(&self, text: &str) -> Vec<u8> {
        let mut v = Vec::with_capacity(text.len() + 4);
        if self.config.style == LineStyle::V250 {
            v.extend_from_slice(b"\r\n");
        }
        v.extend_from_slice(text.as_bytes());
        v.extend_from_slice(match self.config.style {
            LineStyle::V250 | LineStyle::CrLf => b"\r\n",
            LineStyle::Lf => b"\n",
            LineStyle::Cr => b"\r",
        });
        v
    }

    /// Queues bytes after everything already queued, no earlier than `delay` from now.
    fn send_raw(&mut self, bytes: Vec<u8>, delay: u64) {
        if self.config.silent {
            return;
        }
        let at = (self.now + delay).max(self.last_release);
        self.last_release = at;
        let full = self.delayed.len() >= MAX_DELAYED;
        match self.delayed.back_mut() {
            Some((t, b)) if *t == at && b.len() < 4096 => b.extend_from_slice(&bytes),
            _ if full => {}
            _ => self.delayed.push_back((at, bytes)),
        }
    }

    /// A command's responses, after the configured delay.
    fn respond(&mut self, lines: Vec<String>) {
        let delay = Self::ms(self.config.response_delay_ms);
        let mut bytes = Vec::new();
        for l in &lines {
            bytes.extend(self.frame(l));
        }
        self.send_raw(bytes, delay);
    }

    /// An unsolicited result code, now (after anything already queued).
    fn unsolicited(&mut self, text: &str) {
        let bytes = self.frame(text);
        self.send_raw(bytes, 0);
    }

    fn release_due(&mut self) {
        while let Some((at, _)) = self.delayed.front() {
            if *at > self.now {
                break;
            }
            let (_, bytes) = self.delayed.pop_front().unwrap_or_default();
            self.out.write(&bytes);
        }
    }

    fn indicator_index(&self, name: &str) -> Option<usize> {
        self.config.indicators.iter().position(|n| n == name).map(|p| p + 1)
    }

    fn ciev(&mut self, name: &str, value: u32) {
        if self.cmer {
            if let Some(i) = self.indicator_index(name) {
                self.unsolicited(&format!("+CIEV: {i},{value}"));
            }
        }
    }

    fn indicator_value(&self, name: &str) -> u32 {
        let state = self.state();
        match name {
            "service" => 1,
            "call" => (state == SimCallState::Active) as u32,
            "callsetup" | "call_setup" => match state {
                SimCallState::Incoming => 1,
                SimCallState::Dialing => 2,
                SimCallState::Alerting => 3,
                _ => 0,
            },
            "signal" | "battchg" => 5,
            _ => 0,
        }
    }

    /// Ends the call without any result code, updating hands-free indicators.
    fn end_call_quietly(&mut self) {
        if let Some(c) = self.call.take() {
            if c.state == SimCallState::Active {
                self.ciev("call", 0);
            } else {
                self.ciev("callsetup", 0);
            }
        }
    }

    /// The network ends the call with `code`: the pending `ATD`'s final result, or an
    /// unsolicited code when [`SimConfig::release_result`] is set.
    fn release(&mut self, code: &str) {
        self.end_call_quietly();
        if self.pending_atd {
            self.pending_atd = false;
            self.respond(vec![code.into()]);
        } else if self.config.release_result {
            self.unsolicited(code);
        }
    }

    fn ring_if_due(&mut self) {
        let Some(c) = self.call.as_mut() else { return };
        if c.state != SimCallState::Incoming || self.now < c.next_ring {
            return;
        }
        c.next_ring = self.now + Self::ms(self.config.ring_interval_ms.max(1));
        let number = c.number.clone();
        let ring = if self.crc { "+CRING: VOICE" } else { "RING" };
        self.unsolicited(ring);
        if self.clip {
            let clip = match number {
                Some(n) => format!("+CLIP: \"{n}\",{},,,,0", number_type(&n)),
                None => "+CLIP: \"\",128,,,,1".to_string(),
            };
            self.unsolicited(&clip);
        }
    }

    fn progress_call(&mut self) {
        let Some(c) = self.call.as_ref() else { return };
        let elapsed = self.now - c.since;
        match c.state {
            SimCallState::Dialing if elapsed >= Self::ms(self.config.dialing_ms) => {
                if self.far_end == FarEnd::Busy {
                    self.release("BUSY");
                } else {
                    self.set_state(SimCallState::Alerting);
                    self.ciev("callsetup", 3);
                }
            }
            SimCallState::Alerting => match self.far_end {
                FarEnd::AnswersAfterMs(t) if elapsed >= Self::ms(t) => {
                    self.set_state(SimCallState::Active);
                    if self.pending_atd {
                        self.pending_atd = false;
                        self.respond(vec!["OK".into()]);
                    }
                    self.ciev("call", 1);
                    self.ciev("callsetup", 0);
                }
                FarEnd::RejectsAfterMs(t) if elapsed >= Self::ms(t) => self.release("NO CARRIER"),
                _ if elapsed >= Self::ms(self.config.network_no_answer_ms) => self.release("NO ANSWER"),
                _ => {}
            },
            SimCallState::Incoming => {
                if elapsed >= Self::ms(self.config.caller_gives_up_ms) {
                    self.release("NO CARRIER");
                } else {
                    self.ring_if_due();
                }
            }
            _ => {}
        }
    }

    fn set_state(&mut self, state: SimCallState) {
        let now = self.now;
        if let Some(c) = self.call.as_mut() {
            c.state = state;
            c.since = now;
        }
    }

    fn cme(&self, code: u32, text: &str) -> String {
        match self.cmee {
            0 => "ERROR".into(),
            1 => format!("+CME ERROR: {code}"),
            _ => format!("+CME ERROR: {text}"),
        }
    }

    fn command_line(&mut self, raw: &[u8], overflow: bool) {
        let text = String::from_utf8_lossy(raw).into_owned();
        let Some(start) = text.to_ascii_uppercase().find("AT") else { return };
        let body = text[start + 2..].trim_end().to_string();
        if self.log.len() == LOG_LINES {
            self.log.pop_front();
        }
        self.log.push_back(text[start..].trim_end().to_string());
        if overflow {
            self.respond(vec!["ERROR".into()]);
            return;
        }
        let mut lines = Vec::new();
        let mut after = Vec::new();
        let fin = self.execute(&body, &mut lines, &mut after);
        if let Some(f) = fin {
            lines.push(f);
        }
        self.respond(lines);
        for (name, value) in after {
            self.ciev(name, value);
        }
    }

    /// Runs the commands of one line; returns the final result code (`None`: it comes later).
    /// `after` collects indicator changes to report once the final result is out.
    fn execute(&mut self, body: &str, lines: &mut Vec<String>, after: &mut Vec<(&'static str, u32)>) -> Option<String> {
        let b = body.as_bytes();
        let mut i = 0;
        let digits = |i: &mut usize| -> Option<u32> {
            let s = *i;
            while *i < b.len() && b[*i].is_ascii_digit() {
                *i += 1;
            }
            if s == *i {
                None
            } else {
                body[s..*i].parse().ok()
            }
        };
        while i < b.len() {
            let c = b[i].to_ascii_uppercase();
            i += 1;
            match c {
                b' ' | b';' => {}
                b'E' => match digits(&mut i).unwrap_or(0) {
                    n @ 0..=1 => self.echo = n == 1,
                    _ => return Some("ERROR".into()),
                },
                b'V' => {
                    if digits(&mut i).unwrap_or(0) != 1 {
                        return Some("ERROR".into());
                    }
                }
                b'Q' | b'X' => {
                    digits(&mut i);
                }
                b'Z' => {
                    digits(&mut i);
                    self.echo = self.config.echo;
                    self.cmee = 0;
                    self.crc = false;
                    self.clip = false;
                    self.cmer = false;
                }
                b'I' => {
                    digits(&mut i);
                    lines.push("Simulated phone (3GPP TS 27.007 behaviour, not a real phone)".into());
                }
                b'H' => {
                    digits(&mut i);
                    self.hang_up(after);
                }
                b'A' => {
                    if self.state() != SimCallState::Incoming {
                        return Some("NO CARRIER".into());
                    }
                    self.set_state(SimCallState::Active);
                    after.push(("call", 1));
                    after.push(("callsetup", 0));
                }
                b'D' => return self.dial(&body[i..], after),
                b'+' => {
                    let s = i;
                    while i < b.len() && b[i].is_ascii_alphanumeric() {
                        i += 1;
                    }
                    let name = body[s..i].to_ascii_uppercase();
                    let op_start = i;
                    while i < b.len() && b[i] != b';' {
                        i += 1;
                    }
                    let op = body[op_start..i].trim();
                    if let Err(e) = self.extended(&name, op, lines, after) {
                        return Some(e);
                    }
                }
                _ => return Some("ERROR".into()),
            }
        }
        Some("OK".into())
    }

    fn hang_up(&mut self, after: &mut Vec<(&'static str, u32)>) {
        if let Some(c) = self.call.take() {
            after.push(if c.state == SimCallState::Active { ("call", 0) } else { ("callsetup", 0) });
        }
    }

    fn dial(&mut self, rest: &str, after: &mut Vec<(&'static str, u32)>) -> Option<String> {
        let rest = rest.trim();
        let Some(number) = rest.strip_suffix(';') else {
            // A data call: this phone has no data service.
            return Some("NO CARRIER".into());
        };
        let number = number.trim();
        let valid = !number.is_empty()
            && number.chars().enumerate().all(|(k, c)| {
                c.is_ascii_digit() || "*#ABCDWPT,!@".contains(c.to_ascii_uppercase()) || (c == '+' && k == 0)
            });
        if !valid {
            return Some("ERROR".into());
        }
        if self.call.is_some() {
            return Some(self.cme(3, "operation not allowed"));
        }
        let id = self.take_id();
        self.call = Some(Call {
            state: SimCallState::Dialing,
            incoming: false,
            number: Some(number.to_string()),
            since: self.now,
            next_ring: 0,
            id,
        });
        after.push(("callsetup", 2));
        if self.config.ok_after_connect {
            self.pending_atd = true;
            None
        } else {
            Some("OK".into())
        }
    }

    /// One extended command: `Err` is the final result code that stops the line.
    fn extended(
        &mut self,
        name: &str,
        op: &str,
        lines: &mut Vec<String>,
        after: &mut Vec<(&'static str, u32)>,
    ) -> Result<(), String> {
        let err = || Err("ERROR".to_string());
        let set = op.strip_prefix('=').filter(|v| *v != "?");
        let arg = |v: &str, k: usize| v.split(',').nth(k).and_then(|x| x.trim().parse::<u32>().ok());
        match (name, op) {
            ("CMEE", "?") => lines.push(format!("+CMEE: {}", self.cmee)),
            ("CMEE", "=?") => lines.push("+CMEE: (0-2)".into()),
            ("CMEE", _) => match set.and_then(|v| arg(v, 0)) {
                Some(n @ 0..=2) => self.cmee = n,
                _ => return err(),
            },
            ("CRC", "?") => lines.push(format!("+CRC: {}", self.crc as u32)),
            ("CRC", "=?") => lines.push("+CRC: (0,1)".into()),
            ("CRC", _) => match set.and_then(|v| arg(v, 0)) {
                Some(n @ 0..=1) => self.crc = n == 1,
                _ => return err(),
            },
            ("CLIP", "?") => lines.push(format!("+CLIP: {},1", self.clip as u32)),
            ("CLIP", "=?") => lines.push("+CLIP: (0,1)".into()),
            ("CLIP", _) => match set.and_then(|v| arg(v, 0)) {
                Some(n @ 0..=1) => self.clip = n == 1,
                _ => return err(),
            },
            ("CLCC", "") if self.config.clcc_supported => {
                if let Some(c) = &self.call {
                    let stat = match c.state {
                        SimCallState::Active => 0,
                        SimCallState::Dialing => 2,
                        SimCallState::Alerting => 3,
                        _ => 4,
                    };
                    let (number, ty) = match &c.number {
                        Some(n) => (n.clone(), number_type(n)),
                        None => (String::new(), 128),
                    };
                    lines.push(format!("+CLCC: {},{},{stat},0,0,\"{number}\",{ty}", c.id, c.incoming as u32));
                }
            }
            ("CLCC", "=?") if self.config.clcc_supported => {}
            ("CHUP", "") if self.config.chup_supported => self.hang_up(after),
            ("CHUP", "=?") if self.config.chup_supported => {}
            ("CIND", "=?") => {
                let list: Vec<String> = self
                    .config
                    .indicators
                    .iter()
                    .map(|n| {
                        let range = match n.as_str() {
                            "callsetup" | "call_setup" => "0-3",
                            "callheld" => "0-2",
                            "signal" | "battchg" => "0-5",
                            _ => "0,1",
                        };
                        format!("(\"{n}\",({range}))")
                    })
                    .collect();
                lines.push(format!("+CIND: {}", list.join(",")));
            }
            ("CIND", "?") => {
                let v: Vec<String> =
                    self.config.indicators.iter().map(|n| self.indicator_value(n).to_string()).collect();
                lines.push(format!("+CIND: {}", v.join(",")));
            }
            ("CMER", "?") => lines.push(format!("+CMER: 3,0,0,{}", self.cmer as u32)),
            ("CMER", _) => match set {
                Some(v) if arg(v, 0) == Some(3) || arg(v, 0).is_none() => self.cmer = arg(v, 3).unwrap_or(0) >= 1,
                _ => return err(),
            },
            ("BRSF", _) if self.config.hands_free => match set.and_then(|v| arg(v, 0)) {
                Some(_) => lines.push(format!("+BRSF: {}", self.config.ag_features)),
                None => return err(),
            },
            _ => return err(),
        }
        Ok(())
    }
}

/// The TS 24.008 type of number: 145 international (`+`), 129 otherwise.
fn number_type(n: &str) -> u32 {
    if n.starts_with('+') {
        145
    } else {
        129
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::phone::wire::{parse, FinalResult, LineSplitter, Response};

    /// Sends a command line and returns the non-blank responses after `ms` milliseconds.
    fn cmd(p: &mut SimulatedPhone, line: &str, ms: u32) -> Vec<Response> {
        p.write(line.as_bytes());
        p.write(b"\r");
        p.advance(Duration::from_ms(ms));
        read_all(p)
    }

    fn read_all(p: &mut SimulatedPhone) -> Vec<Response> {
        let mut buf = [0u8; 4096];
        let n = p.read(&mut buf);
        let mut s = LineSplitter::new();
        let mut out = Vec::new();
        s.push(&buf[..n], |l| out.push(parse(l)));
        out.retain(|r| *r != Response::Blank);
        out
    }

    const OK: Response = Response::Final(FinalResult::Ok);

    #[test]
    fn echo_framing_and_basic_commands() {
        let mut p = SimulatedPhone::new(SimConfig::default());
        assert_eq!(cmd(&mut p, "AT", 0), [Response::Echo("AT".into()), OK]);
        assert_eq!(cmd(&mut p, "ATE0V1", 0), [Response::Echo("ATE0V1".into()), OK]);
        assert_eq!(cmd(&mut p, "AT+CMEE=1;+CRC=1", 0), [OK]);
        assert_eq!(cmd(&mut p, "AT+FOO", 0), [Response::Final(FinalResult::Error)]);
        assert_eq!(cmd(&mut p, "ATV0", 0), [Response::Final(FinalResult::Error)]);
        assert_eq!(cmd(&mut p, "garbage without the prefix", 0), []);
        assert_eq!(cmd(&mut p, "AT+CLCC", 0), [OK]);
        let mut long = "AT".to_string();
        long.push_str(&"E".repeat(MAX_COMMAND_LINE));
        assert_eq!(cmd(&mut p, &long, 0), [Response::Final(FinalResult::Error)]);
        assert!(p.commands().any(|c| c == "AT+CMEE=1;+CRC=1"));
        let mut raw = [0u8; 64];
        p.write(b"AT\r");
        let n = p.read(&mut raw);
        assert_eq!(&raw[..n], b"\r\nOK\r\n");
        let mut lf = SimulatedPhone::new(SimConfig { echo: false, style: LineStyle::Lf, ..SimConfig::default() });
        lf.write(b"AT\r");
        let n = lf.read(&mut raw);
        assert_eq!(&raw[..n], b"OK\n");
    }

    #[test]
    fn outgoing_call_progresses_with_time() {
        let mut p = SimulatedPhone::new(SimConfig::default());
        p.set_far_end(FarEnd::AnswersAfterMs(2000));
        assert_eq!(cmd(&mut p, "ATD5551234;", 0)[1], OK);
        assert_eq!(p.state(), SimCallState::Dialing);
        assert!(matches!(&cmd(&mut p, "AT+CLCC", 0)[1], Response::Clcc(c) if c.state.code() == 2));
        p.advance(Duration::from_ms(1000));
        assert_eq!(p.state(), SimCallState::Alerting);
        p.advance(Duration::from_ms(2000));
        assert_eq!(p.state(), SimCallState::Active);
        assert_eq!(cmd(&mut p, "ATD1;", 0)[1], Response::Final(FinalResult::Error));
        assert_eq!(cmd(&mut p, "AT+CHUP", 0)[1], OK);
        assert_eq!(p.state(), SimCallState::Idle);
    }

    #[test]
    fn scripted_failures() {
        let mut p = SimulatedPhone::new(SimConfig { echo: false, ..SimConfig::default() });
        p.set_far_end(FarEnd::Busy);
        assert_eq!(cmd(&mut p, "ATD1;", 1500), [OK, Response::Final(FinalResult::Busy)]);
        p.set_far_end(FarEnd::NeverAnswers);
        assert_eq!(cmd(&mut p, "ATD1;", 130_000), [OK, Response::Final(FinalResult::NoAnswer)]);
        p.set_far_end(FarEnd::RejectsAfterMs(500));
        assert_eq!(cmd(&mut p, "ATD1;", 2000), [OK, Response::Final(FinalResult::NoCarrier)]);
        assert_eq!(cmd(&mut p, "ATD1", 0), [Response::Final(FinalResult::NoCarrier)]);
        let mut q = SimulatedPhone::new(SimConfig { echo: false, chup_supported: false, ..SimConfig::default() });
        assert_eq!(cmd(&mut q, "AT+CHUP", 0), [Response::Final(FinalResult::Error)]);
        assert_eq!(cmd(&mut q, "ATH", 0), [OK]);
    }

    #[test]
    fn incoming_call_rings_and_is_answered() {
        let mut p = SimulatedPhone::new(SimConfig { echo: false, ..SimConfig::default() });
        cmd(&mut p, "AT+CRC=1;+CLIP=1", 0);
        assert!(p.incoming_call(Some("+15551234")));
        assert!(!p.incoming_call(None));
        let r = read_all(&mut p);
        assert_eq!(r[0], Response::Cring("VOICE".into()));
        assert!(
            matches!(&r[1], Response::Clip(id) if id.number.as_deref() == Some("+15551234") && id.number_type == Some(145))
        );
        p.advance(Duration::from_ms(3000));
        assert_eq!(read_all(&mut p).len(), 2);
        assert_eq!(cmd(&mut p, "ATA", 0), [OK]);
        assert_eq!(p.state(), SimCallState::Active);
        assert!(p.far_end_hangs_up());
        assert_eq!(read_all(&mut p), [Response::Final(FinalResult::NoCarrier)]);
        assert_eq!(cmd(&mut p, "ATA", 0), [Response::Final(FinalResult::NoCarrier)]);
    }

    #[test]
    fn slow_silent_and_ok_after_connect() {
        let mut slow = SimulatedPhone::new(SimConfig { echo: false, response_delay_ms: 1000, ..SimConfig::default() });
        assert_eq!(cmd(&mut slow, "AT", 900), []);
        slow.advance(Duration::from_ms(100));
        assert_eq!(read_all(&mut slow), [OK]);
        let mut silent = SimulatedPhone::new(SimConfig { silent: true, ..SimConfig::default() });
        assert_eq!(cmd(&mut silent, "AT", 10_000), []);
        let mut colp = SimulatedPhone::new(SimConfig { echo: false, ok_after_connect: true, ..SimConfig::default() });
        colp.set_far_end(FarEnd::AnswersAfterMs(1000));
        assert_eq!(cmd(&mut colp, "ATD1;", 1500), []);
        colp.advance(Duration::from_ms(1000));
        assert_eq!(read_all(&mut colp), [OK]);
        assert_eq!(colp.state(), SimCallState::Active);
        cmd(&mut colp, "ATH", 0);
        colp.set_far_end(FarEnd::NeverAnswers);
        cmd(&mut colp, "ATD1;", 3000);
        colp.write(b"\r");
        assert_eq!(read_all(&mut colp), [Response::Final(FinalResult::NoCarrier)]);
        assert_eq!(colp.state(), SimCallState::Idle);
    }

    #[test]
    fn hands_free_indicators_follow_the_call() {
        let order = ["battchg", "signal", "callsetup", "service", "call"];
        let mut p = SimulatedPhone::new(SimConfig::hands_free(&order));
        assert_eq!(cmd(&mut p, "AT+BRSF=4", 0), [Response::Brsf(p.config().ag_features), OK]);
        let r = cmd(&mut p, "AT+CIND=?", 0);
        let Response::CindSupported(l) = &r[0] else { panic!("{r:?}") };
        assert_eq!(l.iter().map(|i| i.name.as_str()).collect::<Vec<_>>(), order);
        assert_eq!(cmd(&mut p, "AT+CIND?", 0)[0], Response::CindValues(vec![5, 5, 0, 1, 0]));
        assert_eq!(cmd(&mut p, "AT+CMER=3,0,0,1", 0), [OK]);
        let ciev = |i, v| Response::Ciev { indicator: crate::phone::wire::IndicatorRef::Index(i), value: v };
        assert_eq!(cmd(&mut p, "ATD1;", 0), [OK, ciev(3, 2)]);
        p.advance(Duration::from_ms(1000));
        assert_eq!(read_all(&mut p), [ciev(3, 3)]);
        p.advance(Duration::from_ms(2000));
        assert_eq!(read_all(&mut p), [ciev(5, 1), ciev(3, 0)]);
        assert_eq!(cmd(&mut p, "AT+CHUP", 0), [OK, ciev(5, 0)]);
        let mut basic = SimulatedPhone::new(SimConfig::default());
        assert_eq!(cmd(&mut basic, "AT+BRSF=4", 0)[1], Response::Final(FinalResult::Error));
    }
}
