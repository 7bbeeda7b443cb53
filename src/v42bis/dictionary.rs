//! The V.42bis dictionary (clause 6, 7.2 to 7.5 of the Recommendation): a forest of 256 trees,
//! one per character, whose nodes are the strings, and the string-matching procedure both the
//! encoder and the decoder run over it.
//!
//! Nodes live in fixed arrays sized once from N2 (no allocation per character). Node numbers are
//! the codewords: 0, 1 and 2 are the control codewords (never nodes), 3..=258 the roots (the
//! single characters 0..=255), N5 = 259 and up the strings of two or more characters.

use super::{Params, N5, N6};

/// "No node": 0 is the ETM control codeword, never a node.
pub(crate) const NONE: u16 = 0;

/// The dictionary: a trie kept as parent / first child / next sibling links.
#[derive(Clone, Debug)]
pub(crate) struct Dictionary {
    parent: Box<[u16]>,
    first_child: Box<[u16]>,
    next_sibling: Box<[u16]>,
    ch: Box<[u8]>,
    /// The string's length; 0 for an empty entry.
    depth: Box<[u8]>,
    /// N2, the number of codewords.
    n2: u16,
    /// N7, the longest string.
    n7: u8,
    /// C1, the next dictionary entry to try when a string is added.
    c1: u16,
}

impl Dictionary {
    /// An initialised dictionary for these parameters.
    pub(crate) fn new(params: &Params) -> Self {
        let n = params.n2() as usize;
        let mut d = Self {
            parent: vec![NONE; n].into_boxed_slice(),
            first_child: vec![NONE; n].into_boxed_slice(),
            next_sibling: vec![NONE; n].into_boxed_slice(),
            ch: vec![0; n].into_boxed_slice(),
            depth: vec![0; n].into_boxed_slice(),
            n2: params.n2(),
            n7: params.n7(),
            c1: N5,
        };
        d.reset();
        d
    }

    /// Back to the initial state (7.2): only the roots, C1 = N5.
    pub(crate) fn reset(&mut self) {
        self.parent.fill(NONE);
        self.first_child.fill(NONE);
        self.next_sibling.fill(NONE);
        self.depth.fill(0);
        for c in 0..=255u8 {
            let r = Self::root(c) as usize;
            self.ch[r] = c;
            self.depth[r] = 1;
        }
        self.c1 = N5;
    }

    /// The root node (and codeword) of a single character.
    pub(crate) fn root(c: u8) -> u16 {
        c as u16 + N6
    }

    /// Whether `code` names a string now in the dictionary.
    pub(crate) fn is_string(&self, code: u16) -> bool {
        code >= N6 && code < self.n2 && self.depth[code as usize] != 0
    }

    /// The length of a node's string.
    pub(crate) fn depth(&self, node: u16) -> u8 {
        self.depth[node as usize]
    }

    /// The child of `node` extending its string by `c`, if there is one.
    pub(crate) fn child(&self, node: u16, c: u8) -> Option<u16> {
        let mut k = self.first_child[node as usize];
        while k != NONE {
            if self.ch[k as usize] == c {
                return Some(k);
            }
            k = self.next_sibling[k as usize];
        }
        None
    }

    /// Writes the string of `node` into `buf` (at least N7 long) and returns its length.
    pub(crate) fn string(&self, node: u16, buf: &mut [u8]) -> usize {
        let len = self.depth[node as usize] as usize;
        let mut k = node;
        for i in (0..len).rev() {
            buf[i] = self.ch[k as usize];
            k = self.parent[k as usize];
        }
        len
    }

    /// Adds the string of `parent` followed by `c` (7.5, 7.6): not if that string would be
    /// longer than N7 or is already there. The entry is the first at or after C1 (cycling from
    /// N2 - 1 back to N5) that is empty or a leaf node other than `parent`; a leaf is first
    /// detached from its parent (the recovery of a dictionary entry). Returns the new node.
    pub(crate) fn add(&mut self, parent: u16, c: u8) -> Option<u16> {
        if self.depth[parent as usize] >= self.n7 || self.child(parent, c).is_some() {
            return None;
        }
        let n = self.c1;
        if self.depth[n as usize] != 0 {
            // Nothing could be recovered.
            return None;
        }
        self.link(n, parent, c);
        self.prepare_next();
        Some(n)
    }

    /// Moves C1 on to the next entry a string can go to: an empty one or, the dictionary full, a
    /// leaf node, recovered now (detached from its parent).
    fn prepare_next(&mut self) {
        let span = self.n2 - N5;
        for _ in 0..span {
            self.c1 = if self.c1 + 1 >= self.n2 { N5 } else { self.c1 + 1 };
            let i = self.c1 as usize;
            if self.depth[i] == 0 {
                return;
            }
            if self.first_child[i] == NONE {
                self.detach(self.c1);
                return;
            }
        }
    }

    fn link(&mut self, n: u16, parent: u16, c: u8) {
        let (i, p) = (n as usize, parent as usize);
        self.parent[i] = parent;
        self.ch[i] = c;
        self.depth[i] = self.depth[p] + 1;
        self.first_child[i] = NONE;
        self.next_sibling[i] = self.first_child[p];
        self.first_child[p] = n;
    }

