//! [`RestConfig`]: the admin REST API's settings, as redis.conf directives (and `authgate serve`
//! options of the same names).
//!
//! | directive | meaning |
//! |---|---|
//! | `rest-port N` | HTTPS port of the REST API; 0 (the default) leaves it off |
//! | `rest-cert-file FILE`, `rest-key-file FILE` | its certificate chain and key (PEM); default: `tls-cert-file` / `tls-key-file` |
//! | `rest-key-file-pass PASS` | the passphrase of an encrypted (PKCS#8) key; default: `tls-key-file-pass` |
//! | `rest-admin-user NAME` | the first admin: created (or its password reset) at every start |
//! | `rest-admin-password-file FILE` | that admin's password: the file's first line |
//! | `rest-bcrypt-cost N` | bcrypt cost of REST passwords (4..=31, default 12) |
//!
//! The REST API listens on the server's `bind` addresses.

use std::path::PathBuf;

use crate::redis::server::config::parse_range;

/// Default `rest-bcrypt-cost`.
pub const DEFAULT_REST_BCRYPT_COST: u32 = 12;

/// The REST API's settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RestConfig {
    /// `rest-port`: 0 is off (unlike `port`, where 0 picks a free port: the REST API is opt-in,
    /// so a free port is asked for with `rest-port auto`).
    pub port: RestPort,
    /// `rest-cert-file`.
    pub cert_file: Option<PathBuf>,
    /// `rest-key-file`.
    pub key_file: Option<PathBuf>,
    /// `rest-key-file-pass` (`None`: `tls-key-file-pass` applies).
    pub key_file_pass: Option<Vec<u8>>,
    /// `rest-admin-user`.
    pub admin_user: Option<String>,
    /// `rest-admin-password-file`.
    pub admin_password_file: Option<PathBuf>,
    /// `rest-bcrypt-cost`.
    pub bcrypt_cost: u32,
}

/// Where the REST API listens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RestPort {
    /// No REST API (`rest-port 0`, the default).
    #[default]
    Off,
    /// A free port the OS picks (`rest-port auto`); the log names it.
    Auto,
    /// This port.
    Port(u16),
}

impl RestPort {
    /// The port to bind, if the API is on.
    pub fn bind_port(self) -> Option<u16> {
        match self {
            RestPort::Off => None,
            RestPort::Auto => Some(0),
            RestPort::Port(p) => Some(p),
        }
    }
}

impl Default for RestConfig {
    fn default() -> Self {
        RestConfig {
            port: RestPort::Off,
            cert_file: None,
            key_file: None,
            key_file_pass: None,
            admin_user: None,
            admin_password_file: None,
            bcrypt_cost: DEFAULT_REST_BCRYPT_COST,
        }
    }
}

/// The directive names this module reads.
pub const DIRECTIVES: &[&str] =
    &["rest-port", "rest-cert-file", "rest-key-file", "rest-key-file-pass", "rest-admin-user", "rest-admin-password-file", "rest-bcrypt-cost"];

impl RestConfig {
    /// Applies one `rest-*` directive (`name` lower-case, one argument); errors are the
    /// per-line message of a fatal config error.
    pub fn apply(&mut self, name: &str, args: &[Vec<u8>]) -> Result<(), String> {
        let [value] = args else { return Err("wrong number of arguments".to_string()) };
        let text = || String::from_utf8_lossy(value).into_owned();
        let path = || (!value.is_empty()).then(|| PathBuf::from(text()));
        match name {
            "rest-port" if value.eq_ignore_ascii_case(b"auto") => self.port = RestPort::Auto,
            "rest-port" => {
                self.port = match parse_range(value, 0, 65535)? {
                    0 => RestPort::Off,
                    p => RestPort::Port(p as u16),
                }
            }
            "rest-cert-file" => self.cert_file = path(),
            "rest-key-file" => self.key_file = path(),
            "rest-key-file-pass" => self.key_file_pass = (!value.is_empty()).then(|| value.clone()),
            "rest-admin-user" => {
                let user = text();
                if let Err(e) = super::users::validate_name(&user) {
                    return Err(e.message);
                }
                self.admin_user = Some(user);
            }
            "rest-admin-password-file" => self.admin_password_file = path(),
            "rest-bcrypt-cost" => self.bcrypt_cost = parse_range(value, 4, 31)? as u32,
            _ => return Err("Bad directive or wrong number of arguments".to_string()),
        }
        Ok(())
    }

    /// Checks combinations that cannot start.
    pub fn validate(&self) -> Result<(), String> {
        if self.admin_user.is_some() != self.admin_password_file.is_some() {
            return Err("rest-admin-user and rest-admin-password-file go together".to_string());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directives() {
        let mut c = RestConfig::default();
        assert_eq!(c.port.bind_port(), None);
        c.apply("rest-port", &[b"9443".to_vec()]).unwrap();
        assert_eq!(c.port, RestPort::Port(9443));
        c.apply("rest-port", &[b"AUTO".to_vec()]).unwrap();
        assert_eq!(c.port.bind_port(), Some(0));
        c.apply("rest-port", &[b"0".to_vec()]).unwrap();
        assert_eq!(c.port, RestPort::Off);
        assert_eq!(c.apply("rest-port", &[b"70000".to_vec()]).unwrap_err(), "argument must be between 0 and 65535 inclusive");
        assert_eq!(c.apply("rest-bcrypt-cost", &[b"3".to_vec()]).unwrap_err(), "argument must be between 4 and 31 inclusive");
        c.apply("rest-admin-user", &[b"admin@example.com".to_vec()]).unwrap();
        assert!(c.validate().is_err());
        c.apply("rest-admin-password-file", &[b"/tmp/pw".to_vec()]).unwrap();
        c.validate().unwrap();
        assert!(c.apply("rest-admin-user", &[b"a b".to_vec()]).is_err());
        assert!(c.apply("rest-port", &[]).is_err());
    }
}
