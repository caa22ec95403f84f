//! The upstream connection of one client and the exchange of a batch with it.
//!
//! [`exchange`] runs after the connection task has executed a batch of requests: it sends
//! the forwarded commands (writing and reading at the same time, so a long pipeline cannot
//! deadlock against an upstream that answers while it reads) and builds the client's output
//! from the local replies and the upstream's, in request order. Upstream bytes are copied as
//! they arrive and written to the client every [`FLUSH_AT`] bytes, so a slow client slows the
//! relay instead of growing a buffer, and a reply of any size passes through in pieces.

use std::io;
use std::sync::atomic::Ordering;
use std::time::Duration;

use std::pin::Pin;
use std::task::Poll;

use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::TcpStream;

use super::reply::{header, Header, ReplyScanner, UpstreamProtocolError};
use super::tls::Wire;
use super::{encode, Slot, SlotKind, Target, UpstreamUrl};
use crate::redis::acl::UserRef;
use crate::redis::server::clients::ClientHandle;
use crate::redis::server::outlimits::{BufferLimit, ClientClass};
use crate::redis::server::session::Session;

/// How long opening an upstream connection (connect, AUTH, SELECT) may take.
pub(crate) const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Relayed bytes are written to the client once this many are pending.
const FLUSH_AT: usize = 64 * 1024;
/// Upstream read granularity.
const READ_CHUNK: usize = 16 * 1024;

/// An open, authenticated upstream connection.
pub(crate) struct Upstream {
    stream: Wire,
    /// Read buffer, zeroed once and read into in place (no per-read initialisation): the
    /// bytes read and not yet consumed are `rbuf[rpos..rend]`.
    rbuf: Vec<u8>,
    rpos: usize,
    rend: usize,
}

/// Why an exchange with the upstream failed.
#[derive(Debug)]
pub(super) enum Failure {
    Io(io::Error),
    Closed,
    Protocol(UpstreamProtocolError),
    /// The upstream refused authgate's AUTH or SELECT on a new connection.
    Refused(Vec<u8>),
    Timeout,
    /// The TLS handshake with a `rediss://` upstream failed (rustls' reason).
    Tls(String),
    /// The client was killed or its user removed while a reply was awaited.
    ClientGone,
    /// Mirror mode: the client's user is not (yet) on the upstream.
    Mirror(String),
}

impl Failure {
    /// The error the client gets, naming the upstream (never its credentials).
    pub(super) fn message(&self, url: &UpstreamUrl) -> String {
        let what = match self {
            Failure::Io(e) => format!("unavailable: {}", strip_os_error(e)),
            Failure::Closed => "closed the connection".to_string(),
            Failure::Protocol(e) => format!("sent a reply that is not RESP ({})", e.0),
            Failure::Refused(text) => format!("refused authgate's connection: {}", String::from_utf8_lossy(text)),
            Failure::Timeout => format!("did not answer within {} seconds", CONNECT_TIMEOUT.as_secs()),
            Failure::Tls(why) => format!("TLS handshake failed: {why}"),
            Failure::ClientGone => "reply abandoned".to_string(),
            Failure::Mirror(why) => why.clone(),
        };
        format!("ERR upstream {url} {what}")
    }
}

fn strip_os_error(e: &io::Error) -> String {
    let text = e.to_string();
    match text.rfind(" (os error ") {
        Some(at) => text[..at].to_string(),
        None => text,
    }
}

