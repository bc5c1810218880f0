//! HTTP checks with reqwest: the plain-HTTP side must redirect to the same
//! URL on HTTPS, and the HTTPS response must carry HSTS (on error responses
//! too), hide the server version, and not be a 502/503/504 from the proxy.
//!
//! reqwest runs on our own rustls `ClientConfig` (ring, the recording
//! verifier without a trust store), so a self-signed or expired certificate
//! does not stop the header checks; trust is reported from the handshake.
//! Redirects are never followed, and the name is pinned to the address the
//! handshake used, so only the host and ports given are contacted.

use std::net::SocketAddr;
use std::time::Duration;

use super::danger::{client_config, RecordingVerifier};
use super::handshake::Step;
use super::target::{show_duration, url_host};
use crate::diag::{Diagnostic, Severity};
use crate::rules::live::{
    BackendDown, HstsMissingOnErrorResponses, HstsNotServed, HttpNotRedirected,
    RedirectDropsPathOrQuery, RedirectNotPermanent, RedirectOffHost, ServerVersionDisclosed,
};
use crate::rules::RuleMeta;

/// The path asked for when the target names none: it must come back intact.
pub const PROBE_PATH: &str = "/nginx-audit/probe/some/path?q=1";
/// A path that should not exist, to see an error response's headers.
pub const MISSING_PATH: &str = "/nginx-audit-probe-404-7f3a9c";

/// The part of a response the checks read (the body is never read).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    pub status: u16,
    pub reason: String,
    /// Lowercased names, in order.
    pub headers: Vec<(String, String)>,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn status_line(&self) -> String {
        if self.reason.is_empty() {
            self.status.to_string()
        } else {
            format!("{} {}", self.status, self.reason)
        }
    }
}

/// A request that got no response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpError {
    pub step: Step,
    pub refused: bool,
    pub message: String,
}

/// A client for one host, pinned to `addr`, never following redirects,
/// ignoring proxy settings, each step under `step_timeout`.
pub fn client(host: &str, addr: Option<SocketAddr>, step_timeout: Duration) -> reqwest::Client {
    let tls = client_config(RecordingVerifier::new(None), &[b"http/1.1"]);
    let mut b = reqwest::Client::builder()
        .tls_backend_preconfigured(tls)
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .connect_timeout(step_timeout)
        .read_timeout(step_timeout)
        // connect + TLS + response headers, each bounded above; the total too.
        .timeout(step_timeout * 3)
        .pool_max_idle_per_host(0)
        .user_agent(concat!(
            "nginx-audit/",
            env!("CARGO_PKG_VERSION"),
            " (probe)"
        ));
    if let Some(addr) = addr {
        if host.parse::<std::net::IpAddr>().is_err() {
            b = b.resolve(host, addr);
        }
    }
    b.build()
        .expect("a client with a preconfigured rustls backend builds")
}

/// GET `url`, headers only.
pub async fn get(
    client: &reqwest::Client,
    url: &str,
    step_timeout: Duration,
) -> Result<Response, HttpError> {
    match client.get(url).send().await {
        Ok(resp) => {
            let status = resp.status();
            Ok(Response {
                status: status.as_u16(),
                reason: status.canonical_reason().unwrap_or_default().to_string(),
                headers: resp
                    .headers()
                    .iter()
                    .map(|(n, v)| {
                        (
                            n.as_str().to_ascii_lowercase(),
                            String::from_utf8_lossy(v.as_bytes()).into_owned(),
                        )
                    })
                    .collect(),
            })
        }
        Err(e) => {
            let refused = error_chain(&e).contains("onnection refused");
            let step = if e.is_connect() {
                Step::Connect
            } else {
                Step::HttpResponse
            };
            let message = if e.is_timeout() {
                format!("{step} timed out after {}", show_duration(step_timeout))
            } else if refused {
                "connection refused".into()
            } else {
                error_chain(&e)
            };
            Err(HttpError {
                step,
                refused,
                message,
            })
        }
    }
}

/// reqwest's error and its sources, one line.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut parts = vec![e.to_string()];
    let mut src = e.source();
    while let Some(s) = src {
        let t = s.to_string();
        if !parts.iter().any(|p| p.contains(&t)) {
            parts.push(t);
        }
        src = s.source();
    }
    parts.join(": ")
}

fn finding(meta: &RuleMeta, target: &str, message: String) -> Diagnostic {
    Diagnostic::at_target(meta.code, meta.severity, target, message)
}

