//! `acl-store` (`authgate serve --acl-store etcd://...`): the server's users kept in an etcd
//! [`AclStore`](crate::acl_store::AclStore) shared by a fleet. ACL SETUSER, DELUSER and LOAD go
//! through the store (off the event loop, the reply deferred so a pipeline's replies stay in
//! order); every other node's changes reach this server's engine through the store's watch,
//! and the engine's events give them their live-client effects here (shared.rs' listener).

use std::sync::Arc;

use super::session::Session;
use super::{Config, ServerError};
use crate::redis::acl::{Acl, Command};

/// The store a server writes through (an uninhabited type in a build without `etcd`).
#[cfg(feature = "etcd")]
pub(crate) use crate::acl_store::AclStore as Store;

/// The store a server writes through (an uninhabited type in a build without `etcd`).
#[cfg(not(feature = "etcd"))]
pub(crate) enum Store {}

/// Attaches `acl` to the configured store after the startup users were applied (they seed an
/// empty store); `None` without `acl-store`.
#[cfg(feature = "etcd")]
pub(crate) fn attach(acl: &Arc<Acl>, config: &Config) -> Result<Option<Arc<Store>>, ServerError> {
    let Some(url) = &config.acl_store else { return Ok(None) };
    let mut options = crate::acl_store::AclStoreOptions::new(url.clone());
    options.cache_file = Some(config.acl_store_cache_path());
    let (ca, cert, key) = (&config.acl_store_ca_file, &config.acl_store_cert_file, &config.acl_store_key_file);
    options
        .set_tls_files_named(["acl-store-ca-file", "acl-store-cert-file", "acl-store-key-file"], ca.as_deref(), cert.as_deref(), key.as_deref())
        .map_err(|e| ServerError::Acl(format!("Aborting startup: {e}")))?;
    let store = crate::acl_store::AclStore::attach(acl.clone(), options)
        .map_err(|e| ServerError::Acl(format!("Aborting startup: {e}")))?;
    Ok(Some(Arc::new(store)))
}

/// Without `etcd` there is no store to attach to: `acl-store` is refused.
#[cfg(not(feature = "etcd"))]
pub(crate) fn attach(_acl: &Arc<Acl>, config: &Config) -> Result<Option<Arc<Store>>, ServerError> {
    match config.acl_store {
        None => Ok(None),
        Some(_) => Err(ServerError::Config("acl-store needs a build with the etcd feature".into())),
    }
}

/// The reply of a store write.
#[cfg(feature = "etcd")]
enum Reply {
    Ok,
    Integer(i64),
    /// The write succeeded: this finishes the command on the session (and writes its reply).
    Then(Box<dyn FnOnce(&mut Session) + Send>),
}

/// A store write running on the blocking pool (it waits for etcd and for the watch); the
/// connection awaits [`StoreJob::finish`] before its next command.
pub(crate) struct StoreJob(
    #[cfg(feature = "etcd")] tokio::task::JoinHandle<Result<Reply, crate::acl_store::StoreError>>,
    #[cfg(not(feature = "etcd"))] std::convert::Infallible,
);

impl StoreJob {
    /// Waits for the write and encodes its reply.
    pub(crate) async fn finish(self, s: &mut Session) {
        #[cfg(feature = "etcd")]
        match self.0.await {
            Ok(result) => reply(s, result),
            Err(e) => std::panic::resume_unwind(e.into_panic()),
        }
        #[cfg(not(feature = "etcd"))]
        let _ = (s, self.0);
    }
}

#[cfg(feature = "etcd")]
fn reply(s: &mut Session, result: Result<Reply, crate::acl_store::StoreError>) {
    match result {
        Ok(Reply::Ok) => s.out.ok(),
        Ok(Reply::Integer(n)) => s.out.integer(n),
        Ok(Reply::Then(then)) => then(s),
        Err(e) => s.out.error(&e.to_bytes()),
    }
}

