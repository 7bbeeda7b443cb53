//! The demonstration BBS's host: what the caller of the page's demo ([`crate::sim::demo`]) meets
//! once the modems have connected. Sans-IO: it is handed the connection ([`Host::connected`]) and
//! the bytes received ([`Host::received`]), and keeps what it has to send in a bounded buffer that
//! the caller drains into the modem as its transmit queue has room ([`Host::send`]).
//!
//! It sends ANSI for an 80x25 CP437 terminal with 16 colours, as BBSes do (it asks the terminal
//! nothing): a welcome screen in a double-line box with the rate of the connection and a menu
//! chosen with single keys, case-insensitive, no Enter needed:
//!
//! | key | page |
//! |---|---|
//! | `C` | chat: what is typed is echoed (CR as CR LF, backspace as BS SP BS); a line `/q` or ESC returns to the menu, a line `bye` hangs up |
//! | `A` | ANSI art made for this project (in `art.rs`): cursor movement, iCE colours, CP437 blocks and lines |
//! | `L` | the line: the rate, and what the page's line-quality control does |
//! | `F` | files ([`files`]): downloads by ZMODEM, YMODEM, XMODEM-1K or XMODEM, uploads kept in memory |
//! | `H` or `?` | help |
//! | `G` | goodbye: the BBS hangs up |
//!
//! `bye` and Enter typed at the menu hangs up as well. On the art, line and help pages any key
//! returns to the menu. Escape sequences the terminal sends (arrow keys, answers to queries) are
//! skipped whole.
//!
//! The output is bounded: a key is acted on only when [`OUTPUT_CAPACITY`] leaves room for the
//! largest page; keys typed while earlier pages still wait to be sent are dropped (and counted,
//! [`Host::dropped`]). A file transfer's output is held [`files::TRANSFER_CHUNK`] octets at a
//! time, taken from the transfer only as the modem takes it; its timers run on [`Host::tick`].

mod art;
pub mod files;

use crate::time::Instant;
use std::collections::VecDeque;

/// The words of the welcome screen's title, plain ASCII on one line of the screen.
pub const WELCOME: &str = "Welcome to the softmodem demo BBS.";

/// The BBS's words before it hangs up (plain ASCII on one line of the screen).
pub const GOODBYE: &str = "Goodbye. The BBS hangs up.";

/// Most bytes the host holds for sending.
pub const OUTPUT_CAPACITY: usize = 8192;

/// Room a key needs before it is acted on: more than the largest page.
const RESERVE: usize = 4096;

/// Longest chat line kept (to recognise `/q` and `bye`); longer lines are echoed all the same.
const LINE_MAX: usize = 80;

/// Longest escape sequence skipped; a longer one ends there.
const ESC_MAX: u8 = 32;

/// Which page the caller is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Page {
    /// Not connected yet: what is received is ignored.
    Offline,
    /// The welcome screen and its menu.
    Menu,
    /// Chat: what is typed is echoed.
    Chat,
    /// The ANSI art, until a key is pressed.
    Art,
    /// The line-quality page, until a key is pressed.
    Line,
    /// Help, until a key is pressed.
    Help,
    /// The files area ([`files`]): downloads, uploads, the protocol.
    Files,
    /// A file transfer runs (every octet received goes to it), or has just ended and the host
    /// waits for the line to go quiet before it shows the files page again.
    Transfer,
    /// Goodbye sent: the host wants to hang up ([`Host::wants_hang_up`]).
    Leaving,
}

/// Where the host is in an escape sequence from the terminal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Esc {
    /// Not in one.
    None,
    /// ESC seen.
    Seen,
    /// `ESC [` or `ESC O` seen, and this many bytes since.
    Csi(u8),
}

/// The demonstration BBS's host. See the [module documentation](self).
#[derive(Debug)]
pub struct Host {
    out: VecDeque<u8>,
    page: Page,
    esc: Esc,
    /// The chat line (its first [`LINE_MAX`] bytes) and how many bytes it has.
    line: Vec<u8>,
    line_len: usize,
    /// The last three keys at the menu, for `bye`.
    recent: [u8; 3],
    rates: (u32, u32),
    family: String,
    dropped: u64,
    /// The time of the last [`Host::tick`].
    now: Instant,
    files: files::Area,
}

impl Default for Host {
    fn default() -> Self {
        Self::new()
    }
}

