//! [`Acl`]: the user table, the ACL LOG, and the operations of the ACL subcommands.
//!
//! Thread safety: an `Acl` is `Send + Sync` and meant to be shared (`Arc<Acl>`) between the
//! embedding program and the server's connections. Each user lives in its own cell that
//! connections hold on to ([`UserRef`]), so `setuser` changes apply to live connections at
//! once, as `ACL SETUSER` does in Redis, and a deleted user is visible as removed.

use std::borrow::Borrow;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::Arc;

use parking_lot::{Mutex, RwLock};

use super::aclfile;
use super::category::Category;
use super::commands::{table, Command};
use super::describe::{self, UserInfo};
use super::draft::{merge_selector_args, UserDraft};
use super::error::AclError;
use super::intern::Interners;
use super::log::{AclLog, LogContext, LogEntry, LogReason};
use super::options::{AclOptions, PubsubDefault};
use super::password;
use super::pattern_set::PatternSet;
use super::selector::DenialKind;
use super::user::User;
use super::user_ref::{ChannelAllowList, UserRef};
use super::{dryrun_message, DryRun, ResolveError};
use crate::redis::cstr::{c_str, has_spaces};

/// A change that live connections must react to.
#[derive(Clone, Debug)]
pub enum AclEvent {
    /// These users were deleted or replaced: close their connections.
    UsersRemoved(Vec<UserRef>),
    /// The user lost channel permissions: close its Pub/Sub connections whose subscriptions
    /// the allow-list no longer covers.
    ChannelsRevoked {
        /// The user.
        user: UserRef,
        /// What is still allowed.
        allowed: ChannelAllowList,
    },
    /// Some user was created, changed or deleted (sent after every change, after the events
    /// above): for listeners that keep a copy of the users.
    Changed,
}

/// Receives [`AclEvent`]s (the server registers one).
pub trait AclListener: Send + Sync {
    /// Called after the change is in effect, outside the engine's locks.
    fn on_event(&self, event: &AclEvent);

    /// False once the listener has nothing left to notify (e.g. its server stopped); the
    /// engine then drops it.
    fn is_alive(&self) -> bool {
        true
    }
}

/// Receives `ACL LIST`'s lines as they are produced, so a server can encode the reply straight
/// into its output buffer (see [`Acl::write_list`]).
pub trait ListSink {
    /// Called once, before any line, with the number of lines that follow.
    fn begin(&mut self, lines: usize);
    /// The buffer the next line is appended to.
    fn line_buffer(&mut self) -> &mut Vec<u8>;
    /// Called after each line was appended to the buffer [`ListSink::line_buffer`] returned.
    fn line_end(&mut self);
}

/// One entry of the user table: the handle, ordered and found by the user's name (stored once,
/// in the cell).
struct Entry(UserRef);

impl Borrow<[u8]> for Entry {
    fn borrow(&self) -> &[u8] {
        &self.0 .0.name
    }
}

impl PartialEq for Entry {
    fn eq(&self, other: &Entry) -> bool {
        self.0.name() == other.0.name()
    }
}

impl Eq for Entry {}

impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Entry) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Entry {
    fn cmp(&self, other: &Entry) -> std::cmp::Ordering {
        self.0.name().cmp(other.0.name())
    }
}

struct State {
    /// Every user, in name order (ACL LIST and ACL USERS print that order).
    users: BTreeSet<Entry>,
    default: UserRef,
    options: AclOptions,
    /// Shared command rules and pattern blocks; only changed under the write lock.
    interned: Interners,
}

/// The ACL engine. See the module docs.
pub struct Acl {
    state: RwLock<State>,
    log: Mutex<AclLog>,
    listeners: RwLock<Vec<Arc<dyn AclListener>>>,
}

impl Default for Acl {
    fn default() -> Self {
        Acl::new()
    }
}

impl std::fmt::Debug for Acl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Acl").field("users", &self.users().len()).finish()
    }
}


impl Acl {
    /// An engine with only the `default` user (`on nopass ~* &* +@all`).
    pub fn new() -> Acl {
        Acl::with_options(AclOptions::default())
    }

