//! `authgate.Denial`: what `Acl.denial` returns for a refused command line.
//!
//! A native class rather than a dataclass of `authgate/_types.py` like the other records: the
//! non-throwing check exists to be cheap, and building a dataclass (its Python `__init__`)
//! would cost more than the check itself. The fields are kept as core gave them and become
//! Python strings when read.

use authgate::Denied;
use pyo3::prelude::*;
use pyo3::types::PyString;

use crate::convert::to_str;

/// A permission denial as a value, what :meth:`Acl.denial` returns: the same fields as
/// :class:`PermissionDenied` (``reason``, ``command``, ``object``) and Redis' NOPERM reply
/// as ``message`` (what ``str()`` of the exception :meth:`Acl.check` raises gives).
#[pyclass(name = "Denial", module = "authgate", frozen)]
pub(crate) struct PyDenial {
    denied: Denied,
}

impl PyDenial {
    pub(crate) fn new(denied: Denied) -> PyDenial {
        PyDenial { denied }
    }
}

#[pymethods]
impl PyDenial {
    /// What was denied, as ACL LOG's ``reason``: ``"command"``, ``"key"`` or ``"channel"``.
    #[getter]
    fn reason(&self) -> &'static str {
        self.denied.kind.as_str()
    }

    /// The checked command's full name, lower case (``"get"``, ``"client|kill"``).
    #[getter]
    fn command(&self) -> &str {
        &self.denied.command
    }

    /// What was refused, as ACL LOG's ``object``: the command's full name for a command
    /// denial, else the key or channel (UTF-8 with ``surrogateescape``).
    #[getter]
    fn object<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyString>> {
        to_str(py, &self.denied.object)
    }

    /// Redis' error reply, code included (``NOPERM this user has no permissions to run the
    /// 'del' command``).
    #[getter]
    fn message(&self) -> String {
        self.denied.message()
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!(
            "Denial(reason={}, command={}, object={})",
            PyString::new(py, self.reason()).repr()?,
            PyString::new(py, self.command()).repr()?,
            self.object(py)?.repr()?
        ))
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other
            .cast::<PyDenial>()
            .is_ok_and(|o| o.get().denied == self.denied)
    }

    fn __hash__(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        (self.denied.kind.as_str(), &self.denied.command, &self.denied.object).hash(&mut h);
        h.finish()
    }
}
