//! Redis' glob matcher (`stringmatchlen`), byte for byte.
//!
//! The same matcher decides ACL key and channel patterns, `KEYS` and `PSUBSCRIBE`, so its quirks
//! are part of the wire behaviour and are kept on purpose:
//! - a pattern made only of `*` does not match the empty string (matching only runs while the
//!   subject is non-empty);
//! - `[` classes: `^` negates, `\c` is a literal (compared exactly even in nocase mode), `a-z`
//!   ranges (reversed ranges are swapped and compared as signed C `char`s), `]` right after
//!   `[`/`[^` closes the class at once, and an unterminated class ends at the end of the
//!   pattern;
//! - a trailing lone `\` matches a literal backslash;
//! - every recursing `*` adds a nesting level and past 1000 levels the match fails (the
//!   CVE-2024-31228 fix present in Debian's 7.0.15), which also bounds the work an abusive
//!   pattern can cause, together with the "skip longer matches" cut-off.

/// Deepest `*` nesting allowed before a match is declared failed.
const MAX_NESTING: u32 = 1000;

/// Returns true if `subject` matches the glob `pattern` (case-sensitive, as ACLs use it).
pub fn matches(pattern: &[u8], subject: &[u8]) -> bool {
    let mut skip_longer = false;
    match_impl(pattern, subject, false, &mut skip_longer, 0)
}

/// Like [`matches`] but ASCII case-insensitive (the `nocase` flavour used by some commands).
pub fn matches_nocase(pattern: &[u8], subject: &[u8]) -> bool {
    let mut skip_longer = false;
    match_impl(pattern, subject, true, &mut skip_longer, 0)
}

/// What a pattern needs from the matcher. ACL key patterns are mostly `prefix*` or literal
/// keys; for those, [`matches_shaped`] answers with one comparison instead of the matcher loop.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Shape {
    /// No special character: matches exactly itself.
    Literal = 0,
    /// A literal prefix followed by one or more `*`: matches what starts with the prefix
    /// (the empty string excepted, as the matcher never matches it against a `*`).
    Prefix = 1,
    /// Anything else: the full matcher.
    Glob = 2,
}

impl Shape {
    /// The shape stored as a number (see [`Shape::from_bits`]).
    pub(crate) fn bits(self) -> u8 {
        self as u8
    }

    /// The inverse of [`Shape::bits`].
    pub(crate) fn from_bits(bits: u8) -> Shape {
        match bits {
            0 => Shape::Literal,
            1 => Shape::Prefix,
            _ => Shape::Glob,
        }
    }
}

/// The [`Shape`] of `pattern`.
pub(crate) fn shape(pattern: &[u8]) -> Shape {
    let special = |b: &u8| matches!(b, b'*' | b'?' | b'[' | b'\\');
    let body_end = pattern.iter().rposition(|&b| b != b'*').map_or(0, |i| i + 1);
    let (body, stars) = pattern.split_at(body_end);
    match (body.iter().any(special), stars.is_empty()) {
        (true, _) => Shape::Glob,
        (false, true) => Shape::Literal,
        (false, false) => Shape::Prefix,
    }
}

/// Same answer as [`matches`], using `shape` (which must be `shape(pattern)`) to skip the
/// matcher where a comparison decides.
#[inline]
pub(crate) fn matches_shaped(shape: Shape, pattern: &[u8], subject: &[u8]) -> bool {
    match shape {
        Shape::Literal => pattern.len() == subject.len() && starts_with(subject, pattern),
        Shape::Prefix => {
            let body = pattern.iter().rposition(|&b| b != b'*').map_or(0, |i| i + 1);
            !subject.is_empty() && starts_with(subject, &pattern[..body])
        }
        Shape::Glob => matches(pattern, subject),
    }
}

/// `subject.starts_with(prefix)` as a plain loop: ACL patterns are short and usually differ
/// within a few bytes, where a call to `memcmp` costs more than the comparison.
#[inline]
fn starts_with(subject: &[u8], prefix: &[u8]) -> bool {
    if prefix.len() > subject.len() {
        return false;
    }
    for (a, b) in prefix.iter().zip(subject) {
        if a != b {
            return false;
        }
    }
    true
}

/// Byte at `i`, or 0 past the end: the C code reads the NUL terminator there.
#[inline]
fn at(p: &[u8], i: usize) -> u8 {
    p.get(i).copied().unwrap_or(0)
}

