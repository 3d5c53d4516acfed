//! `replay FILE --to URL`: re-sends deliveries saved by `listen --save`.

use std::path::Path;

use crate::catalog;
use crate::cli::ReplayArgs;
use crate::context::Context;
use crate::error::{Error, ExitStatus, Result};
use crate::input::read_payload;
use crate::send::generator::Signing;
use crate::send::replay::{self, Input, Replay};
use crate::settings;
use crate::signature::Scheme;
use crate::target::Target;

/// Checks the flags, opens the file and runs the replay.
pub async fn run(args: &ReplayArgs, ctx: &Context) -> Result<ExitStatus> {
    let target = Target::parse("--to", &args.to)?;
    // Other providers name their events freely: only Scopien's are checked against the catalog.
    if args.scheme == Scheme::Scopien {
        catalog::validate_patterns(&args.event)?;
    }
    let signer = match args.secret.as_deref() {
        Some(s) => Some(Signing::new(settings::signer(args.scheme, s, args.signature_format)?)),
        None => None,
    };
    // `-` reads the saved lines from stdin (all of it, before sending), as `sign --payload -` does.
    let input: Input = if args.file == Path::new("-") {
        Box::new(std::io::Cursor::new(read_payload(None)?))
    } else {
        Box::new(tokio::fs::File::open(&args.file).await.map_err(|e| {
            let err = Error::unreadable("saved deliveries", &args.file, &e);
            if e.kind() == std::io::ErrorKind::NotFound {
                err.with_hint(format!(
                    "`scopien-hooks listen --save {}` writes each delivery it receives there",
                    args.file.display()
                ))
            } else {
                err
            }
        })?)
    };
    let replay = Replay {
        target,
        file: args.file.clone(),
        input,
        events: args.event.clone(),
        ids: args.id.clone(),
        scheme: args.scheme,
        signer,
        rate: args.rate,
        timeout: args.timeout,
    };
    replay::run(replay, &ctx.printer).await
}
