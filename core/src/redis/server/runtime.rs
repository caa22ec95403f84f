//! [`Server`] and [`ServerHandle`]: binding the listeners and serving, on a dedicated thread
//! with its own runtime or on the caller's tokio runtime.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::shared::{Listener, Shared};
use super::rest::RestServer;
use super::tls::{handshake_and_serve, CertificateUsers, Login, TlsState};
use super::{conn, listen, Config, ServerBuilder, ServerError};
use crate::redis::acl::Acl;

/// A configured server, ready to [`start`](Server::start) or [`run`](Server::run).
pub struct Server {
    acl: Arc<Acl>,
    config: Config,
    tls: Arc<TlsState>,
    acl_store: Option<Arc<super::acl_store::Store>>,
    upstream: Option<Arc<super::proxy::Target>>,
}

/// The listening sockets: plain TCP (`port`) and TLS (`tls-port`).
struct Bound {
    plain: Vec<std::net::TcpListener>,
    tls: Vec<std::net::TcpListener>,
    rest: Option<RestServer>,
}

impl Bound {
    fn addrs(&self) -> std::io::Result<(Vec<SocketAddr>, Vec<SocketAddr>)> {
        let plain = self.plain.iter().map(|l| l.local_addr()).collect::<Result<Vec<_>, _>>()?;
        let tls = self.tls.iter().map(|l| l.local_addr()).collect::<Result<Vec<_>, _>>()?;
        Ok((plain, tls))
    }
}

/// A running server started with [`Server::start`]. Stopping (or dropping) it closes the
/// listeners and every connection and waits for the server thread.
pub struct ServerHandle {
    addrs: Vec<SocketAddr>,
    tls_addrs: Vec<SocketAddr>,
    shared: Arc<Shared>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl ServerHandle {
    /// The first listening address: plain TCP, or TLS on a server without a plain port.
    pub fn local_addr(&self) -> SocketAddr {
        self.addrs.first().or(self.tls_addrs.first()).copied().expect("a running server listens somewhere")
    }

    /// Every plain TCP listening address.
    pub fn local_addrs(&self) -> &[SocketAddr] {
        &self.addrs
    }

    /// Every TLS listening address.
    pub fn tls_addrs(&self) -> &[SocketAddr] {
        &self.tls_addrs
    }

    /// The listening port (useful after binding port 0): the plain one, or the TLS one on a
    /// server without a plain port.
    pub fn port(&self) -> u16 {
        self.local_addr().port()
    }

    /// The TLS port, if the server has a TLS listener.
    pub fn tls_port(&self) -> Option<u16> {
        self.tls_addrs.first().map(SocketAddr::port)
    }

    /// The certificate users (Redis Software's `auth_method: certificate`).
    pub fn certificate_users(&self) -> CertificateUsers {
        CertificateUsers(self.shared.tls.clone())
    }

    /// Stops the server and waits for it.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        self.shared.shutdown.notify_one();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for ServerHandle {
    fn drop(&mut self) {
        self.shutdown();
    }
}

impl Server {
    /// A builder for a server sharing `acl`.
    pub fn builder(acl: Arc<Acl>) -> ServerBuilder {
        ServerBuilder::new(acl)
    }

    pub(crate) fn new(acl: Arc<Acl>, config: Config, tls: Arc<TlsState>) -> Server {
        Server { acl, config, tls, acl_store: None, upstream: None }
    }

    /// Forwards checked commands to `upstream` (proxy mode).
    pub(crate) fn with_upstream(mut self, upstream: Option<Arc<super::proxy::Target>>) -> Server {
        self.upstream = upstream;
        self
    }

    /// Writes ACL SETUSER/DELUSER/LOAD through `store` (`acl-store`).
    pub(crate) fn with_acl_store(mut self, store: Option<Arc<super::acl_store::Store>>) -> Server {
        self.acl_store = store;
        self
    }

    /// The certificate users; the same set the running server uses.
    pub fn certificate_users(&self) -> CertificateUsers {
        CertificateUsers(self.tls.clone())
    }

    fn shared(&self, rebind_tx: mpsc::UnboundedSender<Vec<std::net::TcpListener>>) -> Arc<Shared> {
        let shared = Shared::new(self.acl.clone(), self.config.clone(), self.tls.clone(), rebind_tx);
        let shared = Arc::new(shared.with_acl_store(self.acl_store.clone()).with_upstream(self.upstream.clone()));
        self.tls.attach(&shared);
        self.acl.subscribe(Arc::new(Listener(Arc::downgrade(&shared))));
        shared
    }

