//! Crash-safe file replacement, shared by every writer of a file another process reads (the
//! aclfile of ACL SAVE, the credential store's JSON file).
//!
//! [`atomic_write`] writes the new content to a temporary file in the target's directory,
//! fsyncs it, renames it over the target and fsyncs the directory: a crash (kill -9, power
//! loss) at any instant leaves either the old file or the new one, never a torn mix, and a
//! failure at any step removes the temporary file and leaves the old file untouched.
//!
//! The new file keeps the old file's permission bits (a file an operator made 0640 stays
//! 0640); a file written for the first time gets the caller's mode (0600 for secrets), never
//! the process umask's 0644/0666. Temporary names are unique per call (process id, a
//! per-process counter and random bits), so two writes in the same millisecond, or from two
//! processes, never open, truncate or delete each other's temporary file.

use std::ffi::OsString;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Calls of [`atomic_write`] in this process: part of each temporary name.
static WRITES: AtomicU64 = AtomicU64::new(0);

/// The step of [`atomic_write`] an I/O error came from (tests inject failures per step).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Step {
    /// Creating the temporary file.
    Create,
    /// Writing the content into it.
    Write,
    /// fsync of the temporary file.
    Sync,
    /// The rename over the target.
    Rename,
    /// fsync of the directory.
    SyncDir,
}

/// Replaces `path` with `content` atomically (see the module doc). `new_mode` is the
/// permission of a file that does not exist yet; an existing file's mode is kept.
pub(crate) fn atomic_write(path: &Path, content: &[u8], new_mode: u32) -> io::Result<()> {
    let file_name = path
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "the path has no file name"))?;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let mode = match fs::metadata(path) {
        Ok(m) => m.permissions().mode() & 0o7777,
        Err(_) => new_mode,
    };
    let tmp = dir.join(temp_name(file_name)?);
    pause::point(path);
    let result = (|| {
        fault(Step::Create)?;
        // `mode` is filtered by the umask at creation; set it exactly afterwards.
        let mut f = OpenOptions::new().write(true).create_new(true).mode(mode).open(&tmp)?;
        f.set_permissions(fs::Permissions::from_mode(mode))?;
        fault(Step::Write)?;
        f.write_all(content)?;
        fault(Step::Sync)?;
        f.sync_all()?;
        drop(f);
        fault(Step::Rename)?;
        fs::rename(&tmp, path)
    })();
    if let Err(e) = result {
        let _ = fs::remove_file(&tmp);
        return Err(e);
    }
    // The new file is in place; the directory fsync makes the rename itself durable. Some
    // filesystems cannot fsync a directory (EINVAL): the rename stands there regardless.
    fault(Step::SyncDir)?;
    match File::open(&dir).and_then(|d| d.sync_all()) {
        Err(e) if e.raw_os_error() == Some(libc_einval()) => Ok(()),
        other => other,
    }
}

/// `.<name>.tmp.<pid>.<counter>.<random>`: hidden, in the target's directory, unique.
fn temp_name(file_name: &std::ffi::OsStr) -> io::Result<OsString> {
    let mut nonce = [0u8; 4];
    getrandom::getrandom(&mut nonce).map_err(|e| io::Error::other(e.to_string()))?;
    let mut name = OsString::from(".");
    name.push(file_name);
    name.push(format!(
        ".tmp.{}.{}.{:08x}",
        std::process::id(),
        WRITES.fetch_add(1, Ordering::Relaxed),
        u32::from_ne_bytes(nonce)
    ));
    Ok(name)
}

/// EINVAL on Linux (fsync of a directory on a filesystem that does not support it).
const fn libc_einval() -> i32 {
    22
}

/// Where file I/O can be held by a test: [`atomic_write`] and the aclfile reader call
/// [`pause::point`] with their path before touching the file.
#[cfg(not(test))]
pub(crate) mod pause {
    /// Nothing to hold outside tests.
    #[inline(always)]
    pub(crate) fn point(_path: &std::path::Path) {}
}

/// The pause seam: a test holds every file operation on one path (process-wide, since the
/// server does its file I/O on tokio's blocking threads) until it lets them go, to observe
/// what the rest of the program does while the I/O is in progress. Keyed by path, so tests
/// running in parallel on other paths are not affected.
#[cfg(test)]
pub(crate) mod pause {
    use std::path::{Path, PathBuf};
    use std::sync::{Arc, Condvar, Mutex};

    #[derive(Default)]
    struct State {
        entered: bool,
        released: bool,
    }

    type Shared = Arc<(Mutex<State>, Condvar)>;

    static PAUSES: Mutex<Vec<(PathBuf, Shared)>> = Mutex::new(Vec::new());

    /// Holds the operations on one path while it lives; dropping it lets them go.
    pub(crate) struct Pause {
        path: PathBuf,
        shared: Shared,
    }

    impl Pause {
        /// Holds every later file operation on `path` at its pause point.
        pub(crate) fn at(path: &Path) -> Pause {
            let shared = Shared::default();
            PAUSES.lock().unwrap().push((path.to_path_buf(), shared.clone()));
            Pause { path: path.to_path_buf(), shared }
        }

        /// Blocks until an operation on the path has reached its pause point.
        pub(crate) fn wait_entered(&self) {
            let (state, cv) = &*self.shared;
            let mut s = state.lock().unwrap();
            while !s.entered {
                s = cv.wait(s).unwrap();
            }
        }
    }

