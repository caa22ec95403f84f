//! [`EtcdBackend`]: users in etcd, in the keys a real Milvus uses, so authgate and Milvus share
//! them: `<root_path>/<meta_sub_path>/root-coord/credential/users/<name>` holding
//! `{"encrypted_password":"<bcrypt>"}` (defaults `by-dev` and `meta`).
//!
//! Every write is a compare-and-swap transaction (on the key's version or mod revision), so two
//! writers never lose an update. A watch on the users' prefix keeps a local mirror, so a login
//! costs no round trip and every process sharing the etcd sees a change as soon as etcd sends the
//! event (milliseconds; the differential suite checks under a second). Until the watch is in
//! sync, and whenever it is broken, reads go to etcd directly.
//!
//! The client is the `etcd-client` crate (gRPC) on a small tokio runtime owned by the backend;
//! the blocking API sends each request to that runtime and waits, so it can be called from any
//! thread, including one inside another tokio runtime.

use std::collections::HashMap;
use std::sync::mpsc;
use std::sync::Arc;
use std::time::Duration;

use etcd_client::{
    Certificate, Client, Compare, CompareOp, ConnectOptions, DeleteOptions, EventType, GetOptions, Identity, TlsOptions,
    Txn, TxnOp, WatchOptions,
};
use parking_lot::RwLock;

use super::backend::{CreateOutcome, CredentialBackend, StoredCredential};
use super::error::CredentialError;

/// TLS to etcd: the CA that signs the servers' certificates, an optional client certificate,
/// and the name to check in the server's certificate.
#[derive(Clone, Debug, Default)]
pub struct EtcdTls {
    /// PEM of the CA certificate(s); `None`: the system's roots are not used, so give one.
    pub ca_pem: Option<Vec<u8>>,
    /// PEM of a client certificate and its key, for etcd's `--client-cert-auth`.
    pub client_cert_pem: Option<(Vec<u8>, Vec<u8>)>,
    /// The server name to verify (default: the endpoint's host).
    pub domain: Option<String>,
}

/// Where the etcd is and how to reach it.
#[derive(Clone, Debug)]
pub struct EtcdOptions {
    /// `host:port` (or `http://` / `https://` URLs) of one or more etcd members.
    pub endpoints: Vec<String>,
    /// Milvus' `etcd.rootPath`: `by-dev`.
    pub root_path: String,
    /// Milvus' `etcd.metaSubPath`: `meta`.
    pub meta_sub_path: String,
    /// etcd user and password (etcd's own auth), when etcd has auth enabled.
    pub user: Option<(String, String)>,
    /// TLS; `None`: plain HTTP/2.
    pub tls: Option<EtcdTls>,
    /// How long to wait for a connection.
    pub connect_timeout: Duration,
    /// How long one request may take.
    pub request_timeout: Duration,
}

impl Default for EtcdOptions {
    fn default() -> Self {
        EtcdOptions {
            endpoints: vec!["127.0.0.1:2379".to_string()],
            root_path: super::settings::DEFAULT_ROOT_PATH.to_string(),
            meta_sub_path: super::settings::DEFAULT_META_SUB_PATH.to_string(),
            user: None,
            tls: None,
            connect_timeout: Duration::from_secs(5),
            request_timeout: Duration::from_secs(10),
        }
    }
}

impl EtcdOptions {
    /// The prefix of Milvus' credential keys: `<root>/<meta>/root-coord/credential/`.
    pub fn credential_prefix(&self) -> String {
        format!("{}/{}/root-coord/credential/", self.root_path.trim_end_matches('/'), self.meta_sub_path.trim_matches('/'))
    }
}

/// A user's entry in the mirror: its hash (`None`: deleted) and the etcd revision it is from,
/// so an older event never overwrites a newer write.
#[derive(Clone, Debug)]
struct Mirrored {
    hash: Option<String>,
    revision: i64,
}

#[derive(Default, Debug)]
struct Mirror {
    in_sync: bool,
    users: HashMap<String, Mirrored>,
}

