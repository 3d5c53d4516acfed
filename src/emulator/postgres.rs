//! The PostgreSQL backend, shared by several emulators: any instance answers
//! any API request from the same tables, and the delivery queue is split
//! between them by the database itself.
//!
//! - **Leases.** A scheduler pass locks the due jobs it takes with `FOR UPDATE
//!   SKIP LOCKED` and leases them (until its slot plus the attempt's deadline
//!   plus [`LEASE_MARGIN`]) under a random token; another instance's pass skips
//!   the locked rows and then the leased ones, so each attempt is made by one
//!   instance. An outcome is written only under the token it was claimed with.
//!   A lease that runs out (its instance died) is simply due work again.
//! - **Rate cap.** Each webhook's next free slot lives in `pacing`; a pass
//!   locks that row (in webhook-id order, so passes never deadlock) while it
//!   books slots, so the cap holds across every instance.
//! - **Batches** are closed from `open_batches` rows locked with `SKIP LOCKED`
//!   and deleted by sequence number: each event goes in exactly one batch.
//! - **Idempotency-Key**: `POST /webhooks` takes a transaction-scoped advisory
//!   lock on the key, so concurrent retries on two instances create one webhook.
//! - **Wake-ups.** An instance that queues events sends `NOTIFY`; the others
//!   `LISTEN` and run a pass at once. Work nobody announces (a dead instance's
//!   lease running out, a retry it had scheduled) is found by the pass every
//!   [`IDLE_WAKE`] at the latest.
//! - **Migrations** run in one transaction under an advisory lock: the first
//!   instance to start migrates, the others wait and find the schema current.
//! - **`--retain`** prunes under a transaction-scoped advisory lock
//!   ([`PRUNE_LOCK`]) taken without waiting: while one instance prunes, the
//!   others skip their round instead of deleting the same rows beside it.

use std::collections::HashMap;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use deadpool_postgres::{GenericClient, Manager, ManagerConfig, Pool, RecyclingMethod, Runtime};
use serde::de::DeserializeOwned;
use tokio::sync::{mpsc, oneshot};
use tokio_postgres::types::{ToSql, Type};
use tokio_postgres::{AsyncMessage, NoTls, Row};

use super::clock::{self, rfc3339};
use super::pacer::Pacer;
use super::queue::{
    AttemptRecord, Budget, Claim, ENDPOINT_COLS, Endpoint, Outcome, Recorded, Tick, earliest,
};
use super::storage::{
    ACTIVE_TARGETS, Columns, Created, DELIVERY_COLS, IdempotencyKey, NewEvent, OnChange, Page, Replay,
    Result, Sent, Store, StoreError, Target, WEBHOOK_COLS, WEBHOOK_VALUE_COLS, delivery_at, page,
    pending_delivery, webhook_at, webhook_values,
};
use super::validate;
use crate::api::models::{Delivery, Webhook, WebhookStatus};
use crate::{ids, redact};

/// How long a lease outlives the attempt's deadline. Together with the slot
/// (at most a second ahead) and [`IDLE_WAKE`], another instance takes a dead
/// one's work within the delivery timeout plus 10 s.
const LEASE_MARGIN: Duration = Duration::from_secs(5);
/// Longest a scheduler sleeps without looking at the shared queue.
const IDLE_WAKE: Duration = Duration::from_secs(2);
/// Connections per emulator.
const POOL_SIZE: usize = 16;
/// The channel new work is announced on.
const CHANNEL: &str = "scopien_hooks_work";
/// Advisory lock keys (arbitrary, fixed): the schema migration.
const MIGRATION_LOCK: i64 = 0x5c09_1e4e_0001;
/// The advisory lock an instance holds while it prunes old events: whoever
/// holds it (an operator too, to pause pruning) makes the others skip.
pub const PRUNE_LOCK: i64 = 0x5c09_1e4e_0002;

