//! A selector: one set of command, key and channel permissions.
//!
//! Every user has a root selector (its top-level rules) and zero or more `(...)` selectors.
//! A command is allowed if one selector allows the command and all of its keys and channels.

use std::collections::BTreeMap;

use super::category::Category;
use super::commands::{table, ChannelArgs, Command, CommandTable};
use super::error::RuleError;
use crate::redis::cstr::{c_str as cstr, has_spaces};
use super::glob;
use super::keys::{self, Keys, KEY_ACCESS, KEY_DELETE, KEY_INSERT, KEY_UPDATE};

/// Words in a command bitmap; ids stay below [`FUTURE_COMMANDS_BIT`].
const WORDS: usize = 6;
/// The reserved bit only `+@all`/`allcommands` sets: "commands added in the future". It decides
/// whether a description starts from `+@all` or `-@all`.
pub(crate) const FUTURE_COMMANDS_BIT: usize = WORDS * 64 - 1;

/// Key permission: read.
pub const PERM_READ: u8 = 1;
/// Key permission: write.
pub const PERM_WRITE: u8 = 2;
/// Key permission: read and write.
pub const PERM_ALL: u8 = PERM_READ | PERM_WRITE;

/// A key pattern and the permissions it grants.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyPattern {
    /// The glob.
    pub pattern: Vec<u8>,
    /// `PERM_*` bits (never empty).
    pub perms: u8,
}

/// Why a selector denied a command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum DenialKind {
    /// The command (or subcommand) is not allowed.
    Command = 1,
    /// A key is not allowed.
    Key = 2,
    /// A channel is not allowed.
    Channel = 4,
}

impl DenialKind {
    /// The name ACL LOG gives it as `reason`: `command`, `key` or `channel`.
    pub fn as_str(self) -> &'static str {
        match self {
            DenialKind::Command => "command",
            DenialKind::Key => "key",
            DenialKind::Channel => "channel",
        }
    }
}

/// A permission denial: the kind and the argv position of the offending key or channel (0 for
/// commands).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Denial {
    /// What was denied.
    pub kind: DenialKind,
    /// Offending argument index.
    pub pos: usize,
}

/// One selector.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Selector {
    bits: [u64; WORDS],
    pub(crate) allcommands: bool,
    pub(crate) allkeys: bool,
    pub(crate) allchannels: bool,
    /// Deprecated `+cmd|firstarg` rules: command id -> allowed first arguments.
    pub(crate) firstargs: BTreeMap<usize, Vec<Vec<u8>>>,
    pub(crate) keys: Vec<KeyPattern>,
    pub(crate) channels: Vec<Vec<u8>>,
}

/// Keys are extracted at most once per check, even with several selectors.
pub(crate) struct KeyCache(Option<Keys>);

impl KeyCache {
    pub(crate) fn new() -> KeyCache {
        KeyCache(None)
    }
}


impl Selector {
    /// A selector with no permissions; `allchannels` per `acl-pubsub-default`.
    pub(crate) fn new(allchannels: bool) -> Selector {
        Selector {
            bits: [0; WORDS],
            allcommands: false,
            allkeys: false,
            allchannels,
            firstargs: BTreeMap::new(),
            keys: Vec::new(),
            channels: Vec::new(),
        }
    }

    #[inline]
    pub(crate) fn bit(&self, id: usize) -> bool {
        self.bits[id / 64] & (1 << (id % 64)) != 0
    }

    fn set_bit(&mut self, id: usize, on: bool) {
        if on {
            self.bits[id / 64] |= 1 << (id % 64);
        } else {
            self.bits[id / 64] &= !(1 << (id % 64));
            self.allcommands = false;
        }
    }

    pub(crate) fn can_run_future_commands(&self) -> bool {
        self.bit(FUTURE_COMMANDS_BIT)
    }

    /// Redis' `ACLChangeSelectorPerm`: a command, all its subcommands, and its first-args reset.
    pub(crate) fn change_perm(&mut self, cmd: &Command, allow: bool) {
        self.set_bit(cmd.id, allow);
        self.firstargs.remove(&cmd.id);
        for &sub in &cmd.subcommands {
            self.set_bit(sub, allow);
        }
    }

    pub(crate) fn set_all(&mut self, allow: bool) {
        self.bits = if allow { [u64::MAX; WORDS] } else { [0; WORDS] };
        self.allcommands = allow;
        self.firstargs.clear();
    }

