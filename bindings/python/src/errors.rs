//! Core errors to Python exceptions.
//!
//! The exception classes are plain Python classes in `authgate/_errors.py` (so they have
//! normal constructors, docstrings and pickling); this module only raises them. Every message
//! is Redis' full error text, code included (`str(e)` is what a Redis client would see after
//! the `-`), and every exception carries the stable code as `.code`.

use authgate::acl::{AclError, DenialKind};
use pyo3::exceptions::PyBaseException;
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyString;

use crate::convert::to_str;

mod py {
    pyo3::import_exception!(authgate._errors, AclError);
    pyo3::import_exception!(authgate._errors, PermissionDenied);
    pyo3::import_exception!(authgate._errors, AuthError);
    pyo3::import_exception!(authgate._errors, ConfigError);
}

/// Redis' reply to a failed AUTH / HELLO AUTH.
pub(crate) const WRONGPASS: &str = "WRONGPASS invalid username-password pair or user is disabled.";

/// The `reason` of a denial, as ACL LOG and `PermissionDenied.reason` name it.
pub(crate) fn reason(kind: DenialKind) -> &'static str {
    match kind {
        DenialKind::Command => "command",
        DenialKind::Key => "key",
        DenialKind::Channel => "channel",
    }
}

/// Maps an engine error to its exception: `PermissionDenied` for denials, `ConfigError` for
/// aclfile problems, `AclError` for everything else.
pub(crate) fn acl_error(py: Python<'_>, e: AclError) -> PyErr {
    let code = e.code();
    let text = e.to_string();
    match e {
        AclError::Denied {
            kind,
            command,
            object,
        } => {
            let object = match kind {
                DenialKind::Command => to_str(py, command.as_bytes()),
                _ => to_str(py, &object),
            };
            object
                .and_then(|object| permission_denied(py, text, reason(kind), object, command))
                .unwrap_or_else(|err| err)
        }
        AclError::Save(detail) => py::ConfigError::new_err((text, code, detail)),
        AclError::Load(_) | AclError::NoAclFile => py::ConfigError::new_err((text, code)),
        _ => py::AclError::new_err((text, code)),
    }
}

static BASE_EXCEPTION_NEW: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// A `PermissionDenied` built without running its Python `__init__` (which costs more than the
/// whole permission check): `BaseException.__new__` sets `args`, then the attributes are set
/// directly. The result is identical to `PermissionDenied(text, reason, object, command)`.
fn permission_denied(
    py: Python<'_>,
    text: String,
    reason: &'static str,
    object: Bound<'_, PyString>,
    command: String,
) -> PyResult<PyErr> {
    let new = BASE_EXCEPTION_NEW.get_or_try_init(py, || {
        py.get_type::<PyBaseException>()
            .getattr("__new__")
            .map(Bound::unbind)
    })?;
    let exc = new
        .bind(py)
        .call1((py.get_type::<py::PermissionDenied>(), text))?;
    exc.setattr(intern!(py, "reason"), reason)?;
    exc.setattr(intern!(py, "object"), object)?;
    exc.setattr(intern!(py, "command"), command)?;
    Ok(PyErr::from_value(exc))
}

/// `AuthError` with Redis' WRONGPASS text.
pub(crate) fn wrongpass() -> PyErr {
    py::AuthError::new_err((WRONGPASS, "WRONGPASS"))
}

/// `ConfigError` with a message and code.
pub(crate) fn config_error(message: String, code: &'static str) -> PyErr {
    py::ConfigError::new_err((message, code))
}

/// Extension trait: `.py_err(py)?` on engine results.
pub(crate) trait IntoPyResult<T> {
    fn py_err(self, py: Python<'_>) -> PyResult<T>;
}

impl<T> IntoPyResult<T> for Result<T, AclError> {
    fn py_err(self, py: Python<'_>) -> PyResult<T> {
        self.map_err(|e| acl_error(py, e))
    }
}
