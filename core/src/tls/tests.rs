//! Tests of the certificate module over certificates made with openssl (testdata/, the spec's
//! §A5 set and NATS's pinned cases; their subjects as openssl printed them are asserted here,
//! and tests/cert re-checks freshly generated ones against openssl on every run).

use super::*;

const CA: &[u8] = include_bytes!("testdata/ca.pem");
const MULTI_OU: &[u8] = include_bytes!("testdata/multi_ou.pem");
const SPECIAL: &[u8] = include_bytes!("testdata/special.pem");
const MULTIVAL: &[u8] = include_bytes!("testdata/multival.pem");
const EDGE: &[u8] = include_bytes!("testdata/edge.pem");
const NOSUBJ: &[u8] = include_bytes!("testdata/nosubj.pem");
const CNFIRST: &[u8] = include_bytes!("testdata/cnfirst.pem");
const NATS_RDN: &[u8] = include_bytes!("testdata/nats_rdn.pem");
const NATS_MULTIVAL: &[u8] = include_bytes!("testdata/nats_multival.pem");
const NATS_MULTI_CN: &[u8] = include_bytes!("testdata/nats_multi_cn.pem");
const SERVER_ONLY: &[u8] = include_bytes!("testdata/server_only.pem");
const WRONG_CA: &[u8] = include_bytes!("testdata/wrong_ca.pem");

fn cert(pem: &[u8]) -> ClientCert {
    ClientCert::parse(pem).unwrap()
}

#[test]
fn subjects_are_openssls() {
    for (pem, want) in [
        (CA, "CN=Test Root CA,O=Test CA Org,C=US"),
        (MULTI_OU, "CN=alice,OU=Platform,OU=Engineering,O=Acme Corp,L=San Francisco,ST=California,C=US"),
        (SPECIAL, "CN=Doe\\, John\\+Admin,O=Acme \\\"Quoted\\\"\\; Inc \\<x\\>,C=US"),
        (MULTIVAL, "UID=jdoe+CN=John Doe,OU=People,DC=example,DC=org"),
        (EDGE, "emailAddress=zoe@example.de,CN=a=b Zo\\C3\\AB M\\C3\\BCller,OU=\\ padded\\ ,O=\\#hash org,C=DE"),
        (NOSUBJ, ""),
        (CNFIRST, "C=US,O=Acme Corp,CN=abc"),
        (NATS_MULTIVAL, "CN=John Doe,DC=DEV+O=users,DC=OpenSSL,DC=org"),
    ] {
        let c = cert(pem);
        assert_eq!(c.subject(), want);
        assert_eq!(c.subject_dn().to_rfc2253(), want);
        // The DER form gives the same certificate.
        assert_eq!(ClientCert::parse(c.der()).unwrap(), c);
        // The subject string reads back into the same name.
        assert!(dn_string::parse(want).unwrap().same_as(c.subject_dn()), "{want}");
    }
}

#[test]
fn fields_in_certificate_order() {
    let c = cert(MULTI_OU);
    assert_eq!(c.common_name().as_deref(), Some("alice"));
    assert_eq!(c.san_emails(), ["alice@example.com"]);
    assert_eq!(c.san_dns(), ["alice.example.com", "*.apps.example.com"]);
    assert_eq!(c.san_uris(), ["spiffe://example.org/ns/default/sa/alice"]);
    assert!(c.san_ips().is_empty());
    assert!(c.not_before() < c.not_after());
    assert_eq!(c.not_after() - c.not_before(), 3650 * 86_400);
    assert_eq!(cert(SPECIAL).common_name().as_deref(), Some("Doe, John+Admin"));
    assert_eq!(cert(EDGE).common_name().as_deref(), Some("a=b Zoë Müller"));
    assert_eq!(cert(NATS_MULTI_CN).common_names(), ["John Doe", "123456", "jdoe"]);
    assert_eq!(cert(NOSUBJ).common_name(), None);
    assert!(cert(NOSUBJ).subject_dn().is_empty());
    // A PEM file with a key before the certificate.
    let mut with_key = b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n".to_vec();
    with_key.extend_from_slice(MULTI_OU);
    assert_eq!(ClientCert::parse(&with_key).unwrap(), c);
}

