//! Redis Software's certificate policies (spec mtls.md §A1):
//!
//! - [`SubjectLine`]: a certificate user's `certificate_subject_line`. Redis Software documents
//!   it as the certificate's RFC 2253 subject, exactly: attributes in reverse DER order, no
//!   spaces after the commas, case-sensitive. authgate compares it byte for byte with
//!   [`ClientCert::subject`] (OpenSSL's string). A line that can never equal such a string
//!   (spaces after commas, `E=` for `emailAddress`, `\2C` for `\,`, raw UTF-8 where OpenSSL
//!   writes `\C3\AB`) is refused when it is set, with the form it must take, instead of being
//!   accepted and never matching. The reading taken on the spec's open question (a community
//!   report of a DER-order line matching): the documented exact, ordered comparison.
//! - [`SubjectPolicy`]: `mtls_client_cert_subject_validation_type` (`disabled`, `san_cn`,
//!   `full_subject`) with `mtls_authorized_subjects`, checked after the chain verified.
//!   `san_cn`: an authorized CN equals a subject CN or a SAN DNS name, literally.
//!   `full_subject`: CN must match; O, L, ST and C match when given (an omitted one is a
//!   wildcard); the OU list, when given, equals the certificate's OUs as a set (order and
//!   repeats ignored). Values are case-sensitive, as the docs say of every attribute.

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::cert::ClientCert;
use super::dn_string;
use super::error::CertError;
use super::oids;

/// A validated `certificate_subject_line`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SubjectLine {
    line: String,
}

impl SubjectLine {
    /// Validates `line`: it must read as a DN and be written exactly as a certificate's RFC
    /// 2253 subject prints, else the error says what it should be.
    pub fn parse(line: &str) -> Result<SubjectLine, CertError> {
        const SETTING: &str = "certificate_subject_line";
        if line.trim().is_empty() {
            return Err(CertError::Invalid(format!("invalid {SETTING}: empty")));
        }
        let dn = dn_string::parse(line).map_err(|error| CertError::DnString { setting: SETTING, error })?;
        let canonical = dn.to_rfc2253();
        if canonical != line {
            let hint = if line.contains(", ") { " (no spaces after the commas)" } else { "" };
            return Err(CertError::Invalid(format!(
                "invalid {SETTING}: '{line}' is not the RFC 2253 form a certificate subject prints; \
                 write it as '{canonical}'{hint}"
            )));
        }
        Ok(SubjectLine { line: line.to_string() })
    }

    /// The line.
    pub fn as_str(&self) -> &str {
        &self.line
    }

    /// The certificate's RFC 2253 subject is exactly this line.
    pub fn matches(&self, cert: &ClientCert) -> bool {
        cert.subject() == self.line
    }

    /// `Ok` on a match, else why not (for `authgate cert match` and logs).
    pub fn check(&self, cert: &ClientCert) -> Result<(), String> {
        if self.matches(cert) {
            Ok(())
        } else {
            Err(format!("certificate subject '{}' is not '{}'", cert.subject(), self.line))
        }
    }
}

/// `mtls_client_cert_subject_validation_type`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SubjectValidation {
    /// Any certificate that chains to the trusted CA passes.
    #[default]
    Disabled,
    /// An authorized CN must equal the subject CN or a SAN DNS name.
    SanCn,
    /// The subject's attributes must match an authorized subject.
    FullSubject,
}

impl SubjectValidation {
    /// The value as Redis Software writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            SubjectValidation::Disabled => "disabled",
            SubjectValidation::SanCn => "san_cn",
            SubjectValidation::FullSubject => "full_subject",
        }
    }
}

impl FromStr for SubjectValidation {
    type Err = CertError;

    fn from_str(s: &str) -> Result<Self, CertError> {
        match s {
            "disabled" => Ok(SubjectValidation::Disabled),
            "san_cn" => Ok(SubjectValidation::SanCn),
            "full_subject" => Ok(SubjectValidation::FullSubject),
            _ => Err(CertError::Invalid(format!(
                "invalid mtls_client_cert_subject_validation_type '{s}': expected disabled, san_cn or full_subject"
            ))),
        }
    }
}

impl fmt::Display for SubjectValidation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One entry of `mtls_authorized_subjects` (JSON field names as Redis Software's).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct AuthorizedSubject {
    /// Common name (required).
    #[serde(rename = "CN")]
    pub cn: String,
    /// Organization.
    #[serde(rename = "O", default, skip_serializing_if = "Option::is_none")]
    pub o: Option<String>,
    /// Organizational units, compared as a set.
    #[serde(rename = "OU", default, skip_serializing_if = "Vec::is_empty")]
    pub ou: Vec<String>,
    /// Locality.
    #[serde(rename = "L", default, skip_serializing_if = "Option::is_none")]
    pub l: Option<String>,
    /// State or province.
    #[serde(rename = "ST", default, skip_serializing_if = "Option::is_none")]
    pub st: Option<String>,
    /// Country.
    #[serde(rename = "C", default, skip_serializing_if = "Option::is_none")]
    pub c: Option<String>,
}

