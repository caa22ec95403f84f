//! The listener blocks (`cluster`, `gateway`, `leafnodes`, `websocket`, `mqtt`) and the
//! top-level `jetstream`, parsed and validated as nats-server 2.9.10 does; only their
//! authorization settings are kept.

use super::auth::{parse_authorization, parse_leaf_authorization, parse_perm_subjects, parse_simple_auth, parse_string_array, parse_user_permissions, NodeRef};
use super::duration::parse_duration;
use super::go::{as_array, as_bool, as_i64, as_string, lower, pos, recovering, s, unwrap, ConfigError, Errs, Fail, Lt, Tk, NIL_DEREF, R};
use super::model::{ListenerAuth, Options};
use super::tls::{gen_tls_config, parse_tls};
use crate::nats::conf::{Node, Value};

/// parseListen: a port, or `host:port`.
pub(crate) fn parse_listen(v: &Value) -> Result<(), String> {
    match v {
        Value::Integer(_) => Ok(()),
        Value::String(vv) => {
            let t = s(vv);
            let Some((_, port)) = split_host_port(&t) else {
                return Err(format!("could not parse address string {}", crate::nats::conf::go_quote(vv)));
            };
            if port.parse::<i64>().is_err() {
                return Err(format!("could not parse port {}", crate::nats::conf::go_quote(port.as_bytes())));
            }
            Ok(())
        }
        _ => Err(format!("expected port or host:port, got {}", v.go_type())),
    }
}

/// net.SplitHostPort (the forms that matter: `host:port`, `[v6]:port`).
fn split_host_port(t: &str) -> Option<(&str, &str)> {
    if let Some(rest) = t.strip_prefix('[') {
        let (host, after) = rest.split_once(']')?;
        let port = after.strip_prefix(':')?;
        if port.contains(':') {
            return None;
        }
        return Some((host, port));
    }
    let (host, port) = t.rsplit_once(':')?;
    if host.contains(':') || host.contains('[') || host.contains(']') || port.contains(']') {
        return None;
    }
    Some((host, port))
}

/// parseDuration: a duration string, or (with a warning) a number of seconds.
pub(crate) fn parse_duration_field(field: &str, tk: Tk<'_>, v: &Value, e: &mut Errs) -> R<()> {
    if let Value::String(wd) = v {
        if let Err(m) = parse_duration(&s(wd)) {
            e.err(pos(tk), format!("error parsing {field}: {m}"));
        }
        return Ok(());
    }
    e.warn(pos(tk), field.as_bytes(), format!("{field} should be converted to a duration"));
    as_i64(v)?;
    Ok(())
}

fn url_list(a: &[Node], e: &mut Errs, warnings_typ: &str) {
    let mut lt = None;
    let mut seen = std::collections::HashSet::new();
    let r: R<()> = (|| {
        for u in a.iter() {
            let (tk, u) = unwrap(u, &mut lt);
            let url = as_string(u)?;
            if !seen.insert(url.clone()) {
                e.warn(pos(tk), &url, format!("Duplicate {warnings_typ} entry detected"));
                continue;
            }
        }
        Ok(())
    })();
    if let Err(Fail::Panic(m)) = r {
        match &lt {
            Some(p) => e.err(Some(p.clone()), m),
            None => e.err(None, format!("encountered panic without a token {m}")),
        }
    }
}

