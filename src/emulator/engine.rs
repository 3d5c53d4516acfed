//! The delivery engine. A scheduler task wakes when work is due (the nearest
//! due time from the database, or a nudge after new work is queued), leases the
//! due deliveries each webhook's rate budget allows, and spawns one task per
//! attempt: a slow endpoint only ever holds up its own attempts. Each attempt
//! signs and posts the body, records the outcome in one transaction (the log
//! row, then done / rescheduled / webhook disabled) and logs a line.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use bytes::Bytes;
use tokio::sync::{Notify, oneshot};

use super::clock::{self, now_ms, rfc3339};
use super::envelope;
use super::log::{AttemptLine, Logger};
use super::pacer::Pacer;
use super::queue::{AttemptRecord, Claim, Endpoint, Outcome};
use super::storage::SharedStore;
use crate::api::models::DeliveryStatus;
use crate::http::{Failure, FailureKind, Rest, capture, host_port};
use crate::retry::Schedule;
use crate::signature::{self, SignatureFormat, Signer};
use crate::wire;

/// Bytes of an answer kept in the delivery log.
pub const RESPONSE_BODY_LIMIT: usize = 4096;

/// How often a caller waiting for an attempt looks in the database too.
const ATTEMPT_POLL: Duration = Duration::from_millis(100);

/// Engine settings from the command line.
#[derive(Debug, Clone, Copy)]
pub struct EngineConfig {
    /// Multiplies retry waits and batch waits.
    pub time_scale: f64,
    /// Deadline of each attempt.
    pub delivery_timeout: Duration,
    /// Per-webhook cap in events/s (a tenth as many batches); 0 for none.
    pub max_rate: u32,
}

/// The delivery engine.
#[derive(Debug)]
pub struct Engine {
    store: SharedStore,
    client: reqwest::Client,
    config: EngineConfig,
    schedule: Schedule,
    logger: Logger,
    wake: Notify,
    stop: Notify,
    in_flight: AtomicUsize,
    idle: Notify,
    /// Webhooks whose attempts ended since the last scheduler pass.
    finished: Mutex<Vec<String>>,
    /// Callers waiting for the outcome of a delivery (test sends, redeliveries).
    watchers: Mutex<HashMap<String, oneshot::Sender<()>>>,
}

/// Decrements the in-flight count when an attempt task ends, however it ends.
struct InFlight(Arc<Engine>);

impl Drop for InFlight {
    fn drop(&mut self) {
        if self.0.in_flight.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.0.idle.notify_waiters();
        }
    }
}

/// What an answer (or its absence) means for the delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// 2xx.
    Succeeded,
    /// Try again after the schedule's next wait.
    Retry(Duration),
    /// 410 Gone: disable the webhook now.
    Gone,
    /// The last attempt failed: disable the webhook and send `webhook.failed`.
    Exhausted,
}

/// Applies the docs' policy: 2xx succeeds; 3xx (redirects are not followed),
/// 4xx, 5xx and no answer fail; 410 disables at once; a failure is retried on
/// the schedule (scaled) until its attempts are used up.
pub fn decide(schedule: &Schedule, time_scale: f64, attempt: u32, status: Option<u16>) -> Decision {
    match status {
        Some(s) if (200..300).contains(&s) => Decision::Succeeded,
        Some(410) => Decision::Gone,
        _ => match schedule.wait_before(attempt as usize + 1, time_scale) {
            Some(wait) => Decision::Retry(wait),
            None => Decision::Exhausted,
        },
    }
}

