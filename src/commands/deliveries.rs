//! `deliveries` (the docs' "Recent Deliveries" view, optionally followed) and
//! `redeliver`.

use std::collections::HashSet;

use serde_json::Value;

use crate::api::client::{Client, ClientError};
use crate::api::models::{Delivery, DeliveryStatus};
use crate::cli::{DeliveriesArgs, RedeliverArgs};
use crate::context::Context;
use crate::error::{Error, ExitStatus, Result};
use crate::manage::views;

/// A delivery is "new" to `--follow` when this pair has not been printed yet, so
/// a pending attempt that later succeeds is shown again with its outcome.
type SeenKey = (String, &'static str);

fn print_block(ctx: &Context, d: &Delivery, today: &str) {
    for line in views::delivery_block(d, today) {
        ctx.printer.out_line(&line);
    }
    ctx.printer.out_line("");
}

/// `deliveries ID [--limit N] [--follow] [--interval DUR]`
pub async fn deliveries(args: &DeliveriesArgs, ctx: &Context, client: &Client) -> Result<ExitStatus> {
    let first = client.list_deliveries(&args.id, args.limit).await?;
    if !args.follow {
        if ctx.printer.json() {
            ctx.printer.out_json(&first.raw);
        } else if first.value.is_empty() {
            ctx.printer.status(&format!("No deliveries yet for {}.", args.id));
        } else {
            let today = views::today();
            for line in views::deliveries_title() {
                ctx.printer.out_line(&line);
            }
            for d in &first.value {
                print_block(ctx, d, &today);
            }
        }
        return Ok(ExitStatus::Success);
    }
    follow(args, ctx, client, first.raw, first.value).await
}

/// Prints what is there, then polls and prints new attempts (oldest first, as a
/// log reads) until Ctrl-C or SIGTERM. `--json` writes one NDJSON line per attempt.
async fn follow(
    args: &DeliveriesArgs,
    ctx: &Context,
    client: &Client,
    raw: Value,
    typed: Vec<Delivery>,
) -> Result<ExitStatus> {
    let stop = crate::signals::shutdown()?;
    tokio::pin!(stop);
    if !ctx.printer.json() {
        for line in views::deliveries_title() {
            ctx.printer.out_line(&line);
        }
    }
    let mut seen: HashSet<SeenKey> = HashSet::new();
    seen = print_new(ctx, raw, typed, &seen);
    ctx.printer.status(&format!(
        "Watching {} for new deliveries every {} (Ctrl-C to stop)",
        args.id,
        humantime::format_duration(args.interval)
    ));
    loop {
        tokio::select! {
            _ = &mut stop => break,
            _ = tokio::time::sleep(args.interval) => {}
        }
        let polled = tokio::select! {
            _ = &mut stop => break,
            r = client.list_deliveries(&args.id, args.limit) => r,
        };
        match polled {
            Ok(page) => seen = print_new(ctx, page.raw, page.value, &seen),
            // A network blip should not end a long watch; the client has already retried.
            Err(e @ ClientError::Network { .. }) => ctx.printer.warn(&format!("{e}; still watching")),
            Err(e) => return Err(e.into()),
        }
    }
    ctx.printer.status("Stopped watching.");
    Ok(ExitStatus::Success)
}

/// Prints the attempts of a poll not printed before; returns the keys of this poll
/// (older attempts fall out of the window and never come back, so the set stays small).
fn print_new(ctx: &Context, raw: Value, typed: Vec<Delivery>, seen: &HashSet<SeenKey>) -> HashSet<SeenKey> {
    let raw_items = match raw {
        Value::Array(items) => items,
        _ => Vec::new(),
    };
    let today = views::today();
    let mut now_seen = HashSet::with_capacity(typed.len());
    // The API lists newest first; a followed log reads oldest first.
    for (raw, d) in raw_items.into_iter().zip(typed).rev() {
        let key = (d.id.clone(), d.status.as_str());
        if !seen.contains(&key) {
            if ctx.printer.json() {
                ctx.printer.out_ndjson(&raw);
            } else {
                print_block(ctx, &d, &today);
            }
        }
        now_seen.insert(key);
    }
    now_seen
}

/// `redeliver DELIVERY_ID`
pub async fn redeliver(args: &RedeliverArgs, ctx: &Context, client: &Client) -> Result<ExitStatus> {
    let answer = client.retry_delivery(&args.delivery_id).await?;
    if ctx.printer.json() {
        ctx.printer.out_json(&answer);
    }
    let delivery = serde_json::from_value::<Delivery>(answer).ok();
    if !ctx.printer.json() {
        ctx.printer.out_line(&format!("Redelivery of {} requested", args.delivery_id));
        if let Some(d) = &delivery {
            for line in views::delivery_block(d, &views::today()) {
                ctx.printer.out_line(&line);
            }
        }
    }
    outcome(delivery.as_ref(), "the redelivery")
}

/// Exit 0 unless the attempt failed; a failure gets its one error line on stderr
/// (the block on stdout already showed the details).
pub fn outcome(delivery: Option<&Delivery>, what: &str) -> Result<ExitStatus> {
    let Some(d) = delivery.filter(|d| d.status == DeliveryStatus::Failed) else {
        return Ok(ExitStatus::Success);
    };
    let why = match (d.error.as_deref().filter(|e| !e.is_empty()), d.response_status) {
        (Some(e), _) => e.to_string(),
        (None, Some(code)) => format!("the endpoint answered {code}"),
        (None, None) => "no answer".to_string(),
    };
    let err = Error::failure(format!("{what} ({}) failed: {why}", d.id));
    let refused = (d.response_status == Some(401)).then(|| {
        format!(
            "the endpoint did not accept the signature: it must verify with this webhook's secret \
             (`scopien-hooks get {} --show-secret`)",
            d.webhook_id
        )
    });
    let retrying = d.next_retry_at.as_ref().map(|_| {
        format!(
            "the service retries it on its schedule; watch with `scopien-hooks deliveries {} --follow`",
            d.webhook_id
        )
    });
    let hints: Vec<String> = [refused, retrying].into_iter().flatten().collect();
    Err(if hints.is_empty() { err } else { err.with_hint(hints.join("; ")) })
}
