use super::{hsts_directives, HSTS};
use crate::diag::{Applicability, Diagnostic, Edit, Fix};
use crate::rule;
use crate::rules::sec::{value_start, written_verbatim};
use crate::rules::{Checker, Rule, RuleMeta};
use crate::source::Span;

rule! {
    /// ## What it does
    /// Reports `add_header Strict-Transport-Security` values whose `max-age`
    /// is shorter than the profile asks for — one year (31536000 seconds)
    /// for `guide`, two years (63072000) for `intermediate` and `modern` —
    /// or cannot be parsed at all.
    ///
    /// ## Why is this bad?
    /// HSTS protects a user only while the browser remembers it: after
    /// `max-age` seconds without a visit the next first request goes out
    /// over plain HTTP again, open to SSL stripping. A short max-age
    /// protects frequent visitors only; the HSTS preload list requires at
    /// least one year. A value browsers cannot parse (a missing or
    /// non-numeric `max-age`, `max-age=1y`) makes them ignore the header
    /// entirely (RFC 6797 §6.1): the site sends HSTS and gets none of it.
    ///
    /// `max-age=0` is the way to *remove* HSTS; it is reported too, since
    /// this profile expects HSTS to be on.
    ///
    /// ## Example
    /// ```nginx
    /// add_header Strict-Transport-Security "max-age=3600" always;
    /// ```
    ///
    /// ## Use instead
    /// ```nginx
    /// add_header Strict-Transport-Security "max-age=31536000; includeSubDomains" always;
    /// ```
    ///
    /// ## Fix safety
    /// The fix replaces the number with the profile's minimum (only when a
    /// number is there to replace). It is safe as far as it goes: a longer
    /// max-age only keeps a decision the site already made, although it
    /// also keeps it longer should HTTPS ever be dropped.
    ///
    /// ## References
    /// - [nginx: add_header](https://nginx.org/en/docs/http/ngx_http_headers_module.html#add_header)
    /// - [RFC 6797 §6.1.1: the max-age directive](https://www.rfc-editor.org/rfc/rfc6797#section-6.1.1)
    /// - [Mozilla server-side TLS: HSTS](https://wiki.mozilla.org/Security/Server_Side_TLS#HTTP_Strict_Transport_Security)
    /// - [hstspreload.org: submission requirements](https://hstspreload.org/#submission-requirements)
    pub struct HstsMaxAgeTooShort;
    code = "HDR002", name = "hsts-max-age-too-short", severity = Warning,
    summary = "The HSTS max-age is shorter than the profile requires, or cannot be parsed",
    fix = Sometimes,
}

impl Rule for HstsMaxAgeTooShort {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Checker<'_>, out: &mut Vec<Diagnostic>) {
        let min = cx.spec.hsts_min_age;
        for d in hsts_directives(cx) {
            let Some(value) = d.args().get(1) else {
                continue;
            };
            // A value computed per request cannot be judged here.
            if value.value.contains('$') {
                continue;
            }
            match max_age(value.value) {
                Ok((age, range)) if age < min => {
                    let shown = match human(age) {
                        h if h.ends_with("seconds") => format!("{age} seconds"),
                        h => format!("{age} seconds ({h})"),
                    };
                    let mut diag = Self::META.at(
                        value.span,
                        format!(
                            "{HSTS} max-age is {shown}; the {} profile asks for at least {min} ({})",
                            cx.spec.name,
                            human(min)
                        ),
                    );
                    if written_verbatim(cx, value) {
                        let start = value_start(value);
                        diag = diag.with_fix(Fix {
                            message: format!("set max-age={min}"),
                            applicability: Applicability::Safe,
                            edits: vec![Edit {
                                span: Span::new(
                                    value.span.file,
                                    start + range.start,
                                    start + range.end,
                                ),
                                replacement: min.to_string(),
                            }],
                        });
                    }
                    out.push(diag);
                }
                Ok(_) => {}
                Err(why) => out.push(
                    Self::META
                        .at(
                            value.span,
                            format!(
                                "{HSTS} value cannot be parsed ({why}): browsers ignore the header"
                            ),
                        )
                        .with_help(format!("use \"max-age={min}; includeSubDomains\"")),
                ),
            }
        }
    }
}

/// The max-age of an HSTS value and the byte range of its number in the
/// value. Directives are `;`-separated, names case-insensitive, and the
/// number may be quoted (RFC 6797 §6.1).
fn max_age(value: &str) -> Result<(u64, std::ops::Range<usize>), String> {
    let mut found = None;
    let mut offset = 0;
    for part in value.split(';') {
        let start = offset;
        offset += part.len() + 1;
        let Some((name, v)) = part.split_once('=') else {
            if part.trim().eq_ignore_ascii_case("max-age") {
                return Err("max-age has no value".into());
            }
            continue;
        };
        if !name.trim().eq_ignore_ascii_case("max-age") {
            continue;
        }
        if found.is_some() {
            return Err("max-age is given twice".into());
        }
        let v_start = start + name.len() + 1;
        let lead = v.len() - v.trim_start().len();
        let trimmed = v.trim();
        let (digits, quote) = match trimmed.strip_prefix('"').and_then(|t| t.strip_suffix('"')) {
            Some(inner) => (inner, 1),
            None => (trimmed, 0),
        };
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!("max-age={trimmed} is not a number of seconds"));
        }
        let begin = v_start + lead + quote;
        let age = digits.parse::<u64>().unwrap_or(u64::MAX);
        found = Some((age, begin..begin + digits.len()));
    }
    found.ok_or_else(|| "no max-age directive".into())
}

/// `31536000` → `1 year`; `3600` → `1 hour`.
fn human(seconds: u64) -> String {
    let units = [
        (31_536_000, "year"),
        (86_400, "day"),
        (3_600, "hour"),
        (60, "minute"),
    ];
    for (size, name) in units {
        if seconds >= size {
            let n = seconds as f64 / size as f64;
            let s = if (n - 1.0).abs() < 0.05 { "" } else { "s" };
            return if (n - n.round()).abs() < 0.05 {
                format!("{} {name}{s}", n.round())
            } else {
                format!("{n:.1} {name}{s}")
            };
        }
    }
    format!("{seconds} seconds")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_max_age() {
        assert_eq!(max_age("max-age=31536000").unwrap(), (31_536_000, 8..16));
        assert_eq!(
            max_age("includeSubDomains; Max-Age = \"600\"").unwrap(),
            (600, 30..33)
        );
        assert!(max_age("includeSubDomains").is_err());
        assert!(max_age("max-age=1y").is_err());
        assert!(max_age("max-age=1; max-age=2").is_err());
    }

    #[test]
    fn humane_durations() {
        assert_eq!(human(31_536_000), "1 year");
        assert_eq!(human(63_072_000), "2 years");
        assert_eq!(human(3600), "1 hour");
        assert_eq!(human(15_768_000), "182.5 days");
        assert_eq!(human(0), "0 seconds");
    }
}
