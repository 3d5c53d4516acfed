//! Shared test harness: run the real binary, wait for its `Ready!` line, and
//! closure-driven HTTP servers on 127.0.0.1 port 0 that record what they get.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read};
use std::net::SocketAddr;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Condvar, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;

pub mod emulator;
pub mod postgres;

/// How long any wait in a test may take before it fails.
pub const WAIT: Duration = Duration::from_secs(20);

/// The binary under test with a clean environment: no SCOPIEN_* variables, no
/// colour, and a private config path so no real config is ever read.
pub fn bin() -> Command {
    let mut cmd = Command::new(assert_cmd::cargo::cargo_bin!("scopien-hooks"));
    for (k, _) in std::env::vars() {
        if k.starts_with("SCOPIEN_") || k == "NO_COLOR" || k == "FORCE_COLOR" {
            cmd.env_remove(k);
        }
    }
    let cfg = std::env::temp_dir().join(format!("scopien-hooks-test-none-{}", std::process::id()));
    cmd.env("SCOPIEN_CONFIG", cfg.join("config.toml"));
    cmd.env("NO_COLOR", "1");
    // Human views show local time; tests read them in UTC unless they set TZ.
    cmd.env("TZ", "UTC");
    cmd
}

/// `assert_cmd` wrapper around [`bin`].
pub fn cmd() -> assert_cmd::Command {
    assert_cmd::Command::from_std(bin())
}

/// A finished run of the binary: exit code and its output as text.
pub struct Out {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Out {
    /// stdout parsed as JSON (panics with both streams when it is not).
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {}\nstderr: {}", self.stdout, self.stderr))
    }

    /// Asserts exit 0 (showing both streams otherwise).
    pub fn ok(self) -> Out {
        assert_eq!(self.code, 0, "stdout: {}\nstderr: {}", self.stdout, self.stderr);
        self
    }
}

/// Runs `c` with `args` to completion (bounded by [`WAIT`]).
pub fn run(mut c: assert_cmd::Command, args: &[&str]) -> Out {
    let out = c.args(args).timeout(WAIT).output().expect("run the binary");
    Out {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// The words of a command line, split as a POSIX shell splits them: `'a b'` is one.
pub fn words(line: &str) -> Vec<String> {
    shell_words::split(line).unwrap_or_else(|e| panic!("{line}: {e}"))
}

/// Runs `c` with the words of `line` (see [`words`]) to completion.
pub fn run_line(c: assert_cmd::Command, line: &str) -> Out {
    let words = words(line);
    run(c, &words.iter().map(String::as_str).collect::<Vec<_>>())
}

/// A request as a test server received it.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    pub query: Option<String>,
    pub headers: http::HeaderMap,
    pub body: Bytes,
}

impl Recorded {
    /// A header as a string ("" when absent).
    pub fn header(&self, name: &str) -> String {
        self.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("").to_string()
    }

    /// The body parsed as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("request body is JSON")
    }
}

/// What a test server answers.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub delay: Option<Duration>,
}

impl Reply {
    pub fn status(status: u16) -> Self {
        Reply { status, headers: vec![], body: Vec::new(), delay: None }
    }
    pub fn text(status: u16, body: &str) -> Self {
        Reply { body: body.as_bytes().to_vec(), ..Reply::status(status) }
    }
    pub fn json(status: u16, value: serde_json::Value) -> Self {
        Reply {
            headers: vec![("content-type".into(), "application/json".into())],
            body: serde_json::to_vec(&value).unwrap(),
            ..Reply::status(status)
        }
    }
    pub fn header(mut self, k: &str, v: &str) -> Self {
        self.headers.push((k.into(), v.into()));
        self
    }
    pub fn delayed(mut self, d: Duration) -> Self {
        self.delay = Some(d);
        self
    }
}

type Handler = dyn Fn(&Recorded) -> Reply + Send + Sync;

/// An HTTP/1.1 server on 127.0.0.1 (port 0) in its own thread. Every request is
/// recorded, then answered by the handler. A handler that panics answers 500
/// and fails the test when the server is dropped, naming the request; a server
/// told how many requests to expect ([`TestServer::expect`]) checks that on drop too.
pub struct TestServer {
    pub addr: SocketAddr,
    seen: Arc<(Mutex<Vec<Recorded>>, Condvar)>,
    panics: Arc<Mutex<Vec<String>>>,
    expected: Option<usize>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<thread::JoinHandle<()>>,
}

fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(non-text panic)".to_string())
}

impl TestServer {
    /// Starts a server answering with `handler`.
    pub fn start(handler: impl Fn(&Recorded) -> Reply + Send + Sync + 'static) -> TestServer {
        let handler: Arc<Handler> = Arc::new(handler);
        let seen: Arc<(Mutex<Vec<Recorded>>, Condvar)> = Arc::default();
        let panics: Arc<Mutex<Vec<String>>> = Arc::default();
        let panics2 = panics.clone();
        let (addr_tx, addr_rx) = mpsc::channel();
        let (stop_tx, mut stop_rx) = tokio::sync::oneshot::channel::<()>();
        let seen2 = seen.clone();
        let thread = thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
                addr_tx.send(listener.local_addr().unwrap()).unwrap();
                loop {
                    let (stream, _) = tokio::select! {
                        r = listener.accept() => match r { Ok(s) => s, Err(_) => continue },
                        _ = &mut stop_rx => break,
                    };
                    let handler = handler.clone();
                    let seen = seen2.clone();
                    let panics = panics2.clone();
                    tokio::spawn(async move {
                        let svc = service_fn(move |req: Request<Incoming>| {
                            let handler = handler.clone();
                            let seen = seen.clone();
                            let panics = panics.clone();
                            async move {
                                let (parts, body) = req.into_parts();
                                let body = body.collect().await.map(|b| b.to_bytes()).unwrap_or_default();
                                let rec = Recorded {
                                    method: parts.method.to_string(),
                                    path: parts.uri.path().to_string(),
                                    query: parts.uri.query().map(str::to_string),
                                    headers: parts.headers,
                                    body,
                                };
                                let reply = catch_unwind(AssertUnwindSafe(|| handler(&rec))).unwrap_or_else(
                                    |payload| {
                                        panics.lock().unwrap().push(format!(
                                            "{} {}: {}",
                                            rec.method,
                                            rec.path,
                                            panic_text(payload.as_ref())
                                        ));
                                        Reply::text(500, "test server handler panicked")
                                    },
                                );
                                {
                                    let (lock, cv) = &*seen;
                                    lock.lock().unwrap().push(rec);
                                    cv.notify_all();
                                }
                                if let Some(d) = reply.delay {
                                    tokio::time::sleep(d).await;
                                }
                                let mut resp = Response::builder().status(reply.status);
                                for (k, v) in &reply.headers {
                                    resp = resp.header(k, v);
                                }
                                Ok::<_, std::convert::Infallible>(
                                    resp.body(Full::new(Bytes::from(reply.body))).unwrap(),
                                )
                            }
                        });
                        let _ = http1::Builder::new().serve_connection(TokioIo::new(stream), svc).await;
                    });
                }
            });
        });
        let addr = addr_rx.recv_timeout(WAIT).expect("test server started");
        TestServer { addr, seen, panics, expected: None, shutdown: Some(stop_tx), thread: Some(thread) }
    }

    /// Expects exactly `n` requests by the end of the test: dropping the server
    /// waits (bounded) for them and fails the test on any other count.
    /// A management API whose `GET /webhooks` answers an empty page to `key` and
    /// 401 to any other key (what `login` checks a key with).
    pub fn accepting_key(key: &str) -> TestServer {
        let expected = format!("Bearer {key}");
        TestServer::start(move |r| {
            if r.header("authorization") == expected {
                Reply::json(200, serde_json::json!({"data": [], "hasMore": false, "nextCursor": null}))
            } else {
                Reply::json(
                    401,
                    serde_json::json!({"error": {"code": "unauthorized", "message": "Invalid API key"}}),
                )
            }
        })
    }

    pub fn expect(mut self, n: usize) -> TestServer {
        self.expected = Some(n);
        self
    }

    /// A server that answers every request with `status` and `OK`-like text.
    pub fn ok() -> TestServer {
        TestServer::start(|_| Reply::text(200, "OK"))
    }

    /// `http://127.0.0.1:PORT{path}`
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// Everything received so far.
    pub fn requests(&self) -> Vec<Recorded> {
        self.seen.0.lock().unwrap().clone()
    }

    /// Waits (bounded by [`WAIT`]) until at least `n` requests have arrived.
    pub fn wait_for(&self, n: usize) -> Vec<Recorded> {
        let (lock, cv) = &*self.seen;
        let deadline = Instant::now() + WAIT;
        let mut got = lock.lock().unwrap();
        while got.len() < n {
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(!left.is_zero(), "timed out waiting for {n} requests, got {}", got.len());
            got = cv.wait_timeout(got, left).unwrap().0;
        }
        got.clone()
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(n) = self.expected.filter(|_| !thread::panicking()) {
            let (lock, cv) = &*self.seen;
            let deadline = Instant::now() + WAIT;
            let mut got = lock.lock().unwrap();
            while got.len() < n && !deadline.saturating_duration_since(Instant::now()).is_zero() {
                got = cv.wait_timeout(got, deadline.saturating_duration_since(Instant::now())).unwrap().0;
            }
            let seen: Vec<String> = got.iter().map(|r| format!("{} {}", r.method, r.path)).collect();
            drop(got);
            assert_eq!(seen.len(), n, "test server at {} expected {n} requests, got {seen:#?}", self.addr);
        }
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        let panics = std::mem::take(&mut *self.panics.lock().unwrap());
        if !panics.is_empty() && !thread::panicking() {
            panic!("test server at {}: handler panicked on {}", self.addr, panics.join("; "));
        }
    }
}

