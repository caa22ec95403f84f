//! Certificates, PEM or DER, through `tls::ClientCert::parse` and everything the mappings read
//! from one (subject line, names, SANs, validity), and PEM bundles. Never panics.

use authgate::tls::{parse_bundle, ClientCert};

/// One input of the target: returns normally or panics with what went wrong.
pub fn run(data: &[u8]) {
    if let Ok(cert) = ClientCert::parse(data) {
        let _ = (cert.subject(), cert.common_name(), cert.common_names());
        let _ = (cert.san_emails(), cert.san_dns(), cert.san_uris(), cert.san_ips());
        let _ = (cert.not_before(), cert.not_after(), cert.subject_dn(), cert.issuer_dn());
        let _ = authgate::tls::go_subject_string(&cert);
    }
    let _ = parse_bundle(data);
}
