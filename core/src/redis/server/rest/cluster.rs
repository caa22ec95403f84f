//! `/v1/cluster` (the mTLS settings) and `/v1/cluster/certificates` (the `mtls_trusted_ca`
//! bundle): what a client certificate must chain to and carry to log in to the REST API.
//!
//! `mtls_trusted_ca` is also the CA bundle the server's TLS listener trusts for client
//! certificates; a change reaches both at once, without a restart (new handshakes use it).

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use super::error::{parse_body, ApiError};
use super::state::RestApi;
use crate::tls::{parse_bundle, AuthorizedSubject, ClientCert, SubjectPolicy, SubjectValidation, TrustStore};

/// The name of the trusted-CA certificate.
pub const MTLS_TRUSTED_CA: &str = "mtls_trusted_ca";

/// Cluster certificate names Redis Software has that authgate does not manage (a PUT naming
/// one is refused as unknown here, never silently dropped).
const OTHER_NAMES: &[&str] = &["api", "cm", "proxy", "syncer", "metrics_exporter", "ldap_client"];

/// The cluster object's mTLS settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct ClusterSettings {
    pub name: String,
    pub mtls_certificate_authentication: bool,
    pub mtls_client_cert_subject_validation_type: SubjectValidation,
    pub mtls_authorized_subjects: Vec<AuthorizedSubject>,
}

impl Default for ClusterSettings {
    fn default() -> Self {
        ClusterSettings {
            name: "authgate".into(),
            mtls_certificate_authentication: false,
            mtls_client_cert_subject_validation_type: SubjectValidation::Disabled,
            mtls_authorized_subjects: Vec::new(),
        }
    }
}

impl ClusterSettings {
    /// The subject policy REST client certificates pass.
    pub fn policy(&self) -> SubjectPolicy {
        SubjectPolicy::new(self.mtls_client_cert_subject_validation_type, self.mtls_authorized_subjects.clone())
            .unwrap_or_default()
    }
}

/// The cluster certificates authgate keeps.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct Certificates {
    /// `mtls_trusted_ca`: a PEM bundle.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mtls_trusted_ca: Option<String>,
}

impl Certificates {
    /// The PEM text of `mtls_trusted_ca`.
    pub fn trusted_ca_pem(&self) -> Option<&str> {
        self.mtls_trusted_ca.as_deref()
    }

    /// The parsed `mtls_trusted_ca` certificates (checked when stored).
    pub fn trusted_ca(&self) -> Option<Vec<ClientCert>> {
        parse_bundle(self.mtls_trusted_ca.as_ref()?.as_bytes()).ok()
    }
}

