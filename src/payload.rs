//! Making event payloads (the shape is [`crate::wire::Event`]): sample data with
//! a `--data` merge-patch, fresh ids, timestamps. A [`Template`] renders the fixed
//! parts of an event once, so a sender producing thousands of events only writes
//! the id and the timestamp per event.

use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::Value;

use crate::catalog;
use crate::error::{Error, Result};
use crate::ids;
use crate::wire::Event;

/// The current time as RFC 3339 UTC with whole seconds: `2026-01-22T11:00:00Z`.
pub fn timestamp_now() -> String {
    timestamp_at(SystemTime::now())
}

/// The last second RFC 3339 can write: 9999-12-31T23:59:59Z, in Unix seconds.
pub const LAST_SECOND: u64 = 253_402_300_799;

/// A time as RFC 3339 UTC with whole seconds. Times RFC 3339 cannot write (before
/// 1970 or past year 9999, from a broken clock or an absurd computed due time)
/// are written as the nearest it can.
pub fn timestamp_at(t: SystemTime) -> String {
    let secs = t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs().min(LAST_SECOND));
    humantime::format_rfc3339_seconds(UNIX_EPOCH + Duration::from_secs(secs)).to_string()
}

/// Parses an RFC 3339 timestamp.
pub fn parse_timestamp(s: &str) -> Option<SystemTime> {
    humantime::parse_rfc3339(s).or_else(|_| humantime::parse_rfc3339_weak(s)).ok()
}

/// Reads a `--data` value: inline JSON, or `@file` holding JSON (`@-`: stdin, as curl reads it).
pub fn read_data_arg(arg: &str) -> Result<Value> {
    let (text, origin) = match arg.strip_prefix('@') {
        Some("-") => {
            let mut text = String::new();
            std::io::Read::read_to_string(&mut std::io::stdin().lock(), &mut text)
                .map_err(|e| Error::usage(format!("cannot read --data from stdin: {e}")))?;
            (text, "stdin".to_string())
        }
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| Error::unreadable("data file", Path::new(path), &e))?;
            (text, format!("'{path}'"))
        }
        None => (arg.to_string(), "--data".to_string()),
    };
    serde_json::from_str(&text).map_err(|e| {
        Error::usage(format!("{origin} is not valid JSON: {e}"))
            .with_hint("pass a JSON object, e.g. --data '{\"amount\": 5000}', or @file.json")
    })
}

/// The sample `data` of `event` with `patch` applied as a JSON merge-patch (RFC 7396).
/// A patched field that the sample's `changes` lists becomes that change's `new`
/// value, so `changes` never contradicts `data`.
pub fn sample_data(event: &str, patch: Option<&Value>) -> (Value, Option<Value>) {
    let (mut data, mut changes) = catalog::sample(event);
    if let Some(p) = patch {
        json_patch::merge(&mut data, p);
        if let (Some(changes), Value::Object(patched)) = (&mut changes, p) {
            carry_into_changes(changes, &data, |field| patched.contains_key(field));
        }
    }
    (data, changes)
}

/// Sets each change's `new` to the field's value in `data`, for the fields
/// `given` names, so `changes` never contradicts `data`.
pub fn carry_into_changes(changes: &mut Value, data: &Value, given: impl Fn(&str) -> bool) {
    let Value::Object(changes) = changes else {
        return;
    };
    for (field, change) in changes.iter_mut() {
        if given(field)
            && let Value::Object(change) = change
        {
            change.insert("new".into(), data.get(field).cloned().unwrap_or(Value::Null));
        }
    }
}

/// A whole event with a fresh id and the current time.
pub fn new_event(event: &str, data: Value, changes: Option<Value>) -> Event {
    Event { id: ids::event_id(), event: event.to_string(), timestamp: timestamp_now(), data, changes }
}

/// The fixed parts of an event's JSON, rendered once. Rendering one event then
/// writes `head + id + mid + timestamp + tail` with no JSON serialisation.
/// The output is byte-for-byte what `serde_json::to_vec(&Event)` produces.
#[derive(Debug, Clone)]
pub struct Template {
    head: Vec<u8>,
    mid: Vec<u8>,
    tail: Vec<u8>,
}

