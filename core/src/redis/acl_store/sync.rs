//! The watch: every change under the prefix applied to the engine in revision order, with the
//! engine's live-client effects; catch-up after a lost connection; a full reload at start and
//! after a compaction.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use etcd_client::{Client, EventType, GetOptions, WatchOptions};

use super::{cache, unavailable, write, Inner, StoreError};
use crate::redis::acl::{Acl, AclError};

/// The etcd client, connecting first if this node has none yet.
pub(super) async fn client(inner: &Inner) -> Result<Client, StoreError> {
    if let Some(c) = inner.client.lock().clone() {
        return Ok(c);
    }
    let c = crate::credentials::etcd::connect_client(&inner.etcd)
        .await
        .map_err(|e| StoreError::Unavailable(e.to_string()))?;
    *inner.client.lock() = Some(c.clone());
    Ok(c)
}

/// Applies a stored line (`user <name> <rules>`) to `name` in `acl` as an aclfile defines a
/// user ([`Acl::replace_user`]), so the result is exactly the stored user and the engine emits
/// its own events (channels revoked) for what changed.
pub(super) fn apply_line(acl: &Acl, name: &[u8], line: &[u8]) -> Result<(), AclError> {
    let mut head = b"user ".to_vec();
    head.extend_from_slice(name);
    let rest = line.strip_prefix(head.as_slice()).ok_or(AclError::InvalidUsername)?;
    let rules: Vec<&[u8]> = rest.split(|&b| b == b' ').filter(|r| !r.is_empty()).collect();
    acl.replace_user(name, &rules)
}

fn lossy(name: &[u8]) -> String {
    String::from_utf8_lossy(name).into_owned()
}

/// The aclfile text of `users`' lines.
pub(super) fn aclfile_text(users: &BTreeMap<Vec<u8>, Vec<u8>>) -> Vec<u8> {
    let mut text = Vec::new();
    for line in users.values() {
        text.extend_from_slice(line);
        text.push(b'\n');
    }
    text
}

/// The users of generation `id` as of `revision` (0: now), and the revision of that read.
async fn read_generation(inner: &Inner, client: &mut Client, id: &str, revision: i64) -> Result<(BTreeMap<Vec<u8>, Vec<u8>>, i64), etcd_client::Error> {
    let prefix = inner.users_prefix_of(id);
    let mut options = GetOptions::new().with_prefix();
    if revision > 0 {
        options = options.with_revision(revision);
    }
    let resp = client.get(prefix.clone(), Some(options)).await?;
    let users = resp
        .kvs()
        .iter()
        .filter_map(|kv| Some((kv.key().strip_prefix(prefix.as_bytes())?.to_vec(), kv.value().to_vec())))
        .collect();
    Ok((users, if revision > 0 { revision } else { resp.header().map_or(0, |h| h.revision()) }))
}

/// Reads the current generation and its users, both as of one revision: `(users, revision,
/// generation)`.
async fn read_all(inner: &Inner, client: &mut Client) -> Result<(BTreeMap<Vec<u8>, Vec<u8>>, i64, String), StoreError> {
    let got = client.get(inner.current_key(), None).await.map_err(unavailable)?;
    let revision = got.header().map_or(0, |h| h.revision());
    let id = got.kvs().first().map(|kv| String::from_utf8_lossy(kv.value()).into_owned()).unwrap_or_default();
    let (users, revision) = read_generation(inner, client, &id, revision).await.map_err(unavailable)?;
    Ok((users, revision, id))
}

/// At attach: seeds an empty store with the engine's users, then loads the store's users
/// into the engine as one ACL LOAD.
pub(super) async fn initial_load(inner: &Inner) -> Result<(), StoreError> {
    let mut c = client(inner).await?;
    if write::seed(inner, &mut c).await? {
        tracing::info!(target: "authgate::acl_store", endpoint = %inner.url.shown(), "the store was empty: wrote this node's users to it");
    }
    let (users, revision, generation) = read_all(inner, &mut c).await?;
    inner.acl.load_text(&aclfile_text(&users), "acl-store").map_err(StoreError::Acl)?;
    tracing::info!(target: "authgate::acl_store", users = users.len(), revision, "loaded the users of the ACL store");
    let mut st = inner.state.lock();
    *st = super::SyncState {
        users,
        generation,
        applied: revision,
        store_revision: revision,
        stale: false,
        connected: true,
        followed: true,
        last_change: Some(Instant::now()),
    };
    cache::write(inner, &st);
    inner.applied.notify_all();
    Ok(())
}

