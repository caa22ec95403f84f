//! [`TlsOptions`]: the TLS listener settings an embedding program (or a binding) sets on a
//! server, each left to the config file or core's default until set, and the certificate
//! users it registers at every start.
//!
//! Every option is named as in the cross-language vocabulary (`tls_port`, `tls_cert_file`,
//! ...: the redis.conf directive with `_` for `-`), and [`TlsOptions::set`] parses a value
//! given by name with redis-server 7.0.15's checks and texts (the same parser as the
//! directive), so every binding accepts and refuses exactly the same values.

use std::path::PathBuf;

use super::tls::{TlsAuthClients, TlsSettings};
use crate::tls::{CertificateUser, SubjectLine, TlsAuthClientsUser};
use crate::Error;

/// TLS settings of an embedded server. `None` leaves the config file's value, else
/// [`TlsSettings`]' default (`tls-port` 0, `tls-auth-clients yes`, `tls-auth-clients-user
/// off`, every protocol and suite rustls offers). An embedded server opens a TLS listener
/// as soon as a certificate is set; `tls_port` 0 then picks a free port (read it from
/// [`ServerController::tls_port`](super::ServerController::tls_port)).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TlsOptions {
    /// `tls-port`.
    pub port: Option<u16>,
    /// `tls-cert-file`: the server's certificate chain (PEM), leaf first.
    pub cert_file: Option<PathBuf>,
    /// `tls-key-file`: its private key (PEM; encrypted PKCS#8 with `key_file_pass`).
    pub key_file: Option<PathBuf>,
    /// `tls-key-file-pass`: the key file's passphrase.
    pub key_file_pass: Option<Vec<u8>>,
    /// `tls-ca-cert-file`: the CAs client certificates must chain to (PEM bundle).
    pub ca_cert_file: Option<PathBuf>,
    /// `tls-ca-cert-dir`: a directory of PEM CA files.
    pub ca_cert_dir: Option<PathBuf>,
    /// `tls-auth-clients yes|no|optional`.
    pub auth_clients: Option<TlsAuthClients>,
    /// `tls-auth-clients-user off|CN|URI` (Valkey / Redis 8.6).
    pub auth_clients_user: Option<TlsAuthClientsUser>,
    /// `tls-protocols` (`"TLSv1.2 TLSv1.3"`; empty: both).
    pub protocols: Option<String>,
    /// `tls-ciphersuites`: TLS 1.3 suites, colon-separated (empty: all).
    pub ciphersuites: Option<String>,
    /// `tls-ciphers`: TLS 1.2 suites in OpenSSL's names (empty: all).
    pub ciphers: Option<String>,
    /// `tls-prefer-server-ciphers` (rustls always prefers its own order; accepted for
    /// redis.conf compatibility).
    pub prefer_server_ciphers: Option<bool>,
}

/// Vocabulary name and redis.conf directive of every option, in the vocabulary's order.
const OPTIONS: &[(&str, &str)] = &[
    ("tls_port", "tls-port"),
    ("tls_cert_file", "tls-cert-file"),
    ("tls_key_file", "tls-key-file"),
    ("tls_key_file_pass", "tls-key-file-pass"),
    ("tls_ca_cert_file", "tls-ca-cert-file"),
    ("tls_ca_cert_dir", "tls-ca-cert-dir"),
    ("tls_auth_clients", "tls-auth-clients"),
    ("tls_auth_clients_user", "tls-auth-clients-user"),
    ("tls_protocols", "tls-protocols"),
    ("tls_ciphersuites", "tls-ciphersuites"),
    ("tls_ciphers", "tls-ciphers"),
    ("tls_prefer_server_ciphers", "tls-prefer-server-ciphers"),
];

