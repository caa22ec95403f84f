//! A logged-in client's permissions, checked as nats-server 2.9.10's `client.go` does:
//! publish (allow, then deny, then the `allow_responses` reply tracker), subscribe (queue
//! entries per `canSubscribe`), and the deny filter applied when delivering to a wildcard
//! subscription (`can_receive`).

use std::collections::HashMap;
use std::time::{Duration, Instant};

use parking_lot::Mutex;

use super::options::{Permissions, ResponsePermission};
use super::subject;
use super::sublist::{Sublist, Tokens};
use super::verdict_cache::{CheckKind, VerdictCache};

/// How many reply subjects are tracked before expired ones are pruned (nats-server's
/// `replyPermLimit`).
const REPLY_PERM_LIMIT: usize = 4096;

/// Compiled permission tries, and the cache of their verdicts (shared by every identity of
/// the user; see [`VerdictCache`]).
#[derive(Debug, Default, Clone)]
pub(crate) struct Compiled {
    pub_allow: Option<Sublist>,
    pub_deny: Option<Sublist>,
    sub_allow: Option<Sublist>,
    sub_deny: Option<Sublist>,
    /// The subscribe deny entries as written, the delivery filter.
    deny_filter: Option<Sublist>,
    response: Option<ResponsePermission>,
    cache: VerdictCache,
}

/// splitSubjectQueue: `subject` or `subject queue`; more fields are refused (nats-server
/// logs and skips such an entry).
fn split_subject_queue(sq: &[u8]) -> Option<(&[u8], Option<&[u8]>)> {
    let f = subject::fields(sq);
    match f.len() {
        0 => Some((b"".as_slice(), None)),
        1 => Some((f[0], None)),
        2 => Some((f[0], Some(f[1]))),
        _ => None,
    }
}

impl Compiled {
    /// setPermissions.
    pub(crate) fn new(p: &Permissions) -> Compiled {
        let mut c = Compiled::default();
        if let Some(publish) = &p.publish {
            if let Some(allow) = &publish.allow {
                let mut sl = Sublist::default();
                for s in allow {
                    sl.insert(s, None);
                }
                c.pub_allow = Some(sl);
            }
            if let Some(deny) = publish.deny.as_ref().filter(|d| !d.is_empty()) {
                let mut sl = Sublist::default();
                for s in deny {
                    sl.insert(s, None);
                }
                c.pub_deny = Some(sl);
            }
        }
        c.response = p.response;
        if let Some(sub) = &p.subscribe {
            if let Some(allow) = sub.allow.as_ref().filter(|a| !a.is_empty()) {
                let mut sl = Sublist::default();
                for e in allow {
                    if let Some((s, q)) = split_subject_queue(e) {
                        sl.insert(s, q);
                    }
                }
                c.sub_allow = Some(sl);
            }
            if let Some(deny) = sub.deny.as_ref().filter(|d| !d.is_empty()) {
                let mut sl = Sublist::default();
                let mut filter = Sublist::default();
                for e in deny {
                    filter.insert(e, None);
                    if let Some((s, q)) = split_subject_queue(e) {
                        sl.insert(s, q);
                    }
                }
                c.sub_deny = Some(sl);
                c.deny_filter = Some(filter);
            }
        }
        c
    }

    /// The allow/deny part of the publish check (the part nats-server caches too).
    pub(crate) fn publish_lists(&self, subject: &[u8]) -> bool {
        if self.pub_allow.is_none() && self.pub_deny.is_none() {
            return true;
        }
        self.cache.get_or_compute(CheckKind::Publish, subject, || {
            let Some(tokens) = Tokens::split(subject) else {
                // Matches no entry: allowed only without an allow list.
                return self.pub_allow.is_none();
            };
            let allowed = self.pub_allow.as_ref().map_or(true, |a| a.has_plain_match(&tokens));
            allowed && !self.pub_deny.as_ref().is_some_and(|d| d.has_plain_match(&tokens))
        })
    }

