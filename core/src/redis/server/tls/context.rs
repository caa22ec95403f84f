//! Turning [`TlsSettings`] into a rustls server configuration: the certificate chain and key,
//! the client-certificate verifier over the CAs, protocol versions and cipher suites.
//!
//! The checks run in redis-server 7.0.15's order and fail with its log texts (`Failed to
//! load certificate: <file>: <why>` ...); where redis-server quotes an OpenSSL error code,
//! authgate gives the reason in words. Files are read here, once per (re)configuration.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::crypto::ring as provider;
use rustls::crypto::CryptoProvider;
use rustls::server::danger::ClientCertVerifier;
use rustls::server::WebPkiClientVerifier;
use rustls::{RootCertStore, ServerConfig, SupportedCipherSuite, SupportedProtocolVersion};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};

use super::keys::load_private_key;
use super::settings::{TlsAuthClients, TlsSettings};

/// What redis-server adds after any TLS configuration error at startup.
pub const CONFIGURE_FAILED: &str = "Failed to configure TLS. Check logs for more info.";

/// A CA bundle or directory is bounded: a CA file larger than this is refused.
const MAX_PEM_FILE: u64 = 16 * 1024 * 1024;

/// A ready TLS configuration.
pub(crate) struct TlsContext {
    /// The rustls configuration new handshakes use.
    pub config: Arc<ServerConfig>,
}

/// Builds the configuration; the error is redis-server's log line for the first problem.
/// `extra_cas` (the REST API's `mtls_trusted_ca`) are trusted for client certificates besides
/// `tls-ca-cert-file` / `tls-ca-cert-dir`.
pub(crate) fn build(settings: &TlsSettings, dir: Option<&Path>, extra_cas: &[CertificateDer<'static>]) -> Result<TlsContext, String> {
    let resolve = |p: &PathBuf| TlsSettings::resolve(p, dir);
    let has_ca = settings.ca_cert_file.is_some() || settings.ca_cert_dir.is_some();
    if settings.auth_clients != TlsAuthClients::No && !has_ca {
        return Err("Either tls-ca-cert-file or tls-ca-cert-dir must be specified when tls-cluster, tls-replication or tls-auth-clients are enabled!".into());
    }
    let Some(cert_file) = settings.cert_file.as_ref() else {
        return Err("No tls-cert-file configured!".into());
    };
    let Some(key_file) = settings.key_file.as_ref() else {
        return Err("No tls-key-file configured!".into());
    };
    let versions = parse_protocols(&settings.protocols)?;
    let (chain, key) = load_identity(
        (&resolve(cert_file), cert_file),
        (&resolve(key_file), key_file),
        settings.key_file_pass.as_deref(),
    )?;
    let mut crypto = provider::default_provider();
    crypto.cipher_suites = cipher_suites(&settings.ciphersuites, &settings.ciphers)?;
    let crypto = Arc::new(crypto);
    let verifier = match settings.auth_clients {
        TlsAuthClients::No => None,
        mode => {
            let mut roots = load_roots(
                settings.ca_cert_file.as_ref().map(resolve).as_deref(),
                settings.ca_cert_dir.as_ref().map(resolve).as_deref(),
            )
            .map_err(|why| format!("Failed to configure CA certificate(s) file/directory: {why}"))?;
            for ca in extra_cas {
                roots.add(ca.clone()).map_err(|e| format!("mtls_trusted_ca cannot be used: {e}"))?;
            }
            Some(client_verifier(roots, mode, crypto.clone())?)
        }
    };
    let builder = ServerConfig::builder_with_provider(crypto)
        .with_protocol_versions(&versions)
        .map_err(|e| format!("Failed to configure TLS protocols: {e}"))?;
    let builder = match verifier {
        Some(v) => builder.with_client_cert_verifier(v),
        None => builder.with_no_client_auth(),
    };
    let mut config = builder.with_single_cert(chain, key).map_err(|e| {
        let why = match e {
            rustls::Error::InconsistentKeys(_) => "the private key does not match the certificate".to_string(),
            other => other.to_string(),
        };
        format!("Failed to load private key: {}: {why}", key_file.display())
    })?;
    // Redis serves RESP only; no ALPN protocol is required of clients.
    config.alpn_protocols.clear();
    Ok(TlsContext { config: Arc::new(config) })
}

fn client_verifier(
    roots: RootCertStore,
    mode: TlsAuthClients,
    crypto: Arc<CryptoProvider>,
) -> Result<Arc<dyn ClientCertVerifier>, String> {
    let builder = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), crypto);
    let builder = if mode == TlsAuthClients::Optional { builder.allow_unauthenticated() } else { builder };
    builder.build().map_err(|e| format!("Failed to configure CA certificate(s) file/directory: {e}"))
}

