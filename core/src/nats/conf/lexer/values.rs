//! The lexer states of values: arrays, maps, quoted, unquoted and block strings, numbers and
//! dates.

use super::*;

impl<'a> Lexer<'a> {
    pub(super) fn lex_value(&mut self) -> Option<State> {
        let r = self.next();
        if is_whitespace(r) {
            return self.skip(State::Value);
        }
        match r {
            '[' => {
                self.ignore();
                self.emit(ItemType::ArrayStart);
                return Some(State::ArrayValue);
            }
            '{' => {
                self.ignore();
                self.emit(ItemType::MapStart);
                return Some(State::MapKeyStart);
            }
            '\'' => {
                self.ignore();
                return Some(State::QuotedString);
            }
            '"' => {
                self.ignore();
                self.string_state = State::DubQuotedString;
                return Some(State::DubQuotedString);
            }
            '-' => return Some(State::NegNumberStart),
            '(' => {
                self.ignore();
                return Some(State::Block);
            }
            '.' => return self.errorf("Floats must start with a digit".into()),
            _ => {}
        }
        if is_digit(r) {
            self.backup();
            return Some(State::NumberOrDateOrIpStart);
        }
        if is_nl(r) {
            return self.errorf("Expected value but found new line".into());
        }
        self.backup();
        self.string_state = State::String;
        Some(State::String)
    }

    pub(super) fn lex_array_value(&mut self) -> Option<State> {
        let r = self.next();
        if is_space(r) {
            return self.skip(State::ArrayValue);
        }
        if r == '#' {
            self.push(State::ArrayValue);
            return Some(State::CommentStart);
        }
        if r == '/' {
            let rn = self.next();
            if rn == '/' {
                self.push(State::ArrayValue);
                return Some(State::CommentStart);
            }
            self.backup();
            // Go falls through into the `,` case.
            return self.errorf("Unexpected array value terminator ','.".into());
        }
        if r == ',' {
            return self.errorf("Unexpected array value terminator ','.".into());
        }
        if r == ']' {
            return Some(State::ArrayEnd);
        }
        self.backup();
        self.push(State::ArrayValueEnd);
        Some(State::Value)
    }

    pub(super) fn lex_array_value_end(&mut self) -> Option<State> {
        let r = self.next();
        if is_whitespace(r) {
            return self.skip(State::ArrayValueEnd);
        }
        if r == '#' {
            self.push(State::ArrayValueEnd);
            return Some(State::CommentStart);
        }
        if r == '/' {
            let rn = self.next();
            if rn == '/' {
                self.push(State::ArrayValueEnd);
                return Some(State::CommentStart);
            }
            self.backup();
            return self.skip(State::ArrayValue);
        }
        if r == ',' || is_nl(r) {
            return self.skip(State::ArrayValue);
        }
        if r == ']' {
            return Some(State::ArrayEnd);
        }
        self.errorf(format!(
            "Expected an array value terminator \",\" or an array terminator \"]\", but got '{}' instead.",
            esc(r)
        ))
    }

    pub(super) fn lex_map_key_start(&mut self) -> Option<State> {
        let r = self.peek();
        if is_key_separator(r) {
            return self.errorf(format!("Unexpected key separator '{}'.", esc(r)));
        }
        if r == ']' {
            return self.errorf(format!("Unexpected array end '{}' processing map.", esc(r)));
        }
        if r == EOF {
            // Before a key has started, nats-server 2.9.10 names the map, not the key
            // (`a = {` and `a = { x: 1⏎` end here; `a = { ab` ends in lex_map_key).
            return self.errorf("Unexpected EOF processing map.".into());
        }
        if is_space(r) {
            self.next();
            return self.skip(State::MapKeyStart);
        }
        match r {
            '}' => {
                self.next();
                return self.skip(State::MapEnd);
            }
            '#' => {
                self.next();
                self.push(State::MapKeyStart);
                return Some(State::CommentStart);
            }
            '/' => {
                self.next();
                let rn = self.next();
                if rn == '/' {
                    self.push(State::MapKeyStart);
                    return Some(State::CommentStart);
                }
                self.backup();
            }
            '\'' => {
                self.next();
                return self.skip(State::MapQuotedKey);
            }
            '"' => {
                self.next();
                return self.skip(State::MapDubQuotedKey);
            }
            _ => {}
        }
        self.ignore();
        self.next();
        Some(State::MapKey)
    }