impl Upstream {
    /// Connects (with the TLS handshake for `rediss://`), authenticates with the URL's
    /// credentials and selects `db`; with `read_commands`, also reads the upstream's COMMAND
    /// into the target's command table; with `login` (mirror mode), then logs in as that
    /// (user, password).
    pub(super) async fn open(
        target: &Target,
        db: u32,
        read_commands: bool,
        login: Option<(Vec<u8>, Vec<u8>)>,
    ) -> Result<Upstream, Failure> {
        let url = &target.url;
        let opening = async {
            let tcp = TcpStream::connect((url.host.as_str(), url.port)).await.map_err(Failure::Io)?;
            let _ = tcp.set_nodelay(true);
            let stream = match &target.tls {
                Some(tls) => tls.handshake(tcp).await.map_err(Failure::Tls)?,
                None => Wire::Plain(tcp),
            };
            let mut up = Upstream { stream, rbuf: Vec::new(), rpos: 0, rend: 0 };
            let mut hello = Vec::new();
            let mut expected = 0;
            if let Some(pw) = &url.password {
                match &url.user {
                    Some(u) => encode(&mut hello, &[&b"AUTH"[..], u, pw]),
                    None => encode(&mut hello, &[&b"AUTH"[..], pw]),
                }
                expected += 1;
            }
            if db != 0 {
                encode(&mut hello, &[&b"SELECT"[..], db.to_string().as_bytes()]);
                expected += 1;
            }
            if expected > 0 {
                up.stream.write_all(&hello).await.map_err(Failure::Io)?;
                up.stream.flush().await.map_err(Failure::Io)?;
                for _ in 0..expected {
                    let mut reply = Vec::new();
                    up.read_reply(&mut reply, &[], &mut 0).await?;
                    if reply.first() == Some(&b'-') {
                        let text = reply.get(1..reply.len().saturating_sub(2)).unwrap_or_default();
                        return Err(Failure::Refused(text.to_vec()));
                    }
                }
            }
            if read_commands {
                up.read_commands(target).await?;
            }
            if let Some((user, password)) = login {
                let mut auth = Vec::new();
                encode(&mut auth, &[&b"AUTH"[..], &user, &password]);
                up.send_all(&auth).await?;
                let mut reply = Vec::new();
                up.read_reply(&mut reply, &[], &mut 0).await?;
                if reply.first() == Some(&b'-') {
                    let text = reply.get(1..reply.len().saturating_sub(2)).unwrap_or_default();
                    return Err(Failure::Refused(text.to_vec()));
                }
            }
            Ok(up)
        };
        tokio::time::timeout(CONNECT_TIMEOUT, opening).await.map_err(|_| Failure::Timeout)?
    }

    /// Sends COMMAND and keeps what its reply says the upstream has. An upstream that
    /// refuses COMMAND (renamed, or denied to authgate's upstream user) leaves authgate's
    /// table alone in charge, and is said so in the log.
    async fn read_commands(&mut self, target: &Target) -> Result<(), Failure> {
        let mut request = Vec::new();
        encode(&mut request, &[&b"COMMAND"[..]]);
        self.stream.write_all(&request).await.map_err(Failure::Io)?;
        self.stream.flush().await.map_err(Failure::Io)?;
        let mut reply = Vec::new();
        let mut scanner = ReplyScanner::new();
        loop {
            let (n, done) = scanner.scan(self.pending()).map_err(Failure::Protocol)?;
            reply.extend_from_slice(&self.pending()[..n]);
            self.rpos += n;
            if done {
                break;
            }
            if reply.len() > super::commands::MAX_COMMAND_REPLY {
                return Err(Failure::Protocol(UpstreamProtocolError("a COMMAND reply over 16 MiB".into())));
            }
            self.fill(&[], &mut 0).await?;
        }
        let table = match super::commands::UpstreamCommands::parse(&reply) {
            Ok(t) => {
                tracing::info!("Upstream {} lacks {} of authgate's commands and subcommands", target.url, t.missing());
                Some(std::sync::Arc::new(t))
            }
            Err(e) => {
                let first = String::from_utf8_lossy(&reply[..reply.len().min(200)]).trim_end().to_string();
                tracing::warn!(
                    "Upstream {} gave no command table ({}: {first}); authgate's table alone decides what is an unknown command",
                    target.url,
                    e.0
                );
                None
            }
        };
        *target.commands.write() = Some(table);
        Ok(())
    }

    /// True if the connection, unused since its last exchange, is still open and has sent
    /// nothing since (an idle upstream sends nothing but its end of the connection).
    fn idle_and_open(&mut self) -> bool {
        self.rpos == self.rend && self.stream.idle_and_open()
    }

