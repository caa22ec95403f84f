//! Listening sockets for the `bind` and `port` settings, with Redis' address syntax.

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

