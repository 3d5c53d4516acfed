//! The management commands: create, list, get, update, disable, enable, delete,
//! deliveries, redeliver, login, logout, `send-test wh_…` and `listen --register`.

use crate::cli::Command;
use crate::commands::Context;
use crate::error::{Error, ExitStatus, Result};

/// Runs one management command (any command routed here by `dispatch`).
pub async fn run(_command: Command, _ctx: &Context) -> Result<ExitStatus> {
    Err(Error::failure("management commands are not available in this build yet"))
}
