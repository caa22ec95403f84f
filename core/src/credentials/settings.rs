//! [`StoreSettings`]: where a [`CredentialStore`] keeps its users and every option it applies,
//! set by the option names every language uses (`tests/fixtures/vocabulary.json`,
//! `credentials.options` and `credentials.etcd_options`), so the bindings convert values and
//! nothing else: the defaults, the parsing and the checks are here, once.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use super::error::CredentialError;
use super::memory::MemoryBackend;
use super::options::CredentialOptions;
use super::store::CredentialStore;

/// Where the users are kept.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum StoreLocation {
    /// In this process only.
    #[default]
    Memory,
    /// A JSON file (see [`FileBackend`](super::FileBackend)).
    File(PathBuf),
    /// The etcd of a Milvus: `host:port` (or URL) of each member.
    Etcd(Vec<String>),
}

impl StoreLocation {
    /// etcd members from one `host:port[,host:port...]` text, as Milvus' `etcd.endpoints`.
    pub fn etcd_list(endpoints: &str) -> StoreLocation {
        StoreLocation::Etcd(endpoints.split(',').map(str::trim).filter(|e| !e.is_empty()).map(str::to_string).collect())
    }
}

/// The store options, by their vocabulary names (snake_case; each language spells them in its
/// own casing). `super_users` is a comma-separated list, as Milvus' `common.security.superUsers`.
pub const OPTION_NAMES: [&str; 7] = [
    "min_password_length",
    "max_password_length",
    "max_user_num",
    "default_root_password",
    "super_users",
    "bcrypt_cost",
    "verified_cache_ttl",
];

/// The options that only apply to an etcd store. `etcd_ca`, `etcd_cert` and `etcd_key` are
/// paths of PEM files, read when the store opens.
pub const ETCD_OPTION_NAMES: [&str; 7] =
    ["root_path", "meta_sub_path", "etcd_user", "etcd_password", "etcd_ca", "etcd_cert", "etcd_key"];

/// Everything needed to open a [`CredentialStore`]. `Default` is a store in memory with Milvus
/// 2.3.5's settings.
#[derive(Clone, Debug, Default)]
pub struct StoreSettings {
    /// Where the users are.
    pub location: StoreLocation,
    /// Milvus' settings and the store's own (bcrypt cost, cache).
    pub options: CredentialOptions,
    /// Milvus' `etcd.rootPath`; `None`: `by-dev`.
    pub root_path: Option<String>,
    /// Milvus' `etcd.metaSubPath`; `None`: `meta`.
    pub meta_sub_path: Option<String>,
    /// etcd's own auth: the user (with `etcd_password`).
    pub etcd_user: Option<String>,
    /// etcd's own auth: the password (with `etcd_user`).
    pub etcd_password: Option<String>,
    /// PEM file of the CA that signs the etcd servers' certificates (turns TLS on).
    pub etcd_ca: Option<PathBuf>,
    /// PEM file of a client certificate for etcd (with `etcd_key`; turns TLS on).
    pub etcd_cert: Option<PathBuf>,
    /// PEM file of the client certificate's key (with `etcd_cert`).
    pub etcd_key: Option<PathBuf>,
}

fn invalid(name: &str, value: &str, why: &str) -> CredentialError {
    CredentialError::InvalidOption(format!("{name} {value:?} {why}"))
}

fn count(name: &str, value: &str) -> Result<usize, CredentialError> {
    value.parse().map_err(|_| invalid(name, value, "is not a non-negative integer"))
}

impl StoreSettings {
    /// Settings for `location` with every default.
    pub fn new(location: StoreLocation) -> StoreSettings {
        StoreSettings { location, ..StoreSettings::default() }
    }

