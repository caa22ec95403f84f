//! `authgate.CredentialStore` and `authgate.milvus_authorization`: core's Milvus 2.3.5 user
//! management ([`CredentialStore`]) for Python. bcrypt runs with the GIL released.

use std::sync::Arc;
use std::time::Duration;

use authgate::credentials::{self, CredentialOptions, CredentialStore, StoreLocation, StoreSettings};
use authgate::Error;
use pyo3::prelude::*;
use pyo3::types::PyString;

use crate::convert::{arg, to_path, to_usize};
use crate::errors::{guard, IntoPyResult};

/// A Milvus-compatible user store: Milvus 2.3.5's username and password rules, error codes
/// and texts, bcrypt hashes and the root user (bootstrapped once with
/// ``default_root_password``), in memory (no ``path`` nor ``etcd``), in a JSON file
/// (``path``), or in the etcd a Milvus uses (``etcd``: ``"host:port"``, comma-separated or a
/// list for several members), so users are shared with that Milvus both ways.
///
/// Every failure raises :class:`CredentialError` with ``.code == "CREDENTIAL"``, Milvus'
/// numeric code as ``.milvus_code`` (1100, 1400, 1401, 65535) and Milvus' message as
/// ``str(e)``. Safe to share between threads.
#[pyclass(name = "CredentialStore", module = "authgate", frozen)]
pub(crate) struct PyCredentialStore {
    inner: Arc<CredentialStore>,
}

/// A name or password argument as UTF-8 text (`str`, or `bytes` holding UTF-8).
fn text(py: Python<'_>, obj: &Bound<'_, PyAny>, what: &str) -> PyResult<String> {
    let a = arg(obj, what)?;
    String::from_utf8(a.as_bytes().to_vec())
        .map_err(|_| Error::invalid_argument(format!("{what} must be UTF-8")))
        .py_err(py)
}

#[pymethods]
impl PyCredentialStore {
    /// Opens (or creates) the store and bootstraps root if it has none. Options left None take
    /// Milvus 2.3.5's defaults from core: ``min_password_length=6``, ``max_password_length=256``,
    /// ``max_user_num=100``, ``default_root_password="Milvus"``, ``super_users=()``,
    /// ``bcrypt_cost=10``; ``verified_cache_ttl`` (seconds) enables the keyed-MAC cache of
    /// verified passwords. etcd: ``root_path="by-dev"``, ``meta_sub_path="meta"``,
    /// ``etcd_user``/``etcd_password`` for etcd's auth, ``etcd_ca``/``etcd_cert``/``etcd_key``
    /// (PEM file paths) for TLS.
    ///
    /// Raises:
    ///     CredentialError: the file or etcd cannot be read, or an option is out of range.
    #[new]
    #[pyo3(signature = (path = None, *, etcd = None, root_path = None, meta_sub_path = None,
        min_password_length = None, max_password_length = None, max_user_num = None,
        default_root_password = None, super_users = None, bcrypt_cost = None,
        verified_cache_ttl = None, etcd_user = None, etcd_password = None, etcd_ca = None,
        etcd_cert = None, etcd_key = None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        path: Option<&Bound<'_, PyAny>>,
        etcd: Option<&Bound<'_, PyAny>>,
        root_path: Option<String>,
        meta_sub_path: Option<String>,
        min_password_length: Option<i64>,
        max_password_length: Option<i64>,
        max_user_num: Option<i64>,
        default_root_password: Option<String>,
        super_users: Option<Vec<String>>,
        bcrypt_cost: Option<u32>,
        verified_cache_ttl: Option<f64>,
        etcd_user: Option<String>,
        etcd_password: Option<String>,
        etcd_ca: Option<&Bound<'_, PyAny>>,
        etcd_cert: Option<&Bound<'_, PyAny>>,
        etcd_key: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyCredentialStore> {
        guard(py, || {
            let d = CredentialOptions::default();
            let size = |v: Option<i64>, what: &str, default: usize| v.map_or(Ok(default), |n| to_usize(n, what)).py_err(py);
            let ttl = match verified_cache_ttl {
                Some(s) if !(s.is_finite() && s >= 0.0) => {
                    return Err(Error::invalid_argument(format!("verified_cache_ttl must be a non-negative number of seconds, not {s}"))).py_err(py)
                }
                Some(s) => Some(Duration::from_secs_f64(s)),
                None => None,
            };
            let options = CredentialOptions {
                min_password_length: size(min_password_length, "min_password_length", d.min_password_length)?,
                max_password_length: size(max_password_length, "max_password_length", d.max_password_length)?,
                max_user_num: size(max_user_num, "max_user_num", d.max_user_num)?,
                default_root_password: default_root_password.unwrap_or(d.default_root_password.clone()),
                super_users: super_users.unwrap_or_default(),
                bcrypt_cost: bcrypt_cost.unwrap_or(d.bcrypt_cost),
                verified_cache_ttl: ttl,
                ..d
            };
            let location = match (path, etcd) {
                (Some(_), Some(_)) => return Err(Error::invalid_argument("give path or etcd, not both")).py_err(py),
                (Some(p), None) => StoreLocation::File(to_path(p)?),
                (None, Some(e)) => StoreLocation::Etcd(if e.is_instance_of::<PyString>() {
                    e.extract::<String>()?.split(',').filter(|x| !x.is_empty()).map(str::to_string).collect()
                } else {
                    e.extract::<Vec<String>>()?
                }),
                (None, None) => StoreLocation::Memory,
            };
            let path_of = |p: Option<&Bound<'_, PyAny>>| p.map(to_path).transpose();
            // Core checks the pairs (user and password, certificate and key), reads the PEM
            // files and refuses etcd options on a store that is not in etcd.
            let settings = StoreSettings {
                location,
                options,
                root_path,
                meta_sub_path,
                etcd_user,
                etcd_password,
                etcd_ca: path_of(etcd_ca)?,
                etcd_cert: path_of(etcd_cert)?,
                etcd_key: path_of(etcd_key)?,
            };
            let store = py.detach(|| settings.open()).py_err(py)?;
            Ok(PyCredentialStore { inner: Arc::new(store) })
        })
    }