/// What the HTTPS side is checked with.
pub struct HttpsCheck {
    /// The served certificate is self-signed and not trusted via `--ca`
    /// (HSTS would lock users out: an info note only).
    pub self_signed: bool,
}

/// NET103, HDR101–HDR103 from the response for the target's path and the
/// one for a missing path.
pub fn https_findings(
    target: &str,
    main: &Response,
    missing: Option<&Response>,
    ck: &HttpsCheck,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    if matches!(main.status, 502..=504) {
        out.push(finding(
            &BackendDown::META,
            target,
            format!(
                "the HTTPS request answered {}: the application behind the proxy is down or not answering",
                main.status_line()
            ),
        ));
    }
    let hsts = main.header("strict-transport-security");
    match hsts {
        None => {
            let mut d = finding(
                &HstsNotServed::META,
                target,
                format!(
                    "the HTTPS response ({}) has no Strict-Transport-Security header",
                    main.status
                ),
            );
            if ck.self_signed {
                d.severity = Severity::Info;
                d = d.with_help(
                    "only a note: with HSTS, browsers refuse to let users click through the \
                     self-signed certificate's warning; add it once the certificate is trusted",
                );
            }
            out.push(d);
        }
        Some(_) => {
            if let Some(err) = missing.filter(|r| r.status >= 400) {
                if err.header("strict-transport-security").is_none() {
                    out.push(
                        finding(
                            &HstsMissingOnErrorResponses::META,
                            target,
                            format!(
                                "the {} response has no Strict-Transport-Security header although the {} response has it",
                                err.status, main.status
                            ),
                        )
                        .with_help("add `always` to the add_header line"),
                    );
                }
            }
        }
    }
    let servers = std::iter::once(main)
        .chain(missing)
        .filter_map(|r| r.header("server"));
    if let Some(server) = servers.into_iter().find(|s| discloses_version(s)) {
        out.push(finding(
            &ServerVersionDisclosed::META,
            target,
            format!("the Server header discloses a version: {server}"),
        ));
    }
    out
}

/// `nginx/1.22.1`, `Apache/2.4.62 (Debian)`: a product token with a version.
pub fn discloses_version(server: &str) -> bool {
    server.split_whitespace().any(|token| {
        token
            .split_once('/')
            .is_some_and(|(_, v)| v.starts_with(|c: char| c.is_ascii_digit()))
    })
}

/// What the redirect check needs to know about the request.
pub struct RedirectCheck<'a> {
    /// The `http://…` URL requested.
    pub requested: &'a str,
    pub host: &'a str,
    /// Path and query requested.
    pub path: &'a str,
    /// The HTTPS port the redirect must name (default 443 when the URL names
    /// none); None accepts any port (an `http://` target).
    pub https_port: Option<u16>,
}