    /// Removes a leaf node from its parent's children.
    fn detach(&mut self, n: u16) {
        let p = self.parent[n as usize] as usize;
        let next = self.next_sibling[n as usize];
        if self.first_child[p] == n {
            self.first_child[p] = next;
        } else {
            let mut k = self.first_child[p];
            while k != NONE {
                if self.next_sibling[k as usize] == n {
                    self.next_sibling[k as usize] = next;
                    break;
                }
                k = self.next_sibling[k as usize];
            }
        }
        self.depth[n as usize] = 0;
        self.next_sibling[n as usize] = NONE;
        self.parent[n as usize] = NONE;
    }
}

/// The string-matching procedure (7.4, 7.5), shared by the encoder and, to keep its dictionary
/// the same, the decoder: the string matched so far and the entry created last, which may not be
/// matched until another one is created.
#[derive(Clone, Debug, Default)]
pub(crate) struct Matcher {
    /// The node of the string matched so far; [`NONE`] before the first character.
    pub(crate) cur: u16,
    /// The most recently created entry.
    pub(crate) last_created: u16,
    /// The string matched so far has been sent already (FLUSH, ETM): the next character ends it.
    pub(crate) sent: bool,
}

impl Matcher {
    /// No string matched, nothing created.
    pub(crate) fn clear(&mut self) {
        self.cur = NONE;
        self.last_created = NONE;
        self.sent = false;
    }

    /// Extends the string by `c` if the dictionary has it (and it is not the entry just created,
    /// and the string is shorter than N7); else ends the string: adds it followed by `c` to the
    /// dictionary, starts a new string with `c` and returns the ended string's codeword.
    pub(crate) fn feed(&mut self, d: &mut Dictionary, c: u8) -> Option<u16> {
        if self.cur == NONE {
            self.cur = Dictionary::root(c);
            self.sent = false;
            return None;
        }
        if self.sent {
            self.terminate(d, c);
            return None;
        }
        if let Some(k) = self.extension(d, c) {
            self.cur = k;
            return None;
        }
        Some(self.terminate(d, c))
    }

    /// The node extending the current string by `c`, if matching may go on to it.
    pub(crate) fn extension(&self, d: &Dictionary, c: u8) -> Option<u16> {
        if d.depth(self.cur) >= d.n7 {
            return None;
        }
        d.child(self.cur, c).filter(|&k| k != self.last_created)
    }

    /// Ends the current string (there is one) before `c`: returns its codeword.
    pub(crate) fn terminate(&mut self, d: &mut Dictionary, c: u8) -> u16 {
        let out = self.cur;
        self.sent = false;
        if d.depth(out) >= d.n7 {
            // A string of N7 characters creates nothing and ends the bar on the entry created
            // last (as spandsp behaves; see tests/spandsp_v42bis.rs).
            self.last_created = NONE;
        } else if let Some(n) = d.add(out, c) {
            self.last_created = n;
        }
        self.cur = Dictionary::root(c);
        out
    }

    /// The string matched so far goes out now (FLUSH, ETM): its codeword, unless there is none or
    /// it went already. The dictionary is still updated with it and the next character, which
    /// ends it.
    pub(crate) fn send_now(&mut self) -> Option<u16> {
        if self.cur == NONE || self.sent {
            return None;
        }
        self.sent = true;
        Some(self.cur)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roots_and_adding() {
        let p = Params::new(512, 6).unwrap();
        let mut d = Dictionary::new(&p);
        let a = Dictionary::root(b'a');
        assert_eq!(a, 100);
        assert!(d.is_string(a) && !d.is_string(N5) && !d.is_string(2));
        let ab = d.add(a, b'b').unwrap();
        assert_eq!(ab, N5);
        assert_eq!(d.add(a, b'b'), None);
        assert_eq!(d.child(a, b'b'), Some(ab));
        let mut buf = [0; 8];
        let n = d.string(ab, &mut buf);
        assert_eq!(&buf[..n], b"ab");
    }

    #[test]
    fn full_dictionary_recovers_leaves_and_keeps_strings_short() {
        let p = Params::new(512, 6).unwrap();
        let mut d = Dictionary::new(&p);
        // Distinct two-character strings, ten times what fits: each one is added, leaves recovered.
        for i in 0..2530u32 {
            let n = d.add(Dictionary::root(i as u8), (i / 256) as u8).unwrap();
            assert_eq!(d.depth(n), 2);
        }
        // All but one: C1 is kept at an empty entry, a leaf recovered ahead of need.
        assert_eq!((N5..512).filter(|&k| d.is_string(k)).count(), 512 - N5 as usize - 1);
        // Strings never longer than N7.
        let mut node = Dictionary::root(1);
        for i in 0..100u8 {
            match d.add(node, i) {
                Some(n) => node = n,
                None => assert_eq!(d.depth(node), 6),
            }
        }
        let mut buf = [0; 8];
        for k in N5..512 {
            if d.is_string(k) {
                assert!(d.string(k, &mut buf) <= 6);
            }
        }
    }
}
