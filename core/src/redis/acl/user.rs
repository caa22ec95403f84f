//! A user: flags, password digests and selectors, and the user-level rules that change them.

use super::error::RuleError;
use super::password::PasswordHash;
use super::selector::{Denial, DenialKind, KeyCache, Selector};
use crate::redis::resp::split_args;
use super::commands::Command;

/// The payload-sanitisation flag a user may carry (at most one).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Sanitize {
    /// `sanitize-payload`
    Sanitize,
    /// `skip-sanitize-payload`
    Skip,
}

/// One ACL user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct User {
    pub(crate) name: Vec<u8>,
    pub(crate) enabled: bool,
    pub(crate) nopass: bool,
    pub(crate) sanitize: Option<Sanitize>,
    pub(crate) passwords: Vec<PasswordHash>,
    /// Element 0 is the root selector and always exists.
    pub(crate) selectors: Vec<Selector>,
}

impl User {
    /// A new user as Redis creates it: off, no passwords, no commands, no keys, channels per
    /// `acl-pubsub-default`.
    pub(crate) fn new(name: &[u8], pubsub_allchannels: bool) -> User {
        User {
            name: name.to_vec(),
            enabled: false,
            nopass: false,
            sanitize: None,
            passwords: Vec::new(),
            selectors: vec![Selector::new(pubsub_allchannels)],
        }
    }

    /// The built-in `default` user: `on nopass ~* &* +@all`.
    pub(crate) fn new_default() -> User {
        let mut u = User::new(b"default", true);
        for rule in [&b"+@all"[..], b"~*", b"&*", b"on", b"nopass"] {
            u.apply(rule, true).expect("the default user's rules are valid");
        }
        u
    }

    pub(crate) fn root(&self) -> &Selector {
        &self.selectors[0]
    }

    /// Applies one (already merged) rule: Redis' `ACLSetUser`.
    pub(crate) fn apply(&mut self, op: &[u8], pubsub_allchannels: bool) -> Result<(), RuleError> {
        if op.is_empty() {
            return Ok(());
        }
        let is = |w: &str| op.eq_ignore_ascii_case(w.as_bytes());
        if is("on") {
            self.enabled = true;
        } else if is("off") {
            self.enabled = false;
        } else if is("skip-sanitize-payload") {
            self.sanitize = Some(Sanitize::Skip);
        } else if is("sanitize-payload") {
            self.sanitize = Some(Sanitize::Sanitize);
        } else if is("nopass") {
            self.nopass = true;
            self.passwords.clear();
        } else if is("resetpass") {
            self.nopass = false;
            self.passwords.clear();
        } else if op[0] == b'>' || op[0] == b'#' {
            let hash = if op[0] == b'>' {
                PasswordHash::of(&op[1..])
            } else {
                PasswordHash::from_hex(&op[1..]).ok_or(RuleError::BadHash)?
            };
            if !self.passwords.contains(&hash) {
                self.passwords.push(hash);
            }
            self.nopass = false;
        } else if op[0] == b'<' || op[0] == b'!' {
            let hash = if op[0] == b'<' {
                PasswordHash::of(&op[1..])
            } else {
                PasswordHash::from_hex(&op[1..]).ok_or(RuleError::BadHash)?
            };
            let pos = self.passwords.iter().position(|p| *p == hash);
            self.passwords.remove(pos.ok_or(RuleError::NoSuchPassword)?);
        } else if op[0] == b'(' && op[op.len() - 1] == b')' {
            let selector = Self::parse_selector(&op[1..op.len() - 1], pubsub_allchannels)?;
            self.selectors.push(selector);
        } else if is("clearselectors") {
            self.selectors.truncate(1);
        } else if is("reset") {
            self.nopass = false;
            self.passwords.clear();
            let root = &mut self.selectors[0];
            root.allkeys = false;
            root.keys.clear();
            root.allchannels = pubsub_allchannels;
            root.channels.clear();
            self.enabled = false;
            self.sanitize = Some(Sanitize::Sanitize);
            self.selectors.truncate(1);
            self.selectors[0].set_all(false);
        } else {
            self.selectors[0].apply(op)?;
        }
        Ok(())
    }

    /// Builds a `(...)` selector from its inner text, split like a command line. Redis treats
    /// unbalanced quotes as an empty list of rules, so that gives an empty selector.
    fn parse_selector(inner: &[u8], pubsub_allchannels: bool) -> Result<Selector, RuleError> {
        let mut s = Selector::new(pubsub_allchannels);
        for rule in split_args(inner).unwrap_or_default() {
            s.apply(&rule)?;
        }
        Ok(s)
    }

    /// Redis' `ACLCheckAllUserCommandPerm`: the first selector that allows everything wins;
    /// otherwise report the highest-ranked denial (command < key < channel), and among equal
    /// kinds the one at the larger argument position.
    pub(crate) fn check<A: AsRef<[u8]>>(&self, cmd: &Command, argv: &[A]) -> Result<(), Denial> {
        let mut cache = KeyCache::new();
        let mut worst = Denial { kind: DenialKind::Command, pos: 0 };
        for s in &self.selectors {
            match s.check(cmd, argv, &mut cache) {
                Ok(()) => return Ok(()),
                Err(d) => {
                    if d.kind > worst.kind || (d.kind == worst.kind && d.pos > worst.pos) {
                        worst = d;
                    }
                }
            }
        }
        Err(worst)
    }

