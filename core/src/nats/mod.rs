//! NATS server authentication, as nats-server 2.9.10 decides it.
//!
//! - [`conf`]: the nats-server configuration language (lexer, parser, variables, includes).
//! - [`options`]: nats-server's option processor: every key, its checks and error texts.
//! - [`NatsAuth`]: a config's logins ([`Connect`] in, [`Identity`] out) and, on the
//!   identity, publish/subscribe/receive permissions with NATS subject matching.
//! - [`subject`]: subject validity and matching; [`nkey`]: public nkeys and signatures;
//!   [`password`]: plain, bcrypt and token comparison.
//!
//! `tls { verify_and_map: true }`: a [`Connect`] carries the client's verified certificate
//! and the user comes from it ([`crate::tls::nats_map_user`] says in which order).
//!
//! Not implemented: operator/JWT mode (refused with [`NatsError::OperatorMode`]).
mod auth;
pub mod conf;
mod error;
pub mod nkey;
pub mod options;
pub mod password;
mod permissions;
mod startup;
pub mod subject;
mod sublist;
mod verdict_cache;

pub use auth::{
    hash_password, ConnectionType, Connect, Identity, NatsAuth, DEFAULT_AUTH_TIMEOUT, DEFAULT_TLS_TIMEOUT, GLOBAL_ACCOUNT,
};
pub use error::{NatsError, AUTHORIZATION_VIOLATION};
pub use options::{Permissions, ResponsePermission, SubjectList, SubjectPermission};
