//! Why an outbound exchange got no usable answer. Every client in the tool
//! (send-test and replay, listen forwarding, the emulator's deliveries, the
//! management API client) classifies its errors here, so a refused port or a
//! failed TLS handshake reads the same wherever it happens.

use std::borrow::Cow;
use std::error::Error as StdError;
use std::fmt;
use std::io;
use std::time::Duration;

use super::cause;
use crate::units;

/// What kind of failure it was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FailureKind {
    /// Nothing listens on the port.
    Refused,
    /// No connection for another reason (the name does not resolve, no route).
    Connect(String),
    /// A connection was made but no TLS session could be set up (the other end
    /// does not speak TLS there, or its certificate was refused).
    Tls(String),
    /// No complete answer within the deadline.
    Timeout(Duration),
    /// The connection broke while sending or reading, or the answer was not HTTP.
    Protocol(String),
}

/// A failed exchange with `host:port`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    addr: String,
    kind: FailureKind,
}

impl Failure {
    /// A failure of the exchange with `addr` (`host:port`).
    pub fn new(addr: impl Into<String>, kind: FailureKind) -> Failure {
        Failure { addr: addr.into(), kind }
    }

    /// An error met while opening a connection (nothing was sent yet).
    pub fn connecting(addr: impl Into<String>, err: &(dyn StdError + 'static)) -> Failure {
        let kind =
            if is_refused(err) { FailureKind::Refused } else { FailureKind::Connect(cause::innermost(err)) };
        Failure::new(addr, kind)
    }

    /// Classifies an error from a client (reqwest, hyper-util's pooled client or a
    /// hyper connection): `timeout` is the deadline the client was given, `tls`
    /// whether the exchange was meant to be over TLS.
    pub fn classify(
        addr: impl Into<String>,
        err: &(dyn StdError + 'static),
        timeout: Duration,
        tls: bool,
    ) -> Failure {
        let kind = if cause::find::<reqwest::Error>(err).is_some_and(reqwest::Error::is_timeout) {
            FailureKind::Timeout(timeout)
        } else if is_refused(err) {
            FailureKind::Refused
        } else if is_connect(err) {
            // The connector tags what went wrong before a socket was open; anything
            // else while connecting over TLS is the handshake (a refused certificate
            // included).
            let before_tls = cause::chain(err).any(|e| {
                let text = e.to_string();
                text == "dns error" || text.starts_with("tcp ")
            });
            if tls && !before_tls {
                FailureKind::Tls(cause::innermost(err))
            } else {
                FailureKind::Connect(cause::innermost(err))
            }
        } else {
            FailureKind::Protocol(protocol_reason(err))
        };
        Failure::new(addr, kind)
    }

    /// Says where a protocol failure happened ("the answer broke off: …"); other
    /// kinds speak for themselves.
    pub fn context(mut self, what: &str) -> Failure {
        if let FailureKind::Protocol(reason) = &mut self.kind {
            *reason = format!("{what}: {reason}");
        }
        self
    }

    /// `host:port` of the other end.
    pub fn addr(&self) -> &str {
        &self.addr
    }

    /// What kind of failure it was.
    pub fn kind(&self) -> &FailureKind {
        &self.kind
    }

    /// True when nothing listens on the port.
    pub fn is_refused(&self) -> bool {
        self.kind == FailureKind::Refused
    }

    /// True when no answer came within the deadline.
    pub fn is_timeout(&self) -> bool {
        matches!(self.kind, FailureKind::Timeout(_))
    }

    /// What happened, without naming the other end: "connection refused",
    /// "timed out after 5.0 s", or the cause.
    pub fn reason(&self) -> Cow<'_, str> {
        match &self.kind {
            FailureKind::Refused => Cow::Borrowed("connection refused"),
            FailureKind::Timeout(d) => Cow::Owned(format!("timed out after {}", units::human_duration(*d))),
            FailureKind::Connect(r) | FailureKind::Tls(r) | FailureKind::Protocol(r) => Cow::Borrowed(r),
        }
    }
}

/// The one line for people and for JSON `error` fields.
impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            FailureKind::Refused => write!(f, "connection refused by {}", self.addr),
            FailureKind::Connect(r) | FailureKind::Tls(r) => {
                write!(f, "cannot connect to {}: {r}", self.addr)
            }
            FailureKind::Timeout(_) | FailureKind::Protocol(_) => f.write_str(&self.reason()),
        }
    }
}

