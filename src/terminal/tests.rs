//! The terminal on ANSI made for the tests.

use super::*;

fn term() -> Terminal {
    Terminal::new(Config::default())
}

fn fed(bytes: &[u8]) -> Terminal {
    let mut t = term();
    t.feed(bytes);
    t
}

fn replies(t: &mut Terminal) -> Vec<u8> {
    let mut buf = [0u8; 1024];
    let n = t.read_replies(&mut buf);
    buf[..n].to_vec()
}

fn glyphs(t: &Terminal, row: usize) -> Vec<u8> {
    t.row(row).unwrap().iter().map(|c| c.glyph).collect()
}

#[test]
fn dos_wrap_moves_to_the_next_line_at_once() {
    let mut t = term();
    t.feed(&[b'x'; 79]);
    assert_eq!(t.cursor(), (0, 79));
    t.feed(b"y");
    // Written in column 80, the cursor is already on the next line.
    assert_eq!(t.cursor(), (1, 0));
    assert_eq!(t.cell(0, 79).unwrap().glyph, b'y');
    // A CR LF after a full line therefore leaves an empty line, as on DOS.
    t.feed(b"\r\nz");
    assert_eq!(t.cursor(), (2, 1));
    assert_eq!(t.row_text(1), "");
    // Without auto wrap the last column is overwritten.
    let mut t = fed(b"\x1b[?7l");
    t.feed(&[b'a'; 85]);
    assert_eq!(t.cursor(), (0, 79));
    assert_eq!(t.row_text(1), "");
}

#[test]
fn writing_the_bottom_right_cell_scrolls() {
    let mut t = fed(b"\x1b[25;80HZ");
    assert_eq!(t.cursor(), (24, 0));
    assert_eq!(t.cell(23, 79).unwrap().glyph, b'Z');
    assert_eq!(t.scrollback().len(), 1);
    t.feed(b"\x1b[H\x1b[?7l\x1b[25;80HQ");
    assert_eq!(t.cell(24, 79).unwrap().glyph, b'Q');
    assert_eq!(t.scrollback().len(), 1);
}

#[test]
fn line_feeds_scroll_into_a_bounded_scrollback() {
    let mut t = Terminal::new(Config { scrollback: 10, ..Config::default() });
    for i in 0..100 {
        t.feed(format!("line {i}\r\n").as_bytes());
    }
    assert_eq!(t.cursor(), (24, 0));
    assert_eq!(t.row_text(0), "line 76");
    assert_eq!(t.row_text(23), "line 99");
    assert_eq!(t.scrollback().len(), 10);
    let oldest: String = t.scrollback().line(0).unwrap().iter().map(|c| c.glyph as char).collect();
    assert_eq!(oldest.trim_end(), "line 66");
}

#[test]
fn control_bytes_that_do_not_act_are_drawn() {
    let mut t = term();
    let drawn: Vec<u8> = (1u8..0x20).filter(|b| ![7, 8, 9, 10, 13, 0x1b].contains(b)).collect();
    t.feed(&drawn);
    t.feed(b"\x7f");
    assert_eq!(t.row_text(0), "☺☻♥♦♣♠♂♀♫☼►◄↕‼¶§▬↨↑↓→∟↔▲▼⌂");
    assert_eq!(t.cursor(), (0, drawn.len() + 1));
    // BEL is counted, not drawn; NUL is ignored outside DoorWay mode.
    let t = fed(b"a\x07\x07\x00b");
    assert_eq!(t.row_text(0), "ab");
    assert_eq!(t.bells(), 2);
}

