//! Why a receiver answered 401, read from the first bytes of its answer, so the
//! hint points at what fixes it. The wordings recognised are `listen`'s own
//! reasons (`missing signature`, `malformed signature`, `signature mismatch`,
//! `stale timestamp`, `timestamp in the future`, …), the docs' receivers'
//! `Invalid signature`, and the common messages of signature libraries
//! (`No signatures found matching…`, `Timestamp outside the tolerance zone`,
//! `Message timestamp too old`, `Missing required headers`).

/// Body bytes of a 401 answer kept to read its reason.
pub const REASON_BYTES: usize = 256;

/// Longest stated reason repeated on the error line.
const REASON_CHARS: usize = 80;

/// What a 401 answer says went wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rejection {
    /// The receiver found no signature.
    Missing,
    /// The event's timestamp was too old (or ahead of the receiver's clock).
    Timestamp,
    /// A signature was there but did not verify.
    Signature,
    /// Nothing recognisable: an empty body, `Unauthorized`, ….
    Unstated,
}

impl Rejection {
    /// Every kind, in the order ties are broken.
    pub const ALL: [Rejection; 4] =
        [Rejection::Missing, Rejection::Timestamp, Rejection::Signature, Rejection::Unstated];

    /// Index into a per-kind count.
    pub fn index(self) -> usize {
        self as usize
    }

    /// Reads a 401 answer's first bytes.
    pub fn of(body: &[u8]) -> Rejection {
        let text = String::from_utf8_lossy(&body[..body.len().min(REASON_BYTES)]).to_lowercase();
        let has = |words: &[&str]| words.iter().any(|w| text.contains(w));
        // A mismatch first: "no signatures found matching" names a signature that was there.
        if has(&[
            "mismatch",
            "match",
            "invalid signature",
            "signature is invalid",
            "signature invalid",
            "bad signature",
            "wrong signature",
            "incorrect signature",
            "malformed",
            "verification failed",
            "could not verify",
            "invalid hmac",
        ]) {
            Rejection::Signature
        } else if has(&["missing", "no signature", "not signed", "unsigned", "required", "absent"]) {
            Rejection::Missing
        } else if has(&["timestamp", "too old", "expired", "tolerance", "clock", "replay"]) {
            Rejection::Timestamp
        } else if has(&["signature", "hmac", "digest"]) {
            Rejection::Signature
        } else {
            Rejection::Unstated
        }
    }
}

/// The reason as the receiver stated it: a JSON answer's `error` (or
/// `error.message`, or `message`) string, else the first line of a text
/// answer, trimmed and shortened; `None` when there is none (an empty body, a
/// page of HTML).
pub fn stated(body: &[u8]) -> Option<String> {
    let head = &body[..body.len().min(REASON_BYTES)];
    let from_json = serde_json::from_slice::<serde_json::Value>(head).ok().and_then(|v| {
        let error = v.get("error");
        [error, error.and_then(|e| e.get("message")), v.get("message")]
            .into_iter()
            .flatten()
            .find_map(|s| s.as_str().map(str::to_string))
    });
    let text = String::from_utf8_lossy(head);
    let line = match &from_json {
        Some(reason) => reason.trim(),
        None => text.lines().map(str::trim).find(|l| !l.is_empty())?,
    };
    if line.is_empty() || (from_json.is_none() && line.starts_with('<')) {
        return None;
    }
    Some(match line.char_indices().nth(REASON_CHARS) {
        Some((at, _)) => format!("{}…", &line[..at]),
        None => line.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listens_own_reasons() {
        use crate::signature::VerifyError;
        for (e, want) in [
            (VerifyError::Missing, Rejection::Missing),
            (VerifyError::MissingPart("missing webhook-timestamp"), Rejection::Missing),
            (VerifyError::Malformed, Rejection::Signature),
            (VerifyError::Mismatch, Rejection::Signature),
            (VerifyError::NoVersion("no v1 signature"), Rejection::Signature),
            (VerifyError::Stale, Rejection::Timestamp),
            (VerifyError::Future, Rejection::Timestamp),
            (VerifyError::InvalidTimestamp, Rejection::Timestamp),
        ] {
            assert_eq!(Rejection::of(e.reason().as_bytes()), want, "{}", e.reason());
        }
    }

    #[test]
    fn common_wordings() {
        for (body, want) in [
            ("Invalid signature", Rejection::Signature),
            (r#"{"error":"Invalid signature"}"#, Rejection::Signature),
            ("No signatures found matching the expected signature for payload", Rejection::Signature),
            ("No matching signature found", Rejection::Signature),
            ("Hook rules were not satisfied.", Rejection::Unstated),
            ("Missing required headers", Rejection::Missing),
            ("No signature header", Rejection::Missing),
            ("X-Scopien-Signature header is required", Rejection::Missing),
            ("Timestamp outside the tolerance zone", Rejection::Timestamp),
            ("Message timestamp too old", Rejection::Timestamp),
            ("request expired", Rejection::Timestamp),
            ("Unauthorized", Rejection::Unstated),
            ("", Rejection::Unstated),
        ] {
            assert_eq!(Rejection::of(body.as_bytes()), want, "{body}");
        }
    }

    #[test]
    fn the_stated_reason_is_the_first_line_shortened() {
        assert_eq!(stated(b""), None);
        assert_eq!(stated(b"\n  \n"), None);
        assert_eq!(stated(b"  stale timestamp \nmore").as_deref(), Some("stale timestamp"));
        assert_eq!(stated(br#"{"error":"Invalid signature"}"#).as_deref(), Some("Invalid signature"));
        assert_eq!(
            stated(br#"{"error":{"code":"unauthorized","message":"stale timestamp"}}"#).as_deref(),
            Some("stale timestamp")
        );
        assert_eq!(stated(br#"{"message":"missing signature"}"#).as_deref(), Some("missing signature"));
        assert_eq!(stated(br#"{"ok":false}"#).as_deref(), Some(r#"{"ok":false}"#));
        assert_eq!(stated(b"<!DOCTYPE html>\n<html>401</html>"), None);
        let long = "x".repeat(200);
        let got = stated(long.as_bytes()).unwrap();
        assert_eq!(got.chars().count(), REASON_CHARS + 1);
        assert!(got.ends_with('…'));
        // Only the first bytes are read, whatever follows.
        assert_eq!(
            Rejection::of(format!("{}missing signature", " ".repeat(REASON_BYTES)).as_bytes()),
            Rejection::Unstated
        );
    }
}
