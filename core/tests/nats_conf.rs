//! The nats-server config language and option checks against what nats-server 2.9.10 printed
//! for the same files (recorded below), plus the values the parser builds.

use authgate::nats::conf::{self, Limits, Value, DEFAULT_LIMITS};
use authgate::nats::NatsAuth;

// Recorded from nats-server 2.9.10 (`nats-server -t -c a.conf`, and a start with `-p -1` when -t
// accepted the file): the config text and what the server printed after `nats-server: `.
// `STARTUP ` marks a refusal at start-up that -t does not make; `ok` a config it runs.
const RECORDED: &[(&str, &str)] = &[
    ("port: 4222", "ok"),
    ("authorization { user: a, password: b, token: c }", "a.conf:1:0: Cannot have a user/pass and token"),
    ("a = 1kbb", "ok"),
    ("a = 1t", "a.conf:1:0: unknown field \"a\""),
    ("a = 1ki", "a.conf:1:0: unknown field \"a\""),
    ("x = $PASS", "variable reference for 'PASS' on line 1 can not be found"),
    ("port = 1k\n", "ok"),
    ("port: \"abc", "Parse error on line 1: 'Unexpected EOF.'"),
    ("a { b", "Parse error on line 1: 'Unexpected EOF processing map key.'"),
    ("a = {", "Parse error on line 1: 'Unexpected EOF processing map.'"),
    ("a = {\n", "Parse error on line 2: 'Unexpected EOF processing map.'"),
    ("a = { x: 1\n", "Parse error on line 2: 'Unexpected EOF processing map.'"),
    ("a = { x: 1", "Parse error on line 1: 'Expected a map value terminator \",\" or a map terminator \"}\", but got '\0' instead.'"),
    ("a { 'b", "Parse error on line 1: 'Unexpected EOF processing quoted map key.'"),
    ("a = 1.5x", "Parse error on line 1: 'Expected a top-level value to end with a new line, comment or EOF, but got 'x' instead.'"),
    ("a { ] }", "Parse error on line 1: 'Unexpected array end ']' processing map.'"),
    ("a = 99999999999999999999", "integer '99999999999999999999' is out of the range"),
    ("a = 1.5e3", "Parse error on line 1: 'Expected a top-level value to end with a new line, comment or EOF, but got 'e' instead.'"),
    ("a = \"\\q\"", "Parse error on line 1: 'Invalid escape character 'q'. Only the following escape characters are allowed: \\xXX, \\t, \\n, \\r, \\\", \\\\.'"),
    ("a = \"\\x4", "Parse error on line 1: 'Expected two hexadecimal digits after '\\x', but got 'x4''"),
    ("a = \"\\xzz\"", "Parse error on line 1: 'Expected two hexadecimal digits after '\\x', but got 'zz''"),
    ("a = yesno", "a.conf:1:0: unknown field \"a\""),
    ("a = 2020-13-01T00:00:00Z", "expected Zulu formatted DateTime, but got '2020-13-01T00:00:00Z'"),
    ("a = 2020-01-01", "Parse error on line 1: 'Expected 'T' in ISO8601 datetime, but found '\0' instead.'"),
    ("{ a = 1 }", "a.conf:1:2: unknown field \"a\""),
    ("a = 1 }\nb = 2", "a.conf:1:0: unknown field \"a\"\na.conf:2:1: unknown field \"b\""),
    ("a = .5", "Parse error on line 1: 'Floats must start with a digit'"),
    ("a = -x", "Parse error on line 1: 'Expected a digit but got 'x'.'"),
    ("a\n= 1", "a.conf:1:0: unknown field \"a\""),
    ("a = [1, 2]", "Parse error on line 1: 'Expected an array value terminator \",\" or an array terminator \"]\", but got '\0' instead.'"),
    ("a: 3Gyz", "a.conf:1:0: unknown field \"a\""),
    ("a = ab'cd", "Parse error on line 1: 'Expected a top-level value to end with a new line, comment or EOF, but got 'c' instead.'"),
    ("a = 1 \r b", "a.conf:1:0: unknown field \"a\""),
    ("a = 1; b = 2", "a.conf:1:0: unknown field \"a\"\na.conf:1:7: unknown field \"b\""),
    ("a = 1, b = 2", "a.conf:1:0: unknown field \"a\"\na.conf:1:7: unknown field \"b\""),
    ("a = (\nx\n)", "a.conf:1:0: unknown field \"a\""),
    ("a = (x)", "Parse error on line 1: 'Unexpected EOF processing block.'"),
    ("include \"nope.conf\"", "error parsing include file 'nope.conf', open nope.conf: no such file or directory"),
    ("a { include = x }", "error parsing include file '=', open =: no such file or directory"),
    ("x = 1\na { b = $x }", "a.conf:2:1: unknown field \"a\""),
    ("\"a", "Parse error on line 1: 'Unexpected EOF.'"),
    ("'a", "Parse error on line 1: 'Unexpected EOF.'"),
    ("a { \"b", "Parse error on line 1: 'Unexpected EOF processing double quoted map key.'"),
    ("a = \"b", "Parse error on line 1: 'Unexpected EOF.'"),
    ("a = 'b", "Parse error on line 1: 'Unexpected EOF.'"),
    ("a { b = 1", "Parse error on line 1: 'Expected a map value terminator \",\" or a map terminator \"}\", but got '\0' instead.'"),
    ("a = [1", "Parse error on line 1: 'Expected an array value terminator \",\" or an array terminator \"]\", but got '\0' instead.'"),
    ("a = [1,", "Parse error on line 1: 'Expected an array value terminator \",\" or an array terminator \"]\", but got '\0' instead.'"),
    ("a", "ok"),
    ("a = 1kb", "a.conf:1:0: unknown field \"a\""),
    ("a = 1z", "a.conf:1:0: unknown field \"a\""),
    ("a = 9223372036854775807k", "a.conf:1:0: unknown field \"a\""),
    ("a = 1.", "Parse error on line 1: 'Floats must have a digit after the '.', but got '\0' instead.'"),
    ("a = 1.2.3", "a.conf:1:0: unknown field \"a\""),
    ("a = 1.2.3abc", "Parse error on line 1: 'Expected a top-level value to end with a new line, comment or EOF, but got 'a' instead.'"),
    ("a = 12345-", "Parse error on line 1: 'All ISO8601 dates must be in full Zulu form.'"),
    ("a = 1234-5", "Parse error on line 1: 'Expected digit in ISO8601 datetime, but found '\0' instead.'"),
    ("a = 2020-01-01T00:00:00Z", "a.conf:1:0: unknown field \"a\""),
    ("a = tRuE", "a.conf:1:0: unknown field \"a\""),
    ("a = $2a$11$abc", "a.conf:1:0: unknown field \"a\""),
    ("a = $2b$11$abc", "variable reference for '2b$11$abc' on line 1 can not be found"),
    ("a = \"x\ny\"", "a.conf:1:0: unknown field \"a\""),
    ("a = x#y", "a.conf:1:0: unknown field \"a\""),
    ("a = 1 # c", "a.conf:1:0: unknown field \"a\""),
    ("a = 1 // c", "a.conf:1:0: unknown field \"a\""),
    ("a = 1 / c", "Parse error on line 1: 'Expected a top-level value to end with a new line, comment or EOF, but got 'c' instead.'"),
    ("a { b: 1 c: 2 }", "Parse error on line 1: 'Expected a map value terminator \",\" or a map terminator \"}\", but got 'c' instead.'"),
    ("a { b: 1, c: 2 }", "a.conf:1:0: unknown field \"a\""),
    ("a { , b: 1 }", "Parse error on line 1: 'Expected a map value terminator \",\" or a map terminator \"}\", but got '1' instead.'"),
    ("a { b: , c: 1 }", "Parse error on line 1: 'Unexpected map value terminator \",\".'"),
    ("a = [ , 1]", "Parse error on line 1: 'Unexpected array value terminator ','.'"),
    ("a = [1 2]", "Parse error on line 1: 'Expected an array value terminator \",\" or an array terminator \"]\", but got '2' instead.'"),
    ("a = [1\n2]", "Parse error on line 2: 'Expected an array value terminator \",\" or an array terminator \"]\", but got '\0' instead.'"),
    ("a{b=1}", "a.conf:1:0: unknown field \"a{b\""),
    ("=a", "Parse error on line 1: 'Unexpected key separator '=''"),
    ("a = { b = [ { c = 1 } ] }", "a.conf:1:0: unknown field \"a\""),
    ("a = 'x\\ty'", "a.conf:1:0: unknown field \"a\""),
    ("a = x\\ty", "a.conf:1:0: unknown field \"a\""),
    ("a = x\\qy", "Parse error on line 1: 'Invalid escape character 'q'. Only the following escape characters are allowed: \\xXX, \\t, \\n, \\r, \\\", \\\\.'"),
    ("a:\"x\"y", "Parse error on line 1: 'Expected a top-level value to end with a new line, comment or EOF, but got 'y' instead.'"),
    ("a { b ", "Parse error on line 1: 'Expected a map value terminator \",\" or a map terminator \"}\", but got '\0' instead.'"),
    ("a = ", "a.conf:1:0: unknown field \"a\""),
    ("a { b = ", "Parse error on line 1: 'Expected a map value terminator \",\" or a map terminator \"}\", but got '\0' instead.'"),
    ("a = [", "Parse error on line 1: 'Expected an array value terminator \",\" or an array terminator \"]\", but got '\0' instead.'"),
    ("a = [ ", "Parse error on line 1: 'Expected an array value terminator \",\" or an array terminator \"]\", but got '\0' instead.'"),
    ("a { b = 1 ", "Parse error on line 1: 'Expected a map value terminator \",\" or a map terminator \"}\", but got '\0' instead.'"),
    ("a=1 b", "Parse error on line 1: 'Expected a top-level value to end with a new line, comment or EOF, but got 'b' instead.'"),
    ("include", "ok"),
    ("include ", "error parsing include file '', read .: is a directory"),
    ("a { include ", "error parsing include file '', read .: is a directory"),
    ("include x y", "error parsing include file 'x', open x: no such file or directory"),
    ("a = \"x\" ", "a.conf:1:0: unknown field \"a\""),
    ("a = x,", "a.conf:1:0: unknown field \"a\""),
    ("a = [x,]", "a.conf:1:0: unknown field \"a\""),
    ("a = [x y]", "Parse error on line 1: 'Expected an array value terminator \",\" or an array terminator \"]\", but got 'y' instead.'"),
    ("a = [x\n]", "a.conf:1:0: unknown field \"a\""),
    ("a = [x;]", "Parse error on line 1: 'Expected an array value terminator \",\" or an array terminator \"]\", but got ';' instead.'"),
    ("a = {b=x;c=y}", "a.conf:1:0: unknown field \"a\""),
    ("a = {b=x}c", "Parse error on line 1: 'Expected a top-level value to end with a new line, comment or EOF, but got 'c' instead.'"),
    ("a = 1;;", "a.conf:1:0: unknown field \"a\""),
    ("authorization { user: a, password: 12345 }", "a.conf:1:25: interface conversion: interface {} is int64, not string\na.conf:1:0: runtime error: invalid memory address or nil pointer dereference"),
    ("authorization { pasword: a, tiemout: 1 }\nx = 1", "a.conf:1:16: unknown field \"pasword\"\na.conf:1:28: unknown field \"tiemout\"\na.conf:2:1: unknown field \"x\""),
    ("ping_interval: 60", "a.conf:1:0: invalid use of field \"ping_interval\": ping_interval should be converted to a duration"),
    ("ping_interval: \"abc\"", "a.conf:1:0: error parsing ping_interval: time: invalid duration \"abc\""),
    ("max_payload: 3000000000", "a.conf:1:0: max_payload value is too big"),
    ("cluster { authorization { user: a, password: 1 } }", "a.conf:1:35: interface conversion: interface {} is int64, not string\na.conf:1:10: runtime error: invalid memory address or nil pointer dereference"),
    ("authorization { users: [ {user: a, password: b, permissions: { publish: { allow: 1 } } } ] }", "a.conf:1:74: Expected subject permissions to be a subject, or array of subjects, got int64"),
    ("authorization { users = [ a ] }", "a.conf:1:26: Expected user entry to be a map/struct, got a"),
    ("authorization { users = [ {password: x} ] }", "a.conf:1:27: User entry requires a user"),
    ("authorization { users = [ {user: a, permissions: foo} ] }", "a.conf:1:36: Expected permissions to be a map/struct, got foo"),
    ("authorization { token: (\nsecret\n)}", "Parse error on line 3: 'Unexpected EOF processing block.'"),
    ("listen: \"abc\"", "a.conf:1:0: could not parse address string \"abc\""),
    ("listen: 1.5", "a.conf:1:0: expected port or host:port, got float64"),
    ("port: \"x\"", "a.conf:1:0: interface conversion: interface {} is string, not int64"),
    ("tls { verify_and_map: \"yes\" }", "a.conf:1:6: error parsing tls config, expected 'verify_and_map' to be a boolean"),
    ("tls { bogus: 1 }", "a.conf:1:6: error parsing tls config, unknown field [\"bogus\"]"),
    ("tls { cert_file: \"x\" }", "a.conf:1:0: missing 'key_file' in TLS configuration"),
    ("tls { cert_file: \"x\", key_file: \"y\" }", "a.conf:1:0: error parsing X509 certificate/key pair: open x: no such file or directory"),
    ("system_account: 1", "a.conf:1:0: system account name must be a string"),
    ("websocket { authorization { user: 1 } }", "a.conf:1:28: interface conversion: interface {} is int64, not string\na.conf:1:12: runtime error: invalid memory address or nil pointer dereference"),
    ("accounts { A { users = [ {user: a, password: 1} ] } }", "a.conf:1:35: interface conversion: interface {} is int64, not string"),
    ("no_auth_user: carol", "STARTUP no_auth_user: \"carol\" present, but users are not defined"),
    ("no_auth_user: carol\nauthorization { users = [ {user: a, password: b} ] }", "STARTUP no_auth_user: \"carol\" not present as user in authorization block or account configuration"),
    ("websocket { port: -1 }", "STARTUP websocket requires TLS configuration"),
    ("websocket { port: -1, no_tls: true, no_auth_user: x }", "STARTUP no_auth_user: \"x\" present, but users are not defined"),
    ("mqtt { port: -1 }", "STARTUP mqtt requires server name to be explicitly set"),
    ("authorization { users = [ {user: a, password: b, clients: [in_process, foo]} ] }", "a.conf:1:49: invalid connection types [\"IN_PROCESS\" \"FOO\"]"),
    ("authorization { users = [ {user: a, password: b, permissions: {publish: \"foo..bar\"}} ] }", "subject \"foo..bar\" is not a valid subject"),
    ("authorization { users = [ {user: a, password: b, permissions: {publish: 42}} ] }", "Expected subject permissions to be a subject, or array of subjects, got int64"),
    ("authorization { users = [ {user: a, password: b, permissions: {publish: [1, 2 ]}} ] }", "a.conf:1:73: Subject in permissions array cannot be cast to string"),
    ("authorization { users = [ {user: a, password: b, permissions: {subscribe: [\"bar q1 extra\"]}} ] }", "subject \"bar q1 extra\" is not a valid subject"),
    ("authorization { users = [ {user: a, password: b, permissions: {subscribe: {allow: \"a..b\"}}} ] }", "a.conf:1:75: subject \"a..b\" is not a valid subject"),
    ("authorization { users = [ {user: a, password: b, permissions: {publish: {reject: x}}} ] }", "a.conf:1:73: Unknown field name \"reject\" parsing subject permissions, only 'allow' or 'deny' are permitted"),
    ("authorization { users = [ {user: a, password: b, permissions: {bogus: x}} ] }", "a.conf:1:63: Unknown field \"bogus\" parsing permissions"),
    ("authorization { users = [ {user: a, password: b, permissions: {allow_responses: \"str\"}} ] }", "a.conf:1:63: error parsing response permissions, expected a boolean or a map"),
    ("authorization { users = [ {user: a, password: b, permissions: {allow_responses: {expires: 10}}} ] }", "a.conf:1:81: error parsing expires, not a duration string"),
    ("authorization { users = [ {user: a, password: b, permissions: {allow_responses: {expires: \"x\"}}} ] }", "a.conf:1:81: error parsing expires: time: invalid duration \"x\""),
    ("authorization { users = [ {user: a, password: b, permissions: {allow_responses: {max: \"x\"}}} ] }", "a.conf:1:81: interface conversion: interface {} is string, not int64"),
    ("authorization { users = [ {user: a, password: b}, {user: a, password: c} ] }", "a.conf:1:0: Duplicate user \"a\" detected"),
    ("authorization { user: a, password: b }\naccounts { A { users = [ {user: x, password: y} ] } }", "a.conf:2:16: Can not have a single user/pass and accounts"),
    ("accounts [ A, A, $G ]", "variable reference for 'G' on line 1 can not be found"),
    ("accounts { $G { } }", "a.conf:1:11: \"$G\" is a Reserved Account"),
    ("accounts { A: 1 }", "a.conf:1:11: Expected map entries for accounts"),
    ("authorization { users = [ {nkey: UABC, password: x} ] }", "a.conf:1:39: Not a valid public nkey for a user"),
    ("accounts { A { imports = [ {stream: {account: Z, subject: x}} ] } }", "a.conf:1:0: \"Z\" account not defined for stream import"),
    ("accounts { A { exports = [ {service: x, accounts: [Z]} ] } }", "a.conf:1:0: \"Z\" account not defined for service export"),
    ("accounts { A { nkey: OABC } }", "a.conf:1:15: Not a valid public nkey for an account: \"OABC\""),
    ("accounts { A { bogus: 1 } }", "a.conf:1:15: unknown field \"bogus\""),
    ("authorization { token: a\n users = [ {user: x, password: y} ] }", "a.conf:1:0: Can not have a token and a users array"),
    ("authorization { user: a, password: b\n users = [ {user: x, password: y} ] }", "a.conf:1:0: Can not have a single user/pass and a users array"),
    ("gateway { authorization { users = [ {user: a, password: b} ] } }", "a.conf:1:10: Gateway authorization does not allow multiple users"),
    ("leafnodes { authorization { user: a, password: b, bogus: 1 } }", "a.conf:1:50: unknown field \"bogus\""),
    ("authorization { users = [ {user: a, password: b, permissions: {publish: \"foo q1\"}} ] }", "ok"),
    ("lame_duck_duration: \"10s\"", "a.conf:1:0: invalid lame_duck_duration of 10s, minimum is 30 seconds"),
    ("max_sub_tokens: 0", "a.conf:1:0: max_sub_tokens value can not be negative"),
    ("jetstream: maybe", "a.conf:1:0: Expected 'enabled' or 'disabled' for string value, got 'maybe'"),
    ("jetstream { max_mem: \"1X\" }", "a.conf:1:12: max_mem_store sizes defined as strings must end in K, M, G, T"),
    ("authorization { role = {publish: x}\n users = [ {user: a, password: b} ] }", "a.conf:1:16: unknown field \"role\""),
    ("authorization { role = {publish: x}\n users = [ {user: a, password: b, permissions: $role} ] }", "ok"),
    ("AUTHORIZATION { USER: a, PASSWORD: b }", "ok"),
    ("authorization { user: a, password: b }\nauthorization { token: c }", "ok"),
];

