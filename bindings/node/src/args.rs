//! Arguments that accept a `string` or a `Buffer`, binary-safe.
//!
//! Strings are encoded as UTF-8; Buffers are used byte for byte, so names, passwords, keys and
//! channels that are not valid UTF-8 go through unchanged. Like Node's own `Buffer` checks
//! (`napi_is_buffer`), any `Uint8Array` or other `ArrayBufferView` counts as a Buffer and is
//! read as its bytes.

use std::cell::RefCell;
use std::path::PathBuf;
use std::ptr;

use napi::bindgen_prelude::{FromNapiValue, TypeName, ValidateNapiValue};
use napi::{sys, Error, ValueType};
use smallvec::SmallVec;

use crate::error::{invalid_arg_type, invalid_argument};

/// How a value of the wrong type is described in the error message (Node's wording).
fn describe(env: sys::napi_env, v: sys::napi_value) -> String {
    let mut t = sys::ValueType::napi_undefined;
    // SAFETY: `v` is a value of the current callback scope of `env`.
    unsafe { sys::napi_typeof(env, v, &mut t) };
    match t {
        sys::ValueType::napi_undefined => "Received undefined".into(),
        sys::ValueType::napi_null => "Received null".into(),
        sys::ValueType::napi_boolean => "Received type boolean".into(),
        sys::ValueType::napi_number => "Received type number".into(),
        sys::ValueType::napi_symbol => "Received type symbol".into(),
        sys::ValueType::napi_function => "Received function".into(),
        sys::ValueType::napi_bigint => "Received type bigint".into(),
        sys::ValueType::napi_string => "Received type string".into(),
        _ => "Received an instance of a non-Buffer object".into(),
    }
}

/// The type error for argument `name` (unnamed if empty), which must be a string or Buffer.
pub(crate) fn wrong_type(env: sys::napi_env, name: &str, v: sys::napi_value) -> Error {
    wrong_type_of(env, name, "of type string or an instance of Buffer", v)
}

/// The type error for argument `name` (unnamed if empty), which must be `what`.
fn wrong_type_of(env: sys::napi_env, name: &str, what: &str, v: sys::napi_value) -> Error {
    let subject = if name.is_empty() {
        "The argument".to_string()
    } else {
        format!("The \"{name}\" argument")
    };
    invalid_arg_type(
        env,
        &format!("{subject} must be {what}. {}", describe(env, v)),
    )
}

/// Where one argument's bytes are.
#[derive(Clone, Copy)]
enum Span {
    /// `arena[start..end]` (a string, encoded).
    Arena(usize, usize),
    /// A Buffer's own memory; valid for the duration of the call (the Buffer is an argument).
    External(*const u8, usize),
}

/// Reusable storage for the arguments of one call.
#[derive(Default)]
pub(crate) struct ArgBuf {
    arena: Vec<u8>,
    spans: SmallVec<[Span; 8]>,
}

thread_local! {
    static SCRATCH: RefCell<ArgBuf> = RefCell::new(ArgBuf::default());
}

impl ArgBuf {
    /// Runs `f` with an empty scratch buffer; the allocation is reused across calls. The
    /// buffer is emptied on entry, not only after `f`: a call that panicked (napi turns the
    /// panic into a JS exception, the thread lives on) left its arguments, and its Buffer
    /// pointers, which must never come in front of the next call's.
    pub(crate) fn with<R>(f: impl FnOnce(&mut ArgBuf) -> R) -> R {
        SCRATCH.with(|s| match s.try_borrow_mut() {
            Ok(mut buf) => {
                buf.spans.clear();
                buf.arena.clear();
                let out = f(&mut buf);
                buf.spans.clear();
                buf.arena.clear();
                if buf.arena.capacity() > 64 * 1024 {
                    buf.arena = Vec::new();
                }
                out
            }
            // Only if a call re-entered while the scratch buffer is in use.
            Err(_) => f(&mut ArgBuf::default()),
        })
    }

