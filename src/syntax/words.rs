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

/// Bytes of one word's entry: start, end and the end of its value, as u32.
const ENTRY: usize = 12;

/// A buffer of packed directives' words: filled while its file is parsed,
/// then frozen (set) and only read. Shared by the directives it holds.
type Chunk = Arc<OnceLock<Box<[u8]>>>;

/// A buffer stops taking new directives past this size, so offsets stay
/// small and a huge file does not need one huge reallocation.
const CHUNK_BYTES: usize = 1 << 20;

/// One directive's words: `[count][count × (start, end, value end)][count ×
/// quote][values]` at `at` in `chunk`, the numbers as native-endian u32 and
/// value ends counted from the start of the values. No chunk when there
/// are no words.
#[derive(Clone, Default)]
pub struct Words {
    chunk: Option<Chunk>,
    at: u32,
    /// The count, also kept here (in what was padding): validation and
    /// most rules ask how many words a directive has, and reading it from
    /// the chunk was a cache miss per directive on a large config.
    len: u32,
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
        debug_assert_eq!(
            self.len as usize,
            match self.chunk {
                Some(_) => u32_at(self.bytes(), 0) as usize,
                None => 0,
            }
        );
        self.len as usize
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The value of word `i`, read straight from the layout: the one
    /// thing most readers want (`Directive::arg`), without a whole [`Word`].
    pub fn value(&self, i: usize) -> Option<&str> {
        let n = self.len();
        if i >= n {
            return None;
        }
        let bytes = self.bytes();
        let from = match i {
            0 => 0,
            _ => u32_at(bytes, 4 + i * ENTRY - 4),
        };
        let to = u32_at(bytes, 4 + i * ENTRY + 8);
        Some(&values(bytes, n)[from as usize..to as usize])
    }

    /// The packed parts: entries, quotes and the values as one string.
    pub fn parts(&self) -> Parts<'_> {
        let n = self.len();
        if n == 0 {
            return Parts::default();
        }
        let bytes = self.bytes();
        let entries = &bytes[4..4 + n * ENTRY];
        Parts {
            entries,
            quotes: &bytes[4 + n * ENTRY..4 + n * (ENTRY + 1)],
            values: values(bytes, n),
        }
    }
}

/// The values of the `n` (> 0) packed words at the start of `bytes`.
fn values(bytes: &[u8], n: usize) -> &str {
    let start = 4 + n * (ENTRY + 1);
    let len = u32_at(bytes, 4 + n * ENTRY - 4) as usize;
    let values = &bytes[start..start + len];
    debug_assert!(std::str::from_utf8(values).is_ok());
    // SAFETY: `WordBuf::take` copied these bytes from a whole `str` and
    // wrote its length as the last value end (it asserts both), and a
    // frozen chunk is never changed. Checking them again on every read
    // cost a sixth of a whole check.
    unsafe { std::str::from_utf8_unchecked(values) }
}

/// A [`Words`] split once into its parts, so reading a word is a few loads.
#[derive(Debug, Clone, Copy, Default)]
pub struct Parts<'a> {
    entries: &'a [u8],
    quotes: &'a [u8],
    values: &'a str,
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
        let at = i * ENTRY;
        let e = &self.entries[at..at + ENTRY];
        let from = match at.checked_sub(4) {
            Some(prev) => u32_at(self.entries, prev),
            None => 0,
        };
        Word {
            span: Span {
                file,
                start: u32_at(e, 0),
                end: u32_at(e, 4),
            },
            // Value ends are where whole `&str`s were pushed: char
            // boundaries, so this slice does not panic.
            value: &self.values[from as usize..u32_at(e, 8) as usize],
            quote: match self.quotes[i] {
                0 => Quote::None,
                1 => Quote::Single,
                _ => Quote::Double,
            },
        }
    }
}

fn u32_at(bytes: &[u8], at: usize) -> u32 {
    u32::from_ne_bytes(bytes[at..at + 4].try_into().expect("four bytes"))
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
    /// A buffer for a file of `source_len` bytes. Packed words take about
    /// as many bytes as the source (0.96–1.06× on the corpus and the
    /// benchmark trees); reserving that once spares the doubling, whose
    /// copies and first touches of fresh pages were 6% of a large check.
    pub fn for_source(source_len: usize) -> WordBuf {
        let mut buf = WordBuf::default();
        buf.expected = source_len + source_len / 4;
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
        let out = &mut self.packed;
        out.extend_from_slice(&(n as u32).to_ne_bytes());
        for &[start, end, value_end] in &self.entries[skip..] {
            let mut entry = [0; ENTRY];
            entry[0..4].copy_from_slice(&start.to_ne_bytes());
            entry[4..8].copy_from_slice(&end.to_ne_bytes());
            entry[8..12].copy_from_slice(&(value_end - base as u32).to_ne_bytes());
            out.extend_from_slice(&entry);
        }
        out.extend_from_slice(&self.quotes[skip..]);
        out.extend_from_slice(values);
        self.clear();
        Words {
            chunk: Some(self.chunk.clone()),
            at,
            len: n as u32,
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
        // Exactly the bytes of the layout: count, three entries, three
        // quotes, 3 + 0 + 6 value bytes.
        assert_eq!(w.bytes().len(), 4 + 3 * 12 + 3 + 9);
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
