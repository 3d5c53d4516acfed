//! The store interface: everything the API handlers ([`super::api`]) and the
//! delivery engine ([`super::engine`]) ask of the database, so that neither
//! knows which one it runs on. Two backends implement it: the SQLite file of a
//! single emulator ([`super::store`], the default) and PostgreSQL, shared by
//! several emulators ([`super::postgres`]).

use std::sync::Arc;
use std::time::Duration;

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use super::clock::rfc3339;
use super::filters;
use super::pacer::Pacer;
use super::queue::{AttemptRecord, Recorded, Tick};
use crate::api::models::{Delivery, DeliveryStatus, Webhook, WebhookStatus};
use crate::{catalog, ids};

/// What the store's operations return.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// A page of items, and the cursor of the next page when there is one.
pub type Page<T> = (Vec<T>, Option<i64>);

/// Why the store failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// SQLite said no.
    #[error("{0}")]
    Sql(#[from] rusqlite::Error),
    /// PostgreSQL said no (or the connection to it failed).
    #[error("{}", postgres_reason(.0))]
    Postgres(#[from] tokio_postgres::Error),
    /// No PostgreSQL connection could be had from the pool.
    #[error("{0}")]
    Pool(String),
    /// The database was written by a newer scopien-hooks.
    #[error("the database has schema version {0}, newer than this scopien-hooks understands ({1})")]
    TooNew(i64, usize),
    /// The blocking task running the query died.
    #[error("database task failed: {0}")]
    Task(String),
}

/// The server's own message (with its detail) rather than tokio-postgres's
/// generic "db error".
fn postgres_reason(e: &tokio_postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => match db.detail() {
            Some(detail) => format!("{} ({detail})", db.message()),
            None => db.message().to_string(),
        },
        None => {
            let mut text = e.to_string();
            let mut cause = std::error::Error::source(e);
            while let Some(c) = cause {
                text = format!("{text}: {c}");
                cause = c.source();
            }
            text
        }
    }
}

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

/// A stored answer to a POST with an `Idempotency-Key`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Replay {
    /// Hash of the request body that produced it.
    pub request_hash: String,
    /// HTTP status.
    pub status: u16,
    /// The JSON body.
    pub body: Vec<u8>,
}

/// The `Idempotency-Key` of a `POST /webhooks` and the hash of its body.
#[derive(Debug, Clone)]
pub struct IdempotencyKey {
    /// The client's key.
    pub key: String,
    /// SHA-256 of the request body, hex.
    pub request_hash: String,
}

/// What `POST /webhooks` did.
#[derive(Debug)]
pub enum Created {
    /// A new webhook.
    New(Webhook),
    /// The webhook this key created before (`None` if deleted meanwhile).
    Replay(Option<Webhook>),
    /// The key was used before with another body.
    Mismatch,
}

/// What a delivery carried, to send it again: its log row, its events' ids and
/// whether it was a batch.
#[derive(Debug)]
pub struct Sent {
    /// The log row.
    pub delivery: Delivery,
    /// The events, in order.
    pub event_ids: Vec<String>,
    /// Whether they went as one batch.
    pub batch: bool,
}

/// Called when another emulator on the same database queued or changed work.
pub type OnChange = Box<dyn Fn() + Send + Sync>;

/// The emulator's database, as the API and the engine see it. Every method
/// commits before it returns.
#[async_trait::async_trait]
pub trait Store: Send + Sync + std::fmt::Debug {
    /// Called once before serving: returns how many deliveries are queued and
    /// how many events wait in open batches. A store only one process can open
    /// takes back every lease here; a shared one leaves live instances' leases alone.
    async fn start(&self) -> Result<(usize, usize)>;

    /// How long a lease outlives its attempt's deadline before another scheduler
    /// pass may take the work back.
    fn lease_margin(&self) -> Duration;

    /// Longest the scheduler may sleep with nothing due as far as it knows:
    /// work queued elsewhere (another instance) must not wait longer than this.
    fn idle_wake(&self) -> Duration;

    /// Calls `on_change` whenever another process sharing the database queues
    /// work (a store nobody shares never calls it).
    async fn watch(&self, on_change: OnChange) -> Result<()>;

    /// Stores a new webhook, or with a key already used, what that key did.
    async fn create_webhook(&self, w: Webhook, key: Option<IdempotencyKey>) -> Result<Created>;

    /// A page of webhooks in creation order after cursor `after`, and the
    /// cursor of the next page when there is one.
    async fn list_webhooks(&self, after: Option<i64>, limit: usize) -> Result<Page<Webhook>>;

    /// One webhook.
    async fn get_webhook(&self, id: &str) -> Result<Option<Webhook>>;

    /// Writes every mutable field of an existing webhook; false when unknown.
    async fn save_webhook(&self, w: &Webhook) -> Result<bool>;

    /// Sets a webhook's status; the webhook as it now is, or `None` when unknown.
    async fn set_status(&self, id: &str, status: WebhookStatus, now: &str) -> Result<Option<Webhook>>;

