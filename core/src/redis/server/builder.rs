//! [`ServerBuilder`]: settings in, a validated [`Server`] out, with the startup ACL
//! configuration (options, `requirepass`, `user` directives or the aclfile) applied as Redis
//! applies it.

use std::path::PathBuf;
use std::sync::Arc;

use super::runtime::Server;
use super::tls::{TlsState, CONFIGURE_FAILED};
use super::{Config, ServerError};
use crate::redis::acl::{Acl, AclError, PubsubDefault, RuleError};

/// Builds a [`Server`].
pub struct ServerBuilder {
    acl: Arc<Acl>,
    config: Config,
    pubsub_default_set: bool,
    log_len_set: bool,
    /// The ACL store `acl` is already attached to (an embedded engine's), written through
    /// instead of attaching to `acl-store`.
    store: Option<Arc<super::acl_store::Store>>,
}

impl ServerBuilder {
    /// A builder for a server sharing `acl`, starting from Redis' defaults ([`Config::default`]).
    pub(crate) fn new(acl: Arc<Acl>) -> ServerBuilder {
        ServerBuilder { acl, config: Config::default(), pubsub_default_set: false, log_len_set: false, store: None }
    }
}

impl ServerBuilder {
    /// Listen on this address only (default `127.0.0.1`).
    pub fn bind(mut self, host: impl Into<String>) -> Self {
        self.config.bind = vec![host.into()];
        self
    }

    /// Listen on these addresses.
    pub fn bind_all(mut self, hosts: Vec<String>) -> Self {
        self.config.bind = hosts;
        self
    }

    /// TCP port (default 6379; 0 picks a free port, see [`ServerHandle::port`]: this sets
    /// [`Config::free_port_for_zero`]).
    pub fn port(mut self, port: u16) -> Self {
        self.config.port = port;
        self.config.free_port_for_zero = true;
        self
    }

    /// The TLS listener's settings (`tls-port`, files, client authentication).
    pub fn tls(mut self, tls: super::TlsSettings) -> Self {
        self.config.tls = tls;
        self
    }

    /// Most simultaneous clients (default 10000).
    pub fn maxclients(mut self, n: usize) -> Self {
        self.config.maxclients = n.max(1);
        self
    }

    /// The aclfile for ACL LOAD/SAVE; it is loaded at startup.
    pub fn aclfile(mut self, path: impl Into<PathBuf>) -> Self {
        self.config.aclfile = Some(path.into());
        self
    }

    /// Directory for a relative aclfile.
    pub fn dir(mut self, path: impl Into<PathBuf>) -> Self {
        self.config.dir = Some(path.into());
        self
    }

    /// `requirepass`: the default user's password (applied at startup).
    pub fn requirepass(mut self, password: impl Into<Vec<u8>>) -> Self {
        self.config.requirepass = Some(password.into());
        self
    }

    /// `acl-pubsub-default` (otherwise the shared `Acl`'s current setting stays).
    pub fn acl_pubsub_default(mut self, value: PubsubDefault) -> Self {
        self.config.acl_pubsub_default = value;
        self.pubsub_default_set = true;
        self
    }

    /// `acllog-max-len` (otherwise the shared `Acl`'s current setting stays).
    pub fn acllog_max_len(mut self, n: usize) -> Self {
        self.config.acllog_max_len = n;
        self.log_len_set = true;
        self
    }

    /// Replaces every setting with `config` (e.g. read from a redis.conf file).
    pub fn config(mut self, config: Config) -> Self {
        self.config = config;
        self.pubsub_default_set = true;
        self.log_len_set = true;
        self
    }

    /// The ACL store the shared `Acl` is attached to (an engine from
    /// [`EmbeddedAcl::from_store`](crate::acl_store::EmbeddedAcl::from_store)): the server's
    /// ACL SETUSER, DELUSER, LOAD and CONFIG SET requirepass go through it, as with `acl-store`.
    /// Its users are the store's, so `requirepass`, `user` and `aclfile` settings are refused.
    #[cfg(feature = "etcd")]
    pub fn acl_store(mut self, store: Option<Arc<crate::acl_store::AclStore>>) -> Self {
        self.store = store;
        self
    }

