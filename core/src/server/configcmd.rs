//! CONFIG GET / SET / RESETSTAT / REWRITE / HELP for the settings this server has.
//!
//! `requirepass` follows Redis' compatibility layer: SET does `resetpass` + `>pw` on the
//! default user (empty: `nopass`) and GET returns the remembered value. `port` and `bind`
//! re-listen at once. `aclfile` and `dir` are read-only here (`aclfile` is immutable in Redis).

use super::aclcmd::help_reply;
use super::config::{parse_port, parse_pubsub_default, parse_range, Config};
use super::session::Session;
use super::strings::cstr;
use crate::acl::{glob, Command};

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

const PARAMS: &[&str] =
    &["requirepass", "acl-pubsub-default", "acllog-max-len", "maxclients", "port", "bind", "aclfile", "dir"];

fn get_value(c: &Config, name: &str) -> Vec<u8> {
    match name {
        "requirepass" => c.requirepass.clone().unwrap_or_default(),
        "acl-pubsub-default" => {
            if c.acl_pubsub_default_allchannels { b"allchannels".to_vec() } else { b"resetchannels".to_vec() }
        }
        "acllog-max-len" => c.acllog_max_len.to_string().into_bytes(),
        "maxclients" => c.maxclients.to_string().into_bytes(),
        "port" => c.port.to_string().into_bytes(),
        "bind" => c.bind.join(" ").into_bytes(),
        "aclfile" => c.aclfile.as_ref().map(|p| p.to_string_lossy().into_owned().into_bytes()).unwrap_or_default(),
        "dir" => c
            .dir
            .clone()
            .or_else(|| std::env::current_dir().ok())
            .map(|p| p.to_string_lossy().into_owned().into_bytes())
            .unwrap_or_default(),
        _ => Vec::new(),
    }
}

fn get(s: &mut Session, patterns: &[Vec<u8>]) {
    let mut names: Vec<&str> = Vec::new();
    for p in patterns {
        for name in PARAMS {
            if !names.contains(name) && glob::matches_nocase(p, name.as_bytes()) {
                names.push(name);
            }
        }
    }
    let cfg = s.shared.config.read().clone();
    s.out.map(names.len());
    for n in names {
        s.out.bulk(n.as_bytes());
        s.out.bulk(&get_value(&cfg, n));
    }
}

/// Binds listeners for `bind` x `port`, all or nothing.
pub(crate) fn bind_all(bind: &[String], port: u16) -> std::io::Result<Vec<std::net::TcpListener>> {
    let mut out = Vec::new();
    for host in bind {
        // Redis syntax: a leading `-` marks an optional address (skipped if it cannot be
        // bound); `*` and `::*` are the wildcards.
        let optional = host.starts_with('-');
        let host = host.strip_prefix('-').unwrap_or(host);
        let host = match host {
            "*" => "0.0.0.0",
            "::*" => "::",
            h => h.trim_start_matches('[').trim_end_matches(']'),
        };
        let l = match std::net::TcpListener::bind((host, port)) {
            Ok(l) => l,
            Err(_) if optional => continue,
            Err(e) => return Err(e),
        };
        l.set_nonblocking(true)?;
        out.push(l);
    }
    Ok(out)
}

fn set(s: &mut Session, argv: &[Vec<u8>]) {
    if argv.len() % 2 != 0 {
        return s.out.error_str("ERR wrong number of arguments for 'config|set' command");
    }
    let fail = |name: &str, why: &str| format!("ERR CONFIG SET failed (possibly related to argument '{name}') - {why}");
    let mut next = s.shared.config.read().clone();
    let mut seen: Vec<&str> = Vec::new();
    for pair in argv[2..].chunks(2) {
        let lower = String::from_utf8_lossy(&pair[0]).to_ascii_lowercase();
        let Some(name) = PARAMS.iter().copied().find(|p| *p == lower) else {
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
            "acl-pubsub-default" => parse_pubsub_default(v).map(|b| next.acl_pubsub_default_allchannels = b),
            "acllog-max-len" => parse_range(v, 0, i64::MAX).map(|n| next.acllog_max_len = n as usize),
            "maxclients" => parse_range(v, 1, u32::MAX as i64).map(|n| next.maxclients = n as usize),
            "port" => parse_port(v).map(|p| next.port = p),
            "bind" => {
                let text = String::from_utf8_lossy(v).into_owned();
                next.bind = text.split_whitespace().map(str::to_string).collect();
                Ok(())
            }
            _ => Err("can't set immutable config".to_string()),
        };
        if let Err(why) = r {
            return s.out.error_str(&fail(name, &why));
        }
    }
    let old = s.shared.config.read().clone();
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
    acl.set_pubsub_default_allchannels(next.acl_pubsub_default_allchannels);
    if next.acllog_max_len != old.acllog_max_len {
        acl.set_log_max_len(next.acllog_max_len);
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
