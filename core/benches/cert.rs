//! Client certificates: parse + map time per certificate (issue 13's target: under 20 µs).
//! The certificate is the spec's multi_ou leaf (EC P-256, 7 subject attributes, 4 SANs); each
//! case parses its DER from scratch, so the figure is what a handshake pays.

use authgate::tls::{nats_map_user, ClientCert, SubjectLine, TlsAuthClientsUser, TrustStore};
use criterion::{black_box, criterion_group, Criterion};

const LEAF: &[u8] = include_bytes!("../src/tls/testdata/multi_ou.pem");
const CA: &[u8] = include_bytes!("../src/tls/testdata/ca.pem");

fn bench(c: &mut Criterion) {
    let der = ClientCert::parse(LEAF).expect("test certificate").der().to_vec();
    let line = SubjectLine::parse(ClientCert::from_der(&der).unwrap().subject()).unwrap();
    let users: Vec<&[u8]> =
        vec![b"bob", b"carol", b"CN=alice,OU=Platform,OU=Engineering,O=Acme Corp,L=San Francisco,ST=California,C=US"];
    let store = TrustStore::from_pem_or_der(CA).unwrap();

    c.bench_function("cert_parse_der", |b| b.iter(|| ClientCert::from_der(black_box(&der)).unwrap()));
    c.bench_function("cert_parse_and_subject_line_match", |b| {
        b.iter(|| line.matches(&ClientCert::from_der(black_box(&der)).unwrap()))
    });
    c.bench_function("cert_parse_and_tls_auth_clients_user_cn", |b| {
        b.iter(|| TlsAuthClientsUser::Cn.map(&ClientCert::from_der(black_box(&der)).unwrap(), |n| n == b"alice"))
    });
    c.bench_function("cert_parse_and_nats_map_dn", |b| {
        b.iter(|| nats_map_user(&ClientCert::from_der(black_box(&der)).unwrap(), &users).is_some())
    });
    let cert = ClientCert::from_der(&der).unwrap();
    let at = cert.not_before() + 86_400;
    c.bench_function("cert_verify_chain", |b| b.iter(|| store.verify_client_at(black_box(&cert), &[], at).is_ok()));
}

/// On-CPU nanoseconds of this thread so far (`/proc/thread-self/schedstat`, first field):
/// steady on a busy machine, where wall time is not.
fn thread_cpu_ns() -> u64 {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").expect("schedstat");
    s.split_whitespace().next().and_then(|f| f.parse().ok()).expect("schedstat field")
}

/// `CERT_BENCH_CPU=N cargo bench -p authgate --bench cert`: CPU time per operation over N
/// operations per case (instead of criterion's wall time), printed one case a line.
fn cpu_time_report(n: u32) {
    let der = ClientCert::parse(LEAF).expect("test certificate").der().to_vec();
    let line = SubjectLine::parse(ClientCert::from_der(&der).unwrap().subject()).unwrap();
    let users: Vec<&[u8]> =
        vec![b"bob", b"carol", b"CN=alice,OU=Platform,OU=Engineering,O=Acme Corp,L=San Francisco,ST=California,C=US"];
    let run = |name: &str, f: &mut dyn FnMut() -> bool| {
        for _ in 0..n / 10 {
            black_box(f());
        }
        let start = thread_cpu_ns();
        for _ in 0..n {
            black_box(f());
        }
        let per = (thread_cpu_ns() - start) as f64 / f64::from(n);
        println!("{name}: {:.2} us CPU per operation ({n} operations)", per / 1000.0);
    };
    run("cert_parse_der", &mut || ClientCert::from_der(black_box(&der)).is_ok());
    run("cert_parse_and_subject_line_match", &mut || line.matches(&ClientCert::from_der(black_box(&der)).unwrap()));
    run("cert_parse_and_tls_auth_clients_user_cn", &mut || {
        matches!(
            TlsAuthClientsUser::Cn.map(&ClientCert::from_der(black_box(&der)).unwrap(), |n| n == b"alice"),
            authgate::tls::TlsUserMapping::Authenticated { .. }
        )
    });
    run("cert_parse_and_nats_map_dn", &mut || {
        nats_map_user(&ClientCert::from_der(black_box(&der)).unwrap(), &users).is_some()
    });
}

criterion_group!(benches, bench);

fn main() {
    if let Some(n) = std::env::var("CERT_BENCH_CPU").ok().and_then(|v| v.parse().ok()) {
        cpu_time_report(n);
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
