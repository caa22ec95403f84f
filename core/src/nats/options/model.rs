//! What the option processor keeps of a config: the parts that decide client logins and
//! permissions, and the listener settings that are validated.

use std::collections::BTreeSet;
use std::sync::Arc;

use super::duration::Nanos;
use crate::nats::conf::Position;

/// A subject permission: `allow` (none = everything) and `deny` (none = nothing). An empty
/// `allow` (only made by `allow_responses`) allows nothing.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SubjectPermission {
    /// Allowed subjects (subscribe entries may be `"subject queue"`).
    pub allow: Option<Vec<Vec<u8>>>,
    /// Denied subjects.
    pub deny: Option<Vec<Vec<u8>>>,
}

/// `allow_responses`: publishing to the reply subject of a received request, up to
/// `max_msgs` messages (negative: unlimited) within `expires` (negative: forever).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ResponsePermission {
    /// Responses allowed per request.
    pub max_msgs: i64,
    /// How long the permission lasts, in nanoseconds.
    pub expires: Nanos,
}

/// nats-server's defaults: one response within two minutes.
pub const DEFAULT_RESPONSE_PERMISSION: ResponsePermission =
    ResponsePermission { max_msgs: 1, expires: 120_000_000_000 };

/// A user's publish/subscribe permissions.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Permissions {
    /// Publish permission (none: unrestricted).
    pub publish: Option<SubjectPermission>,
    /// Subscribe permission (none: unrestricted).
    pub subscribe: Option<SubjectPermission>,
    /// Response permission.
    pub response: Option<ResponsePermission>,
}

/// One of the four subject lists of a [`Permissions`]: what the bindings show as the
/// permissions' data (`publish.allow`, `publish.deny`, `subscribe.allow`, `subscribe.deny`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SubjectList {
    /// Subjects a publish may go to.
    PublishAllow,
    /// Subjects a publish may not go to.
    PublishDeny,
    /// Subjects (or `"subject queue"` entries) a subscription may take.
    SubscribeAllow,
    /// Subjects (or `"subject queue"` entries) a subscription may not take.
    SubscribeDeny,
}

impl SubjectList {
    /// Every list, publish first, allow before deny.
    pub const ALL: [SubjectList; 4] =
        [SubjectList::PublishAllow, SubjectList::PublishDeny, SubjectList::SubscribeAllow, SubjectList::SubscribeDeny];

    /// `publish` or `subscribe` (nats' key).
    pub fn direction(self) -> &'static str {
        match self {
            SubjectList::PublishAllow | SubjectList::PublishDeny => "publish",
            SubjectList::SubscribeAllow | SubjectList::SubscribeDeny => "subscribe",
        }
    }

    /// `allow` or `deny` (nats' key).
    pub fn side(self) -> &'static str {
        match self {
            SubjectList::PublishAllow | SubjectList::SubscribeAllow => "allow",
            SubjectList::PublishDeny | SubjectList::SubscribeDeny => "deny",
        }
    }
}

impl Permissions {
    /// One subject list: none when it is not configured (no restriction from it); an empty
    /// publish allow list (made by `allow_responses`) allows nothing but responses.
    pub fn list(&self, which: SubjectList) -> Option<&[Vec<u8>]> {
        let direction = match which {
            SubjectList::PublishAllow | SubjectList::PublishDeny => self.publish.as_ref(),
            SubjectList::SubscribeAllow | SubjectList::SubscribeDeny => self.subscribe.as_ref(),
        }?;
        match which {
            SubjectList::PublishAllow | SubjectList::SubscribeAllow => direction.allow.as_deref(),
            SubjectList::PublishDeny | SubjectList::SubscribeDeny => direction.deny.as_deref(),
        }
    }
}

impl ResponsePermission {
    /// The `max` the bindings show: responses per request, negative for unlimited.
    pub fn max(&self) -> i64 {
        self.max_msgs
    }

    /// The `expires` the bindings show, in seconds (negative: never).
    pub fn expires_seconds(&self) -> f64 {
        self.expires as f64 / 1e9
    }
}

