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

    /// A received bit that will not be delivered: the receiver held it back and then dropped it,
    /// because the signal turned out not to be data there or a retrain began. A sink may count
    /// what such bits carried; by default they are ignored.
    fn drop_bit(&mut self, _bit: u8) {}

    /// The received bits have a hole here: about `unheard` bits the far modem sent that the
    /// receiver did not hear (a dropout, or the moments a retrain began in), after any it dropped.
    /// What was in progress across it cannot be completed.
    fn hole(&mut self, _unheard: u32) {}
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
