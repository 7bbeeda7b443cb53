//! The phone module's tests: the wire format ([`super::wire`]) and the controller
//! ([`super::control`]), which runs against the simulated phone.

mod control;
mod wire;
