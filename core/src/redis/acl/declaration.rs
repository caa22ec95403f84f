//! The check redis.conf's `user` directive gets while the file is read (Redis'
//! `ACLAppendUserForLoading`), before any user exists.
//!
//! Redis applies the line's rules to a throwaway user so that a malformed rule is a fatal
//! config error naming the line; rules that fail only because a command or category is
//! unknown pass here and fail later, when the users are created ("Error loading ACL rule …").

use super::draft::{merge_selector_args, UserDraft};
use super::error::RuleError;

/// Why a `user` line is refused while the configuration is read. [`DeclarationError::message`]
/// is Redis' text after the `>>> 'line'` of its fatal config error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeclarationError {
    /// The word of the line Redis names (see [`check_user_declaration`] for which one).
    pub token: Vec<u8>,
    /// Why.
    pub error: RuleError,
}

impl DeclarationError {
    /// `Error in user declaration '<token>': <reason>`, as redis-server 7.0.15 prints it.
    pub fn message(&self) -> String {
        format!("Error in user declaration '{}': {}", String::from_utf8_lossy(&self.token), self.error.message())
    }
}

/// Checks one `user <name> <rules…>` line (`line[0]` is the directive) against the names
/// declared before it (`declared`) the way redis-server 7.0.15 does while reading its config.
///
/// The word named in the error is Redis' `argv[i]`, where `i` counts the *rules* (after
/// merging selectors) but indexes the whole line, so a failing first rule names `user`, a
/// failing second rule names the user, and so on: the text is what Redis prints, quirk
/// included. A selector that is never closed names the word at its opening index the same
/// way, with the message of the errno Redis finds left over at that point of its startup
/// (ENOENT, "Unknown command or category name in ACL"): its merge sets no errno of its own.
pub fn check_user_declaration<'a, A: AsRef<[u8]>>(
    line: &[A],
    mut declared: impl Iterator<Item = &'a [u8]>,
    pubsub_allchannels: bool,
) -> Result<(), DeclarationError> {
    let word = |i: usize| line.get(i).map(|w| w.as_ref().to_vec()).unwrap_or_default();
    let Some(name) = line.get(1).map(AsRef::as_ref) else {
        return Err(DeclarationError { token: word(0), error: RuleError::Syntax });
    };
    if declared.any(|d| d == name) {
        return Err(DeclarationError { token: word(1), error: RuleError::DuplicateUser });
    }
    let rules = &line[2..];
    let merged = merge_selector_args(rules)
        .map_err(|open| DeclarationError { token: word(open), error: RuleError::UnknownCommand })?;
    let mut fake = UserDraft::new(pubsub_allchannels);
    for (j, rule) in merged.iter().enumerate() {
        match fake.apply(rule, pubsub_allchannels) {
            Ok(()) | Err(RuleError::UnknownCommand) => {}
            Err(error) => return Err(DeclarationError { token: word(j), error }),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(line: &str, declared: &[&str]) -> Result<(), String> {
        let words: Vec<&str> = line.split(' ').collect();
        check_user_declaration(&words, declared.iter().map(|d| d.as_bytes()), false).map_err(|e| e.message())
    }

    // Each expected text below is what redis-server 7.0.15 printed for the same line
    // (tests/config runs the same lines against it).
    #[test]
    fn names_the_word_redis_names() {
        assert_eq!(check("user foo on badrule", &[]), Err("Error in user declaration 'foo': Syntax error".into()));
        assert_eq!(check("user foo badrule", &[]), Err("Error in user declaration 'user': Syntax error".into()));
        assert_eq!(
            check("user foo on >a <b", &[]),
            Err("Error in user declaration 'on': The password you are trying to remove from the user does not exist".into())
        );
        assert_eq!(
            check("user foo on (~x +get) (~y", &[]),
            Err("Error in user declaration '(~x': Unknown command or category name in ACL".into())
        );
    }

    #[test]
    fn duplicates_and_unknown_commands() {
        assert_eq!(
            check("user foo off", &["bar", "foo"]),
            Err("Error in user declaration 'foo': Duplicate user found. A user can only be defined once in config files".into())
        );
        // Unknown commands and categories are left for the load, as Redis does.
        assert_eq!(check("user foo on +nosuchcmd -@nosuchcat ~x", &["bar"]), Ok(()));
        assert_eq!(check("user foo", &[]), Ok(()));
    }
}
