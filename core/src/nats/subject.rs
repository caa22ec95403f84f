//! NATS subjects: nats-server's validity rule, whitespace fields and subset matching (the
//! trie that decides permissions is [`super::sublist`]).

/// IsValidSubject: non-empty tokens, no whitespace inside a token, `>` only last.
pub fn is_valid_subject(subject: &[u8]) -> bool {
    if subject.is_empty() {
        return false;
    }
    let mut sfwc = false;
    for t in subject.split(|&b| b == b'.') {
        if t.is_empty() || sfwc {
            return false;
        }
        if t.len() > 1 {
            if t.iter().any(|b| matches!(b, b'\t' | b'\n' | b'\x0c' | b'\r' | b' ')) {
                return false;
            }
            continue;
        }
        match t[0] {
            b'>' => sfwc = true,
            b' ' | b'\t' | b'\n' | b'\r' | b'\x0c' => return false,
            _ => {}
        }
    }
    true
}

/// Whether a subject has a `*` or `>` token.
pub fn has_wildcard(subject: &[u8]) -> bool {
    subject.split(|&b| b == b'.').any(|t| t == b"*" || t == b">")
}

/// strings.Fields: the parts between runs of whitespace.
pub(crate) fn fields(s: &[u8]) -> Vec<&[u8]> {
    match std::str::from_utf8(s) {
        Ok(t) => t.split(char::is_whitespace).filter(|f| !f.is_empty()).map(str::as_bytes).collect(),
        Err(_) => s
            .split(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b'\x0b' | b'\x0c'))
            .filter(|f| !f.is_empty())
            .collect(),
    }
}

/// subjectIsSubsetMatch(subject, test): every subject `subject` matches is matched by `test`.
pub(crate) fn is_subset_match(subject: &[u8], test: &[u8]) -> bool {
    let t1: Vec<&[u8]> = subject.split(|&b| b == b'.').collect();
    let t2: Vec<&[u8]> = test.split(|&b| b == b'.').collect();
    is_subset_match_tokenized(&t1, &t2)
}

fn is_subset_match_tokenized(tokens: &[&[u8]], test: &[&[u8]]) -> bool {
    for (i, t2) in test.iter().enumerate() {
        if i >= tokens.len() {
            return false;
        }
        let t1 = tokens[i];
        if *t2 == b">" {
            return true;
        }
        if t1 == b">" {
            return false;
        }
        if *t2 == b"*" {
            continue;
        }
        if t1 == b"*" {
            return false;
        }
        if t1 != *t2 {
            return false;
        }
    }
    tokens.len() == test.len()
}
