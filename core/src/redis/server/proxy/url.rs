//! [`UpstreamUrl`]: where proxy mode forwards commands, `redis://[user:password@]host:port[/db]`
//! or `rediss://…` (the same over TLS).

use std::fmt;

/// The upstream server of proxy mode and the credentials authgate opens its connections with.
///
/// Parsed from `redis://[[user]:password@]host[:port][/db]` (the form redis-cli's `-u` takes),
/// or `rediss://` for TLS to the upstream ([`super::tls`]):
/// the user and password are percent-decoded, the port defaults to 6379 and the database to 0.
/// A password without a user (`redis://:pw@host`) is sent as `AUTH pw`, which is what an
/// upstream with only `requirepass` expects. Debug output never shows the password.
#[derive(Clone, PartialEq, Eq)]
pub struct UpstreamUrl {
    /// Host name or address (an IPv6 address without its brackets).
    pub host: String,
    /// TCP port.
    pub port: u16,
    /// The user to AUTH as; `None` sends the one-argument AUTH.
    pub user: Option<Vec<u8>>,
    /// The password; `None` sends no AUTH.
    pub password: Option<Vec<u8>>,
    /// The database selected on every new upstream connection.
    pub db: u32,
    /// `rediss://`: the connection is TLS, the upstream's certificate verified.
    pub tls: bool,
}

impl fmt::Debug for UpstreamUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UpstreamUrl")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("user", &self.user.as_deref().map(String::from_utf8_lossy))
            .field("password", &self.password.as_ref().map(|_| "(hidden)"))
            .field("db", &self.db)
            .field("tls", &self.tls)
            .finish()
    }
}

impl fmt::Display for UpstreamUrl {
    /// `host:port` (what log lines and errors name; never the credentials).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.host.contains(':') {
            write!(f, "[{}]:{}", self.host, self.port)
        } else {
            write!(f, "{}:{}", self.host, self.port)
        }
    }
}

impl UpstreamUrl {
    /// Parses an upstream URL; the error says what is wrong with it (without quoting a password).
    pub fn parse(text: &[u8]) -> Result<UpstreamUrl, String> {
        let text = std::str::from_utf8(text).map_err(|_| "the upstream URL is not UTF-8".to_string())?;
        let (rest, tls) = if let Some(r) = text.strip_prefix("redis://") {
            (r, false)
        } else if let Some(r) = text.strip_prefix("rediss://") {
            (r, true)
        } else {
            return Err("the upstream URL must start with redis:// or rediss://".into());
        };
        let (authority, path) = match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i + 1..]),
            None => (rest, ""),
        };
        let (userinfo, hostport) = match authority.rfind('@') {
            Some(i) => (Some(&authority[..i]), &authority[i + 1..]),
            None => (None, authority),
        };
        let (user, password) = match userinfo {
            None => (None, None),
            Some(info) => match info.split_once(':') {
                Some((u, p)) => {
                    let u = percent_decode(u)?;
                    ((!u.is_empty()).then_some(u), Some(percent_decode(p)?))
                }
                None => (Some(percent_decode(info)?).filter(|u| !u.is_empty()), None),
            },
        };
        if user.is_some() && password.is_none() {
            return Err("the upstream URL names a user without a password".into());
        }
        let (host, port) = split_host_port(hostport)?;
        let db = match path.trim_end_matches('/') {
            "" => 0,
            d => d.parse::<u32>().map_err(|_| format!("the upstream database '{d}' is not a number"))?,
        };
        Ok(UpstreamUrl { host, port, user, password, db, tls })
    }
}

fn split_host_port(hostport: &str) -> Result<(String, u16), String> {
    let (host, port) = if let Some(v6) = hostport.strip_prefix('[') {
        let end = v6.find(']').ok_or("the upstream URL has an unclosed '['")?;
        (&v6[..end], v6[end + 1..].strip_prefix(':'))
    } else {
        match hostport.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (hostport, None),
        }
    };
    if host.is_empty() {
        return Err("the upstream URL has no host".into());
    }
    let port = match port {
        None => super::super::REDIS_PORT,
        Some(p) => match p.parse::<u16>() {
            Ok(n) if n > 0 => n,
            _ => return Err(format!("the upstream port '{p}' is not a port number")),
        },
    };
    Ok((host.to_string(), port))
}

fn percent_decode(s: &str) -> Result<Vec<u8>, String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = b.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok());
            let v = hex.and_then(|h| u8::from_str_radix(h, 16).ok()).ok_or("a bad %-escape in the upstream URL")?;
            out.push(v);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms() {
        let u = UpstreamUrl::parse(b"redis://127.0.0.1:7000").unwrap();
        assert_eq!((u.host.as_str(), u.port, u.user, u.password, u.db), ("127.0.0.1", 7000, None, None, 0));
        let u = UpstreamUrl::parse(b"redis://:p%40ss@h/3").unwrap();
        assert_eq!((u.port, u.user, u.password, u.db), (6379, None, Some(b"p@ss".to_vec()), 3));
        let u = UpstreamUrl::parse(b"redis://alice:pw@[::1]:6380/").unwrap();
        assert_eq!((u.host.as_str(), u.port, u.user.as_deref()), ("::1", 6380, Some(&b"alice"[..])));
        assert_eq!(u.to_string(), "[::1]:6380");
        assert!(!format!("{u:?}").contains("pw"));
        assert!(!u.tls);
        let u = UpstreamUrl::parse(b"rediss://:pw@localhost:6390").unwrap();
        assert!(u.tls && u.port == 6390 && u.host == "localhost");
    }

    #[test]
    fn errors() {
        for bad in ["http://h", "redis://", "redis://h:0", "redis://h:x", "redis://h/a", "redis://u@h", "redis://:%zz@h", "redis:/h", "rediss:h"] {
            assert!(UpstreamUrl::parse(bad.as_bytes()).is_err(), "{bad}");
        }
    }
}
