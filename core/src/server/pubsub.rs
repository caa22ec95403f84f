//! Pub/Sub: the subscription registry, PUBLISH, (P|S)SUBSCRIBE and (P|S)UNSUBSCRIBE, PUBSUB.
//!
//! A connection's own subscriptions live in its [`Session`]; the registry maps channels and
//! patterns to the subscribed connections so PUBLISH can deliver. Replies follow Redis 7.0:
//! one reply per channel, RESP2 arrays or RESP3 pushes, counts of channels + patterns (shard
//! channels counted separately).

use std::collections::HashMap;
use std::sync::Arc;

use parking_lot::RwLock;

use super::clients::{ClientHandle, PubMessage};
use super::session::Session;
use crate::acl::glob;
use crate::resp::Encoder;

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
    fn sub_word(self) -> &'static [u8] {
        match self {
            Kind::Channel => b"subscribe",
            Kind::Pattern => b"psubscribe",
            Kind::Shard => b"ssubscribe",
        }
    }
    fn unsub_word(self) -> &'static [u8] {
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

    fn add(&self, kind: Kind, name: &[u8], client: &Arc<ClientHandle>) {
        self.map(kind).write().entry(name.to_vec()).or_default().insert(client.id, client.clone());
    }

    fn remove(&self, kind: Kind, name: &[u8], id: u64) {
        let mut m = self.map(kind).write();
        if let Some(subs) = m.get_mut(name) {
            subs.remove(&id);
            if subs.is_empty() {
                m.remove(name);
            }
        }
    }

    /// Delivers `payload` to the subscribers of `channel` (and of matching patterns unless
    /// sharded); returns how many received it.
    pub fn publish(&self, channel: &[u8], payload: &[u8], sharded: bool) -> usize {
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
                c.deliver(msg.clone());
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
                    c.deliver(msg.clone());
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

fn set_of(s: &mut Session, kind: Kind) -> &mut std::collections::HashSet<Vec<u8>> {
    match kind {
        Kind::Channel => &mut s.subs,
        Kind::Pattern => &mut s.psubs,
        Kind::Shard => &mut s.ssubs,
    }
}

fn count_for(s: &Session, kind: Kind) -> i64 {
    match kind {
        Kind::Shard => s.ssubs.len() as i64,
        _ => s.sub_count() as i64,
    }
}

fn reply(out: &mut Encoder, word: &[u8], name: Option<&[u8]>, count: i64) {
    out.push(3);
    out.bulk(word);
    match name {
        Some(n) => out.bulk(n),
        None => out.null(),
    }
    out.integer(count);
}

/// SUBSCRIBE / PSUBSCRIBE / SSUBSCRIBE channel [channel ...]
pub(crate) fn subscribe(s: &mut Session, argv: &[Vec<u8>], kind: Kind) {
    // Inside EXEC a client must get one reply per command; Redis refuses SSUBSCRIBE there
    // (SUBSCRIBE and PSUBSCRIBE are let through and reply once per channel).
    if s.in_exec && kind == Kind::Shard {
        return s.out.error_str("ERR SSUBSCRIBE isn't allowed for a DENY BLOCKING client");
    }
    for name in &argv[1..] {
        if set_of(s, kind).insert(name.clone()) {
            s.shared.pubsub.add(kind, name, &s.handle);
        }
        let count = count_for(s, kind);
        reply(&mut s.out, kind.sub_word(), Some(name), count);
    }
    s.sync_info();
}

/// UNSUBSCRIBE / PUNSUBSCRIBE / SUNSUBSCRIBE [channel ...]
pub(crate) fn unsubscribe(s: &mut Session, argv: &[Vec<u8>], kind: Kind) {
    let names: Vec<Vec<u8>> = if argv.len() > 1 {
        argv[1..].to_vec()
    } else {
        set_of(s, kind).iter().cloned().collect()
    };
    if names.is_empty() {
        let count = count_for(s, kind);
        reply(&mut s.out, kind.unsub_word(), None, count);
    }
    for name in &names {
        if set_of(s, kind).remove(name) {
            s.shared.pubsub.remove(kind, name, s.handle.id);
        }
        let count = count_for(s, kind);
        reply(&mut s.out, kind.unsub_word(), Some(name), count);
    }
    s.sync_info();
}

/// Drops every subscription (RESET, disconnect), without replies.
pub(crate) fn unsubscribe_all(s: &mut Session) {
    for kind in [Kind::Channel, Kind::Pattern, Kind::Shard] {
        let names: Vec<Vec<u8>> = set_of(s, kind).drain().collect();
        for n in names {
            s.shared.pubsub.remove(kind, &n, s.handle.id);
        }
    }
}

/// Encodes a delivered message for this client's protocol.
pub(crate) fn encode_message(out: &mut Encoder, msg: &PubMessage, sharded: bool) {
    match &msg.pattern {
        Some(p) => {
            out.push(4);
            out.bulk(b"pmessage");
            out.bulk(p);
        }
        None => {
            out.push(3);
            out.bulk(if sharded { b"smessage" } else { b"message" });
        }
    }
    out.bulk(&msg.channel);
    out.bulk(&msg.payload);
}

/// PUBLISH / SPUBLISH channel message
pub(crate) fn publish(s: &mut Session, argv: &[Vec<u8>], sharded: bool) {
    let n = s.shared.pubsub.publish(&argv[1], &argv[2], sharded);
    s.out.integer(n as i64);
}

/// PUBSUB CHANNELS|NUMSUB|NUMPAT|SHARDCHANNELS|SHARDNUMSUB (`sub` is the lowercase name).
pub(crate) fn pubsub_command(s: &mut Session, sub: &str, argv: &[Vec<u8>]) {
    let ps = &s.shared.pubsub;
    match sub {
        "channels" | "shardchannels" => {
            let kind = if sub == "channels" { Kind::Channel } else { Kind::Shard };
            let names = ps.channel_names(kind, argv.get(2).map(|p| p.as_slice()));
            s.out.array(names.len());
            for n in &names {
                s.out.bulk(n);
            }
        }
        "numsub" | "shardnumsub" => {
            let kind = if sub == "numsub" { Kind::Channel } else { Kind::Shard };
            // Redis 7.0 answers a flat array here even in RESP3.
            s.out.array(2 * (argv.len() - 2));
            for c in &argv[2..] {
                s.out.bulk(c);
                s.out.integer(ps.numsub(kind, c) as i64);
            }
        }
        _ => {
            let n = ps.numpat();
            s.out.integer(n as i64);
        }
    }
}
