//! The typed management API client: one reqwest client (rustls), `Authorization:
//! Bearer KEY`, `{"data":…}` envelopes, `{"error":{"code","message"}}` errors, an
//! `Idempotency-Key` on every POST (the same on each attempt), retries on 429 /
//! 502 / 503 / 504 and connection errors, and `-v` traces with the key redacted.
//!
//! Every typed call returns a [`Fetched`]: the `data` value exactly as the API sent
//! it (for `--json`) and the same value read into a model (for human views).
//! The client prints nothing: traces and retries are [`Event`]s handed to an
//! [`Observer`] that the command layer renders.

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderMap, RETRY_AFTER};
use reqwest::{Method, StatusCode, Url};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::api::models::{CreateWebhook, Delivery, Page, TestRequest, UpdateWebhook, Webhook};
use crate::error::Error;
use crate::http::{Failure, FailureKind, host_port};
use crate::wire;
use crate::{ids, redact};

/// The header that makes a POST safe to retry.
pub const IDEMPOTENCY_KEY: &str = "Idempotency-Key";

/// Longest slice of a non-JSON error body quoted in a message.
const RAW_ERROR_LIMIT: usize = 200;
/// Longest body shown in a `-v` trace.
const TRACE_BODY_LIMIT: usize = 4096;
/// Most pages `list` follows before deciding the API is looping.
const MAX_PAGES: usize = 10_000;
/// Deadline of one attempt, connecting included.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// When and how often a request is tried again.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RetryPolicy {
    /// Retries after the first attempt.
    pub max_retries: u32,
    /// Wait before the first retry; doubled for each later one, then jittered.
    pub base_delay: Duration,
    /// Longest backoff wait.
    pub max_delay: Duration,
    /// Longest `Retry-After` honoured.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 3,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(5),
            max_retry_after: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// The wait before retry number `retry` (1-based): exponential, with jitter
    /// between half and all of it so that many clients do not retry in step.
    pub fn backoff(&self, retry: u32) -> Duration {
        let exp = self.base_delay.saturating_mul(1u32 << retry.saturating_sub(1).min(16));
        exp.min(self.max_delay).mul_f64(rand::random_range(0.5..=1.0))
    }
}

/// Something the client reports while a call is under way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event<'a> {
    /// One `-v` trace line of a request or an answer (the API key redacted).
    Trace(&'a str),
    /// An attempt failed in a way worth retrying; the next one follows after a wait.
    Retry(RetryNotice),
}

/// A retry about to happen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryNotice {
    /// The retryable status, or `None` after a connection error.
    pub status: Option<StatusCode>,
    /// How long until the next attempt.
    pub wait: Duration,
}

/// Receives the client's [`Event`]s.
pub trait Observer: Send + Sync {
    /// Whether [`Event::Trace`] lines are wanted (building them is skipped otherwise).
    fn tracing(&self) -> bool;
    /// Takes one event.
    fn event(&self, event: Event<'_>);
}

/// Ignores every event.
struct Unobserved;

impl Observer for Unobserved {
    fn tracing(&self) -> bool {
        false
    }

