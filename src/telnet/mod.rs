//! A telnet client's protocol engine, sans-IO: bytes from the network in, the terminal's bytes
//! and the network's replies out.
//!
//! - RFC 854, the Network Virtual Terminal: IAC (0xFF) starts a command; IAC IAC is a data 0xFF
//!   both ways. Outside binary mode a CR must be followed by LF or NUL: received, CR NUL is given
//!   to the terminal as CR (CR LF as it is); sent, the Enter key's lone CR goes as CR NUL, and a
//!   CR the keys follow with LF in the same [`Telnet::send_keys`] call goes as CR LF. CR NUL is
//!   the common choice (it is what "carriage return" means in RFC 854, and servers in line mode
//!   take it as the end of a line); in binary mode our way (we WILL BINARY) the CR goes alone.
//!   Data bytes are passed on 8 bits wide either way. NOP, Data Mark, Go Ahead and the other
//!   two-byte commands from the server are ignored.
//! - RFC 855, option negotiation, by RFC 1143's Q method ([`q`]): a command that changes nothing
//!   is never answered, so two ends cannot loop.
//! - What we accept: the server's BINARY (RFC 856), ECHO (RFC 857) and SUPPRESS-GO-AHEAD (RFC
//!   858); on our side BINARY, SUPPRESS-GO-AHEAD, TERMINAL-TYPE (RFC 1091: to `SB TTYPE SEND`
//!   we answer `IS` and the configured name, the same each time, which says the list has one
//!   entry) and NAWS (RFC 1073: the window size when agreed and again on
//!   [`Telnet::set_window_size`]). Every other option is refused: WILL gets DONT, DO gets WONT.
//! - At the start ([`Config::initiate`]) we ask for SUPPRESS-GO-AHEAD (DO SGA) and, if
//!   [`Config::binary`], BINARY both ways.
//! - Subnegotiations (IAC SB ... IAC SE) are collected in a buffer of [`SB_MAX`] bytes; a longer
//!   one is dropped and counted ([`Errors::sb_overflows`]). An IAC followed by anything but SE or
//!   IAC inside one ends it as a protocol error, and the command is taken as such.
//!
//! Storage is made once: the queue to the network holds [`QUEUE_CAPACITY`] bytes; typing is
//! taken only while [`KEYS_RESERVE`] bytes stay free for negotiation replies, and a reply that
//! does not fit is dropped whole and counted ([`Errors::replies_dropped`]).
//!
//! ```
//! use softmodem::telnet::{Config, Telnet, DO, IAC, SUPPRESS_GO_AHEAD, WILL, ECHO};
//! let mut t = Telnet::new(Config::default());
//! let mut out = [0u8; 64];
//! let n = t.transmit(&mut out);
//! assert_eq!(&out[..n], [IAC, DO, SUPPRESS_GO_AHEAD]);
//! let mut screen = Vec::new();
//! t.receive(&[IAC, WILL, SUPPRESS_GO_AHEAD, IAC, WILL, ECHO, b'h', b'i'], &mut |d| screen.extend_from_slice(d));
//! assert_eq!(screen, b"hi");
//! let n = t.transmit(&mut out);
//! assert_eq!(&out[..n], [IAC, DO, ECHO]); // SGA was ours to ask: nothing to answer.
//! assert!(t.options().remote_echo);
//! ```

pub mod q;

use crate::queue::ByteQueue;
use q::Outcome;
pub use q::{RequestError, Side, Q};

/// Interpret As Command.
pub const IAC: u8 = 255;
/// Refuse, or ask the far end to stop, an option on its side.
pub const DONT: u8 = 254;
/// Ask the far end to perform an option.
pub const DO: u8 = 253;
/// Refuse, or stop, an option on our side.
pub const WONT: u8 = 252;
/// Offer, or agree, to perform an option.
pub const WILL: u8 = 251;
/// Begin subnegotiation.
pub const SB: u8 = 250;
/// Go Ahead.
pub const GA: u8 = 249;
/// Erase Line.
pub const EL: u8 = 248;
/// Erase Character.
pub const EC: u8 = 247;
/// Are You There.
pub const AYT: u8 = 246;
/// Abort Output.
pub const AO: u8 = 245;
/// Interrupt Process.
pub const IP: u8 = 244;
/// Break.
pub const BRK: u8 = 243;
/// Data Mark (the data stream part of a Synch).
pub const DM: u8 = 242;
/// No Operation.
pub const NOP: u8 = 241;
/// End of subnegotiation.
pub const SE: u8 = 240;

/// Option: binary transmission (RFC 856).
pub const BINARY: u8 = 0;
/// Option: echo (RFC 857).
pub const ECHO: u8 = 1;
/// Option: suppress go ahead (RFC 858).
pub const SUPPRESS_GO_AHEAD: u8 = 3;
/// Option: terminal type (RFC 1091).
pub const TERMINAL_TYPE: u8 = 24;
/// Option: negotiate about window size (RFC 1073).
pub const NAWS: u8 = 31;

