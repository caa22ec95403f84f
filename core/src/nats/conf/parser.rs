//! The parser: nats-server 2.9.10's `conf/parse.go` over the lexer's items. A stack of map
//! and array contexts, a stack of pending keys (and their items, for positions), variables
//! looked up in the enclosing maps and then in the environment, and `include` merged into the
//! current map. Bounded where nats-server is not: nesting depth, include depth, total size and
//! environment re-parsing depth are limited and an excess is an error.

use std::io::Read;
use std::sync::Arc;

use super::error::{go_io_error, ConfError};
use super::lexer::{is_digit, Item, ItemType, Lexer};
use super::path;
use super::value::{Datetime, Map, Node, Position, Token, Value};
use super::Limits;

/// A value under construction: nats-server's `ctx` stack holds maps and arrays.
enum Ctx {
    Map(Map),
    Array(Vec<Node>),
}

/// State shared by a document and the documents it includes.
pub(crate) struct Shared<'l> {
    pub limits: &'l Limits,
    /// Bytes read so far, over every included file.
    pub total_bytes: usize,
    /// How many env values are being re-parsed inside each other.
    pub env_depth: usize,
}

/// The bcrypt special case: an unquoted `$2a$...` is the literal text, not a variable.
const BCRYPT_PREFIX: &[u8] = b"2a$";
/// The key nats-server parses an environment value under.
const PKEY: &[u8] = b"pk";

struct Parser<'a, 's, 'l> {
    lx: Lexer<'a>,
    ctxs: Vec<Ctx>,
    keys: Vec<Vec<u8>>,
    ikeys: Vec<Item>,
    /// The directory includes are relative to (Go's `filepath.Dir(fp)`).
    dir: String,
    /// The file name tokens carry.
    file: Arc<str>,
    pedantic: bool,
    include_depth: usize,
    shared: &'s mut Shared<'l>,
}

/// Parses one document. `file` is the name positions carry and includes are relative to.
pub(crate) fn parse(
    data: &[u8],
    file: &str,
    pedantic: bool,
    include_depth: usize,
    base_dir: Option<&str>,
    shared: &mut Shared<'_>,
) -> Result<Map, ConfError> {
    shared.total_bytes += data.len();
    if shared.total_bytes > shared.limits.max_bytes {
        return Err(ConfError::new(format!(
            "configuration is larger than the limit of {} bytes",
            shared.limits.max_bytes
        )));
    }
    let mut p = Parser {
        lx: Lexer::new(data),
        ctxs: vec![Ctx::Map(Map::new())],
        keys: Vec::new(),
        ikeys: Vec::new(),
        dir: base_dir.map_or_else(|| path::dir(file), str::to_string),
        file: Arc::from(file),
        pedantic,
        include_depth,
        shared,
    };
    loop {
        let it = p.lx.next_item();
        if it.typ == ItemType::Eof {
            break;
        }
        p.process_item(it)?;
    }
    match p.ctxs.pop() {
        Some(Ctx::Map(m)) if p.ctxs.is_empty() => Ok(m),
        // Items always balance (the lexer errors before an unbalanced end), so the top map is
        // the only context left; anything else is a lexer bug surfaced as an error.
        _ => Err(ConfError::new("BUG in parser, context stack not balanced")),
    }
}

/// Reads a file as nats-server's `ioutil.ReadFile` does, with Go's error text.
pub(crate) fn read_file(path: &str, limits: &Limits) -> Result<Vec<u8>, String> {
    let mut f = std::fs::File::open(path).map_err(|e| go_io_error("open", path, &e))?;
    let mut data = Vec::new();
    // One byte past the limit is enough to know the file is too large.
    (&mut f)
        .take(limits.max_bytes as u64 + 1)
        .read_to_end(&mut data)
        .map_err(|e| go_io_error("read", path, &e))?;
    if data.len() > limits.max_bytes {
        return Err(format!("configuration is larger than the limit of {} bytes", limits.max_bytes));
    }
    Ok(data)
}