    fn event(&self, _: Event<'_>) {}
}

/// Whether an answer with this status is worth trying again.
pub fn is_retryable(status: StatusCode) -> bool {
    matches!(status.as_u16(), 429 | 502 | 503 | 504)
}

/// What went wrong talking to the API.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ClientError {
    /// The API answered with a non-2xx status.
    #[error("{}", api_message(*.status, .code.as_deref(), .message, .resource.as_deref()))]
    Api {
        /// HTTP status.
        status: u16,
        /// The API's error code, when it sent one.
        code: Option<String>,
        /// The API's message, or the start of the raw body.
        message: String,
        /// What the request was about (`webhook wh_x`), for the hint a 404 calls for.
        resource: Option<String>,
    },
    /// No answer: connection refused, DNS, TLS, timeout.
    #[error("cannot reach the API at {host}: {reason}")]
    Network {
        /// Host (and port) of the API.
        host: String,
        /// Why.
        reason: String,
    },
    /// A 2xx answer that is not what the API promises.
    #[error("unexpected answer from the API: {0}")]
    Unexpected(String),
    /// Input that must never reach a URL (a bad id, a bad base URL).
    #[error("{0}")]
    Invalid(String),
}

/// The API's own words stay on the line: they say more than any generic
/// replacement (which field was invalid, what was not found).
fn api_message(status: u16, code: Option<&str>, message: &str, resource: Option<&str>) -> String {
    match (status, resource) {
        (401, _) => format!("the API rejected the API key (401): {message}"),
        (404, Some(r)) => match code {
            Some(c) => format!("{r}: the API answered 404 ({c}): {message}"),
            None => format!("{r}: the API answered 404: {message}"),
        },
        _ => match code {
            Some(c) => format!("the API answered {status} ({c}): {message}"),
            None => format!("the API answered {status}: {message}"),
        },
    }
}

impl From<ClientError> for Error {
    fn from(e: ClientError) -> Self {
        let message = e.to_string();
        match e {
            ClientError::Api { status: 401, .. } => Error::failure(message)
                .with_hint("run `scopien-hooks login` (or check --api-key / SCOPIEN_API_KEY)"),
            ClientError::Api { status: 403, .. } => {
                Error::failure(message).with_hint("the API key lacks permission for this request")
            }
            ClientError::Api { status: 404, resource: None, .. } => {
                Error::failure(message).with_hint("check --api-base (it should end in /v1)")
            }
            ClientError::Api { status: 404, resource: Some(r), .. } if r.starts_with("delivery") => {
                Error::failure(message)
                    .with_hint("`scopien-hooks deliveries WEBHOOK_ID` lists a webhook's delivery ids")
            }
            ClientError::Api { status: 404, .. } => {
                Error::failure(message).with_hint("`scopien-hooks list` shows your webhooks and their ids")
            }
            ClientError::Api { status: 429, .. } => {
                Error::failure(message).with_hint("the API is rate limiting; wait a little and try again")
            }
            ClientError::Api { .. } | ClientError::Unexpected(_) => Error::failure(message),
            ClientError::Network { host, .. } if is_loopback_host(&host) => Error::failure(message)
                .with_hint(format!(
                    "nothing answers at {host}: start the emulator with `scopien-hooks emulate`, \
                     or point --api-base at the URL it prints"
                )),
            ClientError::Network { .. } => {
                Error::failure(message).with_hint("check your network connection and --api-base")
            }
            ClientError::Invalid(_) => Error::usage(message),
        }
    }
}

/// Whether `host` (`name:port`) is this machine: an API base there is an emulator.
fn is_loopback_host(host: &str) -> bool {
    let name = host
        .rsplit_once(':')
        .map_or(host, |(name, port)| if port.bytes().all(|b| b.is_ascii_digit()) { name } else { host });
    let name = name.trim_start_matches('[').trim_end_matches(']');
    name.eq_ignore_ascii_case("localhost")
        || name.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// A `data` value as the API sent it, and read into a model.
#[derive(Debug, Clone)]
pub struct Fetched<T> {
    /// The `data` value verbatim (what `--json` prints).
    pub raw: Value,
    /// The same value, typed.
    pub value: T,
}

/// The management API client.
#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    base: Url,
    host: String,
    api_key: String,
    auth_header: String,
    redacted_auth: String,
    observer: Arc<dyn Observer>,
    retry: RetryPolicy,
}

/// Written by hand so that a debug print can never show the key.
impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("base", &self.base.as_str())
            .field("api_key", &redact::secret(&self.api_key))
            .field("retry", &self.retry)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A client for the API at `base` (ending in `/v1`), authenticating with
    /// `api_key`. It reports nothing until given an observer.
    pub fn new(base: &str, api_key: &str) -> Result<Client, ClientError> {
        let bad_base = || ClientError::Invalid(format!("--api-base '{base}' is not an http(s) URL"));
        let mut url = Url::parse(base).map_err(|_| bad_base())?;
        if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
            return Err(bad_base());
        }
        if !url.path().ends_with('/') {
            let path = format!("{}/", url.path());
            url.set_path(&path);
        }
        if api_key.is_empty() || api_key.chars().any(|c| c.is_control()) {
            return Err(ClientError::Invalid("the API key is empty or has control characters".into()));
        }
        let host = match url.port() {
            Some(p) => format!("{}:{p}", url.host_str().unwrap_or_default()),
            None => url.host_str().unwrap_or_default().to_string(),
        };
        let http = reqwest::Client::builder()
            .use_rustls_tls()
            .user_agent(concat!("scopien-hooks/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(Duration::from_secs(10))
            .timeout(REQUEST_TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| ClientError::Invalid(format!("cannot set up the HTTP client: {e}")))?;
        Ok(Client {
            http,
            base: url,
            host,
            api_key: api_key.to_string(),
            auth_header: format!("Bearer {api_key}"),
            redacted_auth: format!("Bearer {}", redact::secret(api_key)),
            observer: Arc::new(Unobserved),
            retry: RetryPolicy::default(),
        })
    }

    /// Hands traces and retries to `observer`.
    pub fn with_observer(mut self, observer: Arc<dyn Observer>) -> Client {
        self.observer = observer;
        self
    }

    /// Replaces the retry policy.
    pub fn with_retry(mut self, retry: RetryPolicy) -> Client {
        self.retry = retry;
        self
    }

    /// Host (and port) of the API, for messages.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// `POST /webhooks`
    pub async fn create_webhook(&self, body: &CreateWebhook) -> Result<Fetched<Webhook>, ClientError> {
        fetched(&self.call(Method::POST, "webhooks", &[], Some(json_body(body)), None).await?)
    }

    /// `GET /webhooks?limit=&cursor=`: one page, the raw items beside the typed page.
    pub async fn list_webhooks_page(
        &self,
        limit: Option<u32>,
        cursor: Option<&str>,
    ) -> Result<(Vec<Value>, Page<Webhook>), ClientError> {
        let mut query = Vec::new();
        if let Some(l) = limit {
            query.push(("limit", l.to_string()));
        }
        if let Some(c) = cursor {
            query.push(("cursor", c.to_string()));
        }
        let body = self.call(Method::GET, "webhooks", &query, None, None).await?;
        let value = parse_json(&body)?;
        let page: Page<Webhook> = serde_json::from_value(value.clone())
            .map_err(|e| ClientError::Unexpected(format!("not a list page ({e})")))?;
        let raw = match value {
            Value::Object(mut m) => match m.remove("data") {
                Some(Value::Array(items)) => items,
                _ => Vec::new(),
            },
            _ => Vec::new(),
        };
        Ok((raw, page))
    }

    /// Every webhook, following `hasMore` / `nextCursor` across pages.
    pub async fn list_all_webhooks(&self, limit: Option<u32>) -> Result<Fetched<Vec<Webhook>>, ClientError> {
        let mut raw = Vec::new();
        let mut all = Vec::new();
        let mut cursor: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let (items, page) = self.list_webhooks_page(limit, cursor.as_deref()).await?;
            raw.extend(items);
            all.extend(page.data);
            match (page.has_more, page.next_cursor) {
                (true, Some(next)) if !next.is_empty() => {
                    if cursor.as_deref() == Some(next.as_str()) {
                        return Err(ClientError::Unexpected(format!("the cursor '{next}' came back twice")));
                    }
                    cursor = Some(next);
                }
                (true, _) => return Err(ClientError::Unexpected("hasMore without a nextCursor".into())),
                (false, _) => return Ok(Fetched { raw: Value::Array(raw), value: all }),
            }
        }
        Err(ClientError::Unexpected(format!("more than {MAX_PAGES} pages")))
    }

