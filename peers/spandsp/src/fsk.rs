//! spandsp's FSK modems (`fsk.h`): [`FskTx`] and [`FskRx`] on one of spandsp's preset channels.

use core::ffi::{c_int, c_void, CStr};
use core::ptr::NonNull;

use crate::async_serial::{AsyncRx, AsyncTx};
use crate::status::SigStatus;
use crate::{ffi, GetBit, PutBit};

/// spandsp's preset FSK channels (`FSK_V21CH1` ... `FSK_BELL202`, indices into
/// `preset_fsk_specs`).
///
/// spandsp names channels by number. Measured from its output (see the interop tests): V.23
/// channel 1 is the 1200 bit/s forward channel and channel 2 the 75 bit/s backward channel, but
/// Bell 103 channel 1 is the *answering* modem's transmitter (2025/2225 Hz) and channel 2 the
/// *originating* modem's (1070/1270 Hz), the other way round from V.21's numbering.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(usize)]
pub enum Preset {
    /// V.21 channel 1 (the caller's): 980 Hz for 1, 1180 Hz for 0, 300 bit/s.
    V21Ch1 = ffi::FSK_V21CH1,
    /// V.21 channel 2 (the answerer's): 1650 Hz for 1, 1850 Hz for 0, 300 bit/s.
    V21Ch2 = ffi::FSK_V21CH2,
    /// V.23 channel 1, the forward channel: 1300 Hz for 1, 2100 Hz for 0, 1200 bit/s.
    V23Ch1 = ffi::FSK_V23CH1,
    /// V.23 channel 2, the backward channel: 390 Hz for 1, 450 Hz for 0, 75 bit/s.
    V23Ch2 = ffi::FSK_V23CH2,
    /// Bell 103 channel 1, the answering modem's: 2225 Hz for 1, 2025 Hz for 0, 300 bit/s.
    Bell103Ch1 = ffi::FSK_BELL103CH1,
    /// Bell 103 channel 2, the originating modem's: 1270 Hz for 1, 1070 Hz for 0, 300 bit/s.
    Bell103Ch2 = ffi::FSK_BELL103CH2,
    /// Bell 202: 1200 Hz for 1, 2200 Hz for 0, 1200 bit/s.
    Bell202 = ffi::FSK_BELL202,
}

impl Preset {
    /// Every preset this crate wraps, in spandsp's order.
    pub const ALL: [Preset; 7] = [
        Preset::V21Ch1,
        Preset::V21Ch2,
        Preset::V23Ch1,
        Preset::V23Ch2,
        Preset::Bell103Ch1,
        Preset::Bell103Ch2,
        Preset::Bell202,
    ];

    /// The index into spandsp's `preset_fsk_specs`.
    pub fn index(self) -> usize {
        self as usize
    }

    fn raw_spec(self) -> *const ffi::fsk_spec_t {
        // SAFETY: preset_fsk_specs has at least FSK_BELL202 + 1 entries (fsk.h's enum); only the
        // address is taken here.
        unsafe { core::ptr::addr_of!(ffi::preset_fsk_specs).cast::<ffi::fsk_spec_t>().add(self.index()) }
    }

    /// The channel as spandsp defines it, read from its table.
    pub fn spec(self) -> FskSpec {
        // SAFETY: raw_spec points at a static, initialised fsk_spec_t.
        let s = unsafe { *self.raw_spec() };
        let name = if s.name.is_null() {
            String::new()
        } else {
            // SAFETY: a static NUL-terminated string.
            unsafe { CStr::from_ptr(s.name) }.to_string_lossy().into_owned()
        };
        FskSpec {
            name,
            freq_zero: s.freq_zero,
            freq_one: s.freq_one,
            tx_level: s.tx_level,
            min_level: s.min_level,
            baud_rate_centi: s.baud_rate,
        }
    }
}

/// A copy of one of spandsp's `fsk_spec_t`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FskSpec {
    /// spandsp's short name for the channel.
    pub name: String,
    /// Frequency of a 0 bit (space), in Hz.
    pub freq_zero: i32,
    /// Frequency of a 1 bit (mark), in Hz.
    pub freq_one: i32,
    /// Default transmit level, in dBm0.
    pub tx_level: i32,
    /// Lowest receive level accepted, in dBm0.
    pub min_level: i32,
    /// Bit rate in hundredths of a bit per second.
    pub baud_rate_centi: i32,
}

