//! A directive's words, packed side by side in its file's word buffer.
//!
//! A 46 MB config has 1.9 million words. As a list of structs per directive
//! (span, an inline string, quote: 40 bytes each) they took 75 MB, plus 7 MB
//! for the values too long to stay inline, each a heap allocation of its own.
//! Packed as positions, quotes and value bytes they take about half; and
//! packed one directive after another into a few large buffers per file
//! rather than an allocation per directive, they save the allocator's 16-odd
//! bytes of overhead a million times over, and its time. [`Word`] is the
//! view handed out.

use std::fmt;
use std::sync::{Arc, OnceLock};

use crate::source::{FileId, Span};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quote {
    None,
    Single,
    Double,
}

/// One token of a directive: its name or an argument.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Word<'a> {
    /// The whole token, quotes included.
    pub span: Span,
    /// The value as nginx sees it: quotes removed, `\"` `\'` `\\` `\t` `\r` `\n` unescaped.
    pub value: &'a str,
    pub quote: Quote,
}

/// Bytes of one word's entry: its start as u32, then its length and the
/// end of its value as u16 ([`NARROW`]), or as u32 when either does not fit
/// ([`WIDE`]: a directive with a 64 KiB token or 64 KiB of values).
const NARROW: usize = 8;
const WIDE: usize = 12;

/// The top bit of [`Words::len`]: the entries are wide.
const WIDE_FLAG: u32 = 1 << 31;

/// A buffer of packed directives' words: filled while its file is parsed,
/// then frozen (set) and only read. Shared by the directives it holds.
type Chunk = Arc<OnceLock<Box<[u8]>>>;

/// A buffer stops taking new directives past this size, so offsets stay
/// small and a huge file does not need one huge reallocation.
const CHUNK_BYTES: usize = 1 << 20;

/// One directive's words: `[count × (start, length, value end)][count ×
/// quote][values]` at `at` in `chunk`, the numbers native-endian, value
/// ends counted from the start of the values. No chunk when there are no
/// words. A million directives of a large config pack 1.9 million words:
/// 16-bit lengths where 32 bits were spent saved 7.6 MB there, and the
/// count, kept only here since the packed copy went, 4.7 MB.
#[derive(Clone, Default)]
pub struct Words {
    chunk: Option<Chunk>,
    at: u32,
    /// The count, with [`WIDE_FLAG`] when the entries are wide. Here and
    /// not in the chunk: validation and most rules ask how many words a
    /// directive has, and reading it from the chunk was a cache miss per
    /// directive on a large config.
    len: u32,
}

/// How one directive's words are laid out in its chunk.
#[derive(Debug, Clone, Copy)]
struct Layout {
    n: usize,
    entry: usize,
}

impl Layout {
    fn quotes(self) -> usize {
        self.n * self.entry
    }

    fn values(self) -> usize {
        self.n * (self.entry + 1)
    }

    /// Start, end and value end of word `i` in `entries`.
    #[inline]
    fn entry(self, entries: &[u8], i: usize) -> [u32; 3] {
        let at = i * self.entry;
        if self.entry == NARROW {
            let e: &[u8; NARROW] = entries[at..at + NARROW].try_into().expect("an entry");
            let start = u32::from_ne_bytes([e[0], e[1], e[2], e[3]]);
            let len = u16::from_ne_bytes([e[4], e[5]]) as u32;
            [start, start + len, u16::from_ne_bytes([e[6], e[7]]) as u32]
        } else {
            let e: &[u8; WIDE] = entries[at..at + WIDE].try_into().expect("an entry");
            let word = |k: usize| u32::from_ne_bytes([e[k], e[k + 1], e[k + 2], e[k + 3]]);
            [word(0), word(4), word(8)]
        }
    }

