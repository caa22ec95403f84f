//! [`NatsAuth`]: a config's client authentication, deciding a CONNECT as nats-server 2.9.10's
//! `processClientOrLeafAuthentication` does in config mode (no JWT): nkey users, then
//! password users (with `no_auth_user`, or `verify_and_map` taking the user from the client
//! certificate), then token or single-user mode.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use super::conf::{self, Limits};
use super::error::NatsError;
use super::options::{self, Options, Permissions};
use super::permissions::{Compiled, ReplyTracker};
use super::{nkey, password};
use crate::tls::{nats_map_user, ClientCert, NatsCertMapping};

/// The global account, for users without one.
pub const GLOBAL_ACCOUNT: &str = "$G";

/// nats-server's default auth timeout without TLS, in seconds.
pub const DEFAULT_AUTH_TIMEOUT: f64 = 2.0;
/// nats-server's default TLS handshake timeout, in seconds.
pub const DEFAULT_TLS_TIMEOUT: f64 = 2.0;

/// How a client connects (the allowed connection types of a user).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum ConnectionType {
    /// A NATS client on the client port.
    #[default]
    Standard,
    /// A websocket client.
    Websocket,
    /// A leafnode.
    Leafnode,
    /// A leafnode over websocket.
    LeafnodeWs,
    /// An MQTT client.
    Mqtt,
    /// An MQTT client over websocket.
    MqttWs,
}

impl ConnectionType {
    /// Every type, in nats' order.
    pub const ALL: &'static [ConnectionType] = &[
        ConnectionType::Standard,
        ConnectionType::Websocket,
        ConnectionType::Leafnode,
        ConnectionType::LeafnodeWs,
        ConnectionType::Mqtt,
        ConnectionType::MqttWs,
    ];

    /// The name nats uses (`STANDARD`, `WEBSOCKET`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            ConnectionType::Standard => "STANDARD",
            ConnectionType::Websocket => "WEBSOCKET",
            ConnectionType::Leafnode => "LEAFNODE",
            ConnectionType::LeafnodeWs => "LEAFNODE_WS",
            ConnectionType::Mqtt => "MQTT",
            ConnectionType::MqttWs => "MQTT_WS",
        }
    }

    /// The type named `s` (case-insensitive).
    pub fn from_name(s: &str) -> Option<ConnectionType> {
        ConnectionType::ALL.iter().copied().find(|t| t.as_str().eq_ignore_ascii_case(s))
    }
}

/// The credentials of a CONNECT.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Connect {
    /// `user`.
    pub user: Vec<u8>,
    /// `pass`.
    pub password: Vec<u8>,
    /// `auth_token`.
    pub token: Vec<u8>,
    /// `nkey`: the public user nkey.
    pub nkey: Vec<u8>,
    /// `sig`: the nonce's signature (base64url or base64).
    pub sig: Vec<u8>,
    /// The nonce the server sent in INFO.
    pub nonce: Vec<u8>,
    /// How the client connects.
    pub connection_type: ConnectionType,
    /// The client's certificate (the first of the chain it presented over TLS, already
    /// verified against the listener's CA), which `verify_and_map` maps to a user.
    pub certificate: Option<Arc<ClientCert>>,
}

impl Connect {
    /// The credentials a client takes from a `nats://user:pass@host:port` or
    /// `nats://token@host:port` URL (as nats clients do: no percent-decoding).
    pub fn from_url(url: &str) -> Connect {
        let mut c = Connect::default();
        let rest = url.split_once("://").map_or(url, |(_, r)| r);
        let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
        if let Some((userinfo, _)) = authority.rsplit_once('@') {
            match userinfo.split_once(':') {
                Some((u, p)) => {
                    c.user = u.as_bytes().to_vec();
                    c.password = p.as_bytes().to_vec();
                }
                None => c.token = userinfo.as_bytes().to_vec(),
            }
        }
        c
    }
}

