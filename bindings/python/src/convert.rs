//! Conversions between Python values and the byte strings the engine works with.
//!
//! Inputs: `str` (UTF-8; lone surrogates from `surrogateescape` decoding turn back into the
//! original bytes), `bytes`, `bytearray`, and `int` (its decimal digits, as redis-py sends it).
//! Outputs: `str`, decoded as UTF-8 with `surrogateescape`, so any byte string survives a
//! round trip through Python. Integers: Python's `int` (as `i64`) to the width core takes, an
//! `InvalidArgument` when it does not fit.

use std::path::PathBuf;

use authgate::Error;
use pyo3::exceptions::PyTypeError;
use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyBytes, PyInt, PyList, PyString, PyTuple};
use smallvec::SmallVec;

/// Up to this many arguments are converted without a heap allocation.
const INLINE_ARGS: usize = 8;

// `PyUnicode_AsUTF8AndSize` is in the stable ABI from Python 3.10 and exported by every CPython
// 3 (so by 3.9 too); pyo3-ffi declares it only for abi3 >= 3.10 builds.
extern "C" {
    fn PyUnicode_AsUTF8AndSize(
        unicode: *mut ffi::PyObject,
        size: *mut ffi::Py_ssize_t,
    ) -> *const std::os::raw::c_char;
}

/// The bytes of one argument: borrowed from the Python object when it is `bytes` or a `str`
/// (CPython caches a str's UTF-8 form inside the object), else a converted copy.
pub(crate) enum Arg<'a> {
    /// Borrowed from a live Python object.
    Borrowed(&'a [u8]),
    /// Converted (bytearray, int, str with surrogates).
    Owned(Vec<u8>),
}

impl Arg<'_> {
    /// The argument's bytes.
    pub(crate) fn as_bytes(&self) -> &[u8] {
        match self {
            Arg::Borrowed(b) => b,
            Arg::Owned(v) => v,
        }
    }
}

impl AsRef<[u8]> for Arg<'_> {
    fn as_ref(&self) -> &[u8] {
        self.as_bytes()
    }
}

/// The bytes of a `str` or `bytes` object without copying, or None for any other type (or a
/// str that is not valid UTF-8, i.e. has lone surrogates).
fn borrow_bytes<'a>(obj: Borrowed<'a, '_, PyAny>) -> Option<&'a [u8]> {
    let ptr = obj.as_ptr();
    // SAFETY: the GIL is held (`Borrowed` carries the `'py` token) and `obj` stays alive for
    // `'a`. A str's cached UTF-8 buffer and a bytes object's buffer live as long as the object
    // and are never mutated, so slices of them are valid for `'a`.
    unsafe {
        if ffi::PyUnicode_Check(ptr) != 0 {
            let mut len: ffi::Py_ssize_t = 0;
            let data = PyUnicode_AsUTF8AndSize(ptr, &mut len);
            if data.is_null() {
                ffi::PyErr_Clear();
                return None;
            }
            return Some(std::slice::from_raw_parts(data.cast::<u8>(), len as usize));
        }
        if ffi::PyBytes_Check(ptr) != 0 {
            let data = ffi::PyBytes_AsString(ptr);
            let len = ffi::PyBytes_Size(ptr);
            if data.is_null() || len < 0 {
                ffi::PyErr_Clear();
                return None;
            }
            return Some(std::slice::from_raw_parts(data.cast::<u8>(), len as usize));
        }
    }
    None
}

/// Converts one argument; `what` names it in a TypeError.
pub(crate) fn arg<'a>(obj: &'a Bound<'_, PyAny>, what: &str) -> PyResult<Arg<'a>> {
    borrowed_arg(obj.as_borrowed(), what)
}

fn borrowed_arg<'a>(obj: Borrowed<'a, '_, PyAny>, what: &str) -> PyResult<Arg<'a>> {
    match borrow_bytes(obj) {
        Some(b) => Ok(Arg::Borrowed(b)),
        None => Ok(Arg::Owned(arg_bytes(&obj, what)?.as_bytes().to_vec())),
    }
}

