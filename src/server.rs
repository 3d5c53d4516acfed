//! The inbound HTTP/1.1 server `listen` and `emulate` share: one accept loop and
//! one connection builder, so slow or stuck clients are handled the same way by
//! both.
//!
//! - A request's line and headers must arrive within [`Limits::read_timeout`]
//!   of its first byte (of the accept, for a new connection), and its body
//!   within as long again after the headers; otherwise the client gets a 408
//!   ([`TimeoutReply`]) and the connection is closed.
//! - An idle keep-alive connection is closed after [`Limits::idle_timeout`].
//! - At most [`Limits::max_connections`] connections are open at once: the loop
//!   stops accepting until one closes, so the rest wait in the kernel's accept
//!   queue instead of taking descriptors and memory.
//! - The read buffer is capped, and a request hyper cannot parse gets its 400
//!   (or 414, 431) from hyper without ever reaching the handler; a server whose
//!   errors have a format ([`TimeoutReply::with_rejections`]) gets that answer
//!   written with a body in it.
//!
//! When told to stop, the loop stops accepting, asks every connection to finish
//! after its current request and waits for them (bounded).

use std::collections::HashMap;
use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, ready};
use std::time::Duration;

use bytes::Bytes;
use http::header::{self, HeaderValue};
use http::{Request, Response, StatusCode};
use hyper::body::{Body, Frame, Incoming, SizeHint};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, mpsc, oneshot};
use tokio::time::{Instant, Sleep};
use tokio_util::sync::CancellationToken;

/// How long a request may take to arrive, unless `--read-timeout` says otherwise.
pub const DEFAULT_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a keep-alive connection may sit idle between requests.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(60);
/// How many connections may be open at once, unless `--max-connections` says otherwise.
pub const DEFAULT_MAX_CONNECTIONS: usize = 1024;
/// Largest read buffer per connection (request headers must fit in it).
const MAX_BUF: usize = 64 << 10;

/// How patient the server is with its clients.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// For a request's line and headers, and again for its body.
    pub read_timeout: Duration,
    /// For an idle keep-alive connection.
    pub idle_timeout: Duration,
    /// Open connections at once.
    pub max_connections: usize,
}

impl Limits {
    /// The given read timeout and connection cap, with the standard idle timeout.
    pub fn new(read_timeout: Duration, max_connections: usize) -> Limits {
        Limits { read_timeout, idle_timeout: IDLE_TIMEOUT, max_connections }
    }
}

/// The answer to a request that did not arrive in time, in the server's own
/// format; optionally, that format for the answers hyper writes itself to a
/// request it cannot parse (400, 414, 431), which otherwise have no body.
#[derive(Debug, Clone)]
pub struct TimeoutReply {
    content_type: HeaderValue,
    body: Bytes,
    /// The whole response, for a connection still sending its headers (no
    /// handler is involved yet, so it is written to the socket as is).
    raw: Bytes,
    /// The body of an answer to an unparseable request, by status.
    rejection: Option<fn(StatusCode) -> Vec<u8>>,
}

impl TimeoutReply {
    /// A 408 with this body.
    pub fn new(content_type: &'static str, body: impl Into<Bytes>) -> TimeoutReply {
        let body = body.into();
        let mut raw = format!(
            "HTTP/1.1 408 Request Timeout\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
            body.len()
        )
        .into_bytes();
        raw.extend_from_slice(&body);
        TimeoutReply {
            content_type: HeaderValue::from_static(content_type),
            body,
            raw: raw.into(),
            rejection: None,
        }
    }

    /// Gives hyper's own answers to unparseable requests a body built by
    /// `body`, in this reply's content type.
    pub fn with_rejections(mut self, body: fn(StatusCode) -> Vec<u8>) -> TimeoutReply {
        self.rejection = Some(body);
        self
    }

