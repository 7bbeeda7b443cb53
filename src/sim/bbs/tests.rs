//! The host driven with bytes; its screens read back by a small ANSI-BBS screen (below) that
//! knows what the host sends: CP437 cells with 16 colours, DOS wrap (a character in column 80
//! moves the cursor to the next line at once), CUP, CUU/CUD/CUF/CUB, ED, EL, SGR, save/restore,
//! iCE colours. It counts wraps and scrolls and refuses any malformed or unknown sequence.

use super::art::{self, Cell, BLANK, COLS, ROWS};
use super::*;
use crate::sim::rng::Rng;

/// A test-only ANSI-BBS screen.
pub(super) struct Screen {
    pub(super) cells: Vec<[Cell; COLS]>,
    pub(super) row: usize,
    pub(super) col: usize,
    saved: (usize, usize),
    /// SGR state: colours 0-7, bold, blink.
    fg: u8,
    bg: u8,
    bold: bool,
    blink: bool,
    ice: bool,
    pub(super) wraps: usize,
    pub(super) scrolls: usize,
    /// Every sequence's final byte, in order (`?33h` as `h`).
    finals: Vec<u8>,
}

impl Screen {
    pub(super) fn new() -> Self {
        Screen {
            cells: vec![[BLANK; COLS]; ROWS],
            row: 0,
            col: 0,
            saved: (0, 0),
            fg: 7,
            bg: 0,
            bold: false,
            blink: false,
            ice: false,
            wraps: 0,
            scrolls: 0,
            finals: vec![],
        }
    }

    fn line_feed(&mut self) {
        if self.row == ROWS - 1 {
            self.cells.remove(0);
            self.cells.push([BLANK; COLS]);
            self.scrolls += 1;
        } else {
            self.row += 1;
        }
    }

    fn blank(&self) -> Cell {
        Cell { ch: b' ', fg: self.fg, bg: self.bg }
    }

    /// Interprets `bytes`; panics on a malformed or unknown sequence, or a control character the
    /// host should not send.
    pub(super) fn feed(&mut self, bytes: &[u8]) {
        let mut i = 0;
        while i < bytes.len() {
            let b = bytes[i];
            i += 1;
            match b {
                0x1b => {
                    assert_eq!(bytes.get(i), Some(&b'['), "ESC not followed by [ at {i}");
                    i += 1;
                    let start = i;
                    while i < bytes.len() && (0x30..=0x3f).contains(&bytes[i]) {
                        i += 1;
                    }
                    let fin = *bytes.get(i).unwrap_or_else(|| panic!("unterminated sequence at {start}"));
                    assert!((0x40..=0x7e).contains(&fin), "bad final byte {fin:#x} at {i}");
                    i += 1;
                    let params = std::str::from_utf8(&bytes[start..i - 1]).unwrap();
                    self.csi(params, fin);
                }
                b'\r' => self.col = 0,
                b'\n' => self.line_feed(),
                8 => self.col = self.col.saturating_sub(1),
                0..=0x1f | 0x7f => panic!("control character {b:#x} sent"),
                _ => {
                    let fg = self.fg + 8 * self.bold as u8;
                    let bg = self.bg + 8 * (self.blink && self.ice) as u8;
                    self.cells[self.row][self.col] = Cell { ch: b, fg, bg };
                    self.col += 1;
                    if self.col == COLS {
                        self.col = 0;
                        self.wraps += 1;
                        self.line_feed();
                    }
                }
            }
        }
    }

