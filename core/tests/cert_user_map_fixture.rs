//! Replays tests/fixtures/cert_cases.json's `user_maps` and `invalid_user_maps` (written by
//! cert_cases_gen.py from openssl's reading of the certificates) on core's `CertUserMap`, the
//! cases every binding's suite replays too; and checks the vocabulary's `cert_user_map` /
//! `cert_login` names against core's constants, so a binding's parity test compares with core.

use authgate::acl::Acl;
use authgate::tls::{CertLogin, CertUserMap, ClientCert, SubjectLine, TlsAuthClientsUser};
use authgate::{Error, ErrorKind};
use serde_json::Value;

fn read(name: &str) -> Value {
    let path = format!("{}/../tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).expect("the fixture exists")).expect("the fixture is JSON")
}

fn cert(cases: &Value, name: &str) -> ClientCert {
    let entry = cases["certificates"].as_array().unwrap().iter().find(|c| c["name"] == name).expect("a certificate");
    let path = format!("{}/../tests/fixtures/{}", env!("CARGO_MANIFEST_DIR"), entry["pem"].as_str().unwrap());
    ClientCert::from_pem(&std::fs::read(path).unwrap()).unwrap()
}

/// The map a case describes: its mode and certificate users.
fn build(case: &Value) -> Result<CertUserMap, Error> {
    let mut map = CertUserMap::new(case["mode"].as_str().unwrap().parse::<TlsAuthClientsUser>()?);
    for u in case["certificate_users"].as_array().into_iter().flatten() {
        map.set_user(u["name"].as_str().unwrap(), SubjectLine::parse(u["certificate_subject_line"].as_str().unwrap())?);
    }
    Ok(map)
}

/// The engine a case describes (`null`: none).
fn engine(case: &Value) -> Option<Acl> {
    let users = case["acl"].as_array()?;
    let acl = Acl::new();
    for u in users {
        let words: Vec<&str> = u.as_array().unwrap().iter().map(|w| w.as_str().unwrap()).collect();
        acl.setuser(words[0].as_bytes(), &words[1..]).unwrap();
    }
    Some(acl)
}

fn login_json(login: &CertLogin) -> Value {
    serde_json::json!({
        "user": login.user().map(|u| String::from_utf8(u.to_vec()).unwrap()),
        "outcome": login.outcome(),
        "log_line": login.log_line(),
    })
}

#[test]
fn user_maps_log_in_as_the_fixture_says() {
    let cases = read("cert_cases.json");
    let maps = cases["user_maps"].as_array().unwrap();
    assert!(maps.len() >= 10);
    for case in maps {
        let map = build(case).unwrap();
        let want_mode = case.get("mode_as_written").unwrap_or(&case["mode"]);
        assert_eq!(map.mode().as_str(), want_mode.as_str().unwrap(), "{}", case["name"]);
        let acl = engine(case);
        for (name, want) in case["cases"].as_object().unwrap() {
            let got = login_json(&map.map_acl(&cert(&cases, name), acl.as_ref()));
            assert_eq!(&got, want, "{} / {name}", case["name"]);
        }
    }
}

#[test]
fn invalid_user_maps_are_certificate_errors() {
    let cases = read("cert_cases.json");
    for case in cases["invalid_user_maps"].as_array().unwrap() {
        let mut case = case.clone();
        if let Some(line) = case.get("certificate_subject_line").cloned() {
            case["certificate_users"] = serde_json::json!([{"name": "u", "certificate_subject_line": line}]);
        }
        let e = build(&case).unwrap_err();
        assert_eq!((e.kind(), e.message()), (ErrorKind::Certificate, case["message"].as_str().unwrap().to_string()));
    }
}

#[test]
fn vocabulary_names_are_cores() {
    let tls = &read("vocabulary.json")["tls"];
    let strings = |v: &Value| v.as_array().unwrap().iter().map(|s| s.as_str().unwrap().to_string()).collect::<Vec<_>>();
    assert_eq!(strings(&tls["cert_user_map"]["modes"]), TlsAuthClientsUser::VALUES);
    assert_eq!(strings(&tls["cert_login"]["outcomes"]), CertLogin::OUTCOMES);
    assert_eq!(tls["defaults"]["mode"], TlsAuthClientsUser::default().as_str());
}
