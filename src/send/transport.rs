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
use http::{HeaderMap, Method, Request};
use http_body_util::Full;
use hyper::client::conn::http1;
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

use super::rejection::REASON_BYTES;
use crate::error::{Error, Result, io_reason};
use crate::http::{Captured, Cut, Failure, FailureKind, Rest, capture};

use super::generator::SignatureHeaders;
use crate::target::Target;

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
    /// `host:port`, for failures.
    addr: String,
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
        let (addrs, tls) = if target.tls.is_some() {
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
                addr: target.host_port(),
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
    pub async fn send(&mut self, headers: &HeaderMap, signature: &SignatureHeaders, body: Bytes) -> Attempt {
        let start = Instant::now();
        let timeout = self.shared.timeout;
        let result = match tokio::time::timeout(timeout, self.send_inner(headers, signature, body)).await {
            Ok(r) => r,
            Err(_) => {
                // The connection is mid-request; it cannot be reused.
                self.conn = None;
                Err(self.shared.failure(FailureKind::Timeout(timeout)))
            }
        };
        Attempt { result, duration: start.elapsed() }
    }

    async fn send_inner(
        &mut self,
        headers: &HeaderMap,
        signature: &SignatureHeaders,
        body: Bytes,
    ) -> std::result::Result<Answer, Failure> {
        let mut request_headers = headers.clone();
        for (name, value) in signature.iter() {
            request_headers.insert(name.clone(), value.clone());
        }
        if let (Some(client), Some(url)) = (&self.shared.tls, &self.shared.target.tls) {
            return send_tls(client, &self.shared, url, request_headers, body).await;
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
                    return Err(self.shared.failure(FailureKind::Protocol(
                        "the connection closed before the request was sent".into(),
                    )));
                }
                continue;
            }
            match sender.try_send_request(req).await {
                Ok(resp) => {
                    let status = resp.status().as_u16();
                    let read = capture(resp.into_body(), self.shared.keep(status), Rest::Drain).await;
                    return match read {
                        Ok(captured) => Ok(answer(status, captured)),
                        Err(cut) => {
                            self.conn = None;
                            Err(self.shared.broke_off(&cut))
                        }
                    };
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
                        _ => return Err(self.shared.classify(e.error())),
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
                        .map_err(|e| Failure::connecting(self.shared.addr.clone(), &e))?;
                    tokio::spawn(async move {
                        let _ = conn.await;
                    });
                    return Ok(sender);
                }
                Err(e) => last_err = Some(e),
            }
        }
        Err(match last_err {
            Some(e) => Failure::connecting(self.shared.addr.clone(), &e),
            None => self.shared.failure(FailureKind::Connect("no address to connect to".into())),
        })
    }
}

impl Shared {
    /// Body bytes kept of an answer with `status`: a 401's first bytes say why.
    fn keep(&self, status: u16) -> usize {
        if status == 401 { self.capture.max(REASON_BYTES) } else { self.capture }
    }

    fn failure(&self, kind: FailureKind) -> Failure {
        Failure::new(self.addr.clone(), kind)
    }

    fn classify(&self, e: &(dyn std::error::Error + 'static)) -> Failure {
        Failure::classify(self.addr.clone(), e, self.timeout, self.target.tls.is_some())
    }

    fn broke_off<E: std::error::Error + 'static>(&self, cut: &Cut<E>) -> Failure {
        self.classify(&cut.error).context("the answer broke off")
    }
}

fn answer(status: u16, captured: Captured) -> Answer {
    Answer { status, body: Vec::from(captured.body), body_len: captured.len }
}

async fn send_tls(
    client: &reqwest::Client,
    shared: &Shared,
    url: &reqwest::Url,
    headers: HeaderMap,
    body: Bytes,
) -> std::result::Result<Answer, Failure> {
    let resp =
        client.post(url.clone()).headers(headers).body(body).send().await.map_err(|e| shared.classify(&e))?;
    let status = resp.status().as_u16();
    let read = capture(http::Response::from(resp).into_body(), shared.keep(status), Rest::Drain).await;
    read.map(|captured| answer(status, captured)).map_err(|cut| shared.broke_off(&cut))
}
