//! [`CertUserMap`]: which ACL user a verified client certificate logs in as, with the
//! precedence of issue 13 item 2 when several mappings apply:
//!
//! 1. a Redis Software certificate user (`auth_method: certificate`) whose
//!    `certificate_subject_line` equals the certificate's RFC 2253 subject ([`SubjectLine`]);
//!    when several do, the first by user name (byte order), so the outcome never depends on
//!    the order users were added;
//! 2. Valkey / Redis 8.6 `tls-auth-clients-user` ([`TlsAuthClientsUser`]) when it is on;
//! 3. otherwise the connection stays `default`, as in Redis 7.0.15.
//!
//! Every candidate must name an ACL user that exists and is enabled (the caller's lookup);
//! a certificate user whose ACL user is off falls through to the next rule. Pure: no I/O, no
//! clock; the server persists the users and applies the outcome.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::cert::ClientCert;
use super::error::CertError;
use super::redis_software::SubjectLine;
use super::tls_user::{TlsAuthClientsUser, TlsUserMapping};

/// The certificate users (user name to subject line) and the `tls-auth-clients-user` mode.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CertUserMap {
    users: BTreeMap<String, SubjectLine>,
    mode: TlsAuthClientsUser,
}

/// Which user a certificate logs in as, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CertLogin {
    /// A certificate user's subject line equals the certificate's subject.
    CertificateUser {
        /// The user.
        user: String,
        /// The certificate's RFC 2253 subject (= the user's subject line).
        subject: String,
    },
    /// `tls-auth-clients-user` named this user (its CN, or a SAN URI).
    TlsAuthClientsUser {
        /// The user name, as the certificate carries it.
        user: Vec<u8>,
        /// The server's log line (`TLS: Auto-authenticated client as <user>`).
        log_line: String,
    },
    /// No certificate user matched and `tls-auth-clients-user` is off: the connection stays
    /// `default` with nothing logged or counted (Redis 7.0.15's behaviour).
    Default,
    /// No certificate user matched and `tls-auth-clients-user` found no enabled user: the
    /// connection stays `default`; the server writes an ACL LOG entry with reason `tls-cert`
    /// and counts INFO `acl_access_denied_tls_cert`.
    NoMatch {
        /// The server's log line (`TLS: No matching user found ...`).
        log_line: String,
    },
}

impl CertLogin {
    /// Every [`outcome`](Self::outcome) name, in the variants' order (the bindings'
    /// vocabulary).
    pub const OUTCOMES: [&'static str; 4] = ["certificate_user", "tls_auth_clients_user", "default", "no_match"];

    /// The user the connection is authenticated as, if any.
    pub fn user(&self) -> Option<&[u8]> {
        match self {
            CertLogin::CertificateUser { user, .. } => Some(user.as_bytes()),
            CertLogin::TlsAuthClientsUser { user, .. } => Some(user),
            CertLogin::Default | CertLogin::NoMatch { .. } => None,
        }
    }

    /// Which rule decided, as the bindings name it: `certificate_user`,
    /// `tls_auth_clients_user`, `default` or `no_match`.
    pub fn outcome(&self) -> &'static str {
        match self {
            CertLogin::CertificateUser { .. } => Self::OUTCOMES[0],
            CertLogin::TlsAuthClientsUser { .. } => Self::OUTCOMES[1],
            CertLogin::Default => Self::OUTCOMES[2],
            CertLogin::NoMatch { .. } => Self::OUTCOMES[3],
        }
    }

    /// The line the server logs for this outcome (`tls-auth-clients-user`'s), if any.
    pub fn log_line(&self) -> Option<&str> {
        match self {
            CertLogin::TlsAuthClientsUser { log_line, .. } | CertLogin::NoMatch { log_line } => Some(log_line),
            CertLogin::CertificateUser { .. } | CertLogin::Default => None,
        }
    }
}

/// One certificate user as it is stored (Redis Software's field names).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertificateUser {
    /// The ACL user name.
    pub name: String,
    /// Its `certificate_subject_line`.
    pub certificate_subject_line: String,
}

