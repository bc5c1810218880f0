use super::{hsts_directives, HSTS};
use crate::diag::{Applicability, Diagnostic, Edit, Fix};
use crate::rule;
use crate::rules::{Checker, Rule, RuleMeta};
use crate::source::Span;

rule! {
    /// ## What it does
    /// Reports `add_header Strict-Transport-Security …` without the `always`
    /// parameter.
    ///
    /// ## Why is this bad?
    /// Without `always`, nginx adds the header only to responses with status
    /// 200, 201, 204, 206, 301, 302, 303, 304, 307 or 308. Error pages —
    /// 404, 401, 403, the 500/502/504 a failing backend produces — go out
    /// without it. A browser whose first HTTPS response from the site is an
    /// error (a bookmarked page that moved, a login wall, the app being
    /// down) does not learn HSTS from it. The policy should not depend on
    /// the status code.
    ///
    /// ## Example
    /// ```nginx
    /// add_header Strict-Transport-Security "max-age=31536000; includeSubDomains";
    /// ```
    ///
    /// ## Use instead
    /// ```nginx
    /// add_header Strict-Transport-Security "max-age=31536000; includeSubDomains" always;
    /// ```
    ///
    /// ## Fix safety
    /// The fix appends `always`. It is safe: it only adds the header to the
    /// responses that lacked it.
    ///
    /// ## References
    /// - [nginx: add_header](https://nginx.org/en/docs/http/ngx_http_headers_module.html#add_header)
    ///   (the status list and the `always` parameter, nginx 1.7.5+)
    /// - [RFC 6797: HTTP Strict Transport Security](https://www.rfc-editor.org/rfc/rfc6797)
    pub struct HstsWithoutAlways;
    code = "HDR003", name = "hsts-without-always", severity = Warning,
    summary = "The HSTS add_header lacks `always`, so error responses go without it",
    fix = Always,
}

impl Rule for HstsWithoutAlways {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Checker<'_>, out: &mut Vec<Diagnostic>) {
        for d in hsts_directives(cx) {
            // Three arguments with a third that is not `always` is a syntax
            // problem nginx reports itself.
            let (2, Some(last)) = (d.args().len(), d.args().get(1)) else {
                continue;
            };
            let last = last.span;
            out.push(
                Self::META
                    .at(
                        d.head_span(),
                        format!(
                            "{HSTS} is added without `always`: nginx leaves it off error \
                             responses (4xx, 5xx)"
                        ),
                    )
                    .with_fix(Fix {
                        message: "append `always`".into(),
                        applicability: Applicability::Safe,
                        edits: vec![Edit {
                            span: Span::new(last.file, last.end as usize, last.end as usize),
                            replacement: " always".into(),
                        }],
                    }),
            );
        }
    }
}