impl FskSpec {
    /// The bit rate in bit/s.
    pub fn baud(&self) -> f32 {
        self.baud_rate_centi as f32 / 100.0
    }
}

/// How spandsp's FSK receiver times its bits (`framing_mode` of `fsk_rx_init`). Both deliver a
/// plain bit stream, one bit per bit time while the carrier is up; the modes above 1, which frame
/// characters inside the demodulator, are not wrapped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrameMode {
    /// `FSK_FRAME_MODE_ASYNC`: every transition re-times the bit clock at face value. No settling
    /// time; meant for start-stop data.
    Async,
    /// `FSK_FRAME_MODE_SYNC`: transitions are smoothed to track the bit clock, which copes better
    /// with noise but takes a little while to settle.
    ///
    /// Quirk (spandsp 0.0.6): steady mark has no transitions to settle on, so after idle the clock
    /// settles on the first characters, and depending on how the carrier started (its onset ramp,
    /// the bit phase) it can drop or garble bits there; spandsp's [`AsyncRx`] then stays out of
    /// step through back-to-back characters. Seen on V.23 with spandsp's own transmitter given a
    /// 36-sample onset ramp (see the tests). Use [`FrameMode::Async`] for start-stop data.
    Sync,
}

impl FrameMode {
    fn raw(self) -> c_int {
        match self {
            FrameMode::Async => ffi::FSK_FRAME_MODE_ASYNC,
            FrameMode::Sync => ffi::FSK_FRAME_MODE_SYNC,
        }
    }
}

/// What the callbacks of an [`FskTx`] reach.
struct TxShared<S> {
    source: S,
    bits: u64,
    statuses: Vec<i32>,
}

unsafe extern "C" fn tx_get_bit<S: GetBit>(user_data: *mut c_void) -> c_int {
    // SAFETY: user_data is the TxShared<S> owned by the FskTx that registered it; only spandsp
    // calls made from &mut FskTx reach here, and those hold no reference into it.
    let sh = unsafe { &mut *(user_data as *mut TxShared<S>) };
    sh.bits += 1;
    sh.source.get_bit() as c_int
}

unsafe extern "C" fn tx_status<S>(user_data: *mut c_void, status: c_int) {
    // SAFETY: as for tx_get_bit.
    let sh = unsafe { &mut *(user_data as *mut TxShared<S>) };
    sh.statuses.push(status);
}

/// spandsp's FSK transmitter (`fsk_tx_state_t`) on a preset channel, taking its bits from a
/// [`GetBit`] (by default spandsp's own start-stop framer, [`AsyncTx`]).
pub struct FskTx<S: GetBit = AsyncTx> {
    raw: NonNull<ffi::fsk_tx_state_t>,
    shared: NonNull<TxShared<S>>,
    preset: Preset,
}

impl<S: GetBit> FskTx<S> {
    /// A transmitter on `preset` at spandsp's default level for it, taking bits from `source`.
    pub fn new(preset: Preset, source: S) -> Self {
        let shared = NonNull::from(Box::leak(Box::new(TxShared { source, bits: 0, statuses: Vec::new() })));
        let ud = shared.as_ptr() as *mut c_void;
        // SAFETY: a null state asks spandsp to allocate one; the spec is static; user_data stays
        // valid until Drop, which frees the state first.
        let raw = unsafe { ffi::fsk_tx_init(core::ptr::null_mut(), preset.raw_spec(), Some(tx_get_bit::<S>), ud) };
        let Some(raw) = NonNull::new(raw) else {
            // SAFETY: spandsp kept no pointer to it, since it made no state.
            drop(unsafe { Box::from_raw(shared.as_ptr()) });
            panic!("fsk_tx_init failed");
        };
        // SAFETY: raw is live; user_data as above.
        unsafe { ffi::fsk_tx_set_modem_status_handler(raw.as_ptr(), Some(tx_status::<S>), ud) };
        FskTx { raw, shared, preset }
    }

    /// The channel.
    pub fn preset(&self) -> Preset {
        self.preset
    }

    /// Sets the transmit level in dBm0 (`fsk_tx_power`). spandsp's presets default to -14 dBm0.
    /// (spandsp's 0 dBm0 is about 0.04 dB louder than a G.711 reference of 3.17 dB below a
    /// full-scale sine: asked for -13 dBm0 it sends a sine of peak 5110.)
    pub fn set_power(&mut self, dbm0: f32) {
        // SAFETY: raw is live.
        unsafe { ffi::fsk_tx_power(self.raw.as_ptr(), dbm0) }
    }

