//! CONFIG GET / SET / RESETSTAT / REWRITE / HELP for the settings this server has.
//!
//! `requirepass` follows Redis' compatibility layer: SET does `resetpass` + `>pw` on the
//! default user (empty: `nopass`) and GET returns the remembered value. `port` and `bind`
//! re-listen at once. `loglevel` changes the process' log level. Settings Redis refuses (immutable
//! ones such as `aclfile` and `logfile`, protected ones such as `dir`) get its texts.
//! The `tls-*` settings rebuild the TLS configuration for new handshakes (open connections keep
//! theirs); one that does not build (a missing file, a key that does not match) is Redis'
//! "Unable to update TLS configuration" error and changes nothing. `tls-auth-clients-user`
//! (Valkey / Redis 8.6) is settable, and CONFIG GET lists it only while it is on, so with it
//! off the replies stay redis-server 7.0.15's.

use super::acl::help_reply;
use crate::redis::server::listen::bind_all;
use crate::redis::server::config::{LogLevel, parse_port, parse_pubsub_default, parse_query_buffer_limit, parse_range, Config};
use crate::redis::server::session::Session;
use crate::redis::server::TlsSettings;
use crate::tls::TlsAuthClientsUser;
use super::strings::cstr;
use crate::redis::acl::{glob, Command};

const HELP: &[&str] = &[
    "CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "GET <pattern>",
    "    Return parameters matching the glob-like <pattern> and their values.",
    "SET <directive> <value>",
    "    Set the configuration <directive> to <value>.",
    "RESETSTAT",
    "    Reset statistics reported by the INFO command.",
    "REWRITE",
    "    Rewrite the configuration file.",
    "HELP",
    "    Prints this help.",
];

const PARAMS: &[&str] = &[
    "requirepass",
    "acl-pubsub-default",
    "acllog-max-len",
    "maxclients",
    "port",
    "bind",
    "aclfile",
    "dir",
    "client-output-buffer-limit",
    "client-query-buffer-limit",
    "loglevel",
];

/// Settings read from the live config but not settable (`logfile` is immutable in Redis too).
const READ_ONLY: &[&str] = &["logfile"];

/// redis-server 7.0.15's immutable settings (each answered "can't set immutable config" when
/// set to its own default value there), refused with Redis' words here too.
const IMMUTABLE: &[&str] = &[
    "aclfile", "always-show-logo", "aof_rewrite_cpulist", "appenddirname", "appendfilename",
    "bgsave_cpulist", "bio_cpulist", "cluster-config-file", "cluster-enabled", "cluster-port",
    "daemonize", "databases", "disable-thp", "enable-debug-command", "enable-module-command",
    "enable-protected-configs", "io-threads", "io-threads-do-reads", "logfile", "pidfile",
    "rdbchecksum", "server_cpulist", "set-proc-title", "socket-mark-id", "supervised",
    "syslog-enabled", "syslog-facility", "syslog-ident", "tcp-backlog", "unixsocket", "unixsocketperm",
];

/// redis-server 7.0.15's protected settings (settable only with enable-protected-configs,
/// which is immutable and off by default): "can't set protected config".
const PROTECTED: &[&str] = &["dir", "dbfilename"];

/// Why CONFIG SET refuses the setting `name` (lower case) that this server does not set:
/// redis-server 7.0.15's words for its immutable and protected ones, else that this server
/// does not support it.
fn refusal(name: &str) -> &'static str {
    if IMMUTABLE.contains(&name) {
        "can't set immutable config"
    } else if PROTECTED.contains(&name) {
        "can't set protected config"
    } else {
        "this setting is not supported by this server"
    }
}

fn get_value(c: &Config, name: &str) -> Vec<u8> {
    match name {
        "requirepass" => c.requirepass.clone().unwrap_or_default(),
        "acl-pubsub-default" => {
            c.acl_pubsub_default.as_str().as_bytes().to_vec()
        }
        "acllog-max-len" => c.acllog_max_len.to_string().into_bytes(),
        "maxclients" => c.maxclients.to_string().into_bytes(),
        "client-output-buffer-limit" => c.client_output_buffer_limit.render().into_bytes(),
        "client-query-buffer-limit" => c.client_query_buffer_limit.to_string().into_bytes(),
        "port" => c.port.to_string().into_bytes(),
        "bind" => c.bind.join(" ").into_bytes(),
        "aclfile" => c.aclfile.as_ref().map(|p| p.to_string_lossy().into_owned().into_bytes()).unwrap_or_default(),
        "loglevel" => c.loglevel.as_str().as_bytes().to_vec(),
        "logfile" => c.logfile.as_ref().map(|p| p.to_string_lossy().into_owned().into_bytes()).unwrap_or_default(),
        "dir" => c
            .dir
            .clone()
            .or_else(|| std::env::current_dir().ok())
            .map(|p| p.to_string_lossy().into_owned().into_bytes())
            .unwrap_or_default(),
        _ => Vec::new(),
    }
}

