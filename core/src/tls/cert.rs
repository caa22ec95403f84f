//! [`ClientCert`]: a parsed X.509 certificate (PEM or DER), owning what identity needs: the
//! subject as a structure and as OpenSSL's RFC 2253 string, the SANs in certificate order,
//! the validity dates and the DER itself (for chain verification).

use std::net::IpAddr;

use base64::Engine as _;
use x509_parser::asn1_rs::Class;
use x509_parser::extensions::GeneralName;
use x509_parser::x509::X509Name;

use super::dn::{Attribute, AttributeValue, DistinguishedName};
use super::error::CertError;

/// The largest certificate input read (PEM or DER). Client certificates are a few KiB; the
/// bound keeps an untrusted input from pinning memory or time.
pub const MAX_CERT_INPUT: usize = 64 * 1024;

/// The largest CA bundle or chain read.
pub const MAX_BUNDLE_INPUT: usize = 4 * 1024 * 1024;

/// A parsed certificate. Cheap to clone relative to parsing; immutable.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientCert {
    der: Vec<u8>,
    subject: DistinguishedName,
    subject_line: String,
    issuer: DistinguishedName,
    san_emails: Vec<String>,
    san_dns: Vec<String>,
    san_uris: Vec<String>,
    san_ips: Vec<IpAddr>,
    not_before: i64,
    not_after: i64,
}

impl ClientCert {
    /// Parses a certificate from PEM (the first `CERTIFICATE` block; other blocks, such as a
    /// key in the same file, are skipped) or DER, whichever `input` is.
    pub fn parse(input: &[u8]) -> Result<ClientCert, CertError> {
        if looks_like_pem(input) {
            ClientCert::from_pem(input)
        } else {
            ClientCert::from_der(input)
        }
    }

    /// Parses the first `CERTIFICATE` block of PEM text.
    pub fn from_pem(pem: &[u8]) -> Result<ClientCert, CertError> {
        check_len("certificate input", pem.len(), MAX_CERT_INPUT)?;
        let der = pem_certificates(pem)?.into_iter().next().ok_or(CertError::NoCertificate)?;
        ClientCert::from_der(&der)
    }

    /// Parses one DER certificate; nothing may follow it.
    pub fn from_der(der: &[u8]) -> Result<ClientCert, CertError> {
        check_len("certificate input", der.len(), MAX_CERT_INPUT)?;
        if der.is_empty() {
            return Err(CertError::NoCertificate);
        }
        let (rest, cert) = x509_parser::parse_x509_certificate(der).map_err(|e| CertError::Der(e.to_string()))?;
        if !rest.is_empty() {
            return Err(CertError::TrailingData(rest.len()));
        }
        let mut out = ClientCert {
            der: der.to_vec(),
            subject: name_of(cert.subject())?,
            subject_line: String::new(),
            issuer: name_of(cert.issuer())?,
            san_emails: Vec::new(),
            san_dns: Vec::new(),
            san_uris: Vec::new(),
            san_ips: Vec::new(),
            not_before: cert.validity().not_before.timestamp(),
            not_after: cert.validity().not_after.timestamp(),
        };
        out.subject_line = out.subject.to_rfc2253();
        let san = cert.subject_alternative_name().map_err(|e| CertError::Extension(format!("subjectAltName: {e}")))?;
        for name in san.iter().flat_map(|s| s.value.general_names.iter()) {
            match name {
                GeneralName::RFC822Name(s) => out.san_emails.push((*s).to_string()),
                GeneralName::DNSName(s) => out.san_dns.push((*s).to_string()),
                GeneralName::URI(s) => out.san_uris.push((*s).to_string()),
                GeneralName::IPAddress(b) => {
                    if let Ok(v4) = <[u8; 4]>::try_from(*b) {
                        out.san_ips.push(IpAddr::from(v4));
                    } else if let Ok(v6) = <[u8; 16]>::try_from(*b) {
                        out.san_ips.push(IpAddr::from(v6));
                    }
                }
                // Other name forms identify no client in any of the mapped systems.
                _ => {}
            }
        }
        Ok(out)
    }

    /// The DER encoding.
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// The subject as `openssl x509 -noout -subject -nameopt RFC2253` prints it, without
    /// `subject=` (empty for a certificate with an empty subject).
    pub fn subject(&self) -> &str {
        &self.subject_line
    }

    /// The subject as a structure (RDNs in DER order).
    pub fn subject_dn(&self) -> &DistinguishedName {
        &self.subject
    }

    /// The issuer as a structure.
    pub fn issuer_dn(&self) -> &DistinguishedName {
        &self.issuer
    }

    /// The first common name of the subject in DER order (the one OpenSSL's lookup by NID
    /// finds, so the one Valkey's `tls-auth-clients-user CN` uses), if it decodes as text.
    pub fn common_name(&self) -> Option<String> {
        self.subject.common_names().into_iter().next()
    }