impl Parser<'_, '_, '_> {
    fn position(&self, it: &Item) -> Option<Position> {
        self.pedantic.then(|| Position { file: self.file.clone(), line: it.line, pos: it.pos })
    }

    fn push_context(&mut self, ctx: Ctx) -> Result<(), ConfError> {
        if self.ctxs.len() > self.shared.limits.max_depth {
            return Err(ConfError::new(format!(
                "configuration nests maps and arrays deeper than the limit of {}",
                self.shared.limits.max_depth
            )));
        }
        self.ctxs.push(ctx);
        Ok(())
    }

    fn process_item(&mut self, it: Item) -> Result<(), ConfError> {
        match it.typ {
            ItemType::Error => Err(ConfError::new(format!(
                "Parse error on line {}: '{}'",
                it.line,
                String::from_utf8_lossy(&it.val)
            ))),
            ItemType::Key => {
                self.keys.push(it.val.clone());
                if self.pedantic {
                    self.ikeys.push(it);
                }
                Ok(())
            }
            ItemType::MapStart => self.push_context(Ctx::Map(Map::new())),
            ItemType::MapEnd => {
                let v = match self.pop_context()? {
                    Ctx::Map(m) => Value::Map(Arc::new(m)),
                    Ctx::Array(a) => Value::Array(Arc::new(a)),
                };
                self.set_new(&it, v)
            }
            ItemType::ArrayStart => self.push_context(Ctx::Array(Vec::new())),
            ItemType::ArrayEnd => {
                let v = match self.pop_context()? {
                    Ctx::Map(m) => Value::Map(Arc::new(m)),
                    Ctx::Array(a) => Value::Array(Arc::new(a)),
                };
                self.set_new(&it, v)
            }
            ItemType::String => self.set_new(&it, Value::String(it.val.clone())),
            ItemType::Integer => self.integer(&it),
            ItemType::Float => {
                let text = String::from_utf8_lossy(&it.val);
                match text.parse::<f64>() {
                    Ok(f) if f.is_infinite() => {
                        Err(ConfError::new(format!("float '{text}' is out of the range")))
                    }
                    Ok(f) => self.set_new(&it, Value::Float(f)),
                    Err(_) => Err(ConfError::new(format!("expected float, but got '{text}'"))),
                }
            }
            ItemType::Bool => {
                let l = String::from_utf8_lossy(&it.val).to_lowercase();
                let b = match l.as_str() {
                    "true" | "yes" | "on" => true,
                    "false" | "no" | "off" => false,
                    _ => {
                        return Err(ConfError::new(format!(
                            "expected boolean value, but got '{}'",
                            String::from_utf8_lossy(&it.val)
                        )))
                    }
                };
                self.set_new(&it, Value::Bool(b))
            }
            ItemType::Datetime => match parse_zulu(&it.val) {
                Some(d) => self.set_new(&it, Value::Datetime(d)),
                None => Err(ConfError::new(format!(
                    "expected Zulu formatted DateTime, but got '{}'",
                    String::from_utf8_lossy(&it.val)
                ))),
            },
            ItemType::Variable => self.variable(&it),
            ItemType::Include => self.include(&it),
            ItemType::Text | ItemType::CommentStart | ItemType::Eof => Ok(()),
        }
    }

    fn pop_context(&mut self) -> Result<Ctx, ConfError> {
        if self.ctxs.len() <= 1 {
            return Err(ConfError::new("BUG in parser, context stack empty"));
        }
        Ok(self.ctxs.pop().expect("checked above"))
    }

    fn integer(&mut self, it: &Item) -> Result<(), ConfError> {
        let text = String::from_utf8_lossy(&it.val).into_owned();
        // Go counts runes but slices bytes with the count.
        let runes = text.chars().take_while(|&c| is_digit(c) || c == '-').count();
        let cut = runes.min(it.val.len());
        let num_str = &it.val[..cut];
        let num = match parse_go_int(num_str) {
            Ok(n) => n,
            Err(IntError::Range) => {
                return Err(ConfError::new(format!("integer '{text}' is out of the range")))
            }
            Err(IntError::Syntax) => {
                return Err(ConfError::new(format!("expected integer, but got '{text}'")))
            }
        };
        let suffix = String::from_utf8_lossy(&it.val[cut..]).trim().to_lowercase();
        let mult: i64 = match suffix.as_str() {
            "" => 1,
            "k" => 1000,
            "kb" | "ki" | "kib" => 1 << 10,
            "m" => 1000 * 1000,
            "mb" | "mi" | "mib" => 1 << 20,
            "g" => 1000 * 1000 * 1000,
            "gb" | "gi" | "gib" => 1 << 30,
            "t" => 1000i64.pow(4),
            "tb" | "ti" | "tib" => 1 << 40,
            "p" => 1000i64.pow(5),
            "pb" | "pi" | "pib" => 1 << 50,
            "e" => 1000i64.pow(6),
            "eb" | "ei" | "eib" => 1 << 60,
            // nats-server sets no value for any other suffix (`1kbb`): the key stays pending.
            _ => return Ok(()),
        };
        // Go's int64 multiplication wraps.
        self.set_new(it, Value::Integer(num.wrapping_mul(mult)))
    }

    fn variable(&mut self, it: &Item) -> Result<(), ConfError> {
        let name = String::from_utf8_lossy(&it.val).into_owned();
        let found = match self.lookup_variable(&it.val) {
            Ok(f) => f,
            Err(e) => {
                return Err(ConfError::new(format!(
                    "variable reference for '{name}' on line {} could not be parsed: {e}",
                    it.line
                )))
            }
        };
        let Some(node) = found else {
            return Err(ConfError::new(format!(
                "variable reference for '{name}' on line {} can not be found",
                it.line
            )));
        };
        if self.pedantic {
            if node.position.is_some() {
                node.mark_used();
            }
            self.set_new(it, node.value.clone())
        } else {
            self.set_node(node)
        }
    }

    /// lookupVariable: the bcrypt special case, then the enclosing maps innermost first
    /// (arrays skipped), then the environment re-parsed as `pk=<value>`.
    fn lookup_variable(&mut self, name: &[u8]) -> Result<Option<Node>, ConfError> {
        if name.starts_with(BCRYPT_PREFIX) {
            let mut s = b"$".to_vec();
            s.extend_from_slice(name);
            return Ok(Some(Arc::new(Token::new(Value::String(s), None))));
        }
        for ctx in self.ctxs.iter().rev() {
            if let Ctx::Map(m) = ctx {
                if let Some(v) = m.get(name) {
                    return Ok(Some(v.clone()));
                }
            }
        }
        let Some(env) = std::str::from_utf8(name).ok().and_then(std::env::var_os) else {
            return Ok(None);
        };
        if self.shared.env_depth >= self.shared.limits.max_env_depth {
            return Err(ConfError::new(format!(
                "variable reference cycle for '{}'",
                String::from_utf8_lossy(name)
            )));
        }
        let mut text = PKEY.to_vec();
        text.push(b'=');
        text.extend_from_slice(env.as_encoded_bytes());
        self.shared.env_depth += 1;
        let parsed = parse(&text, "", false, self.include_depth, None, self.shared);
        self.shared.env_depth -= 1;
        // The env text does not count toward the config's size.
        self.shared.total_bytes -= text.len().min(self.shared.total_bytes);
        let m = parsed?;
        Ok(m.get(PKEY).cloned())
    }

    fn include(&mut self, it: &Item) -> Result<(), ConfError> {
        let name = String::from_utf8_lossy(&it.val).into_owned();
        let wrap = |e: String| ConfError::new(format!("error parsing include file '{name}', {e}"));
        if self.include_depth >= self.shared.limits.max_include_depth {
            return Err(wrap(format!(
                "includes nest deeper than the limit of {}",
                self.shared.limits.max_include_depth
            )));
        }
        let target = path::join(&self.dir, &name);
        let data = read_file(&target, self.shared.limits).map_err(wrap)?;
        let m = parse(&data, &target, self.pedantic, self.include_depth + 1, None, self.shared)
            .map_err(|e| wrap(e.message().to_string()))?;
        for (k, v) in m {
            self.keys.push(k);
            if self.pedantic {
                if let Some(p) = &v.position {
                    self.ikeys.push(Item { typ: ItemType::Key, val: Vec::new(), line: p.line, pos: p.pos });
                }
            }
            self.set_node(v)?;
        }
        Ok(())
    }

    /// setValue with a new token for `it`.
    fn set_new(&mut self, it: &Item, v: Value) -> Result<(), ConfError> {
        let position = self.position(it);
        self.set_value(Token::new(v, position))
    }

    fn set_node(&mut self, node: Node) -> Result<(), ConfError> {
        // An existing token keeps its own position (nats-server resets it to the item key it
        // pushed for it, which is its own).
        let is_map = matches!(self.ctxs.last(), Some(Ctx::Map(_)));
        if is_map && self.pedantic && node.position.is_some() {
            self.ikeys.pop();
        }
        self.store(node)
    }

    /// setValue: append to an array, or set the pending key of a map (moving the token's
    /// position to the key's, which is what errors report).
    fn set_value(&mut self, mut tok: Token) -> Result<(), ConfError> {
        if matches!(self.ctxs.last(), Some(Ctx::Map(_))) && self.pedantic && tok.position.is_some() {
            if let (Some(ik), Some(p)) = (self.ikeys.pop(), tok.position.as_mut()) {
                p.pos = ik.pos;
                p.line = ik.line;
            }
        }
        self.store(Arc::new(tok))
    }

    fn store(&mut self, node: Node) -> Result<(), ConfError> {
        match self.ctxs.last_mut() {
            Some(Ctx::Array(a)) => {
                a.push(node);
                Ok(())
            }
            Some(Ctx::Map(m)) => {
                let Some(key) = self.keys.pop() else {
                    return Err(ConfError::new("BUG in parser, keys stack empty"));
                };
                m.insert(key, node);
                Ok(())
            }
            None => Err(ConfError::new("BUG in parser, context stack empty")),
        }
    }
}

