//! [`CredentialStore`]: Milvus 2.3.5's user management (create, update password, delete, list,
//! verify) over any [`CredentialBackend`], with the server's rules, order of checks and texts.

use std::path::PathBuf;
use std::sync::Arc;

use super::backend::{CreateOutcome, CredentialBackend};
use super::cache::VerifiedCache;
use super::error::CredentialError;
use super::file::FileBackend;
use super::hash::{hash_password, verify_password, BcryptGate};
use super::memory::MemoryBackend;
use super::options::{CredentialOptions, ROOT_USER};
use super::rules::{trim_go_space, validate_password, validate_username};

/// How often a password change retries when another writer changed the same user between
/// the read and the compare-and-swap.
const CAS_ATTEMPTS: usize = 8;

/// Milvus-compatible user store; see the [module doc](super). Cheap to share across threads
/// (`&self` methods; bcrypt work is bounded by [`CredentialOptions::max_concurrent_bcrypt`]).
#[derive(Debug)]
pub struct CredentialStore {
    backend: Arc<dyn CredentialBackend>,
    options: CredentialOptions,
    gate: BcryptGate,
    cache: Option<VerifiedCache>,
}

impl CredentialStore {
    /// A store in memory with the default options; root is created with password `Milvus`.
    pub fn memory() -> Result<CredentialStore, CredentialError> {
        CredentialStore::open(Arc::new(MemoryBackend::new()), CredentialOptions::default())
    }

    /// A store in the JSON file `path` (see [`FileBackend`]).
    pub fn file(path: impl Into<PathBuf>, options: CredentialOptions) -> Result<CredentialStore, CredentialError> {
        CredentialStore::open(Arc::new(FileBackend::open(path)?), options)
    }

    /// A store in etcd, in the keys a real Milvus uses (see [`EtcdBackend`](super::EtcdBackend)).
    #[cfg(feature = "etcd")]
    pub fn etcd(etcd: &super::EtcdOptions, options: CredentialOptions) -> Result<CredentialStore, CredentialError> {
        CredentialStore::open(Arc::new(super::EtcdBackend::connect(etcd)?), options)
    }

    /// A store over `backend`. Checks the options, then bootstraps root once: if the store has
    /// no `root`, it is created with `default_root_password` (an existing root is never
    /// changed, as Milvus' root coordinator does at start).
    pub fn open(backend: Arc<dyn CredentialBackend>, options: CredentialOptions) -> Result<CredentialStore, CredentialError> {
        options.validate()?;
        let cache = options.verified_cache_ttl.map(|ttl| VerifiedCache::new(ttl, options.verified_cache_capacity));
        let store = CredentialStore { gate: BcryptGate::new(options.max_concurrent_bcrypt), backend, options, cache };
        if store.backend.get(ROOT_USER)?.is_none() {
            let hash = store.hash(store.options.default_root_password.as_bytes())?;
            // Another process may bootstrap at the same moment: whoever writes first wins.
            store.backend.replace(ROOT_USER, None, &hash)?;
        }
        Ok(store)
    }

    /// The options in force.
    pub fn options(&self) -> &CredentialOptions {
        &self.options
    }

    /// The backend.
    pub fn backend(&self) -> &Arc<dyn CredentialBackend> {
        &self.backend
    }

    fn hash(&self, password: &[u8]) -> Result<String, CredentialError> {
        self.gate.run(|| hash_password(password, self.options.bcrypt_cost))
    }

    /// Verifies against `stored`, through the cache when there is one.
    fn matches(&self, name: &str, password: &[u8], stored: &str) -> bool {
        if let Some(cache) = &self.cache {
            if cache.hit(name, password, stored) {
                return true;
            }
        }
        let ok = self.gate.run(|| verify_password(password, stored));
        if ok {
            if let Some(cache) = &self.cache {
                cache.remember(name, password, stored);
            }
        }
        ok
    }

    fn forget(&self, name: &str) {
        if let Some(cache) = &self.cache {
            cache.forget(name);
        }
    }

    /// Creates `name` (stored untrimmed, as Milvus does). Checks, in Milvus' order: the
    /// username rules, the password length, bcrypt's 72 bytes, the user limit (root counts),
    /// an existing user.
    pub fn create_user(&self, name: &str, password: &[u8]) -> Result<(), CredentialError> {
        validate_username(name, &self.options)?;
        validate_password(password, &self.options)?;
        let hash = self.hash(password)?;
        match self.backend.create(name, &hash, self.options.max_user_num)? {
            CreateOutcome::Created => {
                self.forget(name);
                Ok(())
            }
            CreateOutcome::AlreadyExists => Err(CredentialError::UserAlreadyExists(name.to_string())),
            CreateOutcome::LimitReached => Err(CredentialError::UserLimitReached),
        }
    }

    /// Changes `name`'s password. `old` must verify unless `caller` (the authenticated user
    /// making the request, not the target) is one of `super_users`. An unknown user fails as a
    /// wrong old password does, and the name is not checked against the username rules, as in
    /// Milvus 2.3.5; a super user's update of an unknown user creates it, as there.
    pub fn update_password(&self, name: &str, old: &[u8], new: &[u8], caller: Option<&str>) -> Result<(), CredentialError> {
        validate_password(new, &self.options)?;
        let privileged = caller.is_some_and(|c| self.options.is_super_user(c));
        let wrong_old = || CredentialError::OldPasswordNotCorrect(name.to_string());
        let mut new_hash = None;
        for _ in 0..CAS_ATTEMPTS {
            let stored = self.backend.get_for_update(name)?;
            if !privileged && !stored.as_deref().is_some_and(|s| self.matches(name, old, s)) {
                return Err(wrong_old());
            }
            let hash = match &new_hash {
                Some(h) => h,
                None => new_hash.insert(self.hash(new)?),
            };
            let written = self.backend.replace(name, stored.as_deref(), hash)?;
            self.forget(name);
            if written {
                return Ok(());
            }
            // Another writer changed `name` in between: check the old password again against
            // what is stored now, so no concurrent update is silently overwritten.
        }
        Err(CredentialError::Storage(format!("{name} kept changing during the password update; retry")))
    }

    /// Deletes `name` (exactly: not trimmed) and its role mappings. `root` cannot be deleted;
    /// an unknown user is not an error, and an empty (or all white space) name fails, as in
    /// Milvus 2.3.5.
    pub fn delete_user(&self, name: &str) -> Result<(), CredentialError> {
        if name == ROOT_USER {
            return Err(CredentialError::RootUndeletable);
        }
        if trim_go_space(name).is_empty() {
            return Err(CredentialError::DeleteFailed);
        }
        self.backend.delete(name)?;
        self.forget(name);
        Ok(())
    }

    /// Every user, root included, in byte order.
    pub fn list_users(&self) -> Result<Vec<String>, CredentialError> {
        self.backend.list()
    }

    /// Whether `password` is `name`'s password (exact name: a login is not trimmed). A wrong
    /// password and an unknown user both give `false`; only a storage failure is an error.
    pub fn verify(&self, name: &str, password: &[u8]) -> Result<bool, CredentialError> {
        Ok(match self.backend.get(name)? {
            Some(stored) => self.matches(name, password, &stored),
            None => false,
        })
    }
}
