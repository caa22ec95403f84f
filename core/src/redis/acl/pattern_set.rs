//! Insertion-ordered, duplicate-free lists of byte strings with a hash index: the editable
//! key patterns, channel patterns and `+cmd|firstarg` lists of a selector.
//!
//! Redis keeps these as linked lists and scans the whole list before adding an element, so a
//! SETUSER (or an aclfile line) with n patterns costs O(n²) comparisons; a client can send
//! hundreds of thousands of them in one command. Here the order and the duplicate rules stay
//! exactly Redis' (first spelling kept, a repeated key pattern ORs its permissions into the
//! first), but finding a duplicate is one hash lookup.

use std::hash::{Hash, Hasher};

use indexmap::{Equivalent, IndexMap};

/// An element as the index stores it. Its equality is the only comparison the set makes, so
/// counting it (in tests) counts the set's work.
#[derive(Clone, Debug, Eq)]
struct Entry(Box<[u8]>);

impl PartialEq for Entry {
    fn eq(&self, other: &Entry) -> bool {
        count_comparison();
        self.0 == other.0
    }
}

impl Hash for Entry {
    fn hash<H: Hasher>(&self, state: &mut H) {
        // Must hash as `Probe` does, so a borrowed probe finds an owned entry.
        self.0[..].hash(state);
    }
}

/// A borrowed lookup key, so a lookup never allocates.
struct Probe<'a>(&'a [u8]);

impl Hash for Probe<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.0.hash(state);
    }
}

impl Equivalent<Entry> for Probe<'_> {
    fn equivalent(&self, key: &Entry) -> bool {
        count_comparison();
        self.0 == &key.0[..]
    }
}

/// Byte strings in insertion order without duplicates, each with a value `V`.
#[derive(Clone, Debug)]
pub(crate) struct PatternSet<V> {
    map: IndexMap<Entry, V>,
}

impl<V> Default for PatternSet<V> {
    fn default() -> PatternSet<V> {
        PatternSet { map: IndexMap::new() }
    }
}

impl<V> PatternSet<V> {
    /// An empty set.
    pub(crate) fn new() -> PatternSet<V> {
        PatternSet::default()
    }

    /// Removes every element.
    pub(crate) fn clear(&mut self) {
        self.map.clear();
    }

    /// True if there is no element.
    #[cfg(test)]
    pub(crate) fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// How many elements there are.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.map.len()
    }

    /// True if `key` is an element.
    pub(crate) fn contains(&self, key: &[u8]) -> bool {
        self.map.contains_key(&Probe(key))
    }

    /// The value of `key`, if it is an element.
    pub(crate) fn get_mut(&mut self, key: &[u8]) -> Option<&mut V> {
        self.map.get_mut(&Probe(key))
    }

    /// Appends `key` with `value` if it is not an element yet (the first one stays: Redis'
    /// "avoid re-adding"); true if it was added.
    pub(crate) fn insert_new(&mut self, key: &[u8], value: V) -> bool {
        if self.contains(key) {
            return false;
        }
        self.map.insert(Entry(key.into()), value);
        true
    }

    /// The elements and their values, in insertion order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (&[u8], &V)> + Clone {
        self.map.iter().map(|(k, v)| (&k.0[..], v))
    }

    /// The elements in insertion order.
    pub(crate) fn keys(&self) -> impl Iterator<Item = &[u8]> + Clone {
        self.map.keys().map(|k| &k.0[..])
    }

    /// The values in insertion order.
    pub(crate) fn values(&self) -> impl Iterator<Item = &V> + Clone {
        self.map.values()
    }
}

impl<'a> FromIterator<&'a [u8]> for PatternSet<()> {
    fn from_iter<I: IntoIterator<Item = &'a [u8]>>(iter: I) -> PatternSet<()> {
        let mut set = PatternSet::new();
        for k in iter {
            set.insert_new(k, ());
        }
        set
    }
}

// Equality and hashing follow the order (IndexMap's own equality ignores it): two selectors
// with the same patterns in another order describe differently, so they are different.
impl<V: PartialEq> PartialEq for PatternSet<V> {
    fn eq(&self, other: &PatternSet<V>) -> bool {
        self.map.len() == other.map.len()
            && self.map.iter().zip(other.map.iter()).all(|((a, x), (b, y))| a.0 == b.0 && x == y)
    }
}

impl<V: Eq> Eq for PatternSet<V> {}

impl<V: Hash> Hash for PatternSet<V> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_usize(self.map.len());
        for (k, v) in &self.map {
            k.hash(state);
            v.hash(state);
        }
    }
}

#[cfg(test)]
thread_local! {
    static COMPARISONS: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// Counts one element comparison (tests only; compiled out otherwise).
#[inline(always)]
pub(crate) fn count_comparison() {
    #[cfg(test)]
    COMPARISONS.with(|c| c.set(c.get() + 1));
}

/// Element comparisons made on this thread so far, for the tests that bound the work.
#[cfg(test)]
pub(crate) fn comparisons() -> u64 {
    COMPARISONS.with(|c| c.get())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_first_insertion_order_and_drops_duplicates() {
        let mut s: PatternSet<u8> = PatternSet::new();
        assert!(s.insert_new(b"b", 1));
        assert!(s.insert_new(b"a", 2));
        assert!(!s.insert_new(b"b", 3), "a duplicate is not added");
        *s.get_mut(b"a").unwrap() |= 4;
        assert_eq!(s.iter().collect::<Vec<_>>(), vec![(&b"b"[..], &1), (&b"a"[..], &6)]);
        assert!(s.contains(b"a") && !s.contains(b"c"));
        let mut t: PatternSet<u8> = PatternSet::new();
        t.insert_new(b"a", 6);
        t.insert_new(b"b", 1);
        assert_ne!(s, t, "same elements in another order are a different list");
        s.clear();
        assert!(s.is_empty());
    }

    #[test]
    fn adding_n_distinct_elements_is_linear_work() {
        // A scan for duplicates before each append compares every new element with all the
        // earlier ones: n(n-1)/2 = 199,990,000 comparisons for n = 20,000, far above the budget
        // of 4 per element that a hash index (a few probes per lookup) stays within.
        let n = 20_000u64;
        let before = comparisons();
        let mut s: PatternSet<()> = PatternSet::new();
        for i in 0..n {
            s.insert_new(format!("p{i}").as_bytes(), ());
        }
        for i in 0..n {
            assert!(!s.insert_new(format!("p{i}").as_bytes(), ()));
        }
        assert_eq!(s.len(), n as usize);
        let work = comparisons() - before;
        assert!(work <= 4 * 2 * n, "{work} comparisons for {} inserts", 2 * n);
    }
}
