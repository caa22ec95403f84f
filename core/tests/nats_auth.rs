//! Logins and permissions against nats-server 2.9.10's verdicts (recorded below from a live
//! server), the seed's examples, nkeys, allow_responses, connection types and timeouts.

use std::time::{Duration, Instant};

use authgate::nats::{nkey, Connect, ConnectionType, NatsAuth, NatsError};
use authgate::ErrorKind;

struct Login {
    user: Option<&'static str>,
    password: Option<&'static str>,
    token: Option<&'static str>,
    pubs: &'static [&'static str],
    subs: &'static [&'static str],
}

// Recorded from nats-server 2.9.10 on loopback (raw CONNECT, then PUB/SUB each followed by
// PING: an -ERR is a denial): config, login, verdict lines.
const LIVE: &[(&str, Login, &[&str])] = &[
    ("authorization { user: derek\n password: T0pS3cr3t\n timeout: 1 }", Login { user: Some("derek"), password: Some("T0pS3cr3t"), token: None, pubs: &[], subs: &[] }, &["ok"]),
    ("authorization { user: derek\n password: T0pS3cr3t\n timeout: 1 }", Login { user: Some("derek"), password: Some("x"), token: None, pubs: &[], subs: &[] }, &["Authorization Violation"]),
    ("authorization { user: derek\n password: T0pS3cr3t\n timeout: 1 }", Login { user: Some("Derek"), password: Some("T0pS3cr3t"), token: None, pubs: &[], subs: &[] }, &["Authorization Violation"]),
    ("authorization { user: derek\n password: T0pS3cr3t\n timeout: 1 }", Login { user: None, password: None, token: None, pubs: &[], subs: &[] }, &["Authorization Violation"]),
    ("authorization { user: derek\n password: T0pS3cr3t\n timeout: 1 }", Login { user: None, password: None, token: Some("T0pS3cr3t"), pubs: &[], subs: &[] }, &["Authorization Violation"]),
    ("authorization { users = [ {user: alice, password: foo}\n {user: bob, password: bar}\n ] }", Login { user: Some("alice"), password: Some("foo"), token: None, pubs: &[], subs: &[] }, &["ok"]),
    ("authorization { users = [ {user: alice, password: foo}\n {user: bob, password: bar}\n ] }", Login { user: Some("bob"), password: Some("bar"), token: None, pubs: &[], subs: &[] }, &["ok"]),
    ("authorization { users = [ {user: alice, password: foo}\n {user: bob, password: bar}\n ] }", Login { user: Some("bob"), password: Some("foo"), token: None, pubs: &[], subs: &[] }, &["Authorization Violation"]),
    ("authorization { users = [ {user: alice, password: foo}\n {user: bob, password: bar}\n ] }", Login { user: None, password: None, token: Some("foo"), pubs: &[], subs: &[] }, &["Authorization Violation"]),
    ("authorization { users = [ {user: alice, password: foo}\n {user: bob, password: bar}\n ] }", Login { user: Some("carol"), password: Some("x"), token: None, pubs: &[], subs: &[] }, &["Authorization Violation"]),
    ("authorization { PASS: abcdefghijklmnopqrstuvwxyz0123456789\n users = [ {user: alice, password: foo}\n {user: bob, password: bar}\n {user: joe, password: $PASS}\n ] }", Login { user: Some("joe"), password: Some("abcdefghijklmnopqrstuvwxyz0123456789"), token: None, pubs: &[], subs: &[] }, &["ok"]),
    ("authorization { PASS: abcdefghijklmnopqrstuvwxyz0123456789\n users = [ {user: alice, password: foo}\n {user: bob, password: bar}\n {user: joe, password: $PASS}\n ] }", Login { user: Some("joe"), password: Some("$PASS"), token: None, pubs: &[], subs: &[] }, &["Authorization Violation"]),
    ("authorization { users = [ {user: a, password: \"$2b$04$BN1ZHKi/cevHjWzJMiaf.eapjFG881nvX93uraPuNdQrlB5rQM2cS\"}, {user: b, password: \"$2b$04$Qr27DiDnidL2FP/f7cOh1.ZaHvwb29KSjMML30skB53oeXRcEYh6G\"} ] }", Login { user: Some("a"), password: Some("secret"), token: None, pubs: &[], subs: &[] }, &["ok"]),
    ("authorization { users = [ {user: a, password: \"$2b$04$BN1ZHKi/cevHjWzJMiaf.eapjFG881nvX93uraPuNdQrlB5rQM2cS\"}, {user: b, password: \"$2b$04$Qr27DiDnidL2FP/f7cOh1.ZaHvwb29KSjMML30skB53oeXRcEYh6G\"} ] }", Login { user: Some("a"), password: Some("$2b$04$BN1ZHKi/cevHjWzJMiaf.eapjFG881nvX93uraPuNdQrlB5rQM2cS"), token: None, pubs: &[], subs: &[] }, &["Authorization Violation"]),
    ("authorization { users = [ {user: a, password: \"$2b$04$BN1ZHKi/cevHjWzJMiaf.eapjFG881nvX93uraPuNdQrlB5rQM2cS\"}, {user: b, password: \"$2b$04$Qr27DiDnidL2FP/f7cOh1.ZaHvwb29KSjMML30skB53oeXRcEYh6G\"} ] }", Login { user: Some("b"), password: Some("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"), token: None, pubs: &[], subs: &[] }, &["ok"]),
    ("authorization { users = [ {user: a, password: \"$2b$04$BN1ZHKi/cevHjWzJMiaf.eapjFG881nvX93uraPuNdQrlB5rQM2cS\"}, {user: b, password: \"$2b$04$Qr27DiDnidL2FP/f7cOh1.ZaHvwb29KSjMML30skB53oeXRcEYh6G\"} ] }", Login { user: Some("b"), password: Some("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"), token: None, pubs: &[], subs: &[] }, &["Authorization Violation"]),
    ("authorization { token: \"s3cr3t\" }", Login { user: None, password: None, token: Some("s3cr3t"), pubs: &[], subs: &[] }, &["ok"]),
    ("authorization { token: \"s3cr3t\" }", Login { user: None, password: None, token: Some("nope"), pubs: &[], subs: &[] }, &["Authorization Violation"]),
    ("authorization { token: \"s3cr3t\" }", Login { user: Some("s3cr3t"), password: None, token: None, pubs: &[], subs: &[] }, &["Authorization Violation"]),
    ("authorization { token: \"s3cr3t\" }", Login { user: None, password: None, token: None, pubs: &[], subs: &[] }, &["Authorization Violation"]),
    ("authorization { users = [] }", Login { user: None, password: None, token: None, pubs: &[], subs: &[] }, &["ok"]),
    ("authorization { users = [] }", Login { user: Some("x"), password: Some("y"), token: None, pubs: &[], subs: &[] }, &["ok"]),
    ("authorization { user: a, password: \"$2a$notreallyahash\" }", Login { user: Some("a"), password: Some("$2a$notreallyahash"), token: None, pubs: &[], subs: &[] }, &["ok"]),
    ("authorization { users = [ {user: a, password: b} ] }\nno_auth_user: a", Login { user: None, password: None, token: None, pubs: &[], subs: &[] }, &["ok"]),
    ("authorization { users = [ {user: a, password: b} ] }\nno_auth_user: a", Login { user: None, password: Some("zzz"), token: None, pubs: &[], subs: &[] }, &["Authorization Violation"]),
    ("authorization { users = [ {user: a, password: b} ] }\nno_auth_user: a", Login { user: None, password: None, token: Some("zzz"), pubs: &[], subs: &[] }, &["Authorization Violation"]),
    ("authorization { users = [ {user: a, password: b} ] }\nno_auth_user: a", Login { user: Some("a"), password: Some("c"), token: None, pubs: &[], subs: &[] }, &["Authorization Violation"]),
    ("authorization { default_permissions { publish: \"pub.>\", subscribe: [\"sub.*\", \"q.* workers\"] }\n users = [ {user: a, password: b}, {user: c, password: d, permissions: { publish: { allow: \"foo.*\", deny: \"foo.secret\" }, subscribe: { deny: [\"w.*\", \"q.x grp2\"] } } } ] }", Login { user: Some("a"), password: Some("b"), token: None, pubs: &["pub.x", "pub", "other", "pub.a.b"], subs: &["sub.x", "sub.*", "sub.>", "sub", ">", "q.x", "q.x workers", "q.x grp3", "q.y w2"] }, &["ok", "pub pub.x allow", "pub pub deny", "pub other deny", "pub pub.a.b allow", "sub sub.x allow", "sub sub.* allow", "sub sub.> allow", "sub sub deny", "sub > deny", "sub q.x deny", "sub q.x workers allow", "sub q.x grp3 deny", "sub q.y w2 deny"]),
    ("authorization { default_permissions { publish: \"pub.>\", subscribe: [\"sub.*\", \"q.* workers\"] }\n users = [ {user: a, password: b}, {user: c, password: d, permissions: { publish: { allow: \"foo.*\", deny: \"foo.secret\" }, subscribe: { deny: [\"w.*\", \"q.x grp2\"] } } } ] }", Login { user: Some("c"), password: Some("d"), token: None, pubs: &["foo.a", "foo.secret", "foo", "bar"], subs: &["w.a", "w.*", "w.>", ">", "q.x", "q.x grp2", "q.x grp3", "foo..bar"] }, &["ok", "pub foo.a allow", "pub foo.secret deny", "pub foo deny", "pub bar deny", "sub w.a deny", "sub w.* deny", "sub w.> deny", "sub > allow", "sub q.x allow", "sub q.x grp2 deny", "sub q.x grp3 allow", "sub foo..bar deny"]),
    ("authorization { users = [ {user: a, password: b, permissions: { subscribe: { allow: [\">\", \"q.* workers\"], deny: [\"d.x\", \"d.x g1\"] } } } ] }", Login { user: Some("a"), password: Some("b"), token: None, pubs: &[], subs: &["q.x grp3", "q.x", "q.x workers", "d.x", "d.x g1", "d.x g2", "d.y g1"] }, &["ok", "sub q.x grp3 deny", "sub q.x allow", "sub q.x workers allow", "sub d.x deny", "sub d.x g1 deny", "sub d.x g2 allow", "sub d.y g1 allow"]),
    ("accounts { A { users = [ {user: a, password: a} ] }\n B { users = [ {user: b, password: b, permissions: {publish: [], subscribe: {}}} ] } }", Login { user: Some("a"), password: Some("a"), token: None, pubs: &[], subs: &[] }, &["ok"]),
    ("accounts { A { users = [ {user: a, password: a} ] }\n B { users = [ {user: b, password: b, permissions: {publish: [], subscribe: {}}} ] } }", Login { user: Some("b"), password: Some("b"), token: None, pubs: &["x"], subs: &["y"] }, &["ok", "pub x allow", "sub y allow"]),
    ("authorization { users = [ {user: r, password: r, permissions: { allow_responses: true } } ] }", Login { user: Some("r"), password: Some("r"), token: None, pubs: &["x", "_INBOX.a"], subs: &["x"] }, &["ok", "pub x deny", "pub _INBOX.a deny", "sub x allow"]),
    ("authorization { user: u, password: p, permissions: {publish: \"only.this\"} }", Login { user: Some("u"), password: Some("p"), token: None, pubs: &["any.thing"], subs: &[] }, &["ok", "pub any.thing allow"]),
];

