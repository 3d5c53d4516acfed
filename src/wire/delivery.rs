//! The one delivery parser. A delivery body is an object with string `id` and
//! `event`, or `{"events":[…]}` whose every element is one (never empty). One
//! pass reads each event's `id`, `event` and `timestamp`, with `data` and
//! `changes` kept as raw slices of the body: no `Value` tree is built unless a
//! human view asks for it. `listen` classifies every request with it, and
//! `send-test --payload` reads the event a fixed body names.

use std::borrow::Cow;

use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_json::value::RawValue;

/// Why a body is not a delivery.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// Not JSON at all.
    #[error("invalid JSON")]
    InvalidJson,
    /// JSON, but neither an event nor a batch.
    #[error("not an event or batch")]
    NotAnEvent,
}

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
pub fn parse_delivery(body: &[u8]) -> Result<Parsed<'_>, ParseError> {
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
pub(super) fn classify(body: &[u8]) -> ParseError {
    if is_json(body) { ParseError::NotAnEvent } else { ParseError::InvalidJson }
}

/// Whether `body` is one valid JSON document (UTF-8 throughout: ignored strings
/// are not checked by the parser, and a saved line must stay valid JSON).
pub fn is_json(body: &[u8]) -> bool {
    std::str::from_utf8(body).is_ok_and(|text| serde_json::from_str::<IgnoredAny>(text).is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::payload::Template;
    use crate::wire::batch_body;
    use proptest::prelude::*;

    #[test]
    fn single_event() {
        let body = Template::sample("opportunity.updated", None).render("evt_1", "2026-01-22T10:30:00Z");
        let Parsed::Single(e) = parse_delivery(&body).unwrap() else { panic!("single") };
        assert_eq!(e.id, "evt_1");
        assert_eq!(e.event, "opportunity.updated");
        assert_eq!(e.timestamp.unwrap().get(), r#""2026-01-22T10:30:00Z""#);
        assert!(e.data.unwrap().get().contains("Acme Corp Deal"));
        assert!(e.changes.unwrap().get().contains("Negotiation"));
    }

    #[test]
    fn escaped_strings_are_decoded() {
        let p = parse_delivery(br#"{"id":"evt_\u0041","event":"lead.created"}"#).unwrap();
        assert_eq!(p.events()[0].id, "evt_A");
    }

    #[test]
    fn batch() {
        let t = Template::sample("lead.created", None);
        let body = batch_body(&[t.render("evt_1", "x"), t.render("evt_2", "y")]);
        let p = parse_delivery(&body).unwrap();
        assert!(p.is_batch());
        let ids: Vec<&str> = p.events().iter().map(|e| e.id.as_ref()).collect();
        assert_eq!(ids, ["evt_1", "evt_2"]);
    }

    #[test]
    fn shapes() {
        use ParseError::{InvalidJson, NotAnEvent};
        let cases: &[(&[u8], Result<bool, ParseError>)] = &[
            (b"", Err(InvalidJson)),
            (b"   ", Err(InvalidJson)),
            (b"not json", Err(InvalidJson)),
            (b"[1,2]", Err(NotAnEvent)),
            (br#"["evt_1","lead.created"]"#, Err(NotAnEvent)),
            (br#"{"hello":1}"#, Err(NotAnEvent)),
            (br#"{"events":[]}"#, Err(NotAnEvent)),
            (br#"{"events":[{"x":1}]}"#, Err(NotAnEvent)),
            (br#"{"events":[{"x":1}],"id":"evt_1","event":"lead.created"}"#, Ok(false)),
            (br#"{"events":"no","id":"evt_1","event":"lead.created"}"#, Ok(false)),
            (br#"{"id":"evt_1","event":"lead.created"}"#, Ok(false)),
            (br#"{"events":[{"id":"evt_1","event":"lead.created"}]}"#, Ok(true)),
            (br#"{"id":1,"event":"lead.created"}"#, Err(NotAnEvent)),
            (br#"{"id":"evt_1","event":"lead.created"} trailing"#, Err(InvalidJson)),
            (br#"{"id":"evt_1","event":"lead.created""#, Err(InvalidJson)),
            (b"\"just a string\"", Err(NotAnEvent)),
            (b"42", Err(NotAnEvent)),
            (b"{\"id\":\"evt_1\",\"event\":\"lead.created\",\"x\":\"\xff\"}", Err(InvalidJson)),
        ];
        for (body, expected) in cases {
            let got = parse_delivery(body).map(|p| p.is_batch());
            assert_eq!(&got, expected, "{}", String::from_utf8_lossy(body));
        }
    }

    proptest! {
        #[test]
        fn never_panics(body in proptest::collection::vec(any::<u8>(), 0..512)) {
            let _ = parse_delivery(&body);
        }

        #[test]
        fn never_panics_on_jsonish(s in r#"[{}\[\]",:a-z0-9 \\]{0,64}"#) {
            let _ = parse_delivery(s.as_bytes());
        }

        /// Whatever the ids and names, a rendered event and a batch of them read back as written.
        #[test]
        fn reads_back_what_was_written(ids in proptest::collection::vec("[a-zA-Z0-9_]{1,30}", 1..8)) {
            let t = Template::sample("lead.created", None);
            let events: Vec<Vec<u8>> = ids.iter().map(|id| t.render(id, "2026-01-22T11:00:00Z")).collect();
            let Parsed::Single(one) = parse_delivery(&events[0]).unwrap() else { panic!("single") };
            prop_assert_eq!(one.id.as_ref(), ids[0].as_str());
            let body = batch_body(&events);
            let parsed = parse_delivery(&body).unwrap();
            prop_assert!(parsed.is_batch());
            let got: Vec<&str> = parsed.events().iter().map(|e| e.id.as_ref()).collect();
            prop_assert_eq!(got, ids.iter().map(String::as_str).collect::<Vec<_>>());
        }
    }
}
