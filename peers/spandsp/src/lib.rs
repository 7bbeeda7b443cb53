//! Test-only bindings to Debian's `libspandsp`, so our modems can be tried against a real,
//! independently written peer.
//!
//! The declarations in [`ffi`] are written by hand from the public headers in
//! `/usr/include/spandsp/*.h` (no bindgen, no private headers). On top of them sit small safe
//! wrappers that own their spandsp objects and free them on drop:
//!
//! - [`async_serial`]: spandsp's start-stop framing (`async_tx`, `async_rx`), fed from and into Rust
//!   byte queues;
//! - [`fsk`]: spandsp's FSK modulator and demodulator (`fsk_tx`, `fsk_rx`) with its preset channels;
//! - [`v22bis`]: spandsp's V.22bis (and V.22) duplex modem;
//! - [`hdlc`]: spandsp's HDLC framing (`hdlc_tx`, `hdlc_rx`), 16- and 32-bit CRC;
//! - [`v42`]: spandsp's V.42 (detection phase, LAPM), bits in and out;
//! - [`v42bis`]: spandsp's V.42bis compressor and decompressor;
//! - [`tones`]: spandsp's DTMF generator and receiver (`dtmf_tx`, `dtmf_rx`) and its modem connect
//!   tones generator and detector (ANS, ANS/, ANSam, ANSam/, Bell 2225 Hz, the calling tone, fax
//!   CNG).
//!
//! Data pumps take their bits from a [`GetBit`] and hand them to a [`PutBit`], the Rust side of
//! spandsp's `get_bit_func_t` / `put_bit_func_t` callbacks, shared by all the pumps. Samples are
//! `i16` at 8000 Hz, as spandsp uses them.
//!
//! Nothing here is thread-safe: the raw pointers inside make every wrapper `!Send` and `!Sync`, so
//! each stays on the thread that made it. A panic inside a [`GetBit`] or [`PutBit`] called back from
//! spandsp cannot unwind through C and aborts the process.
//!
//! Quirks of spandsp 0.0.6 met so far (details where they are handled):
//! - `async_tx` sends whatever its `get_byte` callback returns as a character, statuses included;
//!   [`AsyncTx`] idles at mark itself.
//! - `async_rx_put_bit` resets its framing on a status code; [`AsyncRx`] keeps statuses to itself.
//! - `FSK_BELL103CH1` is the answering modem's channel, `FSK_BELL103CH2` the originating one's
//!   ([`Preset`]).
//! - `fsk_tx_power` is calibrated about 0.04 dB louder than a G.711 dBm0 ([`FskTx::set_power`]).
//! - The receiver's synchronous bit timing can lose start-stop framing ([`FrameMode::Sync`]).
//! - After one wrong start bit inside back-to-back characters `async_rx` stays out of step: the
//!   rest of a 300-character text comes out wrong (`tests/codec_fsk.rs`).
//! - V.22bis never sends a 2100 Hz answer tone, restarts from scratch whenever it loses carrier,
//!   takes -33 dBm0 white noise for a carrier at its default threshold, and shuts its transmitter
//!   down if `get_bit` returns a status; `v22bis_tx_power` sends 1.55 dB more than asked
//!   ([`v22bis`] has the measurements).
//! - Its V.22bis caller takes any steady tone for the answerer's unscrambled ones: after about a
//!   second of a 2100 Hz answer tone (or the 2225 Hz Bell tone) it "trains", sends its start-up
//!   and delivers what it demodulates from the tone as data, until the tone stops and it starts
//!   again (see `tests/spandsp_automode.rs`).
//! - `dtmf_tx_put` returns the number of digits that did *not* fit (the header says: the number
//!   added) and then queues none of them ([`DtmfTx::put`]); `dtmf_tx` wraps around instead of
//!   clipping when the two tones' peaks add past full scale ([`DtmfTx`]).
//! - Setting `dtmf_rx`'s realtime callback silences its digits callback ([`DtmfCollect`]).
//! - `modem_connect_tones_tx` has no level setting (-11 dBm0; ANS/ and ANSam/ -12 dBm0), starts
//!   its answer tones after 200 ms of silence and stops them by itself (ANS 2.6 s, ANS/ 3.3 s,
//!   ANSam 5 s; the Bell tone 2.6 s) ([`ConnectToneTx`]).
//! - `modem_connect_tones_rx` listens for a family, not a kind: set to ANS it reports ANS/,
//!   ANSam and ANSam/ as such too. It is looser than V.25: it accepts 2100 and 2225 Hz tones up
//!   to 60 Hz off, and takes any 1300 Hz tone of 0.5 s or more, a steady one (V.23's mark)
//!   included, for the calling tone. It calls a tone ANS/ only after three reversals (1.35 s).
//!   In noise (20 dB SNR) it reports the end of ANS/ and ANSam/ about 0.33 s late, and that of
//!   ANSam not within 2 s ([`tones`] and `tests/spandsp_tones.rs` have the measurements).
#![deny(missing_docs)]

pub mod async_serial;
pub mod ffi;
pub mod fsk;
pub mod hdlc;
pub mod status;
pub mod tones;
pub mod v22bis;
pub mod v42;
pub mod v42bis;
pub mod v8;

pub use async_serial::{AsyncRx, AsyncTx, Parity};
pub use fsk::{FrameMode, FskRx, FskSpec, FskTx, Preset};
pub use status::SigStatus;
pub use tones::{
    ConnectTone, ConnectToneReport, ConnectToneRx, ConnectToneTx, DtmfCollect, DtmfReport, DtmfRx, DtmfTx,
};
pub use v22bis::{GuardTone, Role, StatusEvent, V22bis};
pub use v8::{V8Offer, V8Result, V8Role, V8Status, V8};

/// The sample rate spandsp's modems run at, in Hz.
pub const SAMPLE_RATE: u32 = 8000;

/// Supplies a transmitting data pump with its bits (spandsp's `get_bit_func_t`).
pub trait GetBit {
    /// The next bit to send (0 or 1), or a negative spandsp status such as
    /// [`SigStatus::EndOfData`] (see [`status`]).
    fn get_bit(&mut self) -> i32;
}

impl<F: FnMut() -> i32> GetBit for F {
    fn get_bit(&mut self) -> i32 {
        self()
    }
}

/// Takes the bits a receiving data pump demodulates (spandsp's `put_bit_func_t`, split in two:
/// data bits and status reports).
pub trait PutBit {
    /// One received data bit, 0 or 1.
    fn put_bit(&mut self, bit: u8);

    /// A status report from the data pump (a negative `SIG_STATUS_*` code, see [`status`]).
    fn status(&mut self, _status: i32) {}
}

/// A [`PutBit`] that keeps every bit and status report, for inspection.
#[derive(Debug, Default, Clone)]
pub struct BitLog {
    /// The data bits, in order.
    pub bits: Vec<u8>,
    /// The status reports, in order.
    pub statuses: Vec<i32>,
}

impl PutBit for BitLog {
    fn put_bit(&mut self, bit: u8) {
        self.bits.push(bit);
    }
    fn status(&mut self, status: i32) {
        self.statuses.push(status);
    }
}