impl Engine {
    /// An engine over `store`.
    pub fn new(
        store: SharedStore,
        config: EngineConfig,
        logger: Logger,
    ) -> Result<Arc<Engine>, reqwest::Error> {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(config.delivery_timeout)
            .user_agent(concat!("scopien-hooks-emulator/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Arc::new(Engine {
            store,
            client,
            config,
            schedule: Schedule::default(),
            logger,
            wake: Notify::new(),
            stop: Notify::new(),
            in_flight: AtomicUsize::new(0),
            idle: Notify::new(),
            finished: Mutex::new(Vec::new()),
            watchers: Mutex::new(HashMap::new()),
        }))
    }

    /// Tells the scheduler that work was queued or changed.
    pub fn nudge(&self) {
        self.wake.notify_one();
    }

    /// Waits (at most one attempt's deadline plus a second) until the attempt
    /// filling the pending log row `delivery_id` has been recorded. Returns
    /// whether it was.
    pub async fn wait_for_attempt(&self, delivery_id: &str) -> bool {
        let (tx, mut rx) = oneshot::channel();
        lock(&self.watchers).insert(delivery_id.to_string(), tx);
        self.nudge();
        let deadline = Instant::now() + self.config.delivery_timeout.saturating_add(Duration::from_secs(1));
        let done = loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match tokio::time::timeout(left.min(ATTEMPT_POLL), &mut rx).await {
                Ok(answer) => break answer.is_ok(),
                Err(_) if left <= ATTEMPT_POLL => break false,
                Err(_) => {}
            }
            // Another emulator sharing the database may have made the attempt.
            if let Ok(Some(d)) = self.store.get_delivery(delivery_id).await
                && d.status != DeliveryStatus::Pending
            {
                break true;
            }
        };
        lock(&self.watchers).remove(delivery_id);
        done
    }

    /// Stops the scheduler, then waits (bounded by `grace`) for attempts in flight
    /// so their outcomes are recorded rather than repeated after a restart.
    pub async fn shutdown(&self, grace: Duration) {
        self.stop.notify_one();
        let _ = tokio::time::timeout(grace, async {
            loop {
                let idle = self.idle.notified();
                if self.in_flight.load(Ordering::Acquire) == 0 {
                    break;
                }
                idle.await;
            }
        })
        .await;
    }

    /// The scheduler loop; returns after [`Engine::shutdown`].
    pub async fn run(self: Arc<Self>) {
        let mut pacer = Pacer::new(self.config.max_rate);
        let scale = self.config.time_scale;
        let lease_ms = clock::millis(self.config.delivery_timeout.saturating_add(self.store.lease_margin()));
        let idle_wake = self.store.idle_wake();
        loop {
            let ended = std::mem::take(&mut *lock(&self.finished));
            for webhook in &ended {
                pacer.finished(webhook);
            }
            let wait = match self.store.tick(now_ms(), scale, lease_ms, &mut pacer).await {
                Ok(tick) => {
                    for claim in tick.claims {
                        self.spawn_attempt(claim);
                    }
                    tick.wake_at.map_or(idle_wake, clock::until).min(idle_wake)
                }
                Err(e) => {
                    // The pass was rolled back (or its task lost): bookings made in
                    // it are void, so budgets start afresh.
                    pacer = Pacer::new(self.config.max_rate);
                    crate::output::eprintln_safe(&format!("emulator: cannot read the delivery queue: {e}"));
                    Duration::from_secs(1)
                }
            };
            tokio::select! {
                () = self.wake.notified() => {}
                () = tokio::time::sleep(wait) => {}
                () = self.stop.notified() => return,
            }
        }
    }

    fn spawn_attempt(self: &Arc<Self>, claim: Claim) {
        self.in_flight.fetch_add(1, Ordering::AcqRel);
        let guard = InFlight(self.clone());
        tokio::spawn(async move {
            let engine = guard.0.clone();
            let webhook = claim.endpoint.id.clone();
            engine.attempt(claim).await;
            lock(&engine.finished).push(webhook);
            engine.nudge();
            drop(guard);
        });
    }

    /// Makes one attempt and records it.
    async fn attempt(&self, claim: Claim) {
        tokio::time::sleep(clock::until(claim.slot_ms)).await;
        let count = claim.bodies.len();
        let body: Vec<u8> = if claim.batch {
            wire::batch_body(&claim.bodies)
        } else {
            claim.bodies.into_iter().next().unwrap_or_default()
        };
        let started_ms = now_ms();
        let t0 = Instant::now();
        let answer = self.send(&claim.endpoint, Bytes::from(body)).await;
        let duration_ms = clock::millis(t0.elapsed());
        let decision = decide(&self.schedule, self.config.time_scale, claim.attempt, answer.status);
        let now = now_ms();
        let outcome = match decision {
            Decision::Succeeded => Outcome::Succeeded,
            Decision::Retry(wait) => Outcome::Retry { at_ms: now.saturating_add(clock::millis(wait)) },
            Decision::Gone => Outcome::Disable { notify: None },
            Decision::Exhausted => Outcome::Disable {
                notify: Some(envelope::webhook_failed(
                    &claim.endpoint.id,
                    &claim.endpoint.url,
                    claim.attempt,
                    answer.error.as_deref().unwrap_or("delivery failed"),
                )),
            },
        };
        let next_retry_at = match &outcome {
            Outcome::Retry { at_ms } => Some(rfc3339(*at_ms)),
            _ => None,
        };
        let record_id = claim.delivery_id.clone();
        let record = AttemptRecord {
            job_id: claim.job_id,
            lease: claim.lease,
            delivery_id: claim.delivery_id.clone(),
            webhook_id: claim.endpoint.id.clone(),
            attempt: claim.attempt,
            started_ms,
            response_status: answer.status,
            error: answer.error.clone(),
            duration_ms,
            response_body: answer.body,
            outcome: outcome.clone(),
        };
        let recorded = self.store.record_attempt(record, now).await;
        if let Err(e) = &recorded {
            // The lease runs out and the attempt is made again: nothing is lost.
            crate::output::eprintln_safe(&format!(
                "emulator: cannot record delivery {}: {e} (it will be retried)",
                claim.delivery_id
            ));
        }
        self.logger.attempt(&AttemptLine {
            time: rfc3339(started_ms),
            webhook_id: claim.endpoint.id.clone(),
            delivery_id: claim.delivery_id,
            event_id: claim.event_ids.first().cloned().unwrap_or_default(),
            event: claim.event,
            events: count,
            attempt: claim.attempt,
            status: if decision == Decision::Succeeded { "succeeded" } else { "failed" },
            response_status: answer.status,
            duration_ms,
            error: answer.error,
            next_retry_at,
            webhook_disabled: matches!(decision, Decision::Gone | Decision::Exhausted),
        });
        if let Some(tx) = lock(&self.watchers).remove(&record_id) {
            let _ = tx.send(());
        }
        if let Ok(r) = recorded
            && r.notified > 0
        {
            self.logger.note(&format!(
                "webhook {} disabled after {}; webhook.failed queued for {}",
                claim.endpoint.id,
                crate::units::plural(claim.attempt.into(), "failed attempt", "failed attempts"),
                crate::units::plural(r.notified as u64, "subscriber", "subscribers")
            ));
        }
    }

    /// Posts one signed body; never follows redirects; keeps the first 4 KiB of the answer.
    async fn send(&self, ep: &Endpoint, body: Bytes) -> Answer {
        let sig = Signer::new(&ep.secret, SignatureFormat::Prefixed).header_value(&body);
        let mut req = self
            .client
            .post(&ep.url)
            .header(http::header::CONTENT_TYPE, "application/json")
            .header(signature::HEADER, sig);
        for (k, v) in &ep.headers {
            req = req.header(k.as_str(), v.as_str());
        }
        let resp = match req.body(body).send().await {
            Ok(r) => r,
            Err(e) => return Answer { status: None, error: Some(self.describe(&ep.url, &e)), body: None },
        };
        let status = resp.status();
        // Once the limit is reached the rest is not waited for.
        let read = capture(http::Response::from(resp).into_body(), RESPONSE_BODY_LIMIT, Rest::Stop).await;
        let (kept, mut error) = match read {
            Ok(read) => (read.body, None),
            // A status already came: the attempt is judged by it, the cut body is kept.
            Err(cut) => {
                (cut.captured.body, (!status.is_success()).then(|| self.describe(&ep.url, &cut.error)))
            }
        };
        let code = status.as_u16();
        if error.is_none() && !status.is_success() {
            error = Some(match status.canonical_reason() {
                Some(reason) if status.is_redirection() => {
                    format!("HTTP {code} {reason} (redirects are not followed)")
                }
                Some(reason) => format!("HTTP {code} {reason}"),
                None => format!("HTTP {code}"),
            });
        }
        Answer { status: Some(code), error, body: Some(String::from_utf8_lossy(&kept).into_owned()) }
    }

    /// The delivery log's `error` for an attempt without a usable answer.
    fn describe(&self, url: &str, e: &reqwest::Error) -> String {
        let addr = e.url().map(host_port).unwrap_or_else(|| url.to_string());
        let failure = Failure::classify(addr, e, self.config.delivery_timeout, url.starts_with("https:"));
        match failure.kind() {
            FailureKind::Refused | FailureKind::Connect(_) | FailureKind::Tls(_) => {
                format!("connection failed: {}", failure.reason())
            }
            FailureKind::Timeout(_) | FailureKind::Protocol(_) => failure.to_string(),
        }
    }
}

/// Locks a mutex whose data stays valid even if a holder panicked.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// What came back from one attempt.
#[derive(Debug)]
struct Answer {
    status: Option<u16>,
    error: Option<String>,
    body: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy() {
        let s = Schedule::default();
        assert_eq!(decide(&s, 1.0, 1, Some(200)), Decision::Succeeded);
        assert_eq!(decide(&s, 1.0, 1, Some(204)), Decision::Succeeded);
        assert_eq!(decide(&s, 1.0, 1, Some(500)), Decision::Retry(Duration::from_secs(5)));
        assert_eq!(decide(&s, 1.0, 2, Some(302)), Decision::Retry(Duration::from_secs(30)));
        assert_eq!(decide(&s, 0.1, 5, None), Decision::Retry(Duration::from_secs(360)));
        assert_eq!(decide(&s, 1.0, 3, Some(410)), Decision::Gone);
        assert_eq!(decide(&s, 1.0, 6, Some(500)), Decision::Exhausted);
        assert_eq!(decide(&s, 1.0, 6, None), Decision::Exhausted);
    }
}
