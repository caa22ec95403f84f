//! The variadic `Acl` methods: `setuser(name, ...rules)`, `deluser(...names)`,
//! `check(user, ...argv)`, its non-throwing forms `allowed(user, ...argv)` and
//! `denial(user, ...argv)`, and `dryrun(user, ...argv)`.
//!
//! `#[napi]` methods take a fixed number of arguments, so these six are plain Node-API
//! callbacks installed on `Acl.prototype` when the module loads (their TypeScript declarations
//! are in `node/dts-header.d.ts`, merged into the generated `index.d.ts`). Each callback reads
//! all its arguments without allocating (strings go to a reused arena, Buffers are borrowed)
//! and runs inside `catch_unwind`; errors and panics go through the one mapper of
//! `error.rs`, like those of the generated methods.
//!
//! `check` is the hot path, so finding the engine must be cheap. The prototype methods find
//! it through `this` (napi-rs' type tag, then `napi_unwrap`: about 100 ns together). The first
//! such call on a direct `Acl` instance also gives that instance its own copies of the six
//! methods, whose callback data is the engine itself (a handle freed by the function's
//! finalizer), so later calls skip both lookups. Instances of subclasses keep the prototype
//! methods, so overrides still work.

use std::ffi::CStr;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::ptr;

use authgate::acl_store::EmbeddedAcl;
use napi::{sys, Error, Status};

use crate::args::{wrong_type, ArgBuf};
use crate::error::{error_value, js_error, panic_error, throw};
use crate::verdict;

/// Arguments read without a heap allocation (more spill to a Vec).
const INLINE_ARGS: usize = 12;

/// Tags `Acl.prototype` itself, to recognise direct instances (see the module docs).
const PROTO_TAG: sys::napi_type_tag = sys::napi_type_tag {
    lower: 0x6167_6174_655f_6e6f,
    upper: 0x6163_6c5f_7072_6f74,
};

/// What a handler failed with: a napi error, or a JS value to throw as it is.
enum Throw {
    Error(Error),
    Value(sys::napi_value),
}

impl From<Error> for Throw {
    fn from(e: Error) -> Throw {
        Throw::Error(e)
    }
}

/// A core error as the JS error object to throw (built directly: no napi reference, which
/// keeps denials from `check` as cheap as creating the Error itself; a `NOPERM` is created
/// without a stack trace, see `verdict.rs`).
fn core_error(env: sys::napi_env, e: impl Into<authgate::Error>) -> Throw {
    let e = e.into();
    let made = if e.kind() == authgate::ErrorKind::NoPerm {
        verdict::without_stack(env, || error_value(env, &e))
    } else {
        error_value(env, &e)
    };
    match made {
        Ok(v) => Throw::Value(v),
        Err(_) => Throw::Error(js_error(env, &e)),
    }
}

type Handler = fn(sys::napi_env, &EmbeddedAcl, &[sys::napi_value]) -> Result<sys::napi_value, Throw>;

fn status(st: sys::napi_status, what: &str) -> Result<(), Error> {
    if st == sys::Status::napi_ok {
        Ok(())
    } else {
        Err(Error::new(Status::from(st), format!("{what} failed")))
    }
}

