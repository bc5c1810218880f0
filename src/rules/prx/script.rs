//! Reading nginx "scripts" (strings with `$variables`) the way nginx
//! compiles them, and the little regex reading needed to know what a
//! capture (`$1`, `(?<name>…)`) can hold. Shared by the PRX and RED rules:
//! both need to split a URL into scheme, host and path and to tell which
//! variables an attacker controls.

/// One piece of an nginx script.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seg<'s> {
    Lit(&'s str),
    /// A variable, without `$` and braces; captures are `"1"` … `"9"`.
    Var(&'s str),
}

/// Split a directive argument into literals and variables, as nginx's
/// `ngx_http_script_compile` does: `$name`, `${name}`, and `$1`–`$9`
/// (one digit). An iterator: most callers look for one variable, and a
/// vector for every `proxy_set_header` value was tens of thousands of
/// allocations on a large config.
pub fn segments(s: &str) -> Segments<'_> {
    Segments {
        s,
        lit: 0,
        at: 0,
        var: None,
    }
}

/// The pieces of a script, in order ([`segments`]).
pub struct Segments<'s> {
    s: &'s str,
    /// Start of the literal being read.
    lit: usize,
    /// Where to look for the next `$`.
    at: usize,
    /// A variable found after a literal, given out next.
    var: Option<&'s str>,
}

impl<'s> Iterator for Segments<'s> {
    type Item = Seg<'s>;

    fn next(&mut self) -> Option<Seg<'s>> {
        if let Some(v) = self.var.take() {
            return Some(Seg::Var(v));
        }
        let (s, b) = (self.s, self.s.as_bytes());
        while self.at < b.len() {
            let i = self.at;
            if b[i] != b'$' {
                self.at += 1;
                continue;
            }
            let (name, end) = if b.get(i + 1) == Some(&b'{') {
                match s[i + 2..].find('}') {
                    Some(n) => (&s[i + 2..i + 2 + n], i + 3 + n),
                    None => ("", i + 1),
                }
            } else if b.get(i + 1).is_some_and(|c| (b'1'..=b'9').contains(c)) {
                (&s[i + 1..i + 2], i + 2)
            } else {
                let n = b[i + 1..]
                    .iter()
                    .take_while(|c| c.is_ascii_alphanumeric() || **c == b'_')
                    .count();
                (&s[i + 1..i + 1 + n], i + 1 + n)
            };
            if name.is_empty() {
                self.at += 1;
                continue;
            }
            let lit = std::mem::replace(&mut self.lit, end);
            self.at = end;
            if lit < i {
                self.var = Some(name);
                return Some(Seg::Lit(&s[lit..i]));
            }
            return Some(Seg::Var(name));
        }
        if self.lit < b.len() {
            let lit = std::mem::replace(&mut self.lit, b.len());
            return Some(Seg::Lit(&s[lit..]));
        }
        None
    }
}

/// What a variable can hold, as far as a URL's host is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Taint {
    /// Set by nginx or the config; an attacker cannot choose it.
    Trusted,
    /// Comes from the request (or the backend) and may hold any host name.
    Untrusted,
    /// Always starts with `/`: a URL's host ends before it.
    Path,
}

/// Built-in variables whose value the client chooses. `$host` is not here:
/// whether it is safe depends on the server (see the PRX005 docs).
pub fn builtin_taint(name: &str) -> Taint {
    const PATH: &[&str] = &[
        "request_uri",
        "uri",
        "document_uri",
        "fastcgi_script_name",
        "request_filename",
        "document_root",
        "realpath_root",
    ];
    const UNTRUSTED: &[&str] = &[
        "args",
        "query_string",
        "request",
        "request_body",
        "remote_user",
        "content_type",
        "invalid_referer",
        "proxy_protocol_tlv_",
    ];
    const UNTRUSTED_PREFIX: &[&str] = &[
        "http_",
        "arg_",
        "cookie_",
        "sent_http_",
        "upstream_http_",
        "upstream_cookie_",
        "jwt_",
    ];
    // Compared ignoring case in place: lowercasing a copy was an
    // allocation per variable of every proxy_set_header.
    let is = |n: &&str| name.eq_ignore_ascii_case(n);
    let starts = |p: &&str| {
        name.get(..p.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(p))
    };
    if PATH.iter().any(is) {
        Taint::Path
    } else if UNTRUSTED.iter().any(is) || UNTRUSTED_PREFIX.iter().any(starts) {
        Taint::Untrusted
    } else {
        Taint::Trusted
    }
}