/// A user a login can resolve to.
#[derive(Clone, Debug)]
struct Entry {
    name: Vec<u8>,
    password: Vec<u8>,
    account: Vec<u8>,
    permissions: Option<Arc<Permissions>>,
    compiled: Option<Arc<Compiled>>,
    types: std::collections::BTreeSet<String>,
}

impl Entry {
    fn allows(&self, t: ConnectionType) -> bool {
        self.types.is_empty() || self.types.contains(t.as_str())
    }
}

/// A config's client authentication.
#[derive(Clone, Debug)]
pub struct NatsAuth {
    options: Options,
    users: HashMap<Vec<u8>, Entry>,
    /// The user names in configuration order (each once): the order `verify_and_map` tries
    /// them when a DN matches several.
    user_order: Vec<Vec<u8>>,
    nkeys: HashMap<Vec<u8>, Entry>,
}

impl NatsAuth {
    /// Reads a config file as `nats-server -c PATH` does (every check of `nats-server -t`
    /// and those it makes at start-up).
    pub fn from_file(path: &str) -> Result<NatsAuth, NatsError> {
        let m = conf::parse_file(path, &Limits::default())?;
        NatsAuth::from_map(&m)
    }

    /// Parses config text. `filename` is the name error positions carry (empty when none),
    /// `base_dir` the directory includes are relative to (that of `filename` when none).
    pub fn parse(text: &[u8], filename: Option<&str>, base_dir: Option<&str>) -> Result<NatsAuth, NatsError> {
        let name = filename.unwrap_or("");
        let m = match base_dir {
            // Positions keep the given name; includes resolve against base_dir.
            Some(dir) => conf::parse_bytes_in(text, name, dir, &Limits::default())?,
            None => conf::parse_bytes(text, name, &Limits::default())?,
        };
        NatsAuth::from_map(&m)
    }

    /// The config of a parsed file.
    pub fn from_map(m: &conf::Map) -> Result<NatsAuth, NatsError> {
        let p = options::process(m);
        if !p.warnings.is_empty() || !p.errors.is_empty() {
            let mut all = p.warnings;
            all.extend(p.errors);
            return Err(NatsError::Invalid(all));
        }
        NatsAuth::from_options(p.options)
    }

    /// nats-server's single-user command-line mode: `--user U --pass P`.
    pub fn single_user(user: &[u8], password: &[u8]) -> NatsAuth {
        NatsAuth::from_options(Options { username: user.to_vec(), password: password.to_vec(), ..Default::default() })
            .expect("command-line options have no config to refuse")
    }

    /// nats-server's token command-line mode: `--auth TOKEN`.
    pub fn token(token: &[u8]) -> NatsAuth {
        NatsAuth::from_options(Options { authorization: token.to_vec(), ..Default::default() })
            .expect("command-line options have no config to refuse")
    }

    /// Options as processed, checked as nats-server checks them at start-up.
    pub fn from_options(o: Options) -> Result<NatsAuth, NatsError> {
        if let Some((key, position)) = &o.operator_mode {
            let at = position.as_ref().map(|p| format!("{p}: ")).unwrap_or_default();
            return Err(NatsError::OperatorMode(format!(
                "{at}operator (JWT) mode is not supported by authgate (key {})",
                conf::go_quote(key)
            )));
        }
        super::startup::validate(&o).map_err(NatsError::Startup)?;
        let mut auth = NatsAuth { users: HashMap::new(), user_order: Vec::new(), nkeys: HashMap::new(), options: o };
        for u in auth.options.users.iter().flatten() {
            if !auth.users.contains_key(&u.username) {
                auth.user_order.push(u.username.clone());
            }
            auth.users.insert(
                u.username.clone(),
                Entry {
                    name: u.username.clone(),
                    password: u.password.clone(),
                    account: u.account.clone().unwrap_or_else(|| GLOBAL_ACCOUNT.as_bytes().to_vec()),
                    compiled: u.permissions.as_deref().map(|p| Arc::new(Compiled::new(p))),
                    permissions: u.permissions.clone(),
                    types: u.allowed_connection_types.clone(),
                },
            );
        }
        for u in auth.options.nkeys.iter().flatten() {
            auth.nkeys.insert(
                u.nkey.clone(),
                Entry {
                    name: u.nkey.clone(),
                    password: Vec::new(),
                    account: u.account.clone().unwrap_or_else(|| GLOBAL_ACCOUNT.as_bytes().to_vec()),
                    compiled: u.permissions.as_deref().map(|p| Arc::new(Compiled::new(p))),
                    permissions: u.permissions.clone(),
                    types: u.allowed_connection_types.clone(),
                },
            );
        }
        Ok(auth)
    }

