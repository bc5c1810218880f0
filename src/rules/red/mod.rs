//! RED rules: the plain-HTTP side of a TLS site. Which server answers
//! `http://name/` (see `servers`), whether it redirects to HTTPS, and
//! whether that redirect is permanent, keeps the path and query, and goes
//! to the right place.

mod red001_missing_https_redirect;
mod red002_redirect_not_permanent;
mod red003_redirect_drops_path;
mod red004_redirect_wrong_target;
pub(crate) mod servers;

pub use red001_missing_https_redirect::MissingHttpsRedirect;
pub use red002_redirect_not_permanent::RedirectNotPermanent;
pub use red003_redirect_drops_path::RedirectDropsPath;
pub use red004_redirect_wrong_target::RedirectWrongTarget;

use super::prx::script::{matches_everything, segments, split_url, UrlParts};
use super::{Checker, Rule};
use crate::config::site::{BlockKind, Location, Site};
use crate::syntax::names::ids;
use crate::syntax::{Directive, Word};

/// Every RED rule, in code order.
pub fn rules() -> Vec<&'static dyn Rule> {
    vec![
        &MissingHttpsRedirect,
        &RedirectNotPermanent,
        &RedirectDropsPath,
        &RedirectWrongTarget,
    ]
}

/// When an `if` around a redirect is true.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cond {
    Always,
    /// `if ($host = name)` (certbot's form).
    Hosts(Vec<String>),
    /// True for plain-HTTP requests: `$scheme = http`, `$scheme != https`,
    /// `$https != on`, `$server_port = 80`.
    WhenPlain,
    /// False for plain-HTTP requests (`$scheme = https`).
    Never,
    /// Anything else (`$http_x_forwarded_proto != https`, …): may be true.
    Other,
}

impl Cond {
    pub fn parse(d: &Directive) -> Cond {
        let joined = d
            .args()
            .iter()
            .map(|a| a.value)
            .collect::<Vec<_>>()
            .join(" ");
        let inner = joined.trim();
        let inner = inner.strip_prefix('(').unwrap_or(inner);
        let inner = inner.strip_suffix(')').unwrap_or(inner);
        let t: Vec<&str> = inner.split_whitespace().collect();
        let (lhs, op, rhs) = match t.as_slice() {
            [l, o, r] => (*l, *o, *r),
            [l, o] => (*l, *o, ""),
            _ => return Cond::Other,
        };
        let rhs = rhs.to_ascii_lowercase();
        match (lhs.to_ascii_lowercase().as_str(), op) {
            ("$host" | "$http_host", "=") => Cond::Hosts(vec![rhs]),
            ("$scheme", "=") if rhs == "http" => Cond::WhenPlain,
            ("$scheme", "=") if rhs == "https" => Cond::Never,
            ("$scheme", "!=") if rhs == "https" => Cond::WhenPlain,
            ("$scheme", "!=") if rhs == "http" => Cond::Never,
            ("$https", "!=") if rhs == "on" => Cond::WhenPlain,
            ("$https", "=") if rhs.is_empty() => Cond::WhenPlain,
            ("$https", "=") if rhs == "on" => Cond::Never,
            ("$server_port", "=") if rhs == "80" => Cond::WhenPlain,
            ("$server_port", "!=") if rhs == "443" => Cond::WhenPlain,
            _ => Cond::Other,
        }
    }

    /// Whether a plain-HTTP request for `host` takes this branch (Other: maybe, so yes).
    pub fn applies(&self, host: &str) -> bool {
        match self {
            Cond::Always | Cond::WhenPlain | Cond::Other => true,
            Cond::Never => false,
            Cond::Hosts(h) => h.iter().any(|n| n.eq_ignore_ascii_case(host)),
        }
    }
}

/// A `return` or `rewrite` that sends the client to an absolute URL.
#[derive(Debug, Clone)]
pub struct Redirect<'a> {
    pub directive: &'a Directive,
    pub rewrite: bool,
    /// The status nginx answers with.
    pub code: u16,
    /// The URL argument (the replacement for `rewrite`).
    pub url: Word<'a>,
    pub cond: Cond,
}

