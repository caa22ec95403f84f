//! `tls {}` blocks (nats-server 2.9.10's `parseTLS` and the file checks of `GenTLSConfig`).
//! Certificates are checked for being readable files; their contents are the certificate
//! module's business.

use super::duration::parse_duration;
use super::go::{as_array, as_string, lower, pos, recovering_single, s, unwrap, ConfigError, Errs};
use crate::nats::conf::{go_quote, Node, Value};

/// What a tls block configures that authentication needs.
#[derive(Default, Clone, Debug)]
pub(crate) struct TlsOpts {
    pub cert_file: Vec<u8>,
    pub key_file: Vec<u8>,
    pub ca_file: Vec<u8>,
    pub verify: bool,
    pub map: bool,
    pub timeout: f64,
}

const CIPHERS: &[&str] = &[
    "TLS_RSA_WITH_RC4_128_SHA",
    "TLS_RSA_WITH_3DES_EDE_CBC_SHA",
    "TLS_RSA_WITH_AES_128_CBC_SHA",
    "TLS_RSA_WITH_AES_256_CBC_SHA",
    "TLS_RSA_WITH_AES_128_CBC_SHA256",
    "TLS_RSA_WITH_AES_128_GCM_SHA256",
    "TLS_RSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_ECDSA_WITH_RC4_128_SHA",
    "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA",
    "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA",
    "TLS_ECDHE_RSA_WITH_RC4_128_SHA",
    "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA",
    "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
    "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
    "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256",
    "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256",
    "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305",
    "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305",
    "TLS_AES_128_GCM_SHA256",
    "TLS_AES_256_GCM_SHA384",
    "TLS_CHACHA20_POLY1305_SHA256",
];

const CURVES: &[&str] = &["CurveP256", "CurveP384", "CurveP521", "X25519"];

/// parseTLS; `client` is false for cluster and gateway blocks.
pub(crate) fn parse_tls(v: &Node, client: bool, e: &mut Errs) -> Result<TlsOpts, ConfigError> {
    recovering_single(e, |lt, _e| {
        let mut tc = TlsOpts::default();
        let (_, v) = unwrap(v, lt);
        let tlsm = super::go::as_map(v)?;
        for (mk, mv) in tlsm.iter() {
            let (tk, mv) = unwrap(mv, lt);
            let err = |m: String| super::go::Fail::Err(ConfigError::at(pos(tk), m));
            let file = |what: &str| format!("error parsing tls config, expected '{what}' to be filename");
            let boolean = |what: &str| format!("error parsing tls config, expected '{what}' to be a boolean");
            match lower(mk).as_str() {
                "cert_file" => tc.cert_file = mv.as_bytes().ok_or_else(|| err(file("cert_file")))?.to_vec(),
                "key_file" => tc.key_file = mv.as_bytes().ok_or_else(|| err(file("key_file")))?.to_vec(),
                "ca_file" => tc.ca_file = mv.as_bytes().ok_or_else(|| err(file("ca_file")))?.to_vec(),
                "insecure" => {
                    let Value::Bool(_) = mv else { return Err(err(boolean("insecure"))) };
                }
                "verify" => {
                    let Value::Bool(b) = mv else { return Err(err(boolean("verify"))) };
                    tc.verify = *b;
                }
                "verify_and_map" => {
                    let Value::Bool(b) = mv else { return Err(err(boolean("verify_and_map"))) };
                    if *b {
                        tc.verify = true;
                    }
                    tc.map = *b;
                }
                "verify_cert_and_check_known_urls" => {
                    let Value::Bool(b) = mv else {
                        return Err(err(boolean("verify_cert_and_check_known_urls")));
                    };
                    if *b && client {
                        return Err(err("verify_cert_and_check_known_urls not supported in this context".into()));
                    }
                    if *b {
                        tc.verify = true;
                    }
                }
                key @ ("cipher_suites" | "curve_preferences") => {
                    let ra = as_array(mv)?;
                    if ra.is_empty() {
                        return Err(err(format!("error parsing tls config, '{key}' cannot be empty")));
                    }
                    for r in ra.iter() {
                        let (tk, r) = unwrap(r, lt);
                        let name = as_string(r)?;
                        let known = if key == "cipher_suites" { CIPHERS } else { CURVES };
                        if !known.contains(&s(&name).as_str()) {
                            let what = if key == "cipher_suites" { "cipher" } else { "curve preference" };
                            return Err(super::go::Fail::Err(ConfigError::at(
                                pos(tk),
                                format!("unrecognized {what} {}", s(&name)),
                            )));
                        }
                    }
                }
                "timeout" => {
                    tc.timeout = match mv {
                        Value::Integer(i) => *i as f64,
                        Value::Float(f) => *f,
                        Value::String(d) => match parse_duration(&s(d)) {
                            Ok(ns) => ns as f64 / 1e9,
                            Err(m) => return Err(err(format!("error parsing tls config, 'timeout' {m}"))),
                        },
                        _ => return Err(err("error parsing tls config, 'timeout' wrong type".into())),
                    }
                }
                "connection_rate_limit" => {
                    let Value::Integer(_) = mv else {
                        return Err(err("error parsing tls config, 'connection_rate_limit' wrong type".into()));
                    };
                }
                "pinned_certs" => {
                    let Value::Array(ra) = mv else {
                        return Err(err("error parsing tls config, expected 'pinned_certs' to be a list of hex-encoded sha256 of DER encoded SubjectPublicKeyInfo".into()));
                    };
                    for r in ra.iter() {
                        let (tk, r) = unwrap(r, lt);
                        let entry = s(&as_string(r)?).to_lowercase();
                        if entry.len() != 64 || !entry.bytes().all(|b| b.is_ascii_hexdigit()) {
                            return Err(super::go::Fail::Err(ConfigError::at(pos(tk), format!("error parsing tls config, 'pinned_certs' key {entry} does not look like hex-encoded sha256 of DER encoded SubjectPublicKeyInfo"))));
                        }
                    }
                }
                _ => {
                    return Err(err(format!("error parsing tls config, unknown field [{}]", go_quote(mk))));
                }
            }
        }
        Ok(tc)
    })
}

/// GenTLSConfig's checks: key and certificate given together and readable, the CA readable.
pub(crate) fn gen_tls_config(tc: &TlsOpts) -> Result<(), String> {
    match (tc.cert_file.is_empty(), tc.key_file.is_empty()) {
        (false, true) => return Err("missing 'key_file' in TLS configuration".into()),
        (true, false) => return Err("missing 'cert_file' in TLS configuration".into()),
        (false, false) => {
            for f in [&tc.cert_file, &tc.key_file] {
                let p = s(f);
                if let Err(e) = std::fs::read(&p) {
                    return Err(format!(
                        "error parsing X509 certificate/key pair: {}",
                        crate::nats::conf::go_io_error("open", &p, &e)
                    ));
                }
            }
        }
        (true, true) => {}
    }
    if !tc.ca_file.is_empty() {
        let p = s(&tc.ca_file);
        if let Err(e) = std::fs::read(&p) {
            return Err(crate::nats::conf::go_io_error("open", &p, &e));
        }
    }
    Ok(())
}