/// Ordered schema migrations; migration `i` moves the schema to version `i + 1`.
const MIGRATIONS: &[&str] = &[
    "
    CREATE TABLE webhooks (
        seq BIGSERIAL PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        url TEXT NOT NULL,
        events TEXT NOT NULL,
        description TEXT,
        secret TEXT NOT NULL,
        status TEXT NOT NULL,
        headers TEXT NOT NULL,
        filters TEXT NOT NULL,
        batch BOOLEAN NOT NULL,
        max_batch_size BIGINT,
        max_wait_time BIGINT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE TABLE idempotency_keys (
        key TEXT PRIMARY KEY,
        request_hash TEXT NOT NULL,
        webhook_id TEXT NOT NULL
    );
    CREATE TABLE events (
        seq BIGSERIAL PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        body BYTEA NOT NULL,
        created_at BIGINT NOT NULL
    );
    CREATE TABLE deliveries (
        seq BIGSERIAL PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        webhook_id TEXT NOT NULL,
        event_id TEXT NOT NULL,
        event TEXT NOT NULL,
        event_ids TEXT[] NOT NULL,
        batch BOOLEAN NOT NULL,
        attempt INTEGER NOT NULL,
        status TEXT NOT NULL,
        response_status INTEGER,
        error TEXT,
        duration_ms BIGINT,
        response_body TEXT,
        created_at TEXT NOT NULL,
        next_retry_at TEXT
    );
    CREATE INDEX deliveries_by_webhook ON deliveries (webhook_id, seq);
    CREATE TABLE jobs (
        id BIGSERIAL PRIMARY KEY,
        webhook_id TEXT NOT NULL,
        event_ids TEXT[] NOT NULL,
        batch BOOLEAN NOT NULL,
        attempts INTEGER NOT NULL,
        next_attempt_at BIGINT NOT NULL,
        lease_until BIGINT,
        lease BIGINT NOT NULL DEFAULT 0,
        delivery_id TEXT NOT NULL,
        last_error TEXT
    );
    CREATE INDEX jobs_due ON jobs (webhook_id, next_attempt_at, id);
    CREATE INDEX jobs_by_time ON jobs (next_attempt_at);
    CREATE INDEX jobs_leased ON jobs (lease_until) WHERE lease_until IS NOT NULL;
    CREATE TABLE open_batches (
        seq BIGSERIAL PRIMARY KEY,
        webhook_id TEXT NOT NULL,
        event_id TEXT NOT NULL,
        added_at BIGINT NOT NULL
    );
    CREATE INDEX open_batches_by_webhook ON open_batches (webhook_id, seq);
    CREATE TABLE replays (
        key TEXT NOT NULL,
        route TEXT NOT NULL,
        request_hash TEXT NOT NULL,
        status INTEGER NOT NULL,
        body BYTEA NOT NULL,
        created_at BIGINT NOT NULL,
        PRIMARY KEY (key, route)
    );
    CREATE TABLE pacing (
        webhook_id TEXT PRIMARY KEY,
        next_slot_us BIGINT NOT NULL
    );",
    // v2: what `--retain` looks up.
    "CREATE INDEX events_by_time ON events (created_at);
    CREATE INDEX deliveries_by_event ON deliveries (event_id);",
];

/// `url` with any password replaced by `***`, fit to print: the one before
/// the `@` and a `password=` query parameter (which the driver also reads).
pub fn display_url(url: &str) -> String {
    let shown = credentials_hidden(url);
    match shown.split_once('?') {
        Some((base, query)) if query.split('&').any(|kv| kv.starts_with("password=")) => {
            let query: Vec<&str> = query
                .split('&')
                .map(|kv| if kv.starts_with("password=") { "password=***" } else { kv })
                .collect();
            format!("{base}?{}", query.join("&"))
        }
        _ => shown,
    }
}

fn credentials_hidden(url: &str) -> String {
    let shown = redact::url_passwords(url);
    // The driver reads the credentials up to the first '@', wherever it is: a
    // password holding a '/', a quote or a space ends the authority early for
    // the general rule, which then shows it. Hide it as the driver reads it.
    if let Some((scheme, rest)) = url.split_once("://")
        && let Some((credentials, host)) = rest.split_once('@')
        && let Some((user, _password)) = credentials.split_once(':')
        && shown.contains(credentials)
    {
        return format!("{scheme}://{user}:***@{host}");
    }
    shown.into_owned()
}

/// Whether `--db` names a PostgreSQL database rather than a SQLite file.
pub fn is_url(db: &str) -> bool {
    db.starts_with("postgres://") || db.starts_with("postgresql://")
}

/// The emulator's PostgreSQL database.
pub struct PgStore {
    pool: Pool,
    config: tokio_postgres::Config,
    /// This process's name in its own notifications, so it skips them.
    instance: String,
    /// Successful attempts on their way to [`record_successes`].
    successes: mpsc::UnboundedSender<Success>,
}

/// A successful attempt to record, and who waits for whether it applied.
type Success = (AttemptRecord, oneshot::Sender<Result<bool, String>>);

impl std::fmt::Debug for PgStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgStore").field("instance", &self.instance).finish_non_exhaustive()
    }
}

/// Why `--db postgres://…` cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    /// The URL does not parse.
    #[error("{0}")]
    BadUrl(String),
    /// The server could not be reached or said no.
    #[error("{0}")]
    Store(#[from] StoreError),
}

impl PgStore {
    /// Connects to `url` and brings the schema up to date.
    pub async fn connect(url: &str) -> Result<PgStore, ConnectError> {
        let mut config =
            tokio_postgres::Config::from_str(url).map_err(|e| ConnectError::BadUrl(e.to_string()))?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(Duration::from_secs(10));
        }
        config.application_name("scopien-hooks emulate");
        let manager = Manager::from_config(
            config.clone(),
            NoTls,
            ManagerConfig { recycling_method: RecyclingMethod::Fast },
        );
        let pool = Pool::builder(manager)
            .max_size(POOL_SIZE)
            .runtime(Runtime::Tokio1)
            .create_timeout(Some(Duration::from_secs(15)))
            .build()
            .map_err(|e| ConnectError::BadUrl(e.to_string()))?;
        let (successes, pending) = mpsc::unbounded_channel();
        let store = PgStore { pool: pool.clone(), config, instance: ids::generate("emu_"), successes };
        let mut client = store.client().await?;
        migrate(&mut client).await?;
        tokio::spawn(record_successes(pool, pending));
        Ok(store)
    }

    async fn client(&self) -> Result<deadpool_postgres::Client> {
        self.pool.get().await.map_err(|e| match e {
            deadpool_postgres::PoolError::Backend(e) => StoreError::Postgres(e),
            other => StoreError::Pool(other.to_string()),
        })
    }
}

async fn migrate(client: &mut deadpool_postgres::Client) -> Result<()> {
    let tx = client.transaction().await?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK]).await?;
    tx.batch_execute("CREATE TABLE IF NOT EXISTS scopien_hooks_schema (version INTEGER NOT NULL)").await?;
    let version: i32 =
        tx.query_opt("SELECT version FROM scopien_hooks_schema", &[]).await?.map_or(0, |r| r.get(0));
    if version as usize > MIGRATIONS.len() {
        return Err(StoreError::TooNew(i64::from(version), MIGRATIONS.len()));
    }
    for sql in MIGRATIONS.iter().skip(version as usize) {
        tx.batch_execute(sql).await?;
    }
    let current = i32::try_from(MIGRATIONS.len()).unwrap_or(i32::MAX);
    tx.execute("DELETE FROM scopien_hooks_schema", &[]).await?;
    tx.execute("INSERT INTO scopien_hooks_schema (version) VALUES ($1)", &[&current]).await?;
    tx.commit().await?;
    Ok(())
}

