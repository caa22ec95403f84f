//! libauthgate: the C ABI of authgate.
//!
//! Thin by design: argument conversion, error mapping and the panic boundary. All logic is in
//! the `authgate` crate. The header `include/authgate.h` is generated from these items by
//! cbindgen (see `tests/header.rs`), so the doc comments here are the C documentation.
//!
//! One file per C type: `acl` (construction and users), `acl_check` (authenticate, check,
//! dryrun, log, genpass), `acl_files` (load, save), `acl_store` (`ag_acl_store_options`, ag_acl_from_store), `options` (`ag_acl_options` and the
//! engine settings), `records` (`ag_user_info`, `ag_selector`, `ag_log_entries`,
//! `ag_log_entry`), `list` (`ag_list`), `nats` (`ag_nats_auth`, `ag_nats_connect`),
//! `nats_identity` (`ag_nats_identity`), `cert` (`ag_client_cert`), `cert_policy`
//! (`ag_subject_policy`), `cert_user_map` (`ag_cert_user_map`, `ag_cert_login`), `credentials` (`ag_creds`), `server_options` (and its TLS part,
//! `server_tls_options`), `server`; `boundary` holds
//! `ag_status`, the last error and the panic boundary, `ffi` and `bytes` the pointer helpers.
//!
//! Unsafe code is confined to reading and writing through pointers handed over by C; each
//! function documents what it requires of them.
#![allow(non_camel_case_types)]
#![deny(unsafe_op_in_unsafe_fn)]

#[macro_use]
mod boundary;
mod acl;
mod acl_check;
mod acl_files;
mod acl_store;
mod bytes;
mod cert;
mod cert_policy;
mod cert_user_map;
mod credentials;
mod credentials_options;
mod denial;
mod ffi;
mod list;
mod nats;
mod nats_identity;
mod nats_permissions;
mod options;
mod records;
mod server;
mod server_options;
mod server_tls_options;

pub use acl::*;
pub use acl_check::*;
pub use acl_files::*;
pub use acl_store::*;
pub use boundary::{
    ag_debug_panic, ag_last_error_code, ag_last_error_denial, ag_last_error_message, ag_last_error_milvus_code,
    ag_last_error_os_error, ag_status,
};
pub use bytes::{ag_slice, ag_string_free};
pub use cert::*;
pub use cert_policy::*;
pub use credentials::*;
pub use credentials_options::*;
pub use denial::*;
pub use list::{ag_list, ag_list_free, ag_list_get, ag_list_len};
pub use nats::*;
pub use nats_identity::*;
pub use nats_permissions::*;
pub use options::*;
pub use records::*;
pub use server::*;
pub use server_options::*;
pub use server_tls_options::*;
