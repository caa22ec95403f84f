//! `accounts`: the array of names, or the map of account blocks with their users, default
//! permissions, nkey, imports, exports, mappings, limits and jetstream (nats-server 2.9.10's
//! `parseAccounts` and helpers).

use std::collections::HashSet;
use std::sync::Arc;

use super::auth::{apply_default_permissions, parse_user_permissions, parse_users, NodeRef};
use super::duration::parse_duration;
use super::go::{as_array, as_i64, as_map, as_string, lower, pos, recovering, s, unwrap, ConfigError, Errs, Lt, Tk, R};
use super::model::{Account, NkeyUser, Options, User};
use crate::nats::conf::{go_quote, Node, Value};
use crate::nats::{nkey, subject};

const GLOBAL_ACCOUNT: &[u8] = b"$G";

struct Export {
    acc: Vec<u8>,
    accs: Vec<Vec<u8>>,
    stream: bool,
}

struct Import {
    an: Vec<u8>,
    stream: bool,
}

/// setupUsersAndNKeysDuplicateCheckMap.
pub(crate) fn user_names(o: &Options) -> HashSet<Vec<u8>> {
    let mut m = HashSet::new();
    for u in o.users.iter().flatten() {
        m.insert(u.username.clone());
    }
    for u in o.nkeys.iter().flatten() {
        m.insert(u.nkey.clone());
    }
    m
}

