//! The state of one connection, owned by its task.

use std::collections::HashSet;
use std::sync::Arc;

use super::clients::ClientHandle;
use super::commands::file_job::FileJob;
use super::pubsub::Kind;
use super::shared::Shared;
use crate::redis::acl::{Command, UserRef, UserView};
use crate::redis::resp::{Encoder, Protocol};

/// A queued MULTI transaction.
#[derive(Default)]
pub(crate) struct Multi {
    /// Queued command lines with their resolved commands.
    pub queue: Vec<(&'static Command, Vec<Vec<u8>>)>,
    /// A command was rejected while queueing: EXEC must abort.
    pub dirty: bool,
    /// CLIENT LIST `multi-mem`: Redis' `argv_len_sums`, the argument bytes of the queued
    /// commands plus one pointer per argument.
    pub mem: usize,
}

impl Multi {
    /// Queues a command line. Like Redis' `queueMultiCommand`, nothing is queued once the
    /// transaction is doomed (EXEC will abort), so `multi=` and `multi-mem` stop growing.
    pub fn queue_command(&mut self, cmd: &'static Command, argv: &[Vec<u8>]) {
        if self.dirty {
            return;
        }
        self.mem += argv.iter().map(Vec::len).sum::<usize>() + std::mem::size_of::<usize>() * argv.len();
        self.queue.push((cmd, argv.to_vec()));
    }
}

/// Per-connection state.
pub(crate) struct Session {
    pub shared: Arc<Shared>,
    pub handle: Arc<ClientHandle>,
    /// Replies not yet written.
    pub out: Encoder,
    pub user: UserRef,
    /// The last plain (non-container) command name as typed and its table entry.
    pub last_command: Option<(Vec<u8>, &'static Command)>,
    /// Cached snapshot of `user` for the per-command permission check.
    pub user_view: UserView,
    pub authenticated: bool,
    pub db: usize,
    pub name: Vec<u8>,
    pub subs: HashSet<Vec<u8>>,
    pub psubs: HashSet<Vec<u8>>,
    pub ssubs: HashSet<Vec<u8>>,
    pub multi: Option<Multi>,
    /// Close the connection once the pending replies are written.
    pub close: bool,
    /// Bytes of the command being executed (for `argv-mem=`).
    pub argv_mem: usize,
    /// Unix ms at the start of the current batch.
    pub now: i64,
    /// True while EXEC runs the queued commands (ACL LOG context `multi`).
    pub in_exec: bool,
    /// True while the EXEC running can stop for an ACL store write and resume
    /// ([`super::commands::multi::PausedExec`]); proxy mode's EXEC cannot, so its store
    /// writes run inline.
    pub exec_pausable: bool,
    /// The EXEC waiting for `store_job`, resumed once the write has replied.
    pub paused_exec: Option<super::commands::multi::PausedExec>,
    /// Proxy mode (`--upstream`): the client's upstream connection and forwarded commands.
    pub proxy: Option<Box<super::proxy::ProxySession>>,
    /// An ACL write through the ACL store, awaited before the next command.
    pub store_job: Option<super::acl_store::StoreJob>,
    /// An ACL SAVE/LOAD whose file I/O runs off the event loop; the connection awaits it
    /// before its next command.
    pub file_job: Option<FileJob>,
    /// Work done in the current pass over the input: one unit per command, plus one per
    /// subscriber a PUBLISH reached. The connection yields to the event loop's other tasks
    /// once it reaches the connection's budget (see `conn.rs`).
    pub work: usize,
}

impl Session {
    /// A new connection: user default, authenticated iff default is `on` and `nopass`.
    pub fn new(shared: Arc<Shared>, handle: Arc<ClientHandle>) -> Session {
        let user = shared.acl.default_user();
        let authenticated = !shared.acl.default_requires_auth();
        let upstream = shared.upstream.clone();
        let s = Session {
            shared,
            handle,
            out: Encoder::new(Protocol::Resp2),
            user,
            user_view: UserView::default(),
            last_command: None,
            authenticated,
            db: 0,
            name: Vec::new(),
            subs: HashSet::new(),
            psubs: HashSet::new(),
            ssubs: HashSet::new(),
            multi: None,
            close: false,
            argv_mem: 0,
            in_exec: false,
            exec_pausable: false,
            paused_exec: None,
            proxy: upstream.map(|u| Box::new(super::proxy::ProxySession::new(u))),
            store_job: None,
            file_job: None,
            work: 0,
            now: super::keyspace::now_ms(),
        };
        s.sync_info();
        s
    }

