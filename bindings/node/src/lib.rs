//! `authgate-node`: the Node.js binding of authgate (napi-rs 3), built into
//! `authgate.<platform>.node` by `napi build` (the repository's `make test-node`) or by the
//! package's install script (`node/scripts/install.js`, plain `cargo build`).
//!
//! Thin: conversions and error mapping only, the logic is in the `authgate` crate. Every
//! export runs behind a panic boundary (`error::guard`, or `catch_unwind` in the raw callbacks
//! and `tasks::guarded` in task bodies), so a Rust panic becomes a JS `Error` with code
//! `PANIC` instead of aborting Node. `#[napi(catch_unwind)]` stays on the generated exports as
//! a second net around napi-rs' own argument conversion.
//!
//! Modules, one per exported concept: `acl` (the `Acl` class, `genpass`), `variadic` (the
//! `...args` methods of `Acl`), `options` (engine settings), `records` (`getuser` / `log`
//! objects), `nats` (`NatsAuth`, `NatsIdentity`: NATS logins and permissions), `cert` (`ClientCert`,
//! `SubjectPolicy`: certificate identity), `cert_map` (`CertUserMap`, `CertLogin`: certificate ->
//! user), `tasks`
//! (Promise forms), `server` (`Server`), `args` (string, Buffer and number arguments), `error`
//! (the one mapping of core's errors to JS errors).

#![warn(clippy::undocumented_unsafe_blocks)]

mod acl;
mod args;
mod cert;
mod cert_map;
mod credentials;
mod error;
mod nats;
mod options;
mod records;
mod server;
mod tasks;
mod variadic;
mod verdict;

use napi::bindgen_prelude::{JsValue, Object};
use napi::{Env, Result};
use napi_derive::napi;

pub use acl::{debug_panic, debug_panic_after_args, debug_panic_async, genpass, Acl};
pub use cert::{ClientCert, SubjectPolicy};
pub use cert_map::{CertLogin, CertUserMap};
pub use error::ErrorCode;
pub use nats::{NatsAuth, NatsCredentials, NatsIdentity};
pub use options::{AclOptions, AclSettings};
pub use records::{LogEntry, SelectorInfo, UserInfo};
pub use server::{Server, ServerOptions};

/// Adds the variadic `Acl` methods once napi-rs has registered the classes.
#[napi(module_exports)]
pub fn init(exports: Object, env: Env) -> Result<()> {
    variadic::install(env.raw(), exports.raw())
}
