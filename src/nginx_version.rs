//! nginx versions: defaults that matter for security changed across
//! releases (`ssl_protocols` dropped TLSv1/1.1 only in 1.27.3), so rules
//! need to know which nginx the config is for.

use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct NginxVersion(pub u32, pub u32, pub u32);

impl NginxVersion {
    pub const fn new(major: u32, minor: u32, patch: u32) -> NginxVersion {
        NginxVersion(major, minor, patch)
    }

    /// Ask the installed nginx (`nginx -v` prints to stderr). None when no
    /// nginx is installed or its answer is not understood.
    pub fn installed() -> Option<NginxVersion> {
        let out = ["nginx", "/usr/sbin/nginx"]
            .iter()
            .find_map(|b| std::process::Command::new(b).arg("-v").output().ok())?;
        let text = String::from_utf8_lossy(&out.stderr);
        let v = text.split("nginx/").nth(1)?.split_whitespace().next()?;
        v.parse().ok()
    }
}

impl FromStr for NginxVersion {
    type Err = String;

    fn from_str(s: &str) -> Result<NginxVersion, String> {
        let s = s.trim().trim_start_matches("nginx/");
        let mut parts = s.split('.').map(|p| p.parse::<u32>());
        match (parts.next(), parts.next(), parts.next(), parts.next()) {
            (Some(Ok(a)), Some(Ok(b)), c, None) => {
                let c = match c {
                    Some(Ok(c)) => c,
                    None => 0,
                    Some(Err(_)) => {
                        return Err(format!(
                            "invalid nginx version \"{s}\" (expected e.g. 1.22.1)"
                        ))
                    }
                };
                Ok(NginxVersion(a, b, c))
            }
            _ => Err(format!(
                "invalid nginx version \"{s}\" (expected e.g. 1.22.1)"
            )),
        }
    }
}

impl fmt::Display for NginxVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.0, self.1, self.2)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_orders() {
        let v: NginxVersion = "1.22.1".parse().unwrap();
        assert_eq!(v, NginxVersion(1, 22, 1));
        assert!(v < NginxVersion(1, 23, 4));
        assert_eq!(
            "nginx/1.27".parse::<NginxVersion>().unwrap(),
            NginxVersion(1, 27, 0)
        );
        assert!("1.x".parse::<NginxVersion>().is_err());
    }
}
