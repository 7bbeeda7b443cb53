//! Test texts: English-like lines of words from a small vocabulary, as a BBS's messages read to a
//! compressor (V.42bis compresses them about threefold), the same for the same seed.

const WORDS: &[&str] = &[
    "the", "of", "and", "to", "a", "in", "is", "it", "you", "that", "he", "was", "for", "on", "are", "with", "as",
    "his", "they", "be", "at", "one", "have", "this", "from", "or", "had", "by", "word", "but", "what", "some",
    "we", "can", "out", "other", "were", "all", "there", "when", "up", "use", "your", "how", "said", "an", "each",
    "she", "which", "do", "their", "time", "if", "will", "way", "about", "many", "then", "them", "write", "would",
    "like", "so", "these", "modem", "line", "call", "file", "message", "board", "download", "upload", "system",
    "user",
];

/// `n` octets of words in lines of about 65 characters ending in ".\r\n", from `seed`.
pub fn words(n: usize, seed: u32) -> Vec<u8> {
    let mut x = 0x2545_f491u32 ^ seed.wrapping_mul(0x9e37_79b9);
    let mut out = Vec::with_capacity(n + 16);
    let mut col = 0;
    while out.len() < n {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        let w = WORDS[(x % WORDS.len() as u32) as usize];
        out.extend_from_slice(w.as_bytes());
        col += w.len() + 1;
        if col > 64 {
            out.extend_from_slice(b".\r\n");
            col = 0;
        } else {
            out.push(b' ');
        }
    }
    out.truncate(n);
    out
}
