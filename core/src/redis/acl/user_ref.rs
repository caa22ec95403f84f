//! The handles on a user that connections hold ([`UserRef`], with its cached snapshot
//! [`UserView`]), and what a user keeps after a change revoked channels ([`ChannelAllowList`]).
//! The engine ([`Acl`](super::Acl)) owns the table of these cells and is the only writer.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use arc_swap::ArcSwap;
use smallvec::SmallVec;

use super::commands::Command;
use super::selector::{channel_in_list, Denial};
use super::user::User;

/// Set in [`UserCell::state`] once the user is deleted or replaced.
const REMOVED: u64 = 1 << 63;

pub(super) struct UserCell {
    /// Short names (up to 16 bytes) are stored inline.
    pub(super) name: SmallVec<[u8; 16]>,
    /// The change counter (bumped after every change, so a connection's [`UserView`] knows
    /// when to reload) with [`REMOVED`] in the top bit: one word for both.
    pub(super) state: AtomicU64,
    /// Replaced whole on every change, so the per-command check reads it without a lock
    /// (no shared counter bouncing between cores); writers are serialised by the state lock.
    pub(super) user: ArcSwap<User>,
}

impl UserCell {
    pub(super) fn store(&self, user: User) {
        self.user.store(Arc::new(user));
        self.state.fetch_add(1, Ordering::Release);
    }

    pub(super) fn mark_removed(&self) {
        self.state.fetch_or(REMOVED, Ordering::Release);
    }
}

/// A connection's cached snapshot of its user, for [`UserRef::check_cached`]: while the user
/// is unchanged a check costs one atomic load instead of a shared-pointer acquisition.
#[derive(Default)]
pub struct UserView(Option<(Arc<UserCell>, u64, Arc<User>)>);

impl std::fmt::Debug for UserView {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("UserView")
    }
}

/// A handle on one user, as a connection holds it. Cheap to clone.
#[derive(Clone)]
pub struct UserRef(pub(super) Arc<UserCell>);

impl std::fmt::Debug for UserRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "UserRef({:?})", String::from_utf8_lossy(&self.0.name))
    }
}

impl UserRef {
    pub(super) fn new(name: &[u8], user: User) -> UserRef {
        UserRef(Arc::new(UserCell {
            name: SmallVec::from_slice(name),
            state: AtomicU64::new(0),
            user: ArcSwap::from_pointee(user),
        }))
    }

    /// The user name.
    pub fn name(&self) -> &[u8] {
        &self.0.name
    }

    /// True once the user was deleted (ACL DELUSER) or replaced (ACL LOAD): connections
    /// authenticated as it must be closed.
    pub fn is_removed(&self) -> bool {
        self.0.state.load(Ordering::Acquire) & REMOVED != 0
    }

    /// True if both handles refer to the same user object.
    pub fn same_user(&self, other: &UserRef) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }

    /// The permission check for a resolved command line (Redis' `ACLCheckAllUserCommandPerm`).
    /// It does not look at on/off: a disabled user's existing connections keep working.
    pub fn check<A: AsRef<[u8]>>(&self, cmd: &Command, argv: &[A]) -> Result<(), Denial> {
        self.0.user.load().check(cmd, argv)
    }

    /// Like [`UserRef::check`], reusing `view` (the caller's snapshot of this user) until the
    /// user changes. Same result as `check`; changes apply from the next call on.
    pub fn check_cached<A: AsRef<[u8]>>(
        &self,
        view: &mut UserView,
        cmd: &Command,
        argv: &[A],
    ) -> Result<(), Denial> {
        let version = self.0.state.load(Ordering::Acquire);
        let fresh = matches!(&view.0, Some((cell, v, _)) if Arc::ptr_eq(cell, &self.0) && *v == version);
        if !fresh {
            view.0 = Some((self.0.clone(), version, self.0.user.load_full()));
        }
        match &view.0 {
            Some((_, _, user)) => user.check(cmd, argv),
            None => self.check(cmd, argv),
        }
    }

    /// The user's rules as they are now, unaffected by later changes: EXEC checks its queued
    /// commands against one snapshot, as Redis runs a transaction at one moment.
    pub(crate) fn snapshot(&self) -> Arc<User> {
        self.0.user.load_full()
    }

    /// True if the user is `on`.
    pub fn is_enabled(&self) -> bool {
        self.0.user.load().enabled
    }

    /// True if one selector of the user allows every command, key and channel (`+@all ~* &*`):
    /// what a proxy requires before it lets scripts run commands it cannot check.
    pub fn is_unrestricted(&self) -> bool {
        let u = self.0.user.load();
        u.selectors.iter().any(|s| s.commands.perms().allcommands && s.allkeys() && s.allchannels())
    }

    /// True if the user has `nopass`.
    pub fn has_nopass(&self) -> bool {
        self.0.user.load().nopass
    }

    /// True if some selector may run SORT's BY/GET options (allkeys or a literal `*` pattern
    /// with read permission) and allows the SORT call itself.
    pub fn sort_unrestricted_read<A: AsRef<[u8]>>(&self, cmd: &Command, argv: &[A]) -> bool {
        let u = self.0.user.load();
        u.selectors.iter().any(|s| {
            s.has_unrestricted_read()
                && s.check(cmd, argv, &mut super::selector::KeyCache::new()).is_ok()
        })
    }
}

/// The channel patterns a user keeps after a change that revoked some: used to decide which
/// of its subscribers survive (Redis' `ACLKillPubsubClientsIfNeeded`).
#[derive(Clone, Debug)]
pub struct ChannelAllowList(pub(super) Vec<Vec<u8>>);

impl ChannelAllowList {
    /// May a client stay subscribed to `channel` (SUBSCRIBE/SSUBSCRIBE)? Glob match.
    pub fn allows_channel(&self, channel: &[u8]) -> bool {
        channel_in_list(self.0.iter().map(Vec::as_slice), channel, false)
    }

    /// May a client stay subscribed to `pattern` (PSUBSCRIBE)? Literal match.
    pub fn allows_pattern(&self, pattern: &[u8]) -> bool {
        channel_in_list(self.0.iter().map(Vec::as_slice), pattern, true)
    }
}
