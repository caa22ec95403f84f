//! [`CredentialOptions`]: the Milvus settings a [`CredentialStore`](super::CredentialStore)
//! applies, with Milvus 2.3.5's defaults.

use std::time::Duration;

use super::error::CredentialError;

/// The name of Milvus' built-in administrator (`util.UserRoot`).
pub const ROOT_USER: &str = "root";

/// bcrypt's lowest and highest cost factors.
pub const BCRYPT_COST_RANGE: std::ops::RangeInclusive<u32> = 4..=31;

/// The Milvus settings a store applies. `Default` is Milvus 2.3.5's configuration, except
/// `bcrypt_cost` (10, bcrypt's default; the 2.3.5 server itself writes cost 4).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CredentialOptions {
    /// `proxy.minPasswordLength` (bytes): 6.
    pub min_password_length: usize,
    /// `proxy.maxPasswordLength` (bytes): 256. bcrypt still refuses more than 72 bytes, with
    /// Milvus' `encrypt password failed` error, as the 2.3.5 server does.
    pub max_password_length: usize,
    /// `proxy.maxUsernameLength` (bytes): 32.
    pub max_username_length: usize,
    /// `proxy.maxUserNum`: 100, root included.
    pub max_user_num: usize,
    /// `common.security.defaultRootPassword`: `Milvus`. Used once, when the store has no root.
    pub default_root_password: String,
    /// `common.security.superUsers`: callers whose password changes skip the old-password check.
    pub super_users: Vec<String>,
    /// The bcrypt cost of hashes this store writes (4..=31). Any cost verifies.
    pub bcrypt_cost: u32,
    /// How many bcrypt computations may run at once in this process; more callers wait.
    /// Default: the number of CPUs.
    pub max_concurrent_bcrypt: usize,
    /// How long a verified password is remembered (as a keyed MAC, never the password), so a
    /// repeated login skips bcrypt. `None` (the default) disables the cache.
    pub verified_cache_ttl: Option<Duration>,
    /// At most this many users are remembered by the verified cache (oldest evicted first).
    pub verified_cache_capacity: usize,
}

impl Default for CredentialOptions {
    fn default() -> Self {
        CredentialOptions {
            min_password_length: 6,
            max_password_length: 256,
            max_username_length: 32,
            max_user_num: 100,
            default_root_password: "Milvus".to_string(),
            super_users: Vec::new(),
            bcrypt_cost: 10,
            max_concurrent_bcrypt: std::thread::available_parallelism().map_or(2, |n| n.get()),
            verified_cache_ttl: None,
            verified_cache_capacity: 10_000,
        }
    }
}

impl CredentialOptions {
    /// Checks the options make sense together; the store refuses to open otherwise.
    pub fn validate(&self) -> Result<(), CredentialError> {
        if !BCRYPT_COST_RANGE.contains(&self.bcrypt_cost) {
            return Err(CredentialError::InvalidOption(format!(
                "bcrypt cost {} out of range 4 <= value <= 31",
                self.bcrypt_cost
            )));
        }
        if self.min_password_length > self.max_password_length {
            return Err(CredentialError::InvalidOption(format!(
                "min password length {} is above max password length {}",
                self.min_password_length, self.max_password_length
            )));
        }
        if self.max_concurrent_bcrypt == 0 {
            return Err(CredentialError::InvalidOption("max concurrent bcrypt must be at least 1".into()));
        }
        if self.max_user_num == 0 {
            return Err(CredentialError::InvalidOption("max user num must be at least 1 (root)".into()));
        }
        Ok(())
    }

    /// Whether `caller` is listed in `super_users`.
    pub fn is_super_user(&self, caller: &str) -> bool {
        self.super_users.iter().any(|u| u == caller)
    }
}
