//! `trigger EVENT [--data JSON|@file] [--count N]`: emits events through the
//! emulator's `POST /events` and prints their ids. Many events go in bulk
//! requests (`{"events":[…]}`), so `--count 10000` is a handful of requests; they go
//! through the shared API client (auth, Idempotency-Key, retries, `-v` traces).

use serde_json::{Value, json};

use crate::api::client::{Client, ClientError};
use crate::error::{Error, ExitStatus, Result};
use crate::output::Printer;

/// Events per bulk request.
const CHUNK: u64 = 1000;

/// One `trigger` run, checked by the command layer.
#[derive(Debug, Clone)]
pub struct Trigger {
    /// The event name (from the catalog).
    pub event: String,
    /// The event's `data` (the sample, merge-patched).
    pub data: Value,
    /// The sample's `changes`, their `new` values following the patch.
    pub changes: Option<Value>,
    /// How many events to emit.
    pub count: u64,
    /// The emulator's API base.
    pub base: String,
    /// The client for it (its key and how its events are shown).
    pub client: Client,
}

/// Emits the events in bulk requests and prints their ids (or, with `--json`, the events).
pub async fn run(trigger: Trigger, printer: &Printer) -> Result<ExitStatus> {
    let Trigger { event, data, changes, count, base, client } = trigger;
    let base = &base;

    // Every item is the same; its JSON is written once and repeated.
    let mut item = json!({"event": event, "data": data});
    if let Some(changes) = changes {
        item["changes"] = changes;
    }
    let item = serde_json::to_vec(&item).expect("JSON values serialise");
    let mut created: Vec<Value> = Vec::new();
    let mut sent = 0u64;
    while sent < count {
        let n = (count - sent).min(CHUNK);
        let events = client.emit_events(&item, n as usize).await.map_err(|e| emit_error(base, e))?;
        if printer.json() {
            created.extend(events);
        } else {
            for e in &events {
                printer.out_line(e.get("id").and_then(Value::as_str).unwrap_or_default());
            }
        }
        sent += n;
    }
    if printer.json() {
        printer.out_json(&created);
    }
    printer.status(&format!(
        "Triggered {} {} event{} on {base}",
        count,
        event,
        if count == 1 { "" } else { "s" }
    ));
    Ok(ExitStatus::Success)
}

/// The client's error, with the hints that fit the emulator: `trigger` only
/// ever talks to `scopien-hooks emulate`.
fn emit_error(base: &str, e: ClientError) -> Error {
    let hint = match &e {
        ClientError::Network { .. } => Some(format!(
            "is the emulator running at {base}? Start it with `scopien-hooks emulate` \
             and set SCOPIEN_API_BASE to the URL it prints"
        )),
        // The real API has no `POST /events`: a 404 means the base is not an emulator.
        ClientError::Api { status: 404, .. } => Some(format!(
            "{base} has no /events: trigger only works against `scopien-hooks emulate` \
             (point --api-base or SCOPIEN_API_BASE at the URL it prints)"
        )),
        ClientError::Api { status: 401, .. } => Some(
            "use the key the emulator printed (sk_test_emulator unless it was started with --api-key)".into(),
        ),
        _ => None,
    };
    let err = Error::from(e);
    match hint {
        Some(h) => err.with_hint(h),
        None => err,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emulator_hints() {
        let e = emit_error(
            "http://127.0.0.1:9/v1",
            ClientError::Api { status: 401, code: None, message: "invalid API key".into(), resource: None },
        );
        assert_eq!(e.exit_code(), 1);
        assert!(e.message().contains("401") && e.message().contains("invalid API key"), "{}", e.message());
        assert!(e.hint().unwrap().contains("sk_test_emulator"));
        let e = emit_error(
            "http://127.0.0.1:9/v1",
            ClientError::Network { host: "127.0.0.1:9".into(), reason: "connection refused".into() },
        );
        assert!(e.hint().unwrap().contains("scopien-hooks emulate"));
        let e = emit_error(
            "https://api.scopien.com/v1",
            ClientError::Api { status: 404, code: None, message: "Not Found".into(), resource: None },
        );
        assert!(e.hint().unwrap().contains("only works against `scopien-hooks emulate`"));
        let e = emit_error("http://x/v1", ClientError::Invalid("bad".into()));
        assert_eq!(e.exit_code(), 2);
    }
}
