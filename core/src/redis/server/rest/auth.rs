//! Who is calling: a client certificate (when `mtls_certificate_authentication` is on) or HTTP
//! basic auth with a regular user's email or name and password. Runs on a blocking thread
//! (bcrypt).

use base64::Engine;

use super::error::ApiError;
use super::roles::ManagementRole;
use super::state::RestApi;
use super::users::AuthMethod;
use crate::credentials::verify_password;
use crate::tls::ClientCert;

/// The authenticated caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Caller {
    /// Its user uid.
    pub uid: u64,
    /// Its management level.
    pub role: ManagementRole,
}

impl Caller {
    /// An admin.
    pub fn is_admin(&self) -> bool {
        self.role == ManagementRole::Admin
    }

    /// 403 unless an admin.
    pub fn require_admin(&self) -> Result<(), ApiError> {
        if self.is_admin() {
            Ok(())
        } else {
            Err(ApiError::forbidden("This operation needs the admin role"))
        }
    }

    /// 403 unless an admin or the user `uid` itself.
    pub fn require_admin_or_self(&self, uid: u64) -> Result<(), ApiError> {
        if self.is_admin() || self.uid == uid {
            Ok(())
        } else {
            Err(ApiError::forbidden("This operation needs the admin role"))
        }
    }

    /// 403 for role `none` (every other role reads cluster, role and Redis ACL objects).
    pub fn require_viewer(&self) -> Result<(), ApiError> {
        if self.role == ManagementRole::None {
            Err(ApiError::forbidden("The role 'none' has no access to the REST API"))
        } else {
            Ok(())
        }
    }
}

/// The largest `Authorization` header value read.
const MAX_AUTHORIZATION: usize = 4096;

/// Authenticates a request: `peer` is the client certificate chain rustls verified against
/// `mtls_trusted_ca` (leaf first), `authorization` the header's value.
pub(crate) fn authenticate(api: &RestApi, peer: Option<&[u8]>, authorization: Option<&[u8]>) -> Result<Caller, ApiError> {
    let mut cert_error = None;
    if let Some(der) = peer {
        match certificate_caller(api, der) {
            Ok(Some(caller)) => return Ok(caller),
            Ok(None) => {}
            Err(e) => cert_error = Some(e),
        }
    }
    match authorization {
        Some(value) => basic_caller(api, value),
        None => Err(cert_error.unwrap_or_else(|| ApiError::unauthorized("Authentication required"))),
    }
}

/// The certificate user a verified client certificate logs in as; `None` when certificate
/// authentication is off (the certificate is then ignored).
fn certificate_caller(api: &RestApi, der: &[u8]) -> Result<Option<Caller>, ApiError> {
    let state = api.snapshot();
    if !state.cluster.mtls_certificate_authentication {
        return Ok(None);
    }
    let cert = ClientCert::from_der(der).map_err(|e| ApiError::unauthorized(format!("Client certificate: {e}")))?;
    state
        .cluster
        .policy()
        .check(&cert)
        .map_err(|why| ApiError::unauthorized(format!("Client certificate not authorized: {why}")))?;
    let user = api.certificate_user(&cert).ok_or_else(|| {
        ApiError::unauthorized(format!("No certificate user has the subject line '{}'", cert.subject()))
    })?;
    Ok(Some(Caller { uid: user.uid, role: state.management_role(&user) }))
}

fn basic_caller(api: &RestApi, value: &[u8]) -> Result<Caller, ApiError> {
    let bad = || ApiError::unauthorized("Invalid username or password");
    if value.len() > MAX_AUTHORIZATION {
        return Err(bad());
    }
    let encoded = value.strip_prefix(b"Basic ").or_else(|| value.strip_prefix(b"basic ")).ok_or_else(bad)?;
    let decoded = base64::engine::general_purpose::STANDARD.decode(encoded.trim_ascii()).map_err(|_| bad())?;
    let text = String::from_utf8(decoded).map_err(|_| bad())?;
    let (login, password) = text.split_once(':').ok_or_else(bad)?;
    let state = api.snapshot();
    let user = state.users.values().find(|u| (!u.email.is_empty() && u.email == login) || u.name == login);
    // A login that names no user still costs a bcrypt, so the reply time does not tell
    // which logins exist.
    let hash = user.and_then(|u| u.password_bcrypt.as_deref()).unwrap_or(&api.dummy_hash);
    let ok = verify_password(password.as_bytes(), hash);
    match user {
        Some(u) if ok && u.auth_method == AuthMethod::Regular && u.password_bcrypt.is_some() => {
            Ok(Caller { uid: u.uid, role: state.management_role(u) })
        }
        _ => Err(bad()),
    }
}

