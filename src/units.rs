//! Parsers for the values flags take: durations, sizes, rates, scales, counts,
//! ports, statuses, headers and retry schedules, one function per kind of value.
//!
//! Every number and duration is checked here, once, against the range its flag
//! allows, before any work starts: zero where it means nothing, negative, NaN,
//! infinite and absurdly large values are refused with the range in the message,
//! which clap prints after the flag's name as a usage error (exit 2). Ranges stay
//! far from the year 9999, where RFC 3339 and the clocks end, so that the time
//! arithmetic downstream cannot overflow. Also how durations are shown.

use std::time::Duration;

use crate::retry::Schedule;
use crate::wire;

/// The longest duration any flag takes: 100 years (humantime's `100y`, of
/// 365.25 days). Now plus this, or now plus a scaled retry schedule held to it,
/// stays far from year 9999.
pub const MAX_DURATION: Duration = Duration::from_secs(3_155_760_000);
const MAX_DURATION_TEXT: &str = "100y";

/// The most events one run sends or waits for (`--count`, `--max-events`).
pub const MAX_COUNT: u64 = 1_000_000_000;
/// The most requests in flight at once (`--concurrency`).
pub const MAX_CONCURRENCY: u64 = 10_000;
/// The most events in one request (`send-test --batch`).
pub const MAX_BATCH: u64 = 1_000_000;
/// The most waits a retry schedule lists.
pub const MAX_ATTEMPTS: usize = 100;
/// The slowest and fastest `--rate`, in events per second.
pub const RATE_RANGE: (f64, f64) = (0.0001, 1_000_000.0);
/// The smallest and largest `--time-scale`. Zero is refused like every other zero
/// that means nothing; a millionth already makes the docs' hour-long schedule 4 ms.
pub const TIME_SCALE_RANGE: (f64, f64) = (0.000001, 1_000_000.0);
/// The largest size a flag takes (`--max-body`).
pub const MAX_SIZE: u64 = 4 << 30;
/// The most first attempts `--fail-first` refuses per event.
pub const MAX_FAIL_FIRST: u64 = 1_000_000;
/// The largest per-webhook `--max-rate`, in events per second.
pub const MAX_RATE_CAP: u64 = 1_000_000;
/// The most webhooks or deliveries asked of the API per page (`--limit`).
pub const MAX_PAGE: u64 = 100;
/// The most events in one emulator batch (`--max-batch-size`).
pub const MAX_BATCH_SIZE: u64 = 100;
/// The most requests the inspector keeps (`--inspect-limit`).
pub const MAX_INSPECT_LIMIT: u64 = 1_000_000;
/// The most simultaneous connections a server takes (`--max-connections`).
pub const MAX_CONNECTIONS: u64 = 1_000_000;

/// A duration that may be nothing: humantime (`5s`, `250ms`, `2m`, `1h 30m`) or a
/// bare number of seconds, from 0 to 100y ([`MAX_DURATION`]): `--respond-delay`,
/// retry schedule entries, `--retain` (0 keeps everything).
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    duration_in(s, Duration::ZERO, MAX_DURATION)
}

/// A deadline: from 1ms to 100y (`--timeout`, `--forward-timeout`,
/// `--delivery-timeout`). Zero would fail everything at once.
pub fn parse_timeout(s: &str) -> Result<Duration, String> {
    duration_in(s, Duration::from_millis(1), MAX_DURATION)
}

/// An age limit on timestamps, which have whole seconds: from 1s to 100y (`--tolerance`).
pub fn parse_tolerance(s: &str) -> Result<Duration, String> {
    duration_in(s, Duration::from_secs(1), MAX_DURATION)
}

/// Time between polls of the API: from 10ms to 100y (`deliveries --interval`).
pub fn parse_interval(s: &str) -> Result<Duration, String> {
    duration_in(s, Duration::from_millis(10), MAX_DURATION)
}

/// `--read-timeout`: from 1ms to 1h (a request taking longer to arrive is stalled).
pub fn parse_read_timeout(s: &str) -> Result<Duration, String> {
    duration_in(s, Duration::from_millis(1), Duration::from_secs(3600))
}

