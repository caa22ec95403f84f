//! The REST API's rustls configuration: the server certificate, and client certificates
//! verified against `mtls_trusted_ca` when it is set (optional: a caller without one logs in
//! by basic auth). Rebuilt whenever the CA changes; each handshake takes the current one.

use std::path::Path;
use std::sync::Arc;

use arc_swap::ArcSwap;
use rustls::server::WebPkiClientVerifier;
use rustls::{RootCertStore, ServerConfig};
use rustls_pki_types::{CertificateDer, PrivateKeyDer};

use crate::redis::server::tls::load_identity;
use crate::tls::ClientCert;

/// The server identity and the current configuration.
pub(crate) struct RestTls {
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
    current: ArcSwap<ServerConfig>,
}

impl RestTls {
    /// Reads the certificate chain and key (PEM files; an encrypted PKCS#8 key with
    /// `key_file_pass`) through the TLS listener's loader; no client CA yet.
    pub fn load(cert_file: &Path, key_file: &Path, key_file_pass: Option<&[u8]>) -> Result<RestTls, String> {
        let (chain, key) = load_identity((cert_file, cert_file), (key_file, key_file), key_file_pass)?;
        let config = build(&chain, &key, None)?;
        Ok(RestTls { chain, key, current: ArcSwap::from_pointee(config) })
    }

    /// The configuration new handshakes use.
    pub fn current(&self) -> Arc<ServerConfig> {
        self.current.load_full()
    }

    /// Trusts `cas` for client certificates from now on (`None`: ask for none).
    pub fn set_client_cas(&self, cas: Option<&[ClientCert]>) {
        match build(&self.chain, &self.key, cas) {
            Ok(c) => self.current.store(Arc::new(c)),
            Err(e) => tracing::warn!("REST API: keeping the previous client CAs: {e}"),
        }
    }
}

fn build(chain: &[CertificateDer<'static>], key: &PrivateKeyDer<'static>, cas: Option<&[ClientCert]>) -> Result<ServerConfig, String> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = ServerConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?;
    let builder = match cas {
        Some(cas) if !cas.is_empty() => {
            let mut roots = RootCertStore::empty();
            for ca in cas {
                roots.add(CertificateDer::from(ca.der().to_vec())).map_err(|e| format!("CA '{}': {e}", ca.subject()))?;
            }
            let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider)
                .allow_unauthenticated()
                .build()
                .map_err(|e| e.to_string())?;
            builder.with_client_cert_verifier(verifier)
        }
        _ => builder.with_no_client_auth(),
    };
    let mut config = builder.with_single_cert(chain.to_vec(), key.clone_key()).map_err(|e| format!("Certificate and key: {e}"))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}
