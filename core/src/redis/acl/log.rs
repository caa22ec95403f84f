//! ACL LOG: recent denials and failed authentications, merged like Redis 7.0 does.

use std::collections::VecDeque;
use std::time::{SystemTime, UNIX_EPOCH};

/// Events closer than this (ms) to a matching entry are merged into it.
const GROUPING_WINDOW_MS: u64 = 60_000;
/// How many recent entries a new event is compared with.
const MATCH_SCAN: usize = 10;

/// Why an ACL LOG entry was written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogReason {
    /// A command was denied.
    Command,
    /// A key was denied.
    Key,
    /// A channel was denied.
    Channel,
    /// AUTH or HELLO AUTH failed.
    Auth,
    /// `tls-auth-clients-user` (Valkey / Redis 8.6) found no enabled user for a client
    /// certificate.
    TlsCert,
}

impl LogReason {
    /// The `reason` field text.
    pub fn as_str(self) -> &'static str {
        match self {
            LogReason::Command => "command",
            LogReason::Key => "key",
            LogReason::Channel => "channel",
            LogReason::Auth => "auth",
            LogReason::TlsCert => "tls-cert",
        }
    }
}

/// Where the denied call came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogContext {
    /// A normal command.
    Toplevel,
    /// Inside MULTI / at EXEC.
    Multi,
    /// From a script.
    Lua,
    /// From a module.
    Module,
}

impl LogContext {
    /// The `context` field text.
    pub fn as_str(self) -> &'static str {
        match self {
            LogContext::Toplevel => "toplevel",
            LogContext::Multi => "multi",
            LogContext::Lua => "lua",
            LogContext::Module => "module",
        }
    }
}

/// One ACL LOG entry, as `ACL LOG` reports it.
#[derive(Clone, Debug, PartialEq)]
pub struct LogEntry {
    /// How many events were merged into this entry.
    pub count: u64,
    /// Why.
    pub reason: LogReason,
    /// Where.
    pub context: LogContext,
    /// Command full name, key, channel, or (for auth) argv\[0\] as typed.
    pub object: Vec<u8>,
    /// The connection's user, or the attempted name for auth failures.
    pub username: Vec<u8>,
    /// Seconds since the last update of this entry.
    pub age_seconds: f64,
    /// The client's CLIENT LIST line at the last update.
    pub client_info: Vec<u8>,
}

struct Stored {
    count: u64,
    reason: LogReason,
    context: LogContext,
    object: Vec<u8>,
    username: Vec<u8>,
    updated_ms: u64,
    client_info: Vec<u8>,
}

/// The log itself; the newest entry is first.
pub(crate) struct AclLog {
    entries: VecDeque<Stored>,
    max_len: usize,
}

fn now_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0)
}

impl AclLog {
    pub(crate) fn new(max_len: usize) -> AclLog {
        AclLog { entries: VecDeque::new(), max_len }
    }

    /// A new limit. Like Redis, the entries already logged stay until the next new entry is
    /// added (`addACLLogEntry` trims only after adding).
    pub(crate) fn set_max_len(&mut self, n: usize) {
        self.max_len = n;
    }

    pub(crate) fn max_len(&self) -> usize {
        self.max_len
    }

    pub(crate) fn add(
        &mut self,
        reason: LogReason,
        context: LogContext,
        object: &[u8],
        username: &[u8],
        client_info: Vec<u8>,
    ) {
        let now = now_ms();
        let found = self.entries.iter().take(MATCH_SCAN).position(|e| {
            e.reason == reason
                && e.context == context
                && now.abs_diff(e.updated_ms) <= GROUPING_WINDOW_MS
                && e.object == object
                && e.username == username
        });
        if let Some(i) = found {
            let mut e = self.entries.remove(i).expect("index from position");
            e.count += 1;
            e.updated_ms = now;
            e.client_info = client_info;
            self.entries.push_front(e);
            return;
        }
        self.entries.push_front(Stored {
            count: 1,
            reason,
            context,
            object: object.to_vec(),
            username: username.to_vec(),
            updated_ms: now,
            client_info,
        });
        self.entries.truncate(self.max_len);
    }

    pub(crate) fn entries(&self, count: usize) -> Vec<LogEntry> {
        let now = now_ms();
        self.entries
            .iter()
            .take(count)
            .map(|e| LogEntry {
                count: e.count,
                reason: e.reason,
                context: e.context,
                object: e.object.clone(),
                username: e.username.clone(),
                age_seconds: now.saturating_sub(e.updated_ms) as f64 / 1000.0,
                client_info: e.client_info.clone(),
            })
            .collect()
    }

    pub(crate) fn reset(&mut self) {
        self.entries.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merging_and_trimming() {
        let mut log = AclLog::new(3);
        log.add(LogReason::Command, LogContext::Toplevel, b"get", b"u", b"c1".to_vec());
        log.add(LogReason::Key, LogContext::Toplevel, b"k", b"u", b"c2".to_vec());
        log.add(LogReason::Command, LogContext::Toplevel, b"get", b"u", b"c3".to_vec());
        let e = log.entries(10);
        assert_eq!(e.len(), 2);
        assert_eq!(e[0].count, 2);
        assert_eq!(e[0].client_info, b"c3");
        assert_eq!(e[1].object, b"k");
        for i in 0..5u8 {
            log.add(LogReason::Auth, LogContext::Toplevel, b"AUTH", &[b'a' + i], Vec::new());
        }
        assert_eq!(log.entries(10).len(), 3);
        log.set_max_len(1);
        assert_eq!(log.entries(10).len(), 3);
        // A merge does not trim either; a new entry does.
        log.add(LogReason::Auth, LogContext::Toplevel, b"AUTH", b"e", Vec::new());
        assert_eq!(log.entries(10).len(), 3);
        log.add(LogReason::Auth, LogContext::Toplevel, b"AUTH", b"z", Vec::new());
        assert_eq!(log.entries(10).len(), 1);
        log.reset();
        assert!(log.entries(10).is_empty());
    }
}
