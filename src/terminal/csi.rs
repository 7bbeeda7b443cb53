//! The control sequences (`CSI ...`) the terminal acts on, as `cterm.adoc` documents them.
//!
//! Sequences not listed here are ignored. Counts are bounded by the screen's size, so no
//! sequence costs more than a screenful of work.

use super::music::MusicIntroducers;
use super::parser::Sequence;
use super::{Cursor, Terminal};

/// A reply being built on the stack (no allocation).
struct Reply {
    buf: [u8; 64],
    len: usize,
}

impl Reply {
    fn new(prefix: &[u8]) -> Self {
        let mut r = Reply { buf: [0; 64], len: 0 };
        r.bytes(prefix);
        r
    }

    fn bytes(&mut self, s: &[u8]) -> &mut Self {
        let n = s.len().min(self.buf.len() - self.len);
        self.buf[self.len..self.len + n].copy_from_slice(&s[..n]);
        self.len += n;
        self
    }

    fn num(&mut self, mut v: usize) -> &mut Self {
        let mut digits = [0u8; 20];
        let mut i = digits.len();
        loop {
            i -= 1;
            digits[i] = b'0' + (v % 10) as u8;
            v /= 10;
            if v == 0 {
                break;
            }
        }
        self.bytes(&digits[i..])
    }

    fn as_bytes(&self) -> &[u8] {
        &self.buf[..self.len]
    }
}

impl Terminal {
    /// Acts on the control sequence the parser completed.
    pub(super) fn csi(&mut self) {
        let seq = *self.parser.sequence();
        match (seq.private(), seq.intermediates()) {
            (None, []) => self.csi_plain(&seq),
            (None, b" ") => self.csi_space(&seq),
            (Some(b'?'), []) => self.csi_dec(&seq),
            (Some(b'='), []) => self.csi_cterm(&seq),
            (Some(b'<'), []) if seq.final_byte() == b'c' && seq.param_or(0, 0) == 0 => {
                // CTerm Device Attributes: bright backgrounds (iCE colours) supported.
                self.reply(b"\x1b[<0;2c");
            }
            _ => {}
        }
    }

    fn csi_plain(&mut self, seq: &Sequence) {
        let (rows, cols) = (self.rows(), self.cols());
        let n = seq.count(0) as usize;
        let Cursor { row, col } = self.cursor;
        match seq.final_byte() {
            b'@' => self.screen.insert_cells(row, col, n, self.blank()),
            b'A' | b'k' => self.cursor.row = row.saturating_sub(n),
            b'B' | b'e' => self.cursor.row = (row + n).min(rows - 1),
            b'C' | b'a' => self.cursor.col = (col + n).min(cols - 1),
            b'D' | b'j' => self.cursor.col = col.saturating_sub(n),
            b'E' => self.cursor = Cursor { row: (row + n).min(rows - 1), col: 0 },
            b'F' => self.cursor = Cursor { row: row.saturating_sub(n), col: 0 },
            b'G' | b'`' => self.cursor.col = (n - 1).min(cols - 1),
            b'H' | b'f' => {
                self.cursor.row = self.row_from(seq.count(0));
                self.cursor.col = (seq.count(1) as usize - 1).min(cols - 1);
            }
            b'd' => self.cursor.row = self.row_from(seq.count(0)),
            b'I' | b'Y' => (0..n.min(cols)).for_each(|_| self.tab()),
            b'Z' => (0..n.min(cols)).for_each(|_| self.back_tab()),
            b'J' => self.erase_in_page(seq.param_or(0, 0)),
            b'K' => self.erase_in_line(seq.param_or(0, 0)),
            b'L' if (self.top..=self.bottom).contains(&row) => {
                self.screen.scroll_down(row, self.bottom, n, self.blank())
            }
            b'M' if self.modes.music == MusicIntroducers::All && seq.params().is_empty() => {
                self.parser.start_music(true)
            }
            b'M' if (self.top..=self.bottom).contains(&row) => {
                self.screen.scroll_up(row, self.bottom, n, self.blank(), None)
            }
            b'N' if self.modes.music != MusicIntroducers::Cterm && seq.params().is_empty() => {
                self.parser.start_music(false)
            }
            b'|' => self.parser.start_music(false),
            b'P' => self.screen.delete_cells(row, col, n, self.blank()),
            b'S' => self.scroll_up(n),
            b'T' => self.scroll_down(n),
            b'X' => self.screen.fill(row, col, col + n, self.blank()),
            b'b' => {
                if let Some(g) = self.last_graphic {
                    (0..n.min(rows * cols)).for_each(|_| self.print(g));
                }
            }
            b'c' if seq.param_or(0, 0) == 0 => {
                let (major, minor) = self.config.cterm_revision;
                let mut r = Reply::new(b"\x1b[=67;84;101;114;109;");
                r.num(major as usize).bytes(b";").num(minor as usize).bytes(b"c");
                self.reply(r.as_bytes());
            }
            b'g' => match seq.param_or(0, 0) {
                0 => self.tabs[col] = false,
                3 | 5 => self.tabs.iter_mut().for_each(|t| *t = false),
                _ => {}
            },
            b'm' => self.attr.apply_sgr(seq.params(), self.modes.rendition.ice_colors),
            b'n' => match seq.param_or(0, 0) {
                5 => self.reply(b"\x1b[0n"),
                6 => {
                    let r = if self.modes.origin { row.saturating_sub(self.top) } else { row };
                    let mut rep = Reply::new(b"\x1b[");
                    rep.num(r + 1).bytes(b";").num(col + 1).bytes(b"R");
                    self.reply(rep.as_bytes());
                }
                255 => {
                    let mut rep = Reply::new(b"\x1b[");
                    rep.num(rows).bytes(b";").num(cols).bytes(b"R");
                    self.reply(rep.as_bytes());
                }
                _ => {}
            },
            b'r' => {
                let top = seq.count(0) as usize - 1;
                let bottom = (seq.param_or(1, rows as u16).max(1) as usize).min(rows) - 1;
                if top < bottom {
                    self.top = top;
                    self.bottom = bottom;
                    self.cursor = Cursor { row: if self.modes.origin { top } else { 0 }, col: 0 };
                }
            }
            b's' => self.saved = Some(self.cursor),
            b'u' => self.restore_cursor(),
            _ => {}
        }
    }

