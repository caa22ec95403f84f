"""Normalisation of the server-introspection replies: CLIENT INFO / CLIENT LIST lines (and the
`client-info` of ACL LOG entries), INFO, and COMMAND / COMMAND INFO / COMMAND DOCS.

Everything is compared field by field; a field's value is masked only where two redis-server
processes that receive the same commands disagree, or where the value describes the process
rather than the behaviour. Each mask names its evidence: `OBS [probe]` is a probe recorded in
observations/redis-vs-redis.txt (written by observe.py: two redis-server processes, same
commands); other reasons point at a file of this repository.
"""

VARIES = "<varies>"

# -- client lines ------------------------------------------------------------------------------------
# The fields of a CLIENT LIST line whose value is not compared, each with its reason.
CLIENT_MASKS = {
    # The port part only; the host (127.0.0.1) is compared. OBS [client-info]: the client's
    # ephemeral port and the server's own listening port (servers.py free_port()).
    "addr": "port",
    "laddr": "port",
    # OBS [fd-other-descriptors]: the socket's descriptor number depends on the other files the
    # process holds open (one more listener shifts it); authgate reports its own descriptor
    # (core/src/redis/server/conn.rs, raw_fd), in a process that also holds tokio's descriptors.
    "fd": "value",
    # OBS [client-info-opened-1s-apart]: wall-clock seconds since the connection opened / last ran
    # a command; they differ whenever a second boundary falls between the two servers' steps.
    "age": "value",
    "idle": "value",
    # OBS [pipelined]: the query buffer's length, free space and the client's total memory
    # depend on how the kernel grouped the client's bytes into reads.
    "qbuf": "value",
    "qbuf-free": "value",
    "tot-mem": "value",
    # The replies still buffered, in redis' reply buffer (obl) and its list of further blocks
    # (oll, omem: their count and allocated size): OBS [pipelined] shows them depending on how
    # the reads grouped the commands; inside EXEC (and so in the ACL LOG entries of a denied
    # queued command) they hold the replies of the earlier queued commands, whose lengths
    # differ by design where authgate answers not-supported (README.md).
    "obl": "value",
    "oll": "value",
    "omem": "value",
    # OBS [client-list]: the reply buffer's size and peak are reset on a timer (clientsCron).
    "rbs": "value",
    "rbp": "value",
}


def norm_client_line(line):
    """One `k=v k=v ...` client line -> a tuple of (field, value) with the masks applied.

    The field names and their order are compared; so are all values but the masked ones, and
    `argv-mem` of a client running EXEC: OBS [exec-argv-mem], inside EXEC redis' figure follows
    how it rewrote the queued commands for propagation (authgate propagates nothing, and answers
    not-supported for many of the commands redis rewrites)."""
    if isinstance(line, (bytes, bytearray)):
        line = line.decode("latin-1")
    in_exec = " cmd=exec " in line
    out = []
    for tok in line.split(" "):
        k, eq, v = tok.partition("=")
        if not eq:
            # not a client line: compare the raw text
            return ("raw", line)
        mask = CLIENT_MASKS.get(k) or ("value" if in_exec and k == "argv-mem" else None)
        if mask == "value":
            v = VARIES
        elif mask == "port":
            host, _, _port = v.rpartition(":")
            v = host + ":" + VARIES
        out.append((k, v))
    return tuple(out)


def _text(reply):
    """(tag, text) of a bulk / verbatim reply, verbatim without its 3-letter format prefix."""
    tag, v = reply[0], reply[1]
    if tag == "=" and v is not None and v[3:4] == b":":
        return "=" + v[:3].decode("latin-1"), v[4:]
    return tag, v


def norm_client_info(reply):
    """CLIENT INFO: one line and a newline."""
    tag, v = _text(reply)
    if tag not in ("$", "=txt") or v is None:
        return reply
    return (tag, tuple(norm_client_line(x) for x in v.split(b"\n")))