/// Converts every element of `tuple` (a `*args`).
pub(crate) fn args<'a>(
    tuple: &'a Bound<'_, PyTuple>,
    what: &str,
) -> PyResult<SmallVec<[Arg<'a>; INLINE_ARGS]>> {
    let mut out = SmallVec::with_capacity(tuple.len());
    for item in tuple.iter_borrowed() {
        out.push(borrowed_arg(item, what)?);
    }
    Ok(out)
}

/// The slow path: any accepted type as a Python `bytes` object.
fn arg_bytes<'py>(obj: &Bound<'py, PyAny>, what: &str) -> PyResult<Bound<'py, PyBytes>> {
    if let Ok(s) = obj.cast::<PyString>() {
        return str_bytes(s);
    }
    if let Ok(b) = obj.cast::<PyBytes>() {
        return Ok(b.clone());
    }
    if let Ok(b) = obj.cast::<PyByteArray>() {
        return Ok(PyBytes::new(obj.py(), &b.to_vec()));
    }
    if obj.is_instance_of::<PyInt>() {
        let text = obj.str()?;
        return str_bytes(&text);
    }
    Err(PyTypeError::new_err(format!(
        "{what} must be str, bytes, bytearray or int, not {}",
        obj.get_type().name()?
    )))
}

/// UTF-8 bytes of a `str`; lone surrogates (from `surrogateescape`) map back to raw bytes.
fn str_bytes<'py>(s: &Bound<'py, PyString>) -> PyResult<Bound<'py, PyBytes>> {
    match s.encode_utf8() {
        Ok(b) => Ok(b),
        Err(_) => Ok(s
            .call_method1("encode", ("utf-8", "surrogateescape"))?
            .cast_into::<PyBytes>()?),
    }
}

/// A byte string as `str` (UTF-8, `surrogateescape` for invalid bytes).
pub(crate) fn to_str<'py>(py: Python<'py>, bytes: &[u8]) -> PyResult<Bound<'py, PyString>> {
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok(PyString::new(py, s)),
        Err(_) => Ok(PyBytes::new(py, bytes)
            .call_method1("decode", ("utf-8", "surrogateescape"))?
            .cast_into::<PyString>()?),
    }
}

/// A list of byte strings as `list[str]`.
pub(crate) fn to_str_list<'py, B: AsRef<[u8]>>(
    py: Python<'py>,
    items: &[B],
) -> PyResult<Bound<'py, PyList>> {
    let list = PyList::empty(py);
    for item in items {
        list.append(to_str(py, item.as_ref())?)?;
    }
    Ok(list)
}

/// A file system path from `str`, `bytes` or `os.PathLike`.
pub(crate) fn to_path(obj: &Bound<'_, PyAny>) -> PyResult<PathBuf> {
    if let Ok(b) = obj.cast::<PyBytes>() {
        #[cfg(unix)]
        {
            use std::os::unix::ffi::OsStrExt;
            return Ok(PathBuf::from(std::ffi::OsStr::from_bytes(b.as_bytes())));
        }
        #[cfg(not(unix))]
        {
            let text = std::str::from_utf8(b.as_bytes())
                .map_err(|_| PyTypeError::new_err("a bytes path must be UTF-8 on this platform"))?;
            return Ok(PathBuf::from(text));
        }
    }
    obj.extract::<PathBuf>().map_err(|_| {
        let name = obj
            .get_type()
            .name()
            .map(|n| n.to_string())
            .unwrap_or_default();
        PyTypeError::new_err(format!(
            "path must be str, bytes or os.PathLike, not {name}"
        ))
    })
}

/// A count or size (`log_max_len`, `maxclients`): a negative value is an `InvalidArgument`.
pub(crate) fn to_usize(value: i64, what: &str) -> Result<usize, Error> {
    usize::try_from(value)
        .map_err(|_| Error::invalid_argument(format!("{what} must not be negative, not {value}")))
}

/// A TCP port: `InvalidArgument` outside `0..=65535`.
pub(crate) fn to_port(value: i64) -> Result<u16, Error> {
    u16::try_from(value).map_err(|_| {
        Error::invalid_argument(format!(
            "port must be between 0 and {}, not {value}",
            u16::MAX
        ))
    })
}
