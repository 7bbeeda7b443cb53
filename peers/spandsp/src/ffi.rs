//! Raw declarations of the parts of spandsp's public C API that this crate uses, written by hand
//! from `/usr/include/spandsp/{async,fsk,v22bis,v29rx,complex,logging,hdlc}.h` (spandsp 0.0.6).
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

/// Opaque `v22bis_state_t`.
#[repr(C)]
pub struct v22bis_state_t {
    _private: [u8; 0],
}

/// Opaque `logging_state_t`.
#[repr(C)]
pub struct logging_state_t {
    _private: [u8; 0],
}

/// `complexf_t` (`complex.h`): a complex number of two `float`s.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct complexf_t {
    /// Real part.
    pub re: f32,
    /// Imaginary part.
    pub im: f32,
}

/// `qam_report_handler_t` (declared in `v29rx.h`, used by `v22bis.h` too): reports one received
/// symbol, the equalised constellation point and the ideal point it was decided to be.
pub type qam_report_handler_t = Option<
    unsafe extern "C" fn(user_data: *mut c_void, constel: *const complexf_t, target: *const complexf_t, symbol: c_int),
>;

/// `message_handler_func_t` (`logging.h`): takes one formatted log line.
pub type message_handler_func_t = Option<unsafe extern "C" fn(level: c_int, text: *const c_char)>;

/// `V22BIS_GUARD_TONE_NONE`.
pub const V22BIS_GUARD_TONE_NONE: c_int = 0;
/// `V22BIS_GUARD_TONE_550HZ`.
pub const V22BIS_GUARD_TONE_550HZ: c_int = 1;
/// `V22BIS_GUARD_TONE_1800HZ`.
pub const V22BIS_GUARD_TONE_1800HZ: c_int = 2;

