//! `authgate._authgate`: the native half of the `authgate` Python package.
//!
//! Thin by design: argument conversion and error mapping only; all logic is in the `authgate`
//! crate. The public API is re-exported (with docs and type stubs) by `authgate/__init__.py`.

mod acl;
mod convert;
mod errors;
mod server;

use authgate::acl::Acl;
use pyo3::prelude::*;

/// ``ACL GENPASS [bits]``: a random password of ``bits`` bits (default 256) as lowercase hex,
/// from the operating system's random source.
///
/// Raises:
///     AclError: ``bits`` is not in 1..4096 (Redis' text).
#[pyfunction]
#[pyo3(signature = (bits = 256))]
fn genpass(py: Python<'_>, bits: i64) -> PyResult<String> {
    use errors::IntoPyResult;
    Acl::genpass(Some(bits.to_string().as_bytes())).py_err(py)
}

/// Panics on purpose, to test how a Rust panic surfaces in Python
/// (``pyo3_runtime.PanicException``, a ``BaseException``). Not part of the API.
#[pyfunction]
fn _debug_panic(message: &str) -> PyResult<()> {
    panic!("{message}")
}

#[pymodule]
fn _authgate(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<acl::PyAcl>()?;
    m.add_class::<server::PyServer>()?;
    m.add_function(wrap_pyfunction!(genpass, m)?)?;
    m.add_function(wrap_pyfunction!(_debug_panic, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