impl Host {
    /// A host waiting for the connection.
    pub fn new() -> Self {
        Host {
            out: VecDeque::with_capacity(OUTPUT_CAPACITY),
            page: Page::Offline,
            esc: Esc::None,
            line: Vec::with_capacity(LINE_MAX),
            line_len: 0,
            recent: [0; 3],
            rates: (0, 0),
            family: String::new(),
            dropped: 0,
            now: Instant::ZERO,
            files: files::Area::default(),
        }
    }

    /// The modems have connected at `rx_rate`/`tx_rate` bit/s with the modulation named
    /// `family_title` (e.g. `V.22bis`): the welcome screen and menu are queued.
    pub fn connected(&mut self, rx_rate: u32, tx_rate: u32, family_title: &str) {
        self.rates = (rx_rate, tx_rate);
        self.family.clear();
        self.family.push_str(family_title);
        self.esc = Esc::None;
        self.files = files::Area::default();
        self.show_menu();
    }

    /// The modems retrained or fell back: data flows at `rate` bit/s both ways now (shown on
    /// the line page; nothing is sent).
    pub fn retrained(&mut self, rate: u32) {
        self.rates = (rate, rate);
    }

    /// The page the caller is on.
    pub fn page(&self) -> Page {
        self.page
    }

    /// True once the goodbye has been queued: hang up when it has been sent ([`Host::pending`]
    /// is 0 and the modem's transmit queue is empty).
    pub fn wants_hang_up(&self) -> bool {
        self.page == Page::Leaving
    }

    /// Bytes waiting to be sent.
    pub fn pending(&self) -> usize {
        self.out.len()
    }

    /// Keys dropped because the output was too full to act on them.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    /// Hands waiting bytes to `write` (e.g. [`crate::Modem::write`]), which returns how many it
    /// took; what it does not take stays for the next call. Returns how many were taken. While a
    /// file transfer runs, its octets are taken from it here as `write` takes them.
    pub fn send(&mut self, mut write: impl FnMut(&[u8]) -> usize) -> usize {
        let mut total = 0;
        loop {
            if self.out.is_empty() && !self.pull_transfer() {
                break;
            }
            let (front, _) = self.out.as_slices();
            let n = write(front).min(front.len());
            let whole = n == front.len();
            self.out.drain(..n);
            total += n;
            if !whole {
                break;
            }
        }
        total
    }

    /// Takes up to `out.len()` waiting bytes into `out`; returns how many.
    pub fn read(&mut self, out: &mut [u8]) -> usize {
        let mut n = 0;
        self.send(|b| {
            let k = b.len().min(out.len() - n);
            out[n..n + k].copy_from_slice(&b[..k]);
            n += k;
            k
        });
        n
    }

    /// Bytes received from the caller (during a file transfer: the transfer's, all of them).
    pub fn received(&mut self, bytes: &[u8]) {
        for (i, &b) in bytes.iter().enumerate() {
            match self.page {
                Page::Offline | Page::Leaving => return,
                Page::Transfer => return self.transfer_received(&bytes[i..]),
                _ => {}
            }
            match self.esc {
                Esc::Seen if b == b'[' || b == b'O' => {
                    self.esc = Esc::Csi(0);
                    continue;
                }
                Esc::Seen => self.esc = Esc::None,
                Esc::Csi(n) => {
                    self.esc = if (0x40..=0x7e).contains(&b) || n >= ESC_MAX { Esc::None } else { Esc::Csi(n + 1) };
                    continue;
                }
                Esc::None => {}
            }
            if OUTPUT_CAPACITY - self.out.len() < RESERVE {
                self.dropped += 1;
                continue;
            }
            if b == 0x1b {
                self.esc = Esc::Seen;
            }
            match self.page {
                Page::Menu => self.menu_key(b),
                Page::Chat => self.chat_key(b),
                Page::Art => {
                    // iCE colours off once the screen no longer shows bright backgrounds.
                    self.put(b"\x1b[0m\x1b[2J\x1b[?33l");
                    self.show_menu();
                }
                Page::Line | Page::Help => self.show_menu(),
                Page::Files => self.files_key(b),
                Page::Offline | Page::Leaving | Page::Transfer => {}
            }
        }
    }

    fn put(&mut self, bytes: &[u8]) {
        let n = bytes.len().min(OUTPUT_CAPACITY - self.out.len());
        self.out.extend(&bytes[..n]);
    }