def norm_client_list(reply):
    """CLIENT LIST: one line per client, as a multiset of lines. OBS [client-list-order]: redis
    rotates its client list on a timer (clientsCron serves clients round-robin), so the order of
    the lines differs between two processes."""
    r = norm_client_info(reply)
    if r is reply:
        return r
    return (r[0], _sorted(r[1]))


# -- INFO --------------------------------------------------------------------------------------------
# Fields (section/field) whose value is not compared.
INFO_MASKS = {
    # OBS [info-default]: per-process identity and clocks.
    "Server/process_id", "Server/run_id", "Server/tcp_port", "Server/server_time_usec",
    "Replication/master_replid",
    # OBS [servers-started-1s-apart]: wall-clock values of two processes started 1 s apart.
    "Server/uptime_in_seconds", "Server/uptime_in_days", "Server/lru_clock",
    "Persistence/rdb_last_save_time",
    # The binary under test is another program than the reference (servers.py starts
    # `authgate serve` and redis-server): its path, build id, compiler and allocator, and its
    # configuration file (servers.py gives authgate its settings in a file, redis on its
    # command line).
    "Server/executable", "Server/redis_build_id", "Server/gcc_version", "Server/config_file",
    "Memory/mem_allocator",
    # OBS [info-default]: recent buffer peaks and rates, sampled by a timer.
    "Clients/client_recent_max_input_buffer", "Clients/client_recent_max_output_buffer",
    "Stats/instantaneous_ops_per_sec", "Stats/instantaneous_input_kbps", "Stats/instantaneous_output_kbps",
    "Stats/instantaneous_input_repl_kbps", "Stats/instantaneous_output_repl_kbps",
    # OBS [info-default]: CPU time.
    "CPU/used_cpu_sys", "CPU/used_cpu_user", "CPU/used_cpu_sys_children", "CPU/used_cpu_user_children",
    "CPU/used_cpu_sys_main_thread", "CPU/used_cpu_user_main_thread",
    # OBS [pipelined]: how the kernel grouped bytes into reads and writes.
    "Stats/total_reads_processed", "Stats/total_writes_processed",
    # What commands did when executed. README.md ("commands authgate does not execute"): redis
    # executes every command that passes the checks, authgate answers not-supported for the
    # ones it does not implement, so the counters of executed work differ by design (as do the
    # replies, whose sizes total_net_output_bytes counts; OBS [info-default] shows it differing
    # between two redis processes as well, through the masked values above).
    "Stats/total_commands_processed", "Stats/keyspace_hits", "Stats/keyspace_misses",
    "Stats/total_error_replies", "Stats/total_net_output_bytes", "Stats/expired_keys",
    "Stats/expired_stale_perc", "Stats/expire_cycle_cpu_milliseconds", "Stats/dump_payload_sanitizations",
    "Stats/unexpected_error_replies", "Stats/reply_buffer_shrinks", "Stats/reply_buffer_expands",
    "Persistence/rdb_changes_since_last_save", "Memory/lazyfreed_objects",
    "Memory/number_of_cached_scripts", "Memory/number_of_functions", "Memory/number_of_libraries",
}
# Proxy mode (run_differential.py --proxy): INFO is the upstream's, and the upstream sees
# authgate's connections (one per client that forwarded a command, opened on its first one)
# and only the forwarded commands' bytes, not the clients'.
PROXY_INFO_MASKS = {"Clients/connected_clients", "Stats/total_connections_received",
                    "Stats/total_net_input_bytes"}


def set_proxy_mode():
    """Compare redis-server with authgate --upstream: the masks above apply too."""
    INFO_MASKS.update(PROXY_INFO_MASKS)


# Every value of the Memory section that is a size in bytes (or a ratio or a human-readable
# form of one): OBS [info-default] shows used_memory, rss and the allocator's figures differing
# between two redis processes; the rest are sizes of redis' own structures (its Lua VMs, dicts
# and buffers), which another implementation does not have.
INFO_MEMORY_KEPT = {"maxmemory", "maxmemory_human", "maxmemory_policy", "total_system_memory",
                    "total_system_memory_human", "active_defrag_running", "lazyfree_pending_objects",
                    "mem_not_counted_for_evict", "mem_replication_backlog", "mem_clients_slaves",
                    "mem_cluster_links", "mem_aof_buffer", "mem_total_replication_buffers"}
