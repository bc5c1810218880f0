//! Which characters a piece of a PCRE pattern can match — just enough of
//! PCRE to answer "can this capture hold a line break?".
//!
//! nginx matches location and `if` regexes against the URL-decoded URI, so
//! `%0a` arrives as a real `\n`. In PCRE (as nginx builds it) `.` matches
//! anything but `\n` unless `(?s)` is on — so `(.*)` can hold `\r` but not
//! `\n` — while a negated class such as `[^/]`, and `\s`, `\W`, `\D`, match
//! both. Literal characters of the pattern are fixed text, not attacker
//! input, so they do not count (as in gixy).

/// Whether any of `chars` can be matched by a non-literal part of
/// `fragment` (a whole pattern or a group's body). `dotall` says whether
/// `.` matches `\n` (a `(?s)` earlier in the pattern).
pub fn can_match(fragment: &str, chars: &[u8], mut dotall: bool) -> bool {
    let b = fragment.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\\' => {
                let (matched, len) = escape(b, i, chars);
                if matched {
                    return true;
                }
                i += len;
            }
            b'[' => {
                let (end, matched) = class(b, i, chars);
                if matched {
                    return true;
                }
                i = end;
            }
            b'.' => {
                if dotall || chars.iter().any(|c| *c != b'\n') {
                    return true;
                }
                i += 1;
            }
            b'(' if b.get(i + 1) == Some(&b'?') => {
                // Inline options `(?s)`, `(?is:…)`; `(?-s)` turns it off.
                let opts: Vec<u8> = b[i + 2..]
                    .iter()
                    .take_while(|c| c.is_ascii_alphabetic() || **c == b'-')
                    .copied()
                    .collect();
                if let Some(s) = opts.iter().position(|c| *c == b's') {
                    let negated = opts[..s].contains(&b'-');
                    dotall = !negated;
                }
                i += 2;
            }
            _ => i += 1,
        }
    }
    false
}

/// Whether the whole pattern turns on dot-all with a leading `(?s)`.
pub fn dotall(pattern: &str) -> bool {
    let b = pattern.trim_start_matches('^').as_bytes();
    b.starts_with(b"(?")
        && b[2..]
            .iter()
            .take_while(|c| c.is_ascii_alphabetic())
            .any(|c| *c == b's')
        && b[2..]
            .iter()
            .find(|c| !c.is_ascii_alphabetic())
            .is_some_and(|c| *c == b')')
}

/// An escape outside a class at `b[i] == '\\'`: whether it is a character
/// type that matches one of `chars`, and its length in bytes.
fn escape(b: &[u8], i: usize, chars: &[u8]) -> (bool, usize) {
    let Some(&c) = b.get(i + 1) else {
        return (false, 1);
    };
    let braced = |from: usize| -> usize {
        if b.get(from) == Some(&b'{') {
            b[from..]
                .iter()
                .position(|c| *c == b'}')
                .map_or(b.len() - i, |p| from + p + 1 - i)
        } else {
            from + 1 - i
        }
    };
    match c {
        // \p{..}: only the control-character properties hold CR/LF.
        b'p' => {
            let len = braced(i + 2);
            let prop = String::from_utf8_lossy(&b[i + 2..(i + len).min(b.len())]);
            let control = matches!(
                prop.trim_matches(|c| c == '{' || c == '}'),
                "C" | "Cc" | "Any"
            );
            (control && !chars.is_empty(), len)
        }
        b'P' => (!chars.is_empty(), braced(i + 2)),
        b'x' => (false, hex(b, i).1),
        _ => (
            char_type(c).is_some_and(|f| chars.iter().any(|ch| f(*ch))),
            2,
        ),
    }
}

