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

/// Issue 12: a GET whose key matches only the last of 1, 10 or 100 key patterns.
fn bench_check_patterns(c: &mut Criterion) {
    let acl = Acl::new();
    let get: [&[u8]; 2] = [b"GET", b"p0:12345"];
    let get_cmd = table().resolve(&get).unwrap();
    let mut g = c.benchmark_group("check_key_patterns");
    for n in [1usize, 10, 100] {
        let patterns: String = (0..n).map(|i| format!(" ~p{}:*", n - 1 - i)).collect();
        let name = format!("p{n}");
        acl.setuser(name.as_bytes(), &rules(&format!("on nopass +@all{patterns}"))).unwrap();
        let user = acl.user(name.as_bytes()).unwrap();
        g.bench_function(format!("{n} patterns (GET, last matches)"), |b| {
            b.iter(|| user.check(black_box(get_cmd), black_box(&get)).is_ok())
        });
    }
    g.finish();
}

/// Issue 12: a GET that only the last of 1, 4 or 16 selectors allows (the root allows nothing).
fn bench_check_selectors(c: &mut Criterion) {
    let acl = Acl::new();
    let mut g = c.benchmark_group("check_selectors");
    for n in [1usize, 4, 16] {
        let selectors: String = (0..n).map(|i| format!(" (+get ~s{i}:*)")).collect();
        let name = format!("s{n}");
        acl.setuser(name.as_bytes(), &rules(&format!("on nopass{selectors}"))).unwrap();
        let user = acl.user(name.as_bytes()).unwrap();
        let key = format!("s{}:1", n - 1);
        let get: [&[u8]; 2] = [b"GET", key.as_bytes()];
        let get_cmd = table().resolve(&get).unwrap();
        assert!(user.check(get_cmd, &get).is_ok());
        g.bench_function(format!("{n} selectors (GET, last allows)"), |b| {
            b.iter(|| user.check(black_box(get_cmd), black_box(&get)).is_ok())
        });
    }
    g.finish();
}

/// Issue 12: `Acl::authenticate` (user lookup + SHA-256 + constant-time compare) in an engine
/// with 1 user and with 100,000 users created with issue 12's rules.
fn bench_authenticate_users(c: &mut Criterion) {
    let mut g = c.benchmark_group("authenticate_users");
    for n in [1usize, 100_000] {
        let acl = Acl::new();
        for i in 0..n {
            let r = format!("on >pw{i} ~key{i}:* &chan{i} +get +set +@connection");
            acl.setuser(format!("user{i}").as_bytes(), &rules(&r)).unwrap();
        }
        let i = n / 2;
        let (user, pw) = (format!("user{i}"), format!("pw{i}"));
        assert!(acl.authenticate(user.as_bytes(), pw.as_bytes()));
        g.bench_function(format!("{n} users"), |b| {
            b.iter(|| acl.authenticate(black_box(user.as_bytes()), black_box(pw.as_bytes())))
        });
    }
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

/// Issue 17: the permission check of an engine attached to an ACL store costs what it costs
/// without one (the store only feeds the engine from its own thread). The attached engine
/// starts stale from a cache file (its etcd, port 1, never answers: the store keeps retrying in
/// the background, as a node cut off from etcd does), so the bench needs no etcd.
fn bench_check_with_store(c: &mut Criterion) {
    use authgate::acl_store::{AclStore, AclStoreOptions};
    use std::sync::Arc;
    let ten: String = (0..10).map(|i| format!(" ~p{i}:*")).collect();
    let line = format!("user ten on nopass +@all{ten}");
    let plain = Acl::new();
    plain.setuser(b"ten", &rules(&line["user ten ".len()..])).unwrap();
    let cache = std::env::temp_dir().join(format!("authgate-bench-store-{}.cache", std::process::id()));
    std::fs::write(&cache, format!("# authgate acl-store revision 1\nuser default on nopass ~* &* +@all\n{line}\n")).unwrap();
    let attached = Arc::new(Acl::new());
    let mut options = AclStoreOptions::new("etcd://127.0.0.1:1/bench");
    options.cache_file = Some(cache.clone());
    options.timeout = std::time::Duration::from_millis(200);
    let store = AclStore::attach(attached.clone(), options).unwrap();
    assert!(store.status().stale);
    let get: [&[u8]; 2] = [b"GET", b"p9:12345"];
    let get_cmd = table().resolve(&get).unwrap();
    let mut g = c.benchmark_group("check_store");
    for (name, acl) in [("without store", &plain), ("with store attached", &*attached)] {
        let user = acl.user(b"ten").unwrap();
        g.bench_function(format!("{name} (GET, 10 patterns)"), |b| {
            b.iter(|| user.check(black_box(get_cmd), black_box(&get)).is_ok())
        });
    }
    g.finish();
    drop(store);
    let _ = std::fs::remove_file(cache);
}

criterion_group!(
    benches,
    bench_check_with_store,
    bench_check,
    bench_check_patterns,
    bench_check_selectors,
    bench_authenticate,
    bench_authenticate_users
);
criterion_main!(benches);
