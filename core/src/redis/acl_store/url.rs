//! `etcd://[user:password@]host:port[,host:port...]/prefix`: where an ACL store lives.

use super::StoreError;

/// A parsed store address.
#[derive(Clone, PartialEq, Eq)]
pub struct StoreUrl {
    /// `host:port` of every etcd member given.
    pub endpoints: Vec<String>,
    /// etcd's own authentication, when the URL carries `user:password@`.
    pub user: Option<(String, String)>,
    /// The key prefix, always starting and ending with `/` (`/authgate/` for `.../authgate`).
    pub prefix: String,
}

impl std::fmt::Debug for StoreUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the password.
        f.debug_struct("StoreUrl").field("endpoints", &self.endpoints).field("prefix", &self.prefix).finish()
    }
}

impl StoreUrl {
    /// Parses `etcd://host:port[,host:port...]/prefix`; the prefix must not be empty, so two
    /// fleets (or a fleet and Milvus) sharing an etcd never see each other's keys.
    pub fn parse(url: &str) -> Result<StoreUrl, StoreError> {
        let bad = |why: &str| StoreError::InvalidUrl(format!("'{url}': {why}"));
        let rest = url.strip_prefix("etcd://").ok_or_else(|| bad("expected etcd://host:port/prefix"))?;
        let (authority, path) = rest.split_once('/').ok_or_else(|| bad("no /prefix after the endpoints"))?;
        let path = path.trim_matches('/');
        if path.is_empty() {
            return Err(bad("the prefix is empty"));
        }
        let (user, hosts) = match authority.rsplit_once('@') {
            Some((cred, hosts)) => {
                let (u, p) = cred.split_once(':').ok_or_else(|| bad("expected user:password@"))?;
                (Some((u.to_string(), p.to_string())), hosts)
            }
            None => (None, authority),
        };
        let mut endpoints = Vec::new();
        for host in hosts.split(',') {
            let (h, port) = host.rsplit_once(':').ok_or_else(|| bad("every endpoint needs host:port"))?;
            if h.is_empty() || port.parse::<u16>().is_err() {
                return Err(bad(&format!("invalid endpoint '{host}'")));
            }
            endpoints.push(host.to_string());
        }
        Ok(StoreUrl { endpoints, user, prefix: format!("/{path}/") })
    }

    /// The URL without the password, for INFO and the logs.
    pub fn shown(&self) -> String {
        let user = self.user.as_ref().map(|(u, _)| format!("{u}@")).unwrap_or_default();
        format!("etcd://{user}{}{}", self.endpoints.join(","), self.prefix.trim_end_matches('/'))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_endpoints_credentials_and_prefix() {
        let u = StoreUrl::parse("etcd://127.0.0.1:2379,10.0.0.2:2380/fleet/acl").unwrap();
        assert_eq!(u.endpoints, vec!["127.0.0.1:2379", "10.0.0.2:2380"]);
        assert_eq!(u.prefix, "/fleet/acl/");
        assert_eq!(u.user, None);
        let u = StoreUrl::parse("etcd://root:s3cret@h:1/p/").unwrap();
        assert_eq!(u.user, Some(("root".into(), "s3cret".into())));
        assert_eq!(u.shown(), "etcd://root@h:1/p");
        assert!(!format!("{u:?}").contains("s3cret"));
    }

    #[test]
    fn refuses_what_is_not_a_store_address() {
        for bad in ["redis://h:1/p", "etcd://h:1", "etcd://h:1/", "etcd://h/p", "etcd://h:x/p", "etcd://:1/p", "etcd://u@h:1/p"] {
            assert!(matches!(StoreUrl::parse(bad), Err(StoreError::InvalidUrl(_))), "{bad}");
        }
    }
}
