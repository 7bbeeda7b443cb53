//! Character attributes and Select Graphic Rendition (SGR, `CSI Ps... m`).
//!
//! An attribute is the PC's: a foreground and a background colour of the eight CGA colours, a
//! bold (bright foreground) bit and a blink bit, plus negative image. How they become the 16
//! palette indices a renderer draws is decided by the modes ([`RenditionModes`]): with iCE colours
//! (`CSI ? 33 h`) the blink bit selects the bright background instead of blinking.

/// The CGA colour indices, in the PC's order (brown, not dark yellow, at 6).
pub mod color {
    /// Black.
    pub const BLACK: u8 = 0;
    /// Blue.
    pub const BLUE: u8 = 1;
    /// Green.
    pub const GREEN: u8 = 2;
    /// Cyan.
    pub const CYAN: u8 = 3;
    /// Red.
    pub const RED: u8 = 4;
    /// Magenta.
    pub const MAGENTA: u8 = 5;
    /// Brown (bright: yellow).
    pub const BROWN: u8 = 6;
    /// Light grey (bright: white).
    pub const LIGHT_GREY: u8 = 7;
    /// Added to a colour for its bright variant.
    pub const BRIGHT: u8 = 8;
}

/// The CGA palette as RGB, indexed by the colour indices of [`color`] (0-15).
pub const CGA_PALETTE: [[u8; 3]; 16] = [
    [0x00, 0x00, 0x00],
    [0x00, 0x00, 0xAA],
    [0x00, 0xAA, 0x00],
    [0x00, 0xAA, 0xAA],
    [0xAA, 0x00, 0x00],
    [0xAA, 0x00, 0xAA],
    [0xAA, 0x55, 0x00],
    [0xAA, 0xAA, 0xAA],
    [0x55, 0x55, 0x55],
    [0x55, 0x55, 0xFF],
    [0x55, 0xFF, 0x55],
    [0x55, 0xFF, 0xFF],
    [0xFF, 0x55, 0x55],
    [0xFF, 0x55, 0xFF],
    [0xFF, 0xFF, 0x55],
    [0xFF, 0xFF, 0xFF],
];

/// ANSI colour numbers (SGR 30-37 minus 30) to CGA indices: ANSI counts red as 1, the PC blue.
const ANSI_TO_CGA: [u8; 8] = [0, 4, 2, 6, 1, 5, 3, 7];

/// One character's attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Attr {
    /// Foreground colour, a CGA index 0-7.
    pub fg: u8,
    /// Background colour, a CGA index 0-7.
    pub bg: u8,
    /// Bright intensity (SGR 1): the bright variant of the foreground.
    pub bold: bool,
    /// Blink (SGR 5, 6): blinking, or with iCE colours the bright background.
    pub blink: bool,
    /// Negative image (SGR 7): foreground and background exchanged when drawn.
    pub reverse: bool,
}

impl Default for Attr {
    /// Light grey on black, as SGR 0 leaves it.
    fn default() -> Self {
        Attr { fg: color::LIGHT_GREY, bg: color::BLACK, bold: false, blink: false, reverse: false }
    }
}

/// The modes that decide how an [`Attr`] is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RenditionModes {
    /// iCE colours (`CSI ? 33 h`): blink selects a bright background and nothing blinks.
    pub ice_colors: bool,
    /// Bright intensity disabled (`CSI ? 32 h`): bold does not brighten the foreground.
    pub bright_disabled: bool,
    /// Blink disabled (`CSI ? 35 h`): the blink bit does not make characters blink.
    pub blink_disabled: bool,
}

/// What a renderer draws for one cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rendition {
    /// The code page 437 byte whose glyph is drawn.
    pub glyph: u8,
    /// Foreground palette index, 0-15.
    pub fg: u8,
    /// Background palette index, 0-15.
    pub bg: u8,
    /// True when the glyph blinks.
    pub blink: bool,
}

impl Attr {
    /// The foreground and background palette indices (0-15) and the blink flag under `modes`.
    ///
    /// Negative image exchanges the two colours and leaves the intensity bits where they are, as
    /// the PC's attribute byte does.
    pub fn resolve(self, modes: RenditionModes) -> (u8, u8, bool) {
        let (f, b) = if self.reverse { (self.bg, self.fg) } else { (self.fg, self.bg) };
        let fg = (f & 7) | if self.bold && !modes.bright_disabled { color::BRIGHT } else { 0 };
        let bg = (b & 7) | if self.blink && modes.ice_colors { color::BRIGHT } else { 0 };
        (fg, bg, self.blink && !modes.ice_colors && !modes.blink_disabled)
    }

    /// Applies one SGR parameter list (`params`, absent parameters as `None`) in order.
    /// `ice_colors` tells whether bright backgrounds (SGR 100-107) have an effect.
    ///
    /// As CTerm documents it: 0 resets to light grey on black; 1 bright; 2 and 22 normal
    /// intensity; 5 and 6 blink, 25 steady; 7 negative, 27 positive; 8 concealed sets the
    /// foreground to the background colour; 30-37 and 40-47 colours, 39 and 49 the defaults;
    /// 90-97 a colour and bright; 100-107 (with iCE colours only) a background and the blink bit;
    /// 38 and 48 (palette `5;n` or direct `2;r;g;b`) are skipped with their arguments. All others
    /// are ignored.
    pub fn apply_sgr(&mut self, params: &[Option<u16>], ice_colors: bool) {
        if params.is_empty() {
            *self = Attr::default();
            return;
        }
        let mut i = 0;
        while i < params.len() {
            let p = params[i].unwrap_or(0);
            i += 1;
            match p {
                0 => *self = Attr::default(),
                1 => self.bold = true,
                2 | 22 => self.bold = false,
                5 | 6 => self.blink = true,
                25 => self.blink = false,
                7 => self.reverse = true,
                27 => self.reverse = false,
                8 => self.fg = self.bg,
                30..=37 => self.fg = ANSI_TO_CGA[(p - 30) as usize],
                39 => self.fg = color::LIGHT_GREY,
                40..=47 => self.bg = ANSI_TO_CGA[(p - 40) as usize],
                49 => self.bg = color::BLACK,
                90..=97 => {
                    self.fg = ANSI_TO_CGA[(p - 90) as usize];
                    self.bold = true;
                }
                100..=107 if ice_colors => {
                    self.bg = ANSI_TO_CGA[(p - 100) as usize];
                    self.blink = true;
                }
                38 | 48 => {
                    i += match params.get(i).copied().flatten() {
                        Some(5) => 2,
                        Some(2) => 4,
                        _ => 0,
                    };
                }
                _ => {}
            }
        }
    }
}
