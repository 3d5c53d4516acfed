//! `replay FILE --to URL`: re-sends deliveries saved by `listen --save` (NDJSON,
//! one delivery per line). Each body goes out byte for byte as it was received:
//! the raw text of an object/array `payload`, or the bytes of a string one. It
//! carries its saved signature headers (or fresh ones with `--secret`, in the
//! `--scheme`'s headers, with a new timestamp where the scheme signs one), its saved
//! content type and its other saved headers, except those that belong to the
//! old connection. Deliveries go one at a time, in file order, paced by `--rate`.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

use bytes::Bytes;
use http::header::{CONTENT_TYPE, HOST, USER_AGENT};
use http::{HeaderMap, HeaderName, HeaderValue};
use serde::Deserialize;
use serde_json::value::RawValue;
use tokio::io::AsyncBufReadExt;

use crate::error::{Error, ExitStatus, Result};
use crate::output::Printer;
use crate::signature::{Scheme, standard};
use crate::{catalog, units};

use super::generator::{EventId, SignatureHeaders, Signing};
use super::headers::USER_AGENT_VALUE;
use super::pacer::Pacer;
use super::report::{self, Sending, Signatures};
use super::stats::{DeliveryRecord, KEEP_DELIVERIES, Tally};
use super::transport::{Attempt, Client};
use crate::target::Target;

/// Saved headers set afresh for the new request (besides the hop-by-hop ones).
const DROPPED_HEADERS: &[&str] = &["expect", "host", "content-length", "user-agent"];

/// One event of a saved batch.
#[derive(Debug, Deserialize)]
struct SavedEvent {
    #[serde(default)]
    event_id: Option<String>,
    #[serde(default)]
    event: Option<String>,
}

/// The fields of a `listen --save` line that replay needs.
#[derive(Debug, Deserialize)]
struct SavedLine {
    #[serde(default)]
    event_id: Option<String>,
    #[serde(default)]
    event: Option<String>,
    #[serde(default)]
    batch: Option<Vec<SavedEvent>>,
    #[serde(default)]
    headers: Option<serde_json::Map<String, serde_json::Value>>,
    #[serde(default)]
    payload: Option<Box<RawValue>>,
}

/// A saved delivery ready to send again.
#[derive(Debug)]
pub struct Saved {
    /// The exact body.
    pub body: Bytes,
    /// The saved headers worth sending (no signature, no hop-by-hop ones).
    pub headers: Vec<(HeaderName, HeaderValue)>,
    /// The saved headers of the scheme's signature (none when it came unsigned).
    pub signature: Vec<(HeaderName, HeaderValue)>,
    /// The message id the scheme signed (Standard Webhooks' `webhook-id`), if saved.
    pub message_id: Option<String>,
    /// `(event_id, event)` of each event in the delivery (one for a single event).
    pub events: Vec<(Option<String>, Option<String>)>,
    /// Whether the body was a batch.
    pub batch: bool,
}

/// Why a line is not replayed.
#[derive(Debug, PartialEq, Eq)]
pub enum Skip {
    /// Blank line.
    Blank,
    /// Not JSON of the saved shape.
    Malformed(String),
    /// No body was saved (`payload` null or absent).
    NoPayload,
}

