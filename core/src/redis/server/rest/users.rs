//! `/v1/users`: Redis Software's user objects, each one an ACL user of the same name.
//!
//! A user with `auth_method` `regular` (the default) logs in with its password: to the REST API
//! by HTTP basic auth (bcrypt here) and to the database by AUTH (the ACL user holds the
//! password's SHA-256, as Redis does). A `certificate` user has no password at all: its ACL
//! user is created with `resetpass`, and its `certificate_subject_line` is what a client
//! certificate's RFC 2253 subject must equal. Its permissions come from its roles (see
//! [`super::roles`]).

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::auth::Caller;
use super::error::{parse_body, ApiError};
use super::roles::ManagementRole;
use super::state::{subject_line, RestApi, State};
use crate::credentials::{hash_password, BCRYPT_MAX_PASSWORD_BYTES};
use crate::tls::{dn_string, SubjectLine};

/// `auth_method`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuthMethod {
    /// A password.
    #[default]
    Regular,
    /// A client certificate whose subject is the user's `certificate_subject_line`.
    Certificate,
}

/// A stored user: its public fields and its password hashes (never shown).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct UserRecord {
    pub uid: u64,
    /// The ACL user name.
    pub name: String,
    pub email: String,
    pub email_alerts: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bdbs_email_alerts: Option<Vec<Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster_email_alerts: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_id: Option<u64>,
    pub role: ManagementRole,
    #[serde(default)]
    pub role_uids: Vec<u64>,
    pub auth_method: AuthMethod,
    /// The line as given (it may have spaces after the commas, see [`subject_line`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate_subject_line: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_issue_date: Option<String>,
    /// bcrypt of the password, for REST basic auth.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_bcrypt: Option<String>,
    /// SHA-256 (hex) of the password, the ACL user's `#hash`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_sha256: Option<String>,
}

impl UserRecord {
    /// The validated subject line of a certificate user.
    pub fn subject_line(&self) -> Option<SubjectLine> {
        subject_line(self.certificate_subject_line.as_deref()?).ok()
    }

    /// The object the API shows (no password, no hashes).
    pub fn to_json(&self) -> Value {
        let mut v = json!({
            "uid": self.uid,
            "name": self.name,
            "email": self.email,
            "email_alerts": self.email_alerts,
            "role": self.role,
            "auth_method": self.auth_method,
            "status": "active",
        });
        let o = v.as_object_mut().expect("an object");
        if !self.role_uids.is_empty() {
            o.insert("role_uids".into(), json!(self.role_uids));
        }
        if let Some(x) = &self.bdbs_email_alerts {
            o.insert("bdbs_email_alerts".into(), json!(x));
        }
        if let Some(x) = self.cluster_email_alerts {
            o.insert("cluster_email_alerts".into(), json!(x));
        }
        if let Some(x) = self.account_id {
            o.insert("account_id".into(), json!(x));
        }
        if let Some(x) = &self.certificate_subject_line {
            o.insert("certificate_subject_line".into(), json!(x));
        }
        if let Some(x) = &self.password_issue_date {
            o.insert("password_issue_date".into(), json!(x));
        }
        v
    }
}

/// A POST or PUT body: every field optional (defaults apply on POST, PUT changes only what it
/// names). The read-only fields a GET returns are accepted and ignored, so a fetched object
/// can be sent back.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct UserBody {
    name: Option<String>,
    email: Option<String>,
    password: Option<String>,
    password_hash_method: Option<Value>,
    email_alerts: Option<bool>,
    bdbs_email_alerts: Option<Vec<Value>>,
    cluster_email_alerts: Option<bool>,
    account_id: Option<u64>,
    role: Option<ManagementRole>,
    role_uids: Option<Vec<u64>>,
    auth_method: Option<AuthMethod>,
    certificate_subject_line: Option<String>,
    // Read-only, ignored.
    #[allow(dead_code)]
    uid: Option<Value>,
    #[allow(dead_code)]
    status: Option<Value>,
    #[allow(dead_code)]
    password_issue_date: Option<Value>,
    #[allow(dead_code)]
    action_uid: Option<Value>,
}