    /// The bytes read and not yet consumed.
    pub(super) fn pending(&self) -> &[u8] {
        &self.rbuf[self.rpos..self.rend]
    }

    /// Writes `bytes` whole.
    pub(super) async fn send_all(&mut self, bytes: &[u8]) -> Result<(), Failure> {
        self.stream.write_all(bytes).await.map_err(Failure::Io)?;
        self.stream.flush().await.map_err(Failure::Io)
    }

    /// Marks the first `n` pending bytes consumed.
    pub(super) fn consume(&mut self, n: usize) {
        self.rpos += n;
    }

    /// Reads one whole small reply (the handshake's, SELECT's) into `out`, writing
    /// `wbuf[*wpos..]` meanwhile.
    pub(super) async fn read_reply(&mut self, out: &mut Vec<u8>, wbuf: &[u8], wpos: &mut usize) -> Result<(), Failure> {
        let mut scanner = ReplyScanner::new();
        loop {
            let (n, done) = scanner.scan(self.pending()).map_err(Failure::Protocol)?;
            out.extend_from_slice(&self.pending()[..n]);
            self.rpos += n;
            if done {
                return Ok(());
            }
            if out.len() > super::reply::MAX_LINE {
                return Err(Failure::Protocol(UpstreamProtocolError("an oversized short reply".into())));
            }
            self.fill(wbuf, wpos).await?;
        }
    }

    /// Reads more upstream bytes, writing `wbuf[*wpos..]` meanwhile: an upstream answers a
    /// long pipeline while it reads it, so waiting for the write to finish first could fill
    /// both directions' socket buffers and stall.
    pub(super) async fn fill(&mut self, wbuf: &[u8], wpos: &mut usize) -> Result<(), Failure> {
        if self.rpos == self.rend {
            self.rpos = 0;
            self.rend = 0;
        } else if self.rpos > 0 && self.rbuf.len() - self.rend < READ_CHUNK {
            self.rbuf.copy_within(self.rpos..self.rend, 0);
            self.rend -= self.rpos;
            self.rpos = 0;
        }
        if self.rbuf.len() - self.rend < READ_CHUNK {
            // Grows only while one unfinished reply line is longer than the buffer.
            self.rbuf.resize(self.rend + READ_CHUNK, 0);
        }
        let Upstream { stream, rbuf, rend, .. } = self;
        let mut flushed = false;
        std::future::poll_fn(|cx| {
            while *wpos < wbuf.len() {
                match Pin::new(&mut *stream).poll_write(cx, &wbuf[*wpos..]) {
                    Poll::Ready(Ok(0)) => return Poll::Ready(Err(Failure::Closed)),
                    Poll::Ready(Ok(n)) => *wpos += n,
                    Poll::Ready(Err(e)) => return Poll::Ready(Err(Failure::Io(e))),
                    Poll::Pending => break,
                }
            }
            // TLS keeps written records buffered until flushed (plain TCP: nothing to do).
            if *wpos == wbuf.len() && !flushed && matches!(stream, Wire::Tls(_)) {
                match Pin::new(&mut *stream).poll_flush(cx) {
                    Poll::Ready(Ok(())) => flushed = true,
                    Poll::Ready(Err(e)) => return Poll::Ready(Err(Failure::Io(e))),
                    Poll::Pending => {}
                }
            }
            let mut buf = ReadBuf::new(&mut rbuf[*rend..]);
            match Pin::new(&mut *stream).poll_read(cx, &mut buf) {
                Poll::Ready(Ok(())) if buf.filled().is_empty() => Poll::Ready(Err(Failure::Closed)),
                Poll::Ready(Ok(())) => {
                    *rend += buf.filled().len();
                    Poll::Ready(Ok(()))
                }
                Poll::Ready(Err(e)) => Poll::Ready(Err(Failure::Io(e))),
                Poll::Pending => Poll::Pending,
            }
        })
        .await
    }
}

