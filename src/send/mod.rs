//! `send-test URL` and `replay`: signed test events to any URL.

use crate::cli::{ReplayArgs, SendTestArgs};
use crate::commands::Context;
use crate::error::{Error, ExitStatus, Result};

/// `send-test URL`.
pub async fn send_test(_args: &SendTestArgs, _ctx: &Context) -> Result<ExitStatus> {
    Err(Error::failure("send-test is not available in this build yet"))
}

/// `replay FILE --to URL`.
pub async fn replay(_args: &ReplayArgs, _ctx: &Context) -> Result<ExitStatus> {
    Err(Error::failure("replay is not available in this build yet"))
}
