//! Milvus credential management, as the Milvus 2.3.5 server does it: users with bcrypt
//! password hashes, Milvus' username and password rules, its error codes and texts byte for
//! byte, the root user bootstrapped once, and the user limit.
//!
//! [`CredentialStore`] applies the rules over one [`CredentialBackend`]: [`MemoryBackend`],
//! [`FileBackend`] (a JSON file, atomic writes, shared by processes) or, with the `etcd`
//! feature, `EtcdBackend`: the very keys a real Milvus keeps in etcd, so a user created by
//! Milvus verifies here and a user created here logs in to Milvus.
//!
//! ```
//! use authgate::credentials::{CredentialOptions, CredentialStore, MemoryBackend};
//! use std::sync::Arc;
//!
//! let options = CredentialOptions { bcrypt_cost: 4, ..CredentialOptions::default() };
//! let store = CredentialStore::open(Arc::new(MemoryBackend::new()), options)?;
//! assert!(store.verify("root", b"Milvus")?);
//! store.create_user("alice", b"secret1")?;
//! let e = store.create_user("alice", b"secret1").unwrap_err();
//! assert_eq!((e.milvus_code(), e.to_string().as_str()), (65535, "user already exists: alice"));
//! # Ok::<(), authgate::credentials::CredentialError>(())
//! ```

mod authorization;
mod backend;
mod cache;
mod error;
#[cfg(feature = "etcd")]
pub(crate) mod etcd;
mod file;
mod hash;
mod memory;
mod options;
mod rules;
mod settings;
mod store;

pub use authorization::milvus_authorization;
pub use backend::{CreateOutcome, CredentialBackend, StoredCredential};
pub use cache::VerifiedCache;
pub use error::{
    CredentialError, CODE_INVALID_PARAMETER, CODE_NOT_AUTHENTICATED, CODE_PRIVILEGE_NOT_PERMITTED, CODE_UNEXPECTED,
};
#[cfg(feature = "etcd")]
pub use etcd::{EtcdBackend, EtcdOptions, EtcdTls};
pub use file::FileBackend;
pub use hash::{hash_password, verify_password, BcryptGate};
pub use memory::MemoryBackend;
pub use options::{CredentialOptions, BCRYPT_COST_RANGE, ROOT_USER};
pub use rules::{trim_go_space, validate_password, validate_username, BCRYPT_MAX_PASSWORD_BYTES};
pub use settings::{StoreLocation, StoreSettings, DEFAULT_META_SUB_PATH, DEFAULT_ROOT_PATH, ETCD_OPTION_NAMES, OPTION_NAMES};
pub use store::CredentialStore;
