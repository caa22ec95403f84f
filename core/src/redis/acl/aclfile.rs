//! aclfiles: parsing with Redis' per-line error texts (all or nothing), and atomic saving.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use parking_lot::Mutex;

use super::describe::write_user_line;
use super::draft::{merge_selector_args, UserDraft};
use super::error::RuleError;
use super::user_ref::UserRef;
use super::user::User;
use crate::atomic_file::atomic_write;
use crate::redis::cstr::{c_str, has_spaces};

/// Reads an aclfile the way Redis does (`fgets` chunks of at most 1023 bytes concatenated with
/// `strcat` semantics, so a NUL byte drops the rest of its chunk).
pub(crate) fn read(path: &Path) -> std::io::Result<Vec<u8>> {
    crate::atomic_file::pause::point(path);
    Ok(fgets_text(&std::fs::read(path)?))
}

/// The text Redis' line reading sees of the file bytes `raw` (see [`read`]).
pub(crate) fn fgets_text(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len());
    let mut rest = &raw[..];
    while !rest.is_empty() {
        let limit = rest.len().min(1023);
        let end = rest[..limit].iter().position(|&b| b == b'\n').map_or(limit, |i| i + 1);
        out.extend_from_slice(c_str(&rest[..end]));
        rest = &rest[end..];
    }
    out
}

fn trim(s: &[u8], set: &[u8]) -> Vec<u8> {
    let start = s.iter().position(|b| !set.contains(b)).unwrap_or(s.len());
    let end = s.iter().rposition(|b| !set.contains(b)).map_or(start, |i| i + 1);
    s[start..end.max(start)].to_vec()
}


/// Parses aclfile `text` into a fresh user table. `shown_path` is the path as configured: Redis
/// puts it into every message. On error returns Redis' concatenated messages (without the
/// leading `ERR `), ending with the "no change" warning.
pub(crate) fn parse(
    text: &[u8],
    shown_path: &str,
    pubsub_allchannels: bool,
) -> Result<BTreeMap<Vec<u8>, UserDraft>, Vec<u8>> {
    let mut users: BTreeMap<Vec<u8>, UserDraft> = BTreeMap::new();
    let mut errors: Vec<u8> = Vec::new();
    let f = shown_path;
    for (i, raw_line) in text.split(|&b| b == b'\n').enumerate() {
        let n = i + 1;
        let line = trim(raw_line, b" \t\r\n");
        if line.is_empty() {
            continue;
        }
        let argv: Vec<&[u8]> = line.split(|&b| b == b' ').collect();
        if argv[0] != b"user" || argv.len() < 2 {
            errors.extend_from_slice(
                format!("{f}:{n} should start with user keyword followed by the username. ")
                    .as_bytes(),
            );
            continue;
        }
        let name = argv[1];
        if has_spaces(name) {
            errors.extend_from_slice(format!("'{f}:{n}: username '").as_bytes());
            errors.extend_from_slice(c_str(name));
            errors.extend_from_slice(b"' contains invalid characters. ");
            continue;
        }
        if users.contains_key(name) {
            errors.extend_from_slice(b"WARNING: Duplicate user '");
            errors.extend_from_slice(c_str(name));
            errors.extend_from_slice(format!("' found on line {n}. ").as_bytes());
            continue;
        }
        let mut user = UserDraft::new(pubsub_allchannels);
        match merge_selector_args(&argv[2..]) {
            Err(_) => {
                // Redis 7.0.15 crashes here (NULL dereference); report it as a line error.
                errors.extend_from_slice(
                    format!("{f}:{n}: Unmatched parenthesis in selector definition.").as_bytes(),
                );
            }
            Ok(rules) => {
                let mut reported_other = false;
                for rule in rules {
                    let rule = trim(&rule, b"\t\r\n");
                    match user.apply(&rule, pubsub_allchannels) {
                        Ok(()) => {}
                        Err(RuleError::UnknownCommand) => {
                            errors.extend_from_slice(
                                format!("{f}:{n}: Error in applying operation '").as_bytes(),
                            );
                            errors.extend_from_slice(c_str(&rule));
                            errors.extend_from_slice(
                                format!("': {}. ", RuleError::UnknownCommand.message()).as_bytes(),
                            );
                        }
                        Err(e) if !reported_other => {
                            reported_other = true;
                            errors.extend_from_slice(format!("{f}:{n}: {}. ", e.message()).as_bytes());
                        }
                        Err(_) => {}
                    }
                }
            }
        }
        users.insert(name.to_vec(), user);
    }
    if errors.is_empty() {
        Ok(users)
    } else {
        errors.extend_from_slice(
            b"WARNING: ACL errors detected, no change to the previously active ACL rules was performed",
        );
        Err(errors)
    }
}

/// ACL SAVEs in this process, one at a time: each takes its snapshot of the users and writes
/// it under this lock, so the file a later save installs is never an older snapshot than the
/// one it replaces (two saves racing would otherwise let the slower, older one rename last).
static SAVES: Mutex<()> = Mutex::new(());

/// Permission of an aclfile ACL SAVE creates: it holds password hashes, so the owner only (an
/// existing file keeps its own mode).
const NEW_ACLFILE_MODE: u32 = 0o600;

