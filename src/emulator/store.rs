//! The emulator's SQLite store: webhooks, events, the delivery log (one row per
//! attempt), the queue of pending deliveries ("jobs") and open batches, under a
//! versioned schema (`PRAGMA user_version`).
//!
//! Durability: the file is in WAL mode with `synchronous=NORMAL`. A commit is in
//! the WAL (the OS page cache) when it returns, so it survives the process being
//! killed (`kill -9`); only an OS crash or power loss can take the last
//! transactions, which is the promise the emulator makes ("kill it mid-retry,
//! start it again"). Every API answer and every state change of a delivery is
//! committed before anything depends on it. The file is opened in exclusive
//! locking mode: a second emulator on the same file is refused, which is also
//! why every lease found at start-up belongs to a dead process and is reclaimed.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

use rusqlite::types::Type;
use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use super::clock::rfc3339;
use super::{filters, validate};
use crate::api::models::{Delivery, DeliveryStatus, Webhook, WebhookStatus};
use crate::{catalog, ids};

/// Why the store failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// SQLite said no.
    #[error("{0}")]
    Sql(#[from] rusqlite::Error),
    /// The file was written by a newer scopien-hooks.
    #[error("the database has schema version {0}, newer than this scopien-hooks understands ({1})")]
    TooNew(i64, usize),
    /// The blocking task running the query died.
    #[error("database task failed: {0}")]
    Task(String),
}

/// Ordered schema migrations; migration `i` moves the schema to version `i + 1`.
const MIGRATIONS: &[&str] = &[
    // v1
    "CREATE TABLE webhooks (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        url TEXT NOT NULL,
        events TEXT NOT NULL,
        description TEXT,
        secret TEXT NOT NULL,
        status TEXT NOT NULL,
        headers TEXT NOT NULL,
        filters TEXT NOT NULL,
        batch INTEGER NOT NULL,
        max_batch_size INTEGER,
        max_wait_time INTEGER,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE TABLE idempotency_keys (
        key TEXT PRIMARY KEY,
        request_hash TEXT NOT NULL,
        webhook_id TEXT NOT NULL
    );
    CREATE TABLE events (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        body BLOB NOT NULL,
        created_at INTEGER NOT NULL
    );
    CREATE TABLE deliveries (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        webhook_id TEXT NOT NULL,
        event_id TEXT NOT NULL,
        event TEXT NOT NULL,
        event_ids TEXT NOT NULL,
        batch INTEGER NOT NULL,
        attempt INTEGER NOT NULL,
        status TEXT NOT NULL,
        response_status INTEGER,
        error TEXT,
        duration_ms INTEGER,
        response_body TEXT,
        created_at TEXT NOT NULL,
        next_retry_at TEXT
    );
    CREATE INDEX deliveries_by_webhook ON deliveries(webhook_id, seq);
    CREATE TABLE jobs (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        webhook_id TEXT NOT NULL,
        event_ids TEXT NOT NULL,
        batch INTEGER NOT NULL,
        attempts INTEGER NOT NULL,
        next_attempt_at INTEGER NOT NULL,
        lease_until INTEGER,
        delivery_id TEXT NOT NULL,
        last_error TEXT
    );
    CREATE INDEX jobs_due ON jobs(webhook_id, lease_until, next_attempt_at);
    CREATE INDEX jobs_leased ON jobs(lease_until);
    CREATE TABLE open_batches (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        webhook_id TEXT NOT NULL,
        event_id TEXT NOT NULL,
        added_at INTEGER NOT NULL
    );
    CREATE INDEX open_batches_by_webhook ON open_batches(webhook_id, seq);",
];

/// One SQLite connection shared by the API and the engine. rusqlite is
/// synchronous, so every call runs on tokio's blocking pool.
#[derive(Clone)]
pub struct Store {
    conn: Arc<Mutex<Connection>>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").finish_non_exhaustive()
    }
}

impl Store {
    /// Opens (creating and migrating) the database at `path`, or an in-memory one.
    pub fn open(path: Option<&Path>) -> Result<Store, StoreError> {
        let mut conn = match path {
            Some(p) => Connection::open(p)?,
            None => Connection::open_in_memory()?,
        };
        if path.is_some() {
            // One connection per process: waiting on a lock only ever means
            // waiting for another emulator, so fail at once instead.
            conn.busy_timeout(std::time::Duration::ZERO)?;
            // Exclusive mode before WAL: no shared-memory file, and a second
            // process gets "database is locked" instead of racing this one.
            let _: String = conn.query_row("PRAGMA locking_mode=EXCLUSIVE", [], |r| r.get(0))?;
            let _: String = conn.query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))?;
            conn.pragma_update(None, "synchronous", "NORMAL")?;
        }
        migrate(&mut conn)?;
        Ok(Store { conn: Arc::new(Mutex::new(conn)) })
    }

    /// Runs `f` with the connection on the blocking pool.
    pub async fn run<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        F: FnOnce(&mut Connection) -> Result<T, StoreError> + Send + 'static,
        T: Send + 'static,
    {
        let conn = self.conn.clone();
        tokio::task::spawn_blocking(move || {
            let mut guard = conn.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            f(&mut guard)
        })
        .await
        .map_err(|e| StoreError::Task(e.to_string()))?
    }

    /// Runs `f` on the calling thread (start-up, before the runtime is busy).
    pub fn run_now<T>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut guard = self.conn.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        f(&mut guard)
    }
}

fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if version > MIGRATIONS.len() as i64 {
        return Err(StoreError::TooNew(version, MIGRATIONS.len()));
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(usize::try_from(version).unwrap_or(0)) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", (i + 1) as i64)?;
        tx.commit()?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Row helpers

fn json_col<T: DeserializeOwned>(row: &Row<'_>, idx: usize) -> rusqlite::Result<T> {
    let text: String = row.get(idx)?;
    serde_json::from_str(&text)
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(idx, Type::Text, e.into()))
}

fn to_json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).expect("model values serialise")
}

const WEBHOOK_COLS: &str = "id, url, events, description, secret, status, headers, filters, batch, \
                            max_batch_size, max_wait_time, created_at, updated_at";

fn webhook_from_row(r: &Row<'_>) -> rusqlite::Result<Webhook> {
    webhook_at(r, 0)
}

/// A webhook from `WEBHOOK_COLS` starting at column `o`.
fn webhook_at(r: &Row<'_>, o: usize) -> rusqlite::Result<Webhook> {
    let status: String = r.get(o + 5)?;
    Ok(Webhook {
        id: r.get(o)?,
        url: r.get(o + 1)?,
        events: json_col(r, o + 2)?,
        description: r.get(o + 3)?,
        secret: Some(r.get(o + 4)?),
        status: if status == "disabled" { WebhookStatus::Disabled } else { WebhookStatus::Active },
        headers: json_col(r, o + 6)?,
        filters: json_col(r, o + 7)?,
        batch: r.get(o + 8)?,
        max_batch_size: r.get(o + 9)?,
        max_wait_time: r.get::<_, Option<i64>>(o + 10)?.map(|v| u64::try_from(v).unwrap_or(0)),
        created_at: Some(r.get(o + 11)?),
        updated_at: Some(r.get(o + 12)?),
    })
}

const DELIVERY_COLS: &str = "id, webhook_id, event_id, event, attempt, status, response_status, error, \
                             duration_ms, created_at, next_retry_at, response_body";

fn delivery_from_row(r: &Row<'_>) -> rusqlite::Result<Delivery> {
    delivery_at(r, 0)
}

/// A delivery from `DELIVERY_COLS` starting at column `o`.
fn delivery_at(r: &Row<'_>, o: usize) -> rusqlite::Result<Delivery> {
    let status: String = r.get(o + 5)?;
    Ok(Delivery {
        id: r.get(o)?,
        webhook_id: r.get(o + 1)?,
        event_id: r.get(o + 2)?,
        event: r.get(o + 3)?,
        attempt: r.get(o + 4)?,
        status: match status.as_str() {
            "succeeded" => DeliveryStatus::Succeeded,
            "failed" => DeliveryStatus::Failed,
            _ => DeliveryStatus::Pending,
        },
        response_status: r.get(o + 6)?,
        error: r.get(o + 7)?,
        duration_ms: r.get::<_, Option<i64>>(o + 8)?.map(|v| u64::try_from(v).unwrap_or(0)),
        created_at: r.get(o + 9)?,
        next_retry_at: r.get(o + 10)?,
        response_body: r.get(o + 11)?,
    })
}

// ---------------------------------------------------------------------------
// Webhooks

/// Stores a new webhook.
pub fn insert_webhook(c: &Connection, w: &Webhook) -> rusqlite::Result<()> {
    c.prepare_cached(&format!(
        "INSERT INTO webhooks ({WEBHOOK_COLS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"
    ))?
    .execute(params![
        w.id,
        w.url,
        to_json(&w.events),
        w.description,
        w.secret.as_deref().unwrap_or_default(),
        w.status.as_str(),
        to_json(&w.headers),
        to_json(&w.filters),
        w.batch,
        w.max_batch_size,
        w.max_wait_time.map(|v| i64::try_from(v).unwrap_or(i64::MAX)),
        w.created_at.as_deref().unwrap_or_default(),
        w.updated_at.as_deref().unwrap_or_default(),
    ])?;
    Ok(())
}

/// Writes every mutable field of an existing webhook.
pub fn save_webhook(c: &Connection, w: &Webhook) -> rusqlite::Result<bool> {
    let n = c
        .prepare_cached(
            "UPDATE webhooks SET url=?2, events=?3, description=?4, status=?5, headers=?6, filters=?7, \
             batch=?8, max_batch_size=?9, max_wait_time=?10, updated_at=?11 WHERE id=?1",
        )?
        .execute(params![
            w.id,
            w.url,
            to_json(&w.events),
            w.description,
            w.status.as_str(),
            to_json(&w.headers),
            to_json(&w.filters),
            w.batch,
            w.max_batch_size,
            w.max_wait_time.map(|v| i64::try_from(v).unwrap_or(i64::MAX)),
            w.updated_at.as_deref().unwrap_or_default(),
        ])?;
    Ok(n > 0)
}