/// `tls-protocols`: space-separated, case-insensitive; empty means TLSv1.2 and TLSv1.3 (what
/// redis-server allows by default). TLSv1 and TLSv1.1 are valid names but rustls does not
/// speak them: a list naming only those is an error.
fn parse_protocols(text: &str) -> Result<Vec<&'static SupportedProtocolVersion>, String> {
    const INVALID: &str =
        "Invalid tls-protocols specified. Use a combination of 'TLSv1', 'TLSv1.1', 'TLSv1.2' and 'TLSv1.3'.";
    if text.trim().is_empty() {
        return Ok(vec![&rustls::version::TLS13, &rustls::version::TLS12]);
    }
    let (mut v12, mut v13) = (false, false);
    for word in text.split_ascii_whitespace() {
        match word.to_ascii_lowercase().as_str() {
            "tlsv1" | "tlsv1.1" => {}
            "tlsv1.2" => v12 = true,
            "tlsv1.3" => v13 = true,
            _ => return Err(INVALID.into()),
        }
    }
    let mut out = Vec::new();
    if v13 {
        out.push(&rustls::version::TLS13);
    }
    if v12 {
        out.push(&rustls::version::TLS12);
    }
    if out.is_empty() {
        return Err("Invalid tls-protocols specified: authgate speaks only TLSv1.2 and TLSv1.3.".into());
    }
    Ok(out)
}

/// The TLS 1.3 suites by their IANA names (`tls-ciphersuites`) and the TLS 1.2 ones by
/// OpenSSL's names (`tls-ciphers`), as far as rustls implements them.
const TLS13_NAMES: &[(&str, &SupportedCipherSuite)] = &[
    ("TLS_AES_256_GCM_SHA384", &provider::cipher_suite::TLS13_AES_256_GCM_SHA384),
    ("TLS_AES_128_GCM_SHA256", &provider::cipher_suite::TLS13_AES_128_GCM_SHA256),
    ("TLS_CHACHA20_POLY1305_SHA256", &provider::cipher_suite::TLS13_CHACHA20_POLY1305_SHA256),
];
const TLS12_NAMES: &[(&str, &SupportedCipherSuite)] = &[
    ("ECDHE-ECDSA-AES256-GCM-SHA384", &provider::cipher_suite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384),
    ("ECDHE-ECDSA-AES128-GCM-SHA256", &provider::cipher_suite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256),
    ("ECDHE-ECDSA-CHACHA20-POLY1305", &provider::cipher_suite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256),
    ("ECDHE-RSA-AES256-GCM-SHA384", &provider::cipher_suite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384),
    ("ECDHE-RSA-AES128-GCM-SHA256", &provider::cipher_suite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256),
    ("ECDHE-RSA-CHACHA20-POLY1305", &provider::cipher_suite::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256),
];

/// The suites: rustls' defaults unless `tls-ciphersuites` / `tls-ciphers` name some. A list
/// with a name rustls does not implement is refused (`Failed to configure ciphersuites: ...`),
/// so a configuration never silently allows less or more than it says.
fn cipher_suites(tls13: &str, tls12: &str) -> Result<Vec<SupportedCipherSuite>, String> {
    let all = provider::DEFAULT_CIPHER_SUITES;
    let pick = |text: &str, table: &[(&str, &SupportedCipherSuite)], what: &str| -> Result<_, String> {
        let mut out = Vec::new();
        for name in text.split(':').map(str::trim).filter(|n| !n.is_empty()) {
            let Some((_, suite)) = table.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)) else {
                return Err(format!("Failed to configure {what}: {text}"));
            };
            out.push(**suite);
        }
        Ok(out)
    };
    let v13 = if tls13.trim().is_empty() {
        all.iter().copied().filter(|s| s.version() == &rustls::version::TLS13).collect()
    } else {
        pick(tls13, TLS13_NAMES, "ciphersuites")?
    };
    let v12 = if tls12.trim().is_empty() {
        all.iter().copied().filter(|s| s.version() == &rustls::version::TLS12).collect()
    } else {
        pick(tls12, TLS12_NAMES, "ciphers")?
    };
    Ok(v13.into_iter().chain(v12).collect())
}

fn read_bounded(path: &Path) -> Result<Vec<u8>, String> {
    let meta = std::fs::metadata(path).map_err(|e| strerror(&e))?;
    if meta.len() > MAX_PEM_FILE {
        return Err(format!("file larger than {MAX_PEM_FILE} bytes"));
    }
    std::fs::read(path).map_err(|e| strerror(&e))
}

