//! Forwarding to the user's app: the raw body and the original headers (minus
//! hop-by-hop ones and `Host`) go out, and the app's status, body and content
//! type come back to the sender. `http://` targets go through one lean pooled
//! hyper HTTP/1 client; `https://` targets through one pooled reqwest client
//! (rustls), built at start only when a target needs it. Redirects are never
//! followed: a 3xx is the app's answer. No answer is a 502 (cannot connect or
//! resolve, TLS handshake failed, connection dropped) or a 504 (after
//! `--forward-timeout`).

use std::error::Error as StdError;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::header::{self, HeaderMap, HeaderName};
use http::{Method, Request, StatusCode};
use http_body_util::Full;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioTimer};

use crate::error::{Error, Result};
use crate::http::{Failure, FailureKind, Rest, capture};
use crate::target::Target;

/// The most of an app's answer relayed back; a larger one is a 502.
pub const MAX_ANSWER: usize = 4 << 20;

/// How a forward ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The app answered.
    Answered {
        /// Its status.
        status: StatusCode,
        /// Its headers (the content type is relayed back; the inspector shows them all).
        headers: HeaderMap,
        /// Its body, relayed back.
        body: Bytes,
    },
    /// No usable answer: a 504 when none came within the deadline, else a 502
    /// (cannot connect or resolve, TLS handshake failed, connection dropped, an
    /// answer too large).
    Failed(Failure),
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
            Outcome::Failed(f) if f.is_timeout() => StatusCode::GATEWAY_TIMEOUT,
            Outcome::Failed(_) => StatusCode::BAD_GATEWAY,
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
            Outcome::Failed(f) => Some(match f.kind() {
                FailureKind::Refused | FailureKind::Connect(_) => format!("app unreachable: {}", f.reason()),
                FailureKind::Tls(why) => format!("TLS handshake failed: {why}"),
                FailureKind::Timeout(d) => format!("no answer within {}", humantime::format_duration(*d)),
                FailureKind::Protocol(why) => why.clone(),
            }),
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
            Err(_) => Outcome::Failed(Failure::new(addr(target), FailureKind::Timeout(self.timeout))),
        };
        Forwarded { url: target.url.clone(), port: target.port, duration: started.elapsed(), outcome }
    }

    async fn exchange(&self, target: &Target, headers: &HeaderMap, body: Bytes) -> Outcome {
        if let Some(url) = &target.tls {
            let Some(client) = &self.tls else {
                let why = FailureKind::Protocol("the HTTPS client was not set up".into());
                return Outcome::Failed(Failure::new(addr(target), why));
            };
            // reqwest writes `Host` from the URL and adds `accept: */*` when the
            // delivery has no `Accept` (its one default header).
            let sent = client.post(url.clone()).headers(forwarded_headers(headers)).body(body).send().await;
            return match sent {
                Ok(resp) => self.read_answer(target, http::Response::from(resp)).await,
                Err(e) => self.failed(target, &e),
            };
        }
        let mut req = Request::new(Full::new(body));
        *req.method_mut() = Method::POST;
        *req.uri_mut() = target.uri.clone();
        *req.headers_mut() = forwarded_headers(headers);
        match self.client.request(req).await {
            Ok(resp) => self.read_answer(target, resp).await,
            Err(e) => self.failed(target, &e),
        }
    }

    /// Reads the app's answer (at most [`MAX_ANSWER`] bytes of body).
    async fn read_answer<B>(&self, target: &Target, resp: http::Response<B>) -> Outcome
    where
        B: hyper::body::Body<Data = Bytes>,
        B::Error: StdError + 'static,
    {
        let (parts, incoming) = resp.into_parts();
        match capture(incoming, MAX_ANSWER, Rest::Stop).await {
            Ok(read) if read.complete => {
                Outcome::Answered { status: parts.status, headers: parts.headers, body: read.body }
            }
            Ok(_) => {
                let why = format!("the app's answer is larger than {} MiB", MAX_ANSWER >> 20);
                Outcome::Failed(Failure::new(addr(target), FailureKind::Protocol(why)))
            }
            Err(cut) => {
                Outcome::Failed(self.classify(target, &cut.error).context("the app's answer was cut off"))
            }
        }
    }

    /// No answer: the request could not be made or the connection dropped.
    fn failed(&self, target: &Target, e: &(dyn StdError + 'static)) -> Outcome {
        Outcome::Failed(self.classify(target, e).context("the app closed the connection"))
    }

    fn classify(&self, target: &Target, e: &(dyn StdError + 'static)) -> Failure {
        Failure::classify(addr(target), e, self.timeout, target.tls.is_some())
    }
}

/// `host:port` of a target, for failures.
fn addr(target: &Target) -> String {
    format!("{}:{}", target.uri.host().unwrap_or_default(), target.port)
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
        if crate::http::hop_by_hop::HEADERS.contains(name)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::listen::record::tests::header_map;

    #[test]
    fn strips_hop_by_hop_headers() {
        let h = header_map(&[
            ("host", "127.0.0.1:3000"),
            ("connection", "keep-alive, x-private"),
            ("keep-alive", "timeout=5"),
            ("transfer-encoding", "chunked"),
            ("expect", "100-continue"),
            ("x-private", "1"),
            ("x-scopien-signature", "sha256=ab"),
            ("content-type", "application/json"),
            ("x-multi", "a"),
            ("x-multi", "b"),
        ]);
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
            headers: HeaderMap::new(),
            body: Bytes::from_static(b"done\nmore"),
        });
        assert_eq!(ok.status(), StatusCode::CREATED);
        assert_eq!(ok.first_line(), "done");
        assert_eq!(ok.error(), None);
        let failed = |kind| Outcome::Failed(Failure::new("localhost:1", kind));
        let down = f(failed(FailureKind::Refused));
        assert_eq!(down.status(), StatusCode::BAD_GATEWAY);
        assert_eq!(down.app_status(), None);
        assert_eq!(down.error().unwrap(), "app unreachable: connection refused");
        let tls = f(failed(FailureKind::Tls("invalid peer certificate: UnknownIssuer".into())));
        assert_eq!(tls.status(), StatusCode::BAD_GATEWAY);
        assert_eq!(tls.error().unwrap(), "TLS handshake failed: invalid peer certificate: UnknownIssuer");
        let slow = f(failed(FailureKind::Timeout(Duration::from_secs(5))));
        assert_eq!(slow.status(), StatusCode::GATEWAY_TIMEOUT);
        assert_eq!(slow.error().unwrap(), "no answer within 5s");
    }
}
