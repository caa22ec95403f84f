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
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::task::{ready, Poll};

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;

use super::buffers::{self, BUFFER_CAPACITY};
use super::clients::{ClientHandle, ClientMsg};
use super::commands::pubsub::encode_message;
use super::dispatch::execute;
use super::keyspace::{now_ms, set_cached_now};
use super::outlimits::{BufferLimit, ClientClass, OutputBufferLimits};
use super::session::Session;
use super::shared::Shared;
use super::tls::Login;
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
/// `login` is what a client certificate decided at the TLS handshake. Whatever the way out
/// (the client leaves, it is killed, the task panics or is dropped), the session's `Drop`
/// frees the client's slot, subscriptions and queued messages.
pub(crate) async fn serve<S: ClientStream>(
    shared: Arc<Shared>,
    mut stream: S,
    addr: SocketAddr,
    id: u64,
    login: Login,
) {
    let _ = stream.tcp().set_nodelay(true);
    let laddr = stream.tcp().local_addr().unwrap_or(addr);
    let handle = Arc::new(ClientHandle::new(id, addr, laddr, raw_fd(stream.tcp())));
    let maxclients = shared.config.read().maxclients;
    if !shared.clients.try_add(handle.clone(), maxclients) {
        shared.add_rejected();
        tracing::debug!("Rejected {addr}: max number of clients reached");
        if stream.write_all(MAXCLIENTS_REPLY).await.is_ok() {
            let _ = stream.flush().await;
        }
        return;
    }
    tracing::debug!("Accepted {addr}");
    let mut session = Session::new(shared, handle);
    login.apply(&mut session);
    run(&mut session, &mut stream).await;
}

/// What Redis writes to a connection refused at `maxclients` before closing it.
const MAXCLIENTS_REPLY: &[u8] = b"-ERR max number of clients reached\r\n";

/// The limits a connection applies, read from the live config once per batch of requests.
struct Limits {
    output: OutputBufferLimits,
    query: usize,
}

impl Limits {
    fn read(s: &Session) -> Limits {
        let c = s.shared.config.read();
        Limits { output: c.client_output_buffer_limit, query: c.client_query_buffer_limit }
    }

    /// The output limit of the client's class (Redis' `getClientType`: subscribers are pubsub).
    fn output_of(&self, s: &Session) -> BufferLimit {
        self.output.get(if s.in_pubsub() { ClientClass::Pubsub } else { ClientClass::Normal })
    }
}

/// Work units (see `Session::work`) a connection does per pass over its input before it
/// yields. The server runs every connection on one thread: without a budget, a client that
/// pipelines thousands of commands, or a publisher whose every PUBLISH reaches a thousand
/// subscribers, keeps that thread for its whole buffer while every other client, however
/// small its request, waits (`make load`'s control PING waited up to a second behind an AUTH
/// storm and a Pub/Sub flood). Replies stay in order; only other clients get in between
/// (tests/server_work_budget.rs shows both, by order of execution).
const WORK_BUDGET: usize = 16;

/// Why a connection ends without sending what it has buffered.
struct Dropped;