    fn csi(&mut self, params: &str, fin: u8) {
        self.finals.push(fin);
        if let Some(mode) = params.strip_prefix('?') {
            assert_eq!(mode, "33", "private mode {params}");
            assert!(fin == b'h' || fin == b'l', "?33{}", fin as char);
            self.ice = fin == b'h';
            return;
        }
        let ps: Vec<usize> = params.split(';').map(|p| if p.is_empty() { 0 } else { p.parse().unwrap() }).collect();
        let n = ps[0].max(1);
        match fin {
            b'H' | b'f' => {
                self.row = ps[0].clamp(1, ROWS) - 1;
                self.col = ps.get(1).copied().unwrap_or(1).clamp(1, COLS) - 1;
            }
            b'A' => self.row = self.row.saturating_sub(n),
            b'B' => self.row = (self.row + n).min(ROWS - 1),
            b'C' => self.col = (self.col + n).min(COLS - 1),
            b'D' => self.col = self.col.saturating_sub(n),
            b'J' => {
                assert_eq!(ps[0], 2, "only ED 2 is sent");
                let blank = self.blank();
                self.cells = vec![[blank; COLS]; ROWS];
                (self.row, self.col) = (0, 0);
            }
            b'K' => {
                assert_eq!(ps[0], 0, "only EL 0 is sent");
                let blank = self.blank();
                self.cells[self.row][self.col..].fill(blank);
            }
            b's' => self.saved = (self.row, self.col),
            b'u' => (self.row, self.col) = self.saved,
            b'm' => {
                for &p in &ps {
                    match p {
                        0 => (self.fg, self.bg, self.bold, self.blink) = (7, 0, false, false),
                        1 => self.bold = true,
                        5 => self.blink = true,
                        30..=37 => self.fg = (p - 30) as u8,
                        40..=47 => self.bg = (p - 40) as u8,
                        _ => panic!("SGR {p}"),
                    }
                }
            }
            _ => panic!("unknown sequence {params}{}", fin as char),
        }
    }

    /// A row as text: printable ASCII as itself, anything else as `#`.
    pub(super) fn text(&self, row: usize) -> String {
        self.cells[row].iter().map(|c| if (0x20..0x7f).contains(&c.ch) { c.ch as char } else { '#' }).collect()
    }

    pub(super) fn find(&self, words: &str) -> Option<usize> {
        (0..ROWS).find(|&r| self.text(r).contains(words))
    }
}

pub(super) fn drain(h: &mut Host) -> Vec<u8> {
    let mut v = vec![];
    h.send(|b| {
        v.extend_from_slice(b);
        b.len()
    });
    v
}

/// A host connected at 2400 bit/s, its welcome screen on a [`Screen`].
pub(super) fn connected() -> (Host, Screen, Vec<u8>) {
    let mut h = Host::new();
    h.connected(2400, 2400, "V.22bis");
    let out = drain(&mut h);
    let mut s = Screen::new();
    s.feed(&out);
    (h, s, out)
}

pub(super) fn key(h: &mut Host, s: &mut Screen, keys: &[u8]) -> Vec<u8> {
    h.received(keys);
    let out = drain(h);
    s.feed(&out);
    out
}

#[test]
fn nothing_is_sent_or_heard_before_the_connection() {
    let mut h = Host::new();
    h.received(b"cag\r");
    assert_eq!((h.pending(), h.page(), h.wants_hang_up()), (0, Page::Offline, false));
}

#[test]
fn the_welcome_screen_is_small_coloured_boxed_and_tells_the_rate() {
    let (h, s, out) = connected();
    assert_eq!(h.page(), Page::Menu);
    assert!(out.len() < 1024, "{} bytes", out.len());
    assert!(out.starts_with(b"\x1b[0m\x1b[2J"));
    let title = s.find(WELCOME).expect("no title");
    let rate = s.find("You are connected at 2400 bit/s (V.22bis).").expect("no rate");
    assert!(rate > title);
    // Plain text, as a line-based reader sees it too.
    assert!(out.windows(WELCOME.len()).any(|w| w == WELCOME.as_bytes()));
    assert!(out.windows(12).any(|w| w == b"(V.22bis).\r\n"));
    // The title box: double-line corners around the title, bright yellow on blue.
    let row = &s.cells[title];
    let left = row.iter().position(|c| c.ch == 0xBA).unwrap();
    let right = row.iter().rposition(|c| c.ch == 0xBA).unwrap();
    assert_eq!((s.cells[title - 1][left].ch, s.cells[title - 1][right].ch), (0xC9, 0xBB));
    assert!(s.cells[title - 1][left + 1..right].iter().all(|c| c.ch == 0xCD));
    let bottom = (title + 1..ROWS).find(|&r| s.cells[r][left].ch == 0xC8).unwrap();
    assert_eq!(s.cells[bottom][right].ch, 0xBC);
    assert_eq!((row[left].fg, row[left].bg), (11, 4));
    let w = s.text(title).find(WELCOME).unwrap();
    assert_eq!((row[w].fg, row[w].bg), (15, 4));
    for k in ["[C] Chat (echo)", "[A] ANSI art", "[L] Line quality", "[F] Files", "[H] Help", "[G] Goodbye"] {
        assert!(s.find(k).is_some(), "{k} not on the menu");
    }
    assert!(s.text(s.row).starts_with("Your choice: "));
    assert_eq!((s.wraps, s.scrolls), (0, 0));
}