    /// `GET /webhooks/{id}`
    pub async fn get_webhook(&self, id: &str) -> Result<Fetched<Webhook>, ClientError> {
        let (path, what) = webhook_path(id, "")?;
        fetched(&self.call(Method::GET, &path, &[], None, Some(what)).await?)
    }

    /// `PATCH /webhooks/{id}` with only the fields that change.
    pub async fn update_webhook(
        &self,
        id: &str,
        body: &UpdateWebhook,
    ) -> Result<Fetched<Webhook>, ClientError> {
        let (path, what) = webhook_path(id, "")?;
        fetched(&self.call(Method::PATCH, &path, &[], Some(json_body(body)), Some(what)).await?)
    }

    /// `POST /webhooks/{id}/disable`
    pub async fn disable_webhook(&self, id: &str) -> Result<Fetched<Webhook>, ClientError> {
        let (path, what) = webhook_path(id, "/disable")?;
        fetched(&self.call(Method::POST, &path, &[], None, Some(what)).await?)
    }

    /// `POST /webhooks/{id}/enable`
    pub async fn enable_webhook(&self, id: &str) -> Result<Fetched<Webhook>, ClientError> {
        let (path, what) = webhook_path(id, "/enable")?;
        fetched(&self.call(Method::POST, &path, &[], None, Some(what)).await?)
    }