/// Common body of the six callbacks: arguments, the engine, the panic boundary, throwing.
///
/// # Safety
/// Must be called from a Node-API callback with its `env` and `info`.
unsafe fn dispatch(
    env: sys::napi_env,
    info: sys::napi_callback_info,
    f: Handler,
) -> sys::napi_value {
    let outcome = catch_unwind(AssertUnwindSafe(|| -> Result<sys::napi_value, Throw> {
        let mut inline = [ptr::null_mut(); INLINE_ARGS];
        let mut argc = INLINE_ARGS;
        let mut this = ptr::null_mut();
        let mut data: *mut std::ffi::c_void = ptr::null_mut();
        let st = {
            // SAFETY: `inline` has room for `argc` values.
            unsafe {
                sys::napi_get_cb_info(
                    env,
                    info,
                    &mut argc,
                    inline.as_mut_ptr(),
                    &mut this,
                    &mut data,
                )
            }
        };
        status(st, "napi_get_cb_info")?;
        let spilled: Vec<sys::napi_value>;
        let args: &[sys::napi_value] = if argc <= INLINE_ARGS {
            &inline[..argc]
        } else {
            let mut v = vec![ptr::null_mut(); argc];
            let mut n = argc;
            let st = {
                // SAFETY: `v` has room for `n` values.
                unsafe {
                    sys::napi_get_cb_info(
                        env,
                        info,
                        &mut n,
                        v.as_mut_ptr(),
                        &mut this,
                        ptr::null_mut(),
                    )
                }
            };
            status(st, "napi_get_cb_info")?;
            v.truncate(n.min(argc));
            spilled = v;
            &spilled
        };
        if !data.is_null() {
            // SAFETY: a non-NULL `data` is the `Box<EmbeddedAcl>` of an own method made by
            // `bind_methods`; the function being called owns it until its finalizer runs.
            let acl: &EmbeddedAcl = unsafe { &*(data as *const EmbeddedAcl) };
            return f(env, acl, args);
        }
        let acl = crate::acl::unwrap_acl(env, this, "this", "ERR_INVALID_THIS")?;
        bind_methods(env, this, acl);
        f(env, acl, args)
    }));
    match outcome {
        Ok(Ok(v)) => v,
        Ok(Err(Throw::Value(v))) => {
            // SAFETY: `v` is an error object created in this call.
            unsafe { sys::napi_throw(env, v) };
            ptr::null_mut()
        }
        Ok(Err(Throw::Error(e))) => {
            // SAFETY: `env` is the current callback's.
            unsafe { throw(env, e) };
            ptr::null_mut()
        }
        Err(payload) => {
            let e = panic_error(payload.as_ref());
            match error_value(env, &e) {
                Ok(v) => {
                    // SAFETY: `v` is an error object created in this call.
                    unsafe { sys::napi_throw(env, v) };
                }
                // SAFETY: `env` is the current callback's.
                Err(_) => unsafe { throw(env, js_error(env, &e)) },
            };
            ptr::null_mut()
        }
    }
}

unsafe extern "C" fn release_engine(
    _env: sys::napi_env,
    data: *mut std::ffi::c_void,
    _hint: *mut std::ffi::c_void,
) {
    // Dropping the engine's handle cannot unwind in practice; the guard keeps a panic from crossing C.
    let _ = catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: `data` is the `Box<EmbeddedAcl>` leaked in `bind_methods` for this function,
        // and this finalizer runs exactly once.
        drop(unsafe { Box::from_raw(data as *mut EmbeddedAcl) });
    }));
}

/// Gives a direct `Acl` instance its own copies of the six methods (see the module docs).
/// Best effort: on any failure the prototype methods simply keep being used.
fn bind_methods(env: sys::napi_env, this: sys::napi_value, acl: &EmbeddedAcl) {
    let mut proto = ptr::null_mut();
    let mut direct = false;
    // SAFETY: `this` is an object of the current call (unwrap_acl checked it).
    unsafe {
        if sys::napi_get_prototype(env, this, &mut proto) != sys::Status::napi_ok
            || sys::napi_check_object_type_tag(env, proto, &PROTO_TAG, &mut direct)
                != sys::Status::napi_ok
            || !direct
        {
            return;
        }
    }
    let mut descriptors = Vec::with_capacity(METHODS.len());
    for (name, cb) in METHODS {
        let data = Box::into_raw(Box::new(acl.clone()));
        let mut func = ptr::null_mut();
        // SAFETY: `name` is a 'static NUL-terminated string; `data` outlives the function
        // (released by its finalizer, or right here if the finalizer cannot be attached).
        let ok = unsafe {
            sys::napi_create_function(
                env,
                name.as_ptr(),
                name.to_bytes().len() as isize,
                Some(cb),
                data.cast(),
                &mut func,
            ) == sys::Status::napi_ok
                && sys::napi_add_finalizer(
                    env,
                    func,
                    data.cast(),
                    Some(release_engine),
                    ptr::null_mut(),
                    ptr::null_mut(),
                ) == sys::Status::napi_ok
        };
        if !ok {
            // SAFETY: no finalizer owns `data`, and the function (if any) is dropped unused.
            drop(unsafe { Box::from_raw(data) });
            return;
        }
        descriptors.push(descriptor(name, None, func));
    }
    // SAFETY: the descriptors name 'static strings and functions of the current scope.
    let st =
        unsafe { sys::napi_define_properties(env, this, descriptors.len(), descriptors.as_ptr()) };
    if st != sys::Status::napi_ok {
        let mut pending = false;
        // SAFETY: clearing a failure of the best-effort definition (e.g. a frozen object).
        unsafe {
            sys::napi_is_exception_pending(env, &mut pending);
            if pending {
                let mut ignored = ptr::null_mut();
                sys::napi_get_and_clear_last_exception(env, &mut ignored);
            }
        }
    }
}

