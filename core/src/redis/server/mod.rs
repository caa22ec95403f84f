//! `authgate serve`: a RESP2/RESP3 server that enforces the ACL engine.
//!
//! The server shares an [`Acl`](crate::acl::Acl) with the embedding program: a `setuser` made
//! by the program applies to live connections at once, exactly like `ACL SETUSER` from a
//! client.
//!
//! ```no_run
//! use std::sync::Arc;
//! use authgate::acl::Acl;
//! use authgate::server::{ServerController, ServerOptions};
//!
//! let acl = Arc::new(Acl::new());
//! let server = ServerController::new(acl.clone(), &ServerOptions::default())?;
//! let port = server.start()?; // 127.0.0.1, a free port
//! println!("listening on {port}");
//! server.stop();
//! # Ok::<(), authgate::Error>(())
//! ```
//!
//! - [`ServerController`]: one restartable server (start, stop, restart, `running`, `port`),
//!   what every language binding wraps; built from [`ServerOptions`].
//! - [`Server`] / [`ServerBuilder`] / [`ServerHandle`]: the lower-level pieces, for a program
//!   that runs the server on its own tokio runtime ([`Server::run_until`]); [`event_loop`] is
//!   the single-threaded runtime [`Server::start`] and `authgate serve` use.
//! - [`config`]: settings and redis.conf files; [`keyspace`]: the sharded string store;
//!   [`outlimits`]: `client-output-buffer-limit`.
//! - TLS: `tls-port` and the other `tls-*` settings ([`TlsSettings`]) open a rustls listener
//!   whose client certificates can log in ([`CertificateUsers`], `tls-auth-clients-user`).
//!
//! The connection loop, command dispatch (Redis' order of checks) and the command
//! implementations (`commands/`, one file per command family) are private.

mod acl_store;
mod buffers;
mod builder;
mod clients;
mod commands;
pub mod config;
mod conn;
mod controller;
mod dispatch;
mod error;
#[cfg(test)]
mod file_io_tests;
pub mod keyspace;
mod listen;
mod options;
mod proxy;
pub mod outlimits;
mod pubsub;
pub mod rest;
mod runtime;
mod session;
mod shared;
mod tls;
mod tls_options;

pub use builder::ServerBuilder;
pub use config::Config;
pub use controller::ServerController;
pub use error::ServerError;
pub use proxy::{UpstreamTlsFiles, UpstreamUrl};
pub use options::{ServerOptions, DEFAULT_HOST, DEFAULT_MAXCLIENTS, EMBEDDED_PORT, REDIS_PORT};
pub use runtime::{event_loop, Server, ServerHandle};
pub use tls_options::TlsOptions;
pub use tls::{CertificateUsers, TlsAuthClients, TlsSettings, CERTIFICATE_USERS_FILE};
