use rustc_hash::FxHashSet as HashSet;

use crate::diag::{Diagnostic, Severity};
use crate::rule;
use crate::rules::{Checker, Rule, RuleMeta};
use crate::tls::ciphers::{evaluate, Kx, DEBIAN_DEFAULT_SECLEVEL};
use crate::tls::dhparam::dh_prime_bits;

rule! {
    /// ## What it does
    /// Reads the file `ssl_dhparam` names and reports a Diffie-Hellman group
    /// smaller than the profile's minimum (2048 bits in every profile). A
    /// file that cannot be read or holds no DH parameters is reported as a
    /// warning (it may exist only on the server; if it is missing there too,
    /// `nginx -t` fails).
    ///
    /// The parameters matter only when `ssl_ciphers` enables DHE suites
    /// (`DHE-RSA-AES128-GCM-SHA256`, …); without `ssl_dhparam` nginx
    /// disables them. The rule reports a small group anyway, since the next
    /// cipher change may enable DHE, and says when no DHE suite is enabled.
    ///
    /// With OpenSSL 3 at security level 2 (Debian's default, or an
    /// `@SECLEVEL=2` in `ssl_ciphers`) a group under 2048 bits is refused
    /// outright and nginx does not start (`SSL_CTX_set_tmp_dh() failed …
    /// dh key too small`); the message says so when that applies.
    ///
    /// ## Why is this bad?
    /// A 1024-bit group is within reach of a state-level attacker's
    /// precomputation (Logjam): with it done once, every DHE handshake using
    /// the group can be broken. Mozilla recommends the 2048-bit `ffdhe2048`
    /// group of RFC 7919; most current clients prefer ECDHE anyway.
    ///
    /// ## Example
    /// ```nginx
    /// ssl_dhparam /etc/nginx/dh1024.pem;
    /// ```
    ///
    /// ## Use instead
    /// ```nginx
    /// # curl https://ssl-config.mozilla.org/ffdhe2048.txt > /etc/nginx/dhparam.pem
    /// ssl_dhparam /etc/nginx/dhparam.pem;
    /// ```
    ///
    /// ## References
    /// - [nginx: ssl_dhparam](https://nginx.org/en/docs/http/ngx_http_ssl_module.html#ssl_dhparam)
    /// - [Weak Diffie-Hellman and the Logjam Attack](https://weakdh.org/)
    /// - [RFC 7919: Negotiated Finite Field Diffie-Hellman Ephemeral Parameters](https://www.rfc-editor.org/rfc/rfc7919)
    pub struct WeakDhparam;
    code = "TLS009", name = "weak-dhparam", severity = Error,
    summary = "ssl_dhparam names a DH group smaller than 2048 bits (Logjam)",
}

impl Rule for WeakDhparam {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Checker<'_>, out: &mut Vec<Diagnostic>) {
        let mut seen = HashSet::default();
        for site in super::tls_sites(cx) {
            let Some(d) = site.settings.get("ssl_dhparam") else {
                continue;
            };
            let Some(arg) = d.args().first() else {
                continue;
            };
            if !seen.insert(d.span) {
                continue;
            }
            let Some(path) = cx.resolve(site, arg.value) else {
                continue;
            };
            let read = cx.file(&path);
            let bytes = match &read.result {
                Ok(bytes) => bytes,
                Err(reason) => {
                    let message = format!(
                        "cannot read {}: {reason} (if it is missing on the server too, `nginx -t` \
                         fails)",
                        path.display()
                    );
                    out.push(warning(Self::META.at(arg.span, message)));
                    continue;
                }
            };
            let bits = match dh_prime_bits(bytes) {
                Ok(bits) => bits,
                Err(reason) => {
                    let message = format!(
                        "{} holds no usable DH parameters: {reason} (`nginx -t` fails)",
                        path.display()
                    );
                    out.push(warning(Self::META.at(arg.span, message)));
                    continue;
                }
            };
            if bits >= cx.spec.min_dh_bits {
                continue;
            }
            {
                let (ciphers, _) = super::effective_ciphers(site);
                let list = evaluate(ciphers).ok();
                let explicit = list.as_ref().and_then(|l| l.seclevel);
                let level = explicit.unwrap_or(DEBIAN_DEFAULT_SECLEVEL);
                let explicit = explicit.is_some();
                let dhe = list.is_some_and(|l| {
                    l.suites
                        .iter()
                        .any(|s| s.kx == Kx::Dhe && super::negotiable(s))
                });
                let note = if bits < min_dh_bits_at(level) {
                    let which = if explicit {
                        format!("the cipher string's @SECLEVEL={level}")
                    } else {
                        format!("OpenSSL's default security level ({level} on Debian)")
                    };
                    format!(
                        "; {which} rejects it, so nginx refuses to start (\"dh key too small\")"
                    )
                } else if !dhe {
                    "; ssl_ciphers enables no DHE suite, so it is not used yet".to_string()
                } else {
                    String::new()
                };
                out.push(
                    Self::META
                        .at(
                            arg.span,
                            format!(
                                "{} holds a {bits}-bit DH group; the {} profile requires at \
                                     least {} bits (Logjam){note}",
                                path.display(),
                                cx.spec.name,
                                cx.spec.min_dh_bits
                            ),
                        )
                        .with_help(
                            "use the 2048-bit ffdhe2048 group from RFC 7919 \
                                 (https://ssl-config.mozilla.org/ffdhe2048.txt) or `openssl \
                                 dhparam -out dhparam.pem 2048`",
                        ),
                );
            }
        }
    }
}

fn warning(mut diag: Diagnostic) -> Diagnostic {
    diag.severity = Severity::Warning;
    diag
}

/// The smallest DH group OpenSSL's security level accepts
/// (`ssl_security_default_callback`: 80/112/128/192/256-bit security).
fn min_dh_bits_at(level: u8) -> u32 {
    match level {
        0 => 0,
        1 => 1024,
        2 => 2048,
        3 => 3072,
        4 => 7680,
        _ => 15360,
    }
}
