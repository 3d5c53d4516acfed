//! `listen --inspect`: the web inspector beside the receiving port. It serves
//! one self-contained page ([`page`]) and the JSON API it uses ([`api`]) from
//! the requests kept in the [`store`], and replays them ([`replay`]).
//!
//! It binds loopback only, whatever `--host` says, and trusts nothing else a
//! browser might send it ([`guard`]): a page on another site can neither read
//! it (a foreign `Host`, DNS rebinding) nor change anything (state changes need
//! a JSON body and, when the browser names one, the inspector's own origin).

mod api;
mod guard;
mod page;
mod replay;
mod ring;
pub mod store;

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;

use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use super::forward::Forwarder;
use super::handler::State;
use crate::error::{Error, Result, io_reason};

/// The inspector's usual port (ngrok's), and the last one tried after it.
pub const FIRST_PORT: u16 = 4040;
const LAST_PORT: u16 = 4049;

/// Binds 127.0.0.1 on `port`, or, when none is asked, the first free port from
/// 4040 to 4049.
pub async fn bind(port: Option<u16>) -> Result<(TcpListener, SocketAddr)> {
    let ports = match port {
        Some(p) => p..=p,
        None => FIRST_PORT..=LAST_PORT,
    };
    let mut last = None;
    for p in ports {
        match TcpListener::bind((Ipv4Addr::LOCALHOST, p)).await {
            Ok(l) => {
                let addr =
                    l.local_addr().map_err(|e| Error::failure(format!("cannot start the inspector: {e}")))?;
                return Ok((l, addr));
            }
            Err(e) => last = Some((p, e)),
        }
    }
    let (p, e) = last.expect("at least one port was tried");
    let what = match port {
        Some(_) => format!("cannot serve the inspector on 127.0.0.1:{p}: {}", io_reason(&e)),
        None => format!("cannot serve the inspector: ports {FIRST_PORT} to {LAST_PORT} are all taken"),
    };
    Err(Error::failure(what).with_hint("pick another --inspect-port (0 picks a free one)"))
}

/// What the inspector's handlers share.
pub struct Inspector {
    listen: Arc<State>,
    port: u16,
    page: String,
    replayer: Forwarder,
}

/// Serves the inspector on `listener` until the task is aborted (its event
/// streams never end by themselves).
pub fn spawn(
    listener: TcpListener,
    addr: SocketAddr,
    listen: Arc<State>,
    listen_url: String,
) -> Result<JoinHandle<()>> {
    let replayer = Forwarder::new(listen.opts.forward_timeout, true)?;
    let page = page::render(&listen.opts, &listen_url);
    let inspector = Arc::new(Inspector { listen, port: addr.port(), page, replayer });
    let app = api::router(inspector);
    Ok(tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app).await {
            crate::output::eprintln_safe(&format!("warning: the inspector stopped: {e}"));
        }
    }))
}

impl Inspector {
    fn store(&self) -> &store::Store {
        self.listen.inspector.as_ref().expect("the inspector runs only with a store")
    }
}
