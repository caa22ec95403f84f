//! The program's log: a `tracing` subscriber that writes every event as a Redis log line,
//! `pid:role dd Mon yyyy hh:mm:ss.mmm <level> message`, to standard output or a `logfile`.
//!
//! Redis has four levels and `tracing` five, so the server's events use them this way (the
//! one mapping, [`level_char`] and [`max_level`]):
//!
//! | tracing | Redis `loglevel` | char | used for |
//! |---|---|---|---|
//! | `trace!` | debug | `.` | periodic state |
//! | `debug!` | verbose | `-` | connections accepted and closed |
//! | `info!` | notice | `*` | listening, ready |
//! | `warn!`, `error!` | warning | `#` | startup, refused logins, ACL denials, fatal errors |
//!
//! The role is always `M` (a standalone master). Timestamps are civil UTC, computed from the
//! Unix epoch: the hosts this runs on keep UTC, and local-time conversion would need the C
//! library's time zone database.

use std::fmt::Write as _;
use std::fs::File;
use std::io::Write;
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use authgate::server::config::LogLevel;
use parking_lot::Mutex;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Level, Metadata, Subscriber};

/// Redis' level character for a `tracing` level.
pub fn level_char(level: Level) -> char {
    match level {
        Level::TRACE => '.',
        Level::DEBUG => '-',
        Level::INFO => '*',
        _ => '#',
    }
}

/// The most detailed `tracing` level written at a Redis `loglevel`.
pub fn max_level(level: LogLevel) -> Level {
    match level {
        LogLevel::Debug => Level::TRACE,
        LogLevel::Verbose => Level::DEBUG,
        LogLevel::Notice => Level::INFO,
        LogLevel::Warning => Level::WARN,
    }
}

/// Where the lines go.
enum Sink {
    Stdout,
    File(File),
}

/// The subscriber: a sink, writing at the process' level ([`LogLevel::current`], which CONFIG SET
/// loglevel changes). Spans are not used by the server, so they are accepted and ignored.
pub struct RedisLog {
    pid: u32,
    sink: Mutex<Sink>,
}

impl RedisLog {
    /// A log at `level` (made the process' level) appending to `logfile` (created if missing,
    /// as Redis does), or to standard output when `None`. Fails if the file cannot be opened.
    pub fn open(level: LogLevel, logfile: Option<&Path>) -> std::io::Result<RedisLog> {
        let sink = match logfile {
            Some(path) => Sink::File(File::options().append(true).create(true).open(path)?),
            None => Sink::Stdout,
        };
        level.make_current();
        Ok(RedisLog { pid: std::process::id(), sink: Mutex::new(sink) })
    }

    /// Makes this the process' subscriber. Only the first call in a process takes effect.
    pub fn install(self) {
        let _ = tracing::subscriber::set_global_default(self);
    }

    fn write_line(&self, line: &str) {
        // One write per line: lines from concurrent connections never interleave, and in
        // append mode each lands whole at the end of the file.
        let _ = match &mut *self.sink.lock() {
            Sink::Stdout => {
                let mut out = std::io::stdout().lock();
                out.write_all(line.as_bytes()).and_then(|()| out.flush())
            }
            Sink::File(f) => f.write_all(line.as_bytes()),
        };
    }
}

impl Subscriber for RedisLog {
    fn register_callsite(&self, meta: &'static Metadata<'static>) -> tracing::subscriber::Interest {
        if self.enabled(meta) {
            tracing::subscriber::Interest::always()
        } else {
            tracing::subscriber::Interest::never()
        }
    }

    fn enabled(&self, meta: &Metadata<'_>) -> bool {
        *meta.level() <= max_level(LogLevel::current())
    }

    fn max_level_hint(&self) -> Option<tracing::level_filters::LevelFilter> {
        Some(tracing::level_filters::LevelFilter::from_level(max_level(LogLevel::current())))
    }

    fn new_span(&self, _span: &Attributes<'_>) -> Id {
        Id::from_u64(1)
    }

    fn record(&self, _span: &Id, _values: &Record<'_>) {}

    fn record_follows_from(&self, _span: &Id, _follows: &Id) {}

    fn event(&self, event: &Event<'_>) {
        let mut text = Message::default();
        event.record(&mut text);
        let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
        let line = format_line(self.pid, now.as_millis(), *event.metadata().level(), &text.0);
        self.write_line(&line);
    }

    fn enter(&self, _span: &Id) {}

    fn exit(&self, _span: &Id) {}
}

/// Collects an event's message, then any other fields as ` name=value`.
#[derive(Default)]
struct Message(String);

impl Visit for Message {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.record_debug(field, &format_args!("{value}"));
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            let _ = write!(self.0, "{value:?}");
        } else {
            let _ = write!(self.0, " {}={value:?}", field.name());
        }
    }
}

const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/// One log line, newline included, for an event at `unix_ms` milliseconds since the epoch.
/// Control characters in `message` are escaped (`\n`, `\xNN`), so text a client chose (a
/// user name, a key) cannot forge a second line.
pub fn format_line(pid: u32, unix_ms: u128, level: Level, message: &str) -> String {
    let ms = (unix_ms % 1000) as u32;
    let secs = (unix_ms / 1000) as i64;
    let (year, month, day) = civil_from_days(secs.div_euclid(86_400));
    let t = secs.rem_euclid(86_400);
    let mut line = format!(
        "{pid}:M {day:02} {} {year:04} {:02}:{:02}:{:02}.{ms:03} {} ",
        MONTHS[month as usize - 1],
        t / 3600,
        t / 60 % 60,
        t % 60,
        level_char(level)
    );
    for c in message.chars() {
        match c {
            '\n' => line.push_str("\\n"),
            '\r' => line.push_str("\\r"),
            '\t' => line.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(line, "\\x{:02x}", c as u32);
            }
            c => line.push(c),
        }
    }
    line.push('\n');
    line
}

/// The proleptic Gregorian date of a day count from 1970-01-01 (Howard Hinnant's
/// `civil_from_days`): (year, month 1-12, day 1-31).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redis_line_format() {
        // 2024-03-12 10:15:42.123 UTC
        let line = format_line(4242, 1_710_238_542_123, Level::WARN, "Ready");
        assert_eq!(line, "4242:M 12 Mar 2024 10:15:42.123 # Ready\n");
        assert_eq!(format_line(1, 0, Level::TRACE, "x"), "1:M 01 Jan 1970 00:00:00.000 . x\n");
        // 2000-02-29 23:59:59.999 (a leap day in a year divisible by 400)
        assert_eq!(format_line(1, 951_868_799_999, Level::DEBUG, ""), "1:M 29 Feb 2000 23:59:59.999 - \n");
    }

    #[test]
    fn control_characters_cannot_start_a_line() {
        let line = format_line(1, 0, Level::INFO, "user 'a\n1:M 01 Jan 1970 00:00:00.000 # forged\x01'");
        assert_eq!(line.matches('\n').count(), 1);
        assert!(line.ends_with("user 'a\\n1:M 01 Jan 1970 00:00:00.000 # forged\\x01'\n"), "{line}");
    }

    #[test]
    fn levels_map_like_redis() {
        let chars: Vec<char> = [Level::TRACE, Level::DEBUG, Level::INFO, Level::WARN, Level::ERROR]
            .into_iter()
            .map(level_char)
            .collect();
        assert_eq!(chars, ['.', '-', '*', '#', '#']);
        let max: Vec<Level> = LogLevel::ALL.into_iter().map(max_level).collect();
        assert_eq!(max, [Level::TRACE, Level::DEBUG, Level::INFO, Level::WARN]);
    }
}
