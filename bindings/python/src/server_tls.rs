//! The TLS keyword arguments of `authgate.Server` (`tls_port=`, `tls_cert_file=`, ...,
//! `certificate_users=`), converted into core's `TlsOptions`; core checks every value with
//! redis-server's texts, so Python refuses exactly what the other languages refuse.

use authgate::server::ServerOptions;
use authgate::tls::CertificateUser;
use authgate::Error;
use pyo3::prelude::*;

use crate::convert::{arg, to_path};
use crate::errors::IntoPyResult;

/// The options that are file paths (str, bytes or os.PathLike).
const PATHS: &[&str] = &["tls_cert_file", "tls_key_file", "tls_ca_cert_file", "tls_ca_cert_dir"];

/// Applies every TLS keyword argument that is not None to `options`.
pub(crate) fn apply(
    py: Python<'_>,
    values: &[(&str, Option<&Bound<'_, PyAny>>)],
    certificate_users: Option<&Bound<'_, PyAny>>,
    options: &mut ServerOptions,
) -> PyResult<()> {
    for (name, value) in values {
        let Some(value) = value else { continue };
        match *name {
            "tls_port" => {
                let n: i64 = value.extract()?;
                let port = u16::try_from(n)
                    .map_err(|_| Error::invalid_argument(format!("tls_port must be between 0 and 65535, not {n}")))
                    .py_err(py)?;
                options.tls.port = Some(port);
            }
            "tls_prefer_server_ciphers" => options.tls.prefer_server_ciphers = Some(value.extract::<bool>()?),
            n if PATHS.contains(&n) => {
                use std::os::unix::ffi::OsStrExt;
                let path = to_path(value)?;
                options.tls.set(n, path.as_os_str().as_bytes()).py_err(py)?;
            }
            n => options.tls.set(n, arg(value, n)?.as_bytes()).py_err(py)?,
        }
    }
    if let Some(users) = certificate_users {
        for item in users.call_method0("items")?.try_iter()? {
            let (name, line): (String, String) = item?.extract()?;
            options.certificate_users.push(CertificateUser { name, certificate_subject_line: line });
        }
    }
    Ok(())
}