/// One webhook.
pub fn get_webhook(c: &Connection, id: &str) -> rusqlite::Result<Option<Webhook>> {
    c.prepare_cached(&format!("SELECT {WEBHOOK_COLS} FROM webhooks WHERE id=?1"))?
        .query_row([id], webhook_from_row)
        .optional()
}

/// A page of webhooks in creation order after cursor `after`, and the cursor
/// of the next page when there is one.
pub fn list_webhooks(
    c: &Connection,
    after: Option<i64>,
    limit: usize,
) -> rusqlite::Result<(Vec<Webhook>, Option<i64>)> {
    let mut stmt = c.prepare_cached(&format!(
        "SELECT seq, {WEBHOOK_COLS} FROM webhooks WHERE seq > ?1 ORDER BY seq LIMIT ?2"
    ))?;
    let rows = stmt.query_map(params![after.unwrap_or(0), limit as i64 + 1], |r| {
        Ok((r.get::<_, i64>(0)?, webhook_at(r, 1)?))
    })?;
    page(rows.collect::<rusqlite::Result<Vec<_>>>()?, limit)
}

fn page<T>(mut rows: Vec<(i64, T)>, limit: usize) -> rusqlite::Result<(Vec<T>, Option<i64>)> {
    let more = rows.len() > limit;
    rows.truncate(limit);
    let next = if more { rows.last().map(|(seq, _)| *seq) } else { None };
    Ok((rows.into_iter().map(|(_, t)| t).collect(), next))
}

/// Sets a webhook's status; the webhook as it now is, or `None` when unknown.
pub fn set_status(
    c: &Connection,
    id: &str,
    status: WebhookStatus,
    now: &str,
) -> rusqlite::Result<Option<Webhook>> {
    c.prepare_cached("UPDATE webhooks SET status=?2, updated_at=?3 WHERE id=?1")?.execute(params![
        id,
        status.as_str(),
        now
    ])?;
    get_webhook(c, id)
}

/// Deletes a webhook with its queue, open batch, delivery log and idempotency keys.
pub fn delete_webhook(c: &mut Connection, id: &str) -> rusqlite::Result<bool> {
    let tx = c.transaction()?;
    let n = tx.execute("DELETE FROM webhooks WHERE id=?1", [id])?;
    for table in ["jobs", "open_batches", "deliveries", "idempotency_keys"] {
        tx.execute(&format!("DELETE FROM {table} WHERE webhook_id=?1"), [id])?;
    }
    tx.commit()?;
    Ok(n > 0)
}

