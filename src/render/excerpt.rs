//! The piece of a source line shown under a finding, and text made safe
//! to print on a terminal.
//!
//! A short line is shown whole. A long one (minified configs, generated
//! maps, a file of one line) is cut to a window around the finding: the
//! whole line under each of thousands of findings on one line made the
//! output quadratic (5,000 findings on a 10 KB line printed 75 MB).
//! Control characters from the config are shown as symbols: printed raw,
//! an escape sequence in a directive's name or value would drive the
//! user's terminal.

use std::borrow::Cow;

use crate::source::{char_count, continues, SourceFile, Span};

/// Characters of a long line shown before the finding's start, at least.
const BEFORE: usize = 40;
/// Characters of a long line shown in all, the `…` marks aside.
const WIDTH: usize = 160;

/// What is printed for one finding's line.
#[derive(Debug, PartialEq, Eq)]
pub struct Excerpt {
    /// The line, or the window of it, with `…` where it was cut.
    pub text: String,
    /// What goes before the carets: a space per character of `text` before
    /// the span, a tab for a tab (so the carets line up under it).
    pub pad: String,
    pub carets: usize,
}

/// The part of `line` (1-based, the line `span` starts on) to show.
pub fn excerpt(file: &SourceFile, line: usize, span: Span) -> Excerpt {
    let bytes = &file.bytes[..];
    let range = file.line_range(line);
    let start = (span.start as usize).clamp(range.start, range.end);
    // A span running past the line is underlined to the line's end.
    let end = (span.end as usize).clamp(start, range.end);
    // Bytes enough for WIDTH characters either side (four bytes at most
    // each), cut at bytes that start characters.
    let mut from = start.saturating_sub(4 * WIDTH).max(range.start);
    while from < start && continues(bytes[from]) {
        from += 1;
    }
    let mut to = (start + 4 * WIDTH).min(range.end);
    while to > start && to < range.end && continues(bytes[to]) {
        to -= 1;
    }
    let before: Vec<char> = String::from_utf8_lossy(&bytes[from..start])
        .chars()
        .collect();
    let after: Vec<char> = String::from_utf8_lossy(&bytes[start..to]).chars().collect();
    let spanned = char_count(&bytes[start..end.min(to)]);
    let (b, total) = (before.len(), before.len() + after.len());
    let chars = || before.iter().chain(&after);
    let (hidden_left, hidden_right) = (from > range.start, to < range.end);
    let (left, right) = if !hidden_left && !hidden_right && total <= WIDTH {
        (0, total)
    } else {
        // BEFORE characters before the span, more when little follows it.
        let left = b.saturating_sub(BEFORE.max(WIDTH.saturating_sub(after.len())));
        (left, total.min(left + WIDTH))
    };
    let cut_left = left > 0 || hidden_left;
    let cut_right = right < total || hidden_right;
    let mut text = String::new();
    let mut pad = String::new();
    if cut_left {
        text.push('…');
        pad.push(' ');
    }
    text.extend(
        chars()
            .skip(left)
            .take(right - left)
            .map(|&c| visible_char(c)),
    );
    if cut_right {
        text.push('…');
    }
    pad.extend(
        before[left..]
            .iter()
            .map(|&c| if c == '\t' { '\t' } else { ' ' }),
    );
    // Not past what is shown (the `…` included).
    let shown_after = right - b + usize::from(cut_right);
    Excerpt {
        text,
        pad,
        carets: spanned.min(shown_after).max(1),
    }
}

/// `c`, or its symbol when it is a control character other than a tab: C0
/// controls and DEL as their Control Pictures (`␛`, `␍`, one column each,
/// so carets stay aligned), C1 controls as `�`.
fn visible_char(c: char) -> char {
    match c {
        '\t' => c,
        '\0'..='\x1f' => char::from_u32(0x2400 + c as u32).unwrap_or('\u{FFFD}'),
        '\x7f' => '\u{2421}',
        '\u{80}'..='\u{9f}' => '\u{FFFD}',
        _ => c,
    }
}