/// Every recorded config gives nats-server's verdict: `ok`, or the same error lines (as a
/// set: nats-server walks maps in random order).
#[test]
fn recorded_nats_server_verdicts() {
    let mut failures = Vec::new();
    for (text, expected) in RECORDED {
        let got = match NatsAuth::parse(text.as_bytes(), Some("a.conf"), None) {
            Ok(_) => "ok".to_string(),
            Err(e) => e.lines().join("\n"),
        };
        let expected = expected.strip_prefix("STARTUP ").unwrap_or(expected);
        let mut a: Vec<&str> = got.split('\n').collect();
        let mut b: Vec<&str> = expected.split('\n').collect();
        a.sort_unstable();
        b.sort_unstable();
        if a != b {
            failures.push(format!("{text:?}\n  nats-server: {expected:?}\n  authgate:    {got:?}"));
        }
    }
    assert!(failures.is_empty(), "{} mismatches:\n{}", failures.len(), failures.join("\n"));
}

fn value(text: &str, key: &str) -> Value {
    let m = conf::parse_bytes(text.as_bytes(), "t.conf", &DEFAULT_LIMITS).expect("parses");
    m.get(key.as_bytes()).unwrap_or_else(|| panic!("{key} in {text}")).value.clone()
}

fn int(text: &str) -> i64 {
    match value(text, "a") {
        Value::Integer(i) => i,
        other => panic!("{text}: {other:?}"),
    }
}

