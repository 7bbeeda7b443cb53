//! ZMODEM's auto-start, as a terminal does it: the far end's sender announces itself with a
//! ZRQINIT header (`**`, ZDLE, `B00...`), a receiver waiting for an upload with a ZRINIT
//! (`**`, ZDLE, `B01...`); a terminal that sees either takes the line for a transfer (the ZMODEM
//! paper's "AutoDownload").

/// What the far end started.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Start {
    /// The far end sends (ZRQINIT): receive.
    Download,
    /// The far end receives (ZRINIT): send.
    Upload,
}

const PREFIX: &[u8] = b"**\x18B0";

/// Watches a terminal's incoming octets for a ZMODEM start.
#[derive(Debug, Clone, Default)]
pub struct Autostart {
    matched: usize,
}

impl Autostart {
    /// A watcher that has seen nothing.
    pub fn new() -> Autostart {
        Autostart::default()
    }

    /// Takes one octet; says when it completes a ZRQINIT or ZRINIT start.
    pub fn push(&mut self, b: u8) -> Option<Start> {
        if self.matched == PREFIX.len() {
            self.matched = 0;
            return match b {
                b'0' => Some(Start::Download),
                b'1' => Some(Start::Upload),
                _ => self.push(b),
            };
        }
        if b == PREFIX[self.matched] {
            self.matched += 1;
        } else {
            // Only `*` can restart the pattern (`**` then a third `*` keeps two).
            self.matched = match (b, self.matched) {
                (b'*', 2) => 2,
                (b'*', _) => 1,
                _ => 0,
            };
        }
        None
    }

    /// Scans `data`; the first start found and the index just after it (the octets before it
    /// are the terminal's, those after it the transfer's).
    pub fn scan(&mut self, data: &[u8]) -> Option<(Start, usize)> {
        data.iter().enumerate().find_map(|(i, &b)| self.push(b).map(|s| (s, i + 1)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_starts_anywhere() {
        let mut a = Autostart::new();
        assert_eq!(a.scan(b"menu> rz\r***\x18B00000000000000\r\x8a\x11"), Some((Start::Download, 16)));
        let mut a = Autostart::new();
        assert_eq!(a.scan(b"**\x18B0"), None, "split across reads");
        assert_eq!(a.scan(b"100000023be50"), Some((Start::Upload, 1)));
        let mut a = Autostart::new();
        assert_eq!(a.scan(b"**\x18B02 ** B00 *\x18B00"), None, "ZSINIT, or no ZDLE");
        assert_eq!(a.scan(b"plain text * with stars **"), None);
    }
}