    /// Deletes a webhook with its queue, open batch, delivery log and keys.
    async fn delete_webhook(&self, id: &str) -> Result<bool>;

    /// The stored answer for `key` on `route`, if any.
    async fn find_replay(&self, key: &str, route: &str) -> Result<Option<Replay>>;

    /// Stores the answer for `key` on `route` (the first one wins).
    async fn save_replay(&self, key: &str, route: &str, replay: Replay, now_ms: i64) -> Result<()>;

    /// Stores events and queues a delivery (or a place in the open batch) for
    /// every active webhook whose patterns and filters select each one, all in
    /// one transaction. Returns how many deliveries were queued.
    async fn insert_events(&self, events: Vec<NewEvent>, now_ms: i64) -> Result<usize>;

    /// Stores a webhook's test event (no fan-out) and queues its delivery to
    /// that webhook alone; returns the pending log row.
    async fn queue_test(&self, webhook_id: &str, ev: NewEvent, now_ms: i64) -> Result<Delivery>;

    /// Queues these events again (one, or a batch) to a webhook as a new
    /// delivery; returns its pending log row.
    async fn queue_again(&self, webhook_id: &str, sent: Sent, now_ms: i64) -> Result<Delivery>;

    /// A page of the deliveries to webhook `hook`, newest first, before cursor `before`.
    async fn list_deliveries(&self, hook: &str, before: Option<i64>, limit: usize) -> Result<Page<Delivery>>;

    /// One delivery log row.
    async fn get_delivery(&self, id: &str) -> Result<Option<Delivery>>;

    /// A delivery with what it carried.
    async fn sent(&self, id: &str) -> Result<Option<Sent>>;

    /// One scheduler pass: close the batches that are full or due, lease the
    /// due deliveries that the webhooks' budgets allow (the rate part of
    /// `pacer` is kept in the database when the database is shared), and say
    /// when to look again.
    async fn tick(&self, now: i64, time_scale: f64, lease_ms: i64, pacer: &mut Pacer) -> Result<Tick>;

    /// Writes an attempt's outcome in one transaction, unless its lease was
    /// lost meanwhile (then [`Recorded::applied`] is false).
    async fn record_attempt(&self, rec: AttemptRecord, now: i64) -> Result<Recorded>;

    /// In one transaction, removes up to `limit` of the oldest events created
    /// before `cutoff_ms` that no queued delivery or open batch holds, with
    /// their delivery log, and the stored idempotent answers from before
    /// `cutoff_ms`. Returns how many events went. A store shared by several
    /// processes prunes in one of them at a time: a call made while another
    /// process prunes removes nothing and returns 0.
    async fn prune(&self, cutoff_ms: i64, limit: usize) -> Result<usize>;
}

/// A page from rows `(cursor, item)` fetched with one row too many: the items
/// and the cursor of the next page when there is one.
pub fn page<T>(mut rows: Vec<(i64, T)>, limit: usize) -> Page<T> {
    let more = rows.len() > limit;
    rows.truncate(limit);
    let next = if more { rows.last().map(|(seq, _)| *seq) } else { None };
    (rows.into_iter().map(|(_, t)| t).collect(), next)
}

/// The pending log row of a delivery queued at `at_ms` (attempt 1), with a fresh id.
pub fn pending_delivery(webhook_id: &str, event_id: &str, event: &str, at_ms: i64) -> Delivery {
    Delivery {
        id: ids::generate(ids::DELIVERY_PREFIX),
        webhook_id: webhook_id.to_string(),
        event_id: event_id.to_string(),
        event: event.to_string(),
        attempt: 1,
        status: DeliveryStatus::Pending,
        response_status: None,
        error: None,
        duration_ms: None,
        created_at: rfc3339(at_ms),
        next_retry_at: None,
        response_body: None,
    }
}

/// The store as the API and the engine hold it.
pub type SharedStore = Arc<dyn Store>;

// ---------------------------------------------------------------------------
// Rows, as both backends map them

/// One result row as either driver reads it, so that both backends turn rows
/// into webhooks, deliveries and fan-out targets the same way.
pub trait Columns {
    /// The driver's error.
    type Error;
    /// A `TEXT NOT NULL` column.
    fn text(&self, i: usize) -> Result<String, Self::Error>;
    /// A nullable `TEXT` column.
    fn opt_text(&self, i: usize) -> Result<Option<String>, Self::Error>;
    /// A boolean column.
    fn flag(&self, i: usize) -> Result<bool, Self::Error>;
    /// A nullable integer column, whatever its width.
    fn opt_int(&self, i: usize) -> Result<Option<i64>, Self::Error>;
    /// A text column holding JSON.
    fn json<T: DeserializeOwned + Default>(&self, i: usize) -> Result<T, Self::Error>;
}

/// JSON text, as both backends store lists and maps.
pub fn to_json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).expect("model values serialise")
}