    /// Redis' `authRequired`.
    pub fn auth_required(&self) -> bool {
        !self.authenticated && self.shared.acl.default_requires_auth()
    }

    /// Publishes the CLIENT LIST fields to the shared handle.
    pub fn sync_info(&self) {
        let mut info = self.handle.info.lock();
        info.name.clone_from(&self.name);
        info.db = self.db;
        info.user = Some(self.user.clone());
        info.sub = self.subs.len();
        info.psub = self.psubs.len();
        info.ssub = self.ssubs.len();
        info.multi = self.multi.as_ref().map_or(-1, |m| m.queue.len() as i64);
        info.multi_mem = self.multi.as_ref().map_or(0, |m| m.mem);
        info.resp = self.out.proto.number();
    }

    /// This client's CLIENT LIST line. Its `obl` is the reply bytes produced and not yet
    /// written (the start of the reply being built, e.g. EXEC's array header when a queued
    /// command is denied, plus earlier replies of the same pipeline), as in Redis' reply buffer.
    pub fn client_line(&self) -> Vec<u8> {
        self.sync_info();
        self.handle.line(self.argv_mem, self.out.buf.len())
    }

    /// Channel + pattern subscriptions (what (un)subscribe replies count).
    pub fn sub_count(&self) -> usize {
        self.subs.len() + self.psubs.len()
    }

    /// True in Pub/Sub mode (any subscription, shard channels included).
    pub fn in_pubsub(&self) -> bool {
        self.sub_count() + self.ssubs.len() > 0
    }

    /// Frees what the connection holds in the server: its queued messages, its subscriptions
    /// and its maxclients slot. Runs when the session is dropped, so also when the connection
    /// task panics (tokio drops a panicked task's future while unwinding) or is aborted.
    fn release(&mut self) {
        self.handle.mailbox.close();
        for (kind, names) in [
            (Kind::Channel, std::mem::take(&mut self.subs)),
            (Kind::Pattern, std::mem::take(&mut self.psubs)),
            (Kind::Shard, std::mem::take(&mut self.ssubs)),
        ] {
            for name in names {
                self.shared.pubsub.remove(kind, &name, self.handle.id);
            }
        }
        self.shared.clients.remove(self.handle.id);
    }

    /// Switches to `user` after a successful AUTH/HELLO AUTH.
    pub fn login(&mut self, user: UserRef) {
        self.user = user;
        self.authenticated = true;
        self.sync_info();
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        self.release();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::redis::acl::Acl;

    /// A connection task that panics mid-command must still free its slot and subscriptions:
    /// the cleanup lives in the session's `Drop`, which unwinding runs.
    #[test]
    fn a_panicking_connection_frees_its_slot_and_subscriptions() {
        let (tx, _rx) = tokio::sync::mpsc::unbounded_channel();
        let acl = Arc::new(Acl::new());
        let config = crate::redis::server::Config::default();
        let tls = super::super::tls::TlsState::new(acl.clone(), &config.tls, None, false).unwrap();
        let shared = Arc::new(Shared::new(acl, config, Arc::new(tls), tx));
        let addr: std::net::SocketAddr = "127.0.0.1:1".parse().unwrap();
        let handle = Arc::new(ClientHandle::new(3, addr, addr, -1));
        assert!(shared.clients.try_add(handle.clone(), 10));
        let mut session = Session::new(shared.clone(), handle.clone());
        session.subs.insert(b"news".to_vec());
        shared.pubsub.add(Kind::Channel, b"news", &handle);
        session.psubs.insert(b"n*".to_vec());
        shared.pubsub.add(Kind::Pattern, b"n*", &handle);
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || {
            let _owned = session;
            panic!("a command panicked");
        }));
        assert!(outcome.is_err());
        assert_eq!(shared.clients.len(), 0, "the maxclients slot is free");
        assert_eq!(shared.pubsub.numsub(Kind::Channel, b"news"), 0);
        assert_eq!(shared.pubsub.numpat(), 0);
        assert_eq!(Arc::strong_count(&handle), 1, "nothing in the server keeps the client");
    }
}
