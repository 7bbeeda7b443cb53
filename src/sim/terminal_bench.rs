//! The terminal's benchmark, shared by `cargo bench --bench terminal` (native) and
//! `bench/wasm-terminal.mjs` (WebAssembly in Node): each passes in its own clock.
//!
//! What is measured:
//! - **ANSI in**: [`Terminal::feed`] on 1 MB of ANSI art ([`ansi_art`]: cursor positioning, colour
//!   changes, runs of text and block characters, line ends, now and then a screen clear, as BBS
//!   art and menus have them), in 4 KiB pieces; the figure is milliseconds per megabyte and what
//!   that allows in bit/s.
//! - **A full screen change drawn**: a screen of 80x25 cells changing every cell (an art page
//!   coming in), then [`Pixels::render`] drawing all 25 rows into the page's pixels: milliseconds
//!   per screen.
//!
//! The page keeps up with a line of `bit/s` when ANSI in plus the drawing of one frame take less
//! than a frame: at 115 200 bit/s a 60 Hz frame brings 240 bytes.

use core::hint::black_box;

use crate::sim::rng::Rng;
use crate::terminal::raster::Font;
use crate::terminal::{Config, Pixels, Terminal};

/// Pseudo-random ANSI art of `len` bytes, the same for the same seed.
pub fn ansi_art(len: usize, seed: u64) -> Vec<u8> {
    let mut rng = Rng::new(seed);
    let mut out = Vec::with_capacity(len + 64);
    let mut pick = |n: u32| (rng.next_u32() % n) as usize;
    while out.len() < len {
        match pick(20) {
            0 => out.extend_from_slice(format!("\x1b[{};{}H", 1 + pick(25), 1 + pick(80)).as_bytes()),
            1..=4 => {
                let fg = 30 + pick(8);
                let bg = 40 + pick(8);
                let bold = if pick(2) == 0 { "1;" } else { "0;" };
                out.extend_from_slice(format!("\x1b[{bold}{fg};{bg}m").as_bytes());
            }
            5 => out.extend_from_slice(b"\r\n"),
            6 => out.extend_from_slice(format!("\x1b[{}C", 1 + pick(10)).as_bytes()),
            7 if pick(50) == 0 => out.extend_from_slice(b"\x1b[2J"),
            8..=13 => {
                // A run of shades and blocks.
                const BLOCKS: [u8; 8] = [0xB0, 0xB1, 0xB2, 0xDB, 0xDC, 0xDF, 0xDD, 0xDE];
                for _ in 0..1 + pick(12) {
                    out.push(BLOCKS[pick(8)]);
                }
            }
            _ => {
                // Words.
                for _ in 0..1 + pick(10) {
                    out.push(b'a' + pick(26) as u8);
                }
                out.push(b' ');
            }
        }
    }
    out.truncate(len);
    out
}

/// Milliseconds to feed `art` to a fresh 80x25 terminal, in 4 KiB pieces.
pub fn feed_ms(art: &[u8], clock: &mut dyn FnMut() -> f64) -> f64 {
    let mut t = Terminal::new(Config::default());
    let start = clock();
    for piece in art.chunks(4096) {
        t.feed(black_box(piece));
    }
    let ms = clock() - start;
    black_box(t.cursor());
    ms
}

/// Milliseconds to draw `screens` full screen changes (every cell of 80x25 new, then all rows
/// drawn), per screen.
pub fn full_screen_ms(screens: usize, clock: &mut dyn FnMut() -> f64) -> f64 {
    let mut t = Terminal::new(Config::default());
    let mut pixels = Pixels::new(&t, Font::VGA_8X16);
    pixels.render(&mut t, true);
    // Screens of 2000 cells: colours and glyphs changing cell by cell.
    let screen = |k: usize| -> Vec<u8> {
        let mut s = b"\x1b[H".to_vec();
        for i in 0..2000 {
            if i % 16 == 0 {
                s.extend_from_slice(format!("\x1b[{};{}m", 30 + (i / 16 + k) % 8, 40 + (i / 7 + k) % 8).as_bytes());
            }
            s.push(0xB0 + ((i + k) % 48) as u8);
        }
        s
    };
    let screens_bytes: Vec<Vec<u8>> = (0..4).map(screen).collect();
    let mut drawn = 0;
    let mut elapsed = 0.0;
    for k in 0..screens {
        t.feed(&screens_bytes[k % 4]);
        let start = clock();
        drawn += pixels.render(&mut t, true);
        elapsed += clock() - start;
    }
    black_box(drawn);
    elapsed / screens as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_art_is_ansi_that_draws() {
        let art = ansi_art(100_000, 1);
        assert_eq!(art.len(), 100_000);
        assert_eq!(art, ansi_art(100_000, 1));
        let mut t = Terminal::new(Config::default());
        t.feed(&art);
        // Colours and blocks on the screen.
        let cells: Vec<_> = (0..25).flat_map(|r| (0..80).map(move |c| (r, c))).collect();
        let blocks = cells.iter().filter(|&&(r, c)| t.cell(r, c).is_some_and(|x| x.glyph >= 0xB0)).count();
        assert!(blocks > 100, "{blocks} block cells");
        let mut tick = 0.0;
        let mut clock = || {
            tick += 1.0;
            tick
        };
        assert_eq!(feed_ms(&art, &mut clock), 1.0);
        assert_eq!(full_screen_ms(3, &mut clock), 1.0);
    }
}
