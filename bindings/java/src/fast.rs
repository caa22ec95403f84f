//! The hot path of `Acl.check` / `Acl.authenticate`: a panic boundary without building a
//! jni-rs `Env` when the call succeeds.
//!
//! `EnvUnowned::with_env` plus `resolve` cost about 40-70 ns per call (thread-local attachment
//! bookkeeping, twice), and jni-rs' checked `get_region` another 25+ ns (exception checks around
//! the copy): together more than the engine's own check. Here the work runs under
//! `catch_unwind` with one raw `GetByteArrayRegion` (plus one `ExceptionCheck`); only an error
//! or a panic takes the regular road, `with_env(...).resolve::<ThrowAuthgate>()`, so every
//! failure still becomes its Java exception through the one [`ThrowAuthgate`] policy (a panic
//! is re-raised inside `with_env`, which catches it as the panic it is).

use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};

use jni::objects::JByteArray;
use jni::sys::jint;
use jni::EnvUnowned;

use crate::error::{invalid, Error, Result, ThrowAuthgate};

/// Runs `f` with the first `len` bytes of `array`; errors and panics become Java exceptions
/// through [`ThrowAuthgate`].
pub fn with_bytes<'local, T: Default>(
    env: &mut EnvUnowned<'local>,
    array: &JByteArray<'local>,
    len: jint,
    f: impl FnOnce(&[u8]) -> Result<T>,
) -> T {
    let raw = env.as_raw();
    let arr = array.as_raw();
    let outcome = catch_unwind(AssertUnwindSafe(|| -> Result<T> {
        if arr.is_null() || len < 0 {
            return Err(invalid("argument must not be null"));
        }
        let n = len as usize;
        let mut stack = [0u8; 512];
        let mut heap;
        let buf: &mut [u8] = if n <= stack.len() {
            &mut stack[..n]
        } else {
            heap = vec![0u8; n];
            &mut heap[..]
        };
        // SAFETY: `raw` is the JNIEnv of this native call on this thread; `arr` is a live local
        // reference to a byte[] passed by the JVM; `buf` holds `len` bytes. No exception is
        // pending on entry to a native method.
        let thrown = unsafe {
            let fns = &**raw;
            (fns.v1_1.GetByteArrayRegion)(raw, arr, 0, len, buf.as_mut_ptr().cast());
            (fns.v1_2.ExceptionCheck)(raw)
        };
        if thrown {
            // ArrayIndexOutOfBoundsException stays pending; the policy leaves it in place.
            return Err(Error::Jni(jni::errors::Error::JavaException));
        }
        f(buf)
    }));
    match outcome {
        Ok(Ok(value)) => value,
        Ok(Err(e)) => env
            .with_env(move |_env| Err::<T, Error>(e))
            .resolve::<ThrowAuthgate>(),
        Err(payload) => env
            .with_env(move |_env| -> Result<T> { resume_unwind(payload) })
            .resolve::<ThrowAuthgate>(),
    }
}