/// A user name as Redis Software allows it (ASCII, none of `& < > "`) and as an ACL user name
/// can be (no spaces or control characters, not `default`).
pub fn validate_name(name: &str) -> Result<(), ApiError> {
    if name.is_empty() {
        return Err(ApiError::invalid_param("The user name must not be empty"));
    }
    if name.len() > 256 {
        return Err(ApiError::invalid_param("The user name is longer than 256 characters"));
    }
    if let Some(c) = name.chars().find(|c| !c.is_ascii_graphic() || matches!(c, '&' | '<' | '>' | '"')) {
        return Err(ApiError::invalid_param(format!(
            "The user name '{name}' contains '{}': names are ASCII without spaces or any of &<>\"",
            c.escape_default()
        )));
    }
    if name == "default" {
        return Err(ApiError::name_exists(name));
    }
    Ok(())
}

fn validate_email(email: &str) -> Result<(), ApiError> {
    if email.len() > 256 || !email.chars().all(|c| c.is_ascii_graphic()) || (!email.is_empty() && !email.contains('@')) {
        return Err(ApiError::invalid_param(format!("'{email}' is not an email address (ASCII, with an '@')")));
    }
    Ok(())
}

/// The password's hashes: bcrypt (REST logins) and SHA-256 hex (the ACL user), with the time
/// it was set. bcrypt runs here: the caller is on a blocking thread, never the event loop.
pub(crate) fn hash(password: &str, cost: u32) -> Result<(String, String, String), ApiError> {
    if password.is_empty() {
        return Err(ApiError::invalid_param("The password must not be empty"));
    }
    if password.len() > BCRYPT_MAX_PASSWORD_BYTES {
        return Err(ApiError::invalid_param(format!("The password is longer than {BCRYPT_MAX_PASSWORD_BYTES} bytes")));
    }
    let bcrypt = hash_password(password.as_bytes(), cost).map_err(|e| ApiError::invalid_param(e.to_string()))?;
    let sha: String = Sha256::digest(password.as_bytes()).iter().map(|b| format!("{b:02x}")).collect();
    Ok((bcrypt, sha, super::time::now_rfc3339()))
}

fn check_role_uids(state: &State, uids: &[u64]) -> Result<(), ApiError> {
    match uids.iter().find(|u| !state.roles.contains_key(u)) {
        Some(u) => Err(ApiError::invalid_param(format!("Role {u} does not exist"))),
        None => Ok(()),
    }
}

/// Refuses a record that clashes with another user (`uid` is the record's own): a name or
/// email taken, an ACL user of that name made outside the REST API, or a subject line
/// another certificate user has.
fn check_unique(api: &RestApi, state: &State, record: &UserRecord) -> Result<(), ApiError> {
    for other in state.users.values().filter(|o| o.uid != record.uid) {
        if other.name == record.name {
            return Err(ApiError::name_exists(&record.name));
        }
        if !record.email.is_empty() && other.email == record.email {
            return Err(ApiError::new(409, "email_already_exists", format!("The email '{}' is already taken", record.email)));
        }
        if record.auth_method == AuthMethod::Certificate
            && other.auth_method == AuthMethod::Certificate
            && other.subject_line() == record.subject_line()
        {
            return Err(ApiError::new(
                409,
                "subject_line_already_exists",
                format!("User '{}' already has this certificate_subject_line", other.name),
            ));
        }
    }
    let renamed = state.users.get(&record.uid).map_or(true, |old| old.name != record.name);
    if renamed && api.acl.user(record.name.as_bytes()).is_some() {
        return Err(ApiError::name_exists(&record.name));
    }
    Ok(())
}

/// `GET /v1/users`.
pub(crate) fn list(api: &RestApi) -> Value {
    Value::Array(api.snapshot().users.values().map(UserRecord::to_json).collect())
}

/// `GET /v1/users/<uid>`: an admin's, or the caller's own.
pub(crate) fn get(api: &RestApi, caller: &Caller, uid: u64) -> Result<Value, ApiError> {
    caller.require_admin_or_self(uid)?;
    api.snapshot().users.get(&uid).map(UserRecord::to_json).ok_or_else(|| ApiError::not_found("User", uid))
}