    /// Every common name of the subject, in DER order.
    pub fn common_names(&self) -> Vec<String> {
        self.subject.common_names()
    }

    /// SAN e-mail addresses (rfc822Name), in certificate order.
    pub fn san_emails(&self) -> &[String] {
        &self.san_emails
    }

    /// SAN DNS names, in certificate order.
    pub fn san_dns(&self) -> &[String] {
        &self.san_dns
    }

    /// SAN URIs, in certificate order.
    pub fn san_uris(&self) -> &[String] {
        &self.san_uris
    }

    /// SAN IP addresses, in certificate order.
    pub fn san_ips(&self) -> &[IpAddr] {
        &self.san_ips
    }

    /// Start of the validity period, seconds since the Unix epoch.
    pub fn not_before(&self) -> i64 {
        self.not_before
    }

    /// End of the validity period, seconds since the Unix epoch.
    pub fn not_after(&self) -> i64 {
        self.not_after
    }
}

fn check_len(what: &'static str, len: usize, max: usize) -> Result<(), CertError> {
    if len > max {
        return Err(CertError::TooLarge { what, len, max });
    }
    Ok(())
}

fn looks_like_pem(input: &[u8]) -> bool {
    let start = input.iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(input.len());
    input[start..].starts_with(b"-----BEGIN ")
}

/// The structure of an x509-parser name.
fn name_of(name: &X509Name<'_>) -> Result<DistinguishedName, CertError> {
    let rdns = name
        .iter_rdn()
        .map(|rdn| {
            rdn.iter()
                .map(|atv| {
                    let any = atv.attr_value();
                    let value = AttributeValue::from_parts(
                        any.tag().0,
                        any.class() == Class::Universal,
                        any.header.is_constructed(),
                        any.data.to_vec(),
                    );
                    Attribute::new(dotted_oid(atv.attr_type()), value)
                })
                .collect()
        })
        .collect();
    Ok(DistinguishedName::from_rdns(rdns))
}

/// The dotted form of an OID, decoded here from its content octets (asn1-rs' `to_id_string`
/// is a quarter of a certificate's parse time); an arc too large for u64 falls back to it.
fn dotted_oid(oid: &x509_parser::asn1_rs::Oid<'_>) -> String {
    use std::fmt::Write as _;
    let bytes = oid.as_bytes();
    let mut out = String::with_capacity(bytes.len() * 3);
    let mut arc: u64 = 0;
    let mut first = true;
    for &b in bytes {
        if arc > u64::MAX >> 7 {
            return oid.to_id_string();
        }
        arc = arc << 7 | u64::from(b & 0x7f);
        if b & 0x80 != 0 {
            continue;
        }
        if first {
            // The first subidentifier packs the first two arcs: 40 * a + b, a at most 2.
            let (a, b) = if arc < 80 { (arc / 40, arc % 40) } else { (2, arc - 80) };
            let _ = write!(out, "{a}.{b}");
            first = false;
        } else {
            let _ = write!(out, ".{arc}");
        }
        arc = 0;
    }
    if first || arc != 0 {
        return oid.to_id_string();
    }
    out
}

/// The DER of every `CERTIFICATE` block of PEM text, in order (a CA bundle, a chain).
pub fn pem_certificates(pem: &[u8]) -> Result<Vec<Vec<u8>>, CertError> {
    check_len("PEM input", pem.len(), MAX_BUNDLE_INPUT)?;
    let text = std::str::from_utf8(pem).map_err(|_| CertError::Pem("not text".into()))?;
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(begin) = rest.find("-----BEGIN ") {
        let after = &rest[begin + "-----BEGIN ".len()..];
        let label_end = after.find("-----").ok_or_else(|| CertError::Pem("unterminated BEGIN line".into()))?;
        let label = &after[..label_end];
        let body_and_rest = &after[label_end + 5..];
        let end_marker = format!("-----END {label}-----");
        let end = body_and_rest.find(&end_marker).ok_or_else(|| CertError::Pem(format!("no '{end_marker}' line")))?;
        if label == "CERTIFICATE" {
            let body: String = body_and_rest[..end].chars().filter(|c| !c.is_ascii_whitespace()).collect();
            let der = base64::engine::general_purpose::STANDARD
                .decode(body.as_bytes())
                .map_err(|e| CertError::Pem(format!("bad base64 in CERTIFICATE block: {e}")))?;
            out.push(der);
        }
        rest = &body_and_rest[end + end_marker.len()..];
    }
    if out.is_empty() {
        return Err(CertError::NoCertificate);
    }
    Ok(out)
}

/// Every certificate of a PEM bundle (or a single DER certificate), parsed.
pub fn parse_bundle(input: &[u8]) -> Result<Vec<ClientCert>, CertError> {
    if looks_like_pem(input) {
        pem_certificates(input)?.iter().map(|d| ClientCert::from_der(d)).collect()
    } else {
        Ok(vec![ClientCert::from_der(input)?])
    }
}
