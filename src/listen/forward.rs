//! Forwarding to the user's app: the raw body and the original headers (minus
//! hop-by-hop ones and `Host`) go out, and the app's status, body and content
//! type come back to the sender. `http://` targets go through one lean pooled
//! hyper HTTP/1 client; `https://` targets through one pooled reqwest client
//! (rustls), built at start only when a target needs it. Redirects are never
//! followed: a 3xx is the app's answer. No answer is a 502 (cannot connect or
//! resolve, TLS handshake failed, connection dropped) or a 504 (after
//! `--forward-timeout`).

use std::error::Error as StdError;
use std::io::ErrorKind;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::header::{self, HeaderMap, HeaderName, HeaderValue};
use http::{Method, Request, StatusCode};
use http_body_util::{BodyExt, Full, Limited};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioTimer};

use super::options::Target;
use crate::error::{Error, Result, io_reason};

/// The most of an app's answer relayed back; a larger one is a 502.
pub const MAX_ANSWER: usize = 4 << 20;

/// How a forward ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The app answered.
    Answered {
        /// Its status.
        status: StatusCode,
        /// Its content type, relayed back.
        content_type: Option<HeaderValue>,
        /// Its body, relayed back.
        body: Bytes,
    },
    /// No connection could be made (502).
    Unreachable(String),
    /// A connection was made but no TLS session could be set up (502): the app
    /// does not speak TLS there, or its certificate was refused.
    Tls(String),
    /// The connection failed after it was made, or the answer was unusable (502).
    Failed(String),
    /// No complete answer within the deadline (504).
    TimedOut(Duration),
}

/// The result of forwarding one delivery.
#[derive(Debug, Clone)]
pub struct Forwarded {
    /// Where it went (the target's own text, shared).
    pub url: Arc<str>,
    /// The target's port, for hints.
    pub port: u16,
    /// How long it took.
    pub duration: Duration,
    /// What happened.
    pub outcome: Outcome,
}

impl Forwarded {
    /// The status the sender gets.
    pub fn status(&self) -> StatusCode {
        match &self.outcome {
            Outcome::Answered { status, .. } => *status,
            Outcome::Unreachable(_) | Outcome::Tls(_) | Outcome::Failed(_) => StatusCode::BAD_GATEWAY,
            Outcome::TimedOut(_) => StatusCode::GATEWAY_TIMEOUT,
        }
    }

