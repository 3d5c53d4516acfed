//! The Scopien management API: the models shared by the client and the emulator.

pub mod models;
