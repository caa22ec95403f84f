//! The editable form of users and selectors, which ACL rules change.
//!
//! SETUSER copies the user's frozen form into a [`UserDraft`] (or starts a new one), applies
//! the rules left to right, and only if every rule succeeded freezes the draft back
//! (copy-on-write): live connections keep reading the old frozen user until the new one is
//! swapped in, and the frozen parts are interned so users with equal rules share them.

use super::command_rules::CommandPerms;
use super::commands::{table, CommandTable};
use super::category::Category;
use super::error::RuleError;
use super::intern::Interners;
use super::password::{PasswordHash, PasswordList};
use super::pattern_set::PatternSet;
use super::patterns::Patterns;
use super::selector::{Selector, PERM_ALL, PERM_READ, PERM_WRITE};
use super::user::{Sanitize, User};
use crate::redis::cstr::has_spaces;
use crate::redis::resp::split_args;

/// An editable selector.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct SelectorDraft {
    pub(crate) commands: CommandPerms,
    pub(crate) allkeys: bool,
    pub(crate) allchannels: bool,
    /// Key patterns and the `PERM_*` bits each grants (never empty).
    pub(crate) keys: PatternSet<u8>,
    pub(crate) channels: PatternSet<()>,
}

impl SelectorDraft {
    /// A selector with no permissions; `allchannels` per `acl-pubsub-default`.
    pub(crate) fn new(allchannels: bool) -> SelectorDraft {
        SelectorDraft {
            commands: CommandPerms::new(),
            allkeys: false,
            allchannels,
            keys: PatternSet::new(),
            channels: PatternSet::new(),
        }
    }

    /// The editable copy of a frozen selector.
    pub(crate) fn thaw(s: &Selector) -> SelectorDraft {
        SelectorDraft {
            commands: s.commands.perms().clone(),
            allkeys: s.allkeys(),
            allchannels: s.allchannels(),
            keys: thaw_keys(&s.patterns),
            channels: s.patterns.channels().collect(),
        }
    }

    /// The frozen form, its parts shared through `interned`.
    pub(crate) fn freeze(&self, interned: &mut Interners) -> Selector {
        Selector {
            commands: interned.commands(self.commands.clone()),
            patterns: interned.patterns(
                self.allkeys,
                self.allchannels,
                self.keys.iter().map(|(p, &perms)| (perms, p)),
                self.channels.keys(),
            ),
        }
    }

    /// Applies one selector rule (spec §2, "Selector rules"). On error the selector may be
    /// partly changed; callers work on a copy.
    pub(crate) fn apply(&mut self, op: &[u8]) -> Result<(), RuleError> {
        if op.is_empty() {
            // Only reachable from a quoted `""` inside a selector; Redis reads the NUL there.
            return Err(RuleError::Syntax);
        }
        let t = table();
        let is = |w: &str| op.eq_ignore_ascii_case(w.as_bytes());
        if is("allkeys") || is("~*") {
            self.allkeys = true;
            self.keys.clear();
        } else if is("resetkeys") {
            self.allkeys = false;
            self.keys.clear();
        } else if is("allchannels") || is("&*") {
            self.allchannels = true;
            self.channels.clear();
        } else if is("resetchannels") {
            self.allchannels = false;
            self.channels.clear();
        } else if is("allcommands") || is("+@all") {
            self.commands.set_all(true);
        } else if is("nocommands") || is("-@all") {
            self.commands.set_all(false);
        } else if op[0] == b'~' || op[0] == b'%' {
            self.add_key_pattern(op)?;
        } else if op[0] == b'&' {
            if self.allchannels {
                return Err(RuleError::ChannelAfterAll);
            }
            let pat = &op[1..];
            if has_spaces(pat) {
                return Err(RuleError::Syntax);
            }
            self.channels.insert_new(pat, ());
        } else if op[0] == b'+' && op.get(1) != Some(&b'@') {
            self.allow_command_rule(t, &op[1..])?;
        } else if op[0] == b'-' && op.get(1) != Some(&b'@') {
            let cmd = t.lookup_rule_name(&op[1..]).ok_or(RuleError::UnknownCommand)?;
            self.commands.change_perm(cmd, false);
        } else if (op[0] == b'+' || op[0] == b'-') && op.get(1) == Some(&b'@') {
            let cat = Category::from_name(&op[2..]).ok_or(RuleError::UnknownCommand)?;
            self.commands.set_category(t, cat, op[0] == b'+');
        } else {
            return Err(RuleError::Syntax);
        }
        Ok(())
    }

