//! A lossless tokenizer with nginx's rules (`ngx_conf_read_token` in
//! nginx's `src/core/ngx_conf_file.c`), stated formally in `grammar/nginx.ebnf`.
//!
//! Every byte of the input belongs to exactly one token, so concatenating the
//! tokens gives the file back byte for byte. The rules that surprise people:
//! quotes and `#` are special only where a token starts (`a#b` and `a"b` are
//! single words); an unquoted word ends at whitespace, `;` or `{` but not at
//! `}`; `${` inside a word opens no block; after a closing quote nginx wants
//! whitespace, `;`, `{` or `)`.

use nom::bytes::complete::{take_till, take_while1};
use nom::Parser;

use super::ast::Quote;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenKind {
    Whitespace,
    /// `#` to end of line.
    Comment,
    Word {
        quote: Quote,
        /// The quote was never closed: the word runs to the end of the file.
        unterminated: bool,
    },
    Semicolon,
    OpenBrace,
    CloseBrace,
    /// The body of a `*_by_lua_block`, between its braces.
    RawBody {
        unterminated: bool,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub kind: TokenKind,
    pub start: usize,
    pub end: usize,
}

/// A tokenizer error, in nginx's wording.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LexError {
    pub offset: usize,
    pub message: String,
}

pub struct Lexer<'a> {
    src: &'a [u8],
    pos: usize,
    /// Set right after a closing quote: nginx's `need_space`.
    after_quote: bool,
    /// First word of the statement being read, to spot `*_by_lua_block`.
    statement_is_lua_block: Option<bool>,
    raw_pending: bool,
    /// Whether the last word token held a `\\` (and so needs unescaping).
    pub escaped: bool,
    pub errors: Vec<LexError>,
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

type NomResult<'a> = nom::IResult<&'a [u8], &'a [u8]>;

fn whitespace(input: &[u8]) -> NomResult<'_> {
    take_while1(is_space).parse(input)
}

fn comment(input: &[u8]) -> NomResult<'_> {
    take_till(|b| b == b'\n').parse(input)
}