    /// An engine with the given options.
    pub fn with_options(options: AclOptions) -> Acl {
        let mut interned = Interners::new();
        let default = UserRef::new(b"default", UserDraft::new_default().freeze(&mut interned));
        let mut users = BTreeSet::new();
        users.insert(Entry(default.clone()));
        Acl {
            state: RwLock::new(State { users, default, options, interned }),
            log: Mutex::new(AclLog::new(options.log_max_len)),
            listeners: RwLock::new(Vec::new()),
        }
    }

    /// The current options.
    pub fn options(&self) -> AclOptions {
        self.state.read().options
    }

    /// Replaces the options (both `CONFIG SET`s below at once).
    pub fn set_options(&self, options: AclOptions) {
        self.set_pubsub_default(options.pubsub_default);
        self.set_log_max_len(options.log_max_len);
    }

    /// `CONFIG SET acl-pubsub-default`: affects users and selectors created (or `reset`) later.
    pub fn set_pubsub_default(&self, value: PubsubDefault) {
        self.state.write().options.pubsub_default = value;
    }

    /// The current `acl-pubsub-default`.
    pub fn pubsub_default(&self) -> PubsubDefault {
        self.state.read().options.pubsub_default
    }

    /// `CONFIG SET acllog-max-len`.
    pub fn set_log_max_len(&self, n: usize) {
        self.state.write().options.log_max_len = n;
        self.log.lock().set_max_len(n);
    }

    /// Registers a listener for changes that affect live connections.
    pub fn subscribe(&self, listener: Arc<dyn AclListener>) {
        let mut listeners = self.listeners.write();
        listeners.retain(|l| l.is_alive());
        listeners.push(listener);
    }

    fn emit(&self, event: AclEvent) {
        let listeners = self.listeners.read().clone();
        for l in listeners.iter().filter(|l| l.is_alive()) {
            l.on_event(&event);
        }
    }

    /// A user by name (case-sensitive).
    pub fn user(&self, name: &[u8]) -> Option<UserRef> {
        self.state.read().users.get(name).map(|e| e.0.clone())
    }

    /// The `default` user, which always exists.
    pub fn default_user(&self) -> UserRef {
        self.state.read().default.clone()
    }

    /// Redis' `authRequired` for a connection that is not authenticated: true unless default
    /// is `on` and `nopass`.
    pub fn default_requires_auth(&self) -> bool {
        let d = self.default_user();
        let u = d.0.user.load();
        !(u.nopass && u.enabled)
    }

    /// `ACL SETUSER`: creates the user if needed and applies `rules` left to right, all or
    /// nothing.
    pub fn setuser<A: AsRef<[u8]>>(&self, name: &[u8], rules: &[A]) -> Result<(), AclError> {
        self.set_user(name, rules, false)
    }

    /// Makes `name` exactly the user an aclfile line `user <name> <rules>` defines (a new
    /// user's state, then `rules`), keeping an existing user's identity: its connections stay,
    /// and lost channels are revoked as by SETUSER. An ACL store applies its lines this way.
    pub fn replace_user<A: AsRef<[u8]>>(&self, name: &[u8], rules: &[A]) -> Result<(), AclError> {
        self.set_user(name, rules, true)
    }

    fn set_user<A: AsRef<[u8]>>(&self, name: &[u8], rules: &[A], fresh: bool) -> Result<(), AclError> {
        if has_spaces(name) {
            return Err(AclError::InvalidUsername);
        }
        let merged = merge_selector_args(rules)
            .map_err(|i| AclError::UnmatchedParenthesis(rules[i].as_ref().to_vec()))?;
        let event;
        {
            let mut guard = self.state.write();
            let st = &mut *guard;
            let allchannels = st.options.pubsub_default == PubsubDefault::AllChannels;
            let existing = st.users.get(name).map(|e| e.0.clone());
            let mut draft = match &existing {
                Some(cell) if !fresh => UserDraft::thaw(&cell.0.user.load()),
                _ => UserDraft::new(allchannels),
            };
            for rule in &merged {
                draft
                    .apply(rule, allchannels)
                    .map_err(|error| AclError::Rule { rule: rule.clone(), error })?;
            }
            let user = draft.freeze(&mut st.interned);
            match existing {
                Some(cell) => {
                    event = revoked_channels(&cell.0.user.load(), &user).map(|allowed| {
                        AclEvent::ChannelsRevoked { user: cell.clone(), allowed }
                    });
                    cell.0.store(user);
                }
                None => {
                    event = None;
                    st.users.insert(Entry(UserRef::new(name, user)));
                }
            }
        }
        if let Some(e) = event {
            self.emit(e);
        }
        self.emit(AclEvent::Changed);
        Ok(())
    }

