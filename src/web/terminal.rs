//! The page's ANSI-BBS terminal: [`Terminal`] drawn into pixels the page puts on a canvas.
//!
//! The page feeds it what the modem delivers ([`AnsiScreen::feed`]), and once an animation frame
//! calls [`AnsiScreen::render`], which draws the rows that changed (and, as the blink phase turns,
//! those with blinking characters) into an RGBA buffer the page sees through a view
//! ([`AnsiScreen::pixels`]) and puts on its canvas row by row ([`AnsiScreen::row_drawn`]).
//! Scrolling back shows the scrollback's lines above the screen ([`AnsiScreen::set_view`]). The
//! terminal's replies to the far end (device attributes, cursor position), the keys' bytes and the
//! ANSI music's notes come back as small arrays. Nothing of the line's bytes becomes HTML: the
//! page gets pixels and plain text.

use crate::terminal::pixels::view_row;
use crate::terminal::raster::Font;
use crate::terminal::{Cell, Config, Key, Pixels, Terminal};
use js_sys::Uint8Array;
use wasm_bindgen::prelude::*;

/// An ANSI-BBS terminal and its pixels.
#[wasm_bindgen]
pub struct AnsiScreen {
    term: Terminal,
    pixels: Pixels,
}

#[wasm_bindgen]
impl AnsiScreen {
    /// A terminal of `cols` x `rows` (1 to 255 each) keeping `scrollback` lines.
    #[wasm_bindgen(constructor)]
    pub fn new(cols: u16, rows: u16, scrollback: usize) -> AnsiScreen {
        let term = Terminal::new(Config { cols, rows, scrollback, ..Config::default() });
        let pixels = Pixels::new(&term, Font::VGA_8X16);
        AnsiScreen { term, pixels }
    }

    /// Bytes from the far end (or the modem's command mode).
    pub fn feed(&mut self, bytes: &[u8]) {
        self.term.feed(bytes);
    }

    /// Columns.
    pub fn cols(&self) -> usize {
        self.term.cols()
    }

    /// Rows.
    pub fn rows(&self) -> usize {
        self.term.rows()
    }

    /// Width of the pixels, in pixels.
    pub fn width(&self) -> usize {
        self.term.cols() * Font::WIDTH
    }

    /// Height of the pixels, in pixels.
    pub fn height(&self) -> usize {
        self.term.rows() * Font::HEIGHT
    }

    /// Changes the size (the screen's content is kept where it fits).
    pub fn resize(&mut self, cols: u16, rows: u16) {
        self.term.resize(cols, rows);
    }

    /// The cursor's row (on the screen, not the view).
    pub fn cursor_row(&self) -> usize {
        self.term.cursor().0
    }

    /// The cursor's column.
    pub fn cursor_col(&self) -> usize {
        self.term.cursor().1
    }

    /// Whether the far end left the cursor visible (`CSI ? 25 l` hides it).
    pub fn cursor_visible(&self) -> bool {
        self.term.modes().cursor_visible
    }

    /// DoorWay mode (`CSI = 255 h`): keys go as scan codes.
    pub fn doorway(&self) -> bool {
        self.term.modes().doorway
    }

    /// iCE colours (`CSI ? 33 h`): nothing blinks.
    pub fn ice_colors(&self) -> bool {
        self.term.modes().rendition.ice_colors
    }

    /// A count that moves whenever the screen changes (as a number: JavaScript has no u64).
    pub fn generation(&self) -> f64 {
        self.term.generation() as f64
    }

    /// Count of BEL received since the start.
    pub fn bells(&self) -> u32 {
        self.term.bells()
    }

    /// Lines of scrollback held.
    pub fn scrollback_len(&self) -> usize {
        self.term.scrollback().len()
    }

    /// Lines ever scrolled into the scrollback (a count that never goes back).
    pub fn scrollback_pushed(&self) -> f64 {
        self.term.scrollback().pushed() as f64
    }

    /// Scrollback line `i` (0 the oldest) as text, trailing spaces trimmed.
    pub fn scrollback_text(&self, i: usize) -> String {
        self.term.scrollback().line(i).map(cells_text).unwrap_or_default()
    }

    /// Screen row `r` as text, trailing spaces trimmed.
    pub fn row_text(&self, r: usize) -> String {
        self.term.row_text(r)
    }

    /// The terminal's answers to the far end (device attributes, cursor position...), to send.
    pub fn take_replies(&mut self) -> Vec<u8> {
        let mut out = vec![0u8; self.term.replies_len()];
        let n = self.term.read_replies(&mut out);
        out.truncate(n);
        out
    }

