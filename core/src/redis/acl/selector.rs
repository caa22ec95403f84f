//! A selector as the permission check reads it: one set of command, key and channel
//! permissions, frozen and shared.
//!
//! Every user has a root selector (its top-level rules) and zero or more `(...)` selectors.
//! A command is allowed if one selector allows the command and all of its keys and channels.
//! Rules are applied to the editable form in [`draft`](super::draft); SETUSER then freezes it
//! into this one, whose parts are interned.

use std::sync::Arc;

use super::command_rules::CommandRules;
use super::commands::{ChannelArgs, Command};
use super::glob;
use super::keys::{self, Keys, KEY_ACCESS, KEY_DELETE, KEY_INSERT, KEY_UPDATE};
use super::patterns::Patterns;
use crate::redis::cstr::c_str as cstr;

/// Key permission: read.
pub const PERM_READ: u8 = 1;
/// Key permission: write.
pub const PERM_WRITE: u8 = 2;
/// Key permission: read and write.
pub const PERM_ALL: u8 = PERM_READ | PERM_WRITE;

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

/// One frozen selector: interned command rules and packed, interned patterns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Selector {
    pub(crate) commands: Arc<CommandRules>,
    pub(crate) patterns: Patterns,
}

/// Keys are extracted at most once per check, even with several selectors.
pub(crate) struct KeyCache(Option<Keys>);

impl KeyCache {
    pub(crate) fn new() -> KeyCache {
        KeyCache(None)
    }
}

impl Selector {
    /// `allkeys`.
    pub(crate) fn allkeys(&self) -> bool {
        self.patterns.allkeys()
    }

    /// `allchannels`.
    pub(crate) fn allchannels(&self) -> bool {
        self.patterns.allchannels()
    }

    /// Redis' `ACLSelectorCheckCmd`.
    pub(crate) fn check<A: AsRef<[u8]>>(
        &self,
        cmd: &Command,
        argv: &[A],
        cache: &mut KeyCache,
    ) -> Result<(), Denial> {
        if !self.commands.perms().allows(cmd, argv) {
            return Err(Denial { kind: DenialKind::Command, pos: 0 });
        }
        if cmd.has_keys && !self.patterns.allkeys() {
            let keys = cache.0.get_or_insert_with(|| keys::extract(cmd, argv));
            for k in keys.iter() {
                if !self.key_allowed(argv[k.pos].as_ref(), k.flags) {
                    return Err(Denial { kind: DenialKind::Key, pos: k.pos });
                }
            }
        }
        if let Some(kind) = cmd.channels {
            if !self.patterns.allchannels() {
                let end = if kind == ChannelArgs::Publish { 2.min(argv.len()) } else { argv.len() };
                let literal = kind == ChannelArgs::PatternSubscribe;
                for (pos, ch) in argv.iter().enumerate().take(end) {
                    if pos > 0 && !channel_in_list(self.patterns.channels(), ch.as_ref(), literal) {
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
        self.patterns
            .key_checks()
            .any(|(perms, shape, p)| perms & need == need && glob::matches_shaped(shape, p, key))
    }

    /// True if this selector grants unrestricted reads (allkeys or a literal `*` with R), which
    /// SORT's BY/GET options require.
    pub(crate) fn has_unrestricted_read(&self) -> bool {
        self.patterns.allkeys()
            || self.patterns.keys().any(|(perms, p)| p == b"*" && perms & PERM_READ != 0)
    }
}

/// Redis' `ACLCheckChannelAgainstList`: patterns (PSUBSCRIBE) are compared literally, channels
/// glob-matched.
pub(crate) fn channel_in_list<'a>(
    mut list: impl Iterator<Item = &'a [u8]>,
    channel: &[u8],
    literal: bool,
) -> bool {
    if literal {
        let ch = cstr(channel);
        list.any(|p| p == ch)
    } else {
        list.any(|p| glob::matches(p, channel))
    }
}
