//! The lexer of the nats-server configuration language: a state machine that mirrors
//! nats-server 2.9.10's `conf/lex.go` state for state, because the accepted language, the
//! error texts and the reported positions all fall out of that machine's exact steps (its
//! quirks included: `]` does not end a number, a `'` ends an unquoted string, a brace touching
//! a key belongs to the key, `lstart` is not restored by `backup`).
//!
//! It works on bytes and decodes UTF-8 as Go does: an invalid byte is U+FFFD of width 1, and a
//! NUL byte is the same rune as end of input.
//!
//! The states are split by what they read: `keys` (the top level, keys and `include`) and
//! `values` (values, arrays, maps, strings, numbers and dates).

use std::collections::VecDeque;

/// What an [`Item`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ItemType {
    Error,
    Eof,
    Key,
    Text,
    String,
    Bool,
    Integer,
    Float,
    Datetime,
    ArrayStart,
    ArrayEnd,
    MapStart,
    MapEnd,
    CommentStart,
    Variable,
    Include,
}

/// One lexeme: its type, its text (escapes already applied), its line and its position in
/// that line as nats-server computes it (0-based on line 1, 1-based after a newline).
#[derive(Clone, Debug)]
pub(crate) struct Item {
    pub typ: ItemType,
    pub val: Vec<u8>,
    pub line: i64,
    pub pos: i64,
}

/// The end-of-input rune (Go's `eof = 0`; a NUL byte reads as the same rune).
const EOF: char = '\0';

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    Top,
    TopValueEnd,
    KeyStart,
    DubQuotedKey,
    QuotedKey,
    Key,
    KeyEnd,
    Value,
    ArrayValue,
    ArrayValueEnd,
    ArrayEnd,
    MapKeyStart,
    MapQuotedKey,
    MapDubQuotedKey,
    MapKey,
    MapKeyEnd,
    MapValue,
    MapValueEnd,
    MapEnd,
    QuotedString,
    DubQuotedString,
    String,
    Block,
    StringEscape,
    StringBinary,
    NumberOrDateOrIpStart,
    NumberOrDateOrIp,
    ConvenientNumber,
    DateAfterYear,
    NegNumberStart,
    NegNumber,
    FloatStart,
    Float,
    IpAddr,
    CommentStart,
    Comment,
    IncludeStart,
    IncludeQuotedString,
    IncludeDubQuotedString,
    IncludeString,
    Include,
}

/// The lexer over one document.
pub(crate) struct Lexer<'a> {
    input: &'a [u8],
    start: usize,
    pos: usize,
    width: usize,
    line: i64,
    state: Option<State>,
    items: VecDeque<Item>,
    stack: Vec<State>,
    string_parts: Vec<u8>,
    has_parts: bool,
    string_state: State,
    lstart: usize,
    ilstart: usize,
}

