//! What the probe is pointed at: `https://host[:port][/path]`,
//! `http://host[:port][/path]` or a bare `host[:port]`, where each name is
//! reached (`--resolve name:port:addr`, `--address`, else the system
//! resolver), and the `--timeout` syntax.
//!
//! Only the host and port given are ever contacted: a redirect elsewhere is
//! reported, never followed.

use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::str::FromStr;
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    /// TLS facts, protocol/suite scan, HTTPS headers (and the plain-HTTP side).
    Https,
    /// Only that URL's redirect to HTTPS.
    Http,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// As given on the command line.
    pub input: String,
    pub scheme: Scheme,
    /// Lowercase; an IPv6 literal without brackets.
    pub host: String,
    pub port: u16,
    /// Path and query, `/` when none was given.
    pub path: String,
    /// Whether the input named a path (else the probe picks its own).
    pub explicit_path: bool,
}

impl Target {
    /// Parses one TARGET argument.
    pub fn parse(input: &str) -> Result<Target, String> {
        let s = input.trim();
        let (scheme, rest) = match s.split_once("://") {
            Some((sch, rest)) => match sch.to_ascii_lowercase().as_str() {
                "https" => (Scheme::Https, rest),
                "http" => (Scheme::Http, rest),
                other => {
                    return Err(format!(
                        "\"{input}\": unsupported scheme \"{other}\" (use https://, http:// or host[:port])"
                    ))
                }
            },
            None => (Scheme::Https, s),
        };
        let (authority, path) = match rest.find(['/', '?']) {
            Some(i) if rest.as_bytes()[i] == b'/' => (&rest[..i], rest[i..].to_string()),
            Some(i) => (&rest[..i], format!("/{}", &rest[i..])),
            None => (rest, String::new()),
        };
        let path = path.split('#').next().unwrap_or_default().to_string();
        if authority.contains('@') {
            return Err(format!(
                "\"{input}\": credentials in the URL are not supported"
            ));
        }
        let default_port = match scheme {
            Scheme::Https => 443,
            Scheme::Http => 80,
        };
        let (host, port) = split_host_port(authority).map_err(|e| format!("\"{input}\": {e}"))?;
        let port = port.unwrap_or(default_port);
        if host.is_empty() {
            return Err(format!("\"{input}\": no host"));
        }
        if host.parse::<IpAddr>().is_err()
            && !host
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_'))
        {
            return Err(format!("\"{input}\": \"{host}\" is not a host name"));
        }
        Ok(Target {
            input: input.to_string(),
            scheme,
            host: host.to_ascii_lowercase(),
            port,
            explicit_path: !path.is_empty() && path != "/",
            path: if path.is_empty() { "/".into() } else { path },
        })
    }

    /// A TLS target for `verify`: `https://name:port/`.
    pub fn https(host: &str, port: u16) -> Target {
        let host = host.trim_start_matches('[').trim_end_matches(']');
        let t = Target {
            input: String::new(),
            scheme: Scheme::Https,
            host: host.to_ascii_lowercase(),
            port,
            path: "/".into(),
            explicit_path: false,
        };
        Target {
            input: t.label(),
            ..t
        }
    }

    pub fn is_ip(&self) -> bool {
        self.host.parse::<IpAddr>().is_ok()
    }

    /// The host as it appears in a URL (IPv6 in brackets).
    pub fn url_host(&self) -> String {
        url_host(&self.host)
    }

    /// `https://host:port`: how findings name the endpoint.
    pub fn label(&self) -> String {
        let scheme = match self.scheme {
            Scheme::Https => "https",
            Scheme::Http => "http",
        };
        format!("{scheme}://{}:{}", self.url_host(), self.port)
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.label())
    }
}

/// `host`, `[v6]` → host in URL form.
pub fn url_host(host: &str) -> String {
    if host.contains(':') {
        format!("[{host}]")
    } else {
        host.to_string()
    }
}

