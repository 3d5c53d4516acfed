//! `trigger EVENT [--data JSON|@file] [--count N]`: emits events through the
//! emulator's `POST /events` and prints their ids. Many events go in bulk
//! requests (`{"events":[…]}`), so `--count 10000` is a handful of requests.

use std::time::Duration;

use serde_json::{Value, json};

use crate::api::models::ErrorBody;
use crate::cli::TriggerArgs;
use crate::commands::Context;
use crate::error::{Error, ExitStatus, Result};
use crate::{catalog, payload};

/// Events per bulk request.
const CHUNK: u64 = 1000;

/// Runs `trigger`.
pub async fn run(args: &TriggerArgs, ctx: &Context) -> Result<ExitStatus> {
    catalog::validate_event(&args.event)?;
    let patch = args.data.as_deref().map(payload::read_data_arg).transpose()?;
    if patch.as_ref().is_some_and(|p| !p.is_object()) {
        return Err(Error::usage("--data must be a JSON object (it is merged onto the sample data)"));
    }
    let (data, _) = payload::sample_data(&args.event, patch.as_ref());
    let key = ctx.settings.require_api_key()?;
    let base = &ctx.settings.api_base.value;
    let url = format!("{base}/events");
    reqwest::Url::parse(&url)
        .map_err(|e| Error::usage(format!("'{base}' is not a valid API base URL: {e}")))?;
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .user_agent(concat!("scopien-hooks/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| Error::failure(format!("cannot start the HTTP client: {e}")))?;

    // Every item is the same; its JSON is written once and repeated.
    let item =
        serde_json::to_vec(&json!({"event": args.event, "data": data})).expect("JSON values serialise");
    let mut created: Vec<Value> = Vec::new();
    let mut sent = 0u64;
    while sent < args.count {
        let n = (args.count - sent).min(CHUNK);
        let body = if args.count == 1 { item.clone() } else { bulk(&item, n) };
        ctx.printer.verbose(&format!("POST {url} ({n} event{})", if n == 1 { "" } else { "s" }));
        let resp = client
            .post(&url)
            .bearer_auth(key)
            .header(http::header::CONTENT_TYPE, "application/json")
            .body(body)
            .send()
            .await
            .map_err(|e| unreachable_error(base, &e))?;
        let status = resp.status();
        let text = resp.bytes().await.map_err(|e| unreachable_error(base, &e))?;
        if !status.is_success() {
            return Err(api_error(status.as_u16(), &text));
        }
        let answer: Value = serde_json::from_slice(&text)
            .map_err(|_| Error::failure(format!("{url} answered {status} with a body that is not JSON")))?;
        let events = match answer.get("data") {
            Some(Value::Array(list)) => list.clone(),
            Some(one @ Value::Object(_)) => vec![one.clone()],
            _ => return Err(Error::failure(format!("{url} answered without the created events"))),
        };
        for e in &events {
            if !ctx.printer.json() {
                ctx.printer.out_line(e.get("id").and_then(Value::as_str).unwrap_or_default());
            }
        }
        if ctx.printer.json() {
            created.extend(events);
        }
        sent += n;
    }
    if ctx.printer.json() {
        ctx.printer.out_json(&created);
    }
    ctx.printer.status(&format!(
        "Triggered {} {} event{} on {base}",
        args.count,
        args.event,
        if args.count == 1 { "" } else { "s" }
    ));
    Ok(ExitStatus::Success)
}

fn bulk(item: &[u8], n: u64) -> Vec<u8> {
    let mut body = Vec::with_capacity((item.len() + 1) * n as usize + 16);
    body.extend_from_slice(b"{\"events\":[");
    for i in 0..n {
        if i > 0 {
            body.push(b',');
        }
        body.extend_from_slice(item);
    }
    body.extend_from_slice(b"]}");
    body
}

fn unreachable_error(base: &str, e: &reqwest::Error) -> Error {
    let mut cause: &dyn std::error::Error = e;
    while let Some(next) = cause.source() {
        cause = next;
    }
    let reason = cause.to_string();
    let reason = reason.split(" (os error").next().unwrap_or(&reason).to_string();
    Error::failure(format!("cannot reach {base}: {reason}")).with_hint(
        "is the emulator running? Start it with `scopien-hooks emulate` and set SCOPIEN_API_BASE to its URL",
    )
}

fn api_error(status: u16, body: &[u8]) -> Error {
    let message = serde_json::from_slice::<ErrorBody>(body)
        .map(|e| e.error.message)
        .unwrap_or_else(|_| String::from_utf8_lossy(body).trim().chars().take(300).collect());
    let err = Error::failure(format!("the API answered {status}: {message}"));
    match status {
        401 => err.with_hint(
            "use the key the emulator printed (sk_test_emulator unless it was started with --api-key)",
        ),
        _ => err,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bulk_bodies_are_json() {
        let v: Value = serde_json::from_slice(&bulk(br#"{"event":"lead.created"}"#, 3)).unwrap();
        assert_eq!(v["events"].as_array().unwrap().len(), 3);
        assert_eq!(v["events"][2]["event"], "lead.created");
    }

    #[test]
    fn api_errors_read_the_error_body() {
        let e = api_error(401, br#"{"error":{"code":"unauthorized","message":"invalid API key"}}"#);
        assert_eq!(e.message(), "the API answered 401: invalid API key");
        assert!(e.hint().is_some());
        assert_eq!(api_error(500, b"oops").message(), "the API answered 500: oops");
    }
}
