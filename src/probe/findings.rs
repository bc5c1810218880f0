//! Findings from the protocol and suite scans: TLS101–TLS104 and TLS107.
//! Pure functions of the scan results, so they are tested without a network.

use super::scan::{HelloOutcome, ProtocolScan, SuiteScan, TlsProtocol};
use crate::diag::{Diagnostic, Severity};
use crate::rules::live::{
    LegacyProtocolAccepted, ModernProtocolMissing, ServerCipherOrder, WeakDheGroup,
    WeakSuiteAccepted,
};
use crate::rules::{Profile, RuleMeta};
use crate::tls::ciphers;

fn finding(meta: &RuleMeta, target: &str, message: impl Into<String>) -> Diagnostic {
    Diagnostic::at_target(meta.code, meta.severity, target, message)
}

/// TLS101–TLS104 and TLS107 from the protocol and suite scans.
pub fn scan_findings(
    label: &str,
    protocols: &ProtocolScan,
    suites: &[SuiteScan],
    profile: Profile,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let accepted = &protocols.accepted;
    let legacy: Vec<&str> = accepted
        .iter()
        .filter(|p| **p < TlsProtocol::Tls12)
        .map(|p| p.as_str())
        .collect();
    if !legacy.is_empty() {
        out.push(finding(
            &LegacyProtocolAccepted::META,
            label,
            format!(
                "the server accepts {}",
                crate::rules::tls::name_list(&legacy, 5)
            ),
        ));
    }
    let has12 = accepted.contains(&TlsProtocol::Tls12);
    let has13 = accepted.contains(&TlsProtocol::Tls13);
    // Nothing accepted at all: the handshake or network findings say why.
    if !accepted.is_empty() && !has12 && !has13 {
        let inconclusive = protocols.outcomes.iter().any(|(p, o)| {
            *p >= TlsProtocol::Tls12 && matches!(o, HelloOutcome::Timeout(_) | HelloOutcome::Io(_))
        });
        let mut d = finding(
            &ModernProtocolMissing::META,
            label,
            "the server accepts neither TLSv1.2 nor TLSv1.3: current clients cannot connect",
        );
        if inconclusive {
            d = d.with_help("some hellos timed out or failed; the scan may be incomplete");
        }
        out.push(d);
    } else if has12 && !has13 {
        let mut d = finding(
            &ModernProtocolMissing::META,
            label,
            "the server accepts TLSv1.2 but not TLSv1.3",
        );
        d.severity = Severity::Info;
        out.push(d);
    }

    let mut weak: Vec<String> = Vec::new();
    for s in suites {
        for code in &s.accepted {
            let Some(facts) = ciphers::by_code(*code) else {
                continue;
            };
            if let Some(w) = facts.weakness() {
                let name = format!("{} ({w})", facts.openssl);
                if !weak.contains(&name) {
                    weak.push(name);
                }
            }
        }
    }
    if !weak.is_empty() {
        let versions: Vec<&str> = suites
            .iter()
            .filter(|s| {
                s.accepted
                    .iter()
                    .any(|c| ciphers::by_code(*c).is_some_and(|f| f.weakness().is_some()))
            })
            .map(|s| s.version.as_str())
            .collect();
        out.push(finding(
            &WeakSuiteAccepted::META,
            label,
            format!(
                "the server accepts weak suites ({}): {}",
                versions.join(", "),
                crate::rules::tls::name_list(&weak, 8)
            ),
        ));
    }

    if let Some(bits) = suites.iter().filter_map(|s| s.dh_bits).min() {
        if bits < 2048 {
            out.push(finding(
                &WeakDheGroup::META,
                label,
                format!("DHE key exchange uses a {bits}-bit group (minimum 2048)"),
            ));
        }
    }

    let want_server_order = profile.spec().prefer_server_ciphers;
    let mismatched: Vec<&str> = suites
        .iter()
        .filter(|s| s.version < TlsProtocol::Tls13)
        .filter(|s| s.server_order == Some(!want_server_order))
        .map(|s| s.version.as_str())
        .collect();
    if !mismatched.is_empty() {
        out.push(finding(
            &ServerCipherOrder::META,
            label,
            if want_server_order {
                format!(
                    "the server lets the client choose the cipher suite ({}); the {} profile wants the server's order",
                    mismatched.join(", "),
                    profile.name()
                )
            } else {
                format!(
                    "the server imposes its own cipher order ({}); the {} profile lets the client choose",
                    mismatched.join(", "),
                    profile.name()
                )
            },
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan(accepted: &[TlsProtocol]) -> ProtocolScan {
        ProtocolScan {
            accepted: accepted.to_vec(),
            outcomes: TlsProtocol::ALL
                .iter()
                .map(|p| (*p, HelloOutcome::Closed))
                .collect(),
        }
    }

    fn suites(
        version: TlsProtocol,
        accepted: &[u16],
        order: Option<bool>,
        dh: Option<u32>,
    ) -> SuiteScan {
        SuiteScan {
            version,
            accepted: accepted.to_vec(),
            server_order: order,
            dh_bits: dh,
            ended_by: None,
        }
    }

    fn codes(d: &[Diagnostic]) -> Vec<&str> {
        d.iter().map(|d| d.code).collect()
    }

    #[test]
    fn nothing_accepted_is_left_to_the_handshake_findings() {
        assert!(scan_findings("t", &scan(&[]), &[], Profile::Guide).is_empty());
    }

    #[test]
    fn protocol_findings() {
        use TlsProtocol::*;
        let legacy = scan_findings("t", &scan(&[Tls10, Tls11]), &[], Profile::Guide);
        assert_eq!(codes(&legacy), ["TLS101", "TLS102"]);
        assert_eq!(legacy[1].severity, Severity::Warning);
        let no13 = scan_findings("t", &scan(&[Tls12]), &[], Profile::Guide);
        assert_eq!(codes(&no13), ["TLS102"]);
        assert_eq!(no13[0].severity, Severity::Info);
        assert!(scan_findings("t", &scan(&[Tls12, Tls13]), &[], Profile::Guide).is_empty());
    }

    #[test]
    fn suite_dh_and_order_findings() {
        use TlsProtocol::*;
        // NULL-SHA256 (0x003b), ECDHE-RSA-AES128-GCM-SHA256 (0xc02f), DHE-RSA-AES128-GCM-SHA256 (0x009e).
        let s = [suites(
            Tls12,
            &[0xc02f, 0x003b, 0x009e],
            Some(false),
            Some(1024),
        )];
        let found = scan_findings("t", &scan(&[Tls12, Tls13]), &s, Profile::Guide);
        assert_eq!(codes(&found), ["TLS103", "TLS104", "TLS107"]);
        assert!(
            found[0].message.contains("NULL-SHA256 (no encryption)"),
            "{}",
            found[0].message
        );
        // Mozilla's profiles want the client's order: the same scan is fine there…
        let s = [suites(Tls12, &[0xc02f, 0x009e], Some(false), Some(2048))];
        assert!(scan_findings("t", &scan(&[Tls12, Tls13]), &s, Profile::Intermediate).is_empty());
        // …and a server order is reported.
        let s = [suites(Tls12, &[0xc02f, 0x009e], Some(true), None)];
        let found = scan_findings("t", &scan(&[Tls12, Tls13]), &s, Profile::Intermediate);
        assert_eq!(codes(&found), ["TLS107"]);
        assert!(found[0].message.contains("imposes its own cipher order"));
    }
}