#[test]
fn backspace_tab_cr_lf() {
    let mut t = fed(b"abc\x08\x08X\rY\n\tZ");
    assert_eq!(t.row_text(0), "YXc");
    assert_eq!(t.row_text(1), "        Z", "LF keeps the column");
    t.feed(b"\r\x08\x08");
    assert_eq!(t.cursor(), (1, 0));
    // Tab stops every 8; the last stop is the last column; from there to the next line.
    t.feed(b"\x1b[1;70H\t");
    assert_eq!(t.cursor(), (0, 72));
    t.feed(b"\t");
    assert_eq!(t.cursor(), (0, 79));
    t.feed(b"\t");
    assert_eq!(t.cursor(), (1, 0));
    // HTS, TBC, CHT, CBT.
    t.feed(b"\x1b[1;4H\x1bH\x1b[1G\t");
    assert_eq!(t.cursor(), (0, 3));
    t.feed(b"\x1b[3g\x1b[1G\t");
    assert_eq!(t.cursor(), (0, 79));
    t.feed(b"\x1b[1;1H\x1bH\x1b[1;20H\x1b[Z");
    assert_eq!(t.cursor(), (0, 0));
    let mut t = term();
    t.feed(b"\x1b[2I");
    assert_eq!(t.cursor(), (0, 16));
    t.feed(b"\x1b[Z");
    assert_eq!(t.cursor(), (0, 8));
    t.feed(b"\x1b[99Z");
    assert_eq!(t.cursor(), (0, 0));
}

#[test]
fn cursor_movements_stop_at_the_edges() {
    let mut t = fed(b"\x1b[10;10H");
    assert_eq!(t.cursor(), (9, 9));
    let cases: [(&[u8], (usize, usize)); 20] = [
        (b"\x1b[A", (8, 9)),
        (b"\x1b[3B", (11, 9)),
        (b"\x1b[5C", (11, 14)),
        (b"\x1b[2D", (11, 12)),
        (b"\x1b[2E", (13, 0)),
        (b"\x1b[3F", (10, 0)),
        (b"\x1b[40G", (10, 39)),
        (b"\x1b[999A", (0, 39)),
        (b"\x1b[999B", (24, 39)),
        (b"\x1b[999C", (24, 79)),
        (b"\x1b[999D", (24, 0)),
        (b"\x1b[0A", (23, 0)),
        (b"\x1b[5;6f", (4, 5)),
        (b"\x1b[H", (0, 0)),
        (b"\x1b[;7H", (0, 6)),
        (b"\x1b[7d", (6, 6)),
        (b"\x1b[12`", (6, 11)),
        (b"\x1b[3a\x1b[2e", (8, 14)),
        (b"\x1b[4j\x1b[5k", (3, 10)),
        (b"\x1b[99;999H", (24, 79)),
    ];
    for (seq, want) in cases {
        t.feed(seq);
        assert_eq!(t.cursor(), want, "{:?}", String::from_utf8_lossy(seq));
    }
}

#[test]
fn save_and_restore_cursor() {
    let mut t = fed(b"\x1b[u");
    assert_eq!(t.cursor(), (0, 0), "nothing saved: not moved");
    t.feed(b"\x1b[5;5H\x1b[s\x1b[10;10H\x1b[u");
    assert_eq!(t.cursor(), (4, 4));
    t.feed(b"\x1b[7;3H\x1b7\x1b[H\x1b8");
    assert_eq!(t.cursor(), (6, 2));
}

fn filled() -> Terminal {
    let mut t = Terminal::new(Config { cols: 10, rows: 4, ..Config::default() });
    t.feed(b"\x1b[?7l");
    for r in 0..4 {
        t.feed(format!("\x1b[{};1H{}", r + 1, "0123456789").as_bytes());
    }
    t
}

#[test]
fn erase_in_page_and_line() {
    let mut t = filled();
    t.feed(b"\x1b[2;5H\x1b[J");
    assert_eq!(t.text(), "0123456789\n0123\n\n\n");
    let mut t = filled();
    t.feed(b"\x1b[2;5H\x1b[1J");
    assert_eq!(t.text(), "\n     56789\n0123456789\n0123456789\n");
    let mut t = filled();
    t.feed(b"\x1b[2;5H\x1b[2J");
    assert_eq!(t.text(), "\n\n\n\n");
    assert_eq!(t.cursor(), (0, 0), "CSI 2J homes");
    let mut t = filled();
    t.feed(b"\x1b[1;5H\x1b[K\x1b[2;5H\x1b[1K\x1b[3;5H\x1b[2K");
    assert_eq!(t.text(), "0123\n     56789\n\n0123456789\n");
    // Erased cells take the current attribute.
    let mut t = filled();
    t.feed(b"\x1b[44m\x1b[4;1H\x1b[K");
    assert_eq!(t.rendition(3, 9).unwrap().bg, 1);
}