#[test]
fn malformed_input_is_an_error_with_a_reason() {
    let der = cert(MULTI_OU).der().to_vec();
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (Vec::new(), "no certificate found"),
        (b"-----BEGIN CERTIFICATE-----\n@@@@\n-----END CERTIFICATE-----\n".to_vec(), "bad base64"),
        (b"-----BEGIN CERTIFICATE-----\nMIIB\n".to_vec(), "no '-----END CERTIFICATE-----' line"),
        (b"-----BEGIN PUBLIC KEY-----\nAA==\n-----END PUBLIC KEY-----\n".to_vec(), "no certificate found"),
        (der[..40].to_vec(), "malformed certificate"),
        ([der.as_slice(), b"xx"].concat(), "2 bytes after the certificate"),
        (vec![0x30; MAX_CERT_INPUT + 1], "more than the 65536 read"),
    ];
    for (input, reason) in cases {
        let e = ClientCert::parse(&input).unwrap_err();
        assert!(e.to_string().contains(reason), "{e}");
        let e: crate::Error = e.into();
        assert_eq!(e.kind(), crate::ErrorKind::Certificate);
    }
}

/// A small deterministic generator (xorshift64*): the same mutations on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Everything a caller can do with a parsed certificate, so a mutated one that parses is
/// pushed through every path.
fn exercise(c: &ClientCert, store: &TrustStore) {
    let _ = c.subject().len() + c.common_names().len();
    let _ = store.verify_client_at(c, &[], c.not_before());
    let _ = TlsAuthClientsUser::Cn.map(c, |_| false);
    let _ = TlsAuthClientsUser::Uri.map(c, |_| true);
    let users: [&[u8]; 2] = [b"alice", b"CN=alice,OU=Platform"];
    let _ = nats_map_user(c, &users);
    let entry = AuthorizedSubject { cn: "alice".into(), ou: vec!["Platform".into()], ..Default::default() };
    let _ = entry.check_full_subject(c);
    let _ = entry.check_san_cn(c);
    let _ = dn_string::parse(c.subject());
}

#[test]
fn truncated_and_mutated_der_never_panics() {
    let store = TrustStore::from_pem_or_der(CA).unwrap();
    let mut rng = Rng(0x5eed_1234_abcd_0001);
    for pem in [MULTI_OU, EDGE, MULTIVAL, NOSUBJ] {
        let der = cert(pem).der().to_vec();
        for len in 0..der.len() {
            assert!(ClientCert::from_der(&der[..len]).is_err(), "a {len}-byte prefix parsed");
        }
        for _ in 0..3000 {
            let mut m = der.clone();
            for _ in 0..1 + rng.below(4) {
                let i = rng.below(m.len());
                match rng.below(3) {
                    0 => m[i] ^= 1 << rng.below(8),
                    1 => m[i] = rng.next() as u8,
                    _ => {
                        m.insert(i, rng.next() as u8);
                    }
                }
            }
            if let Ok(c) = ClientCert::from_der(&m) {
                exercise(&c, &store);
            }
        }
    }
    // DN strings: arbitrary bytes never panic the two parsers.
    for _ in 0..20_000 {
        let len = rng.below(24);
        let s: Vec<u8> = (0..len).map(|_| b"CN=a,+\\#2 ;\"OU\xc3\xab=0F"[rng.below(19)]).collect();
        let _ = parse_nats_dn(&s);
        if let Ok(text) = std::str::from_utf8(&s) {
            if let Ok(dn) = dn_string::parse(text) {
                let _ = dn.to_rfc2253();
            }
        }
    }
}

