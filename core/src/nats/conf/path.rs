//! Go's `path/filepath` Clean, Dir and Join on `/` paths: nats-server joins an include's path
//! to its file's directory with them, so an absolute include path ends up relative to that
//! directory, exactly as the server reads it.

/// filepath.Clean.
pub(crate) fn clean(path: &str) -> String {
    if path.is_empty() {
        return ".".into();
    }
    let rooted = path.starts_with('/');
    let mut out: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if out.last().is_some_and(|p| *p != "..") {
                    out.pop();
                } else if !rooted {
                    out.push("..");
                }
            }
            p => out.push(p),
        }
    }
    let body = out.join("/");
    match (rooted, body.is_empty()) {
        (true, _) => format!("/{body}"),
        (false, true) => ".".into(),
        (false, false) => body,
    }
}

/// filepath.Dir.
pub(crate) fn dir(path: &str) -> String {
    match path.rfind('/') {
        Some(i) => clean(&path[..=i]),
        None => ".".into(),
    }
}

/// filepath.Join of two elements.
pub(crate) fn join(a: &str, b: &str) -> String {
    match (a.is_empty(), b.is_empty()) {
        (true, true) => String::new(),
        (true, false) => clean(b),
        (false, true) => clean(a),
        (false, false) => clean(&format!("{a}/{b}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_go() {
        assert_eq!(clean("a//b/./c/.."), "a/b");
        assert_eq!(clean("/../x"), "/x");
        assert_eq!(clean("../../x"), "../../x");
        assert_eq!(dir("a.conf"), ".");
        assert_eq!(dir("/etc/nats/a.conf"), "/etc/nats");
        assert_eq!(join(".", "/etc/x.conf"), "etc/x.conf");
        assert_eq!(join("/etc/nats", "../b.conf"), "/etc/b.conf");
        assert_eq!(join(".", ""), ".");
    }
}
