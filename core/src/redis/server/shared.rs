//! State shared by every connection of one server.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use parking_lot::RwLock;
use tokio::sync::{mpsc, Notify};

use super::clients::{ClientHandle, ClientMsg, Registry, MAX_QUEUED_REVOCATIONS};
use super::config::Config;
use super::keyspace::Keyspace;
use super::outlimits::RecentPeak;
use super::pubsub::PubSub;
use super::tls::TlsState;
use crate::redis::acl::{Acl, AclEvent, AclListener};

/// The id of the first connection. Redis 7.0 gives ids 1 and 2 to the clients its Lua
/// scripting and function engines create at startup, so its first connection is client 3
/// (tests/differential/observations/redis-vs-redis.txt [first-client-id]); CLIENT ID, CLIENT
/// LIST, HELLO and the ACL LOG show the ids, and clients may pass them back (CLIENT KILL ID).
pub(crate) const FIRST_CLIENT_ID: u64 = 3;

/// Everything the connections of one server share.
pub(crate) struct Shared {
    pub acl: Arc<Acl>,
    pub keyspace: Keyspace,
    pub clients: Registry,
    pub pubsub: PubSub,
    pub config: RwLock<Config>,
    /// The TLS configuration and the certificate users.
    pub tls: Arc<TlsState>,
    next_id: AtomicU64,
    /// Wakes the accept loop for shutdown.
    pub shutdown: Notify,
    /// New listeners from CONFIG SET port/bind, handed to the accept loop.
    pub rebind: mpsc::UnboundedSender<Vec<std::net::TcpListener>>,
    /// When the server started (INFO's uptime).
    pub started: std::time::Instant,
    /// Bytes read from clients (INFO's total_net_input_bytes).
    net_input: AtomicU64,
    /// Connections refused at maxclients (INFO's rejected_connections).
    rejected: AtomicU64,
    /// `acl-store`: where ACL writes go (the store's watch updates `acl`).
    pub acl_store: Option<Arc<super::acl_store::Store>>,
    /// INFO's client_recent_max_input_buffer.
    pub recent_max_input: RecentPeak,
    /// INFO's client_recent_max_output_buffer.
    pub recent_max_output: RecentPeak,
    /// Proxy mode: the upstream every client's commands are forwarded to.
    pub upstream: Option<Arc<super::proxy::Target>>,
}

impl Shared {
    /// Shared state for a server configured by `config`.
    pub fn new(
        acl: Arc<Acl>,
        config: Config,
        tls: Arc<TlsState>,
        rebind: mpsc::UnboundedSender<Vec<std::net::TcpListener>>,
    ) -> Shared {
        Shared {
            acl,
            keyspace: Keyspace::new(),
            clients: Registry::default(),
            pubsub: PubSub::default(),
            config: RwLock::new(config),
            tls,
            next_id: AtomicU64::new(FIRST_CLIENT_ID),
            shutdown: Notify::new(),
            rebind,
            started: std::time::Instant::now(),
            net_input: AtomicU64::new(0),
            rejected: AtomicU64::new(0),
            acl_store: None,
            recent_max_input: RecentPeak::default(),
            recent_max_output: RecentPeak::default(),
            upstream: None,
        }
    }

    /// The ACL store ACL SETUSER/DELUSER/LOAD write through.
    pub fn with_acl_store(mut self, store: Option<Arc<super::acl_store::Store>>) -> Shared {
        self.acl_store = store;
        self
    }

    /// Proxy mode's upstream (built at startup from `upstream` and `upstream-tls-*`).
    pub(crate) fn with_upstream(mut self, upstream: Option<Arc<super::proxy::Target>>) -> Shared {
        self.upstream = upstream;
        self
    }

    /// The next client id.
    pub fn next_client_id(&self) -> u64 {
        self.next_id.fetch_add(1, Ordering::Relaxed)
    }

    /// Counts bytes read from a client.
    pub fn add_net_input(&self, n: usize) {
        self.net_input.fetch_add(n as u64, Ordering::Relaxed);
    }

    /// Bytes read from clients so far.
    pub fn net_input_bytes(&self) -> u64 {
        self.net_input.load(Ordering::Relaxed)
    }

    /// Counts a connection refused at maxclients.
    pub fn add_rejected(&self) {
        self.rejected.fetch_add(1, Ordering::Relaxed);
    }

    /// Connections refused at maxclients so far.
    pub fn rejected_connections(&self) -> u64 {
        self.rejected.load(Ordering::Relaxed)
    }

    /// Disconnects client `c` now, as Redis' `freeClient` does for a client other than the
    /// one running the command: its maxclients slot, subscriptions and queued messages are
    /// freed before this returns, and its task, woken, closes the socket. (A client that
    /// disconnects itself still gets this command's reply.)
    pub fn disconnect(&self, c: &ClientHandle) {
        c.kill();
        self.clients.remove(c.id);
        self.pubsub.remove_client(c.id);
    }

    /// How many connections were accepted (INFO's total_connections_received).
    pub fn connections_received(&self) -> u64 {
        self.next_id.load(Ordering::Relaxed) - FIRST_CLIENT_ID
    }
}

/// Reacts to ACL changes on live connections (spec §13). Holds the registry weakly so the
/// `Acl` (owned by the embedding program) does not keep a stopped server alive.
pub(crate) struct Listener(pub std::sync::Weak<Shared>);

impl AclListener for Listener {
    fn is_alive(&self) -> bool {
        self.0.strong_count() > 0
    }

    fn on_event(&self, event: &AclEvent) {
        let Some(shared) = self.0.upgrade() else { return };
        if let AclEvent::Changed = event {
            return; // the events that concern connections come on their own
        }
        if let AclEvent::UsersRemoved(_) = event {
            // A deleted user stops being a certificate user (a rare, small file write).
            if let Err(e) = super::tls::CertificateUsers(shared.tls.clone()).prune_deleted() {
                tracing::warn!("Forgetting deleted certificate users: {e}");
            }
        }
        for c in shared.clients.all() {
            let info = c.info.lock();
            let Some(user) = info.user.clone() else { continue };
            let subscribed = info.sub + info.psub + info.ssub > 0;
            drop(info);
            match event {
                AclEvent::UsersRemoved(users) => {
                    if users.iter().any(|u| u.same_user(&user)) {
                        shared.disconnect(&c);
                    }
                }
                AclEvent::Changed => {}
                AclEvent::ChannelsRevoked { user: changed, allowed } => {
                    if changed.same_user(&user) && subscribed {
                        if c.mailbox.queued_revocations() >= MAX_QUEUED_REVOCATIONS {
                            // Its task has not run through this many: it would sit on them.
                            shared.disconnect(&c);
                        } else {
                            c.mailbox.send(ClientMsg::ChannelsRevoked(allowed.clone()));
                        }
                    }
                }
            }
        }
    }
}
