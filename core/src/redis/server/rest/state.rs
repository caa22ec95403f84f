//! [`RestApi`]: the REST objects (users, roles, Redis ACLs, the database's role permissions,
//! cluster mTLS settings, cluster certificates), how a change is made (validated on a copy,
//! saved, applied to the ACL users, then kept), and the file in `dir` they survive restarts in.

use std::collections::BTreeMap;
use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use parking_lot::Mutex;
use serde::{Deserialize, Serialize};

use super::cluster::{Certificates, ClusterSettings};
use super::error::ApiError;
use super::redis_acls::{self, RedisAclRecord};
use super::roles::{self, RolePermission, RoleRecord};
use super::users::{AuthMethod, UserRecord};
use crate::credentials::hash_password;
use crate::redis::acl::Acl;
use crate::redis::server::tls::CertificateUsers;
use crate::resp::split_args;
use crate::tls::{CertUserMap, ClientCert, SubjectLine, TlsAuthClientsUser};

/// The file the REST objects are kept in, inside `dir`.
pub const STATE_FILE: &str = "authgate-rest.json";

/// The largest state file read back (every object is small; this bounds a corrupt file).
const MAX_STATE_BYTES: u64 = 64 * 1024 * 1024;

/// Every REST object; what [`STATE_FILE`] holds (password hashes included, plaintext never).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct State {
    pub users: BTreeMap<u64, UserRecord>,
    pub roles: BTreeMap<u64, RoleRecord>,
    pub redis_acls: BTreeMap<u64, RedisAclRecord>,
    /// The database's `roles_permissions` (authgate serves one database, bdb 1).
    pub roles_permissions: Vec<RolePermission>,
    pub cluster: ClusterSettings,
    pub certificates: Certificates,
    pub next_user_uid: u64,
    pub next_role_uid: u64,
    pub next_redis_acl_uid: u64,
}

impl Default for State {
    fn default() -> State {
        State {
            users: BTreeMap::new(),
            roles: roles::builtin_roles(),
            redis_acls: redis_acls::builtin_acls(),
            roles_permissions: roles::builtin_permissions(),
            cluster: ClusterSettings::default(),
            certificates: Certificates::default(),
            next_user_uid: 1,
            next_role_uid: roles::FIRST_CUSTOM_UID,
            next_redis_acl_uid: redis_acls::FIRST_CUSTOM_UID,
        }
    }
}

impl State {
    /// The REST user with this ACL user name.
    pub fn user_named(&self, name: &str) -> Option<&UserRecord> {
        self.users.values().find(|u| u.name == name)
    }

    /// The ACL rules of `user`: its roles' Redis ACLs in this database, the first as the root
    /// selector and each further one as a `(...)` selector, so the user may run what any of
    /// them allows (Redis Software grants the union of a user's roles).
    pub fn acl_rules(&self, user: &UserRecord) -> Vec<Vec<u8>> {
        let mut rules: Vec<Vec<u8>> = vec![b"reset".to_vec(), b"on".to_vec()];
        if user.auth_method == AuthMethod::Regular {
            if let Some(hash) = &user.password_sha256 {
                rules.push(format!("#{hash}").into_bytes());
            }
        }
        let mut acls: Vec<&str> = Vec::new();
        for role_uid in self.user_role_uids(user) {
            for p in self.roles_permissions.iter().filter(|p| p.role_uid == role_uid) {
                if let Some(acl) = self.redis_acls.get(&p.redis_acl_uid) {
                    if !acls.contains(&acl.acl.as_str()) {
                        acls.push(&acl.acl);
                    }
                }
            }
        }
        for (i, acl) in acls.iter().enumerate() {
            let parts = split_args(acl.as_bytes()).unwrap_or_default();
            if i == 0 {
                rules.extend(parts);
            } else {
                rules.push(format!("({})", parts.iter().map(|p| String::from_utf8_lossy(p)).collect::<Vec<_>>().join(" ")).into_bytes());
            }
        }
        rules
    }

    /// The role uids a user holds: `role_uids`, or the built-in role of its `role`.
    pub fn user_role_uids(&self, user: &UserRecord) -> Vec<u64> {
        if !user.role_uids.is_empty() {
            return user.role_uids.clone();
        }
        roles::builtin_uid(user.role).into_iter().collect()
    }

    /// The certificate users as a map from subject line to user, for REST logins.
    pub fn certificate_users(&self) -> CertUserMap {
        let mut map = CertUserMap::new(TlsAuthClientsUser::Off);
        for u in self.users.values() {
            if let (AuthMethod::Certificate, Some(line)) = (u.auth_method, u.subject_line()) {
                map.set_user(&u.name, line);
            }
        }
        map
    }
}

/// Hears the `mtls_trusted_ca` bundle (`None`: there is none) at start and after each change.
pub(crate) type TrustedCaHook = Box<dyn Fn(Option<&[ClientCert]>) + Send + Sync>;

