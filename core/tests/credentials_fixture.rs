//! Replays tests/fixtures/milvus_cases.json (recorded from a real Milvus 2.3.5 by
//! tests/differential_milvus/record.py) on a `CredentialStore`, in memory and in a file: every
//! create/update/delete/list/login outcome, Milvus' numeric code and message byte for byte.

use std::sync::Arc;

use authgate::credentials::{CredentialBackend, CredentialOptions, CredentialStore, FileBackend, MemoryBackend};
use authgate::{Error, ErrorKind};
use serde_json::{json, Value};

fn fixture() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/milvus_cases.json");
    serde_json::from_str(&std::fs::read_to_string(path).expect("the fixture exists")).expect("the fixture is JSON")
}

fn options(scenario: &Value) -> CredentialOptions {
    let super_users = scenario["options"]["super_users"]
        .as_array()
        .map(|a| a.iter().map(|v| v.as_str().unwrap().to_string()).collect())
        .unwrap_or_default();
    CredentialOptions { bcrypt_cost: 4, super_users, ..CredentialOptions::default() }
}

/// The outcome in the fixture's shape; a failure goes through `authgate::Error`, as every
/// binding sees it.
fn outcome(r: Result<Option<Value>, authgate::credentials::CredentialError>) -> Value {
    match r {
        Ok(None) => json!({"ok": true}),
        Ok(Some(result)) => json!({"ok": true, "result": result}),
        Err(e) => {
            let e: Error = e.into();
            assert_eq!(e.kind(), ErrorKind::Credential);
            json!({"ok": false, "code": e.milvus_code().unwrap(), "message": e.message()})
        }
    }
}

fn run(step: &Value, store: &CredentialStore, caller: Option<&str>) -> Value {
    let s = |k: &str| step[k].as_str().unwrap();
    outcome(match s("op") {
        "create" => store.create_user(s("user"), s("password").as_bytes()).map(|_| None),
        "update" => store.update_password(s("user"), s("old").as_bytes(), s("new").as_bytes(), caller).map(|_| None),
        "delete" => store.delete_user(s("user")).map(|_| None),
        "list" => store.list_users().map(|u| Some(json!(u))),
        "login" => store.verify(s("user"), s("password").as_bytes()).map(|ok| Some(json!(ok))),
        op => panic!("unknown op {op}"),
    })
}

/// The fixture's expectation, less what only a network login shows (the refusal text, which
/// `milvus_authorization` and the differential suite check).
fn expected(step: &Value) -> Value {
    let mut e = step["expect"].clone();
    e.as_object_mut().unwrap().remove("refusal");
    e
}

fn replay(make: impl Fn() -> Arc<dyn CredentialBackend>) -> usize {
    let fixture = fixture();
    let mut steps = 0;
    for scenario in fixture["scenarios"].as_array().unwrap() {
        let store = CredentialStore::open(make(), options(scenario)).unwrap();
        let caller = scenario["caller"].as_str().or(Some("root"));
        for (i, step) in scenario["steps"].as_array().unwrap().iter().enumerate() {
            let got = run(step, &store, caller);
            assert_eq!(got, expected(step), "scenario {} step {i}: {step}", scenario["name"]);
            steps += 1;
        }
    }
    steps
}

#[test]
fn memory_store_matches_milvus() {
    let steps = replay(|| Arc::new(MemoryBackend::new()));
    assert!(steps >= 250, "fixture steps went missing: {steps}");
}

#[test]
fn file_store_matches_milvus() {
    let dir = tempfile::tempdir().unwrap();
    let n = std::sync::atomic::AtomicUsize::new(0);
    replay(|| {
        let path = dir.path().join(format!("users{}.json", n.fetch_add(1, std::sync::atomic::Ordering::SeqCst)));
        Arc::new(FileBackend::open(path).unwrap())
    });
}

#[test]
fn format_quirks_are_go_s_and_kept_on_purpose() {
    // Milvus 2.3.5 passes the length limit as a string to %d and the byte as a uint8 to %s;
    // the fixture holds the server's text and these are it, not bugs of ours.
    let text = fixture().to_string();
    assert!(text.contains("%!d(string=32)") && text.contains("%!s(uint8=45)"));
}