// ---------------------------------------------------------------------------
// Rows

impl Columns for Row {
    type Error = tokio_postgres::Error;
    fn text(&self, i: usize) -> Result<String, Self::Error> {
        self.try_get(i)
    }
    fn opt_text(&self, i: usize) -> Result<Option<String>, Self::Error> {
        self.try_get(i)
    }
    fn flag(&self, i: usize) -> Result<bool, Self::Error> {
        self.try_get(i)
    }
    fn opt_int(&self, i: usize) -> Result<Option<i64>, Self::Error> {
        // INTEGER and BIGINT columns both read as i64.
        if *self.columns()[i].type_() == Type::INT4 {
            Ok(self.try_get::<_, Option<i32>>(i)?.map(i64::from))
        } else {
            self.try_get(i)
        }
    }
    /// A value this program did not write reads as empty.
    fn json<T: DeserializeOwned + Default>(&self, i: usize) -> Result<T, Self::Error> {
        Ok(serde_json::from_str(self.try_get::<_, &str>(i)?).unwrap_or_default())
    }
}

async fn get_webhook<C: GenericClient>(c: &C, id: &str) -> Result<Option<Webhook>> {
    let st = c.prepare_cached(&format!("SELECT {WEBHOOK_COLS} FROM webhooks WHERE id=$1")).await?;
    Ok(c.query_opt(&st, &[&id]).await?.map(|r| webhook_at(&r, 0)).transpose()?)
}

/// A page from `sql`, whose rows are a cursor and an item (read by `at` from
/// column 1), fetched with one row too many.
async fn query_page<T>(
    c: &deadpool_postgres::Client,
    sql: &str,
    params: &[&(dyn ToSql + Sync)],
    limit: usize,
    at: fn(&Row, usize) -> Result<T, tokio_postgres::Error>,
) -> Result<Page<T>> {
    let st = c.prepare_cached(sql).await?;
    let rows = c.query(&st, params).await?;
    let items =
        rows.iter().map(|r| Ok((r.try_get(0)?, at(r, 1)?))).collect::<Result<_, tokio_postgres::Error>>()?;
    Ok(page(items, limit))
}

/// Queues a delivery of these events to a webhook, due at `at_ms`, with its
/// pending row in the delivery log. Returns that row.
async fn queue_job<C: GenericClient>(
    c: &C,
    webhook_id: &str,
    event_ids: &[String],
    first_event: &str,
    batch: bool,
    at_ms: i64,
) -> Result<Delivery> {
    let delivery = pending_delivery(webhook_id, &event_ids[0], first_event, at_ms);
    let st = c
        .prepare_cached(
            "INSERT INTO deliveries (id, webhook_id, event_id, event, event_ids, batch, attempt, status, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, 1, 'pending', $7)",
        )
        .await?;
    c.execute(
        &st,
        &[&delivery.id, &webhook_id, &event_ids[0], &first_event, &event_ids, &batch, &delivery.created_at],
    )
    .await?;
    let st = c
        .prepare_cached(
            "INSERT INTO jobs (webhook_id, event_ids, batch, attempts, next_attempt_at, delivery_id) \
             VALUES ($1, $2, $3, 0, $4, $5)",
        )
        .await?;
    c.execute(&st, &[&webhook_id, &event_ids, &batch, &at_ms, &delivery.id]).await?;
    Ok(delivery)
}

async fn insert_event_rows<C: GenericClient>(c: &C, events: &[NewEvent], now_ms: i64) -> Result<()> {
    let ids: Vec<&str> = events.iter().map(|e| e.id.as_str()).collect();
    let names: Vec<&str> = events.iter().map(|e| e.name.as_str()).collect();
    let bodies: Vec<&[u8]> = events.iter().map(|e| e.body.as_slice()).collect();
    let st = c
        .prepare_cached(
            "INSERT INTO events (id, name, body, created_at) \
             SELECT u.id, u.name, u.body, $4 FROM unnest($1::text[], $2::text[], $3::bytea[]) AS u(id, name, body)",
        )
        .await?;
    c.execute(&st, &[&ids, &names, &bodies, &now_ms]).await?;
    Ok(())
}

/// Stores events and fans them out (see [`Store::insert_events`]) inside the
/// caller's transaction, in a fixed number of statements whatever the count.
async fn insert_events<C: GenericClient>(c: &C, events: &[NewEvent], now_ms: i64) -> Result<usize> {
    let st = c.prepare_cached(ACTIVE_TARGETS).await?;
    let targets: Vec<Target> = c.query(&st, &[]).await?.iter().map(Target::at).collect::<Result<_, _>>()?;
    insert_event_rows(c, events, now_ms).await?;
    let (mut delivery_ids, mut job_hooks, mut job_events, mut job_names) = (vec![], vec![], vec![], vec![]);
    let (mut batch_hooks, mut batch_events) = (vec![], vec![]);
    for ev in events {
        for t in &targets {
            if !t.takes(ev) {
                continue;
            }
            if t.batch {
                batch_hooks.push(t.id.as_str());
                batch_events.push(ev.id.as_str());
            } else {
                delivery_ids.push(ids::generate(ids::DELIVERY_PREFIX));
                job_hooks.push(t.id.as_str());
                job_events.push(ev.id.as_str());
                job_names.push(ev.name.as_str());
            }
        }
    }
    if !delivery_ids.is_empty() {
        let created = rfc3339(now_ms);
        let st = c
            .prepare_cached(
                "INSERT INTO deliveries (id, webhook_id, event_id, event, event_ids, batch, attempt, status, created_at) \
                 SELECT u.id, u.w, u.e, u.n, ARRAY[u.e], false, 1, 'pending', $5 \
                 FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS u(id, w, e, n)",
            )
            .await?;
        c.execute(&st, &[&delivery_ids, &job_hooks, &job_events, &job_names, &created]).await?;
        let st = c
            .prepare_cached(
                "INSERT INTO jobs (webhook_id, event_ids, batch, attempts, next_attempt_at, delivery_id) \
                 SELECT u.w, ARRAY[u.e], false, 0, $4, u.id \
                 FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY AS u(id, w, e, i) ORDER BY u.i",
            )
            .await?;
        c.execute(&st, &[&delivery_ids, &job_hooks, &job_events, &now_ms]).await?;
    }
    if !batch_hooks.is_empty() {
        let st = c
            .prepare_cached(
                "INSERT INTO open_batches (webhook_id, event_id, added_at) \
                 SELECT u.w, u.e, $3 FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS u(w, e, i) ORDER BY u.i",
            )
            .await?;
        c.execute(&st, &[&batch_hooks, &batch_events, &now_ms]).await?;
    }
    Ok(delivery_ids.len() + batch_hooks.len())
}