    fn menu_key(&mut self, b: u8) {
        let bye = b == b'\r' && self.recent.eq_ignore_ascii_case(b"bye");
        self.recent = [self.recent[1], self.recent[2], b];
        match b.to_ascii_uppercase() {
            _ if bye => self.goodbye(),
            b'C' => self.show_chat(),
            b'A' => {
                self.page = Page::Art;
                let art = art::page();
                self.put(&art);
            }
            b'L' => self.show_line(),
            b'F' => self.show_files(),
            b'H' | b'?' => self.show_help(),
            b'G' => self.goodbye(),
            0x1b | b'\r' | b'\n' | 0 => {}
            _ => {
                let shown = if b.is_ascii_graphic() { b as char } else { '?' };
                self.put(b"\r\x1b[K\x1b[1;31m");
                self.put(format!("'{shown}' is not on the menu: press C, A, L, F, H or G.").as_bytes());
                self.put(b"\x1b[0m ");
            }
        }
    }

    fn chat_key(&mut self, b: u8) {
        match b {
            0x1b => self.show_menu(),
            b'\r' => {
                self.put(b"\r\n");
                let line = (self.line_len <= LINE_MAX).then_some(&self.line[..]);
                let quit = line.is_some_and(|l| l.eq_ignore_ascii_case(b"/q"));
                let bye = line.is_some_and(|l| l.eq_ignore_ascii_case(b"bye"));
                self.line.clear();
                self.line_len = 0;
                if bye {
                    self.goodbye();
                } else if quit {
                    self.show_menu();
                }
            }
            8 | 0x7f if self.line_len > 0 => {
                if self.line_len <= LINE_MAX {
                    self.line.pop();
                }
                self.line_len -= 1;
                self.put(b"\x08 \x08");
            }
            0x20..=0x7e | 0x80..=0xff => {
                if self.line.len() < LINE_MAX {
                    self.line.push(b);
                }
                self.line_len = self.line_len.saturating_add(1);
                self.put(&[b]);
            }
            _ => {}
        }
    }

    /// The rate of the connection and its modulation, e.g. "2400 bit/s (V.22bis)".
    fn rate(&self) -> String {
        let (rx, tx) = self.rates;
        let rate = if rx == tx { format!("{rx}") } else { format!("{rx}/{tx}") };
        format!("{rate} bit/s ({})", self.family)
    }

    /// Erases the screen and writes a heading in a coloured bar.
    fn heading(&mut self, title: &str) {
        self.put(b"\x1b[0m\x1b[2J\x1b[H\x1b[1;37;44m ");
        self.put(title.as_bytes());
        self.put(b" \x1b[0m\r\n\r\n");
    }

    fn show_menu(&mut self) {
        self.page = Page::Menu;
        self.recent = [0; 3];
        let width = 56;
        let bar = vec![0xCD; width];
        let mut s: Vec<u8> = Vec::with_capacity(1024);
        s.extend_from_slice(b"\x1b[0m\x1b[2J\x1b[H\r\n\x1b[11C\x1b[1;33;44m\xC9");
        s.extend_from_slice(&bar);
        s.extend_from_slice(b"\xBB\x1b[0m\r\n");
        let centred = |s: &mut Vec<u8>, text: &str, colour: &[u8]| {
            let left = (width - text.len()) / 2;
            s.extend_from_slice(b"\x1b[11C\x1b[1;33;44m\xBA");
            s.extend_from_slice(colour);
            s.extend(core::iter::repeat_n(b' ', left));
            s.extend_from_slice(text.as_bytes());
            s.extend(core::iter::repeat_n(b' ', width - left - text.len()));
            s.extend_from_slice(b"\x1b[1;33m\xBA\x1b[0m\r\n");
        };
        centred(&mut s, WELCOME, b"\x1b[37m");
        centred(&mut s, "a second modem in this page, behind a simulated line", b"\x1b[0;36;44m");
        s.extend_from_slice(b"\x1b[11C\x1b[1;33;44m\xC8");
        s.extend_from_slice(&bar);
        s.extend_from_slice(b"\xBC\x1b[0m\r\n\r\n\x1b[1;32m   You are connected at ");
        s.extend_from_slice(self.rate().as_bytes());
        s.extend_from_slice(b".\r\n\x1b[0m\r\n");
        s.extend_from_slice(b"   \x1b[36m\xDA\xC4\xC4 \x1b[1;37mMenu\x1b[0;36m ");
        s.extend_from_slice(&[0xC4; 49]);
        s.extend_from_slice(b"\r\n");
        for (item, more) in [
            ("[C]\x1b[0m Chat (echo)    ", "type a line, the BBS sends it back"),
            ("[A]\x1b[0m ANSI art       ", "a picture in CP437 blocks"),
            ("[L]\x1b[0m Line quality   ", "the rate, and noise on the line"),
            ("[F]\x1b[0m Files          ", "download and upload files"),
            ("[H]\x1b[0m Help           ", "keys, and how to hang up yourself"),
            ("[G]\x1b[0m Goodbye        ", "the BBS hangs up"),
        ] {
            s.extend_from_slice(b"   \xB3 \x1b[1;33m");
            s.extend_from_slice(item.as_bytes());
            s.extend_from_slice(b"\x1b[36m");
            s.extend_from_slice(more.as_bytes());
            s.extend_from_slice(b"\r\n");
        }
        s.extend_from_slice(b"   \xC0");
        s.extend_from_slice(&[0xC4; 57]);
        s.extend_from_slice(b"\r\n\r\n\x1b[1;37mYour choice: \x1b[0m");
        self.put(&s);
    }