/// A capturing group of a regex.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group<'r> {
    /// 1-based, counting named groups too (PCRE numbers them all).
    pub index: usize,
    pub name: Option<&'r str>,
    pub body: &'r str,
}

/// The capturing groups of a PCRE pattern, in order of their `(`.
pub fn groups(re: &str) -> Vec<Group<'_>> {
    let b = re.as_bytes();
    // (index of '(' , body start, name, capture number)
    let mut open: Vec<Option<(usize, Option<&str>, usize)>> = Vec::new();
    let mut out: Vec<Group> = Vec::new();
    let mut count = 0;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            b'[' => i = class_end(b, i),
            b'(' => {
                let rest = &re[i + 1..];
                let named = ["?<", "?P<", "?'"]
                    .iter()
                    .find(|p| {
                        rest.starts_with(**p)
                            && !rest.starts_with("?<=")
                            && !rest.starts_with("?<!")
                    })
                    .and_then(|p| {
                        let start = i + 1 + p.len();
                        let close = if *p == "?'" { '\'' } else { '>' };
                        re[start..]
                            .find(close)
                            .map(|n| (&re[start..start + n], start + n + 1))
                    });
                if let Some((name, body)) = named {
                    count += 1;
                    open.push(Some((body, Some(name), count)));
                    i = body;
                } else if rest.starts_with('?') || rest.starts_with('*') {
                    open.push(None);
                    i += 1;
                } else {
                    count += 1;
                    open.push(Some((i + 1, None, count)));
                    i += 1;
                }
            }
            b')' => {
                if let Some(Some((start, name, index))) = open.pop() {
                    out.push(Group {
                        index,
                        name,
                        body: &re[start..i],
                    });
                }
                i += 1;
            }
            _ => i += 1,
        }
    }
    out.sort_by_key(|g| g.index);
    out
}

/// Index just past the `]` closing the class that opens at `start`.
fn class_end(b: &[u8], start: usize) -> usize {
    let mut i = start + 1;
    if b.get(i) == Some(&b'^') {
        i += 1;
    }
    if b.get(i) == Some(&b']') {
        i += 1;
    }
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            b']' => return i + 1,
            _ => i += 1,
        }
    }
    b.len()
}

/// Whether what a group matches can contain `.`, i.e. spell a host name
/// (gixy's test for "any host"): `.*`, `[^/]+`, `\S+` can, `https?`,
/// `\d+`, `[a-z]+` cannot.
pub fn can_contain_dot(body: &str) -> bool {
    let b = body.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'.' => return true,
            b'\\' => {
                if matches!(
                    b.get(i + 1),
                    Some(
                        b'.' | b'S' | b'W' | b'D' | b'N' | b'H' | b'V' | b'X' | b'C' | b'p' | b'P'
                    )
                ) {
                    return true;
                }
                i += 2;
            }
            b'[' => {
                let end = class_end(b, i);
                if class_can_match_dot(&b[i + 1..end.saturating_sub(1).max(i + 1)]) {
                    return true;
                }
                i = end;
            }
            _ => i += 1,
        }
    }
    false
}

fn class_can_match_dot(class: &[u8]) -> bool {
    let (negated, class) = match class.first() {
        Some(b'^') => (true, &class[1..]),
        _ => (false, class),
    };
    let mut has = false;
    let mut i = 0;
    while i < class.len() {
        let (c, len) = match class[i] {
            b'\\' => match class.get(i + 1) {
                Some(b'S' | b'W' | b'D' | b'p' | b'P') => {
                    has = true;
                    i += 2;
                    continue;
                }
                Some(b'w' | b'd' | b's') => {
                    i += 2;
                    continue;
                }
                Some(c) => (*c, 2),
                None => break,
            },
            c => (c, 1),
        };
        // A range `a-z`.
        if class.get(i + len) == Some(&b'-') && i + len + 1 < class.len() {
            let hi = class[i + len + 1];
            if (c..=hi).contains(&b'.') {
                has = true;
            }
            i += len + 2;
            continue;
        }
        if c == b'.' {
            has = true;
        }
        i += len;
    }
    has != negated
}