    /// canSubscribe, then nats-server's refusal of a subject its subscription list cannot
    /// hold (an empty token, a token after `>`).
    pub(crate) fn subscribe(&self, subject: &[u8], queue: Option<&[u8]>) -> bool {
        match queue.filter(|q| !q.is_empty()) {
            None => self.cache.get_or_compute(CheckKind::Subscribe, subject, || {
                self.subscribe_uncached(subject, None) && subject::is_valid_subject(subject)
            }),
            Some(q) => self.subscribe_uncached(subject, Some(q)) && subject::is_valid_subject(subject),
        }
    }

    fn subscribe_uncached(&self, subject: &[u8], queue: Option<&[u8]>) -> bool {
        let Some(tokens) = Tokens::split(subject) else {
            // Matches no allow entry and no deny entry.
            return self.sub_allow.is_none();
        };
        let mut allowed = true;
        if let Some(a) = &self.sub_allow {
            allowed = match queue {
                Some(q) if a.has_queues() => {
                    let r = a.matches(&tokens);
                    if r.queues.is_empty() {
                        r.plain
                    } else {
                        queue_matches(q, &r.queues)
                    }
                }
                _ => a.has_plain_match(&tokens),
            };
        }
        if allowed {
            if let Some(d) = &self.sub_deny {
                allowed = match queue {
                    Some(q) if d.has_queues() => {
                        let r = d.matches(&tokens);
                        if r.queues.is_empty() {
                            !r.plain
                        } else {
                            !queue_matches(q, &r.queues)
                        }
                    }
                    _ => !d.has_plain_match(&tokens),
                };
            }
        }
        allowed
    }

    /// checkDenySub: whether a message on `subject` is withheld from a wildcard subscriber.
    pub(crate) fn receive(&self, subject: &[u8]) -> bool {
        let Some(f) = &self.deny_filter else { return true };
        self.cache.get_or_compute(CheckKind::Receive, subject, || {
            !Tokens::split(subject).is_some_and(|t| f.has_plain_match(&t))
        })
    }

    pub(crate) fn response(&self) -> Option<ResponsePermission> {
        self.response
    }
}

/// queueMatches: the queue by its name, or inside a wildcard queue entry.
fn queue_matches(queue: &[u8], queues: &[&[u8]]) -> bool {
    if queues.is_empty() {
        return true;
    }
    queues.iter().any(|q| *q == queue || (subject::has_wildcard(q) && subject::is_subset_match(queue, q)))
}

struct Reply {
    at: Instant,
    n: i64,
}

/// The reply subjects a client with `allow_responses` may answer (nats-server's `replies`).
#[derive(Default)]
pub(crate) struct ReplyTracker {
    replies: Mutex<HashMap<Vec<u8>, Reply>>,
}

impl ReplyTracker {
    /// A request carrying `reply` was delivered to the client.
    pub(crate) fn delivered(&self, reply: &[u8], rp: ResponsePermission, now: Instant) {
        if reply.is_empty() {
            return;
        }
        let mut m = self.replies.lock();
        m.insert(reply.to_vec(), Reply { at: now, n: 0 });
        if m.len() > REPLY_PERM_LIMIT {
            m.retain(|_, r| {
                !((rp.max_msgs > 0 && r.n >= rp.max_msgs)
                    || (rp.expires > 0 && now.duration_since(r.at) > nanos(rp.expires)))
            });
        }
    }

    /// The reply part of pubAllowedFullCheck: counts the response and says if it is allowed.
    pub(crate) fn publish(&self, subject: &[u8], rp: ResponsePermission, now: Instant) -> bool {
        let mut m = self.replies.lock();
        let Some(r) = m.get_mut(subject) else { return false };
        r.n += 1;
        if rp.max_msgs > 0 && r.n > rp.max_msgs {
            m.remove(subject);
            false
        } else if rp.expires > 0 && now.duration_since(r.at) > nanos(rp.expires) {
            m.remove(subject);
            false
        } else {
            true
        }
    }
}

fn nanos(n: i64) -> Duration {
    Duration::from_nanos(n.max(0) as u64)
}
