//! HTTPS connections: TLS by tokio-rustls, HTTP/1.1 by hyper, on the server's event loop.
//! Each request's work (authentication with bcrypt, the change, the save) runs on tokio's
//! blocking pool, so the loop that serves the Redis clients never waits for it.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::header::{HeaderValue, AUTHORIZATION, CONTENT_TYPE, WWW_AUTHENTICATE};
use hyper::{Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio::task::JoinHandle;
use tokio_rustls::TlsAcceptor;

use super::error::ApiError;
use super::router::{route, Reply, Request};
use super::state::RestApi;
use super::tls::RestTls;

/// The largest request body read (a CA bundle is the biggest thing sent).
pub(crate) const MAX_BODY: usize = 1024 * 1024;
/// The largest request head hyper buffers.
const MAX_HEAD: usize = 64 * 1024;
/// How long a TLS handshake or a request head may take.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// Most REST connections open at once; more are closed at accept.
const MAX_CONNECTIONS: usize = 256;

/// Serves `listeners` until the tasks are aborted.
pub(crate) fn spawn(api: Arc<RestApi>, tls: Arc<RestTls>, listeners: Vec<std::net::TcpListener>) -> Vec<JoinHandle<()>> {
    let slots = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    let mut tasks = Vec::new();
    for l in listeners {
        let Ok(listener) = TcpListener::from_std(l) else { continue };
        let (api, tls, slots) = (api.clone(), tls.clone(), slots.clone());
        tasks.push(tokio::spawn(async move {
            loop {
                let (stream, addr) = match listener.accept().await {
                    Ok(a) => a,
                    Err(e) => {
                        tracing::warn!("REST API: accepting a connection: {e}");
                        tokio::time::sleep(Duration::from_millis(10)).await;
                        continue;
                    }
                };
                let Ok(slot) = slots.clone().try_acquire_owned() else {
                    tracing::warn!("REST API: refusing {addr}: {MAX_CONNECTIONS} connections are open");
                    continue;
                };
                let (api, config) = (api.clone(), tls.current());
                tokio::spawn(async move {
                    let _slot = slot;
                    let _ = stream.set_nodelay(true);
                    let tls_stream = match tokio::time::timeout(HANDSHAKE_TIMEOUT, TlsAcceptor::from(config).accept(stream)).await {
                        Ok(Ok(s)) => s,
                        Ok(Err(e)) => {
                            tracing::debug!("REST API: TLS handshake with {addr} failed: {e}");
                            return;
                        }
                        Err(_) => return,
                    };
                    let peer = tls_stream.get_ref().1.peer_certificates().and_then(|c| c.first()).map(|c| c.to_vec());
                    let service = hyper::service::service_fn(move |req| handle(api.clone(), peer.clone(), req));
                    let served = hyper::server::conn::http1::Builder::new()
                        .timer(TokioTimer::new())
                        .header_read_timeout(HANDSHAKE_TIMEOUT)
                        .max_buf_size(MAX_HEAD)
                        .serve_connection(TokioIo::new(tls_stream), service)
                        .await;
                    if let Err(e) = served {
                        tracing::debug!("REST API: connection from {addr}: {e}");
                    }
                });
            }
        }));
    }
    tasks
}

async fn handle(
    api: Arc<RestApi>,
    peer: Option<Vec<u8>>,
    req: hyper::Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let (parts, body) = req.into_parts();
    let body = match Limited::new(body, MAX_BODY).collect().await {
        Ok(b) => b.to_bytes().to_vec(),
        Err(_) => {
            return Ok(error(&ApiError::new(413, "request_too_large", format!("The request body is over {MAX_BODY} bytes"))))
        }
    };
    let request = Request {
        method: parts.method.clone(),
        path: parts.uri.path().to_string(),
        query: parts.uri.query().unwrap_or("").to_string(),
        authorization: parts.headers.get(AUTHORIZATION).map(|v| v.as_bytes().to_vec()),
        peer,
        body,
    };
    let outcome = tokio::task::spawn_blocking(move || route(&api, &request)).await;
    Ok(match outcome {
        Ok(Ok(Reply::Json(v))) => reply(StatusCode::OK, serde_json::to_vec(&v).unwrap_or_default()),
        Ok(Ok(Reply::Empty)) => reply(StatusCode::OK, Vec::new()),
        Ok(Err(e)) => error(&e),
        Err(_) => error(&ApiError::new(500, "internal_error", "The request failed")),
    })
}

fn reply(status: StatusCode, body: Vec<u8>) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(Bytes::from(body)));
    *r.status_mut() = status;
    r.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    r
}

fn error(e: &ApiError) -> Response<Full<Bytes>> {
    let status = StatusCode::from_u16(e.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut r = reply(status, e.body());
    if e.status == 401 {
        r.headers_mut().insert(WWW_AUTHENTICATE, HeaderValue::from_static("Basic realm=\"authgate\""));
    }
    r
}
