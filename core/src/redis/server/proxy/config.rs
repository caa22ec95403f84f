//! CONFIG in proxy mode: authgate's own settings stay authgate's, every other one is the
//! upstream's.
//!
//! authgate owns what concerns the connections it accepts and the users it checks: `port`,
//! `bind`, `maxclients`, the client buffer limits, `requirepass`, `aclfile`, `acl*`, the log,
//! `enable-debug-command` / `enable-module-command` and the `tls-*` settings (see
//! [`owned`]). Everything else (`maxmemory`, `notify-keyspace-events`, `save`, `dir`, ...)
//! belongs to the server holding the data. So CONFIG SET of upstream settings is forwarded and
//! CONFIG SET of authgate's is authgate's own; one CONFIG SET naming both is refused, because
//! Redis applies a CONFIG SET all or nothing and two servers cannot. CONFIG GET goes to the
//! upstream and authgate's own settings replace or join the upstream's in the reply.
//! CONFIG RESETSTAT is forwarded (the statistics are the upstream's, as INFO's are);
//! CONFIG REWRITE and HELP stay authgate's.

use super::reply::UpstreamProtocolError;
use crate::redis::resp::number::write_i64;
use crate::redis::resp::Protocol;
use crate::redis::server::commands::config::{matching, PARAMS, READ_ONLY};
use crate::redis::server::session::Session;
use crate::redis::server::TlsSettings;

/// What CONFIG in proxy mode does with one command line.
pub(super) enum ConfigRoute {
    /// authgate answers (its own settings, REWRITE, HELP, errors of the line).
    Local,
    /// Forwarded as it is.
    Forward,
    /// Forwarded, the reply merged with authgate's own settings (these, as CONFIG GET gives them).
    Get(Vec<(&'static str, Vec<u8>)>),
    /// Refused with this error.
    Refuse(String),
}

/// Whether a setting (lower case) is authgate's in proxy mode rather than the upstream's.
pub(super) fn owned(name: &str) -> bool {
    // `dir` is where the data files are: the upstream's. (authgate's own `dir` only resolves a
    // relative aclfile.)
    name != "dir" && (PARAMS.contains(&name) || READ_ONLY.contains(&name) || TlsSettings::NAMES.contains(&name))
}

/// Where `CONFIG <sub> ...` goes (`sub` is the subcommand's name).
pub(super) fn route(s: &Session, sub: &str, argv: &[Vec<u8>]) -> ConfigRoute {
    match sub {
        "get" => {
            let cfg = s.shared.config.read();
            ConfigRoute::Get(matching(&cfg, &argv[2..], false).into_iter().filter(|(n, _)| owned(n)).collect())
        }
        "set" => {
            // A wrong number of arguments is authgate's error, as Redis words it.
            if argv.len() % 2 != 0 {
                return ConfigRoute::Local;
            }
            let names: Vec<String> = argv[2..].chunks(2).map(|p| String::from_utf8_lossy(&p[0]).to_ascii_lowercase()).collect();
            let (own, theirs): (Vec<&String>, Vec<&String>) = names.iter().partition(|n| owned(n));
            match (own.is_empty(), theirs.is_empty()) {
                (true, _) => ConfigRoute::Forward,
                (false, true) => ConfigRoute::Local,
                (false, false) => ConfigRoute::Refuse(format!(
                    "ERR CONFIG SET of authgate's settings ({}) and the upstream's ({}) in one command is not supported in proxy mode: set them in two commands",
                    join(&own),
                    join(&theirs)
                )),
            }
        }
        "resetstat" => ConfigRoute::Forward,
        _ => ConfigRoute::Local,
    }
}

fn join(names: &[&String]) -> String {
    names.iter().map(|n| n.as_str()).collect::<Vec<_>>().join(", ")
}

/// The upstream's CONFIG GET reply (`reply`, one whole reply: an array, or a RESP3 map, of
/// name/value pairs) with authgate's own settings in it: each replaces the upstream's value of
/// the same name, or is added after the upstream's pairs. Encoded in `proto`, as authgate's
/// own CONFIG GET would be. An error reply is passed on as it is.
pub(super) fn merge_get(reply: &[u8], own: &[(&'static str, Vec<u8>)], proto: Protocol) -> Result<Vec<u8>, UpstreamProtocolError> {
    if reply.first() == Some(&b'-') {
        return Ok(reply.to_vec());
    }
    let items = super::commands::bulk_items(reply)
        .ok_or_else(|| UpstreamProtocolError("CONFIG GET did not return name/value pairs".into()))?;
    let mut pairs: Vec<(Vec<u8>, Vec<u8>)> = items.chunks(2).filter(|p| p.len() == 2).map(|p| (p[0].clone(), p[1].clone())).collect();
    for (name, value) in own {
        match pairs.iter_mut().find(|(n, _)| n.eq_ignore_ascii_case(name.as_bytes())) {
            Some(pair) => pair.1 = value.clone(),
            None => pairs.push((name.as_bytes().to_vec(), value.clone())),
        }
    }
    let mut out = Vec::new();
    match proto {
        Protocol::Resp2 => {
            out.push(b'*');
            write_i64(&mut out, 2 * pairs.len() as i64);
        }
        Protocol::Resp3 => {
            out.push(b'%');
            write_i64(&mut out, pairs.len() as i64);
        }
    }
    out.extend_from_slice(b"\r\n");
    for (name, value) in &pairs {
        for b in [name, value] {
            out.push(b'$');
            write_i64(&mut out, b.len() as i64);
            out.extend_from_slice(b"\r\n");
            out.extend_from_slice(b);
            out.extend_from_slice(b"\r\n");
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn authgate_values_replace_and_join_the_upstreams() {
        let reply = b"*4\r\n$4\r\nport\r\n$4\r\n6379\r\n$9\r\nmaxmemory\r\n$1\r\n0\r\n";
        let own = vec![("port", b"7000".to_vec()), ("acllog-max-len", b"128".to_vec())];
        let got = merge_get(reply, &own, Protocol::Resp2).unwrap();
        assert_eq!(got, b"*6\r\n$4\r\nport\r\n$4\r\n7000\r\n$9\r\nmaxmemory\r\n$1\r\n0\r\n$14\r\nacllog-max-len\r\n$3\r\n128\r\n");
        let map = b"%1\r\n$9\r\nmaxmemory\r\n$1\r\n0\r\n";
        assert_eq!(merge_get(map, &[], Protocol::Resp3).unwrap(), map);
        assert_eq!(merge_get(b"-ERR x\r\n", &own, Protocol::Resp2).unwrap(), b"-ERR x\r\n");
        assert!(merge_get(b":1\r\n", &own, Protocol::Resp2).is_err());
    }

    #[test]
    fn who_owns_what() {
        for name in ["port", "bind", "maxclients", "requirepass", "aclfile", "tls-port", "client-output-buffer-limit", "loglevel"] {
            assert!(owned(name), "{name}");
        }
        for name in ["dir", "maxmemory", "notify-keyspace-events", "save", "appendonly"] {
            assert!(!owned(name), "{name}");
        }
    }
}
