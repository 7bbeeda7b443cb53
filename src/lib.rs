//! softmodem: a software modem, sans-IO, for native use and for a web page.
//!
//! Samples and bytes go in, samples and bytes come out; time is counted in samples at
//! [`dsp::SAMPLE_RATE`]. Nothing here reads a clock, starts a thread or touches a device, so the
//! same code runs in tests, the `softmodem` command and an AudioWorklet.
#![deny(missing_docs)]

pub mod automode;
pub mod bits;
pub mod dce;
pub mod demo;
pub mod dsp;
pub mod fsk;
pub mod host;
pub mod line;
pub mod modem;
pub mod panel;
pub mod phone;
pub mod queue;
pub mod rng;
pub mod startstop;
pub mod tones;
pub mod wav;

pub mod bert;
#[cfg(not(target_arch = "wasm32"))]
pub mod codec;
#[doc(hidden)]
pub mod fuzzing;
pub mod g711;
pub mod hayes;
pub mod v22bis;
pub mod v8;
#[cfg(target_arch = "wasm32")]
pub mod web;
