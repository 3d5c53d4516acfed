//! `send-test URL` and `replay`: signed test events to any URL.
//!
//! The work is split by concern: [`target`] checks the URL, [`headers`] and
//! [`generator`] prepare everything a request needs once, [`engine`] runs the
//! workers over [`transport`] connections (paced by [`pacer`], shown live by
//! [`live`]), [`stats`] adds the outcomes up and [`report`] renders them;
//! [`curl`] prints `--dry-run` commands and [`replay`] re-sends saved deliveries.
//!
//! Counting with `--batch`: `sent`, `succeeded`, `failed` and `status_counts`
//! count events, and a request's outcome applies to every event in it (a batch
//! of 10 answered 500 adds 10 to `failed` and to `"500"`); `deliveries` has one
//! entry per event; `latency_ms` is per request (one HMAC'd body, one answer);
//! `events_per_sec` counts events. `--rate` is in events per second too, so a
//! batch of N takes N periods.

pub mod curl;
pub mod engine;
pub mod generator;
pub mod headers;
pub mod live;
pub mod pacer;
pub mod replay;
pub mod report;
pub mod stats;
pub mod target;
pub mod transport;

use std::path::Path;

use bytes::Bytes;
use serde_json::json;

use crate::catalog;
use crate::cli::{ReplayArgs, SendTestArgs};
use crate::context::Context;
use crate::error::{Error, ExitStatus, Result};
use crate::payload::{self, Template};
use crate::settings;
use crate::signature::{HEADER, Signer};
use crate::wire;

use engine::Plan;
use generator::Generator;
use target::Target;

/// Body bytes of the answer kept for the single-event view.
const ANSWER_CAPTURE: usize = 4096;

/// `send-test URL`.
pub async fn send_test(args: &SendTestArgs, ctx: &Context) -> Result<ExitStatus> {
    let printer = &ctx.printer;
    let target = Target::parse(&args.target)?;
    catalog::validate_event(&args.event)?;
    let patch = args.data.as_deref().map(payload::read_data_arg).transpose()?;
    let fixed = match &args.payload {
        Some(path) => Some(read_payload(path)?),
        None => None,
    };
    if fixed.is_some() && args.batch.is_some() {
        return Err(Error::usage("--batch cannot be used with --payload: the payload file is sent as is")
            .with_hint("put a batch body ({\"events\":[…]}) in the file instead"));
    }
    // Like `listen` without a secret: still useful against a receiver that does not verify yet.
    let signer =
        settings::secret_or_env(args.secret.as_deref()).map(|s| Signer::new(&s, args.signature_format));
    if signer.is_none() {
        printer.warn(
            "no secret: sending without X-Scopien-Signature (pass --secret or set SCOPIEN_WEBHOOK_SECRET to sign)",
        );
    }
    let signed = signer.is_some();
    let run_headers = headers::build(&target, &args.headers)?;

    let (mut generator, event_name) = match fixed {
        Some(body) => {
            // The payload names its own event when it is one.
            let name = match wire::parse_delivery(&body) {
                Ok(wire::Parsed::Single(e)) => e.event.into_owned(),
                _ => args.event.clone(),
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

    if args.dry_run {
        let first = plan.batch.map_or(1, |b| (b as u64).min(args.count)) as usize;
        let out = generator.build(first);
        // Stdin is used up: a binary body cannot be referenced as `@-` again.
        let file = args.payload.as_deref().filter(|p| *p != Path::new("-"));
        return dry_run(ctx, &target, &run_headers, &out, file, plan.requests());
    }

    let client = transport::Client::new(
        &target,
        args.timeout,
        if single { ANSWER_CAPTURE } else { 0 },
        args.concurrency,
    )
    .await?;
    printer.verbose(&format!(
        "POST {} · {} event(s) of {event_name} · concurrency {} · timeout {}",
        target.given,
        args.count,
        args.concurrency,
        crate::units::human_duration(args.timeout)
    ));
    let live = live::Live::new(printer, args.count);
    let outcome = engine::run(plan, &client, generator, run_headers.map, &target, live).await;
    let tally = &outcome.tally;
    if outcome.interrupted {
        printer.warn(&format!("interrupted: {} of {} events were sent", tally.sent, args.count));
    }

    if printer.json() {
        printer.out_json(&report::summary_json(&target.given, Some(&event_name), tally, outcome.elapsed));
    } else if single {
        if let Some(record) = tally.deliveries.as_ref().and_then(|d| d.first()) {
            printer.out_line(&report::delivery_line(record));
        }
        if let Some(answer) = &tally.last_answer {
            printer.out_bytes(report::body_excerpt(answer).as_bytes());
        }
    } else {
        printer
            .out_bytes(report::human_summary(&target, Some(&event_name), tally, outcome.elapsed).as_bytes());
    }
    match report::verdict(&target, tally) {
        Ok(_) if outcome.interrupted => Err(Error::failure(format!(
            "interrupted before every event was sent ({} of {})",
            tally.sent, args.count
        ))),
        other => other,
    }
}

/// `replay FILE --to URL`.
pub async fn replay(args: &ReplayArgs, ctx: &Context) -> Result<ExitStatus> {
    replay::run(args, ctx).await
}

/// The `--payload` bytes: a file, or stdin for `-` (as `sign` and `verify` read it).
fn read_payload(path: &Path) -> Result<Bytes> {
    crate::input::read_payload(Some(path)).map(Bytes::from)
}

/// Prints the first request as a `curl` command (or, with `--json`, as data) and sends nothing.
fn dry_run(
    ctx: &Context,
    target: &Target,
    run_headers: &headers::RunHeaders,
    out: &generator::Outgoing,
    payload_file: Option<&Path>,
    requests: u64,
) -> Result<ExitStatus> {
    let printer = &ctx.printer;
    let mut list = run_headers.list.clone();
    if let Some(sig) = &out.signature {
        // Content-Type is always first (it cannot be replaced); the signature follows it.
        list.insert(1, (HEADER.to_string(), sig.to_str().expect("signatures are ASCII").to_string()));
    }
    let curl = curl::command(&target.given, &list, &out.body, payload_file);
    if printer.json() {
        let headers: serde_json::Map<String, serde_json::Value> =
            list.iter().map(|(k, v)| (k.clone(), json!(v))).collect();
        printer.out_json(&json!({
            "method": "POST",
            "url": target.given,
            "headers": headers,
            "body": String::from_utf8_lossy(&out.body),
            "curl": curl,
        }));
    } else {
        printer.out_line(&curl);
    }
    if requests > 1 {
        printer.status(&format!("dry run: showing the first of {requests} requests; nothing was sent"));
    } else {
        printer.status("dry run: nothing was sent");
    }
    Ok(ExitStatus::Success)
}
