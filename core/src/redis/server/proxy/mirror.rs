//! `upstream-acl mirror`: authgate's users kept as ACL users on a Redis 6+ upstream, and each
//! client's upstream connection opened as its user, so that what runs inside the upstream
//! (scripts and functions, out of authgate's sight) is checked by the same rules there.
//!
//! A task of the server holds one upstream connection with the URL's credentials and brings
//! the upstream's users in line with authgate's: at start, after every ACL change (the
//! [`AclListener`] seam) and after a reconnect. Each user becomes `ACL SETUSER <name> reset
//! <its canonical rules>` with authgate's passwords replaced by one of its own (a secret
//! derived from a key drawn at start, never sent: the upstream gets its SHA-256 as `#hash`), so
//! only authgate can log in as a mirrored user; a deleted user is `ACL DELUSER`ed. authgate's
//! `default` is mirrored as [`DEFAULT_AS`] (the upstream's own `default` is usually the
//! account authgate itself logs in with); a user named like the URL's user is not mirrored.
//!
//! Changes are numbered: a client's upstream connection (or a forwarded batch) waits until the
//! mirror has applied every change made before it, so the upstream never runs a command under
//! rules older than authgate's.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use sha2::{Digest, Sha256};
use tokio::sync::{watch, Notify};

use super::upstream::{Failure, Upstream};
use super::{encode, Target};
use crate::redis::acl::{Acl, AclEvent, AclListener};

/// The upstream name of authgate's `default` user.
pub(crate) const DEFAULT_AS: &str = "authgate-default";

/// How long a client waits for the mirror to apply a change before it is told it failed.
const APPLY_TIMEOUT: Duration = Duration::from_secs(5);
/// The pause before the mirror retries after the upstream failed.
const RETRY_AFTER: Duration = Duration::from_secs(1);

/// The mirror of one upstream: its secrets and how far it has got.
pub(crate) struct Mirror {
    key: [u8; 32],
    /// The number of ACL changes made so far.
    changes: AtomicU64,
    wake: Notify,
    /// The number of changes applied on the upstream (`u64::MAX`: the upstream could not be
    /// reached, so clients are refused until it can).
    applied: watch::Sender<u64>,
    /// The users (authgate's names) whose rules the upstream refused, with its error: the
    /// upstream may still have older rules for them, so their clients are refused.
    refused: parking_lot::Mutex<BTreeMap<Vec<u8>, String>>,
}

impl Mirror {
    pub(crate) fn new() -> Result<Mirror, String> {
        let mut key = [0u8; 32];
        getrandom::getrandom(&mut key).map_err(|e| format!("upstream-acl mirror: no random key: {e}"))?;
        Ok(Mirror {
            key,
            changes: AtomicU64::new(1),
            wake: Notify::new(),
            applied: watch::channel(0).0,
            refused: parking_lot::Mutex::new(BTreeMap::new()),
        })
    }

    /// The upstream user name and password of authgate's user `name`.
    pub(crate) fn credentials(&self, name: &[u8]) -> (Vec<u8>, Vec<u8>) {
        let upstream = if name == b"default" { DEFAULT_AS.as_bytes().to_vec() } else { name.to_vec() };
        let mut h = Sha256::new();
        h.update(self.key);
        h.update(name);
        (upstream, hex(&h.finalize()).into_bytes())
    }

