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
pub mod rejection;
pub mod replay;
pub mod report;
pub mod stats;
pub mod transport;

use std::path::Path;
use std::time::Duration;

use serde_json::json;

use crate::error::{ExitStatus, Result};
use crate::output::Printer;

use crate::target::Target;
use engine::{Outcome, Plan};
use generator::Generator;

/// Body bytes of the answer kept for the single-event view.
const ANSWER_CAPTURE: usize = 4096;

/// One `send-test URL` run, everything checked and built before the first request.
#[derive(Debug)]
pub struct SendTest {
    /// Where the requests go.
    pub target: Target,
    /// The event name shown and reported.
    pub event: String,
    /// Events to send.
    pub count: u64,
    /// Requests in flight at once.
    pub concurrency: usize,
    /// Per-request timeout.
    pub timeout: Duration,
    /// Counts, batching, pacing, retries and what to keep.
    pub plan: Plan,
    /// The request headers (custom ones included).
    pub headers: headers::RunHeaders,
    /// Builds the bodies and their signatures.
    pub generator: Generator,
    /// One event shown as one delivery line and its answer (not `--json`).
    pub single: bool,
}

/// What a run did.
#[derive(Debug)]
pub struct Sent {
    /// The target, for the verdict's hints.
    pub target: Target,
    /// The tally and timing.
    pub outcome: Outcome,
    /// Whether the requests carried a signature.
    pub signed: bool,
}

/// Runs the requests, shows progress and prints the summary (a JSON document, the
/// single delivery and its answer, or the human summary).
pub async fn run(job: SendTest, printer: &Printer) -> Result<Sent> {
    let SendTest { target, event, count, concurrency, timeout, plan, headers, generator, single } = job;
    let client =
        transport::Client::new(&target, timeout, if single { ANSWER_CAPTURE } else { 0 }, concurrency)
            .await?;
    printer.verbose(&format!(
        "POST {} · {} of {event} · concurrency {concurrency} · timeout {}",
        target.given,
        crate::units::plural(count, "event", "events"),
        crate::units::human_duration(timeout)
    ));
    let live = live::Live::new(printer, count);
    let signed = plan.signed;
    let outcome = engine::run(plan, &client, generator, headers.map, live).await;
    let tally = &outcome.tally;
    if outcome.interrupted {
        printer.warn(&format!("interrupted: {} of {count} events were sent", tally.sent));
    }
    if printer.json() {
        printer.out_json(&report::summary_json(&target.given, Some(&event), tally, outcome.elapsed));
    } else if single {
        if let Some(record) = tally.deliveries.as_ref().and_then(|d| d.first()) {
            printer.out_line(&report::delivery_line(record));
        }
        if let Some(answer) = &tally.last_answer {
            printer.out_text(&report::body_excerpt(answer));
        }
    } else {
        printer.out_text(&report::human_summary(&target, Some(&event), tally, outcome.elapsed));
    }
    Ok(Sent { target, outcome, signed })
}

/// Prints the first request as a `curl` command (or, with `--json`, as data) and sends nothing.
pub fn dry_run(job: &mut SendTest, payload_file: Option<&Path>, printer: &Printer) -> ExitStatus {
    let first = job.plan.batch.map_or(1, |b| (b as u64).min(job.count)) as usize;
    let out = job.generator.build(first);
    let (target, run_headers, requests) = (&job.target, &job.headers, job.plan.requests());
    let mut list = run_headers.list.clone();
    // Content-Type is always first (it cannot be replaced); the signature headers follow it.
    for (i, (name, value)) in out.signature.shown().enumerate() {
        list.insert(1 + i, (name.to_string(), value.to_string()));
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
    ExitStatus::Success
}
