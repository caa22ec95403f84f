//! [`StoreSettings`]: the options of every binding's `from_store`, set by their vocabulary
//! names, so the bindings pass names and values through and core alone knows what they mean.

use std::path::{Path, PathBuf};

use super::{AclStoreOptions, StoreError};

/// The options `from_store` takes besides the address, by the snake_case name every language
/// uses (vocabulary.json's `acl.store_options`).
pub const STORE_OPTIONS: [&str; 4] = ["cache_file", "ca_file", "cert_file", "key_file"];

/// The options of an embedded engine's store, each a path:
///
/// - `cache_file`: where the last state seen is kept, to start from while etcd is unreachable
///   (without one, an unreachable etcd at start is an error);
/// - `ca_file`: PEM of the CA that signed etcd's certificate (TLS to etcd);
/// - `cert_file`, `key_file`: PEM of a client certificate and its key, for etcd's
///   `--client-cert-auth` (both or neither).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StoreSettings {
    /// `cache_file`.
    pub cache_file: Option<PathBuf>,
    /// `ca_file`.
    pub ca_file: Option<PathBuf>,
    /// `cert_file`.
    pub cert_file: Option<PathBuf>,
    /// `key_file`.
    pub key_file: Option<PathBuf>,
}

impl StoreSettings {
    /// Sets the option `name` (one of [`STORE_OPTIONS`]) to `path`; an unknown name is
    /// [`StoreError::InvalidOption`] and changes nothing.
    pub fn set(&mut self, name: &str, path: &Path) -> Result<(), StoreError> {
        let slot = match name {
            "cache_file" => &mut self.cache_file,
            "ca_file" => &mut self.ca_file,
            "cert_file" => &mut self.cert_file,
            "key_file" => &mut self.key_file,
            _ => {
                let known = STORE_OPTIONS.join(", ");
                return Err(StoreError::InvalidOption(format!("unknown ACL store option '{name}' (known: {known})")));
            }
        };
        *slot = Some(path.to_path_buf());
        Ok(())
    }

    /// The store options for `url` (core's defaults for the rest), the TLS files read now.
    pub fn options(&self, url: &str) -> Result<AclStoreOptions, StoreError> {
        let mut options = AclStoreOptions::new(url);
        options.cache_file = self.cache_file.clone();
        options.set_tls_files_named(
            ["ca_file", "cert_file", "key_file"],
            self.ca_file.as_deref(),
            self.cert_file.as_deref(),
            self.key_file.as_deref(),
        )?;
        Ok(options)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_vocabulary_is_core() {
        let v: serde_json::Value =
            serde_json::from_str(include_str!("../../../../tests/fixtures/vocabulary.json")).unwrap();
        let listed: Vec<&str> = v["acl"]["store_options"].as_array().unwrap().iter().map(|n| n.as_str().unwrap()).collect();
        assert_eq!(listed, STORE_OPTIONS);
    }

    #[test]
    fn every_option_is_settable_by_its_name_and_others_are_refused() {
        let mut s = StoreSettings::default();
        for name in STORE_OPTIONS {
            s.set(name, Path::new(&format!("/x/{name}"))).unwrap();
        }
        assert_eq!(s.cache_file.as_deref(), Some(Path::new("/x/cache_file")));
        assert_eq!(s.key_file.as_deref(), Some(Path::new("/x/key_file")));
        let before = s.clone();
        let e = s.set("cache", Path::new("/y")).unwrap_err();
        assert_eq!(e.to_string(), "unknown ACL store option 'cache' (known: cache_file, ca_file, cert_file, key_file)");
        assert_eq!(s, before);
    }

    #[test]
    fn tls_files_are_read_and_a_certificate_needs_its_key() {
        let dir = std::env::temp_dir().join(format!("authgate-store-settings-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let ca = dir.join("ca.pem");
        std::fs::write(&ca, b"CA PEM").unwrap();
        let s = StoreSettings { ca_file: Some(ca.clone()), ..StoreSettings::default() };
        let tls = s.options("etcd://h:1/p").unwrap().tls.unwrap();
        assert_eq!(tls.ca_pem.as_deref(), Some(&b"CA PEM"[..]));
        assert!(tls.client_cert_pem.is_none());
        assert!(StoreSettings::default().options("etcd://h:1/p").unwrap().tls.is_none());

        let half = StoreSettings { cert_file: Some(ca.clone()), ..StoreSettings::default() };
        let e = half.options("etcd://h:1/p").unwrap_err();
        assert_eq!(e.to_string(), "cert_file and key_file go together");
        assert_eq!(crate::Error::from(e).kind(), crate::ErrorKind::InvalidArgument);

        let missing = StoreSettings { ca_file: Some(dir.join("none.pem")), ..StoreSettings::default() };
        let e = missing.options("etcd://h:1/p").unwrap_err();
        assert!(e.to_string().starts_with(&format!("cannot read ca_file {}: ", dir.join("none.pem").display())), "{e}");
        assert_eq!(crate::Error::from(e).kind(), crate::ErrorKind::Io);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
