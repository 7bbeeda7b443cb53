//! The BBS's ANSI art, made for this project by the code below (nothing copied): a night scene of
//! a telephone line over the hills to a house, and a modem with its lamps.
//!
//! The scene is drawn on an 80x25 [`Canvas`] of CP437 characters with 16 foreground and 16
//! background colours, then [`Canvas::encode`] turns it into ANSI: one cursor position, SGR only
//! where the colours change, a cursor-forward (`CSI n C`) over empty sky, bright backgrounds as
//! blink with iCE colours on (`CSI ? 33 h`). The moon is drawn afterwards as a sprite with cursor
//! up/down/back, between a save and a restore of the cursor. Nothing is written in column 80 or
//! below row 24, so a DOS-wrapping terminal never wraps or scrolls.

/// Columns of the screen.
pub(super) const COLS: usize = 80;
/// Rows of the screen.
pub(super) const ROWS: usize = 25;

/// Colours, the ANSI order (SGR 30 + n): `n & 7` is the colour, `n & 8` bright.
const BLACK: u8 = 0;
const RED: u8 = 1;
const GREEN: u8 = 2;
const BROWN: u8 = 3;
const BLUE: u8 = 4;
const CYAN: u8 = 6;
const GREY: u8 = 7;
const DARK_GREY: u8 = 8;
const BRIGHT_RED: u8 = 9;
const BRIGHT_GREEN: u8 = 10;
const YELLOW: u8 = 11;
const BRIGHT_CYAN: u8 = 14;
const WHITE: u8 = 15;

/// CP437 characters used.
const LIGHT_SHADE: u8 = 0xB0;
const MEDIUM_SHADE: u8 = 0xB1;
const DARK_SHADE: u8 = 0xB2;
const FULL_BLOCK: u8 = 0xDB;
const LOWER_HALF: u8 = 0xDC;
const UPPER_HALF: u8 = 0xDF;
const H_LINE: u8 = 0xC4;
const V_LINE: u8 = 0xB3;
const CROSS: u8 = 0xC5;

/// One character cell: a CP437 character and its colours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Cell {
    /// The character.
    pub ch: u8,
    /// Foreground colour, 0-15.
    pub fg: u8,
    /// Background colour, 0-15 (8-15 need iCE colours).
    pub bg: u8,
}

/// An erased cell.
pub(super) const BLANK: Cell = Cell { ch: b' ', fg: GREY, bg: BLACK };

/// A screen's worth of cells.
#[derive(Debug, Clone)]
pub(super) struct Canvas {
    /// Rows of cells.
    pub cells: Vec<[Cell; COLS]>,
}

impl Canvas {
    fn new() -> Self {
        Canvas { cells: vec![[BLANK; COLS]; ROWS] }
    }

    fn put(&mut self, row: usize, col: usize, ch: u8, fg: u8, bg: u8) {
        if row < ROWS && col < COLS - 1 {
            self.cells[row][col] = Cell { ch, fg, bg };
        }
    }

    fn text(&mut self, row: usize, col: usize, s: &[u8], fg: u8, bg: u8) {
        for (i, &ch) in s.iter().enumerate() {
            self.put(row, col + i, ch, fg, bg);
        }
    }

    /// A box of double lines (`double`) or single lines, corners at (`top`, `left`) and
    /// (`bottom`, `right`).
    fn frame(&mut self, (top, left): (usize, usize), (bottom, right): (usize, usize), double: bool, fg: u8) {
        let [tl, tr, bl, br, h, v] =
            if double { [0xC9, 0xBB, 0xC8, 0xBC, 0xCD, 0xBA] } else { [0xDA, 0xBF, 0xC0, 0xD9, 0xC4, 0xB3] };
        for c in left + 1..right {
            self.put(top, c, h, fg, BLACK);
            self.put(bottom, c, h, fg, BLACK);
        }
        for r in top + 1..bottom {
            self.put(r, left, v, fg, BLACK);
            self.put(r, right, v, fg, BLACK);
        }
        self.put(top, left, tl, fg, BLACK);
        self.put(top, right, tr, fg, BLACK);
        self.put(bottom, left, bl, fg, BLACK);
        self.put(bottom, right, br, fg, BLACK);
    }

