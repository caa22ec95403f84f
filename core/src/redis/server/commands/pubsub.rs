//! PUBLISH, (P|S)SUBSCRIBE, (P|S)UNSUBSCRIBE and PUBSUB. Replies follow Redis 7.0: one reply
//! per channel, RESP2 arrays or RESP3 pushes, counts of channels + patterns (shard channels
//! counted separately).

use crate::redis::resp::Encoder;
use crate::redis::server::clients::PubMessage;
pub(crate) use crate::redis::server::pubsub::Kind;
use crate::redis::server::session::Session;

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
    let limit = s.shared.config.read().client_output_buffer_limit.pubsub;
    let n = s.shared.pubsub.publish(&argv[1], &argv[2], sharded, &limit);
    // Each delivery queues and wakes a subscriber: the publisher's share of the event loop.
    s.work += n;
    s.out.integer(n as i64);
}

/// PUBSUB CHANNELS|NUMSUB|NUMPAT|SHARDCHANNELS|SHARDNUMSUB (`sub` is the lowercase name).
pub(crate) fn pubsub_command(s: &mut Session, sub: &str, argv: &[Vec<u8>]) {
    let ps = &s.shared.pubsub;
    match sub {
        "channels" | "shardchannels" => {
            // at most one pattern; Redis' handler answers its subcommand syntax error
            if argv.len() > 3 {
                return super::acl::subcommand_syntax_error(&mut s.out, argv);
            }
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
