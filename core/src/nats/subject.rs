//! NATS subjects: nats-server's validity rule and its subject trie (`sublist.go`), whose
//! matching decides every permission (a subscription subject is matched as if literal, which
//! is why allow `foo.*` admits a subscription to `foo.>`).

use std::collections::HashMap;

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

#[derive(Default, Debug, Clone)]
struct Node {
    next: Option<Box<Level>>,
    plain: usize,
    queues: Vec<Vec<u8>>,
}

/// FNV-1a: subject tokens are short, and SipHash's setup cost dominated a check.
#[derive(Default, Clone, Copy)]
struct Fnv(u64);

impl std::hash::Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 { 0xcbf2_9ce4_8422_2325 } else { self.0 };
        for &b in bytes {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

type FnvBuild = std::hash::BuildHasherDefault<Fnv>;

#[derive(Default, Debug, Clone)]
struct Level {
    nodes: HashMap<Box<[u8]>, Node, FnvBuild>,
    pwc: Option<Box<Node>>,
    fwc: Option<Box<Node>>,
}

/// What a subject matched: whether any plain entry did, and the queues of the queue entries
/// that did.
#[derive(Default, Debug)]
pub(crate) struct MatchResult<'a> {
    pub plain: bool,
    pub queues: Vec<&'a [u8]>,
}

/// A subject trie of permission entries.
#[derive(Default, Debug, Clone)]
pub(crate) struct Sublist {
    root: Level,
}

impl Sublist {
    /// Inserts an entry (a queue entry when `queue` is given). Entries nats-server's Insert
    /// refuses (empty token, a token after `>`) are skipped, as setPermissions ignores them.
    pub(crate) fn insert(&mut self, subject: &[u8], queue: Option<&[u8]>) {
        let tokens: Vec<&[u8]> = subject.split(|&b| b == b'.').collect();
        let mut sfwc = false;
        for t in &tokens {
            if t.is_empty() || sfwc {
                return;
            }
            if *t == b">" {
                sfwc = true;
            }
        }
        let mut level = &mut self.root;
        let last = tokens.len() - 1;
        for (i, t) in tokens.iter().enumerate() {
            let node: &mut Node = match *t {
                b"*" => level.pwc.get_or_insert_with(Default::default),
                b">" => level.fwc.get_or_insert_with(Default::default),
                _ => level.nodes.entry(Box::from(*t)).or_default(),
            };
            if i == last {
                match queue {
                    Some(q) => node.queues.push(q.to_vec()),
                    None => node.plain += 1,
                }
                return;
            }
            level = node.next.get_or_insert_with(Default::default);
        }
    }

    /// Match: the entries matching `subject`, its tokens taken literally. A subject with an
    /// empty token matches nothing.
    pub(crate) fn matches(&self, subject: &[u8]) -> MatchResult<'_> {
        let mut res = MatchResult::default();
        if subject.is_empty() || subject.last() == Some(&b'.') {
            return res;
        }
        let mut buf: smallvec::SmallVec<[&[u8]; 16]> = smallvec::SmallVec::new();
        for t in subject.split(|&b| b == b'.') {
            if t.is_empty() {
                return res;
            }
            buf.push(t);
        }
        match_level(Some(&self.root), &buf, &mut res);
        res
    }

    /// Whether any plain entry matches (the common publish check).
    pub(crate) fn has_plain_match(&self, subject: &[u8]) -> bool {
        self.matches(subject).plain
    }
}

fn add<'a>(n: &'a Node, res: &mut MatchResult<'a>) {
    if n.plain > 0 {
        res.plain = true;
    }
    res.queues.extend(n.queues.iter().map(Vec::as_slice));
}

fn match_level<'a>(mut l: Option<&'a Level>, toks: &[&[u8]], res: &mut MatchResult<'a>) {
    let mut n: Option<&'a Node> = None;
    let mut pwc: Option<&'a Node> = None;
    for (i, t) in toks.iter().enumerate() {
        let Some(lv) = l else { return };
        if let Some(f) = &lv.fwc {
            add(f, res);
        }
        pwc = lv.pwc.as_deref();
        if let Some(p) = pwc {
            match_level(p.next.as_deref(), &toks[i + 1..], res);
        }
        n = lv.nodes.get(*t);
        l = n.and_then(|n| n.next.as_deref());
    }
    if let Some(n) = n {
        add(n, res);
    }
    if let Some(p) = pwc {
        add(p, res);
    }
}