/// Where the relay stands, for the error handling after a failure.
struct Relay<'a, W> {
    client: &'a mut W,
    /// The client's output being built (written out every [`FLUSH_AT`] bytes).
    out: Vec<u8>,
    /// True while part of a reply has been put in `out`: the client's stream would be
    /// broken by anything but the rest of it.
    mid_reply: bool,
    /// Bytes of this batch's output already written to the client.
    flushed: usize,
    /// The client's `client-output-buffer-limit` class limit.
    limit: BufferLimit,
    handle: &'a ClientHandle,
}

impl<W: AsyncWrite + Unpin> Relay<'_, W> {
    /// Applies the output limit, then writes `out` to the client once it holds [`FLUSH_AT`]
    /// bytes. The limit counts the whole batch's output, written or not, as authgate counts
    /// a local batch (all of it is buffered before the first write, as in Redis): a relayed
    /// reply is limited exactly as the same reply built locally, whatever the client's speed.
    async fn flush_if_full(&mut self) -> Result<(), io::Error> {
        self.handle.unwritten.store(self.flushed + self.out.len(), Ordering::Release);
        if self.handle.enforce_output_limit(&self.limit) {
            return Err(io::Error::other("output buffer limit reached"));
        }
        if self.out.len() >= FLUSH_AT {
            self.flushed += self.out.len();
            self.client.write_all(&self.out).await?;
            self.client.flush().await?;
            self.out.clear();
        }
        Ok(())
    }
}

/// A client-side write failure ends the connection; an upstream one is answered.
enum RelayError {
    Client(io::Error),
    Upstream(Failure),
}

impl From<Failure> for RelayError {
    fn from(f: Failure) -> RelayError {
        RelayError::Upstream(f)
    }
}

/// Prepares proxy mode for the batch about to run: until the upstream's command table has
/// been read, an authenticated client opens its upstream connection now (reading COMMAND on
/// it), so the batch's commands are checked against the upstream's table before any ACL
/// check; a failure to open is kept for the batch's forwarded commands. A client not yet
/// authenticated reads the table on a connection of its own with the URL's credentials,
/// closed at once: Redis answers an unknown command before NOAUTH, and a batch that
/// authenticates (AUTH then the command) must see the table before the command's ACL check.
/// If that fails the batch goes on with authgate's table alone; a later batch tries again.
pub(crate) async fn begin_batch(s: &mut Session) {
    let auth_required = s.auth_required();
    let Some(p) = s.proxy.as_deref_mut() else { return };
    p.early_failure = None;
    if auth_required && !p.target.commands_read() {
        let target = p.target.clone();
        if let Err(f) = Upstream::open(&target, 0, true, None).await {
            tracing::debug!("Upstream {}: reading its command table failed: {f:?}", target.url);
        }
    }
    if !auth_required && p.conn.is_none() && !p.target.commands_read() {
        let target = p.target.clone();
        let user = s.user.name().to_vec();
        let opened = match &target.mirror {
            Some(m) => m.caught_up(&[&user]).await.map_err(Failure::Mirror),
            None => Ok(()),
        };
        let opened = match opened {
            Ok(()) => Upstream::open(&target, p.db, true, target.login_for(Some(&user))).await,
            Err(f) => Err(f),
        };
        match opened {
            Ok(up) => {
                p.conn = Some(up);
                p.conn_user = target.mirror.is_some().then_some(user);
                p.open_as = p.conn_user.clone();
            }
            Err(f) => p.early_failure = Some(f),
        }
        p.opened_before = true;
    }
    p.table = p.target.commands();
}

