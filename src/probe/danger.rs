//! Certificate verification that records instead of refusing.
//!
//! A probe must see the certificate a self-signed, expired or misnamed
//! server presents, and finish the handshake to learn the version, suite
//! and HTTP headers, so the verifier here never fails the handshake over the
//! certificate. It keeps the chain and the verdict webpki would have given
//! (against `--ca FILE` or the system bundle) for the probe to report.
//!
//! What it does NOT skip: the handshake signatures. The server must still
//! prove it holds the certificate's key (`verify_tls12_signature` /
//! `verify_tls13_signature`), so the facts reported are about a real peer.
//!
//! This is "dangerous" only in the sense of rustls' `dangerous()` API: the
//! connection is never used to send anything secret.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, CryptoProvider};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, Error, RootCertStore, SignatureScheme};

use crate::tls::cert::parse_der;

/// System CA bundles, first existing one wins (after `SSL_CERT_FILE`).
const SYSTEM_BUNDLES: &[&str] = &[
    "/etc/ssl/certs/ca-certificates.crt",
    "/etc/pki/tls/certs/ca-bundle.crt",
    "/etc/ssl/cert.pem",
    "/etc/ssl/ca-bundle.pem",
];

/// The ring provider every probe connection uses.
pub fn provider() -> Arc<CryptoProvider> {
    static PROVIDER: OnceLock<Arc<CryptoProvider>> = OnceLock::new();
    PROVIDER
        .get_or_init(|| Arc::new(rustls::crypto::ring::default_provider()))
        .clone()
}

/// What the verdict is checked against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TrustSource {
    /// `--ca FILE`.
    Ca(PathBuf),
    /// The system bundle found at this path.
    System(PathBuf),
    /// No bundle on this machine: trust is not judged.
    None,
}

/// The roots (and pinned certificates) a verdict is checked against.
#[derive(Debug)]
pub struct Trust {
    pub source: TrustSource,
    webpki: Option<Arc<WebPkiServerVerifier>>,
    /// DER of every certificate in `--ca`: a served leaf equal to one of
    /// them is trusted as pinned (the self-signed case, which webpki refuses
    /// when the certificate says CA:TRUE).
    pinned: Vec<Vec<u8>>,
}

impl Trust {
    /// `--ca FILE`, else the system bundle.
    pub fn load(ca: Option<&Path>) -> Result<Trust, String> {
        match ca {
            Some(path) => {
                let bytes =
                    std::fs::read(path).map_err(|e| format!("--ca {}: {e}", path.display()))?;
                let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(&bytes)
                    .filter_map(Result::ok)
                    .collect();
                if certs.is_empty() {
                    return Err(format!(
                        "--ca {}: no PEM certificate in the file",
                        path.display()
                    ));
                }
                let pinned = certs.iter().map(|c| c.to_vec()).collect();
                Ok(Trust {
                    source: TrustSource::Ca(path.to_path_buf()),
                    webpki: webpki(certs),
                    pinned,
                })
            }
            None => Ok(Trust::system()),
        }
    }

    /// The system bundle (`SSL_CERT_FILE` or a well-known path), if any.
    pub fn system() -> Trust {
        let env = std::env::var_os("SSL_CERT_FILE").map(PathBuf::from);
        let path = env
            .into_iter()
            .chain(SYSTEM_BUNDLES.iter().map(PathBuf::from))
            .find(|p| p.is_file());
        let Some(path) = path else {
            return Trust::none();
        };
        let certs: Vec<CertificateDer<'static>> = std::fs::read(&path)
            .map(|b| {
                CertificateDer::pem_slice_iter(&b)
                    .filter_map(Result::ok)
                    .collect()
            })
            .unwrap_or_default();
        match webpki(certs) {
            Some(v) => Trust {
                source: TrustSource::System(path),
                webpki: Some(v),
                pinned: Vec::new(),
            },
            None => Trust::none(),
        }
    }

    pub fn none() -> Trust {
        Trust {
            source: TrustSource::None,
            webpki: None,
            pinned: Vec::new(),
        }
    }

    /// Whether `--ca` was given.
    pub fn is_explicit(&self) -> bool {
        matches!(self.source, TrustSource::Ca(_))
    }