    /// Where word `i`'s value ends among the values.
    #[inline]
    fn value_end(self, entries: &[u8], i: usize) -> u32 {
        let at = i * self.entry;
        if self.entry == NARROW {
            u16_at(entries, at + 6) as u32
        } else {
            u32_at(entries, at + 8)
        }
    }

    /// Where word `i`'s value starts among the values.
    #[inline]
    fn value_start(self, entries: &[u8], i: usize) -> u32 {
        match i {
            0 => 0,
            _ => self.value_end(entries, i - 1),
        }
    }
}

impl Words {
    /// The packed words from their start to the end of the chunk.
    fn bytes(&self) -> &[u8] {
        match &self.chunk {
            Some(chunk) => {
                let all = chunk
                    .get()
                    .expect("a chunk is frozen when its file is parsed");
                &all[self.at as usize..]
            }
            None => &[],
        }
    }

    pub fn len(&self) -> usize {
        (self.len & !WIDE_FLAG) as usize
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    fn layout(&self) -> Layout {
        Layout {
            n: self.len(),
            entry: if self.len & WIDE_FLAG != 0 {
                WIDE
            } else {
                NARROW
            },
        }
    }

    /// The value of word `i`, read straight from the layout: the one
    /// thing most readers want (`Directive::arg`), without a whole [`Word`].
    pub fn value(&self, i: usize) -> Option<&str> {
        let n = self.len();
        if i >= n {
            return None;
        }
        let bytes = self.bytes();
        let layout = self.layout();
        let from = layout.value_start(bytes, i);
        let to = layout.value_end(bytes, i);
        Some(&values(bytes, layout)[from as usize..to as usize])
    }

    /// Every word's value run together, in order: for a quick substring
    /// test before reading the words one by one.
    pub fn joined(&self) -> &str {
        if self.is_empty() {
            return "";
        }
        values(self.bytes(), self.layout())
    }

    /// The packed parts: entries, quotes and the values as one string.
    pub fn parts(&self) -> Parts<'_> {
        let n = self.len();
        if n == 0 {
            return Parts::default();
        }
        let bytes = self.bytes();
        let layout = self.layout();
        Parts {
            entries: &bytes[..layout.quotes()],
            quotes: &bytes[layout.quotes()..layout.values()],
            values: values(bytes, layout),
            layout,
        }
    }
}

/// The values of the (one or more) packed words at the start of `bytes`.
fn values(bytes: &[u8], layout: Layout) -> &str {
    let start = layout.values();
    let len = layout.value_end(bytes, layout.n - 1) as usize;
    let values = &bytes[start..start + len];
    debug_assert!(std::str::from_utf8(values).is_ok());
    // SAFETY: `WordBuf::take` copied these bytes from a whole `str` and
    // wrote its length as the last value end (it asserts both), and a
    // frozen chunk is never changed. Checking them again on every read
    // cost a sixth of a whole check.
    unsafe { std::str::from_utf8_unchecked(values) }
}

/// A [`Words`] split once into its parts, so reading a word is a few loads.
#[derive(Debug, Clone, Copy)]
pub struct Parts<'a> {
    entries: &'a [u8],
    quotes: &'a [u8],
    values: &'a str,
    layout: Layout,
}

impl Default for Parts<'_> {
    fn default() -> Self {
        Parts {
            entries: &[],
            quotes: &[],
            values: "",
            layout: Layout {
                n: 0,
                entry: NARROW,
            },
        }
    }
}

impl<'a> Parts<'a> {
    pub fn len(&self) -> usize {
        self.quotes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.quotes.is_empty()
    }

    /// Word `i` (`i < len`), its span in `file`.
    pub fn get(&self, file: FileId, i: usize) -> Word<'a> {
        let [start, end, to] = self.layout.entry(self.entries, i);
        let from = self.layout.value_start(self.entries, i);
        Word {
            span: Span { file, start, end },
            // Value ends are where whole `&str`s were pushed: char
            // boundaries, so this slice does not panic.
            value: &self.values[from as usize..to as usize],
            quote: match self.quotes[i] {
                0 => Quote::None,
                1 => Quote::Single,
                _ => Quote::Double,
            },
        }
    }
}