/// parseAccounts.
pub(crate) fn parse_accounts(v: &Node, o: &mut Options, e: &mut Errs) -> Result<(), ConfigError> {
    let r = recovering(e, |lt, e| {
        let (tk, v) = unwrap(v, lt);
        let mut exports: Vec<Export> = Vec::new();
        let mut imports: Vec<Import> = Vec::new();
        match v {
            Value::Array(names) => {
                let mut seen = HashSet::new();
                for n in names.iter() {
                    let (tk, name) = unwrap(n, lt);
                    let ns = as_string(name)?;
                    if ns == GLOBAL_ACCOUNT {
                        e.err(pos(tk), format!("{} is a Reserved Account", go_quote(&ns)));
                        continue;
                    }
                    if !seen.insert(ns.clone()) {
                        e.err(pos(tk), format!("Duplicate Account Entry: {}", s(&ns)));
                        continue;
                    }
                    o.accounts.push(Account { name: ns, ..Default::default() });
                }
            }
            Value::Map(vv) => {
                let mut uorn = user_names(o);
                for (aname, mv) in vv.iter() {
                    let (tk, amv) = unwrap(mv, lt);
                    if tk.is_some_and(|t| t.is_used_variable()) {
                        continue;
                    }
                    let Value::Map(mv) = amv else {
                        e.err(pos(tk), "Expected map entries for accounts");
                        continue;
                    };
                    if aname.as_slice() == GLOBAL_ACCOUNT {
                        e.err(pos(tk), format!("{} is a Reserved Account", go_quote(aname)));
                        continue;
                    }
                    let mut users: Vec<User> = Vec::new();
                    let mut nkey_usr: Vec<NkeyUser> = Vec::new();
                    let mut users_tk: Tk<'_> = None;
                    let mut acc = Account { name: aname.clone(), ..Default::default() };
                    for (k, v) in mv.iter() {
                        let (tk, mv) = unwrap(v, lt);
                        match lower(k).as_str() {
                            "nkey" => match mv {
                                Value::String(nk) if nkey::is_valid_public_account_key(nk) => acc.nkey = nk.clone(),
                                _ => {
                                    e.err(
                                        pos(tk),
                                        format!("Not a valid public nkey for an account: {}", quote_value(mv)),
                                    );
                                    continue;
                                }
                            },
                            "imports" => match parse_imports(v, e) {
                                Err(err) => {
                                    e.push(err);
                                    continue;
                                }
                                Ok(mut i) => imports.append(&mut i),
                            },
                            "exports" => match parse_exports(v, &acc.name, e) {
                                Err(err) => {
                                    e.push(err);
                                    continue;
                                }
                                Ok(mut x) => exports.append(&mut x),
                            },
                            "jetstream" => {
                                if let Err(err) = parse_jetstream_for_account(v, lt, e)? {
                                    e.push(err);
                                    continue;
                                }
                            }
                            "users" => {
                                users_tk = tk;
                                match parse_users(NodeRef::Node(v), e) {
                                    Err(err) => {
                                        e.push(err);
                                        continue;
                                    }
                                    Ok(r) => {
                                        let (nk, us) = r.unwrap_or_default();
                                        nkey_usr = nk.unwrap_or_default();
                                        users = us.unwrap_or_default();
                                    }
                                }
                            }
                            "default_permissions" => match parse_user_permissions(NodeRef::Node(v), e) {
                                Err(err) => {
                                    e.push(err);
                                    continue;
                                }
                                Ok(p) => acc.default_permissions = p.map(Arc::new),
                            },
                            "mappings" | "maps" => parse_mappings(v, e),
                            "limits" => {
                                if let Err(err) = parse_limits(v, e) {
                                    e.push(err);
                                    continue;
                                }
                            }
                            _ => e.unknown(tk, k)?,
                        }
                    }
                    let name = acc.name.clone();
                    let default = acc.default_permissions.clone();
                    o.accounts.push(acc);
                    if !nkey_usr.is_empty() || !users.is_empty() {
                        if !o.username.is_empty() {
                            e.err(pos(users_tk), "Can not have a single user/pass and accounts");
                            continue;
                        }
                        if !o.authorization.is_empty() {
                            e.err(pos(users_tk), "Can not have a token and accounts");
                            continue;
                        }
                    }
                    apply_default_permissions(Some(&mut users), Some(&mut nkey_usr), &default);
                    for u in &mut nkey_usr {
                        if uorn.contains(&u.nkey) {
                            e.err(pos(users_tk), format!("Duplicate nkey {} detected", go_quote(&u.nkey)));
                            continue;
                        }
                        uorn.insert(u.nkey.clone());
                        u.account = Some(name.clone());
                    }
                    if !nkey_usr.is_empty() {
                        o.nkeys.get_or_insert_with(Vec::new).append(&mut nkey_usr);
                    }
                    for u in &mut users {
                        if uorn.contains(&u.username) {
                            e.err(pos(users_tk), format!("Duplicate user {} detected", go_quote(&u.username)));
                            continue;
                        }
                        uorn.insert(u.username.clone());
                        u.account = Some(name.clone());
                    }
                    // Go appends the (possibly empty) slice: users stay nil only if both are.
                    if !users.is_empty() || o.users.is_some() {
                        o.users.get_or_insert_with(Vec::new).append(&mut users);
                    }
                }
            }
            _ => {}
        }
        let lt_accounts = pos(tk);
        *lt = lt_accounts.clone();
        if !e.errors.is_empty() {
            return Ok(());
        }
        let names: HashSet<Vec<u8>> = o.accounts.iter().map(|a| a.name.clone()).collect();
        for x in exports.iter().filter(|x| x.stream) {
            for an in &x.accs {
                if !names.contains(an) {
                    e.err(lt_accounts.clone(), format!("{} account not defined for stream export", go_quote(an)));
                }
            }
            let _ = &x.acc;
        }
        for x in exports.iter().filter(|x| !x.stream) {
            for an in &x.accs {
                if !names.contains(an) {
                    e.err(lt_accounts.clone(), format!("{} account not defined for service export", go_quote(an)));
                }
            }
        }
        for i in imports.iter().filter(|i| i.stream) {
            if !names.contains(&i.an) {
                e.err(lt_accounts.clone(), format!("{} account not defined for stream import", go_quote(&i.an)));
            }
        }
        for i in imports.iter().filter(|i| !i.stream) {
            if !names.contains(&i.an) {
                e.err(lt_accounts.clone(), format!("{} account not defined for service import", go_quote(&i.an)));
            }
        }
        Ok(())
    })?;
    let _ = r;
    Ok(())
}

/// `%q` of a value that may not be a string (Go prints `%!q(int64=5)` then).
fn quote_value(v: &Value) -> String {
    match v {
        Value::String(s) => go_quote(s),
        Value::Integer(i) => format!("%!q(int64={i})"),
        Value::Bool(b) => format!("%!q(bool={b})"),
        other => format!("%!q({}={})", other.go_type(), other.go_format()),
    }
}

