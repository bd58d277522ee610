//! An insertion-ordered collection that forgets its oldest records: what the store keeps
//! per merchant. Every record gets a sequence number at insertion; indices hold sequence
//! numbers, so evicting from the front never invalidates them (a missing record is simply
//! gone).

use std::collections::VecDeque;
use std::ops::Range;

#[derive(Debug, Clone)]
pub struct Retained<T> {
    items: VecDeque<T>,
    /// Sequence number of `items[0]`.
    base: u64,
    /// Most records kept; pushing beyond it evicts the oldest.
    cap: usize,
    evicted: u64,
}

impl<T> Retained<T> {
    pub fn new(cap: usize) -> Self {
        Retained {
            items: VecDeque::new(),
            base: 0,
            cap: cap.max(1),
            evicted: 0,
        }
    }

    /// Append a record: its sequence number, and the record evicted to make room.
    pub fn push(&mut self, item: T) -> (u64, Option<(u64, T)>) {
        let seq = self.base + self.items.len() as u64;
        self.items.push_back(item);
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
        self.position(seq).map(|p| &mut self.items[p])
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

    pub fn iter_mut(&mut self) -> std::collections::vec_deque::IterMut<'_, T> {
        self.items.iter_mut()
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
}