    /// `DELETE /webhooks/{id}`: 200 `{"data":{"id","deleted":true}}`, or 204.
    pub async fn delete_webhook(&self, id: &str) -> Result<Value, ClientError> {
        let (path, what) = webhook_path(id, "")?;
        let body = self.call(Method::DELETE, &path, &[], None, Some(what)).await?;
        if body.iter().all(u8::is_ascii_whitespace) {
            return Ok(serde_json::json!({"id": id, "deleted": true}));
        }
        take_data(parse_json(&body)?)
    }

    /// `POST /webhooks/{id}/test {"event":…}`
    pub async fn test_webhook(&self, id: &str, event: &str) -> Result<Value, ClientError> {
        let (path, what) = webhook_path(id, "/test")?;
        let body = json_body(&TestRequest { event: event.to_string() });
        let body = self.call(Method::POST, &path, &[], Some(body), Some(what)).await?;
        take_data(parse_json(&body)?)
    }

    /// `GET /webhooks/{id}/deliveries?limit=`
    pub async fn list_deliveries(
        &self,
        id: &str,
        limit: Option<u32>,
    ) -> Result<Fetched<Vec<Delivery>>, ClientError> {
        let (path, what) = webhook_path(id, "/deliveries")?;
        let query: Vec<_> = limit.map(|l| ("limit", l.to_string())).into_iter().collect();
        fetched(&self.call(Method::GET, &path, &query, None, Some(what)).await?)
    }

    /// `POST /deliveries/{id}/retry`
    pub async fn retry_delivery(&self, id: &str) -> Result<Value, ClientError> {
        if !ids::is_valid(id, ids::DELIVERY_PREFIX) {
            return Err(ClientError::Invalid(ids::parse_delivery_id(id).unwrap_err()));
        }
        let path = format!("deliveries/{id}/retry");
        let body = self.call(Method::POST, &path, &[], None, Some(format!("delivery {id}"))).await?;
        take_data(parse_json(&body)?)
    }

    /// `POST /events` (the emulator's emit endpoint): `events` is one serialised
    /// [`EmitRequest`](crate::api::models::EmitRequest) sent `count` times, as the
    /// request itself when `count` is 1 and as a bulk `{"events":[…]}` otherwise.
    /// Returns the created events as the API sent them, in order.
    pub async fn emit_events(&self, event: &[u8], count: usize) -> Result<Vec<Value>, ClientError> {
        let body = if count == 1 { Bytes::copy_from_slice(event) } else { bulk_body(event, count) };
        let answer = self.call(Method::POST, "events", &[], Some(body), None).await?;
        match take_data(parse_json(&answer)?)? {
            Value::Array(events) if events.len() == count => Ok(events),
            one @ Value::Object(_) if count == 1 => Ok(vec![one]),
            other => Err(ClientError::Unexpected(format!(
                "asked for {count} event{}, got {}",
                if count == 1 { "" } else { "s" },
                match other {
                    Value::Array(a) => format!("{} back", a.len()),
                    _ => "no list of events back".to_string(),
                }
            ))),
        }
    }