    /// Redis' password check: off → fail; nopass → pass; otherwise one hash of the candidate
    /// compared in constant time with every stored digest.
    pub(crate) fn password_ok(&self, password: &[u8]) -> bool {
        if !self.enabled {
            return false;
        }
        if self.nopass {
            return true;
        }
        let candidate = PasswordHash::of(password);
        let mut ok = false;
        for p in &self.passwords {
            ok |= p.ct_eq(&candidate);
        }
        ok
    }

    /// Flag names in Redis' fixed order.
    pub(crate) fn flag_names(&self) -> Vec<&'static str> {
        let mut v = vec![if self.enabled { "on" } else { "off" }];
        if self.nopass {
            v.push("nopass");
        }
        match self.sanitize {
            Some(Sanitize::Skip) => v.push("skip-sanitize-payload"),
            Some(Sanitize::Sanitize) => v.push("sanitize-payload"),
            None => {}
        }
        v
    }

    /// True if any selector has `allchannels`.
    pub(crate) fn any_allchannels(&self) -> bool {
        self.selectors.iter().any(|s| s.allchannels)
    }

    /// All channel patterns over all selectors (Redis' "upcoming" list).
    pub(crate) fn all_channel_patterns(&self) -> Vec<Vec<u8>> {
        self.selectors.iter().flat_map(|s| s.channels.iter().cloned()).collect()
    }
}

/// Redis' `ACLMergeSelectorArguments`: joins `(`-opened arguments with single spaces until one
/// ends with `)`. A nested `(` restarts the selector (7.0 behaviour). Err(index) of the opening
/// argument if a selector is never closed.
pub(crate) fn merge_selector_args<A: AsRef<[u8]>>(args: &[A]) -> Result<Vec<Vec<u8>>, usize> {
    let mut out = Vec::with_capacity(args.len());
    let mut open: Option<(usize, Vec<u8>)> = None;
    for (j, arg) in args.iter().enumerate() {
        let op = arg.as_ref();
        if op.first() == Some(&b'(') && op.last() != Some(&b')') {
            open = Some((j, op.to_vec()));
            continue;
        }
        if let Some((_, sel)) = open.as_mut() {
            // Redis appends with `%s`, so a NUL ends what is appended, while the `)` test
            // still looks at the argument's real last byte.
            sel.push(b' ');
            sel.extend_from_slice(crate::redis::cstr::c_str(op));
            if op.last() == Some(&b')') {
                out.push(open.take().map(|(_, s)| s).unwrap_or_default());
            }
            continue;
        }
        out.push(op.to_vec());
    }
    match open {
        Some((j, _)) => Err(j),
        None => Ok(out),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merging() {
        let m = merge_selector_args(&["on", "(+get", "~x)", "(+set)"]).unwrap();
        assert_eq!(m, vec![b"on".to_vec(), b"(+get ~x)".to_vec(), b"(+set)".to_vec()]);
        assert_eq!(merge_selector_args(&["(+get", "~x"]).unwrap_err(), 0);
        let m = merge_selector_args(&["(+PING", "(+SELECT", "(+DEL", ")"]).unwrap();
        assert_eq!(m, vec![b"(+DEL )".to_vec()]);
        let m = merge_selector_args(&["(+get", "(~x)"]).unwrap();
        assert_eq!(m, vec![b"(+get (~x)".to_vec()]);
        let m = merge_selector_args(&[&b"(+get"[..], b"&k\0)"]).unwrap();
        assert_eq!(m, vec![b"(+get &k".to_vec()]);
    }

    #[test]
    fn user_rules() {
        let mut u = User::new(b"u", false);
        for r in ["on", ">p1", "(+get ~a)", "clearselectors", "nopass", "reset"] {
            u.apply(r.as_bytes(), false).unwrap();
        }
        assert!(!u.enabled);
        assert_eq!(u.sanitize, Some(Sanitize::Sanitize));
        assert_eq!(u.selectors.len(), 1);
        assert_eq!(u.apply(b"<nothere", false), Err(RuleError::NoSuchPassword));
        assert_eq!(u.apply(b"#abc", false), Err(RuleError::BadHash));
        assert_eq!(u.apply(b"(on)", false), Err(RuleError::Syntax));
        assert_eq!(u.apply(b"(reset)", false), Err(RuleError::Syntax));
        assert_eq!(u.apply(b" () ", false), Err(RuleError::Syntax));
        assert_eq!(u.apply(b")", false), Err(RuleError::Syntax));
        assert!(u.apply(b"()", false).is_ok());
    }

    #[test]
    fn passwords() {
        let mut u = User::new(b"u", false);
        u.apply(b">secret", false).unwrap();
        assert!(!u.password_ok(b"secret"), "off users never authenticate");
        u.apply(b"on", false).unwrap();
        assert!(u.password_ok(b"secret"));
        assert!(!u.password_ok(b"other"));
        u.apply(b"<secret", false).unwrap();
        assert!(!u.password_ok(b"secret"), "removing every password does not mean nopass");
        u.apply(b"nopass", false).unwrap();
        assert!(u.password_ok(b""));
    }
}
