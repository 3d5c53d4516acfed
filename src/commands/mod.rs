//! One module per command (or family of commands); `dispatch` routes to them.

pub mod completions;
pub mod config_cmd;
pub mod events;
pub mod sign;

use crate::cli::{Command, GlobalArgs};
use crate::context::Context;
use crate::error::{ExitStatus, Result};
use crate::settings::{GlobalFlags, Settings};
use crate::{emulator, ids, listen, manage, send};

/// Resolves the global options (flag > env > config profile > default).
pub fn resolve_settings(global: &GlobalArgs) -> Settings {
    let GlobalArgs { api_key, api_base, profile, config, json, color, verbose, quiet, yes } = global.clone();
    Settings::resolve(&GlobalFlags { api_key, api_base, profile, config, json, color, verbose, quiet, yes })
}

/// Runs one command.
pub async fn dispatch(command: Command, ctx: &Context) -> Result<ExitStatus> {
    match command {
        Command::Events => events::run(ctx),
        Command::Sign(args) => sign::sign(&args, ctx),
        Command::Verify(args) => sign::verify(&args, ctx),
        Command::Completions(args) => completions::run(&args, ctx),
        Command::Config => config_cmd::run(ctx),
        Command::SendTest(args) if args.target.starts_with(ids::WEBHOOK_PREFIX) => {
            manage::run(Command::SendTest(args), ctx).await
        }
        Command::SendTest(args) => send::send_test(&args, ctx).await,
        Command::Replay(args) => send::replay(&args, ctx).await,
        Command::Listen(args) if args.register.is_some() => manage::run(Command::Listen(args), ctx).await,
        Command::Listen(args) => listen::run(&args, ctx, Vec::new()).await,
        Command::Emulate(args) => emulator::emulate(&args, ctx).await,
        Command::Trigger(args) => emulator::trigger(&args, ctx).await,
        command @ (Command::Create(_)
        | Command::List(_)
        | Command::Get(_)
        | Command::Update(_)
        | Command::Disable(_)
        | Command::Enable(_)
        | Command::Delete(_)
        | Command::Deliveries(_)
        | Command::Redeliver(_)
        | Command::Login
        | Command::Logout) => manage::run(command, ctx).await,
    }
}
