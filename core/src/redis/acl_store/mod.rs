//! [`AclStore`]: one set of ACL users for a fleet of authgate servers and embedded engines,
//! kept in etcd.
//!
//! Each user is one key of the current generation (`<prefix>users/<name>` at first,
//! `<prefix>gen/<id>/users/<name>` after an ACL LOAD; see `layout`), holding its canonical
//! line: what `ACL LIST` prints for it (`user alice on #<sha256> ~cache:* +get`), so hashes,
//! never a password. Writes are etcd transactions: `SETUSER` reads the user's key, applies
//! the rules to that state and writes the result only if the key's revision (and the current
//! generation) is still the one read, retrying on a conflict, so writers on different nodes
//! compose like sequential `ACL SETUSER`s; `DELUSER` is conditioned the same way; `ACL LOAD`
//! writes a new generation, as many users as it has (etcd's 128 operations per transaction
//! are no limit), and makes it current in one transaction, so readers see the old set or the
//! new one, never a mix, even when the loading node is killed half-way. Nothing is ever applied to the local [`Acl`] by a write: a watch on the
//! prefix applies every change, this node's and the others', in revision order, with the
//! engine's own live-client effects ([`AclEvent`](crate::acl::AclEvent): a deleted user's
//! connections close, lost channels are revoked, an `ACL LOAD` drops every non-default user's
//! connections as Redis 7.0 does). A write returns once the watch has applied it here, so a
//! client reads its own writes.
//!
//! Faults: when etcd cannot be reached at start, the engine is loaded from the cache file
//! (written atomically, mode 0600, after every applied change) and marked stale, or
//! [`AclStore::attach`] fails when there is no cache. When etcd is lost later, checks go on
//! from the last state, writes fail with [`StoreError::Unavailable`], and the watch resumes
//! from the last applied revision when etcd is back (or reloads everything after a
//! compaction).
//!
//! ```no_run
//! use std::sync::Arc;
//! use authgate::acl::Acl;
//! use authgate::acl_store::{AclStore, AclStoreOptions};
//! let acl = Arc::new(Acl::new());
//! let store = AclStore::attach(acl.clone(), AclStoreOptions::new("etcd://127.0.0.1:2379/fleet")).unwrap();
//! store.setuser(b"alice", &[&b"on"[..], b">secret", b"+get", b"~cache:*"]).unwrap();
//! assert!(acl.authenticate(b"alice", b"secret"));
//! ```

mod cache;
mod embedded;
mod layout;
mod settings;
mod sync;
mod url;
mod write;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use parking_lot::{Condvar, Mutex};

use crate::credentials::EtcdTls;
use crate::redis::acl::{Acl, AclError};

pub use embedded::EmbeddedAcl;
pub use settings::{StoreSettings, STORE_OPTIONS};
pub use url::StoreUrl;

/// How to attach to a store.
#[derive(Clone, Debug)]
pub struct AclStoreOptions {
    /// `etcd://[user:password@]host:port[,host:port...]/prefix`.
    pub url: String,
    /// Where the last state seen is kept, to start from it when etcd is unreachable; `None`:
    /// no cache, so an unreachable etcd at start is an error.
    pub cache_file: Option<PathBuf>,
    /// TLS to etcd (the credentials module's options).
    pub tls: Option<EtcdTls>,
    /// How long to wait for etcd at start and for one request.
    pub timeout: Duration,
}

impl AclStoreOptions {
    /// Options for `url`, without a cache file, with a 3 s timeout.
    pub fn new(url: impl Into<String>) -> AclStoreOptions {
        AclStoreOptions { url: url.into(), cache_file: None, tls: None, timeout: Duration::from_secs(3) }
    }

