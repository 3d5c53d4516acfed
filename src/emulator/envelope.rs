//! Events as the emulator stores and delivers them: the usual envelope
//! `{"id","event","timestamp","data","changes"?}`, and for the `webhook.failed`
//! notification the `data` fields repeated at the top level, where the docs
//! show them (`{"event":"webhook.failed","webhookId",…,"disabled":true}`).

use serde::Serialize;
use serde_json::Value;

use super::storage::NewEvent;
use crate::payload::{self, Template};
use crate::{catalog, ids};

/// A new event with a fresh id and the current time, rendered once for storage
/// and delivery.
pub fn new_event(name: &str, data: Value, changes: Option<&Value>) -> NewEvent {
    let id = ids::event_id();
    let timestamp = payload::timestamp_now();
    let mut body = Template::new(name, &data, changes).render(&id, &timestamp);
    if name == catalog::WEBHOOK_FAILED
        && let Value::Object(fields) = &data
    {
        // Re-open the object and repeat the notification's fields at the top.
        body.pop();
        for (k, v) in fields {
            if matches!(k.as_str(), "id" | "event" | "timestamp" | "data" | "changes") {
                continue;
            }
            body.push(b',');
            serde_json::to_writer(&mut body, k).expect("a string serialises");
            body.push(b':');
            serde_json::to_writer(&mut body, v).expect("a Value serialises");
        }
        body.push(b'}');
    }
    NewEvent { id, name: name.to_string(), body, data }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct FailedData<'a> {
    webhook_id: &'a str,
    url: &'a str,
    failure_count: u32,
    last_error: &'a str,
    disabled: bool,
}

/// The `webhook.failed` notification for a webhook disabled after `failure_count` failures.
pub fn webhook_failed(webhook_id: &str, url: &str, failure_count: u32, last_error: &str) -> NewEvent {
    let data =
        serde_json::to_value(FailedData { webhook_id, url, failure_count, last_error, disabled: true })
            .expect("plain fields serialise");
    new_event(catalog::WEBHOOK_FAILED, data, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn webhook_failed_repeats_fields_at_the_top() {
        let ev = webhook_failed("wh_abc123", "https://your-app.com/webhook", 6, "Connection timeout");
        let v: Value = serde_json::from_slice(&ev.body).unwrap();
        assert_eq!(v["event"], "webhook.failed");
        assert_eq!(v["id"], ev.id.as_str());
        for (k, want) in [
            ("webhookId", Value::from("wh_abc123")),
            ("url", Value::from("https://your-app.com/webhook")),
            ("failureCount", Value::from(6)),
            ("lastError", Value::from("Connection timeout")),
            ("disabled", Value::from(true)),
        ] {
            assert_eq!(v[k], want, "{k} at the top");
            assert_eq!(v["data"][k], want, "{k} in data");
        }
    }

    #[test]
    fn other_events_are_the_plain_envelope() {
        let (data, changes) = catalog::sample("opportunity.updated");
        let ev = new_event("opportunity.updated", data.clone(), changes.as_ref());
        let parsed: crate::wire::Event = serde_json::from_slice(&ev.body).unwrap();
        assert_eq!(parsed.data, data);
        assert_eq!(parsed.changes, changes);
        assert_eq!(ev.data, data);
    }
}