#[test]
fn chat_echoes_edits_and_returns_to_the_menu() {
    let (mut h, mut s, _) = connected();
    let out = key(&mut h, &mut s, b"c");
    assert_eq!(h.page(), Page::Chat);
    assert!(out.starts_with(b"\x1b[0m\x1b[2J"));
    assert!(s.find("Chat (echo)").is_some());
    assert_eq!(key(&mut h, &mut s, b"hello BBS\r"), b"hello BBS\r\n");
    assert_eq!(key(&mut h, &mut s, b"ab\x08\x7f\x08x\r"), b"ab\x08 \x08\x08 \x08x\r\n");
    // Typed and erased: "/q" only counts as the whole line.
    assert_eq!(key(&mut h, &mut s, b"/qq\x08"), b"/qq\x08 \x08");
    assert_eq!(h.page(), Page::Chat);
    key(&mut h, &mut s, b"\r");
    assert_eq!(h.page(), Page::Menu);
    assert!(s.find(WELCOME).is_some());
    key(&mut h, &mut s, b"C");
    assert_eq!(h.page(), Page::Chat);
    // ESC returns to the menu; an arrow key's sequence does too, and its tail is not a key.
    key(&mut h, &mut s, b"\x1b[A");
    assert_eq!(h.page(), Page::Menu);
    key(&mut h, &mut s, b"\x1b[B\x1bOA\x1b[1;5C");
    assert_eq!(h.page(), Page::Menu);
}

#[test]
fn bye_hangs_up_from_chat_and_from_the_menu_and_g_says_goodbye() {
    for keys in [&b"cBYE\r"[..], b"bye\r", b"g", b"xG"] {
        let (mut h, mut s, _) = connected();
        let out = key(&mut h, &mut s, keys);
        assert!(h.wants_hang_up(), "{keys:?}");
        assert_eq!(h.page(), Page::Leaving);
        assert!(s.find(GOODBYE).is_some(), "{keys:?}: {:?}", String::from_utf8_lossy(&out));
        // Nothing more once leaving.
        h.received(b"cah\r");
        assert_eq!(h.pending(), 0);
    }
    // "bye" as part of a longer chat line does not.
    let (mut h, mut s, _) = connected();
    key(&mut h, &mut s, b"cbye bye\rbyebye\r");
    assert!(!h.wants_hang_up());
}

#[test]
fn unknown_keys_get_a_short_hint_on_the_prompt_line() {
    let (mut h, mut s, _) = connected();
    let row = s.row;
    let out = key(&mut h, &mut s, b"x");
    assert!(out.len() < 100, "{}", out.len());
    assert!(s.text(row).contains("'x' is not on the menu: press C, A, L, F, H or G."));
    key(&mut h, &mut s, b"\x01z");
    assert_eq!(s.row, row, "hints overwrite one line");
    assert!(s.text(row).contains("'z' is not"));
    assert!(!s.text(row).contains("'x'"));
    assert_eq!(s.cells[row][1].fg, 9, "in bright red");
    assert_eq!(h.page(), Page::Menu);
}

#[test]
fn the_line_and_help_pages_show_and_any_key_returns() {
    let (mut h, mut s, _) = connected();
    h.retrained(1200);
    let out = key(&mut h, &mut s, b"l");
    assert_eq!(h.page(), Page::Line);
    assert!(out.len() < 1024, "{}", out.len());
    assert!(s.find("You are connected at 1200 bit/s (V.22bis).").is_some());
    assert!(s.find("line-quality control").is_some());
    assert!(s.find("Press any key for the menu.").is_some());
    assert_eq!((s.wraps, s.scrolls), (0, 0));
    key(&mut h, &mut s, b" ");
    assert_eq!(h.page(), Page::Menu);
    assert!(s.find("You are connected at 1200 bit/s (V.22bis).").is_some());
    let out = key(&mut h, &mut s, b"?");
    assert_eq!(h.page(), Page::Help);
    assert!(out.len() < 1024, "{}", out.len());
    assert!(s.find("+++").is_some() && s.find("ATH").is_some());
    assert_eq!((s.wraps, s.scrolls), (0, 0));
    key(&mut h, &mut s, b"\x1b");
    assert_eq!(h.page(), Page::Menu);
}

