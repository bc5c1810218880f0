use rustc_hash::FxHashSet as HashSet;

use crate::diag::{Applicability, Diagnostic, Edit, Fix};
use crate::rule;
use crate::rules::sec::{walk_http, written_verbatim};
use crate::rules::{Checker, Rule, RuleMeta};
use crate::syntax::ast::{Quote, Word};
use crate::syntax::Directive;

rule! {
    /// ## What it does
    /// Reports header values that contain a line break: a multi-line quoted
    /// `add_header` value (typically a long `Content-Security-Policy` split
    /// for readability), or one in headers-more's `more_set_headers` /
    /// `more_set_input_headers`. This is gixy's `add_header_multiline`
    /// check.
    ///
    /// ## Why is this bad?
    /// nginx copies the value into the response byte for byte, so the line
    /// break and the indentation after it go on the wire. A header line
    /// that continues on the next line starting with whitespace is
    /// "obsolete line folding": RFC 9112 forbids sending it, and clients
    /// either reject the response (a 502 from a proxy in front, a network
    /// error in the browser) or read the continuation in their own way. A
    /// folded `Content-Security-Policy` may be cut at the first line, so the
    /// policy the browser enforces is not the one in the file.
    ///
    /// ## Example
    /// ```nginx
    /// add_header Content-Security-Policy "
    ///     default-src 'self';
    ///     img-src 'self' data:;
    /// ";
    /// ```
    ///
    /// ## Use instead
    /// ```nginx
    /// add_header Content-Security-Policy "default-src 'self'; img-src 'self' data:;";
    /// ```
    ///
    /// ## Fix safety
    /// The fix joins the lines: each line break with the whitespace around it
    /// becomes one space, and leading and trailing whitespace is dropped. It
    /// is safe: that is how a client that accepts folded headers reads the
    /// value. It is offered when the value contains no escape sequences.
    ///
    /// ## References
    /// - [nginx: add_header](https://nginx.org/en/docs/http/ngx_http_headers_module.html#add_header)
    /// - [headers-more: more_set_headers](https://github.com/openresty/headers-more-nginx-module#more_set_headers)
    /// - [RFC 9112 §5.2: obsolete line folding](https://www.rfc-editor.org/rfc/rfc9112#section-5.2)
    /// - [gixy: add_header_multiline](https://github.com/yandex/gixy/blob/master/docs/en/plugins/addheadermultiline.md)
    pub struct HeaderValueNewline;
    code = "HDR006", name = "header-value-newline", severity = Warning,
    summary = "A header value spans several lines and is sent as an obsolete folded header",
    fix = Sometimes,
}

impl Rule for HeaderValueNewline {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Checker<'_>, out: &mut Vec<Diagnostic>) {
        let mut seen = HashSet::default();
        walk_http(cx, HEADER_DIRECTIVES, |d, _| {
            let values = header_values(d);
            if values.is_empty() || !seen.insert(d.span) {
                return;
            }
            for (header, value) in values {
                if !value.value.contains(['\n', '\r']) {
                    continue;
                }
                let message = format!(
                    "the {header} value spans several lines: nginx sends the line break, an \
                     obsolete folded header that clients reject or read differently"
                );
                let mut diag = Self::META.at(value.span, message);
                if let Some(fix) = join_lines(cx, value) {
                    diag = diag.with_fix(fix);
                }
                out.push(diag);
            }
        });
    }
}

/// The header values a directive sets, with the header's name:
/// `add_header NAME VALUE`, and the `'Name: value'` arguments of
/// headers-more (whose `-s`/`-t` options take a list, not a header).
/// The directives [`header_values`] reads.
const HEADER_DIRECTIVES: &[&str] = &[
    "add_header",
    "add_trailer",
    "more_set_headers",
    "more_set_input_headers",
];

fn header_values(d: &Directive) -> Vec<(String, Word<'_>)> {
    match d.name() {
        "add_header" | "add_trailer" => match (d.arg(0), d.args().get(1)) {
            (Some(name), Some(value)) => vec![(name.to_string(), value)],
            _ => Vec::new(),
        },
        "more_set_headers" | "more_set_input_headers" => {
            let mut out = Vec::new();
            let mut args = d.args().iter();
            while let Some(a) = args.next() {
                match a.value {
                    "-s" | "-t" => {
                        args.next();
                    }
                    v if v.starts_with('-') && v.len() == 2 => {}
                    v => {
                        let name = v.split_once(':').map_or(v, |(n, _)| n).trim();
                        out.push((name.to_string(), a));
                    }
                }
            }
            out
        }
        _ => Vec::new(),
    }
}

/// Replace the quoted value with its lines joined by single spaces.
fn join_lines(cx: &Checker<'_>, value: Word<'_>) -> Option<Fix> {
    if !written_verbatim(cx, value) {
        return None;
    }
    let joined = value
        .value
        .split(['\n', '\r'])
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    let quote = match value.quote {
        Quote::Single => '\'',
        // An unquoted word cannot hold a line break; keep double quotes.
        _ => '"',
    };
    Some(Fix {
        message: "join the value into one line".into(),
        applicability: Applicability::Safe,
        edits: vec![Edit {
            span: value.span,
            replacement: format!("{quote}{joined}{quote}"),
        }],
    })
}