// ---------------------------------------------------------------------------
// The scheduler's pass

/// Turns full or expired open batches into queued deliveries, each event in
/// exactly one batch whichever instance closes it. Returns the earliest
/// deadline of the batches still open.
async fn close_batches<C: GenericClient>(c: &C, now: i64, time_scale: f64) -> Result<Option<i64>> {
    let st = c
        .prepare_cached(&format!(
            "SELECT {WEBHOOK_COLS} FROM webhooks WHERE status='active' \
             AND id IN (SELECT DISTINCT webhook_id FROM open_batches) ORDER BY id"
        ))
        .await?;
    let webhooks: Vec<Webhook> =
        c.query(&st, &[]).await?.iter().map(|r| webhook_at(r, 0)).collect::<Result<_, _>>()?;
    let take = c
        .prepare_cached(
            "SELECT b.seq, b.event_id, b.added_at, e.name FROM open_batches b \
             JOIN events e ON e.id = b.event_id WHERE b.webhook_id=$1 ORDER BY b.seq LIMIT $2 \
             FOR UPDATE OF b SKIP LOCKED",
        )
        .await?;
    let remove = c.prepare_cached("DELETE FROM open_batches WHERE seq = ANY($1)").await?;
    let mut wake = None;
    for w in webhooks {
        let size = i64::from(validate::batch_size(&w).max(1));
        let wait_ms = clock::millis(crate::retry::scale_duration(
            Duration::from_secs(validate::batch_wait(&w)),
            time_scale,
        ));
        loop {
            let rows = c.query(&take, &[&w.id, &size]).await?;
            let Some(first) = rows.first() else { break };
            let deadline = first.get::<_, i64>(2).saturating_add(wait_ms);
            // A webhook that stopped batching sends what it had at once.
            if (rows.len() as i64) < size && deadline > now && w.batch {
                wake = earliest(wake, Some(deadline));
                break;
            }
            let seqs: Vec<i64> = rows.iter().map(|r| r.get(0)).collect();
            let event_ids: Vec<String> = rows.iter().map(|r| r.get(1)).collect();
            queue_job(c, &w.id, &event_ids, first.get(3), true, now).await?;
            c.execute(&remove, &[&seqs]).await?;
        }
    }
    Ok(wake)
}

/// One due job, locked for this pass.
struct DueJob {
    id: i64,
    event_ids: Vec<String>,
    batch: bool,
    attempts: i32,
    delivery_id: String,
}

