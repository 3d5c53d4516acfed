//! `listen`: receive, verify, show, filter, save and forward deliveries.
//!
//! [`run`] takes the validated flags ([`options`]), binds ([`server`]), prints
//! `Ready! Listening on http://HOST:PORT` (and the `--path`) on stderr and serves until
//! `--max-events` is reached (exit 0), `--timeout` passes (exit 1 when
//! `--max-events` was asked and not reached, else 0), or Ctrl-C / SIGTERM
//! (exit 0). It then stops accepting, lets in-flight requests finish, and
//! prints a summary on stderr. Each request goes through [`handler`]; its
//! outcome is a [`record::Record`] shown by [`render`] (human) or written as an
//! NDJSON line (`--json`, `--save`).

mod body;
pub mod classify;
pub mod dedupe;
pub mod forward;
pub mod handler;
pub mod inspect;
pub mod options;
pub mod parse;
pub mod record;
pub mod render;
pub mod save;
pub mod server;
mod sink;
pub mod summary;

use std::sync::Arc;
use std::time::Duration;

use colored::Colorize;
use tokio_util::sync::CancellationToken;

use crate::error::{Error, ExitStatus, Result};
use crate::output::{Printer, eprintln_safe};
use crate::signals::Signals;
use crate::units::human_duration;

use handler::State;
use options::{Options, VerifyMode};

/// Why the listener stopped.
enum Stop {
    /// `--max-events` reached (or stdout closed).
    Done,
    /// Ctrl-C or SIGTERM.
    Signal,
    /// `--timeout` passed.
    Timeout(Duration),
}

/// Runs the listener until `--max-events`, `--timeout`, Ctrl-C or SIGTERM, then
/// returns (it never exits the process itself).
pub async fn run(opts: Options, printer: &Printer) -> Result<ExitStatus> {
    let save = opts.save.as_deref().map(save::SaveFile::open).transpose()?;
    let mut signals = Signals::new()?;
    let (listener, addr) = server::bind(&opts.host, opts.port).await?;
    if let Some((flag, target)) = opts.loop_target(addr) {
        return Err(Error::usage(format!(
            "{flag} {target} is this listener's own address ({addr}): every delivery would come back to it"
        ))
        .with_hint("forward to the port your app listens on, e.g. --forward-to 4000"));
    }
    // Bound before `Ready!`, so a taken port is an error before anything is served.
    let inspect_listener = match &opts.inspect {
        Some(i) => Some(inspect::bind(i.port).await?),
        None => None,
    };
    let store = opts.inspect.as_ref().map(|i| inspect::store::Store::new(i.bounds));

    let done = CancellationToken::new();
    let on_broken = done.clone();
    let sink = sink::Sink::start(std::io::stdout(), move || on_broken.cancel())
        .map_err(|e| Error::failure(format!("cannot start the output thread: {e}")))?;
    let state = Arc::new(State::new(opts, sink, save, done.clone(), printer.clone(), store)?);
    let opts = &state.opts;
    let grace = opts
        .respond_delay
        .unwrap_or_default()
        .saturating_add(if opts.forwards() { opts.forward_timeout } else { Duration::ZERO })
        .saturating_add(Duration::from_secs(2))
        .min(Duration::from_secs(30));
    let timeout = opts.timeout;
    let max_events = opts.max_events;
    let limits = opts.limits;

    if matches!(opts.verify, VerifyMode::NoSecret) {
        printer.warn(
            "no secret given (--secret or SCOPIEN_WEBHOOK_SECRET): deliveries are accepted and shown as unverified",
        );
    }
    let about = describe(opts);

    let stop = CancellationToken::new();
    let force = CancellationToken::new();
    let server = {
        let (state, verbose) = (state.clone(), printer.clone());
        let handler = move |req| handler::handle(state.clone(), req);
        let on_error = move |line: String| verbose.verbose(&line);
        let reply = crate::server::TimeoutReply::new("text/plain; charset=utf-8", "request timeout");
        tokio::spawn(crate::server::serve(
            listener,
            limits,
            reply,
            handler,
            stop.clone(),
            grace,
            force.clone(),
            on_error,
        ))
    };
    let listen_url = format!("http://{addr}{}", opts.path.as_deref().unwrap_or(""));
    // With --path, the URL to paste is the whole of it.
    eprintln_safe(&format!("Ready! Listening on {listen_url}"));
    let inspector = match inspect_listener {
        Some((l, at)) => {
            let task = inspect::spawn(l, at, state.clone(), listen_url)?;
            eprintln_safe(&format!("Inspector: http://{at}"));
            Some(task)
        }
        None => None,
    };
    printer.status(&about.dimmed().to_string());

    let deadline = async {
        match timeout {
            Some(d) => tokio::time::sleep(d).await,
            None => std::future::pending().await,
        }
    };
    let why = tokio::select! {
        biased;
        _ = done.cancelled() => Stop::Done,
        _ = signals.next() => Stop::Signal,
        _ = deadline => Stop::Timeout(timeout.unwrap_or_default()),
    };
    stop.cancel();
    if let Some(task) = inspector {
        task.abort();
    }
    // A second signal while draining stops waiting for in-flight requests.
    tokio::pin!(server);
    let drained = tokio::select! {
        r = &mut server => r.unwrap_or(false),
        _ = signals.next() => {
            force.cancel();
            server.await.unwrap_or(false)
        }
    };
    if !drained && !force.is_cancelled() {
        printer.warn("some requests were still in flight when the listener stopped");
    }
    let sink_state = state.clone();
    let _ = tokio::task::spawn_blocking(move || sink_state.sink.close()).await;

    let snap = state.stats.snapshot();
    printer.status(&snap.line());
    match (why, max_events) {
        (Stop::Timeout(d), Some(max)) if snap.accepted_events < max => Err(Error::failure(format!(
            "timed out after {}: {} of {max} events arrived",
            humantime::format_duration(d),
            snap.accepted_events
        ))
        .with_hint("check that the sender targets this URL, or raise --timeout")),
        _ => Ok(ExitStatus::Success),
    }
}