    /// Appends one argument; `name` is used in the type error.
    pub(crate) fn push(
        &mut self,
        env: sys::napi_env,
        v: sys::napi_value,
        name: &dyn Fn() -> String,
    ) -> Result<(), Error> {
        match read_value(env, v, &mut self.arena) {
            Some(Read::Arena(start)) => {
                self.spans.push(Span::Arena(start, self.arena.len()));
                Ok(())
            }
            Some(Read::External(p, n)) => {
                self.spans.push(Span::External(p, n));
                Ok(())
            }
            None => Err(wrong_type(env, &name(), v)),
        }
    }

    /// The arguments pushed so far, in order.
    pub(crate) fn slices(&self) -> SmallVec<[&[u8]; 8]> {
        self.spans
            .iter()
            .map(|s| match *s {
                Span::Arena(a, b) => &self.arena[a..b],
                Span::External(_, 0) => &[][..],
                // SAFETY: the pointer and length come from napi_get_buffer_info for a Buffer
                // passed as an argument of the current call, so it is alive and unchanged until
                // the call returns, and `ArgBuf::with` clears the spans before that.
                Span::External(p, n) => unsafe { std::slice::from_raw_parts(p, n) },
            })
            .collect()
    }
}

enum Read {
    /// Appended to the arena from this offset.
    Arena(usize),
    /// A Buffer's memory.
    External(*const u8, usize),
}

/// Room reserved for a string before the first (usually only) copy attempt.
const STRING_GUESS: usize = 256;

/// Reads a string (appended to `arena` as UTF-8) or a Buffer (borrowed). None for other types.
///
/// Strings take one Node-API call in the common case: copy into the arena's spare room, and
/// only if the copy may have been cut short ask for the exact length and copy again.
fn read_value(env: sys::napi_env, v: sys::napi_value, arena: &mut Vec<u8>) -> Option<Read> {
    let start = arena.len();
    arena.reserve(STRING_GUESS);
    let room = arena.capacity() - start;
    let mut written = 0usize;
    // SAFETY: `v` belongs to the current callback scope; the arena has `room` writable bytes
    // after `start`, and napi writes at most `room - 1` bytes plus a NUL there.
    let st = unsafe {
        sys::napi_get_value_string_utf8(
            env,
            v,
            arena.as_mut_ptr().add(start).cast(),
            room,
            &mut written,
        )
    };
    if st == sys::Status::napi_ok {
        // V8 writes whole characters (at most 4 bytes each) into `room - 1` bytes: with 4 or
        // more bytes to spare, nothing was left out.
        if room - 1 - written >= 4 {
            // SAFETY: napi initialised `written` bytes after `start`.
            unsafe { arena.set_len(start + written) };
            return Some(Read::Arena(start));
        }
        let mut len = 0usize;
        // SAFETY: a NULL buffer asks for the length.
        unsafe { sys::napi_get_value_string_utf8(env, v, ptr::null_mut(), 0, &mut len) };
        arena.reserve(len + 1);
        // SAFETY: the arena now has room for `len + 1` bytes after `start`; `written <= len`
        // bytes are initialised, and only those are kept.
        unsafe {
            let dst = arena.as_mut_ptr().add(start);
            sys::napi_get_value_string_utf8(env, v, dst.cast(), len + 1, &mut written);
            arena.set_len(start + written);
        }
        return Some(Read::Arena(start));
    }
    let mut is_buffer = false;
    // SAFETY: as above.
    let st = unsafe { sys::napi_is_buffer(env, v, &mut is_buffer) };
    if st != sys::Status::napi_ok || !is_buffer {
        return None;
    }
    let mut data: *mut std::ffi::c_void = ptr::null_mut();
    let mut n = 0usize;
    // SAFETY: `v` is a Buffer (checked above).
    let st = unsafe { sys::napi_get_buffer_info(env, v, &mut data, &mut n) };
    if st != sys::Status::napi_ok {
        return None;
    }
    Some(Read::External(
        data as *const u8,
        if data.is_null() { 0 } else { n },
    ))
}

/// One `string | Buffer` argument of a generated method, copied.
pub struct Bytes(pub Vec<u8>);

impl Bytes {
    /// The bytes.
    pub fn as_slice(&self) -> &[u8] {
        &self.0
    }