    /// Fills `out` with the modulated signal (`fsk_tx`); returns how many samples spandsp made.
    ///
    /// If the source returns a negative status (e.g. `SIG_STATUS_END_OF_DATA`), spandsp 0.0.6 ends
    /// the transmission: it reports that status and then `SIG_STATUS_SHUTDOWN_COMPLETE` (see
    /// [`FskTx::statuses`]), returns fewer samples than asked, leaving the rest of `out` untouched,
    /// and 0 from then on.
    pub fn process(&mut self, out: &mut [i16]) -> usize {
        let len = c_int::try_from(out.len()).expect("block too long");
        // SAFETY: raw is live and out holds len samples.
        let n = unsafe { ffi::fsk_tx(self.raw.as_ptr(), out.as_mut_ptr(), len) };
        n.max(0) as usize
    }

    /// Bits taken from the source so far.
    pub fn bits_sent(&self) -> u64 {
        // SAFETY: owned by self; spandsp only touches it inside calls taking &mut self.
        unsafe { self.shared.as_ref() }.bits
    }

    /// Status reports from the transmitter (`SIG_STATUS_*`).
    pub fn statuses(&self) -> &[i32] {
        // SAFETY: as in bits_sent.
        &unsafe { self.shared.as_ref() }.statuses
    }

    /// The bit source.
    pub fn source(&self) -> &S {
        // SAFETY: as in bits_sent.
        &unsafe { self.shared.as_ref() }.source
    }

    /// The bit source, to change (e.g. to queue bytes).
    pub fn source_mut(&mut self) -> &mut S {
        // SAFETY: as in bits_sent; &mut self rules out a spandsp call while this lives.
        &mut unsafe { self.shared.as_mut() }.source
    }

    /// The spandsp state, for calling functions this crate does not wrap.
    pub fn as_ptr(&self) -> *mut ffi::fsk_tx_state_t {
        self.raw.as_ptr()
    }
}

impl FskTx<AsyncTx> {
    /// A transmitter on `preset` sending bytes as 8N1 start-stop characters through spandsp's
    /// [`AsyncTx`], idling at mark while it has nothing to send.
    pub fn async_8n1(preset: Preset) -> Self {
        Self::new(preset, AsyncTx::n81())
    }

    /// Queues bytes to send.
    pub fn write(&mut self, data: &[u8]) {
        self.source_mut().write(data);
    }

    /// Bytes queued that spandsp has not started sending.
    pub fn queued(&self) -> usize {
        self.source().queued()
    }
}

impl<S: GetBit> Drop for FskTx<S> {
    fn drop(&mut self) {
        // SAFETY: the state is freed before what its callbacks point at.
        unsafe {
            ffi::fsk_tx_free(self.raw.as_ptr());
            drop(Box::from_raw(self.shared.as_ptr()));
        }
    }
}

impl<S: GetBit + core::fmt::Debug> core::fmt::Debug for FskTx<S> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("FskTx").field("preset", &self.preset).field("source", self.source()).finish()
    }
}

/// What the callbacks of an [`FskRx`] reach.
struct RxShared<K> {
    sink: K,
    bits: u64,
    carrier: bool,
    statuses: Vec<i32>,
}

impl<K: PutBit> RxShared<K> {
    fn status(&mut self, status: c_int) {
        match SigStatus::from_raw(status) {
            Some(SigStatus::CarrierUp) => self.carrier = true,
            Some(SigStatus::CarrierDown) => self.carrier = false,
            _ => {}
        }
        self.statuses.push(status);
        self.sink.status(status);
    }
}

unsafe extern "C" fn rx_put_bit<K: PutBit>(user_data: *mut c_void, bit: c_int) {
    // SAFETY: user_data is the RxShared<K> owned by the FskRx that registered it; only spandsp
    // calls made from &mut FskRx reach here, and those hold no reference into it.
    let sh = unsafe { &mut *(user_data as *mut RxShared<K>) };
    if bit < 0 {
        sh.status(bit);
    } else {
        sh.bits += 1;
        sh.sink.put_bit((bit & 1) as u8);
    }
}

unsafe extern "C" fn rx_status<K: PutBit>(user_data: *mut c_void, status: c_int) {
    // SAFETY: as for rx_put_bit.
    let sh = unsafe { &mut *(user_data as *mut RxShared<K>) };
    sh.status(status);
}

