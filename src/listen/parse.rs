//! What the listener decides about a delivery beyond its shape (which
//! [`crate::wire::parse_delivery`] reads): how a saved line carries the body, and
//! the `--tolerance` guard on each event's timestamp.

use std::borrow::Cow;
use std::time::{Duration, SystemTime};

use serde_json::value::RawValue;

use crate::payload;
use crate::wire::is_json;

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
    use proptest::prelude::*;

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
            let _ = payload_form(&body, false);
        }
    }
}