fn parse_imports(v: &Node, e: &mut Errs) -> Result<Vec<Import>, ConfigError> {
    let r = recovering(e, |lt, e| {
        let (tk, v) = unwrap(v, lt);
        let Value::Array(ims) = v else {
            return Err(ConfigError::at(pos(tk), format!("Imports should be an array, got {}", v.go_type())).into());
        };
        let mut out = Vec::new();
        let mut svc_subjects: Vec<(Vec<u8>, Vec<u8>, Vec<u8>)> = Vec::new();
        for v in ims.iter() {
            match parse_import(v, e) {
                Err(err) => e.push(err),
                Ok(None) => {}
                Ok(Some((imp, to, sub))) => {
                    if !imp.stream {
                        if let Some(dup) = svc_subjects.iter().find(|d| d.0 == to) {
                            let mut l2 = None;
                            let (tk, _) = unwrap(v, &mut l2);
                            e.err(
                                pos(tk),
                                format!(
                                    "Duplicate service import subject {}, previously used in import for account {}, subject {}",
                                    go_quote(&to),
                                    go_quote(&dup.1),
                                    go_quote(&dup.2)
                                ),
                            );
                            continue;
                        }
                        svc_subjects.push((to, imp.an.clone(), sub));
                    }
                    out.push(imp);
                }
            }
        }
        Ok(out)
    })?;
    Ok(r.unwrap_or_default())
}

/// parseImportStreamOrService: the import, its `to` and its subject.
fn parse_import(v: &Node, e: &mut Errs) -> Result<Option<(Import, Vec<u8>, Vec<u8>)>, ConfigError> {
    let r = recovering(e, |lt, e| {
        let (tk, mv) = unwrap(v, lt);
        let Value::Map(vv) = mv else {
            return Err(ConfigError::at(
                pos(tk),
                format!("Import Items should be a map with type entry, got {}", mv.go_type()),
            )
            .into());
        };
        let mut cur: Option<(bool, Vec<u8>, Vec<u8>)> = None;
        let (mut pre, mut to) = (Vec::new(), Vec::new());
        for (mk, mv) in vv.iter() {
            let (tk, mv) = unwrap(mv, lt);
            let key = lower(mk);
            match key.as_str() {
                "stream" | "service" => {
                    let stream = key == "stream";
                    if cur.as_ref().is_some_and(|c| c.0 != stream) {
                        let msg = if stream {
                            "Detected stream but already saw a service"
                        } else {
                            "Detected service but already saw a stream"
                        };
                        e.err(pos(tk), msg);
                        continue;
                    }
                    let Value::Map(ac) = mv else {
                        let what = if stream { "Stream" } else { "Service" };
                        e.err(pos(tk), format!("{what} entry should be an account map, got {}", mv.go_type()));
                        continue;
                    };
                    let (an, subj) = match parse_import_account(ac, e) {
                        Some(x) => x,
                        None => (Vec::new(), Vec::new()),
                    };
                    if an.is_empty() || subj.is_empty() {
                        e.err(pos(tk), "Expect an account name and a subject");
                        continue;
                    }
                    cur = Some((stream, an, subj));
                }
                "prefix" => pre = as_string(mv)?,
                "to" => {
                    to = as_string(mv)?;
                    if cur.as_ref().is_some_and(|c| c.0) && !pre.is_empty() {
                        e.err(pos(tk), "Stream import can not have a 'prefix' and a 'to' property");
                        continue;
                    }
                }
                "share" => {
                    super::go::as_bool(mv)?;
                }
                _ => e.unknown(tk, mk)?,
            }
        }
        Ok(cur.map(|(stream, an, subj)| {
            let to = if to.is_empty() { subj.clone() } else { to };
            let _ = &pre;
            (Import { an, stream }, to, subj)
        }))
    })?;
    Ok(r.flatten())
}

/// parseAccount: the `{account, subject}` of an import.
fn parse_import_account(v: &crate::nats::conf::Map, e: &mut Errs) -> Option<(Vec<u8>, Vec<u8>)> {
    let r = recovering(e, |lt, e| {
        let (mut an, mut subj) = (Vec::new(), Vec::new());
        for (mk, mv) in v.iter() {
            let (tk, mv) = unwrap(mv, lt);
            match lower(mk).as_str() {
                "account" => an = as_string(mv)?,
                "subject" => subj = as_string(mv)?,
                _ => e.unknown(tk, mk)?,
            }
        }
        Ok((an, subj))
    });
    r.ok().flatten()
}