fn verdict(auth: &NatsAuth, l: &Login) -> Vec<String> {
    let c = Connect {
        user: l.user.unwrap_or("").as_bytes().to_vec(),
        password: l.password.unwrap_or("").as_bytes().to_vec(),
        token: l.token.unwrap_or("").as_bytes().to_vec(),
        ..Default::default()
    };
    let id = match auth.authenticate(&c) {
        Ok(id) => id,
        Err(e) => return e.lines(),
    };
    let mut out = vec!["ok".to_string()];
    // Every check twice: the second answer comes from the verdict cache and must agree.
    for p in l.pubs {
        let first = id.can_publish(p.as_bytes());
        assert_eq!(id.can_publish(p.as_bytes()), first, "cached publish verdict of {p}");
        out.push(format!("pub {p} {}", if first { "allow" } else { "deny" }));
    }
    for s in l.subs {
        let (subj, q) = match s.split_once(' ') {
            Some((a, b)) => (a, Some(b.as_bytes())),
            None => (*s, None),
        };
        let first = id.can_subscribe(subj.as_bytes(), q);
        assert_eq!(id.can_subscribe(subj.as_bytes(), q), first, "cached subscribe verdict of {s}");
        out.push(format!("sub {s} {}", if first { "allow" } else { "deny" }));
    }
    out
}

