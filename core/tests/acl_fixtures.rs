//! Runs the shared cross-language fixtures (tests/fixtures/acl_cases.json, recorded from
//! redis-server 7.0.15) against the Rust API.

use authgate::acl::{Acl, AclError, UserInfo};
use serde_json::{json, Value};

/// ACL LIST lines / GETUSER command strings with single-command rules sorted per selector:
/// Redis prints those in hash-table order (spec §4), so only their set is meaningful.
fn canonical(line: &str) -> String {
    line.split(" (")
        .map(|seg| {
            let seg = seg.trim_end_matches(')');
            let (mut fixed, mut singles): (Vec<&str>, Vec<&str>) = (vec![], vec![]);
            for tok in seg.split(' ') {
                let single =
                    (tok.starts_with('+') || tok.starts_with('-')) && !tok[1..].starts_with('@');
                if single {
                    singles.push(tok)
                } else {
                    fixed.push(tok)
                }
            }
            singles.sort_unstable();
            fixed.extend(singles);
            fixed.join(" ")
        })
        .collect::<Vec<_>>()
        .join(" | ")
}

fn strings(v: &Value) -> Vec<Vec<u8>> {
    v.as_array().unwrap().iter().map(|x| x.as_str().unwrap().as_bytes().to_vec()).collect()
}

fn err_text(e: AclError) -> Value {
    Value::String(e.to_string())
}

fn info_json(i: UserInfo) -> Value {
    let s = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    json!({
        "flags": i.flags,
        "passwords": i.passwords,
        "commands": canonical(&s(&i.root.commands)),
        "keys": s(&i.root.keys),
        "channels": s(&i.root.channels),
        "selectors": i.selectors.iter().map(|x| json!({
            "commands": canonical(&s(&x.commands)), "keys": s(&x.keys), "channels": s(&x.channels)
        })).collect::<Vec<_>>(),
    })
}

fn normalize_expected(op: &str, v: &Value) -> Value {
    match (op, v) {
        ("list", Value::Array(lines)) => Value::Array(
            lines.iter().map(|l| Value::String(canonical(l.as_str().unwrap()))).collect(),
        ),
        ("getuser", Value::Object(o)) => {
            let mut o = o.clone();
            o["commands"] = Value::String(canonical(o["commands"].as_str().unwrap()));
            for s in o["selectors"].as_array_mut().unwrap() {
                s["commands"] = Value::String(canonical(s["commands"].as_str().unwrap()));
            }
            Value::Object(o)
        }
        _ => v.clone(),
    }
}

fn arg(v: &Value) -> &[u8] {
    v.as_str().unwrap().as_bytes()
}

fn run(acl: &Acl, op: &str, args: &Value) -> Value {
    match op {
        "setuser" => match acl.setuser(arg(&args[0]), &strings(&args[1])) {
            Ok(()) => json!("OK"),
            Err(e) => err_text(e),
        },
        "deluser" => match acl.deluser(&strings(args)) {
            Ok(n) => json!(n),
            Err(e) => err_text(e),
        },
        "getuser" => acl.getuser(arg(args)).map(info_json).unwrap_or(Value::Null),
        "list" => Value::Array(
            acl.list()
                .iter()
                .map(|l| Value::String(canonical(&String::from_utf8_lossy(l))))
                .collect(),
        ),
        "users" => {
            Value::Array(acl.users().iter().map(|u| json!(String::from_utf8_lossy(u))).collect())
        }
        "auth" => json!(acl.authenticate(arg(&args[0]), arg(&args[1]))),
        "dryrun" => match acl.dryrun(arg(&args[0]), &strings(&args[1])) {
            Ok(verdict) => json!(String::from_utf8_lossy(verdict.text())),
            Err(e) => err_text(e),
        },
        "check" => match acl.check(arg(&args[0]), &strings(&args[1])) {
            Ok(()) => json!("OK"),
            Err(e) => err_text(e),
        },
        "cat" => match acl.cat(args.as_str().map(|s| s.as_bytes())) {
            Ok(mut names) => {
                if !args.is_null() {
                    names.sort();
                }
                json!(names)
            }
            Err(e) => err_text(e),
        },
        other => panic!("unknown fixture op {other}"),
    }
}

#[test]
fn shared_fixtures_match_redis() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/acl_cases.json");
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let mut steps = 0;
    for case in doc["cases"].as_array().unwrap() {
        let acl = Acl::new();
        for step in case["steps"].as_array().unwrap() {
            let op = step["op"].as_str().unwrap();
            let got = run(&acl, op, &step["args"]);
            let want = normalize_expected(op, &step["expect"]);
            assert_eq!(got, want, "case {:?}, step {}", case["name"], step);
            steps += 1;
        }
    }
    assert!(steps >= 80, "fixtures went missing: {steps} steps");
}
