//! The Redis Software admin REST API (`rest-port`): HTTPS with the server's certificate, on
//! the server's event loop, over the same ACL users the RESP clients log in as.
//!
//! Endpoints (Redis Software's JSON fields, status codes and `{"error_code", "message"}`
//! error bodies): `/v1/users[/<uid>]` ([`users`]), `/v1/roles[/<uid>]` and the one database's
//! `roles_permissions` at `/v1/bdbs[/1]` ([`roles`]), `/v1/redis_acls[/<uid>]`
//! ([`redis_acls`]), `/v1/cluster`, `/v1/cluster/certificates[/<name>]` and
//! `/v1/cluster/update_cert` ([`cluster`]).
//!
//! Callers log in with a client certificate (when `mtls_certificate_authentication` is on:
//! it must chain to `mtls_trusted_ca`, pass `mtls_client_cert_subject_validation_type`, and
//! have the subject line of a certificate user) or with HTTP basic auth (a regular user's
//! email or name and password). The first admin comes from `rest-admin-user` and
//! `rest-admin-password-file` ([`settings`]).
//!
//! A change is saved in `dir` (`authgate-rest.json`, written atomically, mode 0600) before it
//! applies, and applies to open connections at once: a deleted user's clients are
//! disconnected, a changed role or Redis ACL changes its users' ACL rules.

mod auth;
mod cluster;
mod error;
mod http;
mod redis_acls;
mod roles;
mod router;
pub mod settings;
mod state;
mod time;
mod tls;
mod users;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use tokio::task::JoinHandle;

pub use error::ApiError;
pub use settings::{RestConfig, RestPort, DEFAULT_REST_BCRYPT_COST};
pub use state::STATE_FILE;

use super::tls::{CertificateUsers, TlsSettings, TlsState};
use super::{listen, Config, ServerError};
use crate::redis::acl::Acl;
use crate::tls::ClientCert;
use rustls_pki_types::CertificateDer;

/// A bound REST API, ready to serve on the event loop.
pub(crate) struct RestServer {
    listeners: Vec<std::net::TcpListener>,
    addrs: Vec<SocketAddr>,
    api: Arc<state::RestApi>,
    tls: Arc<tls::RestTls>,
}

impl RestServer {
    /// Loads the REST objects from `dir`, applies them to `acl`, makes the configured admin,
    /// and binds `rest-port` on the `bind` addresses; `None` when `rest-port` is off.
    pub fn bind(config: &Config, acl: Arc<Acl>, tls_state: Arc<TlsState>) -> Result<Option<RestServer>, ServerError> {
        let rest = &config.rest;
        let Some(port) = rest.port.bind_port() else { return Ok(None) };
        let fail = |m: String| ServerError::Config(format!("REST API: {m}"));
        let (cert, key) = identity_files(config).ok_or_else(|| {
            fail("rest-port needs rest-cert-file and rest-key-file, or tls-cert-file and tls-key-file".into())
        })?;
        // The passphrase: rest-key-file-pass, else tls-key-file-pass (the listener's), so a
        // REST API reusing the listener's encrypted key needs nothing more.
        let pass = rest.key_file_pass.as_deref().or(config.tls.key_file_pass.as_deref());
        let tls = Arc::new(tls::RestTls::load(&cert, &key, pass).map_err(fail)?);
        let (tls2, listener) = (tls.clone(), tls_state.clone());
        // mtls_trusted_ca: trusted by the REST API and by the server's TLS listener.
        let on_trusted_ca = Box::new(move |cas: Option<&[ClientCert]>| {
            tls2.set_client_cas(cas);
            let ders = cas.unwrap_or_default().iter().map(|c| CertificateDer::from(c.der().to_vec())).collect();
            if let Err(e) = listener.set_extra_client_cas(ders) {
                tracing::warn!("TLS listener: keeping the previous client CAs: {e}");
            }
        });
        let api = state::RestApi::open(
            acl,
            CertificateUsers(tls_state),
            config.dir.as_deref(),
            rest.bcrypt_cost,
            on_trusted_ca,
        )
        .map_err(fail)?;
        if let (Some(user), Some(file)) = (&rest.admin_user, &rest.admin_password_file) {
            let text = std::fs::read_to_string(file)
                .map_err(|e| fail(format!("cannot read rest-admin-password-file {}: {e}", file.display())))?;
            let password = text.lines().next().unwrap_or("");
            users::ensure_admin(&api, user, password).map_err(|e| fail(format!("rest-admin-user '{user}': {}", e.message)))?;
        }
        let listeners = listen::bind_all(&config.bind, port)?;
        if listeners.is_empty() {
            return Err(fail("no address to bind".into()));
        }
        let addrs = listeners.iter().map(|l| l.local_addr()).collect::<Result<Vec<_>, _>>()?;
        Ok(Some(RestServer { listeners, addrs, api: Arc::new(api), tls }))
    }

    /// Serves on the current tokio runtime; abort the tasks to stop.
    pub fn spawn(self) -> Vec<JoinHandle<()>> {
        let list: Vec<String> = self.addrs.iter().map(|a| format!("https://{a}")).collect();
        tracing::info!("REST API ready on {}", list.join(" "));
        http::spawn(self.api, self.tls, self.listeners)
    }
}

/// The REST API's certificate and key: `rest-cert-file` / `rest-key-file`, else the server's
/// `tls-cert-file` / `tls-key-file` (relative to `dir`, as the TLS listener reads them).
fn identity_files(config: &Config) -> Option<(PathBuf, PathBuf)> {
    let rest = &config.rest;
    if let (Some(c), Some(k)) = (&rest.cert_file, &rest.key_file) {
        return Some((c.clone(), k.clone()));
    }
    let dir = config.dir.as_deref();
    let (c, k) = (config.tls.cert_file.as_ref()?, config.tls.key_file.as_ref()?);
    Some((TlsSettings::resolve(c, dir), TlsSettings::resolve(k, dir)))
}
