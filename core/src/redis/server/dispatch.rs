//! Command execution: Redis' order of checks, then the handler.
//!
//! For every command line (`processCommand` in Redis 7.0):
//! 1. unknown command / unknown subcommand (in proxy mode, also a command the upstream's
//!    COMMAND table lacks);
//! 2. arity (in proxy mode, also the upstream's);
//! 3. protected commands (DEBUG, MODULE LOAD/LOADEX/UNLOAD: disabled as in a default redis.conf);
//! 4. NOAUTH unless the command is AUTH, HELLO, QUIT or RESET;
//! 5. commands not allowed inside MULTI;
//! 6. the ACL check (NOPERM, with an ACL LOG entry);
//! 7. RESP2 Pub/Sub context restriction;
//! 8. queueing inside MULTI, or execution.
//!
//! A command Redis knows but this server does not implement passes every check and then gets
//! `ERR command '<name>' is not supported by this server`, where `<name>` is the canonical
//! lowercase full name (`debug`, `client|pause`), the same name NOPERM errors use.

use std::sync::OnceLock;

use super::session::Session;
use super::commands::{acl as aclcmd, auth, client as clientcmd, config as configcmd, connection as conncmd, info as infocmd, introspection, keys as keycmds, multi, pubsub, sort as sortcmd, strings};
use crate::redis::acl::{self, table, Command, CommandFlags, DenialKind, LogContext, LogReason};

/// A command implementation.
pub(crate) type Handler = fn(&mut Session, &'static Command, &[Vec<u8>]);

macro_rules! db_handler {
    ($f:expr) => {
        |s: &mut Session, _c: &'static Command, a: &[Vec<u8>]| {
            let db = s.shared.keyspace.db(s.db);
            #[allow(clippy::redundant_closure_call)]
            ($f)(db, a, &mut s.out)
        }
    };
}