#[test]
fn verification_names_the_reason() {
    let store = TrustStore::from_pem_or_der(CA).unwrap();
    assert_eq!(store.len(), 1);
    let c = cert(MULTI_OU);
    let inside = c.not_before() + 86_400;
    assert_eq!(store.verify_client_at(&c, &[], inside), Ok(()));
    assert_eq!(store.verify_client_at(&cert(NOSUBJ), &[], inside), Ok(()));
    let after = c.not_after() + 1;
    assert_eq!(
        store.verify_client_at(&c, &[], after),
        Err(VerifyError::Expired { not_after: c.not_after(), now: after })
    );
    let before = c.not_before() - 1;
    assert_eq!(
        store.verify_client_at(&c, &[], before),
        Err(VerifyError::NotYetValid { not_before: c.not_before(), now: before })
    );
    assert_eq!(store.verify_client_at(&cert(WRONG_CA), &[], inside), Err(VerifyError::UnknownIssuer));
    assert_eq!(store.verify_client_at(&cert(SERVER_ONLY), &[], inside), Err(VerifyError::NotForClientAuth));
    assert_eq!(store.verify_client_at(&cert(CA), &[], inside), Err(VerifyError::CaAsEndEntity));
    let e: crate::Error = CertError::from(VerifyError::UnknownIssuer).into();
    assert_eq!(e.code(), "CERTIFICATE");
    assert_eq!(
        e.message(),
        "certificate verification failed: unable to get local issuer certificate (not signed by a trusted CA)"
    );
    assert!(VerifyError::Expired { not_after: 0, now: 86_400 }.to_string().contains("notAfter Thu, 01 Jan 1970 00:00:00 +0000"));
}

#[test]
fn subject_lines_match_exactly_and_refuse_what_could_never_match() {
    let c = cert(MULTI_OU);
    let line = SubjectLine::parse(c.subject()).unwrap();
    assert!(line.matches(&c));
    assert!(!line.matches(&cert(CNFIRST)));
    let cnlast = SubjectLine::parse("CN=abc,O=Acme Corp,C=US").unwrap();
    assert!(!cnlast.matches(&cert(CNFIRST)), "DER order and RFC 2253 order are different lines");
    assert!(SubjectLine::parse("C=US,O=Acme Corp,CN=abc").unwrap().matches(&cert(CNFIRST)));
    assert!(SubjectLine::parse(cert(EDGE).subject()).unwrap().matches(&cert(EDGE)));
    for (bad, says) in [
        ("CN=abc, O=Acme Corp", "write it as 'CN=abc,O=Acme Corp' (no spaces after the commas)"),
        ("cn=abc", "write it as 'CN=abc'"),
        ("CN=Zoë", "write it as 'CN=Zo\\C3\\AB'"),
        ("E=a@b", "write it as 'emailAddress=a@b'"),
        ("CN=a\\2Cb", "write it as 'CN=a\\,b'"),
        ("CN=#0C03616263", "write it as 'CN=abc'"),
        ("", "empty"),
        ("CN=a,XX=b", "unknown attribute type 'XX'"),
        ("CN=a<b", "'<' must be escaped"),
    ] {
        let e = SubjectLine::parse(bad).unwrap_err().to_string();
        assert!(e.starts_with("invalid certificate_subject_line"), "{e}");
        assert!(e.contains(says), "{bad}: {e}");
    }
}

