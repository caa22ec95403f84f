//! Conversions between Python values and the byte strings the engine works with.
//!
//! Inputs: `str` (UTF-8; lone surrogates from `surrogateescape` decoding turn back into the
//! original bytes), `bytes`, `bytearray`, and `int` (its decimal digits, as redis-py sends it).
//! Outputs: `str`, decoded as UTF-8 with `surrogateescape`, so any byte string survives a
//! round trip through Python.

use std::path::PathBuf;

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyBytes, PyInt, PyList, PyString, PyTuple};
use smallvec::SmallVec;

/// Up to this many arguments are converted without a heap allocation.
const INLINE_ARGS: usize = 8;

/// The bytes of one argument, kept alive as a Python `bytes` object.
pub(crate) fn arg_bytes<'py>(obj: &Bound<'py, PyAny>, what: &str) -> PyResult<Bound<'py, PyBytes>> {
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
        Err(_) => Ok(s.call_method1("encode", ("utf-8", "surrogateescape"))?.cast_into::<PyBytes>()?),
    }
}

/// The `*argv` of a call: the Python `bytes` objects that own each argument.
pub(crate) struct Args<'py> {
    owners: SmallVec<[Bound<'py, PyBytes>; INLINE_ARGS]>,
}

impl<'py> Args<'py> {
    /// Converts every element of `tuple`; `what` names the argument in a TypeError.
    pub(crate) fn from_tuple(tuple: &Bound<'py, PyTuple>, what: &str) -> PyResult<Args<'py>> {
        let mut owners = SmallVec::new();
        for item in tuple.iter() {
            owners.push(arg_bytes(&item, what)?);
        }
        Ok(Args { owners })
    }

    /// Borrowed slices, in order.
    pub(crate) fn slices(&self) -> SmallVec<[&[u8]; INLINE_ARGS]> {
        self.owners.iter().map(|b| b.as_bytes()).collect()
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
        let name = obj.get_type().name().map(|n| n.to_string()).unwrap_or_default();
        PyTypeError::new_err(format!("path must be str, bytes or os.PathLike, not {name}"))
    })
}