/// Every parameter of a default redis-server 7.0.15 with its value
/// (`core/data/config_defaults.json`, from `scripts/gen_config_defaults.py`), so CONFIG GET of
/// settings this server does not manage answers like Redis. Settings it manages come from
/// its live config instead, and persistence is reported off (this server keeps no data files).
fn defaults() -> &'static [(String, String)] {
    static D: std::sync::OnceLock<Vec<(String, String)>> = std::sync::OnceLock::new();
    D.get_or_init(|| {
        let map: std::collections::BTreeMap<String, String> =
            serde_json::from_str(include_str!("../../../../data/config_defaults.json"))
                .expect("the committed config defaults are valid JSON");
        map.into_iter()
            .map(|(k, v)| match k.as_str() {
                "save" => (k, String::new()),
                _ => (k, v),
            })
            .collect()
    })
}

/// A default redis-server 7.0.15's value of a setting this server does not manage (INFO shows
/// some of them: hz, maxmemory, maxmemory-policy, repl-backlog-size).
pub(crate) fn redis_default(name: &str) -> &'static str {
    defaults().iter().find(|(k, _)| k == name).map_or("", |(_, v)| v.as_str())
}

fn get(s: &mut Session, patterns: &[Vec<u8>]) {
    let mut names: Vec<&str> = Vec::new();
    let cfg = s.shared.config.read().clone();
    let extension_on = cfg.tls.auth_clients_user != TlsAuthClientsUser::Off;
    let tls = TlsSettings::NAMES.iter().copied().filter(|n| *n != "tls-auth-clients-user" || extension_on);
    let all = PARAMS.iter().copied().chain(tls).chain(defaults().iter().map(|(k, _)| k.as_str()));
    for name in all {
        if !names.contains(&name) && patterns.iter().any(|p| glob::matches_nocase(p, name.as_bytes())) {
            names.push(name);
        }
    }
    s.out.map(names.len());
    for n in names {
        s.out.bulk(n.as_bytes());
        if let Some(v) = cfg.tls.get(n) {
            s.out.bulk(&v);
        } else if PARAMS.contains(&n) || READ_ONLY.contains(&n) {
            s.out.bulk(&get_value(&cfg, n));
        } else {
            let v = defaults().iter().find(|(k, _)| k == n).map(|(_, v)| v.as_str()).unwrap_or("");
            s.out.bulk(v.as_bytes());
        }
    }
}

fn set(s: &mut Session, argv: &[Vec<u8>]) {
    if argv.len() % 2 != 0 {
        return s.out.error_str("ERR wrong number of arguments for 'config|set' command");
    }
    let fail = |name: &str, why: &str| format!("ERR CONFIG SET failed (possibly related to argument '{name}') - {why}");
    let mut next = s.shared.config.read().clone();
    let mut seen: Vec<&'static str> = Vec::new();
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
        if seen.contains(&name) {
            return s.out.error_str(&fail(name, "duplicate parameter"));
        }
        seen.push(name);
        let v = &pair[1];
        let r: Result<(), String> = match name {
            "requirepass" => {
                next.requirepass = Some(v.clone());
                Ok(())
            }
            "acl-pubsub-default" => parse_pubsub_default(v).map(|b| next.acl_pubsub_default = b),
            "acllog-max-len" => parse_range(v, 0, i64::MAX).map(|n| next.acllog_max_len = n as usize),
            "maxclients" => parse_range(v, 1, u32::MAX as i64).map(|n| next.maxclients = n as usize),
            "port" => parse_port(v).map(|p| next.port = p),
            "client-output-buffer-limit" => next.client_output_buffer_limit.apply(v),
            "client-query-buffer-limit" => parse_query_buffer_limit(v).map(|n| next.client_query_buffer_limit = n),
            "loglevel" => LogLevel::from_bytes(v).map(|l| next.loglevel = l),
            "bind" => {
                let text = String::from_utf8_lossy(v).into_owned();
                next.bind = text.split_whitespace().map(str::to_string).collect();
                Ok(())
            }
            n if n.starts_with("tls-") => next.tls.apply(n, v).unwrap_or(Ok(())),
            // The read-only ones among PARAMS (aclfile, dir) are refused as Redis refuses them.
            n => Err(refusal(n).to_string()),
        };
        if let Err(why) = r {
            return s.out.error_str(&fail(name, &why));
        }
    }
    #[cfg(feature = "etcd")]
    if let (true, Some(store)) = (seen.contains(&"requirepass"), s.shared.acl_store.clone()) {
        // In store mode default's password changes through the store (every node sees it),
        // and the other parameters apply only after that write succeeded.
        let password = next.requirepass.clone().unwrap_or_default();
        let rest: Vec<&'static str> = seen.into_iter().filter(|n| *n != "requirepass").collect();
        return crate::redis::server::acl_store::requirepass(s, &store, &password, move |s| apply(s, next, &rest));
    }
    apply(s, next, &seen);
}

