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
pub mod postgres;
pub mod queue;
pub mod retention;
pub mod storage;
pub mod store;
pub mod trigger;
pub mod validate;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use colored::Colorize;

use crate::error::{Error, ExitStatus, Result, io_reason};
use crate::output::{Printer, Verbosity, eprintln_safe};
use crate::redact;
use crate::server::{self, Limits, RequestBody};

use self::engine::{Engine, EngineConfig};
use self::postgres::{ConnectError, PgStore};
use self::storage::{SharedStore, StoreError};
use self::store::SqliteStore;

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
    /// Where the state lives.
    pub db: Database,
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
    /// How long ended events are kept (zero: for ever).
    pub retain: Duration,
    /// Accept webhook URLs with plain http:// on a non-loopback host.
    pub allow_http: bool,
}

/// Serves the emulator until Ctrl-C or SIGTERM.
pub async fn serve(opts: Options, printer: &Printer) -> Result<ExitStatus> {
    let Options {
        host,
        port,
        db,
        api_key,
        time_scale,
        delivery_timeout,
        max_rate,
        limits,
        retain,
        allow_http,
    } = opts;
    let store = db.open().await?;
    let (queued, batched) = store.start().await.map_err(|e| db.error(&e))?;

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
    let woken = Arc::downgrade(&engine);
    store
        .watch(Box::new(move || {
            if let Some(engine) = woken.upgrade() {
                engine.nudge();
            }
        }))
        .await
        .map_err(|e| db.error(&e))?;
    let state = Arc::new(api::AppState {
        store: store.clone(),
        engine: engine.clone(),
        api_key: api_key.clone(),
        log_requests: printer.verbosity() == Verbosity::Verbose,
        addr,
        allow_http,
    });
    let app = api::router(state);

    let stop = crate::signals::shutdown()?;
    let base = format!("http://{addr}/v1");
    eprintln_safe(&format!("Ready! Scopien emulator on {base}"));
    // The built-in test key is no secret; a key given with --api-key is never shown in full.
    let (shown_key, export_key) = if api_key == DEFAULT_API_KEY {
        (api_key.clone(), api_key.clone())
    } else {
        (format!("{} (from --api-key)", redact::secret(&api_key)), "<your --api-key>".to_string())
    };
    printer.status(&format!(
        "API key: {shown_key}  {}",
        format!("(export SCOPIEN_API_BASE={base} SCOPIEN_API_KEY={export_key})").dimmed()
    ));
    printer.status(&format!(
        "{} {}",
        "Database:".dimmed(),
        match &db {
            Database::Memory => "in memory (nothing survives a restart)".to_string(),
            _ => format!(
                "{} ({} queued, {} in open batches)",
                db.shown(),
                crate::units::plural(queued as u64, "delivery", "deliveries"),
                crate::units::plural(batched as u64, "event", "events")
            ),
        }
    ));

    let runner = tokio::spawn(engine.clone().run());
    let cancel = tokio_util::sync::CancellationToken::new();
    let pruner = (!retain.is_zero()).then(|| {
        let warn = printer.clone();
        tokio::spawn(retention::run(store, retain, cancel.clone(), move |e| warn.warn(&e)))
    });
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
    if let Some(pruner) = pruner {
        let _ = pruner.await;
    }
    engine.shutdown(delivery_timeout.saturating_add(Duration::from_secs(1))).await;
    let _ = runner.await;
    printer.status(match db {
        Database::Memory => "Emulator stopped.",
        Database::File(_) => {
            "Emulator stopped; queued deliveries resume on the next start with the same database."
        }
        Database::Postgres(_) => {
            "Emulator stopped; the other emulators on this database carry on with its work."
        }
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

/// Creates a database file that does not exist yet readable by the user alone:
/// it holds the webhooks' signing secrets. SQLite gives its WAL the same mode.
/// A file that exists keeps its mode; any other failure is left for SQLite to report.
fn create_private(db: &Path) {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let _ = options.open(db);
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

/// Where the emulator keeps its state.
#[derive(Debug, Clone)]
pub enum Database {
    /// Nowhere: in memory, gone at exit.
    Memory,
    /// A SQLite file, for one emulator.
    File(PathBuf),
    /// A `postgres://` URL, shared by any number of emulators.
    Postgres(String),
}

impl Database {
    /// The database `--db` (or `SCOPIEN_EMULATOR_DB`) names: a `postgres://`
    /// URL, else a SQLite file.
    pub fn named(db: PathBuf) -> Database {
        match db.to_str() {
            Some(url) if postgres::is_url(url) => Database::Postgres(url.to_string()),
            _ => Database::File(db),
        }
    }

    /// How the database is named on screen: a URL's password never shows.
    pub fn shown(&self) -> String {
        match self {
            Database::Memory => "in memory".to_string(),
            Database::File(p) => format!("'{}'", p.display()),
            Database::Postgres(url) => postgres::display_url(url),
        }
    }

    async fn open(&self) -> Result<SharedStore> {
        Ok(match self {
            Database::Memory => Arc::new(SqliteStore::open(None).map_err(|e| self.error(&e))?),
            Database::File(p) => {
                prepare_dir(p)?;
                create_private(p);
                Arc::new(SqliteStore::open(Some(p)).map_err(|e| self.error(&e))?)
            }
            Database::Postgres(url) => Arc::new(PgStore::connect(url).await.map_err(|e| {
                match e {
                    ConnectError::BadUrl(reason) => Error::usage(format!(
                        "--db {} is not a usable PostgreSQL URL: {reason}",
                        self.shown()
                    ))
                    .with_hint(
                        "write it as postgres://USER@HOST[:PORT]/DATABASE (USER:PASSWORD@ for a password)",
                    ),
                    ConnectError::Store(e) => self.error(&e),
                }
            })?),
        })
    }

    fn error(&self, e: &StoreError) -> Error {
        match self {
            Database::Postgres(_) => Error::failure(format!("cannot use the database {}: {e}", self.shown()))
                .with_hint("check that the server is up and the URL's user, password and database are right"),
            Database::File(p) => open_error(e, Some(p)),
            Database::Memory => open_error(e, None),
        }
    }
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
