//! The listener's flags validated once, before anything binds: forward targets
//! ([`Target`]: a URL or a shorthand for a local app), routes, event patterns,
//! the path and how signatures are checked. Every problem is a usage error (exit 2).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use http::StatusCode;

use crate::catalog;
use crate::error::{Error, Result};
use crate::send::generator::Signing;
use crate::server::Limits;
use crate::signature::{Scheme, Verifier};
use crate::target::Target;

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

    /// The first forward target that is the listener itself, bound at `bound`,
    /// with the flag that named it.
    pub fn loop_target(&self, bound: SocketAddr) -> Option<(&'static str, &Target)> {
        let routes = self.routes.iter().map(|r| ("--route", &r.target));
        routes.chain(self.forward_to.as_ref().map(|t| ("--forward-to", t))).find(|(_, t)| {
            t.uri.host().is_some_and(|host| crate::server::is_own_address(host, t.port, bound))
        })
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
