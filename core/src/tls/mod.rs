//! Client-certificate identity: parsing, subjects, SANs, chain verification, and the ways
//! Redis Software, Valkey / Redis 8.6 and NATS map a certificate to a user (spec mtls.md).
//! Engine code: no tokio, no I/O; everything is a pure function of its inputs.
//!
//! # Reading a certificate
//! [`ClientCert::parse`] (PEM or DER), [`ClientCert::from_pem`], [`ClientCert::from_der`]:
//! bounded input ([`MAX_CERT_INPUT`]), every malformed input a [`CertError`] with the reason
//! (converted into [`crate::Error`] of kind `CERTIFICATE`), never a panic. What it gives:
//! [`ClientCert::subject`], the RFC 2253 string exactly as `openssl x509 -noout -subject
//! -nameopt RFC2253` prints it ([`rfc2253`] says how OpenSSL escapes); the structured
//! [`DistinguishedName`] ([`ClientCert::subject_dn`]); common names; SAN emails, DNS names,
//! URIs and IPs in certificate order; validity dates as Unix seconds.
//!
//! # Verifying the chain
//! [`TrustStore`] from a CA bundle (`tls-ca-cert-file`, `mtls_trusted_ca`);
//! [`TrustStore::verify_client`] checks the chain, validity and clientAuth usage with
//! rustls-webpki and names the reason in a [`VerifyError`].
//!
//! # Mapping a certificate to a user
//! - Redis Software: [`SubjectLine`] (a certificate user's `certificate_subject_line`,
//!   validated when set, compared exactly) and [`SubjectPolicy`]
//!   (`mtls_client_cert_subject_validation_type` with `mtls_authorized_subjects`).
//! - Valkey / Redis 8.6: [`TlsAuthClientsUser::map`] over a lookup of enabled users.
//! - NATS `verify_and_map`: [`nats_map_user`] over the configured user names.
//! - Both Redis ones together, in their precedence: [`CertUserMap::map`] gives a
//!   [`CertLogin`] (a certificate user, the `tls-auth-clients-user` user, `default`, or the
//!   no-match the server logs as `tls-cert`).
//!
//! # What the TLS listener (a later change) calls, in order
//! 1. rustls verifies the chain with a `WebPkiClientVerifier` over the same CA bundle (or the
//!    server calls [`TrustStore::verify_client`] itself on `peer_certificates()`); a
//!    connection without a certificate under `tls-auth-clients optional` has no certificate
//!    identity (never an empty subject).
//! 2. `ClientCert::from_der(&peer_certificates()[0])`.
//! 3. [`CertUserMap::map`], the precedence: a certificate user whose [`SubjectLine::matches`]
//!    (Redis Software), then [`TlsAuthClientsUser::map`] when the option is on (its
//!    [`CertLogin::NoMatch`] bumps INFO `acl_access_denied_tls_cert` and logs ACL LOG reason
//!    `tls-cert`), then `default`.
//! 4. The REST API applies [`SubjectPolicy::check`] to its client certificates.
//!
//! Certificate-only users must not be reachable by password: create them with `resetpass`.

mod cert;
mod dn;
pub mod dn_string;
mod error;
mod nats_map;
pub mod oids;
mod redis_software;
pub mod rfc2253;
mod tls_user;
mod user_map;
mod verify;

pub use cert::{parse_bundle, pem_certificates, ClientCert, MAX_BUNDLE_INPUT, MAX_CERT_INPUT};
pub use dn::{tag, Attribute, AttributeValue, DistinguishedName, Rdn};
pub use dn_string::DnParseError;
pub use error::CertError;
pub use nats_map::{go_subject_string, nats_map_user, parse_nats_dn, NatsCertMapping, NatsDn, NatsMatch};
pub use redis_software::{AuthorizedSubject, SubjectLine, SubjectPolicy, SubjectValidation};
pub use tls_user::{TlsAuthClientsUser, TlsUserMapping};
pub use user_map::{CertLogin, CertUserMap, CertificateUser};
pub use verify::{TrustStore, VerifyError};

#[cfg(test)]
mod tests;