/// The webhook an `Idempotency-Key` created, with the hash of the request that used it.
pub fn idempotent_webhook(c: &Connection, key: &str) -> rusqlite::Result<Option<(String, String)>> {
    c.prepare_cached("SELECT request_hash, webhook_id FROM idempotency_keys WHERE key=?1")?
        .query_row([key], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()
}

/// Remembers which webhook an `Idempotency-Key` created.
pub fn remember_idempotency(c: &Connection, key: &str, hash: &str, webhook_id: &str) -> rusqlite::Result<()> {
    c.prepare_cached("INSERT INTO idempotency_keys (key, request_hash, webhook_id) VALUES (?1, ?2, ?3)")?
        .execute(params![key, hash, webhook_id])?;
    Ok(())
}

// ---------------------------------------------------------------------------
// Events and fan-out

/// An event to store and deliver.
#[derive(Debug, Clone)]
pub struct NewEvent {
    /// `evt_…`
    pub id: String,
    /// The event name.
    pub name: String,
    /// The event's JSON, exactly as it is delivered.
    pub body: Vec<u8>,
    /// Its `data`, for filters.
    pub data: Value,
}

struct Target {
    id: String,
    events: Vec<String>,
    filters: Map<String, Value>,
    batch: bool,
}

fn active_targets(c: &Connection) -> rusqlite::Result<Vec<Target>> {
    let mut stmt =
        c.prepare_cached("SELECT id, events, filters, batch FROM webhooks WHERE status='active'")?;
    let rows = stmt.query_map([], |r| {
        Ok(Target { id: r.get(0)?, events: json_col(r, 1)?, filters: json_col(r, 2)?, batch: r.get(3)? })
    })?;
    rows.collect()
}

/// Stores events and queues a delivery (or a place in the open batch) for every
/// active webhook whose patterns and filters select each one. Returns how many
/// deliveries were queued. Run it inside a transaction.
pub fn insert_events(c: &Connection, events: &[NewEvent], now_ms: i64) -> rusqlite::Result<usize> {
    let targets = active_targets(c)?;
    let mut insert =
        c.prepare_cached("INSERT INTO events (id, name, body, created_at) VALUES (?1, ?2, ?3, ?4)")?;
    let mut queued = 0;
    for ev in events {
        insert.execute(params![ev.id, ev.name, ev.body, now_ms])?;
        for t in &targets {
            if !catalog::matches_any(&t.events, &ev.name) || !filters::matches(&t.filters, &ev.data) {
                continue;
            }
            if t.batch {
                c.prepare_cached(
                    "INSERT INTO open_batches (webhook_id, event_id, added_at) VALUES (?1, ?2, ?3)",
                )?
                .execute(params![t.id, ev.id, now_ms])?;
            } else {
                queue_job(c, &t.id, std::slice::from_ref(&ev.id), &ev.name, false, now_ms)?;
            }
            queued += 1;
        }
    }
    Ok(queued)
}

/// Stores one event without fanning it out (a webhook's test event).
pub fn insert_event_only(c: &Connection, ev: &NewEvent, now_ms: i64) -> rusqlite::Result<()> {
    c.prepare_cached("INSERT INTO events (id, name, body, created_at) VALUES (?1, ?2, ?3, ?4)")?
        .execute(params![ev.id, ev.name, ev.body, now_ms])?;
    Ok(())
}

/// Queues a delivery of these events (one, or a batch) to a webhook, due at
/// `at_ms`, with its pending row in the delivery log. Returns that row.
pub fn queue_job(
    c: &Connection,
    webhook_id: &str,
    event_ids: &[String],
    first_event: &str,
    batch: bool,
    at_ms: i64,
) -> rusqlite::Result<Delivery> {
    let delivery_id = ids::generate(ids::DELIVERY_PREFIX);
    let event_ids_json = to_json(&event_ids);
    let created = rfc3339(at_ms);
    c.prepare_cached(
        "INSERT INTO deliveries (id, webhook_id, event_id, event, event_ids, batch, attempt, status, created_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, 1, 'pending', ?7)",
    )?
    .execute(params![delivery_id, webhook_id, event_ids[0], first_event, event_ids_json, batch, created])?;
    c.prepare_cached(
        "INSERT INTO jobs (webhook_id, event_ids, batch, attempts, next_attempt_at, delivery_id) \
         VALUES (?1, ?2, ?3, 0, ?4, ?5)",
    )?
    .execute(params![webhook_id, event_ids_json, batch, at_ms, delivery_id])?;
    Ok(Delivery {
        id: delivery_id,
        webhook_id: webhook_id.to_string(),
        event_id: event_ids[0].clone(),
        event: first_event.to_string(),
        attempt: 1,
        status: DeliveryStatus::Pending,
        response_status: None,
        error: None,
        duration_ms: None,
        created_at: created,
        next_retry_at: None,
        response_body: None,
    })
}

// ---------------------------------------------------------------------------
// The delivery log

/// A page of a webhook's deliveries, newest first, before cursor `before`.
pub fn list_deliveries(
    c: &Connection,
    webhook_id: &str,
    before: Option<i64>,
    limit: usize,
) -> rusqlite::Result<(Vec<Delivery>, Option<i64>)> {
    let mut stmt = c.prepare_cached(&format!(
        "SELECT seq, {DELIVERY_COLS} FROM deliveries WHERE webhook_id=?1 AND seq < ?2 ORDER BY seq DESC LIMIT ?3"
    ))?;
    let rows = stmt.query_map(params![webhook_id, before.unwrap_or(i64::MAX), limit as i64 + 1], |r| {
        Ok((r.get::<_, i64>(0)?, delivery_at(r, 1)?))
    })?;
    page(rows.collect::<rusqlite::Result<Vec<_>>>()?, limit)
}

/// One delivery row.
pub fn get_delivery(c: &Connection, id: &str) -> rusqlite::Result<Option<Delivery>> {
    c.prepare_cached(&format!("SELECT {DELIVERY_COLS} FROM deliveries WHERE id=?1"))?
        .query_row([id], delivery_from_row)
        .optional()
}

/// What a delivery carried: its events and whether it was a batch.
pub fn delivery_events(c: &Connection, id: &str) -> rusqlite::Result<Option<(Vec<String>, bool)>> {
    c.prepare_cached("SELECT event_ids, batch FROM deliveries WHERE id=?1")?
        .query_row([id], |r| Ok((json_col(r, 0)?, r.get(1)?)))
        .optional()
}

// ---------------------------------------------------------------------------
// The engine's side: leases, batches, claims, outcomes

/// Forgets every lease. Called at start-up, when no attempt of this process is
/// in flight and (thanks to the exclusive lock) no other process holds one: an
/// attempt cut short by a kill is simply made again. Returns the queue length.
pub fn reclaim_leases(c: &Connection) -> rusqlite::Result<(usize, usize)> {
    c.execute("UPDATE jobs SET lease_until=NULL WHERE lease_until IS NOT NULL", [])?;
    let jobs: i64 = c.query_row("SELECT COUNT(*) FROM jobs", [], |r| r.get(0))?;
    let batched: i64 = c.query_row("SELECT COUNT(*) FROM open_batches", [], |r| r.get(0))?;
    Ok((usize::try_from(jobs).unwrap_or(0), usize::try_from(batched).unwrap_or(0)))
}

/// Where and how to deliver to one webhook.
#[derive(Debug)]
pub struct Endpoint {
    /// `wh_…`
    pub id: String,
    /// The URL.
    pub url: String,
    /// The signing secret.
    pub secret: String,
    /// Custom headers, reserved names already left out.
    pub headers: Vec<(String, String)>,
}

/// One attempt the engine is to make now (at `slot_ms`).
#[derive(Debug)]
pub struct Claim {
    /// The queue row.
    pub job_id: i64,
    /// Where to.
    pub endpoint: Arc<Endpoint>,
    /// The pending log row this attempt fills in.
    pub delivery_id: String,
    /// 1-based.
    pub attempt: u32,
    /// The events' ids (one unless a batch).
    pub event_ids: Vec<String>,
    /// The first event's name.
    pub event: String,
    /// The events' JSON bodies.
    pub bodies: Vec<Vec<u8>>,
    /// Whether the body is `{"events":[…]}`.
    pub batch: bool,
    /// When the rate cap lets this attempt go.
    pub slot_ms: i64,
}

/// A webhook's delivery budget (rate cap and concurrency), as the scheduler
/// sees it while claiming work.
pub trait Budget {
    /// How many single-event attempts `webhook` may start now or soon.
    fn room(&self, webhook: &str, now_ms: i64) -> usize;
    /// Books an attempt; the time (Unix ms) it may go, or `None` when the budget is spent.
    fn take(&mut self, webhook: &str, batch: bool, now_ms: i64) -> Option<i64>;
    /// When `webhook` can next start an attempt; `None` while only a finishing
    /// attempt can free room (the engine wakes the scheduler then).
    fn next_free(&self, webhook: &str, now_ms: i64) -> Option<i64>;
    /// Drops the bookkeeping of webhooks with nothing booked ahead.
    fn forget_idle(&mut self, now_ms: i64);
}

/// What one scheduler pass found.
#[derive(Debug, Default)]
pub struct Tick {
    /// Attempts to make.
    pub claims: Vec<Claim>,
    /// When something next becomes due (a job, a batch deadline, a free slot).
    pub wake_at: Option<i64>,
}

fn earliest(a: Option<i64>, b: Option<i64>) -> Option<i64> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, None) => x,
        (None, y) => y,
    }
}

