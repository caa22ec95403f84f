//! INFO [section ...]: Redis 7.0's report, section by section and field by field, so that
//! clients and monitoring that parse it find every field where Redis has it (ioredis' ready
//! check reads `loading:0`, others `redis_version` and `role`).
//!
//! Values come from this server where it has them (clients, maxclients, Pub/Sub, keyspace,
//! connections, input bytes, configuration). It has no persistence, replication, Lua engines,
//! modules or eviction, so those fields report what an idle redis-server with the same
//! configuration reports (zeros, `ok`, `-1`). Process figures (memory, CPU) are read from
//! `/proc` where there is one. Redis' per-command statistics (commandstats, latencystats,
//! errorstats and the counters derived from them) are not kept: those sections are empty.

use std::fmt::Write;
use std::sync::OnceLock;

use super::config::redis_default;
use crate::redis::acl::Command;
use crate::redis::server::keyspace::now_ms;
use crate::redis::server::pubsub::Kind;
use crate::redis::server::session::Session;

/// The sections in Redis' order: (header, the names that select it).
const SECTIONS: &[(&str, &[&str])] = &[
    ("Server", &["server"]),
    ("Clients", &["clients"]),
    ("Memory", &["memory"]),
    ("Persistence", &["persistence"]),
    ("Stats", &["stats"]),
    ("Replication", &["replication"]),
    ("CPU", &["cpu"]),
    ("Modules", &["modules", "module_list"]),
    ("Commandstats", &["commandstats"]),
    ("Errorstats", &["errorstats"]),
    ("Latencystats", &["latencystats"]),
    ("Cluster", &["cluster"]),
    ("Keyspace", &["keyspace"]),
    ("Acl_store", &["acl_store"]),
];

/// The sections INFO and INFO default show (`all` and `everything` show every one).
const NOT_DEFAULT: &[&str] = &["Commandstats", "Latencystats"];

/// Redis' `bytesToHuman`.
fn human(n: u64) -> String {
    let d = n as f64;
    let k = 1024f64;
    match n {
        n if n < 1024 => format!("{n}B"),
        n if n < 1024 * 1024 => format!("{:.2}K", d / k),
        n if n < 1024 * 1024 * 1024 => format!("{:.2}M", d / (k * k)),
        n if n < 1024u64.pow(4) => format!("{:.2}G", d / (k * k * k)),
        n if n < 1024u64.pow(5) => format!("{:.2}T", d / (k * k * k * k)),
        _ => format!("{:.2}P", d / (k * k * k * k * k)),
    }
}

/// A process-wide random 40-hex-digit id (Redis' run_id and replication id).
fn random_id(cell: &'static OnceLock<String>) -> &'static str {
    cell.get_or_init(|| {
        let mut b = [0u8; 20];
        let _ = getrandom::getrandom(&mut b);
        b.iter().map(|x| format!("{x:02x}")).collect()
    })
}

fn proc_file(path: &str) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

/// `os:` as Redis prints it from uname: system name, release, machine.
fn os_line() -> String {
    let name = proc_file("/proc/sys/kernel/ostype");
    let release = proc_file("/proc/sys/kernel/osrelease");
    if name.trim().is_empty() {
        return format!("{} {}", std::env::consts::OS, std::env::consts::ARCH);
    }
    format!("{} {} {}", name.trim(), release.trim(), std::env::consts::ARCH)
}

/// Physical memory in bytes (Redis: pages times page size; /proc/meminfo says the same in kB).
fn total_system_memory() -> u64 {
    proc_file("/proc/meminfo")
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kb| kb * 1024)
}

/// Resident memory of this process in bytes (`/proc/self/statm`, 4 KiB pages).
fn resident_memory() -> u64 {
    proc_file("/proc/self/statm").split_whitespace().nth(1).and_then(|v| v.parse::<u64>().ok()).map_or(0, |p| p * 4096)
}

/// (user, system) CPU seconds of this process (`/proc/self/stat`, 100 ticks a second).
fn cpu_seconds() -> (f64, f64) {
    let stat = proc_file("/proc/self/stat");
    let fields: Vec<&str> = stat.rsplit_once(')').map_or("", |(_, r)| r).split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0) / 100.0;
    // after the command name: state is field 3, utime 14, stime 15 (1-based)
    (ticks(11), ticks(12))
}

fn fields(out: &mut String, items: &[(&str, String)]) {
    for (k, v) in items {
        let _ = write!(out, "{k}:{v}\r\n");
    }
}

