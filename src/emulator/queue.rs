//! The queue of pending deliveries, the engine's side of the store: leases,
//! open batches closing, claims paced by each webhook's budget, and the
//! outcome of every attempt written in one transaction.

use std::collections::BTreeMap;
use std::sync::Arc;

use rusqlite::{Connection, OptionalExtension, params};

use super::clock::rfc3339;
use super::storage::{Columns, NewEvent, WEBHOOK_COLS};
use super::store::{insert_events, queue_job, webhook_from_row};
use super::validate;
use crate::api::models::Webhook;
use crate::ids;

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

/// The webhook columns [`Endpoint::at`] reads, in its order.
pub const ENDPOINT_COLS: &str = "id, url, secret, headers";

impl Endpoint {
    /// An endpoint from [`ENDPOINT_COLS`]: the headers that belong to the sender are left out.
    pub fn at<R: Columns>(r: &R) -> Result<Endpoint, R::Error> {
        let headers: BTreeMap<String, String> = r.json(3)?;
        Ok(Endpoint {
            id: r.text(0)?,
            url: r.text(1)?,
            secret: r.text(2)?,
            headers: headers.into_iter().filter(|(k, _)| !crate::wire::is_reserved_header(k)).collect(),
        })
    }
}

/// One attempt the engine is to make now (at `slot_ms`).
#[derive(Debug)]
pub struct Claim {
    /// The queue row.
    pub job_id: i64,
    /// This claim's lease on the row (a store shared by several processes
    /// checks it when recording; 0 where nobody else can hold one).
    pub lease: i64,
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

/// The earlier of two optional times.
pub fn earliest(a: Option<i64>, b: Option<i64>) -> Option<i64> {
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

    let endpoints: Vec<Arc<Endpoint>> = tx
        .prepare_cached(&format!("SELECT {ENDPOINT_COLS} FROM webhooks WHERE status='active'"))?
        .query_map([], |r| Endpoint::at(r).map(Arc::new))?
        .collect::<rusqlite::Result<_>>()?;

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
                        r.json::<Vec<String>>(1)?,
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
                    lease: 0,
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
        let wait_ms = super::clock::millis(crate::retry::scale_duration(
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
    /// The lease the attempt was made under ([`Claim::lease`]).
    pub lease: i64,
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
    use crate::api::models::{DeliveryStatus, WebhookStatus};
    use crate::catalog;
    use crate::emulator::pacer::Pacer;
    use crate::emulator::store::tests::{event, on_fresh_db, webhook};
    use crate::emulator::store::{SqliteStore, get_webhook, list_deliveries};
    use serde_json::json;

    const LEASE: i64 = 60_000;

    fn pacer() -> Pacer {
        Pacer::new(100)
    }

    #[test]
    fn fans_out_by_pattern_and_filter_and_claims() {
        on_fresh_db(|c| {
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
        });
    }

    #[test]
    fn rate_cap_spreads_slots() {
        on_fresh_db(|c| {
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
        });
    }

    #[test]
    fn batches_close_by_size_and_by_time() {
        on_fresh_db(|c| {
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
        });
    }

    #[test]
    fn retries_and_disables() {
        on_fresh_db(|c| {
            let w = webhook(c, json!({"url": "https://a.example", "events": ["lead.*"]}));
            let watcher = webhook(c, json!({"url": "https://w.example", "events": ["webhook.failed"]}));
            insert_events(c, &[event("lead.created", json!({}))], 0)?;
            let mut pacer = pacer();
            let claim = tick(c, 0, 1.0, LEASE, &mut pacer)?.claims.remove(0);
            let rec = AttemptRecord {
                job_id: claim.job_id,
                lease: claim.lease,
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
        });
    }

    #[test]
    fn file_database_survives_reopen_and_refuses_a_second_process() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("emu.db");
        let id = {
            let store = SqliteStore::open(Some(&path)).unwrap();
            store
                .run_now(|c| {
                    let w = webhook(c, json!({"url": "https://a.example", "events": ["*"]}));
                    insert_events(c, &[event("lead.created", json!({}))], 0)?;
                    tick(c, 0, 1.0, LEASE, &mut pacer())?;
                    assert!(SqliteStore::open(Some(&path)).is_err(), "a second opener must be refused");
                    Ok(w.id)
                })
                .unwrap()
        };
        let store = SqliteStore::open(Some(&path)).unwrap();
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
