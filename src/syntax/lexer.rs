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

/// Whitespace between tokens, as nginx's tokenizer has it ([`is_space`]
/// for one byte; this list for the sixteen-byte scan).
#[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
const SPACE_BYTES: &[u8] = b" \t\r\n";

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
            let end = spaces_end(self.src, self.pos);
            if end > self.pos {
                // Whitespace is what nginx wants after a closing quote.
                self.after_quote = false;
                self.pos = end;
            }
            // The commonest tokens, a bare word and `;`, straight to
            // `next_token`'s arms for them, without its general path.
            match self.src.get(self.pos) {
                Some(b';') if !self.after_quote => return self.semicolon(self.pos),
                Some(b'#' | b'{' | b'}' | b'"' | b'\'') | None => {}
                Some(_) if !self.after_quote => return self.bare_word(self.pos),
                Some(_) => {}
            }
        }
        self.next_token()
    }

    #[inline]
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
        match first {
            b' ' | b'\t' | b'\r' | b'\n' => {
                let (after, _) = whitespace(rest).unwrap_or((&[], rest));
                self.token(TokenKind::Whitespace, start, self.src.len() - after.len())
            }
            b'#' => {
                let (after, _) = comment(rest).unwrap_or((&[], rest));
                self.token(TokenKind::Comment, start, self.src.len() - after.len())
            }
            b';' => self.semicolon(start),
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
            _ => self.bare_word(start),
        }
    }

    #[inline]
    fn semicolon(&mut self, at: usize) -> Option<Token> {
        self.statement_is_lua_block = None;
        self.token(TokenKind::Semicolon, at, at + 1)
    }

    /// An unquoted word starting at `start`.
    #[inline]
    fn bare_word(&mut self, start: usize) -> Option<Token> {
        let (end, escaped) = bare_word_end(self.src, start);
        self.escaped = escaped;
        self.note_word(start, end);
        let kind = TokenKind::Word {
            quote: Quote::None,
            unterminated: false,
        };
        self.token(kind, start, end)
    }

    fn note_word(&mut self, start: usize, end: usize) {
        if self.statement_is_lua_block.is_none() {
            self.statement_is_lua_block = Some(self.src[start..end].ends_with(b"_by_lua_block"));
        }
    }
}

/// Bytes that can end or change the meaning of a bare word: whitespace,
/// `;`, `{`, `\\` and `$`. Everything else is skipped, sixteen bytes at a time
/// where the machine can ([`word_special`]).
const WORD_SPECIAL_BYTES: &[u8] = b" \t\r\n;{\\$";

/// [`WORD_SPECIAL_BYTES`] as a table, for the byte-at-a-time scan.
const WORD_SPECIAL: [bool; 256] = {
    let mut t = [false; 256];
    let special = WORD_SPECIAL_BYTES;
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
        i = word_special(src, i);
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

/// The first byte at or after `i` that [`WORD_SPECIAL`] marks, or the
/// end of `src`. Sixteen bytes at a time where SSE2 is there (every
/// x86-64): most words are a few bytes, and the byte loop was a tenth of
/// a whole check.
fn word_special(src: &[u8], mut i: usize) -> usize {
    #[cfg(target_arch = "x86_64")]
    while i + 16 <= src.len() {
        let mask = simd::mask_of(src, i, WORD_SPECIAL_BYTES);
        if mask != 0 {
            return i + mask.trailing_zeros() as usize;
        }
        i += 16;
    }
    while i < src.len() && !WORD_SPECIAL[src[i] as usize] {
        i += 1;
    }
    i
}

/// The first byte at or after `i` that is not whitespace, or the end of
/// `src`. Indentation is most of a config's whitespace.
fn spaces_end(src: &[u8], mut i: usize) -> usize {
    #[cfg(target_arch = "x86_64")]
    while i + 16 <= src.len() {
        let not_space = !simd::mask_of(src, i, SPACE_BYTES) & 0xFFFF;
        if not_space != 0 {
            return i + not_space.trailing_zeros() as usize;
        }
        i += 16;
    }
    while i < src.len() && is_space(src[i]) {
        i += 1;
    }
    i
}

#[cfg(target_arch = "x86_64")]
mod simd {
    use std::arch::x86_64::{
        __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8,
        _mm_setzero_si128,
    };

    /// Bit `k` set when `src[at + k]` is one of `bytes`, for k in 0..16.
    /// `at + 16 <= src.len()`.
    #[inline(always)]
    pub fn mask_of(src: &[u8], at: usize, bytes: &[u8]) -> u32 {
        let chunk: &[u8; 16] = src[at..at + 16].try_into().expect("sixteen bytes");
        // SAFETY: SSE2 is part of the x86-64 baseline, so every machine
        // this is compiled for has these instructions; `chunk` is 16
        // readable bytes, and an unaligned load asks nothing more.
        unsafe {
            let v = _mm_loadu_si128(chunk.as_ptr().cast::<__m128i>());
            let mut any = _mm_setzero_si128();
            for &b in bytes {
                any = _mm_or_si128(any, _mm_cmpeq_epi8(v, _mm_set1_epi8(b as i8)));
            }
            _mm_movemask_epi8(any) as u32
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
    fn sixteen_byte_scans_agree_with_the_byte_loops() {
        // The short strings above never reach the 16-byte path: long
        // pseudo-random ones over the bytes that matter (and some that do
        // not, as `}`, `#`, a vertical tab and non-ASCII), from every start.
        let alphabet = b"a ;{\\$}\n\t\r#\x0b\xc3\xa9xyz0";
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        for len in [15, 16, 17, 31, 32, 33, 64, 200] {
            for _ in 0..200 {
                let mut text: Vec<u8> = Vec::with_capacity(len);
                for _ in 0..len {
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    // Half the time the byte before again: runs of word
                    // bytes and of spaces are what the wide path is for.
                    let b = match text.last() {
                        Some(&last) if seed & 1 == 0 => last,
                        _ => alphabet[((seed >> 1) % alphabet.len() as u64) as usize],
                    };
                    text.push(b);
                }
                for start in 0..text.len() {
                    let (end, escaped) = bare_word_end(&text, start);
                    assert_eq!(
                        end,
                        reference_word_end(&text, start),
                        "{text:?} from {start}"
                    );
                    assert_eq!(escaped, text[start..end].contains(&b'\\'));
                    let spaces = start + text[start..].iter().take_while(|b| is_space(**b)).count();
                    assert_eq!(spaces_end(&text, start), spaces, "{text:?} from {start}");
                }
            }
        }
        // Word and indentation runs longer than 16 bytes.
        let long = format!(
            "{}proxy_set_header_with_a_long_name{}$x;",
            " ".repeat(40),
            "y".repeat(40)
        );
        let start = spaces_end(long.as_bytes(), 0);
        assert_eq!(start, 40);
        assert_eq!(bare_word_end(long.as_bytes(), start).0, long.len() - 1);
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