fn server(s: &Session, out: &mut String) {
    static RUN_ID: OnceLock<String> = OnceLock::new();
    let cfg = s.shared.config.read();
    let uptime = s.shared.started.elapsed().as_secs();
    let now_ms = now_ms();
    let exe = std::env::current_exe().map(|p| p.display().to_string()).unwrap_or_default();
    let multiplexing = if cfg!(target_os = "linux") { "epoll" } else { "kqueue" };
    fields(out, &[
        ("redis_version", "7.0.15".into()),
        ("redis_git_sha1", "00000000".into()),
        ("redis_git_dirty", "0".into()),
        ("redis_build_id", env!("CARGO_PKG_VERSION").into()),
        ("redis_mode", "standalone".into()),
        ("os", os_line()),
        ("arch_bits", usize::BITS.to_string()),
        ("monotonic_clock", "POSIX clock_gettime".into()),
        ("multiplexing_api", multiplexing.into()),
        ("atomicvar_api", "c11-builtin".into()),
        // what Redis prints when it was not built by gcc
        ("gcc_version", "0.0.0".into()),
        ("process_id", std::process::id().to_string()),
        ("process_supervised", "no".into()),
        ("run_id", random_id(&RUN_ID).into()),
        ("tcp_port", cfg.port.to_string()),
        ("server_time_usec", (now_ms * 1000).to_string()),
        ("uptime_in_seconds", uptime.to_string()),
        ("uptime_in_days", (uptime / 86400).to_string()),
        ("hz", redis_default("hz").into()),
        ("configured_hz", redis_default("hz").into()),
        ("lru_clock", ((now_ms / 1000) & ((1 << 24) - 1)).to_string()),
        ("executable", exe),
        ("config_file", cfg.config_file.as_ref().map(|p| p.to_string_lossy().into_owned()).unwrap_or_default()),
        ("io_threads_active", "0".into()),
    ]);
}

fn clients(s: &Session, out: &mut String) {
    fields(out, &[
        ("connected_clients", s.shared.clients.len().to_string()),
        ("cluster_connections", "0".into()),
        ("maxclients", s.shared.config.read().maxclients.to_string()),
        ("client_recent_max_input_buffer", s.shared.recent_max_input.max(s.now / 1000).to_string()),
        ("client_recent_max_output_buffer", s.shared.recent_max_output.max(s.now / 1000).to_string()),
        ("blocked_clients", "0".into()),
        ("tracking_clients", "0".into()),
        ("clients_in_timeout_table", "0".into()),
    ]);
}

fn memory(out: &mut String) {
    static PEAK: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let used = resident_memory();
    let peak = PEAK.fetch_max(used, std::sync::atomic::Ordering::Relaxed).max(used);
    let system = total_system_memory();
    let maxmemory: u64 = redis_default("maxmemory").parse().unwrap_or(0);
    let perc = |a: u64, b: u64| if b == 0 { "0.00%".to_string() } else { format!("{:.2}%", a as f64 * 100.0 / b as f64) };
    let zero = || "0".to_string();
    fields(out, &[
        ("used_memory", used.to_string()),
        ("used_memory_human", human(used)),
        ("used_memory_rss", used.to_string()),
        ("used_memory_rss_human", human(used)),
        ("used_memory_peak", peak.to_string()),
        ("used_memory_peak_human", human(peak)),
        ("used_memory_peak_perc", perc(used, peak)),
        ("used_memory_overhead", zero()),
        ("used_memory_startup", zero()),
        ("used_memory_dataset", used.to_string()),
        ("used_memory_dataset_perc", perc(used, used)),
        ("allocator_allocated", zero()),
        ("allocator_active", zero()),
        ("allocator_resident", zero()),
        ("total_system_memory", system.to_string()),
        ("total_system_memory_human", human(system)),
        // no Lua engines, scripts or functions here
        ("used_memory_lua", zero()),
        ("used_memory_vm_eval", zero()),
        ("used_memory_lua_human", human(0)),
        ("used_memory_scripts_eval", zero()),
        ("number_of_cached_scripts", zero()),
        ("number_of_functions", zero()),
        ("number_of_libraries", zero()),
        ("used_memory_vm_functions", zero()),
        ("used_memory_vm_total", zero()),
        ("used_memory_vm_total_human", human(0)),
        ("used_memory_functions", zero()),
        ("used_memory_scripts", zero()),
        ("used_memory_scripts_human", human(0)),
        ("maxmemory", maxmemory.to_string()),
        ("maxmemory_human", human(maxmemory)),
        ("maxmemory_policy", redis_default("maxmemory-policy").into()),
        ("allocator_frag_ratio", "1.00".into()),
        ("allocator_frag_bytes", zero()),
        ("allocator_rss_ratio", "1.00".into()),
        ("allocator_rss_bytes", zero()),
        ("rss_overhead_ratio", "1.00".into()),
        ("rss_overhead_bytes", zero()),
        ("mem_fragmentation_ratio", "1.00".into()),
        ("mem_fragmentation_bytes", zero()),
        ("mem_not_counted_for_evict", zero()),
        ("mem_replication_backlog", zero()),
        ("mem_total_replication_buffers", zero()),
        ("mem_clients_slaves", zero()),
        ("mem_clients_normal", zero()),
        ("mem_cluster_links", zero()),
        ("mem_aof_buffer", zero()),
        ("mem_allocator", "libc".into()),
        ("active_defrag_running", zero()),
        ("lazyfree_pending_objects", zero()),
        ("lazyfreed_objects", zero()),
    ]);
}