#[test]
fn subject_policies() {
    let alice = cert(MULTI_OU);
    let subject = |json: &str| serde_json::from_str::<AuthorizedSubject>(json).unwrap();
    let full = |subjects: Vec<AuthorizedSubject>| SubjectPolicy::new(SubjectValidation::FullSubject, subjects).unwrap();
    assert_eq!(SubjectPolicy::disabled().check(&alice), Ok(()));
    assert!(full(vec![subject(r#"{"CN":"alice","OU":["Platform","Engineering"],"O":"Acme Corp","C":"US"}"#)])
        .check(&alice)
        .is_ok());
    assert!(full(vec![subject(r#"{"CN":"alice"}"#)]).check(&alice).is_ok());
    let e = full(vec![subject(r#"{"CN":"alice","OU":["Platform"]}"#), subject(r#"{"CN":"bob"}"#)])
        .check(&alice)
        .unwrap_err();
    assert_eq!(
        e,
        "OU: the certificate has {'Engineering', 'Platform'}, the authorized subject {'Platform'}; \
         CN: the certificate has {'alice'}, the authorized subject 'bob'"
    );
    assert!(full(vec![subject(r#"{"CN":"alice","L":"san francisco"}"#)]).check(&alice).is_err(), "case-sensitive");
    assert!(full(vec![]).check(&alice).unwrap_err().contains("no authorized subjects"));
    let san =
        |cn: &str| SubjectPolicy::new(SubjectValidation::SanCn, vec![subject(&format!(r#"{{"CN":"{cn}"}}"#))]).unwrap();
    assert!(san("alice").check(&alice).is_ok());
    assert!(san("*.apps.example.com").check(&alice).is_ok());
    assert!(san("alice@example.com").check(&alice).is_err(), "emails are not DNS names");
    assert!(san("Alice.example.com").check(&alice).is_err());
    assert!(SubjectPolicy::new(SubjectValidation::SanCn, vec![subject(r#"{"CN":""}"#)]).is_err());
    assert!(serde_json::from_str::<AuthorizedSubject>(r#"{"O":"x"}"#).is_err(), "CN is required");
    assert_eq!("full_subject".parse::<SubjectValidation>().unwrap(), SubjectValidation::FullSubject);
    assert!("FULL_SUBJECT".parse::<SubjectValidation>().is_err());
    let round = serde_json::to_string(&subject(r#"{"CN":"a","OU":["x","y"],"ST":"s"}"#)).unwrap();
    assert_eq!(round, r#"{"CN":"a","OU":["x","y"],"ST":"s"}"#);
    let from_line = AuthorizedSubject::from_subject_line("CN=alice,OU=Platform,OU=Engineering,C=US").unwrap();
    assert_eq!(from_line.ou, ["Platform", "Engineering"]);
    assert!(from_line.check_full_subject(&alice).is_ok());
}

#[test]
fn tls_auth_clients_user_cn_and_uri() {
    let enabled: &[&[u8]] = &[b"alice", b"spiffe://example.org/workload/second", b"Doe, John+Admin"];
    let lookup = |name: &[u8]| enabled.contains(&name);
    let alice = cert(MULTI_OU);
    assert_eq!(TlsAuthClientsUser::Off.map(&alice, lookup), TlsUserMapping::Off);
    assert_eq!(
        TlsAuthClientsUser::Cn.map(&alice, lookup),
        TlsUserMapping::Authenticated {
            user: b"alice".to_vec(),
            log_line: "TLS: Auto-authenticated client as alice".into()
        }
    );
    assert!(matches!(TlsAuthClientsUser::Cn.map(&cert(SPECIAL), lookup), TlsUserMapping::Authenticated { .. }));
    assert_eq!(
        TlsAuthClientsUser::Cn.map(&cert(CNFIRST), lookup),
        TlsUserMapping::NoMatch { log_line: "TLS: No matching user found for certificate CN 'abc'".into() }
    );
    assert_eq!(
        TlsAuthClientsUser::Cn.map(&cert(NOSUBJ), lookup),
        TlsUserMapping::NoMatch { log_line: "TLS: Failed to extract CN in certificate subject".into() }
    );
    // The first CN in DER order.
    let mut seen = Vec::new();
    TlsAuthClientsUser::Cn.map(&cert(NATS_MULTI_CN), |n| {
        seen.push(n.to_vec());
        false
    });
    assert_eq!(seen, [b"John Doe".to_vec()]);
    // URI: in order, the first naming an enabled user wins.
    let mut tried = Vec::new();
    let got = TlsAuthClientsUser::Uri.map(&cert(NOSUBJ), |n| {
        tried.push(String::from_utf8(n.to_vec()).unwrap());
        lookup(n)
    });
    assert_eq!(tried, ["spiffe://example.org/workload/api", "spiffe://example.org/workload/second"]);
    assert!(
        matches!(got, TlsUserMapping::Authenticated { user, .. } if user == b"spiffe://example.org/workload/second")
    );
    assert_eq!(
        TlsAuthClientsUser::Uri.map(&alice, lookup),
        TlsUserMapping::NoMatch { log_line: "TLS: No matching user found in certificate SAN URI fields".into() }
    );
    assert_eq!("cn".parse::<TlsAuthClientsUser>().unwrap(), TlsAuthClientsUser::Cn);
    assert_eq!("URI".parse::<TlsAuthClientsUser>().unwrap().to_string(), "URI");
    assert!("yes".parse::<TlsAuthClientsUser>().is_err());
}

#[test]
fn nats_verify_and_map_order() {
    let alice = cert(MULTI_OU);
    let m = |c: &ClientCert, users: &[&'static [u8]]| nats_map_user(c, users);
    // Emails before DNS names before URIs, whatever the configuration order.
    let users: &[&[u8]] = &[b"spiffe://example.org/ns/default/sa/alice", b"*.apps.example.com", b"alice@example.com"];
    assert_eq!(m(&alice, users), Some(NatsCertMapping::User(b"alice@example.com", NatsMatch::Email)));
    assert_eq!(m(&alice, &users[..2]), Some(NatsCertMapping::User(b"*.apps.example.com", NatsMatch::Dns)));
    assert_eq!(m(&alice, &users[..1]), Some(NatsCertMapping::User(users[0], NatsMatch::Uri)));
    // No wildcard logic: a literal SAN only.
    assert!(matches!(m(&alice, &[b"x.apps.example.com"]), Some(NatsCertMapping::NotFound(_))));
    // The DN as written, with spaces after commas, and in any RDN order.
    let rdn = cert(NATS_RDN);
    let exact: &[u8] = b"DC=com,DC=example,CN=*.example.com,O=NATS,OU=NATS,L=Los Angeles,ST=CA,C=US";
    let go_dc: &[u8] = b"CN=*.example.com,OU=NATS,O=NATS,L=Los Angeles,ST=CA,C=US,DC=example,DC=com";
    assert_eq!(m(&rdn, &[go_dc, exact]), Some(NatsCertMapping::User(exact, NatsMatch::Dn)));
    assert_eq!(m(&rdn, &[go_dc]), Some(NatsCertMapping::User(go_dc, NatsMatch::DnAnyOrder)));
    let spaced: &[u8] = b"DC=com, DC=example, CN=*.example.com, O=NATS, OU=NATS, L=Los Angeles, ST=CA, C=US";
    assert_eq!(m(&rdn, &[spaced]), Some(NatsCertMapping::User(spaced, NatsMatch::Dn)));
    // Multi-valued RDNs: attribute order inside is free, splitting or dropping one is not.
    let mv = cert(NATS_MULTIVAL);
    let swapped: &[u8] = b"CN=John Doe,O=users+DC=DEV,DC=OpenSSL,DC=org";
    assert_eq!(m(&mv, &[swapped]), Some(NatsCertMapping::User(swapped, NatsMatch::Dn)));
    let reversed: &[u8] = b"DC=org,DC=OpenSSL,O=users+DC=DEV,CN=John Doe";
    assert_eq!(m(&mv, &[reversed]), Some(NatsCertMapping::User(reversed, NatsMatch::DnAnyOrder)));
    assert!(matches!(m(&mv, &[b"CN=John Doe,O=users,DC=DEV,DC=OpenSSL,DC=org"]), Some(NatsCertMapping::NotFound(_))));
    assert!(matches!(m(&mv, &[b"CN=John Doe,DC=DEV,DC=OpenSSL,DC=org"]), Some(NatsCertMapping::NotFound(_))));
    // Part of the subject is not enough (nats-server 2.9.10 refused such users in
    // tests/differential_nats/tls_map.py), nor is a certificate with only SAN DNS names.
    assert!(matches!(m(&rdn, &[b"CN=*.example.com,O=NATS,OU=NATS,L=Los Angeles,ST=CA,C=US"]), Some(NatsCertMapping::NotFound(_))));
    // Several CNs: the full DN, or Go's string with the last CN and the OUs merged.
    let many = cert(NATS_MULTI_CN);
    let full: &[u8] = b"DC=com,DC=acme,OU=Organic Units,OU=Users,CN=jdoe,CN=123456,CN=John Doe";
    assert_eq!(m(&many, &[full]), Some(NatsCertMapping::User(full, NatsMatch::Dn)));
    assert_eq!(go_subject_string(&many), "CN=jdoe,OU=Users+OU=Organic Units");
    let go: &[u8] = b"CN=jdoe,OU=Users+OU=Organic Units";
    assert_eq!(m(&many, &[go]), Some(NatsCertMapping::User(go, NatsMatch::GoSubjectString)));
    // UID and emailAddress disable the DN path; Go's string drops them.
    let multival = cert(MULTIVAL);
    assert_eq!(go_subject_string(&multival), "CN=John Doe,OU=People");
    let with_dcs: &[u8] = b"CN=John Doe,OU=People,DC=org,DC=example";
    assert_eq!(m(&multival, &[with_dcs]), Some(NatsCertMapping::User(with_dcs, NatsMatch::GoSubjectString)));
    assert!(matches!(
        m(&multival, &[b"UID=jdoe+CN=John Doe,OU=People,DC=example,DC=org"]),
        Some(NatsCertMapping::NotFound(_))
    ));
    let edge = cert(EDGE);
    assert_eq!(go_subject_string(&edge), "CN=a=b Zoë Müller,OU=\\ padded\\ ,O=\\#hash org,C=DE");
    assert_eq!(m(&edge, &[b"zoe@example.de"]), Some(NatsCertMapping::User(b"zoe@example.de", NatsMatch::Email)));
    // Go's string: one configured user matches both DER orders.
    assert_eq!(go_subject_string(&cert(CNFIRST)), "CN=abc,O=Acme Corp,C=US");
    assert_eq!(
        m(&alice, &[b"nobody"]),
        Some(NatsCertMapping::NotFound(
            "CN=alice,OU=Engineering+OU=Platform,O=Acme Corp,L=San Francisco,ST=California,C=US".into()
        ))
    );
    // A SAN URI only: the URI maps; nothing at all would map to no one.
    let nosubj = cert(NOSUBJ);
    assert!(matches!(
        m(&nosubj, &[b"spiffe://example.org/workload/api"]),
        Some(NatsCertMapping::User(_, NatsMatch::Uri))
    ));
}

#[test]
fn oids_decode_to_their_dotted_form() {
    // Every attribute type of the test certificates, in order, against asn1-rs' conversion
    // (tests/cert covers a private-enterprise OID with multi-byte arcs against openssl).
    for pem in [MULTI_OU, MULTIVAL, EDGE, SPECIAL, NATS_RDN, CA] {
        let c = cert(pem);
        let (_, x) = x509_parser::parse_x509_certificate(c.der()).unwrap();
        let theirs: Vec<String> = x.subject().iter_attributes().map(|a| a.attr_type().to_id_string()).collect();
        let ours: Vec<String> = c.subject_dn().attributes().map(|a| a.oid().to_string()).collect();
        assert_eq!(ours, theirs);
    }
}
