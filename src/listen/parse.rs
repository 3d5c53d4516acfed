//! Reads what the listener needs from a delivery body in one pass: each
//! event's `id`, `event` and `timestamp`, with `data` and `changes` kept as raw
//! slices of the body (no `Value` tree is built unless a human view asks for it).
//! Shapes follow [`crate::payload::parse_delivery`]: an object with string `id`
//! and `event`, or `{"events":[…]}` whose every element is one.

use std::borrow::Cow;
use std::time::{Duration, SystemTime};

use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_json::value::RawValue;

use crate::payload::{self, ParseError};

/// One event of a delivery, borrowing from the body.
#[derive(Debug, Deserialize)]
pub struct EventRef<'a> {
    /// The event id.
    #[serde(borrow)]
    pub id: Cow<'a, str>,
    /// The event name.
    #[serde(borrow)]
    pub event: Cow<'a, str>,
    /// The raw `timestamp` value (read only when `--tolerance` asks).
    #[serde(borrow, default)]
    pub timestamp: Option<&'a RawValue>,
    /// The raw `data` value.
    #[serde(borrow, default)]
    pub data: Option<&'a RawValue>,
    /// The raw `changes` value.
    #[serde(borrow, default)]
    pub changes: Option<&'a RawValue>,
}

/// The top-level object: a single event's fields and/or `events`.
#[derive(Deserialize)]
struct Top<'a> {
    #[serde(borrow, default)]
    id: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    event: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    timestamp: Option<&'a RawValue>,
    #[serde(borrow, default)]
    data: Option<&'a RawValue>,
    #[serde(borrow, default)]
    changes: Option<&'a RawValue>,
    #[serde(borrow, default)]
    events: Option<&'a RawValue>,
}

/// A parsed delivery.
#[derive(Debug)]
pub enum Parsed<'a> {
    /// One event.
    Single(EventRef<'a>),
    /// `{"events":[…]}`, never empty.
    Batch(Vec<EventRef<'a>>),
}

impl<'a> Parsed<'a> {
    /// The events of the delivery.
    pub fn events(&self) -> &[EventRef<'a>] {
        match self {
            Parsed::Single(e) => std::slice::from_ref(e),
            Parsed::Batch(v) => v,
        }
    }

    /// Whether this is a batch.
    pub fn is_batch(&self) -> bool {
        matches!(self, Parsed::Batch(_))
    }
}

/// Parses a delivery body.
pub fn parse(body: &[u8]) -> Result<Parsed<'_>, ParseError> {
    // A struct also deserialises from a JSON array; only objects are deliveries.
    // JSON is UTF-8, and skipped fields are not checked for it while parsing.
    if body.trim_ascii_start().first() != Some(&b'{') || std::str::from_utf8(body).is_err() {
        return Err(classify(body));
    }
    let top: Top<'_> = serde_json::from_slice(body).map_err(|_| classify(body))?;
    if let Some(raw) = top.events
        && let Ok(events) = serde_json::from_str::<Vec<EventRef<'_>>>(raw.get())
        && !events.is_empty()
    {
        return Ok(Parsed::Batch(events));
    }
    match (top.id, top.event) {
        (Some(id), Some(event)) => Ok(Parsed::Single(EventRef {
            id,
            event,
            timestamp: top.timestamp,
            data: top.data,
            changes: top.changes,
        })),
        _ => Err(ParseError::NotAnEvent),
    }
}

/// Why a body that is not a delivery was refused: not JSON at all, or the wrong shape.
fn classify(body: &[u8]) -> ParseError {
    if is_json(body) { ParseError::NotAnEvent } else { ParseError::InvalidJson }
}

/// Whether `body` is one valid JSON document (UTF-8 throughout: ignored strings
/// are not checked by the parser, and a saved line must stay valid JSON).
pub fn is_json(body: &[u8]) -> bool {
    std::str::from_utf8(body).is_ok_and(|text| serde_json::from_str::<IgnoredAny>(text).is_ok())
}

/// How the `payload` field of a saved line carries the body (the shared wire
/// decision `replay` relies on).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PayloadForm {
    /// Nothing was received.
    Null,
    /// The body's own text, written verbatim: a JSON object or array without
    /// line breaks (and nothing around it, so the bytes survive exactly).
    Verbatim,
    /// The body as a JSON string.
    Text,
}

/// Decides the payload form. `known_json` skips re-validating a body that
/// already parsed.
pub fn payload_form(body: &[u8], known_json: bool) -> PayloadForm {
    if body.is_empty() {
        return PayloadForm::Null;
    }
    let container = matches!((body[0], body[body.len() - 1]), (b'{', b'}') | (b'[', b']'));
    if container && !body.contains(&b'\n') && !body.contains(&b'\r') && (known_json || is_json(body)) {
        PayloadForm::Verbatim
    } else {
        PayloadForm::Text
    }
}

/// Why a payload timestamp fails the `--tolerance` replay guard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimestampError {
    /// Absent, not a string, or not RFC 3339.
    Invalid,
    /// Older than the tolerance.
    Stale,
}

impl TimestampError {
    /// The reason shown and saved.
    pub fn reason(self) -> &'static str {
        match self {
            TimestampError::Invalid => "invalid timestamp",
            TimestampError::Stale => "stale timestamp",
        }
    }
}

