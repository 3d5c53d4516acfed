//! A ring of the last items pushed, bounded by count and by bytes, with its
//! slots allocated once: a push writes one slot and moves the items it
//! displaces out to the caller, which drops them after letting go of its lock.
//! Items are numbered from 1 in push order, so one is found by its number in
//! constant time.

/// The ring. `T` is what is kept; each push says what it costs in bytes.
pub struct Ring<T> {
    /// `slots[seq % len]` holds item `seq` while it is kept.
    slots: Box<[Option<(T, u64)>]>,
    max_bytes: u64,
    /// The oldest kept item's number (`next` when empty).
    first: u64,
    /// The number the next push gets.
    next: u64,
    bytes: u64,
}

/// What a push displaced: in the steady state of a count-bound ring, one item;
/// more only when a large item makes room for itself under the byte bound.
pub struct Evicted<T> {
    /// The first item displaced.
    pub first: Option<T>,
    /// Any others (allocated only when there are some).
    pub more: Vec<T>,
}

impl<T> Evicted<T> {
    fn add(&mut self, item: T) {
        if self.first.is_none() {
            self.first = Some(item);
        } else {
            self.more.push(item);
        }
    }
}

impl<T> Ring<T> {
    /// A ring keeping at most `count` items (at least one) and `max_bytes` bytes.
    pub fn new(count: usize, max_bytes: u64) -> Ring<T> {
        let slots = std::iter::repeat_with(|| None).take(count.max(1)).collect();
        Ring { slots, max_bytes, first: 1, next: 1, bytes: 0 }
    }

    fn slot(&self, seq: u64) -> usize {
        // The remainder is below the slot count, a usize.
        (seq % self.slots.len() as u64) as usize
    }

    /// How many items are kept.
    pub fn len(&self) -> usize {
        (self.next - self.first) as usize
    }

    /// Whether none is.
    pub fn is_empty(&self) -> bool {
        self.next == self.first
    }

    /// The most items it keeps.
    #[cfg(test)]
    pub fn capacity(&self) -> usize {
        self.slots.len()
    }

    /// The bytes kept.
    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    /// The number the last push got (0 before any).
    pub fn last_seq(&self) -> u64 {
        self.next - 1
    }

    fn pop_oldest(&mut self) -> Option<T> {
        if self.is_empty() {
            return None;
        }
        let at = self.slot(self.first);
        self.first += 1;
        let (item, size) = self.slots[at].take().expect("a kept item's slot is full");
        self.bytes -= size;
        Some(item)
    }

    /// Keeps `item`, costing `size` bytes, after displacing the oldest while
    /// the ring is full or the bytes would pass the bound (an item larger than
    /// the bound on its own is still kept, alone). Returns its number.
    pub fn push(&mut self, item: T, size: u64) -> (u64, Evicted<T>) {
        let mut evicted = Evicted { first: None, more: Vec::new() };
        while !self.is_empty() && (self.len() >= self.slots.len() || self.bytes + size > self.max_bytes) {
            if let Some(old) = self.pop_oldest() {
                evicted.add(old);
            }
        }
        let seq = self.next;
        self.next += 1;
        let at = self.slot(seq);
        self.slots[at] = Some((item, size));
        self.bytes += size;
        (seq, evicted)
    }

    /// Item `seq`, if still kept.
    pub fn get(&self, seq: u64) -> Option<&T> {
        if seq < self.first || seq >= self.next {
            return None;
        }
        self.slots[self.slot(seq)].as_ref().map(|(item, _)| item)
    }

    /// The oldest kept item numbered after `seq`, and its number.
    pub fn after(&self, seq: u64) -> Option<(u64, &T)> {
        let seq = seq.saturating_add(1).max(self.first);
        self.get(seq).map(|item| (seq, item))
    }

    /// The kept items, newest first.
    pub fn newest_first(&self) -> impl Iterator<Item = &T> {
        (self.first..self.next).rev().filter_map(|seq| self.get(seq))
    }

    /// Forgets every item, handing them to the caller; numbering goes on.
    pub fn clear(&mut self) -> Vec<T> {
        let mut all = Vec::with_capacity(self.len());
        while let Some(item) = self.pop_oldest() {
            all.push(item);
        }
        all
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kept(r: &Ring<u32>) -> Vec<u32> {
        r.newest_first().copied().collect()
    }

    #[test]
    fn numbers_are_monotonic_across_eviction_and_clear() {
        let mut r = Ring::new(2, 1 << 20);
        assert_eq!(r.last_seq(), 0);
        let seqs: Vec<u64> = (0..5).map(|i| r.push(i, 1).0).collect();
        assert_eq!(seqs, [1, 2, 3, 4, 5]);
        assert_eq!(r.clear(), [3, 4]);
        assert!(r.is_empty() && r.bytes() == 0);
        assert_eq!(r.push(9, 1).0, 6);
        assert_eq!(r.get(6), Some(&9));
        assert_eq!(r.get(5), None);
    }

    #[test]
    fn count_bound_displaces_one_oldest_per_push() {
        let mut r = Ring::new(3, 1 << 20);
        for i in 1..=3 {
            assert!(r.push(i, 10).1.first.is_none());
        }
        let (seq, evicted) = r.push(4, 10);
        assert_eq!((seq, evicted.first, evicted.more.len()), (4, Some(1), 0));
        assert_eq!(kept(&r), [4, 3, 2]);
        assert_eq!((r.len(), r.bytes()), (3, 30));
        assert_eq!(r.get(1), None);
        assert_eq!(r.get(2), Some(&2));
        assert_eq!(r.get(4), Some(&4));
        assert_eq!(r.get(5), None);
    }

    #[test]
    fn byte_bound_displaces_as_many_as_needed() {
        let mut r = Ring::new(100, 100);
        for i in 1..=5 {
            r.push(i, 20);
        }
        assert_eq!(r.bytes(), 100);
        let (_, evicted) = r.push(6, 50);
        assert_eq!(evicted.first, Some(1));
        assert_eq!(evicted.more, [2, 3]);
        assert_eq!(kept(&r), [6, 5, 4]);
        assert_eq!(r.bytes(), 90);
        // Larger than the bound: kept, alone.
        let (_, evicted) = r.push(7, 500);
        assert_eq!((evicted.first, evicted.more), (Some(4), vec![5, 6]));
        assert_eq!((kept(&r), r.bytes()), (vec![7], 500));
        let (_, evicted) = r.push(8, 1);
        assert_eq!(evicted.first, Some(7));
        assert_eq!(kept(&r), [8]);
    }

    #[test]
    fn after_skips_what_was_displaced() {
        let mut r = Ring::new(2, 1 << 20);
        assert!(r.after(0).is_none());
        r.push(10, 1);
        assert_eq!(r.after(0), Some((1, &10)));
        assert!(r.after(1).is_none());
        for i in 11..=13 {
            r.push(i, 1);
        }
        // 1 and 2 are gone: a reader that saw 1 goes on from the oldest kept, 3.
        assert_eq!(r.after(1), Some((3, &12)));
        assert_eq!(r.after(3), Some((4, &13)));
        assert!(r.after(4).is_none());
    }

    #[test]
    fn slots_wrap_around_many_times() {
        let mut r = Ring::new(7, 1 << 20);
        for i in 0..1000u32 {
            r.push(i, 1);
        }
        assert_eq!(kept(&r), (993..1000).rev().collect::<Vec<_>>());
        assert_eq!((r.len(), r.bytes(), r.last_seq()), (7, 7, 1000));
    }
}