    /// The app's status, when it answered.
    pub fn app_status(&self) -> Option<StatusCode> {
        match &self.outcome {
            Outcome::Answered { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// Why there was no answer (the JSON `forward.error`).
    pub fn error(&self) -> Option<String> {
        match &self.outcome {
            Outcome::Answered { .. } => None,
            Outcome::Unreachable(why) => Some(format!("app unreachable: {why}")),
            Outcome::Tls(why) => Some(format!("TLS handshake failed: {why}")),
            Outcome::Failed(why) => Some(why.clone()),
            Outcome::TimedOut(d) => Some(format!("no answer within {}", humantime::format_duration(*d))),
        }
    }

    /// The first line of the app's answer (empty when none).
    pub fn first_line(&self) -> String {
        match &self.outcome {
            Outcome::Answered { body, .. } => {
                let end = body.iter().position(|&b| b == b'\n' || b == b'\r').unwrap_or(body.len());
                String::from_utf8_lossy(&body[..end.min(512)]).trim().to_string()
            }
            _ => String::new(),
        }
    }
}

/// How long an idle pooled connection to the app is kept.
const IDLE: Duration = Duration::from_secs(30);

/// The pooled clients.
pub struct Forwarder {
    client: Client<HttpConnector, Full<Bytes>>,
    /// For `https://` targets; `None` when no target needs it.
    tls: Option<reqwest::Client>,
    timeout: Duration,
}

impl Forwarder {
    /// Clients whose requests give up after `timeout`; the TLS one is built only
    /// when `tls` (some target is `https://`).
    pub fn new(timeout: Duration, tls: bool) -> Result<Forwarder> {
        let mut connector = HttpConnector::new();
        connector.set_nodelay(true);
        let client = Client::builder(TokioExecutor::new())
            .pool_timer(TokioTimer::new())
            .pool_idle_timeout(IDLE)
            .build(connector);
        let tls = tls
            .then(|| {
                reqwest::Client::builder()
                    .redirect(reqwest::redirect::Policy::none())
                    .tcp_nodelay(true)
                    .pool_idle_timeout(IDLE)
                    .build()
                    .map_err(|e| Error::failure(format!("cannot set up the HTTPS client: {e}")))
            })
            .transpose()?;
        Ok(Forwarder { client, tls, timeout })
    }

    /// Sends `body` with `headers` to `target`.
    pub async fn forward(&self, target: &Target, headers: &HeaderMap, body: Bytes) -> Forwarded {
        let started = Instant::now();
        let outcome = match tokio::time::timeout(self.timeout, self.exchange(target, headers, body)).await {
            Ok(outcome) => outcome,
            Err(_) => Outcome::TimedOut(self.timeout),
        };
        Forwarded { url: target.url.clone(), port: target.port, duration: started.elapsed(), outcome }
    }

    async fn exchange(&self, target: &Target, headers: &HeaderMap, body: Bytes) -> Outcome {
        if let Some(url) = &target.tls {
            return match &self.tls {
                Some(client) => exchange_tls(client, url, headers, body).await,
                None => Outcome::Failed("the HTTPS client was not set up".into()),
            };
        }
        let mut req = Request::new(Full::new(body));
        *req.method_mut() = Method::POST;
        *req.uri_mut() = target.uri.clone();
        *req.headers_mut() = forwarded_headers(headers);
        let resp = match self.client.request(req).await {
            Ok(r) => r,
            Err(e) if e.is_connect() => return Outcome::Unreachable(root_cause(&e)),
            Err(e) => return Outcome::Failed(format!("the app closed the connection: {}", root_cause(&e))),
        };
        read_answer(resp).await
    }
}

/// One exchange through the TLS client. reqwest writes `Host` from the URL and
/// adds `accept: */*` when the delivery has no `Accept` (its one default header).
async fn exchange_tls(
    client: &reqwest::Client,
    url: &reqwest::Url,
    headers: &HeaderMap,
    body: Bytes,
) -> Outcome {
    let sent = client.post(url.clone()).headers(forwarded_headers(headers)).body(body).send().await;
    match sent {
        Ok(resp) => read_answer(http::Response::from(resp)).await,
        Err(e) => tls_failure(&e),
    }
}

/// Reads the app's answer (at most [`MAX_ANSWER`] bytes of body).
async fn read_answer<B>(resp: http::Response<B>) -> Outcome
where
    B: hyper::body::Body,
    B::Error: Into<Box<dyn StdError + Send + Sync>>,
{
    let (parts, incoming) = resp.into_parts();
    match Limited::new(incoming, MAX_ANSWER).collect().await {
        Ok(collected) => Outcome::Answered {
            status: parts.status,
            content_type: parts.headers.get(header::CONTENT_TYPE).cloned(),
            body: collected.to_bytes(),
        },
        Err(e) if e.is::<http_body_util::LengthLimitError>() => {
            Outcome::Failed(format!("the app's answer is larger than {} MiB", MAX_ANSWER >> 20))
        }
        Err(e) => Outcome::Failed(format!("the app's answer was cut off: {}", root_cause(&*e))),
    }
}

/// Why the TLS client got no answer. A failure before a TLS session existed is
/// told apart by where it happened: the DNS lookup and TCP connect errors are
/// tagged by the connector ("dns error", "tcp connect error"); anything else
/// while connecting is the TLS handshake (including a rejected certificate).
fn tls_failure(e: &reqwest::Error) -> Outcome {
    if !e.is_connect() {
        return Outcome::Failed(format!("the app closed the connection: {}", root_cause(e)));
    }
    let mut link: Option<&(dyn StdError + 'static)> = Some(e);
    while let Some(cur) = link {
        if cur.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == ErrorKind::ConnectionRefused) {
            return Outcome::Unreachable("connection refused".into());
        }
        let text = cur.to_string();
        if text == "dns error" || text.starts_with("tcp ") {
            return Outcome::Unreachable(root_cause(cur));
        }
        link = cur.source();
    }
    Outcome::Tls(innermost(e))
}

/// The innermost error's message as it is (rustls names its errors in CamelCase).
fn innermost(e: &(dyn StdError + 'static)) -> String {
    let mut cur = e;
    while let Some(next) = cur.source() {
        cur = next;
    }
    cur.to_string()
}

/// The incoming headers minus hop-by-hop ones (and those the `Connection`
/// header names), `Host` and `Expect`.
pub fn forwarded_headers(incoming: &HeaderMap) -> HeaderMap {
    let named: Vec<HeaderName> = incoming
        .get_all(header::CONNECTION)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|t| HeaderName::from_bytes(t.trim().as_bytes()).ok())
        .collect();
    let mut out = HeaderMap::with_capacity(incoming.len());
    for (name, value) in incoming {
        // Host: the target's own is written; Expect: the body is sent whole.
        if crate::hop_by_hop::HEADERS.contains(name)
            || name == header::HOST
            || name == header::EXPECT
            || named.contains(name)
        {
            continue;
        }
        out.append(name.clone(), value.clone());
    }
    out
}

/// The innermost error's message, without "(os error N)".
fn root_cause(e: &(dyn StdError + 'static)) -> String {
    let mut cur: &(dyn StdError + 'static) = e;
    while let Some(next) = cur.source() {
        cur = next;
    }
    match cur.downcast_ref::<std::io::Error>() {
        Some(io) => io_reason(io).to_lowercase(),
        None => cur.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_hop_by_hop_headers() {
        let mut h = HeaderMap::new();
        h.insert("host", "127.0.0.1:3000".parse().unwrap());
        h.insert("connection", "keep-alive, x-private".parse().unwrap());
        h.insert("keep-alive", "timeout=5".parse().unwrap());
        h.insert("transfer-encoding", "chunked".parse().unwrap());
        h.insert("expect", "100-continue".parse().unwrap());
        h.insert("x-private", "1".parse().unwrap());
        h.insert("x-scopien-signature", "sha256=ab".parse().unwrap());
        h.insert("content-type", "application/json".parse().unwrap());
        h.append("x-multi", "a".parse().unwrap());
        h.append("x-multi", "b".parse().unwrap());
        let out = forwarded_headers(&h);
        let names: Vec<&str> = out.keys().map(|k| k.as_str()).collect();
        assert_eq!(names, ["x-scopien-signature", "content-type", "x-multi"]);
        assert_eq!(out.get_all("x-multi").iter().count(), 2);
    }

    #[test]
    fn outcomes() {
        let f = |outcome| Forwarded {
            url: "http://localhost:1/".into(),
            port: 1,
            duration: Duration::ZERO,
            outcome,
        };
        let ok = f(Outcome::Answered {
            status: StatusCode::CREATED,
            content_type: None,
            body: Bytes::from_static(b"done\nmore"),
        });
        assert_eq!(ok.status(), StatusCode::CREATED);
        assert_eq!(ok.first_line(), "done");
        assert_eq!(ok.error(), None);
        let down = f(Outcome::Unreachable("connection refused".into()));
        assert_eq!(down.status(), StatusCode::BAD_GATEWAY);
        assert_eq!(down.app_status(), None);
        assert_eq!(down.error().unwrap(), "app unreachable: connection refused");
        let tls = f(Outcome::Tls("invalid peer certificate: UnknownIssuer".into()));
        assert_eq!(tls.status(), StatusCode::BAD_GATEWAY);
        assert_eq!(tls.error().unwrap(), "TLS handshake failed: invalid peer certificate: UnknownIssuer");
        let slow = f(Outcome::TimedOut(Duration::from_secs(5)));
        assert_eq!(slow.status(), StatusCode::GATEWAY_TIMEOUT);
        assert_eq!(slow.error().unwrap(), "no answer within 5s");
    }
}