/// RED101–RED104 from the plain-HTTP answer.
pub fn redirect_findings(target: &str, resp: &Response, ck: &RedirectCheck<'_>) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    if !matches!(resp.status, 301 | 302 | 303 | 307 | 308) {
        out.push(finding(
            &HttpNotRedirected::META,
            target,
            format!(
                "{} answered {} instead of redirecting to HTTPS",
                ck.requested,
                resp.status_line()
            ),
        ));
        return out;
    }
    let Some(location) = resp.header("location") else {
        out.push(finding(
            &HttpNotRedirected::META,
            target,
            format!(
                "{} answered {} without a Location header",
                ck.requested, resp.status
            ),
        ));
        return out;
    };
    if !matches!(resp.status, 301 | 308) {
        out.push(finding(
            &RedirectNotPermanent::META,
            target,
            format!(
                "the redirect to HTTPS uses status {}; use 301 or 308 so clients and search engines remember it",
                resp.status
            ),
        ));
    }
    let base = reqwest::Url::parse(ck.requested).ok();
    let parsed = match &base {
        Some(b) => b.join(location),
        None => reqwest::Url::parse(location),
    };
    let Ok(url) = parsed else {
        out.push(finding(
            &RedirectDropsPathOrQuery::META,
            target,
            format!("the redirect's Location is not a URL: {location}"),
        ));
        return out;
    };
    let host = url
        .host_str()
        .unwrap_or_default()
        .trim_start_matches('[')
        .trim_end_matches(']');
    if !host.eq_ignore_ascii_case(ck.host) {
        out.push(finding(
            &RedirectOffHost::META,
            target,
            format!("the redirect goes to another host: {location} (not followed)"),
        ));
        return out;
    }
    let mut wrong = Vec::new();
    if url.scheme() != "https" {
        wrong.push(format!("it stays on {}://", url.scheme()));
    } else if let Some(port) = ck.https_port {
        let got = url.port_or_known_default().unwrap_or(443);
        if got != port {
            wrong.push(format!("port {got} instead of the probed {port}"));
        }
    }
    let (want_path, want_query) = match ck.path.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (ck.path, None),
    };
    if url.path() != want_path {
        wrong.push(format!("path {} instead of {want_path}", url.path()));
    }
    if url.query() != want_query {
        match (want_query, url.query()) {
            (Some(q), None) => wrong.push(format!("query ?{q} dropped")),
            (Some(q), Some(got)) => wrong.push(format!("query ?{got} instead of ?{q}")),
            (None, Some(got)) => wrong.push(format!("unexpected query ?{got}")),
            (None, None) => {}
        }
    }
    if !wrong.is_empty() {
        let expected = format!(
            "https://{}{}{}",
            url_host(ck.host),
            match ck.https_port {
                Some(443) | None => String::new(),
                Some(p) => format!(":{p}"),
            },
            ck.path
        );
        out.push(finding(
            &RedirectDropsPathOrQuery::META,
            target,
            format!(
                "{} redirects to {location} ({}); expected {expected}",
                ck.requested,
                wrong.join(", ")
            ),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resp(status: u16, headers: &[(&str, &str)]) -> Response {
        Response {
            status,
            reason: String::new(),
            headers: headers
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect(),
        }
    }

    fn codes(d: &[Diagnostic]) -> Vec<&str> {
        d.iter().map(|d| d.code).collect()
    }

    fn redirect(status: u16, location: &str, https_port: Option<u16>) -> Vec<Diagnostic> {
        let ck = RedirectCheck {
            requested: "http://app.test:8080/a/b?q=1",
            host: "app.test",
            path: "/a/b?q=1",
            https_port,
        };
        redirect_findings(
            "http://app.test:8080",
            &resp(status, &[("location", location)]),
            &ck,
        )
    }

    #[test]
    fn redirects() {
        assert!(redirect(301, "https://app.test/a/b?q=1", Some(443)).is_empty());
        assert!(redirect(308, "https://APP.test:8443/a/b?q=1", Some(8443)).is_empty());
        assert_eq!(
            codes(&redirect(302, "https://app.test/a/b?q=1", Some(443))),
            ["RED102"]
        );
        assert_eq!(
            codes(&redirect(301, "https://app.test/", Some(443))),
            ["RED103"]
        );
        let dropped = redirect(301, "https://app.test/a/b", Some(443));
        assert!(
            dropped[0].message.contains("query ?q=1 dropped"),
            "{}",
            dropped[0].message
        );
        assert_eq!(
            codes(&redirect(301, "http://app.test/a/b?q=1", None)),
            ["RED103"]
        );
        assert_eq!(
            codes(&redirect(301, "https://app.test/a/b?q=1", Some(8443))),
            ["RED103"]
        );
        assert!(redirect(301, "https://app.test:9443/a/b?q=1", None).is_empty());
        assert_eq!(
            codes(&redirect(301, "https://other.test/a/b?q=1", Some(443))),
            ["RED104"]
        );
        // A relative Location stays on http.
        assert_eq!(codes(&redirect(301, "/a/b?q=1", Some(443))), ["RED103"]);
        assert_eq!(codes(&redirect(200, "", Some(443))), ["RED101"]);
    }

    #[test]
    fn https_headers() {
        let ck = HttpsCheck { self_signed: false };
        let hsts = ("strict-transport-security", "max-age=31536000");
        let ok = https_findings("t", &resp(200, &[hsts]), Some(&resp(404, &[hsts])), &ck);
        assert!(ok.is_empty());
        let no_always = https_findings("t", &resp(200, &[hsts]), Some(&resp(404, &[])), &ck);
        assert_eq!(codes(&no_always), ["HDR102"]);
        let none = https_findings("t", &resp(502, &[("server", "nginx/1.22.1")]), None, &ck);
        assert_eq!(codes(&none), ["NET103", "HDR101", "HDR103"]);
        let note = https_findings(
            "t",
            &resp(200, &[]),
            None,
            &HttpsCheck { self_signed: true },
        );
        assert_eq!(note[0].severity, Severity::Info);
        assert!(discloses_version("Apache/2.4.62 (Debian)"));
        assert!(!discloses_version("nginx"));
        assert!(!discloses_version("cloudflare"));
    }
}
