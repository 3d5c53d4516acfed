//! `--retain`: events whose deliveries have all ended are removed, with their
//! attempt log, once older than the retention period. Pending work (a queued
//! or retrying delivery, an open batch) is never removed. The work runs in the
//! background in small batches, each its own transaction, so the API and the
//! delivery engine never wait long for the database.

use std::time::Duration;

use tokio_util::sync::CancellationToken;

use super::clock::{millis, now_ms};
use super::storage::SharedStore;

/// Events removed per transaction.
pub const BATCH: usize = 1000;
/// Pause between two batches of one pass, so other work gets the database.
const BETWEEN_BATCHES: Duration = Duration::from_millis(20);

/// How often a pass runs: a tenth of the retention period, from 50 ms to a minute.
pub fn interval(retain: Duration) -> Duration {
    (retain / 10).clamp(Duration::from_millis(50), Duration::from_secs(60))
}

/// Removes what `retain` allows, every [`interval`], until `stop`. A database
/// error is reported through `on_error` and the next pass tries again.
pub async fn run(store: SharedStore, retain: Duration, stop: CancellationToken, on_error: impl Fn(String)) {
    let every = interval(retain);
    loop {
        tokio::select! {
            _ = stop.cancelled() => return,
            _ = tokio::time::sleep(every) => {}
        }
        loop {
            let cutoff = now_ms().saturating_sub(millis(retain));
            match store.prune(cutoff, BATCH).await {
                Ok(n) if n == BATCH => {}
                Ok(_) => break,
                Err(e) => {
                    on_error(format!("cannot remove old events: {e}"));
                    break;
                }
            }
            tokio::select! {
                _ = stop.cancelled() => return,
                _ = tokio::time::sleep(BETWEEN_BATCHES) => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passes_are_a_tenth_of_the_period_within_bounds() {
        assert_eq!(interval(Duration::from_secs(1)), Duration::from_millis(100));
        assert_eq!(interval(Duration::from_millis(10)), Duration::from_millis(50));
        assert_eq!(interval(Duration::from_secs(7 * 86_400)), Duration::from_secs(60));
    }
}