    /// When `head` is hyper's own answer to a request it could not parse (an
    /// error status and no content type: the handler never ran), that answer
    /// with a body in the server's format.
    fn rewrite(&self, head: &[u8]) -> Option<Bytes> {
        let body = self.rejection?;
        let code = head.strip_prefix(b"HTTP/1.1 ")?.get(..3)?;
        let status =
            StatusCode::from_bytes(code).ok().filter(|s| s.is_client_error() || s.is_server_error())?;
        let end = head.windows(4).position(|w| w == b"\r\n\r\n")?;
        if head[..end].windows(13).any(|w| w.eq_ignore_ascii_case(b"content-type:")) {
            return None;
        }
        let body = body(status);
        let mut raw = format!(
            "HTTP/1.1 {} {}\r\ncontent-type: {}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
            status.as_u16(),
            status.canonical_reason().unwrap_or(""),
            self.content_type.to_str().unwrap_or("text/plain"),
            body.len()
        )
        .into_bytes();
        raw.extend_from_slice(&body);
        Some(raw.into())
    }

    fn response<B: From<Bytes>>(&self) -> Response<B> {
        let mut resp = Response::new(B::from(self.body.clone()));
        *resp.status_mut() = StatusCode::REQUEST_TIMEOUT;
        let h = resp.headers_mut();
        h.insert(header::CONTENT_TYPE, self.content_type.clone());
        h.insert(header::CONNECTION, HeaderValue::from_static("close"));
        resp
    }
}

/// Where a connection is in its exchange, shared by its socket and its service.
struct ConnState {
    phase: AtomicU8,
    /// Whether the current request's body has arrived in full.
    body_done: AtomicBool,
}

/// Waiting between requests (idle keep-alive).
const IDLE: u8 = 0;
/// Part of a request line or headers has arrived (or, for a new connection, nothing yet).
const HEADERS: u8 = 1;
/// The handler has the request.
const BUSY: u8 = 2;

/// A request body that records when it has arrived in full, so the server can
/// tell a slow body (408) from a slow handler (left alone).
pub struct RequestBody {
    inner: Incoming,
    conn: Arc<ConnState>,
}

