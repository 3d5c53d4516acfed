//! The sending engine: `concurrency` workers, each owning one connection and its
//! own tally, pull request numbers from one atomic counter until the run is
//! done. A request carries one event, or `--batch` events; it is built, signed
//! and sent, then retried on the schedule (same body, so the same ids and
//! timestamps) until it ends 2xx or the schedule runs out. Ctrl-C stops handing
//! out requests and cuts waits short; requests in flight finish (each is bounded
//! by the timeout) and the run reports what it did.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use http::{HeaderMap, HeaderValue};
use tokio_util::sync::CancellationToken;

use crate::retry::Schedule;

use super::generator::Generator;
use super::live::Live;
use super::pacer::Pacer;
use super::stats::{DeliveryRecord, Tally};
use super::transport::{Attempt, Client, Connection};

/// What to send, decided before the run starts.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Events in the whole run.
    pub events: u64,
    /// Events per request when batching.
    pub batch: Option<usize>,
    /// Requests in flight at most.
    pub concurrency: usize,
    /// Events per second, when paced.
    pub rate: Option<f64>,
    /// The retry schedule and time scale; `None` for a single attempt.
    pub retry: Option<(Schedule, f64)>,
    /// Keep one record per event (for `deliveries`).
    pub keep_deliveries: bool,
    /// Keep the last answer's body (single-event output).
    pub keep_answer: bool,
    /// The event name, for records.
    pub event: Option<String>,
    /// Whether requests carry a signature (a secret was given).
    pub signed: bool,
}

impl Plan {
    fn per_request(&self) -> u64 {
        self.batch.map_or(1, |b| b as u64)
    }

    /// Number of requests the run makes (before retries).
    pub fn requests(&self) -> u64 {
        self.events.div_ceil(self.per_request())
    }
}

/// A finished run.
#[derive(Debug)]
pub struct Outcome {
    /// Everything counted.
    pub tally: Tally,
    /// Wall time from the first request to the last answer.
    pub elapsed: Duration,
    /// Whether Ctrl-C ended the run early.
    pub interrupted: bool,
}

/// A token cancelled on the first Ctrl-C (or SIGTERM), and the task watching
/// for it (abort it when the work is done).
pub fn interrupt_token() -> (CancellationToken, tokio::task::JoinHandle<()>) {
    let token = CancellationToken::new();
    let watched = token.clone();
    // Registered here, before any request leaves, not when the task first runs.
    let signals = crate::signals::Signals::new().ok();
    let watcher = tokio::spawn(async move {
        if let Some(signals) = signals {
            signals.first().await;
            watched.cancel();
        }
    });
    (token, watcher)
}

struct Shared {
    plan: Plan,
    next: AtomicU64,
    requests: u64,
    pacer: Option<Pacer>,
    headers: HeaderMap,
    live: Arc<Live>,
    stop: CancellationToken,
}

/// Runs the plan to the end (or until Ctrl-C).
pub async fn run(
    plan: Plan,
    client: &Client,
    generator: Generator,
    headers: HeaderMap,
    live: Arc<Live>,
) -> Outcome {
    let (stop, watcher) = interrupt_token();
    let requests = plan.requests();
    let workers = u64::try_from(plan.concurrency).unwrap_or(u64::MAX).min(requests).max(1);
    // Placeholders the per-request signature replaces in place, so the cloned map never grows.
    let mut headers = headers;
    for name in generator.signature_names() {
        headers.insert(name.clone(), HeaderValue::from_static(""));
    }
    let shared = Arc::new(Shared {
        pacer: plan.rate.map(Pacer::new),
        plan,
        next: AtomicU64::new(0),
        requests,
        headers,
        live: live.clone(),
        stop: stop.clone(),
    });
    let ticker = tokio::spawn(live.clone().tick());
    let start = Instant::now();
    let handles: Vec<_> = (0..workers)
        .map(|_| tokio::spawn(worker(shared.clone(), generator.clone(), client.connection())))
        .collect();
    let mut tally = Tally::new(shared.plan.keep_deliveries);
    for h in handles {
        match h.await {
            Ok(t) => tally.merge(t),
            // A worker panicking is a bug; surface it rather than under-count silently.
            Err(e) => std::panic::resume_unwind(e.into_panic()),
        }
    }
    let elapsed = start.elapsed();
    ticker.abort();
    watcher.abort();
    live.clear();
    tally.finish();
    Outcome { tally, elapsed, interrupted: stop.is_cancelled() }
}

async fn worker(shared: Arc<Shared>, mut generator: Generator, mut conn: Connection) -> Tally {
    let plan = &shared.plan;
    let per = plan.per_request();
    let mut tally = Tally::new(plan.keep_deliveries);
    loop {
        if shared.stop.is_cancelled() {
            break;
        }
        let index = shared.next.fetch_add(1, Ordering::Relaxed);
        if index >= shared.requests {
            break;
        }
        let events = per.min(plan.events - index * per);
        if let Some(pacer) = &shared.pacer {
            tokio::select! {
                () = pacer.wait(events as usize) => {}
                () = shared.stop.cancelled() => break,
            }
        }
        let out = generator.build(events as usize);
        let (last, attempts) = send_with_retries(&shared, &mut conn, &generator, out, &mut tally).await;
        let error = last.result.as_ref().err().map(ToString::to_string);
        tally.record_outcome(events, &last, error.as_deref());
        if let Some(records) = &mut tally.deliveries {
            for (k, event_id) in generator.last_ids().into_iter().enumerate() {
                records.push(DeliveryRecord {
                    index: index * per + k as u64,
                    event_id,
                    event: plan.event.clone(),
                    status: last.status(),
                    duration: last.duration,
                    attempts,
                    error: error.clone(),
                });
            }
        }
        if plan.keep_answer {
            tally.last_answer = last.result.ok();
        }
        shared.live.finished(events);
    }
    tally
}

/// Sends one request until it ends 2xx or the schedule runs out; returns the last
/// attempt and how many were made.
async fn send_with_retries(
    shared: &Shared,
    conn: &mut Connection,
    generator: &Generator,
    mut out: super::generator::Outgoing,
    tally: &mut Tally,
) -> (Attempt, u32) {
    let (schedule, scale) = match &shared.plan.retry {
        Some((s, f)) => (Some(s), *f),
        None => (None, 1.0),
    };
    let max = schedule.map_or(1, Schedule::attempts).max(1);
    let mut n = 1;
    if let Some(first) = schedule.and_then(|s| s.wait_before(1, scale))
        && !first.is_zero()
    {
        tokio::time::sleep(first).await;
    }
    loop {
        // The last attempt takes the body itself; only retries need a handle kept.
        let body = if n < max { out.body.clone() } else { std::mem::take(&mut out.body) };
        let attempt = conn.send(&shared.headers, &out.signature, body).await;
        tally.record_latency(&attempt);
        if attempt.ok() || n >= max {
            return (attempt, n as u32);
        }
        let wait = schedule.and_then(|s| s.wait_before(n + 1, scale)).unwrap_or_default();
        shared.live.retrying(generator.first_id(), &attempt, n, max, wait);
        tokio::select! {
            () = tokio::time::sleep(wait) => {}
            // Interrupted while waiting: the event ends with the attempt it had.
            () = shared.stop.cancelled() => return (attempt, n as u32),
        }
        n += 1;
        generator.resign(&mut out);
    }
}