    /// Sends one logical request (retrying as the policy allows) and returns the
    /// body of its 2xx answer.
    async fn call(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<Bytes>,
        resource: Option<String>,
    ) -> Result<Bytes, ClientError> {
        let mut url = self.base.join(path).map_err(|e| ClientError::Invalid(format!("bad path: {e}")))?;
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query.iter().map(|(k, v)| (*k, v.as_str())));
        }
        // One key per logical request, so the API can tell a retry from a new create.
        let idempotency_key = (method == Method::POST).then(|| ids::random_alphanumeric(32));
        let mut retry = 0;
        loop {
            let mut req = self
                .http
                .request(method.clone(), url.clone())
                .header(AUTHORIZATION, &self.auth_header)
                .header(ACCEPT, "application/json");
            if let Some(k) = &idempotency_key {
                req = req.header(IDEMPOTENCY_KEY, k);
            }
            if let Some(b) = &body {
                req = req.header(CONTENT_TYPE, "application/json").body(b.clone());
            }
            self.trace_request(&method, &url, idempotency_key.as_deref(), body.as_deref(), retry);
            let started = Instant::now();
            let outcome = match req.send().await {
                Ok(resp) => {
                    let status = resp.status();
                    let headers = resp.headers().clone();
                    match resp.bytes().await {
                        Ok(bytes) => Ok((status, headers, bytes)),
                        Err(e) => Err(e),
                    }
                }
                Err(e) => Err(e),
            };
            match outcome {
                Ok((status, headers, bytes)) => {
                    self.trace_response(status, &headers, &bytes, started.elapsed());
                    if status.is_success() {
                        return Ok(bytes);
                    }
                    if is_retryable(status) && retry < self.retry.max_retries {
                        retry += 1;
                        let wait = retry_after(&headers)
                            .map(|d| d.min(self.retry.max_retry_after))
                            .unwrap_or_else(|| self.retry.backoff(retry));
                        self.observer.event(Event::Retry(RetryNotice { status: Some(status), wait }));
                        tokio::time::sleep(wait).await;
                        continue;
                    }
                    return Err(self.api_error(status, &bytes, resource));
                }
                Err(e) => {
                    let reason = self.scrub(&self.network_reason(&e));
                    self.trace(&format!("! {reason}"));
                    let transient = e.is_connect() || e.is_timeout() || e.is_request() || e.is_body();
                    if transient && retry < self.retry.max_retries {
                        retry += 1;
                        let wait = self.retry.backoff(retry);
                        self.observer.event(Event::Retry(RetryNotice { status: None, wait }));
                        tokio::time::sleep(wait).await;
                        continue;
                    }
                    let reason =
                        if retry > 0 { format!("{reason} (after {} attempts)", retry + 1) } else { reason };
                    return Err(ClientError::Network { host: self.host.clone(), reason });
                }
            }
        }
    }

    fn api_error(&self, status: StatusCode, body: &[u8], resource: Option<String>) -> ClientError {
        let (code, message) = match serde_json::from_slice::<crate::api::models::ErrorBody>(body) {
            Ok(e) => (Some(e.error.code), e.error.message),
            Err(_) => {
                let text = String::from_utf8_lossy(body);
                let text = text.trim();
                let message = if text.is_empty() {
                    status.canonical_reason().unwrap_or("no reason given").to_string()
                } else {
                    truncate(&text.replace(['\n', '\r'], " "), RAW_ERROR_LIMIT)
                };
                (None, message)
            }
        };
        // An answer that echoes a webhook (its secret) or the key back must not show them.
        let message = self.scrub(&redact::text_secrets(&message));
        ClientError::Api { status: status.as_u16(), code, message, resource }
    }

    /// Replaces the API key wherever it appears (an API echoing it back, say).
    fn scrub(&self, text: &str) -> String {
        if text.contains(&self.api_key) {
            text.replace(&self.api_key, &redact::secret(&self.api_key))
        } else {
            text.to_string()
        }
    }

    /// Why there was no answer: "connection refused", not "error sending request".
    fn network_reason(&self, e: &reqwest::Error) -> String {
        let addr = e.url().map_or_else(|| self.host.clone(), host_port);
        let failure = Failure::classify(addr, e, REQUEST_TIMEOUT, self.base.scheme() == "https");
        match failure.kind() {
            FailureKind::Timeout(_) => "the request timed out".into(),
            _ => failure.reason().into_owned(),
        }
    }

    fn tracing(&self) -> bool {
        self.observer.tracing()
    }

    fn trace(&self, line: &str) {
        if self.tracing() {
            self.observer.event(Event::Trace(line));
        }
    }

    fn trace_request(&self, method: &Method, url: &Url, key: Option<&str>, body: Option<&[u8]>, retry: u32) {
        if !self.tracing() {
            return;
        }
        let again = if retry > 0 { format!(" (retry {retry})") } else { String::new() };
        self.trace(&format!("> {method} {}{again}", redact::url_passwords(url.as_str())));
        self.trace(&format!("> authorization: {}", self.redacted_auth));
        if let Some(k) = key {
            self.trace(&format!("> idempotency-key: {k}"));
        }
        if let Some(b) = body {
            self.trace("> content-type: application/json");
            self.trace(&format!("> {}", self.trace_body(b)));
        }
    }

    fn trace_response(&self, status: StatusCode, headers: &HeaderMap, body: &[u8], took: Duration) {
        if !self.tracing() {
            return;
        }
        self.trace(&format!("< {status} ({})", crate::units::human_duration(took)));
        for (name, value) in headers {
            self.trace(&format!("< {name}: {}", self.scrub(&String::from_utf8_lossy(value.as_bytes()))));
        }
        if !body.is_empty() {
            self.trace(&format!("< {}", self.trace_body(body)));
        }
    }

    /// A body for a trace: webhook secrets redacted, the API key scrubbed, long bodies cut.
    fn trace_body(&self, body: &[u8]) -> String {
        let text = match serde_json::from_slice::<Value>(body) {
            Ok(mut v) => {
                redact::json_secrets(&mut v);
                v.to_string()
            }
            Err(_) => redact::text_secrets(&String::from_utf8_lossy(body)).into_owned(),
        };
        truncate(&self.scrub(&text), TRACE_BODY_LIMIT)
    }
}