/// One scheduler pass, in one transaction: close the batches that are full or
/// due, then claim (lease for `lease_ms` past its slot) the due deliveries each
/// webhook's budget allows, and work out when to look again.
pub fn tick(
    c: &mut Connection,
    now: i64,
    time_scale: f64,
    lease_ms: i64,
    budget: &mut dyn Budget,
) -> rusqlite::Result<Tick> {
    let tx = c.transaction()?;
    let mut out = Tick::default();
    // A lease outlives its attempt only if the attempt's task died; take it back.
    tx.execute(
        "UPDATE jobs SET lease_until=NULL WHERE lease_until IS NOT NULL AND lease_until <= ?1",
        [now],
    )?;
    out.wake_at = close_batches(&tx, now, time_scale)?;
    budget.forget_idle(now);

    let endpoints: Vec<Arc<Endpoint>> = {
        let mut stmt =
            tx.prepare_cached("SELECT id, url, secret, headers FROM webhooks WHERE status='active'")?;
        let rows = stmt.query_map([], |r| {
            let headers: BTreeMap<String, String> = json_col(r, 3)?;
            Ok(Arc::new(Endpoint {
                id: r.get(0)?,
                url: r.get(1)?,
                secret: r.get(2)?,
                headers: headers.into_iter().filter(|(k, _)| !validate::is_reserved_header(k)).collect(),
            }))
        })?;
        rows.collect::<rusqlite::Result<_>>()?
    };

    for ep in endpoints {
        let room = budget.room(&ep.id, now);
        if room > 0 {
            let mut stmt = tx.prepare_cached(
                "SELECT id, event_ids, batch, attempts, delivery_id FROM jobs \
                 WHERE webhook_id=?1 AND lease_until IS NULL AND next_attempt_at <= ?2 \
                 ORDER BY next_attempt_at, id LIMIT ?3",
            )?;
            let due = stmt
                .query_map(params![ep.id, now, room as i64], |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        json_col::<Vec<String>>(r, 1)?,
                        r.get::<_, bool>(2)?,
                        r.get::<_, u32>(3)?,
                        r.get::<_, String>(4)?,
                    ))
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            for (job_id, event_ids, batch, attempts, delivery_id) in due {
                let Some(slot) = budget.take(&ep.id, batch, now) else { break };
                tx.prepare_cached("UPDATE jobs SET lease_until=?2 WHERE id=?1")?
                    .execute(params![job_id, slot + lease_ms])?;
                let mut bodies = Vec::with_capacity(event_ids.len());
                let mut event = String::new();
                let mut load = tx.prepare_cached("SELECT name, body FROM events WHERE id=?1")?;
                for id in &event_ids {
                    if let Some((name, body)) = load
                        .query_row([id], |r| Ok((r.get::<_, String>(0)?, r.get::<_, Vec<u8>>(1)?)))
                        .optional()?
                    {
                        if event.is_empty() {
                            event = name;
                        }
                        bodies.push(body);
                    }
                }
                out.claims.push(Claim {
                    job_id,
                    endpoint: ep.clone(),
                    delivery_id,
                    attempt: attempts + 1,
                    event_ids,
                    event,
                    bodies,
                    batch,
                    slot_ms: slot,
                });
            }
        }
        // When this webhook next has work: its earliest unleased job, once its
        // budget allows; or a lease running out.
        if let Some(free) = budget.next_free(&ep.id, now) {
            let next_due: Option<i64> = tx
                .prepare_cached(
                    "SELECT MIN(next_attempt_at) FROM jobs WHERE webhook_id=?1 AND lease_until IS NULL",
                )?
                .query_row([&ep.id], |r| r.get(0))?;
            out.wake_at = earliest(out.wake_at, next_due.map(|d| d.max(free)));
        }
        let lease_end: Option<i64> = tx
            .prepare_cached(
                "SELECT MIN(lease_until) FROM jobs WHERE webhook_id=?1 AND lease_until IS NOT NULL",
            )?
            .query_row([&ep.id], |r| r.get(0))?;
        out.wake_at = earliest(out.wake_at, lease_end);
    }
    tx.commit()?;
    Ok(out)
}