/// `SPAN_LOG_SHOW_SAMPLE_TIME` (`logging.h`): prefix log lines with the sample time.
pub const SPAN_LOG_SHOW_SAMPLE_TIME: c_int = 0x0200;
/// `SPAN_LOG_SHOW_TAG` (`logging.h`): prefix log lines with the tag.
pub const SPAN_LOG_SHOW_TAG: c_int = 0x2000;
/// `SPAN_LOG_FLOW` (`logging.h`): the log level that reports protocol flow.
pub const SPAN_LOG_FLOW: c_int = 5;

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

    /// `v22bis_init(s, bit_rate, guard, calling_party, get_bit, get_bit_user_data, put_bit,
    /// put_bit_user_data)`: `bit_rate` 1200 or 2400, `guard` one of `V22BIS_GUARD_TONE_*`.
    pub fn v22bis_init(
        s: *mut v22bis_state_t,
        bit_rate: c_int,
        guard: c_int,
        calling_party: c_int,
        get_bit: get_bit_func_t,
        get_bit_user_data: *mut c_void,
        put_bit: put_bit_func_t,
        put_bit_user_data: *mut c_void,
    ) -> *mut v22bis_state_t;
    /// `int v22bis_free(v22bis_state_t *s)`.
    pub fn v22bis_free(s: *mut v22bis_state_t) -> c_int;
    /// `int v22bis_restart(v22bis_state_t *s, int bit_rate)`: 0, or -1 for a bad bit rate.
    pub fn v22bis_restart(s: *mut v22bis_state_t, bit_rate: c_int) -> c_int;
    /// `int v22bis_request_retrain(v22bis_state_t *s, int bit_rate)`: 0, or -1 if rejected.
    pub fn v22bis_request_retrain(s: *mut v22bis_state_t, bit_rate: c_int) -> c_int;
    /// `int v22bis_remote_loopback(v22bis_state_t *s, int enable)`: 0, or -1 if rejected.
    pub fn v22bis_remote_loopback(s: *mut v22bis_state_t, enable: c_int) -> c_int;
    /// `int v22bis_get_current_bit_rate(v22bis_state_t *s)`.
    pub fn v22bis_get_current_bit_rate(s: *mut v22bis_state_t) -> c_int;
    /// `logging_state_t *v22bis_get_logging_state(v22bis_state_t *s)`.
    pub fn v22bis_get_logging_state(s: *mut v22bis_state_t) -> *mut logging_state_t;
    /// `void v22bis_set_get_bit(s, get_bit, user_data)`.
    pub fn v22bis_set_get_bit(s: *mut v22bis_state_t, get_bit: get_bit_func_t, user_data: *mut c_void);
    /// `void v22bis_set_put_bit(s, put_bit, user_data)`.
    pub fn v22bis_set_put_bit(s: *mut v22bis_state_t, put_bit: put_bit_func_t, user_data: *mut c_void);
    /// `void v22bis_set_modem_status_handler(s, handler, user_data)`.
    pub fn v22bis_set_modem_status_handler(
        s: *mut v22bis_state_t,
        handler: modem_status_func_t,
        user_data: *mut c_void,
    );
    /// `int v22bis_tx(v22bis_state_t *s, int16_t amp[], int len)`: returns the samples generated.
    pub fn v22bis_tx(s: *mut v22bis_state_t, amp: *mut i16, len: c_int) -> c_int;
    /// `void v22bis_tx_power(v22bis_state_t *s, float power)`, power in dBm0.
    pub fn v22bis_tx_power(s: *mut v22bis_state_t, power: f32);
    /// `int v22bis_rx(v22bis_state_t *s, const int16_t amp[], int len)`: returns the samples left
    /// unprocessed.
    pub fn v22bis_rx(s: *mut v22bis_state_t, amp: *const i16, len: c_int) -> c_int;
    /// `int v22bis_rx_fillin(v22bis_state_t *s, int len)`: fakes `len` missing samples.
    pub fn v22bis_rx_fillin(s: *mut v22bis_state_t, len: c_int) -> c_int;
    /// `int v22bis_rx_equalizer_state(v22bis_state_t *s, complexf_t **coeffs)`: points `*coeffs` at
    /// the equaliser's coefficients (inside the state) and returns how many there are.
    pub fn v22bis_rx_equalizer_state(s: *mut v22bis_state_t, coeffs: *mut *mut complexf_t) -> c_int;
    /// `float v22bis_rx_carrier_frequency(v22bis_state_t *s)`, in Hz.
    pub fn v22bis_rx_carrier_frequency(s: *mut v22bis_state_t) -> f32;
    /// `float v22bis_rx_symbol_timing_correction(v22bis_state_t *s)`.
    pub fn v22bis_rx_symbol_timing_correction(s: *mut v22bis_state_t) -> f32;
    /// `float v22bis_rx_signal_power(v22bis_state_t *s)`, in dBm0.
    pub fn v22bis_rx_signal_power(s: *mut v22bis_state_t) -> f32;
    /// `void v22bis_rx_signal_cutoff(v22bis_state_t *s, float cutoff)`, in dBm0.
    pub fn v22bis_rx_signal_cutoff(s: *mut v22bis_state_t, cutoff: f32);
    /// `void v22bis_rx_set_qam_report_handler(s, handler, user_data)`.
    pub fn v22bis_rx_set_qam_report_handler(
        s: *mut v22bis_state_t,
        handler: qam_report_handler_t,
        user_data: *mut c_void,
    );

    /// `int span_log_set_level(logging_state_t *s, int level)`: level is a `SPAN_LOG_*` severity
    /// ORed with `SPAN_LOG_SHOW_*` flags.
    pub fn span_log_set_level(s: *mut logging_state_t, level: c_int) -> c_int;
    /// `int span_log_set_tag(logging_state_t *s, const char *tag)`.
    pub fn span_log_set_tag(s: *mut logging_state_t, tag: *const c_char) -> c_int;
    /// `void span_log_set_message_handler(logging_state_t *s, message_handler_func_t func)`.
    pub fn span_log_set_message_handler(s: *mut logging_state_t, func: message_handler_func_t);

    /// `v42bis_state_t *v42bis_init(s, negotiated_p0, negotiated_p1, negotiated_p2,
    /// encode_handler, encode_user_data, max_encode_len, decode_handler, decode_user_data,
    /// max_decode_len)` (`v42bis.h`).
    #[allow(clippy::too_many_arguments)]
    pub fn v42bis_init(
        s: *mut v42bis_state_t,
        negotiated_p0: c_int,
        negotiated_p1: c_int,
        negotiated_p2: c_int,
        encode_handler: put_msg_func_t,
        encode_user_data: *mut c_void,
        max_encode_len: c_int,
        decode_handler: put_msg_func_t,
        decode_user_data: *mut c_void,
        max_decode_len: c_int,
    ) -> *mut v42bis_state_t;
    /// `int v42bis_free(v42bis_state_t *s)`.
    pub fn v42bis_free(s: *mut v42bis_state_t) -> c_int;
    /// `int v42bis_compress(v42bis_state_t *s, const uint8_t buf[], int len)`.
    pub fn v42bis_compress(s: *mut v42bis_state_t, buf: *const u8, len: c_int) -> c_int;
    /// `int v42bis_compress_flush(v42bis_state_t *s)`.
    pub fn v42bis_compress_flush(s: *mut v42bis_state_t) -> c_int;
    /// `int v42bis_decompress(v42bis_state_t *s, const uint8_t buf[], int len)`.
    pub fn v42bis_decompress(s: *mut v42bis_state_t, buf: *const u8, len: c_int) -> c_int;
    /// `int v42bis_decompress_flush(v42bis_state_t *s)`.
    pub fn v42bis_decompress_flush(s: *mut v42bis_state_t) -> c_int;
    /// `void v42bis_compression_control(v42bis_state_t *s, int mode)`.
    pub fn v42bis_compression_control(s: *mut v42bis_state_t, mode: c_int);
}

