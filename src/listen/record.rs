//! What happened to one request, and its NDJSON line (`--json` on stdout and
//! `--save`), with exactly SPEC's fields:
//! `received_at, method, path, verified, status, event_id, event, batch,
//! duplicate, filtered, headers, payload, error, forward`.
//! The line is written by hand so an object payload is copied verbatim from the
//! body instead of being parsed into a tree and printed again.

use std::cell::Cell;
use std::io::Write;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use http::HeaderMap;

use super::forward::Forwarded;
use super::parse::{PayloadForm, payload_form};
use crate::wire::EventRef;

/// One request and its outcome, borrowing from the request.
pub struct Record<'a> {
    /// When the request arrived.
    pub received_at: SystemTime,
    /// The request method.
    pub method: &'a str,
    /// The request path and query.
    pub path: &'a str,
    /// Signature verdict: `None` when not checked.
    pub verified: Option<bool>,
    /// The status answered.
    pub status: u16,
    /// The delivery's events, when it parsed.
    pub events: &'a [EventRef<'a>],
    /// Whether it was a batch.
    pub batch: bool,
    /// Answered `Already processed`.
    pub duplicate: bool,
    /// Filtered out by `--events`.
    pub filtered: bool,
    /// Events of a batch that `--events` filtered out (for the human view).
    pub hidden: &'a [bool],
    /// The request headers.
    pub headers: &'a HeaderMap,
    /// The body as received (empty when not read).
    pub body: &'a [u8],
    /// Whether the body is known to be valid JSON.
    pub body_is_json: bool,
    /// Why it was refused, or what failed.
    pub error: Option<&'a str>,
    /// More about the error for people (never a secret or an expected signature).
    pub detail: Option<std::borrow::Cow<'static, str>>,
    /// The forward, if any.
    pub forward: Option<&'a Forwarded>,
}

impl Record<'_> {
    /// Appends the NDJSON line (with its newline) to `out`; returns where in
    /// `out` the payload's JSON starts.
    pub fn write_json(&self, out: &mut Vec<u8>) -> usize {
        out.reserve(256 + self.body.len() + 64 * self.headers.len());
        out.extend_from_slice(b"{\"received_at\":\"");
        write_rfc3339_millis(out, self.received_at);
        out.extend_from_slice(b"\",\"method\":");
        json_str(out, self.method);
        out.extend_from_slice(b",\"path\":");
        json_str(out, self.path);
        out.extend_from_slice(b",\"verified\":");
        out.extend_from_slice(match self.verified {
            Some(true) => b"true",
            Some(false) => b"false",
            None => b"null",
        });
        let _ = write!(out, ",\"status\":{}", self.status);
        let single = (!self.batch).then(|| self.events.first()).flatten();
        out.extend_from_slice(b",\"event_id\":");
        opt_str(out, single.map(|e| e.id.as_ref()));
        out.extend_from_slice(b",\"event\":");
        opt_str(out, single.map(|e| e.event.as_ref()));
        out.extend_from_slice(b",\"batch\":");
        if self.batch {
            out.push(b'[');
            for (i, e) in self.events.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                out.extend_from_slice(b"{\"event_id\":");
                json_str(out, &e.id);
                out.extend_from_slice(b",\"event\":");
                json_str(out, &e.event);
                out.push(b'}');
            }
            out.push(b']');
        } else {
            out.extend_from_slice(b"null");
        }
        out.extend_from_slice(if self.duplicate { b",\"duplicate\":true" } else { b",\"duplicate\":false" });
        out.extend_from_slice(if self.filtered { b",\"filtered\":true" } else { b",\"filtered\":false" });
        out.extend_from_slice(b",\"headers\":");
        write_headers(out, self.headers);
        out.extend_from_slice(b",\"payload\":");
        let payload_at = out.len();
        match payload_form(self.body, self.body_is_json) {
            PayloadForm::Null => out.extend_from_slice(b"null"),
            PayloadForm::Verbatim => out.extend_from_slice(self.body),
            PayloadForm::Text => json_bytes(out, self.body),
        }
        out.extend_from_slice(b",\"error\":");
        opt_str(out, self.error);
        out.extend_from_slice(b",\"forward\":");
        match self.forward {
            None => out.extend_from_slice(b"null"),
            Some(f) => {
                out.extend_from_slice(b"{\"url\":");
                json_str(out, &f.url);
                out.extend_from_slice(b",\"status\":");
                match f.app_status() {
                    Some(s) => {
                        let _ = write!(out, "{}", s.as_u16());
                    }
                    None => out.extend_from_slice(b"null"),
                }
                let _ = write!(out, ",\"duration_ms\":{}", f.duration.as_millis());
                out.extend_from_slice(b",\"error\":");
                opt_str(out, f.error().as_deref());
                out.push(b'}');
            }
        }
        out.extend_from_slice(b"}\n");
        payload_at
    }
}