    /// Sets one option by its vocabulary name from its text: integers in decimal,
    /// `verified_cache_ttl` in seconds (a decimal number), `super_users` comma-separated,
    /// paths as given. An unknown name or a value that does not parse is refused
    /// (`InvalidOption`) and changes nothing; ranges are checked when the store opens.
    pub fn set(&mut self, name: &str, value: &str) -> Result<(), CredentialError> {
        let o = &mut self.options;
        let text = || Some(value.to_string());
        let path = || Some(PathBuf::from(value));
        match name {
            "min_password_length" => o.min_password_length = count(name, value)?,
            "max_password_length" => o.max_password_length = count(name, value)?,
            "max_user_num" => o.max_user_num = count(name, value)?,
            "default_root_password" => o.default_root_password = value.to_string(),
            "super_users" => {
                o.super_users = value.split(',').map(str::trim).filter(|u| !u.is_empty()).map(str::to_string).collect()
            }
            "bcrypt_cost" => {
                o.bcrypt_cost = value.parse().map_err(|_| invalid(name, value, "is not a bcrypt cost (4..31)"))?
            }
            "verified_cache_ttl" => {
                let seconds: f64 = value.parse().map_err(|_| invalid(name, value, "is not a number of seconds"))?;
                if !(seconds.is_finite() && seconds >= 0.0) {
                    return Err(invalid(name, value, "must be a non-negative number of seconds"));
                }
                o.verified_cache_ttl = Some(Duration::from_secs_f64(seconds));
            }
            "root_path" => self.root_path = text(),
            "meta_sub_path" => self.meta_sub_path = text(),
            "etcd_user" => self.etcd_user = text(),
            "etcd_password" => self.etcd_password = text(),
            "etcd_ca" => self.etcd_ca = path(),
            "etcd_cert" => self.etcd_cert = path(),
            "etcd_key" => self.etcd_key = path(),
            _ => return Err(CredentialError::InvalidOption(format!("unknown credential store option {name:?}"))),
        }
        Ok(())
    }

    /// Every option's default as the text [`set`](Self::set) takes (`verified_cache_ttl`,
    /// off by default, and the etcd user, password and PEM files, unset, are absent).
    pub fn defaults() -> Vec<(&'static str, String)> {
        let o = CredentialOptions::default();
        vec![
            ("min_password_length", o.min_password_length.to_string()),
            ("max_password_length", o.max_password_length.to_string()),
            ("max_user_num", o.max_user_num.to_string()),
            ("default_root_password", o.default_root_password),
            ("super_users", o.super_users.join(",")),
            ("bcrypt_cost", o.bcrypt_cost.to_string()),
            ("root_path", DEFAULT_ROOT_PATH.to_string()),
            ("meta_sub_path", DEFAULT_META_SUB_PATH.to_string()),
        ]
    }

    /// Opens the store (bootstrapping root if it has none). etcd options on a store that is
    /// not in etcd are refused, so a mistyped location does not silently ignore them.
    pub fn open(&self) -> Result<CredentialStore, CredentialError> {
        let options = self.options.clone();
        match &self.location {
            StoreLocation::Etcd(endpoints) => self.open_etcd(endpoints, options),
            other => {
                let etcd_only = [
                    ("root_path", self.root_path.is_some()),
                    ("meta_sub_path", self.meta_sub_path.is_some()),
                    ("etcd_user", self.etcd_user.is_some()),
                    ("etcd_password", self.etcd_password.is_some()),
                    ("etcd_ca", self.etcd_ca.is_some()),
                    ("etcd_cert", self.etcd_cert.is_some()),
                    ("etcd_key", self.etcd_key.is_some()),
                ];
                if let Some((name, _)) = etcd_only.iter().find(|(_, set)| *set) {
                    return Err(CredentialError::InvalidOption(format!("{name} applies to an etcd store only")));
                }
                match other {
                    StoreLocation::File(path) => CredentialStore::file(path.clone(), options),
                    _ => CredentialStore::open(Arc::new(MemoryBackend::new()), options),
                }
            }
        }
    }

    #[cfg(feature = "etcd")]
    fn open_etcd(&self, endpoints: &[String], options: CredentialOptions) -> Result<CredentialStore, CredentialError> {
        CredentialStore::etcd(&self.etcd_options(endpoints)?, options)
    }

    #[cfg(not(feature = "etcd"))]
    fn open_etcd(&self, _endpoints: &[String], _options: CredentialOptions) -> Result<CredentialStore, CredentialError> {
        Err(CredentialError::InvalidOption("this build of authgate has no etcd support (feature `etcd`)".into()))
    }