impl<'a> Lexer<'a> {
    pub fn new(src: &'a [u8]) -> Lexer<'a> {
        Lexer {
            src,
            pos: 0,
            after_quote: false,
            statement_is_lua_block: None,
            raw_pending: false,
            escaped: false,
            errors: Vec::new(),
        }
    }

    fn token(&mut self, kind: TokenKind, start: usize, end: usize) -> Option<Token> {
        self.pos = end;
        Some(Token { kind, start, end })
    }

    fn error(&mut self, offset: usize, message: String) {
        self.errors.push(LexError { offset, message });
    }

    /// The next token that is not whitespace. The parser has no use for
    /// whitespace tokens, and skipping them here is a fifth of its time.
    pub fn next_significant(&mut self) -> Option<Token> {
        // A Lua block's body starts right after its `{`, spaces included.
        if !self.raw_pending {
            let start = self.pos;
            let spaces = self.src[start..]
                .iter()
                .take_while(|b| is_space(**b))
                .count();
            if spaces > 0 {
                // Whitespace is what nginx wants after a closing quote.
                self.after_quote = false;
                self.pos = start + spaces;
            }
        }
        self.next_token()
    }

    pub fn next_token(&mut self) -> Option<Token> {
        let start = self.pos;
        if self.raw_pending {
            self.raw_pending = false;
            let (end, unterminated) = lua_body_end(self.src, start);
            if end > start || unterminated {
                return self.token(TokenKind::RawBody { unterminated }, start, end);
            }
        }
        let rest = &self.src[start..];
        let &first = rest.first()?;
        if self.after_quote {
            self.after_quote = false;
            if !is_space(first) && !matches!(first, b';' | b'{' | b')') {
                self.error(start, format!("unexpected \"{}\"", first as char));
            }
        }
        if let Ok((after, _)) = whitespace(rest) {
            return self.token(TokenKind::Whitespace, start, self.src.len() - after.len());
        }
        match first {
            b'#' => {
                let (after, _) = comment(rest).unwrap_or((&[], rest));
                self.token(TokenKind::Comment, start, self.src.len() - after.len())
            }
            b';' => {
                self.statement_is_lua_block = None;
                self.token(TokenKind::Semicolon, start, start + 1)
            }
            b'{' => {
                self.raw_pending = self.statement_is_lua_block == Some(true);
                self.statement_is_lua_block = None;
                self.token(TokenKind::OpenBrace, start, start + 1)
            }
            b'}' => {
                self.statement_is_lua_block = None;
                self.token(TokenKind::CloseBrace, start, start + 1)
            }
            b'"' | b'\'' => {
                let (end, unterminated) = quoted_end(self.src, start + 1, first);
                self.escaped = self.src[start + 1..end].contains(&b'\\');
                self.after_quote = !unterminated;
                if unterminated {
                    self.error(
                        self.src.len(),
                        "unexpected end of file, expecting \";\" or \"}\"".into(),
                    );
                }
                let quote = if first == b'"' {
                    Quote::Double
                } else {
                    Quote::Single
                };
                self.note_word(start + 1, end - usize::from(!unterminated));
                self.token(
                    TokenKind::Word {
                        quote,
                        unterminated,
                    },
                    start,
                    end,
                )
            }
            _ => {
                let (end, escaped) = bare_word_end(self.src, start);
                self.escaped = escaped;
                self.note_word(start, end);
                let kind = TokenKind::Word {
                    quote: Quote::None,
                    unterminated: false,
                };
                self.token(kind, start, end)
            }
        }
    }

    fn note_word(&mut self, start: usize, end: usize) {
        if self.statement_is_lua_block.is_none() {
            self.statement_is_lua_block = Some(self.src[start..end].ends_with(b"_by_lua_block"));
        }
    }
}

/// Bytes that can end or change the meaning of a bare word: whitespace,
/// `;`, `{`, `\\` and `$`. Everything else is skipped in a tight loop.
const WORD_SPECIAL: [bool; 256] = {
    let mut t = [false; 256];
    let special = b" \t\r\n;{\\$";
    let mut i = 0;
    while i < special.len() {
        t[special[i] as usize] = true;
        i += 1;
    }
    t
};

/// End of an unquoted word starting at `start` (exclusive), and whether the
/// word holds an escape.
fn bare_word_end(src: &[u8], start: usize) -> (usize, bool) {
    let mut i = start;
    let mut escaped = false;
    loop {
        while i < src.len() && !WORD_SPECIAL[src[i] as usize] {
            i += 1;
        }
        let Some(&b) = src.get(i) else {
            return (i, escaped);
        };
        match b {
            // An escape takes the next byte whatever it is.
            b'\\' => {
                escaped = true;
                i = (i + 2).min(src.len());
            }
            // `${` inside a word opens no block (nor do more `{` right after it).
            b'$' => {
                i += 1;
                while src.get(i) == Some(&b'{') {
                    i += 1;
                }
            }
            _ => return (i, escaped),
        }
    }
}

/// End (exclusive, past the closing quote) of a quoted string whose content
/// starts at `start`. Returns `(end, unterminated)`.
fn quoted_end(src: &[u8], start: usize, quote: u8) -> (usize, bool) {
    let mut i = start;
    while i < src.len() {
        match src[i] {
            b'\\' => i += 2,
            b if b == quote => return (i + 1, false),
            _ => i += 1,
        }
    }
    (src.len(), true)
}

/// Where a Lua block body starting at `start` ends: the offset of its closing
/// `}`. Strings, comments and long brackets are skipped so braces inside them
/// do not count (as lua-nginx-module's own lexer does).
fn lua_body_end(src: &[u8], start: usize) -> (usize, bool) {
    let mut depth = 1usize;
    let mut i = start;
    while i < src.len() {
        match src[i] {
            b'{' => depth += 1,
            b'}' => {
                depth -= 1;
                if depth == 0 {
                    return (i, false);
                }
            }
            q @ (b'"' | b'\'') => {
                i = quoted_end(src, i + 1, q).0;
                continue;
            }
            b'-' if src.get(i + 1) == Some(&b'-') => {
                i += 2;
                if let Some(end) = long_bracket_end(src, i) {
                    i = end;
                } else {
                    while i < src.len() && src[i] != b'\n' {
                        i += 1;
                    }
                }
                continue;
            }
            b'[' => {
                if let Some(end) = long_bracket_end(src, i) {
                    i = end;
                    continue;
                }
            }
            _ => {}
        }
        i += 1;
    }
    (src.len(), true)
}

/// Lua long bracket `[==[ ... ]==]` starting at `i`: offset past its end.
fn long_bracket_end(src: &[u8], i: usize) -> Option<usize> {
    if src.get(i) != Some(&b'[') {
        return None;
    }
    let level = src[i + 1..].iter().take_while(|&&b| b == b'=').count();
    if src.get(i + 1 + level) != Some(&b'[') {
        return None;
    }
    let mut close = Vec::with_capacity(level + 2);
    close.push(b']');
    close.extend(std::iter::repeat_n(b'=', level));
    close.push(b']');
    let body = i + level + 2;
    let found = src[body..]
        .windows(close.len())
        .position(|w| w == close.as_slice());
    Some(found.map(|p| body + p + close.len()).unwrap_or(src.len()))
}

/// Apply nginx's unescaping to a token's content (quotes already removed),
/// appending the value to `out`.
pub fn unescape_into(raw: &[u8], out: &mut String) {
    if !raw.contains(&b'\\') {
        out.push_str(&String::from_utf8_lossy(raw));
        return;
    }
    let mut bytes = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        if raw[i] == b'\\' && i + 1 < raw.len() {
            let unescaped = match raw[i + 1] {
                b'"' | b'\'' | b'\\' => Some(raw[i + 1]),
                b't' => Some(b'\t'),
                b'r' => Some(b'\r'),
                b'n' => Some(b'\n'),
                _ => None,
            };
            if let Some(b) = unescaped {
                bytes.push(b);
                i += 2;
                continue;
            }
        }
        bytes.push(raw[i]);
        i += 1;
    }
    out.push_str(&String::from_utf8_lossy(&bytes));
}

