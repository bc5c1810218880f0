//! A directive's words, packed into one allocation.
//!
//! A 46 MB config has 1.9 million words. As a list of structs (span, an
//! inline string, quote: 40 bytes each) they took 75 MB, plus 7 MB for the
//! values too long to stay inline, each a heap allocation of its own.
//! Packed as positions, quotes and value bytes side by side they take about
//! half, in one allocation per directive. [`Word`] is the view handed out.

use std::fmt;

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

impl<'a> Word<'a> {
    pub fn as_str(&self) -> &'a str {
        self.value
    }
}

/// Bytes of one word's entry: start, end and the end of its value, as u32.
const ENTRY: usize = 12;

/// `[count][count × (start, end, value end)][count × quote][values]`, the
/// numbers as native-endian u32 and value ends counted from the start of
/// the values. Empty (no allocation) when there are no words.
#[derive(Clone, Default)]
pub struct Words(Box<[u8]>);

impl Words {
    pub fn len(&self) -> usize {
        if self.0.is_empty() {
            0
        } else {
            u32_at(&self.0, 0) as usize
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The value of word `i`, read straight from the layout: the one
    /// thing most readers want (`Directive::arg`), without a whole [`Word`].
    pub fn value(&self, i: usize) -> Option<&str> {
        let n = self.len();
        if i >= n {
            return None;
        }
        let from = match i {
            0 => 0,
            _ => u32_at(&self.0, 4 + i * ENTRY - 4),
        };
        let to = u32_at(&self.0, 4 + i * ENTRY + 8);
        Some(&self.values(n)[from as usize..to as usize])
    }

    /// The packed parts: entries, quotes and the values as one string.
    pub fn parts(&self) -> Parts<'_> {
        let n = self.len();
        let Some(rest) = self.0.get(4..) else {
            return Parts::default();
        };
        let (entries, rest) = rest.split_at(n * ENTRY);
        Parts {
            entries,
            quotes: &rest[..n],
            values: self.values(n),
        }
    }

    /// All values, one after the other (`n` is `len`).
    fn values(&self, n: usize) -> &str {
        let bytes = self.0.get(4 + n * (ENTRY + 1)..).unwrap_or_default();
        debug_assert!(std::str::from_utf8(bytes).is_ok());
        // SAFETY: `WordBuf::take` copied these bytes from a `String` and
        // they are never changed afterwards. Checking them again on every
        // read cost a sixth of a whole check.
        unsafe { std::str::from_utf8_unchecked(bytes) }
    }
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
            .entries((0..self.len()).map(|i| self.parts().get(FileId(0), i).value))
            .finish()
    }
}

/// The words of the statement being read; the parser reuses one for every
/// statement of a file, so its buffers stop growing after the first few.
#[derive(Default)]
pub struct WordBuf {
    /// Start, end and value end of each word.
    entries: Vec<[u32; 3]>,
    quotes: Vec<u8>,
    values: String,
}

impl WordBuf {
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

    /// The first word's value and start, the last word's end.
    pub fn first_value(&self) -> &str {
        &self.values[..self.entries[0][2] as usize]
    }

    pub fn first_span(&self, file: FileId) -> Span {
        let [start, end, _] = self.entries[0];
        Span { file, start, end }
    }

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
        let values = &self.values.as_bytes()[base..];
        // Appended piece by piece into exactly the room needed (no zeroing:
        // calloc was a tenth of parsing).
        let mut out = Vec::with_capacity(4 + n * (ENTRY + 1) + values.len());
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
        Words(out.into_boxed_slice())
    }

    fn clear(&mut self) {
        self.entries.clear();
        self.quotes.clear();
        self.values.clear();
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
        assert_eq!(w.0.len(), 4 + 3 * 12 + 3 + 9);
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
