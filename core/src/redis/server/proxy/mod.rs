//! Proxy mode (`authgate serve --upstream redis://…`): authgate's ACL checks in front of
//! another RESP server.
//!
//! Every command still goes through dispatch's checks in Redis' order (unknown command,
//! arity, NOAUTH, NOPERM with its ACL LOG entry); a command the upstream lacks, as its
//! COMMAND reply says ([`commands`]), is unknown there too, before any ACL check. What passes reaches [`intercept`], which
//! decides by the command's [`Route`]:
//! - authentication and authorization stay local and are never forwarded: AUTH, HELLO, ACL,
//!   CLIENT (about authgate's own connections), CONFIG, COMMAND, QUIT, RESET, MULTI/DISCARD;
//! - SUBSCRIBE and the other subscription commands (checked by authgate's channel rules)
//!   update the client's subscriptions in authgate, so a revocation disconnects it as in
//!   Redis, and go to the upstream, whose messages are relayed as they arrive ([`push`]);
//!   MONITOR (for a user allowed to run it) is forwarded and its stream relayed the same way;
//! - everything else is queued for the upstream ([`ProxySession::forward`]) with a slot that
//!   remembers where in the client's reply stream its reply belongs;
//! - EXEC sends the transaction queued locally (each command was checked as it was queued) as
//!   MULTI … EXEC and splices local answers into the upstream's EXEC array ([`exec`]);
//! - scripts and functions run commands inside the upstream, out of authgate's sight: only a
//!   user with unrestricted access may run them ([`script_denial`]).
//!
//! After the connection has executed a batch of requests, [`upstream::exchange`] opens the
//! upstream connection if needed (one per client, authenticated with the URL's credentials),
//! sends the batch and relays each reply as the upstream sent it, in order with the local
//! replies.

mod commands;
mod config;
mod mirror;
mod push;
mod reply;
mod tls;
mod upstream;
mod url;

use std::sync::{Arc, OnceLock};

pub use tls::UpstreamTlsFiles;
pub(crate) use commands::Rejection;
pub(crate) use push::take as take_pushes;
pub(crate) use upstream::{begin_batch, exchange};
pub use url::UpstreamUrl;

use super::commands::multi;
use super::dispatch::call;
use super::session::Session;
use crate::redis::acl::{table, Command};
use crate::redis::resp::number::write_i64;
use crate::redis::resp::Protocol;

/// Where proxy mode forwards: the upstream's URL and, for `rediss://`, the TLS client
/// configuration (built once at startup from the `upstream-tls-*` files).
pub(crate) struct Target {
    url: UpstreamUrl,
    tls: Option<tls::Connector>,
    /// The upstream's command table once read (`None` inside: its COMMAND gave nothing
    /// usable, so only authgate's table applies). Read by the first client connection that
    /// opens, read again by every reconnect (the upstream may have been replaced).
    commands: parking_lot::RwLock<Option<Option<Arc<commands::UpstreamCommands>>>>,
    /// `upstream-acl mirror`: authgate's users as the upstream's ACL users.
    mirror: Option<Arc<mirror::Mirror>>,
}

impl Target {
    /// The target of `upstream`, if proxy mode is on; the error is a startup error.
    pub(crate) fn from_config(config: &super::Config) -> Result<Option<Arc<Target>>, String> {
        let Some(url) = config.upstream.as_deref() else {
            if config.upstream_tls.any() {
                return Err("upstream-tls-* directives are set without an upstream".into());
            }
            if config.upstream_acl_mirror {
                return Err("upstream-acl mirror is set without an upstream".into());
            }
            return Ok(None);
        };
        let tls = tls::connector(url, &config.upstream_tls)?;
        let mirror = if config.upstream_acl_mirror { Some(Arc::new(mirror::Mirror::new()?)) } else { None };
        Ok(Some(Arc::new(Target { url: url.clone(), tls, commands: parking_lot::RwLock::new(None), mirror })))
    }

