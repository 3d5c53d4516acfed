//! `listen`: receive, verify, show, filter, save and forward deliveries.

use crate::cli::ListenArgs;
use crate::commands::Context;
use crate::error::{Error, ExitStatus, Result};

/// Runs the listener until `--max-events`, `--timeout`, Ctrl-C or SIGTERM, then
/// returns (it never exits the process itself). `extra_secrets` are verified
/// with in addition to `--secret` (used by `--register`).
pub async fn run(_args: &ListenArgs, _ctx: &Context, _extra_secrets: Vec<String>) -> Result<ExitStatus> {
    Err(Error::failure("listen is not available in this build yet"))
}