enum IntError {
    Syntax,
    Range,
}

/// strconv.ParseInt(s, 10, 64).
fn parse_go_int(s: &[u8]) -> Result<i64, IntError> {
    let (neg, digits) = match s.first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return Err(IntError::Syntax);
    }
    let mut n: i128 = 0;
    for &d in digits {
        n = n * 10 + i128::from(d - b'0');
        if n > i128::from(i64::MAX) + 1 {
            return Err(IntError::Range);
        }
    }
    let n = if neg { -n } else { n };
    i64::try_from(n).map_err(|_| IntError::Range)
}

/// time.Parse("2006-01-02T15:04:05Z", s): ASCII digits and in-range fields only.
fn parse_zulu(s: &[u8]) -> Option<Datetime> {
    if s.len() != 20 {
        return None;
    }
    let num = |a: usize, b: usize| -> Option<u32> {
        let t = &s[a..b];
        if !t.iter().all(u8::is_ascii_digit) {
            return None;
        }
        std::str::from_utf8(t).ok()?.parse().ok()
    };
    let (year, month, day) = (num(0, 4)?, num(5, 7)?, num(8, 10)?);
    let (hour, minute, second) = (num(11, 13)?, num(14, 16)?, num(17, 19)?);
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    if day < 1 || day > days || hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    Some(Datetime {
        year: year as u16,
        month: month as u8,
        day: day as u8,
        hour: hour as u8,
        minute: minute as u8,
        second: second as u8,
    })
}