    /// TLS to etcd from PEM files, read now: the CA that signed etcd's certificate, and a
    /// client certificate with its key (for etcd's `--client-cert-auth`; both or neither).
    /// With none of them the store is reached over plain HTTP. `names` are the options'
    /// names as the caller shows them in errors (a server's directives `acl-store-ca-file`,
    /// ...; a binding's `ca_file`, ...). Nothing is changed on an error.
    pub fn set_tls_files_named(
        &mut self,
        names: [&str; 3],
        ca_file: Option<&Path>,
        cert_file: Option<&Path>,
        key_file: Option<&Path>,
    ) -> Result<(), StoreError> {
        if cert_file.is_some() != key_file.is_some() {
            return Err(StoreError::InvalidOption(format!("{} and {} go together", names[1], names[2])));
        }
        let read = |name: &str, path: Option<&Path>| {
            path.map(|p| std::fs::read(p).map_err(|e| StoreError::File(format!("cannot read {name} {}: {e}", p.display()))))
                .transpose()
        };
        let ca = read(names[0], ca_file)?;
        let cert = read(names[1], cert_file)?;
        let key = read(names[2], key_file)?;
        self.tls = match (ca, cert.zip(key)) {
            (None, None) => None,
            (ca_pem, client_cert_pem) => Some(EtcdTls { ca_pem, client_cert_pem, domain: None }),
        };
        Ok(())
    }
}

/// Why a store operation failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreError {
    /// The store address is not `etcd://host:port[,...]/prefix`.
    InvalidUrl(String),
    /// etcd did not answer (or refused): nothing was changed.
    Unavailable(String),
    /// etcd was unreachable at start and there is no cache file to start from.
    NoState(String),
    /// The change itself is invalid (Redis' ACL SETUSER / DELUSER / LOAD error).
    Acl(AclError),
    /// Other writers kept changing the same user: nothing was changed.
    Conflict(String),
    /// An option is invalid (e.g. a client certificate without its key).
    InvalidOption(String),
    /// A file an option names cannot be read.
    File(String),
}

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StoreError::InvalidUrl(m) => write!(f, "invalid ACL store address {m}"),
            StoreError::Unavailable(m) => write!(f, "ACL store unavailable, nothing was changed: {m}"),
            StoreError::NoState(m) | StoreError::InvalidOption(m) | StoreError::File(m) => write!(f, "{m}"),
            StoreError::Acl(e) => write!(f, "{}", String::from_utf8_lossy(&e.to_bytes())),
            StoreError::Conflict(user) => {
                write!(f, "ACL store: too many concurrent changes of user '{user}', nothing was changed")
            }
        }
    }
}

impl std::error::Error for StoreError {}

impl StoreError {
    /// The RESP error line (without `-`): Redis' own text for an invalid change, `ERR ...`
    /// otherwise.
    pub fn to_bytes(&self) -> Vec<u8> {
        match self {
            StoreError::Acl(e) => e.to_bytes(),
            other => format!("ERR {other}").into_bytes(),
        }
    }
}

impl From<AclError> for StoreError {
    fn from(e: AclError) -> StoreError {
        StoreError::Acl(e)
    }
}

impl From<StoreError> for crate::Error {
    /// An invalid change keeps the engine's error; an unreachable store is an I/O error.
    fn from(e: StoreError) -> crate::Error {
        use crate::ErrorKind;
        match e {
            StoreError::Acl(e) => e.into(),
            StoreError::InvalidUrl(_) | StoreError::InvalidOption(_) => {
                crate::Error::new(ErrorKind::InvalidArgument, e.to_string())
            }
            StoreError::Unavailable(_) | StoreError::NoState(_) | StoreError::File(_) => crate::Error::new(ErrorKind::Io, e.to_string()),
            StoreError::Conflict(_) => crate::Error::new(ErrorKind::Err, e.to_string()),
        }
    }
}

/// What INFO's `acl_store` section shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoreStatus {
    /// `etcd`.
    pub backend: &'static str,
    /// The store address without its password.
    pub endpoint: String,
    /// The last etcd revision applied to the engine.
    pub applied_revision: i64,
    /// The newest etcd revision this node has heard of.
    pub store_revision: i64,
    /// True while the engine may be behind the store: started from the cache, or etcd lost.
    pub stale: bool,
    /// True while the watch is connected.
    pub connected: bool,
    /// Milliseconds since the last change was applied (`None`: none yet).
    pub since_last_change_ms: Option<u64>,
}

impl StoreStatus {
    /// Revisions the store has that this node has not applied.
    pub fn lag(&self) -> i64 {
        (self.store_revision - self.applied_revision).max(0)
    }
}

