//! An ANSI-BBS terminal: bytes from the far end in, a screen of code page 437 cells out.
//!
//! It behaves as SyncTERM's CTerm documents its behaviour (`cterm.adoc`): DOS end-of-line
//! wrapping (a character written to the last column moves the cursor to the next line at once),
//! code page 437 for every byte (the control bytes that are not acted on are drawn with their
//! glyphs), the 16 CGA colours, iCE colours, DoorWay mode, ANSI music, and the replies BBS
//! software asks for (device attributes, cursor position and screen size reports).
//!
//! Nothing here allocates per byte: the screen, the scrollback (up to its limit), the reply queue,
//! the music queue and the music string buffer are sized once or grow to a bound. No input makes
//! it panic or hang: counts in control sequences are bounded by the screen's size.
//!
//! ```
//! use softmodem::terminal::{Config, Terminal};
//! let mut t = Terminal::new(Config::default());
//! t.feed(b"\x1b[2J\x1b[1;33mHello\x1b[0m\r\nworld\x1b[6n");
//! assert_eq!(t.row_text(0), "Hello");
//! assert_eq!(t.rendition(0, 0).unwrap().fg, 14); // bright brown: yellow
//! let mut reply = [0u8; 16];
//! let n = t.read_replies(&mut reply);
//! assert_eq!(&reply[..n], b"\x1b[2;6R");
//! ```

pub mod attr;
pub mod cp437;
mod csi;
pub mod keys;
pub mod music;
pub mod parser;
pub mod pixels;
pub mod raster;
pub mod screen;

use crate::queue::ByteQueue;
pub use attr::{Attr, Rendition, RenditionModes};
pub use keys::{Key, KeyBytes, KeyModes};
pub use music::{MusicIntroducers, Note, NoteQueue};
use parser::{Action, Parser};
pub use pixels::Pixels;
use screen::Screen;
pub use screen::{Cell, Scrollback};

/// The largest number of columns or rows a screen may have.
pub const MAX_SIZE: u16 = 255;

/// How a terminal starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// Columns, 1 to [`MAX_SIZE`] (default 80).
    pub cols: u16,
    /// Rows, 1 to [`MAX_SIZE`] (default 25; 43 and 50 are the EGA and VGA modes).
    pub rows: u16,
    /// Lines of scrollback kept (default 2000).
    pub scrollback: usize,
    /// iCE colours from the start (as if `CSI ? 33 h` had been received).
    pub ice_colors: bool,
    /// The CTerm revision the device attributes reply gives (`CSI = 67;84;101;114;109;major;minor c`).
    pub cterm_revision: (u16, u16),
    /// Bytes of replies queued for the far end before more are dropped (default 256).
    pub reply_capacity: usize,
    /// Notes queued for playing before more are dropped (default 1024).
    pub music_capacity: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            cols: 80,
            rows: 25,
            scrollback: 2000,
            ice_colors: false,
            cterm_revision: (1, 0),
            reply_capacity: 256,
            music_capacity: 1024,
        }
    }
}

/// The modes the far end sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Modes {
    /// Origin mode (`CSI ? 6 h`): positions relative to the scrolling region.
    pub origin: bool,
    /// Auto wrap (`CSI ? 7 h`, default set).
    pub autowrap: bool,
    /// The cursor is shown (`CSI ? 25 h`, default set).
    pub cursor_visible: bool,
    /// How attributes are drawn (`CSI ? 32`, `? 33`, `? 35`).
    pub rendition: RenditionModes,
    /// DoorWay mode (`CSI = 255 h`).
    pub doorway: bool,
    /// Backspace sends BS (`CSI ? 67 h`, default) rather than DEL.
    pub backspace_sends_bs: bool,
    /// Which sequences introduce ANSI music (`CSI = Ps M`).
    pub music: MusicIntroducers,
}

impl Modes {
    fn initial(config: &Config) -> Self {
        Modes {
            origin: false,
            autowrap: true,
            cursor_visible: true,
            rendition: RenditionModes { ice_colors: config.ice_colors, ..RenditionModes::default() },
            doorway: false,
            backspace_sends_bs: true,
            music: MusicIntroducers::BananaCom,
        }
    }
}

