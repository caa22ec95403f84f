//! The engine settings Redis keeps in its config: `acl-pubsub-default` and `acllog-max-len`.

use std::fmt;
use std::str::FromStr;

/// `acl-pubsub-default`: the channel permissions a new (or `reset`) user or selector starts with.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum PubsubDefault {
    /// `allchannels`: every channel (Redis 6's behaviour).
    AllChannels,
    /// `resetchannels`: no channel (Redis 7.0's default).
    #[default]
    ResetChannels,
}

/// The value was neither `allchannels` nor `resetchannels`. `Display` is Redis' CONFIG text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InvalidPubsubDefault;

impl fmt::Display for InvalidPubsubDefault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("argument(s) must be one of the following: allchannels, resetchannels")
    }
}

impl std::error::Error for InvalidPubsubDefault {}

impl PubsubDefault {
    /// The config value (`allchannels` / `resetchannels`).
    pub fn as_str(self) -> &'static str {
        match self {
            PubsubDefault::AllChannels => "allchannels",
            PubsubDefault::ResetChannels => "resetchannels",
        }
    }

    /// Parses a config value, ignoring ASCII case as Redis' config parser does.
    pub fn from_bytes(v: &[u8]) -> Result<PubsubDefault, InvalidPubsubDefault> {
        if v.eq_ignore_ascii_case(b"allchannels") {
            Ok(PubsubDefault::AllChannels)
        } else if v.eq_ignore_ascii_case(b"resetchannels") {
            Ok(PubsubDefault::ResetChannels)
        } else {
            Err(InvalidPubsubDefault)
        }
    }
}

impl FromStr for PubsubDefault {
    type Err = InvalidPubsubDefault;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        PubsubDefault::from_bytes(s.as_bytes())
    }
}

impl fmt::Display for PubsubDefault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Redis' default `acllog-max-len`.
pub const DEFAULT_LOG_MAX_LEN: usize = 128;

/// Engine settings; `AclOptions::default()` is Redis 7.0's defaults, which every binding uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AclOptions {
    /// `acl-pubsub-default` (default `resetchannels`).
    pub pubsub_default: PubsubDefault,
    /// `acllog-max-len` (default 128).
    pub log_max_len: usize,
}

impl Default for AclOptions {
    fn default() -> Self {
        AclOptions { pubsub_default: PubsubDefault::default(), log_max_len: DEFAULT_LOG_MAX_LEN }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pubsub_default_parses_like_redis_config() {
        assert_eq!("AllChannels".parse(), Ok(PubsubDefault::AllChannels));
        assert_eq!("resetchannels".parse(), Ok(PubsubDefault::ResetChannels));
        assert_eq!("RESETCHANNELS".parse::<PubsubDefault>(), Ok(PubsubDefault::ResetChannels));
        assert_eq!("all".parse::<PubsubDefault>(), Err(InvalidPubsubDefault));
        assert_eq!(PubsubDefault::default().to_string(), "resetchannels");
        assert_eq!(AclOptions::default().log_max_len, 128);
    }
}
