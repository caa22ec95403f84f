//! [`ServerOptions`]: what an embedding program (or a binding) sets on a server, and the
//! defaults every language shares.

use std::path::PathBuf;

use super::{Config, TlsOptions};
use crate::tls::CertificateUser;
use crate::Error;

/// The address a server listens on unless told otherwise (Redis' `bind` default, loopback).
pub const DEFAULT_HOST: &str = "127.0.0.1";
/// Redis' port: the default of `authgate serve` and of redis.conf files.
pub const REDIS_PORT: u16 = 6379;
/// The port of an embedded server unless told otherwise: 0, a free port chosen at start.
pub const EMBEDDED_PORT: u16 = 0;
/// Redis' `maxclients` default.
pub const DEFAULT_MAXCLIENTS: usize = 10000;

/// The settings of an embedded server. `None` means the default: with no `config_file`,
/// [`DEFAULT_HOST`], [`EMBEDDED_PORT`] (a free port) and [`DEFAULT_MAXCLIENTS`]; with a
/// `config_file`, what the file says and Redis' defaults for the rest (port 6379), as
/// `redis-server FILE` does. A field that is set overrides the file, as a redis-server
/// command-line option does.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ServerOptions {
    /// The address to listen on (Redis' `bind` syntax: several space-separated addresses,
    /// `-` marking an optional one, `*` for all).
    pub host: Option<String>,
    /// The TCP port; 0 picks a free one (unlike redis.conf's `port 0`, which opens no plain
    /// listener: an embedded server always has a plain port).
    pub port: Option<u16>,
    /// `requirepass`: the `default` user's password, set at start.
    pub requirepass: Option<Vec<u8>>,
    /// `aclfile`: loaded at start, used by ACL LOAD and ACL SAVE.
    pub aclfile: Option<PathBuf>,
    /// `maxclients`: the most simultaneous clients (at least 1).
    pub maxclients: Option<usize>,
    /// A redis.conf-style file, read when the options are turned into a [`Config`].
    pub config_file: Option<PathBuf>,
    /// The TLS listener (`tls-port`, `tls-cert-file`, ...), overriding the file's `tls-*`.
    pub tls: TlsOptions,
    /// Certificate users (Redis Software's `auth_method: certificate`) registered at every
    /// start, in addition to those a `dir` keeps: each ACL user is created if missing and
    /// gets `resetpass`, and a client certificate whose RFC 2253 subject is exactly its
    /// `certificate_subject_line` logs in as it.
    pub certificate_users: Vec<CertificateUser>,
}

impl ServerOptions {
    /// The settings these options describe. Reads `config_file` now; its errors are
    /// [`ErrorKind::Config`](crate::ErrorKind::Config) with Redis' text.
    pub fn to_config(&self) -> Result<Config, Error> {
        let mut config = Config::default();
        match &self.config_file {
            Some(path) => config.apply_file(path).map_err(config_error)?,
            None => config.port = EMBEDDED_PORT,
        }
        // An embedded server's port 0 is a free port, with or without a file (documented on
        // `port`); redis.conf's own meaning (no listener) applies to `authgate serve`.
        config.free_port_for_zero = true;
        if let Some(host) = &self.host {
            let hosts: Vec<String> = host.split_ascii_whitespace().map(str::to_string).collect();
            if hosts.is_empty() {
                return Err(Error::invalid_argument("host must name at least one address"));
            }
            config.bind = hosts;
        }
        if let Some(port) = self.port {
            config.port = port;
        }
        if let Some(pw) = &self.requirepass {
            config.requirepass = Some(pw.clone());
        }
        if let Some(path) = &self.aclfile {
            config.aclfile = Some(path.clone());
        }
        if let Some(n) = self.maxclients {
            if n == 0 {
                return Err(Error::invalid_argument("maxclients must be at least 1"));
            }
            config.maxclients = n;
        }
        self.tls.apply_to(&mut config.tls);
        super::tls_options::validate_certificate_users(&self.certificate_users)?;
        config.validate().map_err(config_error)?;
        Ok(config)
    }
}

fn config_error(message: String) -> Error {
    Error::new(crate::ErrorKind::Config, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_defaults() {
        let c = ServerOptions::default().to_config().unwrap();
        assert_eq!((c.bind.clone(), c.port, c.maxclients), (vec!["127.0.0.1".to_string()], 0, 10000));
    }

    #[test]
    fn a_config_file_gives_redis_defaults_and_options_override_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("redis.conf");
        std::fs::write(&path, "maxclients 7\nrequirepass pw\n").unwrap();
        let opts = ServerOptions { config_file: Some(path.clone()), ..Default::default() };
        let c = opts.to_config().unwrap();
        assert_eq!((c.port, c.maxclients, c.requirepass.clone()), (6379, 7, Some(b"pw".to_vec())));
        let opts = ServerOptions { config_file: Some(path), port: Some(0), maxclients: Some(3), ..Default::default() };
        let c = opts.to_config().unwrap();
        assert_eq!((c.port, c.maxclients), (0, 3));
    }

    #[test]
    fn bad_options_are_errors() {
        let e = ServerOptions { maxclients: Some(0), ..Default::default() }.to_config().unwrap_err();
        assert_eq!(e.code(), "INVALID_ARGUMENT");
        let e = ServerOptions { host: Some(" ".into()), ..Default::default() }.to_config().unwrap_err();
        assert_eq!(e.code(), "INVALID_ARGUMENT");
        let e = ServerOptions { config_file: Some("/nonexistent/redis.conf".into()), ..Default::default() }
            .to_config()
            .unwrap_err();
        assert_eq!(e.code(), "CONFIG");
    }
}