impl TlsOptions {
    /// The vocabulary names of the options, in order.
    pub fn names() -> impl Iterator<Item = &'static str> {
        OPTIONS.iter().map(|(name, _)| *name)
    }

    /// Sets the option `name` (a vocabulary name, e.g. `tls_auth_clients`) from its text
    /// form, as redis.conf writes it (`"6380"`, `"optional"`, `"CN"`, `"yes"`, a path). A
    /// path must not be empty. Errors are `INVALID_ARGUMENT` naming the option, with Redis'
    /// text for the value; nothing changes on error.
    pub fn set(&mut self, name: &str, value: &[u8]) -> Result<(), Error> {
        let Some((_, directive)) = OPTIONS.iter().find(|(n, _)| *n == name) else {
            return Err(Error::invalid_argument(format!("unknown TLS option '{name}'")));
        };
        let is_path = matches!(name, "tls_cert_file" | "tls_key_file" | "tls_ca_cert_file" | "tls_ca_cert_dir");
        if is_path && value.is_empty() {
            return Err(Error::invalid_argument(format!("{name} must not be empty")));
        }
        // The directive's own parser, on a scratch copy, so the texts are Redis'.
        let mut parsed = TlsSettings::default();
        match parsed.apply(directive, value) {
            Some(Ok(())) => {}
            Some(Err(why)) => return Err(Error::invalid_argument(format!("{name}: {why}"))),
            None => unreachable!("every option is a tls-* directive"),
        }
        match name {
            "tls_port" => self.port = Some(parsed.port),
            "tls_cert_file" => self.cert_file = parsed.cert_file,
            "tls_key_file" => self.key_file = parsed.key_file,
            // An empty passphrase is none, as `tls-key-file-pass ""` is.
            "tls_key_file_pass" => self.key_file_pass = Some(value.to_vec()),
            "tls_ca_cert_file" => self.ca_cert_file = parsed.ca_cert_file,
            "tls_ca_cert_dir" => self.ca_cert_dir = parsed.ca_cert_dir,
            "tls_auth_clients" => self.auth_clients = Some(parsed.auth_clients),
            "tls_auth_clients_user" => self.auth_clients_user = Some(parsed.auth_clients_user),
            "tls_protocols" => self.protocols = Some(parsed.protocols),
            "tls_ciphersuites" => self.ciphersuites = Some(parsed.ciphersuites),
            "tls_ciphers" => self.ciphers = Some(parsed.ciphers),
            _ => self.prefer_server_ciphers = Some(parsed.prefer_server_ciphers),
        }
        Ok(())
    }

    /// The default value of option `name` as text (`None` for an unknown name): what a
    /// server uses when neither the option nor a config file sets it.
    pub fn default_text(name: &str) -> Option<String> {
        let (_, directive) = OPTIONS.iter().find(|(n, _)| *n == name)?;
        TlsSettings::default().get(directive).map(|v| String::from_utf8_lossy(&v).into_owned())
    }

    /// Overrides `settings` with every option that is set.
    pub(crate) fn apply_to(&self, settings: &mut TlsSettings) {
        fn put<T: Clone>(to: &mut T, from: &Option<T>) {
            if let Some(v) = from {
                *to = v.clone();
            }
        }
        put(&mut settings.port, &self.port);
        if self.cert_file.is_some() {
            settings.cert_file = self.cert_file.clone();
        }
        if self.key_file.is_some() {
            settings.key_file = self.key_file.clone();
        }
        if let Some(pass) = &self.key_file_pass {
            settings.key_file_pass = (!pass.is_empty()).then(|| pass.clone());
        }
        if self.ca_cert_file.is_some() {
            settings.ca_cert_file = self.ca_cert_file.clone();
        }
        if self.ca_cert_dir.is_some() {
            settings.ca_cert_dir = self.ca_cert_dir.clone();
        }
        put(&mut settings.auth_clients, &self.auth_clients);
        put(&mut settings.auth_clients_user, &self.auth_clients_user);
        put(&mut settings.protocols, &self.protocols);
        put(&mut settings.ciphersuites, &self.ciphersuites);
        put(&mut settings.ciphers, &self.ciphers);
        put(&mut settings.prefer_server_ciphers, &self.prefer_server_ciphers);
    }
}

