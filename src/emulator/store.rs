//! The emulator's SQLite store: webhooks, events, the delivery log (one row per
//! attempt), the queue of pending deliveries ("jobs") and open batches, under a
//! versioned schema (`PRAGMA user_version`). The engine's operations on the
//! queue live in [`super::queue`].
//!
//! Durability: the file is in WAL mode with `synchronous=NORMAL`. A commit is in
//! the WAL (the OS page cache) when it returns, so it survives the process being
//! killed (`kill -9`); only an OS crash or power loss can take the last
//! transactions, which is the promise the emulator makes ("kill it mid-retry,
//! start it again"). Every API answer and every state change of a delivery is
//! committed before anything depends on it. The file is opened in exclusive
//! locking mode: a second emulator on the same file is refused, which is also
//! why every lease found at start-up belongs to a dead process and is reclaimed.

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rusqlite::types::Type;
use rusqlite::{Connection, OptionalExtension, Row, ToSql, Transaction, params};
use serde::de::DeserializeOwned;

use super::pacer::Pacer;
use super::queue::{self, AttemptRecord, Recorded, Tick};
use super::storage::{
    ACTIVE_TARGETS, Columns, Created, DELIVERY_COLS, IdempotencyKey, NewEvent, OnChange, Page, Replay,
    Result, Sent, Store, StoreError, Target, WEBHOOK_COLS, WEBHOOK_VALUE_COLS, delivery_at, page,
    pending_delivery, to_json, webhook_at, webhook_values,
};
use crate::api::models::{Delivery, Webhook, WebhookStatus};

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
    // v2: answers to POSTs sent with an Idempotency-Key, replayed to a retrying client.
    "CREATE TABLE replays (
        key TEXT NOT NULL,
        route TEXT NOT NULL,
        request_hash TEXT NOT NULL,
        status INTEGER NOT NULL,
        body BLOB NOT NULL,
        created_at INTEGER NOT NULL,
        PRIMARY KEY (key, route)
    );",
    // v3: what `--retain` looks up.
    "CREATE INDEX events_by_time ON events(created_at);
    CREATE INDEX deliveries_by_event ON deliveries(event_id);",
];

/// One SQLite connection shared by the API and the engine. rusqlite is
/// synchronous, so every call runs on tokio's blocking pool.
#[derive(Clone)]
pub struct SqliteStore {
    conn: Arc<Mutex<Connection>>,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore").finish_non_exhaustive()
    }
}

impl SqliteStore {
    /// Opens (creating and migrating) the database at `path`, or an in-memory one.
    pub fn open(path: Option<&Path>) -> Result<SqliteStore> {
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
        Ok(SqliteStore { conn: Arc::new(Mutex::new(conn)) })
    }

    /// Runs `f` with the connection on the blocking pool.
    async fn run<T, F>(&self, f: F) -> Result<T>
    where
        F: FnOnce(&mut Connection) -> rusqlite::Result<T> + Send + 'static,
        T: Send + 'static,
    {
        let conn = self.conn.clone();
        Ok(tokio::task::spawn_blocking(move || {
            let mut guard = conn.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            f(&mut guard)
        })
        .await
        .map_err(|e| StoreError::Task(e.to_string()))??)
    }

