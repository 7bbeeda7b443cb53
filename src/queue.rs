//! Bounded byte queue, allocated once.

/// A first-in first-out queue of bytes with a fixed capacity.
///
/// Writing to a full queue takes what fits and reports how much; nothing is allocated after
/// [`ByteQueue::new`].
#[derive(Debug, Clone)]
pub struct ByteQueue {
    buf: Box<[u8]>,
    head: usize,
    len: usize,
}

impl ByteQueue {
    /// A queue that holds up to `capacity` bytes (at least 1).
    pub fn new(capacity: usize) -> Self {
        ByteQueue { buf: vec![0; capacity.max(1)].into_boxed_slice(), head: 0, len: 0 }
    }

    /// Bytes waiting.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when nothing is waiting.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Room left.
    pub fn free(&self) -> usize {
        self.buf.len() - self.len
    }

    /// The capacity.
    pub fn capacity(&self) -> usize {
        self.buf.len()
    }

    /// Appends as much of `data` as fits; returns how many bytes were taken.
    pub fn write(&mut self, data: &[u8]) -> usize {
        let n = data.len().min(self.free());
        for &b in &data[..n] {
            let i = (self.head + self.len) % self.buf.len();
            self.buf[i] = b;
            self.len += 1;
        }
        n
    }

    /// Appends one byte; false when full.
    pub fn push(&mut self, b: u8) -> bool {
        self.write(&[b]) == 1
    }

    /// Removes and returns the oldest byte.
    pub fn pop(&mut self) -> Option<u8> {
        if self.len == 0 {
            return None;
        }
        let b = self.buf[self.head];
        self.head = (self.head + 1) % self.buf.len();
        self.len -= 1;
        Some(b)
    }

    /// Moves up to `out.len()` bytes into `out`; returns how many.
    pub fn read(&mut self, out: &mut [u8]) -> usize {
        let mut n = 0;
        while n < out.len() {
            match self.pop() {
                Some(b) => {
                    out[n] = b;
                    n += 1;
                }
                None => break,
            }
        }
        n
    }

    /// Empties the queue.
    pub fn clear(&mut self) {
        self.head = 0;
        self.len = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fifo_order_and_bounds() {
        let mut q = ByteQueue::new(4);
        assert_eq!(q.write(b"abcdef"), 4);
        assert_eq!(q.free(), 0);
        assert!(!q.push(b'z'));
        assert_eq!(q.pop(), Some(b'a'));
        assert!(q.push(b'e'));
        let mut out = [0; 8];
        assert_eq!(q.read(&mut out), 4);
        assert_eq!(&out[..4], b"bcde");
        assert!(q.is_empty());
        assert_eq!(q.pop(), None);
    }
}
