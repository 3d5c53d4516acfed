//! Where a request goes: the one target type behind `send-test URL`, `replay
//! --to`, `listen --forward-to` and `--route`. A target is an `http://` or
//! `https://` URL, or a shorthand for a local app: `4000` (→
//! `http://localhost:4000/`), `:4000/path`, `4000/path` and
//! `localhost:4000/path`. It is checked once and split into everything a request
//! reuses (where to connect, the `Host` header, the request line's path, the
//! parsed URL for the TLS client), so nothing is parsed per request.

use std::sync::Arc;

use http::{HeaderValue, Uri};
use reqwest::Url;

use crate::error::{Error, Result};

const HINT: &str = "give a URL like http://localhost:4000/webhooks, or the shorthands 4000 and :4000/path";

/// A validated `http://` or `https://` target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The URL as the user wrote it, with a shorthand expanded (shown in output and JSON).
    pub given: String,
    /// The URL normalised (`forward.url`), formatted once and shared by every request.
    pub url: Arc<str>,
    /// The absolute URL, as a forwarding client wants it.
    pub uri: Uri,
    /// `/path?query`, as an HTTP/1 request line wants it.
    pub path: Uri,
    /// Host to resolve, without IPv6 brackets.
    pub host: String,
    /// Port, explicit or the scheme's default (for the "is your app running on port N?" hint).
    pub port: u16,
    /// The `Host` header value (`host` or `host:port` when the port is explicit).
    pub host_header: HeaderValue,
    /// For an `https://` target, the URL parsed once for the TLS client; `None`
    /// for `http://` (sent through the plain HTTP/1 client).
    pub tls: Option<Url>,
}

/// Expands the shorthands to a full URL (anything with a scheme is kept); `None`
/// for text that is neither. Without a scheme the port must be written: there is
/// no telling which port a bare `example.com` means.
fn expand(s: &str) -> Option<String> {
    if s.contains("://") {
        return Some(s.to_string());
    }
    let is_port = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
    let authority = s.split(['/', '?']).next().unwrap_or_default();
    // A bare port, with or without a path (`4000`, `4000/hooks`): never a numeric host.
    if is_port(authority) {
        Some(format!("http://localhost:{s}"))
    } else if s.starts_with(':') {
        Some(format!("http://localhost{s}"))
    } else {
        match authority.rsplit_once(':') {
            Some((host, port)) if !host.is_empty() && is_port(port) => Some(format!("http://{s}")),
            _ => None,
        }
    }
}