/// TERMINAL-TYPE's `IS`.
const TTYPE_IS: u8 = 0;
/// TERMINAL-TYPE's `SEND`.
const TTYPE_SEND: u8 = 1;
/// RFC 1091: a terminal type name is at most 40 characters.
pub const TTYPE_MAX: usize = 40;

/// The most bytes of one subnegotiation kept (more and it is dropped).
pub const SB_MAX: usize = 64;
/// The queue to the network.
pub const QUEUE_CAPACITY: usize = 4096;
/// Room in the queue kept for negotiation replies: typing is not taken into it.
pub const KEYS_RESERVE: usize = 256;

const CR: u8 = 0x0D;
const LF: u8 = 0x0A;
const NUL: u8 = 0;

/// How the client presents itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// The name answered to TERMINAL-TYPE (RFC 1091; at most [`TTYPE_MAX`] printable ASCII
    /// characters are sent, others are left out). `"ANSI"` by default.
    pub terminal_type: String,
    /// The window's width in characters for NAWS (80 by default).
    pub width: u16,
    /// The window's height in lines for NAWS (24 by default).
    pub height: u16,
    /// Ask for SUPPRESS-GO-AHEAD (and BINARY with [`Config::binary`]) at the start, rather than
    /// wait for the server to negotiate (true by default).
    pub initiate: bool,
    /// Ask for BINARY both ways at the start (false by default; accepted whenever the server
    /// asks, either way).
    pub binary: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config { terminal_type: "ANSI".into(), width: 80, height: 24, initiate: true, binary: false }
    }
}

/// Which options are on (each true only once both ends agree).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Options {
    /// We send binary (no CR NUL stuffing).
    pub local_binary: bool,
    /// The server sends binary (CR NUL not undone).
    pub remote_binary: bool,
    /// The server echoes what we type (a terminal's local echo should be off).
    pub remote_echo: bool,
    /// The server suppresses Go Ahead.
    pub remote_sga: bool,
    /// We suppress Go Ahead.
    pub local_sga: bool,
    /// We tell our terminal type.
    pub terminal_type: bool,
    /// We tell our window size.
    pub window_size: bool,
}

/// What went wrong, counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Errors {
    /// Subnegotiations longer than [`SB_MAX`], dropped.
    pub sb_overflows: u64,
    /// Protocol errors: an answer to a request we had not made in that state (RFC 1143's
    /// errors), a stray SE, an IAC and a command inside a subnegotiation.
    pub protocol: u64,
    /// Replies dropped because the queue to the network was full.
    pub replies_dropped: u64,
}

/// Where the receiver is in the network's byte stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rx {
    Data,
    Iac,
    /// WILL, WONT, DO or DONT: the option byte comes next.
    Verb(u8),
    SbOption,
    Sb,
    SbIac,
}

/// Both sides of one option.
#[derive(Debug, Clone, Copy, Default)]
struct Opt {
    him: Side,
    us: Side,
}

/// The telnet client's protocol engine (see the [module documentation](self)).
pub struct Telnet {
    config: Config,
    opts: Box<[Opt; 256]>,
    rx: Rx,
    /// The last data byte from the server was a CR (outside binary mode).
    cr: bool,
    sb_option: u8,
    sb: Vec<u8>,
    sb_overflow: bool,
    out: ByteQueue,
    errors: Errors,
}

/// Options the server may perform (we answer its WILL with DO).
fn remote_allowed(option: u8) -> bool {
    matches!(option, BINARY | ECHO | SUPPRESS_GO_AHEAD)
}

/// Options we perform when asked (we answer DO with WILL).
fn local_allowed(option: u8) -> bool {
    matches!(option, BINARY | SUPPRESS_GO_AHEAD | TERMINAL_TYPE | NAWS)
}

impl Telnet {
    /// An engine for `config`, with its opening requests queued (if [`Config::initiate`]).
    pub fn new(config: Config) -> Telnet {
        let mut t = Telnet {
            opts: Box::new([Opt::default(); 256]),
            rx: Rx::Data,
            cr: false,
            sb_option: 0,
            sb: Vec::with_capacity(SB_MAX),
            sb_overflow: false,
            out: ByteQueue::new(QUEUE_CAPACITY),
            errors: Errors::default(),
            config,
        };
        if t.config.initiate {
            let _ = t.request_remote(SUPPRESS_GO_AHEAD, true);
            if t.config.binary {
                let _ = t.request_remote(BINARY, true);
                let _ = t.request_local(BINARY, true);
            }
        }
        t
    }