impl Redirect<'_> {
    pub fn scheme(&self) -> Scheme {
        let u = self.url.value.to_ascii_lowercase();
        if u.starts_with("https://") {
            Scheme::Https
        } else if u.starts_with("http://") {
            Scheme::Http
        } else {
            Scheme::Variable
        }
    }

    /// The URL split into scheme, host and the rest.
    pub fn parts(&self) -> UrlParts<'_> {
        let segs: Vec<_> = segments(self.url.value).collect();
        split_url(&segs, is_path_var)
    }

    pub fn is_permanent(&self) -> bool {
        matches!(self.code, 301 | 308)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    Https,
    Http,
    /// `$scheme://…`.
    Variable,
}

/// Variables that start with `/` (or are a capture of the path): the URL's host ends before them.
pub fn is_path_var(v: &str) -> bool {
    matches!(
        v.to_ascii_lowercase().as_str(),
        "request_uri" | "uri" | "document_uri"
    ) || (v.len() == 1 && v.as_bytes()[0].is_ascii_digit())
}

fn is_absolute(url: &str) -> bool {
    let u = url.to_ascii_lowercase();
    u.starts_with("http://") || u.starts_with("https://") || u.starts_with("$scheme")
}

/// A `return`/`rewrite` directive as a redirect to an absolute URL, if it is one.
/// `rewrite` counts only with a regex that matches every URI.
pub fn as_redirect<'a>(d: &'a Directive, cond: Cond) -> Option<Redirect<'a>> {
    match d.name() {
        "return" => {
            let args = d.args();
            let (code, url) = match (args.get(0), args.get(1)) {
                (Some(url), None) if is_absolute(url.value) => (302, url),
                (Some(code), Some(url)) => (code.value.parse().ok()?, url),
                _ => return None,
            };
            if !matches!(code, 301 | 302 | 303 | 307 | 308) || !is_absolute(url.value) {
                return None;
            }
            Some(Redirect {
                directive: d,
                rewrite: false,
                code,
                url,
                cond,
            })
        }
        "rewrite" => {
            let (re, url) = (d.args().first()?, d.args().get(1)?);
            if !matches_everything(re.value) || !is_absolute(url.value) {
                return None;
            }
            let code = if d.arg(2) == Some("permanent") {
                301
            } else {
                302
            };
            Some(Redirect {
                directive: d,
                rewrite: true,
                code,
                url,
                cond,
            })
        }
        _ => None,
    }
}

/// What a plain-HTTP request for a host gets from a server.
pub enum Outcome<'a> {
    Redirects(Redirect<'a>),
    /// Answered without a redirect: by this `return`, or by a location / the
    /// server's content (None: no `location /`).
    Serves(Option<&'a Directive>),
}

/// Rewrite-module statements with the condition they run under.
type Statements<'a> = Vec<(&'a Directive, Cond)>;

/// The rewrite-module statements of one level in order, with `if` blocks
/// resolved to their own directives.
fn statements<'a>(own: &[&'a Directive], blocks: &[Location<'a>]) -> Vec<(&'a Directive, Cond)> {
    let mut out = Vec::new();
    for d in own {
        match d.name() {
            "return" | "rewrite" => out.push((*d, Cond::Always)),
            "if" => {
                let cond = Cond::parse(d);
                let block = blocks
                    .iter()
                    .find(|l| l.kind == BlockKind::If && l.directive.span == d.span);
                if let Some(block) = block {
                    for inner in block
                        .own
                        .iter()
                        .filter(|i| matches!(i.name(), "return" | "rewrite"))
                    {
                        out.push((*inner, cond.clone()));
                    }
                }
            }
            _ => {}
        }
    }
    out
}

/// `location /` (or `location ^~ /`): where every request without a better
/// match goes.
pub fn root_location<'s, 'a>(site: &'s Site<'a>) -> Option<&'s Location<'a>> {
    site.locations.iter().find(|l| {
        l.kind == BlockKind::Location
            && l.pattern() == "/"
            && matches!(l.modifier(), None | Some("^~"))
    })
}