/// Writes `t` as `2026-01-22T10:30:00.123Z`, exactly as
/// `humantime::format_rfc3339_millis` does. Deliveries arrive many per second,
/// so the date and time of day are formatted once per second (per thread) and
/// only the milliseconds per call. Times outside humantime's range are clamped
/// to it rather than failing.
fn write_rfc3339_millis(out: &mut Vec<u8>, t: SystemTime) {
    thread_local! {
        static SECOND: Cell<(u64, [u8; 19])> = const { Cell::new((u64::MAX, [0; 19])) };
    }
    let since = t.duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = since.as_secs().min(crate::payload::LAST_SECOND);
    let prefix = SECOND.with(|cached| {
        let (at, text) = cached.get();
        if at == secs {
            return text;
        }
        // "YYYY-MM-DDTHH:MM:SSZ": keep all but the "Z".
        let full = humantime::format_rfc3339_seconds(UNIX_EPOCH + Duration::from_secs(secs)).to_string();
        let mut text = [0u8; 19];
        text.copy_from_slice(&full.as_bytes()[..19]);
        cached.set((secs, text));
        text
    });
    let ms = since.subsec_millis();
    out.extend_from_slice(&prefix);
    out.extend_from_slice(&[
        b'.',
        b'0' + (ms / 100) as u8,
        b'0' + (ms / 10 % 10) as u8,
        b'0' + (ms % 10) as u8,
        b'Z',
    ]);
}

/// Headers as a JSON object; a repeated header is combined as HTTP allows: "a, b".
pub fn write_headers(out: &mut Vec<u8>, headers: &HeaderMap) {
    out.push(b'{');
    for (i, name) in headers.keys().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        json_str(out, name.as_str());
        out.push(b':');
        let mut values = headers.get_all(name).iter();
        let first = values.next().map(|v| v.as_bytes()).unwrap_or_default();
        match values.next() {
            None => json_bytes(out, first),
            Some(second) => {
                let mut joined = first.to_vec();
                for v in std::iter::once(second).chain(values) {
                    joined.extend_from_slice(b", ");
                    joined.extend_from_slice(v.as_bytes());
                }
                json_bytes(out, &joined);
            }
        }
    }
    out.push(b'}');
}

/// A string as JSON.
pub fn json_str(out: &mut Vec<u8>, s: &str) {
    // Serialising a &str into a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *out, s);
}

/// Bytes as a JSON string, invalid UTF-8 replaced.
pub fn json_bytes(out: &mut Vec<u8>, b: &[u8]) {
    json_str(out, &String::from_utf8_lossy(b));
}

