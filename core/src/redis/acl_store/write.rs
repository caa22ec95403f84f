//! The store's writes: etcd transactions conditioned on the revisions read, retried on a
//! conflict, so concurrent writers compose like sequential commands; ACL LOAD as a new
//! generation of users (see `layout`).

use etcd_client::{Compare, CompareOp, DeleteOptions, GetOptions, PutOptions, Txn, TxnOp};

use super::layout::{generation_of, new_generation_id};
use super::sync::{apply_line, client};
use super::{unavailable, Inner, StoreError};
use crate::redis::acl::{Acl, AclError};
use crate::redis::cstr::c_str;

/// How often a write is retried when another writer changed the same keys in between.
/// Each retry re-reads, so only a user changed this often in a row exhausts it.
const MAX_ATTEMPTS: usize = 100;

/// `name`'s line after `rules`, computed on a scratch engine from `current` (the line in
/// etcd, `None`: a new user): Redis' SETUSER errors come from the engine itself.
fn next_line(acl: &Acl, name: &[u8], current: Option<&[u8]>, rules: &[Vec<u8>]) -> Result<Vec<u8>, StoreError> {
    let scratch = Acl::with_options(acl.options());
    if let Some(line) = current {
        // A line that does not parse is treated as absent: the new rules start afresh.
        if apply_line(&scratch, name, line).is_err() {
            tracing::warn!(target: "authgate::acl_store", user = %String::from_utf8_lossy(name), "the user's entry in etcd is invalid; SETUSER starts from a new user");
        }
    }
    scratch.setuser(name, rules)?;
    let mut head = b"user ".to_vec();
    head.extend_from_slice(name);
    head.push(b' ');
    Ok(scratch.list().into_iter().find(|l| l.starts_with(&head)).expect("the user was just set"))
}

/// ACL SETUSER: returns the revision of the write.
pub(super) async fn setuser(inner: &Inner, name: &[u8], rules: &[Vec<u8>]) -> Result<i64, StoreError> {
    // The engine's own checks first (spaces in the name, unmatched parentheses, bad rules),
    // so an invalid change costs no round trip.
    next_line(&inner.acl, name, None, rules)?;
    let mut client = client(inner).await?;
    for _ in 0..MAX_ATTEMPTS {
        let current = inner.current(&mut client).await?;
        let key = [inner.users_prefix_of(&current.id).as_bytes(), name].concat();
        let got = client.get(key.clone(), None).await.map_err(unavailable)?;
        let existing = got.kvs().first().map(|kv| (kv.value().to_vec(), kv.mod_revision()));
        let line = next_line(&inner.acl, name, existing.as_ref().map(|(l, _)| l.as_slice()), rules)?;
        let unchanged = match &existing {
            Some((_, revision)) => Compare::mod_revision(key.clone(), CompareOp::Equal, *revision),
            None => Compare::version(key.clone(), CompareOp::Equal, 0),
        };
        // An ACL LOAD switching generations meanwhile makes this a retry on the new one.
        let txn = Txn::new()
            .when([inner.current_unchanged(&current), unchanged])
            .and_then([TxnOp::put(key.clone(), line, None)]);
        let resp = client.txn(txn).await.map_err(unavailable)?;
        if resp.succeeded() {
            return Ok(resp.header().map_or(0, |h| h.revision()));
        }
    }
    Err(StoreError::Conflict(String::from_utf8_lossy(name).into_owned()))
}