    /// Runs `f` in one transaction on the blocking pool, committed when `f` succeeds.
    async fn in_transaction<T, F>(&self, f: F) -> Result<T>
    where
        F: FnOnce(&Transaction<'_>) -> rusqlite::Result<T> + Send + 'static,
        T: Send + 'static,
    {
        self.run(move |c| {
            let tx = c.transaction()?;
            let done = f(&tx)?;
            tx.commit()?;
            Ok(done)
        })
        .await
    }

    /// Runs `f` on the calling thread (start-up, before the runtime is busy).
    pub fn run_now<T>(&self, f: impl FnOnce(&mut Connection) -> Result<T, StoreError>) -> Result<T> {
        let mut guard = self.conn.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        f(&mut guard)
    }
}

fn migrate(conn: &mut Connection) -> Result<()> {
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
// Rows

impl Columns for Row<'_> {
    type Error = rusqlite::Error;
    fn text(&self, i: usize) -> rusqlite::Result<String> {
        self.get(i)
    }
    fn opt_text(&self, i: usize) -> rusqlite::Result<Option<String>> {
        self.get(i)
    }
    fn flag(&self, i: usize) -> rusqlite::Result<bool> {
        self.get(i)
    }
    fn opt_int(&self, i: usize) -> rusqlite::Result<Option<i64>> {
        self.get(i)
    }
    /// JSON that does not parse is an error, like any other bad column.
    fn json<T: DeserializeOwned + Default>(&self, i: usize) -> rusqlite::Result<T> {
        let text: String = self.get(i)?;
        serde_json::from_str(&text)
            .map_err(|e| rusqlite::Error::FromSqlConversionFailure(i, Type::Text, e.into()))
    }
}

pub(super) fn webhook_from_row(r: &Row<'_>) -> rusqlite::Result<Webhook> {
    webhook_at(r, 0)
}

fn delivery_from_row(r: &Row<'_>) -> rusqlite::Result<Delivery> {
    delivery_at(r, 0)
}

// ---------------------------------------------------------------------------
// Webhooks

/// Stores a new webhook.
pub fn insert_webhook(c: &Connection, w: &Webhook) -> rusqlite::Result<()> {
    let values = webhook_values!(w, &dyn ToSql);
    c.prepare_cached(&format!(
        "INSERT INTO webhooks ({WEBHOOK_VALUE_COLS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"
    ))?
    .execute(values)?;
    Ok(())
}

/// Writes every mutable field of an existing webhook.
pub fn save_webhook(c: &Connection, w: &Webhook) -> rusqlite::Result<bool> {
    let values = webhook_values!(w, &dyn ToSql);
    let n = c
        .prepare_cached(
            "UPDATE webhooks SET url=?2, events=?3, description=?4, status=?5, headers=?6, filters=?7, \
             batch=?8, max_batch_size=?9, max_wait_time=?10, updated_at=?11 WHERE id=?1",
        )?
        .execute(&values[..11])?;
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
pub fn list_webhooks(c: &Connection, after: Option<i64>, limit: usize) -> rusqlite::Result<Page<Webhook>> {
    let sql = format!("SELECT seq, {WEBHOOK_COLS} FROM webhooks WHERE seq > ?1 ORDER BY seq LIMIT ?2");
    query_page(c, &sql, params![after.unwrap_or(0), limit as i64 + 1], limit, |r| webhook_at(r, 1))
}

/// A page from `sql`, whose rows are a cursor and then an item (read by
/// `item`), fetched with one row too many.
fn query_page<T>(
    c: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
    limit: usize,
    item: impl Fn(&Row<'_>) -> rusqlite::Result<T>,
) -> rusqlite::Result<Page<T>> {
    let mut stmt = c.prepare_cached(sql)?;
    let rows = stmt.query_map(params, |r| Ok((r.get::<_, i64>(0)?, item(r)?)))?;
    Ok(page(rows.collect::<rusqlite::Result<Vec<_>>>()?, limit))
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

/// Deletes a webhook with its queue, open batch, delivery log and idempotency
/// keys. Run it inside a transaction.
pub fn delete_webhook(c: &Connection, id: &str) -> rusqlite::Result<bool> {
    let n = c.execute("DELETE FROM webhooks WHERE id=?1", [id])?;
    for table in ["jobs", "open_batches", "deliveries", "idempotency_keys"] {
        c.execute(&format!("DELETE FROM {table} WHERE webhook_id=?1"), [id])?;
    }
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

/// The stored answer for `key` on `route`, if any.
pub fn find_replay(c: &Connection, key: &str, route: &str) -> rusqlite::Result<Option<Replay>> {
    c.prepare_cached("SELECT request_hash, status, body FROM replays WHERE key=?1 AND route=?2")?
        .query_row([key, route], |r| {
            Ok(Replay { request_hash: r.get(0)?, status: r.get(1)?, body: r.get(2)? })
        })
        .optional()
}

/// Stores the answer for `key` on `route` (the first one wins).
pub fn save_replay(
    c: &Connection,
    key: &str,
    route: &str,
    replay: &Replay,
    now_ms: i64,
) -> rusqlite::Result<()> {
    c.prepare_cached(
        "INSERT OR IGNORE INTO replays (key, route, request_hash, status, body, created_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![key, route, replay.request_hash, replay.status, replay.body, now_ms])?;
    Ok(())
}

// ---------------------------------------------------------------------------
// Events and fan-out

fn active_targets(c: &Connection) -> rusqlite::Result<Vec<Target>> {
    c.prepare_cached(ACTIVE_TARGETS)?.query_map([], |r| Target::at(r))?.collect()
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
            if !t.takes(ev) {
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
    let delivery = pending_delivery(webhook_id, &event_ids[0], first_event, at_ms);
    let event_ids_json = to_json(&event_ids);
    c.prepare_cached(
        "INSERT INTO deliveries (id, webhook_id, event_id, event, event_ids, batch, attempt, status, created_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, 1, 'pending', ?7)",
    )?
    .execute(params![delivery.id, webhook_id, event_ids[0], first_event, event_ids_json, batch, delivery.created_at])?;
    c.prepare_cached(
        "INSERT INTO jobs (webhook_id, event_ids, batch, attempts, next_attempt_at, delivery_id) \
         VALUES (?1, ?2, ?3, 0, ?4, ?5)",
    )?
    .execute(params![webhook_id, event_ids_json, batch, at_ms, delivery.id])?;
    Ok(delivery)
}

// ---------------------------------------------------------------------------
// The delivery log

/// A page of `webhook`'s deliveries, newest first, before cursor `before`.
pub fn list_deliveries(
    c: &Connection,
    webhook: &str,
    before: Option<i64>,
    limit: usize,
) -> rusqlite::Result<Page<Delivery>> {
    let sql = format!(
        "SELECT seq, {DELIVERY_COLS} FROM deliveries WHERE webhook_id=?1 AND seq < ?2 ORDER BY seq DESC LIMIT ?3"
    );
    query_page(c, &sql, params![webhook, before.unwrap_or(i64::MAX), limit as i64 + 1], limit, |r| {
        delivery_at(r, 1)
    })
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
        .query_row([id], |r| Ok((r.json(0)?, r.get(1)?)))
        .optional()
}

// ---------------------------------------------------------------------------
// The store interface

#[async_trait::async_trait]
impl Store for SqliteStore {
    async fn start(&self) -> Result<(usize, usize)> {
        self.run(|c| queue::reclaim_leases(c)).await
    }

    fn lease_margin(&self) -> Duration {
        // Only an attempt task that died leaves its lease behind: nobody else waits on it.
        Duration::from_secs(30)
    }

    fn idle_wake(&self) -> Duration {
        // Nobody else queues work in this file: a nudge always comes first.
        Duration::from_secs(60)
    }

    async fn watch(&self, _on_change: OnChange) -> Result<()> {
        Ok(())
    }

    async fn create_webhook(&self, w: Webhook, key: Option<IdempotencyKey>) -> Result<Created> {
        self.in_transaction(move |tx| {
            if let Some(k) = &key
                && let Some((old_hash, id)) = idempotent_webhook(tx, &k.key)?
            {
                if old_hash != k.request_hash {
                    return Ok(Created::Mismatch);
                }
                return Ok(Created::Replay(get_webhook(tx, &id)?));
            }
            insert_webhook(tx, &w)?;
            if let Some(k) = &key {
                remember_idempotency(tx, &k.key, &k.request_hash, &w.id)?;
            }
            Ok(Created::New(w))
        })
        .await
    }

    async fn list_webhooks(&self, after: Option<i64>, limit: usize) -> Result<Page<Webhook>> {
        self.run(move |c| list_webhooks(c, after, limit)).await
    }

    async fn get_webhook(&self, id: &str) -> Result<Option<Webhook>> {
        let id = id.to_string();
        self.run(move |c| get_webhook(c, &id)).await
    }

    async fn save_webhook(&self, w: &Webhook) -> Result<bool> {
        let w = w.clone();
        self.run(move |c| save_webhook(c, &w)).await
    }

    async fn set_status(&self, id: &str, status: WebhookStatus, now: &str) -> Result<Option<Webhook>> {
        let (id, now) = (id.to_string(), now.to_string());
        self.run(move |c| set_status(c, &id, status, &now)).await
    }

    async fn delete_webhook(&self, id: &str) -> Result<bool> {
        let id = id.to_string();
        self.in_transaction(move |tx| delete_webhook(tx, &id)).await
    }

    async fn find_replay(&self, key: &str, route: &str) -> Result<Option<Replay>> {
        let (key, route) = (key.to_string(), route.to_string());
        self.run(move |c| find_replay(c, &key, &route)).await
    }

    async fn save_replay(&self, key: &str, route: &str, replay: Replay, now_ms: i64) -> Result<()> {
        let (key, route) = (key.to_string(), route.to_string());
        self.run(move |c| save_replay(c, &key, &route, &replay, now_ms)).await
    }

    async fn insert_events(&self, events: Vec<NewEvent>, now_ms: i64) -> Result<usize> {
        self.in_transaction(move |tx| insert_events(tx, &events, now_ms)).await
    }

    async fn queue_test(&self, webhook_id: &str, ev: NewEvent, now_ms: i64) -> Result<Delivery> {
        let webhook_id = webhook_id.to_string();
        self.in_transaction(move |tx| {
            insert_event_only(tx, &ev, now_ms)?;
            queue_job(tx, &webhook_id, std::slice::from_ref(&ev.id), &ev.name, false, now_ms)
        })
        .await
    }

    async fn queue_again(&self, webhook_id: &str, sent: Sent, now_ms: i64) -> Result<Delivery> {
        let webhook_id = webhook_id.to_string();
        self.in_transaction(move |tx| {
            queue_job(tx, &webhook_id, &sent.event_ids, &sent.delivery.event, sent.batch, now_ms)
        })
        .await
    }

    async fn list_deliveries(&self, hook: &str, before: Option<i64>, limit: usize) -> Result<Page<Delivery>> {
        let hook = hook.to_string();
        self.run(move |c| list_deliveries(c, &hook, before, limit)).await
    }

    async fn get_delivery(&self, id: &str) -> Result<Option<Delivery>> {
        let id = id.to_string();
        self.run(move |c| get_delivery(c, &id)).await
    }

    async fn sent(&self, id: &str) -> Result<Option<Sent>> {
        let id = id.to_string();
        self.run(move |c| {
            Ok(get_delivery(c, &id)?
                .zip(delivery_events(c, &id)?)
                .map(|(delivery, (event_ids, batch))| Sent { delivery, event_ids, batch }))
        })
        .await
    }

    async fn tick(&self, now: i64, time_scale: f64, lease_ms: i64, pacer: &mut Pacer) -> Result<Tick> {
        // The pacer travels to the blocking pool and back; a lost task leaves a
        // fresh one, and the engine starts budgets afresh after any error anyway.
        let mut p = std::mem::take(pacer);
        let (tick, p) = self
            .run(move |c| {
                let tick = queue::tick(c, now, time_scale, lease_ms, &mut p);
                Ok((tick, p))
            })
            .await?;
        *pacer = p;
        Ok(tick?)
    }

    async fn record_attempt(&self, rec: AttemptRecord, now: i64) -> Result<Recorded> {
        self.run(move |c| queue::record_attempt(c, &rec, now)).await
    }

    async fn prune(&self, cutoff_ms: i64, limit: usize) -> Result<usize> {
        self.in_transaction(move |tx| prune(tx, cutoff_ms, limit)).await
    }
}

/// [`Store::prune`]; run it inside a transaction.
pub fn prune(c: &Connection, cutoff_ms: i64, limit: usize) -> rusqlite::Result<usize> {
    // Both NOT IN lists are built once per statement, not once per event.
    let ids = c
        .prepare_cached(
            "DELETE FROM events WHERE seq IN (
                SELECT seq FROM events WHERE created_at < ?1
                  AND id NOT IN (SELECT x.value FROM jobs, json_each(jobs.event_ids) AS x)
                  AND id NOT IN (SELECT event_id FROM open_batches)
                ORDER BY created_at LIMIT ?2)
             RETURNING id",
        )?
        .query_map(params![cutoff_ms, i64::try_from(limit).unwrap_or(i64::MAX)], |r| r.get::<_, String>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut log = c.prepare_cached("DELETE FROM deliveries WHERE event_id = ?1")?;
    for id in &ids {
        log.execute([id])?;
    }
    c.prepare_cached("DELETE FROM replays WHERE created_at < ?1")?.execute([cutoff_ms])?;
    Ok(ids.len())
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::api::models::CreateWebhook;
    use crate::emulator::validate;
    use serde_json::{Value, json};

    /// Stores a webhook made from a create request.
    pub(crate) fn webhook(c: &Connection, v: Value) -> Webhook {
        let req: CreateWebhook = serde_json::from_value(v).unwrap();
        let w = validate::new_webhook(req, "2026-01-22T10:00:00Z").unwrap();
        insert_webhook(c, &w).unwrap();
        w
    }

    /// Runs `f` on a fresh in-memory database.
    pub(crate) fn on_fresh_db(f: impl FnOnce(&mut Connection) -> Result<()>) {
        SqliteStore::open(None).unwrap().run_now(f).unwrap();
    }

    /// An event with this data.
    pub(crate) fn event(name: &str, data: Value) -> NewEvent {
        let id = crate::ids::event_id();
        let body = serde_json::to_vec(&json!({"id": id, "event": name, "data": data})).unwrap();
        NewEvent { id, name: name.into(), body, data }
    }

    #[test]
    fn migrates_an_older_file_and_refuses_a_newer_one() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.db");
        {
            let c = Connection::open(&path).unwrap();
            c.execute_batch(MIGRATIONS[0]).unwrap();
            c.pragma_update(None, "user_version", 1).unwrap();
        }
        let store = SqliteStore::open(Some(&path)).unwrap();
        store
            .run_now(|c| {
                let v: i64 = c.query_row("PRAGMA user_version", [], |r| r.get(0))?;
                assert_eq!(v, MIGRATIONS.len() as i64);
                let replay = Replay { request_hash: "h".into(), status: 201, body: b"{}".to_vec() };
                save_replay(c, "k", "/events", &replay, 0)?;
                assert_eq!(find_replay(c, "k", "/events")?, Some(replay));
                assert_eq!(find_replay(c, "k", "/other")?, None);
                Ok(())
            })
            .unwrap();
        drop(store);
        let newer = dir.path().join("new.db");
        Connection::open(&newer).unwrap().pragma_update(None, "user_version", 99).unwrap();
        assert!(matches!(SqliteStore::open(Some(&newer)), Err(StoreError::TooNew(99, _))));
    }

    #[test]
    fn prune_removes_only_old_ended_events_with_their_log() {
        on_fresh_db(|c| {
            let hook = webhook(c, json!({"url": "http://127.0.0.1:9/", "events": ["lead.*"]}));
            let batched =
                webhook(c, json!({"url": "http://127.0.0.1:9/b", "events": ["case.*"], "batch": true}));
            let (ended, queued, waiting) = (
                event("lead.created", json!({})),
                event("lead.updated", json!({})),
                event("case.closed", json!({})),
            );
            let (late, later) = (event("lead.created", json!({})), event("lead.created", json!({})));
            insert_events(c, &[ended.clone(), queued.clone(), waiting.clone()], 1_000)?;
            insert_events(c, &[late.clone(), later.clone()], 9_000)?;
            // The first delivery ended: its job is gone, its log stays until pruned.
            c.execute("DELETE FROM jobs WHERE event_ids = ?1", [to_json(&[&ended.id])])?;
            for id in [&late.id, &later.id] {
                c.execute("DELETE FROM jobs WHERE event_ids = ?1", [to_json(&[id])])?;
            }
            let count =
                |sql: &str, id: &str| -> rusqlite::Result<i64> { c.query_row(sql, [id], |r| r.get(0)) };
            assert_eq!(prune(c, 5_000, 100)?, 1);
            assert_eq!(count("SELECT COUNT(*) FROM events WHERE id=?1", &ended.id)?, 0);
            assert_eq!(count("SELECT COUNT(*) FROM deliveries WHERE event_id=?1", &ended.id)?, 0);
            // Still queued, in an open batch, or newer than the cutoff: kept.
            for (id, log) in [(&queued.id, 1), (&waiting.id, 0), (&late.id, 1)] {
                assert_eq!(count("SELECT COUNT(*) FROM events WHERE id=?1", id)?, 1, "{id}");
                assert_eq!(count("SELECT COUNT(*) FROM deliveries WHERE event_id=?1", id)?, log, "{id}");
            }
            assert_eq!(count("SELECT COUNT(*) FROM open_batches WHERE webhook_id=?1", &batched.id)?, 1);
            assert_eq!(prune(c, 5_000, 100)?, 0);
            // The limit bounds one call.
            assert_eq!(prune(c, 10_000, 1)?, 1);
            assert_eq!(prune(c, 10_000, 100)?, 1);
            assert_eq!(count("SELECT COUNT(*) FROM events WHERE id=?1", &queued.id)?, 1);
            let _ = hook;
            Ok(())
        });
    }

    #[test]
    fn migrates_once_and_round_trips_webhooks() {
        on_fresh_db(|c| {
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
        });
    }
}
