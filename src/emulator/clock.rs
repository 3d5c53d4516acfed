//! Wall-clock times for the emulator. Due times are stored as Unix milliseconds
//! (absolute, so they survive a restart); the API shows RFC 3339 like the docs.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::payload;

/// Milliseconds since the Unix epoch, now.
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// A Unix-milliseconds time as RFC 3339 UTC with whole seconds.
pub fn rfc3339(ms: i64) -> String {
    let t = UNIX_EPOCH + Duration::from_millis(u64::try_from(ms).unwrap_or(0));
    payload::timestamp_at(t)
}

/// A duration as whole milliseconds, saturating.
pub fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

/// How long until `at_ms` (zero when it has passed).
pub fn until(at_ms: i64) -> Duration {
    Duration::from_millis(u64::try_from(at_ms.saturating_sub(now_ms())).unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_like_the_docs() {
        assert_eq!(rfc3339(1_769_079_600_000), "2026-01-22T11:00:00Z");
        assert_eq!(rfc3339(1_769_079_600_999), "2026-01-22T11:00:00Z");
        assert!(now_ms() > 1_769_079_600_000);
        assert_eq!(until(0), Duration::ZERO);
        assert_eq!(millis(Duration::from_secs(2)), 2000);
    }
}