/// The REST API's objects and what they act on: the shared ACL users, and the file in `dir`.
pub(crate) struct RestApi {
    pub acl: Arc<Acl>,
    state: Mutex<State>,
    /// Serializes changes (validate, save, apply) so two saves never interleave.
    change: Mutex<()>,
    file: Option<PathBuf>,
    /// bcrypt cost of REST passwords.
    pub bcrypt_cost: u32,
    /// A bcrypt hash of a random password at that cost: what a basic-auth login naming no
    /// user is checked against, so its reply takes as long as a wrong password's.
    pub dummy_hash: String,
    /// Called with the trusted CA bundle after each change of `mtls_trusted_ca`.
    on_trusted_ca: TrustedCaHook,
    /// The server's certificate users (what the TLS listener logs in at handshake).
    certificate_logins: CertificateUsers,
}

impl RestApi {
    /// Loads the objects from `dir` (if set and the file exists) and applies every REST user
    /// to `acl`. `on_trusted_ca` hears the `mtls_trusted_ca` bundle now and after each change.
    pub fn open(
        acl: Arc<Acl>,
        certificate_logins: CertificateUsers,
        dir: Option<&Path>,
        bcrypt_cost: u32,
        on_trusted_ca: TrustedCaHook,
    ) -> Result<RestApi, String> {
        let file = dir.map(|d| d.join(STATE_FILE));
        let state = match &file {
            Some(f) => read_state(f)?,
            None => State::default(),
        };
        let mut random = [0u8; 16];
        getrandom::getrandom(&mut random).map_err(|e| format!("No random source: {e}"))?;
        let random: String = random.iter().map(|b| format!("{b:02x}")).collect();
        let dummy_hash = hash_password(random.as_bytes(), bcrypt_cost).map_err(|e| e.to_string())?;
        let api = RestApi { acl, state: Mutex::new(state), change: Mutex::new(()), file, bcrypt_cost, dummy_hash, on_trusted_ca, certificate_logins };
        let snapshot = api.snapshot();
        for u in snapshot.users.values() {
            api.acl
                .setuser(u.name.as_bytes(), &snapshot.acl_rules(u))
                .map_err(|e| format!("REST user '{}': {}", u.name, String::from_utf8_lossy(&e.to_bytes())))?;
            if let Some(line) = u.subject_line() {
                api.certificate_logins
                    .set(&u.name, line.as_str())
                    .map_err(|e| format!("REST user '{}': {}", u.name, e.message()))?;
            }
        }
        (api.on_trusted_ca)(snapshot.certificates.trusted_ca().as_deref());
        Ok(api)
    }

    /// A copy of the objects as they are now.
    pub fn snapshot(&self) -> State {
        self.state.lock().clone()
    }

    /// Makes a change: `edit` works on a copy and returns the reply; then the copy is saved,
    /// every REST user's ACL user is brought in line with it (users that are gone are deleted,
    /// which disconnects their clients), and the copy becomes the state. An error from `edit`
    /// or from saving changes nothing.
    pub fn change<T>(&self, edit: impl FnOnce(&mut State) -> Result<T, ApiError>) -> Result<T, ApiError> {
        let _serial = self.change.lock();
        let before = self.snapshot();
        let mut next = before.clone();
        let reply = edit(&mut next)?;
        if let Some(f) = &self.file {
            write_state(f, &next).map_err(|e| ApiError::storage(format!("Cannot save {}: {e}", f.display())))?;
        }
        self.apply(&before, &next);
        let ca_changed = before.certificates.trusted_ca_pem() != next.certificates.trusted_ca_pem();
        *self.state.lock() = next;
        if ca_changed {
            let state = self.snapshot();
            (self.on_trusted_ca)(state.certificates.trusted_ca().as_deref());
        }
        Ok(reply)
    }

    /// Brings the ACL users from `before` to `next`: removed or renamed users are deleted
    /// (their connections close), the others set to their rules.
    fn apply(&self, before: &State, next: &State) {
        let gone: Vec<&[u8]> = before
            .users
            .values()
            .filter(|u| next.users.get(&u.uid).map_or(true, |n| n.name != u.name))
            .map(|u| u.name.as_bytes())
            .collect();
        if !gone.is_empty() {
            let _ = self.acl.deluser(&gone);
        }
        for u in next.users.values() {
            let rules = next.acl_rules(u);
            let old = before.users.get(&u.uid);
            let changed = old.map_or(true, |b| b.name != u.name || before.acl_rules(b) != rules);
            if changed {
                // Rules were checked when their Redis ACL was stored, so this cannot fail on
                // them; a failure is logged and leaves the ACL user as it was.
                if let Err(e) = self.acl.setuser(u.name.as_bytes(), &rules) {
                    tracing::warn!("REST user '{}': {}", u.name, String::from_utf8_lossy(&e.to_bytes()));
                }
            }
            let line = u.subject_line();
            if old.map_or(true, |b| b.name != u.name || b.subject_line() != line) {
                let synced = match &line {
                    Some(line) => self.certificate_logins.set(&u.name, line.as_str()),
                    // No longer a certificate user: its certificate sessions close.
                    None => self.certificate_logins.remove(&u.name).map(|_| ()),
                };
                if let Err(e) = synced {
                    tracing::warn!("REST user '{}': {}", u.name, e.message());
                }
            }
        }
        for u in before.users.values().filter(|u| u.subject_line().is_some()) {
            if next.users.get(&u.uid).map_or(true, |n| n.name != u.name) {
                if let Err(e) = self.certificate_logins.remove(&u.name) {
                    tracing::warn!("REST user '{}': {}", u.name, e.message());
                }
            }
        }
    }