    /// The settings.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Binds `port` and `tls-port`. Port 0 means no listener (Redis' meaning), or a free
    /// port when [`Config::free_port_for_zero`] is set (the embedding APIs).
    fn bind(&mut self) -> Result<Bound, ServerError> {
        let free = self.config.free_port_for_zero;
        if self.config.port == 0 && !self.config.tls.wanted(free) && !free {
            return Err(ServerError::Config("Configured to not listen anywhere, exiting.".into()));
        }
        let plain = if self.config.port != 0 || free {
            listen::bind_all(&self.config.bind, self.config.port)?
        } else {
            Vec::new()
        };
        if let Some(l) = plain.first() {
            self.config.port = l.local_addr()?.port();
        }
        let tls = if self.config.tls.wanted(free) {
            listen::bind_all(&self.config.bind, self.config.tls.port)?
        } else {
            Vec::new()
        };
        if let Some(l) = tls.first() {
            self.config.tls.port = l.local_addr()?.port();
        }
        if plain.is_empty() && tls.is_empty() {
            return Err(ServerError::Config("no address to bind".into()));
        }
        let rest = RestServer::bind(&self.config, self.acl.clone(), self.tls.clone())?;
        Ok(Bound { plain, tls, rest })
    }

    /// Binds, then serves on a dedicated thread running its own event loop ([`event_loop`]).
    /// Usable from synchronous code (and from inside another runtime).
    pub fn start(mut self) -> Result<ServerHandle, ServerError> {
        let listeners = self.bind()?;
        let (addrs, tls_addrs) = listeners.addrs()?;
        log_ready(&addrs, &tls_addrs);
        let (rebind_tx, rebind_rx) = mpsc::unbounded_channel();
        let shared = self.shared(rebind_tx);
        let s2 = shared.clone();
        // The loop is built on the server's own thread, not the caller's: building a
        // current-thread runtime (or waiting on a std channel) gives the calling thread Rust
        // thread state, which a foreign caller's thread (a C program's main thread) keeps
        // unfreed until exit. A Mutex and Condvar (plain futexes) carry the outcome back.
        let built = Arc::new(Built::default());
        let built2 = built.clone();
        let thread = std::thread::Builder::new().name("authgate-server".into()).spawn(move || {
            let runtime = match std::panic::catch_unwind(event_loop) {
                Ok(Ok(runtime)) => {
                    built2.set(Ok(()));
                    runtime
                }
                Ok(Err(e)) => {
                    built2.set(Err(e));
                    return;
                }
                Err(_) => {
                    built2.set(Err(std::io::Error::other("building the event loop panicked")));
                    return;
                }
            };
            runtime.block_on(async move {
                let _ = serve(s2.clone(), listeners, rebind_rx, std::future::pending::<()>()).await;
            });
            runtime.shutdown_timeout(Duration::from_secs(1));
        })?;
        if let Err(e) = built.wait() {
            let _ = thread.join();
            return Err(e.into());
        }
        Ok(ServerHandle { addrs, tls_addrs, shared, thread: Some(thread) })
    }

    /// Serves on the current tokio runtime until `shutdown` completes. `on_ready` is called
    /// with the listening addresses (plain TCP, then TLS) once bound.
    pub async fn run_until<F: Future<Output = ()>>(
        mut self,
        shutdown: F,
        on_ready: impl FnOnce(&[SocketAddr]),
    ) -> Result<(), ServerError> {
        let listeners = self.bind()?;
        let (addrs, tls_addrs) = listeners.addrs()?;
        let (rebind_tx, rebind_rx) = mpsc::unbounded_channel();
        let shared = self.shared(rebind_tx);
        log_ready(&addrs, &tls_addrs);
        let all: Vec<SocketAddr> = addrs.iter().chain(&tls_addrs).copied().collect();
        on_ready(&all);
        serve(shared, listeners, rebind_rx, shutdown).await
    }

    /// Serves on the current tokio runtime until Ctrl-C.
    pub async fn run(self) -> Result<(), ServerError> {
        self.run_until(
            async {
                let _ = tokio::signal::ctrl_c().await;
            },
            |_| {},
        )
        .await
    }
}

/// The outcome of building the event loop on the server thread, handed to [`Server::start`].
#[derive(Default)]
struct Built {
    outcome: std::sync::Mutex<Option<std::io::Result<()>>>,
    ready: std::sync::Condvar,
}

impl Built {
    fn set(&self, outcome: std::io::Result<()>) {
        *self.outcome.lock().unwrap_or_else(|p| p.into_inner()) = Some(outcome);
        self.ready.notify_one();
    }

