//! The parse tree: values, the tokens that carry their position, and Go's printing of them
//! (option errors quote values with Go's `%v` and name Go types in recovered panics).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use indexmap::IndexMap;

/// A map of the config: keys in the order they first appeared (nats-server walks Go maps in
/// random order; file order is the one deterministic choice), a repeated key keeps its place
/// and takes the last value.
pub type Map = IndexMap<Vec<u8>, Node>;

/// A value with its token.
pub type Node = Arc<Token>;

/// A config value. Strings are bytes: `\xHH` escapes can make them anything.
#[derive(Clone, Debug)]
pub enum Value {
    /// A quoted, unquoted or block string (also IP-like values and strings that start with a
    /// digit).
    String(Vec<u8>),
    /// An integer, size suffixes applied.
    Integer(i64),
    /// A float.
    Float(f64),
    /// `true`/`false`/`yes`/`no`/`on`/`off` in any case, unquoted.
    Bool(bool),
    /// A Zulu datetime.
    Datetime(Datetime),
    /// A map.
    Map(Arc<Map>),
    /// An array.
    Array(Arc<Vec<Node>>),
}

/// A `YYYY-MM-DDTHH:MM:SSZ` datetime.
#[allow(missing_docs)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Datetime {
    pub year: u16,
    pub month: u8,
    pub day: u8,
    pub hour: u8,
    pub minute: u8,
    pub second: u8,
}

/// Where a value was written: the file as nats-server names it, the line, and the position
/// (of the key, for a map entry; of the value itself, for an array element).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Position {
    /// The source file, as the including file or the caller spelled it.
    pub file: Arc<str>,
    /// 1-based line.
    pub line: i64,
    /// nats-server's column: 0-based on line 1, 1-based on later lines.
    pub pos: i64,
}

impl std::fmt::Display for Position {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.pos)
    }
}

/// A value with its position (none for values re-parsed from the environment, which
/// nats-server parses without positions) and the "used as a variable" mark.
#[derive(Debug)]
pub struct Token {
    /// The value.
    pub value: Value,
    /// Where it was written.
    pub position: Option<Position>,
    used: AtomicBool,
}

impl Token {
    pub(crate) fn new(value: Value, position: Option<Position>) -> Token {
        Token { value, position, used: AtomicBool::new(false) }
    }

    /// Whether a `$NAME` reference used this value: such keys are not unknown fields.
    pub fn is_used_variable(&self) -> bool {
        self.used.load(Ordering::Relaxed)
    }

    pub(crate) fn mark_used(&self) {
        self.used.store(true, Ordering::Relaxed)
    }
}

impl Value {
    /// Go's dynamic type name, as a recovered type-assertion panic names it.
    pub fn go_type(&self) -> &'static str {
        match self {
            Value::String(_) => "string",
            Value::Integer(_) => "int64",
            Value::Float(_) => "float64",
            Value::Bool(_) => "bool",
            Value::Datetime(_) => "time.Time",
            Value::Map(_) => "map[string]interface {}",
            Value::Array(_) => "[]interface {}",
        }
    }

    /// The string bytes, if a string.
    pub fn as_bytes(&self) -> Option<&[u8]> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// Go's `%v` (and `%+v`, identical for these types) of the value. Map and array elements
    /// are token pointers in nats-server, printed as addresses: a fixed stand-in is printed.
    pub fn go_format(&self) -> String {
        match self {
            Value::String(s) => String::from_utf8_lossy(s).into_owned(),
            Value::Integer(i) => i.to_string(),
            Value::Float(f) => go_format_float(*f),
            Value::Bool(b) => b.to_string(),
            Value::Datetime(d) => format!(
                "{:04}-{:02}-{:02} {:02}:{:02}:{:02} +0000 UTC",
                d.year, d.month, d.day, d.hour, d.minute, d.second
            ),
            Value::Map(m) => {
                // Go prints maps with sorted keys.
                let mut keys: Vec<(String, &Node)> =
                    m.iter().map(|(k, v)| (String::from_utf8_lossy(k).into_owned(), v)).collect();
                keys.sort_by(|a, b| a.0.cmp(&b.0));
                let body: Vec<String> = keys.iter().map(|(k, v)| format!("{k}:{}", node_format(v))).collect();
                format!("map[{}]", body.join(" "))
            }
            Value::Array(a) => {
                let body: Vec<String> = a.iter().map(node_format).collect();
                format!("[{}]", body.join(" "))
            }
        }
    }
}

/// An element inside a map or array: a token pointer in nats-server (an address), or a bare
/// value when it came from the environment.
fn node_format(n: &Node) -> String {
    if n.position.is_some() {
        "0xc000010000".to_string()
    } else {
        n.value.go_format()
    }
}

/// Go's `%v` of a float64: shortest digits, `%e` form when the exponent is below -4 or at
/// least 21.
pub fn go_format_float(f: f64) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "+Inf".into() } else { "-Inf".into() };
    }
    if f == 0.0 {
        return if f.is_sign_negative() { "-0".into() } else { "0".into() };
    }
    let e = format!("{f:e}");
    let (mant, exp) = e.split_once('e').expect("exponent form");
    let exp: i32 = exp.parse().expect("exponent");
    if !(-4..21).contains(&exp) {
        let sign = if exp < 0 { '-' } else { '+' };
        return format!("{mant}e{sign}{:02}", exp.abs());
    }
    let s = format!("{f}");
    s
}

/// Go's `%q` (strconv.Quote) of bytes.
pub fn go_quote(s: &[u8]) -> String {
    let mut out = String::from("\"");
    let mut i = 0;
    while i < s.len() {
        let (r, w) = super::lexer::decode_rune(&s[i..]);
        if r == '\u{FFFD}' && w == 1 {
            out.push_str(&format!("\\x{:02x}", s[i]));
            i += 1;
            continue;
        }
        i += w;
        match r {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{b}' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => out.push_str(&format!("\\x{:02x}", c as u32)),
            c if is_go_printable(c) => out.push(c),
            c if (c as u32) < 0x10000 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push_str(&format!("\\U{:08x}", c as u32)),
        }
    }
    out.push('"');
    out
}

/// An approximation of Go's `unicode.IsPrint` beyond ASCII: not a control, format or
/// separator character other than U+0020.
fn is_go_printable(c: char) -> bool {
    if c.is_ascii() {
        return (' '..='~').contains(&c);
    }
    !(c.is_control() || c.is_whitespace() || matches!(c as u32, 0xAD | 0x200B..=0x200F | 0x2028..=0x202E | 0x2060..=0x2064 | 0xFEFF))
}