    /// The certificate user `cert` logs in to the REST API as, if any.
    pub fn certificate_user(&self, cert: &ClientCert) -> Option<UserRecord> {
        let state = self.state.lock();
        let name = state.certificate_users().map(cert, |_| true).user().map(|u| String::from_utf8_lossy(u).into_owned())?;
        state.user_named(&name).cloned()
    }
}

/// Validates a certificate subject line for a certificate user. Lines written with a space
/// after each comma (as older Redis Software pages print the example) are accepted and
/// compared without those spaces; any other difference from the certificate's RFC 2253
/// form (another attribute order, other spellings) is refused with the form to write.
pub(crate) fn subject_line(line: &str) -> Result<SubjectLine, ApiError> {
    let invalid = |e: crate::tls::CertError| ApiError::invalid_param(e.to_string());
    match SubjectLine::parse(line) {
        Ok(l) => Ok(l),
        Err(e) => {
            let compact = without_separator_spaces(line);
            if compact != line {
                if let Ok(l) = SubjectLine::parse(&compact) {
                    return Ok(l);
                }
            }
            Err(invalid(e))
        }
    }
}

/// `line` without the spaces that follow an unescaped `,` or `+` separator.
fn without_separator_spaces(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let (mut escaped, mut after_separator) = (false, false);
    for ch in line.chars() {
        if after_separator && ch == ' ' {
            continue;
        }
        after_separator = false;
        out.push(ch);
        if escaped {
            escaped = false;
        } else if ch == '\\' {
            escaped = true;
        } else if ch == ',' || ch == '+' {
            after_separator = true;
        }
    }
    out
}

fn read_state(path: &Path) -> Result<State, String> {
    let file = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(State::default()),
        Err(e) => return Err(format!("Cannot open {}: {e}", path.display())),
    };
    let mut text = Vec::new();
    file.take(MAX_STATE_BYTES + 1).read_to_end(&mut text).map_err(|e| format!("Cannot read {}: {e}", path.display()))?;
    if text.len() as u64 > MAX_STATE_BYTES {
        return Err(format!("Refusing to read {}: larger than {MAX_STATE_BYTES} bytes", path.display()));
    }
    let state: State = serde_json::from_slice(&text).map_err(|e| format!("Cannot parse {}: {e}", path.display()))?;
    for u in state.users.values() {
        if u.auth_method == AuthMethod::Certificate && u.subject_line().is_none() {
            return Err(format!("Cannot load {}: certificate user '{}' has no valid subject line", path.display(), u.name));
        }
    }
    Ok(state)
}

/// Writes `state` to `path` atomically (a 0600 temporary file in the same directory, synced,
/// renamed over the old one, the directory synced).
fn write_state(path: &Path, state: &State) -> std::io::Result<()> {
    let mut text = serde_json::to_vec_pretty(state).map_err(std::io::Error::other)?;
    text.push(b'\n');
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let mut nonce = [0u8; 8];
    getrandom::getrandom(&mut nonce).map_err(|e| std::io::Error::other(e.to_string()))?;
    let tmp = dir.join(format!(".{STATE_FILE}.{:016x}.tmp", u64::from_ne_bytes(nonce)));
    let result = (|| {
        let mut f = OpenOptions::new().write(true).create_new(true).mode(0o600).open(&tmp)?;
        f.write_all(&text)?;
        f.sync_all()?;
        fs::rename(&tmp, path)?;
        File::open(&dir)?.sync_all()
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subject_lines_with_spaces_after_commas() {
        let l = subject_line("CN=alice, OU=Platform, O=Acme Corp, C=US").unwrap();
        assert_eq!(l.as_str(), "CN=alice,OU=Platform,O=Acme Corp,C=US");
        assert_eq!(subject_line("CN=Doe\\, John,C=US").unwrap().as_str(), "CN=Doe\\, John,C=US");
        assert_eq!(without_separator_spaces("CN=a\\, b, O=x + y"), "CN=a\\, b,O=x +y");
        let e = subject_line("cn=abc").unwrap_err();
        assert_eq!((e.status, e.error_code), (400, "invalid_param"));
        assert!(subject_line("").is_err());
    }

    #[test]
    fn state_file_round_trip_is_0600() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(STATE_FILE);
        let state = State { next_user_uid: 7, ..State::default() };
        write_state(&path, &state).unwrap();
        assert_eq!(fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        assert_eq!(read_state(&path).unwrap().next_user_uid, 7);
        fs::write(&path, b"{not json").unwrap();
        assert!(read_state(&path).unwrap_err().starts_with("Cannot parse"));
    }
}
