//! Sending one request and reading its answer. Plain `http://` targets get one
//! HTTP/1.1 keep-alive connection per worker, driven directly through hyper (no
//! pool lookups on the hot path); `https://` targets share one reqwest client
//! (rustls) whose pool keeps connections alive. Every attempt is bounded by the
//! per-request timeout, connecting included.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue, Method, Request};
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1;
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

use crate::error::{Error, Result, io_reason};
use crate::signature::HEADER_LOWER;
use crate::units;

use super::target::Target;

/// The signature header, parsed once.
pub const SIGNATURE: HeaderName = HeaderName::from_static(HEADER_LOWER);

/// Why an attempt got no HTTP answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// Nothing listens on the target's port.
    Refused,
    /// The connection could not be made for another reason.
    Connect(String),
    /// No complete answer within the timeout.
    Timeout(Duration),
    /// The connection broke while sending or reading.
    Broken(String),
}

impl Failure {
    /// One line for people and for the JSON `error` field.
    pub fn describe(&self, target: &Target) -> String {
        match self {
            Failure::Refused => format!("connection refused by {}", target.host_port()),
            Failure::Connect(reason) => format!("cannot connect to {}: {reason}", target.host_port()),
            Failure::Timeout(d) => format!("timed out after {}", units::human_duration(*d)),
            Failure::Broken(reason) => reason.clone(),
        }
    }
}

/// The HTTP answer to an attempt.
#[derive(Debug, Clone)]
pub struct Answer {
    /// Status code.
    pub status: u16,
    /// The first bytes of the body (up to the capture limit).
    pub body: Vec<u8>,
    /// The body's full length.
    pub body_len: u64,
}

/// One attempt's outcome and how long it took.
#[derive(Debug, Clone)]
pub struct Attempt {
    /// The answer, or why there was none.
    pub result: std::result::Result<Answer, Failure>,
    /// Wall time of the attempt (connecting included).
    pub duration: Duration,
}

impl Attempt {
    /// True for a 2xx answer.
    pub fn ok(&self) -> bool {
        matches!(&self.result, Ok(a) if (200..300).contains(&a.status))
    }

    /// The status, when there was an answer.
    pub fn status(&self) -> Option<u16> {
        self.result.as_ref().ok().map(|a| a.status)
    }
}

/// What every connection of one run shares.
#[derive(Debug)]
struct Shared {
    target: Target,
    addrs: Vec<SocketAddr>,
    /// Index into `addrs` that last connected, tried first next time.
    preferred: AtomicUsize,
    tls: Option<reqwest::Client>,
    timeout: Duration,
    /// How many bytes of each answer's body to keep.
    capture: usize,
}

/// Opens connections to one target.
#[derive(Debug, Clone)]
pub struct Client {
    shared: Arc<Shared>,
}

impl Client {
    /// Resolves the target once and prepares the transport. `capture` is how many
    /// body bytes of each answer to keep (0 when nobody will look at them).
    pub async fn new(target: &Target, timeout: Duration, capture: usize, pool: usize) -> Result<Client> {
        let (addrs, tls) = if target.tls {
            let client = reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .tcp_nodelay(true)
                .pool_max_idle_per_host(pool)
                .build()
                .map_err(|e| Error::failure(format!("cannot set up the HTTPS client: {e}")))?;
            (Vec::new(), Some(client))
        } else {
            let addrs: Vec<SocketAddr> = tokio::net::lookup_host((target.host.as_str(), target.port))
                .await
                .map_err(|e| Error::failure(format!("cannot resolve '{}': {}", target.host, io_reason(&e))))?
                .collect();
            if addrs.is_empty() {
                return Err(Error::failure(format!("'{}' resolves to no address", target.host)));
            }
            (addrs, None)
        };
        Ok(Client {
            shared: Arc::new(Shared {
                target: target.clone(),
                addrs,
                preferred: AtomicUsize::new(0),
                tls,
                timeout,
                capture,
            }),
        })
    }

    /// A connection slot (nothing is opened until the first request).
    pub fn connection(&self) -> Connection {
        Connection { shared: self.shared.clone(), conn: None }
    }
}

/// One keep-alive connection (plain HTTP) or a handle on the shared TLS pool.
#[derive(Debug)]
pub struct Connection {
    shared: Arc<Shared>,
    conn: Option<http1::SendRequest<Full<Bytes>>>,
}

impl Connection {
    /// Sends `body` with `headers` plus the signature, bounded by the timeout.
    pub async fn send(
        &mut self,
        headers: &HeaderMap,
        signature: Option<&HeaderValue>,
        body: Bytes,
    ) -> Attempt {
        let start = Instant::now();
        let timeout = self.shared.timeout;
        let result = match tokio::time::timeout(timeout, self.send_inner(headers, signature, body)).await {
            Ok(r) => r,
            Err(_) => {
                // The connection is mid-request; it cannot be reused.
                self.conn = None;
                Err(Failure::Timeout(timeout))
            }
        };
        Attempt { result, duration: start.elapsed() }
    }

