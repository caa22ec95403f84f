//! `/v1/redis_acls`: named Redis ACL rule strings (`"+@read ~*"`) that roles grant in the
//! database. A rule string is checked by applying it to a scratch ACL user, so one that Redis
//! would refuse is a 400 with Redis' own message and never reaches a real user.

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::collections::BTreeMap;

use super::error::{parse_body, ApiError};
use super::state::{RestApi, State};
use crate::redis::acl::Acl;
use crate::resp::split_args;

/// A Redis ACL object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct RedisAclRecord {
    pub uid: u64,
    pub name: String,
    pub acl: String,
}

/// Built-in "Full Access".
pub(crate) const FULL_ACCESS: u64 = 1;
/// Built-in "Read Only".
pub(crate) const READ_ONLY: u64 = 2;
/// Built-in "Not Dangerous".
pub(crate) const NOT_DANGEROUS: u64 = 3;
/// The first uid a created Redis ACL gets.
pub(crate) const FIRST_CUSTOM_UID: u64 = 4;

/// The built-in Redis ACLs (read-only).
pub(crate) fn builtin_acls() -> BTreeMap<u64, RedisAclRecord> {
    [(FULL_ACCESS, "Full Access", "+@all ~*"), (READ_ONLY, "Read Only", "+@read ~*"), (NOT_DANGEROUS, "Not Dangerous", "+@all -@dangerous ~*")]
        .into_iter()
        .map(|(uid, name, acl)| (uid, RedisAclRecord { uid, name: name.into(), acl: acl.into() }))
        .collect()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AclBody {
    name: Option<String>,
    acl: Option<String>,
    #[allow(dead_code)]
    uid: Option<Value>,
}

fn shown(r: &RedisAclRecord) -> Value {
    json!({ "uid": r.uid, "name": r.name, "acl": r.acl })
}

/// Checks a rule string as `ACL SETUSER` would take it (on a scratch ACL), with Redis' error.
pub(crate) fn check_rules(acl: &str) -> Result<(), ApiError> {
    let rules = split_args(acl.as_bytes()).map_err(|_| ApiError::invalid_param("Unbalanced quotes in the acl"))?;
    if rules.iter().any(|r| r.eq_ignore_ascii_case(b"on") || r.eq_ignore_ascii_case(b"off") || r.starts_with(b">") || r.starts_with(b"#") || r.starts_with(b"<") || r.starts_with(b"!") || r.eq_ignore_ascii_case(b"nopass") || r.eq_ignore_ascii_case(b"resetpass") || r.eq_ignore_ascii_case(b"reset")) {
        return Err(ApiError::invalid_param("A Redis ACL grants commands, keys and channels; passwords and on/off belong to the user"));
    }
    Acl::new().setuser(b"check", &rules).map_err(|e| {
        let text = e.to_bytes();
        ApiError::invalid_param(String::from_utf8_lossy(text.strip_prefix(b"ERR ").unwrap_or(&text)).into_owned())
    })
}

fn check_name(state: &State, name: &str, uid: u64) -> Result<(), ApiError> {
    if name.is_empty() || name.len() > 256 || name.chars().any(char::is_control) {
        return Err(ApiError::invalid_param("A Redis ACL name is 1 to 256 printable characters"));
    }
    if state.redis_acls.values().any(|r| r.name == name && r.uid != uid) {
        return Err(ApiError::name_exists(name));
    }
    Ok(())
}

fn read_only(uid: u64) -> ApiError {
    ApiError::new(409, "read_only_object", format!("Redis ACL {uid} is built in and cannot be changed"))
}

/// `GET /v1/redis_acls`.
pub(crate) fn list(api: &RestApi) -> Value {
    Value::Array(api.snapshot().redis_acls.values().map(shown).collect())
}

/// `GET /v1/redis_acls/<uid>`.
pub(crate) fn get(api: &RestApi, uid: u64) -> Result<Value, ApiError> {
    api.snapshot().redis_acls.get(&uid).map(shown).ok_or_else(|| ApiError::not_found("Redis ACL", uid))
}

/// `POST /v1/redis_acls`.
pub(crate) fn create(api: &RestApi, body: &[u8]) -> Result<Value, ApiError> {
    let b: AclBody = parse_body(body)?;
    let name = b.name.ok_or_else(|| ApiError::missing_field("name"))?;
    let acl = b.acl.ok_or_else(|| ApiError::missing_field("acl"))?;
    check_rules(&acl)?;
    api.change(|state| {
        check_name(state, &name, 0)?;
        let r = RedisAclRecord { uid: state.next_redis_acl_uid, name, acl };
        state.next_redis_acl_uid += 1;
        let out = shown(&r);
        state.redis_acls.insert(r.uid, r);
        Ok(out)
    })
}

/// `PUT /v1/redis_acls/<uid>`: users whose roles grant it get the new rules at once.
pub(crate) fn update(api: &RestApi, uid: u64, body: &[u8]) -> Result<Value, ApiError> {
    let b: AclBody = parse_body(body)?;
    if let Some(a) = &b.acl {
        check_rules(a)?;
    }
    api.change(|state| {
        let mut r = state.redis_acls.get(&uid).cloned().ok_or_else(|| ApiError::not_found("Redis ACL", uid))?;
        if uid < FIRST_CUSTOM_UID {
            return Err(read_only(uid));
        }
        if let Some(n) = b.name {
            check_name(state, &n, uid)?;
            r.name = n;
        }
        if let Some(a) = b.acl {
            r.acl = a;
        }
        let out = shown(&r);
        state.redis_acls.insert(uid, r);
        Ok(out)
    })
}

/// `DELETE /v1/redis_acls/<uid>`: refused while the database grants it to a role.
pub(crate) fn delete(api: &RestApi, uid: u64) -> Result<(), ApiError> {
    api.change(|state| {
        if !state.redis_acls.contains_key(&uid) {
            return Err(ApiError::not_found("Redis ACL", uid));
        }
        if uid < FIRST_CUSTOM_UID {
            return Err(read_only(uid));
        }
        if state.roles_permissions.iter().any(|p| p.redis_acl_uid == uid) {
            return Err(ApiError::new(406, "redis_acl_in_use", format!("Redis ACL {uid} is in the database's roles_permissions")));
        }
        state.redis_acls.remove(&uid);
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_strings_are_checked_like_acl_setuser() {
        check_rules("+@read ~*").unwrap();
        check_rules("+@all -@dangerous ~* &*").unwrap();
        let e = check_rules("+@nosuch ~*").unwrap_err();
        assert_eq!((e.status, e.error_code), (400, "invalid_param"));
        assert!(e.message.contains("Unknown command or category name in ACL"), "{}", e.message);
        assert!(check_rules(">secret ~*").is_err());
        assert!(check_rules("on +@all").is_err());
        assert!(check_rules("\"+@all").is_err());
    }
}