    impl Drop for Pause {
        fn drop(&mut self) {
            PAUSES.lock().unwrap().retain(|(p, s)| !(p == &self.path && Arc::ptr_eq(s, &self.shared)));
            let (state, cv) = &*self.shared;
            state.lock().unwrap_or_else(|p| p.into_inner()).released = true;
            cv.notify_all();
        }
    }

    /// Called by the file I/O: if a test holds `path`, says so and waits to be let go.
    pub(crate) fn point(path: &Path) {
        let held = PAUSES.lock().unwrap().iter().find(|(p, _)| p == path).map(|(_, s)| s.clone());
        let Some(shared) = held else { return };
        let (state, cv) = &*shared;
        let mut s = state.lock().unwrap();
        s.entered = true;
        cv.notify_all();
        while !s.released {
            s = cv.wait(s).unwrap();
        }
    }
}

#[cfg(not(test))]
#[inline(always)]
fn fault(_step: Step) -> io::Result<()> {
    Ok(())
}

#[cfg(test)]
pub(crate) use seam::{fault, inject};

/// The test seam: a test makes one step of the next [`atomic_write`] on its thread fail with
/// an errno (ENOSPC, EIO: tests run as root, where a read-only directory stops nothing).
#[cfg(test)]
mod seam {
    use super::Step;
    use std::cell::Cell;
    use std::io;

    thread_local! {
        static INJECTED: Cell<Option<(Step, i32)>> = const { Cell::new(None) };
    }

    /// Makes `step` of this thread's next [`super::atomic_write`] fail with `errno`.
    pub(crate) fn inject(step: Step, errno: i32) {
        INJECTED.with(|c| c.set(Some((step, errno))));
    }

    pub(crate) fn fault(step: Step) -> io::Result<()> {
        match INJECTED.with(Cell::get) {
            Some((s, errno)) if s == step => {
                INJECTED.with(|c| c.set(None));
                Err(io::Error::from_raw_os_error(errno))
            }
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ENOSPC: i32 = 28;
    const EIO: i32 = 5;

    fn leftovers(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> =
            fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        names.sort();
        names
    }

    #[test]
    fn new_file_gets_the_given_mode_not_the_umask() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("users.acl");
        atomic_write(&path, b"user default on nopass ~* &* +@all\n", 0o600).unwrap();
        assert_eq!(fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        assert_eq!(fs::read(&path).unwrap(), b"user default on nopass ~* &* +@all\n");
        assert_eq!(leftovers(dir.path()), ["users.acl"]);
    }

    #[test]
    fn existing_file_keeps_its_mode() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("users.acl");
        fs::write(&path, b"old\n").unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o640)).unwrap();
        atomic_write(&path, b"new\n", 0o600).unwrap();
        assert_eq!(fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o640);
        assert_eq!(fs::read(&path).unwrap(), b"new\n");
    }

    #[test]
    fn temp_names_are_unique_within_a_millisecond() {
        let a = temp_name("users.acl".as_ref()).unwrap();
        let b = temp_name("users.acl".as_ref()).unwrap();
        assert_ne!(a, b);
    }

    #[test]
    fn concurrent_writes_never_remove_each_others_temp() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("users.acl");
        std::thread::scope(|scope| {
            for t in 0..4u8 {
                let path = &path;
                scope.spawn(move || {
                    for i in 0..50u8 {
                        let content = vec![b'a' + t; 100 + usize::from(i)];
                        atomic_write(path, &content, 0o600).unwrap();
                    }
                });
            }
        });
        let last = fs::read(&path).unwrap();
        assert!(last.iter().all(|&b| b == last[0]), "a torn file");
        assert_eq!(leftovers(dir.path()), ["users.acl"]);
    }

    #[test]
    fn an_injected_failure_at_any_step_keeps_the_old_file() {
        for step in [Step::Create, Step::Write, Step::Sync, Step::Rename] {
            for errno in [ENOSPC, EIO] {
                let dir = tempfile::tempdir().unwrap();
                let path = dir.path().join("users.acl");
                fs::write(&path, b"old\n").unwrap();
                inject(step, errno);
                let e = atomic_write(&path, b"new\n", 0o600).unwrap_err();
                assert_eq!(e.raw_os_error(), Some(errno), "{step:?}");
                assert_eq!(fs::read(&path).unwrap(), b"old\n", "{step:?}");
                assert_eq!(leftovers(dir.path()), ["users.acl"], "{step:?}");
            }
        }
    }

    #[test]
    fn a_failed_directory_fsync_is_reported_after_the_rename() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("users.acl");
        fs::write(&path, b"old\n").unwrap();
        inject(Step::SyncDir, EIO);
        assert_eq!(atomic_write(&path, b"new\n", 0o600).unwrap_err().raw_os_error(), Some(EIO));
        assert_eq!(leftovers(dir.path()), ["users.acl"]);
    }

    #[test]
    fn a_parent_that_is_a_file_fails_with_enotdir() {
        let dir = tempfile::tempdir().unwrap();
        let not_a_dir = dir.path().join("plain");
        fs::write(&not_a_dir, b"x").unwrap();
        let e = atomic_write(&not_a_dir.join("users.acl"), b"new\n", 0o600).unwrap_err();
        assert_eq!(e.raw_os_error(), Some(20), "{e}");
        assert_eq!(leftovers(dir.path()), ["plain"]);
    }
}
