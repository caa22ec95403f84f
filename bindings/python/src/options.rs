//! `authgate.AclOptions`: the engine settings (`acl-pubsub-default`, `acllog-max-len`), with
//! core's defaults and core's parsing.

use authgate::acl::{AclOptions, PubsubDefault};
use authgate::Error;
use pyo3::prelude::*;

use crate::convert::{arg, to_usize};
use crate::errors::{guard, IntoPyResult};

/// `acl-pubsub-default` from `str` or `bytes`, parsed by core (ASCII case ignored, as Redis'
/// config parser does); an unknown value is an `InvalidArgument` with Redis' text.
pub(crate) fn pubsub_default(value: &Bound<'_, PyAny>) -> PyResult<PubsubDefault> {
    let bytes = arg(value, "pubsub_default")?;
    PubsubDefault::from_bytes(bytes.as_bytes())
        .map_err(|e| Error::invalid_argument(e.to_string()))
        .py_err(value.py())
}

/// `acllog-max-len` from a Python int.
pub(crate) fn log_max_len(py: Python<'_>, value: i64) -> PyResult<usize> {
    to_usize(value, "log_max_len").py_err(py)
}

/// Core's defaults with the given fields replaced; `None` keeps the default.
pub(crate) fn acl_options(
    py: Python<'_>,
    pubsub: Option<&Bound<'_, PyAny>>,
    max_len: Option<i64>,
) -> PyResult<AclOptions> {
    let mut options = AclOptions::default();
    if let Some(value) = pubsub {
        options.pubsub_default = pubsub_default(value)?;
    }
    if let Some(n) = max_len {
        options.log_max_len = log_max_len(py, n)?;
    }
    Ok(options)
}

/// The engine settings Redis keeps in its config, as :meth:`Acl.options` returns them and
/// :meth:`Acl.set_options` takes them. Immutable; compares by value.
///
/// Args:
///     pubsub_default: ``acl-pubsub-default``, ``"resetchannels"`` (Redis 7.0's default) or
///         ``"allchannels"`` (``str`` or ``bytes``, any case): the channel permissions of
///         users created (or ``reset``) later.
///     log_max_len: ``acllog-max-len``, how many ACL LOG entries are kept.
///
///     A field left out (or None) takes Redis' default, from the core library.
///
/// Raises:
///     InvalidArgument: an unknown ``pubsub_default`` (Redis' text) or a negative
///         ``log_max_len``.
#[pyclass(
    name = "AclOptions",
    module = "authgate",
    frozen,
    eq,
    skip_from_py_object
)]
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct PyAclOptions {
    pub(crate) inner: AclOptions,
}

#[pymethods]
impl PyAclOptions {
    #[new]
    #[pyo3(signature = (*, pubsub_default = None, log_max_len = None))]
    fn new(
        py: Python<'_>,
        pubsub_default: Option<&Bound<'_, PyAny>>,
        log_max_len: Option<i64>,
    ) -> PyResult<PyAclOptions> {
        guard(py, || {
            let inner = acl_options(py, pubsub_default, log_max_len)?;
            Ok(PyAclOptions { inner })
        })
    }

    /// ``acl-pubsub-default``: ``"resetchannels"`` or ``"allchannels"``.
    #[getter]
    fn pubsub_default(&self, py: Python<'_>) -> PyResult<&'static str> {
        guard(py, || Ok(self.inner.pubsub_default.as_str()))
    }

    /// ``acllog-max-len``.
    #[getter]
    fn log_max_len(&self, py: Python<'_>) -> PyResult<usize> {
        guard(py, || Ok(self.inner.log_max_len))
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        guard(py, || {
            Ok(format!(
                "AclOptions(pubsub_default='{}', log_max_len={})",
                self.inner.pubsub_default.as_str(),
                self.inner.log_max_len
            ))
        })
    }
}
