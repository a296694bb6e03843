//! A bounded cache: what a long-running process learns about its own code must not grow with
//! the number of errors it reports.
//!
//! Two generations: entries are inserted into the young one; when it is full it becomes the old
//! one and the previous old one is dropped; a hit in the old generation moves the entry back
//! into the young one. Recently used entries therefore survive, and the cache never holds more
//! than twice a generation's capacity — without the bookkeeping of an exact LRU list.

use std::borrow::Borrow;
use std::collections::HashMap;
use std::hash::{BuildHasher, Hash};

pub(super) struct BoundedCache<K, V, S> {
    young: HashMap<K, V, S>,
    old: HashMap<K, V, S>,
    generation_capacity: usize,
}

impl<K: Eq + Hash, V: Clone, S: BuildHasher + Default> BoundedCache<K, V, S> {
    /// A cache of at most `2 * generation_capacity` entries.
    pub(super) fn new(generation_capacity: usize) -> Self {
        BoundedCache {
            young: HashMap::default(),
            old: HashMap::default(),
            generation_capacity: generation_capacity.max(1),
        }
    }

    pub(super) fn get<Q>(&mut self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        if let Some(value) = self.young.get(key) {
            return Some(value.clone());
        }
        let (key, value) = self.old.remove_entry(key)?;
        self.insert(key, value.clone());
        Some(value)
    }

    pub(super) fn insert(&mut self, key: K, value: V) {
        if self.young.len() >= self.generation_capacity && !self.young.contains_key(&key) {
            self.old = std::mem::take(&mut self.young);
        }
        self.young.insert(key, value);
    }

    pub(super) fn clear(&mut self) {
        self.young.clear();
        self.old.clear();
    }

    #[cfg(test)]
    pub(super) fn len(&self) -> usize {
        self.young.len() + self.old.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::hash_map::RandomState;

    #[test]
    fn never_holds_more_than_two_generations() {
        let mut cache: BoundedCache<u32, u32, RandomState> = BoundedCache::new(8);
        for key in 0..10_000 {
            cache.insert(key, key);
            assert!(cache.len() <= 16, "{} entries", cache.len());
        }
        assert_eq!(cache.get(&9_999), Some(9_999));
        assert_eq!(cache.get(&0), None);
    }

    #[test]
    fn an_entry_in_use_survives_generations() {
        let mut cache: BoundedCache<u32, u32, RandomState> = BoundedCache::new(4);
        cache.insert(0, 100);
        for key in 1..1_000 {
            cache.insert(key, key);
            assert_eq!(cache.get(&0), Some(100), "lost after {key} insertions");
        }
        cache.clear();
        assert_eq!(cache.len(), 0);
    }
}
