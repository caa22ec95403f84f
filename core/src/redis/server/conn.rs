//! One connection: read, parse every complete request, execute, write all replies at once.
//!
//! Pipelining is natural here: each read appends to the query buffer, every complete request
//! in it is executed, and the replies of the whole batch go out with one write. Out-of-band
//! work (Pub/Sub messages, kills, channel revocations) arrives in the client's mailbox.
//! The query and reply buffers are borrowed from the thread's pool ([`buffers`]) while there is
//! something in them, so an idle connection owns neither. The same loop serves plain TCP and
//! TLS connections: it is generic over a [`ClientStream`].

use std::future::{poll_fn, Future};
use std::net::SocketAddr;
use std::pin::pin;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{ready, Poll};
use std::time::Instant;

use parking_lot::Mutex;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;

use super::buffers::{self, BUFFER_CAPACITY};
use super::clients::{ClientHandle, ClientInfo, ClientMsg, Mailbox};
use super::dispatch::execute;
use super::keyspace::{now_ms, set_cached_now};
use super::commands::pubsub::{encode_message, unsubscribe_all};
use super::session::Session;
use super::shared::Shared;
use super::tls::Login;
use crate::redis::resp::parse::CLIENT_QUERY_BUFFER_LIMIT;
use crate::redis::resp::{Argv, RequestParser};

/// Output an unauthenticated client may accumulate before it is dropped: Redis' 16 KiB reply
/// buffer, past which the CVE-2025-21605 rule (reply list over 1024 bytes) closes the client
/// without sending anything.
const UNAUTH_OUTPUT_LIMIT: usize = 16 * 1024;
/// Read granularity.
const READ_CHUNK: usize = BUFFER_CAPACITY;

/// A client connection's byte stream: a plain [`TcpStream`] or TLS over one.
pub(crate) trait ClientStream: AsyncRead + AsyncWrite + Unpin {
    /// The TCP socket underneath (addresses, fd, `TCP_NODELAY`).
    fn tcp(&self) -> &TcpStream;

    /// Ready when a read may bring bytes. A TLS stream answers at once (its session may hold
    /// decrypted bytes the socket no longer signals); its read then returns `Pending` if
    /// there is nothing, and [`read_when_ready`] hands the buffer back.
    fn poll_readable(&self, cx: &mut std::task::Context<'_>) -> Poll<std::io::Result<()>>;
}

impl ClientStream for TcpStream {
    fn tcp(&self) -> &TcpStream {
        self
    }

