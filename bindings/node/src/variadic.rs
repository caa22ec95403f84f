//! The variadic `Acl` methods: `setuser(name, ...rules)`, `deluser(...names)`,
//! `check(user, ...argv)` and `dryrun(user, ...argv)`.
//!
//! `#[napi]` methods take a fixed number of arguments, so these four are plain Node-API
//! callbacks installed on `Acl.prototype` when the module loads (their TypeScript declarations
//! are in `node/dts-header.d.ts`, merged into the generated `index.d.ts`). Each callback reads
//! all its arguments without allocating (strings go to a reused arena, Buffers are borrowed),
//! checks that `this` is an `Acl` via napi-rs' type tag, and runs inside `catch_unwind`, the
//! same boundary `#[napi(catch_unwind)]` gives the generated methods.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::ptr;

use authgate::acl::Acl as CoreAcl;
use napi::{sys, Error, Status};

use crate::args::{wrong_type, ArgBuf};
use crate::error::{acl_error, throw, throw_panic};

/// Arguments read without a heap allocation (more spill to a Vec).
const INLINE_ARGS: usize = 12;

type Handler = fn(sys::napi_env, &CoreAcl, &[sys::napi_value]) -> Result<sys::napi_value, Error>;

fn status(st: sys::napi_status, what: &str) -> Result<(), Error> {
    if st == sys::Status::napi_ok {
        Ok(())
    } else {
        Err(Error::new(Status::from(st), format!("{what} failed")))
    }
}

/// Common body of the four callbacks: arguments, `this`, the panic boundary, and throwing.
///
/// # Safety
/// Must be called from a Node-API callback with its `env` and `info`.
unsafe fn dispatch(env: sys::napi_env, info: sys::napi_callback_info, f: Handler) -> sys::napi_value {
    let outcome = catch_unwind(AssertUnwindSafe(|| -> Result<sys::napi_value, Error> {
        let mut inline = [ptr::null_mut(); INLINE_ARGS];
        let mut argc = INLINE_ARGS;
        let mut this = ptr::null_mut();
        // SAFETY: `inline` has room for `argc` values.
        status(
            unsafe {
                sys::napi_get_cb_info(env, info, &mut argc, inline.as_mut_ptr(), &mut this, ptr::null_mut())
            },
            "napi_get_cb_info",
        )?;
        let spilled: Vec<sys::napi_value>;
        let args: &[sys::napi_value] = if argc <= INLINE_ARGS {
            &inline[..argc]
        } else {
            let mut v = vec![ptr::null_mut(); argc];
            let mut n = argc;
            // SAFETY: `v` has room for `n` values.
            status(
                unsafe { sys::napi_get_cb_info(env, info, &mut n, v.as_mut_ptr(), &mut this, ptr::null_mut()) },
                "napi_get_cb_info",
            )?;
            v.truncate(n.min(argc));
            spilled = v;
            &spilled
        };
        let acl = crate::acl::unwrap_acl(env, this, "this", "ERR_INVALID_THIS")?;
        f(env, acl, args)
    }));
    match outcome {
        Ok(Ok(v)) => v,
        Ok(Err(e)) => {
            // SAFETY: `env` is the current callback's.
            unsafe { throw(env, e) };
            ptr::null_mut()
        }
        Err(payload) => {
            // SAFETY: `env` is the current callback's.
            unsafe { throw_panic(env, payload) };
            ptr::null_mut()
        }
    }
}

fn undefined(env: sys::napi_env) -> Result<sys::napi_value, Error> {
    let mut v = ptr::null_mut();
    // SAFETY: plain value creation in the current scope.
    status(unsafe { sys::napi_get_undefined(env, &mut v) }, "napi_get_undefined")?;
    Ok(v)
}

