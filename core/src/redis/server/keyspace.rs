//! The in-memory keyspace: 16 databases of string values with expiry.
//!
//! Each database is split into [`SHARDS`] shards, each behind its own `parking_lot::Mutex`, so
//! commands on different keys from different connections run in parallel on the multi-threaded
//! runtime. A key's shard is given by the top bits of a keyed (SipHash) hash of the key; SCAN
//! walks keys in ascending hash order, so its cursor is simply the next hash value to visit,
//! which keeps Redis' guarantee (a key present during the whole scan is returned) without
//! holding locks between calls. Expired keys are removed lazily on access and by a periodic
//! sweep ([`Keyspace::sweep_expired`]).

use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};
use std::time::{SystemTime, UNIX_EPOCH};

use parking_lot::{Mutex, MutexGuard};

/// Number of databases (`databases 16`).
pub const DATABASES: usize = 16;
/// Shards per database (a power of two).
pub const SHARDS: usize = 64;
const SHARD_BITS: u32 = SHARDS.trailing_zeros();

/// Current Unix time in milliseconds.
pub fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

thread_local! {
    static CACHED_NOW: std::cell::Cell<i64> = const { std::cell::Cell::new(0) };
}

/// Sets the time commands of the current batch see (like Redis' per-command time snapshot;
/// saves a clock read per command). Called by the connection before it executes a batch.
pub fn set_cached_now(now: i64) {
    CACHED_NOW.with(|c| c.set(now));
}

/// The time set by [`set_cached_now`] on this thread, or the current time if none was set.
pub fn cached_now() -> i64 {
    match CACHED_NOW.with(|c| c.get()) {
        0 => now_ms(),
        t => t,
    }
}

/// A stored string value and its absolute expiry time in Unix milliseconds (`None`: no TTL).
#[derive(Debug, Default, Clone)]
pub struct Value {
    /// The string.
    pub data: Vec<u8>,
    /// Absolute expiry (Unix ms).
    pub expire_at: Option<i64>,
}

impl Value {
    /// A value without TTL.
    pub fn new(data: Vec<u8>) -> Value {
        Value { data, expire_at: None }
    }

    fn expired(&self, now: i64) -> bool {
        self.expire_at.is_some_and(|t| t <= now)
    }
}

#[derive(Default)]
struct Shard {
    map: HashMap<Box<[u8]>, Value>,
    /// Number of keys with a TTL (lets the sweep skip shards without any).
    volatile: usize,
}

impl Shard {
    /// Removes `key` if it is expired; returns true if the key is (still) present.
    fn live(&mut self, key: &[u8], now: i64) -> bool {
        match self.map.get(key) {
            Some(v) if v.expired(now) => {
                self.remove(key);
                false
            }
            Some(_) => true,
            None => false,
        }
    }

    fn remove(&mut self, key: &[u8]) -> Option<Value> {
        let v = self.map.remove(key)?;
        if v.expire_at.is_some() {
            self.volatile = self.volatile.saturating_sub(1);
        }
        Some(v)
    }

    fn insert(&mut self, key: &[u8], v: Value) {
        let ttl = v.expire_at.is_some();
        if let Some(old) = self.map.get_mut(key) {
            match (old.expire_at.is_some(), ttl) {
                (false, true) => self.volatile += 1,
                (true, false) => self.volatile = self.volatile.saturating_sub(1),
                _ => {}
            }
            *old = v;
        } else {
            if ttl {
                self.volatile += 1;
            }
            self.map.insert(key.into(), v);
        }
    }
}

/// One database.
pub struct Db {
    shards: Box<[Mutex<Shard>]>,
    hasher: RandomState,
}

/// What [`Db::scan`] returns: the next cursor and the keys visited.
pub struct ScanPage {
    /// Cursor for the next call (0 when the iteration is complete).
    pub cursor: u64,
    /// The keys visited in this call (before MATCH filtering).
    pub keys: Vec<Vec<u8>>,
}

impl Db {
    fn new(hasher: RandomState) -> Db {
        Db { shards: (0..SHARDS).map(|_| Mutex::new(Shard::default())).collect(), hasher }
    }

    fn hash(&self, key: &[u8]) -> u64 {
        self.hasher.hash_one(key)
    }

    fn shard_index(&self, key: &[u8]) -> usize {
        (self.hash(key) >> (64 - SHARD_BITS)) as usize
    }

