//! Criterion benchmarks of the ACL hot paths (see BENCHMARKS.md for results).
//!
//! Run with `cargo bench -p authgate --bench acl`.

use authgate::acl::{table, Acl};
use criterion::{black_box, criterion_group, criterion_main, Criterion};

fn rules(s: &str) -> Vec<Vec<u8>> {
    s.split(' ').map(|r| r.as_bytes().to_vec()).collect()
}

fn bench_check(c: &mut Criterion) {
    let acl = Acl::new();
    acl.setuser(b"nokey", &rules("on nopass +@all ~foo:*")).unwrap();
    let ten: String = (0..10).map(|i| format!(" ~p{i}:*")).collect();
    acl.setuser(b"ten", &rules(&format!("on nopass +@all{ten}"))).unwrap();
    acl.setuser(b"three", &rules("on nopass (+get ~a:*) (+get ~b:*) (+get ~c:*)")).unwrap();
    acl.setuser(b"deny", &rules("on nopass +get ~allowed:*")).unwrap();

    let t = table();
    let ping: [&[u8]; 1] = [b"PING"];
    let ping_cmd = t.resolve(&ping).unwrap();
    let get: [&[u8]; 2] = [b"GET", b"p9:12345"];
    let get_cmd = t.resolve(&get).unwrap();
    let get_c: [&[u8]; 2] = [b"GET", b"c:12345"];
    let set_deny: [&[u8]; 3] = [b"SET", b"allowed:1", b"v"];
    let set_cmd = t.resolve(&set_deny).unwrap();

    let nokey = acl.user(b"nokey").unwrap();
    let ten_u = acl.user(b"ten").unwrap();
    let three = acl.user(b"three").unwrap();
    let deny = acl.user(b"deny").unwrap();

    let mut g = c.benchmark_group("check");
    g.bench_function("no_key_allowed (PING)", |b| {
        b.iter(|| nokey.check(black_box(ping_cmd), black_box(&ping)).is_ok())
    });
    g.bench_function("single_key_10_patterns (GET, last pattern)", |b| {
        b.iter(|| ten_u.check(black_box(get_cmd), black_box(&get)).is_ok())
    });
    g.bench_function("three_selectors_last_allows (GET)", |b| {
        b.iter(|| three.check(black_box(get_cmd), black_box(&get_c)).is_ok())
    });
    g.bench_function("denial (SET without +set)", |b| {
        b.iter(|| deny.check(black_box(set_cmd), black_box(&set_deny)).is_err())
    });
    g.bench_function("acl.check by name, resolve included (GET, 10 patterns)", |b| {
        b.iter(|| acl.check(black_box(b"ten"), black_box(&get)).is_ok())
    });
    g.finish();
}

fn bench_authenticate(c: &mut Criterion) {
    let acl = Acl::new();
    acl.setuser(b"one", &rules("on >pw0")).unwrap();
    acl.setuser(b"five", &rules("on >pw0 >pw1 >pw2 >pw3 >pw4")).unwrap();
    let mut g = c.benchmark_group("authenticate");
    g.bench_function("1 password", |b| b.iter(|| acl.authenticate(black_box(b"one"), black_box(b"pw0"))));
    g.bench_function("5 passwords (last matches)", |b| {
        b.iter(|| acl.authenticate(black_box(b"five"), black_box(b"pw4")))
    });
    g.finish();
}

criterion_group!(benches, bench_check, bench_authenticate);
criterion_main!(benches);
