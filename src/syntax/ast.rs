//! The syntax tree of one nginx config file.
//!
//! Nodes keep spans into the original bytes, so diagnostics point at exact
//! positions and fixes are byte-range edits. Whitespace and comments are not
//! nodes; [`super::lexer`] keeps them as tokens, and [`ParsedFile::comments`]
//! keeps the comments for suppression and documentation.

use compact_str::CompactString;

use super::names::NameId;
use crate::source::{FileId, Span};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quote {
    None,
    Single,
    Double,
}

/// One token of a directive: its name or an argument.
#[derive(Debug, Clone)]
pub struct Word {
    /// The whole token, quotes included.
    pub span: Span,
    /// The value as nginx sees it: quotes removed, `\"` `\'` `\\` `\t` `\r` `\n` unescaped.
    /// Kept inline up to 24 bytes (most words): a large config has
    /// millions of words, and a heap allocation each dominated memory.
    pub value: CompactString,
    pub quote: Quote,
}

impl Word {
    pub fn as_str(&self) -> &str {
        &self.value
    }
}

#[derive(Debug, Clone)]
pub struct Directive {
    /// The arguments, behind the name when nginx does not know the name
    /// ([`Directive::args`] skips it). A boxed slice: exactly its length.
    words: Box<[Word]>,
    /// Boxed: most directives have no block, and an inline one tripled
    /// the size of every directive.
    pub block: Option<Box<Block>>,
    /// From the first byte of the name to the `;` or the block's `}`.
    pub span: Span,
    /// Where the name token ends (it starts where `span` does).
    name_end: u32,
    /// The name's number when nginx knows it, else [`UNKNOWN_NAME`] and the
    /// name is `words[0]`. A million directives: a 2-byte number instead of
    /// a 40-byte word each (docs/performance.md).
    name: u16,
    /// Whether a `;` ends it (not for block directives, nor for a directive
    /// cut short by an error); [`Directive::semicolon`] gives its span. A
    /// flag rather than a stored span: a million directives, 16 bytes each.
    pub terminated: bool,
}

/// [`Directive::name`] is not a number: the name is the first word.
const UNKNOWN_NAME: u16 = u16::MAX;

impl Directive {
    /// A directive without a block, from its name (`words[0]`; `words` is
    /// not empty) to `end` (the `;`, or its last word when cut short),
    /// taking the words and leaving `words` empty with its capacity. The
    /// parser sets `block` and widens `span` when the directive opens one.
    pub(crate) fn new(words: &mut Vec<Word>, end: Span, terminated: bool) -> Directive {
        let name = &words[0];
        let span = name.span.to(end);
        let name_end = name.span.end;
        let id = NameId::of(&name.value);
        if id.is_some() {
            words.remove(0);
        }
        // Moved in one copy into a list of exactly their size: a boxed
        // slice without reallocating (collecting from an iterator cost
        // three times as much, a million times on a large config).
        let mut own = Vec::with_capacity(words.len());
        own.append(words);
        Directive {
            words: own.into_boxed_slice(),
            block: None,
            span,
            name_end,
            name: id.map_or(UNKNOWN_NAME, |id| id.0),
            terminated,
        }
    }

    pub fn name(&self) -> &str {
        match self.name_id() {
            Some(id) => id.as_str(),
            None => &self.words[0].value,
        }
    }

    /// Whether this is the directive `id` names (`d.is(ids::INCLUDE)`):
    /// an integer compare, and a misspelt name does not compile.
    pub fn is(&self, id: NameId) -> bool {
        self.name == id.0
    }

    /// The name's number, when nginx knows the name.
    pub fn name_id(&self) -> Option<NameId> {
        (self.name != UNKNOWN_NAME).then_some(NameId(self.name))
    }

    /// The name token, quotes included.
    pub fn name_span(&self) -> Span {
        Span::new(
            self.span.file,
            self.span.start as usize,
            self.name_end as usize,
        )
    }

    /// The words after the name.
    pub fn args(&self) -> &[Word] {
        let skip = usize::from(self.name == UNKNOWN_NAME);
        &self.words[skip..]
    }

    pub fn arg(&self, i: usize) -> Option<&str> {
        self.args().get(i).map(|w| w.value.as_str())
    }

    /// The span of name and arguments, without the block: what a caret should underline.
    pub fn head_span(&self) -> Span {
        let name = self.name_span();
        let end = self.args().last().map(|a| a.span).unwrap_or(name);
        name.to(end)
    }

    /// The terminating `;`: the last byte of the directive's span.
    pub fn semicolon(&self) -> Option<Span> {
        self.terminated.then(|| {
            Span::new(
                self.span.file,
                self.span.end as usize - 1,
                self.span.end as usize,
            )
        })
    }

    pub fn children(&self) -> &[Directive] {
        self.block
            .as_ref()
            .map(|b| &b.directives[..])
            .unwrap_or(&[])
    }
}

#[derive(Debug, Clone)]
pub struct Block {
    pub open: Span,
    /// None when the file ended before the block was closed.
    pub close: Option<Span>,
    pub directives: Vec<Directive>,
    /// The body of a `*_by_lua_block`, kept as raw text (it is Lua, not nginx syntax).
    pub raw: Option<Span>,
}

#[derive(Debug, Clone)]
pub struct Comment {
    /// From `#` to the end of the line (newline excluded).
    pub span: Span,
}

/// A syntax error, in nginx's wording.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub span: Span,
    pub message: String,
}

#[derive(Debug, Clone)]
pub struct ParsedFile {
    pub file: FileId,
    pub directives: Vec<Directive>,
    pub comments: Vec<Comment>,
    pub errors: Vec<SyntaxError>,
}

impl ParsedFile {
    /// Every directive in the file, depth first, in source order.
    pub fn walk(&self) -> impl Iterator<Item = &Directive> {
        let mut stack: Vec<&Directive> = self.directives.iter().rev().collect();
        std::iter::from_fn(move || {
            let d = stack.pop()?;
            stack.extend(d.children().iter().rev());
            Some(d)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nodes_stay_small() {
        // A 46 MB config holds 1.4 million directives and 1.8 million
        // argument words: every byte here is megabytes there
        // (docs/performance.md).
        assert!(std::mem::size_of::<Word>() <= 40);
        assert!(std::mem::size_of::<Directive>() <= 48);
    }

    #[test]
    fn semicolon_is_the_last_byte() {
        let f = crate::syntax::parse(FileId(0), b"a b;\nc { d; }\ne f");
        let spans: Vec<Option<(u32, u32)>> = f
            .walk()
            .map(|d| d.semicolon().map(|s| (s.start, s.end)))
            .collect();
        // a b;  c {…} (a block: none)  d;  e f (cut short: none)
        assert_eq!(spans, [Some((3, 4)), None, Some((10, 11)), None]);
    }
}