/// parseCluster.
pub(crate) fn parse_cluster(v: &Node, e: &mut Errs) -> Result<(), ConfigError> {
    recovering(e, |lt, e| {
        let (tk, v) = unwrap(v, lt);
        let Value::Map(cm) = v else {
            return Err(ConfigError::at(pos(tk), format!("Expected map to define cluster, got {}", v.go_type())).into());
        };
        for (mk, mv) in cm.iter() {
            let node = mv;
            let (tk, mv) = unwrap(mv, lt);
            match lower(mk).as_str() {
                "name" | "host" | "net" | "cluster_advertise" | "advertise" => {
                    as_string(mv)?;
                }
                "listen" => {
                    if let Err(m) = parse_listen(mv) {
                        e.err(pos(tk), m);
                        continue;
                    }
                }
                "port" | "connect_retries" => {
                    as_i64(mv)?;
                }
                "authorization" => {
                    let auth = match parse_authorization(node, e) {
                        Err(err) => {
                            e.push(err);
                            continue;
                        }
                        Ok(a) => a.ok_or_else(|| Fail::Panic(NIL_DEREF.into()))?,
                    };
                    if auth.users.is_some() {
                        e.err(pos(tk), "Cluster authorization does not allow multiple users");
                        continue;
                    }
                    if !auth.token.is_empty() {
                        e.err(pos(tk), "Cluster authorization does not support tokens");
                        continue;
                    }
                    if auth.default_permissions.is_some() {
                        e.warn(pos(tk), mk, "setting \"permissions\" within cluster authorization block is deprecated");
                    }
                }
                "routes" => {
                    let ra = as_array(mv)?;
                    url_list(ra, e, "route");
                }
                "tls" => {
                    if let Err(err) = tls_block(node, false, e) {
                        e.push(err);
                        continue;
                    }
                }
                "no_advertise" => {
                    as_bool(mv)?;
                }
                "permissions" => match parse_user_permissions(NodeRef::Bare(mv), e) {
                    Err(err) => {
                        e.push(err);
                        continue;
                    }
                    Ok(p) => {
                        let p = p.ok_or_else(|| Fail::Panic(NIL_DEREF.into()))?;
                        if p.response.is_some() {
                            e.err(pos(tk), "Cluster permissions do not support dynamic responses");
                            continue;
                        }
                    }
                },
                _ => e.unknown(tk, mk)?,
            }
        }
        Ok(())
    })
    .map(|_| ())
}

/// A tls block of a listener: parseTLS then GenTLSConfig (its error at the block's token).
fn tls_block(node: &Node, client: bool, e: &mut Errs) -> Result<(), ConfigError> {
    let tc = parse_tls(node, client, e)?;
    gen_tls_config(&tc).map_err(|m| ConfigError::at(node.position.clone(), m))
}

/// parseGateway.
pub(crate) fn parse_gateway(v: &Node, e: &mut Errs) -> Result<(), ConfigError> {
    recovering(e, |lt, e| {
        let (tk, v) = unwrap(v, lt);
        let Value::Map(gm) = v else {
            return Err(ConfigError::at(pos(tk), format!("Expected gateway to be a map, got {}", v.go_type())).into());
        };
        for (mk, mv) in gm.iter() {
            let node = mv;
            let (tk, mv) = unwrap(mv, lt);
            match lower(mk).as_str() {
                "name" | "host" | "net" | "advertise" => {
                    as_string(mv)?;
                }
                "listen" => {
                    if let Err(m) = parse_listen(mv) {
                        e.err(pos(tk), m);
                        continue;
                    }
                }
                "port" | "connect_retries" => {
                    as_i64(mv)?;
                }
                "authorization" => {
                    let auth = match parse_authorization(node, e) {
                        Err(err) => {
                            e.push(err);
                            continue;
                        }
                        Ok(a) => a.ok_or_else(|| Fail::Panic(NIL_DEREF.into()))?,
                    };
                    if auth.users.is_some() {
                        e.err(pos(tk), "Gateway authorization does not allow multiple users");
                        continue;
                    }
                    if !auth.token.is_empty() {
                        e.err(pos(tk), "Gateway authorization does not support tokens");
                        continue;
                    }
                }
                "tls" => {
                    if let Err(err) = tls_block(node, false, e) {
                        e.push(err);
                        continue;
                    }
                }
                "gateways" => {
                    if let Err(err) = parse_gateways(node, e) {
                        return Err(err.into());
                    }
                }
                "reject_unknown" | "reject_unknown_cluster" => {
                    as_bool(mv)?;
                }
                _ => e.unknown(tk, mk)?,
            }
        }
        Ok(())
    })
    .map(|_| ())
}

fn parse_gateways(v: &Node, e: &mut Errs) -> Result<(), ConfigError> {
    recovering(e, |lt, e| {
        let (tk, v) = unwrap(v, lt);
        let Value::Array(ga) = v else {
            return Err(ConfigError::at(pos(tk), format!("Expected gateways field to be an array, got {}", v.go_type())).into());
        };
        for g in ga.iter() {
            let (tk, g) = unwrap(g, lt);
            let Value::Map(gm) = g else {
                e.err(pos(tk), format!("Expected gateway entry to be a map/struct, got {}", g.go_format()));
                continue;
            };
            for (k, v) in gm.iter() {
                let node = v;
                let (tk, v) = unwrap(v, lt);
                match lower(k).as_str() {
                    "name" | "url" => {
                        as_string(v)?;
                    }
                    "tls" => {
                        if let Err(err) = tls_block(node, false, e) {
                            e.push(err);
                            continue;
                        }
                    }
                    "urls" => url_list(as_array(v)?, e, "gateway"),
                    _ => e.unknown(tk, k)?,
                }
            }
        }
        Ok(())
    })
    .map(|_| ())
}

