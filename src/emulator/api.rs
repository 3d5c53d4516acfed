//! The emulator's HTTP API under `/v1`: every management request of the real
//! service plus `POST /events`, with the client's models, a Bearer check,
//! `{"error":{"code","message"}}` errors and `hasMore`/`nextCursor` pages.

use std::sync::Arc;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Path, RawQuery, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use colored::Colorize;
use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::clock::{now_ms, rfc3339};
use super::engine::Engine;
use super::envelope;
use super::storage::{Created, IdempotencyKey, NewEvent, Replay, SharedStore, StoreError};
use super::validate::{self, BodyError};
use crate::api::models::{
    ApiError, CreateWebhook, Deleted, Delivery, Envelope, ErrorBody, Page, TestRequest, UpdateWebhook,
    Webhook, WebhookStatus,
};
use crate::{catalog, ids, payload};

/// Items per page when `limit` is not given.
pub const DEFAULT_LIMIT: usize = 20;
/// Most items per page.
pub const MAX_LIMIT: usize = 100;
/// Most events in one `POST /events`.
pub const MAX_EVENTS_PER_REQUEST: usize = 10_000;
/// Largest request body.
const MAX_BODY: usize = 16 * 1024 * 1024;

/// What every handler shares.
#[derive(Debug)]
pub struct AppState {
    /// The database.
    pub store: SharedStore,
    /// The delivery engine, nudged when work is queued.
    pub engine: Arc<Engine>,
    /// The one accepted API key.
    pub api_key: String,
    /// Log one line per API request on stderr (`-v`).
    pub log_requests: bool,
    /// Where the API is served: a webhook pointing here would deliver to the emulator itself.
    pub addr: std::net::SocketAddr,
    /// Accept plain http:// webhook URLs on non-loopback hosts (`--allow-http`).
    pub allow_http: bool,
}

type Shared = Arc<AppState>;

/// The router: `/v1/…` behind the Bearer check.
pub fn router(state: Shared) -> Router {
    let state_for_log = state.clone();
    let v1 = Router::new()
        .route("/webhooks", post(create_webhook).get(list_webhooks))
        .route("/webhooks/{id}", get(get_webhook).patch(update_webhook).delete(delete_webhook))
        .route("/webhooks/{id}/disable", post(disable_webhook))
        .route("/webhooks/{id}/enable", post(enable_webhook))
        .route("/webhooks/{id}/test", post(test_webhook))
        .route("/webhooks/{id}/deliveries", get(list_deliveries))
        .route("/deliveries/{id}/retry", post(retry_delivery))
        .route("/events", post(emit_events))
        .fallback(no_route)
        .method_not_allowed_fallback(wrong_method)
        .layer(middleware::from_fn_with_state(state.clone(), replay_idempotent))
        .layer(middleware::from_fn_with_state(state.clone(), authenticate))
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY))
        .with_state(state);
    Router::new()
        .nest("/v1", v1)
        .fallback(no_route)
        .layer(middleware::from_fn(envelope_errors))
        .layer(middleware::from_fn_with_state(state_for_log, log_request))
}

/// Error answers the framework writes itself (a body over [`MAX_BODY`], say)
/// come as plain text: they get the `{"error":{"code","message"}}` envelope
/// every other error has.
async fn envelope_errors(req: Request, next: Next) -> Response {
    let resp = next.run(req).await;
    let status = resp.status();
    let is_json =
        resp.headers().get(header::CONTENT_TYPE).is_some_and(|v| v.as_bytes() == b"application/json");
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return resp;
    }
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        return too_large().into_response();
    }
    let text = axum::body::to_bytes(resp.into_body(), 4096).await.unwrap_or_default();
    let text = String::from_utf8_lossy(&text);
    let message = match text.trim() {
        "" => status.canonical_reason().unwrap_or("request refused").to_lowercase(),
        t => t.to_string(),
    };
    let code = if status.is_server_error() { "internal_error" } else { "invalid_request" };
    ApiErr::new(status, code, message).into_response()
}

/// The 413 for a body over [`MAX_BODY`].
fn too_large() -> ApiErr {
    ApiErr::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
        format!("the request body is larger than {} MiB", MAX_BODY >> 20),
    )
}