impl Template {
    /// A template for `event` with this `data` and `changes`.
    pub fn new(event: &str, data: &Value, changes: Option<&Value>) -> Self {
        let name = serde_json::to_string(event).expect("a string serialises");
        let mut tail = br#"","data":"#.to_vec();
        serde_json::to_writer(&mut tail, data).expect("a Value serialises");
        if let Some(c) = changes {
            tail.extend_from_slice(br#","changes":"#);
            serde_json::to_writer(&mut tail, c).expect("a Value serialises");
        }
        tail.push(b'}');
        Template {
            head: br#"{"id":""#.to_vec(),
            mid: format!(r#"","event":{name},"timestamp":""#).into_bytes(),
            tail,
        }
    }

    /// A template for a catalog event's sample data with an optional merge-patch.
    /// The `webhook.failed` notification also repeats its `data` fields at the top
    /// level, where the docs show them (as the emulator sends it).
    pub fn sample(event: &str, patch: Option<&Value>) -> Self {
        let (data, changes) = sample_data(event, patch);
        let mut template = Template::new(event, &data, changes.as_ref());
        if event == catalog::WEBHOOK_FAILED
            && let Value::Object(fields) = &data
        {
            template.tail.pop();
            for (k, v) in fields {
                if matches!(k.as_str(), "id" | "event" | "timestamp" | "data" | "changes") {
                    continue;
                }
                template.tail.push(b',');
                serde_json::to_writer(&mut template.tail, k).expect("a string serialises");
                template.tail.push(b':');
                serde_json::to_writer(&mut template.tail, v).expect("a Value serialises");
            }
            template.tail.push(b'}');
        }
        template
    }

    /// Appends the event with this id and timestamp to `out`. Both must be plain
    /// ASCII without quotes or backslashes, as generated ids and timestamps are.
    pub fn render_into(&self, out: &mut Vec<u8>, id: &str, timestamp: &str) {
        debug_assert!(!id.contains(['"', '\\']) && !timestamp.contains(['"', '\\']));
        out.reserve(self.head.len() + id.len() + self.mid.len() + timestamp.len() + self.tail.len());
        out.extend_from_slice(&self.head);
        out.extend_from_slice(id.as_bytes());
        out.extend_from_slice(&self.mid);
        out.extend_from_slice(timestamp.as_bytes());
        out.extend_from_slice(&self.tail);
    }

    /// The event with this id and timestamp as a new buffer.
    pub fn render(&self, id: &str, timestamp: &str) -> Vec<u8> {
        let mut out = Vec::new();
        self.render_into(&mut out, id, timestamp);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_samples_own_data_agrees_with_their_changes() {
        for e in catalog::EVENTS {
            let (data, changes) = catalog::sample(e.name);
            let Some(mut carried) = changes.clone() else { continue };
            carry_into_changes(&mut carried, &data, |f| data.get(f).is_some());
            assert_eq!(Some(carried), changes, "{}", e.name);
        }
    }

    #[test]
    fn given_fields_carry_into_changes() {
        let mut changes = json!({"amount": {"old": 1, "new": 2}, "stage": {"old": "a", "new": "b"}});
        carry_into_changes(&mut changes, &json!({"amount": 5, "stage": "c"}), |f| f == "amount");
        assert_eq!(changes, json!({"amount": {"old": 1, "new": 5}, "stage": {"old": "a", "new": "b"}}));
    }

    #[test]
    fn template_matches_serde() {
        for e in catalog::EVENTS {
            let (data, changes) = sample_data(e.name, None);
            let t = Template::new(e.name, &data, changes.as_ref());
            let ev = Event {
                id: "evt_abc".into(),
                event: e.name.into(),
                timestamp: "2026-01-22T11:00:00Z".into(),
                data,
                changes,
            };
            assert_eq!(t.render("evt_abc", "2026-01-22T11:00:00Z"), serde_json::to_vec(&ev).unwrap());
        }
    }

    #[test]
    fn webhook_failed_sample_repeats_its_fields_at_the_top() {
        let body = Template::sample(catalog::WEBHOOK_FAILED, None).render("evt_abc", "2026-01-22T11:00:00Z");
        let v: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(v["event"], "webhook.failed");
        for field in ["webhookId", "url", "failureCount", "lastError", "disabled"] {
            assert_eq!(v[field], v["data"][field], "{field}");
        }
        assert_eq!(v["disabled"], true);
        assert!(matches!(crate::wire::parse_delivery(&body), Ok(crate::wire::Parsed::Single(_))));
    }

    #[test]
    fn merge_patch_applies() {
        let patch = json!({"amount": 5000, "previousStage": null, "extra": {"a": 1}});
        let (data, _) = sample_data("opportunity.updated", Some(&patch));
        assert_eq!(data["amount"], 5000);
        assert!(data.get("previousStage").is_none());
        assert_eq!(data["extra"]["a"], 1);
        assert_eq!(data["name"], "Acme Corp Deal");
    }

    #[test]
    fn patched_fields_carry_into_changes() {
        let (_, before) = sample_data("opportunity.updated", None);
        let before = before.unwrap();
        let changed: Vec<&String> = before.as_object().unwrap().keys().collect();
        assert!(changed.iter().any(|k| *k == "amount"), "{before}");
        let patch = json!({"amount": 250000, "name": "Other"});
        let (data, changes) = sample_data("opportunity.updated", Some(&patch));
        let changes = changes.unwrap();
        assert_eq!(data["amount"], 250000);
        assert_eq!(changes["amount"]["new"], 250000);
        assert_eq!(changes["amount"]["old"], before["amount"]["old"], "the old value stays");
        assert!(changes.get("name").is_none(), "no change is made up for a field the sample does not change");
        for (k, v) in before.as_object().unwrap() {
            if k != "amount" {
                assert_eq!(&changes[k], v, "{k} untouched");
            }
        }
        let (_, removed) = sample_data("opportunity.updated", Some(&json!({"amount": null})));
        assert_eq!(removed.unwrap()["amount"]["new"], Value::Null);
    }

    #[test]
    fn timestamps_are_whole_seconds_utc() {
        let t = timestamp_now();
        assert_eq!(t.len(), 20, "{t}");
        assert!(t.ends_with('Z'));
        assert!(parse_timestamp(&t).is_some());
        assert!(parse_timestamp("yesterday").is_none());
    }

    #[test]
    fn new_events_have_fresh_ids() {
        let a = new_event("lead.created", json!({}), None);
        let b = new_event("lead.created", json!({}), None);
        assert_ne!(a.id, b.id);
        assert!(a.id.starts_with("evt_") && a.id.len() == 28);
    }

    #[test]
    fn data_arg() {
        assert_eq!(read_data_arg(r#"{"a":1}"#).unwrap(), json!({"a":1}));
        assert_eq!(read_data_arg("{nope").unwrap_err().exit_code(), 2);
        assert_eq!(read_data_arg("@/nonexistent/file.json").unwrap_err().exit_code(), 2);
    }
}