async fn tick_in<C: GenericClient>(
    c: &C,
    now: i64,
    time_scale: f64,
    lease_ms: i64,
    pacer: &mut Pacer,
) -> Result<Tick> {
    let mut out = Tick { claims: Vec::new(), wake_at: close_batches(c, now, time_scale).await? };
    pacer.forget_idle(now);
    // Webhooks with work due now, in id order: the pacing rows are locked in
    // that order by every instance.
    let st = c
        .prepare_cached(&format!(
            "SELECT {ENDPOINT_COLS} FROM webhooks w WHERE w.status='active' AND EXISTS \
             (SELECT 1 FROM jobs j WHERE j.webhook_id = w.id AND j.next_attempt_at <= $1 \
              AND (j.lease_until IS NULL OR j.lease_until <= $1)) ORDER BY w.id"
        ))
        .await?;
    let endpoints: Vec<Arc<Endpoint>> = c
        .query(&st, &[&now])
        .await?
        .iter()
        .map(|r| Endpoint::at(r).map(Arc::new))
        .collect::<Result<_, _>>()?;
    let pace_lock = c
        .prepare_cached(
            "INSERT INTO pacing (webhook_id, next_slot_us) VALUES ($1, 0) ON CONFLICT (webhook_id) \
             DO UPDATE SET next_slot_us = pacing.next_slot_us RETURNING next_slot_us",
        )
        .await?;
    let pace_save = c.prepare_cached("UPDATE pacing SET next_slot_us=$2 WHERE webhook_id=$1").await?;
    let due_jobs = c
        .prepare_cached(
            "SELECT id, event_ids, batch, attempts, delivery_id FROM jobs \
             WHERE webhook_id=$1 AND next_attempt_at <= $2 AND (lease_until IS NULL OR lease_until <= $2) \
             ORDER BY next_attempt_at, id LIMIT $3 FOR UPDATE SKIP LOCKED",
        )
        .await?;
    let lease_them = c
        .prepare_cached(
            "UPDATE jobs SET lease_until = l.until, lease = $3 \
             FROM unnest($1::bigint[], $2::bigint[]) AS l(id, until) WHERE jobs.id = l.id",
        )
        .await?;
    // Lock what is due first, then book the slots as late as possible: the
    // first attempt goes when the pass commits, not when it began.
    let mut selected: Vec<(Arc<Endpoint>, Vec<DueJob>, usize)> = Vec::new();
    for ep in endpoints {
        if pacer.capped() {
            let booked: i64 = c.query_one(&pace_lock, &[&ep.id]).await?.get(0);
            pacer.seed(&ep.id, booked);
        }
        let room = pacer.room(&ep.id, now);
        let jobs = if room > 0 {
            let limit = i64::try_from(room).unwrap_or(i64::MAX);
            c.query(&due_jobs, &[&ep.id, &now, &limit])
                .await?
                .iter()
                .map(|r| DueJob {
                    id: r.get(0),
                    event_ids: r.get(1),
                    batch: r.get(2),
                    attempts: r.get(3),
                    delivery_id: r.get(4),
                })
                .collect()
        } else {
            Vec::new()
        };
        selected.push((ep, jobs, room));
    }
    // Later work anywhere: a retry coming due, a lease (maybe a dead instance's) running out.
    let st = c
        .prepare_cached(
            "SELECT (SELECT MIN(next_attempt_at) FROM jobs WHERE next_attempt_at > $1 AND lease_until IS NULL), \
                    (SELECT MIN(lease_until) FROM jobs WHERE lease_until > $1)",
        )
        .await?;
    let later = c.query_one(&st, &[&now]).await?;
    out.wake_at = earliest(out.wake_at, later.get(0));
    out.wake_at = earliest(out.wake_at, later.get(1));
    let wanted: Vec<&str> = selected
        .iter()
        .flat_map(|(_, jobs, _)| jobs.iter().flat_map(|j| j.event_ids.iter().map(String::as_str)))
        .collect();
    let st = c.prepare_cached("SELECT id, name, body FROM events WHERE id = ANY($1)").await?;
    let stored: HashMap<String, (String, Vec<u8>)> =
        c.query(&st, &[&wanted]).await?.into_iter().map(|r| (r.get(0), (r.get(1), r.get(2)))).collect();

    let lease: i64 = rand::random();
    let book_at = clock::now_ms().max(now);
    let mut claimed: Vec<(Arc<Endpoint>, DueJob, i64)> = Vec::new();
    for (ep, jobs, room) in selected {
        let found = jobs.len();
        let (mut job_ids, mut until) = (Vec::with_capacity(found), Vec::with_capacity(found));
        for job in jobs {
            let Some(slot) = pacer.take(&ep.id, job.batch, book_at) else { break };
            job_ids.push(job.id);
            until.push(slot.saturating_add(lease_ms));
            claimed.push((ep.clone(), job, slot));
        }
        if !job_ids.is_empty() {
            c.execute(&lease_them, &[&job_ids, &until, &lease]).await?;
        }
        if pacer.capped()
            && let Some(booked) = pacer.booked_until(&ep.id)
        {
            c.execute(&pace_save, &[&ep.id, &booked]).await?;
        }
        // More may be due than this pass took (the budget or the page ran out):
        // look again once the budget allows. Work due later is in `later`.
        let more = room == 0 || job_ids.len() < found || found == room;
        if more && let Some(free) = pacer.next_free(&ep.id, book_at) {
            out.wake_at = earliest(out.wake_at, Some(free.max(now)));
        }
    }
    for (endpoint, job, slot) in claimed {
        let mut bodies = Vec::with_capacity(job.event_ids.len());
        let mut event = String::new();
        for id in &job.event_ids {
            if let Some((name, body)) = stored.get(id).cloned() {
                if event.is_empty() {
                    event = name;
                }
                bodies.push(body);
            }
        }
        out.claims.push(Claim {
            job_id: job.id,
            lease,
            endpoint,
            delivery_id: job.delivery_id,
            attempt: u32::try_from(job.attempts).unwrap_or(0) + 1,
            event_ids: job.event_ids,
            event,
            bodies,
            batch: job.batch,
            slot_ms: slot,
        });
    }
    Ok(out)
}

/// Most successes written by one statement.
const RECORD_BATCH: usize = 512;

/// Writes successful attempts as they come, as many at a time as have queued
/// up meanwhile: one statement and one commit for a whole batch, where one
/// per attempt would make the database the bottleneck.
async fn record_successes(pool: Pool, mut pending: mpsc::UnboundedReceiver<Success>) {
    let mut batch = Vec::with_capacity(RECORD_BATCH);
    while pending.recv_many(&mut batch, RECORD_BATCH).await > 0 {
        let result = match pool.get().await {
            Ok(client) => write_successes(&client, &batch).await.map_err(|e| StoreError::from(e).to_string()),
            Err(e) => Err(e.to_string()),
        };
        for (i, (_, reply)) in batch.drain(..).enumerate() {
            let _ = reply.send(result.as_ref().map(|applied| applied[i]).map_err(Clone::clone));
        }
    }
}

