//! Ctrl-C and SIGTERM, for the long-running commands (listen, emulate,
//! `deliveries --follow`, `listen --register`).

use std::future::Future;

use crate::error::{Error, Result, io_reason};

/// Ctrl-C and SIGTERM. The handlers are installed when this is created, so a
/// signal that arrives before anyone waits (say right after a `Ready!` line) is
/// kept, and every later signal is seen too (a second Ctrl-C can cut a graceful
/// shutdown short).
pub struct Signals {
    #[cfg(unix)]
    int: tokio::signal::unix::Signal,
    #[cfg(unix)]
    term: tokio::signal::unix::Signal,
}

impl Signals {
    /// Installs the handlers. Must be called inside the tokio runtime.
    pub fn new() -> Result<Signals> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            let err =
                |e: std::io::Error| Error::failure(format!("cannot watch for signals: {}", io_reason(&e)));
            Ok(Signals {
                int: signal(SignalKind::interrupt()).map_err(err)?,
                term: signal(SignalKind::terminate()).map_err(err)?,
            })
        }
        #[cfg(not(unix))]
        Ok(Signals {})
    }

    /// Resolves at the next Ctrl-C or SIGTERM.
    pub async fn next(&mut self) {
        #[cfg(unix)]
        tokio::select! {
            _ = self.int.recv() => {}
            _ = self.term.recv() => {}
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
        }
    }

    /// A future that resolves at the first Ctrl-C or SIGTERM.
    pub async fn first(mut self) {
        self.next().await
    }
}

/// Installs the handlers and returns a future for the first Ctrl-C or SIGTERM.
pub fn shutdown() -> Result<impl Future<Output = ()>> {
    Ok(Signals::new()?.first())
}