/// `host`, `host:port`, `[v6]`, `[v6]:port`.
fn split_host_port(authority: &str) -> Result<(String, Option<u16>), String> {
    let parse_port = |p: &str| {
        p.parse::<u16>()
            .ok()
            .filter(|p| *p != 0)
            .ok_or_else(|| format!("\"{p}\" is not a port"))
    };
    if let Some(rest) = authority.strip_prefix('[') {
        let (host, after) = rest
            .split_once(']')
            .ok_or_else(|| "unclosed \"[\"".to_string())?;
        host.parse::<std::net::Ipv6Addr>()
            .map_err(|_| format!("\"{host}\" is not an IPv6 address"))?;
        let port = match after.strip_prefix(':') {
            Some(p) => Some(parse_port(p)?),
            None if after.is_empty() => None,
            None => return Err(format!("unexpected \"{after}\" after the address")),
        };
        return Ok((host.to_string(), port));
    }
    match authority.rsplit_once(':') {
        // A bare IPv6 literal has several colons and no port.
        Some(_) if authority.parse::<std::net::Ipv6Addr>().is_ok() => {
            Ok((authority.to_string(), None))
        }
        Some((host, port)) => Ok((host.to_string(), Some(parse_port(port)?))),
        None => Ok((authority.to_string(), None)),
    }
}

/// `--resolve name:port:addr` (curl's syntax; `*` as the port matches any).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolve {
    pub name: String,
    /// None for `*`.
    pub port: Option<u16>,
    pub addr: IpAddr,
}

impl FromStr for Resolve {
    type Err = String;

    fn from_str(s: &str) -> Result<Resolve, String> {
        let bad = || format!("\"{s}\": expected NAME:PORT:ADDRESS, e.g. app.test:443:127.0.0.1");
        let (name, rest) = s.split_once(':').ok_or_else(bad)?;
        let (port, addr) = rest.split_once(':').ok_or_else(bad)?;
        let port = match port {
            "*" => None,
            p => Some(p.parse::<u16>().map_err(|_| bad())?),
        };
        let addr = addr
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<IpAddr>()
            .map_err(|_| bad())?;
        if name.is_empty() {
            return Err(bad());
        }
        Ok(Resolve {
            name: name.to_ascii_lowercase(),
            port,
            addr,
        })
    }
}

/// The `--resolve` entry for `host:port`, if any.
pub fn resolve_override(resolve: &[Resolve], host: &str, port: u16) -> Option<IpAddr> {
    resolve
        .iter()
        .find(|r| r.name.eq_ignore_ascii_case(host) && r.port.is_none_or(|p| p == port))
        .map(|r| r.addr)
}

/// The addresses to try for `host:port`, in order: a literal, the `fixed`
/// address, else the system resolver (within `timeout`).
pub async fn addresses(
    host: &str,
    port: u16,
    fixed: Option<IpAddr>,
    timeout: Duration,
) -> Result<Vec<SocketAddr>, String> {
    if let Some(ip) = fixed.or_else(|| host.parse().ok()) {
        return Ok(vec![SocketAddr::new(ip, port)]);
    }
    let lookup = tokio::net::lookup_host((host.to_string(), port));
    match tokio::time::timeout(timeout, lookup).await {
        Err(_) => Err(format!(
            "resolving {host} timed out after {}",
            show_duration(timeout)
        )),
        Ok(Err(e)) => Err(format!("cannot resolve {host}: {e}")),
        Ok(Ok(addrs)) => {
            let mut v: Vec<SocketAddr> = addrs.collect();
            // IPv4 first: loopback services often listen on 127.0.0.1 only.
            v.sort_by_key(|a| a.is_ipv6());
            v.dedup();
            if v.is_empty() {
                Err(format!("{host} resolves to no address"))
            } else {
                Ok(v)
            }
        }
    }
}