/// The site-wide rewrite statements: server level, then `location /`.
fn site_statements<'a>(site: &Site<'a>) -> (Statements<'a>, Statements<'a>) {
    let server = statements(&site.own, &site.ifs);
    let root = root_location(site)
        .map(|l| statements(&l.own, &l.children))
        .unwrap_or_default();
    (server, root)
}

/// What nginx does with `http://host/…` on this server.
pub fn outcome<'a>(site: &Site<'a>, host: &str) -> Outcome<'a> {
    let (server, root) = site_statements(site);
    for (d, cond) in server.into_iter().chain(root) {
        if !cond.applies(host) {
            continue;
        }
        if let Some(r) = as_redirect(d, cond.clone()) {
            return Outcome::Redirects(r);
        }
        // A `return` without a redirect ends the request, unless its
        // condition is one we cannot judge.
        if d.is(ids::RETURN) && cond != Cond::Other {
            return Outcome::Serves(Some(d));
        }
    }
    Outcome::Serves(root_location(site).map(|l| l.directive))
}

/// The site-wide redirects of a server that accepts plain HTTP: the ones
/// RED002–RED004 judge. On a server that also serves TLS, only those inside
/// an `if` that plain-HTTP requests take.
pub fn site_redirects<'a>(site: &Site<'a>) -> Vec<Redirect<'a>> {
    if !site.listens_plain_http() || site.directive.is_none() {
        return Vec::new();
    }
    let (server, root) = site_statements(site);
    server
        .into_iter()
        .chain(root)
        .filter(|(_, c)| *c != Cond::Never && !(site.is_tls() && *c == Cond::Always))
        .filter_map(|(d, c)| as_redirect(d, c))
        .collect()
}

/// Unconditional site-wide redirects of a server that serves both plain
/// HTTP and TLS: HTTPS requests take them too.
pub fn unconditional_redirects<'a>(site: &Site<'a>) -> Vec<Redirect<'a>> {
    if !(site.listens_plain_http() && site.is_tls()) {
        return Vec::new();
    }
    let (server, root) = site_statements(site);
    server
        .into_iter()
        .chain(root)
        .filter(|(_, c)| *c == Cond::Always)
        .filter_map(|(d, c)| as_redirect(d, c))
        .collect()
}

/// Every redirect RED002–RED004 judge, once per directive; worked out once
/// per check.
pub fn all_redirects<'s, 'a>(cx: &'s Checker<'a>) -> &'s [(&'a Site<'a>, Redirect<'a>)] {
    cx.facts.redirects.get_or_init(|| {
        let mut seen = rustc_hash::FxHashSet::default();
        cx.sites
            .iter()
            .flat_map(|s| site_redirects(s).into_iter().map(move |r| (s, r)))
            .filter(|(_, r)| seen.insert(r.directive.span))
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::load_text;

    fn first_if(text: &str) -> Cond {
        let (_dir, cfg) = load_text(text);
        let d = cfg.files[0].walk().find(|d| d.is(ids::IF)).unwrap().clone();
        Cond::parse(&d)
    }

    #[test]
    fn conditions() {
        let c = |cond: &str| first_if(&format!("server {{ if {cond} {{ return 404; }} }}"));
        assert_eq!(
            c("($host = www.app.test)"),
            Cond::Hosts(vec!["www.app.test".into()])
        );
        assert_eq!(c("($scheme = http)"), Cond::WhenPlain);
        assert_eq!(c("($scheme != \"https\")"), Cond::WhenPlain);
        assert_eq!(c("($https = \"\")"), Cond::WhenPlain);
        assert_eq!(c("($scheme = https)"), Cond::Never);
        assert_eq!(c("($http_x_forwarded_proto != https)"), Cond::Other);
        assert_eq!(c("($bad_bot)"), Cond::Other);
    }

    #[test]
    fn path_vars_end_the_host() {
        assert!(is_path_var("request_uri") && is_path_var("1") && !is_path_var("host"));
    }
}