/// A user with a name and a password (plain or bcrypt).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct User {
    /// User name (exact, case-sensitive).
    pub username: Vec<u8>,
    /// Password: plain, or a bcrypt hash.
    pub password: Vec<u8>,
    /// Permissions (none: everything within the account).
    pub permissions: Option<Arc<Permissions>>,
    /// The account (none: `$G`).
    pub account: Option<Vec<u8>>,
    /// Allowed connection types, upper case (empty: all).
    pub allowed_connection_types: BTreeSet<String>,
}

/// A user identified by a public nkey.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NkeyUser {
    /// The public user nkey (`U...`).
    pub nkey: Vec<u8>,
    /// Permissions.
    pub permissions: Option<Arc<Permissions>>,
    /// The account (none: `$G`).
    pub account: Option<Vec<u8>>,
    /// Allowed connection types, upper case (empty: all).
    pub allowed_connection_types: BTreeSet<String>,
}

/// A declared account.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Account {
    /// Its name.
    pub name: Vec<u8>,
    /// Its public account nkey, if any.
    pub nkey: Vec<u8>,
    /// `default_permissions` of its users.
    pub default_permissions: Option<Arc<Permissions>>,
}

/// The authorization overrides of a websocket or MQTT listener.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ListenerAuth {
    /// The listener block is present.
    pub configured: bool,
    /// Its port.
    pub port: i64,
    /// Single user name.
    pub username: Vec<u8>,
    /// Single user password.
    pub password: Vec<u8>,
    /// Token.
    pub token: Vec<u8>,
    /// no_auth_user.
    pub no_auth_user: Vec<u8>,
    /// Auth timeout in seconds.
    pub auth_timeout: f64,
    /// A tls block is present.
    pub tls: bool,
    /// verify_and_map.
    pub tls_map: bool,
    /// websocket `no_tls`.
    pub no_tls: bool,
}

/// The leafnode listener's authorization.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LeafAuth {
    /// Single user name.
    pub username: Vec<u8>,
    /// Single user password.
    pub password: Vec<u8>,
    /// Account of the single user.
    pub account: Vec<u8>,
    /// Users.
    pub users: Option<Vec<User>>,
    /// Auth timeout.
    pub auth_timeout: f64,
}

/// The options nats-server builds from a config, as far as authentication needs them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Options {
    /// Single user name (`authorization.user`, or `--user`).
    pub username: Vec<u8>,
    /// Single user password.
    pub password: Vec<u8>,
    /// Token (`authorization.token`, or `--auth`).
    pub authorization: Vec<u8>,
    /// `authorization.timeout` in seconds (0: the default).
    pub auth_timeout: f64,
    /// Password users, from `authorization.users` and every account.
    pub users: Option<Vec<User>>,
    /// Nkey users.
    pub nkeys: Option<Vec<NkeyUser>>,
    /// Accounts.
    pub accounts: Vec<Account>,
    /// `no_auth_user`.
    pub no_auth_user: Vec<u8>,
    /// `system_account`.
    pub system_account: Vec<u8>,
    /// A client `tls` block is present.
    pub tls: bool,
    /// `tls.timeout` in seconds (0: the default, 2).
    pub tls_timeout: f64,
    /// `tls.verify_and_map`.
    pub tls_map: bool,
    /// `tls.verify`.
    pub tls_verify: bool,
    /// `max_sub_tokens` (0: unlimited).
    pub max_sub_tokens: u8,
    /// `server_name`.
    pub server_name: Vec<u8>,
    /// JetStream enabled.
    pub jetstream: bool,
    /// Websocket listener.
    pub websocket: ListenerAuth,
    /// MQTT listener.
    pub mqtt: ListenerAuth,
    /// Leafnode listener.
    pub leafnode: LeafAuth,
    /// Where an operator/JWT-mode key was given (`operator`, `resolver`, `trusted`, ...).
    pub operator_mode: Option<(Vec<u8>, Option<Position>)>,
}
