//! `/v1/roles` and the database's `roles_permissions` (`/v1/bdbs/1`): how Redis Software turns
//! a user's roles into Redis ACL rules.
//!
//! A role has a management level (`admin`, `cluster_member`, `cluster_viewer`, `db_member`,
//! `db_viewer`, `none`: what it may do in the REST API) and, per database, a Redis ACL
//! (`roles_permissions: [{"role_uid": R, "redis_acl_uid": A}]`: what its users may run).
//! authgate serves one database, bdb 1. Its permissions start as the built-in roles' usual
//! grants (admin and cluster_member: Full Access; db_member: Not Dangerous; cluster_viewer and
//! db_viewer: Read Only; none: nothing) and are changed with `PUT /v1/bdbs/1`.

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::collections::BTreeMap;

use super::error::{parse_body, ApiError};
use super::state::{RestApi, State};
use super::users::UserRecord;

/// A role's management level, least to most privileged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ManagementRole {
    /// No REST access.
    None,
    /// Reads database objects.
    DbViewer,
    /// Reads and changes database objects.
    DbMember,
    /// Reads everything.
    ClusterViewer,
    /// Reads everything, changes databases.
    ClusterMember,
    /// Everything, users included.
    Admin,
}

/// A role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct RoleRecord {
    pub uid: u64,
    pub name: String,
    pub management: ManagementRole,
}

/// One `roles_permissions` entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RolePermission {
    pub role_uid: u64,
    pub redis_acl_uid: u64,
}

/// The first uid a created role gets (1 to 6 are the built-in roles).
pub(crate) const FIRST_CUSTOM_UID: u64 = 7;

const BUILTIN: [(u64, &str, ManagementRole); 6] = [
    (1, "Admin", ManagementRole::Admin),
    (2, "Cluster Member", ManagementRole::ClusterMember),
    (3, "Cluster Viewer", ManagementRole::ClusterViewer),
    (4, "DB Member", ManagementRole::DbMember),
    (5, "DB Viewer", ManagementRole::DbViewer),
    (6, "None", ManagementRole::None),
];

/// The built-in roles.
pub(crate) fn builtin_roles() -> BTreeMap<u64, RoleRecord> {
    BUILTIN.iter().map(|&(uid, name, management)| (uid, RoleRecord { uid, name: name.into(), management })).collect()
}

/// The built-in role of a management level (a user's `role` when it has no `role_uids`).
pub(crate) fn builtin_uid(role: ManagementRole) -> Option<u64> {
    BUILTIN.iter().find(|b| b.2 == role).map(|b| b.0)
}

/// bdb 1's permissions at first start (see the module text).
pub(crate) fn builtin_permissions() -> Vec<RolePermission> {
    use super::redis_acls::{FULL_ACCESS, NOT_DANGEROUS, READ_ONLY};
    [(1, FULL_ACCESS), (2, FULL_ACCESS), (3, READ_ONLY), (4, NOT_DANGEROUS), (5, READ_ONLY)]
        .map(|(role_uid, redis_acl_uid)| RolePermission { role_uid, redis_acl_uid })
        .to_vec()
}

impl State {
    /// A user's management level: its `role`, or the highest of its roles' levels.
    pub fn management_role(&self, u: &UserRecord) -> ManagementRole {
        if u.role_uids.is_empty() {
            return u.role;
        }
        u.role_uids.iter().filter_map(|r| self.roles.get(r)).map(|r| r.management).max().unwrap_or(ManagementRole::None)
    }

    /// The user is an admin.
    pub fn is_admin(&self, u: &UserRecord) -> bool {
        self.management_role(u) == ManagementRole::Admin
    }

