use rustc_hash::FxHashSet as HashSet;

use super::pcre::{can_match, dotall};
use super::{capturing_block, sub_span, walk_http, Level};
use crate::diag::Diagnostic;
use crate::rule;
use crate::rules::prx::script::{groups, segments, Seg};
use crate::rules::{Checker, Rule, RuleMeta};
use crate::syntax::ast::Word;
use crate::syntax::names::ids;
use crate::syntax::Directive;

rule! {
    /// ## What it does
    /// Reports `$uri`, `$document_uri`, and regex captures that can match a
    /// line break, used where they end up in an HTTP header: `add_header`,
    /// the URL of `return 301/302/303/307/308` and of a redirecting
    /// `rewrite`, `proxy_set_header`, and `proxy_pass`. Variables set from
    /// such values with `set` are followed. This is gixy's `http_splitting`
    /// check.
    ///
    /// ## Why is this bad?
    /// nginx URL-decodes the request path before it matches locations, so
    /// `$uri` (and `$document_uri`) and every capture of a location or `if`
    /// regex hold decoded bytes: a request for `/x%0d%0aSet-Cookie:%20a=b`
    /// has a real carriage return and line feed in `$uri`. nginx copies
    /// variables into headers as they are, so
    /// `return 302 https://$host$uri;` answers with
    ///
    /// ```text
    /// Location: https://example.com/x
    /// Set-Cookie: a=b
    /// ```
    ///
    /// — the client chose a response header (session fixation, cache
    /// poisoning, XSS through an injected body). In `proxy_pass` and
    /// `proxy_set_header` the line break splits the request sent to the
    /// backend instead.
    ///
    /// Which captures can hold one depends on the regex: in PCRE `.` matches
    /// anything except `\n` (it does match `\r`), while negated classes
    /// (`[^/]+`), `\s`, `\W` and `\D` match both. Backends split requests on
    /// `\n`, so for `proxy_*` only captures that can hold `\n` count;
    /// responses to browsers count `\r` too. `$request_uri` and `$args` are
    /// not decoded and are safe, and `rewrite … redirect` escapes its own
    /// `$1`…`$9` again.
    ///
    /// ## Example
    /// ```nginx
    /// location ~ ^/download/([^/]+)/ {
    ///     return 301 https://files.example.com/$1;
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```nginx
    /// location ~ ^/download/([^/\r\n]+)/ {
    ///     return 301 https://files.example.com/$1;
    /// }
    /// ```
    /// and `$request_uri` (still percent-encoded) instead of `$uri` in
    /// redirects: `return 301 https://$host$request_uri;`.
    ///
    /// ## References
    /// - [nginx: $uri](https://nginx.org/en/docs/http/ngx_http_core_module.html#var_uri)
    ///   and [$request_uri](https://nginx.org/en/docs/http/ngx_http_core_module.html#var_request_uri)
    /// - [nginx: location](https://nginx.org/en/docs/http/ngx_http_core_module.html#location)
    ///   ("matching is performed against a normalized URI, after decoding")
    /// - [gixy: http_splitting](https://github.com/yandex/gixy/blob/master/docs/en/plugins/httpsplitting.md)
    /// - [CWE-113: HTTP response splitting](https://cwe.mitre.org/data/definitions/113.html)
    pub struct ResponseSplitting;
    code = "SEC003", name = "response-splitting", severity = Error,
    summary = "A URL-decoded value that can hold a line break is written into an HTTP header",
}

/// The innermost enclosing block whose regex sets captures, with the regex
/// ([`capturing_block`]).
type Capture<'a> = Option<(&'a Directive, &'a str)>;

/// The line-break bytes that matter where a value ends up.
const CLIENT: &[u8] = b"\n\r";
const BACKEND: &[u8] = b"\n";

/// The directive argument that ends up in a header, what that header is,
/// and which bytes split it.
struct Sink<'a> {
    value: Word<'a>,
    what: What<'a>,
    chars: &'static [u8],
}

/// What a sink's value becomes, put in words only for a finding: most
/// sinks are clean, and formatting each was a large part of this rule's time.
enum What<'a> {
    ResponseHeader(&'a str),
    BackendHeader(&'a str),
    RequestLine,
    Redirect(&'a str),
    RewriteRedirect,
}

impl std::fmt::Display for What<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            What::ResponseHeader(h) => write!(f, "the {h} response header"),
            What::BackendHeader(h) => write!(f, "the {h} header sent to the backend"),
            What::RequestLine => f.write_str("the request line sent to the backend"),
            What::Redirect(code) => write!(f, "the Location header of this {code} redirect"),
            What::RewriteRedirect => f.write_str("the Location header of this redirect"),
        }
    }
}