    /// Validates the settings and applies the startup ACL configuration to the shared `Acl`
    /// (options, `requirepass`, then `user` directives or the aclfile, as Redis does).
    pub fn build(mut self) -> Result<Server, ServerError> {
        self.config.validate().map_err(ServerError::Config)?;
        if self.store.is_some() {
            let c = &self.config;
            if c.requirepass.is_some() || !c.users.is_empty() || c.aclfile.is_some() || c.acl_store.is_some() {
                return Err(ServerError::Config(
                    "the Acl is attached to an ACL store, whose users it has: requirepass, user, aclfile and acl-store settings do not apply".into(),
                ));
            }
        }
        let acl = &self.acl;
        if self.pubsub_default_set {
            acl.set_pubsub_default(self.config.acl_pubsub_default);
        } else {
            self.config.acl_pubsub_default = acl.pubsub_default();
        }
        if self.log_len_set {
            acl.set_log_max_len(self.config.acllog_max_len);
        } else {
            self.config.acllog_max_len = acl.log_max_len();
        }
        if let Some(pw) = &self.config.requirepass {
            acl.set_requirepass(pw);
        }
        load_user_directives(acl, &self.config.users)?;
        if let (Some(path), Some(shown)) = (self.config.aclfile_path(), self.config.aclfile_shown()) {
            acl.load_as(&path, &shown).map_err(|e| {
                let text = e.to_bytes();
                let text = text.strip_prefix(b"ERR ").unwrap_or(&text);
                ServerError::Acl(format!(
                    "Aborting Redis startup because of ACL errors: {}",
                    String::from_utf8_lossy(text)
                ))
            })?;
        }
        let dir = self.config.dir.clone();
        let wanted = self.config.tls.wanted(self.config.free_port_for_zero);
        let tls = TlsState::new(self.acl.clone(), &self.config.tls, dir.as_deref(), wanted)
            .map_err(|why| ServerError::Config(format!("{why}\n{CONFIGURE_FAILED}")))?;
        let upstream = super::proxy::Target::from_config(&self.config).map_err(ServerError::Config)?;
        let acl_store = match self.store.take() {
            Some(store) => Some(store),
            None => super::acl_store::attach(&self.acl, &self.config)?,
        };
        Ok(Server::new(self.acl, self.config, Arc::new(tls)).with_acl_store(acl_store).with_upstream(upstream))
    }
}

/// Applies `user` directives like Redis does at startup, with its messages.
fn load_user_directives(acl: &Acl, users: &[Vec<Vec<u8>>]) -> Result<(), ServerError> {
    let mut seen: Vec<&[u8]> = Vec::new();
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    for d in users {
        let Some((name, rules)) = d.split_first() else { continue };
        if seen.contains(&name.as_slice()) {
            return Err(ServerError::Acl(RuleError::DuplicateUser.message().to_string()));
        }
        seen.push(name);
        let applied = if name.as_slice() == b"default" {
            acl.setuser(name, &[&b"reset"[..]]).and_then(|()| acl.setuser(name, rules))
        } else {
            acl.setuser(name, rules)
        };
        applied.map_err(|e| match e {
            AclError::Rule { rule, error: RuleError::UnknownCommand } => ServerError::Acl(format!(
                "Error loading ACL rule '{}' for the user named '{}': {}\nCritical error while loading ACLs. Exiting.",
                text(&rule),
                text(name),
                RuleError::UnknownCommand.message()
            )),
            AclError::Rule { rule, error } => {
                // Redis names the token at the failing rule's index in `user <name> <rules>`.
                let idx = rules.iter().position(|r| *r == rule).unwrap_or(0);
                let mut argv = vec![b"user".to_vec(), name.clone()];
                argv.extend(rules.iter().cloned());
                let tok = argv.get(idx).cloned().unwrap_or_default();
                ServerError::Acl(format!("Error in user declaration '{}': {}", text(&tok), error.message()))
            }
            // Redis' words when it creates the configured users (the declaration check, which
            // runs while the file is read, does not look at the name).
            AclError::InvalidUsername => ServerError::Acl(
                "Spaces not allowed in ACL usernames\nCritical error while loading ACLs. Exiting.".to_string(),
            ),
            other => ServerError::Acl(text(&other.to_bytes())),
        })?;
    }
    Ok(())
}