    /// `ACL DELUSER`: deletes the named users and returns how many existed. Refuses (deleting
    /// nothing) if any name is `default`.
    pub fn deluser<A: AsRef<[u8]>>(&self, names: &[A]) -> Result<usize, AclError> {
        if names.iter().any(|n| c_str(n.as_ref()) == b"default") {
            return Err(AclError::DeleteDefault);
        }
        let mut removed = Vec::new();
        {
            let mut st = self.state.write();
            for n in names {
                if let Some(Entry(u)) = st.users.take(n.as_ref()) {
                    u.0.mark_removed();
                    removed.push(u);
                }
            }
        }
        let count = removed.len();
        if count > 0 {
            self.emit(AclEvent::UsersRemoved(removed));
            self.emit(AclEvent::Changed);
        }
        Ok(count)
    }

    /// `ACL GETUSER`: None for an unknown user.
    pub fn getuser(&self, name: &[u8]) -> Option<UserInfo> {
        let u = self.user(name)?;
        let info = describe::user_info(&u.0.user.load());
        Some(info)
    }

    /// `ACL USERS`: names in byte order.
    pub fn users(&self) -> Vec<Vec<u8>> {
        self.state.read().users.iter().map(|e| e.0.name().to_vec()).collect()
    }

    /// `ACL LIST`: `user <name> <rules>` lines in name order.
    pub fn list(&self) -> Vec<Vec<u8>> {
        struct Lines(Vec<Vec<u8>>);
        impl ListSink for Lines {
            fn begin(&mut self, lines: usize) {
                self.0.reserve_exact(lines);
            }
            fn line_buffer(&mut self) -> &mut Vec<u8> {
                self.0.push(Vec::new());
                self.0.last_mut().expect("just pushed")
            }
            fn line_end(&mut self) {}
        }
        let mut lines = Lines(Vec::new());
        self.write_list(&mut lines);
        lines.0
    }

    /// `ACL LIST` into `sink`, one consistent snapshot: the count and then every line, in name
    /// order. The command part of each description is computed once per distinct rule set and
    /// shared, so this is mostly copying.
    pub fn write_list(&self, sink: &mut impl ListSink) {
        let st = self.state.read();
        sink.begin(st.users.len());
        for Entry(u) in &st.users {
            describe::write_user_line(sink.line_buffer(), u.name(), &u.0.user.load());
            sink.line_end();
        }
    }

    /// `ACL CAT [category]`: the category names, or the commands of one category (full names,
    /// in command-table order).
    pub fn cat(&self, category: Option<&[u8]>) -> Result<Vec<String>, AclError> {
        match category {
            None => Ok(Category::ALL.iter().map(|c| c.name().to_string()).collect()),
            Some(name) => {
                let cat = Category::from_name(name)
                    .ok_or_else(|| AclError::UnknownCategory(name.to_vec()))?;
                let t = table();
                Ok(t.members(cat).iter().map(|&id| t.get(id).fullname.clone()).collect())
            }
        }
    }

    /// `ACL GENPASS bits`: a random password of `bits` bits (rounded up to whole hex digits)
    /// from the OS' secure generator; bits must be 1..=4096 ([`DEFAULT_GENPASS_BITS`] is
    /// Redis' default when the argument is left out).
    pub fn genpass(bits: u32) -> Result<String, AclError> {
        if bits == 0 || bits > 4096 {
            return Err(AclError::GenpassRange);
        }
        Ok(password::random_hex(bits))
    }

    /// Checks a password without touching any connection state: true if the user exists, is
    /// on, and the password matches (or the user has nopass).
    pub fn authenticate(&self, user: &[u8], password: &[u8]) -> bool {
        self.authenticate_user(user, password).is_some()
    }

    /// Like [`Acl::authenticate`], returning the user handle on success.
    pub fn authenticate_user(&self, user: &[u8], password: &[u8]) -> Option<UserRef> {
        let u = self.user(user)?;
        let ok = u.0.user.load().password_ok(password);
        ok.then_some(u)
    }