/// The columns [`webhook_at`] reads, in its order.
pub const WEBHOOK_COLS: &str = "id, url, events, description, secret, status, headers, filters, batch, \
                                max_batch_size, max_wait_time, created_at, updated_at";

/// A webhook from [`WEBHOOK_COLS`] starting at column `o`.
pub fn webhook_at<R: Columns>(r: &R, o: usize) -> Result<Webhook, R::Error> {
    Ok(Webhook {
        id: r.text(o)?,
        url: r.text(o + 1)?,
        events: r.json(o + 2)?,
        description: r.opt_text(o + 3)?,
        secret: Some(r.text(o + 4)?),
        status: if r.text(o + 5)? == "disabled" { WebhookStatus::Disabled } else { WebhookStatus::Active },
        headers: r.json(o + 6)?,
        filters: r.json(o + 7)?,
        batch: r.flag(o + 8)?,
        max_batch_size: r.opt_int(o + 9)?.map(|v| u32::try_from(v).unwrap_or(u32::MAX)),
        max_wait_time: r.opt_int(o + 10)?.map(|v| u64::try_from(v).unwrap_or(0)),
        created_at: Some(r.text(o + 11)?),
        updated_at: Some(r.text(o + 12)?),
    })
}

/// The columns of a webhook in the order of `webhook_values!`: the first
/// eleven are what saving it writes (by `id`), the last two are set once.
pub const WEBHOOK_VALUE_COLS: &str = "id, url, events, description, status, headers, filters, batch, \
                                      max_batch_size, max_wait_time, updated_at, secret, created_at";

/// A webhook's values in [`WEBHOOK_VALUE_COLS`] order, as both backends store
/// them (lists and maps as JSON text, limits as i64): an array of the driver's
/// parameter type `$param`. Inserting binds all of it; saving, the first eleven.
macro_rules! webhook_values {
    ($w:ident, $param:ty) => {
        [
            &$w.id as $param,
            &$w.url,
            &$crate::emulator::storage::to_json(&$w.events),
            &$w.description,
            &$w.status.as_str(),
            &$crate::emulator::storage::to_json(&$w.headers),
            &$crate::emulator::storage::to_json(&$w.filters),
            &$w.batch,
            &$w.max_batch_size.map(i64::from),
            &$w.max_wait_time.map(|v| i64::try_from(v).unwrap_or(i64::MAX)),
            &$w.updated_at.as_deref().unwrap_or_default(),
            &$w.secret.as_deref().unwrap_or_default(),
            &$w.created_at.as_deref().unwrap_or_default(),
        ]
    };
}
pub(super) use webhook_values;

/// The columns [`delivery_at`] reads, in its order.
pub const DELIVERY_COLS: &str = "id, webhook_id, event_id, event, attempt, status, response_status, error, \
                                 duration_ms, created_at, next_retry_at, response_body";

/// A delivery from [`DELIVERY_COLS`] starting at column `o`.
pub fn delivery_at<R: Columns>(r: &R, o: usize) -> Result<Delivery, R::Error> {
    let status = match r.text(o + 5)?.as_str() {
        "succeeded" => DeliveryStatus::Succeeded,
        "failed" => DeliveryStatus::Failed,
        _ => DeliveryStatus::Pending,
    };
    Ok(Delivery {
        id: r.text(o)?,
        webhook_id: r.text(o + 1)?,
        event_id: r.text(o + 2)?,
        event: r.text(o + 3)?,
        attempt: r.opt_int(o + 4)?.and_then(|v| u32::try_from(v).ok()).unwrap_or(0),
        status,
        response_status: r.opt_int(o + 6)?.map(|v| u16::try_from(v).unwrap_or(0)),
        error: r.opt_text(o + 7)?,
        duration_ms: r.opt_int(o + 8)?.map(|v| u64::try_from(v).unwrap_or(0)),
        created_at: r.text(o + 9)?,
        next_retry_at: r.opt_text(o + 10)?,
        response_body: r.opt_text(o + 11)?,
    })
}

/// An active webhook as the fan-out sees it: which events it takes, and how.
pub struct Target {
    /// `wh_…`
    pub id: String,
    events: Vec<String>,
    filters: Map<String, Value>,
    /// Whether its events wait in an open batch.
    pub batch: bool,
}

/// The active webhooks, in [`Target::at`]'s columns.
pub const ACTIVE_TARGETS: &str = "SELECT id, events, filters, batch FROM webhooks WHERE status='active'";

impl Target {
    /// A target from a row of [`ACTIVE_TARGETS`].
    pub fn at<R: Columns>(r: &R) -> Result<Target, R::Error> {
        Ok(Target { id: r.text(0)?, events: r.json(1)?, filters: r.json(2)?, batch: r.flag(3)? })
    }

    /// Whether this webhook's patterns and filters select `ev`.
    pub fn takes(&self, ev: &NewEvent) -> bool {
        catalog::matches_any(&self.events, &ev.name) && filters::matches(&self.filters, &ev.data)
    }
}