#[inline]
fn u32_at(bytes: &[u8], at: usize) -> u32 {
    u32::from_ne_bytes(bytes[at..at + 4].try_into().expect("four bytes"))
}

#[inline]
fn u16_at(bytes: &[u8], at: usize) -> u16 {
    u16::from_ne_bytes(bytes[at..at + 2].try_into().expect("two bytes"))
}

impl fmt::Debug for Words {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries((0..self.len()).filter_map(|i| self.value(i)))
            .finish()
    }
}

/// The words of the statement being read, and the chunk the parser packs
/// each statement's words into. One per file: its buffers stop growing
/// after the first few statements. Dropping it freezes the last chunk.
#[derive(Default)]
pub(crate) struct WordBuf {
    /// Start, end and value end of each word.
    entries: Vec<[u32; 3]>,
    quotes: Vec<u8>,
    values: String,
    /// The chunk being filled and its bytes so far.
    chunk: Chunk,
    packed: Vec<u8>,
    /// Packed bytes still expected from the file, to size each chunk once.
    expected: usize,
}

impl WordBuf {
    /// A buffer for a file of `source_len` bytes. Packed words take a
    /// little less than the source (0.80× on the benchmark trees, 0.84×
    /// on the corpus); reserving that once spares the doubling, whose
    /// copies and first touches of fresh pages were 3% of a large check.
    /// What is not used is given back when the chunk is frozen.
    pub fn for_source(source_len: usize) -> WordBuf {
        let mut buf = WordBuf::default();
        buf.expected = source_len;
        buf
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Where the value of the next word is written (then [`WordBuf::push`]).
    pub fn values(&mut self) -> &mut String {
        &mut self.values
    }

    /// A word whose value was just appended to [`WordBuf::values`].
    pub fn push(&mut self, start: usize, end: usize, quote: Quote) {
        self.entries
            .push([start as u32, end as u32, self.values.len() as u32]);
        self.quotes.push(match quote {
            Quote::None => 0,
            Quote::Single => 1,
            Quote::Double => 2,
        });
    }

    /// The first word's value (the directive's name as written).
    pub fn first_value(&self) -> &str {
        &self.values[..self.entries[0][2] as usize]
    }

    /// The first word's span in `file`.
    pub fn first_span(&self, file: FileId) -> Span {
        let [start, end, _] = self.entries[0];
        Span { file, start, end }
    }

    /// The last word's span in `file` (where a statement cut short ends).
    pub fn last_span(&self, file: FileId) -> Span {
        let [start, end, _] = *self.entries.last().expect("a word");
        Span { file, start, end }
    }

    /// The words from `skip` on, packed at their exact size; empties the buffer.
    pub fn take(&mut self, skip: usize) -> Words {
        let n = self.entries.len() - skip.min(self.entries.len());
        if n == 0 {
            self.clear();
            return Words::default();
        }
        let base = if skip == 0 {
            0
        } else {
            self.entries[skip - 1][2] as usize
        };
        if !self.packed.is_empty() && self.packed.len() + self.values.len() - base > CHUNK_BYTES {
            self.freeze();
        }
        // What makes the unchecked read in `values` sound, whatever was
        // done to the `String` behind `values()`: the copied bytes are a
        // whole `str` (slicing checks `base` is a char boundary) and the
        // header's total, the last value end, is exactly their length.
        let values: &str = &self.values[base..];
        let total = self.entries.last().map_or(0, |e| e[2] as usize);
        assert!(
            total.checked_sub(base) == Some(values.len()),
            "the values are pushed with their words"
        );
        let values = values.as_bytes();
        if self.packed.capacity() == 0 {
            // A new chunk: room for the rest of the file, up to a chunk.
            self.packed.reserve(self.expected.min(CHUNK_BYTES));
        }
        let at = self.packed.len() as u32;
        let entries = &self.entries[skip..];
        // Value ends only grow, so the last is the largest.
        let wide = values.len() > u16::MAX as usize
            || entries.iter().any(|e| e[1] - e[0] > u16::MAX as u32);
        let out = &mut self.packed;
        out.reserve(n * (if wide { WIDE } else { NARROW } + 1) + values.len());
        for &[start, end, value_end] in entries {
            let value_end = value_end - base as u32;
            if wide {
                out.extend_from_slice(&start.to_ne_bytes());
                out.extend_from_slice(&end.to_ne_bytes());
                out.extend_from_slice(&value_end.to_ne_bytes());
            } else {
                // One 8-byte write, not three.
                let mut narrow = [0u8; NARROW];
                narrow[..4].copy_from_slice(&start.to_ne_bytes());
                narrow[4..6].copy_from_slice(&((end - start) as u16).to_ne_bytes());
                narrow[6..].copy_from_slice(&(value_end as u16).to_ne_bytes());
                out.extend_from_slice(&narrow);
            }
        }
        out.extend_from_slice(&self.quotes[skip..]);
        out.extend_from_slice(values);
        self.clear();
        let len = u32::try_from(n)
            .ok()
            .filter(|&n| n < WIDE_FLAG)
            .expect("fewer than 2^31 words");
        Words {
            chunk: Some(self.chunk.clone()),
            at,
            len: if wide { len | WIDE_FLAG } else { len },
        }
    }

    /// Hands the filled chunk to its directives and starts a new one.
    fn freeze(&mut self) {
        self.expected = self.expected.saturating_sub(self.packed.len());
        let bytes = std::mem::take(&mut self.packed).into_boxed_slice();
        let full = std::mem::take(&mut self.chunk);
        full.set(bytes).expect("a chunk is frozen once");
    }

    fn clear(&mut self) {
        self.entries.clear();
        self.quotes.clear();
        self.values.clear();
    }
}

impl Drop for WordBuf {
    fn drop(&mut self) {
        self.freeze();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn buf(words: &[(usize, usize, Quote, &str)]) -> WordBuf {
        let mut b = WordBuf::default();
        for &(s, e, q, v) in words {
            b.values().push_str(v);
            b.push(s, e, q);
        }
        b
    }

    #[test]
    fn packed_words_read_back() {
        let mut b = buf(&[
            (0, 4, Quote::None, "name"),
            (5, 10, Quote::Double, "a b"),
            (11, 11, Quote::None, ""),
            (12, 20, Quote::Single, "héllo"),
        ]);
        assert_eq!(b.first_value(), "name");
        assert_eq!(b.last_span(FileId(3)), Span::new(FileId(3), 12, 20));
        let w = b.take(1);
        assert!(b.is_empty());
        drop(b); // freezes the chunk
        assert_eq!(w.len(), 3);
        let got: Vec<Word> = (0..3).map(|i| w.parts().get(FileId(3), i)).collect();
        assert_eq!(
            got,
            [
                Word {
                    span: Span::new(FileId(3), 5, 10),
                    value: "a b",
                    quote: Quote::Double
                },
                Word {
                    span: Span::new(FileId(3), 11, 11),
                    value: "",
                    quote: Quote::None
                },
                Word {
                    span: Span::new(FileId(3), 12, 20),
                    value: "héllo",
                    quote: Quote::Single
                },
            ]
        );
        assert_eq!(
            (0..4).map(|i| w.value(i)).collect::<Vec<_>>(),
            [Some("a b"), Some(""), Some("héllo"), None]
        );
        // Exactly the bytes of the layout: three narrow entries, three
        // quotes, 3 + 0 + 6 value bytes.
        assert_eq!(w.bytes().len(), 3 * 8 + 3 + 9);
        assert_eq!(w.joined(), "a bhéllo");
        assert_eq!(Words::default().joined(), "");
    }

    #[test]
    fn long_tokens_and_values_get_wide_entries() {
        // A token longer than 16 bits can count, or values that end past
        // that, switch the directive to 32-bit entries; others stay narrow.
        let long = "v".repeat(70_000);
        let mut b = buf(&[(0, 4, Quote::None, "name"), (5, 8, Quote::None, "abc")]);
        let narrow = b.take(1);
        b.values().push_str("name");
        b.push(0, 4, Quote::None);
        b.values().push_str(&long);
        b.push(5, 70_007, Quote::Double);
        b.values().push('z');
        b.push(70_008, 70_009, Quote::None);
        let wide = b.take(1);
        let quoted_only = {
            b.values().push('n');
            b.push(0, 1, Quote::None);
            b.values().push('x');
            b.push(2, 70_002, Quote::Single);
            b.take(1)
        };
        drop(b);
        assert_eq!(narrow.len(), 1);
        assert_eq!(narrow.value(0), Some("abc"));
        assert_eq!(wide.len(), 2);
        assert_eq!(narrow.len & WIDE_FLAG, 0);
        assert!(wide.len & WIDE_FLAG != 0 && quoted_only.len & WIDE_FLAG != 0);
        assert_eq!(wide.value(0), Some(long.as_str()));
        assert_eq!(wide.value(1), Some("z"));
        assert_eq!(wide.joined(), format!("{long}z"));
        let parts = wide.parts();
        assert_eq!(
            parts.get(FileId(0), 0).span,
            Span::new(FileId(0), 5, 70_007)
        );
        assert_eq!(
            parts.get(FileId(0), 1).span,
            Span::new(FileId(0), 70_008, 70_009)
        );
        assert_eq!(parts.get(FileId(0), 1).value, "z");
        // A short value in a long token (a quoted string of escapes).
        assert_eq!(quoted_only.value(0), Some("x"));
        assert_eq!(
            quoted_only.parts().get(FileId(0), 0).span,
            Span::new(FileId(0), 2, 70_002)
        );
    }

    #[test]
    fn full_chunks_are_frozen_and_new_ones_started() {
        let mut b = WordBuf::default();
        let big = "x".repeat(CHUNK_BYTES / 3);
        let words: Vec<Words> = (0..7)
            .map(|i| {
                b.values().push_str("name");
                b.push(0, 4, Quote::None);
                b.values().push_str(&big);
                b.values().push_str(&i.to_string());
                b.push(5, 6, Quote::None);
                b.take(1)
            })
            .collect();
        drop(b);
        for (i, w) in words.iter().enumerate() {
            assert_eq!(w.value(0), Some(format!("{big}{i}").as_str()));
        }
        // Two directives of a third of a chunk each fit in one chunk.
        let chunks: Vec<*const OnceLock<Box<[u8]>>> = words
            .iter()
            .map(|w| Arc::as_ptr(w.chunk.as_ref().unwrap()))
            .collect();
        assert_eq!(chunks[0], chunks[1]);
        assert_ne!(chunks[1], chunks[2]);
        assert_eq!(words[2].at, 0);
    }

    #[test]
    #[should_panic(expected = "pushed with their words")]
    fn values_cut_after_their_words_are_refused() {
        // The header would claim four value bytes where one was copied.
        let mut b = buf(&[(0, 4, Quote::None, "name"), (5, 9, Quote::None, "abcd")]);
        b.values().truncate(5);
        b.take(1);
    }

    #[test]
    fn nothing_left_is_no_allocation() {
        let mut b = buf(&[(0, 4, Quote::None, "name")]);
        let w = b.take(1);
        assert!(w.is_empty());
        assert_eq!(w.len(), 0);
        assert_eq!(w.value(0), None);
        assert_eq!(w.parts().len(), 0);
        assert!(b.is_empty());
    }
}