fn parse_exports(v: &Node, acc: &[u8], e: &mut Errs) -> Result<Vec<Export>, ConfigError> {
    let r = recovering(e, |lt, e| {
        let (tk, v) = unwrap(v, lt);
        let Value::Array(ims) = v else {
            return Err(ConfigError::at(pos(tk), format!("Exports should be an array, got {}", v.go_type())).into());
        };
        let mut out = Vec::new();
        for v in ims.iter() {
            match parse_export(v, e) {
                Err(err) => e.push(err),
                Ok(Some((stream, accs))) => out.push(Export { acc: acc.to_vec(), accs, stream }),
                Ok(None) => {}
            }
        }
        Ok(out)
    })?;
    Ok(r.unwrap_or_default())
}

/// parseExportStreamOrService: whether a stream, and the accounts it is exported to.
fn parse_export(v: &Node, e: &mut Errs) -> Result<Option<(bool, Vec<Vec<u8>>)>, ConfigError> {
    let r = recovering(e, |lt, e| {
        let (tk, v) = unwrap(v, lt);
        let Value::Map(vv) = v else {
            return Err(ConfigError::at(
                pos(tk),
                format!("Export Items should be a map with type entry, got {}", v.go_type()),
            )
            .into());
        };
        let mut kind: Option<bool> = None;
        let mut accounts = Vec::new();
        let (mut rt_seen, mut thresh_seen) = (false, false);
        for (mk, mv) in vv.iter() {
            let (tk, mv) = unwrap(mv, lt);
            match lower(mk).as_str() {
                "stream" | "service" => {
                    let stream = lower(mk) == "stream";
                    if kind.is_some_and(|k| k != stream) {
                        let (what, saw) = if stream { ("stream", "service") } else { ("service", "stream") };
                        e.err(pos(tk), format!("Detected {what} {} but already saw a {saw}", quote_value(mv)));
                        continue;
                    }
                    if !matches!(mv, Value::String(_)) {
                        let what = if stream { "stream" } else { "service" };
                        e.err(pos(tk), format!("Expected {what} name to be string, got {}", mv.go_type()));
                        continue;
                    }
                    kind = Some(stream);
                }
                "response" | "response_type" => {
                    if rt_seen {
                        e.err(pos(tk), "Duplicate response type definition");
                        continue;
                    }
                    rt_seen = true;
                    let Value::String(mvs) = mv else {
                        e.err(pos(tk), format!("Expected response type to be string, got {}", mv.go_type()));
                        continue;
                    };
                    if !matches!(lower(mvs).as_str(), "single" | "singleton" | "stream" | "chunk" | "chunked") {
                        e.err(pos(tk), format!("Unknown response type: {}", go_quote(mvs)));
                        continue;
                    }
                    if kind == Some(true) {
                        e.err(pos(tk), "Detected response directive on non-service");
                    }
                }
                "threshold" | "response_threshold" | "response_max_time" | "response_time" => {
                    if thresh_seen {
                        e.err(pos(tk), "Duplicate response threshold detected");
                        continue;
                    }
                    thresh_seen = true;
                    let Value::String(mvs) = mv else {
                        e.err(
                            pos(tk),
                            format!(
                                "Expected response threshold to be a parseable time duration, got {}",
                                mv.go_type()
                            ),
                        );
                        continue;
                    };
                    if parse_duration(&s(mvs)).is_err() {
                        e.err(
                            pos(tk),
                            format!("Expected response threshold to be a parseable time duration, got {}", go_quote(mvs)),
                        );
                        continue;
                    }
                    if kind == Some(true) {
                        e.err(pos(tk), "Detected response directive on non-service");
                    }
                }
                "accounts" => {
                    for iv in as_array(mv)?.iter() {
                        let (_, mv) = unwrap(iv, lt);
                        accounts.push(as_string(mv)?);
                    }
                }
                "latency" => {
                    if kind == Some(true) {
                        e.err(pos(tk), "Detected latency directive on non-service");
                        continue;
                    }
                }
                "account_token_position" => {
                    as_i64(mv)?;
                }
                _ => e.unknown(tk, mk)?,
            }
        }
        Ok(kind.map(|k| (k, accounts)))
    })?;
    Ok(r.flatten())
}