fn string(text: &str) -> Vec<u8> {
    match value(text, "a") {
        Value::String(s) => s,
        other => panic!("{text}: {other:?}"),
    }
}

#[test]
fn size_suffixes_are_powers_of_1000_or_1024() {
    assert_eq!(int("a = 1k"), 1000);
    assert_eq!(int("a = 4kb"), 4096);
    assert_eq!(int("a = 4KiB"), 4096);
    assert_eq!(int("a = 64MiB"), 67_108_864);
    assert_eq!(int("a = 1m"), 1_000_000, "no duration literals: m is mega");
    assert_eq!(int("a = 2g"), 2_000_000_000);
    assert_eq!(int("a = 1t"), 1_000_000_000_000);
    assert_eq!(int("a = 1pb"), 1 << 50);
    assert_eq!(int("a = 1e"), 1_000_000_000_000_000_000);
    assert_eq!(int("a = -5"), -5);
    assert_eq!(int("a = [1k ]".replace("a = [1k ]", "a = 1k ").as_str()), 1000);
}

#[test]
fn number_lookalikes_are_strings() {
    assert_eq!(string("a = 127.0.0.1:4222"), b"127.0.0.1:4222");
    assert_eq!(string("a = 123abc"), b"123abc");
    assert_eq!(string("a = 3Gyz"), b"3Gyz");
    match value("a = [1k]", "a") {
        Value::Array(v) => assert!(matches!(&v[0].value, Value::String(s) if s == b"1k")),
        other => panic!("{other:?}"),
    }
    match value("a = [1k ]", "a") {
        Value::Array(v) => assert!(matches!(v[0].value, Value::Integer(1000))),
        other => panic!("{other:?}"),
    }
}

