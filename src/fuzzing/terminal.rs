//! Fuzz body of the ANSI-BBS terminal.

/// The ANSI-BBS terminal on arbitrary bytes. The first byte picks the screen size (80x25, 40x25,
/// 132x50 or 1x1), iCE colours and the size of the pieces the rest is fed in; a piece that starts
/// with 0xFF also resizes the screen. After every piece: the cursor is on the screen, the replies,
/// the notes and the scrollback stay within their bounds, every cell draws with palette indices
/// 0-15, the text has a line a row, and every key encodes to at most 8 bytes.
pub fn ansi_terminal(data: &[u8]) {
    use crate::terminal::{Config, Key, Terminal};
    let Some((&sel, rest)) = data.split_first() else { return };
    let (cols, rows) = [(80, 25), (40, 25), (132, 50), (1, 1)][sel as usize & 3];
    let config = Config {
        cols,
        rows,
        scrollback: 50,
        ice_colors: sel & 4 != 0,
        reply_capacity: 64,
        music_capacity: 32,
        ..Config::default()
    };
    let mut t = Terminal::new(config);
    let piece = 1 + (sel as usize >> 3) * 8;
    let mut replies = [0u8; 16];
    let chunks = rest.chunks(piece).count();
    for (i, chunk) in rest.chunks(piece).enumerate() {
        if chunk[0] == 0xFF && chunk.len() >= 3 {
            t.resize(chunk[1] as u16, chunk[2] as u16);
        }
        t.feed(chunk);
        let (row, col) = t.cursor();
        assert!(row < t.rows() && col < t.cols(), "cursor {row},{col} off a {}x{} screen", t.cols(), t.rows());
        let (top, bottom) = t.scroll_region();
        assert!(top <= bottom && bottom < t.rows());
        assert!(t.replies_len() <= 64);
        assert!(t.notes_len() <= 32);
        assert!(t.scrollback().len() <= 50);
        // The whole screen now and then and at the end (every byte would slow the fuzzer a
        // hundredfold).
        if i % 64 == 0 || i + 1 == chunks {
            for r in 0..t.rows() {
                for c in 0..t.cols() {
                    let x = t.rendition(r, c).unwrap();
                    assert!(x.fg < 16 && x.bg < 16);
                }
            }
            assert_eq!(t.text().lines().count(), t.rows());
        }
        for key in [Key::Up, Key::F(12), Key::Backspace, Key::Char(chunk[0] as char)] {
            assert!(t.key(key).as_bytes().len() <= 8);
        }
        if chunk[0] & 1 == 0 {
            t.read_replies(&mut replies);
            while t.next_note().is_some() {}
        }
    }
}
