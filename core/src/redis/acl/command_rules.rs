//! The command half of a selector: which commands it may run.
//!
//! [`CommandPerms`] is the editable form the rules change (a bitmap of command ids plus the
//! deprecated `+cmd|firstarg` lists). Once a SETUSER is applied it is frozen into a
//! [`CommandRules`], interned: every selector with the same command rules shares one, and its
//! canonical description (the expensive part of ACL LIST and GETUSER) is computed once for
//! all of them. A change to a user builds a new `CommandRules` (copy-on-write), so a cached
//! description can never be stale.

use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};
use std::sync::OnceLock;

use smallvec::SmallVec;

use super::category::Category;
use super::commands::{Command, CommandTable};
use super::pattern_set::PatternSet;
use crate::redis::cstr::c_str;

/// Words in a command bitmap; ids stay below [`FUTURE_COMMANDS_BIT`].
const WORDS: usize = 6;
/// The reserved bit only `+@all`/`allcommands` sets: "commands added in the future". It decides
/// whether a description starts from `+@all` or `-@all`.
pub(crate) const FUTURE_COMMANDS_BIT: usize = WORDS * 64 - 1;

/// Editable command permissions (Redis' `allowed_commands` and `allowed_firstargs`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct CommandPerms {
    bits: [u64; WORDS],
    /// Set by `+@all`/`allcommands`, cleared by any removal: every command, checked first.
    pub(crate) allcommands: bool,
    /// Deprecated `+cmd|firstarg` rules: command id -> allowed first arguments, indexed by
    /// their ASCII-lowercased form (Redis compares them with `strcasecmp`), each keeping the
    /// spelling it was first given in.
    pub(crate) firstargs: BTreeMap<usize, PatternSet<Vec<u8>>>,
}

impl CommandPerms {
    /// No command allowed.
    pub(crate) fn new() -> CommandPerms {
        CommandPerms { bits: [0; WORDS], allcommands: false, firstargs: BTreeMap::new() }
    }

    /// True if the command (or subcommand) with this id is allowed by its bit.
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

    /// True if `+@all` was the last word on the reserved bit: the description is subtractive.
    pub(crate) fn can_run_future_commands(&self) -> bool {
        self.bit(FUTURE_COMMANDS_BIT)
    }

    /// Redis' `ACLChangeSelectorPerm`: a command, all its subcommands, and its first-args reset.
    pub(crate) fn change_perm(&mut self, cmd: &Command, allow: bool) {
        self.set_bit(cmd.id, allow);
        if !self.firstargs.is_empty() {
            self.firstargs.remove(&cmd.id);
        }
        for &sub in &cmd.subcommands {
            self.set_bit(sub, allow);
        }
    }

    /// `+@all` / `-@all`.
    pub(crate) fn set_all(&mut self, allow: bool) {
        self.bits = if allow { [u64::MAX; WORDS] } else { [0; WORDS] };
        self.allcommands = allow;
        self.firstargs.clear();
    }

    /// `+@category` / `-@category`.
    pub(crate) fn set_category(&mut self, t: &CommandTable, cat: Category, allow: bool) {
        for &id in t.members(cat) {
            self.change_perm(t.get(id), allow);
        }
    }

    /// `+cmd|firstarg`: allows `cmd` when its first argument is `arg` (case-insensitive).
    pub(crate) fn allow_first_arg(&mut self, cmd_id: usize, arg: &[u8]) {
        let list = self.firstargs.entry(cmd_id).or_default();
        list.insert_new(&arg.to_ascii_lowercase(), arg.to_vec());
    }

    /// The command part of Redis' `ACLSelectorCheckCmd`.
    #[inline]
    pub(crate) fn allows<A: AsRef<[u8]>>(&self, cmd: &Command, argv: &[A]) -> bool {
        if self.allcommands || cmd.is_no_auth() || self.bit(cmd.id) {
            return true;
        }
        argv.len() >= 2
            && self.firstargs.get(&cmd.id).is_some_and(|list| {
                let idx = if cmd.parent.is_some() { 2 } else { 1 };
                argv.get(idx).is_some_and(|a| {
                    let lower: SmallVec<[u8; 32]> =
                        c_str(a.as_ref()).iter().map(u8::to_ascii_lowercase).collect();
                    list.contains(&lower)
                })
            })
    }
}

/// Frozen, shared command permissions with their description cached on first use.
#[derive(Debug)]
pub(crate) struct CommandRules {
    perms: CommandPerms,
    description: OnceLock<Box<[u8]>>,
}

impl CommandRules {
    /// Freezes `perms`; the description is computed when first asked for.
    pub(crate) fn new(perms: CommandPerms) -> CommandRules {
        CommandRules { perms, description: OnceLock::new() }
    }

    /// The permissions.
    #[inline]
    pub(crate) fn perms(&self) -> &CommandPerms {
        &self.perms
    }

    /// The canonical command rules (`-@all +get ...`), computed once per distinct rule set.
    pub(crate) fn description(&self) -> &[u8] {
        self.description
            .get_or_init(|| super::describe::describe_commands(&self.perms).into_boxed_slice())
    }
}

impl PartialEq for CommandRules {
    fn eq(&self, other: &CommandRules) -> bool {
        self.perms == other.perms
    }
}

impl Eq for CommandRules {}

impl Hash for CommandRules {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.perms.hash(state);
    }
}
