use std::collections::BTreeSet;

use rustc_hash::FxHashSet as HashSet;

use crate::config::site::{Listen, Site};
use crate::diag::Diagnostic;
use crate::nginx_version::NginxVersion;
use crate::rule;
use crate::rules::{Checker, Rule, RuleMeta};
use crate::source::Span;

/// The release from which `ssl_protocols` of name-based virtual servers is honoured.
const FIXED_IN: NginxVersion = NginxVersion::new(1, 29, 2);

rule! {
    /// ## What it does
    /// Reports TLS servers that share a listen address:port with different
    /// effective `ssl_protocols`, on nginx before 1.29.2 (the version comes
    /// from `--nginx-version` or the installed `nginx -v`; unknown counts as
    /// older). The finding sits on each non-default server's `ssl_protocols`
    /// (or its `listen` when it only inherits one), with the default
    /// server's setting as related location.
    ///
    /// ## Why is this bad?
    /// Servers on one socket are told apart by SNI, which OpenSSL ≥ 1.1.1
    /// reports to nginx only after it has already chosen the protocol
    /// version from the configuration of the socket's default server (the
    /// one whose listen says `default_server`, else the first). So before
    /// nginx 1.29.2 a virtual server's own `ssl_protocols` is silently
    /// ignored: a server that disables TLS 1.0/1.1 still accepts them if the
    /// default server enables them, and one that enables TLS 1.3 gets none
    /// if the default server lacks it. Set `ssl_protocols` once at `http`
    /// level, or identically on every server of the socket.
    ///
    /// ## Example
    /// ```nginx
    /// server { listen 443 ssl default_server; ssl_protocols TLSv1 TLSv1.1 TLSv1.2 TLSv1.3; … }
    /// server { listen 443 ssl; server_name app.example; ssl_protocols TLSv1.2 TLSv1.3; … }
    /// ```
    ///
    /// ## Use instead
    /// ```nginx
    /// ssl_protocols TLSv1.2 TLSv1.3;   # at http level, for every server
    /// ```
    ///
    /// ## References
    /// - [nginx: ssl_protocols](https://nginx.org/en/docs/http/ngx_http_ssl_module.html#ssl_protocols)
    /// - [nginx: Name-based HTTPS servers](https://nginx.org/en/docs/http/configuring_https_servers.html#name_based_https_servers)
    /// - [nginx changes (1.29.2)](https://nginx.org/en/CHANGES)
    pub struct ProtocolsDifferOnSharedListen;
    code = "TLS010", name = "protocols-differ-on-shared-listen", severity = Warning,
    summary = "Servers sharing a listen socket set different ssl_protocols; only the default server's apply",
}

impl Rule for ProtocolsDifferOnSharedListen {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Checker<'_>, out: &mut Vec<Diagnostic>) {
        let mut seen = HashSet::default();
        for socket in super::sockets(cx).iter().filter(|s| s.is_ssl()) {
            let (default, default_listen) = socket.default_server();
            let wanted = protocol_set(cx, default);
            for (site, listen) in &socket.servers {
                if socket.is_default(site) {
                    continue;
                }
                let have = protocol_set(cx, site);
                if have == wanted {
                    continue;
                }
                let span = own_protocols(site).unwrap_or(listen.span);
                if !seen.insert(span) {
                    continue;
                }
                // Asked only once servers differ: `nginx -v` is a process
                // start, and most configs never get here.
                let version = cx.nginx_version();
                if version.is_some_and(|v| v >= FIXED_IN) {
                    return;
                }
                let message = format!(
                    "this server's ssl_protocols ({}) is ignored on {}: {} (before {FIXED_IN}) \
                     negotiates the protocol with the default server's ({})",
                    join(&have),
                    socket.key,
                    super::version_label(version),
                    join(&wanted),
                );
                out.push(Self::META.at(span, message).with_related(
                    default_span(default, default_listen),
                    format!("the default server of {}", socket.key),
                ));
            }
        }
    }
}

fn protocol_set<'a>(cx: &Checker<'_>, site: &Site<'a>) -> BTreeSet<&'a str> {
    super::effective_protocols(cx, site).into_iter().collect()
}

fn join(set: &BTreeSet<&str>) -> String {
    set.iter().copied().collect::<Vec<_>>().join(" ")
}

/// The server's own `ssl_protocols` arguments, when it sets one itself.
fn own_protocols(site: &Site<'_>) -> Option<Span> {
    let d = site.settings.get("ssl_protocols")?;
    site.own.iter().any(|o| o.span == d.span).then(|| {
        let first = d.args().first().map_or(d.name_span(), |a| a.span);
        let last = d.args().last().map_or(d.name_span(), |a| a.span);
        first.to(last)
    })
}

fn default_span(site: &Site<'_>, listen: &Listen) -> Span {
    site.settings
        .get("ssl_protocols")
        .map_or(listen.span, |d| d.head_span())
}
