//! A terminal's screen drawn into pixels, row by row as it changes.
//!
//! [`Pixels`] keeps an RGBA8 image of a [`Terminal`] (see [`super::raster`]) and, on each
//! [`Pixels::render`], draws again only the rows that changed since the last one, the rows holding
//! blinking characters when the blink phase turns, or everything after a resize, a change of how
//! attributes are drawn (iCE colours...) or of the view. The view may be scrolled back into the
//! scrollback ([`Pixels::set_view`]). The page puts the rows drawn on its canvas; a benchmark
//! times a full screen change.

use super::raster::{draw_cell, Font};
use super::{Cell, Rendition, RenditionModes, Terminal};

/// The pixels of a terminal's view.
#[derive(Debug, Clone)]
pub struct Pixels {
    font: Font,
    cols: usize,
    rows: usize,
    rgba: Vec<u8>,
    /// Rows drawn by the last render.
    drawn: Vec<bool>,
    /// Rows holding a blinking character, as last drawn.
    blinking: Vec<bool>,
    blink_on: bool,
    /// Lines scrolled back (0: the screen itself).
    view: usize,
    /// Everything is to be drawn again.
    all: bool,
    /// How attributes were drawn.
    modes: RenditionModes,
}

impl Pixels {
    /// The pixels of `term`'s screen with `font` (all to be drawn at the first render).
    pub fn new(term: &Terminal, font: Font) -> Self {
        let mut p = Pixels {
            font,
            cols: 0,
            rows: 0,
            rgba: Vec::new(),
            drawn: Vec::new(),
            blinking: Vec::new(),
            blink_on: true,
            view: 0,
            all: true,
            modes: RenditionModes::default(),
        };
        p.fit(term);
        p
    }

    /// Sizes the image to `term` if its size changed.
    fn fit(&mut self, term: &Terminal) {
        let (cols, rows) = (term.cols(), term.rows());
        if (cols, rows) == (self.cols, self.rows) {
            return;
        }
        (self.cols, self.rows) = (cols, rows);
        self.rgba.resize(cols * Font::WIDTH * rows * Font::HEIGHT * 4, 0);
        self.drawn = vec![false; rows];
        self.blinking = vec![false; rows];
        self.all = true;
    }

    /// Width in pixels.
    pub fn width(&self) -> usize {
        self.cols * Font::WIDTH
    }

    /// Height in pixels.
    pub fn height(&self) -> usize {
        self.rows * Font::HEIGHT
    }

    /// The image: RGBA8, [`Pixels::width`] x [`Pixels::height`], rows top to bottom.
    pub fn rgba(&self) -> &[u8] {
        &self.rgba
    }

    /// The image, writable (for a view the page reads through).
    pub fn rgba_mut(&mut self) -> &mut [u8] {
        &mut self.rgba
    }

    /// Whether the last [`Pixels::render`] drew row `r`.
    pub fn row_drawn(&self, r: usize) -> bool {
        self.drawn.get(r).copied().unwrap_or(false)
    }

    /// Lines scrolled back.
    pub fn view(&self) -> usize {
        self.view
    }

    /// Shows the screen scrolled back by `lines` (at most the scrollback held).
    pub fn set_view(&mut self, term: &Terminal, lines: usize) {
        let lines = lines.min(term.scrollback().len());
        if lines != self.view {
            self.view = lines;
            self.all = true;
        }
    }

    /// Draws what changed since the last call, with blinking characters shown (`blink_on`) or
    /// hidden, and takes the terminal's changes as seen; returns how many rows were drawn.
    pub fn render(&mut self, term: &mut Terminal, blink_on: bool) -> usize {
        self.fit(term);
        if term.modes().rendition != self.modes {
            self.modes = term.modes().rendition;
            self.all = true;
        }
        let blink_turned = blink_on != self.blink_on;
        self.blink_on = blink_on;
        self.view = self.view.min(term.scrollback().len());
        let mut n = 0;
        for r in 0..self.rows {
            let draw = self.all || (self.view == 0 && term.is_dirty(r)) || (blink_turned && self.blinking[r]);
            self.drawn[r] = draw;
            if draw {
                self.blinking[r] = self.draw_row(term, r);
                n += 1;
            }
        }
        term.clear_dirty();
        self.all = false;
        n
    }