/// The cursor position, 0-based.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct Cursor {
    row: usize,
    col: usize,
}

/// The terminal.
#[derive(Debug, Clone)]
pub struct Terminal {
    config: Config,
    parser: Parser,
    screen: Screen,
    scrollback: Scrollback,
    cursor: Cursor,
    saved: Option<Cursor>,
    attr: Attr,
    /// The scrolling region's top and bottom rows (inclusive, 0-based).
    top: usize,
    bottom: usize,
    tabs: Vec<bool>,
    modes: Modes,
    /// DoorWay mode: the byte after a NUL is drawn whatever it is.
    literal_next: bool,
    /// The last graphic character drawn, for REP.
    last_graphic: Option<u8>,
    replies: ByteQueue,
    music: music::Music,
    notes: NoteQueue,
    bells: u32,
}

impl Terminal {
    /// A terminal with a blank screen, configured by `config` (sizes clamped to 1..=[`MAX_SIZE`]).
    pub fn new(mut config: Config) -> Self {
        config.cols = config.cols.clamp(1, MAX_SIZE);
        config.rows = config.rows.clamp(1, MAX_SIZE);
        let (cols, rows) = (config.cols as usize, config.rows as usize);
        Terminal {
            parser: Parser::new(),
            screen: Screen::new(cols, rows),
            scrollback: Scrollback::new(cols, config.scrollback),
            cursor: Cursor::default(),
            saved: None,
            attr: Attr::default(),
            top: 0,
            bottom: rows - 1,
            tabs: default_tabs(cols),
            modes: Modes::initial(&config),
            literal_next: false,
            last_graphic: None,
            replies: ByteQueue::new(config.reply_capacity),
            music: music::Music::default(),
            notes: NoteQueue::new(config.music_capacity),
            bells: 0,
            config,
        }
    }

