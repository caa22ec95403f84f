//! The certificate users on disk: `certificate-users.json` in the server's `dir`, so they
//! survive a restart. Written atomically (a temporary file in the same directory, fsync,
//! rename over the old one, fsync of the directory) with mode 0600: a crash leaves the old
//! file or the new one, never half of one. Nothing secret is in it (user names and subject
//! lines), but it decides who logs in, so only the server's user may read or change it.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::tls::CertificateUser;
use crate::{Error, ErrorKind};

/// The file name in `dir`.
pub const FILE_NAME: &str = "certificate-users.json";
/// The most a store file may hold (a few thousand users fit in far less).
const MAX_FILE: u64 = 16 * 1024 * 1024;

#[derive(Serialize, Deserialize)]
struct StoreFile {
    certificate_users: Vec<CertificateUser>,
}

/// Where the certificate users of a server with this `dir` are kept.
pub(crate) fn path_in(dir: &Path) -> PathBuf {
    dir.join(FILE_NAME)
}

/// The stored users; an absent file is an empty list.
pub(crate) fn load(path: &Path) -> Result<Vec<CertificateUser>, Error> {
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(io_error(path, &e)),
    };
    if meta.len() > MAX_FILE {
        return Err(Error::new(ErrorKind::Config, format!("{}: larger than {MAX_FILE} bytes", path.display())));
    }
    let text = std::fs::read(path).map_err(|e| io_error(path, &e))?;
    let file: StoreFile = serde_json::from_slice(&text)
        .map_err(|e| Error::new(ErrorKind::Config, format!("{}: not a certificate-users file: {e}", path.display())))?;
    Ok(file.certificate_users)
}

/// Replaces the stored users with `users`, atomically.
pub(crate) fn save(path: &Path, users: &[CertificateUser]) -> Result<(), Error> {
    let body = serde_json::to_vec_pretty(&StoreFile { certificate_users: users.to_vec() })
        .map_err(|e| Error::new(ErrorKind::Err, e.to_string()))?;
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let tmp = dir.join(format!(".{FILE_NAME}.{}.tmp", std::process::id()));
    let written = (|| {
        let mut f = open_private(&tmp)?;
        f.write_all(&body)?;
        f.write_all(b"\n")?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)?;
        std::fs::File::open(dir)?.sync_all()
    })();
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(io_error(path, &e));
    }
    Ok(())
}

#[cfg(unix)]
fn open_private(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new().write(true).create(true).truncate(true).mode(0o600).open(path)
}

#[cfg(not(unix))]
fn open_private(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::OpenOptions::new().write(true).create(true).truncate(true).open(path)
}

fn io_error(path: &Path, e: &std::io::Error) -> Error {
    Error::new(ErrorKind::Io, format!("{}: {}", path.display(), super::context::strerror(e)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_atomic_and_private() {
        let dir = tempfile::tempdir().unwrap();
        let path = path_in(dir.path());
        assert_eq!(load(&path).unwrap(), vec![]);
        let users = vec![CertificateUser { name: "alice".into(), certificate_subject_line: "CN=alice".into() }];
        save(&path, &users).unwrap();
        assert_eq!(load(&path).unwrap(), users);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
        save(&path, &[]).unwrap();
        assert_eq!(load(&path).unwrap(), vec![]);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1, "no temporary file is left");
        std::fs::write(&path, "{").unwrap();
        assert_eq!(load(&path).unwrap_err().code(), "CONFIG");
    }
}
