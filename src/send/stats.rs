//! What a run adds up to: counts per outcome and status, a latency histogram of
//! every answered request, and (for runs of at most [`KEEP_DELIVERIES`] events)
//! one record per event. Each worker keeps its own tally, merged at the end, so
//! nothing is shared on the hot path and memory does not grow with the count.

use std::time::Duration;

use hdrhistogram::Histogram;

use super::rejection::{self, Rejection};
use super::transport::{Answer, Attempt};

/// Runs with more events than this leave out the per-event records.
pub const KEEP_DELIVERIES: u64 = 1000;

/// One event's outcome.
#[derive(Debug, Clone, PartialEq)]
pub struct DeliveryRecord {
    /// Position of the event in the run (keeps the output in sending order).
    pub index: u64,
    /// The event id, when the body is an event.
    pub event_id: Option<String>,
    /// The event name, when known.
    pub event: Option<String>,
    /// Final HTTP status; `None` when no answer came.
    pub status: Option<u16>,
    /// Duration of the final attempt.
    pub duration: Duration,
    /// Attempts made.
    pub attempts: u32,
    /// Why it failed; `None` on success.
    pub error: Option<String>,
}

/// Counters for one worker or a whole run.
#[derive(Debug, Clone)]
pub struct Tally {
    /// Latency of every answered request, µs.
    pub latency: Histogram<u64>,
    /// Events sent.
    pub sent: u64,
    /// Events that ended 2xx.
    pub succeeded: u64,
    /// Events that did not.
    pub failed: u64,
    /// Final status → events.
    pub status_counts: Vec<(u16, u64)>,
    /// Failure description → events, for events that got no answer.
    pub errors: Vec<(String, u64)>,
    /// Whether any event got no answer because the connection was refused.
    pub refused: bool,
    /// Per-event records, when kept.
    pub deliveries: Option<Vec<DeliveryRecord>>,
    /// The final answer of the last request (kept for single-event output).
    pub last_answer: Option<Answer>,
    /// Events answered 401, by what the receiver said ([`Rejection::index`]).
    pub rejections: [u64; 4],
    /// The first 401 answer's stated reason.
    pub rejection_reason: Option<String>,
}

impl Tally {
    /// An empty tally; `keep` decides whether per-event records are kept.
    pub fn new(keep: bool) -> Tally {
        Tally {
            // Microseconds, 3 significant figures. The histogram grows to the
            // largest latency seen, so each worker's costs a few KiB, not a fixed
            // range sized for the worst case.
            latency: Histogram::new(3).expect("valid histogram precision"),
            sent: 0,
            succeeded: 0,
            failed: 0,
            status_counts: Vec::new(),
            errors: Vec::new(),
            refused: false,
            deliveries: keep.then(Vec::new),
            last_answer: None,
            rejections: [0; 4],
            rejection_reason: None,
        }
    }

    /// Records one answered or failed request's latency.
    pub fn record_latency(&mut self, attempt: &Attempt) {
        if attempt.result.is_ok() {
            let us = u64::try_from(attempt.duration.as_micros()).unwrap_or(u64::MAX).max(1);
            // `record` grows the histogram; it can only fail where growing cannot help.
            if self.latency.record(us).is_err() {
                self.latency.saturating_record(us);
            }
        }
    }

    /// Records the final outcome of a request carrying `events` events.
    /// `error` is the described failure when there was no answer.
    pub fn record_outcome(&mut self, events: u64, last: &Attempt, error: Option<&str>) {
        self.sent += events;
        if last.ok() {
            self.succeeded += events;
        } else {
            self.failed += events;
        }
        match (&last.result, error) {
            (Ok(answer), _) => {
                add(&mut self.status_counts, answer.status, events);
                if answer.status == 401 {
                    self.rejections[Rejection::of(&answer.body).index()] += events;
                    if self.rejection_reason.is_none() {
                        self.rejection_reason = rejection::stated(&answer.body);
                    }
                }
            }
            (Err(f), Some(text)) => {
                if f.is_refused() {
                    self.refused = true;
                }
                match self.errors.iter_mut().find(|(e, _)| e == text) {
                    Some((_, n)) => *n += events,
                    None => self.errors.push((text.to_string(), events)),
                }
            }
            (Err(_), None) => {}
        }
    }