fn json_body<T: serde::Serialize>(value: &T) -> Bytes {
    Bytes::from(serde_json::to_vec(value).expect("models serialise"))
}

/// `{"events":[item,item,…]}` with `item` (already JSON) repeated `n` times,
/// written without re-serialising it.
fn bulk_body(item: &[u8], n: usize) -> Bytes {
    let mut body = Vec::with_capacity(wire::batch_len(n, item.len() * n));
    wire::write_batch(&mut body, n, |out| out.extend_from_slice(item));
    Bytes::from(body)
}

fn webhook_path(id: &str, suffix: &str) -> Result<(String, String), ClientError> {
    if !ids::is_valid(id, ids::WEBHOOK_PREFIX) {
        return Err(ClientError::Invalid(ids::parse_webhook_id(id).unwrap_err()));
    }
    Ok((format!("webhooks/{id}{suffix}"), format!("webhook {id}")))
}

/// The `data` of a 2xx answer read into `T`, keeping the raw value too.
fn fetched<T: DeserializeOwned>(body: &[u8]) -> Result<Fetched<T>, ClientError> {
    let raw = take_data(parse_json(body)?)?;
    let value = serde_json::from_value(raw.clone())
        .map_err(|e| ClientError::Unexpected(format!("the data does not read as expected ({e})")))?;
    Ok(Fetched { raw, value })
}

fn parse_json(body: &[u8]) -> Result<Value, ClientError> {
    serde_json::from_slice(body).map_err(|_| {
        let text = String::from_utf8_lossy(body);
        ClientError::Unexpected(format!("not JSON: {}", truncate(text.trim(), RAW_ERROR_LIMIT)))
    })
}

fn take_data(value: Value) -> Result<Value, ClientError> {
    match value {
        Value::Object(mut m) if m.contains_key("data") => Ok(m.remove("data").unwrap_or(Value::Null)),
        _ => Err(ClientError::Unexpected("no \"data\" in the answer".into())),
    }
}