/// Applies a validated CONFIG SET (`seen`: the parameters named) and replies.
fn apply(s: &mut Session, next: Config, seen: &[&str]) {
    let fail = |name: &str, why: &str| format!("ERR CONFIG SET failed (possibly related to argument '{name}') - {why}");
    let old = s.shared.config.read().clone();
    // Setting any file or TLS option re-reads every file, even with the same value (how a
    // rotated certificate is picked up), as Redis does.
    let rebuild_tls = seen.iter().any(|n| n.starts_with("tls-") && *n != "tls-auth-clients-user");
    if rebuild_tls || next.tls != old.tls {
        if !rebuild_tls {
            s.shared.tls.set_mode(next.tls.auth_clients_user);
        } else if let Err(why) = s.shared.tls.reconfigure(&next.tls, next.dir.as_deref()) {
            tracing::warn!("{why}");
            let name = seen.iter().copied().find(|n| n.starts_with("tls-")).unwrap_or("tls-cert-file");
            return s.out.error_str(&fail(name, "Unable to update TLS configuration. Check server logs."));
        }
    }
    if next.tls.port != old.tls.port {
        // Port 0 closes the TLS listeners (Redis' meaning, also for an embedded server).
        let listeners = if next.tls.port == 0 { Ok(Vec::new()) } else { bind_all(&next.bind, next.tls.port) };
        match listeners {
            Ok(l) => s.shared.tls.rebind(l),
            Err(e) => {
                tracing::warn!("Could not create server TLS listening socket {}:{}: {e}", next.bind.join(" "), next.tls.port);
                return s.out.error_str(&fail("tls-port", "Unable to listen on this port. Check server logs."));
            }
        }
    }
    if next.port != old.port || next.bind != old.bind {
        match bind_all(&next.bind, next.port) {
            Ok(listeners) => {
                let _ = s.shared.rebind.send(listeners);
            }
            Err(_) => {
                let (name, why) = if next.port != old.port {
                    ("port", "Unable to listen on this port")
                } else {
                    ("bind", "Failed to bind to specified addresses.")
                };
                return s.out.error_str(&fail(name, why));
            }
        }
    }
    let acl = &s.shared.acl;
    if seen.contains(&"requirepass") {
        acl.set_requirepass(next.requirepass.as_deref().unwrap_or_default());
    }
    acl.set_pubsub_default(next.acl_pubsub_default);
    if next.acllog_max_len != old.acllog_max_len {
        acl.set_log_max_len(next.acllog_max_len);
    }
    if seen.contains(&"loglevel") {
        next.loglevel.make_current();
    }
    *s.shared.config.write() = next;
    s.out.ok();
}

/// CONFIG <subcommand> ...
pub(crate) fn config(s: &mut Session, cmd: &'static Command, argv: &[Vec<u8>]) {
    match cmd.name.as_str() {
        "get" => get(s, &argv[2..]),
        "set" => set(s, argv),
        "resetstat" => s.out.ok(),
        "rewrite" => s.out.error_str("ERR The server is running without a config file"),
        "help" => help_reply(&mut s.out, HELP),
        _ => {
            let msg = format!("ERR command '{}' is not supported by this server", cmd.fullname);
            s.out.error_str(&msg);
        }
    }
}