/// `POST /v1/users`.
pub(crate) fn create(api: &RestApi, body: &[u8]) -> Result<Value, ApiError> {
    let b: UserBody = parse_body(body)?;
    refuse_prehashed(&b)?;
    let auth_method = b.auth_method.unwrap_or_default();
    let line = match (auth_method, &b.certificate_subject_line, &b.password) {
        (AuthMethod::Regular, Some(_), _) => {
            return Err(ApiError::invalid_param("certificate_subject_line is for users with auth_method 'certificate'"))
        }
        (AuthMethod::Regular, None, None) => return Err(ApiError::missing_field("password")),
        (AuthMethod::Regular, None, Some(_)) => None,
        (AuthMethod::Certificate, None, _) => return Err(ApiError::missing_field("certificate_subject_line")),
        (AuthMethod::Certificate, Some(_), Some(_)) => {
            return Err(ApiError::invalid_param("A user with auth_method 'certificate' has no password"))
        }
        (AuthMethod::Certificate, Some(l), None) => Some((l.clone(), subject_line(l)?)),
    };
    let email = b.email.clone().unwrap_or_default();
    validate_email(&email)?;
    // A certificate user without a name is named by its subject's common name; a regular
    // user by its email.
    let name = match (&b.name, &line) {
        (Some(n), _) => n.clone(),
        (None, Some((_, l))) => dn_string::parse(l.as_str()).ok().and_then(|dn| dn.common_names().into_iter().next()).ok_or_else(|| ApiError::missing_field("name"))?,
        (None, None) if !email.is_empty() => email.clone(),
        (None, None) => return Err(ApiError::missing_field("email")),
    };
    validate_name(&name)?;
    let hashes = b.password.as_deref().map(|p| hash(p, api.bcrypt_cost)).transpose()?;
    api.change(|state| {
        if let Some(uids) = &b.role_uids {
            check_role_uids(state, uids)?;
        }
        let (password_bcrypt, password_sha256, password_issue_date) = match hashes {
            Some((b, s, d)) => (Some(b), Some(s), Some(d)),
            None => (None, None, None),
        };
        let record = UserRecord {
            uid: state.next_user_uid,
            name,
            email,
            email_alerts: b.email_alerts.unwrap_or(true),
            bdbs_email_alerts: b.bdbs_email_alerts,
            cluster_email_alerts: b.cluster_email_alerts,
            account_id: b.account_id,
            role: b.role.unwrap_or(ManagementRole::DbViewer),
            role_uids: b.role_uids.unwrap_or_default(),
            auth_method,
            certificate_subject_line: line.map(|(given, _)| given),
            password_issue_date,
            password_bcrypt,
            password_sha256,
        };
        check_unique(api, state, &record)?;
        state.next_user_uid += 1;
        let shown = record.to_json();
        state.users.insert(record.uid, record);
        Ok(shown)
    })
}

fn refuse_prehashed(b: &UserBody) -> Result<(), ApiError> {
    match b.password_hash_method {
        Some(_) => Err(ApiError::invalid_param("password_hash_method is not supported: send the password itself")),
        None => Ok(()),
    }
}