    pub(crate) fn set_category(&mut self, t: &CommandTable, cat: Category, allow: bool) {
        for &id in t.members(cat) {
            self.change_perm(t.get(id), allow);
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
            self.set_all(true);
        } else if is("nocommands") || is("-@all") {
            self.set_all(false);
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
            if !self.channels.iter().any(|c| c == pat) {
                self.channels.push(pat.to_vec());
            }
        } else if op[0] == b'+' && op.get(1) != Some(&b'@') {
            self.allow_command_rule(t, &op[1..])?;
        } else if op[0] == b'-' && op.get(1) != Some(&b'@') {
            let cmd = t.lookup_rule_name(&op[1..]).ok_or(RuleError::UnknownCommand)?;
            self.change_perm(cmd, false);
        } else if (op[0] == b'+' || op[0] == b'-') && op.get(1) == Some(&b'@') {
            let cat = Category::from_name(&op[2..]).ok_or(RuleError::UnknownCommand)?;
            self.set_category(t, cat, op[0] == b'+');
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
        match self.keys.iter_mut().find(|k| k.pattern == pat) {
            Some(existing) => existing.perms |= perms,
            None => self.keys.push(KeyPattern { pattern: pat.to_vec(), perms }),
        }
        self.allkeys = false;
        Ok(())
    }

    fn allow_command_rule(&mut self, t: &CommandTable, name: &[u8]) -> Result<(), RuleError> {
        let Some(bar) = name.iter().rposition(|&b| b == b'|') else {
            let cmd = t.lookup_rule_name(name).ok_or(RuleError::UnknownCommand)?;
            self.change_perm(cmd, true);
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
            self.change_perm(subcmd, true);
        } else {
            let list = self.firstargs.entry(cmd.id).or_default();
            if !list.iter().any(|a| a.eq_ignore_ascii_case(sub)) {
                list.push(sub.to_vec());
            }
        }
        Ok(())
    }

    /// Redis' `ACLSelectorCheckCmd`.
    pub(crate) fn check<A: AsRef<[u8]>>(
        &self,
        cmd: &Command,
        argv: &[A],
        cache: &mut KeyCache,
    ) -> Result<(), Denial> {
        if !self.allcommands && !cmd.is_no_auth() && !self.bit(cmd.id) {
            let allowed = argv.len() >= 2
                && self.firstargs.get(&cmd.id).is_some_and(|list| {
                    let idx = if cmd.parent.is_some() { 2 } else { 1 };
                    argv.get(idx).is_some_and(|a| {
                        list.iter().any(|f| f.eq_ignore_ascii_case(cstr(a.as_ref())))
                    })
                });
            if !allowed {
                return Err(Denial { kind: DenialKind::Command, pos: 0 });
            }
        }
        if !self.allkeys && cmd.has_keys {
            let keys = cache.0.get_or_insert_with(|| keys::extract(cmd, argv));
            for k in keys.iter() {
                if !self.key_allowed(argv[k.pos].as_ref(), k.flags) {
                    return Err(Denial { kind: DenialKind::Key, pos: k.pos });
                }
            }
        }
        if !self.allchannels {
            if let Some(kind) = cmd.channels {
                let end = if kind == ChannelArgs::Publish { 2.min(argv.len()) } else { argv.len() };
                let literal = kind == ChannelArgs::PatternSubscribe;
                for (pos, ch) in argv.iter().enumerate().take(end) {
                    if pos > 0 && !channel_in_list(&self.channels, ch.as_ref(), literal) {
                        return Err(Denial { kind: DenialKind::Channel, pos });
                    }
                }
            }
        }
        Ok(())
    }

    /// Redis' `ACLSelectorCheckKey`.
    #[inline]
    fn key_allowed(&self, key: &[u8], spec_flags: u16) -> bool {
        let mut need = 0u8;
        if spec_flags & KEY_ACCESS != 0 {
            need |= PERM_READ;
        }
        if spec_flags & (KEY_INSERT | KEY_DELETE | KEY_UPDATE) != 0 {
            need |= PERM_WRITE;
        }
        self.keys.iter().any(|p| p.perms & need == need && glob::matches(&p.pattern, key))
    }

    /// True if this selector grants unrestricted reads (allkeys or a literal `*` with R), which
    /// SORT's BY/GET options require.
    pub(crate) fn has_unrestricted_read(&self) -> bool {
        self.allkeys || self.keys.iter().any(|k| k.pattern == b"*" && k.perms & PERM_READ != 0)
    }
}


/// Redis' `ACLCheckChannelAgainstList`: patterns (PSUBSCRIBE) are compared literally, channels
/// glob-matched.
pub(crate) fn channel_in_list(list: &[Vec<u8>], channel: &[u8], literal: bool) -> bool {
    if literal {
        let ch = cstr(channel);
        list.iter().any(|p| p.as_slice() == ch)
    } else {
        list.iter().any(|p| glob::matches(p, channel))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sel(rules: &[&str]) -> Result<Selector, RuleError> {
        let mut s = Selector::new(false);
        for r in rules {
            s.apply(r.as_bytes())?;
        }
        Ok(s)
    }

    fn check(s: &Selector, argv: &[&str]) -> Result<(), Denial> {
        let argv: Vec<&[u8]> = argv.iter().map(|a| a.as_bytes()).collect();
        let cmd = table().resolve(&argv).unwrap();
        s.check(cmd, &argv, &mut KeyCache::new())
    }

    #[test]
    fn key_permissions() {
        let s = sel(&["+@all", "%R~r*", "%W~w*"]).unwrap();
        assert!(check(&s, &["get", "w1"]).is_err());
        assert!(check(&s, &["set", "w1", "v"]).is_ok());
        assert!(check(&s, &["set", "w1", "v", "get"]).is_err());
        assert_eq!(check(&s, &["mget", "r1", "r2", "w1"]).unwrap_err().pos, 3);
        assert!(check(&s, &["exists", "r1", "w1"]).is_ok());
        assert!(check(&s, &["copy", "r1", "w1"]).is_ok());
        assert!(check(&s, &["keys", "*"]).is_ok());
    }

    #[test]
    fn rule_errors() {
        assert_eq!(sel(&["%~x"]).unwrap_err(), RuleError::Syntax);
        assert_eq!(sel(&["%"]).unwrap_err(), RuleError::Syntax);
        assert_eq!(sel(&["%RR~x"]).unwrap_err(), RuleError::Syntax);
        assert_eq!(sel(&["allkeys", "~x"]).unwrap_err(), RuleError::KeyAfterAll);
        assert_eq!(sel(&["allkeys", "%X~x"]).unwrap_err(), RuleError::KeyAfterAll);
        assert_eq!(sel(&["&*", "&x"]).unwrap_err(), RuleError::ChannelAfterAll);
        assert_eq!(sel(&["+nosuch"]).unwrap_err(), RuleError::UnknownCommand);
        assert_eq!(sel(&["+"]).unwrap_err(), RuleError::UnknownCommand);
        assert_eq!(sel(&["+@"]).unwrap_err(), RuleError::UnknownCommand);
        assert_eq!(sel(&["-select|0"]).unwrap_err(), RuleError::UnknownCommand);
        assert_eq!(sel(&["+get|"]).unwrap_err(), RuleError::Syntax);
        assert_eq!(sel(&["+config|get|x"]).unwrap_err(), RuleError::FirstArgOfSubcommand);
        assert_eq!(sel(&["+get|x|y"]).unwrap_err(), RuleError::UnknownCommand);
        assert_eq!(sel(&["~a b"]).unwrap_err(), RuleError::Syntax);
        assert_eq!(sel(&["on"]).unwrap_err(), RuleError::Syntax);
        let s = sel(&["%R"]).unwrap();
        assert_eq!(s.keys, vec![KeyPattern { pattern: vec![], perms: PERM_READ }]);
    }

    #[test]
    fn first_args_and_channels() {
        let s = sel(&["+select|0", "+publish", "&chan:*"]).unwrap();
        assert!(check(&s, &["select", "0"]).is_ok());
        assert!(check(&s, &["select", "1"]).is_err());
        assert!(check(&s, &["publish", "chan:1", "m"]).is_ok());
        assert!(check(&s, &["psubscribe", "chan:*"]).is_err());
        let s = sel(&["+@all", "&chan:*"]).unwrap();
        assert!(check(&s, &["psubscribe", "chan:*"]).is_ok());
        assert_eq!(check(&s, &["psubscribe", "chan:1*"]).unwrap_err().kind, DenialKind::Channel);
        assert_eq!(check(&s, &["subscribe", "chan:1", "x"]).unwrap_err().pos, 2);
    }
}