/// Replaces the state with `users` at `revision` user by user, so only changed users are
/// touched (a reload after a compaction or a stale start must not drop every connection).
fn apply_reload(inner: &Inner, users: BTreeMap<Vec<u8>, Vec<u8>>, revision: i64, generation: String) {
    let mut st = inner.state.lock();
    st.generation = generation;
    for (name, line) in &users {
        if st.users.get(name) != Some(line) {
            apply_put(inner, name, line, revision);
        }
    }
    let gone: Vec<Vec<u8>> = st.users.keys().filter(|n| !users.contains_key(*n)).cloned().collect();
    for name in gone {
        apply_delete(inner, &name, revision);
    }
    st.users = users;
    st.applied = st.applied.max(revision);
    st.store_revision = st.store_revision.max(revision);
    st.last_change = Some(Instant::now());
    let snapshot = cache::render(inner, &st);
    drop(st);
    // Writers waiting for this revision go on while the cache is written (fsyncs).
    inner.applied.notify_all();
    cache::store(inner, snapshot);
}

fn apply_put(inner: &Inner, name: &[u8], line: &[u8], revision: i64) {
    match apply_line(&inner.acl, name, line) {
        Ok(()) => tracing::info!(target: "authgate::acl_store", user = %lossy(name), revision, "applied SETUSER"),
        Err(e) => tracing::error!(target: "authgate::acl_store", user = %lossy(name), revision, error = %String::from_utf8_lossy(&e.to_bytes()), "ignored an invalid user entry"),
    }
}

fn apply_delete(inner: &Inner, name: &[u8], revision: i64) {
    if name == b"default" {
        // The default user always exists; a deleted key (by hand) leaves it as it is.
        tracing::warn!(target: "authgate::acl_store", revision, "the default user's key was deleted; default is kept");
        return;
    }
    let _ = inner.acl.deluser(&[name]);
    tracing::info!(target: "authgate::acl_store", user = %lossy(name), revision, "applied DELUSER");
}

/// One key change seen by the watch: the key's new value, or its deletion (`None`).
struct Change {
    revision: i64,
    key: Vec<u8>,
    value: Option<Vec<u8>>,
}

/// Applies an ACL LOAD: generation `generation` became current at `revision` with `users`.
/// Redis 7.0's ACL LOAD: every non-default user's connections close.
fn apply_load(inner: &Inner, generation: String, users: BTreeMap<Vec<u8>, Vec<u8>>, revision: i64) {
    let mut st = inner.state.lock();
    if revision <= st.applied {
        return;
    }
    match inner.acl.load_text(&aclfile_text(&users), "acl-store") {
        Ok(()) => tracing::info!(target: "authgate::acl_store", users = users.len(), revision, "applied ACL LOAD"),
        Err(e) => tracing::error!(target: "authgate::acl_store", revision, error = %String::from_utf8_lossy(&e.to_bytes()), "ignored an invalid ACL LOAD"),
    }
    st.users = users;
    st.generation = generation;
    st.applied = revision;
    st.store_revision = st.store_revision.max(revision);
    st.last_change = Some(Instant::now());
    let snapshot = cache::render(inner, &st);
    drop(st);
    inner.applied.notify_all();
    cache::store(inner, snapshot);
}

/// Applies one revision's changes to the current generation's users (SETUSER, DELUSER);
/// keys of other generations (one being staged, one an ACL LOAD deleted) are not users.
fn apply_changes(inner: &Inner, revision: i64, changes: &[Change]) {
    let mut st = inner.state.lock();
    if revision <= st.applied {
        return;
    }
    let prefix = inner.users_prefix_of(&st.generation);
    let mut changed = false;
    for c in changes {
        let Some(name) = c.key.strip_prefix(prefix.as_bytes()) else { continue };
        changed = true;
        match &c.value {
            Some(line) => {
                apply_put(inner, name, line, revision);
                st.users.insert(name.to_vec(), line.clone());
            }
            None => {
                apply_delete(inner, name, revision);
                st.users.remove(name);
            }
        }
    }
    st.applied = revision;
    st.store_revision = st.store_revision.max(revision);
    if !changed {
        // Another generation's keys (an ACL LOAD being staged): nothing to cache.
        drop(st);
        inner.applied.notify_all();
        return;
    }
    st.last_change = Some(Instant::now());
    let snapshot = cache::render(inner, &st);
    drop(st);
    inner.applied.notify_all();
    cache::store(inner, snapshot);
}