/// All tokens of `src`; their spans tile the input.
pub fn tokenize(src: &[u8]) -> (Vec<Token>, Vec<LexError>) {
    let mut lexer = Lexer::new(src);
    let mut tokens = Vec::new();
    while let Some(t) = lexer.next_token() {
        tokens.push(t);
    }
    (tokens, lexer.errors)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The byte-at-a-time state machine `bare_word_end` replaced (it follows
    /// ngx_conf_read_token line by line); the fast version must agree.
    fn reference_word_end(src: &[u8], start: usize) -> usize {
        let (mut i, mut escaped, mut variable) = (start, false, false);
        while i < src.len() {
            let b = src[i];
            if escaped {
                escaped = false;
            } else if b == b'{' && variable {
            } else {
                variable = false;
                match b {
                    b'\\' => escaped = true,
                    b'$' => variable = true,
                    b';' | b'{' => return i,
                    _ if is_space(b) => return i,
                    _ => {}
                }
            }
            i += 1;
        }
        i
    }

    /// Every string over `alphabet` of at most `max` bytes, each once.
    fn all_strings(alphabet: &[u8], max: usize) -> Vec<Vec<u8>> {
        let mut all = vec![Vec::new()];
        let mut longest = vec![Vec::new()];
        for _ in 0..max {
            longest = longest
                .iter()
                .flat_map(|w| alphabet.iter().map(move |b| [&w[..], &[*b]].concat()))
                .collect();
            all.extend(longest.iter().cloned());
        }
        all
    }

    #[test]
    fn fast_word_end_agrees_with_the_state_machine() {
        for w in &all_strings(b"a ;{\\$}\n", 5) {
            let (end, escaped) = bare_word_end(w, 0);
            assert_eq!(
                end,
                reference_word_end(w, 0),
                "{:?}",
                String::from_utf8_lossy(w)
            );
            assert_eq!(
                escaped,
                w[..end].contains(&b'\\'),
                "{:?}",
                String::from_utf8_lossy(w)
            );
        }
    }

    #[test]
    fn skipping_whitespace_changes_nothing_else() {
        // Every string up to 5 bytes over the bytes that matter: the parser's
        // path (next_significant) sees the tokens and errors of the lossless
        // one (next_token) minus the whitespace.
        let mut inputs = all_strings(b"a \"'{};#\\\n", 5);
        inputs.push(b"content_by_lua_block { a }  x;".to_vec());
        for input in &inputs {
            let (all, errors) = tokenize(input);
            let expected: Vec<Token> = all
                .into_iter()
                .filter(|t| t.kind != TokenKind::Whitespace)
                .collect();
            let mut lexer = Lexer::new(input);
            let mut got = Vec::new();
            while let Some(t) = lexer.next_significant() {
                got.push(t);
            }
            let shown = String::from_utf8_lossy(input);
            assert_eq!(got, expected, "{shown:?}");
            assert_eq!(lexer.errors, errors, "{shown:?}");
        }
    }

    fn words(src: &str) -> Vec<String> {
        tokenize(src.as_bytes())
            .0
            .iter()
            .filter(|t| matches!(t.kind, TokenKind::Word { .. }))
            .map(|t| src[t.start..t.end].to_string())
            .collect()
    }

    #[test]
    fn hash_and_quote_are_special_only_at_token_start() {
        assert_eq!(words("a#b c\"d;"), vec!["a#b", "c\"d"]);
        assert_eq!(words("# x ;\nfoo"), vec!["foo"]);
    }

    #[test]
    fn brace_after_dollar_stays_in_word() {
        assert_eq!(
            words("return 200 ${host}x;"),
            vec!["return", "200", "${host}x"]
        );
        assert_eq!(words("a{b"), vec!["a", "b"]);
        assert_eq!(words("a}b;"), vec!["a}b"]);
    }

    #[test]
    fn escapes_keep_the_next_byte() {
        assert_eq!(words("a\\ b;"), vec!["a\\ b"]);
        let mut out = String::new();
        unescape_into(b"a\\\"b\\tc\\x", &mut out);
        assert_eq!(out, "a\"b\tc\\x");
    }

    #[test]
    fn closing_quote_needs_space() {
        let (_, errs) = tokenize(b"a \"b\"c;");
        assert_eq!(errs[0].message, "unexpected \"c\"");
        let (_, errs) = tokenize(b"if ($a = \"b\") {}");
        assert!(errs.is_empty());
    }

    #[test]
    fn lua_block_body_is_raw() {
        let src = "content_by_lua_block { local t = {a = \"}\"} -- }\n ngx.say(1) }";
        let (toks, errs) = tokenize(src.as_bytes());
        assert!(errs.is_empty());
        let raw: Vec<_> = toks
            .iter()
            .filter(|t| matches!(t.kind, TokenKind::RawBody { .. }))
            .collect();
        assert_eq!(raw.len(), 1);
        assert!(src[raw[0].start..raw[0].end].ends_with("ngx.say(1) "));
    }

    #[test]
    fn tokens_tile_the_input() {
        let src = b"http { server { listen 80; # c\n } } \"unterminated";
        let (toks, _) = tokenize(src);
        let mut at = 0;
        for t in &toks {
            assert_eq!(t.start, at);
            at = t.end;
        }
        assert_eq!(at, src.len());
    }
}