    fn show_chat(&mut self) {
        self.page = Page::Chat;
        self.line.clear();
        self.line_len = 0;
        self.heading("Chat (echo)");
        self.put(
            b"\x1b[36mType a line: the BBS echoes each key back over the line.\r\n\
A line \x1b[1;37m/q\x1b[0;36m or \x1b[1;37mESC\x1b[0;36m: back to the menu. \
A line \x1b[1;37mbye\x1b[0;36m: the BBS hangs up.\x1b[0m\r\n\r\n",
        );
    }

    fn show_line(&mut self) {
        self.page = Page::Line;
        self.heading("Line quality");
        let rate = self.rate();
        self.put(b"\x1b[1;32mYou are connected at ");
        self.put(rate.as_bytes());
        self.put(
            b".\x1b[0m\r\n\r\n\
The call runs through a simulated telephone line inside this page. The page's\r\n\
line-quality control changes it during the call, both ways: \x1b[1;37mnoise\x1b[0m (a signal-\r\n\
to-noise ratio in dB) and \x1b[1;37mG.711 mu-law\x1b[0m coding, as a digital network does.\r\n\r\n\
\x1b[33mOn a clean line\x1b[0m the modems keep 2400 bit/s without errors.\r\n\
\x1b[33mOn a noisy line\x1b[0m characters arrive wrong or not at all, the modems\r\n\
retrain, fall back to 1200 bit/s, or give up (NO CARRIER). The status panel\r\n\
shows the SNR the receiver estimates and its error counts.\r\n\r\n\
Come back here after a change: the rate above is the one in use now.\r\n\r\n\
\x1b[1;37mPress any key for the menu.\x1b[0m",
        );
    }

    fn show_help(&mut self) {
        self.page = Page::Help;
        self.heading("Help");
        self.put(
            b"At the menu one key chooses, no Enter needed:\r\n\
  \x1b[1;33mC\x1b[0m chat (echo)   \x1b[1;33mA\x1b[0m ANSI art   \x1b[1;33mL\x1b[0m line quality   \
\x1b[1;33mF\x1b[0m files   \x1b[1;33mH\x1b[0m help   \x1b[1;33mG\x1b[0m goodbye\r\n\r\n\
This BBS is a second softmodem answering your call through a simulated phone\r\n\
and line. Everything you see came over the modem at the rate of the call.\r\n\r\n\
To hang up yourself: wait a second, type \x1b[1;37m+++\x1b[0m, wait a second (the modem\r\n\
says OK in command mode), then type \x1b[1;37mATH\x1b[0m and Enter.\r\n\r\n\
\x1b[1;37mPress any key for the menu.\x1b[0m",
        );
    }

    fn goodbye(&mut self) {
        self.page = Page::Leaving;
        self.put(b"\x1b[0m\r\n\x1b[1;35m");
        self.put(GOODBYE.as_bytes());
        self.put(b"\x1b[0m\r\n");
    }
}

#[cfg(test)]
mod files_tests;
#[cfg(test)]
mod tests;
