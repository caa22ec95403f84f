//! [`CertError`]: why a certificate, a CA bundle, a subject line or a policy was refused.
//! Every variant converts into [`crate::Error`] of kind [`ErrorKind::Certificate`], with
//! the Display text as the message a client and a log show.

use std::fmt;

use super::dn_string::DnParseError;
use super::verify::VerifyError;
use crate::{Error, ErrorKind};

/// A certificate-module error.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum CertError {
    /// The input is larger than the module reads (bounded so untrusted input cannot pin
    /// memory).
    TooLarge {
        /// What was read.
        what: &'static str,
        /// Its length.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// No certificate: empty input, or PEM without a `CERTIFICATE` block.
    NoCertificate,
    /// PEM that cannot be decoded.
    Pem(String),
    /// DER that is not an X.509 certificate (x509-parser's reason).
    Der(String),
    /// Bytes after the certificate's DER.
    TrailingData(usize),
    /// A malformed extension the identity depends on (the subject alternative names).
    Extension(String),
    /// The chain did not verify.
    Verify(VerifyError),
    /// A DN string (a subject line, an authorized subject) that cannot be read.
    DnString {
        /// Which setting it was (`certificate_subject_line`, `--subject`, ...).
        setting: &'static str,
        /// Why.
        error: DnParseError,
    },
    /// A configured value that is readable but not acceptable (a subject line not in the
    /// form the certificate's subject prints, an authorized subject without CN, ...).
    Invalid(String),
    /// A verified certificate that a subject policy refuses ([`super::SubjectPolicy::authorize`]);
    /// the reason names the attribute that differs.
    NotAuthorized(String),
}

impl fmt::Display for CertError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CertError::TooLarge { what, len, max } => write!(f, "{what} is {len} bytes, more than the {max} read"),
            CertError::NoCertificate => f.write_str("no certificate found (expected PEM 'CERTIFICATE' or DER)"),
            CertError::Pem(why) => write!(f, "malformed PEM: {why}"),
            CertError::Der(why) => write!(f, "malformed certificate: {why}"),
            CertError::TrailingData(n) => write!(f, "malformed certificate: {n} bytes after the certificate"),
            CertError::Extension(why) => write!(f, "malformed certificate extension: {why}"),
            CertError::Verify(why) => write!(f, "certificate verification failed: {why}"),
            CertError::DnString { setting, error } => write!(f, "invalid {setting}: {error}"),
            CertError::Invalid(why) => f.write_str(why),
            CertError::NotAuthorized(why) => write!(f, "certificate subject not authorized: {why}"),
        }
    }
}

impl std::error::Error for CertError {}

impl From<CertError> for Error {
    fn from(e: CertError) -> Error {
        Error::new(ErrorKind::Certificate, e.to_string())
    }
}

impl From<VerifyError> for CertError {
    fn from(e: VerifyError) -> CertError {
        CertError::Verify(e)
    }
}
