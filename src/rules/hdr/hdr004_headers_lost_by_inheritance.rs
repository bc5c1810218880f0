use rustc_hash::FxHashMap as HashMap;

use super::is_security_header;
use crate::config::site::{BlockKind, Location, Settings};
use crate::diag::{Applicability, Diagnostic, Edit, Fix, Severity};
use crate::rule;
use crate::rules::tls::indent_of;
use crate::rules::{Checker, Rule, RuleMeta};
use crate::source::Span;
use crate::syntax::names::ids;
use crate::syntax::Directive;

rule! {
    /// ## What it does
    /// Reports a `server`, `location`, `if` or `limit_except` block whose own
    /// `add_header` makes nginx drop the headers set at an outer level, and
    /// names the headers lost there. This is gixy's `add_header_redefinition`
    /// check, computed on the effective header sets.
    ///
    /// Losing a security header (HSTS, `Content-Security-Policy`,
    /// `X-Frame-Options`, `X-Content-Type-Options`, `Referrer-Policy`, …, or
    /// a protective `Cache-Control: no-store`) is a warning; losing only
    /// other headers is reported as `info`.
    ///
    /// ## Why is this bad?
    /// `add_header` is inherited from the outer level only if the block
    /// has no `add_header` of its own. One `add_header Cache-Control …` in
    /// `location /static/` silently removes the server's
    /// `Strict-Transport-Security`, `X-Frame-Options` and every other header
    /// there — the configuration reads as if they were still sent. This is
    /// one of the most common nginx surprises, and the loss is invisible
    /// unless someone inspects the responses of that exact location.
    ///
    /// nginx 1.29.3 added `add_header_inherit merge;` to keep the outer
    /// headers; blocks where it is in effect are not reported.
    /// `add_header_inherit off;` states that dropping is intended and is
    /// not reported either.
    ///
    /// ## Example
    /// ```nginx
    /// server {
    ///     add_header Strict-Transport-Security "max-age=31536000" always;
    ///     add_header X-Frame-Options DENY always;
    ///     location /static/ {
    ///         add_header Cache-Control "public, max-age=86400";
    ///     }
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```nginx
    /// server {
    ///     add_header Strict-Transport-Security "max-age=31536000" always;
    ///     add_header X-Frame-Options DENY always;
    ///     location /static/ {
    ///         add_header Strict-Transport-Security "max-age=31536000" always;
    ///         add_header X-Frame-Options DENY always;
    ///         add_header Cache-Control "public, max-age=86400";
    ///     }
    /// }
    /// ```
    /// (or keep shared headers in a snippet and `include` it at every level
    /// that adds its own; with nginx 1.29.3+, `add_header_inherit merge;`).
    ///
    /// ## Fix safety
    /// The fix copies the lost `add_header` lines into the block, before its
    /// first `add_header`. It is unsafe: dropping a header may have been
    /// deliberate (a download location without a CSP), and a copied header
    /// does not follow later edits of the original.
    ///
    /// ## References
    /// - [nginx: add_header](https://nginx.org/en/docs/http/ngx_http_headers_module.html#add_header)
    ///   ("inherited from the previous configuration level if and only if
    ///   there are no add_header directives defined on the current level")
    /// - [nginx: add_header_inherit](https://nginx.org/en/docs/http/ngx_http_headers_module.html#add_header_inherit)
    /// - [gixy: add_header_redefinition](https://github.com/yandex/gixy/blob/master/docs/en/plugins/addheaderredefinition.md)
    pub struct HeadersLostByInheritance;
    code = "HDR004", name = "headers-lost-by-inheritance", severity = Warning,
    summary = "A block's own add_header drops the headers set at an outer level",
    fix = Sometimes,
}

/// One block that drops headers (merged over the servers that share it).
struct Loss<'a> {
    /// The block's first own `add_header`.
    at: &'a Directive,
    what: String,
    /// The outer directives whose headers are not sent here.
    dropped: Vec<&'a Directive>,
}

impl Rule for HeadersLostByInheritance {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Checker<'_>, out: &mut Vec<Diagnostic>) {
        let mut losses: Vec<Loss> = Vec::new();
        let mut index: HashMap<Span, usize> = HashMap::default();
        for site in cx.sites {
            // The server against the http level.
            if site.directive.is_some() {
                let http = site.http_settings.all(ids::ADD_HEADER);
                if let Some(loss) = lost(http, &site.own, &site.settings, || "this server".into()) {
                    merge(&mut losses, &mut index, loss);
                }
            }
            let mut stack: Vec<(&Settings, &Location)> = site
                .locations
                .iter()
                .chain(site.ifs.iter())
                .map(|l| (&site.settings, l))
                .collect();
            while let Some((parent, l)) = stack.pop() {
                // The parent's list only for blocks that set their own
                // (few do): looking it up walks every level above.
                if !l.settings.own(ids::ADD_HEADER).is_empty() {
                    let outer = parent.all(ids::ADD_HEADER);
                    if let Some(loss) = lost(outer, &l.own, &l.settings, || describe(l)) {
                        merge(&mut losses, &mut index, loss);
                    }
                }
                stack.extend(l.children.iter().map(|c| (&l.settings, c)));
            }
        }
        for loss in losses {
            out.push(report(cx, loss));
        }
    }
}

