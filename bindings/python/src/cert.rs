//! `authgate.ClientCert` and `authgate.SubjectPolicy`: core's certificate identity
//! ([`ClientCert`]) and Redis Software's mTLS subject check ([`SubjectPolicy`]) for Python.
//! Refusals are core's `CERTIFICATE` errors (`CertificateError`), mapped by `errors.rs`.

use authgate::tls::{AuthorizedSubject, CertError, ClientCert, SubjectPolicy, SubjectValidation};
use authgate::Error;
use pyo3::prelude::*;
use pyo3::types::{PyString, PyType};

use crate::convert::arg;
use crate::errors::{guard, IntoPyResult};

/// A parsed X.509 client certificate: its subject exactly as ``openssl x509 -noout -subject
/// -nameopt RFC2253`` prints it, its first common name, its subject alternative names and its
/// validity dates. Immutable and safe to share between threads.
///
/// Build one with :meth:`from_pem` or :meth:`from_der`; a malformed input raises
/// :class:`CertificateError` with core's reason (at most 64 KiB is read).
#[pyclass(name = "ClientCert", module = "authgate", frozen)]
pub(crate) struct PyClientCert {
    pub(crate) inner: ClientCert,
}

/// A certificate argument: a `ClientCert`, or PEM or DER bytes (`CertificateError` if they are
/// not a certificate).
pub(crate) fn client_cert_arg(py: Python<'_>, obj: &Bound<'_, PyAny>) -> PyResult<ClientCert> {
    if let Ok(cert) = obj.cast::<PyClientCert>() {
        return Ok(cert.get().inner.clone());
    }
    let data = arg(obj, "certificate")?;
    ClientCert::parse(data.as_bytes()).py_err(py)
}

/// The certificate in `data` (bytes, bytearray or str) read by `parse`.
fn parse_with(
    cls: &Bound<'_, PyType>,
    data: &Bound<'_, PyAny>,
    parse: fn(&[u8]) -> Result<ClientCert, CertError>,
) -> PyResult<PyClientCert> {
    let py = cls.py();
    guard(py, || {
        let data = arg(data, "data")?;
        let inner = parse(data.as_bytes()).py_err(py)?;
        Ok(PyClientCert { inner })
    })
}

#[pymethods]
impl PyClientCert {
    /// Parses the first ``CERTIFICATE`` block of PEM text (other blocks, such as a private
    /// key in the same file, are skipped).
    ///
    /// Raises:
    ///     CertificateError: no certificate, or a malformed one (core's reason).
    #[classmethod]
    fn from_pem(cls: &Bound<'_, PyType>, data: &Bound<'_, PyAny>) -> PyResult<PyClientCert> {
        parse_with(cls, data, ClientCert::from_pem)
    }

    /// Parses one DER certificate (nothing may follow it).
    ///
    /// Raises:
    ///     CertificateError: not a DER certificate (core's reason).
    #[classmethod]
    fn from_der(cls: &Bound<'_, PyType>, data: &Bound<'_, PyAny>) -> PyResult<PyClientCert> {
        parse_with(cls, data, ClientCert::from_der)
    }

    /// The subject as ``openssl x509 -noout -subject -nameopt RFC2253`` prints it, without
    /// ``subject=`` (empty for a certificate without subject): what a Redis Software
    /// certificate user's ``certificate_subject_line`` must equal.
    #[getter]
    fn subject(&self, py: Python<'_>) -> PyResult<String> {
        guard(py, || Ok(self.inner.subject().to_string()))
    }

    /// The subject's first common name in DER order (the one Valkey's
    /// ``tls-auth-clients-user CN`` uses), or None.
    #[getter]
    fn common_name(&self, py: Python<'_>) -> PyResult<Option<String>> {
        guard(py, || Ok(self.inner.common_name()))
    }

    /// The SAN e-mail addresses, in certificate order.
    #[getter]
    fn san_emails(&self, py: Python<'_>) -> PyResult<Vec<String>> {
        guard(py, || Ok(self.inner.san_emails().to_vec()))
    }

