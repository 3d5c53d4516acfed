//! Outbound HTTP exchanges: what every client in the tool (send-test and
//! replay, listen forwarding, the emulator's deliveries, the management API
//! client) shares once. [`Failure`] says why an exchange got no answer (refused,
//! timeout, TLS, protocol) and names the other end; [`capture()`] keeps the
//! first bytes of an answer; [`cause`] reads an error's chain of causes;
//! [`hop_by_hop`] lists the headers a request passed on leaves out.

pub mod capture;
pub mod cause;
pub mod failure;
pub mod hop_by_hop;

pub use capture::{Captured, Cut, Rest, capture};
pub use failure::{Failure, FailureKind, host_port};
