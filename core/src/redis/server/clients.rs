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

/// Out-of-band work for a connection.
#[derive(Debug)]
pub(crate) enum ClientMsg {
    /// Deliver a Pub/Sub message.
    Message(Arc<PubMessage>),
    /// Close the connection.
    Kill,
    /// The user lost channel permissions: close if a subscription is no longer allowed.
    ChannelsRevoked(ChannelAllowList),
}

/// Out-of-band work queued for one connection. Unbounded like the channel it replaces (a slow
/// subscriber is bounded by [`PUBSUB_OUTPUT_LIMIT`] instead), but an idle connection's mailbox
/// owns no allocation: an empty `VecDeque` and a `Notify` are a few dozen bytes, where a channel
/// allocates its first block of slots up front, and 10,000 idle clients hold 10,000 of them.
#[derive(Debug, Default)]
pub(crate) struct Mailbox {
    queue: Mutex<VecDeque<ClientMsg>>,
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
        self.queue.lock().pop_front()
    }

    /// Marks the connection ended and frees what is queued.
    pub fn close(&self) {
        let mut queue = self.queue.lock();
        self.closed.store(true, Ordering::Release);
        *queue = VecDeque::new();
    }
}

/// Most output a subscriber may have queued before it is disconnected (Redis' pubsub
/// `client-output-buffer-limit` hard limit, 32 MB).
pub(crate) const PUBSUB_OUTPUT_LIMIT: usize = 32 * 1024 * 1024;

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
}

impl ClientHandle {
    /// Asks the connection to close (it finishes writing what it has already produced).
    pub fn kill(&self) {
        self.killed.store(true, Ordering::Release);
        self.mailbox.send(ClientMsg::Kill);
    }

    /// True once the connection was asked to close.
    pub fn is_killed(&self) -> bool {
        self.killed.load(Ordering::Acquire)
    }

    /// Queues a Pub/Sub message; a subscriber that does not read is disconnected past the
    /// output limit.
    pub fn deliver(&self, msg: Arc<PubMessage>) {
        let cost = msg.cost();
        if self.pending.fetch_add(cost, Ordering::AcqRel) + cost > PUBSUB_OUTPUT_LIMIT {
            self.kill();
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
    /// Adds a client.
    pub fn add(&self, c: Arc<ClientHandle>) {
        self.clients.lock().insert(c.id, c);
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

    /// Kills every client.
    pub fn kill_all(&self) {
        for c in self.all() {
            c.kill();
        }
    }
}