/// ACL DELUSER: how many existed, and the revision to wait for.
pub(super) async fn deluser(inner: &Inner, names: &[Vec<u8>]) -> Result<(usize, i64), StoreError> {
    if names.iter().any(|n| c_str(n) == b"default") {
        return Err(AclError::DeleteDefault.into());
    }
    let mut names: Vec<&Vec<u8>> = names.iter().collect();
    names.sort();
    names.dedup();
    let mut client = client(inner).await?;
    for _ in 0..MAX_ATTEMPTS {
        let current = inner.current(&mut client).await?;
        let prefix = inner.users_prefix_of(&current.id);
        let keys: Vec<Vec<u8>> = names.iter().map(|n| [prefix.as_bytes(), n].concat()).collect();
        let mut compares = vec![inner.current_unchanged(&current)];
        let mut deletes = Vec::new();
        let mut read_at = 0;
        for key in &keys {
            let got = client.get(key.clone(), None).await.map_err(unavailable)?;
            read_at = got.header().map_or(0, |h| h.revision());
            match got.kvs().first() {
                Some(kv) => {
                    compares.push(Compare::mod_revision(key.clone(), CompareOp::Equal, kv.mod_revision()));
                    deletes.push(TxnOp::delete(key.clone(), None));
                }
                None => compares.push(Compare::version(key.clone(), CompareOp::Equal, 0)),
            }
        }
        if deletes.is_empty() {
            // Nothing to delete as of `read_at`; waiting for it keeps reads after this
            // reply at least that recent.
            return Ok((0, read_at));
        }
        let count = deletes.len();
        let resp = client.txn(Txn::new().when(compares).and_then(deletes)).await.map_err(unavailable)?;
        if resp.succeeded() {
            return Ok((count, resp.header().map_or(0, |h| h.revision())));
        }
    }
    Err(StoreError::Conflict(names.iter().map(|n| String::from_utf8_lossy(n)).collect::<Vec<_>>().join(" ")))
}

/// At most this many operations go in one staging transaction: under etcd's default
/// `--max-txn-ops` of 128.
const STAGE_BATCH: usize = 100;

/// How long a generation being written stays protected from the garbage collection of
/// [`collect_garbage`] without news from its writer (kept alive between batches).
const STAGING_TTL_SECONDS: i64 = 60;

/// ACL LOAD: every user replaced by `lines` (canonical `user ...` lines), atomically for
/// every reader: a new generation written in batches, then `current` switched to it in one
/// transaction that also deletes the old generation (see `layout`). Concurrent ACL LOADs
/// compose like sequential ones (the later switch wins, each deleting the one before).
pub(super) async fn replace_all(inner: &Inner, lines: &[Vec<u8>]) -> Result<i64, StoreError> {
    let mut client = client(inner).await?;
    match install(inner, &mut client, lines, Switch::Always).await? {
        Some(revision) => Ok(revision),
        None => Err(StoreError::Conflict("(ACL LOAD)".into())),
    }
}

/// Writes `acl`'s users into an empty store (no generation named and no user in the first
/// one), so two nodes starting at once do not both seed. Returns whether this node's users
/// were written.
pub(super) async fn seed(inner: &Inner, client: &mut etcd_client::Client) -> Result<bool, StoreError> {
    let current = inner.current(client).await?;
    let first = client
        .get(inner.users_prefix_of(""), Some(GetOptions::new().with_prefix().with_count_only()))
        .await
        .map_err(unavailable)?;
    if current.revision != 0 || first.count() > 0 {
        return Ok(false);
    }
    Ok(install(inner, client, &inner.acl.list(), Switch::IfEmpty).await?.is_some())
}

/// When a staged generation may become current.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Switch {
    /// Whatever is current (ACL LOAD), retried while other loads switch in between.
    Always,
    /// Only if the store is still empty (seeding).
    IfEmpty,
}

/// Stages `lines` as a new generation and switches `current` to it: the switch's revision,
/// or `None` when `IfEmpty` found the store seeded meanwhile (the staged keys are removed).
async fn install(inner: &Inner, client: &mut etcd_client::Client, lines: &[Vec<u8>], when: Switch) -> Result<Option<i64>, StoreError> {
    let id = new_generation_id();
    let lease = client.lease_grant(STAGING_TTL_SECONDS, None).await.map_err(unavailable)?.id();
    let staged = stage(inner, client, &id, lease, lines).await;
    let outcome = match staged {
        Ok(()) => switch(inner, client, &id, when).await,
        Err(e) => Err(e),
    };
    if !matches!(outcome, Ok(Some(_))) {
        // Not current: nobody reads it. Best effort; a leftover is collected later.
        let _ = client.delete(inner.generation_prefix(&id), Some(DeleteOptions::new().with_prefix())).await;
    }
    let _ = client.lease_revoke(lease).await;
    if matches!(outcome, Ok(Some(_))) {
        collect_garbage(inner, client).await;
    }
    outcome
}