    /// Bytes from the network: data goes to `display` (in runs, as it comes), commands are
    /// handled and their replies queued for [`Telnet::transmit`]. `display` gets at most as many
    /// bytes as `net` holds.
    pub fn receive(&mut self, net: &[u8], display: &mut impl FnMut(&[u8])) {
        let mut run = [0u8; 256];
        let mut n = 0;
        for &b in net {
            if let Some(d) = self.rx_byte(b) {
                run[n] = d;
                n += 1;
                if n == run.len() {
                    display(&run);
                    n = 0;
                }
            }
        }
        if n > 0 {
            display(&run[..n]);
        }
    }

    /// Queues typing for the network (IAC doubled; CR as CR NUL outside binary mode, CR LF when
    /// an LF follows it in `keys`). Returns how many keys were taken: typing stops while the queue
    /// has less than [`KEYS_RESERVE`] bytes free; offer the rest again later.
    pub fn send_keys(&mut self, keys: &[u8]) -> usize {
        let binary = self.opts[BINARY as usize].us.enabled();
        for (i, &k) in keys.iter().enumerate() {
            if self.out.free() < KEYS_RESERVE + 2 {
                return i;
            }
            match k {
                IAC => self.out.write(&[IAC, IAC]),
                CR if !binary && keys.get(i + 1) != Some(&LF) => self.out.write(&[CR, NUL]),
                _ => self.out.write(&[k]),
            };
        }
        keys.len()
    }

    /// How many keys [`Telnet::send_keys`] takes whole now, however many of them need doubling
    /// (IAC) or stuffing (CR NUL): what a file transfer over the session may hand it at once.
    pub fn keys_room(&self) -> usize {
        self.out.free().saturating_sub(KEYS_RESERVE + 2) / 2
    }

    /// Queues a two-byte command (IAC and one of [`NOP`], [`DM`], [`BRK`], [`IP`], [`AO`],
    /// [`AYT`], [`EC`], [`EL`], [`GA`]); false for another byte or a full queue.
    pub fn send_command(&mut self, command: u8) -> bool {
        (NOP..=GA).contains(&command) && self.queue(&[IAC, command])
    }

    /// Takes bytes for the network into `out`; returns how many.
    pub fn transmit(&mut self, out: &mut [u8]) -> usize {
        self.out.read(out)
    }

    /// Bytes waiting for [`Telnet::transmit`].
    pub fn pending(&self) -> usize {
        self.out.len()
    }

    /// Sets the window size, telling the server if NAWS is agreed.
    pub fn set_window_size(&mut self, width: u16, height: u16) {
        self.config.width = width;
        self.config.height = height;
        if self.local_enabled(NAWS) {
            self.send_window_size();
        }
    }

    /// Asks the server to enable (DO) or disable (DONT) `option` on its side. Options we do not
    /// accept from it are refused when it offers them anyway.
    pub fn request_remote(&mut self, option: u8, enable: bool) -> Result<(), RequestError> {
        let o = self.opts[option as usize].him.request(enable)?;
        self.outcome(false, option, o);
        Ok(())
    }

    /// Offers (WILL) or withdraws (WONT) `option` on our side.
    pub fn request_local(&mut self, option: u8, enable: bool) -> Result<(), RequestError> {
        let was = self.local_enabled(option);
        let o = self.opts[option as usize].us.request(enable)?;
        self.outcome(true, option, o);
        self.local_changed(option, was);
        Ok(())
    }

    /// True when the server performs `option`.
    pub fn remote_enabled(&self, option: u8) -> bool {
        self.opts[option as usize].him.enabled()
    }

    /// True when we perform `option`.
    pub fn local_enabled(&self, option: u8) -> bool {
        self.opts[option as usize].us.enabled()
    }

    /// RFC 1143's state of `option` on the server's side and on ours.
    pub fn option_state(&self, option: u8) -> (Side, Side) {
        let o = &self.opts[option as usize];
        (o.him, o.us)
    }

    /// The options agreed so far.
    pub fn options(&self) -> Options {
        Options {
            local_binary: self.local_enabled(BINARY),
            remote_binary: self.remote_enabled(BINARY),
            remote_echo: self.remote_enabled(ECHO),
            remote_sga: self.remote_enabled(SUPPRESS_GO_AHEAD),
            local_sga: self.local_enabled(SUPPRESS_GO_AHEAD),
            terminal_type: self.local_enabled(TERMINAL_TYPE),
            window_size: self.local_enabled(NAWS),
        }
    }

    /// What went wrong so far.
    pub fn errors(&self) -> Errors {
        self.errors
    }

