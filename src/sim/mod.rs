//! Simulation and test machinery, apart from the product: the line simulator, the back-to-back
//! call harness, the BER tester, the seeded random numbers, a simulated TS 27.007 phone, the
//! page's demo (a BBS behind a simulated line, and its host), speech-codec round trips and the CPU benchmark.
//!
//! Behind the `sim` cargo feature, which the tests, the benchmarks, the CLI (`cli`) and the page's
//! WebAssembly (`web`, for its demo) turn on; an embedder of the modem alone leaves it off.
//!
//! | module | what |
//! |---|---|
//! | [`line`](mod@line) | [`line::Direction`], [`line::Line`]: seeded impairments (noise, offsets, echo, band, G.711, dropouts); [`line::Impaired`] wraps any [`crate::LineEndpoint`] |
//! | [`call`] | [`call::BackToBack`]: two endpoints over a line, block by block |
//! | [`bert`] | The O.152 pattern, its error counter, a V.22bis pump sending and checking it |
//! | [`byte_link`] | [`byte_link::run`]: two file-transfer ends over a paced byte link that changes, drops and inserts octets from a seed ([`byte_link::Damage`] for any stream) |
//! | [`rng`] | A small seeded generator (uniform, Gaussian) |
//! | [`text`] | English-like test text (words of a small vocabulary in lines) |
//! | [`signals`] | Test signals: noise, tones, cadenced tones, something like speech |
//! | [`phone`] | [`phone::SimulatedPhone`]: a phone on a serial port as TS 27.007 describes one (not a real phone) |
//! | [`demo`] | [`demo::PhoneDemo`]: the page's demonstration, a Hayes modem dialling a simulated BBS |
//! | [`dialup`] | [`dialup::DialupServer`]: the demo's dial-up server, a login prompt, PPP, and a web server, the BBS over telnet and DNS on its far network |
//! | [`bbs`] | [`bbs::Host`]: the demo BBS's host, ANSI screens for a CP437 terminal, a menu, chat, art, a files area (downloads and uploads by ZMODEM, YMODEM, XMODEM) |
//! | `codec` | Speech-codec round trips through sox (native only) |
//! | [`bench`](mod@bench) | The V.22bis CPU benchmark, native and WebAssembly |

pub mod bbs;
pub mod bench;
pub mod bert;
pub mod byte_link;
pub mod call;
#[cfg(not(target_arch = "wasm32"))]
pub mod codec;
pub mod demo;
pub mod dialup;
pub mod g729;
pub mod line;
pub mod phone;
pub mod rng;
pub mod signals;
pub mod terminal_bench;
pub mod text;