/// `Retry-After` in seconds (the form APIs use for 429).
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let v = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    v.parse::<u64>().ok().map(Duration::from_secs)
}

fn truncate(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_string();
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &text[..end])
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn backoff_grows_and_stays_bounded() {
        let p = RetryPolicy::default();
        for retry in 1..=3 {
            let full = p.base_delay * (1 << (retry - 1));
            let d = p.backoff(retry);
            assert!(d >= full / 2 && d <= full, "retry {retry}: {d:?}");
        }
        assert!(p.backoff(40) <= p.max_delay);
    }

    #[test]
    fn retryable_statuses() {
        for s in [429, 502, 503, 504] {
            assert!(is_retryable(StatusCode::from_u16(s).unwrap()));
        }
        for s in [400, 401, 404, 409, 500, 501] {
            assert!(!is_retryable(StatusCode::from_u16(s).unwrap()));
        }
    }

    #[test]
    fn retry_after_reads_seconds() {
        let mut h = HeaderMap::new();
        assert_eq!(retry_after(&h), None);
        h.insert(RETRY_AFTER, "2".parse().unwrap());
        assert_eq!(retry_after(&h), Some(Duration::from_secs(2)));
        h.insert(RETRY_AFTER, "Wed, 21 Oct 2015 07:28:00 GMT".parse().unwrap());
        assert_eq!(retry_after(&h), None);
    }

    #[test]
    fn error_messages_and_exit_codes() {
        let e = ClientError::Api {
            status: 404,
            code: Some("not_found".into()),
            message: "nope".into(),
            resource: Some("webhook wh_x".into()),
        };
        assert_eq!(e.to_string(), "webhook wh_x: the API answered 404 (not_found): nope");
        let e: Error = e.into();
        assert!(e.hint().unwrap().contains("scopien-hooks list"), "{:?}", e.hint());
        let e: Error =
            ClientError::Api { status: 401, code: None, message: "bad key".into(), resource: None }.into();
        assert_eq!(e.exit_code(), 1);
        assert!(e.hint().unwrap().contains("scopien-hooks login"));
        let e: Error = ClientError::Api {
            status: 422,
            code: Some("invalid".into()),
            message: "url".into(),
            resource: None,
        }
        .into();
        assert_eq!(e.message(), "the API answered 422 (invalid): url");
        let e: Error = ClientError::Invalid("bad id".into()).into();
        assert_eq!(e.exit_code(), 2);
    }

    #[test]
    fn data_and_secrets() {
        assert_eq!(take_data(json!({"data": [1]})).unwrap(), json!([1]));
        assert!(take_data(json!({"x": 1})).is_err());
        let mut v =
            json!({"data": {"secret": "whsec_abc123def456", "nested": [{"secret": "whsec_abcdefghf456"}]}});
        redact::json_secrets(&mut v);
        assert_eq!(v["data"]["secret"], "whsec_…f456");
        assert_eq!(v["data"]["nested"][0]["secret"], "whsec_…f456");
        assert_eq!(truncate("héllo", 2), "h…");
    }

    #[test]
    fn bulk_bodies_are_json() {
        let v: Value = serde_json::from_slice(&bulk_body(br#"{"event":"lead.created"}"#, 3)).unwrap();
        assert_eq!(v["events"].as_array().unwrap().len(), 3);
        assert_eq!(v["events"][2]["event"], "lead.created");
        let v: Value = serde_json::from_slice(&bulk_body(b"{}", 1)).unwrap();
        assert_eq!(v, json!({"events": [{}]}));
    }

    #[test]
    fn rejects_bad_ids_and_bases() {
        assert!(webhook_path("wh_../x", "").is_err());
        assert_eq!(webhook_path("wh_ok", "/test").unwrap().0, "webhooks/wh_ok/test");
        assert!(Client::new("ftp://x/v1", "sk_test_abc").is_err());
        assert!(Client::new("not a url", "sk_test_abc").is_err());
        let c = Client::new("http://127.0.0.1:9/v1", "sk_test_abcdef123456").unwrap();
        assert_eq!(c.base.as_str(), "http://127.0.0.1:9/v1/");
        assert_eq!(c.host(), "127.0.0.1:9");
        let debug = format!("{c:?}");
        assert!(!debug.contains("sk_test_abcdef123456") && debug.contains("sk_test_…3456"), "{debug}");
    }

    /// Keeps every event it is given.
    #[derive(Default)]
    struct Recorder {
        traces: std::sync::Mutex<Vec<String>>,
        retries: std::sync::Mutex<Vec<RetryNotice>>,
    }

    impl Observer for Recorder {
        fn tracing(&self) -> bool {
            true
        }

        fn event(&self, event: Event<'_>) {
            match event {
                Event::Trace(line) => self.traces.lock().unwrap().push(line.to_string()),
                Event::Retry(notice) => self.retries.lock().unwrap().push(notice),
            }
        }
    }

    /// An API that answers 503 to the first request and an empty page after.
    async fn flaky_api() -> std::net::SocketAddr {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            for n in 0.. {
                let Ok((mut stream, _)) = listener.accept().await else { return };
                let mut buf = [0u8; 4096];
                let _ = stream.read(&mut buf).await;
                let answer: &[u8] = if n == 0 {
                    b"HTTP/1.1 503 Service Unavailable\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
                } else {
                    b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 45\r\n\
                      connection: close\r\n\r\n{\"data\":[],\"hasMore\":false,\"nextCursor\":null}"
                };
                let _ = stream.write_all(answer).await;
                let _ = stream.shutdown().await;
            }
        });
        addr
    }

    #[tokio::test]
    async fn retries_and_traces_are_reported_as_events() {
        let addr = flaky_api().await;
        let seen = Arc::new(Recorder::default());
        let retry = RetryPolicy { base_delay: Duration::from_millis(1), ..RetryPolicy::default() };
        let client = Client::new(&format!("http://{addr}/v1"), "sk_test_abcdef123456")
            .unwrap()
            .with_observer(seen.clone())
            .with_retry(retry);
        let (raw, page) = client.list_webhooks_page(None, None).await.expect("the second attempt succeeds");
        assert!(raw.is_empty() && page.data.is_empty());
        let retries = seen.retries.lock().unwrap().clone();
        assert_eq!(retries.len(), 1);
        assert_eq!(retries[0].status, Some(StatusCode::SERVICE_UNAVAILABLE));
        assert!(retries[0].wait <= Duration::from_millis(1), "{:?}", retries[0].wait);
        let traces = seen.traces.lock().unwrap().clone();
        assert_eq!(traces[0], format!("> GET http://{addr}/v1/webhooks"));
        assert_eq!(traces[1], "> authorization: Bearer sk_test_…3456");
        assert!(traces.iter().any(|t| t.starts_with("< 503 Service Unavailable (")), "{traces:#?}");
        assert!(
            traces.iter().any(|t| t == &format!("> GET http://{addr}/v1/webhooks (retry 1)")),
            "{traces:#?}"
        );
        assert!(traces.iter().all(|t| !t.contains("sk_test_abcdef123456")), "{traces:#?}");
    }

    #[tokio::test]
    async fn an_unreachable_api_is_a_network_error_naming_the_host() {
        let socket = tokio::net::TcpSocket::new_v4().unwrap();
        socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
        let addr = socket.local_addr().unwrap();
        let seen = Arc::new(Recorder::default());
        let retry =
            RetryPolicy { max_retries: 1, base_delay: Duration::from_millis(1), ..RetryPolicy::default() };
        let client = Client::new(&format!("http://{addr}/v1"), "sk_test_abcdef123456")
            .unwrap()
            .with_observer(seen.clone())
            .with_retry(retry);
        let e = client.get_webhook("wh_abc123").await.expect_err("nothing listens");
        assert_eq!(
            e,
            ClientError::Network {
                host: addr.to_string(),
                reason: "connection refused (after 2 attempts)".into()
            }
        );
        assert_eq!(seen.retries.lock().unwrap()[0].status, None);
        assert!(seen.traces.lock().unwrap().contains(&"! connection refused".to_string()));
    }
}
