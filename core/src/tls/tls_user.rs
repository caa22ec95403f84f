//! Valkey / Redis 8.6 `tls-auth-clients-user off|CN|URI` (spec mtls.md §A2, read from
//! Valkey's `src/tls.c`): after a handshake that verified a client certificate, one field of
//! it names the ACL user the connection is authenticated as.
//!
//! - `CN`: the first CN of the subject in DER order, its bytes as the certificate stores them,
//!   as far as the first NUL and at most 255 bytes (Valkey copies it into a 256-byte C
//!   buffer); the user with exactly that name must exist and be enabled.
//! - `URI`: the SAN URIs in certificate order, skipping empty ones and ones containing NUL;
//!   the first that names an existing, enabled user wins.
//! - No match does not refuse the connection: it stays `default`. The caller counts INFO
//!   `acl_access_denied_tls_cert` and writes an ACL LOG entry with reason `tls-cert` (only
//!   when the option is on, so with it off everything stays Redis 7.0.15-exact).
//!
//! The server calls [`TlsAuthClientsUser::map`] at handshake with a lookup "is there an
//! enabled user of this name" over its live ACL.

use std::fmt;
use std::str::FromStr;

use super::cert::ClientCert;
use super::error::CertError;
use super::oids;

/// Valkey's CN buffer is 256 bytes, one of them the terminating NUL.
const CN_MAX: usize = 255;

/// The `tls-auth-clients-user` setting.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum TlsAuthClientsUser {
    /// No certificate login (the default).
    #[default]
    Off,
    /// The subject's first common name.
    Cn,
    /// The first SAN URI naming an enabled user.
    Uri,
}

/// What a certificate mapped to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TlsUserMapping {
    /// The option is off: nothing to do, nothing to count or log.
    Off,
    /// The connection is authenticated as this user.
    Authenticated {
        /// The user name.
        user: Vec<u8>,
        /// The server's log line (`TLS: Auto-authenticated client as <user>`).
        log_line: String,
    },
    /// No enabled user matched: the connection stays `default`; count and log it.
    NoMatch {
        /// The server's log line (`TLS: No matching user found ...`).
        log_line: String,
    },
}

impl TlsAuthClientsUser {
    /// The values, as redis.conf writes them.
    pub const VALUES: &'static [&'static str] = &["off", "CN", "URI"];

    /// The value as redis.conf writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            TlsAuthClientsUser::Off => "off",
            TlsAuthClientsUser::Cn => "CN",
            TlsAuthClientsUser::Uri => "URI",
        }
    }

    /// Maps a verified client certificate to a user; `enabled_user(name)` says whether an
    /// ACL user of exactly that name exists and is on.
    pub fn map(self, cert: &ClientCert, mut enabled_user: impl FnMut(&[u8]) -> bool) -> TlsUserMapping {
        match self {
            TlsAuthClientsUser::Off => TlsUserMapping::Off,
            TlsAuthClientsUser::Cn => {
                let Some(cn) = cert.subject_dn().values_of(oids::COMMON_NAME).next() else {
                    return TlsUserMapping::NoMatch {
                        log_line: "TLS: Failed to extract CN in certificate subject".into(),
                    };
                };
                let raw = cn.content();
                let raw = &raw[..raw.len().min(CN_MAX)];
                let name = &raw[..raw.iter().position(|b| *b == 0).unwrap_or(raw.len())];
                if enabled_user(name) {
                    authenticated(name)
                } else {
                    TlsUserMapping::NoMatch {
                        log_line: format!(
                            "TLS: No matching user found for certificate CN '{}'",
                            String::from_utf8_lossy(name)
                        ),
                    }
                }
            }
            TlsAuthClientsUser::Uri => {
                for uri in cert.san_uris() {
                    if uri.is_empty() || uri.contains('\0') {
                        continue;
                    }
                    if enabled_user(uri.as_bytes()) {
                        return authenticated(uri.as_bytes());
                    }
                }
                TlsUserMapping::NoMatch { log_line: "TLS: No matching user found in certificate SAN URI fields".into() }
            }
        }
    }
}

fn authenticated(name: &[u8]) -> TlsUserMapping {
    TlsUserMapping::Authenticated {
        user: name.to_vec(),
        log_line: format!("TLS: Auto-authenticated client as {}", String::from_utf8_lossy(name)),
    }
}

impl FromStr for TlsAuthClientsUser {
    type Err = CertError;

    /// As Redis reads an enum directive: without regard to case.
    fn from_str(s: &str) -> Result<Self, CertError> {
        match s.to_ascii_lowercase().as_str() {
            "off" => Ok(TlsAuthClientsUser::Off),
            "cn" => Ok(TlsAuthClientsUser::Cn),
            "uri" => Ok(TlsAuthClientsUser::Uri),
            _ => Err(CertError::Invalid("argument(s) must be one of the following: off, CN, URI".into())),
        }
    }
}

impl fmt::Display for TlsAuthClientsUser {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