    /// The configuration (with the latest window size).
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// One byte from the network; the data byte for the terminal, if it is one.
    fn rx_byte(&mut self, b: u8) -> Option<u8> {
        match self.rx {
            Rx::Data if b == IAC => self.rx = Rx::Iac,
            Rx::Data => return self.data(b),
            Rx::Iac => {
                self.rx = Rx::Data;
                match b {
                    IAC => return self.data(IAC),
                    WILL | WONT | DO | DONT => self.rx = Rx::Verb(b),
                    SB => self.rx = Rx::SbOption,
                    SE => self.errors.protocol += 1,
                    // NOP, DM, GA, and the commands a client is not sent.
                    _ => {}
                }
            }
            Rx::Verb(verb) => {
                self.rx = Rx::Data;
                self.negotiate(verb, b);
            }
            Rx::SbOption => {
                self.sb_option = b;
                self.sb.clear();
                self.sb_overflow = false;
                self.rx = Rx::Sb;
            }
            Rx::Sb if b == IAC => self.rx = Rx::SbIac,
            Rx::Sb => self.sb_push(b),
            Rx::SbIac => match b {
                SE => {
                    self.rx = Rx::Data;
                    self.subnegotiation();
                }
                IAC => {
                    self.sb_push(IAC);
                    self.rx = Rx::Sb;
                }
                _ => {
                    // The subnegotiation was never closed: drop it, take the command.
                    self.errors.protocol += 1;
                    self.rx = Rx::Iac;
                    return self.rx_byte(b);
                }
            },
        }
        None
    }

    /// A data byte: CR NUL becomes CR outside binary mode.
    fn data(&mut self, b: u8) -> Option<u8> {
        let binary = self.remote_enabled(BINARY);
        let after_cr = core::mem::replace(&mut self.cr, !binary && b == CR);
        if after_cr && b == NUL && !binary {
            return None;
        }
        Some(b)
    }

    fn sb_push(&mut self, b: u8) {
        if self.sb.len() < SB_MAX {
            self.sb.push(b);
        } else {
            self.sb_overflow = true;
        }
    }

    fn subnegotiation(&mut self) {
        if self.sb_overflow {
            self.errors.sb_overflows += 1;
            return;
        }
        if self.sb_option == TERMINAL_TYPE && self.sb == [TTYPE_SEND] && self.local_enabled(TERMINAL_TYPE) {
            let mut reply = [0u8; TTYPE_MAX + 6];
            reply[..4].copy_from_slice(&[IAC, SB, TERMINAL_TYPE, TTYPE_IS]);
            let mut n = 4;
            for &c in self.config.terminal_type.as_bytes().iter().filter(|c| c.is_ascii_graphic()).take(TTYPE_MAX) {
                reply[n] = c;
                n += 1;
            }
            reply[n..n + 2].copy_from_slice(&[IAC, SE]);
            self.queue(&reply[..n + 2]);
        }
        // Anything else (NAWS or TTYPE IS from a server, options we refused) means nothing here.
    }

    /// A WILL, WONT, DO or DONT from the server.
    fn negotiate(&mut self, verb: u8, option: u8) {
        let was = self.local_enabled(option);
        let o = &mut self.opts[option as usize];
        let (local, outcome) = match verb {
            WILL => (false, o.him.positive(remote_allowed(option))),
            WONT => (false, o.him.negative()),
            DO => (true, o.us.positive(local_allowed(option))),
            _ => (true, o.us.negative()),
        };
        self.outcome(local, option, outcome);
        if local {
            self.local_changed(option, was);
        }
    }

    /// Sends what an outcome calls for and counts its error.
    fn outcome(&mut self, local: bool, option: u8, o: Outcome) {
        if o.error {
            self.errors.protocol += 1;
        }
        if let Some(positive) = o.send {
            let verb = match (local, positive) {
                (false, true) => DO,
                (false, false) => DONT,
                (true, true) => WILL,
                (true, false) => WONT,
            };
            self.queue(&[IAC, verb, option]);
        }
    }

    /// Acts on an option of ours that has just come on.
    fn local_changed(&mut self, option: u8, was: bool) {
        if !was && option == NAWS && self.local_enabled(NAWS) {
            self.send_window_size();
        }
    }

    fn send_window_size(&mut self) {
        let mut reply = [0u8; 14];
        reply[..3].copy_from_slice(&[IAC, SB, NAWS]);
        let mut n = 3;
        let [w1, w0] = self.config.width.to_be_bytes();
        let [h1, h0] = self.config.height.to_be_bytes();
        for b in [w1, w0, h1, h0] {
            reply[n] = b;
            n += 1;
            if b == IAC {
                reply[n] = IAC;
                n += 1;
            }
        }
        reply[n..n + 2].copy_from_slice(&[IAC, SE]);
        self.queue(&reply[..n + 2]);
    }

    /// Queues a command whole, or drops it whole and counts it.
    fn queue(&mut self, bytes: &[u8]) -> bool {
        if self.out.free() < bytes.len() {
            self.errors.replies_dropped += 1;
            return false;
        }
        self.out.write(bytes);
        true
    }
}

#[cfg(test)]
mod tests;
