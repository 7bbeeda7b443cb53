//! Controlling the phone that carries the call, over its serial AT port (Web Serial in the page).
//!
//! The modem needs a voice call; a phone (or a USB cellular modem, or a phone paired as a
//! Bluetooth hands-free device through an OS serial port) places and answers it. This module
//! speaks 3GPP TS 27.007 / ITU-T V.250 call control to it, sans-IO like the rest of the crate:
//!
//! - [`wire`]: the commands sent ([`wire::Command`]) and the responses received
//!   ([`wire::Response`], from raw serial bytes split into lines), each parsed and emitted;
//! - [`control`]: [`PhoneControl`], the call-control state machine (dial, answer, hang up, and the
//!   events that say when to start the modem).
//!
//! A simulator of TS 27.007 behaviour to test against and to demonstrate with (not a real phone)
//! is [`crate::sim::phone::SimulatedPhone`], with the rest of the simulation machinery.
//!
//! Many phones offer no voice-call AT channel at all; then the person dials on the handset and
//! none of this is used.

pub mod control;
pub mod wire;

#[cfg(test)]
mod tests;

pub use control::{Config, EndReason, PhoneControl, PhoneEvent, Profile, Refused};
