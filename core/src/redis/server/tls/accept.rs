//! Accepting TLS connections: the handshake runs in the connection's own task (the event
//! loop never waits on one client), bounded in time, then the certificate login, then the
//! same connection loop as plain TCP.

use std::net::SocketAddr;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;
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

/// One accept loop per TLS listener.
pub(crate) fn spawn_tls_accept_loops(shared: &Arc<Shared>, listeners: Vec<std::net::TcpListener>) -> Vec<JoinHandle<()>> {
    let mut tasks = Vec::new();
    for l in listeners {
        let Ok(listener) = TcpListener::from_std(l) else { continue };
        let shared = shared.clone();
        tasks.push(tokio::spawn(async move {
            loop {
                match listener.accept().await {
                    Ok((stream, addr)) => {
                        let id = shared.next_client_id();
                        tokio::spawn(handshake_and_serve(shared.clone(), stream, addr, id));
                    }
                    Err(e) => {
                        tracing::warn!("Accepting client connection: {e}");
                        tokio::time::sleep(Duration::from_millis(10)).await
                    }
                }
            }
        }));
    }
    tasks
}

async fn handshake_and_serve(shared: Arc<Shared>, stream: TcpStream, addr: SocketAddr, id: u64) {
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