#[test]
fn the_art_page_draws_the_scene_with_ice_colours_and_the_cursor_moves() {
    let (mut h, mut s, _) = connected();
    let out = key(&mut h, &mut s, b"a");
    assert_eq!(h.page(), Page::Art);
    assert!((1000..=3000).contains(&out.len()), "{} bytes", out.len());
    assert!(s.ice);
    assert_eq!((s.wraps, s.scrolls), (0, 0), "no DOS wrap, no scroll");
    // Cursor position, forward, back, down, save and restore, colours, iCE on.
    for f in [b'H', b'C', b'D', b'B', b's', b'u', b'm', b'h'] {
        assert!(s.finals.contains(&f), "no {}", f as char);
    }
    // What the screen shows is the scene with the moon over it, cell for cell.
    let mut want = art::scene().cells;
    for ((r, c), cell) in art::moon_cells() {
        want[r][c] = cell;
    }
    // (A space on black is blank whatever its foreground.)
    let plain = |c: &Cell| if c.ch == b' ' && c.bg == 0 { BLANK } else { *c };
    for r in 0..ROWS {
        let (got, want): (Vec<Cell>, Vec<Cell>) =
            (s.cells[r].iter().map(plain).collect(), want[r].iter().map(plain).collect());
        assert_eq!(got, want, "row {r}: {:?}", s.text(r));
    }
    // Bright backgrounds (iCE) and line-drawing characters are in it.
    let cells = || s.cells.iter().flatten();
    assert!(cells().any(|c| c.bg >= 8));
    for ch in [0xB0, 0xB1, 0xB2, 0xDB, 0xDC, 0xDF, 0xC9, 0xCD, 0xBA, 0xC4, 0xB3, 0xDA, 0xC5] {
        assert!(cells().any(|c| c.ch == ch), "no {ch:#x}");
    }
    assert!(s.find("Press any key for the menu.").is_some());
    // Any key: iCE colours off, the menu again.
    let out = key(&mut h, &mut s, b"q");
    assert!(!s.ice);
    assert!(out.starts_with(b"\x1b[0m\x1b[2J\x1b[?33l"));
    assert_eq!(h.page(), Page::Menu);
    assert!(s.find(WELCOME).is_some());
}

#[test]
fn output_drained_a_little_at_a_time_comes_out_whole_and_in_order() {
    let (mut a, _, whole) = connected();
    a.received(b"a");
    let whole = [whole, drain(&mut a)].concat();
    let mut b = Host::new();
    b.connected(2400, 2400, "V.22bis");
    b.received(b"a");
    let mut got = vec![];
    let mut buf = [0u8; 7];
    loop {
        // A sink that takes 0 to 6 bytes, as a full modem queue would.
        let room = got.len() % 7;
        let n = b.send(|bytes| {
            let k = bytes.len().min(room);
            got.extend_from_slice(&bytes[..k]);
            k
        });
        let m = b.read(&mut buf[..3]);
        got.extend_from_slice(&buf[..m]);
        if n == 0 && m == 0 {
            break;
        }
    }
    assert_eq!(got, whole);
    assert_eq!(b.pending(), 0);
}

#[test]
fn a_megabyte_of_random_keys_is_bounded_and_well_formed() {
    let mut rng = Rng::new(7);
    let mut h = Host::new();
    h.connected(300, 300, "Bell 103");
    let mut s = Screen::new();
    let mut sent = 0usize;
    let mut chunk = vec![0u8; 1024];
    for k in 0..1024 {
        rng.fill(&mut chunk);
        // Not into the files area, whose transfers send what is not ANSI (files_tests.rs has
        // random keys there).
        chunk.iter_mut().filter(|b| b.eq_ignore_ascii_case(&b'f')).for_each(|b| *b = b'x');
        h.received(&chunk);
        assert!(h.pending() <= OUTPUT_CAPACITY);
        if h.wants_hang_up() {
            // Start again, as the next call would.
            s.feed(&drain(&mut h));
            h = Host::new();
            h.connected(300, 300, "Bell 103");
        }
        // Drain only now and then: the output stays bounded while nobody takes it.
        if k % 16 == 0 {
            let out = drain(&mut h);
            sent += out.len();
            s.feed(&out);
        }
    }
    assert!(h.dropped() > 0);
    assert!(sent > 0);
}
