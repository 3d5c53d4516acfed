//! One module per command (or family of commands); `dispatch` routes to them.

pub mod api_client;
pub mod auth;
pub mod completions;
pub mod config_cmd;
pub mod deliveries;
pub mod emulate;
pub mod events;
pub mod listen;
pub mod replay;
pub mod send_test;
pub mod sign;
pub mod trigger;
pub mod webhooks;

use crate::api::client::Client;
use crate::cli::{Command, GlobalArgs};
use crate::context::Context;
use crate::error::{ExitStatus, Result};
use crate::settings::{GlobalFlags, Settings};

/// Resolves the global options (flag > env > config profile > default).
pub fn resolve_settings(global: &GlobalArgs) -> Settings {
    let GlobalArgs { api_key, api_base, profile, config, json, color, verbose, quiet, yes } = global.clone();
    Settings::resolve(&GlobalFlags { api_key, api_base, profile, config, json, color, verbose, quiet, yes })
}

/// Makes the API client (which needs an API key) once a command's own checks have
/// passed, so a bad flag is reported as such even when no key is configured.
pub type MakeClient<'a> = &'a dyn Fn() -> Result<Client>;

/// The client maker for these settings.
fn client_maker(ctx: &Context) -> impl Fn() -> Result<Client> + '_ {
    || {
        let key = ctx.settings.require_api_key()?;
        Ok(api_client::client(&ctx.printer, &ctx.settings.api_base.value, key)?)
    }
}

/// Runs one command.
pub async fn dispatch(command: Command, ctx: &Context) -> Result<ExitStatus> {
    let client = client_maker(ctx);
    match command {
        Command::Events => events::run(ctx),
        Command::Sign(args) => sign::sign(&args, ctx),
        Command::Verify(args) => sign::verify(&args, ctx),
        Command::SendTest(args) => send_test::run(&args, ctx).await,
        Command::Listen(args) => listen::run(&args, ctx).await,
        Command::Replay(args) => replay::run(&args, ctx).await,
        Command::Create(args) => webhooks::create(&args, ctx, &client).await,
        Command::List(args) => webhooks::list(&args, ctx, &client()?).await,
        Command::Get(args) => webhooks::get(&args, ctx, &client()?).await,
        Command::Update(args) => webhooks::update(&args, ctx, &client).await,
        Command::Disable(args) => webhooks::set_enabled(&args, false, ctx, &client()?).await,
        Command::Enable(args) => webhooks::set_enabled(&args, true, ctx, &client()?).await,
        Command::Delete(args) => webhooks::delete(&args, ctx, &client).await,
        Command::Deliveries(args) => deliveries::deliveries(&args, ctx, &client()?).await,
        Command::Redeliver(args) => deliveries::redeliver(&args, ctx, &client()?).await,
        Command::Login => auth::login(ctx).await,
        Command::Logout => auth::logout(ctx),
        Command::Emulate(args) => emulate::run(&args, ctx).await,
        Command::Trigger(args) => trigger::run(&args, ctx).await,
        Command::Config => config_cmd::run(ctx),
        Command::Completions(args) => completions::run(&args, ctx),
    }
}