    /// In mirror mode, starts keeping the upstream's ACL users in line with `acl`'s; the
    /// task runs until aborted.
    pub(crate) fn start_mirror(self: &Arc<Target>, acl: &Arc<crate::redis::acl::Acl>) -> Option<tokio::task::JoinHandle<()>> {
        let m = self.mirror.clone()?;
        acl.subscribe(Arc::new(mirror::Listener(Arc::downgrade(&m))));
        Some(tokio::spawn(mirror::run(self.clone(), m, acl.clone())))
    }

    /// The upstream credentials a client connection logs in with for authgate's user `user`
    /// (mirror mode), or None for the URL's.
    fn login_for(&self, user: Option<&[u8]>) -> Option<(Vec<u8>, Vec<u8>)> {
        Some(self.mirror.as_ref()?.credentials(user?))
    }

    /// True once the upstream's COMMAND has been read (whether it gave a table or not).
    fn commands_read(&self) -> bool {
        self.commands.read().is_some()
    }

    /// The upstream's command table, if one has been read.
    fn commands(&self) -> Option<Arc<commands::UpstreamCommands>> {
        self.commands.read().clone().flatten()
    }
}

/// What proxy mode does with a command that passed the checks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Route {
    /// authgate answers it.
    Local,
    /// Sent to the upstream, its reply relayed.
    Forward,
    /// SELECT: forwarded; its success changes the database a reconnect selects.
    Select,
    /// A script or function: forwarded only for a user with unrestricted access.
    Script,
    /// EXEC: the locally queued transaction goes upstream as MULTI … EXEC.
    Exec,
    /// WATCH/UNWATCH: forwarded outside MULTI (inside, authgate's own error).
    Watch,
    /// RESET: local, and the upstream connection is brought back to its initial state.
    Reset,
    /// DISCARD: local, and the upstream forgets its WATCHed keys as Redis does.
    Discard,
    /// A subscription command: the client's subscriptions change in authgate (for the
    /// channel rules' revocations) and on the upstream connection, whose confirmations go
    /// to the client.
    Subscribe,
    /// MONITOR: forwarded; the upstream's stream is relayed.
    Monitor,
    /// CONFIG GET / SET / RESETSTAT: authgate's own settings here, the others the upstream's
    /// (see [`config`]).
    Config,
}

fn route_of(name: &str) -> Route {
    if matches!(name, "config|get" | "config|set" | "config|resetstat") {
        return Route::Config;
    }
    let top = name.split('|').next().unwrap_or(name);
    match top {
        "auth" | "hello" | "acl" | "client" | "config" | "command" | "quit" | "multi" | "sync" | "psync" => {
            Route::Local
        }
        "subscribe" | "psubscribe" | "ssubscribe" | "unsubscribe" | "punsubscribe" | "sunsubscribe" => {
            Route::Subscribe
        }
        "monitor" => Route::Monitor,
        "select" => Route::Select,
        "eval" | "eval_ro" | "evalsha" | "evalsha_ro" | "fcall" | "fcall_ro" | "function" => Route::Script,
        "exec" => Route::Exec,
        "watch" | "unwatch" => Route::Watch,
        "reset" => Route::Reset,
        "discard" => Route::Discard,
        _ => Route::Forward,
    }
}

fn route(cmd: &Command) -> Route {
    static ROUTES: OnceLock<Vec<Route>> = OnceLock::new();
    let routes = ROUTES.get_or_init(|| table().all().iter().map(|c| route_of(&c.fullname)).collect());
    routes.get(cmd.id).copied().unwrap_or(Route::Local)
}

