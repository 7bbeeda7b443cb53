//! `softmodem ansi FILE [--cols N] [--rows N] [--ice] [--png OUT.png]`: an ANSI-BBS file through
//! the terminal, the final screen printed as UTF-8 text, or drawn with the page's font into a PNG.

use crate::args::Args;
use crate::Failure;
use softmodem::terminal::raster::Font;
use softmodem::terminal::{Config, Pixels, Terminal, MAX_SIZE};
use std::path::Path;

/// The bytes of an ANSI file that are drawn: up to the first SUB (0x1A), DOS's end-of-file mark,
/// after which an art file's SAUCE record follows.
pub fn content(file: &[u8]) -> &[u8] {
    match file.iter().position(|&b| b == 0x1A) {
        Some(end) => &file[..end],
        None => file,
    }
}

/// `softmodem ansi`.
pub fn ansi(argv: &[String]) -> Result<(), Failure> {
    let args = Args::parse(argv, &["cols", "rows", "png"], &["ice"])?;
    let [path] = args.positional.as_slice() else {
        return Err(Failure::Usage("ansi: one FILE expected (- for stdin)".into()));
    };
    let size = |name: &str, default: u16| -> Result<u16, Failure> {
        let n: u16 = args.num(name, default)?;
        if n == 0 || n > MAX_SIZE {
            return Err(Failure::Usage(format!("--{name} {n}: must be between 1 and {MAX_SIZE}")));
        }
        Ok(n)
    };
    let config =
        Config { cols: size("cols", 80)?, rows: size("rows", 25)?, ice_colors: args.flag("ice"), ..Config::default() };
    let file = crate::read_input(path)?;
    let mut t = Terminal::new(config);
    t.feed(content(&file));
    match args.get("png") {
        Some(out) => write_png(&mut t, Path::new(out)),
        None => {
            print!("{}", t.text());
            Ok(())
        }
    }
}

/// The screen drawn with the VGA 8x16 font as the page draws it (blinking characters shown in
/// their visible phase).
fn write_png(t: &mut Terminal, out: &Path) -> Result<(), Failure> {
    let mut pixels = Pixels::new(t, Font::VGA_8X16);
    pixels.render(t, true);
    let (w, h) = (pixels.width() as u32, pixels.height() as u32);
    crate::png::write_png(out, w, h, pixels.rgba()).map_err(|e| Failure::Run(format!("{}: {e}", out.display())))
}