#[test]
fn insert_delete_erase_characters_and_lines() {
    let mut t = filled();
    t.feed(b"\x1b[1;3H\x1b[2@\x1b[2;3H\x1b[3P\x1b[3;3H\x1b[4X\x1b[4;3H\x1b[99P");
    assert_eq!(t.text(), "01  234567\n0156789\n01    6789\n01\n");
    let mut t = filled();
    t.feed(b"\x1b[1;1HA\x1b[2;1HB\x1b[3;1HC\x1b[4;1HD\x1b[2;1H\x1b[L");
    assert_eq!(glyphs(&t, 1)[0], b' ');
    assert_eq!(t.row_text(2).as_bytes()[0], b'B');
    assert_eq!(t.row_text(3).as_bytes()[0], b'C');
    t.feed(b"\x1b[2M");
    assert_eq!(t.row_text(1).as_bytes()[0], b'C');
    assert_eq!(t.row_text(2), "");
    assert_eq!(t.row_text(3), "");
    // Delete Line does not feed the scrollback.
    assert!(t.scrollback().is_empty());
}

#[test]
fn scrolling_region_su_sd_and_reverse_index() {
    let mut t = filled();
    for (r, c) in b"ABCD".iter().enumerate() {
        t.feed(format!("\x1b[{};1H{}", r + 1, *c as char).as_bytes());
    }
    let first = |t: &Terminal| (0..4).map(|r| glyphs(t, r)[0]).collect::<Vec<u8>>();
    t.feed(b"\x1b[2;3r");
    assert_eq!(t.scroll_region(), (1, 2));
    assert_eq!(t.cursor(), (0, 0), "DECSTBM homes");
    t.feed(b"\x1b[3;1H\n");
    assert_eq!(first(&t), b"AC D");
    t.feed(b"\x1b[2;1H\x1bM");
    assert_eq!(first(&t), b"A CD");
    t.feed(b"\x1b[1;1HX\x1b[2;1HY\x1b[3;1HZ\x1b[S");
    assert_eq!(first(&t), b"XZ D");
    t.feed(b"\x1b[T");
    assert_eq!(first(&t), b"X ZD");
    // Scrolling inside a region below the top does not feed the scrollback.
    assert!(t.scrollback().is_empty());
    // IL outside the region does nothing.
    t.feed(b"\x1b[4;1H\x1b[L");
    assert_eq!(first(&t), b"X ZD");
    // Invalid margins are ignored; CSI r resets them.
    t.feed(b"\x1b[3;2r");
    assert_eq!(t.scroll_region(), (1, 2));
    t.feed(b"\x1b[r");
    assert_eq!(t.scroll_region(), (0, 3));
    // Origin mode: CUP counts from the region's top and stays in it; CPR is relative.
    let mut t = fed(b"\x1b[5;10r\x1b[?6h\x1b[2;3H");
    assert_eq!(t.cursor(), (5, 2));
    t.feed(b"\x1b[99;1H\x1b[6n");
    assert_eq!(t.cursor(), (9, 0));
    assert_eq!(replies(&mut t), b"\x1b[6;1R");
}