impl Mirror {
    fn apply(&mut self, name: String, hash: Option<String>, revision: i64) {
        match self.users.get(&name) {
            Some(m) if m.revision >= revision => {}
            _ => {
                self.users.insert(name, Mirrored { hash, revision });
            }
        }
    }
}

/// Users in etcd; see the module doc.
pub struct EtcdBackend {
    runtime: tokio::runtime::Runtime,
    client: Client,
    users_prefix: String,
    role_mapping_prefix: String,
    mirror: Arc<RwLock<Mirror>>,
}

impl std::fmt::Debug for EtcdBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EtcdBackend").field("users_prefix", &self.users_prefix).finish_non_exhaustive()
    }
}

fn etcd_error(e: etcd_client::Error) -> CredentialError {
    CredentialError::Storage(format!("etcd: {e}"))
}

impl EtcdBackend {
    /// Connects to etcd and starts the watch.
    pub fn connect(options: &EtcdOptions) -> Result<EtcdBackend, CredentialError> {
        if options.endpoints.is_empty() {
            return Err(CredentialError::InvalidOption("no etcd endpoint given".into()));
        }
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("authgate-etcd")
            .enable_all()
            .build()
            .map_err(|e| CredentialError::Storage(format!("cannot start the etcd client runtime: {e}")))?;
        let client = runtime.block_on(connect_client(options))?;
        let prefix = options.credential_prefix();
        let backend = EtcdBackend {
            runtime,
            client,
            users_prefix: format!("{prefix}users/"),
            role_mapping_prefix: format!("{prefix}user-role-mapping/"),
            mirror: Arc::new(RwLock::new(Mirror::default())),
        };
        // One request first, so a wrong endpoint or password fails here, not at the first call.
        backend.list()?;
        backend.start_watch();
        Ok(backend)
    }

    /// The key of `name`'s credential.
    pub fn user_key(&self, name: &str) -> String {
        format!("{}{name}", self.users_prefix)
    }

    /// Runs `work` on the backend's runtime and waits for it from any thread.
    fn call<T: Send + 'static>(
        &self,
        work: impl std::future::Future<Output = Result<T, CredentialError>> + Send + 'static,
    ) -> Result<T, CredentialError> {
        let (tx, rx) = mpsc::sync_channel(1);
        self.runtime.spawn(async move {
            let _ = tx.send(work.await);
        });
        rx.recv().map_err(|_| CredentialError::Storage("etcd: the client runtime stopped".into()))?
    }

    /// Loads the users and follows the prefix from that revision on; on any break (etcd
    /// restarted, history compacted) marks the mirror out of sync and starts again.
    fn start_watch(&self) {
        let (client, prefix, mirror) = (self.client.clone(), self.users_prefix.clone(), self.mirror.clone());
        self.runtime.spawn(async move {
            loop {
                let _ = follow(client.clone(), &prefix, &mirror).await;
                mirror.write().in_sync = false;
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        });
    }

    /// `name`'s stored value and mod revision, from etcd itself.
    fn read(&self, name: &str) -> Result<Option<(String, i64)>, CredentialError> {
        let (mut client, key, name) = (self.client.clone(), self.user_key(name), name.to_string());
        self.call(async move {
            let resp = client.get(key, None).await.map_err(etcd_error)?;
            match resp.kvs().first() {
                Some(kv) => Ok(Some((StoredCredential::decode(&name, kv.value())?, kv.mod_revision()))),
                None => Ok(None),
            }
        })
    }

    fn note_write(&self, name: &str, hash: Option<&str>, revision: i64) {
        self.mirror.write().apply(name.to_string(), hash.map(str::to_string), revision);
    }
}