/// `-v`: `POST /v1/events → 201 (3 ms)` for every request.
async fn log_request(State(st): State<Shared>, req: Request, next: Next) -> Response {
    if !st.log_requests {
        return next.run(req).await;
    }
    let line = format!("{} {}", req.method(), req.uri().path());
    let t0 = std::time::Instant::now();
    let resp = next.run(req).await;
    crate::output::eprintln_safe(
        &format!("{line} → {} ({})", resp.status().as_u16(), crate::units::human_duration(t0.elapsed()))
            .dimmed()
            .to_string(),
    );
    resp
}

// ---------------------------------------------------------------------------
// Errors

/// An API error answer.
#[derive(Debug)]
pub struct ApiErr {
    status: StatusCode,
    code: &'static str,
    message: String,
}

impl ApiErr {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiErr { status, code, message: message.into() }
    }
    fn not_found(what: &str, id: &str) -> Self {
        ApiErr::new(StatusCode::NOT_FOUND, "not_found", format!("no {what} with id '{id}'"))
    }
    fn invalid(message: impl Into<String>) -> Self {
        ApiErr::new(StatusCode::UNPROCESSABLE_ENTITY, "validation_error", message)
    }
    fn bad_request(message: impl Into<String>) -> Self {
        ApiErr::new(StatusCode::BAD_REQUEST, "invalid_request", message)
    }
}

impl From<StoreError> for ApiErr {
    fn from(e: StoreError) -> Self {
        ApiErr::new(StatusCode::INTERNAL_SERVER_ERROR, "internal_error", format!("database error: {e}"))
    }
}

impl From<BodyError> for ApiErr {
    fn from(e: BodyError) -> Self {
        match e {
            BodyError::Malformed(m) => ApiErr::bad_request(format!("the body is not valid JSON: {m}")),
            BodyError::Invalid(m) => ApiErr::invalid(format!("invalid request body: {m}")),
        }
    }
}

/// The 408 envelope for a request that did not arrive within `read_timeout`.
pub fn timeout_reply(read_timeout: std::time::Duration) -> crate::server::TimeoutReply {
    let message = format!("the request did not arrive within {}", humantime::format_duration(read_timeout));
    crate::server::TimeoutReply::new("application/json", envelope("request_timeout", message))
        .with_rejections(unparsed_reply)
}

/// The envelope of the answer to a request that is not valid HTTP (the server
/// answers it before any handler runs).
fn unparsed_reply(status: StatusCode) -> Vec<u8> {
    let (code, message) = match status {
        StatusCode::URI_TOO_LONG => ("uri_too_long", "the request URI is too long"),
        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE => {
            ("headers_too_large", "the request headers are too large")
        }
        _ => ("invalid_request", "the request is not valid HTTP/1.1"),
    };
    envelope(code, message.to_string())
}

/// The `{"error":{"code","message"}}` body every error answer carries.
fn envelope(code: &str, message: String) -> Vec<u8> {
    let body = ErrorBody { error: ApiError { code: code.to_string(), message } };
    serde_json::to_vec(&body).expect("models serialise")
}

impl IntoResponse for ApiErr {
    fn into_response(self) -> Response {
        raw_json(self.status, envelope(self.code, self.message))
    }
}

type ApiResult = Result<Response, ApiErr>;

fn json_response<T: Serialize>(status: StatusCode, value: &T) -> Response {
    let body = serde_json::to_vec(value).expect("models serialise");
    raw_json(status, body)
}

fn raw_json(status: StatusCode, body: Vec<u8>) -> Response {
    let mut resp = Response::new(Body::from(body));
    *resp.status_mut() = status;
    resp.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    resp
}

fn data<T: Serialize>(status: StatusCode, value: T) -> ApiResult {
    Ok(json_response(status, &Envelope { data: value }))
}

async fn no_route() -> ApiErr {
    ApiErr::new(StatusCode::NOT_FOUND, "not_found", "no such route")
}