fn handlers() -> &'static [Option<Handler>] {
    static H: OnceLock<Vec<Option<Handler>>> = OnceLock::new();
    H.get_or_init(|| {
        let list: Vec<(&str, Handler)> = vec![
            ("get", db_handler!(strings::get)),
            ("set", db_handler!(strings::set)),
            ("getdel", db_handler!(strings::getdel)),
            ("setnx", db_handler!(strings::setnx)),
            ("setex", db_handler!(|d, a, o| strings::setex(d, a, o, true))),
            ("psetex", db_handler!(|d, a, o| strings::setex(d, a, o, false))),
            ("getset", db_handler!(strings::getset)),
            ("incr", db_handler!(|d, a: &[Vec<u8>], o| strings::incr_by(d, &a[1], 1, o))),
            ("decr", db_handler!(|d, a: &[Vec<u8>], o| strings::incr_by(d, &a[1], -1, o))),
            ("incrby", db_handler!(|d, a, o| strings::incr_by_arg(d, a, o, false))),
            ("decrby", db_handler!(|d, a, o| strings::incr_by_arg(d, a, o, true))),
            ("incrbyfloat", db_handler!(strings::incrbyfloat)),
            ("append", db_handler!(strings::append)),
            ("strlen", db_handler!(strings::strlen)),
            ("mget", db_handler!(strings::mget)),
            ("mset", db_handler!(|d, a, o| strings::mset(d, a, o, false))),
            ("msetnx", db_handler!(|d, a, o| strings::mset(d, a, o, true))),
            ("del", db_handler!(keycmds::del)),
            ("unlink", db_handler!(keycmds::del)),
            ("exists", db_handler!(keycmds::exists)),
            ("type", db_handler!(keycmds::type_)),
            ("keys", db_handler!(keycmds::keys)),
            ("scan", db_handler!(keycmds::scan)),
            ("expire", db_handler!(|d, a, o| keycmds::expire(d, a, o, "expire", true, false))),
            ("pexpire", db_handler!(|d, a, o| keycmds::expire(d, a, o, "pexpire", false, false))),
            ("expireat", db_handler!(|d, a, o| keycmds::expire(d, a, o, "expireat", true, true))),
            ("pexpireat", db_handler!(|d, a, o| keycmds::expire(d, a, o, "pexpireat", false, true))),
            ("ttl", db_handler!(|d, a, o| keycmds::ttl(d, a, o, false, false))),
            ("pttl", db_handler!(|d, a, o| keycmds::ttl(d, a, o, true, false))),
            ("expiretime", db_handler!(|d, a, o| keycmds::ttl(d, a, o, false, true))),
            ("pexpiretime", db_handler!(|d, a, o| keycmds::ttl(d, a, o, true, true))),
            ("persist", db_handler!(keycmds::persist)),
            ("dbsize", db_handler!(|d, _a, o| keycmds::dbsize(d, o))),
            ("flushdb", db_handler!(keycmds::flushdb)),
            ("flushall", |s, _c, a| keycmds::flushall(&s.shared.keyspace, a, &mut s.out)),
            ("ping", conncmd::ping),
            ("echo", conncmd::echo),
            ("quit", conncmd::quit),
            ("reset", conncmd::reset),
            ("select", conncmd::select),
            ("auth", auth::auth),
            ("hello", auth::hello),
            ("publish", |s, _c, a| pubsub::publish(s, a, false)),
            ("spublish", |s, _c, a| pubsub::publish(s, a, true)),
            ("subscribe", |s, _c, a| pubsub::subscribe(s, a, pubsub::Kind::Channel)),
            ("psubscribe", |s, _c, a| pubsub::subscribe(s, a, pubsub::Kind::Pattern)),
            ("ssubscribe", |s, _c, a| pubsub::subscribe(s, a, pubsub::Kind::Shard)),
            ("unsubscribe", |s, _c, a| pubsub::unsubscribe(s, a, pubsub::Kind::Channel)),
            ("punsubscribe", |s, _c, a| pubsub::unsubscribe(s, a, pubsub::Kind::Pattern)),
            ("sunsubscribe", |s, _c, a| pubsub::unsubscribe(s, a, pubsub::Kind::Shard)),
            ("pubsub|channels", |s, _c, a| pubsub::pubsub_command(s, "channels", a)),
            ("pubsub|numsub", |s, _c, a| pubsub::pubsub_command(s, "numsub", a)),
            ("pubsub|numpat", |s, _c, a| pubsub::pubsub_command(s, "numpat", a)),
            ("pubsub|shardchannels", |s, _c, a| pubsub::pubsub_command(s, "shardchannels", a)),
            ("pubsub|shardnumsub", |s, _c, a| pubsub::pubsub_command(s, "shardnumsub", a)),
            ("sort", sortcmd::sort),
            ("info", infocmd::info),
            ("sort_ro", sortcmd::sort),
            ("multi", multi::multi),
            ("exec", multi::exec),
            ("discard", multi::discard),
            ("watch", multi::watch),
            ("unwatch", multi::unwatch),
        ];
        let t = table();
        let mut v: Vec<Option<Handler>> = vec![None; t.all().len()];
        for (name, h) in list {
            if let Some(c) = t.lookup_rule_name(name.as_bytes()) {
                v[c.id] = Some(h);
            }
        }
        for (prefix, h) in [
            ("acl|", aclcmd::acl as Handler),
            ("client|", clientcmd::client as Handler),
            ("command", introspection::command as Handler),
            ("config|", configcmd::config as Handler),
        ] {
            for c in t.all() {
                if c.fullname.starts_with(prefix) && v[c.id].is_none() {
                    v[c.id] = Some(h);
                }
            }
        }
        v
    })
}

/// Per-command attributes the dispatcher tests on every call, precomputed by command id.
const PROTECTED_DEBUG: u8 = 1;
const PROTECTED_MODULE: u8 = 2;
const NOT_QUEUED: u8 = 4;
const PUBSUB_CONTEXT_OK: u8 = 8;

