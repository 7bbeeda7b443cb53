//! Raw declarations of the parts of spandsp's public C API that this crate uses, written by hand
//! from `/usr/include/spandsp/{async,fsk}.h` (spandsp 0.0.6).
//!
//! Everything here is `unsafe` to call; the safe wrappers are in [`crate::async_serial`] and
//! [`crate::fsk`]. The state structures are opaque: spandsp allocates them when an `*_init` function
//! is given a null pointer, and the matching `*_free` releases them.
#![allow(non_camel_case_types)]

use core::ffi::{c_char, c_int, c_void};

/// `get_bit_func_t`: returns the next bit to send, or a negative `SIG_STATUS_*` value.
pub type get_bit_func_t = Option<unsafe extern "C" fn(user_data: *mut c_void) -> c_int>;
/// `put_bit_func_t`: takes a received bit, or a negative `SIG_STATUS_*` value.
pub type put_bit_func_t = Option<unsafe extern "C" fn(user_data: *mut c_void, bit: c_int)>;
/// `get_byte_func_t`: returns the next byte to send, or a negative `SIG_STATUS_*` value.
pub type get_byte_func_t = Option<unsafe extern "C" fn(user_data: *mut c_void) -> c_int>;
/// `put_byte_func_t`: takes a received byte.
pub type put_byte_func_t = Option<unsafe extern "C" fn(user_data: *mut c_void, byte: c_int)>;
/// `modem_status_func_t`: takes a status report (`SIG_STATUS_*`).
pub type modem_status_func_t = Option<unsafe extern "C" fn(user_data: *mut c_void, status: c_int)>;

/// Opaque `async_tx_state_t`.
#[repr(C)]
pub struct async_tx_state_t {
    _private: [u8; 0],
}

/// Opaque `async_rx_state_t`.
#[repr(C)]
pub struct async_rx_state_t {
    _private: [u8; 0],
}

/// Opaque `fsk_tx_state_t`.
#[repr(C)]
pub struct fsk_tx_state_t {
    _private: [u8; 0],
}

/// Opaque `fsk_rx_state_t`.
#[repr(C)]
pub struct fsk_rx_state_t {
    _private: [u8; 0],
}

/// `fsk_spec_t`: the tones, levels and rate of one FSK channel.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct fsk_spec_t {
    /// Short text name (a NUL-terminated C string owned by spandsp).
    pub name: *const c_char,
    /// Frequency of a 0 bit, in Hz.
    pub freq_zero: c_int,
    /// Frequency of a 1 bit, in Hz.
    pub freq_one: c_int,
    /// Transmit level, in dBm0.
    pub tx_level: c_int,
    /// Minimum acceptable receive level, in dBm0.
    pub min_level: c_int,
    /// Bit rate in hundredths of a bit per second.
    pub baud_rate: c_int,
}

/// `ASYNC_PARITY_NONE`.
pub const ASYNC_PARITY_NONE: c_int = 0;
/// `ASYNC_PARITY_EVEN`.
pub const ASYNC_PARITY_EVEN: c_int = 1;
/// `ASYNC_PARITY_ODD`.
pub const ASYNC_PARITY_ODD: c_int = 2;

/// `FSK_FRAME_MODE_ASYNC`: the demodulator re-times on every transition and delivers bits.
pub const FSK_FRAME_MODE_ASYNC: c_int = 0;
/// `FSK_FRAME_MODE_SYNC`: the demodulator smooths its bit timing and delivers bits.
pub const FSK_FRAME_MODE_SYNC: c_int = 1;

/// Index of V.21 channel 1 in `preset_fsk_specs` (`FSK_V21CH1`).
pub const FSK_V21CH1: usize = 0;
/// `FSK_V21CH2`.
pub const FSK_V21CH2: usize = 1;
/// `FSK_V23CH1`.
pub const FSK_V23CH1: usize = 2;
/// `FSK_V23CH2`.
pub const FSK_V23CH2: usize = 3;
/// `FSK_BELL103CH1`.
pub const FSK_BELL103CH1: usize = 4;
/// `FSK_BELL103CH2`.
pub const FSK_BELL103CH2: usize = 5;
/// `FSK_BELL202`.
pub const FSK_BELL202: usize = 6;

