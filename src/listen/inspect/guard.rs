//! Who may talk to the inspector. Every request must name it in `Host` (a
//! loopback name and its own port): a site the user visits that re-points its
//! own name at 127.0.0.1 (DNS rebinding) sends its own name, and is refused.
//! A state change (`POST`, `DELETE`) must also carry a JSON body type, which a
//! plain cross-site form cannot, and, when the browser says where it comes
//! from (`Origin`), come from the inspector's own page.

use http::{HeaderMap, Method, header};

/// Why a request is refused (403).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// `Host` is missing, not a loopback name, or another port.
    Host,
    /// A state change without `Content-Type: application/json`.
    ContentType,
    /// A state change from another origin.
    Origin,
}

impl Refusal {
    /// The message of the 403.
    pub fn message(self) -> &'static str {
        match self {
            Refusal::Host => "the inspector answers only to 127.0.0.1, localhost or [::1] with its own port",
            Refusal::ContentType => "a request that changes something must be Content-Type: application/json",
            Refusal::Origin => "a request that changes something must come from the inspector's own page",
        }
    }
}

/// Whether `host[:port]` is a loopback name with exactly `port`.
pub fn loopback_authority(value: &str, port: u16) -> bool {
    let Some((host, p)) = value.rsplit_once(':') else { return false };
    if p.parse::<u16>().ok() != Some(port) {
        return false;
    }
    host == "127.0.0.1" || host == "[::1]" || host.eq_ignore_ascii_case("localhost")
}

/// Checks one request's method and headers against the rules above.
pub fn check(method: &Method, headers: &HeaderMap, port: u16) -> Result<(), Refusal> {
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or_default();
    if !loopback_authority(host, port) {
        return Err(Refusal::Host);
    }
    if method == Method::GET || method == Method::HEAD {
        return Ok(());
    }
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("application/json"));
    if !json {
        return Err(Refusal::ContentType);
    }
    if let Some(origin) = headers.get(header::ORIGIN) {
        let own = origin
            .to_str()
            .ok()
            .and_then(|o| o.strip_prefix("http://"))
            .is_some_and(|rest| loopback_authority(rest, port));
        if !own {
            return Err(Refusal::Origin);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::listen::record::tests::header_map as headers;

    #[test]
    fn host_must_be_loopback_with_the_port() {
        for ok in ["127.0.0.1:4040", "localhost:4040", "LOCALHOST:4040", "[::1]:4040"] {
            assert_eq!(check(&Method::GET, &headers(&[("host", ok)]), 4040), Ok(()), "{ok}");
        }
        for bad in
            ["", "127.0.0.1", "127.0.0.1:4041", "evil.example:4040", "127.0.0.2:4040", "localhost.evil:4040"]
        {
            let h = if bad.is_empty() { HeaderMap::new() } else { headers(&[("host", bad)]) };
            assert_eq!(check(&Method::GET, &h, 4040), Err(Refusal::Host), "{bad}");
        }
    }

    #[test]
    fn changes_need_json_and_the_own_origin() {
        let host = ("host", "127.0.0.1:4040");
        let json = ("content-type", "application/json; charset=utf-8");
        assert_eq!(check(&Method::POST, &headers(&[host, json]), 4040), Ok(()));
        assert_eq!(check(&Method::DELETE, &headers(&[host]), 4040), Err(Refusal::ContentType));
        assert_eq!(
            check(&Method::POST, &headers(&[host, ("content-type", "text/plain")]), 4040),
            Err(Refusal::ContentType)
        );
        for ok in ["http://127.0.0.1:4040", "http://localhost:4040"] {
            assert_eq!(check(&Method::POST, &headers(&[host, json, ("origin", ok)]), 4040), Ok(()), "{ok}");
        }
        for bad in ["http://evil.example", "null", "https://127.0.0.1:4040", "http://127.0.0.1:4041"] {
            assert_eq!(
                check(&Method::POST, &headers(&[host, json, ("origin", bad)]), 4040),
                Err(Refusal::Origin),
                "{bad}"
            );
        }
    }
}