impl Body for RequestBody {
    type Data = Bytes;
    type Error = hyper::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, hyper::Error>>> {
        let polled = Pin::new(&mut self.inner).poll_frame(cx);
        if matches!(polled, Poll::Ready(None)) || self.inner.is_end_stream() {
            self.conn.body_done.store(true, Ordering::Relaxed);
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// The socket, with the header and idle deadlines: when one passes, reads end
/// (after writing the 408 when a request had begun), which makes hyper close
/// the connection.
struct Guarded {
    io: TcpStream,
    conn: Arc<ConnState>,
    timer: Pin<Box<Sleep>>,
    /// The phase `timer` was set for.
    armed: u8,
    limits: Limits,
    /// The 408 being written (and how much of it is out) once the header
    /// deadline passed, or the rewritten answer to an unparseable request.
    expired: Option<(Bytes, usize)>,
    reply: Arc<TimeoutReply>,
}

impl Guarded {
    /// Writes what is left of the 408, then reports end of input.
    fn poll_expired(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if let Some((raw, sent)) = &mut self.expired {
            while *sent < raw.len() {
                match ready!(Pin::new(&mut self.io).poll_write(cx, &raw[*sent..])) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => *sent += n,
                }
            }
            *sent = raw.len();
        }
        Poll::Ready(Ok(()))
    }
}

impl Guarded {
    /// Hyper's own answer to a request it could not parse goes out in the
    /// server's format instead (see [`TimeoutReply::rewrite`]); `Some(taken)`
    /// when hyper's `taken` bytes were answered that way.
    fn poll_rewritten(&mut self, cx: &mut Context<'_>, head: &[u8], taken: usize) -> Poll<Option<usize>> {
        if self.expired.is_none() {
            if self.reply.rejection.is_none() || self.conn.phase.load(Ordering::Relaxed) != HEADERS {
                return Poll::Ready(None);
            }
            match self.reply.rewrite(head) {
                Some(raw) => self.expired = Some((raw, 0)),
                None => return Poll::Ready(None),
            }
        }
        let _ = ready!(self.poll_expired(cx));
        Poll::Ready(Some(taken))
    }

    /// Once a response is on its way, the connection is idle until the next
    /// request begins. Called from writes too: hyper may be waiting on the
    /// socket already, so the timer must register this task's waker now.
    fn rearm(&mut self, cx: &mut Context<'_>) {
        let phase = self.conn.phase.load(Ordering::Relaxed);
        if phase == IDLE && self.armed != IDLE {
            self.armed = IDLE;
            self.timer.as_mut().reset(Instant::now() + self.limits.idle_timeout);
            let _ = self.timer.as_mut().poll(cx);
        }
    }
}

impl AsyncRead for Guarded {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if this.expired.is_some() {
            return this.poll_expired(cx);
        }
        let phase = this.conn.phase.load(Ordering::Relaxed);
        if phase == BUSY {
            // Reading the body: its deadline is the service's.
            this.armed = BUSY;
            return Pin::new(&mut this.io).poll_read(cx, buf);
        }
        this.rearm(cx);
        let before = buf.filled().len();
        match Pin::new(&mut this.io).poll_read(cx, buf) {
            Poll::Ready(Ok(())) => {
                if phase == IDLE && buf.filled().len() > before {
                    this.conn.phase.store(HEADERS, Ordering::Relaxed);
                    this.armed = HEADERS;
                    this.timer.as_mut().reset(Instant::now() + this.limits.read_timeout);
                }
                return Poll::Ready(Ok(()));
            }
            Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
            Poll::Pending => {}
        }
        ready!(this.timer.as_mut().poll(cx));
        if phase == HEADERS {
            this.expired = Some((this.reply.raw.clone(), 0));
            return this.poll_expired(cx);
        }
        // Idle too long: end of input closes the connection quietly.
        Poll::Ready(Ok(()))
    }
}

impl AsyncWrite for Guarded {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        self.rearm(cx);
        if let Some(taken) = ready!(self.poll_rewritten(cx, buf, buf.len())) {
            return Poll::Ready(Ok(taken));
        }
        Pin::new(&mut self.io).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        self.rearm(cx);
        // Without a rejection format or a pending 408 nothing is rewritten:
        // skip walking the slices.
        if self.expired.is_some() || self.reply.rejection.is_some() {
            let head = bufs.iter().find(|b| !b.is_empty()).map_or(&[][..], |b| &b[..]);
            let total = bufs.iter().map(|b| b.len()).sum();
            if let Some(taken) = ready!(self.poll_rewritten(cx, head, total)) {
                return Poll::Ready(Ok(taken));
            }
        }
        Pin::new(&mut self.io).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_shutdown(cx)
    }
}

/// Whether `host:port` reaches a server bound at `bound`: the same port, and
/// the bound address itself or any spelling of loopback (`localhost`,
/// `127.x.y.z`, `127.1`, `[::1]`) or of "this host" (`0.0.0.0`, `[::]`), which
/// connects to loopback. Sending there would loop back into the same server.
pub fn is_own_address(host: &str, port: u16, bound: SocketAddr) -> bool {
    if port != bound.port() {
        return false;
    }
    let host = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')).unwrap_or(host);
    let host = host.strip_suffix('.').unwrap_or(host).to_ascii_lowercase();
    if host == "localhost" || host.ends_with(".localhost") {
        return true;
    }
    let Some(ip) = host.parse::<IpAddr>().ok().or_else(|| legacy_ipv4(&host).map(IpAddr::V4)) else {
        return false;
    };
    let ip = match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4),
        v4 => v4,
    };
    ip.is_loopback() || ip.is_unspecified() || ip == bound.ip()
}

