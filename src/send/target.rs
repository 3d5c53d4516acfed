//! The URL a sender talks to, checked once and split into the pieces every request
//! reuses: where to connect, the `Host` header, and the origin-form request path.

use http::{HeaderValue, Uri};
use reqwest::Url;

use crate::error::{Error, Result};

/// A validated `http://` or `https://` target.
#[derive(Debug, Clone)]
pub struct Target {
    /// The URL as the user gave it (shown in output and JSON).
    pub given: String,
    /// The parsed URL (used by the TLS transport).
    pub url: Url,
    /// Whether the scheme is `https`.
    pub tls: bool,
    /// Host to resolve, without IPv6 brackets.
    pub host: String,
    /// Port, explicit or the scheme's default.
    pub port: u16,
    /// The `Host` header value (`host` or `host:port` when the port is explicit).
    pub host_header: HeaderValue,
    /// `/path?query`, as an HTTP/1 request line wants it.
    pub path: Uri,
}

impl Target {
    /// Parses and checks a target URL; anything but an absolute http(s) URL with a
    /// host is a usage error.
    pub fn parse(given: &str) -> Result<Target> {
        let hint = "give a full URL such as http://localhost:3000/webhooks";
        let url = Url::parse(given.trim())
            .map_err(|e| Error::usage(format!("'{given}' is not a valid URL: {e}")).with_hint(hint))?;
        let tls = match url.scheme() {
            "http" => false,
            "https" => true,
            other => {
                return Err(Error::usage(format!(
                    "'{given}' is not an http:// or https:// URL (scheme '{other}')"
                ))
                .with_hint(hint));
            }
        };
        let host_str = match url.host_str() {
            Some(h) if !h.is_empty() => h.to_string(),
            _ => return Err(Error::usage(format!("'{given}' has no host")).with_hint(hint)),
        };
        // IPv6 literals come bracketed; resolvers want them bare.
        let host = host_str.trim_start_matches('[').trim_end_matches(']').to_string();
        let port = url
            .port_or_known_default()
            .ok_or_else(|| Error::usage(format!("'{given}' has no port")).with_hint(hint))?;
        let host_header = match url.port() {
            Some(p) => format!("{host_str}:{p}"),
            None => host_str.to_string(),
        };
        let host_header = HeaderValue::from_str(&host_header)
            .map_err(|_| Error::usage(format!("'{given}' has a host that cannot be sent")))?;
        let mut path = url.path().to_string();
        if let Some(q) = url.query() {
            path.push('?');
            path.push_str(q);
        }
        let path: Uri =
            path.parse().map_err(|e| Error::usage(format!("'{given}' has an invalid path: {e}")))?;
        Ok(Target { given: given.to_string(), url, tls, host, port, host_header, path })
    }

    /// `host:port` as people write it (IPv6 in brackets).
    pub fn host_port(&self) -> String {
        format!("{}:{}", self.url.host_str().unwrap_or(&self.host), self.port)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_a_url() {
        let t = Target::parse("http://127.0.0.1:3000/hooks/in?x=1").unwrap();
        assert!(!t.tls);
        assert_eq!(t.host, "127.0.0.1");
        assert_eq!(t.port, 3000);
        assert_eq!(t.host_header, "127.0.0.1:3000");
        assert_eq!(t.path, "/hooks/in?x=1");
        assert_eq!(t.host_port(), "127.0.0.1:3000");
    }

    #[test]
    fn default_ports_and_ipv6() {
        let t = Target::parse("https://example.com").unwrap();
        assert!(t.tls);
        assert_eq!(t.port, 443);
        assert_eq!(t.host_header, "example.com");
        assert_eq!(t.path, "/");
        let t = Target::parse("http://[::1]:8080/").unwrap();
        assert_eq!(t.host, "::1");
        assert_eq!(t.host_header, "[::1]:8080");
        assert_eq!(t.host_port(), "[::1]:8080");
    }

    #[test]
    fn rejects_non_http() {
        for bad in ["localhost:3000", "ftp://example.com/", "not a url", "http://", "file:///tmp/x", ""] {
            let e = Target::parse(bad).unwrap_err();
            assert_eq!(e.exit_code(), 2, "{bad}");
        }
    }
}