    /// The command-line flags override the file (nats-server's MergeOptions): `--user`,
    /// `--pass`, `--auth` each replace the file's value when given.
    pub fn with_command_line(mut self, user: Option<&[u8]>, password: Option<&[u8]>, token: Option<&[u8]>) -> NatsAuth {
        for (flag, field) in [
            (user, &mut self.options.username),
            (password, &mut self.options.password),
            (token, &mut self.options.authorization),
        ] {
            if let Some(v) = flag.filter(|v| !v.is_empty()) {
                *field = v.to_vec();
            }
        }
        self
    }

    /// The processed options.
    pub fn options(&self) -> &Options {
        &self.options
    }

    /// Whether clients must authenticate (INFO's `auth_required`).
    pub fn auth_required(&self) -> bool {
        self.options.nkeys.is_some()
            || self.options.users.is_some()
            || !self.options.username.is_empty()
            || !self.options.authorization.is_empty()
    }

    /// Whether INFO carries a nonce (nkey users exist).
    pub fn needs_nonce(&self) -> bool {
        !self.nkeys.is_empty()
    }

    /// The auth timeout in seconds: `authorization.timeout`, else 2, or the TLS timeout
    /// (default 2) plus 1 with TLS.
    pub fn auth_timeout(&self) -> f64 {
        if self.options.auth_timeout != 0.0 {
            return self.options.auth_timeout;
        }
        if self.options.tls {
            let t = if self.options.tls_timeout == 0.0 { DEFAULT_TLS_TIMEOUT } else { self.options.tls_timeout };
            t + 1.0
        } else {
            DEFAULT_AUTH_TIMEOUT
        }
    }

    /// Decides a CONNECT. Any refusal is [`NatsError::AuthorizationViolation`], as
    /// nats-server gives no reason. The identity carries the config's `max_sub_tokens`.
    pub fn authenticate(&self, c: &Connect) -> Result<Identity, NatsError> {
        self.decide(c)
            .map(|id| id.with_max_sub_tokens(self.options.max_sub_tokens))
            .ok_or(NatsError::AuthorizationViolation)
    }

