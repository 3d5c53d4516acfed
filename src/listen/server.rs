//! The HTTP/1.1 server: binds, accepts keep-alive connections and serves each
//! with hyper until told to stop; then it stops accepting, lets in-flight
//! requests finish (bounded) and returns.
//!
//! Slow or broken clients cannot hold it up: a connection must deliver its
//! request headers within [`HEADER_TIMEOUT`] (which also ends idle keep-alive
//! connections), the read buffer is capped, and a request hyper cannot parse
//! gets its 400 from hyper without ever reaching the handler.

use std::collections::HashMap;
use std::io;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::{mpsc, oneshot};
use tokio_util::sync::CancellationToken;

use super::handler::{self, State};
use crate::error::{Error, Result, io_reason};

/// How long a client may take to send a request's headers (and how long an
/// idle keep-alive connection stays open).
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(10);
/// Largest read buffer per connection (request headers must fit in it).
const MAX_BUF: usize = 64 << 10;

/// Binds `host:port`. Port 0 picks a free port; the bound address is returned.
pub async fn bind(host: &str, port: u16) -> Result<(TcpListener, SocketAddr)> {
    let listener = TcpListener::bind((host, port)).await.map_err(|e| bind_error(host, port, &e))?;
    let addr = listener.local_addr().map_err(|e| bind_error(host, port, &e))?;
    Ok((listener, addr))
}

fn bind_error(host: &str, port: u16, e: &io::Error) -> Error {
    let what = format!("cannot listen on {host}:{port}: {}", io_reason(e));
    match e.kind() {
        io::ErrorKind::AddrInUse => Error::failure(what).with_hint(format!(
            "another program is using port {port}: pick another --port (0 picks a free one)"
        )),
        io::ErrorKind::PermissionDenied => {
            Error::failure(what).with_hint("ports below 1024 need privileges: pick a --port above 1024")
        }
        _ => Error::usage(what).with_hint("check --host: an address of this machine such as 127.0.0.1"),
    }
}

/// Open connections, each with the sender that asks it to finish.
#[derive(Default)]
struct Connections {
    next: u64,
    open: HashMap<u64, oneshot::Sender<()>>,
}

/// Serves until `stop` is cancelled, then drains open connections for at most `grace`.
/// `force` cuts the grace period short (a second Ctrl-C).
pub async fn serve(
    listener: TcpListener,
    state: Arc<State>,
    stop: CancellationToken,
    grace: Duration,
    force: CancellationToken,
) {
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new()).header_read_timeout(HEADER_TIMEOUT).max_buf_size(MAX_BUF).keep_alive(true);
    let http = Arc::new(http);
    let conns: Arc<Mutex<Connections>> = Arc::default();
    // Every connection task holds a clone; `recv` returns None once all are gone.
    let (alive_tx, mut alive_rx) = mpsc::channel::<()>(1);

    loop {
        let (stream, peer) = tokio::select! {
            biased;
            _ = stop.cancelled() => break,
            accepted = listener.accept() => match accepted {
                Ok(s) => s,
                Err(e) => {
                    // Out of file descriptors and the like: back off instead of spinning.
                    state.printer.verbose(&format!("accept failed: {}", io_reason(&e)));
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
        let http = http.clone();
        let state = state.clone();
        let conns = conns.clone();
        let alive = alive_tx.clone();
        tokio::spawn(async move {
            let svc_state = state.clone();
            let svc = service_fn(move |req| handler::handle(svc_state.clone(), req));
            let conn = http.serve_connection(TokioIo::new(stream), svc);
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
                state.printer.verbose(&format!("connection from {peer} ended: {e}"));
            }
            conns.lock().unwrap_or_else(|p| p.into_inner()).open.remove(&id);
            drop(alive);
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
        _ = alive_rx.recv() => {}
        _ = tokio::time::sleep(grace) => {
            state.printer.warn("some requests were still in flight when the listener stopped");
        }
        _ = force.cancelled() => {}
    }
}