    fn wait(&self) -> std::io::Result<()> {
        let mut slot = self.outcome.lock().unwrap_or_else(|p| p.into_inner());
        loop {
            if let Some(outcome) = slot.take() {
                return outcome;
            }
            slot = self.ready.wait(slot).unwrap_or_else(|p| p.into_inner());
        }
    }
}

/// The runtime a server started by [`Server::start`] or `authgate serve` runs on: one thread,
/// one epoll loop that runs every connection's task, which is redis-server's own model.
///
/// Why not tokio's multi-threaded scheduler: under redis-benchmark's load it spent more CPU per
/// request than this loop (measured side by side, BENCHMARKS.md "Server"): its workers wake
/// and steal from each other through futexes, and on a machine whose cores the clients also
/// use, those hand-offs cost more than a second core gives back. Every connection task is
/// plain tokio code, so the same loop hosts async TLS (tokio-rustls drives rustls over any
/// tokio stream) and outbound connections (`tokio::net::TcpStream::connect`); a program that
/// wants more threads runs [`Server::run_until`] on its own runtime.
pub fn event_loop() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread().enable_all().build()
}

/// What redis-server logs once it listens (its "Running mode" line names the port, which
/// tells a caller of port 0 where to connect), with the addresses.
fn log_ready(addrs: &[SocketAddr], tls_addrs: &[SocketAddr]) {
    tracing::info!("Running mode=standalone, port={}.", addrs.first().map_or(0, |a| a.port()));
    if !addrs.is_empty() {
        let list: Vec<String> = addrs.iter().map(SocketAddr::to_string).collect();
        tracing::info!("Ready to accept connections tcp on {}", list.join(" "));
    }
    if !tls_addrs.is_empty() {
        let list: Vec<String> = tls_addrs.iter().map(SocketAddr::to_string).collect();
        tracing::info!("Ready to accept connections tls on {}", list.join(" "));
    }
}

/// One accept loop per listener; `serve_one` takes each accepted connection (a plain session,
/// or a TLS handshake first) with its client id.
pub(crate) fn spawn_accept_loops<S, Fut>(
    shared: &Arc<Shared>,
    listeners: Vec<std::net::TcpListener>,
    serve_one: S,
) -> Vec<JoinHandle<()>>
where
    S: Fn(Arc<Shared>, TcpStream, SocketAddr, u64) -> Fut + Copy + Send + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let mut tasks = Vec::new();
    for l in listeners {
        let Ok(listener) = TcpListener::from_std(l) else { continue };
        let shared = shared.clone();
        tasks.push(tokio::spawn(async move {
            loop {
                match listener.accept().await {
                    Ok((stream, addr)) => {
                        // Ids in accept order, as Redis numbers its clients: the connection
                        // tasks may start in any order.
                        let id = shared.next_client_id();
                        tokio::spawn(serve_one(shared.clone(), stream, addr, id));
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

/// A plain connection: no certificate, so no login at accept.
async fn serve_plain(shared: Arc<Shared>, stream: TcpStream, addr: SocketAddr, id: u64) {
    conn::serve(shared, stream, addr, id, Login::None).await
}

async fn serve<F: Future<Output = ()>>(
    shared: Arc<Shared>,
    listeners: Bound,
    mut rebind: mpsc::UnboundedReceiver<Vec<std::net::TcpListener>>,
    shutdown: F,
) -> Result<(), ServerError> {
    let mut accept = spawn_accept_loops(&shared, listeners.plain, serve_plain);
    let mut tls_accept = spawn_accept_loops(&shared, listeners.tls, handshake_and_serve);
    let (tls_rebind_tx, mut tls_rebind) = mpsc::unbounded_channel();
    shared.tls.set_rebind(tls_rebind_tx);
    let rest = listeners.rest.map(RestServer::spawn).unwrap_or_default();
    // upstream-acl mirror: the upstream's ACL users follow authgate's from now on.
    let mirror = shared.upstream.as_ref().and_then(|t| t.start_mirror(&shared.acl));
    let sweeper = {
        let shared = shared.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_millis(500));
            for n in 0u64.. {
                tick.tick().await;
                shared.keyspace.sweep_expired();
                // Redis' serverCron logs this every 5 seconds at debug level, from its first run.
                if n % 10 == 0 {
                    tracing::trace!("{} clients connected (0 replicas)", shared.clients.len());
                }
            }
        })
    };
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            _ = &mut shutdown => break,
            _ = shared.shutdown.notified() => break,
            new = rebind.recv() => {
                let Some(new) = new else { break };
                for t in accept.drain(..) {
                    t.abort();
                }
                accept = spawn_accept_loops(&shared, new, serve_plain);
            }
            new = tls_rebind.recv() => {
                let Some(new) = new else { break };
                for t in tls_accept.drain(..) {
                    t.abort();
                }
                tls_accept = spawn_accept_loops(&shared, new, handshake_and_serve);
            }
        }
    }
    for t in accept.into_iter().chain(tls_accept).chain(rest) {
        t.abort();
    }
    sweeper.abort();
    if let Some(m) = mirror {
        m.abort();
    }
    shared.clients.kill_all();
    Ok(())
}