    pub(super) fn lex_map_key(&mut self) -> Option<State> {
        let r = self.peek();
        if is_space(r) {
            return self.key_check_keyword(State::MapKeyEnd, Some(State::MapValueEnd));
        }
        if is_key_separator(r) {
            self.emit(ItemType::Key);
            return Some(State::MapKeyEnd);
        }
        if r == EOF {
            return self.errorf("Unexpected EOF processing map key.".into());
        }
        self.next();
        Some(State::MapKey)
    }

    pub(super) fn lex_map_key_end(&mut self) -> Option<State> {
        let r = self.next();
        if is_space(r) {
            return self.skip(State::MapKeyEnd);
        }
        if is_key_separator(r) {
            return self.skip(State::MapValue);
        }
        self.backup();
        Some(State::MapValue)
    }

    pub(super) fn lex_map_value(&mut self) -> Option<State> {
        let r = self.next();
        if is_space(r) {
            return self.skip(State::MapValue);
        }
        if r == ',' {
            return self.errorf("Unexpected map value terminator \",\".".into());
        }
        if r == '}' {
            return self.skip(State::MapEnd);
        }
        self.backup();
        self.push(State::MapValueEnd);
        Some(State::Value)
    }

    pub(super) fn lex_map_value_end(&mut self) -> Option<State> {
        let r = self.next();
        if is_whitespace(r) {
            return self.skip(State::MapValueEnd);
        }
        if r == '#' {
            self.push(State::MapValueEnd);
            return Some(State::CommentStart);
        }
        if r == '/' {
            let rn = self.next();
            if rn == '/' {
                self.push(State::MapValueEnd);
                return Some(State::CommentStart);
            }
            self.backup();
            return self.skip(State::MapKeyStart);
        }
        if r == ';' || r == ',' || is_nl(r) {
            return self.skip(State::MapKeyStart);
        }
        if r == '}' {
            return self.skip(State::MapEnd);
        }
        self.errorf(format!(
            "Expected a map value terminator \",\" or a map terminator \"}}\", but got '{}' instead.",
            esc(r)
        ))
    }

    pub(super) fn lex_quoted_string(&mut self) -> Option<State> {
        let r = self.next();
        if r == '\'' {
            self.backup();
            self.emit(ItemType::String);
            self.next();
            self.ignore();
            return self.pop();
        }
        if r == EOF {
            return self.string_eof();
        }
        Some(State::QuotedString)
    }

    pub(super) fn string_eof(&mut self) -> Option<State> {
        if self.pos > self.start {
            return self.errorf("Unexpected EOF.".into());
        }
        self.emit(ItemType::Eof);
        None
    }

    pub(super) fn lex_dub_quoted_string(&mut self) -> Option<State> {
        let r = self.next();
        if r == '\\' {
            self.add_current_string_part(1);
            return Some(State::StringEscape);
        }
        if r == '"' {
            self.backup();
            self.emit_string();
            self.next();
            self.ignore();
            return self.pop();
        }
        if r == EOF {
            return self.string_eof();
        }
        Some(State::DubQuotedString)
    }

    pub(super) fn lex_string(&mut self) -> Option<State> {
        let r = self.next();
        if r == '\\' {
            self.add_current_string_part(1);
            return Some(State::StringEscape);
        }
        if is_nl(r) || r == EOF || r == ';' || r == ',' || r == ']' || r == '}' || is_whitespace(r) {
            self.backup();
            if self.has_parts {
                self.emit_string();
            } else if is_bool_word(self.text()) {
                self.emit(ItemType::Bool);
            } else if self.start < self.input.len() && self.input[self.start] == b'$' {
                self.start += 1;
                self.emit(ItemType::Variable);
            } else {
                self.emit_string();
            }
            return self.pop();
        }
        if r == '\'' {
            self.backup();
            self.emit_string();
            self.next();
            self.ignore();
            return self.pop();
        }
        Some(State::String)
    }

