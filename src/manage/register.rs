//! `listen --register PUBLIC_URL [--keep]`: a webhook for the public URL with a
//! fresh secret, the listener verifying with that secret, and the webhook deleted
//! when the listener stops (Ctrl-C and SIGTERM included) unless `--keep`.

use crate::api::models::CreateWebhook;
use crate::catalog;
use crate::cli::ListenArgs;
use crate::context::Context;
use crate::error::{Error, ExitStatus, Result};
use crate::ids;
use crate::listen;
use crate::manage::{MakeClient, checks};

/// The description the registered webhook carries, so it can be recognised.
pub const DESCRIPTION: &str = "scopien-hooks listen";

/// Runs `listen --register`.
pub async fn run(args: &ListenArgs, ctx: &Context, client: MakeClient<'_>) -> Result<ExitStatus> {
    let public_url = args.register.as_deref().ok_or_else(|| Error::usage("--register needs a URL"))?;
    // `listen` has no --allow-http, so the problem is reported without that hint.
    if let Some(problem) = checks::url_problem(public_url, false) {
        return Err(Error::usage(problem));
    }
    catalog::validate_patterns(&args.events)?;
    let events = if args.events.is_empty() { vec!["*".to_string()] } else { args.events.clone() };
    let client = client()?;
    let secret = format!("{}{}", ids::SECRET_PREFIX, ids::random_alphanumeric(32));
    // Signal handlers go in before the webhook exists, so an early Ctrl-C still
    // reaches the clean-up below instead of killing the process.
    let stop = crate::signals::shutdown()?;
    tokio::pin!(stop);
    let body = CreateWebhook {
        url: public_url.to_string(),
        events: events.clone(),
        description: Some(DESCRIPTION.to_string()),
        secret: Some(secret.clone()),
        ..Default::default()
    };
    let created = client.create_webhook(&body).await?;
    let id = created.value.id.clone();
    let fate = if args.keep { "kept on exit (--keep)" } else { "deleted on exit" };
    ctx.printer.status(&format!(
        "Registered {id} for {public_url} ({}); secret {}; {fate}",
        events.join(", "),
        ids::redact(&secret)
    ));
    let interrupted = tokio::select! {
        biased;
        _ = &mut stop => true,
        _ = std::future::ready(()) => false,
    };
    let result =
        if interrupted { Ok(ExitStatus::Success) } else { listen::run(args, ctx, vec![secret]).await };
    if args.keep {
        ctx.printer.status(&format!("Kept {id}; delete it with `scopien-hooks delete {id} --yes`"));
    } else {
        match client.delete_webhook(&id).await {
            Ok(_) => ctx.printer.status(&format!("Deleted {id}")),
            Err(e) => ctx.printer.warn(&format!(
                "could not delete {id} ({e}); delete it with `scopien-hooks delete {id} --yes`"
            )),
        }
    }
    result
}
