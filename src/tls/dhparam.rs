//! Size of the Diffie-Hellman group in the file `ssl_dhparam` names: a prime under 2048 bits
//! makes DHE key exchange breakable (Logjam), so rules need the prime's bit length.

use std::fmt;

use pkcs8::der::asn1::{AnyRef, UintRef};
use pkcs8::der::{Decode, SliceReader, Tag, Tagged};

use crate::tls::cert::uint_bits;
use crate::tls::key::pem_blocks;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DhParamError {
    /// Neither `DH PARAMETERS` nor `X9.42 DH PARAMETERS` is in the file.
    NoDhParameters,
    MalformedPem(String),
    Malformed(String),
}

impl fmt::Display for DhParamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DhParamError::NoDhParameters => f.write_str(
                "no PEM DH parameters found (expected BEGIN DH PARAMETERS or BEGIN X9.42 DH \
                 PARAMETERS)",
            ),
            DhParamError::MalformedPem(reason) => write!(f, "malformed PEM: {reason}"),
            DhParamError::Malformed(reason) => write!(f, "invalid DH parameters: {reason}"),
        }
    }
}

impl std::error::Error for DhParamError {}

/// Bit length of the prime in the first DH parameter block of a PEM file.
///
/// Both encodings OpenSSL writes start with the prime, which is all that is read:
/// PKCS#3 `DHParameter ::= SEQUENCE { prime, base, privateValueLength OPTIONAL }` and
/// X9.42 `DomainParameters ::= SEQUENCE { p, g, q, j OPTIONAL, validationParms OPTIONAL }`
/// (what `openssl dhparam -dsaparam` writes).
pub fn dh_prime_bits(pem: &[u8]) -> Result<u32, DhParamError> {
    let block = pem_blocks(pem)
        .into_iter()
        .find(|b| b.label == "DH PARAMETERS" || b.label == "X9.42 DH PARAMETERS")
        .ok_or(DhParamError::NoDhParameters)?;
    let der = block
        .decode()
        .ok_or_else(|| DhParamError::MalformedPem("invalid base64".into()))?;
    prime_bits_from_der(&der).map_err(DhParamError::Malformed)
}

fn prime_bits_from_der(der: &[u8]) -> Result<u32, String> {
    let seq = AnyRef::from_der(der).map_err(|e| e.to_string())?;
    if seq.tag() != Tag::Sequence {
        return Err(format!("expected a SEQUENCE, found {}", seq.tag()));
    }
    let mut fields = SliceReader::new(seq.value()).map_err(|e| e.to_string())?;
    let prime = UintRef::decode(&mut fields).map_err(|e| format!("prime: {e}"))?;
    Ok(uint_bits(prime.as_bytes()))
}

/// Keys, certificates and DH parameters made by the `openssl` CLI once per test run, so no
/// key material is committed, plus the tests that compare `cert`'s and `key`'s readings of
/// that material with what openssl was asked for and reports. Shared by the tests of all
/// three modules; it sits in this, the smallest file, to keep the other two near 600 lines.
#[cfg(test)]
pub(crate) mod test_material {
    use std::collections::HashMap;
    use std::process::{Command, Stdio};
    use std::sync::OnceLock;

    pub(crate) const PASSPHRASE: &[u8] = b"correct horse battery";

