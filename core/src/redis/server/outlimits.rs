//! `client-output-buffer-limit`: how much unsent output a client may hold before the server
//! drops it, per client class, with Redis 7.0.15's syntax, defaults, error texts and rule.
//!
//! A class has a hard limit (reached: the client is closed at once) and a soft limit with a
//! duration (the client is closed once it has stayed at or over the soft limit for more than
//! that many seconds, judged, as in Redis, when more output is added). 0 disables a limit.
//! The `slave` class is kept and shown for CONFIG GET's sake: this server has no replicas.

use std::sync::atomic::{AtomicI64, Ordering};

/// The limits of one client class (bytes, bytes, seconds).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BufferLimit {
    /// Output at or above this closes the client (0: no hard limit).
    pub hard: u64,
    /// Output at or above this for more than `soft_seconds` closes the client (0: none).
    pub soft: u64,
    /// How long a client may stay at or over the soft limit.
    pub soft_seconds: u64,
}

/// The classes CONFIG SET names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientClass {
    /// Every client that is neither a subscriber nor a replica.
    Normal,
    /// Replicas (`slave` or `replica`); none connect to this server.
    Replica,
    /// Clients with at least one subscription.
    Pubsub,
}

/// The whole `client-output-buffer-limit` setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutputBufferLimits {
    /// `normal`, default `0 0 0` (unlimited).
    pub normal: BufferLimit,
    /// `slave`, default `256mb 64mb 60`.
    pub replica: BufferLimit,
    /// `pubsub`, default `32mb 8mb 60`.
    pub pubsub: BufferLimit,
}

const MB: u64 = 1024 * 1024;

impl Default for OutputBufferLimits {
    fn default() -> Self {
        OutputBufferLimits {
            normal: BufferLimit { hard: 0, soft: 0, soft_seconds: 0 },
            replica: BufferLimit { hard: 256 * MB, soft: 64 * MB, soft_seconds: 60 },
            pubsub: BufferLimit { hard: 32 * MB, soft: 8 * MB, soft_seconds: 60 },
        }
    }
}

/// Redis' texts for a rejected value.
const WRONG_ARGS: &str = "Wrong number of arguments in buffer limit configuration.";
const BAD_CLASS: &str = "Invalid client class specified in buffer limit configuration.";
const BAD_NUMBER: &str = "Error in hard, soft or soft_seconds setting in buffer limit configuration.";

impl OutputBufferLimits {
    /// The limits of `class`.
    pub fn get(&self, class: ClientClass) -> BufferLimit {
        match class {
            ClientClass::Normal => self.normal,
            ClientClass::Replica => self.replica,
            ClientClass::Pubsub => self.pubsub,
        }
    }

    fn slot(&mut self, class: ClientClass) -> &mut BufferLimit {
        match class {
            ClientClass::Normal => &mut self.normal,
            ClientClass::Replica => &mut self.replica,
            ClientClass::Pubsub => &mut self.pubsub,
        }
    }

    /// Applies a value such as `pubsub 32mb 8mb 60 normal 0 0 0`: groups of four words split on
    /// single spaces, as Redis splits it (so two spaces make an empty word and a wrong count).
    /// Every group is checked before any is applied; classes not named keep their limits. The
    /// error is Redis' text.
    pub fn apply(&mut self, value: &[u8]) -> Result<(), String> {
        let words: Vec<&[u8]> = if value.is_empty() { Vec::new() } else { value.split(|&b| b == b' ').collect() };
        if words.len() % 4 != 0 {
            return Err(WRONG_ARGS.into());
        }
        let mut parsed = Vec::with_capacity(words.len() / 4);
        for group in words.chunks(4) {
            let class = class_by_name(group[0]).ok_or(BAD_CLASS)?;
            let hard = mem_to_u64(group[1]).ok_or(BAD_NUMBER)?;
            let soft = mem_to_u64(group[2]).ok_or(BAD_NUMBER)?;
            let seconds = crate::redis::resp::number::parse_i64(group[3])
                .and_then(|n| u64::try_from(n).ok())
                .ok_or(BAD_NUMBER)?;
            parsed.push((class, BufferLimit { hard, soft, soft_seconds: seconds }));
        }
        for (class, limit) in parsed {
            *self.slot(class) = limit;
        }
        Ok(())
    }

