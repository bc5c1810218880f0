//! Source files and byte spans.
//!
//! Every file the tool reads is loaded once into a [`SourceMap`] and referred to
//! by a [`FileId`]. Syntax nodes carry [`Span`]s (file + byte range); line and
//! column are computed only when a diagnostic is rendered.

use std::path::{Path, PathBuf};

/// Index of a file in the [`SourceMap`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileId(pub u32);

/// A byte range in one source file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Span {
    pub file: FileId,
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(file: FileId, start: usize, end: usize) -> Span {
        Span {
            file,
            start: start as u32,
            end: end as u32,
        }
    }

    /// The smallest span covering both (same file assumed).
    pub fn to(self, other: Span) -> Span {
        Span {
            file: self.file,
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }

    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }

    pub fn is_empty(self) -> bool {
        self.start == self.end
    }
}

/// One loaded file: its path as the user should see it, and its exact bytes.
#[derive(Debug)]
pub struct SourceFile {
    pub path: PathBuf,
    pub bytes: Vec<u8>,
    /// Computed when a position is first asked for: most files of a large
    /// config never get a diagnostic.
    lines: std::sync::OnceLock<Lines>,
    /// Column marks past the first non-ASCII byte, computed when a position
    /// there is first asked for (see [`Lines::ascii_until`]).
    marks: std::sync::OnceLock<Vec<(u32, u32)>>,
}

/// Where lines start, and how far columns are plain byte counts.
#[derive(Debug)]
struct Lines {
    starts: Vec<u32>,
    /// The offset of the first byte that is not ASCII (the length when none
    /// is). Up to it a column is the byte distance from the line's start;
    /// counting characters for every position made a file of one long line
    /// with many findings quadratic (a 200 KB line took 20 s in JSON).
    ascii_until: usize,
}

/// Bytes between column marks on lines past the first non-ASCII byte: a
/// column there is counted from the nearest mark, at most this far back.
const MARK_EVERY: usize = 4096;

/// Characters in `bytes` as the renderers show them (invalid UTF-8 as
/// U+FFFD, one per invalid sequence).
pub(crate) fn char_count(bytes: &[u8]) -> usize {
    bytes
        .utf8_chunks()
        .map(|c| c.valid().chars().count() + usize::from(!c.invalid().is_empty()))
        .sum()
}

/// Whether `b` continues a UTF-8 sequence (cannot start a character).
pub(crate) fn continues(b: u8) -> bool {
    b & 0xC0 == 0x80
}

impl SourceFile {
    pub fn new(path: PathBuf, bytes: Vec<u8>) -> SourceFile {
        SourceFile {
            path,
            bytes,
            lines: std::sync::OnceLock::new(),
            marks: std::sync::OnceLock::new(),
        }
    }

    fn lines(&self) -> &Lines {
        self.lines.get_or_init(|| {
            let mut starts = vec![0u32];
            starts.extend(memchr::memchr_iter(b'\n', &self.bytes).map(|i| i as u32 + 1));
            let ascii_until = self
                .bytes
                .iter()
                .position(|b| !b.is_ascii())
                .unwrap_or(self.bytes.len());
            Lines {
                starts,
                ascii_until,
            }
        })
    }

    fn line_starts(&self) -> &[u32] {
        &self.lines().starts
    }

    /// `(offset, column - 1)` every [`MARK_EVERY`] bytes or so along the
    /// lines from the one holding the first non-ASCII byte on, each at a
    /// byte that starts a character. Counting from such a byte gives what
    /// counting from the line's start does: an invalid sequence never runs
    /// past a byte that starts a character.
    fn marks(&self) -> &[(u32, u32)] {
        self.marks.get_or_init(|| {
            let Lines {
                starts,
                ascii_until,
            } = self.lines();
            let len = self.bytes.len();
            let mut marks = Vec::new();
            let first = starts.partition_point(|&s| s as usize <= *ascii_until) - 1;
            for (i, &start) in starts.iter().enumerate().skip(first) {
                let end = starts.get(i + 1).map_or(len, |&s| s as usize);
                let (mut at, mut col) = (start as usize, 0);
                loop {
                    let mut next = (at + MARK_EVERY).min(end);
                    while next < end && continues(self.bytes[next]) {
                        next += 1;
                    }
                    if next >= end {
                        break;
                    }
                    col += char_count(&self.bytes[at..next]);
                    marks.push((next as u32, col as u32));
                    at = next;
                }
            }
            marks
        })
    }

