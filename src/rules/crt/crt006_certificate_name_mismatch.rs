use rustc_hash::FxHashSet as HashSet;

use crate::diag::Diagnostic;
use crate::rule;
use crate::rules::{Checker, Rule, RuleMeta};
use crate::tls::cert::{names_to_check, CertificateInfo};

use super::files::pairs;

rule! {
    /// ## What it does
    /// Reports a `server_name` of a TLS server that the server's certificate
    /// does not cover: no subjectAltName entry matches it.
    ///
    /// ## Why is this bad?
    /// nginx picks the certificate by `server_name` (through SNI) but never
    /// checks that the certificate is valid for that name. A client that
    /// connects to a name missing from the certificate gets
    /// `NET::ERR_CERT_COMMON_NAME_INVALID` / `no alternative certificate
    /// subject name matches`, even when the certificate is otherwise trusted.
    ///
    /// Names are matched the way browsers do: subjectAltName DNS and IP
    /// entries only; a wildcard `*.example.com` covers exactly one label
    /// (`www.example.com`, not `example.com` nor `a.b.example.com`). nginx's
    /// own forms are expanded: `.example.com` needs both `example.com` and
    /// `*.example.com`. Names that cannot be checked statically — `_`, `""`,
    /// regular expressions (`~…`), `www.example.*` — are skipped. A
    /// certificate without any subjectAltName is left to CRT005, which already
    /// says that it matches no name in a browser.
    ///
    /// ## Example
    /// ```nginx
    /// server {
    ///     listen 443 ssl;
    ///     server_name example.com www.example.com;
    ///     ssl_certificate     example.com.crt;   # SAN: example.com only
    ///     ssl_certificate_key example.com.key;
    /// }
    /// ```
    ///
    /// ## Use instead
    /// Reissue the certificate with every name the server answers to
    /// (`DNS:example.com,DNS:www.example.com`), or give the other names their
    /// own `server` block and certificate.
    ///
    /// ## References
    /// - [nginx: server_name](https://nginx.org/en/docs/http/ngx_http_core_module.html#server_name)
    /// - [nginx: Server names](https://nginx.org/en/docs/http/server_names.html)
    /// - [RFC 9525 §6.3: matching DNS names](https://www.rfc-editor.org/rfc/rfc9525#section-6.3)
    pub struct CertificateNameMismatch;
    code = "CRT006", name = "certificate-name-mismatch", severity = Warning,
    summary = "The certificate does not cover a server_name of its server",
}

impl Rule for CertificateNameMismatch {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Checker<'_>, out: &mut Vec<Diagnostic>) {
        let mut seen = HashSet::default();
        for pair in pairs(cx) {
            let Some(cert) = &pair.cert else { continue };
            if !pair.site.is_tls() {
                continue;
            }
            let read = cx.certificate(&cert.path);
            let Some(leaf) = read.result.as_ref().ok().and_then(|c| c.first()) else {
                continue;
            };
            if !leaf.has_san_extension {
                continue;
            }
            let uncovered: Vec<_> = pair
                .site
                .server_names
                .iter()
                .filter(|(name, _)| leaf.covers_server_name(name) == Some(false))
                .collect();
            let Some((_, first)) = uncovered.first() else {
                continue;
            };
            if !seen.insert((cert.path.clone(), *first)) {
                continue;
            }
            let names: Vec<String> = uncovered
                .iter()
                .map(|(name, _)| describe_uncovered(leaf, name))
                .collect();
            let message = format!(
                "certificate {} does not cover server_name {}; it is valid for {}",
                cert.path.display(),
                names.join(", "),
                certificate_names(leaf)
            );
            out.push(
                Self::META
                    .at(*first, message)
                    .with_related(cert.arg.span, "the certificate is set here"),
            );
        }
    }
}

/// A `server_name` argument, and for nginx's own forms (`.example.com`) the
/// concrete names the certificate lacks.
fn describe_uncovered(cert: &CertificateInfo, server_name: &str) -> String {
    let concrete = names_to_check(server_name);
    if concrete.len() == 1 && concrete[0] == server_name {
        return server_name.to_string();
    }
    let missing: Vec<String> = concrete
        .into_iter()
        .filter(|n| !cert.covers_name_browser(n))
        .collect();
    format!("{server_name} (needs {})", missing.join(" and "))
}

/// The names a certificate is valid for, as a short list.
fn certificate_names(cert: &CertificateInfo) -> String {
    const MAX: usize = 8;
    let all: Vec<String> = cert
        .san_dns
        .iter()
        .cloned()
        .chain(cert.san_ip.iter().map(|ip| ip.to_string()))
        .collect();
    if all.is_empty() {
        return "no DNS name or IP address".to_string();
    }
    let mut text = all.iter().take(MAX).cloned().collect::<Vec<_>>().join(", ");
    if all.len() > MAX {
        text.push_str(&format!(" and {} more", all.len() - MAX));
    }
    text
}
