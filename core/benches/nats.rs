//! NATS permission checks: a subject against a user's 50 publish/subscribe rules (issue 11's
//! target: under 200 ns), and a config parse.
//!
//! Under load, wall-clock figures drift; instruction counts do not. With
//! `AUTHGATE_NATS_COUNT=CASE:N` the binary skips criterion and runs check CASE N times in a
//! plain loop, so `valgrind --tool=callgrind` of N=100000 minus N=0, divided by 100000, is
//! the instructions one check costs (scripts/bench_nats.py does this).
//!
//! With `AUTHGATE_NATS_LOGIN=FILE:USER:PASSWORD:N` it reads the nats-server config FILE and
//! prints the median and mean wall-clock nanoseconds of N `NatsAuth::authenticate` calls with
//! those credentials (the login verdict scripts/bench_nats.py compares with nats-server's).

use authgate::nats::{Connect, Identity, NatsAuth};
use criterion::{black_box, criterion_group, Criterion};

fn fifty_rules() -> String {
    let mut allow = Vec::new();
    for i in 0..40 {
        allow.push(format!("\"svc{i}.*.events.>\""));
    }
    for i in 0..5 {
        allow.push(format!("\"orders.region{i}.*\""));
    }
    let deny: Vec<String> = (0..5).map(|i| format!("\"svc{i}.secret.>\"")).collect();
    format!(
        "authorization {{ users = [ {{user: u, password: p, permissions: {{ publish: {{ allow: [{a}], deny: [{d}] }}, subscribe: {{ allow: [{a}], deny: [{d}] }} }} }} ] }}",
        a = allow.join(", "),
        d = deny.join(", ")
    )
}

fn identity(conf: &str) -> Identity {
    let auth = NatsAuth::parse(conf.as_bytes(), Some("bench.conf"), None).expect("valid");
    auth.authenticate(&Connect { user: b"u".to_vec(), password: b"p".to_vec(), ..Default::default() })
        .expect("login")
}

/// More distinct subjects than any result cache holds, so every check walks the rules.
fn rotating_subjects() -> Vec<Vec<u8>> {
    (0..4096).map(|i| format!("svc{}.host{i}.events.created", i % 40).into_bytes()).collect()
}

type Check = fn(&Identity, &[u8]) -> bool;

/// The measured checks: name, subject, check.
const CASES: &[(&str, &[u8], Check)] = &[
    ("publish_allowed", b"svc37.host1.events.created", |id, s| id.can_publish(s)),
    ("publish_denied", b"svc3.secret.key", |id, s| id.can_publish(s)),
    ("publish_unmatched", b"billing.invoice.new", |id, s| id.can_publish(s)),
    ("subscribe_allowed", b"orders.region2.*", |id, s| id.can_subscribe(s, None)),
    ("subscribe_denied", b"svc3.secret.>", |id, s| id.can_subscribe(s, None)),
    ("receive_denied", b"svc3.secret.key", |id, s| id.can_receive(s)),
];

/// The instruction-count mode: `CASE:N` (CASE one of [`CASES`] or `publish_walk` /
/// `subscribe_walk`, which rotate through distinct subjects).
fn count_mode(spec: &str) {
    let (name, n) = spec.split_once(':').expect("AUTHGATE_NATS_COUNT=CASE:N");
    let n: usize = n.parse().expect("N is a number");
    let id = identity(&fifty_rules());
    let subjects = rotating_subjects();
    let mut allowed = 0usize;
    match name {
        "publish_walk" | "subscribe_walk" => {
            for i in 0..n {
                let s = &subjects[i % subjects.len()];
                let ok = if name == "publish_walk" { id.can_publish(black_box(s)) } else { id.can_subscribe(black_box(s), None) };
                allowed += usize::from(ok);
            }
        }
        _ => {
            let (_, subject, check) = CASES.iter().find(|c| c.0 == name).expect("a known case");
            for _ in 0..n {
                allowed += usize::from(check(&id, black_box(subject)));
            }
        }
    }
    println!("{name}: {n} checks, {allowed} allowed");
}

/// The login-timing mode: `FILE:USER:PASSWORD:N`.
fn login_mode(spec: &str) {
    let parts: Vec<&str> = spec.rsplitn(4, ':').collect();
    let [n, password, user, file] = parts[..] else { panic!("AUTHGATE_NATS_LOGIN=FILE:USER:PASSWORD:N") };
    let n: usize = n.parse().expect("N is a number");
    let auth = NatsAuth::from_file(file).expect("a valid config");
    let c = Connect { user: user.as_bytes().to_vec(), password: password.as_bytes().to_vec(), ..Default::default() };
    let mut times: Vec<u128> = Vec::with_capacity(n);
    let mut accepted = 0usize;
    for _ in 0..n {
        let start = std::time::Instant::now();
        let ok = auth.authenticate(black_box(&c)).is_ok();
        times.push(start.elapsed().as_nanos());
        accepted += usize::from(ok);
    }
    times.sort_unstable();
    let mean = times.iter().sum::<u128>() / n.max(1) as u128;
    println!("login {n} median_ns={} mean_ns={mean} accepted={accepted}", times[n / 2]);
}

fn bench(c: &mut Criterion) {
    let conf = fifty_rules();
    let id = identity(&conf);
    for (name, subject, check) in CASES {
        c.bench_function(&format!("nats_50_rules_{name}"), |b| b.iter(|| check(&id, black_box(subject))));
    }
    let subjects = rotating_subjects();
    let mut i = 0usize;
    c.bench_function("nats_50_rules_publish_walk", |b| {
        b.iter(|| {
            i = (i + 1) % subjects.len();
            id.can_publish(black_box(&subjects[i]))
        })
    });
    c.bench_function("nats_50_rules_subscribe_walk", |b| {
        b.iter(|| {
            i = (i + 1) % subjects.len();
            id.can_subscribe(black_box(&subjects[i]), None)
        })
    });
    c.bench_function("nats_parse_50_rule_config", |b| {
        b.iter(|| NatsAuth::parse(black_box(conf.as_bytes()), Some("bench.conf"), None).is_ok())
    });
}

criterion_group!(benches, bench);

fn main() {
    if let Ok(spec) = std::env::var("AUTHGATE_NATS_LOGIN") {
        login_mode(&spec);
        return;
    }
    if let Ok(spec) = std::env::var("AUTHGATE_NATS_COUNT") {
        count_mode(&spec);
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
