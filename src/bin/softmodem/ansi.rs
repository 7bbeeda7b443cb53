//! `softmodem ansi FILE [--cols N] [--rows N] [--ice]`: an ANSI-BBS file through the terminal,
//! the final screen printed as UTF-8 text.

use crate::args::Args;
use crate::Failure;
use softmodem::terminal::{Config, Terminal, MAX_SIZE};

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
    let args = Args::parse(argv, &["cols", "rows"], &["ice"])?;
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
    print!("{}", t.text());
    Ok(())
}