type Cb = unsafe extern "C" fn(sys::napi_env, sys::napi_callback_info) -> sys::napi_value;

fn descriptor(
    name: &'static CStr,
    method: Option<Cb>,
    value: sys::napi_value,
) -> sys::napi_property_descriptor {
    sys::napi_property_descriptor {
        utf8name: name.as_ptr(),
        name: ptr::null_mut(),
        method,
        getter: None,
        setter: None,
        value,
        attributes: sys::PropertyAttributes::writable | sys::PropertyAttributes::configurable,
        data: ptr::null_mut(),
    }
}

/// What a callback returns for `undefined`: Node-API turns a NULL result into `undefined`
/// (one Node-API call less on the hot path).
const UNDEFINED: sys::napi_value = ptr::null_mut();

fn string(env: sys::napi_env, b: &[u8]) -> Result<sys::napi_value, Error> {
    let s = String::from_utf8_lossy(b);
    let mut v = ptr::null_mut();
    let st = {
        // SAFETY: `s` is valid UTF-8 of the given length; napi copies it.
        unsafe { sys::napi_create_string_utf8(env, s.as_ptr().cast(), s.len() as isize, &mut v) }
    };
    status(st, "napi_create_string_utf8")?;
    Ok(v)
}

/// The first argument (required) followed by the rest, read into `buf`.
fn read_all(
    env: sys::napi_env,
    buf: &mut ArgBuf,
    args: &[sys::napi_value],
    first: &str,
    rest: &str,
) -> Result<(), Error> {
    if args.is_empty() {
        let mut undef = ptr::null_mut();
        // SAFETY: plain value creation in the current scope.
        unsafe { sys::napi_get_undefined(env, &mut undef) };
        return Err(wrong_type(env, first, undef));
    }
    for (i, &v) in args.iter().enumerate() {
        if i == 0 {
            buf.push(env, v, &|| first.to_string())?;
        } else {
            buf.push(env, v, &|| format!("{rest}[{}]", i - 1))?;
        }
    }
    Ok(())
}

fn setuser(
    env: sys::napi_env,
    acl: &EmbeddedAcl,
    args: &[sys::napi_value],
) -> Result<sys::napi_value, Throw> {
    ArgBuf::with(|buf| {
        read_all(env, buf, args, "name", "rules")?;
        let all = buf.slices();
        acl.setuser(all[0], &all[1..])
            .map_err(|e| core_error(env, e))
    })?;
    Ok(UNDEFINED)
}

fn deluser(
    env: sys::napi_env,
    acl: &EmbeddedAcl,
    args: &[sys::napi_value],
) -> Result<sys::napi_value, Throw> {
    let n = ArgBuf::with(|buf| {
        for (i, &v) in args.iter().enumerate() {
            buf.push(env, v, &|| format!("names[{i}]"))?;
        }
        acl.deluser(&buf.slices()).map_err(|e| core_error(env, e))
    })?;
    let mut v = ptr::null_mut();
    let st = {
        // SAFETY: plain value creation in the current scope.
        unsafe { sys::napi_create_double(env, n as f64, &mut v) }
    };
    status(st, "napi_create_double")?;
    Ok(v)
}