/// parseLeafNodes.
pub(crate) fn parse_leafnodes(v: &Node, o: &mut Options, e: &mut Errs) -> Result<(), ConfigError> {
    recovering(e, |lt, e| {
        let (tk, v) = unwrap(v, lt);
        let Value::Map(cm) = v else {
            return Err(ConfigError::at(pos(tk), format!("Expected map to define a leafnode, got {}", v.go_type())).into());
        };
        for (mk, mv) in cm.iter() {
            let node = mv;
            let (tk, mv) = unwrap(mv, lt);
            match lower(mk).as_str() {
                "listen" => {
                    if let Err(m) = parse_listen(mv) {
                        e.err(pos(tk), m);
                        continue;
                    }
                }
                "port" | "reconnect" | "reconnect_delay" | "reconnect_interval" => {
                    as_i64(mv)?;
                }
                "host" | "net" | "leafnode_advertise" | "advertise" | "min_version" | "minimum_version" => {
                    as_string(mv)?;
                }
                "authorization" => {
                    let auth = parse_leaf_authorization(node, e).ok_or_else(|| Fail::Panic(NIL_DEREF.into()))?;
                    o.leafnode.username = auth.user;
                    o.leafnode.password = auth.pass;
                    o.leafnode.auth_timeout = auth.timeout;
                    o.leafnode.account = auth.acc;
                    o.leafnode.users = auth.users;
                    if let Some(users) = &o.leafnode.users {
                        if !o.leafnode.username.is_empty() {
                            e.err(pos(tk), "can not have a single user/pass and a users array");
                            continue;
                        }
                        let mut seen = std::collections::HashSet::new();
                        for u in users {
                            if !seen.insert(u.username.clone()) {
                                e.err(pos(tk), format!("duplicate user {} detected in leafnode authorization", crate::nats::conf::go_quote(&u.username)));
                                break;
                            }
                        }
                    }
                }
                "remotes" => {
                    if let Err(err) = parse_remotes(node, e) {
                        e.push(err);
                        continue;
                    }
                }
                "tls" => {
                    if let Err(err) = tls_block(node, true, e) {
                        e.push(err);
                        continue;
                    }
                }
                "no_advertise" => {
                    as_bool(mv)?;
                }
                _ => e.unknown(tk, mk)?,
            }
        }
        Ok(())
    })
    .map(|_| ())
}

fn parse_remotes(v: &Node, e: &mut Errs) -> Result<(), ConfigError> {
    recovering(e, |lt, e| {
        let (tk, v) = unwrap(v, lt);
        let Value::Array(ra) = v else {
            return Err(ConfigError::at(pos(tk), format!("Expected remotes field to be an array, got {}", v.go_type())).into());
        };
        for r in ra.iter() {
            let (tk, r) = unwrap(r, lt);
            let Value::Map(rm) = r else {
                e.err(pos(tk), format!("Expected remote leafnode entry to be a map/struct, got {}", r.go_format()));
                continue;
            };
            for (k, v) in rm.iter() {
                let node = v;
                let (tk, v) = unwrap(v, lt);
                match lower(k).as_str() {
                    "no_randomize" | "dont_randomize" | "hub" | "ws_compress" | "ws_compression" | "websocket_compress"
                    | "websocket_compression" | "ws_no_masking" | "websocket_no_masking" => {
                        as_bool(v)?;
                    }
                    "url" | "urls" => match v {
                        Value::Array(a) => url_list(a, e, "leafnode"),
                        Value::String(_) => {}
                        _ => {
                            e.err(pos(tk), format!("Expected remote leafnode url to be an array or string, got {}", v.go_format()));
                            continue;
                        }
                    },
                    "account" | "local" | "creds" | "credentials" => {
                        as_string(v)?;
                    }
                    "tls" => {
                        if let Err(err) = tls_block(node, true, e) {
                            e.push(err);
                            continue;
                        }
                    }
                    "deny_imports" | "deny_import" | "deny_exports" | "deny_export" => {
                        if let Err(err) = parse_perm_subjects(NodeRef::Node(node), e) {
                            e.push(err);
                            continue;
                        }
                    }
                    "jetstream_cluster_migrate" | "js_cluster_migrate" => {}
                    _ => e.unknown(tk, k)?,
                }
            }
        }
        Ok(())
    })
    .map(|_| ())
}

