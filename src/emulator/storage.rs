//! The store interface: everything the API handlers ([`super::api`]) and the
//! delivery engine ([`super::engine`]) ask of the database, so that neither
//! knows which one it runs on. Two backends implement it: the SQLite file of a
//! single emulator ([`super::store`], the default) and PostgreSQL, shared by
//! several emulators ([`super::postgres`]).

use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;

use super::clock::rfc3339;
use super::pacer::Pacer;
use super::queue::{AttemptRecord, Recorded, Tick};
use crate::api::models::{Delivery, DeliveryStatus, Webhook, WebhookStatus};
use crate::ids;

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
    async fn start(&self) -> Result<(usize, usize), StoreError>;

    /// How long a lease outlives its attempt's deadline before another scheduler
    /// pass may take the work back.
    fn lease_margin(&self) -> Duration;

    /// Longest the scheduler may sleep with nothing due as far as it knows:
    /// work queued elsewhere (another instance) must not wait longer than this.
    fn idle_wake(&self) -> Duration;

    /// Calls `on_change` whenever another process sharing the database queues
    /// work (a store nobody shares never calls it).
    async fn watch(&self, on_change: OnChange) -> Result<(), StoreError>;

    /// Stores a new webhook, or with a key already used, what that key did.
    async fn create_webhook(&self, w: Webhook, key: Option<IdempotencyKey>) -> Result<Created, StoreError>;

    /// A page of webhooks in creation order after cursor `after`, and the
    /// cursor of the next page when there is one.
    async fn list_webhooks(
        &self,
        after: Option<i64>,
        limit: usize,
    ) -> Result<(Vec<Webhook>, Option<i64>), StoreError>;

    /// One webhook.
    async fn get_webhook(&self, id: &str) -> Result<Option<Webhook>, StoreError>;

    /// Writes every mutable field of an existing webhook; false when unknown.
    async fn save_webhook(&self, w: &Webhook) -> Result<bool, StoreError>;

    /// Sets a webhook's status; the webhook as it now is, or `None` when unknown.
    async fn set_status(
        &self,
        id: &str,
        status: WebhookStatus,
        now: &str,
    ) -> Result<Option<Webhook>, StoreError>;

    /// Deletes a webhook with its queue, open batch, delivery log and keys.
    async fn delete_webhook(&self, id: &str) -> Result<bool, StoreError>;

    /// The stored answer for `key` on `route`, if any.
    async fn find_replay(&self, key: &str, route: &str) -> Result<Option<Replay>, StoreError>;

    /// Stores the answer for `key` on `route` (the first one wins).
    async fn save_replay(
        &self,
        key: &str,
        route: &str,
        replay: Replay,
        now_ms: i64,
    ) -> Result<(), StoreError>;

    /// Stores events and queues a delivery (or a place in the open batch) for
    /// every active webhook whose patterns and filters select each one, all in
    /// one transaction. Returns how many deliveries were queued.
    async fn insert_events(&self, events: Vec<NewEvent>, now_ms: i64) -> Result<usize, StoreError>;

    /// Stores a webhook's test event (no fan-out) and queues its delivery to
    /// that webhook alone; returns the pending log row.
    async fn queue_test(&self, webhook_id: &str, ev: NewEvent, now_ms: i64) -> Result<Delivery, StoreError>;

    /// Queues these events again (one, or a batch) to a webhook as a new
    /// delivery; returns its pending log row.
    async fn queue_again(&self, webhook_id: &str, sent: Sent, now_ms: i64) -> Result<Delivery, StoreError>;

    /// A page of a webhook's deliveries, newest first, before cursor `before`.
    async fn list_deliveries(
        &self,
        webhook_id: &str,
        before: Option<i64>,
        limit: usize,
    ) -> Result<(Vec<Delivery>, Option<i64>), StoreError>;

    /// One delivery log row.
    async fn get_delivery(&self, id: &str) -> Result<Option<Delivery>, StoreError>;

    /// A delivery with what it carried.
    async fn sent(&self, id: &str) -> Result<Option<Sent>, StoreError>;

    /// One scheduler pass: close the batches that are full or due, lease the
    /// due deliveries that the webhooks' budgets allow (the rate part of
    /// `pacer` is kept in the database when the database is shared), and say
    /// when to look again.
    async fn tick(
        &self,
        now: i64,
        time_scale: f64,
        lease_ms: i64,
        pacer: &mut Pacer,
    ) -> Result<Tick, StoreError>;

    /// Writes an attempt's outcome in one transaction, unless its lease was
    /// lost meanwhile (then [`Recorded::applied`] is false).
    async fn record_attempt(&self, rec: AttemptRecord, now: i64) -> Result<Recorded, StoreError>;

    /// In one transaction, removes up to `limit` of the oldest events created
    /// before `cutoff_ms` that no queued delivery or open batch holds, with
    /// their delivery log, and the stored idempotent answers from before
    /// `cutoff_ms`. Returns how many events went. A store shared by several
    /// processes prunes in one of them at a time: a call made while another
    /// process prunes removes nothing and returns 0.
    async fn prune(&self, cutoff_ms: i64, limit: usize) -> Result<usize, StoreError>;
}

/// A page from rows `(cursor, item)` fetched with one row too many: the items
/// and the cursor of the next page when there is one.
pub fn page<T>(mut rows: Vec<(i64, T)>, limit: usize) -> (Vec<T>, Option<i64>) {
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