#[test]
fn sgr_colours_bright_blink_reverse_conceal() {
    let t = fed(b"\x1b[31mR\x1b[1;44mB\x1b[0mN\x1b[33;1mY\x1b[22mb\x1b[5;7mV\x1b[27;25mP");
    let r = |c| t.rendition(0, c).unwrap();
    assert_eq!((r(0).fg, r(0).bg), (4, 0), "ANSI red is CGA 4");
    assert_eq!((r(1).fg, r(1).bg), (12, 1), "bold is bright; blue background is CGA 1");
    assert_eq!((r(2).fg, r(2).bg), (7, 0));
    assert_eq!(r(3).fg, 14, "bold brown is yellow");
    assert_eq!(r(4).fg, 6, "brown, not dark yellow");
    assert_eq!((r(5).fg, r(5).bg, r(5).blink), (0, 6, true), "negative exchanges colours");
    assert_eq!((r(6).fg, r(6).bg, r(6).blink), (6, 0, false));
    let t =
        fed(b"\x1b[92;41mG\x1b[39;49mD\x1b[1;31;42;8mC\x1b[2mc\x1b[36;38;5;200;48;2;1;2;3;45mX\x1b[;mZ\x1b[97;100mW");
    let r = |c| t.rendition(0, c).unwrap();
    assert_eq!((r(0).fg, r(0).bg), (10, 4), "90-97 are bright");
    assert_eq!((r(1).fg, r(1).bg), (15, 0), "39/49 defaults; bold stays");
    assert_eq!((r(2).fg, r(2).bg), (10, 2), "conceal: the foreground takes the background colour");
    assert_eq!((r(3).fg, r(3).bg), (2, 2));
    assert_eq!((r(4).fg, r(4).bg), (3, 5), "38/48 arguments skipped");
    assert_eq!((r(5).fg, r(5).bg), (7, 0), "empty parameters are 0");
    assert_eq!((r(6).fg, r(6).bg, r(6).blink), (15, 0, false), "100-107 need iCE colours");
}

#[test]
fn ice_colours_on_and_off() {
    let mut t = fed(b"\x1b[5;44mA");
    let a = t.rendition(0, 0).unwrap();
    assert_eq!((a.bg, a.blink), (1, true));
    t.clear_dirty();
    let g = t.generation();
    t.feed(b"\x1b[?33h");
    let a = t.rendition(0, 0).unwrap();
    assert_eq!((a.bg, a.blink), (9, false), "blink selects the bright background");
    assert!(t.is_dirty(0) && t.is_dirty(24) && t.generation() != g, "everything is redrawn");
    t.feed(b"\x1b[0;103mB");
    let b = t.rendition(0, 1).unwrap();
    assert_eq!((b.bg, b.blink), (14, false));
    t.feed(b"\x1b[?33l");
    assert_eq!(t.rendition(0, 0).unwrap().bg, 1);
    // From the configuration.
    let t = Terminal::new(Config { ice_colors: true, ..Config::default() });
    let mut t2 = t.clone();
    t2.feed(b"\x1b[5;41mX");
    assert_eq!(t2.rendition(0, 0).unwrap().bg, 12);
    // Blink disabled and bright disabled.
    let t = fed(b"\x1b[?35h\x1b[?32h\x1b[1;5;31mX");
    let x = t.rendition(0, 0).unwrap();
    assert_eq!((x.fg, x.blink), (4, false));
}

#[test]
fn replies_device_attributes_and_status_reports() {
    let mut t = fed(b"\x1b[c");
    assert_eq!(replies(&mut t), b"\x1b[=67;84;101;114;109;1;0c");
    t.feed(b"\x1b[0c\x1b[1c");
    assert_eq!(replies(&mut t), b"\x1b[=67;84;101;114;109;1;0c");
    t.feed(b"\x1b[<c");
    assert_eq!(replies(&mut t), b"\x1b[<0;2c");
    t.feed(b"\x1b[5n\x1b[12;34H\x1b[6n\x1b[255n");
    assert_eq!(replies(&mut t), b"\x1b[0n\x1b[12;34R\x1b[25;80R");
    let mut t = Terminal::new(Config { cols: 132, rows: 50, cterm_revision: (1, 319), ..Config::default() });
    t.feed(b"\x1b[255n\x1b[c\x1b[=2n\x1b[?7l\x1b[?25l\x1b[=2n");
    assert_eq!(replies(&mut t), b"\x1b[50;132R\x1b[=67;84;101;114;109;1;319c\x1b[=2;7;25;67n\x1b[=2;67n");
    // The queue is bounded: replies that do not fit whole are dropped.
    let mut t = term();
    for _ in 0..10_000 {
        t.feed(b"\x1b[6n");
    }
    assert!(t.replies_len() <= 256);
    assert_eq!(t.replies_len() % 6, 0, "only whole replies");
}