    /// The canvas as ANSI, for a screen just erased with SGR 0 (every cell [`BLANK`]), the cursor
    /// anywhere. Leaves the cursor after the last character drawn and the colours as they were
    /// for it.
    pub fn encode(&self, out: &mut Vec<u8>) {
        let mut pen = (GREY, BLACK);
        // Where the cursor is, if known.
        let mut at: Option<(usize, usize)> = None;
        for (r, row) in self.cells.iter().enumerate() {
            let mut c = 0;
            while c < COLS {
                if row[c] == BLANK || (row[c].ch == b' ' && row[c].bg == BLACK) {
                    c += 1;
                    continue;
                }
                // Get to (r, c).
                match at {
                    Some((ar, ac)) if ar == r && ac < c => {
                        let gap = c - ac;
                        if gap < 4 && pen.1 == BLACK {
                            out.extend(core::iter::repeat_n(b' ', gap));
                        } else {
                            cursor(out, gap, b'C');
                        }
                    }
                    Some((ar, ac)) if ar == r && ac == c => {}
                    Some((ar, _)) if ar < r && r - ar <= 2 && c < 4 && pen.1 == BLACK => {
                        for _ in ar..r {
                            out.extend_from_slice(b"\r\n");
                        }
                        out.extend(core::iter::repeat_n(b' ', c));
                    }
                    _ => out.extend_from_slice(format!("\x1b[{};{}H", r + 1, c + 1).as_bytes()),
                }
                let cell = row[c];
                sgr(out, &mut pen, (cell.fg, cell.bg));
                out.push(cell.ch);
                c += 1;
                at = Some((r, c));
            }
        }
    }
}

/// A cursor movement by `n` (`C` forward, `D` back, `A` up, `B` down), `CSI n x` or `CSI x` for 1.
fn cursor(out: &mut Vec<u8>, n: usize, dir: u8) {
    if n == 1 {
        out.extend_from_slice(&[0x1b, b'[', dir]);
    } else if n > 1 {
        out.extend_from_slice(format!("\x1b[{n}").as_bytes());
        out.push(dir);
    }
}

/// The shortest SGR taking the pen from `pen` to `want` (bold for a bright foreground, blink for a
/// bright background, which iCE colours show as one).
fn sgr(out: &mut Vec<u8>, pen: &mut (u8, u8), want: (u8, u8)) {
    if *pen == want {
        return;
    }
    let mut params: Vec<u8> = Vec::with_capacity(4);
    if (pen.0 >= 8 && want.0 < 8) || (pen.1 >= 8 && want.1 < 8) {
        params.push(0);
        *pen = (GREY, BLACK);
    }
    if want.0 >= 8 && pen.0 < 8 {
        params.push(1);
    }
    if want.1 >= 8 && pen.1 < 8 {
        params.push(5);
    }
    if want.0 & 7 != pen.0 & 7 {
        params.push(30 + (want.0 & 7));
    }
    if want.1 & 7 != pen.1 & 7 {
        params.push(40 + (want.1 & 7));
    }
    *pen = want;
    out.extend_from_slice(b"\x1b[");
    for (i, p) in params.iter().enumerate() {
        if i > 0 {
            out.push(b';');
        }
        out.extend_from_slice(p.to_string().as_bytes());
    }
    out.push(b'm');
}

/// A triangle wave: 0 at multiples of `period`, `amp` half way between.
fn tri(x: usize, period: usize, amp: usize) -> usize {
    let p = x % period;
    let half = period / 2;
    amp * if p < half { p } else { period - p } / half
}

/// A small seeded scramble for the stars (the same scene every time).
fn hash(n: usize) -> usize {
    let mut x = (n as u32).wrapping_mul(0x9E37_79B9) ^ 0x5bd1_e995;
    x ^= x >> 15;
    x = x.wrapping_mul(0x2c1b_3c6d);
    (x ^ (x >> 12)) as usize
}

/// The frame around the picture: rows and columns of its corners.
const TOP: usize = 1;
const BOTTOM: usize = 18;
const LEFT: usize = 1;
const RIGHT: usize = 77;

