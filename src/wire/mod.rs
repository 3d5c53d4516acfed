//! What crosses the network between Scopien and a receiver, written once: the
//! event shape, the `{"events":[…]}` batch wrapper, the delivery parser, and the
//! headers that belong to the sender rather than to the user. Everything that
//! writes or reads a delivery (`send-test`, `replay`, `listen`, `trigger`, the
//! emulator) goes through here.

mod delivery;
mod provider;

pub use delivery::{EventRef, ParseError, Parsed, is_json, parse_delivery};
pub use provider::parse_provider;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::http::hop_by_hop;

/// One event as it travels in a delivery: `{"id","event","timestamp","data","changes"?}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// `evt_` + 24 alphanumerics.
    pub id: String,
    /// The event name.
    pub event: String,
    /// RFC 3339 UTC, whole seconds, `Z`.
    pub timestamp: String,
    /// The object the event is about.
    pub data: Value,
    /// `{field: {"old", "new"}}` where the event has changes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub changes: Option<Value>,
}

const BATCH_OPEN: &[u8] = br#"{"events":["#;
const BATCH_CLOSE: &[u8] = b"]}";

/// The exact length of a batch of `count` items whose JSON totals `items_len` bytes.
pub fn batch_len(count: usize, items_len: usize) -> usize {
    BATCH_OPEN.len() + items_len + count.saturating_sub(1) + BATCH_CLOSE.len()
}

/// Appends `{"events":[…]}` to `out`, with `write_item` appending each of the
/// `count` items (already JSON) in turn; nothing is re-serialised.
pub fn write_batch(out: &mut Vec<u8>, count: usize, mut write_item: impl FnMut(&mut Vec<u8>)) {
    out.extend_from_slice(BATCH_OPEN);
    for i in 0..count {
        if i > 0 {
            out.push(b',');
        }
        write_item(out);
    }
    out.extend_from_slice(BATCH_CLOSE);
}

/// Wraps already-rendered events as `{"events":[e1,e2,…]}`.
pub fn batch_body<B: AsRef<[u8]>>(events: &[B]) -> Vec<u8> {
    let mut out = Vec::with_capacity(batch_len(events.len(), events.iter().map(|e| e.as_ref().len()).sum()));
    let mut items = events.iter();
    write_batch(&mut out, events.len(), |out| {
        out.extend_from_slice(items.next().map_or(&[][..], AsRef::as_ref));
    });
    out
}

/// Headers the sender writes itself, in lowercase: the signature and the body's
/// type (the docs' contract, never overridden), and the framing of the request
/// (its length and its host, which the URL decides). Connection-specific headers
/// ([`hop_by_hop::HEADERS`]) are reserved too: they describe one connection, and
/// the sender's own connection writes them. Neither `-H` nor a webhook's
/// `headers` may set any of them.
pub const RESERVED_HEADERS: [&str; 4] = ["x-scopien-signature", "content-type", "content-length", "host"];

/// Whether a custom header `name` (any case) is one the sender keeps for itself.
pub fn is_reserved_header(name: &str) -> bool {
    RESERVED_HEADERS.iter().any(|r| r.eq_ignore_ascii_case(name)) || hop_by_hop::is_hop_by_hop(name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn batches_are_exactly_as_long_as_announced() {
        let items: [&[u8]; 3] = [b"{\"a\":1}", b"{}", b"[2]"];
        let body = batch_body(&items);
        assert_eq!(body, br#"{"events":[{"a":1},{},[2]]}"#);
        assert_eq!(body.len(), batch_len(3, items.iter().map(|i| i.len()).sum()));
        assert_eq!(batch_body::<&[u8]>(&[]), br#"{"events":[]}"#);
        assert_eq!(batch_len(0, 0), br#"{"events":[]}"#.len());
    }

    #[test]
    fn reserved_headers() {
        for name in [
            "X-Scopien-Signature",
            "content-type",
            "Content-Length",
            "Host",
            "Transfer-Encoding",
            "connection",
        ] {
            assert!(is_reserved_header(name), "{name}");
        }
        for name in ["Authorization", "User-Agent", "X-Custom-Header", "x-scopien-signature-v2"] {
            assert!(!is_reserved_header(name), "{name}");
        }
    }

    proptest! {
        #[test]
        fn a_batch_is_valid_json_holding_its_items(values in proptest::collection::vec(any::<u32>(), 0..20)) {
            let items: Vec<Vec<u8>> = values.iter().map(|v| serde_json::to_vec(&serde_json::json!({"v": v})).unwrap()).collect();
            let body = batch_body(&items);
            prop_assert_eq!(body.len(), batch_len(items.len(), items.iter().map(Vec::len).sum()));
            let parsed: Value = serde_json::from_slice(&body).unwrap();
            let got: Vec<u64> = parsed["events"].as_array().unwrap().iter().map(|e| e["v"].as_u64().unwrap()).collect();
            prop_assert_eq!(got, values.iter().map(|&v| u64::from(v)).collect::<Vec<_>>());
        }
    }
}