    fn decide(&self, c: &Connect) -> Option<Identity> {
        let (mut username, mut pass, mut token, mut no_auth_user) = (
            self.options.username.as_slice(),
            self.options.password.as_slice(),
            self.options.authorization.as_slice(),
            self.options.no_auth_user.as_slice(),
        );
        let mut required = self.auth_required();
        let listener = match c.connection_type {
            ConnectionType::Websocket => Some(&self.options.websocket),
            ConnectionType::Mqtt | ConnectionType::MqttWs => Some(&self.options.mqtt),
            _ => None,
        };
        if let Some(l) = listener {
            // A listener's own authorization overrides the client one when set.
            if !l.username.is_empty() || !l.token.is_empty() || !l.no_auth_user.is_empty() {
                username = &l.username;
                pass = &l.password;
                token = &l.token;
                no_auth_user = &l.no_auth_user;
                required = true;
            }
        }
        if !required {
            return Some(Identity::new(Vec::new(), GLOBAL_ACCOUNT.as_bytes().to_vec(), None, None));
        }
        let mut client_user = c.user.as_slice();
        let mut client_pass = c.password.as_slice();
        let mut nkey_user: Option<&Entry> = None;
        let mut user: Option<&Entry> = None;
        if !self.nkeys.is_empty() && !c.nkey.is_empty() {
            let e = self.nkeys.get(&c.nkey)?;
            if !e.allows(c.connection_type) {
                return None;
            }
            nkey_user = Some(e);
        } else if !self.users.is_empty() {
            if self.tls_map(c.connection_type) {
                // nats-server takes the user from the client certificate and ignores the
                // CONNECT's user; the password, if the user has one, must still match.
                let e = self.map_certificate(c)?;
                return password::compare(&e.password, &c.password).then(|| Identity::from_entry(e));
            }
            // nats-server 2.9.10 applies no_auth_user only to a CONNECT with no user, no
            // password and no token (observed: a lone password or token is refused).
            if client_user.is_empty() && c.password.is_empty() && c.token.is_empty() && !no_auth_user.is_empty() {
                if let Some(u) = self.users.get(no_auth_user) {
                    client_user = &u.name;
                    client_pass = &u.password;
                }
            }
            if !client_user.is_empty() {
                let e = self.users.get(client_user)?;
                if !e.allows(c.connection_type) {
                    return None;
                }
                user = Some(e);
            }
        }
        if let Some(e) = nkey_user {
            if c.sig.is_empty() || !nkey::verify(&c.nkey, &c.nonce, &c.sig) {
                return None;
            }
            return Some(Identity::from_entry(e));
        }
        if let Some(e) = user {
            return password::compare(&e.password, client_pass).then(|| Identity::from_entry(e));
        }
        if !token.is_empty() {
            return password::compare(token, &c.token)
                .then(|| Identity::new(Vec::new(), GLOBAL_ACCOUNT.as_bytes().to_vec(), None, None));
        }
        if !username.is_empty() {
            if username != c.user.as_slice() {
                return None;
            }
            return password::compare(pass, &c.password)
                .then(|| Identity::new(c.user.clone(), GLOBAL_ACCOUNT.as_bytes().to_vec(), None, None));
        }
        None
    }

    /// Whether `verify_and_map` decides logins of this connection type: the client `tls`
    /// block's for standard clients, the websocket and MQTT blocks' own for theirs.
    fn tls_map(&self, t: ConnectionType) -> bool {
        match t {
            ConnectionType::Standard => self.options.tls_map,
            ConnectionType::Websocket => self.options.websocket.tls_map,
            ConnectionType::Mqtt | ConnectionType::MqttWs => self.options.mqtt.tls_map,
            ConnectionType::Leafnode | ConnectionType::LeafnodeWs => false,
        }
    }

    /// The user a client certificate maps to (nats-server's checkClientTLSCertSubject):
    /// only users allowed on this connection type are candidates, so a name that matches a
    /// user of another type lets the search go on, as nats-server's lookup does.
    fn map_certificate(&self, c: &Connect) -> Option<&Entry> {
        let cert = c.certificate.as_deref()?;
        let names: Vec<&[u8]> = self
            .user_order
            .iter()
            .filter(|n| self.users.get(n.as_slice()).is_some_and(|e| e.allows(c.connection_type)))
            .map(Vec::as_slice)
            .collect();
        match nats_map_user(cert, &names)? {
            NatsCertMapping::User(name, _) => self.users.get(name),
            NatsCertMapping::NotFound(_) => None,
        }
    }

    /// `max_sub_tokens` (0: unlimited).
    pub fn max_sub_tokens(&self) -> u8 {
        self.options.max_sub_tokens
    }
}

/// A logged-in client: its user and account, and what it may publish, subscribe to and
/// receive.
#[derive(Debug)]
pub struct Identity {
    user: Vec<u8>,
    account: Vec<u8>,
    permissions: Option<Arc<Permissions>>,
    compiled: Option<Arc<Compiled>>,
    replies: ReplyTracker,
    max_sub_tokens: u8,
}