impl Target {
    /// Parses and checks a target given to `flag` (named in errors). Anything but
    /// an http(s) URL with a host and a port from 1 to 65535, or a shorthand for
    /// one, is a usage error.
    pub fn parse(flag: &str, given: &str) -> Result<Target> {
        let trimmed = given.trim();
        let bad = || Error::usage(format!("{flag} '{given}' is not a URL")).with_hint(HINT);
        let full = expand(trimmed).ok_or_else(bad)?;
        let url = Url::parse(&full).map_err(|_| bad())?;
        let tls = match url.scheme() {
            "http" => false,
            "https" => true,
            other => {
                return Err(Error::usage(format!(
                    "{flag} '{given}': cannot send to {other}:// (only http:// and https://)"
                ))
                .with_hint(
                    "give a URL like http://localhost:4000/webhooks or https://staging.example.com/hooks",
                ));
            }
        };
        // Credentials in a target would be sent to it on every request, and shown.
        // The URL is echoed expanded and masked: a shorthand (`user:pw@localhost:4000`)
        // has no `://` for the terminal's own masking to find.
        if !url.username().is_empty() || url.password().is_some() {
            let shown = crate::redact::url_passwords(&full);
            return Err(Error::usage(format!(
                "{flag} '{shown}' holds credentials: they would go to the receiver with every request"
            ))
            .with_hint("leave the user and password out of the URL"));
        }
        let host_str = match url.host_str() {
            Some(h) if !h.is_empty() => h,
            _ => return Err(bad()),
        };
        // IPv6 literals come bracketed; resolvers want them bare.
        let host = host_str.trim_start_matches('[').trim_end_matches(']').to_string();
        let port = url.port_or_known_default().filter(|p| *p != 0).ok_or_else(bad)?;
        let host_header = match url.port() {
            Some(p) => format!("{host_str}:{p}"),
            None => host_str.to_string(),
        };
        let host_header = HeaderValue::from_str(&host_header).map_err(|_| bad())?;
        let path = match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_string(),
        };
        let path: Uri = path.parse().map_err(|_| bad())?;
        let uri: Uri = url.as_str().parse().map_err(|_| bad())?;
        let given = if trimmed.contains("://") { trimmed.to_string() } else { full };
        Ok(Target {
            given,
            url: url.as_str().into(),
            uri,
            path,
            host,
            port,
            host_header,
            tls: tls.then_some(url),
        })
    }

    /// `host:port` as people write it (IPv6 in brackets).
    pub fn host_port(&self) -> String {
        match self.host.contains(':') {
            true => format!("[{}]:{}", self.host, self.port),
            false => format!("{}:{}", self.host, self.port),
        }
    }
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.url)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn parse(s: &str) -> Target {
        Target::parse("--forward-to", s).unwrap_or_else(|e| panic!("{s:?}: {e}"))
    }

    fn target(s: &str) -> String {
        parse(s).to_string()
    }

    #[test]
    fn splits_a_url() {
        let t = parse("http://127.0.0.1:3000/hooks/in?x=1");
        assert_eq!(t.tls, None);
        assert_eq!(t.given, "http://127.0.0.1:3000/hooks/in?x=1");
        assert_eq!(t.host, "127.0.0.1");
        assert_eq!(t.port, 3000);
        assert_eq!(t.host_header, "127.0.0.1:3000");
        assert_eq!(t.path, "/hooks/in?x=1");
        assert_eq!(t.uri, "http://127.0.0.1:3000/hooks/in?x=1");
        assert_eq!(t.host_port(), "127.0.0.1:3000");
    }

    #[test]
    fn default_ports_and_ipv6() {
        let t = parse("https://example.com");
        assert!(t.tls.is_some());
        assert_eq!(t.port, 443);
        assert_eq!(t.host_header, "example.com");
        assert_eq!(t.path, "/");
        assert_eq!(t.given, "https://example.com");
        let t = parse("http://[::1]:8080/");
        assert_eq!(t.host, "::1");
        assert_eq!(t.host_header, "[::1]:8080");
        assert_eq!(t.host_port(), "[::1]:8080");
        assert_eq!(parse("http://example.com/").port, 80);
        assert_eq!(parse("http://[::1]/").port, 80);
        assert_eq!(parse("http://[::1]:81/").port, 81);
    }

    #[test]
    fn shorthands() {
        for (given, shown) in [
            ("4000", "http://localhost:4000/"),
            (":4000/hooks", "http://localhost:4000/hooks"),
            (":4000", "http://localhost:4000/"),
            ("4000/hooks", "http://localhost:4000/hooks"),
            ("localhost:8080/x?y=1", "http://localhost:8080/x?y=1"),
            ("localhost:3000", "http://localhost:3000/"),
            ("http://127.0.0.1:9/a", "http://127.0.0.1:9/a"),
        ] {
            assert_eq!(target(given), shown, "{given}");
        }
        assert_eq!(parse("4000").port, 4000);
        assert_eq!(parse("4000").given, "http://localhost:4000");
        assert_eq!(parse(":4000/hooks").host_header, "localhost:4000");
    }

    #[test]
    fn credentials_are_refused_without_echoing_the_password() {
        for given in ["http://user:hunter2pw@127.0.0.1:9/app", "user:hunter2pw@localhost:4000"] {
            let e = Target::parse("--to", given).unwrap_err();
            assert_eq!(e.exit_code(), 2);
            assert!(e.message().contains("user:***@") && e.message().contains("holds credentials"), "{e:?}");
            assert!(!e.message().contains("hunter2pw"), "{e:?}");
        }
    }

    #[test]
    fn the_scheme_picks_the_client() {
        assert_eq!(parse("http://127.0.0.1:4000/a").tls, None);
        assert_eq!(parse("4000").tls, None);
        let tls = parse("https://staging.example.com");
        assert_eq!(tls.port, 443);
        assert_eq!(tls.to_string(), "https://staging.example.com/");
        assert_eq!(tls.tls.unwrap().as_str(), "https://staging.example.com/");
        let tls = Target::parse("--route", "HTTPS://127.0.0.1:8443/hooks?x=1").unwrap();
        assert_eq!(tls.port, 8443);
        assert_eq!(tls.tls.unwrap().as_str(), "https://127.0.0.1:8443/hooks?x=1");
        let e = Target::parse("--forward-to", "ftp://x/").unwrap_err();
        assert!(e.to_string().contains("only http:// and https://"), "{e}");
    }

    #[test]
    fn bad_targets_are_usage_errors() {
        for bad in [
            "",
            "http://",
            "https://",
            "ftp://x/",
            "ftp://example.com/",
            "file:///tmp/x",
            "not a url",
            "99999",
            "http://a b/",
            ":0",
            "https://u@x/",
            "http://u:p@x/",
            "nope",
            "localhost",
            "example.com/hooks",
            "localhost:/x",
            "mailto:a@b",
        ] {
            let e = Target::parse("--forward-to", bad).unwrap_err();
            assert_eq!(e.exit_code(), 2, "{bad:?}");
            assert!(e.to_string().starts_with("--forward-to '"), "{e}");
        }
    }

    proptest! {
        /// Nothing a user can type makes the parser panic; a failure is always a usage error.
        #[test]
        fn never_panics(s in "\\PC{0,40}") {
            if let Err(e) = Target::parse("--to", &s) {
                prop_assert_eq!(e.exit_code(), 2);
            }
        }

        #[test]
        fn never_panics_on_urlish(s in "(https?://)?[a-z0-9:/?#@\\[\\]%. -]{0,30}") {
            if let Err(e) = Target::parse("--to", &s) {
                prop_assert_eq!(e.exit_code(), 2);
            }
        }

        /// Every shorthand form names the same local app as the URL it stands for.
        #[test]
        fn shorthands_expand_to_localhost(port in 1u16.., path in "(/[a-z0-9_-]{1,8}){0,3}") {
            let full = parse(&format!("http://localhost:{port}{path}"));
            for short in [format!("{port}{path}"), format!(":{port}{path}"), format!("localhost:{port}{path}")] {
                let t = parse(&short);
                prop_assert_eq!(&t.url, &full.url);
                prop_assert_eq!(t.port, port);
                prop_assert_eq!(&t.host, "localhost");
                prop_assert_eq!(&t.path, &full.path);
                prop_assert_eq!(t.tls.clone(), None);
            }
        }

        /// A parsed target's pieces agree with each other, and its URL parses back to the same target.
        #[test]
        fn pieces_agree_and_round_trip(
            https in any::<bool>(),
            host in "[a-z][a-z0-9]{0,10}(\\.[a-z]{2,5})?",
            port in proptest::option::of(1u16..),
            path in "(/[a-zA-Z0-9._~-]{0,8}){0,3}",
            query in proptest::option::of("[a-z0-9=&]{0,10}"),
        ) {
            let scheme = if https { "https" } else { "http" };
            let authority = port.map_or(host.clone(), |p| format!("{host}:{p}"));
            let query = query.map(|q| format!("?{q}")).unwrap_or_default();
            let t = parse(&format!("{scheme}://{authority}{path}{query}"));
            prop_assert_eq!(t.tls.is_some(), https);
            let default = if https { 443 } else { 80 };
            prop_assert_eq!(t.port, port.unwrap_or(default));
            prop_assert_eq!(&t.host, &host);
            prop_assert!(t.path.to_string().starts_with('/'));
            prop_assert!(t.url.ends_with(&t.path.to_string()), "{} / {}", t.url, t.path);
            prop_assert_eq!(t.uri.to_string(), t.url.to_string());
            let again = parse(&t.url);
            prop_assert_eq!(&again.url, &t.url);
            prop_assert_eq!(again.port, t.port);
            prop_assert_eq!(&again.host_header, &t.host_header);
        }
    }
}