// HDLC framing (`hdlc.h`).

/// Opaque `hdlc_rx_state_t`.
#[repr(C)]
pub struct hdlc_rx_state_t {
    _private: [u8; 0],
}

/// Opaque `hdlc_tx_state_t`.
#[repr(C)]
pub struct hdlc_tx_state_t {
    _private: [u8; 0],
}

/// `hdlc_frame_handler_t`: takes a received frame (`pkt`, `len` octets, CRC not included) and
/// whether its CRC was good (`ok`).
pub type hdlc_frame_handler_t =
    Option<unsafe extern "C" fn(user_data: *mut c_void, pkt: *const u8, len: c_int, ok: c_int)>;
/// `hdlc_underflow_handler_t`: the transmitter has nothing more to send.
pub type hdlc_underflow_handler_t = Option<unsafe extern "C" fn(user_data: *mut c_void)>;

/// `hdlc_rx_stats_t`: the receiver's counts.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct hdlc_rx_stats_t {
    /// Octets of good frames received (CRC not included).
    pub bytes: core::ffi::c_ulong,
    /// Good frames received.
    pub good_frames: core::ffi::c_ulong,
    /// Frames with CRC errors.
    pub crc_errors: core::ffi::c_ulong,
    /// Too short and too long frames.
    pub length_errors: core::ffi::c_ulong,
    /// Aborts received.
    pub aborts: core::ffi::c_ulong,
}