/// C `char` on x86 is signed, and class ranges compare that way.
#[inline]
fn signed(b: u8) -> i32 {
    b as i8 as i32
}

#[inline]
fn fold(b: u8, nocase: bool) -> u8 {
    if nocase {
        b.to_ascii_lowercase()
    } else {
        b
    }
}

fn match_impl(pat: &[u8], s: &[u8], nocase: bool, skip_longer: &mut bool, nesting: u32) -> bool {
    if nesting > MAX_NESTING {
        return false;
    }
    let (mut p, mut si) = (0usize, 0usize);
    while p < pat.len() && si < s.len() {
        match pat[p] {
            b'*' => {
                while p < pat.len() && at(pat, p + 1) == b'*' {
                    p += 1;
                }
                if pat.len() - p == 1 {
                    return true;
                }
                while si < s.len() {
                    if match_impl(&pat[p + 1..], &s[si..], nocase, skip_longer, nesting + 1) {
                        return true;
                    }
                    if *skip_longer {
                        return false;
                    }
                    si += 1;
                }
                // Nothing after this `*` matched any suffix, so earlier `*`s cannot do better
                // by consuming more: stop all backtracking.
                *skip_longer = true;
                return false;
            }
            b'?' => {
                si += 1;
            }
            b'[' => {
                p += 1;
                let negate = at(pat, p) == b'^';
                if negate {
                    p += 1;
                }
                let c = s[si];
                let mut matched = false;
                loop {
                    let remaining = pat.len().saturating_sub(p);
                    let cur = at(pat, p);
                    if cur == b'\\' && remaining >= 2 {
                        p += 1;
                        // An escaped class member is compared exactly, even in nocase mode
                        // (Redis: CONFIG GET '[\M]axclients' matches nothing).
                        if pat[p] == c {
                            matched = true;
                        }
                    } else if cur == b']' && remaining >= 1 {
                        break;
                    } else if remaining == 0 {
                        // Unterminated class: step back so the common advance below lands on
                        // the end of the pattern.
                        p -= 1;
                        break;
                    } else if remaining >= 3 && pat[p + 1] == b'-' {
                        let (mut start, mut end) = (signed(pat[p]), signed(pat[p + 2]));
                        let mut ch = signed(c);
                        if start > end {
                            std::mem::swap(&mut start, &mut end);
                        }
                        if nocase {
                            start = signed(fold(start as u8, true));
                            end = signed(fold(end as u8, true));
                            ch = signed(fold(c, true));
                        }
                        p += 2;
                        if ch >= start && ch <= end {
                            matched = true;
                        }
                    } else if fold(cur, nocase) == fold(c, nocase) {
                        matched = true;
                    }
                    p += 1;
                }
                if negate {
                    matched = !matched;
                }
                if !matched {
                    return false;
                }
                si += 1;
            }
            b'\\' => {
                if pat.len() - p >= 2 {
                    p += 1;
                }
                if fold(pat[p], nocase) != fold(s[si], nocase) {
                    return false;
                }
                si += 1;
            }
            other => {
                if fold(other, nocase) != fold(s[si], nocase) {
                    return false;
                }
                si += 1;
            }
        }
        p += 1;
        if si == s.len() {
            while at(pat, p) == b'*' && p < pat.len() {
                p += 1;
            }
            break;
        }
    }
    p >= pat.len() && si == s.len()
}

#[cfg(test)]
mod tests {
    use super::{matches, matches_nocase, matches_shaped, shape, Shape};

    /// Found by the glob fuzz target (fuzz/src/glob.rs): the core folded the case of
    /// an escaped class member, where Redis compares it exactly (redis-server 7.0.15:
    /// `CONFIG GET '[\M]axclients'` is empty, `'[M]axclients'` and `'[\m]axclients'` match).
    #[test]
    fn nocase_escaped_class_member_is_exact() {
        assert!(!matches_nocase(b"[\\M]axclients", b"maxclients"));
        assert!(matches_nocase(b"[M]axclients", b"maxclients"));
        assert!(matches_nocase(b"[\\m]axclients", b"maxclients"));
        assert!(!matches_nocase(b"*[z?\\h*?", b"H"));
        assert!(matches_nocase(b"*[z?\\h*?", b"h"));
    }

