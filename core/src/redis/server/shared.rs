//! State shared by every connection of one server.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use parking_lot::RwLock;
use tokio::sync::{mpsc, Notify};

use super::clients::{ClientMsg, Registry};
use super::config::Config;
use super::keyspace::Keyspace;
use super::pubsub::PubSub;
use crate::redis::acl::{Acl, AclEvent, AclListener};

/// Everything the connections of one server share.
pub(crate) struct Shared {
    pub acl: Arc<Acl>,
    pub keyspace: Keyspace,
    pub clients: Registry,
    pub pubsub: PubSub,
    pub config: RwLock<Config>,
    next_id: AtomicU64,
    /// Wakes the accept loop for shutdown.
    pub shutdown: Notify,
    /// New listeners from CONFIG SET port/bind, handed to the accept loop.
    pub rebind: mpsc::UnboundedSender<Vec<std::net::TcpListener>>,
    /// When the server started (INFO's uptime).
    pub started: std::time::Instant,
}

impl Shared {
    /// Shared state for a server configured by `config`.
    pub fn new(
        acl: Arc<Acl>,
        config: Config,
        rebind: mpsc::UnboundedSender<Vec<std::net::TcpListener>>,
    ) -> Shared {
        Shared {
            acl,
            keyspace: Keyspace::new(),
            clients: Registry::default(),
            pubsub: PubSub::default(),
            config: RwLock::new(config),
            next_id: AtomicU64::new(1),
            shutdown: Notify::new(),
            rebind,
            started: std::time::Instant::now(),
        }
    }

    /// The next client id.
    pub fn next_client_id(&self) -> u64 {
        self.next_id.fetch_add(1, Ordering::Relaxed)
    }

    /// The id the next client will get (INFO's connection count is one less).
    pub fn next_client_id_peek(&self) -> u64 {
        self.next_id.load(Ordering::Relaxed)
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
        for c in shared.clients.all() {
            let info = c.info.lock();
            let Some(user) = info.user.clone() else { continue };
            let subscribed = info.sub + info.psub + info.ssub > 0;
            drop(info);
            match event {
                AclEvent::UsersRemoved(users) => {
                    if users.iter().any(|u| u.same_user(&user)) {
                        c.kill();
                    }
                }
                AclEvent::ChannelsRevoked { user: changed, allowed } => {
                    if changed.same_user(&user) && subscribed {
                        let _ = c.tx.send(ClientMsg::ChannelsRevoked(allowed.clone()));
                    }
                }
            }
        }
    }
}