/// Why a watch session ended.
enum Ended {
    /// The history from the last applied revision is gone: reload everything.
    Compacted,
    /// etcd is unreachable or the stream broke: resume from the last applied revision.
    Lost(String),
}

/// One watch session from `from` + 1 (after a reload when `from` is `None`).
async fn session(inner: &Inner, from: Option<i64>) -> Ended {
    let mut c = match client(inner).await {
        Ok(c) => c,
        Err(e) => return Ended::Lost(e.to_string()),
    };
    let from = match from {
        Some(r) => r,
        None => match read_all(inner, &mut c).await {
            Ok((users, revision, generation)) => {
                apply_reload(inner, users, revision, generation);
                revision
            }
            Err(e) => return Ended::Lost(e.to_string()),
        },
    };
    let options = WatchOptions::new().with_prefix().with_start_revision(from + 1).with_progress_notify();
    let mut stream = match c.watch(inner.url.prefix.clone(), Some(options)).await {
        Ok(s) => s,
        Err(e) => return Ended::Lost(e.to_string()),
    };
    let current_key = inner.current_key();
    loop {
        let resp = match stream.message().await {
            Ok(Some(resp)) => resp,
            Ok(None) => return Ended::Lost("the watch stream ended".into()),
            Err(e) => return Ended::Lost(e.to_string()),
        };
        if resp.compact_revision() > 0 {
            return Ended::Compacted;
        }
        if resp.canceled() {
            return Ended::Lost(format!("the watch was canceled: {}", resp.cancel_reason()));
        }
        let header_revision = resp.header().map_or(0, |h| h.revision());
        {
            let mut st = inner.state.lock();
            if !st.connected || st.stale {
                tracing::info!(target: "authgate::acl_store", from, "following the ACL store");
            }
            st.connected = true;
            st.followed = true;
            st.stale = false;
            st.store_revision = st.store_revision.max(header_revision);
            if resp.events().is_empty() && !resp.created() {
                // A progress notification: nothing under the prefix changed up to here.
                st.applied = st.applied.max(header_revision);
            }
        }
        let changes: Vec<Change> = resp
            .events()
            .iter()
            .filter_map(|ev| {
                let kv = ev.kv()?;
                let value = (ev.event_type() == EventType::Put).then(|| kv.value().to_vec());
                Some(Change { revision: kv.mod_revision(), key: kv.key().to_vec(), value })
            })
            .collect();
        // One transaction per revision, in order.
        for group in changes.chunk_by(|a, b| a.revision == b.revision) {
            let revision = group[0].revision;
            let switched = group.iter().find(|c| c.key == current_key.as_bytes()).and_then(|c| c.value.clone());
            match switched {
                // An ACL LOAD: the new generation as it was at the switch (complete: it was
                // staged before), applied as one load; the old generation's deletions in the
                // same transaction are part of it.
                Some(id) => {
                    let id = String::from_utf8_lossy(&id).into_owned();
                    match read_generation(inner, &mut c, &id, revision).await {
                        Ok((users, _)) => apply_load(inner, id, users, revision),
                        Err(etcd_client::Error::GRpcStatus(s)) if s.message().contains("compacted") => return Ended::Compacted,
                        Err(e) => return Ended::Lost(e.to_string()),
                    }
                }
                None => apply_changes(inner, revision, group),
            }
        }
    }
}

/// Follows the store until the runtime stops: a session, and on its end a new one from the
/// last applied revision (or a reload), every 250 ms while etcd is away.
pub(super) async fn follow(inner: Arc<Inner>) {
    let mut from = {
        let st = inner.state.lock();
        st.followed.then_some(st.applied)
    };
    loop {
        let ended = session(&inner, from).await;
        let was_connected = {
            let mut st = inner.state.lock();
            std::mem::replace(&mut st.connected, false)
        };
        match ended {
            Ended::Compacted => {
                tracing::warn!(target: "authgate::acl_store", "the store's history was compacted past this node's revision: reloading");
                from = None;
                continue;
            }
            Ended::Lost(why) => {
                if was_connected {
                    inner.state.lock().stale = true;
                    tracing::warn!(target: "authgate::acl_store", error = %why, "lost the ACL store: serving the last state, writes fail until it is back");
                }
                let st = inner.state.lock();
                // A node that started stale reloads everything once it reaches etcd.
                from = st.followed.then_some(st.applied);
            }
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}
