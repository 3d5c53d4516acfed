//! Checks on webhook create and update requests, and the defaults the service
//! fills in. Each failure is one message naming the field (the API answers 422).

use std::collections::BTreeMap;

use serde_json::Value;

use super::filters;
use crate::api::models::{CreateWebhook, UpdateWebhook, Webhook, WebhookStatus};
use crate::{catalog, ids};

/// Most events in one batch (the docs' `maxBatchSize: 100`); also the default.
pub const MAX_BATCH_SIZE: u32 = 100;
/// Seconds a partial batch waits when `maxWaitTime` is not given (the docs' example).
pub const DEFAULT_MAX_WAIT_TIME: u64 = 60;
/// Longest `maxWaitTime` accepted: a day.
pub const MAX_WAIT_TIME: u64 = 86_400;

/// A fresh webhook from a create request, or why the request is invalid.
pub fn new_webhook(req: CreateWebhook, now: &str) -> Result<Webhook, String> {
    check_url(&req.url)?;
    check_events(&req.events)?;
    if let Some(d) = &req.description {
        check_description(d)?;
    }
    let secret = match req.secret {
        Some(s) => {
            check_secret(&s)?;
            s
        }
        None => format!("{}{}", ids::SECRET_PREFIX, ids::random_alphanumeric(32)),
    };
    let headers = req.headers.unwrap_or_default();
    check_headers(&headers)?;
    let filters = req.filters.unwrap_or_default();
    filters::validate(&filters)?;
    let mut w = Webhook {
        id: ids::generate(ids::WEBHOOK_PREFIX),
        url: req.url,
        events: req.events,
        description: req.description,
        secret: Some(secret),
        status: WebhookStatus::Active,
        headers,
        filters,
        batch: req.batch.unwrap_or(false),
        max_batch_size: req.max_batch_size,
        max_wait_time: req.max_wait_time,
        created_at: Some(now.to_string()),
        updated_at: Some(now.to_string()),
    };
    check_batch(&mut w)?;
    Ok(w)
}

/// Applies an update request to `w`, or says why it is invalid (leaving `w` as it was).
pub fn apply_update(w: &mut Webhook, req: UpdateWebhook, now: &str) -> Result<(), String> {
    let mut next = w.clone();
    if let Some(url) = req.url {
        check_url(&url)?;
        next.url = url;
    }
    if let Some(events) = req.events {
        check_events(&events)?;
        next.events = events;
    }
    if let Some(d) = req.description {
        check_description(&d)?;
        next.description = Some(d);
    }
    if let Some(h) = req.headers {
        check_headers(&h)?;
        next.headers = h;
    }
    if let Some(f) = req.filters {
        filters::validate(&f)?;
        next.filters = f;
    }
    if let Some(b) = req.batch {
        next.batch = b;
    }
    if req.max_batch_size.is_some() {
        next.max_batch_size = req.max_batch_size;
    }
    if req.max_wait_time.is_some() {
        next.max_wait_time = req.max_wait_time;
    }
    check_batch(&mut next)?;
    next.updated_at = Some(now.to_string());
    *w = next;
    Ok(())
}

/// The effective batch size of a webhook.
pub fn batch_size(w: &Webhook) -> u32 {
    w.max_batch_size.unwrap_or(MAX_BATCH_SIZE)
}

/// The effective batch wait of a webhook, in seconds.
pub fn batch_wait(w: &Webhook) -> u64 {
    w.max_wait_time.unwrap_or(DEFAULT_MAX_WAIT_TIME)
}

/// Refuses a webhook URL the emulator must not deliver to: plain http:// on a
/// host that is not loopback (unless `allow_http`, as the CLI's rule), or the
/// emulator's own address (`own`).
pub fn reachable(url: &str, own: std::net::SocketAddr, allow_http: bool) -> Result<(), String> {
    if let Some(problem) = crate::manage::checks::url_problem(url, allow_http) {
        return Err(format!("url: {problem}; start the emulator with --allow-http to accept it"));
    }
    not_self(url, own)
}

/// Refuses a webhook URL that is the emulator's own address (`own`): every
/// delivery to it would come back as an API request.
fn not_self(url: &str, own: std::net::SocketAddr) -> Result<(), String> {
    let Ok(parsed) = reqwest::Url::parse(url) else { return Ok(()) };
    match (parsed.host_str(), parsed.port_or_known_default()) {
        (Some(host), Some(port)) if crate::server::is_own_address(host, port, own) => {
            Err(format!("url: '{url}' is this emulator's own address: deliveries would come back to it"))
        }
        _ => Ok(()),
    }
}

fn check_url(url: &str) -> Result<(), String> {
    if url.len() > 2048 {
        return Err("url: longer than 2048 characters".into());
    }
    let parsed = reqwest::Url::parse(url).map_err(|e| format!("url: '{url}' is not a URL ({e})"))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(format!("url: '{url}' must be an http:// or https:// URL"));
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(format!("url: '{url}' has no host"));
    }
    Ok(())
}

fn check_events(events: &[String]) -> Result<(), String> {
    if events.is_empty() {
        return Err("events: subscribe to at least one event (a name, `type.*` or `*`)".into());
    }
    for e in events {
        catalog::validate_pattern(e).map_err(|err| match err.hint() {
            Some(hint) => format!("events: {}; {hint}", err.message()),
            None => format!("events: {}", err.message()),
        })?;
    }
    Ok(())
}

