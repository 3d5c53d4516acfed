//! Bounded memory of event ids: which were processed (answered 2xx), for
//! `Already processed`, and how many attempts each has had, for `--fail-first`.
//! Both forget the least recently seen id past their capacity and allocate as
//! they fill, so an idle listener stays small.

use std::sync::Mutex;

use lru::LruCache;

/// How many ids each memory keeps.
pub const CAPACITY: usize = 100_000;

/// A bounded LRU map from event id to `V`.
struct Bounded<V> {
    map: LruCache<Box<str>, V>,
    cap: usize,
}

impl<V> Bounded<V> {
    fn new(cap: usize) -> Self {
        // `unbounded` does not pre-allocate; the cap is enforced on insert.
        Bounded { map: LruCache::unbounded(), cap: cap.max(1) }
    }

    fn insert(&mut self, id: &str, value: V) {
        if let Some(v) = self.map.get_mut(id) {
            *v = value;
            return;
        }
        if self.map.len() >= self.cap {
            self.map.pop_lru();
        }
        self.map.put(id.into(), value);
    }
}

/// Ids already answered 2xx.
pub struct Seen {
    inner: Mutex<Bounded<()>>,
}

impl Seen {
    /// An empty memory of at most `cap` ids.
    pub fn new(cap: usize) -> Self {
        Seen { inner: Mutex::new(Bounded::new(cap)) }
    }

    /// For each id, whether it was processed before (refreshing its recency).
    pub fn check<'a>(&self, ids: impl IntoIterator<Item = &'a str>, out: &mut Vec<bool>) {
        let mut g = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        // A delivery without an id (some providers' pings) is never a repeat.
        out.extend(ids.into_iter().map(|id| !id.is_empty() && g.map.get(id).is_some()));
    }

    /// Remembers these ids as processed.
    pub fn mark<'a>(&self, ids: impl IntoIterator<Item = &'a str>) {
        let mut g = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        for id in ids.into_iter().filter(|id| !id.is_empty()) {
            g.insert(id, ());
        }
    }

    /// Number of ids remembered.
    pub fn len(&self) -> usize {
        self.inner.lock().unwrap_or_else(|p| p.into_inner()).map.len()
    }

    /// Whether nothing is remembered.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Attempts per event id.
pub struct Attempts {
    inner: Mutex<Bounded<u32>>,
}

impl Attempts {
    /// An empty memory of at most `cap` ids.
    pub fn new(cap: usize) -> Self {
        Attempts { inner: Mutex::new(Bounded::new(cap)) }
    }

    /// Counts one more attempt for each id; returns the smallest attempt
    /// number among them (1 for the first delivery of an id).
    pub fn next<'a>(&self, ids: impl IntoIterator<Item = &'a str>) -> u32 {
        let mut g = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        let mut lowest = u32::MAX;
        for id in ids {
            let n = g.map.get(id).copied().unwrap_or(0).saturating_add(1);
            g.insert(id, n);
            lowest = lowest.min(n);
        }
        if lowest == u32::MAX { 1 } else { lowest }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seen(s: &Seen, ids: &[&str]) -> Vec<bool> {
        let mut out = Vec::new();
        s.check(ids.iter().copied(), &mut out);
        out
    }

    #[test]
    fn remembers_and_forgets_the_oldest() {
        let s = Seen::new(3);
        assert!(s.is_empty());
        s.mark(["a", "b", "c"]);
        assert_eq!(seen(&s, &["a", "x"]), [true, false]);
        // "a" was just used, so "b" is the oldest now.
        s.mark(["d"]);
        assert_eq!(s.len(), 3);
        assert_eq!(seen(&s, &["a", "b", "c", "d"]), [true, false, true, true]);
        s.mark(["d", "d"]);
        assert_eq!(s.len(), 3);
    }

    #[test]
    fn attempts_count_per_id() {
        let a = Attempts::new(10);
        assert_eq!(a.next(["evt_1"]), 1);
        assert_eq!(a.next(["evt_1"]), 2);
        assert_eq!(a.next(["evt_2"]), 1);
        assert_eq!(a.next(["evt_1"]), 3);
        // A batch fails while any of its events is still early.
        assert_eq!(a.next(["evt_1", "evt_3"]), 1);
        assert_eq!(a.next(std::iter::empty()), 1);
    }

    #[test]
    fn attempts_are_bounded() {
        let a = Attempts::new(2);
        a.next(["a"]);
        a.next(["b"]);
        a.next(["c"]);
        assert_eq!(a.next(["a"]), 1, "the oldest id was forgotten");
    }
}