fn check(
    env: sys::napi_env,
    acl: &EmbeddedAcl,
    args: &[sys::napi_value],
) -> Result<sys::napi_value, Throw> {
    ArgBuf::with(|buf| {
        read_all(env, buf, args, "user", "argv")?;
        let all = buf.slices();
        acl.acl().check(all[0], &all[1..]).map_err(|e| core_error(env, e))
    })?;
    Ok(UNDEFINED)
}

fn allowed(
    env: sys::napi_env,
    acl: &EmbeddedAcl,
    args: &[sys::napi_value],
) -> Result<sys::napi_value, Throw> {
    let yes = ArgBuf::with(|buf| {
        read_all(env, buf, args, "user", "argv")?;
        let all = buf.slices();
        acl.acl().allowed(all[0], &all[1..]).map_err(|e| core_error(env, e))
    })?;
    Ok(verdict::boolean(env, yes)?)
}

fn denial(
    env: sys::napi_env,
    acl: &EmbeddedAcl,
    args: &[sys::napi_value],
) -> Result<sys::napi_value, Throw> {
    let denied = ArgBuf::with(|buf| {
        read_all(env, buf, args, "user", "argv")?;
        let all = buf.slices();
        acl.acl().denial(all[0], &all[1..]).map_err(|e| core_error(env, e))
    })?;
    Ok(match denied {
        Some(d) => verdict::denial(env, &d)?,
        None => verdict::null(env)?,
    })
}

fn dryrun(
    env: sys::napi_env,
    acl: &EmbeddedAcl,
    args: &[sys::napi_value],
) -> Result<sys::napi_value, Throw> {
    let verdict = ArgBuf::with(|buf| {
        read_all(env, buf, args, "user", "argv")?;
        let all = buf.slices();
        acl.acl().dryrun(all[0], &all[1..])
            .map_err(|e| core_error(env, e))
    })?;
    Ok(string(env, verdict.text())?)
}

macro_rules! callback {
    ($name:ident, $handler:ident) => {
        unsafe extern "C" fn $name(
            env: sys::napi_env,
            info: sys::napi_callback_info,
        ) -> sys::napi_value {
            // SAFETY: called by Node-API with this callback's env and info.
            unsafe { dispatch(env, info, $handler) }
        }
    };
}

callback!(setuser_cb, setuser);
callback!(deluser_cb, deluser);
callback!(check_cb, check);
callback!(dryrun_cb, dryrun);
callback!(allowed_cb, allowed);
callback!(denial_cb, denial);

const METHODS: [(&CStr, Cb); 6] = [
    (c"setuser", setuser_cb),
    (c"deluser", deluser_cb),
    (c"check", check_cb),
    (c"allowed", allowed_cb),
    (c"denial", denial_cb),
    (c"dryrun", dryrun_cb),
];

/// Installs the six methods on `Acl.prototype` and tags it (called once per module load).
pub(crate) fn install(env: sys::napi_env, exports: sys::napi_value) -> Result<(), Error> {
    verdict::install(env)?;
    let mut ctor = ptr::null_mut();
    let st = {
        // SAFETY: `exports` is the module's exports object, on which napi-rs defined `Acl`.
        unsafe { sys::napi_get_named_property(env, exports, c"Acl".as_ptr(), &mut ctor) }
    };
    status(st, "get Acl")?;
    let mut proto = ptr::null_mut();
    let st = {
        // SAFETY: `ctor` is the Acl class constructor.
        unsafe { sys::napi_get_named_property(env, ctor, c"prototype".as_ptr(), &mut proto) }
    };
    status(st, "get Acl.prototype")?;
    let st = {
        // SAFETY: `proto` is an object of the current scope, tagged once.
        unsafe { sys::napi_type_tag_object(env, proto, &PROTO_TAG) }
    };
    status(st, "tag Acl.prototype")?;
    let descriptors: Vec<sys::napi_property_descriptor> = METHODS
        .iter()
        .map(|(name, cb)| descriptor(name, Some(*cb), ptr::null_mut()))
        .collect();
    let st = {
        // SAFETY: the descriptors point to 'static names and callbacks.
        unsafe { sys::napi_define_properties(env, proto, descriptors.len(), descriptors.as_ptr()) }
    };
    status(st, "define Acl methods")
}