async fn wrong_method() -> ApiErr {
    ApiErr::new(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed", "method not allowed on this route")
}

// ---------------------------------------------------------------------------
// Authentication

/// Compares in constant time for equal lengths, so the key cannot be guessed byte by byte.
fn same_key(given: &[u8], expected: &[u8]) -> bool {
    given.len() == expected.len() && given.iter().zip(expected).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0
}

async fn authenticate(State(state): State<Shared>, req: Request, next: Next) -> Response {
    let given = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
        .map(str::trim);
    let err = match given {
        Some(key) if same_key(key.as_bytes(), state.api_key.as_bytes()) => return next.run(req).await,
        Some(_) => ApiErr::new(StatusCode::UNAUTHORIZED, "unauthorized", "invalid API key"),
        None => ApiErr::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "missing API key: send Authorization: Bearer <key>",
        ),
    };
    let mut resp = err.into_response();
    resp.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    resp
}

// ---------------------------------------------------------------------------
// Idempotency-Key on the other POSTs

/// The `Idempotency-Key` of a request: `None` when absent, an error when unusable.
fn idempotency_key(headers: &HeaderMap) -> Result<Option<String>, ApiErr> {
    match headers.get(IDEMPOTENCY_KEY) {
        None => Ok(None),
        Some(v) => v
            .to_str()
            .ok()
            .filter(|k| !k.is_empty() && k.len() <= 255)
            .map(|k| Some(k.to_string()))
            .ok_or_else(|| ApiErr::bad_request("Idempotency-Key must be 1 to 255 printable characters")),
    }
}

/// A POST repeated with the same `Idempotency-Key` (a client retrying after a
/// lost answer) gets the first answer again instead of emitting the events,
/// test send or redelivery twice. `POST /webhooks` handles its key itself,
/// inside the transaction that creates the webhook.
async fn replay_idempotent(State(st): State<Shared>, req: Request, next: Next) -> Response {
    if req.method() != axum::http::Method::POST || req.uri().path() == "/webhooks" {
        return next.run(req).await;
    }
    let key = match idempotency_key(req.headers()) {
        Ok(Some(k)) => k,
        Ok(None) => return next.run(req).await,
        Err(e) => return e.into_response(),
    };
    let route = req.uri().path().to_string();
    let (parts, body) = req.into_parts();
    let Ok(body) = axum::body::to_bytes(body, MAX_BODY).await else {
        return too_large().into_response();
    };
    let hash = hex::encode(Sha256::digest(&body));
    match st.store.find_replay(&key, &route).await {
        Ok(Some(old)) if old.request_hash == hash => {
            let mut resp = raw_json(StatusCode::from_u16(old.status).unwrap_or(StatusCode::OK), old.body);
            resp.headers_mut().insert("idempotent-replayed", HeaderValue::from_static("true"));
            return resp;
        }
        Ok(Some(_)) => {
            return ApiErr::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "idempotency_key_reused",
                "this Idempotency-Key was already used with a different request body",
            )
            .into_response();
        }
        Ok(None) => {}
        Err(e) => return ApiErr::from(e).into_response(),
    }
    let resp = next.run(Request::from_parts(parts, Body::from(body))).await;
    if !resp.status().is_success() {
        return resp;
    }
    let (parts, body) = resp.into_parts();
    let Ok(body) = axum::body::to_bytes(body, usize::MAX).await else {
        return ApiErr::new(StatusCode::INTERNAL_SERVER_ERROR, "internal_error", "cannot buffer the answer")
            .into_response();
    };
    let replay = Replay { request_hash: hash, status: parts.status.as_u16(), body: body.to_vec() };
    // Not remembering the answer only costs a duplicate if the client retries.
    let _ = st.store.save_replay(&key, &route, replay, now_ms()).await;
    Response::from_parts(parts, Body::from(body))
}

// ---------------------------------------------------------------------------
// Query strings: only `limit` and `cursor`, both plain tokens.

struct Paging {
    limit: usize,
    cursor: Option<i64>,
}

