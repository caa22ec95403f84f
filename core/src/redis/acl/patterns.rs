//! The key and channel patterns of one selector, packed into one shared allocation.
//!
//! A selector's patterns are usually a handful of short globs, and with many users either
//! identical for many of them (interned, so shared) or unique per user. Packing them into one
//! byte block keeps a unique list at one small allocation instead of a vector header plus one
//! allocation per pattern, and keeps a check's scan over them in one cache line or two.
//!
//! Layout: `[flags][varint: length of the key section][keys][channels]`; a key is
//! `[perms | shape << 2][varint len][bytes]`, a channel `[varint len][bytes]`. Lengths are
//! LEB128. A key's [`Shape`] is worked out once here, so the check can skip the glob matcher
//! for `prefix*` and literal patterns.

use std::sync::Arc;

use super::glob::{self, Shape};

const ALL_KEYS: u8 = 1;
const ALL_CHANNELS: u8 = 2;
/// The `PERM_*` bits of a key's first byte; the [`Shape`] is above them.
const PERMS_MASK: u8 = 3;
const SHAPE_SHIFT: u32 = 2;

/// A selector's key and channel patterns, immutable and reference-counted.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Patterns(Arc<[u8]>);

impl Patterns {
    /// Wraps a block [`pack`] produced (and the interner kept).
    pub(crate) fn from_packed(block: Arc<[u8]>) -> Patterns {
        debug_assert!(!block.is_empty());
        Patterns(block)
    }

    /// `allkeys` / `~*`.
    #[inline]
    pub(crate) fn allkeys(&self) -> bool {
        self.0[0] & ALL_KEYS != 0
    }

    /// `allchannels` / `&*`.
    #[inline]
    pub(crate) fn allchannels(&self) -> bool {
        self.0[0] & ALL_CHANNELS != 0
    }

    /// True if both are the same shared block (not merely equal).
    #[cfg(test)]
    pub(crate) fn same_block(&self, other: &Patterns) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }

    fn sections(&self) -> (&[u8], &[u8]) {
        let (keys_len, at) = read_varint(&self.0, 1);
        self.0[at..].split_at(keys_len)
    }

    /// The key patterns in insertion order, with their `PERM_*` bits.
    #[inline]
    pub(crate) fn keys(&self) -> impl Iterator<Item = (u8, &[u8])> + Clone {
        KeyIter(self.sections().0).map(|(head, p)| (head & PERMS_MASK, p))
    }

    /// The key patterns with their `PERM_*` bits and [`Shape`], for the check.
    #[inline]
    pub(crate) fn key_checks(&self) -> impl Iterator<Item = (u8, Shape, &[u8])> {
        KeyIter(self.sections().0)
            .map(|(head, p)| (head & PERMS_MASK, Shape::from_bits(head >> SHAPE_SHIFT), p))
    }

    /// The channel patterns in insertion order.
    #[inline]
    pub(crate) fn channels(&self) -> ChannelIter<'_> {
        ChannelIter(self.sections().1)
    }
}

/// Packs patterns into `out` (cleared first), in the layout the module docs describe.
pub(crate) fn pack<'a>(
    out: &mut Vec<u8>,
    allkeys: bool,
    allchannels: bool,
    keys: impl Iterator<Item = (u8, &'a [u8])> + Clone,
    channels: impl Iterator<Item = &'a [u8]>,
) {
    out.clear();
    out.push(if allkeys { ALL_KEYS } else { 0 } | if allchannels { ALL_CHANNELS } else { 0 });
    let keys_len: usize = keys.clone().map(|(_, p)| 1 + varint_len(p.len()) + p.len()).sum();
    write_varint(out, keys_len);
    for (perms, p) in keys {
        debug_assert!(perms & !PERMS_MASK == 0);
        out.push(perms | glob::shape(p).bits() << SHAPE_SHIFT);
        write_varint(out, p.len());
        out.extend_from_slice(p);
    }
    for c in channels {
        write_varint(out, c.len());
        out.extend_from_slice(c);
    }
}

/// Iterates the key section: `(first byte, pattern)`.
#[derive(Clone)]
struct KeyIter<'a>(&'a [u8]);

impl<'a> Iterator for KeyIter<'a> {
    type Item = (u8, &'a [u8]);

    #[inline]
    fn next(&mut self) -> Option<(u8, &'a [u8])> {
        let (&perms, rest) = self.0.split_first()?;
        let (len, at) = read_varint(rest, 0);
        let (pattern, rest) = rest[at..].split_at(len);
        self.0 = rest;
        Some((perms, pattern))
    }
}

/// Iterates the channel section.
#[derive(Clone)]
pub(crate) struct ChannelIter<'a>(&'a [u8]);

impl<'a> Iterator for ChannelIter<'a> {
    type Item = &'a [u8];

    #[inline]
    fn next(&mut self) -> Option<&'a [u8]> {
        if self.0.is_empty() {
            return None;
        }
        let (len, at) = read_varint(self.0, 0);
        let (channel, rest) = self.0[at..].split_at(len);
        self.0 = rest;
        Some(channel)
    }
}

fn varint_len(mut n: usize) -> usize {
    let mut len = 1;
    while n >= 0x80 {
        n >>= 7;
        len += 1;
    }
    len
}

fn write_varint(out: &mut Vec<u8>, mut n: usize) {
    while n >= 0x80 {
        out.push((n as u8 & 0x7f) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

/// Reads a varint at `at`: (value, index after it). Only [`pack`]'s output is ever read.
#[inline]
fn read_varint(b: &[u8], mut at: usize) -> (usize, usize) {
    let mut n = 0usize;
    let mut shift = 0;
    loop {
        let byte = b[at];
        at += 1;
        n |= ((byte & 0x7f) as usize) << shift;
        if byte < 0x80 {
            return (n, at);
        }
        shift += 7;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn packed(allkeys: bool, allchannels: bool, keys: &[(u8, &[u8])], chans: &[&[u8]]) -> Patterns {
        let mut out = Vec::new();
        pack(&mut out, allkeys, allchannels, keys.iter().copied(), chans.iter().copied());
        Patterns::from_packed(out.into())
    }

    #[test]
    fn round_trip() {
        let long = vec![b'x'; 300];
        let p = packed(false, true, &[(1, b"a*"), (3, &long), (2, b"")], &[b"c1", b"", &long]);
        assert!(!p.allkeys());
        assert!(p.allchannels());
        let keys: Vec<(u8, &[u8])> = p.keys().collect();
        assert_eq!(keys, vec![(1, &b"a*"[..]), (3, &long[..]), (2, &b""[..])]);
        let shapes: Vec<Shape> = p.key_checks().map(|(_, shape, _)| shape).collect();
        assert_eq!(shapes, vec![Shape::Prefix, Shape::Literal, Shape::Literal]);
        let chans: Vec<&[u8]> = p.channels().collect();
        assert_eq!(chans, vec![&b"c1"[..], &b""[..], &long[..]]);
        let empty = packed(true, false, &[], &[]);
        assert!(empty.allkeys() && !empty.allchannels());
        assert_eq!(empty.keys().count() + empty.channels().count(), 0);
    }

    #[test]
    fn varints() {
        for n in [0usize, 1, 127, 128, 300, 16_383, 16_384, 1 << 29, usize::MAX >> 1] {
            let mut out = Vec::new();
            write_varint(&mut out, n);
            assert_eq!(out.len(), varint_len(n));
            assert_eq!(read_varint(&out, 0), (n, out.len()));
        }
    }
}
