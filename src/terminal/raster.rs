//! Text cells into pixels: the 16-colour text palette, an 8x16 bitmap font, and cells drawn into
//! an RGBA8 buffer (4 bytes a pixel, rows top to bottom, no padding between rows).
//!
//! Nothing here knows about a browser, a file or a window: the page puts the buffer into an
//! `ImageData`, the command line writes it to a PNG.
//!
//! Cells are 8 pixels wide. VGA text mode shows 9-pixel-wide cells, repeating a glyph's eighth
//! column in the ninth for the line-drawing characters 0xC0-0xDF and leaving it blank for the
//! rest; BBS clients (SyncTERM among them) draw 8 wide, ANSI art is made to be seen that way, and
//! an 80-column screen is then 640 pixels wide. This module draws 8 wide.

/// The 16 colours of CGA/VGA text mode, as RGB, in attribute order: black, blue, green, cyan,
/// red, magenta, brown, light grey, dark grey, light blue, light green, light cyan, light red,
/// light magenta, yellow, white.
///
/// Index 6 is the CGA's brown (0xAA, 0x55, 0x00), not the dark yellow (0xAA, 0xAA, 0x00) the
/// plain 2-bit rule would give: ANSI art expects brown.
pub const PALETTE: [[u8; 3]; 16] = super::attr::CGA_PALETTE;

/// The colour of palette index `index`, taking only its low 4 bits (so any byte is a colour).
pub const fn colour(index: u8) -> [u8; 3] {
    PALETTE[(index & 0x0F) as usize]
}

/// Splits a 256-glyph, 16-bytes-a-glyph font file into its glyphs (at compile time).
const fn glyphs_of(bytes: &[u8; 4096]) -> [[u8; 16]; 256] {
    let mut out = [[0u8; 16]; 256];
    let mut i = 0;
    while i < 4096 {
        out[i / 16][i % 16] = bytes[i];
        i += 1;
    }
    out
}

/// The IBM VGA 8x16 font, code page 437 (see `font/README.md` for where it came from and
/// `font/LICENSE` for its licence, BSD-2-Clause).
const VGA_8X16_GLYPHS: [[u8; 16]; 256] = glyphs_of(include_bytes!("font/vga8x16.bin"));

/// A bitmap font of 256 glyphs, 8 pixels wide and 16 high, indexed by byte (a code page).
///
/// Each glyph is 16 bytes, one a pixel row from the top; in a row the most significant bit is
/// the leftmost pixel, and a set bit is foreground.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Font {
    glyphs: &'static [[u8; 16]; 256],
}

impl Font {
    /// The IBM PC VGA 8x16 font for code page 437: every byte has a glyph, 0x01-0x1F included
    /// (faces, card suits, arrows ...), as BBS art expects. From libansilove (BSD-2-Clause);
    /// provenance in `src/terminal/font/README.md`.
    pub const VGA_8X16: Font = Font { glyphs: &VGA_8X16_GLYPHS };

    /// A cell's width in pixels (8: see the module's note on VGA's ninth column).
    pub const WIDTH: usize = 8;

    /// A cell's height in pixels.
    pub const HEIGHT: usize = 16;

    /// A font from 256 glyphs laid out as [`Font`] describes.
    pub const fn new(glyphs: &'static [[u8; 16]; 256]) -> Font {
        Font { glyphs }
    }

    /// The glyph for `byte`: 16 rows from the top, the leftmost pixel in the top bit.
    pub fn glyph(&self, byte: u8) -> &[u8; 16] {
        &self.glyphs[byte as usize]
    }

    /// A cell's width in pixels: [`Font::WIDTH`].
    pub const fn width(&self) -> usize {
        Self::WIDTH
    }

    /// A cell's height in pixels: [`Font::HEIGHT`].
    pub const fn height(&self) -> usize {
        Self::HEIGHT
    }
}

impl Default for Font {
    /// [`Font::VGA_8X16`].
    fn default() -> Self {
        Font::VGA_8X16
    }
}