fn attributes() -> &'static [u8] {
    static A: OnceLock<Vec<u8>> = OnceLock::new();
    A.get_or_init(|| {
        table()
            .all()
            .iter()
            .map(|c| {
                let name = c.fullname.as_str();
                let mut a = 0;
                match name {
                    "debug" => a |= PROTECTED_DEBUG,
                    "module|load" | "module|loadex" | "module|unload" => a |= PROTECTED_MODULE,
                    _ => {}
                }
                if matches!(name, "exec" | "discard" | "multi" | "watch" | "quit" | "reset") {
                    a |= NOT_QUEUED;
                }
                if matches!(
                    name,
                    "ping" | "subscribe" | "ssubscribe" | "unsubscribe" | "sunsubscribe" | "psubscribe"
                        | "punsubscribe" | "quit" | "reset"
                ) {
                    a |= PUBSUB_CONTEXT_OK;
                }
                a
            })
            .collect()
    })
}

/// Runs one command line with all of Redis' checks, writing the reply into `s.out`.
pub(crate) fn execute(s: &mut Session, argv: &[Vec<u8>]) {
    s.argv_mem = argv.iter().map(|a| a.len()).sum();
    let cmd = match &s.last_command {
        // Clients repeat commands; an exact repeat of a plain command skips the lookup.
        Some((name, c)) if argv.first().is_some_and(|a| a == name) => c,
        _ => match table().resolve(argv) {
            Ok(c) => {
                if !c.is_container() && c.parent.is_none() {
                    s.last_command = Some((argv[0].clone(), c));
                }
                c
            }
            Err(e) => {
                s.handle.touch_unknown(s.now);
                return reject(s, &acl::unknown_command_message(argv, e));
            }
        },
    };
    if let Some(rejection) = s.proxy.as_ref().and_then(|p| p.upstream_rejection(cmd, argv)) {
        // Proxy mode: the upstream lacks the command, or takes another number of arguments.
        return match rejection {
            super::proxy::Rejection::Unknown(text) => {
                s.handle.touch_unknown(s.now);
                reject(s, &text)
            }
            super::proxy::Rejection::Arity(text) => {
                s.handle.touch(cmd.id, s.now);
                reject_cmd(s, cmd, &text)
            }
        };
    }
    s.handle.touch(cmd.id, s.now);
    if !cmd.arity_ok(argv.len()) {
        return reject_cmd(s, cmd, &acl::arity_message(cmd));
    }
    let attrs = attributes().get(cmd.id).copied().unwrap_or(0);
    if attrs & (PROTECTED_DEBUG | PROTECTED_MODULE) != 0 && !protected_allowed(s, attrs) {
        let (what, option) = if attrs & PROTECTED_DEBUG != 0 {
            ("DEBUG", "enable-debug-command")
        } else {
            ("MODULE", "enable-module-command")
        };
        let msg = format!("ERR {what} command not allowed. If the {option} option is set to \"local\", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.");
        return reject_cmd(s, cmd, msg.as_bytes());
    }
    if !s.authenticated && !cmd.is_no_auth() && s.auth_required() {
        return reject_cmd(s, cmd, b"NOAUTH Authentication required.");
    }
    if s.multi.is_some() && cmd.flags.has(CommandFlags::NO_MULTI) {
        return reject_cmd(s, cmd, b"ERR Command not allowed inside a transaction");
    }
    let context = if s.multi.is_some() { LogContext::Multi } else { LogContext::Toplevel };
    if let Err(text) = acl_check(s, cmd, argv, context) {
        let mut msg = b"NOPERM ".to_vec();
        msg.extend_from_slice(text.as_bytes());
        return reject_cmd(s, cmd, &msg);
    }
    if attrs & PUBSUB_CONTEXT_OK == 0 && s.in_pubsub() && !s.out.is_resp3() {
        let msg = format!("ERR Can't execute '{}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context", cmd.fullname);
        return s.out.error_str(&msg);
    }
    if let Some(m) = s.multi.as_mut() {
        if attrs & NOT_QUEUED == 0 {
            m.queue_command(cmd, argv);
            s.out.simple(b"QUEUED");
            s.sync_info();
            return;
        }
    }
    call(s, cmd, argv);
}