fn paging(query: Option<&str>) -> Result<Paging, ApiErr> {
    let mut p = Paging { limit: DEFAULT_LIMIT, cursor: None };
    for pair in query.unwrap_or("").split('&').filter(|s| !s.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        match k {
            "limit" => {
                p.limit =
                    v.parse().ok().filter(|n| (1..=MAX_LIMIT).contains(n)).ok_or_else(|| {
                        ApiErr::bad_request(format!("limit must be between 1 and {MAX_LIMIT}"))
                    })?;
            }
            "cursor" if !v.is_empty() => {
                p.cursor = Some(
                    v.parse()
                        .ok()
                        .filter(|n: &i64| *n > 0)
                        .ok_or_else(|| ApiErr::bad_request("invalid cursor"))?,
                );
            }
            _ => {}
        }
    }
    Ok(p)
}

fn page<T>(items: Vec<T>, next: Option<i64>) -> Page<T> {
    Page { data: items, has_more: next.is_some(), next_cursor: next.map(|n| n.to_string()) }
}

// ---------------------------------------------------------------------------
// Webhooks

fn webhook_id(id: &str) -> Result<String, ApiErr> {
    if ids::is_valid(id, ids::WEBHOOK_PREFIX) {
        Ok(id.to_string())
    } else {
        Err(ApiErr::not_found("webhook", id))
    }
}

const IDEMPOTENCY_KEY: &str = "idempotency-key";

async fn create_webhook(State(st): State<Shared>, headers: HeaderMap, body: Bytes) -> ApiResult {
    let req: CreateWebhook = validate::parse_body(&body)?;
    let key = idempotency_key(&headers)?;
    let webhook = validate::new_webhook(req, &rfc3339(now_ms())).map_err(ApiErr::invalid)?;
    validate::reachable(&webhook.url, st.addr, st.allow_http).map_err(ApiErr::invalid)?;
    let key = key.map(|key| IdempotencyKey { key, request_hash: hex::encode(Sha256::digest(&body)) });
    let created = st.store.create_webhook(webhook, key).await?;
    match created {
        Created::New(w) => data(StatusCode::CREATED, w),
        Created::Replay(Some(w)) => {
            let mut resp = data(StatusCode::CREATED, w)?;
            resp.headers_mut().insert("idempotent-replayed", HeaderValue::from_static("true"));
            Ok(resp)
        }
        // Deleting a webhook forgets its keys, so this only happens mid-delete.
        Created::Replay(None) => {
            Err(ApiErr::new(StatusCode::CONFLICT, "conflict", "the webhook was deleted"))
        }
        Created::Mismatch => Err(ApiErr::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "idempotency_key_reused",
            "this Idempotency-Key was already used with a different request body",
        )),
    }
}

async fn list_webhooks(State(st): State<Shared>, RawQuery(q): RawQuery) -> ApiResult {
    let p = paging(q.as_deref())?;
    let (items, next) = st.store.list_webhooks(p.cursor, p.limit).await?;
    Ok(json_response(StatusCode::OK, &page(items, next)))
}

async fn load_webhook(st: &AppState, id: &str) -> Result<Webhook, ApiErr> {
    let id = webhook_id(id)?;
    st.store.get_webhook(&id).await?.ok_or_else(|| ApiErr::not_found("webhook", &id))
}

async fn get_webhook(State(st): State<Shared>, Path(id): Path<String>) -> ApiResult {
    data(StatusCode::OK, load_webhook(&st, &id).await?)
}

async fn update_webhook(State(st): State<Shared>, Path(id): Path<String>, body: Bytes) -> ApiResult {
    let req: UpdateWebhook = validate::parse_body(&body)?;
    let mut webhook = load_webhook(&st, &id).await?;
    validate::apply_update(&mut webhook, req, &rfc3339(now_ms())).map_err(ApiErr::invalid)?;
    validate::reachable(&webhook.url, st.addr, st.allow_http).map_err(ApiErr::invalid)?;
    if !st.store.save_webhook(&webhook).await? {
        return Err(ApiErr::not_found("webhook", &id));
    }
    // A change of batching may close an open batch.
    st.engine.nudge();
    data(StatusCode::OK, webhook)
}

async fn delete_webhook(State(st): State<Shared>, Path(id): Path<String>) -> ApiResult {
    let id = webhook_id(&id)?;
    if !st.store.delete_webhook(&id).await? {
        return Err(ApiErr::not_found("webhook", &id));
    }
    data(StatusCode::OK, Deleted { id, deleted: true })
}