impl<'a> Lexer<'a> {
    /// A lexer at the start of `input`.
    pub(crate) fn new(input: &'a [u8]) -> Lexer<'a> {
        Lexer {
            input,
            start: 0,
            pos: 0,
            width: 0,
            line: 1,
            state: Some(State::Top),
            items: VecDeque::new(),
            stack: Vec::new(),
            string_parts: Vec::new(),
            has_parts: false,
            string_state: State::String,
            lstart: 0,
            ilstart: 0,
        }
    }

    /// The next item; after an error or the end of input it keeps returning an end item.
    pub(crate) fn next_item(&mut self) -> Item {
        loop {
            if let Some(item) = self.items.pop_front() {
                return item;
            }
            match self.state {
                Some(s) => self.state = self.step(s),
                None => return Item { typ: ItemType::Eof, val: Vec::new(), line: self.line, pos: 0 },
            }
        }
    }

    fn push(&mut self, s: State) {
        self.stack.push(s);
    }

    fn pop(&mut self) -> Option<State> {
        match self.stack.pop() {
            Some(s) => Some(s),
            None => self.errorf("BUG in lexer: no states to pop.".to_string()),
        }
    }

    fn current(&self) -> Vec<u8> {
        let mut v = Vec::with_capacity(self.string_parts.len() + self.pos - self.start);
        v.extend_from_slice(&self.string_parts);
        v.extend_from_slice(&self.input[self.start..self.pos]);
        v
    }

    fn push_item(&mut self, typ: ItemType, val: Vec<u8>) {
        // Go computes `lx.pos - lx.ilstart - len(val)` in ints: it can be negative.
        let pos = self.pos as i64 - self.ilstart as i64 - val.len() as i64;
        self.items.push_back(Item { typ, val, line: self.line, pos });
        self.start = self.pos;
        self.ilstart = self.lstart;
    }

    fn emit(&mut self, typ: ItemType) {
        // `emit` joins the escaped parts but does not reset them (only emitString does).
        let val = self.current();
        self.push_item(typ, val);
    }

    fn emit_string(&mut self) {
        let val = self.current();
        self.string_parts.clear();
        self.has_parts = false;
        self.push_item(ItemType::String, val);
    }

    fn add_current_string_part(&mut self, offset: usize) {
        let end = self.pos - offset;
        let part = self.input[self.start..end].to_vec();
        self.string_parts.extend_from_slice(&part);
        self.has_parts = true;
        self.start = self.pos;
    }

    fn add_string_part(&mut self, s: &[u8]) -> Option<State> {
        self.string_parts.extend_from_slice(s);
        self.has_parts = true;
        self.start = self.pos;
        Some(self.string_state)
    }

    fn next(&mut self) -> char {
        if self.pos >= self.input.len() {
            self.width = 0;
            return EOF;
        }
        if self.input[self.pos] == b'\n' {
            self.line += 1;
            self.lstart = self.pos;
        }
        let (r, w) = decode_rune(&self.input[self.pos..]);
        self.width = w;
        self.pos += w;
        r
    }

    fn ignore(&mut self) {
        self.start = self.pos;
        self.ilstart = self.lstart;
    }

    fn backup(&mut self) {
        self.pos -= self.width;
        if self.pos < self.input.len() && self.input[self.pos] == b'\n' {
            self.line -= 1;
        }
    }

    fn peek(&mut self) -> char {
        let r = self.next();
        self.backup();
        r
    }

    /// Emits an error item and stops the machine.
    fn errorf(&mut self, msg: String) -> Option<State> {
        let pos = self.pos as i64 - self.lstart as i64;
        self.items.push_back(Item { typ: ItemType::Error, val: msg.into_bytes(), line: self.line, pos });
        None
    }

    /// lexSkip: ignore what was read and go on with `next`.
    fn skip(&mut self, next: State) -> Option<State> {
        self.ignore();
        Some(next)
    }

    fn text(&self) -> &[u8] {
        &self.input[self.start..self.pos]
    }

    fn step(&mut self, s: State) -> Option<State> {
        use State::*;
        match s {
            Top => self.lex_top(),
            TopValueEnd => self.lex_top_value_end(),
            KeyStart => self.lex_key_start(),
            DubQuotedKey => self.lex_quoted_key('"', KeyEnd, "Unexpected EOF."),
            QuotedKey => self.lex_quoted_key('\'', KeyEnd, "Unexpected EOF."),
            Key => self.lex_key(),
            KeyEnd => self.lex_key_end(),
            Value => self.lex_value(),
            ArrayValue => self.lex_array_value(),
            ArrayValueEnd => self.lex_array_value_end(),
            ArrayEnd => {
                self.ignore();
                self.emit(ItemType::ArrayEnd);
                self.pop()
            }
            MapKeyStart => self.lex_map_key_start(),
            MapQuotedKey => self.lex_quoted_key('\'', MapKeyEnd, "Unexpected EOF processing quoted map key."),
            MapDubQuotedKey => {
                self.lex_quoted_key('"', MapKeyEnd, "Unexpected EOF processing double quoted map key.")
            }
            MapKey => self.lex_map_key(),
            MapKeyEnd => self.lex_map_key_end(),
            MapValue => self.lex_map_value(),
            MapValueEnd => self.lex_map_value_end(),
            MapEnd => {
                self.ignore();
                self.emit(ItemType::MapEnd);
                self.pop()
            }
            QuotedString => self.lex_quoted_string(),
            DubQuotedString => self.lex_dub_quoted_string(),
            String => self.lex_string(),
            Block => self.lex_block(),
            StringEscape => self.lex_string_escape(),
            StringBinary => self.lex_string_binary(),
            NumberOrDateOrIpStart => {
                let r = self.next();
                if !is_digit(r) {
                    if r == '.' {
                        return self.errorf("Floats must start with a digit, not '.'.".into());
                    }
                    return self.errorf(format!("Expected a digit but got '{}'.", esc(r)));
                }
                Some(NumberOrDateOrIp)
            }
            NumberOrDateOrIp => self.lex_number_or_date_or_ip(),
            ConvenientNumber => self.lex_convenient_number(),
            DateAfterYear => self.lex_date_after_year(),
            NegNumberStart => {
                let r = self.next();
                if !is_digit(r) {
                    if r == '.' {
                        return self.errorf("Floats must start with a digit, not '.'.".into());
                    }
                    return self.errorf(format!("Expected a digit but got '{}'.", esc(r)));
                }
                Some(NegNumber)
            }
            NegNumber => {
                let r = self.next();
                if is_digit(r) {
                    return Some(NegNumber);
                }
                if r == '.' {
                    return Some(FloatStart);
                }
                if is_number_suffix(r) {
                    return Some(ConvenientNumber);
                }
                self.backup();
                self.emit(ItemType::Integer);
                self.pop()
            }
            FloatStart => {
                let r = self.next();
                if !is_digit(r) {
                    return self.errorf(format!(
                        "Floats must have a digit after the '.', but got '{}' instead.",
                        esc(r)
                    ));
                }
                Some(Float)
            }
            Float => {
                let r = self.next();
                if is_digit(r) {
                    return Some(Float);
                }
                if r == '.' {
                    return Some(IpAddr);
                }
                self.backup();
                self.emit(ItemType::Float);
                self.pop()
            }
            IpAddr => {
                let r = self.next();
                if is_digit(r) || r == '.' || r == ':' || r == '-' {
                    return Some(IpAddr);
                }
                self.backup();
                self.emit(ItemType::String);
                self.pop()
            }
            CommentStart => {
                self.ignore();
                self.emit(ItemType::CommentStart);
                Some(Comment)
            }
            Comment => {
                let r = self.peek();
                if is_nl(r) || r == EOF {
                    self.emit(ItemType::Text);
                    return self.pop();
                }
                self.next();
                Some(Comment)
            }
            IncludeStart => {
                let r = self.next();
                if is_whitespace(r) {
                    return self.skip(IncludeStart);
                }
                self.backup();
                Some(Include)
            }
            IncludeQuotedString => self.lex_include_quoted('\''),
            IncludeDubQuotedString => self.lex_include_quoted('"'),
            IncludeString => {
                let r = self.next();
                if is_nl(r) || r == EOF || r == ';' || r == '}' || is_whitespace(r) {
                    self.backup();
                    self.emit(ItemType::Include);
                    return self.pop();
                }
                if r == '\'' {
                    self.backup();
                    self.emit(ItemType::Include);
                    self.next();
                    self.ignore();
                    return self.pop();
                }
                Some(IncludeString)
            }
            Include => self.lex_include(),
        }
    }
}

mod keys;
mod values;

/// The runes that end a number (and so keep it a number rather than a string).
fn is_number_end(r: char) -> bool {
    is_nl(r) || r == EOF || r == '}' || r == ';' || r == ',' || is_whitespace(r)
}

fn is_bool_word(s: &[u8]) -> bool {
    let l = s.to_ascii_lowercase();
    matches!(&l[..], b"true" | b"false" | b"on" | b"off" | b"yes" | b"no")
}

fn decode_hex_pair(h: &[u8]) -> Option<u8> {
    if h.len() != 2 {
        return None;
    }
    let d = |c: u8| (c as char).to_digit(16);
    Some((d(h[0])? * 16 + d(h[1])?) as u8)
}

fn is_number_suffix(r: char) -> bool {
    matches!(r, 'k' | 'K' | 'm' | 'M' | 'g' | 'G' | 't' | 'T' | 'p' | 'P' | 'e' | 'E')
}

fn is_key_separator(r: char) -> bool {
    r == '=' || r == ':'
}

/// Whitespace between tokens: space and tab only.
fn is_whitespace(r: char) -> bool {
    r == '\t' || r == ' '
}

fn is_nl(r: char) -> bool {
    r == '\n' || r == '\r'
}

/// Go's `unicode.IsSpace` (the same set as Rust's White_Space property).
fn is_space(r: char) -> bool {
    r.is_whitespace()
}

/// Go's `unicode.IsDigit`: the decimal digits of every script (Unicode category Nd).
pub(crate) fn is_digit(r: char) -> bool {
    if r.is_ascii_digit() {
        return true;
    }
    if (r as u32) < 0x660 {
        return false;
    }
    let c = r as u32;
    ND_STARTS.iter().any(|&s| c >= s && c < s + 10) || (0x1D7CE..=0x1D7FF).contains(&c)
}

/// First code point of each block of ten Nd digits outside ASCII (Unicode 13, as Go 1.19).
const ND_STARTS: &[u32] = &[
    0x660, 0x6F0, 0x7C0, 0x966, 0x9E6, 0xA66, 0xAE6, 0xB66, 0xBE6, 0xC66, 0xCE6, 0xD66, 0xDE6, 0xE50,
    0xED0, 0xF20, 0x1040, 0x1090, 0x17E0, 0x1810, 0x1946, 0x19D0, 0x1A80, 0x1A90, 0x1B50, 0x1BB0, 0x1C40,
    0x1C50, 0xA620, 0xA8D0, 0xA900, 0xA9D0, 0xA9F0, 0xAA50, 0xABF0, 0xFF10, 0x104A0, 0x10D30, 0x11066,
    0x110F0, 0x11136, 0x111D0, 0x112F0, 0x11450, 0x114D0, 0x11650, 0x116C0, 0x11730, 0x118E0, 0x11950,
    0x11C50, 0x11D50, 0x11DA0, 0x16A60, 0x16B50, 0x1E140, 0x1E2F0, 0x1E950, 0x1FBF0,
];

/// Decodes one rune the way Go's `utf8.DecodeRune` does (U+FFFD of width 1 when invalid).
pub(crate) fn decode_rune(b: &[u8]) -> (char, usize) {
    let first = b[0];
    if first < 0x80 {
        return (first as char, 1);
    }
    let len = match first {
        0xC2..=0xDF => 2,
        0xE0..=0xEF => 3,
        0xF0..=0xF4 => 4,
        _ => return ('\u{FFFD}', 1),
    };
    if b.len() < len {
        return ('\u{FFFD}', 1);
    }
    match std::str::from_utf8(&b[..len]) {
        Ok(s) => (s.chars().next().expect("one rune"), len),
        Err(_) => ('\u{FFFD}', 1),
    }
}

/// The lexer's `escapeSpecial`: a newline rune is shown as `\n`, every other rune as itself.
fn esc(r: char) -> String {
    if r == '\n' {
        "\\n".to_string()
    } else {
        r.to_string()
    }
}