/// A client for `options`' endpoints, TLS and etcd user, within its connect timeout. The ACL
/// store (`authgate::acl_store`) connects through this too, so both speak to etcd alike.
pub(crate) async fn connect_client(options: &EtcdOptions) -> Result<Client, CredentialError> {
    let scheme = if options.tls.is_some() { "https://" } else { "http://" };
    let endpoints: Vec<String> = options
        .endpoints
        .iter()
        .map(|e| if e.contains("://") { e.clone() } else { format!("{scheme}{e}") })
        .collect();
    let mut connect = ConnectOptions::new()
        .with_connect_timeout(options.connect_timeout)
        .with_timeout(options.request_timeout);
    if let Some((user, password)) = &options.user {
        connect = connect.with_user(user.clone(), password.clone());
    }
    if let Some(tls) = &options.tls {
        let mut config = TlsOptions::new();
        if let Some(ca) = &tls.ca_pem {
            config = config.ca_certificate(Certificate::from_pem(ca));
        }
        if let Some((cert, key)) = &tls.client_cert_pem {
            config = config.identity(Identity::from_pem(cert, key));
        }
        if let Some(domain) = &tls.domain {
            config = config.domain_name(domain.clone());
        }
        connect = connect.with_tls(config);
    }
    let connect_timeout = options.connect_timeout;
    tokio::time::timeout(connect_timeout, Client::connect(endpoints, Some(connect)))
        .await
        .map_err(|_| CredentialError::Storage(format!("etcd: no connection within {connect_timeout:?}")))?
        .map_err(etcd_error)
}

/// One watch session: a full load at revision R, then events from R + 1.
async fn follow(mut client: Client, prefix: &str, mirror: &RwLock<Mirror>) -> Result<(), CredentialError> {
    let resp = client.get(prefix, Some(GetOptions::new().with_prefix())).await.map_err(etcd_error)?;
    let revision = resp.header().map_or(0, |h| h.revision());
    {
        let mut m = mirror.write();
        let present: HashMap<String, String> = resp
            .kvs()
            .iter()
            .filter_map(|kv| {
                let name = kv.key_str().ok()?.strip_prefix(prefix)?.to_string();
                let hash = StoredCredential::decode(&name, kv.value()).ok()?;
                Some((name, hash))
            })
            .collect();
        // Everything not present at `revision` is gone as of `revision`.
        for (name, entry) in m.users.iter_mut() {
            if !present.contains_key(name) && entry.revision < revision {
                *entry = Mirrored { hash: None, revision };
            }
        }
        for (name, hash) in present {
            m.apply(name, Some(hash), revision);
        }
    }
    let mut stream = client
        .watch(prefix, Some(WatchOptions::new().with_prefix().with_start_revision(revision + 1)))
        .await
        .map_err(etcd_error)?;
    mirror.write().in_sync = true;
    while let Some(resp) = stream.message().await.map_err(etcd_error)? {
        if resp.canceled() {
            break;
        }
        let mut m = mirror.write();
        for event in resp.events() {
            let Some(kv) = event.kv() else { continue };
            let Some(name) = kv.key_str().ok().and_then(|k| k.strip_prefix(prefix)) else { continue };
            let hash = match event.event_type() {
                EventType::Put => StoredCredential::decode(name, kv.value()).ok(),
                EventType::Delete => None,
            };
            m.apply(name.to_string(), hash, kv.mod_revision());
        }
    }
    Ok(())
}

impl CredentialBackend for EtcdBackend {
    fn get(&self, name: &str) -> Result<Option<String>, CredentialError> {
        {
            let m = self.mirror.read();
            if m.in_sync {
                return Ok(m.users.get(name).and_then(|e| e.hash.clone()));
            }
        }
        Ok(self.read(name)?.map(|(hash, _)| hash))
    }

    fn get_for_update(&self, name: &str) -> Result<Option<String>, CredentialError> {
        Ok(self.read(name)?.map(|(hash, _)| hash))
    }

    fn list(&self) -> Result<Vec<String>, CredentialError> {
        let (mut client, prefix) = (self.client.clone(), self.users_prefix.clone());
        self.call(async move {
            let resp = client.get(prefix.clone(), Some(GetOptions::new().with_prefix().with_keys_only())).await.map_err(etcd_error)?;
            let mut names: Vec<String> =
                resp.kvs().iter().filter_map(|kv| kv.key_str().ok()?.strip_prefix(prefix.as_str()).map(str::to_string)).collect();
            names.sort();
            Ok(names)
        })
    }

