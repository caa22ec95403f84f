//! `authgate::nats::conf`: the nats-server configuration language, as nats-server 2.9.10
//! parses it (`-c FILE`, the pedantic mode that keeps positions).
//!
//! - separators `=`, `:` or whitespace; `#` and `//` comments; quoted, unquoted and block
//!   strings; numbers with size suffixes (`1k` = 1000, `1kb`/`1ki`/`1kib` = 1024, up to `e`);
//!   booleans (`true`/`yes`/`on`, `false`/`no`/`off`, any case); Zulu datetimes; arrays; maps;
//! - `$NAME` variables: the enclosing maps (keys defined above), then the environment,
//!   re-parsed as a value; an unquoted `$2a$...` is the literal bcrypt hash;
//! - `include PATH` relative to the including file, merged into the current map;
//! - nats-server's exact error texts (`Parse error on line 3: '...'`).
//!
//! Bounded: [`Limits`] caps the total size, the nesting depth, the include depth and the
//! re-parsing of environment values; exceeding one is an error.

mod error;
mod lexer;
mod parser;
mod path;
mod value;

pub use error::ConfError;
pub use value::{go_format_float, go_quote, Datetime, Map, Node, Position, Token, Value};

pub(crate) use error::go_io_error;

/// Bounds on what a config may make the parser do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Bytes of config text in total, over the file and everything it includes.
    pub max_bytes: usize,
    /// Maps and arrays nested inside each other.
    pub max_depth: usize,
    /// Files included inside each other (nats-server recurses until it crashes).
    pub max_include_depth: usize,
    /// Environment values whose re-parsing refers to further environment values.
    pub max_env_depth: usize,
}

/// 64 MiB, 128 levels, 16 includes deep, 8 environment re-parses deep.
pub const DEFAULT_LIMITS: Limits =
    Limits { max_bytes: 64 << 20, max_depth: 128, max_include_depth: 16, max_env_depth: 8 };

impl Default for Limits {
    fn default() -> Limits {
        DEFAULT_LIMITS
    }
}

/// Parses a config file as `nats-server -c PATH` does: positions name `path` as written, and
/// includes are relative to its directory.
pub fn parse_file(path: &str, limits: &Limits) -> Result<Map, ConfError> {
    let data = parser::read_file(path, limits).map_err(ConfError::new)?;
    parse_bytes(&data, path, limits)
}

/// Parses config text. `file` is the name positions carry (nats-server's file argument) and
/// includes are relative to its directory (`.` for a bare name or an empty one).
pub fn parse_bytes(data: &[u8], file: &str, limits: &Limits) -> Result<Map, ConfError> {
    let mut shared = parser::Shared { limits, total_bytes: 0, env_depth: 0 };
    parser::parse(data, file, true, 0, None, &mut shared)
}

/// [`parse_bytes`] with includes relative to `base_dir` instead of `file`'s directory.
pub fn parse_bytes_in(data: &[u8], file: &str, base_dir: &str, limits: &Limits) -> Result<Map, ConfError> {
    let mut shared = parser::Shared { limits, total_bytes: 0, env_depth: 0 };
    parser::parse(data, file, true, 0, Some(base_dir), &mut shared)
}
