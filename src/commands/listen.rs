//! `listen`: the flags validated into the listener's options, and
//! `listen --register PUBLIC_URL [--keep]`: a webhook for the public URL with a
//! fresh secret, the listener verifying with that secret, and the webhook deleted
//! when the listener stops (Ctrl-C and SIGTERM included) unless `--keep`.

use http::StatusCode;

use crate::api::models::CreateWebhook;
use crate::catalog;
use crate::cli::ListenArgs;
use crate::context::Context;
use crate::error::{Error, ExitStatus, Result};
use crate::listen;
use crate::listen::inspect::store::Bounds;
use crate::listen::options::{Inspect, Options, Route, VerifyMode};
use crate::manage::checks;
use crate::send::generator::Signing;
use crate::server::Limits;
use crate::settings;
use crate::signature::{Scheme, SignatureFormat, Signer};
use crate::target::Target;
use crate::{ids, redact};

/// The description the registered webhook carries, so it can be recognised.
pub const DESCRIPTION: &str = "scopien-hooks listen";

/// Runs `listen` (with `--register`, around a webhook made for the run).
pub async fn run(args: &ListenArgs, ctx: &Context) -> Result<ExitStatus> {
    if args.register.is_some() {
        return register(args, ctx).await;
    }
    listen::run(options(args, ctx.printer.json(), Vec::new())?, &ctx.printer).await
}

/// Validates the flags. `extra_secrets` are added to `--secret` (or the env secret).
pub fn options(args: &ListenArgs, json: bool, extra_secrets: Vec<String>) -> Result<Options> {
    // Other providers name their events freely: only Scopien's are checked against the catalog.
    if args.scheme == Scheme::Scopien {
        catalog::validate_patterns(&args.events)?;
    }
    let routes = args.routes.iter().map(|r| Route::parse(r)).collect::<Result<Vec<_>>>()?;
    let forward_to = args.forward_to.as_deref().map(|u| Target::parse("--forward-to", u)).transpose()?;
    if let Some(p) = &args.path
        && !p.starts_with('/')
    {
        return Err(Error::usage(format!("--path '{p}' must start with '/'"))
            .with_hint("for example --path /webhooks/scopien"));
    }
    let mut secrets = settings::secrets_or_env(&args.secret);
    secrets.extend(extra_secrets);
    secrets.retain(|s| !s.is_empty());
    let verify = if args.skip_verify {
        VerifyMode::Skip
    } else if secrets.is_empty() {
        VerifyMode::NoSecret
    } else {
        // Scopien's --tolerance is about the payload's timestamps; a timestamped scheme signs its own.
        let signed_tolerance = args.tolerance.filter(|_| args.scheme != Scheme::Scopien);
        VerifyMode::Secrets(settings::verifier(args.scheme, &secrets, signed_tolerance)?)
    };
    let inspect = args.inspect.then(|| inspect_options(args, secrets.first())).transpose()?;
    // The parser admits final statuses only (200 to 599), each a valid code.
    let respond_status = args.respond_status.and_then(|c| StatusCode::from_u16(c).ok());
    Ok(Options {
        host: args.host.clone(),
        port: args.port,
        path: args.path.clone(),
        verify,
        scheme: args.scheme,
        events: args.events.clone(),
        routes,
        forward_to,
        forward_timeout: args.forward_timeout,
        save: args.save.clone(),
        respond_status,
        respond_delay: args.respond_delay.filter(|d| !d.is_zero()),
        fail_first: args.fail_first,
        tolerance: args.tolerance.filter(|_| args.scheme == Scheme::Scopien),
        max_body: args.max_body,
        max_events: args.max_events,
        timeout: args.timeout,
        dedupe: !args.no_dedupe,
        json,
        limits: Limits::new(args.serve.read_timeout, args.serve.max_connections),
        inspect,
    })
}

fn inspect_options(args: &ListenArgs, first_secret: Option<&String>) -> Result<Inspect> {
    Ok(Inspect {
        port: args.inspect_port,
        bounds: Bounds { count: args.inspect_limit, bytes: args.inspect_memory },
        signer: first_secret
            .map(|s| Signer::for_scheme(args.scheme, s, SignatureFormat::Prefixed))
            .transpose()
            .map_err(|e| Error::usage(format!("--secret: {e}")))?
            .map(Signing::new),
    })
}

/// `listen --register`: create the webhook, run the listener, delete the webhook.
async fn register(args: &ListenArgs, ctx: &Context) -> Result<ExitStatus> {
    let public_url = args.register.as_deref().ok_or_else(|| Error::usage("--register needs a URL"))?;
    if args.scheme != Scheme::Scopien {
        return Err(Error::usage(format!(
            "--register makes a Scopien webhook: it cannot listen --scheme {}",
            args.scheme
        ))
        .with_hint("register the URL in the provider's own dashboard, and pass its secret with --secret"));
    }
    // `listen` has no --allow-http, so the problem is reported without that hint.
    if let Some(problem) = checks::url_problem(public_url, false) {
        return Err(Error::usage(problem));
    }
    catalog::validate_patterns(&args.events)?;
    let events = if args.events.is_empty() { vec!["*".to_string()] } else { args.events.clone() };
    let client = super::client_maker(ctx)()?;
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
        redact::secret(&secret)
    ));
    let interrupted = tokio::select! {
        biased;
        _ = &mut stop => true,
        _ = std::future::ready(()) => false,
    };
    let result = if interrupted {
        Ok(ExitStatus::Success)
    } else {
        match options(args, ctx.printer.json(), vec![secret]) {
            Ok(opts) => listen::run(opts, &ctx.printer).await,
            Err(e) => Err(e),
        }
    };
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
