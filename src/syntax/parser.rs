//! Builds the directive tree from tokens, recovering from errors.
//!
//! nginx stops at the first error; we record it in nginx's words and go on,
//! so one run shows every problem. The parser is iterative (an explicit stack
//! of open blocks), so 10,000 nested blocks cannot overflow the call stack;
//! nesting deeper than [`MAX_DEPTH`] is reported once and flattened.

use super::ast::{Block, Comment, Directive, ParsedFile, Quote, SyntaxError};
use super::lexer::{unescape_into, Lexer, TokenKind};
use super::names::ids;
use super::words::WordBuf;
use crate::source::{FileId, Span};

/// Deeper nesting than any real config; keeps later tree walks shallow.
pub const MAX_DEPTH: usize = 100;

/// A block being filled, with the directive head that opened it. Its
/// directives are the tail of the parser's one `pending` vector from
/// `first` on: a vector per open block grew by doubling and was then
/// shrunk, copying every directive of a large config three times.
struct OpenBlock {
    /// The directive that opened the block, with its `{`.
    head: Option<(Directive, Span)>,
    first: usize,
    raw: Option<Span>,
}

pub fn parse(file: FileId, src: &[u8]) -> ParsedFile {
    let mut lexer = Lexer::new(src);
    let mut errors = Vec::new();
    let mut comments = Vec::new();
    let mut stack = vec![OpenBlock {
        head: None,
        first: 0,
        raw: None,
    }];
    let mut pending: Vec<Directive> = Vec::new();
    // Words are cut at ASCII delimiters, so when the file is UTF-8 (all but
    // always) each word is too: validate once here, not once per word.
    let text = std::str::from_utf8(src).ok();
    // Words of the statement being read.
    let mut words = WordBuf::for_source(src.len());
    let mut counts = Counts::default();
    let mut flattened = 0usize;
    let mut depth_reported = false;
    let span = |s: usize, e: usize| Span::new(file, s, e);
    let err = |errors: &mut Vec<SyntaxError>, s: usize, e: usize, m: String| {
        errors.push(SyntaxError {
            span: Span::new(file, s, e),
            message: m,
        })
    };

    while let Some(tok) = lexer.next_significant() {
        match tok.kind {
            TokenKind::Whitespace => {}
            TokenKind::Comment => comments.push(Comment {
                span: span(tok.start, tok.end),
            }),
            TokenKind::Word { quote, .. } => {
                let inner = match quote {
                    Quote::None => &src[tok.start..tok.end],
                    _ => {
                        let end = if src[tok.end - 1] == src[tok.start] && tok.end - tok.start > 1 {
                            tok.end - 1
                        } else {
                            tok.end
                        };
                        &src[tok.start + 1..end]
                    }
                };
                let offset = inner.as_ptr() as usize - src.as_ptr() as usize;
                let verbatim = text
                    .filter(|_| !lexer.escaped)
                    .and_then(|t| t.get(offset..offset + inner.len()));
                match verbatim {
                    Some(t) => words.values().push_str(t),
                    None => unescape_into(inner, words.values()),
                }
                words.push(tok.start, tok.end, quote);
            }
            TokenKind::Semicolon => {
                if words.is_empty() {
                    err(&mut errors, tok.start, tok.end, "unexpected \";\"".into());
                    continue;
                }
                pending.push(statement(
                    &mut words,
                    &mut counts,
                    file,
                    Some(span(tok.start, tok.end)),
                ));
            }
            TokenKind::OpenBrace => {
                if words.is_empty() {
                    err(&mut errors, tok.start, tok.end, "unexpected \"{\"".into());
                    // Treat as an anonymous block so its `}` still balances.
                    words.push(tok.start, tok.start, Quote::None);
                }
                if stack.len() > MAX_DEPTH {
                    if !depth_reported {
                        depth_reported = true;
                        err(
                            &mut errors,
                            tok.start,
                            tok.end,
                            format!("blocks nested more than {MAX_DEPTH} levels deep"),
                        );
                    }
                    // Keep the head as a plain directive and the body's
                    // directives at this level; remember to swallow one `}`.
                    flattened += 1;
                    let mut d = statement(&mut words, &mut counts, file, None);
                    d.span = d.span.to(span(tok.start, tok.end));
                    pending.push(d);
                    continue;
                }
                stack.push(OpenBlock {
                    head: Some((
                        statement(&mut words, &mut counts, file, None),
                        span(tok.start, tok.end),
                    )),
                    first: pending.len(),
                    raw: None,
                });
            }
            TokenKind::RawBody { .. } => {
                stack.last_mut().unwrap().raw = Some(span(tok.start, tok.end));
            }
            TokenKind::CloseBrace => {
                let cut_short = !words.is_empty();
                if cut_short {
                    err(&mut errors, tok.start, tok.end, "unexpected \"}\"".into());
                    // Keep the words as a directive cut short, so nothing is lost.
                    pending.push(statement(&mut words, &mut counts, file, None));
                }
                if flattened > 0 {
                    flattened -= 1;
                    continue;
                }
                if stack.len() == 1 {
                    if !cut_short {
                        err(&mut errors, tok.start, tok.end, "unexpected \"}\"".into());
                    }
                    continue;
                }
                close_block(&mut stack, &mut pending, Some(span(tok.start, tok.end)));
            }
        }
    }

    let eof = src.len();
    let lex_errors = std::mem::take(&mut lexer.errors);
    for e in lex_errors {
        err(&mut errors, e.offset, e.offset, e.message);
    }
    if !words.is_empty() {
        let quote_reported = errors
            .iter()
            .any(|e| e.span.start as usize == eof && e.message.starts_with("unexpected end"));
        if !quote_reported {
            err(
                &mut errors,
                eof,
                eof,
                "unexpected end of file, expecting \";\" or \"}\"".into(),
            );
        }
        pending.push(statement(&mut words, &mut counts, file, None));
    }
    if stack.len() > 1 {
        err(
            &mut errors,
            eof,
            eof,
            "unexpected end of file, expecting \"}\"".into(),
        );
        while stack.len() > 1 {
            close_block(&mut stack, &mut pending, None);
        }
    }
    // Freezes the last chunk of packed words: the directives can be read.
    drop(words);
    errors.sort_by_key(|e| e.span.start);
    ParsedFile {
        file,
        // Only the root's directives are left: at their exact size.
        directives: {
            pending.shrink_to_fit();
            pending
        },
        comments,
        errors,
        directive_count: counts.directives,
        include_count: counts.includes,
    }
}