    fn shard(&self, key: &[u8]) -> MutexGuard<'_, Shard> {
        self.shards[self.shard_index(key)].lock()
    }

    /// Calls `f` with the live value of `key` (or None) while the shard is locked.
    pub fn read<R>(&self, key: &[u8], now: i64, f: impl FnOnce(Option<&Value>) -> R) -> R {
        let mut s = self.shard(key);
        if !s.live(key, now) {
            return f(None);
        }
        f(s.map.get(key))
    }

    /// Read-modify-write of `key`: `f` gets the live value (None if missing) and may replace or
    /// remove it (by leaving None). Atomic with respect to other commands on the key.
    pub fn update<R>(&self, key: &[u8], now: i64, f: impl FnOnce(&mut Option<Value>) -> R) -> R {
        let mut s = self.shard(key);
        if !s.live(key, now) {
            let mut slot = None;
            let r = f(&mut slot);
            if let Some(v) = slot {
                s.insert(key, v);
            }
            return r;
        }
        let (r, outcome) = match s.map.get_mut(key) {
            Some(v) => {
                let had_ttl = v.expire_at.is_some();
                let mut slot = Some(std::mem::take(v));
                let r = f(&mut slot);
                match slot {
                    Some(nv) => {
                        let has_ttl = nv.expire_at.is_some();
                        *v = nv;
                        (r, Ok((had_ttl, has_ttl)))
                    }
                    None => (r, Err(had_ttl)),
                }
            }
            None => (f(&mut None), Ok((false, false))),
        };
        match outcome {
            Ok((false, true)) => s.volatile += 1,
            Ok((true, false)) => s.volatile = s.volatile.saturating_sub(1),
            Ok(_) => {}
            Err(had_ttl) => {
                // The value was taken out: drop the placeholder and its TTL accounting.
                s.map.remove(key);
                if had_ttl {
                    s.volatile = s.volatile.saturating_sub(1);
                }
            }
        }
        r
    }

    /// Sets `key` to `v` unconditionally.
    pub fn set(&self, key: &[u8], v: Value) {
        self.shard(key).insert(key, v);
    }

    /// Removes `key`; true if a live key was removed.
    pub fn remove(&self, key: &[u8], now: i64) -> bool {
        let mut s = self.shard(key);
        s.live(key, now) && s.remove(key).is_some()
    }

    /// True if `key` exists (and is not expired).
    pub fn exists(&self, key: &[u8], now: i64) -> bool {
        self.shard(key).live(key, now)
    }

    /// Locks the shards of all `keys` (in shard order, so concurrent callers cannot deadlock)
    /// and calls `f` with a view that reads and writes those keys atomically.
    pub fn atomically<R>(&self, keys: &[&[u8]], now: i64, f: impl FnOnce(&mut Locked<'_>) -> R) -> R {
        let mut idx: Vec<usize> = keys.iter().map(|k| self.shard_index(k)).collect();
        idx.sort_unstable();
        idx.dedup();
        let guards = idx.iter().map(|&i| (i, self.shards[i].lock())).collect();
        let mut view = Locked { db: self, guards, now };
        f(&mut view)
    }

    /// Number of keys (expired keys not yet swept included, as in Redis).
    pub fn len(&self) -> usize {
        self.shards.iter().map(|s| s.lock().map.len()).sum()
    }

    /// Number of keys with a TTL (INFO keyspace's `expires`).
    pub fn volatile_len(&self) -> usize {
        self.shards.iter().map(|s| s.lock().volatile).sum()
    }

    /// True if the database has no keys.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Removes every key.
    pub fn flush(&self) {
        for s in self.shards.iter() {
            let mut s = s.lock();
            s.map = HashMap::new();
            s.volatile = 0;
        }
    }

    /// Every live key for which `keep` returns true.
    pub fn keys(&self, now: i64, mut keep: impl FnMut(&[u8]) -> bool) -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        for s in self.shards.iter() {
            let s = s.lock();
            for (k, v) in s.map.iter() {
                if !v.expired(now) && keep(k) {
                    out.push(k.to_vec());
                }
            }
        }
        out
    }

    /// Visits about `count` live keys starting at `cursor` in hash order.
    pub fn scan(&self, cursor: u64, count: usize, now: i64) -> ScanPage {
        let count = count.max(1);
        let mut keys = Vec::new();
        let mut shard = (cursor >> (64 - SHARD_BITS)) as usize;
        let mut from = cursor;
        while shard < SHARDS {
            let mut batch: Vec<(u64, Vec<u8>)> = {
                let s = self.shards[shard].lock();
                s.map
                    .iter()
                    .filter(|(_, v)| !v.expired(now))
                    .map(|(k, _)| (self.hash(k), k))
                    .filter(|(h, _)| *h >= from)
                    .map(|(h, k)| (h, k.to_vec()))
                    .collect()
            };
            batch.sort_unstable_by_key(|(h, _)| *h);
            let want = count - keys.len();
            let mut take = batch.len().min(want);
            // Never split keys with an equal hash between two calls.
            while take < batch.len() && take > 0 && batch[take].0 == batch[take - 1].0 {
                take += 1;
            }
            let next = batch.get(take).map(|(h, _)| *h);
            keys.extend(batch.into_iter().take(take).map(|(_, k)| k));
            if let Some(h) = next {
                return ScanPage { cursor: h, keys };
            }
            shard += 1;
            if shard == SHARDS {
                break;
            }
            from = (shard as u64) << (64 - SHARD_BITS);
            if keys.len() >= count {
                return ScanPage { cursor: from, keys };
            }
        }
        ScanPage { cursor: 0, keys }
    }

    /// Removes expired keys from shards that have keys with a TTL.
    pub fn sweep_expired(&self, now: i64) {
        for s in self.shards.iter() {
            let mut s = s.lock();
            if s.volatile == 0 {
                continue;
            }
            let before = s.map.len();
            s.map.retain(|_, v| !v.expired(now));
            let removed = before - s.map.len();
            s.volatile = s.volatile.saturating_sub(removed);
        }
    }
}

