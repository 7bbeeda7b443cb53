//! spandsp's signal status codes (`SIG_STATUS_*` in `async.h`): negative values that travel through
//! the same callbacks as bits and bytes.

use core::ffi::{c_int, CStr};

use crate::ffi;

/// A `SIG_STATUS_*` code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(i32)]
pub enum SigStatus {
    /// `SIG_STATUS_CARRIER_DOWN`: the carrier has dropped.
    CarrierDown = -1,
    /// `SIG_STATUS_CARRIER_UP`: carrier energy has been seen.
    CarrierUp = -2,
    /// `SIG_STATUS_TRAINING_IN_PROGRESS`.
    TrainingInProgress = -3,
    /// `SIG_STATUS_TRAINING_SUCCEEDED`.
    TrainingSucceeded = -4,
    /// `SIG_STATUS_TRAINING_FAILED`.
    TrainingFailed = -5,
    /// `SIG_STATUS_FRAMING_OK`.
    FramingOk = -6,
    /// `SIG_STATUS_END_OF_DATA`: the data stream has ended.
    EndOfData = -7,
    /// `SIG_STATUS_ABORT`.
    Abort = -8,
    /// `SIG_STATUS_BREAK`: an async break was received.
    Break = -9,
    /// `SIG_STATUS_SHUTDOWN_COMPLETE`: a modem has finished and shut down.
    ShutdownComplete = -10,
    /// `SIG_STATUS_OCTET_REPORT`.
    OctetReport = -11,
    /// `SIG_STATUS_POOR_SIGNAL_QUALITY`.
    PoorSignalQuality = -12,
    /// `SIG_STATUS_MODEM_RETRAIN_OCCURRED`.
    ModemRetrainOccurred = -13,
    /// `SIG_STATUS_LINK_CONNECTED`.
    LinkConnected = -14,
    /// `SIG_STATUS_LINK_DISCONNECTED`.
    LinkDisconnected = -15,
    /// `SIG_STATUS_LINK_ERROR`.
    LinkError = -16,
}

impl SigStatus {
    /// The status for a raw code, if it is one spandsp 0.0.6 declares.
    pub fn from_raw(code: i32) -> Option<SigStatus> {
        use SigStatus::*;
        Some(match code {
            -1 => CarrierDown,
            -2 => CarrierUp,
            -3 => TrainingInProgress,
            -4 => TrainingSucceeded,
            -5 => TrainingFailed,
            -6 => FramingOk,
            -7 => EndOfData,
            -8 => Abort,
            -9 => Break,
            -10 => ShutdownComplete,
            -11 => OctetReport,
            -12 => PoorSignalQuality,
            -13 => ModemRetrainOccurred,
            -14 => LinkConnected,
            -15 => LinkDisconnected,
            -16 => LinkError,
            _ => return None,
        })
    }

    /// The raw code.
    pub fn raw(self) -> i32 {
        self as i32
    }
}

/// spandsp's own short description of a status code (`signal_status_to_str`).
pub fn describe(code: i32) -> String {
    // SAFETY: signal_status_to_str returns a pointer to a static string (or null).
    unsafe {
        let p = ffi::signal_status_to_str(code as c_int);
        if p.is_null() {
            return format!("status {code}");
        }
        CStr::from_ptr(p).to_string_lossy().into_owned()
    }
}
