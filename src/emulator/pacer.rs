//! The per-webhook delivery-rate cap and concurrency limit. The docs' cap is
//! 100 events/s, 10 batches/s: each single-event request costs 1/100 s of a
//! webhook's budget and each batch 1/10 s. Slots are handed out up to a
//! horizon ahead, so a backlog is paced, never dropped. Separately, a webhook
//! has at most [`MAX_IN_FLIGHT`] attempts open at once, so a slow endpoint
//! cannot pile up connections.

use std::collections::HashMap;

use super::queue::Budget;

/// Most attempts open at once per webhook.
pub const MAX_IN_FLIGHT: usize = 256;
/// Slots are handed out up to this far ahead.
const HORIZON_US: i64 = 1_000_000;
/// Most claims per webhook in one scheduler pass when there is no rate cap.
const MAX_PER_PASS: usize = 1000;

/// Budgets of every webhook.
#[derive(Debug)]
pub struct Pacer {
    /// Cost of a single-event request, in µs of budget; 0 when uncapped.
    event_cost_us: i64,
    /// Cost of a batch request.
    batch_cost_us: i64,
    /// Next free slot per webhook (µs since the epoch).
    next: HashMap<String, i64>,
    /// Attempts open per webhook.
    in_flight: HashMap<String, usize>,
}

impl Pacer {
    /// A pacer allowing `events_per_sec` single-event requests (and a tenth as
    /// many batches) per second per webhook; 0 means no cap.
    pub fn new(events_per_sec: u32) -> Self {
        let event_cost_us = if events_per_sec == 0 { 0 } else { 1_000_000 / i64::from(events_per_sec) };
        Pacer {
            event_cost_us,
            batch_cost_us: event_cost_us * 10,
            next: HashMap::new(),
            in_flight: HashMap::new(),
        }
    }

    /// Whether there is a rate cap at all.
    pub fn capped(&self) -> bool {
        self.event_cost_us > 0
    }

    /// Sets `webhook`'s next free slot (µs since the epoch), as a database
    /// shared with other emulators keeps it.
    pub fn seed(&mut self, webhook: &str, next_us: i64) {
        self.next.insert(webhook.to_string(), next_us);
    }

    /// `webhook`'s next free slot (µs since the epoch), if any was booked.
    pub fn booked_until(&self, webhook: &str) -> Option<i64> {
        self.next.get(webhook).copied()
    }

    /// An attempt for `webhook` ended.
    pub fn finished(&mut self, webhook: &str) {
        if let Some(n) = self.in_flight.get_mut(webhook) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                self.in_flight.remove(webhook);
            }
        }
    }

    fn open(&self, webhook: &str) -> usize {
        self.in_flight.get(webhook).copied().unwrap_or(0)
    }

    fn next_slot(&self, webhook: &str, now_us: i64) -> i64 {
        self.next.get(webhook).copied().unwrap_or(now_us).max(now_us)
    }
}

/// No cap: what stands in while the real pacer is lent out.
impl Default for Pacer {
    fn default() -> Self {
        Pacer::new(0)
    }
}

impl Budget for Pacer {
    fn room(&self, webhook: &str, now_ms: i64) -> usize {
        let now_us = now_ms * 1000;
        let free = MAX_IN_FLIGHT.saturating_sub(self.open(webhook));
        if self.event_cost_us == 0 {
            return free.min(MAX_PER_PASS);
        }
        let ahead = now_us + HORIZON_US - self.next_slot(webhook, now_us);
        let slots = usize::try_from((ahead + self.event_cost_us - 1) / self.event_cost_us).unwrap_or(0);
        free.min(slots)
    }

    fn take(&mut self, webhook: &str, batch: bool, now_ms: i64) -> Option<i64> {
        let now_us = now_ms * 1000;
        let slot = self.next_slot(webhook, now_us);
        if slot >= now_us + HORIZON_US || self.open(webhook) >= MAX_IN_FLIGHT {
            return None;
        }
        let cost = if batch { self.batch_cost_us } else { self.event_cost_us };
        self.next.insert(webhook.to_string(), slot + cost);
        *self.in_flight.entry(webhook.to_string()).or_default() += 1;
        Some(slot / 1000)
    }

    fn next_free(&self, webhook: &str, now_ms: i64) -> Option<i64> {
        if self.open(webhook) >= MAX_IN_FLIGHT {
            return None;
        }
        let free_us = self.next_slot(webhook, now_ms * 1000) - HORIZON_US;
        Some((free_us / 1000 + 1).max(now_ms))
    }

    fn forget_idle(&mut self, now_ms: i64) {
        let now_us = now_ms * 1000;
        self.next.retain(|_, next| *next > now_us);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hundred_events_a_second() {
        let mut p = Pacer::new(100);
        assert_eq!(p.room("wh_a", 0), 100);
        let slots: Vec<i64> = (0..100).map(|_| p.take("wh_a", false, 0).unwrap()).collect();
        assert_eq!(slots[1] - slots[0], 10);
        assert_eq!(slots[99], 990);
        assert_eq!(p.take("wh_a", false, 0), None, "the horizon is full");
        assert_eq!(p.room("wh_a", 0), 0);
        assert_eq!(p.next_free("wh_a", 0), Some(1));
        // Another webhook has its own budget.
        assert_eq!(p.take("wh_b", false, 0), Some(0));
    }

    #[test]
    fn ten_batches_a_second() {
        let mut p = Pacer::new(100);
        let slots: Vec<i64> = (0..10).map(|_| p.take("wh_a", true, 0).unwrap()).collect();
        assert_eq!(slots, vec![0, 100, 200, 300, 400, 500, 600, 700, 800, 900]);
        assert_eq!(p.take("wh_a", true, 0), None);
    }

    #[test]
    fn in_flight_limit_and_no_cap() {
        let mut p = Pacer::new(0);
        for _ in 0..MAX_IN_FLIGHT {
            assert_eq!(p.take("wh_a", false, 5), Some(5));
        }
        assert_eq!(p.take("wh_a", false, 5), None);
        assert_eq!(p.next_free("wh_a", 5), None, "woken by a finished attempt, not a timer");
        p.finished("wh_a");
        assert_eq!(p.room("wh_a", 5), 1);
        assert_eq!(p.take("wh_a", false, 5), Some(5));
    }
}