    /// The etcd connection these settings describe (the PEM files read now).
    #[cfg(feature = "etcd")]
    pub fn etcd_options(&self, endpoints: &[String]) -> Result<super::EtcdOptions, CredentialError> {
        let read = |what: &str, path: &Option<PathBuf>| {
            path.as_ref()
                .map(|p| {
                    std::fs::read(p).map_err(|e| CredentialError::Storage(format!("cannot read {what} {}: {e}", p.display())))
                })
                .transpose()
        };
        let both = |a: &str, b: &str| CredentialError::InvalidOption(format!("{a} and {b} go together"));
        let user = match (&self.etcd_user, &self.etcd_password) {
            (Some(u), Some(p)) => Some((u.clone(), p.clone())),
            (None, None) => None,
            _ => return Err(both("etcd_user", "etcd_password")),
        };
        if self.etcd_cert.is_some() != self.etcd_key.is_some() {
            return Err(both("etcd_cert", "etcd_key"));
        }
        let client_cert_pem = read("etcd_cert", &self.etcd_cert)?.zip(read("etcd_key", &self.etcd_key)?);
        let ca_pem = read("etcd_ca", &self.etcd_ca)?;
        let tls = (ca_pem.is_some() || client_cert_pem.is_some()).then_some(super::EtcdTls { ca_pem, client_cert_pem, domain: None });
        Ok(super::EtcdOptions {
            endpoints: endpoints.to_vec(),
            root_path: self.root_path.clone().unwrap_or_else(|| DEFAULT_ROOT_PATH.to_string()),
            meta_sub_path: self.meta_sub_path.clone().unwrap_or_else(|| DEFAULT_META_SUB_PATH.to_string()),
            user,
            tls,
            ..super::EtcdOptions::default()
        })
    }
}

/// Milvus' default `etcd.rootPath`.
pub const DEFAULT_ROOT_PATH: &str = "by-dev";
/// Milvus' default `etcd.metaSubPath`.
pub const DEFAULT_META_SUB_PATH: &str = "meta";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn option_names_are_the_vocabulary() {
        let vocabulary: serde_json::Value =
            serde_json::from_str(include_str!("../../../tests/fixtures/vocabulary.json")).unwrap();
        let names = |key: &str| -> Vec<String> {
            vocabulary["credentials"][key].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_string()).collect()
        };
        assert_eq!(names("options"), OPTION_NAMES);
        assert_eq!(names("etcd_options"), ETCD_OPTION_NAMES);
        let mut s = StoreSettings::default();
        let rendered = |v: &serde_json::Value| match v {
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Array(items) => items.iter().map(|x| x.as_str().unwrap()).collect::<Vec<_>>().join(","),
            other => other.to_string(),
        };
        for (name, value) in StoreSettings::defaults() {
            assert_eq!(rendered(&vocabulary["credentials"]["defaults"][name]), value, "{name}");
            s.set(name, &value).unwrap();
        }
        for name in OPTION_NAMES.iter().chain(&ETCD_OPTION_NAMES) {
            let value = if *name == "verified_cache_ttl" { "1.5" } else { "7" };
            s.set(name, value).unwrap_or_else(|e| panic!("{name}: {e}"));
        }
    }

    #[test]
    fn bad_values_change_nothing() {
        let mut s = StoreSettings::default();
        for (name, value) in [("min_password_length", "-1"), ("max_user_num", "x"), ("bcrypt_cost", ""), ("verified_cache_ttl", "-2"), ("verified_cache_ttl", "inf"), ("nope", "1")] {
            let e = s.set(name, value).unwrap_err();
            assert_eq!(e.milvus_code(), 1100, "{name}");
        }
        assert_eq!(s.options, CredentialOptions::default());
        s.set("super_users", "root, alice,").unwrap();
        assert_eq!(s.options.super_users, ["root", "alice"]);
    }

    #[test]
    fn etcd_options_need_an_etcd_store() {
        let mut s = StoreSettings::default();
        s.set("bcrypt_cost", "4").unwrap();
        s.set("root_path", "x").unwrap();
        assert_eq!(s.open().unwrap_err().to_string(), "root_path applies to an etcd store only: invalid parameter");
    }
}
