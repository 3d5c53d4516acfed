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
            _ = self.int.recv() => end_the_caret_line(),
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

/// A terminal echoes Ctrl-C as `^C` without a newline: end that line so that what
/// is printed next (a summary, a warning) starts on its own.
#[cfg(unix)]
fn end_the_caret_line() {
    use std::io::{IsTerminal, Write};
    let mut err = std::io::stderr();
    if err.is_terminal() {
        let _ = err.write_all(b"\n");
    }
}

/// Installs the handlers and returns a future for the first Ctrl-C or SIGTERM.
pub fn shutdown() -> Result<impl Future<Output = ()>> {
    Ok(Signals::new()?.first())
}
