//! Accepting TLS connections: the handshake runs in the connection's own task (the event
//! loop never waits on one client), bounded in time, then the certificate login, then the
//! same connection loop as plain TCP.

use std::net::SocketAddr;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::net::TcpStream;
use tokio_rustls::server::TlsStream;
use tokio_rustls::TlsAcceptor;

use super::Login;
use crate::redis::server::conn::{self, ClientStream};
use crate::redis::server::shared::Shared;
use crate::tls::ClientCert;

/// A client that has not finished its handshake by then is dropped, so half-open handshakes
/// cannot hold connections forever.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

impl ClientStream for TlsStream<TcpStream> {
    fn tcp(&self) -> &TcpStream {
        self.get_ref().0
    }

    fn poll_readable(&self, _cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        // The session may hold decrypted bytes the socket will not signal again; the read
        // itself registers for readiness when it has nothing.
        Poll::Ready(Ok(()))
    }
}

/// A TLS connection: the handshake (and the certificate login it may give), then the session.
/// Runs in its own task, so a slow handshake never holds up the accept loop.
pub(crate) async fn handshake_and_serve(shared: Arc<Shared>, stream: TcpStream, addr: SocketAddr, id: u64) {
    // The configuration of the moment: a CONFIG SET during the handshake applies to the next.
    let Some(ctx) = shared.tls.context() else { return };
    let laddr = stream.local_addr().map(|a| a.to_string()).unwrap_or_default();
    let accepted = tokio::time::timeout(HANDSHAKE_TIMEOUT, TlsAcceptor::from(ctx.config.clone()).accept(stream)).await;
    let tls = match accepted {
        Ok(Ok(tls)) => tls,
        Ok(Err(e)) => {
            // Redis logs handshake failures at verbose level with the addresses.
            tracing::debug!("Error accepting a client connection: {e} (addr={addr} laddr={laddr})");
            return;
        }
        Err(_) => {
            tracing::debug!("Error accepting a client connection: TLS handshake timed out (addr={addr} laddr={laddr})");
            return;
        }
    };
    let login = match tls.get_ref().1.peer_certificates().and_then(|c| c.first()) {
        // rustls verified the chain; a leaf it accepted but x509-parser cannot read keeps
        // the connection as `default`, as a certificate with no usable identity.
        Some(leaf) => match ClientCert::from_der(leaf) {
            Ok(cert) => shared.tls.login_for(&cert),
            Err(e) => {
                tracing::debug!("TLS: client certificate not readable for login: {e} (addr={addr})");
                Login::None
            }
        },
        None => Login::None,
    };
    conn::serve(shared, tls, addr, id, login).await;
}
