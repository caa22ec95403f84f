//! Chain verification of a client certificate against a CA bundle (rustls-webpki, the
//! verifier rustls itself uses for client certificates): the chain to a trust anchor, each
//! certificate's validity period, the clientAuth extended key usage (a leaf with an EKU
//! extension must list clientAuth; one with none passes, as in webpki and OpenSSL), CA
//! constraints and signatures. Each refusal is a [`VerifyError`] whose text names the reason.

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rustls_pki_types::{CertificateDer, TrustAnchor, UnixTime};
use webpki::{EndEntityCert, KeyUsage};

use super::cert::{parse_bundle, ClientCert};
use super::error::CertError;

/// Why a chain did not verify.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum VerifyError {
    /// The certificate's validity ended before the check's time.
    Expired {
        /// The end of its validity, seconds since the epoch.
        not_after: i64,
        /// The check's time.
        now: i64,
    },
    /// The certificate's validity starts after the check's time.
    NotYetValid {
        /// The start of its validity, seconds since the epoch.
        not_before: i64,
        /// The check's time.
        now: i64,
    },
    /// No chain to a trusted CA (signed by another CA, or self-signed).
    UnknownIssuer,
    /// The certificate's extended key usage does not allow client authentication.
    NotForClientAuth,
    /// A CA certificate was presented as the client certificate.
    CaAsEndEntity,
    /// A signature in the chain does not verify.
    BadSignature,
    /// Anything else webpki refuses (its error, as text).
    Other(String),
}

impl fmt::Display for VerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VerifyError::Expired { not_after, now } => {
                write!(f, "certificate has expired (notAfter {}, now {})", utc(*not_after), utc(*now))
            }
            VerifyError::NotYetValid { not_before, now } => {
                write!(f, "certificate is not yet valid (notBefore {}, now {})", utc(*not_before), utc(*now))
            }
            VerifyError::UnknownIssuer => {
                f.write_str("unable to get local issuer certificate (not signed by a trusted CA)")
            }
            VerifyError::NotForClientAuth => {
                f.write_str("unsupported certificate purpose (extended key usage lacks clientAuth)")
            }
            VerifyError::CaAsEndEntity => f.write_str("a CA certificate cannot be a client certificate"),
            VerifyError::BadSignature => f.write_str("certificate signature failure"),
            VerifyError::Other(why) => f.write_str(why),
        }
    }
}

impl std::error::Error for VerifyError {}

/// An RFC 2822 date (`Mon, 01 Jan 2001 00:00:00 +0000`) of seconds since the epoch.
fn utc(secs: i64) -> String {
    x509_parser::time::ASN1Time::from_timestamp(secs)
        .ok()
        .and_then(|t| t.to_rfc2822().ok())
        .unwrap_or_else(|| format!("{secs} seconds after the epoch"))
}

/// The trusted CAs client certificates must chain to (a Redis `tls-ca-cert-file`, Redis
/// Software's `mtls_trusted_ca`).
#[derive(Clone, Debug)]
pub struct TrustStore {
    anchors: Vec<TrustAnchor<'static>>,
}

impl TrustStore {
    /// The CAs of a PEM bundle (every `CERTIFICATE` block) or of one DER certificate.
    pub fn from_pem_or_der(input: &[u8]) -> Result<TrustStore, CertError> {
        let certs = parse_bundle(input)?;
        TrustStore::from_certs(&certs)
    }

    /// The given certificates as trust anchors.
    pub fn from_certs(certs: &[ClientCert]) -> Result<TrustStore, CertError> {
        let anchors = certs
            .iter()
            .map(|c| {
                let der = CertificateDer::from(c.der());
                webpki::anchor_from_trusted_cert(&der)
                    .map(|a| a.to_owned())
                    .map_err(|e| CertError::Invalid(format!("CA certificate cannot be a trust anchor: {e}")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(TrustStore { anchors })
    }

    /// How many CAs.
    pub fn len(&self) -> usize {
        self.anchors.len()
    }

    /// No CA at all (nothing verifies).
    pub fn is_empty(&self) -> bool {
        self.anchors.is_empty()
    }

    /// Verifies `leaf` (with the intermediates the client sent) for client authentication
    /// now.
    pub fn verify_client(&self, leaf: &ClientCert, intermediates: &[ClientCert]) -> Result<(), VerifyError> {
        let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or(Duration::ZERO);
        self.verify_client_at(leaf, intermediates, now.as_secs() as i64)
    }

    /// Verifies `leaf` for client authentication at `now` (seconds since the epoch).
    pub fn verify_client_at(
        &self,
        leaf: &ClientCert,
        intermediates: &[ClientCert],
        now: i64,
    ) -> Result<(), VerifyError> {
        let leaf_der = CertificateDer::from(leaf.der());
        let ee = EndEntityCert::try_from(&leaf_der)
            .map_err(|e| VerifyError::Other(format!("malformed certificate: {e}")))?;
        let inter: Vec<CertificateDer<'_>> = intermediates.iter().map(|c| CertificateDer::from(c.der())).collect();
        let time = UnixTime::since_unix_epoch(Duration::from_secs(now.max(0) as u64));
        ee.verify_for_usage(
            webpki::ALL_VERIFICATION_ALGS,
            &self.anchors,
            &inter,
            time,
            KeyUsage::client_auth(),
            None,
            None,
        )
        .map(|_| ())
        .map_err(|e| match e {
            webpki::Error::CertExpired { not_after, .. } => {
                VerifyError::Expired { not_after: not_after.as_secs() as i64, now }
            }
            webpki::Error::CertNotValidYet { not_before, .. } => {
                VerifyError::NotYetValid { not_before: not_before.as_secs() as i64, now }
            }
            webpki::Error::UnknownIssuer => VerifyError::UnknownIssuer,
            webpki::Error::RequiredEkuNotFoundContext(_) => VerifyError::NotForClientAuth,
            webpki::Error::CaUsedAsEndEntity => VerifyError::CaAsEndEntity,
            webpki::Error::InvalidSignatureForPublicKey => VerifyError::BadSignature,
            other => VerifyError::Other(format!("{other:?}")),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::utc;

    #[test]
    fn utc_dates() {
        assert_eq!(utc(0), "Thu, 01 Jan 1970 00:00:00 +0000");
        assert_eq!(utc(951_782_400), "Tue, 29 Feb 2000 00:00:00 +0000");
    }
}
