//! The interfaces between data pumps (modulators, demodulators) and whatever makes or takes their
//! bits.

/// Gives a transmitter its bits, one at a time, when it needs them.
pub trait BitSource {
    /// The next bit to send (0 or 1).
    fn next_bit(&mut self) -> u8;
}

/// Takes a receiver's bits and carrier changes.
pub trait BitSink {
    /// One received bit (0 or 1) and its soft value (positive leans to 1; the scale depends on
    /// the demodulator).
    fn put_bit(&mut self, bit: u8, soft: f32);

    /// True when the consumer is between start-stop characters, so the receiver may re-align its
    /// bit timing on the next transition (a start bit may begin at any moment).
    fn wants_resync(&self) -> bool {
        false
    }

    /// The receiver found (`true`) or lost (`false`) the carrier.
    fn carrier(&mut self, _on: bool) {}
}

impl<F: FnMut() -> u8> BitSource for F {
    fn next_bit(&mut self) -> u8 {
        self()
    }
}

/// A sink that collects bits into a vector (for tests and tools).
#[derive(Debug, Default, Clone)]
pub struct BitVec {
    /// The bits received.
    pub bits: Vec<u8>,
    /// Carrier changes, in order.
    pub carrier_changes: Vec<bool>,
}

impl BitSink for BitVec {
    fn put_bit(&mut self, bit: u8, _soft: f32) {
        self.bits.push(bit);
    }
    fn carrier(&mut self, on: bool) {
        self.carrier_changes.push(on);
    }
}
