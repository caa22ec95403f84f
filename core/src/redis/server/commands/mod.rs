//! The command implementations, one file per command family. Each handler runs after dispatch
//! has made Redis' checks (unknown command, arity, NOAUTH, ACL) and writes its reply to the
//! session's encoder.

pub(crate) mod acl;
pub(crate) mod auth;
pub(crate) mod client;
pub(crate) mod config;
mod config_rewrite;
mod config_set;
pub(crate) mod connection;
pub(crate) mod file_job;
pub(crate) mod info;
/// COMMAND (COUNT, INFO, DOCS, GETKEYS, LIST).
pub(crate) mod introspection;
pub(crate) mod keys;
pub(crate) mod multi;
pub(crate) mod pubsub;
pub(crate) mod sort;
pub(crate) mod strings;
