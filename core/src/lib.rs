//! authgate: an authentication and authorization engine that other servers embed.
//!
//! - [`redis`]: the Redis 7.0 AUTH/ACL rule engine ([`acl`]: users, passwords, selectors,
//!   commands, categories, key and channel permissions, ACL LIST/GETUSER/LOG/DRYRUN, aclfiles,
//!   exactly as Redis 7.0.15 behaves), the RESP2/RESP3 codec ([`resp`]) and, with the `server`
//!   feature, `authgate serve` ([`server`]).
//! - [`nats`]: nats-server 2.9.10's configuration language and client authentication: users,
//!   passwords (plain and bcrypt), tokens, nkeys, accounts, publish/subscribe permissions.
//! - [`credentials`]: Milvus 2.3.5's user management (rules, codes and texts byte for byte,
//!   bcrypt, the root user) over memory, a file, or the etcd a real Milvus uses.
//! - [`tls`]: client certificates: PEM/DER parsing, the RFC 2253 subject as openssl prints
//!   it, SANs, chain verification, and the Redis Software, Valkey and NATS certificate-to-user
//!   mappings.
//! - [`Error`] and [`ErrorKind`]: the one error contract every binding maps.
//!
//! [`acl`], [`resp`] and [`server`] are re-exported at the crate root, so the vocabulary reads
//! `authgate::acl::Acl` and `authgate::server::Server` in Rust as in every other language.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod atomic_file;
pub mod credentials;
mod error;
pub mod nats;
pub mod redis;
pub mod tls;

pub use error::{Denied, Error, ErrorKind, Result};
pub use redis::{acl, resp};
#[cfg(feature = "etcd")]
pub use redis::acl_store;
#[cfg(feature = "server")]
pub use redis::server;

/// The README's Rust examples, compiled and run as doctests so they cannot go stale.
#[cfg(all(doctest, feature = "server"))]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