/// Whether every match of the group starts with `/` (it then ends a URL's host).
pub fn starts_with_slash(body: &str) -> bool {
    body.trim_start_matches('^').starts_with('/') || body.trim_start_matches('^').starts_with("\\/")
}

/// A regex that matches every URI: `^`, `^/`, `^(.*)$`, `.*`, `^/(.*)`, ….
pub fn matches_everything(re: &str) -> bool {
    let r = re.strip_prefix('^').unwrap_or(re);
    let (slash, r) = match r.strip_prefix('/') {
        Some(r) => (true, r),
        None => (false, r),
    };
    let r = r.strip_suffix('$').unwrap_or(r);
    // Every URI starts with `/`, so `.+` matches all of them, but not `/.+`.
    matches!(r, "" | "(.*)" | ".*" | "(.*?)" | "(?:.*)") || (!slash && matches!(r, "(.+)" | ".+"))
}

/// The `://`-separated parts of a URL script: scheme segments, host segments
/// (up to the first `/`, `?` or `#`, or a variable that starts with `/`)
/// and the rest.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct UrlParts<'s> {
    pub scheme: Vec<Seg<'s>>,
    pub host: Vec<Seg<'s>>,
    pub rest: Vec<Seg<'s>>,
}

/// Split a URL script. `path_var` says which variables start with `/`.
pub fn split_url<'s>(segs: &[Seg<'s>], path_var: impl Fn(&str) -> bool) -> UrlParts<'s> {
    let mut parts = UrlParts::default();
    // Scheme: everything before the first literal `://`.
    let mut i = 0;
    let mut start_host: Option<(usize, usize)> = None;
    for (n, seg) in segs.iter().enumerate() {
        if let Seg::Lit(l) = seg {
            if let Some(p) = l.find("://") {
                if !l[..p].contains(['/', '?', '#']) {
                    start_host = Some((n, p + 3));
                }
                break;
            }
            if l.contains(['/', '?', '#']) {
                break;
            }
        }
    }
    if let Some((n, off)) = start_host {
        parts.scheme.extend_from_slice(&segs[..n]);
        if let Seg::Lit(l) = segs[n] {
            if off > 0 {
                parts.scheme.push(Seg::Lit(&l[..off]));
            }
            if off < l.len() {
                // Re-split the remainder of this literal as host/rest.
                let tail = &l[off..];
                let mut rest_segs = vec![Seg::Lit(tail)];
                rest_segs.extend_from_slice(&segs[n + 1..]);
                let (h, r) = split_host(&rest_segs, &path_var);
                parts.host = h;
                parts.rest = r;
                return parts;
            }
        }
        i = n + 1;
    }
    let (h, r) = split_host(&segs[i..], &path_var);
    parts.host = h;
    parts.rest = r;
    parts
}

fn split_host<'s>(
    segs: &[Seg<'s>],
    path_var: &impl Fn(&str) -> bool,
) -> (Vec<Seg<'s>>, Vec<Seg<'s>>) {
    let mut host = Vec::new();
    for (n, seg) in segs.iter().enumerate() {
        match *seg {
            Seg::Lit(l) => {
                if let Some(p) = l.find(['/', '?', '#']) {
                    if p > 0 {
                        host.push(Seg::Lit(&l[..p]));
                    }
                    let mut rest = vec![Seg::Lit(&l[p..])];
                    rest.extend_from_slice(&segs[n + 1..]);
                    return (host, rest);
                }
                host.push(*seg);
            }
            Seg::Var(v) => {
                if path_var(v) {
                    return (host, segs[n..].to_vec());
                }
                host.push(*seg);
            }
        }
    }
    (host, Vec::new())
}

