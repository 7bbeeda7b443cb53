//! The stdio audio protocol's blocks: signed 16-bit little-endian mono at 8000 Hz, 160 samples
//! (20 ms) a block, one block out for every block in (`stdio`, `ppp`, `pty --audio stdio`).

use super::Failure;
use softmodem::dsp::to_i16;
use std::io::{self, Read, Write};

/// Samples a block.
pub const BLOCK: usize = 160;

/// Decodes `bytes` (two a sample) into `out`; returns how many samples.
pub fn decode(bytes: &[u8], out: &mut [f32]) -> usize {
    let n = (bytes.len() / 2).min(out.len());
    for (x, c) in out[..n].iter_mut().zip(bytes.chunks_exact(2)) {
        *x = i16::from_le_bytes([c[0], c[1]]) as f32 / 32768.0;
    }
    n
}

/// Encodes `x` into `out` (two octets a sample); returns the octets.
pub fn encode<'a>(x: &[f32], out: &'a mut [u8]) -> &'a [u8] {
    for (c, &v) in out.chunks_exact_mut(2).zip(x) {
        c.copy_from_slice(&to_i16(v).to_le_bytes());
    }
    &out[..2 * x.len()]
}

/// Blocks on stdin and stdout.
pub struct StdioAudio {
    stdin: io::StdinLock<'static>,
    stdout: io::StdoutLock<'static>,
    inb: [u8; 2 * BLOCK],
    outb: [u8; 2 * BLOCK],
    /// The last block read was short: the input has ended.
    pub ended: bool,
}

impl StdioAudio {
    /// The process's stdin and stdout.
    pub fn new() -> StdioAudio {
        StdioAudio { stdin: io::stdin().lock(), stdout: io::stdout().lock(), inb: [0; 2 * BLOCK], outb: [0; 2 * BLOCK], ended: false }
    }

    /// Reads one block (or what is left at the end of the input) into `rx`: how many samples (0
    /// once the input has ended).
    pub fn read(&mut self, rx: &mut [f32; BLOCK]) -> Result<usize, Failure> {
        let mut got = 0;
        while got < self.inb.len() {
            match self.stdin.read(&mut self.inb[got..]) {
                Ok(0) => break,
                Ok(n) => got += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(Failure::Run(format!("cannot read stdin: {e}"))),
            }
        }
        self.ended = got < self.inb.len();
        Ok(decode(&self.inb[..got], rx))
    }

    /// Writes `tx`; false when the other end has gone away (the end of the call, not an error).
    pub fn write(&mut self, tx: &[f32]) -> Result<bool, Failure> {
        let bytes = encode(tx, &mut self.outb);
        match self.stdout.write_all(bytes).and_then(|_| self.stdout.flush()) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(false),
            Err(e) => Err(Failure::Run(format!("cannot write stdout: {e}"))),
        }
    }
}
