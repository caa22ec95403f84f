//! libauthgate: the C ABI of authgate.
//!
//! Thin by design: argument conversion, error mapping and the panic boundary. All logic is in
//! the `authgate` crate. The header `include/authgate.h` is generated from these items by
//! cbindgen (see `tests/header.rs`), so the doc comments here are the C documentation.
//!
//! Unsafe code is confined to reading and writing through pointers handed over by C; each
//! function documents what it requires of them.
#![allow(non_camel_case_types)]
#![deny(unsafe_op_in_unsafe_fn)]

#[macro_use]
mod boundary;
mod acl;
mod bytes;
mod server;

pub use acl::*;
pub use boundary::{ag_debug_panic, ag_last_error_message, ag_status};
pub use bytes::{ag_list, ag_list_free, ag_list_get, ag_list_len, ag_slice, ag_string_free};
pub use server::*;

