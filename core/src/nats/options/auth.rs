//! `authorization {}`, `users`, permissions and the listener-level simple auth blocks, as
//! nats-server 2.9.10's `parseAuthorization`, `parseUsers`, `parseUserPermissions` and
//! friends process them (same texts, same tokens, same recovered panics).

use std::collections::BTreeSet;
use std::sync::Arc;

use super::duration::parse_duration;
use super::go::{
    as_i64, as_map, as_string, lower, pos, recovering, s, unwrap, ConfigError, Errs, Fail, Lt, Tk, R,
};
use super::model::{NkeyUser, Permissions, ResponsePermission, SubjectPermission, User, DEFAULT_RESPONSE_PERMISSION};
use crate::nats::conf::{go_quote, Node, Value};
use crate::nats::{nkey, subject};

/// The `authorization` struct of nats-server.
#[derive(Default)]
pub(crate) struct Authorization {
    pub user: Vec<u8>,
    pub pass: Vec<u8>,
    pub token: Vec<u8>,
    pub acc: Vec<u8>,
    pub nkeys: Option<Vec<NkeyUser>>,
    pub users: Option<Vec<User>>,
    pub timeout: f64,
    pub default_permissions: Option<Arc<Permissions>>,
}

/// The timeout of an authorization block: a number of seconds; anything else is 1.
fn timeout(v: &Value) -> f64 {
    match v {
        Value::Integer(i) => *i as f64,
        Value::Float(f) => *f,
        _ => 1.0,
    }
}

/// parseAuthorization.
pub(crate) fn parse_authorization(v: &Node, e: &mut Errs) -> Result<Option<Authorization>, ConfigError> {
    recovering(e, |lt, e| {
        let mut auth = Authorization::default();
        let (_, v) = unwrap(v, lt);
        let am = as_map(v)?;
        for (mk, mv) in am.iter() {
            let (tk, mv) = unwrap(mv, lt);
            match lower(mk).as_str() {
                "user" | "username" => auth.user = as_string(mv)?,
                "pass" | "password" => auth.pass = as_string(mv)?,
                "token" => auth.token = as_string(mv)?,
                "timeout" => auth.timeout = timeout(mv),
                "users" => match parse_users(tk_node(tk, mv), e) {
                    Err(err) => {
                        e.push(err);
                        continue;
                    }
                    Ok(r) => {
                        let (nkeys, users) = r.unwrap_or_default();
                        auth.users = users;
                        auth.nkeys = nkeys;
                    }
                },
                "default_permission" | "default_permissions" | "permissions" => {
                    match parse_user_permissions(tk_node(tk, mv), e) {
                        Err(err) => {
                            e.push(err);
                            continue;
                        }
                        Ok(p) => auth.default_permissions = p.map(Arc::new),
                    }
                }
                _ => {
                    e.unknown(tk, mk)?;
                    continue;
                }
            }
            apply_default_permissions(auth.users.as_mut(), auth.nkeys.as_mut(), &auth.default_permissions);
        }
        Ok(auth)
    })
}

/// The node behind an unwrapped token: Go passes the token itself on (`parseUsers(tk, ...)`).
fn tk_node<'a>(tk: Tk<'a>, _v: &'a Value) -> NodeRef<'a> {
    match tk {
        Some(n) => NodeRef::Node(n),
        None => NodeRef::Bare(_v),
    }
}

