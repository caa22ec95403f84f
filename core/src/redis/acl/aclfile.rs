//! aclfiles: parsing with Redis' per-line error texts (all or nothing), and atomic saving.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use super::describe::write_user_line;
use super::draft::{merge_selector_args, UserDraft};
use super::error::RuleError;
use super::user::User;
use crate::redis::cstr::{c_str, has_spaces};

/// Reads an aclfile the way Redis does (`fgets` chunks of at most 1023 bytes concatenated with
/// `strcat` semantics, so a NUL byte drops the rest of its chunk).
pub(crate) fn read(path: &Path) -> std::io::Result<Vec<u8>> {
    let raw = std::fs::read(path)?;
    let mut out = Vec::with_capacity(raw.len());
    let mut rest = &raw[..];
    while !rest.is_empty() {
        let limit = rest.len().min(1023);
        let end = rest[..limit].iter().position(|&b| b == b'\n').map_or(limit, |i| i + 1);
        out.extend_from_slice(c_str(&rest[..end]));
        rest = &rest[end..];
    }
    Ok(out)
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

/// Writes every user's ACL LIST line (`(name, user)` in name order) to `path` atomically: a
/// temporary file in the same directory, fsync, rename over the target, then fsync of the
/// directory.
pub(crate) fn save<'a>(
    path: &Path,
    users: impl Iterator<Item = (&'a [u8], &'a User)>,
) -> std::io::Result<()> {
    let mut content = Vec::new();
    for (name, u) in users {
        write_user_line(&mut content, name, u);
        content.push(b'\n');
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    let file_name = path.file_name().ok_or_else(|| {
        std::io::Error::new(std::io::ErrorKind::InvalidInput, "aclfile path has no file name")
    })?;
    let millis = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or(0);
    let mut tmp_name = file_name.to_os_string();
    tmp_name.push(format!(".tmp-{}-{}", std::process::id(), millis));
    let tmp = dir.join(tmp_name);
    let result = (|| {
        let mut f = std::fs::OpenOptions::new().write(true).create_new(true).open(&tmp)?;
        f.write_all(&content)?;
        f.sync_all()?;
        drop(f);
        std::fs::rename(&tmp, path)?;
        if let Ok(d) = std::fs::File::open(&dir) {
            // Make the rename itself durable; not all filesystems support this, so ignore.
            let _ = d.sync_all();
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
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
}