fn string(env: sys::napi_env, b: &[u8]) -> Result<sys::napi_value, Error> {
    let s = String::from_utf8_lossy(b);
    let mut v = ptr::null_mut();
    // SAFETY: `s` is valid UTF-8 of the given length; napi copies it.
    status(
        unsafe { sys::napi_create_string_utf8(env, s.as_ptr().cast(), s.len() as isize, &mut v) },
        "napi_create_string_utf8",
    )?;
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

fn setuser(env: sys::napi_env, acl: &CoreAcl, args: &[sys::napi_value]) -> Result<sys::napi_value, Error> {
    ArgBuf::with(|buf| {
        read_all(env, buf, args, "name", "rules")?;
        let all = buf.slices();
        acl.setuser(all[0], &all[1..]).map_err(|e| acl_error(env, &e))
    })?;
    undefined(env)
}

fn deluser(env: sys::napi_env, acl: &CoreAcl, args: &[sys::napi_value]) -> Result<sys::napi_value, Error> {
    let n = ArgBuf::with(|buf| {
        for (i, &v) in args.iter().enumerate() {
            buf.push(env, v, &|| format!("names[{i}]"))?;
        }
        acl.deluser(&buf.slices()).map_err(|e| acl_error(env, &e))
    })?;
    let mut v = ptr::null_mut();
    // SAFETY: plain value creation in the current scope.
    status(unsafe { sys::napi_create_double(env, n as f64, &mut v) }, "napi_create_double")?;
    Ok(v)
}

fn check(env: sys::napi_env, acl: &CoreAcl, args: &[sys::napi_value]) -> Result<sys::napi_value, Error> {
    ArgBuf::with(|buf| {
        read_all(env, buf, args, "user", "argv")?;
        let all = buf.slices();
        acl.check(all[0], &all[1..]).map_err(|e| acl_error(env, &e))
    })?;
    undefined(env)
}

fn dryrun(env: sys::napi_env, acl: &CoreAcl, args: &[sys::napi_value]) -> Result<sys::napi_value, Error> {
    let text = ArgBuf::with(|buf| {
        read_all(env, buf, args, "user", "argv")?;
        let all = buf.slices();
        acl.dryrun(all[0], &all[1..]).map_err(|e| acl_error(env, &e))
    })?;
    match text {
        None => string(env, b"OK"),
        Some(t) => string(env, &t),
    }
}

macro_rules! callback {
    ($name:ident, $handler:ident) => {
        unsafe extern "C" fn $name(env: sys::napi_env, info: sys::napi_callback_info) -> sys::napi_value {
            // SAFETY: called by Node-API with this callback's env and info.
            unsafe { dispatch(env, info, $handler) }
        }
    };
}

callback!(setuser_cb, setuser);
callback!(deluser_cb, deluser);
callback!(check_cb, check);
callback!(dryrun_cb, dryrun);

/// Installs the four methods on `Acl.prototype` (called once per module load).
pub(crate) fn install(env: sys::napi_env, exports: sys::napi_value) -> Result<(), Error> {
    let mut ctor = ptr::null_mut();
    // SAFETY: `exports` is the module's exports object, on which napi-rs defined `Acl`.
    status(unsafe { sys::napi_get_named_property(env, exports, c"Acl".as_ptr(), &mut ctor) }, "get Acl")?;
    let mut proto = ptr::null_mut();
    // SAFETY: `ctor` is the Acl class constructor.
    status(
        unsafe { sys::napi_get_named_property(env, ctor, c"prototype".as_ptr(), &mut proto) },
        "get Acl.prototype",
    )?;
    type Cb = unsafe extern "C" fn(sys::napi_env, sys::napi_callback_info) -> sys::napi_value;
    let methods: [(&std::ffi::CStr, Cb); 4] = [
        (c"setuser", setuser_cb),
        (c"deluser", deluser_cb),
        (c"check", check_cb),
        (c"dryrun", dryrun_cb),
    ];
    let descriptors: Vec<sys::napi_property_descriptor> = methods
        .iter()
        .map(|(name, cb)| sys::napi_property_descriptor {
            utf8name: name.as_ptr(),
            name: ptr::null_mut(),
            method: Some(*cb),
            getter: None,
            setter: None,
            value: ptr::null_mut(),
            attributes: sys::PropertyAttributes::writable | sys::PropertyAttributes::configurable,
            data: ptr::null_mut(),
        })
        .collect();
    // SAFETY: the descriptors point to 'static names and callbacks.
    status(
        unsafe { sys::napi_define_properties(env, proto, descriptors.len(), descriptors.as_ptr()) },
        "define Acl methods",
    )
}