#[test]
fn live_nats_server_verdicts() {
    let mut failures = Vec::new();
    for (conf, login, expected) in LIVE {
        let auth = NatsAuth::parse(conf.as_bytes(), Some("a.conf"), None).expect("the server ran this config");
        let got = verdict(&auth, login);
        if got != *expected {
            failures.push(format!("{conf:?}\n  nats-server: {expected:?}\n  authgate:    {got:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn login(auth: &NatsAuth, user: &str, pass: &str) -> Result<authgate::nats::Identity, NatsError> {
    auth.authenticate(&Connect { user: user.into(), password: pass.into(), ..Default::default() })
}

fn parse(text: &str) -> NatsAuth {
    NatsAuth::parse(text.as_bytes(), Some("seed.conf"), None).unwrap_or_else(|e| panic!("{text}: {e}"))
}

// The NATS seed's examples, as its documentation writes them.

#[test]
fn seed_command_line_single_user_and_token() {
    let auth = NatsAuth::single_user(b"foo", b"bar");
    assert_eq!(login(&auth, "foo", "bar").unwrap().user(), b"foo");
    assert!(login(&auth, "foo", "baz").is_err());
    assert!(login(&auth, "bar", "bar").is_err());
    let auth = NatsAuth::token(b"S3Cr3T0k3n!");
    let ok = auth.authenticate(&Connect { token: b"S3Cr3T0k3n!".to_vec(), ..Default::default() }).unwrap();
    assert_eq!((ok.user(), ok.account()), (b"".as_slice(), b"$G".as_slice()));
    assert!(auth.authenticate(&Connect::default()).is_err());
}

#[test]
fn seed_single_user_config_and_timeout() {
    let auth = parse("authorization {\n  user: derek\n  password: T0pS3cr3t\n  timeout: 1\n}\n");
    assert!(login(&auth, "derek", "T0pS3cr3t").is_ok());
    assert!(login(&auth, "derek", "t0ps3cr3t").is_err());
    assert_eq!(auth.auth_timeout(), 1.0);
}

#[test]
fn seed_cluster_route_authorization() {
    let auth = parse("cluster {\n  authorization {\n    user: route_user\n    password: T0pS3cr3tT00!\n    timeout: 0.5\n  }\n}\n");
    // Route credentials do not make client auth required.
    assert!(!auth.auth_required());
    assert!(auth.authenticate(&Connect::default()).is_ok());
    let e = NatsAuth::parse(b"cluster { authorization { token: x } }", Some("c.conf"), None).unwrap_err();
    assert_eq!(e.lines(), vec!["c.conf:1:10: Cluster authorization does not support tokens"]);
}

#[test]
fn seed_multi_user_and_variables() {
    let auth = parse("authorization {\n  users = [\n    {user: alice, password: foo}\n    {user: bob, password: bar}\n  ]\n}\n");
    assert!(login(&auth, "alice", "foo").is_ok());
    assert!(login(&auth, "bob", "bar").is_ok());
    assert!(login(&auth, "alice", "bar").is_err());
    let auth = parse(
        "authorization {\n  PASS: abcdefghijklmnopqrstuvwxyz0123456789\n  users = [\n    {user: alice, password: foo}\n    \
         {user: bob, password: bar}\n    {user: joe, password: $PASS}\n  ]\n}\n",
    );
    assert!(login(&auth, "joe", "abcdefghijklmnopqrstuvwxyz0123456789").is_ok());
}

#[test]
fn seed_mkpasswd_hash() {
    // The seed's `mkpasswd -p` output for the password "password" (cost 11), unquoted: the
    // `$2a$` special case keeps it literal.
    let auth = parse(
        "authorization {\n  users = [\n    {user: derek, password: $2a$11$1oJy/wZYNTxr9jNwMNwS3eUGhBpHT3On8CL9o7ey89mpgo88VG6ba}\n  ]\n}\n",
    );
    assert!(login(&auth, "derek", "password").is_ok());
    assert!(login(&auth, "derek", "$2a$11$1oJy/wZYNTxr9jNwMNwS3eUGhBpHT3On8CL9o7ey89mpgo88VG6ba").is_err());
}

#[test]
fn seed_connection_strings() {
    let c = Connect::from_url("nats://foo:bar@localhost:4222");
    assert_eq!((c.user.as_slice(), c.password.as_slice()), (b"foo".as_slice(), b"bar".as_slice()));
    let c = Connect::from_url("nats://S3Cr3T0k3n!@localhost:4222");
    assert_eq!(c.token, b"S3Cr3T0k3n!");
    assert!(NatsAuth::token(b"S3Cr3T0k3n!").authenticate(&c).is_ok());
    // No percent-decoding, as nats clients send it.
    assert_eq!(Connect::from_url("nats://u:p%40ss@h:1").password, b"p%40ss");
}

#[test]
fn bcrypt_variants_and_72_bytes() {
    for prefix in ["$2a$", "$2b$", "$2x$", "$2y$"] {
        let h = authgate::nats::hash_password(b"s3cret", 4).unwrap().replacen("$2a$", prefix, 1);
        let auth = parse(&format!("authorization {{ users = [ {{user: u, password: \"{h}\"}} ] }}"));
        assert!(login(&auth, "u", "s3cret").is_ok(), "{prefix}");
        assert!(login(&auth, "u", "s3cres").is_err(), "{prefix}");
    }
    let h = authgate::nats::hash_password(&[b'x'; 72], 4).unwrap();
    let auth = parse(&format!("authorization {{ token: \"{h}\" }}"));
    let tok = |t: Vec<u8>| auth.authenticate(&Connect { token: t, ..Default::default() }).is_ok();
    assert!(tok(vec![b'x'; 80]), "the client value is cut to 72 bytes");
    assert!(!tok(vec![b'x'; 71]));
    // Not bcrypt for nats-server: a literal password.
    let auth = parse("authorization { user: a, password: \"$2a$notreallyahash\" }");
    assert!(login(&auth, "a", "$2a$notreallyahash").is_ok());
}

#[test]
fn nkey_users_sign_the_nonce() {
    let sk = ed25519_dalek::SigningKey::from_bytes(&[7u8; 32]);
    let public = nkey::encode_public_user_key(sk.verifying_key().as_bytes());
    assert!(nkey::is_valid_public_user_key(&public));
    let pk = String::from_utf8(public.clone()).unwrap();
    let auth = parse(&format!("authorization {{ users = [ {{nkey: {pk}, permissions: {{publish: \"a.>\"}}}} ] }}"));
    assert!(auth.needs_nonce());
    use base64::Engine;
    use ed25519_dalek::Signer;
    let nonce = b"OhMoqqzsmeEaHGc";
    let sig = sk.sign(nonce).to_bytes();
    let mut c = Connect { nkey: public.clone(), nonce: nonce.to_vec(), ..Default::default() };
    for encoded in [
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sig),
        base64::engine::general_purpose::STANDARD.encode(sig),
    ] {
        c.sig = encoded.into_bytes();
        let id = auth.authenticate(&c).expect("signed");
        assert_eq!(id.user(), public.as_slice());
        assert!(id.can_publish(b"a.b") && !id.can_publish(b"b"));
    }
    c.sig = Vec::new();
    assert!(auth.authenticate(&c).is_err(), "missing signature");
    c.sig = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sk.sign(b"other").to_bytes()).into_bytes();
    assert!(auth.authenticate(&c).is_err(), "signature of another nonce");
    let e = NatsAuth::parse(b"authorization { users = [ {nkey: UABC} ] }", Some("n.conf"), None).unwrap_err();
    assert_eq!(e.lines(), vec!["n.conf:1:27: Not a valid public nkey for a user"]);
}

#[test]
fn allow_responses_track_replies_within_max_and_expires() {
    let auth = parse(
        "authorization { users = [ {user: r, password: r, permissions: { subscribe: \"req\", allow_responses: { max: 2, expires: \"1s\" } } } ] }",
    );
    let id = login(&auth, "r", "r").unwrap();
    let t0 = Instant::now();
    assert!(!id.can_publish_at(b"_INBOX.1", t0), "publish is deny-all but responses");
    id.received_request_at(b"_INBOX.1", t0);
    assert!(id.can_publish_at(b"_INBOX.1", t0));
    assert!(id.can_publish_at(b"_INBOX.1", t0));
    assert!(!id.can_publish_at(b"_INBOX.1", t0), "max 2 responses");
    id.received_request_at(b"_INBOX.2", t0);
    assert!(!id.can_publish_at(b"_INBOX.2", t0 + Duration::from_millis(1500)), "expired after 1s");
    let auth = parse("authorization { users = [ {user: r, password: r, permissions: { allow_responses: true } } ] }");
    let p = auth.options().users.as_ref().unwrap()[0].permissions.clone().unwrap();
    assert_eq!(p.response, Some(authgate::nats::options::DEFAULT_RESPONSE_PERMISSION));
}

#[test]
fn receive_filter_and_queue_semantics() {
    let auth = parse("authorization { users = [ {user: a, password: a, permissions: { subscribe: { allow: \">\", deny: \"foo.secret\" } } } ] }");
    let id = login(&auth, "a", "a").unwrap();
    assert!(id.can_subscribe(b"foo.*", None), "a wider wildcard is accepted");
    assert!(!id.can_receive(b"foo.secret") && id.can_receive(b"foo.public"), "and filtered at delivery");
    let auth = parse("authorization { users = [ {user: a, password: a, permissions: { subscribe: [\"foo.*\"] } } ] }");
    let id = login(&auth, "a", "a").unwrap();
    assert!(id.can_subscribe(b"foo.>", None), "the sublist quirk: foo.* admits foo.>");
    assert!(!id.can_subscribe(b"foo", None) && !id.can_subscribe(b">", None));
}

#[test]
fn connection_types_and_timeouts() {
    let auth = parse("authorization { users = [ {user: w, password: w, allowed_connection_types: [websocket]} ] }");
    assert!(login(&auth, "w", "w").is_err(), "not allowed on the client port");
    let c = Connect { user: b"w".to_vec(), password: b"w".to_vec(), connection_type: ConnectionType::Websocket, ..Default::default() };
    assert!(auth.authenticate(&c).is_ok());
    assert_eq!(auth.auth_timeout(), 2.0);
    assert_eq!(parse("authorization { user: a, password: b, timeout: 1.5 }").auth_timeout(), 1.5);
    assert_eq!(parse("authorization { user: a, password: b, timeout: \"10s\" }").auth_timeout(), 1.0, "2.9.10: a string is 1 s");
}

#[test]
fn operator_mode_is_refused_and_errors_map_to_the_contract() {
    let e = NatsAuth::parse(b"operator: \"op.jwt\"", Some("o.conf"), None).unwrap_err();
    assert!(matches!(e, NatsError::OperatorMode(_)));
    assert!(e.to_string().contains("operator (JWT) mode is not supported"), "{e}");
    assert_eq!(authgate::Error::from(e).kind(), ErrorKind::Config);
    let auth = NatsAuth::single_user(b"a", b"b");
    let err = authgate::Error::from(login(&auth, "a", "c").unwrap_err());
    assert_eq!((err.kind(), err.message()), (ErrorKind::Auth, "Authorization Violation".to_string()));
}

/// nats-server 2.9.10 with `max_sub_tokens: 2`: `SUB a.b.c` gets
/// `-ERR 'Permissions Violation for Subscription to "a.b.c", too many tokens'`, `SUB a.b` is
/// accepted (observed on a live server). The identity from `authenticate` carries the limit.
#[test]
fn max_sub_tokens_applies_to_every_login() {
    let auth = parse("max_sub_tokens: 2\nauthorization { users = [{user: n, password: n}] }\n");
    let id = login(&auth, "n", "n").unwrap();
    assert!(!id.can_subscribe(b"a.b.c", None));
    assert!(id.can_subscribe(b"a.b", None));
    assert!(id.can_publish(b"a.b.c"), "the limit is for subscriptions only");
}