/// A port on 127.0.0.1 where connections are refused: a socket is bound to it
/// but never listens, and it stays bound (so nobody else takes the port) for
/// as long as this value lives.
pub struct ClosedPort {
    _socket: socket2::Socket,
    port: u16,
}

impl ClosedPort {
    /// The port number.
    pub fn port(&self) -> u16 {
        self.port
    }
}

impl std::fmt::Display for ClosedPort {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.port.fmt(f)
    }
}

/// A port on 127.0.0.1 that refuses connections for the caller's lifetime of the value.
pub fn closed_port() -> ClosedPort {
    use socket2::{Domain, Socket, Type};
    let socket = Socket::new(Domain::IPV4, Type::STREAM, None).expect("a TCP socket");
    let any: SocketAddr = "127.0.0.1:0".parse().unwrap();
    socket.bind(&any.into()).expect("bind 127.0.0.1:0");
    let port = socket.local_addr().unwrap().as_socket().expect("an inet address").port();
    ClosedPort { _socket: socket, port }
}

/// A long-running child (listen, emulate) whose stderr and stdout are read
/// line by line in the background.
pub struct Running {
    pub child: Child,
    /// The URL on the `Ready!` line (a listener's without its `--path`).
    pub url: String,
    stderr: Receiver<String>,
    stdout: Receiver<String>,
    pub stderr_seen: Vec<String>,
}

fn pump(r: impl Read + Send + 'static) -> Receiver<String> {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        for line in BufReader::new(r).lines() {
            match line {
                Ok(l) => {
                    if tx.send(l).is_err() {
                        break;
                    }
                }
                Err(_) => break,
            }
        }
    });
    rx
}

impl Running {
    /// Spawns `cmd` and waits (bounded) for its `Ready!` line; the URL is the
    /// first `http://` word on it.
    pub fn start(mut cmd: Command) -> Running {
        cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("spawn the binary");
        let stderr = pump(child.stderr.take().unwrap());
        let stdout = pump(child.stdout.take().unwrap());
        let mut r = Running { child, url: String::new(), stderr, stdout, stderr_seen: Vec::new() };
        let line = r.stderr_until(|l| l.starts_with("Ready!"));
        let url = line
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .expect("Ready! line has a URL")
            .trim_end_matches([',', '.']);
        // A listener's line ends in its --path; tests add their own paths.
        let origin = url["http://".len()..].find('/').map_or(url.len(), |at| "http://".len() + at);
        r.url = if line.starts_with("Ready! Listening") { &url[..origin] } else { url }.to_string();
        r
    }