/// Where a forwarded command's reply goes.
#[derive(Debug)]
enum SlotKind {
    /// Relayed to the client as it is.
    Relay,
    /// This many replies, relayed (a subscription command's confirmations).
    Replies(usize),
    /// Read and dropped (a command authgate sent on its own: HELLO, a transaction's QUEUED).
    Discard,
    /// Mirror mode's AUTH as the client's user: an error ends the upstream connection.
    Auth,
    /// Relayed; `+OK` makes the database current.
    Select(u32),
    /// The upstream's EXEC reply, spliced: `total` results, of which the ones in `local`
    /// (by index, encoded) were answered by authgate.
    Exec { total: usize, local: Vec<(usize, Vec<u8>)> },
    /// The upstream's CONFIG GET reply with authgate's own settings (`own`) merged in,
    /// encoded in the client's protocol.
    ConfigGet { own: Vec<(&'static str, Vec<u8>)>, proto: Protocol },
}

/// One forwarded command: its reply is inserted at byte `at` of the batch's local output.
#[derive(Debug)]
struct Slot {
    at: usize,
    kind: SlotKind,
}

/// The proxy state of one client connection.
pub(crate) struct ProxySession {
    target: Arc<Target>,
    conn: Option<upstream::Upstream>,
    /// The commands of the current batch, encoded for the upstream.
    wbuf: Vec<u8>,
    slots: Vec<Slot>,
    /// The protocol the upstream connection speaks once `wbuf` is sent.
    wire_proto: Protocol,
    /// The database the upstream connection is in (selected again on a reconnect).
    db: u32,
    /// The upstream's command table as of the start of this batch.
    table: Option<Arc<commands::UpstreamCommands>>,
    /// True once this client has opened an upstream connection: any later opening is a
    /// reconnect, which reads the upstream's COMMAND again.
    opened_before: bool,
    /// Why the connection opened at the start of this batch failed, for its forwarded
    /// commands (so they do not wait for a second attempt).
    early_failure: Option<upstream::Failure>,
    /// True once MONITOR has been forwarded: the connection streams the upstream's commands.
    monitoring: bool,
    /// The relay of what the upstream sends in push mode.
    push: push::PushState,
    /// True if the upstream connection must be closed after this batch (a RESET in push
    /// mode: a new connection is the only way out of MONITOR on every upstream).
    drop_after_batch: bool,
    /// Mirror mode: the authgate user the upstream connection is (or, once this batch's
    /// commands are sent, will be) logged in as.
    conn_user: Option<Vec<u8>>,
    /// Mirror mode: the user the upstream connection is logged in as before this batch's
    /// commands (a connection opened for the batch logs in as it).
    open_as: Option<Vec<u8>>,
}

impl ProxySession {
    /// A client's proxy state; the upstream connection opens with its first forwarded command.
    pub(crate) fn new(target: Arc<Target>) -> ProxySession {
        let db = target.url.db;
        ProxySession {
            target,
            conn: None,
            wbuf: Vec::new(),
            slots: Vec::new(),
            wire_proto: Protocol::Resp2,
            db,
            table: None,
            opened_before: false,
            early_failure: None,
            monitoring: false,
            push: push::PushState::default(),
            drop_after_batch: false,
            conn_user: None,
            open_as: None,
        }
    }

    /// Redis' error for a command line the upstream's command table refuses (the upstream
    /// lacks the command, or its arity differs), checked before anything else as Redis looks
    /// a command up first. Only commands that go to the upstream are checked: authgate
    /// answers the others itself.
    pub(crate) fn upstream_rejection(&self, cmd: &'static Command, argv: &[Vec<u8>]) -> Option<Rejection> {
        let table = self.table.as_ref()?;
        match route(cmd) {
            Route::Forward | Route::Select | Route::Script | Route::Watch | Route::Subscribe | Route::Monitor => {
                table.rejection(cmd, argv)
            }
            Route::Local | Route::Exec | Route::Reset | Route::Discard | Route::Config => None,
        }
    }

    /// True if the batch forwarded something: [`exchange`] must run before the replies go out.
    pub(crate) fn has_pending(&self) -> bool {
        !self.slots.is_empty()
    }

    /// Queues `argv` for the upstream with a reply slot at `at`, first switching the upstream
    /// to the client's protocol if it speaks another one.
    fn send<A: AsRef<[u8]>>(&mut self, at: usize, proto: Protocol, argv: &[A], kind: SlotKind) {
        if self.conn.is_none() && self.slots.is_empty() {
            // A new connection opens for this batch, speaking RESP2.
            self.wire_proto = Protocol::Resp2;
        }
        if self.wire_proto != proto {
            let version: &[u8] = if proto == Protocol::Resp3 { b"3" } else { b"2" };
            encode(&mut self.wbuf, &[&b"HELLO"[..], version]);
            self.slots.push(Slot { at, kind: SlotKind::Discard });
            self.wire_proto = proto;
        }
        encode(&mut self.wbuf, argv);
        self.slots.push(Slot { at, kind });
    }

    fn forward(&mut self, at: usize, proto: Protocol, argv: &[Vec<u8>], kind: SlotKind) {
        self.send(at, proto, argv, kind);
    }

    /// Mirror mode: makes the upstream connection log in as `user` before the next command
    /// (a new connection opens as it; an open one is switched with AUTH, whose failure ends it).
    fn log_in_as(&mut self, at: usize, user: &[u8]) {
        if self.target.mirror.is_none() || self.conn_user.as_deref() == Some(user) {
            return;
        }
        if self.connection_in_use() {
            let (name, secret) = self.target.login_for(Some(user)).expect("mirror mode");
            encode(&mut self.wbuf, &[&b"AUTH"[..], &name, &secret]);
            self.slots.push(Slot { at, kind: SlotKind::Auth });
        } else {
            self.open_as = Some(user.to_vec());
        }
        self.conn_user = Some(user.to_vec());
    }

    /// True if there is (or will be, this batch) an upstream connection whose state matters.
    fn connection_in_use(&self) -> bool {
        self.conn.is_some() || !self.slots.is_empty()
    }
}

/// Encodes a command line as a RESP array of bulk strings.
fn encode<A: AsRef<[u8]>>(out: &mut Vec<u8>, argv: &[A]) {
    out.push(b'*');
    write_i64(out, argv.len() as i64);
    out.extend_from_slice(b"\r\n");
    for a in argv {
        let a = a.as_ref();
        out.push(b'$');
        write_i64(out, a.len() as i64);
        out.extend_from_slice(b"\r\n");
        out.extend_from_slice(a);
        out.extend_from_slice(b"\r\n");
    }
}

/// The hook dispatch calls for a command that passed every check: true if proxy mode took it
/// (forwarded it or answered it), false to run authgate's own handler.
pub(crate) fn intercept(s: &mut Session, cmd: &'static Command, argv: &[Vec<u8>]) -> bool {
    if s.proxy.is_none() {
        return false;
    }
    let at = s.out.buf.len();
    let proto = s.out.proto;
    let r = route(cmd);
    if !matches!(r, Route::Local | Route::Reset | Route::Discard) {
        let user = s.user.name().to_vec();
        proxy(s).log_in_as(at, &user);
    }
    match r {
        Route::Local => false,
        Route::Watch if s.multi.is_some() => false,
        Route::Subscribe => {
            let replies = subscribe_locally(s, cmd, argv, at);
            proxy(s).forward(at, proto, argv, SlotKind::Replies(replies));
            true
        }
        Route::Monitor => {
            let p = proxy(s);
            p.forward(at, proto, argv, SlotKind::Relay);
            p.monitoring = true;
            true
        }
        Route::Forward | Route::Watch => {
            // SORT's BY/GET refusal depends on the client's user, whom the upstream does not
            // know (unless mirrored): answered here, in SORT's own order of errors.
            if let Some(text) = sort_denial(s, cmd, argv) {
                s.out.error_str(text);
            } else {
                proxy(s).forward(at, proto, argv, SlotKind::Relay);
            }
            true
        }
        Route::Config => match config::route(s, &cmd.name, argv) {
            config::ConfigRoute::Local => false,
            config::ConfigRoute::Forward => {
                proxy(s).forward(at, proto, argv, SlotKind::Relay);
                true
            }
            config::ConfigRoute::Get(own) => {
                proxy(s).forward(at, proto, argv, SlotKind::ConfigGet { own, proto });
                true
            }
            config::ConfigRoute::Refuse(text) => {
                s.out.error_str(&text);
                true
            }
        },
        Route::Select => {
            let db = std::str::from_utf8(&argv[1]).ok().and_then(|d| d.parse::<u32>().ok());
            let kind = db.map_or(SlotKind::Relay, SlotKind::Select);
            proxy(s).forward(at, proto, argv, kind);
            true
        }
        Route::Script => {
            if let Some(text) = script_denial(s, cmd) {
                s.out.error_str(&text);
            } else {
                proxy(s).forward(at, proto, argv, SlotKind::Relay);
            }
            true
        }
        Route::Exec => match &s.multi {
            Some(m) if !m.dirty => {
                exec(s);
                true
            }
            _ => false,
        },
        Route::Reset => {
            let pushing = s.in_pubsub() || proxy(s).monitoring;
            call_local(s, cmd, argv);
            let p = proxy(s);
            if pushing {
                // A subscribed or monitoring upstream connection is closed: the next command
                // opens one in the initial state (RESET itself is not in every upstream).
                p.monitoring = false;
                p.db = p.target.url.db;
                if p.slots.is_empty() {
                    p.conn = None;
                    p.conn_user = None;
                    p.open_as = None;
                    p.push = push::PushState::default();
                } else {
                    p.drop_after_batch = true;
                }
            } else if p.connection_in_use() {
                // Back to the state of a new connection: no WATCHed keys, the URL's database;
                // the next forwarded command switches the protocol back if needed.
                let db = p.target.url.db.to_string();
                p.send(at, p.wire_proto, &[&b"UNWATCH"[..]], SlotKind::Discard);
                p.send(at, p.wire_proto, &[&b"SELECT"[..], db.as_bytes()], SlotKind::Discard);
                p.db = p.target.url.db;
            }
            true
        }
        Route::Discard => {
            let had_multi = s.multi.is_some();
            call_local(s, cmd, argv);
            let p = proxy(s);
            if had_multi && p.connection_in_use() {
                p.send(at, p.wire_proto, &[&b"UNWATCH"[..]], SlotKind::Discard);
            }
            true
        }
    }
}

/// Runs a subscription command in authgate (the client's subscriptions, which revocations are
/// checked against) and drops its replies; returns how many it gave, which is how many the
/// upstream connection, subscribed to the same channels, gives.
fn subscribe_locally(s: &mut Session, cmd: &'static Command, argv: &[Vec<u8>], at: usize) -> usize {
    call_local(s, cmd, argv);
    let mut replies = 0;
    let mut rest = &s.out.buf[at..];
    while !rest.is_empty() {
        match reply::ReplyScanner::new().scan(rest) {
            Ok((n, true)) => {
                replies += 1;
                rest = &rest[n..];
            }
            _ => break,
        }
    }
    s.out.buf.truncate(at);
    replies
}

fn call_local(s: &mut Session, cmd: &'static Command, argv: &[Vec<u8>]) {
    let proxy = s.proxy.take();
    call(s, cmd, argv);
    s.proxy = proxy;
}

fn proxy(s: &mut Session) -> &mut ProxySession {
    s.proxy.as_deref_mut().expect("proxy mode")
}

/// Why this user may not run a script or function through the proxy, if it may not: scripts
/// run their commands inside the upstream, where authgate cannot check them, so only a user
/// with all commands, all keys and all channels (on one selector) may run them.
/// Inside EXEC: a CONFIG line authgate answers itself (a CONFIG GET goes upstream there
/// unmerged, its reply part of the upstream's EXEC array).
fn config_local(s: &Session, cmd: &Command, argv: &[Vec<u8>]) -> bool {
    route(cmd) == Route::Config && matches!(config::route(s, &cmd.name, argv), config::ConfigRoute::Local)
}

/// Inside EXEC: a CONFIG SET of both servers' settings, refused.
fn config_refusal(s: &Session, cmd: &Command, argv: &[Vec<u8>]) -> Option<String> {
    match route(cmd) == Route::Config {
        true => match config::route(s, &cmd.name, argv) {
            config::ConfigRoute::Refuse(text) => Some(text),
            _ => None,
        },
        false => None,
    }
}

/// SORT / SORT_RO's ACL refusal of BY/GET (see [`super::commands::sort::acl_denial`]).
fn sort_denial(s: &Session, cmd: &'static Command, argv: &[Vec<u8>]) -> Option<&'static str> {
    matches!(cmd.fullname.as_str(), "sort" | "sort_ro").then(|| super::commands::sort::acl_denial(s, cmd, argv)).flatten()
}

fn script_denial(s: &mut Session, cmd: &Command) -> Option<String> {
    // In mirror mode the upstream checks what a script runs, under the same rules.
    if s.user.is_unrestricted() || s.proxy.as_ref().is_some_and(|p| p.target.mirror.is_some()) {
        return None;
    }
    // No ACL LOG entry: the user's rules allow the command (Redis would run it); the proxy
    // refuses what it cannot check, and says so in the reply and the log.
    let user = String::from_utf8_lossy(s.user.name()).into_owned();
    tracing::warn!(
        "Proxy refused '{}' to user '{user}' (scripts need unrestricted access), client id={} addr={}",
        cmd.fullname,
        s.handle.id,
        s.handle.addr
    );
    Some(format!(
        "NOPERM User {user} has no permissions to run the '{}' command through the proxy: scripts and functions run their commands in the upstream, out of authgate's ACL checks, so only users with all commands, keys and channels may run them",
        cmd.fullname
    ))
}

/// EXEC of a transaction queued locally: the commands are checked again against the user's
/// rules as they are now (as Redis does at EXEC), local commands run here, and the forwarded
/// ones go upstream between MULTI and EXEC; the upstream's EXEC array gets the local results
/// spliced in at their positions.
fn exec(s: &mut Session) {
    let Some(m) = s.multi.as_ref() else { return };
    // Like Redis, the client stays flagged as in MULTI (CLIENT LIST `multi=N`) while the
    // queued commands run, and the EXEC array's header counts in `obl` (an ACL LOG entry of
    // a denied command shows both).
    let queue = m.queue.clone();
    let at = s.out.buf.len();
    let proto = s.out.proto;
    proxy(s).send(at, proto, &[&b"MULTI"[..]], SlotKind::Discard);
    s.out.array(queue.len());
    s.in_exec = true;
    // Read the rules once, and again after a queued command that may have changed them (an
    // ACL subcommand, or AUTH/HELLO switching user), as authgate's own EXEC does.
    let mut rules = s.user.snapshot();
    let mut local = Vec::new();
    for (i, (cmd, argv)) in queue.iter().enumerate() {
        let start = s.out.buf.len();
        let denied_script = if route(cmd) == Route::Script { script_denial(s, cmd) } else { None };
        if let Err(d) = rules.check(cmd, argv) {
            multi::deny_queued(s, cmd, argv, d);
        } else if let Some(text) = denied_script {
            s.out.error_str(&text);
        } else if let Some(text) = sort_denial(s, cmd, argv) {
            s.out.error_str(text);
        } else if route(cmd) == Route::Subscribe {
            // Subscribed in authgate as on the upstream; the upstream's reply is in its array.
            let here = s.out.buf.len();
            subscribe_locally(s, cmd, argv, here);
            proxy(s).forward(at, proto, argv, SlotKind::Discard);
            continue;
        } else if let Some(text) = config_refusal(s, cmd, argv) {
            s.out.error_str(&text);
        } else if matches!(route(cmd), Route::Local | Route::Exec | Route::Reset | Route::Discard) || config_local(s, cmd, argv) {
            let user = s.user.clone();
            call_local(s, cmd, argv);
            if cmd.fullname.starts_with("acl|") || !user.same_user(&s.user) {
                rules = s.user.snapshot();
            }
        } else {
            proxy(s).forward(at, proto, argv, SlotKind::Discard);
            continue;
        }
        local.push((i, s.out.buf.split_off(start)));
    }
    s.out.buf.truncate(at);
    s.in_exec = false;
    s.multi = None;
    s.sync_info();
    proxy(s).send(at, proto, &[&b"EXEC"[..]], SlotKind::Exec { total: queue.len(), local });
}