    /// How many admins there are.
    pub fn admins(&self) -> usize {
        self.users.values().filter(|u| self.is_admin(u)).count()
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RoleBody {
    name: Option<String>,
    management: Option<ManagementRole>,
    #[allow(dead_code)]
    uid: Option<Value>,
}

fn shown(r: &RoleRecord) -> Value {
    json!({ "uid": r.uid, "name": r.name, "management": r.management })
}

fn read_only(uid: u64) -> ApiError {
    ApiError::new(409, "read_only_object", format!("Role {uid} is built in and cannot be changed"))
}

/// `GET /v1/roles`.
pub(crate) fn list(api: &RestApi) -> Value {
    Value::Array(api.snapshot().roles.values().map(shown).collect())
}

/// `GET /v1/roles/<uid>`.
pub(crate) fn get(api: &RestApi, uid: u64) -> Result<Value, ApiError> {
    api.snapshot().roles.get(&uid).map(shown).ok_or_else(|| ApiError::not_found("Role", uid))
}

fn check_name(state: &State, name: &str, uid: u64) -> Result<(), ApiError> {
    if name.is_empty() || name.len() > 256 || name.chars().any(char::is_control) {
        return Err(ApiError::invalid_param("A role name is 1 to 256 printable characters"));
    }
    if state.roles.values().any(|r| r.name == name && r.uid != uid) {
        return Err(ApiError::name_exists(name));
    }
    Ok(())
}

/// `POST /v1/roles`.
pub(crate) fn create(api: &RestApi, body: &[u8]) -> Result<Value, ApiError> {
    let b: RoleBody = parse_body(body)?;
    let name = b.name.ok_or_else(|| ApiError::missing_field("name"))?;
    let management = b.management.ok_or_else(|| ApiError::missing_field("management"))?;
    api.change(|state| {
        check_name(state, &name, 0)?;
        let r = RoleRecord { uid: state.next_role_uid, name, management };
        state.next_role_uid += 1;
        let out = shown(&r);
        state.roles.insert(r.uid, r);
        Ok(out)
    })
}

/// `PUT /v1/roles/<uid>`.
pub(crate) fn update(api: &RestApi, uid: u64, body: &[u8]) -> Result<Value, ApiError> {
    let b: RoleBody = parse_body(body)?;
    api.change(|state| {
        let mut r = state.roles.get(&uid).cloned().ok_or_else(|| ApiError::not_found("Role", uid))?;
        if uid < FIRST_CUSTOM_UID {
            return Err(read_only(uid));
        }
        let admins = state.admins();
        if let Some(n) = b.name {
            check_name(state, &n, uid)?;
            r.name = n;
        }
        if let Some(m) = b.management {
            r.management = m;
        }
        let out = shown(&r);
        state.roles.insert(uid, r);
        if admins > 0 && state.admins() == 0 {
            return Err(ApiError::new(406, "change_last_admin_role_not_allowed", "At least one user with admin role should exist"));
        }
        Ok(out)
    })
}

/// `DELETE /v1/roles/<uid>`: refused while a user holds it.
pub(crate) fn delete(api: &RestApi, uid: u64) -> Result<(), ApiError> {
    api.change(|state| {
        if !state.roles.contains_key(&uid) {
            return Err(ApiError::not_found("Role", uid));
        }
        if uid < FIRST_CUSTOM_UID {
            return Err(read_only(uid));
        }
        if let Some(u) = state.users.values().find(|u| u.role_uids.contains(&uid)) {
            return Err(ApiError::new(406, "role_in_use", format!("Role {uid} is held by user {}", u.uid)));
        }
        state.roles.remove(&uid);
        state.roles_permissions.retain(|p| p.role_uid != uid);
        Ok(())
    })
}

/// The one database authgate serves.
pub(crate) const BDB_UID: u64 = 1;

fn bdb(state: &State) -> Value {
    json!({ "uid": BDB_UID, "name": "authgate", "roles_permissions": state.roles_permissions })
}

/// `GET /v1/bdbs`.
pub(crate) fn list_bdbs(api: &RestApi) -> Value {
    json!([bdb(&api.snapshot())])
}

/// `GET /v1/bdbs/1`.
pub(crate) fn get_bdb(api: &RestApi, uid: u64) -> Result<Value, ApiError> {
    if uid != BDB_UID {
        return Err(ApiError::not_found("Database", uid));
    }
    Ok(bdb(&api.snapshot()))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BdbBody {
    roles_permissions: Option<Vec<RolePermission>>,
    #[allow(dead_code)]
    uid: Option<Value>,
    #[allow(dead_code)]
    name: Option<Value>,
}

/// `PUT /v1/bdbs/1`: its `roles_permissions` (each role at most once, naming roles and Redis
/// ACLs that exist). Every user's ACL rules follow at once.
pub(crate) fn update_bdb(api: &RestApi, uid: u64, body: &[u8]) -> Result<Value, ApiError> {
    if uid != BDB_UID {
        return Err(ApiError::not_found("Database", uid));
    }
    let b: BdbBody = parse_body(body)?;
    api.change(|state| {
        if let Some(perms) = b.roles_permissions {
            for (i, p) in perms.iter().enumerate() {
                if !state.roles.contains_key(&p.role_uid) {
                    return Err(ApiError::invalid_param(format!("Role {} does not exist", p.role_uid)));
                }
                if !state.redis_acls.contains_key(&p.redis_acl_uid) {
                    return Err(ApiError::invalid_param(format!("Redis ACL {} does not exist", p.redis_acl_uid)));
                }
                if perms[..i].iter().any(|q| q.role_uid == p.role_uid) {
                    return Err(ApiError::invalid_param(format!("Role {} is given twice", p.role_uid)));
                }
            }
            state.roles_permissions = perms;
        }
        Ok(bdb(state))
    })
}