/// Marks these attempts succeeded and their jobs done, each only under the
/// lease it was claimed with; says which applied.
async fn write_successes(
    client: &deadpool_postgres::Client,
    batch: &[Success],
) -> Result<Vec<bool>, tokio_postgres::Error> {
    let recs = batch.iter().map(|(rec, _)| rec);
    let jobs: Vec<i64> = recs.clone().map(|r| r.job_id).collect();
    let leases: Vec<i64> = recs.clone().map(|r| r.lease).collect();
    let deliveries: Vec<&str> = recs.clone().map(|r| r.delivery_id.as_str()).collect();
    let statuses: Vec<Option<i32>> = recs.clone().map(|r| r.response_status.map(i32::from)).collect();
    let errors: Vec<Option<&str>> = recs.clone().map(|r| r.error.as_deref()).collect();
    let durations: Vec<i64> = recs.clone().map(|r| r.duration_ms).collect();
    let bodies: Vec<Option<&str>> = recs.clone().map(|r| r.response_body.as_deref()).collect();
    let started: Vec<String> = recs.clone().map(|r| rfc3339(r.started_ms)).collect();
    let attempts: Vec<i32> = recs.map(|r| i32::try_from(r.attempt).unwrap_or(i32::MAX)).collect();
    let st = client
        .prepare_cached(
            "WITH s AS (SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::int[], $5::text[], \
             $6::bigint[], $7::text[], $8::text[], $9::int[]) \
             AS s(job, lease, delivery, status, error, duration, body, started, attempt)), \
             done AS (DELETE FROM jobs j USING s WHERE j.id = s.job AND j.lease = s.lease RETURNING j.id) \
             UPDATE deliveries d SET status='succeeded', response_status=s.status, error=s.error, \
             duration_ms=s.duration, response_body=s.body, created_at=s.started, next_retry_at=NULL, \
             attempt=s.attempt FROM s JOIN done ON done.id = s.job WHERE d.id = s.delivery RETURNING s.job",
        )
        .await?;
    let applied: std::collections::HashSet<i64> = client
        .query(
            &st,
            &[&jobs, &leases, &deliveries, &statuses, &errors, &durations, &bodies, &started, &attempts],
        )
        .await?
        .iter()
        .map(|r| r.get(0))
        .collect();
    Ok(jobs.iter().map(|j| applied.contains(j)).collect())
}

/// Writes a failed attempt's outcome (see [`Store::record_attempt`]) in one transaction.
async fn record(client: &mut deadpool_postgres::Client, rec: &AttemptRecord, now: i64) -> Result<Recorded> {
    let started = rfc3339(rec.started_ms);
    let response_status = rec.response_status.map(i32::from);
    let attempt = i32::try_from(rec.attempt).unwrap_or(i32::MAX);
    let tx = client.transaction().await?;
    let st = tx.prepare_cached("SELECT 1 FROM jobs WHERE id=$1 AND lease=$2 FOR UPDATE").await?;
    if tx.query_opt(&st, &[&rec.job_id, &rec.lease]).await?.is_none() {
        return Ok(Recorded::default());
    }
    let next_retry = match &rec.outcome {
        Outcome::Retry { at_ms } => Some(rfc3339(*at_ms)),
        _ => None,
    };
    let st = tx
        .prepare_cached(
            "UPDATE deliveries SET status='failed', response_status=$2, error=$3, duration_ms=$4, \
             response_body=$5, created_at=$6, next_retry_at=$7, attempt=$8 WHERE id=$1",
        )
        .await?;
    tx.execute(
        &st,
        &[
            &rec.delivery_id,
            &response_status,
            &rec.error,
            &rec.duration_ms,
            &rec.response_body,
            &started,
            &next_retry,
            &attempt,
        ],
    )
    .await?;
    let mut recorded = Recorded { applied: true, notified: 0 };
    match &rec.outcome {
        Outcome::Succeeded => {}
        Outcome::Retry { at_ms } => {
            let next_id = ids::generate(ids::DELIVERY_PREFIX);
            let st = tx
                .prepare_cached(
                    "INSERT INTO deliveries (id, webhook_id, event_id, event, event_ids, batch, attempt, status, \
                     created_at, next_retry_at) SELECT $1, webhook_id, event_id, event, event_ids, batch, $2, \
                     'pending', $3, $4 FROM deliveries WHERE id=$5",
                )
                .await?;
            tx.execute(&st, &[&next_id, &(attempt + 1), &rfc3339(now), &next_retry, &rec.delivery_id])
                .await?;
            let st = tx
                .prepare_cached(
                    "UPDATE jobs SET attempts=$2, next_attempt_at=$3, lease_until=NULL, lease=0, delivery_id=$4, \
                     last_error=$5 WHERE id=$1",
                )
                .await?;
            tx.execute(&st, &[&rec.job_id, &attempt, at_ms, &next_id, &rec.error]).await?;
        }
        Outcome::Disable { notify } => {
            tx.execute("DELETE FROM jobs WHERE id=$1", &[&rec.job_id]).await?;
            tx.execute(
                "UPDATE webhooks SET status='disabled', updated_at=$2 WHERE id=$1",
                &[&rec.webhook_id, &rfc3339(now)],
            )
            .await?;
            if let Some(ev) = notify {
                recorded.notified = insert_events(&tx, std::slice::from_ref(ev), now).await?;
            }
        }
    }
    tx.commit().await?;
    Ok(recorded)
}