async fn run<S: ClientStream>(s: &mut Session, stream: &mut S) {
    let handle = s.handle.clone();
    let mut rbuf: Vec<u8> = Vec::new();
    let mut pos = 0usize;
    let mut parser = RequestParser::new();
    let mut argv = Argv::new();
    loop {
        // Execute the complete requests in the buffer, up to the work budget.
        s.work = 0;
        let mut budget_spent = false;
        s.now = now_ms();
        set_cached_now(s.now);
        let limits = Limits::read(s);
        if pos < rbuf.len() {
            buffers::lend(&mut s.out.buf);
            if s.proxy.is_some() {
                super::proxy::begin_batch(s).await;
            }
        }
        loop {
            if s.close || s.handle.is_killed() || s.user.is_removed() {
                // A client that killed itself (or deleted its own user) gets this reply.
                s.close = true;
                break;
            }
            match parser.parse(&rbuf, &mut pos, &mut argv, s.auth_required()) {
                Ok(true) => {
                    execute(s, argv.as_slice());
                    loop {
                        if let Some(job) = s.store_job.take() {
                            job.finish(s).await;
                        }
                        if let Some(job) = s.file_job.take() {
                            job.finish(s).await;
                        }
                        // An EXEC that stopped for a store write goes on from its next command.
                        match s.paused_exec.take() {
                            Some(paused) => super::commands::multi::resume(s, paused),
                            None => break,
                        }
                    }
                    argv.release_excess();
                    if s.out.buf.len() > UNAUTH_OUTPUT_LIMIT && s.auth_required() {
                        tracing::debug!(
                            "Client closed for exceeding the unauthenticated output limit {}",
                            line(s)
                        );
                        return;
                    }
                    handle.unwritten.store(s.out.buf.len(), Ordering::Release);
                    if handle.enforce_output_limit(&limits.output_of(s)) {
                        return;
                    }
                    s.work += 1;
                    // Not in proxy mode: its forwarded commands are exchanged per batch.
                    if s.work >= WORK_BUDGET && s.proxy.is_none() {
                        budget_spent = true;
                        break;
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
        if !parser.in_request() {
            argv.release();
        }
        if s.proxy.as_ref().is_some_and(|p| p.has_pending()) {
            // Proxy mode: the forwarded commands' replies join the local ones, in order.
            if !super::proxy::exchange(s, stream).await {
                return;
            }
            while let Some(msg) = handle.mailbox.pop() {
                handle_msg(s, msg);
            }
            if handle.is_killed() && !s.close {
                return;
            }
        }
        // Replies are sent once the input read is done, as Redis sends them after a whole read:
        // a pass cut short by the budget keeps them, so the output limits see the same amounts.
        if !budget_spent && !s.out.buf.is_empty() && write_out(s, stream, &limits).await.is_err() {
            return;
        }
        buffers::reclaim(&mut s.out.buf);
        if s.close {
            return;
        }
        // The unparsed input plus the arguments of the request being received: parsed
        // arguments no longer sit in `rbuf`, and must not escape the limit.
        let input = rbuf.capacity() + argv.memory();
        if input > 0 {
            s.shared.recent_max_input.record(input, s.now / 1000);
        }
        if rbuf.len() + argv.memory() > limits.query {
            // Redis also quotes the buffer's first bytes; they may hold a password, so not here.
            tracing::warn!("Closing client that reached max query buffer length: {}", line(s));
            return;
        }
        if budget_spent {
            // Requests may be left in `rbuf`: run them after the other ready tasks have had
            // their turn, without waiting for more input.
            tokio::task::yield_now().await;
            if handle.is_killed() {
                return;
            }
            continue;
        }
        let want = parser.pending_bulk_len().map_or(READ_CHUNK, |n| (n + 2).clamp(READ_CHUNK, 64 * 1024 * 1024));
        let pushing = s.proxy.as_ref().is_some_and(|p| p.in_push_mode(s.in_pubsub()));
        let proxy = &mut s.proxy;
        tokio::select! {
            r = upstream_push(proxy), if pushing => {
                if let Err(e) = r {
                    tracing::warn!("{e}; closing its subscribed client {}", line(s));
                    return;
                }
                buffers::lend(&mut s.out.buf);
                if !super::proxy::take_pushes(s, 0) {
                    return;
                }
            }
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
        if handle.is_killed() {
            // Killed by another client (or the server) while waiting: nothing more is sent.
            return;
        }
    }
}

/// What woke a connection blocked in a write.
enum WriteEvent {
    Wrote(std::io::Result<usize>),
    Flushed(std::io::Result<()>),
    Mail,
    /// Proxy mode: the upstream sent messages for a subscribed (or monitoring) client.
    Push(Result<(), String>),
}

/// Waits for what the upstream sends a subscribed or monitoring client in proxy mode.
async fn upstream_push(proxy: &mut Option<Box<super::proxy::ProxySession>>) -> Result<(), String> {
    match proxy.as_deref_mut() {
        Some(p) => p.push_arrived().await,
        None => std::future::pending().await,
    }
}

/// Sends `s.out.buf`, watching the mailbox meanwhile: a client that does not read is still
/// killable (the kill closes its socket at once, unsent output dropped) and its Pub/Sub
/// messages are encoded behind what is pending, under its output limit. `Err` means the
/// connection must end now.
async fn write_out<S: ClientStream>(s: &mut Session, stream: &mut S, limits: &Limits) -> Result<(), Dropped> {
    let handle = s.handle.clone();
    let mut written = 0usize;
    loop {
        if written >= OUTPUT_COMPACT_AT && written * 2 > s.out.buf.len() {
            s.out.buf.drain(..written);
            written = 0;
        }
        let unsent = s.out.buf.len() - written;
        handle.unwritten.store(unsent, Ordering::Release);
        // `flush` sends what a TLS session still buffers (a no-op on TCP).
        let pending = &s.out.buf[written..];
        let io = async {
            if pending.is_empty() {
                WriteEvent::Flushed(stream.flush().await)
            } else {
                WriteEvent::Wrote(stream.write(pending).await)
            }
        };
        let pushing = s.proxy.as_ref().is_some_and(|p| p.in_push_mode(s.in_pubsub()));
        let proxy = &mut s.proxy;
        let event = tokio::select! {
            event = io => event,
            () = handle.mailbox.wait() => WriteEvent::Mail,
            r = upstream_push(proxy), if pushing => WriteEvent::Push(r),
        };
        match event {
            WriteEvent::Wrote(Ok(0)) => return Err(Dropped),
            WriteEvent::Wrote(Ok(n)) => {
                written += n;
                if written < s.out.buf.len() {
                    // The socket took only part: this is output Redis would count as held.
                    handle.unwritten.store(s.out.buf.len() - written, Ordering::Release);
                    s.shared.recent_max_output.record(handle.output_used() as usize, now_ms() / 1000);
                }
            }
            WriteEvent::Wrote(Err(e)) | WriteEvent::Flushed(Err(e)) => {
                tracing::debug!("Error writing to client: {e}");
                return Err(Dropped);
            }
            WriteEvent::Flushed(Ok(())) => break,
            WriteEvent::Push(Err(e)) => {
                tracing::warn!("{e}; closing its subscribed client {}", line(s));
                return Err(Dropped);
            }
            WriteEvent::Push(Ok(())) => {
                // Relayed messages queue behind what is pending, under the pubsub limit.
                if !super::proxy::take_pushes(s, written) {
                    return Err(Dropped);
                }
            }
            WriteEvent::Mail => {
                // A kill the client asked for itself (s.close already set) still sends its reply.
                if handle.is_killed() && !s.close {
                    return Err(Dropped);
                }
                while let Some(msg) = handle.mailbox.pop() {
                    handle_msg(s, msg);
                    if s.out.buf.is_empty() && s.close {
                        return Err(Dropped);
                    }
                }
                handle.unwritten.store(s.out.buf.len() - written, Ordering::Release);
                s.shared.recent_max_output.record(handle.output_used() as usize, now_ms() / 1000);
                if handle.enforce_output_limit(&limits.output_of(s)) {
                    return Err(Dropped);
                }
            }
        }
    }
    s.out.buf.clear();
    handle.unwritten.store(0, Ordering::Release);
    Ok(())
}

/// Sent bytes are dropped from the front of the reply buffer once there are this many (and
/// they are more than half of it), so a slow reader's buffer does not keep what it has read.
const OUTPUT_COMPACT_AT: usize = 64 * 1024;

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
        ClientMsg::ChannelsRevoked(allowed) => {
            let lost = s.psubs.iter().any(|p| !allowed.allows_pattern(p))
                || s.subs.iter().chain(s.ssubs.iter()).any(|c| !allowed.allows_channel(c));
            if lost {
                // Redis frees the client without a reply.
                s.out.buf.clear();
                s.close = true;
                s.handle.kill();
            }
        }
    }
}
