//! Checks made before any request: webhook URLs, event patterns, filters. Every
//! failure is a usage error (exit 2) and nothing is sent.

use std::collections::BTreeMap;
use std::net::IpAddr;

use reqwest::Url;
use reqwest::header::HeaderName;
use serde_json::{Map, Value};

use crate::catalog;
use crate::error::{Error, Result};

/// Checks a webhook endpoint URL: `https://`, or `http://` on a loopback host
/// (127.0.0.0/8, ::1, localhost) or with `--allow-http`.
pub fn check_url(url: &str, allow_http: bool) -> Result<()> {
    url_problem(url, allow_http).map_or(Ok(()), |msg| {
        let err = Error::usage(msg);
        Err(if url.starts_with("http://") {
            err.with_hint("pass --allow-http to use plain http anyway")
        } else {
            err
        })
    })
}

/// Why a URL is refused, if it is (also used to validate prompt input).
pub fn url_problem(url: &str, allow_http: bool) -> Option<String> {
    let parsed = match Url::parse(url.trim()) {
        Ok(u) => u,
        Err(e) => return Some(format!("'{url}' is not a valid URL ({e})")),
    };
    let Some(host) = parsed.host_str().filter(|h| !h.is_empty()) else {
        return Some(format!("'{url}' has no host"));
    };
    match parsed.scheme() {
        "https" => None,
        "http" if allow_http || is_loopback(host) => None,
        "http" => Some(format!("'{url}' must use https:// (plain http is only allowed for loopback hosts)")),
        other => Some(format!("'{url}' must be an https:// URL, not {other}://")),
    }
}

/// `host_str` form: IPv6 addresses arrive in brackets.
fn is_loopback(host: &str) -> bool {
    match host.trim_start_matches('[').trim_end_matches(']').parse::<IpAddr>() {
        Ok(ip) => ip.is_loopback(),
        Err(_) => host.eq_ignore_ascii_case("localhost"),
    }
}

/// Checks event patterns against the catalog; an empty list is refused.
pub fn check_events(events: &[String]) -> Result<()> {
    if events.is_empty() {
        return Err(Error::usage("at least one event is needed"));
    }
    catalog::validate_patterns(events)
}

/// `-H 'K: V'` pairs (already checked by clap) as a map; a repeated name is refused
/// rather than silently keeping one of the values.
pub fn header_map(headers: &[(String, String)]) -> Result<BTreeMap<String, String>> {
    let mut map: BTreeMap<String, String> = BTreeMap::new();
    let mut seen: Vec<HeaderName> = Vec::new();
    for (k, v) in headers {
        let name = HeaderName::from_bytes(k.as_bytes())
            .map_err(|_| Error::usage(format!("'{k}' is not a valid header name")))?;
        if seen.contains(&name) {
            return Err(Error::usage(format!("header '{k}' is given twice")));
        }
        seen.push(name);
        map.insert(k.clone(), v.clone());
    }
    Ok(map)
}

/// `--filter K=V` values as the `filters` object. V is JSON when it parses as
/// JSON (numbers, booleans, arrays…), else a string; a repeated key collects its
/// values into a list (array values are spread into it).
pub fn parse_filters(filters: &[String]) -> Result<Map<String, Value>> {
    let mut map = Map::new();
    let mut repeated: Vec<String> = Vec::new();
    for f in filters {
        let Some((key, raw)) = f.split_once('=') else {
            return Err(Error::usage(format!("filter '{f}' must look like KEY=VALUE")));
        };
        let key = key.trim();
        if key.is_empty() {
            return Err(Error::usage(format!("filter '{f}' has no key")));
        }
        let value = serde_json::from_str::<Value>(raw).unwrap_or_else(|_| Value::String(raw.to_string()));
        if (key.ends_with("_greater_than") || key.ends_with("_less_than")) && !value.is_number() {
            return Err(Error::usage(format!("filter '{f}' compares, so its value must be a number")));
        }
        match map.get_mut(key) {
            None => {
                map.insert(key.to_string(), value);
            }
            Some(existing) => {
                if !repeated.iter().any(|k| k == key) {
                    repeated.push(key.to_string());
                    if !existing.is_array() {
                        *existing = Value::Array(vec![existing.take()]);
                    }
                }
                let list = existing.as_array_mut().expect("made a list above");
                match value {
                    Value::Array(items) => list.extend(items),
                    v => list.push(v),
                }
            }
        }
    }
    Ok(map)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn urls() {
        assert!(check_url("https://example.com/hook", false).is_ok());
        assert!(check_url("http://127.0.0.1:3000/x", false).is_ok());
        assert!(check_url("http://127.8.9.1/x", false).is_ok());
        assert!(check_url("http://localhost:3000", false).is_ok());
        assert!(check_url("http://[::1]:3000", false).is_ok());
        let e = check_url("http://example.com", false).unwrap_err();
        assert_eq!(e.exit_code(), 2);
        assert!(e.hint().unwrap().contains("--allow-http"));
        assert!(check_url("http://example.com", true).is_ok());
        assert!(check_url("ftp://example.com", true).is_err());
        assert!(check_url("example.com", false).is_err());
        assert!(check_url("https://", false).is_err());
        assert!(check_url("http://localhost.evil.com", false).is_err());
    }

    #[test]
    fn events() {
        assert!(check_events(&["lead.*".into(), "case.closed".into()]).is_ok());
        assert!(check_events(&[]).is_err());
        assert_eq!(check_events(&["lead.craeted".into()]).unwrap_err().exit_code(), 2);
    }

    #[test]
    fn filters() {
        let m = parse_filters(&[
            "amount_greater_than=50000".into(),
            "stage=Negotiation".into(),
            "stage=Closed Won".into(),
            "vip=true".into(),
            "tags=[\"a\",\"b\"]".into(),
            "tags=c".into(),
            "note=a=b".into(),
        ])
        .unwrap();
        assert_eq!(
            Value::Object(m),
            json!({"amount_greater_than": 50000, "stage": ["Negotiation", "Closed Won"], "vip": true,
                   "tags": ["a", "b", "c"], "note": "a=b"})
        );
        assert!(parse_filters(&["novalue".into()]).is_err());
        assert!(parse_filters(&["=1".into()]).is_err());
        assert_eq!(parse_filters(&["amount_greater_than=big".into()]).unwrap_err().exit_code(), 2);
        assert!(parse_filters(&["amount_less_than=10.5".into()]).is_ok());
    }

    #[test]
    fn headers() {
        let m = header_map(&[("X-Env".into(), "staging".into())]).unwrap();
        assert_eq!(m.get("X-Env").unwrap(), "staging");
        assert!(header_map(&[("X-A".into(), "1".into()), ("x-a".into(), "2".into())]).is_err());
    }
}