/// The IPv4 spellings the system resolver also accepts (`127.1`, `2130706433`,
/// `0x7f.1`, `0177.0.0.1`): one to four parts, each decimal, octal or hex, the
/// last filling the remaining bytes.
fn legacy_ipv4(host: &str) -> Option<Ipv4Addr> {
    let parts: Vec<&str> = host.split('.').collect();
    if parts.is_empty() || parts.len() > 4 {
        return None;
    }
    let mut values = Vec::with_capacity(parts.len());
    for p in &parts {
        let v = if let Some(hex) = p.strip_prefix("0x") {
            u32::from_str_radix(hex, 16).ok()?
        } else if p.len() > 1 && p.starts_with('0') {
            u32::from_str_radix(&p[1..], 8).ok()?
        } else {
            p.parse::<u32>().ok()?
        };
        values.push(v);
    }
    let (last, leading) = values.split_last()?;
    let mut addr: u32 = 0;
    for (i, v) in leading.iter().enumerate() {
        if *v > 255 {
            return None;
        }
        addr |= v << (24 - 8 * i);
    }
    let room = 32 - 8 * leading.len() as u32;
    if room < 32 && *last >= 1 << room {
        return None;
    }
    Some(Ipv4Addr::from(addr | last))
}

/// Open connections, each with the sender that asks it to finish.
#[derive(Default)]
struct Connections {
    next: u64,
    open: HashMap<u64, oneshot::Sender<()>>,
}