#[test]
fn booleans_in_every_spelling() {
    for (w, b) in [("true", true), ("YES", true), ("On", true), ("false", false), ("no", false), ("OFF", false)] {
        assert!(matches!(value(&format!("a = {w}"), "a"), Value::Bool(x) if x == b), "{w}");
    }
    assert!(matches!(value("a = \"yes\"", "a"), Value::String(_)), "quoted words stay strings");
}

#[test]
fn strings_escapes_and_comments() {
    assert_eq!(string("a = \"x\\ty\\x41\""), b"x\tyA");
    assert_eq!(string("a = 'x\\ty'"), b"x\\ty", "no escapes in single quotes");
    assert_eq!(string("a = x\\ty"), b"x\ty", "escapes in unquoted strings");
    assert_eq!(string("a = ab#cd"), b"ab#cd", "# inside an unquoted string");
    assert_eq!(string("a = ab//cd // comment"), b"ab//cd");
    assert_eq!(string("a = \"$SYS.>\""), b"$SYS.>", "no interpolation in quotes");
    assert_eq!(string("a = $2a$11$abc"), b"$2a$11$abc", "the unquoted bcrypt special case");
    assert_eq!(string("a = \"\\xff\""), vec![0xff], "strings are bytes");
}

#[test]
fn block_strings_keep_their_edge_newlines() {
    assert_eq!(string("a = (\nsecret\n)\n"), b"\nsecret\n");
    // Without a newline after the closing paren nats-server keeps the paren (its lexer backs
    // up over an end of input of width 0).
    assert_eq!(string("a = (\nsecret\n)"), b"\nsecret\n)");
    assert_eq!(string("a = (\nx ) y\n)\n"), b"\nx ) y\n");
}