    /// One openssl invocation per line, run in order in a temporary directory; `> FILE` saves
    /// stdout. Arguments contain no spaces. Each fixture is what its test asserts.
    const RECIPE: &str = "
        genpkey -algorithm RSA -out guide.key -aes256 -pass file:pw.txt
        req -new -key guide.key -passin file:pw.txt -subj /CN=localhost -out guide.csr
        x509 -req -days 365 -in guide.csr -signkey guide.key -passin file:pw.txt -out guide.crt
        pkey -in guide.key -passin file:pw.txt -pubout -outform DER -out guide.pub
        x509 -in guide.crt -noout -fingerprint -sha256 > guide.fp
        genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out rsa.key
        pkey -in rsa.key -pubout -outform DER -out rsa.pub
        rsa -in rsa.key -traditional -out rsa-pkcs1.key
        rsa -in rsa.key -traditional -aes256 -passout file:pw.txt -out rsa-legacy.key
        req -x509 -new -key rsa.key -subj /CN=localhost -days 30 -out san.crt -addext subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1
        req -new -key rsa.key -subj /CN=expired.test -out expired.csr
        ca -batch -config ca.cnf -selfsign -keyfile rsa.key -in expired.csr -notext -out expired.crt -startdate 20200101000000Z -enddate 20200201000000Z
        genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out other.key
        req -x509 -new -key other.key -subj /CN=same.name -days 30 -out ca.crt -addext basicConstraints=critical,CA:TRUE
        req -new -key rsa.key -subj /CN=leaf.test -out leaf.csr
        x509 -req -in leaf.csr -CA ca.crt -CAkey other.key -days 30 -set_serial 7 -out leaf.crt
        req -new -key rsa.key -subj /CN=same.name -out same.csr
        x509 -req -in same.csr -CA ca.crt -CAkey other.key -days 30 -set_serial 8 -out same.crt
        genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024 -out rsa1024.key
        req -x509 -new -key rsa1024.key -subj /CN=localhost -days 30 -sha1 -out sha1.crt
        req -x509 -new -key rsa1024.key -subj /CN=localhost -days 30 -sha256 -out rsa1024.crt
        genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ec.key
        pkey -in ec.key -pubout -outform DER -out ec.pub
        ec -in ec.key -out ec-sec1.key
        ec -in ec.key -no_public -out ec-nopub.key
        ec -in ec.key -conv_form compressed -out ec-compressed.key
        ecparam -name prime256v1 -genkey -out ec-other.key
        req -x509 -new -key ec.key -subj /CN=localhost -days 30 -out ec.crt
        req -x509 -new -key ec-compressed.key -subj /CN=localhost -days 30 -out ec-compressed.crt
        genpkey -algorithm RSA-PSS -pkeyopt rsa_keygen_bits:2048 -out pss.key
        req -x509 -new -key pss.key -subj /CN=localhost -days 30 -out pss.crt
        x509 -in pss.crt -noout -text > pss.txt
        genpkey -algorithm ED25519 -out ed.key
        pkey -in ed.key -pubout -outform DER -out ed.pub
        req -x509 -new -key ed.key -subj /CN=localhost -days 30 -out ed.crt
        dhparam -dsaparam -out x942-1024.dh 1024
        dhparam -dsaparam -out x942-2048.dh 2048
        genpkey -genparam -algorithm DH -pkeyopt dh_rfc5114:1 -out pkcs3-1024.dh
        genpkey -genparam -algorithm DH -pkeyopt group:ffdhe2048 -out pkcs3-2048.dh
        dhparam -in x942-1024.dh -noout -text > x942-1024.txt
        dhparam -in x942-2048.dh -noout -text > x942-2048.txt
        dhparam -in pkcs3-1024.dh -noout -text > pkcs3-1024.txt
        dhparam -in pkcs3-2048.dh -noout -text > pkcs3-2048.txt
    ";

    /// Minimal `openssl ca` setup, used only to set past validity dates (OpenSSL 3.0's
    /// `x509` has no `-not_before`).
    const CA_CONF: &str = "[ca]\ndefault_ca = d\n[d]\ndatabase = index.txt\n\
        new_certs_dir = .\nserial = serial.txt\ndefault_md = sha256\npolicy = p\n\
        [p]\ncommonName = supplied\n";