/// Reads one saved line, telling the `scheme`'s signature headers apart.
pub fn parse_line(line: &[u8], scheme: Scheme) -> std::result::Result<Saved, Skip> {
    if line.trim_ascii().is_empty() {
        return Err(Skip::Blank);
    }
    let saved: SavedLine = serde_json::from_slice(line).map_err(|e| Skip::Malformed(e.to_string()))?;
    let raw = saved.payload.ok_or(Skip::NoPayload)?;
    let text = raw.get();
    let body = if text.starts_with('"') {
        let s: String = serde_json::from_str(text).map_err(|e| Skip::Malformed(e.to_string()))?;
        Bytes::from(s)
    } else {
        Bytes::copy_from_slice(text.as_bytes())
    };
    let mut headers = Vec::new();
    let mut signature = Vec::new();
    let mut message_id = None;
    for (name, value) in saved.headers.iter().flatten() {
        let Some(value) = value.as_str() else { continue };
        let lower = name.to_ascii_lowercase();
        if crate::http::hop_by_hop::is_hop_by_hop(&lower) || DROPPED_HEADERS.contains(&lower.as_str()) {
            continue;
        }
        let (Ok(n), Ok(v)) = (HeaderName::from_bytes(lower.as_bytes()), HeaderValue::from_str(value)) else {
            continue;
        };
        let pair = (n, v);
        if lower == standard::ID || lower == standard::SVIX[0] {
            message_id = Some(value.to_string());
        }
        if scheme.headers().iter().any(|h| h.eq_ignore_ascii_case(&lower)) {
            signature.push(pair);
        } else {
            headers.push(pair);
        }
    }
    let (events, batch) = match saved.batch {
        Some(list) if !list.is_empty() => (list.into_iter().map(|e| (e.event_id, e.event)).collect(), true),
        _ => (vec![(saved.event_id, saved.event)], false),
    };
    Ok(Saved { body, headers, signature, message_id, events, batch })
}

/// Whether a saved delivery passes `--event` and `--id` (a batch passes when any event does).
pub fn selected(saved: &Saved, patterns: &[String], ids: &[String]) -> bool {
    let events_ok = patterns.is_empty()
        || saved.events.iter().any(|(_, e)| e.as_deref().is_some_and(|e| catalog::matches_any(patterns, e)));
    let ids_ok =
        ids.is_empty() || saved.events.iter().any(|(id, _)| id.as_ref().is_some_and(|id| ids.contains(id)));
    events_ok && ids_ok
}

/// Where the saved deliveries are read from.
pub type Input = Box<dyn tokio::io::AsyncRead + Unpin + Send>;

/// One `replay` run, checked before the first line is read.
pub struct Replay {
    /// Where the deliveries go.
    pub target: Target,
    /// The file's name as given, for messages.
    pub file: PathBuf,
    /// The opened file (or stdin's bytes).
    pub input: Input,
    /// Only events matching these patterns (empty: all).
    pub events: Vec<String>,
    /// Only these event ids (empty: all).
    pub ids: Vec<String>,
    /// Whose signature headers the saved deliveries carry.
    pub scheme: Scheme,
    /// Re-signs each body instead of sending the saved signature.
    pub signer: Option<Signing>,
    /// Deliveries per second.
    pub rate: Option<f64>,
    /// Per-request timeout.
    pub timeout: Duration,
}