#[test]
fn variables_are_block_scoped_and_fall_back_to_the_environment() {
    let text = "x = 1\nm { x = 2, inner { a = $x } }\nb = $x\n";
    let m = conf::parse_bytes(text.as_bytes(), "t.conf", &DEFAULT_LIMITS).unwrap();
    assert!(matches!(m[b"b".as_slice()].value, Value::Integer(1)));
    let Value::Map(mm) = &m[b"m".as_slice()].value else { panic!() };
    let Value::Map(inner) = &mm[b"inner".as_slice()].value else { panic!() };
    assert!(matches!(inner[b"a".as_slice()].value, Value::Integer(2)), "innermost map first");
    assert!(m[b"x".as_slice()].is_used_variable());
    // Arrays are skipped in the scope chain; a forward reference fails.
    let e = conf::parse_bytes(b"a = $later\nlater = 1", "t.conf", &DEFAULT_LIMITS).unwrap_err();
    assert_eq!(e.message(), "variable reference for 'later' on line 1 can not be found");
    std::env::set_var("AUTHGATE_TEST_ENV_PERMS", "{publish: \"x\"}");
    std::env::set_var("AUTHGATE_TEST_ENV_INT", "12345");
    std::env::set_var("AUTHGATE_TEST_ENV_BAD", "a b");
    assert!(matches!(value("a = $AUTHGATE_TEST_ENV_PERMS", "a"), Value::Map(_)), "env values are re-parsed");
    assert!(matches!(value("a = $AUTHGATE_TEST_ENV_INT", "a"), Value::Integer(12345)));
    let e = conf::parse_bytes(b"a = $AUTHGATE_TEST_ENV_BAD", "t.conf", &DEFAULT_LIMITS).unwrap_err();
    assert_eq!(
        e.message(),
        "variable reference for 'AUTHGATE_TEST_ENV_BAD' on line 1 could not be parsed: Parse error on line 1: \
         'Expected a top-level value to end with a new line, comment or EOF, but got 'b' instead.'"
    );
    std::env::set_var("AUTHGATE_TEST_ENV_LOOP", "$AUTHGATE_TEST_ENV_LOOP");
    let e = conf::parse_bytes(b"a = $AUTHGATE_TEST_ENV_LOOP", "t.conf", &DEFAULT_LIMITS).unwrap_err();
    assert!(e.message().contains("variable reference cycle for 'AUTHGATE_TEST_ENV_LOOP'"), "{}", e.message());
}

