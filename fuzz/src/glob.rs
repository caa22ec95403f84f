//! The glob matcher of ACL key/channel patterns, KEYS and PSUBSCRIBE, differential against a
//! reference written here from Redis 7.0's `stringmatchlen` contract, independent of the
//! core's code: the pattern is first read into tokens (the pattern's parse never depends on
//! the subject), then matched by dynamic programming over (token, subject position) instead
//! of the core's backtracking. Input: pattern, a 0xFF byte, subject; both case modes.

/// One element of a pattern.
#[derive(Debug)]
enum Token {
    /// A run of `*`: any bytes, none included.
    Star,
    /// `?`: one byte.
    Any,
    /// A literal byte (`\x` is `x`; a trailing lone `\` is itself).
    Byte(u8),
    /// `[...]` / `[^...]`.
    Class { negated: bool, items: Vec<ClassItem> },
}

#[derive(Debug)]
enum ClassItem {
    /// A byte (case-folded in nocase mode).
    Byte(u8),
    /// `\x`: compared exactly even in nocase mode, as Redis does.
    Escaped(u8),
    /// `a-z`; bounds compared as C's signed `char`, swapped when reversed.
    Range(u8, u8),
}

fn tokens(p: &[u8]) -> Vec<Token> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < p.len() {
        match p[i] {
            b'*' => {
                while i < p.len() && p[i] == b'*' {
                    i += 1;
                }
                out.push(Token::Star);
                continue;
            }
            b'?' => out.push(Token::Any),
            b'\\' if i + 1 < p.len() => {
                i += 1;
                out.push(Token::Byte(p[i]));
            }
            b'[' => {
                i += 1;
                let negated = p.get(i) == Some(&b'^');
                if negated {
                    i += 1;
                }
                let mut items = Vec::new();
                // The class ends at `]` (even first) or at the end of the pattern.
                while i < p.len() && p[i] != b']' {
                    let left = p.len() - i;
                    if p[i] == b'\\' && left >= 2 {
                        items.push(ClassItem::Escaped(p[i + 1]));
                        i += 2;
                    } else if left >= 3 && p[i + 1] == b'-' {
                        // The range's end may be `]`: it does not close the class then.
                        items.push(ClassItem::Range(p[i], p[i + 2]));
                        i += 3;
                    } else {
                        items.push(ClassItem::Byte(p[i]));
                        i += 1;
                    }
                }
                out.push(Token::Class { negated, items });
            }
            b => out.push(Token::Byte(b)),
        }
        i += 1;
    }
    out
}

fn fold(b: u8, nocase: bool) -> u8 {
    if nocase {
        b.to_ascii_lowercase()
    } else {
        b
    }
}

fn in_class(items: &[ClassItem], c: u8, nocase: bool) -> bool {
    items.iter().any(|item| match *item {
        ClassItem::Byte(b) => fold(b, nocase) == fold(c, nocase),
        ClassItem::Escaped(b) => b == c,
        ClassItem::Range(a, z) => {
            let (mut lo, mut hi) = (a as i8, z as i8);
            if lo > hi {
                std::mem::swap(&mut lo, &mut hi);
            }
            let (lo, hi, c) = if nocase {
                (fold(lo as u8, true) as i8, fold(hi as u8, true) as i8, fold(c, true) as i8)
            } else {
                (lo, hi, c as i8)
            };
            lo <= c && c <= hi
        }
    })
}

/// The reference: an empty subject matches only the empty pattern (Redis matches only while
/// the subject is non-empty); otherwise the usual glob semantics over the tokens.
fn reference(pattern: &[u8], subject: &[u8], nocase: bool) -> bool {
    let t = tokens(pattern);
    if subject.is_empty() {
        return t.is_empty();
    }
    let (n, m) = (t.len(), subject.len());
    // ok[i][j]: tokens i.. match subject j..
    let mut ok = vec![vec![false; m + 1]; n + 1];
    ok[n][m] = true;
    for i in (0..n).rev() {
        for j in (0..=m).rev() {
            ok[i][j] = match &t[i] {
                Token::Star => ok[i + 1][j] || (j < m && ok[i][j + 1]),
                _ if j == m => false,
                Token::Any => ok[i + 1][j + 1],
                Token::Byte(b) => fold(*b, nocase) == fold(subject[j], nocase) && ok[i + 1][j + 1],
                Token::Class { negated, items } => {
                    in_class(items, subject[j], nocase) != *negated && ok[i + 1][j + 1]
                }
            };
        }
    }
    ok[0][0]
}

/// One input of the target: returns normally or panics with what went wrong.
pub fn run(data: &[u8]) {
    let (pattern, subject) = match data.iter().position(|&b| b == 0xFF) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &b"fuzz:key"[..]),
    };
    // Past 1000 nested `*` Redis gives up (CVE-2024-31228); patterns this short stay under.
    if pattern.len() > 1000 || subject.len() > 1000 {
        return;
    }
    assert_eq!(
        authgate::acl::glob::matches(pattern, subject),
        reference(pattern, subject, false),
        "pattern {:?} subject {:?}",
        String::from_utf8_lossy(pattern),
        String::from_utf8_lossy(subject)
    );
    assert_eq!(
        authgate::acl::glob::matches_nocase(pattern, subject),
        reference(pattern, subject, true),
        "nocase: pattern {:?} subject {:?}",
        String::from_utf8_lossy(pattern),
        String::from_utf8_lossy(subject)
    );
}
