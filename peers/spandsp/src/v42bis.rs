//! spandsp's V.42bis codec (`v42bis.h`): one context holds a compressor and a decompressor, each
//! handing its output to a callback, collected here into byte vectors.

use core::ffi::{c_int, c_void};

use crate::ffi;

/// `V42BIS_COMPRESSION_MODE_*`: whether the compressor may go transparent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(i32)]
pub enum CompressionMode {
    /// `V42BIS_COMPRESSION_MODE_DYNAMIC`: by its own test.
    Dynamic = 0,
    /// `V42BIS_COMPRESSION_MODE_ALWAYS`: compressed mode only.
    Always = 1,
    /// `V42BIS_COMPRESSION_MODE_NEVER`: transparent mode only.
    Never = 2,
}

#[derive(Default)]
struct Sinks {
    compressed: Vec<u8>,
    decompressed: Vec<u8>,
}

unsafe fn put(user_data: *mut c_void, msg: *const u8, len: c_int, which: fn(&mut Sinks) -> &mut Vec<u8>) {
    if msg.is_null() || len <= 0 {
        return;
    }
    // SAFETY: user_data is the Box<Sinks> the V42bis owns; msg has len bytes, per the header.
    let sinks = unsafe { &mut *(user_data as *mut Sinks) };
    which(sinks).extend_from_slice(unsafe { core::slice::from_raw_parts(msg, len as usize) });
}

unsafe extern "C" fn put_compressed(user_data: *mut c_void, msg: *const u8, len: c_int) {
    unsafe { put(user_data, msg, len, |s| &mut s.compressed) }
}

unsafe extern "C" fn put_decompressed(user_data: *mut c_void, msg: *const u8, len: c_int) {
    unsafe { put(user_data, msg, len, |s| &mut s.decompressed) }
}

/// A spandsp V.42bis context (both directions: P0 = 3).
pub struct V42bis {
    s: *mut ffi::v42bis_state_t,
    sinks: Box<Sinks>,
}

impl V42bis {
    /// `v42bis_init` with P1 = `n2` codewords and P2 = `n7` characters; `None` if spandsp refuses.
    pub fn new(n2: u16, n7: u8) -> Option<Self> {
        let mut sinks = Box::<Sinks>::default();
        let ud = &mut *sinks as *mut Sinks as *mut c_void;
        // SAFETY: a null state asks spandsp to allocate; the callbacks and their user data live
        // as long as the context (freed in Drop before the Box).
        let s = unsafe {
            ffi::v42bis_init(
                core::ptr::null_mut(),
                3,
                n2 as c_int,
                n7 as c_int,
                Some(put_compressed),
                ud,
                1024,
                Some(put_decompressed),
                ud,
                1024,
            )
        };
        (!s.is_null()).then_some(Self { s, sinks })
    }

    /// `v42bis_compression_control`.
    pub fn set_mode(&mut self, mode: CompressionMode) {
        // SAFETY: a live context.
        unsafe { ffi::v42bis_compression_control(self.s, mode as c_int) }
    }

    /// `v42bis_compress`.
    pub fn compress(&mut self, data: &[u8]) {
        // SAFETY: a live context and a valid buffer.
        unsafe { ffi::v42bis_compress(self.s, data.as_ptr(), data.len() as c_int) };
    }

    /// `v42bis_compress_flush`.
    pub fn compress_flush(&mut self) {
        // SAFETY: a live context.
        unsafe { ffi::v42bis_compress_flush(self.s) };
    }

    /// `v42bis_decompress`.
    pub fn decompress(&mut self, data: &[u8]) {
        // SAFETY: a live context and a valid buffer.
        unsafe { ffi::v42bis_decompress(self.s, data.as_ptr(), data.len() as c_int) };
    }

    /// `v42bis_decompress_flush`.
    pub fn decompress_flush(&mut self) {
        // SAFETY: a live context.
        unsafe { ffi::v42bis_decompress_flush(self.s) };
    }

    /// What the compressor has handed over since the last call.
    pub fn take_compressed(&mut self) -> Vec<u8> {
        core::mem::take(&mut self.sinks.compressed)
    }

    /// What the decompressor has handed over since the last call.
    pub fn take_decompressed(&mut self) -> Vec<u8> {
        core::mem::take(&mut self.sinks.decompressed)
    }
}

impl Drop for V42bis {
    fn drop(&mut self) {
        // SAFETY: made by v42bis_init with a null state, freed once.
        unsafe { ffi::v42bis_free(self.s) };
    }
}