/// Columns of the telephone poles, and the row of their cross arms.
const POLES: [usize; 4] = [8, 28, 50, 66];
const ARM_ROW: usize = 6;

/// The scene without the moon.
pub(super) fn scene() -> Canvas {
    let mut cv = Canvas::new();
    let title = b" A phone line over the hills: ANSI art made for the softmodem demo BBS ";
    cv.frame((TOP, LEFT), (BOTTOM, RIGHT), true, BRIGHT_CYAN);
    cv.text(TOP, (LEFT + RIGHT + 1 - title.len()) / 2, title, YELLOW, BLUE);
    // Stars.
    for i in 0..26 {
        let h = hash(i);
        let (r, c) = (TOP + 1 + h % 7, LEFT + 1 + (h >> 8) % (RIGHT - LEFT - 1));
        let (ch, fg) = [(0xFA, GREY), (0xF9, WHITE), (b'*', YELLOW), (b'+', BRIGHT_CYAN)][(h >> 20) % 4];
        cv.put(r, c, ch, fg, BLACK);
    }
    // Far hills (cyan shades), then near hills (green) over them.
    for c in LEFT + 1..RIGHT {
        let far = 11 - tri(c + 9, 26, 3);
        cv.put(far, c, LOWER_HALF, CYAN, BLACK);
        for r in far + 1..BOTTOM {
            cv.put(r, c, if r == far + 1 { DARK_SHADE } else { MEDIUM_SHADE }, CYAN, BLACK);
        }
        let near = 15 - tri(c, 34, 3);
        let under = cv.cells[near][c].bg;
        let behind = if cv.cells[near][c].ch == b' ' { under } else { CYAN };
        cv.put(near, c, LOWER_HALF, GREEN, behind);
        for r in near + 1..BOTTOM {
            let grass = (c * 7 + r * 3) % 11 == 0;
            cv.put(r, c, if grass { LIGHT_SHADE } else { b' ' }, BRIGHT_GREEN, GREEN);
        }
    }
    // The telephone line: poles on the near hills, the wire sagging between them.
    for (i, &p) in POLES.iter().enumerate() {
        let ground = 15 - tri(p, 34, 3);
        for r in ARM_ROW + 1..ground {
            cv.put(r, p, V_LINE, BROWN, cv.cells[r][p].bg);
        }
        cv.put(ARM_ROW, p, CROSS, BROWN, BLACK);
        let next = POLES.get(i + 1).copied().unwrap_or(RIGHT);
        let (a, b) = (p + 1, next);
        let (dip, rise) = (a + (b - a) / 4, b - (b - a) / 4);
        for c in a..b {
            let (row, ch) = match c {
                _ if c == dip => (ARM_ROW, 0xBF),
                _ if c == rise => (ARM_ROW, 0xDA),
                _ if c < dip || c > rise => (ARM_ROW, H_LINE),
                _ => (ARM_ROW + 1, H_LINE),
            };
            cv.put(row, c, ch, DARK_GREY, BLACK);
            if c == dip {
                cv.put(ARM_ROW + 1, c, 0xC0, DARK_GREY, BLACK);
            } else if c == rise {
                cv.put(ARM_ROW + 1, c, 0xD9, DARK_GREY, BLACK);
            }
        }
    }
    // A house at the line's end, its window lit (a bright background: iCE colours).
    let (hr, hc) = (15 - tri(71, 34, 3), 69);
    cv.text(hr - 3, hc + 1, &[LOWER_HALF; 5], RED, BLACK);
    cv.text(hr - 2, hc, &[FULL_BLOCK; 7], RED, BLACK);
    cv.text(hr - 1, hc, &[b' '; 7], BLACK, BROWN);
    cv.text(hr, hc, &[b' '; 7], BLACK, BROWN);
    cv.text(hr - 1, hc + 2, &[0xC5, 0xC5], BROWN, YELLOW);
    cv.put(hr, hc + 5, 0xDD, DARK_GREY, BROWN);
    // The modem under the picture: a case with its lamps and their names.
    cv.frame((19, 3), (23, 37), false, GREY);
    cv.text(20, 5, b"softmodem", WHITE, BLACK);
    cv.text(20, 16, b"2400 bit/s", CYAN, BLACK);
    let lamps = [("HS", YELLOW), ("AA", DARK_GREY), ("CD", BRIGHT_RED), ("OH", BRIGHT_RED), ("RD", BRIGHT_GREEN)];
    for (i, (name, fg)) in lamps.into_iter().enumerate() {
        cv.put(21, 6 + 6 * i, 0xFE, fg, BLACK);
        cv.text(22, 5 + 6 * i, name.as_bytes(), GREY, BLACK);
    }
    cv.text(20, 42, b"Drawn in CP437 blocks and lines", GREY, BLACK);
    cv.text(21, 42, b"with 16 colours and iCE colours.", GREY, BLACK);
    cv.text(23, 42, b"Press any key for the menu.", WHITE, BLACK);
    for (i, &ch) in [UPPER_HALF, LOWER_HALF, UPPER_HALF].iter().enumerate() {
        cv.put(23, 71 + i, ch, BRIGHT_GREEN, BLACK);
    }
    cv
}