/// spandsp's FSK receiver (`fsk_rx_state_t`) on a preset channel, handing its bits to a [`PutBit`]
/// (by default spandsp's own start-stop deframer, [`AsyncRx`]).
///
/// Data bits (0 and 1) go to the sink's [`PutBit::put_bit`]; the status codes spandsp mixes into the
/// same callback (carrier up and down, ...) go to [`PutBit::status`] instead, and are recorded here.
pub struct FskRx<K: PutBit = AsyncRx> {
    raw: NonNull<ffi::fsk_rx_state_t>,
    shared: NonNull<RxShared<K>>,
    preset: Preset,
}

impl<K: PutBit> FskRx<K> {
    /// A receiver on `preset` with bit timing `mode`, passing bits to `sink`.
    pub fn new(preset: Preset, mode: FrameMode, sink: K) -> Self {
        let shared =
            NonNull::from(Box::leak(Box::new(RxShared { sink, bits: 0, carrier: false, statuses: Vec::new() })));
        let ud = shared.as_ptr() as *mut c_void;
        // SAFETY: as in FskTx::new.
        let raw = unsafe {
            ffi::fsk_rx_init(core::ptr::null_mut(), preset.raw_spec(), mode.raw(), Some(rx_put_bit::<K>), ud)
        };
        let Some(raw) = NonNull::new(raw) else {
            // SAFETY: spandsp kept no pointer to it, since it made no state.
            drop(unsafe { Box::from_raw(shared.as_ptr()) });
            panic!("fsk_rx_init failed");
        };
        // SAFETY: raw is live; user_data as above.
        unsafe { ffi::fsk_rx_set_modem_status_handler(raw.as_ptr(), Some(rx_status::<K>), ud) };
        FskRx { raw, shared, preset }
    }

    /// The channel.
    pub fn preset(&self) -> Preset {
        self.preset
    }

    /// Demodulates `input` (`fsk_rx`); returns how many samples spandsp left unprocessed.
    pub fn process(&mut self, input: &[i16]) -> usize {
        let len = c_int::try_from(input.len()).expect("block too long");
        // SAFETY: raw is live and input holds len samples.
        let n = unsafe { ffi::fsk_rx(self.raw.as_ptr(), input.as_ptr(), len) };
        n.max(0) as usize
    }

    /// The received signal power, in dBm0 (`fsk_rx_signal_power`).
    pub fn signal_power(&mut self) -> f32 {
        // SAFETY: raw is live.
        unsafe { ffi::fsk_rx_signal_power(self.raw.as_ptr()) }
    }

    /// Sets the carrier detect threshold, in dBm0 (`fsk_rx_signal_cutoff`).
    pub fn set_cutoff(&mut self, dbm0: f32) {
        // SAFETY: raw is live.
        unsafe { ffi::fsk_rx_signal_cutoff(self.raw.as_ptr(), dbm0) }
    }

    /// True after spandsp reported carrier up, until it reports carrier down.
    pub fn carrier(&self) -> bool {
        // SAFETY: owned by self; spandsp only touches it inside calls taking &mut self.
        unsafe { self.shared.as_ref() }.carrier
    }

    /// Data bits demodulated so far.
    pub fn bits_received(&self) -> u64 {
        // SAFETY: as in carrier.
        unsafe { self.shared.as_ref() }.bits
    }

    /// Status reports (`SIG_STATUS_*`), from the bit callback and the status handler, in order.
    pub fn statuses(&self) -> &[i32] {
        // SAFETY: as in carrier.
        &unsafe { self.shared.as_ref() }.statuses
    }

    /// The bit sink.
    pub fn sink(&self) -> &K {
        // SAFETY: as in carrier.
        &unsafe { self.shared.as_ref() }.sink
    }

    /// The bit sink, to change (e.g. to take bytes).
    pub fn sink_mut(&mut self) -> &mut K {
        // SAFETY: as in carrier; &mut self rules out a spandsp call while this lives.
        &mut unsafe { self.shared.as_mut() }.sink
    }

    /// The spandsp state, for calling functions this crate does not wrap.
    pub fn as_ptr(&self) -> *mut ffi::fsk_rx_state_t {
        self.raw.as_ptr()
    }
}

impl FskRx<AsyncRx> {
    /// A receiver on `preset` framing 8N1 start-stop characters through spandsp's [`AsyncRx`].
    pub fn async_8n1(preset: Preset, mode: FrameMode) -> Self {
        Self::new(preset, mode, AsyncRx::n81())
    }