    /// The verdict for a served chain. Name and dates are checked by the
    /// probe's own certificate findings, so only the chain to a root counts
    /// here: a name mismatch is still "trusted", and an expired leaf is
    /// re-checked at a time inside its validity.
    pub fn verdict(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        now: UnixTime,
    ) -> Verdict {
        let Some(webpki) = &self.webpki else {
            return Verdict::NoTrustStore;
        };
        if self
            .pinned
            .iter()
            .any(|p| p.as_slice() == end_entity.as_ref())
        {
            return Verdict::Pinned;
        }
        let check = |at: UnixTime| {
            webpki.verify_server_cert(end_entity, intermediates, server_name, &[], at)
        };
        let judged = match check(now) {
            Err(Error::InvalidCertificate(e)) if is_date_error(&e) => {
                // Ask again at the middle of the leaf's validity.
                match parse_der(end_entity.as_ref()) {
                    Ok(info) if info.not_after > info.not_before => {
                        let mid = info.not_before + (info.not_after - info.not_before) / 2;
                        check(UnixTime::since_unix_epoch(std::time::Duration::from_secs(
                            mid.max(0) as u64,
                        )))
                    }
                    _ => Err(Error::InvalidCertificate(e)),
                }
            }
            other => other,
        };
        match judged {
            Ok(_) => Verdict::Trusted,
            Err(Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Verdict::Trusted,
            Err(e) => Verdict::Untrusted(describe_error(&e)),
        }
    }
}

fn webpki(certs: Vec<CertificateDer<'static>>) -> Option<Arc<WebPkiServerVerifier>> {
    let mut roots = RootCertStore::empty();
    roots.add_parsable_certificates(certs);
    if roots.is_empty() {
        return None;
    }
    WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider())
        .build()
        .ok()
}

fn is_date_error(e: &CertificateError) -> bool {
    matches!(
        e,
        CertificateError::Expired
            | CertificateError::ExpiredContext { .. }
            | CertificateError::NotValidYet
            | CertificateError::NotValidYetContext { .. }
    )
}

/// rustls' error text, shortened for a one-line finding.
fn describe_error(e: &Error) -> String {
    match e {
        Error::InvalidCertificate(CertificateError::UnknownIssuer) => {
            "no chain to a trusted root (unknown issuer)".into()
        }
        Error::InvalidCertificate(CertificateError::BadSignature) => {
            "a signature in the chain does not verify".into()
        }
        Error::InvalidCertificate(CertificateError::Other(o)) => {
            let text = o.to_string();
            if text.contains("CaUsedAsEndEntity") {
                "the leaf is a CA certificate that is not in the trust store".into()
            } else {
                text
            }
        }
        other => other.to_string(),
    }
}

/// What the verifier concluded about the served chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Chains to a root of the trust store.
    Trusted,
    /// The leaf itself is in `--ca`.
    Pinned,
    Untrusted(String),
    /// There was nothing to check against.
    NoTrustStore,
}

/// What one handshake's verifier saw.
#[derive(Debug, Clone, Default)]
pub struct Recorded {
    /// Leaf first, as the server sent it.
    pub chain: Vec<CertificateDer<'static>>,
    pub verdict: Option<Verdict>,
}

/// Keeps the chain and the verdict, accepts the certificate, and still
/// verifies handshake signatures. One per connection (it records one chain).
#[derive(Debug)]
pub struct RecordingVerifier {
    provider: Arc<CryptoProvider>,
    trust: Option<Arc<Trust>>,
    record: Mutex<Recorded>,
}

impl RecordingVerifier {
    /// With `trust` None nothing is judged (the HTTP client's verifier).
    pub fn new(trust: Option<Arc<Trust>>) -> Arc<RecordingVerifier> {
        Arc::new(RecordingVerifier {
            provider: provider(),
            trust,
            record: Mutex::new(Recorded::default()),
        })
    }

    pub fn recorded(&self) -> Recorded {
        self.record.lock().map(|r| r.clone()).unwrap_or_default()
    }
}

impl ServerCertVerifier for RecordingVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, Error> {
        let verdict = self
            .trust
            .as_ref()
            .map(|t| t.verdict(end_entity, intermediates, server_name, now));
        if let Ok(mut r) = self.record.lock() {
            r.chain = std::iter::once(end_entity)
                .chain(intermediates)
                .map(|c| c.clone().into_owned())
                .collect();
            r.verdict = verdict;
        }
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// A rustls client config around `verifier`, offering TLSv1.2 and TLSv1.3
/// with the given ALPN protocols.
pub fn client_config(verifier: Arc<RecordingVerifier>, alpn: &[&[u8]]) -> rustls::ClientConfig {
    let mut cfg = rustls::ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .expect("ring supports TLS 1.2 and 1.3")
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth();
    cfg.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
    cfg
}
