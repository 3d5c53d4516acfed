//! scopien-hooks: the command-line companion for Scopien AI webhooks.
//!
//! The binary is a thin wrapper around [`main_entry`]; everything else lives here
//! so that tests and benchmarks can drive it in-process.

pub mod api;
pub mod catalog;
pub mod cli;
pub mod commands;
pub mod config;
pub mod emulator;
pub mod env;
pub mod error;
pub mod ids;
pub mod listen;
pub mod manage;
pub mod output;
pub mod payload;
pub mod send;
pub mod settings;
pub mod signals;
pub mod signature;
pub mod units;

use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;

pub use error::{Error, ExitStatus, Result};

/// Parses the command line, runs the command and returns the exit code.
pub fn main_entry() -> ExitCode {
    run(cli::Cli::parse())
}

/// Runs a parsed command line and returns the exit code.
pub fn run(cli: cli::Cli) -> ExitCode {
    let settings = settings::Settings::resolve(&cli.global);
    let printer = settings.printer();
    let ctx = commands::Context { settings, printer };
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            ctx.printer.error(&Error::failure(format!("cannot start the async runtime: {e}")));
            return ExitCode::from(1);
        }
    };
    let result = runtime.block_on(commands::dispatch(cli.command, &ctx));
    // Do not wait for idle keep-alive connections or blocked stdin readers.
    runtime.shutdown_timeout(Duration::from_millis(100));
    match result {
        Ok(status) => ExitCode::from(status.code()),
        Err(err) => {
            ctx.printer.error(&err);
            ExitCode::from(err.exit_code())
        }
    }
}
