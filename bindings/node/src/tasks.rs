//! The Promise forms of slow operations: napi `Task`s whose `compute` runs on libuv's thread
//! pool and whose `resolve` builds the JS value (or the JS error) back on the main thread.
//!
//! napi-rs does not catch panics in `compute` (it runs inside an `extern "C"` callback), so
//! every `compute` here goes through [`guarded`].

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::sync::Arc;

use authgate::acl::{Acl as CoreAcl, AclError, AclOptions};
use napi::bindgen_prelude::{panic_to_error, Task};
use napi::{Env, Error, Result};

use crate::acl::Acl;
use crate::error::acl_error_env;

/// Runs `f`, turning a panic into a `GenericFailure` error (the Promise rejects).
pub(crate) fn guarded<T>(f: impl FnOnce() -> T) -> Result<T> {
    catch_unwind(AssertUnwindSafe(f)).map_err(panic_to_error)
}

/// Rejects with the engine error, or resolves with `()`.
fn settle(env: &Env, r: std::result::Result<(), AclError>) -> Result<()> {
    r.map_err(|e| acl_error_env(env, &e))
}

/// `acl.loadAsync(path)`.
pub struct LoadTask {
    pub(crate) acl: Arc<CoreAcl>,
    pub(crate) path: PathBuf,
}

impl Task for LoadTask {
    type Output = std::result::Result<(), AclError>;
    type JsValue = ();

    fn compute(&mut self) -> Result<Self::Output> {
        guarded(|| self.acl.load(&self.path))
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> Result<()> {
        settle(&env, output)
    }
}

/// `acl.saveAsync(path)`.
pub struct SaveTask {
    pub(crate) acl: Arc<CoreAcl>,
    pub(crate) path: PathBuf,
}

impl Task for SaveTask {
    type Output = std::result::Result<(), AclError>;
    type JsValue = ();

    fn compute(&mut self) -> Result<Self::Output> {
        guarded(|| self.acl.save(&self.path))
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> Result<()> {
        settle(&env, output)
    }
}

/// `Acl.fromFileAsync(path, options?)`.
pub struct FromFileTask {
    pub(crate) path: PathBuf,
    pub(crate) options: AclOptions,
}

impl Task for FromFileTask {
    type Output = std::result::Result<CoreAcl, AclError>;
    type JsValue = Acl;

    fn compute(&mut self) -> Result<Self::Output> {
        guarded(|| {
            let acl = CoreAcl::with_options(self.options);
            acl.load(&self.path).map(|()| acl)
        })
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> Result<Acl> {
        output.map(Acl::wrap).map_err(|e| acl_error_env(&env, &e))
    }

    fn reject(&mut self, _env: Env, err: Error) -> Result<Acl> {
        Err(err)
    }
}
