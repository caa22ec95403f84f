//! NATS permission checks: a subject against a user's 50 publish/subscribe rules (issue 11's
//! target: under 200 ns), and a config parse.

use authgate::nats::{Connect, NatsAuth};
use criterion::{black_box, criterion_group, criterion_main, Criterion};

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

fn bench(c: &mut Criterion) {
    let conf = fifty_rules();
    let auth = NatsAuth::parse(conf.as_bytes(), Some("bench.conf"), None).expect("valid");
    let id = auth
        .authenticate(&Connect { user: b"u".to_vec(), password: b"p".to_vec(), ..Default::default() })
        .expect("login");
    c.bench_function("nats_can_publish_50_rules_allowed", |b| {
        b.iter(|| id.can_publish(black_box(b"svc37.host1.events.created")))
    });
    c.bench_function("nats_can_publish_50_rules_denied", |b| b.iter(|| id.can_publish(black_box(b"svc3.secret.key"))));
    c.bench_function("nats_can_publish_50_rules_unmatched", |b| b.iter(|| id.can_publish(black_box(b"billing.invoice.new"))));
    c.bench_function("nats_can_subscribe_50_rules", |b| {
        b.iter(|| id.can_subscribe(black_box(b"orders.region2.*"), None))
    });
    c.bench_function("nats_parse_50_rule_config", |b| {
        b.iter(|| NatsAuth::parse(black_box(conf.as_bytes()), Some("bench.conf"), None).is_ok())
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
