//! Management API models, camelCase on the wire. Shared by the client (which
//! reads them) and the emulator (which serves them). A missing `Option` field
//! reads as `None` without being marked: only the others say `#[serde(default)]`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Whether a webhook receives deliveries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum WebhookStatus {
    /// Deliveries are made.
    #[default]
    Active,
    /// Nothing is delivered.
    Disabled,
}

impl WebhookStatus {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            WebhookStatus::Active => "active",
            WebhookStatus::Disabled => "disabled",
        }
    }
}

/// A webhook subscription.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Webhook {
    /// `wh_…`
    pub id: String,
    /// Where deliveries go.
    pub url: String,
    /// Subscribed event patterns.
    #[serde(default)]
    pub events: Vec<String>,
    /// Free text.
    pub description: Option<String>,
    /// Signing secret (`whsec_…`).
    pub secret: Option<String>,
    /// Active or disabled.
    #[serde(default)]
    pub status: WebhookStatus,
    /// Custom headers added to every delivery.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// Filters on the event `data`.
    #[serde(default)]
    pub filters: Map<String, Value>,
    /// Whether deliveries are batched.
    #[serde(default)]
    pub batch: bool,
    /// Most events per batch.
    pub max_batch_size: Option<u32>,
    /// Seconds to wait before sending a partial batch.
    pub max_wait_time: Option<u64>,
    /// RFC 3339.
    pub created_at: Option<String>,
    /// RFC 3339.
    pub updated_at: Option<String>,
}

/// `POST /webhooks` body.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateWebhook {
    /// Where deliveries go.
    pub url: String,
    /// Event patterns.
    pub events: Vec<String>,
    /// Free text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Signing secret; generated when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
    /// Custom headers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub headers: Option<BTreeMap<String, String>>,
    /// Filters on `data`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub filters: Option<Map<String, Value>>,
    /// Batch deliveries.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub batch: Option<bool>,
    /// Most events per batch (1..=100).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_batch_size: Option<u32>,
    /// Seconds before a partial batch is sent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_wait_time: Option<u64>,
}

/// `PATCH /webhooks/{id}` body: only the fields that change.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateWebhook {
    /// New URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// New event patterns.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub events: Option<Vec<String>>,
    /// New description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// New headers (empty clears them).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub headers: Option<BTreeMap<String, String>>,
    /// New filters (empty clears them).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub filters: Option<Map<String, Value>>,
    /// Batching on or off.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub batch: Option<bool>,
    /// Most events per batch.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_batch_size: Option<u32>,
    /// Seconds before a partial batch is sent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_wait_time: Option<u64>,
}

impl UpdateWebhook {
    /// True when nothing would change.
    pub fn is_empty(&self) -> bool {
        *self == UpdateWebhook::default()
    }
}

/// The state of one delivery attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DeliveryStatus {
    /// Answered 2xx.
    Succeeded,
    /// Failed; may be retried.
    Failed,
    /// Not attempted yet.
    Pending,
}

impl DeliveryStatus {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryStatus::Succeeded => "succeeded",
            DeliveryStatus::Failed => "failed",
            DeliveryStatus::Pending => "pending",
        }
    }
}

/// One delivery attempt in a webhook's log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Delivery {
    /// `dlv_…`
    pub id: String,
    /// The webhook delivered to.
    #[serde(default)]
    pub webhook_id: String,
    /// The event delivered (the first one, for a batch).
    #[serde(default)]
    pub event_id: String,
    /// The event name.
    #[serde(default)]
    pub event: String,
    /// 1-based attempt number.
    #[serde(default)]
    pub attempt: u32,
    /// Outcome.
    pub status: DeliveryStatus,
    /// HTTP status of the answer, if one came.
    pub response_status: Option<u16>,
    /// What went wrong, if anything.
    pub error: Option<String>,
    /// How long the attempt took.
    pub duration_ms: Option<u64>,
    /// RFC 3339.
    #[serde(default)]
    pub created_at: String,
    /// When the next attempt is due, if one is scheduled.
    pub next_retry_at: Option<String>,
    /// The first 4 KiB of the answer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response_body: Option<String>,
}

/// `{"data": …}`
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Envelope<T> {
    /// The payload.
    pub data: T,
}

/// A list page: `{"data":[…],"hasMore":bool,"nextCursor":…}`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Page<T> {
    /// The items.
    pub data: Vec<T>,
    /// Whether another page follows.
    #[serde(default)]
    pub has_more: bool,
    /// Cursor for the next page.
    pub next_cursor: Option<String>,
}

/// `{"error":{"code","message"}}`
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ErrorBody {
    /// The error.
    pub error: ApiError,
}

/// An API error.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApiError {
    /// Machine-readable code.
    pub code: String,
    /// Human-readable message.
    pub message: String,
}

/// `POST /webhooks/{id}/test` body.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TestRequest {
    /// The event to send.
    pub event: String,
}

/// `POST /events` body (emulator).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EmitRequest {
    /// The event name.
    #[serde(default)]
    pub event: String,
    /// The event data; the catalog sample when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data: Option<Value>,
}

/// `DELETE /webhooks/{id}` answer.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Deleted {
    /// The deleted webhook.
    pub id: String,
    /// Always true.
    pub deleted: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn webhook_accepts_the_docs_minimal_response() {
        let w: Webhook = serde_json::from_value(json!({
            "id": "wh_abc123", "url": "https://your-app.com/webhooks/scopien",
            "events": ["opportunity.updated", "lead.created"], "secret": "whsec_abc123def456",
            "status": "active", "createdAt": "2026-01-22T10:00:00Z"
        }))
        .unwrap();
        assert_eq!(w.status, WebhookStatus::Active);
        assert!(w.headers.is_empty());
    }

    #[test]
    fn delivery_reads_a_sparse_answer() {
        // An API that leaves out what the view can do without is still readable.
        let d: Delivery = serde_json::from_value(json!({
            "id": "dlv_1", "status": "succeeded", "responseStatus": 200, "durationMs": 234
        }))
        .unwrap();
        assert_eq!((d.status, d.attempt, d.event.as_str()), (DeliveryStatus::Succeeded, 0, ""));
    }

    #[test]
    fn update_skips_unchanged_fields() {
        let u = UpdateWebhook { url: Some("https://x".into()), ..Default::default() };
        assert_eq!(serde_json::to_value(&u).unwrap(), json!({"url": "https://x"}));
        assert!(UpdateWebhook::default().is_empty());
        let c = CreateWebhook {
            url: "https://x".into(),
            events: vec!["*".into()],
            max_batch_size: Some(5),
            ..Default::default()
        };
        assert_eq!(
            serde_json::to_value(&c).unwrap(),
            json!({"url": "https://x", "events": ["*"], "maxBatchSize": 5})
        );
    }
}
