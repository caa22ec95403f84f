//! Interning of the shareable parts of users: equal command rules and equal pattern blocks are
//! stored once and reference-counted.
//!
//! The tables belong to an [`Acl`](super::Acl) and are only touched under its state lock
//! (SETUSER, ACL LOAD). They hold a strong reference to every value; a value nobody else
//! holds any more (strong count 1) is dead and is swept out when the table has doubled since
//! the last sweep, so the sweep's cost is amortised over the inserts that made it due.

use std::borrow::Borrow;
use std::collections::HashSet;
use std::hash::Hash;
use std::sync::Arc;

use super::command_rules::{CommandPerms, CommandRules};
use super::patterns::{self, Patterns};

/// Below this many entries a table is never swept.
const MIN_SWEEP: usize = 1024;

/// One interning table.
#[derive(Debug)]
pub(crate) struct Interner<T: ?Sized> {
    set: HashSet<Arc<T>>,
    sweep_at: usize,
}

impl<T: ?Sized + Hash + Eq> Interner<T> {
    fn new() -> Interner<T> {
        Interner { set: HashSet::new(), sweep_at: MIN_SWEEP }
    }

    /// The shared copy of `value`, inserted if it is new.
    pub(crate) fn intern<K: Borrow<T> + Into<Arc<T>>>(&mut self, value: K) -> Arc<T> {
        if let Some(found) = self.set.get(value.borrow()) {
            return found.clone();
        }
        if self.set.len() >= self.sweep_at {
            // Only this table holds a value with a strong count of 1, and a new holder can
            // only get it from the table, which the caller's `&mut` keeps to itself.
            self.set.retain(|v| Arc::strong_count(v) > 1);
            self.sweep_at = (self.set.len() * 2).max(MIN_SWEEP);
        }
        let shared: Arc<T> = value.into();
        self.set.insert(shared.clone());
        shared
    }

    /// How many distinct values the table holds (live or not yet swept).
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.set.len()
    }
}

/// The interning tables of one engine, and a scratch buffer for packing patterns.
#[derive(Debug)]
pub(crate) struct Interners {
    commands: Interner<CommandRules>,
    patterns: Interner<[u8]>,
    scratch: Vec<u8>,
}

impl Interners {
    /// Empty tables.
    pub(crate) fn new() -> Interners {
        Interners { commands: Interner::new(), patterns: Interner::new(), scratch: Vec::new() }
    }

    /// The shared [`CommandRules`] for `perms`.
    pub(crate) fn commands(&mut self, perms: CommandPerms) -> Arc<CommandRules> {
        self.commands.intern(CommandRules::new(perms))
    }

    /// The shared [`Patterns`] for these patterns.
    pub(crate) fn patterns<'a>(
        &mut self,
        allkeys: bool,
        allchannels: bool,
        keys: impl Iterator<Item = (u8, &'a [u8])> + Clone,
        channels: impl Iterator<Item = &'a [u8]>,
    ) -> Patterns {
        let mut scratch = std::mem::take(&mut self.scratch);
        patterns::pack(&mut scratch, allkeys, allchannels, keys, channels);
        let block = self.patterns.intern(&scratch[..]);
        self.scratch = scratch;
        Patterns::from_packed(block)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_values_are_shared_and_dead_ones_swept() {
        let mut t: Interner<[u8]> = Interner::new();
        let a = t.intern(&b"abc"[..]);
        let b = t.intern(&b"abc"[..]);
        assert!(Arc::ptr_eq(&a, &b));
        assert_eq!(t.len(), 1);
        drop((a, b));
        // The dead "abc" stays until the table reaches the sweep threshold...
        for i in 0..MIN_SWEEP - 1 {
            t.intern(format!("k{i}").as_bytes());
        }
        assert_eq!(t.len(), MIN_SWEEP);
        // ...then the next insert drops every value only the table holds.
        let kept = t.intern(&b"k0"[..]);
        let _new = t.intern(&b"new"[..]);
        assert_eq!(t.len(), 2, "only k0 (held) and the new value remain");
        assert!(Arc::ptr_eq(&kept, &t.intern(&b"k0"[..])));
    }
}
