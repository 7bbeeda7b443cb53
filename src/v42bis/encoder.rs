//! The V.42bis encoder (7.4 to 7.9): string matching, codewords packed least significant bit
//! first, STEPUP, FLUSH, and the switches between compressed and transparent mode.

use super::dictionary::{Dictionary, Matcher};
use super::{Params, C2_INITIAL, ECM, EID, ESCAPE_INITIAL, ESCAPE_STEP, ETM, FLUSH, RESET, STEPUP};

/// Characters over which the encoder compares the two modes (the compression test).
const WINDOW: u32 = 256;

/// The V.42bis encoder for one direction.
#[derive(Clone, Debug)]
pub struct Encoder {
    params: Params,
    dict: Dictionary,
    matcher: Matcher,
    /// C2: the codeword size in bits.
    c2: u32,
    /// C3: the first codeword value that needs a STEPUP first.
    c3: u32,
    bits: u32,
    nbits: u32,
    escape: u8,
    transparent: bool,
    /// What the characters of this window took (or would take) in each mode, in bits.
    compressed_bits: u32,
    transparent_bits: u32,
    window: u32,
    /// Whether the encoder may change mode by itself.
    dynamic: bool,
    /// Before the first string: the encoder goes to compressed mode there.
    starting: bool,
}

impl Encoder {
    /// An encoder with an initial dictionary, in transparent mode (as both ends start); it goes to
    /// compressed mode after the first character unless [`Encoder::set_dynamic`] said otherwise.
    pub fn new(params: Params) -> Self {
        Self {
            params,
            dict: Dictionary::new(&params),
            matcher: Matcher::default(),
            c2: C2_INITIAL,
            c3: 1 << C2_INITIAL,
            bits: 0,
            nbits: 0,
            escape: ESCAPE_INITIAL,
            transparent: true,
            compressed_bits: 0,
            transparent_bits: 0,
            window: 0,
            dynamic: true,
            starting: true,
        }
    }

    /// The parameters.
    pub fn params(&self) -> Params {
        self.params
    }

    /// Whether the encoder is in transparent mode.
    pub fn is_transparent(&self) -> bool {
        self.transparent
    }

    /// Lets the encoder choose the mode by the compression test (the default), or keeps it in the
    /// mode it is in.
    pub fn set_dynamic(&mut self, dynamic: bool) {
        self.dynamic = dynamic;
    }

    /// Encodes `input`, handing the octets to send to `out`. The last codeword may stay in part
    /// inside the encoder until more data or [`Encoder::flush`].
    pub fn encode(&mut self, input: &[u8], out: &mut impl FnMut(u8)) {
        for &c in input {
            if let Some(code) = self.matcher.feed(&mut self.dict, c) {
                self.compressed_bits += self.c2;
                if !self.transparent {
                    self.send(code as u32, out);
                }
                // Between strings: the mode may change here, `c` being the next string's first.
                if self.dynamic && (self.window >= WINDOW || self.starting) {
                    self.test_compression(out);
                }
            }
            let escaped = c == self.escape;
            if self.transparent {
                out(c);
                if escaped {
                    out(EID);
                }
            }
            if escaped {
                self.escape = self.escape.wrapping_add(ESCAPE_STEP);
            }
            self.transparent_bits += if escaped { 16 } else { 8 };
            self.window += 1;
        }
    }

    /// Sends everything given so far (7.9): the codeword of the string matched so far, FLUSH and
    /// padding to the octet's end. Nothing in transparent mode, where every octet is already out.
    pub fn flush(&mut self, out: &mut impl FnMut(u8)) {
        if self.transparent {
            return;
        }
        if let Some(code) = self.matcher.send_now() {
            self.send(code as u32, out);
            self.put(FLUSH as u32, out);
            self.align(out);
        }
    }

    /// Goes to transparent mode (7.8.1): the codeword of the string matched so far, ETM, padding.
    pub fn enter_transparent(&mut self, out: &mut impl FnMut(u8)) {
        if self.transparent {
            return;
        }
        if let Some(code) = self.matcher.send_now() {
            self.send(code as u32, out);
        }
        self.etm(out);
    }

    fn etm(&mut self, out: &mut impl FnMut(u8)) {
        self.put(ETM as u32, out);
        self.align(out);
        self.transparent = true;
    }

    /// Goes to compressed mode (7.8.2): the escape character and ECM. The string matched so far
    /// went out as octets: the next character ends it.
    pub fn enter_compressed(&mut self, out: &mut impl FnMut(u8)) {
        if !self.transparent {
            return;
        }
        self.matcher.send_now();
        self.ecm(out);
    }

    fn ecm(&mut self, out: &mut impl FnMut(u8)) {
        out(self.escape);
        out(ECM);
        self.transparent = false;
    }

    /// Reinitialises both ends' dictionaries: in transparent mode (entered first if need be) the
    /// escape character and RESET.
    pub fn reset_dictionary(&mut self, out: &mut impl FnMut(u8)) {
        self.enter_transparent(out);
        out(self.escape);
        out(RESET);
        self.dict.reset();
        self.matcher.clear();
        self.c2 = C2_INITIAL;
        self.c3 = 1 << C2_INITIAL;
    }

    /// The compression test, between two strings: at the first, compressed mode; then at the end
    /// of each window, the mode that would have sent fewer bits (with some hysteresis against the
    /// cost of switching).
    fn test_compression(&mut self, out: &mut impl FnMut(u8)) {
        if self.starting {
            self.starting = false;
            self.ecm(out);
        } else if !self.transparent && self.compressed_bits > self.transparent_bits {
            self.etm(out);
        } else if self.transparent && self.compressed_bits + self.transparent_bits / 8 < self.transparent_bits {
            self.ecm(out);
        }
        self.compressed_bits = 0;
        self.transparent_bits = 0;
        self.window = 0;
    }

    /// Sends a string's codeword, after STEPUPs while it does not fit in C2 bits.
    fn send(&mut self, code: u32, out: &mut impl FnMut(u8)) {
        while code >= self.c3 {
            self.put(STEPUP as u32, out);
            self.c2 += 1;
            self.c3 <<= 1;
        }
        self.put(code, out);
    }

    fn put(&mut self, code: u32, out: &mut impl FnMut(u8)) {
        self.bits |= code << self.nbits;
        self.nbits += self.c2;
        while self.nbits >= 8 {
            out(self.bits as u8);
            self.bits >>= 8;
            self.nbits -= 8;
        }
    }

    fn align(&mut self, out: &mut impl FnMut(u8)) {
        if self.nbits > 0 {
            out(self.bits as u8);
        }
        self.bits = 0;
        self.nbits = 0;
    }
}