/// Writes every user's ACL LIST line (`(name, user)` in name order, as `snapshot` returns them
/// when called under the save lock) to `path` with [`atomic_write`]: the old or the new file
/// survives any crash or failure.
pub(crate) fn save<U>(path: &Path, snapshot: impl FnOnce() -> U) -> std::io::Result<()>
where
    U: IntoIterator<Item = (UserRef, Arc<User>)>,
{
    let _serialized = SAVES.lock();
    let mut content = Vec::new();
    for (name, u) in snapshot() {
        write_user_line(&mut content, name.name(), &u);
        content.push(b'\n');
    }
    atomic_write(path, &content, NEW_ACLFILE_MODE)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errs(text: &str) -> String {
        String::from_utf8(parse(text.as_bytes(), "/etc/redis/users.acl", false).unwrap_err()).unwrap()
    }

    #[test]
    fn spec_example_errors() {
        let text = "user a on\nuser b on\nuser c on\nuser d on\nuser e on +nosuch\nuser f on %~x\nuser alice on\nuser alice on\n# comment\n";
        assert_eq!(
            errs(text),
            "/etc/redis/users.acl:5: Error in applying operation '+nosuch': Unknown command or category name in ACL. /etc/redis/users.acl:6: Syntax error. WARNING: Duplicate user 'alice' found on line 8. /etc/redis/users.acl:9 should start with user keyword followed by the username. WARNING: ACL errors detected, no change to the previously active ACL rules was performed"
        );
    }

    #[test]
    fn unmatched_parenthesis_is_a_line_error() {
        assert_eq!(
            errs("user a on (+get ~x\n"),
            "/etc/redis/users.acl:1: Unmatched parenthesis in selector definition.WARNING: ACL errors detected, no change to the previously active ACL rules was performed"
        );
    }

    #[test]
    fn good_file() {
        let users = parse(b"user alice on (+get ~rw*)\n\n  user bob on (+set %W~w*) (+get %R~r*)  \n", "f", false).unwrap();
        assert_eq!(users.len(), 2);
        assert_eq!(users[&b"bob".to_vec()].selectors.len(), 3);
    }

    mod saving {
        use std::fs;
        use std::os::unix::fs::PermissionsExt;

        use crate::atomic_file::{inject, Step};
        use crate::redis::acl::{Acl, AclError};

        const SAVE_ERROR: &str =
            "ERR There was an error trying to save the ACLs. Please check the server logs for more information";

        fn acl_with_alice() -> Acl {
            let acl = Acl::new();
            acl.setuser(b"alice", &[&b"on"[..], b"#5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8", b"~k*", b"+get"]).unwrap();
            acl
        }

        #[test]
        fn a_new_aclfile_is_owner_only() {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("users.acl");
            acl_with_alice().save(&path).unwrap();
            assert_eq!(fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
            let text = String::from_utf8(fs::read(&path).unwrap()).unwrap();
            assert!(text.starts_with("user alice on #5e88"), "{text}");
        }

        #[test]
        fn an_existing_aclfile_keeps_its_mode() {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("users.acl");
            fs::write(&path, b"user default on nopass ~* &* +@all\n").unwrap();
            fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
            acl_with_alice().save(&path).unwrap();
            assert_eq!(fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }

        #[test]
        fn injected_write_failures_fail_with_redis_text_and_keep_the_old_file() {
            const ENOSPC: i32 = 28;
            const EIO: i32 = 5;
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("users.acl");
            let old = b"user default on nopass ~* &* +@all\n";
            fs::write(&path, old).unwrap();
            for (step, errno) in [(Step::Write, ENOSPC), (Step::Sync, EIO), (Step::Write, EIO), (Step::Rename, ENOSPC)] {
                inject(step, errno);
                let e = acl_with_alice().save(&path).unwrap_err();
                assert!(matches!(e, AclError::Save(_)), "{e:?}");
                assert_eq!(String::from_utf8(e.to_bytes()).unwrap(), SAVE_ERROR);
                assert_eq!(fs::read(&path).unwrap(), old);
                assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1, "a temporary file left behind");
            }
        }

        #[test]
        fn enotdir_fails_save_and_load_with_redis_texts() {
            let dir = tempfile::tempdir().unwrap();
            let file = dir.path().join("d");
            fs::write(&file, b"x").unwrap();
            let path = file.join("users.acl");
            let acl = acl_with_alice();
            assert_eq!(String::from_utf8(acl.save(&path).unwrap_err().to_bytes()).unwrap(), SAVE_ERROR);
            assert_eq!(
                String::from_utf8(acl.load_as(&path, "d/users.acl").unwrap_err().to_bytes()).unwrap(),
                "ERR Error loading ACLs, opening file 'd/users.acl': Not a directory"
            );
            assert_eq!(fs::read(&file).unwrap(), b"x");
        }

        #[test]
        fn concurrent_saves_install_the_latest_snapshot() {
            // Each thread changes the user, then saves. The snapshot taken last follows every
            // thread's last change; with saves serialized it is also the last one renamed into
            // place, so the file holds the final state. Unserialized, a slower save of an older
            // snapshot could rename last.
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("users.acl");
            let acl = acl_with_alice();
            std::thread::scope(|scope| {
                for t in 0..4 {
                    let (acl, path) = (&acl, &path);
                    scope.spawn(move || {
                        for i in 0..25 {
                            let key = format!("~t{t}i{i}");
                            acl.setuser(b"alice", &[b"resetkeys".as_slice(), key.as_bytes()]).unwrap();
                            acl.save(path).unwrap();
                        }
                    });
                }
            });
            let saved = Acl::new();
            saved.load(&path).unwrap();
            assert_eq!(saved.list(), acl.list());
            assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
        }
    }
}