    /// The SAN DNS names, in certificate order.
    #[getter]
    fn san_dns(&self, py: Python<'_>) -> PyResult<Vec<String>> {
        guard(py, || Ok(self.inner.san_dns().to_vec()))
    }

    /// The SAN URIs, in certificate order.
    #[getter]
    fn san_uris(&self, py: Python<'_>) -> PyResult<Vec<String>> {
        guard(py, || Ok(self.inner.san_uris().to_vec()))
    }

    /// The SAN IP addresses as text (``127.0.0.1``, ``::1``), in certificate order.
    #[getter]
    fn san_ips(&self, py: Python<'_>) -> PyResult<Vec<String>> {
        guard(py, || Ok(self.inner.san_ips().iter().map(|ip| ip.to_string()).collect()))
    }

    /// The start of the validity period (notBefore), seconds since the Unix epoch.
    #[getter]
    fn not_before(&self, py: Python<'_>) -> PyResult<i64> {
        guard(py, || Ok(self.inner.not_before()))
    }

    /// The end of the validity period (notAfter), seconds since the Unix epoch.
    #[getter]
    fn not_after(&self, py: Python<'_>) -> PyResult<i64> {
        guard(py, || Ok(self.inner.not_after()))
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        guard(py, || Ok(format!("ClientCert(subject={})", PyString::new(py, self.inner.subject()).repr()?)))
    }
}

/// Redis Software's mTLS subject check, applied to a certificate whose chain was already
/// verified: ``validation`` is ``mtls_client_cert_subject_validation_type`` (``disabled``,
/// ``san_cn``, ``full_subject``; core's default, ``disabled``, when None) and
/// ``authorized_subjects`` the ``mtls_authorized_subjects``, each written as a DN
/// (``"CN=alice,OU=Platform,OU=Engineering,O=Acme Corp"``: CN required and once; O, L, ST, C at
/// most once; OU any number of times, compared as a set). Immutable and thread-safe.
///
/// Raises:
///     CertificateError: an unknown validation type or a subject core refuses (its text).
#[pyclass(name = "SubjectPolicy", module = "authgate", frozen)]
pub(crate) struct PySubjectPolicy {
    inner: SubjectPolicy,
}

/// Core's policy for the Python arguments.
fn policy(validation: Option<&str>, subjects: &[String]) -> Result<SubjectPolicy, Error> {
    let validation = match validation {
        Some(v) => v.parse::<SubjectValidation>()?,
        None => SubjectValidation::default(),
    };
    let subjects = subjects
        .iter()
        .map(|s| AuthorizedSubject::from_subject_line(s))
        .collect::<Result<Vec<_>, CertError>>()?;
    Ok(SubjectPolicy::new(validation, subjects)?)
}

#[pymethods]
impl PySubjectPolicy {
    #[new]
    #[pyo3(signature = (validation = None, authorized_subjects = Vec::new()))]
    fn new(py: Python<'_>, validation: Option<String>, authorized_subjects: Vec<String>) -> PyResult<PySubjectPolicy> {
        guard(py, || {
            let inner = policy(validation.as_deref(), &authorized_subjects).py_err(py)?;
            Ok(PySubjectPolicy { inner })
        })
    }

    /// The validation type as Redis Software writes it.
    #[getter]
    fn validation(&self, py: Python<'_>) -> PyResult<&'static str> {
        guard(py, || Ok(self.inner.validation().as_str()))
    }

    /// Returns None when ``cert`` passes.
    ///
    /// Raises:
    ///     CertificateError: the certificate is refused; the message names, for each
    ///         authorized subject, the attribute that differs.
    fn check(&self, py: Python<'_>, cert: &PyClientCert) -> PyResult<()> {
        guard(py, || self.inner.authorize(&cert.inner).py_err(py))
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        guard(py, || {
            Ok(format!(
                "SubjectPolicy(validation={}, authorized_subjects={})",
                PyString::new(py, self.inner.validation().as_str()).repr()?,
                self.inner.subjects().len()
            ))
        })
    }
}