    /// 1-based line and column (column counted in characters, as editors do).
    pub fn line_col(&self, offset: u32) -> (usize, usize) {
        let line = match self.line_starts().binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = self.line_starts()[line] as usize;
        let end = (offset as usize).min(self.bytes.len());
        if end <= self.lines().ascii_until {
            return (line + 1, end - start + 1);
        }
        // From the last mark on this line before `end`, if any.
        let marks = self.marks();
        let (from, before) = match marks.partition_point(|&(at, _)| at as usize <= end) {
            0 => (start, 0),
            i if marks[i - 1].0 as usize >= start => (marks[i - 1].0 as usize, marks[i - 1].1),
            _ => (start, 0),
        };
        (
            line + 1,
            before as usize + char_count(&self.bytes[from..end]) + 1,
        )
    }

    /// The byte range of a 1-based line, without its line feed and a
    /// carriage return before it.
    pub fn line_range(&self, line: usize) -> std::ops::Range<usize> {
        let Some(&start) = self.line_starts().get(line - 1) else {
            return self.bytes.len()..self.bytes.len();
        };
        let mut end = self
            .line_starts()
            .get(line)
            .map(|&e| e as usize - 1)
            .unwrap_or(self.bytes.len());
        if end > start as usize && self.bytes[end - 1] == b'\r' {
            end -= 1;
        }
        start as usize..end
    }

    pub fn line_count(&self) -> usize {
        self.line_starts().len()
    }

    pub fn slice(&self, span: Span) -> &[u8] {
        &self.bytes[span.range()]
    }

    /// The spanned text, lossily decoded (configs are ASCII in practice).
    pub fn text(&self, span: Span) -> String {
        String::from_utf8_lossy(self.slice(span)).into_owned()
    }
}

/// All files read during one run.
#[derive(Debug, Default)]
pub struct SourceMap {
    files: Vec<SourceFile>,
}

impl SourceMap {
    pub fn new() -> SourceMap {
        SourceMap::default()
    }

    pub fn add(&mut self, path: PathBuf, bytes: Vec<u8>) -> FileId {
        self.files.push(SourceFile::new(path, bytes));
        FileId(self.files.len() as u32 - 1)
    }

    pub fn get(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }

    pub fn path(&self, id: FileId) -> &Path {
        &self.files[id.0 as usize].path
    }

    pub fn find(&self, path: &Path) -> Option<FileId> {
        self.files
            .iter()
            .position(|f| f.path == path)
            .map(|i| FileId(i as u32))
    }

    pub fn text(&self, span: Span) -> String {
        self.get(span.file).text(span)
    }

    pub fn line_col(&self, span: Span) -> (usize, usize) {
        self.get(span.file).line_col(span.start)
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files
            .iter()
            .enumerate()
            .map(|(i, f)| (FileId(i as u32), f))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_from_one() {
        let f = SourceFile::new("x".into(), b"ab\ncd\n\nx".to_vec());
        assert_eq!(f.line_col(0), (1, 1));
        assert_eq!(f.line_col(1), (1, 2));
        assert_eq!(f.line_col(3), (2, 1));
        assert_eq!(f.line_col(6), (3, 1));
        assert_eq!(f.line_col(7), (4, 1));
        assert_eq!(f.line_range(2), 3..5);
        assert_eq!(f.line_range(3), 6..6);
        assert_eq!(f.line_range(9), 8..8);
    }

    #[test]
    fn columns_past_non_ascii_bytes_match_counting_from_the_line_start() {
        // Long lines (several marks each) of ASCII, two-byte characters and
        // invalid bytes, after an ASCII-only first line.
        let mut bytes = b"plain ascii line\n".to_vec();
        for i in 0..3_000 {
            bytes.extend_from_slice(match i % 5 {
                0 => "é".as_bytes(),
                1 => b"\xff\xfe",
                2 => b"\xe2\x82",
                3 => "€x".as_bytes(),
                _ => b"ab",
            });
        }
        bytes.extend_from_slice(b"\r\n\xc3\xa9 short\n");
        bytes.extend(std::iter::repeat_n(b'\x80', 9_000));
        bytes.extend_from_slice(b"z");
        let f = SourceFile::new("x".into(), bytes.clone());
        let starts: Vec<usize> = std::iter::once(0)
            .chain(memchr::memchr_iter(b'\n', &bytes).map(|i| i + 1))
            .collect();
        for offset in (0..=bytes.len()).step_by(7).chain([bytes.len()]) {
            let line = starts.partition_point(|&s| s <= offset) - 1;
            let col = String::from_utf8_lossy(&bytes[starts[line]..offset])
                .chars()
                .count()
                + 1;
            assert_eq!(f.line_col(offset as u32), (line + 1, col), "at {offset}");
        }
        assert!(!f.marks().is_empty());
    }
}