/// Serves `handler` on `listener` until `stop` is cancelled, then lets open
/// connections finish for at most `grace` (`force` cuts that short). Returns
/// false when some were still open at the end.
#[allow(clippy::too_many_arguments)]
pub async fn serve<H, F, B>(
    listener: TcpListener,
    limits: Limits,
    reply: TimeoutReply,
    handler: H,
    stop: CancellationToken,
    grace: Duration,
    force: CancellationToken,
    on_error: impl Fn(String) + Send + Sync + 'static,
) -> bool
where
    H: Fn(Request<RequestBody>) -> F + Clone + Send + Sync + 'static,
    F: Future<Output = Response<B>> + Send + 'static,
    B: Body + From<Bytes> + Send + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let mut http = http1::Builder::new();
    // Header deadlines are `Guarded`'s, so that they end with a 408 rather than a silent close.
    http.timer(TokioTimer::new()).header_read_timeout(None).max_buf_size(MAX_BUF).keep_alive(true);
    let http = Arc::new(http);
    let reply = Arc::new(reply);
    let on_error = Arc::new(on_error);
    let slots = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let conns: Arc<Mutex<Connections>> = Arc::default();
    // Every connection task holds a clone; `recv` returns None once all are gone.
    let (alive_tx, mut alive_rx) = mpsc::channel::<()>(1);

    loop {
        let slot = tokio::select! {
            biased;
            _ = stop.cancelled() => break,
            slot = slots.clone().acquire_owned() => slot.expect("the semaphore is never closed"),
        };
        let (stream, peer) = tokio::select! {
            biased;
            _ = stop.cancelled() => break,
            accepted = listener.accept() => match accepted {
                Ok(s) => s,
                Err(e) => {
                    // Out of file descriptors and the like: back off instead of spinning.
                    on_error(format!("accept failed: {}", crate::error::io_reason(&e)));
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let _ = stream.set_nodelay(true);
        let (finish_tx, mut finish_rx) = oneshot::channel::<()>();
        let id = {
            let mut c = conns.lock().unwrap_or_else(|p| p.into_inner());
            c.next += 1;
            let id = c.next;
            c.open.insert(id, finish_tx);
            id
        };
        let conn = Arc::new(ConnState { phase: AtomicU8::new(HEADERS), body_done: AtomicBool::new(false) });
        let io = Guarded {
            io: stream,
            conn: conn.clone(),
            timer: Box::pin(tokio::time::sleep(limits.read_timeout)),
            armed: HEADERS,
            limits,
            expired: None,
            reply: reply.clone(),
        };
        let svc = {
            let (handler, reply) = (handler.clone(), reply.clone());
            service_fn(move |req: Request<Incoming>| {
                let (handler, reply, conn) = (handler.clone(), reply.clone(), conn.clone());
                async move {
                    conn.phase.store(BUSY, Ordering::Relaxed);
                    conn.body_done.store(req.body().is_end_stream(), Ordering::Relaxed);
                    let deadline = tokio::time::sleep(limits.read_timeout);
                    let answer = handler(req.map(|inner| RequestBody { inner, conn: conn.clone() }));
                    tokio::pin!(answer, deadline);
                    let resp = tokio::select! {
                        biased;
                        resp = &mut answer => resp,
                        _ = &mut deadline => {
                            if conn.body_done.load(Ordering::Relaxed) {
                                // The request is all here: the handler may take its time.
                                answer.await
                            } else {
                                reply.response()
                            }
                        }
                    };
                    conn.phase.store(IDLE, Ordering::Relaxed);
                    Ok::<_, Infallible>(resp)
                }
            })
        };
        let (http, conns, on_error, alive) =
            (http.clone(), conns.clone(), on_error.clone(), alive_tx.clone());
        tokio::spawn(async move {
            let conn = http.serve_connection(TokioIo::new(io), svc);
            tokio::pin!(conn);
            let result = tokio::select! {
                biased;
                r = conn.as_mut() => r,
                _ = &mut finish_rx => {
                    conn.as_mut().graceful_shutdown();
                    conn.await
                }
            };
            if let Err(e) = result {
                on_error(format!("connection from {peer} ended: {e}"));
            }
            conns.lock().unwrap_or_else(|p| p.into_inner()).open.remove(&id);
            drop((slot, alive));
        });
    }

    // Stop accepting, ask every connection to finish after its current request.
    drop(listener);
    let open: Vec<oneshot::Sender<()>> =
        conns.lock().unwrap_or_else(|p| p.into_inner()).open.drain().map(|(_, tx)| tx).collect();
    for tx in open {
        let _ = tx.send(());
    }
    drop(alive_tx);
    tokio::select! {
        _ = alive_rx.recv() => true,
        _ = tokio::time::sleep(grace) => false,
        _ = force.cancelled() => false,
    }
}

#[cfg(test)]
mod tests {
    use http_body_util::{BodyExt, Full};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    use super::*;

    const WAIT: Duration = Duration::from_secs(10);

    #[test]
    fn own_address_in_any_loopback_spelling() {
        let bound: SocketAddr = "127.0.0.1:3000".parse().unwrap();
        for host in [
            "localhost",
            "LOCALHOST.",
            "app.localhost",
            "127.0.0.1",
            "127.9.8.7",
            "127.1",
            "2130706433",
            "0x7f000001",
            "0177.0.0.1",
            "[::1]",
            "::1",
            "[::ffff:127.0.0.1]",
            "0.0.0.0",
            "0",
            "[::]",
        ] {
            assert!(is_own_address(host, 3000, bound), "{host}");
        }
        for (host, port) in
            [("localhost", 3001), ("127.0.0.1", 4000), ("example.com", 3000), ("10.0.0.1", 3000)]
        {
            assert!(!is_own_address(host, port, bound), "{host}:{port}");
        }
        let lan: SocketAddr = "192.168.1.20:3000".parse().unwrap();
        assert!(is_own_address("192.168.1.20", 3000, lan));
        assert!(!is_own_address("192.168.1.21", 3000, lan));
        assert_eq!(legacy_ipv4("256.1"), None);
        assert_eq!(legacy_ipv4("1.2.3.4.5"), None);
        assert_eq!(legacy_ipv4("10.1.65536"), None);
    }

    /// Serves a handler that reads the whole body, then waits `delay`, then answers `ok`.
    async fn start(limits: Limits, delay: Duration) -> (SocketAddr, CancellationToken) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let stop = CancellationToken::new();
        let handler = move |req: Request<RequestBody>| async move {
            let _ = req.into_body().collect().await;
            tokio::time::sleep(delay).await;
            Response::new(Full::new(Bytes::from_static(b"ok")))
        };
        let reply = TimeoutReply::new("text/plain", "too slow");
        let (s, f) = (stop.clone(), CancellationToken::new());
        tokio::spawn(serve(listener, limits, reply, handler, s, Duration::from_secs(1), f, |_| {}));
        (addr, stop)
    }

    /// Everything the server sends until it closes the connection (bounded).
    async fn read_all(conn: &mut TcpStream) -> String {
        let mut out = Vec::new();
        tokio::time::timeout(WAIT, conn.read_to_end(&mut out)).await.expect("closed in time").unwrap();
        String::from_utf8_lossy(&out).into_owned()
    }

    /// One full response on a kept-alive connection (bounded).
    async fn read_response(conn: &mut TcpStream) -> String {
        let mut buf = vec![0u8; 1024];
        let n = tokio::time::timeout(WAIT, conn.read(&mut buf)).await.expect("answered in time").unwrap();
        String::from_utf8_lossy(&buf[..n]).into_owned()
    }

    fn quick(read: u64, idle: u64, max: usize) -> Limits {
        Limits {
            read_timeout: Duration::from_millis(read),
            idle_timeout: Duration::from_millis(idle),
            max_connections: max,
        }
    }

    const REQUEST: &[u8] = b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}";

    /// Sends [`REQUEST`] on a new connection, checks the 200 and keeps the connection open.
    async fn ok_on_new_connection(addr: SocketAddr) -> TcpStream {
        let mut conn = TcpStream::connect(addr).await.unwrap();
        conn.write_all(REQUEST).await.unwrap();
        let got = read_response(&mut conn).await;
        assert!(got.starts_with("HTTP/1.1 200 OK\r\n"), "{got:?}");
        conn
    }

    #[tokio::test]
    async fn unfinished_requests_get_408_and_the_connection_closes() {
        let (addr, _stop) = start(quick(200, 5000, 8), Duration::ZERO).await;
        // Unfinished headers (the socket's 408), nothing at all, an unfinished body (the service's).
        let stalls: [&[u8]; 3] = [
            b"POST / HTTP/1.1\r\nHost: x\r\nX-Slow: ",
            b"",
            b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n{\"a\"",
        ];
        for sent in stalls {
            let mut conn = TcpStream::connect(addr).await.unwrap();
            conn.write_all(sent).await.unwrap();
            let got = read_all(&mut conn).await;
            assert!(got.starts_with("HTTP/1.1 408 Request Timeout\r\n"), "{got:?}");
            assert!(got.to_ascii_lowercase().contains("connection: close"), "{got:?}");
            assert!(got.ends_with("\r\n\r\ntoo slow"), "{got:?}");
        }
    }

    #[tokio::test]
    async fn a_slow_handler_is_not_cut_short_once_the_request_arrived() {
        let (addr, _stop) = start(quick(100, 5000, 8), Duration::from_millis(400)).await;
        ok_on_new_connection(addr).await;
    }

    #[tokio::test]
    async fn an_idle_keep_alive_connection_closes_quietly() {
        let (addr, _stop) = start(quick(5000, 200, 8), Duration::ZERO).await;
        let mut conn = ok_on_new_connection(addr).await;
        // Well past the read timeout would be needed for a 408; the idle timeout ends it first, silently.
        assert_eq!(read_all(&mut conn).await, "");
    }

    #[tokio::test]
    async fn past_the_cap_connections_wait_to_be_accepted() {
        let (addr, _stop) = start(quick(5000, 5000, 1), Duration::ZERO).await;
        let first = ok_on_new_connection(addr).await;
        // The kernel completes the handshake, but the server does not take the connection yet.
        let mut second = TcpStream::connect(addr).await.unwrap();
        second.write_all(REQUEST).await.unwrap();
        let mut buf = [0u8; 64];
        let early = tokio::time::timeout(Duration::from_millis(300), second.read(&mut buf)).await;
        assert!(early.is_err(), "answered while the only slot was taken");
        drop(first);
        assert!(read_response(&mut second).await.starts_with("HTTP/1.1 200 OK"));
    }
}