    /// The next note of ANSI music as `[frequency Hz (0 for a pause), duration ms, gap ms]`, or
    /// nothing.
    pub fn next_note(&mut self) -> Option<Vec<f32>> {
        self.term.next_note().map(|n| vec![n.frequency_hz.unwrap_or(0.0), n.duration_ms as f32, n.gap_ms as f32])
    }

    /// Drops the music not yet played (the page's mute).
    pub fn clear_notes(&mut self) {
        self.term.clear_notes();
    }

    /// The bytes a key sends: `name` is a `KeyboardEvent.key` (`ArrowUp`, `F1`, `Enter`, `a`...).
    /// Nothing for keys the terminal does not send.
    pub fn key(&self, name: &str, shift: bool) -> Vec<u8> {
        let key = match name {
            "ArrowUp" => Key::Up,
            "ArrowDown" => Key::Down,
            "ArrowLeft" => Key::Left,
            "ArrowRight" => Key::Right,
            "Home" => Key::Home,
            "End" => Key::End,
            "PageUp" => Key::PageUp,
            "PageDown" => Key::PageDown,
            "Insert" => Key::Insert,
            "Delete" => Key::Delete,
            "Enter" => Key::Enter,
            "Backspace" => Key::Backspace,
            "Tab" if shift => Key::BackTab,
            "Tab" => Key::Tab,
            "Escape" => Key::Escape,
            f if f.len() >= 2 && f.starts_with('F') => match f[1..].parse::<u8>() {
                Ok(n @ 1..=12) => Key::F(n),
                _ => return Vec::new(),
            },
            c => {
                let mut chars = c.chars();
                match (chars.next(), chars.next()) {
                    (Some(ch), None) => Key::Char(ch),
                    _ => return Vec::new(),
                }
            }
        };
        self.term.key(key).as_bytes().to_vec()
    }

    /// Shows the screen scrolled back by `lines` (0: the screen itself; at most the scrollback).
    pub fn set_view(&mut self, lines: usize) {
        self.pixels.set_view(&self.term, lines);
    }

    /// Lines scrolled back.
    pub fn view(&self) -> usize {
        self.pixels.view()
    }

    /// Draws what changed since the last call into the pixels, with blinking characters shown
    /// (`blink_on`) or hidden; returns how many rows were drawn ([`AnsiScreen::row_drawn`] says
    /// which).
    pub fn render(&mut self, blink_on: bool) -> usize {
        self.pixels.render(&mut self.term, blink_on)
    }

    /// Whether the last [`AnsiScreen::render`] drew row `r`.
    pub fn row_drawn(&self, r: usize) -> bool {
        self.pixels.row_drawn(r)
    }

    /// A view of the pixels (RGBA, [`AnsiScreen::width`] x [`AnsiScreen::height`]); the page
    /// makes a `Uint8ClampedArray` over the same bytes for an `ImageData`. Invalidated (length 0)
    /// when the memory grows: fetch it after each render.
    pub fn pixels(&mut self) -> Uint8Array {
        let rgba = self.pixels.rgba_mut();
        // SAFETY: the buffer lives as long as the screen and moves only when a render follows a
        // resize, after which the page fetches the view again; the page reads it only between
        // calls.
        unsafe { Uint8Array::view_mut_raw(rgba.as_mut_ptr(), rgba.len()) }
    }

    /// The text of the view's rows `from..=to`, columns `from_col` of the first to `to_col` of
    /// the last (a selection), lines joined by newlines, each line's trailing spaces trimmed.
    pub fn selection_text(&self, from: usize, from_col: usize, to: usize, to_col: usize) -> String {
        let mut out = String::new();
        let cols = self.term.cols();
        let to = to.min(self.term.rows().saturating_sub(1));
        for r in from..=to {
            let (a, b) = (if r == from { from_col } else { 0 }, if r == to { to_col + 1 } else { cols });
            let text: String = match view_row(&self.term, r, self.pixels.view()) {
                Some(cells) => cells[a.min(cells.len())..b.min(cells.len())]
                    .iter()
                    .map(|c| crate::terminal::cp437::to_char(c.glyph))
                    .collect(),
                None => String::new(),
            };
            out.push_str(text.trim_end_matches(' '));
            if r != to {
                out.push('\n');
            }
        }
        out
    }
}

/// A line of cells as text, trailing spaces trimmed.
fn cells_text(cells: &[Cell]) -> String {
    let s: String = cells.iter().map(|c| crate::terminal::cp437::to_char(c.glyph)).collect();
    s.trim_end_matches(' ').to_string()
}
