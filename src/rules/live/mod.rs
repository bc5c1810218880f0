//! Live codes (1xx of each family): what `probe` and `verify` find on the
//! wire. They are registered rules with empty `check`s, like the SYN codes,
//! so each has docs, `explain` and a SARIF descriptor; the findings
//! themselves are made in src/probe/. Static configs cannot trigger them, so
//! the fixture meta-test skips [`LIVE_CODES`] and tests/integration/probe.rs
//! requires each to appear in a probe test instead.

mod crt101_served_certificate_expired;
mod crt102_served_certificate_name_mismatch;
mod crt103_served_certificate_untrusted;
mod crt104_served_certificate_weak;
mod crt105_served_certificate_differs_from_config;
mod crt106_served_certificate_expiring;
mod hdr101_hsts_not_served;
mod hdr102_hsts_missing_on_error_responses;
mod hdr103_server_version_disclosed;
mod net101_unreachable;
mod net102_not_tls;
mod net103_backend_down;
mod red101_http_not_redirected;
mod red102_redirect_not_permanent;
mod red103_redirect_drops_path_or_query;
mod red104_redirect_off_host;
mod red105_redirect_configured_not_served;
mod tls101_legacy_protocol_accepted;
mod tls102_modern_protocol_missing;
mod tls103_weak_suite_accepted;
mod tls104_weak_dhe_group;
mod tls105_handshake_failed;
mod tls106_config_protocol_still_accepted;
mod tls107_server_cipher_order;

pub use crt101_served_certificate_expired::ServedCertificateExpired;
pub use crt102_served_certificate_name_mismatch::ServedCertificateNameMismatch;
pub use crt103_served_certificate_untrusted::ServedCertificateUntrusted;
pub use crt104_served_certificate_weak::ServedCertificateWeak;
pub use crt105_served_certificate_differs_from_config::ServedCertificateDiffersFromConfig;
pub use crt106_served_certificate_expiring::ServedCertificateExpiring;
pub use hdr101_hsts_not_served::HstsNotServed;
pub use hdr102_hsts_missing_on_error_responses::HstsMissingOnErrorResponses;
pub use hdr103_server_version_disclosed::ServerVersionDisclosed;
pub use net101_unreachable::Unreachable;
pub use net102_not_tls::NotTls;
pub use net103_backend_down::BackendDown;
pub use red101_http_not_redirected::HttpNotRedirected;
pub use red102_redirect_not_permanent::RedirectNotPermanent;
pub use red103_redirect_drops_path_or_query::RedirectDropsPathOrQuery;
pub use red104_redirect_off_host::RedirectOffHost;
pub use red105_redirect_configured_not_served::RedirectConfiguredNotServed;
pub use tls101_legacy_protocol_accepted::LegacyProtocolAccepted;
pub use tls102_modern_protocol_missing::ModernProtocolMissing;
pub use tls103_weak_suite_accepted::WeakSuiteAccepted;
pub use tls104_weak_dhe_group::WeakDheGroup;
pub use tls105_handshake_failed::HandshakeFailed;
pub use tls106_config_protocol_still_accepted::ConfigProtocolStillAccepted;
pub use tls107_server_cipher_order::ServerCipherOrder;

use super::Rule;

/// Every live code, in code-table order.
pub const LIVE_CODES: &[&str] = &[
    "TLS101", "TLS102", "TLS103", "TLS104", "TLS105", "TLS106", "TLS107", "CRT101", "CRT102",
    "CRT103", "CRT104", "CRT105", "CRT106", "RED101", "RED102", "RED103", "RED104", "RED105",
    "HDR101", "HDR102", "HDR103", "NET101", "NET102", "NET103",
];

/// Whether `code` is a live (probe/verify) code.
pub fn is_live(code: &str) -> bool {
    LIVE_CODES.iter().any(|c| c.eq_ignore_ascii_case(code))
}

/// Every live rule.
pub fn rules() -> Vec<&'static dyn Rule> {
    vec![
        &LegacyProtocolAccepted,
        &ModernProtocolMissing,
        &WeakSuiteAccepted,
        &WeakDheGroup,
        &HandshakeFailed,
        &ConfigProtocolStillAccepted,
        &ServerCipherOrder,
        &ServedCertificateExpired,
        &ServedCertificateNameMismatch,
        &ServedCertificateUntrusted,
        &ServedCertificateWeak,
        &ServedCertificateDiffersFromConfig,
        &ServedCertificateExpiring,
        &HttpNotRedirected,
        &RedirectNotPermanent,
        &RedirectDropsPathOrQuery,
        &RedirectOffHost,
        &RedirectConfiguredNotServed,
        &HstsNotServed,
        &HstsMissingOnErrorResponses,
        &ServerVersionDisclosed,
        &Unreachable,
        &NotTls,
        &BackendDown,
    ]
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_list_matches_the_rules() {
        let listed: Vec<&str> = super::rules().iter().map(|r| r.meta().code).collect();
        assert_eq!(listed, super::LIVE_CODES);
        assert!(listed.iter().all(|c| c[3..].starts_with('1')));
    }
}