impl AuthorizedSubject {
    /// An entry from a DN string (`CN=alice,OU=Platform,OU=Engineering,O=Acme`): CN once,
    /// O, L, ST, C at most once, OU any number of times, nothing else.
    pub fn from_subject_line(line: &str) -> Result<AuthorizedSubject, CertError> {
        let dn =
            dn_string::parse(line).map_err(|error| CertError::DnString { setting: "authorized subject", error })?;
        let mut out = AuthorizedSubject::default();
        let mut cn = None;
        // In the string's order, so the OU list reads as written.
        for a in dn.rdns().iter().rev().flat_map(|r| r.attributes().iter().rev()) {
            let text = a.value().text().ok_or_else(|| {
                CertError::Invalid(format!("invalid authorized subject: the {} value is not text", a.oid()))
            })?;
            let slot = match a.oid() {
                oids::COMMON_NAME => &mut cn,
                oids::ORGANIZATION => &mut out.o,
                oids::LOCALITY => &mut out.l,
                oids::STATE_OR_PROVINCE => &mut out.st,
                oids::COUNTRY => &mut out.c,
                oids::ORGANIZATIONAL_UNIT => {
                    out.ou.push(text);
                    continue;
                }
                other => {
                    let name = a.short_name().unwrap_or(other);
                    return Err(CertError::Invalid(format!(
                        "invalid authorized subject: {name} is not one of CN, O, OU, L, ST, C"
                    )));
                }
            };
            if slot.is_some() {
                return Err(CertError::Invalid(format!(
                    "invalid authorized subject: {} given twice",
                    a.short_name().unwrap_or("attribute")
                )));
            }
            *slot = Some(text);
        }
        out.cn = cn.ok_or_else(|| CertError::Invalid("invalid authorized subject: CN is required".into()))?;
        out.validate()?;
        Ok(out)
    }

    /// CN present and not empty.
    pub fn validate(&self) -> Result<(), CertError> {
        if self.cn.is_empty() {
            return Err(CertError::Invalid("invalid authorized subject: CN is required".into()));
        }
        Ok(())
    }

    /// `full_subject`: `Ok`, or the first attribute that differs.
    pub fn check_full_subject(&self, cert: &ClientCert) -> Result<(), String> {
        let dn = cert.subject_dn();
        let single = |name: &str, oid: &str, want: Option<&String>| -> Result<(), String> {
            let Some(want) = want else { return Ok(()) };
            let have: BTreeSet<String> = dn.texts_of(oid).into_iter().collect();
            if have.len() == 1 && have.contains(want) {
                Ok(())
            } else {
                Err(format!("{name}: the certificate has {}, the authorized subject '{want}'", show(&have)))
            }
        };
        single("CN", oids::COMMON_NAME, Some(&self.cn))?;
        single("O", oids::ORGANIZATION, self.o.as_ref())?;
        if !self.ou.is_empty() {
            let have: BTreeSet<String> = dn.texts_of(oids::ORGANIZATIONAL_UNIT).into_iter().collect();
            let want: BTreeSet<String> = self.ou.iter().cloned().collect();
            if have != want {
                return Err(format!("OU: the certificate has {}, the authorized subject {}", show(&have), show(&want)));
            }
        }
        single("L", oids::LOCALITY, self.l.as_ref())?;
        single("ST", oids::STATE_OR_PROVINCE, self.st.as_ref())?;
        single("C", oids::COUNTRY, self.c.as_ref())
    }

    /// `san_cn`: `Ok` when the CN is a subject CN or a SAN DNS name.
    pub fn check_san_cn(&self, cert: &ClientCert) -> Result<(), String> {
        if cert.common_names().contains(&self.cn) || cert.san_dns().contains(&self.cn) {
            Ok(())
        } else {
            Err(format!("'{}' is neither a subject CN nor a SAN DNS name of the certificate", self.cn))
        }
    }
}

fn show(set: &BTreeSet<String>) -> String {
    if set.is_empty() {
        return "none".into();
    }
    let items: Vec<String> = set.iter().map(|s| format!("'{s}'")).collect();
    format!("{{{}}}", items.join(", "))
}

/// The subject check of Redis Software's mTLS settings.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SubjectPolicy {
    validation: SubjectValidation,
    subjects: Vec<AuthorizedSubject>,
}

impl SubjectPolicy {
    /// A policy; every authorized subject must have a CN.
    pub fn new(validation: SubjectValidation, subjects: Vec<AuthorizedSubject>) -> Result<SubjectPolicy, CertError> {
        for s in &subjects {
            s.validate()?;
        }
        Ok(SubjectPolicy { validation, subjects })
    }

    /// `disabled`: every verified certificate passes.
    pub fn disabled() -> SubjectPolicy {
        SubjectPolicy::default()
    }

    /// The validation type.
    pub fn validation(&self) -> SubjectValidation {
        self.validation
    }

    /// The authorized subjects.
    pub fn subjects(&self) -> &[AuthorizedSubject] {
        &self.subjects
    }

    /// `Ok` when `cert` (already verified) passes; else why not, for the client and the log.
    pub fn check(&self, cert: &ClientCert) -> Result<(), String> {
        let check: fn(&AuthorizedSubject, &ClientCert) -> Result<(), String> = match self.validation {
            SubjectValidation::Disabled => return Ok(()),
            SubjectValidation::SanCn => AuthorizedSubject::check_san_cn,
            SubjectValidation::FullSubject => AuthorizedSubject::check_full_subject,
        };
        if self.subjects.is_empty() {
            return Err(format!("{}: no authorized subjects are configured", self.validation));
        }
        let mut reasons = Vec::new();
        for s in &self.subjects {
            match check(s, cert) {
                Ok(()) => return Ok(()),
                Err(r) => reasons.push(r),
            }
        }
        Err(reasons.join("; "))
    }

    /// [`SubjectPolicy::check`] as an error of kind `CERTIFICATE`
    /// ([`CertError::NotAuthorized`]): what the bindings raise for a refused certificate.
    pub fn authorize(&self, cert: &ClientCert) -> Result<(), CertError> {
        self.check(cert).map_err(CertError::NotAuthorized)
    }
}
