//! nginx's configuration syntax: a lossless lexer and an error-recovering parser.

pub mod ast;
pub mod lexer;
pub mod names;
pub mod parser;
pub mod words;

pub use ast::{Args, Block, Comment, Directive, ParsedFile, Quote, SyntaxError, Word};
pub use names::NameId;
pub use parser::parse;

/// Re-emit a file from its tokens. Equal to the input byte for byte; the
/// round-trip tests hold us to that.
pub fn print_tokens(src: &[u8]) -> Vec<u8> {
    let (tokens, _) = lexer::tokenize(src);
    let mut out = Vec::with_capacity(src.len());
    for t in tokens {
        out.extend_from_slice(&src[t.start..t.end]);
    }
    out
}

/// Re-emit a file from its syntax tree: every name, argument, `;`, brace,
/// raw body and comment is copied from its span, and the gaps between them
/// must be whitespace only. Returns None if the tree lost or invented a byte.
pub fn print_tree(file: &ParsedFile, src: &[u8]) -> Option<Vec<u8>> {
    let mut spans: Vec<(u32, u32)> = file
        .comments
        .iter()
        .map(|c| (c.span.start, c.span.end))
        .collect();
    for d in file.walk() {
        spans.push((d.name_span().start, d.name_span().end));
        spans.extend(d.args().iter().map(|a| (a.span.start, a.span.end)));
        if let Some(s) = d.semicolon() {
            spans.push((s.start, s.end));
        }
        if let Some(b) = &d.block {
            spans.push((b.open().start, b.open().end));
            if let Some(r) = b.raw() {
                spans.push((r.start, r.end));
            }
            if let Some(c) = b.close() {
                spans.push((c.start, c.end));
            }
        }
    }
    spans.sort_unstable();
    let mut out = Vec::with_capacity(src.len());
    let mut at = 0usize;
    for (s, e) in spans {
        let (s, e) = (s as usize, e as usize);
        if s < at {
            if s == e {
                continue; // zero-width placeholder from error recovery
            }
            return None;
        }
        let gap = &src[at..s];
        if !gap.iter().all(|b| b.is_ascii_whitespace()) {
            return None;
        }
        out.extend_from_slice(gap);
        out.extend_from_slice(&src[s..e]);
        at = e;
    }
    let tail = &src[at..];
    if !tail.iter().all(|b| b.is_ascii_whitespace()) {
        return None;
    }
    out.extend_from_slice(tail);
    Some(out)
}