    /// Creates a user (stored as given; Milvus' rules apply to the name trimmed).
    ///
    /// Raises:
    ///     CredentialError: a rule refuses it (1100), the user exists or the store is full
    ///         (65535): Milvus' text.
    fn create_user(&self, py: Python<'_>, name: &Bound<'_, PyAny>, password: &Bound<'_, PyAny>) -> PyResult<()> {
        guard(py, || {
            let (name, password) = (text(py, name, "name")?, text(py, password, "password")?);
            py.detach(|| self.inner.create_user(&name, password.as_bytes())).py_err(py)
        })
    }

    /// Changes a password. ``old`` must verify unless ``caller`` (who makes the request) is
    /// one of ``super_users``.
    ///
    /// Raises:
    ///     CredentialError: the old password does not verify or the user is unknown (1400), the
    ///         new one breaks a rule (1100, or 65535 past bcrypt's 72 bytes).
    #[pyo3(signature = (name, old, new, caller = None))]
    fn update_password(
        &self,
        py: Python<'_>,
        name: &Bound<'_, PyAny>,
        old: &Bound<'_, PyAny>,
        new: &Bound<'_, PyAny>,
        caller: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        guard(py, || {
            let (name, old, new) = (text(py, name, "name")?, text(py, old, "old")?, text(py, new, "new")?);
            let caller = caller.map(|c| text(py, c, "caller")).transpose()?;
            py.detach(|| self.inner.update_password(&name, old.as_bytes(), new.as_bytes(), caller.as_deref())).py_err(py)
        })
    }

    /// Deletes a user and its role mappings; an unknown user is not an error.
    ///
    /// Raises:
    ///     CredentialError: ``root`` (1401), an empty name (65535).
    fn delete_user(&self, py: Python<'_>, name: &Bound<'_, PyAny>) -> PyResult<()> {
        guard(py, || {
            let name = text(py, name, "name")?;
            py.detach(|| self.inner.delete_user(&name)).py_err(py)
        })
    }

    /// Every user, root included, in byte order.
    fn list_users(&self, py: Python<'_>) -> PyResult<Vec<String>> {
        guard(py, || py.detach(|| self.inner.list_users()).py_err(py))
    }

    /// Whether ``password`` is ``name``'s password (an unknown user is False).
    ///
    /// Raises:
    ///     CredentialError: only when the store cannot be read.
    fn verify(&self, py: Python<'_>, name: &Bound<'_, PyAny>, password: &Bound<'_, PyAny>) -> PyResult<bool> {
        guard(py, || {
            let (name, password) = (text(py, name, "name")?, text(py, password, "password")?);
            py.detach(|| self.inner.verify(&name, password.as_bytes())).py_err(py)
        })
    }

    fn __repr__(&self) -> String {
        format!("{:?}", self.inner.backend())
    }
}

/// The ``(user, password)`` of a Milvus client's gRPC ``authorization`` metadata value:
/// base64 of ``user:password``, split at the first ``:``.
///
/// Raises:
///     CredentialError: not such a value (Milvus' login failure text, 1400).
#[pyfunction]
pub(crate) fn milvus_authorization(py: Python<'_>, header_value: &Bound<'_, PyAny>) -> PyResult<(String, String)> {
    guard(py, || {
        let value = text(py, header_value, "header_value")?;
        credentials::milvus_authorization(&value).py_err(py)
    })
}