/// A value handed to a parse function: a token, or a bare value (from the environment).
#[derive(Clone, Copy)]
pub(crate) enum NodeRef<'a> {
    Node(&'a Node),
    Bare(&'a Value),
}

impl<'a> NodeRef<'a> {
    /// unwrapValue on the handed value.
    pub(crate) fn unwrap(self, lt: &mut Lt) -> (Tk<'a>, &'a Value) {
        match self {
            NodeRef::Node(n) => unwrap(n, lt),
            NodeRef::Bare(v) => (None, v),
        }
    }
}

/// applyDefaultPermissions.
pub(crate) fn apply_default_permissions(
    users: Option<&mut Vec<User>>,
    nkeys: Option<&mut Vec<NkeyUser>>,
    default: &Option<Arc<Permissions>>,
) {
    let Some(d) = default else { return };
    for u in users.into_iter().flatten() {
        if u.permissions.is_none() {
            u.permissions = Some(d.clone());
        }
    }
    for u in nkeys.into_iter().flatten() {
        if u.permissions.is_none() {
            u.permissions = Some(d.clone());
        }
    }
}

/// The nkey users and password users of a `users` array.
pub(crate) type UsersResult = (Option<Vec<NkeyUser>>, Option<Vec<User>>);

/// parseUsers.
pub(crate) fn parse_users(mv: NodeRef<'_>, e: &mut Errs) -> Result<Option<UsersResult>, ConfigError> {
    recovering(e, |lt, e| {
        let mut keys: Option<Vec<NkeyUser>> = None;
        let mut users: Vec<User> = Vec::new();
        let (mut tk, mv) = mv.unwrap(lt);
        let Value::Array(uv) = mv else {
            return Err(Fail::Err(ConfigError::at(
                pos(tk),
                format!("Expected users field to be an array, got {}", mv.go_format()),
            )));
        };
        for u in uv.iter() {
            let (t, u) = unwrap(u, lt);
            tk = t;
            let Value::Map(um) = u else {
                e.err(pos(tk), format!("Expected user entry to be a map/struct, got {}", u.go_format()));
                continue;
            };
            let mut user = User::default();
            let mut nk = NkeyUser::default();
            let mut perms: Option<Permissions> = None;
            for (k, v) in um.iter() {
                let (t, v) = unwrap(v, lt);
                tk = t;
                match lower(k).as_str() {
                    "nkey" => nk.nkey = as_string(v)?,
                    "user" | "username" => user.username = as_string(v)?,
                    "pass" | "password" => user.password = as_string(v)?,
                    "permission" | "permissions" | "authorization" => {
                        match parse_user_permissions(tk_node(tk, v), e) {
                            Err(err) => {
                                e.push(err);
                                continue;
                            }
                            Ok(p) => perms = p,
                        }
                    }
                    "allowed_connection_types" | "connection_types" | "clients" => {
                        let cts = parse_allowed_connection_types(tk, lt, v, e);
                        nk.allowed_connection_types = cts.clone();
                        user.allowed_connection_types = cts;
                    }
                    _ => {
                        e.unknown(tk, k)?;
                        continue;
                    }
                }
            }
            if let Some(p) = perms {
                let p = Some(Arc::new(p));
                if !nk.nkey.is_empty() {
                    nk.permissions = p;
                } else {
                    user.permissions = p;
                }
            }
            if nk.nkey.is_empty() && user.username.is_empty() {
                return Err(ConfigError::at(pos(tk), "User entry requires a user").into());
            } else if !nk.nkey.is_empty() {
                if !nkey::is_valid_public_user_key(&nk.nkey) {
                    return Err(ConfigError::at(pos(tk), "Not a valid public nkey for a user").into());
                }
                if !user.username.is_empty() || !user.password.is_empty() {
                    return Err(
                        ConfigError::at(pos(tk), "Nkey users do not take usernames or passwords").into()
                    );
                }
                keys.get_or_insert_with(Vec::new).push(nk);
            } else {
                users.push(user);
            }
        }
        // Go returns a nil nkeys slice when there were none, and a non-nil users slice.
        Ok((keys, Some(users)))
    })
}

/// parseAllowedConnectionTypes (errors appended; the valid types are kept).
fn parse_allowed_connection_types(tk: Tk<'_>, lt: &mut Lt, mv: &Value, e: &mut Errs) -> BTreeSet<String> {
    let Ok(cts) = parse_string_array("allowed connection types", tk, lt, mv, e) else {
        return BTreeSet::new();
    };
    let mut m = BTreeSet::new();
    let mut unknown = Vec::new();
    for c in cts {
        let up = s(&c).to_uppercase();
        match up.as_str() {
            "STANDARD" | "WEBSOCKET" | "LEAFNODE" | "LEAFNODE_WS" | "MQTT" | "MQTT_WS" => {
                m.insert(up);
            }
            _ => unknown.push(up),
        }
    }
    if !unknown.is_empty() {
        let list: Vec<String> = unknown.iter().map(|u| go_quote(u.as_bytes())).collect();
        e.err(pos(tk), format!("invalid connection types [{}]", list.join(" ")));
    }
    m
}

/// parseStringArray.
pub(crate) fn parse_string_array(
    field: &str,
    tk: Tk<'_>,
    lt: &mut Lt,
    mv: &Value,
    e: &mut Errs,
) -> Result<Vec<Vec<u8>>, ()> {
    match mv {
        Value::String(s) => Ok(vec![s.clone()]),
        Value::Array(a) => {
            let mut out = Vec::new();
            for val in a.iter() {
                let (t, val) = unwrap(val, lt);
                match val {
                    Value::String(s) => out.push(s.clone()),
                    _ => e.err(
                        pos(t.or(tk)),
                        format!("error parsing {field}: unsupported type in array {}", val.go_type()),
                    ),
                }
            }
            Ok(out)
        }
        _ => {
            e.err(pos(tk), format!("error parsing {field}: unsupported type {}", mv.go_type()));
            Err(())
        }
    }
}

/// parseUserPermissions.
pub(crate) fn parse_user_permissions(mv: NodeRef<'_>, e: &mut Errs) -> Result<Option<Permissions>, ConfigError> {
    recovering(e, |lt, e| {
        let mut p = Permissions::default();
        let (tk, mv) = mv.unwrap(lt);
        let Value::Map(pm) = mv else {
            return Err(ConfigError::at(
                pos(tk),
                format!("Expected permissions to be a map/struct, got {}", mv.go_format()),
            )
            .into());
        };
        for (k, v) in pm.iter() {
            let (tk, mv) = unwrap(v, lt);
            match lower(k).as_str() {
                "pub" | "publish" | "import" => match parse_variable_permissions(tk, mv, e) {
                    Err(err) => {
                        e.push(err);
                        continue;
                    }
                    Ok(x) => p.publish = x,
                },
                "sub" | "subscribe" | "export" => match parse_variable_permissions(tk, mv, e) {
                    Err(err) => {
                        e.push(err);
                        continue;
                    }
                    Ok(x) => p.subscribe = x,
                },
                "publish_allow_responses" | "allow_responses" => {
                    if let Value::Bool(b) = mv {
                        if *b {
                            p.response = Some(DEFAULT_RESPONSE_PERMISSION);
                        }
                    } else {
                        p.response = parse_allow_responses(NodeRef::Node(v), e);
                    }
                    if p.response.is_some() {
                        let publish = p.publish.get_or_insert_with(SubjectPermission::default);
                        if publish.allow.is_none() {
                            // Turns off the blanket allow.
                            publish.allow = Some(Vec::new());
                        }
                    }
                }
                _ => {
                    if !used(tk)? {
                        e.err(pos(tk), format!("Unknown field {} parsing permissions", go_quote(k)));
                    }
                }
            }
        }
        Ok(p)
    })
    .map(|o| o)
}

/// tk.IsUsedVariable(), a nil-pointer panic for a bare value.
fn used(tk: Tk<'_>) -> R<bool> {
    match tk {
        Some(n) => Ok(n.is_used_variable()),
        None => Err(Fail::Panic(super::go::NIL_DEREF.into())),
    }
}

/// parseVariablePermissions: the allow/deny map, or the old style (subject or array).
fn parse_variable_permissions(
    tk: Tk<'_>,
    v: &Value,
    e: &mut Errs,
) -> Result<Option<SubjectPermission>, ConfigError> {
    match v {
        Value::Map(_) => parse_subject_permission(v, e),
        _ => {
            // nats-server hands the unwrapped value on: its errors carry no position.
            let _ = tk;
            let subjects = parse_perm_subjects(NodeRef::Bare(v), e)?;
            Ok(Some(SubjectPermission { allow: subjects, deny: None }))
        }
    }
}

/// parsePermSubjects: a subject or an array of subjects, validated. `Ok(None)` is Go's nil
/// slice (an empty array), which means "no restriction".
pub(crate) fn parse_perm_subjects(v: NodeRef<'_>, e: &mut Errs) -> Result<Option<Vec<Vec<u8>>>, ConfigError> {
    let r = recovering(e, |lt, _e| {
        let (tk, v) = v.unwrap(lt);
        let mut subjects: Option<Vec<Vec<u8>>> = None;
        match v {
            Value::String(s) => subjects = Some(vec![s.clone()]),
            Value::Array(a) => {
                for i in a.iter() {
                    let (tk, i) = unwrap(i, lt);
                    let Value::String(subject) = i else {
                        return Err(
                            ConfigError::at(pos(tk), "Subject in permissions array cannot be cast to string").into()
                        );
                    };
                    subjects.get_or_insert_with(Vec::new).push(subject.clone());
                }
            }
            _ => {
                return Err(ConfigError::at(
                    pos(tk),
                    format!("Expected subject permissions to be a subject, or array of subjects, got {}", v.go_type()),
                )
                .into())
            }
        }
        if let Err(msg) = check_perm_subject_array(subjects.as_deref().unwrap_or(&[])) {
            return Err(ConfigError::at(pos(tk), msg).into());
        }
        Ok(subjects)
    })?;
    Ok(r.flatten())
}

/// checkPermSubjectArray: each entry a valid subject, or `subject queue` with a valid
/// subject.
fn check_perm_subject_array(sa: &[Vec<u8>]) -> Result<(), String> {
    for sub in sa {
        if !subject::is_valid_subject(sub) {
            let fields = subject::fields(sub);
            if fields.len() != 2 {
                return Err(format!("subject {} is not a valid subject", go_quote(sub)));
            } else if !subject::is_valid_subject(fields[0]) {
                return Err(format!("subject {} is not a valid subject", go_quote(fields[0])));
            }
        }
    }
    Ok(())
}

/// parseAllowResponses.
fn parse_allow_responses(v: NodeRef<'_>, e: &mut Errs) -> Option<ResponsePermission> {
    let r = recovering(e, |lt, e| {
        let (tk, v) = v.unwrap(lt);
        let Value::Map(pm) = v else {
            e.err(pos(tk), "error parsing response permissions, expected a boolean or a map");
            return Ok(None);
        };
        let mut rp = DEFAULT_RESPONSE_PERMISSION;
        for (k, v) in pm.iter() {
            let (tk, v) = unwrap(v, lt);
            match lower(k).as_str() {
                "max" | "max_msgs" | "max_messages" | "max_responses" => {
                    // Go converts to int: 0 keeps the default, negative is unlimited.
                    let max = as_i64(v)?;
                    if max != 0 {
                        rp.max_msgs = max;
                    }
                }
                "expires" | "expiration" | "ttl" => {
                    let Value::String(wd) = v else {
                        e.err(pos(tk), "error parsing expires, not a duration string");
                        return Ok(None);
                    };
                    match parse_duration(&s(wd)) {
                        Err(err) => {
                            e.err(pos(tk), format!("error parsing expires: {err}"));
                            return Ok(None);
                        }
                        Ok(ttl) => {
                            if ttl != 0 {
                                rp.expires = ttl;
                            }
                        }
                    }
                }
                _ => {
                    if !used(tk)? {
                        e.err(pos(tk), format!("Unknown field {} parsing permissions", go_quote(k)));
                    }
                }
            }
        }
        Ok(Some(rp))
    });
    // parseAllowResponses returns no error value: a recovered panic is the nil permission.
    r.ok().flatten().flatten()
}

/// parseSubjectPermission: the `{allow, deny}` form; an empty map is no restriction.
fn parse_subject_permission(v: &Value, e: &mut Errs) -> Result<Option<SubjectPermission>, ConfigError> {
    let r = recovering(e, |lt, e| {
        let m = as_map(v)?;
        if m.is_empty() {
            return Ok(None);
        }
        let mut p = SubjectPermission::default();
        for (k, v) in m.iter() {
            let (tk, _) = unwrap(v, lt);
            match lower(k).as_str() {
                "allow" => match parse_perm_subjects(tk_node(tk, &v.value), e) {
                    Err(err) => {
                        e.push(err);
                        continue;
                    }
                    Ok(x) => p.allow = x,
                },
                "deny" => match parse_perm_subjects(tk_node(tk, &v.value), e) {
                    Err(err) => {
                        e.push(err);
                        continue;
                    }
                    Ok(x) => p.deny = x,
                },
                _ => {
                    if !used(tk)? {
                        e.err(
                            pos(tk),
                            format!(
                                "Unknown field name {} parsing subject permissions, only 'allow' or 'deny' are permitted",
                                go_quote(k)
                            ),
                        );
                    }
                }
            }
        }
        Ok(Some(p))
    })?;
    Ok(r.flatten())
}

/// parseSimpleAuth (websocket and mqtt `authorization`).
pub(crate) fn parse_simple_auth(v: &Node, e: &mut Errs) -> Option<Authorization> {
    let r = recovering(e, |lt, e| {
        let mut auth = Authorization::default();
        let (_, v) = unwrap(v, lt);
        let am = as_map(v)?;
        for (mk, mv) in am.iter() {
            let (tk, mv) = unwrap(mv, lt);
            match lower(mk).as_str() {
                "user" | "username" => auth.user = as_string(mv)?,
                "pass" | "password" => auth.pass = as_string(mv)?,
                "token" => auth.token = as_string(mv)?,
                "timeout" => auth.timeout = timeout(mv),
                _ => e.unknown(tk, mk)?,
            }
        }
        Ok(auth)
    });
    r.ok().flatten()
}

/// parseLeafAuthorization.
pub(crate) fn parse_leaf_authorization(v: &Node, e: &mut Errs) -> Option<Authorization> {
    let r = recovering(e, |lt, e| {
        let mut auth = Authorization::default();
        let (_, v) = unwrap(v, lt);
        let am = as_map(v)?;
        for (mk, mv) in am.iter() {
            let (tk, mv) = unwrap(mv, lt);
            match lower(mk).as_str() {
                "user" | "username" => auth.user = as_string(mv)?,
                "pass" | "password" => auth.pass = as_string(mv)?,
                "timeout" => auth.timeout = timeout(mv),
                "users" => match parse_leaf_users(tk_node(tk, mv), e) {
                    Err(err) => {
                        e.push(err);
                        continue;
                    }
                    Ok(u) => auth.users = u,
                },
                "account" => auth.acc = as_string(mv)?,
                _ => {
                    e.unknown(tk, mk)?;
                    continue;
                }
            }
        }
        Ok(auth)
    });
    r.ok().flatten()
}

/// parseLeafUsers.
fn parse_leaf_users(mv: NodeRef<'_>, e: &mut Errs) -> Result<Option<Vec<User>>, ConfigError> {
    let r = recovering(e, |lt, e| {
        let (tk, mv) = mv.unwrap(lt);
        let Value::Array(uv) = mv else {
            return Err(ConfigError::at(
                pos(tk),
                format!("Expected users field to be an array, got {}", mv.go_format()),
            )
            .into());
        };
        let mut users = Vec::new();
        for u in uv.iter() {
            let (tk, u) = unwrap(u, lt);
            let Value::Map(um) = u else {
                e.err(pos(tk), format!("Expected user entry to be a map/struct, got {}", u.go_format()));
                continue;
            };
            let mut user = User::default();
            for (k, v) in um.iter() {
                let (tk, v) = unwrap(v, lt);
                match lower(k).as_str() {
                    "user" | "username" => user.username = as_string(v)?,
                    "pass" | "password" => user.password = as_string(v)?,
                    "account" => user.account = Some(as_string(v)?),
                    _ => {
                        e.unknown(tk, k)?;
                        continue;
                    }
                }
            }
            users.push(user);
        }
        Ok(users)
    })?;
    Ok(r)
}