/// The synchronised view: the store's users as last applied, and where the watch is.
#[derive(Debug, Default)]
struct SyncState {
    /// name -> canonical line, as in the store at `applied`.
    users: BTreeMap<Vec<u8>, Vec<u8>>,
    /// The generation `users` are from (see `layout`; empty: the first).
    generation: String,
    applied: i64,
    store_revision: i64,
    stale: bool,
    connected: bool,
    /// True once a watch followed the store in this process: a new session then resumes from
    /// `applied` instead of reloading.
    followed: bool,
    last_change: Option<Instant>,
}

/// What the runtime's tasks and the callers share.
struct Inner {
    acl: Arc<Acl>,
    url: StoreUrl,
    etcd: crate::credentials::EtcdOptions,
    timeout: Duration,
    cache_file: Option<PathBuf>,
    client: Mutex<Option<etcd_client::Client>>,
    state: Mutex<SyncState>,
    /// Signalled whenever `state.applied` moves.
    applied: Condvar,
}

impl Inner {
    /// Waits (blocking) until the watch applied `revision`. A write is in etcd when this is
    /// called, so past the timeout the caller is told it succeeded all the same.
    fn wait_applied(&self, revision: i64) {
        let deadline = Instant::now() + self.timeout;
        let mut st = self.state.lock();
        while st.applied < revision {
            if self.applied.wait_until(&mut st, deadline).timed_out() {
                tracing::warn!(target: "authgate::acl_store", revision, "a change is in etcd but not applied here yet");
                return;
            }
        }
    }
}

/// A [`Acl`] attached to an etcd store. See the module docs. Dropping it detaches the engine
/// (which keeps its last state).
pub struct AclStore {
    inner: Arc<Inner>,
    runtime: Option<tokio::runtime::Runtime>,
}

impl std::fmt::Debug for AclStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AclStore").field("url", &self.inner.url).finish_non_exhaustive()
    }
}

impl Drop for AclStore {
    fn drop(&mut self) {
        let Some(rt) = self.runtime.take() else { return };
        if tokio::runtime::Handle::try_current().is_ok() {
            // Dropped on an async task (a server's shared state): blocking is not allowed
            // there, so the store's threads are left to exit on their own.
            rt.shutdown_background();
        } else {
            // Dropped by a program's own thread (a binding's engine freed): the watch and the
            // client's threads are stopped and joined, so none outlives the handle (and a
            // leak checker sees nothing of them at exit).
            rt.shutdown_timeout(Duration::from_secs(1));
        }
    }
}

impl AclStore {
    /// Attaches `acl` to the store: loads the store's users into it (or, when the store has
    /// no user yet, writes `acl`'s users there first), then follows every change. When etcd
    /// is unreachable, loads the cache file and marks the state stale, or fails when there is
    /// no cache.
    pub fn attach(acl: Arc<Acl>, options: AclStoreOptions) -> Result<AclStore, StoreError> {
        let url = StoreUrl::parse(&options.url)?;
        let etcd = crate::credentials::EtcdOptions {
            endpoints: url.endpoints.clone(),
            user: url.user.clone(),
            tls: options.tls.clone(),
            connect_timeout: options.timeout,
            request_timeout: options.timeout,
            ..crate::credentials::EtcdOptions::default()
        };
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("authgate-acl-store")
            .enable_all()
            .build()
            .map_err(|e| StoreError::Unavailable(format!("cannot start the etcd client runtime: {e}")))?;
        let inner = Arc::new(Inner {
            acl,
            url,
            etcd,
            timeout: options.timeout,
            cache_file: options.cache_file,
            client: Mutex::new(None),
            state: Mutex::new(SyncState::default()),
            applied: Condvar::new(),
        });
        let store = AclStore { inner: inner.clone(), runtime: Some(runtime) };
        let first = store.call({
            let inner = inner.clone();
            async move { sync::initial_load(&inner).await }
        });
        if let Err(e) = first {
            cache::start_stale(&inner, &e)?;
        }
        store.runtime().spawn(sync::follow(inner));
        Ok(store)
    }