/// Sends the batch's forwarded commands and builds the client's output (in `s.out.buf`,
/// which the connection writes next). Returns false if the client connection must end.
pub(crate) async fn exchange<W: AsyncWrite + Unpin>(s: &mut Session, client: &mut W) -> bool {
    let subscribed = s.in_pubsub();
    let Some(p) = s.proxy.as_deref_mut() else { return true };
    let wbuf = std::mem::take(&mut p.wbuf);
    let slots = std::mem::take(&mut p.slots);
    let target = p.target.clone();
    let url = &target.url;
    let mut db = p.db;
    // A connection closed while idle (the upstream restarted, or its `timeout` fired) had
    // nothing sent on it, so a new connection serves this batch.
    // In push mode the upstream sends on its own (relayed between batches); a connection
    // that closed is found by the exchange, and ends the client (its subscriptions are gone).
    let pushing = subscribed || p.monitoring || slots.iter().any(|s| matches!(s.kind, SlotKind::Replies(_)));
    let push_mode = Push { on: pushing, proto: p.wire_proto, monitoring: p.monitoring };
    let partial_push = std::mem::take(&mut p.push).partial;
    let was_pushing = pushing && p.conn.is_some();
    let reusable = if was_pushing { p.conn.take() } else { p.conn.take().and_then(|mut c| c.idle_and_open().then_some(c)) };
    // A reconnect reads the upstream's COMMAND again: it may be another server now.
    let read_commands = p.opened_before || !target.commands_read();
    // Mirror mode: the upstream has every change to the users made before this batch.
    let mirrored = match &target.mirror {
        Some(m) if p.early_failure.is_none() => {
            let users: Vec<&[u8]> = p.open_as.iter().chain(p.conn_user.iter()).map(Vec::as_slice).collect();
            m.caught_up(&users).await.map_err(Failure::Mirror)
        }
        _ => Ok(()),
    };
    let login = target.login_for(p.open_as.as_deref());
    let opened = match (p.early_failure.take(), mirrored, reusable) {
        (Some(f), _, _) | (None, Err(f), _) => Err(f),
        (None, Ok(()), Some(c)) => Ok(c),
        (None, Ok(()), None) => {
            p.opened_before = true;
            Upstream::open(&target, db, read_commands, login).await
        }
    };
    let local = std::mem::take(&mut s.out.buf);
    let class = if s.in_pubsub() { ClientClass::Pubsub } else { ClientClass::Normal };
    let limit = s.shared.config.read().client_output_buffer_limit.get(class);
    let handle = s.handle.clone();
    let mut relay = Relay { client, out: Vec::with_capacity(local.len()), mid_reply: false, flushed: 0, limit, handle: &handle };
    let mut done = 0; // slots answered
    let mut copied = 0; // bytes of `local` moved to `out`
    let (conn, failure) = match opened {
        Err(f) => (None, Some(f)),
        Ok(mut up) => {
            let user = s.user.clone();
            let relayed = async {
                if let Some(mut scanner) = partial_push {
                    // The rest of a push that was arriving when the batch came.
                    copy_with(&mut up, &[], &mut 0, &mut relay, &mut scanner).await?;
                }
                relay_all(&mut up, &wbuf, &slots, &local, &mut relay, &mut done, &mut copied, &mut db, &push_mode).await
            };
            // A blocking command may wait long: a kill (CLIENT KILL, DELUSER) ends the wait.
            let outcome = tokio::select! {
                r = relayed => r,
                () = client_gone(&handle, &user) => Err(RelayError::Upstream(Failure::ClientGone)),
            };
            match outcome {
                Ok(()) => (Some(up), None),
                Err(RelayError::Upstream(f)) => (None, Some(f)),
                Err(RelayError::Client(e)) => {
                    tracing::debug!("Error writing to client: {e}");
                    return false;
                }
            }
        }
    };
    if db as usize != s.db {
        s.db = db as usize;
        s.sync_info();
    }
    let p = s.proxy.as_deref_mut().expect("proxy mode");
    p.db = db;
    p.conn = conn;
    if std::mem::take(&mut p.drop_after_batch) {
        p.conn = None;
    }
    if p.conn.is_none() {
        p.conn_user = None;
    }
    p.open_as = p.conn_user.clone();
    let mut keep = true;
    if failure.is_some() && was_pushing {
        // The upstream connection held the client's subscriptions (or its MONITOR): the
        // client cannot be told which messages it missed, so it is closed.
        if let Some(f) = &failure {
            tracing::warn!("{}; closing its subscribed client id={}", f.message(url), s.handle.id);
        }
        return false;
    }
    if let Some(f) = failure {
        // The connection is dropped; the next forwarded command opens a new one.
        let msg = f.message(url);
        if !matches!(f, Failure::ClientGone) {
            tracing::warn!("{msg}");
        }
        if relay.mid_reply || matches!(f, Failure::ClientGone) {
            // Part of a reply went out: nothing else may follow it on this connection.
            keep = false;
        } else {
            for slot in &slots[done..] {
                relay.out.extend_from_slice(&local[copied..slot.at]);
                copied = slot.at;
                if !matches!(slot.kind, SlotKind::Discard | SlotKind::Auth) {
                    relay.out.push(b'-');
                    relay.out.extend_from_slice(msg.as_bytes());
                    relay.out.extend_from_slice(b"\r\n");
                }
            }
        }
    }
    if keep {
        relay.out.extend_from_slice(&local[copied..]);
    }
    s.out.buf = relay.out;
    keep
}