/// Checks one event's timestamp against `now - tolerance`.
pub fn check_timestamp(
    raw: Option<&RawValue>,
    tolerance: Duration,
    now: SystemTime,
) -> Result<(), TimestampError> {
    let text: Cow<'_, str> =
        raw.and_then(|r| serde_json::from_str(r.get()).ok()).ok_or(TimestampError::Invalid)?;
    let at = payload::parse_timestamp(&text).ok_or(TimestampError::Invalid)?;
    match now.duration_since(at) {
        Ok(age) if age > tolerance => Err(TimestampError::Stale),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::payload::{Template, batch_body};
    use proptest::prelude::*;

    #[test]
    fn single_event() {
        let body = Template::sample("opportunity.updated", None).render("evt_1", "2026-01-22T10:30:00Z");
        let Parsed::Single(e) = parse(&body).unwrap() else { panic!("single") };
        assert_eq!(e.id, "evt_1");
        assert_eq!(e.event, "opportunity.updated");
        assert_eq!(e.timestamp.unwrap().get(), r#""2026-01-22T10:30:00Z""#);
        assert!(e.data.unwrap().get().contains("Acme Corp Deal"));
        assert!(e.changes.unwrap().get().contains("Negotiation"));
    }

    #[test]
    fn escaped_strings_are_decoded() {
        let p = parse(br#"{"id":"evt_\u0041","event":"lead.created"}"#).unwrap();
        assert_eq!(p.events()[0].id, "evt_A");
    }

    #[test]
    fn batch() {
        let t = Template::sample("lead.created", None);
        let body = batch_body(&[t.render("evt_1", "x"), t.render("evt_2", "y")]);
        let p = parse(&body).unwrap();
        assert!(p.is_batch());
        let ids: Vec<&str> = p.events().iter().map(|e| e.id.as_ref()).collect();
        assert_eq!(ids, ["evt_1", "evt_2"]);
    }

    #[test]
    fn agrees_with_payload_parse_delivery() {
        let cases: &[&[u8]] = &[
            b"",
            b"   ",
            b"not json",
            b"[1,2]",
            br#"["evt_1","lead.created"]"#,
            br#"{"hello":1}"#,
            br#"{"events":[]}"#,
            br#"{"events":[{"x":1}]}"#,
            br#"{"events":[{"x":1}],"id":"evt_1","event":"lead.created"}"#,
            br#"{"events":"no","id":"evt_1","event":"lead.created"}"#,
            br#"{"id":"evt_1","event":"lead.created"}"#,
            br#"{"id":1,"event":"lead.created"}"#,
            br#"{"id":"evt_1","event":"lead.created"} trailing"#,
            br#"{"id":"evt_1","event":"lead.created""#,
            b"\"just a string\"",
            b"42",
            b"{\"id\":\"evt_1\",\"event\":\"lead.created\",\"x\":\"\xff\"}",
        ];
        for body in cases {
            let ours = parse(body).map(|p| p.is_batch());
            let theirs = payload::parse_delivery(body).map(|d| matches!(d, payload::Delivery::Batch(_)));
            assert_eq!(ours, theirs, "{}", String::from_utf8_lossy(body));
        }
    }

    #[test]
    fn payload_forms() {
        assert_eq!(payload_form(b"", false), PayloadForm::Null);
        assert_eq!(payload_form(br#"{"a":1}"#, false), PayloadForm::Verbatim);
        assert_eq!(payload_form(b"[1, 2]", false), PayloadForm::Verbatim);
        assert_eq!(payload_form(b"{\"a\":\n1}", false), PayloadForm::Text);
        assert_eq!(payload_form(b"{\"a\":1}\n", false), PayloadForm::Text);
        assert_eq!(payload_form(b" {\"a\":1}", false), PayloadForm::Text);
        assert_eq!(payload_form(b"{nope}", false), PayloadForm::Text);
        assert_eq!(payload_form(b"\"str\"", false), PayloadForm::Text);
        assert_eq!(payload_form(b"{}", true), PayloadForm::Verbatim);
        assert_eq!(payload_form(b"{\"x\":\"\xff\"}", false), PayloadForm::Text);
    }

    #[test]
    fn timestamps() {
        let now = payload::parse_timestamp("2026-01-22T11:00:00Z").unwrap();
        let raw = |s: &str| RawValue::from_string(s.to_string()).unwrap();
        let tol = Duration::from_secs(300);
        let check = |r: &str| check_timestamp(Some(&raw(r)), tol, now);
        assert_eq!(check(r#""2026-01-22T10:56:00Z""#), Ok(()));
        assert_eq!(check(r#""2026-01-22T11:30:00Z""#), Ok(()));
        assert_eq!(check(r#""2026-01-22T10:54:59Z""#), Err(TimestampError::Stale));
        assert_eq!(check(r#""yesterday""#), Err(TimestampError::Invalid));
        assert_eq!(check("12345"), Err(TimestampError::Invalid));
        assert_eq!(check_timestamp(None, tol, now), Err(TimestampError::Invalid));
    }

    proptest! {
        #[test]
        fn never_panics(body in proptest::collection::vec(any::<u8>(), 0..512)) {
            let _ = parse(&body);
            let _ = payload_form(&body, false);
        }

        #[test]
        fn never_panics_on_jsonish(s in r#"[{}\[\]",:a-z0-9 \\]{0,64}"#) {
            let _ = parse(s.as_bytes());
        }
    }
}