/// PCRE's backslash character types, as predicates over one byte.
fn char_type(c: u8) -> Option<fn(u8) -> bool> {
    Some(match c {
        b's' => |ch| matches!(ch, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r'),
        b'S' => |ch| !matches!(ch, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r'),
        b'd' => |ch| ch.is_ascii_digit(),
        b'D' => |ch| !ch.is_ascii_digit(),
        b'w' => |ch| ch.is_ascii_alphanumeric() || ch == b'_',
        b'W' => |ch| !(ch.is_ascii_alphanumeric() || ch == b'_'),
        b'h' => |ch| matches!(ch, b' ' | b'\t'),
        b'H' => |ch| !matches!(ch, b' ' | b'\t'),
        b'v' | b'R' => |ch| matches!(ch, b'\n' | 0x0b | 0x0c | b'\r'),
        b'V' => |ch| !matches!(ch, b'\n' | 0x0b | 0x0c | b'\r'),
        b'N' => |ch| ch != b'\n',
        b'X' | b'C' => |_| true,
        _ => return None,
    })
}

/// A class `[…]` starting at `b[start] == '['`: the index just past its
/// `]` and whether it matches one of `chars`.
fn class(b: &[u8], start: usize, chars: &[u8]) -> (usize, bool) {
    let mut i = start + 1;
    let negated = b.get(i) == Some(&b'^');
    if negated {
        i += 1;
    }
    // What each item of the class contains.
    let mut members: Vec<Box<dyn Fn(u8) -> bool>> = Vec::new();
    let mut first = true;
    let mut prev_literal: Option<u8> = None;
    while i < b.len() {
        let c = b[i];
        if c == b']' && !first {
            i += 1;
            break;
        }
        first = false;
        // POSIX classes `[:space:]`, `[:^alpha:]`.
        if c == b'[' && b.get(i + 1) == Some(&b':') {
            if let Some(len) = b[i + 2..].windows(2).position(|w| w == b":]") {
                let name = String::from_utf8_lossy(&b[i + 2..i + 2 + len]).into_owned();
                let (neg, name) = match name.strip_prefix('^') {
                    Some(n) => (true, n.to_string()),
                    None => (false, name),
                };
                let f = posix(&name);
                members.push(Box::new(move |ch| f(ch) != neg));
                i += 2 + len + 2;
                prev_literal = None;
                continue;
            }
        }
        // A literal (possibly escaped) or a character type.
        let (lit, len) = if c == b'\\' {
            match b.get(i + 1) {
                Some(&e) => {
                    if let Some(f) = char_type(e) {
                        members.push(Box::new(f));
                        i += 2;
                        prev_literal = None;
                        continue;
                    }
                    match e {
                        b'n' => (b'\n', 2),
                        b'r' => (b'\r', 2),
                        b't' => (b'\t', 2),
                        b'f' => (0x0c, 2),
                        b'e' => (0x1b, 2),
                        b'a' => (0x07, 2),
                        b'x' => hex(b, i),
                        b'0'..=b'7' => octal(b, i),
                        b'p' | b'P' => {
                            // Unicode properties: assume the worst.
                            let end = b[i..]
                                .iter()
                                .position(|c| *c == b'}')
                                .map_or(i + 3, |p| i + p + 1);
                            members.push(Box::new(|_| true));
                            i = end;
                            prev_literal = None;
                            continue;
                        }
                        other => (other, 2),
                    }
                }
                None => (b'\\', 1),
            }
        } else {
            (c, 1)
        };
        // A range `lo-hi` (a `-` before `]` is literal).
        if lit == b'-' && len == 1 && prev_literal.is_some() && b.get(i + 1) != Some(&b']') {
            let lo = prev_literal.take().unwrap();
            let (hi, hlen) = if b.get(i + 1) == Some(&b'\\') {
                match b.get(i + 2) {
                    Some(b'x') => hex(b, i + 1),
                    Some(b'0'..=b'7') => octal(b, i + 1),
                    Some(b'n') => (b'\n', 2),
                    Some(b'r') => (b'\r', 2),
                    Some(b't') => (b'\t', 2),
                    Some(&o) => (o, 2),
                    None => (b'\\', 1),
                }
            } else {
                (b.get(i + 1).copied().unwrap_or(b'-'), 1)
            };
            members.pop();
            members.push(Box::new(move |ch| (lo..=hi).contains(&ch)));
            i += 1 + hlen;
            continue;
        }
        members.push(Box::new(move |ch| ch == lit));
        prev_literal = Some(lit);
        i += len;
    }
    let matched = chars
        .iter()
        .any(|ch| members.iter().any(|m| m(*ch)) != negated);
    (i, matched)
}

/// `\xhh` or `\x{hhh}` at `b[i] == '\\'`: the byte and the escape's length.
fn hex(b: &[u8], i: usize) -> (u8, usize) {
    let digits: Vec<u8>;
    let len;
    if b.get(i + 2) == Some(&b'{') {
        let end = b[i + 3..]
            .iter()
            .position(|c| *c == b'}')
            .unwrap_or(b.len() - i - 3);
        digits = b[i + 3..i + 3 + end].to_vec();
        len = 3 + end + 1;
    } else {
        digits = b[i + 2..]
            .iter()
            .take(2)
            .take_while(|c| c.is_ascii_hexdigit())
            .copied()
            .collect();
        len = 2 + digits.len();
    }
    let v = u32::from_str_radix(std::str::from_utf8(&digits).unwrap_or("0"), 16).unwrap_or(0);
    (u8::try_from(v).unwrap_or(0xff), len)
}

/// `\0`, `\012`: an octal escape.
fn octal(b: &[u8], i: usize) -> (u8, usize) {
    let digits: Vec<u8> = b[i + 1..]
        .iter()
        .take(3)
        .take_while(|c| (b'0'..=b'7').contains(*c))
        .copied()
        .collect();
    let v = u32::from_str_radix(std::str::from_utf8(&digits).unwrap_or("0"), 8).unwrap_or(0);
    (u8::try_from(v).unwrap_or(0xff), 1 + digits.len())
}

fn posix(name: &str) -> fn(u8) -> bool {
    match name {
        "space" => |ch| matches!(ch, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r'),
        "cntrl" => |ch| ch.is_ascii_control(),
        "alpha" => |ch| ch.is_ascii_alphabetic(),
        "digit" => |ch| ch.is_ascii_digit(),
        "alnum" => |ch| ch.is_ascii_alphanumeric(),
        "word" => |ch| ch.is_ascii_alphanumeric() || ch == b'_',
        "upper" => |ch| ch.is_ascii_uppercase(),
        "lower" => |ch| ch.is_ascii_lowercase(),
        "xdigit" => |ch| ch.is_ascii_hexdigit(),
        "punct" => |ch| ch.is_ascii_punctuation(),
        "graph" => |ch| ch.is_ascii_graphic(),
        "print" => |ch| ch.is_ascii_graphic() || ch == b' ',
        "blank" => |ch| matches!(ch, b' ' | b'\t'),
        // `ascii` and unknown names: anything.
        _ => |_| true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LF: &[u8] = b"\n";
    const CRLF: &[u8] = b"\n\r";

    #[test]
    fn dot_matches_cr_but_not_lf() {
        assert!(!can_match(".*", LF, false));
        assert!(can_match(".*", CRLF, false));
        assert!(can_match(".*", LF, true));
        assert!(can_match("(?s).*", LF, false));
        assert!(dotall("^(?s)/a/(.*)"));
        assert!(!dotall("^/a/(.*)"));
    }

    #[test]
    fn classes_and_types() {
        for yes in [
            "[^/]+",
            r"\W*",
            r"\s",
            r"\D+",
            r"[\s]",
            r"[^a-z]",
            r"[\x00-\x1f]",
            "[[:space:]]",
            "[[:^alpha:]]",
            r"\H",
            r"\v",
            r"[\n]",
        ] {
            assert!(can_match(yes, LF, false), "{yes}");
        }
        for no in [
            "a|b",
            r"\w+",
            r"\d+",
            "[a-z0-9.-]+",
            r"[^\n]+",
            r"[^\s/]+",
            r"\S+",
            "abc",
            r"\n",
            "[[:alpha:]]",
            r"\h+",
            r"[\]x]",
            r"\x0a",
        ] {
            assert!(!can_match(no, LF, false), "{no}");
        }
        assert!(can_match(r"\N", CRLF, false));
        assert!(!can_match(r"[^\r\n]*", CRLF, false));
        assert!(can_match(r"[^\r]*", CRLF, false));
    }
}