fn persistence(s: &Session, out: &mut String) {
    let started = now_ms() / 1000 - s.shared.started.elapsed().as_secs() as i64;
    let (z, m1, ok) = (|| "0".to_string(), || "-1".to_string(), || "ok".to_string());
    fields(out, &[
        ("loading", z()), ("async_loading", z()), ("current_cow_peak", z()), ("current_cow_size", z()),
        ("current_cow_size_age", z()), ("current_fork_perc", "0.00".into()), ("current_save_keys_processed", z()),
        ("current_save_keys_total", z()), ("rdb_changes_since_last_save", z()), ("rdb_bgsave_in_progress", z()),
        ("rdb_last_save_time", started.to_string()), ("rdb_last_bgsave_status", ok()),
        ("rdb_last_bgsave_time_sec", m1()), ("rdb_current_bgsave_time_sec", m1()), ("rdb_saves", z()),
        ("rdb_last_cow_size", z()), ("rdb_last_load_keys_expired", z()), ("rdb_last_load_keys_loaded", z()),
        ("aof_enabled", z()), ("aof_rewrite_in_progress", z()), ("aof_rewrite_scheduled", z()),
        ("aof_last_rewrite_time_sec", m1()), ("aof_current_rewrite_time_sec", m1()),
        ("aof_last_bgrewrite_status", ok()), ("aof_rewrites", z()), ("aof_rewrites_consecutive_failures", z()),
        ("aof_last_write_status", ok()), ("aof_last_cow_size", z()), ("module_fork_in_progress", z()),
        ("module_fork_last_cow_size", z()),
    ]);
}

fn stats(s: &Session, out: &mut String) {
    let sh = &s.shared;
    let z = || "0".to_string();
    let z2 = || "0.00".to_string();
    let mut items: Vec<(&str, String)> = vec![
        ("total_connections_received", sh.connections_received().to_string()),
        ("total_commands_processed", z()),
        ("instantaneous_ops_per_sec", z()),
        ("total_net_input_bytes", sh.net_input_bytes().to_string()),
        ("total_net_output_bytes", z()),
        ("total_net_repl_input_bytes", z()),
        ("total_net_repl_output_bytes", z()),
        ("instantaneous_input_kbps", z2()),
        ("instantaneous_output_kbps", z2()),
        ("instantaneous_input_repl_kbps", z2()),
        ("instantaneous_output_repl_kbps", z2()),
        ("rejected_connections", sh.rejected_connections().to_string()),
    ];
    for name in ["sync_full", "sync_partial_ok", "sync_partial_err", "expired_keys"] {
        items.push((name, z()));
    }
    items.push(("expired_stale_perc", z2()));
    for name in ["expired_time_cap_reached_count", "expire_cycle_cpu_milliseconds", "evicted_keys",
                 "evicted_clients", "total_eviction_exceeded_time", "current_eviction_exceeded_time",
                 "keyspace_hits", "keyspace_misses"] {
        items.push((name, z()));
    }
    items.push(("pubsub_channels", sh.pubsub.channel_count().to_string()));
    items.push(("pubsub_patterns", sh.pubsub.numpat().to_string()));
    items.push(("pubsubshard_channels", sh.pubsub.channel_names(Kind::Shard, None).len().to_string()));
    for name in ["latest_fork_usec", "total_forks", "migrate_cached_sockets", "slave_expires_tracked_keys",
                 "active_defrag_hits", "active_defrag_misses", "active_defrag_key_hits",
                 "active_defrag_key_misses", "total_active_defrag_time", "current_active_defrag_time",
                 "tracking_total_keys", "tracking_total_items", "tracking_total_prefixes",
                 "unexpected_error_replies", "total_error_replies", "dump_payload_sanitizations",
                 "total_reads_processed", "total_writes_processed", "io_threaded_reads_processed",
                 "io_threaded_writes_processed", "reply_buffer_shrinks", "reply_buffer_expands"] {
        items.push((name, z()));
    }
    // Valkey / Redis 8.6's counter, only with tls-auth-clients-user on (7.0.15 has none).
    if sh.tls.mode_on() {
        items.push(("acl_access_denied_tls_cert", sh.tls.denied().to_string()));
    }
    fields(out, &items);
}