    fn create(&self, name: &str, hash: &str, max_users: usize) -> Result<CreateOutcome, CredentialError> {
        let (mut client, prefix, key, value) =
            (self.client.clone(), self.users_prefix.clone(), self.user_key(name), StoredCredential::encode(hash));
        let (outcome, revision) = self.call(async move {
            // Milvus counts, then writes; two creates racing at the limit may both pass, as
            // with Milvus itself. The write itself is create-if-absent.
            let count = client.get(prefix, Some(GetOptions::new().with_prefix().with_count_only())).await.map_err(etcd_error)?;
            if count.count() as u64 >= max_users as u64 {
                return Ok((CreateOutcome::LimitReached, 0));
            }
            let txn = Txn::new()
                .when([Compare::version(key.clone(), CompareOp::Equal, 0)])
                .and_then([TxnOp::put(key, value, None)]);
            let resp = client.txn(txn).await.map_err(etcd_error)?;
            let revision = resp.header().map_or(0, |h| h.revision());
            Ok((if resp.succeeded() { CreateOutcome::Created } else { CreateOutcome::AlreadyExists }, revision))
        })?;
        if outcome == CreateOutcome::Created {
            self.note_write(name, Some(hash), revision);
        }
        Ok(outcome)
    }

    fn replace(&self, name: &str, expected: Option<&str>, new_hash: &str) -> Result<bool, CredentialError> {
        let current = self.read(name)?;
        if current.as_ref().map(|(h, _)| h.as_str()) != expected {
            return Ok(false);
        }
        let key = self.user_key(name);
        let compare = match &current {
            Some((_, mod_revision)) => Compare::mod_revision(key.clone(), CompareOp::Equal, *mod_revision),
            None => Compare::version(key.clone(), CompareOp::Equal, 0),
        };
        let (mut client, value) = (self.client.clone(), StoredCredential::encode(new_hash));
        let (written, revision) = self.call(async move {
            let resp = client.txn(Txn::new().when([compare]).and_then([TxnOp::put(key, value, None)])).await.map_err(etcd_error)?;
            Ok((resp.succeeded(), resp.header().map_or(0, |h| h.revision())))
        })?;
        if written {
            self.note_write(name, Some(new_hash), revision);
        }
        Ok(written)
    }

    fn delete(&self, name: &str) -> Result<(), CredentialError> {
        let (mut client, key, mappings) =
            (self.client.clone(), self.user_key(name), format!("{}{name}/", self.role_mapping_prefix));
        let revision = self.call(async move {
            // The user and its role mappings go together, so a re-created user inherits no role.
            let txn = Txn::new().and_then([
                TxnOp::delete(key, None),
                TxnOp::delete(mappings, Some(DeleteOptions::new().with_prefix())),
            ]);
            let resp = client.txn(txn).await.map_err(etcd_error)?;
            Ok(resp.header().map_or(0, |h| h.revision()))
        })?;
        self.note_write(name, None, revision);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_milvus_layout() {
        let o = EtcdOptions::default();
        assert_eq!(o.credential_prefix(), "by-dev/meta/root-coord/credential/");
        let o = EtcdOptions { root_path: "x/".into(), meta_sub_path: "/m/".into(), ..EtcdOptions::default() };
        assert_eq!(o.credential_prefix(), "x/m/root-coord/credential/");
    }

    #[test]
    fn the_mirror_never_goes_back_in_time() {
        let mut m = Mirror::default();
        m.apply("a".into(), Some("h2".into()), 5);
        m.apply("a".into(), Some("h1".into()), 4);
        assert_eq!(m.users["a"].hash.as_deref(), Some("h2"));
        m.apply("a".into(), None, 6);
        m.apply("a".into(), Some("h2".into()), 5);
        assert!(m.users["a"].hash.is_none());
    }
}
