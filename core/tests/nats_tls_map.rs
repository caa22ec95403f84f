//! `tls { verify_and_map: true }` through `NatsAuth::authenticate`: the user comes from the
//! client certificate, as nats-server 2.9.10 decides (the verdicts below are the ones
//! tests/differential_nats/tls_map.py compares with a live nats-server on generated
//! certificates; these pin the rules in the engine itself).

use std::sync::Arc;

use authgate::nats::{Connect, ConnectionType, NatsAuth, NatsError};
use authgate::tls::ClientCert;

/// CN=alice,OU=Platform,OU=Engineering,O=Acme Corp,L=San Francisco,ST=California,C=US with SAN
/// email alice@example.com, DNS alice.example.com and *.apps.example.com, URI
/// spiffe://example.org/ns/default/sa/alice.
const ALICE: &[u8] = include_bytes!("../src/tls/testdata/multi_ou.pem");
/// No subject; SAN URI spiffe://example.org/workload/api only.
const NO_SUBJECT: &[u8] = include_bytes!("../src/tls/testdata/nosubj.pem");

const ALICE_DN: &str = "CN=alice,OU=Platform,OU=Engineering,O=Acme Corp,L=San Francisco,ST=California,C=US";

fn auth(users: &str) -> NatsAuth {
    let text = format!("tls {{ verify_and_map: true }}\nauthorization {{ users = [ {users} ] }}\n");
    NatsAuth::parse(text.as_bytes(), Some("main.conf"), None).expect("config reads")
}

fn login(a: &NatsAuth, cert: Option<&[u8]>, user: &str, password: &str) -> Result<String, NatsError> {
    let c = Connect {
        user: user.as_bytes().to_vec(),
        password: password.as_bytes().to_vec(),
        certificate: cert.map(|pem| Arc::new(ClientCert::parse(pem).expect("test certificate parses"))),
        ..Default::default()
    };
    a.authenticate(&c).map(|id| String::from_utf8(id.user().to_vec()).unwrap())
}

#[test]
fn the_certificate_names_the_user() {
    let a = auth(&format!("{{user: \"{ALICE_DN}\"}}, {{user: bob, password: pw}}"));
    assert_eq!(login(&a, Some(ALICE), "", "").unwrap(), ALICE_DN);
    // The CONNECT's user is ignored: the certificate decides, even when it names another user.
    assert_eq!(login(&a, Some(ALICE), "bob", "").unwrap(), ALICE_DN);
    // Without a certificate nobody logs in, not even with a valid user and password.
    assert!(matches!(login(&a, None, "bob", "pw"), Err(NatsError::AuthorizationViolation)));
}

#[test]
fn sans_come_before_the_subject_and_emails_first() {
    let a = auth(&format!(
        "{{user: \"{ALICE_DN}\"}}, {{user: \"spiffe://example.org/ns/default/sa/alice\"}}, \
         {{user: \"alice.example.com\"}}, {{user: \"alice@example.com\"}}"
    ));
    assert_eq!(login(&a, Some(ALICE), "", "").unwrap(), "alice@example.com");
    let a = auth(&format!("{{user: \"{ALICE_DN}\"}}, {{user: \"spiffe://example.org/ns/default/sa/alice\"}}"));
    assert_eq!(login(&a, Some(ALICE), "", "").unwrap(), "spiffe://example.org/ns/default/sa/alice");
}

#[test]
fn a_mapped_user_with_a_password_still_needs_it() {
    let a = auth("{user: \"alice@example.com\", password: s3cret}");
    assert!(matches!(login(&a, Some(ALICE), "", ""), Err(NatsError::AuthorizationViolation)));
    assert!(matches!(login(&a, Some(ALICE), "", "wrong"), Err(NatsError::AuthorizationViolation)));
    assert_eq!(login(&a, Some(ALICE), "", "s3cret").unwrap(), "alice@example.com");
}

#[test]
fn the_dn_matches_with_other_spacing_case_and_rdn_order_but_not_as_a_subset() {
    for name in [
        "CN=alice, OU=Platform, OU=Engineering, O=Acme Corp, L=San Francisco, ST=California, C=US",
        "cn=alice,ou=Platform,ou=Engineering,o=Acme Corp,l=San Francisco,st=California,c=US",
        "C=US,ST=California,L=San Francisco,O=Acme Corp,OU=Engineering,OU=Platform,CN=alice",
    ] {
        let a = auth(&format!("{{user: \"{name}\"}}"));
        assert_eq!(login(&a, Some(ALICE), "", "").unwrap(), name);
    }
    // Values compare byte for byte, and every RDN must be there (nats-server refused both).
    for name in [
        "CN=Alice,OU=Platform,OU=Engineering,O=Acme Corp,L=San Francisco,ST=California,C=US",
        "CN=alice,OU=Platform,OU=Engineering,O=Acme Corp,L=San Francisco,ST=California",
    ] {
        let a = auth(&format!("{{user: \"{name}\"}}"));
        assert!(matches!(login(&a, Some(ALICE), "", ""), Err(NatsError::AuthorizationViolation)), "{name}");
    }
}

#[test]
fn users_of_other_connection_types_are_passed_over() {
    let a = auth(&format!(
        "{{user: \"alice@example.com\", allowed_connection_types: [\"WEBSOCKET\"]}}, {{user: \"{ALICE_DN}\"}}"
    ));
    assert_eq!(login(&a, Some(ALICE), "", "").unwrap(), ALICE_DN);
    let a = auth("{user: \"alice@example.com\", allowed_connection_types: [\"WEBSOCKET\"]}");
    assert!(matches!(login(&a, Some(ALICE), "", ""), Err(NatsError::AuthorizationViolation)));
}

#[test]
fn a_uri_only_certificate_maps_by_its_uri() {
    let a = auth("{user: \"spiffe://example.org/workload/api\"}");
    assert_eq!(login(&a, Some(NO_SUBJECT), "", "").unwrap(), "spiffe://example.org/workload/api");
}

#[test]
fn websocket_logins_follow_the_websocket_block() {
    // verify_and_map on the client port only: a websocket login goes by user and password.
    let a = auth(&format!("{{user: \"{ALICE_DN}\"}}, {{user: bob, password: pw}}"));
    let ws = Connect {
        user: b"bob".to_vec(),
        password: b"pw".to_vec(),
        connection_type: ConnectionType::Websocket,
        certificate: Some(Arc::new(ClientCert::parse(ALICE).unwrap())),
        ..Default::default()
    };
    assert_eq!(a.authenticate(&ws).unwrap().user(), b"bob");
}
