//! An insertion-ordered collection that forgets its oldest records: what the store keeps
//! per merchant. Every record gets a sequence number at insertion; indices hold sequence
//! numbers, so evicting from the front never invalidates them (a missing record is simply
//! gone).
//!
//! Both collections here remember which records changed since the persistence layer last
//! took them ([`Retained::take_changed`], [`Tracked::take_changed`]): that is how a durable
//! sandbox writes only what a request touched.

use std::borrow::Borrow;
use std::collections::{HashMap, HashSet, VecDeque};
use std::hash::Hash;
use std::ops::Range;

#[derive(Debug, Clone)]
pub struct Retained<T> {
    items: VecDeque<T>,
    /// Sequence number of `items[0]`.
    base: u64,
    /// Most records kept; pushing beyond it evicts the oldest.
    cap: usize,
    evicted: u64,
    /// Sequence numbers written (pushed or borrowed mutably) since the last `take_changed`.
    changed: HashSet<u64>,
}

impl<T> Retained<T> {
    pub fn new(cap: usize) -> Self {
        Retained {
            items: VecDeque::new(),
            base: 0,
            cap: cap.max(1),
            evicted: 0,
            changed: HashSet::new(),
        }
    }

    /// Records loaded back in sequence order, the oldest numbered `base`; nothing counts
    /// as changed.
    pub fn restore(cap: usize, base: u64, items: Vec<T>) -> Self {
        let mut r = Retained::new(cap);
        r.base = base;
        r.items = items.into();
        r
    }

    /// Sequence numbers written since the last call (evictions show as `first_seq` moving).
    pub fn take_changed(&mut self) -> Vec<u64> {
        self.changed.drain().collect()
    }

    /// Append a record: its sequence number, and the record evicted to make room.
    pub fn push(&mut self, item: T) -> (u64, Option<(u64, T)>) {
        let seq = self.base + self.items.len() as u64;
        self.items.push_back(item);
        self.changed.insert(seq);
        let evicted = if self.items.len() > self.cap {
            self.pop_front()
        } else {
            None
        };
        (seq, evicted)
    }

    /// Forget the oldest record.
    pub fn pop_front(&mut self) -> Option<(u64, T)> {
        let item = self.items.pop_front()?;
        let seq = self.base;
        self.base += 1;
        self.evicted += 1;
        Some((seq, item))
    }

    fn position(&self, seq: u64) -> Option<usize> {
        seq.checked_sub(self.base)
            .map(|p| p as usize)
            .filter(|p| *p < self.items.len())
    }

    pub fn get(&self, seq: u64) -> Option<&T> {
        self.position(seq).map(|p| &self.items[p])
    }

    pub fn get_mut(&mut self, seq: u64) -> Option<&mut T> {
        let p = self.position(seq)?;
        self.changed.insert(seq);
        Some(&mut self.items[p])
    }

    /// Sequence number of the oldest record kept.
    pub fn first_seq(&self) -> u64 {
        self.base
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Records evicted since creation.
    pub fn evicted(&self) -> u64 {
        self.evicted
    }

    pub fn iter(&self) -> std::collections::vec_deque::Iter<'_, T> {
        self.items.iter()
    }

    /// Records at positions `range` (clamped), oldest first: a page without touching the rest.
    pub fn range(&self, range: Range<usize>) -> std::collections::vec_deque::Iter<'_, T> {
        let end = range.end.min(self.items.len());
        self.items.range(range.start.min(end)..end)
    }
}

impl<'a, T> IntoIterator for &'a Retained<T> {
    type Item = &'a T;
    type IntoIter = std::collections::vec_deque::Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.iter()
    }
}

/// A keyed collection that keeps insertion order (an ordinal per key) and remembers the
/// keys written or removed since the last `take_changed`.
#[derive(Debug, Clone)]
pub struct Tracked<K, V> {
    map: HashMap<K, (u64, V)>,
    next_ord: u64,
    changed: HashSet<K>,
}

impl<K, V> Default for Tracked<K, V> {
    fn default() -> Self {
        Tracked {
            map: HashMap::new(),
            next_ord: 0,
            changed: HashSet::new(),
        }
    }
}

impl<K: Hash + Eq + Clone, V> Tracked<K, V> {
    pub fn get<Q: Hash + Eq + ?Sized>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
    {
        self.map.get(key).map(|(_, v)| v)
    }

    pub fn contains_key<Q: Hash + Eq + ?Sized>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
    {
        self.map.contains_key(key)
    }

