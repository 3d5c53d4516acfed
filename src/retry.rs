//! The retry policy of the docs: six attempts, waiting immediate, 5 s, 30 s,
//! 2 min, 10 min and 1 h before each. `send-test --retry` and the emulator's
//! delivery engine both follow a [`Schedule`], scaled by `--time-scale`.

use std::time::Duration;

/// The docs' retry schedule: the wait before each of the six attempts.
pub const DEFAULT_SCHEDULE: [Duration; 6] = [
    Duration::ZERO,
    Duration::from_secs(5),
    Duration::from_secs(30),
    Duration::from_secs(120),
    Duration::from_secs(600),
    Duration::from_secs(3600),
];

/// A retry schedule: the wait before each attempt, the first one included.
#[derive(Debug, Clone, PartialEq)]
pub struct Schedule(pub Vec<Duration>);

impl Default for Schedule {
    fn default() -> Self {
        Schedule(DEFAULT_SCHEDULE.to_vec())
    }
}

impl Schedule {
    /// Number of attempts the schedule allows.
    pub fn attempts(&self) -> usize {
        self.0.len()
    }

    /// All the waits together, unscaled: how long after the first attempt was
    /// due the last one comes (saturating).
    pub fn span(&self) -> Duration {
        self.0.iter().fold(Duration::ZERO, |sum, w| sum.saturating_add(*w))
    }

    /// The wait before attempt `n` (1-based), multiplied by `scale`; `None` past the end.
    pub fn wait_before(&self, attempt: usize, scale: f64) -> Option<Duration> {
        let base = *self.0.get(attempt.checked_sub(1)?)?;
        Some(scale_duration(base, scale))
    }
}

/// Multiplies a duration by a non-negative factor, saturating instead of panicking.
pub fn scale_duration(d: Duration, scale: f64) -> Duration {
    Duration::try_from_secs_f64(d.as_secs_f64() * scale).unwrap_or(Duration::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_matches_docs() {
        let s = Schedule::default();
        assert_eq!(s.attempts(), 6);
        assert_eq!(s.wait_before(1, 1.0), Some(Duration::ZERO));
        assert_eq!(s.wait_before(2, 0.1), Some(Duration::from_millis(500)));
        assert_eq!(s.wait_before(6, 1.0), Some(Duration::from_secs(3600)));
        assert_eq!(s.wait_before(7, 1.0), None);
        assert_eq!(s.wait_before(0, 1.0), None);
    }

    #[test]
    fn scaling_saturates() {
        assert_eq!(scale_duration(Duration::from_secs(10), 0.5), Duration::from_secs(5));
        assert_eq!(scale_duration(Duration::from_secs(u64::MAX), 1e10), Duration::MAX);
    }
}