/// Draws one cell into `rgba`, an RGBA8 image `width_px` pixels wide: the glyph for byte `glyph`
/// at text column `col` and row `row` (its top left pixel at `(col * 8, row * 16)`), foreground
/// colour `fg` where the glyph's bits are set and background colour `bg` elsewhere, alpha 255.
///
/// `fg` and `bg` are palette indices; only their low 4 bits count, so no value panics. Pixels
/// that fall outside the image (right of `width_px`, below the buffer's end) are left out: a
/// cell partly or wholly off the image is clipped, not a panic. Attributes such as blink or iCE
/// colours are the caller's business: by here they are just two palette indices.
#[allow(clippy::too_many_arguments)] // the cell's place, content and colours, all needed
pub fn draw_cell(rgba: &mut [u8], width_px: usize, col: usize, row: usize, glyph: u8, fg: u8, bg: u8, font: &Font) {
    let (fg, bg) = (colour(fg), colour(bg));
    let x0 = col.saturating_mul(Font::WIDTH);
    if x0 >= width_px {
        return;
    }
    let x1 = x0.saturating_add(Font::WIDTH).min(width_px);
    let y0 = row.saturating_mul(Font::HEIGHT);
    for (dy, bits) in font.glyph(glyph).iter().enumerate() {
        let Some(line) = y0.checked_add(dy).and_then(|y| y.checked_mul(width_px)) else {
            return;
        };
        for x in x0..x1 {
            let Some(px) = line
                .checked_add(x)
                .and_then(|p| p.checked_mul(4))
                .and_then(|start| rgba.get_mut(start..start.checked_add(4)?))
            else {
                return;
            };
            let [r, g, b] = if bits & (0x80 >> (x - x0)) != 0 { fg } else { bg };
            px.copy_from_slice(&[r, g, b, 0xFF]);
        }
    }
}

