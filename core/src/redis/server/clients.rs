//! The registry of connected clients: what CLIENT LIST / CLIENT KILL and the ACL listener see.
//!
//! A connection task owns its session state; it publishes the parts other connections need
//! (name, db, user, subscription counts, last command) into its [`ClientHandle`], and receives
//! out-of-band work (Pub/Sub messages, kill requests, channel revocations) through its
//! [`Mailbox`].

use std::collections::{BTreeMap, VecDeque};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Instant;

use parking_lot::Mutex;
use tokio::sync::Notify;

use super::keyspace::now_ms;
use super::outlimits::{BufferLimit, SoftLimitClock};
use crate::redis::acl::{table, ChannelAllowList, UserRef};

/// A Pub/Sub message to deliver.
#[derive(Debug)]
pub(crate) struct PubMessage {
    /// The matching pattern for `pmessage`, None for `message`.
    pub pattern: Option<Arc<[u8]>>,
    /// The channel.
    pub channel: Arc<[u8]>,
    /// The payload.
    pub payload: Arc<[u8]>,
    /// Sent with SPUBLISH (`smessage`).
    pub sharded: bool,
}

impl PubMessage {
    /// Approximate encoded size, for the output limit of slow subscribers.
    pub fn cost(&self) -> usize {
        64 + self.channel.len() + self.payload.len() + self.pattern.as_ref().map_or(0, |p| p.len())
    }
}

/// Out-of-band work for a connection. A kill is not a message: it is the handle's `killed`
/// flag, which closes the mailbox, so kills never queue.
#[derive(Debug)]
pub(crate) enum ClientMsg {
    /// Deliver a Pub/Sub message.
    Message(Arc<PubMessage>),
    /// The user lost channel permissions: close if a subscription is no longer allowed.
    ChannelsRevoked(ChannelAllowList),
}

/// Most channel revocations that may wait in one mailbox; a connection that has not looked
/// at that many is closed instead of queueing another (it is not running at all).
pub(crate) const MAX_QUEUED_REVOCATIONS: usize = 256;

/// Out-of-band work queued for one connection, bounded: messages by the client's output
/// limit (their bytes are counted in [`ClientHandle::pending`] before they are queued, and the
/// client is dropped instead once the limit is reached), revocations by
/// [`MAX_QUEUED_REVOCATIONS`], kills not at all (a flag). An idle connection's mailbox owns no
/// allocation: an empty `VecDeque` and a `Notify` are a few dozen bytes, where a channel
/// allocates its first block of slots up front, and 10,000 idle clients hold 10,000 of them.
#[derive(Debug, Default)]
pub(crate) struct Mailbox {
    queue: Mutex<VecDeque<ClientMsg>>,
    /// How many of the queued messages are revocations.
    revocations: AtomicUsize,
    /// Signalled after each push; a signal sent while the connection is busy is kept (one
    /// permit) and wakes its next wait at once, so no message waits for unrelated input.
    wake: Notify,
    /// Set once the connection has ended: later messages are dropped, not kept alive by the
    /// handle the registries may still hold for a moment.
    closed: std::sync::atomic::AtomicBool,
}

impl Mailbox {
    /// Queues `msg` and wakes the connection (dropped if the connection has ended).
    pub fn send(&self, msg: ClientMsg) {
        let mut queue = self.queue.lock();
        if self.closed.load(Ordering::Acquire) {
            return;
        }
        if matches!(msg, ClientMsg::ChannelsRevoked(_)) {
            self.revocations.fetch_add(1, Ordering::AcqRel);
        }
        queue.push_back(msg);
        drop(queue);
        self.wake.notify_one();
    }

    /// Waits until something was sent since the last wait (returns at once if so).
    pub async fn wait(&self) {
        self.wake.notified().await;
    }

    /// Takes the next queued message.
    pub fn pop(&self) -> Option<ClientMsg> {
        let msg = self.queue.lock().pop_front();
        if matches!(msg, Some(ClientMsg::ChannelsRevoked(_))) {
            self.revocations.fetch_sub(1, Ordering::AcqRel);
        }
        msg
    }

    /// Revocations waiting to be looked at.
    pub fn queued_revocations(&self) -> usize {
        self.revocations.load(Ordering::Acquire)
    }