fn opt_str(out: &mut Vec<u8>, s: Option<&str>) {
    match s {
        Some(s) => json_str(out, s),
        None => out.extend_from_slice(b"null"),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::http::{Failure, FailureKind};
    use crate::listen::forward::Outcome;
    use crate::wire::parse_delivery as parse;
    use serde_json::{Value, json};
    use std::time::{Duration, UNIX_EPOCH};

    /// The fields every line has, as its committed JSON Schema requires them (the
    /// schema also allows no others).
    fn fields() -> Vec<String> {
        let schema: Value =
            serde_json::from_str(include_str!("../../schemas/listen-record.schema.json")).unwrap();
        assert_eq!(schema["additionalProperties"], false);
        let required = schema["required"].as_array().unwrap();
        required.iter().map(|f| f.as_str().unwrap().to_string()).collect()
    }

    /// A header map of these pairs, in order; a repeated name keeps every value.
    pub(crate) fn header_map(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (name, value) in pairs {
            h.append(http::HeaderName::from_bytes(name.as_bytes()).unwrap(), value.parse().unwrap());
        }
        h
    }

    fn headers() -> HeaderMap {
        header_map(&[
            ("content-type", "application/json"),
            ("x-scopien-signature", "sha256=abc"),
            ("x-multi", "a"),
            ("x-multi", "b"),
        ])
    }

    fn line(r: &Record<'_>) -> (String, Value) {
        let mut out = Vec::new();
        r.write_json(&mut out);
        let text = String::from_utf8(out).unwrap();
        assert!(text.ends_with('\n') && text.matches('\n').count() == 1, "{text}");
        let v: Value = serde_json::from_str(&text).unwrap();
        let mut got: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
        got.sort_unstable();
        let mut want = fields();
        want.sort_unstable();
        assert_eq!(got, want);
        (text, v)
    }

    /// A verified 200 `POST /hooks` record of this body, for tests.
    pub(crate) fn base<'a>(h: &'a HeaderMap, body: &'a [u8]) -> Record<'a> {
        Record {
            received_at: UNIX_EPOCH + Duration::from_millis(1_769_077_800_123),
            method: "POST",
            path: "/hooks",
            verified: Some(true),
            status: 200,
            events: &[],
            batch: false,
            duplicate: false,
            filtered: false,
            hidden: &[],
            headers: h,
            body,
            body_is_json: false,
            error: None,
            detail: None,
            forward: None,
        }
    }

    #[test]
    fn single_event_line() {
        let h = headers();
        let body =
            br#"{"id":"evt_1","event":"lead.created","timestamp":"2026-01-22T11:00:00Z","data":{"a":1}}"#;
        let parsed = parse(body).unwrap();
        let r = Record { events: parsed.events(), body_is_json: true, ..base(&h, body) };
        let (text, v) = line(&r);
        assert!(text.contains(std::str::from_utf8(body).unwrap()), "payload is verbatim");
        assert_eq!(v["received_at"], "2026-01-22T10:30:00.123Z");
        assert_eq!(v["event_id"], "evt_1");
        assert_eq!(v["event"], "lead.created");
        assert_eq!(v["batch"], Value::Null);
        assert_eq!(v["verified"], true);
        assert_eq!(v["headers"]["x-multi"], "a, b");
        assert_eq!(v["headers"]["x-scopien-signature"], "sha256=abc");
        assert_eq!(v["payload"]["data"], json!({"a":1}));
        assert_eq!(v["forward"], Value::Null);
    }

    #[test]
    fn received_at_matches_humantime_across_seconds() {
        let start = UNIX_EPOCH + Duration::from_millis(1_769_077_799_000);
        // Every 7 ms across a few second (and day) boundaries, forwards and back.
        let mut times: Vec<SystemTime> = (0..1000).map(|i| start + Duration::from_millis(i * 7)).collect();
        times.extend(times.clone().into_iter().rev());
        times.push(UNIX_EPOCH + Duration::from_millis(86_399_999));
        times.push(UNIX_EPOCH + Duration::from_millis(86_400_000));
        times.push(UNIX_EPOCH + Duration::from_nanos(1_769_077_800_999_999_999));
        for t in times {
            let mut out = Vec::new();
            write_rfc3339_millis(&mut out, t);
            assert_eq!(String::from_utf8(out).unwrap(), humantime::format_rfc3339_millis(t).to_string());
        }
        let mut out = Vec::new();
        write_rfc3339_millis(&mut out, UNIX_EPOCH - Duration::from_secs(1));
        assert_eq!(out, b"1970-01-01T00:00:00.000Z");
    }

    #[test]
    fn batch_line() {
        let h = HeaderMap::new();
        let body =
            br#"{"events":[{"id":"evt_1","event":"lead.created"},{"id":"evt_2","event":"case.closed"}]}"#;
        let parsed = parse(body).unwrap();
        let r = Record { events: parsed.events(), batch: true, body_is_json: true, ..base(&h, body) };
        let (_, v) = line(&r);
        assert_eq!(v["event_id"], Value::Null);
        assert_eq!(v["event"], Value::Null);
        assert_eq!(
            v["batch"],
            json!([{"event_id":"evt_1","event":"lead.created"},{"event_id":"evt_2","event":"case.closed"}])
        );
        assert_eq!(v["headers"], json!({}));
    }

    #[test]
    fn rejected_line_payload_forms() {
        let h = HeaderMap::new();
        let cases: [(&[u8], Value); 5] = [
            (b"not json", json!("not json")),
            (b"", Value::Null),
            (b"{\"a\":\n1}", json!("{\"a\":\n1}")),
            (b"\xff{}", json!("\u{fffd}{}")),
            (b"[1,2]", json!([1, 2])),
        ];
        for (body, want) in cases {
            let r = Record {
                verified: None,
                status: 400,
                error: Some("invalid JSON"),
                method: "PUT",
                ..base(&h, body)
            };
            let (_, v) = line(&r);
            assert_eq!(v["payload"], want);
            assert_eq!(v["error"], "invalid JSON");
            assert_eq!(v["verified"], Value::Null);
            assert_eq!(v["method"], "PUT");
        }
    }

    #[test]
    fn forward_fields() {
        let h = HeaderMap::new();
        let ok = Forwarded {
            url: "http://localhost:4000/".into(),
            port: 4000,
            duration: Duration::from_millis(12),
            outcome: Outcome::Answered {
                status: http::StatusCode::ACCEPTED,
                headers: HeaderMap::new(),
                body: bytes::Bytes::new(),
            },
        };
        let (_, v) = line(&Record { forward: Some(&ok), status: 202, ..base(&h, b"") });
        assert_eq!(
            v["forward"],
            json!({"url":"http://localhost:4000/","status":202,"duration_ms":12,"error":null})
        );
        let down =
            Forwarded { outcome: Outcome::Failed(Failure::new("localhost:1", FailureKind::Refused)), ..ok };
        let (_, v) = line(&Record { forward: Some(&down), status: 502, ..base(&h, b"") });
        assert_eq!(v["forward"]["status"], Value::Null);
        assert_eq!(v["forward"]["error"], "app unreachable: connection refused");
        assert_eq!(v["status"], 502);
    }
}
