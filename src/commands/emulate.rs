//! `emulate`: the Scopien webhook service on this machine.

use std::path::PathBuf;
use std::time::Duration;

use crate::cli::EmulateArgs;
use crate::context::Context;
use crate::emulator::{self, DEFAULT_API_KEY, Database, Options, validate};
use crate::env;
use crate::error::{Error, ExitStatus, Result};
use crate::retry::Schedule;
use crate::server::Limits;
use crate::settings::Source;
use crate::units;

/// Checks the flags, picks the key and the database, and serves.
pub async fn run(args: &EmulateArgs, ctx: &Context) -> Result<ExitStatus> {
    if let Some(flag) = args.unused.given() {
        return Err(Error::usage(format!("emulate does not use {flag}"))
            .with_hint("the emulator serves its own API: --host, --port and --api-key set it up"));
    }
    // Only an explicit flag counts: the environment and the profile hold real keys.
    let global_flag = ctx.settings.api_key.as_ref().filter(|k| k.source == Source::Flag);
    let api_key = match (&args.api_key, global_flag) {
        (Some(k), _) => k.clone(),
        (None, Some(k)) => k.value.clone(),
        (None, None) => DEFAULT_API_KEY.to_string(),
    };
    if api_key.trim().is_empty() || api_key.chars().any(char::is_whitespace) {
        return Err(Error::usage("--api-key must be a non-empty key without spaces"));
    }
    // The scale multiplies every retry wait and a batch's wait, a day at most.
    let longest = Schedule::default().span().max(Duration::from_secs(validate::MAX_WAIT_TIME));
    units::check_time_scale(args.time_scale, longest, "the longest wait").map_err(Error::usage)?;
    let db = if args.in_memory {
        Database::Memory
    } else {
        match args.db.clone().or_else(|| env::var(env::EMULATOR_DB).map(PathBuf::from)) {
            Some(p) => Database::named(p),
            None => Database::File(emulator::default_db_path()?),
        }
    };
    let opts = Options {
        host: args.host.clone(),
        port: args.port,
        db,
        api_key,
        time_scale: args.time_scale,
        delivery_timeout: args.delivery_timeout,
        max_rate: args.max_rate,
        retain: args.retain,
        allow_http: args.allow_http,
        limits: Limits::new(args.serve.read_timeout, args.serve.max_connections),
    };
    emulator::serve(opts, &ctx.printer).await
}
