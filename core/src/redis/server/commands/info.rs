//! INFO [section ...]: Redis' `key:value` report for what this server has (server, clients,
//! persistence, stats, replication, keyspace). Clients read it at connect time: ioredis' ready
//! check looks for `loading:0`, others for `redis_version` and `role`.

use std::fmt::Write;

use crate::redis::server::keyspace::cached_now;
use crate::redis::server::session::Session;
use crate::redis::acl::Command;

/// The sections, in Redis' order; `default` and `all` select every one of them here.
const SECTIONS: &[&str] = &["server", "clients", "persistence", "stats", "replication", "keyspace"];

fn section(s: &Session, name: &str, out: &mut String) {
    let cfg = s.shared.config.read();
    let uptime = s.shared.started.elapsed().as_secs();
    match name {
        "server" => {
            let _ = write!(
                out,
                "# Server\r\nredis_version:7.0.15\r\nredis_mode:standalone\r\nos:{} {}\r\narch_bits:64\r\nmultiplexing_api:epoll\r\nprocess_id:{}\r\ntcp_port:{}\r\nserver_time_usec:{}\r\nuptime_in_seconds:{uptime}\r\nuptime_in_days:{}\r\nexecutable:{}\r\n",
                std::env::consts::OS,
                std::env::consts::ARCH,
                std::process::id(),
                cfg.port,
                cached_now() * 1000,
                uptime / 86400,
                std::env::current_exe().map(|p| p.display().to_string()).unwrap_or_default(),
            );
        }
        "clients" => {
            let _ = write!(
                out,
                "# Clients\r\nconnected_clients:{}\r\nmaxclients:{}\r\nblocked_clients:0\r\npubsub_clients:{}\r\n",
                s.shared.clients.len(),
                cfg.maxclients,
                s.shared.clients.all().iter().filter(|c| {
                    let i = c.info.lock();
                    i.sub + i.psub + i.ssub > 0
                }).count(),
            );
        }
        "persistence" => {
            out.push_str("# Persistence\r\nloading:0\r\nasync_loading:0\r\nrdb_changes_since_last_save:0\r\nrdb_bgsave_in_progress:0\r\naof_enabled:0\r\naof_rewrite_in_progress:0\r\n");
        }
        "stats" => {
            let _ = write!(out, "# Stats\r\ntotal_connections_received:{}\r\npubsub_channels:{}\r\npubsub_patterns:{}\r\n",
                s.shared.connections_received(),
                s.shared.pubsub.channel_count(),
                s.shared.pubsub.numpat());
        }
        "replication" => out.push_str("# Replication\r\nrole:master\r\nconnected_slaves:0\r\nmaster_repl_offset:0\r\n"),
        _ => {
            out.push_str("# Keyspace\r\n");
            for (i, db) in s.shared.keyspace.dbs().iter().enumerate() {
                let keys = db.len();
                if keys > 0 {
                    let _ = write!(out, "db{i}:keys={keys},expires={},avg_ttl=0\r\n", db.volatile_len());
                }
            }
        }
    }
}

/// INFO [section ...]
pub(crate) fn info(s: &mut Session, _c: &'static Command, argv: &[Vec<u8>]) {
    let wanted: Vec<String> = argv[1..].iter().map(|a| String::from_utf8_lossy(a).to_ascii_lowercase()).collect();
    let every = wanted.is_empty() || wanted.iter().any(|w| matches!(w.as_str(), "all" | "default" | "everything"));
    let mut text = String::new();
    for name in SECTIONS {
        if every || wanted.iter().any(|w| w == name) {
            if !text.is_empty() {
                text.push_str("\r\n");
            }
            section(s, name, &mut text);
        }
    }
    s.out.verbatim(b"txt", text.as_bytes());
}