/// Turns full or expired open batches into queued deliveries. Returns the
/// earliest deadline of the batches still open.
fn close_batches(c: &Connection, now: i64, time_scale: f64) -> rusqlite::Result<Option<i64>> {
    let webhooks: Vec<Webhook> = {
        let mut stmt = c.prepare_cached(&format!(
            "SELECT {WEBHOOK_COLS} FROM webhooks WHERE status='active' \
             AND id IN (SELECT DISTINCT webhook_id FROM open_batches)"
        ))?;
        stmt.query_map([], webhook_from_row)?.collect::<rusqlite::Result<_>>()?
    };
    let mut wake = None;
    for w in webhooks {
        let size = validate::batch_size(&w).max(1);
        let wait_ms = super::clock::millis(crate::units::scale_duration(
            std::time::Duration::from_secs(validate::batch_wait(&w)),
            time_scale,
        ));
        loop {
            let rows: Vec<(i64, String, i64, String)> = c
                .prepare_cached(
                    "SELECT b.seq, b.event_id, b.added_at, e.name FROM open_batches b \
                     JOIN events e ON e.id = b.event_id WHERE b.webhook_id=?1 ORDER BY b.seq LIMIT ?2",
                )?
                .query_map(params![w.id, size], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
                .collect::<rusqlite::Result<_>>()?;
            let Some(first) = rows.first() else { break };
            let deadline = first.2.saturating_add(wait_ms);
            // A webhook that stopped batching sends what it had at once.
            if rows.len() < size as usize && deadline > now && w.batch {
                wake = earliest(wake, Some(deadline));
                break;
            }
            let event_ids: Vec<String> = rows.iter().map(|r| r.1.clone()).collect();
            queue_job(c, &w.id, &event_ids, &first.3, true, now)?;
            let last_seq = rows.last().map_or(0, |r| r.0);
            c.prepare_cached("DELETE FROM open_batches WHERE webhook_id=?1 AND seq <= ?2")?
                .execute(params![w.id, last_seq])?;
        }
    }
    Ok(wake)
}

/// How an attempt ended, as the engine decided.
#[derive(Debug, Clone)]
pub enum Outcome {
    /// 2xx: done.
    Succeeded,
    /// Failed; try again at this time.
    Retry {
        /// Unix ms of the next attempt.
        at_ms: i64,
    },
    /// Failed for good: disable the webhook (410, or the last attempt), and
    /// maybe announce it with this `webhook.failed` event.
    Disable {
        /// The notification to fan out.
        notify: Option<NewEvent>,
    },
}

/// One finished attempt, to write to the log.
#[derive(Debug, Clone)]
pub struct AttemptRecord {
    /// The queue row.
    pub job_id: i64,
    /// The log row of this attempt.
    pub delivery_id: String,
    /// The webhook.
    pub webhook_id: String,
    /// 1-based.
    pub attempt: u32,
    /// When it started (Unix ms).
    pub started_ms: i64,
    /// The answer's status, if one came.
    pub response_status: Option<u16>,
    /// What went wrong.
    pub error: Option<String>,
    /// How long it took.
    pub duration_ms: i64,
    /// The first 4 KiB of the answer.
    pub response_body: Option<String>,
    /// What happens next.
    pub outcome: Outcome,
}

/// What recording an attempt changed.
#[derive(Debug, Default)]
pub struct Recorded {
    /// False when the webhook (and so the job) was deleted meanwhile.
    pub applied: bool,
    /// Deliveries of a `webhook.failed` notification queued.
    pub notified: usize,
}

/// Writes an attempt's outcome in one transaction: the log row, then the queue
/// (done, rescheduled with a new pending row, or dropped with the webhook disabled).
pub fn record_attempt(c: &mut Connection, rec: &AttemptRecord, now: i64) -> rusqlite::Result<Recorded> {
    let tx = c.transaction()?;
    let exists = tx
        .prepare_cached("SELECT 1 FROM jobs WHERE id=?1")?
        .query_row([rec.job_id], |_| Ok(()))
        .optional()?;
    if exists.is_none() {
        return Ok(Recorded::default());
    }
    let (status, next_retry) = match &rec.outcome {
        Outcome::Succeeded => ("succeeded", None),
        Outcome::Retry { at_ms } => ("failed", Some(rfc3339(*at_ms))),
        Outcome::Disable { .. } => ("failed", None),
    };
    tx.prepare_cached(
        "UPDATE deliveries SET status=?2, response_status=?3, error=?4, duration_ms=?5, response_body=?6, \
         created_at=?7, next_retry_at=?8, attempt=?9 WHERE id=?1",
    )?
    .execute(params![
        rec.delivery_id,
        status,
        rec.response_status,
        rec.error,
        rec.duration_ms,
        rec.response_body,
        rfc3339(rec.started_ms),
        next_retry,
        rec.attempt,
    ])?;
    let mut recorded = Recorded { applied: true, notified: 0 };
    match &rec.outcome {
        Outcome::Succeeded => {
            tx.prepare_cached("DELETE FROM jobs WHERE id=?1")?.execute([rec.job_id])?;
        }
        Outcome::Retry { at_ms } => {
            let next_id = ids::generate(ids::DELIVERY_PREFIX);
            tx.prepare_cached(
                "INSERT INTO deliveries (id, webhook_id, event_id, event, event_ids, batch, attempt, status, \
                 created_at, next_retry_at) SELECT ?1, webhook_id, event_id, event, event_ids, batch, ?2, \
                 'pending', ?3, ?4 FROM deliveries WHERE id=?5",
            )?
            .execute(params![
                next_id,
                rec.attempt + 1,
                rfc3339(now),
                next_retry,
                rec.delivery_id
            ])?;
            tx.prepare_cached(
                "UPDATE jobs SET attempts=?2, next_attempt_at=?3, lease_until=NULL, delivery_id=?4, last_error=?5 \
                 WHERE id=?1",
            )?
            .execute(params![rec.job_id, rec.attempt, at_ms, next_id, rec.error])?;
        }
        Outcome::Disable { notify } => {
            tx.prepare_cached("DELETE FROM jobs WHERE id=?1")?.execute([rec.job_id])?;
            tx.prepare_cached("UPDATE webhooks SET status='disabled', updated_at=?2 WHERE id=?1")?
                .execute(params![rec.webhook_id, rfc3339(now)])?;
            if let Some(ev) = notify {
                recorded.notified = insert_events(&tx, std::slice::from_ref(ev), now)?;
            }
        }
    }
    tx.commit()?;
    Ok(recorded)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::models::CreateWebhook;
    use crate::emulator::pacer::Pacer;
    use serde_json::json;

    fn webhook(c: &Connection, v: Value) -> Webhook {
        let req: CreateWebhook = serde_json::from_value(v).unwrap();
        let w = validate::new_webhook(req, "2026-01-22T10:00:00Z").unwrap();
        insert_webhook(c, &w).unwrap();
        w
    }

    fn event(name: &str, data: Value) -> NewEvent {
        let id = ids::event_id();
        let body = serde_json::to_vec(&json!({"id": id, "event": name, "data": data})).unwrap();
        NewEvent { id, name: name.into(), body, data }
    }

    const LEASE: i64 = 60_000;

    fn pacer() -> Pacer {
        Pacer::new(100)
    }

    #[test]
    fn migrates_once_and_round_trips_webhooks() {
        let store = Store::open(None).unwrap();
        store
            .run_now(|c| {
                migrate(c)?;
                let v: i64 = c.query_row("PRAGMA user_version", [], |r| r.get(0))?;
                assert_eq!(v, MIGRATIONS.len() as i64);
                let w = webhook(c, json!({"url": "https://a.example", "events": ["*"], "filters": {"x": 1}}));
                assert_eq!(get_webhook(c, &w.id)?.unwrap(), w);
                for _ in 0..2 {
                    webhook(c, json!({"url": "https://b.example", "events": ["lead.*"]}));
                }
                let (first, next) = list_webhooks(c, None, 2)?;
                assert_eq!(first.len(), 2);
                let (rest, none) = list_webhooks(c, next, 2)?;
                assert_eq!(rest.len(), 1);
                assert!(none.is_none());
                Ok(())
            })
            .unwrap();
    }

    #[test]
    fn fans_out_by_pattern_and_filter_and_claims() {
        let store = Store::open(None).unwrap();
        store
            .run_now(|c| {
                let all = webhook(c, json!({"url": "https://a.example", "events": ["*"]}));
                let big = webhook(
                    c,
                    json!({"url": "https://b.example", "events": ["opportunity.*"],
                    "filters": {"amount_greater_than": 1000}}),
                );
                let _leads = webhook(c, json!({"url": "https://c.example", "events": ["lead.created"]}));
                let evs =
                    [event("opportunity.updated", json!({"amount": 5000})), event("case.closed", json!({}))];
                assert_eq!(insert_events(c, &evs, 1_000)?, 3);
                let mut pacer = pacer();
                let t = tick(c, 1_000, 1.0, LEASE, &mut pacer)?;
                assert_eq!(t.claims.len(), 3);
                assert_eq!(t.claims.iter().filter(|cl| cl.endpoint.id == all.id).count(), 2);
                assert_eq!(t.claims.iter().filter(|cl| cl.endpoint.id == big.id).count(), 1);
                // Claimed work is leased: a second pass finds nothing.
                assert!(tick(c, 1_001, 1.0, LEASE, &mut pacer)?.claims.is_empty());
                Ok(())
            })
            .unwrap();
    }

    #[test]
    fn rate_cap_spreads_slots() {
        let store = Store::open(None).unwrap();
        store
            .run_now(|c| {
                webhook(c, json!({"url": "https://a.example", "events": ["*"]}));
                let evs: Vec<NewEvent> = (0..250).map(|_| event("lead.created", json!({}))).collect();
                insert_events(c, &evs, 0)?;
                let mut pacer = pacer();
                let t = tick(c, 0, 1.0, LEASE, &mut pacer)?;
                // 100 events/s: one second's worth of slots, 10 ms apart.
                assert_eq!(t.claims.len(), 100);
                assert_eq!(t.claims[99].slot_ms - t.claims[0].slot_ms, 990);
                assert!(t.wake_at.unwrap() > 0);
                Ok(())
            })
            .unwrap();
    }

    #[test]
    fn batches_close_by_size_and_by_time() {
        let store = Store::open(None).unwrap();
        store
            .run_now(|c| {
                webhook(
                    c,
                    json!({"url": "https://a.example", "events": ["*"], "batch": true,
                    "maxBatchSize": 3, "maxWaitTime": 10}),
                );
                let evs: Vec<NewEvent> = (0..4).map(|_| event("lead.created", json!({}))).collect();
                insert_events(c, &evs, 0)?;
                let mut pacer = pacer();
                let t = tick(c, 0, 1.0, LEASE, &mut pacer)?;
                assert_eq!(t.claims.len(), 1);
                assert_eq!(t.claims[0].bodies.len(), 3);
                assert!(t.claims[0].batch);
                assert_eq!(t.wake_at, Some(10_000));
                let t = tick(c, 10_000, 1.0, LEASE, &mut pacer)?;
                assert_eq!(t.claims.len(), 1);
                assert_eq!(t.claims[0].bodies.len(), 1);
                Ok(())
            })
            .unwrap();
    }

    #[test]
    fn retries_and_disables() {
        let store = Store::open(None).unwrap();
        store
            .run_now(|c| {
                let w = webhook(c, json!({"url": "https://a.example", "events": ["lead.*"]}));
                let watcher = webhook(c, json!({"url": "https://w.example", "events": ["webhook.failed"]}));
                insert_events(c, &[event("lead.created", json!({}))], 0)?;
                let mut pacer = pacer();
                let claim = tick(c, 0, 1.0, LEASE, &mut pacer)?.claims.remove(0);
                let rec = AttemptRecord {
                    job_id: claim.job_id,
                    delivery_id: claim.delivery_id.clone(),
                    webhook_id: w.id.clone(),
                    attempt: 1,
                    started_ms: 0,
                    response_status: Some(500),
                    error: Some("HTTP 500".into()),
                    duration_ms: 3,
                    response_body: Some("boom".into()),
                    outcome: Outcome::Retry { at_ms: 5_000 },
                };
                assert!(record_attempt(c, &rec, 10)?.applied);
                let (log, _) = list_deliveries(c, &w.id, None, 10)?;
                assert_eq!(log.len(), 2);
                assert_eq!((log[0].attempt, log[0].status), (2, DeliveryStatus::Pending));
                assert_eq!((log[1].attempt, log[1].status), (1, DeliveryStatus::Failed));
                assert!(tick(c, 4_999, 1.0, LEASE, &mut pacer)?.claims.is_empty());
                let claim = tick(c, 5_000, 1.0, LEASE, &mut pacer)?.claims.remove(0);
                assert_eq!(claim.attempt, 2);
                let notify = event(catalog::WEBHOOK_FAILED, json!({"webhookId": w.id}));
                let rec = AttemptRecord {
                    job_id: claim.job_id,
                    delivery_id: claim.delivery_id,
                    attempt: 2,
                    outcome: Outcome::Disable { notify: Some(notify) },
                    ..rec
                };
                assert_eq!(record_attempt(c, &rec, 5_010)?.notified, 1);
                assert_eq!(get_webhook(c, &w.id)?.unwrap().status, WebhookStatus::Disabled);
                let t = tick(c, 5_010, 1.0, LEASE, &mut pacer)?;
                assert_eq!(t.claims.len(), 1);
                assert_eq!(t.claims[0].endpoint.id, watcher.id);
                Ok(())
            })
            .unwrap();
    }

    #[test]
    fn file_database_survives_reopen_and_refuses_a_second_process() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("emu.db");
        let id = {
            let store = Store::open(Some(&path)).unwrap();
            store
                .run_now(|c| {
                    let w = webhook(c, json!({"url": "https://a.example", "events": ["*"]}));
                    insert_events(c, &[event("lead.created", json!({}))], 0)?;
                    tick(c, 0, 1.0, LEASE, &mut pacer())?;
                    assert!(Store::open(Some(&path)).is_err(), "a second opener must be refused");
                    Ok(w.id)
                })
                .unwrap()
        };
        let store = Store::open(Some(&path)).unwrap();
        store
            .run_now(|c| {
                assert!(get_webhook(c, &id)?.is_some());
                assert_eq!(reclaim_leases(c)?, (1, 0));
                assert_eq!(tick(c, 1, 1.0, LEASE, &mut pacer())?.claims.len(), 1);
                Ok(())
            })
            .unwrap();
    }
}
