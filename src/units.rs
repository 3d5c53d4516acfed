//! Parsers for the values flags take: durations, sizes, rates, scales, counts,
//! headers and retry schedules, one function per kind of value. Each returns a
//! message clap prints as a usage error (exit 2). Also how durations are shown.

use std::time::Duration;

use crate::retry::Schedule;
use crate::wire;

/// A duration: humantime (`5s`, `250ms`, `2m`, `1h 30m`) or a bare number of seconds.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let t = s.trim();
    if let Ok(secs) = t.parse::<f64>() {
        return Duration::try_from_secs_f64(secs)
            .map_err(|_| format!("'{s}' is not a duration (try 5s, 250ms, 2m)"));
    }
    humantime::parse_duration(t).map_err(|_| format!("'{s}' is not a duration (try 5s, 250ms, 2m)"))
}

/// A duration from `lo` to `hi`, both included, with the range in the message.
fn duration_within(s: &str, lo: Duration, hi: Duration) -> Result<Duration, String> {
    let d = parse_duration(s)?;
    if d < lo || d > hi {
        return Err(format!(
            "'{s}' is out of range: give {} to {}",
            humantime::format_duration(lo),
            humantime::format_duration(hi)
        ));
    }
    Ok(d)
}

/// `--read-timeout`: 1ms to 1h.
pub fn parse_read_timeout(s: &str) -> Result<Duration, String> {
    duration_within(s, Duration::from_millis(1), Duration::from_secs(3600))
}

/// `--retain`: 0 (keep everything) to 100 years.
pub fn parse_retain(s: &str) -> Result<Duration, String> {
    duration_within(s, Duration::ZERO, Duration::from_secs(100 * 365 * 86_400))
}

/// A comma-separated retry schedule such as `0,5s,30s,2m,10m,1h`.
pub fn parse_schedule(s: &str) -> Result<Schedule, String> {
    let waits = s.split(',').map(|part| parse_duration(part.trim())).collect::<Result<Vec<_>, _>>()?;
    if waits.is_empty() {
        return Err("the retry schedule needs at least one entry".into());
    }
    Ok(Schedule(waits))
}

/// A size such as `1MiB`, `512KB`, `65536`.
pub fn parse_size(s: &str) -> Result<u64, String> {
    s.trim()
        .parse::<bytesize::ByteSize>()
        .map(|b| b.as_u64())
        .map_err(|_| format!("'{s}' is not a size (try 1MiB, 512KiB, 65536)"))
}

/// A rate in events per second: a positive, finite number.
pub fn parse_rate(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(r) if r.is_finite() && r > 0.0 => Ok(r),
        _ => Err(format!("'{s}' is not a rate: give events per second, above 0")),
    }
}

/// A time scale: a finite number, zero or more.
pub fn parse_scale(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(f) if f.is_finite() && f >= 0.0 => Ok(f),
        _ => Err(format!("'{s}' is not a time scale: give a number, 0 or more")),
    }
}

/// A whole number of at least 1.
pub fn parse_positive_u64(s: &str) -> Result<u64, String> {
    match s.trim().parse::<u64>() {
        Ok(n) if n >= 1 => Ok(n),
        _ => Err(format!("'{s}' must be a whole number of at least 1")),
    }
}

/// A whole number of at least 1.
pub fn parse_positive_usize(s: &str) -> Result<usize, String> {
    parse_positive_u64(s).and_then(|n| usize::try_from(n).map_err(|_| format!("'{s}' is too large")))
}

/// A header `K: V`. Names must be valid HTTP tokens; values valid header values;
/// the names in [`wire::RESERVED_HEADERS`] (the signature, Content-Type, framing
/// and connection headers) are refused.
pub fn parse_header(s: &str) -> Result<(String, String), String> {
    let (name, value) = parse_received_header(s)?;
    if wire::is_reserved_header(&name) {
        return Err(format!("header '{name}' is set by scopien-hooks and cannot be overridden"));
    }
    Ok((name, value))
}

/// A header `K: V` as a request carried it (`verify -H`): any valid name,
/// signature headers included.
pub fn parse_received_header(s: &str) -> Result<(String, String), String> {
    let Some((name, value)) = s.split_once(':') else {
        return Err(format!("header '{s}' must look like 'Name: value'"));
    };
    let name = name.trim();
    let value = value.trim();
    if http::HeaderName::from_bytes(name.as_bytes()).is_err() {
        return Err(format!("'{name}' is not a valid header name"));
    }
    if http::HeaderValue::from_str(value).is_err() {
        return Err(format!("the value of header '{name}' has characters a header cannot carry"));
    }
    Ok((name.to_string(), value.to_string()))
}

