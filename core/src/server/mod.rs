//! `authgate serve`: a RESP2/RESP3 server that enforces the ACL engine.
//!
//! The server shares an [`Acl`] with the embedding program: a `setuser` made by the program
//! applies to live connections at once, exactly like `ACL SETUSER` from a client.
//!
//! ```no_run
//! use std::sync::Arc;
//! use authgate::acl::Acl;
//! use authgate::server::Server;
//!
//! let acl = Arc::new(Acl::new());
//! let handle = Server::builder(acl.clone()).bind("127.0.0.1").port(0).build()?.start()?;
//! println!("listening on {}", handle.port());
//! handle.stop();
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Modules: [`config`] (settings and redis.conf files), [`keyspace`] (sharded string store);
//! the connection loop, command dispatch (Redis' order of checks) and the command
//! implementations are private.

mod aclcmd;
mod auth;
mod clientcmd;
mod clients;
mod command;
pub mod config;
mod configcmd;
mod conn;
mod conncmd;
mod dispatch;
mod infocmd;
mod keycmds;
pub mod keyspace;
mod multi;
mod pubsub;
mod session;
mod shared;
mod sortcmd;
mod strings;

use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

pub use config::Config;

use crate::acl::{Acl, AclError, RuleError};
use shared::{Listener, Shared};

/// Errors starting a server.
#[derive(Debug)]
pub enum ServerError {
    /// The configuration is invalid (Redis' message).
    Config(String),
    /// Loading the ACL users failed (Redis' message).
    Acl(String),
    /// Binding or runtime creation failed.
    Io(std::io::Error),
}

impl ServerError {
    /// A stable code: `INVALID_CONFIG`, `ACL` or `IO`.
    pub fn code(&self) -> &'static str {
        match self {
            ServerError::Config(_) => "INVALID_CONFIG",
            ServerError::Acl(_) => "ACL",
            ServerError::Io(_) => "IO",
        }
    }
}

