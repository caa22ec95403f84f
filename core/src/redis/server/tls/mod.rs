//! The TLS listener: `tls-port` with rustls (over tokio-rustls, ring as the crypto provider:
//! it builds with a C compiler alone, where aws-lc-rs needs cmake), client certificates
//! verified against `tls-ca-cert-file` / `tls-ca-cert-dir` per `tls-auth-clients`, and
//! certificate login at handshake.
//!
//! At handshake, in order (see [`crate::tls`]):
//! 1. rustls verifies the chain (validity, clientAuth usage, a trusted CA); a refused
//!    certificate fails the handshake, so the client sees the TLS alert and the log the reason;
//! 2. the leaf is read ([`ClientCert::from_der`]) and mapped by [`CertUserMap::map`]: a
//!    certificate user whose subject line is the certificate's subject, then
//!    `tls-auth-clients-user`, then `default`;
//! 3. the connection starts authenticated as that user (`ACL WHOAMI` shows it).
//!
//! Certificate users are managed through [`CertificateUsers`] (the REST API calls it); they
//! are certificate-only: AUTH and HELLO AUTH refuse them whatever the password.

mod accept;
mod context;
mod keys;
mod settings;
mod store;

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Weak};

use arc_swap::ArcSwapOption;
use parking_lot::{Mutex, RwLock};

use super::session::Session;
use super::shared::Shared;
use crate::redis::acl::{Acl, LogContext, LogReason, UserRef};
use crate::tls::{CertUserMap, CertificateUser, ClientCert, SubjectLine, TlsAuthClientsUser};
use crate::Error;
use rustls_pki_types::CertificateDer;

pub(crate) use accept::handshake_and_serve;
pub(crate) use context::{load_chain, load_identity, load_roots, strerror, TlsContext, CONFIGURE_FAILED};
pub(crate) use keys::load_private_key;
pub use settings::{TlsAuthClients, TlsSettings};
pub use store::FILE_NAME as CERTIFICATE_USERS_FILE;

/// What a handshake decided about the connection's user, applied when its session starts.
pub(crate) enum Login {
    /// A plain connection, or no certificate mapping: the session starts as `default`.
    None,
    /// The certificate logged in as this user.
    User(UserRef),
    /// `tls-auth-clients-user` found no enabled user: stays `default`, logged as `tls-cert`.
    NoMatch {
        /// The name the certificate offered (its CN, or its first SAN URI), for ACL LOG.
        candidate: Vec<u8>,
    },
}

impl Login {
    /// Applies the outcome to a new session.
    pub(crate) fn apply(self, s: &mut Session) {
        match self {
            Login::None => {}
            Login::User(user) => s.login(user),
            Login::NoMatch { candidate } => {
                let line = s.client_line();
                s.shared.acl.log_event(LogReason::TlsCert, LogContext::Toplevel, b"tls-auth-clients-user", &candidate, line);
            }
        }
    }
}

/// A server's TLS state: the configuration new handshakes use (replaced whole by CONFIG SET,
/// so open connections keep theirs), the certificate users and the denial counter.
pub(crate) struct TlsState {
    context: ArcSwapOption<TlsContext>,
    users: RwLock<CertUserMap>,
    /// `dir`/certificate-users.json, when the server has a `dir`.
    store: Option<PathBuf>,
    /// Serialises changes to the users with their file write.
    write: Mutex<()>,
    /// INFO `acl_access_denied_tls_cert`.
    denied: AtomicU64,
    acl: Arc<Acl>,
    /// The running server, to disconnect a removed certificate user's clients.
    shared: Mutex<Weak<Shared>>,
    /// The REST API's `mtls_trusted_ca`, trusted besides the CA file/dir, and the settings
    /// the configuration was last built from (to rebuild it when those CAs change).
    extra_cas: Mutex<ExtraCas>,
    /// New TLS listeners from CONFIG SET tls-port, handed to the serving loop.
    rebind: Mutex<Option<tokio::sync::mpsc::UnboundedSender<Vec<std::net::TcpListener>>>>,
}

/// The REST API's `mtls_trusted_ca` and what the listener's configuration was built from.
struct ExtraCas {
    cas: Vec<CertificateDer<'static>>,
    /// The settings and `dir` of the last build; `None` without a TLS listener.
    built_from: Option<(TlsSettings, Option<PathBuf>)>,
}

/// A TLS configuration built by [`TlsState::build`] and not yet in use.
pub(crate) struct BuiltTls {
    ctx: Arc<TlsContext>,
    settings: TlsSettings,
    dir: Option<PathBuf>,
    /// The REST API's trusted CAs the build included.
    cas: Vec<CertificateDer<'static>>,
}