/// Where the moon's top left corner is (row, column, from 0).
pub(super) const MOON: (usize, usize) = (2, 58);

/// The moon, row by row: its characters and colours (a bright white background is iCE's).
const MOON_ROWS: [&[(u8, u8, u8)]; 3] = [
    &[
        (LOWER_HALF, YELLOW, BLACK),
        (FULL_BLOCK, YELLOW, BLACK),
        (FULL_BLOCK, YELLOW, BLACK),
        (LOWER_HALF, YELLOW, BLACK),
    ],
    &[
        (FULL_BLOCK, YELLOW, BLACK),
        (LIGHT_SHADE, YELLOW, WHITE),
        (b' ', YELLOW, WHITE),
        (MEDIUM_SHADE, YELLOW, WHITE),
        (FULL_BLOCK, YELLOW, BLACK),
    ],
    &[
        (UPPER_HALF, YELLOW, BLACK),
        (FULL_BLOCK, YELLOW, BLACK),
        (FULL_BLOCK, YELLOW, BLACK),
        (UPPER_HALF, YELLOW, BLACK),
    ],
];

/// Column offsets of the moon's rows from [`MOON`].
const MOON_INDENT: [usize; 3] = [1, 0, 1];

/// The moon's cells, as the screen shows them once drawn: ((row, column), cell).
#[cfg(test)]
pub(super) fn moon_cells() -> impl Iterator<Item = ((usize, usize), Cell)> {
    MOON_ROWS.iter().enumerate().flat_map(|(i, row)| {
        row.iter()
            .enumerate()
            .map(move |(j, &(ch, fg, bg))| ((MOON.0 + i, MOON.1 + MOON_INDENT[i] + j), Cell { ch, fg, bg }))
    })
}

/// The whole art page: erase, iCE colours on, the scene, then the moon drawn as a sprite between
/// a cursor save and restore, so the cursor ends where the scene ended (bottom right). iCE colours
/// stay on while the page shows; the host turns them off when the caller leaves it.
pub(super) fn page() -> Vec<u8> {
    let mut out = Vec::with_capacity(3000);
    out.extend_from_slice(b"\x1b[0m\x1b[2J\x1b[?33h");
    scene().encode(&mut out);
    out.extend_from_slice(b"\x1b[s");
    out.extend_from_slice(format!("\x1b[{};{}H", MOON.0 + 1, MOON.1 + 1 + MOON_INDENT[0]).as_bytes());
    let mut pen = (GREY, BLACK);
    out.extend_from_slice(b"\x1b[0m");
    for (i, row) in MOON_ROWS.iter().enumerate() {
        if i > 0 {
            // Down a row, and back to where this row starts.
            cursor(&mut out, 1, b'B');
            let back = MOON_INDENT[i - 1] + MOON_ROWS[i - 1].len() - MOON_INDENT[i];
            cursor(&mut out, back, b'D');
        }
        for &(ch, fg, bg) in row.iter() {
            sgr(&mut out, &mut pen, (fg, bg));
            out.push(ch);
        }
    }
    out.extend_from_slice(b"\x1b[0m\x1b[u");
    out
}