/// `GET /v1/cluster`.
pub(crate) fn get(api: &RestApi) -> Value {
    serde_json::to_value(api.snapshot().cluster).unwrap_or_default()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ClusterBody {
    name: Option<String>,
    mtls_certificate_authentication: Option<bool>,
    mtls_client_cert_subject_validation_type: Option<String>,
    mtls_authorized_subjects: Option<Vec<AuthorizedSubject>>,
}

/// `PUT /v1/cluster` (with `?dry_run`, validated only). Turning certificate authentication on
/// needs `mtls_trusted_ca` first, as Redis Software documents.
pub(crate) fn put(api: &RestApi, body: &[u8], dry_run: bool) -> Result<Value, ApiError> {
    let b: ClusterBody = parse_body(body)?;
    let validation = b
        .mtls_client_cert_subject_validation_type
        .as_deref()
        .map(|v| v.parse::<SubjectValidation>().map_err(|e| ApiError::invalid_param(e.to_string())))
        .transpose()?;
    let edit = |state: &mut super::state::State| {
        let c = &mut state.cluster;
        if let Some(n) = b.name.clone() {
            if n.is_empty() || n.chars().any(char::is_control) {
                return Err(ApiError::invalid_param("The cluster name must be printable and not empty"));
            }
            c.name = n;
        }
        if let Some(v) = validation {
            c.mtls_client_cert_subject_validation_type = v;
        }
        if let Some(s) = b.mtls_authorized_subjects.clone() {
            c.mtls_authorized_subjects = s;
        }
        if let Some(on) = b.mtls_certificate_authentication {
            if on && state.certificates.mtls_trusted_ca.is_none() {
                return Err(ApiError::invalid_param(
                    "mtls_certificate_authentication needs the mtls_trusted_ca certificate: set it with PUT /v1/cluster/certificates first",
                ));
            }
            state.cluster.mtls_certificate_authentication = on;
        }
        let c = &state.cluster;
        SubjectPolicy::new(c.mtls_client_cert_subject_validation_type, c.mtls_authorized_subjects.clone())
            .map_err(|e| ApiError::invalid_param(e.to_string()))?;
        if c.mtls_client_cert_subject_validation_type != SubjectValidation::Disabled && c.mtls_authorized_subjects.is_empty() {
            return Err(ApiError::invalid_param(format!(
                "mtls_client_cert_subject_validation_type '{}' needs mtls_authorized_subjects",
                c.mtls_client_cert_subject_validation_type
            )));
        }
        Ok(serde_json::to_value(&state.cluster).unwrap_or_default())
    };
    if dry_run {
        let mut copy = api.snapshot();
        return edit(&mut copy);
    }
    api.change(edit)
}

/// `GET /v1/cluster/certificates`: the certificates by name (never a key).
pub(crate) fn get_certificates(api: &RestApi) -> Value {
    let mut out = Map::new();
    if let Some(pem) = api.snapshot().certificates.mtls_trusted_ca {
        out.insert(MTLS_TRUSTED_CA.into(), json!(pem));
    }
    Value::Object(out)
}

/// One certificate of a PUT.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CertificateBody {
    name: Option<String>,
    certificate: Option<String>,
    #[allow(dead_code)]
    key: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CertificatesBody {
    certificates: Option<Vec<CertificateBody>>,
}

/// Checks one certificate object, Redis Software's statuses: 403 an unknown name, 400 an
/// unreadable certificate (or one that cannot be a trust anchor), 406 an expired one.
fn check_certificate(c: &CertificateBody) -> Result<String, ApiError> {
    let name = c.name.as_deref().ok_or_else(|| ApiError::missing_field("name"))?;
    if name != MTLS_TRUSTED_CA {
        let why = if OTHER_NAMES.contains(&name) { "is not managed by authgate" } else { "is not a cluster certificate" };
        return Err(ApiError::new(403, "unknown_certificate", format!("Certificate '{name}' {why}")));
    }
    let pem = c.certificate.as_deref().ok_or_else(|| ApiError::missing_field("certificate"))?;
    let certs = parse_bundle(pem.as_bytes())
        .map_err(|e| ApiError::new(400, "invalid_certificate", format!("Certificate '{name}': {e}")))?;
    TrustStore::from_certs(&certs).map_err(|e| ApiError::new(400, "invalid_certificate", format!("Certificate '{name}': {e}")))?;
    let now = super::time::unix_now();
    if let Some(c) = certs.iter().find(|c| c.not_after() < now) {
        return Err(ApiError::new(406, "expired_certificate", format!("Certificate '{name}' ('{}') has expired", c.subject())));
    }
    Ok(pem.to_string())
}

/// `PUT /v1/cluster/certificates`: every certificate is checked before any is stored.
pub(crate) fn put_certificates(api: &RestApi, body: &[u8]) -> Result<(), ApiError> {
    let b: CertificatesBody = parse_body(body)?;
    let list = b.certificates.ok_or_else(|| ApiError::missing_field("certificates"))?;
    if list.is_empty() {
        return Err(ApiError::invalid_param("'certificates' is empty"));
    }
    let checked = list.iter().map(check_certificate).collect::<Result<Vec<_>, _>>()?;
    api.change(|state| {
        state.certificates.mtls_trusted_ca = checked.last().cloned();
        Ok(())
    })
}

/// `PUT /v1/cluster/update_cert` (before Redis Software 7.22.2): one certificate object.
pub(crate) fn put_update_cert(api: &RestApi, body: &[u8]) -> Result<(), ApiError> {
    let c: CertificateBody = parse_body(body)?;
    let pem = check_certificate(&c)?;
    api.change(|state| {
        state.certificates.mtls_trusted_ca = Some(pem);
        Ok(())
    })
}

/// `DELETE /v1/cluster/certificates/<name>`: refused while certificate authentication needs it.
pub(crate) fn delete_certificate(api: &RestApi, name: &str) -> Result<(), ApiError> {
    api.change(|state| {
        if name != MTLS_TRUSTED_CA || state.certificates.mtls_trusted_ca.is_none() {
            return Err(ApiError::new(404, "unknown_certificate", format!("There is no certificate '{name}'")));
        }
        if state.cluster.mtls_certificate_authentication {
            return Err(ApiError::new(
                403,
                "required_certificate",
                "mtls_trusted_ca is required while mtls_certificate_authentication is on",
            ));
        }
        state.certificates.mtls_trusted_ca = None;
        Ok(())
    })
}