    fn add_key_pattern(&mut self, op: &[u8]) -> Result<(), RuleError> {
        if self.allkeys {
            return Err(RuleError::KeyAfterAll);
        }
        let mut perms = 0u8;
        let mut offset = 1;
        if op[0] == b'%' {
            let mut ok = true;
            while offset < op.len() {
                let c = op[offset].to_ascii_uppercase();
                if c == b'R' && perms & PERM_READ == 0 {
                    perms |= PERM_READ;
                } else if c == b'W' && perms & PERM_WRITE == 0 {
                    perms |= PERM_WRITE;
                } else if op[offset] == b'~' {
                    offset += 1;
                    break;
                } else {
                    ok = false;
                    break;
                }
                offset += 1;
            }
            if perms == 0 || !ok {
                return Err(RuleError::Syntax);
            }
        } else {
            perms = PERM_ALL;
        }
        let pat = &op[offset.min(op.len())..];
        if has_spaces(pat) {
            return Err(RuleError::Syntax);
        }
        match self.keys.get_mut(pat) {
            Some(existing) => *existing |= perms,
            None => {
                self.keys.insert_new(pat, perms);
            }
        }
        self.allkeys = false;
        Ok(())
    }

    fn allow_command_rule(&mut self, t: &CommandTable, name: &[u8]) -> Result<(), RuleError> {
        let Some(bar) = name.iter().rposition(|&b| b == b'|') else {
            let cmd = t.lookup_rule_name(name).ok_or(RuleError::UnknownCommand)?;
            self.commands.change_perm(cmd, true);
            return Ok(());
        };
        let (base, sub) = (&name[..bar], &name[bar + 1..]);
        let cmd = t.lookup_rule_name(base).ok_or(RuleError::UnknownCommand)?;
        if cmd.parent.is_some() {
            return Err(RuleError::FirstArgOfSubcommand);
        }
        if sub.is_empty() {
            return Err(RuleError::Syntax);
        }
        if cmd.is_container() {
            let subcmd = t.lookup_rule_name(name).ok_or(RuleError::UnknownCommand)?;
            self.commands.change_perm(subcmd, true);
        } else {
            self.commands.allow_first_arg(cmd.id, sub);
        }
        Ok(())
    }
}

/// The key patterns of a frozen selector as an editable set (they are already distinct).
fn thaw_keys(p: &Patterns) -> PatternSet<u8> {
    let mut keys = PatternSet::new();
    for (perms, pattern) in p.keys() {
        keys.insert_new(pattern, perms);
    }
    keys
}

/// An editable user (without its name, which the engine's table holds).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct UserDraft {
    pub(crate) enabled: bool,
    pub(crate) nopass: bool,
    pub(crate) sanitize: Option<Sanitize>,
    pub(crate) passwords: PasswordList,
    /// Element 0 is the root selector and always exists.
    pub(crate) selectors: Vec<SelectorDraft>,
}

impl UserDraft {
    /// A new user as Redis creates it: off, no passwords, no commands, no keys, channels per
    /// `acl-pubsub-default`.
    pub(crate) fn new(pubsub_allchannels: bool) -> UserDraft {
        UserDraft {
            enabled: false,
            nopass: false,
            sanitize: None,
            passwords: PasswordList::default(),
            selectors: vec![SelectorDraft::new(pubsub_allchannels)],
        }
    }

    /// The built-in `default` user: `on nopass ~* &* +@all`.
    pub(crate) fn new_default() -> UserDraft {
        let mut u = UserDraft::new(true);
        for rule in [&b"+@all"[..], b"~*", b"&*", b"on", b"nopass"] {
            u.apply(rule, true).expect("the default user's rules are valid");
        }
        u
    }

    /// The editable copy of a frozen user.
    pub(crate) fn thaw(u: &User) -> UserDraft {
        UserDraft {
            enabled: u.enabled,
            nopass: u.nopass,
            sanitize: u.sanitize,
            passwords: PasswordList::from_distinct(&u.passwords),
            selectors: u.selectors.iter().map(SelectorDraft::thaw).collect(),
        }
    }

    /// The frozen form, its parts shared through `interned`; collections sized exactly.
    pub(crate) fn freeze(&self, interned: &mut Interners) -> User {
        User {
            enabled: self.enabled,
            nopass: self.nopass,
            sanitize: self.sanitize,
            passwords: self.passwords.iter().collect(),
            selectors: self.selectors.iter().map(|s| s.freeze(interned)).collect(),
        }
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
            self.passwords.add(hash);
            self.nopass = false;
        } else if op[0] == b'<' || op[0] == b'!' {
            let hash = if op[0] == b'<' {
                PasswordHash::of(&op[1..])
            } else {
                PasswordHash::from_hex(&op[1..]).ok_or(RuleError::BadHash)?
            };
            if !self.passwords.remove(&hash) {
                return Err(RuleError::NoSuchPassword);
            }
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
            self.selectors[0].commands.set_all(false);
        } else {
            self.selectors[0].apply(op)?;
        }
        Ok(())
    }

    /// Builds a `(...)` selector from its inner text, split like a command line. Redis treats
    /// unbalanced quotes as an empty list of rules, so that gives an empty selector.
    fn parse_selector(inner: &[u8], pubsub_allchannels: bool) -> Result<SelectorDraft, RuleError> {
        let mut s = SelectorDraft::new(pubsub_allchannels);
        for rule in split_args(inner).unwrap_or_default() {
            s.apply(&rule)?;
        }
        Ok(s)
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
