//! `--rate`: events leave evenly spaced, one period apart. A sender that falls
//! behind (a slow receiver) resumes at the rate from where it is, instead of
//! sending the missed events in a burst.

use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

/// Hands out send times to all workers of a run.
#[derive(Debug)]
pub struct Pacer {
    period: Duration,
    next: Mutex<Option<Instant>>,
}

impl Pacer {
    /// A pacer for `rate` events per second.
    pub fn new(rate: f64) -> Pacer {
        // `--rate` is bounded by its parser; anything else saturates, never panics.
        let period = Duration::try_from_secs_f64(1.0 / rate).unwrap_or(Duration::MAX);
        Pacer { period, next: Mutex::new(None) }
    }

    /// Reserves the slot for a request carrying `events` events, given the time now.
    /// The slot is the later of the scheduled time and now; the next slot is
    /// `events` periods after it.
    pub fn reserve(&self, now: Instant, events: usize) -> Instant {
        let mut next = self.next.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let slot = next.map_or(now, |n| n.max(now));
        let span = self.period.saturating_mul(u32::try_from(events).unwrap_or(u32::MAX));
        // Past what the clock can hold, the next slot is as far as it goes.
        *next = Some(slot.checked_add(span).unwrap_or_else(|| far_future(slot)));
        slot
    }

    /// Waits for this request's slot.
    pub async fn wait(&self, events: usize) {
        let slot = self.reserve(Instant::now(), events);
        tokio::time::sleep_until(slot).await;
    }
}

/// The latest instant after `t` the pacer hands out: 100 years on (never reached).
fn far_future(t: Instant) -> Instant {
    t.checked_add(crate::units::MAX_DURATION).unwrap_or(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evenly_spaced() {
        let p = Pacer::new(10.0);
        let t0 = Instant::now();
        let slots: Vec<_> = (0..4).map(|_| p.reserve(t0, 1)).collect();
        let gaps: Vec<_> = slots.iter().map(|s| s.duration_since(t0).as_millis()).collect();
        assert_eq!(gaps, vec![0, 100, 200, 300]);
    }

    #[test]
    fn batches_take_their_share() {
        let p = Pacer::new(100.0);
        let t0 = Instant::now();
        assert_eq!(p.reserve(t0, 5), t0);
        assert_eq!(p.reserve(t0, 5).duration_since(t0), Duration::from_millis(50));
    }

    #[test]
    fn no_burst_after_a_stall() {
        let p = Pacer::new(10.0);
        let t0 = Instant::now();
        p.reserve(t0, 1);
        // One second later (nine slots missed) the next event goes now, and the one
        // after it a full period later, not at once.
        let late = t0 + Duration::from_secs(1);
        assert_eq!(p.reserve(late, 1), late);
        assert_eq!(p.reserve(late, 1), late + Duration::from_millis(100));
    }
}