/// Runs a resolved, checked command.
pub(crate) fn call(s: &mut Session, cmd: &'static Command, argv: &[Vec<u8>]) {
    if s.proxy.is_some() && super::proxy::intercept(s, cmd, argv) {
        return;
    }
    match handlers().get(cmd.id).copied().flatten() {
        Some(h) => h(s, cmd, argv),
        None => {
            let msg = format!("ERR command '{}' is not supported by this server", cmd.fullname);
            s.out.error_str(&msg);
        }
    }
}

/// The permission check; on denial adds the ACL LOG entry and returns the NOPERM text.
pub(crate) fn acl_check(
    s: &mut Session,
    cmd: &'static Command,
    argv: &[Vec<u8>],
    context: LogContext,
) -> Result<(), String> {
    let Err(d) = s.user.check_cached(&mut s.user_view, cmd, argv) else { return Ok(()) };
    let (reason, object) = match d.kind {
        DenialKind::Command => (LogReason::Command, cmd.fullname.as_bytes()),
        DenialKind::Key => (LogReason::Key, argv.get(d.pos).map_or(&b""[..], |a| a)),
        DenialKind::Channel => (LogReason::Channel, argv.get(d.pos).map_or(&b""[..], |a| a)),
    };
    s.shared.acl.log_event(reason, context, object, s.user.name(), s.client_line());
    let user = String::from_utf8_lossy(s.user.name());
    let (id, addr) = (s.handle.id, s.handle.addr);
    match d.kind {
        DenialKind::Command => {
            tracing::warn!("ACL denied: user '{user}', command '{}', client id={id} addr={addr}", cmd.fullname)
        }
        // The key or channel named, not the other arguments (a value may be a secret).
        kind => tracing::warn!(
            "ACL denied: user '{user}', command '{}', {} '{}', client id={id} addr={addr}",
            cmd.fullname,
            kind.as_str(),
            String::from_utf8_lossy(object)
        ),
    }
    Err(acl::noperm_message(d.kind, &cmd.fullname))
}

/// Replies with an error that rejects the command (flags an open transaction).
fn reject(s: &mut Session, text: &[u8]) {
    if let Some(m) = s.multi.as_mut() {
        m.dirty = true;
    }
    s.out.error(text);
}

/// Rejects a resolved command. A rejected EXEC also discards the transaction and says why,
/// as Redis' `execCommandAbort` does (even outside MULTI): `EXECABORT Transaction discarded
/// because of: <error>`, with a plain `ERR ` prefix dropped from the reason.
fn reject_cmd(s: &mut Session, cmd: &Command, text: &[u8]) {
    if cmd.fullname != "exec" {
        return reject(s, text);
    }
    s.multi = None;
    s.sync_info();
    let reason = text.strip_prefix(b"ERR ").unwrap_or(text);
    let mut msg = b"EXECABORT Transaction discarded because of: ".to_vec();
    msg.extend_from_slice(reason);
    s.out.error(&msg);
}

/// Whether the configuration lets this client run the protected command (`attrs` says which
/// kind): Redis' `enable-debug-command` / `enable-module-command`. Every client here is a TCP
/// client (this server has no Unix socket), so "local" means a loopback peer address.
fn protected_allowed(s: &Session, attrs: u8) -> bool {
    let cfg = s.shared.config.read();
    let action = if attrs & PROTECTED_DEBUG != 0 { cfg.enable_debug_command } else { cfg.enable_module_command };
    action.allows(Some(s.handle.addr.ip()))
}
