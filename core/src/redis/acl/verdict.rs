//! Permission checks that answer a denial as a value instead of an error: what the bindings'
//! non-throwing `allowed` and `denial` return. In a hot loop a denial is an expected answer,
//! and building (and, in Java or Node, throwing) an error for it costs many times the check
//! itself. Living here, the mapping from [`AclError::Denied`] to a verdict is written once,
//! not once per language.

use super::{noperm_message, Acl, AclError};
use crate::Denied;

impl Acl {
    /// [`Acl::check`] as a yes/no answer: `Ok(false)` for a permission denial. What is no
    /// permission answer at all stays an error: an unknown user
    /// ([`AclError::UserNotFound`]), an unknown command or subcommand, a wrong arity. No
    /// error text is built for a denial.
    pub fn allowed<A: AsRef<[u8]>>(&self, user: &[u8], argv: &[A]) -> Result<bool, AclError> {
        match self.check(user, argv) {
            Ok(()) => Ok(true),
            Err(AclError::Denied { .. }) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// [`Acl::check`] with the denial as a value: `Ok(None)` if allowed, `Ok(Some(denied))`
    /// with what was refused (its [`Denied::message`] is the NOPERM text `check` fails with),
    /// and errors as [`Acl::allowed`].
    pub fn denial<A: AsRef<[u8]>>(
        &self,
        user: &[u8],
        argv: &[A],
    ) -> Result<Option<Denied>, AclError> {
        match self.check(user, argv) {
            Ok(()) => Ok(None),
            Err(AclError::Denied { kind, command, object }) => {
                Ok(Some(Denied { kind, command, object }))
            }
            Err(e) => Err(e),
        }
    }
}

impl Denied {
    /// Redis' error reply for this denial, code included (`NOPERM this user has no
    /// permissions to run the 'del' command`): the text [`Acl::check`]'s error carries.
    pub fn message(&self) -> String {
        format!("NOPERM {}", noperm_message(self.kind, &self.command))
    }
}

#[cfg(test)]
mod tests {
    use super::super::DenialKind;
    use super::*;

    fn acl() -> Acl {
        let acl = Acl::new();
        acl.setuser(b"alice", &[&b"on"[..], b"~cache:*", b"&news", b"+get", b"+publish"])
            .unwrap();
        acl
    }

    /// Each denial kind, with what `check` reports for the same command line.
    #[test]
    fn denial_and_allowed_agree_with_check() {
        let acl = acl();
        let lines: [(&[&[u8]], Option<DenialKind>); 4] = [
            (&[b"GET", b"cache:1"], None),
            (&[b"DEL", b"cache:1"], Some(DenialKind::Command)),
            (&[b"GET", b"other"], Some(DenialKind::Key)),
            (&[b"PUBLISH", b"sport", b"x"], Some(DenialKind::Channel)),
        ];
        for (argv, kind) in lines {
            let checked = acl.check(b"alice", argv);
            assert_eq!(acl.allowed(b"alice", argv), Ok(kind.is_none()));
            let denial = acl.denial(b"alice", argv).unwrap();
            assert_eq!(denial.as_ref().map(|d| d.kind), kind);
            match (checked, denial) {
                (Ok(()), None) => {}
                (Err(e), Some(d)) => {
                    let error: crate::Error = e.into();
                    assert_eq!(error.message_bytes(), d.message().as_bytes());
                    assert_eq!(error.denial(), Some(&d));
                }
                other => panic!("check and denial disagree: {other:?}"),
            }
        }
    }

    #[test]
    fn what_is_no_permission_answer_stays_an_error() {
        let acl = acl();
        let unknown_user = acl.allowed(b"nobody", &[&b"GET"[..], b"k"]);
        assert_eq!(unknown_user, Err(AclError::UserNotFound(b"nobody".to_vec())));
        assert!(matches!(acl.denial(b"alice", &[&b"NOSUCH"[..]]), Err(AclError::UnknownCommand(_))));
        assert_eq!(acl.allowed(b"alice", &[&b"GET"[..]]), Err(AclError::WrongArity("get".into())));
    }
}