/// ACL SETUSER / DELUSER / LOAD through the store; false for any other subcommand (it runs
/// locally as usual).
#[cfg(feature = "etcd")]
pub(crate) fn acl_write(s: &mut Session, store: &Arc<Store>, cmd: &'static Command, argv: &[Vec<u8>]) -> bool {
    let store = store.clone();
    let run: Box<dyn FnOnce() -> Result<Reply, crate::acl_store::StoreError> + Send> = match cmd.name.as_str() {
        "setuser" => {
            let (name, rules) = (argv[2].clone(), argv[3..].to_vec());
            Box::new(move || store.setuser(&name, &rules).map(|()| Reply::Ok))
        }
        "deluser" => {
            let names = argv[2..].to_vec();
            Box::new(move || store.deluser(&names).map(|n| Reply::Integer(n as i64)))
        }
        "load" => {
            let (path, shown) = {
                let config = s.shared.config.read();
                (config.aclfile_path(), config.aclfile_shown())
            };
            let (Some(path), Some(shown)) = (path, shown) else {
                s.out.error(&crate::redis::acl::AclError::NoAclFile.to_bytes());
                return true;
            };
            Box::new(move || store.load_file(&path, &shown).map(|()| Reply::Ok))
        }
        _ => return false,
    };
    defer(s, run);
    true
}

/// Runs a store write off the loop with the reply deferred, or inline inside EXEC.
#[cfg(feature = "etcd")]
fn defer(s: &mut Session, run: Box<dyn FnOnce() -> Result<Reply, crate::acl_store::StoreError> + Send>) {
    if s.in_exec && !s.exec_pausable {
        // Proxy mode's EXEC replies in one array and cannot stop: the write runs here
        // (blocking this loop for an etcd round trip; the store's own thread applies it, so
        // this cannot deadlock). A local EXEC stops after this command and resumes once the
        // write has replied (multi::PausedExec).
        reply(s, run());
    } else {
        s.store_job = Some(StoreJob(tokio::task::spawn_blocking(run)));
    }
}

/// `CONFIG SET requirepass` in store mode: default's new password goes through the store (so
/// every node sees it, as the store's watch applies it here too); only once that write
/// succeeded does `then` apply the command's other parameters and reply. A failed write is the
/// error reply and changes nothing.
#[cfg(feature = "etcd")]
pub(crate) fn requirepass(s: &mut Session, store: &Arc<Store>, password: &[u8], then: impl FnOnce(&mut Session) + Send + 'static) {
    let (store, rules) = (store.clone(), Acl::requirepass_rules(password));
    defer(s, Box::new(move || store.setuser(b"default", &rules).map(|()| Reply::Then(Box::new(then)))));
}

/// Without `etcd` there is never a store.
#[cfg(not(feature = "etcd"))]
pub(crate) fn acl_write(_s: &mut Session, store: &Arc<Store>, _cmd: &'static Command, _argv: &[Vec<u8>]) -> bool {
    match **store {}
}

/// INFO's `acl_store` section.
#[cfg(feature = "etcd")]
pub(crate) fn info(store: &Store, out: &mut String) {
    use std::fmt::Write;
    let st = store.status();
    let _ = write!(
        out,
        "acl_store_backend:{}\r\nacl_store_endpoint:{}\r\nacl_store_applied_revision:{}\r\nacl_store_revision:{}\r\nacl_store_lag:{}\r\nacl_store_stale:{}\r\nacl_store_connected:{}\r\nacl_store_last_change_ms:{}\r\n",
        st.backend,
        st.endpoint,
        st.applied_revision,
        st.store_revision,
        st.lag(),
        u8::from(st.stale),
        u8::from(st.connected),
        st.since_last_change_ms.map_or(-1, |ms| ms as i64),
    );
}

/// Without `etcd` there is never a store.
#[cfg(not(feature = "etcd"))]
pub(crate) fn info(store: &Store, _out: &mut String) {
    match *store {}
}
