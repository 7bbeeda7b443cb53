//! Code page 437: the character set of the IBM PC, for all 256 byte values.
//!
//! Bytes 0x20-0x7E are ASCII. Bytes 0x01-0x1F and 0x7F have glyphs on the PC (faces, card suits,
//! arrows, the house ⌂); a byte that is not acted on as a control is drawn with its glyph. Byte
//! 0x00 is blank and 0xFF a no-break space.

/// The Unicode character shown for each byte value.
pub const CP437: [char; 256] = [
    ' ', '☺', '☻', '♥', '♦', '♣', '♠', '•', '◘', '○', '◙', '♂', '♀', '♪', '♫', '☼', // 0x00
    '►', '◄', '↕', '‼', '¶', '§', '▬', '↨', '↑', '↓', '→', '←', '∟', '↔', '▲', '▼', // 0x10
    ' ', '!', '"', '#', '$', '%', '&', '\'', '(', ')', '*', '+', ',', '-', '.', '/', // 0x20
    '0', '1', '2', '3', '4', '5', '6', '7', '8', '9', ':', ';', '<', '=', '>', '?', // 0x30
    '@', 'A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I', 'J', 'K', 'L', 'M', 'N', 'O', // 0x40
    'P', 'Q', 'R', 'S', 'T', 'U', 'V', 'W', 'X', 'Y', 'Z', '[', '\\', ']', '^', '_', // 0x50
    '`', 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm', 'n', 'o', // 0x60
    'p', 'q', 'r', 's', 't', 'u', 'v', 'w', 'x', 'y', 'z', '{', '|', '}', '~', '⌂', // 0x70
    'Ç', 'ü', 'é', 'â', 'ä', 'à', 'å', 'ç', 'ê', 'ë', 'è', 'ï', 'î', 'ì', 'Ä', 'Å', // 0x80
    'É', 'æ', 'Æ', 'ô', 'ö', 'ò', 'û', 'ù', 'ÿ', 'Ö', 'Ü', '¢', '£', '¥', '₧', 'ƒ', // 0x90
    'á', 'í', 'ó', 'ú', 'ñ', 'Ñ', 'ª', 'º', '¿', '⌐', '¬', '½', '¼', '¡', '«', '»', // 0xA0
    '░', '▒', '▓', '│', '┤', '╡', '╢', '╖', '╕', '╣', '║', '╗', '╝', '╜', '╛', '┐', // 0xB0
    '└', '┴', '┬', '├', '─', '┼', '╞', '╟', '╚', '╔', '╩', '╦', '╠', '═', '╬', '╧', // 0xC0
    '╨', '╤', '╥', '╙', '╘', '╒', '╓', '╫', '╪', '┘', '┌', '█', '▄', '▌', '▐', '▀', // 0xD0
    'α', 'ß', 'Γ', 'π', 'Σ', 'σ', 'µ', 'τ', 'Φ', 'Θ', 'Ω', 'δ', '∞', 'φ', 'ε', '∩', // 0xE0
    '≡', '±', '≥', '≤', '⌠', '⌡', '÷', '≈', '°', '∙', '·', '√', 'ⁿ', '²', '■', '\u{a0}', // 0xF0
];

/// The Unicode character shown for byte `b`.
pub fn to_char(b: u8) -> char {
    CP437[b as usize]
}

/// The byte whose glyph is `c`, if code page 437 has it. Control characters (U+0000-U+001F,
/// U+007F) map to their own byte values, so a keyboard's control keys encode as themselves.
pub fn from_char(c: char) -> Option<u8> {
    let u = c as u32;
    if u < 0x80 {
        return Some(u as u8);
    }
    CP437.iter().position(|&x| x == c).map(|i| i as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_glyphs_and_house() {
        let want = "☺☻♥♦♣♠•◘○◙♂♀♪♫☼►◄↕‼¶§▬↨↑↓→←∟↔▲▼";
        for (i, c) in want.chars().enumerate() {
            assert_eq!(to_char(i as u8 + 1), c, "byte {:#04x}", i + 1);
        }
        assert_eq!(to_char(0x7F), '⌂');
        assert_eq!(to_char(b'A'), 'A');
        assert_eq!(to_char(0xB0), '░');
        assert_eq!(to_char(0xDB), '█');
        assert_eq!(to_char(0xE1), 'ß');
    }

    #[test]
    fn every_glyph_but_the_blanks_is_distinct_and_round_trips() {
        for b in 0x80..=0xFFu8 {
            assert_eq!(from_char(to_char(b)), Some(b), "byte {b:#04x}");
        }
        assert_eq!(from_char('é'), Some(0x82));
        assert_eq!(from_char('€'), None);
        assert_eq!(from_char('\r'), Some(13));
    }
}