    /// The engine this store keeps up to date.
    pub fn acl(&self) -> &Arc<Acl> {
        &self.inner.acl
    }

    /// The store's address without its password.
    pub fn endpoint(&self) -> String {
        self.inner.url.shown()
    }

    /// Where the watch is (INFO's `acl_store` section).
    pub fn status(&self) -> StoreStatus {
        let st = self.inner.state.lock();
        StoreStatus {
            backend: "etcd",
            endpoint: self.inner.url.shown(),
            applied_revision: st.applied,
            store_revision: st.store_revision.max(st.applied),
            stale: st.stale,
            connected: st.connected,
            since_last_change_ms: st.last_change.map(|t| t.elapsed().as_millis() as u64),
        }
    }

    /// `ACL SETUSER` through the store: the user's current rules in etcd, then `rules`, all or
    /// nothing (Redis' errors), written if nobody changed the user meanwhile (else retried).
    /// Returns once applied to this engine.
    pub fn setuser<A: AsRef<[u8]>>(&self, name: &[u8], rules: &[A]) -> Result<(), StoreError> {
        let rules: Vec<Vec<u8>> = rules.iter().map(|r| r.as_ref().to_vec()).collect();
        let (inner, name) = (self.inner.clone(), name.to_vec());
        let revision = self.call(async move { write::setuser(&inner, &name, &rules).await })?;
        self.inner.wait_applied(revision);
        Ok(())
    }

    /// `ACL DELUSER` through the store: how many of `names` existed (and are now deleted, in
    /// one transaction). Refuses `default` as Redis does.
    pub fn deluser<A: AsRef<[u8]>>(&self, names: &[A]) -> Result<usize, StoreError> {
        let names: Vec<Vec<u8>> = names.iter().map(|r| r.as_ref().to_vec()).collect();
        let inner = self.inner.clone();
        let (count, revision) = self.call(async move { write::deluser(&inner, &names).await })?;
        self.inner.wait_applied(revision);
        Ok(count)
    }

    /// `ACL LOAD` through the store: `aclfile_text` (validated with Redis' aclfile errors,
    /// `shown` naming the file in them) replaces every user of the store in one transaction.
    pub fn load_text(&self, aclfile_text: &[u8], shown: &str) -> Result<(), StoreError> {
        let scratch = Acl::with_options(self.inner.acl.options());
        scratch.load_text(aclfile_text, shown)?;
        let lines = scratch.list();
        let inner = self.inner.clone();
        let revision = self.call(async move { write::replace_all(&inner, &lines).await })?;
        self.inner.wait_applied(revision);
        Ok(())
    }

    /// [`AclStore::load_text`] on the aclfile at `path` (read as Redis reads aclfiles).
    pub fn load_file(&self, path: &std::path::Path, shown: &str) -> Result<(), StoreError> {
        let scratch = Acl::with_options(self.inner.acl.options());
        scratch.load_as(path, shown)?;
        let lines = scratch.list();
        let inner = self.inner.clone();
        let revision = self.call(async move { write::replace_all(&inner, &lines).await })?;
        self.inner.wait_applied(revision);
        Ok(())
    }

    fn runtime(&self) -> &tokio::runtime::Runtime {
        self.runtime.as_ref().expect("the runtime lives as long as the store")
    }

    /// Runs `work` on the store's runtime and waits for it, from any thread (a server's
    /// blocking pool, a Python thread).
    fn call<T: Send + 'static>(
        &self,
        work: impl std::future::Future<Output = Result<T, StoreError>> + Send + 'static,
    ) -> Result<T, StoreError> {
        let (tx, rx) = std::sync::mpsc::sync_channel(1);
        self.runtime().spawn(async move {
            let _ = tx.send(work.await);
        });
        rx.recv().map_err(|_| StoreError::Unavailable("the etcd client runtime stopped".into()))?
    }
}

/// `etcd: <error>` as [`StoreError::Unavailable`].
fn unavailable(e: impl std::fmt::Display) -> StoreError {
    StoreError::Unavailable(format!("etcd: {e}"))
}

#[cfg(test)]
mod tests;
