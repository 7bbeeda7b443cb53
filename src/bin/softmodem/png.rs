//! PNG files of RGBA8 images (the terminal's screen from `softmodem::terminal::raster`), with the
//! `png` crate (a dependency of the `cli` feature only: the library and the page do without it).
//! This module shares the crate's name: the crate is spelt `::png` here, and elsewhere in the
//! binary this module is `crate::png`.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;

/// Writes `rgba` (4 bytes a pixel, rows top to bottom, `width * height * 4` bytes) to `path` as
/// an 8-bit RGBA PNG, replacing the file if it exists. A buffer of the wrong length, or a zero
/// width or height (PNG has no empty images), is an `InvalidInput` error and leaves `path` alone.
pub fn write_png(path: &Path, width: u32, height: u32, rgba: &[u8]) -> io::Result<()> {
    let want = (width as usize).checked_mul(height as usize).and_then(|n| n.checked_mul(4));
    if width == 0 || height == 0 || want != Some(rgba.len()) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "a {width}x{height} RGBA image is {} bytes, not {}",
                want.map_or_else(|| "too many".to_string(), |n| n.to_string()),
                rgba.len()
            ),
        ));
    }
    let mut out = BufWriter::new(File::create(path)?);
    let mut encoder = ::png::Encoder::new(&mut out, width, height);
    encoder.set_color(::png::ColorType::Rgba);
    encoder.set_depth(::png::BitDepth::Eight);
    let mut writer = encoder.write_header()?;
    writer.write_image_data(rgba)?;
    writer.finish()?;
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;
    use softmodem::terminal::raster::{render, Font, PALETTE};
    use std::io::BufReader;

    /// A path in the temporary directory, unique to this process and `name`.
    fn temp(name: &str) -> std::path::PathBuf {
        std::env::temp_dir().join(format!("softmodem-png-{}-{name}.png", std::process::id()))
    }

    /// The file's width, height, colour type, bit depth and pixels, read back with the png
    /// crate's decoder.
    fn read(path: &Path) -> (u32, u32, ::png::ColorType, ::png::BitDepth, Vec<u8>) {
        let decoder = ::png::Decoder::new(BufReader::new(File::open(path).unwrap()));
        let mut reader = decoder.read_info().unwrap();
        let mut buf = vec![0; reader.output_buffer_size().unwrap()];
        let info = reader.next_frame(&mut buf).unwrap();
        buf.truncate(info.buffer_size());
        (info.width, info.height, info.color_type, info.bit_depth, buf)
    }

    #[test]
    fn writes_what_reads_back() {
        let (w, h) = (5u32, 3u32);
        let rgba: Vec<u8> = (0..w * h * 4).map(|i| (i * 37 % 251) as u8).collect();
        let path = temp("pattern");
        write_png(&path, w, h, &rgba).unwrap();
        let bytes = std::fs::read(&path).unwrap();
        assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
        let got = read(&path);
        std::fs::remove_file(&path).unwrap();
        assert_eq!(got, (w, h, ::png::ColorType::Rgba, ::png::BitDepth::Eight, rgba));
    }

    #[test]
    fn a_rendered_cell_survives_the_round_trip() {
        let rgba = render([(b'A', 14, 1)].into_iter(), 1, 1, &Font::VGA_8X16);
        let path = temp("cell");
        write_png(&path, 8, 16, &rgba).unwrap();
        let (w, h, _, _, got) = read(&path);
        std::fs::remove_file(&path).unwrap();
        assert_eq!((w, h), (8, 16));
        let glyph = Font::VGA_8X16.glyph(b'A');
        for (i, px) in got.chunks(4).enumerate() {
            let (x, y) = (i % 8, i / 8);
            let [r, g, b] = if glyph[y] & (0x80 >> x) != 0 { PALETTE[14] } else { PALETTE[1] };
            assert_eq!(px, [r, g, b, 0xFF], "({x}, {y})");
        }
    }

    #[test]
    fn wrong_length_is_an_error_and_writes_nothing() {
        let path = temp("wrong");
        for (w, h, len) in [(2, 2, 15), (2, 2, 17), (0, 0, 0), (0, 4, 0), (u32::MAX, u32::MAX, 4)] {
            let err = write_png(&path, w, h, &vec![0; len]).unwrap_err();
            assert_eq!(err.kind(), io::ErrorKind::InvalidInput, "{w}x{h}, {len} bytes");
        }
        assert!(!path.exists());
    }
}