impl std::fmt::Display for ServerError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ServerError::Config(m) | ServerError::Acl(m) => f.write_str(m),
            ServerError::Io(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for ServerError {}

impl From<std::io::Error> for ServerError {
    fn from(e: std::io::Error) -> Self {
        ServerError::Io(e)
    }
}

/// Builds a [`Server`].
pub struct ServerBuilder {
    acl: Arc<Acl>,
    config: Config,
    pubsub_default_set: bool,
    log_len_set: bool,
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

    /// TCP port (default 6379; 0 picks a free port, see [`ServerHandle::port`]).
    pub fn port(mut self, port: u16) -> Self {
        self.config.port = port;
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

    /// `acl-pubsub-default`: true for `allchannels`.
    pub fn acl_pubsub_default_allchannels(mut self, all: bool) -> Self {
        self.config.acl_pubsub_default_allchannels = all;
        self.pubsub_default_set = true;
        self
    }

    /// `acllog-max-len`.
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

    /// Validates the settings and applies the startup ACL configuration to the shared `Acl`
    /// (options, `requirepass`, then `user` directives or the aclfile, as Redis does).
    pub fn build(mut self) -> Result<Server, ServerError> {
        self.config.validate().map_err(ServerError::Config)?;
        let acl = &self.acl;
        if self.pubsub_default_set {
            acl.set_pubsub_default_allchannels(self.config.acl_pubsub_default_allchannels);
        } else {
            self.config.acl_pubsub_default_allchannels = acl.options().pubsub_default_allchannels;
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
        Ok(Server { acl: self.acl, config: self.config })
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
            other => ServerError::Acl(text(&other.to_bytes())),
        })?;
    }
    Ok(())
}

/// A configured server, ready to [`start`](Server::start) or [`run`](Server::run).
pub struct Server {
    acl: Arc<Acl>,
    config: Config,
}

/// A running server started with [`Server::start`]. Stopping (or dropping) it closes the
/// listeners and every connection and waits for the server thread.
pub struct ServerHandle {
    addrs: Vec<SocketAddr>,
    shared: Arc<Shared>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl ServerHandle {
    /// The first listening address.
    pub fn local_addr(&self) -> SocketAddr {
        self.addrs[0]
    }

    /// Every listening address.
    pub fn local_addrs(&self) -> &[SocketAddr] {
        &self.addrs
    }

    /// The listening port (useful after binding port 0).
    pub fn port(&self) -> u16 {
        self.addrs[0].port()
    }

    /// Stops the server and waits for it.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        self.shared.shutdown.notify_one();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for ServerHandle {
    fn drop(&mut self) {
        self.shutdown();
    }
}

impl Server {
    /// A builder for a server sharing `acl`.
    pub fn builder(acl: Arc<Acl>) -> ServerBuilder {
        ServerBuilder { acl, config: Config::default(), pubsub_default_set: false, log_len_set: false }
    }

    /// The settings.
    pub fn config(&self) -> &Config {
        &self.config
    }

    fn bind(&mut self) -> Result<Vec<std::net::TcpListener>, ServerError> {
        let listeners = configcmd::bind_all(&self.config.bind, self.config.port)?;
        if let Some(l) = listeners.first() {
            self.config.port = l.local_addr()?.port();
        }
        if listeners.is_empty() {
            return Err(ServerError::Config("no address to bind".into()));
        }
        Ok(listeners)
    }

    /// Binds, then serves on a dedicated thread with its own multi-threaded tokio runtime.
    /// Usable from synchronous code (and from inside another runtime).
    pub fn start(mut self) -> Result<ServerHandle, ServerError> {
        let listeners = self.bind()?;
        let addrs = listeners.iter().map(|l| l.local_addr()).collect::<Result<Vec<_>, _>>()?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .thread_name("authgate-server")
            .build()?;
        let (rebind_tx, rebind_rx) = mpsc::unbounded_channel();
        let shared = Arc::new(Shared::new(self.acl.clone(), self.config.clone(), rebind_tx));
        self.acl.subscribe(Arc::new(Listener(Arc::downgrade(&shared))));
        let s2 = shared.clone();
        let thread = std::thread::Builder::new().name("authgate-server".into()).spawn(move || {
            runtime.block_on(async move {
                let _ = serve(s2.clone(), listeners, rebind_rx, std::future::pending::<()>()).await;
            });
            runtime.shutdown_timeout(Duration::from_secs(1));
        })?;
        Ok(ServerHandle { addrs, shared, thread: Some(thread) })
    }

    /// Serves on the current tokio runtime until `shutdown` completes. `on_ready` is called
    /// with the listening addresses once bound.
    pub async fn run_until<F: Future<Output = ()>>(
        mut self,
        shutdown: F,
        on_ready: impl FnOnce(&[SocketAddr]),
    ) -> Result<(), ServerError> {
        let listeners = self.bind()?;
        let addrs = listeners.iter().map(|l| l.local_addr()).collect::<Result<Vec<_>, _>>()?;
        let (rebind_tx, rebind_rx) = mpsc::unbounded_channel();
        let shared = Arc::new(Shared::new(self.acl.clone(), self.config.clone(), rebind_tx));
        self.acl.subscribe(Arc::new(Listener(Arc::downgrade(&shared))));
        on_ready(&addrs);
        serve(shared, listeners, rebind_rx, shutdown).await
    }

    /// Serves on the current tokio runtime until Ctrl-C.
    pub async fn run(self) -> Result<(), ServerError> {
        self.run_until(
            async {
                let _ = tokio::signal::ctrl_c().await;
            },
            |_| {},
        )
        .await
    }
}

fn spawn_accept_loops(shared: &Arc<Shared>, listeners: Vec<std::net::TcpListener>) -> Vec<JoinHandle<()>> {
    let mut tasks = Vec::new();
    for l in listeners {
        let Ok(listener) = TcpListener::from_std(l) else { continue };
        let shared = shared.clone();
        tasks.push(tokio::spawn(async move {
            loop {
                match listener.accept().await {
                    Ok((stream, addr)) => {
                        tokio::spawn(conn::serve(shared.clone(), stream, addr));
                    }
                    Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
                }
            }
        }));
    }
    tasks
}

async fn serve<F: Future<Output = ()>>(
    shared: Arc<Shared>,
    listeners: Vec<std::net::TcpListener>,
    mut rebind: mpsc::UnboundedReceiver<Vec<std::net::TcpListener>>,
    shutdown: F,
) -> Result<(), ServerError> {
    let mut accept = spawn_accept_loops(&shared, listeners);
    let sweeper = {
        let shared = shared.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_millis(500));
            loop {
                tick.tick().await;
                shared.keyspace.sweep_expired();
            }
        })
    };
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            _ = &mut shutdown => break,
            _ = shared.shutdown.notified() => break,
            new = rebind.recv() => {
                let Some(new) = new else { break };
                for t in accept.drain(..) {
                    t.abort();
                }
                accept = spawn_accept_loops(&shared, new);
            }
        }
    }
    for t in accept {
        t.abort();
    }
    sweeper.abort();
    shared.clients.kill_all();
    Ok(())
}