    pub fn len(&self) -> usize {
        self.map.len()
    }

    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// Insert or replace; a replaced key keeps its place in the order.
    pub fn insert(&mut self, key: K, value: V) {
        self.changed.insert(key.clone());
        match self.map.get_mut(&key) {
            Some(entry) => entry.1 = value,
            None => {
                self.map.insert(key, (self.next_ord, value));
                self.next_ord += 1;
            }
        }
    }

    pub fn remove<Q: Hash + Eq + ?Sized>(&mut self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
    {
        let (k, (_, v)) = self.map.remove_entry(key)?;
        self.changed.insert(k);
        Some(v)
    }

    pub fn retain(&mut self, mut keep: impl FnMut(&K, &V) -> bool) {
        let changed = &mut self.changed;
        self.map.retain(|k, (_, v)| {
            let kept = keep(k, v);
            if !kept {
                changed.insert(k.clone());
            }
            kept
        });
    }

    /// (key, insertion ordinal, value), in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = (&K, u64, &V)> {
        self.map.iter().map(|(k, (ord, v))| (k, *ord, v))
    }

    /// Keys written or removed since the last call, each with its value and ordinal when
    /// it is still present.
    pub fn take_changed(&mut self) -> Vec<(K, Option<(u64, &V)>)> {
        let keys: Vec<K> = self.changed.drain().collect();
        keys.into_iter()
            .map(|k| {
                let now = self.map.get(&k).map(|(ord, v)| (*ord, v));
                (k, now)
            })
            .collect()
    }

    /// Entries loaded back with their ordinals; nothing counts as changed.
    pub fn restore(entries: impl IntoIterator<Item = (K, u64, V)>) -> Self {
        let mut t = Tracked::default();
        for (k, ord, v) in entries {
            t.next_ord = t.next_ord.max(ord + 1);
            t.map.insert(k, (ord, v));
        }
        t
    }
}

/// What both collections offer beyond `take_changed`, for code that treats every family
/// alike.
pub trait ChangeTracking {
    /// Count every record as changed (a full rewrite after an import).
    fn mark_all_changed(&mut self);
    /// Forget what changed (nothing saves it).
    fn clear_changed(&mut self);
}

impl<T> ChangeTracking for Retained<T> {
    fn mark_all_changed(&mut self) {
        let base = self.base;
        self.changed
            .extend((0..self.items.len() as u64).map(|i| base + i));
    }
    fn clear_changed(&mut self) {
        self.changed.clear();
    }
}

impl<K: Hash + Eq + Clone, V> ChangeTracking for Tracked<K, V> {
    fn mark_all_changed(&mut self) {
        self.changed.extend(self.map.keys().cloned());
    }
    fn clear_changed(&mut self) {
        self.changed.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sequence_numbers_survive_eviction() {
        let mut r = Retained::new(2);
        let (a, _) = r.push("a");
        let (b, _) = r.push("b");
        let (c, gone) = r.push("c");
        assert_eq!(gone, Some((a, "a")));
        assert_eq!(r.get(a), None);
        assert_eq!(r.get(b), Some(&"b"));
        assert_eq!(r.get(c), Some(&"c"));
        assert_eq!(r.evicted(), 1);
        assert_eq!(r.range(1..10).collect::<Vec<_>>(), vec![&"c"]);
    }

    #[test]
    fn retained_reports_what_was_written_once() {
        let mut r = Retained::new(10);
        let (a, _) = r.push("a");
        let (b, _) = r.push("b");
        let mut changed = r.take_changed();
        changed.sort();
        assert_eq!(changed, vec![a, b]);
        assert!(r.take_changed().is_empty());
        r.get(a);
        assert!(r.take_changed().is_empty(), "reading is not writing");
        r.get_mut(b);
        assert_eq!(r.take_changed(), vec![b]);
    }

    #[test]
    fn tracked_reports_inserts_and_removals_with_their_order() {
        let mut t = Tracked::default();
        t.insert("x", 1);
        t.insert("y", 2);
        t.take_changed();
        t.insert("x", 3);
        t.remove(&"y");
        let mut changed: Vec<_> = t
            .take_changed()
            .into_iter()
            .map(|(k, v)| (k, v.map(|(ord, v)| (ord, *v))))
            .collect();
        changed.sort();
        assert_eq!(changed, vec![("x", Some((0, 3))), ("y", None)]);
        let back = Tracked::restore(t.iter().map(|(k, o, v)| (*k, o, *v)));
        assert_eq!(back.get(&"x"), Some(&3));
        assert!(back.clone().take_changed().is_empty());
    }
}