async fn set_status(st: &AppState, id: &str, status: WebhookStatus) -> ApiResult {
    let id = webhook_id(id)?;
    let webhook = st
        .store
        .set_status(&id, status, &rfc3339(now_ms()))
        .await?
        .ok_or_else(|| ApiErr::not_found("webhook", &id))?;
    // Enabling resumes whatever was queued for the webhook.
    st.engine.nudge();
    data(StatusCode::OK, webhook)
}

async fn disable_webhook(State(st): State<Shared>, Path(id): Path<String>) -> ApiResult {
    set_status(&st, &id, WebhookStatus::Disabled).await
}

async fn enable_webhook(State(st): State<Shared>, Path(id): Path<String>) -> ApiResult {
    set_status(&st, &id, WebhookStatus::Active).await
}

fn require_active(w: &Webhook) -> Result<(), ApiErr> {
    match w.status {
        WebhookStatus::Active => Ok(()),
        WebhookStatus::Disabled => Err(ApiErr::new(
            StatusCode::CONFLICT,
            "webhook_disabled",
            format!("webhook {} is disabled; enable it first (POST /webhooks/{}/enable)", w.id, w.id),
        )),
    }
}

/// Checks an event name against the catalog: 422 `unknown_event` (with the
/// nearest valid name) for anything else.
fn known_event(name: &str, at: &str) -> Result<(), ApiErr> {
    catalog::validate_event(name).map(|_| ()).map_err(|e| {
        let message = match e.hint() {
            Some(h) => format!("{at}{}; {h}", e.message()),
            None => format!("{at}{}", e.message()),
        };
        ApiErr::new(StatusCode::UNPROCESSABLE_ENTITY, "unknown_event", message)
    })
}

/// Sends the event's sample to this webhook only (no filters, no batching) and
/// answers with the attempt's outcome, as the dashboard's "Send Test Event" shows it.
async fn test_webhook(State(st): State<Shared>, Path(id): Path<String>, body: Bytes) -> ApiResult {
    let event = if body.iter().all(u8::is_ascii_whitespace) {
        "opportunity.updated".to_string()
    } else {
        validate::parse_body::<TestRequest>(&body)?.event
    };
    known_event(&event, "")?;
    let webhook = load_webhook(&st, &id).await?;
    require_active(&webhook)?;
    let (data_value, changes) = payload::sample_data(&event, None);
    let ev = envelope::new_event(&event, data_value, changes.as_ref());
    let delivery = st.store.queue_test(&webhook.id, ev, now_ms()).await?;
    outcome_of(&st, delivery).await
}

/// Waits for the first attempt of a just-queued delivery and answers with its
/// log row: 200 once attempted (succeeded or failed, with the answer), or 202
/// with the pending row if it has not been made in time.
async fn outcome_of(st: &AppState, pending: Delivery) -> ApiResult {
    if !st.engine.wait_for_attempt(&pending.id).await {
        return data(StatusCode::ACCEPTED, pending);
    }
    match st.store.get_delivery(&pending.id).await? {
        Some(done) => data(StatusCode::OK, done),
        None => data(StatusCode::ACCEPTED, pending),
    }
}

async fn list_deliveries(
    State(st): State<Shared>,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
) -> ApiResult {
    let p = paging(q.as_deref())?;
    let webhook = load_webhook(&st, &id).await?;
    let (items, next) = st.store.list_deliveries(&webhook.id, p.cursor, p.limit).await?;
    Ok(json_response(StatusCode::OK, &page(items, next)))
}

/// Queues the delivery's event (or batch) again for its webhook (a new
/// delivery, attempt 1) and answers with that attempt's outcome.
async fn retry_delivery(State(st): State<Shared>, Path(id): Path<String>) -> ApiResult {
    if !ids::is_valid(&id, ids::DELIVERY_PREFIX) {
        return Err(ApiErr::not_found("delivery", &id));
    }
    let sent = st.store.sent(&id).await?.ok_or_else(|| ApiErr::not_found("delivery", &id))?;
    let webhook = load_webhook(&st, &sent.delivery.webhook_id).await?;
    require_active(&webhook)?;
    let delivery = st.store.queue_again(&webhook.id, sent, now_ms()).await?;
    outcome_of(&st, delivery).await
}