#[test]
fn doorway_mode_draws_the_byte_after_nul_and_sends_scan_codes() {
    let mut t = term();
    assert_eq!(t.key(Key::Up).as_bytes(), b"\x1b[A");
    t.feed(b"\x1b[=255h\x00\x1b\x00\x0d!");
    assert_eq!(t.row_text(0), "←♪!");
    assert_eq!(t.key(Key::Up).as_bytes(), [0, 0x48]);
    t.feed(b"\x1b[=255l\x00A");
    assert_eq!(t.row_text(0), "←♪!A");
    assert_eq!(t.key(Key::F(1)).as_bytes(), b"\x1b[11~");
    t.feed(b"\x1b[?67l");
    assert_eq!(t.key(Key::Backspace).as_bytes(), b"\x7f");
}

#[test]
fn music_introducers_and_delete_line() {
    // By default CSI N and CSI | play music; CSI M deletes lines.
    let mut t = fed(b"\x1b[NT120 L8 CDE\x0e\x1b[|P4\x0e");
    assert_eq!(t.notes_len(), 4);
    let c = t.next_note().unwrap();
    assert!((c.frequency_hz.unwrap() - 1046.5).abs() < 0.01);
    assert_eq!(c.duration_ms + c.gap_ms, 250);
    assert_eq!(t.row_text(0), "", "music is not drawn");
    t.clear_notes();
    let mut t = fed(b"A\r\nB\x1b[1;1H\x1b[MFC\x0e");
    assert_eq!(t.notes_len(), 0);
    assert_eq!(t.row_text(0), "FC♫", "not music: Delete Line, then text over B");
    assert_eq!(t.row_text(1), "");
    // CSI = 2 M: CSI M (without parameters) is music, with an implied M before F.
    t.feed(b"\x1b[=2M\x1b[MFCDE\x0e\x1b[2M");
    assert_eq!(t.notes_len(), 3);
    assert_eq!(t.row_text(0), "", "CSI 2 M (a parameter) is still Delete Line");
    // CSI = 0 M: only CSI |.
    let t = fed(b"\x1b[=0M\x1b[NC\x0e");
    assert_eq!(t.notes_len(), 0);
    assert_eq!(t.row_text(0), "C♫");
    // A byte not allowed in music drops the string; the byte and what follows are drawn.
    let t = fed(b"\x1b[NCDE!F\x0e");
    assert_eq!(t.notes_len(), 0);
    assert_eq!(t.row_text(0), "!F♫");
}

#[test]
fn music_is_bounded() {
    let mut t = Terminal::new(Config { music_capacity: 16, ..Config::default() });
    let mut s = b"\x1b[|".to_vec();
    s.extend(std::iter::repeat_n(b'C', 1_000_000));
    s.push(0x0e);
    t.feed(&s);
    assert_eq!(t.notes_len(), 16);
    assert_eq!(t.row_text(0), "");
}

#[test]
fn oversized_sequences_neither_hang_nor_print_their_tail() {
    let mut t = term();
    let mut s = b"\x1b[".to_vec();
    s.extend(std::iter::repeat_n(b'9', 1 << 20));
    s.extend(b"CX");
    let start = std::time::Instant::now();
    t.feed(&s);
    assert_eq!(t.cell(0, 79).unwrap().glyph, b'X', "CUF saturated to the last column");
    assert_eq!(t.text().trim(), "X", "no digit of the tail drawn");
    assert!(start.elapsed().as_secs_f32() < 1.0);
}