/// Renders a screen of `cols` x `rows` cells into a new RGBA8 image `cols * 8` pixels wide and
/// `rows * 16` high.
///
/// `cells` gives `(glyph, fg, bg)` for each cell, row by row from the top left; cells beyond
/// `cols * rows` are ignored, and cells it does not reach stay opaque black.
pub fn render(cells: impl Iterator<Item = (u8, u8, u8)>, cols: usize, rows: usize, font: &Font) -> Vec<u8> {
    let width_px = cols * Font::WIDTH;
    let mut rgba = [0u8, 0, 0, 0xFF].repeat(width_px * rows * Font::HEIGHT);
    if cols == 0 {
        return rgba;
    }
    for (i, (glyph, fg, bg)) in cells.take(cols * rows).enumerate() {
        draw_cell(&mut rgba, width_px, i % cols, i / cols, glyph, fg, bg, font);
    }
    rgba
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The glyph as 16 strings of `#` (set) and `.` (clear).
    fn art(byte: u8) -> Vec<String> {
        Font::VGA_8X16
            .glyph(byte)
            .iter()
            .map(|b| (0..8).map(|i| if b & (0x80 >> i) != 0 { '#' } else { '.' }).collect())
            .collect()
    }

    fn pixel(rgba: &[u8], width_px: usize, x: usize, y: usize) -> [u8; 4] {
        let i = (y * width_px + x) * 4;
        rgba[i..i + 4].try_into().unwrap()
    }

    #[test]
    fn palette_is_cga_with_brown() {
        assert_eq!(PALETTE[6], [0xAA, 0x55, 0x00]);
        assert_eq!(PALETTE[0], [0, 0, 0]);
        assert_eq!(PALETTE[7], [0xAA, 0xAA, 0xAA]);
        assert_eq!(PALETTE[8], [0x55, 0x55, 0x55]);
        assert_eq!(PALETTE[14], [0xFF, 0xFF, 0x55]);
        assert_eq!(PALETTE[15], [0xFF, 0xFF, 0xFF]);
        // The low 8: bit 0 blue, bit 1 green, bit 2 red at 0xAA (brown aside); the high 8 add 0x55.
        for (i, c) in PALETTE.iter().enumerate() {
            let lo = i & 7;
            let level = |bit: usize| if lo & bit != 0 { 0xAA } else { 0 };
            let mut want = [level(4), level(2), level(1)];
            if lo == 6 {
                want = [0xAA, 0x55, 0x00];
            }
            if i >= 8 {
                want = want.map(|v| if v == 0xAA { 0xFF } else { 0x55 });
                if lo == 6 {
                    want = [0xFF, 0xFF, 0x55];
                }
            }
            assert_eq!(*c, want, "colour {i}");
        }
    }

    #[test]
    fn glyph_a() {
        assert_eq!(
            Font::VGA_8X16.glyph(b'A'),
            &[0x00, 0x00, 0x10, 0x38, 0x6c, 0xc6, 0xc6, 0xfe, 0xc6, 0xc6, 0xc6, 0xc6, 0, 0, 0, 0]
        );
        let a = art(b'A');
        assert_eq!(a[2], "...#....");
        assert_eq!(a[7], "#######.");
        assert_eq!(a[11], "##...##.");
        assert_eq!(a[12], "........");
    }

    #[test]
    fn cp437_glyphs() {
        // Box drawing: 0xC4 a horizontal line, 0xB3 a vertical one, 0xDA the top left corner.
        let h = art(0xC4);
        assert!(h.iter().enumerate().all(|(y, r)| r == if y == 7 { "########" } else { "........" }));
        assert!(art(0xB3).iter().all(|r| r == "...##..."));
        let c = art(0xDA);
        assert_eq!(c[6], "........");
        assert_eq!(c[7], "...#####");
        assert_eq!(c[15], "...##...");
        // Shades: a quarter, a half and three quarters of the pixels set.
        for (byte, set) in [(0xB0u8, 32), (0xB1, 64), (0xB2, 96)] {
            let n: u32 = Font::VGA_8X16.glyph(byte).iter().map(|b| b.count_ones()).sum();
            assert_eq!(n, set, "shade {byte:#x}");
        }
        // Full block; the lower and upper "halves" are VGA's rows 7-15 and 0-6, which tile it.
        assert_eq!(Font::VGA_8X16.glyph(0xDB), &[0xFF; 16]);
        let (lower, upper) = (Font::VGA_8X16.glyph(0xDC), Font::VGA_8X16.glyph(0xDF));
        assert_eq!(lower, &[0, 0, 0, 0, 0, 0, 0, 255, 255, 255, 255, 255, 255, 255, 255, 255]);
        assert_eq!(upper, &lower.map(|b| !b));
        // 0x01 is the face, not a blank control.
        let face = art(0x01);
        assert_eq!(face[2], ".######.");
        assert_eq!(face[4], "#.#..#.#");
        assert_eq!(face[8], "#..##..#");
        assert_eq!(Font::VGA_8X16.glyph(b' '), &[0; 16]);
        assert_eq!(Font::VGA_8X16.glyph(0), &[0; 16]);
    }

    #[test]
    fn cell_is_fg_on_set_bits_and_bg_elsewhere() {
        let (cols, rows) = (3, 2);
        let width_px = cols * 8;
        let mut rgba = vec![7u8; width_px * rows * 16 * 4];
        draw_cell(&mut rgba, width_px, 1, 1, b'A', 14, 1, &Font::VGA_8X16);
        let glyph = Font::VGA_8X16.glyph(b'A');
        for y in 0..rows * 16 {
            for x in 0..width_px {
                let p = pixel(&rgba, width_px, x, y);
                if (8..16).contains(&x) && (16..32).contains(&y) {
                    let set = glyph[y - 16] & (0x80 >> (x - 8)) != 0;
                    let [r, g, b] = if set { PALETTE[14] } else { PALETTE[1] };
                    assert_eq!(p, [r, g, b, 0xFF], "({x}, {y})");
                } else {
                    assert_eq!(p, [7; 4], "({x}, {y}) outside the cell");
                }
            }
        }
    }

    #[test]
    fn out_of_range_colours_are_masked() {
        let mut a = vec![0u8; 8 * 16 * 4];
        let mut b = a.clone();
        draw_cell(&mut a, 8, 0, 0, 0xB1, 0xFE, 0x13, &Font::VGA_8X16);
        draw_cell(&mut b, 8, 0, 0, 0xB1, 0x0E, 0x03, &Font::VGA_8X16);
        assert_eq!(a, b);
        assert_eq!(colour(255), PALETTE[15]);
        assert_eq!(colour(16), PALETTE[0]);
    }

    #[test]
    fn cells_off_the_image_are_clipped() {
        let width_px = 12; // a cell and a half
        let mut rgba = vec![0u8; width_px * 20 * 4]; // a row and a bit
        draw_cell(&mut rgba, width_px, 1, 0, 0xDB, 15, 0, &Font::VGA_8X16);
        assert_eq!(pixel(&rgba, width_px, 11, 15), [0xFF; 4]);
        assert_eq!(pixel(&rgba, width_px, 7, 0), [0; 4]);
        draw_cell(&mut rgba, width_px, 0, 1, 0xDB, 4, 0, &Font::VGA_8X16);
        assert_eq!(pixel(&rgba, width_px, 0, 19), [0xAA, 0, 0, 0xFF]);
        for (col, row) in [(2, 0), (0, 2), (usize::MAX, 0), (0, usize::MAX), (usize::MAX, usize::MAX)] {
            draw_cell(&mut rgba, width_px, col, row, 0xDB, 15, 0, &Font::VGA_8X16);
        }
        draw_cell(&mut [], 0, 0, 0, b'A', 15, 0, &Font::VGA_8X16);
        draw_cell(&mut [0; 3], 1, 0, 0, b'A', 15, 0, &Font::VGA_8X16);
        draw_cell(&mut [], usize::MAX, 0, 1, b'A', 15, 0, &Font::VGA_8X16);
    }

    #[test]
    fn render_places_cells_row_by_row() {
        let cells = [(0xDB, 4, 0), (b' ', 0, 2), (b'A', 15, 1), (0xDB, 6, 0)];
        let rgba = render(cells.into_iter(), 2, 2, &Font::VGA_8X16);
        let width_px = 16;
        assert_eq!(rgba.len(), 16 * 32 * 4);
        assert_eq!(pixel(&rgba, width_px, 0, 0), [0xAA, 0, 0, 0xFF]); // red block
        assert_eq!(pixel(&rgba, width_px, 15, 15), [0, 0xAA, 0, 0xFF]); // green background
        assert_eq!(pixel(&rgba, width_px, 0, 16), [0, 0, 0xAA, 0xFF]); // A's background
        assert_eq!(pixel(&rgba, width_px, 0, 16 + 7), [0xFF; 4]); // A's bar
        assert_eq!(pixel(&rgba, width_px, 15, 31), [0xAA, 0x55, 0, 0xFF]); // brown block

        // Too few cells: the rest is opaque black. Too many: the extra are ignored.
        let short = render([(0xDB, 15, 0)].into_iter(), 2, 1, &Font::VGA_8X16);
        assert_eq!(pixel(&short, 16, 8, 0), [0, 0, 0, 0xFF]);
        let long = render(std::iter::repeat((0xDB, 15, 0)), 2, 1, &Font::VGA_8X16);
        assert_eq!(long.len(), 16 * 16 * 4);
        assert!(render(std::iter::empty(), 0, 5, &Font::VGA_8X16).is_empty());
        assert!(render(std::iter::empty(), 5, 0, &Font::VGA_8X16).is_empty());
    }

    #[test]
    fn font_geometry() {
        let f = Font::default();
        assert_eq!((f.width(), f.height()), (8, 16));
        assert_eq!(f, Font::new(&VGA_8X16_GLYPHS));
    }
}