    async fn send_inner(
        &mut self,
        headers: &HeaderMap,
        signature: Option<&HeaderValue>,
        body: Bytes,
    ) -> std::result::Result<Answer, Failure> {
        let mut request_headers = headers.clone();
        if let Some(sig) = signature {
            request_headers.insert(SIGNATURE, sig.clone());
        }
        if let Some(client) = &self.shared.tls {
            return send_tls(client, &self.shared.target, request_headers, body, self.shared.capture).await;
        }
        let mut req = Request::new(Full::new(body));
        *req.method_mut() = Method::POST;
        *req.uri_mut() = self.shared.target.path.clone();
        *req.headers_mut() = request_headers;
        let mut fresh_tried = false;
        loop {
            let reused = matches!(&self.conn, Some(c) if !c.is_closed());
            if !reused {
                self.conn = Some(self.connect().await?);
                fresh_tried = true;
            }
            let sender = self.conn.as_mut().expect("a connection was just made");
            if sender.ready().await.is_err() {
                self.conn = None;
                if fresh_tried {
                    return Err(Failure::Broken("the connection closed before the request was sent".into()));
                }
                continue;
            }
            match sender.try_send_request(req).await {
                Ok(resp) => {
                    let status = resp.status().as_u16();
                    let mut incoming = resp.into_body();
                    let mut kept = Vec::new();
                    let mut len = 0u64;
                    let capture = self.shared.capture;
                    while let Some(frame) = incoming.frame().await {
                        let frame = frame.map_err(|e| {
                            self.conn = None;
                            Failure::Broken(format!("the answer broke off: {}", hyper_reason(&e)))
                        })?;
                        if let Ok(data) = frame.into_data() {
                            len += data.len() as u64;
                            if kept.len() < capture {
                                let take = (capture - kept.len()).min(data.len());
                                kept.extend_from_slice(&data[..take]);
                            }
                        }
                    }
                    return Ok(Answer { status, body: kept, body_len: len });
                }
                Err(mut e) => {
                    self.conn = None;
                    // A request that never left (an idle keep-alive connection closed
                    // under us) is safe to send again once, on a fresh connection.
                    match e.take_message() {
                        Some(unsent) if !fresh_tried => {
                            req = unsent;
                            continue;
                        }
                        _ => return Err(Failure::Broken(hyper_reason(e.error()))),
                    }
                }
            }
        }
    }

    async fn connect(&self) -> std::result::Result<http1::SendRequest<Full<Bytes>>, Failure> {
        let addrs = &self.shared.addrs;
        let first = self.shared.preferred.load(Ordering::Relaxed);
        let mut last_err = None;
        for i in 0..addrs.len() {
            let idx = (first + i) % addrs.len();
            match TcpStream::connect(addrs[idx]).await {
                Ok(stream) => {
                    self.shared.preferred.store(idx, Ordering::Relaxed);
                    let _ = stream.set_nodelay(true);
                    let (sender, conn) = http1::handshake(TokioIo::new(stream))
                        .await
                        .map_err(|e| Failure::Connect(hyper_reason(&e)))?;
                    tokio::spawn(async move {
                        let _ = conn.await;
                    });
                    return Ok(sender);
                }
                Err(e) => last_err = Some(e),
            }
        }
        Err(match last_err {
            Some(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => Failure::Refused,
            Some(e) => Failure::Connect(io_reason(&e)),
            None => Failure::Connect("no address to connect to".into()),
        })
    }
}

async fn send_tls(
    client: &reqwest::Client,
    target: &Target,
    headers: HeaderMap,
    body: Bytes,
    capture: usize,
) -> std::result::Result<Answer, Failure> {
    let mut resp = client
        .post(target.url.clone())
        .headers(headers)
        .body(body)
        .send()
        .await
        .map_err(|e| classify_reqwest(&e))?;
    let status = resp.status().as_u16();
    let mut kept = Vec::new();
    let mut len = 0u64;
    while let Some(chunk) =
        resp.chunk().await.map_err(|e| Failure::Broken(format!("the answer broke off: {}", innermost(&e))))?
    {
        len += chunk.len() as u64;
        if kept.len() < capture {
            let take = (capture - kept.len()).min(chunk.len());
            kept.extend_from_slice(&chunk[..take]);
        }
    }
    Ok(Answer { status, body: kept, body_len: len })
}

fn classify_reqwest(e: &reqwest::Error) -> Failure {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(s) = source {
        if let Some(io) = s.downcast_ref::<std::io::Error>()
            && io.kind() == std::io::ErrorKind::ConnectionRefused
        {
            return Failure::Refused;
        }
        source = s.source();
    }
    // reqwest's own text repeats the URL; the innermost cause says what happened.
    let reason = innermost(e);
    if e.is_connect() { Failure::Connect(reason) } else { Failure::Broken(reason) }
}

fn innermost(e: &(dyn std::error::Error + 'static)) -> String {
    let mut last = e;
    while let Some(s) = last.source() {
        last = s;
    }
    last.to_string()
}

/// An error and its causes on one line, skipping repeats.
fn chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut source = Some(e);
    while let Some(s) = source {
        let text = s.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        source = s.source();
    }
    parts.join(": ")
}

fn hyper_reason(e: &hyper::Error) -> String {
    if e.is_incomplete_message() {
        "the connection closed before the answer was complete".into()
    } else if e.is_parse() {
        format!("the answer is not valid HTTP/1.1 ({e})")
    } else {
        chain(e)
    }
}