/// Whether the upstream connection may send pushes during the exchange, and how to tell them.
struct Push {
    on: bool,
    proto: crate::redis::resp::Protocol,
    monitoring: bool,
}

/// Relays the pushes the upstream sends ahead of the next reply.
async fn relay_pushes<W: AsyncWrite + Unpin>(
    up: &mut Upstream,
    wbuf: &[u8],
    wpos: &mut usize,
    relay: &mut Relay<'_, W>,
    push: &Push,
) -> Result<(), RelayError> {
    if !push.on {
        return Ok(());
    }
    loop {
        match super::push::peek(up.pending(), push.proto, push.monitoring) {
            super::push::Peek::Reply => return Ok(()),
            super::push::Peek::Push => copy_reply(up, wbuf, wpos, relay).await?,
            super::push::Peek::More => up.fill(wbuf, wpos).await?,
        }
    }
}

#[allow(clippy::too_many_arguments)]
async fn relay_all<W: AsyncWrite + Unpin>(
    up: &mut Upstream,
    wbuf: &[u8],
    slots: &[Slot],
    local: &[u8],
    relay: &mut Relay<'_, W>,
    done: &mut usize,
    copied: &mut usize,
    db: &mut u32,
    push: &Push,
) -> Result<(), RelayError> {
    let mut wpos = 0;
    for slot in slots {
        relay.out.extend_from_slice(&local[*copied..slot.at]);
        *copied = slot.at;
        relay_pushes(up, wbuf, &mut wpos, relay, push).await?;
        match &slot.kind {
            SlotKind::Relay => copy_reply(up, wbuf, &mut wpos, relay).await?,
            SlotKind::Replies(n) => {
                for i in 0..*n {
                    if i > 0 {
                        relay_pushes(up, wbuf, &mut wpos, relay, push).await?;
                    }
                    copy_reply(up, wbuf, &mut wpos, relay).await?;
                }
            }
            SlotKind::Discard => skip_reply(up, wbuf, &mut wpos).await?,
            SlotKind::Auth => {
                let mut reply = Vec::new();
                up.read_reply(&mut reply, wbuf, &mut wpos).await?;
                if reply.first() == Some(&b'-') {
                    let text = reply.get(1..reply.len().saturating_sub(2)).unwrap_or_default();
                    return Err(Failure::Refused(text.to_vec()).into());
                }
            }
            SlotKind::Select(n) => {
                // A SELECT reply is one short line.
                let mut reply = Vec::new();
                up.read_reply(&mut reply, wbuf, &mut wpos).await?;
                if reply == b"+OK\r\n" {
                    *db = *n;
                }
                relay.out.extend_from_slice(&reply);
            }
            SlotKind::Exec { total, local } => splice_exec(up, wbuf, &mut wpos, relay, *total, local).await?,
            SlotKind::ConfigGet { own, proto } => {
                let mut reply = Vec::new();
                up.read_reply(&mut reply, wbuf, &mut wpos).await?;
                let merged = super::config::merge_get(&reply, own, *proto).map_err(Failure::Protocol)?;
                relay.out.extend_from_slice(&merged);
            }
        }
        *done += 1;
    }
    Ok(())
}

