//! Counters kept while listening, and the summary printed when it stops.

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

/// What happened so far. Updated by every request task, read at the end.
#[derive(Debug, Default)]
pub struct Stats {
    /// Requests received (every answer the handler gave).
    pub received: AtomicU64,
    /// Requests whose signature verified.
    pub verified: AtomicU64,
    /// Requests refused (401, 400, 404, 405, 413).
    pub rejected: AtomicU64,
    /// Deliveries answered `Already processed`.
    pub duplicates: AtomicU64,
    /// Deliveries filtered out by `--events`.
    pub filtered: AtomicU64,
    /// Deliveries sent on to the app (whatever it answered).
    pub forwarded: AtomicU64,
    /// Forwards that got no answer (502/504).
    pub forward_errors: AtomicU64,
    /// 500s answered by `--fail-first`.
    pub simulated_failures: AtomicU64,
    /// Events accepted: answered 2xx, new, not filtered (what `--max-events` counts).
    pub accepted_events: AtomicU64,
}

/// A plain copy of [`Stats`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Snapshot {
    /// See [`Stats::received`].
    pub received: u64,
    /// See [`Stats::verified`].
    pub verified: u64,
    /// See [`Stats::rejected`].
    pub rejected: u64,
    /// See [`Stats::duplicates`].
    pub duplicates: u64,
    /// See [`Stats::filtered`].
    pub filtered: u64,
    /// See [`Stats::forwarded`].
    pub forwarded: u64,
    /// See [`Stats::forward_errors`].
    pub forward_errors: u64,
    /// See [`Stats::simulated_failures`].
    pub simulated_failures: u64,
    /// See [`Stats::accepted_events`].
    pub accepted_events: u64,
}

impl Stats {
    /// Adds one to a counter.
    pub fn bump(counter: &AtomicU64) {
        counter.fetch_add(1, Relaxed);
    }

    /// Adds `n` accepted events; returns the new total.
    pub fn accept(&self, n: u64) -> u64 {
        self.accepted_events.fetch_add(n, Relaxed) + n
    }

    /// The current values.
    pub fn snapshot(&self) -> Snapshot {
        Snapshot {
            received: self.received.load(Relaxed),
            verified: self.verified.load(Relaxed),
            rejected: self.rejected.load(Relaxed),
            duplicates: self.duplicates.load(Relaxed),
            filtered: self.filtered.load(Relaxed),
            forwarded: self.forwarded.load(Relaxed),
            forward_errors: self.forward_errors.load(Relaxed),
            simulated_failures: self.simulated_failures.load(Relaxed),
            accepted_events: self.accepted_events.load(Relaxed),
        }
    }
}

impl Snapshot {
    /// The one-line summary: `Summary: 3 received, 3 verified, 0 rejected, …`.
    pub fn line(&self) -> String {
        let mut s = format!(
            "Summary: {} received, {} verified, {} rejected, {} duplicates, {} filtered, {} forwarded",
            self.received, self.verified, self.rejected, self.duplicates, self.filtered, self.forwarded
        );
        if self.forward_errors > 0 {
            s.push_str(&format!(" ({} unanswered)", self.forward_errors));
        }
        if self.simulated_failures > 0 {
            s.push_str(&format!(", {} simulated failures", self.simulated_failures));
        }
        s.push_str(&format!(
            "; {} event{} accepted",
            self.accepted_events,
            if self.accepted_events == 1 { "" } else { "s" }
        ));
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_line() {
        let st = Stats::default();
        Stats::bump(&st.received);
        Stats::bump(&st.received);
        Stats::bump(&st.verified);
        Stats::bump(&st.rejected);
        assert_eq!(st.accept(1), 1);
        assert_eq!(
            st.snapshot().line(),
            "Summary: 2 received, 1 verified, 1 rejected, 0 duplicates, 0 filtered, 0 forwarded; 1 event accepted"
        );
        Stats::bump(&st.forward_errors);
        Stats::bump(&st.simulated_failures);
        let line = st.snapshot().line();
        assert!(line.contains("0 forwarded (1 unanswered), 1 simulated failures"), "{line}");
    }
}