    /// Takes bytes from the far end.
    pub fn feed(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.byte(b);
        }
    }

    fn byte(&mut self, b: u8) {
        if self.literal_next {
            self.literal_next = false;
            self.print(b);
            return;
        }
        match self.parser.advance(b) {
            Action::None => {}
            Action::Print(b) => self.print(b),
            Action::Control(b) => self.control(b),
            Action::Escape(f) => self.escape(f),
            Action::Csi => self.csi(),
            Action::Music => {
                let (s, from_m) = self.parser.music();
                let notes = &mut self.notes;
                self.music.play(s, from_m, &mut |n| {
                    notes.push(n);
                });
            }
        }
    }

    /// A C0 control byte: NUL, BEL, BS, HT, LF and CR act (NUL only in DoorWay mode, where the
    /// next byte is drawn as it is; otherwise NUL is ignored as ECMA-48's fill character); the
    /// others are drawn with their code page 437 glyphs.
    fn control(&mut self, b: u8) {
        match b {
            0x00 => self.literal_next = self.modes.doorway,
            0x07 => self.bells = self.bells.wrapping_add(1),
            0x08 => self.cursor.col = self.cursor.col.saturating_sub(1),
            0x09 => self.tab(),
            0x0A => self.line_feed(),
            0x0D => self.cursor.col = 0,
            _ => self.print(b),
        }
    }

    /// Draws `b` at the cursor and moves on, wrapping at once after the last column.
    fn print(&mut self, b: u8) {
        let Cursor { row, col } = self.cursor;
        self.screen.set(row, col, Cell { glyph: b, attr: self.attr });
        self.last_graphic = Some(b);
        if col + 1 < self.cols() {
            self.cursor.col += 1;
        } else if self.modes.autowrap {
            self.cursor.col = 0;
            self.line_feed();
        }
    }

    /// Down a line, scrolling the region when at its bottom.
    fn line_feed(&mut self) {
        if self.cursor.row == self.bottom {
            self.scroll_up(1);
        } else if self.cursor.row + 1 < self.rows() {
            self.cursor.row += 1;
        }
    }

    /// Up a line, scrolling the region down when at its top.
    fn reverse_line_feed(&mut self) {
        if self.cursor.row == self.top {
            self.scroll_down(1);
        } else {
            self.cursor.row = self.cursor.row.saturating_sub(1);
        }
    }

    /// To the next tab stop; from the last column, to the start of the next line.
    fn tab(&mut self) {
        let last = self.cols() - 1;
        if self.cursor.col >= last {
            self.cursor.col = 0;
            self.line_feed();
        } else {
            self.cursor.col = (self.cursor.col + 1..last).find(|&c| self.tabs[c]).unwrap_or(last);
        }
    }

    /// Back to the previous tab stop, not past the start of the line.
    fn back_tab(&mut self) {
        self.cursor.col = (0..self.cursor.col).rev().find(|&c| self.tabs[c]).unwrap_or(0);
    }

    fn blank(&self) -> Cell {
        Cell::blank(self.attr)
    }

    fn scroll_up(&mut self, n: usize) {
        let fill = self.blank();
        let sb = (self.top == 0).then_some(&mut self.scrollback);
        self.screen.scroll_up(self.top, self.bottom, n, fill, sb);
    }

    fn scroll_down(&mut self, n: usize) {
        let fill = self.blank();
        self.screen.scroll_down(self.top, self.bottom, n, fill);
    }

    fn escape(&mut self, f: u8) {
        match f {
            b'7' => self.saved = Some(self.cursor),
            b'8' => self.restore_cursor(),
            b'E' => {
                self.cursor.col = 0;
                self.line_feed();
            }
            b'H' => self.tabs[self.cursor.col] = true,
            b'M' => self.reverse_line_feed(),
            b'c' => self.reset(),
            _ => {}
        }
    }

    fn restore_cursor(&mut self) {
        if let Some(c) = self.saved {
            self.cursor = Cursor { row: c.row.min(self.rows() - 1), col: c.col.min(self.cols() - 1) };
        }
    }

    /// Reset to Initial State (`ESC c`): modes, attribute, tab stops, scrolling region and music
    /// to their initial values, the screen cleared and the cursor home. The scrollback is kept.
    pub fn reset(&mut self) {
        self.modes = Modes::initial(&self.config);
        self.attr = Attr::default();
        self.tabs = default_tabs(self.cols());
        self.top = 0;
        self.bottom = self.rows() - 1;
        self.cursor = Cursor::default();
        self.saved = None;
        self.literal_next = false;
        self.last_graphic = None;
        self.music = music::Music::default();
        self.screen.fill_rows(0, self.rows(), Cell::default());
    }

    /// A new screen size (clamped to 1..=[`MAX_SIZE`]): the top-left part of the screen is kept,
    /// the cursor moved onto the screen, the scrolling region reset; a change of width empties
    /// the scrollback.
    pub fn resize(&mut self, cols: u16, rows: u16) {
        let (cols, rows) = (cols.clamp(1, MAX_SIZE) as usize, rows.clamp(1, MAX_SIZE) as usize);
        if cols != self.cols() {
            self.scrollback.clear(cols);
            self.tabs = default_tabs(cols);
        }
        self.screen.resize(cols, rows);
        self.config.cols = cols as u16;
        self.config.rows = rows as u16;
        self.top = 0;
        self.bottom = rows - 1;
        self.cursor = Cursor { row: self.cursor.row.min(rows - 1), col: self.cursor.col.min(cols - 1) };
    }

    /// Columns.
    pub fn cols(&self) -> usize {
        self.screen.cols()
    }

    /// Rows.
    pub fn rows(&self) -> usize {
        self.screen.rows()
    }

    /// The cursor's row and column, 0-based.
    pub fn cursor(&self) -> (usize, usize) {
        (self.cursor.row, self.cursor.col)
    }

    /// The current attribute (what the next character is drawn with).
    pub fn attr(&self) -> Attr {
        self.attr
    }

    /// The modes the far end has set.
    pub fn modes(&self) -> &Modes {
        &self.modes
    }

    /// The scrolling region's top and bottom rows, 0-based, inclusive.
    pub fn scroll_region(&self) -> (usize, usize) {
        (self.top, self.bottom)
    }

    /// The cell at `row`, `col` (0-based), if on the screen.
    pub fn cell(&self, row: usize, col: usize) -> Option<Cell> {
        self.screen.cell(row, col)
    }

    /// Row `row`'s cells (`row` < [`Terminal::rows`]).
    pub fn row(&self, row: usize) -> Option<&[Cell]> {
        (row < self.rows()).then(|| self.screen.row(row))
    }

    /// What a renderer draws at `row`, `col`: glyph, palette indices 0-15 (after negative image,
    /// bright and iCE colours) and whether it blinks.
    pub fn rendition(&self, row: usize, col: usize) -> Option<Rendition> {
        let c = self.screen.cell(row, col)?;
        let (fg, bg, blink) = c.attr.resolve(self.modes.rendition);
        Some(Rendition { glyph: c.glyph, fg, bg, blink })
    }

    /// A counter that moves whenever the screen changes (cells, or how they are drawn).
    pub fn generation(&self) -> u64 {
        self.screen.generation()
    }

    /// True if `row` changed since [`Terminal::clear_dirty`].
    pub fn is_dirty(&self, row: usize) -> bool {
        self.screen.is_dirty(row)
    }

    /// Forgets which rows changed (a renderer calls it once it has drawn them).
    pub fn clear_dirty(&mut self) {
        self.screen.clear_dirty();
    }

    /// Row `row` as text, code page 437 mapped to Unicode, trailing spaces trimmed.
    pub fn row_text(&self, row: usize) -> String {
        let mut s = String::new();
        if let Some(cells) = self.row(row) {
            s.extend(cells.iter().map(|c| cp437::to_char(c.glyph)));
        }
        s.truncate(s.trim_end_matches(' ').len());
        s
    }

    /// The screen as text: every row (see [`Terminal::row_text`]) followed by a newline.
    pub fn text(&self) -> String {
        let mut s = String::new();
        for r in 0..self.rows() {
            s.push_str(&self.row_text(r));
            s.push('\n');
        }
        s
    }

    /// The scrollback: lines scrolled off the top, oldest first.
    pub fn scrollback(&self) -> &Scrollback {
        &self.scrollback
    }

    /// Moves replies for the far end (status reports, device attributes) into `out`; returns how
    /// many bytes.
    pub fn read_replies(&mut self, out: &mut [u8]) -> usize {
        self.replies.read(out)
    }

    /// Bytes of replies waiting.
    pub fn replies_len(&self) -> usize {
        self.replies.len()
    }

    /// The next note to play, if any.
    pub fn next_note(&mut self) -> Option<Note> {
        self.notes.pop()
    }

    /// Notes waiting.
    pub fn notes_len(&self) -> usize {
        self.notes.len()
    }

    /// Drops the notes waiting (the user silenced the music).
    pub fn clear_notes(&mut self) {
        self.notes.clear();
    }

    /// How many times BEL was received (wrapping).
    pub fn bells(&self) -> u32 {
        self.bells
    }

    /// The bytes `key` sends, in the modes the far end set (DoorWay, backspace).
    pub fn key(&self, key: Key) -> KeyBytes {
        keys::encode(key, KeyModes { doorway: self.modes.doorway, backspace_sends_bs: self.modes.backspace_sends_bs })
    }

    /// Queues a reply whole, or not at all when there is no room.
    fn reply(&mut self, bytes: &[u8]) {
        if self.replies.free() >= bytes.len() {
            self.replies.write(bytes);
        }
    }
}

/// Tab stops every 8 columns (columns 9, 17, ... counting from 1).
fn default_tabs(cols: usize) -> Vec<bool> {
    (0..cols).map(|c| c > 0 && c % 8 == 0).collect()
}

#[cfg(test)]
mod tests;