/// Segments back to nginx text, bracing a variable when a name character
/// follows it (`${host}x`).
pub fn render(segs: &[Seg<'_>]) -> String {
    let mut out = String::new();
    for (i, s) in segs.iter().enumerate() {
        match s {
            Seg::Lit(l) => out.push_str(l),
            Seg::Var(v) => {
                let glued = matches!(segs.get(i + 1), Some(Seg::Lit(l))
                    if l.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_'));
                if glued {
                    out.push_str(&format!("${{{v}}}"));
                } else {
                    out.push('$');
                    out.push_str(v);
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_follow_nginx() {
        assert_eq!(
            segments("http://some${arg_la}.shit$1x$request_uri").collect::<Vec<_>>(),
            [
                Seg::Lit("http://some"),
                Seg::Var("arg_la"),
                Seg::Lit(".shit"),
                Seg::Var("1"),
                Seg::Lit("x"),
                Seg::Var("request_uri"),
            ]
        );
        assert_eq!(segments("a$").collect::<Vec<_>>(), [Seg::Lit("a$")]);
        // Variables back to back, an unclosed `${`, a `$` before a non-name.
        let all = |s| segments(s).collect::<Vec<_>>();
        assert_eq!(all("$a$b"), [Seg::Var("a"), Seg::Var("b")]);
        assert_eq!(all("a${b"), [Seg::Lit("a${b")]);
        assert_eq!(all("x$-y$z"), [Seg::Lit("x$-y"), Seg::Var("z")]);
        assert_eq!(
            all("${a}b$c/"),
            [Seg::Var("a"), Seg::Lit("b"), Seg::Var("c"), Seg::Lit("/")]
        );
        assert!(all("").is_empty());
        assert_eq!(
            segments("$12").collect::<Vec<_>>(),
            [Seg::Var("1"), Seg::Lit("2")]
        );
    }

    #[test]
    fn groups_number_like_pcre() {
        let g = groups(r"^/(?:a|b)/(?<p>[^/]+)/(\d+)\((x)\)[(]");
        assert_eq!(g.len(), 3);
        assert_eq!((g[0].index, g[0].name, g[0].body), (1, Some("p"), "[^/]+"));
        assert_eq!((g[1].index, g[1].body), (2, r"\d+"));
        assert_eq!((g[2].index, g[2].body), (3, "x"));
        let g = groups("/proxy/(?P<proxy>.*)$");
        assert_eq!(g[0].name, Some("proxy"));
    }

    #[test]
    fn what_groups_can_hold() {
        for yes in [
            ".*", ".*?", "[^/]+", r"\S+", "[a-z.]+", "[+-/]", r"[\S]", r"\.x",
        ] {
            assert!(can_contain_dot(yes), "{yes}");
        }
        for no in ["https?", r"\d+", "[a-z]+", r"[\w-]+", "[^.]+", "abc"] {
            assert!(!can_contain_dot(no), "{no}");
        }
        assert!(starts_with_slash("/.*"));
        assert!(!starts_with_slash(".*"));
    }

    #[test]
    fn catch_all_regexes() {
        for yes in ["^", "^/", "^(.*)$", "(.*)", "^/(.*)$", ".*", "^(.+)$"] {
            assert!(matches_everything(yes), "{yes}");
        }
        for no in ["^/old", "^/(.+)$", "^/api/(.*)$"] {
            assert!(!matches_everything(no), "{no}");
        }
    }

    #[test]
    fn urls_split_at_the_host() {
        let path = |v: &str| builtin_taint(v) == Taint::Path;
        let s: Vec<Seg> = segments("https://$host$request_uri").collect();
        let p = split_url(&s, path);
        assert_eq!(render(&p.scheme), "https://");
        assert_eq!(render(&p.host), "$host");
        assert_eq!(render(&p.rest), "$request_uri");
        let s: Vec<Seg> = segments("$http_proxy_scheme://some/file.conf").collect();
        let p = split_url(&s, path);
        assert_eq!(render(&p.scheme), "$http_proxy_scheme://");
        assert_eq!(render(&p.host), "some");
        assert_eq!(render(&p.rest), "/file.conf");
        let s: Vec<Seg> = segments("$upstream").collect();
        let p = split_url(&s, path);
        assert!(p.scheme.is_empty());
        assert_eq!(render(&p.host), "$upstream");
        let s: Vec<Seg> = segments("https://example.com:8443/x?y").collect();
        let p = split_url(&s, path);
        assert_eq!(render(&p.host), "example.com:8443");
        assert_eq!(render(&p.rest), "/x?y");
    }
}
