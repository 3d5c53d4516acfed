//! The headers every request of a run carries, built once: `Host`,
//! `Content-Type: application/json`, `User-Agent: scopien-hooks/<version>` and the
//! user's `-H` headers. The signature is added per request; `-H` cannot set it,
//! Content-Type, `Host` or the framing headers ([`crate::wire::RESERVED_HEADERS`],
//! refused when the flag is parsed), but may replace User-Agent.

use std::collections::HashSet;

use http::header::{CONTENT_TYPE, HOST, USER_AGENT};
use http::{HeaderMap, HeaderName, HeaderValue};

use crate::error::{Error, Result};

use crate::target::Target;

/// `scopien-hooks/<version>`.
pub const USER_AGENT_VALUE: &str = concat!("scopien-hooks/", env!("CARGO_PKG_VERSION"));

/// The headers of a run, as a map for sending and as a list for `curl`.
#[derive(Debug, Clone)]
pub struct RunHeaders {
    /// Everything but the signature, `Host` included.
    pub map: HeaderMap,
    /// Name and value in sending order, without `Host` unless the user set it.
    pub list: Vec<(String, String)>,
}

/// Builds the run's headers from the `-H` values (already checked by the parser).
pub fn build(target: &Target, custom: &[(String, String)]) -> Result<RunHeaders> {
    let mut map = HeaderMap::with_capacity(4 + custom.len());
    map.insert(HOST, target.host_header.clone());
    map.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    map.insert(USER_AGENT, HeaderValue::from_static(USER_AGENT_VALUE));
    let mut list = vec![
        ("Content-Type".to_string(), "application/json".to_string()),
        ("User-Agent".to_string(), USER_AGENT_VALUE.to_string()),
    ];
    let mut seen: HashSet<HeaderName> = HashSet::new();
    for (name, value) in custom {
        let header = HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| Error::usage(format!("'{name}' is not a valid header name")))?;
        let val = HeaderValue::from_str(value)
            .map_err(|_| Error::usage(format!("the value of header '{name}' cannot be sent")))?;
        if seen.insert(header.clone()) {
            // The first -H of a name replaces a default (User-Agent).
            if map.contains_key(&header) {
                list.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
            }
            map.insert(header, val);
        } else {
            map.append(header, val);
        }
        list.push((name.clone(), value.clone()));
    }
    Ok(RunHeaders { map, list })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_custom() {
        let t = Target::parse("target", "http://127.0.0.1:9/").unwrap();
        let h = build(&t, &[("X-Env".into(), "a".into()), ("x-env".into(), "b".into())]).unwrap();
        assert_eq!(h.map["content-type"], "application/json");
        assert_eq!(h.map["user-agent"], USER_AGENT_VALUE);
        assert_eq!(h.map["host"], "127.0.0.1:9");
        let envs: Vec<_> = h.map.get_all("x-env").iter().collect();
        assert_eq!(envs, ["a", "b"]);
        assert_eq!(h.list.len(), 4);
    }

    #[test]
    fn user_agent_can_be_replaced() {
        let t = Target::parse("target", "http://127.0.0.1:9/").unwrap();
        let h = build(&t, &[("User-Agent".into(), "mine/1".into())]).unwrap();
        assert_eq!(h.map.get_all("user-agent").iter().count(), 1);
        assert_eq!(h.map["user-agent"], "mine/1");
        assert_eq!(h.list.iter().filter(|(n, _)| n.eq_ignore_ascii_case("user-agent")).count(), 1);
    }
}