# Sections whose lines are counters of executed work (README.md, as above) or timings
# (OBS [info-everything]: cmdstat usec and latency percentiles differ between two redis
# processes): the section header is compared, its lines are not.
INFO_SECTION_LINES_MASKED = {"Errorstats", "Commandstats", "Latencystats"}


def norm_info_text(body):
    """INFO text -> ((section, ((field, value), ...)), ...) with the masks applied."""
    sections, cur, fields = [], None, []
    for ln in body.split(b"\r\n"):
        ln = ln.decode("latin-1")
        if ln.startswith("# "):
            if cur is not None:
                sections.append((cur, tuple(fields)))
            cur, fields = ln[2:], []
            continue
        if not ln:
            continue
        k, _, v = ln.partition(":")
        if cur in INFO_SECTION_LINES_MASKED:
            continue
        name = f"{cur}/{k}"
        if name in INFO_MASKS or (cur == "Memory" and k not in INFO_MEMORY_KEPT):
            v = VARIES
        elif cur == "Keyspace":
            # db<N>:keys=..,expires=..,avg_ttl=..: avg_ttl is an estimate that the expire cycle
            # updates on a timer (time-dependent, like the clocks above).
            v = ",".join(p if not p.startswith("avg_ttl=") else "avg_ttl=" + VARIES for p in v.split(","))
        fields.append((k, v))
    if cur is not None:
        sections.append((cur, tuple(fields)))
    return tuple(sections)


def norm_info(reply):
    tag, v = _text(reply)
    if tag not in ("$", "=txt") or v is None:
        return reply
    return (tag, norm_info_text(v))


# -- COMMAND -----------------------------------------------------------------------------------------
def _sorted(items):
    return tuple(sorted(items, key=repr))


def norm_command_entry(entry):
    """One COMMAND INFO entry: its 10th element (the subcommands) as a multiset.
    OBS [reply order]: subcommands come in the order of a hash table seeded per process."""
    if entry[0] != "*" or entry[1] is None or len(entry[1]) < 10:
        return entry
    items = list(entry[1])
    subs = items[9]
    if subs[0] == "*" and subs[1] is not None:
        items[9] = ("*", _sorted(norm_command_entry(s) for s in subs[1]))
    return ("*", tuple(items))


def norm_command_info(reply, has_names):
    """COMMAND and COMMAND INFO: with names, in argument order; without, a multiset
    (OBS [reply order]: the command table is a hash table seeded per process)."""
    if reply[0] != "*" or reply[1] is None:
        return reply
    entries = tuple(norm_command_entry(e) for e in reply[1])
    return ("*", entries if has_names else _sorted(entries))


def _pairs(reply):
    if reply[0] == "%":
        return list(reply[1]), "%"
    if reply[0] == "*" and reply[1] is not None and len(reply[1]) % 2 == 0:
        items = reply[1]
        return [(items[i], items[i + 1]) for i in range(0, len(items), 2)], "*"
    return None, None


def norm_doc(doc):
    """One COMMAND DOCS entry: its `subcommands` map as a set of pairs (OBS [reply order])."""
    pairs, kind = _pairs(doc)
    if pairs is None:
        return doc
    out = []
    for k, v in pairs:
        if k[1] == b"subcommands":
            sub, skind = _pairs(v)
            if sub is not None:
                v = (skind, _sorted((sk, norm_doc(sv)) for sk, sv in sub))
        out.append((k, v))
    return (kind, tuple(out))


def norm_command_docs(reply, has_names):
    """COMMAND DOCS: name -> doc pairs; a set without names (OBS [reply order])."""
    pairs, kind = _pairs(reply)
    if pairs is None:
        return reply
    pairs = [(k, norm_doc(v)) for k, v in pairs]
    return (kind, tuple(pairs) if has_names else _sorted(pairs))