/// One line saying how the listener is set up.
fn describe(opts: &Options) -> String {
    let mut parts: Vec<String> = Vec::new();
    parts.push(match &opts.verify {
        VerifyMode::Secrets(v) => {
            format!(
                "verifying with {} secret{}",
                v.secret_count(),
                if v.secret_count() == 1 { "" } else { "s" }
            )
        }
        VerifyMode::NoSecret => "not verifying (no secret)".into(),
        VerifyMode::Skip => "not verifying (--skip-verify)".into(),
    });
    if let Some(p) = &opts.path {
        parts.push(format!("path {p}"));
    }
    if !opts.events.is_empty() {
        parts.push(format!("showing {}", opts.events.join(", ")));
    }
    for r in &opts.routes {
        parts.push(format!("{} → {}", r.pattern, r.target));
    }
    if let Some(t) = &opts.forward_to {
        parts.push(format!("forwarding to {t}"));
    }
    if let Some(s) = &opts.save {
        parts.push(format!("saving to {}", s.display()));
    }
    if opts.fail_first > 0 {
        let first = match opts.fail_first {
            1 => "attempt".to_string(),
            n => crate::units::plural(n.into(), "attempt", "attempts"),
        };
        parts.push(format!("failing the first {first} of each event"));
    }
    if let Some(d) = opts.respond_delay {
        parts.push(format!("answering after {}", human_duration(d)));
    }
    if let Some(n) = opts.max_events {
        parts.push(format!("stopping after {n} event{}", if n == 1 { "" } else { "s" }));
    }
    if let Some(d) = opts.timeout {
        parts.push(format!("for at most {}", humantime::format_duration(d)));
    }
    parts.push("Ctrl-C to stop".into());
    parts.join(" · ")
}