    pub(super) fn lex_block(&mut self) -> Option<State> {
        let r = self.next();
        if r == ')' {
            self.backup();
            self.backup();
            // A ')' counts only alone on its line.
            if self.next() != '\n' {
                self.next();
                return Some(State::Block);
            }
            self.next();
            let n = self.next();
            if n == '\n' || n == EOF {
                self.backup();
                self.backup();
                self.emit(ItemType::String);
                self.next();
                self.ignore();
                return self.pop();
            }
            self.backup();
        }
        if r == EOF {
            return self.errorf("Unexpected EOF processing block.".into());
        }
        Some(State::Block)
    }

    pub(super) fn lex_string_escape(&mut self) -> Option<State> {
        let r = self.next();
        match r {
            'x' => Some(State::StringBinary),
            't' => self.add_string_part(b"\t"),
            'n' => self.add_string_part(b"\n"),
            'r' => self.add_string_part(b"\r"),
            '"' => self.add_string_part(b"\""),
            '\\' => self.add_string_part(b"\\"),
            _ => self.errorf(format!(
                "Invalid escape character '{}'. Only the following escape characters are allowed: \\xXX, \\t, \\n, \\r, \\\", \\\\.",
                esc(r)
            )),
        }
    }

    pub(super) fn lex_string_binary(&mut self) -> Option<State> {
        const EOL: &str = "Expected two hexadecimal digits after '\\x', but hit end of line";
        if is_nl(self.next()) {
            return self.errorf(EOL.into());
        }
        if is_nl(self.next()) {
            return self.errorf(EOL.into());
        }
        // Go slices the last two bytes, whatever the runes were.
        let offset = self.pos.saturating_sub(2);
        let hex = &self.input[offset..self.pos];
        match decode_hex_pair(hex) {
            Some(b) => self.add_string_part(&[b]),
            None => {
                let shown = String::from_utf8_lossy(hex).into_owned();
                self.errorf(format!("Expected two hexadecimal digits after '\\x', but got '{shown}'"))
            }
        }
    }

    pub(super) fn lex_number_or_date_or_ip(&mut self) -> Option<State> {
        let r = self.next();
        if r == '-' {
            if self.pos - self.start != 5 {
                return self.errorf("All ISO8601 dates must be in full Zulu form.".into());
            }
            return Some(State::DateAfterYear);
        }
        if is_digit(r) {
            return Some(State::NumberOrDateOrIp);
        }
        if r == '.' {
            return Some(State::FloatStart);
        }
        if is_number_suffix(r) {
            return Some(State::ConvenientNumber);
        }
        if !(is_number_end(r) || is_digit(r)) {
            // Not a number after all: the whole value is an unquoted string (the rune just
            // read stays consumed, which is why `[1, 2]` lexes `2]`).
            self.string_state = State::String;
            return Some(State::String);
        }
        self.backup();
        self.emit(ItemType::Integer);
        self.pop()
    }

    pub(super) fn lex_convenient_number(&mut self) -> Option<State> {
        let r = self.next();
        if matches!(r, 'b' | 'B' | 'i' | 'I') {
            return Some(State::ConvenientNumber);
        }
        self.backup();
        if is_number_end(r) || is_digit(r) {
            self.emit(ItemType::Integer);
            return self.pop();
        }
        self.string_state = State::String;
        Some(State::String)
    }

    pub(super) fn lex_date_after_year(&mut self) -> Option<State> {
        const FORMAT: &[char] = &['0', '0', '-', '0', '0', 'T', '0', '0', ':', '0', '0', ':', '0', '0', 'Z'];
        for &f in FORMAT {
            let r = self.next();
            if f == '0' {
                if !is_digit(r) {
                    return self
                        .errorf(format!("Expected digit in ISO8601 datetime, but found '{}' instead.", esc(r)));
                }
            } else if f != r {
                return self.errorf(format!(
                    "Expected '{}' in ISO8601 datetime, but found '{}' instead.",
                    esc(f),
                    esc(r)
                ));
            }
        }
        self.emit(ItemType::Datetime);
        self.pop()
    }
}