/// `--retain`: from 0 (keep everything) to 100y.
pub fn parse_retain(s: &str) -> Result<Duration, String> {
    duration_in(s, Duration::ZERO, MAX_DURATION)
}

/// A duration from `min` to `max`, both included, with the range in the message.
fn duration_in(s: &str, min: Duration, max: Duration) -> Result<Duration, String> {
    let t = s.trim();
    let parsed = match t.parse::<f64>() {
        Ok(secs) => Duration::try_from_secs_f64(secs).ok(),
        Err(_) => humantime::parse_duration(t).ok(),
    };
    match parsed {
        Some(d) if (min..=max).contains(&d) => Ok(d),
        _ => Err(format!("give a duration from {} to {} (like 5s, 250ms or 2m)", show(min), show(max))),
    }
}

/// A range end as the parser reads it back: `0`, `1ms`, `1h`, `100y`.
fn show(d: Duration) -> String {
    match d {
        Duration::ZERO => "0".into(),
        MAX_DURATION => MAX_DURATION_TEXT.into(),
        _ => humantime::format_duration(d).to_string(),
    }
}

/// A comma-separated retry schedule such as `0,5s,30s,2m,10m,1h`: 1 to 100
/// waits, each from 0 to 100y.
pub fn parse_schedule(s: &str) -> Result<Schedule, String> {
    let waits = s
        .split(',')
        .map(|part| {
            parse_duration(part).map_err(|_| {
                format!(
                    "'{}' is not a wait: each entry is a duration from 0 to {MAX_DURATION_TEXT}",
                    part.trim()
                )
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    if waits.len() > MAX_ATTEMPTS {
        return Err(format!("give 1 to {MAX_ATTEMPTS} waits (this list has {})", waits.len()));
    }
    Ok(Schedule(waits))
}

/// A size such as `1MiB`, `512KB`, `65536`: from 1B to 4GiB (`--max-body`, `--inspect-memory`).
pub fn parse_size(s: &str) -> Result<u64, String> {
    size_in(s, 1, MAX_SIZE)
}

/// A size from `min` to `max` bytes, both included, with the range in the message.
fn size_in(s: &str, min: u64, max: u64) -> Result<u64, String> {
    match s.trim().parse::<bytesize::ByteSize>().map(|b| b.as_u64()) {
        Ok(n) if (min..=max).contains(&n) => Ok(n),
        _ => Err(format!(
            "give a size from {} to {} (bytes, or with a unit: KiB, MiB, GiB)",
            show_size(min),
            show_size(max)
        )),
    }
}

/// A range end as the parser reads it back: `1B`, `4MiB`, `4GiB`.
fn show_size(n: u64) -> String {
    let unit = ["GiB", "MiB", "KiB"]
        .into_iter()
        .zip([30, 20, 10])
        .find(|(_, shift)| n >= 1 << shift && n.is_multiple_of(1 << shift));
    match unit {
        Some((name, shift)) => format!("{}{name}", n >> shift),
        None => format!("{n}B"),
    }
}

/// A rate in events per second: from 0.0001 to 1000000.
pub fn parse_rate(s: &str) -> Result<f64, String> {
    let (min, max) = RATE_RANGE;
    number_in(s, min, max).map_err(|_| format!("give events per second, from {min} to {max}"))
}

/// A time scale: from 0.000001 to 1000000.
pub fn parse_scale(s: &str) -> Result<f64, String> {
    let (min, max) = TIME_SCALE_RANGE;
    number_in(s, min, max).map_err(|_| format!("give a factor from {min} to {max}"))
}

fn number_in(s: &str, min: f64, max: f64) -> Result<f64, ()> {
    match s.trim().parse::<f64>() {
        Ok(x) if x.is_finite() && (min..=max).contains(&x) => Ok(x),
        _ => Err(()),
    }
}

/// Declares parsers of whole numbers in `min..=max`, each returning the flag's type.
macro_rules! whole_number_parsers {
    ($($(#[$doc:meta])* $name:ident -> $ty:ty: $min:expr, $max:expr;)*) => {
        $($(#[$doc])* pub fn $name(s: &str) -> Result<$ty, String> {
            whole_in(s, $min, $max)
        })*
    };
}

whole_number_parsers! {
    /// A number of events: from 1 to 1000000000 (`--count`, `--max-events`).
    parse_count -> u64: 1, MAX_COUNT;
    /// Requests in flight at once: from 1 to 10000 (`--concurrency`).
    parse_concurrency -> usize: 1, MAX_CONCURRENCY;
    /// Events per request: from 1 to 1000000 (`send-test --batch`).
    parse_batch -> usize: 1, MAX_BATCH;
    /// A TCP port: from 0 (any free port) to 65535.
    parse_port -> u16: 0, u64::from(u16::MAX);
    /// First attempts answered 500 per event: from 0 (none) to 1000000 (`--fail-first`).
    parse_fail_first -> u32: 0, MAX_FAIL_FIRST;
    /// A per-webhook delivery cap in events/s: from 0 (none) to 1000000 (`--max-rate`).
    parse_max_rate -> u32: 0, MAX_RATE_CAP;
    /// A page size asked of the API: from 1 to 100 (`--limit`).
    parse_page_size -> u32: 1, MAX_PAGE;
    /// Events per emulator batch: from 1 to 100 (`--max-batch-size`).
    parse_batch_size -> u32: 1, MAX_BATCH_SIZE;
    /// Seconds a partial batch waits: from 0 to 86400, the emulator's limit (`--max-wait-time`).
    parse_batch_wait -> u64: 0, crate::emulator::validate::MAX_WAIT_TIME;
    /// Requests the inspector keeps: from 1 to 1000000 (`--inspect-limit`).
    parse_inspect_limit -> usize: 1, MAX_INSPECT_LIMIT;
    /// Connections open at once: from 1 to 1000000 (`--max-connections`).
    parse_connections -> usize: 1, MAX_CONNECTIONS;
}

/// A final HTTP status to answer with: from 200 to 599 (a 1xx is never final).
pub fn parse_status(s: &str) -> Result<u16, String> {
    whole_in(s, 200, 599).map_err(|_| "give a final HTTP status, from 200 to 599".into())
}

/// A whole number in `min..=max`, as the flag's type (every range fits it).
fn whole_in<T: TryFrom<u64>>(s: &str, min: u64, max: u64) -> Result<T, String> {
    s.trim()
        .parse::<u64>()
        .ok()
        .filter(|n| (min..=max).contains(n))
        .and_then(|n| T::try_from(n).ok())
        .ok_or_else(|| format!("give a whole number from {min} to {max}"))
}

/// Checks what `--time-scale` makes of the longest span it stretches (`what`,
/// such as "the retry schedule"): the product, a time the run will compute, must
/// stay within 100y. The message names the largest scale that fits.
pub fn check_time_scale(scale: f64, span: Duration, what: &str) -> Result<(), String> {
    let secs = span.as_secs_f64();
    if secs * scale <= MAX_DURATION.as_secs_f64() {
        return Ok(());
    }
    let largest = (MAX_DURATION.as_secs_f64() / secs).floor();
    Err(format!(
        "--time-scale {scale} stretches {what} ({}) past {MAX_DURATION_TEXT}: give a factor from {} to {largest}",
        humantime::format_duration(span),
        TIME_SCALE_RANGE.0
    ))
}

/// Checks that `--count` events at `--rate` end within 100y: the pacer computes
/// the last one's send time.
pub fn check_pace(count: u64, rate: f64) -> Result<(), String> {
    // Both are bounded by their parsers, so the quotient is finite.
    let secs = count as f64 / rate;
    if secs <= MAX_DURATION.as_secs_f64() {
        return Ok(());
    }
    // The slowest rate that fits, rounded up to four decimals like the parser's least.
    let slowest = (count as f64 / MAX_DURATION.as_secs_f64() * 1e4).ceil() / 1e4;
    Err(format!(
        "--count {count} at --rate {rate} would take past {MAX_DURATION_TEXT}: \
         for that many events give a --rate from {slowest} to {}",
        RATE_RANGE.1
    ))
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
const MAX_UNIX_SECONDS: u64 = crate::payload::LAST_SECOND;

/// Unix seconds, from 0 to the end of year 9999.
pub fn parse_unix_seconds(s: &str) -> Result<u64, String> {
    match s.trim().parse::<u64>() {
        Ok(n) if n <= MAX_UNIX_SECONDS => Ok(n),
        _ => Err(format!("'{s}' is not Unix seconds from 0 to {MAX_UNIX_SECONDS} (the end of year 9999)")),
    }
}

/// A count and its noun, singular for exactly one: `1 delivery`, `2 deliveries`.
pub fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Formats a duration for people: `0.42 ms`, `850 ms`, `1.2 s`, `2m 5s`. A
/// duration under a millisecond never reads as `0 ms`.
pub fn human_duration(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1000.0;
    if ms < 0.01 {
        "<0.01 ms".to_string()
    } else if ms < 1.0 {
        format!("{ms:.2} ms")
    } else if ms < 999.5 {
        format!("{ms:.0} ms")
    } else if ms < 59_950.0 {
        format!("{:.1} s", ms / 1000.0)
    } else {
        // Whole seconds, rounded like the shorter forms (the cast saturates).
        humantime::format_duration(Duration::from_secs((ms / 1000.0).round() as u64)).to_string()
    }
}

/// A duration counted in whole milliseconds (as the API and the delivery log
/// keep them), for people: `12 ms`, and `<1 ms` for 0.
pub fn whole_millis(ms: u64) -> String {
    if ms == 0 { "<1 ms".to_string() } else { human_duration(Duration::from_millis(ms)) }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn plurals() {
        assert_eq!(plural(1, "delivery", "deliveries"), "1 delivery");
        assert_eq!(plural(0, "delivery", "deliveries"), "0 deliveries");
        assert_eq!(plural(2, "event", "events"), "2 events");
    }

    #[test]
    fn durations_for_people() {
        let us = Duration::from_micros;
        assert_eq!(human_duration(Duration::ZERO), "<0.01 ms");
        assert_eq!(human_duration(us(3)), "<0.01 ms");
        assert_eq!(human_duration(us(420)), "0.42 ms");
        assert_eq!(human_duration(us(999)), "1.00 ms");
        assert_eq!(human_duration(Duration::from_millis(12)), "12 ms");
        assert_eq!(human_duration(us(999_700)), "1.0 s");
        assert_eq!(human_duration(Duration::from_millis(59_990)), "1m");
        assert_eq!(human_duration(Duration::from_secs(125)), "2m 5s");
        assert_eq!(whole_millis(0), "<1 ms");
        assert_eq!(whole_millis(12), "12 ms");
        assert_eq!(whole_millis(1500), "1.5 s");
    }

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

    /// Asserts that `parse` refuses every one of `values`.
    fn refuses<T: std::fmt::Debug>(parse: fn(&str) -> Result<T, String>, values: &[&str]) {
        for v in values {
            assert!(parse(v).is_err(), "{v} was accepted as {:?}", parse(v));
        }
    }

    #[test]
    fn unix_seconds() {
        assert_eq!(parse_unix_seconds("1614265330").unwrap(), 1614265330);
        assert_eq!(parse_unix_seconds("0").unwrap(), 0);
        refuses(parse_unix_seconds, &["-1", "253402300800", "soon"]);
    }

    #[test]
    fn numbers() {
        refuses(parse_count, &["0", "-1", "1000000001"]);
        assert_eq!(parse_count("3").unwrap(), 3);
        refuses(parse_rate, &["0", "inf", "1e-300", "NaN"]);
        assert_eq!(parse_rate("0.5").unwrap(), 0.5);
        refuses(parse_scale, &["-1", "1e300", "0", "0.0000001"]);
        assert_eq!(parse_scale("0.01").unwrap(), 0.01);
        assert_eq!(parse_scale("0.000001").unwrap(), 0.000001);
        assert_eq!(parse_scale("0").unwrap_err(), "give a factor from 0.000001 to 1000000");
        assert_eq!(parse_port("0").unwrap(), 0);
        refuses(parse_port, &["65536"]);
        refuses(parse_status, &["150"]);
        assert_eq!(parse_status("503").unwrap(), 503);
        assert_eq!(parse_fail_first("0").unwrap(), 0);
        refuses(parse_batch_wait, &["86401"]);
        refuses(parse_size, &["0", "1PiB"]);
    }

    #[test]
    fn duration_ranges() {
        assert!(parse_timeout("0").is_err());
        assert_eq!(parse_timeout("1ms").unwrap(), Duration::from_millis(1));
        assert!(parse_timeout("1000000000h").is_err());
        assert!(parse_timeout("inf").is_err());
        assert_eq!(parse_timeout("100y").unwrap(), MAX_DURATION);
        assert!(parse_timeout("101y").is_err());
        assert!(parse_tolerance("500ms").is_err());
        assert!(parse_interval("0").is_err());
        assert_eq!(parse_duration("0").unwrap(), Duration::ZERO);
        assert!(parse_schedule(&vec!["1s"; MAX_ATTEMPTS + 1].join(",")).is_err());
        assert!(parse_schedule("0,5s,1000000000h").is_err());
    }

    #[test]
    fn messages_give_the_range() {
        assert_eq!(parse_count("-1").unwrap_err(), "give a whole number from 1 to 1000000000");
        assert_eq!(parse_rate("1e-300").unwrap_err(), "give events per second, from 0.0001 to 1000000");
        assert_eq!(
            parse_timeout("1000000000h").unwrap_err(),
            "give a duration from 1ms to 100y (like 5s, 250ms or 2m)"
        );
    }

    #[test]
    fn combined_flags() {
        let span = Schedule::default().span();
        assert_eq!(span, Duration::from_secs(4355));
        assert!(check_time_scale(1000.0, span, "the retry schedule").is_ok());
        let e = check_time_scale(1_000_000.0, span, "the retry schedule").unwrap_err();
        assert!(
            e.starts_with("--time-scale 1000000 stretches the retry schedule (1h 12m 35s) past 100y"),
            "{e}"
        );
        assert!(e.ends_with("from 0.000001 to 724629"), "{e}");
        assert!(check_pace(1, 0.0001).is_ok());
        let e = check_pace(MAX_COUNT, 0.0001).unwrap_err();
        assert!(e.ends_with("give a --rate from 0.3169 to 1000000"), "{e}");
        assert!(check_pace(MAX_COUNT, 0.3169).is_ok());
        assert!(check_pace(MAX_COUNT, 1000.0).is_ok());
    }

    /// Property tests: nothing a parser accepts makes the time arithmetic built on
    /// it panic or pass year 9999. `cli`'s tests feed [`properties::value`] to
    /// every flag of every command.
    pub(crate) mod properties {
        use std::time::{Duration, SystemTime};

        use proptest::prelude::*;

        use super::super::*;
        use crate::emulator::{clock, engine, validate};
        use crate::payload;
        use crate::send::pacer::Pacer;

        /// Strings near the edges a flag value can take: numbers of every size and
        /// sign, with and without units, and arbitrary text.
        pub(crate) fn value() -> impl Strategy<Value = String> {
            prop_oneof![
                any::<f64>().prop_map(|f| f.to_string()),
                any::<i64>().prop_map(|n| n.to_string()),
                any::<u64>().prop_map(|n| n.to_string()),
                (0u32..2_000_000).prop_map(|n| n.to_string()),
                (0.0f64..2_000_000.0).prop_map(|f| f.to_string()),
                (-400i32..400).prop_map(|e| format!("1e{e}")),
                ("[0-9]{1,24}(\\.[0-9]{1,6})?", "|ns|us|ms|s|m|h|d|w|M|y|B|KiB|MiB|GiB|TiB|PiB|EiB")
                    .prop_map(|(n, u)| format!("{n}{u}")),
                "[0-9a-z ,.:=*_-]{0,40}",
                any::<String>(),
            ]
        }

        type DurationParser = fn(&str) -> Result<Duration, String>;

        /// A time `d` from now, as the wire formats write it; it must stay in range.
        fn lands_before_year_10000(d: Duration) {
            let at = SystemTime::now().checked_add(d).expect("the clock holds it");
            let text = payload::timestamp_at(at);
            assert!(text.as_str() < "9999-12-31T23:59:59Z", "{d:?} lands at {text}");
            assert!(tokio::time::Instant::now().checked_add(d).is_some());
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(64))]

            #[test]
            fn accepted_durations_stay_in_range(v in value()) {
                let parsers: [DurationParser; 6] =
                    [parse_duration, parse_timeout, parse_tolerance, parse_interval, parse_read_timeout, parse_retain];
                for parse in parsers {
                    if let Ok(d) = parse(&v) {
                        prop_assert!(d <= MAX_DURATION);
                        lands_before_year_10000(d);
                        // Retention and tolerance look back from now (before 1970 at most).
                        prop_assert!(SystemTime::now().checked_sub(d).is_some());
                        let cutoff = clock::now_ms().saturating_sub(clock::millis(d));
                        prop_assert!(clock::rfc3339(cutoff).as_str() >= "1970");
                        // The emulator's attempt deadline and lease, in Unix milliseconds.
                        let lease = clock::now_ms().saturating_add(clock::millis(d.saturating_add(Duration::from_secs(30))));
                        prop_assert!(clock::rfc3339(lease).as_str() < "9999");
                    }
                }
            }

            #[test]
            fn accepted_rates_and_counts_pace_without_overflow(rate in value(), count in value(), batch in value()) {
                if let (Ok(rate), Ok(count)) = (parse_rate(&rate), parse_count(&count)) {
                    let pacer = Pacer::new(rate);
                    let now = tokio::time::Instant::now();
                    let events = parse_batch(&batch).unwrap_or(1);
                    let first = pacer.reserve(now, events);
                    let second = pacer.reserve(now, events);
                    prop_assert!(first <= second);
                    if check_pace(count, rate).is_ok() {
                        lands_before_year_10000(Duration::from_secs_f64(count as f64 / rate));
                    }
                }
            }

            #[test]
            fn accepted_schedules_and_scales_retry_before_year_10000(schedule in value(), scale in value()) {
                let schedule = parse_schedule(&schedule).unwrap_or_default();
                if let Ok(scale) = parse_scale(&scale) {
                    // send-test: the waits one after another.
                    if check_time_scale(scale, schedule.span(), "the retry schedule").is_ok() {
                        let mut total = Duration::ZERO;
                        for n in 1..=schedule.attempts() {
                            total = total.saturating_add(schedule.wait_before(n, scale).unwrap());
                        }
                        lands_before_year_10000(total);
                    }
                    // The emulator: each attempt's next retry and a day's batch wait.
                    let longest = Schedule::default().span().max(Duration::from_secs(validate::MAX_WAIT_TIME));
                    if check_time_scale(scale, longest, "the longest wait").is_ok() {
                        for attempt in 1..=6 {
                            if let engine::Decision::Retry(wait) = engine::decide(&Schedule::default(), scale, attempt, Some(500)) {
                                lands_before_year_10000(wait);
                                let at = clock::now_ms().saturating_add(clock::millis(wait));
                                prop_assert!(clock::rfc3339(at).as_str() < "9999");
                            }
                        }
                        lands_before_year_10000(crate::retry::scale_duration(Duration::from_secs(validate::MAX_WAIT_TIME), scale));
                    }
                }
            }
        }

        #[test]
        fn out_of_range_times_are_written_as_the_nearest_one() {
            // What a due time past the year 9999 or before 1970 would show, were one computed.
            assert_eq!(clock::rfc3339(i64::MAX), "9999-12-31T23:59:59Z");
            assert_eq!(clock::rfc3339(-5), "1970-01-01T00:00:00Z");
            let far = Pacer::new(f64::MIN_POSITIVE);
            let now = tokio::time::Instant::now();
            far.reserve(now, usize::MAX);
            assert!(far.reserve(now, 1) > now);
        }
    }

    proptest! {
        /// No string makes a parser panic; each either accepts or explains.
        #[test]
        fn parsers_never_panic(s in "\\PC{0,40}") {
            let _ = parse_duration(&s);
            let _ = parse_schedule(&s);
            let _ = parse_size(&s);
            let _ = parse_rate(&s);
            let _ = parse_scale(&s);
            let _ = parse_count(&s);
            let _ = parse_concurrency(&s);
            let _ = parse_batch(&s);
            let _ = parse_header(&s);
        }

        #[test]
        fn numeric_parsers_never_panic_on_numberish(s in "[-+]?[0-9.eE]{0,12}(inf|nan|NaN|[a-zA-Z]{0,3})") {
            let _ = parse_duration(&s);
            let _ = parse_size(&s);
            if let Ok(r) = parse_rate(&s) {
                prop_assert!(r.is_finite() && r > 0.0);
            }
            if let Ok(f) = parse_scale(&s) {
                prop_assert!(f.is_finite() && f > 0.0);
            }
        }

        #[test]
        fn durations_round_trip(secs in 0u64..10_000_000, nanos in 0u32..1_000_000_000) {
            let d = Duration::new(secs, nanos);
            prop_assert_eq!(parse_duration(&humantime::format_duration(d).to_string()), Ok(d));
            prop_assert_eq!(parse_duration(&secs.to_string()), Ok(Duration::from_secs(secs)));
            prop_assert_eq!(parse_duration(&format!(" {secs}s ")), Ok(Duration::from_secs(secs)));
            let _ = human_duration(d);
        }

        #[test]
        fn negative_durations_are_refused(secs in 0.001f64..1e12) {
            prop_assert!(parse_duration(&format!("-{secs}")).is_err(), "accepted");
        }

        #[test]
        fn schedules_round_trip(waits in proptest::collection::vec(0u64..100_000, 1..8)) {
            let text = waits.iter().map(|w| format!("{w}s")).collect::<Vec<_>>().join(",");
            let schedule = parse_schedule(&text).unwrap();
            prop_assert_eq!(schedule.attempts(), waits.len());
            prop_assert_eq!(schedule.0, waits.iter().map(|&w| Duration::from_secs(w)).collect::<Vec<_>>());
            prop_assert!(parse_schedule(&format!("{text},")).is_err(), "accepted");
        }

        #[test]
        fn sizes_round_trip(n in 1u64..4096) {
            prop_assert_eq!(parse_size(&n.to_string()), Ok(n));
            prop_assert_eq!(parse_size(&format!("{n}KiB")), Ok(n * 1024));
            prop_assert_eq!(parse_size(&format!("{n} MiB")), Ok(n * 1024 * 1024));
        }

        #[test]
        fn rates_and_scales_round_trip(x in 1e-4f64..1e6) {
            prop_assert_eq!(parse_rate(&x.to_string()), Ok(x));
            prop_assert_eq!(parse_scale(&x.to_string()), Ok(x));
            prop_assert!(parse_rate(&format!("-{x}")).is_err(), "accepted");
            prop_assert!(parse_scale(&format!("-{x}")).is_err(), "accepted");
        }

        #[test]
        fn counts_round_trip(n in 1u64..=1_000_000_000) {
            prop_assert_eq!(parse_count(&n.to_string()), Ok(n));
            prop_assert!(parse_count(&format!("-{n}")).is_err(), "accepted");
        }

        #[test]
        fn headers_round_trip(name in "X-[A-Za-z0-9-]{1,20}", value in "[ -~]{0,40}") {
            let (n, v) = parse_header(&format!("{name}: {value}")).unwrap();
            prop_assert_eq!(n, name);
            prop_assert_eq!(v, value.trim());
        }

        /// Every reserved name is refused, whatever its case.
        #[test]
        fn reserved_headers_are_refused(
            name in proptest::sample::select(vec![
                "X-Scopien-Signature", "Content-Type", "Content-Length", "Host",
                "Transfer-Encoding", "Connection", "Keep-Alive", "Upgrade", "TE", "Trailer",
            ]),
            upper in proptest::collection::vec(any::<bool>(), 20),
        ) {
            let cased: String = name.chars().zip(upper.iter().cycle())
                .map(|(c, &u)| if u { c.to_ascii_uppercase() } else { c.to_ascii_lowercase() }).collect();
            let e = parse_header(&format!("{cased}: x")).unwrap_err();
            prop_assert!(e.contains("cannot be overridden"), "{}", e);
        }
    }
}