impl CertUserMap {
    /// No certificate users, `tls-auth-clients-user` as given.
    pub fn new(mode: TlsAuthClientsUser) -> CertUserMap {
        CertUserMap { users: BTreeMap::new(), mode }
    }

    /// The `tls-auth-clients-user` mode.
    pub fn mode(&self) -> TlsAuthClientsUser {
        self.mode
    }

    /// Sets the `tls-auth-clients-user` mode.
    pub fn set_mode(&mut self, mode: TlsAuthClientsUser) {
        self.mode = mode;
    }

    /// Makes `user` a certificate user with `line`; returns its previous line.
    pub fn set_user(&mut self, user: &str, line: SubjectLine) -> Option<SubjectLine> {
        self.users.insert(user.to_string(), line)
    }

    /// Stops `user` being a certificate user; returns its line if it was one.
    pub fn remove_user(&mut self, user: &str) -> Option<SubjectLine> {
        self.users.remove(user)
    }

    /// The subject line of `user`, if it is a certificate user.
    pub fn subject_line(&self, user: &str) -> Option<&SubjectLine> {
        self.users.get(user)
    }

    /// The certificate users in name order.
    pub fn users(&self) -> impl Iterator<Item = (&str, &SubjectLine)> {
        self.users.iter().map(|(name, line)| (name.as_str(), line))
    }

    /// How many certificate users.
    pub fn len(&self) -> usize {
        self.users.len()
    }

    /// No certificate users.
    pub fn is_empty(&self) -> bool {
        self.users.is_empty()
    }

    /// Which user `cert` (already verified against the CAs) logs in as. `enabled_user(name)`
    /// says whether an ACL user of exactly that name exists and is on.
    pub fn map(&self, cert: &ClientCert, mut enabled_user: impl FnMut(&[u8]) -> bool) -> CertLogin {
        if !self.users.is_empty() {
            let subject = cert.subject();
            for (name, line) in &self.users {
                if line.as_str() == subject && enabled_user(name.as_bytes()) {
                    return CertLogin::CertificateUser { user: name.clone(), subject: subject.to_string() };
                }
            }
        }
        match self.mode.map(cert, enabled_user) {
            TlsUserMapping::Off => CertLogin::Default,
            TlsUserMapping::Authenticated { user, log_line } => CertLogin::TlsAuthClientsUser { user, log_line },
            TlsUserMapping::NoMatch { log_line } => CertLogin::NoMatch { log_line },
        }
    }

    /// [`map`](Self::map) over the users of `acl` as the server sees them: a candidate must
    /// exist there and be enabled. Without an engine (`None`) every name is a candidate, for
    /// a program that checks the user itself.
    pub fn map_acl(&self, cert: &ClientCert, acl: Option<&crate::acl::Acl>) -> CertLogin {
        match acl {
            Some(acl) => self.map(cert, |name| acl.user(name).is_some_and(|u| u.is_enabled())),
            None => self.map(cert, |_| true),
        }
    }

    /// The certificate users as stored records, in name order.
    pub fn records(&self) -> Vec<CertificateUser> {
        self.users
            .iter()
            .map(|(name, line)| CertificateUser { name: name.clone(), certificate_subject_line: line.as_str().into() })
            .collect()
    }