/// The statement in `words` as a directive without a block, ended by the
/// `;` at `semicolon` or else cut short after its last word. Its words are
/// moved into a list of exactly their size (the statement buffer keeps its
/// capacity for the next statement): large configs have a million
/// directives, and growth slack in each adds up. `words` is not empty.
fn statement(
    words: &mut WordBuf,
    counts: &mut Counts,
    file: FileId,
    semicolon: Option<Span>,
) -> Directive {
    let end = semicolon.unwrap_or_else(|| words.last_span(file));
    let d = Directive::new(words, end, semicolon.is_some());
    counts.directives += 1;
    counts.includes += usize::from(d.is(ids::INCLUDE));
    d
}

/// Directives and `include`s seen so far ([`ParsedFile::directive_count`]).
#[derive(Default)]
struct Counts {
    directives: usize,
    includes: usize,
}

fn close_block(stack: &mut Vec<OpenBlock>, pending: &mut Vec<Directive>, close: Option<Span>) {
    let open = stack.pop().unwrap();
    let (mut d, open_span) = open.head.unwrap();
    let directives = pending.split_off(open.first).into_boxed_slice();
    let end = close.unwrap_or_else(|| {
        directives
            .last()
            .map(|d| d.span)
            .or(open.raw)
            .unwrap_or(open_span)
    });
    d.span = d.span.to(end);
    d.block = Some(Box::new(Block::new(open_span, close, directives, open.raw)));
    pending.push(d);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_have_no_growth_slack() {
        // Memory on large configs depends on it (and clippy would rather
        // `mem::take` the statement buffer, which keeps the slack).
        let f = parse(
            FileId(0),
            b"a 1 2 3 4 5;\nb;\nc 1;\nd { e; f 1 2; g { h; i; j; } }\nk;\n",
        );
        assert_eq!(f.directives.capacity(), f.directives.len());
        let names: Vec<&str> = f.walk().map(|d| d.name()).collect();
        assert_eq!(
            names,
            ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k"]
        );
    }

    fn p(src: &str) -> ParsedFile {
        parse(FileId(0), src.as_bytes())
    }

    fn messages(src: &str) -> Vec<String> {
        p(src).errors.into_iter().map(|e| e.message).collect()
    }

    #[test]
    fn nested_blocks_and_args() {
        let f = p("http {\n server { listen 443 ssl; location / { proxy_pass http://a; } }\n}\n");
        assert!(f.errors.is_empty());
        let names: Vec<_> = f.walk().map(|d| d.name().to_string()).collect();
        assert_eq!(
            names,
            ["http", "server", "listen", "location", "proxy_pass"]
        );
        let listen = f.walk().nth(2).unwrap();
        assert_eq!(listen.arg(1), Some("ssl"));
    }

    #[test]
    fn nginx_wording_for_errors() {
        assert_eq!(messages("}"), ["unexpected \"}\""]);
        assert_eq!(messages("a b }"), ["unexpected \"}\""]);
        assert_eq!(
            messages("events {"),
            ["unexpected end of file, expecting \"}\""]
        );
        assert_eq!(
            messages("user nginx"),
            ["unexpected end of file, expecting \";\" or \"}\""]
        );
        assert_eq!(messages(";"), ["unexpected \";\""]);
        assert_eq!(
            messages("a \"b"),
            ["unexpected end of file, expecting \";\" or \"}\""]
        );
    }

    #[test]
    fn quoted_values_are_unquoted() {
        let f = p("add_header X \"a b\" 'c';");
        let d = &f.directives[0];
        assert_eq!(d.arg(1), Some("a b"));
        assert_eq!(d.args().get(1).unwrap().quote, Quote::Double);
        assert_eq!(d.arg(2), Some("c"));
    }

    #[test]
    fn counts_every_directive_and_include() {
        for src in [
            "",
            "a;",
            "include a.conf;\nhttp { include b/*.conf; server { include c; listen 80; } }\n",
            // Cut short, an anonymous block, and nesting flattened past the limit.
            "a { b; include x\n}\n{ c; }\n",
            &("d {".repeat(MAX_DEPTH + 3) + "include y;" + &"}".repeat(MAX_DEPTH + 3)),
        ] {
            let f = p(src);
            assert_eq!(f.directive_count, f.walk().count(), "{src}");
            let includes = f.walk().filter(|d| d.name() == "include").count();
            assert_eq!(f.include_count, includes, "{src}");
        }
        assert_eq!(p("include a; x { include b; }").include_count, 2);
    }

    #[test]
    fn deep_nesting_is_bounded() {
        let src = "a {".repeat(10_000) + &"}".repeat(10_000);
        let f = p(&src);
        assert_eq!(f.errors.len(), 1, "{:?}", f.errors);
        assert!(f.errors[0].message.contains("nested"));
    }
}