/// parseWebsocket and parseMQTT (`mqtt` is the latter).
pub(crate) fn parse_ws_or_mqtt(v: &Node, mqtt: bool, e: &mut Errs) -> Result<ListenerAuth, ConfigError> {
    let mut out = ListenerAuth { configured: true, ..Default::default() };
    let r = recovering(e, |lt, e| {
        let (tk, v) = unwrap(v, lt);
        let Value::Map(gm) = v else {
            let what = if mqtt { "mqtt" } else { "websocket" };
            return Err(ConfigError::at(pos(tk), format!("Expected {what} to be a map, got {}", v.go_type())).into());
        };
        for (mk, mv) in gm.iter() {
            let node = mv;
            let (tk, mv) = unwrap(mv, lt);
            let key = lower(mk);
            match key.as_str() {
                "listen" => {
                    if let Err(m) = parse_listen(mv) {
                        e.err(pos(tk), m);
                        continue;
                    }
                }
                "port" => out.port = as_i64(mv)?,
                "host" | "net" => {
                    as_string(mv)?;
                }
                "tls" => {
                    match parse_tls(node, true, e) {
                        Err(err) => {
                            e.push(err);
                            continue;
                        }
                        Ok(tc) => {
                            if let Err(m) = gen_tls_config(&tc) {
                                e.err(pos(tk), m);
                                continue;
                            }
                            out.tls = true;
                            out.tls_map = tc.map;
                        }
                    }
                }
                "authorization" | "authentication" => {
                    let auth = parse_simple_auth(node, e).ok_or_else(|| Fail::Panic(NIL_DEREF.into()))?;
                    out.username = auth.user;
                    out.password = auth.pass;
                    out.token = auth.token;
                    out.auth_timeout = auth.timeout;
                }
                "no_auth_user" => out.no_auth_user = as_string(mv)?,
                _ if !mqtt => match key.as_str() {
                    "advertise" | "jwt_cookie" => {
                        as_string(mv)?;
                    }
                    "no_tls" => out.no_tls = as_bool(mv)?,
                    "same_origin" | "compress" | "compression" => {
                        as_bool(mv)?;
                    }
                    "allowed_origins" | "allowed_origin" | "allow_origins" | "allow_origin" | "origins" | "origin" => {
                        let _ = parse_string_array("allowed origins", tk, lt, mv, e);
                    }
                    "handshake_timeout" => match mv {
                        Value::Integer(_) => {}
                        Value::String(d) => {
                            if let Err(m) = parse_duration(&s(d)) {
                                e.err(pos(tk), m);
                                continue;
                            }
                        }
                        _ => e.err(pos(tk), format!("error parsing handshake timeout: unsupported type {}", mv.go_type())),
                    },
                    _ => e.unknown(tk, mk)?,
                },
                _ => match key.as_str() {
                    "ack_wait" | "ackwait" => super::listeners::parse_duration_field("ack_wait", tk, mv, e)?,
                    "max_ack_pending" | "max_pending" | "max_inflight" => {
                        let tmp = as_i64(mv)?;
                        if !(0..=0xFFFF).contains(&tmp) {
                            e.err(pos(tk), format!("invalid value {tmp}, should in [0..65535] range"));
                        }
                    }
                    "js_domain" => {
                        as_string(mv)?;
                    }
                    "stream_replicas" => {
                        as_i64(mv)?;
                    }
                    "consumer_replicas" => {
                        e.warn(pos(tk), mk, "consumer replicas setting ignored in this server version");
                    }
                    "consumer_memory_storage" => {
                        as_bool(mv)?;
                    }
                    "consumer_inactive_threshold" | "consumer_auto_cleanup" => {
                        parse_duration_field("consumer_inactive_threshold", tk, mv, e)?
                    }
                    _ => e.unknown(tk, mk)?,
                },
            }
        }
        Ok(())
    })?;
    let _ = r;
    Ok(out)
}