/// Checks certificate users given as options before any server starts: a name and a
/// subject line that [`SubjectLine::parse`] accepts (`CERTIFICATE` error otherwise), each
/// name once.
pub(crate) fn validate_certificate_users(users: &[CertificateUser]) -> Result<(), Error> {
    for (i, u) in users.iter().enumerate() {
        if u.name.is_empty() {
            return Err(Error::invalid_argument("a certificate user needs a name"));
        }
        if users[..i].iter().any(|o| o.name == u.name) {
            return Err(Error::invalid_argument(format!("certificate user '{}' is given twice", u.name)));
        }
        SubjectLine::parse(&u.certificate_subject_line)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_by_name_with_redis_texts() {
        let mut o = TlsOptions::default();
        o.set("tls_port", b"6380").unwrap();
        o.set("tls_auth_clients", b"OPTIONAL").unwrap();
        o.set("tls_auth_clients_user", b"cn").unwrap();
        o.set("tls_cert_file", b"server.pem").unwrap();
        o.set("tls_prefer_server_ciphers", b"yes").unwrap();
        assert_eq!(o.port, Some(6380));
        assert_eq!(o.auth_clients, Some(TlsAuthClients::Optional));
        assert_eq!(o.auth_clients_user, Some(TlsAuthClientsUser::Cn));
        assert_eq!(o.cert_file, Some(PathBuf::from("server.pem")));
        let before = o.clone();
        let e = o.set("tls_auth_clients", b"maybe").unwrap_err();
        assert_eq!(
            (e.code(), e.message()),
            ("INVALID_ARGUMENT", "tls_auth_clients: argument(s) must be one of the following: no, yes, optional".into())
        );
        let e = o.set("tls_port", b"70000").unwrap_err();
        assert_eq!(e.message(), "tls_port: argument must be between 0 and 65535 inclusive");
        assert_eq!(o.set("tls_cert_file", b"").unwrap_err().code(), "INVALID_ARGUMENT");
        assert_eq!(o.set("tls_bogus", b"x").unwrap_err().message(), "unknown TLS option 'tls_bogus'");
        assert_eq!(o, before, "a refused value changes nothing");
    }

    #[test]
    fn names_and_defaults() {
        let names: Vec<_> = TlsOptions::names().collect();
        assert_eq!(names.len(), 12);
        assert_eq!(TlsOptions::default_text("tls_port").as_deref(), Some("0"));
        assert_eq!(TlsOptions::default_text("tls_auth_clients").as_deref(), Some("yes"));
        assert_eq!(TlsOptions::default_text("tls_auth_clients_user").as_deref(), Some("off"));
        assert_eq!(TlsOptions::default_text("nope"), None);
    }

    /// The names and defaults every binding's tests read from the vocabulary are core's.
    #[test]
    fn the_vocabulary_is_core() {
        let v: serde_json::Value =
            serde_json::from_str(include_str!("../../../../tests/fixtures/vocabulary.json")).unwrap();
        let listed: Vec<&str> = v["server"]["tls_options"].as_array().unwrap().iter().map(|n| n.as_str().unwrap()).collect();
        let mut ours: Vec<&str> = TlsOptions::names().collect();
        ours.push("certificate_users");
        assert_eq!(listed, ours);
        for (name, value) in v["server"]["tls_defaults"].as_object().unwrap() {
            let text = match value {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            assert_eq!(TlsOptions::default_text(name), Some(text), "{name}");
        }
    }

    #[test]
    fn options_override_settings() {
        let mut s = TlsSettings::default();
        s.apply("tls-key-file-pass", b"old").unwrap().unwrap();
        let mut o = TlsOptions::default();
        o.set("tls_key_file_pass", b"").unwrap();
        o.set("tls_auth_clients", b"no").unwrap();
        o.apply_to(&mut s);
        assert_eq!((s.key_file_pass, s.auth_clients, s.port), (None, TlsAuthClients::No, 0));
    }

    #[test]
    fn certificate_users_are_checked() {
        let ok = |n: &str, l: &str| CertificateUser { name: n.into(), certificate_subject_line: l.into() };
        validate_certificate_users(&[ok("a", "CN=a,O=x")]).unwrap();
        assert_eq!(validate_certificate_users(&[ok("a", "CN=a, O=x")]).unwrap_err().code(), "CERTIFICATE");
        assert_eq!(validate_certificate_users(&[ok("", "CN=a")]).unwrap_err().code(), "INVALID_ARGUMENT");
        assert_eq!(validate_certificate_users(&[ok("a", "CN=a"), ok("a", "CN=b")]).unwrap_err().code(), "INVALID_ARGUMENT");
    }
}
