//! nats-server 2.9.10's option processor (`server/opts.go`) over a parsed config: every
//! top-level key it knows, the type checks it makes (Go type assertions that panic and are
//! recovered into errors at the same positions), and the errors and warnings it collects over
//! the whole file, so `authgate nats check` prints what `nats-server -t` prints.

mod accounts;
mod auth;
pub(crate) mod duration;
mod go;
mod listeners;
mod model;
mod tls;

pub use go::{ConfigError, ConfigErrorKind};
pub use model::{
    Account, LeafAuth, ListenerAuth, NkeyUser, Options, Permissions, ResponsePermission, SubjectList, SubjectPermission,
    User,
    DEFAULT_RESPONSE_PERMISSION,
};

use go::{as_bool, as_i64, as_map, as_string, lower, pos, s, unwrap, Errs, Fail, Lt, NIL_DEREF, R};

use crate::nats::conf::{Map, Node, Value};
use crate::nats::nkey;

/// The keys of operator (JWT) mode, which authgate refuses.
const OPERATOR_KEYS: &[&str] = &[
    "operator",
    "operators",
    "roots",
    "root",
    "root_operators",
    "root_operator",
    "resolver",
    "account_resolver",
    "accounts_resolver",
    "resolver_tls",
    "resolver_preload",
    "resolver_pinned_accounts",
    "trusted",
    "trusted_keys",
];

/// The outcome of processing: the options, and nats-server's warnings and errors (both fail
/// `nats-server -t`).
#[derive(Debug, Default)]
pub struct Processed {
    /// The options.
    pub options: Options,
    /// Warnings, printed first.
    pub warnings: Vec<ConfigError>,
    /// Errors.
    pub errors: Vec<ConfigError>,
}

/// ProcessConfigFile on a parsed config.
pub fn process(m: &Map) -> Processed {
    let mut o = Options::default();
    let mut e = Errs::default();
    configure_system_account(&mut o, m, &mut e);
    for (k, v) in m.iter() {
        process_line(&mut o, k, v, &mut e);
    }
    Processed { options: o, warnings: e.warnings, errors: e.errors }
}

/// configureSystemAccount, done first.
fn configure_system_account(o: &mut Options, m: &Map, e: &mut Errs) {
    let v = m.get(b"system_account".as_slice()).or_else(|| m.get(b"system".as_slice()));
    let Some(v) = v else { return };
    let mut lt: Lt = None;
    let (tk, val) = unwrap(v, &mut lt);
    match val {
        Value::String(sa) => o.system_account = sa.clone(),
        _ => e.err(pos(tk), "system account name must be a string"),
    }
}

/// processConfigFileLine, with its recover.
fn process_line(o: &mut Options, k: &[u8], v: &Node, e: &mut Errs) {
    let mut lt: Lt = None;
    if let Err(Fail::Panic(m)) = line(o, k, v, e, &mut lt) {
        match &lt {
            Some(p) => e.err(Some(p.clone()), m),
            None => e.err(None, format!("encountered panic without a token {m}")),
        }
    }
}

fn too_big(e: &mut Errs, tk: go::Tk<'_>, k: &[u8]) {
    e.err(pos(tk), format!("{} value is too big", s(k)));
}

