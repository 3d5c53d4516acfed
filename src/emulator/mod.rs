//! `emulate` and `trigger`: the Scopien webhook service on this machine.

use crate::cli::{EmulateArgs, TriggerArgs};
use crate::commands::Context;
use crate::error::{Error, ExitStatus, Result};

/// `emulate`.
pub async fn emulate(_args: &EmulateArgs, _ctx: &Context) -> Result<ExitStatus> {
    Err(Error::failure("emulate is not available in this build yet"))
}

/// `trigger`.
pub async fn trigger(_args: &TriggerArgs, _ctx: &Context) -> Result<ExitStatus> {
    Err(Error::failure("trigger is not available in this build yet"))
}