    /// Replaces the certificate users with `records`, all or nothing: a record whose subject
    /// line does not validate (or a name given twice) is an error that changes nothing.
    pub fn set_records(&mut self, records: &[CertificateUser]) -> Result<(), CertError> {
        let mut users = BTreeMap::new();
        for r in records {
            let line = SubjectLine::parse(&r.certificate_subject_line)?;
            if users.insert(r.name.clone(), line).is_some() {
                return Err(CertError::Invalid(format!("certificate user '{}' is given twice", r.name)));
            }
        }
        self.users = users;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cert() -> ClientCert {
        ClientCert::from_pem(include_bytes!("testdata/multi_ou.pem")).unwrap()
    }

    #[test]
    fn precedence_certificate_user_then_tls_user_then_default() {
        let c = cert();
        let subject = c.subject().to_string();
        let cn = c.common_name().unwrap();
        let all = |_: &[u8]| true;
        let mut map = CertUserMap::new(TlsAuthClientsUser::Off);
        assert_eq!(map.map(&c, all), CertLogin::Default);
        map.set_mode(TlsAuthClientsUser::Cn);
        assert!(matches!(map.map(&c, all), CertLogin::TlsAuthClientsUser { ref user, .. } if *user == cn.as_bytes()));
        assert!(matches!(map.map(&c, |_| false), CertLogin::NoMatch { .. }));
        map.set_user("zed", SubjectLine::parse(&subject).unwrap());
        map.set_user("bob", SubjectLine::parse(&subject).unwrap());
        let login = map.map(&c, all);
        assert_eq!(login, CertLogin::CertificateUser { user: "bob".into(), subject: subject.clone() });
        assert_eq!(login.user(), Some(&b"bob"[..]));
        // A disabled certificate user falls through to the next one, then to the CN.
        assert_eq!(map.map(&c, |n| n != b"bob").user(), Some(&b"zed"[..]));
        assert_eq!(map.map(&c, |n| n == cn.as_bytes()).user(), Some(cn.as_bytes()));
        map.set_mode(TlsAuthClientsUser::Off);
        assert_eq!(map.map(&c, |_| false), CertLogin::Default);
        assert_eq!(map.remove_user("bob").map(|l| l.as_str().to_string()), Some(subject));
        assert_eq!(map.len(), 1);
    }

    #[test]
    fn outcomes_and_an_engine_as_the_lookup() {
        let c = cert();
        let mut map = CertUserMap::new(TlsAuthClientsUser::Cn);
        assert_eq!((map.map_acl(&c, None).outcome(), map.map_acl(&c, None).user()), ("tls_auth_clients_user", Some(&b"alice"[..])));
        assert_eq!(map.map_acl(&c, None).log_line(), Some("TLS: Auto-authenticated client as alice"));
        let acl = crate::acl::Acl::new();
        let login = map.map_acl(&c, Some(&acl));
        assert_eq!((login.outcome(), login.log_line()), ("no_match", Some("TLS: No matching user found for certificate CN 'alice'")));
        acl.setuser(b"alice", &[&b"on"[..]]).unwrap();
        assert_eq!(map.map_acl(&c, Some(&acl)).user(), Some(&b"alice"[..]));
        map.set_user("bob", SubjectLine::parse(c.subject()).unwrap());
        // bob is not a user of the engine: the CN decides.
        assert_eq!(map.map_acl(&c, Some(&acl)).outcome(), "tls_auth_clients_user");
        acl.setuser(b"bob", &[&b"on"[..]]).unwrap();
        let login = map.map_acl(&c, Some(&acl));
        assert_eq!((login.outcome(), login.user(), login.log_line()), ("certificate_user", Some(&b"bob"[..]), None));
        map.set_mode(TlsAuthClientsUser::Off);
        map.remove_user("bob");
        assert_eq!(map.map_acl(&c, Some(&acl)).outcome(), "default");
    }

    #[test]
    fn other_subjects_do_not_match() {
        let c = cert();
        let mut map = CertUserMap::new(TlsAuthClientsUser::Off);
        map.set_user("alice", SubjectLine::parse("CN=someone else,O=Example").unwrap());
        assert_eq!(map.map(&c, |_| true), CertLogin::Default);
    }

    #[test]
    fn records_round_trip_and_bad_records_change_nothing() {
        let mut map = CertUserMap::new(TlsAuthClientsUser::Off);
        map.set_user("a", SubjectLine::parse("CN=a,O=x").unwrap());
        let records = map.records();
        let json = serde_json::to_string(&records).unwrap();
        assert_eq!(json, r#"[{"name":"a","certificate_subject_line":"CN=a,O=x"}]"#);
        let mut other = CertUserMap::default();
        other.set_records(&serde_json::from_str::<Vec<CertificateUser>>(&json).unwrap()).unwrap();
        assert_eq!(other, map);
        let bad = vec![CertificateUser { name: "b".into(), certificate_subject_line: "CN=b, O=x".into() }];
        assert!(other.set_records(&bad).is_err());
        let twice = vec![records[0].clone(), records[0].clone()];
        assert!(other.set_records(&twice).is_err());
        assert_eq!(other, map);
    }
}