    /// Draws row `r` of the view; true if it holds a blinking character.
    fn draw_row(&mut self, term: &Terminal, r: usize) -> bool {
        let width = self.width();
        let modes = term.modes().rendition;
        let row = view_row(term, r, self.view);
        let mut blinking = false;
        for c in 0..self.cols {
            let Rendition { glyph, fg, bg, blink } = match row.and_then(|row| row.get(c)) {
                Some(cell) => {
                    let (fg, bg, blink) = cell.attr.resolve(modes);
                    Rendition { glyph: cell.glyph, fg, bg, blink }
                }
                None => Rendition { glyph: b' ', fg: 7, bg: 0, blink: false },
            };
            blinking |= blink;
            let fg = if blink && !self.blink_on { bg } else { fg };
            draw_cell(&mut self.rgba, width, c, r, glyph, fg, bg, &self.font);
        }
        blinking
    }
}

/// Row `r` of `term`'s view scrolled back by `view` lines: a scrollback line or a screen row.
pub fn view_row(term: &Terminal, r: usize, view: usize) -> Option<&[Cell]> {
    let sb = term.scrollback();
    let view = view.min(sb.len());
    if r < view {
        sb.line(sb.len() - view + r)
    } else {
        term.row(r - view)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::terminal::Config;

    fn px(p: &Pixels, x: usize, y: usize) -> [u8; 3] {
        let i = (y * p.width() + x) * 4;
        [p.rgba()[i], p.rgba()[i + 1], p.rgba()[i + 2]]
    }

    #[test]
    fn draws_what_changed_and_blinks() {
        let mut t = Terminal::new(Config::default());
        let mut p = Pixels::new(&t, Font::VGA_8X16);
        assert_eq!((p.width(), p.height()), (640, 400));
        assert_eq!(p.render(&mut t, true), 25);
        assert_eq!(p.render(&mut t, true), 0, "nothing changed");
        t.feed(b"\x1b[3;1H\x1b[5;31;44m\xdb");
        assert_eq!(p.render(&mut t, true), 1);
        assert!(p.row_drawn(2) && !p.row_drawn(0));
        // The full block in red on blue; hidden (background) in the other blink phase.
        assert_eq!(px(&p, 3, 2 * 16 + 8), [0xAA, 0, 0]);
        assert_eq!(p.render(&mut t, false), 1, "only the blinking row");
        assert_eq!(px(&p, 3, 2 * 16 + 8), [0, 0, 0xAA]);
        // iCE colours: nothing blinks, the background is bright; every row drawn again.
        t.feed(b"\x1b[?33h");
        assert_eq!(p.render(&mut t, false), 25);
        assert_eq!(px(&p, 3, 2 * 16 + 8), [0xAA, 0, 0]);
        assert_eq!(px(&p, 0, 2 * 16), [0xAA, 0, 0], "the block fills the cell");
        assert_eq!(p.render(&mut t, true), 0, "no blinking rows under iCE");
    }

    #[test]
    fn scrolls_back_into_the_scrollback() {
        let mut t = Terminal::new(Config { rows: 3, cols: 10, ..Config::default() });
        let mut p = Pixels::new(&t, Font::VGA_8X16);
        t.feed(b"\x1b[41mred\x1b[0m\r\nb\r\nc\r\nd");
        p.render(&mut t, true);
        assert_eq!(px(&p, 0, 0), [0, 0, 0], "\"red\" has scrolled off");
        p.set_view(&t, 5);
        assert_eq!(p.view(), 1, "at most the scrollback");
        assert_eq!(p.render(&mut t, true), 3);
        assert_eq!(px(&p, 0, 0), [0xAA, 0, 0]);
        assert_eq!(view_row(&t, 1, 1).map(|r| r[0].glyph), Some(b'b'));
    }
}