fn line(o: &mut Options, k: &[u8], v: &Node, e: &mut Errs, lt: &mut Lt) -> R<()> {
    let (tk, val) = unwrap(v, lt);
    let key = lower(k);
    match key.as_str() {
        "listen" | "http" | "https" => {
            if let Err(m) = listeners::parse_listen(val) {
                e.err(pos(tk), m);
            }
        }
        "client_advertise" | "server_name" | "host" | "net" | "http_base_path" | "logfile" | "log_file"
        | "remote_syslog" | "pidfile" | "pid_file" | "ports_file_dir" => {
            let sv = as_string(val)?;
            if key == "server_name" {
                o.server_name = sv;
            }
        }
        "port" | "http_port" | "monitor_port" | "https_port" | "logfile_size_limit" | "log_size_limit" | "prof_port"
        | "max_pending" | "max_connections" | "max_conn" | "max_traced_msg_len" | "max_subscriptions" | "max_subs"
        | "ping_max" | "connect_error_reports" | "reconnect_error_reports" => {
            as_i64(val)?;
        }
        "debug" | "trace" | "trace_verbose" | "logtime" | "disable_sublist_cache" | "no_sublist_cache" | "syslog"
        | "allow_non_tls" | "no_system_account" | "no_system" | "no_sys_acc" | "no_header_support" => {
            as_bool(val)?;
        }
        "mappings" | "maps" => {
            // parseAccountMappings recovers on its own; `v.(map)` fails inside it.
            let _ = go::recovering(e, |lt2, e2| {
                let (tk2, v2) = unwrap(v, lt2);
                let am = as_map(v2)?;
                for (subj, _) in am.iter() {
                    if !crate::nats::subject::is_valid_subject(subj) {
                        e2.err(pos(tk2), format!("Subject {} is not a valid subject", crate::nats::conf::go_quote(subj)));
                    }
                }
                Ok(())
            });
        }
        "accounts" => {
            if let Err(err) = accounts::parse_accounts(v, o, e) {
                e.push(err);
            }
        }
        "authorization" => authorization(o, v, tk, e)?,
        "cluster" => {
            if let Err(err) = listeners::parse_cluster(v, e) {
                e.push(err);
            }
        }
        "gateway" => {
            if let Err(err) = listeners::parse_gateway(v, e) {
                e.push(err);
            }
        }
        "leaf" | "leafnodes" => {
            if let Err(err) = listeners::parse_leafnodes(v, o, e) {
                e.push(err);
            }
        }
        "store_dir" | "storedir" => {
            as_string(val)?;
        }
        "jetstream" => {
            if let Err(err) = listeners::parse_jetstream(v, o, e)? {
                e.push(err);
            }
        }
        "max_control_line" | "max_payload" => {
            if as_i64(val)? > (1i64 << 31) - 1 {
                too_big(e, tk, k);
            }
        }
        "max_sub_tokens" | "max_subscription_tokens" => {
            let n = as_i64(val)?;
            if n > 255 {
                too_big(e, tk, k);
            } else if n <= 0 {
                e.err(pos(tk), format!("{} value can not be negative", s(k)));
            } else {
                o.max_sub_tokens = n as u8;
            }
        }
        "ping_interval" | "write_deadline" => listeners::parse_duration_field(&key, tk, val, e)?,
        "tls" => match tls::parse_tls(v, true, e) {
            Err(err) => e.push(err),
            Ok(tc) => {
                if let Err(m) = tls::gen_tls_config(&tc) {
                    e.err(pos(tk), m);
                    return Ok(());
                }
                o.tls = true;
                o.tls_timeout = tc.timeout;
                o.tls_map = tc.map;
                o.tls_verify = tc.verify;
            }
        },
        "ocsp" => match val {
            Value::Bool(_) => {}
            Value::Map(vv) => {
                let mut lt2 = lt.clone();
                for (kk, kv) in vv.iter() {
                    let (tk2, v2) = unwrap(kv, &mut lt2);
                    *lt = lt2.clone();
                    match kk.as_slice() {
                        b"mode" => {
                            let mode = lower(&as_string(v2)?);
                            if !matches!(mode.as_str(), "always" | "must" | "never" | "auto") {
                                e.err(pos(tk2), "error parsing ocsp config: unsupported ocsp mode string");
                            }
                        }
                        b"urls" => return Err(go::as_string_slice(v2)),
                        b"url" => {
                            as_string(v2)?;
                        }
                        _ => {
                            e.err(pos(tk2), "error parsing ocsp config: unsupported field string");
                            return Ok(());
                        }
                    }
                }
            }
            _ => e.err(pos(tk), format!("error parsing ocsp config: unsupported type {}", val.go_type())),
        },
        "lame_duck_duration" | "lame_duck_grace_period" => {
            let d = as_string(val)?;
            match duration::parse_duration(&s(&d)) {
                Err(m) => e.err(pos(tk), format!("error parsing {key}: {m}")),
                Ok(dur) if key == "lame_duck_duration" && dur < 30_000_000_000 => e.err(
                    pos(tk),
                    format!("invalid lame_duck_duration of {}, minimum is 30 seconds", duration::format_duration(dur)),
                ),
                Ok(dur) if key == "lame_duck_grace_period" && dur < 0 => {
                    e.err(pos(tk), "invalid lame_duck_grace_period, needs to be positive")
                }
                Ok(_) => {}
            }
        }
        k2 if OPERATOR_KEYS.contains(&k2) => {
            if k2 == "trusted" || k2 == "trusted_keys" {
                validate_trusted(tk, val, lt, e)?;
            }
            if o.operator_mode.is_none() {
                o.operator_mode = Some((k.to_vec(), pos(tk)));
            }
        }
        "no_auth_user" => o.no_auth_user = as_string(val)?,
        "system_account" | "system" => {}
        "websocket" | "ws" => match listeners::parse_ws_or_mqtt(v, false, e) {
            Err(err) => e.push(err),
            Ok(l) => o.websocket = l,
        },
        "mqtt" => match listeners::parse_ws_or_mqtt(v, true, e) {
            Err(err) => e.push(err),
            Ok(l) => o.mqtt = l,
        },
        "server_tags" => match val {
            Value::String(_) => {}
            Value::Array(a) => {
                for t in a.iter() {
                    if t.position.is_some() {
                        if !matches!(t.value, Value::String(_)) {
                            e.err(
                                pos(tk),
                                "error parsing tags: unsupported type *conf.token where string is expected",
                            );
                            break;
                        }
                    } else {
                        e.err(pos(tk), format!("error parsing tags: unsupported type {}", t.value.go_type()));
                        break;
                    }
                }
            }
            _ => e.err(pos(tk), format!("error parsing tags: unsupported type {}", val.go_type())),
        },
        "default_js_domain" => {
            let Value::Map(vv) = val else {
                e.err(pos(tk), format!("error default_js_domain config: unsupported type {}", val.go_type()));
                return Ok(());
            };
            for (_, kv) in vv.iter() {
                let (_, v2) = unwrap(kv, lt);
                as_string(v2)?;
            }
        }
        _ => match tk {
            None => return Err(Fail::Panic(NIL_DEREF.into())),
            Some(_) => e.unknown(tk, k)?,
        },
    }
    Ok(())
}

