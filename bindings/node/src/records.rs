//! The records `getuser` and `log` return, as plain (typed) JS objects. Names, keys and rules
//! are shown as strings (bytes that are not UTF-8 are replaced), as ACL GETUSER / ACL LOG
//! replies are read by most clients.

use authgate::acl::{self, LogEntry as CoreLogEntry, UserInfo as CoreUserInfo};
use napi_derive::napi;

/// What `ACL GETUSER` reports for one `(...)` selector.
#[napi(object, object_from_js = false)]
pub struct SelectorInfo {
    /// The command rules, e.g. `-@all +get`.
    pub commands: String,
    /// Key patterns joined by spaces (`~*` for allkeys, empty if none).
    pub keys: String,
    /// Channel patterns joined by spaces (`&*` for allchannels, empty if none).
    pub channels: String,
}

/// What `ACL GETUSER` reports for a user.
#[napi(object, object_from_js = false)]
pub struct UserInfo {
    /// Flag names in Redis' order: `on`/`off`, `nopass`, `sanitize-payload`, ...
    pub flags: Vec<String>,
    /// SHA-256 digests of the passwords (64 lowercase hex characters), in insertion order.
    pub passwords: Vec<String>,
    /// The root selector's command rules.
    pub commands: String,
    /// The root selector's key patterns.
    pub keys: String,
    /// The root selector's channel patterns.
    pub channels: String,
    /// The `(...)` selectors, in order.
    pub selectors: Vec<SelectorInfo>,
}

/// One `ACL LOG` entry.
#[napi(object, object_from_js = false)]
pub struct LogEntry {
    /// How many events were merged into this entry.
    pub count: f64,
    /// Why: `command`, `key`, `channel` or `auth`.
    #[napi(ts_type = "'command' | 'key' | 'channel' | 'auth'")]
    pub reason: String,
    /// Where: `toplevel`, `multi`, `lua` or `module`.
    #[napi(ts_type = "'toplevel' | 'multi' | 'lua' | 'module'")]
    pub context: String,
    /// Command full name, key, channel, or (for auth) the command as typed.
    pub object: String,
    /// The connection's user, or the attempted name for auth failures.
    pub username: String,
    /// Seconds since the last update of this entry.
    pub age_seconds: f64,
    /// The client's `CLIENT LIST` line at the last update.
    pub client_info: String,
}

/// Bytes shown as a JS string.
pub(crate) fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn selector_info(s: &acl::SelectorInfo) -> SelectorInfo {
    SelectorInfo {
        commands: lossy(&s.commands),
        keys: lossy(&s.keys),
        channels: lossy(&s.channels),
    }
}

impl From<CoreUserInfo> for UserInfo {
    fn from(i: CoreUserInfo) -> UserInfo {
        UserInfo {
            flags: i.flags.iter().map(|f| f.to_string()).collect(),
            passwords: i.passwords,
            commands: lossy(&i.root.commands),
            keys: lossy(&i.root.keys),
            channels: lossy(&i.root.channels),
            selectors: i.selectors.iter().map(selector_info).collect(),
        }
    }
}

impl From<CoreLogEntry> for LogEntry {
    fn from(e: CoreLogEntry) -> LogEntry {
        LogEntry {
            count: e.count as f64,
            reason: e.reason.as_str().to_string(),
            context: e.context.as_str().to_string(),
            object: lossy(&e.object),
            username: lossy(&e.username),
            age_seconds: e.age_seconds,
            client_info: lossy(&e.client_info),
        }
    }
}