#[test]
fn huge_counts_are_bounded_by_the_screen() {
    let start = std::time::Instant::now();
    let mut t = term();
    for _ in 0..2000 {
        t.feed(
            b"x\x1b[65535b\x1b[65535S\x1b[65535T\x1b[65535L\x1b[65535M\x1b[65535@\x1b[65535P\x1b[65535I\x1b[65535 @",
        );
    }
    assert!(start.elapsed().as_secs_f32() < 10.0);
    assert!(t.scrollback().len() <= 2000);
}

#[test]
fn repeat_the_last_graphic_character() {
    let t = fed(b"ab\x1b[3b\x1b[1m\x1b[b");
    assert_eq!(t.row_text(0), "abbbbb");
    assert_eq!(fed(b"\x1b[5b").row_text(0), "", "nothing to repeat");
}

#[test]
fn strings_and_unknown_sequences_are_consumed() {
    let t = fed(b"\x1bP0;1;0!zABCD\x1b\\1\x1b]4;1;rgb:ff/00/00\x1b\\2\x1b_SyncTERM:VER\x1b\\3\x1b[?1049h4\x1b[>5c5\x1b(B6\x1bZ7");
    assert_eq!(t.row_text(0), "1234567");
}

#[test]
fn reset_and_resize() {
    let mut t = fed(b"\x1b[1;31m\x1b[?33h\x1b[=255h\x1b[5;10r\x1b[3;3HX\x1bc");
    assert_eq!(t.row_text(2), "");
    assert_eq!(t.cursor(), (0, 0));
    assert_eq!(t.attr(), Attr::default());
    assert!(!t.modes().rendition.ice_colors && !t.modes().doorway);
    assert_eq!(t.scroll_region(), (0, 24));
    t.feed(b"hello\x1b[25;80H");
    t.resize(80, 50);
    assert_eq!((t.cols(), t.rows()), (80, 50));
    assert_eq!(t.row_text(0), "hello");
    assert_eq!(t.cursor(), (24, 79));
    t.feed(b"\x1b[255n");
    assert_eq!(replies(&mut t), b"\x1b[50;80R");
    t.resize(3, 2);
    assert_eq!(t.text(), "hel\n\n");
    assert_eq!(t.cursor(), (1, 2));
    t.resize(0, 9999);
    assert_eq!((t.cols(), t.rows()), (1, MAX_SIZE as usize));
}

#[test]
fn dirty_rows_and_generation() {
    let mut t = term();
    t.clear_dirty();
    let g = t.generation();
    t.feed(b"\x1b[3;1Hx");
    assert!(t.is_dirty(2) && !t.is_dirty(0) && !t.is_dirty(3));
    assert_ne!(t.generation(), g);
    t.clear_dirty();
    let g = t.generation();
    t.feed(b"\x1b[5;5H\x1b[s\x1b[u\x1b[6n");
    assert_eq!(t.generation(), g, "moving the cursor changes no cell");
    assert!((0..25).all(|r| !t.is_dirty(r)));
}

#[test]
fn text_maps_cp437_and_trims() {
    let t = fed(b"\xc9\xcd\xbb  \r\n\xb0\xb1\xb2\xdb \x82t\xe9 ");
    assert_eq!(t.row_text(0), "╔═╗");
    assert_eq!(t.row_text(1), "░▒▓█ étΘ");
    assert_eq!(t.text().lines().count(), 25);
}

#[test]
fn a_megabyte_of_ansi_is_fast() {
    let mut art = Vec::new();
    while art.len() < 1 << 20 {
        art.extend(b"\x1b[1;33;44m\xdb\xdb\xb2\xb1\xb0 Hello \x1b[0;36m\xc4\xc4\xc4\x1b[K\x1b[5C\x1b[s\x1b[u\r\n");
    }
    let mut t = term();
    let start = std::time::Instant::now();
    t.feed(&art);
    let took = start.elapsed().as_secs_f32();
    assert!(took < 0.5, "{took} s");
    assert_eq!(t.scrollback().len(), 2000);
}
