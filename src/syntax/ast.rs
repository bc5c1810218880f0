//! The syntax tree of one nginx config file.
//!
//! Nodes keep spans into the original bytes, so diagnostics point at exact
//! positions and fixes are byte-range edits. Whitespace and comments are not
//! nodes; [`super::lexer`] keeps them as tokens, and [`ParsedFile::comments`]
//! keeps the comments for suppression and documentation.

use super::names::NameId;
use super::words::{Parts, WordBuf, Words};
pub use super::words::{Quote, Word};
use crate::source::{FileId, Span};

#[derive(Debug, Clone)]
pub struct Directive {
    /// The arguments, behind the name when nginx does not know the name
    /// ([`Directive::args`] skips it).
    words: Words,
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
    /// A directive without a block, from its name (the first word; `words`
    /// is not empty) to `end` (the `;`, or its last word when cut short),
    /// taking the words and leaving `words` empty with its capacity. The
    /// parser sets `block` and widens `span` when the directive opens one.
    pub(crate) fn new(words: &mut WordBuf, end: Span, terminated: bool) -> Directive {
        let name = words.first_span(end.file);
        let id = NameId::of(words.first_value());
        Directive {
            words: words.take(usize::from(id.is_some())),
            block: None,
            span: name.to(end),
            name_end: name.end,
            name: id.map_or(UNKNOWN_NAME, |id| id.0),
            terminated,
        }
    }

    pub fn name(&self) -> &str {
        match self.name_id() {
            Some(id) => id.as_str(),
            None => self.words.value(0).unwrap_or_default(),
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
    pub fn args(&self) -> Args<'_> {
        let skip = usize::from(self.name == UNKNOWN_NAME);
        let words = self.words.parts();
        Args {
            words,
            file: self.span.file,
            front: skip.min(words.len()),
            back: words.len(),
        }
    }

    pub fn arg(&self, i: usize) -> Option<&str> {
        self.words.value(i + usize::from(self.name == UNKNOWN_NAME))
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

/// A directive's arguments: indexed with [`Args::get`], or iterated (from
/// either end) as [`Word`]s.
#[derive(Debug, Clone)]
pub struct Args<'a> {
    words: Parts<'a>,
    file: FileId,
    front: usize,
    back: usize,
}

impl<'a> Args<'a> {
    pub fn len(&self) -> usize {
        self.back - self.front
    }

    pub fn is_empty(&self) -> bool {
        self.front == self.back
    }

    pub fn get(&self, i: usize) -> Option<Word<'a>> {
        (i < self.len()).then(|| self.words.get(self.file, self.front + i))
    }

    pub fn first(&self) -> Option<Word<'a>> {
        self.get(0)
    }

    pub fn last(&self) -> Option<Word<'a>> {
        self.len().checked_sub(1).and_then(|i| self.get(i))
    }

    /// From the first word to the last, when there are any.
    pub fn span(&self) -> Option<Span> {
        Some(self.first()?.span.to(self.last()?.span))
    }

    /// The same words, as an iterator (`args` already is one).
    pub fn iter(&self) -> Args<'a> {
        self.clone()
    }
}

impl<'a> Iterator for Args<'a> {
    type Item = Word<'a>;

    fn next(&mut self) -> Option<Word<'a>> {
        let w = self.get(0)?;
        self.front += 1;
        Some(w)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.len(), Some(self.len()))
    }

    fn nth(&mut self, n: usize) -> Option<Word<'a>> {
        self.front = (self.front + n).min(self.back);
        self.next()
    }

    fn last(self) -> Option<Word<'a>> {
        Args::last(&self)
    }
}

impl<'a> DoubleEndedIterator for Args<'a> {
    fn next_back(&mut self) -> Option<Word<'a>> {
        let w = Args::last(self)?;
        self.back -= 1;
        Some(w)
    }
}

impl ExactSizeIterator for Args<'_> {}

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