fn check_description(d: &str) -> Result<(), String> {
    if d.chars().count() > 1000 {
        return Err("description: longer than 1000 characters".into());
    }
    Ok(())
}

fn check_secret(s: &str) -> Result<(), String> {
    if s.is_empty() || s.len() > 1024 {
        return Err("secret: must be 1 to 1024 characters".into());
    }
    if s.chars().any(char::is_control) {
        return Err("secret: must not contain control characters".into());
    }
    Ok(())
}

fn check_headers(headers: &BTreeMap<String, String>) -> Result<(), String> {
    for (name, value) in headers {
        if http::HeaderName::from_bytes(name.as_bytes()).is_err() {
            return Err(format!("headers: '{name}' is not a valid header name"));
        }
        if http::HeaderValue::from_str(value).is_err() {
            return Err(format!("headers: the value of '{name}' has characters a header cannot carry"));
        }
    }
    Ok(())
}

/// Range checks, and the defaults a batching webhook gets when it names none.
fn check_batch(w: &mut Webhook) -> Result<(), String> {
    if let Some(n) = w.max_batch_size
        && !(1..=MAX_BATCH_SIZE).contains(&n)
    {
        return Err(format!("maxBatchSize: must be between 1 and {MAX_BATCH_SIZE}"));
    }
    if let Some(t) = w.max_wait_time
        && t > MAX_WAIT_TIME
    {
        return Err(format!("maxWaitTime: must be at most {MAX_WAIT_TIME} seconds"));
    }
    if w.batch {
        w.max_batch_size.get_or_insert(MAX_BATCH_SIZE);
        w.max_wait_time.get_or_insert(DEFAULT_MAX_WAIT_TIME);
    }
    Ok(())
}

/// Parses a JSON body into `T`, telling malformed JSON (400) from a wrong shape (422).
pub fn parse_body<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, BodyError> {
    let value: Value = serde_json::from_slice(body).map_err(|e| BodyError::Malformed(e.to_string()))?;
    serde_json::from_value(value).map_err(|e| BodyError::Invalid(e.to_string()))
}

/// Why a request body was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BodyError {
    /// Not JSON (400).
    Malformed(String),
    /// JSON of the wrong shape (422).
    Invalid(String),
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn create(v: Value) -> Result<Webhook, String> {
        new_webhook(serde_json::from_value(v).unwrap(), "2026-01-22T10:00:00Z")
    }

    #[test]
    fn creates_with_generated_secret_and_defaults() {
        let w = create(json!({"url": "http://127.0.0.1:3000/hook", "events": ["lead.*"], "batch": true}))
            .unwrap();
        assert!(ids::is_valid(&w.id, ids::WEBHOOK_PREFIX));
        let secret = w.secret.unwrap();
        assert!(secret.starts_with("whsec_") && secret.len() >= 30);
        assert_eq!(w.max_batch_size, Some(100));
        assert_eq!(w.max_wait_time, Some(60));
        assert_eq!(w.status, WebhookStatus::Active);
    }

    #[test]
    fn refuses_bad_fields() {
        let bad = [
            json!({"url": "ftp://x", "events": ["*"]}),
            json!({"url": "not a url", "events": ["*"]}),
            json!({"url": "https://x.example", "events": []}),
            json!({"url": "https://x.example", "events": ["lead.craeted"]}),
            json!({"url": "https://x.example", "events": ["*"], "maxBatchSize": 0}),
            json!({"url": "https://x.example", "events": ["*"], "maxBatchSize": 101}),
            json!({"url": "https://x.example", "events": ["*"], "headers": {"bad name": "v"}}),
            json!({"url": "https://x.example", "events": ["*"], "filters": {"amount_greater_than": "x"}}),
            json!({"url": "https://x.example", "events": ["*"], "secret": ""}),
        ];
        for b in bad {
            assert!(create(b.clone()).is_err(), "{b}");
        }
        let e = create(json!({"url": "https://x.example", "events": ["lead.craeted"]})).unwrap_err();
        assert!(e.contains("lead.created"), "{e}");
    }

    #[test]
    fn updates_only_given_fields() {
        let mut w = create(json!({"url": "https://x.example", "events": ["*"], "description": "d"})).unwrap();
        let before = w.clone();
        let req: UpdateWebhook = serde_json::from_value(json!({"maxBatchSize": 500})).unwrap();
        assert!(apply_update(&mut w, req, "2026-01-22T11:00:00Z").is_err());
        assert_eq!(w, before);
        let req: UpdateWebhook =
            serde_json::from_value(json!({"events": ["case.*"], "batch": true})).unwrap();
        apply_update(&mut w, req, "2026-01-22T11:00:00Z").unwrap();
        assert_eq!(w.events, vec!["case.*"]);
        assert_eq!(w.description.as_deref(), Some("d"));
        assert_eq!(w.max_batch_size, Some(100));
        assert_eq!(w.updated_at.as_deref(), Some("2026-01-22T11:00:00Z"));
    }

    #[test]
    fn body_errors() {
        assert!(matches!(parse_body::<CreateWebhook>(b"{nope"), Err(BodyError::Malformed(_))));
        assert!(matches!(parse_body::<CreateWebhook>(br#"{"url": 3}"#), Err(BodyError::Invalid(_))));
        assert!(crate::wire::is_reserved_header("X-Scopien-Signature"));
        assert!(!crate::wire::is_reserved_header("Authorization"));
    }
}