    /// Marks the connection ended, frees what is queued and wakes the connection.
    pub fn close(&self) {
        let mut queue = self.queue.lock();
        self.closed.store(true, Ordering::Release);
        *queue = VecDeque::new();
        self.revocations.store(0, Ordering::Release);
        drop(queue);
        self.wake.notify_one();
    }
}

/// The CLIENT LIST fields that change rarely.
#[derive(Debug, Clone, Default)]
pub(crate) struct ClientInfo {
    pub name: Vec<u8>,
    pub db: usize,
    pub user: Option<UserRef>,
    pub sub: usize,
    pub psub: usize,
    pub ssub: usize,
    /// Queued commands in MULTI, -1 outside MULTI.
    pub multi: i64,
    /// Memory of the queued commands (`multi-mem`).
    pub multi_mem: usize,
    pub resp: i64,
}

/// The shared view of one connection.
#[derive(Debug)]
pub(crate) struct ClientHandle {
    pub id: u64,
    pub addr: SocketAddr,
    pub laddr: SocketAddr,
    pub fd: i64,
    pub created: Instant,
    /// Out-of-band work for the connection.
    pub mailbox: Mailbox,
    pub info: Mutex<ClientInfo>,
    /// Command table id + 1 of the last command (0: none yet).
    pub last_cmd: AtomicUsize,
    /// Unix ms of the last command.
    pub last_active: AtomicI64,
    pub killed: AtomicBool,
    /// Bytes of Pub/Sub messages queued and not yet encoded by the connection.
    pub pending: AtomicUsize,
    /// Reply bytes the connection has encoded and the socket has not taken yet (what it
    /// publishes before it waits).
    pub unwritten: AtomicUsize,
    /// Since when the client's output has been at or over its soft limit.
    pub soft_limit: SoftLimitClock,
}

impl ClientHandle {
    /// A handle for a connection just accepted.
    pub fn new(id: u64, addr: SocketAddr, laddr: SocketAddr, fd: i64) -> ClientHandle {
        ClientHandle {
            id,
            addr,
            laddr,
            fd,
            created: Instant::now(),
            mailbox: Mailbox::default(),
            info: Mutex::new(ClientInfo { multi: -1, resp: 2, ..ClientInfo::default() }),
            last_cmd: AtomicUsize::new(0),
            last_active: AtomicI64::new(now_ms()),
            killed: AtomicBool::new(false),
            pending: AtomicUsize::new(0),
            unwritten: AtomicUsize::new(0),
            soft_limit: SoftLimitClock::default(),
        }
    }

    /// Closes the connection: its queued messages are freed now, and its task, woken, drops
    /// its unsent output and the socket (a client that killed itself still gets the reply of
    /// the command doing it: its task sees the flag between commands).
    pub fn kill(&self) {
        self.killed.store(true, Ordering::Release);
        self.mailbox.close();
    }

    /// True once the connection was asked to close.
    pub fn is_killed(&self) -> bool {
        self.killed.load(Ordering::Acquire)
    }

    /// The client's output memory as Redis counts it against `client-output-buffer-limit`:
    /// what is queued or unsent beyond the fixed 16 KiB reply buffer every client has.
    pub fn output_used(&self) -> u64 {
        let total = self.pending.load(Ordering::Acquire) + self.unwritten.load(Ordering::Acquire);
        total.saturating_sub(Self::REPLY_BUFFER) as u64
    }

    /// Checks the output limit after output was added; true (and the client is killed, as
    /// Redis' `closeClientOnOutputBufferLimitReached` schedules it) if it is broken.
    pub fn enforce_output_limit(&self, limit: &BufferLimit) -> bool {
        if self.is_killed() || !self.soft_limit.exceeded(limit, self.output_used(), now_ms() / 1000) {
            return false;
        }
        tracing::warn!(
            "Client {} scheduled to be closed ASAP for overcoming of output buffer limits.",
            String::from_utf8_lossy(&self.line(0, 0))
        );
        self.kill();
        true
    }

    /// Queues a Pub/Sub message under the subscriber's output limit (`limit`, its class'): a
    /// subscriber that does not read is dropped once its output breaks the limit.
    pub fn deliver(&self, msg: Arc<PubMessage>, limit: &BufferLimit) {
        if self.is_killed() {
            return;
        }
        self.pending.fetch_add(msg.cost(), Ordering::AcqRel);
        if self.enforce_output_limit(limit) {
            return;
        }
        self.mailbox.send(ClientMsg::Message(msg));
    }

