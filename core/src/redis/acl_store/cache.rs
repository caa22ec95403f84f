//! The cache file: the last state this node applied, so it can start (stale) while etcd is
//! unreachable. An aclfile after one header line: `# authgate acl-store revision <n>`.

use std::path::Path;

use super::sync::aclfile_text;
use super::{Inner, StoreError, SyncState};

const HEADER: &str = "# authgate acl-store revision ";

/// Writes the state atomically (temp file, fsync, rename), mode 0600: it holds password
/// hashes. A failure is logged; the node goes on serving.
pub(super) fn write(inner: &Inner, st: &SyncState) {
    store(inner, render(inner, st));
}

/// The cache file's bytes for `st` (`None` without a cache file), taken under the state lock so
/// the write itself ([`store`]) can happen outside it.
pub(super) fn render(inner: &Inner, st: &SyncState) -> Option<Vec<u8>> {
    inner.cache_file.as_ref()?;
    let mut text = format!("{HEADER}{}\n", st.applied).into_bytes();
    text.extend_from_slice(&aclfile_text(&st.users));
    Some(text)
}

/// Writes what [`render`] made.
pub(super) fn store(inner: &Inner, text: Option<Vec<u8>>) {
    let (Some(path), Some(text)) = (&inner.cache_file, text) else { return };
    if let Err(e) = atomic_write(path, &text) {
        tracing::error!(target: "authgate::acl_store", path = %path.display(), error = %e, "cannot write the ACL store cache");
    }
}

/// The revision and users of the cache at `path`.
fn read(path: &Path) -> std::io::Result<(i64, Vec<u8>)> {
    let text = std::fs::read(path)?;
    let bad = || std::io::Error::new(std::io::ErrorKind::InvalidData, "not an authgate acl-store cache");
    let nl = text.iter().position(|&b| b == b'\n').ok_or_else(bad)?;
    let header = std::str::from_utf8(&text[..nl]).map_err(|_| bad())?;
    let revision = header.strip_prefix(HEADER).and_then(|r| r.parse().ok()).ok_or_else(bad)?;
    Ok((revision, text[nl + 1..].to_vec()))
}

/// etcd was unreachable at attach (`why`): loads the cache into the engine and marks the
/// state stale, or fails when there is no usable cache.
pub(super) fn start_stale(inner: &Inner, why: &StoreError) -> Result<(), StoreError> {
    let refuse = |detail: String| {
        StoreError::NoState(format!("the ACL store {} cannot be reached ({why}) and {detail}: refusing to start", inner.url.shown()))
    };
    if let StoreError::Acl(_) = why {
        return Err(why.clone());
    }
    let Some(path) = &inner.cache_file else { return Err(refuse("no cache file is configured".into())) };
    let (revision, text) = read(path).map_err(|e| refuse(format!("its cache {} is unusable ({e})", path.display())))?;
    inner.acl.load_text(&text, &path.to_string_lossy()).map_err(|e| {
        refuse(format!("its cache {} is invalid ({})", path.display(), String::from_utf8_lossy(&e.to_bytes())))
    })?;
    let mut users = std::collections::BTreeMap::new();
    for line in inner.acl.list() {
        let name = line.split(|&b| b == b' ').nth(1).unwrap_or_default().to_vec();
        users.insert(name, line);
    }
    let mut st = inner.state.lock();
    st.users = users;
    st.applied = revision;
    st.store_revision = revision;
    st.stale = true;
    tracing::warn!(target: "authgate::acl_store", revision, cache = %path.display(), error = %why, "etcd unreachable: serving the cached users (stale)");
    Ok(())
}

/// Temp file in the same directory, 0600, fsync, rename, directory fsync.
fn atomic_write(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut f = std::fs::OpenOptions::new().write(true).create(true).truncate(true).mode(0o600).open(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)?;
        std::fs::File::open(dir)?.sync_all()
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}