impl TlsState {
    /// Reads the TLS configuration (if a listener is wanted) and the stored certificate users.
    pub(crate) fn new(
        acl: Arc<Acl>,
        settings: &TlsSettings,
        dir: Option<&std::path::Path>,
        listener_wanted: bool,
    ) -> Result<TlsState, String> {
        let context = if listener_wanted { Some(Arc::new(context::build(settings, dir, &[])?)) } else { None };
        let built_from = listener_wanted.then(|| (settings.clone(), dir.map(PathBuf::from)));
        let store = dir.map(store::path_in);
        let mut users = CertUserMap::new(settings.auth_clients_user);
        if let Some(path) = &store {
            let records = store::load(path).map_err(|e| e.message().to_string())?;
            users.set_records(&records).map_err(|e| format!("{}: {e}", path.display()))?;
        }
        Ok(TlsState {
            context: ArcSwapOption::new(context),
            users: RwLock::new(users),
            store,
            write: Mutex::new(()),
            denied: AtomicU64::new(0),
            acl,
            shared: Mutex::new(Weak::new()),
            extra_cas: Mutex::new(ExtraCas { cas: Vec::new(), built_from }),
            rebind: Mutex::new(None),
        })
    }

    /// Ties the state to the running server.
    pub(crate) fn attach(&self, shared: &Arc<Shared>) {
        *self.shared.lock() = Arc::downgrade(shared);
    }

    /// Where CONFIG SET tls-port sends the new TLS listeners (the serving loop's channel).
    pub(crate) fn set_rebind(&self, tx: tokio::sync::mpsc::UnboundedSender<Vec<std::net::TcpListener>>) {
        *self.rebind.lock() = Some(tx);
    }

    /// Replaces the TLS listeners (none: `tls-port 0`).
    pub(crate) fn rebind(&self, listeners: Vec<std::net::TcpListener>) {
        if let Some(tx) = self.rebind.lock().as_ref() {
            let _ = tx.send(listeners);
        }
    }

    /// The configuration new handshakes use.
    pub(crate) fn context(&self) -> Option<Arc<TlsContext>> {
        self.context.load_full()
    }

    /// Builds the configuration `settings` describe (CONFIG SET), to be installed by
    /// [`TlsState::install`] once the command's other fallible steps have succeeded; an
    /// error changes nothing.
    pub(crate) fn build(&self, settings: &TlsSettings, dir: Option<&std::path::Path>) -> Result<BuiltTls, String> {
        let cas = self.extra_cas.lock().cas.clone();
        let ctx = context::build(settings, dir, &cas)?;
        Ok(BuiltTls { ctx: Arc::new(ctx), settings: settings.clone(), dir: dir.map(PathBuf::from), cas })
    }

    /// Makes `built` the configuration of new handshakes (open connections keep theirs).
    pub(crate) fn install(&self, built: BuiltTls) {
        let mut extra = self.extra_cas.lock();
        let ctx = if extra.cas == built.cas {
            built.ctx
        } else {
            // The REST API trusted other CAs since the build: build again with them (from the
            // files that just built); if that fails now, the files changed in between, and the
            // first build is still a consistent configuration of the settings asked for.
            match context::build(&built.settings, built.dir.as_deref(), &extra.cas) {
                Ok(ctx) => Arc::new(ctx),
                Err(why) => {
                    tracing::warn!("TLS configuration rebuilt without the REST API's newest trusted CAs: {why}");
                    built.ctx
                }
            }
        };
        self.context.store(Some(ctx));
        let mode = built.settings.auth_clients_user;
        extra.built_from = Some((built.settings, built.dir));
        drop(extra);
        self.users.write().set_mode(mode);
    }

    /// Trusts `cas` (the REST API's `mtls_trusted_ca`) for client certificates besides the
    /// CA file/dir, from the next handshake on; without a TLS listener they are only kept.
    /// On error the previous configuration stays.
    pub(crate) fn set_extra_client_cas(&self, cas: Vec<CertificateDer<'static>>) -> Result<(), String> {
        let mut extra = self.extra_cas.lock();
        if let Some((settings, dir)) = &extra.built_from {
            let ctx = context::build(settings, dir.as_deref(), &cas)?;
            self.context.store(Some(Arc::new(ctx)));
        }
        extra.cas = cas;
        Ok(())
    }

    /// Sets only the `tls-auth-clients-user` mode.
    pub(crate) fn set_mode(&self, mode: TlsAuthClientsUser) {
        self.users.write().set_mode(mode);
    }

    /// `tls-auth-clients-user` is on (the INFO counter is shown only then).
    pub(crate) fn mode_on(&self) -> bool {
        self.users.read().mode() != TlsAuthClientsUser::Off
    }

    /// INFO `acl_access_denied_tls_cert`.
    pub(crate) fn denied(&self) -> u64 {
        self.denied.load(Ordering::Relaxed)
    }

