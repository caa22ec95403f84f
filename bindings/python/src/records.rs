//! Core's records as the dataclasses of `authgate/_types.py` (`UserInfo`, `SelectorInfo`,
//! `LogEntry`): byte strings become `str` (UTF-8, `surrogateescape`), the field order is the
//! dataclasses' (and `tests/fixtures/vocabulary.json`'s).

use authgate::acl::{LogEntry, SelectorInfo, UserInfo};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyList, PyType};

use crate::convert::to_str;

static USER_INFO: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static SELECTOR_INFO: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static LOG_ENTRY: PyOnceLock<Py<PyType>> = PyOnceLock::new();

fn class<'py>(
    py: Python<'py>,
    cell: &'static PyOnceLock<Py<PyType>>,
    name: &str,
) -> PyResult<&'py Bound<'py, PyType>> {
    cell.import(py, "authgate._types", name)
}

fn selector<'py>(py: Python<'py>, s: &SelectorInfo) -> PyResult<Bound<'py, PyAny>> {
    class(py, &SELECTOR_INFO, "SelectorInfo")?.call1((
        to_str(py, &s.commands)?,
        to_str(py, &s.keys)?,
        to_str(py, &s.channels)?,
    ))
}

/// ACL GETUSER's fields as a `UserInfo`.
pub(crate) fn user_info<'py>(py: Python<'py>, info: &UserInfo) -> PyResult<Bound<'py, PyAny>> {
    let selectors = PyList::empty(py);
    for s in &info.selectors {
        selectors.append(selector(py, s)?)?;
    }
    class(py, &USER_INFO, "UserInfo")?.call1((
        PyList::new(py, &info.flags)?,
        PyList::new(py, &info.passwords)?,
        to_str(py, &info.root.commands)?,
        to_str(py, &info.root.keys)?,
        to_str(py, &info.root.channels)?,
        selectors,
    ))
}

/// One ACL LOG entry as a `LogEntry`.
pub(crate) fn log_entry<'py>(py: Python<'py>, e: &LogEntry) -> PyResult<Bound<'py, PyAny>> {
    class(py, &LOG_ENTRY, "LogEntry")?.call1((
        e.count,
        e.reason.as_str(),
        e.context.as_str(),
        to_str(py, &e.object)?,
        to_str(py, &e.username)?,
        e.age_seconds,
        to_str(py, &e.client_info)?,
    ))
}