fn sink(d: &Directive) -> Option<Sink<'_>> {
    let redirect_url = |v: &str| {
        ["http://", "https://", "$scheme"]
            .iter()
            .any(|p| v.starts_with(p))
    };
    match d.name_id() {
        Some(ids::ADD_HEADER) => Some(Sink {
            value: d.args().get(1)?,
            what: What::ResponseHeader(d.arg(0)?),
            chars: CLIENT,
        }),
        Some(ids::PROXY_SET_HEADER) => Some(Sink {
            value: d.args().get(1)?,
            what: What::BackendHeader(d.arg(0)?),
            chars: BACKEND,
        }),
        Some(ids::PROXY_PASS) => Some(Sink {
            value: d.args().first()?,
            what: What::RequestLine,
            chars: BACKEND,
        }),
        Some(ids::RETURN) => {
            let (value, code) = match d.arg_count() {
                1 if redirect_url(d.arg(0)?) => (d.args().first()?, "302"),
                2 if matches!(d.arg(0)?, "301" | "302" | "303" | "307" | "308") => {
                    (d.args().get(1)?, d.arg(0)?)
                }
                _ => return None,
            };
            Some(Sink {
                value,
                what: What::Redirect(code),
                chars: CLIENT,
            })
        }
        Some(ids::REWRITE) => {
            let value = d.args().get(1)?;
            let redirect =
                matches!(d.arg(2), Some("redirect" | "permanent")) || redirect_url(value.value);
            redirect.then_some(Sink {
                value,
                what: What::RewriteRedirect,
                chars: CLIENT,
            })
        }
        _ => None,
    }
}

/// The directives [`sink`] knows.
const SINKS: &[&str] = &[
    "add_header",
    "proxy_set_header",
    "proxy_pass",
    "return",
    "rewrite",
];

/// Why a variable can hold a line break.
struct Taint<'a> {
    /// The variable as written in the sink (`$uri`, `$1`, `$path`).
    var: String,
    /// The explanation, from the variable down to its source.
    why: String,
    /// Where the value comes from: `set` directives and the regex block.
    related: Vec<(&'a Directive, String)>,
    /// How to fix it.
    help: &'static str,
}

impl Rule for ResponseSplitting {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Checker<'_>, out: &mut Vec<Diagnostic>) {
        let mut seen = HashSet::default();
        // The regex block around a sink and whether any level around it has
        // a `set`, worked out once per enclosing block: sinks come block by
        // block, each with several variables.
        let mut capture_at: Option<(*const Level<'_>, Capture<'_>, bool)> = None;
        walk_http(cx, SINKS, |d, levels| {
            let innermost: *const Level<'_> = *levels.last().expect("a visit has its level");
            let (capture, sets) = match capture_at {
                Some((at, capture, sets)) if at == innermost => (capture, sets),
                _ => {
                    let capture = capturing_block(levels);
                    let sets = levels.iter().any(|l| !l.sets.is_empty());
                    capture_at = Some((innermost, capture, sets));
                    (capture, sets)
                }
            };
            // Without a regex capture or a `set` in scope, only `$uri` and
            // `$document_uri` can carry a line break (see `taint`): most
            // sinks name neither, and need not be read word by word.
            if capture.is_none() && !sets && !mentions_uri(d.words_text()) {
                return;
            }
            let Some(sink) = sink(d) else {
                return;
            };
            // No variable, nothing to inject through.
            if !sink.value.value.contains('$') || seen.contains(&d.span) {
                return;
            }
            let own_regex = (d.is(ids::REWRITE)).then(|| d.arg(0)).flatten();
            let taints: Vec<Taint> = segments(sink.value.value)
                .filter_map(|s| match s {
                    Seg::Var(v) => taint(v, levels, capture, own_regex, sink.chars, 0),
                    Seg::Lit(_) => None,
                })
                .collect();
            let Some(first) = taints.first() else {
                return;
            };
            seen.insert(d.span);
            let span = sub_span(cx, sink.value, &first.var)
                .or_else(|| sub_span(cx, sink.value, &format!("${{{}}}", &first.var[1..])))
                .unwrap_or(sink.value.span);
            let mut message = format!(
                "{} {}, so a request can inject a line break into {}",
                first.var, first.why, sink.what
            );
            if taints.len() > 1 {
                let others: Vec<&str> = taints[1..].iter().map(|t| t.var.as_str()).collect();
                message.push_str(&format!(" (so can {})", others.join(", ")));
            }
            let mut diag = Self::META.at(span, message).with_help(first.help);
            let mut related = HashSet::default();
            for t in &taints {
                for (r, note) in &t.related {
                    if related.insert(r.span) {
                        diag = diag.with_related(r.head_span(), note.clone());
                    }
                }
            }
            out.push(diag);
        });
    }
}

/// Whether `value` has `uri` in it in any case: a cheap test that it may
/// name `$uri` or `$document_uri`.
fn mentions_uri(value: &str) -> bool {
    // It runs on every sink's words: jump from `u` to `u` (memchr), and
    // lowercase the next two with `| 0x20`, which makes `r` and `i` of
    // exactly `R`/`r` and `I`/`i`. Only `$uri`, `${uri`, and
    // `document_uri` count: `$request_uri`, in nearly every redirect, is
    // safe, and reading its sink word by word was most of this rule's time.
    let b = value.as_bytes();
    memchr::memchr2_iter(b'u', b'U', b).any(|i| {
        b.get(i + 1).is_some_and(|c| c | 0x20 == b'r')
            && b.get(i + 2).is_some_and(|c| c | 0x20 == b'i')
            && (matches!(i.checked_sub(1).map(|j| b[j]), Some(b'$' | b'{'))
                || i.checked_sub(9)
                    .is_some_and(|j| b[j..i].eq_ignore_ascii_case(b"document_")))
    })
}