/// parseJetStream (it does not recover: a panic reaches the top-level line).
pub(crate) fn parse_jetstream(v: &Node, o: &mut Options, e: &mut Errs) -> R<Result<(), ConfigError>> {
    let mut lt: Lt = None;
    let (tk, v) = unwrap(v, &mut lt);
    match v {
        Value::Bool(b) => o.jetstream = *b,
        Value::String(vv) => match lower(vv).as_str() {
            "enabled" | "enable" => o.jetstream = true,
            "disabled" | "disable" => o.jetstream = false,
            _ => {
                return Ok(Err(ConfigError::at(
                    pos(tk),
                    format!("Expected 'enabled' or 'disabled' for string value, got '{}'", s(vv)),
                )))
            }
        },
        Value::Map(vv) => {
            let mut enable = true;
            for (mk, mv) in vv.iter() {
                let (tk, mv) = unwrap(mv, &mut lt);
                match lower(mk).as_str() {
                    "store" | "store_dir" | "storedir" | "domain" | "key" | "ek" | "encryption_key" | "extension_hint"
                    | "unique_tag" => {
                        as_string(mv)?;
                    }
                    k @ ("max_memory_store" | "max_mem_store" | "max_mem" | "max_file_store" | "max_file"
                    | "max_outstanding_catchup") => {
                        if let Err(m) = storage_size(mv) {
                            let name = match k {
                                "max_memory_store" | "max_mem_store" | "max_mem" => "max_mem_store".to_string(),
                                "max_file_store" | "max_file" => "max_file_store".to_string(),
                                _ => lower(mk),
                            };
                            return Ok(Err(ConfigError::at(pos(tk), format!("{name} {m}"))));
                        }
                    }
                    "enable" | "enabled" => enable = as_bool(mv)?,
                    "cipher" => {
                        let c = as_string(mv)?;
                        if !matches!(lower(&c).as_str(), "chacha" | "chachapoly" | "aes") {
                            return Ok(Err(ConfigError::at(
                                pos(tk),
                                format!("Unknown cipher type: {}", crate::nats::conf::go_quote(&c)),
                            )));
                        }
                    }
                    "limits" => {
                        let mut l2: Lt = None;
                        let lv = mv;
                        let Value::Map(lm) = lv else {
                            return Ok(Err(ConfigError::at(
                                pos(tk),
                                format!("Expected a map to define JetStreamLimits, got {}", lv.go_type()),
                            )));
                        };
                        for (lk, lvv) in lm.iter() {
                            let (tk, lvv) = unwrap(lvv, &mut l2);
                            match lower(lk).as_str() {
                                "max_ack_pending" | "max_ha_assets" | "max_request_batch" => {
                                    as_i64(lvv)?;
                                }
                                "duplicate_window" => {
                                    if let Err(m) = parse_duration(&s(&as_string(lvv)?)) {
                                        e.err(None, m);
                                    }
                                }
                                _ => e.unknown(tk, lk)?,
                            }
                        }
                    }
                    _ => e.unknown(tk, mk)?,
                }
            }
            o.jetstream = enable;
        }
        _ => {
            return Ok(Err(ConfigError::at(
                pos(tk),
                format!("Expected map, bool or string to define JetStream, got {}", v.go_type()),
            )))
        }
    }
    Ok(Ok(()))
}

/// getStorageSize.
fn storage_size(v: &Value) -> Result<i64, String> {
    match v {
        Value::Integer(i) => Ok(*i),
        Value::String(st) => {
            let t = s(st);
            if t.is_empty() {
                return Ok(0);
            }
            let (prefix, suffix) = t.split_at(t.len() - t.chars().last().map_or(0, char::len_utf8));
            let num: i64 = prefix.parse().map_err(|_| format!("strconv.ParseInt: parsing {}: invalid syntax", crate::nats::conf::go_quote(prefix.as_bytes())))?;
            let shift = match suffix {
                "K" => 10,
                "M" => 20,
                "G" => 30,
                "T" => 40,
                _ => return Err("sizes defined as strings must end in K, M, G, T".into()),
            };
            Ok(num.wrapping_mul(1 << shift))
        }
        _ => Err("must be int64 or string".into()),
    }
}
