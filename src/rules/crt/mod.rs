//! CRT rules: the certificate files `ssl_certificate` names — loadable,
//! within their dates, named for their servers, strong, matching their keys.
//! Live checks (1xx, the served certificate) belong to the probe.

pub mod files;

mod crt001_certificate_unreadable;
mod crt002_certificate_expired;
mod crt003_certificate_not_yet_valid;
mod crt004_certificate_expiring;
mod crt005_certificate_without_san;
mod crt006_certificate_name_mismatch;
mod crt007_weak_certificate_key;
mod crt008_weak_certificate_signature;
mod crt009_certificate_lifetime_too_long;
mod crt010_certificate_self_signed;
mod crt011_certificate_key_mismatch;

pub use crt001_certificate_unreadable::CertificateUnreadable;
pub use crt002_certificate_expired::CertificateExpired;
pub use crt003_certificate_not_yet_valid::CertificateNotYetValid;
pub use crt004_certificate_expiring::CertificateExpiring;
pub use crt005_certificate_without_san::CertificateWithoutSan;
pub use crt006_certificate_name_mismatch::CertificateNameMismatch;
pub use crt007_weak_certificate_key::WeakCertificateKey;
pub use crt008_weak_certificate_signature::WeakCertificateSignature;
pub use crt009_certificate_lifetime_too_long::CertificateLifetimeTooLong;
pub use crt010_certificate_self_signed::CertificateSelfSigned;
pub use crt011_certificate_key_mismatch::CertificateKeyMismatch;

use super::Rule;

/// Every CRT rule, in code order.
pub fn rules() -> Vec<&'static dyn Rule> {
    vec![
        &CertificateUnreadable,
        &CertificateExpired,
        &CertificateNotYetValid,
        &CertificateExpiring,
        &CertificateWithoutSan,
        &CertificateNameMismatch,
        &WeakCertificateKey,
        &WeakCertificateSignature,
        &CertificateLifetimeTooLong,
        &CertificateSelfSigned,
        &CertificateKeyMismatch,
    ]
}