/// Several keys of one database locked together (see [`Db::atomically`]).
pub struct Locked<'a> {
    db: &'a Db,
    guards: Vec<(usize, MutexGuard<'a, Shard>)>,
    now: i64,
}

impl Locked<'_> {
    fn shard(&mut self, key: &[u8]) -> Option<&mut Shard> {
        let i = self.db.shard_index(key);
        self.guards.iter_mut().find(|(j, _)| *j == i).map(|(_, g)| &mut **g)
    }

    /// True if `key` exists (it must be one of the locked keys).
    pub fn exists(&mut self, key: &[u8]) -> bool {
        let now = self.now;
        self.shard(key).is_some_and(|s| s.live(key, now))
    }

    /// Sets `key` (it must be one of the locked keys).
    pub fn set(&mut self, key: &[u8], v: Value) {
        if let Some(s) = self.shard(key) {
            s.insert(key, v);
        }
    }
}

/// All databases.
pub struct Keyspace {
    dbs: Vec<Db>,
}

impl Default for Keyspace {
    fn default() -> Self {
        Keyspace::new()
    }
}

impl Keyspace {
    /// 16 empty databases.
    pub fn new() -> Keyspace {
        let hasher = RandomState::new();
        Keyspace { dbs: (0..DATABASES).map(|_| Db::new(hasher.clone())).collect() }
    }

    /// Every database, in index order.
    pub fn dbs(&self) -> &[Db] {
        &self.dbs
    }

    /// Database `i` (callers validate `i < DATABASES`; out of range gives database 0).
    pub fn db(&self, i: usize) -> &Db {
        self.dbs.get(i).unwrap_or(&self.dbs[0])
    }

    /// Removes every key of every database.
    pub fn flush_all(&self) {
        for db in &self.dbs {
            db.flush();
        }
    }

    /// Periodic expiry sweep over all databases.
    pub fn sweep_expired(&self) {
        let now = now_ms();
        for db in &self.dbs {
            db.sweep_expired(now);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_get_expire() {
        let ks = Keyspace::new();
        let db = ks.db(0);
        db.set(b"a", Value::new(b"1".to_vec()));
        db.set(b"b", Value { data: b"2".to_vec(), expire_at: Some(10) });
        assert!(db.exists(b"a", 100));
        assert!(!db.exists(b"b", 100));
        assert_eq!(db.read(b"a", 100, |v| v.map(|v| v.data.clone())), Some(b"1".to_vec()));
        db.update(b"a", 100, |v| *v = None);
        assert!(!db.exists(b"a", 100));
        assert!(ks.db(1).is_empty());
    }

    #[test]
    fn scan_visits_everything_once() {
        let ks = Keyspace::new();
        let db = ks.db(0);
        for i in 0..1000 {
            db.set(format!("k{i}").as_bytes(), Value::new(Vec::new()));
        }
        let mut seen = std::collections::HashSet::new();
        let mut cursor = 0;
        loop {
            let page = db.scan(cursor, 10, 0);
            for k in page.keys {
                assert!(seen.insert(k));
            }
            cursor = page.cursor;
            if cursor == 0 {
                break;
            }
        }
        assert_eq!(seen.len(), 1000);
    }

    #[test]
    fn atomically_sets_many() {
        let ks = Keyspace::new();
        let db = ks.db(3);
        let keys: Vec<&[u8]> = vec![b"x", b"y", b"z"];
        db.atomically(&keys, 0, |l| {
            for k in &keys {
                assert!(!l.exists(k));
                l.set(k, Value::new(b"v".to_vec()));
            }
        });
        assert_eq!(db.len(), 3);
    }
}