extern "C" {
    /// `hdlc_rx_state_t *hdlc_rx_init(s, crc32, report_bad_frames, framing_ok_threshold, handler,
    /// user_data)`.
    pub fn hdlc_rx_init(
        s: *mut hdlc_rx_state_t,
        crc32: c_int,
        report_bad_frames: c_int,
        framing_ok_threshold: c_int,
        handler: hdlc_frame_handler_t,
        user_data: *mut c_void,
    ) -> *mut hdlc_rx_state_t;
    /// `int hdlc_rx_free(hdlc_rx_state_t *s)`.
    pub fn hdlc_rx_free(s: *mut hdlc_rx_state_t) -> c_int;
    /// `void hdlc_rx_set_max_frame_len(hdlc_rx_state_t *s, size_t max_len)`.
    pub fn hdlc_rx_set_max_frame_len(s: *mut hdlc_rx_state_t, max_len: usize);
    /// `int hdlc_rx_get_stats(hdlc_rx_state_t *s, hdlc_rx_stats_t *t)`: 0, or -1.
    pub fn hdlc_rx_get_stats(s: *mut hdlc_rx_state_t, t: *mut hdlc_rx_stats_t) -> c_int;
    /// `void hdlc_rx_put_bit(hdlc_rx_state_t *s, int new_bit)`.
    pub fn hdlc_rx_put_bit(s: *mut hdlc_rx_state_t, new_bit: c_int);
    /// `hdlc_tx_state_t *hdlc_tx_init(s, crc32, inter_frame_flags, progressive, handler,
    /// user_data)`.
    pub fn hdlc_tx_init(
        s: *mut hdlc_tx_state_t,
        crc32: c_int,
        inter_frame_flags: c_int,
        progressive: c_int,
        handler: hdlc_underflow_handler_t,
        user_data: *mut c_void,
    ) -> *mut hdlc_tx_state_t;
    /// `int hdlc_tx_free(hdlc_tx_state_t *s)`.
    pub fn hdlc_tx_free(s: *mut hdlc_tx_state_t) -> c_int;
    /// `int hdlc_tx_frame(hdlc_tx_state_t *s, const uint8_t *frame, size_t len)`: 0 if accepted,
    /// else -1.
    pub fn hdlc_tx_frame(s: *mut hdlc_tx_state_t, frame: *const u8, len: usize) -> c_int;
    /// `int hdlc_tx_abort(hdlc_tx_state_t *s)`: 0 if the frame was aborted, else -1.
    pub fn hdlc_tx_abort(s: *mut hdlc_tx_state_t) -> c_int;
    /// `int hdlc_tx_get_bit(hdlc_tx_state_t *s)`: the next bit, or a negative status.
    pub fn hdlc_tx_get_bit(s: *mut hdlc_tx_state_t) -> c_int;
}
/// Opaque `v42bis_state_t`.
#[repr(C)]
pub struct v42bis_state_t {
    _private: [u8; 0],
}

/// `put_msg_func_t` (`async.h`): `void (*)(void *user_data, const uint8_t *msg, int len)`.
pub type put_msg_func_t = Option<unsafe extern "C" fn(user_data: *mut c_void, msg: *const u8, len: c_int)>;

// V.42 error control (`v42.h`).

/// Opaque `v42_state_t`.
#[repr(C)]
pub struct v42_state_t {
    _private: [u8; 0],
}

/// `get_msg_func_t` (`async.h`): `int (*)(void *user_data, uint8_t *msg, int max_len)`: fills
/// `msg` with up to `max_len` octets, returns how many.
pub type get_msg_func_t = Option<unsafe extern "C" fn(user_data: *mut c_void, msg: *mut u8, max_len: c_int) -> c_int>;

extern "C" {
    /// `v42_state_t *v42_init(s, calling_party, detect, iframe_get, iframe_put, user_data)`.
    pub fn v42_init(
        s: *mut v42_state_t,
        calling_party: c_int,
        detect: c_int,
        iframe_get: get_msg_func_t,
        iframe_put: put_msg_func_t,
        user_data: *mut c_void,
    ) -> *mut v42_state_t;
    /// `int v42_free(v42_state_t *s)`.
    pub fn v42_free(s: *mut v42_state_t) -> c_int;
    /// `void v42_rx_bit(void *user_data, int bit)`: user_data is the V.42 context.
    pub fn v42_rx_bit(user_data: *mut c_void, bit: c_int);
    /// `int v42_tx_bit(void *user_data)`: user_data is the V.42 context.
    pub fn v42_tx_bit(user_data: *mut c_void) -> c_int;
    /// `void v42_set_status_callback(v42_state_t *s, modem_status_func_t callback, void *user_data)`.
    pub fn v42_set_status_callback(s: *mut v42_state_t, callback: modem_status_func_t, user_data: *mut c_void);
    /// `int v42_set_local_busy_status(v42_state_t *s, int busy)`.
    pub fn v42_set_local_busy_status(s: *mut v42_state_t, busy: c_int) -> c_int;
    /// `int v42_get_far_busy_status(v42_state_t *s)`.
    pub fn v42_get_far_busy_status(s: *mut v42_state_t) -> c_int;
    /// `void v42_restart(v42_state_t *s)`.
    pub fn v42_restart(s: *mut v42_state_t);
    /// `int v42_release(v42_state_t *s)`.
    pub fn v42_release(s: *mut v42_state_t) -> c_int;
    /// `const char *lapm_status_to_str(int status)`.
    pub fn lapm_status_to_str(status: c_int) -> *const c_char;
}
