//! The store's writes: etcd transactions conditioned on the revisions read, retried on a
//! conflict, so concurrent writers compose like sequential commands.

use etcd_client::{Compare, CompareOp, GetOptions, Txn, TxnOp};

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
    let key = [inner.users_prefix().as_bytes(), name].concat();
    for _ in 0..MAX_ATTEMPTS {
        let got = client.get(key.clone(), None).await.map_err(unavailable)?;
        let current = got.kvs().first().map(|kv| (kv.value().to_vec(), kv.mod_revision()));
        let line = next_line(&inner.acl, name, current.as_ref().map(|(l, _)| l.as_slice()), rules)?;
        let unchanged = match &current {
            Some((_, revision)) => Compare::mod_revision(key.clone(), CompareOp::Equal, *revision),
            None => Compare::version(key.clone(), CompareOp::Equal, 0),
        };
        let txn = Txn::new().when([unchanged]).and_then([TxnOp::put(key.clone(), line, None)]);
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
    let prefix = inner.users_prefix();
    let keys: Vec<Vec<u8>> = names.iter().map(|n| [prefix.as_bytes(), n].concat()).collect();
    for _ in 0..MAX_ATTEMPTS {
        let mut compares = Vec::with_capacity(keys.len());
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

/// ACL LOAD: every user replaced by `lines` (canonical `user ...` lines) in one transaction,
/// with the load marker written in it so every watcher applies it as one ACL LOAD. etcd refuses
/// a put inside a range deleted by the same transaction, so the users not in `lines` are
/// deleted one by one, on the condition that no user key changed since they were listed.
pub(super) async fn replace_all(inner: &Inner, lines: &[Vec<u8>]) -> Result<i64, StoreError> {
    let mut client = client(inner).await?;
    let prefix = inner.users_prefix();
    let mut new_keys = std::collections::BTreeSet::new();
    let mut puts = Vec::new();
    for line in lines {
        let name = line.split(|&b| b == b' ').nth(1).unwrap_or_default();
        let key = [prefix.as_bytes(), name].concat();
        puts.push(TxnOp::put(key.clone(), line.clone(), None));
        new_keys.insert(key);
    }
    puts.push(TxnOp::put(inner.load_key(), b"ACL LOAD".to_vec(), None));
    for _ in 0..MAX_ATTEMPTS {
        let listed = client
            .get(prefix.clone(), Some(GetOptions::new().with_prefix().with_keys_only()))
            .await
            .map_err(unavailable)?;
        let read_at = listed.header().map_or(0, |h| h.revision());
        let mut ops: Vec<TxnOp> = listed
            .kvs()
            .iter()
            .filter(|kv| !new_keys.contains(kv.key()))
            .map(|kv| TxnOp::delete(kv.key().to_vec(), None))
            .collect();
        ops.extend(puts.iter().cloned());
        let unchanged = Compare::mod_revision(prefix.clone(), CompareOp::Less, read_at + 1).with_prefix();
        let resp = client.txn(Txn::new().when([unchanged]).and_then(ops)).await.map_err(unavailable)?;
        if resp.succeeded() {
            return Ok(resp.header().map_or(0, |h| h.revision()));
        }
    }
    Err(StoreError::Conflict("(ACL LOAD)".into()))
}

/// Writes `acl`'s users into an empty store, each key only if still absent, so two nodes
/// starting at once do not both seed. Returns whether this node's users were written.
pub(super) async fn seed(inner: &Inner, client: &mut etcd_client::Client) -> Result<bool, StoreError> {
    let prefix = inner.users_prefix();
    let count = client
        .get(prefix.clone(), Some(GetOptions::new().with_prefix().with_count_only()))
        .await
        .map_err(unavailable)?;
    if count.count() > 0 {
        return Ok(false);
    }
    let mut compares = Vec::new();
    let mut puts = Vec::new();
    for line in inner.acl.list() {
        let name = line.split(|&b| b == b' ').nth(1).unwrap_or_default();
        let key = [prefix.as_bytes(), name].concat();
        compares.push(Compare::version(key.clone(), CompareOp::Equal, 0));
        puts.push(TxnOp::put(key, line.clone(), None));
    }
    let resp = client.txn(Txn::new().when(compares).and_then(puts)).await.map_err(unavailable)?;
    Ok(resp.succeeded())
}
