use crate::diag::Diagnostic;
use crate::rule;
use crate::rules::{Checker, Rule, RuleMeta};
use crate::tls::cert::PublicKeyInfo;

use super::files::{checked_certificates, describe, readable_certificates};

/// The smallest elliptic-curve key size accepted (P-256).
const MIN_EC_BITS: u32 = 256;

rule! {
    /// ## What it does
    /// Reports a certificate (the server's, or an intermediate in the same
    /// file) whose public key is too small: RSA under 2048 bits, or an
    /// elliptic-curve key under 256 bits.
    ///
    /// ## Why is this bad?
    /// The certificate's key is what proves the server's identity. 1024-bit
    /// RSA has been within reach of well-funded attackers for years; NIST
    /// disallowed it for signatures after 2013, CAs stopped issuing it, and
    /// browsers reject such certificates. OpenSSL at security level 2 (the
    /// default on Debian and Ubuntu) refuses to load it at all, so nginx fails
    /// with `ee key too small`.
    ///
    /// A self-signed root after the leaf is not checked: clients never use
    /// the copy the server sends.
    ///
    /// ## Example
    /// ```sh
    /// openssl req -x509 -newkey rsa:1024 -nodes -keyout app.key -out app.crt
    /// ```
    ///
    /// ## Use instead
    /// ```sh
    /// openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    ///     -keyout app.key -out app.crt -addext subjectAltName=DNS:app.test
    /// # or -newkey rsa:2048 (or 3072, 4096)
    /// ```
    ///
    /// ## References
    /// - [nginx: ssl_certificate](https://nginx.org/en/docs/http/ngx_http_ssl_module.html#ssl_certificate)
    /// - [NIST SP 800-131A Rev. 2: key lengths](https://csrc.nist.gov/pubs/sp/800/131/a/r2/final)
    /// - [Mozilla Server Side TLS: certificate key sizes](https://wiki.mozilla.org/Security/Server_Side_TLS)
    pub struct WeakCertificateKey;
    code = "CRT007", name = "weak-certificate-key", severity = Error,
    summary = "The certificate's public key is too small",
}

impl Rule for WeakCertificateKey {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Checker<'_>, out: &mut Vec<Diagnostic>) {
        let min_rsa = cx.spec.min_rsa_bits;
        for (file, read) in readable_certificates(cx) {
            let Ok(chain) = &read.result else { continue };
            let weak: Vec<String> = checked_certificates(chain)
                .filter_map(|(i, c)| {
                    let what = match &c.key {
                        PublicKeyInfo::Rsa { bits } if *bits < min_rsa => {
                            format!("a {bits}-bit RSA key (minimum {min_rsa})")
                        }
                        PublicKeyInfo::Ec { curve, bits } if *bits < MIN_EC_BITS => {
                            format!("a {bits}-bit EC key ({curve}; minimum {MIN_EC_BITS})")
                        }
                        _ => return None,
                    };
                    Some(format!("{} has {what}", describe(&file.path, i, c)))
                })
                .collect();
            if weak.is_empty() {
                continue;
            }
            out.push(file.report(&Self::META, weak.join("; ")));
        }
    }
}