#[test]
fn include_is_relative_to_the_including_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    std::fs::write(dir.path().join("sub/users.conf"), "PASS = \"s3cret\"\nusers = [ {user: a, password: $PASS} ]\n").unwrap();
    std::fs::write(dir.path().join("main.conf"), "authorization {\n  include 'sub/users.conf'\n}\n").unwrap();
    let main = dir.path().join("main.conf");
    let auth = NatsAuth::from_file(main.to_str().unwrap()).expect("valid");
    let users = auth.options().users.as_ref().unwrap();
    assert_eq!(users[0].password, b"s3cret");
    // An error inside the included file is reported with its name and position.
    std::fs::write(dir.path().join("sub/users.conf"), "users = [ {user: a, pasword: x} ]\n").unwrap();
    let e = NatsAuth::from_file(main.to_str().unwrap()).unwrap_err();
    let want = format!("{}: unknown field \"pasword\"", dir.path().join("sub/users.conf:1:20").display());
    assert_eq!(e.lines(), vec![want]);
}

#[test]
fn bounded_size_depth_and_includes() {
    let limits = Limits { max_bytes: 100, ..DEFAULT_LIMITS };
    let e = conf::parse_bytes(&vec![b'#'; 101], "t.conf", &limits).unwrap_err();
    assert!(e.message().contains("larger than the limit of 100 bytes"));
    let deep = format!("a = {}{}", "[".repeat(10_000), "]".repeat(10_000));
    let e = conf::parse_bytes(deep.as_bytes(), "t.conf", &DEFAULT_LIMITS).unwrap_err();
    assert!(e.message().contains("deeper than the limit of 128"), "{}", e.message());
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("self.conf"), "include self.conf\n").unwrap();
    let e = conf::parse_file(dir.path().join("self.conf").to_str().unwrap(), &DEFAULT_LIMITS).unwrap_err();
    assert!(e.message().contains("includes nest deeper than the limit of 16"), "{}", e.message());
}

#[test]
fn positions_are_those_of_keys() {
    // 0-based on line 1, 1-based after a newline (measured from the newline).
    let m = conf::parse_bytes(b"a = 1\n  b = 2\n", "p.conf", &DEFAULT_LIMITS).unwrap();
    let pa = m[b"a".as_slice()].position.clone().unwrap();
    let pb = m[b"b".as_slice()].position.clone().unwrap();
    assert_eq!((pa.line, pa.pos), (1, 0));
    assert_eq!((pb.line, pb.pos), (2, 3));
    assert_eq!(pb.to_string(), "p.conf:2:3");
}