    /// The CONFIG GET form: `normal H S T slave H S T pubsub H S T`, in bytes.
    pub fn render(&self) -> String {
        [("normal", self.normal), ("slave", self.replica), ("pubsub", self.pubsub)]
            .iter()
            .map(|(name, l)| format!("{name} {} {} {}", l.hard, l.soft, l.soft_seconds))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// Redis' `getClientTypeByName`, without `master` (which CONFIG SET refuses).
fn class_by_name(name: &[u8]) -> Option<ClientClass> {
    let lower = name.to_ascii_lowercase();
    match lower.as_slice() {
        b"normal" => Some(ClientClass::Normal),
        b"slave" | b"replica" => Some(ClientClass::Replica),
        b"pubsub" => Some(ClientClass::Pubsub),
        _ => None,
    }
}

/// Redis' `memtoull`: digits, then an optional unit (`b`, `k`=1000, `kb`=1024, `m`, `mb`,
/// `g`, `gb`, any case). As in Redis, no digits read as 0, a number too big for 64 bits
/// saturates (strtoull) and the multiplication wraps; a sign or any other suffix is an error.
pub(crate) fn mem_to_u64(text: &[u8]) -> Option<u64> {
    let digits = text.iter().take_while(|b| b.is_ascii_digit()).count();
    let unit = text[digits..].to_ascii_lowercase();
    let mul: u64 = match unit.as_slice() {
        b"" | b"b" => 1,
        b"k" => 1000,
        b"kb" => 1024,
        b"m" => 1000 * 1000,
        b"mb" => 1024 * 1024,
        b"g" => 1000 * 1000 * 1000,
        b"gb" => 1024 * 1024 * 1024,
        _ => return None,
    };
    // Redis copies the digits into a 128-byte buffer first and refuses longer ones.
    if digits >= 128 {
        return None;
    }
    let mut value: u64 = 0;
    for &d in &text[..digits] {
        value = value.saturating_mul(10).saturating_add(u64::from(d - b'0'));
    }
    Some(value.wrapping_mul(mul))
}

/// When a client first reached its soft limit (Unix seconds, 0: it is under it): Redis'
/// `obuf_soft_limit_reached_time`, shared by the connection and the publishers that queue
/// messages for it.
#[derive(Debug, Default)]
pub(crate) struct SoftLimitClock(AtomicI64);

impl SoftLimitClock {
    /// Redis' `checkClientOutputBufferLimits`: true if `used` bytes break `limit` at
    /// `now_secs`. The first time the soft limit is reached only starts the clock; staying at
    /// or over it for more than `soft_seconds` breaks it; dropping under it resets the clock.
    pub fn exceeded(&self, limit: &BufferLimit, used: u64, now_secs: i64) -> bool {
        let hard = limit.hard != 0 && used >= limit.hard;
        let mut soft = limit.soft != 0 && used >= limit.soft;
        if soft {
            let since = self.0.load(Ordering::Acquire);
            if since == 0 {
                self.0.store(now_secs.max(1), Ordering::Release);
                soft = false;
            } else if now_secs - since <= limit.soft_seconds as i64 {
                soft = false;
            }
        } else {
            self.0.store(0, Ordering::Release);
        }
        hard || soft
    }
}

/// Redis' `CLIENTS_PEAK_MEM_USAGE_SLOTS`: INFO's `client_recent_max_*_buffer` are the largest
/// client buffers seen in the last 8 seconds.
const PEAK_SLOTS: usize = 8;

/// The largest value recorded in each of the last [`PEAK_SLOTS`] seconds (INFO's
/// `client_recent_max_input_buffer` / `client_recent_max_output_buffer`). Connections record
/// a buffer when it grows (a partial request waiting, output the socket has not taken), which
/// is where Redis' once-a-second sampling would find its peak.
#[derive(Debug, Default)]
pub(crate) struct RecentPeak(parking_lot::Mutex<[(i64, usize); PEAK_SLOTS]>);

impl RecentPeak {
    /// Records `bytes` at `now_secs`.
    pub fn record(&self, bytes: usize, now_secs: i64) {
        let mut slots = self.0.lock();
        let slot = &mut slots[now_secs.rem_euclid(PEAK_SLOTS as i64) as usize];
        if slot.0 != now_secs {
            *slot = (now_secs, bytes);
        } else {
            slot.1 = slot.1.max(bytes);
        }
    }

    /// The largest value recorded in the last 8 seconds.
    pub fn max(&self, now_secs: i64) -> usize {
        let slots = self.0.lock();
        slots.iter().filter(|(at, _)| now_secs - at < PEAK_SLOTS as i64).map(|&(_, b)| b).max().unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn applied(v: &str) -> Result<String, String> {
        let mut l = OutputBufferLimits::default();
        l.apply(v.as_bytes()).map(|()| l.render())
    }

    #[test]
    fn defaults_render_like_redis() {
        assert_eq!(
            OutputBufferLimits::default().render(),
            "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60"
        );
    }

    /// Each case was run through CONFIG SET on redis-server 7.0.15 (from the defaults).
    #[test]
    fn values_parse_like_redis_7_0_15() {
        let ok = [
            ("normal 1mb 512kb 10", "normal 1048576 524288 10 slave 268435456 67108864 60 pubsub 33554432 8388608 60"),
            ("normal 1KB 2K 3", "normal 1024 2000 3 slave 268435456 67108864 60 pubsub 33554432 8388608 60"),
            ("Pubsub 1g 1G 1", "normal 0 0 0 slave 268435456 67108864 60 pubsub 1000000000 1000000000 1"),
            ("replica 1gb 2gb 3", "normal 0 0 0 slave 1073741824 2147483648 3 pubsub 33554432 8388608 60"),
            ("normal mb 0 0", "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60"),
            ("normal 18446744073709551616 0 0", "normal 18446744073709551615 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60"),
            ("normal 17179869184gb 0 0", "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60"),
            ("normal 1b 2B 3", "normal 1 2 3 slave 268435456 67108864 60 pubsub 33554432 8388608 60"),
            ("slave 0 0 0 pubsub 32mb 8mb 60 normal 0 0 0", "normal 0 0 0 slave 0 0 0 pubsub 33554432 8388608 60"),
            ("", "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60"),
        ];
        for (v, want) in ok {
            assert_eq!(applied(v).as_deref(), Ok(want), "{v:?}");
        }
        let bad = [
            ("pubsub 1mb", WRONG_ARGS),
            ("normal  1  2  3", WRONG_ARGS),
            ("normal 1 2 3 pubsub", WRONG_ARGS),
            ("foo 1 2 3", BAD_CLASS),
            ("master 1 2 3", BAD_CLASS),
            ("normal 1x 2 3", BAD_NUMBER),
            ("normal 1 2 -3", BAD_NUMBER),
            ("normal 1 2 abc", BAD_NUMBER),
            ("normal 1 2 3x", BAD_NUMBER),
            ("normal +1 2 3", BAD_NUMBER),
            ("normal 1 2 99999999999999999999", BAD_NUMBER),
        ];
        for (v, why) in bad {
            assert_eq!(applied(v), Err(why.to_string()), "{v:?}");
        }
        // A refused value changes nothing, even a valid group before the bad one.
        let mut l = OutputBufferLimits::default();
        assert!(l.apply(b"normal 1 2 3 foo 1 2 3").is_err());
        assert_eq!(l, OutputBufferLimits::default());
    }

    #[test]
    fn recent_peak_forgets_after_eight_seconds() {
        let peak = RecentPeak::default();
        peak.record(100, 1000);
        peak.record(50, 1000);
        peak.record(70, 1003);
        assert_eq!(peak.max(1003), 100);
        assert_eq!(peak.max(1007), 100);
        assert_eq!(peak.max(1008), 70);
        assert_eq!(peak.max(1011), 0);
    }

    #[test]
    fn hard_limit_at_once_soft_limit_after_its_seconds() {
        let limit = BufferLimit { hard: 100, soft: 10, soft_seconds: 2 };
        let clock = SoftLimitClock::default();
        assert!(clock.exceeded(&limit, 100, 1000), "hard limit reached");
        let clock = SoftLimitClock::default();
        assert!(!clock.exceeded(&limit, 10, 1000), "first time over soft starts the clock");
        assert!(!clock.exceeded(&limit, 50, 1002), "2 s is not more than 2 s");
        assert!(clock.exceeded(&limit, 50, 1003));
        let clock = SoftLimitClock::default();
        assert!(!clock.exceeded(&limit, 10, 1000));
        assert!(!clock.exceeded(&limit, 9, 1001), "under the soft limit resets the clock");
        assert!(!clock.exceeded(&limit, 10, 1005));
        assert!(!clock.exceeded(&BufferLimit { hard: 0, soft: 0, soft_seconds: 0 }, u64::MAX, 1));
    }
}
