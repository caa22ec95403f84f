//! CONFIG SET, all or nothing as in Redis.
//!
//! Three phases: every parameter is parsed onto a copy of the configuration; then everything
//! that can still fail is prepared without being installed (the TLS configuration built, the
//! listening sockets bound); in store mode default's new password is then written through the
//! ACL store; only when all of that succeeded is the change installed. A failure at any phase
//! is the error reply and changes nothing (no TLS configuration, listener or stored password
//! left from a command that failed).
//!
//! The store write is deferred (the connection waits for etcd), so the install re-applies the
//! command's parameters onto the configuration as it is then: a CONFIG SET another client ran
//! meanwhile is kept, as if the two had run one after the other.

use std::net::TcpListener;

use super::config::{defaults, refusal, PARAMS};
use super::strings::cstr;
use crate::redis::server::config::{parse_port, parse_pubsub_default, parse_query_buffer_limit, parse_range, Config, LogLevel};
use crate::redis::server::listen::bind_all;
use crate::redis::server::session::Session;
use crate::redis::server::tls::BuiltTls;
use crate::redis::server::TlsSettings;
use crate::tls::TlsAuthClientsUser;

/// Redis' text for a parameter whose value or effect failed.
fn failed(name: &str, why: &str) -> String {
    format!("ERR CONFIG SET failed (possibly related to argument '{name}') - {why}")
}

