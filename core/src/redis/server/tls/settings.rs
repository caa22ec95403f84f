//! The `tls-*` settings of redis.conf, the command line and CONFIG SET, with redis-server
//! 7.0.15's value checks and texts. `tls-auth-clients-user` is the Valkey / Redis 8.6
//! extension (redis-server 7.0.15 has no such directive).

use std::path::{Path, PathBuf};

use crate::redis::server::config::parse_port;
use crate::tls::TlsAuthClientsUser;

/// `tls-auth-clients`: whether clients of the TLS port must show a certificate.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum TlsAuthClients {
    /// `no`: no certificate is asked for (and none is accepted).
    No,
    /// `yes` (the default): a certificate chaining to the CAs is required.
    #[default]
    Yes,
    /// `optional`: a certificate is asked for; one that is sent must verify.
    Optional,
}

impl TlsAuthClients {
    /// Every value, in the order Redis lists them in its error.
    pub const ALL: [TlsAuthClients; 3] = [TlsAuthClients::No, TlsAuthClients::Yes, TlsAuthClients::Optional];

    /// The redis.conf spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            TlsAuthClients::No => "no",
            TlsAuthClients::Yes => "yes",
            TlsAuthClients::Optional => "optional",
        }
    }

    /// Parses a value without regard to case, with Redis' error text.
    pub fn from_bytes(v: &[u8]) -> Result<TlsAuthClients, String> {
        TlsAuthClients::ALL.into_iter().find(|m| v.eq_ignore_ascii_case(m.as_str().as_bytes())).ok_or_else(|| {
            "argument(s) must be one of the following: no, yes, optional".to_string()
        })
    }
}

/// The TLS listener's settings. Files are read when the listener is configured (at start
/// and at CONFIG SET), never lazily.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TlsSettings {
    /// `tls-port`: 0 (the default) opens no TLS listener (an embedded server with
    /// [`Config::free_port_for_zero`](crate::server::Config::free_port_for_zero) set has no
    /// TLS listener either unless a certificate is configured; then 0 picks a free port).
    pub port: u16,
    /// `tls-cert-file`: the server's certificate chain (PEM), leaf first.
    pub cert_file: Option<PathBuf>,
    /// `tls-key-file`: its private key (PEM: PKCS#8, PKCS#1 or SEC1; encrypted PKCS#8 with
    /// `tls-key-file-pass`).
    pub key_file: Option<PathBuf>,
    /// `tls-key-file-pass`: the key file's passphrase. CONFIG GET shows it, as Redis does.
    pub key_file_pass: Option<Vec<u8>>,
    /// `tls-ca-cert-file`: the CAs client certificates must chain to (PEM bundle).
    pub ca_cert_file: Option<PathBuf>,
    /// `tls-ca-cert-dir`: a directory whose PEM files add CAs.
    pub ca_cert_dir: Option<PathBuf>,
    /// `tls-auth-clients`.
    pub auth_clients: TlsAuthClients,
    /// `tls-auth-clients-user` (Valkey / Redis 8.6): the certificate field naming the user.
    pub auth_clients_user: TlsAuthClientsUser,
    /// `tls-protocols` as written (empty: TLSv1.2 and TLSv1.3).
    pub protocols: String,
    /// `tls-ciphersuites` as written: TLS 1.3 suites, colon-separated (empty: all).
    pub ciphersuites: String,
    /// `tls-ciphers` as written: TLS 1.2 suites in OpenSSL's names (empty: all).
    pub ciphers: String,
    /// `tls-prefer-server-ciphers`: the server's suite order wins (rustls' behaviour for
    /// either value: it always picks by its own order, which is the secure one).
    pub prefer_server_ciphers: bool,
}

/// TLS directives redis-server 7.0.15 knows that concern replication, cluster, DH or
/// session caching: accepted (so a redis.conf loads) and ignored, as this server has no
/// replication or cluster, rustls does no finite-field DH, and it keeps its own session cache.
const IGNORED: &[&str] = &[
    "tls-replication",
    "tls-cluster",
    "tls-client-cert-file",
    "tls-client-key-file",
    "tls-client-key-file-pass",
    "tls-dh-params-file",
    "tls-session-caching",
    "tls-session-cache-size",
    "tls-session-cache-timeout",
];

fn path_value(v: &[u8]) -> Option<PathBuf> {
    (!v.is_empty()).then(|| PathBuf::from(String::from_utf8_lossy(v).as_ref()))
}

fn text_value(v: &[u8]) -> String {
    String::from_utf8_lossy(v).into_owned()
}

/// Redis' yes/no parser text.
fn parse_bool(v: &[u8]) -> Result<bool, String> {
    if v.eq_ignore_ascii_case(b"yes") {
        Ok(true)
    } else if v.eq_ignore_ascii_case(b"no") {
        Ok(false)
    } else {
        Err("argument must be 'yes' or 'no'".into())
    }
}