/// A server's certificate chain and private key, each `(path to read, path to show)`, with
/// redis-server's texts (`Failed to load certificate: <file>: <why>`, `Failed to load private
/// key: ...`). The TLS listener and the REST API both load their identity here, so an
/// encrypted key with its passphrase works (and fails) the same way for both.
pub(crate) fn load_identity(
    cert_file: (&Path, &Path),
    key_file: (&Path, &Path),
    key_file_pass: Option<&[u8]>,
) -> Result<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>), String> {
    let chain = load_chain(cert_file.0)
        .map_err(|why| format!("Failed to load certificate: {}: {why}", cert_file.1.display()))?;
    let key = load_private_key(key_file.0, key_file_pass)
        .map_err(|why| format!("Failed to load private key: {}: {why}", key_file.1.display()))?;
    Ok((chain, key))
}

/// The certificate chain of `tls-cert-file` (every CERTIFICATE block, leaf first).
pub(crate) fn load_chain(path: &Path) -> Result<Vec<CertificateDer<'static>>, String> {
    let pem = read_bounded(path)?;
    let chain = CertificateDer::pem_slice_iter(&pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("malformed PEM: {e}"))?;
    if chain.is_empty() {
        return Err("no certificate found in the file".into());
    }
    Ok(chain)
}

/// The CAs of `tls-ca-cert-file` and of every PEM file in `tls-ca-cert-dir` (files without a
/// certificate are skipped, as OpenSSL's directory lookup skips what it cannot use).
pub(crate) fn load_roots(file: Option<&Path>, dir: Option<&Path>) -> Result<RootCertStore, String> {
    let mut roots = RootCertStore::empty();
    let mut add = |pem: &[u8], strict: bool| -> Result<(), String> {
        let certs: Vec<_> = CertificateDer::pem_slice_iter(pem).filter_map(Result::ok).collect();
        if certs.is_empty() && strict {
            return Err("no certificate found".into());
        }
        for c in certs {
            roots.add(c).map_err(|e| format!("a CA certificate cannot be used: {e}"))?;
        }
        Ok(())
    };
    if let Some(file) = file {
        add(&read_bounded(file)?, true)?;
    }
    if let Some(dir) = dir {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
            .map_err(|e| strerror(&e))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_file())
            .collect();
        entries.sort();
        for p in entries {
            if let Ok(pem) = read_bounded(&p) {
                add(&pem, false)?;
            }
        }
    }
    if roots.is_empty() {
        return Err("no CA certificate found".into());
    }
    Ok(roots)
}

/// The OS error text without Rust's ` (os error N)` suffix, as C's `strerror` prints it.
pub(crate) fn strerror(e: &std::io::Error) -> String {
    let text = e.to_string();
    match text.rfind(" (os error ") {
        Some(at) => text[..at].to_string(),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn protocols() {
        assert_eq!(parse_protocols("").unwrap().len(), 2);
        assert_eq!(parse_protocols("TLSv1.2").unwrap(), vec![&rustls::version::TLS12]);
        assert_eq!(parse_protocols("tlsv1.3 TLSv1").unwrap(), vec![&rustls::version::TLS13]);
        assert!(parse_protocols("TLSv1.4").unwrap_err().starts_with("Invalid tls-protocols specified. Use"));
        assert!(parse_protocols("TLSv1 TLSv1.1").is_err());
    }

    #[test]
    fn suites() {
        let all = cipher_suites("", "").unwrap();
        assert_eq!(all.len(), provider::DEFAULT_CIPHER_SUITES.len());
        let one = cipher_suites("TLS_AES_128_GCM_SHA256", "").unwrap();
        assert_eq!(one.iter().filter(|s| s.version() == &rustls::version::TLS13).count(), 1);
        assert_eq!(cipher_suites("FOO", "").unwrap_err(), "Failed to configure ciphersuites: FOO");
        assert_eq!(cipher_suites("", "FOO").unwrap_err(), "Failed to configure ciphers: FOO");
    }

    #[test]
    fn redis_order_of_checks() {
        let mut t = TlsSettings { port: 1, ..Default::default() };
        assert!(build(&t, None, &[]).err().unwrap().starts_with("Either tls-ca-cert-file or tls-ca-cert-dir"));
        t.auth_clients = TlsAuthClients::No;
        assert_eq!(build(&t, None, &[]).err().unwrap(), "No tls-cert-file configured!");
        t.cert_file = Some("/nonexistent/c.pem".into());
        assert_eq!(build(&t, None, &[]).err().unwrap(), "No tls-key-file configured!");
        t.key_file = Some("k.pem".into());
        assert_eq!(
            build(&t, None, &[]).err().unwrap(),
            "Failed to load certificate: /nonexistent/c.pem: No such file or directory"
        );
    }
}