    #[test]
    fn shaped_matching_agrees_with_the_matcher() {
        assert_eq!(shape(b"key:*"), Shape::Prefix);
        assert_eq!(shape(b"**"), Shape::Prefix);
        assert_eq!(shape(b"key:1"), Shape::Literal);
        assert_eq!(shape(b""), Shape::Literal);
        assert_eq!(shape(b"k*y*"), Shape::Glob);
        assert_eq!(shape(b"k\\*"), Shape::Glob);
        // Every pattern and subject of up to 4 bytes over an alphabet with each special.
        let alphabet = [b'a', b'b', b'*', b'?', b'[', b'\\', 0u8];
        let mut words: Vec<Vec<u8>> = vec![vec![]];
        for len in 1..=4 {
            let mut next = Vec::new();
            for w in words.iter().filter(|w| w.len() == len - 1) {
                for &c in &alphabet {
                    let mut v = w.clone();
                    v.push(c);
                    next.push(v);
                }
            }
            words.extend(next);
        }
        let subjects: Vec<&Vec<u8>> = words.iter().filter(|w| w.len() <= 3).collect();
        for p in &words {
            let sh = shape(p);
            for s in &subjects {
                assert_eq!(matches_shaped(sh, p, s), matches(p, s), "{p:?} vs {s:?}");
            }
        }
    }

    #[test]
    fn basics_from_the_spec() {
        assert!(matches(b"h?llo", b"hello"));
        assert!(!matches(b"h?llo", b"hllo"));
        assert!(!matches(b"h?llo", b"HELLO"));
        assert!(matches(b"h[ae]llo2", b"hallo2"));
        assert!(!matches(b"h[ae]llo2", b"hillo2"));
        assert!(matches(b"h[^e]llo3", b"hallo3"));
        assert!(!matches(b"h[^e]llo3", b"hello3"));
        assert!(matches(b"[z-x]q", b"yq"));
        assert!(matches(b"x\\*y", b"x*y"));
        assert!(!matches(b"x\\*y", b"xzy"));
        assert!(matches(b"lit\\?", b"lit?"));
        assert!(!matches(b"lit\\?", b"litx"));
        assert!(!matches(b"u[", b"u"));
        assert!(!matches(b"u[", b"u["));
        assert!(matches(b"v[^]", b"v]"));
        assert!(matches(b"v[^]", b"vx"));
        assert!(!matches(b"v[^]", b"v"));
        assert!(matches(b"br[ab", b"bra"));
        assert!(matches(b"br[ab", b"brb"));
        assert!(matches(b"esc\\", b"esc\\"));
    }

    #[test]
    fn star_quirks() {
        assert!(!matches(b"*", b""));
        assert!(!matches(b"**", b""));
        assert!(matches(b"", b""));
        assert!(!matches(b"", b"a"));
        assert!(matches(b"*", b"anything"));
        assert!(matches(b"a*", b"a"));
        assert!(matches(b"a**", b"a"));
        assert!(matches(b"*a*b", b"xxaxxb"));
        assert!(!matches(b"*a*b", b"xxaxxc"));
        assert!(matches(b"foo:*", b"foo:1"));
        assert!(!matches(b"foo:*", b"bar:1"));
    }

    #[test]
    fn classes() {
        assert!(!matches(b"[]", b"]"));
        assert!(!matches(b"[]", b""));
        // `[a-]z`: the range `]`..`a` (swapped) plus `z`, in one unterminated class.
        assert!(matches(b"[a-]z", b"^"));
        assert!(matches(b"[a-]z", b"z"));
        assert!(!matches(b"[a-]z", b"az"));
        assert!(!matches(b"[a-]z", b"b"));
        assert!(matches(b"[\\]]", b"]"));
        assert!(matches(b"[a-c]", b"b"));
        assert!(!matches(b"[a-c]", b"d"));
        // Bytes >= 0x80 are negative as C chars, so they sort below ASCII.
        assert!(matches(b"[\x80-a]", b"A"));
        assert!(!matches(b"[a-\x80]", b"z"));
    }

    #[test]
    fn nesting_limit() {
        let ok_pat: Vec<u8> = b"*?".repeat(1000);
        assert!(matches(&ok_pat, &b"a".repeat(1000)));
        let bad_pat: Vec<u8> = b"*?".repeat(1001);
        assert!(!matches(&bad_pat, &b"a".repeat(1001)));
    }

    #[test]
    fn abusive_pattern_is_fast() {
        let pat: Vec<u8> = b"*?".repeat(50_000);
        assert!(!matches(&pat, &b"a".repeat(100)));
    }
}
