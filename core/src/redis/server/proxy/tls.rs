//! TLS to the upstream (`rediss://`): the files of the `upstream-tls-*` directives, the
//! rustls client configuration built from them once at startup, and the stream a connection
//! uses (plain TCP or tokio-rustls over it, on the event loop like every other socket).
//!
//! The upstream's certificate is verified against `upstream-tls-ca-cert-file` (required: this
//! build has no system root store, and an upstream behind authgate is usually signed by a
//! private CA) and must name the URL's host (a DNS name, or an IP address SAN for an IP
//! host), as redis-cli `--tls` checks it. `upstream-tls-cert-file` / `upstream-tls-key-file`
//! give authgate a client certificate, which a Redis with `tls-auth-clients yes` (its
//! default) requires.

use std::io;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use rustls::ClientConfig;
use rustls_pki_types::ServerName;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;
use tokio_rustls::TlsConnector;

use super::UpstreamUrl;
use crate::redis::server::tls::{load_chain, load_private_key, load_roots};

/// The `upstream-tls-*` directives (same names as the command-line options).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UpstreamTlsFiles {
    /// `upstream-tls-ca-cert-file`: the CAs the upstream's certificate must chain to (PEM).
    pub ca_cert_file: Option<PathBuf>,
    /// `upstream-tls-cert-file`: authgate's client certificate chain (PEM), optional.
    pub cert_file: Option<PathBuf>,
    /// `upstream-tls-key-file`: that certificate's private key (PEM, unencrypted).
    pub key_file: Option<PathBuf>,
}

impl UpstreamTlsFiles {
    /// The directive names this type applies.
    pub const DIRECTIVES: [&'static str; 3] = ["upstream-tls-ca-cert-file", "upstream-tls-cert-file", "upstream-tls-key-file"];

    /// Applies one directive (`name` is one of [`Self::DIRECTIVES`]); an empty value unsets it.
    pub fn apply(&mut self, name: &str, value: &[u8]) {
        let path = (!value.is_empty()).then(|| PathBuf::from(String::from_utf8_lossy(value).as_ref()));
        match name {
            "upstream-tls-ca-cert-file" => self.ca_cert_file = path,
            "upstream-tls-cert-file" => self.cert_file = path,
            _ => self.key_file = path,
        }
    }

    /// True if any of the files is set.
    pub(crate) fn any(&self) -> bool {
        self.ca_cert_file.is_some() || self.cert_file.is_some() || self.key_file.is_some()
    }
}

/// How connections to a `rediss://` upstream are made: the client configuration and the name
/// the upstream's certificate must carry.
pub(crate) struct Connector {
    connector: TlsConnector,
    name: ServerName<'static>,
}

/// The connector for `url` (None for `redis://`), with a startup error naming the directive
/// at fault: a missing CA, a certificate without its key, unreadable files, or TLS files
/// given for a plain upstream (they would be silently unused).
pub(crate) fn connector(url: &UpstreamUrl, files: &UpstreamTlsFiles) -> Result<Option<Connector>, String> {
    if !url.tls {
        if files.any() {
            return Err("upstream-tls-* directives are set but the upstream URL is redis:// (use rediss:// for TLS)".into());
        }
        return Ok(None);
    }
    let ca = files.ca_cert_file.as_deref().ok_or("a rediss:// upstream needs upstream-tls-ca-cert-file")?;
    let roots = load_roots(Some(ca), None).map_err(|e| format!("upstream-tls-ca-cert-file {}: {e}", ca.display()))?;
    let builder = ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("upstream TLS: {e}"))?
        .with_root_certificates(roots);
    let config = match (&files.cert_file, &files.key_file) {
        (None, None) => builder.with_no_client_auth(),
        (Some(cert), Some(key)) => {
            let chain = load_chain(cert).map_err(|e| format!("upstream-tls-cert-file {}: {e}", cert.display()))?;
            let key_der = load_private_key(key, None).map_err(|e| format!("upstream-tls-key-file {}: {e}", key.display()))?;
            builder
                .with_client_auth_cert(chain, key_der)
                .map_err(|e| format!("upstream-tls-cert-file and upstream-tls-key-file do not match: {e}"))?
        }
        (Some(_), None) => return Err("upstream-tls-cert-file is set without upstream-tls-key-file".into()),
        (None, Some(_)) => return Err("upstream-tls-key-file is set without upstream-tls-cert-file".into()),
    };
    let name = ServerName::try_from(url.host.clone()).map_err(|e| format!("the upstream host '{}' cannot be verified by TLS: {e}", url.host))?;
    Ok(Some(Connector { connector: TlsConnector::from(Arc::new(config)), name }))
}

impl Connector {
    /// The TLS handshake over `tcp`; the error is rustls' reason (an unknown issuer, a name
    /// mismatch, the upstream's alert).
    pub(crate) async fn handshake(&self, tcp: TcpStream) -> Result<Wire, String> {
        match self.connector.connect(self.name.clone(), tcp).await {
            Ok(s) => Ok(Wire::Tls(Box::new(s))),
            Err(e) => Err(e.to_string()),
        }
    }
}

/// An upstream connection's byte stream.
pub(crate) enum Wire {
    Plain(TcpStream),
    Tls(Box<TlsStream<TcpStream>>),
}

impl Wire {
    /// True if the connection, unused since its last exchange, is still open and has sent
    /// nothing since (an idle upstream sends nothing but its end of the connection). Over TLS
    /// the check reads through rustls, so records that carry no data (session tickets) do not
    /// count, and nothing of the stream is lost.
    pub(crate) fn idle_and_open(&mut self) -> bool {
        match self {
            Wire::Plain(s) => {
                let mut probe = [0u8; 1];
                matches!(s.try_read(&mut probe), Err(e) if e.kind() == io::ErrorKind::WouldBlock)
            }
            Wire::Tls(s) => {
                let mut probe = [0u8; 1];
                let mut buf = ReadBuf::new(&mut probe);
                let mut cx = Context::from_waker(std::task::Waker::noop());
                matches!(Pin::new(s.as_mut()).poll_read(&mut cx, &mut buf), Poll::Pending)
            }
        }
    }
}

impl AsyncRead for Wire {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Wire::Plain(s) => Pin::new(s).poll_read(cx, buf),
            Wire::Tls(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Wire {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Wire::Plain(s) => Pin::new(s).poll_write(cx, buf),
            Wire::Tls(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Wire::Plain(s) => Pin::new(s).poll_flush(cx),
            Wire::Tls(s) => Pin::new(s.as_mut()).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Wire::Plain(s) => Pin::new(s).poll_shutdown(cx),
            Wire::Tls(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
        }
    }
}