    /// The named file's bytes, generating all material on first use.
    pub(crate) fn material(name: &str) -> &'static [u8] {
        static FILES: OnceLock<HashMap<String, Vec<u8>>> = OnceLock::new();
        let files = FILES.get_or_init(generate);
        files
            .get(name)
            .unwrap_or_else(|| panic!("no test material {name}"))
    }

    fn generate() -> HashMap<String, Vec<u8>> {
        let dir = tempfile::tempdir().expect("create a temporary directory");
        let inputs: [(&str, &[u8]); 4] = [
            ("pw.txt", PASSPHRASE),
            ("ca.cnf", CA_CONF.as_bytes()),
            ("index.txt", b""),
            ("serial.txt", b"01\n"),
        ];
        for (name, contents) in inputs {
            std::fs::write(dir.path().join(name), contents).expect("write input");
        }
        for line in RECIPE.lines().map(str::trim).filter(|l| !l.is_empty()) {
            let (args, stdout_file) = match line.split_once(" > ") {
                Some((args, file)) => (args, Some(file)),
                None => (line, None),
            };
            let out = Command::new("openssl")
                .args(args.split_whitespace())
                .current_dir(dir.path())
                // Keep the host's policy (security level, default extensions) out of it.
                .env("OPENSSL_CONF", "/dev/null")
                .stdin(Stdio::null())
                .output()
                .unwrap_or_else(|e| {
                    panic!(
                        "these tests need the `openssl` command-line tool, which could not \
                         be run ({e}); install it (Debian: apt-get install openssl)"
                    )
                });
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(out.status.success(), "openssl {args} failed:\n{stderr}");
            if let Some(file) = stdout_file {
                std::fs::write(dir.path().join(file), &out.stdout).expect("save stdout");
            }
        }
        let mut files = HashMap::new();
        for entry in std::fs::read_dir(dir.path()).expect("list material") {
            let entry = entry.expect("material entry");
            let name = entry.file_name().to_string_lossy().into_owned();
            files.insert(name, std::fs::read(entry.path()).expect("read material"));
        }
        files
    }

    /// Our reading of the certificates, checked against what openssl was asked to make and
    /// what it reports. (Here rather than in `cert` to keep that file's size down.)
    mod cert_facts {
        use super::material;
        use crate::tls::cert::*;
        use std::net::IpAddr;

        fn cert(name: &str) -> CertificateInfo {
            parse_pem_chain(material(name)).unwrap().remove(0)
        }

        #[test]
        fn guide_recipe_cert_is_self_signed_rsa_2048_without_san() {
            let c = cert("guide.crt");
            assert_eq!(c.subject_cn.as_deref(), Some("localhost"));
            assert_eq!(
                (c.subject.as_str(), c.issuer.as_str()),
                ("CN=localhost", "CN=localhost")
            );
            assert!(!c.has_san_extension && c.san_dns.is_empty() && c.san_ip.is_empty());
            assert!(c.self_issued && c.self_signed && !c.is_ca);
            assert_eq!(c.self_signature, SelfSignature::Verified);
            assert_eq!(c.key, PublicKeyInfo::Rsa { bits: 2048 });
            assert_eq!(c.signature_algorithm, "sha256WithRSAEncryption");
            assert_eq!(c.weak_signature, None);
            assert_eq!(c.validity_days(), 365);
            assert_eq!(c.days_until_expiry(c.not_before), 365);
            assert!(c.covers_name("localhost"), "RFC 6125 falls back to the CN");
            assert!(!c.covers_name_browser("localhost"), "browsers need a SAN");
            assert_eq!(
                c.spki_der,
                material("guide.pub"),
                "openssl pkey -pubout of the key"
            );
            let fp: String = c
                .sha256_fingerprint
                .iter()
                .map(|b| format!("{b:02X}:"))
                .collect();
            let openssl_fp = String::from_utf8_lossy(material("guide.fp"));
            assert_eq!(
                openssl_fp.trim(),
                format!("sha256 Fingerprint={}", fp.trim_end_matches(':'))
            );
        }

        #[test]
        fn san_entries_and_server_names() {
            let c = cert("san.crt");
            assert!(c.has_san_extension);
            assert_eq!(c.san_dns, ["localhost"]);
            let ips: Vec<IpAddr> = vec!["127.0.0.1".parse().unwrap(), "::1".parse().unwrap()];
            assert_eq!(c.san_ip, ips);
            assert!(c.covers_name_browser("LOCALHOST.") && c.covers_name_browser("127.0.0.1"));
            assert!(c.covers_name_browser("[::1]") && !c.covers_name_browser("127.0.0.2"));
            assert_eq!(c.covers_server_name("localhost"), Some(true));
            assert_eq!(c.covers_server_name("example.com"), Some(false));
            assert_eq!(c.covers_server_name("~^www\\."), None);
        }

        #[test]
        fn expired_cert_dates_are_the_ones_requested() {
            let c = cert("expired.crt");
            // `date -u -d 2020-01-01 +%s` and `date -u -d 2020-02-01 +%s`
            assert_eq!((c.not_before, c.not_after), (1_577_836_800, 1_580_515_200));
            assert_eq!(c.validity_days(), 31);
            let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH);
            let now = now.unwrap().as_secs() as i64;
            assert!(c.is_expired(now) && c.days_until_expiry(now) < -365);
            assert!(!c.is_expired(1_580_515_200) && c.is_expired(1_580_515_201));
            assert!(c.is_not_yet_valid(1_577_836_799) && !c.is_not_yet_valid(1_577_836_800));
        }

        #[test]
        fn weak_rsa_1024_and_sha1_signatures_still_verify() {
            let sha1 = cert("sha1.crt");
            assert_eq!(sha1.key, PublicKeyInfo::Rsa { bits: 1024 });
            assert_eq!(sha1.signature_algorithm, "sha1WithRSAEncryption");
            assert_eq!(sha1.weak_signature, Some(WeakHash::Sha1));
            assert_eq!(sha1.self_signature, SelfSignature::Verified);
            let sha256 = cert("rsa1024.crt");
            assert_eq!(
                (sha256.weak_signature, sha256.self_signature),
                (None, SelfSignature::Verified)
            );
        }

        #[test]
        fn ec_and_ed25519_keys() {
            let ec = cert("ec.crt");
            let p256 = PublicKeyInfo::Ec {
                curve: "P-256".into(),
                bits: 256,
            };
            assert_eq!(
                (&ec.key, ec.signature_algorithm.as_str()),
                (&p256, "ecdsa-with-SHA256")
            );
            assert_eq!(ec.self_signature, SelfSignature::Verified);
            // ring cannot verify with a compressed point; no key ids, so still self-signed.
            let compressed = cert("ec-compressed.crt");
            assert_eq!(compressed.key, p256);
            assert_eq!(compressed.self_signature, SelfSignature::Unverifiable);
            assert!(compressed.self_signed && compressed.authority_key_id.is_none());
            let ed = cert("ed.crt");
            assert_eq!(ed.signature_algorithm, "ED25519");
            assert_eq!(
                (ed.key, ed.self_signature),
                (PublicKeyInfo::Ed25519, SelfSignature::Verified)
            );
        }

        #[test]
        fn rsa_pss_key_and_signature() {
            let pss = cert("pss.crt");
            let text = String::from_utf8_lossy(material("pss.txt"));
            assert!(text.contains("Signature Algorithm: rsassaPss") && text.contains("sha256"));
            assert_eq!(pss.key, PublicKeyInfo::Rsa { bits: 2048 });
            assert_eq!(pss.signature_algorithm, "rsassaPss");
            assert_eq!(pss.weak_signature, None);
            // OpenSSL's maximal salt is beyond ring, so the key-id fallback decides.
            assert!(text.contains("Salt Length: 0xDE"));
            assert_eq!(pss.self_signature, SelfSignature::Unverifiable);
            assert!(pss.self_signed);
        }

        #[test]
        fn chain_order_and_self_issued_but_not_self_signed() {
            let chain =
                parse_pem_chain(&[material("leaf.crt"), material("ca.crt")].concat()).unwrap();
            assert_eq!(chain.len(), 2);
            assert_eq!(chain[0].subject_cn.as_deref(), Some("leaf.test"));
            assert_eq!(chain[0].issuer, chain[1].subject);
            assert!(!chain[0].self_issued && !chain[0].self_signed && !chain[0].is_ca);
            assert!(chain[1].is_ca && chain[1].self_signed);
            // Subject equals issuer, but a different key signed it.
            let same = cert("same.crt");
            assert!(same.self_issued && !same.self_signed);
            assert_eq!(same.self_signature, SelfSignature::Invalid);
        }
    }

    /// Key formats, public keys derived from private keys (against `openssl pkey -pubout`),
    /// matching and decryption. (Here rather than in `key` to keep that file's size down.)
    mod key_facts {
        use super::{material, PASSPHRASE};
        use crate::tls::cert::{parse_pem_chain, CertificateInfo};
        use crate::tls::key::*;

        fn key(name: &str) -> KeyInfo {
            inspect_key_pem(material(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
        }

        fn cert(name: &str) -> CertificateInfo {
            parse_pem_chain(material(name)).unwrap().remove(0)
        }

        /// `openssl pkey -pubout -outform DER` of the key: the independent expectation.
        fn openssl_pub(name: &str) -> Option<Vec<u8>> {
            Some(material(name).to_vec())
        }

        #[test]
        fn guide_key_is_encrypted_pkcs8_and_opens_with_its_passphrase() {
            let pem = material("guide.key");
            let info = key("guide.key");
            assert_eq!(
                (info.format, info.encrypted),
                (KeyFormat::EncryptedPkcs8, true)
            );
            assert_eq!(info.spki_der, None);
            let crt = cert("guide.crt");
            assert_eq!(
                key_matches_certificate(&info, &crt),
                None,
                "cannot tell while encrypted"
            );

            let opened = decrypt_encrypted_pkcs8(pem, PASSPHRASE).unwrap();
            assert_eq!(opened.spki_der, openssl_pub("guide.pub"));
            assert_eq!(key_matches_certificate(&opened, &crt), Some(true));
            let wrong = decrypt_encrypted_pkcs8(pem, b"not it");
            assert_eq!(wrong, Err(KeyError::WrongPassphrase));

            let file = [&b"\r\nnot it\r\n"[..], PASSPHRASE, b"\r\n"].concat();
            assert_eq!(open_with_password_file(pem, &file).map(|r| r.0), Ok(1));
            let none_fit = open_with_password_file(pem, b"nope\n");
            assert_eq!(none_fit.unwrap_err(), KeyError::WrongPassphrase);
        }

        #[test]
        fn unencrypted_rsa_in_pkcs8_and_pkcs1() {
            let san_crt = cert("san.crt");
            for (name, format) in [
                ("rsa.key", KeyFormat::Pkcs8),
                ("rsa-pkcs1.key", KeyFormat::Pkcs1Rsa),
            ] {
                let info = key(name);
                assert_eq!((info.format, info.encrypted), (format, false), "{name}");
                assert_eq!(info.spki_der, openssl_pub("rsa.pub"), "{name}");
                assert_eq!(
                    key_matches_certificate(&info, &san_crt),
                    Some(true),
                    "{name}"
                );
            }
            let err = decrypt_encrypted_pkcs8(material("rsa.key"), PASSPHRASE).unwrap_err();
            assert_eq!(err, KeyError::NotEncryptedPkcs8(KeyFormat::Pkcs8));
        }

        #[test]
        fn traditional_encrypted_rsa_is_detected_by_its_header() {
            let pem = material("rsa-legacy.key");
            assert!(String::from_utf8_lossy(pem).contains("Proc-Type: 4,ENCRYPTED"));
            let info = key("rsa-legacy.key");
            let expected = (KeyFormat::LegacyEncrypted, true, None);
            assert_eq!((info.format, info.encrypted, info.spki_der), expected);
            assert_eq!(info.pem_label, "RSA PRIVATE KEY");
            let err = decrypt_encrypted_pkcs8(pem, PASSPHRASE).unwrap_err();
            assert_eq!(err, KeyError::NotEncryptedPkcs8(KeyFormat::LegacyEncrypted));
            assert!(err.to_string().contains("Proc-Type: 4,ENCRYPTED"), "{err}");
        }

        #[test]
        fn ec_p256_in_pkcs8_and_sec1() {
            let crt = cert("ec.crt");
            for (name, format) in [
                ("ec.key", KeyFormat::Pkcs8),
                ("ec-sec1.key", KeyFormat::Sec1Ec),
            ] {
                let info = key(name);
                assert_eq!(
                    (info.format, &info.spki_der),
                    (format, &openssl_pub("ec.pub")),
                    "{name}"
                );
                assert_eq!(key_matches_certificate(&info, &crt), Some(true), "{name}");
            }
            let no_public = key("ec-nopub.key");
            assert_eq!(
                (no_public.format, &no_public.spki_der),
                (KeyFormat::Sec1Ec, &None)
            );
            assert_eq!(key_matches_certificate(&no_public, &crt), None);
            let compressed = key("ec-compressed.key");
            assert_eq!(key_matches_certificate(&compressed, &crt), Some(true));
            // `ecparam -genkey` writes an EC PARAMETERS block before the key.
            let other = key("ec-other.key");
            assert_eq!(
                (other.format, other.pem_label.as_str()),
                (KeyFormat::Sec1Ec, "EC PRIVATE KEY")
            );
            assert_eq!(key_matches_certificate(&other, &crt), Some(false));
        }

        #[test]
        fn rsa_pss_and_compressed_ec_keys_match_their_certificates() {
            let pss = key("pss.key");
            assert_eq!(pss.format, KeyFormat::Pkcs8);
            assert_eq!(key_matches_certificate(&pss, &cert("pss.crt")), Some(true));
            assert_eq!(key_matches_certificate(&pss, &cert("san.crt")), Some(false));
            let ec = key("ec.key");
            assert_eq!(
                key_matches_certificate(&ec, &cert("ec-compressed.crt")),
                Some(true)
            );
        }

        #[test]
        fn ed25519_public_key_is_derived_from_the_seed() {
            let info = key("ed.key");
            assert_eq!(info.spki_der, openssl_pub("ed.pub"));
            assert_eq!(key_matches_certificate(&info, &cert("ed.crt")), Some(true));
        }

        #[test]
        fn mismatches_and_combined_files() {
            let san_crt = cert("san.crt");
            assert_eq!(
                key_matches_certificate(&key("other.key"), &san_crt),
                Some(false)
            );
            assert_eq!(
                key_matches_certificate(&key("ec.key"), &san_crt),
                Some(false)
            );
            // nginx accepts the certificate and key in one file.
            let combined = [material("san.crt"), material("rsa.key")].concat();
            let info = inspect_key_pem(&combined).unwrap();
            assert_eq!(key_matches_certificate(&info, &san_crt), Some(true));
            assert_eq!(
                inspect_key_pem(material("san.crt")),
                Err(KeyError::NoPrivateKey)
            );
            assert_eq!(
                KeyError::NoPrivateKey.to_string(),
                "no PEM private key found"
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::test_material::material;
    use super::*;

    /// What `openssl dhparam -noout -text` reports, e.g. "DH Parameters: (2048 bit)".
    fn openssl_reported_bits(name: &str) -> u32 {
        let text = String::from_utf8_lossy(material(name));
        let start = text.find('(').expect("bit count in openssl output") + 1;
        let end = start + text[start..].find(" bit)").expect("bit count end");
        text[start..end].parse().expect("numeric bit count")
    }

    #[test]
    fn prime_sizes_match_what_was_requested_and_what_openssl_reports() {
        let cases = [
            ("x942-1024", "X9.42 DH PARAMETERS", 1024),
            ("x942-2048", "X9.42 DH PARAMETERS", 2048),
            ("pkcs3-1024", "DH PARAMETERS", 1024),
            ("pkcs3-2048", "DH PARAMETERS", 2048),
        ];
        for (name, label, bits) in cases {
            let pem = material(&format!("{name}.dh"));
            assert!(pem.starts_with(format!("-----BEGIN {label}-----").as_bytes()));
            assert_eq!(dh_prime_bits(pem), Ok(bits), "{name}");
            assert_eq!(
                openssl_reported_bits(&format!("{name}.txt")),
                bits,
                "{name}"
            );
        }
    }

    #[test]
    fn errors_name_the_problem() {
        let cert = b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
        let err = dh_prime_bits(cert).unwrap_err();
        assert_eq!(err, DhParamError::NoDhParameters);
        assert!(err.to_string().contains("no PEM DH parameters"));
        // An INTEGER where the SEQUENCE should be.
        let not_a_sequence = b"-----BEGIN DH PARAMETERS-----\nAgEF\n-----END DH PARAMETERS-----\n";
        let err = dh_prime_bits(not_a_sequence).unwrap_err();
        assert!(
            err.to_string().starts_with("invalid DH parameters"),
            "{err}"
        );
    }
}