impl TlsSettings {
    /// Every `tls-*` name CONFIG GET and SET know here, in redis-server's order.
    pub const NAMES: &'static [&'static str] = &[
        "tls-port",
        "tls-cert-file",
        "tls-key-file",
        "tls-key-file-pass",
        "tls-ca-cert-file",
        "tls-ca-cert-dir",
        "tls-auth-clients",
        "tls-auth-clients-user",
        "tls-protocols",
        "tls-ciphersuites",
        "tls-ciphers",
        "tls-prefer-server-ciphers",
    ];

    /// Applies one `tls-*` directive with one value; `None` if `name` is not one of them.
    /// Errors are Redis' per-directive texts.
    pub fn apply(&mut self, name: &str, v: &[u8]) -> Option<Result<(), String>> {
        let r = match name {
            "tls-port" => parse_port(v).map(|p| self.port = p),
            "tls-cert-file" => Ok(self.cert_file = path_value(v)),
            "tls-key-file" => Ok(self.key_file = path_value(v)),
            "tls-key-file-pass" => Ok(self.key_file_pass = (!v.is_empty()).then(|| v.to_vec())),
            "tls-ca-cert-file" => Ok(self.ca_cert_file = path_value(v)),
            "tls-ca-cert-dir" => Ok(self.ca_cert_dir = path_value(v)),
            "tls-auth-clients" => TlsAuthClients::from_bytes(v).map(|m| self.auth_clients = m),
            "tls-auth-clients-user" => String::from_utf8_lossy(v)
                .parse::<TlsAuthClientsUser>()
                .map(|m| self.auth_clients_user = m)
                .map_err(|_| "argument(s) must be one of the following: off, CN, URI".to_string()),
            "tls-protocols" => Ok(self.protocols = text_value(v)),
            "tls-ciphersuites" => Ok(self.ciphersuites = text_value(v)),
            "tls-ciphers" => Ok(self.ciphers = text_value(v)),
            "tls-prefer-server-ciphers" => parse_bool(v).map(|b| self.prefer_server_ciphers = b),
            n if IGNORED.contains(&n) => Ok(()),
            _ => return None,
        };
        Some(r)
    }

    /// The CONFIG GET value of a `tls-*` name (`None` if it is not one of [`Self::NAMES`]).
    pub fn get(&self, name: &str) -> Option<Vec<u8>> {
        let path = |p: &Option<PathBuf>| p.as_ref().map(|p| p.to_string_lossy().into_owned()).unwrap_or_default();
        let v = match name {
            "tls-port" => self.port.to_string(),
            "tls-cert-file" => path(&self.cert_file),
            "tls-key-file" => path(&self.key_file),
            "tls-key-file-pass" => return Some(self.key_file_pass.clone().unwrap_or_default()),
            "tls-ca-cert-file" => path(&self.ca_cert_file),
            "tls-ca-cert-dir" => path(&self.ca_cert_dir),
            "tls-auth-clients" => self.auth_clients.as_str().into(),
            "tls-auth-clients-user" => self.auth_clients_user.as_str().into(),
            "tls-protocols" => self.protocols.clone(),
            "tls-ciphersuites" => self.ciphersuites.clone(),
            "tls-ciphers" => self.ciphers.clone(),
            "tls-prefer-server-ciphers" => if self.prefer_server_ciphers { "yes" } else { "no" }.into(),
            _ => return None,
        };
        Some(v.into_bytes())
    }

    /// A TLS listener is configured: a port, or (embedded, port 0 = a free port) a
    /// certificate.
    pub fn wanted(&self, free_port_for_zero: bool) -> bool {
        self.port != 0 || (free_port_for_zero && self.cert_file.is_some())
    }

    /// `path` resolved as redis-server resolves it: relative to `dir` (it changes into `dir`
    /// while reading its configuration).
    pub(crate) fn resolve(path: &Path, dir: Option<&Path>) -> PathBuf {
        match dir {
            Some(d) if path.is_relative() => d.join(path),
            _ => path.to_path_buf(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directives_and_their_errors() {
        let mut t = TlsSettings::default();
        assert_eq!(t.apply("tls-port", b"6380"), Some(Ok(())));
        assert_eq!(t.apply("tls-auth-clients", b"OPTIONAL"), Some(Ok(())));
        assert_eq!(t.auth_clients, TlsAuthClients::Optional);
        assert_eq!(
            t.apply("tls-auth-clients", b"maybe"),
            Some(Err("argument(s) must be one of the following: no, yes, optional".into()))
        );
        assert_eq!(t.apply("tls-auth-clients-user", b"cn"), Some(Ok(())));
        assert_eq!(t.get("tls-auth-clients-user").unwrap(), b"CN");
        assert_eq!(t.apply("tls-port", b"70000"), Some(Err("argument must be between 0 and 65535 inclusive".into())));
        assert_eq!(t.apply("tls-cert-file", b"a.pem"), Some(Ok(())));
        assert_eq!(t.get("tls-cert-file").unwrap(), b"a.pem");
        assert_eq!(t.apply("tls-cert-file", b""), Some(Ok(())));
        assert_eq!(t.cert_file, None);
        assert_eq!(t.apply("tls-replication", b"yes"), Some(Ok(())));
        assert_eq!(t.apply("tls-bogus", b"x"), None);
        assert_eq!(t.apply("tls-prefer-server-ciphers", b"x"), Some(Err("argument must be 'yes' or 'no'".into())));
        assert_eq!(t.get("tls-port").unwrap(), b"6380");
    }
}
