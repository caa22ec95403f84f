//! [`FileBackend`]: users in one JSON file, shared safely by several processes.
//!
//! The file is `{"users": {"<name>": {"encrypted_password": "<bcrypt>"}}}` (each value is the
//! record Milvus keeps in etcd). Every change runs under an exclusive `flock` on `<file>.lock`
//! (read, change, write), so concurrent writers serialize and none loses another's update. A
//! write goes through `crate::atomic_file::atomic_write` (a temporary file in the same
//! directory, mode 0600 or the old file's, fsynced, renamed over the file, the directory
//! fsynced): a kill -9 at any point leaves the old or the new file, never a torn one. Readers
//! need no lock: a rename is atomic.

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::Read;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use super::backend::{CreateOutcome, CredentialBackend, StoredCredential};
use super::error::CredentialError;
use super::memory::{create_in, replace_in};
use crate::atomic_file::atomic_write;

/// A user file larger than this is refused rather than read (100 users take about 10 KiB).
const MAX_FILE_BYTES: u64 = 16 << 20;

#[derive(serde::Serialize, serde::Deserialize, Default)]
struct UserFile {
    users: BTreeMap<String, StoredCredential>,
}

/// Users in a JSON file; see the module doc.
#[derive(Debug)]
pub struct FileBackend {
    path: PathBuf,
    lock_path: PathBuf,
}

fn storage(what: &str, path: &Path, e: impl std::fmt::Display) -> CredentialError {
    CredentialError::Storage(format!("{what} {}: {e}", path.display()))
}

impl FileBackend {
    /// A store in `path` (created on the first write; a missing file is an empty store).
    pub fn open(path: impl Into<PathBuf>) -> Result<FileBackend, CredentialError> {
        let path = path.into();
        let mut lock_name = path.file_name().map(|n| n.to_os_string()).unwrap_or_default();
        if lock_name.is_empty() {
            return Err(CredentialError::Storage(format!("{} is not a file path", path.display())));
        }
        lock_name.push(".lock");
        let lock_path = path.with_file_name(lock_name);
        let backend = FileBackend { path, lock_path };
        backend.read()?;
        Ok(backend)
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn read(&self) -> Result<BTreeMap<String, String>, CredentialError> {
        let file = match File::open(&self.path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(BTreeMap::new()),
            Err(e) => return Err(storage("cannot open", &self.path, e)),
        };
        let mut text = Vec::new();
        file.take(MAX_FILE_BYTES + 1).read_to_end(&mut text).map_err(|e| storage("cannot read", &self.path, e))?;
        if text.len() as u64 > MAX_FILE_BYTES {
            return Err(storage("refusing to read", &self.path, format!("larger than {MAX_FILE_BYTES} bytes")));
        }
        let parsed: UserFile = serde_json::from_slice(&text).map_err(|e| storage("cannot parse", &self.path, e))?;
        Ok(parsed.users.into_iter().map(|(name, c)| (name, c.encrypted_password)).collect())
    }

    fn write(&self, users: &BTreeMap<String, String>) -> Result<(), CredentialError> {
        let file = UserFile {
            users: users.iter().map(|(n, h)| (n.clone(), StoredCredential { encrypted_password: h.clone() })).collect(),
        };
        let mut text = serde_json::to_vec_pretty(&file).expect("a map of strings serializes");
        text.push(b'\n');
        atomic_write(&self.path, &text, 0o600).map_err(|e| storage("cannot write", &self.path, e))?;
        Ok(())
    }

    /// Runs `change` on the users under the exclusive lock and writes the result if `change`
    /// says it changed something.
    fn locked<T>(&self, change: impl FnOnce(&mut BTreeMap<String, String>) -> (T, bool)) -> Result<T, CredentialError> {
        let lock = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o600)
            .open(&self.lock_path)
            .map_err(|e| storage("cannot open the lock file", &self.lock_path, e))?;
        rustix::fs::flock(&lock, rustix::fs::FlockOperation::LockExclusive)
            .map_err(|e| storage("cannot lock", &self.lock_path, e))?;
        let mut users = self.read()?;
        let (result, changed) = change(&mut users);
        if changed {
            self.write(&users)?;
        }
        Ok(result)
        // The lock is released when `lock` closes.
    }
}

impl CredentialBackend for FileBackend {
    fn get(&self, name: &str) -> Result<Option<String>, CredentialError> {
        Ok(self.read()?.remove(name))
    }

    fn list(&self) -> Result<Vec<String>, CredentialError> {
        Ok(self.read()?.into_keys().collect())
    }

    fn create(&self, name: &str, hash: &str, max_users: usize) -> Result<CreateOutcome, CredentialError> {
        self.locked(|users| {
            let outcome = create_in(users, name, hash, max_users);
            (outcome, outcome == CreateOutcome::Created)
        })
    }

    fn replace(&self, name: &str, expected: Option<&str>, new_hash: &str) -> Result<bool, CredentialError> {
        self.locked(|users| {
            let done = replace_in(users, name, expected, new_hash);
            (done, done)
        })
    }

    fn delete(&self, name: &str) -> Result<(), CredentialError> {
        self.locked(|users| ((), users.remove(name).is_some()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn writes_are_atomic_private_and_readable_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("users.json");
        let b = FileBackend::open(&path).unwrap();
        assert_eq!(b.list().unwrap(), Vec::<String>::new());
        assert_eq!(b.create("alice", "h1", 10).unwrap(), CreateOutcome::Created);
        assert_eq!(b.create("alice", "h2", 10).unwrap(), CreateOutcome::AlreadyExists);
        assert_eq!(fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        assert!(b.replace("alice", Some("h1"), "h3").unwrap());
        assert!(!b.replace("alice", Some("h1"), "h4").unwrap());
        assert_eq!(FileBackend::open(&path).unwrap().get("alice").unwrap().as_deref(), Some("h3"));
        let names: Vec<_> = fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names.len(), 2, "only the file and its lock remain: {names:?}");
        b.delete("alice").unwrap();
        b.delete("alice").unwrap();
        assert!(b.get("alice").unwrap().is_none());
    }

    #[test]
    fn a_corrupt_file_is_a_clear_error_and_is_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("users.json");
        fs::write(&path, b"{not json").unwrap();
        let e = FileBackend::open(&path).unwrap_err();
        assert!(e.to_string().starts_with("credential storage failed: cannot parse"), "{e}");
        assert_eq!(fs::read(&path).unwrap(), b"{not json");
    }

    #[test]
    fn concurrent_writers_lose_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("users.json");
        let threads: Vec<_> = (0..4)
            .map(|t| {
                let path = path.clone();
                std::thread::spawn(move || {
                    let b = FileBackend::open(&path).unwrap();
                    for i in 0..10 {
                        assert_eq!(b.create(&format!("u{t}_{i}"), "h", 1000).unwrap(), CreateOutcome::Created);
                    }
                })
            })
            .collect();
        threads.into_iter().for_each(|t| t.join().unwrap());
        assert_eq!(FileBackend::open(&path).unwrap().list().unwrap().len(), 40);
    }
}
