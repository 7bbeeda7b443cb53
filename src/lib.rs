//! softmodem: a software modem, sans-IO, for native use and for a web page.
//!
//! Samples and bytes go in, samples and bytes come out; time is counted in samples at 8000 Hz
//! ([`time`]). Nothing here reads a clock, starts a thread or touches a device, so the same code
//! runs in tests, the `softmodem` command and an AudioWorklet.
//!
//! # The layers, from the bottom
//!
//! Each layer uses only those below it (an integration test checks the module graph).
//!
//! | layer | modules | what |
//! |---|---|---|
//! | words | [`time`], [`types`], [`queue`], [`bits`] | [`Duration`]/[`Instant`] in samples; [`Role`], [`Family`], [`Modes`], [`LineEndpoint`]; bounded queues; the bit interfaces between pumps and framing |
//! | DSP | [`dsp`], [`g711`], [`wav`] | oscillators, filters, AGC, timing recovery, resampling; G.711; WAV files |
//! | modulations | [`fsk`], [`v22bis`], [`startstop`], [`hdlc`] | Bell 103/202, V.21, V.23; V.22/V.22bis with its start-up and retrains; start-stop characters (V.14); HDLC frames (the framing of V.42's LAPM) |
//! | start of a call | [`tones`], [`v8`], [`automode`] | DTMF, call progress and answer tones; V.8; recognising the far modem in either role |
//! | the modem | [`modem`] | [`Modem`]: line samples in and out, bytes in and out, events |
//! | link protocols | [`v42`], [`v42bis`], [`link`], [`transfer`], [`ppp`], [`net`], [`telnet`] | V.42 error control (detection, LAPM) and V.42bis data compression; [`link::Link`], a modem with them, as the DCE uses it; file transfer (ZMODEM, YMODEM, XMODEM) over the link's bytes; PPP (framing, LCP, PAP/CHAP, IPCP: RFC 1661, 1662, 1334, 1994, 1332, 1877) and a chat(8)-style login script before it; TCP/IP on PPP (smoltcp), DNS, a web fetch; a telnet client's protocol engine (RFC 854, 855, 1143 and the options a BBS terminal needs) |
//! | the Hayes modem | [`hayes`], [`phone`], [`dce`] | the V.250 interpreter; TS 27.007 call control of a phone; [`Dce`], all of it wired together |
//! | the host's edge | [`host`], [`panel`], [`terminal`] | [`HostAdapter`]: any sample rate and block size; the status panel's snapshot; the ANSI-BBS terminal (code page 437, iCE colours, ANSI music), which uses nothing of the modem |
//! | the page | `web` (WebAssembly only) | the bindings the page's AudioWorklet uses |
//!
//! Apart from the product, behind the `sim` feature: [`sim`], the line simulator, the
//! back-to-back call harness, the BER tester, a simulated phone, the page's demo and the CPU
//! benchmark. The `fuzzing` feature adds the fuzz targets' bodies.
//!
//! # What an embedder uses
//!
//! - [`Modem`] and its [`ModemConfig`]: one modem, any of the modulations or automode.
//! - [`Dce`] and its [`DceConfig`]: the Hayes modem a terminal talks to, with phone control.
//! - [`HostAdapter`] around either (both are a [`LineEndpoint`]) for audio at the host's rate.
//!
//! ```
//! use softmodem::{Dce, DceConfig, HostAdapter};
//! let mut modem = HostAdapter::new(Dce::new(DceConfig::default()), 48_000.0);
//! modem.inner_mut().from_terminal(b"AT\r");
//! let (input, mut output) = ([0.0f32; 128], [0.0f32; 128]);
//! modem.process(&input, &mut output);
//! let mut out = [0u8; 64];
//! let n = modem.inner_mut().to_terminal(&mut out);
//! assert_eq!(&out[..n], b"AT\r\r\nOK\r\n");
//! ```
#![deny(missing_docs)]
#![cfg_attr(not(all(target_arch = "wasm32", feature = "web")), forbid(unsafe_code))]
#![cfg_attr(all(target_arch = "wasm32", feature = "web"), deny(unsafe_code))]

// Words every layer shares.
pub mod bits;
pub mod queue;
pub mod time;
pub mod types;

// Signal processing and formats.
pub mod dsp;
pub mod g711;
pub mod wav;

// Modulations.
pub mod fsk;
pub mod hdlc;
pub mod startstop;
pub mod v22bis;

// The start of a call.
pub mod automode;
pub mod tones;
pub mod v8;

// The modem.
pub mod modem;

// Link protocols.
pub mod link;
pub mod net;
pub mod ppp;
pub mod telnet;
pub mod transfer;
pub mod v42;
pub mod v42bis;

// The Hayes modem.
pub mod dce;
pub mod hayes;
pub mod phone;

// The host's edge.
pub mod host;
pub mod panel;
pub mod terminal;

// The page's bindings (the only module that knows about the browser).
#[cfg(all(target_arch = "wasm32", feature = "web"))]
#[allow(unsafe_code)]
pub mod web;

// Apart from the product.
#[cfg(feature = "sim")]
pub mod sim;

#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing;

pub use dce::{Config as DceConfig, Dce};
pub use host::HostAdapter;
pub use modem::{Config as ModemConfig, Event as ModemEvent, Modem};
pub use time::{Duration, Instant};
pub use types::{Family, LineEndpoint, Modes, Role};