/// The headers of `outer` a block with these own directives and
/// effective settings does not send, when it has its own `add_header`.
/// `what` names the block; only a block that loses headers needs it.
fn lost<'a>(
    outer: &[&'a Directive],
    own: &[&'a Directive],
    settings: &Settings<'a>,
    what: impl FnOnce() -> String,
) -> Option<Loss<'a>> {
    // Most blocks set no header: the settings' own list says so without
    // reading each directive (with `add_header_inherit merge` that list
    // also holds outer headers, so the first own one is looked up below).
    if settings.own(ids::ADD_HEADER).is_empty() {
        return None;
    }
    let at = *own.iter().find(|d| d.is(ids::ADD_HEADER))?;
    if settings.value(ids::ADD_HEADER_INHERIT) == Some("off") {
        return None;
    }
    let here = settings.all(ids::ADD_HEADER);
    let dropped: Vec<&Directive> = outer
        .iter()
        .filter(|d| {
            d.arg(0).is_some_and(|h| {
                !here
                    .iter()
                    .any(|o| o.arg(0).is_some_and(|x| x.eq_ignore_ascii_case(h)))
            })
        })
        .copied()
        .collect();
    (!dropped.is_empty()).then(|| Loss {
        at,
        what: what(),
        dropped,
    })
}

fn merge<'a>(losses: &mut Vec<Loss<'a>>, index: &mut HashMap<Span, usize>, loss: Loss<'a>) {
    match index.get(&loss.at.span) {
        Some(&i) => {
            for d in loss.dropped {
                if !losses[i].dropped.iter().any(|o| o.span == d.span) {
                    losses[i].dropped.push(d);
                }
            }
        }
        None => {
            index.insert(loss.at.span, losses.len());
            losses.push(loss);
        }
    }
}

fn describe(l: &Location<'_>) -> String {
    let head = l
        .directive
        .args()
        .iter()
        .map(|a| a.value)
        .collect::<Vec<_>>()
        .join(" ");
    match l.kind {
        BlockKind::Location => format!("location {head}"),
        BlockKind::If => format!("if {head}"),
        BlockKind::LimitExcept => format!("limit_except {head}"),
    }
}

fn report<'a>(cx: &Checker<'a>, loss: Loss<'a>) -> Diagnostic {
    let mut names: Vec<&str> = Vec::new();
    for d in &loss.dropped {
        let h = d.arg(0).unwrap_or("");
        if !names.iter().any(|n| n.eq_ignore_ascii_case(h)) {
            names.push(h);
        }
    }
    let security = loss
        .dropped
        .iter()
        .any(|d| is_security_header(d.arg(0).unwrap_or(""), d.arg(1).unwrap_or("")));
    let list = crate::rules::tls::name_list(&names, 6);
    let message = format!(
        "add_header in {} replaces every inherited header: {list} {} not sent here",
        loss.what,
        if names.len() == 1 { "is" } else { "are" }
    );
    let mut diag = HeadersLostByInheritance::META
        .at(loss.at.head_span(), message)
        .with_help(
            "repeat the outer add_header lines in this block (or include a shared snippet); \
             nginx 1.29.3+ can keep them with `add_header_inherit merge;`",
        );
    if !security {
        diag.severity = Severity::Info;
    }
    for d in &loss.dropped {
        diag = diag.with_related(
            d.head_span(),
            format!("dropped {} is set", d.arg(0).unwrap_or("")),
        );
    }
    if let Some(fix) = copy_fix(cx, &loss) {
        diag = diag.with_fix(fix);
    }
    diag
}

/// Copy the lost directives, as written, before the block's first `add_header`.
fn copy_fix(cx: &Checker<'_>, loss: &Loss<'_>) -> Option<Fix> {
    let indent = indent_of(cx, loss.at.span)?;
    let mut text = String::new();
    for d in &loss.dropped {
        let src = cx.cfg.sources.get(d.span.file).text(d.span);
        if src.contains('\n') {
            return None;
        }
        text.push_str(&src);
        text.push('\n');
        text.push_str(&indent);
    }
    let start = loss.at.span.start as usize;
    Some(Fix {
        message: "repeat the lost add_header lines in this block".into(),
        applicability: Applicability::Unsafe,
        edits: vec![Edit {
            span: Span::new(loss.at.span.file, start, start),
            replacement: text,
        }],
    })
}