    /// Records the command being run (for `cmd=` and `idle=`); `now` is Unix ms.
    pub fn touch(&self, cmd_id: usize, now: i64) {
        self.last_cmd.store(cmd_id + 1, Ordering::Relaxed);
        self.last_active.store(now, Ordering::Relaxed);
    }

    /// Records a command line naming no command (unknown command or subcommand): Redis' lookup
    /// then leaves `lastcmd` NULL, so `cmd=NULL`.
    pub fn touch_unknown(&self, now: i64) {
        self.last_cmd.store(0, Ordering::Relaxed);
        self.last_active.store(now, Ordering::Relaxed);
    }

    /// Size of Redis' per-client reply buffer (`rbs`); `obl` counts the pending reply bytes in it.
    const REPLY_BUFFER: usize = 16384;

    /// The CLIENT LIST line (without the trailing newline). `argv_mem` is the size of the
    /// command being executed by this client and `pending` its reply bytes not yet written
    /// (both 0 for other clients, whose connections are between commands).
    pub fn line(&self, argv_mem: usize, pending: usize) -> Vec<u8> {
        let info = self.info.lock().clone();
        let age = self.created.elapsed().as_secs();
        let idle = ((now_ms() - self.last_active.load(Ordering::Relaxed)).max(0) / 1000) as u64;
        let cmd = match self.last_cmd.load(Ordering::Relaxed) {
            0 => "NULL".to_string(),
            n => table().all().get(n - 1).map_or_else(|| "NULL".to_string(), |c| c.fullname.clone()),
        };
        let mut flags = String::new();
        if info.sub + info.psub + info.ssub > 0 {
            flags.push('P');
        }
        if info.multi >= 0 {
            flags.push('x');
        }
        if flags.is_empty() {
            flags.push('N');
        }
        let mut out = format!(
            "id={} addr={} laddr={} fd={} name=",
            self.id, self.addr, self.laddr, self.fd
        )
        .into_bytes();
        out.extend_from_slice(&info.name);
        out.extend_from_slice(
            format!(
                " age={age} idle={idle} flags={flags} db={} sub={} psub={} ssub={} multi={} \
                 qbuf=0 qbuf-free=0 argv-mem={argv_mem} multi-mem={} rbs={rbs} rbp={rbs} obl={} \
                 oll=0 omem=0 tot-mem={} events=r cmd={cmd} user=",
                info.db,
                info.sub,
                info.psub,
                info.ssub,
                info.multi,
                info.multi_mem,
                pending.min(Self::REPLY_BUFFER),
                22272 + argv_mem + info.multi_mem,
                rbs = Self::REPLY_BUFFER
            )
            .as_bytes(),
        );
        if let Some(u) = &info.user {
            out.extend_from_slice(u.name());
        }
        out.extend_from_slice(format!(" redir=-1 resp={}", info.resp).as_bytes());
        out
    }
}

/// All connected clients, by id (ids grow, so this is also connection order).
#[derive(Default)]
pub(crate) struct Registry {
    clients: Mutex<BTreeMap<u64, Arc<ClientHandle>>>,
}

impl Registry {
    /// Adds a client unless `max` clients are connected already: the count and the insert
    /// are one step under the lock, so concurrent accepts cannot overshoot `maxclients`.
    pub fn try_add(&self, c: Arc<ClientHandle>, max: usize) -> bool {
        let mut clients = self.clients.lock();
        if clients.len() >= max {
            return false;
        }
        clients.insert(c.id, c);
        true
    }

    /// Removes a client.
    pub fn remove(&self, id: u64) {
        self.clients.lock().remove(&id);
    }

    /// Number of connected clients.
    pub fn len(&self) -> usize {
        self.clients.lock().len()
    }

    /// A snapshot of every client, in id order.
    pub fn all(&self) -> Vec<Arc<ClientHandle>> {
        self.clients.lock().values().cloned().collect()
    }

    /// Removes and kills every client (server shutdown).
    pub fn kill_all(&self) {
        let all = std::mem::take(&mut *self.clients.lock());
        for c in all.values() {
            c.kill();
        }
    }
}