/// The last second of year 9999, the latest time any flag may name.
const MAX_UNIX_SECONDS: u64 = 253_402_300_799;

/// Unix seconds, from 0 to the end of year 9999.
pub fn parse_unix_seconds(s: &str) -> Result<u64, String> {
    match s.trim().parse::<u64>() {
        Ok(n) if n <= MAX_UNIX_SECONDS => Ok(n),
        _ => Err(format!("'{s}' is not Unix seconds from 0 to {MAX_UNIX_SECONDS} (the end of year 9999)")),
    }
}

/// Formats a duration for people: `850 ms`, `1.2 s`, `2m 5s`.
pub fn human_duration(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1000.0;
    if ms < 1.0 {
        format!("{ms:.2} ms")
    } else if ms < 1000.0 {
        format!("{ms:.0} ms")
    } else if ms < 60_000.0 {
        format!("{:.1} s", ms / 1000.0)
    } else {
        humantime::format_duration(Duration::from_secs(d.as_secs())).to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("5s").unwrap(), Duration::from_secs(5));
        assert_eq!(parse_duration("250ms").unwrap(), Duration::from_millis(250));
        assert_eq!(parse_duration("2m").unwrap(), Duration::from_secs(120));
        assert_eq!(parse_duration("0").unwrap(), Duration::ZERO);
        assert_eq!(parse_duration("1.5").unwrap(), Duration::from_millis(1500));
        assert!(parse_duration("soon").is_err());
        assert!(parse_duration("-1").is_err());
    }

    #[test]
    fn bounded_durations() {
        assert_eq!(parse_read_timeout("10s").unwrap(), Duration::from_secs(10));
        assert!(parse_read_timeout("0").unwrap_err().contains("1ms to 1h"));
        assert!(parse_read_timeout("2h").is_err());
        assert_eq!(parse_retain("0").unwrap(), Duration::ZERO);
        assert_eq!(parse_retain("7d").unwrap(), Duration::from_secs(7 * 86_400));
        assert!(parse_retain("1000000000h").is_err());
    }

    #[test]
    fn schedule_default_matches_docs() {
        let s = parse_schedule("0,5s,30s,2m,10m,1h").unwrap();
        assert_eq!(s, Schedule::default());
        assert!(parse_schedule("0,,5s").is_err());
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_size("1MiB").unwrap(), 1024 * 1024);
        assert_eq!(parse_size("64KiB").unwrap(), 65536);
        assert_eq!(parse_size("100").unwrap(), 100);
        assert!(parse_size("lots").is_err());
    }

    #[test]
    fn headers() {
        assert_eq!(parse_header("X-Env: staging").unwrap(), ("X-Env".into(), "staging".into()));
        assert_eq!(parse_header("Authorization:Bearer a:b").unwrap().1, "Bearer a:b");
        assert!(parse_header("no colon").is_err());
        assert!(parse_header("bad name: v").is_err());
        assert!(parse_header("Content-Type: text/plain").is_err());
        assert!(parse_header("x-scopien-signature: x").is_err());
        assert_eq!(parse_received_header("X-Scopien-Signature: sha256=ab").unwrap().1, "sha256=ab");
        assert!(parse_received_header("no colon").is_err());
    }

    #[test]
    fn unix_seconds() {
        assert_eq!(parse_unix_seconds("1614265330").unwrap(), 1614265330);
        assert_eq!(parse_unix_seconds("0").unwrap(), 0);
        assert!(parse_unix_seconds("-1").is_err());
        assert!(parse_unix_seconds("253402300800").is_err());
        assert!(parse_unix_seconds("soon").is_err());
    }

    #[test]
    fn numbers() {
        assert!(parse_positive_u64("0").is_err());
        assert_eq!(parse_positive_u64("3").unwrap(), 3);
        assert!(parse_rate("0").is_err());
        assert!(parse_rate("inf").is_err());
        assert!(parse_scale("-1").is_err());
        assert_eq!(parse_scale("0.01").unwrap(), 0.01);
    }
}
