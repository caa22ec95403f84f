//! A user as connections read it: flags, password digests and selectors, frozen.
//!
//! Kept compact because an engine may hold hundreds of thousands of them: one password digest
//! and one selector live inline, the selectors' parts are shared (see
//! [`intern`](super::intern)), and nothing has spare capacity.

use smallvec::SmallVec;

use super::commands::Command;
use super::password::PasswordHash;
use super::selector::{Denial, DenialKind, KeyCache, Selector};

/// The payload-sanitisation flag a user may carry (at most one).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Sanitize {
    /// `sanitize-payload`
    Sanitize,
    /// `skip-sanitize-payload`
    Skip,
}

/// One frozen ACL user (its name is the engine's; see [`draft`](super::draft) for editing).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct User {
    pub(crate) enabled: bool,
    pub(crate) nopass: bool,
    pub(crate) sanitize: Option<Sanitize>,
    /// SHA-256 digests, in insertion order, no duplicates.
    pub(crate) passwords: SmallVec<[PasswordHash; 1]>,
    /// Element 0 is the root selector and always exists.
    pub(crate) selectors: SmallVec<[Selector; 1]>,
}

impl User {
    /// The root selector.
    pub(crate) fn root(&self) -> &Selector {
        &self.selectors[0]
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
        self.selectors.iter().any(|s| s.allchannels())
    }

    /// All channel patterns over all selectors (Redis' "upcoming" list).
    pub(crate) fn all_channel_patterns(&self) -> Vec<Vec<u8>> {
        self.selectors.iter().flat_map(|s| s.patterns.channels().map(<[u8]>::to_vec)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::super::draft::{merge_selector_args, UserDraft};
    use super::super::error::RuleError;
    use super::super::intern::Interners;
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
        let mut u = UserDraft::new(false);
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

    fn frozen(rules: &[&str], interned: &mut Interners) -> User {
        let mut u = UserDraft::new(false);
        for r in rules {
            u.apply(r.as_bytes(), false).unwrap();
        }
        u.freeze(interned)
    }

    #[test]
    fn passwords() {
        let mut i = Interners::new();
        assert!(!frozen(&[">secret"], &mut i).password_ok(b"secret"), "off users never authenticate");
        let u = frozen(&[">secret", "on"], &mut i);
        assert!(u.password_ok(b"secret"));
        assert!(!u.password_ok(b"other"));
        let u = frozen(&[">secret", "on", "<secret"], &mut i);
        assert!(!u.password_ok(b"secret"), "removing every password does not mean nopass");
        assert!(frozen(&["on", "nopass"], &mut i).password_ok(b""));
        let u = frozen(&["on", ">a", ">b", ">a"], &mut i);
        assert_eq!(u.passwords.len(), 2);
        assert!(u.password_ok(b"a") && u.password_ok(b"b"));
    }

    #[test]
    fn equal_rules_share_their_parts_and_thaw_round_trips() {
        let mut i = Interners::new();
        let a = frozen(&["on", "+get", "+set", "~k:*", "(+ping &c)"], &mut i);
        let b = frozen(&["+set", "on", "+get", "~k:*", "(+ping &c)"], &mut i);
        let c = frozen(&["on", "+get", "~other:*"], &mut i);
        assert!(std::sync::Arc::ptr_eq(&a.root().commands, &b.root().commands));
        assert!(std::sync::Arc::ptr_eq(&a.selectors[1].commands, &b.selectors[1].commands));
        assert!(a.root().patterns.same_block(&b.root().patterns));
        assert_ne!(a.root().patterns, c.root().patterns);
        let thawed = UserDraft::thaw(&a).freeze(&mut i);
        assert_eq!(thawed, a);
        assert!(!c.selectors.spilled() && !c.passwords.spilled(), "one selector and one digest stay inline");
        assert_eq!(a.selectors.capacity(), 2, "no headroom once spilled");
    }
}
