//! [`MemoryBackend`]: users in this process only (tests, a single service that owns them).

use std::collections::BTreeMap;

use parking_lot::Mutex;

use super::backend::{CreateOutcome, CredentialBackend};
use super::error::CredentialError;

/// Users in a map behind a lock; every operation is atomic.
#[derive(Debug, Default)]
pub struct MemoryBackend {
    users: Mutex<BTreeMap<String, String>>,
}

impl MemoryBackend {
    /// An empty store.
    pub fn new() -> MemoryBackend {
        MemoryBackend::default()
    }
}

/// The shared logic of the map-based stores (memory and file): one atomic step on a map.
pub(super) fn create_in(users: &mut BTreeMap<String, String>, name: &str, hash: &str, max_users: usize) -> CreateOutcome {
    if users.len() >= max_users {
        CreateOutcome::LimitReached
    } else if users.contains_key(name) {
        CreateOutcome::AlreadyExists
    } else {
        users.insert(name.to_string(), hash.to_string());
        CreateOutcome::Created
    }
}

/// Compare-and-swap on a map; see [`CredentialBackend::replace`].
pub(super) fn replace_in(users: &mut BTreeMap<String, String>, name: &str, expected: Option<&str>, new_hash: &str) -> bool {
    if users.get(name).map(String::as_str) != expected {
        return false;
    }
    users.insert(name.to_string(), new_hash.to_string());
    true
}

impl CredentialBackend for MemoryBackend {
    fn get(&self, name: &str) -> Result<Option<String>, CredentialError> {
        Ok(self.users.lock().get(name).cloned())
    }

    fn list(&self) -> Result<Vec<String>, CredentialError> {
        Ok(self.users.lock().keys().cloned().collect())
    }

    fn create(&self, name: &str, hash: &str, max_users: usize) -> Result<CreateOutcome, CredentialError> {
        Ok(create_in(&mut self.users.lock(), name, hash, max_users))
    }

    fn replace(&self, name: &str, expected: Option<&str>, new_hash: &str) -> Result<bool, CredentialError> {
        Ok(replace_in(&mut self.users.lock(), name, expected, new_hash))
    }

    fn delete(&self, name: &str) -> Result<(), CredentialError> {
        self.users.lock().remove(name);
        Ok(())
    }
}