    /// Waits until every ACL change made so far is on the upstream, and checks that the
    /// upstream took the rules of `users` (authgate's names).
    pub(crate) async fn caught_up(&self, users: &[&[u8]]) -> Result<(), String> {
        let want = self.changes.load(Ordering::Acquire);
        let done = |applied: &u64| *applied >= want && *applied != u64::MAX;
        if !done(&self.applied.borrow()) {
            let mut rx = self.applied.subscribe();
            let outcome = tokio::time::timeout(APPLY_TIMEOUT, rx.wait_for(done)).await.map(|r| r.is_ok());
            if outcome != Ok(true) {
                return Err(format!(
                    "the ACL users were not mirrored on the upstream within {} seconds",
                    APPLY_TIMEOUT.as_secs()
                ));
            }
        }
        let refused = self.refused.lock();
        match users.iter().find_map(|u| refused.get(*u).map(|why| (u, why))) {
            Some((user, why)) => Err(format!(
                "refused the rules of user '{}' (upstream-acl mirror): {why}",
                String::from_utf8_lossy(user)
            )),
            None => Ok(()),
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Counts ACL changes and wakes the mirror task.
pub(crate) struct Listener(pub(crate) std::sync::Weak<Mirror>);

impl AclListener for Listener {
    fn on_event(&self, _event: &AclEvent) {
        if let Some(m) = self.0.upgrade() {
            m.changes.fetch_add(1, Ordering::AcqRel);
            m.wake.notify_one();
        }
    }

    fn is_alive(&self) -> bool {
        self.0.strong_count() > 0
    }
}

/// authgate's name, and the `ACL SETUSER` arguments, of one `ACL LIST` line; None for a user
/// not mirrored.
fn setuser_args(mirror: &Mirror, line: &[u8], skip: &[u8]) -> Option<(Vec<u8>, Vec<Vec<u8>>)> {
    let rest = line.strip_prefix(b"user ")?;
    let (name, rules) = match rest.iter().position(|&b| b == b' ') {
        Some(at) => (&rest[..at], &rest[at + 1..]),
        None => (rest, &b""[..]),
    };
    let (upstream, secret) = mirror.credentials(name);
    if upstream == skip {
        return None;
    }
    let mut args = vec![b"ACL".to_vec(), b"SETUSER".to_vec(), upstream, b"reset".to_vec()];
    // Passwords are authgate's (`#hash`, `nopass`): the mirrored user gets authgate's secret.
    args.extend(rules.split(|&b| b == b' ').filter(|t| !t.is_empty() && t[0] != b'#' && *t != b"nopass").map(<[u8]>::to_vec));
    let mut h = Sha256::new();
    h.update(&secret);
    args.push(format!("#{}", hex(&h.finalize())).into_bytes());
    Some((name.to_vec(), args))
}

/// Runs the mirror of `target` for `acl` until the server stops.
pub(crate) async fn run(target: Arc<Target>, mirror: Arc<Mirror>, acl: Arc<Acl>) {
    // The account authgate logs in with is never overwritten.
    let skip = target.url.user.clone().unwrap_or_else(|| b"default".to_vec());
    // What the upstream has of authgate's users, as last applied: name -> SETUSER arguments.
    let mut mirrored: Option<BTreeMap<Vec<u8>, Vec<Vec<u8>>>> = None;
    let mut conn: Option<Upstream> = None;
    loop {
        let wake = mirror.wake.notified();
        let change = mirror.changes.load(Ordering::Acquire);
        let mut wanted = BTreeMap::new();
        for line in acl.list() {
            if let Some((name, args)) = setuser_args(&mirror, &line, &skip) {
                wanted.insert(name, args);
            }
        }
        if !skip.is_empty() && acl.user(&skip).is_some() && skip != b"default" {
            tracing::warn!(
                "upstream-acl mirror: user '{}' is the upstream account authgate logs in with; it is not mirrored",
                String::from_utf8_lossy(&skip)
            );
        }
        let outcome = apply(&target, &mut conn, mirrored.as_ref(), &wanted).await;
        match outcome {
            Ok(refused) => {
                for (name, why) in &refused {
                    tracing::warn!(
                        "upstream-acl mirror on {}: the upstream refused user '{}': {why}",
                        target.url,
                        String::from_utf8_lossy(name)
                    );
                    // Not mirrored: sent again after the next change.
                    wanted.remove(name);
                }
                *mirror.refused.lock() = refused;
                mirrored = Some(wanted);
                mirror.applied.send_replace(change);
                wake.await;
            }
            Err(why) => {
                tracing::warn!("upstream-acl mirror on {}: {why}", target.url);
                conn = None;
                // Unknown now: every user is set again once the upstream answers.
                mirrored = None;
                mirror.applied.send_replace(u64::MAX);
                tokio::select! {
                    () = wake => {}
                    () = tokio::time::sleep(RETRY_AFTER) => {}
                }
            }
        }
    }
}

/// Sends the SETUSERs and DELUSERs that make the upstream's users `wanted` (by authgate's
/// names); returns the users whose SETUSER the upstream refused, with its error. An error is
/// the upstream failing.
async fn apply(
    target: &Target,
    conn: &mut Option<Upstream>,
    before: Option<&BTreeMap<Vec<u8>, Vec<Vec<u8>>>>,
    wanted: &BTreeMap<Vec<u8>, Vec<Vec<u8>>>,
) -> Result<BTreeMap<Vec<u8>, String>, String> {
    let mut batch = Vec::new();
    // Per command sent: the user it sets (None for a DELUSER).
    let mut what: Vec<Option<&Vec<u8>>> = Vec::new();
    for (name, args) in wanted {
        if before.and_then(|b| b.get(name)) != Some(args) {
            encode(&mut batch, args);
            what.push(Some(name));
        }
    }
    for args in before.map(|b| b.iter().filter(|(n, _)| !wanted.contains_key(*n)).map(|(_, a)| a).collect::<Vec<_>>()).unwrap_or_default() {
        // args[2] is the user's name on the upstream.
        encode(&mut batch, &[&b"ACL"[..], b"DELUSER", &args[2]]);
        what.push(None);
    }
    let mut refused = BTreeMap::new();
    if what.is_empty() {
        return Ok(refused);
    }
    if conn.is_none() {
        *conn = Some(Upstream::open(target, 0, false, None).await.map_err(|f| f.message(&target.url))?);
    }
    let up = conn.as_mut().expect("opened");
    let io = |f: Failure| f.message(&target.url);
    up.send_all(&batch).await.map_err(io)?;
    for user in what {
        let mut reply = Vec::new();
        up.read_reply(&mut reply, &[], &mut 0).await.map_err(io)?;
        if reply.first() == Some(&b'-') {
            let text = String::from_utf8_lossy(&reply[1..reply.len().saturating_sub(2)]).into_owned();
            match user {
                Some(name) => {
                    refused.insert(name.clone(), text);
                }
                None => tracing::warn!("upstream-acl mirror on {}: ACL DELUSER: {text}", target.url),
            }
        }
    }
    Ok(refused)
}
