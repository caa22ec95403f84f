//! The server-wide Pub/Sub subscription registry: channels and patterns mapped to the
//! subscribed connections, so PUBLISH can deliver. A connection's own subscriptions live in its
//! session; the commands are in `commands::pubsub`.

use std::collections::HashMap;
use std::sync::Arc;

use parking_lot::RwLock;

use super::clients::{ClientHandle, PubMessage};
use super::outlimits::BufferLimit;
use crate::redis::acl::glob;

/// Which namespace a subscription lives in.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Kind {
    /// SUBSCRIBE / PUBLISH.
    Channel,
    /// PSUBSCRIBE.
    Pattern,
    /// SSUBSCRIBE / SPUBLISH.
    Shard,
}

impl Kind {
    pub(crate) fn sub_word(self) -> &'static [u8] {
        match self {
            Kind::Channel => b"subscribe",
            Kind::Pattern => b"psubscribe",
            Kind::Shard => b"ssubscribe",
        }
    }
    pub(crate) fn unsub_word(self) -> &'static [u8] {
        match self {
            Kind::Channel => b"unsubscribe",
            Kind::Pattern => b"punsubscribe",
            Kind::Shard => b"sunsubscribe",
        }
    }
}

type Subscribers = HashMap<Vec<u8>, HashMap<u64, Arc<ClientHandle>>>;

/// The server-wide subscription registry.
#[derive(Default)]
pub(crate) struct PubSub {
    channels: RwLock<Subscribers>,
    patterns: RwLock<Subscribers>,
    shards: RwLock<Subscribers>,
}

impl PubSub {
    fn map(&self, kind: Kind) -> &RwLock<Subscribers> {
        match kind {
            Kind::Channel => &self.channels,
            Kind::Pattern => &self.patterns,
            Kind::Shard => &self.shards,
        }
    }

    pub(crate) fn add(&self, kind: Kind, name: &[u8], client: &Arc<ClientHandle>) {
        self.map(kind).write().entry(name.to_vec()).or_default().insert(client.id, client.clone());
    }

    pub(crate) fn remove(&self, kind: Kind, name: &[u8], id: u64) {
        let mut m = self.map(kind).write();
        if let Some(subs) = m.get_mut(name) {
            subs.remove(&id);
            if subs.is_empty() {
                m.remove(name);
            }
        }
    }

    /// Drops client `id` from every channel, pattern and shard channel (a client killed by
    /// another: its subscriptions go at once, before its task runs).
    pub(crate) fn remove_client(&self, id: u64) {
        for kind in [Kind::Channel, Kind::Pattern, Kind::Shard] {
            self.map(kind).write().retain(|_, subs| {
                subs.remove(&id);
                !subs.is_empty()
            });
        }
    }

    /// Delivers `payload` to the subscribers of `channel` (and of matching patterns unless
    /// sharded) under the pubsub class' output `limit`; returns how many received it.
    pub fn publish(&self, channel: &[u8], payload: &[u8], sharded: bool, limit: &BufferLimit) -> usize {
        let channel: Arc<[u8]> = channel.into();
        let payload: Arc<[u8]> = payload.into();
        let mut n = 0;
        let direct = if sharded { &self.shards } else { &self.channels };
        if let Some(subs) = direct.read().get(&*channel) {
            let msg = Arc::new(PubMessage {
                pattern: None,
                channel: channel.clone(),
                payload: payload.clone(),
                sharded,
            });
            for c in subs.values() {
                c.deliver(msg.clone(), limit);
                n += 1;
            }
        }
        if !sharded {
            for (pattern, subs) in self.patterns.read().iter() {
                if !glob::matches(pattern, &channel) {
                    continue;
                }
                let msg = Arc::new(PubMessage {
                    pattern: Some(pattern.as_slice().into()),
                    channel: channel.clone(),
                    payload: payload.clone(),
                    sharded: false,
                });
                for c in subs.values() {
                    c.deliver(msg.clone(), limit);
                    n += 1;
                }
            }
        }
        n
    }

    /// Active channels (optionally filtered by a glob), for PUBSUB CHANNELS.
    pub fn channel_names(&self, kind: Kind, pattern: Option<&[u8]>) -> Vec<Vec<u8>> {
        self.map(kind)
            .read()
            .keys()
            .filter(|c| pattern.map_or(true, |p| glob::matches(p, c)))
            .cloned()
            .collect()
    }

    /// Subscriber count of one channel.
    pub fn numsub(&self, kind: Kind, channel: &[u8]) -> usize {
        self.map(kind).read().get(channel).map_or(0, |s| s.len())
    }

    /// Number of channels with at least one subscriber.
    pub fn channel_count(&self) -> usize {
        self.channels.read().len()
    }

    /// Number of distinct patterns.
    pub fn numpat(&self) -> usize {
        self.patterns.read().len()
    }
}