fn replication(out: &mut String) {
    static REPLID: OnceLock<String> = OnceLock::new();
    fields(out, &[
        ("role", "master".into()),
        ("connected_slaves", "0".into()),
        ("master_failover_state", "no-failover".into()),
        ("master_replid", random_id(&REPLID).into()),
        ("master_replid2", "0".repeat(40)),
        ("master_repl_offset", "0".into()),
        ("second_repl_offset", "-1".into()),
        ("repl_backlog_active", "0".into()),
        ("repl_backlog_size", redis_default("repl-backlog-size").into()),
        ("repl_backlog_first_byte_offset", "0".into()),
        ("repl_backlog_histlen", "0".into()),
    ]);
}

fn cpu(out: &mut String) {
    let (user, sys) = cpu_seconds();
    let f = |v: f64| format!("{v:.6}");
    fields(out, &[
        ("used_cpu_sys", f(sys)),
        ("used_cpu_user", f(user)),
        ("used_cpu_sys_children", f(0.0)),
        ("used_cpu_user_children", f(0.0)),
        ("used_cpu_sys_main_thread", f(sys)),
        ("used_cpu_user_main_thread", f(user)),
    ]);
}

fn keyspace(s: &Session, out: &mut String) {
    for (i, db) in s.shared.keyspace.dbs().iter().enumerate() {
        let keys = db.len();
        if keys > 0 {
            let _ = write!(out, "db{i}:keys={keys},expires={},avg_ttl=0\r\n", db.volatile_len());
        }
    }
}

fn section(s: &Session, header: &str, out: &mut String) {
    let _ = write!(out, "# {header}\r\n");
    match header {
        "Server" => server(s, out),
        "Clients" => clients(s, out),
        "Memory" => memory(out),
        "Persistence" => persistence(s, out),
        "Stats" => stats(s, out),
        "Replication" => replication(out),
        "CPU" => cpu(out),
        "Cluster" => out.push_str("cluster_enabled:0\r\n"),
        "Keyspace" => keyspace(s, out),
        "Acl_store" => s.shared.acl_store.iter().for_each(|st| crate::redis::server::acl_store::info(st, out)),
        // Modules, Commandstats, Errorstats, Latencystats: nothing to list
        _ => {}
    }
}

/// INFO [section ...]
pub(crate) fn info(s: &mut Session, _c: &'static Command, argv: &[Vec<u8>]) {
    let wanted: Vec<String> = argv[1..].iter().map(|a| String::from_utf8_lossy(a).to_ascii_lowercase()).collect();
    let all = wanted.iter().any(|w| w == "all" || w == "everything");
    let default = wanted.is_empty() || wanted.iter().any(|w| w == "default");
    let mut text = String::new();
    for (header, names) in SECTIONS {
        let chosen = all
            || (default && !NOT_DEFAULT.contains(header))
            || wanted.iter().any(|w| names.contains(&w.as_str()));
        // Only a server with an ACL store has the section.
        if chosen && (*header != "Acl_store" || s.shared.acl_store.is_some()) {
            if !text.is_empty() {
                text.push_str("\r\n");
            }
            section(s, header, &mut text);
        }
    }
    s.out.verbatim(b"txt", text.as_bytes());
}

#[cfg(test)]
mod tests {
    use super::human;

    #[test]
    fn human_sizes_as_redis_prints_them() {
        assert_eq!(human(0), "0B");
        assert_eq!(human(1023), "1023B");
        assert_eq!(human(1024), "1.00K");
        assert_eq!(human(1_048_576), "1.00M");
        assert_eq!(human(25_275_990_016), "23.54G");
    }
}