// ---------------------------------------------------------------------------
// Events

/// One event to emit: `{"event","data"?,"changes"?}`. `data` defaults to the
/// catalog sample; `changes` to the sample's changes.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct EmitItem {
    event: String,
    #[serde(default)]
    data: Option<Value>,
    #[serde(default)]
    changes: Option<Value>,
}

/// `POST /events`: one event `{"event","data"?}`, or many as `{"events":[…]}` or a
/// JSON array. Everything is stored and fanned out in one transaction before
/// the answer: `{"data":event}` for one, `{"data":[event,…]}` for many.
async fn emit_events(State(st): State<Shared>, body: Bytes) -> ApiResult {
    let value: Value = serde_json::from_slice(&body)
        .map_err(|e| ApiErr::bad_request(format!("the body is not valid JSON: {e}")))?;
    let (items, many) = match value {
        Value::Array(items) => (items, true),
        Value::Object(mut map) if map.contains_key("events") && !map.contains_key("event") => {
            match map.remove("events") {
                Some(Value::Array(items)) => (items, true),
                _ => {
                    return Err(ApiErr::invalid("events: must be an array of {\"event\",\"data\"?} objects"));
                }
            }
        }
        single => (vec![single], false),
    };
    if items.is_empty() || items.len() > MAX_EVENTS_PER_REQUEST {
        return Err(ApiErr::invalid(format!("send 1 to {MAX_EVENTS_PER_REQUEST} events per request")));
    }
    let mut events: Vec<NewEvent> = Vec::with_capacity(items.len());
    for (i, item) in items.into_iter().enumerate() {
        let at = if many { format!("events[{i}]: ") } else { String::new() };
        let item: EmitItem =
            serde_json::from_value(item).map_err(|e| ApiErr::invalid(format!("{at}invalid event: {e}")))?;
        known_event(&item.event, &at)?;
        let (sample, sample_changes) = catalog::sample(&item.event);
        let given = item.data.is_some();
        let data_value = match item.data {
            Some(d @ Value::Object(_)) => d,
            Some(_) => return Err(ApiErr::invalid(format!("{at}data: must be a JSON object"))),
            None => sample,
        };
        // The sample's changes end where the given data says they do (they
        // already end at the sample's own data).
        let changes = item.changes.or_else(|| {
            sample_changes.map(|mut c| {
                if given {
                    payload::carry_into_changes(&mut c, &data_value, |f| data_value.get(f).is_some());
                }
                c
            })
        });
        events.push(envelope::new_event(&item.event, data_value, changes.as_ref()));
    }
    // The answer is the stored bodies themselves.
    let mut out = Vec::with_capacity(events.iter().map(|e| e.body.len() + 1).sum::<usize>() + 16);
    out.extend_from_slice(b"{\"data\":");
    if many {
        out.push(b'[');
    }
    for (i, e) in events.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(&e.body);
    }
    if many {
        out.push(b']');
    }
    out.push(b'}');
    st.store.insert_events(events, now_ms()).await?;
    st.engine.nudge();
    Ok(raw_json(StatusCode::CREATED, out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paging_params() {
        let p = paging(Some("limit=5&cursor=12")).unwrap();
        assert_eq!((p.limit, p.cursor), (5, Some(12)));
        assert_eq!(paging(None).unwrap().limit, DEFAULT_LIMIT);
        assert!(paging(Some("limit=0")).is_err());
        assert!(paging(Some("limit=101")).is_err());
        assert!(paging(Some("cursor=abc")).is_err());
        let pg = page(vec![1, 2], Some(7));
        assert!(pg.has_more);
        assert_eq!(pg.next_cursor.as_deref(), Some("7"));
    }

    #[test]
    fn key_comparison() {
        assert!(same_key(b"sk_test_emulator", b"sk_test_emulator"));
        assert!(!same_key(b"sk_test_emulatos", b"sk_test_emulator"));
        assert!(!same_key(b"sk_test", b"sk_test_emulator"));
    }
}
