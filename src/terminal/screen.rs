//! The character cells of the screen, which rows changed, and the scrollback.
//!
//! Operations here know nothing of the cursor; they are the editing primitives the terminal's
//! control functions are built from. Every change marks its rows dirty and moves the generation.

use super::attr::Attr;

/// One character cell: a code page 437 byte and its attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Cell {
    /// The byte whose glyph is shown.
    pub glyph: u8,
    /// Its attribute.
    pub attr: Attr,
}

impl Cell {
    /// A blank (space) with attribute `attr`.
    pub fn blank(attr: Attr) -> Self {
        Cell { glyph: b' ', attr }
    }
}

impl Default for Cell {
    fn default() -> Self {
        Cell::blank(Attr::default())
    }
}

/// Lines scrolled off the top of the screen, the oldest dropped beyond a limit.
///
/// Kept in one buffer that grows (amortised) to `limit` lines of the screen's width and no
/// further; a change of width empties it.
#[derive(Debug, Clone)]
pub struct Scrollback {
    cells: Vec<Cell>,
    cols: usize,
    limit: usize,
    /// Index of the oldest line once the buffer is full and wraps.
    start: usize,
    len: usize,
    /// Lines ever pushed.
    pushed: u64,
}

impl Scrollback {
    /// An empty scrollback of at most `limit` lines `cols` wide.
    pub fn new(cols: usize, limit: usize) -> Self {
        Scrollback { cells: Vec::new(), cols, limit, start: 0, len: 0, pushed: 0 }
    }

    /// Lines held.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when no line is held.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Lines pushed since the terminal began, a count that never goes back (a renderer that
    /// mirrors the scrollback takes the newest `pushed() - seen` lines, at most [`Scrollback::len`]).
    pub fn pushed(&self) -> u64 {
        self.pushed
    }

    /// The most lines held.
    pub fn limit(&self) -> usize {
        self.limit
    }

    /// Line `i`, 0 the oldest.
    pub fn line(&self, i: usize) -> Option<&[Cell]> {
        if i >= self.len {
            return None;
        }
        let slot = (self.start + i) % self.limit;
        self.cells.get(slot * self.cols..(slot + 1) * self.cols)
    }

    /// Adds a line (its first `cols` cells), dropping the oldest when full.
    pub fn push(&mut self, line: &[Cell]) {
        if self.limit == 0 || line.len() < self.cols {
            return;
        }
        let line = &line[..self.cols];
        self.pushed += 1;
        if self.len < self.limit {
            // Still growing: lines are in order from slot 0.
            self.cells.extend_from_slice(line);
            self.len += 1;
        } else {
            let slot = self.start;
            self.cells[slot * self.cols..(slot + 1) * self.cols].copy_from_slice(line);
            self.start = (self.start + 1) % self.limit;
        }
    }

    /// Empties it and sets the width of the lines to come.
    pub fn clear(&mut self, cols: usize) {
        self.cells.clear();
        self.cols = cols;
        self.start = 0;
        self.len = 0;
    }
}

/// The grid of cells.
#[derive(Debug, Clone)]
pub struct Screen {
    cols: usize,
    rows: usize,
    cells: Vec<Cell>,
    dirty: Vec<bool>,
    generation: u64,
}

impl Screen {
    /// A blank screen of `cols` x `rows` (each at least 1).
    pub fn new(cols: usize, rows: usize) -> Self {
        let (cols, rows) = (cols.max(1), rows.max(1));
        Screen { cols, rows, cells: vec![Cell::default(); cols * rows], dirty: vec![true; rows], generation: 1 }
    }

    /// Columns.
    pub fn cols(&self) -> usize {
        self.cols
    }

    /// Rows.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// A counter that moves whenever anything on the screen changes.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// Row `row`'s cells.
    pub fn row(&self, row: usize) -> &[Cell] {
        &self.cells[row * self.cols..(row + 1) * self.cols]
    }

    /// The cell at `row`, `col`, if on the screen.
    pub fn cell(&self, row: usize, col: usize) -> Option<Cell> {
        (row < self.rows && col < self.cols).then(|| self.cells[row * self.cols + col])
    }

    /// True if `row` changed since [`Screen::clear_dirty`].
    pub fn is_dirty(&self, row: usize) -> bool {
        self.dirty.get(row).copied().unwrap_or(false)
    }

    /// Forgets which rows changed.
    pub fn clear_dirty(&mut self) {
        self.dirty.iter_mut().for_each(|d| *d = false);
    }

    /// Marks rows `from..=to` changed.
    pub fn touch(&mut self, from: usize, to: usize) {
        let to = to.min(self.rows - 1);
        if from <= to {
            self.dirty[from..=to].iter_mut().for_each(|d| *d = true);
        }
        self.generation = self.generation.wrapping_add(1);
    }

    /// Writes one cell (on the screen, else nothing).
    pub fn set(&mut self, row: usize, col: usize, cell: Cell) {
        if row < self.rows && col < self.cols {
            self.cells[row * self.cols + col] = cell;
            self.dirty[row] = true;
            self.generation = self.generation.wrapping_add(1);
        }
    }

    /// Fills columns `from..to` of `row` with `cell`.
    pub fn fill(&mut self, row: usize, from: usize, to: usize, cell: Cell) {
        let to = to.min(self.cols);
        if row < self.rows && from < to {
            self.cells[row * self.cols + from..row * self.cols + to].fill(cell);
            self.touch(row, row);
        }
    }

