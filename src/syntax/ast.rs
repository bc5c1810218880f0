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
    /// The arguments, behind the name token when `name_word` is set
    /// ([`Directive::args`] skips it).
    words: Words,
    /// Boxed: most directives have no block, and an inline one tripled
    /// the size of every directive.
    pub block: Option<Box<Block>>,
    /// From the first byte of the name to the `;` or the block's `}`.
    pub span: Span,
    /// The name's number when nginx knows it, else [`UNKNOWN_NAME`]. A
    /// million directives: a 2-byte number instead of a word each
    /// (docs/performance.md).
    name: u16,
    /// Whether the name token is the first of `words`: when nginx does not
    /// know the name, or it is written other than bare (quoted, escaped).
    /// Otherwise the token is the name's own bytes at the start of `span`.
    name_word: bool,
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
        let bare = id.is_some_and(|id| (name.end - name.start) as usize == id.as_str().len());
        Directive {
            words: words.take(usize::from(bare)),
            block: None,
            span: name.to(end),
            name: id.map_or(UNKNOWN_NAME, |id| id.0),
            name_word: !bare,
            terminated,
        }
    }

    pub fn name(&self) -> &str {
        match self.name_id() {
            Some(id) => id.as_str(),
            None => self.words.value(0).unwrap_or_default(),
        }
    }

    /// How many of `words` come before the arguments.
    fn skip(&self) -> usize {
        usize::from(self.name_word)
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
        match self.name_id() {
            Some(id) if !self.name_word => Span {
                end: self.span.start + id.as_str().len() as u32,
                ..self.span
            },
            _ => self.words.parts().get(self.span.file, 0).span,
        }
    }

    /// The words after the name.
    pub fn args(&self) -> Args<'_> {
        let skip = self.skip();
        let words = self.words.parts();
        Args {
            words,
            file: self.span.file,
            front: skip.min(words.len()),
            back: words.len(),
        }
    }

    /// How many arguments: `args().len()` without reading the words
    /// themselves (validation asks it of every directive).
    pub fn arg_count(&self) -> usize {
        self.words.len().saturating_sub(self.skip())
    }

    /// The values of the arguments run together (with the name's first
    /// when it is written quoted or escaped): whether some argument holds
    /// a string, without reading them one by one.
    pub fn words_text(&self) -> &str {
        self.words.joined()
    }

    pub fn arg(&self, i: usize) -> Option<&str> {
        self.words.value(i + self.skip())
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
        self.block.as_ref().map(|b| b.directives()).unwrap_or(&[])
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
        self.front = self.front.saturating_add(n).min(self.back);
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

/// A `{ … }` body. Its braces are one byte each, so offsets stand for
/// their spans: 40 bytes instead of 72, and a large config has a quarter
/// of a million blocks.
#[derive(Debug, Clone)]
pub struct Block {
    directives: Box<[Directive]>,
    file: FileId,
    open: u32,
    /// [`NONE`] when the file ended before the block was closed.
    close: u32,
    /// The body of a `*_by_lua_block` (Lua, not nginx syntax, kept as
    /// raw text); `raw_start` is [`NONE`] for other blocks.
    raw_start: u32,
    raw_end: u32,
}

/// An absent offset: no file reaches 4 GiB (spans are u32 offsets).
const NONE: u32 = u32::MAX;

impl Block {
    pub(crate) fn new(
        open: Span,
        close: Option<Span>,
        directives: Box<[Directive]>,
        raw: Option<Span>,
    ) -> Block {
        Block {
            directives,
            file: open.file,
            open: open.start,
            close: close.map_or(NONE, |c| c.start),
            raw_start: raw.map_or(NONE, |r| r.start),
            raw_end: raw.map_or(NONE, |r| r.end),
        }
    }

    pub fn directives(&self) -> &[Directive] {
        &self.directives
    }

    /// The `{`.
    pub fn open(&self) -> Span {
        self.byte(self.open)
    }

    /// The `}`; None when the file ended before the block was closed.
    pub fn close(&self) -> Option<Span> {
        (self.close != NONE).then(|| self.byte(self.close))
    }

    /// The body of a `*_by_lua_block`, kept as raw text (it is Lua, not nginx syntax).
    pub fn raw(&self) -> Option<Span> {
        (self.raw_start != NONE).then_some(Span {
            file: self.file,
            start: self.raw_start,
            end: self.raw_end,
        })
    }

    fn byte(&self, at: u32) -> Span {
        Span {
            file: self.file,
            start: at,
            end: at + 1,
        }
    }
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
    /// Every directive in the file, blocks' contents included, and how many
    /// of them are `include`s: counted while parsing, so that loading and
    /// rules need not walk a file that includes nothing.
    pub directive_count: usize,
    pub include_count: usize,
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
        // A 46 MB config holds 1.3 million directives and a quarter of a
        // million blocks: every byte here is megabytes there
        // (docs/performance.md).
        assert!(std::mem::size_of::<Directive>() <= 40);
        assert!(std::mem::size_of::<Block>() <= 40);
        // A chunk pointer, an offset and the word count.
        assert!(std::mem::size_of::<crate::syntax::words::Words>() <= 16);
    }

    #[test]
    fn arg_count_is_the_number_of_args() {
        let f = crate::syntax::parse(
            FileId(0),
            b"listen 80 ssl;\n\"listen\" 81;\nlisten_x 82 a b;\nx;\nhttp { }\n",
        );
        let counts: Vec<usize> = f.walk().map(|d| d.arg_count()).collect();
        assert_eq!(counts, [2, 1, 3, 0, 0]);
        for d in f.walk() {
            assert_eq!(d.arg_count(), d.args().len(), "{}", d.name());
        }
    }

    #[test]
    fn name_tokens_bare_quoted_and_unknown() {
        use crate::syntax::names::ids;
        let f = crate::syntax::parse(FileId(0), b"listen 80;\n\"listen\" 81;\nlisten_x 82;");
        let got: Vec<String> = f
            .directives
            .iter()
            .map(|d| {
                let s = d.name_span();
                let args: Vec<&str> = d.args().map(|w| w.value).collect();
                let known = d.is(ids::LISTEN);
                format!("{} {known} {}..{} {args:?}", d.name(), s.start, s.end)
            })
            .collect();
        assert_eq!(
            got,
            [
                "listen true 0..6 [\"80\"]",
                "listen true 11..19 [\"81\"]",
                "listen_x false 24..32 [\"82\"]",
            ]
        );
    }

    #[test]
    fn args_index_and_iterate_from_both_ends() {
        let f = crate::syntax::parse(FileId(0), b"add_header X 'a b' always;\nmy_name 1 2;");
        fn v(w: Option<Word<'_>>) -> Option<&str> {
            w.map(|w| w.value)
        }
        let d = &f.directives[0];
        let args = d.args();
        assert_eq!((args.len(), args.is_empty()), (3, false));
        assert_eq!(v(args.get(1)), Some("a b"));
        assert_eq!(args.get(1).unwrap().quote, Quote::Single);
        assert_eq!(args.get(1).unwrap().span, Span::new(FileId(0), 13, 18));
        assert_eq!(v(args.get(3)), None);
        assert_eq!(v(args.first()), Some("X"));
        assert_eq!(args.span(), Some(Span::new(FileId(0), 11, 25)));
        assert_eq!(v(args.last()), Some("always"));
        let back: Vec<&str> = d.args().rev().map(|w| w.value).collect();
        assert_eq!(back, ["always", "a b", "X"]);
        // Indexing is relative to what the iterator has not yet given.
        let mut it = d.args();
        assert_eq!(v(it.next()), Some("X"));
        assert_eq!(v(it.next_back()), Some("always"));
        assert_eq!((it.len(), v(it.get(0))), (1, Some("a b")));
        assert_eq!(v(it.nth(5)), None);
        assert!(it.is_empty());
        // An unknown name is the first word; the arguments skip it.
        let d = &f.directives[1];
        assert_eq!(d.name(), "my_name");
        assert_eq!(d.args().map(|w| w.value).collect::<Vec<_>>(), ["1", "2"]);
        assert_eq!((d.arg(0), d.arg(1), d.arg(2)), (Some("1"), Some("2"), None));
        assert_eq!(d.args().nth(1).map(|w| w.value), Some("2"));
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
