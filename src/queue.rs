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

/// A first-in first-out queue of at most `N` items in a fixed array (nothing allocated): the
/// reports (events, progress) a sans-IO state machine keeps until its owner polls them.
///
/// When it is full, [`Fifo::push`] drops the new item and [`Fifo::push_overwrite`] drops the
/// oldest, whichever the owner's reports call for.
#[derive(Debug, Clone)]
pub struct Fifo<T, const N: usize> {
    buf: [Option<T>; N],
    head: usize,
    len: usize,
}

impl<T, const N: usize> Default for Fifo<T, N> {
    fn default() -> Self {
        Fifo { buf: core::array::from_fn(|_| None), head: 0, len: 0 }
    }
}

impl<T, const N: usize> Fifo<T, N> {
    /// An empty queue.
    pub fn new() -> Self {
        Self::default()
    }

    /// Items waiting.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when nothing is waiting.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Appends `item`; when the queue is full the item is dropped and false returned.
    pub fn push(&mut self, item: T) -> bool {
        if self.len == N {
            return false;
        }
        self.buf[(self.head + self.len) % N] = Some(item);
        self.len += 1;
        true
    }

    /// Appends `item`; when the queue is full the oldest item makes way for it (the latest
    /// state matters most).
    pub fn push_overwrite(&mut self, item: T) {
        if N == 0 {
            return;
        }
        if self.len == N {
            self.pop();
        }
        self.push(item);
    }

    /// Takes the oldest item.
    pub fn pop(&mut self) -> Option<T> {
        if self.len == 0 {
            return None;
        }
        let item = self.buf[self.head].take();
        self.head = (self.head + 1) % N;
        self.len -= 1;
        item
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

    #[test]
    fn event_fifo_keeps_order_and_drops_by_policy() {
        let mut q: Fifo<u32, 3> = Fifo::new();
        assert!(q.is_empty() && q.pop().is_none());
        for i in 0..3 {
            assert!(q.push(i));
        }
        // Full: push drops the new item.
        assert!(!q.push(9));
        assert_eq!(q.len(), 3);
        assert_eq!(q.pop(), Some(0));
        // Round the end of the array.
        assert!(q.push(3));
        // Full again: push_overwrite drops the oldest.
        q.push_overwrite(4);
        assert_eq!(std::iter::from_fn(|| q.pop()).collect::<Vec<_>>(), vec![2, 3, 4]);
        let mut none: Fifo<u32, 0> = Fifo::new();
        assert!(!none.push(1));
        none.push_overwrite(1);
        assert!(none.pop().is_none());
    }
}
