//! Certificates, PEM or DER, through `tls::ClientCert::parse` and everything the mappings read
//! from one (subject line, names, SANs, validity), and PEM bundles. Never panics.
#![no_main]

use authgate::tls::{parse_bundle, ClientCert};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(cert) = ClientCert::parse(data) {
        let _ = (cert.subject(), cert.common_name(), cert.common_names());
        let _ = (cert.san_emails(), cert.san_dns(), cert.san_uris(), cert.san_ips());
        let _ = (cert.not_before(), cert.not_after(), cert.subject_dn(), cert.issuer_dn());
        let _ = authgate::tls::go_subject_string(&cert);
    }
    let _ = parse_bundle(data);
});
