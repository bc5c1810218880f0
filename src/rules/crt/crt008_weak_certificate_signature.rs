use crate::diag::Diagnostic;
use crate::rule;
use crate::rules::{Checker, Rule, RuleMeta};
use crate::tls::cert::WeakHash;

use super::files::{checked_certificates, describe, readable_certificates};

rule! {
    /// ## What it does
    /// Reports a certificate (the server's, or an intermediate in the same
    /// file) signed with SHA-1 or MD5 (or MD2/MD4).
    ///
    /// ## Why is this bad?
    /// A signature is only as strong as the hash it signs. Chosen-prefix
    /// collisions are practical for MD5 (the 2008 rogue CA) and for SHA-1
    /// (SHAttered 2017, "SHA-1 is a Shambles" 2020), so a certificate signed
    /// with them can be forged. Browsers reject SHA-1 server certificates
    /// since 2017, and OpenSSL 3 at its default security level refuses them
    /// (`ca md too weak`).
    ///
    /// The check covers the server certificate even when it is self-signed:
    /// the hash shows how the certificate was made, and a client that pins or
    /// trusts it still sees a certificate modern libraries reject. It skips a
    /// self-signed root appended after the leaf (a trust anchor): clients use
    /// their own copy of a root and never check its self-signature, so an old
    /// SHA-1 root there is harmless.
    ///
    /// ## Example
    /// ```sh
    /// openssl req -x509 -sha1 -newkey rsa:2048 -nodes -keyout app.key -out app.crt
    /// ```
    ///
    /// ## Use instead
    /// Reissue the certificate with SHA-256 (the default of every current
    /// tool), e.g. `openssl req -x509 -sha256 …` or `nginx-audit gen cert`.
    ///
    /// ## References
    /// - [nginx: ssl_certificate](https://nginx.org/en/docs/http/ngx_http_ssl_module.html#ssl_certificate)
    /// - [SHA-1 is a Shambles](https://sha-mbles.github.io/)
    /// - [CA/Browser Forum Baseline Requirements §7.1.3](https://cabforum.org/working-groups/server/baseline-requirements/)
    pub struct WeakCertificateSignature;
    code = "CRT008", name = "weak-certificate-signature", severity = Error,
    summary = "The certificate is signed with SHA-1 or MD5",
}

impl Rule for WeakCertificateSignature {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Checker<'_>, out: &mut Vec<Diagnostic>) {
        for (file, read) in readable_certificates(cx) {
            let Ok(chain) = &read.result else { continue };
            let weak: Vec<String> = checked_certificates(chain)
                .filter_map(|(i, c)| {
                    let hash = match c.weak_signature? {
                        WeakHash::Md2 => "MD2",
                        WeakHash::Md4 => "MD4",
                        WeakHash::Md5 => "MD5",
                        WeakHash::Sha1 => "SHA-1",
                    };
                    Some(format!(
                        "{} is signed with {hash} ({})",
                        describe(&file.path, i, c),
                        c.signature_algorithm
                    ))
                })
                .collect();
            if weak.is_empty() {
                continue;
            }
            out.push(file.report(
                &Self::META,
                format!("{}: signatures with it can be forged", weak.join("; ")),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::crt::files::checked_certificates;
    use crate::tls::cert::parse_pem_chain;
    use crate::tls::dhparam::test_material::material;

    #[test]
    fn a_self_signed_root_after_the_leaf_is_not_checked() {
        // A SHA-1 self-signed certificate as the leaf is checked…
        let alone = parse_pem_chain(material("sha1.crt")).unwrap();
        assert_eq!(checked_certificates(&alone).count(), 1);
        // …but not when it is appended to a chain as a trust anchor.
        let chain = parse_pem_chain(&[material("san.crt"), material("sha1.crt")].concat()).unwrap();
        let checked: Vec<usize> = checked_certificates(&chain).map(|(i, _)| i).collect();
        assert_eq!(checked, [0]);
        assert!(chain[1].weak_signature.is_some());
        // An intermediate (not self-signed) is checked.
        let leaf_ca =
            parse_pem_chain(&[material("leaf.crt"), material("same.crt")].concat()).unwrap();
        assert_eq!(checked_certificates(&leaf_ca).count(), 2);
    }
}
