//! The lexer states of the top level, of keys and of `include`.

use super::*;

impl<'a> Lexer<'a> {
    pub(super) fn lex_top(&mut self) -> Option<State> {
        let r = self.next();
        if is_space(r) {
            return self.skip(State::Top);
        }
        match r {
            '{' => return self.skip(State::Top),
            '#' => {
                self.push(State::Top);
                return Some(State::CommentStart);
            }
            '/' => {
                let rn = self.next();
                if rn == '/' {
                    self.push(State::Top);
                    return Some(State::CommentStart);
                }
                self.backup();
                return self.top_eof();
            }
            EOF => return self.top_eof(),
            _ => {}
        }
        self.backup();
        self.push(State::TopValueEnd);
        Some(State::KeyStart)
    }

    pub(super) fn top_eof(&mut self) -> Option<State> {
        if self.pos > self.start {
            return self.errorf("Unexpected EOF.".into());
        }
        self.emit(ItemType::Eof);
        None
    }

    pub(super) fn lex_top_value_end(&mut self) -> Option<State> {
        let r = self.next();
        if r == '#' {
            self.push(State::Top);
            return Some(State::CommentStart);
        }
        if r == '/' {
            let rn = self.next();
            if rn == '/' {
                self.push(State::Top);
                return Some(State::CommentStart);
            }
            self.backup();
            // Go's fallthrough into the whitespace case.
            return Some(State::TopValueEnd);
        }
        if is_whitespace(r) {
            return Some(State::TopValueEnd);
        }
        if is_nl(r) || r == EOF || r == ';' || r == ',' || r == '}' {
            self.ignore();
            return Some(State::Top);
        }
        self.errorf(format!(
            "Expected a top-level value to end with a new line, comment or EOF, but got '{}' instead.",
            esc(r)
        ))
    }

    pub(super) fn lex_key_start(&mut self) -> Option<State> {
        let r = self.peek();
        if is_key_separator(r) {
            return self.errorf(format!("Unexpected key separator '{}'", esc(r)));
        }
        if is_space(r) {
            self.next();
            return self.skip(State::KeyStart);
        }
        if r == '"' {
            self.next();
            return self.skip(State::DubQuotedKey);
        }
        if r == '\'' {
            self.next();
            return self.skip(State::QuotedKey);
        }
        self.ignore();
        self.next();
        Some(State::Key)
    }

    pub(super) fn lex_quoted_key(&mut self, quote: char, end: State, eof_msg: &str) -> Option<State> {
        let r = self.peek();
        if r == quote {
            self.emit(ItemType::Key);
            self.next();
            return self.skip(end);
        }
        if r == EOF {
            if end == State::KeyEnd {
                if self.pos > self.start {
                    return self.errorf(eof_msg.into());
                }
                self.emit(ItemType::Eof);
                return None;
            }
            return self.errorf(eof_msg.into());
        }
        self.next();
        Some(match (quote, end) {
            ('"', State::KeyEnd) => State::DubQuotedKey,
            ('\'', State::KeyEnd) => State::QuotedKey,
            ('"', _) => State::MapDubQuotedKey,
            _ => State::MapQuotedKey,
        })
    }

    /// keyCheckKeyword: a key followed by a space may be the `include` keyword.
    pub(super) fn key_check_keyword(&mut self, fall_through: State, push: Option<State>) -> Option<State> {
        // Go lowers with Unicode rules, but no non-ASCII rune lowers into these letters.
        if self.text().eq_ignore_ascii_case(b"include") {
            self.ignore();
            if let Some(p) = push {
                self.push(p);
            }
            return Some(State::IncludeStart);
        }
        self.emit(ItemType::Key);
        Some(fall_through)
    }

    pub(super) fn lex_include_quoted(&mut self, quote: char) -> Option<State> {
        let r = self.next();
        if r == quote {
            self.backup();
            self.emit(ItemType::Include);
            self.next();
            self.ignore();
            return self.pop();
        }
        if r == EOF {
            return if quote == '"' {
                self.errorf("Unexpected EOF in double quoted include".into())
            } else {
                self.errorf("Unexpected EOF in quoted include".into())
            };
        }
        Some(if quote == '"' { State::IncludeDubQuotedString } else { State::IncludeQuotedString })
    }

    pub(super) fn lex_include(&mut self) -> Option<State> {
        let r = self.next();
        match r {
            '\'' => {
                self.ignore();
                return Some(State::IncludeQuotedString);
            }
            '"' => {
                self.ignore();
                return Some(State::IncludeDubQuotedString);
            }
            '[' => return self.errorf("Expected include value but found start of an array".into()),
            '{' => return self.errorf("Expected include value but found start of a map".into()),
            '(' => return self.errorf("Expected include value but found start of a block".into()),
            '\\' => return self.errorf("Expected include value but found escape sequence".into()),
            _ => {}
        }
        if is_digit(r) || r == '-' {
            return self.errorf("Expected include value but found start of a number".into());
        }
        if is_nl(r) {
            return self.errorf("Expected include value but found new line".into());
        }
        self.backup();
        Some(State::IncludeString)
    }

    pub(super) fn lex_key(&mut self) -> Option<State> {
        let r = self.peek();
        if is_space(r) {
            return self.key_check_keyword(State::KeyEnd, None);
        }
        if is_key_separator(r) || r == EOF {
            self.emit(ItemType::Key);
            return Some(State::KeyEnd);
        }
        self.next();
        Some(State::Key)
    }

    pub(super) fn lex_key_end(&mut self) -> Option<State> {
        let r = self.next();
        if is_space(r) {
            return self.skip(State::KeyEnd);
        }
        if is_key_separator(r) {
            return self.skip(State::Value);
        }
        if r == EOF {
            self.emit(ItemType::Eof);
            return None;
        }
        self.backup();
        Some(State::Value)
    }
}