/// `CONFIG SET name value [name value ...]`.
pub(super) fn set(s: &mut Session, argv: &[Vec<u8>]) {
    if argv.len() % 2 != 0 {
        return s.out.error_str("ERR wrong number of arguments for 'config|set' command");
    }
    let old = s.shared.config.read().clone();
    let mut next = old.clone();
    let mut params: Vec<(&'static str, Vec<u8>)> = Vec::new();
    for pair in argv[2..].chunks(2) {
        let lower = String::from_utf8_lossy(&pair[0]).to_ascii_lowercase();
        let tls_param = TlsSettings::NAMES.contains(&lower.as_str());
        if !PARAMS.contains(&lower.as_str()) && !tls_param && defaults().iter().any(|(k, _)| *k == lower) {
            let why = refusal(&lower);
            let mut e = b"ERR CONFIG SET failed (possibly related to argument '".to_vec();
            e.extend_from_slice(cstr(&pair[0]));
            e.extend_from_slice(b"') - ");
            e.extend_from_slice(why.as_bytes());
            return s.out.error(&e);
        }
        let Some(name) = PARAMS.iter().chain(TlsSettings::NAMES).copied().find(|p| *p == lower) else {
            let mut e = b"ERR Unknown option or number of arguments for CONFIG SET - '".to_vec();
            e.extend_from_slice(cstr(&pair[0]));
            e.push(b'\'');
            return s.out.error(&e);
        };
        if params.iter().any(|(n, _)| *n == name) {
            return s.out.error_str(&failed(name, "duplicate parameter"));
        }
        if let Err(why) = assign(&mut next, name, &pair[1]) {
            return s.out.error_str(&failed(name, &why));
        }
        params.push((name, pair[1].clone()));
    }
    let prepared = match prepare(s, &old, &next, &params) {
        Ok(prepared) => prepared,
        Err(e) => return s.out.error_str(&e),
    };
    #[cfg(feature = "etcd")]
    if let (true, Some(store)) = (params.iter().any(|(n, _)| *n == "requirepass"), s.shared.acl_store.clone()) {
        // In store mode default's password changes through the store (every node sees it);
        // the rest is installed only once that write succeeded (a failed write drops what was
        // prepared: the sockets close, the TLS build is discarded).
        let password = next.requirepass.clone().unwrap_or_default();
        return crate::redis::server::acl_store::requirepass(s, &store, &password, move |s| install(s, prepared, &params));
    }
    install(s, prepared, &params);
}

/// Sets parameter `name` (a name of PARAMS or a `tls-*` one) of `c` from `v`.
fn assign(c: &mut Config, name: &str, v: &[u8]) -> Result<(), String> {
    match name {
        "requirepass" => {
            c.requirepass = Some(v.to_vec());
            Ok(())
        }
        "acl-pubsub-default" => parse_pubsub_default(v).map(|b| c.acl_pubsub_default = b),
        "acllog-max-len" => parse_range(v, 0, i64::MAX).map(|n| c.acllog_max_len = n as usize),
        "maxclients" => parse_range(v, 1, u32::MAX as i64).map(|n| c.maxclients = n as usize),
        "port" => parse_port(v).map(|p| c.port = p),
        "client-output-buffer-limit" => c.client_output_buffer_limit.apply(v),
        "client-query-buffer-limit" => parse_query_buffer_limit(v).map(|n| c.client_query_buffer_limit = n),
        "loglevel" => LogLevel::from_bytes(v).map(|l| c.loglevel = l),
        "bind" => {
            c.bind = String::from_utf8_lossy(v).split_whitespace().map(str::to_string).collect();
            Ok(())
        }
        n if n.starts_with("tls-") => c.tls.apply(n, v).unwrap_or(Ok(())),
        // The read-only ones among PARAMS (aclfile, dir) are refused as Redis refuses them.
        n => Err(refusal(n).to_string()),
    }
}

/// What the TLS listener's configuration becomes.
enum TlsChange {
    Unchanged,
    /// Only `tls-auth-clients-user` changed: no rebuild.
    Mode(TlsAuthClientsUser),
    /// Files or settings given: everything was read again (how a rotated certificate is
    /// picked up, even with the same values, as Redis does).
    Rebuilt(BuiltTls),
}

/// The effects of a CONFIG SET that could fail, done but not yet in use.
struct Prepared {
    tls: TlsChange,
    /// New TLS listeners (empty for `tls-port 0`, which closes them).
    tls_listeners: Option<Vec<TcpListener>>,
    /// New plain listeners (`port` or `bind` changed).
    listeners: Option<Vec<TcpListener>>,
}

/// Builds and binds what `next` needs; the error is the reply.
fn prepare(s: &Session, old: &Config, next: &Config, params: &[(&'static str, Vec<u8>)]) -> Result<Prepared, String> {
    let rebuild_tls = params.iter().any(|(n, _)| n.starts_with("tls-") && *n != "tls-auth-clients-user");
    let tls = if rebuild_tls {
        let built = s.shared.tls.build(&next.tls, next.dir.as_deref()).map_err(|why| {
            tracing::warn!("{why}");
            let name = params.iter().map(|(n, _)| *n).find(|n| n.starts_with("tls-")).unwrap_or("tls-cert-file");
            failed(name, "Unable to update TLS configuration. Check server logs.")
        })?;
        TlsChange::Rebuilt(built)
    } else if next.tls != old.tls {
        TlsChange::Mode(next.tls.auth_clients_user)
    } else {
        TlsChange::Unchanged
    };
    let tls_listeners = if next.tls.port == old.tls.port {
        None
    } else if next.tls.port == 0 {
        // Port 0 closes the TLS listeners (Redis' meaning, also for an embedded server).
        Some(Vec::new())
    } else {
        Some(bind_all(&next.bind, next.tls.port).map_err(|e| {
            tracing::warn!("Could not create server TLS listening socket {}:{}: {e}", next.bind.join(" "), next.tls.port);
            failed("tls-port", "Unable to listen on this port. Check server logs.")
        })?)
    };
    let listeners = if next.port != old.port || next.bind != old.bind {
        Some(bind_all(&next.bind, next.port).map_err(|_| {
            if next.port != old.port {
                failed("port", "Unable to listen on this port. Check server logs.")
            } else {
                failed("bind", "Failed to bind to specified addresses.")
            }
        })?)
    } else {
        None
    };
    Ok(Prepared { tls, tls_listeners, listeners })
}

/// Installs a prepared CONFIG SET and replies OK.
fn install(s: &mut Session, prepared: Prepared, params: &[(&'static str, Vec<u8>)]) {
    let (old, next) = {
        let mut config = s.shared.config.write();
        let old = config.clone();
        let mut next = old.clone();
        for (name, value) in params {
            // Each value parsed when the command was read; parsing is a pure function of it.
            let reparsed = assign(&mut next, name, value);
            debug_assert!(reparsed.is_ok(), "{name} parsed once and not again");
        }
        *config = next.clone();
        (old, next)
    };
    match prepared.tls {
        TlsChange::Rebuilt(built) => s.shared.tls.install(built),
        TlsChange::Mode(mode) => s.shared.tls.set_mode(mode),
        TlsChange::Unchanged => {}
    }
    if let Some(listeners) = prepared.tls_listeners {
        s.shared.tls.rebind(listeners);
    }
    if let Some(listeners) = prepared.listeners {
        let _ = s.shared.rebind.send(listeners);
    }
    let acl = &s.shared.acl;
    if params.iter().any(|(n, _)| *n == "requirepass") {
        acl.set_requirepass(next.requirepass.as_deref().unwrap_or_default());
    }
    acl.set_pubsub_default(next.acl_pubsub_default);
    if next.acllog_max_len != old.acllog_max_len {
        acl.set_log_max_len(next.acllog_max_len);
    }
    if params.iter().any(|(n, _)| *n == "loglevel") {
        next.loglevel.make_current();
    }
    s.out.ok();
}