    /// Fills whole rows `from..to` with `cell`.
    pub fn fill_rows(&mut self, from: usize, to: usize, cell: Cell) {
        let to = to.min(self.rows);
        if from < to {
            self.cells[from * self.cols..to * self.cols].fill(cell);
            self.touch(from, to - 1);
        }
    }

    /// Scrolls rows `top..=bottom` up by `n` (at most their number), filling the rows opened at
    /// the bottom with `fill`; the rows leaving go to `scrollback` when given.
    pub fn scroll_up(&mut self, top: usize, bottom: usize, n: usize, fill: Cell, scrollback: Option<&mut Scrollback>) {
        if top > bottom || bottom >= self.rows {
            return;
        }
        let n = n.min(bottom - top + 1);
        if let Some(sb) = scrollback {
            for r in top..top + n {
                sb.push(&self.cells[r * self.cols..(r + 1) * self.cols]);
            }
        }
        let c = self.cols;
        self.cells.copy_within((top + n) * c..(bottom + 1) * c, top * c);
        self.cells[(bottom + 1 - n) * c..(bottom + 1) * c].fill(fill);
        self.touch(top, bottom);
    }

    /// Scrolls rows `top..=bottom` down by `n`, filling the rows opened at the top with `fill`.
    pub fn scroll_down(&mut self, top: usize, bottom: usize, n: usize, fill: Cell) {
        if top > bottom || bottom >= self.rows {
            return;
        }
        let n = n.min(bottom - top + 1);
        let c = self.cols;
        self.cells.copy_within(top * c..(bottom + 1 - n) * c, (top + n) * c);
        self.cells[top * c..(top + n) * c].fill(fill);
        self.touch(top, bottom);
    }

    /// Shifts columns `col..` of `row` right by `n`, the rightmost falling off, filling the hole.
    pub fn insert_cells(&mut self, row: usize, col: usize, n: usize, fill: Cell) {
        if row >= self.rows || col >= self.cols {
            return;
        }
        let n = n.min(self.cols - col);
        let line = &mut self.cells[row * self.cols..(row + 1) * self.cols];
        line.copy_within(col..self.cols - n, col + n);
        line[col..col + n].fill(fill);
        self.touch(row, row);
    }

    /// Shifts columns `col + n..` of `row` left to `col`, filling the opened end.
    pub fn delete_cells(&mut self, row: usize, col: usize, n: usize, fill: Cell) {
        if row >= self.rows || col >= self.cols {
            return;
        }
        let n = n.min(self.cols - col);
        let line = &mut self.cells[row * self.cols..(row + 1) * self.cols];
        line.copy_within(col + n.., col);
        let end = line.len();
        line[end - n..].fill(fill);
        self.touch(row, row);
    }

    /// A new size: the top-left part of the old contents kept, the rest blank.
    pub fn resize(&mut self, cols: usize, rows: usize) {
        let (cols, rows) = (cols.max(1), rows.max(1));
        let mut cells = vec![Cell::default(); cols * rows];
        for r in 0..rows.min(self.rows) {
            let w = cols.min(self.cols);
            cells[r * cols..r * cols + w].copy_from_slice(&self.cells[r * self.cols..r * self.cols + w]);
        }
        self.cells = cells;
        self.cols = cols;
        self.rows = rows;
        self.dirty = vec![true; rows];
        self.generation = self.generation.wrapping_add(1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(b: u8) -> Cell {
        Cell { glyph: b, attr: Attr::default() }
    }

    #[test]
    fn scrollback_keeps_the_newest_lines_up_to_its_limit() {
        let mut sb = Scrollback::new(2, 3);
        for b in 0..10u8 {
            sb.push(&[cell(b), cell(b)]);
        }
        assert_eq!(sb.len(), 3);
        assert_eq!(sb.line(0).unwrap()[0].glyph, 7);
        assert_eq!(sb.line(2).unwrap()[1].glyph, 9);
        assert!(sb.line(3).is_none());
        let mut none = Scrollback::new(2, 0);
        none.push(&[cell(1), cell(1)]);
        assert!(none.is_empty());
    }

    #[test]
    fn region_scrolls_and_cell_shifts() {
        let mut s = Screen::new(3, 4);
        for r in 0..4 {
            s.fill(r, 0, 3, cell(b'a' + r as u8));
        }
        s.scroll_up(1, 2, 1, cell(b'.'), None);
        let col0: Vec<u8> = (0..4).map(|r| s.cell(r, 0).unwrap().glyph).collect();
        assert_eq!(col0, b"ac.d");
        s.scroll_down(0, 3, 2, cell(b'_'));
        let col0: Vec<u8> = (0..4).map(|r| s.cell(r, 0).unwrap().glyph).collect();
        assert_eq!(col0, b"__ac");
        s.set(0, 0, cell(b'1'));
        s.set(0, 1, cell(b'2'));
        s.set(0, 2, cell(b'3'));
        s.insert_cells(0, 1, 1, cell(b' '));
        assert_eq!(s.row(0).iter().map(|c| c.glyph).collect::<Vec<_>>(), b"1 2");
        s.delete_cells(0, 0, 5, cell(b'x'));
        assert_eq!(s.row(0).iter().map(|c| c.glyph).collect::<Vec<_>>(), b"xxx");
    }
}
