//! Binding the listener's port (serving it is [`crate::server`]'s job).

use std::io;
use std::net::SocketAddr;

use tokio::net::TcpListener;

use crate::error::{Error, Result, io_reason};

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
