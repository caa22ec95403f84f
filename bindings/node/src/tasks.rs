//! The Promise forms of slow operations. A [`Blocking`] task runs its work on libuv's thread
//! pool (`compute`) and turns the outcome into the JS value, or the mapped JS error, back on
//! the main thread (`resolve`).
//!
//! napi-rs does not catch panics in `compute` (it runs inside an `extern "C"` callback), so
//! the work always runs through [`guarded`], which makes a panic core's `PANIC` error.

use std::panic::{catch_unwind, AssertUnwindSafe};

use napi::bindgen_prelude::{AsyncTask, Task, ToNapiValue, TypeName};
use napi::{Env, Result};

use crate::error::{js_error, panic_error};

/// What blocking work gives: a value or core's error.
pub(crate) type Outcome<T> = std::result::Result<T, authgate::Error>;

/// Runs `f`, turning a panic into core's `PANIC` error.
pub(crate) fn guarded<T>(f: impl FnOnce() -> Outcome<T>) -> Outcome<T> {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|p| Err(panic_error(p.as_ref())))
}

/// One piece of blocking work and how its result becomes a JS value.
pub struct Blocking<T, J> {
    work: Option<Box<dyn FnOnce() -> Outcome<T> + Send>>,
    finish: fn(T) -> J,
}

/// A Promise for `work` run on the thread pool, resolved with `finish(result)`.
pub(crate) fn blocking<T, J>(
    work: impl FnOnce() -> Outcome<T> + Send + 'static,
    finish: fn(T) -> J,
) -> AsyncTask<Blocking<T, J>>
where
    T: Send + 'static,
    J: ToNapiValue + TypeName,
{
    AsyncTask::new(Blocking {
        work: Some(Box::new(work)),
        finish,
    })
}

impl<T, J> Task for Blocking<T, J>
where
    T: Send + 'static,
    J: ToNapiValue + TypeName,
{
    type Output = Outcome<T>;
    type JsValue = J;

    fn compute(&mut self) -> Result<Outcome<T>> {
        let work = self.work.take();
        Ok(guarded(move || work.expect("a task is computed once")()))
    }

    fn resolve(&mut self, env: Env, output: Outcome<T>) -> Result<J> {
        output.map(self.finish).map_err(|e| js_error(env.raw(), &e))
    }
}