/// `text` with every control character but tab and line feed shown as a
/// symbol ([`visible_char`]): for messages, which quote names and values
/// from the config. Borrowed when there is none, as all but always.
pub fn visible(text: &str) -> Cow<'_, str> {
    let keep = |c: char| c == '\n' || visible_char(c) == c;
    if text.chars().all(keep) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars()
            .map(|c| if keep(c) { c } else { visible_char(c) })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileId;

    fn shown(src: &str, start: usize, end: usize) -> (String, String, usize) {
        let f = SourceFile::new("x".into(), src.as_bytes().to_vec());
        let span = Span::new(FileId(0), start, end);
        let (line, _) = f.line_col(span.start);
        let e = excerpt(&f, line, span);
        (e.text, e.pad, e.carets)
    }

    #[test]
    fn a_short_line_is_shown_whole() {
        let src = "server {\n\tlisten 80;\n}\n";
        // `80` on line 2: a tab, then `listen `.
        let at = src.find("80").unwrap();
        assert_eq!(
            shown(src, at, at + 2),
            ("\tlisten 80;".into(), "\t       ".into(), 2)
        );
        // A span past its line's end: underlined to the line's end.
        assert_eq!(
            shown(src, 0, src.len()),
            ("server {".into(), String::new(), 8)
        );
        // An empty span at the end of the file still gets a caret.
        assert_eq!(shown("a b", 3, 3), ("a b".into(), "   ".into(), 1));
    }

    #[test]
    fn a_long_line_is_cut_around_the_span() {
        let src = "a;".repeat(5_000);
        let at = 5_000; // the `a` of the 2,501st statement
        let (text, pad, carets) = shown(&src, at, at + 1);
        // `…`, 40 characters before, 120 from the span on, `…`.
        assert_eq!(text.chars().count(), 1 + WIDTH + 1);
        assert!(text.starts_with('…') && text.ends_with('…'));
        assert_eq!(pad, " ".repeat(1 + BEFORE));
        assert_eq!(text.chars().nth(1 + BEFORE), Some('a'));
        assert_eq!(carets, 1);
        // Near the start: no cut on the left, the window fills rightwards.
        let (text, pad, _) = shown(&src, 4, 5);
        assert!(!text.starts_with('…') && text.ends_with('…'));
        assert_eq!(text.chars().count(), WIDTH + 1);
        assert_eq!(pad, "    ");
        // Near the end: the window fills leftwards.
        let (text, pad, _) = shown(&src, src.len() - 2, src.len() - 1);
        assert!(text.starts_with('…') && !text.ends_with('…'));
        assert_eq!(text.chars().count(), 1 + WIDTH);
        assert_eq!(pad.len(), 1 + WIDTH - 2);
    }

    #[test]
    fn a_span_wider_than_the_window_is_underlined_to_the_cut() {
        let src = format!("x {};", "y".repeat(1_000));
        let (text, _, carets) = shown(&src, 2, 1_002);
        assert!(text.ends_with('…'));
        // 158 characters of the span shown, and the `…` after them.
        assert_eq!(carets, WIDTH - 2 + 1);
    }

    #[test]
    fn multibyte_characters_are_never_split() {
        // 'é' is two bytes: the byte window's edges fall inside some.
        let src = format!("{} x;", "é".repeat(2_000));
        let at = src.find(" x").unwrap() + 1;
        let (text, pad, carets) = shown(&src, at, at + 1);
        assert!(!text.contains('\u{FFFD}'), "{text}");
        assert_eq!(text.chars().filter(|&c| c == 'é').count(), WIDTH - 3);
        assert_eq!(pad.chars().count(), WIDTH - 1);
        assert_eq!(carets, 1);
    }

    #[test]
    fn control_characters_are_shown_as_symbols() {
        let (text, pad, _) = shown("a\x1b[31mb\r c\x7f;", 10, 11);
        assert_eq!(text, "a␛[31mb␍ c␡;");
        assert_eq!(pad.chars().count(), 10);
        assert_eq!(visible("plain\ttext\n"), Cow::Borrowed("plain\ttext\n"));
        assert_eq!(visible("bad \x1b]0;x\x07 \u{9b}"), "bad ␛]0;x␇ \u{FFFD}");
    }
}