/// The `trusted` key's own checks (before authgate refuses operator mode).
fn validate_trusted(tk: go::Tk<'_>, val: &Value, lt: &mut Lt, e: &mut Errs) -> R<()> {
    let keys: Vec<Vec<u8>> = match val {
        Value::String(k) => vec![k.clone()],
        Value::Array(a) => {
            let mut keys = Vec::new();
            for mv in a.iter() {
                let (t, mv) = unwrap(mv, lt);
                match mv {
                    Value::String(k) => keys.push(k.clone()),
                    _ => e.err(pos(t), format!("error parsing trusted: unsupported type in array {}", mv.go_type())),
                }
            }
            keys
        }
        _ => {
            e.err(pos(tk), format!("error parsing trusted: unsupported type {}", val.go_type()));
            Vec::new()
        }
    };
    for key in keys {
        if !nkey::is_valid_public_operator_key(&key) {
            e.err(
                pos(tk),
                format!("trust key {} required to be a valid public operator nkey", crate::nats::conf::go_quote(&key)),
            );
        }
    }
    Ok(())
}

/// The top-level `authorization` case of processConfigFileLine.
fn authorization(o: &mut Options, v: &Node, tk: go::Tk<'_>, e: &mut Errs) -> R<()> {
    let auth = match auth::parse_authorization(v, e) {
        Err(err) => {
            e.push(err);
            return Ok(());
        }
        // A recovered panic returns a nil *authorization, dereferenced next.
        Ok(None) => return Err(Fail::Panic(NIL_DEREF.into())),
        Ok(Some(a)) => a,
    };
    o.username = auth.user.clone();
    o.password = auth.pass.clone();
    o.authorization = auth.token.clone();
    o.auth_timeout = auth.timeout;
    if (!auth.user.is_empty() || !auth.pass.is_empty()) && !auth.token.is_empty() {
        e.err(pos(tk), "Cannot have a user/pass and token");
        return Ok(());
    }
    let mut unames = accounts::user_names(o);
    if auth.users.is_some() || !unames.is_empty() {
        if !auth.user.is_empty() {
            e.err(pos(tk), "Can not have a single user/pass and a users array");
            return Ok(());
        }
        if !auth.token.is_empty() {
            e.err(pos(tk), "Can not have a token and a users array");
            return Ok(());
        }
        if let Some(users) = auth.users.as_ref().filter(|u| !u.is_empty()) {
            for u in users {
                if !unames.insert(u.username.clone()) {
                    e.err(pos(tk), format!("Duplicate user {} detected", crate::nats::conf::go_quote(&u.username)));
                    return Ok(());
                }
            }
            o.users.get_or_insert_with(Vec::new).extend(users.iter().cloned());
        }
    }
    if let Some(nkeys) = auth.nkeys.as_ref().filter(|n| !n.is_empty()) {
        for u in nkeys {
            if !unames.insert(u.nkey.clone()) {
                e.err(pos(tk), format!("Duplicate nkey {} detected", crate::nats::conf::go_quote(&u.nkey)));
                return Ok(());
            }
        }
        o.nkeys.get_or_insert_with(Vec::new).extend(nkeys.iter().cloned());
    }
    Ok(())
}
