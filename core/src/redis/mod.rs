//! Everything Redis: the ACL engine, the RESP codec and (feature `server`) the RESP server.

pub mod acl;
#[cfg(feature = "etcd")]
pub mod acl_store;
pub mod cstr;
pub mod resp;
#[cfg(feature = "server")]
pub mod server;
