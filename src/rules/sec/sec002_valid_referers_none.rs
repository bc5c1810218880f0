use rustc_hash::FxHashSet as HashSet;

use super::walk_http;
use crate::diag::{Applicability, Diagnostic, Edit, Fix};
use crate::rule;
use crate::rules::{Checker, Rule, RuleMeta};
use crate::source::Span;

rule! {
    /// ## What it does
    /// Reports `valid_referers` lists that contain `none`. This is gixy's
    /// `valid_referers` check.
    ///
    /// ## Why is this bad?
    /// `valid_referers` sets `$invalid_referer`, which configurations use to
    /// refuse hotlinking or cross-site requests (`if ($invalid_referer) {
    /// return 403; }`). `none` accepts every request that has no `Referer`
    /// header at all — and any page can make the browser send none: a
    /// `Referrer-Policy: no-referrer` header, `<meta name="referrer"
    /// content="no-referrer">` or `rel="noreferrer"` on a link are enough.
    /// A check that lets referer-less requests through protects nothing
    /// against a third-party page.
    ///
    /// ## Example
    /// ```nginx
    /// valid_referers none server_names *.example.com;
    /// ```
    ///
    /// ## Use instead
    /// ```nginx
    /// valid_referers server_names *.example.com;
    /// ```
    ///
    /// ## Fix safety
    /// The fix removes `none`. It is unsafe: visitors whose browser or
    /// privacy extension strips the `Referer` header are refused too, which
    /// may be acceptable for a hotlink guard but not for every site. Referer
    /// checks are a weak defence either way; CSRF needs tokens or
    /// `SameSite` cookies.
    ///
    /// ## References
    /// - [nginx: valid_referers](https://nginx.org/en/docs/http/ngx_http_referer_module.html#valid_referers)
    /// - [gixy: valid_referers](https://github.com/yandex/gixy/blob/master/docs/en/plugins/validreferers.md)
    pub struct ValidReferersNone;
    code = "SEC002", name = "valid-referers-none", severity = Warning,
    summary = "valid_referers accepts requests without a Referer (`none`), which any page can cause",
    fix = Sometimes,
}

impl Rule for ValidReferersNone {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Checker<'_>, out: &mut Vec<Diagnostic>) {
        let mut seen = HashSet::default();
        walk_http(cx, &["valid_referers"], |d, _| {
            if d.name() != "valid_referers" || !seen.insert(d.span) {
                return;
            }
            let Some(pos) = d.args().iter().position(|a| a.value == "none") else {
                return;
            };
            let none = d.args().get(pos).expect("found above");
            // Remove the word and the whitespace before it, when only
            // whitespace separates it from the previous word.
            let prev_end = if pos == 0 {
                d.name_span().end
            } else {
                d.args().get(pos - 1).expect("before pos").span.end
            } as usize;
            let bytes = &cx.cfg.sources.get(none.span.file).bytes;
            let gap = &bytes[prev_end..none.span.start as usize];
            let start = if gap.iter().all(u8::is_ascii_whitespace) {
                prev_end
            } else {
                none.span.start as usize
            };
            let fix = Fix {
                message: "remove `none`".into(),
                applicability: Applicability::Unsafe,
                edits: vec![Edit {
                    span: Span::new(none.span.file, start, none.span.end as usize),
                    replacement: String::new(),
                }],
            };
            let mut diag = Self::META
                .at(
                    none.span,
                    "valid_referers accepts `none`: requests without a Referer header pass, \
                     and any page can make a browser omit it",
                )
                .with_help("drop `none` and list only the sites that may refer");
            // `valid_referers` needs at least one value left.
            if d.args().len() > 1 {
                diag = diag.with_fix(fix);
            }
            out.push(diag);
        });
    }
}
