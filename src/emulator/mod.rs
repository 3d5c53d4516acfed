//! `emulate` and `trigger`: the Scopien webhook service on this machine.
//!
//! `emulate` serves the management API plus `POST /events` ([`api`], request
//! checks in [`validate`]) over a SQLite store ([`store`], the delivery queue in
//! [`queue`]) and delivers through the engine ([`engine`]): fan-out by pattern
//! and [`filters`], signing, custom headers, batching, the docs' retry schedule,
//! the per-webhook rate cap ([`pacer`]) and auto-disable with a `webhook.failed`
//! notification ([`envelope`]), one [`log`] line per attempt.

pub mod api;
pub mod clock;
pub mod engine;
pub mod envelope;
pub mod filters;
pub mod log;
pub mod pacer;
pub mod queue;
pub mod store;
pub mod trigger;
pub mod validate;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use colored::Colorize;

use crate::error::{Error, ExitStatus, Result, io_reason};
use crate::ids;
use crate::output::{Printer, Verbosity, eprintln_safe};
use crate::server::{self, Limits, RequestBody};

use self::engine::{Engine, EngineConfig};
use self::store::{Store, StoreError};

/// The key the emulator accepts unless `--api-key` names another.
pub const DEFAULT_API_KEY: &str = "sk_test_emulator";
/// Where `emulate` serves when run without `--host` / `--port` (what `trigger`
/// talks to when no API base is configured).
pub const DEFAULT_BASE: &str = "http://127.0.0.1:8787/v1";

/// How long open API connections may take to finish once the emulator is told to stop.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// What `emulate` serves with, checked by the command layer.
#[derive(Debug, Clone)]
pub struct Options {
    /// Address to bind.
    pub host: String,
    /// Port to bind (0: any free port).
    pub port: u16,
    /// The SQLite file, or `None` to keep everything in memory.
    pub db: Option<PathBuf>,
    /// The key clients must send.
    pub api_key: String,
    /// Multiplies retry waits and batch waits.
    pub time_scale: f64,
    /// Deadline for each delivery attempt.
    pub delivery_timeout: Duration,
    /// Per-webhook delivery cap in events/s (0: no cap).
    pub max_rate: u32,
    /// Read timeout and connection cap of the API server.
    pub limits: Limits,
}