/// Calls `on_change` for every notification of new work from another
/// instance; reconnects (and calls it once, for what it may have missed)
/// when the connection drops.
async fn listen(config: tokio_postgres::Config, instance: String, on_change: OnChange) {
    loop {
        if let Ok((client, mut conn)) = config.connect(NoTls).await {
            let sql = format!("LISTEN {CHANNEL}");
            let subscribe = client.batch_execute(&sql);
            tokio::pin!(subscribe);
            let mut subscribed = false;
            loop {
                tokio::select! {
                    r = &mut subscribe, if !subscribed => {
                        if r.is_err() {
                            break;
                        }
                        subscribed = true;
                        on_change();
                    }
                    m = std::future::poll_fn(|cx| conn.poll_message(cx)) => match m {
                        Some(Ok(AsyncMessage::Notification(n))) if n.payload() != instance => on_change(),
                        Some(Ok(_)) => {}
                        Some(Err(_)) | None => break,
                    },
                }
            }
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

async fn announce<C: GenericClient>(c: &C, instance: &str) -> Result<()> {
    let st = c.prepare_cached("SELECT pg_notify($1, $2)").await?;
    c.execute(&st, &[&CHANNEL, &instance]).await?;
    Ok(())
}

#[async_trait::async_trait]
impl Store for PgStore {
    async fn start(&self) -> Result<(usize, usize)> {
        let r = self
            .client()
            .await?
            .query_one("SELECT (SELECT COUNT(*) FROM jobs), (SELECT COUNT(*) FROM open_batches)", &[])
            .await?;
        Ok((
            usize::try_from(r.get::<_, i64>(0)).unwrap_or(0),
            usize::try_from(r.get::<_, i64>(1)).unwrap_or(0),
        ))
    }

    fn lease_margin(&self) -> Duration {
        LEASE_MARGIN
    }

    fn idle_wake(&self) -> Duration {
        IDLE_WAKE
    }

    async fn watch(&self, on_change: OnChange) -> Result<()> {
        tokio::spawn(listen(self.config.clone(), self.instance.clone(), on_change));
        Ok(())
    }

    async fn create_webhook(&self, w: Webhook, key: Option<IdempotencyKey>) -> Result<Created> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        if let Some(k) = &key {
            // Two instances given the same key at once: the second waits here, then replays.
            tx.execute("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", &[&k.key]).await?;
            let st = tx
                .prepare_cached("SELECT request_hash, webhook_id FROM idempotency_keys WHERE key=$1")
                .await?;
            if let Some(r) = tx.query_opt(&st, &[&k.key]).await? {
                if r.get::<_, &str>(0) != k.request_hash {
                    return Ok(Created::Mismatch);
                }
                return Ok(Created::Replay(get_webhook(&tx, r.get(1)).await?));
            }
        }
        let st = tx
            .prepare_cached(&format!(
                "INSERT INTO webhooks ({WEBHOOK_VALUE_COLS}) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"
            ))
            .await?;
        tx.execute(&st, &webhook_values!(w, &(dyn ToSql + Sync))).await?;
        if let Some(k) = &key {
            tx.execute(
                "INSERT INTO idempotency_keys (key, request_hash, webhook_id) VALUES ($1, $2, $3)",
                &[&k.key, &k.request_hash, &w.id],
            )
            .await?;
        }
        tx.commit().await?;
        Ok(Created::New(w))
    }

    async fn list_webhooks(&self, after: Option<i64>, limit: usize) -> Result<Page<Webhook>> {
        let sql = format!("SELECT seq, {WEBHOOK_COLS} FROM webhooks WHERE seq > $1 ORDER BY seq LIMIT $2");
        query_page(
            &self.client().await?,
            &sql,
            &[&after.unwrap_or(0), &(limit as i64 + 1)],
            limit,
            webhook_at,
        )
        .await
    }

    async fn get_webhook(&self, id: &str) -> Result<Option<Webhook>> {
        get_webhook(&self.client().await?, id).await
    }

    async fn save_webhook(&self, w: &Webhook) -> Result<bool> {
        let client = self.client().await?;
        let st = client
            .prepare_cached(
                "UPDATE webhooks SET url=$2, events=$3, description=$4, status=$5, headers=$6, filters=$7, \
                 batch=$8, max_batch_size=$9, max_wait_time=$10, updated_at=$11 WHERE id=$1",
            )
            .await?;
        let values = webhook_values!(w, &(dyn ToSql + Sync));
        Ok(client.execute(&st, &values[..11]).await? > 0)
    }

    async fn set_status(&self, id: &str, status: WebhookStatus, now: &str) -> Result<Option<Webhook>> {
        let client = self.client().await?;
        let st = client
            .prepare_cached(&format!(
                "UPDATE webhooks SET status=$2, updated_at=$3 WHERE id=$1 RETURNING {WEBHOOK_COLS}"
            ))
            .await?;
        Ok(client
            .query_opt(&st, &[&id, &status.as_str(), &now])
            .await?
            .map(|r| webhook_at(&r, 0))
            .transpose()?)
    }

    async fn delete_webhook(&self, id: &str) -> Result<bool> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let n = tx.execute("DELETE FROM webhooks WHERE id=$1", &[&id]).await?;
        for table in ["jobs", "open_batches", "deliveries", "idempotency_keys", "pacing"] {
            tx.execute(&format!("DELETE FROM {table} WHERE webhook_id=$1"), &[&id]).await?;
        }
        tx.commit().await?;
        Ok(n > 0)
    }

    async fn find_replay(&self, key: &str, route: &str) -> Result<Option<Replay>> {
        let client = self.client().await?;
        let st = client
            .prepare_cached("SELECT request_hash, status, body FROM replays WHERE key=$1 AND route=$2")
            .await?;
        Ok(client.query_opt(&st, &[&key, &route]).await?.map(|r| Replay {
            request_hash: r.get(0),
            status: u16::try_from(r.get::<_, i32>(1)).unwrap_or(200),
            body: r.get(2),
        }))
    }

    async fn save_replay(&self, key: &str, route: &str, replay: Replay, now_ms: i64) -> Result<()> {
        let client = self.client().await?;
        let st = client
            .prepare_cached(
                "INSERT INTO replays (key, route, request_hash, status, body, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
            )
            .await?;
        client
            .execute(
                &st,
                &[&key, &route, &replay.request_hash, &i32::from(replay.status), &replay.body, &now_ms],
            )
            .await?;
        Ok(())
    }

    async fn insert_events(&self, events: Vec<NewEvent>, now_ms: i64) -> Result<usize> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let queued = insert_events(&tx, &events, now_ms).await?;
        if queued > 0 {
            announce(&tx, &self.instance).await?;
        }
        tx.commit().await?;
        Ok(queued)
    }

    async fn queue_test(&self, webhook_id: &str, ev: NewEvent, now_ms: i64) -> Result<Delivery> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        insert_event_rows(&tx, std::slice::from_ref(&ev), now_ms).await?;
        let d = queue_job(&tx, webhook_id, std::slice::from_ref(&ev.id), &ev.name, false, now_ms).await?;
        tx.commit().await?;
        Ok(d)
    }

    async fn queue_again(&self, webhook_id: &str, sent: Sent, now_ms: i64) -> Result<Delivery> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let d = queue_job(&tx, webhook_id, &sent.event_ids, &sent.delivery.event, sent.batch, now_ms).await?;
        tx.commit().await?;
        Ok(d)
    }

    async fn list_deliveries(&self, hook: &str, before: Option<i64>, limit: usize) -> Result<Page<Delivery>> {
        let sql = format!(
            "SELECT seq, {DELIVERY_COLS} FROM deliveries WHERE webhook_id=$1 AND seq < $2 ORDER BY seq DESC LIMIT $3"
        );
        let params: [&(dyn ToSql + Sync); 3] = [&hook, &before.unwrap_or(i64::MAX), &(limit as i64 + 1)];
        query_page(&self.client().await?, &sql, &params, limit, delivery_at).await
    }

    async fn get_delivery(&self, id: &str) -> Result<Option<Delivery>> {
        let client = self.client().await?;
        let st =
            client.prepare_cached(&format!("SELECT {DELIVERY_COLS} FROM deliveries WHERE id=$1")).await?;
        Ok(client.query_opt(&st, &[&id]).await?.map(|r| delivery_at(&r, 0)).transpose()?)
    }

    async fn sent(&self, id: &str) -> Result<Option<Sent>> {
        let client = self.client().await?;
        let st = client
            .prepare_cached(&format!("SELECT {DELIVERY_COLS}, event_ids, batch FROM deliveries WHERE id=$1"))
            .await?;
        let Some(r) = client.query_opt(&st, &[&id]).await? else { return Ok(None) };
        Ok(Some(Sent { delivery: delivery_at(&r, 0)?, event_ids: r.try_get(12)?, batch: r.try_get(13)? }))
    }

    async fn tick(&self, now: i64, time_scale: f64, lease_ms: i64, pacer: &mut Pacer) -> Result<Tick> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let tick = tick_in(&tx, now, time_scale, lease_ms, pacer).await?;
        tx.commit().await?;
        Ok(tick)
    }

    async fn record_attempt(&self, rec: AttemptRecord, now: i64) -> Result<Recorded> {
        if let Outcome::Succeeded = rec.outcome {
            let (reply, applied) = oneshot::channel();
            self.successes.send((rec, reply)).map_err(|_| StoreError::Task("the recorder stopped".into()))?;
            let applied = applied.await.map_err(|_| StoreError::Task("the recorder stopped".into()))?;
            return Ok(Recorded { applied: applied.map_err(StoreError::Pool)?, notified: 0 });
        }
        record(&mut self.client().await?, &rec, now).await
    }

    async fn prune(&self, cutoff_ms: i64, limit: usize) -> Result<usize> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        // Another instance is pruning: this round is its work, not ours.
        if !tx.query_one("SELECT pg_try_advisory_xact_lock($1)", &[&PRUNE_LOCK]).await?.get::<_, bool>(0) {
            return Ok(0);
        }
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let ids: Vec<String> = tx
            .query(
                "DELETE FROM events WHERE seq IN (
                    SELECT seq FROM events WHERE created_at < $1
                      AND id NOT IN (SELECT unnest(event_ids) FROM jobs)
                      AND id NOT IN (SELECT event_id FROM open_batches)
                    ORDER BY created_at LIMIT $2)
                 RETURNING id",
                &[&cutoff_ms, &limit],
            )
            .await?
            .iter()
            .map(|r| r.get(0))
            .collect();
        tx.execute("DELETE FROM deliveries WHERE event_id = ANY($1)", &[&ids]).await?;
        tx.execute("DELETE FROM replays WHERE created_at < $1", &[&cutoff_ms]).await?;
        tx.commit().await?;
        Ok(ids.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_hidden() {
        assert_eq!(
            display_url("postgres://app:s3cret@db.example:5432/hooks"),
            "postgres://app:***@db.example:5432/hooks"
        );
        assert_eq!(display_url("postgres://db.example/hooks"), "postgres://db.example/hooks");
        // Characters the driver keeps in a password but that end a URL's authority.
        for password in ["pa/ss", "pa'ss", "pa ss", "pa?ss", "pa\"ss"] {
            let shown = display_url(&format!("postgres://app:{password}@db:5432/hooks?sslmode=disable"));
            assert_eq!(shown, "postgres://app:***@db:5432/hooks?sslmode=disable");
            let config: tokio_postgres::Config =
                format!("postgres://app:{password}@db/hooks").parse().expect("the driver takes it");
            assert_eq!(config.get_password(), Some(password.as_bytes()));
        }
        for url in ["postgres://app@db/hooks?password=s3cret", "postgres://app:pw@db/hooks?password=s3cret"] {
            let config: tokio_postgres::Config = url.parse().expect("the driver takes it");
            assert_eq!(config.get_password(), Some(&b"s3cret"[..]));
        }
        assert_eq!(
            display_url("postgres://app@db/hooks?sslmode=disable&password=s3cret&application_name=x"),
            "postgres://app@db/hooks?sslmode=disable&password=***&application_name=x"
        );
        assert_eq!(
            display_url("postgres://app:pw@db/hooks?password=s3cret"),
            "postgres://app:***@db/hooks?password=***"
        );
        assert!(is_url("postgres://x/y") && is_url("postgresql://x/y") && !is_url("./emulator.db"));
    }
}
