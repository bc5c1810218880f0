use rustc_hash::FxHashSet as HashSet;

use crate::diag::Diagnostic;
use crate::rule;
use crate::rules::{Checker, Rule, RuleMeta};
use crate::tls::key::{key_matches_certificate, open_with_password_file, KeyFormat, KeyInfo};

use super::files::{pairs, Pair, PathKey};

rule! {
    /// ## What it does
    /// Reports an `ssl_certificate_key` whose private key does not belong to
    /// the certificate it is paired with: the first `ssl_certificate` goes
    /// with the first `ssl_certificate_key`, the second with the second (an
    /// RSA and an ECDSA pair), as nginx pairs them.
    ///
    /// ## Why is this bad?
    /// nginx checks the pair when it loads the configuration and refuses it:
    /// `nginx -t` fails with `SSL_CTX_use_PrivateKey(…) failed (… key values
    /// mismatch)`, and a reload keeps the old configuration. It typically
    /// happens after a renewal that wrote a new key beside the old one, or
    /// when the RSA and ECDSA pairs are listed in different orders.
    ///
    /// An encrypted key is compared after decrypting it with the effective
    /// `ssl_password_file` (each line is tried, as nginx does). Without one,
    /// or with a legacy `Proc-Type` encrypted key, the pair cannot be checked
    /// and is skipped (KEY002 and KEY005 cover those keys).
    ///
    /// ## Example
    /// ```nginx
    /// ssl_certificate     certs/app-2025.crt;
    /// ssl_certificate_key certs/app-2024.key;
    /// ```
    ///
    /// ## Use instead
    /// Point `ssl_certificate_key` at the key the certificate was issued for.
    /// To compare by hand:
    /// `openssl x509 -in app.crt -noout -pubkey | sha256sum` and
    /// `openssl pkey -in app.key -pubout | sha256sum` must agree.
    ///
    /// ## References
    /// - [nginx: ssl_certificate_key](https://nginx.org/en/docs/http/ngx_http_ssl_module.html#ssl_certificate_key)
    /// - [nginx: ssl_password_file](https://nginx.org/en/docs/http/ngx_http_ssl_module.html#ssl_password_file)
    pub struct CertificateKeyMismatch;
    code = "CRT011", name = "certificate-key-mismatch", severity = Error,
    summary = "The private key does not belong to the certificate",
}

impl Rule for CertificateKeyMismatch {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Checker<'_>, out: &mut Vec<Diagnostic>) {
        let mut seen = HashSet::default();
        for pair in pairs(cx) {
            let (Some(cert), Some(key)) = (&pair.cert, &pair.key) else {
                continue;
            };
            // Each pair of files is checked (and decrypted) once.
            let password = pair.password_file.as_ref().map(|p| PathKey(p.path.clone()));
            let files = (PathKey(cert.path.clone()), PathKey(key.path.clone()));
            if !seen.insert((files, password)) {
                continue;
            }
            let certs = cx.certificate(&cert.path);
            let Some(leaf) = certs.result.as_ref().ok().and_then(|c| c.first()) else {
                continue;
            };
            let Some(key_info) = readable_key(cx, pair) else {
                continue;
            };
            if key_matches_certificate(&key_info, leaf) != Some(false) {
                continue;
            }
            let message = format!(
                "private key {} does not belong to certificate {}: `nginx -t` fails with \
                 \"key values mismatch\"",
                key.path.display(),
                cert.path.display()
            );
            out.push(
                Self::META
                    .at(key.arg.span, message)
                    .with_related(cert.arg.span, "paired with this certificate"),
            );
        }
    }
}

/// The key's public facts: directly when unencrypted, after decrypting with
/// the effective password file when it is encrypted PKCS#8.
fn readable_key(cx: &Checker<'_>, pair: &Pair<'_>) -> Option<KeyInfo> {
    let key = pair.key.as_ref()?;
    let info = cx.key(&key.path).result.clone().ok()?;
    if !info.encrypted {
        return Some(info);
    }
    if info.format != KeyFormat::EncryptedPkcs8 {
        return None;
    }
    let password_file = pair.password_file.as_ref()?;
    let passwords = cx.file(&password_file.path);
    let passwords = passwords.result.as_ref().ok()?;
    let key_pem = cx.file(&key.path);
    let key_pem = key_pem.result.as_ref().ok()?;
    open_with_password_file(key_pem, passwords)
        .ok()
        .map(|(_, info)| info)
}
