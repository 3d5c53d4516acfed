//! The listener's flags validated once, before anything binds: forward targets
//! (`http://` or `https://`, with the `4000` and `:4000/path` shorthands for a
//! local `http://` app), routes, event patterns, the path and how signatures are
//! checked. Every problem is a usage error (exit 2).

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use http::{StatusCode, Uri};

use crate::catalog;
use crate::error::{Error, Result};
use crate::send::generator::Signing;
use crate::server::Limits;
use crate::signature::{Scheme, Verifier};

use super::inspect::store::Bounds;

/// How deliveries are checked.
#[derive(Debug, Clone)]
pub enum VerifyMode {
    /// Check the signature against these secrets (any match is valid).
    Secrets(Verifier),
    /// No secret anywhere: accept everything, shown as unverified.
    NoSecret,
    /// `--skip-verify`: accept everything without looking.
    Skip,
}

/// Where a delivery is forwarded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The full URL requests go to.
    pub uri: Uri,
    /// The same URL as text (shown, and `forward.url`), formatted once and shared by every forward.
    pub url: Arc<str>,
    /// The port (explicit or the scheme's default), for the "is your app running on port N?" hint.
    pub port: u16,
    /// For an `https://` target, the same URL parsed once for the TLS client;
    /// `None` for `http://` (sent through the plain HTTP/1 client).
    pub tls: Option<reqwest::Url>,
}

impl Target {
    /// Parses a `--forward-to`/`--route` URL (`http://` or `https://`), expanding
    /// `4000` to `http://localhost:4000`, and `:4000/path` (or `4000/path`) to
    /// `http://localhost:4000/path`.
    pub fn parse(flag: &str, given: &str) -> Result<Target> {
        let s = given.trim();
        // A bare port, with or without a path (`4000`, `4000/hooks`): never a numeric host.
        let port_part = s.split('/').next().unwrap_or_default();
        let full = if !port_part.is_empty() && port_part.bytes().all(|b| b.is_ascii_digit()) {
            format!("http://localhost:{s}")
        } else if s.starts_with(':') {
            format!("http://localhost{s}")
        } else if !s.contains("://") {
            format!("http://{s}")
        } else {
            s.to_string()
        };
        let bad = || {
            Error::usage(format!("{flag} '{given}' is not a URL")).with_hint(
                "give a URL like http://localhost:4000/webhooks, or the shorthands 4000 and :4000/path",
            )
        };
        let uri: Uri = full.parse().map_err(|_| bad())?;
        let (scheme, default_port) = match uri.scheme_str() {
            Some("http") => ("http", 80),
            Some("https") => ("https", 443),
            Some(other) => {
                return Err(Error::usage(format!(
                    "{flag} '{given}': cannot forward to {other}:// (only http:// and https://)"
                ))
                .with_hint(
                    "give a URL like http://localhost:4000/webhooks or https://staging.example.com/hooks",
                ));
            }
            None => return Err(bad()),
        };
        let authority = uri.authority().ok_or_else(bad)?;
        if authority.host().is_empty() || authority.as_str().contains('@') {
            return Err(bad());
        }
        // `Authority::port` hides a port that is out of range, so read it from the text.
        let text = authority.as_str();
        let port = match text.rsplit_once(':') {
            Some((_, p)) if !text.ends_with(']') => {
                p.parse::<u16>().ok().filter(|p| *p != 0).ok_or_else(bad)?
            }
            _ => default_port,
        };
        let uri = if uri.path_and_query().is_none() {
            Uri::builder()
                .scheme(scheme)
                .authority(authority.clone())
                .path_and_query("/")
                .build()
                .map_err(|_| bad())?
        } else {
            uri
        };
        let url: Arc<str> = uri.to_string().into();
        let tls = match scheme {
            "https" => Some(reqwest::Url::parse(&url).map_err(|_| bad())?),
            _ => None,
        };
        Ok(Target { uri, url, port, tls })
    }
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.url)
    }
}

/// `--route PATTERN=URL`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    /// Event pattern (exact name, `type.*` or `*`).
    pub pattern: String,
    /// Where matching events go.
    pub target: Target,
}

impl Route {
    /// Parses and validates `PATTERN=URL`.
    pub fn parse(given: &str) -> Result<Route> {
        let Some((pattern, url)) = given.split_once('=') else {
            return Err(Error::usage(format!("--route '{given}' must look like PATTERN=URL"))
                .with_hint("for example --route 'lead.*=http://localhost:4000/leads'"));
        };
        let pattern = pattern.trim();
        catalog::validate_pattern(pattern)?;
        Ok(Route { pattern: pattern.to_string(), target: Target::parse("--route", url)? })
    }
}

/// `--inspect`: where the inspector listens, what it keeps, how it re-signs.
#[derive(Debug, Clone)]
pub struct Inspect {
    /// `--inspect-port` (`None`: 4040, or the next free port up to 4049).
    pub port: Option<u16>,
    /// `--inspect-limit` and `--inspect-memory`.
    pub bounds: Bounds,
    /// Signs edited replays with the listener's first secret, in its `--scheme`
    /// (`None` without a secret).
    pub signer: Option<Signing>,
}