    /// Folds another tally into this one.
    pub fn merge(&mut self, other: Tally) {
        // Both grow as needed, so adding only fails where no histogram could hold the values.
        let _ = self.latency.add(&other.latency);
        self.sent += other.sent;
        self.succeeded += other.succeeded;
        self.failed += other.failed;
        for (status, n) in other.status_counts {
            add(&mut self.status_counts, status, n);
        }
        for (text, n) in other.errors {
            match self.errors.iter_mut().find(|(e, _)| *e == text) {
                Some((_, m)) => *m += n,
                None => self.errors.push((text, n)),
            }
        }
        self.refused |= other.refused;
        for (mine, theirs) in self.rejections.iter_mut().zip(other.rejections) {
            *mine += theirs;
        }
        if self.rejection_reason.is_none() {
            self.rejection_reason = other.rejection_reason;
        }
        if let (Some(mine), Some(theirs)) = (&mut self.deliveries, other.deliveries) {
            mine.extend(theirs);
        }
        if other.last_answer.is_some() {
            self.last_answer = other.last_answer;
        }
    }

    /// Sorts statuses and deliveries for output.
    pub fn finish(&mut self) {
        self.status_counts.sort_unstable();
        self.errors.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        if let Some(d) = &mut self.deliveries {
            d.sort_by_key(|r| r.index);
        }
    }

    /// Number of events answered with `status`.
    pub fn count_of(&self, status: u16) -> u64 {
        self.status_counts.iter().find(|(s, _)| *s == status).map_or(0, |(_, n)| *n)
    }

    /// What most 401 answers said, `None` when there was none.
    pub fn rejection(&self) -> Option<Rejection> {
        let most = *self.rejections.iter().max()?;
        // Ties go to the first kind in [`Rejection::ALL`].
        (most > 0).then(|| Rejection::ALL.into_iter().find(|r| self.rejections[r.index()] == most)).flatten()
    }

    /// Latency at `quantile` in milliseconds, `None` when nothing was answered.
    pub fn latency_ms(&self, quantile: f64) -> Option<f64> {
        (!self.latency.is_empty()).then(|| self.latency.value_at_quantile(quantile) as f64 / 1000.0)
    }

    /// Highest latency in milliseconds, `None` when nothing was answered.
    pub fn max_ms(&self) -> Option<f64> {
        (!self.latency.is_empty()).then(|| self.latency.max() as f64 / 1000.0)
    }
}

fn add(counts: &mut Vec<(u16, u64)>, status: u16, n: u64) {
    match counts.iter_mut().find(|(s, _)| *s == status) {
        Some((_, m)) => *m += n,
        None => counts.push((status, n)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::{Failure, FailureKind};

    fn answered(status: u16, ms: u64) -> Attempt {
        Attempt {
            result: Ok(Answer { status, body: Vec::new(), body_len: 0 }),
            duration: Duration::from_millis(ms),
        }
    }

    #[test]
    fn counts_events_and_statuses() {
        let mut a = Tally::new(false);
        for ms in 1..=100 {
            let at = answered(200, ms);
            a.record_latency(&at);
            a.record_outcome(1, &at, None);
        }
        let mut b = Tally::new(false);
        let bad = answered(500, 3);
        b.record_latency(&bad);
        b.record_outcome(5, &bad, None);
        let refused =
            Attempt { result: Err(Failure::new("x:1", FailureKind::Refused)), duration: Duration::ZERO };
        b.record_outcome(2, &refused, Some("connection refused by x:1"));
        a.merge(b);
        a.finish();
        assert_eq!((a.sent, a.succeeded, a.failed), (107, 100, 7));
        assert_eq!(a.status_counts, vec![(200, 100), (500, 5)]);
        assert_eq!(a.errors, vec![("connection refused by x:1".to_string(), 2)]);
        assert!(a.refused);
        assert_eq!(a.latency.len(), 101);
        let p50 = a.latency_ms(0.5).unwrap();
        assert!((49.0..=51.0).contains(&p50), "{p50}");
        let max = a.max_ms().unwrap();
        assert!((99.9..=100.1).contains(&max), "{max}");
    }

    #[test]
    fn long_latencies_are_not_clamped() {
        let mut a = Tally::new(false);
        a.record_latency(&answered(200, 1));
        let mut b = Tally::new(false);
        b.record_latency(&answered(200, 30_000));
        a.merge(b);
        let max = a.max_ms().unwrap();
        assert!((29_900.0..=30_100.0).contains(&max), "{max}");
    }

    #[test]
    fn empty_latency_is_none() {
        let t = Tally::new(true);
        assert_eq!(t.latency_ms(0.5), None);
        assert_eq!(t.max_ms(), None);
        assert_eq!(t.deliveries, Some(vec![]));
    }
}