/// parseAccountMappings: each key a valid subject, each value a string, a map or an array.
fn parse_mappings(v: &Node, e: &mut Errs) {
    let _ = recovering(e, |lt, e| {
        let (tk, v) = unwrap(v, lt);
        let am = as_map(v)?;
        for (subj, mv) in am.iter() {
            if !subject::is_valid_subject(subj) {
                e.err(pos(tk), format!("Subject {} is not a valid subject", go_quote(subj)));
                continue;
            }
            let (_, v) = unwrap(mv, lt);
            if !matches!(v, Value::String(_) | Value::Array(_) | Value::Map(_)) {
                // Go's `case interface{}` takes every other type to the destination parser.
                let mut l2 = None;
                let (tk2, _) = unwrap(mv, &mut l2);
                e.err(pos(tk2), "Expected an entry for the mapping destination");
            }
        }
        Ok(())
    });
}

/// parseAccountLimits.
fn parse_limits(v: &Node, e: &mut Errs) -> Result<(), ConfigError> {
    recovering(e, |lt, e| {
        let (tk, v) = unwrap(v, lt);
        let Value::Map(am) = v else {
            return Err(ConfigError::at(
                pos(tk),
                format!("Expected account limits to be a map/struct, got {}", v.go_format()),
            )
            .into());
        };
        for (k, v) in am.iter() {
            let (tk, mv) = unwrap(v, lt);
            match lower(k).as_str() {
                "max_connections" | "max_conn" | "max_subscriptions" | "max_subs" | "max_payload" | "max_pay"
                | "max_leafnodes" | "max_leafs" => {
                    as_i64(mv)?;
                }
                _ => {
                    if !tk.is_some_and(|t| t.is_used_variable()) {
                        e.err(pos(tk), format!("Unknown field {} parsing account limits", go_quote(k)));
                    }
                }
            }
        }
        Ok(())
    })
    .map(|_| ())
}

/// parseJetStreamForAccount (it does not recover: a panic reaches parseAccounts).
fn parse_jetstream_for_account(v: &Node, _outer: &mut Lt, e: &mut Errs) -> R<Result<(), ConfigError>> {
    let mut lt = None;
    let (tk, v) = unwrap(v, &mut lt);
    match v {
        Value::Bool(_) => Ok(Ok(())),
        Value::String(vv) => match lower(vv).as_str() {
            "enabled" | "enable" | "disabled" | "disable" => Ok(Ok(())),
            _ => Ok(Err(ConfigError::at(
                pos(tk),
                format!("Expected 'enabled' or 'disabled' for string value, got '{}'", s(vv)),
            ))),
        },
        Value::Map(vv) => {
            for (mk, mv) in vv.iter() {
                let (tk, mv) = unwrap(mv, &mut lt);
                let key = lower(mk);
                match key.as_str() {
                    "max_memory" | "max_mem" | "mem" | "memory" | "max_store" | "max_file" | "max_disk" | "store"
                    | "disk" | "max_streams" | "streams" | "max_consumers" | "consumers" | "mem_max_stream_bytes"
                    | "memory_max_stream_bytes" | "disk_max_stream_bytes" | "store_max_stream_bytes"
                    | "max_ack_pending" => {
                        if !matches!(mv, Value::Integer(_)) {
                            return Ok(Err(ConfigError::at(
                                pos(tk),
                                format!("Expected a parseable size for {}, got {}", go_quote(mk), mv.go_format()),
                            )));
                        }
                    }
                    "max_bytes_required" | "max_stream_bytes" | "max_bytes" => {
                        if !matches!(mv, Value::Bool(_)) {
                            return Ok(Err(ConfigError::at(
                                pos(tk),
                                format!("Expected a parseable bool for {}, got {}", go_quote(mk), mv.go_format()),
                            )));
                        }
                    }
                    _ => e.unknown(tk, mk)?,
                }
            }
            Ok(Ok(()))
        }
        _ => Ok(Err(ConfigError::at(
            pos(tk),
            format!("Expected map, bool or string to define JetStream, got {}", v.go_type()),
        ))),
    }
}
