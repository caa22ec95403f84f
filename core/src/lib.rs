//! authgate: an authentication and authorization engine that other servers embed.
//!
//! - [`acl`]: the Redis 7.0 AUTH/ACL rule engine (users, passwords, selectors, commands,
//!   categories, key and channel permissions, ACL LIST/GETUSER/LOG/DRYRUN, aclfiles), exactly as
//!   Redis 7.0.15 behaves.
//! - [`resp`]: the RESP2/RESP3 wire codec.
//! - [`server`]: `authgate serve`, a small RESP server that enforces the ACL engine.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod acl;
pub mod resp;
pub mod server;