impl std::fmt::Debug for ReplyTracker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ReplyTracker")
    }
}

impl Identity {
    fn new(user: Vec<u8>, account: Vec<u8>, permissions: Option<Arc<Permissions>>, compiled: Option<Arc<Compiled>>) -> Identity {
        Identity { user, account, permissions, compiled, replies: ReplyTracker::default(), max_sub_tokens: 0 }
    }

    fn from_entry(e: &Entry) -> Identity {
        Identity::new(e.name.clone(), e.account.clone(), e.permissions.clone(), e.compiled.clone())
    }

    /// Applies `max_sub_tokens` from the config (nats-server checks it on subscribe).
    pub fn with_max_sub_tokens(mut self, n: u8) -> Identity {
        self.max_sub_tokens = n;
        self
    }

    /// The user name (the nkey for an nkey user; empty for a token or an open server).
    pub fn user(&self) -> &[u8] {
        &self.user
    }

    /// The account (`$G` when none is configured).
    pub fn account(&self) -> &[u8] {
        &self.account
    }

    /// The permissions as configured (none: everything within the account).
    pub fn permissions(&self) -> Option<&Permissions> {
        self.permissions.as_deref()
    }

    /// Whether a publish to `subject` is allowed now (counting a response when it is one).
    pub fn can_publish(&self, subject: &[u8]) -> bool {
        // The clock is read only when a reply permission is consulted.
        let Some(c) = &self.compiled else { return true };
        if c.publish_lists(subject) {
            return true;
        }
        match c.response() {
            Some(rp) => self.replies.publish(subject, rp, Instant::now()),
            None => false,
        }
    }

    /// [`can_publish`](Self::can_publish) at a given time (for the response expiry).
    pub fn can_publish_at(&self, subject: &[u8], now: Instant) -> bool {
        let Some(c) = &self.compiled else { return true };
        if c.publish_lists(subject) {
            return true;
        }
        match c.response() {
            Some(rp) => self.replies.publish(subject, rp, now),
            None => false,
        }
    }

    /// A message with reply subject `reply` was delivered to this client: with
    /// `allow_responses`, `reply` becomes publishable (within max and expires).
    pub fn received_request(&self, reply: &[u8]) {
        self.received_request_at(reply, Instant::now())
    }

    /// [`received_request`](Self::received_request) at a given time.
    pub fn received_request_at(&self, reply: &[u8], now: Instant) {
        if let Some(rp) = self.compiled.as_ref().and_then(|c| c.response()) {
            self.replies.delivered(reply, rp, now);
        }
    }

    /// Whether a subscription to `subject` (in queue group `queue`) is accepted. nats-server
    /// 2.9.10 first checks the permissions (matching the subject as it matches it: one with an
    /// empty token matches no allow entry and no deny entry), then refuses a subject its
    /// subscription list cannot hold (an empty token, or a token after `>`) with
    /// `-ERR 'Invalid Subject'`; either refusal is `false`.
    pub fn can_subscribe(&self, subj: &[u8], queue: Option<&[u8]>) -> bool {
        if self.max_sub_tokens > 0 && subj.split(|&b| b == b'.').count() > usize::from(self.max_sub_tokens) {
            return false;
        }
        match &self.compiled {
            Some(c) => c.subscribe(subj, queue),
            None => super::subject::is_valid_subject(subj),
        }
    }

    /// Whether a message on `subject` is delivered to a (wildcard) subscription: the deny
    /// filter nats-server applies at delivery.
    pub fn can_receive(&self, subject: &[u8]) -> bool {
        match &self.compiled {
            Some(c) => c.receive(subject),
            None => true,
        }
    }
}

/// A bcrypt hash (`$2a$`) of a password, as `nats server passwd` makes.
pub fn hash_password(password: &[u8], cost: u32) -> Result<String, String> {
    password::hash(password, cost)
}
