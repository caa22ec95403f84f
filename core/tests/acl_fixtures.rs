//! Runs the shared cross-language fixtures (tests/fixtures/acl_cases.json, recorded from
//! redis-server 7.0.15) against the Rust API.

use authgate::acl::{Acl, AclError, UserInfo};
use serde_json::{json, Value};

/// The comparison form of an ACL LIST line or a GETUSER `commands` string, the rule written in
/// acl_cases.json's "about" and implemented identically by every language's fixture test: exact,
/// except that a selector's single-command tokens (`+cmd`, `-cmd`, `+cmd|sub`, `+cmd|firstarg`)
/// after its category tokens are sorted, because Redis emits them in a per-process hash order
/// (tests/differential/normalize.py `norm_command_tokens`, tests/differential/README.md). A
/// string not in the shape Redis produces (a single before a category, ...) becomes `!` + the
/// string itself, which equals no in-shape form, so `+get -@all` never equals `-@all +get`.
fn canonical(line: &str) -> String {
    let mut selectors = vec![];
    for (i, seg) in line.split(" (").enumerate() {
        let seg = if i > 0 { seg.strip_suffix(')').unwrap_or(seg) } else { seg };
        match canonical_selector(seg) {
            Some(c) => selectors.push(c),
            None => return format!("!{line}"),
        }
    }
    selectors.join(" | ")
}

/// A `+...` / `-...` rule: a category (`+@x`) or a single.
fn is_command_token(t: &str) -> bool {
    t.starts_with('+') || t.starts_with('-')
}

/// One selector's tokens in order with its singles sorted, or None if not in Redis' shape.
fn canonical_selector(seg: &str) -> Option<String> {
    let mut tokens: Vec<String> = vec![];
    for t in seg.split(' ') {
        match tokens.last_mut() {
            // A first argument containing a space (`+select|a b`) continues its token.
            Some(last)
                if is_command_token(last) && !t.starts_with(['~', '%', '&', '+', '-', '(']) =>
            {
                last.push(' ');
                last.push_str(t);
            }
            _ => tokens.push(t.to_string()),
        }
    }
    let (mut fixed, mut singles): (Vec<String>, Vec<String>) = (vec![], vec![]);
    let mut seen_command = false;
    for t in tokens {
        if !is_command_token(&t) {
            if seen_command {
                return None;
            }
            fixed.push(t);
            continue;
        }
        seen_command = true;
        if t[1..].starts_with('@') {
            if !singles.is_empty() {
                return None;
            }
            fixed.push(t);
            continue;
        }
        let body = t[1..].to_ascii_lowercase();
        let own_sub = format!("{body}|");
        if !body.contains('|')
            && singles.iter().any(|s| s[1..].to_ascii_lowercase().starts_with(&own_sub))
        {
            return None;
        }
        singles.push(t);
    }
    singles.sort_unstable();
    fixed.extend(singles);
    Some(fixed.join(" "))
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

/// The comparison rule itself, on the pairs every language's fixture test runs
/// (tests/fixtures/canonical_cases.json): a wrong rule would let a wrong description pass.
#[test]
fn canonical_rule_matches_the_shared_pairs() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/canonical_cases.json");
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let pairs = doc["pairs"].as_array().unwrap();
    for p in pairs {
        let (a, b) = (p["a"].as_str().unwrap(), p["b"].as_str().unwrap());
        let equal = p["equal"].as_bool().unwrap();
        assert_eq!(canonical(a) == canonical(b), equal, "{a:?} vs {b:?}: {}", p["why"]);
    }
    assert!(pairs.len() >= 20, "pairs went missing: {}", pairs.len());
}