/// Completes when the client must be dropped while it waits for the upstream. Messages
/// stay queued: the connection loop drains the mailbox after the exchange.
async fn client_gone(handle: &ClientHandle, user: &UserRef) {
    loop {
        if handle.is_killed() || user.is_removed() {
            return;
        }
        handle.mailbox.wait().await;
    }
}

/// Copies one reply from the upstream into the client's output.
async fn copy_reply<W: AsyncWrite + Unpin>(
    up: &mut Upstream,
    wbuf: &[u8],
    wpos: &mut usize,
    relay: &mut Relay<'_, W>,
) -> Result<(), RelayError> {
    copy_with(up, wbuf, wpos, relay, &mut ReplyScanner::new()).await
}

/// Copies the rest of the reply `scanner` is in.
async fn copy_with<W: AsyncWrite + Unpin>(
    up: &mut Upstream,
    wbuf: &[u8],
    wpos: &mut usize,
    relay: &mut Relay<'_, W>,
    scanner: &mut ReplyScanner,
) -> Result<(), RelayError> {
    loop {
        let (n, complete) = scanner.scan(up.pending()).map_err(Failure::Protocol)?;
        relay.out.extend_from_slice(&up.pending()[..n]);
        up.rpos += n;
        if n > 0 {
            relay.mid_reply = true;
        }
        if complete {
            relay.mid_reply = false;
            return relay.flush_if_full().await.map_err(RelayError::Client);
        }
        relay.flush_if_full().await.map_err(RelayError::Client)?;
        up.fill(wbuf, wpos).await?;
    }
}

/// Reads one reply and drops it.
async fn skip_reply(up: &mut Upstream, wbuf: &[u8], wpos: &mut usize) -> Result<(), Failure> {
    let mut scanner = ReplyScanner::new();
    loop {
        let (n, complete) = scanner.scan(up.pending()).map_err(Failure::Protocol)?;
        up.rpos += n;
        if complete {
            return Ok(());
        }
        up.fill(wbuf, wpos).await?;
    }
}

/// The upstream's EXEC reply with authgate's own results at their indexes. An array of the
/// forwarded commands' results becomes one of `total`; anything else (EXECABORT, the null of
/// a WATCH abort) is relayed as it is.
async fn splice_exec<W: AsyncWrite + Unpin>(
    up: &mut Upstream,
    wbuf: &[u8],
    wpos: &mut usize,
    relay: &mut Relay<'_, W>,
    total: usize,
    local: &[(usize, Vec<u8>)],
) -> Result<(), RelayError> {
    let forwarded = (total - local.len()) as i64;
    let line = loop {
        match header(up.pending()).map_err(Failure::Protocol)? {
            Some(Header { kind, text, len }) => break (kind == b'*' && crate::redis::resp::number::parse_i64(text) == Some(forwarded)).then_some(len),
            None => up.fill(wbuf, wpos).await?,
        }
    };
    let Some(len) = line else { return copy_reply(up, wbuf, wpos, relay).await };
    up.rpos += len;
    relay.out.push(b'*');
    crate::redis::resp::number::write_i64(&mut relay.out, total as i64);
    relay.out.extend_from_slice(b"\r\n");
    relay.mid_reply = true;
    let mut inserts = local.iter().peekable();
    for i in 0..total {
        match inserts.peek() {
            Some((at, bytes)) if *at == i => {
                relay.out.extend_from_slice(bytes);
                inserts.next();
            }
            _ => {
                copy_reply(up, wbuf, wpos, relay).await?;
                relay.mid_reply = true;
            }
        }
    }
    relay.mid_reply = false;
    Ok(())
}