/// Everything the listener needs, validated.
#[derive(Debug, Clone)]
pub struct Options {
    /// Address to bind (host as given; resolved when binding).
    pub host: String,
    /// Port to bind (0: any free port).
    pub port: u16,
    /// Only this path is served (others get 404).
    pub path: Option<String>,
    /// How signatures are checked.
    pub verify: VerifyMode,
    /// Whose deliveries these are: where the event name and id are read from.
    pub scheme: Scheme,
    /// Event patterns to show and forward (empty: all).
    pub events: Vec<String>,
    /// Routes, first match wins.
    pub routes: Vec<Route>,
    /// The fallback forward target.
    pub forward_to: Option<Target>,
    /// Deadline of one forwarded request.
    pub forward_timeout: Duration,
    /// NDJSON file to append to.
    pub save: Option<PathBuf>,
    /// Status for accepted deliveries that are not forwarded.
    pub respond_status: Option<StatusCode>,
    /// Wait before answering accepted deliveries.
    pub respond_delay: Option<Duration>,
    /// Answer 500 to the first N attempts of each event id.
    pub fail_first: u32,
    /// Reject payload timestamps older than this.
    pub tolerance: Option<Duration>,
    /// Largest body accepted.
    pub max_body: u64,
    /// Stop (exit 0) after this many accepted events.
    pub max_events: Option<u64>,
    /// Stop after this long (exit 1 when `max_events` was not reached).
    pub timeout: Option<Duration>,
    /// Answer repeated event ids with `Already processed`.
    pub dedupe: bool,
    /// NDJSON on stdout instead of human blocks.
    pub json: bool,
    /// Read timeout and connection cap.
    pub limits: Limits,
    /// The web inspector, when `--inspect`.
    pub inspect: Option<Inspect>,
}

impl Options {
    /// Whether anything is forwarded at all.
    pub fn forwards(&self) -> bool {
        self.forward_to.is_some() || !self.routes.is_empty()
    }

    /// Every forward target: the routes', then `--forward-to`.
    pub fn targets(&self) -> impl Iterator<Item = &Target> {
        self.routes.iter().map(|r| &r.target).chain(self.forward_to.as_ref())
    }

    /// The target for a delivery holding these events: the first route that
    /// matches any of them, else `--forward-to`.
    pub fn target_for<'a, I>(&self, events: I) -> Option<&Target>
    where
        I: IntoIterator<Item = &'a str> + Clone,
    {
        self.routes
            .iter()
            .find(|r| events.clone().into_iter().any(|e| catalog::matches(&r.pattern, e)))
            .map(|r| &r.target)
            .or(self.forward_to.as_ref())
    }

    /// Whether `--events` lets this event through.
    pub fn shows(&self, event: &str) -> bool {
        self.events.is_empty() || catalog::matches_any(&self.events, event)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(s: &str) -> String {
        Target::parse("--forward-to", s).unwrap().to_string()
    }

    #[test]
    fn shorthands() {
        assert_eq!(target("4000"), "http://localhost:4000/");
        assert_eq!(target(":4000/hooks"), "http://localhost:4000/hooks");
        assert_eq!(target(":4000"), "http://localhost:4000/");
        assert_eq!(target("4000/hooks"), "http://localhost:4000/hooks");
        assert_eq!(target("localhost:8080/x?y=1"), "http://localhost:8080/x?y=1");
        assert_eq!(target("http://127.0.0.1:9/a"), "http://127.0.0.1:9/a");
        assert_eq!(Target::parse("--forward-to", "4000").unwrap().port, 4000);
        assert_eq!(Target::parse("--forward-to", "http://example.com/").unwrap().port, 80);
        assert_eq!(Target::parse("--forward-to", "http://[::1]/").unwrap().port, 80);
        assert_eq!(Target::parse("--forward-to", "http://[::1]:81/").unwrap().port, 81);
    }

    #[test]
    fn the_scheme_picks_the_client() {
        let plain = Target::parse("--forward-to", "http://127.0.0.1:4000/a").unwrap();
        assert_eq!(plain.tls, None);
        assert_eq!(Target::parse("--forward-to", "4000").unwrap().tls, None);
        let tls = Target::parse("--forward-to", "https://staging.example.com").unwrap();
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
        for bad in ["", "http://", "https://", "ftp://x/", "99999", "http://a b/", ":0", "https://u@x/"] {
            let e = Target::parse("--forward-to", bad).unwrap_err();
            assert_eq!(e.exit_code(), 2, "{bad:?}");
        }
    }

    #[test]
    fn routes() {
        let r = Route::parse("lead.*=:4000/leads").unwrap();
        assert_eq!(r.pattern, "lead.*");
        assert_eq!(r.target.to_string(), "http://localhost:4000/leads");
        assert_eq!(Route::parse("lead.*").unwrap_err().exit_code(), 2);
        let e = Route::parse("lead.creatd=4000").unwrap_err();
        assert_eq!(e.exit_code(), 2);
        assert!(e.hint().unwrap().contains("lead.created"));
        assert_eq!(Route::parse("lead.*=ftp://x").unwrap_err().exit_code(), 2);
        let r = Route::parse("lead.*=https://staging.example.com/leads").unwrap();
        assert!(r.target.tls.is_some());
    }
}
