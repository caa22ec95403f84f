//! `authgate-node`: the Node.js binding of authgate (napi-rs 3), built into
//! `authgate.<platform>.node` by `node/package.json` (`napi build`).
//!
//! Thin: conversions and error mapping only, the logic is in the `authgate` crate. Every
//! export runs behind a panic boundary (`#[napi(catch_unwind)]`, or `catch_unwind` in the raw
//! callbacks and task bodies), so a Rust panic becomes a JS `Error` with code
//! `GenericFailure` instead of aborting Node.
//!
//! Modules, one per exported concept: `acl` (the `Acl` class, `genpass`), `variadic` (the
//! `...args` methods of `Acl`), `tasks` (Promise forms), `server` (`Server`), `args` (string or
//! Buffer arguments), `error` (JS errors with stable codes).

#![warn(clippy::undocumented_unsafe_blocks)]

mod acl;
mod args;
mod error;
mod server;
mod tasks;
mod variadic;

use napi::bindgen_prelude::{JsValue, Object};
use napi::{Env, Result};
use napi_derive::napi;

pub use acl::{debug_panic, genpass, Acl, AclOptions, LogEntry, SelectorInfo, UserInfo};
pub use error::ErrorCode;
pub use server::{Server, ServerOptions};

/// Adds the variadic `Acl` methods once napi-rs has registered the classes.
#[napi(module_exports)]
pub fn init(exports: Object, env: Env) -> Result<()> {
    variadic::install(env.raw(), exports.raw())
}