    /// True if `name` is a certificate user (AUTH must refuse it).
    pub(crate) fn is_certificate_user(&self, name: &[u8]) -> bool {
        let users = self.users.read();
        !users.is_empty() && std::str::from_utf8(name).is_ok_and(|n| users.subject_line(n).is_some())
    }

    /// The login a verified client certificate gives.
    pub(crate) fn login_for(&self, cert: &ClientCert) -> Login {
        let outcome = self.users.read().map_acl(cert, Some(&self.acl));
        match outcome {
            crate::tls::CertLogin::CertificateUser { user, subject } => {
                tracing::info!("TLS: Authenticated client as certificate user {user} (subject '{subject}')");
                self.acl.user(user.as_bytes()).map_or(Login::None, Login::User)
            }
            crate::tls::CertLogin::TlsAuthClientsUser { user, log_line } => {
                tracing::info!("{log_line}");
                self.acl.user(&user).map_or(Login::None, Login::User)
            }
            crate::tls::CertLogin::Default => Login::None,
            crate::tls::CertLogin::NoMatch { log_line } => {
                tracing::info!("{log_line}");
                self.denied.fetch_add(1, Ordering::Relaxed);
                let candidate = match self.users.read().mode() {
                    TlsAuthClientsUser::Cn => cert.common_name().unwrap_or_default().into_bytes(),
                    _ => cert.san_uris().first().cloned().unwrap_or_default().into_bytes(),
                };
                Login::NoMatch { candidate }
            }
        }
    }

    /// Applies `change` to the users and writes them to the store; a failed write undoes the
    /// change.
    fn change(&self, change: impl FnOnce(&mut CertUserMap)) -> Result<(), Error> {
        let _serial = self.write.lock();
        let before = self.users.read().clone();
        let mut after = before.clone();
        change(&mut after);
        if let Some(path) = &self.store {
            store::save(path, &after.records())?;
        }
        *self.users.write() = after;
        Ok(())
    }

    /// Closes the connections logged in as `name`.
    fn disconnect(&self, name: &[u8]) {
        let Some(shared) = self.shared.lock().upgrade() else { return };
        for c in shared.clients.all() {
            let is_user = c.info.lock().user.as_ref().is_some_and(|u| u.name() == name);
            if is_user {
                c.kill();
            }
        }
    }
}

/// The certificate users of a server: Redis Software's users with `auth_method: certificate`,
/// each with its `certificate_subject_line`. Changes apply to new handshakes at once and
/// are written to `dir`/certificate-users.json when the server has a `dir`.
#[derive(Clone)]
pub struct CertificateUsers(pub(crate) Arc<TlsState>);

impl CertificateUsers {
    /// Makes `user` a certificate user logging in with certificates whose RFC 2253 subject
    /// is exactly `subject_line`. The ACL user is created if missing (off, as ACL SETUSER
    /// creates it) and gets `resetpass`, so no password reaches it; AUTH refuses it while it
    /// is a certificate user. Errors: a malformed line (`CERTIFICATE`), the store (`IO`).
    pub fn set(&self, user: &str, subject_line: &str) -> Result<(), Error> {
        let line = SubjectLine::parse(subject_line)?;
        self.0.acl.setuser(user.as_bytes(), &[&b"resetpass"[..]])?;
        self.0.change(|m| {
            m.set_user(user, line);
        })
    }

    /// Stops `user` being a certificate user and disconnects its clients (as ACL DELUSER
    /// does); false if it was not one. The ACL user itself stays (without passwords).
    pub fn remove(&self, user: &str) -> Result<bool, Error> {
        if self.0.users.read().subject_line(user).is_none() {
            return Ok(false);
        }
        self.0.change(|m| {
            m.remove_user(user);
        })?;
        self.0.disconnect(user.as_bytes());
        Ok(true)
    }

    /// The subject line of `user`, if it is a certificate user.
    pub fn get(&self, user: &str) -> Option<String> {
        self.0.users.read().subject_line(user).map(|l| l.as_str().to_string())
    }

    /// Every certificate user, in name order.
    pub fn list(&self) -> Vec<CertificateUser> {
        self.0.users.read().records()
    }

    /// Forgets certificate users whose ACL user no longer exists (after ACL DELUSER or ACL
    /// LOAD), so a later user of the same name does not inherit the mapping.
    pub fn prune_deleted(&self) -> Result<(), Error> {
        let gone: Vec<String> =
            self.0.users.read().users().filter(|(n, _)| self.0.acl.user(n.as_bytes()).is_none()).map(|(n, _)| n.to_string()).collect();
        if gone.is_empty() {
            return Ok(());
        }
        self.0.change(|m| {
            for n in &gone {
                m.remove_user(n);
            }
        })
    }
}

impl std::fmt::Debug for CertificateUsers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CertificateUsers").field("users", &self.list().len()).finish()
    }
}
