//! `authgate._authgate`: the native half of the `authgate` Python package.
//!
//! Thin by design: argument conversion and error mapping only; all logic is in the `authgate`
//! crate. The public API is re-exported (with docs and type stubs) by `authgate/__init__.py`.
//! Every exported method runs its body inside [`errors::guard`], so a Rust panic surfaces as
//! `authgate.InternalError` (code `PANIC`), never as pyo3's `PanicException`.

mod acl;
mod cert;
mod cert_map;
mod convert;
mod credentials;
mod denial;
mod errors;
mod nats;
mod options;
mod records;
mod server;
mod server_tls;

use authgate::{Error, ErrorKind};
use pyo3::prelude::*;

use errors::{guard, to_py_err};

/// ``ACL GENPASS [bits]``: a random password of ``bits`` bits (Redis' default, 256, when None)
/// as lowercase hex, from the operating system's random source. The same as
/// :meth:`Acl.genpass`.
///
/// Raises:
///     AclError: ``bits`` is not in 1..4096 (Redis' text).
#[pyfunction]
#[pyo3(signature = (bits = None))]
fn genpass(py: Python<'_>, bits: Option<i64>) -> PyResult<String> {
    guard(py, || acl::genpass(py, bits))
}

/// Panics on purpose, to test the panic boundary: raises ``authgate.InternalError`` (code
/// ``PANIC``) with the panic's message. Not part of the API.
#[pyfunction]
fn _debug_panic(py: Python<'_>, message: &str) -> PyResult<()> {
    guard(py, || panic!("{message}"))
}

/// Raises the exception the binding maps core's error of ``code`` to, to test the mapping of
/// every code, including those no call of this package produces yet. With ``errno`` the error
/// is core's conversion of that OS error (``message`` is then the OS' text). Not part of the
/// API.
#[pyfunction]
#[pyo3(signature = (code, message, *, errno = None, milvus_code = None, detail = None))]
fn _debug_error(
    py: Python<'_>,
    code: &str,
    message: &Bound<'_, PyAny>,
    errno: Option<i32>,
    milvus_code: Option<i64>,
    detail: Option<&str>,
) -> PyResult<()> {
    guard(py, || {
        let message = convert::arg(message, "message")?.as_bytes().to_vec();
        let mut e = match (errno, ErrorKind::from_code(code)) {
            (Some(n), _) => Error::from(std::io::Error::from_raw_os_error(n)),
            (None, Some(kind)) => Error::new(kind, message),
            (None, None) => Error::invalid_argument(format!("unknown error code {code:?}")),
        };
        if let Some(n) = milvus_code {
            e = e.with_milvus_code(n);
        }
        if let Some(d) = detail {
            e = e.with_detail(d);
        }
        Err(to_py_err(py, &e))
    })
}

/// Every error code core defines (``ErrorKind::ALL``), in core's order. Not part of the API;
/// the tests compare it with ``tests/fixtures/vocabulary.json``.
#[pyfunction]
fn _error_codes(py: Python<'_>) -> PyResult<Vec<&'static str>> {
    guard(py, || Ok(ErrorKind::ALL.iter().map(|k| k.code()).collect()))
}

#[pymodule]
fn _authgate(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<acl::PyAcl>()?;
    m.add_class::<denial::PyDenial>()?;
    m.add_class::<options::PyAclOptions>()?;
    m.add_class::<server::PyServer>()?;
    m.add_class::<nats::PyNatsAuth>()?;
    m.add_class::<nats::PyNatsIdentity>()?;
    m.add_class::<credentials::PyCredentialStore>()?;
    m.add_class::<cert::PyClientCert>()?;
    m.add_class::<cert::PySubjectPolicy>()?;
    m.add_class::<cert_map::PyCertUserMap>()?;
    m.add_class::<cert_map::PyCertLogin>()?;
    m.add_function(wrap_pyfunction!(credentials::milvus_authorization, m)?)?;
    m.add_function(wrap_pyfunction!(genpass, m)?)?;
    m.add_function(wrap_pyfunction!(_debug_panic, m)?)?;
    m.add_function(wrap_pyfunction!(_debug_error, m)?)?;
    m.add_function(wrap_pyfunction!(_error_codes, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