/// Re-sends the selected deliveries one at a time, in file order, then prints
/// the summary; the result is the run's verdict.
pub async fn run(replay: Replay, printer: &Printer) -> Result<ExitStatus> {
    let Replay { target, file, input, events, ids, scheme, signer, rate, timeout } = replay;
    let client = Client::new(&target, timeout, 0, 1).await?;
    let mut conn = client.connection();
    let pacer = rate.map(Pacer::new);

    let mut tally = Tally::new(true);
    let mut names: HashSet<String> = HashSet::new();
    let mut reader = tokio::io::BufReader::new(input);
    let mut line = Vec::new();
    let (mut line_no, mut skipped, mut requests, mut unsigned) = (0u64, 0u64, 0u64, 0u64);
    let (stop, watcher) = super::engine::interrupt_token();
    let start = std::time::Instant::now();
    loop {
        if stop.is_cancelled() {
            printer.warn(&format!("interrupted after {}", units::plural(requests, "delivery", "deliveries")));
            break;
        }
        line.clear();
        let n = reader
            .read_until(b'\n', &mut line)
            .await
            .map_err(|e| Error::unreadable("saved deliveries", &file, &e))?;
        if n == 0 {
            break;
        }
        line_no += 1;
        let saved = match parse_line(&line, scheme) {
            Ok(s) => s,
            Err(Skip::Blank) => continue,
            Err(Skip::Malformed(why)) => {
                skipped += 1;
                printer.warn(&format!("line {line_no}: not a saved delivery ({why}); skipped"));
                continue;
            }
            Err(Skip::NoPayload) => {
                skipped += 1;
                printer.warn(&format!("line {line_no}: no payload was saved; skipped"));
                continue;
            }
        };
        if !selected(&saved, &events, &ids) {
            continue;
        }
        // Re-signed as the same message (its saved id), at this moment.
        let signature = match &signer {
            Some(s) => {
                let fresh = EventId::fresh();
                let id =
                    saved.message_id.as_deref().or(saved.events[0].0.as_deref()).unwrap_or(fresh.as_str());
                s.sign(id, &saved.body)
            }
            None => SignatureHeaders::default(),
        };
        if signer.is_none() && saved.signature.is_empty() {
            unsigned += 1;
        }
        let headers = request_headers(&target, &saved, signer.is_none());
        if let Some(p) = &pacer {
            tokio::select! {
                () = p.wait(1) => {}
                () = stop.cancelled() => continue,
            }
        }
        let attempt = conn.send(&headers, &signature, saved.body.clone()).await;
        requests += 1;
        record(&mut tally, &saved, &attempt, requests);
        for (_, e) in &saved.events {
            if let Some(e) = e {
                names.insert(e.clone());
            }
        }
        if !printer.json() {
            printer.out_line(&report::delivery_line(&display_record(&saved, &attempt)));
        }
    }
    let elapsed = start.elapsed();
    watcher.abort();
    if unsigned > 0 {
        printer.warn(&format!(
            "{} had no signature and went unsigned (pass --secret to sign them)",
            units::plural(unsigned, "saved delivery", "saved deliveries")
        ));
    }
    if requests == 0 {
        let why = if skipped > 0 {
            format!(" ({} skipped)", units::plural(skipped, "line", "lines"))
        } else {
            String::new()
        };
        let what = if events.is_empty() && ids.is_empty() {
            "holds no saved deliveries"
        } else {
            "has no saved delivery matching --event/--id"
        };
        return Err(Error::failure(format!("'{}' {what}{why}: nothing was sent", display(&file))));
    }
    tally.finish();
    let event = (names.len() == 1).then(|| names.iter().next().cloned()).flatten();
    if printer.json() {
        printer.out_json(&report::summary_json(&target.given, event.as_deref(), &tally, elapsed));
    } else {
        let skipped_note = if skipped > 0 {
            format!("; {} skipped", units::plural(skipped, "line", "lines"))
        } else {
            String::new()
        };
        printer.status(&format!(
            "Replayed {} ({}) to {}: {} succeeded, {} failed{skipped_note}",
            units::plural(requests, "delivery", "deliveries"),
            units::plural(tally.sent, "event", "events"),
            target.given,
            tally.succeeded,
            tally.failed
        ));
    }
    let signatures = match &signer {
        Some(_) => Signatures::Fresh,
        None if unsigned > 0 => Signatures::None,
        None => Signatures::Saved,
    };
    let verdict = report::verdict(&target, &tally, Sending { replay: true, signatures });
    match verdict {
        Ok(_) if stop.is_cancelled() => Err(Error::failure(format!(
            "interrupted after {}; the rest were not sent",
            units::plural(requests, "delivery", "deliveries")
        ))),
        other => other,
    }
}

fn display(p: &Path) -> String {
    p.display().to_string()
}

/// The headers of one replayed request: Host and User-Agent afresh, the saved
/// content type (JSON when none was saved) and the other saved headers.
/// The request's headers: the saved ones, with the saved signature headers
/// unless the body is re-signed.
fn request_headers(target: &Target, saved: &Saved, saved_signature: bool) -> HeaderMap {
    let mut map = HeaderMap::with_capacity(3 + saved.headers.len() + saved.signature.len());
    map.insert(HOST, target.host_header.clone());
    map.insert(USER_AGENT, HeaderValue::from_static(USER_AGENT_VALUE));
    let resent: &[_] = if saved_signature { &saved.signature } else { &[] };
    for (n, v) in saved.headers.iter().chain(resent) {
        map.append(n.clone(), v.clone());
    }
    if !map.contains_key(CONTENT_TYPE) {
        map.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    }
    map
}