    /// The bytes as a file path: byte for byte on Unix, where paths are bytes; elsewhere a
    /// Buffer that is not UTF-8 cannot name a file, and its invalid bytes are replaced.
    pub fn into_path(self) -> PathBuf {
        #[cfg(unix)]
        {
            use std::os::unix::ffi::OsStringExt;
            PathBuf::from(std::ffi::OsString::from_vec(self.0))
        }
        #[cfg(not(unix))]
        {
            PathBuf::from(String::from_utf8_lossy(&self.0).into_owned())
        }
    }
}

impl TypeName for Bytes {
    fn type_name() -> &'static str {
        "string | Buffer"
    }

    fn value_type() -> ValueType {
        ValueType::Unknown
    }
}

impl ValidateNapiValue for Bytes {}

impl FromNapiValue for Bytes {
    unsafe fn from_napi_value(env: sys::napi_env, v: sys::napi_value) -> napi::Result<Self> {
        let mut arena = Vec::new();
        match read_value(env, v, &mut arena) {
            Some(Read::Arena(_)) => Ok(Bytes(arena)),
            Some(Read::External(_, 0)) => Ok(Bytes(Vec::new())),
            Some(Read::External(p, n)) => {
                // SAFETY: see `ArgBuf::slices`; the bytes are copied before the call returns.
                let bytes = unsafe { std::slice::from_raw_parts(p, n) };
                Ok(Bytes(bytes.to_vec()))
            }
            None => Err(wrong_type(env, "", v)),
        }
    }
}

/// One `number` argument of a generated method (a JS number is a double).
pub struct Num(pub f64);

impl TypeName for Num {
    fn type_name() -> &'static str {
        "number"
    }

    fn value_type() -> ValueType {
        ValueType::Number
    }
}

impl ValidateNapiValue for Num {}

impl FromNapiValue for Num {
    unsafe fn from_napi_value(env: sys::napi_env, v: sys::napi_value) -> napi::Result<Self> {
        let mut n = 0f64;
        // SAFETY: `v` belongs to the current callback scope; a non-number gives a non-ok status.
        let st = unsafe { sys::napi_get_value_double(env, v, &mut n) };
        if st == sys::Status::napi_ok {
            Ok(Num(n))
        } else {
            Err(wrong_type_of(env, "", "of type number", v))
        }
    }
}

/// Largest integer a JS number holds exactly (`Number.MAX_SAFE_INTEGER`).
const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;

impl Num {
    /// The value as a count or size: a whole number in `0..=max` (and exact as a double),
    /// else core's `INVALID_ARGUMENT` naming `name`.
    pub fn whole(&self, env: sys::napi_env, name: &str, max: u64) -> napi::Result<u64> {
        let v = self.0;
        let limit = (max as f64).min(MAX_SAFE_INTEGER);
        if v.is_finite() && v.fract() == 0.0 && (0.0..=limit).contains(&v) {
            Ok(v as u64)
        } else {
            // Shown as JS prints it (`Infinity`, not Rust's `inf`).
            let shown = match v {
                f64::INFINITY => "Infinity".to_string(),
                f64::NEG_INFINITY => "-Infinity".to_string(),
                _ => v.to_string(),
            };
            Err(invalid_argument(
                env,
                format!("{name} must be an integer from 0 to {limit}, got {shown}"),
            ))
        }
    }
}

/// An options-object argument named `name`: `undefined` or `null` is `None` when `optional`,
/// an object is converted field by field, anything else is a `TypeError` (napi-rs' own
/// conversion would read the fields of a number or string as all missing).
pub(crate) fn options_object<T: FromNapiValue>(
    env: sys::napi_env,
    v: Option<&napi::bindgen_prelude::Unknown>,
    name: &str,
    optional: bool,
) -> napi::Result<Option<T>> {
    use napi::bindgen_prelude::JsValue;
    let Some(v) = v else {
        if optional {
            return Ok(None);
        }
        let mut undef = ptr::null_mut();
        // SAFETY: plain value creation in the current scope.
        unsafe { sys::napi_get_undefined(env, &mut undef) };
        return Err(wrong_type_of(env, name, "of type object", undef));
    };
    match v.get_type()? {
        ValueType::Undefined | ValueType::Null if optional => Ok(None),
        // SAFETY: `v` is a value of the current call.
        ValueType::Object => Ok(Some(unsafe { T::from_napi_value(env, v.raw()) }?)),
        _ => Err(wrong_type_of(env, name, "of type object", v.raw())),
    }
}
