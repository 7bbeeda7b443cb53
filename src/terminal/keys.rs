//! Keyboard encoding: what a key sends to the far end.
//!
//! In ANSI-BBS mode the sequences are SyncTERM's (as `cterm.adoc` lists them: the arrows
//! `ESC [ A`-`D`, Home `ESC [ H`, End `ESC [ K`, Page Up `ESC [ V`, Page Down `ESC [ U`, Insert
//! `ESC [ @`, Delete DEL, F1-F12 `ESC [ 11 ~` ... `ESC [ 24 ~`, back tab `ESC [ Z`). In DoorWay
//! mode (`CSI = 255 h`) the keys that have no character are sent as NUL and the IBM PC keyboard
//! scan code.

use super::cp437;

/// A key the user pressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    /// Cursor up.
    Up,
    /// Cursor down.
    Down,
    /// Cursor left.
    Left,
    /// Cursor right.
    Right,
    /// Home.
    Home,
    /// End.
    End,
    /// Page Up.
    PageUp,
    /// Page Down.
    PageDown,
    /// Insert.
    Insert,
    /// Delete.
    Delete,
    /// Function key 1-12 (others send nothing).
    F(u8),
    /// A character, sent in code page 437 (nothing if it has none).
    Char(char),
    /// Enter: CR.
    Enter,
    /// Backspace: BS, or DEL when the far end asked for it (`CSI ? 67 l`).
    Backspace,
    /// Tab: HT.
    Tab,
    /// Shift+Tab.
    BackTab,
    /// Escape: ESC.
    Escape,
}

/// The bytes one key sends (at most 8).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct KeyBytes {
    buf: [u8; 8],
    len: u8,
}

impl KeyBytes {
    fn from(s: &[u8]) -> Self {
        let mut k = KeyBytes::default();
        k.buf[..s.len()].copy_from_slice(s);
        k.len = s.len() as u8;
        k
    }

    /// The bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.buf[..self.len as usize]
    }
}

/// How keys are encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyModes {
    /// DoorWay mode: scan codes after NUL.
    pub doorway: bool,
    /// Backspace sends BS (`CSI ? 67 h`, the default) rather than DEL.
    pub backspace_sends_bs: bool,
}

impl Default for KeyModes {
    fn default() -> Self {
        KeyModes { doorway: false, backspace_sends_bs: true }
    }
}

/// The IBM PC keyboard scan code of a key without a character, for DoorWay mode.
fn scan_code(key: Key) -> Option<u8> {
    Some(match key {
        Key::Up => 0x48,
        Key::Down => 0x50,
        Key::Left => 0x4B,
        Key::Right => 0x4D,
        Key::Home => 0x47,
        Key::End => 0x4F,
        Key::PageUp => 0x49,
        Key::PageDown => 0x51,
        Key::Insert => 0x52,
        Key::Delete => 0x53,
        Key::BackTab => 0x0F,
        Key::F(n @ 1..=10) => 0x3A + n,
        Key::F(11) => 0x85,
        Key::F(12) => 0x86,
        _ => return None,
    })
}

/// What `key` sends under `modes`.
pub fn encode(key: Key, modes: KeyModes) -> KeyBytes {
    if modes.doorway {
        if let Some(code) = scan_code(key) {
            return KeyBytes::from(&[0, code]);
        }
    }
    const F: [&[u8]; 12] = [
        b"\x1b[11~",
        b"\x1b[12~",
        b"\x1b[13~",
        b"\x1b[14~",
        b"\x1b[15~",
        b"\x1b[17~",
        b"\x1b[18~",
        b"\x1b[19~",
        b"\x1b[20~",
        b"\x1b[21~",
        b"\x1b[23~",
        b"\x1b[24~",
    ];
    KeyBytes::from(match key {
        Key::Up => b"\x1b[A",
        Key::Down => b"\x1b[B",
        Key::Right => b"\x1b[C",
        Key::Left => b"\x1b[D",
        Key::Home => b"\x1b[H",
        Key::End => b"\x1b[K",
        Key::PageUp => b"\x1b[V",
        Key::PageDown => b"\x1b[U",
        Key::Insert => b"\x1b[@",
        Key::Delete => b"\x7f",
        Key::BackTab => b"\x1b[Z",
        Key::F(n @ 1..=12) => F[n as usize - 1],
        Key::F(_) => b"",
        Key::Enter => b"\r",
        Key::Backspace if modes.backspace_sends_bs => b"\x08",
        Key::Backspace => b"\x7f",
        Key::Tab => b"\t",
        Key::Escape => b"\x1b",
        Key::Char(c) => return cp437::from_char(c).map(|b| KeyBytes::from(&[b])).unwrap_or_default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ansi(k: Key) -> Vec<u8> {
        encode(k, KeyModes::default()).as_bytes().to_vec()
    }

    fn door(k: Key) -> Vec<u8> {
        encode(k, KeyModes { doorway: true, ..KeyModes::default() }).as_bytes().to_vec()
    }

    #[test]
    fn ansi_bbs_sequences_as_syncterm_sends_them() {
        assert_eq!(ansi(Key::Up), b"\x1b[A");
        assert_eq!(ansi(Key::Down), b"\x1b[B");
        assert_eq!(ansi(Key::Right), b"\x1b[C");
        assert_eq!(ansi(Key::Left), b"\x1b[D");
        assert_eq!(ansi(Key::Home), b"\x1b[H");
        assert_eq!(ansi(Key::End), b"\x1b[K");
        assert_eq!(ansi(Key::PageUp), b"\x1b[V");
        assert_eq!(ansi(Key::PageDown), b"\x1b[U");
        assert_eq!(ansi(Key::Insert), b"\x1b[@");
        assert_eq!(ansi(Key::Delete), b"\x7f");
        assert_eq!(ansi(Key::F(1)), b"\x1b[11~");
        assert_eq!(ansi(Key::F(5)), b"\x1b[15~");
        assert_eq!(ansi(Key::F(6)), b"\x1b[17~");
        assert_eq!(ansi(Key::F(10)), b"\x1b[21~");
        assert_eq!(ansi(Key::F(11)), b"\x1b[23~");
        assert_eq!(ansi(Key::F(12)), b"\x1b[24~");
        assert_eq!(ansi(Key::F(13)), b"");
        assert_eq!(ansi(Key::Enter), b"\r");
        assert_eq!(ansi(Key::Backspace), b"\x08");
        assert_eq!(
            encode(Key::Backspace, KeyModes { backspace_sends_bs: false, ..KeyModes::default() }).as_bytes(),
            b"\x7f"
        );
        assert_eq!(ansi(Key::Char('é')), [0x82]);
        assert_eq!(ansi(Key::Char('€')), b"");
        assert_eq!(ansi(Key::BackTab), b"\x1b[Z");
    }

    #[test]
    fn doorway_sends_scan_codes() {
        assert_eq!(door(Key::Up), [0, 0x48]);
        assert_eq!(door(Key::Left), [0, 0x4B]);
        assert_eq!(door(Key::Delete), [0, 0x53]);
        assert_eq!(door(Key::F(1)), [0, 0x3B]);
        assert_eq!(door(Key::F(10)), [0, 0x44]);
        assert_eq!(door(Key::F(12)), [0, 0x86]);
        assert_eq!(door(Key::Char('a')), b"a");
        assert_eq!(door(Key::Enter), b"\r");
    }
}