    fn poll_readable(&self, cx: &mut std::task::Context<'_>) -> Poll<std::io::Result<()>> {
        self.poll_read_ready(cx)
    }
}

#[cfg(unix)]
fn raw_fd(s: &TcpStream) -> i64 {
    use std::os::fd::AsRawFd;
    i64::from(s.as_raw_fd())
}

#[cfg(not(unix))]
fn raw_fd(_s: &TcpStream) -> i64 {
    -1
}

/// Serves one accepted connection until it closes. `id` was taken when it was accepted;
/// `login` is what a client certificate decided at the TLS handshake.
pub(crate) async fn serve<S: ClientStream>(
    shared: Arc<Shared>,
    mut stream: S,
    addr: SocketAddr,
    id: u64,
    login: Login,
) {
    let _ = stream.tcp().set_nodelay(true);
    let maxclients = shared.config.read().maxclients;
    if shared.clients.len() >= maxclients {
        shared.add_rejected();
        tracing::debug!("Rejected {addr}: max number of clients reached");
        if stream.write_all(b"-ERR max number of clients reached\r\n").await.is_ok() {
            let _ = stream.flush().await;
        }
        return;
    }
    let laddr = stream.tcp().local_addr().unwrap_or(addr);
    let handle = Arc::new(ClientHandle {
        id,
        addr,
        laddr,
        fd: raw_fd(stream.tcp()),
        created: Instant::now(),
        mailbox: Mailbox::default(),
        info: Mutex::new(ClientInfo { multi: -1, resp: 2, ..ClientInfo::default() }),
        last_cmd: AtomicUsize::new(0),
        last_active: AtomicI64::new(now_ms()),
        killed: AtomicBool::new(false),
        pending: AtomicUsize::new(0),
    });
    shared.clients.add(handle.clone());
    tracing::debug!("Accepted {addr}");
    let mut session = Session::new(shared.clone(), handle.clone());
    login.apply(&mut session);
    run(&mut session, &mut stream).await;
    handle.mailbox.close();
    unsubscribe_all(&mut session);
    shared.clients.remove(handle.id);
}

async fn run<S: ClientStream>(s: &mut Session, stream: &mut S) {
    let handle = s.handle.clone();
    let mut rbuf: Vec<u8> = Vec::new();
    let mut pos = 0usize;
    let mut parser = RequestParser::new();
    let mut argv = Argv::new();
    loop {
        // Execute every complete request in the buffer.
        s.now = now_ms();
        set_cached_now(s.now);
        if pos < rbuf.len() {
            buffers::lend(&mut s.out.buf);
        }
        loop {
            if s.close || s.handle.is_killed() || s.user.is_removed() {
                s.close = true;
                break;
            }
            match parser.parse(&rbuf, &mut pos, &mut argv, s.auth_required()) {
                Ok(true) => {
                    execute(s, argv.as_slice());
                    if let Some(job) = s.store_job.take() {
                        job.finish(s).await;
                    }
                    if s.out.buf.len() > UNAUTH_OUTPUT_LIMIT && s.auth_required() {
                        tracing::debug!(
                            "Client closed for exceeding the unauthenticated output limit {}",
                            line(s)
                        );
                        return;
                    }
                }
                Ok(false) => break,
                Err(e) => {
                    tracing::debug!(
                        "Protocol error ({}) from client: {}",
                        String::from_utf8_lossy(&e.reply_text()),
                        line(s)
                    );
                    s.out.error(&e.reply_text());
                    s.close = true;
                    break;
                }
            }
        }
        if pos == rbuf.len() {
            rbuf.clear();
            pos = 0;
        } else if pos > 0 {
            rbuf.drain(..pos);
            pos = 0;
        }
        buffers::reclaim(&mut rbuf);
        if s.proxy.as_ref().is_some_and(|p| p.has_pending()) {
            // Proxy mode: the forwarded commands' replies join the local ones, in order.
            if !super::proxy::exchange(s, stream).await {
                return;
            }
            while let Some(msg) = handle.mailbox.pop() {
                handle_msg(s, msg);
            }
        }
        if !s.out.buf.is_empty() {
            // `flush` sends what a TLS session still buffers (a no-op on TCP).
            let written = match stream.write_all(&s.out.buf).await {
                Ok(()) => stream.flush().await,
                Err(e) => Err(e),
            };
            if let Err(e) = written {
                tracing::debug!("Error writing to client: {e}");
                return;
            }
            s.out.buf.clear();
        }
        buffers::reclaim(&mut s.out.buf);
        if s.close {
            return;
        }
        if rbuf.len() > CLIENT_QUERY_BUFFER_LIMIT {
            // Redis also quotes the buffer's first bytes; they may hold a password, so not here.
            tracing::warn!("Closing client that reached max query buffer length: {}", line(s));
            return;
        }
        let want = parser.pending_bulk_len().map_or(READ_CHUNK, |n| (n + 2).clamp(READ_CHUNK, 64 * 1024 * 1024));
        tokio::select! {
            r = read_when_ready(stream, &mut rbuf, want) => match r {
                Ok(0) => {
                    tracing::debug!("Client closed connection {}", line(s));
                    return;
                }
                Err(e) => {
                    tracing::debug!("Reading from client: {e}");
                    return;
                }
                Ok(n) => s.shared.add_net_input(n),
            },
            () = handle.mailbox.wait() => {
                buffers::lend(&mut s.out.buf);
                while let Some(msg) = handle.mailbox.pop() {
                    handle_msg(s, msg);
                }
            }
        }
    }
}

/// Reads what the socket holds into `rbuf`, with room for `want` bytes. The buffer is borrowed
/// from the pool only once the socket is readable and handed back if the read brings nothing,
/// so a connection waiting for input holds no buffer (unless `rbuf` keeps a partial request).
/// The read goes through `AsyncRead`, which records that the socket is drained when a read
/// returns less than asked: the next wait then costs no extra `read` that would fail with
/// `EAGAIN`.
async fn read_when_ready<S: ClientStream>(stream: &mut S, rbuf: &mut Vec<u8>, want: usize) -> std::io::Result<usize> {
    poll_fn(|cx| {
        ready!(stream.poll_readable(cx))?;
        buffers::lend(rbuf);
        if rbuf.capacity() - rbuf.len() < want.min(READ_CHUNK) {
            rbuf.reserve(want);
        }
        let read = pin!(stream.read_buf(&mut *rbuf)).poll(cx);
        if !matches!(read, Poll::Ready(Ok(n)) if n > 0) {
            buffers::reclaim(rbuf);
        }
        read
    })
    .await
}

/// The client's CLIENT LIST line for a log event (names and counters, never arguments).
fn line(s: &Session) -> String {
    String::from_utf8_lossy(&s.client_line()).into_owned()
}

fn handle_msg(s: &mut Session, msg: ClientMsg) {
    match msg {
        ClientMsg::Message(m) => {
            // `deliver` added the cost before queueing, so this cannot underflow.
            s.handle.pending.fetch_sub(m.cost(), Ordering::AcqRel);
            encode_message(&mut s.out, &m, m.sharded);
        }
        ClientMsg::Kill => s.close = true,
        ClientMsg::ChannelsRevoked(allowed) => {
            let lost = s.psubs.iter().any(|p| !allowed.allows_pattern(p))
                || s.subs.iter().chain(s.ssubs.iter()).any(|c| !allowed.allows_channel(c));
            if lost {
                // Redis frees the client without a reply.
                s.out.buf.clear();
                s.close = true;
            }
        }
    }
}