    /// Waits (bounded) for a stderr line matching `pred`, returning it.
    pub fn stderr_until(&mut self, pred: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + WAIT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.stderr.recv_timeout(left) {
                Ok(l) => {
                    self.stderr_seen.push(l.clone());
                    if pred(&l) {
                        return l;
                    }
                }
                Err(RecvTimeoutError::Timeout) => {
                    let _ = self.child.kill();
                    panic!("timed out waiting for a stderr line; saw: {:#?}", self.stderr_seen)
                }
                Err(RecvTimeoutError::Disconnected) => {
                    panic!("stderr closed before the expected line; saw: {:#?}", self.stderr_seen)
                }
            }
        }
    }

    /// Waits (bounded) for the next stdout line.
    pub fn stdout_line(&mut self) -> String {
        match self.stdout.recv_timeout(WAIT) {
            Ok(l) => l,
            Err(e) => {
                let _ = self.child.kill();
                panic!("no stdout line ({e:?}); stderr: {:#?}", self.stderr_seen)
            }
        }
    }

    /// Sends a signal (`TERM`, `INT`, `KILL`) to the child.
    pub fn signal(&self, sig: &str) {
        let ok =
            Command::new("kill").arg(format!("-{sig}")).arg(self.child.id().to_string()).status().unwrap();
        assert!(ok.success());
    }

    /// Waits (bounded) for the child to exit; returns its status, the rest of
    /// stdout and the rest of stderr.
    pub fn wait(mut self) -> (ExitStatus, Vec<String>, Vec<String>) {
        let deadline = Instant::now() + WAIT;
        let status = loop {
            if let Some(s) = self.child.try_wait().unwrap() {
                break s;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("process did not exit in time; stderr: {:#?}", self.stderr_seen);
            }
            thread::sleep(Duration::from_millis(20));
        };
        let out: Vec<String> = drain(&self.stdout);
        let mut err = std::mem::take(&mut self.stderr_seen);
        err.extend(drain(&self.stderr));
        (status, out, err)
    }
}

fn drain(rx: &Receiver<String>) -> Vec<String> {
    let mut v = Vec::new();
    // The pump threads end at EOF once the child has exited.
    while let Ok(l) = rx.recv_timeout(Duration::from_secs(5)) {
        v.push(l);
    }
    v
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A temporary directory with a helper to write files.
pub struct Dir {
    pub tmp: tempfile::TempDir,
}

impl Dir {
    pub fn new() -> Dir {
        Dir { tmp: tempfile::tempdir().unwrap() }
    }
    pub fn path(&self, name: &str) -> PathBuf {
        self.tmp.path().join(name)
    }
    pub fn write(&self, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let p = self.path(name);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(&p, contents).unwrap();
        p
    }
    pub fn root(&self) -> &Path {
        self.tmp.path()
    }
}

/// What a `login` test starts from: an API that accepts one key, and a config
/// file (in a directory) that does not exist yet.
pub struct LoginSetup {
    pub server: TestServer,
    /// The API's base URL.
    pub base: String,
    pub dir: Dir,
    /// `cfg/config.toml` in `dir`.
    pub config: PathBuf,
}

impl LoginSetup {
    pub fn new(key: &str) -> LoginSetup {
        let server = TestServer::accepting_key(key);
        let dir = Dir::new();
        let config = dir.path("cfg/config.toml");
        LoginSetup { base: server.url("/v1"), server, dir, config }
    }

    /// The binary, with `SCOPIEN_CONFIG` naming the config file.
    pub fn cmd(&self) -> assert_cmd::Command {
        let mut c = cmd();
        c.env("SCOPIEN_CONFIG", &self.config);
        c
    }
}

/// HMAC-SHA256 signature header (`sha256=<hex>`) computed independently of the
/// crate under test, the way the docs' "Verification Process" does.
pub fn doc_signature(secret: &str, body: &[u8]) -> String {
    use hmac::{KeyInit, Mac};
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// Sends raw bytes to the server at `url` (closing the sending side after
/// them when `half_close`) and reads whatever comes back until it closes or
/// 15 s pass.
pub fn raw_exchange(url: &str, bytes: &[u8], half_close: bool) -> String {
    use std::io::Write;
    let addr = url.trim_start_matches("http://").split('/').next().unwrap().to_string();
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(15))).unwrap();
    s.write_all(bytes).unwrap();
    if half_close {
        s.shutdown(std::net::Shutdown::Write).unwrap();
    }
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    String::from_utf8_lossy(&out).into_owned()
}
