//! [`CredentialBackend`]: where a [`CredentialStore`](super::CredentialStore) keeps its users.
//! One trait for the memory, file and etcd stores; each operation is atomic on its own, so two
//! writers (threads, processes, or a Milvus sharing the etcd) never lose an update.

use super::error::CredentialError;

/// What [`CredentialBackend::create`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CreateOutcome {
    /// The user was written.
    Created,
    /// A user of that name exists; nothing was written.
    AlreadyExists,
    /// The store already holds the maximum number of users; nothing was written.
    LimitReached,
}

/// A store of (user name, bcrypt hash) records. Names are stored exactly as given (Milvus
/// stores them untrimmed); hashes are bcrypt strings.
pub trait CredentialBackend: Send + Sync + std::fmt::Debug {
    /// The stored hash of `name`, if the user exists.
    fn get(&self, name: &str) -> Result<Option<String>, CredentialError>;

    /// The stored hash of `name` as the store holds it now, for a read-modify-write: a
    /// backend that serves [`get`](CredentialBackend::get) from a local mirror reads the
    /// source here.
    fn get_for_update(&self, name: &str) -> Result<Option<String>, CredentialError> {
        self.get(name)
    }

    /// Every user name, in byte order (the order an etcd prefix listing gives).
    fn list(&self) -> Result<Vec<String>, CredentialError>;

    /// Writes a new user unless `max_users` users already exist or `name` exists (checked in
    /// that order, as Milvus 2.3.5 does: at the limit, an existing name gets the limit error).
    fn create(&self, name: &str, hash: &str, max_users: usize) -> Result<CreateOutcome, CredentialError>;

    /// Compare-and-swap: sets `name`'s hash to `new_hash` only if its current hash is
    /// `expected` (`None`: the user must not exist). Returns whether it was written.
    fn replace(&self, name: &str, expected: Option<&str>, new_hash: &str) -> Result<bool, CredentialError>;

    /// Removes `name` (and, where the store keeps them, its role mappings). Removing an
    /// unknown user is not an error, as in Milvus.
    fn delete(&self, name: &str) -> Result<(), CredentialError>;
}

/// The JSON value Milvus stores for a user (`internalpb.CredentialInfo` as Go's protobuf JSON
/// marshals it): only the hash, the name being the key.
#[derive(serde::Serialize, serde::Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct StoredCredential {
    /// The bcrypt hash.
    pub encrypted_password: String,
}

impl StoredCredential {
    /// Milvus' value bytes for `hash`: `{"encrypted_password":"<hash>"}`.
    pub fn encode(hash: &str) -> Vec<u8> {
        serde_json::to_vec(&StoredCredential { encrypted_password: hash.to_string() }).expect("a struct of one string serializes")
    }

    /// The hash inside a stored value; a value that is not Milvus' JSON is a storage error
    /// naming the user.
    pub fn decode(name: &str, value: &[u8]) -> Result<String, CredentialError> {
        serde_json::from_slice::<StoredCredential>(value)
            .map(|c| c.encrypted_password)
            .map_err(|e| CredentialError::Storage(format!("the stored credential of {name} is not readable: {e}")))
    }
}