    /// Resolves, arity-checks and permission-checks `argv` for `user`, the way Redis decides a
    /// command from an authenticated connection. Errors carry Redis' texts; denials are
    /// [`AclError::Denied`]. Like Redis, on/off is not considered here (it only matters for
    /// authentication); a missing user is [`AclError::UserNotFound`].
    pub fn check<A: AsRef<[u8]>>(&self, user: &[u8], argv: &[A]) -> Result<(), AclError> {
        let st = self.state.read();
        let u = st.users.get(user).ok_or_else(|| AclError::UserNotFound(user.to_vec()))?;
        let cmd = resolve_checked(argv)?;
        u.0.check(cmd, argv).map_err(|d| AclError::Denied {
            kind: d.kind,
            command: cmd.fullname.clone(),
            object: if d.kind == DenialKind::Command {
                cmd.fullname.as_bytes().to_vec()
            } else {
                argv[d.pos].as_ref().to_vec()
            },
        })
    }

    /// `ACL DRYRUN user cmd [args]`: [`DryRun::Allowed`], or [`DryRun::Denied`] with the
    /// verbose denial text; an error for an unknown user/command or a wrong arity.
    pub fn dryrun<A: AsRef<[u8]>>(&self, user: &[u8], argv: &[A]) -> Result<DryRun, AclError> {
        let u = self.user(user).ok_or_else(|| AclError::UserNotFound(user.to_vec()))?;
        let cmd = table().resolve(argv).map_err(|_| {
            AclError::CommandNotFound(argv.first().map(|a| a.as_ref().to_vec()).unwrap_or_default())
        })?;
        if !cmd.arity_ok(argv.len()) {
            return Err(AclError::WrongArity(cmd.fullname.clone()));
        }
        Ok(match u.check(cmd, argv) {
            Ok(()) => DryRun::Allowed,
            Err(d) => DryRun::Denied {
                kind: d.kind,
                message: dryrun_message(d.kind, &cmd.fullname, argv[d.pos].as_ref()),
            },
        })
    }

    /// `ACL LOG [count]`: the newest `count` entries (default 10), newest first.
    pub fn log(&self, count: Option<usize>) -> Vec<LogEntry> {
        self.log.lock().entries(count.unwrap_or(10))
    }

    /// `ACL LOG RESET`.
    pub fn log_reset(&self) {
        self.log.lock().reset();
    }

    /// Adds an ACL LOG event (the server calls this for denials and failed AUTHs).
    pub fn log_event(
        &self,
        reason: LogReason,
        context: LogContext,
        object: &[u8],
        username: &[u8],
        client_info: Vec<u8>,
    ) {
        self.log.lock().add(reason, context, object, username, client_info);
    }

    /// The configured `acllog-max-len`.
    pub fn log_max_len(&self) -> usize {
        self.log.lock().max_len()
    }

    /// `requirepass`: [`Acl::requirepass_rules`] on default.
    pub fn set_requirepass(&self, password: &[u8]) {
        // Password rules cannot fail.
        let _ = self.setuser(b"default", &Self::requirepass_rules(password));
    }

    /// What `requirepass` does to default: `resetpass` then `>pw`; an empty value: `nopass`.
    pub fn requirepass_rules(password: &[u8]) -> Vec<Vec<u8>> {
        if password.is_empty() {
            return vec![b"nopass".to_vec()];
        }
        vec![b"resetpass".to_vec(), [&b">"[..], password].concat()]
    }

    /// A new engine (with `options`) holding the users of the aclfile at `path`, as
    /// `redis-server` starts with `aclfile`; errors are Redis' ACL LOAD texts.
    pub fn from_file(path: &Path, options: AclOptions) -> Result<Acl, AclError> {
        let acl = Acl::with_options(options);
        acl.load(path)?;
        Ok(acl)
    }

    /// Validates an aclfile without applying it; errors are Redis' ACL LOAD texts.
    pub fn check_aclfile(&self, path: &Path) -> Result<(), AclError> {
        self.parse_aclfile(path, &path.to_string_lossy()).map(|_| ())
    }

    fn parse_aclfile(
        &self,
        path: &Path,
        shown: &str,
    ) -> Result<BTreeMap<Vec<u8>, UserDraft>, AclError> {
        let text = aclfile::read(path).map_err(|e| {
            AclError::Load(
                format!("Error loading ACLs, opening file '{shown}': {}", strerror(&e)).into_bytes(),
            )
        })?;
        aclfile::parse(&text, shown, self.pubsub_default() == PubsubDefault::AllChannels)
            .map_err(AclError::Load)
    }