/// Serves the emulator until Ctrl-C or SIGTERM.
pub async fn serve(opts: Options, printer: &Printer) -> Result<ExitStatus> {
    let Options { host, port, db: db_path, api_key, time_scale, delivery_timeout, max_rate, limits } = opts;
    if let Some(p) = &db_path {
        prepare_dir(p)?;
    }
    let store = Store::open(db_path.as_deref()).map_err(|e| open_error(&e, db_path.as_deref()))?;
    let (queued, batched) =
        store.run_now(|c| Ok(queue::reclaim_leases(c)?)).map_err(|e| open_error(&e, db_path.as_deref()))?;

    let listener = tokio::net::TcpListener::bind((host.as_str(), port)).await.map_err(|e| {
        Error::failure(format!("cannot listen on {}:{}: {}", host, port, io_reason(&e)))
            .with_hint("pick another port with --port, or --port 0 for any free one")
    })?;
    let addr = listener
        .local_addr()
        .map_err(|e| Error::failure(format!("cannot read the bound address: {}", io_reason(&e))))?;

    let logger = log::Logger::new(printer.json(), printer.verbosity() == Verbosity::Quiet);
    let config = EngineConfig { time_scale, delivery_timeout, max_rate };
    let engine = Engine::new(store.clone(), config, logger)
        .map_err(|e| Error::failure(format!("cannot start the delivery engine: {e}")))?;
    let state = Arc::new(api::AppState {
        store,
        engine: engine.clone(),
        api_key: api_key.clone(),
        log_requests: printer.verbosity() == Verbosity::Verbose,
    });
    let app = api::router(state);

    let stop = crate::signals::shutdown()?;
    let base = format!("http://{addr}/v1");
    eprintln_safe(&format!("Ready! Scopien emulator on {base}"));
    // The built-in test key is no secret; a key given with --api-key is never shown in full.
    let (shown_key, export_key) = if api_key == DEFAULT_API_KEY {
        (api_key.clone(), api_key.clone())
    } else {
        (format!("{} (from --api-key)", ids::redact(&api_key)), "<your --api-key>".to_string())
    };
    printer.status(&format!(
        "API key: {shown_key}  {}",
        format!("(export SCOPIEN_API_BASE={base} SCOPIEN_API_KEY={export_key})").dimmed()
    ));
    printer.status(&format!(
        "{} {}",
        "Database:".dimmed(),
        match &db_path {
            Some(p) =>
                format!("{} ({queued} deliveries queued, {batched} events in open batches)", p.display()),
            None => "in memory (nothing survives a restart)".to_string(),
        }
    ));

    let runner = tokio::spawn(engine.clone().run());
    let handler = move |req: http::Request<RequestBody>| {
        let mut app = app.clone();
        async move {
            match tower_service::Service::call(&mut app, req).await {
                Ok(resp) => resp,
                Err(never) => match never {},
            }
        }
    };
    let reply = api::timeout_reply(limits.read_timeout);
    let cancel = tokio_util::sync::CancellationToken::new();
    let served = tokio::spawn(server::serve(
        listener,
        limits,
        reply,
        handler,
        cancel.clone(),
        SHUTDOWN_GRACE,
        tokio_util::sync::CancellationToken::new(),
        |_| {},
    ));
    stop.await;
    cancel.cancel();
    let _ = served.await;
    engine.shutdown(delivery_timeout + Duration::from_secs(1)).await;
    let _ = runner.await;
    printer.status(match db_path {
        Some(_) => "Emulator stopped; queued deliveries resume on the next start with the same database.",
        None => "Emulator stopped.",
    });
    Ok(ExitStatus::Success)
}

/// Where the database goes when `--db` is not given.
pub fn default_db_path() -> Result<PathBuf> {
    dirs::data_dir().map(|d| d.join("scopien-hooks").join("emulator.db")).ok_or_else(|| {
        Error::usage("cannot find a data directory for the emulator's database")
            .with_hint("pass --db PATH, or --in-memory")
    })
}

fn prepare_dir(db: &Path) -> Result<()> {
    let Some(dir) = db.parent().filter(|d| !d.as_os_str().is_empty()) else { return Ok(()) };
    if dir.is_dir() {
        return Ok(());
    }
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir).map_err(|e| {
        Error::usage(format!(
            "cannot create the directory '{}' for the database: {}",
            dir.display(),
            io_reason(&e)
        ))
    })
}

fn open_error(e: &StoreError, path: Option<&Path>) -> Error {
    let where_ = path.map_or_else(|| "in memory".to_string(), |p| format!("'{}'", p.display()));
    let busy = matches!(e, StoreError::Sql(rusqlite::Error::SqliteFailure(f, _))
        if matches!(f.code, rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked));
    // A path that is not a usable database file is bad input (exit 2), like any unreadable file.
    let unusable = matches!(e, StoreError::Sql(rusqlite::Error::SqliteFailure(f, _))
        if matches!(f.code, rusqlite::ErrorCode::CannotOpen | rusqlite::ErrorCode::NotADatabase
            | rusqlite::ErrorCode::DatabaseCorrupt | rusqlite::ErrorCode::ReadOnly
            | rusqlite::ErrorCode::PermissionDenied));
    if busy {
        Error::failure(format!("the database {where_} is in use by another emulator"))
            .with_hint("stop the other one, or give this one its own --db PATH (or --in-memory)")
    } else if unusable {
        Error::usage(format!("cannot use {where_} as the emulator's database: {e}"))
            .with_hint("pass another --db PATH, or --in-memory")
    } else {
        Error::failure(format!("cannot open the database {where_}: {e}"))
            .with_hint("pass another --db PATH, or --in-memory")
    }
}
