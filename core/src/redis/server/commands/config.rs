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
use crate::redis::server::config::Config;
use crate::redis::server::session::Session;
use crate::redis::server::TlsSettings;
use crate::tls::TlsAuthClientsUser;
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

pub(crate) const PARAMS: &[&str] = &[
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
pub(crate) const READ_ONLY: &[&str] = &["logfile", "enable-debug-command", "enable-module-command"];

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
pub(super) fn refusal(name: &str) -> &'static str {
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
        "enable-debug-command" => c.enable_debug_command.as_str().as_bytes().to_vec(),
        "enable-module-command" => c.enable_module_command.as_str().as_bytes().to_vec(),
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
pub(super) fn defaults() -> &'static [(String, String)] {
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

/// A default redis-server 7.0.15's value of a setting, `None` if Redis has no such setting.
pub(crate) fn redis_default_of(name: &str) -> Option<&'static str> {
    defaults().iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

/// A default redis-server 7.0.15's value of a setting this server does not manage (INFO shows
/// some of them: hz, maxmemory, maxmemory-policy, repl-backlog-size).
pub(crate) fn redis_default(name: &str) -> &'static str {
    defaults().iter().find(|(k, _)| k == name).map_or("", |(_, v)| v.as_str())
}

/// The settings CONFIG GET `patterns` names, with their values, in CONFIG GET's order: this
/// server's own ones and, with `with_redis_defaults`, every other redis-server setting with
/// its default value.
pub(crate) fn matching(cfg: &Config, patterns: &[Vec<u8>], with_redis_defaults: bool) -> Vec<(&'static str, Vec<u8>)> {
    let mut names: Vec<&'static str> = Vec::new();
    let extension_on = cfg.tls.auth_clients_user != TlsAuthClientsUser::Off;
    let tls = TlsSettings::NAMES.iter().copied().filter(|n| *n != "tls-auth-clients-user" || extension_on);
    let redis = defaults().iter().map(|(k, _)| k.as_str()).filter(|_| with_redis_defaults);
    // Without Redis' defaults the read-only ones (which CONFIG GET * lists among those) come last.
    let read_only = READ_ONLY.iter().copied().filter(|_| !with_redis_defaults);
    for name in PARAMS.iter().copied().chain(tls).chain(redis).chain(read_only) {
        if !names.contains(&name) && patterns.iter().any(|p| glob::matches_nocase(p, name.as_bytes())) {
            names.push(name);
        }
    }
    names
        .into_iter()
        .map(|n| {
            let v = if let Some(v) = cfg.tls.get(n) {
                v
            } else if PARAMS.contains(&n) || READ_ONLY.contains(&n) {
                get_value(cfg, n)
            } else {
                redis_default(n).as_bytes().to_vec()
            };
            (n, v)
        })
        .collect()
}

fn get(s: &mut Session, patterns: &[Vec<u8>]) {
    let cfg = s.shared.config.read().clone();
    let found = matching(&cfg, patterns, true);
    s.out.map(found.len());
    for (name, value) in found {
        s.out.bulk(name.as_bytes());
        s.out.bulk(&value);
    }
}

/// CONFIG <subcommand> ...
pub(crate) fn config(s: &mut Session, cmd: &'static Command, argv: &[Vec<u8>]) {
    match cmd.name.as_str() {
        "get" => get(s, &argv[2..]),
        "set" => super::config_set::set(s, argv),
        "resetstat" => s.out.ok(),
        "rewrite" => super::config_rewrite::config_rewrite(s),
        "help" => help_reply(&mut s.out, HELP),
        _ => {
            let msg = format!("ERR command '{}' is not supported by this server", cmd.fullname);
            s.out.error_str(&msg);
        }
    }
}