    /// Row for a line number `n` (1-based) of CUP, HVP, VPA: in origin mode counted from the
    /// scrolling region's top and kept inside it.
    fn row_from(&self, n: u16) -> usize {
        let n = n as usize - 1;
        if self.modes.origin {
            (self.top + n).min(self.bottom)
        } else {
            n.min(self.rows() - 1)
        }
    }

    /// Erase in Page: 0 to the end, 1 from the start, 2 all (and home, as BBS software expects).
    fn erase_in_page(&mut self, ps: u16) {
        let Cursor { row, col } = self.cursor;
        let (rows, cols, blank) = (self.rows(), self.cols(), self.blank());
        match ps {
            0 => {
                self.screen.fill(row, col, cols, blank);
                self.screen.fill_rows(row + 1, rows, blank);
            }
            1 => {
                self.screen.fill_rows(0, row, blank);
                self.screen.fill(row, 0, col + 1, blank);
            }
            2 => {
                self.screen.fill_rows(0, rows, blank);
                self.cursor = Cursor::default();
            }
            _ => {}
        }
    }

    /// Erase in Line: 0 to the end, 1 from the start, 2 all.
    fn erase_in_line(&mut self, ps: u16) {
        let Cursor { row, col } = self.cursor;
        let (cols, blank) = (self.cols(), self.blank());
        match ps {
            0 => self.screen.fill(row, col, cols, blank),
            1 => self.screen.fill(row, 0, col + 1, blank),
            2 => self.screen.fill(row, 0, cols, blank),
            _ => {}
        }
    }

    /// `CSI Pn SP @` Scroll Left, `CSI Pn SP A` Scroll Right, `CSI Pn SP d` Tab Stop Remove.
    fn csi_space(&mut self, seq: &Sequence) {
        let n = seq.count(0) as usize;
        let blank = self.blank();
        match seq.final_byte() {
            b'@' => (0..self.rows()).for_each(|r| self.screen.delete_cells(r, 0, n, blank)),
            b'A' => (0..self.rows()).for_each(|r| self.screen.insert_cells(r, 0, n, blank)),
            b'd' => {
                if let Some(t) = seq.param(0).and_then(|p| self.tabs.get_mut((p as usize).wrapping_sub(1))) {
                    *t = false;
                }
            }
            _ => {}
        }
    }

    /// DEC private modes, `CSI ? Ps... h` and `l`.
    fn csi_dec(&mut self, seq: &Sequence) {
        let set = match seq.final_byte() {
            b'h' => true,
            b'l' => false,
            _ => return,
        };
        for &p in seq.params() {
            let m = &mut self.modes;
            match p {
                Some(6) => {
                    m.origin = set;
                    self.cursor = Cursor { row: if set { self.top } else { 0 }, col: 0 };
                }
                Some(7) => m.autowrap = set,
                Some(25) => m.cursor_visible = set,
                Some(32) => m.rendition.bright_disabled = set,
                Some(33) => m.rendition.ice_colors = set,
                Some(35) => m.rendition.blink_disabled = set,
                Some(67) => m.backspace_sends_bs = set,
                _ => continue,
            }
            // How every cell is drawn may have changed.
            let last = self.rows() - 1;
            self.screen.touch(0, last);
        }
    }

    /// CTerm's extensions, `CSI = ...`: DoorWay mode, the music introducers, the mode report.
    fn csi_cterm(&mut self, seq: &Sequence) {
        match (seq.final_byte(), seq.param(0)) {
            (b'h', Some(255)) => self.modes.doorway = true,
            (b'l', Some(255)) => {
                self.modes.doorway = false;
                self.literal_next = false;
            }
            (b'M', p) => {
                self.modes.music = match p.unwrap_or(0) {
                    0 => MusicIntroducers::Cterm,
                    1 => MusicIntroducers::BananaCom,
                    2 => MusicIntroducers::All,
                    _ => return,
                }
            }
            (b'n', Some(2)) => {
                let m = self.modes;
                let set = [
                    (6, m.origin),
                    (7, m.autowrap),
                    (25, m.cursor_visible),
                    (32, m.rendition.bright_disabled),
                    (33, m.rendition.ice_colors),
                    (35, m.rendition.blink_disabled),
                    (67, m.backspace_sends_bs),
                ];
                let mut r = Reply::new(b"\x1b[=2");
                let mut any = false;
                for (mode, on) in set {
                    if on {
                        r.bytes(b";").num(mode);
                        any = true;
                    }
                }
                if !any {
                    r.bytes(b";");
                }
                r.bytes(b"n");
                self.reply(r.as_bytes());
            }
            _ => {}
        }
    }
}