/// `host:port` of a URL, the port explicit or the scheme's default.
pub fn host_port(url: &reqwest::Url) -> String {
    format!("{}:{}", url.host_str().unwrap_or_default(), url.port_or_known_default().unwrap_or_default())
}

fn is_refused(err: &(dyn StdError + 'static)) -> bool {
    cause::chain(err).any(|e| {
        e.downcast_ref::<io::Error>().is_some_and(|io| io.kind() == io::ErrorKind::ConnectionRefused)
    })
}

/// Whether the error happened while connecting, as the client says.
fn is_connect(err: &(dyn StdError + 'static)) -> bool {
    cause::chain(err).any(|e| {
        e.downcast_ref::<reqwest::Error>().is_some_and(reqwest::Error::is_connect)
            || e.downcast_ref::<hyper_util::client::legacy::Error>()
                .is_some_and(hyper_util::client::legacy::Error::is_connect)
    })
}

/// Why an answer could not be read, in words: hyper's own texts name its
/// internals ("connection closed before message completed").
fn protocol_reason(err: &(dyn StdError + 'static)) -> String {
    match cause::find::<hyper::Error>(err) {
        Some(e) if e.is_incomplete_message() => "the connection closed before the answer was complete".into(),
        Some(e) if e.is_parse() => format!("the answer is not valid HTTP/1.1 ({e})"),
        _ => cause::innermost(err),
    }
}

#[cfg(test)]
mod tests {
    use std::net::SocketAddr;

    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::{TcpListener, TcpSocket, TcpStream};

    use super::*;

    /// How the test server treats each connection.
    #[derive(Clone, Copy)]
    enum Peer {
        /// Reads the request, then says nothing until the test is over.
        Stall,
        /// Reads the request, writes these bytes and closes.
        Answer(&'static [u8]),
    }

    async fn serve(peer: Peer) -> SocketAddr {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                tokio::spawn(async move {
                    let mut buf = [0u8; 4096];
                    let _ = stream.read(&mut buf).await;
                    match peer {
                        Peer::Stall => std::future::pending::<()>().await,
                        Peer::Answer(bytes) => {
                            let _ = stream.write_all(bytes).await;
                            let _ = stream.shutdown().await;
                        }
                    }
                });
            }
        });
        addr
    }

    /// A port that is bound but not listening: connecting to it is refused, and
    /// nobody else can take it while the socket is held.
    fn refusing() -> (TcpSocket, SocketAddr) {
        let socket = TcpSocket::new_v4().unwrap();
        socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
        let addr = socket.local_addr().unwrap();
        (socket, addr)
    }

    const DEADLINE: Duration = Duration::from_millis(300);

    /// What a reqwest POST to `url` fails with.
    async fn post(url: &str) -> Failure {
        let client = reqwest::Client::builder().timeout(DEADLINE).build().unwrap();
        let e = client.post(url).body("{}").send().await.expect_err("the exchange fails");
        let addr = e.url().map(host_port).unwrap();
        Failure::classify(addr, &e, DEADLINE, url.starts_with("https:"))
    }

    #[tokio::test]
    async fn a_refused_port() {
        let (_held, addr) = refusing();
        let f = post(&format!("http://{addr}/")).await;
        assert!(f.is_refused(), "{f:?}");
        assert_eq!(f.addr(), addr.to_string());
        assert_eq!(f.to_string(), format!("connection refused by {addr}"));
        assert_eq!(f.reason(), "connection refused");
        let e = TcpStream::connect(addr).await.expect_err("refused");
        assert_eq!(Failure::connecting(addr.to_string(), &e), f);
    }

    #[tokio::test]
    async fn a_server_that_stalls() {
        let addr = serve(Peer::Stall).await;
        let f = post(&format!("http://{addr}/")).await;
        assert_eq!(f.kind(), &FailureKind::Timeout(DEADLINE));
        assert!(f.is_timeout());
        assert_eq!(f.to_string(), "timed out after 300 ms");
    }

    #[tokio::test]
    async fn a_server_that_sends_garbage() {
        let addr = serve(Peer::Answer(b"\x00\x01 garbage\r\n\r\n")).await;
        let f = post(&format!("http://{addr}/")).await;
        match f.kind() {
            FailureKind::Protocol(why) => {
                assert!(why.starts_with("the answer is not valid HTTP/1.1 ("), "{why}")
            }
            other => panic!("{other:?}"),
        }
        let f = f.context("the app closed the connection");
        assert!(f.to_string().starts_with("the app closed the connection: the answer is not valid"), "{f}");
    }

    #[tokio::test]
    async fn a_server_that_hangs_up_without_answering() {
        let addr = serve(Peer::Answer(b"")).await;
        let f = post(&format!("http://{addr}/")).await;
        assert_eq!(
            f.kind(),
            &FailureKind::Protocol("the connection closed before the answer was complete".into())
        );
    }

    #[tokio::test]
    async fn tls_to_a_server_that_speaks_plain_http() {
        let addr = serve(Peer::Answer(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n")).await;
        let f = post(&format!("https://{addr}/")).await;
        assert!(matches!(f.kind(), FailureKind::Tls(_)), "{f:?}");
        assert!(f.to_string().starts_with(&format!("cannot connect to {addr}: ")), "{f}");
        // The same refusal over TLS is still a refusal, not a handshake failure.
        let (_held, refused) = refusing();
        assert!(post(&format!("https://{refused}/")).await.is_refused());
    }

    /// What a POST through hyper-util's pooled client (listen's plain forwarder) fails with.
    async fn pooled_post(addr: SocketAddr) -> Failure {
        use hyper_util::client::legacy::Client;
        use hyper_util::rt::TokioExecutor;
        let client: Client<_, http_body_util::Full<bytes::Bytes>> =
            Client::builder(TokioExecutor::new()).build_http();
        let req = http::Request::post(format!("http://{addr}/")).body(Default::default()).unwrap();
        let e = client.request(req).await.expect_err("the exchange fails");
        Failure::classify(addr.to_string(), &e, DEADLINE, false)
    }

    #[tokio::test]
    async fn the_pooled_client_is_classified_alike() {
        let (_held, refused) = refusing();
        assert!(pooled_post(refused).await.is_refused());
        let garbage = serve(Peer::Answer(b"\x00\x01 garbage\r\n\r\n")).await;
        let f = pooled_post(garbage).await;
        assert!(
            matches!(f.kind(), FailureKind::Protocol(why) if why.starts_with("the answer is not valid")),
            "{f:?}"
        );
        let silent = serve(Peer::Answer(b"")).await;
        let f = pooled_post(silent).await;
        assert_eq!(f.to_string(), "the connection closed before the answer was complete");
    }

    #[test]
    fn context_names_only_protocol_failures() {
        let refused = Failure::new("h:1", FailureKind::Refused).context("the answer broke off");
        assert_eq!(refused.to_string(), "connection refused by h:1");
        let broke =
            Failure::new("h:1", FailureKind::Protocol("reset".into())).context("the answer broke off");
        assert_eq!(broke.to_string(), "the answer broke off: reset");
        let dns = Failure::new("h:1", FailureKind::Connect("dns error".into()));
        assert_eq!(
            (dns.to_string().as_str(), dns.reason().as_ref()),
            ("cannot connect to h:1: dns error", "dns error")
        );
        let url = reqwest::Url::parse("https://example.com/x").unwrap();
        assert_eq!(host_port(&url), "example.com:443");
    }
}