/// `PUT /v1/users/<uid>`: an admin changes anything; a user changes its own name, password
/// and alert settings.
pub(crate) fn update(api: &RestApi, caller: &Caller, uid: u64, body: &[u8]) -> Result<Value, ApiError> {
    let b: UserBody = parse_body(body)?;
    refuse_prehashed(&b)?;
    caller.require_admin_or_self(uid)?;
    if !caller.is_admin() {
        let admin_only = b.email.is_some()
            || b.role.is_some()
            || b.role_uids.is_some()
            || b.auth_method.is_some()
            || b.certificate_subject_line.is_some()
            || b.account_id.is_some();
        if admin_only {
            return Err(ApiError::forbidden("A user may change only its own name, password and alert settings"));
        }
    }
    if let Some(n) = &b.name {
        validate_name(n)?;
    }
    if let Some(e) = &b.email {
        validate_email(e)?;
    }
    let line = b.certificate_subject_line.as_deref().map(subject_line).transpose()?;
    let hashes = b.password.as_deref().map(|p| hash(p, api.bcrypt_cost)).transpose()?;
    api.change(|state| {
        let mut r = state.users.get(&uid).cloned().ok_or_else(|| ApiError::not_found("User", uid))?;
        let was_admin = state.is_admin(&r);
        if let Some(uids) = &b.role_uids {
            check_role_uids(state, uids)?;
            r.role_uids = uids.clone();
        }
        if let Some(x) = b.name.clone() {
            r.name = x;
        }
        if let Some(x) = b.email.clone() {
            r.email = x;
        }
        if let Some(x) = b.email_alerts {
            r.email_alerts = x;
        }
        if let Some(x) = b.bdbs_email_alerts.clone() {
            r.bdbs_email_alerts = Some(x);
        }
        if let Some(x) = b.cluster_email_alerts {
            r.cluster_email_alerts = Some(x);
        }
        if let Some(x) = b.account_id {
            r.account_id = Some(x);
        }
        if let Some(x) = b.role {
            r.role = x;
        }
        r.auth_method = b.auth_method.unwrap_or(r.auth_method);
        match r.auth_method {
            AuthMethod::Certificate => {
                if hashes.is_some() {
                    return Err(ApiError::invalid_param("A user with auth_method 'certificate' has no password"));
                }
                if line.is_some() {
                    r.certificate_subject_line = b.certificate_subject_line.clone();
                }
                if r.certificate_subject_line.is_none() {
                    return Err(ApiError::missing_field("certificate_subject_line"));
                }
                // Certificate-only from now on: no password reaches it.
                r.password_bcrypt = None;
                r.password_sha256 = None;
                r.password_issue_date = None;
            }
            AuthMethod::Regular => {
                if line.is_some() {
                    return Err(ApiError::invalid_param("certificate_subject_line is for users with auth_method 'certificate'"));
                }
                r.certificate_subject_line = None;
                if let Some((bc, sha, date)) = hashes.clone() {
                    r.password_bcrypt = Some(bc);
                    r.password_sha256 = Some(sha);
                    r.password_issue_date = Some(date);
                }
                if r.password_sha256.is_none() {
                    return Err(ApiError::missing_field("password"));
                }
            }
        }
        check_unique(api, state, &r)?;
        if was_admin && !state.is_admin(&r) && state.admins() == 1 {
            return Err(ApiError::new(406, "change_last_admin_role_not_allowed", "At least one user with admin role should exist"));
        }
        let shown = r.to_json();
        state.users.insert(uid, r);
        Ok(shown)
    })
}

/// `DELETE /v1/users/<uid>`: the user and its ACL user go, and its connections close.
pub(crate) fn delete(api: &RestApi, uid: u64) -> Result<(), ApiError> {
    api.change(|state| {
        let r = state.users.get(&uid).ok_or_else(|| ApiError::not_found("User", uid))?;
        if state.is_admin(r) && state.admins() == 1 {
            return Err(ApiError::new(406, "delete_last_admin_not_allowed", "At least one user with admin role should exist"));
        }
        state.users.remove(&uid);
        Ok(())
    })
}

/// Makes the configured first admin exist with this password (created as user `name`, or
/// its password and admin role set again): how a new deployment gets its first REST login.
pub(crate) fn ensure_admin(api: &RestApi, name: &str, password: &str) -> Result<(), ApiError> {
    validate_name(name)?;
    let (bc, sha, date) = hash(password, api.bcrypt_cost)?;
    api.change(|state| {
        let existing = state.user_named(name).map(|u| u.uid);
        let uid = existing.unwrap_or(state.next_user_uid);
        let mut r = match existing.and_then(|uid| state.users.get(&uid).cloned()) {
            Some(r) => r,
            None => {
                state.next_user_uid += 1;
                UserRecord {
                    uid,
                    name: name.to_string(),
                    email: if name.contains('@') { name.to_string() } else { String::new() },
                    email_alerts: true,
                    bdbs_email_alerts: None,
                    cluster_email_alerts: None,
                    account_id: None,
                    role: ManagementRole::Admin,
                    role_uids: Vec::new(),
                    auth_method: AuthMethod::Regular,
                    certificate_subject_line: None,
                    password_issue_date: None,
                    password_bcrypt: None,
                    password_sha256: None,
                }
            }
        };
        if r.password_bcrypt.as_deref().is_some_and(|h| crate::credentials::verify_password(password.as_bytes(), h))
            && r.role == ManagementRole::Admin
            && r.role_uids.is_empty()
            && r.auth_method == AuthMethod::Regular
        {
            return Ok(());
        }
        r.role = ManagementRole::Admin;
        r.role_uids.clear();
        r.auth_method = AuthMethod::Regular;
        r.certificate_subject_line = None;
        r.password_bcrypt = Some(bc);
        r.password_sha256 = Some(sha);
        r.password_issue_date = Some(date);
        if existing.is_none() {
            check_unique(api, state, &r)?;
        }
        state.users.insert(uid, r);
        Ok(())
    })
}