// Linked by build.rs (`-l spandsp`).
extern "C" {
    /// `preset_fsk_specs[]`: the predefined channels, indexed by `FSK_V21CH1` and friends. Declared
    /// with length 0 because the header gives none; index it through a raw pointer.
    pub static preset_fsk_specs: [fsk_spec_t; 0];

    /// `const char *signal_status_to_str(int status)`.
    pub fn signal_status_to_str(status: c_int) -> *const c_char;

    /// `async_tx_init(s, data_bits, parity_bits, stop_bits, use_v14, get_byte, user_data)`.
    pub fn async_tx_init(
        s: *mut async_tx_state_t,
        data_bits: c_int,
        parity_bits: c_int,
        stop_bits: c_int,
        use_v14: c_int,
        get_byte: get_byte_func_t,
        user_data: *mut c_void,
    ) -> *mut async_tx_state_t;
    /// `int async_tx_free(async_tx_state_t *s)`.
    pub fn async_tx_free(s: *mut async_tx_state_t) -> c_int;
    /// `int async_tx_get_bit(void *user_data)`; `user_data` is the `async_tx_state_t`.
    pub fn async_tx_get_bit(user_data: *mut c_void) -> c_int;

    /// `async_rx_init(s, data_bits, parity_bits, stop_bits, use_v14, put_byte, user_data)`.
    pub fn async_rx_init(
        s: *mut async_rx_state_t,
        data_bits: c_int,
        parity_bits: c_int,
        stop_bits: c_int,
        use_v14: c_int,
        put_byte: put_byte_func_t,
        user_data: *mut c_void,
    ) -> *mut async_rx_state_t;
    /// `int async_rx_free(async_rx_state_t *s)`.
    pub fn async_rx_free(s: *mut async_rx_state_t) -> c_int;
    /// `void async_rx_put_bit(void *user_data, int bit)`; `user_data` is the `async_rx_state_t`.
    pub fn async_rx_put_bit(user_data: *mut c_void, bit: c_int);

    /// `fsk_tx_init(s, spec, get_bit, user_data)`.
    pub fn fsk_tx_init(
        s: *mut fsk_tx_state_t,
        spec: *const fsk_spec_t,
        get_bit: get_bit_func_t,
        user_data: *mut c_void,
    ) -> *mut fsk_tx_state_t;
    /// `int fsk_tx_free(fsk_tx_state_t *s)`.
    pub fn fsk_tx_free(s: *mut fsk_tx_state_t) -> c_int;
    /// `void fsk_tx_power(fsk_tx_state_t *s, float power)`, power in dBm0.
    pub fn fsk_tx_power(s: *mut fsk_tx_state_t, power: f32);
    /// `void fsk_tx_set_modem_status_handler(s, handler, user_data)`.
    pub fn fsk_tx_set_modem_status_handler(
        s: *mut fsk_tx_state_t,
        handler: modem_status_func_t,
        user_data: *mut c_void,
    );
    /// `int fsk_tx(fsk_tx_state_t *s, int16_t amp[], int len)`: returns the samples generated.
    pub fn fsk_tx(s: *mut fsk_tx_state_t, amp: *mut i16, len: c_int) -> c_int;

    /// `fsk_rx_init(s, spec, framing_mode, put_bit, user_data)`.
    pub fn fsk_rx_init(
        s: *mut fsk_rx_state_t,
        spec: *const fsk_spec_t,
        framing_mode: c_int,
        put_bit: put_bit_func_t,
        user_data: *mut c_void,
    ) -> *mut fsk_rx_state_t;
    /// `int fsk_rx_free(fsk_rx_state_t *s)`.
    pub fn fsk_rx_free(s: *mut fsk_rx_state_t) -> c_int;
    /// `float fsk_rx_signal_power(fsk_rx_state_t *s)`, in dBm0.
    pub fn fsk_rx_signal_power(s: *mut fsk_rx_state_t) -> f32;
    /// `void fsk_rx_signal_cutoff(fsk_rx_state_t *s, float cutoff)`, in dBm0.
    pub fn fsk_rx_signal_cutoff(s: *mut fsk_rx_state_t, cutoff: f32);
    /// `void fsk_rx_set_modem_status_handler(s, handler, user_data)`.
    pub fn fsk_rx_set_modem_status_handler(
        s: *mut fsk_rx_state_t,
        handler: modem_status_func_t,
        user_data: *mut c_void,
    );
    /// `int fsk_rx(fsk_rx_state_t *s, const int16_t *amp, int len)`: returns the samples left
    /// unprocessed.
    pub fn fsk_rx(s: *mut fsk_rx_state_t, amp: *const i16, len: c_int) -> c_int;
}