fn taint<'a>(
    name: &str,
    levels: &[&Level<'a>],
    capture: Capture<'a>,
    own_regex: Option<&str>,
    chars: &[u8],
    depth: usize,
) -> Option<Taint<'a>> {
    if name.eq_ignore_ascii_case("uri") || name.eq_ignore_ascii_case("document_uri") {
        return Some(Taint {
            var: format!("${name}"),
            why: "is the URL-decoded path (%0d%0a becomes a real line break)".into(),
            related: Vec::new(),
            help: "use $request_uri, which nginx keeps percent-encoded",
        });
    }
    let numbered = name.len() == 1 && name.as_bytes()[0].is_ascii_digit();
    if let Some(re) = own_regex {
        // `rewrite` re-escapes its numbered captures when it redirects; its
        // named captures are taken as safe too, as gixy does.
        if numbered || groups(re).iter().any(|g| g.name == Some(name)) {
            return None;
        }
    }
    // Most variables are never `set`: look for one only where a level has any.
    if !numbered && depth < 8 && levels.iter().any(|l| !l.sets.is_empty()) {
        // The innermost `set $name …` in scope, in file order the last one.
        let dollar = format!("${name}");
        for (i, level) in levels.iter().enumerate().rev() {
            let Some(set) = level
                .sets
                .iter()
                .rev()
                .find(|s| s.arg(0).is_some_and(|a| a.eq_ignore_ascii_case(&dollar)))
            else {
                continue;
            };
            let value = set.arg(1)?;
            for seg in segments(value) {
                if let Seg::Var(v) = seg {
                    let outer = &levels[..=i];
                    if let Some(inner) =
                        taint(v, outer, capturing_block(outer), None, chars, depth + 1)
                    {
                        let mut related =
                            vec![(*set, format!("${name} is set from {} here", inner.var))];
                        related.extend(inner.related);
                        return Some(Taint {
                            var: format!("${name}"),
                            why: format!("is set from {}, which {}", inner.var, inner.why),
                            related,
                            help: inner.help,
                        });
                    }
                }
            }
            return None;
        }
    }
    // A capture of the regex of an enclosing location or `if`.
    let (block, re) = capture?;
    let group = groups(re).into_iter().find(|g| {
        if numbered {
            g.index.to_string() == name
        } else {
            g.name == Some(name)
        }
    })?;
    if !can_match(group.body, chars, dotall(re)) {
        return None;
    }
    let which = if chars.contains(&b'\r') && !can_match(group.body, b"\n", dotall(re)) {
        "a carriage return (%0d)"
    } else {
        "a line feed (%0a)"
    };
    let kind = if block.is(ids::IF) { "if" } else { "location" };
    Some(Taint {
        var: format!("${name}"),
        why: format!(
            "is captured by `{}` of the {kind} regex, which runs on the URL-decoded path; \
             that can match {which}",
            group.body
        ),
        related: vec![(block, format!("${name} is captured by this {kind} regex"))],
        help: "make the capture exclude line breaks, e.g. `[^/\\r\\n]+` instead of `[^/]+` or `.*`",
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{load_text, site};
    use crate::rules::RuleOptions;

    /// The lines SEC003 reports in `conf`.
    fn lines(conf: &str) -> Vec<usize> {
        let (_dir, cfg) = load_text(conf);
        let sites = site::sites(&cfg);
        let options = RuleOptions::default();
        let cx = Checker::new(&cfg, &sites, crate::rules::Profile::Guide, &options);
        let mut out = Vec::new();
        ResponseSplitting.check(&cx, &mut out);
        out.iter()
            .map(|d| cfg.sources.line_col(d.span.unwrap()).0)
            .collect()
    }

    #[test]
    fn uri_variables_are_found_in_any_case_without_captures_or_sets() {
        // nginx looks variables up lowercased: `$URI` is `$uri`.
        let conf = "server {\n\
                    add_header X-A $URI;\n\
                    add_header X-B \"${Document_Uri}\";\n\
                    add_header X-C $host$request_method;\n\
                    add_header X-D \"uri: $host\";\n\
                    add_header X-E $host-u;\n\
                    add_header X-F $host-UR;\n\
                    add_header X-G $request_uri;\n\
                    add_header X-H \"${DOCUMENT_URI}x\";\n\
                    }\n";
        assert_eq!(lines(conf), [2, 3, 9]);
        // The words-only prefilter agrees: `$request_uri` and `u` alone are
        // not `$uri`.
        for (value, mentions) in [
            ("$uri", true),
            ("a${URI}", true),
            ("x$Document_Uri", true),
            ("https://$host$request_uri", false),
            ("uri", false),
            ("$host-u", false),
        ] {
            assert_eq!(mentions_uri(value), mentions, "{value}");
        }
    }
}