fn record(tally: &mut Tally, saved: &Saved, attempt: &Attempt, index: u64) {
    let events = saved.events.len() as u64;
    let error = attempt.result.as_ref().err().map(ToString::to_string);
    tally.record_latency(attempt);
    tally.record_outcome(events, attempt, error.as_deref());
    if let Some(records) = &mut tally.deliveries {
        for (id, event) in &saved.events {
            records.push(DeliveryRecord {
                index,
                event_id: id.clone(),
                event: event.clone(),
                status: attempt.status(),
                duration: attempt.duration,
                attempts: 1,
                error: error.clone(),
            });
        }
        // Past the cap the per-event list is dropped, as send-test does.
        if records.len() as u64 > KEEP_DELIVERIES {
            tally.deliveries = None;
        }
    }
}

/// The record shown on the human line for one replayed request.
fn display_record(saved: &Saved, attempt: &Attempt) -> DeliveryRecord {
    let (event_id, event) = if saved.batch {
        let first = saved.events.first().and_then(|(_, e)| e.clone()).unwrap_or_default();
        (None, Some(format!("batch of {} ({first}…)", saved.events.len())))
    } else {
        saved.events.first().cloned().unwrap_or((None, None))
    };
    DeliveryRecord {
        index: 0,
        event_id,
        event,
        status: attempt.status(),
        duration: attempt.duration,
        attempts: 1,
        error: attempt.result.as_ref().err().map(ToString::to_string),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_payloads_are_kept_byte_for_byte() {
        let line = br#"{"event_id":"evt_1","event":"lead.created","headers":{"x-scopien-signature":"sha256=ab","content-type":"application/json; charset=utf-8","host":"old:1","x-custom":"v","content-length":"9"},"payload":{"id": "evt_1",  "event":"lead.created"}}"#;
        let s = parse_line(line, Scheme::Scopien).unwrap();
        assert_eq!(&s.body[..], br#"{"id": "evt_1",  "event":"lead.created"}"#);
        assert_eq!(
            s.signature,
            [(HeaderName::from_static("x-scopien-signature"), HeaderValue::from_static("sha256=ab"))]
        );
        let names: Vec<_> = s.headers.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["content-type", "x-custom"]);
        assert_eq!(s.events, vec![(Some("evt_1".into()), Some("lead.created".into()))]);
    }

    #[test]
    fn string_payloads_are_their_bytes() {
        let s = parse_line(br#"{"payload":"not json\nat all","headers":{}}"#, Scheme::Scopien).unwrap();
        assert_eq!(&s.body[..], b"not json\nat all");
        assert!(s.signature.is_empty());
    }

    #[test]
    fn skips() {
        assert_eq!(parse_line(b"  \n", Scheme::Scopien).unwrap_err(), Skip::Blank);
        assert_eq!(parse_line(br#"{"payload":null}"#, Scheme::Scopien).unwrap_err(), Skip::NoPayload);
        assert_eq!(parse_line(br#"{"event":"x"}"#, Scheme::Scopien).unwrap_err(), Skip::NoPayload);
        assert!(matches!(parse_line(b"{oops", Scheme::Scopien).unwrap_err(), Skip::Malformed(_)));
    }

    #[test]
    fn filters_by_event_and_id() {
        let line = br#"{"batch":[{"event_id":"evt_a","event":"lead.created"},{"event_id":"evt_b","event":"case.closed"}],"payload":{"events":[]}}"#;
        let s = parse_line(line, Scheme::Scopien).unwrap();
        assert!(s.batch);
        assert!(selected(&s, &["case.*".into()], &[]));
        assert!(!selected(&s, &["task.*".into()], &[]));
        assert!(selected(&s, &[], &["evt_b".into()]));
        assert!(!selected(&s, &["lead.created".into()], &["evt_z".into()]));
    }
}