    /// The bytes received so far.
    pub fn received(&self) -> &[u8] {
        self.sink().received()
    }

    /// Takes the bytes received so far.
    pub fn take(&mut self) -> Vec<u8> {
        self.sink_mut().take()
    }
}

impl<K: PutBit> Drop for FskRx<K> {
    fn drop(&mut self) {
        // SAFETY: the state is freed before what its callbacks point at.
        unsafe {
            ffi::fsk_rx_free(self.raw.as_ptr());
            drop(Box::from_raw(self.shared.as_ptr()));
        }
    }
}

impl<K: PutBit + core::fmt::Debug> core::fmt::Debug for FskRx<K> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("FskRx").field("preset", &self.preset).field("sink", self.sink()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::BitLog;

    #[test]
    fn presets_read_from_the_table() {
        let s = Preset::V21Ch1.spec();
        assert_eq!((s.freq_one, s.freq_zero, s.baud_rate_centi), (980, 1180, 30000), "{s:?}");
        let s = Preset::Bell202.spec();
        assert_eq!((s.freq_one, s.freq_zero, s.baud_rate_centi), (1200, 2200, 120000), "{s:?}");
    }

    #[test]
    fn loopback_through_spandsp_alone() {
        let text = b"spandsp talking to itself, 8N1.";
        for preset in Preset::ALL {
            for mode in [FrameMode::Async, FrameMode::Sync] {
                let mut tx = FskTx::async_8n1(preset);
                let mut rx = FskRx::async_8n1(preset, mode);
                let baud = preset.spec().baud();
                let bit = (8000.0 / baud) as usize + 1;
                let mut buf = vec![0i16; 160];
                let mut t = 0;
                let total = (text.len() * 10 + 60) * bit;
                while t < total {
                    if t >= 20 * bit && tx.source().taken() == 0 && tx.queued() == 0 {
                        tx.write(text);
                    }
                    let n = tx.process(&mut buf);
                    assert_eq!(n, buf.len());
                    rx.process(&buf);
                    t += buf.len();
                }
                assert_eq!(rx.received(), &text[..], "{preset:?} {mode:?}: {:?}", rx.statuses());
                assert!(rx.carrier());
            }
        }
    }

    /// Documents the quirk described at [`FrameMode::Sync`]: if this starts failing because Sync
    /// decodes correctly, spandsp has changed and the note can go.
    #[test]
    fn sync_mode_can_lose_framing_after_a_ramped_carrier_start() {
        let text = b"spandsp, 8N1, sync timing.";
        let mut tx = FskTx::async_8n1(Preset::V23Ch1);
        tx.set_power(-13.0);
        let mut sig = vec![0i16; 133]; // 20 bits of mark at 1200 bit/s
        tx.process(&mut sig);
        tx.write(text);
        let mut buf = [0i16; 160];
        while !tx.source().is_idle() {
            tx.process(&mut buf);
            sig.extend_from_slice(&buf);
        }
        tx.process(&mut buf);
        sig.extend_from_slice(&buf);
        // A 36-sample raised-cosine onset, as a transmitter that avoids clicks might have.
        for (i, v) in sig[..36].iter_mut().enumerate() {
            let g = 0.5 - 0.5 * (core::f32::consts::PI * (i + 1) as f32 / 36.0).cos();
            *v = (*v as f32 * g).round() as i16;
        }
        let mut rx = FskRx::async_8n1(Preset::V23Ch1, FrameMode::Async);
        rx.process(&sig);
        assert_eq!(rx.received(), &text[..]);
        let mut rx = FskRx::async_8n1(Preset::V23Ch1, FrameMode::Sync);
        rx.process(&sig);
        assert_ne!(rx.received(), &text[..], "spandsp's sync timing now copes: update the FrameMode::Sync note");
    }

    #[test]
    fn raw_bits_of_steady_mark() {
        let mut tx = FskTx::new(Preset::V21Ch2, || 1);
        let mut rx = FskRx::new(Preset::V21Ch2, FrameMode::Sync, BitLog::default());
        let mut buf = vec![0i16; 8000];
        tx.process(&mut buf);
        rx.process(&buf);
        let log = rx.sink();
        assert!(log.bits.len() > 250 && log.bits[50..].iter().all(|&b| b == 1), "{log:?}");
        assert_eq!(log.statuses.first(), Some(&SigStatus::CarrierUp.raw()));
    }
}