/// Writes generation `id`: its staging key (on `lease`, kept alive between batches), then
/// the users in batches of [`STAGE_BATCH`].
async fn stage(inner: &Inner, client: &mut etcd_client::Client, id: &str, lease: i64, lines: &[Vec<u8>]) -> Result<(), StoreError> {
    let (mut keeper, _responses) = client.lease_keep_alive(lease).await.map_err(unavailable)?;
    let marker = TxnOp::put(inner.staging_key(id), b"ACL LOAD".to_vec(), Some(PutOptions::new().with_lease(lease)));
    client.txn(Txn::new().and_then([marker])).await.map_err(unavailable)?;
    let prefix = inner.users_prefix_of(id);
    for batch in lines.chunks(STAGE_BATCH) {
        let puts: Vec<TxnOp> = batch
            .iter()
            .map(|line| {
                let name = line.split(|&b| b == b' ').nth(1).unwrap_or_default();
                TxnOp::put([prefix.as_bytes(), name].concat(), line.clone(), None)
            })
            .collect();
        client.txn(Txn::new().and_then(puts)).await.map_err(unavailable)?;
        keeper.keep_alive().await.map_err(unavailable)?;
    }
    Ok(())
}

/// The switch: `current` := `id`, the old generation deleted, in one transaction conditioned
/// on `current` being what was read and on `id`'s staging key still existing (a generation a
/// collector removed never becomes current).
async fn switch(inner: &Inner, client: &mut etcd_client::Client, id: &str, when: Switch) -> Result<Option<i64>, StoreError> {
    for _ in 0..MAX_ATTEMPTS {
        let current = inner.current(client).await?;
        let mut compares = vec![
            inner.current_unchanged(&current),
            Compare::version(inner.staging_key(id), CompareOp::Greater, 0),
        ];
        if when == Switch::IfEmpty {
            if current.revision != 0 {
                return Ok(None);
            }
            compares.push(Compare::version(inner.users_prefix_of(""), CompareOp::Equal, 0).with_prefix());
        }
        let ops = [
            TxnOp::put(inner.current_key(), id.as_bytes().to_vec(), None),
            TxnOp::delete(inner.staging_key(id), None),
            TxnOp::delete(inner.generation_prefix(&current.id), Some(DeleteOptions::new().with_prefix())),
        ];
        let resp = client.txn(Txn::new().when(compares).and_then(ops)).await.map_err(unavailable)?;
        if resp.succeeded() {
            return Ok(Some(resp.header().map_or(0, |h| h.revision())));
        }
        if when == Switch::IfEmpty {
            return Ok(None);
        }
        let still_staged = client.get(inner.staging_key(id), None).await.map_err(unavailable)?;
        if still_staged.kvs().is_empty() {
            return Err(StoreError::Unavailable("etcd: the ACL LOAD's staged users expired before they could be switched to".into()));
        }
    }
    Ok(None)
}

/// Deletes the generations that writers killed mid-load left: neither current nor being
/// written (their staging key's lease expired). Each is deleted on both conditions, checked
/// by etcd in the deleting transaction. Best effort: a failure leaves garbage nobody reads.
async fn collect_garbage(inner: &Inner, client: &mut etcd_client::Client) {
    let all = inner.generations_prefix();
    let Ok(listed) = client.get(all.clone(), Some(GetOptions::new().with_prefix().with_keys_only())).await else { return };
    let mut ids: Vec<String> = listed
        .kvs()
        .iter()
        .filter_map(|kv| generation_of(kv.key().strip_prefix(all.as_bytes())?))
        .map(|id| String::from_utf8_lossy(id).into_owned())
        .collect();
    ids.dedup();
    for id in ids {
        let unused = [
            Compare::value(inner.current_key(), CompareOp::NotEqual, id.as_bytes().to_vec()),
            Compare::version(inner.staging_key(&id), CompareOp::Equal, 0),
        ];
        let delete = TxnOp::delete(inner.generation_prefix(&id), Some(DeleteOptions::new().with_prefix()));
        if let Ok(resp) = client.txn(Txn::new().when(unused).and_then([delete])).await {
            if resp.succeeded() {
                tracing::info!(target: "authgate::acl_store", generation = %id, "deleted the users an interrupted ACL LOAD left");
            }
        }
    }
}
