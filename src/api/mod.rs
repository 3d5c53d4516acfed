//! The Scopien management API: the models shared by the client and the emulator,
//! and the typed client the management commands use.

pub mod client;
pub mod models;
