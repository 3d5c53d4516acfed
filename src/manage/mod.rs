//! The management commands: create, list, get, update, disable, enable, delete,
//! deliveries, redeliver, login, logout, `send-test wh_…` and `listen --register`.
//!
//! Every check on the arguments happens before the first request; a failed check
//! is a usage error (exit 2) and nothing is sent.

pub mod auth;
pub mod checks;
pub mod deliveries;
pub mod prompts;
pub mod register;
pub mod views;
pub mod webhooks;

use crate::api::client::Client;
use crate::cli::Command;
use crate::context::Context;
use crate::error::{Error, ExitStatus, Result};

/// Makes the API client (which needs an API key) once a command's own checks have
/// passed, so a bad flag is reported as such even when no key is configured.
pub type MakeClient<'a> = &'a dyn Fn() -> Result<Client>;

/// Runs one management command (any command routed here by `dispatch`).
pub async fn run(command: Command, ctx: &Context) -> Result<ExitStatus> {
    match command {
        Command::Login => return auth::login(ctx).await,
        Command::Logout => return auth::logout(ctx),
        _ => {}
    }
    let client = || -> Result<Client> {
        let key = ctx.settings.require_api_key()?;
        Ok(Client::new(&ctx.settings.api_base.value, key, ctx.printer.clone())?)
    };
    match command {
        Command::Create(args) => webhooks::create(&args, ctx, &client).await,
        Command::List(args) => webhooks::list(&args, ctx, &client()?).await,
        Command::Get(args) => webhooks::get(&args, ctx, &client()?).await,
        Command::Update(args) => webhooks::update(&args, ctx, &client).await,
        Command::Disable(args) => webhooks::set_enabled(&args, false, ctx, &client()?).await,
        Command::Enable(args) => webhooks::set_enabled(&args, true, ctx, &client()?).await,
        Command::Delete(args) => webhooks::delete(&args, ctx, &client).await,
        Command::SendTest(args) => webhooks::send_test(&args, ctx, &client).await,
        Command::Deliveries(args) => deliveries::deliveries(&args, ctx, &client()?).await,
        Command::Redeliver(args) => deliveries::redeliver(&args, ctx, &client()?).await,
        Command::Listen(args) => register::run(&args, ctx, &client).await,
        other => Err(Error::failure(format!("not a management command: {other:?}"))),
    }
}
