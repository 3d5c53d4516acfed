//! `send-test`: signed test events to a URL, or (for a webhook id) a test the API sends.

use std::path::Path;

use bytes::Bytes;

use crate::catalog;
use crate::cli::SendTestArgs;
use crate::context::Context;
use crate::error::{Error, ExitStatus, Result};
use crate::input::read_payload;
use crate::payload::{self, Template};
use crate::send::engine::Plan;
use crate::send::generator::{Generator, Signing};
use crate::send::{self, SendTest, Sent, headers, report, stats};
use crate::settings;
use crate::signature::Scheme;
use crate::target::Target;
use crate::{units, wire};

/// `send-test TARGET`: a webhook id goes to the API, anything else is a URL.
pub async fn run(args: &SendTestArgs, ctx: &Context) -> Result<ExitStatus> {
    if args.target.starts_with(crate::ids::WEBHOOK_PREFIX) {
        let client = super::client_maker(ctx);
        return super::webhooks::send_test(args, ctx, &client).await;
    }
    let mut job = plan(args, ctx)?;
    if args.dry_run {
        // Stdin is used up: a binary body cannot be referenced as `@-` again.
        let file = args.payload.as_deref().filter(|p| *p != Path::new("-"));
        return Ok(send::dry_run(&mut job, file, &ctx.printer));
    }
    let sent = send::run(job, &ctx.printer).await?;
    verdict(&sent, args.count)
}

/// Checks the flags, reads the payload and builds everything the run needs.
fn plan(args: &SendTestArgs, ctx: &Context) -> Result<SendTest> {
    let printer = &ctx.printer;
    check_numbers(args)?;
    let target = Target::parse("target", &args.target)?;
    catalog::validate_event(&args.event)?;
    let patch = args.data.as_deref().map(payload::read_data_arg).transpose()?;
    let fixed = match &args.payload {
        Some(path) => Some(Bytes::from(read_payload(Some(path))?)),
        None => None,
    };
    if fixed.is_some() && args.batch.is_some() {
        return Err(Error::usage("--batch cannot be used with --payload: the payload file is sent as is")
            .with_hint("put a batch body ({\"events\":[…]}) in the file instead"));
    }
    let scheme = args.scheme;
    if scheme != Scheme::Scopien && fixed.is_none() {
        return Err(Error::usage(format!(
            "--scheme {scheme} needs --payload FILE: the built-in samples are Scopien events"
        ))
        .with_hint(
            "save a delivery of that provider (its docs have examples) to a file and pass --payload FILE",
        ));
    }
    if let Some((name, _)) =
        args.headers.iter().find(|(n, _)| scheme.headers().iter().any(|h| h.eq_ignore_ascii_case(n)))
    {
        return Err(Error::usage(format!(
            "header '{name}' is part of the {scheme} signature and is written by it"
        )));
    }
    // Like `listen` without a secret: still useful against a receiver that does not verify yet.
    let signer = match settings::secret_or_env(args.secret.as_deref()) {
        Some(s) => Some(Signing::new(settings::signer(scheme, &s, args.signature_format)?)),
        None => None,
    };
    if signer.is_none() {
        printer.warn(&format!(
            "no secret: sending without {} (pass --secret or set SCOPIEN_WEBHOOK_SECRET to sign)",
            scheme.signature_header()
        ));
    }
    let signed = signer.is_some();
    let run_headers = headers::build(&target, &args.headers)?;

    let (generator, event_name) = match fixed {
        Some(body) => {
            // The payload names its own event when it is one (for GitHub and
            // Shopify, in the event header given with -H).
            let name = match wire::parse_provider(scheme, &run_headers.map, &body) {
                Ok(wire::Parsed::Single(e)) => e.event.into_owned(),
                _ if scheme == Scheme::Scopien => args.event.clone(),
                _ => format!("{scheme} delivery"),
            };
            (Generator::fixed(body, signer), name)
        }
        None => {
            let template = Template::sample(&args.event, patch.as_ref());
            (Generator::events(template, signer, args.batch.is_some()), args.event.clone())
        }
    };

    let keep_deliveries = args.count <= stats::KEEP_DELIVERIES && (printer.json() || args.count == 1);
    let single = args.count == 1 && !printer.json();
    let plan = Plan {
        events: args.count,
        batch: args.batch,
        concurrency: args.concurrency,
        rate: args.rate,
        retry: args.retry.then(|| (args.retry_schedule.clone(), args.time_scale)),
        keep_deliveries,
        keep_answer: single,
        event: Some(event_name.clone()),
        signed,
    };
    Ok(SendTest {
        target,
        event: event_name,
        count: args.count,
        concurrency: args.concurrency,
        timeout: args.timeout,
        plan,
        headers: run_headers,
        generator,
        single,
    })
}

/// What the numeric flags make together; each alone was checked by its parser.
fn check_numbers(args: &SendTestArgs) -> Result<()> {
    units::check_time_scale(args.time_scale, args.retry_schedule.span(), "the retry schedule")
        .map_err(Error::usage)?;
    if let Some(rate) = args.rate {
        units::check_pace(args.count, rate).map_err(Error::usage)?;
    }
    Ok(())
}

/// Exit 0 when every event succeeded, else the failure with its hint; an
/// interrupted run is a failure even when what was sent succeeded.
fn verdict(sent: &Sent, count: u64) -> Result<ExitStatus> {
    let tally = &sent.outcome.tally;
    let signatures = if sent.signed { report::Signatures::Fresh } else { report::Signatures::None };
    match report::verdict(&sent.target, tally, report::Sending { replay: false, signatures }) {
        Ok(_) if sent.outcome.interrupted => Err(Error::failure(format!(
            "interrupted before every event was sent ({} of {count})",
            tally.sent
        ))),
        other => other,
    }
}