/// `2s`, `500ms`, `1.5s`, `1m`, or a bare number of seconds.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let t = s.trim();
    let (num, unit) = match t.find(|c: char| c.is_ascii_alphabetic()) {
        Some(i) => (&t[..i], &t[i..]),
        None => (t, "s"),
    };
    let n: f64 = num
        .trim()
        .parse()
        .map_err(|_| format!("\"{s}\" is not a duration (e.g. 5s, 500ms, 1m)"))?;
    let secs = match unit {
        "ms" => n / 1000.0,
        "s" | "sec" => n,
        "m" | "min" => n * 60.0,
        _ => return Err(format!("\"{s}\": unknown unit \"{unit}\" (ms, s, m)")),
    };
    if !(secs.is_finite() && secs > 0.0 && secs <= 3600.0) {
        return Err(format!("\"{s}\": must be between 1ms and 1h"));
    }
    Ok(Duration::from_secs_f64(secs.max(0.001)))
}

/// `2s`, `500ms`, `1.5s`.
pub fn show_duration(d: Duration) -> String {
    if d.subsec_millis() == 0 {
        format!("{}s", d.as_secs())
    } else if d < Duration::from_secs(1) {
        format!("{}ms", d.as_millis())
    } else {
        format!("{:.1}s", d.as_secs_f64())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets() {
        let t = Target::parse("https://App.Test:8443/a/b?q=1#frag").unwrap();
        assert_eq!(
            (t.scheme, t.host.as_str(), t.port, t.path.as_str()),
            (Scheme::Https, "app.test", 8443, "/a/b?q=1")
        );
        assert!(t.explicit_path);
        assert_eq!(t.label(), "https://app.test:8443");
        let bare = Target::parse("localhost").unwrap();
        assert_eq!(
            (bare.scheme, bare.port, bare.path.as_str()),
            (Scheme::Https, 443, "/")
        );
        assert!(!bare.explicit_path);
        let http = Target::parse("http://x.test?q=1").unwrap();
        assert_eq!((http.port, http.path.as_str()), (80, "/?q=1"));
        let v6 = Target::parse("[::1]:8443").unwrap();
        assert_eq!((v6.host.as_str(), v6.port), ("::1", 8443));
        assert_eq!(v6.label(), "https://[::1]:8443");
        assert_eq!(Target::parse("::1").unwrap().host, "::1");
        assert!(Target::parse("ftp://x").is_err());
        assert!(Target::parse("x:0").is_err());
        assert!(Target::parse("x:99999").is_err());
        assert!(Target::parse("https://").is_err());
        assert!(Target::parse("https://u:p@x").is_err());
        assert!(Target::parse("bad host").is_err());
    }

    #[test]
    fn resolve_entries() {
        let r: Resolve = "App.test:443:127.0.0.1".parse().unwrap();
        assert_eq!((r.name.as_str(), r.port), ("app.test", Some(443)));
        let v6: Resolve = "a:*:[::1]".parse().unwrap();
        assert_eq!(v6.port, None);
        assert!("a:443".parse::<Resolve>().is_err());
        assert!("a:x:127.0.0.1".parse::<Resolve>().is_err());
        let all = [r, v6];
        assert!(resolve_override(&all, "APP.TEST", 443).is_some());
        assert!(resolve_override(&all, "app.test", 80).is_none());
        assert!(resolve_override(&all, "a", 1).is_some());
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("2s").unwrap(), Duration::from_secs(2));
        assert_eq!(parse_duration("500ms").unwrap(), Duration::from_millis(500));
        assert_eq!(parse_duration("3").unwrap(), Duration::from_secs(3));
        assert_eq!(parse_duration("1m").unwrap(), Duration::from_secs(60));
        assert_eq!(parse_duration("1.5s").unwrap(), Duration::from_millis(1500));
        assert!(parse_duration("0").is_err());
        assert!(parse_duration("2h").is_err());
        assert!(parse_duration("fast").is_err());
        assert_eq!(show_duration(Duration::from_millis(500)), "500ms");
        assert_eq!(show_duration(Duration::from_secs(2)), "2s");
    }
}