    /// `ACL LOAD`: replaces every user with the file's, all or nothing. Connections of every
    /// non-default user are dropped (Redis 7.0); default is updated in place.
    pub fn load(&self, path: &Path) -> Result<(), AclError> {
        self.load_as(path, &path.to_string_lossy())
    }

    /// Like [`Acl::load`], naming the file `shown` in error messages: Redis prints the
    /// `aclfile` setting as written, while it opens it relative to `dir`.
    pub fn load_as(&self, path: &Path, shown: &str) -> Result<(), AclError> {
        let users = self.parse_aclfile(path, shown)?;
        self.install(users)
    }

    /// Like [`Acl::load_as`] for aclfile text already in memory (an ACL store's users, its
    /// cache file): the same parsing, errors and live-client effects.
    pub fn load_text(&self, text: &[u8], shown: &str) -> Result<(), AclError> {
        let allchannels = self.pubsub_default() == PubsubDefault::AllChannels;
        self.install(aclfile::parse(text, shown, allchannels).map_err(AclError::Load)?)
    }

    fn install(&self, mut users: BTreeMap<Vec<u8>, UserDraft>) -> Result<(), AclError> {
        let new_default = users.remove(&b"default"[..]).unwrap_or_else(UserDraft::new_default);
        let removed: Vec<UserRef>;
        {
            let mut guard = self.state.write();
            let st = &mut *guard;
            let default = st.default.clone();
            default.0.store(new_default.freeze(&mut st.interned));
            let mut table: BTreeSet<Entry> = users
                .into_iter()
                .map(|(n, u)| Entry(UserRef::new(&n, u.freeze(&mut st.interned))))
                .collect();
            table.insert(Entry(default));
            let old = std::mem::replace(&mut st.users, table);
            removed = old.into_iter().map(|Entry(u)| u).filter(|u| u.name() != b"default").collect();
            for u in &removed {
                u.0.mark_removed();
            }
        }
        if !removed.is_empty() {
            self.emit(AclEvent::UsersRemoved(removed));
        }
        self.emit(AclEvent::Changed);
        Ok(())
    }

    /// `ACL SAVE`: writes every user atomically (temp file, fsync, rename, directory fsync),
    /// 0600 for a new file (an existing one keeps its mode); saves are serialized, each writing
    /// the users as they are when its turn comes.
    pub fn save(&self, path: &Path) -> Result<(), AclError> {
        aclfile::save(path, || -> Vec<(UserRef, Arc<User>)> {
            let st = self.state.read();
            st.users.iter().map(|Entry(u)| (u.clone(), u.0.user.load_full())).collect()
        })
        .map_err(|e| AclError::Save(e.to_string()))
    }
}

/// Resolves a command line and checks its arity, with Redis' error texts.
pub(crate) fn resolve_checked<A: AsRef<[u8]>>(argv: &[A]) -> Result<&'static Command, AclError> {
    let cmd = table()
        .resolve(argv)
        .map_err(|e: ResolveError| AclError::UnknownCommand(super::unknown_command_message(argv, e)))?;
    if !cmd.arity_ok(argv.len()) {
        return Err(AclError::WrongArity(cmd.fullname.clone()));
    }
    Ok(cmd)
}

/// C's `strerror` text of an I/O error, as Redis prints it in ACL LOAD errors (std's message
/// without its " (os error N)" suffix).
fn strerror(e: &std::io::Error) -> String {
    let text = e.to_string();
    match (e.raw_os_error(), text.rfind(" (os error ")) {
        (Some(_), Some(cut)) => text[..cut].to_string(),
        _ => text,
    }
}

/// Redis' `ACLKillPubsubClientsIfNeeded` decision: None if no subscriber can lose access,
/// else the patterns the new user still has.
fn revoked_channels(old: &User, new: &User) -> Option<ChannelAllowList> {
    if new.any_allchannels() {
        return None;
    }
    let upcoming = new.all_channel_patterns();
    // Indexed: a user with n channel patterns would otherwise cost n² comparisons here.
    let index: PatternSet<()> = upcoming.iter().map(Vec::as_slice).collect();
    let superset = old
        .selectors
        .iter()
        .all(|s| !s.allchannels() && s.patterns.channels().all(|c| index.contains(c)));
    if superset {
        None
    } else {
        Some(ChannelAllowList(upcoming))
    }
}
